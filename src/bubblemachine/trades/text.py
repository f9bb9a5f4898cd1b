"""Words of the positions section and command, in Korean and English.

All words come from ``i18n/en.toml`` and ``i18n/ko.toml`` next to this module (the report's
catalogue format); this module only fills the templates of ``[positions.sentence]`` with a
strategy's figures, so the command line and the report say the same thing.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.report.i18n import Catalog
    from bubblemachine.trades.backtest import StrategyResult

I18N_DIR = Path(__file__).resolve().parent / "i18n"


@cache
def catalog() -> Catalog:
    """The positions catalogue (both languages)."""
    from bubblemachine.report.i18n import Catalog

    return Catalog.load([I18N_DIR])


def t(key: str, lang: str, **fields) -> str:
    """The text of ``positions.<key>`` in ``lang`` with ``{fields}`` filled in."""
    text = catalog().t(f"positions.{key}", lang)
    return text.format(**fields) if fields else text


def pct(v: float | None, *, sign: bool = False, digits: int = 1) -> str:
    """A fraction as a percent (``12.3%``, ``+1.2%``); ``-`` when missing."""
    if v is None or not math.isfinite(v):
        return "-"
    return f"{100 * v:+.{digits}f}%" if sign else f"{100 * v:.{digits}f}%"


def num(v: float | None, digits: int = 2) -> str:
    """A plain number with ``digits`` decimals; ``-`` when missing."""
    if v is None or not math.isfinite(v):
        return "-"
    return f"{v:.{digits}f}"


def verdict_key(verdict: str) -> str:
    return verdict.replace(" ", "_")


def title(r: StrategyResult, lang: str) -> str:
    s = r.strategy
    return s.title_ko if lang == "ko" else s.title_en


def reason(r: StrategyResult, lang: str) -> str:
    """The verdict with its reason, as a clause (``it worked: ...``)."""
    return t(f"reason.{r.reason}", lang, missing=", ".join(r.missing) or "-")


def article_sentence(r: StrategyResult, lang: str) -> str:
    """What the article says and how the position is traded here."""
    s = r.strategy
    return t("sentence.article", lang, seed=s.seed, statement=s.statement_ko if lang == "ko" else s.statement_en,
             rule=(s.rule_ko if lang == "ko" else s.rule_en) or "-")  # fmt: skip


def result_sentence(r: StrategyResult, lang: str, bench_label: str) -> str:
    """The backtest's figures and verdict in one sentence."""
    m = r.metrics
    if m is None:
        return t("sentence.not_testable", lang, verdict=reason(r, lang))
    return t(
        "sentence.result", lang, start=f"{m.start:%Y-%m-%d}", end=f"{m.end:%Y-%m-%d}", cagr=pct(m.cagr),
        bench=bench_label, bench_cagr=pct(m.benchmark_cagr), mdd=pct(m.drawdown.depth), alpha=pct(m.alpha, sign=True),
        lo=pct(m.alpha_ci_low, sign=True), hi=pct(m.alpha_ci_high, sign=True),
        dsr=num(r.deflated_sharpe) if math.isfinite(r.deflated_sharpe) else t("sentence.na", lang),
        verdict=reason(r, lang),
    )  # fmt: skip
