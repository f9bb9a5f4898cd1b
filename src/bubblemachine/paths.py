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
    else ``BUBBLEMACHINE_HOME``, else the platform's user cache directory."""
    option = os.environ.get(ENV_HOME_OPTION)
    if option:
        return Path(option)
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("bubblemachine", appauthor=False))


def package_dir() -> Path:
    """The installed package directory (shipped models, scenarios, snapshot)."""
    return Path(__file__).resolve().parent
