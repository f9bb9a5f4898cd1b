"""The table of every scenario's answer in docs/scenarios.md (issue 11, item 6).

Usage::

    .venv/bin/python scripts/scenario_table.py [--paths 300] [--seed 20251114]

Prints a Markdown table: for every bundled scenario of the AI model, the median over paths of
the paired difference scenario - baseline after 252 business days (same seed: common random
numbers); prices as log change in %, yields and spreads in pp, net liquidity in USD bn, capex
in USD bn a quarter, GDP as log change in %, unemployment in pp, wage earners' real
consumption as log change in %.
"""

from __future__ import annotations

import argparse

import numpy as np

COLUMNS = (("spx", "log"), ("chips", "log"), ("m7", "log"), ("software", "log"), ("btc", "log"),
           ("ust10y", "pp"), ("ig_oas", "pp"), ("net_liquidity", "bn"), ("ai_capex", "bn"),
           ("output", "log"), ("unemployment", "pp"), ("real_cons_w", "log"))
HEADER = ("spx", "chips", "m7", "software", "btc", "ust10y", "ig_oas", "net_liquidity", "ai_capex", "gdp",
          "unemployment", "real_cons_w")


def _cell(kind: str, d: float) -> str:
    if kind == "log":
        return f"{100 * d:+.1f}%"
    if kind == "pp":
        return f"{d:+.2f}"
    return f"{d:+.0f}"


def main(argv: list[str] | None = None) -> int:
    from bubblemachine.scenarios import list_scenarios, runner
    from bubblemachine.scenarios.compare import paired_difference

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20251114)
    args = ap.parse_args(argv)
    save = [c for c, _ in COLUMNS]
    base = runner.run("baseline", paths=args.paths, horizon=252, seed=args.seed, save=save)
    print("| scenario | " + " | ".join(HEADER) + " |")
    print("|" + "---|" * (len(HEADER) + 1))
    for name in list_scenarios():
        if name == "baseline":
            continue
        r = runner.run(name, paths=args.paths, horizon=252, seed=args.seed, save=save)
        cells = []
        for col, kind in COLUMNS:
            d = paired_difference(r.arrays[col], base.arrays[col], 252, how="log" if kind == "log" else "diff")
            cells.append(_cell(kind, float(np.median(d))))
        print(f"| `{name}` | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
