"""Bubble Machine: simulate, monitor and test how money moves through markets in the AI era.

The top-level namespace is lazy: ``import bubblemachine`` imports nothing heavy, and the
public names below are loaded on first use. ``dir(bubblemachine)`` lists them.

    import bubblemachine as bm
    bm.monitor()                                  # indicators on real data (DataFrame)
    bm.claims()                                   # the articles' claims, tested (DataFrame)
    bm.compare("baseline", "shutdown")            # scenario A vs B (DataFrame)
    bm.explain("shutdown", vs="baseline")         # attribution by mechanism (DataFrame)
    r = bm.simulate("ai_liquidity", paths=200)    # a Result: r.plot("spx") is a fan chart
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import Any

__version__ = "0.1.0"

#: Public name -> module that defines it (one line per name; add yours here).
_LAZY: dict[str, str] = {
    # simulate (the engine)
    "load_model": "bubblemachine.sfc",
    "load_scenario": "bubblemachine.sfc",
    "simulate": "bubblemachine.sfc",
    "sweep": "bubblemachine.sfc",
    "Result": "bubblemachine.sfc",
    # data
    "open_store": "bubblemachine.data",
    # forecasts, backtests, the articles' trades
    "forecast": "bubblemachine.forecasts",
    "backtest": "bubblemachine.backtests",
    "positions": "bubblemachine.trades",
    # notebook verbs (pandas DataFrames)
    "monitor": "bubblemachine.api",
    "claims": "bubblemachine.api",
    "compare": "bubblemachine.api",
    "explain": "bubblemachine.api",
}

__all__ = ["__version__", *_LAZY]

#: Verbs that share their name with a subpackage (``bubblemachine.claims``, later
#: ``forecast``, ``backtest``, ``positions``): ``bm.claims(...)`` runs the verb and
#: ``bm.claims.run_claims`` still reaches the subpackage (see :class:`_Verb`).
_SHADOWED: frozenset[str] = frozenset({"claims", "forecast", "backtest", "positions"})


class _Verb:
    # A top-level verb named like a subpackage: calling it runs the verb (a function of
    # bubblemachine.api or another module in _LAZY); its attributes are the subpackage's, so
    # bm.claims(...) and bm.claims.run_claims both work whichever was imported first.
    # help(bm.claims) and bm.claims? show the verb's docstring and signature.

    __slots__ = ("_name", "_func")

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self._func.__doc__

    def __init__(self, name: str, func: Any) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_func", func)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._func(*args, **kwargs)

    def _module(self) -> ModuleType:
        return import_module(f"{__name__}.{self._name}")

    def __getattr__(self, attr: str) -> Any:
        if attr in ("__doc__", "__wrapped__", "__signature__", "__name__", "__qualname__", "__module__"):
            return getattr(self._func, attr) if attr != "__wrapped__" else self._func
        return getattr(self._module(), attr)

    def __setattr__(self, attr: str, value: Any) -> None:  # e.g. monkeypatch on the subpackage
        setattr(self._module(), attr, value)

    def __delattr__(self, attr: str) -> None:
        delattr(self._module(), attr)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._module())))

    def __repr__(self) -> str:
        return f"<bubblemachine verb {self._name}() (subpackage bubblemachine.{self._name})>"


class _Package(ModuleType):
    """The ``bubblemachine`` module: importing a subpackage named like a verb keeps the verb."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and name in _LAZY and isinstance(value, ModuleType):
            return  # the import system binding the subpackage; it stays reachable via the verb
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bubblemachine' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    if name in _SHADOWED:
        value = _Verb(name, value)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public API (lazy names included) and the module's dunders; no helper imports."""
    return sorted({*__all__, *(n for n in globals() if n.startswith("__"))})
