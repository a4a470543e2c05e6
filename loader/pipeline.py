"""load(): read -> map -> validate -> store, in that order, and nowhere else.

Each record file is published as its own named graph. A source that is refused (unreadable record,
SHACL violation) changes nothing: its previously published graph stays as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal as Kind

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from loader import search_index
from loader.errors import RecordError, RecordsRefused, StoreError, ValidationFailed
from loader.mapping import TYPE, MappedSource, to_triples
from loader.namespaces import DCTERMS, PROV, XSD, Namespaces
from loader.records import read_records, record_files
from loader.releases import Changes, project_digests, record_release
from loader.settings import Settings
from loader.store import LodStore
from loader.validation import validate

VOCABULARY_GRAPHS = {"lodcat.ttl": "ontology", "schemes.ttl": "schemes", "reference.ttl": "reference"}


@dataclass
class SourceOutcome:
    """What happened to one source in one run."""

    path: Path
    graph: str
    status: Kind["loaded", "unchanged", "refused", "valid"]
    triples: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    release: int | None = None  # the dataset version this run published, if it changed data

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
            for status in ("loaded", "unchanged", "valid", "refused")
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


def run(paths: Iterable[Path], settings: Settings, store: LodStore | None) -> LoadReport:
    """Check every record file under `paths`; with a store, publish the ones that pass.

    With `store=None` nothing is written (`lodcat validate`). The ontology and schemes are published
    first, each into its own graph. Raises StoreError if the store cannot be written.
    """
    ns = Namespaces(settings.base_iri)
    report = LoadReport()
    if store is not None:
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
    seen: dict[str, Path] = {}
    changes = Changes()
    for path in record_files(paths):
        try:
            mapped = prepare(path, settings)
        except (RecordsRefused, ValidationFailed) as error:
            report.outcomes.append(SourceOutcome(path, "", "refused", problems=_problems(error)))
            continue
        if mapped.source_id in seen:
            problem = RecordError(
                path,
                "(source)",
                "source.id",
                f"{mapped.source_id!r} is already the id of {seen[mapped.source_id]}",
            )
            report.outcomes.append(
                SourceOutcome(path, mapped.graph.value, "refused", problems=[str(problem)])
            )
            continue
        seen[mapped.source_id] = path
        if store is None:
            report.outcomes.append(SourceOutcome(path, mapped.graph.value, "valid", len(mapped.triples)))
            continue
        content_hash = mapped.content_hash()
        written = not is_current(mapped, store, ns, content_hash)
        if written:  # the old graph's projects are read only when the source changed
            before = project_digests(store.graph_triples(mapped.graph), ns)
            replace(mapped, store, ns, content_hash)
            changes.track(before, project_digests(mapped.triples, ns))
        report.outcomes.append(
            SourceOutcome(path, mapped.graph.value, "loaded" if written else "unchanged", len(mapped.triples))
        )
    if store is not None:
        report.release = record_release(store, ns, changes)
        search_index.refresh(store, settings)  # re-reads the projects of graphs whose hash changed
    return report


__all__ = ["LoadReport", "SourceOutcome", "StoreError", "prepare", "publish", "run"]
