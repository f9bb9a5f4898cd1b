"""Shared CLI state, option types and helpers (no heavy imports here).

The command-line contract (``docs/cli.md``) is built from the pieces here, so every command
spells an option the same way:

* ``--format table|json|csv``: :data:`FormatOption` (a Click choice, listed in ``--help``);
* ``--lang ko|en``: :data:`LangOption`, defaulting from the locale (:func:`resolve_lang`);
* list options accept repeats and comma lists alike: :func:`split_list`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from typing import Annotated

import typer
from rich.console import Console


@dataclass
class _State:
    quiet: bool = False


state = _State()
console = Console()
err_console = Console(stderr=True)


class OutputFormat(str, Enum):
    """``--format``: a table for people, JSON or CSV for programs."""

    table = "table"
    json = "json"
    csv = "csv"


class Lang(str, Enum):
    """``--lang``: the language of words printed for people."""

    ko = "ko"
    en = "en"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", help="Output: a table for people, or json / csv for programs.", case_sensitive=False),
]
LangOption = Annotated[
    Lang | None,
    typer.Option("--lang", help="Language of the words: ko or en [default: from LANG, else en].",
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


def progress_enabled() -> bool:
    """Whether commands should draw progress bars (off with ``--quiet``)."""
    return not state.quiet


def print_json(obj) -> None:
    """Print ``obj`` as JSON to stdout (plain, machine-readable, no Rich markup)."""
    import json
    import sys

    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
