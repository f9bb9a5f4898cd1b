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
    out = tmp_path / "sim_g_up.parquet"
    res = runner.invoke(
        app,
        [
            "--quiet",
            "simulate",
            "sim",
            "--scenario",
            str(scenario_path("sim_g_up")),
            "--save",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert out.exists()
    import pandas as pd

    df = pd.read_parquet(out)
    assert "Y" in df.columns or "Y" in set(df.get("variable", []))
