"""Atomic writes: all or nothing, and ordinary file permissions."""

from __future__ import annotations

import os

import pytest

from bubblemachine._io import atomic_path, atomic_write_text


def test_atomic_write_replaces_whole_file_with_umask_permissions(tmp_path):
    target = tmp_path / "sub" / "report.html"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temp files left


def test_failed_write_leaves_previous_file_and_no_temp(tmp_path):
    target = tmp_path / "result.csv"
    atomic_write_text(target, "previous")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["result.csv"]
