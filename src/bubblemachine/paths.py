"""Where Bubble Machine keeps its files.

The user's data store and caches live in ``BUBBLEMACHINE_HOME`` when set (or ``--home`` on
the command line), else in the platform's user cache directory
(``~/.cache/bubblemachine`` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "BUBBLEMACHINE_HOME"
_override: Path | None = None


def set_home(path: str | os.PathLike[str] | None) -> None:
    """Override the home directory for this process (the CLI's ``--home``)."""
    global _override
    _override = Path(path).expanduser() if path is not None else None


def home() -> Path:
    """The directory that holds the user's store and caches (not created here)."""
    if _override is not None:
        return _override
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("bubblemachine", appauthor=False))


def package_dir() -> Path:
    """The installed package directory (shipped models, scenarios, snapshot)."""
    return Path(__file__).resolve().parent
