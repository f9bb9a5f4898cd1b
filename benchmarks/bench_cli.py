"""Benchmark the user-facing commands end to end (subprocess, the .venv's ``bubblemachine``).

Targets: ``bubblemachine run`` <= 10 s, ``bubblemachine --help`` <= 0.5 s (median wall time of
N runs). The CPU column (user + sys of the child) is less sensitive to other jobs on the machine.

    .venv/bin/python benchmarks/bench_cli.py            # 5 runs each
    .venv/bin/python benchmarks/bench_cli.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _exe() -> list[str]:
    for cand in (
        ROOT / ".venv" / "bin" / "bubblemachine",
        Path(sys.executable).with_name("bubblemachine"),
    ):
        if cand.exists():
            return [str(cand)]
    found = shutil.which("bubblemachine")
    return [found] if found else [sys.executable, "-m", "bubblemachine"]


def _time(cmd: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (user + sys of the child) of each run."""
    walls, cpus = [], []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(
            cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        walls.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return walls, cpus


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    exe = _exe()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "BUBBLEMACHINE_HOME": str(Path(tmp) / "home")}
        out = str(Path(tmp) / "out")
        cases = [
            ("bubblemachine --help", [*exe, "--help"], 0.5),
            ("bubblemachine monitor --format json", [*exe, "monitor", "--format", "json"], None),
            ("bubblemachine run", [*exe, "--quiet", "run", "--out", out], 10.0),
            (
                "bubblemachine run --asof 2024-12-31",
                [*exe, "--quiet", "run", "--out", out, "--asof", "2024-12-31"],
                10.0,
            ),
        ]
        subprocess.run(
            [*exe, "--help"], env=env, stdout=subprocess.DEVNULL, check=True
        )  # warm the OS cache
        rows = []
        for name, cmd, target in cases:
            ts, cpu = _time(cmd, env, args.runs)
            med = statistics.median(ts)
            ok = "" if target is None else ("PASS" if med <= target else "FAIL")
            rows.append((name, med, min(ts), max(ts), statistics.median(cpu), target, ok))
        size = (Path(out) / "report.html").stat().st_size
    w = max(len(r[0]) for r in rows)
    print(
        f"{'command':<{w}}  {'median s':>9}  {'min s':>7}  {'max s':>7}  {'cpu s':>7}  {'target s':>8}  ok"
    )
    for name, med, lo, hi, cpu, target, ok in rows:
        tgt = "" if target is None else f"{target:.1f}"
        print(f"{name:<{w}}  {med:>9.3f}  {lo:>7.3f}  {hi:>7.3f}  {cpu:>7.3f}  {tgt:>8}  {ok}")
    load = os.getloadavg()[0]
    print(
        f"runs per command: {args.runs}; report.html size: {size / 1e6:.2f} MB; python {sys.version.split()[0]}; "
        f"{os.cpu_count()} CPUs; load average at the end {load:.1f} (wall times inflate under load; cpu s = user + sys, median)"
    )


if __name__ == "__main__":
    main()
