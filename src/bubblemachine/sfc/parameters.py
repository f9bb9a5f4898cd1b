"""Parameters as records, and the one validator of overrides.

In a model file a parameter or exogenous input is a plain number (textbook models) or a
record::

    [parameters]
    vt_target = { value = 0.10, unit = "1/yr", range = [0.05, 0.18], mechanism = "M6.1",
                  source = "Harvey et al. 2018: 10%; S&P Risk Control 5-18% (FA-2)",
                  doc = "annualised volatility target of vol-control funds" }

    [exogenous]
    shutdown = { value = 0, unit = "0/1", range = [0, 1], mechanism = "M1.2", doc = "..." }

The loader turns every input into a frozen :class:`Parameter` (``model.parameter_info``);
the engine keeps reading plain numbers from ``model.parameters`` / ``model.exogenous``. A
record's value must lie in its range (a load error otherwise).

:func:`validate_overrides` is THE check of user-supplied values: ``simulate(set=)``, sweeps'
grids, scenario shocks (with :func:`validate_distribution` for uncertain draws), ``scenario
compare --set``, ``explain --set``, and later the forecast and the web app all call it. It
raises :class:`~bubblemachine.errors.ParameterError` naming the name, the value, the range and
the file and line that declare it, with "did you mean" for an unknown name.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bubblemachine.errors import ModelError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.sfc.distributions import Distribution
    from bubblemachine.sfc.model import Model

Kind = Literal["parameter", "exogenous"]
Value = float | tuple[float, ...]

#: Keys a record may hold (``path`` only for exogenous inputs).
RECORD_KEYS = ("value", "unit", "range", "source", "mechanism", "doc")
#: A catalogue id (MECHANISMS.md): mechanism M, claim C or fact F, e.g. ``M6.1``.
CATALOGUE_ID = re.compile(r"^[MCF]\d+\.\d+$")
#: Quantiles an unbounded ``[uncertain]`` distribution must keep inside the range.
TAIL = 0.005


@dataclass(frozen=True)
class Parameter:
    """One parameter or exogenous input with its metadata.

    Attributes:
        name: the name in the model.
        kind: ``parameter`` or ``exogenous``.
        value: the default (a number; a tuple for an exogenous path).
        unit: unit of the value (``""`` when not given), e.g. ``USD bn/day``, ``share``.
        range: ``(low, high)``, inclusive, the values the model accepts (None: any finite value).
        source: where the default comes from.
        mechanism: catalogue ids (``M6.1``) or the model's attribution group ids it belongs to.
        doc: one line saying what it is.
        file: the file that declares it.
        line: the line of the declaration (0 when unknown).
    """

    name: str
    kind: Kind
    value: Value
    unit: str = ""
    range: tuple[float, float] | None = None
    source: str = ""
    mechanism: tuple[str, ...] = ()
    doc: str = ""
    file: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        """``<model dir>/<file>:<line>`` of the declaration (short, for messages)."""
        p = Path(self.file)
        short = f"{p.parent.name}/{p.name}" if p.parent.name else p.name
        return f"{short}:{self.line}" if self.line else short

    def range_text(self) -> str:
        """``low..high`` (``-`` when there is no range)."""
        if self.range is None:
            return "-"
        return f"{_g(self.range[0])}..{_g(self.range[1])}"

    def contains(self, x: float) -> bool:
        return self.range is None or self.range[0] <= x <= self.range[1]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (ranges as ``[low, high]`` or None; paths as lists)."""
        return {
            "name": self.name, "kind": self.kind,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "unit": self.unit, "range": list(self.range) if self.range is not None else None,
            "source": self.source, "mechanism": list(self.mechanism), "doc": self.doc,
            "defined_at": self.where,
        }


