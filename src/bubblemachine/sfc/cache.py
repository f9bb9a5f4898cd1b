"""A bounded cache of parsed and compiled models, for callers that run the same model often.

Parsing the AI liquidity model takes ~0.1 s and compiling it ~0.1 s; the scenario commands
and the report run several scenarios of one model. A :class:`ModelCache` is an explicit
object: its owner decides its scope (the scenario runner keeps one per process,
:data:`bubblemachine.scenarios.runner.MODEL_CACHE`, and tests or long-lived services can
make their own or call :meth:`ModelCache.clear`). A model is reused only while its files are
unchanged (path, modification time and size of every file).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

from bubblemachine.sfc.compiler import CompiledModel, compile_model
from bubblemachine.sfc.model import Model, load_model, resolve_model_path
from bubblemachine.sfc.solvers import Solver, get_solver


def _stamp(ref: str) -> tuple:
    """(ref, ((file, mtime_ns, size), ...)) of the model's files."""
    try:
        p = Path(resolve_model_path(ref))
    except Exception:  # noqa: BLE001 - load_model reports the error
        return (str(ref), ())
    files = sorted(p.glob("*.toml")) if p.is_dir() else [p]
    stamp = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        stamp.append((str(f), st.st_mtime_ns, st.st_size))
    return (str(ref), tuple(stamp))


class ModelCache:
    """Parsed models keyed by their files' stamps, compiled models keyed by digest and solver.

    Args:
        size: most models (and compiled models) kept; the least recently used go first.
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._models: OrderedDict[tuple, Model] = OrderedDict()
        self._compiled: OrderedDict[tuple, CompiledModel] = OrderedDict()

    def _put(self, table: OrderedDict, key: tuple, value: Any) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self.size:
            table.popitem(last=False)

    def load(self, ref: str | Path) -> Model:
        """``load_model(ref)``, parsed once while its files are unchanged."""
        key = _stamp(str(ref))
        m = self._models.get(key)
        if m is None:
            m = load_model(ref)
            self._put(self._models, key, m)
        else:
            self._models.move_to_end(key)
        return m

    def compiled(self, model: Model, solver: str | Solver = "newton") -> CompiledModel:
        """``compile_model(model, solver=solver)``, compiled once per model digest and solver."""
        key = (model.digest or str(id(model)), get_solver(solver))
        cm = self._compiled.get(key)
        if cm is None:
            cm = compile_model(model, solver=solver)
            self._put(self._compiled, key, cm)
        else:
            self._compiled.move_to_end(key)
        return cm

    def clear(self) -> None:
        self._models.clear()
        self._compiled.clear()
