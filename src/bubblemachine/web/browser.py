"""Drive Debian's Chromium with Playwright (tests, benchmarks, screenshots).

Playwright cannot download its own browsers here, so every caller launches the system
Chromium (``/usr/bin/chromium``, Debian package ``chromium``) through this one helper, with
the flags a headless, sandbox-less, offline run needs. Each launch gets a fresh profile
(Playwright's temporary user-data directory), so parallel test workers never share one.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Flags for a quiet, offline, headless run.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
)


def find_chromium() -> str | None:
    """Path of the system Chromium (``$BUBBLEMACHINE_CHROMIUM`` first), or None."""
    env = os.environ.get("BUBBLEMACHINE_CHROMIUM")
    if env and Path(env).is_file():
        return env
    for cand in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(cand).is_file():
            return cand
    return shutil.which("chromium") or shutil.which("chromium-browser")


def have_browser() -> bool:
    """True when Playwright (Python package) and a system Chromium are both installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return find_chromium() is not None


def launch(pw: Any, **kwargs: Any) -> Any:
    """``pw.chromium.launch`` on the system Chromium with :data:`CHROMIUM_ARGS`."""
    exe = find_chromium()
    if exe is None:
        from bubblemachine.errors import BubbleMachineError

        raise BubbleMachineError("no Chromium found: install Debian's 'chromium' (or set BUBBLEMACHINE_CHROMIUM)")
    return pw.chromium.launch(executable_path=exe, args=list(CHROMIUM_ARGS), headless=True, **kwargs)


@contextmanager
def session() -> Iterator[Any]:
    """A launched system Chromium for the duration of a ``with`` block (tests, scripts)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser
        finally:
            browser.close()
