"""load(): read -> map -> validate -> store, in that order, and nowhere else.

Each record file is published as its own named graph. A source that is refused (unreadable record,
SHACL violation) changes nothing: its previously published graph stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as Kind

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from loader import search_index
from loader.errors import RecordError, StoreError
from loader.graph_writer import GraphWriter, repair
from loader.mapping import MappedSource
from loader.namespaces import Namespaces
from loader.preparation import Prepared, graph_metadata, loader_version, prepare, prepare_all, source_hash
from loader.progress import Progress
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
    for prepared in prepare_all(work, settings, store is not None, settings.load_jobs):
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
