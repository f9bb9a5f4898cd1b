"""Expressions of the model language: safe parsing, name analysis, code generation, derivatives.

User text is parsed with :mod:`ast` and checked against a whitelist of node types and
functions; it is never passed to ``eval``. The engine then generates Python source from the
*validated* tree (names are renamed to prefixed locals, functions to engine helpers) and
compiles that.

Grammar: numbers, names, lags ``x[-k]`` (k a positive integer), ``+ - * / **``, comparisons,
``and`` / ``or`` / ``not``, ``a if c else b`` is *not* allowed (use ``where``), and the
functions ``exp log sqrt abs min max clip where tanh d`` (``d(e)`` is ``e - e[-1]``).
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

FUNCTIONS = {
    "exp": (1, 1),
    "log": (1, 1),
    "sqrt": (1, 1),
    "abs": (1, 1),
    "tanh": (1, 1),
    "min": (2, 99),
    "max": (2, 99),
    "clip": (3, 3),
    "where": (3, 3),
    "d": (1, 1),
}
RESERVED = set(FUNCTIONS) | {"and", "or", "not", "if", "else", "True", "False", "None"}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


class ExprError(ValueError):
    """A malformed expression; ``col`` is the 0-based column in the expression text."""

    def __init__(self, message: str, col: int | None = None) -> None:
        super().__init__(message)
        self.col = col


@dataclass(frozen=True)
class Ref:
    """A reference to a name at lag ``lag`` (0 = same period)."""

    name: str
    lag: int


def parse(text: str) -> ast.expr:
    """Parse and validate one expression; raise :class:`ExprError` with a column on failure."""
    if not isinstance(text, str):
        raise ExprError(f"expected a string expression, got {type(text).__name__} {text!r}")
    src = text.strip()
    if not src:
        raise ExprError("empty expression")
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError as exc:
        col = (exc.offset or 1) - 1
        raise ExprError(f"syntax error: {exc.msg}", col) from None
    _validate(tree.body)
    return tree.body


def _validate(node: ast.AST) -> None:
    col = getattr(node, "col_offset", None)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExprError(f"only numbers are allowed as constants, got {node.value!r}", col)
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExprError(f"names may not start with '_': {node.id!r}", col)
        if node.id in FUNCTIONS:
            raise ExprError(f"function {node.id!r} used as a name (call it: {node.id}(...))", col)
        return
    if isinstance(node, ast.Subscript):
        if not isinstance(node.value, ast.Name):
            raise ExprError("only names can be lagged, as x[-1]", col)
        _validate(node.value)
        lag = _lag_of(node.slice)
        if lag is None:
            raise ExprError(f"a lag must be a negative integer constant, as {node.value.id}[-1]", col)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise ExprError(f"operator {type(node.op).__name__} is not allowed", col)
        _validate(node.left)
        _validate(node.right)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            raise ExprError(f"operator {type(node.op).__name__} is not allowed", col)
        _validate(node.operand)
        return
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            _validate(v)
        return
    if isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _CMPOPS:
                raise ExprError(f"comparison {type(op).__name__} is not allowed", col)
        _validate(node.left)
        for c in node.comparators:
            _validate(c)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise ExprError(
                f"unknown function {name!r} (allowed: {', '.join(sorted(FUNCTIONS))})", col
            )
        if node.keywords:
            raise ExprError(f"{node.func.id}() takes no keyword arguments", col)
        lo, hi = FUNCTIONS[node.func.id]
        if not lo <= len(node.args) <= hi:
            want = str(lo) if lo == hi else f"at least {lo}"
            raise ExprError(f"{node.func.id}() takes {want} argument(s), got {len(node.args)}", col)
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise ExprError("starred arguments are not allowed", col)
            _validate(a)
        return
    raise ExprError(f"{type(node).__name__} is not allowed in an expression", col)


def _lag_of(sl: ast.AST) -> int | None:
    if (
        isinstance(sl, ast.UnaryOp)
        and isinstance(sl.op, ast.USub)
        and isinstance(sl.operand, ast.Constant)
        and type(sl.operand.value) is int
        and sl.operand.value > 0
    ):
        return sl.operand.value
    return None


def lag_of(node: ast.Subscript) -> int:
    """The lag k of a validated ``x[-k]`` node."""
    lag = _lag_of(node.slice)
    assert lag is not None
    return lag


def refs(node: ast.AST, shift: int = 0) -> list[tuple[Ref, int]]:
    """Every name reference in ``node`` as ``(Ref(name, lag), col)``; ``d(e)`` adds ``e`` at lag+1."""
    out: list[tuple[Ref, int]] = []

    def walk(n: ast.AST, extra: int) -> None:
        if isinstance(n, ast.Name):
            out.append((Ref(n.id, extra), n.col_offset))
        elif isinstance(n, ast.Subscript):
            out.append((Ref(n.value.id, lag_of(n) + extra), n.col_offset))
        elif isinstance(n, ast.Call):
            for a in n.args:
                walk(a, extra)
                if n.func.id == "d":
                    walk(a, extra + 1)
        else:
            for child in ast.iter_child_nodes(n):
                if isinstance(child, (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)):
                    continue
                walk(child, extra)

    walk(node, shift)
    return out


# --------------------------------------------------------------------------- code generation


Namer = Callable[[str, int], str]


class CodeGen:
    """Turn a validated expression into Python source.

    Args:
        namer: maps ``(name, lag)`` to a Python expression (a local, or an array slice).
        mode: ``"vector"`` (NumPy arrays over paths) or ``"scalar"`` (Python floats).
    """

    def __init__(self, namer: Namer, mode: str, hoist: tuple[Callable[[str], bool], dict[str, str]] | None = None) -> None:
        self.namer = namer
        self.mode = mode
        self.hoist = hoist  # (is a name loop-invariant?, table source -> temp name)
        self._hoisting = hoist is not None

    def __call__(self, node: ast.AST, shift: int = 0) -> str:
        return self.gen(node, shift)

    @contextlib.contextmanager
    def no_hoist(self):
        saved = self._hoisting
        self._hoisting = False
        try:
            yield
        finally:
            self._hoisting = saved

    def _invariant(self, n: ast.AST) -> bool:
        if any(isinstance(x, ast.Call) and x.func.id == "where" for x in ast.walk(n)):
            return False  # where's branches must stay lazy (a masked branch may divide by zero)
        return all(self.hoist[0](ref.name) for ref, _ in refs(n))

    def gen(self, n: ast.AST, shift: int = 0) -> str:
        """Source for ``n``; loop-invariant sub-expressions become prologue temporaries when hoisting."""
        if self._hoisting and not isinstance(n, (ast.Name, ast.Constant, ast.Subscript)) and self._invariant(n):
            self._hoisting = False
            try:
                src = self._gen(n, shift)
            finally:
                self._hoisting = True
            table = self.hoist[1]
            if src not in table:
                table[src] = f"_h{len(table)}"
            return table[src]
        return self._gen(n, shift)

    def _gen(self, n: ast.AST, shift: int = 0) -> str:  # noqa: C901 - a flat dispatch
        g = self.gen
        vec = self.mode == "vector"
        if isinstance(n, ast.Constant):
            return repr(float(n.value))
        if isinstance(n, ast.Name):
            return self.namer(n.id, shift)
        if isinstance(n, ast.Subscript):
            return self.namer(n.value.id, lag_of(n) + shift)
        if isinstance(n, ast.BinOp):
            op = _BINOPS[type(n.op)]
            left, right = g(n.left, shift), g(n.right, shift)
            if op == "**" and not vec:
                if isinstance(n.right, ast.Constant) and float(n.right.value).is_integer():
                    return f"({left} ** {int(n.right.value)})"
                return f"_pow({left}, {right})"
            return f"({left} {op} {right})"
        if isinstance(n, ast.UnaryOp):
            if isinstance(n.op, ast.Not):
                return f"_not({g(n.operand, shift)})"
            op = "-" if isinstance(n.op, ast.USub) else "+"
            return f"({op}{g(n.operand, shift)})"
        if isinstance(n, ast.BoolOp):
            fn = "_and" if isinstance(n.op, ast.And) else "_or"
            acc = g(n.values[0], shift)
            for v in n.values[1:]:
                acc = f"{fn}({acc}, {g(v, shift)})"
            return acc
        if isinstance(n, ast.Compare):
            parts = []
            left = n.left
            for op, right in zip(n.ops, n.comparators, strict=True):
                parts.append(f"({g(left, shift)} {_CMPOPS[type(op)]} {g(right, shift)})")
                left = right
            acc = parts[0]
            for p in parts[1:]:
                acc = f"_and({acc}, {p})"
            return acc
        if isinstance(n, ast.Call):
            fn = n.func.id
            if fn == "where":  # the branches stay lazy: nothing inside them is hoisted
                with self.no_hoist():
                    args = [g(a, shift) for a in n.args]
            else:
                args = [g(a, shift) for a in n.args]
            if fn == "d":
                return f"({args[0]} - {g(n.args[0], shift + 1)})"
            if fn == "where":
                if vec:
                    return f"_where({args[0]}, lambda: {args[1]}, lambda: {args[2]})"
                return f"({args[1]} if {args[0]} else {args[2]})"  # lazy: hoisting is off inside where
            if fn in ("min", "max"):
                acc = args[0]
                for a in args[1:]:
                    acc = f"_{fn}({acc}, {a})"
                return acc
            return f"_{fn}({', '.join(args)})"
        raise AssertionError(f"unvalidated node {n!r}")  # pragma: no cover


# --------------------------------------------------------------------------- derivatives


def _mul(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return None
    if a == "1.0":
        return b
    if b == "1.0":
        return a
    return f"({a} * {b})"


def _add(a: str | None, b: str | None, sign: str = "+") -> str | None:
    if b is None:
        return a
    if a is None:
        return b if sign == "+" else f"(-{b})"
    return f"({a} {sign} {b})"


class Deriv:
    """Symbolic derivative of an expression with respect to same-period variables.

    ``dvar(name)`` returns the source of d(name)/d(tear) (``None`` when structurally zero), so
    the chain rule through a block's sequential equations is applied by the caller.
    """

    def __init__(self, gen: CodeGen, dvar: Callable[[str], str | None]) -> None:
        self.gen = gen
        self.dvar = dvar

    def __call__(self, n: ast.AST, shift: int = 0) -> str | None:  # noqa: C901
        D, g = self.__call__, self.gen
        if isinstance(n, ast.Constant):
            return None
        if isinstance(n, ast.Name):
            return self.dvar(n.id) if shift == 0 else None
        if isinstance(n, ast.Subscript):
            return None  # lags are predetermined
        if isinstance(n, ast.BinOp):
            da, db = D(n.left, shift), D(n.right, shift)
            if da is None and db is None:
                return None
            op = type(n.op)
            if op is ast.Add:
                return _add(da, db, "+")
            if op is ast.Sub:
                return _add(da, db, "-")
            a = g(n.left, shift) if (op is not ast.Mult or db is not None) else ""
            b = g(n.right, shift)
            if op is ast.Mult:
                return _add(_mul(da, b), _mul(a, db))
            if op is ast.Div:
                t1 = None if da is None else f"({da} / {b})"
                t2 = None if db is None else f"({a} * {db} / ({b} * {b}))"
                return _add(t1, t2, "-")
            if op is ast.Pow:
                if db is None:
                    return _mul(f"({b} * {g(ast.BinOp(n.left, ast.Pow(), ast.BinOp(n.right, ast.Sub(), ast.Constant(1.0))), shift)})", da)
                whole = g(n, shift)
                t1 = _mul(f"({whole} * _log({a}))", db)
                t2 = None if da is None else f"({whole} * {b} * {da} / {a})"
                return _add(t1, t2)
        if isinstance(n, ast.UnaryOp):
            if isinstance(n.op, ast.Not):
                return None
            d = D(n.operand, shift)
            if d is None or isinstance(n.op, ast.UAdd):
                return d
            return f"(-{d})"
        if isinstance(n, (ast.BoolOp, ast.Compare)):
            return None
        if isinstance(n, ast.Call):
            fn = n.func.id
            args = n.args
            if fn == "d":
                return D(args[0], shift)
            if fn == "where":
                with self.gen.no_hoist():
                    da, db = D(args[1], shift), D(args[2], shift)
                if da is None and db is None:
                    return None
                return self._select(g(args[0], shift), da, db)
            if fn in ("min", "max"):
                acc_node = args[0]
                acc_d = D(acc_node, shift)
                acc_src = g(acc_node, shift)
                for a in args[1:]:
                    da = D(a, shift)
                    a_src = g(a, shift)
                    cmp = "<=" if fn == "min" else ">="
                    new_d = None if acc_d is None and da is None else self._select(f"({acc_src} {cmp} {a_src})", acc_d, da)
                    acc_src = f"_{fn}({acc_src}, {a_src})"
                    acc_d = new_d
                return acc_d
            if fn == "clip":
                dx, dlo, dhi = (D(a, shift) for a in args)
                if dx is None and dlo is None and dhi is None:
                    return None
                x, lo, hi = (g(a, shift) for a in args)
                inner = self._select(f"({x} < {lo})", dlo, dhi)
                return self._select(f"_and(({x} >= {lo}), ({x} <= {hi}))", dx, inner)
            d = D(args[0], shift)
            if d is None:
                return None
            x = g(args[0], shift)
            if fn == "exp":
                return _mul(f"_exp({x})", d)
            if fn == "log":
                return f"({d} / {x})"
            if fn == "sqrt":
                return f"({d} / (2.0 * _sqrt({x})))"
            if fn == "abs":
                return _mul(f"_sign({x})", d)
            if fn == "tanh":
                return _mul(f"(1.0 - _tanh({x}) ** 2)", d)
        raise AssertionError(f"no derivative for {ast.dump(n)}")  # pragma: no cover

    def _select(self, cond: str, a: str | None, b: str | None) -> str:
        a = a or "0.0"
        b = b or "0.0"
        if self.gen.mode == "vector":
            return f"_where({cond}, lambda: {a}, lambda: {b})"
        return f"({a} if {cond} else {b})"


def magnitude(gen: CodeGen, n: ast.AST, shift: int = 0, absfn: str = "_np.abs") -> str:
    """Source of a magnitude bound of ``n`` for rounding tolerances (vector code).

    Sums and differences add their operands' magnitudes (so ``d(x)`` near a steady state is
    measured against ``|x| + |x[-1]|``, the size of its rounding error, not against ~0);
    products multiply them; anything else is the absolute value.
    """
    m = lambda x, s=shift: magnitude(gen, x, s, absfn)  # noqa: E731
    if isinstance(n, ast.Constant):
        return repr(abs(float(n.value)))
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
        return m(n.operand)
    if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub)):
        return f"({m(n.left)} + {m(n.right)})"
    if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult):
        return f"({m(n.left)} * {m(n.right)})"
    if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div):
        return f"({m(n.left)} / {absfn}({gen(n.right, shift)}))"
    if isinstance(n, ast.Call) and n.func.id == "d":
        return f"({m(n.args[0])} + {m(n.args[0], shift + 1)})"
    return f"{absfn}({gen(n, shift)})"
