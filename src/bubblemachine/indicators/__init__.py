"""Monitor quantities computed on real data: pure functions (pandas in, pandas out).

The modules hold the formulas (:mod:`.liquidity`, :mod:`.market`, :mod:`.systematic`,
:mod:`.ai`); :func:`compute_monitor` applies them to the store and returns every
indicator by id, using only data KNOWN on ``asof`` (the store's release rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bubblemachine.data import Store

from bubblemachine.data.asof import parse_asof

__all__ = ["Indicator", "compute_monitor", "parse_asof", "GROUPS", "SERIES_USED"]


@dataclass(frozen=True)
class Indicator:
    """One monitor quantity.

    Attributes:
        value: latest value (float; NaN if unavailable).
        units: units of ``value`` and ``history`` (e.g. "USD billions", "percent").
        asof: date of the latest observation (YYYY-MM-DD).
        label_key: translation key of its label (report/i18n catalogs).
        history: the full series up to ``asof`` (or None).
        group: display group (liquidity, rates, volatility, systematic, ai).
    """

    value: float
    units: str
    asof: str
    label_key: str
    history: Any = field(default=None, repr=False, compare=False)
    group: str = "other"

    def change(self, days: int = 28) -> float:
        """``value`` minus the history's value on or before ``asof - days`` (NaN if none)."""
        import pandas as pd

        h = self.history
        if h is None or len(h) == 0:
            return float("nan")
        back = h.loc[: pd.Timestamp(self.asof) - pd.Timedelta(days=days)]
        return float(self.value - back.iloc[-1]) if len(back) else float("nan")

    def to_json(self) -> dict[str, Any]:
        """``{"value", "units", "asof"}`` (value and asof None when there is no data).

        Values keep 12 significant digits: far beyond the data's precision, without the
        binary noise of a subtraction (5620.76, not 5620.759999999999).
        """
        v = self.value
        return {
            "value": None if v != v else float(f"{float(v):.12g}"),
            "units": self.units,
            "asof": self.asof or None,
        }


GROUPS: tuple[str, ...] = ("liquidity", "rates", "volatility", "systematic", "ai")

SERIES_USED: tuple[str, ...] = (
    "WALCL", "WTREGEN", "RRPONTSYD", "WRESBAL",
    "DGS10", "DGS2", "DFII10", "T10Y2Y", "BAMLH0A0HYM2", "BAMLC0A0CM",
    "VIX", "VIX3M", "SPX", "BTC", "ETH",
    "NVDA", "MSFT", "META", "GOOGL", "AMZN", "AAPL", "TSLA", "AVGO", "RSP",
    "SMH", "IGV", "MU", "HYPERSCALER_CAPEX",
)  # fmt: skip
"""Every store series :func:`compute_monitor` reads (the report stamps their vintage)."""

REBASE_START = "2019-12-31"
"""Relative-performance lines start at 100 on this date; for an ``asof`` before 2021 they
start five years before ``asof`` instead (see :func:`rebase_start`)."""


def rebase_start(asof: pd.Timestamp | None) -> pd.Timestamp:
    """The date relative-performance lines are rebased to 100 for a given ``asof``."""
    import pandas as pd

    start = pd.Timestamp(REBASE_START)
    if asof is not None and asof < start + pd.DateOffset(years=1):
        return asof - pd.DateOffset(years=5)
    return start


def _ind(s: pd.Series, units: str, key: str, group: str) -> Indicator:
    import pandas as pd

    s = s.dropna()
    if s.empty:  # no data on or before asof: NaN value, an empty dated history
        s = pd.Series([], index=pd.DatetimeIndex([], name="date"), dtype="float64", name=s.name)
        return Indicator(float("nan"), units, "", key, s, group)
    return Indicator(float(s.iloc[-1]), units, f"{s.index[-1]:%Y-%m-%d}", key, s, group)


