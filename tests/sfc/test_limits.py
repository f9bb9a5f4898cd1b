"""Limits of the model language (docs/model-language.md, "Limits"): every violation is a named
error naming file, line, equation and limit; nothing hangs, nothing reaches generated code
that is not a validated name or a finite float literal."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import bubblemachine as bm
from bubblemachine.errors import LanguageLimitError, ModelError
from bubblemachine.sfc import compile_model, loads_model
from bubblemachine.sfc import expr as E

HEAD = '[model]\nname = "L"\n'


def model(equations: str, extra: str = "") -> str:
    return HEAD + "[equations]\n" + equations + "\n" + extra


def load(text: str, name: str = "m.toml"):
    return loads_model(text, name)


# --------------------------------------------------------------------------- d() expansion
@pytest.mark.timeout(60)
@pytest.mark.parametrize("depth", [1, 3, 18, 40])
def test_nested_d_is_expanded_linearly_and_equals_repeated_differences(depth):
    """d(d(...d(x)...)) nested 18 (and 40) deep compiles and runs at once, and equals the
    depth-th difference of x (np.diff), exactly for integer-valued x."""
    x = [float((k * 7) % 13 + k * k) for k in range(80)]
    inner = "x"
    for _ in range(depth):
        inner = f"d({inner})"
    m = load(model(f'y = "{inner}"', f"[exogenous]\nx = {{ path = {x} }}\n"))
    r = bm.simulate(m, periods=70, seed=0, progress=False)
    y = r["y"][0]
    xs = np.array(x[:71])
    # before period `depth` the lags read period 0's value: compare from there on
    want = np.diff(xs, n=depth)
    np.testing.assert_array_equal(y[depth:], want)


def test_nested_d_costs_linear_source_size():
    """The generated source grows about quadratically in the depth (one evaluation per level
    and lag), not as 2**depth."""
    sizes = []
    for depth in (10, 20):
        inner = "x"
        for _ in range(depth):
            inner = f"d({inner})"
        m = load(model(f'y = "{inner}"', "[exogenous]\nx = 1\n"))
        cm = compile_model(m)
        from bubblemachine.sfc.compiler import generate_chunk_source

        sizes.append(len(generate_chunk_source(cm, mode="vector", timevarying=frozenset({"x"}), record=("y",))))
    assert sizes[1] < 6 * sizes[0]  # 2**10 times bigger if it doubled per level


def test_nested_d_in_matrix_cells_checks_in_linear_time():
    text = model('H = "H[-1] + 1"\nF = "d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(H))))))))))))))))))"',
                 '[matrices.t]\ncolumns = ["A", "B"]\ncolumns_sum_to_zero = false\n[matrices.t.rows]\n'
                 '"x" = { A = "d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(H))))))))))))))))))", B = "-F" }\n')
    r = bm.simulate(load(text), periods=30, seed=0, progress=False)
    assert np.all(r["F"][0, 20:] == 0.0)


# --------------------------------------------------------------------------- size and depth
@pytest.mark.parametrize("terms", [200, 600, 999])
def test_long_sums_compile_and_add_up(terms):
    """Sums of 200, 600 and 1,000 terms (with the y term) (Python's parser nests one level per term) compile in
    the vector, scalar and Jacobian code and give the exact sum."""
    rhs = " + ".join(f"a{k}" for k in range(terms)) + " - 0.5 * y"  # simultaneous: y = S - y/2
    params = "\n".join(f"a{k} = {k % 5}" for k in range(terms))
    m = load(model(f'y = "{rhs}"', f"[parameters]\n{params}\n"))
    want = sum(k % 5 for k in range(terms)) / 1.5
    for paths in (1, 3):
        r = bm.simulate(m, periods=3, paths=paths, seed=0, progress=False)
        np.testing.assert_allclose(r["y"][:, 1:], want, rtol=1e-14)


def _expect_limit(text: str, *needles: str) -> LanguageLimitError:
    with pytest.raises(LanguageLimitError) as info:
        load(text, "big.toml")
    msg = str(info.value)
    assert "big.toml" in msg
    for n in needles:
        assert n in msg, msg
    assert len(msg) < 400, msg  # the equation is quoted shortly, never in full
    return info.value


def test_too_many_terms_is_a_named_limit():
    rhs = " + ".join(["a"] * 1001)
    _expect_limit(model(f'y = "{rhs}"', "[parameters]\na = 1\n"), "equations.y", "1,000 terms")


def test_a_one_megabyte_equation_is_refused_by_size():
    rhs = " + ".join(["a"] * 260_000)
    _expect_limit(model(f'y = "{rhs}"', "[parameters]\na = 1\n"), ":4: equations.y", "characters", "50,000")


@pytest.mark.parametrize("n", [60, 5_000, 100_000])
def test_unary_minus_runs_are_limited(n):
    _expect_limit(model(f'y = "{"-" * n}a"', "[parameters]\na = 1\n"), "equations.y")


@pytest.mark.parametrize("n", [60, 3_000])
def test_chained_powers_are_limited(n):
    _expect_limit(model(f'y = "{"**".join(["a"] * n)}"', "[parameters]\na = 1\n"), "equations.y")


def test_deep_parentheses_are_limited():
    _expect_limit(model(f'y = "{"(" * 300}a{")" * 300}"', "[parameters]\na = 1\n"), "equations.y", "levels")


def test_many_nodes_are_limited():
    rhs = " + ".join(["exp(a) * a"] * 1300)  # > MAX_NODES nodes (counted before the terms)
    _expect_limit(model(f'y = "{rhs}"', "[parameters]\na = 1\n"), "equations.y", "syntax nodes")


# --------------------------------------------------------------------------- lags and literals
def test_huge_lag_is_refused_before_any_allocation():
    _expect_limit(model('y = "x[-1000000000]"\nx = "1"'), "equations.y", "1,000 periods")


def test_lags_added_by_d_count_against_the_limit():
    text = model('y = "d(d(x[-999]))"\nx = "1"')
    _expect_limit(text, "equations.y", "1,001 periods back", "limit of 1,000")


def test_largest_lag_runs():
    r = bm.simulate(load(model('x = "x[-1] + 1"\ny = "x[-1000]"')), periods=1003, seed=0, progress=False)
    assert r["y"][0, 1003] == 3.0


@pytest.mark.parametrize("literal", ["1" + "0" * 400, "1e400", "2e308"])
def test_literals_must_fit_a_float(literal):
    _expect_limit(model(f'y = "2 * {literal}"'), "equations.y", "does not fit a float", "column 5")


@pytest.mark.parametrize("text, why", [("9**9**9", "overflows"), ("exp(1000)", "overflows"),
                                       ("1 / (2 - 2)", "cannot be evaluated"), ("(-8) ** 0.5", "not a finite real")])
def test_constant_overflow_names_equation_file_and_line(text, why):
    err = _expect_limit(model(f'x = "1"\ny = "x + {text}"'), ":5: equations.y", why)
    assert "column 5" in str(err)


def test_a_masked_where_branch_may_hold_a_constant_that_fails():
    r = bm.simulate(load(model('y = "where(1 > 0, 2, 1 / (1 - 1))"')), periods=2, seed=0, progress=False)
    assert r["y"][0, 1] == 2.0


def test_huge_integer_parameter_is_a_model_error():
    with pytest.raises(ModelError, match=r"parameters.a: value must be a finite number"):
        load(model('y = "a"', "[parameters]\na = " + "9" * 400 + "\n"))


@pytest.mark.parametrize("value", ["inf", "nan", "-1", '"x"', "1" + "0" * 400])
@pytest.mark.parametrize("key", ["rtol", "atol"])
def test_matrix_tolerances_must_be_finite(key, value):
    text = model('y = "1"', f'[matrices.t]\ncolumns = ["A"]\n{key} = {value}\n[matrices.t.rows]\n"r" = {{ A = "y - y" }}\n')
    with pytest.raises(ModelError, match=rf"matrices.t {key}: must be a finite number >= 0"):
        load(text)


def test_columns_sum_to_zero_must_be_a_boolean():
    text = model('y = "1"', '[matrices.t]\ncolumns = ["A"]\ncolumns_sum_to_zero = "no"\n[matrices.t.rows]\n"r" = { A = "y - y" }\n')
    with pytest.raises(ModelError, match="columns_sum_to_zero: must be true or false"):
        load(text)


@pytest.mark.parametrize("key", ['"y\\n"', '"y\\nimport os"', '"y "', '"1y"', '"y-z"'])
def test_names_are_matched_whole(key):
    """'$' matches before a final newline: names are checked with fullmatch."""
    with pytest.raises(ModelError, match="invalid name"):
        load(model(f'{key} = "1"'))


# --------------------------------------------------------------------------- generated code
def test_generated_code_holds_no_user_text():
    """Matrix, row and column names and hidden identities reach messages only by position."""
    evil = "x'); __import__('os').system('echo pwned'); ('"
    text = model(
        'H = "H[-1] + 1"\nF = "d(H)"',
        f'[hidden]\nH = "H[-1] + F"\n'
        f'[matrices."{evil}"]\ncolumns = ["{evil}", "B"]\ncolumns_sum_to_zero = false\n'
        f'[matrices."{evil}".rows]\n"{evil}" = {{ "{evil}" = "d(H)", B = "-F" }}\n',
    )
    cm = compile_model(load(text))
    from bubblemachine.sfc.compiler import generate_check_source, generate_chunk_source

    src, messages = generate_check_source(cm, tuple(cm.check_names))
    assert "pwned" not in src and "pwned" in messages[1]
    assert "pwned" not in generate_chunk_source(cm, mode="vector", timevarying=frozenset(), record=("H",), diagnose=True)
    bm.simulate(cm, periods=5, seed=0, progress=False)


def test_lit_refuses_non_finite_values():
    assert E.lit(0.1) == "0.1"
    for bad in (math.inf, -math.inf, math.nan):
        with pytest.raises(LanguageLimitError):
            E.lit(bad)


def _random_expr(rng: random.Random, depth: int, names: list[str]) -> str:
    if depth == 0:
        return rng.choice([*names, "1.5", "y[-1]"])
    sub = _random_expr(rng, depth - 1, names)
    other = rng.choice(names)
    forms = [f"({sub} + {other})", f"({sub} * {other})", f"({other} / (1 + abs({sub})))", f"exp(0.001 * {sub})",
             f"min({sub}, {other}, 2)", f"where({sub} > 0, {sub}, {other})", f"clip({sub}, -1, 3)",
             f"tanh({sub}) ** 2", f"sqrt(1 + {sub} ** 2)", f"d({sub})", f"-{sub}", f"log(2 + tanh({sub}))"]
    return rng.choice(forms)


@pytest.mark.parametrize("seed", range(6))
def test_expressions_at_the_depth_limit_compile_in_every_variant(seed):
    """Random expressions as deep as the limit, inside a simultaneous block (Jacobian code),
    compile in the vector, scalar and probe variants."""
    rng = random.Random(seed)
    depth = E.MAX_DEPTH
    while True:  # the deepest random expression the limit accepts
        body = _random_expr(random.Random(rng.random()), depth, ["y", "z", "p"])
        text = model(f'y = "0.1 * z + 0.001 * tanh({body})"\nz = "0.5 * y + 1"', "[parameters]\np = 0.3\n")
        try:
            m = load(text)
            break
        except LanguageLimitError:
            depth -= 1
    assert depth >= E.MAX_DEPTH // 3
    cm = compile_model(m)
    for mode in ("vector", "scalar"):
        cm.chunk_function(mode=mode, timevarying=frozenset(), record=("y", "z"))
    cm.chunk_function(mode="vector", timevarying=frozenset(), record=("y", "z"), probe=True)
