"""Compile a kernel's source (a small, typed subset of Python) to machine code with LLVM.

The kernel source (:mod:`bubblemachine.sfc.kernel_source`) uses only: functions with declared
parameter types (:data:`SIGNATURES`), assignments to locals and to array elements, ``for``
over ``range`` (with ``else`` and ``break``), ``if``/``else``, ``return``, arithmetic on
floats, integers and booleans, comparisons, ``and``/``or``/``not``, ``a if c else b``,
``:=``, ``abs min max bool`` and the engine's helpers (``_exp _log _sqrt _tanh _pow _abs
_min _max _clip _where _sign _and _or _not _in_lag``), local arrays made by ``np.empty``
with constant sizes, and calls of other functions of the module. This translator turns that
into LLVM IR text (every local an ``alloca`` that LLVM's optimiser promotes to registers),
which llvmlite optimises (``O2``) and compiles to an object file for the host CPU. The
object file is what the disk cache keeps; loading it is a few milliseconds.

``kernel`` is compiled twice: as written (one path at a time) and, when every statement has a
lane-wise form, as ``kernel_v4``, which runs four paths at once, one per lane of a
``<4 x double>`` (an AVX2 register): every floating-point and boolean local holds the four
paths' values, ``A[..., p]`` reads or writes the four paths' contiguous values, ``A[p, ...]``
each path's own, an ``if`` is taken when its condition holds on any lane (the failure tests:
the chunk is handed back, as for one path), ``where`` selects per lane, and ``exp log pow``
are the same C library calls once per lane. Each lane does its path's operations in the same
order, so the numbers are the scalar kernel's, bit for bit. A loop left by ``break`` (a Newton
iteration) or a call of a helper (``_gauss``) has no lane-wise form: such a model has the
scalar kernel only. :class:`LoadedKernel` runs a range's whole groups of four on
``kernel_v4`` and the rest on ``kernel``.

Floating point: plain IEEE operations in the order written (no fast-math, no contraction
into fused multiply-adds), ``exp log sqrt tanh pow`` from the C library, ``x ** 2`` as
``x * x`` (as NumPy does), other powers through ``pow``. So a kernel's numbers differ from
the NumPy path's only where NumPy's own vectorised ``exp``/``log`` round differently (an
ulp or two).

Why not numba: it compiles the same source, but its type inference and IR passes took
60-75 s of CPU for the AI model's 400 equations (LLVM ~15 s of that); this translator needs
no type inference (every value is a double, an int64 or a bool) and LLVM alone takes a few
seconds (``docs/design/sfc-kernels.md``).
"""

from __future__ import annotations

import ast
import struct
from dataclasses import dataclass

#: Parameter types of the functions a kernel module defines: ``i64``, ``f64``, ``b``
#: (bool), ``f64[N]`` / ``i64[N]`` (a C-contiguous array of N dimensions), ``tuple f64[N]``
#: (a tuple of such arrays, all of one shape). Return type last (``void`` or ``b``).
SIGNATURES: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "kernel": ((("t0", "i64"), ("t1", "i64"), ("p0", "i64"), ("p1", "i64"), ("S", "f64[2]"), ("HI", "f64[3]"),
                ("IC", "f64[1]"), ("IK", "i64[1]"), ("PP", "f64[2]"), ("TVI", "i64[1]"), ("TVR", "i64[1]"),
                ("IT", "i64[1]"), ("TP", "f64[2]"), ("TF", "f64[3]"), ("pad", "i64"), ("R", "tuple f64[2]"),
                ("rbase", "i64"), ("rp0", "i64"), ("REC", "f64[3]"), ("rtbase", "i64"), ("RIDX", "i64[1]"), ("CHECK", "b"),
                ("ST", "i64[1]")), "void"),
    "_gauss": ((("J", "f64[2]"), ("r", "f64[1]"), ("k", "i64")), "b"),
}

_LL = {"f64": "double", "i64": "i64", "b": "i1", "v4f64": "<4 x double>"}
_MATH1 = {"_exp": "llvm.exp.f64", "_log": "llvm.log.f64", "_sqrt": "llvm.sqrt.f64", "_abs": "llvm.fabs.f64",
          "abs": "llvm.fabs.f64", "_tanh": "tanh"}
_DECLS = """declare double @llvm.exp.f64(double)
declare double @llvm.log.f64(double)
declare double @llvm.sqrt.f64(double)
declare double @llvm.fabs.f64(double)
declare double @llvm.pow.f64(double, double)
declare double @tanh(double)
declare <4 x double> @llvm.exp.v4f64(<4 x double>)
declare <4 x double> @llvm.log.v4f64(<4 x double>)
declare <4 x double> @llvm.sqrt.v4f64(<4 x double>)
declare <4 x double> @llvm.fabs.v4f64(<4 x double>)
declare <4 x double> @llvm.pow.v4f64(<4 x double>, <4 x double>)
declare i1 @llvm.vector.reduce.or.v4i1(<4 x i1>)
"""

