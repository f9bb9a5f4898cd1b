"""Mechanics of report section providers (the list of them lives in :mod:`bubblemachine.composition`).

A provider is a function ``provider(ctx: ReportContext) -> Section | None`` defined in the
room whose data it shows (``report/core.py``, ``claims/report.py``, ``scenarios/report.py``,
...). The report package does not know them: whoever builds a report passes the callables
(``bubblemachine run`` passes :data:`bubblemachine.composition.REPORT_SECTIONS`). Sections are
shown sorted by ``Section.order`` then by their place in the list.

Translation catalogs are found automatically: for a provider defined in module ``a.b.c`` the
directory ``a/b/i18n/`` (next to the module) is loaded if it exists, so a package ships its
own ``i18n/en.toml`` and ``i18n/ko.toml``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bubblemachine.errors import ReportError

#: ``provider(ctx) -> Section | None``.
Provider = Callable[[Any], Any]


def provider_name(provider: Any) -> str:
    """``module:function`` of a provider, for messages."""
    module = getattr(provider, "__module__", None) or "?"
    name = getattr(provider, "__qualname__", None) or getattr(provider, "__name__", None) or repr(provider)
    return f"{module}:{name}"


def resolve(provider: Any) -> Provider:
    """``provider`` itself if it is callable; ReportError naming it otherwise."""
    if not callable(provider):
        raise ReportError(f"report provider {provider!r}: expected a function ctx -> Section | None")
    return provider


def check_providers(providers: Sequence[Provider]) -> list[Provider]:
    """The providers as a list, each checked callable."""
    if providers is None or isinstance(providers, (str, bytes)) or not isinstance(providers, Sequence):
        raise ReportError(
            "report providers: pass a list of provider functions (bubblemachine.composition.REPORT_SECTIONS "
            f"for the full report), got {providers!r}"
        )
    return [resolve(p) for p in providers]


def catalog_dirs(providers: Sequence[Provider]) -> list[Path]:
    """The ``i18n`` directories next to each provider's module (deduplicated, in order)."""
    out: list[Path] = []
    for p in check_providers(providers):
        module_name = getattr(p, "__module__", None)
        found = importlib.util.find_spec(module_name) if module_name else None
        if found is None or not found.origin:
            raise ReportError(f"report provider {provider_name(p)!r}: module {module_name} not found")
        d = Path(found.origin).parent / "i18n"
        if d.is_dir() and d not in out:
            out.append(d)
    return out
