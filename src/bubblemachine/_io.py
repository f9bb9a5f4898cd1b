"""File writes that are atomic and fail with a named error.

* Atomic: a temporary file in the same directory, fsync, then ``os.replace``. A reader (or a
  process killed half-way) sees either the old file or the new one, never a half-written one.
* Named errors: every :class:`OSError` a write meets (a read-only folder, a file where a
  folder should be, a folder where the file should be, a full disk) becomes a
  :class:`~bubblemachine.errors.PathError` whose message names the path and the cause in
  words (:func:`path_error`). Commands check their output paths before long work with
  :func:`check_output_file` / :func:`check_output_dir`, so a typo in ``--out`` costs nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bubblemachine.errors import PathError

_CAUSES = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied (operation not permitted)",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EISDIR: "is a folder, not a file",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "too many levels of symbolic links",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "already exists",
    errno.EBUSY: "the file is busy",
    errno.EXDEV: "cannot move across file systems",
}
if hasattr(errno, "EDQUOT"):
    _CAUSES[errno.EDQUOT] = "disk quota exceeded"


def _first_file_ancestor(path: Path) -> Path | None:
    """The nearest ancestor of ``path`` that exists and is not a folder (the cause of ENOTDIR)."""
    for parent in [path, *path.parents]:
        with contextlib.suppress(OSError):
            if parent.exists() and not parent.is_dir():
                return parent
    return None


def describe(exc: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """``"<path>: <cause in words>"`` for an :class:`OSError` met while using ``path``."""
    p = Path(path) if path is not None else (Path(exc.filename) if exc.filename else None)
    if exc.errno == errno.ENOTDIR and p is not None:
        bad = _first_file_ancestor(p)
        if bad is not None and bad != p:
            return f"{p}: {bad} is a file, not a folder"
        return f"{p}: is a file, not a folder"
    cause = _CAUSES.get(exc.errno) if exc.errno is not None else None
    if cause is None:
        cause = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".").lower()
    return f"{p}: {cause}" if p is not None else cause


def path_error(exc: OSError, path: str | os.PathLike[str] | None = None, *, action: str = "") -> PathError:
    """A :class:`PathError` for ``exc`` naming ``path``; ``action`` says what failed ("cannot write")."""
    text = describe(exc, path)
    if action:
        head, sep, cause = text.partition(": ")
        text = f"{head}: {action}: {cause}" if sep else f"{action}: {text}"
    return PathError(text)


def ensure_dir(path: str | os.PathLike[str]) -> Path:
    """Create folder ``path`` (and its parents) unless it exists; PathError naming the cause."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        if p.is_symlink() and not p.exists():
            raise PathError(f"{p}: a symbolic link to {os.readlink(p)}, which does not exist") from None
        raise PathError(f"{p}: is a file, not a folder") from None
    except OSError as exc:
        raise path_error(exc, p, action="cannot create the folder") from None
    return p


def _writable_dir(d: Path, *, what: str, label: str) -> None:
    """PathError unless folder ``d`` (or the nearest existing ancestor) can hold new entries."""
    probe = d
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise PathError(f"{label}{what}: {probe} is a file, not a folder")
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        raise PathError(f"{label}{what}: cannot write in {probe}: permission denied")


def check_output_file(
    path: str | os.PathLike[str], *, option: str = "", suffixes: tuple[str, ...] = ()
) -> Path:
    """Check, before any work, that a file can be written at ``path``; returns it as a Path.

    Raises :class:`PathError` (naming ``option`` and the path) when the name is empty, lacks
    one of ``suffixes``, is an existing folder, lies under a file, or sits in a folder the
    user may not write. The write itself still maps any other failure to a PathError.
    """
    label = f"{option} " if option else ""
    text = os.fspath(path)
    if not text.strip():
        raise PathError(f"{label}{text!r}: empty file name")
    p = Path(text).expanduser()
    if suffixes and p.suffix.lower() not in suffixes:
        raise PathError(f"{label}{p}: the file name must end in {' or '.join(suffixes)}")
    if p.is_dir():
        raise PathError(f"{label}{p}: is a folder, not a file")
    _writable_dir(p.parent, what=str(p), label=label)
    if p.exists() and not os.access(p, os.W_OK):
        raise PathError(f"{label}{p}: cannot replace the file: permission denied")
    return p


def check_output_dir(path: str | os.PathLike[str], *, option: str = "") -> Path:
    """Check, before any work, that folder ``path`` exists or can be created and written."""
    label = f"{option} " if option else ""
    text = os.fspath(path)
    if not text.strip():
        raise PathError(f"{label}{text!r}: empty folder name")
    p = Path(text).expanduser()
    if p.exists() and not p.is_dir():
        raise PathError(f"{label}{p}: is a file, not a folder")
    _writable_dir(p, what=str(p), label=label)
    return p


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically.

    On an exception the temporary file is removed and ``path`` is left untouched. A
    file-system failure (creating the folder, the temporary file, or the final rename)
    raises :class:`PathError` naming ``path`` and the cause.
    """
    target = Path(path)
    if target.is_dir():
        raise PathError(f"{target}: cannot write: is a folder, not a file")
    blocker = _first_file_ancestor(target.parent)
    if blocker is not None:
        raise PathError(f"{target}: cannot write: {blocker} is a file, not a folder")
    ensure_dir(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise path_error(exc, target, action="cannot write") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        # mkstemp creates 0600; give the file the usual permissions (0666 minus the umask).
        os.chmod(tmp_path, 0o666 & ~_umask())
        try:
            yield tmp_path
            with open(tmp_path, "rb+") as fh:
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_path, target)
        except OSError as exc:
            raise path_error(exc, target, action="cannot write") from None
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode(encoding))


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
