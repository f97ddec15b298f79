"""Storage: the SQLite knowledge base."""

from storyline.store.db import DEFAULT_DB, SearchError, Store

__all__ = ["DEFAULT_DB", "SearchError", "Store"]
