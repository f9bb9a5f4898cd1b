"""Peer side of ``bench_sfc_peers.py``: run model SIM in one peer tool, print JSON.

Runs inside ``benchmarks/.peers`` (see ``setup_peers.sh``); it never imports
``bubblemachine``. The parent script passes the workload in a JSON file::

    {"periods": 100, "single_periods": 1000, "alpha1": [...], "theta": [...],
     "n_run": 1000, "reps": 3}

and reads one JSON object from stdout::

    {"tool": ..., "setup_s": ..., "single_s": ..., "single_Y": [Y_1..Y_T],
     "mc_s": ..., "mc_n": n_run, "mc_final_Y": [...], "notes": "..."}

Workload (the same for every tool): model SIM of Godley & Lavoie ch. 3, state 0 = all
zeros, periods 1..T with G = 20, W = 1, alpha2 = 0.4; single run alpha1 = 0.6, theta = 0.2;
the Monte Carlo gives path p its own alpha1[p], theta[p].

Usage: ``benchmarks/.peers/bin/python benchmarks/_sim_peers_worker.py TOOL WORKLOAD.json``
with TOOL one of ``pysolve``, ``mesa``, ``pysd``, ``numpy``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time

G, W, A2 = 20.0, 1.0, 0.4

#: Model SIM as its 11 equations, in pysolve's syntax (lags written ``x(-1)``).
SIM_EQUATIONS = [
    "Cs = Cd",
    "Gs = Gd",
    "Ts = Td",
    "Ns = Nd",
    "YD = (W*Ns) - Ts",
    "Td = theta * W * Ns",
    "Cd = alpha1*YD + alpha2*Hh(-1)",
    "Hs - Hs(-1) = Gd - Td",
    "Hh - Hh(-1) = YD - Cd",
    "Y = Cs + Gs",
    "Nd = Y/W",
]

# The hand-reduced form used by the tools that cannot solve a simultaneous block (PySD,
# Mesa): Y = (G + alpha2*H[-1]) / (1 - alpha1*(1 - theta)). In SD time, t = SFC period t+1.
SIM_MDL = r"""{UTF-8}
H = INTEG(YD-C, 0) ~ $ ~ |
Y = (G+alpha2*H)/(1-alpha1*(1-theta)) ~ $ ~ |
YD = (1-theta)*Y ~ $ ~ |
C = alpha1*YD+alpha2*H ~ $ ~ |
G = 20 ~ $ ~ |
alpha1 = 0.6 ~ Dmnl ~ |
alpha2 = 0.4 ~ Dmnl ~ |
theta = 0.2 ~ Dmnl ~ |
FINAL TIME = 99 ~ Month ~ |
INITIAL TIME = 0 ~ Month ~ |
SAVEPER = TIME STEP ~ Month ~ |
TIME STEP = 1 ~ Month ~ |
\\\---/// Sketch information - do not modify anything except names
"""


CPU: dict[str, float] = {}


def _timed(fn, reps, key=None):
    """Median wall time of ``reps`` calls; the best CPU time goes to ``CPU[key]``."""
    times, cpus, out = [], [], None
    for _ in range(max(1, reps)):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    if key:
        CPU[key] = min(cpus)
    return statistics.median(times), out


# --------------------------------------------------------------------------- numpy
def run_numpy(work):
    import numpy as np

    def sim(T, a1, th):
        a1, th = np.asarray(a1, float), np.asarray(th, float)
        H = np.zeros(a1.shape)
        Ys = []
        for _ in range(T):
            Y = (G + A2 * H) / (1.0 - a1 * (1.0 - th))
            YD = (1.0 - th) * Y
            H = H + YD - (a1 * YD + A2 * H)
            Ys.append(Y)
        return Ys

    n = work["n_run"]
    a1, th = work["alpha1"][:n], work["theta"][:n]
    single_s, ys = _timed(lambda: sim(work["single_periods"], 0.6, 0.2), work["reps"], "single")
    mc_s, yT = _timed(lambda: sim(work["periods"], a1, th)[-1], work["reps"], "mc")
    return {
        "setup_s": 0.0,
        "single_s": single_s,
        "single_Y": [float(v) for v in ys],
        "mc_s": mc_s,
        "mc_final_Y": [float(v) for v in yT],
        "notes": "closed-form reduced recurrence, vectorised over paths (hand-written)",
    }


# --------------------------------------------------------------------------- pysolve
def run_pysolve(work):
    from pysolve.model import Model

    def build(a1, th):
        m = Model()
        m.set_var_default(0)
        m.vars("Cd", "Cs", "Gs", "Hh", "Hs", "Nd", "Ns", "Td", "Ts", "Y", "YD")
        for k, v in dict(Gd=G, W=W, alpha1=a1, alpha2=A2, theta=th).items():
            m.param(k, default=v)
        for eq in SIM_EQUATIONS:
            m.add(eq)
        return m

    def run(T, a1, th):
        m = build(a1, th)
        for _ in range(T):
            m.solve(iterations=200, threshold=1e-10, method="newton-raphson")
        return [s["Y"] for s in m.solutions[1:]]

    t0 = time.perf_counter()
    build(0.6, 0.2)
    setup_s = time.perf_counter() - t0
    single_s, ys = _timed(lambda: run(work["single_periods"], 0.6, 0.2), work["reps"], "single")
    n = work["n_run"]
    mc_s, yT = _timed(lambda: [run(work["periods"], a, t)[-1] for a, t in zip(work["alpha1"][:n], work["theta"][:n], strict=True)], 1, "mc")
    return {
        "setup_s": setup_s,
        "single_s": single_s,
        "single_Y": [float(v) for v in ys],
        "mc_s": mc_s,
        "mc_final_Y": [float(v) for v in yT],
        "notes": "solves the 11 equations as written (Newton-Raphson; model rebuilt per path)",
    }


# --------------------------------------------------------------------------- mesa
_MESA_A1: list[float] = []
_MESA_TH: list[float] = []

try:  # module level, so batch_run can pickle the classes
    import mesa

    class Economy(mesa.Agent):
        def __init__(self, model, a1, th):
            super().__init__(model)
            self.a1, self.th, self.H, self.Y = a1, th, 0.0, 0.0

        def step(self):
            self.Y = (G + A2 * self.H) / (1 - self.a1 * (1 - self.th))
            YD = (1 - self.th) * self.Y
            self.H += YD - (self.a1 * YD + A2 * self.H)

    class MesaSIM(mesa.Model):
        def __init__(self, k=-1, seed=None):
            super().__init__(seed=seed)
            a1, th = (0.6, 0.2) if k < 0 else (_MESA_A1[k], _MESA_TH[k])
            self.econ = Economy(self, a1, th)
            self.datacollector = mesa.DataCollector(model_reporters={"Y": "econ_Y"})

        @property
        def econ_Y(self):
            return self.econ.Y

        def step(self):
            self.agents.do("step")
            self.datacollector.collect(self)

except ImportError:  # pragma: no cover - only inside the peers venv
    mesa = None


def run_mesa(work):
    n = work["n_run"]
    _MESA_A1[:] = work["alpha1"][:n]
    _MESA_TH[:] = work["theta"][:n]

    def single():
        m = MesaSIM()
        for _ in range(work["single_periods"]):
            m.step()
        return list(m.datacollector.get_model_vars_dataframe()["Y"])

    single_s, ys = _timed(single, work["reps"], "single")

    def mc():
        # Mesa 3.3.1 batch_run executes max_steps + 1 steps, hence periods - 1.
        rows = mesa.batch_run(
            MesaSIM,
            parameters={"k": list(range(n))},
            iterations=1,
            max_steps=work["periods"] - 1,
            number_processes=1,
            data_collection_period=-1,
            display_progress=False,
        )
        return [r["Y"] for r in sorted(rows, key=lambda r: r["k"])]

    mc_s, yT = _timed(mc, 1, "mc")
    return {
        "setup_s": 0.0,
        "single_s": single_s,
        "single_Y": [float(v) for v in ys],
        "mc_s": mc_s,
        "mc_final_Y": [float(v) for v in yT],
        "notes": "hand-reduced SIM (no simultaneous-block solver); batch_run, 1 process",
    }


# --------------------------------------------------------------------------- pysd
def run_pysd(work):
    import pysd

    d = tempfile.mkdtemp(prefix="bm-pysd-")
    p = os.path.join(d, "sim.mdl")
    with open(p, "w") as fh:
        fh.write(SIM_MDL)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        model = pysd.read_vensim(p)
    setup_s = time.perf_counter() - t0

    def run(T, a1, th):
        df = model.run(params={"alpha1": a1, "theta": th}, final_time=T - 1, return_columns=["Y"], progress=False)
        return list(df["Y"])

    single_s, ys = _timed(lambda: run(work["single_periods"], 0.6, 0.2), work["reps"], "single")
    n = work["n_run"]
    mc_s, yT = _timed(lambda: [run(work["periods"], a, t)[-1] for a, t in zip(work["alpha1"][:n], work["theta"][:n], strict=True)], 1, "mc")
    return {
        "setup_s": setup_s,
        "single_s": single_s,
        "single_Y": [float(v) for v in ys],
        "mc_s": mc_s,
        "mc_final_Y": [float(v) for v in yT],
        "notes": "hand-reduced SIM as a Vensim .mdl (PySD cannot solve Y = C + G: RecursionError); one model.run per path",
    }


TOOLS = {"numpy": run_numpy, "pysolve": run_pysolve, "mesa": run_mesa, "pysd": run_pysd}


def main(argv):
    tool, path = argv[1], argv[2]
    with open(path) as fh:
        work = json.load(fh)
    import importlib.metadata as md

    try:
        version = md.version(tool)
    except md.PackageNotFoundError:
        version = ""
    out = TOOLS[tool](work)
    out.update(tool=tool, version=version, mc_n=work["n_run"], single_cpu_s=CPU.get("single"), mc_cpu_s=CPU.get("mc"))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
