"""Benchmark: every claim test on the full embedded snapshot (target <= 30 s, no cache).

Run: ``.venv/bin/python benchmarks/bench_claims.py [--repeat 3]``

Each repeat starts a fresh Python process (imports, Parquet reads and all tests: nothing
cached between repeats), runs ``run_claims()`` on all data and reports the wall time, plus
the slowest claims of the last repeat.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time

CHILD = r"""
import json, time
t0 = time.perf_counter()
from bubblemachine.claims import registry, run_claims
from bubblemachine.data import open_store
store = open_store()
t1 = time.perf_counter()
per = {}
reg = registry.load()
for c in reg.values():
    s = time.perf_counter()
    run = run_claims(store, ids=[c.id])
    per[c.id] = time.perf_counter() - s
t2 = time.perf_counter()
run = run_claims(store)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "claims_each_s": t2 - t1, "claims_all_s": t3 - t2, "per": per, "n": len(run.results), "counts": run.counts()}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t
        d = json.loads(out.stdout.strip().splitlines()[-1])
        d["wall_s"] = wall
        rows.append(d)
    print(f"machine: {platform.machine()} {platform.system()} | python {platform.python_version()} | claims: {rows[0]['n']}")
    print(f"{'repeat':>6} {'process wall (s)':>17} {'imports+store (s)':>18} {'first pass, one claim at a time (s)':>36} {'all claims, one call (s)':>25}")
    for i, d in enumerate(rows, 1):
        print(f"{i:>6} {d['wall_s']:>17.2f} {d['import_s']:>18.2f} {d['claims_each_s']:>36.2f} {d['claims_all_s']:>25.2f}")
    best = min(d["import_s"] + d["claims_each_s"] for d in rows)
    print(f"best cold time (imports + every claim, first pass): {best:.2f} s (target <= 30 s)")
    print("slowest claims (last repeat, first pass):")
    for cid, s in sorted(rows[-1]["per"].items(), key=lambda kv: -kv[1])[:6]:
        print(f"  {cid:<20} {s:.2f} s")
    print(f"verdicts: {rows[-1]['counts']}")


if __name__ == "__main__":
    main()
