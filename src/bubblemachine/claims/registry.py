"""The claim registry: every tested claim as data, with its declared window and verdict rule.

A :class:`Claim` names the seed article it comes from, the claim in Korean and English, the
series it reads, its declared :class:`Window` (``fixed`` dates for a named period or a
"since X" statement dated by its article; ``open`` from a start to the data's end for a
general regularity), and the :class:`Thresholds` that turn an effect and its confidence
interval into a :class:`Verdict`. Windows and thresholds are literal values written in the
entry (never computed from the data), so they are declared before any result is seen.

A claim's test is a short function ``test(ctx) -> Evidence``; ``ctx`` is a
:class:`~bubblemachine.claims.context.ClaimContext` that serves only the data known at the
run's as-of date and, for a fixed window, observed on or before the window's end, plus the
claim's own random stream.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from bubblemachine.claims.reasons import Reason  # re-exported: verdict branches live in reasons.py
from bubblemachine.errors import ClaimError  # noqa: F401 - re-exported (defined in errors.py)

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.claims.context import ClaimContext

SEED = 20251114
"""Root seed of every bootstrap (each claim derives its own stream from it and its id)."""


class NotTestableYet(ValueError):  # noqa: N818 - a state, not a failure
    """Raised by a test whose declared window has not started in the data known at as-of."""


class Verdict(StrEnum):
    """The outcome of a claim. The value is the word people and JSON read."""

    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    INCONCLUSIVE = "inconclusive"
    NOT_TESTABLE = "not testable"
    NOT_YET = "not testable yet"
    ERROR = "error"

    @property
    def slug(self) -> str:
        """Catalog-safe name: ``not_testable_yet``."""
        return self.value.replace(" ", "_")

    @property
    def css(self) -> str:
        """The semantic class a renderer colours: ``verdict-supported`` ... ``verdict-not_testable_yet``."""
        return f"verdict-{self.slug}"

    @property
    def tone(self) -> str:
        """The report's semantic tone (``report.sections.TONES``): supported positive,
        contradicted negative, inconclusive caution, the rest neutral."""
        return {"supported": "positive", "contradicted": "negative", "inconclusive": "caution",
                "error": "negative"}.get(self.value, "neutral")

    @property
    def symbol(self) -> str:
        """One character for compact timelines: + supported, x contradicted, ? inconclusive, . otherwise."""
        return {"supported": "+", "contradicted": "x", "inconclusive": "?"}.get(self.value, ".")


VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)
"""Every verdict word, in display order."""


@dataclass(frozen=True)
class Decision:
    """A verdict and the branch of the rule that gave it."""

    verdict: Verdict
    reason: Reason


Rule = Literal["effect", "no_harm", "equivalence", "figure", "not_testable"]
Compare = Literal["approx", "at_least"]
RULES: tuple[str, ...] = ("effect", "no_harm", "equivalence", "figure", "not_testable")


@dataclass(frozen=True)
class Thresholds:
    """Declared verdict rule (written in the entry, never computed).

    Rules (e' = direction x effect; lo', hi' = the CI in the claimed direction):

    - ``effect``: supported if lo' > 0 and e' >= materiality; contradicted if hi' < 0 (the
      opposite sign is established) or hi' < materiality (the effect is credibly smaller
      than material); otherwise inconclusive.
    - ``no_harm`` (the claim is that something does *not* happen, e.g. "inversions are not
      followed by losses"): supported if lo' > -materiality (the CI rules out a material
      effect against the claim); contradicted if hi' < 0; otherwise inconclusive.
    - ``equivalence`` (the claim is that something does not respond, in either direction):
      supported if the CI lies inside [-materiality, materiality]; contradicted if it lies
      entirely above materiality or below -materiality; otherwise inconclusive.
    - ``figure`` (a published number checked against the data): with err =
      |effect - claimed| / |claimed|, supported if err <= tolerance, inconclusive if
      err <= 2 x tolerance, contradicted beyond; ``compare="at_least"``: supported if
      effect >= claimed, inconclusive if effect >= claimed x (1 - tolerance), else
      contradicted.
    - ``not_testable``: the shipped data cannot test it.

    Attributes:
        rule: one of the rules above.
        direction: +1 if the claim says the effect is positive, -1 if negative.
        materiality: smallest effect that matters, in the claim's effect units (>= 0).
        claimed: the article's figure (``figure`` rule).
        compare: ``approx`` or ``at_least`` (``figure`` rule).
        tolerance: relative tolerance (``figure`` rule).
        level: confidence level of the interval.
    """

    rule: Rule = "effect"
    direction: int = 1
    materiality: float = 0.0
    claimed: float | None = None
    compare: Compare = "approx"
    tolerance: float = 0.15
    level: float = 0.95

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ClaimError(f"thresholds.rule: {self.rule!r} is not {'|'.join(RULES)}")
        if self.direction not in (1, -1):
            raise ClaimError(f"thresholds.direction: {self.direction!r} must be +1 or -1")
        if not (isinstance(self.materiality, int | float) and math.isfinite(self.materiality) and self.materiality >= 0):
            raise ClaimError(f"thresholds.materiality: {self.materiality!r} must be a finite number >= 0")
        if self.rule == "equivalence" and self.materiality <= 0:
            raise ClaimError("thresholds.materiality: an equivalence rule needs a band (materiality > 0)")
        if self.rule == "figure" and (self.claimed is None or self.claimed == 0):
            raise ClaimError("thresholds.claimed: a figure check needs the article's (non-zero) figure")
        if self.compare not in ("approx", "at_least"):
            raise ClaimError(f"thresholds.compare: {self.compare!r} is not approx|at_least")
        if not 0 < self.tolerance < 1:
            raise ClaimError(f"thresholds.tolerance: {self.tolerance!r} must be in (0, 1)")

    def describe(self) -> str:
        """The rule in one line (docs, JSON)."""
        if self.rule == "not_testable":
            return "not testable with the shipped data"
        if self.rule == "figure":
            if self.compare == "at_least":
                return f"supported if >= {self.claimed:g}; inconclusive if within {self.tolerance:.0%} below; else contradicted"
            return f"supported if within {self.tolerance:.0%} of {self.claimed:g}; inconclusive within {2 * self.tolerance:.0%}; else contradicted"
        pct = f"{self.level:.0%} CI"
        if self.rule == "equivalence":
            return f"supported if the {pct} lies inside +/-{self.materiality:g}; contradicted if it lies entirely beyond it; else inconclusive"
        if self.rule == "no_harm":
            bound = f"{-self.direction * self.materiality:g}"
            return f"supported if the {pct} rules out effects beyond {bound} against the claim; contradicted if the CI lies entirely on the wrong side of 0"
        sign = ">" if self.direction > 0 else "<"
        mat = f" and |effect| >= {self.materiality:g}" if self.materiality else ""
        return f"supported if effect {sign} 0 with the {pct} excluding 0{mat}; contradicted if the CI excludes 0 on the other side or lies below the materiality; else inconclusive"

    def short(self) -> str:
        """The deciding threshold in a few language-neutral symbols (tables): ``> 0, >= 0.1``."""
        if self.rule == "not_testable":
            return "-"
        if self.rule == "figure":
            if self.compare == "at_least":
                return f">= {self.claimed:g}"
            return f"{self.claimed:g} +/- {self.tolerance:.0%}"
        if self.rule == "equivalence":
            return f"CI in +/-{self.materiality:g}"
        if self.rule == "no_harm":
            bound = -self.direction * self.materiality
            return f"CI {'>' if self.direction > 0 else '<'} {bound:g}"
        sign = ">" if self.direction > 0 else "<"
        if self.materiality:
            return f"CI {sign} 0, |e| >= {self.materiality:g}"
        return f"CI {sign} 0"

    def decide(self, effect: float, ci_low: float, ci_high: float) -> Decision:
        """Apply the rule to an effect and its interval: the verdict and the branch that gave it."""
        V, R = Verdict, Reason
        if self.rule == "not_testable":
            return Decision(V.NOT_TESTABLE, R.NOT_TESTABLE)
        if not math.isfinite(effect):
            return Decision(V.INCONCLUSIVE, R.NOT_FINITE)
        if self.rule == "figure":
            claimed = float(self.claimed)  # type: ignore[arg-type]
            if self.compare == "at_least":
                if effect >= claimed:
                    return Decision(V.SUPPORTED, R.AT_LEAST_MET)
                if effect >= claimed * (1 - self.tolerance):
                    return Decision(V.INCONCLUSIVE, R.AT_LEAST_NEAR)
                return Decision(V.CONTRADICTED, R.AT_LEAST_FAR)
            err = abs(effect - claimed) / abs(claimed)
            if err <= self.tolerance:
                return Decision(V.SUPPORTED, R.FIGURE_CLOSE)
            if err <= 2 * self.tolerance:
                return Decision(V.INCONCLUSIVE, R.FIGURE_ROUGH)
            return Decision(V.CONTRADICTED, R.FIGURE_FAR)
        if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
            return Decision(V.INCONCLUSIVE, R.NOT_FINITE)
        d = self.direction
        e = d * effect
        lo, hi = sorted((d * ci_low, d * ci_high))
        m = self.materiality
        if self.rule == "equivalence":
            if -m < lo and hi < m:
                return Decision(V.SUPPORTED, R.WITHIN_BAND)
            if lo > m or hi < -m:
                return Decision(V.CONTRADICTED, R.OUTSIDE_BAND)
            return Decision(V.INCONCLUSIVE, R.BAND_UNDECIDED)
        if self.rule == "no_harm":
            if hi < 0:
                return Decision(V.CONTRADICTED, R.CI_WRONG_SIDE)
            if lo > -m:
                return Decision(V.SUPPORTED, R.HARM_RULED_OUT)
            return Decision(V.INCONCLUSIVE, R.HARM_NOT_RULED_OUT)
        if lo > 0 and e >= m:
            return Decision(V.SUPPORTED, R.CI_CLAIMED_SIDE)
        if hi < 0:
            return Decision(V.CONTRADICTED, R.CI_WRONG_SIDE)
        if m > 0 and hi < m:
            return Decision(V.CONTRADICTED, R.BELOW_MATERIALITY)
        if lo > 0:
            return Decision(V.INCONCLUSIVE, R.SIGNIFICANT_IMMATERIAL)
        return Decision(V.INCONCLUSIVE, R.CI_SPANS_ZERO)

    def verdict(self, effect: float, ci_low: float, ci_high: float) -> Verdict:
        """Apply the rule to an effect and its interval."""
        return self.decide(effect, ci_low, ci_high).verdict

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "direction": self.direction,
            "materiality": self.materiality,
            "claimed": self.claimed,
            "compare": self.compare,
            "tolerance": self.tolerance,
            "level": self.level,
            "text": self.describe(),
            "short": self.short(),
        }


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Window:
    """The declared sample of a claim, as data.

    ``fixed``: a claim about a named period ("in 2025", "2010-15") or a "since X" statement
    made on its article's date; the test sees only observations dated ``start..end``-ish
    (rows after ``end`` never reach it), so data appended after ``end`` change nothing.
    ``open``: a general regularity, tested from ``start`` to the end of the data known at
    as-of; its sample end moves as data grow.

    Event windows inside a test are declared in calendar time (dates, weeks, business days),
    never as counts of observations.

    Attributes:
        kind: ``"fixed"`` or ``"open"``.
        start: first date of the declared sample (YYYY-MM-DD).
        end: last date (``fixed`` only).
    """

    kind: Literal["fixed", "open"]
    start: str
    end: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("fixed", "open"):
            raise ClaimError(f"window.kind: {self.kind!r} is not fixed|open")
        for name in ("start", "end"):
            v = getattr(self, name)
            if v is not None and not _ISO.match(v):
                raise ClaimError(f"window.{name}: {v!r} is not a YYYY-MM-DD date")
        if self.kind == "fixed" and (self.end is None or self.end < self.start):
            raise ClaimError(f"window: a fixed window needs an end on or after its start ({self.start}..{self.end})")
        if self.kind == "open" and self.end is not None:
            raise ClaimError(f"window: an open window has no end (got {self.end})")

    @classmethod
    def fixed(cls, start: str, end: str) -> Window:
        return cls("fixed", start, end)

    @classmethod
    def open(cls, start: str) -> Window:
        return cls("open", start)

    def describe(self) -> str:
        return f"{self.start}..{self.end}" if self.kind == "fixed" else f"{self.start}..(data end)"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Evidence:
    """What a claim test measured.

    Attributes:
        effect: the effect size (in the claim's ``units``); ci_low, ci_high: its interval.
        n: observations (or events) behind it. sample_start, sample_end: dates used.
        p_value: two-sided p-value of "no effect" (None for figure checks).
        details: named intermediate quantities (inspectable, shown in JSON).
        chart: ``{"kind": "line"|"bar", "x": [...], "series": {name: [...]}, "y_title": ...}``.
        caveats: caveats computed from the data (gaps, events missing at this as-of).
    """

    effect: float
    ci_low: float
    ci_high: float
    n: int
    sample_start: str
    sample_end: str
    p_value: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    chart: dict[str, Any] | None = None
    caveats: tuple[str, ...] = ()


SEEDS: tuple[str, ...] = ("000", "001", "002", "003", "004")
GROUPS: tuple[str, ...] = ("liquidity", "rates", "systematic", "ai", "facts", "macro", "untestable")


@dataclass(frozen=True)
class Claim:
    """One tested claim (an entry of the registry).

    Attributes:
        id: MECHANISMS.md id, with a suffix when one claim has several tests (``C2.1-BTC``).
        seed: the seed article ("000".."004").
        statement_ko, statement_en: the claim as the article makes it (ko: a plain-form
            proposition without a final period, quoted by the report).
        short_en, short_ko: a scoreboard label (a few words).
        method_en, method_ko: what is measured and how (ko: formal register, full sentences).
        series: store ids read. window: the declared :class:`Window`.
        units, units_ko: units of the effect. thresholds: the declared verdict rule.
        test: ``(ctx) -> Evidence``. caveats: known limits declared up front (not data).
        group: liquidity | rates | systematic | ai | facts | macro | untestable.
        needs: for a claim the shipped data cannot test, the data it would need.
    """

    id: str
    seed: str
    statement_ko: str
    statement_en: str
    short_en: str
    short_ko: str
    method_en: str
    method_ko: str
    series: tuple[str, ...]
    window: Window
    units: str
    units_ko: str
    thresholds: Thresholds
    test: Callable[[ClaimContext], Evidence]
    caveats: tuple[str, ...] = ()
    group: str = "facts"
    needs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.seed not in SEEDS:
            raise ClaimError(f"claim {self.id}: seed {self.seed!r} is not one of 000-004")
        for name in ("statement_ko", "statement_en", "short_en", "short_ko", "method_en", "method_ko", "units", "units_ko"):
            if not getattr(self, name):
                raise ClaimError(f"claim {self.id}: {name} is empty")
        if self.statement_ko.endswith("."):
            raise ClaimError(f"claim {self.id}: statement_ko is quoted by the report; drop the final period")
        if self.group not in GROUPS:
            raise ClaimError(f"claim {self.id}: group {self.group!r} is not one of {', '.join(GROUPS)}")
        if self.thresholds.rule == "not_testable" and not self.needs:
            raise ClaimError(f"claim {self.id}: a not-testable claim must say which data it needs (needs=...)")


@dataclass(frozen=True)
class ClaimResult:
    """A claim with its evidence, verdict (and why), and adjusted p-values across the run.

    Attributes:
        claim: the registry entry. evidence: what the test measured (None when it could not
            run). decision: the verdict and the branch of the rule that gave it.
        p_holm, p_bh: Holm and Benjamini-Hochberg adjusted p-values across the run's family.
        error: why the test could not run (not testable at this as-of).
        complete: for a fixed window, whether the data known at as-of reach its end (the
            result cannot change any more); always None for open windows.
        data_end: the last observation date the claim's series reach at as-of.
    """

    claim: Claim
    evidence: Evidence | None
    decision: Decision
    p_holm: float | None = None
    p_bh: float | None = None
    error: str | None = None
    complete: bool | None = None
    data_end: str | None = None

    @property
    def verdict(self) -> Verdict:
        return self.decision.verdict

    @property
    def holm_survives(self) -> bool | None:
        """Whether the result stays significant at 5% after Holm (None without a p-value)."""
        return None if self.p_holm is None else self.p_holm < 0.05

    def caveats(self) -> list[str]:
        """Declared caveats, then the ones computed from the data."""
        out = list(self.claim.caveats) + (list(self.evidence.caveats) if self.evidence else [])
        w = self.claim.window
        if w.kind == "fixed" and self.complete is False and self.evidence is not None:
            out.append(f"The declared window ends {w.end}; the data known at this date reach {self.data_end} only, "
                       "so this result can still change.")  # fmt: skip
        return out

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (NaN -> None)."""
        from bubblemachine.claims.explain import reason_text
        from bubblemachine.claims.stats import summary

        c, e = self.claim, self.evidence

        def f(v: float | None) -> float | None:
            if v is None or not math.isfinite(v):
                return None
            return float(f"{v:.6g}")

        return {
            "id": c.id,
            "seed": c.seed,
            "group": c.group,
            "statement_en": c.statement_en,
            "statement_ko": c.statement_ko,
            "short_en": c.short_en,
            "short_ko": c.short_ko,
            "method_en": c.method_en,
            "verdict": self.verdict.value,
            "verdict_class": self.verdict.css,
            "decided_by": {"reason": self.decision.reason.value, "text_en": reason_text(self, "en"),
                           "text_ko": reason_text(self, "ko")},  # fmt: skip
            "effect": f(e.effect) if e else None,
            "ci_low": f(e.ci_low) if e else None,
            "ci_high": f(e.ci_high) if e else None,
            "units": c.units,
            "units_ko": c.units_ko,
            "n": e.n if e else 0,
            "sample_start": e.sample_start or None if e else None,
            "sample_end": e.sample_end or None if e else None,
            "window": c.window.to_json() | {"complete": self.complete},
            "data_end": self.data_end,
            "p_value": f(e.p_value) if e else None,
            "p_adjusted": f(self.p_holm),  # Holm (family-wise); BH in p_bh
            "p_holm": f(self.p_holm),
            "p_bh": f(self.p_bh),
            "holm_survives": self.holm_survives,
            "thresholds": c.thresholds.to_json(),
            "series": list(c.series),
            "caveats": self.caveats(),
            "needs": list(c.needs),
            "details": summary(e.details) if e else {},
            "error": self.error,
        }


CLAIMS: dict[str, Claim] = {}
"""All registered claims by id (filled by the claim modules on import)."""

MODULES: tuple[str, ...] = (
    "bubblemachine.claims.liquidity",
    "bubblemachine.claims.rates",
    "bubblemachine.claims.systematic",
    "bubblemachine.claims.ai",
    "bubblemachine.claims.macro",
    "bubblemachine.claims.untestable",
)


def register(**kwargs: Any) -> Callable[[Callable], Callable]:
    """Decorator: register the decorated test function as a :class:`Claim`."""

    def deco(fn: Callable) -> Callable:
        c = Claim(test=fn, **kwargs)
        if c.id in CLAIMS:
            raise ClaimError(f"claim id {c.id!r} registered twice")
        CLAIMS[c.id] = c
        return fn

    return deco


def load() -> dict[str, Claim]:
    """Import every claim module (once) and return the registry."""
    import importlib

    for m in MODULES:
        importlib.import_module(m)
    return CLAIMS


def get(ids: list[str] | None = None) -> list[Claim]:
    """The claims with these ids (all when None); ClaimError listing valid ids otherwise."""
    reg = load()
    if not ids:
        return list(reg.values())
    unknown = [i for i in ids if i not in reg]
    if unknown:
        raise ClaimError(f"--id: unknown claim {', '.join(repr(u) for u in unknown)}; valid ids: {', '.join(reg)}")
    return [reg[i] for i in ids]


def claim_seed(root: int, claim_id: str):
    """The claim's seed: ``SeedSequence([root, crc32(id)])`` (stable when claims are added)."""
    import zlib

    import numpy as np

    return np.random.SeedSequence([int(root), zlib.crc32(claim_id.encode())])
