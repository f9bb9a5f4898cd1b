"""Shared CLI state, option types and helpers (no heavy imports here).

The command-line contract (``docs/cli.md``) is built from the pieces here, so every command
spells an option the same way:

* ``--format table|json|csv``: :data:`FormatOption` (a Click choice, listed in ``--help``);
* ``--lang ko|en``: :data:`LangOption`, defaulting from the locale (:func:`resolve_lang`);
* list options accept repeats and comma lists alike: :func:`split_list`;
* seeds are non-negative integers: :func:`seed_option`;
* output in all three formats from one list of records: :func:`print_records`;
* CSV numbers are the shortest text that reads back to the same float: :func:`csv_value`;
* ``--help`` without type noise (``<str>``, ``<bool>``), choices listed: :func:`tidy_help`,
  applied once to the whole command tree by the root group (``cli/__init__.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Annotated

import typer
import typer.core
from rich.console import Console


@dataclass
class _State:
    quiet: bool = False


state = _State()
# emoji=False: a user's text such as "a:b:3" must print as typed, not as an emoji code
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)


class OutputFormat(StrEnum):
    """``--format``: a table for people, JSON or CSV for programs."""

    table = "table"
    json = "json"
    csv = "csv"


class Lang(StrEnum):
    """``--lang``: the language of words printed for people."""

    ko = "ko"
    en = "en"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", help="Output: a table for people, or json / csv for programs.", case_sensitive=False),
]
LangOption = Annotated[
    Lang | None,
    typer.Option("--lang", help="Language of the words (default: from the locale, LANG: ko if it starts with ko, else en).",
                 case_sensitive=False, show_default=False),
]


def default_lang(environ: dict[str, str] | None = None) -> str:
    """``ko`` when the locale (LC_ALL, LC_MESSAGES, LANG, in that order) is Korean, else ``en``."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def resolve_lang(lang: Lang | str | None) -> str:
    """The language to use: the option's value, else :func:`default_lang`."""
    if lang is None:
        return default_lang()
    return lang.value if isinstance(lang, Lang) else str(lang)


def split_list(values: list[str] | str | None, *, option: str) -> list[str] | None:
    """Items of a list option given as repeats (``--series a --series b``) or comma lists (``a,b``).

    Returns None when the option was not given; raises a named error when it was given but
    holds no item (``--save ,,,``).
    """
    if values is None:
        return None
    raw = [values] if isinstance(values, str) else list(values)
    if not raw:
        return None
    items = [part.strip() for value in raw for part in value.split(",")]
    items = [i for i in items if i]
    if not items:
        from bubblemachine.errors import BubbleMachineError

        raise BubbleMachineError(f"{option} {','.join(raw)!r}: no name given (expected a comma-separated list)")
    return list(dict.fromkeys(items))


def seed_option(help: str) -> typer.models.OptionInfo:
    """``--seed``: a non-negative integer (numpy's SeedSequence refuses negatives), range in --help."""
    return typer.Option("--seed", min=0, help=help)


def csv_value(v) -> str:
    """One CSV cell: floats as the shortest text that reads back exactly (``4.14``, not
    ``4.1399999999999997``), NaN/None as an empty cell, everything else as ``str``."""
    import math

    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) or type(v).__name__.startswith("float"):
        f = float(v)
        return "" if math.isnan(f) else repr(f)
    if type(v).__name__.startswith(("int", "uint")):
        return str(int(v))
    return str(v)


def print_csv(columns: list[str], rows) -> None:
    """Write a CSV table (header, then ``rows`` as sequences) to stdout with :func:`csv_value`."""
    import csv
    import sys

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([csv_value(v) for v in row])


def print_records(records: list[dict], fmt: OutputFormat | str, *, table=None, columns: list[str] | None = None) -> None:
    """Print ``records`` (one dict per row) as JSON, CSV, or with ``table(records)`` for people.

    ``columns`` chooses and orders the CSV columns (default: the keys of the first record).
    """
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.json:
        print_json(records)
    elif fmt is OutputFormat.csv:
        cols = columns or (list(records[0]) if records else [])
        print_csv(cols, ([r.get(c) for c in cols] for r in records))
    elif table is not None:
        table(records)


def tidy_help(command) -> None:
    """Give every parameter of ``command`` (and its sub-commands) a clean help metavar.

    This Typer prints a parameter's Python type as its metavar (``<str>``, ``<bool>``,
    ``<list[str]>``, ``<int>``), and its Rich help drops any ``[default: ...]`` written in a
    help text (read as markup). Here, once for the whole tree: help texts are escaped; flags
    show no metavar; choices
    show ``[a|b|c]``; arguments show their name in capitals (``MODEL``); other options
    show ``TEXT``, ``INTEGER`` or ``FLOAT`` (a parameter that sets ``metavar`` keeps it).
    """
    from rich.markup import escape

    if command.help and not getattr(command, "_bm_tidy", False):
        command.help = escape(command.help)
        command._bm_tidy = True
    ctx = typer.Context(command, info_name=command.name)
    for param in command.get_params(ctx):
        if getattr(param, "help", None) and not getattr(param, "_bm_tidy", False):
            # Rich reads "[default: x]" in a help text as markup and drops it: escape it
            param.help = escape(param.help)
        _tidy_param(param)
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub)


class _TidyArgument(typer.core.TyperArgument):
    """An argument whose help shows its name (``MODEL``), without a type column or braces."""

    def display_type_rich(self, ctx) -> None:
        return None

    def _usage_display_name(self) -> str:
        name = self.metavar or (self.name or "value").upper()
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


