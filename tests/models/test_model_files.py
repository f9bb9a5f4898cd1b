"""Static checks of the shipped textbook model files (no engine needed).

Every equation of a Godley & Lavoie model carries the book's equation number in a comment
(``# 3.7``), every model has both matrices, and the equation count is the book's.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from ._shipped import SCENARIOS, TEXTBOOK, model_path, scenario_path

EQ_NUMBER = re.compile(r"#\s*(\d+)\.(\d+)E?\b")


@pytest.mark.parametrize("stem", sorted(TEXTBOOK))
def test_model_file_has_book_structure(stem):
    chapter, n_equations = TEXTBOOK[stem]
    path = model_path(stem)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert len(data["equations"]) == n_equations
    assert set(data["matrices"]) == {"balance_sheet", "transactions"}
    for matrix in data["matrices"].values():
        columns = set(matrix["columns"])
        for row, entries in matrix["rows"].items():
            unknown = set(entries) - columns - {"_total"}
            assert not unknown, f"{stem}: row {row!r} names unknown columns {unknown}"
    # each equation line carries the book's equation number of the model's chapter
    in_equations = False
    numbered = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            in_equations = line.strip() == "[equations]"
            continue
        if in_equations and "=" in line and not line.lstrip().startswith("#"):
            match = EQ_NUMBER.search(line)
            assert match, f"{stem}: equation without a book number: {line!r}"
            assert int(match.group(1)) == chapter, line
            numbered += 1
    assert numbered == n_equations


@pytest.mark.parametrize("stem", sorted(SCENARIOS))
def test_scenario_file_names_a_shipped_model(stem):
    data = tomllib.loads(scenario_path(stem).read_text(encoding="utf-8"))
    assert data["scenario"]["model"] == SCENARIOS[stem]
    assert model_path(SCENARIOS[stem]).exists()
    model = tomllib.loads(model_path(SCENARIOS[stem]).read_text(encoding="utf-8"))
    known = set(model["parameters"]) | set(model.get("exogenous", {}))
    for shock in data["shock"]:
        assert set(shock["set"]) <= known, f"{stem}: shock sets unknown names"
