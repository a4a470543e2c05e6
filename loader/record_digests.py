"""Which records each published record graph was mapped from: a cache beside the store (SQLite).

Per graph: the record file last loaded into it and its content hash; per record of it, the digest of the
record's JSON (`record_delta.record_digests`), the digest of its triples and how many there are. A reload
of a changed record file reads only the records whose digest changed (loader/record_delta.py).

Each graph's rows are keyed by its content hash and by the data version of the writes through the admin
API (which may change any graph without changing its content hash), so they are only ever used for a
graph with exactly that content: rows left stale by a crash between the store's commit and this cache's,
by a restored checkpoint or by an admin write do not match, and that file is read whole, as without the
cache. Deleting the file costs one full reload, never data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from loader.owners import Key
from loader.record_delta import Record

SCHEMA = 3  # PRAGMA user_version; a cache of another version is dropped


@dataclass(frozen=True)
class Entry:
    graph: str
    content_hash: str
    writes: str  # the version of the admin writes when it was saved (api/admin.py)
    records: dict[Key, Record]


class RecordDigests:
    """graph -> the record file last loaded into it, its content hash, and its records' digests."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        if self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
            self._db.executescript(
                f"""
                DROP TABLE IF EXISTS graphs;
                DROP TABLE IF EXISTS records;
                CREATE TABLE graphs (
                    graph TEXT PRIMARY KEY, file TEXT NOT NULL, content_hash TEXT NOT NULL,
                    writes TEXT NOT NULL
                );
                CREATE INDEX graphs_file ON graphs (file);
                CREATE TABLE records (
                    graph TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
                    input BLOB NOT NULL, output TEXT NOT NULL, triples INTEGER NOT NULL,
                    PRIMARY KEY (graph, kind, id)
                ) WITHOUT ROWID;
                PRAGMA user_version = {SCHEMA};
                """
            )
            self._db.commit()

    def for_file(self, file: Path) -> Entry | None:
        """The graph `file` was last loaded into, with the digests of the records it was mapped from."""
        row = self._db.execute(
            "SELECT graph, content_hash, writes FROM graphs WHERE file = ?", (str(file.resolve()),)
        ).fetchone()
        if row is None:
            return None
        graph, content_hash, writes = row
        rows = self._db.execute(
            "SELECT kind, id, input, output, triples FROM records WHERE graph = ?", (graph,)
        )
        records = {(kind, name): Record(a, b, n) for kind, name, a, b, n in rows}
        return Entry(graph, content_hash, writes, records)

    def put(self, graph: str, file: Path, content_hash: str, writes: str, records: dict[Key, Record]) -> None:
        name = str(file.resolve())
        stale = self._db.execute("SELECT graph FROM graphs WHERE file = ? AND graph != ?", (name, graph))
        self.drop([graph, *(row[0] for row in stale.fetchall())])
        self._db.execute("INSERT INTO graphs VALUES (?, ?, ?, ?)", (graph, name, content_hash, writes))
        self._db.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)",
            [(graph, kind, key, *record) for (kind, key), record in records.items()],
        )

    def drop(self, graphs: Iterable[str]) -> None:
        for graph in list(graphs):
            self._db.execute("DELETE FROM graphs WHERE graph = ?", (graph,))
            self._db.execute("DELETE FROM records WHERE graph = ?", (graph,))

    def close(self) -> None:
        self._db.commit()
        self._db.close()

    def __enter__(self) -> RecordDigests:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
