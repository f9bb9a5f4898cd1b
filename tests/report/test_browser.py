"""Open the full report offline in headless Chromium (Playwright) and check it as a reader would.

* size <= 3 MB, and the first screen draws no chart it does not show (charts are drawn when
  scrolled into view, which is what keeps the first draw fast; the time itself is measured
  by ``benchmarks/bench_report.py``, not asserted here);
* every chart is reachable: scrolled into view, each one draws, with no console error;
* the language switch relabels the charts (legends, axis titles, drop-down menus);
* 390 px wide: no horizontal scroll, tables become cards.

Skipped when Playwright or Debian's ``chromium`` is missing.
"""

from __future__ import annotations

import re

import pytest

from bubblemachine.composition import REPORT_SECTIONS
from bubblemachine.data.store import Store
from bubblemachine.report import render
from bubblemachine.web.browser import have_browser, session

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_browser(), reason="needs playwright and Debian's chromium"),
]

MAX_BYTES = 3_000_000
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    home = tmp_path_factory.mktemp("browser-home")
    return render.build_report(Store(home), out_dir=home / "out", lang="ko", providers=REPORT_SECTIONS)


@pytest.fixture(scope="module")
def browser():
    with session() as b:
        yield b


def _open(browser, url: str, *, width: int = 1280, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("document.documentElement.getAttribute('data-bm-charts') === 'ready'")
    return page, errors


def test_report_is_small_draws_lazily_and_every_chart_is_reachable(report, browser):
    assert report.size_bytes <= MAX_BYTES, f"report is {report.size_bytes / 1e6:.2f} MB"
    html = report.path.read_text(encoding="utf-8")
    n_charts = len(re.findall(r'<div class="plot" id="plot-', html))
    assert n_charts >= 40
    page, errors = _open(browser, report.path.resolve().as_uri())
    page.wait_for_timeout(300)
    drawn_at_load = page.evaluate("document.querySelectorAll('.plot[data-drawn]').length")
    assert drawn_at_load < 6, f"{drawn_at_load} charts drawn before any scrolling"
    for k in range(n_charts):
        page.evaluate(f"document.querySelectorAll('.plot')[{k}].scrollIntoView()")
        page.wait_for_function(f"document.querySelectorAll('.plot')[{k}].querySelector('.main-svg') !== null")
    assert page.evaluate("document.querySelectorAll('.plot .main-svg').length") >= n_charts
    # Korean view: legends and drop-downs come from the Korean catalog, never raw keys or ids
    legends = page.eval_on_selector_all(".legendtext", "els => els.map(e => e.textContent)")
    assert "순유동성" in legends and not [x for x in legends if x.startswith(("trace.", "whatif."))]
    menus = page.eval_on_selector_all(".updatemenu-item-text", "els => els.map(e => e.textContent)")
    assert menus and all(HANGUL.search(m) or m.isascii() and not re.fullmatch(r"[a-z_0-9]+", m) for m in menus), menus
    assert "정부 셧다운" in menus and "reopening_wave" not in menus
    axes = page.eval_on_selector_all(".g-ytitle .ytitle", "els => els.map(e => e.textContent)")
    assert "십억 달러" in axes
    assert errors == []
    # the language switch relabels the charts already drawn
    page.click("button[data-set-lang=en]")
    page.wait_for_function("[...document.querySelectorAll('.legendtext')].some(e => e.textContent === 'Net liquidity')")
    legends = page.eval_on_selector_all(".legendtext", "els => els.map(e => e.textContent)")
    assert not [x for x in legends if HANGUL.search(x)]
    assert page.evaluate("document.body.getAttribute('data-lang')") == "en"
    page.close()


def test_report_opens_in_english_from_the_url(report, browser):
    page, errors = _open(browser, report.path.resolve().as_uri() + "#lang=en")
    page.evaluate("document.getElementById('sec-liquidity').scrollIntoView()")
    page.wait_for_function("[...document.querySelectorAll('.legendtext')].some(e => e.textContent === 'Net liquidity')")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert errors == []
    page.close()


def test_report_fits_a_phone(report, browser):
    page, errors = _open(browser, report.path.resolve().as_uri(), width=390, height=844)
    page.evaluate("BM.drawAll()")
    page.wait_for_function("document.querySelectorAll('.plot[data-drawn]').length === document.querySelectorAll('.plot').length")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # a table row is a card: its cells show their column's name (Korean view)
    label = page.evaluate(
        "getComputedStyle(document.querySelector('#table-whatif-extremes td:nth-child(2)'), '::before').content"
    )
    assert "순유동성" in label
    assert errors == []
    page.close()
