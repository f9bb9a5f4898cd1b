"""Public test helpers (as ``xarray.testing``): stock-flow-consistency assertions and Hypothesis strategies.

```python
from bubblemachine.testing import assert_stock_flow_consistent, parameters
result = bubblemachine.simulate("sim", periods=50)
assert_stock_flow_consistent(result)
```
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["assert_stock_flow_consistent", "parameters", "scenario_sets", "sfc_models"]


def _inputs_at(result, model) -> dict[str, Any]:
    """Effective parameter / exogenous values of a run, as arrays broadcastable to [path, period]."""
    from bubblemachine.sfc.compiler import compile_model
    from bubblemachine.sfc.run import build_inputs

    cm = compile_model(model)
    n = result.data.shape[0]
    unc = {}
    if result.uncertain is not None:
        unc = {k: result.uncertain[:, i] for i, k in enumerate(result.uncertain_names)}
    inp = build_inputs(cm, result.scenario, periods=result.periods, n=n, uncertain=unc, set=result.settings.get("set") or None)
    out = {}
    for name, v in zip(model.inputs, inp.values, strict=True):
        if name in inp.timevarying:
            v = v[inp.pad:]
            out[name] = v.T if v.ndim == 2 else v[None, :]
        elif isinstance(v, np.ndarray):
            out[name] = v[:, None]
        else:
            out[name] = v
    return out


def _evaluate(
    text: str, result, model, inputs: dict[str, Any], magnitude: bool = False, base_ns: dict | None = None
) -> np.ndarray:
    """Evaluate an expression on the result's arrays (or its magnitude bound, for tolerances)."""
    from bubblemachine.sfc import expr as E

    tree = E.parse(text)
    T1 = result.periods + 1

    def value(name: str, lag: int):
        if name in result.names:
            arr = result[name]
        elif name in inputs:
            arr = np.broadcast_to(inputs[name], (result.data.shape[0], T1)) if np.ndim(inputs[name]) else inputs[name]
            if np.ndim(arr) == 0:
                return arr
        else:
            raise AssertionError(
                f"assert_stock_flow_consistent: {name!r} was not saved; simulate with save=None (all variables) or include it"
            )
        if lag:
            arr = np.concatenate([np.repeat(arr[:, :1], lag, axis=1), arr[:, :-lag]], axis=1)
        return arr

    env: dict[str, Any] = {}
    names: dict[tuple[str, int], str] = {}

    def namer(name: str, lag: int) -> str:
        key = (name, lag)
        if key not in names:
            names[key] = f"_n{len(names)}"
            env[names[key]] = value(name, lag)
        return names[key]

    gen = E.CodeGen(namer, "vector")
    src = E.magnitude(gen, tree) if magnitude else gen(tree)
    if base_ns is None:
        base_ns = _base_namespace(model)
    ns = dict(base_ns)
    ns.update(env)
    with np.errstate(all="ignore"):
        return np.asarray(eval(compile(src, "<check>", "eval"), ns), dtype=float)  # noqa: S307 - generated from a validated AST


def _base_namespace(model) -> dict[str, Any]:
    """The generated code's namespace (functions, constants) for ``model``: compiled once."""
    from bubblemachine.sfc.compiler import code_namespace, compile_model

    return code_namespace("vector", compile_model(model))


