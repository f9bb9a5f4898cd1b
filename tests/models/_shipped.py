"""Shared helpers for the tests of the shipped Godley & Lavoie models."""

from __future__ import annotations

from pathlib import Path

from bubblemachine.paths import package_dir

MODELS_DIR: Path = package_dir() / "models"
SCENARIOS_DIR: Path = MODELS_DIR / "scenarios"

#: Shipped textbook models: file stem -> (book chapter, number of equations in the book).
TEXTBOOK = {
    "sim": (3, 11),
    "simex": (3, 13),
    "pc": (4, 11),
    "lp1": (5, 24),
    "bmw": (7, 21),
}

#: Shipped book scenarios: file stem -> model stem.
SCENARIOS = {
    "sim_g_up": "sim",
    "simex_g_up": "simex",
    "pc_r_up": "pc",
    "lp1_rates_up": "lp1",
    "bmw_alpha0_up": "bmw",
    "bmw_thrift": "bmw",
}


def model_path(stem: str) -> Path:
    """Path of a shipped model file."""
    return MODELS_DIR / f"{stem}.toml"


def scenario_path(stem: str) -> Path:
    """Path of a shipped scenario file."""
    return SCENARIOS_DIR / f"{stem}.toml"
