"""Model files: load a TOML model (one file or a directory of files) into a validated :class:`Model`.

See ``docs/model-language.md`` for the language. Every error raised here is a
:class:`~bubblemachine.errors.ModelError` naming the file, the table, the key and, for
expressions, the column.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import keyword
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bubblemachine.errors import LanguageLimitError, ModelError
from bubblemachine.sfc import attribution as A
from bubblemachine.sfc import expr as E
from bubblemachine.sfc import parameters as P
from bubblemachine.sfc.attribution import Attribution
from bubblemachine.sfc.distributions import DISTRIBUTIONS, Distribution, parse_distribution  # noqa: F401 - re-exported
from bubblemachine.sfc.parameters import Parameter
from bubblemachine.sfc.values import is_finite_number, short  # noqa: F401 - re-exported

_TABLES = {"model", "equations", "parameters", "exogenous", "initial", "hidden", "random", "matrices", "attribution"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # used with fullmatch: no "$" that accepts "x\n"


@dataclass(frozen=True)
class Source:
    """Where an item was defined: file, TOML table, key and line (1-based; 0 when unknown)."""

    file: str
    table: str
    key: str
    line: int = 0

    def where(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else self.file
        return f"{loc}: {self.table}.{self.key}"


@dataclass(frozen=True)
class Equation:
    name: str
    text: str
    doc: str
    source: Source

    @functools.cached_property
    def tree(self) -> ast.expr:
        return E.parse(self.text)


#: Upper bounds of ``[model] defaults`` (a default must be a sane run on a laptop).
_DEFAULT_LIMITS = {"periods": 100_000, "paths": 1_000_000, "seed": 2**63 - 1}


def _run_defaults(raw: Any, file: str) -> RunDefaults:
    """Validate ``[model] defaults = { periods = N, paths = N, seed = N }``."""
    if raw is None:
        return RunDefaults()
    if not isinstance(raw, dict):
        raise ModelError(f"{file} model.defaults: expected a table {{ periods = ..., paths = ..., seed = ... }}, got {raw!r}")
    unknown = set(raw) - set(_DEFAULT_LIMITS)
    if unknown:
        raise ModelError(f"{file} model.defaults: unknown key(s) {sorted(unknown)}; expected periods, paths, seed")
    out: dict[str, int] = {}
    for key, value in raw.items():
        low = 0 if key == "seed" else 1
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= _DEFAULT_LIMITS[key]:
            raise ModelError(
                f"{file} model.defaults.{key}: expected an integer in {low}..{_DEFAULT_LIMITS[key]:,}, got {value!r}"
            )
        out[key] = value
    return RunDefaults(**out)


@dataclass(frozen=True)
class Matrix:
    """A balance-sheet or transactions-flow matrix: rows of sector -> expression."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[tuple[str, str], ...], str | None, Source], ...]
    columns_sum_to_zero: bool = True
    rtol: float = 1e-9
    atol: float = 1e-9


@dataclass(frozen=True)
class RunDefaults:
    """A model's default run settings (``[model] defaults = {periods, paths, seed}``).

    Every entry point (``simulate``, ``scenario compare``, ``explain``, ``forecast``, the
    report and the web app) falls back to these when the user gives no value, so a model has
    one set of defaults everywhere. ``None`` means the engine's own default (100 periods,
    1 path, fresh entropy for the seed).
    """

    periods: int | None = None
    paths: int | None = None
    seed: int | None = None


