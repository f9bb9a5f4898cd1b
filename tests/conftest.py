"""Project-wide test fixtures.

Every test runs with ``BUBBLEMACHINE_HOME`` pointing at a fresh temporary directory, so no
test reads or writes the user's real store or caches, and no test depends on another.
"""

from __future__ import annotations

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
