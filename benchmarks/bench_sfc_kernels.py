"""Compiled kernels (the ``fast`` extra) against the NumPy path, side by side in one run.

Usage::

    .venv/bin/python benchmarks/bench_sfc_kernels.py [--quick] [--ai-paths 10000] [--big-paths 100000]

Cases (CPU time next to wall time; each AI run in a fresh subprocess, so its peak memory is
its own):

1. SIM Monte Carlo 1000 paths x 100 periods (uncertain alpha1, theta): hand-written NumPy on
   the reduced form, the engine's NumPy path, the engine's kernel (loaded); target: kernel
   within 2x of the hand-written NumPy.
2. The AI model, ``--ai-paths`` x 252 days, saving the reported series: NumPy path vs kernel
   (``BUBBLEMACHINE_THREADS`` threads, default 2); target: kernel <= 4 s wall on 2 cores.
   The kernel runs ``--reps`` times with the accounting checks and without, alternated in one
   process (so both see the same load); their share of the kernel run (best CPU with vs best
   CPU without) is printed: target < 10%.
3. The AI model, ``--big-paths`` x 252 with ``quantiles=[0.05, 0.5, 0.95]`` on the kernel:
   peak RSS; target <= 2 GB.
4. The kernel cache: the AI kernel's first compile (CPU, from the cache's record) and the
   time a fresh process takes to get it from disk (generate the source, key, read, link);
   target: well under a second.

The kernels are kept in ``BUBBLEMACHINE_KERNEL_CACHE`` (default: a folder next to this
script, ``.kernels``, so a rerun measures loading, not compiling; ``--fresh`` compiles into
a new temporary folder). ``--quick`` (or ``BUBBLEMACHINE_BENCH_QUICK=1``): 2,000 and 20,000
paths instead of 10,000 and 100,000, labelled.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

AI_WORKER = r"""
import json, os, resource, statistics, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
paths, periods, mode, quantiles, checks, reps = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1",
                                                 sys.argv[5], int(sys.argv[6]))
os.environ["BUBBLEMACHINE_KERNEL"] = "off" if mode == "numpy" else "sync"
t0 = time.perf_counter(); c0 = cpu()
import bubblemachine.sfc as sfc
from bubblemachine.sfc import kernel_cache as KC
from bubblemachine.scenarios.series import REPORTED
model = sfc.load_model("ai_liquidity")
cm = sfc.compile_model(model)
save = [s for s in REPORTED if s in model.equations]
load_s = compile_s = get_s = get_cpu_s = from_disk = None
if mode != "numpy":
    tk = time.perf_counter(); ck = cpu()
    k = KC.precompile(cm)
    get_s, get_cpu_s = time.perf_counter() - tk, cpu() - ck
    load_s, compile_s, from_disk = k.load_seconds, k.compile_seconds, k.from_disk
t1 = time.perf_counter(); c1 = cpu()
out = {"setup_s": t1 - t0, "setup_cpu_s": c1 - c0, "load_s": load_s, "compile_s": compile_s, "get_s": get_s,
       "get_cpu_s": get_cpu_s, "from_disk": from_disk, "saved": len(save), "runs": {}}
