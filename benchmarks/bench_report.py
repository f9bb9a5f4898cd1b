"""Benchmark the HTML report: size, first screen drawn, every chart drawn (headless Chromium).

Targets (issue 13): report <= 3 MB; first screen drawn <= 2 s in headless Chromium; every
chart reachable. "First screen drawn" is the later of the first contentful paint and the
moment every chart inside the first 1280 x 900 viewport has drawn its SVG, measured in the
page (``performance.now()`` from navigation start). Also timed: the same for a reader who
opens the report at the What-if section (charts in view), and scrolling through every chart.

    .venv/bin/python benchmarks/bench_report.py                 # builds the report, 3 loads
    .venv/bin/python benchmarks/bench_report.py --html OLD.html  # measure another report file
    .venv/bin/python benchmarks/bench_report.py --runs 5

The build's wall and CPU time are printed too (CPU: user + sys of this process), with the
load average, since these machines are shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

FIRST_SCREEN = """() => {
  if (document.readyState === "loading") { return false; }
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  if (!fcp) { return false; }
  const vis = [...document.querySelectorAll(".plot")].filter(p => {
    const r = p.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; });
  if (!vis.every(p => p.querySelector(".main-svg"))) { return false; }
  window.__first = window.__first || Math.max(fcp.startTime, vis.length ? performance.now() : 0);
  return true;
}"""


def measure(browser, url: str, *, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"first": [], "first_whatif": [], "all": []}
    for _ in range(runs):
        for key, anchor in (("first", ""), ("first_whatif", "#chart-whatif-fan-spx")):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + anchor, wait_until="commit")
            page.wait_for_function(FIRST_SCREEN, polling="raf", timeout=180_000)
            out[key].append(page.evaluate("window.__first") / 1000)
            if key == "first":
                n = page.evaluate("document.querySelectorAll('.plot').length")
                for k in range(n):
                    page.evaluate(f"document.querySelectorAll('.plot')[{k}].scrollIntoView()")
                    page.wait_for_function(f"document.querySelectorAll('.plot')[{k}].querySelector('.main-svg') !== null",
                                           timeout=60_000)
                out["all"].append(page.evaluate("performance.now()") / 1000)
                out.setdefault("charts", []).append(n)
            page.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", type=Path, help="measure this report file instead of building one")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from bubblemachine.web.browser import launch

    tmp = tempfile.TemporaryDirectory(prefix="bm-bench-report-")
    if args.html is None:
        from bubblemachine.data.store import Store
        from bubblemachine.report.render import build_report

        t0, c0 = time.perf_counter(), os.times()
        res = build_report(Store(Path(tmp.name) / "home"), out_dir=Path(tmp.name) / "out", lang="ko")
        c1 = os.times()
        print(f"build: {time.perf_counter() - t0:.1f} s wall, {c1.user - c0.user + c1.system - c0.system:.1f} s CPU")
        path = res.path
    else:
        path = args.html
    size = path.stat().st_size
    with sync_playwright() as pw:
        browser = launch(pw)
        r = measure(browser, path.resolve().as_uri(), runs=args.runs)
        browser.close()
    tmp.cleanup()
    med = {k: statistics.median(v) for k, v in r.items()}
    print(f"report: {size / 1e6:.2f} MB, {int(med['charts'])} charts (target <= 3 MB)")
    print(f"first screen drawn (top of the page): median {med['first']:.2f} s of {r['first']} (target <= 2 s)")
    print(f"first screen drawn (opened at the What-if fan charts): median {med['first_whatif']:.2f} s")
    print(f"every chart drawn, scrolling through: median {med['all']:.1f} s")
    print(f"load average: {os.getloadavg()[0]:.1f} (machine cores: {os.cpu_count()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
