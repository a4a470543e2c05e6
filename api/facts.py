"""The triples of CONSTRUCT results, indexed by subject and predicate: what api/documents.py reads.

Lookups return values sorted, so the same data always gives the same JSON; a value SHACL requires and
the triples lack is a LookupError (a 500: the store broke its shapes), never an invented value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypeVar

from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode, Triple

from api.models import LanguageMap, LanguageSets, PartialDate, Precision
from loader import namespaces
from loader.namespaces import Namespaces

Built = TypeVar("Built")

PRECISIONS: dict[str, Precision] = {
    namespaces.XSD + "date": "day",
    namespaces.XSD + "gYearMonth": "month",
    namespaces.XSD + "gYear": "year",
}
RDF_TYPE = namespaces.RDF + "type"
IDENTIFIER = namespaces.DCTERMS + "identifier"
TITLE = namespaces.DCTERMS + "title"
DESCRIPTION = namespaces.DCTERMS + "description"
NOTE = namespaces.SKOS + "note"
PREF_LABEL = namespaces.SKOS + "prefLabel"
NOTATION = namespaces.SKOS + "notation"
RDFS_LABEL = namespaces.RDFS + "label"
IN_SCHEME = namespaces.SKOS + "inScheme"

Object = NamedNode | RdfLiteral


class Facts:
    """The triples of CONSTRUCT results, looked up by subject and predicate (or object and predicate).

    Values come back sorted, so the same data always gives the same JSON.
    """

    def __init__(self, triples: Iterable[Triple], ns: Namespaces) -> None:
        self.ns = ns
        self.triples = list(triples)
        self._forward: dict[str, dict[str, list[Object]]] = {}
        self._backward: dict[tuple[str, str], list[str]] = {}
        for triple in self.triples:
            subject, obj = triple.subject, triple.object
            if isinstance(subject, NamedNode) and isinstance(obj, NamedNode | RdfLiteral):
                self._forward.setdefault(subject.value, {}).setdefault(triple.predicate.value, []).append(obj)
                if isinstance(obj, NamedNode):
                    self._backward.setdefault((obj.value, triple.predicate.value), []).append(subject.value)

    def v(self, name: str) -> str:
        """A lodcat vocabulary term."""
        return self.ns.vocab + name

    def describes(self, subject: str) -> bool:
        return subject in self._forward

    def _objects(self, subject: str, predicate: str) -> list[Object]:
        return self._forward.get(subject, {}).get(predicate, [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        return sorted({o.value for o in self._objects(subject, predicate) if isinstance(o, NamedNode)})

    def iri(self, subject: str, predicate: str) -> str | None:
        return next(iter(self.iris(subject, predicate)), None)

    def the_iri(self, subject: str, predicate: str) -> str:
        """The IRI that SHACL requires; raises LookupError (a 500: the store broke its shapes) if absent."""
        return _required(self.iri(subject, predicate), subject, predicate)

    def subjects(self, predicate: str, obj: str, kind: str | None = None) -> list[str]:
        """Subjects with `predicate obj`, optionally only those of rdf:type `kind`."""
        found = set(self._backward.get((obj, predicate), []))
        return sorted(s for s in found if kind is None or kind in self.iris(s, RDF_TYPE))

    def literals(self, subject: str, predicate: str) -> list[RdfLiteral]:
        found = [o for o in self._objects(subject, predicate) if isinstance(o, RdfLiteral)]
        return sorted(found, key=lambda literal: (literal.language or "", literal.value))

    def string(self, subject: str, predicate: str) -> str | None:
        return next((literal.value for literal in self.literals(subject, predicate)), None)

    def the_string(self, subject: str, predicate: str) -> str:
        """The literal that SHACL requires; raises LookupError if absent."""
        return _required(self.string(subject, predicate), subject, predicate)

    def strings(self, subject: str, predicate: str) -> list[str]:
        return [literal.value for literal in self.literals(subject, predicate)]

    def integer(self, subject: str, predicate: str) -> int | None:
        """An xsd:integer value as a number (SHACL keeps other datatypes out)."""
        value = self.string(subject, predicate)
        return None if value is None else int(value)

    def texts(self, subject: str, predicate: str) -> LanguageMap:
        """One text per language (the first, if the data has several)."""
        texts: LanguageMap = {}
        for literal in self.literals(subject, predicate):
            if literal.language:
                texts.setdefault(literal.language, literal.value)
        return texts

    def text_sets(self, subject: str, predicate: str) -> LanguageSets:
        texts: LanguageSets = {}
        for literal in self.literals(subject, predicate):
            if literal.language:
                texts.setdefault(literal.language, []).append(literal.value)
        return texts

    def date(self, subject: str, predicate: str) -> PartialDate | None:
        for literal in self.literals(subject, predicate):
            precision = PRECISIONS.get(literal.datatype.value)
            if precision is not None:
                return PartialDate(value=literal.value, precision=precision)
        return None

    def the_date(self, subject: str, predicate: str) -> PartialDate:
        """The date that SHACL requires; raises LookupError if absent."""
        return _required(self.date(subject, predicate), subject, predicate)

    def flag(self, subject: str, predicate: str) -> Literal[True] | None:
        return True if "true" in self.strings(subject, predicate) else None


def _required(value: Built | None, subject: str, predicate: str) -> Built:
    if value is None:
        raise LookupError(f"<{subject}> has no <{predicate}>, which its SHACL shape requires")
    return value
