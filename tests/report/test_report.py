"""The report's extension API: catalogs, providers, keys, escaping, header stamps."""

from __future__ import annotations

import sys
import textwrap

import pytest

from bubblemachine.composition import REPORT_SECTIONS
from bubblemachine.data.store import Store
from bubblemachine.report import registry, render
from bubblemachine.report.i18n import LANGS, Catalog
from bubblemachine.report.sections import (
    Chart,
    Label,
    ReportContext,
    ReportError,
    Section,
    Table,
    Text,
)

CORE = [p for p in REPORT_SECTIONS if p.__module__ == "bubblemachine.report.core"]
"""The core providers (tests that exercise the renderer need not run every section)."""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return Store(tmp_path_factory.mktemp("bm-store-home"))


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load(registry.catalog_dirs(REPORT_SECTIONS))


@pytest.fixture(scope="module")
def sections(store, catalog):
    ctx = ReportContext(store=store, asof=None, lang="ko", catalog=catalog)
    return render.collect_sections(ctx, REPORT_SECTIONS)


def test_both_languages_define_the_same_keys(catalog):
    en, ko = set(catalog.messages["en"]), set(catalog.messages["ko"])
    assert en == ko, {"only en": sorted(en - ko), "only ko": sorted(ko - en)}
    assert all(catalog.messages[lang][k].strip() for lang in LANGS for k in en)


def test_every_key_used_by_the_template_exists_in_both_languages(catalog):
    keys = render.template_keys()
    assert "report.title" in keys and len(keys) >= 8  # the regex really finds t("...") calls
    assert catalog.missing(keys) == {lang: [] for lang in LANGS}


def test_every_key_used_by_every_section_exists_in_both_languages(sections, catalog):
    used = set().union(*(s.keys() for s in sections))
    assert len(used) > 50
    assert catalog.missing(used) == {lang: [] for lang in LANGS}


def test_korean_catalog_is_korean():
    # every prose key (titles, captions, intros) of the core catalog has Hangul in ko, none in en
    catalog = Catalog.load(registry.catalog_dirs(CORE))
    prose = [k for k in catalog.messages["ko"] if k.endswith((".title", ".caption", ".intro"))]
    assert len(prose) > 20
    for k in prose:
        assert any("\uac00" <= ch <= "\ud7a3" for ch in catalog.messages["ko"][k]), k
        assert not any("\uac00" <= ch <= "\ud7a3" for ch in catalog.messages["en"][k]), k


def test_every_chart_cites_a_mechanism_and_core_refs_are_present(sections):
    charts = [b for s in sections for b in s.blocks if isinstance(b, Chart)]
    assert len(charts) >= 9
    for c in charts:
        assert c.refs and all(r[0] in "MCF" and "." in r for r in c.refs), c.id
        assert c.data, c.id
    refs = {r for c in charts for r in c.refs}
    assert {"M2.1", "C2.1", "M6.1", "M6.2", "C6.3", "M1.4", "M3.1", "F4.2"} <= refs


def test_flip_levels_table_matches_monitor(sections, store):
    from bubblemachine.indicators import compute_monitor

    m = compute_monitor(store)
    table = next(
        b for s in sections for b in s.blocks if isinstance(b, Table) and b.id == "cta_flip_table"
    )
    assert len(table.rows) == 4
    level_8_32 = table.rows[0][2]
    assert level_8_32 == pytest.approx(m["cta_flip_8_32"].value, abs=1e-3)


def _write_catalog(d, en: str, ko: str):
    d.mkdir(parents=True, exist_ok=True)
    (d / "en.toml").write_text(textwrap.dedent(en), encoding="utf-8")
    (d / "ko.toml").write_text(textwrap.dedent(ko), encoding="utf-8")


