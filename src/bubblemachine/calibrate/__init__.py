"""Calibration of the AI liquidity model from the data store, as known on any date.

``calibrate(asof=..., years=...)`` reads the data store as known on ``asof`` (default: the
latest date the store supports) and returns a :class:`Calibration` (initial state at
``asof``, fitted noise, and the policy state from the events known then); ``render_toml``
turns it into a model file; ``write_calibration`` writes it atomically (default: the user's
store, :mod:`bubblemachine.calibrate.files`; never the installed package) and
``check_calibration`` verifies that a file is up to date. The same data give a
byte-identical file. The package ships the calibration as of the embedded snapshot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bubblemachine.calibrate.files import default_path
from bubblemachine.calibrate.fit import (
    PERSISTENCE_DAYS,
    PERSISTENT,
    NoiseFit,
    fit_noise,
    with_persistence,
    with_proxies,
)
from bubblemachine.calibrate.history import (
    ASOF,
    BASKETS,
    NOISE_ORDER,
    PROXIES,
    WINDOW_YEARS,
    Observation,
    daily_changes,
    initial_levels,
)
from bubblemachine.calibrate.policy import PolicyState, policy_state
from bubblemachine.calibrate.state import ModelState, model_state
from bubblemachine.calibrate.volregime import VolRegime, fit_vol_regime

__all__ = [
    "ASOF",
    "NOISE_ORDER",
    "Calibration",
    "PolicyState",
    "calibrate",
    "render_toml",
    "write_calibration",
    "check_calibration",
    "calibration_file",
    "default_path",
]


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate`.

    Attributes:
        asof: as-of date (the model's period 0).
        years: fitting window length in years.
        initial: observations (initial state).
        noise: the fitted noise.
        vintage: data vintage of the inputs (store id -> checksum prefix).
        policy: the policy state known on ``asof`` (events file + data).
        state: the model's dated inputs on ``asof`` (:mod:`bubblemachine.calibrate.state`).
        vol: the volatility regime on ``asof`` (:mod:`bubblemachine.calibrate.volregime`): the
            noise starts from it and decays to ``noise.sigma``; None = the window's sd throughout.
    """

    asof: str
    years: int
    initial: tuple[Observation, ...]
    noise: NoiseFit
    vintage: dict[str, str]
    policy: PolicyState | None = None
    state: ModelState | None = None
    vol: VolRegime | None = None


def calibrate(*, asof: str | None = None, years: int = WINDOW_YEARS, store=None) -> Calibration:
    """Initial state and noise of the AI liquidity model from the data store.

    Args:
        asof: date ``YYYY-MM-DD`` of the model's period 0: only data KNOWN on it are used
            (each series' release rule; e.g. FRED yields of the day before), and only the
            events announced by then. Default: the latest date the store supports
            (:func:`bubblemachine.calibrate.files.default_asof`).
        years: fitting window for the noise, in calendar years before ``asof``.
        store: a data store; default ``bubblemachine.data.open_store()``.

    Returns:
        The :class:`Calibration`.

    Raises:
        DataError: a needed series is missing or empty before ``asof``.
        ValueError: ``years`` < 1.
    """
    from bubblemachine.data import parse_asof
    from bubblemachine.errors import DataError

    if years < 1:
        raise DataError(f"calibrate: years must be >= 1, got {years}")
    if store is None:
        from bubblemachine.data import open_store

        store = open_store()
    if asof is None:
        from bubblemachine.calibrate.files import default_asof

        asof = default_asof(store)
    asof = f"{parse_asof(asof, store=store, series=['SPX'], option='asof'):%Y-%m-%d}"
    initial = tuple(initial_levels(store, asof))
    changes = daily_changes(store, asof, years)
    if len(changes) < 250:
        raise DataError(f"calibrate: only {len(changes)} complete daily observations in the window ending {asof}")
    noise = with_proxies(with_persistence(fit_noise(changes), changes), NOISE_ORDER, PROXIES)
    ids = sorted(
        {"SPX", "NDX", "SMH", "MU", "IGV", "BTC", "ETH", "VIX", "DGS2", "DGS10", "BAMLC0A0CM",
         "BAMLH0A0HYM2", "WALCL", "WTREGEN", "WRESBAL", "RRPONTSYD", "HYPERSCALER_CAPEX"}
        | {m for members in BASKETS.values() for m in members}
    )
    vintage = {i: store.meta(i).checksum[:12] for i in ids if store.has(i)}
    policy = policy_state(store, asof)
    state = model_state(store, asof, policy=policy, initial={o.name: o.value for o in initial}, changes=changes)
    vol = fit_vol_regime(changes, noise.names)
    return Calibration(asof=asof, years=years, initial=initial, noise=noise, vintage=vintage, policy=policy,
                       state=state, vol=vol)


