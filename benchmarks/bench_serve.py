"""Benchmark the playground: a What-if with 500 paths over 252 business days, end to end over HTTP.

Target (issue 13): about 2 s on 2 cores once the server is warm (the model compiled and the
baseline of the same size computed at start-up, as ``bubblemachine serve`` does). Measured:
POST /whatif/run, then polling /whatif/job/<id> every 50 ms until the charts' page fragment
comes back; each run moves one slider so nothing is cached. CPU time is this process's
(all threads: the server and the simulation run in it).

    .venv/bin/python benchmarks/bench_serve.py            # 5 runs
    .venv/bin/python benchmarks/bench_serve.py --runs 3 --paths 1000
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--paths", type=int, default=500)
    ap.add_argument("--horizon", type=int, default=252)
    args = ap.parse_args(argv)
    from fastapi.testclient import TestClient

    from bubblemachine.data.store import Store
    from bubblemachine.web.app import create_app

    tmp = tempfile.TemporaryDirectory(prefix="bm-bench-serve-")
    t0, c0 = time.perf_counter(), time.process_time()
    app = create_app(store=Store(Path(tmp.name)), warm=False)
    client = TestClient(app)
    form = {"content-type": "application/x-www-form-urlencoded"}

    def run(body: str) -> tuple[float, float]:
        w0, p0 = time.perf_counter(), time.process_time()
        r = client.post("/whatif/run", content=body, headers=form)
        job = re.search(r"/whatif/job/([0-9a-f-]+)", r.text)
        if job is None:
            raise SystemExit(f"run refused: {r.status_code} {r.text[:300]}")
        while True:
            r = client.get(f"/whatif/job/{job.group(1)}")
            if "whatif-result" in r.text:
                break
            if 'role="alert"' in r.text:
                raise SystemExit(r.text[:500])
            time.sleep(0.05)
        return time.perf_counter() - w0, time.process_time() - p0

    base = f"paths={args.paths}&horizon={args.horizon}"
    cold = run(f"scenario=shutdown&{base}")  # compiles the model, runs the baseline and the scenario
    print(f"start-up + first run (compile, baseline, scenario): {cold[0]:.2f} s wall, {cold[1]:.2f} s CPU "
          f"(server created in {time.perf_counter() - t0 - cold[0]:.2f} s)")
    walls, cpus = [], []
    for i in range(args.runs):
        value = 760 + 40 * (i % 5)  # a different TGA target each time: nothing cached
        w, c = run(f"scenario=shutdown&{base}&p.tga_target={value}")
        walls.append(w)
        cpus.append(c)
        print(f"  run {i + 1}: {w:.2f} s wall, {c:.2f} s CPU")
    print(f"what-if {args.paths} paths x {args.horizon} days, warm: median {statistics.median(walls):.2f} s wall, "
          f"{statistics.median(cpus):.2f} s CPU (target ~2 s on 2 cores)")
    print(f"load average: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()}); total CPU {time.process_time() - c0:.1f} s")
    client.close()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
