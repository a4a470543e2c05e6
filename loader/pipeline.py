"""load(): read -> map -> validate -> store, in that order, and nowhere else.

Each record file is published as its own named graph. A source that is refused (unreadable record,
SHACL violation) changes nothing: its previously published graph stays as it was.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal as Kind

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse, serialize

from loader import search_index
from loader.compiled_shapes import validate
from loader.errors import RecordError, RecordsRefused, StoreError, ValidationFailed
from loader.mapping import TYPE, MappedSource, to_triples
from loader.namespaces import DCTERMS, PROV, XSD, Namespaces
from loader.progress import Progress
from loader.records import read_records, record_files
from loader.releases import Changes, line_digests, project_digests, record_release
from loader.settings import ROOT, Settings
from loader.store import LodStore

VOCABULARY_GRAPHS = {"lodcat.ttl": "ontology", "schemes.ttl": "schemes", "reference.ttl": "reference"}
# The modules a record file's triples depend on: a change to one of them reloads every file.
MAPPING_CODE = ("records.py", "mapping.py", "namespaces.py", "pipeline.py")
POOL_BYTES = 2 * 1024 * 1024  # record files to prepare before worker processes pay for their start
BULK_BYTES = 64 * 1024 * 1024  # N-Triples of new graphs gathered for one bulk load


@dataclass
class SourceOutcome:
    """What happened to one source in one run."""

    path: Path
    graph: str
    status: Kind["loaded", "unchanged", "refused", "valid", "retracted"]
    triples: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    release: int | None = None  # the dataset version this run published, if it changed data
    notes: list[str] = field(default_factory=list)

    def with_status(self, status: str) -> list[SourceOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def refused(self) -> list[SourceOutcome]:
        return self.with_status("refused")

    @property
    def ok(self) -> bool:
        return not self.refused

    def summary(self) -> str:
        counts = ", ".join(
            f"{len(self.with_status(status))} {status}"
            for status in ("loaded", "unchanged", "retracted", "valid", "refused")
            if self.with_status(status)
        )
        return f"{len(self.outcomes)} sources: {counts or 'nothing to do'}"


def prepare(path: Path, settings: Settings) -> MappedSource:
    """Read, map and validate one record file. Raises RecordsRefused or ValidationFailed; writes nothing."""
    ns = Namespaces(settings.base_iri)
    records = read_records(path)
    try:
        mapped = to_triples(records, path, ns)
    except ValueError as error:  # an identifier that cannot be part of an IRI
        raise RecordsRefused([RecordError(path, "(file)", "id", str(error))]) from None
    violations = validate(mapped, settings.shapes_path, settings.ontology_path, ns)
    if violations:
        raise ValidationFailed(violations)
    return mapped


def _graph_metadata(mapped: MappedSource, content_hash: str, ns: Namespaces) -> list[Triple]:
    """Provenance of the named graph itself; its content hash makes reloads of unchanged data no-ops."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    derived = []
    if mapped.path.suffix == ".json":  # a record file; vocabulary graphs come from ontology/ itself
        derived = [Triple(mapped.graph, NamedNode(PROV + "wasDerivedFrom"), ns.source(mapped.source_id))]
    return [
        Triple(mapped.graph, TYPE, NamedNode(PROV + "Entity")),
        *derived,
        Triple(mapped.graph, ns.term("contentHash"), Literal(content_hash)),
        Triple(
            mapped.graph, NamedNode(DCTERMS + "modified"), Literal(now, datatype=NamedNode(XSD + "dateTime"))
        ),
    ]


def is_current(mapped: MappedSource, store: LodStore, ns: Namespaces, content_hash: str) -> bool:
    """Whether the source's published graph already has this content (its recorded content hash)."""
    return store.value(mapped.graph, ns.term("contentHash"), mapped.graph) == content_hash


def replace(mapped: MappedSource, store: LodStore, ns: Namespaces, content_hash: str) -> None:
    """Publish `mapped` as its named graph, all or nothing, with the graph's provenance and hash."""
    store.replace_graph(mapped.graph, [*mapped.triples, *_graph_metadata(mapped, content_hash, ns)])


def publish(mapped: MappedSource, store: LodStore, ns: Namespaces) -> bool:
    """Replace the source's named graph unless its content is unchanged; return True if it was written."""
    content_hash = mapped.content_hash()
    if is_current(mapped, store, ns, content_hash):
        return False
    replace(mapped, store, ns, content_hash)
    return True


def vocabulary_sources(settings: Settings) -> list[MappedSource]:
    """The ontology, concept schemes and reference labels, each as its own graph."""
    ns = Namespaces(settings.base_iri)
    sources = []
    for name, graph in VOCABULARY_GRAPHS.items():
        path = settings.ontology_path / name
        if not path.exists():
            continue
        triples = list(parse(path=path, format=RdfFormat.TURTLE, base_iri=settings.base_iri))
        sources.append(
            MappedSource(
                path=path,
                source_id=graph,
                graph=ns.graph(graph),
                triples=[Triple(t.subject, t.predicate, t.object) for t in triples],
            )
        )
    return sources


