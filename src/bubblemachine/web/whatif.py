"""The playground's What if: sliders, a validated request, one run, its charts and tables.

A request is a bundled scenario of the AI liquidity model plus overrides of the slider
parameters (:data:`SLIDERS`), run with ``paths`` paths over ``horizon`` business days and the
model's seed; the reference is the baseline with the default parameters (same seed, same
paths: common random numbers), computed once per (paths, horizon) and cached. The overrides
become one scenario shock from period 1 to the end, so the run is exactly what the scenario
TOML the page saves (:func:`scenario_toml`) reproduces.

Nothing a client sends is evaluated: the scenario must be a bundled name, every parameter a
slider name with a finite number inside its range, paths and horizon integers within
:data:`PATHS_RANGE` and :data:`HORIZON_RANGE`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bubblemachine.errors import WebError  # noqa: F401 - re-exported

MODEL = "ai_liquidity"
#: Accepted paths (the page offers 100, 250, 500, 1,000, 2,000).
PATHS_RANGE = (50, 2000)
PATHS_DEFAULT = 500
#: Accepted horizons in business days (about 1 month to 2 years).
HORIZON_RANGE = (21, 504)
HORIZON_DEFAULT = 252
#: Most overrides one request may carry (every slider).
MAX_OVERRIDES = 32
#: Series drawn as fan charts (the baseline in grey behind the run).
FAN_SERIES: tuple[str, ...] = ("net_liquidity", "spx", "ndx", "btc", "ust10y", "hy_oas", "vix", "tga")
#: Series whose change is split by mechanism.
ATTRIBUTED: tuple[str, ...] = ("spx", "btc", "ust10y")
#: Series of the trough/peak table.
TABLE: tuple[str, ...] = ("net_liquidity", "spx", "ndx", "m7", "btc", "ust10y", "hy_oas", "vix")


@dataclass(frozen=True)
class SliderSpec:
    """A slider: the parameter, its mechanism, and the unit and range if the model gives none."""

    name: str
    mechanism: str
    unit: str
    low: float
    high: float


#: The 20 parameters the What-if page offers, by mechanism, in display order.
#: Chosen by hand (no sensitivity analysis exists yet; see docs/design/web.md): for each
#: mechanism of the articles, the parameter that sets its size in the model. Units and
#: ranges here are the defaults file's; the model's own parameter records win when present.
SLIDERS: tuple[SliderSpec, ...] = (
    SliderSpec("tga_target", "M1.2", "USD bn", 750, 950),
    SliderSpec("shutdown_withheld_share", "M1.2", "share", 0.05, 0.2),
    SliderSpec("qt_restart", "M2.1", "USD bn/day", 0, 4),
    SliderSpec("reserves_ample", "M2.4", "USD bn", 2500, 3100),
    SliderSpec("pass_2y_10y", "M2.5", "ratio", 0.3, 0.8),
    SliderSpec("lambda_cc", "M2.3", "share/pp", 0.003, 0.05),
    SliderSpec("hy_beta_ig", "M5.2", "ratio", 2, 6),
    SliderSpec("capex_growth", "M2.2", "log/yr", 0.15, 0.6),
    SliderSpec("m_star_share0", "M2.3", "share", 0.10, 0.13),
    SliderSpec("bond_share", "M2.3", "share", 0.4, 1),
    SliderSpec("lab_rev_growth", "M4.2", "log/yr", 0.2, 0.9),
    SliderSpec("backer_capacity", "M4.3", "share", 0, 1),
    SliderSpec("vt_capital", "M6.1", "USD bn", 200, 600),
    SliderSpec("vt_target", "M6.1", "1/yr", 0.05, 0.18),
    SliderSpec("cta_capital", "M6.2", "USD bn", 60, 250),
    SliderSpec("buyback_annual", "M6.3", "USD bn/yr", 800, 1200),
    SliderSpec("hf_leverage", "M5.2", "ratio", 1, 3),
    SliderSpec("flow_multiplier_equity", "M6.4", "ratio", 3, 8),
    SliderSpec("wealth_effect", "M7.1", "elasticity", 0.05, 0.3),
    SliderSpec("ai_displacement", "M7.2", "per log change of capex", 0, 0.1),
)


@dataclass(frozen=True)
class Slider:
    """A slider as the page draws it."""

    name: str
    default: float
    low: float
    high: float
    step: float
    unit: str
    mechanism: str

    @property
    def input_min(self) -> float:
        """Lowest value the range input offers: on the step grid through the default (so an
        untouched slider sends exactly the default), inside the accepted range."""
        return self.default - math.floor((self.default - self.low) / self.step + 1e-9) * self.step

    @property
    def input_max(self) -> float:
        return self.default + math.floor((self.high - self.default) / self.step + 1e-9) * self.step


def _step(low: float, high: float) -> float:
    raw = (high - low) / 100
    if raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def sliders(model: Any) -> list[Slider]:
    """The sliders of ``model`` (defaults from the model; unit and range from its records)."""
    info = getattr(model, "parameter_info", None) or {}
    out = []
    exogenous = getattr(model, "exogenous", None) or {}
    for spec in SLIDERS:
        if spec.name in model.parameters:
            default = float(model.parameters[spec.name])
        elif isinstance(exogenous.get(spec.name), (int, float)):  # a constant exogenous input
            default = float(exogenous[spec.name])
        else:
            continue
        rec = info.get(spec.name) if isinstance(info, Mapping) else None
        low, high = (rec.range if rec is not None and rec.range is not None else (spec.low, spec.high))
        unit = rec.unit if rec is not None and rec.unit else spec.unit
        low, high = float(min(low, default)), float(max(high, default))
        out.append(Slider(spec.name, default, low, high, _step(low, high), unit, spec.mechanism))
    return out


@dataclass(frozen=True)
class WhatIf:
    """One validated What-if request."""

    scenario: str
    overrides: tuple[tuple[str, float], ...] = ()
    paths: int = PATHS_DEFAULT
    horizon: int = HORIZON_DEFAULT
    seed: int = 20251114
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def query(self, lang: str | None = None) -> str:
        """The URL query that restores this request (shareable)."""
        from urllib.parse import urlencode

        items = [("scenario", self.scenario), ("paths", str(self.paths)), ("horizon", str(self.horizon))]
        items += [(f"p.{n}", f"{v:.10g}") for n, v in self.overrides]
        if lang:
            items.append(("lang", lang))
        return urlencode(items)


def scenarios() -> list[str]:
    """Bundled scenarios of the AI model, baseline first."""
    from bubblemachine.scenarios import list_scenarios

    return list_scenarios()


def _int(params: Mapping[str, str], key: str, default: int, bounds: tuple[int, int]) -> int:
    raw = params.get(key)
    if raw in (None, ""):
        return default
    try:
        v = int(str(raw).strip())
    except ValueError:
        raise WebError(f"{key}: expected an integer, got {str(raw)[:40]!r}") from None
    if not bounds[0] <= v <= bounds[1]:
        raise WebError(f"{key}: {v} is outside {bounds[0]}..{bounds[1]}")
    return v


def parse_request(params: Mapping[str, str], model: Any) -> WhatIf:
    """Validate a request's query or form fields into a :class:`WhatIf` (WebError otherwise).

    Fields: ``scenario`` (a bundled name), ``paths``, ``horizon``, and ``p.<name>`` for each
    slider parameter (values equal to the default are dropped). Unknown ``p.`` names, values
    that are not finite numbers and values outside the slider's range are refused.
    """
    names = scenarios()
    scen = str(params.get("scenario") or "baseline")
    if scen not in names:
        raise WebError(f"scenario: {scen[:40]!r} is not one of {', '.join(names)}")
    paths = _int(params, "paths", PATHS_DEFAULT, PATHS_RANGE)
    horizon = _int(params, "horizon", HORIZON_DEFAULT, HORIZON_RANGE)
    by_name = {s.name: s for s in sliders(model)}
    keys = [k for k in params if k.startswith("p.")]
    if len(keys) > MAX_OVERRIDES:
        raise WebError(f"too many parameters ({len(keys)}; at most {MAX_OVERRIDES})")
    overrides = []
    for k in keys:
        name = k[2:]
        s = by_name.get(name)
        if s is None:
            import difflib

            near = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise WebError(f"{k[:60]}: not a parameter of the playground{hint}")
        try:
            v = float(str(params[k]).strip())
        except ValueError:
            raise WebError(f"{k}: expected a number, got {str(params[k])[:40]!r}") from None
        if not math.isfinite(v) or not s.low <= v <= s.high:
            raise WebError(f"{k}: {v:g} is outside its range {s.low:g}..{s.high:g} {s.unit}")
        if not math.isclose(v, s.default, rel_tol=1e-12, abs_tol=1e-15):
            overrides.append((name, v))
    seed = model.run_defaults.seed if model.run_defaults.seed is not None else 0
    return WhatIf(scen, tuple(sorted(overrides)), paths, horizon, int(seed))


# ------------------------------------------------------------------------------ scenario
def scenario_dict(w: WhatIf) -> dict[str, Any]:
    """The scenario of a request as TOML data: the bundled scenario plus one shock of overrides."""
    from bubblemachine.scenarios import scenario_path

    base = tomllib.loads(scenario_path(w.scenario).read_text(encoding="utf-8"))
    head = dict(base.get("scenario", {}))
    head.update(name=f"{w.scenario}_whatif" if w.overrides else w.scenario, model=MODEL,
                periods=w.horizon, paths=w.paths, seed=w.seed)
    if w.overrides:
        changes = ", ".join(f"{n} = {v:g}" for n, v in w.overrides)
        head["description"] = f"{head.get('description') or w.scenario}; playground: {changes}"
    shocks = [dict(s) for s in base.get("shock", [])]
    if w.overrides:
        shocks.append({"set": {n: v for n, v in w.overrides}, "start": 1,
                       "doc": "parameters set in the Bubble Machine playground"})
    out: dict[str, Any] = {"scenario": head}
    if shocks:
        out["shock"] = shocks
    if base.get("uncertain"):
        out["uncertain"] = base["uncertain"]
    return out


def _toml_value(v: Any) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise WebError(f"cannot write {v!r} to TOML")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string is a JSON string
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise WebError(f"cannot write {type(v).__name__} to TOML")


def _toml_key(k: str) -> str:
    import re

    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _toml_value(k)


def scenario_toml(w: WhatIf, *, stamp: str = "") -> str:
    """The request as a scenario file (``bubblemachine scenario compare baseline FILE`` reruns it)."""
    d = scenario_dict(w)
    lines = [f"# What-if saved from the Bubble Machine playground{(' on ' + stamp) if stamp else ''}.",
             f"# Rerun: bubblemachine scenario compare baseline this_file.toml --paths {w.paths} --horizon {w.horizon}",
             "[scenario]"]
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in d["scenario"].items()]
    for s in d.get("shock", []):
        lines += ["", "[[shock]]", *(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in s.items())]
    if d.get("uncertain"):
        lines += ["", "[uncertain]", *(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in d["uncertain"].items())]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # what we write must read back
    return text


# ------------------------------------------------------------------------------ running
Progress = Callable[[float, str], None]


def _save_lists(model: Any) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """Fan series, table series, attributed series, variables to save, attribution groups."""
    from bubblemachine.scenarios.explain import attributed_series

    avail = set(model.equations)
    groups = list(model.attribution.group_ids)
    series = [s for s in FAN_SERIES if s in avail]
    table = [s for s in TABLE if s in avail]
    attributed = [s for s in ATTRIBUTED if s in attributed_series(model)]
    contribs = [v for s in attributed for v in (s, *model.attribution.contrib_names(s))]
    save = list(dict.fromkeys([*series, *table, *contribs]))
    return series, table, attributed, save, groups


def _simulate(model: Any, scen: Any, w: WhatIf, save: list[str], progress: Progress, label: str,
              share: tuple[float, float]) -> dict[str, Any]:
    """One run -> arrays [path, period] with period 0; progress reported in ``share`` of the bar."""
    import inspect

    import numpy as np

    import bubblemachine.sfc as sfc
    from bubblemachine.scenarios import runner

    lo, hi = share
    kw: dict[str, Any] = {"periods": w.horizon, "paths": w.paths, "seed": w.seed, "save": save}
    ann = str(inspect.signature(sfc.simulate).parameters["progress"].annotation)
    if "Progress" in ann:  # the library progress protocol: per-period updates

        class _Bar:
            def __init__(self, _label: str = "", *, total: int = 1) -> None:
                self.total = max(int(total), 1)

            def __enter__(self):
                return self

            def __exit__(self, *exc: object) -> bool:
                return False

            def update(self, completed: int) -> None:
                progress(lo + (hi - lo) * min(completed / self.total, 1.0), label)

        kw["progress"] = _Bar
    else:
        kw["progress"] = False
    progress(lo, label)
    res = sfc.simulate(runner.compiled(model), scen, **kw)
    progress(hi, label)
    return {n: np.asarray(res[n], dtype="float64") for n in save}


def run(w: WhatIf, *, progress: Progress | None = None) -> dict[str, Any]:
    """Run a request: the baseline (cached per paths/horizon/seed) and the scenario with overrides.

    Returns:
        ``{"baseline": summary, "run": summary, "series", "table", "attributed"}`` with the
        summaries of :func:`bubblemachine.scenarios.report.summarize_run`.
    """
    from bubblemachine.scenarios import runner
    from bubblemachine.scenarios.report import summarize_run
    from bubblemachine.sfc.scenario import scenario_from_dict

    progress = progress or (lambda f, s: None)
    scen0, model, spath = runner.load(w.scenario)
    start = _start_date(scen0, spath)
    series, table, attributed, save, groups = _save_lists(model)
    key = (model.digest, w.paths, w.horizon, w.seed)
    base = _BASELINES.get(key)
    done = 0.0  # share of the progress bar already spent (on the baseline)
    if base is None:
        done = 0.5
        bscen, _, _ = runner.load("baseline")
        arrays = _simulate(model, bscen, w, save, progress, "baseline", (0.0, 0.5))
        base = summarize_run(arrays, series=series, attributed=attributed, table=table, horizon=w.horizon,
                             groups=groups)
        if len(_BASELINES) >= 8:
            _BASELINES.pop(next(iter(_BASELINES)))
        _BASELINES[key] = base
    scen = scenario_from_dict(scenario_dict(w), where=f"playground ({w.scenario})")
    arrays = _simulate(model, scen, w, save, progress, "scenario", (done, 1.0))
    summ = summarize_run(arrays, series=series, attributed=attributed, table=table, horizon=w.horizon, groups=groups)
    return {"baseline": base, "run": summ, "series": series, "table": table, "attributed": attributed,
            "groups": groups, "start": start}


def _start_date(scen: Any, spath: Any) -> str:
    """The AI model's period 0: the as-of date its calibration starts from (the latest date the
    store supports, where the runner tells it), else the shipped calibration's date."""
    from bubblemachine.scenarios import runner
    from bubblemachine.scenarios.report import PERIOD0

    model_ref = getattr(runner, "model_ref", None)
    if model_ref is None or not getattr(scen, "model", None):
        return PERIOD0
    return model_ref(scen.model, spath, None)[1] or PERIOD0


