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

_LL = {"f64": "double", "i64": "i64", "b": "i1"}
_MATH1 = {"_exp": "llvm.exp.f64", "_log": "llvm.log.f64", "_sqrt": "llvm.sqrt.f64", "_abs": "llvm.fabs.f64",
          "abs": "llvm.fabs.f64", "_tanh": "tanh"}
_DECLS = """declare double @llvm.exp.f64(double)
declare double @llvm.log.f64(double)
declare double @llvm.sqrt.f64(double)
declare double @llvm.fabs.f64(double)
declare double @llvm.pow.f64(double, double)
declare double @tanh(double)
"""


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
    def __init__(self, mod: _Module, fn: ast.FunctionDef) -> None:
        self.mod, self.fn = mod, fn
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
        self.header = f"define {ret} @{fn.name}({', '.join(args)}) {{"

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
    def conv(self, v: tuple[str, str], to: str) -> str:
        reg, ty = v
        if ty == to:
            return reg
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
            t = self.tmp()
            self.emit(f"{t} = load {ll}, ptr {ptr}")
            return t, ll
        if isinstance(n, ast.Attribute) and n.attr == "shape":
            raise KernelCompileError("shape only as x.shape[k]")
        if isinstance(n, ast.BinOp):
            return self.binop(n)
        if isinstance(n, ast.UnaryOp):
            v = self.expr(n.operand)
            if isinstance(n.op, ast.Not):
                b = self.conv(v, "i1")
                t = self.tmp()
                self.emit(f"{t} = xor i1 {b}, true")
                return t, "i1"
            if isinstance(n.op, ast.UAdd):
                return v
            t = self.tmp()
            if v[1] == "double":
                self.emit(f"{t} = fneg double {v[0]}")
                return t, "double"
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
                    t = self.tmp()
                    self.emit(f"{t} = and i1 {acc}, {c}")
                    acc = t
                left = right
            return acc, "i1"
        if isinstance(n, ast.BoolOp):  # operands are pure: no short circuit needed
            op = "and" if isinstance(n.op, ast.And) else "or"
            acc = self.conv(self.expr(n.values[0]), "i1")
            for v in n.values[1:]:
                b = self.conv(self.expr(v), "i1")
                t = self.tmp()
                self.emit(f"{t} = {op} i1 {acc}, {b}")
                acc = t
            return acc, "i1"
        if isinstance(n, ast.IfExp):  # lazy, as Python's (a branch may read outside an array)
            c = self.conv(self.expr(n.test), "i1")
            res = self.local(f"_sel{self.label('')}", "double")
            l_a, l_b, l_end = self.label("ifa"), self.label("ifb"), self.label("ifend")
            self.term(f"br i1 {c}, label %{l_a}, label %{l_b}")
            self.block(l_a)
            self.emit(f"store double {self.conv(self.expr(n.body), 'double')}, ptr {res}")
            self.term(f"br label %{l_end}")
            self.block(l_b)
            self.emit(f"store double {self.conv(self.expr(n.orelse), 'double')}, ptr {res}")
            self.term(f"br label %{l_end}")
            self.block(l_end)
            t = self.tmp()
            self.emit(f"{t} = load double, ptr {res}")
            return t, "double"
        if isinstance(n, ast.Call):
            return self.call(n)
        raise KernelCompileError(f"{self.fn.name}: unsupported expression {ast.dump(n)[:80]}")

    def compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> str:
        a, b = self.expr(left), self.expr(right)
        t = self.tmp()
        if "double" in (a[1], b[1]):
            pred = {ast.Lt: "olt", ast.LtE: "ole", ast.Gt: "ogt", ast.GtE: "oge", ast.Eq: "oeq", ast.NotEq: "une"}[type(op)]
            self.emit(f"{t} = fcmp {pred} double {self.conv(a, 'double')}, {self.conv(b, 'double')}")
        else:
            pred = {ast.Lt: "slt", ast.LtE: "sle", ast.Gt: "sgt", ast.GtE: "sge", ast.Eq: "eq", ast.NotEq: "ne"}[type(op)]
            self.emit(f"{t} = icmp {pred} i64 {self.conv(a, 'i64')}, {self.conv(b, 'i64')}")
        return t

    def binop(self, n: ast.BinOp) -> tuple[str, str]:
        if isinstance(n.op, ast.Pow):
            base = self.conv(self.expr(n.left), "double")
            t = self.tmp()
            if isinstance(n.right, ast.Constant) and float(n.right.value) == 2.0:
                self.emit(f"{t} = fmul double {base}, {base}")  # NumPy squares x ** 2.0 exactly so
            else:
                self.emit(f"{t} = call double @llvm.pow.f64(double {base}, double {self.conv(self.expr(n.right), 'double')})")
            return t, "double"
        a, b = self.expr(n.left), self.expr(n.right)
        if isinstance(n.op, (ast.BitOr, ast.BitAnd)):
            t = self.tmp()
            self.emit(f"{t} = {'or' if isinstance(n.op, ast.BitOr) else 'and'} i1 {self.conv(a, 'i1')}, {self.conv(b, 'i1')}")
            return t, "i1"
        if isinstance(n.op, ast.Div) or "double" in (a[1], b[1]):
            op = {ast.Add: "fadd", ast.Sub: "fsub", ast.Mult: "fmul", ast.Div: "fdiv"}[type(n.op)]
            t = self.tmp()
            self.emit(f"{t} = {op} double {self.conv(a, 'double')}, {self.conv(b, 'double')}")
            return t, "double"
        op = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul"}[type(n.op)]
        t = self.tmp()
        self.emit(f"{t} = {op} i64 {self.conv(a, 'i64')}, {self.conv(b, 'i64')}")
        return t, "i64"

    def call(self, n: ast.Call) -> tuple[str, str]:  # noqa: C901
        f = n.func.id if isinstance(n.func, ast.Name) else None
        args = n.args
        if f in _MATH1:
            x = self.conv(self.expr(args[0]), "double")
            t = self.tmp()
            self.emit(f"{t} = call double @{_MATH1[f]}(double {x})")
            return t, "double"
        if f == "_pow":
            x, y = (self.conv(self.expr(a), "double") for a in args)
            t = self.tmp()
            self.emit(f"{t} = call double @llvm.pow.f64(double {x}, double {y})")
            return t, "double"
        if f in ("min", "max", "_min", "_max"):
            acc = self.conv(self.expr(args[0]), "double")
            pred = "olt" if f.endswith("min") else "ogt"
            for a in args[1:]:  # Python's min(a, b): b if b < a else a
                b = self.conv(self.expr(a), "double")
                c, t = self.tmp(), self.tmp()
                self.emit(f"{c} = fcmp {pred} double {b}, {acc}")
                self.emit(f"{t} = select i1 {c}, double {b}, double {acc}")
                acc = t
            return acc, "double"
        if f == "_clip":
            return self.call(ast.Call(ast.Name("_min"), [ast.Call(ast.Name("_max"), [args[0], args[1]], []), args[2]], []))
        if f == "_where":
            return self.expr(ast.IfExp(args[0], args[1], args[2]))
        if f == "_sign":
            x = self.conv(self.expr(args[0]), "double")
            c1, c2, s1, s2 = self.tmp(), self.tmp(), self.tmp(), self.tmp()
            self.emit(f"{c1} = fcmp ogt double {x}, {fconst(0.0)}")
            self.emit(f"{c2} = fcmp olt double {x}, {fconst(0.0)}")
            self.emit(f"{s1} = select i1 {c2}, double {fconst(-1.0)}, double {fconst(0.0)}")
            self.emit(f"{s2} = select i1 {c1}, double {fconst(1.0)}, double {s1}")
            return s2, "double"
        if f in ("_and", "_or"):
            return self.expr(ast.BoolOp(ast.And() if f == "_and" else ast.Or(), list(args)))
        if f == "_not":
            return self.expr(ast.UnaryOp(ast.Not(), args[0]))
        if f == "bool":
            return self.conv(self.expr(args[0]), "i1"), "i1"
        if f == "_in_lag":
            return self.in_lag(args)
        if f in SIGNATURES:
            return self.call_function(f, args)
        raise KernelCompileError(f"{self.fn.name}: unsupported call {ast.dump(n)[:80]}")

    def call_function(self, f: str, args: list[ast.expr]) -> tuple[str, str]:
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
        res = self.local(f"_inlag{self.label('')}", "double")
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
        self.emit(f"store double {self.load_elem('AV', [jj])}, ptr {res}")
        self.term(f"br label %{l_end}")
        self.block(l_tv)
        self.emit(f"{cp} = icmp sgt i64 {r}, 0")
        self.term(f"br i1 {cp}, label %{l_path}, label %{l_full}")
        self.block(l_path)
        row = self.tmp()
        self.emit(f"{row} = sub i64 {r}, 1")
        self.emit(f"store double {self.load_elem('TP', [row, idx])}, ptr {res}")
        self.term(f"br label %{l_end}")
        self.block(l_full)
        row2 = self.tmp()
        self.emit(f"{row2} = sub i64 -1, {r}")
        self.emit(f"store double {self.load_elem('TF', [row2, idx, p])}, ptr {res}")
        self.term(f"br label %{l_end}")
        self.block(l_end)
        out = self.tmp()
        self.emit(f"{out} = load double, ptr {res}")
        return out, "double"

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

    def load_elem(self, name: str, idx: list[str]) -> str:
        arr = self.arrays[name]
        ll = _LL[arr.dtype]
        flat = self.index(arr, idx)
        p, t = self.tmp(), self.tmp()
        self.emit(f"{p} = getelementptr {ll}, ptr {arr.ptr}, i64 {flat}")
        self.emit(f"{t} = load {ll}, ptr {p}")
        return t

    def element(self, n: ast.Subscript) -> tuple[str, str]:
        """Pointer to an array element and its type: ``A[i, j]`` or ``R[k][i, j]``."""
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
        return p, ll

    # ------------------------------------------------------------------ statements
    def store_local(self, name: str, v: tuple[str, str]) -> None:
        ll = self.locals.get(name, v[1])
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
            else:
                p, ll = self.element(target)
                self.emit(f"store {ll} {self.conv(v, ll)}, ptr {p}")
            return
        if isinstance(s, ast.AugAssign):
            self.stmt(ast.Assign([s.target], ast.BinOp(_as_load(s.target), s.op, s.value)))
            return
        if isinstance(s, ast.If):
            c = self.conv(self.expr(s.test), "i1")
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
        self.entry.append(f"  %arr.{name} = alloca double, i64 {max(size, 1)}")
        self.arrays[name] = _Arr(f"%arr.{name}", "f64", [str(d) for d in dims])

    def for_range(self, s: ast.For) -> None:
        it = s.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"):
            raise KernelCompileError(f"{self.fn.name}: for only over range()")
        a = [self.conv(self.range_arg(x), "i64") for x in it.args]
        step = 1
        if len(it.args) == 3:
            st = it.args[2]
            step = -int(st.operand.value) if isinstance(st, ast.UnaryOp) else int(st.value)
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
    """An object file loaded into this process; ``fn`` calls ``kernel`` with NumPy arrays."""

    def __init__(self, obj: bytes) -> None:
        import ctypes

        ll = binding()
        self._engine = ll.create_mcjit_compiler(ll.parse_assembly(""), target_machine())
        self._engine.add_object_file(ll.ObjectFileRef.from_data(obj))
        self._engine.finalize_object()
        addr = self._engine.get_function_address("kernel")
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
        self._cfn = ctypes.CFUNCTYPE(None, *argtypes)(addr)  # ctypes releases the GIL during the call
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
        self._cfn(*flat)
