"""Which parameters a sensitivity analysis varies, and the samples it runs.

The parameters come from the model's records (``model.parameter_info``, see
``docs/model-language.md``, "Parameter records"): by default every *parameter* (not an
exogenous scenario lever) whose ``source`` says it is a rough judgement and whose ``range``
is a finite interval. A parameter the scenario (or the comparison scenario) shocks is left
out: its shock overrides the sampled value.

Samples are drawn in a unit space and mapped onto the ranges: linearly, or on a log scale
when the range is positive and spans more than two orders of magnitude (``energy_capex_limit``
from 100 to 1e6: a uniform draw would almost never visit the binding region). The samplers are
SALib's (Morris trajectories, Saltelli/Sobol sequences); see ``docs/design/sensitivity.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bubblemachine.errors import ParameterError, ScenarioError

#: A parameter is "rough" when its source contains this word (case-insensitive).
ROUGH_MARK = "rough"
#: Ranges wider than this ratio (high / low, both > 0) are sampled on a log scale.
LOG_SCALE_RATIO = 100.0


@dataclass(frozen=True)
class ParameterSpec:
    """One varied parameter.

    Attributes:
        name: parameter name in the model.
        low, high: the range sampled (the record's ``range``).
        default: the model's value.
        log: sampled uniformly in log space.
        unit: the record's unit.
        mechanism: catalogue ids / groups of the record.
        source: the record's source (why it is rough).
    """

    name: str
    low: float
    high: float
    default: float
    log: bool
    unit: str = ""
    mechanism: tuple[str, ...] = ()
    source: str = ""

    @property
    def bounds(self) -> tuple[float, float]:
        """Bounds in the sampling space (logs for a log-scaled parameter)."""
        if self.log:
            return (math.log(self.low), math.log(self.high))
        return (self.low, self.high)

    def from_space(self, x: np.ndarray) -> np.ndarray:
        """Map sampling-space values back to parameter values, clipped into the range."""
        v = np.exp(x) if self.log else np.asarray(x, dtype=float)
        return np.clip(v, self.low, self.high)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "low": self.low, "high": self.high, "default": self.default,
                "scale": "log" if self.log else "linear", "unit": self.unit,
                "mechanism": list(self.mechanism), "source": self.source}


def is_rough(info) -> bool:
    """Whether a parameter record is marked as a rough judgement."""
    return ROUGH_MARK in (info.source or "").lower()


def shocked_names(*scenarios) -> set[str]:
    """Names any of the scenarios shocks (None entries are skipped)."""
    out: set[str] = set()
    for s in scenarios:
        if s is None:
            continue
        for shock in s.shocks:
            out.update(name for name, _ in shock.values)
    return out


def _spec(info) -> ParameterSpec | None:
    rng = info.range
    if rng is None or isinstance(info.value, tuple):
        return None
    low, high = float(rng[0]), float(rng[1])
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        return None
    log = low > 0 and high / low > LOG_SCALE_RATIO
    return ParameterSpec(name=info.name, low=low, high=high, default=float(info.value), log=log,
                         unit=info.unit, mechanism=tuple(info.mechanism), source=info.source)


def select_parameters(model, *, names: Sequence[str] | None = None, include: str = "rough",
                      exclude: Iterable[str] = ()) -> tuple[ParameterSpec, ...]:
    """The parameters to vary.

    Args:
        model: a loaded :class:`~bubblemachine.sfc.model.Model`.
        names: explicit parameter names (each must exist and have a finite range); when given,
            ``include`` is ignored.
        include: ``"rough"`` (parameters whose source is a rough judgement) or ``"all"``
            (every parameter with a finite range).
        exclude: names to leave out (the scenarios' shocked inputs).

    Raises:
        ParameterError: an unknown name, an exogenous input, or a parameter without a range.
        ScenarioError: nothing left to vary.
    """
    info = model.parameter_info
    excluded = set(exclude)
    if names:
        out = []
        for n in dict.fromkeys(names):
            p = info.get(n)
            if p is None:
                import difflib

                close = difflib.get_close_matches(n, list(info), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ParameterError(f"--param {n}: model {model.name} has no parameter {n!r}{hint}",
                                     name=n, value=None, origin="--param")
            if p.kind != "parameter":
                raise ParameterError(f"--param {n}: {n} is an exogenous scenario lever, not a parameter "
                                     f"(change it in a scenario or with --set)", name=n, value=None, origin="--param")
            spec = _spec(p)
            if spec is None:
                raise ParameterError(f"--param {n}: {n} has no finite range in its record ({p.where}); "
                                     f"a sensitivity analysis needs one", name=n, value=None, origin="--param")
            if n in excluded:
                raise ParameterError(f"--param {n}: the scenario shocks {n}, so its sampled value would be "
                                     f"overridden", name=n, value=None, origin="--param")
            out.append(spec)
        return tuple(out)
    if include not in ("rough", "all"):
        raise ScenarioError(f"--include must be 'rough' or 'all', got {include!r}")
    out = []
    for name, p in info.items():
        if p.kind != "parameter" or name in excluded:
            continue
        if include == "rough" and not is_rough(p):
            continue
        spec = _spec(p)
        if spec is not None:
            out.append(spec)
    if not out:
        what = "marked rough (source contains 'rough')" if include == "rough" else "with a finite range"
        raise ScenarioError(f"model {model.name}: no parameter {what} to vary; name them with --param")
    return tuple(out)


def problem(specs: Sequence[ParameterSpec]) -> dict[str, Any]:
    """SALib's problem dict (bounds in the sampling space)."""
    return {"num_vars": len(specs), "names": [s.name for s in specs], "bounds": [list(s.bounds) for s in specs]}


def to_values(specs: Sequence[ParameterSpec], X: np.ndarray) -> np.ndarray:
    """Sampling-space rows ``[n, k]`` -> parameter values ``[n, k]``."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    return np.column_stack([s.from_space(X[:, j]) for j, s in enumerate(specs)]) if specs else X


def morris_sample(specs: Sequence[ParameterSpec], *, trajectories: int, levels: int, seed: int) -> np.ndarray:
    """Morris trajectories in the sampling space, ``[trajectories * (k + 1), k]``."""
    from SALib.sample import morris

    return morris.sample(problem(specs), N=trajectories, num_levels=levels, seed=seed)


def sobol_sample(specs: Sequence[ParameterSpec], *, n: int, seed: int) -> np.ndarray:
    """Saltelli's scheme for first-order and total Sobol indices, ``[n * (k + 2), k]``."""
    from SALib.sample import sobol

    return sobol.sample(problem(specs), n, calc_second_order=False, seed=seed)


def check_power_of_two(n: int, option: str = "--sobol-samples") -> int:
    """Sobol sequences need a power of two (SALib warns and loses balance otherwise)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2 or (int(n) & (int(n) - 1)):
        raise ScenarioError(f"{option} must be a power of two >= 2 (e.g. 16, 32, 64), got {n!r}")
    return int(n)
