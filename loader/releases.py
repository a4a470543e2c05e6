"""Releases: each load that changes data bumps the dataset version and records what changed.

A release is `{base}id/release/{n}` (a lodcat:Release and prov:Activity) in the graph
`{base}graph/releases`, with dcterms:issued and the projects added, changed and removed. The dataset
itself carries dcat:version `n` and dcterms:modified there, so the DCAT-AP catalogue and the /changes
feed read both from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyoxigraph import Literal, NamedNode, QuerySolutions, RdfFormat, Triple, serialize

from loader.mapping import TYPE
from loader.namespaces import DCAT, DCTERMS, OWL, PROV, XSD, Namespaces
from loader.owners import Owners, owned_digests
from loader.owners import project_digests as owned_project_digests
from loader.store import LodStore


def project_digests(triples: Iterable[Triple], ns: Namespaces) -> dict[str, str]:
    """Per project IRI, a digest of the triples about the project and the nodes below its IRI."""
    return line_digests(sorted((serialize(triples, format=RdfFormat.N_TRIPLES) or b"").splitlines()), ns)


def line_digests(lines: Iterable[bytes], ns: Namespaces) -> dict[str, str]:
    """project_digests of N-Triples lines, sorted and distinct: the loader has them already."""
    owners = Owners(ns)
    return owned_project_digests(owned_digests(lines, owners), owners)


@dataclass
class Changes:
    """Projects added, changed and removed by one run of the loader."""

    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)

    def track(self, before: dict[str, str], after: dict[str, str]) -> None:
        self.before.update(before)
        self.after.update(after)

    @property
    def added(self) -> list[str]:
        return sorted(set(self.after) - set(self.before))

    @property
    def removed(self) -> list[str]:
        return sorted(set(self.before) - set(self.after))

    @property
    def changed(self) -> list[str]:
        return sorted(p for p in set(self.before) & set(self.after) if self.before[p] != self.after[p])

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def current_version(store: LodStore, ns: Namespaces) -> int:
    """The dataset version of the last release (0 before the first)."""
    result = store.query(
        f"SELECT ?version WHERE {{ GRAPH <{ns.graph('releases').value}> "
        f"{{ <{ns.dataset().value}> <{DCAT}version> ?version }} }}"
    )
    assert isinstance(result, QuerySolutions)
    for row in result:
        value = row["version"]
        if isinstance(value, Literal) and value.value.isdigit():
            return int(value.value)
    return 0


def record_release(
    store: LodStore, ns: Namespaces, changes: Changes, now: datetime | None = None
) -> int | None:
    """Write release n+1 and bump the dataset version; None, writing nothing, when nothing changed."""
    if not changes:
        return None
    version = current_version(store, ns) + 1
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    stamp = Literal(moment.isoformat().replace("+00:00", "Z"), datatype=NamedNode(XSD + "dateTime"))
    release = ns.release(str(version))
    dataset = ns.dataset()
    graph = ns.graph("releases")
    triples = [
        Triple(release, TYPE, ns.term("Release")),
        Triple(release, TYPE, NamedNode(PROV + "Activity")),
        Triple(release, NamedNode(DCTERMS + "issued"), stamp),
        Triple(release, NamedNode(OWL + "versionInfo"), Literal(str(version))),
        Triple(release, NamedNode(DCTERMS + "isVersionOf"), dataset),
        Triple(dataset, NamedNode(DCAT + "version"), Literal(str(version))),
        Triple(dataset, NamedNode(DCTERMS + "modified"), stamp),
    ]
    if version == 1:  # the dataset was first issued with its first release
        triples.append(Triple(dataset, NamedNode(DCTERMS + "issued"), stamp))
    for kind, projects in (
        ("added", changes.added),
        ("changed", changes.changed),
        ("removed", changes.removed),
    ):
        triples.extend(Triple(release, ns.term(kind), NamedNode(project)) for project in projects)
    body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    store.update(
        f"DELETE WHERE {{ GRAPH <{graph.value}> {{ <{dataset.value}> <{DCAT}version> ?v }} }} ;\n"
        f"DELETE WHERE {{ GRAPH <{graph.value}> {{ <{dataset.value}> <{DCTERMS}modified> ?m }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{graph.value}> {{\n{body}\n}} }}"
    )
    return version
