"""Saved sensitivity results, the CLI's words, and the report section.

Every ``bubblemachine sensitivity`` run saves its full result in
``<home>/sensitivity/<scenario>.json`` (written atomically; the latest run per scenario). The
package also ships results for a few scenarios (:data:`SHIPPED_DIR`, regenerated with
``python -m bubblemachine.sensitivity.report``, which takes several minutes). The report section
"What drives the model's answers? / 무엇이 모델의 답을 좌우하나?" shows the user's results
where they exist, else the shipped ones, and says for each whether it was computed on the
current model (its digest) or on an earlier version.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bubblemachine.sensitivity.result import SensitivityResult

I18N_DIR = Path(__file__).resolve().parent / "i18n"
#: Results shipped with the package (one JSON per scenario).
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"
#: Scenarios and series the shipped results cover (python -m bubblemachine.sensitivity.report).
SHIPPED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("baseline", ("spx", "btc", "ust10y")),
    ("reverse_qe", ("ust10y", "spx", "software")),
    ("circular_unwind", ("chips", "spx", "ai_capex")),
    ("capital_call_cascade", ("btc", "software", "m7")),
)
#: Bars per chart.
CHART_BARS = 8


# --------------------------------------------------------------------------- words
def catalog(lang: str) -> Callable[..., str]:
    """``t(key, **fields)``: the text of a key of this package's catalog in ``lang``, formatted."""
    from bubblemachine.report.i18n import Catalog

    cat = Catalog.load([I18N_DIR])

    def t(key: str, **fields: Any) -> str:
        text = cat.t(key, lang)
        return text.format(**fields) if fields else text

    return t


def format_answer(x: float, kind: str) -> str:
    """An answer for people: prices as 100 x log change (%), the rest in their units."""
    if x is None or not math.isfinite(x):
        return "-"
    if kind == "price":
        return f"{100 * x:+.2f}%"
    return f"{x:+.4g}"


# --------------------------------------------------------------------------- storage
def results_dir() -> Path:
    from bubblemachine import paths

    return paths.home() / "sensitivity"


def write_json(res: SensitivityResult, path: str | Path) -> Path:
    """Write ``res`` as JSON to ``path`` atomically."""
    from bubblemachine._io import atomic_write_text

    p = Path(path)
    atomic_write_text(p, json.dumps(res.to_json(), indent=1, ensure_ascii=False) + "\n")
    return p


def save_result(res: SensitivityResult) -> Path | None:
    """Keep the latest result per scenario in the user's home (None if it cannot be written)."""
    from bubblemachine.errors import BubbleMachineError

    d = results_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
        return write_json(res, d / f"{res.scenario}.json")
    except (OSError, BubbleMachineError):
        return None


def _read(path: Path) -> SensitivityResult | None:
    try:
        return SensitivityResult.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_results() -> dict[str, SensitivityResult]:
    """scenario -> result: the user's saved results, else the shipped ones."""
    out: dict[str, SensitivityResult] = {}
    for d in (SHIPPED_DIR, results_dir()):
        if d.is_dir():
            for p in sorted(d.glob("*.json")):
                r = _read(p)
                if r is not None:
                    out[r.scenario] = r
    return out


# --------------------------------------------------------------------------- report section
def _current_digest(model_name: str) -> str | None:
    from bubblemachine.errors import BubbleMachineError
    from bubblemachine.sfc import load_model

    try:
        return load_model(model_name).digest
    except (BubbleMachineError, OSError):
        return None


def sensitivity_section(ctx) -> Any:
    """Report provider: "What drives the model's answers?" (None when no result exists)."""
    from bubblemachine.report.sections import Chart, Label, Section, Table, Text

    results = load_results()
    if not results:
        return None
    order = [s for s, _ in SHIPPED if s in results] + sorted(s for s in results if s not in dict(SHIPPED))
    rows = []
    charts = []
    labels: dict[str, dict[str, str]] = {"en": {}, "ko": {}}
    for name in order:
        res = results[name]
        digest = _current_digest(res.model)
        state = "current" if digest is not None and digest == res.model_digest else "earlier"
        for lang in labels:
            labels[lang][f"sensitivity.dyn.scenario.{name}"] = name + ("" if res.vs is None else f" - {res.vs}")
        for s, r in res.series.items():
            rob = r.robustness
            rows.append((Label(f"sensitivity.dyn.scenario.{name}"), s, format_answer(rob.default, r.kind),
                         f"{format_answer(rob.q05, r.kind)} .. {format_answer(rob.q95, r.kind)}",
                         None if not math.isfinite(rob.share_same_sign) else round(100 * rob.share_same_sign),
                         Label(f"sensitivity.verdict.{rob.verdict}"), ", ".join(rob.drivers),
                         Label(f"sensitivity.model_state.{state}")))
        first = next(iter(res.series.values()), None)
        if first is None or not first.morris:
            continue
        top = first.morris[:CHART_BARS]
        peak = max((m.mu_star for m in top), default=0.0) or 1.0
        key = f"sensitivity.dyn.trace.{name}"
        for lang in labels:
            labels[lang][key] = f"{name}: {first.series}"
        charts.append(Chart(
            id=f"sensitivity-{name}", title_key=f"sensitivity.dyn.scenario.{name}", caption_key="sensitivity.chart_caption",
            refs=scenario_refs(name),
            data=[{"type": "bar", "orientation": "h", "name": key,
                   "x": [round(m.mu_star / peak, 4) for m in reversed(top)],
                   "y": [m.parameter for m in reversed(top)]}],
            layout={"margin": {"l": 180}, "height": 60 + 28 * len(top)},
            axis_keys={"xaxis.title.text": "sensitivity.axis.relative_mu_star"}))
    ctx.catalog.add(labels, source="sensitivity results")
    table = Table(id="sensitivity-table", title_key="sensitivity.table_title",
                  columns=("sensitivity.col.scenario", "sensitivity.col.series", "sensitivity.col.default",
                           "sensitivity.col.range", "sensitivity.col.share", "sensitivity.col.verdict",
                           "sensitivity.col.drivers", "sensitivity.col.model"),
                  rows=tuple(rows), caption_key="sensitivity.table_caption")
    return Section(id="sensitivity", title_key="sensitivity.title", intro_key="sensitivity.intro",
                   blocks=(Text("sensitivity.how_to_read"), table, *charts), order=88)


def scenario_refs(name: str) -> tuple[str, ...]:
    """The mechanism and claim ids a bundled scenario's file cites in its opening comment (its
    first line names them); ``("C2.1",)`` for the baseline and for a scenario without a file."""
    import re

    from bubblemachine.errors import BubbleMachineError
    from bubblemachine.scenarios import scenario_path

    if name == "baseline":
        return ("C2.1",)
    try:
        head = scenario_path(name).read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError, BubbleMachineError):  # an unknown scenario: the report still renders
        return ("C2.1",)
    ids = tuple(dict.fromkeys(re.findall(r"\b[MC]\d+\.\d+\b", head)))
    return ids or ("C2.1",)


def write_shipped(out: Path = SHIPPED_DIR, *, progress: bool = True) -> list[Path]:
    """Recompute the shipped results (:data:`SHIPPED`) with the command's defaults."""
    from bubblemachine.sensitivity import sensitivity

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for scenario, series in SHIPPED:
        res = sensitivity(scenario, series=series, progress=progress, backend="process")
        written.append(write_json(res, out / f"{scenario}.json"))
    return written


if __name__ == "__main__":  # python -m bubblemachine.sensitivity.report: refresh the shipped results
    for p in write_shipped():
        print(p)
