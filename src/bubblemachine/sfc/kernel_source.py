"""Generate the source of a model's compiled kernel (the ``fast`` extra).

One kernel per model *structure* (its equations, hidden identities, matrices and solver),
not per run layout: everything a run varies is data the kernel reads at run time (which
inputs vary over time, which paths carry their own values, which names are saved), so a
scenario, a ``set=`` override, a new calibration or another ``save=`` list reuse the same
compiled code. The source is a small, typed subset of Python (it also runs as plain Python,
slowly, which is how it can be read and debugged) that :mod:`bubblemachine.sfc.kernel_llvm`
compiles to machine code; its sha256 is the key of the disk cache
(:mod:`bubblemachine.sfc.kernel_cache`).

The kernel runs a chunk of periods ``t0 .. t1-1`` for a range of paths, **path by path**:
every variable of the path is a scalar local (a register), lags are locals shifted at the
end of each period, and the period loop sits inside the path loop, so nothing but the saved
names and the random draws touches memory. Per period it

* reads the inputs that vary over time (a table, per run) and the random draws,
* evaluates the blocks in the compiled model's order (simultaneous blocks by the compiled
  model's solver: Newton with the symbolic Jacobian, or Gauss-Seidel then Newton),
* accumulates ``v * 0.0`` over every equation's value (NaN if any value is not finite),
* evaluates every hidden identity and matrix row and column on the values it holds (no
  recording of the names only the checks need),
* records the saved names (``RIDX``) and, in the chunk's last ``L`` periods, the names the
  checks refer to (so a chunk can be handed back to the NumPy path, which needs them),
* shifts the lags.

Anything unusual -- a block that does not converge, a singular Jacobian, a non-finite value,
an accounting check that does not add up -- makes the kernel stop and return a non-zero
status; the caller then re-runs that chunk with the NumPy code (``compiler.py``), which
raises the error with its full message, or isolates the failing paths (``on_failure=``).
The kernel never decides what is an error: the NumPy path does. So results do not depend
on whether the kernel ran (to rounding: 1e-12 relative, tested).
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass

from bubblemachine.sfc import expr as E
from bubblemachine.sfc.compiler import (
    HIDDEN_ATOL,
    HIDDEN_RTOL,
    Block,
    CompiledModel,
    block_jacobian_lines,
)

#: Bumped whenever the generated code changes meaning (part of the cache key via the source).
GENERATOR_VERSION = 3

#: Values per partial sum of the finiteness test.
_NF_GROUP = 32

#: Status codes the kernel returns (0: every path solved and checked).
OK, NO_CONVERGENCE, SINGULAR, NON_FINITE, CHECK_FAILED = 0, 1, 2, 3, 4

_HELPERS = '''
@_jit
def _gauss(J, r, k):
    """Solve J x = r in place (r becomes x) by Gaussian elimination with partial pivoting; False if singular."""
    for c in range(k):
        p = c
        best = abs(J[c, c])
        for i in range(c + 1, k):
            if abs(J[i, c]) > best:
                best = abs(J[i, c])
                p = i
        if not (best > 0.0):
            return False
        if p != c:
            for j in range(k):
                tmp = J[c, j]
                J[c, j] = J[p, j]
                J[p, j] = tmp
            tmp = r[c]
            r[c] = r[p]
            r[p] = tmp
        for i in range(c + 1, k):
            f = J[i, c] / J[c, c]
            if f != 0.0:
                for j in range(c, k):
                    J[i, j] -= f * J[c, j]
                r[i] -= f * r[c]
    for i in range(k - 1, -1, -1):
        s = r[i]
        for j in range(i + 1, k):
            s -= J[i, j] * r[j]
        r[i] = s / J[i, i]
    return True


_exp = math.exp
_log = math.log
_sqrt = math.sqrt
_tanh = math.tanh
_pow = math.pow


_abs = abs
_min = min
_max = max


@_jit
def _and(a, b):
    return bool(a) and bool(b)


@_jit
def _or(a, b):
    return bool(a) or bool(b)


@_jit
def _not(a):
    return not a


@_jit
def _where(c, a, b):
    return a if c else b


@_jit
def _sign(x):
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


@_jit
def _clip(x, lo, hi):
    return min(max(x, lo), hi)


@_jit
def _in_lag(j, lag, t, p, AV, IT, TP, TF, pad, ne):
    """Input ``j`` at period ``t - lag`` (a constant input has the same value every period)."""
    r = IT[j]
    if r == 0:
        return AV[ne + j]
    if r > 0:
        return TP[r - 1, t + pad - lag]
    return TF[-r - 1, t + pad - lag, p]
'''


@dataclass(frozen=True)
class KernelSource:
    """A generated kernel: its source, key and the layout of the arrays it exchanges.

    Attributes:
        text: the module's source (defines ``kernel``).
        key: sha256 of ``text`` (the disk cache's key).
        slots: the state slots ``(name, lag)``: the compiled model's lag slots first (the
            NumPy chunk function's state, in its order), then lags only the checks need.
        n_model_slots: how many of ``slots`` are the compiled model's.
        check_names: the names the checks read at a lag, whose last ``check_lag`` periods the
            kernel hands back (the history a chunk given to the NumPy path needs).
        check_lag: how far back the checks look (rows of the history array).
        model_name: the model's name (for messages).
        n_random: the model's random variables (the length of the draws' tuple; at least 1).
    """

    text: str
    key: str
    slots: tuple[tuple[str, int], ...]
    n_model_slots: int
    check_names: tuple[str, ...]
    check_lag: int
    model_name: str
    n_random: int


def generate_kernel_source(cm: CompiledModel) -> KernelSource:
    """The kernel module's source for ``cm`` (see the module docstring)."""
    return _Generator(cm).source()


