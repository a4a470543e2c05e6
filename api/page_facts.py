"""What the pages read from the store: the triples about a thing, its own nodes and what they link to.

Reads go through the subject index only (`VALUES ?s { ... } ?s ?p ?o`), a few milliseconds a page at
any size of the catalogue; lists over many projects (a programme's, a region's) come from the search
index instead (loader/search_index.py). The union of the named graphs returns a triple once per graph
holding it, so everything here is deduplicated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, NamedNode, QuerySolutions

from loader.namespaces import DCTERMS, FOAF, RDF, RDFS, SCHEMA, SKOS
from loader.store import LodStore

Term = NamedNode | Literal
TYPE = RDF + "type"
# Where a name comes from, best first.
NAMES = (SKOS + "prefLabel", RDFS + "label", FOAF + "name", DCTERMS + "title", SCHEMA + "name")
BATCH = 400


class Facts:
    """Triples by subject and predicate, each object once, in a stable order."""

    def __init__(self) -> None:
        self.by_subject: dict[str, dict[str, dict[Term, None]]] = defaultdict(lambda: defaultdict(dict))

    def add(self, subject: str, predicate: str, term: Term) -> None:
        self.by_subject[subject][predicate][term] = None

    def describes(self, subject: str) -> bool:
        return subject in self.by_subject

    def objects(self, subject: str, predicate: str) -> list[Term]:
        found = self.by_subject.get(subject, {}).get(predicate, {})
        return sorted(found, key=lambda term: (isinstance(term, Literal), str(term)))

    def iris(self, subject: str, predicate: str) -> list[str]:
        return [term.value for term in self.objects(subject, predicate) if isinstance(term, NamedNode)]

    def literals(self, subject: str, predicate: str) -> list[Literal]:
        return [term for term in self.objects(subject, predicate) if isinstance(term, Literal)]

    def value(self, subject: str, predicate: str) -> str | None:
        """The first literal of (subject, predicate), as text."""
        literals = self.literals(subject, predicate)
        return literals[0].value if literals else None

    def decimal(self, subject: str, predicate: str) -> Decimal | None:
        text = self.value(subject, predicate)
        try:
            return Decimal(text) if text is not None else None
        except InvalidOperation:
            return None

    def texts(self, subject: str, predicate: str) -> dict[str, str]:
        """Literals of (subject, predicate) by language tag ("" for none), the first of each tag."""
        found: dict[str, str] = {}
        for literal in self.literals(subject, predicate):
            found.setdefault(literal.language or "", literal.value)
        return found

    def names(self, subject: str) -> dict[str, str]:
        """The subject's name by language, from the first naming property it has."""
        for predicate in NAMES:
            texts = self.texts(subject, predicate)
            if texts:
                return texts
        return {}

    def types(self, subject: str) -> set[str]:
        return set(self.iris(subject, TYPE))

    def subjects(self, predicate: str, target: str) -> list[str]:
        return sorted(
            subject
            for subject, predicates in self.by_subject.items()
            if any(isinstance(t, NamedNode) and t.value == target for t in predicates.get(predicate, {}))
        )


def rows(store: LodStore, query: str) -> QuerySolutions:
    """The solutions of a SELECT query."""
    result = store.query(query)
    assert isinstance(result, QuerySolutions)
    return result


def read(store: LodStore, facts: Facts, subjects: Iterable[str]) -> list[str]:
    """Add every triple of `subjects` to `facts`; return the subjects the store describes."""
    wanted = sorted(set(subjects))
    found = []
    for start in range(0, len(wanted), BATCH):
        values = " ".join(f"<{iri}>" for iri in wanted[start : start + BATCH])
        for row in rows(store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"):
            subject, predicate, term = row["s"], row["p"], row["o"]
            if isinstance(subject, NamedNode) and isinstance(term, NamedNode | Literal):
                facts.add(subject.value, predicate.value, term)
                found.append(subject.value)
    return sorted(set(found))


def gather(store: LodStore, iri: str, depth: int = 2) -> Facts:
    """The thing `iri`, the nodes below it that it links to (`{iri}/...`, level by level), everything
    they link to (`depth` links away), and the names of what those link to."""
    facts = Facts()
    frontier = [iri]
    seen = {iri}
    while frontier:  # the thing and its own nodes
        read(store, facts, frontier)
        frontier = [
            target
            for subject in frontier
            for predicate in list(facts.by_subject.get(subject, {}))
            for target in facts.iris(subject, predicate)
            if target.startswith(iri + "/") and target not in seen
        ]
        seen.update(frontier)
    for _ in range(depth):
        linked = {
            target
            for subject in list(facts.by_subject)
            for predicate in list(facts.by_subject[subject])
            if predicate != TYPE
            for target in facts.iris(subject, predicate)
            if target not in facts.by_subject
        }
        if not linked:
            break
        read(store, facts, linked)
    return facts


def graphs_of(store: LodStore, iri: str, content_hash: str) -> list[tuple[str, str | None, str | None]]:
    """The named graphs that describe `iri`, with their dcterms:modified and `content_hash` values."""
    query = (
        f"SELECT DISTINCT ?g ?modified ?hash WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o "
        f"OPTIONAL {{ ?g <{DCTERMS}modified> ?modified }} OPTIONAL {{ ?g <{content_hash}> ?hash }} }} }}"
    )
    return sorted(
        (
            row["g"].value,
            row["modified"].value if row["modified"] is not None else None,
            row["hash"].value if row["hash"] is not None else None,
        )
        for row in rows(store, query)
    )


def linking(store: LodStore, predicate: str, target: str, limit: int = 1000) -> list[str]:
    """Subjects that link to `target` through `predicate`, at most `limit` of them."""
    query = f"SELECT DISTINCT ?s WHERE {{ ?s <{predicate}> <{target}> }} ORDER BY ?s LIMIT {limit}"
    return [row["s"].value for row in rows(store, query) if isinstance(row["s"], NamedNode)]


def count_linking(store: LodStore, predicate: str, target: str) -> int:
    query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{predicate}> <{target}> }}"
    for row in rows(store, query):
        return int(row["n"].value)
    return 0


def described(store: LodStore, iris: Sequence[str]) -> Facts:
    """The triples of `iris` (and nothing below them)."""
    facts = Facts()
    read(store, facts, iris)
    return facts
