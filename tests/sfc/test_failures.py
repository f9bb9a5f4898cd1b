"""A path that fails (a non-finite value, no convergence) does not take the other paths with it
when ``on_failure`` says so; the result says which paths failed, where and why."""

from __future__ import annotations

import numpy as np
import pytest

import bubblemachine as bm
from bubblemachine.errors import AccountingError, ConvergenceError, SimulationError
from bubblemachine.sfc import FailureKind, loads_model, resolve_run, scenario_from_dict
from bubblemachine.sfc.backends import ProcessBackend

# x = log(k - c/2) with c = 1, 2, 3, ...: path p fails at the first period t with t >= 2 k_p
LOG = """
[model]
name = "LOGFAIL"
[equations]
c = "c[-1] + 1"
x = "log(k - 0.5 * c)"
w = "x + 0"
[parameters]
k = 10
"""
UNC = {"scenario": {"name": "u"}, "uncertain": {"k": {"dist": "uniform", "low": 1.0, "high": 30.0}}}
T, N = 40, 300  # 300 paths cross the 256-path RNG block


def expected(r_or_k):
    k = np.asarray(r_or_k)
    first = np.ceil(2 * k).astype(int)  # first t with t >= 2k
    return first


@pytest.fixture(scope="module")
def logmodel():
    return loads_model(LOG, "logfail.toml"), scenario_from_dict(UNC, "u.toml")


def test_raise_is_the_default_and_names_equation_period_and_path(logmodel):
    m, sc = logmodel
    with pytest.raises(SimulationError, match=r"model LOGFAIL: x is -?(nan|inf) at period \d+ on path \d+ \(logfail.toml:6: equations.x: x = log\(k - 0.5 \* c\)\)"):
        bm.simulate(m, sc, periods=T, paths=N, seed=1, progress=False)


def test_exclude_drops_failed_paths_and_reports_them(logmodel):
    m, sc = logmodel
    full = bm.simulate(m, sc, periods=T, paths=N, seed=1, progress=False, on_failure="keep")
    k = full.param("k")
    first = expected(k)
    fails = first <= T
    assert 0 < fails.sum() < N  # some paths fail, some do not
    r = bm.simulate(m, sc, periods=T, paths=N, seed=1, progress=False, on_failure="exclude")
    assert np.array_equal(r.path_ids, np.flatnonzero(~fails))
    assert r.data.shape == (int((~fails).sum()), T + 1, 3)
    assert r.failed_paths == int(fails.sum())
    assert [f.path for f in r.failures] == list(np.flatnonzero(fails))
    for f in r.failures:
        assert f.period == first[f.path]
        assert f.kind is FailureKind.NON_FINITE and f.variable == "x" and f.block is None
        assert f"at period {f.period} on path {f.path}" in f.message and "logfail.toml:6" in f.message
    # the survivors are exactly what the equation gives
    t = np.arange(1, T + 1)
    surv = r.param("k")
    np.testing.assert_allclose(r["x"][:, 1:], np.log(surv[:, None] - 0.5 * t[None, :]), rtol=1e-15, atol=0)
    assert np.array_equal(r.param("k"), k[~fails])


def test_keep_holds_failed_paths_as_nan_from_their_failure(logmodel):
    m, sc = logmodel
    r = bm.simulate(m, sc, periods=T, paths=N, seed=1, progress=False, on_failure="keep")
    assert r.data.shape == (N, T + 1, 3)
    first = expected(r.param("k"))
    for f in r.failures:
        row = r["x"][f.path]
        assert np.isfinite(row[1:f.period]).all() and np.isnan(row[f.period:]).all()
        assert np.isnan(r["c"][f.path, f.period:]).all() and r["c"][f.path, f.period - 1] == f.period - 1
    ok = first > T
    assert np.isfinite(r.data[ok]).all()
    q = r.quantiles([0.5])  # NaN-aware over the paths alive at each period
    assert np.isfinite(q.data).all()


def test_a_failing_path_in_scalar_mode(logmodel):
    m, _ = logmodel
    with pytest.raises(SimulationError, match="all 1 paths failed; the first: model LOGFAIL: x is"):
        bm.simulate(m, periods=30, paths=1, seed=0, progress=False, on_failure="exclude")
    r = bm.simulate(m, periods=15, paths=1, seed=0, progress=False, on_failure="exclude")
    assert r.failures == () and r.data.shape == (1, 16, 3)


