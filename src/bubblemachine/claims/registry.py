"""The claim registry: every tested claim as data, with its declared verdict thresholds.

A :class:`Claim` names the seed article it comes from, the claim in Korean and English, the
series it reads, its sample, and the :class:`Thresholds` that turn an effect and its
confidence interval into a verdict. The thresholds are literal values written in the entry
(never computed from the data), so they are declared before any result is seen.

A claim's test is a short function ``test(store, asof) -> Evidence``; it must use only data
dated on or before ``asof``.
"""

from __future__ import annotations

import contextvars
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from bubblemachine.errors import ClaimError  # noqa: F401 - re-exported (defined in errors.py)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bubblemachine.data import Store

SEED = 20251114
"""Root seed of every bootstrap (each claim spawns its own stream from it and its id)."""

SEED_VAR: contextvars.ContextVar[int] = contextvars.ContextVar("claims_seed", default=SEED)
"""The root seed in force (``run_claims(seed=...)`` sets it for the duration of a run)."""

VERDICTS: tuple[str, ...] = ("supported", "contradicted", "inconclusive", "not testable", "error")

Rule = Literal["effect", "no_harm", "figure", "not_testable"]
Compare = Literal["approx", "at_least"]


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
        if self.rule not in ("effect", "no_harm", "figure", "not_testable"):
            raise ClaimError(f"thresholds.rule: {self.rule!r} is not effect|no_harm|figure|not_testable")
        if self.direction not in (1, -1):
            raise ClaimError(f"thresholds.direction: {self.direction!r} must be +1 or -1")
        if self.materiality < 0:
            raise ClaimError(f"thresholds.materiality: {self.materiality!r} must be >= 0")
        if self.rule == "figure" and (self.claimed is None or self.claimed == 0):
            raise ClaimError("thresholds.claimed: a figure check needs the article's (non-zero) figure")
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
        sign = ">" if self.direction > 0 else "<"
        pct = f"{self.level:.0%} CI"
        if self.rule == "no_harm":
            bound = f"{-self.direction * self.materiality:g}"
            return f"supported if the {pct} rules out effects beyond {bound} against the claim; contradicted if the CI lies entirely on the wrong side of 0"
        mat = f" and |effect| >= {self.materiality:g}" if self.materiality else ""
        return f"supported if effect {sign} 0 with the {pct} excluding 0{mat}; contradicted if the CI excludes 0 on the other side or lies below the materiality; else inconclusive"

    def verdict(self, effect: float, ci_low: float, ci_high: float) -> str:
        """Apply the rule to an effect and its interval."""
        if self.rule == "not_testable":
            return "not testable"
        if not math.isfinite(effect):
            return "inconclusive"
        if self.rule == "figure":
            claimed = float(self.claimed)  # type: ignore[arg-type]
            if self.compare == "at_least":
                if effect >= claimed:
                    return "supported"
                return "inconclusive" if effect >= claimed * (1 - self.tolerance) else "contradicted"
            err = abs(effect - claimed) / abs(claimed)
            if err <= self.tolerance:
                return "supported"
            return "inconclusive" if err <= 2 * self.tolerance else "contradicted"
        if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
            return "inconclusive"
        d = self.direction
        e = d * effect
        lo, hi = sorted((d * ci_low, d * ci_high))
        if self.rule == "no_harm":
            if hi < 0:
                return "contradicted"
            return "supported" if lo > -self.materiality else "inconclusive"
        if lo > 0 and e >= self.materiality:
            return "supported"
        if hi < 0 or (self.materiality > 0 and hi < self.materiality):
            return "contradicted"
        return "inconclusive"

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
        }


@dataclass(frozen=True)
class Evidence:
    """What a claim test measured.

    Attributes:
        effect: the effect size (in the claim's ``units``); ci_low, ci_high: its interval.
        n: observations (or events) behind it. sample_start, sample_end: dates used.
        p_value: two-sided p-value of "no effect" (None for figure checks).
        details: named intermediate quantities (inspectable, shown in JSON).
        chart: ``{"kind": "line"|"bar", "x": [...], "series": {name: [...]}, "y_title": ...}``.
        caveats: extra caveats found while computing (data gaps, proxies).
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


@dataclass(frozen=True)
class Claim:
    """One tested claim (an entry of the registry).

    Attributes:
        id: MECHANISMS.md id, with a suffix when one claim has several tests (``C2.1-BTC``).
        seed: the seed article ("000".."004").
        statement_ko, statement_en: the claim as the article makes it.
        short_en, short_ko: a scoreboard label (a few words).
        method_en, method_ko: one sentence: what is measured and how.
        series: store ids read. sample: ``(start, end)`` declared (end None = up to asof).
        units: units of the effect. thresholds: the declared verdict rule.
        test: ``(store, asof) -> Evidence``. caveats: known limits, declared up front.
        group: liquidity | rates | systematic | ai | facts.
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
    sample: tuple[str, str | None]
    units: str
    thresholds: Thresholds
    test: Callable[[Store, pd.Timestamp | None], Evidence]
    caveats: tuple[str, ...] = ()
    group: str = "other"

    def __post_init__(self) -> None:
        if self.seed not in ("000", "001", "002", "003", "004"):
            raise ClaimError(f"claim {self.id}: seed {self.seed!r} is not one of 000-004")
        for name in ("statement_ko", "statement_en", "short_en", "method_en"):
            if not getattr(self, name):
                raise ClaimError(f"claim {self.id}: {name} is empty")

    @property
    def rng_seed(self) -> np.random.SeedSequence:
        """This claim's bootstrap seed: ``SeedSequence([root seed, crc32(id)])``."""
        return np.random.SeedSequence([SEED_VAR.get(), zlib.crc32(self.id.encode())])


@dataclass(frozen=True)
class ClaimResult:
    """A claim with its evidence and verdict (and adjusted p-values across the run)."""

    claim: Claim
    evidence: Evidence | None
    verdict: str
    p_holm: float | None = None
    p_bh: float | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (NaN -> None)."""
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
            "method_en": c.method_en,
            "verdict": self.verdict,
            "effect": f(e.effect) if e else None,
            "ci_low": f(e.ci_low) if e else None,
            "ci_high": f(e.ci_high) if e else None,
            "units": c.units,
            "n": e.n if e else 0,
            "sample_start": e.sample_start if e else None,
            "sample_end": e.sample_end if e else None,
            "p_value": f(e.p_value) if e else None,
            "p_adjusted": f(self.p_holm),  # Holm (family-wise); BH in p_bh
            "p_holm": f(self.p_holm),
            "p_bh": f(self.p_bh),
            "thresholds": c.thresholds.to_json(),
            "series": list(c.series),
            "declared_sample": [c.sample[0], c.sample[1]],
            "caveats": list(c.caveats) + (list(e.caveats) if e else []),
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