flags = {"on": [True], "off": [False], "both": [True, False]}.get(checks, [])
for _ in range(reps):
    for check in flags:  # alternated, so both settings see the same load on a shared machine
        t1 = time.perf_counter(); c1 = cpu()
        res = sfc.simulate(cm, "baseline", periods=periods, paths=paths, seed=1, save=save, progress=False,
                           quantiles=[0.05, 0.5, 0.95] if quantiles else None, check=check)
        r = out["runs"].setdefault("on" if check else "off", {"wall": [], "cpu": []})
        r["wall"].append(time.perf_counter() - t1); r["cpu"].append(cpu() - c1)
        x = res["spx"]
        out["shape"] = list(res.data.shape)
        out["spx_last_median"] = float(x[1, -1]) if quantiles else float(sorted(x[:, -1])[len(x) // 2])
        del res, x
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
out["load_after"] = os.getloadavg()[0]
print(json.dumps(out))
"""


def timeit(fn, repeat=15):
    """(median wall, best CPU) seconds."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), min(cpu)


def sim_case() -> list[tuple[str, float, float]]:
    import numpy as np

    import bubblemachine.sfc as sfc
    from bubblemachine.sfc import kernel_cache as KC

    cm = sfc.compile_model(sfc.load_model("sim"))
    sc = sfc.scenario_from_dict({"uncertain": {"alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7},
                                               "theta": {"dist": "uniform", "low": 0.15, "high": 0.25}}})
    k = KC.precompile(cm)
    r = sfc.simulate(cm, sc, periods=100, paths=1000, seed=20240601, progress=False)
    a1, th = r.param("alpha1"), r.param("theta")

    def hand():
        H = np.zeros(a1.shape)
        ys = []
        for _ in range(100):
            Y = (20.0 + 0.4 * H) / (1.0 - a1 * (1.0 - th))
            YD = (1.0 - th) * Y
            H = H + YD - (a1 * YD + 0.4 * H)
            ys.append(Y)
        return ys

    def run(policy, **kw):
        os.environ["BUBBLEMACHINE_KERNEL"] = policy
        return lambda: sfc.simulate(cm, sc, periods=100, paths=1000, seed=20240601, progress=False, **kw)

    rows = [("hand-written NumPy, reduced form (the floor)", *timeit(hand))]
    rows.append(("engine, NumPy path", *timeit(run("off"))))
    rows.append(("engine, compiled kernel", *timeit(run("auto"))))
    rows.append(("engine, compiled kernel, checks off", *timeit(run("auto", check=False))))
    rows.append(("engine, compiled kernel, save=['Y'] (what the floor keeps)", *timeit(run("auto", save=["Y"]))))
    rows.append(("engine, compiled kernel, save=['Y'], checks off (the floor's work)", *timeit(run("auto", save=["Y"], check=False))))
    os.environ["BUBBLEMACHINE_KERNEL"] = "off"
    y_np = sfc.simulate(cm, sc, periods=100, paths=1000, seed=20240601, progress=False)["Y"]
    os.environ["BUBBLEMACHINE_KERNEL"] = "auto"
    y_k = sfc.simulate(cm, sc, periods=100, paths=1000, seed=20240601, progress=False)["Y"]
    os.environ.pop("BUBBLEMACHINE_KERNEL")
    rows.append((f"  (kernel vs NumPy: max |dY| {float(np.max(np.abs(y_np - y_k))):.1e}; SIM kernel first compile "
                 f"{k.compile_seconds:.1f} s CPU; vector kernel: {k.fn.lanes} paths per group)", float("nan"), float("nan")))
    return rows


def ai_run(paths: int, periods: int, mode: str, quantiles: bool = False, checks: str = "on", reps: int = 1) -> dict:
    """One worker process: ``mode`` numpy | kernel | load (only get the kernel); ``checks``
    on | off | both (alternated), ``reps`` times. Per setting: median wall, best CPU."""
    out = subprocess.run([sys.executable, "-c", AI_WORKER, str(paths), str(periods), mode, "1" if quantiles else "0",
                          checks, str(reps)], capture_output=True, text=True, check=False, env=dict(os.environ))
    if out.returncode != 0:
        raise SystemExit(f"AI worker failed:\n{out.stderr[-3000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    for v in r["runs"].values():
        v["run_s"], v["run_cpu_s"] = statistics.median(v["wall"]), min(v["cpu"])
    return r


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--ai-paths", type=int)
    ap.add_argument("--big-paths", type=int)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--fresh", action="store_true", help="compile into a new, empty kernel cache")
    ap.add_argument("--skip-numpy-ai", action="store_true", help="don't time the AI model on the NumPy path")
    ap.add_argument("--reps", type=int, default=3, help="AI kernel runs with checks and without (alternated)")
    ap.add_argument("--numpy-reps", type=int, default=1, help="AI runs on the NumPy path")
    ap.add_argument("--share-paths", type=int, default=2000, help="paths of the checks' share measurement")
    ap.add_argument("--share-reps", type=int, default=7, help="repeats (each with and without checks) of that measurement")
    a = ap.parse_args(argv)
    quick = a.quick or os.environ.get("BUBBLEMACHINE_BENCH_QUICK") == "1"
    ai_paths = a.ai_paths or (2_000 if quick else 10_000)
    big_paths = a.big_paths or (20_000 if quick else 100_000)
    tmp = None
    if a.fresh:
        tmp = tempfile.TemporaryDirectory(prefix="bm-kernels-")
        os.environ["BUBBLEMACHINE_KERNEL_CACHE"] = tmp.name
    else:
        os.environ.setdefault("BUBBLEMACHINE_KERNEL_CACHE", str(ROOT / "benchmarks" / ".kernels"))
    os.environ["BUBBLEMACHINE_THREADS"] = str(a.threads)
    import llvmlite
    import llvmlite.binding as llb

    print(f"# compiled kernels ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()} "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, llvmlite "
          f"{llvmlite.__version__} (LLVM {'.'.join(map(str, llb.llvm_version_info))}), {a.threads} kernel threads)\n")
    print("## SIM Monte Carlo 1000 x 100 (median wall / best CPU of 15)\n")
    print("| case | wall | CPU |\n|---|---:|---:|")
    rows = sim_case()
    for name, wall, cpu in rows:
        print(f"| {name} | {wall * 1e3:.2f} ms | {cpu * 1e3:.2f} ms |" if wall == wall else f"| {name} | | |")
    floor = rows[0][2]
    def verdict(x: float, target: float) -> str:
        return "PASS" if x <= target else "MISS"

    print(f"\nkernel / hand-written NumPy (CPU, target <= 2x): {rows[2][2] / floor:.2f}x saving all 13 variables with the "
          f"checks ({verdict(rows[2][2] / floor, 2)}), {rows[4][2] / floor:.2f}x saving Y ({verdict(rows[4][2] / floor, 2)}), "
          f"{rows[5][2] / floor:.2f}x saving Y without checks, the floor's work ({verdict(rows[5][2] / floor, 2)}); "
          f"NumPy path / hand-written: {rows[1][2] / floor:.2f}x; load {os.getloadavg()[0]:.1f}\n")

    print(f"## AI model, {ai_paths:,} paths x 252 days, reported series saved" + (" (--quick: smaller)" if quick else "") + "\n")
    print(f"Each case in a fresh process; run wall = median, run CPU = best of the repeats (kernel: {a.reps} with checks, "
          f"{a.reps} without, alternated); load {os.getloadavg()[0]:.1f} before\n")
    print("| case | setup wall (CPU) | run wall | run CPU | CPU per run | peak RSS | load after |\n|---|---:|---:|---:|---|---:|---:|")
    cases = []
    if not a.skip_numpy_ai:
        npy = ai_run(ai_paths, 252, "numpy", reps=a.numpy_reps)
        cases.append(("NumPy path", npy, npy["runs"]["on"]))
    ker = ai_run(ai_paths, 252, "kernel", checks="both", reps=a.reps)
    cases += [("compiled kernel", ker, ker["runs"]["on"]), ("compiled kernel, checks off", ker, ker["runs"]["off"])]
    for name, r, v in cases:
        print(f"| {name} | {r['setup_s']:.2f} s ({r['setup_cpu_s']:.2f} s) | {v['run_s']:.2f} s | {v['run_cpu_s']:.2f} s | "
              f"{', '.join(f'{c:.2f}' for c in v['cpu'])} | {r['peak_rss_mb']:.0f} MB | {r['load_after']:.1f} |")
    k, nochk = ker["runs"]["on"], ker["runs"]["off"]
    share = max(0.0, 1 - nochk["run_cpu_s"] / k["run_cpu_s"])
    # the checks' share again, steadier: a smaller run, one thread, more repeats
    os.environ["BUBBLEMACHINE_THREADS"] = "1"
    small = ai_run(a.share_paths, 252, "kernel", checks="both", reps=a.share_reps)
    os.environ["BUBBLEMACHINE_THREADS"] = str(a.threads)
    s_on, s_off = small["runs"]["on"]["run_cpu_s"], small["runs"]["off"]["run_cpu_s"]
    share_small = max(0.0, 1 - s_off / s_on)
    print(f"| compiled kernel, {a.share_paths:,} paths, 1 thread, checks on / off ({a.share_reps} each, alternated) | "
          f"{small['setup_s']:.2f} s | | {s_on:.2f} s / {s_off:.2f} s | "
          f"{', '.join(f'{c:.2f}' for c in small['runs']['on']['cpu'])} / {', '.join(f'{c:.2f}' for c in small['runs']['off']['cpu'])} | "
          f"{small['peak_rss_mb']:.0f} MB | {small['load_after']:.1f} |")
    ratio = npy["runs"]["on"]["run_cpu_s"] / k["run_cpu_s"] if not a.skip_numpy_ai else float("nan")
    print(f"\nkernel run: {k['run_s']:.2f} s wall / {k['run_cpu_s']:.2f} s CPU (target <= 4 s on 2 cores: "
          f"{'PASS' if k['run_s'] <= 4 else 'MISS'} on wall, {'PASS' if k['run_cpu_s'] <= 8 else 'MISS'} on CPU <= 2 x 4 s); "
          f"NumPy path / kernel (CPU): {ratio:.1f}x; accounting checks ~{share:.0%} of the kernel run's CPU (best with vs best "
          f"without), ~{share_small:.0%} at {a.share_paths:,} paths on one thread (target < 10%: "
          f"{'PASS' if share_small < 0.10 else 'MISS'})")
    fresh = ai_run(1, 1, "load", checks="none")
    print(f"kernel first compile: {ker['compile_s']:.1f} s CPU; a fresh process gets the cached kernel (generate its source, "
          f"key, read, link) in {fresh['get_s'] * 1e3:.0f} ms wall / {fresh['get_cpu_s'] * 1e3:.0f} ms CPU, of which read and "
          f"link {fresh['load_s'] * 1e3:.0f} ms (from disk: {fresh['from_disk']}; target: well under a second: "
          f"{'PASS' if fresh['get_s'] < 0.5 else 'MISS'})\n")

    print(f"## AI model, {big_paths:,} paths x 252 days, quantiles 5/50/95%, compiled kernel\n")
    big = ai_run(big_paths, 252, "kernel", quantiles=True)
    bv = big["runs"]["on"]
    print(f"run {bv['run_s']:.1f} s wall / {bv['run_cpu_s']:.1f} s CPU; peak RSS {big['peak_rss_mb']:.0f} MB "
          f"(target <= 2048 MB: {'PASS' if big['peak_rss_mb'] <= 2048 else 'MISS'}); load {os.getloadavg()[0]:.1f}")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
