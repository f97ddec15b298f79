"""Small helpers shared by the store's tables."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

#: Values bound in one `IN (...)` list: well under SQLite's limit on parameters.
IN_CHUNK = 500


def rows_in(conn: sqlite3.Connection, sql: str, values: Iterable[str]) -> Iterator[sqlite3.Row]:
    """The rows of `sql`, whose `{marks}` is the placeholder list of an `IN (...)` over
    `values`, run on `IN_CHUNK` values at a time (each chunk in the query's own order)."""
    values = list(values)
    for i in range(0, len(values), IN_CHUNK):
        chunk = values[i:i + IN_CHUNK]
        yield from conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)
