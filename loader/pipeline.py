"""load(): read -> map -> validate -> store, in that order, and nowhere else.

Each record file is published as its own named graph. A source that is refused (unreadable record,
SHACL violation) changes nothing: its previously published graph stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal as Kind

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from loader import search_index
from loader.errors import RecordError, StoreError
from loader.graph_writer import GraphWriter, repair
from loader.mapping import MappedSource
from loader.namespaces import Namespaces
from loader.preparation import (
    Prepared,
    Task,
    graph_metadata,
    loader_version,
    prepare,
    prepare_all,
    source_hash,
)
from loader.progress import Progress
from loader.record_delta import Previous
from loader.record_digests import RecordDigests
from loader.records import record_files
from loader.releases import Changes, line_digests, project_digests, record_release
from loader.settings import Settings
from loader.store import LodStore

VOCABULARY_GRAPHS = {"lodcat.ttl": "ontology", "schemes.ttl": "schemes", "reference.ttl": "reference"}
# The modules a record file's triples depend on: a change to one of them reloads every file.


@dataclass
class SourceOutcome:
    """What happened to one source in one run."""

    path: Path
    graph: str
    status: Kind["loaded", "unchanged", "refused", "valid", "retracted"]
    triples: int = 0
    problems: list[str] = field(default_factory=list)
    read: int = 0  # records read, mapped and validated
    reused: int = 0  # records of a changed file kept from its published graph, unread (record_delta)


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


def is_current(mapped: MappedSource, store: LodStore, ns: Namespaces, content_hash: str) -> bool:
    """Whether the source's published graph already has this content (its recorded content hash)."""
    return store.value(mapped.graph, ns.term("contentHash"), mapped.graph) == content_hash


def replace(mapped: MappedSource, store: LodStore, ns: Namespaces, content_hash: str) -> None:
    """Publish `mapped` as its named graph, all or nothing, with the graph's provenance and hash."""
    store.replace_graph(mapped.graph, [*mapped.triples, *graph_metadata(mapped, content_hash, ns)])


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


Retract = Callable[[str], bool]  # which published graphs a run may retract, by graph IRI


def every_source(ns: Namespaces) -> Retract:
    """`lodcat load --sync`: any record graph no file of the run publishes."""
    prefix = ns.graph("source/").value
    return lambda graph: graph.startswith(prefix)


def parts_of(ns: Namespaces, source_id: str) -> Retract:
    """`lodcat import --load`: the graphs of this source's record files (`{id}`, `{id}.part-NNN`)."""
    whole = ns.source_graph(source_id).value
    return lambda graph: graph == whole or graph.startswith(whole + ".part-")


def published_sources(store: LodStore, ns: Namespaces) -> dict[str, str]:
    """Source hash -> graph, for every published record graph that records one."""
    return {
        str(value): graph
        for graph, value in store.subjects_and_values(ns.term("sourceHash"))
        if graph.startswith(ns.graph("source/").value)
    }


