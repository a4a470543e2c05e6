"""The one narrow interface to the triple store: open, query, replace a named graph, dump.

Everything above this module talks to `LodStore`; later a remote store implements the same methods.
pyoxigraph documents `Store.update` as all-or-nothing, so a graph is replaced by one update that drops
the old content and inserts the new: readers see the old graph or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from loader.errors import StoreError

QueryResult = QuerySolutions | QueryBoolean | QueryTriples


class LodStore:
    """An Oxigraph store on disk (or in memory when `path` is None), opened once per process."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        try:
            if path is None:
                self._store = Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = Store(str(path))
        except OSError as error:
            hint = ""
            if "lock" in str(error).lower():
                # RocksDB lets one process open a store read-write (see docs/decisions/query-execution.md).
                hint = (
                    "; another process (a running `lodcat serve`?) has it open: "
                    "stop it, or write through /admin"
                )
            raise StoreError(f"{path}: cannot open the Oxigraph store: {error}{hint}") from None
        self._write_lock = threading.Lock()
        self._generation = 0
        self._versions: dict[str, tuple[int, str]] = {}

    @classmethod
    def read_only(cls, path: Path) -> LodStore:
        """Open a checkpoint (see `checkpoint`) read-only; nobody may write `path` meanwhile."""
        store = cls.__new__(cls)
        store.path = path
        try:
            store._store = Store.read_only(str(path))
        except OSError as error:
            raise StoreError(f"{path}: cannot open the checkpoint read-only: {error}") from None
        store._write_lock = threading.Lock()
        store._generation = 0
        store._versions = {}
        return store

    # -- reading ------------------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        union_default_graph: bool = True,
        prefixes: dict[str, str] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; the default graph is the union of the named graphs.

        `default_graphs` / `named_graphs` (the SPARQL 1.1 Protocol's default-graph-uri and
        named-graph-uri) replace the whole dataset, FROM and FROM NAMED included: if either is given, the
        default graph is the merge of `default_graphs` (empty without any) and GRAPH sees `named_graphs`
        only (https://www.w3.org/TR/sparql11-protocol/#dataset). Raises SyntaxError (pyoxigraph's) for a
        malformed query, ValueError for a graph name that is not an IRI. Changes nothing.
        """
        if default_graphs is None and named_graphs is None:
            return self._store.query(
                sparql, base_iri=base_iri, use_default_graph_as_union=union_default_graph, prefixes=prefixes
            )
        return self._store.query(
            sparql,
            base_iri=base_iri,
            prefixes=prefixes,
            default_graph=[NamedNode(name) for name in default_graphs or ()],
            named_graphs=[NamedNode(name) for name in named_graphs or ()],
        )

    def named_graphs(self) -> list[str]:
        return sorted(graph.value for graph in self._store.named_graphs() if isinstance(graph, NamedNode))

    def graph_triples(self, graph: NamedNode) -> Iterator[Triple]:
        for quad in self._store.quads_for_pattern(None, None, None, graph):
            yield quad.triple

    def value(self, subject: NamedNode, predicate: NamedNode, graph: NamedNode) -> str | None:
        """One object of (subject, predicate) in `graph`, as a string, or None."""
        for quad in self._store.quads_for_pattern(subject, predicate, None, graph):
            return (
                str(quad.object.value) if isinstance(quad.object, NamedNode | Literal) else str(quad.object)
            )
        return None

    def data_version(self, predicate: NamedNode) -> str:
        """A digest of every graph's content hash (`predicate`): changes whenever published data changes.

        Cached until this process next writes: only this process can write the store (RocksDB lock), and
        /sparql asks for it on every request (ETag).
        """
        cached = self._versions.get(predicate.value)
        if cached is not None and cached[0] == self._generation:
            return cached[1]
        generation = self._generation
        pairs = sorted(
            f"{quad.subject} {quad.object}"
            for quad in self._store.quads_for_pattern(None, predicate, None, None)
        )
        version = hashlib.sha256("\n".join(pairs).encode("utf-8")).hexdigest()[:20]
        self._versions[predicate.value] = (generation, version)
        return version

    def subjects_and_values(self, predicate: NamedNode) -> list[tuple[str, str]]:
        """(subject, object) of every statement with `predicate`, in any graph, as strings."""
        return [
            (
                quad.subject.value if isinstance(quad.subject, NamedNode) else str(quad.subject),
                quad.object.value if isinstance(quad.object, NamedNode | Literal) else str(quad.object),
            )
            for quad in self._store.quads_for_pattern(None, predicate, None, None)
        ]

    def __len__(self) -> int:
        return len(self._store)

    def quads(self) -> Iterator[Quad]:
        """Every quad in the store."""
        yield from self._store

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Count writes (even failed ones: a failed update may still be partly unknown) for the cache."""
        try:
            yield
        finally:
            self._generation += 1

    # -- writing ------------------------------------------------------------------------------------------

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Replace the content of `graph` with `triples`, all or nothing (see replace_graph_data)."""
        self.replace_graph_data(graph, serialize(list(triples), format=RdfFormat.N_TRIPLES) or b"")

    def replace_graph_data(self, graph: NamedNode, ntriples: bytes) -> None:
        """Replace the content of `graph` with the N-Triples `ntriples`, all or nothing.

        A graph not in the store yet is written by one transactional `Store.load` (parsed in Rust); an
        existing one by one SPARQL update that drops it and inserts the new triples. Raises StoreError.
        """
        with self._write_lock, self._writing():
            try:
                if not self._store.contains_named_graph(graph):
                    self._store.load(ntriples, format=RdfFormat.N_TRIPLES, to_graph=graph)
                    return
                name, body = graph.value, ntriples.decode("utf-8")
                update = f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}}} }}"
                self._store.update(update)
            except OSError as error:
                raise StoreError(f"{self.path}: cannot write graph <{graph.value}>: {error}") from None

    def set_value(self, subject: NamedNode, predicate: NamedNode, value: Literal, graph: NamedNode) -> None:
        """Make `value` the one object of (subject, predicate) in `graph`, in one update."""
        name, pattern = graph.value, f"<{subject.value}> <{predicate.value}>"
        with self._write_lock, self._writing():
            self._store.update(
                f"DELETE WHERE {{ GRAPH <{name}> {{ {pattern} ?old }} }} ;\n"
                f"INSERT DATA {{ GRAPH <{name}> {{ {pattern} {value} }} }}"
            )

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update, all or nothing. Raises SyntaxError (pyoxigraph's) for a bad update."""
        with self._write_lock, self._writing():
            self._store.update(sparql, base_iri=base_iri)

    def add_triples(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Add `triples` to `graph`, all or nothing."""
        with self._write_lock, self._writing():
            self._store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)

    def graph_ntriples(self, graph: NamedNode) -> bytes:
        """The triples of `graph` as N-Triples, written by Oxigraph (in Rust)."""
        output = io.BytesIO()
        self.dump_to(output, RdfFormat.N_TRIPLES, from_graph=graph)
        return output.getvalue()

    def owned_ntriples(self, graph: NamedNode, roots: Iterable[str]) -> bytes:
        """The triples of `graph` about the IRIs `roots` and about the nodes below a root (`{root}/...`)
        that it points at, in turn, as N-Triples: the triples one record owns (loader/record_delta.py)."""
        pending = [(NamedNode(root), root + "/") for root in roots]
        seen = {node.value for node, _below in pending}
        triples: list[Triple] = []
        while pending:
            node, below = pending.pop()
            for quad in self._store.quads_for_pattern(node, None, None, graph):
                triples.append(Triple(quad.subject, quad.predicate, quad.object))
                target = quad.object
                if (
                    isinstance(target, NamedNode)
                    and target.value.startswith(below)
                    and target.value not in seen
                ):
                    seen.add(target.value)
                    pending.append((target, below))
        return serialize(triples, format=RdfFormat.N_TRIPLES) or b""

    def patch_graph(self, graph: NamedNode, delete: bytes, insert: bytes) -> None:
        """Remove the N-Triples `delete` from `graph` and add `insert`, in one update (all or nothing).
        Raises StoreError."""
        name = graph.value
        update = (
            f"DELETE DATA {{ GRAPH <{name}> {{\n{delete.decode('utf-8')}}} }} ;\n"
            f"INSERT DATA {{ GRAPH <{name}> {{\n{insert.decode('utf-8')}}} }}"
        )
        with self._write_lock, self._writing():
            try:
                self._store.update(update)
            except OSError as error:
                raise StoreError(f"{self.path}: cannot write graph <{name}>: {error}") from None

    def load_quads(self, nquads: bytes) -> None:
        """Add the N-Quads `nquads`, all or nothing (one transaction). Raises StoreError."""
        with self._write_lock, self._writing():
            try:
                self._store.load(nquads, format=RdfFormat.N_QUADS)
            except OSError as error:
                raise StoreError(f"{self.path}: cannot write: {error}") from None

    def bulk_load(self, nquads: bytes) -> None:
        """Add the N-Quads `nquads` fast, NOT atomically: RocksDB files are written beside the store and
        ingested, several times faster than a transaction (see docs/decisions/bulk-loading.md). Only for
        graphs nobody reads yet; a crash midway leaves part of them. Raises StoreError."""
        with self._write_lock, self._writing():
            try:
                self._store.bulk_load(nquads, format=RdfFormat.N_QUADS)
            except OSError as error:
                raise StoreError(f"{self.path}: cannot bulk-load: {error}") from None

    def contains_graph(self, graph: NamedNode) -> bool:
        return bool(self._store.contains_named_graph(graph))

    def drop_graph(self, graph: NamedNode) -> None:
        """Remove a named graph and everything in it."""
        with self._write_lock, self._writing():
            self._store.update(f"DROP SILENT GRAPH <{graph.value}>")

    def dump(self, output: IO[bytes], rdf_format: RdfFormat = RdfFormat.N_QUADS) -> None:
        """Write every quad to `output` (N-Quads keeps the named graphs)."""
        output.write(serialize(self.quads(), format=rdf_format) or b"")

    def graph_names(self) -> list[NamedNode | BlankNode]:
        """Every named graph, IRIs and blank nodes, sorted by their N-Triples form (`<...>`, `_:...`)."""
        return sorted(self._store.named_graphs(), key=str)

    def dump_to(
        self,
        output: IO[bytes] | Path,
        rdf_format: RdfFormat,
        *,
        from_graph: NamedNode | BlankNode | DefaultGraph | None = None,
    ) -> None:
        """Write the store, or only the triples of `from_graph`, to `output` as Oxigraph serializes them.

        The statements stream from the store to `output` in Rust, in the store's own order, never as a
        list in Python: memory stays flat whatever the size of the store. A format without named graphs
        (N-Triples, Turtle) needs `from_graph`. Changes nothing; raises OSError if `output` cannot be
        written, ValueError for a triple format without `from_graph`.
        """
        target = str(output) if isinstance(output, Path) else output
        self._store.dump(target, rdf_format, from_graph=from_graph)

    def checkpoint(self, target: Path) -> None:
        """Write a consistent read-only copy of the store to `target` (RocksDB checkpoint: hard links).

        Worker processes open it with `Store.read_only`; nobody writes it. Raises StoreError for an
        in-memory store.
        """
        if self.path is None:
            raise StoreError("an in-memory store has no checkpoints")
        self._store.flush()
        self._store.backup(str(target))

    def flush(self) -> None:
        self._store.flush()


def default_graph_quad(triple: Triple) -> Quad:
    return Quad(triple.subject, triple.predicate, triple.object, DefaultGraph())
