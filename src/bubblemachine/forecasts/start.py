"""The AI liquidity model started on a date: calibrated on what was known then (issue 9).

:func:`start` calibrates the model as of a date and materialises its model directory;
:func:`model_dir_for` is the cached lookup the scenario runner uses (the shipped directory
when nothing needs computing). Kept apart from :mod:`bubblemachine.forecasts` so the
scenario runner can start a model without importing the forecasts that import the runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bubblemachine.errors import ForecastError

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.calibrate import Calibration

__all__ = ["Start", "model_dir_for", "start"]


@dataclass(frozen=True)
class Start:
    """The AI model started on a date: its calibration, model directory and loaded model.

    Attributes:
        asof: the as-of date (period 0), a trading day.
        calibration: the :class:`~bubblemachine.calibrate.Calibration` as known then.
        calibration_file: the calibration's file (shipped, or in the user's store).
        model_dir: the model directory it runs (shipped, or materialised in the user's home).
        model: the loaded :class:`~bubblemachine.sfc.Model`.
    """

    asof: str
    calibration: Calibration
    calibration_file: Path
    model_dir: Path
    model: Any = field(repr=False)


def start(asof: str | None = None, *, store=None, years: int | None = None, home=None) -> Start:
    """Calibrate the AI model as of ``asof`` (default: the latest date the store supports).

    Args:
        asof: date ``YYYY-MM-DD``; moved back to the last trading day on or before it.
        store: the data store (default ``open_store()``).
        years: the noise-fitting window (default the calibration's, 5).
        home: the user's home for calibration files (default ``paths.home()``).
    """
    import bubblemachine.sfc as sfc
    from bubblemachine.calibrate import WINDOW_YEARS, calibrate, calibration_file
    from bubblemachine.calibrate.files import default_asof, model_dir
    from bubblemachine.data import open_store, parse_asof
    from bubblemachine.data.calendar import previous_session

    store = store if store is not None else open_store()
    latest = default_asof(store)
    if asof is None:
        asof = latest
    ts = parse_asof(asof, store=store, series=["SPX"])
    day = f"{previous_session(ts):%Y-%m-%d}"
    if day > latest:
        raise ForecastError(
            f"--asof {asof}: the store's market data end on {latest}; the model can start on "
            f"{latest} at the latest (bring newer data with `bubblemachine data update` or `data import`)"
        )
    cal = calibrate(asof=day, years=years or WINDOW_YEARS, store=store)
    path = calibration_file(cal, home=home)
    mdir = model_dir(path, home=home)
    return Start(asof=day, calibration=cal, calibration_file=path, model_dir=mdir, model=sfc.load_model(mdir))


#: Model directories started in this process: (date, store home, home, user series) -> (dir, date).
_STARTED: dict[tuple, tuple[Path, str]] = {}


def model_dir_for(asof: str | None = None, *, store=None, home=None) -> tuple[Path, str]:
    """The AI model directory started on ``asof`` (default: the latest date the store supports).

    Returns ``(directory, as-of date used)``: the shipped directory when the date is the
    shipped calibration's and the user's store overrides none of its inputs (nothing is
    computed then), else :func:`start`'s materialised directory.
    """
    from bubblemachine.calibrate.files import (
        calibration_inputs,
        default_asof,
        default_path,
        shipped_asof,
    )
    from bubblemachine.data import open_store, parse_asof
    from bubblemachine.data.calendar import previous_session

    store = store if store is not None else open_store()
    if asof is None:
        day = default_asof(store)
    else:
        day = f"{previous_session(parse_asof(asof, store=store, series=['SPX'])):%Y-%m-%d}"
    user = {m.id: m.checksum for m in store.metas() if m.origin == "store"}
    if day == shipped_asof() and not set(user) & set(calibration_inputs()):
        return default_path().parent, day
    key = (day, str(getattr(store, "home", "")), str(home), tuple(sorted(user.items())))
    hit = _STARTED.get(key)
    if hit is not None and (hit[0] / "calibration.toml").is_file():
        return hit
    st = start(day, store=store, home=home)
    if len(_STARTED) > 32:
        _STARTED.clear()
    _STARTED[key] = (st.model_dir, st.asof)
    return st.model_dir, st.asof