def test_failures_are_bit_identical_on_the_process_backend(logmodel):
    m, sc = logmodel
    ref = bm.simulate(m, sc, periods=T, paths=N, seed=1, progress=False, on_failure="exclude")
    with ProcessBackend(workers=2, chunks_per_worker=2) as pool:
        got = bm.simulate(m, sc, periods=T, paths=N, seed=1, progress=False, on_failure="exclude", backend=pool)
    assert np.array_equal(got.data, ref.data) and np.array_equal(got.path_ids, ref.path_ids)
    assert got.failures == ref.failures


def test_quantiles_with_failures(logmodel):
    m, sc = logmodel
    q = bm.simulate(m, sc, periods=T, paths=N, seed=1, progress=False, on_failure="exclude", quantiles=[0.1, 0.5, 0.9])
    full = bm.simulate(m, sc, periods=T, paths=N, seed=1, progress=False, on_failure="keep")
    assert q.failures == full.failures
    # at the last period the quantiles are over the paths that never failed
    alive = full.data[:, -1, :]
    alive = alive[np.isfinite(alive).all(axis=1)]
    np.testing.assert_allclose(q.data[:, -1, :], np.quantile(alive, [0.1, 0.5, 0.9], axis=0), rtol=1e-14)


# x = x^2 + q has a root only for q <= 1/4: paths with q > 1/4 cannot converge
QUAD = """
[model]
name = "QUAD"
[equations]
x = "x * x + q"
[parameters]
q = 0.1
"""


def test_no_convergence_is_a_per_path_failure():
    m = loads_model(QUAD, "quad.toml")
    sc = scenario_from_dict({"uncertain": {"q": {"dist": "uniform", "low": 0.0, "high": 0.5}}})
    with pytest.raises(ConvergenceError, match=r"block 0 \(x\) did not converge at period 1"):
        bm.simulate(m, sc, periods=5, paths=64, seed=3, progress=False)
    r = bm.simulate(m, sc, periods=5, paths=64, seed=3, progress=False, on_failure="exclude")
    q = r.param("q")
    assert (q <= 0.25).all() and r.failed_paths == 64 - len(q)
    np.testing.assert_allclose(r["x"][:, 1:], np.broadcast_to(((1 - np.sqrt(1 - 4 * q)) / 2)[:, None], (len(q), 5)), rtol=1e-9)
    assert {f.kind for f in r.failures} <= {FailureKind.CONVERGENCE, FailureKind.NON_FINITE}
    assert all(f.period == 1 for f in r.failures)
    conv = [f for f in r.failures if f.kind is FailureKind.CONVERGENCE]
    assert conv and all(f.block == 0 and f.variable == "x" for f in conv)


def test_accounting_checks_stay_strict():
    m = loads_model("""
[model]
name = "LEAK"
[equations]
H = "H[-1] + 1"
F = "d(H) + leak"
[parameters]
leak = 0.0
[matrices.t]
columns = ["A", "B"]
[matrices.t.rows]
"flow" = { A = "d(H)", B = "-F" }
""")
    sc = scenario_from_dict({"uncertain": {"leak": {"dist": "uniform", "low": 0.0, "high": 1.0}}})
    with pytest.raises(AccountingError, match="matrix 't' row 'flow'"):
        bm.simulate(m, sc, periods=3, paths=10, seed=0, progress=False, on_failure="exclude")


def test_sweep_counts_failed_paths_per_point(tmp_path, logmodel):
    m, sc = logmodel
    res = bm.sweep(m, {"k": [5.0, 50.0]}, paths=4, periods=T, seed=0, out=tmp_path / "s", progress=False,
                   on_failure="keep")
    idx = res.points
    assert list(idx["failed"]) == [4, 0]  # k = 5 fails at period 10 on every path
    assert res.manifest["failed_paths"] == 4 and res.manifest["on_failure"] == "keep"
    spec = resolve_run(m, paths=4, periods=T, on_failure="exclude", set={"k": 5.0})
    with pytest.raises(SimulationError, match="all 4 paths failed"):
        bm.sfc.run_spec(spec, progress=False)


def test_the_scenario_runner_passes_on_failure(tmp_path):
    from bubblemachine.scenarios import runner

    model = tmp_path / "logfail.toml"
    model.write_text(LOG)
    scen = tmp_path / "u.toml"
    scen.write_text('[scenario]\nname = "u"\nmodel = "logfail.toml"\n[uncertain]\nk = { dist = "uniform", low = 1.0, high = 30.0 }\n')
    run = runner.run(str(scen), paths=N, horizon=T, seed=1, save=["x"], on_failure="exclude")
    ref = bm.simulate(loads_model(LOG, "logfail.toml"), scenario_from_dict(UNC, "u.toml"), periods=T, paths=N, seed=1,
                      progress=False, on_failure="exclude")
    assert np.array_equal(run.arrays["x"], ref["x"]) and len(run.failures) == ref.failed_paths > 0
