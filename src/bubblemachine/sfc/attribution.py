"""Attribution in the model language: the ``[attribution]`` table.

A model declares its mechanism groups once and, for each attributed series, which terms of
the series' change belong to which group::

    [attribution]
    groups = [
      { id = "fiscal", en = "Fiscal", ko = "재정", doc = "TGA, deficits (M1.1-M1.3)" },
      { id = "noise",  en = "Noise",  ko = "잡음" },
    ]

    [attribution.series.spx]
    change = "log"                        # log(spx) - log(spx[-1]) == sum of the groups
    fiscal = "nlb_spx * liq_fiscal"       # one expression per group; a group left out is 0
    noise  = "noise_spx"

    [attribution.series.m7]
    change = "log"
    noise  = "noise_m7"
    others = "beta_m7 * contrib_spx_{group}"   # every group not listed ({group} = its id)

The loader expands this into ordinary equations and hidden identities:

* ``contrib_<series>_<group>`` for every declared group (in declaration order), the listed
  expression, the ``others`` template, or ``"0"``;
* the hidden identity ``log(X) - log(X[-1]) = sum`` (``change = "log"``) or
  ``X - X[-1] = sum`` (``change = "diff"``), checked by the engine every period;
* the series' own equation ``X = X[-1] * exp(sum)`` / ``X = X[-1] + sum`` when
  ``[equations]`` does not define ``X`` (then ``[initial]`` must give its period-0 value).

Python reads the groups, their order and their labels from :class:`Attribution` on the model
(``model.attribution``), never from a list of its own. See ``docs/model-language.md``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bubblemachine.errors import ModelError

Change = Literal["log", "diff"]

#: Keys of a series table that are not group ids.
SERIES_KEYS = ("change", "others", "doc")
#: Languages every group label must be given in.
LANGS = ("en", "ko")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = "{group}"


@dataclass(frozen=True)
class Group:
    """One mechanism group: its id (used in ``contrib_<series>_<id>``), labels and doc."""

    id: str
    en: str
    ko: str
    doc: str = ""

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` (``en`` or ``ko``)."""
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class AttributedSeries:
    """One attributed series: how its change is measured and each group's term.

    Attributes:
        name: the series (an endogenous variable).
        change: ``log`` (``log(X) - log(X[-1])``) or ``diff`` (``X - X[-1]``).
        terms: ``(group id, expression)`` for every group, in group order (``"0"`` where the
            model gives none).
        generated_equation: True when the loader wrote the series' own equation.
        where: ``file:line`` of the series table (for messages).
    """

    name: str
    change: Change
    terms: tuple[tuple[str, str], ...]
    generated_equation: bool = False
    where: str = ""
    doc: str = ""

    @property
    def identity(self) -> tuple[str, str]:
        """``(left, right)`` of the hidden identity the engine checks every period."""
        x = self.name
        left = f"log({x}) - log({x}[-1])" if self.change == "log" else f"{x} - {x}[-1]"
        return left, " + ".join(contrib_name(x, g) for g, _ in self.terms)


@dataclass(frozen=True)
class Attribution:
    """A model's mechanism groups (in display order) and its attributed series."""

    groups: tuple[Group, ...] = ()
    series: tuple[AttributedSeries, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)

    @property
    def series_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.series)

    def get(self, series: str) -> AttributedSeries:
        for s in self.series:
            if s.name == series:
                return s
        raise KeyError(series)

    def group(self, gid: str) -> Group:
        for g in self.groups:
            if g.id == gid:
                return g
        raise KeyError(gid)

    def labels(self, lang: str = "en") -> dict[str, str]:
        """group id -> label in ``lang``, in display order."""
        return {g.id: g.label(lang) for g in self.groups}

    def contrib_names(self, series: str) -> list[str]:
        """The ``contrib_<series>_<group>`` variables of ``series``, in group order."""
        return [contrib_name(series, g.id) for g in self.groups]


def contrib_name(series: str, group: str) -> str:
    """Name of the attribution variable of ``series`` for ``group``."""
    return f"contrib_{series}_{group}"


# --------------------------------------------------------------------------- parsing

Pos = tuple[str, int]  # (file, 1-based line; 0 when unknown)


def where(pos: Pos) -> str:
    """``file:line`` (or just the file when the line is unknown)."""
    return f"{pos[0]}:{pos[1]}" if pos[1] else pos[0]


@dataclass
class RawAttribution:
    """What the files declared, before expansion (collected across a directory's files)."""

    groups: list[Group] = field(default_factory=list)
    groups_pos: Pos | None = None
    #: series -> (its table, header position, key -> position)
    series: dict[str, tuple[dict[str, Any], Pos, dict[str, Pos]]] = field(default_factory=dict)


