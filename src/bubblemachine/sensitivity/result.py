"""Typed results of a sensitivity analysis, their verdicts, JSON and CSV forms.

Per series: the Morris screening of every varied parameter (``mu*``: mean absolute elementary
effect, in the answer's units per step of 2/3 of the range in SALib's convention with 4
levels; ``sigma``: spread of the effects, large when the parameter interacts or acts
nonlinearly), the Sobol indices of the top parameters (``S1`` first order, ``ST`` total, with
bootstrap 95% intervals) and the robustness of the answer: the share of the screening samples
(all rough parameters varied at once over their ranges) in which the answer keeps the sign it
has at the defaults.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

from bubblemachine.sensitivity.design import ParameterSpec

#: Share of samples with the default's sign above which a direction is called robust.
ROBUST_SHARE = 0.9
#: ... and above which it is called mostly robust (below: fragile).
MOSTLY_SHARE = 0.75
VERDICTS = ("robust", "mostly", "fragile", "none")


@dataclass(frozen=True)
class MorrisIndex:
    """Morris elementary effects of one parameter on one series' answer."""

    parameter: str
    mu: float
    mu_star: float
    sigma: float
    mu_star_conf: float
    rank: int


@dataclass(frozen=True)
class SobolIndex:
    """First-order and total Sobol indices (shares of the answer's variance) with 95% intervals."""

    parameter: str
    s1: float
    s1_conf: float
    st: float
    st_conf: float


@dataclass(frozen=True)
class Robustness:
    """How the answer for one series holds up when every varied parameter moves at once.

    Attributes:
        default: the answer at the model's defaults.
        share_same_sign: share of screening samples whose answer has the default's sign.
        q05, q50, q95: quantiles of the answer over the screening samples.
        verdict: ``robust`` (share >= 0.9), ``mostly`` (>= 0.75), ``fragile``, or ``none``
            (no effect at the defaults: the scenario does not move the series).
        drivers: the parameters with the largest total Sobol index (else Morris mu*), best first.
    """

    default: float
    share_same_sign: float
    q05: float
    q50: float
    q95: float
    verdict: str
    drivers: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeriesSensitivity:
    """Everything measured for one series."""

    series: str
    kind: str
    robustness: Robustness
    morris: tuple[MorrisIndex, ...]
    sobol: tuple[SobolIndex, ...] = ()
    sobol_note: str = ""


