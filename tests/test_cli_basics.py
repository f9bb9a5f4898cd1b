"""The command line's promises: version, help on every command, named errors, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import bubblemachine
from bubblemachine.cli import app

runner = CliRunner()


def _bm(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("bubblemachine")
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "bubblemachine", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_version_flag_prints_package_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"bubblemachine {bubblemachine.__version__}"


def test_every_command_has_help():
    import typer.main

    root = typer.main.get_command(app)
    seen: set[str] = set()

    def walk(cmd, path: list[str]) -> None:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output
        seen.add(" ".join(path))
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])

    walk(root, [])
    # the commands the issues name, each reached by the walk
    required = {
        "run", "monitor", "claims", "calibrate", "explain", "simulate", "check", "sweep",
        "models list", "scenario list", "scenario compare", "data list", "data show",
        "data import", "data update", "data build-snapshot",
    }
    assert required <= seen, required - seen


def test_importing_the_package_stays_light():
    code = "import sys, bubblemachine.cli; print(','.join(m for m in ('numpy','pandas','pyarrow','plotly','scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"heavy modules imported at CLI start-up: {out.stdout}"


def test_user_mistake_is_one_named_error_without_traceback(tmp_path):
    proc = _bm("--home", str(tmp_path), "data", "show", "WALCLL")
    assert proc.returncode == 2
    assert "unknown series 'WALCLL'" in proc.stderr
    assert "WALCL" in proc.stderr  # the suggestion
    assert "Traceback" not in proc.stderr + proc.stdout


def test_error_messages_keep_bracketed_toml_table_names(tmp_path):
    model = tmp_path / "bad.toml"
    model.write_text('[model]\nname = "bad"\n[equations]\nY = "C + "\n')
    proc = _bm("check", str(model))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.toml" in proc.stderr
    assert "[equations]" in proc.stderr or "equations" in proc.stderr