def collect(raw: RawAttribution, table: Any, fname: str, line: Mapping[tuple[str, str], int], text: str) -> None:
    """Add one file's ``[attribution]`` table to ``raw`` (validating its shape).

    Args:
        raw: the collection so far.
        table: the parsed ``attribution`` table of the file.
        fname: the file (for messages).
        line: (table, key) -> 1-based line of every ``key = ...`` in the file.
        text: the file's text (to find the lines of inline group tables and series headers).
    """
    if not isinstance(table, dict):
        raise ModelError(f"{fname}: attribution must be a table with groups = [...] and series.<name> tables")
    bad = set(table) - {"groups", "series"}
    if bad:
        raise ModelError(f"{fname}: attribution: unknown key(s) {sorted(bad)} (allowed: groups, series)")
    if "groups" in table:
        gpos = (fname, line.get(("attribution", "groups"), 0))
        if raw.groups_pos is not None:
            raise ModelError(f"{where(gpos)}: attribution.groups declared again (first in {where(raw.groups_pos)}); "
                             f"declare the groups once")
        raw.groups_pos = gpos
        groups = table["groups"]
        if not isinstance(groups, list) or not groups:
            raise ModelError(f"{where(gpos)}: attribution.groups must be a non-empty list of "
                             f"{{ id = \"...\", en = \"...\", ko = \"...\" }}")
        seen: dict[str, str] = {}
        for i, g in enumerate(groups):
            gid = g.get("id") if isinstance(g, dict) else None
            gw = f"{where((fname, _line_of_id(text, gid) or gpos[1]))}: attribution.groups[{i}]"
            if not isinstance(g, dict):
                raise ModelError(f"{gw}: expected {{ id = \"...\", en = \"...\", ko = \"...\" }}, got {g!r}")
            unknown = set(g) - {"id", "en", "ko", "doc"}
            if unknown:
                raise ModelError(f"{gw}: unknown key(s) {sorted(unknown)} (allowed: id, en, ko, doc)")
            if not isinstance(gid, str) or not _ID.match(gid):
                raise ModelError(f"{gw}: id must be a lower-case name (letters, digits, '_'), got {gid!r}")
            if gid in SERIES_KEYS:
                raise ModelError(f"{gw}: id {gid!r} is reserved (a series table uses {', '.join(SERIES_KEYS)})")
            if gid in seen:
                raise ModelError(f"{gw}: group {gid!r} declared twice (also {seen[gid]})")
            for lang in LANGS:
                if not isinstance(g.get(lang), str) or not g[lang].strip():
                    raise ModelError(f"{gw} ({gid}): needs a label in {lang} ({lang} = \"...\")")
            doc = g.get("doc", "")
            if not isinstance(doc, str):
                raise ModelError(f"{gw} ({gid}): doc must be a string")
            seen[gid] = gw
            raw.groups.append(Group(gid, g["en"].strip(), g["ko"].strip(), doc.strip()))
    series = table.get("series", {})
    if not isinstance(series, dict):
        raise ModelError(f"{fname}: attribution.series must be a table of series tables ([attribution.series.<name>])")
    for name, spec in series.items():
        tname = f"attribution.series.{name}"
        spos = (fname, _header_line(text, tname))
        if name in raw.series:
            raise ModelError(f"{where(spos)}: {tname} declared twice (also {where(raw.series[name][1])})")
        if not isinstance(spec, dict):
            raise ModelError(f"{where(spos)}: {tname} must be a table (change = \"log\" | \"diff\", <group> = \"expression\", ...)")
        keys = {k: (fname, line.get((tname, k), 0) or spos[1]) for k in spec}
        raw.series[name] = (spec, spos, keys)


def _header_line(text: str, table: str) -> int:
    pat = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
    for i, ln in enumerate(text.splitlines(), 1):
        if pat.match(ln):
            return i
    return 0


def _line_of_id(text: str, gid: Any) -> int:
    if not isinstance(gid, str):
        return 0
    pat = re.compile(rf"\bid\s*=\s*[\"']{re.escape(gid)}[\"']")
    for i, ln in enumerate(text.splitlines(), 1):
        if pat.search(ln):
            return i
    return 0


@dataclass(frozen=True)
class Expansion:
    """What the attribution adds to the model: equations, hidden identities, the record.

    ``equations`` holds ``(name, expression, table, key, (file, line))``; ``hidden`` holds
    ``(left, right, table, (file, line))``.
    """

    equations: tuple[tuple[str, str, str, str, Pos], ...]
    hidden: tuple[tuple[str, str, str, Pos], ...]
    attribution: Attribution


