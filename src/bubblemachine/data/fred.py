"""FRED client: the JSON API with a key, the keyless ``fredgraph.csv`` download without.

``FRED_API_KEY`` set -> ``https://api.stlouisfed.org/fred/series/observations`` (JSON);
otherwise -> ``https://fred.stlouisfed.org/graph/fredgraph.csv?id=ID`` (CSV; the date
column is called ``DATE`` or ``observation_date`` depending on the year, both accepted).
``"."`` means a missing observation in both. HTTP 429 and 5xx answers and read timeouts
are retried with bounded exponential back-off (tenacity; ``Retry-After`` honoured up to
the cap); a refused connection or failed name lookup is not retried and raises
:class:`SourceUnreachable`, so an offline machine finds out at once.

The HTTP client is injectable (``client=httpx.Client(transport=httpx.MockTransport(...))``),
which is how the tests replay recorded responses. The API key never appears in messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import httpx

from bubblemachine.errors import DataError, NetworkError, SourceUnreachable  # noqa: F401 - SourceUnreachable re-exported

if TYPE_CHECKING:
    import pandas as pd

ENV_API_KEY = "FRED_API_KEY"
#: Overrides of the two endpoints (a mirror, or a local fake server in tests).
ENV_API_URL = "BUBBLEMACHINE_FRED_API_URL"
ENV_CSV_URL = "BUBBLEMACHINE_FRED_CSV_URL"
API_URL = "https://api.stlouisfed.org/fred/series/observations"
CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "bubblemachine (https://example.invalid/bubblemachine)"


class _Retry(Exception):
    def __init__(self, what: str, retry_after: float | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


class FredClient:
    """Download FRED observations.

    Args:
        api_key: FRED API key (JSON API); None uses the keyless CSV download.
        client: an ``httpx.Client`` to use (tests pass one with a ``MockTransport``).
        timeout: seconds per request (connect at most 10 s).
        max_attempts: tries per request for retryable failures (429, 5xx, read timeouts).
        max_wait: cap in seconds on one back-off wait (and on ``Retry-After``).
        sleep: the sleep function between retries (tests pass a no-op).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        client: httpx.Client | None = None,
        timeout: float = 30.0,
        max_attempts: int = 5,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if max_attempts < 1:
            raise DataError(f"FredClient: max_attempts must be >= 1, got {max_attempts}")
        self.api_key = api_key or None
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self._sleep = sleep
        self._client = client
        self.api_url = os.environ.get(ENV_API_URL) or API_URL
        self.csv_url = os.environ.get(ENV_CSV_URL) or CSV_URL

    @classmethod
    def from_env(cls, **kwargs) -> FredClient:
        """A client using ``FRED_API_KEY`` from the environment when it is set."""
        return cls(api_key=os.environ.get(ENV_API_KEY), **kwargs)

    @property
    def mode(self) -> str:
        """``"api"`` (JSON API with key) or ``"csv"`` (keyless download)."""
        return "api" if self.api_key else "csv"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # ------------------------------------------------------------------ public
    def observations(self, series_id: str, *, start: date | str | None = None) -> pd.DataFrame:
        """All observations of ``series_id`` from ``start`` on (default: full history).

        Returns:
            A DataFrame with columns ``date`` (datetime64) and ``value`` (float64, NaN for
            FRED's ``"."``), sorted by date.

        Raises:
            SourceUnreachable: no connection to FRED at all.
            NetworkError: FRED kept failing (429/5xx) or sent a malformed answer.
            DataError: FRED does not know the series.
        """
        start_s = None if start is None else f"{_as_date(start):%Y-%m-%d}"
        if self.mode == "api":
            return self._api(series_id, start_s)
        return self._csv(series_id, start_s)

    # ----------------------------------------------------------------- helpers
    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=True,
            )
        return self._client

    def _get(self, url: str, params: dict[str, str], what: str) -> httpx.Response:
        """GET with bounded exponential back-off on retryable failures."""
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

        backoff = wait_exponential(multiplier=1.0, min=1.0, max=self.max_wait)

        def wait(state) -> float:
            exc = state.outcome.exception()
            if isinstance(exc, _Retry) and exc.retry_after is not None:
                return min(max(exc.retry_after, 0.0), self.max_wait)
            return backoff(state)

        kwargs = {"sleep": self._sleep} if self._sleep is not None else {}
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait,
            retry=retry_if_exception_type(_Retry),
            reraise=True,
            **kwargs,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._get_once(url, params, what)
        except _Retry as exc:
            raise NetworkError(f"FRED: {exc.what} for {what} after {self.max_attempts} attempt(s)") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(self, url: str, params: dict[str, str], what: str) -> httpx.Response:
        try:
            resp = self._http().get(url, params=params)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise SourceUnreachable("FRED", type(exc).__name__) from None
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retry(type(exc).__name__) from None
        except httpx.HTTPError as exc:
            raise NetworkError(f"FRED: request for {what} failed ({type(exc).__name__})") from None
        if resp.status_code in RETRY_STATUSES:
            raise _Retry(f"HTTP {resp.status_code} {resp.reason_phrase}", _retry_after(resp))
        return resp

    def _api(self, series_id: str, start: str | None) -> pd.DataFrame:
        params = {"series_id": series_id, "api_key": self.api_key or "", "file_type": "json"}
        if start:
            params["observation_start"] = start
        rows: list[tuple[str, str]] = []
        offset = 0
        while True:
            resp = self._get(self.api_url, {**params, "offset": str(offset)}, series_id)
            body = _json(resp, series_id)
            if resp.status_code != 200:
                msg = body.get("error_message", "") if isinstance(body, dict) else ""
                if resp.status_code == 400 and "series does not exist" in msg.lower():
                    raise DataError(f"FRED: series {series_id!r} does not exist")
                if resp.status_code in (400, 401, 403) and "api_key" in msg.lower():
                    raise NetworkError(f"FRED: the API key in ${ENV_API_KEY} was refused ({_redact(msg)})")
                raise NetworkError(f"FRED: HTTP {resp.status_code} for {series_id}: {_redact(msg)[:200]}")
            obs = body.get("observations") if isinstance(body, dict) else None
            if not isinstance(obs, list):
                raise NetworkError(f"FRED: malformed answer for {series_id}: no 'observations' list")
            for i, o in enumerate(obs):
                if not isinstance(o, dict) or "date" not in o or "value" not in o:
                    raise NetworkError(f"FRED: malformed answer for {series_id}: observation {offset + i} lacks date/value")
                rows.append((o["date"], o["value"]))
            count = body.get("count", len(rows))
            if not obs or len(rows) >= int(count):
                break
            offset = len(rows)
        return _to_frame(rows, series_id, "JSON API")

    def _csv(self, series_id: str, start: str | None) -> pd.DataFrame:
        params = {"id": series_id}
        if start:
            params["cosd"] = start
        resp = self._get(self.csv_url, params, series_id)
        if resp.status_code == 404:
            raise DataError(f"FRED: series {series_id!r} does not exist (HTTP 404)")
        if resp.status_code != 200:
            raise NetworkError(f"FRED: HTTP {resp.status_code} {resp.reason_phrase} for {series_id}")
        text = resp.text
        lines = text.lstrip("\ufeff").splitlines()
        if not lines:
            raise NetworkError(f"FRED: empty answer for {series_id}")
        header = [h.strip() for h in lines[0].split(",")]
        if len(header) < 2 or header[0] not in ("DATE", "observation_date", "date"):
            raise NetworkError(
                f"FRED: malformed CSV for {series_id}: line 1: expected a DATE or observation_date "
                f"column, got {lines[0][:80]!r}"
            )
        col = series_id if series_id in header else header[1]
        idx = header.index(col)
        rows = []
        for n, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split(",")]
            if len(cells) <= idx:
                raise NetworkError(f"FRED: malformed CSV for {series_id}: line {n}: {line[:80]!r}")
            rows.append((cells[0], cells[idx]))
        return _to_frame(rows, series_id, "CSV")


