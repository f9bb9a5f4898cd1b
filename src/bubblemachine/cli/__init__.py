"""The ``bubblemachine`` command line: thin, lazy, friendly.

Each module in this package (``data``, ``monitor``, ``run``, ``sfc``, ...) defines a
``register(app)`` function that adds its commands. Modules import only Typer at import time;
NumPy, pandas and the engine are imported inside the commands, so ``bubblemachine --help``
starts fast.

Every user mistake ends the same way (``docs/cli.md``): one line ``error: ...`` on stderr
naming the file, option or value, and exit code 2, never a traceback. That holds for a
:class:`~bubblemachine.errors.BubbleMachineError` raised by the library, for a usage error
found by the option parser (an unknown option, a value outside its choices), and for a
file-system failure (an :class:`OSError` naming a path). The root group tidies ``--help``
for the whole command tree (:func:`~bubblemachine.cli._common.tidy_help`).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Annotated

import typer
import typer.core

from bubblemachine import __version__
from bubblemachine.cli._common import err_console, state, tidy_help


class _Root(typer.core.TyperGroup):
    """The root command group: tidies the help of every command once the tree is built."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        tidy_help(self)


app = typer.Typer(
    name="bubblemachine",
    cls=_Root,
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
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or banners.")] = False,
    home: Annotated[
        str | None,
        typer.Option("--home", help="Bubble Machine home (data store, caches); default $BUBBLEMACHINE_HOME or the user cache dir.", show_default=False),
    ] = None,
) -> None:
    """Simulate, monitor and test how money moves through markets in the AI era."""
    state.quiet = quiet
    if home is not None:
        from bubblemachine import paths
        from bubblemachine.errors import PathError

        if not home.strip():
            raise PathError(f"--home {home!r}: empty folder name")
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


#: File-system errors reported as the user's (a path and a cause); any other OSError is a bug.
_FS_ERRNOS = frozenset({"EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT", "EISDIR", "ENOTDIR", "ENOENT",
                        "EEXIST", "ENAMETOOLONG", "ELOOP", "EBUSY", "EXDEV", "EFBIG", "ETXTBSY", "EMLINK"})


def _one_line(message: str) -> None:
    """Print ``error: message`` as one line on stderr (no wrapping, markup escaped)."""
    from rich.markup import escape

    text = " ".join(str(message).split())
    # Messages quote TOML tables such as [equations]: escape them so Rich prints them.
    err_console.print(f"[bold red]error:[/bold red] {escape(text)}", highlight=False, soft_wrap=True)


_PYDANTIC_WORDS = (
    ("Input should be a valid integer, unable to parse string as an integer", "is not a valid integer"),
    ("Input should be a valid integer", "is not a valid integer"),
    ("Input should be a valid number, unable to parse string as a number", "is not a valid number"),
    ("Input should be a valid number", "is not a valid number"),
    ("Input should be a finite number", "is not a finite number"),
    ("Input should be greater than or equal to", "is not >="),
    ("Input should be less than or equal to", "is not <="),
    ("Input should be greater than", "is not >"),
    ("Input should be less than", "is not <"),
)


def _given_value(param, argv: list[str]) -> str | None:
    """The text the user gave for option ``param`` (its last occurrence in ``argv``), if any."""
    opts = [*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())]
    value = None
    for i, token in enumerate(argv):
        for opt in opts:
            if not opt.startswith("-"):
                continue
            if token == opt and i + 1 < len(argv):
                value = argv[i + 1]
            elif token.startswith(opt + "="):
                value = token[len(opt) + 1:]
    return value


def _usage_message(exc, argv: list[str]) -> str:
    """One line for a parser error: the option, the value the user gave, the problem, and which --help to read."""
    message = exc.format_message().replace("Value error, ", "")  # Pydantic's prefix says nothing
    param = getattr(exc, "param", None)
    if param is not None:
        value = _given_value(param, argv)
        for theirs, ours in _PYDANTIC_WORDS:
            if theirs in message:
                shown = repr(value) if value is not None else "the value"
                message = message.replace(theirs, f"{shown} {ours}", 1)
                break
        else:
            if value is not None and repr(value) not in message and value not in message:
                head, sep, rest = message.partition(": ")
                message = f"{head}: {value!r}: {rest}" if sep else f"{message} ({value!r})"
    message = message.rstrip(".")
    ctx = getattr(exc, "ctx", None)
    where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    return f"{message}{where}"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``bubblemachine`` program: run the command, map mistakes to one line, exit 2."""
    import errno
    import warnings

    from bubblemachine.errors import BubbleMachineError, show_warning

    warnings.showwarning = show_warning  # a BubbleMachineWarning is one line: "warning: ..."
    exceptions = {c.__name__: c for c in typer.BadParameter.__mro__}
    usage_error, click_exception = exceptions["UsageError"], exceptions["ClickException"]
    command = typer.main.get_command(app)
    args = list(argv if argv is not None else sys.argv[1:])
    try:
        rv = command.main(args=args, prog_name="bubblemachine", standalone_mode=False)
    except BubbleMachineError as exc:
        _one_line(str(exc))
        sys.exit(2)
    except usage_error as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `bubblemachine` or `bubblemachine data` alone
            typer.echo(exc.ctx.get_help())
            sys.exit(0)
        _one_line(_usage_message(exc, args))
        sys.exit(2)
    except click_exception as exc:
        _one_line(exc.format_message())
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # `bubblemachine ... | head`: the reader left
            sys.stderr.close()
            sys.exit(1)
        if exc.errno is None or errno.errorcode.get(exc.errno) not in _FS_ERRNOS:
            raise
        from bubblemachine._io import describe

        _one_line(describe(exc))
        sys.exit(2)
    sys.exit(rv if isinstance(rv, int) else 0)
