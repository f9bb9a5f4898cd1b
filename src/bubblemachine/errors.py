"""User-facing errors.

Every mistake a user can make (a malformed file, a bad parameter, a missing column, no
network) raises a subclass of :class:`BubbleMachineError` whose message names the file,
field and value. The CLI prints that message, without a traceback, and exits with code 2.
"""

from __future__ import annotations


class BubbleMachineError(Exception):
    """Base class of every error that is the user's to fix (printed without a traceback)."""


class DataError(BubbleMachineError):
    """Bad or missing data: a corrupt CSV, a missing column, unknown units, an unknown series."""


class NetworkError(DataError):
    """A live source could not be reached or answered with an error."""


class ModelError(BubbleMachineError):
    """A malformed model file (parse errors, unknown names, missing equations)."""


class ScenarioError(BubbleMachineError):
    """A malformed scenario file or an invalid scenario option."""


class SimulationError(BubbleMachineError):
    """A run that cannot produce an honest result (no convergence, NaN, division by zero)."""


class AccountingError(SimulationError):
    """A balance-sheet or transactions-flow identity failed: the model leaks money."""


class ConvergenceError(SimulationError):
    """A simultaneous block did not converge."""


class MissingDependencyError(BubbleMachineError):
    """An optional backend is not installed; the message carries the install hint."""

    def __init__(self, package: str, extra: str, purpose: str = "") -> None:
        what = f" ({purpose})" if purpose else ""
        super().__init__(
            f"{package} is not installed{what}: install it with "
            f"`pip install 'bubblemachine[{extra}]'`"
        )
        self.package = package
        self.extra = extra


def require(module: str, extra: str, purpose: str = ""):
    """Import an optional dependency or raise :class:`MissingDependencyError` with a hint."""
    from importlib import import_module

    try:
        return import_module(module)
    except ImportError as exc:  # pragma: no cover - exercised by monkeypatching in tests
        raise MissingDependencyError(module, extra, purpose) from exc


class PathError(BubbleMachineError):
    """A file or folder that cannot be read or written: the message names the path and the cause.

    Raised for every file-system failure a user can cause (``--out`` into a read-only folder,
    a file where a folder is expected, ``--home`` pointing at a file, a full disk), so that
    it reaches the user as one line, never as a traceback.
    """
