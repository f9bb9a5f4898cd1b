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
    if outcome is not None and not case.smoke:  # forked by the server: its CPU is not this process's child's
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


def test_only_known_code_depends_on_what_is_already_imported():
    """The corpus forks from a server that has NumPy/pandas loaded; that is faithful only while
    no code behaves differently when a module is already imported. Review a new place (does a
    warm child still see the same error?) and add it here."""
    import re

    known = {("sfc/model.py", '"pandas" in sys.modules'),
             ("__init__.py", "sys.modules[")}  # the package's own module object (lazy attributes)
    found = set()
    for f in PACKAGE.rglob("*.py"):
        for m in re.finditer(r'"\w+" in sys\.modules|sys\.modules\.get\(|sys\.modules\[', f.read_text(encoding="utf-8")):
            found.add((f.relative_to(PACKAGE).as_posix(), m.group(0)))
    assert found <= known, sorted(found - known)