def assert_stock_flow_consistent(result, model=None, rtol: float = 1e-8, atol: float = 1e-8) -> None:
    """Re-evaluate a model's matrices on a result's arrays and assert that everything adds up.

    Checks, for periods 1..N on every path: each matrix row sums to its ``_total`` (default 0);
    each column sums to 0 (unless ``columns_sum_to_zero = false``); each hidden identity holds;
    and, for every transactions cell ``±d(X)`` whose sector's balance-sheet column holds a
    cell ``∓X``-like entry of the same stock, the stock's change equals that flow.

    Args:
        result: a :class:`~bubblemachine.sfc.Result` holding every variable the checks use.
        model: the model (default: ``result.model``).
        rtol, atol: tolerance relative to the largest absolute entry of the row or column.

    Raises:
        AssertionError: naming matrix, row or column, period, path and residual.
    """
    model = model if model is not None else result.model
    if model is None:
        raise AssertionError("assert_stock_flow_consistent: the result carries no model; pass model=")
    if result.quantile_levels is not None:
        raise AssertionError("assert_stock_flow_consistent needs per-path results, not quantiles")
    inputs = _inputs_at(result, model)
    shape = (result.data.shape[0], result.periods + 1)
    base_ns = _base_namespace(model)

    def ev(text: str) -> np.ndarray:
        return np.broadcast_to(_evaluate(text, result, model, inputs, base_ns=base_ns), shape)

    def mag(text: str) -> np.ndarray:
        # a magnitude bound (|x| + |x[-1]| for d(x)): the scale of the cell's rounding error
        return np.broadcast_to(
            _evaluate(text, result, model, inputs, magnitude=True, base_ns=base_ns), shape
        )

    def check(res: np.ndarray, scale: np.ndarray, what: str) -> None:
        res, scale = res[:, 1:], scale[:, 1:]
        bad = ~(np.abs(res) <= rtol * scale + atol)
        if bad.any():
            p, t = np.unravel_index(int(np.argmax(bad)), bad.shape)
            raise AssertionError(f"{what} does not add up at period {t + 1} on path {p}: residual {res[p, t]:.6g}")

    for key, (rhs, _src) in model.hidden.items():
        check(ev(key) - ev(rhs), np.maximum(mag(key), mag(rhs)), f"hidden identity {key} = {rhs}")
    for mname, mat in model.matrices.items():
        cols: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {c: [] for c in mat.columns}
        for rname, entries, total, _src in mat.rows:
            vals = [(ev(ex), mag(ex)) for _, ex in entries]
            for (col, _), v in zip(entries, vals, strict=True):
                cols[col].append(v)
            tot = (ev(total), mag(total)) if total is not None else (np.zeros(shape), np.zeros(shape))
            allv = [*vals, tot]
            check(sum((v for v, _ in vals), np.zeros(shape)) - tot[0], np.max([m for _, m in allv], axis=0), f"matrix {mname!r} row {rname!r}")
        if mat.columns_sum_to_zero:
            for col, vals in cols.items():
                if vals:
                    check(sum((v for v, _ in vals), np.zeros(shape)), np.max([m for _, m in vals], axis=0), f"matrix {mname!r} column {col!r}")
    _check_stocks(model, ev, check)


def _stock_of(text: str) -> tuple[int, str] | None:
    """``"-d(Hh)"`` -> (-1, "Hh"); ``"d(Hh)"`` -> (1, "Hh"); else None."""
    node = ast.parse(text.strip(), mode="eval").body
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "d" and len(node.args) == 1:
        return sign, ast.unparse(node.args[0])
    return None


def _check_stocks(model, ev, check) -> None:
    """Every d(X) flow in a transactions matrix must be the change of a balance-sheet stock."""
    flows, stocks = [], []
    for mat in model.matrices.values():
        for rname, entries, _total, _src in mat.rows:
            for col, ex in entries:
                st = _stock_of(ex)
                if st is not None:
                    flows.append((mat.name, rname, col, st, ex))
                else:
                    stocks.append((mat.name, rname, col, ex))
    for mname, rname, col, (_sign, inner), ftext in flows:
        failures = []
        for bname, brow, bcol, bex in stocks:
            if bcol != col or bname == mname:
                continue
            node = ast.parse(bex.strip(), mode="eval").body
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
                node = node.operand
            if ast.unparse(node) != inner:
                continue
            # G&L sign conventions: an asset +X in the balance sheet is acquired with -d(X) in the
            # flows (a use of funds); a liability -X is issued with +d(X): flow = -change(stock).
            # A stock also appears in a net-worth row, so one matching cell is enough.
            stock = ev(bex)
            change = stock - np.concatenate([stock[:, :1], stock[:, :-1]], axis=1)
            flow = ev(ftext)
            try:
                check(change + flow, np.maximum(np.abs(change), np.abs(flow)),
                      f"stock {bex!r} ({bname} row {brow!r}, column {col!r}) vs flow {ftext!r} ({mname} row {rname!r})")
                break
            except AssertionError as exc:
                failures.append(str(exc))
        else:
            if failures:
                raise AssertionError(failures[0])


def parameters(model, ranges: Mapping[str, tuple[float, float]] | None = None):
    """A Hypothesis strategy of ``{name: value}`` dicts for a model's parameters.

    Args:
        model: a :class:`~bubblemachine.sfc.Model`.
        ranges: ``{name: (low, high)}``; parameters not listed keep their value.
    """
    from hypothesis import strategies as st

    ranges = dict(ranges or {})
    for name in ranges:
        if name not in model.inputs:
            raise ValueError(f"parameters(): {name!r} is not a parameter or exogenous input of {model.name}")
    return st.fixed_dictionaries({
        name: st.floats(min_value=float(lo), max_value=float(hi), allow_nan=False, allow_infinity=False)
        for name, (lo, hi) in ranges.items()
    })


