"""Compiled kernels (the ``fast`` extra): the same numbers as the NumPy path, on every shipped
model and on generated ones; errors and failures decided by the NumPy path; the disk cache;
the fallback when llvmlite (the ``fast`` extra) is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("llvmlite")

from hypothesis import HealthCheck, given, settings  # noqa: E402

import bubblemachine.sfc as sfc  # noqa: E402
from bubblemachine.errors import AccountingError, BubbleMachineWarning, SimulationError  # noqa: E402
from bubblemachine.sfc import kernel_cache as KC  # noqa: E402
from bubblemachine.testing import sfc_models  # noqa: E402

TEXTBOOK = ["sim", "simex", "pc", "lp1", "reg", "bmw", "dis"]
RTOL = 1e-12


@pytest.fixture(scope="session")
def kernel_cache(tmp_path_factory):
    """One kernel cache for the whole session (and for every xdist worker of the run): each
    model is compiled once."""
    root = tmp_path_factory.getbasetemp().parent / "bm-kernels"
    root.mkdir(exist_ok=True)
    return root


@pytest.fixture
def kernels(kernel_cache, monkeypatch):
    monkeypatch.setenv(KC.ENV_CACHE, str(kernel_cache))
    return kernel_cache


def both(model, scenario=None, **kw):
    """The same run on the NumPy path and on the kernel (compiled now if missing)."""
    import os

    old = os.environ.get(KC.ENV_POLICY)
    try:
        os.environ[KC.ENV_POLICY] = "off"
        a = sfc.simulate(model, scenario, progress=False, **kw)
        os.environ[KC.ENV_POLICY] = "sync"
        b = sfc.simulate(model, scenario, progress=False, **kw)
    finally:
        if old is None:
            os.environ.pop(KC.ENV_POLICY, None)
        else:
            os.environ[KC.ENV_POLICY] = old
    return a, b


def kernel_only(model, scenario=None, **kw):
    """The run on the kernel (compiled now if missing)."""
    import os

    old = os.environ.get(KC.ENV_POLICY)
    try:
        os.environ[KC.ENV_POLICY] = "sync"
        return sfc.simulate(model, scenario, progress=False, **kw)
    finally:
        if old is None:
            os.environ.pop(KC.ENV_POLICY, None)
        else:
            os.environ[KC.ENV_POLICY] = old


def assert_close(a, b, rtol=RTOL, *, ill_conditioned=None):
    """Every value within ``rtol`` of its variable's size (``max(1, max |x|)`` over paths and
    periods): a normwise relative difference. (Pointwise, a flow that passes near zero would
    show the cancellation of its terms, not a difference of the engines.)

    ``ill_conditioned``: ``{name: rtol}`` for variables whose value amplifies the last-bit
    differences of the engines' ``exp``/``log`` (NumPy's own vs the C library's) by a known
    condition number; each must still agree to its own stated tolerance."""
    assert a.names == b.names
    assert a.data.shape == b.data.shape
    x, y = np.asarray(a.data), np.asarray(b.data)
    assert np.array_equal(np.isnan(x), np.isnan(y))
    scale = np.maximum(np.nanmax(np.abs(x), axis=tuple(range(x.ndim - 1)), initial=0.0), 1.0)
    diff = np.where(np.isnan(x), 0.0, np.abs(x - y)) / scale
    tol = np.full(diff.shape[-1], rtol)
    for name, loose in (ill_conditioned or {}).items():
        tol[a.names.index(name)] = loose
    with np.errstate(divide="ignore", invalid="ignore"):  # tolerance 0: any difference fails
        ratio = np.where(diff == 0.0, 0.0, diff / tol)
    excess = np.max(ratio, axis=tuple(range(diff.ndim - 1)), initial=0.0)
    worst = int(np.argmax(excess))
    assert excess[worst] <= 1.0, (f"kernel and NumPy differ by {float(np.max(diff[..., worst])):.3g} in "
                                  f"{a.names[worst]} (relative to its size; tolerance {tol[worst]:.0e})")


def used_kernel(model) -> bool:
    cm = sfc.as_compiled(model)
    return KC.loaded(KC.source_of(cm)) is not None


@pytest.mark.parametrize("name", TEXTBOOK)
def test_textbook_models_agree(kernels, name):
    a, b = both(name, periods=120, paths=3, seed=1)
    assert_close(a, b)


@pytest.mark.parametrize("name", TEXTBOOK)
def test_textbook_scenarios_and_uncertain_parameters_agree(kernels, name):
    from bubblemachine.sfc.scenario import scenario_from_dict

    m = sfc.load_model(name)
    shipped = [p for p in (sfc.model.resolve_model_path(name).parent / "scenarios").glob(f"{name}_*.toml")]
    for path in shipped:
        a, b = both(m, str(path), periods=80, paths=2, seed=2)
        assert_close(a, b)
    # per-path values of two parameters (a 2-D input table) and a shock (a time-varying one)
    p1, p2 = list(m.parameters)[:2]
    v1, v2 = m.parameters[p1], m.parameters[p2]
    sc = scenario_from_dict({
        "uncertain": {p1: {"dist": "uniform", "low": v1 * 0.98, "high": v1 * 1.02 + 1e-9}},
        "shock": [{"set": {p2: v2 * 1.01 + 1e-6}, "start": 10, "end": 30}],
    })
    a, b = both(m, sc, periods=60, paths=300, seed=3)
    assert_close(a, b)


def test_quantiles_and_save_agree(kernels):
    from bubblemachine.sfc.scenario import scenario_from_dict

    sc = scenario_from_dict({"uncertain": {"alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7}}})
    a, b = both("sim", sc, periods=90, paths=700, seed=5, save=["Y", "Hh", "alpha1"])
    assert_close(a, b)
    a, b = both("sim", sc, periods=90, paths=700, seed=5, save=["Y"], quantiles=[0.1, 0.5, 0.9])
    assert_close(a, b)


def test_random_draws_and_threads_agree(kernels, models_dir, monkeypatch):
    # per-period draws (normal and Student-t) over 600 paths: several RNG blocks, drawn in threads
    monkeypatch.setenv("BUBBLEMACHINE_THREADS", "3")
    a, b = both(str(models_dir / "noisy.toml"), periods=150, paths=600, seed=7)
    assert_close(a, b, rtol=0)  # no solver, no rounding to differ: bit-identical


def test_quantiles_with_short_chunks_draw_whole_chunks(kernels, models_dir, monkeypatch):
    """A quantile run whose buffer holds fewer periods than a chunk of draws draws each chunk
    whole (not block by block); the numbers are the NumPy path's."""
    from bubblemachine.sfc import kernel_run

    monkeypatch.setenv("BUBBLEMACHINE_THREADS", "2")
    monkeypatch.setattr(kernel_run, "BUFFER_BYTES", 600 * 3 * 10 * 8)  # 10 periods per kernel chunk
    a, b = both(str(models_dir / "noisy.toml"), periods=150, paths=600, seed=7, quantiles=[0.1, 0.5, 0.9])
    assert_close(a, b, rtol=0)


