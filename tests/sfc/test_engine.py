"""The engine against analytic truth: SIM's closed form and steady state, a nonlinear block."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bubblemachine as bm
from bubblemachine.errors import AccountingError, ConvergenceError, ModelError, SimulationError
from bubblemachine.sfc import compile_model, loads_model, scenario_from_dict


def sim_closed_form(T, a1=0.6, a2=0.4, th=0.2, G=20.0):
    H, Ys = 0.0, [0.0]
    for _ in range(T):
        Y = (G + a2 * H) / (1.0 - a1 * (1.0 - th))
        YD = (1.0 - th) * Y
        H += YD - (a1 * YD + a2 * H)
        Ys.append(Y)
    return np.array(Ys)


def test_sim_matches_closed_form_and_steady_state(sim_path):
    r = bm.simulate(sim_path, periods=400, seed=0, progress=False)
    y = r["Y"][0]
    assert y.shape == (401,)
    np.testing.assert_allclose(y, sim_closed_form(400), rtol=1e-12, atol=1e-12)
    assert y[1] == pytest.approx(20 / 0.52, rel=1e-14)  # G / (1 - alpha1 (1 - theta))
    assert abs(y[-1] - 20 / 0.2) < 1e-8  # Y* = G / theta
    assert abs(r["Hh"][0, -1] - 80.0) < 1e-8  # H* = (1 - alpha1) (1 - theta) Y* / alpha2


def test_blocks_of_sim(sim_path):
    cm = compile_model(bm.load_model(sim_path))
    cyc = cm.cycles()
    assert len(cyc) == 1
    assert set(cyc[0].variables) == {"Td", "Ts", "YD", "Cd", "Cs", "Y", "Nd", "Ns"}
    assert len(cyc[0].tears) == 1 and cyc[0].linear
    # every variable appears in exactly one block, and blocks respect same-period dependencies
    seen: list[str] = []
    for b in cm.blocks:
        for v in b.variables:
            assert all(u in seen or u in b.variables for u in cm.deps[v])
        seen.extend(b.variables)
    assert sorted(seen) == sorted(cm.model.equations)


def test_gauss_seidel_agrees_with_newton(sim_path, models_dir):
    for path in (sim_path, models_dir / "nonlinear.toml"):
        a = bm.simulate(path, periods=60, paths=3, seed=1, progress=False, solver="newton")
        b = bm.simulate(path, periods=60, paths=3, seed=1, progress=False, solver="gauss-seidel")
        np.testing.assert_allclose(a.data, b.data, rtol=1e-9, atol=1e-9)


def test_scalar_and_vector_paths_agree(sim_path):
    one = bm.simulate(sim_path, periods=150, paths=1, seed=5, progress=False)
    many = bm.simulate(sim_path, periods=150, paths=4, seed=5, progress=False)
    for p in range(4):
        np.testing.assert_allclose(many.data[p], one.data[0], rtol=1e-13, atol=1e-12)


def test_nonlinear_block_solution(models_dir):
    r = bm.simulate(models_dir / "nonlinear.toml", periods=5, progress=False, seed=0)
    a, b = 1.0, 2.0
    x_star = ((2 * a + b) + math.sqrt((2 * a + b) ** 2 - 4 * a * a)) / 2  # the root with x > a
    assert r["x"][0, 1:] == pytest.approx(x_star, rel=1e-12)
    assert r["y"][0, 1:] == pytest.approx(b * x_star, rel=1e-12)
    x = x_star
    z = math.log(x) + max(x, b * x, 0) + min(max(x, 0), 1) + math.tanh(x) + abs(-x)
    assert r["z"][0, 1] == pytest.approx(z, rel=1e-12)
    # s = s[-1] + d(x): s tracks x up to its initial offset (s0 - x0 = 0)
    np.testing.assert_allclose(r["s"][0], r["x"][0], rtol=1e-12)


def test_uncertain_parameters_per_path_reach_their_own_steady_state(sim_path):
    sc = scenario_from_dict({"uncertain": {
        "alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7},
        "theta": {"dist": "uniform", "low": 0.15, "high": 0.25}}})
    r = bm.simulate(sim_path, sc, periods=500, paths=50, seed=11, progress=False)
    th = r.param("theta")
    a1 = r.param("alpha1")
    assert th.min() >= 0.15 and th.max() <= 0.25 and np.ptp(th) > 0.05
    np.testing.assert_allclose(r["Y"][:, -1], 20.0 / th, rtol=1e-9)
    np.testing.assert_allclose(r["Y"][:, 1], 20.0 / (1 - a1 * (1 - th)), rtol=1e-12)


def test_shock_and_steady_start(sim_path):
    sc = scenario_from_dict({"scenario": {"start": "steady"}, "shock": [{"set": {"Gd": 25}, "start": 5, "end": 400}]})
    r = bm.simulate(sim_path, sc, periods=420, seed=0, progress=False)
    y = r["Y"][0]
    assert y[0] == pytest.approx(100.0, rel=1e-9) and y[4] == pytest.approx(100.0, rel=1e-9)
    assert r["Gd"][0, 5] == 25 and r["Gd"][0, 4] == 20 and r["Gd"][0, 401] == 20
    assert y[400] == pytest.approx(125.0, rel=1e-8)  # G / theta after the shock
    # first period of the shock: multiplier 1 / (1 - alpha1 (1 - theta)) on dG = 5
    assert y[5] - y[4] == pytest.approx(5 / 0.52, rel=1e-9)


def test_set_overrides_parameters_and_paths(sim_path):
    r = bm.simulate(sim_path, periods=400, set={"theta": 0.25, "Gd": [20, 30]}, progress=False, seed=0)
    assert r["Gd"][0, 0] == 20 and r["Gd"][0, 1] == 30 and r["Gd"][0, -1] == 30
    assert r["Y"][0, -1] == pytest.approx(30 / 0.25, rel=1e-9)
    with pytest.raises(Exception, match="endogenous"):
        bm.simulate(sim_path, periods=4, set={"Y": 1.0}, progress=False)


def test_random_draws_and_student_t_scale(models_dir):
    r = bm.simulate(models_dir / "noisy.toml", periods=200, paths=300, seed=3, progress=False)
    eps = r["eps"][:, 1:]
    assert abs(eps.mean()) < 0.01 and eps.std() == pytest.approx(0.5, rel=0.02)
    fat = r["fat"][:, 1:]
    assert fat.std() == pytest.approx(2.0, rel=0.05)
    kurt = ((fat - fat.mean()) ** 4).mean() / fat.var() ** 2
    assert kurt > 4.5  # student-t with df=5 has kurtosis 9; the normal has 3
    assert r["eps"][0, 0] == 0.0  # period 0 holds no draw
    np.testing.assert_allclose(r["K"][:, 1:] - r["K"][:, :-1], r["I"][:, 1:], rtol=1e-12, atol=1e-12)


def test_leaky_model_raises_accounting_error(models_dir):
    with pytest.raises(AccountingError, match=r"Change in money|Households") as info:
        bm.simulate(models_dir / "leaky.toml", periods=10, progress=False)
    assert "period 1" in str(info.value) and "path 0" in str(info.value)


def test_division_by_zero_names_equation_period_and_path():
    m = loads_model("""
