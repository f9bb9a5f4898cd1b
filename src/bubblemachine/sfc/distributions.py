"""Probability distributions of ``[random]`` (per period) and ``[uncertain]`` (per path) tables.

Each distribution is one class: its name in model and scenario files (``kind``), its
parameters (``params``, in the order they are given), its constraints (:meth:`check`), its
mean, its draws and its support. Subclassing :class:`Distribution` registers the class: adding
a distribution is one class (see ``docs/contributing.md``).

Draws go through NumPy ``Generator`` methods only, in a fixed order, so a seed gives the same
numbers on every machine and backend (``docs/design/sfc-engine.md``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bubblemachine.errors import ModelError
from bubblemachine.sfc.values import is_finite_number, short

#: Every distribution by its ``kind`` (filled by subclassing :class:`Distribution`).
DISTRIBUTIONS: dict[str, type[Distribution]] = {}

#: Two-sided tail left out of :meth:`Distribution.support` for unbounded distributions.
TAIL = 0.005
_Z = 2.5758293035489004  # standard normal 99.5% quantile


@dataclass(frozen=True)
class Distribution:
    """A distribution with its parameters: ``args`` holds ``(name, value)`` in ``params`` order.

    Subclasses set ``kind`` and ``params`` and implement :meth:`draw`, :meth:`mean` and
    :meth:`support`; :meth:`check` adds constraints between parameters.
    """

    args: tuple[tuple[str, float], ...]

    kind: ClassVar[str] = ""
    params: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            DISTRIBUTIONS[cls.kind] = cls

    @property
    def dist(self) -> str:
        """The distribution's name in files (``"normal"``, ...)."""
        return self.kind

    @property
    def kw(self) -> dict[str, float]:
        return dict(self.args)

    def check(self, where: str) -> None:
        """ModelError naming ``where`` if the parameters are inconsistent (sd < 0, high < low...)."""
        if "sd" in self.kw and self.kw["sd"] < 0:
            raise ModelError(f"{where}: sd must be >= 0, got {self.kw['sd']}")

    def mean(self) -> float:
        raise NotImplementedError

    def draw(self, rng: Any, size: Any) -> Any:
        """Draw ``size`` values from ``rng`` (a ``numpy.random.Generator``)."""
        raise NotImplementedError

    def support(self) -> tuple[float, float, str]:
        """``(low, high, what)``: the bounds, or the 0.5% and 99.5% quantiles of an unbounded one."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"dist": self.kind, **self.kw}


class Normal(Distribution):
    kind = "normal"
    params = ("mean", "sd")

    def mean(self) -> float:
        return self.kw["mean"]

    def draw(self, rng, size):
        k = self.kw
        return k["mean"] + k["sd"] * rng.standard_normal(size)

    def support(self):
        k = self.kw
        return k["mean"] - _Z * k["sd"], k["mean"] + _Z * k["sd"], "0.5%..99.5% quantiles"


class LogNormal(Distribution):
    """Of the logarithm (NumPy's convention): ``exp(normal(mean, sd))``."""

    kind = "lognormal"
    params = ("mean", "sd")

    def mean(self) -> float:
        k = self.kw
        return math.exp(k["mean"] + 0.5 * k["sd"] ** 2)

    def draw(self, rng, size):
        return rng.lognormal(self.kw["mean"], self.kw["sd"], size)

    def support(self):
        k = self.kw
        return math.exp(k["mean"] - _Z * k["sd"]), math.exp(k["mean"] + _Z * k["sd"]), "0.5%..99.5% quantiles"


class Uniform(Distribution):
    kind = "uniform"
    params = ("low", "high")

    def check(self, where: str) -> None:
        k = self.kw
        if k["high"] < k["low"]:
            raise ModelError(f"{where}: high ({k['high']}) < low ({k['low']})")

    def mean(self) -> float:
        return 0.5 * (self.kw["low"] + self.kw["high"])

    def draw(self, rng, size):
        return rng.uniform(self.kw["low"], self.kw["high"], size)

    def support(self):
        return self.kw["low"], self.kw["high"], "bounds"


class StudentT(Distribution):
    """Fat tails, scaled so the standard deviation is ``sd`` (``df > 2``)."""

    kind = "student_t"
    params = ("df", "mean", "sd")

    def check(self, where: str) -> None:
        super().check(where)
        if self.kw["df"] <= 2:
            raise ModelError(f"{where}: df must be > 2 for a finite sd, got {self.kw['df']}")

    def mean(self) -> float:
        return self.kw["mean"]

    def draw(self, rng, size):
        k = self.kw
        df = k["df"]
        return k["mean"] + k["sd"] * math.sqrt((df - 2.0) / df) * rng.standard_t(df, size)

    def support(self):
        from scipy.special import stdtrit

        k = self.kw
        df = k["df"]
        q = float(stdtrit(df, 1 - TAIL)) * k["sd"] * math.sqrt((df - 2.0) / df)
        return k["mean"] - q, k["mean"] + q, "0.5%..99.5% quantiles"


class Triangular(Distribution):
    kind = "triangular"
    params = ("low", "mode", "high")

    def check(self, where: str) -> None:
        k = self.kw
        if not k["low"] <= k["mode"] <= k["high"]:
            raise ModelError(f"{where}: need low <= mode <= high")

    def mean(self) -> float:
        k = self.kw
        return (k["low"] + k["mode"] + k["high"]) / 3.0

    def draw(self, rng, size):
        k = self.kw
        return rng.triangular(k["low"], k["mode"], k["high"], size)

    def support(self):
        return self.kw["low"], self.kw["high"], "bounds"


def parse_distribution(spec: Any, where: str) -> Distribution:
    """Validate a ``{ dist = "...", ... }`` table; ``where`` names file, table and key."""
    if not isinstance(spec, Mapping) or "dist" not in spec:
        raise ModelError(f"{where}: expected a table like {{ dist = \"normal\", mean = 0, sd = 1 }}, got {spec!r}")
    cls = DISTRIBUTIONS.get(spec["dist"]) if isinstance(spec["dist"], str) else None
    if cls is None:
        raise ModelError(f"{where}: unknown dist {spec['dist']!r} (allowed: {', '.join(DISTRIBUTIONS)})")
    extra = set(spec) - {"dist", "doc", *cls.params}
    if extra:
        raise ModelError(f"{where}: unknown key(s) {sorted(extra)} for dist {cls.kind!r} (expects {', '.join(cls.params)})")
    args = []
    for key in cls.params:
        if key not in spec:
            raise ModelError(f"{where}: dist {cls.kind!r} needs {key!r}")
        val = spec[key]
        if not is_finite_number(val):
            raise ModelError(f"{where}: {key} must be a finite number, got {short(val)}")
        args.append((key, float(val)))
    d = cls(tuple(args))
    d.check(where)
    return d
