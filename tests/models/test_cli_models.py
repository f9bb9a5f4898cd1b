"""End-to-end CLI runs for the shipped textbook models."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bubblemachine.cli import app

from ._shipped import TEXTBOOK, model_path, requires_engine, scenario_path

pytestmark = requires_engine

runner = CliRunner()


@pytest.mark.parametrize("stem", sorted(TEXTBOOK))
def test_check_passes_for_every_shipped_model(stem):
    res = runner.invoke(app, ["check", stem])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["check", str(model_path(stem))])
    assert res.exit_code == 0, res.output


def test_models_list_lists_textbook_models():
    res = runner.invoke(app, ["models", "list"])
    assert res.exit_code == 0, res.output
    out = res.output.lower()
    for stem in TEXTBOOK:
        assert stem in out, f"{stem} missing from `models list`:\n{res.output}"


def test_simulate_sim_scenario_from_cli(tmp_path):
    """`bubblemachine simulate sim -s sim_g_up.toml --out FILE.parquet`: one row per period,
    starting at the steady state (Y = 100) and ending near the new one (Y -> 125)."""
    out = tmp_path / "sim_g_up.parquet"
    res = runner.invoke(
        app,
        [
            "--quiet",
            "simulate",
            "sim",
            "--scenario",
            str(scenario_path("sim_g_up")),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    import pandas as pd

    df = pd.read_parquet(out)
    assert len(df) == 61
    assert df["Y"].iloc[0] == pytest.approx(100.0, abs=1e-8)
    assert df["Y"].iloc[5] == pytest.approx(57 / 0.52, abs=1e-9)
    assert df["Y"].iloc[-1] == pytest.approx(125.0, abs=0.01)
