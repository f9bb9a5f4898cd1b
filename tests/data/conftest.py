"""Helpers for the data tests: run the real CLI entry point (``main``) in-process."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def bm(capsys, monkeypatch):
    """``bm(*args) -> Run``: ``bubblemachine ARGS`` through ``main()`` (exit codes, one-line errors)."""
    from bubblemachine.cli import main

    def run(*args: str) -> Run:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["bubblemachine", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return run
