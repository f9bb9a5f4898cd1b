"""`data update`: routing, FRED and Yahoo refreshes, offline fallback, --strict; no network."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest

from bubblemachine.data import open_store
from bubblemachine.data.fred import FredClient, SourceUnreachable
from bubblemachine.data.update import plan, update
from bubblemachine.data.yahoo import YahooSource
from bubblemachine.errors import DataError, MissingDependencyError

FIX = Path(__file__).resolve().parents[1] / "fixtures"


def _fred(body_for: dict[str, bytes] | None = None, *, fail: Exception | None = None) -> FredClient:
    def handler(req: httpx.Request) -> httpx.Response:
        if fail is not None:
            raise fail
        sid = req.url.params.get("series_id") or req.url.params.get("id")
        return httpx.Response(200, content=(body_for or {})[sid])

    return FredClient(api_key="K" if body_for and any(b.startswith(b"{") for b in body_for.values()) else None,
                      client=httpx.Client(transport=httpx.MockTransport(handler)), sleep=lambda s: None)


def _yf(dates, adj, *, close=None, ny=True) -> pd.DataFrame:
    idx = pd.DatetimeIndex(pd.to_datetime(dates))
    idx = idx.tz_localize("America/New_York") if ny else idx
    adj = np.asarray(adj, dtype=float)
    close = adj if close is None else np.asarray(close, dtype=float)
    return pd.DataFrame({"Open": close, "High": close * 1.01, "Low": close * 0.99, "Close": close,
                         "Adj Close": adj, "Volume": np.full(len(adj), 1e6)}, index=idx)


class FakeYahoo:
    """A yfinance stand-in: a function of (symbol, start) recording its calls."""

    def __init__(self, answer):
        self.answer = answer
        self.calls: list[tuple[str, date | None]] = []

    def __call__(self, symbol, start):
        self.calls.append((symbol, start))
        return self.answer(symbol, start)


def test_routing_from_catalogue(tmp_path):
    store = open_store(tmp_path)
    routes = {sid: (src, sym) for sid, src, sym in plan(store)}
    assert routes["WALCL"] == ("fred", "WALCL")
    assert routes["SP500"] == ("fred", "SP500")
    assert routes["SPX"] == ("yahoo", "^GSPC")
    assert routes["NDX"] == ("yahoo", "^NDX")
    assert routes["VIX"] == ("yahoo", "^VIX") and routes["VIX3M"] == ("yahoo", "^VIX3M")
    assert routes["BTC"] == ("yahoo", "BTC-USD") and routes["ETH"] == ("yahoo", "ETH-USD")
    assert routes["TNX"] == ("yahoo", "^TNX") and routes["IRX"] == ("yahoo", "^IRX")
    assert routes["NVDA_OHLCV"] == ("yahoo", "NVDA")
    for sid in ("TGA_DAILY", "HYPERSCALER_CAPEX", "SHILLER", "CRYPTO_FNG"):
        assert routes[sid][0] == ""
    assert {s for s, _, _ in plan(store, source="fred")} >= {"WALCL", "DGS10", "RRPONTSYD"}
    with pytest.raises(DataError, match="did you mean WALCL"):
        plan(store, series=["WALCLL"])
    with pytest.raises(DataError, match="--source"):
        plan(store, source="bloomberg")


def test_fred_tail_refresh_merges_and_records_provenance(tmp_path):
    store = open_store(tmp_path)
    before = store.frame("WALCL").reset_index()
    fred = _fred({"WALCL": (FIX / "fred" / "api_WALCL.json").read_bytes()})
    report = update(store=store, series=["WALCL", "TGA_DAILY"], fred=fred)
    (walcl, tga) = report.results
    assert (walcl.status, walcl.added, walcl.changed, walcl.last_after) == ("updated", 1, 0, "2025-11-19")
    assert tga.status == "skipped" and "no live source" in tga.note
    after = store.frame("WALCL").reset_index()
    assert len(after) == len(before) + 1  # the "." row is not kept
    assert after["value"].iloc[-1] == 6_555_000.0
    pd.testing.assert_frame_equal(after.iloc[:-1], before)
    meta = store.meta("WALCL")
    assert meta.origin == "store" and meta.units == "USD millions" and meta.live == "fred:WALCL"
    assert meta.refreshed and "refreshed from FRED" in meta.source
    # the request asked for a window before the last stored date (92 days for weekly)
    assert report.ok


def test_fred_revision_counts_as_changed(tmp_path):
    store = open_store(tmp_path)
    body = (FIX / "fred" / "csv_DATE_DGS10.csv").read_text().replace("2025-11-13,4.11", "2025-11-13,4.10")
    report = update(store=store, series=["DGS10"], fred=_fred({"DGS10": body.encode()}))
    (r,) = report.results
    assert (r.status, r.added, r.changed, r.last_after) == ("updated", 2, 1, "2025-11-18")
    s = store.series("DGS10")
    assert s["2025-11-13"] == 4.10 and s["2025-11-18"] == 4.12 and s["2025-11-10"] == 4.13


def test_offline_fred_tries_once_and_keeps_stored_data(tmp_path):
    store = open_store(tmp_path)
    calls = []

    def handler(req):
        calls.append(req)
        raise httpx.ConnectError("Name or service not known", request=req)

    fred = FredClient(client=httpx.Client(transport=httpx.MockTransport(handler)), sleep=lambda s: None)
    report = update(store=store, source="fred", fred=fred)
    n_fred = len([s for s, src, _ in plan(store, source="fred")])
    assert len(calls) == 1
    assert report.offline == {"fred": "ConnectError"}
    assert len(report.by_status("offline")) == n_fred and not report.ok
    line = report.offline_line()
    assert line.startswith("offline: FRED unreachable (ConnectError); using stored data to ")
    assert line.endswith(f"for {n_fred} series")
    assert store.meta("WALCL").origin == "snapshot"


def test_yahoo_tail_refresh_appends_after_agreeing_overlap(tmp_path):
    store = open_store(tmp_path)
    old = store.series("SPY")
    overlap = old.loc["2025-11-07":]
    new_dates = ["2025-11-17", "2025-11-18", "2025-11-19"]
    fake = FakeYahoo(lambda sym, start: _yf([*overlap.index, *new_dates], [*overlap.to_numpy(), 660.0, 655.0, 650.0]))
    yahoo = YahooSource(download=fake, today=date(2025, 11, 19))
    report = update(store=store, series=["SPY"], yahoo=yahoo)
    (r,) = report.results
    assert fake.calls == [("SPY", date(2025, 11, 14) - timedelta(days=7))]
    # 2025-11-19 is "today": a possibly partial bar, dropped
    assert (r.status, r.added, r.changed, r.last_after) == ("updated", 2, 0, "2025-11-18")
    s = store.series("SPY")
    assert s.iloc[-2:].tolist() == [660.0, 655.0]
    pd.testing.assert_series_equal(s.iloc[:-2], old, check_names=False)


def test_yahoo_rescaled_history_triggers_full_redownload(tmp_path):
    store = open_store(tmp_path)
    rec = pd.read_csv(FIX / "yahoo" / "SPY_history.csv", index_col=0)
    rec.index = pd.to_datetime(rec.index, utc=True).tz_convert("America/New_York")
    full = _yf(pd.bdate_range("2020-01-02", "2025-11-18"), np.linspace(300, 660, len(pd.bdate_range("2020-01-02", "2025-11-18"))))
    fake = FakeYahoo(lambda sym, start: rec if start is not None else full)
    yahoo = YahooSource(download=fake, today=date(2025, 11, 21))
    (r,) = update(store=store, series=["SPY"], yahoo=yahoo).results
    assert [c[1] is None for c in fake.calls] == [False, True]
    assert r.status == "updated" and "overlap disagrees" in r.note and "adj_close on 2025-11-07" in r.note
    s = store.series("SPY")
    assert s.index[0] == pd.Timestamp("2020-01-02") and len(s) == len(full)


def test_yahoo_ohlcv_columns_and_unchanged(tmp_path):
    store = open_store(tmp_path)
    old = store.frame("NVDA_OHLCV").loc["2025-11-07":]
    raw = pd.DataFrame({"Open": old["open"], "High": old["high"], "Low": old["low"], "Close": old["close"],
                        "Adj Close": old["adj_close"], "Volume": old["volume"]})
    raw.index = raw.index.tz_localize("America/New_York")
    yahoo = YahooSource(download=FakeYahoo(lambda s, st: raw), today=date(2025, 11, 17))
    (r,) = update(store=store, series=["NVDA_OHLCV"], yahoo=yahoo).results
    assert r.status == "unchanged"
    assert store.meta("NVDA_OHLCV").origin == "snapshot"


def test_yahoo_offline_and_failures_reported(tmp_path):
    store = open_store(tmp_path)

    def boom(sym, start):
        raise SourceUnreachable("Yahoo", "ConnectionError")

    report = update(store=store, source="yahoo", yahoo=YahooSource(download=FakeYahoo(boom)))
    assert report.offline == {"yahoo": "ConnectionError"}
    assert report.offline_line().startswith("offline: Yahoo unreachable (ConnectionError); using stored data to ")

    yahoo = YahooSource(download=FakeYahoo(lambda s, st: pd.DataFrame({"Close": [1.0]}, index=pd.to_datetime(["2025-11-17"]))))
    (r,) = update(store=store, series=["SPY"], yahoo=yahoo).results
    assert r.status == "failed" and "lacks column(s) ['Adj Close']" in r.note


def test_both_sources_offline_is_still_one_line(tmp_path):
    store = open_store(tmp_path)

    def refuse(req):
        raise httpx.ConnectError("refused", request=req)

    def boom(sym, start):
        raise SourceUnreachable("Yahoo", "DNSError")

    fred = FredClient(client=httpx.Client(transport=httpx.MockTransport(refuse)), sleep=lambda s: None)
    report = update(store=store, fred=fred, yahoo=YahooSource(download=FakeYahoo(boom)))
    line = report.offline_line()
    assert "\n" not in line
    assert line.startswith("offline: ")
    assert "FRED unreachable (ConnectError)" in line and "Yahoo unreachable (DNSError)" in line
    n_live = len([1 for _, src, _ in plan(store) if src])
    assert line.endswith(f"for {n_live} series") and n_live == 97


def test_missing_yfinance_is_a_note_or_an_install_hint(tmp_path, monkeypatch):
    import bubblemachine.errors as errors

    real = errors.require

    def fake_require(module, extra, purpose=""):
        if module == "yfinance":
            raise MissingDependencyError("yfinance", "market", purpose)
        return real(module, extra, purpose)

    monkeypatch.setattr(errors, "require", fake_require)
    store = open_store(tmp_path)
    fred = _fred({"WALCL": (FIX / "fred" / "api_WALCL.json").read_bytes()})
    report = update(store=store, series=["WALCL", "SPY"], fred=fred)
    assert [r.status for r in report.results] == ["updated", "skipped"]
    assert "pip install 'bubblemachine[market]'" in report.results[1].note
    with pytest.raises(MissingDependencyError, match=r"bubblemachine\[market\]"):
        update(store=store, source="yahoo")


def _bm(home: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("bubblemachine")
    return subprocess.run([str(exe), "--home", str(home), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "80", **env})


@pytest.mark.slow
def test_cli_offline_is_one_line_exit_0_and_strict_exit_2(tmp_path):
    import socket

    with socket.socket() as sock:  # a local port nobody listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"BUBBLEMACHINE_FRED_CSV_URL": f"http://127.0.0.1:{port}/fredgraph.csv", "FRED_API_KEY": ""}
    proc = _bm(tmp_path, "--quiet", "data", "update", "--source", "fred", env=env)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("offline: FRED unreachable (ConnectError); using stored data to ")
    assert "Traceback" not in proc.stderr
    proc = _bm(tmp_path, "--quiet", "data", "update", "--source", "fred", "--series", "WALCL", "--strict", env=env)
    assert proc.returncode == 2
    assert "--strict: 1 series could not be refreshed" in proc.stderr.replace("\n", " ")


@pytest.mark.network
def test_real_yahoo_tail_refresh(tmp_path):  # opt-in: pytest -m network
    store = open_store(tmp_path)
    report = update(store=store, series=["SPY"], source="yahoo")
    (r,) = report.results
    assert r.status in ("updated", "unchanged"), r.note
    assert store.meta("SPY").last >= "2025-11-14"