@dataclass
class Model:
    """A parsed, validated model (pure data: picklable; compile it with :func:`~bubblemachine.sfc.compile_model`)."""

    name: str
    description: str
    path: str
    equations: dict[str, Equation]
    parameters: dict[str, float]
    exogenous: dict[str, float | tuple[float, ...]]
    initial: dict[str, float]
    hidden: dict[str, tuple[str, Source]]
    random: dict[str, Distribution]
    matrices: dict[str, Matrix]
    calendar: dict[str, str] | None = None
    docs: dict[str, str] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    digest: str = ""
    run_defaults: RunDefaults = field(default_factory=RunDefaults)
    #: mechanism groups and attributed series (``[attribution]``; empty when the model has none)
    attribution: Attribution = field(default_factory=Attribution)
    #: every parameter and exogenous input as a record (value, unit, range, source, mechanism)
    parameter_info: dict[str, Parameter] = field(default_factory=dict)

    @property
    def variables(self) -> list[str]:
        return list(self.equations)

    @property
    def inputs(self) -> list[str]:
        """Parameters then exogenous names (the values a scenario may set)."""
        return [*self.parameters, *self.exogenous]

    def kind(self, name: str) -> str:
        if name in self.equations:
            return "endogenous"
        if name in self.parameters:
            return "parameter"
        if name in self.exogenous:
            return "exogenous"
        if name in self.random:
            return "random"
        raise KeyError(name)

    def describe(self, name: str | None = None) -> str:
        """A plain-text description of the model, or of one name.

        With ``name``: its kind, equation or value, doc string and where it is defined; for a
        parameter or exogenous input also its unit, range, mechanism and source. Without: the
        model's name, size, attribution groups and every parameter and exogenous input with
        value, unit, range and mechanism (the source of each is in ``describe(name)`` and in
        ``bubblemachine models params``).
        """
        if name is None:
            return _describe_model(self)
        if name not in self.sources:
            import difflib

            close = difflib.get_close_matches(name, list(self.sources), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ModelError(f"model {self.name}: unknown name {name!r}{hint}")
        kind = self.kind(name)
        src = self.sources[name]
        if kind == "endogenous":
            body = f"{name} = {self.equations[name].text}"
        elif kind == "parameter":
            body = f"{name} = {self.parameters[name]!r}"
        elif kind == "exogenous":
            body = f"{name} = {self.exogenous[name]!r}"
        else:
            d = self.random[name]
            body = f"{name} ~ {d.dist}({', '.join(f'{k}={v}' for k, v in d.args)})"
        doc = self.docs.get(name, "")
        out = f"{kind}: {body}" + (f"\n  {doc}" if doc else "")
        info = self.parameter_info.get(name)
        if info is not None:
            for label, text in (("unit", info.unit), ("range", info.range_text() if info.range else ""),
                                ("mechanism", ", ".join(info.mechanism)), ("source", info.source)):
                if text:
                    out += f"\n  {label}: {text}"
        return out + f"\n  defined at {src.where()}"


def _describe_model(m: Model) -> str:
    """The text of ``Model.describe()`` (no name)."""
    lines = [f"{m.name}: {m.description}" if m.description else m.name,
             f"{len(m.equations)} equations, {len(m.parameters)} parameters, {len(m.exogenous)} exogenous inputs, "
             f"{len(m.random)} random variables, {len(m.hidden)} hidden identities, {len(m.matrices)} matrices"]
    if m.attribution:
        lines.append(f"attribution: {len(m.attribution.series)} series over {len(m.attribution.groups)} groups: "
                     + ", ".join(f"{g.id} ({g.en})" for g in m.attribution.groups))
    rows = []
    for info in m.parameter_info.values():
        v = info.value
        val = (f"path[{len(v)}]" if isinstance(v, tuple) else f"{v:g}")
        rows.append((info.name, val, info.unit or "-", info.range_text(), ",".join(info.mechanism) or "-"))
    if rows:
        head = ("name", "value", "unit", "range", "mechanism")
        widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines += ["", "parameters and exogenous inputs:", fmt.format(*head).rstrip()]
        lines += [fmt.format(*r).rstrip() for r in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------- loading


def resolve_model_path(name_or_path: str | Path) -> Path:
    """A path to a model file or directory, or the name of a shipped model (case-insensitive)."""
    p = Path(name_or_path)
    if p.exists():
        return p
    from bubblemachine.paths import package_dir

    shipped = package_dir() / "models"
    name = str(name_or_path)
    if shipped.is_dir() and "/" not in name and not name.endswith(".toml"):
        for cand in sorted(shipped.iterdir()):
            stem = cand.stem if cand.suffix == ".toml" else cand.name
            if stem.lower() == name.lower() and (cand.suffix == ".toml" or cand.is_dir()):
                return cand
    available = ", ".join(m["name"] for m in list_shipped_models()) or "none"
    raise ModelError(f"model {name!r}: no such file or directory, and no shipped model of that name (shipped: {available})")


def list_shipped_models() -> list[dict[str, str]]:
    """Name, description and path of every model shipped in ``bubblemachine/models``."""
    from bubblemachine.paths import package_dir

    shipped = package_dir() / "models"
    out = []
    if not shipped.is_dir():
        return out
    for cand in sorted(shipped.iterdir()):
        if cand.name.startswith((".", "_")):
            continue
        head = cand / "model.toml" if cand.is_dir() else cand
        if not head.is_file() or head.suffix != ".toml":
            continue
        try:
            with open(head, "rb") as fh:
                meta = tomllib.load(fh).get("model", {})
        except (OSError, tomllib.TOMLDecodeError):
            meta = {}
        out.append({
            "name": cand.stem if cand.is_file() else cand.name,
            "description": str(meta.get("description", "")),
            "path": str(cand),
        })
    return out


def load_model(path: str | Path) -> Model:
    """Load a model from a TOML file, a directory of TOML files, or a shipped model's name.

    Args:
        path: a ``.toml`` file; a directory (every ``*.toml`` in it, ``model.toml`` holding the
            ``[model]`` table); or the name of a model shipped in ``bubblemachine/models``.

    Raises:
        ModelError: naming file, table, key (and line/column) of the first problem found.
    """
    p = resolve_model_path(path)
    if p.is_dir():
        files = sorted(p.glob("*.toml"))
        if not files:
            raise ModelError(f"{p}: directory holds no *.toml model files")
        if not (p / "model.toml").is_file():
            raise ModelError(f"{p}: a model directory needs a model.toml holding the model table")
        files.sort(key=lambda f: (f.name != "model.toml", f.name))
    else:
        files = [p]
    b = _Builder(str(p))
    for f in files:
        b.add_file(f)
    return b.finish()


def loads_model(text: str, filename: str = "<string>") -> Model:
    """Load a model from TOML text (for tests and notebooks)."""
    b = _Builder(filename)
    b.add_text(text, filename)
    return b.finish()


_KEY = re.compile(r'^\s*(?:"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_\-]+))\s*=')


def _line_index(text: str) -> dict[tuple[str, str], int]:
    """Best-effort map (table, key) -> 1-based line of every ``key = ...`` in a TOML text."""
    current = ""
    out: dict[tuple[str, str], int] = {}
    for i, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if s.startswith("[") and not s.startswith("[["):
            current = s.strip("[] ").split("]")[0].strip()
            continue
        m = _KEY.match(line)
        if m:
            out.setdefault((current, m.group(1) or m.group(2) or m.group(3)), i)
    return out


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.meta: dict[str, Any] | None = None
        self.meta_file = ""
        self.equations: dict[str, Equation] = {}
        self.parameters: dict[str, float] = {}
        self.exogenous: dict[str, Any] = {}
        self.parameter_info: dict[str, Parameter] = {}
        self.initial: dict[str, float] = {}
        self.initial_src: dict[str, Source] = {}
        self.hidden: dict[str, tuple[str, Source]] = {}
        self.random: dict[str, Distribution] = {}
        self.matrices: dict[str, dict[str, Any]] = {}
        self.docs: dict[str, str] = {}
        self.sources: dict[str, Source] = {}
        self.texts: list[bytes] = []
        self.attr_raw = A.RawAttribution()
        self.attribution = Attribution()

    def add_file(self, f: Path) -> None:
        try:
            raw = f.read_bytes()
        except OSError as exc:
            raise ModelError(f"{f}: cannot read: {exc.strerror}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ModelError(f"{f}: not UTF-8 text") from None
        self.add_text(text, str(f))

    def add_text(self, text: str, fname: str) -> None:
        # the digest covers file names and contents, not where the files live, so the same
        # model has the same digest on every machine (caches keyed by it stay valid)
        self.texts.append(Path(fname).name.encode() + b"\0" + text.encode())
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc)
            hint = " (a name defined twice in one table?)" if "overwrite" in msg or "redefine" in msg.lower() else ""
            raise ModelError(f"{fname}: invalid TOML: {msg}{hint}") from None
        unknown = set(data) - _TABLES
        if unknown:
            raise ModelError(f"{fname}: unknown table(s) {sorted(unknown)} (allowed: {', '.join(sorted(_TABLES))})")
        index = _line_index(text)
        line = lambda table, key: index.get((table, key), 0)  # noqa: E731
        if "model" in data:
            if self.meta is not None:
                raise ModelError(f"{fname}: model.defined again (first in {self.meta_file})")
            self.meta = data["model"]
            self.meta_file = fname
            if not isinstance(self.meta, dict):
                raise ModelError(f"{fname}: the model table must be a table")
        for key, val in _table(data, "equations", fname).items():
            src = Source(fname, "equations", key, line("equations", key))
            self._define(key, src)
            doc = ""
            if isinstance(val, dict):
                bad = set(val) - {"eq", "doc"}
                if "eq" not in val or bad:
                    raise ModelError(f"{src.where()}: expected a string or {{ eq = \"...\", doc = \"...\" }}, got {val!r}")
                doc = str(val.get("doc", ""))
                val = val["eq"]
            if not isinstance(val, str):
                raise ModelError(f"{src.where()}: expected an expression string, got {val!r}")
            try:
                E.parse(val)
            except E.ExprError as exc:
                raise _expr_error(src, val, exc) from None
            self.equations[key] = Equation(key, val.strip(), doc, src)
            if doc:
                self.docs[key] = doc
        for table in ("parameters", "exogenous"):
            for key, val in _table(data, table, fname).items():
                src = Source(fname, table, key, line(table, key))
                self._define(key, src)
                value, info = P.parse_record(val, name=key, kind="parameter" if table == "parameters" else "exogenous",
                                             where=src.where(), file=fname, line=src.line,
                                             number=lambda v, src=src: _number(v, src))
                if table == "parameters":
                    self.parameters[key] = value
                else:
                    self.exogenous[key] = value
                self.parameter_info[key] = info
                if info.doc:
                    self.docs[key] = info.doc
        for key, val in _table(data, "initial", fname).items():
            src = Source(fname, "initial", key, line("initial", key))
            if key in self.initial:
                raise ModelError(f"{src.where()}: initial value defined twice (also {self.initial_src[key].where()})")
            self.initial[key] = _number(val, src)
            self.initial_src[key] = src
        for key, val in _table(data, "hidden", fname).items():
            src = Source(fname, "hidden", key, line("hidden", key))
            if key in self.hidden:
                raise ModelError(f"{src.where()}: hidden identity defined twice (also {self.hidden[key][1].where()})")
            if not isinstance(val, str):
                raise ModelError(f"{src.where()}: expected an expression string, got {val!r}")
            try:
                E.parse(key)
                E.parse(val)
            except E.ExprError as exc:
                raise _expr_error(src, val, exc) from None
            self.hidden[key] = (val, src)
        for key, val in _table(data, "random", fname).items():
            src = Source(fname, "random", key, line("random", key))
            self._define(key, src)
            self.random[key] = parse_distribution(val, src.where())
            if isinstance(val, dict) and val.get("doc"):
                self.docs[key] = str(val["doc"])
        for mname, spec in _table(data, "matrices", fname).items():
            self._add_matrix(mname, spec, fname, index)
        if "attribution" in data:
            A.collect(self.attr_raw, data["attribution"], fname, index, text)

    def _expand_attribution(self) -> None:
        """Turn ``[attribution]`` into ``contrib_*`` equations, series equations and hidden identities."""
        exp = A.expand(self.attr_raw, equations=self.equations, initial=self.initial, defined=self.sources,
                       parse=E.parse)
        for name, text, table, key, (fname, line) in exp.equations:
            src = Source(fname, table, key, line)
            self._define(name, src)
            self.equations[name] = Equation(name, text, "", src)
        for left, right, table, (fname, line) in exp.hidden:
            src = Source(fname, table, "change", line)
            if left in self.hidden:
                raise ModelError(f"{src.where()}: the attribution identity {left!r} is also written by hand in "
                                 f"{self.hidden[left][1].where()}; remove the hand-written one")
            self.hidden[left] = (right, src)
        self.attribution = exp.attribution

    def _define(self, key: str, src: Source) -> None:
        if not isinstance(key, str) or not _NAME.fullmatch(key):
            raise ModelError(f"{src.where()}: invalid name {key!r} (letters, digits, '_', starting with a letter)")
        if key in E.RESERVED or keyword.iskeyword(key):
            raise ModelError(f"{src.where()}: {key!r} is a reserved word or function name")
        prev = self.sources.get(key)
        if prev is not None:
            raise ModelError(f"{src.where()}: {key!r} is defined twice (also in {prev.where()})")
        self.sources[key] = src

    def _add_matrix(self, mname: str, spec: Any, fname: str, index: dict[tuple[str, str], int]) -> None:
        where = f"{fname} matrices.{mname}"
        if not isinstance(spec, dict):
            raise ModelError(f"{where}: expected a table with columns and rows")
        bad = set(spec) - {"columns", "rows", "columns_sum_to_zero", "rtol", "atol", "doc"}
        if bad:
            raise ModelError(f"{where}: unknown key(s) {sorted(bad)}")
        m = self.matrices.setdefault(mname, {"columns": [], "rows": {}, "opts": {}, "files": []})
        m["files"].append(fname)
        cols = spec.get("columns", [])
        if not isinstance(cols, list) or not all(isinstance(c, str) for c in cols):
            raise ModelError(f"{where}: columns must be a list of sector names")
        for c in cols:
            if c not in m["columns"]:
                m["columns"].append(c)
        for opt in ("columns_sum_to_zero", "rtol", "atol"):
            if opt in spec:
                if opt in m["opts"] and m["opts"][opt][0] != spec[opt]:
                    raise ModelError(f"{where}: {opt} = {spec[opt]!r} conflicts with {m['opts'][opt][0]!r} in {m['opts'][opt][1]}")
                m["opts"][opt] = (spec[opt], fname)
        rows = spec.get("rows", {})
        if not isinstance(rows, dict):
            raise ModelError(f"{where}: rows must be a table of row name -> {{ Sector = \"expr\" }}")
        for rname, cells in rows.items():
            src = Source(fname, f"matrices.{mname}.rows", rname, index.get((f"matrices.{mname}.rows", rname), 0))
            if rname in m["rows"]:
                raise ModelError(f"{src.where()}: row defined twice (also in {m['rows'][rname][2].where()})")
            if not isinstance(cells, dict):
                raise ModelError(f"{src.where()}: expected {{ Sector = \"expression\", ... }}, got {cells!r}")
            total = None
            entries = []
            for col, ex in cells.items():
                if not isinstance(ex, str):
                    ex = str(_number(ex, src)) if not isinstance(ex, bool) else ex
                if not isinstance(ex, str):
                    raise ModelError(f"{src.where()}: cell {col!r} must be an expression string")
                try:
                    E.parse(ex)
                except E.ExprError as exc:
                    raise _expr_error(Source(fname, src.table, f"{rname}.{col}", src.line), ex, exc) from None
                if col == "_total":
                    total = ex
                else:
                    entries.append((col, ex))
            m["rows"][rname] = (tuple(entries), total, src)

    def finish(self) -> Model:
        if self.meta is None:
            raise ModelError(f"{self.path}: missing the model table (with name = \"...\")")
        meta = dict(self.meta)
        name = meta.pop("name", None)
        if not isinstance(name, str) or not name:
            raise ModelError(f"{self.meta_file} model.name: missing or not a string")
        description = str(meta.pop("description", ""))
        calendar = meta.pop("calendar", None)
        run_defaults = _run_defaults(meta.pop("defaults", None), self.meta_file)
        meta.pop("doc", None)
        meta.pop("version", None)
        meta.pop("references", None)
        if meta:
            raise ModelError(f"{self.meta_file} table model: unknown key(s) {sorted(meta)}")
        if calendar is not None:
            if not isinstance(calendar, dict) or "start" not in calendar or set(calendar) - {"start", "freq"}:
                raise ModelError(f"{self.meta_file} model.calendar: expected {{ start = \"YYYY-MM-DD\", freq = \"B\" }}")
            calendar = {"start": str(calendar["start"]), "freq": str(calendar.get("freq", "D"))}
            import sys

            # the frequency needs pandas, slow to import: checked here when it is loaded, else by
            # `check` and when dates are first needed
            check_calendar(calendar, self.meta_file, full="pandas" in sys.modules)
        self._expand_attribution()
        if not self.equations:
            raise ModelError(f"{self.path}: no table equations")
        P.check_mechanisms(self.parameter_info, self.attribution.group_ids)
        defined = set(self.sources)
        for var, src in self.initial_src.items():
            if var not in self.equations:
                what = "is not an endogenous variable" if var in defined else "has no equation"
                raise ModelError(f"{src.where()}: initial value for {var!r}, which {what}")
        # every referenced name must be defined; lags of random draws are not supported
        for eq in self.equations.values():
            self._check_refs(eq.text, eq.source)
        for key, (rhs, src) in self.hidden.items():
            self._check_refs(key, src)
            self._check_refs(rhs, src)
        matrices = {}
        for mname, m in self.matrices.items():
            rows = []
            for rname, (entries, total, src) in m["rows"].items():
                for col, ex in entries:
                    if col not in m["columns"]:
                        raise ModelError(f"{src.where()}: column {col!r} is not in columns {m['columns']} of matrix {mname!r}")
                    self._check_refs(ex, Source(src.file, src.table, f"{rname}.{col}", src.line))
                if total is not None:
                    self._check_refs(total, Source(src.file, src.table, f"{rname}._total", src.line))
                rows.append((rname, entries, total, src))
            opts = {k: v[0] for k, v in m["opts"].items()}
            for k in ("rtol", "atol"):
                if k in opts and (not is_finite_number(opts[k]) or opts[k] < 0):
                    raise ModelError(f"{m['files'][0]} matrices.{mname} {k}: must be a finite number >= 0, got {short(opts[k])}")
            if "columns_sum_to_zero" in opts and not isinstance(opts["columns_sum_to_zero"], bool):
                raise ModelError(f"{m['files'][0]} matrices.{mname} columns_sum_to_zero: must be true or false, got {short(opts['columns_sum_to_zero'])}")
            matrices[mname] = Matrix(
                mname, tuple(m["columns"]), tuple(rows),
                columns_sum_to_zero=bool(opts.get("columns_sum_to_zero", True)),
                rtol=float(opts.get("rtol", 1e-9)), atol=float(opts.get("atol", 1e-9)),
            )
        digest = hashlib.sha256(b"\1".join(self.texts)).hexdigest()
        return Model(
            name=name, description=description, path=self.path, equations=self.equations,
            parameters=self.parameters, exogenous=self.exogenous,
            initial={v: self.initial.get(v, 0.0) for v in self.equations},
            hidden=self.hidden, random=self.random, matrices=matrices, calendar=calendar,
            docs=self.docs, sources=self.sources, digest=digest, run_defaults=run_defaults,
            attribution=self.attribution, parameter_info=self.parameter_info,
        )

    def _check_refs(self, text: str, src: Source) -> None:
        tree = E.parse(text)
        for ref, col in E.refs(tree):
            if ref.name not in self.sources:
                hint = ""
                close = [n for n in self.sources if n.lower() == ref.name.lower()]
                if close:
                    hint = f" (did you mean {close[0]!r}?)"
                raise ModelError(
                    f"{src.where()}: unknown name {ref.name!r} at column {col + 1} of {text!r}: "
                    f"no equation, parameter, exogenous or random variable defines it{hint}"
                )
            if ref.lag > E.MAX_LAG:
                raise LanguageLimitError(
                    f"{src.where()}: {ref.name!r} is used {ref.lag:,} periods back in {short(text, 80)} "
                    f"(counting the lags d() adds), more than the limit of {E.MAX_LAG:,}"
                )
            if ref.lag and ref.name in self.random:
                raise ModelError(
                    f"{src.where()}: lag of random variable {ref.name!r} at column {col + 1} of {text!r} "
                    f"is not supported (define an equation e = {ref.name} and lag e)"
                )


def _table(data: dict, name: str, fname: str) -> dict:
    val = data.get(name, {})
    if not isinstance(val, dict):
        raise ModelError(f"{fname}: table {name} must be a table")
    return val


def check_calendar(calendar: dict[str, str] | None, where: str, *, full: bool = True) -> None:
    """ModelError unless ``calendar`` has an ISO start date and (``full``: checked with pandas)
    a frequency pandas knows (``B``, ``D``, ``W-FRI``, ``MS``, ``QS``, ...)."""
    if calendar is None:
        return
    import datetime

    try:
        datetime.date.fromisoformat(calendar["start"])
    except (ValueError, TypeError):
        raise ModelError(f"{where} model.calendar: start {calendar['start']!r} is not a date YYYY-MM-DD") from None
    if full:
        import pandas as pd

        try:
            pd.date_range(calendar["start"], periods=2, freq=calendar["freq"])
        except (ValueError, TypeError):
            raise ModelError(
                f"{where} model.calendar: freq {calendar['freq']!r} is not a pandas frequency (e.g. B, D, W-FRI, MS, QS)"
            ) from None


def _number(val: Any, src: Source) -> float:
    if isinstance(val, bool) or not isinstance(val, (int, float)):
        raise ModelError(f"{src.where()}: expected a number, got {short(val)}")
    if not is_finite_number(val):
        raise ModelError(f"{src.where()}: value must be a finite number that fits a float, got {short(val)}")
    return float(val)


def _expr_msg(src: Source, text: str, exc: E.ExprError) -> str:
    pos = f" at column {exc.col + 1}" if exc.col is not None else ""
    return f"{src.where()}: {exc}{pos} of {short(text.strip(), 80)}"


def _expr_error(src: Source, text: str, exc: E.ExprError) -> ModelError:
    """The loader's error for an expression: a LanguageLimitError for a limit, else a ModelError."""
    cls = LanguageLimitError if isinstance(exc, LanguageLimitError) else ModelError
    return cls(_expr_msg(src, text, exc))
