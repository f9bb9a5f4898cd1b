"""Compile a :class:`~bubblemachine.sfc.model.Model`: order equations into blocks, tear the
simultaneous blocks, and generate one Python function that runs a chunk of periods.

Ordering: the same-period dependency graph (an edge u -> v when v's equation uses u without a
lag) is split into strongly connected components, in topological order (Tarjan). A component
of one equation without a self-reference is evaluated directly. A cyclic component (a
simultaneous block) is *torn*: a few tear variables are chosen so the rest of the block is
acyclic given them; the block is then a small system ``T = F(T)`` in the tear variables,
solved by Newton's method with a Jacobian built symbolically from the equations (forward-mode
chain rule through the block's sequence), or by fixed-point (Gauss-Seidel) iteration with a
Newton fallback. Linear blocks converge in one Newton step (plus the check).

Code generation: one function ``_chunk(t0, t1, S, I, R, REC, NP, P0)`` runs periods
``t0 .. t1-1`` for all paths at once. Every variable is a Python local (a NumPy array over
paths in ``vector`` mode, a float in ``scalar`` mode); lags are locals shifted at the end of
each period; recorded variables are written to ``REC``. The source is generated from the
validated expression trees only (see :mod:`bubblemachine.sfc.expr`).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bubblemachine.errors import (
    AccountingError,
    ConvergenceError,
    LanguageLimitError,
)
from bubblemachine.sfc import expr as E
from bubblemachine.sfc.model import Model
from bubblemachine.sfc.solvers import Solver, get_solver


@dataclass(frozen=True)
class Block:
    """One step of the period's evaluation order."""

    index: int
    variables: tuple[str, ...]  # all variables of the block, in evaluation order
    tears: tuple[str, ...]  # empty for an acyclic (single, direct) equation
    sequence: tuple[str, ...]  # non-tear variables of a cyclic block, in order
    linear: bool = False

    @property
    def cyclic(self) -> bool:
        return bool(self.tears)


class PeriodFailure(Exception):
    """Raised by generated code: a numerical error ``exc`` at period ``t`` (caught by the run loop)."""

    def __init__(self, t: int, exc: BaseException) -> None:
        super().__init__(t, exc)
        self.t = t
        self.exc = exc


def path_id(P0: Any, i: int) -> int:
    """Global id of the ``i``-th running path: ``P0`` is an offset, or the array of running ids."""
    return int(P0 + i) if isinstance(P0, (int, np.integer)) else int(P0[i])


@dataclass(frozen=True)
class ProbeEvent:
    """The first failure of one path in a probed chunk (see :class:`ProbeLog`).

    ``kind`` is ``"convergence"`` (``block`` and the tears' ``residuals``), ``"non-finite"``
    (``equation``: position in ``model.equations``, and its ``value``) or ``"error"`` (a
    Python-level error, ``why``). ``seq`` orders events within a period.
    """

    t: int
    seq: int
    path: int
    kind: str
    block: int | None = None
    equation: int | None = None
    value: float = float("nan")
    residuals: tuple[float, ...] = ()
    why: str = ""


class ProbeLog:
    """What a probed (tolerant) chunk run saw: the first failure of every path.

    The probe variant of the generated code calls :meth:`chk` after every assignment and
    :meth:`fail` when a block does not converge, instead of raising.
    """

    def __init__(self, rtol: float, atol: float) -> None:
        self.rtol, self.atol = rtol, atol  # the solver's final convergence test

    def reset(self, n: int, ids: Any) -> None:
        self.n, self.ids = n, ids
        self.failed = np.zeros(n, dtype=bool)
        self.events: dict[int, ProbeEvent] = {}
        self.seq = 0

    def first(self) -> dict[int, ProbeEvent]:
        """Position among the probed paths -> its first failure."""
        return dict(self.events)

    def chk(self, index: int, value, t: int, P0) -> None:
        self.seq += 1
        arr = np.broadcast_to(np.asarray(value, dtype=float), (self.n,))
        bad = ~np.isfinite(arr) & ~self.failed
        for i in np.flatnonzero(bad):
            self.events[int(i)] = ProbeEvent(t, self.seq, path_id(self.ids, int(i)), "non-finite", equation=index, value=float(arr[i]))
        self.failed |= bad

    def fail(self, block: int, t: int, rs, xs, P0) -> None:
        self.seq += 1
        res = [np.broadcast_to(np.asarray(r, dtype=float), (self.n,)) for r in rs]
        xv = [np.broadcast_to(np.asarray(x, dtype=float), (self.n,)) for x in xs]
        bad = np.zeros(self.n, dtype=bool)
        for r, x in zip(res, xv, strict=True):
            bad |= ~(np.abs(r) <= self.atol + self.rtol * np.abs(x))
        bad &= ~self.failed
        for i in np.flatnonzero(bad):
            self.events[int(i)] = ProbeEvent(t, self.seq, path_id(self.ids, int(i)), "convergence", block=block,
                                             residuals=tuple(float(r[i]) for r in res))
        self.failed |= bad

    def everyone(self, t: int, why: str) -> None:
        """Every path not failed yet fails at period ``t`` (an error the probe could not absorb)."""
        self.seq += 1
        for i in np.flatnonzero(~self.failed):
            self.events[int(i)] = ProbeEvent(t, self.seq, path_id(self.ids, int(i)), "error", why=why)
        self.failed[:] = True


