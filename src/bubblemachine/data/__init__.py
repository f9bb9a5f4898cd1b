"""Real data: the catalogue, the embedded snapshot, the user's store and live sources."""

from bubblemachine.data.store import SeriesMeta, Store, open_store

__all__ = ["SeriesMeta", "Store", "open_store"]
