"""Where every mechanism of the catalogue lives in a model directory: file:line of its equations.

Usage::

    .venv/bin/python scripts/mechanism_table.py [MODEL_DIR] [--catalogue MECHANISMS.md]
    .venv/bin/python scripts/mechanism_table.py --sizes [--paths 200]   # the table of docs/ai-model.md

Prints a Markdown table, one row per M-item of the catalogue (``M1.1`` ... ``M7.7``): the
equations (``file:line name``) whose comment block or ``doc`` cites the id, and the parameters
whose record names it (``mechanism = "M4.1"``). A comment cites the ids for the equations that
follow it until the next blank line; a parameter cites only the ids of its record's
``mechanism``. Items nothing cites are listed as MISSING.

``--sizes`` prints the mechanism table of ``docs/ai-model.md`` (issue 11): per item the
equations (file:line), the flows it moves (from which sector to which, :data:`FLOWS`) and its
size on a named scenario (:data:`SIZES`): the median over paths of the paired difference
scenario - baseline (same seed, common random numbers) of one variable, as a log change for
prices (x100: %), a difference for rates (pp) and levels, or the sum over the run for flows
(USD bn).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ID = re.compile(r"\bM\d+\.\d+\b")
RANGE = re.compile(r"\bM(\d+)\.(\d+)\s*[-–]\s*M?(\d+)\.(\d+)\b")
EQ = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(".*"|\{.*\})')


def ids_in(text: str) -> set[str]:
    """Mechanism ids cited in a text, ranges (``M4.1-M4.5``) expanded."""
    out = set(ID.findall(text))
    for a, b, c, d in RANGE.findall(text):
        if a == c or c == b:  # M4.1-M4.5 or M4.1-4.5
            major = a
            for minor in range(int(b), int(d) + 1):
                out.add(f"M{major}.{minor}")
    return out


def scan(model_dir: Path) -> dict[str, list[str]]:
    """M-id -> ["file:line name", ...] for equations and parameters citing it."""
    found: dict[str, list[str]] = {}
    for f in sorted(model_dir.glob("*.toml")):
        table = ""
        context: set[str] = set()
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            s = line.strip()
            if s.startswith("["):
                table, context = s, set()
                continue
            if not s:
                context = set()
                continue
            if s.startswith("#"):
                context = context | ids_in(s)
                continue
            m = EQ.match(s)
            if not m:
                continue
            name, body = m.group(1), m.group(2)
            kind = "param" if table in ("[parameters]", "[exogenous]") else "eq"
            if kind == "param":  # a record names its mechanisms; section comments do not count
                mech = re.search(r'mechanism\s*=\s*(\[[^\]]*\]|"[^"]*")', body)
                cited = ids_in(mech.group(1)) if mech else set()
            else:
                cited = set(context) | ids_in(body)
            for mid in cited:
                found.setdefault(mid, []).append(f"{f.name}:{i} {name}" + (" (param)" if kind == "param" else ""))
    return found


#: id -> the flows the mechanism moves (from -> to), in the model's sectors.
FLOWS: dict[str, str] = {
    "M1.1": "Treasury -> chip vendors, energy, suppliers (o_strat_v/e/s); policy premium on their prices",
    "M1.2": "Treasury withholds pay and contracts (wage earners, firms): TGA up, reserves down",
    "M1.3": "Treasury -> wage earners (backlog, hh_transfer); Fed purchases -> asset owners",
    "M1.4": "transfers -> wage earners -> retail crypto (ETH-heavy); strategic outlays -> mid-cap suppliers",
    "M1.5": "state stakes re-rate chips, mid-cap AI, energy (policy_premium)",
    "M1.6": "asset owners -> ETH (staking-ETF inflows)",
    "M2.1": "Fed <-> asset owners (purchases, runoff, calibrated noise): reserves, net liquidity",
    "M2.2": "asset owners -> hyperscalers (IG bonds), backers -> AI labs (private credit)",
    "M2.3": "AI and Treasury paper vs the slack pools (asset owners' idle money, banks' reserves above ample, ON RRP): asset owners -> hyperscalers/Treasury from deposits and MMF shares, MMF <- Fed (ON RRP), banks -> Treasury; the rest clears through the term premium and IG/HY",
    "M2.4": "Fed -> asset owners (coupon purchases): term premium down",
    "M2.5": "policy path (2-year) and QT restart: Fed <- asset owners",
    "M2.6": "Treasury -> MMF (bills, from ON RRP first) vs asset owners and banks (coupons); TGA to target",
    "M2.7": "Taylor news on inflation and unemployment, priced by the 2-year unless a scenario pins policy",
    "M3.1": "discount-rate changes by duration to every price (rev_* terms)",
    "M4.1": "hyperscalers -> AI labs -> chip vendors and hyperscalers (lab_inv_h, lab_gpu, lab_cloud); lab raises at marks (backers, asset owners -> labs)",
    "M4.2": "firms -> hyperscalers (ent_compute), labs' revenue",
    "M4.3": "labs' spending vs their cash: calls on backers, orders cut",
    "M4.4": "hyperscalers' capex -> vendors' revenue; users bear depreciation (earnings)",
    "M4.5": "compute intensity: capex and lab orders to vendors",
    "M4.6": "belief shock -> lab marks -> raises (asset owners -> labs) -> orders",
    "M4.7": "firms -> hyperscalers (enterprise AI), half wasted; premium on the rest of the index",
    "M4.8": "lab funding beyond the priced pace crowds other investment out of output",
    "M4.9": "vendors lose China revenue (chips, memory)",
    "M4.10": "firms -> software (enterprise spending) less agentic substitution",
    "M5.1": "backers -> AI labs (calls), backers -> asset owners (forced sales of BTC, SaaS, M7 stakes)",
    "M5.2": "hedge funds -> asset owners (sales), backers/asset owners redeem from hedge funds; VaR deleveraging",
    "M6.1": "vol-target funds <-> asset owners (equities)",
    "M6.2": "CTAs <-> asset owners (equities)",
    "M6.3": "stop-loss sellers at round levels (between asset owners: price pressure in the CTA group, transient)",
    "M6.4": "firms, hyperscalers -> asset owners (buybacks), paused in blackouts",
    "M6.5": "dealers' gamma; VIX vs VIX3M (hedging demand)",
    "M6.6": "rate-cut odds from the 2-year and Fed speak",
    "M7.1": "AI capex vs the real economy's output",
    "M7.2": "firms -> wage earners (wages follow employment, displaced by the AI capital stock)",
    "M7.3": "wage earners vs asset owners: consumption out of income vs wealth",
    "M7.4": "data-centre load vs grid: electricity price, power cap on capex (hyperscalers -> vendors, energy, suppliers)",
    "M7.5": "wage earners' and asset owners' spending: food -> healthcare",
    "M7.6": "Treasury -> wage earners (backlash transfers, issuance-financed)",
    "M7.7": "cost push and the output gap -> price level -> wage earners' real consumption",
}

#: id -> (scenario or {lever: value or path}, variable, how, period). how: "log" (x100, %),
#: "diff" (units), "sum" (sum over periods 1..T of the difference, USD bn), "mean" (the mean
#: over paths of the difference, for a bounded series that sits at its bounds on most paths).
SIZES: dict[str, tuple] = {
    "M1.1": ("shutdown", "outlays_strategic", "sum", 85),
    "M1.2": ("shutdown", "tga", "diff", 85),
    "M1.3": ("reopening_wave", "o_w", "sum", 252),
    "M1.4": ("reopening_wave", "midcap_ai", "log", 252),
    "M1.5": ({"state_stakes": ("path", 0.1, 20)}, "chips", "log", 25),
    "M1.6": ({"eth_etf_open": ("path", 1.0, 20)}, "eth", "log", 252),
    "M2.1": ("qe_restart", "net_liquidity", "diff", 252),
    "M2.2": ("reverse_qe", "ai_bond_issuance", "sum", 252),
    "M2.3": ("reverse_qe", "ig_oas", "diff", 252),
    "M2.4": ("qe_restart", "ust10y", "diff", 252),
    "M2.5": ("hawkish_chair", "ust2y", "diff", 252),
    "M2.6": ("tariff_dividend", "bills_mmf", "diff", 252),
    "M2.7": ("ai_capex_stop", "ust2y", "diff", 252),
    "M3.1": ("reverse_qe", "software", "log", 252),
    "M4.1": ("circular_unwind", "chips", "log", 252),
    "M4.2": ({"compute_intensity": ("step", 1.2, 20)}, "ent_compute", "sum", 252),
    "M4.3": ("openai_funding_gap", "lab_spend", "sum", 252),
    "M4.4": ("ai_capex_stop", "e_chips", "log", 252),
    "M4.5": ("deepseek_shock", "chips", "log", 30),
    "M4.6": ("agi_euphoria", "lab_mark", "log", 252),
    "M4.7": ({"compute_intensity": ("step", 1.2, 20)}, "ai_wash_premium", "sum100", 252),
    "M4.8": ("agi_euphoria", "vc_drain", "sum", 252),
    "M4.9": ("china_ai_race", "chips", "log", 30),
    "M4.10": ({"capex_growth": 0.6}, "e_software", "log", 252),
    "M5.1": ("capital_call_cascade", "btc", "log", 60),
    "M5.2": ("vol_shock", "hf_sales", "sum", 120),
    "M6.1": ("vol_shock", "spx", "log", 25, "vol_shock_no_systematic"),
    "M6.2": ("vol_shock", "cta_flow", "sum", 120),
    "M6.3": ("vol_shock", "stop_flow", "sum", 120),
    "M6.4": ("buyback_blackout", "spx", "log", 252),
    "M6.5": ("vol_shock", "vix_ratio", "diff", 21),
    "M6.6": ("reopening_wave", "cut_odds", "mean", 60),
    "M7.1": ("ai_capex_stop", "gdp", "log", 252),
    "M7.2": ("ai_capex_stop", "unemployment", "diff", 252),
    "M7.3": ("tariff_dividend", "consumption_wage_earners", "log", 80),
    "M7.4": ("agi_euphoria", "energy_shortfall", "diff", 252),
    "M7.5": ("glp1_shift", "e_food", "log", 252),
    "M7.6": ("cost_of_living", "backlash_transfer", "sum", 252),
    "M7.7": ("cost_of_living", "real_cons_w", "log", 252),
}
UNITS = {"log": "%", "diff": "", "sum": " USD bn", "sum100": "% (log, summed)", "mean": " (mean over paths)"}


def sizes(paths: int = 200, seed: int = 20251114, periods: int = 252) -> dict[str, str]:
    """id -> its size on the named scenario (text), computed as documented above."""
    import numpy as np

    import bubblemachine as bm
    from bubblemachine.scenarios import scenario_path
    from bubblemachine.scenarios.compare import paired_difference
    from bubblemachine.sfc import compile_model

    model = compile_model(bm.load_model("ai_liquidity"))
    runs: dict[str, object] = {}

    def run(spec):
        key = repr(spec)
        if key not in runs:
            if isinstance(spec, str):
                runs[key] = bm.simulate(model, bm.load_scenario(scenario_path(spec)), periods=periods, paths=paths,
                                        seed=seed, progress=False)
            else:
                st = {}
                for k, v in (spec or {}).items():
                    if isinstance(v, tuple) and v[0] == "path":
                        st[k] = tuple([0.0] * v[2] + [v[1]] * (periods + 1 - v[2]))
                    elif isinstance(v, tuple) and v[0] == "step":
                        st[k] = tuple([1.0] * v[2] + [v[1]] * (periods + 1 - v[2]))
                    else:
                        st[k] = v
                runs[key] = bm.simulate(model, None, periods=periods, paths=paths, seed=seed, set=st or None,
                                        progress=False)
        return runs[key]

    out = {}
    for mid, spec in SIZES.items():
        scen, var, how, t = spec[:4]
        base = spec[4] if len(spec) > 4 else "baseline"
        a, b = np.asarray(run(scen)[var]), np.asarray(run(base)[var])
        if how == "mean":
            v = float(np.mean(paired_difference(a, b, t)))
        else:
            d = paired_difference(a, b, t, how={"log": "log", "diff": "diff"}.get(how, "sum"))
            v = (100 if how in ("log", "sum100") else 1) * float(np.median(d))
        name = scen if isinstance(scen, str) else ", ".join(f"{k} {v[1] if isinstance(v, tuple) else v}" for k, v in scen.items())
        vs = "" if base == "baseline" else f" vs {base}"
        out[mid] = f"`{name}`{vs}: `{var}` {v:+.3g}{UNITS[how]} (t={t})"
    return out


def catalogue(path: Path) -> list[tuple[str, str]]:
    """(id, first line of its description) for every M-item of MECHANISMS.md."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^- (M\d+\.\d+) (.*)", line)
        if m:
            out.append((m.group(1), m.group(2)[:90]))
    return out


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Where every M-item of the catalogue lives in a model directory.")
    ap.add_argument("model_dir", nargs="?", default=str(Path(__file__).resolve().parents[1] / "src/bubblemachine/models/ai_liquidity"))
    ap.add_argument("--catalogue", default="../shared/MECHANISMS.md")
    ap.add_argument("--sizes", action="store_true", help="add the flows and the size on a named scenario (runs the model)")
    ap.add_argument("--paths", type=int, default=200)
    a = ap.parse_args(argv)
    cat = Path(a.catalogue)
    found = scan(Path(a.model_dir))
    size = sizes(paths=a.paths) if a.sizes else {}
    if a.sizes:
        print("| id | mechanism | equations and parameters (file:line) | flows (from -> to) | size on a named scenario |")
        print("|---|---|---|---|---|")
    else:
        print("| id | mechanism | equations and parameters (file:line) |")
        print("|---|---|---|")
    for mid, text in catalogue(cat):
        where = found.get(mid)
        n = 6 if a.sizes else 12
        cell = "MISSING" if not where else ", ".join(f"`{w}`" for w in where[:n]) + (f" (+{len(where) - n} more)" if len(where) > n else "")
        if a.sizes:
            print(f"| {mid} | {text} | {cell} | {FLOWS.get(mid, '')} | {size.get(mid, '')} |")
        else:
            print(f"| {mid} | {text} | {cell} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
