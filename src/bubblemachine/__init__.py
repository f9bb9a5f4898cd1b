"""Bubble Machine: simulate, monitor and test how money moves through markets in the AI era.

The top-level namespace is lazy: ``import bubblemachine`` imports nothing heavy, and the
verbs (``load_model``, ``load_scenario``, ``simulate``, ``sweep``, ``forecast``, ``backtest``)
are loaded on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_model": "bubblemachine.sfc",
    "load_scenario": "bubblemachine.sfc",
    "simulate": "bubblemachine.sfc",
    "sweep": "bubblemachine.sfc",
    "Result": "bubblemachine.sfc",
    "open_store": "bubblemachine.data",
    "forecast": "bubblemachine.forecasts",
    "backtest": "bubblemachine.backtests",
    "positions": "bubblemachine.trades",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bubblemachine' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