def _retract(
    store: LodStore,
    ns: Namespaces,
    retract: Retract,
    kept: set[str],
    report: LoadReport,
    changes: Changes,
    records: RecordDigests,
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
            records.drop([graph])
            report.outcomes.append(SourceOutcome(Path(graph.removeprefix(prefix)), graph, "retracted"))


class _Published:
    """What the published graphs of changed record files were mapped from, looked up when a file is
    started (so that only its changed records are read), and their triples, read when it is written (the
    difference to write: of the records it replaced, or of the whole graph)."""

    def __init__(self, store: LodStore, ns: Namespaces, records: RecordDigests) -> None:
        self.store, self.ns, self.records = store, ns, records
        admin = ns.graph("admin")  # its content hash moves on with every write through the admin API
        self.writes = store.value(admin, ns.term("contentHash"), admin) or ""

    def previous(self, task: Task) -> Previous | None:
        entry = self.records.for_file(task.path)
        if entry is None or entry.writes != self.writes:
            return None  # unknown, or an admin write since may have changed any graph: read it whole
        node = NamedNode(entry.graph)
        if self.store.value(node, self.ns.term("contentHash"), node) != entry.content_hash:
            return None  # the graph changed since (or the cache is stale): read the file whole
        return Previous(entry.graph, entry.records)

    def lines(self, prepared: Prepared) -> list[bytes] | None:
        """The published N-Triples lines `prepared` replaces, sorted: of the records it replaced and the
        graph's provenance, or of the whole graph; None if it has no graph yet."""
        node = NamedNode(prepared.graph)
        if prepared.replaced is not None:
            lines = self.store.owned_ntriples(node, [prepared.graph, *prepared.replaced])
        elif self.store.contains_graph(node):
            lines = self.store.graph_ntriples(node)
        else:
            return None
        return sorted(lines.splitlines())


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
    published is skipped unread; of a changed file whose graph is published, only the records that
    changed are read (loader/record_delta.py). Files are read, mapped and validated in
    `settings.load_jobs` processes; each graph is written in one transaction. Graphs `retract` selects
    that no file among `paths` publishes are dropped (`load --sync`; the parts an import no longer has).
    Raises StoreError if the store cannot be written.
    """
    ns = Namespaces(settings.base_iri)
    report = LoadReport()
    if store is None:
        _check(record_files(paths), settings, report, progress)
        return report
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
    with RecordDigests(settings.record_digests_path) as records:
        changes = _publish(record_files(paths), settings, store, records, report, retract, progress)
    report.release = record_release(store, ns, changes)
    if refresh_index:
        search_index.refresh(store, settings)  # re-reads the projects of graphs whose hash changed
    return report


def _check(files: list[Path], settings: Settings, report: LoadReport, progress: bool) -> None:
    """`lodcat validate`: read, map and validate every file; write nothing."""
    meter = Progress("validate", "files", len(files), enabled=progress)
    seen: dict[str, Path] = {}
    work = [Task(path, "") for path in files]
    for prepared in prepare_all(work, settings, False, settings.load_jobs):
        meter.advance()
        if not _accepted(prepared, seen, report):
            continue
        report.outcomes.append(SourceOutcome(prepared.path, prepared.graph, "valid", prepared.triples))
    if files:
        meter.finish()


def _accepted(prepared: Prepared, seen: dict[str, Path], report: LoadReport) -> bool:
    """Whether `prepared` may be published: not refused, and the only file of the run with its graph."""
    path = prepared.path
    if prepared.problems:
        report.outcomes.append(SourceOutcome(path, "", "refused", problems=prepared.problems))
        return False
    if prepared.graph in seen:
        reason = f"{prepared.source_id!r} is already the id of {seen[prepared.graph]}"
        problem = RecordError(path, "(source)", "source.id", reason)
        report.outcomes.append(SourceOutcome(path, prepared.graph, "refused", problems=[str(problem)]))
        return False
    seen[prepared.graph] = path
    return True


def _publish(
    files: list[Path],
    settings: Settings,
    store: LodStore,
    records: RecordDigests,
    report: LoadReport,
    retract: Retract | None,
    progress: bool,
) -> Changes:
    """Publish the record files that changed; return the projects that changed."""
    ns = Namespaces(settings.base_iri)
    version = loader_version(settings)
    published = published_sources(store, ns)
    meter = Progress("load", "files", len(files), enabled=progress)
    seen: dict[str, Path] = {}
    work: list[Task] = []
    for path in files:
        digest = source_hash(path, version)
        graph = published.get(digest)
        if graph is not None and graph not in seen:
            seen[graph] = path
            report.outcomes.append(SourceOutcome(path, graph, "unchanged"))
            meter.advance()
        else:
            work.append(Task(path, digest))
    changes = Changes()
    writer = GraphWriter(store)
    graphs = _Published(store, ns, records)
    for prepared in prepare_all(work, settings, True, settings.load_jobs, graphs.previous):
        meter.advance()
        if not _accepted(prepared, seen, report):
            continue
        node = NamedNode(prepared.graph)
        changed = store.value(node, ns.term("contentHash"), node) != prepared.content_hash
        # What its records were mapped from is saved once the graph is in the store (and no more of
        # it is kept: memory holds the graphs of one bulk load at most).
        done = partial(
            records.put, prepared.graph, prepared.path, prepared.content_hash, graphs.writes, prepared.records
        )
        if changed:
            old = graphs.lines(prepared)
            writer.write(prepared, old, done)
            changes.track(line_digests(old or [], ns), prepared.digests)
        else:  # same triples from other bytes: remember these bytes, so the next run skips them unread
            store.set_value(node, ns.term("sourceHash"), Literal(prepared.source_hash), node)
            done()
        report.outcomes.append(
            SourceOutcome(
                prepared.path,
                prepared.graph,
                "loaded" if changed else "unchanged",
                prepared.triples,
                read=prepared.read,
                reused=prepared.reused,
            )
        )
    writer.flush()
    if retract is not None:
        _retract(store, ns, retract, set(seen), report, changes, records)
    if files:
        meter.finish()
    return changes


__all__ = ["LoadReport", "Prepared", "SourceOutcome", "StoreError", "prepare", "publish", "run"]
