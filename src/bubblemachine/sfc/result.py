"""Simulation results: arrays ``[path, period, variable]`` with conversions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bubblemachine.errors import SimulationError


@dataclass
class Result:
    """The outcome of :func:`bubblemachine.simulate`.

    Attributes:
        data: float64 array ``[path, period, variable]`` (periods 0..N; period 0 holds the
            initial values), or ``[quantile, period, variable]`` when ``quantile_levels`` is set.
        names: the variables along the last axis.
        seed: the root seed (int) every draw was spawned from.
        scenario_hash: sha256 of model files + scenario + overrides + periods + paths + seed.
        model_name, scenario_name: labels.
        path_ids: global path indices along the first axis (None for quantile results).
        uncertain: per-path draws ``[path, k]`` of the scenario's uncertain parameters.
        calendar: ``{"start": ..., "freq": ...}`` when the model has a calendar.
        failures: every path that failed to solve (``on_failure="exclude"`` or ``"keep"``;
            excluded paths are not in ``data`` and not in ``path_ids``).
        spec: the :class:`~bubblemachine.sfc.spec.RunSpec` the run was made from.
    """

    data: np.ndarray
    names: list[str]
    seed: int
    scenario_hash: str
    model_name: str = ""
    scenario_name: str = "baseline"
    path_ids: np.ndarray | None = None
    uncertain: np.ndarray | None = None
    uncertain_names: list[str] = field(default_factory=list)
    calendar: dict[str, str] | None = None
    quantile_levels: list[float] | None = None
    model: Any = field(default=None, repr=False)
    scenario: Any = field(default=None, repr=False)
    settings: dict[str, Any] = field(default_factory=dict)
    failures: tuple = ()
    spec: Any = field(default=None, repr=False)

    @classmethod
    def from_output(cls, spec: Any, out: Any) -> Result:
        """The result of ``spec`` from a :class:`~bubblemachine.sfc.records.PathsOutput` of all its paths.

        Raises:
            SimulationError: every path failed and ``on_failure="exclude"`` left none (the
                first failure's message).
        """
        if out.failures and len(out.failures) >= spec.paths and spec.on_failure.value == "exclude":
            first = min(out.failures, key=lambda f: (f.period, f.path))
            raise SimulationError(f"all {spec.paths:,} paths failed; the first: {first.message}")
        m = spec.model
        quantiles = spec.quantiles is not None
        return cls(
            data=out.data, names=list(out.names), seed=spec.seed, scenario_hash=spec.hash(),
            model_name=m.name, scenario_name=spec.scenario.name if spec.scenario else "baseline",
            path_ids=None if quantiles else np.asarray(out.path_ids), uncertain=out.uncertain,
            uncertain_names=list(out.uncertain_names), calendar=m.calendar,
            quantile_levels=list(spec.quantiles) if quantiles else None, model=m, scenario=spec.scenario,
            settings={"set": spec.set, "periods": spec.periods, "paths": spec.paths, "solver": spec.compiled.solver.name,
                      "on_failure": spec.on_failure.value},
            failures=tuple(sorted(out.failures, key=lambda f: f.path)), spec=spec,
        )

    @property
    def failed_paths(self) -> int:
        """Number of paths that failed (see ``failures``)."""
        return len(self.failures)

    # ------------------------------------------------------------------ access
    @property
    def periods(self) -> int:
        """Number of solved periods N (the arrays hold N + 1 periods)."""
        return self.data.shape[1] - 1

    @property
    def paths(self) -> int:
        return self.data.shape[0] if self.quantile_levels is None else 0

    def __getitem__(self, name: str) -> np.ndarray:
        """``result["Y"]`` -> array ``[path, period]`` (or ``[quantile, period]``)."""
        try:
            j = self.names.index(name)
        except ValueError:
            raise KeyError(f"{name!r} was not saved (saved: {', '.join(self.names)})") from None
        return self.data[:, :, j]

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def param(self, name: str) -> np.ndarray:
        """Per-path draws of an uncertain parameter."""
        if self.uncertain is None or name not in self.uncertain_names:
            raise KeyError(f"{name!r} is not an uncertain parameter of this run")
        return self.uncertain[:, self.uncertain_names.index(name)]

    def final(self, name: str) -> np.ndarray:
        """Last-period values of ``name`` per path (or per quantile)."""
        return self[name][:, -1]

    def index(self):
        """Period index: dates when the model has a calendar, else 0..N."""
        import pandas as pd

        if self.calendar:
            try:
                return pd.date_range(self.calendar["start"], periods=self.periods + 1, freq=self.calendar["freq"], name="date")
            except (ValueError, TypeError) as exc:
                raise SimulationError(f"model {self.model_name}: calendar {self.calendar}: {exc}") from None
        return pd.RangeIndex(self.periods + 1, name="period")

    # ------------------------------------------------------------------ conversions
    def to_pandas(self):
        """A DataFrame: index period (or date); with several paths a (path, period) MultiIndex."""
        import pandas as pd

        idx = self.index()
        if self.quantile_levels is not None:
            frames = {q: pd.DataFrame(self.data[i], index=idx, columns=self.names) for i, q in enumerate(self.quantile_levels)}
            return pd.concat(frames, names=["quantile"])
        if self.data.shape[0] == 1:
            return pd.DataFrame(self.data[0], index=idx, columns=self.names)
        n, t, k = self.data.shape
        mi = pd.MultiIndex.from_product([np.asarray(self.path_ids), idx], names=["path", idx.name])
        return pd.DataFrame(self.data.reshape(n * t, k), index=mi, columns=self.names)

    def to_xarray(self):
        """An ``xarray.Dataset`` with one variable per name over (path|quantile, period)."""
        from bubblemachine.errors import require

        xr = require("xarray", "xarray", "Result.to_xarray")
        first = "quantile" if self.quantile_levels is not None else "path"
        coords = {first: self.quantile_levels if self.quantile_levels is not None else np.asarray(self.path_ids),
                  "period": np.arange(self.periods + 1)}
        if self.calendar:
            coords["date"] = ("period", self.index().values)
        ds = xr.Dataset({v: ((first, "period"), self.data[:, :, j]) for j, v in enumerate(self.names)}, coords=coords)
        ds.attrs.update(self._meta())
        return ds

    def to_long(self):
        """A flat DataFrame: ``path`` (if several), ``period``, (``date``), then the variables."""
        df = self.to_pandas().reset_index()
        if self.quantile_levels is None and self.data.shape[0] == 1 and "period" not in df.columns:
            df.insert(0, "period", np.arange(self.periods + 1))
        if self.calendar and "period" not in df.columns:
            df.insert(df.columns.get_loc("date"), "period", np.tile(np.arange(self.periods + 1), len(df) // (self.periods + 1)))
        return df

    def to_parquet(self, path: str | Path) -> Path:
        """Write the long table to Parquet atomically, with run metadata in the schema."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from bubblemachine._io import atomic_path

        table = pa.Table.from_pandas(self.to_long(), preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"bubblemachine"] = json.dumps(self._meta()).encode()
        table = table.replace_schema_metadata(meta)
        with atomic_path(path) as tmp:
            pq.write_table(table, tmp)
        return Path(path)

    def to_csv(self, path: str | Path) -> Path:
        """Write the long table to CSV atomically; floats as the shortest text that reads back exactly."""
        from bubblemachine._io import atomic_write_text

        atomic_write_text(path, self.to_long().to_csv(index=False))
        return Path(path)

    @classmethod
    def from_parquet(cls, path: str | Path) -> Result:
        """Read a result written by :meth:`to_parquet` (data and metadata)."""
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = json.loads(table.schema.metadata[b"bubblemachine"])
        df = table.to_pandas()
        names = meta["names"]
        T = meta["periods"] + 1
        if meta.get("quantile_levels") is not None:
            q = meta["quantile_levels"]
            data = df[names].to_numpy().reshape(len(q), T, len(names))
            pids = None
        else:
            pids = np.asarray(meta["path_ids"])
            data = df[names].to_numpy().reshape(len(pids), T, len(names))
        return cls(data=data, names=names, seed=meta["seed"], scenario_hash=meta["scenario_hash"],
                   model_name=meta["model"], scenario_name=meta["scenario"], path_ids=pids,
                   calendar=meta.get("calendar"), quantile_levels=meta.get("quantile_levels"))

    def quantiles(self, qs: Sequence[float]) -> Result:
        """A result holding the given quantiles over paths, e.g. ``quantiles([0.05, 0.5, 0.95])``."""
        if self.quantile_levels is not None:
            raise SimulationError("this result already holds quantiles")
        levels = [float(q) for q in qs]
        if not levels or any(not 0.0 <= q <= 1.0 for q in levels):
            raise SimulationError(f"quantiles must be in [0, 1], got {list(qs)}")
        # with on_failure="keep", failed paths hold NaN from their failure on: quantiles over the others
        data = np.nanquantile(self.data, levels, axis=0) if self.failures else np.quantile(self.data, levels, axis=0)
        return Result(data=data, names=list(self.names), seed=self.seed, scenario_hash=self.scenario_hash,
                      model_name=self.model_name, scenario_name=self.scenario_name, calendar=self.calendar,
                      quantile_levels=levels, model=self.model, scenario=self.scenario, settings=dict(self.settings),
                      failures=self.failures, spec=self.spec)

    def plot(self, series: str | Sequence[str], *, baseline: Result | None = None, lang: str = "en"):
        """A plotly fan chart of ``series`` over the paths (5-95%, 25-75%, median).

        ``baseline``: another result drawn in grey behind (e.g. the baseline scenario).
        Returns a ``plotly.graph_objects.Figure`` (``.show()``, ``.write_html(...)``).
        """
        from bubblemachine.report.figures import result_fan_figure

        return result_fan_figure(self, series, baseline=baseline, lang=lang)

    def _repr_html_(self) -> str:
        """Jupyter display: the run's settings and the summary table (first 30 variables)."""
        from html import escape

        head = (f"<p><b>Result</b> of <code>{escape(str(self.model_name))}</code> / "
                f"<code>{escape(str(self.scenario_name))}</code>: {self.periods} periods, "
                + (f"{self.paths} paths" if self.quantile_levels is None else f"quantiles {self.quantile_levels}")
                + f", seed {self.seed}, {len(self.names)} variables saved</p>")
        table = self.summary()
        more = len(table) - 30
        html = table.head(30).to_html(float_format=lambda v: f"{v:,.4g}", border=0)
        tail = f"<p>... and {more} more (<code>result.summary()</code>)</p>" if more > 0 else ""
        return head + html + tail

    def summary(self):
        """A small DataFrame: for each variable its value at periods 0, 1 and N (mean over paths)."""
        import pandas as pd

        data = self.data if self.quantile_levels is None else self.data[[len(self.quantile_levels) // 2]]
        rows = {}
        for j, v in enumerate(self.names):
            col = data[:, :, j]
            rows[v] = {"t=0": col[:, 0].mean(), "t=1": col[:, min(1, self.periods)].mean(), f"t={self.periods}": col[:, -1].mean()}
            if data.shape[0] > 1:
                rows[v]["sd(t=N)"] = col[:, -1].std()
        return pd.DataFrame(rows).T

    def _meta(self) -> dict[str, Any]:
        return {
            "model": self.model_name, "scenario": self.scenario_name, "seed": self.seed,
            "scenario_hash": self.scenario_hash, "names": self.names, "periods": self.periods,
            "path_ids": None if self.path_ids is None else [int(p) for p in self.path_ids],
            "calendar": self.calendar, "quantile_levels": self.quantile_levels,
        }

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.data.shape))
        failed = f", {len(self.failures)} failed path(s)" if self.failures else ""
        return f"Result(model={self.model_name!r}, scenario={self.scenario_name!r}, data[{shape}], seed={self.seed}{failed})"
