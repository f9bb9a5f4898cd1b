"""The command-line contract of docs/cli.md, checked on every command's --help.

The walk is generic: it visits every command of the tree, so a command added later is held
to the same rules (and must be listed in docs/cli.md's command table).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from bubblemachine.cli import app

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
runner = CliRunner()
#: Python type names as metavars: the noise the contract forbids.
NOISE = re.compile(r"<(str|bool|int|float|list\[[^\]]*\]|path|text|[a-z]+\|[a-z|]+)>")
#: List options whose values hold commas themselves (NAME=V1,V2 / name=[v1,v2]) or are file
#: paths (a file name may hold a comma): repeat only.
COMMA_EXEMPT = {"--grid", "--set", "--set-b", "--file"}


def _documented() -> dict[str, tuple[bool, bool]]:
    text = DOC.read_text(encoding="utf-8")
    body = text.split("<!-- commands -->", 1)[1].split("<!-- /commands -->", 1)[0]
    out = {}
    for line in body.splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|\s*(yes|no)\s*\|\s*(yes|no)\s*\|", line)
        if m:
            out[m.group(1)] = (m.group(2) == "yes", m.group(3) == "yes")
    return out


def _leaves():
    root = typer.main.get_command(app)
    out = []

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            out.append((" ".join(path), cmd))

    walk(root, [])
    return out


LEAVES = _leaves()
DOCUMENTED = _documented()


def _options(cmd) -> dict[str, object]:
    ctx = typer.Context(cmd)
    return {o: p for p in cmd.get_params(ctx) for o in getattr(p, "opts", ()) if o.startswith("--")}


def _choices(param) -> list[str]:
    desc = getattr(param, "type_descriptor", None)
    raw = desc.choices if desc is not None and desc.is_choice else getattr(getattr(param, "type", None), "choices", None)
    return [getattr(c, "value", c) for c in raw or ()]


def test_every_command_is_documented_and_every_documented_command_exists():
    names = {n for n, _ in LEAVES}
    assert names == set(DOCUMENTED), (
        f"undocumented in docs/cli.md: {sorted(names - set(DOCUMENTED))}; "
        f"documented but missing: {sorted(set(DOCUMENTED) - names)}"
    )


@pytest.mark.parametrize("name,cmd", LEAVES, ids=[n for n, _ in LEAVES])
def test_help_follows_the_contract(name, cmd):
    result = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    text = result.output
    # defaults written in help texts reach the user (Rich would read "[default: x]" as markup)
    written = sum("default:" in (p.help or "") for p in _options(cmd).values())
    assert text.count("default:") >= written, f"{name}: a [default: ...] of a help text is missing from --help"
    noise = NOISE.findall(text)
    assert not noise, f"{name} --help shows type names {noise}"
    opts = _options(cmd)
    table, words = DOCUMENTED.get(name, (False, False))
    if table:
        assert "--format" in opts, f"{name} prints a table but has no --format"
        assert _choices(opts["--format"]) == ["table", "json", "csv"], name
    if words:
        assert "--lang" in opts, f"{name} prints words but has no --lang"
        assert _choices(opts["--lang"]) == ["ko", "en"], name
    for opt, param in opts.items():
        choices = _choices(param)
        if choices:  # choices are listed in the help as the metavar [a|b|c]
            listed = "[" + "|".join(map(str, choices)) + "]"
            assert param.metavar == listed, f"{name} {opt}: choices not listed ({param.metavar!r})"
            assert listed[:12] in text, f"{name} {opt}: choices not in the help text"
        if opt == "--seed":
            assert getattr(param, "min", None) == 0, f"{name} --seed must refuse negative seeds"
        if getattr(param, "multiple", False) and opt not in COMMA_EXEMPT:
            assert "comma" in (param.help or ""), f"{name} {opt}: a list option says it takes a comma list"


def test_help_has_no_type_noise_at_the_root_and_groups():
    for args in ([], ["data"], ["scenario"], ["models"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0
        assert not NOISE.findall(result.output), args


def test_cli_words_exist_in_both_languages():
    import tomllib

    import bubblemachine.cli as cli

    folder = Path(cli.__file__).with_name("i18n")
    en = tomllib.loads((folder / "en.toml").read_text(encoding="utf-8"))
    ko = tomllib.loads((folder / "ko.toml").read_text(encoding="utf-8"))
    assert set(en) == set(ko), sorted(set(en) ^ set(ko))
    for key in en:  # the same {fields} in both languages
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", ko[key])), key
    used = set()
    for f in folder.parent.glob("*.py"):
        used |= set(re.findall(r"(?<![.\w])t\(\"([a-z_]+\.[a-z_.]+|wrote)\"", f.read_text(encoding="utf-8")))
    assert used <= set(en), sorted(used - set(en))