def test_catalogs_merge_and_reject_duplicates(tmp_path):
    _write_catalog(tmp_path / "a", '[x]\nhello = "Hello"\n', '[x]\nhello = "안녕"\n')
    _write_catalog(tmp_path / "b", 'bye = "Bye"\n', 'bye = "잘 가"\n')
    cat = Catalog.load([tmp_path / "a", tmp_path / "b"])
    assert cat.t("x.hello", "ko") == "안녕" and cat.t("bye", "en") == "Bye"
    with pytest.raises(ReportError, match="nope"):
        cat.t("nope", "en")
    _write_catalog(tmp_path / "c", '[x]\nhello = "Again"\n', '[x]\nhello = "또"\n')
    with pytest.raises(ReportError, match="x.hello"):
        Catalog.load([tmp_path / "a", tmp_path / "c"])
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "en.toml").write_text('k = "v"\n')
    with pytest.raises(ReportError, match="ko.toml"):
        Catalog.load([tmp_path / "d"])


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A third-party section provider in its own package with its own catalogs."""
    pkg = tmp_path / "bm_plugin_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "report.py").write_text(
        textwrap.dedent(
            """
            from bubblemachine.report.sections import Chart, Label, Section, Table, Text

            def section(ctx):
                chart = Chart(id="plugin_chart", title_key="plugin.chart", caption_key="plugin.caption",
                              refs=("C9.9",), data=[{"type": "scatter", "name": "plugin.trace", "x": [1, 2], "y": [3, 4]}])
                table = Table(id="plugin_table", title_key="plugin.chart", columns=("plugin.col",),
                              rows=((Label("plugin.cell"),), ("<b>raw</b>",)))
                return Section("plugin", "plugin.title", "plugin.intro", (chart, table, Text("plugin.text")),
                               order=70, series=("GDP",))

            def nothing(ctx):
                return None

            def broken(ctx):
                return Section("broken", "plugin.title", "plugin.no_such_key", ())
            """
        )
    )
    _write_catalog(
        pkg / "i18n",
        """
        [plugin]
        title = "Were the articles right?"
        intro = "Intro <script>alert(1)</script>"
        chart = "Plugin chart"
        caption = "What you see."
        trace = "A trace"
        col = "Column"
        cell = "Cell"
        text = "Some text"
        """,
        """
        [plugin]
        title = "칼럼이 맞았을까?"
        intro = "소개"
        chart = "플러그인 차트"
        caption = "보이는 것."
        trace = "선"
        col = "열"
        cell = "칸"
        text = "본문"
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "bm_plugin_pkg.report"
    for name in [m for m in sys.modules if m.startswith("bm_plugin_pkg")]:
        del sys.modules[name]


def test_a_plugged_in_section_renders_with_its_own_catalog(plugin, store, tmp_path):
    import importlib

    mod = importlib.import_module(plugin)
    providers = [*CORE, mod.section, mod.nothing]
    dirs = registry.catalog_dirs(providers)
    assert any(d.parent.name == "bm_plugin_pkg" for d in dirs)
    res = render.build_report(store, out_dir=tmp_path / "out", providers=providers, lang="en")
    html = res.path.read_text(encoding="utf-8")
    assert [s.id for s in res.sections][-1] == "plugin"  # order 70 after core (10-50)
    assert "Were the articles right?" in html and "칼럼이 맞았을까?" in html
    assert "C9.9" in html and 'id="plot-plugin_chart"' in html
    assert (
        "GDP" in res.vintage and f"<code>GDP</code> {res.vintage['GDP']}" in html
    )  # its series stamped
    # autoescape: catalog text and table cells cannot inject markup
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    assert "<b>raw</b>" not in html and "&lt;b&gt;raw&lt;/b&gt;" in html


def test_a_missing_key_fails_the_build(plugin, store, tmp_path):
    with pytest.raises(ReportError, match="plugin.no_such_key"):
        render.build_report(store, out_dir=tmp_path / "out", providers=[__import__("importlib").import_module(plugin).broken])
    assert not (tmp_path / "out" / "report.html").exists()


def test_bad_providers_are_named_errors(store, tmp_path):
    with pytest.raises(ReportError, match="'no_colon_here': expected a function"):
        registry.resolve("no_colon_here")
    with pytest.raises(ReportError, match="pass a list of provider functions"):
        render.build_report(store, out_dir=tmp_path / "out", providers=None)
    with pytest.raises(ReportError, match="returned int, not Section or None"):
        render.collect_sections(ReportContext(store=store, asof=None, lang="en", catalog=None), [lambda ctx: 3])
    assert registry.provider_name(CORE[0]) == "bubblemachine.report.core:summary_section"


def test_the_report_package_does_not_know_its_sections():
    """The providers live in their rooms; only the composition root lists them."""
    import inspect
    import re

    for mod in (registry, render):
        imports = re.findall(r"^\s*(?:from|import) (bubblemachine\.[\w.]+)", inspect.getsource(mod), re.M)
        assert imports and not [m for m in imports if m.startswith(("bubblemachine.claims", "bubblemachine.scenarios",
                                                                    "bubblemachine.composition"))], imports


def test_section_keys_cover_every_block():
    s = Section(
        "s", "t", "i",
        (Text("a"), Chart("c", "ct", "cc", ("M1.1",), [{"name": "tn"}, {}], axis_keys={"yaxis.title.text": "ax"}),
         Table("tb", "tt", ("c1",), ((Label("lb"), 1.0),), caption_key="tc")),
    )  # fmt: skip
    assert s.keys() == {"t", "i", "a", "ct", "cc", "tn", "ax", "tt", "c1", "lb", "tc"}


def test_git_commit_never_fails(monkeypatch):
    import subprocess

    c = render.git_commit()
    assert c == "unknown" or (4 <= len(c) <= 12 and all(ch in "0123456789abcdef" for ch in c))

    def boom(*a, **k):
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", boom)
    assert render.git_commit() == "unknown"


@pytest.mark.parametrize("asof", ["1999-12-31", "2008-12-31"])
def test_report_builds_for_early_dates(store, tmp_path, asof):
    res = render.build_report(store, out_dir=tmp_path, asof=asof, lang="en", providers=CORE)
    html = res.path.read_text(encoding="utf-8")
    assert f"{asof}" in html
    assert all(last <= asof for last in res.vintage.values())