def _num(x: float, digits: int = 10) -> str:
    s = f"{float(x):.{digits}g}"
    if "e" not in s and "." not in s and "inf" not in s and "nan" not in s:
        s += ".0"
    return s


def render_toml(cal: Calibration) -> str:
    """The text of ``calibration.toml`` (deterministic: same calibration -> same bytes)."""
    n = cal.noise
    lines: list[str] = []
    w = lines.append
    w("# GENERATED by `bubblemachine calibrate` -- do not edit by hand; regenerate with")
    w(f"#   bubblemachine calibrate --asof {cal.asof} --years {cal.years}")
    w("# and verify with `bubblemachine calibrate --check`.")
    w("# Owner: calibration (F2). The model files (F1) must not define any name defined here.")
    w("# Method and sources: docs/design/calibration.md.")
    w("#")
    w(f"# As-of date (model period 0): {cal.asof}")
    w(f"# Noise window: {n.first} .. {n.last}, {n.n_obs} S&P 500 trading days ({cal.years} years)")
    w("# Data vintage (store checksum prefixes):")
    items = list(cal.vintage.items())
    for k in range(0, len(items), 4):
        w("#   " + "  ".join(f"{i}={c}" for i, c in items[k:k + 4]))
    w("")
    w("# Observable state at the as-of date. Prices: index points or USD; baskets rebased to 100;")
    w("# rates and spreads in percent; VIX in index points; balance-sheet items in USD billions;")
    w("# ai_capex in USD billions per quarter (run-rate).")
    w("[initial]")
    width = max(len(o.name) for o in cal.initial)
    for o in cal.initial:
        w(f"{o.name:<{width}} = {_num(o.value)}  # {o.units}; {o.source}")
    if cal.state is not None:
        st = cal.state
        w(f"{'net_liquidity':<{width}} = {_num(st.net_liquidity)}  # USD billions; fed_assets - tga - on_rrp above")
        w(f"{'bdq':<{width}} = {st.bdq}  # trading day of the quarter, 0-based; {st.notes['bdq']}")
        w(f"{'spx_var':<{width}} = {_num(st.spx_var, 6)}  # (log return)^2 per day; {st.notes['spx_var']}")
        w(f"{'spx_rvol':<{width}} = {_num(100 * (252 * st.spx_var) ** 0.5, 6)}  # percent a year; 100 x sqrt(252 x spx_var)")
    if cal.vol is not None:
        for i, s in enumerate(cal.vol.names):
            w(f"{'vgap_' + s:<{width}} = {_num(cal.vol.ratio[i] - 1, 8)}  # variance regime gap on the as-of date (vratio_{s} - 1)")
    w("")
    w("[parameters]")
    # Records (docs/model-language.md, "Parameter records"): unit, range, mechanism (the
    # attribution group "noise"), doc and source, so --set and the parameters doc can read them.
    window = f"{cal.years}-year window to {cal.asof} (bubblemachine calibrate; docs/design/calibration.md)"
    w("# Daily sd of the change of each priced series over the window: log change for prices,")
    w("# baskets and vix; percentage points for ust2y ust10y ig_oas hy_oas. Range: 0 (no noise) to")
    w("# 4x the estimate (crisis volatility: VIX peaked near 4x its average in 2008 and 2020).")
    for i, s in enumerate(n.names):
        unit = "pp/day" if s in ("ust2y", "ust10y", "ig_oas", "hy_oas") else "log/day"
        how = (f"larger of the daily sd and the sd of {PERSISTENCE_DAYS}-day sums / sqrt({PERSISTENCE_DAYS}) (persistent), "
               if s in PERSISTENT else "")
        w(f"sigma_{s} = {{ value = {_num(n.sigma[i])}, unit = \"{unit}\", range = [0.0, {_num(4 * n.sigma[i], 6)}], "
          f"mechanism = \"noise\", doc = \"sd of the daily shock noise_{s}\", source = \"{how}{window}\" }}"
          f"  # annualised x sqrt(252) = {n.sigma[i] * 252 ** 0.5:.4f}")
    w("# Pooled Student-t degrees of freedom (maximum likelihood on standardised daily changes).")
    w(f"nu_noise = {{ value = {_num(n.nu, 8)}, unit = \"dimensionless\", range = [2.1, 100.0], mechanism = \"noise\", "
      f"doc = \"pooled Student-t degrees of freedom (the df of the eps_* draws below; setting it does not change them)\", "
      f"source = \"maximum likelihood, {window}\" }}")
    w("# Cholesky loadings chol_<series>_<factor> (lower-triangular factor of the correlation matrix).")
    for i, s in enumerate(n.names):
        for j in range(i + 1):
            w(f"chol_{s}_{n.names[j]} = {{ value = {n.chol[i, j]:.8f}, unit = \"dimensionless\", range = [-1.0, 1.0], "
              f"mechanism = \"noise\", doc = \"loading of noise_{s} on factor eps_{n.names[j]}\", "
              f"source = \"Cholesky factor of the correlation of daily changes, {window}\" }}")
    if cal.vol is not None:
        _render_vol_params(w, cal.vol, window)
    w("")
    if cal.state is not None:
        _render_state(w, cal)
    w("")
    w("# Independent unit-variance Student-t factor draws, one per priced series, every period.")
    w("[random]")
    for s in n.names:
        w(f'eps_{s} = {{ dist = "student_t", df = {_num(n.nu, 8)}, mean = 0.0, sd = 1.0 }}')
    if cal.state is not None:
        w("# Daily shocks of the Treasury's cash, of ON RRP, of the Fed's balance sheet and of ON RRP's")
        w("# settling level (unit variance; scaled by tga_sigma, rrp_sigma, fed_sigma, rrp_level_sigma).")
        w('eps_tga = { dist = "normal", mean = 0.0, sd = 1.0 }')
        w('eps_rrp = { dist = "normal", mean = 0.0, sd = 1.0 }')
        w('eps_fed = { dist = "normal", mean = 0.0, sd = 1.0 }')
        w('eps_rrp_level = { dist = "normal", mean = 0.0, sd = 1.0 }')
    w("")
    w("# Correlated fat-tailed noise: sd(noise_s) = sigma_s, corr(noise) = chol chol'; each factor")
    w("# is bounded at +/- eps_limit standard deviations (no one-day -88% S&P 500).")
    w("[equations]")
    bounded = cal.state is not None
    for i, s in enumerate(n.names):
        if bounded:
            terms = " + ".join(f"chol_{s}_{n.names[j]} * min(max(eps_{n.names[j]}, -eps_limit), eps_limit)"
                               for j in range(i + 1))
        else:
            terms = " + ".join(f"chol_{s}_{n.names[j]} * eps_{n.names[j]}" for j in range(i + 1))
        scale = f" * vscale_{s}" if cal.vol is not None else ""
        w(f'noise_{s} = "sigma_{s}{scale} * ({terms})"')
    if cal.vol is not None:
        w("# Volatility regime: the shock's variance starts at vratio_s x sigma_s^2 and decays to")
        w("# sigma_s^2 at vpersist_s a day (the GARCH(1,1) forecast; calibrate/volregime.py).")
        for s in cal.vol.names:
            w(f'vgap_{s} = "where(first > 0, vratio_{s} - 1, vgap_{s}[-1] * vpersist_{s})"')
            w(f'vscale_{s} = "sqrt(1 + vgap_{s})"')
    if bounded:
        w('tga_shock = "tga_sigma * min(max(eps_tga, -eps_limit), eps_limit)"')
        w('rrp_shock = "rrp_sigma * min(max(eps_rrp, -eps_limit), eps_limit)"')
        w('fed_shock = "fed_sigma * min(max(eps_fed, -eps_limit), eps_limit)"')
        w('rrp_level_shock = "rrp_level_sigma * min(max(eps_rrp_level, -eps_limit), eps_limit)"')
    w("")
    return "\n".join(lines)


