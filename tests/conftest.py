"""Project-wide test fixtures.

Every test runs with ``BUBBLEMACHINE_HOME`` pointing at a fresh temporary directory, so no
test reads or writes the user's real store or caches, and no test depends on another.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    from bubblemachine import paths
    from bubblemachine.cli._common import state

    home = tmp_path_factory.mktemp("bm-home")
    monkeypatch.setenv(paths.ENV_HOME, str(home))
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    # compiled kernels are tested on purpose (tests/sfc/test_kernels.py); elsewhere the NumPy
    # path runs, so no test compiles a kernel in the background into its throw-away home
    monkeypatch.setenv("BUBBLEMACHINE_KERNEL", "off")
    paths.set_home(None)
    state.quiet = False
    yield home
    paths.set_home(None)
    state.quiet = False


# ---------------------------------------------------------------- where the suite's CPU goes
# BUBBLEMACHINE_TEST_CPU=/tmp/cpu pytest ... writes, per worker, one line per test: node id,
# the worker's own CPU seconds and its children's (CLI subprocesses, browsers) for the whole
# test protocol (setup, call, teardown; a module fixture counts for the first test using it).
# benchmarks/bench_test_suite.py --by-file sums them per file.
_CPU_LOG = os.environ.get("BUBBLEMACHINE_TEST_CPU")
if _CPU_LOG:
    import resource
    import time

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        own0 = time.process_time()
        kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        yield
        kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        kids = (kids1.ru_utime - kids0.ru_utime) + (kids1.ru_stime - kids0.ru_stime)
        kids += sum(v for k, v in item.user_properties if k == "child_cpu" and v)  # forked, not waited here
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(f"{_CPU_LOG}.{worker}", "a", encoding="utf-8") as fh:
            fh.write(f"{item.nodeid}\t{time.process_time() - own0:.3f}\t{kids:.3f}\n")