#: Paths per lane group of the vector kernel (``kernel_v4``): four doubles, one AVX2 register.
LANES = 4
_VD, _VB = f"<{LANES} x double>", f"<{LANES} x i1>"
_FLOAT, _BOOL = ("double", _VD), ("i1", _VB)


class KernelCompileError(Exception):
    """The kernel source uses something this translator does not know (a bug in the generator)."""


def fconst(v: float) -> str:
    """An exact double constant in LLVM's hexadecimal notation."""
    return "0x" + struct.pack(">d", float(v)).hex().upper()


@dataclass
class _Arr:
    ptr: str  # register holding the data pointer
    dtype: str  # f64 | i64
    dims: list[str]  # registers or constants (i64) of every dimension


@dataclass
class _Tup:
    ptrs: str  # register: pointer to an array of data pointers
    dtype: str
    dims: list[str]


class _Function:
    """One function of the module in LLVM IR. ``lanes=LANES`` writes the vector kernel: the path
    loop steps by ``LANES`` and every floating-point or boolean local holds one value per path
    (lane) of the group; an access of a per-path array at ``p`` reads or writes the group's
    paths; an ``if`` is taken when its condition holds on any lane (a failure stops the whole
    chunk, as on one path); ``where`` selects per lane. Raises :class:`KernelCompileError`
    for what has no lane-wise meaning (a loop left by ``break``, a call of a helper function)."""

    def __init__(self, mod: _Module, fn: ast.FunctionDef, lanes: int = 1) -> None:
        self.mod, self.fn = mod, fn
        self.lanes = lanes
        if lanes > 1 and any(isinstance(x, (ast.Break, ast.While)) for x in ast.walk(fn)):
            raise KernelCompileError(f"{fn.name}: a loop with break has no lane-wise form")
        params, self.ret = SIGNATURES[fn.name]
        self.out: list[str] = []
        self.entry: list[str] = []
        self.n = 0
        self.locals: dict[str, str] = {}  # name -> ll type
        self.arrays: dict[str, _Arr | _Tup] = {}
        self.loops: list[str] = []  # break targets
        self.terminated = False
        args = []
        for name, kind in params:
            if kind.startswith("tuple "):
                dt, nd = kind[6:].split("[")
                nd = int(nd[:-1])
                args.append(f"ptr %a.{name}")
                args.extend(f"i64 %a.{name}.d{i}" for i in range(nd))
                self.arrays[name] = _Tup(f"%a.{name}", dt, [f"%a.{name}.d{i}" for i in range(nd)])
            elif "[" in kind:
                dt, nd = kind.split("[")
                nd = int(nd[:-1])
                args.append(f"ptr noalias %a.{name}")
                args.extend(f"i64 %a.{name}.d{i}" for i in range(nd))
                self.arrays[name] = _Arr(f"%a.{name}", dt, [f"%a.{name}.d{i}" for i in range(nd)])
            else:
                ll = _LL[kind]
                args.append(f"{ll} %a.{name}")
                self.local(name, ll)
                self.entry.append(f"  store {ll} %a.{name}, ptr %v.{name}")
        ret = "void" if self.ret == "void" else _LL[self.ret]
        self.params = set(self.locals)
        name = fn.name if lanes == 1 else f"{fn.name}_v{lanes}"
        self.header = f"define {ret} @{name}({', '.join(args)}) {{"

    # ------------------------------------------------------------------ emission helpers
    def tmp(self) -> str:
        self.n += 1
        return f"%t{self.n}"

    def label(self, stem: str) -> str:
        self.n += 1
        return f"{stem}{self.n}"

    def emit(self, line: str) -> None:
        if self.terminated:
            self.block(self.label("dead"))
        self.out.append("  " + line)

    def block(self, name: str) -> None:
        if not self.terminated:
            self.out.append(f"  br label %{name}")
        self.out.append(f"{name}:")
        self.terminated = False

    def term(self, line: str) -> None:
        if not self.terminated:
            self.out.append("  " + line)
        self.terminated = True

    def local(self, name: str, ll: str) -> str:
        have = self.locals.get(name)
        if have is None:
            self.locals[name] = ll
            self.entry.append(f"  %v.{name} = alloca {ll}")
        elif have != ll:
            raise KernelCompileError(f"{self.fn.name}: local {name} is both {have} and {ll}")
        return f"%v.{name}"

    # ------------------------------------------------------------------ values
    def splat(self, reg: str, ty: str) -> str:
        """A scalar ``double`` / ``i1`` in every lane."""
        vt = _VD if ty == "double" else _VB
        a, b = self.tmp(), self.tmp()
        self.emit(f"{a} = insertelement {vt} poison, {ty} {reg}, i64 0")
        self.emit(f"{b} = shufflevector {vt} {a}, {vt} poison, <{self.lanes} x i32> zeroinitializer")
        return b

    def vconst(self, ty: str, value: str) -> str:
        """A constant in every lane (spelled out: ``splat`` needs LLVM 19)."""
        return "<" + ", ".join([f"{ty} {value}"] * self.lanes) + ">"

    def fl(self, *vs: tuple[str, str]) -> tuple[list[str], str]:
        """Values as floating point of one type: lanes if any of them has lanes."""
        ty = _VD if any(v[1] in (_VD, _VB) for v in vs) else "double"
        return [self.conv(v, ty) for v in vs], ty

    def bl(self, *vs: tuple[str, str]) -> tuple[list[str], str]:
        """Values as booleans of one type: lanes if any of them has lanes."""
        ty = _VB if any(v[1] in (_VD, _VB) for v in vs) else "i1"
        return [self.conv(v, ty) for v in vs], ty

    def cond(self, v: tuple[str, str]) -> str:
        """A branch condition: true when it holds on any lane."""
        if v[1] in (_VD, _VB):
            b = self.conv(v, _VB)
            t = self.tmp()
            self.emit(f"{t} = call i1 @llvm.vector.reduce.or.v{self.lanes}i1({_VB} {b})")
            return t
        return self.conv(v, "i1")

    def conv(self, v: tuple[str, str], to: str) -> str:
        reg, ty = v
        if ty == to:
            return reg
        if to in (_VD, _VB):
            if ty in (_VD, _VB):
                t = self.tmp()
                if to == _VD:
                    self.emit(f"{t} = uitofp {_VB} {reg} to {_VD}")
                else:
                    self.emit(f"{t} = fcmp une {_VD} {reg}, zeroinitializer")
                return t
            scalar = "double" if to == _VD else "i1"
            return self.splat(self.conv(v, scalar), scalar)
        if ty in (_VD, _VB):
            raise KernelCompileError(f"{self.fn.name}: a per-lane value where one value is needed")
        t = self.tmp()
        if to == "double":
            self.emit(f"{t} = {'sitofp i64' if ty == 'i64' else 'uitofp i1'} {reg} to double")
        elif to == "i1":
            self.emit(f"{t} = {'icmp ne i64' if ty == 'i64' else 'fcmp une double'} {reg}, {'0' if ty == 'i64' else fconst(0.0)}")
        elif to == "i64" and ty == "i1":
            self.emit(f"{t} = zext i1 {reg} to i64")
        else:
            raise KernelCompileError(f"{self.fn.name}: cannot convert {ty} to {to}")
        return t

    def expr(self, n: ast.expr) -> tuple[str, str]:  # noqa: C901 - one flat dispatch
        if isinstance(n, ast.Constant):
            v = n.value
            if isinstance(v, bool):
                return ("true" if v else "false"), "i1"
            if isinstance(v, int):
                return str(v), "i64"
            return fconst(v), "double"
        if isinstance(n, ast.Name):
            ll = self.locals.get(n.id)
            if ll is None:
                raise KernelCompileError(f"{self.fn.name}: {n.id} is read before it is assigned")
            t = self.tmp()
            self.emit(f"{t} = load {ll}, ptr %v.{n.id}")
            return t, ll
        if isinstance(n, ast.NamedExpr):
            v = self.expr(n.value)
            self.store_local(n.target.id, v)
            return v
        if isinstance(n, ast.Subscript):
            ptr, ll = self.element(n)
            if isinstance(ptr, list):  # one path per lane, apart in memory
                acc = "poison"
                for i, pl in enumerate(ptr):
                    x, t = self.tmp(), self.tmp()
                    self.emit(f"{x} = load {ll}, ptr {pl}")
                    self.emit(f"{t} = insertelement {_VD} {acc}, double {x}, i64 {i}")
                    acc = t
                return acc, _VD
            t = self.tmp()
            self.emit(f"{t} = load {ll}, ptr {ptr}{', align 8' if ll == _VD else ''}")
            return t, ll
        if isinstance(n, ast.Attribute) and n.attr == "shape":
            raise KernelCompileError("shape only as x.shape[k]")
        if isinstance(n, ast.BinOp):
            return self.binop(n)
        if isinstance(n, ast.UnaryOp):
            v = self.expr(n.operand)
            if isinstance(n.op, ast.Not):
                (b,), ty = self.bl(v)
                t = self.tmp()
                self.emit(f"{t} = xor {ty} {b}, {'true' if ty == 'i1' else self.vconst('i1', 'true')}")
                return t, ty
            if isinstance(n.op, ast.UAdd):
                return v
            t = self.tmp()
            if v[1] in _FLOAT or v[1] == _VB:
                (x,), ty = self.fl(v)
                self.emit(f"{t} = fneg {ty} {x}")
                return t, ty
            self.emit(f"{t} = sub i64 0, {self.conv(v, 'i64')}")
            return t, "i64"
        if isinstance(n, ast.Compare):
            acc = None
            left = n.left
            for op, right in zip(n.ops, n.comparators, strict=True):
                c = self.compare(left, op, right)
                if acc is None:
                    acc = c
                else:
                    (a, b), ty = self.bl(acc, c)
                    t = self.tmp()
                    self.emit(f"{t} = and {ty} {a}, {b}")
                    acc = t, ty
                left = right
            return acc
        if isinstance(n, ast.BoolOp):  # operands are pure: no short circuit needed
            op = "and" if isinstance(n.op, ast.And) else "or"
            acc = self.expr(n.values[0])
            for v in n.values[1:]:
                (a, b), ty = self.bl(acc, self.expr(v))
                t = self.tmp()
                self.emit(f"{t} = {op} {ty} {a}, {b}")
                acc = t, ty
            (x,), ty = self.bl(acc)
            return x, ty
        if isinstance(n, ast.IfExp):
            test = self.expr(n.test)
            if test[1] in (_VD, _VB):  # a condition per lane: both values, selected per lane
                c = self.conv(test, _VB)
                (a, b, _c), _ = self.fl(self.expr(n.body), self.expr(n.orelse), (c, _VB))
                t = self.tmp()
                self.emit(f"{t} = select {_VB} {c}, {_VD} {a}, {_VD} {b}")
                return t, _VD
            # lazy, as Python's (a branch may read outside an array)
            c = self.conv(test, "i1")
            ty = "double" if self.lanes == 1 else _VD
            res = self.local(f"_sel{self.label('')}", ty)
            l_a, l_b, l_end = self.label("ifa"), self.label("ifb"), self.label("ifend")
            self.term(f"br i1 {c}, label %{l_a}, label %{l_b}")
            self.block(l_a)
            self.emit(f"store {ty} {self.conv(self.expr(n.body), ty)}, ptr {res}")
            self.term(f"br label %{l_end}")
            self.block(l_b)
            self.emit(f"store {ty} {self.conv(self.expr(n.orelse), ty)}, ptr {res}")
            self.term(f"br label %{l_end}")
            self.block(l_end)
            t = self.tmp()
            self.emit(f"{t} = load {ty}, ptr {res}")
            return t, ty
        if isinstance(n, ast.Call):
            return self.call(n)
        raise KernelCompileError(f"{self.fn.name}: unsupported expression {ast.dump(n)[:80]}")

    def compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> tuple[str, str]:
        a, b = self.expr(left), self.expr(right)
        t = self.tmp()
        if {a[1], b[1]} & {"double", _VD, _VB}:
            pred = {ast.Lt: "olt", ast.LtE: "ole", ast.Gt: "ogt", ast.GtE: "oge", ast.Eq: "oeq", ast.NotEq: "une"}[type(op)]
            (x, y), ty = self.fl(a, b)
            self.emit(f"{t} = fcmp {pred} {ty} {x}, {y}")
            return t, ("i1" if ty == "double" else _VB)
        else:
            pred = {ast.Lt: "slt", ast.LtE: "sle", ast.Gt: "sgt", ast.GtE: "sge", ast.Eq: "eq", ast.NotEq: "ne"}[type(op)]
            self.emit(f"{t} = icmp {pred} i64 {self.conv(a, 'i64')}, {self.conv(b, 'i64')}")
        return t, "i1"

    def binop(self, n: ast.BinOp) -> tuple[str, str]:
        if isinstance(n.op, ast.Pow):
            t = self.tmp()
            if isinstance(n.right, ast.Constant) and float(n.right.value) == 2.0:
                (base,), ty = self.fl(self.expr(n.left))
                self.emit(f"{t} = fmul {ty} {base}, {base}")  # NumPy squares x ** 2.0 exactly so
            else:
                (base, ex), ty = self.fl(self.expr(n.left), self.expr(n.right))
                self.emit(f"{t} = call {ty} @llvm.pow.{'f64' if ty == 'double' else f'v{self.lanes}f64'}({ty} {base}, {ty} {ex})")
            return t, ty
        a, b = self.expr(n.left), self.expr(n.right)
        if isinstance(n.op, (ast.BitOr, ast.BitAnd)):
            (x, y), ty = self.bl(a, b)
            t = self.tmp()
            self.emit(f"{t} = {'or' if isinstance(n.op, ast.BitOr) else 'and'} {ty} {x}, {y}")
            return t, ty
        if isinstance(n.op, ast.Div) or {a[1], b[1]} & {"double", _VD, _VB}:
            op = {ast.Add: "fadd", ast.Sub: "fsub", ast.Mult: "fmul", ast.Div: "fdiv"}[type(n.op)]
            (x, y), ty = self.fl(a, b)
            t = self.tmp()
            self.emit(f"{t} = {op} {ty} {x}, {y}")
            return t, ty
        op = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul"}[type(n.op)]
        t = self.tmp()
        self.emit(f"{t} = {op} i64 {self.conv(a, 'i64')}, {self.conv(b, 'i64')}")
        return t, "i64"

    def call(self, n: ast.Call) -> tuple[str, str]:  # noqa: C901
        f = n.func.id if isinstance(n.func, ast.Name) else None
        args = n.args
        if f in _MATH1:
            (x,), ty = self.fl(self.expr(args[0]))
            t = self.tmp()
            if ty == "double":
                self.emit(f"{t} = call double @{_MATH1[f]}(double {x})")
            elif _MATH1[f].startswith("llvm."):  # the backend calls the scalar function per lane
                self.emit(f"{t} = call {ty} @{_MATH1[f][:-3]}v{self.lanes}f64({ty} {x})")
            else:
                acc = "poison"
                for i in range(self.lanes):
                    e, r, t = self.tmp(), self.tmp(), self.tmp()
                    self.emit(f"{e} = extractelement {ty} {x}, i64 {i}")
                    self.emit(f"{r} = call double @{_MATH1[f]}(double {e})")
                    self.emit(f"{t} = insertelement {ty} {acc}, double {r}, i64 {i}")
                    acc = t
            return t, ty
        if f == "_pow":
            (x, y), ty = self.fl(self.expr(args[0]), self.expr(args[1]))
            t = self.tmp()
            self.emit(f"{t} = call {ty} @llvm.pow.{'f64' if ty == 'double' else f'v{self.lanes}f64'}({ty} {x}, {ty} {y})")
            return t, ty
        if f in ("min", "max", "_min", "_max"):
            acc = self.expr(args[0])
            pred = "olt" if f.endswith("min") else "ogt"
            for a in args[1:]:  # Python's min(a, b): b if b < a else a
                (x, b), ty = self.fl(acc, self.expr(a))
                c, t = self.tmp(), self.tmp()
                self.emit(f"{c} = fcmp {pred} {ty} {b}, {x}")
                self.emit(f"{t} = select {'i1' if ty == 'double' else _VB} {c}, {ty} {b}, {ty} {x}")
                acc = t, ty
            (x,), ty = self.fl(acc)
            return x, ty
        if f == "_clip":
            return self.call(ast.Call(ast.Name("_min"), [ast.Call(ast.Name("_max"), [args[0], args[1]], []), args[2]], []))
        if f == "_where":
            return self.expr(ast.IfExp(args[0], args[1], args[2]))
        if f == "_sign":
            (x,), ty = self.fl(self.expr(args[0]))
            bt = "i1" if ty == "double" else _VB
            zero, one, minus = ((fconst(0.0), fconst(1.0), fconst(-1.0)) if ty == "double" else
                                ("zeroinitializer", self.vconst("double", fconst(1.0)), self.vconst("double", fconst(-1.0))))
            c1, c2, s1, s2 = self.tmp(), self.tmp(), self.tmp(), self.tmp()
            self.emit(f"{c1} = fcmp ogt {ty} {x}, {zero}")
            self.emit(f"{c2} = fcmp olt {ty} {x}, {zero}")
            self.emit(f"{s1} = select {bt} {c2}, {ty} {minus}, {ty} {zero}")
            self.emit(f"{s2} = select {bt} {c1}, {ty} {one}, {ty} {s1}")
            return s2, ty
        if f in ("_and", "_or"):
            return self.expr(ast.BoolOp(ast.And() if f == "_and" else ast.Or(), list(args)))
        if f == "_not":
            return self.expr(ast.UnaryOp(ast.Not(), args[0]))
        if f == "bool":
            (x,), ty = self.bl(self.expr(args[0]))
            return x, ty
        if f == "_in_lag":
            return self.in_lag(args)
        if f in SIGNATURES:
            return self.call_function(f, args)
        raise KernelCompileError(f"{self.fn.name}: unsupported call {ast.dump(n)[:80]}")

    def call_function(self, f: str, args: list[ast.expr]) -> tuple[str, str]:
        if self.lanes > 1:
            raise KernelCompileError(f"{self.fn.name}: {f} has no lane-wise form")
        params, ret = SIGNATURES[f]
        vals = []
        for (_name, kind), a in zip(params, args, strict=True):
            if "[" in kind:
                arr = self.arrays[a.id]
                vals.append(f"ptr {arr.ptr}")
                vals.extend(f"i64 {d}" for d in arr.dims)
            else:
                ll = _LL[kind]
                vals.append(f"{ll} {self.conv(self.expr(a), ll)}")
        t = self.tmp()
        self.emit(f"{t} = call {_LL[ret]} @{f}({', '.join(vals)})")
        return t, _LL[ret]

    def in_lag(self, args: list[ast.expr]) -> tuple[str, str]:
        """``_in_lag(j, lag, t, p, AV, IT, TP, TF, pad, ne)``: input j at period t - lag."""
        j, lag, t, p = (self.conv(self.expr(a), "i64") for a in args[:4])
        pad = self.conv(self.expr(args[8]), "i64")
        ne = self.conv(self.expr(args[9]), "i64")
        ty = "double" if self.lanes == 1 else _VD
        res = self.local(f"_inlag{self.label('')}", ty)
        r = self.load_elem("IT", [j])
        at, idx = self.tmp(), self.tmp()
        self.emit(f"{at} = add i64 {t}, {pad}")
        self.emit(f"{idx} = sub i64 {at}, {lag}")
        c0, cp = self.tmp(), self.tmp()
        l_const, l_tv, l_path, l_full, l_end = (self.label(s) for s in ("lag.const", "lag.tv", "lag.path", "lag.full", "lag.end"))
        self.emit(f"{c0} = icmp eq i64 {r}, 0")
        self.term(f"br i1 {c0}, label %{l_const}, label %{l_tv}")
        self.block(l_const)
        jj = self.tmp()
        self.emit(f"{jj} = add i64 {j}, {ne}")
        self.emit(f"store {ty} {self.load_elem('AV', [jj])}, ptr {res}")
        self.term(f"br label %{l_end}")
        self.block(l_tv)
        self.emit(f"{cp} = icmp sgt i64 {r}, 0")
        self.term(f"br i1 {cp}, label %{l_path}, label %{l_full}")
        self.block(l_path)
        row = self.tmp()
        self.emit(f"{row} = sub i64 {r}, 1")
        self.emit(f"store {ty} {self.conv((self.load_elem('TP', [row, idx]), 'double'), ty)}, ptr {res}")
        self.term(f"br label %{l_end}")
        self.block(l_full)
        row2 = self.tmp()
        self.emit(f"{row2} = sub i64 -1, {r}")
        self.emit(f"store {ty} {self.load_elem('TF', [row2, idx, p], lanes_last=self.lanes > 1)}, ptr {res}")
        self.term(f"br label %{l_end}")
        self.block(l_end)
        out = self.tmp()
        self.emit(f"{out} = load {ty}, ptr {res}")
        return out, ty

    # ------------------------------------------------------------------ arrays
    def index(self, arr: _Arr | _Tup, idx: list[str]) -> str:
        if len(idx) != len(arr.dims):
            raise KernelCompileError(f"{self.fn.name}: {len(idx)} indices for a {len(arr.dims)}-d array")
        acc = idx[0]
        for d, i in zip(arr.dims[1:], idx[1:], strict=True):
            m, a = self.tmp(), self.tmp()
            self.emit(f"{m} = mul i64 {acc}, {d}")
            self.emit(f"{a} = add i64 {m}, {i}")
            acc = a
        return acc

    def load_elem(self, name: str, idx: list[str], lanes_last: bool = False) -> str:
        """``name[idx]``; ``lanes_last``: the last index is the lane group's first path (a vector load)."""
        arr = self.arrays[name]
        ll = _LL[arr.dtype]
        flat = self.index(arr, idx)
        p, t = self.tmp(), self.tmp()
        self.emit(f"{p} = getelementptr {ll}, ptr {arr.ptr}, i64 {flat}")
        if lanes_last:
            self.emit(f"{t} = load {_VD}, ptr {p}, align 8")
        else:
            self.emit(f"{t} = load {ll}, ptr {p}")
        return t

    def element(self, n: ast.Subscript) -> tuple[str | list[str], str]:
        """Pointer to an array element and its type: ``A[i, j]`` or ``R[k][i, j]``.

        In the vector kernel, an index that reads the path ``p`` addresses the lane group's
        paths: as the last index, the pointer to their contiguous values and the vector type;
        elsewhere, one pointer per lane (and the element type)."""
        base = n.value
        if isinstance(base, ast.Attribute) and base.attr == "shape":  # x.shape[k]
            raise KernelCompileError("x.shape[k] is a value, not an element")
        sl = n.slice
        idx_nodes = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
        if isinstance(base, ast.Subscript):  # a tuple of arrays
            tup = self.arrays[base.value.id]
            k = self.conv(self.expr(base.slice), "i64")
            pp, data = self.tmp(), self.tmp()
            self.emit(f"{pp} = getelementptr ptr, ptr {tup.ptrs}, i64 {k}")
            self.emit(f"{data} = load ptr, ptr {pp}")
            arr = _Arr(data, tup.dtype, tup.dims)
        else:
            arr = self.arrays.get(base.id)
            if arr is None:
                raise KernelCompileError(f"{self.fn.name}: {base.id} is not an array")
        idx = [self.conv(self.expr(i), "i64") for i in idx_nodes]
        ll = _LL[arr.dtype]
        flat = self.index(arr, idx)
        p = self.tmp()
        self.emit(f"{p} = getelementptr {ll}, ptr {arr.ptr}, i64 {flat}")
        at = [k for k, i in enumerate(idx_nodes) if any(isinstance(x, ast.Name) and x.id == "p" for x in ast.walk(i))]
        if self.lanes == 1 or not at:
            return p, ll
        if len(at) > 1 or ll != "double":
            raise KernelCompileError(f"{self.fn.name}: unsupported per-path access {ast.dump(n)[:80]}")
        if at[0] == len(idx_nodes) - 1:
            return p, _VD
        stride = "1"
        for d in arr.dims[at[0] + 1:]:
            m = self.tmp()
            self.emit(f"{m} = mul i64 {stride}, {d}")
            stride = m
        ptrs = [p]
        for i in range(1, self.lanes):
            off, q = self.tmp(), self.tmp()
            self.emit(f"{off} = mul i64 {stride}, {i}")
            self.emit(f"{q} = getelementptr double, ptr {p}, i64 {off}")
            ptrs.append(q)
        return ptrs, ll

    # ------------------------------------------------------------------ statements
    def store_local(self, name: str, v: tuple[str, str]) -> None:
        ll = self.locals.get(name, v[1])
        if self.lanes > 1 and name not in self.params:  # a value per lane
            ll = _VD if ll in _FLOAT else _VB if ll in _BOOL else ll
        self.local(name, ll)
        self.emit(f"store {ll} {self.conv(v, ll)}, ptr %v.{name}")

    def stmts(self, body: list[ast.stmt]) -> None:
        for s in body:
            self.stmt(s)

    def stmt(self, s: ast.stmt) -> None:  # noqa: C901
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant):
            return  # a docstring
        if isinstance(s, ast.Assign):
            (target,) = s.targets
            if isinstance(target, ast.Name) and isinstance(s.value, ast.Call) and _is_np_empty(s.value):
                self.local_array(target.id, s.value)
                return
            v = self.expr(s.value)
            if isinstance(target, ast.Name):
                self.store_local(target.id, v)
                return
            p, ll = self.element(target)
            if isinstance(p, list):  # one path per lane, apart in memory
                x = self.conv(v, _VD)
                for i, pl in enumerate(p):
                    e = self.tmp()
                    self.emit(f"{e} = extractelement {_VD} {x}, i64 {i}")
                    self.emit(f"store double {e}, ptr {pl}")
            else:
                self.emit(f"store {ll} {self.conv(v, ll)}, ptr {p}{', align 8' if ll == _VD else ''}")
            return
        if isinstance(s, ast.AugAssign):
            self.stmt(ast.Assign([s.target], ast.BinOp(_as_load(s.target), s.op, s.value)))
            return
        if isinstance(s, ast.If):
            c = self.cond(self.expr(s.test))
            l_then, l_else, l_end = self.label("then"), self.label("else"), self.label("endif")
            self.term(f"br i1 {c}, label %{l_then}, label %{l_else if s.orelse else l_end}")
            self.block(l_then)
            self.stmts(s.body)
            self.term(f"br label %{l_end}")
            if s.orelse:
                self.block(l_else)
                self.stmts(s.orelse)
                self.term(f"br label %{l_end}")
            self.block(l_end)
            return
        if isinstance(s, ast.For):
            self.for_range(s)
            return
        if isinstance(s, ast.Break):
            self.term(f"br label %{self.loops[-1]}")
            return
        if isinstance(s, ast.Return):
            if self.ret == "void":
                self.term("ret void")
            else:
                self.term(f"ret i1 {self.conv(self.expr(s.value), 'i1')}")
            return
        if isinstance(s, ast.Pass):
            return
        raise KernelCompileError(f"{self.fn.name}: unsupported statement {ast.dump(s)[:80]}")

    def local_array(self, name: str, call: ast.Call) -> None:
        shape = call.args[0]
        dims = [int(e.value) for e in shape.elts] if isinstance(shape, ast.Tuple) else [int(shape.value)]
        size = 1
        for d in dims:
            size *= d
        dt = "f64" if self.lanes == 1 else "v4f64"  # the vector kernel: a value per lane
        self.entry.append(f"  %arr.{name} = alloca {_LL[dt]}, i64 {max(size, 1)}")
        self.arrays[name] = _Arr(f"%arr.{name}", dt, [str(d) for d in dims])

    def for_range(self, s: ast.For) -> None:
        it = s.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"):
            raise KernelCompileError(f"{self.fn.name}: for only over range()")
        a = [self.conv(self.range_arg(x), "i64") for x in it.args]
        step = 1
        if len(it.args) == 3:
            st = it.args[2]
            step = -int(st.operand.value) if isinstance(st, ast.UnaryOp) else int(st.value)
        if s.target.id == "p":  # the path loop: a lane group per iteration in the vector kernel
            step *= self.lanes
        start, stop = ("0", a[0]) if len(a) == 1 else (a[0], a[1])
        var = self.local(s.target.id, "i64")
        # the end is evaluated once, as Python's range does
        end = self.local(f"_end{self.label('')}", "i64")
        self.emit(f"store i64 {stop}, ptr {end}")
        self.emit(f"store i64 {start}, ptr {var}")
        l_head, l_body, l_else, l_end = self.label("for"), self.label("body"), self.label("forelse"), self.label("endfor")
        self.block(l_head)
        i, e, c = self.tmp(), self.tmp(), self.tmp()
        self.emit(f"{i} = load i64, ptr {var}")
        self.emit(f"{e} = load i64, ptr {end}")
        self.emit(f"{c} = icmp {'slt' if step > 0 else 'sgt'} i64 {i}, {e}")
        self.term(f"br i1 {c}, label %{l_body}, label %{l_else}")
        self.block(l_body)
        self.loops.append(l_end)
        self.stmts(s.body)
        self.loops.pop()
        if not self.terminated:
            i2, n2 = self.tmp(), self.tmp()
            self.emit(f"{i2} = load i64, ptr {var}")
            self.emit(f"{n2} = add i64 {i2}, {step}")
            self.emit(f"store i64 {n2}, ptr {var}")
            self.term(f"br label %{l_head}")
        self.block(l_else)
        self.stmts(s.orelse)
        self.term(f"br label %{l_end}")
        self.block(l_end)

    def range_arg(self, x: ast.expr) -> tuple[str, str]:
        if isinstance(x, ast.Subscript) and isinstance(x.value, ast.Attribute) and x.value.attr == "shape":
            arr = self.arrays[x.value.value.id]
            return arr.dims[int(x.slice.value)], "i64"
        return self.expr(x)

    def text(self) -> str:
        self.stmts(self.fn.body)
        if not self.terminated:
            self.term("ret void" if self.ret == "void" else "ret i1 false")
        return "\n".join([self.header, "entry:", *self.entry, "  br label %start", "start:", *self.out, "}"])


