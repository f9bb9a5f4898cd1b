"""The one progress protocol of the library.

Long-running library calls (``simulate``, ``sweep``, ``run_claims``, backtests, ...) take a
``progress`` argument and report through :class:`ProgressBar` objects made by a
:class:`ProgressFactory`. The library never imports the command line: its default factory
draws a Rich bar on stderr (``rich`` is a core dependency), the CLI passes its own factory
(or ``False`` under ``--quiet``), and tests or notebooks may pass any callable with the same
shape.

Usage inside the library::

    from bubblemachine.progress import resolve_progress

    def long_job(items, *, progress=True):
        with resolve_progress(progress)("claims", total=len(items)) as bar:
            for k, item in enumerate(items, start=1):
                ...
                bar.update(k)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["NullProgress", "ProgressBar", "ProgressFactory", "ProgressLike", "RichProgress", "resolve_progress"]


@runtime_checkable
class ProgressBar(Protocol):
    """One bar: a context manager whose ``update(completed)`` sets the count done."""

    def __enter__(self) -> ProgressBar: ...

    def __exit__(self, *exc: object) -> bool | None: ...

    def update(self, completed: int) -> None: ...


class ProgressFactory(Protocol):
    """Makes a bar for a task of ``total`` steps labelled ``label``."""

    def __call__(self, label: str, *, total: int) -> ProgressBar: ...


#: What a ``progress=`` argument accepts: True (the default bar), False/None (none), or a factory.
ProgressLike = bool | None | ProgressFactory


class NullProgress:
    """A bar that draws nothing (``progress=False``)."""

    def __init__(self, label: str = "", *, total: int = 0) -> None:
        self.label = label
        self.total = total
        self.completed = 0

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc: object) -> bool:
        return False

    def update(self, completed: int) -> None:
        self.completed = completed


class RichProgress:
    """A transient Rich bar on stderr (the library's default)."""

    def __init__(self, label: str, *, total: int) -> None:
        self.label = label
        self.total = total
        self._progress = None
        self._task = None

    def __enter__(self) -> RichProgress:
        from rich.console import Console
        from rich.progress import Progress

        self._progress = Progress(transient=True, console=Console(stderr=True))
        self._progress.__enter__()
        self._task = self._progress.add_task(self.label, total=self.total)
        return self

    def __exit__(self, *exc: object) -> bool:
        if self._progress is not None:
            self._progress.__exit__(*exc)
            self._progress = None
        return False

    def update(self, completed: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=completed)


def resolve_progress(progress: ProgressLike) -> Callable[..., ProgressBar]:
    """The factory a ``progress=`` argument stands for (True: Rich; False/None: nothing)."""
    if progress is True:
        return RichProgress
    if progress is False or progress is None:
        return NullProgress
    if callable(progress):
        return progress
    from bubblemachine.errors import BubbleMachineError

    raise BubbleMachineError(f"progress: expected True, False or a factory(label, total=...), got {progress!r}")
