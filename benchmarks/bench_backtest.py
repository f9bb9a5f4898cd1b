"""Benchmark: the issue-9 backtest, 2012-2025 quarterly, 500 paths, on the embedded data.

Target (issue 9): <= 10 minutes on 2 cores. Runs

    bubblemachine backtest --start 2012-01-01 --end 2025-11-14 --every quarter --paths 500

through the library with the process backend (2 workers) in a fresh temporary home (so
calibrations are computed, not reused), and prints wall time, CPU time (driver + workers),
origins, and the headline scores. ``BUBBLEMACHINE_BENCH_QUICK=1`` runs 2024-2025 with 100
paths (labelled); ``BUBBLEMACHINE_BENCH_WARM=1`` adds a second run in the same home (calibrations
reused from the user's store).
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import tempfile
import time
from datetime import date


def _cpu() -> float:
    me, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def main() -> int:
    quick = os.environ.get("BUBBLEMACHINE_BENCH_QUICK") == "1"
    start, paths = ("2024-01-01", 100) if quick else ("2012-01-01", 500)
    with tempfile.TemporaryDirectory(prefix="bm-bench-backtest-") as home:
        os.environ["BUBBLEMACHINE_HOME"] = home
        from bubblemachine import paths as bm_paths
        from bubblemachine.backtests import backtest

        bm_paths.set_home(home)
        print(f"# backtest benchmark ({'QUICK ' if quick else ''}{start}..2025-11-14 quarterly, {paths} paths, "
              f"process backend, 2 workers) on {platform.node()} {date.today()}, {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.1f}")
        labels = ["cold (calibrations computed)"]
        if os.environ.get("BUBBLEMACHINE_BENCH_WARM") == "1":
            labels.append("warm (calibrations reused)")
        for label in labels:
            t0, c0 = time.perf_counter(), _cpu()
            r = backtest(start=start, end="2025-11-14", every="quarter", paths=paths, backend="process", workers=2,
                         progress=False)
            # the process backend is a context manager inside backtest(): its workers have
            # exited here, so their CPU is in RUSAGE_CHILDREN
            wall, cpu = time.perf_counter() - t0, _cpu() - c0
            print(f"{label}: wall {wall:.1f} s, CPU {cpu:.1f} s (driver + workers), {len(r.origins)} origins, "
                  f"{len(r.failed)} failed, {len(r.scores)} scores")
        cov = ", ".join(f"{h}: {v:.2f}" for h, v in r.coverage90_priced().items())
        print(f"90% coverage pooled over priced series: {cov}")
        print(r.by_group[["group", "horizon", "skill_rw1y", "skill_rw1y_lo", "skill_rw1y_hi", "coverage90"]]
              .round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
