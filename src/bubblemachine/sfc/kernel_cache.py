"""Compiled kernels: compile once, keep on disk, load in a fraction of a second.

A kernel's source (:mod:`bubblemachine.sfc.kernel_source`) is written to
``<cache>/<tag>/<key>/kernel.py`` and compiled by numba with ``cache=True``, so numba keeps
the machine code next to it (``__pycache__``); a later process imports the module and numba
loads the machine code instead of compiling. The directory names hold everything the machine
code depends on:

* ``key``: sha256 of the generated source, which is a function of the model's equations,
  hidden identities, matrices and solver and of the generator's version (parameter values,
  scenarios, overrides and the saved names are run-time data: recalibrating a model does not
  recompile it);
* ``tag``: numba, llvmlite, NumPy and Python versions and the CPU (name and features).

``<cache>`` is ``BUBBLEMACHINE_KERNEL_CACHE`` when set, else ``<home>/kernels``. Files are
written atomically (a temporary file, then a rename); a ``compiled.json`` next to the module,
written last, says the machine code is there and how long it took to compile.

``BUBBLEMACHINE_KERNEL`` chooses the policy: ``auto`` (default: use a kernel when one is
loaded or on disk; compile a missing one in a background thread while the NumPy path serves),
``sync`` (compile when missing and wait), ``off`` (NumPy only). Without numba (the ``fast``
extra) the NumPy path runs and one line says so, once per process.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bubblemachine.errors import BubbleMachineWarning, RunOptionError
from bubblemachine.sfc.kernel_source import KernelSource, generate_kernel_source

ENV_CACHE = "BUBBLEMACHINE_KERNEL_CACHE"
ENV_POLICY = "BUBBLEMACHINE_KERNEL"
POLICIES = ("auto", "sync", "off")

_lock = threading.Lock()
_loaded: dict[str, Kernel] = {}  # source key -> kernel loaded in this process
_compiling: dict[str, threading.Thread] = {}
_notice_given = False


@dataclass
class Kernel:
    """A loaded kernel: the numba dispatcher and its source's layout.

    Attributes:
        fn: the compiled ``kernel`` function.
        source: the generated source and the layout of its arrays.
        compile_seconds: CPU seconds the first compile took (from ``compiled.json``).
        load_seconds: wall seconds this process took to import and load it.
        from_disk: True when numba loaded the machine code instead of compiling it.
    """

    fn: Any
    source: KernelSource
    compile_seconds: float
    load_seconds: float
    from_disk: bool


def policy() -> str:
    """The kernel policy from ``BUBBLEMACHINE_KERNEL`` (``auto`` when unset)."""
    value = os.environ.get(ENV_POLICY, "auto").strip().lower() or "auto"
    if value not in POLICIES:
        raise RunOptionError(f"{ENV_POLICY}={value!r}: expected one of {', '.join(POLICIES)}")
    return value


def numba_available() -> bool:
    """Is the ``fast`` extra (numba) importable? (Cheap: does not import it.)"""
    return importlib.util.find_spec("numba") is not None


def notice_missing() -> None:
    """One line, once per process, when the ``fast`` extra is missing."""
    global _notice_given
    if _notice_given:
        return
    _notice_given = True
    warnings.warn(BubbleMachineWarning(
        "compiled kernels are off (numba is not installed): running the NumPy path; "
        "pip install 'bubblemachine[fast]' for faster Monte Carlo runs"), stacklevel=3)


def cache_root() -> Path:
    """Where kernels are kept: ``BUBBLEMACHINE_KERNEL_CACHE``, else ``<home>/kernels``."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    from bubblemachine.paths import home

    return home() / "kernels"


def machine_tag() -> str:
    """A short hash of what machine code depends on: numba/llvmlite/NumPy/Python versions and the CPU."""
    import llvmlite
    import llvmlite.binding as ll
    import numba
    import numpy

    cpu = ll.get_host_cpu_name()
    try:
        features = ll.get_host_cpu_features().flatten()
    except RuntimeError:  # pragma: no cover - some platforms cannot list features
        features = ""
    text = "|".join([numba.__version__, llvmlite.__version__, numpy.__version__, sys.version, sys.platform, cpu, features])
    return f"nb{numba.__version__}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def kernel_dir(ks: KernelSource) -> Path:
    return cache_root() / machine_tag() / ks.key[:32]


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def signature(ks: KernelSource):
    """The kernel's one numba signature (every array C-contiguous)."""
    from numba import types

    i64, f64 = types.int64, types.float64
    a1 = types.Array(f64, 1, "C")
    a2 = types.Array(f64, 2, "C")
    a3 = types.Array(f64, 3, "C")
    i1 = types.Array(i64, 1, "C")
    rt = types.UniTuple(a2, max(ks.n_random, 1))
    return (i64, i64, i64, i64, a2, a3, a1, i1, a2, i1, i1, i1, a2, a3, i64, rt, i64, a3, i64, i1, types.boolean, i1)


