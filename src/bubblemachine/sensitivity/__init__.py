"""Global sensitivity analysis of a scenario's answer: which parameters drive it?

``sensitivity("reverse_qe", series=["ust10y", "spx"])`` varies every parameter of the model
whose record marks it as a rough judgement, over its declared range, in two stages:

1. **Morris screening** (elementary effects along random one-at-a-time trajectories, SALib):
   cheap, ranks every parameter (``mu*``) and flags interactions (``sigma``);
2. **Sobol indices** (Saltelli's scheme, SALib) over the ``top`` parameters of the screening
   (the others at their defaults): the share of the answer's variance each parameter explains
   alone (``S1``) and with its interactions (``ST``), with bootstrap intervals.

The *answer* of a scenario is the mean over paths of the path-wise change of a series over the
horizon, minus the same under the comparison scenario (``vs``, the baseline by default; none
for the baseline itself), every run with the same seed (common random numbers). Its robustness
is the share of the screening samples that keep the sign it has at the defaults.

The command is ``bubblemachine sensitivity SCENARIO --series spx``; the method and its choices
are in ``docs/design/sensitivity.md``, the results and what is robust in
``docs/sensitivity.md``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from bubblemachine.errors import ScenarioError
from bubblemachine.progress import ProgressLike, resolve_progress
from bubblemachine.sensitivity.design import (
    ParameterSpec,
    check_power_of_two,
    morris_sample,
    select_parameters,
    shocked_names,
    sobol_sample,
    to_values,
)
from bubblemachine.sensitivity.evaluate import STATS, EvalSetup, evaluate
from bubblemachine.sensitivity.result import (
    MorrisIndex,
    Robustness,
    SensitivityResult,
    SeriesSensitivity,
    SobolIndex,
    verdict,
)

__all__ = ["ParameterSpec", "SensitivityResult", "select_parameters", "sensitivity"]

#: Defaults of the command and the API (documented in docs/sensitivity.md).
DEFAULT_PATHS = 32
DEFAULT_TRAJECTORIES = 4
DEFAULT_LEVELS = 4
DEFAULT_TOP = 6
DEFAULT_SOBOL = 16


def _count(value: Any, option: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= int(value) <= high:
        raise ScenarioError(f"{option} must be an integer between {low} and {high:,}, got {value!r}")
    return int(value)


def sensitivity(
    scenario: str,
    *,
    series: Sequence[str] = ("spx",),
    vs: str | None = "baseline",
    horizon: int | None = None,
    paths: int = DEFAULT_PATHS,
    seed: int | None = None,
    parameters: Sequence[str] | None = None,
    include: str = "rough",
    trajectories: int = DEFAULT_TRAJECTORIES,
    levels: int = DEFAULT_LEVELS,
    top: int = DEFAULT_TOP,
    sobol_samples: int = DEFAULT_SOBOL,
    stat: str = "mean",
    check: bool = False,
    backend: Any = None,
    workers: int | None = None,
    asof: str | None = None,
    progress: ProgressLike = True,
) -> SensitivityResult:
    """Morris screening then Sobol indices of a scenario's answer.

    Args:
        scenario: scenario name or ``.toml`` path (its model is the one analysed).
        series: model variables whose answers are analysed (at least one).
        vs: comparison scenario (name or path); None or the scenario itself: the answer is the
            change itself. For the baseline the default ``"baseline"`` means "no comparison".
        horizon: periods (default: the model's run defaults, 252 for the AI model).
        paths: Monte Carlo paths per run (1..10,000).
        seed: the common seed (default: the model's run defaults).
        parameters: explicit parameter names to vary (default: ``include``).
        include: ``"rough"`` or ``"all"`` parameters with a finite range.
        trajectories: Morris trajectories (runs: ``trajectories x (k + 1)``).
        levels: Morris grid levels (even, 4 by convention).
        top: parameters passed to the Sobol stage (0: screening only).
        sobol_samples: base samples of the Sobol stage, a power of two (runs: ``n x (top + 2)``).
        stat: ``mean`` or ``median`` over paths.
        check: check the model's identities and matrices in every run (slower).
        backend: engine backend for the runs (None/"serial", "process", "ray", or an object).
        workers: workers of a named backend.
        asof: the AI model's start date (default: the latest date the store supports; other
            models take none).
        progress: progress bars (the library protocol).

    Raises:
        ScenarioError / ParameterError: bad options, unknown series or parameters.
        SimulationError: a sample's run failed (named with its parameter values).
    """
    from bubblemachine.scenarios import runner
    from bubblemachine.sfc.backends import open_backend

    t0 = time.perf_counter()
    scen, model, spath = runner.load(scenario, asof=asof)
    vs_scen = None
    vs_name: str | None = None
    if vs is not None:
        vscen, vmodel, vpath = runner.load(vs, asof=asof)
        if vpath.resolve() != spath.resolve():
            if vmodel.digest != model.digest:
                raise ScenarioError(f"--vs {vs}: it runs model {vmodel.name}, the scenario runs {model.name}")
            vs_scen, vs_name = vscen, vpath.stem
    series = list(dict.fromkeys(series or ()))
    if not series:
        raise ScenarioError("--series: name at least one series (e.g. spx)")
    unknown = [s for s in series if s not in model.equations]
    if unknown:
        import difflib

        hints = [f"{u!r}" + (f" (did you mean {c[0]!r}?)" if (c := difflib.get_close_matches(u, list(model.equations), n=1)) else "")
                 for u in unknown]
        raise ScenarioError(f"--series: model {model.name} has no variable {', '.join(hints)}")
    if stat not in STATS:
        raise ScenarioError(f"--stat must be one of {', '.join(STATS)}, got {stat!r}")
    d = model.run_defaults
    horizon = _count(horizon if horizon is not None else (d.periods or 252), "--horizon", 1, 100_000)
    paths = _count(paths, "--paths", 1, 10_000)
    seed = runner.check_seed(seed if seed is not None else (d.seed or 0))
    trajectories = _count(trajectories, "--trajectories", 2, 1000)
    levels = _count(levels, "--levels", 2, 20)
    if levels % 2:
        raise ScenarioError(f"--levels must be even (Morris' symmetric grid), got {levels}")
    top = _count(top, "--top", 0, 100)
    if top:
        sobol_samples = check_power_of_two(sobol_samples)

    specs = select_parameters(model, names=parameters, include=include, exclude=shocked_names(scen, vs_scen))
    names = tuple(s.name for s in specs)
    cm = runner.compiled(model)
    setup = EvalSetup(compiled=cm, scenario=scen, vs=vs_scen, names=names, series=tuple(series),
                      horizon=horizon, paths=paths, seed=seed, stat=stat, check=check)
    # a process/Ray backend opened here is closed when the analysis ends (its workers exit)
    stack = contextlib.ExitStack()
    be = stack.enter_context(open_backend(backend, workers=workers)) if backend not in (None, "serial") else None
    try:
        runs_per_sample = 2 if vs_scen is not None else 1
        factory = resolve_progress(progress)

        # stage 1: Morris screening over every parameter (+ the defaults, for the verdicts)
        xm = morris_sample(specs, trajectories=trajectories, levels=levels, seed=seed % (2**32))
        vm = to_values(specs, xm)
        defaults = np.array([[s.default for s in specs]])
        with factory(f"sensitivity {spath.stem}: Morris screening ({len(specs)} parameters)", total=len(vm) + 1) as bar:
            y0 = evaluate(setup, defaults, backend=be)[0]
            bar.update(1)
            ym = evaluate(setup, vm, backend=be, bar=bar, done0=1)
        from SALib.analyze import morris as morris_analyze

        from bubblemachine.sensitivity.design import problem

        prob = problem(specs)
        morris: dict[str, tuple[MorrisIndex, ...]] = {}
        scores = np.zeros(len(specs))
        for j, s in enumerate(series):
            res = morris_analyze.analyze(prob, xm, ym[:, j], num_levels=levels, num_resamples=200, seed=seed % (2**32))
            mu_star = np.asarray(res["mu_star"], dtype=float)
            order = np.argsort(-np.nan_to_num(mu_star, nan=-1.0), kind="stable")
            rank = np.empty(len(specs), dtype=int)
            rank[order] = np.arange(1, len(specs) + 1)
            morris[s] = tuple(
                MorrisIndex(parameter=names[i], mu=float(res["mu"][i]), mu_star=float(mu_star[i]), sigma=float(res["sigma"][i]),
                            mu_star_conf=float(res["mu_star_conf"][i]), rank=int(rank[i]))
                for i in order)
            peak = float(np.nanmax(mu_star)) if np.isfinite(mu_star).any() else 0.0
            if peak > 0:
                scores = np.maximum(scores, np.nan_to_num(mu_star / peak))
        chosen = [i for i in np.argsort(-scores, kind="stable")[:min(top, len(specs))] if scores[i] > 0]
        top_specs = [specs[i] for i in chosen]

        # stage 2: Sobol indices over the top parameters (others at their defaults)
        sobol: dict[str, tuple[SobolIndex, ...]] = {s: () for s in series}
        notes: dict[str, str] = {s: "" for s in series}
        runs = (len(vm) + 1) * runs_per_sample
        if top_specs:
            xs = sobol_sample(top_specs, n=sobol_samples, seed=seed % (2**32))
            vs_vals = np.tile(defaults, (len(xs), 1))
            for jj, spec in enumerate(top_specs):
                vs_vals[:, names.index(spec.name)] = spec.from_space(xs[:, jj])
            with factory(f"sensitivity {spath.stem}: Sobol indices ({len(top_specs)} parameters)", total=len(xs)) as bar:
                ys = evaluate(setup, vs_vals, backend=be, bar=bar)
            runs += len(xs) * runs_per_sample
            from SALib.analyze import sobol as sobol_analyze

            sprob = problem(top_specs)
            for j, s in enumerate(series):
                if not np.var(ys[:, j]) > 0:
                    notes[s] = "the answer does not vary over the top parameters: no variance to apportion"
                    continue
                res = sobol_analyze.analyze(sprob, ys[:, j], calc_second_order=False, num_resamples=200,
                                            seed=seed % (2**32))
                items = [SobolIndex(parameter=p.name, s1=float(res["S1"][i]), s1_conf=float(res["S1_conf"][i]),
                                    st=float(res["ST"][i]), st_conf=float(res["ST_conf"][i]))
                         for i, p in enumerate(top_specs)]
                sobol[s] = tuple(sorted(items, key=lambda x: -np.nan_to_num(x.st, nan=-1.0)))

        from bubblemachine.scenarios.compare import kind_of

        out: dict[str, SeriesSensitivity] = {}
        for j, s in enumerate(series):
            default = float(y0[j])
            col = ym[:, j]
            same = float(np.mean(np.sign(col) == np.sign(default))) if default != 0 else float("nan")
            q05, q50, q95 = (float(v) for v in np.quantile(col, [0.05, 0.5, 0.95]))
            scale = max(abs(q05), abs(q95))
            drivers = tuple(x.parameter for x in sobol[s][:3]) if sobol[s] else tuple(m.parameter for m in morris[s][:3])
            rob = Robustness(default=default, share_same_sign=same, q05=q05, q50=q50, q95=q95,
                             verdict=verdict(default, same, scale), drivers=drivers)
            out[s] = SeriesSensitivity(series=s, kind=kind_of(s), robustness=rob, morris=morris[s], sobol=sobol[s],
                                       sobol_note=notes[s])
        return SensitivityResult(
            model=model.name, model_digest=model.digest or "", scenario=spath.stem, vs=vs_name,
            horizon=horizon, paths=paths, seed=seed, stat=stat, parameters=specs,
            screened_top=tuple(p.name for p in top_specs), series=out, runs=runs,
            elapsed_s=time.perf_counter() - t0,
            settings={"trajectories": trajectories, "levels": levels, "top": top, "sobol_samples": sobol_samples if top else 0,
                      "include": include if not parameters else "explicit", "check": check,
                      "backend": getattr(be, "name", "serial"), "morris_samples": int(len(vm)),
                      "sobol_runs_samples": int(runs // runs_per_sample - len(vm) - 1)},
        )
    finally:
        stack.close()