def compute_monitor(store: Store, *, asof: str | date | None = None) -> dict[str, Indicator]:
    """Every monitor indicator, by id, from the data KNOWN on ``asof``.

    Args:
        store: the data store (``bubblemachine.data.open_store()``).
        asof: the as-of date (YYYY-MM-DD; default: all data). Each series keeps the rows
            whose knowledge date (its release rule) is on or before it: H.4.1 weeks from the
            Thursday after their Wednesday, capex from its first filing.

    Returns:
        Indicator id -> :class:`Indicator`. Ids and units: ``net_liquidity``,
        ``net_liquidity_chg4w``, ``net_liquidity_chg13w``, ``fed_assets``, ``tga``,
        ``on_rrp``, ``reserves`` (USD billions); ``ust10y``, ``ust2y``, ``real10y``,
        ``t10y2y``, ``hy_oas``, ``ig_oas`` (percent); ``vix``, ``vix3m`` (index points);
        ``vix_vix3m_ratio`` (ratio), ``vix_inverted`` (flag 0/1); ``spx`` (index points),
        ``realised_vol`` (percent a year), ``vol_target_exposure`` (multiple of capital);
        ``cta_signal`` and ``cta_ewmac{f}_{s}`` (forecast, -20..20), ``cta_flip_{f}_{s}``
        (SPX index points); ``btc``, ``eth`` (USD); ``btc_netliq_corr``,
        ``eth_netliq_corr`` (correlation); ``ai_vs_rsp``, ``smh_vs_igv``, ``mu_vs_igv``
        (``index (100 = YYYY-MM-DD)``, the rebase date); ``hyperscaler_capex`` (USD billions a quarter),
        ``hyperscaler_capex_yoy`` (percent).
    """
    import pandas as pd

    from bubblemachine.indicators import ai, liquidity, market, systematic

    ts = parse_asof(asof)

    def s(sid: str) -> pd.Series:
        return store.series(sid, asof=ts)

    out: dict[str, Indicator] = {}

    # ---------------------------------------------------------------- liquidity (M2.1, C2.1)
    walcl, tga, rrp, res = s("WALCL"), s("WTREGEN"), s("RRPONTSYD"), s("WRESBAL")
    nl = liquidity.net_liquidity(walcl, tga, rrp)
    out["net_liquidity"] = _ind(nl, "USD billions", "ind.net_liquidity", "liquidity")
    out["net_liquidity_chg4w"] = _ind(
        liquidity.change(nl, 4), "USD billions", "ind.net_liquidity_chg4w", "liquidity"
    )
    out["net_liquidity_chg13w"] = _ind(
        liquidity.change(nl, 13), "USD billions", "ind.net_liquidity_chg13w", "liquidity"
    )
    out["fed_assets"] = _ind(
        liquidity.millions_to_billions(walcl), "USD billions", "ind.fed_assets", "liquidity"
    )
    out["tga"] = _ind(liquidity.millions_to_billions(tga), "USD billions", "ind.tga", "liquidity")
    out["on_rrp"] = _ind(rrp, "USD billions", "ind.on_rrp", "liquidity")
    out["reserves"] = _ind(
        liquidity.millions_to_billions(res), "USD billions", "ind.reserves", "liquidity"
    )

    # ---------------------------------------------------------------- rates and credit (M3.1)
    for iid, sid in market.RATE_SERIES.items():
        out[iid] = _ind(s(sid), "percent", f"ind.{iid}", "rates")

    # ---------------------------------------------------------------- VIX curve (M6.5, C6.3)
    vix, vix3m = s("VIX"), s("VIX3M")
    ratio = market.vix_ratio(vix, vix3m)
    out["vix"] = _ind(vix, "index points", "ind.vix", "volatility")
    out["vix3m"] = _ind(vix3m, "index points", "ind.vix3m", "volatility")
    out["vix_vix3m_ratio"] = _ind(ratio, "ratio", "ind.vix_vix3m_ratio", "volatility")
    out["vix_inverted"] = _ind(
        market.vix_inverted(ratio).astype(float),
        "flag (1 = inverted)",
        "ind.vix_inverted",
        "volatility",
    )

    # ---------------------------------------------------------------- systematic (M6.1, M6.2)
    spx = s("SPX")
    out["spx"] = _ind(spx, "index points", "ind.spx", "systematic")
    out["realised_vol"] = _ind(
        100.0 * systematic.realised_vol(spx), "percent a year", "ind.realised_vol", "systematic"
    )
    out["vol_target_exposure"] = _ind(
        systematic.vol_target_exposure(spx),
        "multiple of capital",
        "ind.vol_target_exposure",
        "systematic",
    )
    spx_recent = spx.loc[pd.Timestamp("1990-01-01") :] if len(spx) else spx
    cta = systematic.cta_signal(spx_recent)
    out["cta_signal"] = _ind(cta["combined"], "forecast (-20..20)", "ind.cta_signal", "systematic")
    for f, sl in systematic.DEFAULT_SPEEDS:
        out[f"cta_ewmac{f}_{sl}"] = _ind(
            cta[f"ewmac{f}_{sl}"], "forecast (-20..20)", f"ind.cta_ewmac{f}_{sl}", "systematic"
        )
    if len(spx_recent):
        flips = systematic.flip_levels(spx_recent)
        day = f"{spx_recent.index[-1]:%Y-%m-%d}"
        for f, sl in systematic.DEFAULT_SPEEDS:
            out[f"cta_flip_{f}_{sl}"] = Indicator(
                flips[f"ewmac{f}_{sl}"],
                "index points",
                day,
                f"ind.cta_flip_{f}_{sl}",
                None,
                "systematic",
            )

    # ---------------------------------------------------------------- AI vs the rest (M1.4, M3.1), crypto (C2.1)
    start = rebase_start(ts)
    rel_units = f"index (100 = {start:%Y-%m-%d})"
    basket = ai.equal_weight_index({t: s(t).loc[start:] for t in ai.AI_BASKET})
    rsp, smh, igv, mu = (s(t).loc[start:] for t in ("RSP", "SMH", "IGV", "MU"))
    out["ai_vs_rsp"] = _ind(_relative(basket, rsp), rel_units, "ind.ai_vs_rsp", "ai")
    out["smh_vs_igv"] = _ind(_relative(smh, igv), rel_units, "ind.smh_vs_igv", "ai")
    out["mu_vs_igv"] = _ind(_relative(mu, igv), rel_units, "ind.mu_vs_igv", "ai")
    btc, eth = s("BTC"), s("ETH")
    out["btc"] = _ind(btc, "USD", "ind.btc", "ai")
    out["eth"] = _ind(eth, "USD", "ind.eth", "ai")
    nl_recent = nl.loc[pd.Timestamp("2014-01-01") :]
    out["btc_netliq_corr"] = _ind(
        ai.weekly_corr(btc, nl_recent), "correlation", "ind.btc_netliq_corr", "ai"
    )
    out["eth_netliq_corr"] = _ind(
        ai.weekly_corr(eth, nl_recent), "correlation", "ind.eth_netliq_corr", "ai"
    )

    # ---------------------------------------------------------------- hyperscaler capex (F4.2)
    panel = store.frame("HYPERSCALER_CAPEX", asof=ts)  # quarters filed by asof (release rule)
    capex = ai.capex_by_quarter(panel) if len(panel) else None
    if capex is not None and capex["complete"].any():
        done = capex[capex["complete"]]
        idx = pd.PeriodIndex(done.index, freq="Q").end_time.normalize()
        hist = pd.Series(done["capex_bn"].to_numpy(), index=idx, name="hyperscaler_capex")
        yoy = pd.Series(100.0 * done["yoy"].to_numpy(), index=idx, name="hyperscaler_capex_yoy")
        out["hyperscaler_capex"] = _ind(
            hist, "USD billions a quarter", "ind.hyperscaler_capex", "ai"
        )
        out["hyperscaler_capex_yoy"] = _ind(yoy, "percent", "ind.hyperscaler_capex_yoy", "ai")
    else:
        empty = pd.Series(dtype="float64")
        out["hyperscaler_capex"] = _ind(
            empty, "USD billions a quarter", "ind.hyperscaler_capex", "ai"
        )
        out["hyperscaler_capex_yoy"] = _ind(empty, "percent", "ind.hyperscaler_capex_yoy", "ai")
    return out


def _relative(a: pd.Series, b: pd.Series) -> pd.Series:
    from bubblemachine.indicators.ai import relative

    if a.dropna().empty or b.dropna().empty:
        import pandas as pd

        return pd.Series(dtype="float64")
    return relative(a, b)
