"""FRED client against recorded responses (httpx.MockTransport); no network."""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import pytest

from bubblemachine.data.fred import FredClient, SourceUnreachable
from bubblemachine.errors import DataError, NetworkError

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "fred"


def _client(handler, **kwargs) -> tuple[FredClient, list]:
    calls: list[httpx.Request] = []
    sleeps: list[float] = []

    def record(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return handler(request, len(calls))

    client = FredClient(client=httpx.Client(transport=httpx.MockTransport(record)), sleep=sleeps.append, **kwargs)
    client.calls = calls  # type: ignore[attr-defined]
    return client, sleeps


def test_json_api_parses_observations_and_dots_as_missing():
    body = (FIX / "api_WALCL.json").read_bytes()
    fred, _ = _client(lambda req, n: httpx.Response(200, content=body), api_key="SECRETKEY")
    got = fred.observations("WALCL", start="2025-10-01")
    assert fred.mode == "api"
    assert list(got.columns) == ["date", "value"]
    assert [f"{d:%Y-%m-%d}" for d in got["date"]] == ["2025-10-22", "2025-10-29", "2025-11-05", "2025-11-12", "2025-11-19", "2025-11-26"]
    assert got["value"].iloc[0] == 6589533.0
    assert math.isnan(got["value"].iloc[-1])  # "." is missing
    req = fred.calls[0]
    assert req.url.host == "api.stlouisfed.org"
    assert req.url.params["series_id"] == "WALCL"
    assert req.url.params["file_type"] == "json"
    assert req.url.params["observation_start"] == "2025-10-01"


@pytest.mark.parametrize("name", ["csv_DATE_DGS10.csv", "csv_observation_date_DGS10.csv"])
def test_keyless_csv_accepts_both_date_headers(name):
    body = (FIX / name).read_bytes()
    fred, _ = _client(lambda req, n: httpx.Response(200, content=body))
    got = fred.observations("DGS10", start="2025-11-10")
    assert fred.mode == "csv"
    s = got.set_index("date")["value"]
    assert s["2025-11-14"] == 4.14
    assert s["2025-11-18"] == 4.12
    if "2025-11-11" in s.index.strftime("%Y-%m-%d"):
        assert math.isnan(s["2025-11-11"])
    req = fred.calls[0]
    assert req.url.path.endswith("fredgraph.csv")
    assert req.url.params["id"] == "DGS10"
    assert req.url.params["cosd"] == "2025-11-10"


def test_429_then_200_backs_off_and_honours_retry_after():
    body = (FIX / "csv_DATE_DGS10.csv").read_bytes()

    def handler(req, n):
        if n == 1:
            return httpx.Response(429, headers={"Retry-After": "3"})
        if n == 2:
            return httpx.Response(503)
        return httpx.Response(200, content=body)

    fred, sleeps = _client(handler)
    got = fred.observations("DGS10")
    assert len(got) == 7
    assert len(fred.calls) == 3
    assert sleeps[0] == 3.0  # Retry-After
    assert 1.0 <= sleeps[1] <= 30.0  # exponential back-off, bounded


def test_persistent_500_gives_up_after_bounded_attempts():
    fred, sleeps = _client(lambda req, n: httpx.Response(500), max_attempts=4, max_wait=8.0)
    with pytest.raises(NetworkError, match=r"HTTP 500 .* for DGS10 after 4 attempt"):
        fred.observations("DGS10")
    assert len(fred.calls) == 4
    assert len(sleeps) == 3
    assert all(0 < s <= 8.0 for s in sleeps)
    assert sleeps == sorted(sleeps)  # grows


def test_malformed_html_body_is_a_named_error():
    body = (FIX / "malformed.html").read_bytes()
    fred, _ = _client(lambda req, n: httpx.Response(200, content=body))
    with pytest.raises(NetworkError, match="malformed CSV for DGS10: line 1"):
        fred.observations("DGS10")


def test_malformed_value_names_row_and_value():
    body = (FIX / "malformed_value.csv").read_bytes()
    fred, _ = _client(lambda req, n: httpx.Response(200, content=body))
    with pytest.raises(NetworkError, match=r"row 2: value 'N/A%'"):
        fred.observations("DGS10")


def test_malformed_json_and_unknown_series():
    fred, _ = _client(lambda req, n: httpx.Response(200, content=b"<html>"), api_key="K")
    with pytest.raises(NetworkError, match="not JSON"):
        fred.observations("WALCL")
    err = (FIX / "api_error_400.json").read_bytes()
    fred, _ = _client(lambda req, n: httpx.Response(400, content=err), api_key="K")
    with pytest.raises(DataError, match="series 'NOPE' does not exist"):
        fred.observations("NOPE")


def test_connection_refused_is_unreachable_without_retries():
    def handler(req, n):
        raise httpx.ConnectError("[Errno 111] Connection refused", request=req)

    fred, sleeps = _client(handler)
    with pytest.raises(SourceUnreachable) as info:
        fred.observations("WALCL")
    assert info.value.reason == "ConnectError"
    assert len(fred.calls) == 1 and sleeps == []


def test_read_timeouts_are_retried():
    body = (FIX / "csv_DATE_DGS10.csv").read_bytes()

    def handler(req, n):
        if n < 3:
            raise httpx.ReadTimeout("timed out", request=req)
        return httpx.Response(200, content=body)

    fred, sleeps = _client(handler)
    assert len(fred.observations("DGS10")) == 7
    assert len(sleeps) == 2


def test_api_key_never_appears_in_messages():
    fred, _ = _client(
        lambda req, n: httpx.Response(400, json={"error_code": 400, "error_message": f"Bad api_key=SECRETKEY {req.url}"}),
        api_key="SECRETKEY",
    )
    with pytest.raises(NetworkError) as info:
        fred.observations("WALCL")
    assert "SECRETKEY" not in str(info.value)


def test_env_key_selects_the_json_api(monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", "abc")
    assert FredClient.from_env().mode == "api"
    monkeypatch.delenv("FRED_API_KEY")
    assert FredClient.from_env().mode == "csv"


def test_json_api_follows_pagination():
    def handler(req, n):
        offset = int(req.url.params["offset"])
        obs = [{"date": f"2025-01-{d:02d}", "value": str(d)} for d in range(offset + 1, min(offset + 3, 5) + 1)]
        return httpx.Response(200, json={"count": 5, "offset": offset, "observations": obs})

    fred, _ = _client(handler, api_key="K")
    got = fred.observations("X")
    assert got["value"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert len(fred.calls) == 2


@pytest.mark.network
def test_real_fred_keyless_csv():  # opt-in: pytest -m network
    got = FredClient().observations("DGS10", start="2024-01-01")
    assert len(got) > 200
    assert got["value"].dropna().between(0, 20).all()
