"""Which records each published record graph was mapped from: a cache beside the store (SQLite).

A reload of a changed record file maps and validates only the records whose digest the graph was not
mapped from (loader/record_delta.py). Each row is keyed by the graph's content hash, so it is only ever
used for a graph with exactly that content: a row left stale by a crash between the store's commit and
this cache's, by a restored checkpoint or by a write through the admin API does not match, and that file
is prepared whole, as without the cache. Deleting the file costs one full reload, never data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

DIGEST = 32  # bytes of one record digest (SHA-256)


@dataclass(frozen=True)
class Entry:
    graph: str
    content_hash: str
    digests: frozenset[bytes]


class RecordDigests:
    """graph -> (the record file last loaded into it, its content hash, the digests of its records)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS graphs ("
            " graph TEXT PRIMARY KEY, file TEXT NOT NULL, content_hash TEXT NOT NULL, digests BLOB NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS graphs_file ON graphs (file)")
        self._db.commit()

    def for_file(self, file: Path) -> Entry | None:
        """The graph `file` was last loaded into, with the digests of the records it was mapped from."""
        row = self._db.execute(
            "SELECT graph, content_hash, digests FROM graphs WHERE file = ?", (str(file.resolve()),)
        ).fetchone()
        if row is None:
            return None
        graph, content_hash, blob = row
        digests = frozenset(blob[start : start + DIGEST] for start in range(0, len(blob), DIGEST))
        return Entry(graph, content_hash, digests)

    def put(self, graph: str, file: Path, content_hash: str, digests: Iterable[bytes]) -> None:
        name = str(file.resolve())
        self._db.execute("DELETE FROM graphs WHERE file = ? AND graph != ?", (name, graph))
        self._db.execute(
            "INSERT OR REPLACE INTO graphs VALUES (?, ?, ?, ?)",
            (graph, name, content_hash, b"".join(sorted(digests))),
        )

    def drop(self, graphs: Iterable[str]) -> None:
        self._db.executemany("DELETE FROM graphs WHERE graph = ?", [(graph,) for graph in graphs])

    def close(self) -> None:
        self._db.commit()
        self._db.close()

    def __enter__(self) -> RecordDigests:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
