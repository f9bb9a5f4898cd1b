"""The benchmark's synthetic model generator, at a tiny size."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synthetic_sfc import synthetic_layout, synthetic_model_toml  # noqa: E402

from bubblemachine import sfc  # noqa: E402


def test_tiny_synthetic_model_compiles_and_runs():
    text = synthetic_model_toml(40, blocks=(3, 5), shocks=3, seed=4)
    model = sfc.loads_model(text)
    assert len(model.equations) == 40
    cm = sfc.compile_model(model)
    # exactly the requested simultaneous blocks, each one strongly connected ring
    assert sorted(len(b.variables) for b in cm.cycles()) == [3, 5]
    r = sfc.simulate(cm, paths=10, periods=10, seed=1, progress=False)
    assert r.data.shape[:2] == (10, 11)
    assert np.isfinite(r.data).all()
    # each ring solves its own equations: z_i = w1 z_{i+1} + w2 tanh(z_{i-1}) + ... is met
    assert np.abs(r.data).max() < 10
    # same structure seed -> same text; different -> different wiring
    assert synthetic_model_toml(40, blocks=(3, 5), shocks=3, seed=4) == text
    assert synthetic_model_toml(40, blocks=(3, 5), shocks=3, seed=5) != text


def test_values_stay_bounded_over_many_periods():
    model = sfc.loads_model(synthetic_model_toml(30, blocks=(4,), seed=2))
    r = sfc.simulate(model, paths=3, periods=600, seed=3, progress=False)
    assert np.abs(r.data).max() < 10


def test_layout_validation():
    assert synthetic_layout(500, (3, 4, 6, 8, 10)) == {"stocks": 140, "flows": 329, "block_equations": 31}
    with pytest.raises(ValueError, match="blocks"):
        synthetic_layout(50, (1,))
    with pytest.raises(ValueError, match="n_equations"):
        synthetic_layout(10, (4, 4))
