"""SFC engine speed: compilation, single runs, Monte Carlo, a synthetic large model.

Usage: python benchmarks/bench_sfc_engine.py [--big] [--big-paths N] [--big-periods T]
Prints a table (median of repeats). Targets (docs/benchmarks.md, section "SFC engine"):
compile SIM <= 50 ms; SIM 1 path x 1000 periods <= 5 ms; SIM 1000 paths x 100 periods with
uncertain alpha1, theta <= 20 ms; synthetic ~500 equations, 10,000 paths x 2,520 periods,
saving 20 variables (quantiles) with peak memory < 2 GB; AI liquidity model 10,000 x 252 <= 30 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import bubblemachine as bm  # noqa: E402
from bubblemachine.sfc import compile_model, loads_model, scenario_from_dict  # noqa: E402

SIM = ROOT / "tests" / "sfc" / "models" / "sim.toml"


def timeit(fn, repeat=9):
    """(median wall, best CPU) seconds: CPU time is robust when the machine is shared."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), min(cpu)


def synthetic(n_sectors: int = 50, seed: int = 0) -> str:
    """~10 equations per sector: a simultaneous income block per 10 sectors, stocks, noise."""
    rng = np.random.default_rng(seed)
    eqs, params, rnd, init = [], [], [], []
    for s in range(n_sectors):
        g = s // 10 * 10  # sectors in groups of 10 share a simultaneous demand block
        others = " + ".join(f"D{j}" for j in range(g, min(g + 10, n_sectors)) if j != s)
        eqs += [
            f'Y{s} = "C{s} + I{s} + G{s} + 0.01 * ({others})"',
            f'T{s} = "tax{s} * Y{s}"',
            f'YD{s} = "Y{s} - T{s} + r * B{s}[-1]"',
            f'C{s} = "a1_{s} * YD{s} + a2_{s} * V{s}[-1]"',
            f'I{s} = "0.1 * max(Y{s}[-1] - Y{s}[-2], 0) + 1 + e{s}"',
            f'V{s} = "V{s}[-1] + YD{s} - C{s}"',
            f'B{s} = "0.5 * V{s}"',
            f'M{s} = "V{s} - B{s}"',
            f'D{s} = "0.1 * C{s}"',
            f'G{s} = "20 + 0.1 * tanh(Y{s}[-1] / 100 - 1)"',
        ]
        params += [f"tax{s} = {0.2 + 0.05 * rng.random():.4f}", f"a1_{s} = {0.55 + 0.1 * rng.random():.4f}", f"a2_{s} = 0.3"]
        rnd.append(f'e{s} = {{ dist = "normal", mean = 0.0, sd = 0.1 }}')
        init += [f"Y{s} = 100", f"V{s} = 50"]
    return "\n".join([
        '[model]\nname = "SYNTH"\n[equations]', *eqs, "[parameters]", "r = 0.01", *params,
        "[random]", *rnd, "[initial]", *init,
    ]) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true", help="run the synthetic model at full size")
    ap.add_argument("--big-paths", type=int, default=10_000)
    ap.add_argument("--big-periods", type=int, default=2_520)
    ap.add_argument("--ai", action="store_true", help="time the shipped AI liquidity model (baseline scenario) x 252 periods")
    ap.add_argument("--ai-paths", type=int, default=10_000)
    args = ap.parse_args()
    rows = []

    def compile_sim():
        m = bm.load_model(SIM)
        cm = compile_model(m)
        cm.chunk_function(mode="scalar", timevarying=frozenset(), record=tuple(m.equations) + tuple(m.exogenous))
    t = time.perf_counter()
    compile_sim()
    first_compile = time.perf_counter() - t
    med, best = timeit(compile_sim)
    rows.append(("SIM load + compile + codegen (first in process)", first_compile, None, 0.050))
    rows.append(("SIM load + compile + codegen (repeated)", med, best, 0.050))
    cm = compile_model(bm.load_model(SIM))
    bm.simulate(cm, periods=1000, progress=False, seed=0)
    med, best = timeit(lambda: bm.simulate(cm, periods=1000, progress=False, seed=0))
    rows.append(("SIM 1 path x 1000 periods", med, best, 0.005))
    sc = scenario_from_dict({"uncertain": {"alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7},
                                           "theta": {"dist": "uniform", "low": 0.15, "high": 0.25}}})
    bm.simulate(cm, sc, periods=100, paths=1000, progress=False, seed=0)
    med, best = timeit(lambda: bm.simulate(cm, sc, periods=100, paths=1000, progress=False, seed=0))
    rows.append(("SIM 1000 paths x 100 periods, uncertain alpha1/theta", med, best, 0.020))
    med, best = timeit(lambda: bm.simulate(cm, sc, periods=100, paths=1000, progress=False, seed=0, check=False))
    rows.append(("  same, checks off", med, best, None))

    synth = loads_model(synthetic(), "synthetic.toml")
    t = time.perf_counter()
    scm = compile_model(synth)
    save = [f"Y{s}" for s in range(10)] + [f"V{s}" for s in range(10)]
    bm.simulate(scm, periods=2, paths=2, save=save, progress=False, seed=0)
    rows.append((f"synthetic {len(synth.equations)} eqs: compile + codegen", time.perf_counter() - t, None, None))
    P, T = (args.big_paths, args.big_periods) if args.big else (1000, 252)
    t, c = time.perf_counter(), time.process_time()
    r = bm.simulate(scm, periods=T, paths=P, save=save, quantiles=[0.05, 0.5, 0.95], progress=False, seed=0)
    rows.append((f"synthetic {P} paths x {T} periods, 20 vars as quantiles", time.perf_counter() - t, time.process_time() - c, None))
    if args.ai:
        try:
            ai = compile_model(bm.load_model("ai_liquidity"))
            t, c = time.perf_counter(), time.process_time()
            bm.simulate(ai, "baseline", periods=252, paths=args.ai_paths, quantiles=[0.05, 0.5, 0.95], progress=False, seed=0)
            rows.append((f"AI liquidity ({len(ai.model.equations)} eqs) {args.ai_paths} x 252", time.perf_counter() - t, time.process_time() - c, 30.0))
        except Exception as exc:  # noqa: BLE001 - report, don't crash the table
            rows.append((f"AI liquidity: {type(exc).__name__}: {str(exc)[:80]}", float("nan"), None, 30.0))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'case':62s} {'wall med':>10s} {'CPU best':>10s} {'target':>8s}")
    for name, med, best, target in rows:
        b = f"{best * 1e3:9.1f}ms" if best is not None else " " * 11
        tg = f"{target * 1e3:6.0f}ms" if target is not None else ""
        print(f"{name:62s} {med * 1e3:9.1f}ms {b} {tg}")
    print(f"peak RSS {peak:.0f} MiB; result {r.data.shape}")


if __name__ == "__main__":
    main()
