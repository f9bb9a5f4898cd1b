"""The bad-input harness: run one case of the corpus through the real CLI and check the contract.

A case is data (see ``README.md`` in this folder): the command line, the files to create
first, the exit code and a regular expression the one-line message must match. The harness
runs ``python -m bubblemachine ARGV`` in a subprocess, in its own session, with a timeout,
inside a fresh case folder, and checks what ``docs/cli.md`` promises for a user mistake:

* the exit code (2 unless the case says otherwise) and no hang (the timeout);
* exactly one line on stderr, ``error: ...``, matching the case's regex (which names the
  file, field or value), and no Python traceback anywhere;
* nothing written outside the places a command may write (``home/store``, ``home/sweeps``,
  ``home/cache``, ``home/kernels`` (the compiled-kernel cache), ``out``): every other file of the case folder is unchanged, no new file
  appears next to it, and nothing appears in the installed package;
* no process of the command's session outlives it (no orphan workers).

Cases that need a read-only folder get it by ``chmod`` or, when the tests run as root (root
ignores permission bits), by the immutable attribute (``chattr +i``, which root obeys);
where neither works they are skipped with the reason.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CASES_DIR = Path(__file__).with_name("cases")
#: case id -> its last :class:`Outcome` (for timing reports).
LAST: dict = {}
#: Sub-folders of a case folder that a command may write (relative to the case folder).
MAY_WRITE = ("home/store", "home/sweeps", "home/cache", "home/kernels", "out")
DEFAULT_TIMEOUT = 90.0
#: The longest one-line message accepted (a message quoting a huge value must shorten it).
MAX_MESSAGE = 1000
_KEYS = {"id", "argv", "files", "dirs", "readonly", "env", "expect", "exit", "xfail", "timeout",
         "stdin", "note", "may_write", "smoke", "stdout", "fifos", "symlinks"}


@dataclass(frozen=True)
class Case:
    """One bad input: what to set up, what to run, what to expect."""

    id: str
    argv: tuple[str, ...]
    expect: str
    source: str
    files: dict = field(default_factory=dict)
    dirs: tuple[str, ...] = ()
    readonly: tuple[str, ...] = ()
    env: dict = field(default_factory=dict)
    exit: int = 2
    xfail: str = ""
    timeout: float = DEFAULT_TIMEOUT
    stdin: str = ""
    note: str = ""
    may_write: tuple[str, ...] = MAY_WRITE
    smoke: bool = False
    stdout: str | None = None
    fifos: tuple[str, ...] = ()
    symlinks: dict = field(default_factory=dict)


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    """Every case of every ``*.toml`` file under ``directory`` (ids unique across files)."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for f in sorted(directory.glob("*.toml")):
        data = tomllib.loads(f.read_text(encoding="utf-8"))
        for i, raw in enumerate(data.get("case", [])):
            where = f"{f.name} case #{i + 1}"
            unknown = set(raw) - _KEYS
            if unknown:
                raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
            for key in ("id", "argv", "expect"):
                if key not in raw:
                    raise ValueError(f"{where}: missing {key!r}")
            cid = raw["id"]
            if cid in seen:
                raise ValueError(f"{where}: id {cid!r} already used in {seen[cid]}")
            seen[cid] = f.name
            re.compile(raw["expect"])
            cases.append(Case(
                id=cid, argv=tuple(raw["argv"]), expect=raw["expect"], source=f.name,
                files=dict(raw.get("files", {})), dirs=tuple(raw.get("dirs", ())),
                readonly=tuple(raw.get("readonly", ())), env=dict(raw.get("env", {})),
                exit=int(raw.get("exit", 2)), xfail=raw.get("xfail", ""),
                timeout=float(raw.get("timeout", DEFAULT_TIMEOUT)), stdin=raw.get("stdin", ""),
                note=raw.get("note", ""), may_write=tuple(raw.get("may_write", MAY_WRITE)),
                smoke=bool(raw.get("smoke", False)), stdout=raw.get("stdout"),
                fifos=tuple(raw.get("fifos", ())), symlinks=dict(raw.get("symlinks", {})),
            ))
    return cases


# ------------------------------------------------------------------ set-up
def _content(spec) -> bytes:
    """File content from a case: a string (UTF-8) or a table {text, encoding, bom, base64, repeat, times}."""
    if isinstance(spec, str):
        return spec.encode("utf-8")
    if "base64" in spec:
        return base64.b64decode(spec["base64"])
    text = spec.get("text", "")
    if "repeat" in spec:
        text += spec["repeat"] * int(spec.get("times", 1)) + spec.get("tail", "")
    data = text.encode(spec.get("encoding", "utf-8"))
    if spec.get("bom"):
        data = b"\xef\xbb\xbf" + data
    return data


def expand(text: str, root: Path) -> str:
    """Placeholders in argv and env: {tmp} (the case folder), {home}, {out}."""
    return (text.replace("{tmp}", str(root)).replace("{home}", str(root / "home"))
            .replace("{out}", str(root / "out")))