def _render_vol_params(w, vol: VolRegime, window: str) -> None:
    from bubblemachine.calibrate.volregime import PERSIST_BOUNDS, RATIO_BOUNDS

    w("# Volatility regime on the as-of date (GARCH(1,1) by quasi-maximum likelihood on each series'")
    w("# standardised daily changes; calibrate/volregime.py): the one-day-ahead conditional variance")
    w("# over the window's, and the daily persistence alpha + beta of the gap.")
    for i, s in enumerate(vol.names):
        how = (f"GARCH(1,1), {window}" if vol.fitted[i]
               else f"not fitted (too few own changes, or the fit did not converge): no regime, {window}")
        w(f"vratio_{s} = {{ value = {_num(vol.ratio[i], 4)}, unit = \"dimensionless\", "
          f"range = [{_num(RATIO_BOUNDS[0])}, {_num(RATIO_BOUNDS[1])}], mechanism = \"noise\", "
          f"doc = \"as-of variance of noise_{s} over sigma_{s}^2 (1: the window's level from day 1)\", source = \"{how}\" }}")
        w(f"vpersist_{s} = {{ value = {_num(vol.persist[i], 4)}, unit = \"1/day\", "
          f"range = [{_num(PERSIST_BOUNDS[0])}, {_num(PERSIST_BOUNDS[1])}], mechanism = \"noise\", "
          f"doc = \"daily persistence of the variance gap of noise_{s} (half-life {vol.half_life(s):.0f} trading days)\", "
          f"source = \"{how}\" }}")


