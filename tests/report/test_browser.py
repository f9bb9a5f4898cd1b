"""Open the report offline in headless Chromium and check that every plotly chart rendered.

Skipped when Debian's ``chromium`` is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from bubblemachine.composition import REPORT_SECTIONS
from bubblemachine.data.store import Store
from bubblemachine.report import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _dump_dom(url: str, tmp_path) -> str:
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-extensions", "--virtual-time-budget=20000",
        f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url,
    ]  # fmt: skip
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (Debian package 'chromium')")
def test_report_renders_every_chart_offline(tmp_path):
    res = render.build_report(Store(tmp_path / "home"), out_dir=tmp_path / "out", lang="ko", providers=REPORT_SECTIONS)
    html = res.path.read_text(encoding="utf-8")
    n_charts = len(re.findall(r'<div class="plot" id="plot-', html))
    assert n_charts >= 9
    dom = _dump_dom(res.path.resolve().as_uri(), tmp_path)
    rendered = re.findall(r'class="[^"]*\bjs-plotly-plot\b', dom)
    assert len(rendered) == n_charts, f"{len(rendered)} of {n_charts} charts rendered"
    assert dom.count('class="main-svg"') >= n_charts  # each plot drew its SVG
    # the legend's trace names come from the Korean catalog (set by the language switch)
    assert re.search(r'class="legendtext"[^>]*data-unformatted="순유동성"', dom)
    assert not re.search(r'class="legendtext"[^>]*data-unformatted="trace\.', dom)  # no raw keys

    # the language switch: report.html#lang=en re-labels every chart in English (checked on
    # the core sections only: loading all ~70 charts a second time costs ~15 s)
    core = [p for p in REPORT_SECTIONS if p.__module__ == "bubblemachine.report.core"]
    res = render.build_report(
        Store(tmp_path / "home"), out_dir=tmp_path / "core", lang="ko", providers=core
    )
    n_charts = len(re.findall(r'<div class="plot" id="plot-', res.path.read_text(encoding="utf-8")))
    dom_en = _dump_dom(res.path.resolve().as_uri() + "#lang=en", tmp_path)
    assert 'data-lang="en"' in dom_en
    assert re.search(r'class="legendtext"[^>]*data-unformatted="Net liquidity"', dom_en)
    assert not re.search(r'class="legendtext"[^>]*data-unformatted="순유동성"', dom_en)
    assert len(re.findall(r'class="[^"]*\bjs-plotly-plot\b', dom_en)) == n_charts
