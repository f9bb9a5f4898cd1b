"""The [attribution] construct: expansion into equations and identities, and its load errors."""

from __future__ import annotations

import numpy as np
import pytest

import bubblemachine as bm
from bubblemachine.errors import AccountingError, ModelError
from bubblemachine.sfc import loads_model

HEAD = """
[model]
name = "toy"

[attribution]
groups = [
  { id = "drift", en = "Drift", ko = "추세", doc = "expected return" },
  { id = "flows", en = "Flows", ko = "수급" },
  { id = "noise", en = "Noise", ko = "잡음" },
]

[parameters]
mu = 0.001
b = 1.5
k = 0.5

[random]
eps = { dist = "normal", mean = 0, sd = 0.01 }

[initial]
p = 100
q = 50
r = 4
"""

SERIES = """
[attribution.series.p]
change = "log"
drift = "mu"
noise = "eps"

[attribution.series.q]
change = "log"
others = "b * contrib_p_{group}"

[equations]
r = "r[-1] + k * contrib_p_noise"

[attribution.series.r]
change = "diff"
noise = "k * contrib_p_noise"
"""


def _model(extra: str = SERIES, head: str = HEAD):
    return loads_model(head + extra, "toy.toml")


def test_expansion_writes_contributions_equations_and_identities():
    m = _model()
    a = m.attribution
    assert a.group_ids == ("drift", "flows", "noise")
    assert a.labels("ko") == {"drift": "추세", "flows": "수급", "noise": "잡음"}
    assert a.group("drift").doc == "expected return"
    # every group gets a contribution; a group the series leaves out is 0
    assert m.equations["contrib_p_drift"].text == "mu"
    assert m.equations["contrib_p_flows"].text == "0"
    # "others" fills every group not listed, {group} replaced by the id
    assert [m.equations[f"contrib_q_{g}"].text for g in a.group_ids] == [
        "b * contrib_p_drift", "b * contrib_p_flows", "b * contrib_p_noise"]
    # a series without an equation of its own is built from its contributions
    assert m.equations["p"].text == "p[-1] * exp(contrib_p_drift + contrib_p_flows + contrib_p_noise)"
    # a series with its own equation keeps it; the identity checks it
    assert m.equations["r"].text == "r[-1] + k * contrib_p_noise"
    assert a.get("p").generated_equation and not a.get("r").generated_equation
    assert m.hidden["log(p) - log(p[-1])"][0] == "contrib_p_drift + contrib_p_flows + contrib_p_noise"
    assert m.hidden["r - r[-1]"][0] == "contrib_r_drift + contrib_r_flows + contrib_r_noise"
    # generated names point back at the line that declared them
    src = m.sources["contrib_p_drift"]
    line = (HEAD + SERIES).splitlines().index('drift = "mu"') + 1
    assert src.file == "toy.toml" and src.table == "attribution.series.p" and src.line == line


def test_contributions_add_up_in_a_run():
    m = _model()
    r = bm.simulate(m, periods=30, paths=5, seed=3, progress=False)
    p, q = r["p"], r["q"]
    tot_p = sum(r[f"contrib_p_{g}"] for g in m.attribution.group_ids)
    np.testing.assert_allclose(np.diff(np.log(p), axis=1), tot_p[:, 1:], rtol=0, atol=1e-13)
    np.testing.assert_allclose(np.diff(np.log(q), axis=1), 1.5 * tot_p[:, 1:], rtol=0, atol=1e-13)
    tot_r = sum(r[f"contrib_r_{g}"] for g in m.attribution.group_ids)
    np.testing.assert_allclose(np.diff(r["r"], axis=1), tot_r[:, 1:], rtol=0, atol=1e-13)