def _path(values) -> str:
    return "[" + ", ".join(_num(v, 6) for v in values) + "]"


def _render_state(w, cal: Calibration) -> None:
    """The dated model inputs: quarter position, policy paths, targets, TGA calendar, bounds."""
    st = cal.state
    src = f"as known on {cal.asof} (bubblemachine calibrate; docs/design/living-model.md)"
    rec = "mechanism = \"{m}\", doc = \"{d}\", source = \"{s}\""
    w("# Dated state (issue 9): what the model files hard-coded for 2025-11-14, as known on the as-of date.")
    w(f"eps_limit = {{ value = {_num(st.eps_limit, 6)}, unit = \"standard deviations\", range = [3.0, 50.0], "
      + rec.format(m="noise", d="bound on every unit-variance shock, in standard deviations", s=st.notes["eps"] + ", " + src) + " }")
    w(f"tga_target = {{ value = {_num(st.tga_target, 7)}, unit = \"USD bn\", range = [0.0, 3000.0], "
      + rec.format(m="M2.6", d="Treasury's cash-balance target the auctions pull the TGA to", s=st.notes["tga"]) + " }")
    w(f"tga_sigma = {{ value = {_num(st.tga_sigma, 6)}, unit = \"USD bn\", range = [0.0, 200.0], "
      + rec.format(m="M2.6", d="sd of the TGA's daily shock around its tax calendar", s=st.notes["tga"]) + " }")
    w(f"rrp_sigma = {{ value = {_num(st.rrp_sigma, 6)}, unit = \"USD bn\", range = [0.0, 300.0], "
      + rec.format(m="M2.1", d="sd of ON RRP's daily shock", s="daily changes of RRPONTSYD over the year to " + cal.asof) + " }")
    w(f"rrp_level_sigma = {{ value = {_num(st.rrp_level_sigma, 6)}, unit = \"USD bn\", range = [0.0, 300.0], "
      + rec.format(m="M2.1", d="sd of the daily step of ON RRP's settling level (a random walk: money funds' unannounced shifts between ON RRP and bills)",
                   s="21-day changes of RRPONTSYD over the two years to " + cal.asof + ", / sqrt(21)") + " }")
    w(f"fed_sigma = {{ value = {_num(st.fed_sigma, 6)}, unit = \"USD bn\", range = [0.0, 300.0], "
      + rec.format(m="M2.1", d="sd of the daily shock of the Fed's balance sheet around its announced path",
                   s="weekly WALCL changes around their 13-week mean over the two years to " + cal.asof + ", per trading day") + " }")
    w(f"cta_fast_gap0 = {{ value = {_num(st.cta_fast_gap0, 6)}, unit = \"share\", range = [-0.5, 0.5], "
      + rec.format(m="M6.2", d="S&P 500 vs its 16-day EWMA at period 0 (1 - EWMA / price)", s=st.notes["cta"]) + " }")
    w(f"cta_slow_gap0 = {{ value = {_num(st.cta_slow_gap0, 6)}, unit = \"share\", range = [-0.5, 0.5], "
      + rec.format(m="M6.2", d="S&P 500 vs its 64-day EWMA at period 0", s=st.notes["cta"]) + " }")
    w("")
    w("[exogenous]")
    w("# Policy known on the as-of date (events file): the Fed's runoff and purchases by period (the last")
    w(f"# value holds), the shutdown state, ON RRP's level (no drift). {st.notes['policy']}")
    w(f"qt_runoff_path = {{ path = {_path(st.qt_runoff_path)}, unit = \"USD bn/day\", range = [0.0, 10.0], "
      + rec.format(m="M2.1", d="Fed balance-sheet runoff by period, from the announcements known then", s=src) + " }")
    w(f"fed_purchases = {{ path = {_path(st.fed_purchases_path)}, unit = \"USD bn/day\", range = [0.0, 100.0], "
      + rec.format(m="M2.4", d="Fed purchases of Treasuries by period, from the announcements known then", s=src) + " }")
    w(f"shutdown = {{ value = {_num(st.shutdown)}, unit = \"0/1\", range = [0, 1], "
      + rec.format(m="M1.2", d="the federal government is shut down (1) or open (0)", s="events file, " + src) + " }")
    w(f"rrp_target = {{ value = {_num(st.rrp_target, 7)}, unit = \"USD bn\", range = [0.0, 3000.0], "
      + rec.format(m="M2.1", d="ON RRP balance money funds settle at (its level on the as-of date)", s="FRED RRPONTSYD, " + src) + " }")
    w("# The TGA's tax calendar: expected daily flow by period (mid-April/June/September/December inflows,")
    w("# month-start outflows), centred over a year; ten years of trading days, then the last value holds.")
    w(f"tga_seasonal = {{ path = {_path(st.tga_seasonal)}, unit = \"USD bn/day\", range = [-500.0, 500.0], "
      + rec.format(m="M2.6", d="expected TGA flow of the tax calendar by period", s=st.notes["tga"]) + " }")