def _g(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"


# --------------------------------------------------------------------------- parsing


def parse_record(val: Any, *, name: str, kind: Kind, where: str, file: str, line: int,
                 number) -> tuple[Value, Parameter]:
    """Validate one ``[parameters]`` / ``[exogenous]`` entry: a number or a record.

    Args:
        val: the TOML value.
        name, kind: the input and its table.
        where: ``file:line: table.key`` for messages.
        file, line: the declaration's position (kept on the record).
        number: the loader's number check ``number(value) -> float`` (raises ModelError).

    Returns:
        (the engine's value, the :class:`Parameter`).
    """
    if not isinstance(val, dict):
        v = number(val)
        return v, Parameter(name, kind, v, file=file, line=line)
    allowed = {*RECORD_KEYS, "path"} if kind == "exogenous" else set(RECORD_KEYS)
    bad = set(val) - allowed
    if bad:
        raise ModelError(f"{where}: unknown key(s) {sorted(bad)} (allowed: {', '.join(sorted(allowed))})")
    if kind == "exogenous":
        if ("path" in val) == ("value" in val):
            raise ModelError(f"{where}: expected a number, {{ value = ... }} or {{ path = [...] }}, got {val!r}")
    elif "value" not in val:
        raise ModelError(f"{where}: a record needs value = ..., got {val!r}")
    if "path" in val:
        path = val["path"]
        if not isinstance(path, list) or not path:
            raise ModelError(f"{where}: path must be a non-empty list of numbers")
        value: Value = tuple(number(v) for v in path)
    else:
        value = number(val["value"])
    text = {}
    for key in ("unit", "source", "doc"):
        t = val.get(key, "")
        if not isinstance(t, str):
            raise ModelError(f"{where}: {key} must be a string, got {t!r}")
        text[key] = " ".join(t.split())
    rng = _parse_range(val.get("range"), where)
    mech = val.get("mechanism", ())
    if isinstance(mech, str):
        mech = [m.strip() for m in mech.split(",") if m.strip()]
    if not isinstance(mech, (list, tuple)) or not all(isinstance(m, str) and m for m in mech):
        raise ModelError(f"{where}: mechanism must be an id such as \"M6.1\" or a list of ids, got {val.get('mechanism')!r}")
    info = Parameter(name, kind, value, unit=text["unit"], range=rng, source=text["source"],
                     mechanism=tuple(mech), doc=text["doc"], file=file, line=line)
    for x in (value if isinstance(value, tuple) else (value,)):
        if not info.contains(x):
            raise ModelError(f"{where}: value {_g(x)} is outside its range {info.range_text()}")
    return value, info


def _parse_range(raw: Any, where: str) -> tuple[float, float] | None:
    if raw is None:
        return None
    if (not isinstance(raw, list) or len(raw) != 2
            or any(isinstance(x, bool) or not isinstance(x, (int, float)) or math.isnan(x) for x in raw)):
        raise ModelError(f"{where}: range must be [low, high] (two numbers; inf allowed), got {raw!r}")
    low, high = float(raw[0]), float(raw[1])
    if low > high:
        raise ModelError(f"{where}: range [{_g(low)}, {_g(high)}] has low > high")
    return low, high


def check_mechanisms(info: Mapping[str, Parameter], groups: Iterable[str]) -> None:
    """Every mechanism id is a catalogue id (``M6.1``) or one of the model's attribution groups."""
    gids = set(groups)
    for p in info.values():
        for m in p.mechanism:
            if not CATALOGUE_ID.match(m) and m not in gids:
                also = f" or an attribution group ({', '.join(sorted(gids))})" if gids else ""
                raise ModelError(f"{p.where}: {p.kind}s.{p.name}: mechanism {m!r} is not a catalogue id "
                                 f"such as \"M6.1\" (MECHANISMS.md){also}")


# --------------------------------------------------------------------------- validation


def parse_assignments(items: Iterable[str] | None, *, origin: str = "--set") -> dict[str, Value]:
    """Parse ``name=value`` strings (``--set``, URL query values) into ``{name: value}``.

    ``value`` is a number, or ``[v1, v2, ...]`` for a path over periods. Only the syntax is
    checked here; names and ranges are :func:`validate_overrides`' job.

    Raises:
        ParameterError: naming the item when it is not ``name=number``.
    """
    out: dict[str, Value] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise ParameterError(f"{origin} {item!r}: expected name=value or name=[v1,v2,...]", name=name, value=item,
                                 origin=origin)
        if name in out:
            raise ParameterError(f"{origin} {name}: given twice ({item!r})", name=name, value=value, origin=origin)

        def bad(why: str, item: str = item, name: str = name, value: str = value) -> ParameterError:
            return ParameterError(f"{origin} {item!r}: {why}", name=name, value=value, origin=origin)

        if value.startswith("[") or value.endswith("]"):
            if not (value.startswith("[") and value.endswith("]")):
                raise bad("unclosed list (a list is [v1,v2,...])")
            parts = value[1:-1].split(",")
            if not value[1:-1].strip():
                raise bad("the list is empty")
            if any(not x.strip() for x in parts):
                raise bad("the list has an empty item")
            out[name] = tuple(_number(x, bad) for x in parts)
        else:
            out[name] = _number(value, bad)
    return out


def _number(text: str, bad) -> float:
    try:
        v = float(text)
    except ValueError:
        raise bad(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(v):  # named with the text as typed (1e400, not inf)
        raise bad(f"{text.strip()!r} is not a finite number")
    return v


def _at(origin: str, name: Any) -> str:
    """``origin name`` (``origin`` ending in a dot joins: ``uncertain.alpha1``)."""
    return f"{origin}{name}" if origin.endswith(".") else f"{origin} {name}"


def _is_number(x: Any) -> bool:
    import numpy as np

    return isinstance(x, (int, float, np.number)) and not isinstance(x, (bool, np.bool_))


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except OverflowError:  # an integer too large for a float
        return False


def _unknown(model: Model, name: Any, origin: str, value: Any) -> ParameterError:
    inputs = list(model.inputs)
    if isinstance(name, str) and name in model.equations:
        why = f"{name!r} is an endogenous variable of model {model.name} (only parameters and exogenous inputs can be set)"
        close: list[str] = []
    elif isinstance(name, str) and name in model.random:
        why = f"{name!r} is a random variable of model {model.name} (only parameters and exogenous inputs can be set)"
        close = []
    else:
        close = difflib.get_close_matches(str(name), inputs, n=3, cutoff=0.6)
        if not close:
            low = str(name).lower()
            close = [n for n in inputs if n.lower() == low]
        why = f"unknown name {name!r}: not a parameter or exogenous input of model {model.name}"
        if close:
            why += " (did you mean " + " or ".join(repr(c) for c in close) + "?)"
    return ParameterError(f"{_at(origin, name)}: {why}", name=str(name), value=value, origin=origin,
                          suggestions=tuple(close))


def _out_of_range(p: Parameter, x: float, origin: str, shown: str | None = None) -> ParameterError:
    what = f" ({p.doc})" if p.doc else ""
    unit = f" {p.unit}" if p.unit and p.unit not in ("share", "dimensionless") else ""
    return ParameterError(
        f"{_at(origin, p.name)}={shown if shown is not None else _g(x)}: outside the range {p.range_text()}{unit} of "
        f"{p.name}{what}, declared at {p.where}",
        name=p.name, value=x, range=p.range, origin=origin, defined_at=p.where,
    )


def validate_value(model: Model, name: str, value: Any, *, origin: str = "--set") -> Value:
    """Check one override of ``name``: a finite number, or a non-empty list of them (a path).

    Returns:
        The value as a float, or a tuple of floats for a path.

    Raises:
        ParameterError: unknown name (with "did you mean"), not a number, or outside the range.
    """
    import numpy as np

    if name not in model.parameters and name not in model.exogenous:
        raise _unknown(model, name, origin, value)
    if isinstance(value, (list, tuple, np.ndarray)):
        vals = list(np.asarray(value).ravel()) if isinstance(value, np.ndarray) else list(value)
        is_path = True
    else:
        vals, is_path = [value], False
    if not vals or not all(_is_number(x) and _finite(x) for x in vals):
        raise ParameterError(f"{_at(origin, name)}: expected a finite number or a non-empty list of finite numbers, "
                             f"got {value!r}", name=name, value=value, origin=origin)
    floats = [float(x) for x in vals]
    info = model.parameter_info.get(name)
    if info is not None and info.range is not None:
        for x in floats:
            if not info.contains(x):
                raise _out_of_range(info, x, origin)
    return tuple(floats) if is_path else floats[0]


def validate_overrides(model: Model, overrides: Mapping[str, Any] | None, *, origin: str = "--set",
                       alternatives: bool = False) -> dict[str, Value]:
    """THE check of user-supplied parameter values, for every entry point.

    Args:
        model: the model whose names and ranges apply.
        overrides: ``{name: value}``; a value is a number, or a list of numbers: a path over
            periods (``simulate(set=)``), or, with ``alternatives=True``, the values of a sweep
            (``grid``), each checked on its own.
        origin: how the user gave them, for messages (``--set``, ``grid``,
            ``scen.toml shock #2 set``).
        alternatives: lists are alternative values (a grid), not paths.

    Returns:
        ``{name: float | tuple[float, ...]}`` (for alternatives, ``{name: tuple}``).

    Raises:
        ParameterError: an unknown name ("did you mean ..."), a value that is not a finite
            number, or one outside the declared range; the message names the name, the value,
            the range and the file and line that declare it.
    """
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise ParameterError(f"{origin}: expected a mapping {{name: value}}, got {type(overrides).__name__}",
                             name="", value=overrides, origin=origin)
    out: dict[str, Value] = {}
    for name, value in overrides.items():
        if alternatives and isinstance(value, (list, tuple)):
            if not value:
                raise ParameterError(f"{_at(origin, name)}: no values", name=str(name), value=value, origin=origin)
            out[name] = tuple(float(validate_value(model, name, v, origin=origin)) if not isinstance(v, (list, tuple))
                              else _no_nested(name, v, origin) for v in value)
        else:
            out[name] = validate_value(model, name, value, origin=origin)
    return out


def _no_nested(name: str, v: Any, origin: str):
    raise ParameterError(f"{_at(origin, name)}: expected a number per grid point, got {v!r}", name=name, value=v, origin=origin)


def distribution_support(d: Distribution) -> tuple[float, float, str]:
    """(low, high, what) of a distribution: its bounds, or its 0.5% and 99.5% quantiles."""
    return d.support()


def validate_distribution(model: Model, name: str, d: Distribution, *, origin: str) -> None:
    """An ``[uncertain]`` draw of ``name`` must stay in its range.

    Bounded distributions (uniform, triangular) must lie inside the range; unbounded ones
    (normal, lognormal, Student-t) must keep their central 99% (the 0.5% and 99.5% quantiles)
    inside it.
    """
    if name not in model.parameters and name not in model.exogenous:
        raise _unknown(model, name, origin, None)
    info = model.parameter_info.get(name)
    if info is None or info.range is None:
        return
    low, high, what = distribution_support(d)
    for x in (low, high):
        if not info.contains(x):
            args = ", ".join(f"{k}={_g(v)}" for k, v in d.args)
            raise _out_of_range(info, x, origin, shown=f"{d.dist}({args}) with {what} {_g(low)}..{_g(high)}")


# --------------------------------------------------------------------------- listing


def _mechanism_key(p: Parameter, groups: tuple[str, ...]) -> tuple:
    """Catalogue ids first (M, then C, then F; numerically), then attribution groups in the
    model's order, then inputs without a mechanism."""
    if not p.mechanism:
        return (3, 0, 0, 0)
    m = p.mechanism[0]
    if CATALOGUE_ID.match(m):
        major, minor = m[1:].split(".")
        return (0, "MCF".index(m[0]), int(major), int(minor))
    return (1, groups.index(m) if m in groups else len(groups), 0, 0)


def list_parameters(model: Model, *, search: str | None = None) -> list[Parameter]:
    """The model's parameters and exogenous inputs, grouped by mechanism, optionally filtered.

    Args:
        model: a loaded model.
        search: words that must all occur (case-insensitive) in a parameter's name, doc,
            source, unit, mechanism or kind; None lists every input.

    Returns:
        The records, ordered by their first mechanism (catalogue ids numerically, then the
        model's attribution groups, then inputs without one) and by declaration within it.
    """
    groups = model.attribution.group_ids
    rows = list(model.parameter_info.values())
    if search:
        words = search.lower().split()
        rows = [p for p in rows
                if all(w in " ".join((p.name, p.doc, p.source, p.unit, " ".join(p.mechanism), p.kind)).lower()
                       for w in words)]
    order = {n: i for i, n in enumerate(model.parameter_info)}
    return sorted(rows, key=lambda p: (_mechanism_key(p, groups), order[p.name]))
