"""docs/parameters.md is generated from the models' records and kept current (parsed, not diffed)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from bubblemachine.sfc import load_model
from bubblemachine.sfc.paramdoc import default_path, render
from bubblemachine.sfc.units import unit_label

DOC = Path(__file__).resolve().parents[2] / "docs" / "parameters.md"
STALE = "docs/parameters.md is stale: regenerate it with `python -m bubblemachine.sfc.paramdoc`"


def _float(text: str) -> float:
    return math.inf if text == "inf" else (-math.inf if text == "-inf" else float(text))


def parse(text: str) -> dict[str, dict[str, dict[str, object]]]:
    """model title -> parameter -> its row (numbers as floats)."""
    out: dict[str, dict[str, dict[str, object]]] = {}
    model = None
    for line in text.splitlines():
        if line.startswith("## "):
            model = line[3:].strip()
            out[model] = {}
            continue
        m = re.match(r"^\| `(\w+)` \| (.*) \|$", line)
        if not m or model is None:
            continue
        cells = [c.replace("\\|", "|") for c in re.split(r"(?<!\\)\|", m.group(2))]
        kind, value, unit, unit_ko, rng, mech, doc, source, where = (c.strip() for c in cells)
        row: dict[str, object] = {"kind": kind, "unit": unit if unit != "-" else "", "unit_ko": unit_ko,
                                  "mechanism": [] if mech == "-" else mech.split(", "),
                                  "doc": "" if doc == "-" else doc, "source": "" if source == "-" else source,
                                  "where": where}
        row["value"] = (tuple(_float(v) for v in value[len("path: "):].split(", ")) if value.startswith("path: ")
                        else _float(value))
        row["range"] = None if rng == "-" else tuple(_float(v) for v in rng.split(" .. "))
        out[model][m.group(1)] = row
    return out


def test_the_generator_writes_the_source_tree_doc():
    assert default_path() == DOC


@pytest.mark.parametrize("stem", ["ai_liquidity", "sim", "simex", "pc", "lp1", "reg", "dis", "bmw"])
def test_doc_matches_the_models(stem):
    doc = parse(DOC.read_text(encoding="utf-8"))
    m = load_model(stem)
    assert m.name in doc, STALE
    rows = doc[m.name]
    assert set(rows) == set(m.parameter_info), STALE
    for name, p in m.parameter_info.items():
        r = rows[name]
        assert r["unit_ko"] == (unit_label(p.unit, "ko") or "-"), (STALE, name)
        assert r["kind"] == p.kind and r["unit"] == p.unit and r["mechanism"] == list(p.mechanism), (STALE, name)
        assert r["doc"] == p.doc and r["source"] == p.source and r["where"] == p.where, (STALE, name)
        # numbers as numbers: the document prints 10 significant digits
        assert r["value"] == pytest.approx(p.value, rel=1e-9, abs=1e-300), (STALE, name)
        assert (r["range"] is None) == (p.range is None), (STALE, name)
        if p.range is not None:
            assert r["range"] == pytest.approx(p.range, rel=1e-9), (STALE, name)


def test_render_round_trips_through_the_parser():
    m = load_model("sim")
    rows = parse(render([m]))["SIM"]
    assert rows["alpha1"]["range"] == (0.0, 1.0) and rows["Gd"]["range"] == (0.0, math.inf)
    assert rows["alpha1"]["unit"] == "share" and "Godley & Lavoie" in rows["alpha1"]["source"]
    assert rows["alpha1"]["unit_ko"] == "비율"