class _KernelCodeGen(E.CodeGen):
    """Scalar code in which ``where`` is a function of its three values (no branch in the
    kernel's control flow: fewer blocks to compile, and the NumPy path too evaluates both)."""

    def _gen(self, n: ast.AST, shift: int = 0) -> str:
        if isinstance(n, ast.Call) and n.func.id == "where":
            with self.no_hoist():
                cond = self.gen(n.args[0], shift)
                with self.scope():
                    a = self.gen(n.args[1], shift)
                with self.scope():
                    b = self.gen(n.args[2], shift)
            return f"_where({cond}, {a}, {b})"
        return super()._gen(n, shift)


class _Generator:
    def __init__(self, cm: CompiledModel) -> None:
        self.cm = cm
        m = self.m = cm.model
        self.eq_pos = {v: i for i, v in enumerate(m.equations)}
        self.in_pos = {v: i for i, v in enumerate(m.inputs)}
        self.rnd_pos = {v: i for i, v in enumerate(m.random)}
        self.input_lags: set[tuple[str, int]] = set()
        # lags the checks need beyond the model's own
        check_refs = [r for text in cm.check_texts() for r, _ in E.refs(E.parse(text))]
        self.lags = dict(cm.maxlag)
        for r in check_refs:
            if r.lag and r.name in m.equations:
                self.lags[r.name] = max(self.lags.get(r.name, 0), r.lag)
        self.model_slots = list(cm.lag_slots)
        extra = [(v, k) for v in m.equations for k in range(1, self.lags.get(v, 0) + 1) if (v, k) not in set(self.model_slots)]
        self.slots = self.model_slots + extra
        # the names the checks read at a lag: the NumPy path needs their last periods when a
        # chunk is handed back (the history rows of its record); nothing else is kept
        lagged = {r.name for r in check_refs if r.lag}
        self.check_names = tuple(n for n in cm.check_names if n in lagged)
        self.check_lag = cm.check_lag
        self.gen = _KernelCodeGen(self.name, "scalar")
        self.out: list[str] = []

    # ------------------------------------------------------------------ names
    def name(self, n: str, lag: int) -> str:
        m = self.m
        if n in m.equations:
            return f"V_{n}" if lag == 0 else f"L{lag}_{n}"
        if n in m.random:
            return f"X_{n}"
        j = self.in_pos[n]
        if lag == 0:
            return f"AV[{len(m.equations) + j}]"
        self.input_lags.add((n, lag))
        return f"IL{lag}_{j}"

    def w(self, ind: int, line: str) -> None:
        self.out.append("    " * ind + line)

    # ------------------------------------------------------------------ source
    def source(self) -> KernelSource:
        m = self.m
        body: list[str] = []
        self.out = body
        ind = 3
        for n in m.random:
            self.w(ind, f"X_{n} = R[{self.rnd_pos[n]}][t - rbase, p - rp0]")
            self.w(ind, f"AV[{len(m.equations) + len(m.inputs) + self.rnd_pos[n]}] = X_{n}")
        self.finite: list[str] = []
        self.carry: list[tuple[str, str]] = []
        for b in self.cm.blocks:
            if not b.cyclic:
                v = b.variables[0]
                self.w(ind, f"V_{v} = {self.gen(m.equations[v].tree)}")
                self.finish_var(ind, v)
            else:
                self.block(ind, b)
        # the sum of every value is finite unless one is not (or the sum overflows: then the
        # chunk is merely handed to the NumPy path); partial sums keep the chains short
        groups = [self.finite[i:i + _NF_GROUP] for i in range(0, len(self.finite), _NF_GROUP)] or [["0.0"]]
        for g, terms in enumerate(groups):
            self.w(ind, f"_nf{g} = " + _sum_lines(terms))
        self.w(ind, "if not (abs(" + _sum_lines([f"_nf{g}" for g in range(len(groups))]) + ") <= 1.7976931348623157e308):")
        self.w(ind + 1, f"ST[0] = {NON_FINITE}")
        self.w(ind + 1, "ST[1] = t")
        self.w(ind + 1, "ST[2] = p")
        self.w(ind + 1, "return")
        self.w(ind, "if CHECK:")
        if not self.checks(ind + 1):
            self.w(ind + 1, "pass")
        self.carry = self.carry_lagged_calls(0, ind)
        self.w(ind, "for _j in range(RIDX.shape[0]):")
        self.w(ind + 1, "_r = RIDX[_j]")
        self.w(ind + 1, "REC[p, t - rtbase, _j] = AV[_r]")
        if self.check_lag and self.check_names:
            self.w(ind, f"if t >= t1 - {self.check_lag}:")
            self.w(ind + 1, f"_h = t - t1 + {self.check_lag}")
            for c, n in enumerate(self.check_names):
                self.w(ind + 1, f"HI[_h, {c}, p] = {self.name(n, 0)}")
        for v in m.equations:
            k = self.lags.get(v, 0)
            for lag in range(k, 1, -1):
                self.w(ind, f"L{lag}_{v} = L{lag - 1}_{v}")
            if k:
                self.w(ind, f"L1_{v} = V_{v}")
        # the function around the period body
        head: list[str] = []
        self.out = head
        self.w(0, "@_jit")
        self.w(0, "def kernel(t0, t1, p0, p1, S, HI, IC, IK, PP, TVI, TVR, IT, TP, TF, pad, R, rbase, rp0, REC, rtbase, RIDX, CHECK, ST):")
        # every value of the period: endogenous, then inputs, then random draws (RIDX indexes it)
        self.w(1, f"AV = np.empty({max(len(m.equations) + len(m.inputs) + len(m.random), 1)})")
        for b in self.cm.blocks:
            if len(b.tears) > 1:
                self.w(1, f"JW{b.index} = np.empty(({len(b.tears)}, {len(b.tears)}))")
                self.w(1, f"RW{b.index} = np.empty({len(b.tears)})")
        self.w(1, "for p in range(p0, p1):")
        self.w(2, f"for j in range({len(m.inputs)}):")
        self.w(3, "r = IK[j]")
        self.w(3, f"AV[j + {len(m.equations)}] = IC[j] if r < 0 else PP[r, p]")
        for s, (v, k) in enumerate(self.slots):
            self.w(2, f"L{k}_{v} = S[{s}, p]")
        for name, call in self.carry:
            self.w(2, f"{name} = {call}")
        self.w(2, "for t in range(t0, t1):")
        self.w(3, "for _m in range(TVI.shape[0]):")
        self.w(4, "r = TVR[_m]")
        self.w(4, f"AV[TVI[_m] + {len(m.equations)}] = TP[r, t + pad] if r >= 0 else TF[-r - 1, t + pad, p]")
        for n, lag in sorted(self.input_lags, key=lambda x: (self.in_pos[x[0]], x[1])):
            self.w(3, f"IL{lag}_{self.in_pos[n]} = _in_lag({self.in_pos[n]}, {lag}, t, p, AV, IT, TP, TF, pad, {len(m.equations)})")
        tail: list[str] = []
        self.out = tail
        for s, (v, k) in enumerate(self.slots):
            self.w(2, f"S[{s}, p] = L{k}_{v}")
        text = "\n".join([
            f"# generated by bubblemachine.sfc.kernel_source (version {GENERATOR_VERSION}) for model {m.name!r}; do not edit",
            "import math",
            "import numpy as np",
            "",
            "",
            "def _jit(f):  # compiled by bubblemachine.sfc.kernel_llvm; as Python it runs unchanged",
            "    return f",
            "",
            _HELPERS,
            "",
            *head, *body, *tail, "",
        ])
        key = hashlib.sha256(text.encode()).hexdigest()
        return KernelSource(text, key, tuple(self.slots), len(self.model_slots), self.check_names, self.check_lag,
                            m.name, len(m.random))

    def carry_lagged_calls(self, at: int, ind: int) -> list[tuple[str, str]]:
        """Equations and checks often compare ``log(x)`` with ``log(x[-1])`` (a return, a growth
        rate): the lagged call's value is the one computed a period before, so it is carried in
        a local instead of being computed again (the same function of the same number: the same
        bits). Every ``f(L1_x)`` from line ``at`` on reads the local; at the end of the period
        (``ind``: the period's indentation, outside the checks) the local becomes ``f(V_x)``,
        which LLVM shares with the period's own ``f(V_x)`` when there is one, so no period
        computes more calls than before and most compute fewer. Returns ``(local, call at the
        lag)`` to initialise at the start of each path."""
        pat = re.compile(r"\b(_log|_exp|_sqrt|_tanh)\(L1_(\w+)\)")
        lines = self.out[at:]
        found = {(f, v) for line in lines for f, v in pat.findall(line)}
        if not found:
            return []
        carry = {(f, v): f"_CL{f}_{v}" for f, v in sorted(found)}
        self.out[at:] = [pat.sub(lambda mm: carry[(mm.group(1), mm.group(2))], line) for line in lines]
        for (f, v), local in carry.items():  # for the next period: this period's value
            self.w(ind, f"{local} = {f}(V_{v})")
        return [(local, f"{f}(L1_{v})") for (f, v), local in carry.items()]

    def finish_var(self, ind: int, v: str) -> None:
        self.w(ind, f"AV[{self.eq_pos[v]}] = V_{v}")
        self.finite.append(f"V_{v}")

    def fail(self, ind: int, code: int) -> None:
        self.w(ind, f"ST[0] = {code}")
        self.w(ind, "ST[1] = t")
        self.w(ind, "ST[2] = p")
        self.w(ind, "return")

    # ------------------------------------------------------------------ simultaneous blocks
    def block(self, ind: int, b: Block) -> None:
        """A simultaneous block, written by the compiled model's solver (as for the NumPy path)."""
        self.cm.solver.emit(_KernelBlock(self, b, "    " * ind))
        for v in b.variables:
            self.finish_var(ind, v)

    # ------------------------------------------------------------------ accounting checks
    def checks(self, ind: int) -> int:
        """Hidden identities and matrix rows/columns on the current values; returns how many.

        Straight-line code (two branches in all): every residual is computed; only when the
        sum of their sizes exceeds the smallest absolute tolerance is each one tested against
        its own tolerance (``|r| <= rtol * scale + atol``, the NumPy path's test), the scales
        computed then. A check that fails stops the kernel (the NumPy path names it)."""
        m, gen = self.m, self.gen
        tests: list[tuple[str, list[str], float, float]] = []

        def mag(node: ast.AST) -> str:
            return E.magnitude(gen, node, absfn="abs")

        for key, (rhs, _src) in m.hidden.items():
            kn, rn = E.parse(key), E.parse(rhs)
            k = len(tests)
            self.w(ind, f"_cr{k} = {gen(kn)} - {gen(rn)}")
            tests.append((f"_cr{k}", [mag(kn), mag(rn)], HIDDEN_RTOL, HIDDEN_ATOL))
        e = 0
        for mat in m.matrices.values():
            cols: dict[str, list[tuple[str, str, str]]] = {c: [] for c in mat.columns}
            for _rname, entries, total, _src in mat.rows:
                terms: list[tuple[str, str, str]] = []
                for col, ex in entries:
                    node = E.parse(ex)
                    sign = "+"
                    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
                        sign, node = "-", node.operand
                    self.w(ind, f"_e{e} = {gen(node)}")
                    mg = f"abs(_e{e})" if isinstance(node, (ast.Name, ast.Subscript)) else mag(node)
                    terms.append((sign, f"_e{e}", mg))
                    cols[col].append((sign, f"_e{e}", mg))
                    e += 1
                mags = [mg for _, _, mg in terms]
                k = len(tests)
                if total is not None:
                    tn = E.parse(total)
                    self.w(ind, f"_cr{k} = ({_signed_sum(terms)}) - ({gen(tn)})")
                    mags.append(mag(tn))
                elif not mags:
                    continue
                else:
                    self.w(ind, f"_cr{k} = {_signed_sum(terms)}")
                tests.append((f"_cr{k}", mags, mat.rtol, mat.atol))
            if mat.columns_sum_to_zero:
                for cterms in cols.values():
                    if cterms:
                        k = len(tests)
                        self.w(ind, f"_cr{k} = {_signed_sum(cterms)}")
                        tests.append((f"_cr{k}", [mg for _, _, mg in cterms], mat.rtol, mat.atol))
        if not tests:
            return 0
        lowest = min(atol for _, _, _, atol in tests)
        self.w(ind, "_cw = " + _sum_lines([f"abs({r})" for r, _, _, _ in tests]))
        self.w(ind, f"if not (_cw <= {E.lit(lowest)}):")
        bad = []
        for r, mags, rtol, atol in tests:
            scale = mags[0] if len(mags) == 1 else "max(" + ", ".join(mags) + ")"
            bad.append(f"(not (abs({r}) <= {E.lit(rtol)} * {scale} + {E.lit(atol)}))")
        for i in range(0, len(bad), _NF_GROUP):
            self.w(ind + 1, f"_cb{i // _NF_GROUP} = " + " | ".join(bad[i:i + _NF_GROUP]))
        self.w(ind + 1, "if " + " | ".join(f"_cb{i // _NF_GROUP}" for i in range(0, len(bad), _NF_GROUP)) + ":")
        self.fail(ind + 2, CHECK_FAILED)
        return len(tests)


