"""Render the report: run the providers, check translations, write one offline HTML file.

The HTML is self-contained: plotly.js is inlined once (the plotly package's bundled
``plotly.min.js``), every figure is embedded as JSON, and both languages are in the page
(a switch shows one). Jinja2 renders with autoescape; the file is written atomically.
"""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bubblemachine.report.i18n import LANGS, Catalog
from bubblemachine.report.sections import (
    Chart,
    Label,
    ReportContext,
    ReportError,
    Section,
    Table,
    Text,
)

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from bubblemachine.data import Store
    from bubblemachine.report.registry import Provider

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE = "report.html.j2"


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` produced."""

    path: Path
    sections: tuple[Section, ...]
    vintage: dict[str, str]
    commit: str
    size_bytes: int
    monitor: dict | None = None


def git_commit() -> str:
    """``git rev-parse --short HEAD`` of the checkout holding this package, else "unknown"."""
    try:
        res = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=3,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    out = res.stdout.strip()
    return out if res.returncode == 0 and out else "unknown"


def plotly_js() -> str:
    """The plotly.js bundle shipped inside the plotly Python package (minified)."""
    from importlib.resources import files

    try:
        js = files("plotly").joinpath("package_data", "plotly.min.js").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        raise ReportError(
            f"cannot find plotly.min.js in the plotly package ({exc}); reinstall plotly"
        ) from None
    return js.replace("</script", "<\\/script")


def collect_sections(ctx: ReportContext, providers: Sequence[Provider]) -> list[Section]:
    """Run every provider, drop ``None``, check ids are unique, sort by ``order``."""
    from bubblemachine.report.registry import provider_name, resolve

    sections: list[tuple[int, int, Section]] = []
    seen_sections: set[str] = set()
    seen_blocks: set[str] = set()
    for i, provider in enumerate(providers):
        spec = provider_name(provider)
        sec = resolve(provider)(ctx)
        if sec is None:
            continue
        if not isinstance(sec, Section):
            raise ReportError(
                f"report provider {spec!r} returned {type(sec).__name__}, not Section or None"
            )
        if sec.id in seen_sections:
            raise ReportError(f"report provider {spec!r}: section id {sec.id!r} is used twice")
        seen_sections.add(sec.id)
        for b in sec.blocks:
            bid = getattr(b, "id", None)
            if bid is not None:
                if bid in seen_blocks:
                    raise ReportError(f"report provider {spec!r}: block id {bid!r} is used twice")
                seen_blocks.add(bid)
        sections.append((sec.order, i, sec))
    return [s for _, _, s in sorted(sections, key=lambda x: (x[0], x[1]))]


def data_vintage(store: Store, ids, asof) -> dict[str, str]:
    """Last date of each series actually used (on or before ``asof``)."""
    out: dict[str, str] = {}
    for sid in ids:
        if not store.has(sid):
            continue
        f = store.frame(sid, asof=asof)
        if len(f):
            out[sid] = f"{f.index.max():%Y-%m-%d}"
    return out


def format_value(v: Any) -> str:
    """A number as people read it: thousands separators, 0-2 decimals by magnitude, '–' for missing."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int | float):
        a = abs(v)
        if a >= 1000:
            return f"{v:,.0f}"
        if a >= 100:
            return f"{v:,.1f}"
        return f"{v:,.2f}"
    return str(v)


def _figure_payload(chart: Chart, catalog: Catalog) -> dict[str, Any]:
    labels = {
        lang: {
            "names": [catalog.t(t["name"], lang) if t.get("name") else "" for t in chart.data],
            "axes": {path: catalog.t(key, lang) for path, key in chart.axis_keys.items()},
        }
        for lang in LANGS
    }
    data = [{k: v for k, v in t.items() if k != "name"} for t in chart.data]
    return {"data": data, "layout": chart.layout, "labels": labels}


def build_report(
    store: Store,
    *,
    out_dir: str | Path,
    asof=None,
    lang: str = "ko",
    providers: Sequence[Provider],
) -> ReportResult:
    """Build ``<out_dir>/report.html``.

    Args:
        store: the data store.
        out_dir: output folder (created if needed).
        asof: last date of data to use (YYYY-MM-DD or None for all data).
        lang: initial language, "ko" or "en" (the page holds both).
        providers: the section providers (``bubblemachine.composition.REPORT_SECTIONS`` for
            the full report; the report package does not know them).

    Returns:
        The path written, the sections, the data vintage and the git commit.
    """
    import jinja2
    from markupsafe import Markup, escape

    from bubblemachine import __version__
    from bubblemachine._io import atomic_write_text
    from bubblemachine.indicators import SERIES_USED, parse_asof
    from bubblemachine.report import registry

    if lang not in LANGS:
        raise ReportError(f"--lang: {lang!r} is not one of {', '.join(LANGS)}")
    ts = parse_asof(asof)
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise ReportError(f"--out {out_dir}: exists and is not a folder")
    providers = registry.check_providers(providers)
    catalog = Catalog.load(registry.catalog_dirs(providers))
    ctx = ReportContext(store=store, asof=ts, lang=lang, catalog=catalog)
    sections = collect_sections(ctx, providers)

    used = set(TEMPLATE_KEYS)
    for s in sections:
        used |= s.keys()
    missing = {k: v for k, v in catalog.missing(used).items() if v}
    if missing:
        detail = "; ".join(f"{lang}: {', '.join(keys)}" for lang, keys in missing.items())
        raise ReportError(f"translation keys missing from the catalogs ({detail})")

    def t(key: str) -> Markup:
        return Markup("").join(
            Markup('<span class="l-{}">{}</span>').format(lg, escape(catalog.t(key, lg)))
            for lg in LANGS
        )

    def cell(v: Any) -> Markup:
        return t(v.key) if isinstance(v, Label) else escape(format_value(v))

    figures = {
        b.id: _figure_payload(b, catalog)
        for s in sections
        for b in s.blocks
        if isinstance(b, Chart)
    }
    figs_json = json.dumps(figures, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    figs_json = figs_json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    used_series = list(
        dict.fromkeys([*SERIES_USED, *(sid for sec in sections for sid in sec.series)])
    )
    vintage = data_vintage(store, used_series, ts)
    commit = git_commit()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        t=t,
        cell=cell,
        is_chart=lambda b: isinstance(b, Chart),
        is_table=lambda b: isinstance(b, Table),
        is_text=lambda b: isinstance(b, Text),
    )
    html = env.get_template(TEMPLATE).render(
        sections=sections,
        lang=lang,
        langs=LANGS,
        version=__version__,
        commit=commit,
        asof=f"{ts:%Y-%m-%d}" if ts is not None else None,
        vintage=sorted(vintage.items()),
        plotly_js=Markup(plotly_js()),
        figures_json=Markup(figs_json),
    )
    out = Path(out_dir)
    path = out / "report.html"
    try:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, html)
    except OSError as exc:
        raise ReportError(f"--out {out}: cannot write {path}: {exc.strerror or exc}") from None
    return ReportResult(
        path=path,
        sections=tuple(sections),
        vintage=vintage,
        commit=commit,
        size_bytes=len(html.encode()),
        monitor=ctx._monitor,
    )


TEMPLATE_KEYS: tuple[str, ...] = ()
"""Catalog keys the template uses (filled from the template source at import)."""


def template_keys() -> set[str]:
    """Every ``t("...")`` key in the template source."""
    import re

    src = (TEMPLATE_DIR / TEMPLATE).read_text(encoding="utf-8")
    return set(re.findall(r"""\bt\(\s*["']([^"']+)["']\s*\)""", src))


TEMPLATE_KEYS = tuple(sorted(template_keys()))
