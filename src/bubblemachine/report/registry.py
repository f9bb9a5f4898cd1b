"""The ONE list of report section providers.

Each entry is ``"module:function"``; the function takes a
:class:`~bubblemachine.report.sections.ReportContext` and returns a
:class:`~bubblemachine.report.sections.Section` or ``None`` (nothing to show). Sections are
shown sorted by ``Section.order`` then by their place here.

Translation catalogs are found automatically: for a provider in module ``a.b.c`` the
directory ``a/b/i18n/`` (next to the module) is loaded if it exists, so a package ships its
own ``i18n/en.toml`` and ``i18n/ko.toml``. To add a section, append one string here.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path

from bubblemachine.report.sections import ReportError

PROVIDERS: list[str] = [
    "bubblemachine.report.core:summary_section",
    "bubblemachine.report.core:liquidity_section",
    "bubblemachine.report.core:rates_section",
    "bubblemachine.report.core:systematic_section",
    "bubblemachine.report.core:ai_section",
    "bubblemachine.claims.report:claims_section",  # claims: "Were the articles right?" (order 70)
    "bubblemachine.trades.report:positions_section",  # positions: "Were the articles' trades any good?" (order 75)
    "bubblemachine.scenarios.report:scenarios_section",  # scenarios: "What if" (AI liquidity model)
    "bubblemachine.backtests.report:backtest_section",  # backtest: "How good are the forecasts?" (order 85)
]


def resolve(spec: str) -> Callable:
    """Import ``"module:function"``; ReportError naming the spec if it cannot."""
    module_name, _, func = spec.partition(":")
    if not module_name or not func:
        raise ReportError(f"report provider {spec!r}: expected 'module:function'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ReportError(f"report provider {spec!r}: cannot import {module_name}: {exc}") from None
    fn = getattr(module, func, None)
    if not callable(fn):
        raise ReportError(f"report provider {spec!r}: {module_name} has no function {func!r}")
    return fn


def catalog_dirs(providers: list[str] | None = None) -> list[Path]:
    """The ``i18n`` directories next to each provider's module (deduplicated, in order)."""
    out: list[Path] = []
    for spec in PROVIDERS if providers is None else providers:
        module_name = spec.partition(":")[0]
        found = importlib.util.find_spec(module_name)
        if found is None or not found.origin:
            raise ReportError(f"report provider {spec!r}: module {module_name} not found")
        d = Path(found.origin).parent / "i18n"
        if d.is_dir() and d not in out:
            out.append(d)
    return out
