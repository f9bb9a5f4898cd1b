"""Real data: the catalogue, the embedded snapshot, the user's store and live sources.

Point in time: ``Store.frame(id, asof=D)`` / ``Store.series(id, asof=D)`` return what was
known on ``D`` (each series' release rule, :mod:`bubblemachine.data.release`);
:func:`parse_asof` validates a user's date against what the store holds.
"""

from bubblemachine.data.asof import latest_common_date, parse_asof
from bubblemachine.data.store import SeriesMeta, Store, open_store

__all__ = ["SeriesMeta", "Store", "latest_common_date", "open_store", "parse_asof"]
