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


class SourceUnreachable(NetworkError):
    """A live source cannot be reached at all (no network, DNS failure, refused)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source} unreachable ({reason})")
        self.source = source
        self.reason = reason


class MissingFileError(DataError):
    """A file the store's manifest lists is missing (the message says how to recover)."""


class StrategyError(BubbleMachineError):
    """A malformed strategy or instrument file, or an unknown strategy id (positions)."""


class ForecastError(BubbleMachineError):
    """A forecast or backtest that cannot be made as asked (bad option, no data)."""


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


class ExpressionError(ModelError):
    """A malformed expression of the model language.

    Attributes:
        col: 0-based column in the expression text (None when unknown).
    """

    def __init__(self, message: str, col: int | None = None) -> None:
        super().__init__(message)
        self.col = col


class LanguageLimitError(ExpressionError):
    """A model exceeds a declared limit of the model language (size, depth, lag, a literal
    that does not fit a float): see "Limits" in ``docs/model-language.md``. The message names
    the file, line, equation and the limit."""


class RunOptionError(ScenarioError, SimulationError):
    """An invalid run option (periods, paths, seed, save, quantiles, solver, ...).

    One class for every entry point (``simulate``, ``sweep``, the scenario runner); it is
    both a :class:`ScenarioError` and a :class:`SimulationError` so callers that caught
    either before keep working.
    """


class MemoryBudgetError(RunOptionError):
    """A run, comparison or sweep would need more memory than the budget allows.

    The message states the estimate, the budget and how to proceed (fewer paths, fewer saved
    series, quantiles); the budget is set with ``BUBBLEMACHINE_MEMORY_BUDGET`` or the
    ``memory_budget=`` option.
    """


class ReportError(BubbleMachineError):
    """A report cannot be built (missing translation key, malformed section, bad provider)."""


class ClaimError(BubbleMachineError):
    """A claim id is unknown, or a claim entry is malformed."""


class WebError(BubbleMachineError):
    """A request the playground refuses (names the field and the value)."""


class QueueFull(BubbleMachineError):
    """Too many playground runs are waiting; try again in a moment."""


class BubbleMachineWarning(UserWarning):
    """Something the user should know that does not stop the run (e.g. a shock after the horizon).

    The command line shows it as one line, ``warning: <message>`` (:func:`show_warning`).
    """


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A ``warnings.showwarning`` that prints a :class:`BubbleMachineWarning` as one line on stderr
    (``warning: ...``, no file and line of library code); other warnings as Python would."""
    import sys
    import warnings

    out = file if file is not None else sys.stderr
    if issubclass(category, BubbleMachineWarning):
        out.write(f"warning: {message}\n")
    else:
        out.write(warnings.formatwarning(message, category, filename, lineno, line))


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