def _tidy_param(param) -> None:
    if getattr(param, "_bm_tidy", False):
        return
    param._bm_tidy = True
    if param.metavar is not None:
        return
    kind = getattr(param, "param_type_name", "")
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.metavar = ""
        return
    desc = getattr(param, "type_descriptor", None)  # this Typer; older ones: a Click type
    if desc is not None:
        choices = desc.choices if desc.is_choice else None
        annotation = desc.annotation
        origin = getattr(annotation, "__origin__", None)
        if origin is list:
            annotation = annotation.__args__[0]
        type_name = getattr(annotation, "__name__", "")
    else:
        choices = getattr(getattr(param, "type", None), "choices", None)
        type_name = getattr(getattr(param, "type", None), "name", "") or ""
    if choices:
        values = [c.value if isinstance(c, Enum) else str(c) for c in choices]
        param.metavar = "[" + "|".join(values) + "]"
        return
    if kind == "argument":
        param.metavar = (param.name or "value").upper()
        if isinstance(param, typer.core.TyperArgument) and not isinstance(param, _TidyArgument):
            param.__class__ = _TidyArgument
        return
    param.metavar = {"int": "INTEGER", "integer": "INTEGER", "float": "FLOAT"}.get(type_name.lower(), "TEXT")


def check_date(value: str | None, *, option: str = "--asof") -> str | None:
    """A user's date option: ``YYYY-MM-DD`` and a real day (not 2025-02-30); returns it stripped."""
    if value is None:
        return None
    from datetime import date

    from bubblemachine.errors import BubbleMachineError

    text = str(value).strip()
    try:
        date.fromisoformat(text)
        if len(text) != 10:
            raise ValueError(text)
    except ValueError:
        raise BubbleMachineError(f"{option}: {value!r} is not a date; use YYYY-MM-DD, e.g. 2024-12-31") from None
    return text


def check_input_path(value: str | None, *, option: str, file: bool = False) -> str | None:
    """A path the user gives to read (a model, a scenario): if it exists it must be a file or a folder.

    A FIFO or a device would block a reader forever; it is refused by name instead.
    With ``file=True`` a folder is refused too. Values that do not exist are left to the
    command (they may be shipped names).
    """
    if value is None:
        return None
    from pathlib import Path

    from bubblemachine.errors import PathError

    p = Path(value).expanduser()
    try:
        odd = p.exists() and not p.is_file() and not p.is_dir()
    except OSError as exc:
        from bubblemachine._io import describe

        raise PathError(f"{option} {describe(exc, p)}") from None
    if odd:
        raise PathError(f"{option} {p}: not a regular file")
    if file and p.is_dir():
        raise PathError(f"{option} {p}: is a folder, not a file")
    return value


def check_choice(value: str | None, choices, *, option: str) -> str | None:
    """``value`` if it is one of ``choices`` (for options whose choices are only known at run time)."""
    if value is None or value in choices:
        return value
    from bubblemachine.errors import BubbleMachineError

    raise BubbleMachineError(f"{option}: {value!r} is not one of {', '.join(choices)}")


_WORDS: dict[str, dict[str, str]] = {}


def words(lang: Lang | str | None):
    """A translator for the command line's own words: ``t = words(lang); t("key", n=3)``.

    The words live in ``cli/i18n/en.toml`` and ``ko.toml`` (flat ``key = "text {field}"``
    entries; a test checks both languages hold every key). Error messages stay in English.
    """
    import tomllib
    from pathlib import Path

    code = resolve_lang(lang)
    if code not in _WORDS:
        path = Path(__file__).with_name("i18n") / f"{code}.toml"
        _WORDS[code] = tomllib.loads(path.read_text(encoding="utf-8"))
    table = _WORDS[code]

    def t(key: str, **fields) -> str:
        text = table.get(key)
        if text is None:  # a missing translation falls back to English, never fails a command
            text = words("en").table.get(key, key) if code != "en" else key
        return text.format(**fields) if fields else text

    t.table = table
    t.lang = code
    return t


_UNITS_SHORT = {
    "USD thousands": "USD k",
    "USD millions": "USD mn",
    "USD billions": "USD bn",
    "USD trillions": "USD tn",
    "USD billions per quarter": "USD bn/q",
    "USD billions (annual rate)": "USD bn/y",
    "index points": "pts",
    "percent": "%",
    "percent (annualised)": "% a.r.",
    "percentage points": "pp",
    "indicator (0/1)": "0/1",
    "mixed (see columns)": "mixed",
}


def short_units(units: str) -> str:
    """Units for a narrow column: ``USD billions`` -> ``USD bn``, ``percent`` -> ``%``;
    an annotation in parentheses is dropped and marked ``*`` (``index (2025-11-14 = 100)`` ->
    ``index*``)."""
    if units in _UNITS_SHORT:
        return _UNITS_SHORT[units]
    base, sep, _ = units.partition(" (")
    short = _UNITS_SHORT.get(base, base)
    return f"{short}*" if sep else short


def fmt_number(v: float) -> str:
    """A number for a narrow column: about five significant digits, thousands separators,
    never wider than ~10 characters; 0 for exact zeros; nan/inf as such."""
    import math

    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e9 or a < 1e-3:
        return f"{v:.3e}"
    if a >= 1e4:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:,.1f}"
    if a >= 1:
        return f"{v:.3f}"
    return f"{v:.4f}"


def progress_enabled() -> bool:
    """Whether commands should draw progress bars: on a terminal, unless ``--quiet``.

    Piped or redirected output (a log, a CI job, another program) gets no bars: Rich cannot
    animate there and would leave blank lines on stderr.
    """
    return not state.quiet and err_console.is_terminal


def print_json(obj) -> None:
    """Print ``obj`` as JSON to stdout (plain, machine-readable, no Rich markup)."""
    import json
    import sys

    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
