"""Render the report: run the providers, check translations, write one offline HTML file.

The HTML is self-contained and light: plotly's cartesian partial bundle is inlined once
(1.5 MB, :mod:`bubblemachine.report.figures`), the figures are embedded as one gzip-compressed
JSON block that the page decompresses itself (``DecompressionStream``, no network), and each
chart is drawn only when it scrolls into view (``static/bm-charts.js``). Both languages are in
the page (a switch shows one). Jinja2 renders with autoescape; the file is written atomically.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import numbers
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
    """The vendored plotly.js cartesian bundle, safe to inline in a ``<script>``."""
    from bubblemachine.report.figures import PLOTLY_BUNDLE, static_text

    return static_text(PLOTLY_BUNDLE.name)


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
    if isinstance(v, numbers.Integral):  # counts stay integers: 23, not 23.00
        return f"{int(v):,}"
    if isinstance(v, int | float | numbers.Real):
        v = float(v)
        a = abs(v)
        if a >= 1000:
            return f"{v:,.0f}"
        if a >= 100:
            return f"{v:,.1f}"
        return f"{v:,.2f}"
    return str(v)


def encode_figures(figures: dict[str, Any]) -> str:
    """The figures as gzip-compressed JSON in base64 (what the report's script decodes)."""
    raw = json.dumps(figures, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def decode_figures(text: str) -> dict[str, Any]:
    """Inverse of :func:`encode_figures` (tests, tools)."""
    return json.loads(gzip.decompress(base64.b64decode(text)).decode("utf-8"))


class TemplateHelpers:
    """Helpers the templates share (report and web app): translated text, cells, headers."""

    def __init__(self, catalog: Catalog, langs: tuple[str, ...] | list[str]):
        self.catalog = catalog
        self.langs = tuple(langs)

    def t(self, key: str):
        from markupsafe import Markup, escape

        if len(self.langs) == 1:
            return escape(self.catalog.t(key, self.langs[0]))
        return Markup("").join(
            Markup('<span class="l-{}">{}</span>').format(lg, escape(self.catalog.t(key, lg)))
            for lg in self.langs
        )

    def plain(self, key: str) -> str:
        return " / ".join(self.catalog.t(key, lg) for lg in self.langs)

    def cell(self, v: Any):
        from markupsafe import Markup, escape

        if isinstance(v, Label):
            if v.tone is None:
                return self.t(v.key)
            return Markup('<span class="tone tone-{}">{}</span>').format(v.tone, self.t(v.key))
        return escape(format_value(v))

    @staticmethod
    def cell_class(v: Any) -> str:
        """``txt`` (left-aligned text) or ``num`` (right-aligned, tabular figures)."""
        return "txt" if isinstance(v, Label | str) else "num"

    def col_attrs(self, key: str):
        from markupsafe import Markup

        return Markup(" ").join(
            Markup('data-{}="{}"').format(lg, self.catalog.t(key, lg)) for lg in LANGS
        )

    def globals(self) -> dict[str, Any]:
        return {
            "t": self.t, "plain": self.plain, "cell": self.cell, "cell_class": self.cell_class,
            "col_attrs": self.col_attrs,
            "is_chart": lambda b: isinstance(b, Chart),
            "is_table": lambda b: isinstance(b, Table),
            "is_text": lambda b: isinstance(b, Text),
        }  # fmt: skip


def template_env(*extra_dirs: str | Path):
    """A Jinja2 environment (autoescape, strict) over ``extra_dirs`` then the report templates."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*(str(d) for d in extra_dirs), str(TEMPLATE_DIR)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


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
    from datetime import UTC, datetime

    from markupsafe import Markup

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

    from bubblemachine.report.figures import figure_payload, static_text

    figures = {
        b.id: figure_payload(b, catalog, LANGS)
        for s in sections
        for b in s.blocks
        if isinstance(b, Chart)
    }
    used_series = list(
        dict.fromkeys([*SERIES_USED, *(sid for sec in sections for sid in sec.series)])
    )
    vintage = data_vintage(store, used_series, ts)
    commit = git_commit()
    env = template_env()
    env.globals.update(TemplateHelpers(catalog, LANGS).globals())
    html = env.get_template(TEMPLATE).render(
        sections=sections,
        lang=lang,
        langs=LANGS,
        version=__version__,
        commit=commit,
        asof=f"{ts:%Y-%m-%d}" if ts is not None else max(vintage.values(), default="–"),
        built=f"{datetime.now(UTC):%Y-%m-%d}",
        vintage=sorted(vintage.items()),
        css=Markup(static_text("bm.css")),
        plotly_js=Markup(plotly_js()),
        locale_js=Markup(static_text("plotly-locale-ko.js")),
        charts_js=Markup(static_text("bm-charts.js")),
        figures=encode_figures(figures),
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

    src = "".join(p.read_text(encoding="utf-8") for p in sorted(TEMPLATE_DIR.glob("*.j2")))
    return set(re.findall(r"""\bt\(\s*["']([^"']+)["']\s*\)""", src))


TEMPLATE_KEYS = tuple(sorted(template_keys()))
