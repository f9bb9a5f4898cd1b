"""Strategy files: the shipped set, and errors that name the file and the field."""

from __future__ import annotations

import re

import pytest

from bubblemachine.trades.mapping import load_mapping
from bubblemachine.trades.spec import (
    SEEDS,
    StrategyError,
    load_instruments,
    load_strategies,
    load_strategy,
    select,
)

GOOD = """
[strategy]
id = "x"
seed = "001"
statement_en = "An idea."
statement_ko = "아이디어입니다."
{extra}
{body}
"""


def _write(tmp_path, body="[weights]\nMU = 1.0", extra=""):
    p = tmp_path / "s.toml"
    p.write_text(GOOD.format(body=body, extra=extra), encoding="utf-8")
    return p


def test_shipped_strategies_cover_every_position_and_cite_their_seed():
    ss = load_strategies()
    assert len(ss) >= 10
    assert {s.seed for s in ss} == set(SEEDS)
    for s in ss:
        assert s.statement_en and s.statement_ko and s.rule_en and s.rule_ko and s.title_ko
        assert s.published is not None and s.refs
        assert s.file.endswith(f"{s.id}.toml")
    ids = {s.id for s in ss}
    # the positions of MECHANISMS.md sections 8 and 9
    for needed in ("m7_midcap_eth", "memory_over_software", "burry_short_nvda_pltr", "dont_play_cash",
                   "ai_sellers_over_users", "glp1_winners", "policy_premium", "energy_grid_theme", "crypto_young"):
        assert needed in ids


def test_every_instrument_of_the_shipped_strategies_is_known_or_a_store_series():
    inst = load_instruments()
    from bubblemachine.data import open_store

    store = open_store()
    for s in load_strategies():
        for n in s.instruments:
            members = inst.baskets[n].members if n in inst.baskets else (n,)
            assert all(store.has(m) or m in ("LLY", "NVO") for m in members if m not in inst.bonds), (s.id, n)


def test_the_mapping_names_model_variables_that_exist():
    from bubblemachine.scenarios import runner

    _, model, _ = runner.load("baseline")
    m = load_mapping(model.name)
    for im in [m.cash, *m.instruments.values()]:
        assert im.variable in model.equations, im
    for ind in m.indicators.values():
        assert ind.variable in model.equations, ind


@pytest.mark.parametrize(
    ("body", "extra", "pattern"),
    [
        ("[weights]\nMU = 1.0\n[weights2]\nA = 1", "", r"unknown table\(s\) 'weights2'"),
        ("[weights]\nMU = 'a lot'", "", r"\[weights\] MU: weight must be a finite number"),
        ("[weights]\nMU = 50.0", "", r"\[weights\] MU: weight 50 is beyond"),
        ("[weights]\nMU = 0.5\nCASH = 0.2", "", r"CASH = 0.2 makes the weights add up to 0.7"),
        ("[weights]\nMU = 1.0", 'rebalance = "montly"', r"\[strategy\] rebalance: 'montly' is not one of daily"),
        ("[weights]\nMU = 1.0", "cost_bps = -1", r"\[strategy\] cost_bps: -1.0 is outside 0..1000"),
        ("[weights]\nMU = 1.0", 'colour = "red"', r"\[strategy\] unknown field\(s\) 'colour'"),
        ("[weights]\nMU = 1.0", 'published = "yesterday"', r"\[strategy\] published: 'yesterday' is not a date"),
        ("[weights]\nMU = 1.0\n[signal.on]\nMU = 1", "", r"give either \[weights\] \(static\) or \[signal\]"),
        ("", "", r"give either \[weights\] \(static\) or \[signal\] \(a rule\), not neither"),
        ("[[signal.when]]\nindicator = 'netliq'\nop = '>'\nvalue = 0\n[signal.on]\nMU = 1", "",
         r"\[signal.when #1\] indicator: unknown indicator 'netliq'"),
        ("[[signal.when]]\nindicator = 'vix'\nop = '=>'\nvalue = 0\n[signal.on]\nMU = 1", "",
         r"\[signal.when #1\] op: '=>' is not one of"),
        ("[[signal.when]]\nindicator = 'vix'\nop = '>'\nvalue = 20\nchange_days = 0\n[signal.on]\nMU = 1", "",
         r"change_days: 0 is outside 1..3650"),
        ("[[signal.when]]\nindicator = 'vix'\nop = '>'\nvalue = 20\n[signal.on]\nMU = 1\n[signal.off]\nMU = 1", "",
         r"the signal would do nothing"),
        ("[[signal.when]]\nindicator = 'vix'\nop = '>'\nvalue = 20", "", r"\[signal.on\] missing"),
        ("[weights]\nMU = 1.0", 'refs = ["mechanism 4"]', r"refs: 'mechanism 4' is not a mechanism or claim id"),
    ],
)
def test_errors_name_the_file_and_the_field(tmp_path, body, extra, pattern):
    p = _write(tmp_path, body, extra)
    with pytest.raises(StrategyError) as err:
        load_strategy(p)
    msg = str(err.value)
    assert msg.startswith(str(p)), msg
    assert re.search(pattern, msg), msg


def test_bad_toml_missing_file_and_duplicate_ids(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[strategy\nid = 1", encoding="utf-8")
    with pytest.raises(StrategyError, match=r"bad.toml: invalid TOML"):
        load_strategy(bad)
    with pytest.raises(StrategyError, match=r"nope.toml: strategy file not found"):
        load_strategy(tmp_path / "nope.toml")
    dup = _write(tmp_path, extra="")
    dup.write_text(dup.read_text().replace('id = "x"', 'id = "crypto_young"'), encoding="utf-8")
    with pytest.raises(StrategyError, match=r"strategy id 'crypto_young' is already used by .*crypto_young.toml"):
        load_strategies([dup])


def test_select_names_unknown_ids_with_a_suggestion():
    ss = load_strategies()
    assert [s.id for s in select(ss, ["crypto_young", "dont_play_cash"])] == ["crypto_young", "dont_play_cash"]
    with pytest.raises(StrategyError, match=r"unknown strategy 'crypto_yung' \(did you mean crypto_young\?\)"):
        select(ss, ["crypto_yung"])


def test_cash_only_and_signal_files_load(tmp_path):
    s = load_strategy(_write(tmp_path, "[weights]\nCASH = 1.0"))
    assert s.weights == () and s.instruments == ()
    sig = load_strategy(_write(tmp_path, "[[signal.when]]\nindicator = 'vix'\nop = '<'\nvalue = 20\nchange_days = 5\n"
                                        "[signal.on]\nSPY = 1\n[signal.off]\nTLT = 0.5", 'rebalance = "weekly"'))  # fmt: skip
    assert sig.instruments == ("SPY", "TLT") and sig.indicators == ("vix",)
    assert sig.signal.when[0].holds(19.0) and not sig.signal.when[0].holds(float("nan"))
