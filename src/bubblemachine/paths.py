"""Where Bubble Machine keeps its files.

The user's data store and caches live in ``BUBBLEMACHINE_HOME`` when set (or ``--home`` on
the command line), else in the platform's user cache directory
(``~/.cache/bubblemachine`` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "BUBBLEMACHINE_HOME"
#: The command line's ``--home``, kept in the environment (not in a module variable) so that
#: worker processes started by this process (sweeps, backtests, claims' history) inherit it.
ENV_HOME_OPTION = "BUBBLEMACHINE_HOME_OPTION"


def set_home(path: str | os.PathLike[str] | None) -> None:
    """The CLI's ``--home``: the home of this process and of the workers it starts.

    ``None`` forgets an earlier ``--home`` (``BUBBLEMACHINE_HOME`` applies again).
    """
    if path is None:
        os.environ.pop(ENV_HOME_OPTION, None)
    else:
        os.environ[ENV_HOME_OPTION] = str(Path(path).expanduser())


def home() -> Path:
    """The directory that holds the user's store and caches (not created here): ``--home``,
    else ``BUBBLEMACHINE_HOME``, else the platform's user cache directory.

    Raises:
        PathError: the home (``--home``, ``BUBBLEMACHINE_HOME``) exists but is not a folder,
            or lies under a file.
    """
    option = os.environ.get(ENV_HOME_OPTION)
    if option:
        return _checked(Path(option), "--home")
    env = os.environ.get(ENV_HOME)
    if env:
        return _checked(Path(env).expanduser(), ENV_HOME)
    from platformdirs import user_cache_dir

    return _checked(Path(user_cache_dir("bubblemachine", appauthor=False)), "the Bubble Machine home")


def _checked(path: Path, source: str) -> Path:
    """``path`` unless it (or an ancestor) exists and is not a folder; PathError naming ``source``."""
    from bubblemachine.errors import PathError

    if not str(path).strip():
        raise PathError(f"{source} {str(path)!r}: empty folder name")
    if path.is_symlink() and not path.exists():
        raise PathError(f"{source} {path}: a symbolic link to {os.readlink(path)}, which does not exist")
    for p in (path, *path.parents):
        try:
            if p.exists():
                if not p.is_dir():
                    where = "is a file" if p == path else f"lies under {p}, which is a file"
                    raise PathError(f"{source} {path}: {where}, not a folder")
                break
        except OSError as exc:  # e.g. a path too long, or a folder we may not enter
            from bubblemachine._io import describe

            raise PathError(f"{source} {describe(exc, path)}") from None
    return path


def package_dir() -> Path:
    """The installed package directory (shipped models, scenarios, snapshot)."""
    return Path(__file__).resolve().parent