def _is_np_empty(call: ast.Call) -> bool:
    f = call.func
    return isinstance(f, ast.Attribute) and f.attr == "empty" and isinstance(f.value, ast.Name) and f.value.id == "np"


def _as_load(target: ast.expr) -> ast.expr:
    if isinstance(target, ast.Name):
        return ast.Name(target.id, ast.Load())
    return ast.Subscript(target.value, target.slice, ast.Load())


class _Module:
    def __init__(self, source: str) -> None:
        self.tree = ast.parse(source)

    def ir(self) -> str:
        funcs = [n for n in self.tree.body if isinstance(n, ast.FunctionDef) and n.name in SIGNATURES]
        parts = [_DECLS]
        for fn in funcs:
            parts.append(_Function(self, fn).text())
            if fn.name == "kernel":
                try:  # the vector kernel, when every statement has a lane-wise form
                    parts.append(_Function(self, fn, lanes=LANES).text())
                except KernelCompileError:
                    pass
        return "\n\n".join(parts) + "\n"


def kernel_ir(source: str) -> str:
    """The LLVM IR of a kernel module's source."""
    return _Module(source).ir()


def compile_object(source: str, *, opt: int = 2) -> bytes:
    """Compile a kernel module's source to an object file for this machine's CPU."""
    ll = binding()
    mod = ll.parse_assembly(kernel_ir(source))
    mod.verify()
    tm = target_machine(opt)
    pto = ll.create_pipeline_tuning_options(speed_level=opt)
    pb = ll.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)
    return tm.emit_object(mod)