[model]
name = "DIV"
[equations]
x = "1 / (k - x0)"
x0 = "x0[-1] + 1"
[parameters]
k = 3
""", "div.toml")
    with pytest.raises(SimulationError, match=r"x .*period 3 on path 0.*div.toml.*x = 1 / \(k - x0\)"):
        bm.simulate(m, periods=5, progress=False)
    with pytest.raises(SimulationError, match=r"period 3 on path 0"):
        bm.simulate(m, periods=5, paths=3, progress=False)


def test_convergence_error_names_block_period_and_path():
    m = loads_model("""
[model]
name = "NOCONV"
[equations]
x = "x * x + 1 + a"
[parameters]
a = 0.0
""", "noconv.toml")
    with pytest.raises(ConvergenceError, match=r"block 0 \(x\) did not converge at period 1 \(worst path 0; residuals x: "):
        bm.simulate(m, periods=3, paths=2, set={"a": 0.0}, progress=False)


def test_model_errors():
    with pytest.raises(ModelError, match=r"unknown name 'Q' at column 5"):
        loads_model('[model]\nname="A"\n[equations]\nx = "1 + Q"\n', "a.toml")
    with pytest.raises(ModelError, match=r"a.toml.*invalid TOML.*line 5"):
        loads_model('[model]\nname="A"\n[equations]\nx = "1"\nx = "2"\n', "a.toml")
    with pytest.raises(ModelError, match=r"initial value for 'q', which has no equation"):
        loads_model('[model]\nname="A"\n[equations]\nx = "1"\n[initial]\nq = 1\n', "a.toml")
    with pytest.raises(ModelError, match=r"unknown function '__import__'"):
        loads_model('[model]\nname="A"\n[equations]\nx = "__import__(1)"\n', "a.toml")
    with pytest.raises(ModelError, match=r"Attribute is not allowed"):
        loads_model('[model]\nname="A"\n[equations]\nx = "a.b"\n', "a.toml")
    with pytest.raises(ModelError, match=r"lag must be a negative integer"):
        loads_model('[model]\nname="A"\n[equations]\nx = "x[1]"\n', "a.toml")
    with pytest.raises(ModelError, match=r"defined twice"):
        loads_model('[model]\nname="A"\n[equations]\nx = "1"\n[parameters]\nx = 1\n', "a.toml")


def test_multi_file_model_and_docs(models_dir):
    m = bm.load_model(models_dir / "multi")
    assert m.name == "MULTI" and set(m.equations) == {"Y", "T", "YD", "C", "Hh", "Hs"}
    assert "M0.2" in m.describe("C") and "households.toml" in m.describe("C")
    # files load in name order after model.toml; columns keep their order of first appearance
    assert m.matrices["transactions"].columns == ("Government", "Households", "Production")
    r = bm.simulate(m, periods=300, progress=False, seed=0)
    assert r["Y"][0, -1] == pytest.approx(25 / 0.2, rel=1e-9)
    df = r.to_pandas()
    assert str(df.index[0].date()) == "2025-01-01" and str(df.index[3].date()) == "2025-04-01"


def test_multi_file_duplicate_names_both_files(tmp_path, models_dir):
    import shutil

    d = tmp_path / "m"
    shutil.copytree(models_dir / "multi", d)
    (d / "extra.toml").write_text('[parameters]\ntheta = 0.3\n')
    with pytest.raises(ModelError, match=r"government.toml:\d+: parameters.theta: 'theta' is defined twice \(also in .*extra.toml:2"):
        bm.load_model(d)


def test_lag_of_a_variable_equal_to_a_draw_survives_chunk_boundaries():
    m = loads_model("""