def set_up(case: Case, root: Path) -> None:
    """Create the case's files and folders under ``root`` (the case folder)."""
    (root / "home").mkdir(parents=True, exist_ok=True)
    (root / "work").mkdir(exist_ok=True)
    for d in case.dirs:
        (root / d).mkdir(parents=True, exist_ok=True)
    for name, spec in case.files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(_content(spec))
    for name in case.fifos:  # a reader that opens one blocks until a writer comes: a hang test
        os.mkfifo(root / name)
    for name, target in case.symlinks.items():  # target as written (relative, dangling, a loop...)
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / name)


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """path -> (size, mtime_ns) of every file and folder under ``root`` (not following links)."""
    out: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in (*dirnames, *filenames):
            p = Path(dirpath) / name
            with contextlib.suppress(OSError):
                st = p.lstat()
                out[str(p.relative_to(root))] = (st.st_size if not p.is_dir() else 0, st.st_mtime_ns if not p.is_dir() else 0)
    return out


def _allowed(rel: str, may_write: tuple[str, ...]) -> bool:
    return any(rel == w or rel.startswith(w + os.sep) for w in may_write)


# ------------------------------------------------------------------ processes
def _session_members(sid: int) -> list[int]:
    """Pids of live processes whose session id is ``sid`` (Linux /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # fields after the command name (which may hold spaces) closed by ')'
        rest = stat[stat.rfind(")") + 2:].split()
        state, session = rest[0], int(rest[3])
        if session == sid and state != "Z":
            members.append(int(entry.name))
    return members


def _kill_session(sid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(sid, signal.SIGKILL)
    for pid in _session_members(sid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


_READONLY_METHOD: str | None = None


def readonly_method() -> str:
    """How a case folder is made read-only here: ``chmod`` (not root), ``chattr`` (root: the
    immutable attribute, which root obeys), or ``""`` (root on a file system without it)."""
    global _READONLY_METHOD
    if _READONLY_METHOD is None:
        if os.geteuid() != 0:
            _READONLY_METHOD = "chmod"
        else:
            import shutil
            import tempfile

            _READONLY_METHOD = ""
            if shutil.which("chattr"):
                probe = Path(tempfile.mkdtemp(prefix="bm-ro-probe-"))
                try:
                    ok = subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode == 0
                    if ok:
                        try:
                            (probe / "x").touch()
                        except OSError:
                            _READONLY_METHOD = "chattr"
                finally:
                    subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
                    import shutil as _sh

                    _sh.rmtree(probe, ignore_errors=True)
    return _READONLY_METHOD


def set_readonly(paths: list[Path], on: bool) -> None:
    """Make folders read-only (or writable again) by :func:`readonly_method`."""
    method = readonly_method()
    for p in paths:
        if method == "chattr":
            subprocess.run(["chattr", "+i" if on else "-i", str(p)], capture_output=True, check=on)
        else:
            os.chmod(p, 0o555 if on else 0o755)


@dataclass
class Outcome:
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    orphans: list[int]
    seconds: float
    cpu: float | None = None  # the command's CPU seconds (forked runs)


ENV_COLD = "BUBBLEMACHINE_CORPUS_COLD"
_BASE_ENV = {"COLUMNS": "80", "LANG": "C.UTF-8", "TERM": "dumb", "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}


def _case_env(case: Case, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BUBBLEMACHINE_", "PYTEST_", "COV_", "LC_", "COLUMNS", "LINES"))}
    env.update(_BASE_ENV)
    env.update({"BUBBLEMACHINE_HOME": str(root / "home"), "HOME": str(root / "home")})
    env.update({k: expand(str(v), root) for k, v in case.env.items()})
    return env


class Zygote:
    """The pre-loaded server of ``zygote.py`` (one per test process), started on first use."""

    _instance: Zygote | None = None

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BUBBLEMACHINE_", "LC_"))}
        env.update(_BASE_ENV)
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("zygote.py")), "--warm"], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        ready = self._read(120.0)
        if ready is None or "ready" not in ready:
            raise RuntimeError("the corpus server did not start")

    @classmethod
    def get(cls) -> Zygote:
        if cls._instance is None or cls._instance.proc.poll() is not None:
            cls._instance = Zygote()
            atexit.register(cls._instance.close)
        return cls._instance

    def _read(self, timeout: float) -> dict | None:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def run(self, req: dict, timeout: float) -> tuple[int, int | None, bool, float | None]:
        """(pid, exit code, timed out, CPU seconds) of one forked command."""
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        started = self._read(30.0)
        if started is None or "pid" not in started:
            raise RuntimeError("the corpus server did not fork")
        pid = started["pid"]
        done = self._read(timeout)
        if done is not None:
            return pid, done["code"], False, done.get("cpu")
        _kill_session(pid)
        done = self._read(30.0) or {}
        return pid, done.get("code"), True, done.get("cpu")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        with contextlib.suppress(Exception):
            self.proc.kill()


def run_case(case: Case, root: Path, scratch: Path) -> Outcome:
    """Run the case's command line in ``root/work`` (its own session); kill the session on timeout.

    ``scratch`` (outside the watched folders) receives the captured stdout and stderr.
    """
    argv = [expand(a, root) for a in case.argv]
    env = _case_env(case, root)
    readonly = [root / d for d in case.readonly]
    set_readonly(readonly, True)
    try:
        return _run(case, root, scratch, argv, env)
    finally:
        set_readonly(readonly, False)


def _run(case: Case, root: Path, scratch: Path, argv: list[str], env: dict[str, str]) -> Outcome:
    start = time.monotonic()
    timed_out = False
    cpu = None
    if case.smoke or os.environ.get(ENV_COLD) or not hasattr(os, "fork"):  # a fresh program
        import resource

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bubblemachine", *argv], cwd=root / "work", env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", errors="replace", start_new_session=True,
        )
        try:
            out, err = proc.communicate(case.stdin, timeout=case.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_session(proc.pid)
            out, err = proc.communicate()
        pid, code = proc.pid, proc.returncode
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    else:
        scratch.mkdir(parents=True, exist_ok=True)
        paths = {k: scratch / k for k in ("stdin", "stdout", "stderr")}
        paths["stdin"].write_text(case.stdin, encoding="utf-8")
        req = {"argv": argv, "cwd": str(root / "work"), "env": env, **{k: str(v) for k, v in paths.items()}}
        pid, code, timed_out, cpu = Zygote.get().run(req, case.timeout)
        out = paths["stdout"].read_text(encoding="utf-8", errors="replace")
        err = paths["stderr"].read_text(encoding="utf-8", errors="replace")
    seconds = time.monotonic() - start
    orphans: list[int] = []
    if sys.platform.startswith("linux"):
        deadline = time.monotonic() + 3.0  # workers told to exit may need a moment
        orphans = _session_members(pid)
        while orphans and time.monotonic() < deadline:
            time.sleep(0.1)
            orphans = _session_members(pid)
        if orphans:
            _kill_session(pid)
    return Outcome(code, out, err, timed_out, orphans, seconds, cpu)


# ------------------------------------------------------------------ checks
def check(case: Case, watch: Path, package: Path, scratch: Path) -> list[str]:
    """Set up, run and check one case; returns the list of broken promises (empty: all kept).

    The case folder is ``watch/a/b/case``: a path that climbs out of it with ``..`` lands in
    ``watch``, which is checked too.
    """
    root = watch / "a" / "b" / "case"
    root.mkdir(parents=True)
    set_up(case, root)
    before = _tree(watch)
    prefix = str(Path("a", "b", "case"))
    may_write = tuple(os.path.join(prefix, w) for w in case.may_write)
    pkg_before = _tree(package)
    outcome = run_case(case, root, scratch)
    LAST[case.id] = outcome
    problems: list[str] = []
    if outcome.timed_out:
        problems.append(f"hang: still running after {case.timeout:.0f} s (killed)")
    elif outcome.returncode != case.exit:
        problems.append(f"exit code {outcome.returncode}, expected {case.exit}")
    text = outcome.stdout + outcome.stderr
    if "Traceback (most recent call last)" in text:
        problems.append("a Python traceback was printed")
    lines = outcome.stderr.strip("\n").split("\n") if outcome.stderr.strip() else []  # blank lines count
    if case.exit == 2 and not outcome.timed_out:
        if lines and len(lines[0]) > MAX_MESSAGE:
            problems.append(f"the message is {len(lines[0])} characters long (at most {MAX_MESSAGE})")
        if len(lines) != 1:
            problems.append(f"{len(lines)} lines on stderr, expected one")
        elif not lines[0].startswith("error: "):
            problems.append("the message does not start with 'error: '")
        if not re.search(case.expect, outcome.stderr):
            problems.append(f"message does not match {case.expect!r}")
    elif case.exit != 2 and not re.search(case.expect, text):
        problems.append(f"output does not match {case.expect!r}")
    if case.stdout is not None and not re.search(case.stdout, outcome.stdout):
        problems.append(f"stdout does not match {case.stdout!r}")
    if outcome.orphans:
        problems.append(f"{len(outcome.orphans)} process(es) outlived the command: {outcome.orphans}")
    after = _tree(watch)
    changed = sorted(
        rel for rel in set(before) | set(after)
        if before.get(rel) != after.get(rel) and not _allowed(rel, may_write)
    )
    if changed:
        problems.append(f"written outside the store/output folder: {changed[:5]}")
    pkg_after = _tree(package)
    if pkg_after != pkg_before:
        diff = sorted(k for k in set(pkg_before) | set(pkg_after) if pkg_before.get(k) != pkg_after.get(k))
        problems.append(f"the installed package changed: {diff[:5]}")
    if problems:
        problems.append(f"command: bubblemachine {' '.join(case.argv)}\nstdout: {outcome.stdout[-1500:]}\nstderr: {outcome.stderr[-3000:]}")
    return problems