def _to_frame(rows: list[tuple[str, str]], series_id: str, what: str) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from bubblemachine.data.csvio import check_order

    dates = pd.to_datetime(pd.Series([r[0] for r in rows], dtype=str), format="%Y-%m-%d", errors="coerce")
    bad = np.flatnonzero(dates.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise NetworkError(f"FRED {what}: malformed answer for {series_id}: row {i + 1}: date {rows[i][0]!r}")
    text = pd.Series([r[1] for r in rows], dtype=str).str.strip()
    text = text.mask(text.isin([".", ""]))
    values = pd.to_numeric(text, errors="coerce")
    bad = np.flatnonzero((values.isna() & text.notna()).to_numpy())
    if bad.size:
        i = int(bad[0])
        raise NetworkError(f"FRED {what}: malformed answer for {series_id}: row {i + 1}: value {rows[i][1]!r}")
    frame = pd.DataFrame({"date": dates, "value": values.astype("float64")})
    check_order(frame, where=f"FRED {what} answer for {series_id}", line_offset=1, label="row")
    return frame


def _json(resp: httpx.Response, series_id: str):
    import json

    try:
        return json.loads(resp.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise NetworkError(
            f"FRED: malformed answer for {series_id} (HTTP {resp.status_code}, not JSON: "
            f"{resp.content[:60]!r})"
        ) from None


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _redact(text: str) -> str:
    import re

    return re.sub(r"api_key=[^&\s]+", "api_key=***", str(text))


def _as_date(value: date | str) -> date:
    if isinstance(value, date):
        return value
    import pandas as pd

    return pd.Timestamp(value).date()