def write_calibration(cal: Calibration, path: str | Path | None = None) -> Path:
    """Write :func:`render_toml` of ``cal`` atomically to ``path``.

    Default: the user's store (``<home>/calibration/ai_liquidity/<asof>-<key>.toml``,
    :func:`bubblemachine.calibrate.files.calibration_file`), never the installed package.
    """
    from bubblemachine._io import atomic_write_text

    if path is None:
        from bubblemachine.calibrate.files import user_file

        path = user_file(cal)
    target = Path(path)
    atomic_write_text(target, render_toml(cal))
    return target


def calibration_file(cal, *, home: str | Path | None = None) -> Path:
    """The calibration file for ``cal``: the shipped one when it matches, else the user's
    (written atomically on first use, reused while its inputs are unchanged)."""
    from bubblemachine.calibrate.files import is_shipped, user_file
    from bubblemachine.errors import DataError

    if is_shipped(cal):
        return default_path()
    target = user_file(cal, home=home)
    if not target.is_file():
        try:
            write_calibration(cal, target)
        except OSError as exc:
            raise DataError(f"{target}: cannot write the calibration ({exc.strerror})") from None
    return target



#: Relative tolerance of :func:`check_calibration` for computed numbers. The fit is a
#: sum over ~1,250 days and a bounded scalar optimisation (``xatol`` 1e-8 on log(nu - 2)):
#: another CPU, BLAS or SciPy build moves the last printed digits (nu 4.1616596 here,
#: 4.1616593 there: 7e-8 relative). 1e-6 relative is 10x that and far below any change of
#: data or method, which moves the values at 1e-3 or more.
CHECK_RTOL = 1e-6

