"""A small model whose scenario answer is known in closed form, written to a tmp folder.

The scenario raises ``x`` by 1 from period 1; ``p`` takes ``a * x`` per period, so after H
periods the answer (scenario minus baseline, log change of ``p``) is exactly ``a * H``,
whatever the noise (common random numbers cancel it). ``b`` only scales the noise (no effect
on the paired answer), ``c`` adds ``c`` per period to both scenarios (no effect either), and
``q`` enters the answer through ``q * x`` per period in ``r`` (a level). So for ``p`` the
only driver is ``a``; for ``r`` the only driver is ``q``.
"""

from __future__ import annotations

import pytest

MODEL = """
[model]
name = "sens_toy"
description = "test fixture for the sensitivity analysis"
defaults = { periods = 10, paths = 4, seed = 7 }

[equations]
p = "p[-1] * exp(a * x + c + b * eps)"
r = "r[-1] + q * x + 0.01 * eps"

[parameters]
a = { value = 0.01, unit = "log/day", range = [0.0, 0.02], source = "rough judgement (ours)", doc = "effect of x on p" }
b = { value = 0.01, unit = "log/day", range = [0.005, 0.02], source = "rough judgement (ours)", doc = "noise scale" }
c = { value = 0.0, unit = "log/day", range = [-0.001, 0.001], source = "rough judgement (ours)", doc = "common drift" }
q = { value = 2.0, unit = "pp", range = [1.0, 3.0], source = "rough judgement (ours)", doc = "effect of x on r" }
z = { value = 5.0, unit = "pp", range = [1.0, 10.0], source = "published (FA-1)", doc = "not rough: never varied by default" }
w = { value = 1.0, unit = "share", range = [0.01, 100.0], source = "rough", doc = "wide range: log scale" }
k = 3.0

[exogenous]
x = { value = 0.0, unit = "0/1", range = [0, 1], doc = "scenario lever" }

[initial]
p = 100.0
r = 1.0

[random]
eps = { dist = "normal", mean = 0.0, sd = 1.0 }
"""

BASE = """
[scenario]
name = "base"
model = "{model}"
periods = 10
paths = 4
seed = 7
"""

SHOCK = """
[scenario]
name = "shock"
model = "{model}"
periods = 10
paths = 4
seed = 7

[[shock]]
set = {{ x = 1.0 }}
start = 1
"""


@pytest.fixture
def toy(tmp_path):
    """(scenario path, baseline path) of the toy model in tmp."""
    mdir = tmp_path / "sens_toy"
    mdir.mkdir()
    (mdir / "model.toml").write_text(MODEL)
    base = tmp_path / "base.toml"
    base.write_text(BASE.format(model=mdir.as_posix()))
    shock = tmp_path / "shock.toml"
    shock.write_text(SHOCK.format(model=mdir.as_posix()))
    return shock, base