def _problems(error: RecordsRefused | ValidationFailed) -> list[str]:
    return str(error).splitlines()


Retract = Callable[[str], bool]  # which published graphs a run may retract, by graph IRI


# -- record files, in parallel ---------------------------------------------------------------------------


@dataclass
class Prepared:
    """One record file read, mapped and validated (in a worker process): what the writer needs, as plain
    data. `problems` non-empty means refused."""

    path: Path
    source_hash: str
    source_id: str = ""
    graph: str = ""
    ntriples: bytes = b""  # the graph's triples, N-Triples
    metadata: bytes = b""  # its provenance (content hash, source hash, ...), N-Triples
    content_hash: str = ""
    digests: dict[str, str] = field(default_factory=dict)  # project IRI -> digest (releases)
    triples: int = 0
    projects: int = 0
    problems: list[str] = field(default_factory=list)


def prepare_file(path: Path, source_hash: str, settings: Settings, with_data: bool = True) -> Prepared:
    """Read, map and validate one record file; never raises for bad input (see Prepared.problems)."""
    ns = Namespaces(settings.base_iri)
    try:
        mapped = prepare(path, settings)
    except (RecordsRefused, ValidationFailed) as error:
        return Prepared(path, source_hash, problems=_problems(error))
    prepared = Prepared(
        path,
        source_hash,
        mapped.source_id,
        mapped.graph.value,
        triples=len(mapped.triples),
        projects=sum(1 for record in set(mapped.records.values()) if record != "(source)"),
    )
    if with_data:  # one serialisation gives the content hash, the project digests and the graph
        data = serialize(mapped.triples, format=RdfFormat.N_TRIPLES) or b""
        lines = sorted(data.splitlines())
        prepared.content_hash = hashlib.sha256(b"\n".join(lines)).hexdigest()  # = mapped.content_hash()
        prepared.digests = line_digests(lines, ns)
        metadata = _graph_metadata(mapped, prepared.content_hash, ns)
        metadata.append(Triple(mapped.graph, ns.term("sourceHash"), Literal(source_hash)))
        prepared.ntriples = data
        prepared.metadata = serialize(metadata, format=RdfFormat.N_TRIPLES) or b""
    return prepared


def loader_version(settings: Settings) -> bytes:
    """What a record file's graph depends on besides the file: the mapping code, the shapes, the base."""
    digest = hashlib.sha256(settings.base_iri.encode("utf-8"))
    for path in (*(ROOT / "loader" / name for name in MAPPING_CODE), settings.shapes_path):
        digest.update(path.read_bytes())
    return digest.digest()


def source_hash(path: Path, version: bytes) -> str:
    """The hash recorded as lodcat:sourceHash: the file's bytes and the loader version."""
    digest = hashlib.sha256(version)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _prepared(
    work: list[tuple[Path, str]], settings: Settings, with_data: bool, jobs: int
) -> Iterator[Prepared]:
    """prepare_file over `work`, in order; with jobs > 1 and more than POOL_BYTES of files, in that many
    processes, at most 2 x jobs files ahead of the caller, so memory holds a few files whatever their
    number. (Starting the processes costs about a second: small loads stay in this process.)"""
    if jobs <= 1 or len(work) < 2 or sum(path.stat().st_size for path, _ in work) < POOL_BYTES:
        for path, digest in work:
            yield prepare_file(path, digest, settings, with_data)
        return
    context = multiprocessing.get_context("spawn")  # the parent holds RocksDB threads; never fork them
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Future[Prepared]] = deque()
        queue = iter(work)
        for path, digest in queue:
            pending.append(pool.submit(prepare_file, path, digest, settings, with_data))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            done = pending.popleft().result()
            for path, digest in queue:
                pending.append(pool.submit(prepare_file, path, digest, settings, with_data))
                break
            yield done


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
        self._size = 0

    def write(self, prepared: Prepared, old: list[bytes] | None = None) -> None:
        """Write `prepared`; `old` is the N-Triples lines of its graph if it exists: then only the
        difference is written, in one update (a changed record is a few dozen triples of thousands)."""
        node = NamedNode(prepared.graph)
        if old is not None:
            before, after = set(old), set((prepared.ntriples + prepared.metadata).splitlines())
            delete = b"".join(line + b"\n" for line in sorted(before - after))
            insert = b"".join(line + b"\n" for line in sorted(after - before))
            self.store.patch_graph(node, delete, insert)
            return
        self._data.append(_as_quads(prepared.ntriples, prepared.graph))
        self._metadata.append(_as_quads(prepared.metadata, prepared.graph))
        self._size += len(prepared.ntriples)
        if self._size >= BULK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._data:
            self.store.bulk_load(b"".join(self._data))
            self.store.load_quads(b"".join(self._metadata))
        self._data, self._metadata, self._size = [], [], 0


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


