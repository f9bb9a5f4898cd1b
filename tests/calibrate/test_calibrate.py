"""Calibration: numbers vs hand computation on the store, reproducibility, --check."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bubblemachine.calibrate import (
    calibrate,
    check_calibration,
    default_path,
    render_toml,
    write_calibration,
)
from bubblemachine.calibrate.fit import fit_noise, fit_nu, standardized_t_logpdf
from bubblemachine.calibrate.history import NOISE_ORDER, basket_log_changes, trading_days
from bubblemachine.data import open_store
from bubblemachine.scenarios.series import PRICED


@pytest.fixture(scope="module")
def store():
    return open_store()


@pytest.fixture(scope="module")
def cal(store):
    return calibrate(store=store)


@pytest.fixture(scope="module")
def doc(cal):
    return tomllib.loads(render_toml(cal))


def test_net_liquidity_hand_computed(doc, store):
    # WALCL - WTREGEN (USD millions) - 1000 * RRPONTSYD (USD billions) at 2025-11-12, in USD bn
    walcl = store.series("WALCL")[pd.Timestamp("2025-11-12")]
    tga = store.series("WTREGEN")[pd.Timestamp("2025-11-12")]
    rrp = store.series("RRPONTSYD")[pd.Timestamp("2025-11-12")]
    hand = (walcl - tga - 1000 * rrp) / 1000
    assert hand == pytest.approx(6580.462 - 953.816 - 5.886, abs=1e-9)
    ini = doc["initial"]
    assert ini["fed_assets"] == pytest.approx(walcl / 1000, rel=1e-9)
    assert ini["tga"] == pytest.approx(tga / 1000, rel=1e-9)
    # on_rrp is the daily value at the as-of date (2025-11-14), not the Wednesday's
    assert ini["on_rrp"] == pytest.approx(1.559, abs=1e-12)
    assert ini["fed_assets"] - ini["tga"] - rrp == pytest.approx(hand, rel=1e-9)


def test_initial_levels_match_store(doc, store):
    ini = doc["initial"]
    d = pd.Timestamp("2025-11-14")
    assert ini["spx"] == pytest.approx(store.series("SPX")[d], rel=1e-9)
    assert ini["btc"] == pytest.approx(store.series("BTC")[d], rel=1e-9)
    # point in time: FRED publishes a day's yield and spread the next business day, so on
    # 2025-11-14 the latest known are those of 2025-11-13 (4.14 and 3.07 came on 11-17)
    assert ini["ust10y"] == pytest.approx(4.11)
    assert ini["hy_oas"] == pytest.approx(3.09)
    assert ini["vix"] == pytest.approx(19.83)
    assert ini["m7"] == ini["midcap_ai"] == ini["energy"] == 100.0
    assert ini["reserves"] == pytest.approx(2855.03)
    # capex: Q3 2025 of AMZN 35.095 + GOOGL 23.953 + META 18.829 + MSFT 19.394 + ORCL 8.502 (USD bn)
    assert ini["ai_capex"] == pytest.approx(35.095 + 23.953 + 18.829 + 19.394 + 8.502, abs=1e-6)
    expected = {"spx", "ndx", "m7", "chips", "memory", "midcap_ai", "software", "energy", "btc", "eth",
                "ust2y", "ust10y", "ig_oas", "hy_oas", "vix", "fed_assets", "tga", "reserves", "on_rrp", "ai_capex",
                "net_liquidity", "bdq", "spx_var", "spx_rvol"} | {f"vgap_{s}" for s in NOISE_ORDER}
    assert set(ini) == expected
    # dated state (issue 9): 2025-11-14 is the 33rd NYSE session of Q4 2025 (0-based 32)
    assert ini["bdq"] == 32
    assert ini["net_liquidity"] == pytest.approx(ini["fed_assets"] - ini["tga"] - ini["on_rrp"], abs=1e-6)


def test_sigma_spx_and_rates_by_hand(doc, store):
    # the window ends on the last day every input is known for: 2025-11-13 (FRED's next-day yields)
    dates = trading_days(store)
    dates = dates[dates <= pd.Timestamp("2025-11-13")]
    spx = store.series("SPX").reindex(dates)
    r = np.diff(np.log(spx.to_numpy()))
    assert doc["parameters"]["sigma_spx"]["value"] == pytest.approx(np.std(r, ddof=1), rel=1e-8)
    dgs10 = store.series("DGS10", asof="2025-11-14").dropna()
    assert dgs10.index[-1] == pd.Timestamp("2025-11-13")
    aligned = dgs10.reindex(dgs10.index.union(dates)).ffill().reindex(dates)
    dy = np.diff(aligned.to_numpy())
    assert doc["parameters"]["sigma_ust10y"]["value"] == pytest.approx(np.std(dy, ddof=1), rel=1e-8)
    # 5-year window, ~252 trading days a year
    assert 1240 <= len(r) <= 1270


def test_basket_is_equal_weight_daily_rebalanced(store):
    dates = trading_days(store)[-3:]
    got = basket_log_changes(store, ("XLU", "XLE"), dates, "2025-11-14")
    xlu, xle = store.series("XLU").reindex(dates), store.series("XLE").reindex(dates)
    hand = np.log(0.5 * (xlu / xlu.shift(1)) + 0.5 * (xle / xle.shift(1))).iloc[1:]
    np.testing.assert_allclose(got.to_numpy(), hand.to_numpy(), rtol=1e-12)


def test_correlation_cholesky_and_parameters_complete(doc, cal):
    p = {k: v["value"] for k, v in doc["parameters"].items()}  # records (value, unit, range, ...)
    names = cal.noise.names
    assert set(names) == set(PRICED)
    chol = np.zeros((len(names), len(names)))
    for i, a in enumerate(names):
        for j, b in enumerate(names[: i + 1]):
            chol[i, j] = p[f"chol_{a}_{b}"]
    np.testing.assert_allclose(chol @ chol.T, cal.noise.corr, atol=5e-8)
    np.testing.assert_allclose(np.diag(chol @ chol.T), 1.0, atol=5e-8)
    # known co-movements: spx-ndx strongly positive, spx-vix strongly negative
    i = {n: k for k, n in enumerate(names)}
    assert cal.noise.corr[i["spx"], i["ndx"]] > 0.9
    assert cal.noise.corr[i["spx"], i["vix"]] < -0.6
    for s in PRICED:
        assert p[f"sigma_{s}"] > 0
        assert f"noise_{s}" in doc["equations"]
        assert f"eps_{s}" in doc["random"]
    assert 2.5 < p["nu_noise"] < 8  # daily returns: fat tails


def test_fit_nu_recovers_known_df():
    rng = np.random.default_rng(7)
    for nu in (4.0, 8.0):
        x = stats.t.rvs(df=nu, size=40_000, random_state=rng)
        z = x / np.sqrt(nu / (nu - 2))
        assert fit_nu(z) == pytest.approx(nu, rel=0.12)
    # Gaussian data: large nu
    assert fit_nu(rng.standard_normal(40_000)) > 30


def test_standardized_t_density_integrates_to_one_with_unit_variance():
    z = np.linspace(-60, 60, 400_001)
    f = np.exp(standardized_t_logpdf(z, 5.0))
    dz = z[1] - z[0]
    assert np.sum(f) * dz == pytest.approx(1.0, abs=1e-4)
    assert np.sum(z * z * f) * dz == pytest.approx(1.0, abs=2e-3)


def test_fit_noise_recovers_sigma_and_corr():
    rng = np.random.default_rng(1)
    corr = np.array([[1.0, 0.6], [0.6, 1.0]])
    x = rng.standard_normal((20_000, 2)) @ np.linalg.cholesky(corr).T * np.array([0.01, 0.05])
    fit = fit_noise(pd.DataFrame(x, columns=["a", "b"], index=pd.bdate_range("2000-01-03", periods=20_000)))
    np.testing.assert_allclose(fit.sigma, [0.01, 0.05], rtol=0.02)
    assert fit.corr[0, 1] == pytest.approx(0.6, abs=0.02)


def test_reproducible_and_check(tmp_path, cal, store):
    a = tmp_path / "a.toml"
    write_calibration(cal, a)
    again = calibrate(store=store)
    assert render_toml(again) == a.read_text(encoding="utf-8")
    assert check_calibration(again, a)[0]
    a.write_text(a.read_text().replace("nu_noise = ", "nu_noise = 1"), encoding="utf-8")
    ok, msg = check_calibration(again, a)
    assert not ok and "nu_noise" in msg
    ok, msg = check_calibration(again, tmp_path / "missing.toml")
    assert not ok and "does not exist" in msg


def test_check_compares_numbers_with_tolerance(tmp_path, cal):
    """Another CPU/BLAS moves the last digits (nu 4.1616596 vs 4.1616593): still up to date;
    a real change of a fitted value (1e-4 relative) or of the data vintage is stale."""
    from bubblemachine.calibrate import CHECK_RTOL, lines_match

    a = tmp_path / "a.toml"
    text = render_toml(cal)
    nu_line = next(line for line in text.splitlines() if line.startswith("nu_noise = "))
    lit = nu_line.split("value = ")[1].split(",")[0]  # a record: { value = ..., unit = ..., ... }
    nu = float(lit)
    drifted = text.replace(nu_line, nu_line.replace(f"value = {lit},", f"value = {nu * (1 + 3e-7):.8g},"))
    assert drifted != text
    a.write_text(drifted, encoding="utf-8")
    assert check_calibration(cal, a)[0]
    a.write_text(text.replace(nu_line, nu_line.replace(f"value = {lit},", f"value = {nu * (1 + 1e-4):.8g},")),
                 encoding="utf-8")
    ok, msg = check_calibration(cal, a)
    assert not ok and "nu_noise" in msg
    # rounding boundary: 0.16935 printed as 0.1693 or 0.1694 on two machines
    assert lines_match("x = 0.1693  # a", "x = 0.1694  # a")
    assert not lines_match("x = 0.1693  # a", "x = 0.1695  # a")
    assert not lines_match("# SPX=9836c0670faa", "# SPX=9836c0670fab")
    assert not lines_match("chol_a_b = 0.5", "chol_a_c = 0.5")
    assert lines_match("v = 100.0000000000", f"v = {100.0 * (1 + CHECK_RTOL / 2):.10f}")
    assert not lines_match("v = 100.0000000000", f"v = {100.0 * (1 + CHECK_RTOL * 10):.10f}")


def test_committed_file_is_up_to_date(cal):
    ok, msg = check_calibration(cal, default_path())
    assert ok, msg


def test_asof_earlier_uses_only_past_data(store):
    early = calibrate(asof="2024-06-28", years=3, store=store)
    ini = {o.name: o.value for o in early.initial}
    assert ini["spx"] == pytest.approx(store.series("SPX")[pd.Timestamp("2024-06-28")], rel=1e-9)
    # 2024-06-28 is a Friday: FRED's yields of that day came out on Monday 07-01
    assert ini["ust10y"] == pytest.approx(store.series("DGS10")[pd.Timestamp("2024-06-27")])
    assert early.noise.last == "2024-06-27"


@pytest.mark.slow
def test_cli_check_and_bad_args(tmp_path):
    from typer.testing import CliRunner

    from bubblemachine.cli import app

    runner = CliRunner()
    out = tmp_path / "c.toml"
    r = runner.invoke(app, ["calibrate", "--out", str(out)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == render_toml(calibrate())
    r = runner.invoke(app, ["calibrate", "--out", str(out), "--check"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "up to date" in r.stdout
    out.write_text("stale\n", encoding="utf-8")
    r = runner.invoke(app, ["calibrate", "--out", str(out), "--check"], env={"COLUMNS": "200"})
    assert r.exit_code == 1 and "stale" in r.stdout
    # a user mistake is one red line and exit code 2 (the real entry point)
    exe = [sys.executable, "-m", "bubblemachine"]
    r = subprocess.run([*exe, "calibrate", "--asof", "yesterday"], capture_output=True, text=True)
    assert r.returncode == 2 and "asof" in r.stderr and "Traceback" not in r.stderr
    assert Path(default_path()).is_file()
