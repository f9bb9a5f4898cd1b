"""Which branch of a claim's declared rule decided its verdict.

Kept apart from :mod:`bubblemachine.claims.registry` so the sentences of
:mod:`bubblemachine.claims.explain` can name the branches without importing the registry
(which uses them to write a result's JSON).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Reason"]


class Reason(StrEnum):
    """Which branch of the declared rule decided a verdict (one sentence each, ko/en)."""

    CI_CLAIMED_SIDE = "ci_claimed_side"  # effect: lo' > 0 and e' >= materiality
    CI_WRONG_SIDE = "ci_wrong_side"  # effect/no_harm: hi' < 0
    BELOW_MATERIALITY = "below_materiality"  # effect: hi' < materiality
    SIGNIFICANT_IMMATERIAL = "significant_immaterial"  # effect: lo' > 0 but e' < materiality
    CI_SPANS_ZERO = "ci_spans_zero"  # effect: the interval includes 0
    HARM_RULED_OUT = "harm_ruled_out"  # no_harm: lo' > -materiality
    HARM_NOT_RULED_OUT = "harm_not_ruled_out"  # no_harm: otherwise
    WITHIN_BAND = "within_band"  # equivalence: the CI inside [-m, m]
    OUTSIDE_BAND = "outside_band"  # equivalence: the CI entirely beyond m or -m
    BAND_UNDECIDED = "band_undecided"  # equivalence: otherwise
    FIGURE_CLOSE = "figure_close"  # figure: within the tolerance
    FIGURE_ROUGH = "figure_rough"  # figure: within twice the tolerance
    FIGURE_FAR = "figure_far"  # figure: beyond
    AT_LEAST_MET = "at_least_met"
    AT_LEAST_NEAR = "at_least_near"
    AT_LEAST_FAR = "at_least_far"
    NOT_FINITE = "not_finite"  # no finite effect or interval
    NO_DATA = "no_data"  # the test could not run at this as-of
    NOT_YET = "not_yet"  # the declared window has not started
    NOT_TESTABLE = "not_testable"  # the shipped data cannot test it
