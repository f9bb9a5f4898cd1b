"""Shared CLI state and helpers (no heavy imports here)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console


@dataclass
class _State:
    quiet: bool = False


state = _State()
console = Console()
err_console = Console(stderr=True)


def progress_enabled() -> bool:
    """Whether commands should draw progress bars (off with ``--quiet``)."""
    return not state.quiet


def print_json(obj) -> None:
    """Print ``obj`` as JSON to stdout (plain, machine-readable, no Rich markup)."""
    import json
    import sys

    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
