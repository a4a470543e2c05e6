"""Writing prepared graphs into the store: bulk loads for new graphs, one update per changed graph.

docs/decisions/bulk-loading.md says why; `repair` drops what an interrupted bulk load left unfinished.
"""

from __future__ import annotations

from collections.abc import Callable

from pyoxigraph import NamedNode

from loader.namespaces import Namespaces
from loader.preparation import Prepared
from loader.store import LodStore

BULK_BYTES = 64 * 1024 * 1024  # N-Triples of new graphs gathered for one bulk load


def _as_quads(ntriples: bytes, graph: str) -> bytes:
    """N-Triples -> N-Quads in `graph`. N-Triples escapes line breaks inside literals, so ' .\\n' only
    ends a statement."""
    return ntriples.replace(b" .\n", f" <{graph}> .\n".encode())


class GraphWriter:
    """Writes prepared graphs. A changed graph is replaced in one transaction (readers see the old or the
    new one). New graphs are gathered and bulk-loaded BULK_BYTES at a time, several times faster than
    transactions (loading 10^5 projects transactionally takes minutes and GiBs), and only then get their
    provenance in one transaction: a graph without its content hash is unfinished, and `repair` drops
    it, so a crash midway costs the unfinished new graphs, never published data."""

    def __init__(self, store: LodStore) -> None:
        self.store = store
        self._data: list[bytes] = []
        self._metadata: list[bytes] = []
        self._done: list[Callable[[], None]] = []
        self._size = 0

    def write(
        self, prepared: Prepared, old: list[bytes] | None = None, done: Callable[[], None] | None = None
    ) -> None:
        """Write `prepared`; `old` is the N-Triples lines it replaces if its graph exists (all of them,
        or those of the records it replaced): then only the difference is written, in one update. `done`
        is called once the graph is in the store (at once, or when its bulk load is flushed)."""
        node = NamedNode(prepared.graph)
        if old is not None:
            before, after = set(old), set((prepared.ntriples + prepared.metadata).splitlines())
            delete = b"".join(line + b"\n" for line in sorted(before - after))
            insert = b"".join(line + b"\n" for line in sorted(after - before))
            self.store.patch_graph(node, delete, insert)
            if done is not None:
                done()
            return
        self._data.append(_as_quads(prepared.ntriples, prepared.graph))
        self._metadata.append(_as_quads(prepared.metadata, prepared.graph))
        if done is not None:
            self._done.append(done)
        self._size += len(prepared.ntriples)
        if self._size >= BULK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._data:
            self.store.bulk_load(b"".join(self._data))
            self.store.load_quads(b"".join(self._metadata))
        for done in self._done:
            done()
        self._data, self._metadata, self._done, self._size = [], [], [], 0


def repair(store: LodStore, ns: Namespaces) -> list[str]:
    """Drop the record graphs an interrupted load left unfinished (data without a content hash)."""
    prefix = ns.graph("source/").value
    unfinished = [
        graph
        for graph in store.named_graphs()
        if graph.startswith(prefix)
        and store.value(NamedNode(graph), ns.term("contentHash"), NamedNode(graph)) is None
    ]
    for graph in unfinished:
        store.drop_graph(NamedNode(graph))
    return unfinished
