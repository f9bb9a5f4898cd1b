"""Solvers and distributions are strategy objects: adding one is one class, found by its name."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

import bubblemachine as bm
from bubblemachine.errors import ModelError, RunOptionError
from bubblemachine.sfc import compile_model, scenario_from_dict
from bubblemachine.sfc import expr as E
from bubblemachine.sfc.distributions import DISTRIBUTIONS, Distribution, parse_distribution
from bubblemachine.sfc.solvers import SOLVERS, GaussSeidel, Newton, Solver, get_solver


@pytest.fixture
def damped():
    """A solver written the way docs/contributing.md shows: one class."""

    @dataclass(frozen=True)
    class DampedNewton(Solver):
        name: ClassVar[str] = "test-damped-newton"
        damping: float = 0.5
        maxit: int = 200

        def emit(self, block):
            block.start()
            ind, i2 = block.indent, block.indent + "    "
            block.write(ind, f"for _it in range({self.maxit}):")
            block.sequence(i2)
            block.residuals(i2)
            block.write(i2, f"if _it and {block.converged(1e-13, 1e-13)}:")
            block.write(i2, "    break")
            block.newton_step(i2)  # a full step ...
            block.fixed_point_update(i2)  # ... then a fixed-point sweep (a different iteration)
            block.write(ind, "else:")
            block.fail(i2)
            block.finish()

        def tolerance(self):
            return 1e-13, 1e-13

    yield DampedNewton
    SOLVERS.pop("test-damped-newton", None)


def test_a_new_solver_is_one_class_found_by_name(damped, models_dir):
    assert get_solver("test-damped-newton") == damped()
    ref = bm.simulate(models_dir / "nonlinear.toml", periods=20, progress=False)
    got = bm.simulate(models_dir / "nonlinear.toml", periods=20, progress=False, solver="test-damped-newton")
    np.testing.assert_allclose(got.data, ref.data, rtol=1e-11)
    assert got.settings["solver"] == "test-damped-newton"


def test_shipped_solvers_and_errors():
    assert isinstance(get_solver(None), Newton) and isinstance(get_solver("gauss-seidel"), GaussSeidel)
    assert get_solver(Newton(maxit=5)) == Newton(maxit=5)
    with pytest.raises(RunOptionError, match=r"solver must be one of 'newton', 'gauss-seidel'"):
        get_solver("secant")
    with pytest.raises(RunOptionError, match="solver must be one of"):
        bm.simulate("sim", periods=2, progress=False, solver="secant")


def test_solver_fields_are_part_of_the_compiled_code(sim_path):
    """A solver with other settings compiles other code (cache key), and recompiling only
    happens when the solver differs."""
    from bubblemachine.sfc import as_compiled

    cm = compile_model(bm.load_model(sim_path))
    assert as_compiled(cm, "newton") is cm
    other = as_compiled(cm, Newton(maxit=7))
    assert other is not cm and other.solver.maxit == 7


def _compares_with(mod, words: set[str]) -> list[str]:
    import inspect

    tree = ast.parse(inspect.getsource(mod))
    return [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Compare)
            and any(isinstance(c, ast.Constant) and c.value in words for c in [n.left, *n.comparators])]


def test_code_generation_does_not_branch_on_solver_names():
    from bubblemachine.sfc import compiler, run, spec

    for mod in (compiler, run, spec):
        assert not _compares_with(mod, {"newton", "gauss-seidel"}), mod.__name__


@pytest.mark.parametrize(("text", "members", "affine"), [
    ("a * x + b * y - 3", {"x", "y"}, True),
    ("d(x) + x[-1] * x", {"x"}, True),
    ("x / k + (y - 1) * 2", {"x", "y"}, True),
    ("x * y", {"x", "y"}, False),
    ("k / x", {"x"}, False),
    ("x ** 2", {"x"}, False),
    ("exp(x)", {"x"}, False),
    ("exp(k) * x", {"x"}, True),
    ("max(x, 0)", {"x"}, False),
    ("where(k > 0, x, 2 * x)", {"x"}, False),
    ("where(k > 0, z, 1)", {"x"}, True),
    ("-(x - y)", {"x", "y"}, True),
])
def test_linearity_is_decided_on_the_tree(text, members, affine):
    assert E.is_affine(E.parse(text), members) is affine


def test_blocks_are_marked_linear_structurally(models_dir, sim_path):
    sim = compile_model(bm.load_model(sim_path))
    assert [b.linear for b in sim.cycles()] == [True]
    nl = compile_model(bm.load_model(models_dir / "nonlinear.toml"))
    assert [b.linear for b in nl.cycles()] == [False]


@pytest.fixture
def exponential():
    class Exponential(Distribution):
        kind = "test_exponential"
        params = ("scale",)

        def check(self, where):
            if self.kw["scale"] <= 0:
                raise ModelError(f"{where}: scale must be > 0")

        def mean(self):
            return self.kw["scale"]

        def draw(self, rng, size):
            return rng.exponential(self.kw["scale"], size)

        def support(self):
            return 0.0, 5.3 * self.kw["scale"], "0%..99.5% quantiles"

    yield Exponential
    DISTRIBUTIONS.pop("test_exponential", None)


def test_a_new_distribution_is_one_class(exponential, sim_path):
    d = parse_distribution({"dist": "test_exponential", "scale": 0.1}, "x")
    assert isinstance(d, exponential) and d.dist == "test_exponential" and d.to_dict() == {"dist": "test_exponential", "scale": 0.1}
    with pytest.raises(ModelError, match="scale must be > 0"):
        parse_distribution({"dist": "test_exponential", "scale": -1}, "x")
    sc = scenario_from_dict({"uncertain": {"alpha2": {"dist": "test_exponential", "scale": 0.1}}})
    r = bm.simulate(sim_path, sc, periods=3, paths=400, seed=2, progress=False)
    assert abs(r.param("alpha2").mean() - 0.1) < 0.02 and (r.param("alpha2") >= 0).all()


def test_shipped_distributions_draw_as_before():
    """The classes draw exactly what the former if-chain drew (same Generator calls)."""
    rng = lambda: np.random.default_rng(5)  # noqa: E731
    cases = {
        "normal": ({"mean": 1.0, "sd": 2.0}, lambda g: 1.0 + 2.0 * g.standard_normal(7)),
        "lognormal": ({"mean": 0.1, "sd": 0.3}, lambda g: g.lognormal(0.1, 0.3, 7)),
        "uniform": ({"low": -1.0, "high": 3.0}, lambda g: g.uniform(-1.0, 3.0, 7)),
        "triangular": ({"low": 0.0, "mode": 1.0, "high": 4.0}, lambda g: g.triangular(0.0, 1.0, 4.0, 7)),
        "student_t": ({"df": 5.0, "mean": 0.0, "sd": 2.0}, lambda g: 0.0 + 2.0 * np.sqrt(3 / 5) * g.standard_t(5.0, 7)),
    }
    for kind, (kw, ref) in cases.items():
        d = parse_distribution({"dist": kind, **kw}, "x")
        assert np.array_equal(d.draw(rng(), 7), ref(rng())), kind
        low, high, _ = d.support()
        assert low < d.mean() < high


def test_unknown_distribution_lists_the_kinds():
    with pytest.raises(ModelError, match="unknown dist 'cauchy' \\(allowed: normal, lognormal, uniform, student_t, triangular"):
        parse_distribution({"dist": "cauchy"}, "x")


def test_no_if_chain_over_distribution_kinds():
    from bubblemachine.sfc import distributions, model, parameters, run

    for mod in (model, run, parameters, distributions):
        assert not _compares_with(mod, {"normal", "lognormal", "uniform", "triangular", "student_t"}), mod.__name__
