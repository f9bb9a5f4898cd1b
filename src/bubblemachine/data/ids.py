"""Series ids: the one rule every id in the store obeys.

An id names files in the store (``series/<ID>-<hash>.parquet``), so it must never be able
to name a path: ASCII letters, digits, ``_``, ``.`` and ``-`` only, starting with a letter
or digit, no ``..``, at most :data:`MAX_LEN` characters. Ids come from the catalogue, from
file names (``fred_WALCL.csv`` -> ``WALCL``) or from ``data import --id``; each is checked
here before anything is written.
"""

from __future__ import annotations

import re

from bubblemachine.errors import DataError

#: Longest id accepted (file names stay well under every file system's limit).
MAX_LEN = 64
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


def check_series_id(sid: object, *, where: str = "series id") -> str:
    """``sid`` if it is a valid series id; DataError naming ``where``, the value and the rule otherwise."""
    rule = "letters, digits, _ . - only, starting with a letter or digit, no '..'"
    if not isinstance(sid, str):
        raise DataError(f"{where} {sid!r}: not a text id ({rule})")
    shown = sid if len(sid) <= 80 else sid[:77] + "..."
    if not sid:
        raise DataError(f"{where} '': empty id ({rule})")
    if len(sid) > MAX_LEN:
        raise DataError(f"{where} {shown!r}: longer than {MAX_LEN} characters")
    if not _ID.match(sid) or ".." in sid or sid.endswith("."):
        raise DataError(f"{where} {shown!r}: not a valid series id ({rule})")
    return sid
