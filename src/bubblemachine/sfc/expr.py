"""Expressions of the model language: safe parsing, limits, name analysis, code generation, derivatives.

User text is parsed with :mod:`ast` and checked against a whitelist of node types and
functions; it is never passed to ``eval``. The engine then generates Python source from the
*validated* tree (names are renamed to prefixed locals, functions to engine helpers, numbers
to finite float literals) and compiles that.

Grammar: numbers, names, lags ``x[-k]`` (k a positive integer), ``+ - * / **``, comparisons,
``and`` / ``or`` / ``not``, ``a if c else b`` is *not* allowed (use ``where``), and the
functions ``exp log sqrt abs min max clip where tanh d`` (``d(e)`` is ``e - e[-1]``).

Limits (``docs/model-language.md``, "Limits"): an expression holds at most
:data:`MAX_EXPR_CHARS` characters and :data:`MAX_NODES` syntax nodes, nests at most
:data:`MAX_DEPTH` levels (a chain ``a + b - c + ...`` is one level, and holds at most
:data:`MAX_TERMS` terms), lags reach at most :data:`MAX_LAG` periods back, and every number
(and every constant sub-expression such as ``9**9**9``) fits a finite float. Walkers over
the tree treat ``+``/``-`` chains iteratively and expand ``d()`` once per level (shared
sub-expressions), so their cost is linear in the size of the text.
"""

from __future__ import annotations

import ast
import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass

from bubblemachine.errors import ExpressionError, LanguageLimitError

#: Longest expression, in characters.
MAX_EXPR_CHARS = 50_000
#: Most syntax nodes (names, numbers, operators, calls) in one expression.
MAX_NODES = 5_000
#: Deepest nesting: each operator, call or lag around another counts one level; a chain
#: ``a + b - c + ...`` counts one level; ``min``/``max``/``and``/``or``/comparison chains
#: with k operands count k - 1 levels (they are evaluated pairwise).
MAX_DEPTH = 50
#: Most terms in one ``+``/``-`` chain.
MAX_TERMS = 1_000
#: Deepest lag, in periods (``x[-k]``, including the shifts ``d()`` adds).
MAX_LAG = 1_000

FUNCTIONS = {
    "exp": (1, 1),
    "log": (1, 1),
    "sqrt": (1, 1),
    "abs": (1, 1),
    "tanh": (1, 1),
    "min": (2, 32),
    "max": (2, 32),
    "clip": (3, 3),
    "where": (3, 3),
    "d": (1, 1),
}
RESERVED = set(FUNCTIONS) | {"and", "or", "not", "if", "else", "True", "False", "None"}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_SKIP = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)

#: Kept for callers that catch the expression error by its old name.
ExprError = ExpressionError


@dataclass(frozen=True)
class Ref:
    """A reference to a name at lag ``lag`` (0 = same period)."""

    name: str
    lag: int


def lit(value: float) -> str:
    """The source of a finite float literal (the only numbers generated code may contain)."""
    v = float(value)
    if not math.isfinite(v):
        raise LanguageLimitError(f"{value!r} is not a finite number")
    return repr(v)


def is_chain(n: ast.AST) -> bool:
    """Is ``n`` a ``+``/``-`` operation (one link of a sum chain)?"""
    return isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub))


def chain_terms(n: ast.BinOp) -> list[tuple[str, ast.expr]]:
    """The terms of the ``+``/``-`` chain rooted at ``n``, left to right: ``[("+", a), ("-", b), ...]``.

    ``a + b - c`` is ``((a + b) - c)``; evaluating the terms left to right as ``a + b - c``
    is the same sequence of operations (bit-identical), without one nesting level per term.
    """
    rights: list[tuple[str, ast.expr]] = []
    while is_chain(n):
        rights.append(("+" if isinstance(n.op, ast.Add) else "-", n.right))
        n = n.left
    rights.append(("+", n))
    rights.reverse()
    return rights


def _snippet(src: str, node: ast.AST) -> str:
    seg = ast.get_source_segment(src, node) or ""
    return seg if len(seg) <= 40 else seg[:37] + "..."


