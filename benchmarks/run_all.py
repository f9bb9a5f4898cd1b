"""Run every ``benchmarks/bench_*.py`` in turn (what ``make bench`` calls).

Usage::

    .venv/bin/python benchmarks/run_all.py [--quick] [--only PATTERN ...]

Each script runs in its own process with this interpreter, its output streamed as it comes;
a summary table (script, seconds, exit code) is printed at the end. ``--quick`` sets
``BUBBLEMACHINE_BENCH_QUICK=1``, which scripts that support it read to run a smaller, labelled
size. The results are copied into ``docs/benchmarks.md`` by hand (each engineer owns a section).
Exit code: 0 if every script succeeded, else 1.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Run every benchmarks/bench_*.py")
    ap.add_argument("--quick", action="store_true", help="set BUBBLEMACHINE_BENCH_QUICK=1 (smaller sizes where supported)")
    ap.add_argument("--only", nargs="*", default=None, help="glob(s) on the script name, e.g. 'bench_sfc_*'")
    args = ap.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if any(fnmatch.fnmatch(s.name, p) or fnmatch.fnmatch(s.stem, p) for p in args.only)]
    if not scripts:
        print("no benchmark matched", file=sys.stderr)
        return 1
    env = dict(os.environ)
    if args.quick:
        env["BUBBLEMACHINE_BENCH_QUICK"] = "1"
    rows = []
    for script in scripts:
        print(f"\n===== {script.name} =====", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent, env=env)
        rows.append((script.name, time.perf_counter() - t0, rc))
    print("\n| benchmark | seconds | exit code |\n|---|---:|---:|")
    for name, dt, rc in rows:
        print(f"| {name} | {dt:.1f} | {rc} |")
    return 0 if all(rc == 0 for _, _, rc in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
