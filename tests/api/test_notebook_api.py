"""The notebook API: top-level verbs returning DataFrames, dir(), Result.plot and HTML display."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bubblemachine as bm
from bubblemachine.data.store import Store

SCEN = Path(__file__).parents[1] / "scenarios" / "scen"


def test_dir_lists_the_public_api_and_every_name_resolves():
    names = [n for n in dir(bm) if not n.startswith("_")]
    for verb in ("monitor", "claims", "compare", "explain", "simulate", "load_model", "Result", "open_store"):
        assert verb in names
    assert "import_module" not in names and "Any" not in names  # no helper imports
    for n in names:
        assert getattr(bm, n) is not None
    with pytest.raises(AttributeError, match="no_such"):
        bm.no_such  # noqa: B018


def test_import_stays_light():
    code = "import sys, bubblemachine as bm; dir(bm); print('pandas' in sys.modules, 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return Store(tmp_path_factory.mktemp("api-store"))


def test_monitor_is_a_frame_of_the_indicators(store):
    from bubblemachine.indicators import compute_monitor

    df = bm.monitor(store=store)
    ind = compute_monitor(store)
    assert list(df.columns) == ["label", "group", "value", "units", "change_4w", "asof"]
    assert set(df.index) == set(ind)
    assert df.loc["net_liquidity", "value"] == pytest.approx(ind["net_liquidity"].value)
    assert df.loc["net_liquidity", "change_4w"] == pytest.approx(ind["net_liquidity"].change(28))
    assert df.loc["net_liquidity", "units"] == "USD billions"
    ko = bm.monitor(store=store, lang="ko")
    assert ko.loc["net_liquidity", "label"].startswith("순유동성") and ko.loc["net_liquidity", "units"] == "십억 달러"


def test_monitor_as_of_and_history_use_only_what_was_known(store):
    df = bm.monitor("2020-03-31", store=store)
    assert df.attrs["asof"] == "2020-03-31" and (df["asof"].dropna() <= "2020-03-31").all()
    h = bm.monitor("2020-03-31", history="2019-01-01", store=store)
    assert h.index.min() >= np.datetime64("2019-01-01") and h.index.max() <= np.datetime64("2020-03-31")
    assert "net_liquidity" in h.columns and h["net_liquidity"].notna().sum() > 50
    with pytest.raises(Exception, match="lang"):
        bm.monitor(store=store, lang="fr")


def test_claims_is_a_scoreboard_frame_with_filters(store):
    df = bm.claims(["C6.3", "C2.1"], store=store)
    assert list(df.index) == ["C2.1", "C6.3"] or set(df.index) == {"C2.1", "C6.3"}
    for col in ("verdict", "effect", "ci_low", "ci_high", "n", "seed", "short"):
        assert col in df.columns
    v = df.loc["C6.3", "verdict"]
    only = bm.claims(["C6.3", "C2.1"], store=store, verdict=v)
    assert "C6.3" in only.index and (only["verdict"] == v).all()
    assert bm.claims(["C6.3"], store=store, seed="999" if False else df.loc["C6.3", "seed"]).shape[0] == 1
    with pytest.raises(Exception, match="seed '777' is not one of 000"):
        bm.claims(["C6.3"], store=store, seed="777")
    with pytest.raises(Exception, match="verdict 'true' is not one of supported"):
        bm.claims(["C6.3"], store=store, verdict="true")


def test_compare_and_explain_return_frames_in_display_units():
    a, b = str(SCEN / "tiny_base.toml"), str(SCEN / "tiny_qe.toml")
    df = bm.compare(a, b, paths=20, horizon=20, seed=1)
    assert {"kind", "a_median", "b_median", "diff_median"} <= set(df.columns)
    assert df.loc["net_liquidity", "diff_median"] == pytest.approx(100.0)  # the QE adds 100 bn
    assert df.attrs["paths"] == 20 and df.attrs["seed"] == 1
    ex = bm.explain(b, vs=a, paths=20, horizon=20, seed=1)
    assert "total" in ex.columns and "plumbing" in ex.columns
    groups = [c for c in ex.columns if c not in ("total", "median_total", "kind")]
    assert ex.loc["spx", groups].sum() == pytest.approx(ex.loc["spx", "total"], abs=1e-9)


def test_result_plots_a_fan_chart_and_renders_as_html():
    import plotly.graph_objects as go

    r = bm.simulate("sim", paths=30, periods=20, seed=3, progress=False)
    var = r.names[0]
    fig = r.plot(var)
    assert isinstance(fig, go.Figure) and len(fig.data) == 5
    q = np.quantile(r[var], [0.05, 0.5, 0.95], axis=0)
    np.testing.assert_allclose(fig.data[0].y, q[0], rtol=1e-12)  # lower band
    np.testing.assert_allclose(fig.data[4].y, q[1], rtol=1e-12)  # median
    np.testing.assert_allclose(fig.data[1].y, q[2], rtol=1e-12)  # upper band
    both = r.plot(var, baseline=r)
    assert len(both.data) == 10
    html = r._repr_html_()
    assert "<table" in html and "seed 3" in html and var in html


def test_a_verb_named_like_a_subpackage_survives_importing_the_subpackage():
    code = (
        "import bubblemachine.claims\nimport bubblemachine as bm\nfrom bubblemachine.claims import run_claims\n"
        "import bubblemachine.claims as c\n"
        "print(callable(bm.claims), bm.claims.run_claims is run_claims, c.run_claims is run_claims,"
        " 'verdict' in str(__import__('inspect').signature(bm.claims)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True"] * 4
