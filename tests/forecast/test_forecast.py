"""forecast and backtest: the model started from any date, its table, newer data, scores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bubblemachine.cli import app
from bubblemachine.data import open_store
from bubblemachine.errors import BubbleMachineError
from bubblemachine.forecasts import QUANTILE_COLUMNS, forecast

runner = CliRunner()
ENV = {"COLUMNS": "200"}


def test_forecast_table_from_the_latest_date():
    f = forecast(paths=60, horizon=25, series=["spx", "m7", "tga", "ust10y"], progress=False)
    assert f.asof == "2025-11-14"
    t = f.table
    assert list(t.columns) == ["date", "horizon", "series", "units", "mean", *QUANTILE_COLUMNS]
    assert len(t) == 4 * 25
    # dates are NYSE trading days: period 9 is 11-28 (Thanksgiving 11-27 closed), period 10 12-01
    spx = t[t["series"] == "spx"].set_index("horizon")
    assert spx.loc[1, "date"] == pd.Timestamp("2025-11-17")
    assert spx.loc[9, "date"] == pd.Timestamp("2025-11-28") and spx.loc[10, "date"] == pd.Timestamp("2025-12-01")
    q = t[list(QUANTILE_COLUMNS)].to_numpy()
    assert np.all(np.diff(q, axis=1) >= -1e-9)  # quantiles ordered
    assert set(t.loc[t["series"] == "m7", "units"]) == {"index (2025-11-14 = 100)"}
    assert f.start["spx"] == pytest.approx(open_store().series("SPX")[pd.Timestamp("2025-11-14")])
    s = f.summary()
    assert list(s["ahead"].unique()) == ["1m"]  # horizon 25: only the 1-month row fits


def test_forecast_from_an_earlier_date_uses_a_calibration_in_the_users_store(tmp_path):
    r = runner.invoke(app, ["--home", str(tmp_path), "forecast", "--asof", "2024-11-16", "--paths", "40",
                            "--horizon", "21", "--series", "spx,ust10y", "--format", "json"], env=ENV)
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert body["asof"] == "2024-11-15"  # Saturday -> the last trading day before
    assert body["calibration"].startswith(str(tmp_path / "calibration" / "ai_liquidity" / "2024-11-15-"))
    spx0 = open_store().series("SPX")[pd.Timestamp("2024-11-15")]
    assert body["start"]["spx"] == pytest.approx(spx0)
    assert {row["series"] for row in body["rows"]} == {"spx", "ust10y"}


def test_forecast_out_csv_parquet_and_table(tmp_path):
    out = tmp_path / "f.csv"
    r = runner.invoke(app, ["--home", str(tmp_path), "forecast", "--paths", "30", "--horizon", "63",
                            "--series", "spx", "--out", str(out)], env=ENV)
    assert r.exit_code == 0, r.output
    assert "2025-11-14" in r.output and "1m" in r.output and "3m" in r.output
    back = pd.read_csv(out)
    assert len(back) == 63 and back["q50"].notna().all()
    pq = tmp_path / "f.parquet"
    r = runner.invoke(app, ["--home", str(tmp_path), "forecast", "--paths", "30", "--horizon", "5",
                            "--series", "spx", "--out", str(pq), "--format", "csv"], env=ENV)
    assert r.exit_code == 0 and pd.read_parquet(pq).shape[0] == 5
    assert r.stdout.splitlines()[0].startswith("date,horizon,series,units,mean,q05")
    r = runner.invoke(app, ["--home", str(tmp_path), "forecast", "--paths", "30", "--horizon", "21",
                            "--series", "net_liquidity", "--lang", "ko"], env=ENV)
    assert r.exit_code == 0 and "십억 달러" in r.output and "USD billions" not in r.output


@pytest.mark.parametrize(
    "args, match",
    [
        (["--asof", "2999-01-01"], "--asof 2999-01-01"),
        (["--asof", "2025-11-20"], "market data end on 2025-11-14"),
        (["--series", "nosuch"], "no series nosuch"),
        (["--out", "x.txt"], ".csv or .parquet"),
        (["--paths", "0"], "--paths"),
    ],
)
def test_forecast_bad_options_are_named_errors(tmp_path, args, match):
    with pytest.raises(BubbleMachineError, match=match):
        from bubblemachine.cli import main  # noqa: F401  (the CLI prints these as one line, exit 2)

        opts = dict(zip(args[::2], args[1::2], strict=True))
        f = forecast(asof=opts.get("--asof"), paths=int(opts.get("--paths", 5)), horizon=3,
                     series=[opts["--series"]] if "--series" in opts else ["spx"], progress=False)
        f.write(tmp_path / opts.get("--out", "ok.csv"))


def _extend(frame: pd.DataFrame, days: pd.DatetimeIndex, col: str, step: float, *, log: bool) -> pd.DataFrame:
    last = float(frame[col].dropna().iloc[-1])
    vals = last * np.exp(step * np.arange(1, len(days) + 1)) if log else last + step * np.arange(1, len(days) + 1)
    new = pd.DataFrame({col: vals}, index=pd.DatetimeIndex(days, name="date"))
    return pd.concat([frame[[col]], new])


@pytest.mark.slow
def test_newer_data_imported_moves_forecast_and_calibration_with_no_edit(tmp_path):
    """A few weeks of data after 2025-11-14 (as `data update` would bring): forecast starts there."""
    from bubblemachine.data.calendar import sessions_between

    store = open_store()
    days = sessions_between("2025-11-17", "2025-12-05")
    wednesdays = days[days.day_of_week == 2]
    src = tmp_path / "csv"
    src.mkdir()
    daily = {"SPX": ("close", 0.002, True), "NDX": ("close", 0.002, True), "SMH": ("adj_close", 0.001, True),
             "MU": ("adj_close", 0.001, True), "IGV": ("adj_close", 0.0, True), "BTC": ("close", -0.01, True),
             "ETH": ("close", -0.01, True), "VIX": ("close", 0.0, True), "DGS2": ("value", 0.0, False),
             "DGS10": ("value", 0.01, False), "BAMLC0A0CM": ("value", 0.0, False), "BAMLH0A0HYM2": ("value", 0.0, False),
             "RRPONTSYD": ("value", 0.0, False)}
    for sid, (col, step, log) in daily.items():
        f = store.frame(sid)
        _extend(f, days, col, step, log=log).reset_index().to_csv(src / f"{sid}.csv", index=False, date_format="%Y-%m-%d")
    for sid in ("WALCL", "WTREGEN", "WRESBAL"):
        _extend(store.frame(sid), wednesdays, "value", 0.0, log=False).reset_index().to_csv(
            src / f"{sid}.csv", index=False, date_format="%Y-%m-%d")
    r = runner.invoke(app, ["--home", str(tmp_path), "data", "import", str(src)], env=ENV)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--home", str(tmp_path), "forecast", "--paths", "20", "--horizon", "21",
                            "--series", "spx,ust10y", "--format", "json"], env=ENV)
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert body["asof"] == "2025-12-05"
    spx_new = 6734.109863 * np.exp(0.002 * len(days))
    assert body["start"]["spx"] == pytest.approx(spx_new, rel=1e-6)
    # FRED yields of 12-05 are published on Monday 12-08: period 0 holds 12-04's
    assert body["start"]["ust10y"] == pytest.approx(4.14 + 0.01 * (len(days) - 1), abs=1e-9)
    assert body["rows"][0]["date"] == "2025-12-08"
    assert str(tmp_path) in body["calibration"]


@pytest.mark.slow
def test_backtest_scores_against_random_walks(tmp_path):
    from bubblemachine.backtests import backtest, compare, read
    from bubblemachine.backtests.truth import SCORED

    r = backtest(start="2024-01-01", end="2024-06-30", every="quarter", paths=60, horizons=(21, 63),
                 progress=False, store=open_store(tmp_path))
    assert r.origins == ("2024-01-02", "2024-04-01") and not r.failed
    s = r.scores
    assert set(s["series"]) <= set(SCORED) and {"spx", "tga", "ust10y"} <= set(s["series"])
    # the outcome is what happened: SPX 21 trading days after 2024-01-02 is the close of 2024-02-01
    row = s[(s["series"] == "spx") & (s["origin"] == "2024-01-02") & (s["horizon"] == 21)].iloc[0]
    assert row["target"] == "2024-02-01"
    assert row["outcome"] == pytest.approx(open_store().series("SPX")[pd.Timestamp("2024-02-01")])
    assert ((s["pit"] >= 0) & (s["pit"] <= 1)).all() and (s["crps_model"] >= 0).all()
    # skill is 1 - mean CRPS ratio, by hand
    one = r.by_series[(r.by_series["series"] == "spx") & (r.by_series["horizon"] == 63)].iloc[0]
    sub = s[(s["series"] == "spx") & (s["horizon"] == 63)]
    assert one["skill_rw1y"] == pytest.approx(1 - sub["crps_model"].mean() / sub["crps_rw1y"].mean())
    assert set(r.by_group["group"]) == {"prices", "rates", "liquidity"}
    folder = r.write(tmp_path / "bt")
    back = read(folder)
    pd.testing.assert_frame_equal(back.by_group, r.by_group, check_dtype=False, rtol=1e-9)
    cmp = compare(r, back)
    assert np.allclose(cmp["skill_rw1y_diff"].fillna(0.0), 0.0)


def test_random_walk_crps_matches_closed_form():
    from scipy import integrate, stats

    from bubblemachine.backtests.scores import block_indices, crps_benchmark, crps_model, pit_value

    # CRPS(N(0, 1), y) = integral of (F(x) - 1{x >= y})^2 dx
    y = 0.7
    num = integrate.quad(lambda x: stats.norm.cdf(x) ** 2, -np.inf, y)[0] + integrate.quad(
        lambda x: (1 - stats.norm.cdf(x)) ** 2, y, np.inf)[0]
    assert crps_benchmark(y, 0.0, 1.0, log=False) == pytest.approx(num, rel=1e-6)
    rng = np.random.default_rng(0)
    assert crps_model(y, rng.standard_normal(200_000)) == pytest.approx(num, rel=1e-2)
    assert pit_value(0.0, np.array([-1.0, 0.0, 1.0, 2.0])) == pytest.approx(0.375)
    idx = block_indices(10, 3, 50, rng)
    assert idx.shape == (50, 10) and idx.max() < 10
    assert np.all(np.diff(idx[:, :3], axis=1) == 1)  # a block is consecutive origins


@pytest.mark.slow
def test_backtest_closes_the_process_backend_it_opens(tmp_path):
    """A backend named by the caller is the backtest's to close: no worker outlives the call."""
    import multiprocessing

    from bubblemachine.backtests import backtest

    before = {p.pid for p in multiprocessing.active_children()}
    r = backtest(start="2024-01-01", end="2024-03-31", every="quarter", paths=20, horizons=(21,),
                 backend="process", workers=2, progress=False, store=open_store(tmp_path))
    assert r.origins == ("2024-01-02",) and not r.failed
    assert {p.pid for p in multiprocessing.active_children()} - before == set()


def test_a_series_that_did_not_exist_at_an_origin_is_not_scored():
    """The snapshot's ether prices start on 2017-11-09: an earlier origin simulates it from a
    placeholder level (so the model runs) but scores nothing for it; from 2018 it is scored."""
    from bubblemachine.backtests.truth import Truth

    t = Truth(open_store())
    assert not t.listed("eth", pd.Timestamp("2017-10-02"))
    assert t.listed("eth", pd.Timestamp("2018-01-02")) and t.listed("spx", pd.Timestamp("2014-01-02"))
    shipped = pd.read_csv(Path(__file__).resolve().parents[2] / "src/bubblemachine/backtests/shipped/scores.csv")
    eth = shipped[shipped["series"] == "eth"]
    assert len(eth) > 0 and (eth["origin"] >= "2017-11-09").all()
    assert (shipped["origin"] < "2017-11-09").any()  # earlier origins exist, scoring other series