def parse(text: str) -> ast.expr:
    """Parse and validate one expression; raise :class:`ExpressionError` (with a column) on failure.

    Raises:
        LanguageLimitError: the expression exceeds a limit of the language (the message
            names the limit).
        ExpressionError: anything else that is not a valid expression.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"expected a string expression, got {type(text).__name__} {text!r}")
    src = text.strip()
    if not src:
        raise ExpressionError("empty expression")
    if len(src) > MAX_EXPR_CHARS:
        raise LanguageLimitError(
            f"the expression is {len(src):,} characters long, more than the limit of {MAX_EXPR_CHARS:,}"
        )
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError as exc:
        col = (exc.offset or 1) - 1
        if "too many nested parentheses" in str(exc.msg):
            raise LanguageLimitError(f"the expression nests more than {MAX_DEPTH} levels deep", col) from None
        raise ExpressionError(f"syntax error: {exc.msg}", col) from None
    except (RecursionError, MemoryError):  # the parser's own stack guard: far past our limits
        raise LanguageLimitError(
            f"the expression is too deeply nested or too long to parse (limits: {MAX_DEPTH} levels, "
            f"{MAX_NODES:,} nodes, {MAX_TERMS:,} terms in a sum)"
        ) from None
    _validate(tree.body, src)
    return tree.body


def _validate(root: ast.AST, src: str) -> None:  # noqa: C901 - one flat dispatch over node types
    """Whitelist every node, then check the size and depth limits and fold constants (iterative)."""
    order: list[ast.AST] = []  # pre-order (parents before children)
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        if len(order) > MAX_NODES:
            raise LanguageLimitError(f"the expression has more than {MAX_NODES:,} syntax nodes (the limit)")
        col = getattr(node, "col_offset", None)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ExpressionError(f"only numbers are allowed as constants, got {v!r}", col)
            try:
                f = float(v)
            except OverflowError:
                f = math.inf
            if not math.isfinite(f):
                raise LanguageLimitError(
                    f"the number {_snippet(src, node)} does not fit a float (largest about 1.8e308)", col
                )
            continue
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionError(f"names may not start with '_': {node.id!r}", col)
            if node.id in FUNCTIONS:
                raise ExpressionError(f"function {node.id!r} used as a name (call it: {node.id}(...))", col)
            continue
        if isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name):
                raise ExpressionError("only names can be lagged, as x[-1]", col)
            lag = _lag_of(node.slice)
            if lag is None:
                raise ExpressionError(f"a lag must be a negative integer constant, as {node.value.id}[-1]", col)
            if lag > MAX_LAG:
                raise LanguageLimitError(f"the lag {node.value.id}[-{lag}] reaches more than {MAX_LAG:,} periods back (the limit)", col)
            stack.append(node.value)
            continue
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed", col)
            stack.extend((node.right, node.left))
            continue
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed", col)
            stack.append(node.operand)
            continue
        if isinstance(node, ast.BoolOp):
            stack.extend(reversed(node.values))
            continue
        if isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _CMPOPS:
                    raise ExpressionError(f"comparison {type(op).__name__} is not allowed", col)
            stack.extend(reversed([node.left, *node.comparators]))
            continue
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                name = node.func.id if isinstance(node.func, ast.Name) else _snippet(src, node.func)
                raise ExpressionError(f"unknown function {name!r} (allowed: {', '.join(sorted(FUNCTIONS))})", col)
            if node.keywords:
                raise ExpressionError(f"{node.func.id}() takes no keyword arguments", col)
            lo, hi = FUNCTIONS[node.func.id]
            if not lo <= len(node.args) <= hi:
                want = str(lo) if lo == hi else f"{lo} to {hi}"
                raise ExpressionError(f"{node.func.id}() takes {want} argument(s), got {len(node.args)}", col)
            for a in node.args:
                if isinstance(a, ast.Starred):
                    raise ExpressionError("starred arguments are not allowed", col)
            stack.extend(reversed(node.args))
            continue
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression", col)
    # depth and chain length, children before parents
    depth: dict[int, int] = {}
    terms: dict[int, int] = {}
    for node in reversed(order):
        kids = _children(node)
        extra = 0
        if isinstance(node, ast.BoolOp):
            extra = len(node.values) - 2
        elif isinstance(node, ast.Compare):
            extra = len(node.ops) - 1
        elif isinstance(node, ast.Call) and node.func.id in ("min", "max"):
            extra = len(node.args) - 2
        if is_chain(node):
            n_terms = terms.get(id(node.left), 1) + 1
            terms[id(node)] = n_terms
            if n_terms > MAX_TERMS:
                raise LanguageLimitError(f"a sum holds more than {MAX_TERMS:,} terms (the limit)", node.col_offset)
            left = depth[id(node.left)] if is_chain(node.left) else 1 + depth[id(node.left)]
            d = max(left, 1 + depth[id(node.right)])
        else:
            d = 1 + extra + max((depth[id(c)] for c in kids), default=0)
        if d > MAX_DEPTH:
            raise LanguageLimitError(f"the expression nests more than {MAX_DEPTH} levels deep (the limit)", getattr(node, "col_offset", None))
        depth[id(node)] = d
    _fold_constants(root, src, order)


_FOLD1 = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs, "tanh": math.tanh}


def _fold_constants(root: ast.AST, src: str, order: list[ast.AST]) -> None:
    """Evaluate every constant sub-expression in floats; one that overflows (``9**9**9``), divides
    by zero or leaves the reals is an error (outside the branches of ``where``, which stay lazy)."""
    lazy: set[int] = set()
    for node in order:  # parents first: mark the branches of where
        if id(node) in lazy or (isinstance(node, ast.Call) and node.func.id == "where"):
            kids = _children(node)
            if id(node) not in lazy:
                kids = node.args[1:]
            lazy.update(id(k) for k in kids)
    value: dict[int, float] = {}
    for node in reversed(order):
        if isinstance(node, ast.Constant):
            value[id(node)] = float(node.value)
            continue
        if id(node) in lazy:
            continue
        try:
            if isinstance(node, ast.BinOp) and id(node.left) in value and id(node.right) in value:
                a, b = value[id(node.left)], value[id(node.right)]
                op = type(node.op)
                v = a + b if op is ast.Add else a - b if op is ast.Sub else a * b if op is ast.Mult else a / b if op is ast.Div else a ** b
            elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not) and id(node.operand) in value:
                v = -value[id(node.operand)] if isinstance(node.op, ast.USub) else value[id(node.operand)]
            elif isinstance(node, ast.Call) and node.func.id in _FOLD1 and id(node.args[0]) in value:
                v = _FOLD1[node.func.id](value[id(node.args[0])])
            else:
                continue
        except (OverflowError, ZeroDivisionError, ValueError) as exc:
            why = "overflows a float" if isinstance(exc, OverflowError) else f"cannot be evaluated ({exc})"
            raise LanguageLimitError(f"the constant expression {_snippet(src, node)} {why}", node.col_offset) from None
        if not isinstance(v, float) or not math.isfinite(v):
            raise LanguageLimitError(f"the constant expression {_snippet(src, node)} is not a finite real number", node.col_offset)
        value[id(node)] = v


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


def _children(n: ast.AST) -> list[ast.AST]:
    """The operand sub-expressions of a validated node (a call's arguments, not its name)."""
    if isinstance(n, ast.Call):
        return list(n.args)
    if isinstance(n, (ast.Subscript, ast.Name, ast.Constant)):
        return []
    return [c for c in ast.iter_child_nodes(n) if not isinstance(c, _SKIP)]


def contains_d(n: ast.AST) -> bool:
    """Does ``n`` hold a ``d()`` call (then its value at two lags is worth sharing)?"""
    return any(isinstance(x, ast.Call) and x.func.id == "d" for x in ast.walk(n))


def refs(node: ast.AST, shift: int = 0) -> list[tuple[Ref, int]]:
    """Every distinct name reference in ``node`` as ``(Ref(name, lag), col)``, in order of first use.

    ``d(e)`` adds ``e``'s references at lag + 1. Linear in the size of the tree: each ``d()``
    level is expanded once (``d(d(d(x)))`` refers to ``x`` at lags 0..3).
    """
    memo: dict[int, dict[tuple[str, int], int]] = {}

    def walk(n: ast.AST) -> dict[tuple[str, int], int]:
        got = memo.get(id(n))
        if got is not None:
            return got
        out: dict[tuple[str, int], int] = {}
        if isinstance(n, ast.Name):
            out[(n.id, 0)] = n.col_offset
        elif isinstance(n, ast.Subscript):
            out[(n.value.id, lag_of(n))] = n.col_offset
        elif isinstance(n, ast.Call) and n.func.id == "d":
            inner = walk(n.args[0])
            out.update(inner)
            for (name, lag), col in inner.items():
                out.setdefault((name, lag + 1), col)
        else:
            kids = [t for _, t in chain_terms(n)] if is_chain(n) else _children(n)
            for k in kids:
                for key, col in walk(k).items():
                    out.setdefault(key, col)
        memo[id(n)] = out
        return out

    return [(Ref(name, lag + shift), col) for (name, lag), col in walk(node).items()]


def names_in(node: ast.AST) -> set[str]:
    """The names ``node`` refers to, at any lag."""
    return {r.name for r, _ in refs(node)}


def depends_on(node: ast.AST, members: set[str]) -> bool:
    """Does ``node`` use a name of ``members`` in the same period (lag 0)?"""
    return any(r.lag == 0 and r.name in members for r, _ in refs(node))


def is_affine(node: ast.AST, members: set[str]) -> bool:
    """Is ``node`` affine (linear plus a constant) in the same-period values of ``members``?

    Structural: sums and differences of affine terms, products with at most one factor that
    depends on ``members``, quotients by a factor that does not, ``d()`` of an affine term;
    anything else (powers, ``exp``, ``min``, ``where``, comparisons, ...) must not depend on
    ``members`` at all. A simultaneous block whose equations are all affine in the block's
    variables has a Jacobian that does not depend on them: Newton solves it in one step.
    """
    if not depends_on(node, members):
        return True
    if isinstance(node, (ast.Name, ast.Subscript)):
        return True
    if is_chain(node):
        return all(is_affine(t, members) for _, t in chain_terms(node))
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mult):
            left, right = depends_on(node.left, members), depends_on(node.right, members)
            return not (left and right) and is_affine(node.left, members) and is_affine(node.right, members)
        if isinstance(node.op, ast.Div):
            return not depends_on(node.right, members) and is_affine(node.left, members)
        return False
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return is_affine(node.operand, members)
    if isinstance(node, ast.Call) and node.func.id == "d":
        return is_affine(node.args[0], members)
    return False


