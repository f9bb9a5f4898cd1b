"""Shared contracts: model run defaults, the progress protocol, CLI option helpers."""

from __future__ import annotations

import pytest

from bubblemachine.cli._common import Lang, default_lang, resolve_lang, split_list
from bubblemachine.errors import BubbleMachineError, ModelError
from bubblemachine.progress import NullProgress, RichProgress, resolve_progress
from bubblemachine.sfc import loads_model, simulate

MODEL = """
[model]
name = "tiny"
{defaults}

[equations]
x = "x[-1] + g + e"

[parameters]
g = 1.0

[random]
e = {{ dist = "normal", mean = 0.0, sd = 1.0 }}

[initial]
x = 0.0
"""


def _tiny(defaults: str = ""):
    return loads_model(MODEL.format(defaults=defaults))


def test_simulate_uses_the_model_run_defaults():
    m = _tiny("defaults = { periods = 7, paths = 3, seed = 42 }")
    r = simulate(m, progress=False)
    assert r["x"].shape == (3, 8)
    assert r.seed == 42
    again = simulate(m, progress=False)
    assert (r["x"] == again["x"]).all()
    # explicit options win over the model's defaults
    r2 = simulate(m, periods=2, paths=1, seed=5, progress=False)
    assert r2["x"].shape == (1, 3) and r2.seed == 5


def test_engine_defaults_without_model_defaults():
    r = simulate(_tiny(), seed=1, progress=False)
    assert r["x"].shape == (1, 101)


@pytest.mark.parametrize(
    "defaults, field",
    [
        ("defaults = { periods = 0 }", "periods"),
        ("defaults = { paths = -1 }", "paths"),
        ("defaults = { seed = -5 }", "seed"),
        ("defaults = { seed = 1.5 }", "seed"),
        ("defaults = { periods = true }", "periods"),
        ("defaults = { horizon = 10 }", "horizon"),
        ('defaults = "x"', "defaults"),
    ],
)
def test_bad_model_defaults_name_the_field(defaults, field):
    with pytest.raises(ModelError, match=field):
        _tiny(defaults)


def test_ai_model_declares_one_set_of_defaults():
    from bubblemachine.sfc import load_model

    d = load_model("ai_liquidity").run_defaults
    assert (d.periods, d.paths, d.seed) == (252, 1000, 20251114)


def test_split_list_accepts_repeats_and_commas():
    assert split_list(None, option="--series") is None
    assert split_list([], option="--series") is None
    assert split_list(["spx,ndx", " btc ", "spx"], option="--series") == ["spx", "ndx", "btc"]
    assert split_list("a,b", option="--save") == ["a", "b"]
    with pytest.raises(BubbleMachineError, match="--save"):
        split_list(",,,", option="--save")


@pytest.mark.parametrize(
    "env, lang",
    [
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),
        ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_default_lang_follows_the_locale(env, lang):
    assert default_lang(env) == lang


def test_resolve_lang_prefers_the_option(monkeypatch):
    monkeypatch.setenv("LC_ALL", "ko_KR.UTF-8")
    assert resolve_lang(None) == "ko"
    assert resolve_lang(Lang.en) == "en"


def test_progress_protocol():
    assert resolve_progress(True) is RichProgress
    assert resolve_progress(False) is NullProgress
    assert resolve_progress(None) is NullProgress
    seen = []

    class Recorder(NullProgress):
        def update(self, completed: int) -> None:
            seen.append(completed)

    with resolve_progress(Recorder)("job", total=3) as bar:
        for k in range(1, 4):
            bar.update(k)
    assert seen == [1, 2, 3]
    with pytest.raises(BubbleMachineError, match="progress"):
        resolve_progress(42)