@dataclass(frozen=True)
class SensitivityResult:
    """The result of :func:`bubblemachine.sensitivity.sensitivity`.

    Attributes:
        model: model name; ``model_digest`` its files' digest (what the numbers belong to).
        scenario: the scenario analysed; ``vs`` the comparison scenario (None: the change itself).
        horizon, paths, seed: the runs' settings (every run used the same seed).
        stat: statistic over paths of each answer.
        parameters: the varied parameters (all screened).
        screened_top: parameters passed to the Sobol stage.
        series: per series, its :class:`SeriesSensitivity`.
        runs: number of model runs made; ``elapsed_s`` the wall time.
        settings: the sampling settings (trajectories, levels, Sobol samples, seeds).
    """

    model: str
    model_digest: str
    scenario: str
    vs: str | None
    horizon: int
    paths: int
    seed: int
    stat: str
    parameters: tuple[ParameterSpec, ...]
    screened_top: tuple[str, ...]
    series: dict[str, SeriesSensitivity]
    runs: int
    elapsed_s: float
    settings: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ forms
    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (numbers as floats, NaN as None)."""
        return {
            "model": self.model, "model_digest": self.model_digest, "scenario": self.scenario, "vs": self.vs,
            "horizon": self.horizon, "paths": self.paths, "seed": self.seed, "stat": self.stat,
            "runs": self.runs, "elapsed_s": round(self.elapsed_s, 3), "settings": dict(self.settings),
            "parameters": [p.to_dict() for p in self.parameters],
            "screened_top": list(self.screened_top),
            "series": {
                s: {
                    "kind": r.kind,
                    "robustness": _clean(vars(r.robustness) | {"drivers": list(r.robustness.drivers)}),
                    "morris": [_clean(vars(m)) for m in r.morris],
                    "sobol": [_clean(vars(x)) for x in r.sobol],
                    "sobol_note": r.sobol_note,
                }
                for s, r in self.series.items()
            },
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SensitivityResult:
        """Rebuild a result from :meth:`to_json` (the report reads saved results this way)."""
        params = tuple(ParameterSpec(name=p["name"], low=p["low"], high=p["high"], default=p["default"],
                                     log=p.get("scale") == "log", unit=p.get("unit", ""),
                                     mechanism=tuple(p.get("mechanism", ())), source=p.get("source", ""))
                       for p in d["parameters"])
        series = {}
        for s, r in d["series"].items():
            rob = dict(r["robustness"])
            rob["drivers"] = tuple(rob.get("drivers", ()))
            series[s] = SeriesSensitivity(
                series=s, kind=r["kind"], robustness=Robustness(**_unclean(rob)),
                morris=tuple(MorrisIndex(**_unclean(m)) for m in r["morris"]),
                sobol=tuple(SobolIndex(**_unclean(x)) for x in r["sobol"]), sobol_note=r.get("sobol_note", ""))
        return cls(model=d["model"], model_digest=d["model_digest"], scenario=d["scenario"], vs=d.get("vs"),
                   horizon=d["horizon"], paths=d["paths"], seed=d["seed"], stat=d["stat"], parameters=params,
                   screened_top=tuple(d.get("screened_top", ())), series=series, runs=d["runs"],
                   elapsed_s=d["elapsed_s"], settings=dict(d.get("settings", {})))

    def rows(self) -> list[dict[str, Any]]:
        """Long table: one row per (series, method, parameter, index)."""
        out: list[dict[str, Any]] = []
        for s, r in self.series.items():
            rob = r.robustness
            out.append({"series": s, "method": "answer", "parameter": "", "index": "default", "value": rob.default, "conf": None})
            out.append({"series": s, "method": "answer", "parameter": "", "index": "share_same_sign", "value": rob.share_same_sign, "conf": None})
            for q in ("q05", "q50", "q95"):
                out.append({"series": s, "method": "answer", "parameter": "", "index": q, "value": getattr(rob, q), "conf": None})
            for m in r.morris:
                out.append({"series": s, "method": "morris", "parameter": m.parameter, "index": "mu_star", "value": m.mu_star, "conf": m.mu_star_conf})
                out.append({"series": s, "method": "morris", "parameter": m.parameter, "index": "mu", "value": m.mu, "conf": None})
                out.append({"series": s, "method": "morris", "parameter": m.parameter, "index": "sigma", "value": m.sigma, "conf": None})
            for x in r.sobol:
                out.append({"series": s, "method": "sobol", "parameter": x.parameter, "index": "S1", "value": x.s1, "conf": x.s1_conf})
                out.append({"series": s, "method": "sobol", "parameter": x.parameter, "index": "ST", "value": x.st, "conf": x.st_conf})
        return out

    def to_csv(self) -> str:
        """CSV of :meth:`rows` (header: series, method, parameter, index, value, conf)."""
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=["series", "method", "parameter", "index", "value", "conf"], lineterminator="\n")
        w.writeheader()
        for row in self.rows():
            w.writerow({k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else (repr(v) if isinstance(v, float) else v))
                        for k, v in row.items()})
        return buf.getvalue()


def verdict(default: float, share: float, scale: float) -> str:
    """``none`` when the default answer is zero to rounding, else by the share with its sign."""
    if not math.isfinite(default) or abs(default) <= 1e-12 * max(1.0, scale):
        return "none"
    if share >= ROBUST_SHARE:
        return "robust"
    if share >= MOSTLY_SHARE:
        return "mostly"
    return "fragile"


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


def _unclean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (math.nan if v is None else v) for k, v in d.items()}