[model]
name = "LAGDRAW"
[equations]
e = "eps"
le = "e[-1]"
[random]
eps = { dist = "normal", mean = 0.0, sd = 1.0 }
""", "lagdraw.toml")
    for paths in (1, 3):
        r = bm.simulate(m, periods=200, paths=paths, seed=2, progress=False)
        np.testing.assert_array_equal(r["le"][:, 2:], r["e"][:, 1:-1])


def test_where_branch_not_taken_may_divide_by_zero():
    m = loads_model("""
[model]
name = "LAZY"
[equations]
x = "x[-1] + 1"
y = "where(k > 0, x * (1 / k), -x)"
z = "where(x > 2, log(x - 2), 0) + 0.5 * z"
[parameters]
k = 0
""", "lazy.toml")
    for paths in (1, 2):
        r = bm.simulate(m, periods=4, paths=paths, progress=False)
        np.testing.assert_allclose(r["y"][0], [0, -1, -2, -3, -4])
        assert r["z"][0, 3] == pytest.approx(2 * math.log(1.0))
        assert r["z"][0, 4] == pytest.approx(2 * math.log(2.0))


@pytest.mark.parametrize("solver", ["newton", "gauss-seidel"])
def test_no_drift_of_hidden_identities_over_long_runs(solver):
    """PC's Hh = Hs accumulates any residual left in the Y block (docs/design/sfc-solver.md)."""
    from bubblemachine.sfc.model import list_shipped_models

    if "pc" not in {m["name"] for m in list_shipped_models()}:
        pytest.skip("model PC not shipped")
    r = bm.simulate("pc", periods=1500, progress=False, solver=solver, seed=0)
    assert np.abs(r["Hh"] - r["Hs"]).max() < 1e-10


def test_checks_scale_d_cells_by_their_stock(sim_path):
    """Near a steady state d(H) ~ 0 but its rounding is ~1e-16 |H|: large units must pass."""
    from bubblemachine.testing import assert_stock_flow_consistent

    r = bm.simulate(sim_path, periods=400, set={"Gd": 1e6}, progress=False, seed=0)
    assert r["Y"][0, -1] == pytest.approx(5e6, rel=1e-9)
    assert_stock_flow_consistent(r)


def test_model_digest_does_not_depend_on_where_the_files_live(tmp_path, models_dir):
    import shutil

    import bubblemachine as bm

    a, b = tmp_path / "a", tmp_path / "elsewhere" / "b"
    shutil.copytree(models_dir / "multi", a)
    shutil.copytree(models_dir / "multi", b)
    assert bm.load_model(a).digest == bm.load_model(b).digest
    (b / "government.toml").write_text((b / "government.toml").read_text() + "\n# changed\n")
    assert bm.load_model(a).digest != bm.load_model(b).digest