def published_sources(store: LodStore, ns: Namespaces) -> dict[str, str]:
    """Source hash -> graph, for every published record graph that records one."""
    return {
        str(value): graph
        for graph, value in store.subjects_and_values(ns.term("sourceHash"))
        if graph.startswith(ns.graph("source/").value)
    }


def _retract(
    store: LodStore, ns: Namespaces, retract: Retract, kept: set[str], report: LoadReport, changes: Changes
) -> None:
    """Drop the graphs `retract` selects that no file of this run published; nothing if a file was
    refused, since its graph is not known and must stay."""
    if report.refused:
        report.notes.append("retracted nothing: the published graph of a refused file must stay")
        return
    prefix = ns.graph("source/").value
    for graph in store.named_graphs():
        if retract(graph) and graph not in kept:
            node = NamedNode(graph)
            changes.track(project_digests(store.graph_triples(node), ns), {})
            store.drop_graph(node)
            report.outcomes.append(SourceOutcome(Path(graph.removeprefix(prefix)), graph, "retracted"))


def run(
    paths: Iterable[Path],
    settings: Settings,
    store: LodStore | None,
    *,
    retract: Retract | None = None,
    progress: bool = False,
    refresh_index: bool = True,
) -> LoadReport:
    """Check every record file under `paths`; with a store, publish the ones that pass.

    With `store=None` nothing is written (`lodcat validate`). The ontology and schemes are published
    first, each into its own graph. A record file whose bytes (and the loader version) are already
    published is skipped unread. Files are read, mapped and validated in `settings.load_jobs`
    processes; each graph is written in one transaction. Graphs `retract` selects that no file among
    `paths` publishes are dropped (`load --sync`; the parts an import no longer has). Raises StoreError
    if the store cannot be written.
    """
    ns = Namespaces(settings.base_iri)
    report = LoadReport()
    if store is not None:
        for unfinished in repair(store, ns):
            report.notes.append(f"dropped <{unfinished}>: an interrupted load left it unfinished")
        for vocabulary in vocabulary_sources(settings):
            written = publish(vocabulary, store, ns)
            report.outcomes.append(
                SourceOutcome(
                    vocabulary.path,
                    vocabulary.graph.value,
                    "loaded" if written else "unchanged",
                    len(vocabulary.triples),
                )
            )
    files = record_files(paths)
    version = loader_version(settings)
    published = published_sources(store, ns) if store is not None else {}
    meter = Progress("load" if store is not None else "validate", "files", len(files), enabled=progress)
    seen: dict[str, Path] = {}
    kept: set[str] = set()
    work: list[tuple[Path, str]] = []
    for path in files:
        digest = source_hash(path, version)
        graph = published.get(digest)
        if graph is not None and graph not in kept:
            kept.add(graph)
            seen[graph] = path
            report.outcomes.append(SourceOutcome(path, graph, "unchanged"))
            meter.advance()
        else:
            work.append((path, digest))
    changes = Changes()
    writer = GraphWriter(store) if store is not None else None
    for prepared in _prepared(work, settings, store is not None, settings.load_jobs):
        meter.advance()
        path = prepared.path
        if prepared.problems:
            report.outcomes.append(SourceOutcome(path, "", "refused", problems=prepared.problems))
            continue
        if prepared.graph in seen:
            problem = RecordError(
                path,
                "(source)",
                "source.id",
                f"{prepared.source_id!r} is already the id of {seen[prepared.graph]}",
            )
            report.outcomes.append(SourceOutcome(path, prepared.graph, "refused", problems=[str(problem)]))
            continue
        seen[prepared.graph] = path
        kept.add(prepared.graph)
        if store is None or writer is None:
            report.outcomes.append(SourceOutcome(path, prepared.graph, "valid", prepared.triples))
            continue
        node = NamedNode(prepared.graph)
        written = store.value(node, ns.term("contentHash"), node) != prepared.content_hash
        if written:  # the old graph is read only when the source changed
            old = sorted(store.graph_ntriples(node).splitlines()) if store.contains_graph(node) else None
            writer.write(prepared, old)
            changes.track(line_digests(old or [], ns), prepared.digests)
        else:  # same triples from other bytes: remember these bytes, so the next run skips them unread
            store.set_value(node, ns.term("sourceHash"), Literal(prepared.source_hash), node)
        report.outcomes.append(
            SourceOutcome(path, prepared.graph, "loaded" if written else "unchanged", prepared.triples)
        )
    if writer is not None:
        writer.flush()
    if store is not None and retract is not None:
        _retract(store, ns, retract, kept, report, changes)
    if files:
        meter.finish()
    if store is not None:
        report.release = record_release(store, ns, changes)
        if refresh_index:
            search_index.refresh(store, settings)  # re-reads the projects of graphs whose hash changed
    return report


__all__ = ["LoadReport", "Prepared", "SourceOutcome", "StoreError", "prepare", "publish", "run"]
