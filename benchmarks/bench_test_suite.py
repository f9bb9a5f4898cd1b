"""How long the test suite takes: serially, and in parallel as ``make test`` runs it.

Runs ``pytest`` (the whole suite, the default selection: no network) once with ``-n 0``
(serial) and once with ``-n <cores> --dist loadgroup`` (``make test``), and ``make
test-fast``'s selection (``-m "not slow"``) in parallel; prints wall time, the CPU time of the
pytest process tree (user + system, from ``resource.getrusage(RUSAGE_CHILDREN)``), the load
average before and after, and pytest's summary line. CPU time is the figure to compare on a
shared machine: wall time moves with the load, CPU time much less.

Usage::

    .venv/bin/python benchmarks/bench_test_suite.py [--skip-serial] [--workers N]
    .venv/bin/python benchmarks/bench_test_suite.py --by-file /tmp/cpu   # after a run with
        BUBBLEMACHINE_TEST_CPU=/tmp/cpu: CPU seconds per test file, largest first

``BUBBLEMACHINE_BENCH_QUICK=1`` runs only the parallel ``test-fast`` selection.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(label: str, args: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=ROOT,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = next((ln for ln in reversed(proc.stdout.splitlines()) if " in " in ln and ("passed" in ln or "failed" in ln)), "")
    row = {"label": label, "wall": wall, "cpu": cpu, "load": (load0[0], os.getloadavg()[0]), "rc": proc.returncode,
           "summary": summary.strip("= ")}
    print(f"{label}: wall {wall:.0f} s, CPU {cpu:.0f} s, load {row['load'][0]:.1f} -> {row['load'][1]:.1f}, "
          f"exit {proc.returncode}: {row['summary']}", flush=True)
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-serial", action="store_true", help="do not time the serial run")
    ap.add_argument("--workers", default=str(os.cpu_count() or 2), help="xdist workers for the parallel runs")
    ap.add_argument("--by-file", metavar="PREFIX", help="only summarise the per-test CPU logs PREFIX.* by file")
    args = ap.parse_args(argv)
    if args.by_file:
        return _by_file(args.by_file)
    quick = os.environ.get("BUBBLEMACHINE_BENCH_QUICK") == "1"
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    rows = []
    par = ["-n", args.workers, "--dist", "loadgroup"]
    if not quick:
        if not args.skip_serial:
            rows.append(_run("whole suite, serial (-n 0)", ["-n", "0"]))
        rows.append(_run(f"whole suite, make test (-n {args.workers})", par))
    rows.append(_run(f"make test-fast (-n {args.workers}, not slow)", [*par, "-m", "not slow and not network"]))
    print("\n| run | wall s | CPU s | load before -> after | result |\n|---|---:|---:|---|---|")
    for r in rows:
        print(f"| {r['label']} | {r['wall']:.0f} | {r['cpu']:.0f} | {r['load'][0]:.1f} -> {r['load'][1]:.1f} | {r['summary']} |")
    return 0 if all(r["rc"] == 0 for r in rows) else 1


def _by_file(prefix: str) -> int:
    import glob
    from collections import defaultdict

    own: dict[str, float] = defaultdict(float)
    kids: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for path in glob.glob(prefix + ".*"):
        for line in open(path, encoding="utf-8"):
            node, a, b = line.rstrip("\n").rsplit("\t", 2)
            f = node.split("::")[0]
            own[f] += float(a)
            kids[f] += float(b)
            count[f] += 1
    total = sum(own.values()) + sum(kids.values())
    print("| file | tests | CPU s (pytest) | CPU s (subprocesses) | share |\n|---|---:|---:|---:|---:|")
    for f in sorted(own, key=lambda k: own[k] + kids[k], reverse=True):
        share = (own[f] + kids[f]) / total if total else 0
        print(f"| {f} | {count[f]} | {own[f]:.1f} | {kids[f]:.1f} | {share:.1%} |")
    print(f"| **all** | {sum(count.values())} | {sum(own.values()):.1f} | {sum(kids.values()):.1f} | 100% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
