"""Compiled kernels: compile once, keep on disk, load in milliseconds.

A kernel's source (:mod:`bubblemachine.sfc.kernel_source`) is compiled to an object file for
this machine's CPU (:mod:`bubblemachine.sfc.kernel_llvm`: LLVM through llvmlite, the ``fast``
extra) and kept at ``<cache>/<tag>/<key>/kernel.o``; a later process reads the object file
and links it in a few milliseconds. The directory names hold everything the machine code
depends on:

* ``key``: sha256 of the generated source, which is a function of the model's equations,
  hidden identities, matrices and solver and of the generator's version (parameter values,
  scenarios, overrides and the saved names are run-time data: recalibrating a model does not
  recompile it);
* ``tag``: llvmlite and LLVM versions, the translator's own source, Python's version and the
  CPU (name and features).

``<cache>`` is ``BUBBLEMACHINE_KERNEL_CACHE`` when set, else ``<home>/kernels``. Files are
written atomically (a temporary file, then a rename); ``compiled.json`` next to the object
file records the model, the key and how long the first compile took.

``BUBBLEMACHINE_KERNEL`` chooses the policy: ``auto`` (default: a big run loads or compiles
its kernel first, a few seconds at most; a small run uses a kernel already on disk, else the
NumPy path), ``sync``
(always load or compile first), ``off`` (NumPy only). Without llvmlite (the ``fast`` extra)
the NumPy path runs and one line says so, once per process.
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
_loaded: dict[str, Kernel] = {}  # source key -> kernel linked into this process
_notice_given = False


@dataclass
class Kernel:
    """A kernel linked into this process.

    Attributes:
        fn: calls the compiled ``kernel`` with NumPy arrays
            (:class:`~bubblemachine.sfc.kernel_llvm.LoadedKernel`).
        source: the generated source and the layout of its arrays.
        compile_seconds: CPU seconds the first compile took (from ``compiled.json``).
        load_seconds: wall seconds this process took to get it (read and link, or compile).
        from_disk: True when the object file came from the disk cache.
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


def fast_available() -> bool:
    """Is the ``fast`` extra (llvmlite) importable? (Cheap: does not import it.)"""
    return importlib.util.find_spec("llvmlite") is not None


def notice_missing() -> None:
    """One line, once per process, when the ``fast`` extra is missing."""
    global _notice_given
    if _notice_given:
        return
    _notice_given = True
    warnings.warn(BubbleMachineWarning(
        "compiled kernels are off (llvmlite is not installed): running the NumPy path; "
        "pip install 'bubblemachine[fast]' for faster Monte Carlo runs"), stacklevel=3)


def cache_root() -> Path:
    """Where kernels are kept: ``BUBBLEMACHINE_KERNEL_CACHE``, else ``<home>/kernels``."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    from bubblemachine.paths import home

    return home() / "kernels"


def machine_tag() -> str:
    """A short name for what machine code depends on: llvmlite/LLVM, the translator, Python, the CPU."""
    import llvmlite

    from bubblemachine.sfc import kernel_llvm

    ll = kernel_llvm.binding()
    cpu = ll.get_host_cpu_name()
    try:
        features = ll.get_host_cpu_features().flatten()
    except RuntimeError:  # pragma: no cover - some platforms cannot list features
        features = ""
    translator = hashlib.sha256(Path(kernel_llvm.__file__).read_bytes()).hexdigest()
    text = "|".join([llvmlite.__version__, str(ll.llvm_version_info), translator, sys.version, sys.platform, cpu, features])
    return f"llvm{ll.llvm_version_info[0]}-{cpu}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def kernel_dir(ks: KernelSource) -> Path:
    return cache_root() / machine_tag() / ks.key[:32]


def on_disk(ks: KernelSource) -> bool:
    """Is this kernel's object file in the disk cache?"""
    d = kernel_dir(ks)
    return (d / "compiled.json").exists() and (d / "kernel.o").exists()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _build(ks: KernelSource) -> Kernel:
    """Read the kernel's object file from the cache, or compile and store it; then link it."""
    from bubblemachine.sfc.kernel_llvm import LoadedKernel, compile_object

    t0 = time.perf_counter()
    d = kernel_dir(ks)
    obj_path, marker = d / "kernel.o", d / "compiled.json"
    if on_disk(ks):
        obj = obj_path.read_bytes()
        try:
            compile_s = float(json.loads(marker.read_text()).get("compile_cpu_seconds", float("nan")))
        except (ValueError, OSError):
            compile_s = float("nan")
        from_disk = True
    else:
        c0 = time.process_time()
        obj = compile_object(ks.text)
        compile_s = time.process_time() - c0
        from_disk = False
        try:
            d.mkdir(parents=True, exist_ok=True)
            _write_atomic(d / "kernel.py", ks.text.encode())  # what was compiled, for reading
            _write_atomic(obj_path, obj)
            _write_atomic(marker, json.dumps({"model": ks.model_name, "key": ks.key, "compile_cpu_seconds": compile_s,
                                              "compiled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}).encode())
        except OSError as exc:  # a read-only cache: the kernel still runs, it is just not kept
            warnings.warn(BubbleMachineWarning(f"cannot keep the compiled kernel in {d}: {exc}"), stacklevel=3)
    fn = LoadedKernel(obj)
    return Kernel(fn, ks, compile_s, time.perf_counter() - t0, from_disk)


def source_of(cm) -> KernelSource:
    """The kernel source of a compiled model (generated once, kept with its generated code)."""
    key = ("kernel_source",)
    ks = cm._cache.get(key)  # noqa: SLF001 - the compiled model's own cache of generated code
    if ks is None:
        ks = generate_kernel_source(cm)
        cm._cache[key] = ks  # noqa: SLF001
    return ks


def loaded(ks: KernelSource) -> Kernel | None:
    """The kernel of this source if this process has linked it."""
    with _lock:
        return _loaded.get(ks.key)


def get_kernel(cm, *, big: bool = True) -> Kernel | None:
    """The compiled kernel of ``cm`` if it can be had now, else None (the NumPy path runs).

    Policy ``sync``: load or compile now. ``auto``: a ``big`` run loads or compiles now (a few
    seconds at most, repaid within the run); a small one loads a kernel that is on disk (a few
    milliseconds) and otherwise runs on the NumPy path (it costs a fraction of a second there).
    Nothing is compiled in a background thread: an LLVM compilation still running when the
    interpreter exits aborts the process (``docs/design/sfc-kernels.md``).
    """
    pol = policy()
    if pol == "off":
        return None
    if not fast_available():
        notice_missing()
        return None
    ks = source_of(cm)
    k = loaded(ks)
    if k is not None:
        return k
    if pol == "sync" or big or on_disk(ks):
        return _load_now(ks)
    return None


def _load_now(ks: KernelSource) -> Kernel:
    with _lock:
        k = _loaded.get(ks.key)
    if k is not None:
        return k
    k = _build(ks)
    with _lock:
        _loaded[ks.key] = k
    return k


def precompile(cm) -> Kernel:
    """Compile (or load) ``cm``'s kernel now and wait: for set-up scripts and benchmarks.

    Raises:
        MissingDependencyError: llvmlite (the ``fast`` extra) is not installed.
    """
    if not fast_available():
        from bubblemachine.errors import require

        require("llvmlite", "fast", "compiled kernels")
    return _load_now(source_of(cm))