#: Baseline summaries by (model digest, paths, horizon, seed), kept for the server's life.
_BASELINES: dict[tuple, dict[str, Any]] = {}


# ------------------------------------------------------------------------------ display
def blocks(out: dict[str, Any]) -> list[Any]:
    """Charts and tables of a finished run (the report's figure code: fan, attribution)."""
    import numpy as np  # noqa: I001

    from bubblemachine.report.sections import Label, Table
    from bubblemachine.scenarios.report import (
        PERIOD0,
        attribution_chart,
        extremes,
        fan_chart,
        scale_of,
    )

    sums = {"baseline": out["baseline"], "custom": out["run"]}
    names = ["baseline", "custom"]
    rows = []
    start = out.get("start") or PERIOD0
    for s in out["table"]:
        e = extremes(out["run"], out["baseline"], s, start=start)
        med = float(np.median(np.asarray(out["run"]["changes"][s]) - np.asarray(out["baseline"]["changes"][s])))
        rows.append((Label(f"whatif.col.{s}"), round(med * scale_of(s), 2) + 0.0, e["trough"], e["trough_date"],
                     e["peak"], e["peak_date"]))
    table = Table(id="play-extremes", title_key="web.whatif.table_title",
                  columns=("web.col.series", "web.col.end", "web.col.trough", "web.col.trough_date",
                           "web.col.peak", "web.col.peak_date"),
                  rows=tuple(rows), refs=("M1.2", "M2.1"), caption_key="web.whatif.table_caption")  # fmt: skip
    charts = [fan_chart(s, sums, names, start=start, caption_key="web.whatif.fan_caption", chart_id=f"play-fan-{s}")
              for s in out["series"]]
    attrs = [attribution_chart(s, sums, names, out["groups"], caption_key="web.whatif.attr_caption",
                               chart_id=f"play-attr-{s}") for s in out["attributed"]]
    return [table, *charts, *attrs]