def _import(ks: KernelSource, d: Path):
    name = f"bubblemachine_kernel_{ks.key[:32]}"
    mod = sys.modules.get(name)
    if mod is not None:
        return mod
    spec = importlib.util.spec_from_file_location(name, d / "kernel.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # numba's cache finds the module by name
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return mod


def _build(ks: KernelSource) -> Kernel:
    """Import the kernel's module and load (or compile) its machine code; blocks."""
    t0 = time.perf_counter()
    d = kernel_dir(ks)
    d.mkdir(parents=True, exist_ok=True)
    src = d / "kernel.py"
    if not src.exists():  # never rewritten: numba's cache is keyed by the file's time stamp
        _write_atomic(src, ks.text)
    mod = _import(ks, d)
    fn = mod.kernel
    c0 = time.process_time()
    fn.compile(signature(ks))
    cpu = time.process_time() - c0
    hits = sum(fn.stats.cache_hits.values())
    marker = d / "compiled.json"
    if hits and marker.exists():
        info = json.loads(marker.read_text())
        compile_s = float(info.get("compile_cpu_seconds", float("nan")))
    else:
        compile_s = cpu
        _write_atomic(marker, json.dumps({"model": ks.model_name, "key": ks.key, "compile_cpu_seconds": cpu,
                                          "compiled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}))
    fn.disable_compile()  # one signature: a mismatch is an error (NumPy serves), never a silent recompile
    return Kernel(fn, ks, compile_s, time.perf_counter() - t0, bool(hits))


def on_disk(ks: KernelSource) -> bool:
    """Is this kernel's machine code in the disk cache?"""
    return (kernel_dir(ks) / "compiled.json").exists()


def get_kernel(cm, *, big: bool = True) -> Kernel | None:
    """The compiled kernel of ``cm`` if it can be had now, else None (the NumPy path runs).

    Policy ``sync``: load or compile now, and wait. ``auto``: a kernel on disk is loaded now
    for a ``big`` run (about a second), in a background thread otherwise; a kernel not on disk
    is compiled in a background thread, for a ``big`` run only. Meanwhile the NumPy path serves.
    """
    pol = policy()
    if pol == "off":
        return None
    if not numba_available():
        notice_missing()
        return None
    ks = source_of(cm)
    k = loaded(ks)
    if k is not None:
        return k
    if pol == "sync" or (big and on_disk(ks)):
        return _load_now(ks)
    if big or on_disk(ks):
        _in_background(ks)
    return None


def loaded(ks: KernelSource) -> Kernel | None:
    """The kernel of this source if this process has loaded it."""
    with _lock:
        return _loaded.get(ks.key)


def source_of(cm) -> KernelSource:
    """The kernel source of a compiled model (generated once, kept on the compiled model)."""
    key = ("kernel_source",)
    ks = cm._cache.get(key)  # noqa: SLF001 - the compiled model's own cache of generated code
    if ks is None:
        ks = generate_kernel_source(cm)
        cm._cache[key] = ks  # noqa: SLF001
    return ks


def _load_now(ks: KernelSource) -> Kernel:
    with _lock:
        k = _loaded.get(ks.key)
        if k is not None:
            return k
        th = _compiling.get(ks.key)
    if th is not None:
        th.join()
        with _lock:
            k = _loaded.get(ks.key)
        if k is not None:
            return k
    k = _build(ks)
    with _lock:
        _loaded[ks.key] = k
    return k


def _in_background(ks: KernelSource) -> None:
    """Load (or compile) the kernel in a daemon thread; the NumPy path serves meanwhile."""
    with _lock:
        if ks.key in _compiling or ks.key in _loaded:
            return

        def work() -> None:
            try:
                k = _build(ks)
            except Exception as exc:  # noqa: BLE001 - the NumPy path keeps serving; say why once
                warnings.warn(BubbleMachineWarning(f"compiling the kernel of model {ks.model_name} failed "
                                                   f"({type(exc).__name__}: {exc}); the NumPy path runs"), stacklevel=1)
                return
            with _lock:
                _loaded[ks.key] = k

        th = threading.Thread(target=work, name=f"bubblemachine-kernel-{ks.key[:8]}", daemon=True)
        _compiling[ks.key] = th
    th.start()


def precompile(cm) -> Kernel:
    """Compile (or load) ``cm``'s kernel now and wait: for set-up scripts and benchmarks."""
    if not numba_available():
        from bubblemachine.errors import require

        require("numba", "fast", "compiled kernels")
    return _load_now(source_of(cm))