def test_a_series_whose_terms_do_not_add_up_fails_its_identity():
    bad = SERIES.replace('r = "r[-1] + k * contrib_p_noise"', 'r = "r[-1] + 2 * k * contrib_p_noise"')
    with pytest.raises(AccountingError, match=r"r - r\[-1\]"):
        bm.simulate(_model(bad), periods=5, paths=2, seed=1, progress=False)


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ('[attribution.series.p]\nchange = "log"\ndrfit = "mu"\n',
         r"toy.toml:\d+: attribution.series.p.drfit: unknown group 'drfit' \(did you mean 'drift'\?\)"),
        ('[attribution.series.pp]\nchange = "log"\n',
         r"attribution.series.pp: unknown series 'pp' \(did you mean 'p'\?\)"),
        ('[attribution.series.p]\ndrift = "mu"\n', r"attribution.series.p.change must be \"log\""),
        ('[attribution.series.p]\nchange = "level"\n', r"change must be"),
        ('[attribution.series.p]\nchange = "log"\ndrift = "mu + {group}"\n', r"\{group\} is only allowed in others"),
        ('[attribution.series.p]\nchange = "log"\ndrift = "mu +"\n', r"toy.toml:\d+: attribution.series.p.drift \(drift\)"),
        ('[attribution.series.p]\nchange = "log"\nothers = "nope_{group}"\n[equations]\nq = "q[-1]"\nr = "r[-1]"\n',
         r"toy.toml:\d+: attribution.series.p.others: unknown name 'nope_drift'"),
        ('[attribution.series.mu]\nchange = "log"\n', r"'mu' is not an endogenous variable"),
        ('[attribution.series.p]\nchange = "log"\n[equations]\ncontrib_p_drift = "mu"\n', r"'contrib_p_drift' is defined twice"),
        ('[attribution.series.p]\nchange = "log"\n[hidden]\n"log(p) - log(p[-1])" = "0"\n', r"also written by hand"),
    ],
)
def test_load_errors_name_file_line_and_the_fix(extra, match):
    with pytest.raises(ModelError, match=match):
        _model(extra)


@pytest.mark.parametrize(
    ("groups", "match"),
    [
        ('groups = [ { id = "a", en = "A" } ]', r"toy.toml:\d+: attribution.groups\[0\] \(a\): needs a label in ko"),
        ('groups = [ { id = "a", en = "A", ko = "가" }, { id = "a", en = "B", ko = "나" } ]', r"group 'a' declared twice"),
        ('groups = [ { id = "Fiscal", en = "A", ko = "가" } ]', r"id must be a lower-case name"),
        ('groups = [ { id = "others", en = "A", ko = "가" } ]', r"id 'others' is reserved"),
        ('groups = [ { id = "a", en = "A", ko = "가", color = "red" } ]', r"unknown key\(s\) \['color'\]"),
        ("groups = []", r"non-empty list"),
    ],
)
def test_group_declaration_errors(groups, match):
    text = '[model]\nname = "t"\n[equations]\nx = "1"\n[attribution]\n' + groups + "\n"
    with pytest.raises(ModelError, match=match):
        loads_model(text, "toy.toml")


def test_series_without_groups_and_groups_declared_in_two_files(tmp_path):
    with pytest.raises(ModelError, match="no attribution.groups declared"):
        loads_model('[model]\nname = "t"\n[equations]\nx = "x[-1]"\n[attribution.series.x]\nchange = "diff"\n')
    d = tmp_path / "m"
    d.mkdir()
    (d / "model.toml").write_text('[model]\nname = "t"\n[equations]\nx = "x[-1] + contrib_x_a"\n'
                                  '[attribution]\ngroups = [ { id = "a", en = "A", ko = "가" } ]\n'
                                  '[attribution.series.x]\nchange = "diff"\na = "1"\n', encoding="utf-8")
    m = bm.load_model(d)
    assert m.attribution.series_names == ("x",)
    (d / "more.toml").write_text('[attribution]\ngroups = [ { id = "b", en = "B", ko = "나" } ]\n', encoding="utf-8")
    with pytest.raises(ModelError, match=r"more.toml:2: attribution.groups declared again \(first in .*model.toml:6\)"):
        bm.load_model(d)


def test_a_model_without_attribution_has_an_empty_one():
    m = bm.load_model("sim")
    assert not m.attribution and m.attribution.group_ids == () and m.attribution.series == ()
