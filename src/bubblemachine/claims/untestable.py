"""Claims the shipped data cannot test, each with the data it would need.

They stay in the registry (verdict ``not testable``) so the scoreboard shows the whole
catalogue, and ``needs`` says what a user would have to import (``bubblemachine data
import``) for a test to be written.
"""

from __future__ import annotations

from bubblemachine.claims.registry import Evidence, Thresholds, Window, register

_NT = dict(thresholds=Thresholds(rule="not_testable"), units="-", units_ko="-", group="untestable", series=())


def _never(ctx) -> Evidence:  # pragma: no cover - the runner never calls a not-testable test
    raise AssertionError("a not-testable claim has no test")


register(
    id="F4.2-1999", seed="002", statement_en="US tech capex growth is approaching the 1999-2000 dot-com peak; 2025 data-centre capex ~$500bn (Dell'Oro).",
    statement_ko="미국 기술 산업의 자본지출 증가율은 1999~2000년 인터넷 거품 정점에 다가서고 있으며, 2025년 데이터센터 자본지출은 약 5,000억 달러다(Dell'Oro)",
    short_en="Tech capex growth near the 1999-2000 peak", short_ko="기술 자본지출 증가율의 1999~2000년 정점 근접",
    method_en="Not testable with the shipped data: the capex panel starts in 2014 and there is no 1999-2000 tech-investment or Dell'Oro series.",
    method_ko="제공된 자료로는 검증할 수 없습니다. 자본지출 패널은 2014년에 시작하며, 1999~2000년 기술 투자나 Dell'Oro 자료가 없습니다.",
    window=Window.fixed("1999-01-01", "2025-12-31"),
    needs=("US investment in information processing equipment and software since 1995 (BEA NIPA table 5.3.5, quarterly)",
           "Dell'Oro (or Synergy) data-centre capex by year"), **_NT,
)(_never)  # fmt: skip

register(
    id="F7.1", seed="003", statement_en="Berkshire has been a net seller 12 quarters in a row with $381.7bn cash; Chipotle -18%; households under $100k cut spending.",
    statement_ko="버크셔 해서웨이는 12분기 연속 순매도하며 현금 3,817억 달러를 쌓았고, 치폴레 주가는 18% 내렸으며, 소득 10만 달러 이하 가구는 소비를 줄였다",
    short_en="Berkshire, Chipotle, <$100k households", short_ko="버크셔·치폴레·저소득 가구",
    method_en="Not testable with the shipped data (no Berkshire filings, no CMG prices, no spending by income).",
    method_ko="제공된 자료로는 검증할 수 없습니다(버크셔 공시, 치폴레 주가, 소득 계층별 소비 자료가 없습니다).",
    window=Window.fixed("2022-01-01", "2025-11-13"),
    needs=("Berkshire Hathaway 10-Q/10-K: cash and Treasury bills, equity purchases and sales by quarter",
           "CMG daily prices", "Consumer spending by income group (BLS Consumer Expenditure Survey or card-spending panels)"), **_NT,
)(_never)  # fmt: skip

register(
    id="M1.5", seed="003", statement_en="State capitalism: the government takes equity stakes in private firms and steers them; protected sectors carry a policy premium.",
    statement_ko="국가자본주의 시대에 정부는 민간 기업의 지분을 직접 확보하고 경영에 관여하며, 보호받는 전략 산업에는 정책 프리미엄이 붙는다",
    short_en="Policy premium of state-backed firms", short_ko="국가 지분 기업의 정책 프리미엄",
    method_en="Not testable with the shipped data: no dated government stakes and none of the firms' prices.",
    method_ko="제공된 자료로는 검증할 수 없습니다. 정부 지분 취득 일자와 해당 기업들의 주가 자료가 없습니다.",
    window=Window.fixed("2025-01-01", "2025-11-13"),
    needs=("Dated US government equity stakes (e.g. Intel, MP Materials, Lithium Americas, Trilogy Metals, 2025) with the firms' daily prices (INTC, MP, LAC, TMC)",
           "A price index of the '7 strategic industries' named by the Treasury (Oct 2025)"), **_NT,
)(_never)  # fmt: skip

register(
    id="M4.6", seed="002", statement_en="The belief engine: the AGI story lifts expected AI payoffs and valuation multiples; when the money stops, belief shakes and multiples fall.",
    statement_ko="AGI 서사와 은행 전망, 언론이 AI의 기대 수익과 밸류에이션 배수를 끌어올리며, 돈이 멈추면 믿음이 흔들리고 배수가 떨어진다",
    short_en="Belief lifts AI multiples; money stops, they fall", short_ko="믿음이 올린 AI 배수와 자금 중단 시 하락",
    method_en="Not testable with the shipped data: there are no earnings or forward estimates for the AI leaders, and no series of AI funding flows.",
    method_ko="제공된 자료로는 검증할 수 없습니다. AI 선도 기업의 이익이나 이익 전망치가 없고, AI로 들어가는 자금 흐름 시계열도 없습니다.",
    window=Window.fixed("2022-11-30", "2025-11-14"),
    needs=("Forward P/E (consensus EPS) history of the AI leaders (NVDA, MSFT, META, GOOGL, AMZN, AVGO, PLTR)",
           "AI funding flows by month: venture rounds into AI labs, AI-linked bond and private-credit issuance"), **_NT,
)(_never)  # fmt: skip

