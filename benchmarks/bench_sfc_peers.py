"""Bubble Machine vs its peers on Godley & Lavoie's model SIM: the same work, one run.

Usage::

    benchmarks/setup_peers.sh                      # once: benchmarks/.peers (pysolve, mesa, pysd)
    .venv/bin/python benchmarks/bench_sfc_peers.py [--quick] [--json FILE]

Workload (identical for every tool, checked): SIM from a zero state, periods 1..T with G = 20,
W = 1, alpha2 = 0.4.

- **MC**: 1000 paths x 100 periods, per path alpha1 ~ U(0.5, 0.7), theta ~ U(0.15, 0.25). Bubble
  Machine draws them (scenario ``[uncertain]``, seed 20240601); the very same draws are handed
  to every peer, and every peer's final Y per path must agree with Bubble Machine's within 1e-6.
- **single**: one path, 1000 periods, alpha1 = 0.6, theta = 0.2 (every Y_t compared).

Tools: Bubble Machine (the 11 equations as written, solved by the engine); pysolve 0.2.0 (the 11
equations as written, Newton-Raphson, one ``solve`` per period, model rebuilt per path as its
history lives in the model); Mesa 3.3.1 ``batch_run`` and PySD 3.14.3, which cannot solve the
simultaneous block ``Y = C + G`` and get the hand-reduced form
``Y = (G + alpha2*H[-1]) / (1 - alpha1 (1 - theta))``; hand-written NumPy (the same reduced
recurrence, vectorised over paths): the floor.

``--quick`` runs pysolve on 100 paths and multiplies by 10 (labelled "extrapolated").
The environment variable ``BUBBLEMACHINE_BENCH_QUICK=1`` (set by ``run_all.py --quick``) does
the same.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PEERS_PY = ROOT / "benchmarks" / ".peers" / "bin" / "python"
WORKER = ROOT / "benchmarks" / "_sim_peers_worker.py"
SEED = 20240601
N_MC, T_MC, T_SINGLE = 1000, 100, 1000
TOL = 1e-6
TARGETS = {"compile": 0.050, "mc": 0.020, "single": 0.005}  # seconds (issue "The SFC engine")


def _median(fn, reps):
    """(median wall time, best CPU time, last result) of ``reps`` calls."""
    ts, cpus, out = [], [], None
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(ts), min(cpus), out


def bubble_machine(reps: int, policy: str = "off") -> dict:
    """Compile, MC and single-run timings of the engine on SIM (warm, median of ``reps``).

    ``policy``: ``off`` (the NumPy path) or ``sync`` (the compiled kernel of the ``fast``
    extra, loaded or compiled before the timings; ``kernel_s`` is what that took)."""
    os.environ["BUBBLEMACHINE_KERNEL"] = policy
    os.environ.setdefault("BUBBLEMACHINE_KERNEL_CACHE", str(ROOT / "benchmarks" / ".kernels"))
    from bubblemachine import sfc
    from bubblemachine.sfc.compiler import compile_model
    from bubblemachine.sfc.model import load_model

    _, t_load, model = _median(lambda: load_model("sim"), reps)
    # a fresh model object each time: nothing cached from an earlier compile
    comp_times = []
    for _ in range(reps):
        fresh_model = load_model("sim")
        t0 = time.process_time()
        compile_model(fresh_model)
        comp_times.append(time.process_time() - t0)
    t_comp = min(comp_times)
    cm = compile_model(model)
    scenario = sfc.scenario_from_dict({
        "scenario": {"name": "SIM Monte Carlo"},
        "uncertain": {
            "alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7},
            "theta": {"dist": "uniform", "low": 0.15, "high": 0.25},
        },
    })

    def mc():
        return sfc.simulate(cm, scenario, paths=N_MC, periods=T_MC, seed=SEED, progress=False)

    def mc_nocheck():
        return sfc.simulate(cm, scenario, paths=N_MC, periods=T_MC, seed=SEED, progress=False, check=False)

    def single():
        return sfc.simulate(cm, None, paths=1, periods=T_SINGLE, seed=SEED, progress=False)

    kernel_s = None
    if policy != "off":
        from bubblemachine.sfc import kernel_cache

        t0 = time.perf_counter()
        kernel_cache.precompile(cm)
        kernel_s = time.perf_counter() - t0
    fresh = compile_model(model)
    t0 = time.perf_counter()
    sfc.simulate(fresh, scenario, paths=N_MC, periods=T_MC, seed=SEED, progress=False)
    t_first_mc = time.perf_counter() - t0
    t_mc, c_mc, r = _median(mc, reps)
    t_single, c_single, r1 = _median(single, reps)
    mc_nocheck()
    t_mc_nc, c_mc_nc, _ = _median(mc_nocheck, reps)
    return {
        "policy": policy,
        "kernel_s": kernel_s,
        "load_s": t_load,
        "compile_s": t_comp,
        "first_mc_s": t_first_mc,
        "mc_s": t_mc,
        "mc_cpu_s": c_mc,
        "single_s": t_single,
        "single_cpu_s": c_single,
        "mc_nocheck_s": t_mc_nc,
        "mc_nocheck_cpu_s": c_mc_nc,
        "alpha1": [float(x) for x in r.param("alpha1")],
        "theta": [float(x) for x in r.param("theta")],
        "mc_final_Y": [float(x) for x in r.final("Y")],
        "single_Y": [float(x) for x in r1["Y"][0, 1:]],
    }


def run_peer(tool: str, work: dict, python: Path) -> dict | str:
    """Run one peer in its venv; its JSON answer, or the reason it could not run."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(work, fh)
        path = fh.name
    try:
        p = subprocess.run([str(python), str(WORKER), tool, path], capture_output=True, text=True, timeout=1800)
    finally:
        os.unlink(path)
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        return f"failed: {last}"
    return json.loads(p.stdout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="pysolve on 100 paths, extrapolated x10 (labelled)")
    ap.add_argument("--reps", type=int, default=7, help="repeats for Bubble Machine and single runs (median)")
    ap.add_argument("--json", help="also write every figure to this JSON file")
    args = ap.parse_args(argv)
    quick = args.quick or os.environ.get("BUBBLEMACHINE_BENCH_QUICK") == "1"

    import platform

    print(f"# SIM: Bubble Machine vs peers ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f})")
    bm = bubble_machine(args.reps, "off")
    try:
        import llvmlite  # noqa: F401 - the fast extra

        bmk = bubble_machine(args.reps, "sync")
    except ImportError:
        bmk = None
        print("note: the fast extra (llvmlite) is missing: no compiled-kernel row")
    peers_ok = PEERS_PY.exists()
    if not peers_ok:
        print(f"note: {PEERS_PY.parent.parent} is missing: run benchmarks/setup_peers.sh for pysolve, Mesa, PySD; "
              "only hand-written NumPy runs (in this venv)")
    rows = []
    base = {"periods": T_MC, "single_periods": T_SINGLE, "alpha1": bm["alpha1"], "theta": bm["theta"], "reps": 3}
    plan = [("numpy", N_MC), ("mesa", N_MC), ("pysd", N_MC), ("pysolve", 100 if quick else N_MC)]
    for tool, n_run in plan:
        python = PEERS_PY if peers_ok else Path(sys.executable)
        if tool != "numpy" and not peers_ok:
            rows.append((tool, "not installed"))
            continue
        print(f"running {tool} ({n_run} paths)...", file=sys.stderr, flush=True)
        rows.append((tool, run_peer(tool, {**base, "n_run": n_run}, python)))

    ref_mc = np.asarray(bm["mc_final_Y"])
    ref_single = np.asarray(bm["single_Y"])
    label = {
        "numpy": "hand-written NumPy (reduced form, vectorised)",
        "mesa": "Mesa batch_run (reduced form: no loop solver)",
        "pysd": "PySD .mdl (reduced form: RecursionError on Y = C + G)",
        "pysolve": "pysolve Newton (11 equations as written)",
    }
    print()
    ms = lambda v: f"{v * 1e3:.2f} ms" if v < 1 else f"{v:.2f} s"  # noqa: E731
    print("Wall = median wall time on this (shared) machine; CPU = best process CPU time, robust to other jobs. "
          "Ratios use CPU time.\n")
    print("| tool | solves SIM as written | setup (BM: CPU; peers: wall) | single 1 x 1000: wall / CPU | MC 1000 x 100: wall / CPU | tool CPU / BM NumPy path CPU (single / MC) | tool CPU / BM kernel CPU (single / MC) | max abs dY vs BM (single / MC) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    kref = bmk if bmk is not None else bm

    def ratios(single_cpu: float, mc_cpu: float) -> str:
        return (f"{single_cpu / bm['single_cpu_s']:.2g}x / {mc_cpu / bm['mc_cpu_s']:.2g}x | "
                f"{single_cpu / kref['single_cpu_s']:.2g}x / {mc_cpu / kref['mc_cpu_s']:.2g}x")

    for name, b in (("NumPy path", bm), ("compiled kernel", bmk)):
        if b is None:
            continue
        setup = f"load {ms(b['load_s'])} + compile {ms(b['compile_s'])}"
        if b["kernel_s"] is not None:
            setup += f" + kernel {ms(b['kernel_s'])} (wall; from disk when cached)"
        print(f"| **Bubble Machine**, {name} (median of {args.reps}) | yes (blocks + Newton) | {setup} | "
              f"{ms(b['single_s'])} / {ms(b['single_cpu_s'])} | {ms(b['mc_s'])} / {ms(b['mc_cpu_s'])} "
              f"(first call {ms(b['first_mc_s'])}; accounting checks off: {ms(b['mc_nocheck_s'])} / "
              f"{ms(b['mc_nocheck_cpu_s'])}) | {ratios(b['single_cpu_s'], b['mc_cpu_s'])} | 0 |")
    if bmk is not None:
        d = float(np.max(np.abs(np.asarray(bmk["mc_final_Y"]) - np.asarray(bm["mc_final_Y"]))))
        print(f"\n(compiled kernel vs NumPy path: max |dY| {d:.1e} on the Monte Carlo; ratios in the table: "
              "the tool's CPU time / the NumPy path's)\n")
    results = {"bubblemachine": {k: v for k, v in bm.items() if not isinstance(v, list)}, "peers": {}}
    if bmk is not None:
        results["bubblemachine_kernel"] = {k: v for k, v in bmk.items() if not isinstance(v, list)}
    all_agree = True
    for tool, res in rows:
        if isinstance(res, str):
            print(f"| {label[tool]} | | | | {res} | | | |")
            results["peers"][tool] = res
            continue
        n = res["mc_n"]
        scale = N_MC / n
        mc_s, mc_cpu = res["mc_s"] * scale, res["mc_cpu_s"] * scale
        extra = f" (**extrapolated** x{N_MC // n} from {n} paths: {ms(res['mc_s'])} / {ms(res['mc_cpu_s'])})" if n < N_MC else ""
        d_mc = float(np.max(np.abs(np.asarray(res["mc_final_Y"]) - ref_mc[:n])))
        d_single = float(np.max(np.abs(np.asarray(res["single_Y"]) - ref_single)))
        agree = d_mc <= TOL and d_single <= TOL
        all_agree &= agree
        setup = ms(res["setup_s"]) if res["setup_s"] else "-"
        print(f"| {label[tool]} {res.get('version', '')} | {'yes' if tool == 'pysolve' else 'no'} | {setup} | "
              f"{ms(res['single_s'])} / {ms(res['single_cpu_s'])} | {ms(mc_s)} / {ms(mc_cpu)}{extra} | "
              f"{ratios(res['single_cpu_s'], mc_cpu)} | "
              f"{d_single:.1e} / {d_mc:.1e}{'' if agree else ' DISAGREE'} |")
        results["peers"][tool] = {k: v for k, v in res.items() if not isinstance(v, list)} | {
            "mc_s_1000": mc_s, "mc_cpu_s_1000": mc_cpu, "max_dY_single": d_single, "max_dY_mc": d_mc}
    print()
    checks = [("compile (load + compile_model)", bm["load_s"] + bm["compile_s"], bm["load_s"] + bm["compile_s"], TARGETS["compile"]),
              ("single 1 path x 1000 periods", bm["single_s"], bm["single_cpu_s"], TARGETS["single"]),
              ("MC 1000 paths x 100 periods", bm["mc_s"], bm["mc_cpu_s"], TARGETS["mc"])]
    print("| Bubble Machine target | wall (median) | CPU (best) | target | ok (CPU) | ok (wall) |\n|---|---:|---:|---:|---|---|")
    if bmk is not None:
        checks += [("kernel: single 1 path x 1000 periods", bmk["single_s"], bmk["single_cpu_s"], TARGETS["single"]),
                   ("kernel: MC 1000 paths x 100 periods", bmk["mc_s"], bmk["mc_cpu_s"], TARGETS["mc"])]
    for name, wall, cpu, target in checks:
        print(f"| {name} | {wall * 1e3:.1f} ms | {cpu * 1e3:.1f} ms | {target * 1e3:.0f} ms | "
              f"{'PASS' if cpu <= target else 'FAIL'} | {'PASS' if wall <= target else 'FAIL'} |")
    ran = [tool for tool, res in rows if not isinstance(res, str)]
    print(f"\nagreement: every tool that ran ({', '.join(ran) or 'none'}) within {TOL:g} of Bubble Machine on Y: "
          f"{'yes' if all_agree else 'NO'}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0 if all_agree else 1


if __name__ == "__main__":
    sys.exit(main())