def scenario_sets(model, ranges: Mapping[str, tuple[float, float]], *, periods: tuple[int, int] = (1, 50)):
    """A Hypothesis strategy of single-shock scenario dicts (for :func:`scenario_from_dict`)."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        name = draw(st.sampled_from(sorted(ranges)))
        lo, hi = ranges[name]
        start = draw(st.integers(min_value=periods[0], max_value=periods[1]))
        value = draw(st.floats(min_value=lo, max_value=hi, allow_nan=False))
        return {"shock": [{"set": {name: value}, "start": start}]}

    return build()


def sfc_models(*, max_flows: int = 8):
    """A Hypothesis strategy of small, solvable models (:class:`~bubblemachine.sfc.Model`).

    Each model has a simultaneous income block (linear, or nonlinear with ``tanh``), stocks
    that accumulate flows, a chain of flows built from the language's functions (``exp log
    sqrt abs tanh min max clip where d``, comparisons, ``and``/``or``/``not``, powers) kept
    finite by construction, lags up to 3, an optional per-period draw, and a hidden identity
    that holds. For differential tests of the engine (the compiled kernel against the NumPy
    path, solvers against each other).
    """
    from hypothesis import strategies as st

    from bubblemachine.sfc.model import loads_model

    bounded = [
        "tanh({a})", "{a} / (1 + abs({a}))", "clip({a}, -3, 3)", "where({a} > 0.1, {a} * 0.5, -{a} * 0.25)",
        "exp(clip({a}, -2, 2)) - 1", "log(1 + abs({a}))", "sqrt(1 + {a} * {a}) - 1", "min({a}, 1) + max({a}, -1)",
        "where(({a} > 0) and not ({a} > 2) or ({a} < -3), 1, 0)", "abs({a}) ** 1.5 / (2 + abs({a}) ** 1.5)",
        "d({a}) * 0.5", "({a} - {a}[-2]) * 0.1", "tanh({a}[-3])",
    ]

    @st.composite
    def build(draw):
        n = draw(st.integers(min_value=1, max_value=max_flows))
        nonlinear = draw(st.booleans())
        noisy = draw(st.booleans())
        a1 = draw(st.floats(0.2, 0.8))
        theta = draw(st.floats(0.1, 0.3))
        eqs = [
            'Y = "C + G + F"',
            'T = "theta * Y"',
            'YD = "Y - T"',
            f'C = "{"a1 * YD + 0.1 * tanh(YD / 50)" if nonlinear else "a1 * YD"} + 0.05 * H[-1]"',
            'H = "H[-1] + YD - C"',
            'Hs = "Hs[-1] + G + F - T"',
        ]
        names = ["Y", "H", "YD"] + (["eps"] if noisy else [])
        flows = []
        for i in range(n):
            src = draw(st.sampled_from(names))
            lag = draw(st.sampled_from(["", "[-1]"])) if src in ("Y", "H", "YD") else ""
            arg = f"({src}{lag} / 100)" if src != "eps" else "eps"
            if draw(st.booleans()) and flows:
                arg = f"({arg} + {draw(st.sampled_from(flows))})"
            form = draw(st.sampled_from(bounded))
            if "[-" in form or "d(" in form:  # lags apply to a name: an earlier flow, or Y
                arg = f"f{draw(st.integers(0, i - 1))}" if i else "Y"
            eqs.append(f'f{i} = "{form.format(a=arg)}"')
            flows.append(f"f{i}")
        eqs.append(f'F = "{" + ".join(flows)}"')
        text = "\n".join([
            '[model]\nname = "GENERATED"', "[equations]", *eqs,
            "[parameters]", f"a1 = {a1!r}", f"theta = {theta!r}", "G = 20",
            *(["[random]", 'eps = { dist = "normal", mean = 0.0, sd = 0.3 }'] if noisy else []),
            "[initial]", "Y = 50", "H = 10", "Hs = 10", "YD = 40",
            "[hidden]", 'H = "Hs"',
        ]) + "\n"
        return loads_model(text, "generated.toml")

    return build()