#: A float literal standing alone (not part of a name or a hex checksum such as 9836e067).
_FLOAT = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])"
    r"|(?<![\w.])[-+]?\d+[eE][-+]?\d+(?![\w.])"
)


def _last_digit_unit(token: str) -> float:
    """One unit in the last printed place of a float literal (``0.1693`` -> 1e-4)."""
    mant, _, exp = token.lower().partition("e")
    decimals = len(mant.split(".", 1)[1]) if "." in mant else 0
    return 10.0 ** (int(exp or 0) - decimals)


def lines_match(old: str, fresh: str, *, rtol: float = CHECK_RTOL) -> bool:
    """Whether two rendered lines agree: text exactly, float literals within tolerance.

    A float literal may differ by ``rtol`` relative plus one unit in its last printed
    place (a value that sits on a rounding boundary prints either way). Everything else
    (names, dates, checksums, integers) must be identical.
    """
    a_tokens, b_tokens = _FLOAT.findall(old), _FLOAT.findall(fresh)
    if _FLOAT.sub("#", old) != _FLOAT.sub("#", fresh) or len(a_tokens) != len(b_tokens):
        return False
    for a, b in zip(a_tokens, b_tokens, strict=True):
        x, y = float(a), float(b)
        slack = rtol * max(abs(x), abs(y)) + max(_last_digit_unit(a), _last_digit_unit(b))
        if not abs(x - y) <= slack:
            return False
    return True


def check_calibration(cal: Calibration, path: str | Path | None = None) -> tuple[bool, str]:
    """Compare the file at ``path`` with a freshly rendered calibration.

    Numbers are compared as numbers within :data:`CHECK_RTOL` (plus one unit in the last
    printed digit), never as text, so the check holds on any CPU or BLAS; text (names,
    dates, data vintage) must be identical.

    Returns:
        (up to date, a one-line explanation; on a mismatch the first differing line).
    """
    target = Path(path) if path is not None else default_path()
    fresh = render_toml(cal)
    if not target.is_file():
        return False, f"{target} does not exist; run `bubblemachine calibrate`"
    old = target.read_text(encoding="utf-8")
    old_lines, fresh_lines = old.splitlines(), fresh.splitlines()
    for k, (a, b) in enumerate(zip(old_lines, fresh_lines, strict=False), start=1):
        if not lines_match(a, b):
            return False, f"{target} is stale at line {k}: committed {a!r}, fresh {b!r}"
    if len(old_lines) != len(fresh_lines):
        return False, f"{target} is stale (length differs); run `bubblemachine calibrate`"
    return True, f"{target} is up to date (numbers within rtol {CHECK_RTOL:g})"