register(
    id="M4.7", seed="002", statement_en="AI-washing: non-tech firms that announce AI strategies earn a valuation premium and spend on AI with returns below cost.",
    statement_ko="AI 워싱: AI 전략을 발표한 비기술 기업은 밸류에이션 프리미엄을 얻지만, 비용에 못 미치는 수익률로 AI에 돈을 쓴다",
    short_en="AI-washing premium", short_ko="AI 워싱 프리미엄",
    method_en="Not testable with the shipped data: no dated AI announcements of non-tech firms, no firm-level AI spending or returns.",
    method_ko="제공된 자료로는 검증할 수 없습니다. 비기술 기업의 AI 전략 발표 일자와 기업별 AI 지출·수익 자료가 없습니다.",
    window=Window.fixed("2023-01-01", "2025-11-14"),
    needs=("Dated AI-strategy announcements of non-tech firms (e.g. from earnings-call transcripts) with their daily prices",
           "Firm-level AI spending and the revenue attributed to it"), **_NT,
)(_never)  # fmt: skip

register(
    id="M4.8", seed="002", statement_en="Capital and talent drain: about a third of global venture capital (two thirds of US VC in H1 2025) goes to AI; other sectors are starved.",
    statement_ko="자본과 인재가 AI로 쏠린다. 2024년 세계 벤처캐피털의 약 3분의 1(2025년 상반기 미국 벤처캐피털의 3분의 2)이 AI에 들어갔고, 다른 분야는 자금난을 겪는다",
    short_en="Venture capital drained into AI", short_ko="벤처캐피털의 AI 쏠림",
    method_en="Not testable with the shipped data: there is no venture-funding or research-labour series.",
    method_ko="제공된 자료로는 검증할 수 없습니다. 벤처 투자나 연구 인력 시계열이 없습니다.",
    window=Window.fixed("2024-01-01", "2025-06-30"),
    needs=("Venture funding by sector and quarter (PitchBook, Crunchbase or the NVCA yearbook)",
           "Clean-energy investment by year (BNEF or IEA)", "AI researcher hiring flows"), **_NT,
)(_never)  # fmt: skip

register(
    id="M7.6", seed="004", statement_en="Political feedback: the cost-of-living backlash pushes fiscal, regulatory and market intervention.",
    statement_ko="생활비 부담에 대한 반발(선거)이 재정·규제·시장 개입(이전지출, 가격 상한, 반독점)을 불러온다",
    short_en="Cost-of-living backlash brings intervention", short_ko="생활비 반발이 부르는 정책 개입",
    method_en="Not testable with the shipped data: no election, polling or dated policy-intervention series.",
    method_ko="제공된 자료로는 검증할 수 없습니다. 선거·여론조사 자료와 정책 개입 일자 자료가 없습니다.",
    window=Window.fixed("2024-01-01", "2025-11-14"),
    needs=("Election results and approval polling by month", "Dated interventions: household transfers, price caps, antitrust actions"), **_NT,
)(_never)  # fmt: skip

register(
    id="M7.7-wages", seed="004", statement_en="Prices squeeze wage earners while asset owners gain.",
    statement_ko="물가는 임금 생활자를 압박하는 반면, 자산 소유자는 이득을 본다",
    short_en="Inflation squeezes wages, lifts asset owners", short_ko="물가의 임금 압박과 자산가 이득",
    method_en="Not testable with the shipped data: there are no wages or wealth by household group (the Fed's reaction to inflation is M7.7).",
    method_ko="제공된 자료로는 검증할 수 없습니다. 가구 집단별 임금이나 자산 자료가 없습니다(물가에 대한 연준의 반응은 M7.7에서 검정합니다).",
    window=Window.fixed("2021-01-01", "2025-11-14"),
    needs=("Real wage growth by wage quartile (Atlanta Fed Wage Growth Tracker)", "Household net worth by wealth percentile (Fed Distributional Financial Accounts)"), **_NT,
)(_never)  # fmt: skip

register(
    id="C2.3-tone", seed="004", statement_en="Policy tone and positioning now drive price discovery more than fundamentals; Fed speakers move rate-cut odds without new data.",
    statement_ko="이제는 정책 기조와 포지셔닝이 펀더멘털보다 가격 발견에 더 큰 영향을 미치며, 연준 인사들의 발언만으로 새 데이터 없이 금리 인하 확률이 움직인다",
    short_en="Policy tone and positioning lead prices", short_ko="정책 기조·포지셔닝의 가격 선도",
    method_en="Not testable with the shipped data: no history of market-implied rate-cut odds, Fed speeches or positioning (the data-lag part is C2.3, the liquidity lead C2.1-lead).",
    method_ko="제공된 자료로는 검증할 수 없습니다. 시장이 반영한 금리 인하 확률, 연준 발언, 포지셔닝의 이력이 없습니다(데이터 후행 부분은 C2.3, 유동성 선행은 C2.1-lead에서 검정합니다).",
    window=Window.fixed("2025-10-01", "2025-11-14"),
    needs=("Daily market-implied policy-rate odds (fed funds futures / CME FedWatch history)", "Dated Fed speeches (e.g. the Fed's speech calendar)",
           "Positioning: CFTC Commitments of Traders for S&P 500 futures"), **_NT,
)(_never)  # fmt: skip
