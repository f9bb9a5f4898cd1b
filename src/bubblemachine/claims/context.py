"""What a claim test receives: the data known at as-of, cut to its declared window, and its seed.

A test never reads the store directly; it asks its :class:`ClaimContext`::

    spx = ctx.series("SPX", start="2010-01-01")
    boot = S.block_bootstrap(data, stat, seed=ctx.seed)

``ctx.series`` returns only rows KNOWN on the run's as-of date (the store's point-in-time
rule) and, for a ``fixed`` window, only rows observed on or before the window's end: data
appended after a fixed window can never reach its test, so its result stays byte-identical.
The context also records how far each series reaches, so the runner can say whether a fixed
window is complete and, for an open one, where its sample now ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from bubblemachine.claims.registry import Window
    from bubblemachine.data import Store


class ClaimContext:
    """The store as known at ``asof``, cut to a claim's window, plus the claim's random stream.

    Args:
        store: the data store.
        asof: the knowledge date (None: everything in the store).
        seed: the claim's :class:`numpy.random.SeedSequence` (from the run's one root seed
            and the claim id); tests pass it (or its ``spawn`` children) to the bootstraps.
        window: the claim's declared window.
        claim_id: for error messages.
    """

    __slots__ = ("asof", "claim_id", "seed", "store", "window", "_reach")

    def __init__(self, store: Store, asof: pd.Timestamp | None, seed: np.random.SeedSequence, window: Window, claim_id: str) -> None:
        self.store = store
        self.asof = asof
        self.seed = seed
        self.window = window
        self.claim_id = claim_id
        self._reach: dict[str, tuple[pd.Timestamp, pd.Timedelta]] = {}

    # ------------------------------------------------------------------ the window
    @property
    def end(self) -> pd.Timestamp | None:
        """The last observation date a test may see (a fixed window's end; None when open)."""
        return pd.Timestamp(self.window.end) if self.window.kind == "fixed" else None

    def rng(self) -> np.random.Generator:
        """A fresh generator on this claim's stream."""
        return np.random.default_rng(self.seed)

    # ------------------------------------------------------------------ data
    def _note(self, sid: str, index: pd.Index) -> None:
        idx = pd.DatetimeIndex(index).unique().sort_values()
        if len(idx) == 0:
            return
        step = pd.Series(idx[-12:]).diff().median() if len(idx) > 1 else pd.Timedelta(days=1)
        self._reach[sid] = (idx[-1], step if pd.notna(step) else pd.Timedelta(days=1))

    def _cut(self, obj, start: str | pd.Timestamp | None):
        lo = pd.Timestamp(start) if start is not None else None
        return obj.loc[lo : self.end]

    def series(self, sid: str, start: str | pd.Timestamp | None = None, *, column: str | None = None) -> pd.Series:
        """Series ``sid`` as known at as-of, observed from ``start`` to the window's end.

        A series the store does not hold at all reads as empty, like one with nothing known
        yet (a store cut at a date before a listing has no file for it)."""
        if not self.store.has(sid):
            return pd.Series([], index=pd.DatetimeIndex([], name="date"), dtype="float64", name=sid)
        s = self.store.series(sid, asof=self.asof, column=column)
        self._note(sid, s.index)
        return self._cut(s, start)

    def frame(self, sid: str, start: str | pd.Timestamp | None = None) -> pd.DataFrame:
        """All columns of ``sid`` (panels keep their key columns) as known at as-of, cut likewise."""
        df = self.store.frame(sid, asof=self.asof)
        self._note(sid, df.index)
        return self._cut(df, start)

    def known(self, sid: str, start: str | pd.Timestamp | None = None) -> pd.Series:
        """The knowledge (release) date of each row of :meth:`series` ``sid``, same index."""
        k = self.store.known(sid)
        if self.asof is not None:
            k = k[k <= self.asof]
        k = k[~k.index.duplicated(keep="first")]
        return self._cut(k, start)

    # ------------------------------------------------------------------ what was seen
    def data_end(self) -> pd.Timestamp | None:
        """The last observation date every series read reaches at as-of (the binding one)."""
        return min((last for last, _ in self._reach.values()), default=None)

    def covers(self, when: str | pd.Timestamp, sids: tuple[str, ...] | list[str]) -> bool:
        """Whether every series in ``sids`` (already read) is observed through ``when`` at as-of:
        its last observation is on or after ``when``, or the next one is due after it. Sees
        past the window's end, so a window ending on the claim's last date still counts."""
        when = pd.Timestamp(when)
        for sid in sids:
            if sid not in self._reach:
                return False
            last, step = self._reach[sid]
            if not (last >= when or last + step > when):
                return False
        return True

    def complete(self) -> bool | None:
        """For a fixed window: whether every series read reaches past its end (no later
        observation can fall inside it any more). None for open windows."""
        if self.window.kind != "fixed" or not self._reach:
            return None
        return self.covers(self.end, list(self._reach))