def expand(raw: RawAttribution, *, equations: Mapping[str, Any], initial: Mapping[str, float],
           defined: Mapping[str, Any], parse) -> Expansion:
    """Validate the declared series against the groups and expand them.

    Args:
        raw: the collected ``[attribution]`` tables.
        equations: the model's own ``[equations]`` (name -> anything).
        initial: the model's ``[initial]`` values.
        defined: every name defined so far (for "did you mean").
        parse: the expression parser (raises ``ExprError`` with a ``col``), to check each term.
    """
    if raw.series and not raw.groups:
        first = where(next(iter(raw.series.values()))[1])
        raise ModelError(f"{first}: attribution.series given but no attribution.groups declared; declare the groups "
                         f"once: [attribution] groups = [{{ id = \"...\", en = \"...\", ko = \"...\" }}, ...]")
    ids = [g.id for g in raw.groups]
    eqs: list[tuple[str, str, str, str, Pos]] = []
    hidden: list[tuple[str, str, str, Pos]] = []
    out: list[AttributedSeries] = []
    for name, (spec, spos, keys) in raw.series.items():
        tname = f"attribution.series.{name}"
        change = spec.get("change")
        if change not in ("log", "diff"):
            raise ModelError(f"{where(keys.get('change', spos))}: {tname}.change must be \"log\" (log(X) - log(X[-1])) "
                             f"or \"diff\" (X - X[-1]), got {change!r}")
        doc = spec.get("doc", "")
        if not isinstance(doc, str):
            raise ModelError(f"{where(keys.get('doc', spos))}: {tname}.doc must be a string")
        others = spec.get("others")
        if others is not None and (not isinstance(others, str) or not others.strip()):
            raise ModelError(f"{where(keys.get('others', spos))}: {tname}.others must be an expression string "
                             f"(write {_PLACEHOLDER} for the group id), got {others!r}")
        terms = {k: v for k, v in spec.items() if k not in SERIES_KEYS}
        for gid, text in terms.items():
            if gid not in ids:
                hint = difflib.get_close_matches(gid, ids, n=1)
                mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise ModelError(f"{where(keys[gid])}: {tname}.{gid}: unknown group {gid!r}{mean}; groups declared in "
                                 f"{where(raw.groups_pos or spos)}: {', '.join(ids)}")
            if not isinstance(text, str) or not text.strip():
                raise ModelError(f"{where(keys[gid])}: {tname}.{gid}: expected an expression string, got {text!r}")
            if _PLACEHOLDER in text:
                raise ModelError(f"{where(keys[gid])}: {tname}.{gid}: {_PLACEHOLDER} is only allowed in others")
        if name not in equations:
            if name in defined:
                raise ModelError(f"{where(spos)}: {tname}: {name!r} is not an endogenous variable "
                                 f"(only a variable with an equation can be attributed)")
            if name not in initial:
                known = [n for n in [*defined, *initial] if not n.startswith("contrib_")]
                hint = difflib.get_close_matches(name, known, n=1)
                mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise ModelError(
                    f"{where(spos)}: {tname}: unknown series {name!r}{mean}: no equation defines it and [initial] "
                    f"gives no period-0 value (a series built from its contributions needs one)"
                )
        filled: list[tuple[str, str]] = []
        for gid in ids:
            if gid in terms:
                text, key, pos = terms[gid].strip(), gid, keys[gid]
            elif others is not None:
                text, key, pos = others.replace(_PLACEHOLDER, gid).strip(), "others", keys["others"]
            else:
                text, key, pos = "0", gid, spos
            try:
                parse(text)
            except Exception as exc:  # the parser's ExprError, named with the file and line
                col = getattr(exc, "col", None)
                at = f" at column {col + 1}" if col is not None else ""
                raise ModelError(f"{where(pos)}: {tname}.{key} ({gid}): {exc}{at} of {text!r}") from None
            filled.append((gid, text))
            eqs.append((contrib_name(name, gid), text, tname, key, pos))
        generated = name not in equations
        s = AttributedSeries(name, change, tuple(filled), generated, where(spos), doc.strip())
        left, right = s.identity
        if generated:
            rhs = f"{name}[-1] * exp({right})" if change == "log" else f"{name}[-1] + {right}"
            eqs.append((name, rhs, tname, "change", keys.get("change", spos)))
        hidden.append((left, right, tname, spos))
        out.append(s)
    return Expansion(tuple(eqs), tuple(hidden), Attribution(tuple(raw.groups), tuple(out)))
