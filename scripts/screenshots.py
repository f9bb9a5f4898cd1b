"""Screenshots of the playground's pages and of the report, for docs/ (refresh when pages change).

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png

Starts the web app on a free loopback port in this process, opens each page in Debian's
chromium (Playwright) at desktop and phone width, waits until its charts are drawn, and
saves PNGs. Korean pages need a Korean font (Debian: fonts-nanum or fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAGES: tuple[tuple[str, str, int], ...] = (
    ("playground-whatif-en", "/?scenario=shutdown&p.tga_target=900&lang=en", 1400),
    ("playground-whatif-ko", "/?scenario=hawkish_chair&lang=ko", 1400),
    ("playground-monitor-en", "/monitor?lang=en", 1280),
    ("playground-claims-ko", "/claims?verdict=supported&lang=ko", 1280),
    ("playground-whatif-phone-ko", "/?scenario=shutdown&lang=ko", 390),
)


def _serve():
    import uvicorn

    from bubblemachine.data.store import Store
    from bubblemachine.scenarios import runner
    from bubblemachine.web.app import create_app

    runner.compiled(runner.load("baseline")[1])
    app = create_app(store=Store(Path(tempfile.mkdtemp(prefix="bm-shots-"))), warm=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{sock.getsockname()[1]}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from bubblemachine.web.browser import launch

    args.out.mkdir(parents=True, exist_ok=True)
    server, base = _serve()
    with sync_playwright() as pw:
        browser = launch(pw)
        for name, path, width in PAGES:
            page = browser.new_page(viewport={"width": width, "height": 1000 if width > 500 else 844})
            page.set_default_timeout(180_000)
            page.goto(base + path, wait_until="domcontentloaded")
            if path.startswith("/?"):
                page.wait_for_function("() => document.querySelector('.whatif-result .plot')")
                if width > 500:
                    page.evaluate("() => document.querySelector('details.sliders').scrollTop = 0")
            page.wait_for_function("() => window.BM && document.documentElement.getAttribute('data-bm-charts') === 'ready'")
            page.wait_for_function("""() => [...document.querySelectorAll('.plot')].filter(p => {
                const r = p.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; })
                .every(p => p.querySelector('.main-svg'))""")
            page.wait_for_timeout(500)
            target = args.out / f"{name}.png"
            page.screenshot(path=str(target))
            print(target.relative_to(ROOT))
            page.close()
        browser.close()
    server.should_exit = True
    return 0


if __name__ == "__main__":
    sys.exit(main())
