"""Solvers of simultaneous blocks, as strategy objects.

The code generator (:mod:`bubblemachine.sfc.compiler`) orders a model into blocks; for each
simultaneous block it asks the model's solver to write the block's code through a
:class:`BlockWriter`, which offers the pieces every solver needs (evaluate the block's
sequence at the current tear values, the residuals, a convergence test, a Newton step with
the symbolic Jacobian, a fixed-point update, the failure report). A solver decides only how
they are put together: the loop, its tolerances, its fallback.

Adding a solver is one class: subclass :class:`Solver`, give it a ``name`` and an
:meth:`~Solver.emit` method (see ``docs/contributing.md``); ``simulate(..., solver="name")``
and ``--solver name`` find it by its name. Solvers are frozen dataclasses: their fields (such
as tolerances) are part of the compiled code's cache key and they pickle to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from bubblemachine.errors import RunOptionError

#: Every solver by name (filled by subclassing :class:`Solver`).
SOLVERS: dict[str, type[Solver]] = {}


class BlockWriter(Protocol):
    """What the code generator offers a solver for one simultaneous block.

    Every method writes lines at indentation ``ind`` (a string of spaces) in the period loop;
    names are those of the generated code (``V_x`` the current value of ``x``, ``_r0`` the
    first tear's residual, ``t`` the period, ``_it`` the iteration counter).
    """

    #: the indentation of the block's first line
    indent: str
    #: the block's Jacobian does not depend on anything that changes within the chunk (a
    #: linear block with constant coefficients): it is computed and inverted once per chunk
    constant_jacobian: bool

    def write(self, ind: str, line: str) -> None:
        """One line of code."""

    def start(self) -> None:
        """The block's comment and the first guess of every tear variable (its last value)."""

    def sequence(self, ind: str) -> None:
        """Evaluate the block's non-tear variables from the current tear values."""

    def residuals(self, ind: str) -> None:
        """``_f{a}`` = tear ``a``'s equation, ``_r{a}`` = its value minus ``_f{a}``."""

    def converged(self, rtol: float, atol: float) -> str:
        """Source of the test ``|_r{a}| <= atol + rtol * |V_tear|`` for every tear, on every path."""

    def fixed_point_update(self, ind: str) -> None:
        """Tear values := their equations' values (``V_t = _f{a}``)."""

    def newton_step(self, ind: str) -> None:
        """The Jacobian (unless constant) and one Newton step on the tears."""

    def straight_line_newton(self) -> None:
        """A constant-Jacobian block solved in one exact step, no loop: residual at the guess,
        the step, the sequence at the solution."""

    def fail(self, ind: str) -> None:
        """Report that the block did not converge at period ``t`` (raises, or logs in a probe)."""

    def finish(self) -> None:
        """What follows the block (the probe's checks of the tear values)."""


@dataclass(frozen=True)
class Solver:
    """A way to solve a simultaneous block; subclasses set ``name`` and implement :meth:`emit`."""

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            SOLVERS[cls.name] = cls

    def emit(self, block: BlockWriter) -> None:
        """Write the code that solves the block (through ``block``'s pieces)."""
        raise NotImplementedError

    def tolerance(self) -> tuple[float, float]:
        """``(rtol, atol)`` of the final convergence test (a probe judges each path by it)."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Newton(Solver):
    """Newton's method with the symbolic Jacobian of the block's tear variables.

    Always takes at least one step (a guess merely within tolerance would leave a residual of
    up to ``rtol * |x|`` that stock equations accumulate, ``docs/design/sfc-solver.md``);
    a block with a constant Jacobian is solved in one exact step without a loop.
    """

    name: ClassVar[str] = "newton"
    maxit: int = 60
    rtol: float = 1e-12
    atol: float = 1e-12

    def iteration(self, block: BlockWriter, ind: str) -> None:
        """One Newton iteration inside a ``for _it`` loop (``break`` once converged)."""
        block.sequence(ind)
        block.residuals(ind)
        block.write(ind, f"if _it and {block.converged(self.rtol, self.atol)}:")
        block.write(ind, "    break")
        block.newton_step(ind)

    def emit(self, block: BlockWriter) -> None:
        block.start()
        ind = block.indent
        if block.constant_jacobian:
            block.straight_line_newton()
        else:
            block.write(ind, f"for _it in range({self.maxit}):")
            self.iteration(block, ind + "    ")
            block.write(ind, "else:")
            block.fail(ind + "    ")
        block.finish()

    def tolerance(self) -> tuple[float, float]:
        return self.rtol, self.atol


@dataclass(frozen=True)
class GaussSeidel(Solver):
    """Fixed-point (Gauss-Seidel) iteration on the tears, then Newton if it does not converge.

    Fixed-point iteration converges linearly, so it must reach a few ulps (``tol``) or the
    residual it leaves accumulates in the stocks; Newton takes over after ``maxit`` sweeps.
    """

    name: ClassVar[str] = "gauss-seidel"
    maxit: int = 500
    tol: float = 1e-15
    fallback: Newton = field(default_factory=Newton)

    def emit(self, block: BlockWriter) -> None:
        block.start()
        ind, i2 = block.indent, block.indent + "    "
        block.write(ind, f"for _it in range({self.maxit}):")
        block.sequence(i2)
        block.residuals(i2)
        block.write(i2, f"if _it and {block.converged(self.tol, self.tol)}:")
        block.write(i2, "    break")
        block.fixed_point_update(i2)
        block.write(ind, "else:")
        block.write(i2, f"for _it in range({self.fallback.maxit}):")
        self.fallback.iteration(block, i2 + "    ")
        block.write(i2, "else:")
        block.fail(i2 + "    ")
        block.finish()

    def tolerance(self) -> tuple[float, float]:
        return self.fallback.tolerance()


def get_solver(solver: str | Solver | None = None) -> Solver:
    """A solver from its name (``"newton"``, ``"gauss-seidel"``, ...) or itself; None is Newton."""
    if solver is None:
        return Newton()
    if isinstance(solver, Solver):
        return solver
    cls = SOLVERS.get(solver) if isinstance(solver, str) else None
    if cls is None:
        raise RunOptionError(f"solver must be one of {', '.join(repr(n) for n in SOLVERS)}, got {solver!r}")
    return cls()