def test_backends_give_bit_identical_kernel_results(kernels, models_dir, monkeypatch):
    """A path's numbers on the kernel depend on nothing but the path: serial and the process
    backend (other ranges of paths) agree exactly."""
    monkeypatch.setenv(KC.ENV_POLICY, "sync")
    m = sfc.load_model("sim")
    from bubblemachine.sfc.scenario import scenario_from_dict

    sc = scenario_from_dict({"uncertain": {"alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7}}})
    serial = sfc.simulate(m, sc, periods=50, paths=300, seed=9, progress=False)
    from bubblemachine.sfc.backends import ProcessBackend

    with ProcessBackend(workers=2) as be:
        par = sfc.simulate(m, sc, periods=50, paths=300, seed=9, progress=False, backend=be)
    assert np.array_equal(serial.data, par.data)


def test_ai_model_and_its_scenarios_agree(kernels):
    from bubblemachine.scenarios import list_scenarios

    m = sfc.load_model("ai_liquidity")
    cm = sfc.compile_model(m)
    # crowd and crowd_share are ratios of what the slack pools cannot absorb to the day's supply
    # news; the pool (asset owners' money less the share of ~$93tn of wealth they want to hold)
    # is a small residual of large stocks, so near an empty pool a last-bit difference of a
    # price (the engines' exp) is amplified ~1e4-1e5 times (measured: 1.9e-12 in cost_of_living
    # at 140 periods, every other variable <= 1.1e-13)
    loose = {"crowd": 1e-9, "crowd_share": 1e-9}
    for name in list_scenarios():
        a, b = both(cm, name, periods=140, paths=40, seed=11)
        assert_close(a, b, ill_conditioned=loose)
    assert used_kernel(cm)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(model=sfc_models())
def test_generated_models_agree(kernels, model):
    try:
        a, b = both(model, periods=40, paths=5, seed=13)
    except SimulationError as exc:
        # a generated model the NumPy path cannot solve (a block that does not converge, a
        # value that is not finite): the kernel run must stop with the very same error
        with pytest.raises(type(exc)) as on_kernel:
            kernel_only(model, periods=40, paths=5, seed=13)
        assert str(on_kernel.value) == str(exc)
        return
    # a nonlinear simultaneous block is solved to Newton's tolerance (1e-12 relative) each
    # period, and the two paths stop iterating at different points (NumPy when every path has
    # converged, the kernel path by path): they agree to that tolerance, accumulated by stocks
    nonlinear = any(not b.linear for b in sfc.compile_model(model).cycles())
    assert_close(a, b, rtol=1e-10 if nonlinear else RTOL)


# --------------------------------------------------------------------------- the NumPy path referees
DIVIDES = """
[model]
name = "DIVIDES"
[equations]
x = "x[-1] - 1"
y = "1 / x"
[parameters]
[initial]
x = 5
"""

LEAKS = """
[model]
name = "LEAKS"
[equations]
a = "a[-1] + 1"
b = "b[-1] + where(a > 30, 1.5, 1)"
[initial]
a = 0
b = 0
[hidden]
a = "b"
"""


def test_a_failure_is_the_numpy_paths_error(kernels):
    m = sfc.loads_model(DIVIDES, "divides.toml")
    with pytest.raises(SimulationError) as e_np:
        both(m, periods=20, paths=1)
    # both() raises on its first (NumPy) run; run the kernel alone
    import os

    os.environ[KC.ENV_POLICY] = "sync"
    try:
        with pytest.raises(SimulationError) as e_k:
            sfc.simulate(m, periods=20, paths=1, progress=False)
    finally:
        os.environ.pop(KC.ENV_POLICY)
    assert str(e_k.value) == str(e_np.value)
    assert "period 5" in str(e_k.value)


LAGGED_INPUTS = """
[model]
name = "LAGIN"
[equations]
y = "0.5 * y[-1] + g[-1] + 2 * g[-2] + h[-1]"
z = "where(y > 3, log(y), tanh(y))"
[parameters]
g = 1.0
h = 0.5
[initial]
y = 1
"""


def test_lagged_inputs_per_path_and_over_time_on_the_vector_kernel(kernels, monkeypatch):
    """Lagged inputs of every kind (a per-path draw that a shock makes time-varying, a shocked
    constant) and a per-lane where/log/tanh: the vector kernel gives the scalar kernel's numbers
    and the NumPy path's."""
    from bubblemachine.sfc.scenario import scenario_from_dict

    m = sfc.loads_model(LAGGED_INPUTS, "lagin.toml")
    sc = scenario_from_dict({"uncertain": {"g": {"dist": "uniform", "low": 0.5, "high": 1.5}},
                             "shock": [{"start": 5, "end": 20, "set": {"g": 3.0, "h": 2.0}}]})
    a, b = both(m, sc, periods=40, paths=11, seed=1)
    assert_close(a, b)
    k = KC.precompile(sfc.compile_model(m))
    assert k.fn.lanes == 4
    monkeypatch.setattr(k.fn, "lanes", 1)
    assert np.array_equal(kernel_only(m, sc, periods=40, paths=11, seed=1).data, b.data)


@pytest.mark.parametrize("paths", [2, 9])  # the scalar kernel only; two groups of four on the vector kernel, then one path
def test_accounting_error_is_the_numpy_paths(kernels, monkeypatch, paths):
    m = sfc.loads_model(LEAKS, "leaks.toml")
    monkeypatch.setenv(KC.ENV_POLICY, "off")
    with pytest.raises(AccountingError) as e_np:
        sfc.simulate(m, periods=60, paths=paths, progress=False)
    monkeypatch.setenv(KC.ENV_POLICY, "sync")
    assert KC.precompile(sfc.compile_model(m)).fn.lanes == 4
    with pytest.raises(AccountingError) as e_k:
        sfc.simulate(m, periods=60, paths=paths, progress=False)
    assert str(e_k.value) == str(e_np.value)
    assert "period 31" in str(e_k.value)


def test_failed_paths_excluded_and_kept_as_on_numpy(kernels):
    from bubblemachine.sfc.scenario import scenario_from_dict

    # log of a stock that falls below zero at period 5 / step: some paths fail, some don't
    m = sfc.loads_model(DIVIDES.replace('x = "x[-1] - 1"', 'x = "x[-1] - step"').replace('"1 / x"', '"log(x)"')
                        .replace("[parameters]", "[parameters]\nstep = 1"), "logs.toml")
    sc = scenario_from_dict({"uncertain": {"step": {"dist": "uniform", "low": 0.1, "high": 1.2}}})
    for policy in ("exclude", "keep"):
        a, b = both(m, sc, periods=30, paths=400, seed=4, on_failure=policy)
        assert a.failed_paths > 0
        assert [(f.path, f.period, f.kind) for f in a.failures] == [(f.path, f.period, f.kind) for f in b.failures]
        assert_close(a, b)


RANDOM_WALK = """
[model]
name = "WALK"
[equations]
x = "x[-1] + eps + 0.1 * fat"
y = "log(x)"
[random]
eps = { dist = "normal", mean = 0.0, sd = 1.0 }
fat = { dist = "student_t", df = 5, mean = 0.0, sd = 1.0 }
[initial]
x = 40
"""


@pytest.mark.parametrize("policy", ["raise", "exclude", "keep"])
def test_failures_in_later_chunks_of_draws_as_on_numpy(kernels, monkeypatch, policy):
    """Per-period draws are drawn block by block just before the kernel runs each block; a
    chunk handed back to the NumPy path (here: paths whose walk reaches zero, from the third
    chunk of 64 periods on) is drawn again from the generators' states at its start, so the
    numbers, the failures and the paths that go on are the NumPy path's."""
    monkeypatch.setenv("BUBBLEMACHINE_THREADS", "2")
    m = sfc.loads_model(RANDOM_WALK, "walk.toml")
    kw = {"periods": 300, "paths": 700, "seed": 3, "on_failure": policy}
    if policy == "raise":
        with pytest.raises(SimulationError) as e_np:
            both(m, **kw)
        with pytest.raises(SimulationError) as e_k:
            kernel_only(m, **kw)
        assert str(e_k.value) == str(e_np.value)
        return
    a, b = both(m, **kw)
    assert 0 < a.failed_paths < 700
    assert min(f.period for f in a.failures) > 128
    assert [(f.path, f.period, f.kind) for f in a.failures] == [(f.path, f.period, f.kind) for f in b.failures]
    assert_close(a, b)


def test_backends_give_bit_identical_kernel_results_with_draws(kernels, models_dir, monkeypatch):
    """With per-period draws too: the process backend's workers (other ranges of paths, whose
    blocks of draws start mid-block) give the serial kernel run's numbers exactly."""
    monkeypatch.setenv(KC.ENV_POLICY, "sync")
    monkeypatch.setenv("BUBBLEMACHINE_THREADS", "2")
    m = sfc.load_model(str(models_dir / "noisy.toml"))
    serial = sfc.simulate(m, periods=150, paths=900, seed=21, progress=False)
    from bubblemachine.sfc.backends import ProcessBackend

    with ProcessBackend(workers=3) as be:
        par = sfc.simulate(m, periods=150, paths=900, seed=21, progress=False, backend=be)
    assert np.array_equal(serial.data, par.data)


@pytest.mark.parametrize("name", [*TEXTBOOK, "ai_liquidity", "noisy"])
def test_vector_kernel_gives_the_scalar_kernels_numbers(kernels, models_dir, monkeypatch, name):
    """The vector kernel (four paths per group, one per lane) does each path's operations in the
    same order as the scalar kernel, so its numbers are the same bit for bit; a range that is
    not a whole number of groups ends on the scalar kernel. Models whose blocks iterate (a
    Newton loop left by ``break``, a Jacobian solved by elimination) have no vector kernel."""
    monkeypatch.setenv(KC.ENV_POLICY, "sync")
    monkeypatch.setenv("BUBBLEMACHINE_THREADS", "2")
    m = sfc.load_model(str(models_dir / "noisy.toml") if name == "noisy" else name)
    cm = sfc.compile_model(m)
    k = KC.precompile(cm)
    iterates = any(b.cyclic and not b.linear for b in cm.blocks) or any(b.cyclic and len(b.tears) > 1 for b in cm.blocks)
    assert k.fn.lanes == (1 if iterates else 4)
    kw = {"periods": 70, "paths": 23 if name == "ai_liquidity" else 603, "seed": 8, "progress": False}
    vec = sfc.simulate(cm, **kw)
    monkeypatch.setattr(k.fn, "lanes", 1)
    scalar = sfc.simulate(cm, **kw)
    assert np.array_equal(vec.data, scalar.data, equal_nan=True)


# --------------------------------------------------------------------------- cache and fallback
def test_second_process_loads_from_disk(kernels, tmp_path):
    code = (
        "import json, os, time\n"
        "from bubblemachine.sfc import compile_model, load_model\n"
        "from bubblemachine.sfc import kernel_cache as KC\n"
        "cm = compile_model(load_model('pc'))\n"
        "k = KC.precompile(cm)\n"
        "print(json.dumps({'from_disk': k.from_disk, 'load_s': k.load_seconds, 'compile_s': k.compile_seconds}))\n"
    )
    env = {**__import__("os").environ, KC.ENV_CACHE: str(tmp_path / "cache")}
    first = json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
    second = json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
    assert not first["from_disk"] and second["from_disk"]
    assert second["compile_s"] == pytest.approx(first["compile_s"])  # the first compile's time is kept
    files = list((tmp_path / "cache").rglob("compiled.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["model"] == "PC"


def test_kernel_key_ignores_parameter_values():
    m = sfc.load_model("sim")
    m2 = sfc.loads_model(open(m.path).read().replace("alpha1 = 0.6", "alpha1 = 0.55"), "sim2.toml")
    k1 = KC.source_of(sfc.compile_model(m))
    k2 = KC.source_of(sfc.compile_model(m2))
    assert k1.key == k2.key


def test_missing_fast_extra_falls_back_with_one_notice(monkeypatch):
    monkeypatch.setenv(KC.ENV_POLICY, "auto")
    monkeypatch.setattr(KC, "fast_available", lambda: False)
    monkeypatch.setattr(KC, "_notice_given", False)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        r1 = sfc.simulate("sim", periods=30, paths=2, seed=1, progress=False)
        sfc.simulate("sim", periods=30, paths=2, seed=1, progress=False)
    notes = [w for w in got if issubclass(w.category, BubbleMachineWarning) and "llvmlite" in str(w.message)]
    assert len(notes) == 1 and "bubblemachine[fast]" in str(notes[0].message)
    monkeypatch.setenv(KC.ENV_POLICY, "off")
    r2 = sfc.simulate("sim", periods=30, paths=2, seed=1, progress=False)
    assert np.array_equal(r1.data, r2.data)


def test_bad_policy_is_a_named_error(monkeypatch):
    from bubblemachine.errors import RunOptionError

    monkeypatch.setenv(KC.ENV_POLICY, "fastest")
    with pytest.raises(RunOptionError, match="BUBBLEMACHINE_KERNEL"):
        sfc.simulate("sim", periods=3, progress=False)


def test_kernel_result_is_freed_without_the_cycle_collector(kernels):
    """A kernel run holds no reference cycle to its result: dropping the result frees its
    array at once (a cycle would keep gigabytes alive between the runs of a sweep or of the
    playground until Python's cycle collector happens to run)."""
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        r = kernel_only("sim", periods=30, paths=600, seed=4)
        base = r.data
        while isinstance(base.base, np.ndarray):
            base = base.base
        ref = weakref.ref(base)
        del r, base
        assert ref() is None
    finally:
        gc.enable()


def test_small_runs_compile_nothing_and_exit_cleanly(kernels, tmp_path):
    """A small run of a model with no kernel on disk runs on NumPy and compiles nothing: an LLVM
    compilation left running in a background thread aborted the interpreter at exit
    (`simulate ai_liquidity --paths 20` ended in SIGABRT/SIGSEGV after printing its result)."""
    env = {**os.environ, KC.ENV_CACHE: str(tmp_path / "cache"), KC.ENV_POLICY: "auto",
           "BUBBLEMACHINE_HOME": str(tmp_path / "home")}
    for _ in range(2):
        r = subprocess.run([sys.executable, "-m", "bubblemachine", "-q", "simulate", "ai_liquidity", "--paths", "20",
                            "--periods", "20"], env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, (r.returncode, r.stderr[-500:])
        assert "spx" in r.stdout
    assert not list((tmp_path / "cache").rglob("kernel.o"))  # nothing compiled for a small run