def _sum_lines(terms: list[str]) -> str:
    """A sum of many terms as a balanced tree of additions: its depth, the chain of dependent
    additions the processor waits for, is log2 of the number of terms."""
    terms = list(terms) or ["0.0"]
    while len(terms) > 1:
        terms = [f"({terms[i]} + {terms[i + 1]})" if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


def _signed_sum(terms: list[tuple[str, str, str]]) -> str:
    if not terms:
        return "0.0"
    sign, first, _ = terms[0]
    acc = first if sign == "+" else f"-{first}"
    for sign, n, _ in terms[1:]:
        acc += f" {sign} {n}"
    return acc


class _KernelBlock:
    """The :class:`~bubblemachine.sfc.solvers.BlockWriter` of the kernel: scalar code for one
    path, names unique to the block (a name assigned in many places costs the compiler), a
    block that does not converge or has a singular Jacobian stops the kernel (the NumPy path
    then reports it). ``constant_jacobian``: the block is linear, so one Newton step from the
    last value lands on the solution (to rounding; the checks judge it), as the NumPy path
    does for a constant Jacobian; the Jacobian is then computed once, before the step."""

    def __init__(self, g: _Generator, b: Block, indent: str) -> None:
        self.g, self.b, self.indent = g, b, indent
        self.constant_jacobian = b.linear
        i = b.index
        self.jac = [re.sub(r"\b_J(\d+)_(\d+)\b", rf"_J{i}_\1_\2", line)
                    for line in block_jacobian_lines(g.cm, b, "scalar", {"gen": g.gen})]
        self.r, self.f = f"_r{i}_", f"_f{i}_"

    def write(self, ind: str, line: str) -> None:
        self.g.out.append(ind + line)

    def _eq(self, v: str) -> str:
        return self.g.gen(self.g.m.equations[v].tree)

    def start(self) -> None:
        b = self.b
        self.write(self.indent, f"# block {b.index}: {', '.join(b.variables)} (tears: {', '.join(b.tears)})")
        for t in b.tears:
            self.write(self.indent, f"V_{t} = L1_{t}")

    def sequence(self, ind: str) -> None:
        for s in self.b.sequence:
            self.write(ind, f"V_{s} = {self._eq(s)}")

    def residuals(self, ind: str) -> None:
        for a, t in enumerate(self.b.tears):
            self.write(ind, f"{self.f}{a} = {self._eq(t)}")
            self.write(ind, f"{self.r}{a} = V_{t} - {self.f}{a}")

    def converged(self, rtol: float, atol: float) -> str:
        return " and ".join(f"abs({self.r}{a}) <= {E.lit(atol)} + {E.lit(rtol)} * abs(V_{t})" for a, t in enumerate(self.b.tears))

    def fixed_point_update(self, ind: str) -> None:
        for a, t in enumerate(self.b.tears):
            self.write(ind, f"V_{t} = {self.f}{a}")

    def newton_step(self, ind: str, jacobian: bool = True) -> None:
        b, k = self.b, len(self.b.tears)
        if jacobian:
            for line in self.jac:
                self.write(ind, line)
        if k == 1:
            self.write(ind, f"V_{b.tears[0]} = V_{b.tears[0]} - {self.r}0 / _J{b.index}_0_0")
            return
        for a in range(k):
            for j in range(k):
                self.write(ind, f"JW{b.index}[{a}, {j}] = _J{b.index}_{a}_{j}")
            self.write(ind, f"RW{b.index}[{a}] = {self.r}{a}")
        self.write(ind, f"if not _gauss(JW{b.index}, RW{b.index}, {k}):")
        self.g.fail(len(ind) // 4 + 1, SINGULAR)
        for a, t in enumerate(b.tears):
            self.write(ind, f"V_{t} = V_{t} - RW{b.index}[{a}]")

    def straight_line_newton(self) -> None:
        ind = self.indent
        for line in self.jac:  # depends on no variable of the block: off the critical path
            self.write(ind, line)
        self.sequence(ind)
        for a, t in enumerate(self.b.tears):
            self.write(ind, f"{self.r}{a} = V_{t} - {self._eq(t)}")
        self.newton_step(ind, jacobian=False)
        self.sequence(ind)

    def fail(self, ind: str) -> None:
        self.g.fail(len(ind) // 4, NO_CONVERGENCE)

    def finish(self) -> None:
        """Nothing: every value of the block is checked for finiteness with the others."""
