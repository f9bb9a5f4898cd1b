"""The corpus of bad inputs (``cases/*.toml``) through the real CLI: see ``harness.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import bubblemachine

from .harness import LAST, check, load_cases, readonly_method

CASES = load_cases()
PACKAGE = Path(bubblemachine.__file__).resolve().parent


def _param(case):
    marks = []
    if case.xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
    if not case.smoke:  # the whole corpus runs in `make test`; `make test-fast` runs the smoke cases
        marks.append(pytest.mark.slow)
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="the orphan check reads /proc (Linux)")
@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input_is_one_named_error(case, tmp_path, tmp_path_factory, request):
    if case.readonly and not readonly_method():
        pytest.skip("read-only folders cannot be made here (root, and no chattr +i on this file system)")
    problems = check(case, tmp_path, PACKAGE, tmp_path_factory.mktemp("io"))
    outcome = LAST.get(case.id)
    if outcome is not None:  # the command's CPU (it ran in a forked process) for the suite's accounting
        request.node.user_properties.append(("child_cpu", outcome.cpu))
    assert not problems, f"{case.source} {case.id}:\n" + "\n".join(problems)


def test_corpus_is_well_formed():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 200, len(CASES)
    assert 3 <= sum(c.smoke for c in CASES) <= 15
    # every case names what is wrong: the regex is more than a generic word
    for c in CASES:
        assert len(c.expect) >= 4, c.id
