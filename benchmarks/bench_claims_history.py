"""Benchmark: ``claims --history --every year`` on the embedded snapshot (target <= 2 min on 2 cores).

Run: ``.venv/bin/python benchmarks/bench_claims_history.py [--repeat 2] [--every year|quarter]``

Each run starts a fresh Python process (imports, Parquet reads, worker start-up: nothing
cached, the report's cache not used) and computes the point-in-time history of every claim,
once on the ``process`` backend with 2 workers and once ``serial`` in one process, side by
side. Wall time and CPU time (the process and every worker it waited for) are reported; the
machine is shared, so read the CPU time next to the wall time. ``BUBBLEMACHINE_BENCH_QUICK=1``
starts the history in 2020 instead of 2005.
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

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from bubblemachine.claims import claims_history
from bubblemachine.data import Store
store = Store(sys.argv[1])
t1 = time.perf_counter()
hist = claims_history(store, every=sys.argv[2], start=sys.argv[3], backend=sys.argv[4], workers=int(sys.argv[5]))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "history_s": t2 - t1, "dates": len(hist.dates), "claims": len(hist.ids),
                  "backend": hist.backend, "workers": hist.workers}))
"""


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(every: str, start: str, backend: str, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, BUBBLEMACHINE_HOME=home)
        c0, t0 = _cpu(), time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, home, every, start, backend, str(workers)],
                             capture_output=True, text=True, check=True, env=env)  # fmt: skip
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
    d = json.loads(out.stdout.strip().splitlines()[-1])
    return d | {"wall_s": wall, "cpu_s": cpu}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--every", choices=("year", "quarter"), default="year")
    args = ap.parse_args()
    start = "2020-12-31" if os.environ.get("BUBBLEMACHINE_BENCH_QUICK") else "2005-12-31"
    print(f"machine: {platform.machine()} {platform.system()} | python {platform.python_version()} | cores: {os.cpu_count()} | "
          f"load: {os.getloadavg()[0]:.1f} | history every {args.every} from {start}")  # fmt: skip
    print(f"{'backend':>8} {'workers':>7} {'dates':>5} {'claims':>6} {'process wall (s)':>16} {'CPU, all processes (s)':>22} {'history only (s)':>16}")
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for backend, workers in (("process", 2), ("serial", 1)):
            d = run(args.every, start, backend, workers)
            print(f"{backend:>8} {workers:>7} {d['dates']:>5} {d['claims']:>6} {d['wall_s']:>16.1f} {d['cpu_s']:>22.1f} {d['history_s']:>16.1f}", flush=True)
            best[backend] = min(best.get(backend, float("inf")), d["wall_s"])
    print(f"best wall: process x2 {best['process']:.1f} s, serial {best['serial']:.1f} s "
          f"(speed-up {best['serial'] / best['process']:.2f}x; target: process x2 <= 120 s)")  # fmt: skip


if __name__ == "__main__":
    main()