# --------------------------------------------------------------------------- code generation


Namer = Callable[[str, int], str]


class CodeGen:
    """Turn a validated expression into Python source.

    Args:
        namer: maps ``(name, lag)`` to a Python expression (a local, or an array slice).
        mode: ``"vector"`` (NumPy arrays over paths) or ``"scalar"`` (Python floats).
        hoist: ``(is a name loop-invariant?, table source -> temp name)``: loop-invariant
            sub-expressions become prologue temporaries.

    Every call ``gen(node)`` returns a self-contained expression: the values it shares
    between two lags of a nested ``d()`` are bound with ``:=`` to temporaries (``_c0``,
    ``_c1``, ...) inside the same expression, so ``d(d(d(x)))`` costs one evaluation per
    (level, lag) instead of doubling per level. The branches of ``where`` share nothing with
    the rest (they are evaluated lazily).
    """

    def __init__(self, namer: Namer, mode: str, hoist: tuple[Callable[[str], bool], dict[str, str]] | None = None) -> None:
        self.namer = namer
        self.mode = mode
        self.hoist = hoist
        self._hoisting = hoist is not None
        self._level = 0
        self._memo: dict[tuple[int, int], str] = {}
        self._temps = 0

    def __call__(self, node: ast.AST, shift: int = 0) -> str:
        return self.gen(node, shift)

    def temp(self) -> str:
        """A fresh temporary name (unique within this generator)."""
        self._temps += 1
        return f"_c{self._temps - 1}"

    @contextlib.contextmanager
    def no_hoist(self):
        saved = self._hoisting
        self._hoisting = False
        try:
            yield
        finally:
            self._hoisting = saved

    @contextlib.contextmanager
    def scope(self):
        """A lazily evaluated region (a branch of ``where``): nothing shared across its border."""
        saved = self._memo
        self._memo = {}
        try:
            yield
        finally:
            self._memo = saved

    def _invariant(self, n: ast.AST) -> bool:
        if any(isinstance(x, ast.Call) and x.func.id == "where" for x in ast.walk(n)):
            return False  # where's branches must stay lazy (a masked branch may divide by zero)
        return all(self.hoist[0](name) for name in names_in(n))

    def gen(self, n: ast.AST, shift: int = 0) -> str:
        """Source for ``n``; loop-invariant sub-expressions become prologue temporaries when hoisting."""
        if self._level == 0:
            self._memo = {}
        self._level += 1
        try:
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
        finally:
            self._level -= 1

    def shared(self, n: ast.AST, shift: int) -> str:
        """``gen(n, shift)``, evaluated once per expression: the first use binds a temporary."""
        key = (id(n), shift)
        got = self._memo.get(key)
        if got is not None:
            return got
        src = self.gen(n, shift)
        if src.isidentifier():
            self._memo[key] = src
            return src
        name = self.temp()
        self._memo[key] = name
        return f"({name} := {src})"

    def _gen(self, n: ast.AST, shift: int = 0) -> str:  # noqa: C901 - a flat dispatch
        g = self.gen
        vec = self.mode == "vector"
        if isinstance(n, ast.Constant):
            return lit(n.value)
        if isinstance(n, ast.Name):
            return self.namer(n.id, shift)
        if isinstance(n, ast.Subscript):
            return self.namer(n.value.id, lag_of(n) + shift)
        if is_chain(n):
            terms = chain_terms(n)
            return "(" + g(terms[0][1], shift) + "".join(f" {sign} {g(t, shift)}" for sign, t in terms[1:]) + ")"
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
            if fn == "d":
                a = n.args[0]
                if contains_d(a):  # nested d(): each (level, lag) evaluated once
                    return f"({self.shared(a, shift)} - {self.shared(a, shift + 1)})"
                return f"({g(a, shift)} - {g(a, shift + 1)})"
            if fn == "where":  # the branches stay lazy: nothing inside them is hoisted or shared
                with self.no_hoist():
                    cond = g(n.args[0], shift)
                    with self.scope():
                        a = g(n.args[1], shift)
                    with self.scope():
                        b = g(n.args[2], shift)
                if vec:
                    return f"_where({cond}, lambda: {a}, lambda: {b})"
                return f"({a} if {cond} else {b})"
            args = [g(a, shift) for a in n.args]
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
        if is_chain(n):  # the sum of the terms' derivatives, in one flat chain
            acc: str | None = None
            body = ""
            for sign, t in chain_terms(n):
                dt = D(t, shift)
                if dt is None:
                    continue
                if acc is None:
                    acc = dt if sign == "+" else f"(-{dt})"
                else:
                    body += f" {sign} {dt}"
            if acc is None:
                return None
            return f"({acc}{body})" if body else acc
        if isinstance(n, ast.BinOp):
            # operands are generated only where the derivative uses them: the names a
            # Jacobian refers to are then exactly the names the code generator was asked for
            da, db = D(n.left, shift), D(n.right, shift)
            if da is None and db is None:
                return None
            op = type(n.op)
            if op is ast.Mult:
                return _add(_mul(da, g(n.right, shift) if da is not None else None),
                            _mul(g(n.left, shift) if db is not None else None, db))
            if op is ast.Div:
                a = g(n.left, shift) if db is not None else ""
                b = g(n.right, shift)
                t1 = None if da is None else f"({da} / {b})"
                t2 = None if db is None else f"({a} * {db} / ({b} * {b}))"
                return _add(t1, t2, "-")
            if op is ast.Pow:
                if db is None:
                    b = g(n.right, shift)
                    return _mul(f"({b} * {g(ast.BinOp(n.left, ast.Pow(), ast.BinOp(n.right, ast.Sub(), ast.Constant(1.0))), shift)})", da)
                a = g(n.left, shift)
                whole = g(n, shift)
                t1 = _mul(f"({whole} * _log({a}))", db)
                t2 = None if da is None else f"({whole} * {g(n.right, shift)} * {da} / {a})"
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
                if all(D(a, shift) is None for a in args):
                    return None
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
    products multiply them; anything else is the absolute value. Nested ``d()`` share their
    operands' magnitudes (one evaluation per level and lag).
    """
    memo: dict[tuple[int, int], str] = {}

    def m(x: ast.AST, s: int) -> str:
        if isinstance(x, ast.Constant):
            return lit(abs(float(x.value)))
        if isinstance(x, ast.UnaryOp) and isinstance(x.op, (ast.USub, ast.UAdd)):
            return m(x.operand, s)
        if is_chain(x):
            return "(" + " + ".join(m(t, s) for _, t in chain_terms(x)) + ")"
        if isinstance(x, ast.BinOp) and isinstance(x.op, ast.Mult):
            return f"({m(x.left, s)} * {m(x.right, s)})"
        if isinstance(x, ast.BinOp) and isinstance(x.op, ast.Div):
            return f"({m(x.left, s)} / {absfn}({gen(x.right, s)}))"
        if isinstance(x, ast.Call) and x.func.id == "d":
            a = x.args[0]
            if contains_d(a):
                return f"({shared(a, s)} + {shared(a, s + 1)})"
            return f"({m(a, s)} + {m(a, s + 1)})"
        return f"{absfn}({gen(x, s)})"

    def shared(x: ast.AST, s: int) -> str:
        key = (id(x), s)
        if key in memo:
            return memo[key]
        src = m(x, s)
        name = gen.temp()
        memo[key] = name
        return f"({name} := {src})"

    return m(n, shift)
