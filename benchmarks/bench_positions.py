"""Benchmark: the articles' positions on history and under every scenario (issue 12).

Targets: all shipped strategies on full history <= 20 s; every strategy under every bundled
scenario with 1,000 paths <= 2 minutes on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_positions.py [--repeat 2] [--paths 1000]``
(``BUBBLEMACHINE_BENCH_QUICK=1``: 100 paths, one repeat, labelled).

Each measurement runs in a fresh Python process (imports, Parquet reads, the model's
compilation: nothing cached between repeats) with an empty ``BUBBLEMACHINE_HOME``; wall and
CPU time (user + system of the child) are reported, since the machines are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

HISTORY = r"""
import json, time
t0 = time.perf_counter(); c0 = time.process_time()
from bubblemachine.trades.backtest import run_backtest
from bubblemachine.trades.spec import load_strategies
ss = load_strategies()
t1 = time.perf_counter()
bt = run_backtest(ss, progress=False)
t2 = time.perf_counter(); c2 = time.process_time()
print(json.dumps({"import_s": t1 - t0, "backtest_s": t2 - t1, "cpu_s": c2 - c0, "n": len(ss), "counts": bt.counts(),
                  "days": sum(r.metrics.n for r in bt.results if r.metrics is not None)}))
"""

SCENARIOS = r"""
import json, sys, time
paths = int(sys.argv[1])
t0 = time.perf_counter(); c0 = time.process_time()
from bubblemachine.scenarios import list_scenarios
from bubblemachine.trades.scenarios import run_scenarios
from bubblemachine.trades.spec import load_strategies
ss = load_strategies(); names = list_scenarios()
run = run_scenarios(ss, names, paths=paths, progress=False)
t1 = time.perf_counter(); c1 = time.process_time()
print(json.dumps({"wall_in_s": t1 - t0, "cpu_s": c1 - c0, "strategies": len(ss), "scenarios": len(names),
                  "paths": run.paths, "horizon": run.horizon, "winners": run.winners()}))
"""


def child(code: str, *args: str) -> tuple[dict, float, float]:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "BUBBLEMACHINE_HOME": home, "OMP_NUM_THREADS": "1"}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out.stdout.strip().splitlines()[-1]), wall, cpu


def main() -> None:
    quick = os.environ.get("BUBBLEMACHINE_BENCH_QUICK") == "1"
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=1 if quick else 2)
    ap.add_argument("--paths", type=int, default=100 if quick else 1000)
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} cpus, load {load:.1f} | python "
          f"{platform.python_version()} | {time.strftime('%Y-%m-%d')}" + (" | QUICK" if quick else ""))
    print("\nHistory: every shipped strategy on full history (target <= 20 s)")
    print(f"{'repeat':>6} {'process wall (s)':>17} {'process CPU (s)':>16} {'imports (s)':>12} {'backtest (s)':>13}")
    for i in range(1, args.repeat + 1):
        d, wall, cpu = child(HISTORY)
        print(f"{i:>6} {wall:>17.2f} {cpu:>16.2f} {d['import_s']:>12.2f} {d['backtest_s']:>13.2f}")
    print(f"strategies: {d['n']}, daily returns scored: {d['days']:,}, verdicts: {d['counts']}")
    print(f"\nScenarios: every strategy under every bundled scenario, {args.paths} paths (target <= 120 s on 2 cores)")
    print(f"{'repeat':>6} {'process wall (s)':>17} {'process CPU (s)':>16}")
    for i in range(1, args.repeat + 1):
        d, wall, cpu = child(SCENARIOS, str(args.paths))
        print(f"{i:>6} {wall:>17.2f} {cpu:>16.2f}")
    print(f"{d['strategies']} strategies x {d['scenarios']} scenarios x {d['paths']} paths x {d['horizon']} periods")
    print("best position per scenario (median excess return):")
    for scen, sid in d["winners"].items():
        print(f"  {scen:<26} {sid}")


if __name__ == "__main__":
    main()
