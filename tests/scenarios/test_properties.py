"""Properties of the decomposition and the comparison (Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bubblemachine.scenarios.compare import compare_arrays
from bubblemachine.scenarios.explain import explain_arrays
from bubblemachine.sfc.attribution import AttributedSeries, Attribution, Group

GROUPS = ("fiscal", "plumbing", "capex", "cascade", "noise")
ATTR = Attribution(
    groups=tuple(Group(g, g.title(), g) for g in GROUPS),
    series=(AttributedSeries("spx", "log", tuple((g, "0") for g in GROUPS)),
            AttributedSeries("ust10y", "diff", tuple((g, "0") for g in GROUPS))),
)


def _arrays(seed: int, n: int, h: int, kind: str) -> dict[str, np.ndarray]:
    """Random contributions and the series they imply (the contract identity holds exactly)."""
    rng = np.random.default_rng(seed)
    contrib = {g: rng.standard_t(3, size=(n, h + 1)) * rng.uniform(0.001, 0.05) for g in GROUPS}
    for g in GROUPS:
        contrib[g][:, 0] = 0.0
    step = sum(contrib.values())
    if kind == "price":
        x = 100.0 * np.exp(np.cumsum(step, axis=1))
        name = "spx"
    else:
        x = 4.0 + np.cumsum(step, axis=1)
        name = "ust10y"
    out = {f"contrib_{name}_{g}": c for g, c in contrib.items()}
    out[name] = x
    return out


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), h=st.integers(1, 30),
       kind=st.sampled_from(["price", "rate"]), with_ref=st.booleans())
def test_contributions_add_up_exactly(seed, n, h, kind, with_ref):
    a = _arrays(seed, n, h, kind)
    ref = _arrays(seed + 1, n, h, kind) if with_ref else None
    name = "spx" if kind == "price" else "ust10y"
    e = explain_arrays(a, series=name, horizon=h, reference=ref, attribution=ATTR)
    assert abs(sum(e.contributions.values()) - e.total) <= 1e-9 * max(1.0, abs(e.total))
    if ref is None:
        x = a[name]
        tot = np.log(x[:, h] / x[:, 0]) if kind == "price" else x[:, h] - x[:, 0]
        assert abs(e.total - tot.mean()) <= 1e-9


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 50), shift=st.floats(-0.5, 0.5))
def test_a_constant_shift_is_recovered_exactly_by_the_median_difference(seed, n, shift):
    a = _arrays(seed, n, 10, "rate")
    b = {k: v.copy() for k, v in a.items()}
    b["ust10y"][:, 1:] += shift  # same draws (CRN) plus a deterministic scenario effect
    c = compare_arrays(a, b, series=["ust10y"], horizon=10)
    assert abs(c.rows["ust10y"]["diff_median"] - shift) <= 1e-9
    r = c.rows["ust10y"]
    assert r["a"].p05 <= r["a"].median <= r["a"].p95
