"""Shared helpers for the tests of the shipped Godley & Lavoie models."""

from __future__ import annotations

from pathlib import Path

import pytest

from bubblemachine.paths import package_dir


def _engine_ready() -> bool:
    try:
        from bubblemachine import sfc
    except ImportError:
        return False
    return hasattr(sfc, "simulate") and hasattr(sfc, "load_scenario")


#: Engine-level tests need the SFC engine (``bubblemachine.simulate``); skip until it exists.
requires_engine = pytest.mark.skipif(
    not _engine_ready(), reason="SFC engine (bubblemachine.simulate) not available"
)

MODELS_DIR: Path = package_dir() / "models"
SCENARIOS_DIR: Path = MODELS_DIR / "scenarios"

#: Shipped textbook models: file stem -> (book chapter, number of equations in the book).
TEXTBOOK = {
    "sim": (3, 11),
    "simex": (3, 13),
    "pc": (4, 11),
    "lp1": (5, 24),
    "bmw": (7, 21),
    "reg": (6, 26),
    "dis": (9, 27),
}

#: Shipped book scenarios: file stem -> model stem.
SCENARIOS = {
    "sim_g_up": "sim",
    "simex_g_up": "simex",
    "pc_r_up": "pc",
    "lp1_rates_up": "lp1",
    "bmw_alpha0_up": "bmw",
    "bmw_thrift": "bmw",
    "reg_mus_up": "reg",
    "dis_markup_up": "dis",
    "dis_inventories_up": "dis",
}


def model_path(stem: str) -> Path:
    """Path of a shipped model file."""
    return MODELS_DIR / f"{stem}.toml"


def scenario_path(stem: str) -> Path:
    """Path of a shipped scenario file."""
    return SCENARIOS_DIR / f"{stem}.toml"


def run(stem: str, *, periods: int, scenario: str | None = None, **kwargs):
    """Simulate a shipped model (optionally with a shipped scenario) quietly."""
    import bubblemachine as bm

    model = bm.load_model(model_path(stem))
    scen = bm.load_scenario(scenario_path(scenario)) if scenario else None
    return bm.simulate(model, scen, periods=periods, progress=False, **kwargs)


def series(result, name: str, path: int = 0):
    """One variable of one path as a 1-D float array over periods 0..N."""
    import numpy as np

    return np.asarray(result[name], dtype=float)[path]
