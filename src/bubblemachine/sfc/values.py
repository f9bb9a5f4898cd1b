"""Small checks of user-supplied numbers shared by the loaders (model, scenario, overrides)."""

from __future__ import annotations

import math
from typing import Any


def is_finite_number(val: Any) -> bool:
    """Is ``val`` an int or float (not a bool) that fits a finite float?"""
    if isinstance(val, bool) or not isinstance(val, (int, float)):
        return False
    try:
        return math.isfinite(float(val))
    except OverflowError:  # an integer too large for a float
        return False


def short(val: Any, limit: int = 60) -> str:
    """``repr(val)``, cut to ``limit`` characters (a huge value never floods a message)."""
    text = repr(val)
    return text if len(text) <= limit else text[: limit - 3] + "..."
