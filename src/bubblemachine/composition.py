"""The composition root: the application's assemblies of parts that live in their own rooms.

:data:`REPORT_SECTIONS` is the report of ``bubblemachine run``: every section provider, in
display order (within equal ``Section.order``). A provider lives next to the data it shows
and the report package does not import it; this module is the one place that lists them.

To add a section: write ``xxx_section(ctx) -> Section | None`` in your room (with
``i18n/en.toml`` and ``i18n/ko.toml`` next to its module), import it here and append it to
:data:`REPORT_SECTIONS` (``docs/design/report.md``).
"""

from __future__ import annotations

from bubblemachine.backtests.report import backtest_section
from bubblemachine.claims.report import claims_section
from bubblemachine.report.core import (
    ai_section,
    liquidity_section,
    rates_section,
    summary_section,
    systematic_section,
)
from bubblemachine.scenarios.report import scenarios_section
from bubblemachine.sensitivity.report import sensitivity_section
from bubblemachine.trades.report import positions_section

#: Every section of the full report.
REPORT_SECTIONS = (
    summary_section,
    liquidity_section,
    rates_section,
    systematic_section,
    ai_section,
    claims_section,  # claims: "Were the articles right?" (order 70)
    positions_section,  # positions: "Were the articles' trades any good?" (order 75)
    scenarios_section,  # scenarios: "What if" (AI liquidity model, order 80)
    backtest_section,  # backtest: "How good are the forecasts?" (order 85)
    sensitivity_section,  # sensitivity: "What drives the answers?" (order 88)
)

__all__ = ["REPORT_SECTIONS"]
