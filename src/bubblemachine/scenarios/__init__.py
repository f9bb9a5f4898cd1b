"""Scenarios of the AI liquidity model: name resolution, compare, explain.

Scenario names resolve to ``src/bubblemachine/scenarios/<name>.toml``; a path
to a ``.toml`` file also works.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from bubblemachine.errors import ScenarioError
from bubblemachine.scenarios.series import REPORTED, SERIES  # noqa: F401

SCENARIO_DIR = Path(__file__).resolve().parent


def list_scenarios() -> list[str]:
    """Names of the bundled scenarios (sorted, ``baseline`` first)."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    if "baseline" in names:
        names.remove("baseline")
        names.insert(0, "baseline")
    return names


def scenario_path(name_or_path: str | Path) -> Path:
    """Resolve a scenario name or a path to a scenario file.

    Args:
        name_or_path: a bundled scenario name (e.g. ``"shutdown"``) or a path
            to a ``.toml`` file.

    Returns:
        The path of the scenario file.

    Raises:
        ScenarioError: if neither a bundled name nor an existing file; the
            message lists the valid names.
    """
    text = str(name_or_path)
    p = Path(text)
    if text.endswith(".toml") or p.parent != Path("."):
        if p.is_file():
            return p
        raise ScenarioError(f"scenario file not found: {text}")
    cand = SCENARIO_DIR / f"{text}.toml"
    if cand.is_file():
        return cand
    valid = ", ".join(list_scenarios()) or "(none installed)"
    raise ScenarioError(f"unknown scenario {text!r}; valid scenarios: {valid}")


def scenario_description(name_or_path: str | Path) -> str:
    """One-line description from a scenario file's ``[scenario] description``."""
    path = scenario_path(name_or_path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: invalid TOML: {exc}") from exc
    desc = str(doc.get("scenario", {}).get("description", "")).strip()
    return desc.splitlines()[0] if desc else ""


@functools.cache
def scenario_words(lang: str) -> dict:
    """The scenarios' own catalog in ``lang`` (``scenarios/i18n/<lang>.toml``, its ``[whatif]``
    table: series labels, units, scenario names); empty when the file is missing or broken."""
    path = SCENARIO_DIR / "i18n" / f"{lang}.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("whatif", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def scenario_title(name: str, lang: str = "en") -> str:
    """A bundled scenario's short title in ``lang`` (``ko``/``en``); the name itself otherwise."""
    return str(scenario_words(lang).get("scen", {}).get(name, name))
