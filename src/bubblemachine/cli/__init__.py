"""The ``bubblemachine`` command line: thin, lazy, friendly.

Each module in this package (``data``, ``monitor``, ``run``, ``sfc``, ...) defines a
``register(app)`` function that adds its commands. Modules import only Typer at import time;
NumPy, pandas and the engine are imported inside the commands, so ``bubblemachine --help``
starts fast. A :class:`~bubblemachine.errors.BubbleMachineError` is printed as one red line
(no traceback) and exits with code 2.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Annotated, Optional

import typer

from bubblemachine import __version__
from bubblemachine.cli._common import err_console, state

app = typer.Typer(
    name="bubblemachine",
    help="Simulate, monitor and test how money moves through markets in the AI era.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bubblemachine {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or banners.")] = False,
    home: Annotated[
        Optional[str],
        typer.Option("--home", help="Bubble Machine home (data store, caches); default $BUBBLEMACHINE_HOME or the user cache dir.", show_default=False),
    ] = None,
) -> None:
    """Simulate, monitor and test how money moves through markets in the AI era."""
    state.quiet = quiet
    if home is not None:
        from bubblemachine import paths

        paths.set_home(home)


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main() -> None:
    """Entry point of the ``bubblemachine`` program."""
    from bubblemachine.errors import BubbleMachineError

    try:
        app()
    except BubbleMachineError as exc:
        from rich.markup import escape

        # Messages quote TOML tables such as [equations]: escape them so Rich prints them.
        err_console.print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
