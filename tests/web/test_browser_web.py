"""The playground in a real browser (Playwright driving Debian's chromium).

Pages load with no console error; a slider change re-runs the model and redraws the fan
chart; the language switch relabels the page; the URL restores the settings; 390 px has no
horizontal scroll. Skipped without Playwright or chromium.
"""

from __future__ import annotations

import re

import pytest

from bubblemachine.web.browser import have_browser, session

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_browser(), reason="needs playwright and Debian's chromium")]

FAST = "paths=100&horizon=63"


@pytest.fixture(scope="module")
def browser():
    with session() as b:
        yield b


def _page(browser, url: str, *, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(90_000)
    page.goto(url, wait_until="domcontentloaded")
    return page, errors


def _wait_result(page, old_job: str | None = None, chart: str = "play-fan-net_liquidity"):
    old = "null" if old_job is None else repr(old_job)
    cond = f"""() => {{ const r = document.querySelector('.whatif-result');
        if (!r || r.dataset.job === {old}) return false;
        const p = document.getElementById('plot-{chart}');
        if (p && !p.getAttribute('data-drawn')) p.scrollIntoView();
        return !!(p && p.querySelector('.main-svg')); }}"""
    page.wait_for_function(cond, timeout=120_000)
    return page.evaluate("document.querySelector('.whatif-result').dataset.job")


def test_whatif_slider_change_reruns_and_redraws(live_server, browser):
    page, errors = _page(browser, f"{live_server}/?scenario=shutdown&{FAST}&lang=en")
    job = _wait_result(page)
    page.evaluate("document.getElementById('plot-play-fan-net_liquidity').scrollIntoView()")
    before = page.evaluate("document.getElementById('plot-play-fan-net_liquidity').data[4].y.slice(-1)[0]")
    page.eval_on_selector("#p-tga_target", """el => { el.value = 950; el.dispatchEvent(new Event('input', {bubbles: true}));
                                                       el.dispatchEvent(new Event('change', {bubbles: true})); }""")
    job2 = _wait_result(page, job)
    assert job2 != job
    page.wait_for_function("location.search.includes('p.tga_target=950')")
    after = page.evaluate("document.getElementById('plot-play-fan-net_liquidity').data[4].y.slice(-1)[0]")
    assert after != pytest.approx(before, abs=1e-6)  # a higher TGA target drains liquidity: the chart moved
    assert "tga_target = 950" in page.inner_text(".whatif-result .stamp")
    href = page.get_attribute("#save-toml", "href")
    assert "p.tga_target=950" in href and "scenario=shutdown" in href
    assert errors == []
    page.close()


def test_the_url_restores_the_settings_and_the_language_switch_relabels(live_server, browser):
    page, errors = _page(browser, f"{live_server}/?scenario=hawkish_chair&{FAST}&p.vt_target=0.15&lang=ko")
    _wait_result(page)
    assert page.input_value("#scenario") == "hawkish_chair"
    assert float(page.input_value("#p-vt_target")) == pytest.approx(0.15)
    assert page.input_value("#paths") == "100" and page.input_value("#horizon") == "63"
    assert "매파" in page.inner_text("#scenario option:checked")
    # only the override in the URL is applied: untouched sliders send their defaults
    assert page.eval_on_selector_all(".whatif-result .stamp code", "els => els.map(e => e.textContent)") == ["vt_target = 0.15"]
    page.evaluate("document.getElementById('plot-play-fan-net_liquidity').scrollIntoView()")
    page.wait_for_function("[...document.querySelectorAll('.legendtext')].some(e => e.textContent === '기준 시나리오')")
    assert "만약에" in page.inner_text("nav.appnav")
    page.click("a[data-lang-link=en]")
    page.wait_for_load_state()
    assert "lang=en" in page.url and "p.vt_target=0.15" in page.url and "scenario=hawkish_chair" in page.url
    _wait_result(page)
    assert "What if" in page.inner_text("nav.appnav") and "매파" not in page.inner_text("main")
    page.evaluate("document.getElementById('plot-play-fan-net_liquidity').scrollIntoView()")
    page.wait_for_function("[...document.querySelectorAll('.legendtext')].some(e => e.textContent === 'Baseline')")
    assert errors == []
    page.close()


@pytest.mark.parametrize("path", ["/?" + FAST, "/monitor", "/monitor?asof=2020-03-31", "/claims", "/claims?verdict=supported"])
def test_pages_load_cleanly_and_fit_a_phone(live_server, browser, path):
    sep = "&" if "?" in path else "?"
    for width in (1280, 390):
        page, errors = _page(browser, f"{live_server}{path}{sep}lang=ko", width=width)
        page.wait_for_load_state("networkidle")
        if path.startswith("/?"):
            _wait_result(page)
        page.evaluate("BM.drawAll()")
        page.wait_for_function("[...document.querySelectorAll('.plot')].every(p => p.querySelector('.main-svg'))")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
        assert page.evaluate("document.querySelectorAll('.plot').length") >= (1 if path != "/claims?verdict=supported" else 1)
        text = page.inner_text("main")
        assert not re.search(r"\b(web|whatif|claims|trace|axis)\.[a-z_]+\b", text), "a raw catalog key is showing"
        assert errors == [], (path, width, errors)
        page.close()
