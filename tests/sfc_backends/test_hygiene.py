"""Process hygiene: a sweep on the process backend killed with SIGKILL leaves no process behind,
and nothing more is written into its folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc") or sys.platform != "linux", reason="reads /proc (Linux)")


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            parent[int(d)] = int(fields[1])
    out: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier} - out
        out |= frontier
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


@pytest.mark.timeout(240)
def test_sigkilled_sweep_leaves_no_process_and_writes_nothing_more(tmp_path):
    out = tmp_path / "sweep"
    env = dict(os.environ, BUBBLEMACHINE_HOME=str(tmp_path / "home"))
    cmd = [sys.executable, "-m", "bubblemachine", "--quiet", "sweep", "sim", "--grid", "alpha1=0.5:0.7:400",
           "--paths", "400", "--periods", "400", "--backend", "process", "--workers", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    workers: set[int] = set()
    try:
        deadline = time.time() + 180
        while time.time() < deadline:  # wait until the pool runs and has written a shard
            if proc.poll() is not None:
                pytest.fail(f"the sweep ended before it was killed: {proc.stderr.read().decode()[-500:]}")
            workers = _children(proc.pid)
            if len(workers) >= 2 and any((out / "points").glob("point-*.parquet")):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the sweep did not start its workers in time")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.time() + 15
        while time.time() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        left = [p for p in workers if _alive(p)]
        assert not left, f"processes outlived the killed sweep: {left}"
        files = sorted(p.name for p in (out / "points").iterdir())
        time.sleep(2.0)
        assert sorted(p.name for p in (out / "points").iterdir()) == files, "files appeared after the kill"
        assert not (out / "sweep.json").exists()
    finally:  # never leave anything behind, even when the test fails
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for p in workers | _children(proc.pid):
            if _alive(p):
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass


def test_workers_know_their_parent():
    """In the driver, parent_alive() is True; a pool worker sees its parent (and would exit without it)."""
    from bubblemachine.sfc.backends import ProcessBackend, gather, parent_alive

    assert parent_alive()
    with ProcessBackend(workers=1) as pool:
        assert gather(pool.map(_report_parent, [0], shared=os.getpid()), 1) == [True]


def _report_parent(driver: int, _task: int) -> bool:
    from bubblemachine.sfc.backends import parent_alive

    return parent_alive() and os.getppid() == driver


def test_the_cli_home_reaches_worker_processes(tmp_path):
    """--home lives in the environment (no module variable), so spawned workers see it too."""
    from bubblemachine import paths
    from bubblemachine.sfc.backends import ProcessBackend, gather

    paths.set_home(tmp_path / "cli-home")
    try:
        assert paths.home() == tmp_path / "cli-home"
        with ProcessBackend(workers=1) as pool:
            assert gather(pool.map(_home_of_worker, [0]), 1) == [str(tmp_path / "cli-home")]
    finally:
        paths.set_home(None)
    assert paths.home() != tmp_path / "cli-home"  # BUBBLEMACHINE_HOME applies again


def _home_of_worker(_shared, _task) -> str:
    from bubblemachine import paths

    return str(paths.home())
