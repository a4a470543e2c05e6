"""What the search index reads of the store: each project's texts, facet values, funding and indicators.

Read by SPARQL from the store, never from record files, in a few SELECTs of one triple pattern each
(over every project) or with `VALUES` (over the projects of one changed graph). One pattern per query
and no joins: Oxigraph keeps the strings of IRIs and literals in a separate table and looks each one up
as it returns a row, which at 10^5 projects costs more than the join would save; Python joins on the
IRIs it already has. Every result is a set, because the union of the named graphs returns a triple once
for each graph that holds it (shared organisations are in many).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, NamedNode, QuerySolutions

from loader.namespaces import DCTERMS, FOAF, RDFS, SKOS, Namespaces
from loader.store import LodStore

BATCH = 500
PREFIXES = f"""PREFIX lodcat: <{{vocab}}>
PREFIX dcterms: <{DCTERMS}>
PREFIX foaf: <{FOAF}>
PREFIX skos: <{SKOS}>
PREFIX rdfs: <{RDFS}>
"""
# What the index reads of a project: field -> predicate (lodcat: terms by local name).
Spec = str | tuple[str, ...]
DIRECT: dict[str, Spec] = {
    "identifier": DCTERMS + "identifier",
    "title": DCTERMS + "title",
    "alternative": DCTERMS + "alternative",
    "description": DCTERMS + "description",
    "code": ("projectCode", "applicationNumber", "accreditationNumber"),
    "start": "startDate",
    "end": "endDate",
    "status": "status",
    "programme": "programme",
    "fund": "fund",
    "country": "country",
    "region": "region",
    "target_group": "targetGroup",
    "participant": "participant",
}
# Nodes a project owns: kind -> (the link from the project, {field -> predicate of the node}).
PARTS: dict[str, tuple[str, dict[str, Spec]]] = {
    "activity": ("activity", {"text": (DCTERMS + "title", DCTERMS + "description")}),
    "output": ("output", {"text": (DCTERMS + "title", DCTERMS + "description")}),
    "funding": ("funding", {"type": "fundingType", "amount": "amount", "currency": "currency"}),
    "indicator": (
        "indicator",
        {"measure": "measure", "unit": "unit", "value": "value", "planned": "planned"},
    ),
}
Term = NamedNode | Literal


def _select(store: LodStore, ns: Namespaces, query: str) -> QuerySolutions:
    result = store.query(PREFIXES.replace("{vocab}", ns.vocab) + query)
    assert isinstance(result, QuerySolutions)
    return result


def _predicates(spec: Spec, ns: Namespaces) -> list[str]:
    names = (spec,) if isinstance(spec, str) else spec
    return [name if ":" in name else ns.vocab + name for name in names]


def _batches(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _pairs(
    store: LodStore, ns: Namespaces, predicate: str, projects: Sequence[str] | None, link: str | None = None
) -> set[tuple[str, Term]]:
    """(subject, object) of every `predicate` triple whose subject is one of `projects` (None: any
    subject) or, with `link`, a node such a project links to that way.

    Over every project, one triple pattern per query and no join: the store decodes each term it
    returns (its strings live in a separate table), which costs more than the join saves, and Python
    joins on IRIs it already has. A set: the union of graphs returns a triple once per graph holding it.
    """
    if projects is None:
        rows = _select(store, ns, f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")
        return {(row["s"].value, row["o"]) for row in rows if isinstance(row["o"], NamedNode | Literal)}
    found: set[tuple[str, Term]] = set()
    for batch in _batches(projects):
        values = " ".join(f"<{iri}>" for iri in batch)
        pattern = f"?project <{link}> ?s . ?s <{predicate}> ?o" if link else f"?s <{predicate}> ?o"
        variable = "?project" if link else "?s"
        rows = _select(
            store, ns, f"SELECT DISTINCT ?s ?o WHERE {{ VALUES {variable} {{ {values} }} {pattern} }}"
        )
        found.update((row["s"].value, row["o"]) for row in rows if isinstance(row["o"], NamedNode | Literal))
    return found


def _key(term: object) -> str:
    """The facet value of an IRI (its last segment) or a literal (its text)."""
    if isinstance(term, NamedNode):
        return re.split(r"[/#]", term.value)[-1]
    return str(getattr(term, "value", term))


def _e4(text: str) -> int | None:
    """A decimal in ten-thousandths, exactly (sums stay exact in SQLite integers); None if not a number."""
    try:
        return int((Decimal(text) * 10000).to_integral_value())
    except InvalidOperation:
        return None


@dataclass
class Document:
    """What the index keeps of one project: its literals and value keys by field, its graphs, and its
    parts' fields by part IRI."""

    iri: str
    texts: dict[str, list[Literal]] = field(default_factory=lambda: defaultdict(list))
    values: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    parts: dict[str, dict[str, dict[str, list[Term]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    )

    def funding(self) -> list[tuple[str, str | None, int | None]]:
        """(type, currency, amount in ten-thousandths) of each funding node."""
        found = []
        for fields in self.parts["funding"].values():
            amount = next(iter(fields["amount"]), None)
            currency = next(iter(fields["currency"]), None)
            for kind in fields["type"]:
                found.append(
                    (_key(kind), _key(currency) if currency else None, _e4(amount.value) if amount else None)
                )
        return sorted(found, key=str)

    def indicators(self) -> list[tuple[str, str, int, bool]]:
        """(measure, unit, value in ten-thousandths, planned) of each indicator node."""
        found = []
        for fields in self.parts["indicator"].values():
            value = _e4(fields["value"][0].value) if fields["value"] else None
            if fields["measure"] and fields["unit"] and value is not None:
                planned = any(term.value == "true" for term in fields["planned"])
                found.append((_key(fields["measure"][0]), _key(fields["unit"][0]), value, planned))
        return sorted(found)


def read_documents(store: LodStore, ns: Namespaces, projects: Sequence[str] | None) -> dict[str, Document]:
    """The documents of `projects` (None: every project in the store), read with SPARQL SELECTs."""
    documents: dict[str, Document] = {}
    for batch in [None] if projects is None else list(_batches(projects)):
        values = "" if batch is None else "VALUES ?s { " + " ".join(f"<{iri}>" for iri in batch) + " } "
        query = f"SELECT ?graph ?s WHERE {{ {values}GRAPH ?graph {{ ?s a lodcat:Project }} }}"
        for row in _select(store, ns, query):
            created = documents.setdefault(row["s"].value, Document(row["s"].value))
            created.values["graph"].append(row["graph"].value)
    wanted = sorted(documents) if projects is not None else None
    for name, spec in DIRECT.items():
        for predicate in _predicates(spec, ns):
            for subject, term in _pairs(store, ns, predicate, wanted):
                document = documents.get(subject)
                if document is None:
                    continue
                if name == "participant":
                    document.values[name].append(term.value)
                elif isinstance(term, Literal) and name not in ("start", "end", "identifier"):
                    document.texts[name].append(term)
                else:
                    document.values[name].append(_key(term) if isinstance(term, NamedNode) else term.value)
    for kind, (link, fields) in PARTS.items():
        owner: dict[str, Document] = {}
        for subject, part in _pairs(store, ns, ns.vocab + link, wanted):
            if subject in documents and isinstance(part, NamedNode):
                owner[part.value] = documents[subject]
        if not owner:
            continue
        for name, spec in fields.items():
            for predicate in _predicates(spec, ns):
                for subject, term in _pairs(
                    store, ns, predicate, wanted, ns.vocab + link if wanted else None
                ):
                    if subject in owner:
                        owner[subject].parts[kind][subject][name].append(term)
    for document in documents.values():
        for kind in ("activity", "output"):
            document.texts[kind] = [
                term
                for fields in document.parts[kind].values()
                for term in fields["text"]
                if isinstance(term, Literal)
            ]
    return documents


def organisation_names(
    store: LodStore, ns: Namespaces, organisations: Sequence[str], scan: bool = False
) -> dict[str, str]:
    """Each organisation's names (foaf:name, skos:altLabel) as sorted JSON, to index and to compare.
    With `scan`, read every name in the store once rather than looking the organisations up."""
    names: dict[str, set[tuple[str, str]]] = {iri: set() for iri in organisations}
    for predicate in (FOAF + "name", SKOS + "altLabel"):
        for subject, name in _pairs(store, ns, predicate, None if scan else organisations):
            if subject in names and isinstance(name, Literal):
                names[subject].add((name.language or "", name.value))
    return {iri: json.dumps(sorted(found), ensure_ascii=False) for iri, found in names.items()}


def graph_hashes(store: LodStore, ns: Namespaces) -> dict[str, str]:
    """Every named graph's content hash, as `publish()` and the admin API record them."""
    query = "SELECT ?graph ?hash WHERE { GRAPH ?graph { ?graph lodcat:contentHash ?hash } }"
    return {row["graph"].value: row["hash"].value for row in _select(store, ns, query)}


def graph_members(store: LodStore, ns: Namespaces, graph: str) -> tuple[set[str], set[str]]:
    """The projects and the organisations that `graph` types as such."""
    query = (
        f"SELECT ?s ?kind WHERE {{ GRAPH <{graph}> {{ ?s a ?kind "
        "FILTER (?kind IN (lodcat:Project, lodcat:Organisation)) } }"
    )
    projects: set[str] = set()
    organisations: set[str] = set()
    for row in _select(store, ns, query):
        (projects if row["kind"].value == ns.vocab + "Project" else organisations).add(row["s"].value)
    return projects, organisations


def programme_periods(store: LodStore, ns: Namespaces) -> dict[str, str]:
    """Each programme's notation (last IRI segment) -> its lodcat:programmingPeriod."""
    query = "SELECT ?programme ?period WHERE { ?programme lodcat:programmingPeriod ?period }"
    return {_key(row["programme"]): row["period"].value for row in _select(store, ns, query)}


def labels(store: LodStore, ns: Namespaces, iris: Sequence[str]) -> dict[str, dict[str, str]]:
    """The labels of `iris` by language: skos:prefLabel, else rdfs:label (the untagged one as "")."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for batch in _batches(sorted(set(iris))):
        values = " ".join(f"<{iri}>" for iri in batch)
        for predicate in (RDFS + "label", SKOS + "prefLabel"):  # prefLabel last, so it wins
            query = f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s <{predicate}> ?label }}"
            for row in _select(store, ns, query):
                found[row["s"].value][row["label"].language or ""] = row["label"].value
    return dict(found)
