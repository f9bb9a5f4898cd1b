from __future__ import annotations

from pathlib import Path

import pytest

MODELS = Path(__file__).parent / "models"


@pytest.fixture
def models_dir() -> Path:
    return MODELS


@pytest.fixture
def sim_path() -> Path:
    return MODELS / "sim.toml"
