"""A large synthetic model: throughput and peak memory of the SFC engine.

Usage::

    .venv/bin/python benchmarks/bench_sfc_large.py                 # full size (long on 2 cores)
    .venv/bin/python benchmarks/bench_sfc_large.py --quick         # 2,000 paths x 126 periods
    .venv/bin/python benchmarks/bench_sfc_large.py --paths 10000 --periods 252 --batch 1000

The model comes from ``synthetic_sfc.py``: ``--equations`` equations (default 500) with
simultaneous blocks of sizes 3, 4, 6, 8 and 10 (nonlinear rings solved by Newton), stocks, a
feed-forward chain of bounded flows and 10 per-period normal shocks. ``--save`` variables
(default 20) are kept for every path and period.

Paths run in batches of ``--batch`` through ``bubblemachine.sfc.run.run_paths`` (the
backends' entry point; numbers are independent of the batching) and each batch is streamed
to a Parquet shard in a temporary directory (``--keep DIR`` to keep them) then dropped, so
memory stays bounded whatever the number of paths: 10,000 x 2,520 x 20 float64 values are
4 GB, more than the 2 GB budget, if held at once. Throughput is path-equation-periods per
second; peak memory is the process's maximum resident set size (``ru_maxrss``), imports
included. With ``--quick`` (or ``BUBBLEMACHINE_BENCH_QUICK=1``) a smaller size runs and the
full size is extrapolated linearly in paths x periods (labelled).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_sfc import synthetic_model_toml  # noqa: E402

FULL = (10_000, 2_520)
QUICK = (2_000, 126)
MEM_BUDGET_MB = 2048


def maxrss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 2**20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Synthetic large-model throughput and memory")
    ap.add_argument("--equations", type=int, default=500)
    ap.add_argument("--paths", type=int)
    ap.add_argument("--periods", type=int)
    ap.add_argument("--save", type=int, default=20, help="variables kept for every path and period")
    ap.add_argument("--batch", type=int, default=1000, help="paths per batch (memory ~ batch x periods x save x 8 bytes)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help=f"{QUICK[0]:,} paths x {QUICK[1]} periods, extrapolated to {FULL[0]:,} x {FULL[1]:,}")
    ap.add_argument("--keep", help="write the shards to this directory and keep them")
    args = ap.parse_args(argv)
    quick = args.quick or os.environ.get("BUBBLEMACHINE_BENCH_QUICK") == "1"
    paths, periods = QUICK if quick else FULL
    paths = args.paths or paths
    periods = args.periods or periods

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bubblemachine.sfc import loads_model
    from bubblemachine.sfc.backends import split_ranges
    from bubblemachine.sfc.compiler import compile_model
    from bubblemachine.sfc.run import run_paths
    from bubblemachine.sfc.spec import resolve_run

    rss0 = maxrss_mb()
    text = synthetic_model_toml(args.equations, seed=0)
    t0 = time.perf_counter()
    model = loads_model(text)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    cm = compile_model(model)
    t_compile = time.perf_counter() - t0
    neq = len(model.equations)
    blocks = sorted(len(b.variables) for b in cm.cycles())
    save = list(model.equations)[:: max(1, neq // args.save)][: args.save]

    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bm-large-"))
    out.mkdir(parents=True, exist_ok=True)
    # warm-up: code generation for this record layout (not counted)
    t0 = time.perf_counter()
    run_paths(resolve_run(cm, paths=2, seed=args.seed, periods=2, save=save), range(0, 2))
    spec = resolve_run(cm, paths=paths, seed=args.seed, periods=periods, save=save)
    t_codegen = time.perf_counter() - t0
    batches = split_ranges(paths, max(1, -(-paths // args.batch)))
    t_run = t_write = c_run = 0.0
    checksum = 0.0
    vmax = 0.0
    try:
        for i, ids in enumerate(batches):
            c0, t0 = time.process_time(), time.perf_counter()
            raw = run_paths(spec, ids)
            t_run += time.perf_counter() - t0
            c_run += time.process_time() - c0
            data = raw.data  # [paths, periods + 1, save]
            vmax = max(vmax, float(np.abs(data).max()))
            checksum += float(data[:, -1, :].sum())
            t0 = time.perf_counter()
            n, t1, k = data.shape
            cols = {"path": np.repeat(np.arange(ids.start, ids.stop, dtype=np.int32), t1),
                    "period": np.tile(np.arange(t1, dtype=np.int32), n)}
            for j, name in enumerate(raw.names):
                cols[name] = np.ascontiguousarray(data[:, :, j]).reshape(-1)
            floats = [c for c in cols if c not in ("path", "period")]
            pq.write_table(pa.table(cols), out / f"batch-{i:04d}.parquet", compression="zstd",
                           use_dictionary=["path", "period"], use_byte_stream_split=floats)
            del data, raw, cols
            t_write += time.perf_counter() - t0
            print(f"batch {i + 1}/{len(batches)}: {len(ids)} paths, run {t_run:.1f} s so far, peak RSS {maxrss_mb():.0f} MiB",
                  file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    peak = maxrss_mb()
    work = paths * periods * neq
    thr = work / t_run
    thr_cpu = work / c_run
    print(f"# Synthetic SFC model, {paths:,} paths x {periods:,} periods ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f})\n")
    print("| quantity | value |\n|---|---:|")
    print(f"| equations / simultaneous blocks | {neq} / {blocks} |")
    print(f"| load (parse TOML, {neq} equations) | {t_load * 1e3:.0f} ms |")
    print(f"| compile (order, tear, Jacobians) | {t_compile * 1e3:.0f} ms |")
    print(f"| first-call code generation | {t_codegen * 1e3:.0f} ms |")
    print(f"| run: {paths:,} paths x {periods:,} periods, {len(save)} variables saved, batches of {args.batch} | wall {t_run:.1f} s, CPU {c_run:.1f} s |")
    print(f"| write Parquet shards (zstd) | {t_write:.1f} s |")
    print(f"| throughput (wall / CPU) | {thr / 1e6:.1f} / {thr_cpu / 1e6:.1f} M path-equation-periods/s |")
    print(f"| peak RSS (process, imports {rss0:.0f} MiB included) | {peak:.0f} MiB ({'under' if peak < MEM_BUDGET_MB else 'OVER'} the {MEM_BUDGET_MB} MiB budget) |")
    print(f"| max abs value (bounded?) / checksum | {vmax:.3g} / {checksum:.6g} |")
    if (paths, periods) != FULL:
        full, full_cpu = FULL[0] * FULL[1] * neq / thr, FULL[0] * FULL[1] * neq / thr_cpu
        print(f"| **extrapolated** to {FULL[0]:,} x {FULL[1]:,} at this throughput | wall {full / 60:.1f} min, CPU {full_cpu / 60:.1f} min; "
              f"memory stays at the batch size ({args.batch} paths) |")
    return 0 if peak < MEM_BUDGET_MB and np.isfinite(vmax) else 1


if __name__ == "__main__":
    sys.exit(main())
