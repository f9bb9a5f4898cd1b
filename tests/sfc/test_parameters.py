"""Parameter records and the one validator of overrides (names, ranges, did you mean)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bubblemachine as bm
from bubblemachine.errors import ModelError, ParameterError, ScenarioError
from bubblemachine.sfc import loads_model, scenario_from_dict
from bubblemachine.sfc.parameters import (
    Parameter,
    distribution_support,
    parse_assignments,
    validate_distribution,
    validate_overrides,
)

TEXT = """
[model]
name = "rec"

[equations]
y = "a * x + b"

[parameters]
a = { value = 0.5, unit = "share", range = [0, 1], mechanism = "M7.3", doc = "a propensity", source = "the book" }
b = 2.0
c = { value = 3, mechanism = ["M6.1", "C2.1"] }

[exogenous]
x = { value = 10, unit = "USD bn/day", range = [0, inf], mechanism = "M1.2" }
w = { path = [1.0, 2.0], unit = "USD bn", range = [0, 5] }
"""


@pytest.fixture(scope="module")
def model():
    return loads_model(TEXT, "rec.toml")


def test_records_are_parsed_and_the_engine_keeps_numbers(model):
    assert model.parameters == {"a": 0.5, "b": 2.0, "c": 3.0}
    assert model.exogenous == {"x": 10.0, "w": (1.0, 2.0)}
    a = model.parameter_info["a"]
    assert a == Parameter("a", "parameter", 0.5, unit="share", range=(0.0, 1.0), source="the book",
                          mechanism=("M7.3",), doc="a propensity", file="rec.toml", line=9)
    assert a.where == "rec.toml:9" and a.range_text() == "0..1"
    # a plain number is a record with nothing but its value
    assert model.parameter_info["b"] == Parameter("b", "parameter", 2.0, file="rec.toml", line=10)
    assert model.parameter_info["c"].mechanism == ("M6.1", "C2.1")
    assert model.parameter_info["x"].range == (0.0, math.inf) and model.parameter_info["x"].range_text() == "0..inf"
    assert model.parameter_info["w"].kind == "exogenous" and model.parameter_info["w"].value == (1.0, 2.0)
    assert model.parameter_info["a"].to_dict()["range"] == [0.0, 1.0]
    with pytest.raises(AttributeError):  # each record is frozen
        a.value = 0.7  # type: ignore[misc]


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ('a = { value = 1.5, range = [0, 1] }', r"rec.toml:\d+: parameters.a: value 1.5 is outside its range 0..1"),
        ('a = { value = 0.5, range = [1, 0] }', r"range \[1, 0\] has low > high"),
        ('a = { value = 0.5, range = [0] }', r"range must be \[low, high\]"),
        ('a = { value = 0.5, range = [0, "1"] }', r"range must be \[low, high\]"),
        ('a = { value = 0.5, units = "share" }', r"unknown key\(s\) \['units'\]"),
        ('a = { value = 0.5, mechanism = "M6" }', r"mechanism 'M6' is not a catalogue id"),
        ('a = { value = 0.5, mechanism = 6.1 }', r"mechanism must be an id"),
        ('a = { value = 0.5, unit = 3 }', r"unit must be a string"),
        ('a = { unit = "share" }', r"a record needs value"),
        ('a = { path = [1, 2] }', r"unknown key\(s\) \['path'\]"),
    ],
)
def test_bad_records_are_named(line, match):
    text = '[model]\nname = "m"\n[equations]\ny = "a"\n[parameters]\n' + line + "\n"
    with pytest.raises(ModelError, match=match):
        loads_model(text, "rec.toml")


def test_mechanism_may_name_an_attribution_group():
    text = ('[model]\nname = "m"\n[equations]\ny = "y[-1] + contrib_y_noise"\n'
            '[attribution]\ngroups = [ { id = "noise", en = "Noise", ko = "잡음" } ]\n'
            '[attribution.series.y]\nchange = "diff"\nnoise = "s"\n'
            '[parameters]\ns = { value = 0.1, mechanism = "noise" }\n')
    assert loads_model(text).parameter_info["s"].mechanism == ("noise",)
    with pytest.raises(ModelError, match=r"mechanism 'nois' is not a catalogue id .* or an attribution group \(noise\)"):
        loads_model(text.replace('mechanism = "noise"', 'mechanism = "nois"'))


def test_validate_overrides_names_value_range_and_file(model):
    assert validate_overrides(model, {"a": 1, "x": [0, 3.5], "b": -100.0}) == {"a": 1.0, "x": (0.0, 3.5), "b": -100.0}
    with pytest.raises(ParameterError) as exc:
        validate_overrides(model, {"a": 1.2})
    e = exc.value
    assert str(e) == "--set a=1.2: outside the range 0..1 of a (a propensity), declared at rec.toml:9"
    assert (e.name, e.value, e.range, e.defined_at) == ("a", 1.2, (0.0, 1.0), "rec.toml:9")
    # each value of a path is checked; the unit is named when it says something
    with pytest.raises(ParameterError, match=r"--set w=6: outside the range 0..5 USD bn of w, declared at rec.toml:\d+"):
        validate_overrides(model, {"w": [1, 6]})
    with pytest.raises(ParameterError, match=r"x=-1: outside the range 0..inf USD bn/day"):
        validate_overrides(model, {"x": -1})


def test_unknown_names_get_did_you_mean(model):
    with pytest.raises(ParameterError) as exc:
        validate_overrides(model, {"aa": 0.5}, origin="grid")
    assert "grid aa: unknown name 'aa': not a parameter or exogenous input of model rec" in str(exc.value)
    assert exc.value.suggestions and exc.value.suggestions[0] == "a"
    with pytest.raises(ParameterError, match=r"did you mean 'x'"):
        validate_overrides(model, {"X": 1})
    with pytest.raises(ParameterError, match=r"'y' is an endogenous variable of model rec"):
        validate_overrides(model, {"y": 1})


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.5", True, [], [1.0, None], None])
def test_non_numbers_are_refused(model, bad):
    with pytest.raises(ParameterError, match="expected a finite number"):
        validate_overrides(model, {"a": bad})


def test_alternatives_check_each_value(model):
    assert validate_overrides(model, {"a": [0.1, 0.9]}, alternatives=True) == {"a": (0.1, 0.9)}
    with pytest.raises(ParameterError, match=r"grid a=2: outside the range 0..1"):
        validate_overrides(model, {"a": [0.1, 2.0]}, origin="grid", alternatives=True)


def test_every_entry_point_uses_the_validator(model, tmp_path):
    sim = bm.load_model("sim")
    # simulate(set=)
    with pytest.raises(ParameterError, match=r"set alpha1=1.5: outside the range 0..1 of alpha1 .*sim.toml:\d+"):
        bm.simulate(sim, periods=3, set={"alpha1": 1.5}, progress=False)
    with pytest.raises(ParameterError, match=r"did you mean 'alpha1'"):
        bm.simulate(sim, periods=3, set={"alpah1": 0.5}, progress=False)
    # sweep grids
    with pytest.raises(ParameterError, match=r"grid theta=1.2: outside the range 0..1"):
        bm.sweep(sim, {"theta": [0.2, 1.2]}, periods=3, out=tmp_path / "s", progress=False)
    # scenario shocks
    sc = scenario_from_dict({"shock": [{"set": {"theta": 2.0}, "start": 2}]}, "s.toml")
    with pytest.raises(ParameterError, match=r"s.toml shock #1 set.theta=2: outside the range 0..1"):
        bm.simulate(sim, sc, periods=3, progress=False)
    # uncertain draws: a bounded distribution inside the range, an unbounded one by its central 99%
    ok = scenario_from_dict({"uncertain": {"alpha1": {"dist": "uniform", "low": 0.5, "high": 0.7}}}, "u.toml")
    bm.simulate(sim, ok, periods=3, paths=2, seed=1, progress=False)
    bad = scenario_from_dict({"uncertain": {"alpha1": {"dist": "normal", "mean": 0.6, "sd": 0.2}}}, "u.toml")
    with pytest.raises(ParameterError, match=r"u.toml uncertain.alpha1=normal\(mean=0.6, sd=0.2\) with 0.5%..99.5% quantiles"):
        bm.simulate(sim, bad, periods=3, progress=False)
    assert issubclass(ParameterError, ScenarioError)


def test_distribution_support_quantiles():
    from scipy import stats

    from bubblemachine.sfc.model import parse_distribution

    d = parse_distribution({"dist": "student_t", "df": 4, "mean": 1.0, "sd": 2.0}, "x")
    lo, hi, what = distribution_support(d)
    scale = 2.0 * math.sqrt(2 / 4)
    assert hi == pytest.approx(1.0 + scale * stats.t.ppf(0.995, 4), rel=1e-12) and lo == pytest.approx(2 - hi)
    d = parse_distribution({"dist": "lognormal", "mean": 0.0, "sd": 0.1}, "x")
    lo, hi, _ = distribution_support(d)
    assert (lo, hi) == pytest.approx((math.exp(-0.1 * stats.norm.ppf(0.995)), math.exp(0.1 * stats.norm.ppf(0.995))))
    assert distribution_support(parse_distribution({"dist": "triangular", "low": 0, "mode": 1, "high": 2}, "x"))[:2] == (0, 2)


def test_validate_distribution_unknown_name():
    from bubblemachine.sfc.model import parse_distribution

    sim = bm.load_model("sim")
    with pytest.raises(ParameterError, match=r"u.alpa1: unknown name 'alpa1'.*did you mean 'alpha1'"):
        validate_distribution(sim, "alpa1", parse_distribution({"dist": "uniform", "low": 0, "high": 1}, "x"),
                              origin="u.")


def test_parse_assignments():
    assert parse_assignments(["a=0.5", " x = [1, 2.5] "]) == {"a": 0.5, "x": (1.0, 2.5)}
    assert parse_assignments(None) == {}
    for bad, match in (("a", "expected name=value"), ("=1", "expected name=value"), ("a=b", "'b' is not a number"),
                       ("a=[1,2", "unclosed list"), ("a=[1,,2]", "empty item"), ("a=[]", "the list is empty"),
                       ("a=1e400", "'1e400' is not a finite number")):
        with pytest.raises(ParameterError, match=match):
            parse_assignments([bad], origin="--set")
    with pytest.raises(ParameterError, match="--set a: given twice"):
        parse_assignments(["a=1", "a=2"], origin="--set")


def test_describe_shows_the_record(model):
    text = model.describe("a")
    assert "parameter: a = 0.5" in text and "unit: share" in text and "range: 0..1" in text
    assert "mechanism: M7.3" in text and "source: the book" in text and "rec.toml:9" in text
    whole = model.describe()
    assert whole.splitlines()[0] == "rec"
    row = next(ln for ln in whole.splitlines() if ln.startswith("a "))
    assert row.split() == ["a", "0.5", "share", "0..1", "M7.3"]
    assert "path[2]" in whole
    with pytest.raises(ModelError, match=r"unknown name 'aa' \(did you mean 'a'\?\)"):
        model.describe("aa")


def test_set_values_reach_the_engine(model):
    r = bm.simulate(model, periods=3, set={"a": 0.25, "x": [0.0, 4.0, 8.0]}, progress=False)
    np.testing.assert_allclose(r["y"][0], [0.0, 3.0, 4.0, 4.0])  # period 0 is the initial value; the path holds
