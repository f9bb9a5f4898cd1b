"""The notebook API: the verbs of the command line as functions that return pandas DataFrames.

``import bubblemachine as bm`` exposes them at the top level (lazily)::

    bm.monitor()                          # today's indicators, one row each
    bm.monitor(asof="2020-03-31", history=True)   # their histories as known on that day
    bm.claims()                           # the scoreboard: verdict, effect, interval, p-values
    bm.compare("baseline", "shutdown", paths=200)  # change of each series, A vs B
    bm.explain("shutdown", vs="baseline", series=["spx"])  # attribution by mechanism

Every function validates its options once and raises a :class:`~bubblemachine.errors.
BubbleMachineError` subclass naming the bad value; runs take the model's own defaults
(``[model] defaults``: periods, paths, seed) unless told otherwise. The run settings travel
with the frame in ``DataFrame.attrs`` (seed, paths, horizon, as-of).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bubblemachine.data import Store
    from bubblemachine.progress import ProgressLike

__all__ = ["claims", "compare", "explain", "monitor"]


def _store(store: Store | None) -> Store:
    if store is not None:
        return store
    from bubblemachine.data import open_store

    return open_store()


def _catalog():
    from bubblemachine.composition import REPORT_SECTIONS
    from bubblemachine.report import registry
    from bubblemachine.report.i18n import Catalog

    core = [p for p in REPORT_SECTIONS if p.__module__ == "bubblemachine.report.core"]
    return Catalog.load(registry.catalog_dirs(core))


def _check_lang(lang: str) -> str:
    from bubblemachine.report.i18n import LANGS
    from bubblemachine.report.sections import ReportError

    if lang not in LANGS:
        raise ReportError(f"lang: {lang!r} is not one of {', '.join(LANGS)}")
    return lang


def monitor(
    asof: str | date | None = None,
    *,
    history: bool | str | date = False,
    store: Store | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """The liquidity monitor on real data, as known on ``asof``.

    Args:
        asof: use only data known on or before this date (YYYY-MM-DD; default: all data).
        history: False: one row per indicator (latest value, 4-week change, date). True:
            every indicator's history, one column each (index: date). A date string: the
            histories from that date on.
        store: the data store (default: the user's store over the embedded snapshot).
        lang: language of the ``label`` and ``units`` columns ("en" or "ko").

    Returns:
        With ``history=False``: index ``indicator`` (id), columns ``label``, ``group``,
        ``value``, ``units``, ``change_4w``, ``asof``. Otherwise a wide frame of histories.
        ``attrs["asof"]`` holds the cut-off.
    """
    import pandas as pd

    from bubblemachine.indicators import compute_monitor, parse_asof
    from bubblemachine.report.core import units_label
    from bubblemachine.report.sections import Label

    _check_lang(lang)
    ts = parse_asof(asof)
    ind = compute_monitor(_store(store), asof=ts)
    if history is not False:
        start = None if history is True else parse_asof(history)
        cols = {k: v.history for k, v in ind.items() if v.history is not None and len(v.history)}
        df = pd.DataFrame(cols).sort_index()
        df.index.name = "date"
        if start is not None:
            df = df.loc[start:]
        df.attrs["asof"] = None if ts is None else f"{ts:%Y-%m-%d}"
        return df
    cat = _catalog()
    rows = []
    for iid, x in ind.items():
        u = units_label(x.units)
        rows.append({
            "indicator": iid,
            "label": cat.t(x.label_key, lang) if x.label_key in cat.messages[lang] else iid,
            "group": x.group,
            "value": x.value,
            "units": cat.t(u.key, lang) if isinstance(u, Label) else u,
            "change_4w": x.change(28),
            "asof": x.asof or None,
        })  # fmt: skip
    df = pd.DataFrame(rows).set_index("indicator")
    df.attrs["asof"] = None if ts is None else f"{ts:%Y-%m-%d}"
    return df


#: Scoreboard columns in display order (those a claim run provides).
CLAIM_COLUMNS: tuple[str, ...] = (
    "seed", "group", "short", "verdict", "effect", "ci_low", "ci_high", "units", "n", "p_value",
    "p_holm", "p_bh", "sample_start", "sample_end", "statement", "method",
)  # fmt: skip


def claims(
    ids: Sequence[str] | None = None,
    *,
    asof: str | date | None = None,
    verdict: str | Sequence[str] | None = None,
    seed: str | Sequence[str] | None = None,
    store: Store | None = None,
    lang: str = "en",
    progress: ProgressLike = False,
) -> pd.DataFrame:
    """Every claim of the articles tested on the data: one row per claim.

    Args:
        ids: claim ids to run (default: all), e.g. ``["C2.1", "C6.3"]``.
        asof: use only data known on or before this date.
        verdict: keep only these verdicts (e.g. ``"supported"``).
        seed: keep only claims of these seed articles (``"000"`` .. ``"004"``).
        store: the data store (default: the user's store).
        lang: language of ``short``, ``statement`` and ``method`` ("en" or "ko").
        progress: a progress bar (False by default in notebooks).

    Returns:
        Index ``claim`` (id); columns from :data:`CLAIM_COLUMNS`. ``attrs`` hold the as-of,
        the number of tests and the bootstrap seed.
    """
    import pandas as pd

    from bubblemachine.claims import run_claims
    from bubblemachine.errors import BubbleMachineError

    _check_lang(lang)
    kw: dict[str, Any] = {"ids": list(ids) if ids is not None else None, "asof": asof, "progress": progress}
    run = run_claims(_store(store), **kw)
    rows = []
    for r in run.results:
        j = r.to_json()
        j["short"] = j.get(f"short_{lang}") or getattr(r.claim, f"short_{lang}", None) or j.get("short_en")
        j["statement"] = j.get(f"statement_{lang}") or j.get("statement_en")
        j["method"] = j.get(f"method_{lang}") or getattr(r.claim, f"method_{lang}", None) or j.get("method_en")
        j["verdict"] = str(j.get("verdict"))
        rows.append(j)
    df = pd.DataFrame(rows).set_index("id")
    df.index.name = "claim"
    df = df[[c for c in CLAIM_COLUMNS if c in df.columns]]
    from bubblemachine.claims import VERDICTS

    allowed = {"verdict": [str(v) for v in VERDICTS], "seed": ["000", "001", "002", "003", "004"]}
    for name, wanted in (("verdict", verdict), ("seed", seed)):
        if wanted is None:
            continue
        want = [wanted] if isinstance(wanted, str) else [str(w) for w in wanted]
        bad = [w for w in want if w not in allowed[name]]
        if bad:
            raise BubbleMachineError(f"claims: {name} {bad[0]!r} is not one of {', '.join(allowed[name])}")
        df = df[df[name].isin(want)]
    df.attrs.update(asof=None if run.asof is None else f"{run.asof:%Y-%m-%d}", n_tests=run.n_tests,
                    bootstrap_seed=run.seed)  # fmt: skip
    return df


def _run_options(scenario: str, paths: int | None, horizon: int | None, seed: int | None) -> tuple[int, int, int]:
    """Explicit option > the scenario's model's ``[model] defaults``."""
    from bubblemachine.scenarios import runner

    _, model, _ = runner.load(scenario)
    d = model.run_defaults
    return (
        paths if paths is not None else (d.paths or 1000),
        horizon if horizon is not None else (d.periods or 252),
        seed if seed is not None else (d.seed if d.seed is not None else 0),
    )


def _with_set(kw: dict[str, Any], set: Mapping[str, Any] | None) -> dict[str, Any]:
    if set:
        kw["set"] = dict(set)
    return kw


def compare(
    a: str = "baseline",
    b: str = "shutdown",
    *,
    paths: int | None = None,
    horizon: int | None = None,
    seed: int | None = None,
    series: Sequence[str] | None = None,
    set: Mapping[str, Any] | None = None,
    progress: ProgressLike = False,
) -> pd.DataFrame:
    """Run scenarios ``a`` and ``b`` with the same seed and compare each series' change.

    Args:
        a, b: scenario names (bundled, e.g. ``"baseline"``, ``"shutdown"``) or files.
        paths, horizon, seed: run settings (default: the model's ``[model] defaults``).
        series: series to compare (default: every reported series).
        set: parameter overrides applied to both runs, e.g. ``{"tga_target": 900}``;
            names and ranges are validated.
        progress: progress bars.

    Returns:
        Index ``series``; columns ``kind`` (price: 100 x log change, about %; rate/level:
        difference in its units), ``a_median``, ``a_p05``, ``a_p95``, ``b_median``,
        ``b_p05``, ``b_p95``, ``diff_median`` (median over paths of the path-wise
        difference b - a). Prices are shown as 100 x log change. ``attrs`` hold the run.
    """
    import pandas as pd

    from bubblemachine.scenarios.compare import compare as _compare

    n, h, s = _run_options(a, paths, horizon, seed)
    kw = _with_set({"paths": n, "horizon": h, "seed": s, "series": series, "progress": bool(progress)}, set)
    c = _compare(a, b, **kw)
    rows = []
    for name, r in c.rows.items():
        k = 100.0 if r["kind"] == "price" else 1.0
        rows.append({"series": name, "kind": r["kind"],
                     "a_median": k * r["a"].median, "a_p05": k * r["a"].p05, "a_p95": k * r["a"].p95,
                     "b_median": k * r["b"].median, "b_p05": k * r["b"].p05, "b_p95": k * r["b"].p95,
                     "diff_median": k * r["diff_median"]})  # fmt: skip
    df = pd.DataFrame(rows).set_index("series")
    df.attrs.update(a=c.a, b=c.b, paths=c.paths, horizon=c.horizon, seed=c.seed, set=dict(set or {}),
                    units="prices: 100 x log change (about %); rates and levels: difference in their units")  # fmt: skip
    return df


def explain(
    scenario: str = "shutdown",
    *,
    vs: str | None = "baseline",
    series: Sequence[str] | None = None,
    paths: int | None = None,
    horizon: int | None = None,
    seed: int | None = None,
    set: Mapping[str, Any] | None = None,
    progress: ProgressLike = False,
) -> pd.DataFrame:
    """A series' change over the horizon split by mechanism group (mean over paths).

    Args:
        scenario: scenario name or file.
        vs: reference scenario (common random numbers), or None for the change itself.
        series: series to explain (default: every attributed series).
        paths, horizon, seed: run settings (default: the model's ``[model] defaults``).
        set: parameter overrides applied to both runs.
        progress: progress bars.

    Returns:
        Index ``series``; one column per mechanism group, then ``total`` (the mean change;
        the groups add up to it), ``median_total`` and ``kind``. Prices in 100 x log change
        (about %), rates in percentage points. ``attrs`` hold the run.
    """
    import pandas as pd

    from bubblemachine.scenarios.explain import explain as _explain

    n, h, s = _run_options(scenario, paths, horizon, seed)
    kw = _with_set({"series": list(series) if series else None, "paths": n, "horizon": h, "seed": s,
                    "vs": vs, "progress": bool(progress)}, set)  # fmt: skip
    out = _explain(scenario, **kw)
    rows = []
    for e in out:
        k = 100.0 if e.kind == "price" else 1.0
        rows.append({"series": e.series, **{g: k * v for g, v in e.contributions.items()},
                     "total": k * e.total, "median_total": k * e.median_total, "kind": e.kind})  # fmt: skip
    df = pd.DataFrame(rows).set_index("series")
    df.attrs.update(scenario=scenario, vs=vs, paths=n, horizon=h, seed=s, set=dict(set or {}),
                    units="prices: 100 x log change (about %); rates: percentage points")  # fmt: skip
    return df
