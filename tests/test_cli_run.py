"""End to end: `bubblemachine run` writes an offline bilingual report; `monitor` JSON is right."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from bubblemachine.cli import app

runner = CliRunner()

REQUIRED = {
    "net_liquidity": "USD billions",
    "tga": "USD billions",
    "on_rrp": "USD billions",
    "reserves": "USD billions",
    "ust10y": "percent",
    "ust2y": "percent",
    "hy_oas": "percent",
    "ig_oas": "percent",
    "vix": "index points",
    "vix_vix3m_ratio": "ratio",
    "vol_target_exposure": "multiple of capital",
    "cta_signal": "forecast (-20..20)",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    home = tmp_path_factory.mktemp("bm-run-home")
    out = tmp_path_factory.mktemp("bm-run-out")
    res = runner.invoke(
        app,
        [
            "--home",
            str(home),
            "--quiet",
            "run",
            "--out",
            str(out),
            "--asof",
            "2024-12-31",
            "--lang",
            "en",
        ],
    )
    assert res.exit_code == 0, res.output
    return out, res.output


def test_run_writes_the_report_and_prints_its_path(report):
    out, output = report
    path = out / "report.html"
    assert path.exists()
    assert str(path.resolve()) in output
    assert "Net liquidity" in output  # the Rich summary
    assert not list(out.glob("*.tmp*"))  # atomic: no temp files left
    assert sorted(p.name for p in out.iterdir()) == ["monitor.csv", "monitor.json", "report.html"]
    exported = json.loads((out / "monitor.json").read_text(encoding="utf-8"))
    assert exported["net_liquidity"]["asof"] == "2024-12-25"
    csv_lines = (out / "monitor.csv").read_text(encoding="utf-8").splitlines()
    assert csv_lines[0] == "id,value,units,asof" and len(csv_lines) == len(exported) + 1


def test_report_is_offline_with_plotly_inlined_once(report):
    from bubblemachine.report.figures import PLOTLY_BUNDLE

    html = (report[0] / "report.html").read_text(encoding="utf-8")
    js = PLOTLY_BUNDLE.read_text(encoding="utf-8")  # plotly's cartesian partial bundle (issue 13)
    head = js[:200]
    assert html.count(head) == 1
    assert not re.search(r"<script[^>]+src=", html)
    assert '<script src="http' not in html and "cdn.plot.ly" not in html.replace(js, "")
    assert html.count("Plotly.newPlot") == 1


def test_report_has_both_languages_vintage_and_refs(report):
    from bubblemachine.report import registry
    from bubblemachine.report.i18n import Catalog

    html = (report[0] / "report.html").read_text(encoding="utf-8")
    from bubblemachine.composition import REPORT_SECTIONS

    cat = Catalog.load(registry.catalog_dirs(REPORT_SECTIONS))
    for key in (
        "report.title",
        "liquidity.title",
        "systematic.title",
        "ai.title",
        "chart.net_liquidity.title",
        "chart.cta_flip_levels.caption",
    ):
        for lang in ("en", "ko"):
            assert str(cat.t(key, lang)).replace("&", "&amp;") in html, (key, lang)
    # vintage header: asof and the last WALCL date used (Wednesday before 2024-12-31)
    header = html[html.index('id="vintage"') : html.index("</header>")]
    assert "2024-12-31" in header and "<code>WALCL</code> 2024-12-25" in header
    assert "bubblemachine 0." in header
    assert "2025-" not in header  # nothing after asof
    # the summary table shows net liquidity at 2024-12-25, formatted, next to its label
    summary = html[html.index('id="table-monitor"') :][:4000]
    nl = json.loads((report[0] / "monitor.json").read_text(encoding="utf-8"))["net_liquidity"][
        "value"
    ]
    assert re.search(rf"<td[^>]*>{nl:,.0f}</td>", summary)
    # every chart's ref ids and plot div are in the page
    from bubblemachine.report.render import decode_figures

    figs = decode_figures(
        re.search(r'<script type="application/octet-stream" class="bm-figures"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    assert len(figs) >= 9
    for cid in figs:
        block = html[html.index(f'id="chart-{cid}"') :][:3000]
        assert f'id="plot-{cid}"' in block
    for ref in ("M2.1", "C2.1", "M6.1", "M6.2", "C6.3", "M1.4", "M3.1", "F4.2"):
        assert f"<code>{ref}</code>" in html
    # no monitor figure carries data after asof (other sections may plot simulations or
    # event time, so only the core sections' charts are checked)
    core = {"net_liquidity", "liquidity_components", "crypto_liquidity", "rates_credit", "vix_ratio",
            "vol_target", "cta_signal", "cta_flip_levels", "ai_vs_rest", "hyperscaler_capex"}  # fmt: skip
    assert core <= set(figs)
    for cid in core:
        for tr in figs[cid]["data"]:
            xs = [
                x
                for x in tr.get("x", [])
                if isinstance(x, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", x)
            ]
            assert xs and max(xs) <= "2024-12-31", cid


def test_inline_script_is_valid_javascript(report, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed")
    html = (report[0] / "report.html").read_text(encoding="utf-8")
    script = html.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    f = tmp_path / "page.js"
    f.write_text(script, encoding="utf-8")
    subprocess.run([node, "--check", str(f)], check=True, capture_output=True, timeout=30)


def test_monitor_json_required_ids_and_units(tmp_path):
    res = runner.invoke(app, ["--home", str(tmp_path), "monitor", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for iid, units in REQUIRED.items():
        assert data[iid]["units"] == units, iid
        assert isinstance(data[iid]["value"], float), iid
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data[iid]["asof"]), iid


def test_monitor_asof_net_liquidity_matches_hand_computation(tmp_path):
    from bubblemachine.data import open_store

    res = runner.invoke(
        app, ["--home", str(tmp_path), "monitor", "--format", "json", "--asof", "2024-12-31"]
    )
    assert res.exit_code == 0, res.output
    nl = json.loads(res.stdout)["net_liquidity"]
    store = open_store(tmp_path)
    # by hand from the raw store rows: H.4.1 of Wednesday 2024-12-25 (USD millions) and the
    # last reverse-repo print on or before it (USD billions)
    walcl = store.frame("WALCL").loc["2024-12-25", "value"]
    tga = store.frame("WTREGEN").loc["2024-12-25", "value"]
    rrp = store.frame("RRPONTSYD").loc[:"2024-12-25", "value"].dropna().iloc[-1]
    assert nl["asof"] == "2024-12-25"
    assert nl["value"] == pytest.approx(walcl / 1000 - tga / 1000 - rrp, abs=1e-6)


def test_monitor_table_renders(tmp_path):
    res = runner.invoke(app, ["--home", str(tmp_path), "monitor", "--lang", "ko"])
    assert res.exit_code == 0, res.output
    assert "순유동성" in res.output and "유동성" in res.output


@pytest.mark.parametrize(
    "args",
    [
        ["monitor", "--asof", "2024-02-30"],
        ["run", "--asof", "yesterday"],
        ["monitor", "--format", "xml"],
        ["run", "--lang", "fr"],
    ],
)
def test_bad_options_are_named_errors(args, tmp_path, capsys, monkeypatch):
    """Through the real entry point: one line naming the option and the value, exit 2."""
    import sys

    from bubblemachine.cli import main

    argv = ["--home", str(tmp_path), *args, *(["--out", str(tmp_path)] if args[0] == "run" else [])]
    monkeypatch.setattr(sys, "argv", ["bubblemachine", *argv])
    with pytest.raises(SystemExit) as exc:
        main()
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert args[1] in err and args[2] in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_out_that_is_a_file_is_a_named_error(tmp_path):
    from bubblemachine.errors import BubbleMachineError

    blocker = tmp_path / "afile"
    blocker.write_text("x")
    res = runner.invoke(app, ["--home", str(tmp_path), "--quiet", "run", "--out", str(blocker)])
    assert res.exit_code != 0
    assert isinstance(res.exception, BubbleMachineError)
    assert "afile" in str(res.exception)