# --------------------------------------------------------------------------- graph algorithms


def strongly_connected_components(nodes: list[str], succ: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components in reverse topological order (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(succ.get(w, ()))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def order_blocks(deps: dict[str, set[str]], order: list[str]) -> list[list[str]]:
    """Blocks (SCCs) of the same-period graph in evaluation order; ``deps[v]`` = inputs of v."""
    succ: dict[str, list[str]] = {v: [] for v in order}
    for v in order:
        for u in sorted(deps[v], key=order.index):
            succ[u].append(v)
    comps = strongly_connected_components(order, succ)
    comps.reverse()  # Tarjan emits sinks first
    return [sorted(c, key=order.index) for c in comps]


def tear(block: list[str], deps: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """Choose tear variables so the rest of ``block`` is acyclic; return (tears, sequence)."""
    members = set(block)
    tears: list[str] = []
    rest = list(block)
    while True:
        sub = {v: [w for w in rest if v in deps[w] and w in members] for v in rest}
        comps = [c for c in strongly_connected_components(rest, sub) if len(c) > 1 or c[0] in deps[c[0]]]
        if not comps:
            break
        for comp in comps:
            cs = set(comp)
            def score(v: str, cs=cs) -> tuple[int, int]:
                indeg = len(deps[v] & cs)
                outdeg = sum(1 for w in cs if v in deps[w])
                return (-(indeg * outdeg) - (1000 if v in deps[v] else 0), block.index(v))
            best = min(comp, key=score)
            tears.append(best)
            rest.remove(best)
    # topological order of the rest given the tears
    seq: list[str] = []
    done = set(tears)
    pending = list(rest)
    while pending:
        for v in pending:
            if all(u in done or u not in members for u in deps[v]):
                seq.append(v)
                done.add(v)
                pending.remove(v)
                break
        else:  # pragma: no cover - tearing guarantees acyclicity
            raise AssertionError("tearing left a cycle")
    tears.sort(key=block.index)
    return tears, seq


# --------------------------------------------------------------------------- compiled model


@dataclass
class CompiledModel:
    """A model ordered into blocks, with generated code cached per run layout.

    Picklable: the generated functions are dropped when pickled and regenerated on demand
    (compilation of the source is a few milliseconds).
    """

    model: Model
    blocks: list[Block]
    deps: dict[str, set[str]]
    maxlag: dict[str, int]  # endogenous name -> deepest lag needed (>= 1 for tears)
    input_maxlag: dict[str, int]
    solver: Solver = field(default_factory=get_solver)
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    @property
    def lag_slots(self) -> list[tuple[str, int]]:
        return [(v, k) for v in self.model.equations for k in range(1, self.maxlag.get(v, 0) + 1)]

    @property
    def check_names(self) -> list[str]:
        """Every name (any kind) referenced by hidden identities or matrices."""
        key = ("check_names",)
        if key not in self._cache:
            self._cache[key] = self._check_names()
        return self._cache[key]

    def _check_names(self) -> list[str]:
        names: list[str] = []
        for text in self._check_texts():
            for ref, _ in E.refs(E.parse(text)):
                if ref.name not in names:
                    names.append(ref.name)
        return names

    @property
    def check_lag(self) -> int:
        key = ("check_lag",)
        if key not in self._cache:
            self._cache[key] = self._check_lag()
        return self._cache[key]

    def _check_lag(self) -> int:
        lag = 0
        for text in self._check_texts():
            for ref, _ in E.refs(E.parse(text)):
                lag = max(lag, ref.lag)
        return lag

    def check_texts(self) -> list[str]:
        """The expressions of every hidden identity (both sides) and matrix cell and total."""
        return self._check_texts()

    def _check_texts(self) -> list[str]:
        m = self.model
        texts = [t for k, (rhs, _) in m.hidden.items() for t in (k, rhs)]
        for mat in m.matrices.values():
            for _, entries, total, _ in mat.rows:
                texts.extend(ex for _, ex in entries)
                if total is not None:
                    texts.append(total)
        return texts

    @property
    def eq_index(self) -> dict[str, int]:
        """Position of every endogenous variable in ``model.equations`` (generated code refers
        to equations by position, never by a user string)."""
        key = ("eq_index",)
        if key not in self._cache:
            self._cache[key] = {v: i for i, v in enumerate(self.model.equations)}
        return self._cache[key]

    def cycles(self) -> list[Block]:
        return [b for b in self.blocks if b.cyclic]

    # ------------------------------------------------------------------ code
    def chunk_function(self, *, mode: str, timevarying: frozenset[str], record: tuple[str, ...], probe: bool = False):
        """The generated chunk runner for this layout (cached).

        ``probe=True``: the tolerant variant (vector mode) that checks every assignment and
        reports failures to its :class:`ProbeLog` (``fn.__globals__["_probe"]``) instead of raising.
        """
        key = ("chunk", mode, timevarying, record, probe, self.solver)  # the solver's fields are part of the key
        fn = self._cache.get(key)
        if fn is None:
            src = generate_chunk_source(self, mode=mode, timevarying=timevarying, record=record, diagnose=probe)
            fn = _exec(src, "_chunk", code_namespace(mode, self, probe=probe), self)
            self._cache[key] = fn
            self._cache[("src",) + key[1:]] = src
        return fn

    def check_function(self, record: tuple[str, ...]):
        """The generated vectorised checker of hidden identities and matrices (cached)."""
        key = ("check", record)
        fn = self._cache.get(key)
        if fn is None:
            src, messages = generate_check_source(self, record)
            fn = _exec(src, "_check", code_namespace("vector", self, messages), self)
            self._cache[key] = fn
        return fn


def compile_model(model: Model, *, solver: str | Solver = "newton") -> CompiledModel:
    """Order a model's equations into blocks and prepare code generation.

    Args:
        model: a loaded :class:`Model`.
        solver: a :class:`~bubblemachine.sfc.solvers.Solver` or its name: ``"newton"``
            (symbolic-Jacobian Newton per simultaneous block) or ``"gauss-seidel"``
            (fixed-point iteration, Newton when it does not converge).
    """
    solver = get_solver(solver)
    order = list(model.equations)
    deps: dict[str, set[str]] = {}
    maxlag: dict[str, int] = {}
    input_maxlag: dict[str, int] = {}

    def note(ref: E.Ref) -> None:
        if ref.name in model.equations:
            if ref.lag:
                maxlag[ref.name] = max(maxlag.get(ref.name, 0), ref.lag)
        elif ref.name in model.parameters or ref.name in model.exogenous:
            input_maxlag[ref.name] = max(input_maxlag.get(ref.name, 0), ref.lag)

    for v, eq in model.equations.items():
        deps[v] = set()
        for ref, _ in E.refs(eq.tree):
            note(ref)
            if ref.lag == 0 and ref.name in model.equations:
                deps[v].add(ref.name)
    comps = order_blocks(deps, order)
    blocks = []
    for i, comp in enumerate(comps):
        if len(comp) == 1 and comp[0] not in deps[comp[0]]:
            blocks.append(Block(i, tuple(comp), (), ()))
            continue
        tears, seq = tear(comp, deps)
        for t in tears:
            maxlag[t] = max(maxlag.get(t, 0), 1)  # the previous value is the first guess
        blocks.append(Block(i, tuple(seq + tears), tuple(tears), tuple(seq)))
    cm = CompiledModel(model, blocks, deps, maxlag, input_maxlag, solver)
    cm.blocks = [_mark_linear(model, b) for b in blocks]
    return cm


def _mark_linear(model: Model, b: Block) -> Block:
    """A simultaneous block is linear when every equation in it is affine in the block's
    variables (decided on the expression trees, :func:`expr.is_affine`)."""
    if not b.cyclic:
        return b
    members = set(b.variables)
    linear = all(E.is_affine(model.equations[v].tree, members) for v in b.variables)
    return Block(b.index, b.variables, b.tears, b.sequence, linear)


# --------------------------------------------------------------------------- namespaces


def _all_vec(c) -> bool:
    return c.all() if type(c) is np.ndarray else bool(c)


def _lazy(f):
    try:
        return f()
    except (ZeroDivisionError, OverflowError, ValueError):  # Python-float branches raise
        return np.nan


def _where_vec(c, fa, fb):
    with np.errstate(all="ignore"):
        a = _lazy(fa)
        b = _lazy(fb)
    return np.where(c, a, b)


def _solve_small(J: list[list[float]], r: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (scalar mode, small k)."""
    k = len(r)
    A = [list(row) + [r[i]] for i, row in enumerate(J)]
    for c in range(k):
        p = max(range(c, k), key=lambda i: abs(A[i][c]))
        if A[p][c] == 0.0:
            raise np.linalg.LinAlgError("Singular matrix")
        A[c], A[p] = A[p], A[c]
        for i in range(c + 1, k):
            f = A[i][c] / A[c][c]
            if f:
                for j in range(c, k + 1):
                    A[i][j] -= f * A[c][j]
    x = [0.0] * k
    for i in range(k - 1, -1, -1):
        x[i] = (A[i][k] - sum(A[i][j] * x[j] for j in range(i + 1, k))) / A[i][i]
    return x


def _solve_vec(J, rs, NP):
    k = len(rs)
    R = np.empty((NP, k))
    for i, r in enumerate(rs):
        R[:, i] = r
    x = np.linalg.solve(J, R[..., None])[..., 0]
    return [x[:, i] for i in range(k)]


def _inv_const(entries, NP):
    """Inverse of a constant Jacobian: ``[k, k]`` when no entry varies by path, else ``[NP, k, k]``."""
    k = len(entries)
    if all(np.ndim(e) == 0 for row in entries for e in row):
        return np.linalg.inv(np.array(entries, dtype=float))
    J = np.empty((NP, k, k))
    for a, row in enumerate(entries):
        for j, e in enumerate(row):
            J[:, a, j] = e
    return np.linalg.inv(J)


def _solve_tolerant(J, rs, NP):
    """:func:`_solve_vec` for a probe: a singular system gives NaN for its path instead of raising."""
    try:
        return _solve_vec(J, rs, NP)
    except np.linalg.LinAlgError:
        k = len(rs)
        R = np.empty((NP, k))
        for i, r in enumerate(rs):
            R[:, i] = r
        x = np.full((NP, k), np.nan)
        for p in range(NP):
            try:
                x[p] = np.linalg.solve(J[p], R[p])
            except np.linalg.LinAlgError:
                pass
        return [x[:, i] for i in range(k)]


def _apply_inv(Jinv, rs, NP):
    k = len(rs)
    R = np.empty((NP, k))
    for i, r in enumerate(rs):
        R[:, i] = r
    if Jinv.ndim == 2:
        x = R @ Jinv.T
    else:
        x = np.matmul(Jinv, R[..., None])[..., 0]
    return [x[:, i] for i in range(k)]


def code_namespace(mode: str, cm: CompiledModel, messages: tuple[str, ...] = (), probe: bool = False) -> dict[str, Any]:
    """The globals generated code runs with: the helpers its expressions call (``_exp``,
    ``_where``, ``_solve``, ...) for ``mode``, the failure reporters, the checks' messages."""
    ns: dict[str, Any] = {"_PeriodFailure": PeriodFailure, "_np": np, "_cm": cm, "_fail": _make_fail(cm),
                          "_NUMERRS": (FloatingPointError, ZeroDivisionError, OverflowError, ValueError, np.linalg.LinAlgError),
                          "_acc_fail": _acc_fail, "_inv_const": _inv_const, "_apply_inv": _apply_inv,
                          "_MSG": messages, "_maxn": _maxn}
    if mode == "vector":
        ns.update(_exp=np.exp, _log=np.log, _sqrt=np.sqrt, _abs=np.abs, _tanh=np.tanh,
                  _min=np.minimum, _max=np.maximum, _clip=np.clip, _where=_where_vec,
                  _and=np.logical_and, _or=np.logical_or, _not=np.logical_not, _sign=np.sign,
                  _solve=_solve_vec, _all=_all_vec, _absv=np.abs)
        if probe:
            log = ProbeLog(*cm.solver.tolerance())
            ns.update(_probe=log, _chk=log.chk, _fail=log.fail, _solve=_solve_tolerant)
    else:
        ns.update(_exp=math.exp, _log=math.log, _sqrt=math.sqrt, _abs=abs, _tanh=math.tanh,
                  _min=min, _max=max, _clip=lambda x, lo, hi: min(max(x, lo), hi),
                  _and=lambda a, b: bool(a) and bool(b), _or=lambda a, b: bool(a) or bool(b),
                  _not=lambda a: not a, _sign=lambda x: float((x > 0) - (x < 0)), _pow=math.pow,
                  _solve=lambda J, rs, NP: _solve_small(J, list(rs)), _absv=abs)
    return ns


def _exec(src: str, name: str, ns: dict[str, Any], cm: CompiledModel | None = None):
    try:
        code = compile(src, f"<bubblemachine-sfc:{name}>", "exec")
    except (SyntaxError, RecursionError, MemoryError) as exc:
        # the language limits (expr.MAX_DEPTH, ...) keep generated code compilable; this is the
        # safety net, naming the equation whose code Python cannot compile
        raise LanguageLimitError(_uncompilable(cm, exc)) from None
    exec(code, ns)  # noqa: S102 - source generated from validated ASTs only
    return ns[name]


def _uncompilable(cm: CompiledModel | None, exc: BaseException) -> str:
    """Name the first equation whose generated code Python cannot compile (the safety net of the limits)."""
    why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if cm is None:
        return f"generated code cannot be compiled ({why})"
    gen = E.CodeGen(_namer(cm, frozenset()), "vector")
    for name, eq in cm.model.equations.items():
        try:
            compile(gen(eq.tree), "<equation>", "eval")
        except (SyntaxError, RecursionError, MemoryError):
            return (f"{eq.source.where()}: the equation {name} is too complex for Python to compile; "
                    f"simplify it or split it into several equations (limits: docs/model-language.md)")
    return (f"model {cm.model.name}: the generated code is too complex for Python to compile ({why}); "
            "split the longest equations or matrix rows (limits: docs/model-language.md)")


def _worst(rs, xs) -> tuple[int, list[float]]:
    arrs = [np.atleast_1d(np.asarray(r, dtype=float)) for r in rs]
    xarrs = [np.atleast_1d(np.asarray(x, dtype=float)) for x in xs]
    n = max(a.size for a in arrs)
    score = np.zeros(n)
    for r, x in zip(arrs, xarrs, strict=True):
        s = np.abs(np.broadcast_to(r, (n,))) / (1.0 + np.abs(np.broadcast_to(x, (n,))))
        score = np.fmax(score, np.where(np.isnan(s), np.inf, s))
    i = int(np.argmax(score))
    return i, [float(np.broadcast_to(r, (n,))[i]) for r in arrs]


def _make_fail(cm: CompiledModel):
    def _fail(block: int, t: int, rs, xs, P0: int) -> None:
        b = cm.blocks[block]
        i, res = _worst(rs, xs)
        detail = ", ".join(f"{v}: {r:.3g}" for v, r in zip(b.tears, res, strict=True))
        raise ConvergenceError(
            f"model {cm.model.name}: block {block} ({', '.join(b.variables)}) did not converge at period {t} "
            f"(worst path {path_id(P0, i)}; residuals {detail}; solver {cm.solver.name})"
        )
    return _fail


# --------------------------------------------------------------------------- code generation


def _namer(cm: CompiledModel, timevarying: frozenset[str]):
    m = cm.model

    def name(n: str, lag: int) -> str:
        if n in m.equations:
            return f"V_{n}" if lag == 0 else f"L{lag}_{n}"
        if n in m.random:
            return f"X_{n}"
        if lag == 0 or n not in timevarying:
            return f"I_{n}"
        return f"I{lag}_{n}"
    return name


def block_jacobian_lines(cm: CompiledModel, b: Block, mode: str, ctx: dict) -> list[str]:
    """Lines computing the Jacobian ``_J{a}_{j}`` of block ``b``'s tear equations with respect
    to its tears (``ctx["gen"]``: the code generator to use; the compiled kernel's, for one)."""
    return _block_jacobian_lines(cm, b, mode, ctx)


def _block_jacobian_lines(cm: CompiledModel, b: Block, mode: str, ctx: dict) -> list[str]:
    """Lines computing the derivatives of the block's sequence and tear RHS w.r.t. each tear."""
    gen = ctx.get("gen") or E.CodeGen(_namer(cm, ctx.get("timevarying", frozenset())), mode)
    members = set(b.variables)
    lines: list[str] = []
    for j, tj in enumerate(b.tears):
        known: dict[str, str | None] = {t: None for t in b.tears}
        known[tj] = "1.0"

        def dvar(u: str, known=known) -> str | None:
            if u not in members:
                return None
            return known.get(u)

        deriv = E.Deriv(gen, dvar)
        for s in b.sequence:
            d = deriv(cm.model.equations[s].tree)
            if d is None:
                known[s] = None
            else:
                known[s] = f"_d_{s}_{j}"
                lines.append(f"_d_{s}_{j} = {d}")
        for a, ta in enumerate(b.tears):
            d = deriv(cm.model.equations[ta].tree)
            ident = "1.0" if a == j else "0.0"
            lines.append(f"_J{a}_{j} = {ident}" + (f" - ({d})" if d is not None else ""))
    return lines


def generate_chunk_source(cm: CompiledModel, *, mode: str, timevarying: frozenset[str], record: tuple[str, ...], diagnose: bool = False) -> str:
    m = cm.model
    namer = _namer(cm, timevarying)
    invariant_names = {n for n in m.inputs if n not in timevarying}
    hoisted: dict[str, str] = {}
    # the diagnose variant hoists nothing: every value is computed (and checked) in its equation
    gen = E.CodeGen(namer, mode, hoist=None if diagnose else (invariant_names.__contains__, hoisted))
    slots = cm.lag_slots
    inputs = m.inputs
    out: list[str] = []
    pre: list[str] = []
    w = out.append
    w("def _chunk(_t0, _t1, _S, _I, _R, _REC, _NP, _P0, _PAD):")
    if slots:
        w(f"    ({', '.join(f'L{k}_{v}' for v, k in slots)},) = _S")
    for i, n in enumerate(inputs):
        if n in timevarying:
            w(f"    _IP_{n} = _I[{i}]")
        else:
            w(f"    I_{n} = _I[{i}]")
    for i, n in enumerate(m.random):
        w(f"    _RP_{n} = _R[{i}]")
    if mode == "scalar":
        w("    _rec = _REC.extend")
    pre_at = len(out)
    w("    for t in range(_t0, _t1):")
    w("        try:")
    ind = " " * 12
    for n in inputs:
        if n in timevarying:
            w(f"{ind}I_{n} = _IP_{n}[t + _PAD]")
            for k in range(1, cm.input_maxlag.get(n, 0) + 1):
                w(f"{ind}I{k}_{n} = _IP_{n}[t + _PAD - {k}]")
    for n in m.random:
        w(f"{ind}X_{n} = _RP_{n}[t - _t0]")
    for b in cm.blocks:
        if not b.cyclic:
            v = b.variables[0]
            w(f"{ind}V_{v} = {gen(m.equations[v].tree)}")
            if diagnose:
                w(f"{ind}_chk({cm.eq_index[v]}, V_{v}, t, _P0)")
            continue
        cm.solver.emit(BlockCode(cm, b, gen, mode, ind, w, diagnose, timevarying, pre))
    if record:
        if mode == "vector":
            w(f"{ind}_i = t - _t0")
            for j, n in enumerate(record):
                w(f"{ind}_REC[_i, {j}] = {namer(n, 0)}")
        else:
            w(f"{ind}_rec(({', '.join(namer(n, 0) for n in record)},))")
    for v in m.equations:
        k = cm.maxlag.get(v, 0)
        for lag in range(k, 1, -1):
            w(f"{ind}L{lag}_{v} = L{lag - 1}_{v}")
        if k:
            w(f"{ind}L1_{v} = V_{v}")
    w("        except _NUMERRS as _e:")
    w("            raise _PeriodFailure(t, _e) from None")
    w(f"    return ({''.join(f'L{k}_{v}, ' for v, k in slots)})")
    # loop-invariant sub-expressions (parameters only) are computed once per chunk, first
    pre[0:0] = [f"{name} = {src}" for src, name in hoisted.items()]
    if pre:
        out[pre_at:pre_at] = ["    try:", *("        " + line for line in pre),
                              "    except _NUMERRS as _e:", "        raise _PeriodFailure(_t0, _e) from None"]
    return "\n".join(out) + "\n"


class BlockCode:
    """Writes the code of one simultaneous block for a solver (the
    :class:`~bubblemachine.sfc.solvers.BlockWriter` the generator hands to ``solver.emit``).

    Decides, from the names the block's Jacobian uses (recorded by the name generator, not
    read back from generated text), whether the Jacobian is constant over a chunk; if so it
    is computed, and for several tears inverted, once per chunk in the prologue.
    """

    def __init__(self, cm: CompiledModel, b: Block, gen: E.CodeGen, mode: str, ind: str, w, probe: bool,
                 timevarying: frozenset[str], pre: list[str]) -> None:
        self.cm, self.b, self.gen, self.mode, self.indent, self._w, self.probe = cm, b, gen, mode, ind, w, probe
        self.k = len(b.tears)
        used: set[tuple[str, int]] = set()
        namer = gen.namer
        gen.namer = lambda n, lag: (used.add((n, lag)), namer(n, lag))[1]
        try:
            self.jac = _block_jacobian_lines(cm, b, mode, {"timevarying": timevarying, "gen": gen})
        finally:
            gen.namer = namer
        m = cm.model
        varying = any(n not in m.parameters and n not in m.exogenous or n in timevarying for n, _ in used)
        self.constant_jacobian = not varying and not probe
        if self.constant_jacobian:
            # a linear block with constant coefficients: its Jacobian is computed once per chunk
            pre.append(f"# block {b.index}: constant Jacobian")
            pre.extend(self.jac)
            k = self.k
            if k > 1 and mode == "vector":
                entries = ", ".join("(" + ", ".join(f"_J{a}_{j}" for j in range(k)) + ",)" for a in range(k))
                pre.append(f"_J_{b.index} = _inv_const(({entries},), _NP)")
            elif k > 1:
                rows = ", ".join("[" + ", ".join(f"_J{a}_{j}" for j in range(k)) + "]" for a in range(k))
                pre.append(f"_J_{b.index} = [{rows}]")
            self.jac = []
        self.rs = ", ".join(f"_r{a}" for a in range(self.k))

    def write(self, ind: str, line: str) -> None:
        self._w(f"{ind}{line}")

    def _eq(self, v: str) -> str:
        return self.gen(self.cm.model.equations[v].tree)

    def start(self) -> None:
        b = self.b
        self.write(self.indent, f"# block {b.index}: {', '.join(b.variables)} (tears: {', '.join(b.tears)}{', linear' if b.linear else ''})")
        for t in b.tears:
            self.write(self.indent, f"V_{t} = L1_{t}")

    def sequence(self, ind: str) -> None:
        for s in self.b.sequence:
            self.write(ind, f"V_{s} = {self._eq(s)}")
            if self.probe:
                self.write(ind, f"_chk({self.cm.eq_index[s]}, V_{s}, t, _P0)")

    def residuals(self, ind: str) -> None:
        for a, t in enumerate(self.b.tears):
            self.write(ind, f"_f{a} = {self._eq(t)}")
            self.write(ind, f"_r{a} = V_{t} - _f{a}")

    def converged(self, rtol: float, atol: float) -> str:
        if self.mode == "vector":
            return " and ".join(f"_all(_absv(_r{a}) <= {E.lit(atol)} + {E.lit(rtol)} * _absv(V_{t}))" for a, t in enumerate(self.b.tears))
        return " and ".join(f"abs(_r{a}) <= {E.lit(atol)} + {E.lit(rtol)} * abs(V_{t})" for a, t in enumerate(self.b.tears))

    def fixed_point_update(self, ind: str) -> None:
        for a, t in enumerate(self.b.tears):
            self.write(ind, f"V_{t} = _f{a}")

    def _step(self, ind: str, solve: str) -> None:
        self.write(ind, f"_dx = {solve}")
        for a, t in enumerate(self.b.tears):
            self.write(ind, f"V_{t} = V_{t} - _dx[{a}]")

    def newton_step(self, ind: str) -> None:
        b, k = self.b, self.k
        for line in self.jac:
            self.write(ind, line)
        if k == 1:
            self.write(ind, f"V_{b.tears[0]} = V_{b.tears[0]} - _r0 / _J0_0")
        elif not self.jac and self.mode == "vector":
            self._step(ind, f"_apply_inv(_J_{b.index}, ({self.rs},), _NP)")
        elif not self.jac:
            self._step(ind, f"_solve(_J_{b.index}, ({self.rs},), _NP)")
        else:
            if self.mode == "vector":
                self.write(ind, f"_J = _np.empty((_NP, {k}, {k}))")
                for a in range(k):
                    for j in range(k):
                        self.write(ind, f"_J[:, {a}, {j}] = _J{a}_{j}")
            else:
                rows = ", ".join("[" + ", ".join(f"_J{a}_{j}" for j in range(k)) + "]" for a in range(k))
                self.write(ind, f"_J = [{rows}]")
            self._step(ind, f"_solve(_J, ({self.rs},), _NP)")

    def straight_line_newton(self) -> None:
        # residual at the guess, the step, the sequence at the solution: the step lands at
        # machine precision, the hidden identities and matrices check the outcome
        ind, b = self.indent, self.b
        for s in b.sequence:
            self.write(ind, f"V_{s} = {self._eq(s)}")
        for a, t in enumerate(b.tears):
            self.write(ind, f"_r{a} = V_{t} - {self._eq(t)}")
        if self.k == 1:
            self.write(ind, f"V_{b.tears[0]} = V_{b.tears[0]} - _r0 / _J0_0")
        else:
            fn = "_apply_inv" if self.mode == "vector" else "_solve"
            self._step(ind, f"{fn}(_J_{b.index}, ({self.rs},), _NP)")
        for s in b.sequence:
            self.write(ind, f"V_{s} = {self._eq(s)}")

    def fail(self, ind: str) -> None:
        xs = ", ".join(f"V_{t}" for t in self.b.tears)
        self.write(ind, f"_fail({self.b.index}, t, ({self.rs},), ({xs},), _P0)")

    def finish(self) -> None:
        if self.probe:
            for t in self.b.tears:
                self.write(self.indent, f"_chk({self.cm.eq_index[t]}, V_{t}, t, _P0)")


# --------------------------------------------------------------------------- checks


HIDDEN_RTOL = 1e-9
HIDDEN_ATOL = 1e-9


def generate_check_source(cm: CompiledModel, record: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """A function ``_check(H, L, n, t0, P0)`` raising AccountingError on the first failure.

    ``H`` is the record buffer ``[L + n, len(record), paths]`` whose first ``L`` rows hold the
    periods before ``t0``; every check is evaluated for all ``n`` periods and paths at once.
    Returns the source and the messages it refers to by position (``_MSG[i]``): the generated
    code holds no user text.
    """
    idx = {n: j for j, n in enumerate(record)}

    def namer(n: str, lag: int) -> str:
        return f"_H[_L - {lag}:_L - {lag} + _n, {idx[n]}]"

    gen = E.CodeGen(namer, "vector")
    m = cm.model
    out = ["def _check(_H, _L, _n, _t0, _P0):"]
    w = out.append
    messages: list[str] = []

    def fail(res_lines: list[str], scale: str, rtol: float, atol: float, what: str) -> None:
        out.extend(res_lines)
        messages.append(what)
        w(f"    _acc_fail(_res, {scale}, {E.lit(rtol)}, {E.lit(atol)}, _t0, _P0, _MSG[{len(messages) - 1}])")

    for key, (rhs, src) in m.hidden.items():
        kn, rn = E.parse(key), E.parse(rhs)
        w(f"    _a = {gen(kn)}")
        w(f"    _b = {gen(rn)}")
        fail(["    _res = _a - _b"], f"lambda: _np.maximum({E.magnitude(gen, kn)}, {E.magnitude(gen, rn)})",
             HIDDEN_RTOL, HIDDEN_ATOL, f"hidden identity {key} = {rhs} ({src.where()})")
    e = 0
    for mname, mat in m.matrices.items():
        cols: dict[str, list[tuple[str, str, str]]] = {c: [] for c in mat.columns}
        for rname, entries, total, src in mat.rows:
            terms: list[tuple[str, str, str]] = []
            for col, ex in entries:
                node = E.parse(ex)
                sign = "+"
                if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
                    sign, node = "-", node.operand  # fold the sign into the sum
                w(f"    _e{e} = {gen(node)}")
                # the tolerance scale: a magnitude bound of the cell (|x| + |x[-1]| for d(x))
                mag = f"_np.abs(_e{e})" if isinstance(node, (ast.Name, ast.Subscript)) else E.magnitude(gen, node)
                terms.append((sign, f"_e{e}", mag))
                cols[col].append((sign, f"_e{e}", mag))
                e += 1
            mags = [mg for _, _, mg in terms]
            if total is not None:
                tn = E.parse(total)
                w(f"    _tot = {gen(tn)}")
                mags.append(E.magnitude(gen, tn))
                res = _signed_sum(terms) + ["    _res = _res - _tot"]
            else:
                res = _signed_sum(terms)
            if not mags:
                continue
            fail(res, _maxof(mags), mat.rtol, mat.atol, f"matrix {mname!r} row {rname!r} ({src.where()})")
        if mat.columns_sum_to_zero:
            for col, cterms in cols.items():
                if cterms:
                    fail(_signed_sum(cterms), _maxof([mg for _, _, mg in cterms]), mat.rtol, mat.atol,
                         f"matrix {mname!r} column {col!r}")
    w("    return None")
    return "\n".join(out) + "\n", tuple(messages)


#: Terms per statement when a long sum of matrix cells is generated (a chain of more terms
#: would nest too deeply for Python's compiler); the sum is still taken left to right.
_SUM_STEP = 200


def _signed_sum(terms: list[tuple[str, str, str]]) -> list[str]:
    """Statements setting ``_res`` to the signed sum of ``terms``, left to right."""
    if not terms:
        return ["    _res = 0.0"]
    sign, first, _ = terms[0]
    lines = []
    acc = first if sign == "+" else f"-{first}"
    for k, (sign, n, _) in enumerate(terms[1:], start=1):
        if k % _SUM_STEP == 0:
            lines.append(f"    _res = {acc}")
            acc = "_res"
        acc += f" {sign} {n}"
    lines.append(f"    _res = {acc}")
    return lines


def _maxof(mags: list[str]) -> str:
    """A lambda source: the elementwise maximum of magnitude expressions (evaluated on failure only)."""
    if len(mags) == 1:
        return f"lambda: {mags[0]}"
    return f"lambda: _maxn({', '.join(mags)})"


def _maxn(*arrays):
    """Elementwise maximum of several arrays (``np.maximum`` folded left to right)."""
    acc = arrays[0]
    for a in arrays[1:]:
        acc = np.maximum(acc, a)
    return acc


def _acc_fail(res, scale, rtol, atol, t0, P0, what):
    res = np.asarray(res, dtype=float)
    if res.size and np.abs(res).max() <= atol:
        return
    scale = scale()
    scale = np.asarray(scale, dtype=float)
    bad = ~(np.abs(res) <= rtol * scale + atol)
    if bad.any():
        bad = np.broadcast_to(bad, np.broadcast_shapes(bad.shape, res.shape))
        res_b = np.broadcast_to(res, bad.shape)
        if bad.ndim == 2:
            ti, pi = np.unravel_index(int(np.argmax(bad)), bad.shape)
        else:
            ti, pi = int(np.argmax(bad)), 0
        raise AccountingError(
            f"{what} does not add up at period {t0 + int(ti)} on path {path_id(P0, int(pi))}: "
            f"residual {float(res_b[ti, pi] if bad.ndim == 2 else res_b[ti]):.6g}"
        )
