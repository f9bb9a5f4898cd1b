"""Sweeps and ensembles on each backend: serial, process pool, Ray (if installed).

Usage::

    .venv/bin/python benchmarks/bench_sfc_sweep.py [--quick] [--workers N] [--no-ray]

Two workloads on model SIM with per-path uncertain alpha1, theta:

- **sweep**: ``bubblemachine.sweep`` over ``alpha2 x G`` (4 x 4 = 16 points), 2,000 paths x
  200 periods per point, every variable written to Parquet shards (wall time from call to
  manifest, pool / Ray start-up included and also shown separately);
- **ensemble**: one ``simulate`` of 20,000 paths x 200 periods with ``backend=...``.

Every backend must give bit-identical results (checked). ``--quick`` (or
``BUBBLEMACHINE_BENCH_QUICK=1``) uses 500 paths per point and 5,000 ensemble paths.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Backends: sweep and ensemble timings")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args(argv)
    quick = args.quick or os.environ.get("BUBBLEMACHINE_BENCH_QUICK") == "1"
    pp, ens = (500, 5_000) if quick else (2_000, 20_000)
    T = 200

    import numpy as np

    from bubblemachine import sfc
    from bubblemachine.sfc.backends import ProcessBackend, RayBackend
    from bubblemachine.sfc.sweeps import sweep

    scenario = sfc.scenario_from_dict({
        "scenario": {"name": "sweep bench"},
        "uncertain": {"alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7},
                      "theta": {"dist": "uniform", "low": 0.15, "high": 0.25}},
    })
    cm = sfc.compile_model(sfc.load_model("sim"))
    grid = {"alpha2": [0.3, 0.35, 0.4, 0.45], "Gd": [15.0, 20.0, 25.0, 30.0]}
    backends = [("serial", lambda: None), (f"process x{args.workers}", lambda: ProcessBackend(workers=args.workers))]
    if not args.no_ray:
        try:
            import ray  # noqa: F401

            backends.append((f"ray x{args.workers} (local)", lambda: RayBackend(workers=args.workers)))
        except ImportError:
            print("ray not installed: skipped", file=sys.stderr)
    rows = []
    ref_sweep = ref_ens = None
    ok = True
    for name, make in backends:
        tmp = tempfile.mkdtemp(prefix="bm-sweep-bench-")
        try:
            t0 = time.perf_counter()
            be = make()
            if be is not None:  # start the pool / Ray now, to report start-up separately
                list(be.map(_noop, range(args.workers)))
            t_start = time.perf_counter() - t0
            t0 = time.perf_counter()
            res = sweep(cm, grid, scenario=scenario, paths=pp, periods=T, seed=1, out=f"{tmp}/sw",
                        backend=be, progress=False)
            t_sweep = time.perf_counter() - t0
            t0 = time.perf_counter()
            r = sfc.simulate(cm, scenario, paths=ens, periods=T, seed=2, backend=be, progress=False)
            t_ens = time.perf_counter() - t0
            final = res.summary("Y")["mean"].to_numpy()
            if ref_sweep is None:
                ref_sweep, ref_ens = final, r.data
            else:
                same = np.array_equal(final, ref_sweep) and np.array_equal(r.data, ref_ens)
                ok &= same
                name += "" if same else " (DIFFERENT RESULTS)"
            if be is not None:
                be.close()
            rows.append((name, t_start, t_sweep, t_ens))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"# Backends on SIM ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})\n")
    print(f"| backend | start-up | sweep 16 points x {pp:,} paths x {T} periods (to Parquet) | ensemble {ens:,} paths x {T} periods |")
    print("|---|---:|---:|---:|")
    for name, a, b, c in rows:
        print(f"| {name} | {a:.2f} s | {b:.2f} s | {c:.2f} s |")
    print(f"\nidentical results on every backend: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


def _noop(shared, task):
    return task


if __name__ == "__main__":
    sys.exit(main())
