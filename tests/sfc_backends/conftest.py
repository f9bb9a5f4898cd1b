"""Fixtures for backend tests: one local Ray instance (2 CPUs) per module that asks for it."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(scope="session")
def pool():
    """One 2-worker process pool shared by the tests of this directory (spawning is slow)."""
    from bubblemachine.sfc.backends import ProcessBackend

    with ProcessBackend(workers=2) as be:
        yield be


@pytest.fixture(scope="module")
def ray_backend():
    """A :class:`RayBackend` on a local 2-CPU Ray instance, shut down after the module."""
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'bubblemachine[ray]')")
    from bubblemachine.sfc.backends import RayBackend

    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    backend = RayBackend(workers=2)
    yield backend
    backend.close()
    assert not ray.is_initialized()
