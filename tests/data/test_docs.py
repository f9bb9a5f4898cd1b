"""docs/data.md's series table is generated from the catalogue and must be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_data_doc_table_is_current():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_data_doc.py"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_every_catalogue_series_is_documented():
    from bubblemachine.data.catalog import catalog

    text = (ROOT / "docs" / "data.md").read_text()
    missing = [sid for sid in catalog() if f"| `{sid}` |" not in text]
    assert missing == []
