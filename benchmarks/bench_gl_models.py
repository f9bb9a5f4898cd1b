"""Benchmark the shipped Godley & Lavoie models on the SFC engine.

For each textbook model: load + compile; one path of 100 and 1000 periods; 1000 paths x 100
periods (uncertain propensity to consume); every run checked (matrices, hidden identities)
by the engine as it solves. Prints a table (median of N runs, seconds).

    .venv/bin/python benchmarks/bench_gl_models.py            # 3 runs each
    .venv/bin/python benchmarks/bench_gl_models.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time

# model -> the parameter drawn per path in the Monte Carlo column, with its (low, high)
MODELS = {
    "sim": ("alpha1", 0.5, 0.7),
    "simex": ("alpha1", 0.5, 0.7),
    "pc": ("alpha1", 0.5, 0.7),
    "lp1": ("alpha1", 0.75, 0.85),
    "reg": ("alpha1N", 0.5, 0.7),
    "bmw": ("alpha1", 0.7, 0.8),
    "dis": ("alpha1", 0.75, 0.85),
}


def _median(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    import bubblemachine as bm
    from bubblemachine.sfc import compile_model, scenario_from_dict

    rows = []
    for name, (par, lo, hi) in MODELS.items():
        t_load = _median(lambda name=name: compile_model(bm.load_model(name)), args.runs)
        cm = compile_model(bm.load_model(name))
        t100 = _median(lambda cm=cm: bm.simulate(cm, periods=100, progress=False), args.runs)
        t1000 = _median(lambda cm=cm: bm.simulate(cm, periods=1000, progress=False), args.runs)
        scen = scenario_from_dict(
            {
                "scenario": {"name": "mc"},
                "uncertain": {par: {"dist": "uniform", "low": lo, "high": hi}},
            }
        )
        tmc = _median(
            lambda cm=cm, scen=scen: bm.simulate(
                cm, scen, periods=100, paths=1000, seed=1, progress=False
            ),
            args.runs,
        )
        n_eq = len(cm.model.equations)
        rows.append((name, n_eq, t_load, t100, t1000, tmc))

    print(
        f"{'model':<6} {'eqs':>4} {'load+compile':>13} {'1x100':>9} {'1x1000':>9} {'1000x100 MC':>12}"
    )
    for name, n_eq, a, b, c, d in rows:
        print(f"{name:<6} {n_eq:>4} {a:>12.3f}s {b:>8.3f}s {c:>8.3f}s {d:>11.3f}s")


if __name__ == "__main__":
    main()
