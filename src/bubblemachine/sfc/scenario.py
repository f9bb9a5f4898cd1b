"""Scenario files: shocks to parameters and exogenous paths, uncertain parameters per path.

```toml
[scenario]
name = "G up"
model = "SIM"          # optional: a shipped model name or a path relative to this file
periods = 100
paths = 1000
seed = 42
start = "initial"      # or "steady": begin from the converged baseline

[[shock]]
set = { Gd = 25 }
start = 5              # first period (inclusive)
end = 20               # last period (inclusive; default: to the end)

[uncertain]            # drawn once per path
alpha1 = { dist = "uniform", low = 0.5, high = 0.7 }
```
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bubblemachine.errors import ModelError, ScenarioError
from bubblemachine.sfc.distributions import Distribution, parse_distribution
from bubblemachine.sfc.model import Model
from bubblemachine.sfc.values import is_finite_number


@dataclass(frozen=True)
class Shock:
    """Set ``values`` (name -> number) from period ``start`` to ``end`` inclusive (None: to the end)."""

    values: tuple[tuple[str, float], ...]
    start: int
    end: int | None = None


@dataclass
class Scenario:
    """A parsed scenario (pure data)."""

    name: str = "baseline"
    model: str | None = None
    periods: int | None = None
    paths: int | None = None
    seed: int | None = None
    start: str = "initial"
    shocks: list[Shock] = field(default_factory=list)
    uncertain: dict[str, Distribution] = field(default_factory=dict)
    path: str = "<none>"
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "model": self.model, "periods": self.periods, "paths": self.paths,
            "seed": self.seed, "start": self.start,
            "shocks": [{"set": dict(s.values), "start": s.start, "end": s.end} for s in self.shocks],
            "uncertain": {k: {"dist": d.dist, **d.kw} for k, d in self.uncertain.items()},
        }

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    def validate_against(self, model: Model) -> None:
        """Check every shocked or uncertain name against the model: a parameter or exogenous
        input, with every shock value and the support of every uncertain draw inside its
        declared range (:func:`~bubblemachine.sfc.parameters.validate_overrides`,
        :func:`~bubblemachine.sfc.parameters.validate_distribution`)."""
        from bubblemachine.sfc.parameters import validate_distribution, validate_overrides

        for i, s in enumerate(self.shocks):
            validate_overrides(model, dict(s.values), origin=f"{self.path} shock #{i + 1} set.")
        for n, d in self.uncertain.items():
            validate_distribution(model, n, d, origin=f"{self.path} uncertain.")


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario TOML file (a path, or the name of a scenario shipped in ``bubblemachine/scenarios``)."""
    p = Path(path)
    if not p.exists():
        from bubblemachine.paths import package_dir

        cands = [package_dir() / "scenarios" / f"{path}.toml", package_dir() / "models" / "scenarios" / f"{path}.toml"]
        found = [c for c in cands if c.is_file()]
        if found:
            p = found[0]
        else:
            raise ScenarioError(f"scenario {str(path)!r}: no such file")
    try:
        text = p.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{p}: invalid TOML: {exc}") from None
    return scenario_from_dict(data, str(p))


def scenario_from_dict(data: dict[str, Any], where: str = "<dict>") -> Scenario:
    """Validate a scenario given as a dict (the parsed TOML)."""
    bad = set(data) - {"scenario", "shock", "uncertain"}
    if bad:
        raise ScenarioError(f"{where}: unknown table(s) {sorted(bad)} (allowed: scenario, shock, uncertain)")
    head = data.get("scenario", {})
    if not isinstance(head, dict):
        raise ScenarioError(f"{where}: the scenario table must be a table")
    bad = set(head) - {"name", "model", "periods", "paths", "seed", "start", "description"}
    if bad:
        raise ScenarioError(f"{where} table scenario: unknown key(s) {sorted(bad)}")
    sc = Scenario(path=where, name=str(head.get("name", Path(where).stem)), description=str(head.get("description", "")))
    if "model" in head:
        model = head["model"]
        if not isinstance(model, str):
            raise ScenarioError(f"{where} scenario.model: expected a string")
        base = Path(where).parent
        sc.model = str(base / model) if (base / model).exists() else model
    for key in ("periods", "paths"):
        if key in head:
            v = head[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ScenarioError(f"{where} scenario.{key}: expected a positive integer, got {v!r}")
            setattr(sc, key, v)
    if "seed" in head:
        v = head["seed"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ScenarioError(f"{where} scenario.seed: expected a non-negative integer, got {v!r}")
        sc.seed = v
    start = head.get("start", "initial")
    if start not in ("initial", "steady"):
        raise ScenarioError(f"{where} scenario.start: expected \"initial\" or \"steady\", got {start!r}")
    sc.start = start
    shocks = data.get("shock", [])
    if not isinstance(shocks, list):
        raise ScenarioError(f"{where}: shocks are written as an array of tables named shock (an array of tables)")
    for i, s in enumerate(shocks):
        w = f"{where} shock #{i + 1}"
        if not isinstance(s, dict):
            raise ScenarioError(f"{w}: expected a table")
        bad = set(s) - {"set", "start", "end", "doc"}
        if bad:
            raise ScenarioError(f"{w}: unknown key(s) {sorted(bad)} (allowed: set, start, end)")
        vals = s.get("set")
        if not isinstance(vals, dict) or not vals:
            raise ScenarioError(f"{w}: needs set = {{ name = value, ... }}")
        items = []
        for n, v in vals.items():
            if not is_finite_number(v):
                raise ScenarioError(f"{w} set.{n}: expected a finite number, got {v!r}")
            items.append((n, float(v)))
        st = s.get("start")
        if isinstance(st, bool) or not isinstance(st, int) or st < 1:
            raise ScenarioError(f"{w} start: expected a period >= 1, got {st!r}")
        end = s.get("end")
        if end is not None and (isinstance(end, bool) or not isinstance(end, int) or end < st):
            raise ScenarioError(f"{w} end: expected a period >= start ({st}), got {end!r}")
        sc.shocks.append(Shock(tuple(items), st, end))
    unc = data.get("uncertain", {})
    if not isinstance(unc, dict):
        raise ScenarioError(f"{where}: the uncertain table must be a table")
    for n, spec in unc.items():
        try:
            sc.uncertain[n] = parse_distribution(spec, f"{where} uncertain.{n}")
        except ModelError as exc:
            raise ScenarioError(str(exc)) from None
    return sc
