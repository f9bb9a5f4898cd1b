"""Figure payloads, dual-axis ticks, tones, number formats, compressed figures."""

from __future__ import annotations

import math

import pytest

from bubblemachine.report import render
from bubblemachine.report.figures import (
    PLOTLY_BUNDLE,
    align_dual_axes,
    figure_dict,
    figure_payload,
    nice_step,
    set_path,
)
from bubblemachine.report.i18n import Catalog
from bubblemachine.report.sections import Chart, Label, ReportError, Section, Table


def _cat() -> Catalog:
    en = {"a": "Alpha", "b": "Beta", "ax": "USD", "s1": "Shutdown", "s2": "Reopening"}
    ko = {"a": "알파", "b": "베타", "ax": "달러", "s1": "셧다운", "s2": "재개방"}
    return Catalog({"en": en, "ko": ko})


def test_nice_step_is_round_and_covers_the_span():
    for span, n in [(35.0, 5), (0.7, 4), (1234.0, 6), (89.2, 5)]:
        step = nice_step(span, n)
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10)), step
        assert step * n >= span


@pytest.mark.parametrize(
    ("y1", "y2"),
    [((20, 105), (-16.3, 72.9)), ((-10, 30), (5, 80)), ((0.2, 1.9), (5, 80)), ((5600, 5720), (-3, 2))],
)
def test_dual_axes_get_round_aligned_ticks(y1, y2):
    data = [{"type": "bar", "y": list(y1)}, {"type": "scatter", "yaxis": "y2", "y": list(y2)}]
    out = align_dual_axes(data, {"yaxis2": {"overlaying": "y", "side": "right"}})
    a, b = out["yaxis"], out["yaxis2"]
    for ax, (lo, hi) in ((a, (min(0, y1[0]), y1[1])), (b, y2)):
        r0, r1 = ax["range"]
        assert r0 <= lo and r1 >= hi  # covers the data (bars from zero)
        mantissa = ax["dtick"] / 10 ** math.floor(math.log10(ax["dtick"]))
        assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))
    # same number of gridlines on both axes (pad excluded): they coincide
    n_a = (a["range"][1] - a["range"][0]) / 1.04 / a["dtick"]
    n_b = (b["range"][1] - b["range"][0]) / 1.04 / b["dtick"]
    assert n_a == pytest.approx(round(n_a), abs=1e-6) and n_a == pytest.approx(n_b, abs=1e-6)
    if a["range"][0] < 0 < a["range"][1] and b["range"][0] < 0 < b["range"][1]:  # zero on one gridline
        za = -a["range"][0] / (a["range"][1] - a["range"][0])
        zb = -b["range"][0] / (b["range"][1] - b["range"][0])
        assert za == pytest.approx(zb, abs=1e-9)


def test_dual_axes_leave_log_axes_and_hand_set_ranges_alone():
    data = [{"y": [1, 2]}, {"yaxis": "y2", "y": [3, 4]}]
    log = {"yaxis2": {"overlaying": "y", "type": "log"}}
    assert align_dual_axes(data, log) == log
    fixed = {"yaxis": {"range": [0, 5]}, "yaxis2": {"overlaying": "y"}}
    assert align_dual_axes(data, fixed) == fixed


def test_set_path_handles_nested_lists():
    d: dict = {"updatemenus": [{"buttons": [{"label": "x"}, {"label": "y"}]}]}
    set_path(d, "updatemenus[0].buttons[1].label", "Z")
    set_path(d, "yaxis.title.text", "T")
    assert d["updatemenus"][0]["buttons"][1]["label"] == "Z" and d["yaxis"]["title"]["text"] == "T"


def test_payload_and_figure_translate_names_axes_menus_and_ticks():
    chart = Chart(
        "c", "a", "b", ("M1.1",),
        data=[{"type": "bar", "name": "a", "x": ["2025-01-01"], "y": [1]}, {"type": "scatter", "x": ["2025-01-01"], "y": [2]}],
        layout={"yaxis": {"tickvals": ["s1", "s2"]}, "updatemenus": [{"buttons": [{"label": "s1"}]}]},
        axis_keys={"yaxis.title.text": "ax", "yaxis.ticktext": ("s1", "s2"), "updatemenus[0].buttons[0].label": "s1"},
    )  # fmt: skip
    p = figure_payload(chart, _cat(), ("ko", "en"))
    assert p["dates"] is True and "name" not in p["data"][0]
    assert p["labels"]["ko"]["names"] == ["알파", ""]
    assert p["labels"]["en"]["layout"]["yaxis.ticktext"] == ["Shutdown", "Reopening"]
    f = figure_dict(chart, _cat(), "ko")
    assert f["data"][0]["name"] == "알파" and f["layout"]["yaxis"]["title"]["text"] == "달러"
    assert f["layout"]["updatemenus"][0]["buttons"][0]["label"] == "셧다운"
    assert chart.label_keys() == {"a", "ax", "s1", "s2"}
    assert Section("s", "a", "b", (chart,)).keys() >= {"s1", "s2", "ax"}


def test_a_trace_the_bundle_cannot_draw_is_a_named_error():
    chart = Chart("geo", "a", "b", ("M1.1",), data=[{"type": "scattergeo"}])
    with pytest.raises(ReportError, match="geo.*scattergeo"):
        figure_payload(chart, _cat(), ("en",))


def test_the_bundle_is_the_cartesian_partial_one():
    head = PLOTLY_BUNDLE.read_text(encoding="utf-8")[:300]
    assert "cartesian" in head and PLOTLY_BUNDLE.stat().st_size < 2_000_000


def test_counts_print_as_integers_and_floats_by_magnitude():
    import numpy as np

    assert render.format_value(23) == "23" and render.format_value(np.int64(1234)) == "1,234"
    assert render.format_value(23.0) == "23.00" and render.format_value(1234.5) == "1,234"
    assert render.format_value(np.float64(0.5)) == "0.50" and render.format_value(None) == "–"


def test_figures_round_trip_through_the_compressed_block():
    figs = {"a": {"data": [{"x": [1, 2], "y": [3.5, None]}], "layout": {}, "labels": {"ko": "한글 </script>"}}}
    text = render.encode_figures(figs)
    assert text.isascii() and "<" not in text
    assert render.decode_figures(text) == figs


def test_tones_colour_labels_and_reject_unknown_tones():
    with pytest.raises(ReportError, match="tone"):
        Label("x", tone="green")
    helpers = render.TemplateHelpers(_cat(), ("ko", "en"))
    html = str(helpers.cell(Label("a", tone="positive")))
    assert 'class="tone tone-positive"' in html and "알파" in html and "Alpha" in html
    assert 'data-ko="달러"' in str(helpers.col_attrs("ax"))
    one = render.TemplateHelpers(_cat(), ("en",))
    assert str(one.t("a")) == "Alpha"
    assert Table("t", "a", ("ax",), ((Label("a", tone="negative"),),)).rows[0][0].tone == "negative"
