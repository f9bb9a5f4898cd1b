"""The report's building blocks: a small dataclass API that section providers return.

A provider is a function ``provider(ctx: ReportContext) -> Section | None`` listed in
:mod:`bubblemachine.report.registry`. Every human-readable string is a **catalog key**
(looked up in ``i18n/en.toml`` and ``i18n/ko.toml``), never literal text, so every section
speaks both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bubblemachine.errors import ReportError  # re-exported (defined in errors.py)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bubblemachine.data import Store
    from bubblemachine.indicators import Indicator
    from bubblemachine.report.i18n import Catalog


#: Semantic tones a cell can carry (the renderer colours them; verdicts, signs of a result).
TONES: tuple[str, ...] = ("positive", "negative", "caution", "neutral")


@dataclass(frozen=True)
class Text:
    """A paragraph: the catalog key of its text.

    ``tone`` is an optional semantic tone from :data:`TONES` (e.g. a claim's verdict); the
    renderer colours it and says the tone in words for screen readers.
    """

    key: str
    tone: str | None = None

    def __post_init__(self) -> None:
        if self.tone is not None and self.tone not in TONES:
            raise ReportError(f"Text {self.key!r}: tone {self.tone!r} is not one of {', '.join(TONES)}")


@dataclass(frozen=True)
class Label:
    """A table cell holding translated text (a catalog key), as opposed to a literal value.

    Attributes:
        key: catalog key of the text.
        tone: optional semantic tone from :data:`TONES` (e.g. a verdict: ``"positive"`` for
            supported, ``"negative"`` for contradicted, ``"caution"`` for mixed or
            inconclusive, ``"neutral"`` for not testable); the renderer draws it as a
            coloured badge and says the tone in words for screen readers.
    """

    key: str
    tone: str | None = None

    def __post_init__(self) -> None:
        if self.tone is not None and self.tone not in TONES:
            raise ReportError(f"Label {self.key!r}: tone {self.tone!r} is not one of {', '.join(TONES)}")


@dataclass(frozen=True)
class Chart:
    """A plotly chart whose labels are catalog keys.

    Attributes:
        id: unique id in the report (HTML id ``chart-<id>``).
        title_key: catalog key of the title.
        caption_key: catalog key of one sentence saying what the reader sees.
        refs: mechanism/claim ids it illustrates (MECHANISMS.md: "M2.1", "C2.1", ...).
        data: plotly trace dicts; each trace's ``name`` is a catalog key (or omitted).
        layout: plotly layout dict without any text (no titles).
        axis_keys: layout path -> catalog key, e.g. ``{"yaxis.title.text": "axis.usd_bn"}``,
            or -> a tuple of keys for a list of labels: category tick labels
            (``{"yaxis.ticktext": ("whatif.scen.shutdown", ...)}`` with ``yaxis.tickvals``
            in the layout) or a drop-down's button labels
            (``{"updatemenus[0].buttons[2].label": "whatif.scen.shutdown"}``).
    """

    id: str
    title_key: str
    caption_key: str
    refs: tuple[str, ...]
    data: list[dict[str, Any]]
    layout: dict[str, Any] = field(default_factory=dict)
    axis_keys: dict[str, str | tuple[str, ...]] = field(default_factory=dict)

    def label_keys(self) -> set[str]:
        """Every catalog key the chart's traces and layout use."""
        out = {t["name"] for t in self.data if t.get("name")}
        for v in self.axis_keys.values():
            out |= {v} if isinstance(v, str) else set(v)
        return out


Cell = str | float | int | None | Label


@dataclass(frozen=True)
class Table:
    """A table: column headers are catalog keys; cells are values or :class:`Label`."""

    id: str
    title_key: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    refs: tuple[str, ...] = ()
    caption_key: str | None = None


Block = Text | Chart | Table


@dataclass(frozen=True)
class Section:
    """One report section.

    Attributes:
        id: unique id (HTML anchor ``sec-<id>``).
        title_key: catalog key of the heading.
        intro_key: catalog key of the introductory paragraph.
        blocks: charts, tables and paragraphs in display order.
        order: sort key across providers (lower first; core sections use 10-60, claims 70,
            scenarios 80).
        series: store series ids the section read; the report header stamps their last
            date (on or before asof) in the data vintage.
    """

    id: str
    title_key: str
    intro_key: str
    blocks: tuple[Block, ...]
    order: int = 100
    series: tuple[str, ...] = ()

    def keys(self) -> set[str]:
        """Every catalog key this section uses."""
        out = {self.title_key, self.intro_key}
        for b in self.blocks:
            if isinstance(b, Text):
                out.add(b.key)
            elif isinstance(b, Chart):
                out |= {b.title_key, b.caption_key, *b.label_keys()}
            elif isinstance(b, Table):
                out |= {b.title_key, *b.columns}
                if b.caption_key:
                    out.add(b.caption_key)
                out |= {c.key for row in b.rows for c in row if isinstance(c, Label)}
        return out


@dataclass
class ReportContext:
    """What a provider receives.

    Attributes:
        store: the data store.
        asof: last date of data to use (None: all data); providers must pass it to the store.
        lang: the report's initial language ("ko" or "en"); providers need not use it, the
            HTML carries both languages.
        catalog: the merged translation catalogs.
    """

    store: Store
    asof: pd.Timestamp | None
    lang: str
    catalog: Catalog
    _monitor: dict[str, Indicator] | None = field(default=None, repr=False)

    def monitor(self) -> dict[str, Indicator]:
        """The monitor indicators at ``asof`` (computed once, shared by all providers)."""
        if self._monitor is None:
            from bubblemachine.indicators import compute_monitor

            self._monitor = compute_monitor(self.store, asof=self.asof)
        return self._monitor
