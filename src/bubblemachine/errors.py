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


class ParameterError(ScenarioError):
    """An override (``--set``, ``--grid``, a scenario shock or uncertain draw) that names no
    input of the model or lies outside the range its defaults file declares.

    Attributes:
        name: the parameter or exogenous input.
        value: the offending value (None for an unknown name).
        range: ``(low, high)`` declared for ``name`` (None when it has none or is unknown).
        origin: where the override came from (``--set``, ``grid``, ``file shock #2 set``...).
        defined_at: ``file:line`` of the declaration ("" for an unknown name).
        suggestions: close names, for "did you mean".
    """

    def __init__(self, message: str, *, name: str, value=None, range=None, origin: str = "",
                 defined_at: str = "", suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.name = name
        self.value = value
        self.range = range
        self.origin = origin
        self.defined_at = defined_at
        self.suggestions = suggestions


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
