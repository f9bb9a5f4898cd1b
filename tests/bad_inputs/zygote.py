"""A pre-loaded parent that forks one real ``bubblemachine`` process per corpus case.

Starting Python and importing Typer (and Pydantic, which this Typer imports), then NumPy and
pandas, costs about a second of CPU per process; the corpus has hundreds of cases. This
server pays that once: it imports what the program imports at start-up (with ``--warm``
also NumPy, pandas and PyArrow, see :func:`_preload`), then for each request forks a child
that becomes the command: its own session (``setsid``), working folder, environment,
stdin/stdout/stderr, and calls the installed entry point ``bubblemachine.cli.main`` with
the case's argv, exiting with its code. No command has run in this process, so every case
starts from the state a fresh ``bubblemachine`` has when ``main()`` begins, give or take the
preloaded libraries (``BUBBLEMACHINE_CORPUS_COLD=1`` runs every case with a cold
``python -m bubblemachine`` instead; the smoke cases always run cold).

Protocol (one JSON object per line on stdin): a request ``{"argv", "cwd", "env", "stdin",
"stdout", "stderr"}`` (the last three are file paths) is answered with
``{"pid": n}`` at once, then ``{"pid": n, "code": c, "cpu": s}`` when the child has ended
(``c`` negative: killed by signal ``-c``; ``s`` the child's CPU seconds).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback


def _preload(warm: bool) -> None:
    """Load what ``bubblemachine`` has loaded when its ``main()`` starts; ``warm`` adds the
    third-party libraries most commands import anyway (NumPy, pandas, PyArrow).

    No module of Bubble Machine beyond its start-up ones is loaded, and no command has run:
    code that asks whether a library is already imported is the only way a warm child can
    differ from a fresh program; ``test_bad_inputs.py`` lists the one place that does it (the
    model loader checks a calendar's frequency early when pandas is loaded: the same error,
    raised a step sooner) and fails when another appears.
    """
    import typer.main

    import bubblemachine.cli  # noqa: F401  (what `bubblemachine` imports at start-up)

    if warm:
        import numpy  # noqa: F401
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    # Building the command tree imports what Typer needs to coerce options (Pydantic);
    # the child builds its own tree again, exactly as the program does.
    typer.main.get_command(bubblemachine.cli.app)


def _child(req: dict) -> None:
    code = 1
    try:
        os.setsid()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        fd_in = os.open(req["stdin"], os.O_RDONLY)
        fd_out = os.open(req["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        fd_err = os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for src, dst in ((fd_in, 0), (fd_out, 1), (fd_err, 2)):
            os.dup2(src, dst)
            os.close(src)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        sys.argv = ["bubblemachine", *req["argv"]]
        from bubblemachine.cli import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                sys.stderr.write(exc.code + "\n")
    except BaseException:  # what Python would print for an uncaught exception
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed pipe: nothing more to say
                pass
        os._exit(code)


def serve(warm: bool = False) -> None:
    _preload(warm)
    out = sys.stdout
    out.write(json.dumps({"ready": os.getpid()}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(req)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()
        _, status, usage = os.wait4(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        out.write(json.dumps({"pid": pid, "code": code, "cpu": round(cpu, 3)}) + "\n")
        out.flush()


if __name__ == "__main__":
    serve(warm="--warm" in sys.argv[1:])