_READY: list[bool] = []


def binding():
    import llvmlite.binding as ll

    if not _READY:
        ll.initialize_native_target()
        ll.initialize_native_asmprinter()
        _READY.append(True)
    return ll


def target_machine(opt: int = 2):
    """A new target machine for the host CPU (its name and features are part of the cache key;
    an execution engine takes ownership of the one it is given, so each gets its own)."""
    ll = binding()
    target = ll.Target.from_default_triple()
    return target.create_target_machine(cpu=ll.get_host_cpu_name(), features=ll.get_host_cpu_features().flatten(),
                                        opt=opt, codemodel="jitdefault")


class LoadedKernel:
    """An object file loaded into this process; calling it runs ``kernel`` with NumPy arrays.

    ``lanes``: paths the vector kernel (``kernel_v4``) runs per group, 1 when the object file
    has none (the model has a statement with no lane-wise form). A call runs the range's
    whole groups on the vector kernel and the remaining paths on the scalar one: every path's
    numbers are the same either way (the same operations on each lane, bit for bit).
    """

    def __init__(self, obj: bytes) -> None:
        import ctypes

        ll = binding()
        self._engine = ll.create_mcjit_compiler(ll.parse_assembly(""), target_machine())
        self._engine.add_object_file(ll.ObjectFileRef.from_data(obj))
        self._engine.finalize_object()
        params, _ = SIGNATURES["kernel"]
        argtypes = []
        for _name, kind in params:
            if "[" in kind:
                nd = int(kind.split("[")[1][:-1])
                argtypes += [ctypes.c_void_p] + [ctypes.c_int64] * nd
            elif kind == "f64":
                argtypes.append(ctypes.c_double)
            elif kind == "b":
                argtypes.append(ctypes.c_bool)
            else:
                argtypes.append(ctypes.c_int64)
        proto = ctypes.CFUNCTYPE(None, *argtypes)  # ctypes releases the GIL during the call
        self._cfn = proto(self._engine.get_function_address("kernel"))
        vec = self._engine.get_function_address(f"kernel_v{LANES}")
        self._vfn = proto(vec) if vec else None
        self.lanes = LANES if vec else 1
        self._params = params

    def __call__(self, *args) -> None:
        import numpy as np

        flat: list = []
        keep = []
        for (name, kind), a in zip(self._params, args, strict=True):
            if kind.startswith("tuple "):
                ptrs = np.array([x.ctypes.data for x in a], dtype=np.uintp)
                keep.append(ptrs)
                flat.append(ptrs.ctypes.data)
                flat.extend(a[0].shape)
            elif "[" in kind:
                if not a.flags.c_contiguous:
                    raise KernelCompileError(f"kernel argument {name} must be C-contiguous")
                flat.append(a.ctypes.data)
                flat.extend(a.shape)
            else:
                flat.append(bool(a) if kind == "b" else (float(a) if kind == "f64" else int(a)))
        p0, p1 = int(args[2]), int(args[3])  # the range of paths (after t0, t1)
        mid = p0 + (p1 - p0) // self.lanes * self.lanes if self._vfn is not None and self.lanes > 1 else p0
        if mid > p0:
            flat[3] = mid
            self._vfn(*flat)
            if args[-1][0] != 0:  # ST: the vector kernel stopped
                return
        if p1 > mid:
            flat[2], flat[3] = mid, p1
            self._cfn(*flat)
