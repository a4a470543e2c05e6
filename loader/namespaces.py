"""Vocabulary namespaces and the base IRI: the only place that mints instance IRIs.

Instance IRIs are `{base}id/{kind}/{identifier}`; their descriptions live at `{base}doc/...`.
Identifiers come from the records (never from row order), so a reload mints the same IRIs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyoxigraph import NamedNode

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "http://schema.org/"
QB = "http://purl.org/linked-data/cube#"
SDMX_ATTRIBUTE = "http://purl.org/linked-data/sdmx/2009/attribute#"
EURIO = "http://data.europa.eu/s66#"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
SH = "http://www.w3.org/ns/shacl#"

AUTHORITY = "http://publications.europa.eu/resource/authority/"
COUNTRY = AUTHORITY + "country/"
CURRENCY = AUTHORITY + "currency/"
LANGUAGE = AUTHORITY + "language/"
NUTS = "http://data.europa.eu/nuts/code/"

# ISO 639-1 tag (as used in language-tagged literals) -> EU language authority code.
LANGUAGE_CODES = {"cs": "CES", "lt": "LIT", "de": "DEU", "en": "ENG", "sk": "SLK", "pl": "POL", "fr": "FRA"}

SCHEMES = (
    "status",
    "role",
    "programme",
    "fund",
    "target-group",
    "output-type",
    "unit",
    "measure",
    "funding-type",
)


@dataclass(frozen=True)
class Namespaces:
    """IRIs under one base IRI. `Namespaces(settings.base_iri)` is cheap; build one per load or app."""

    base: str

    @property
    def vocab(self) -> str:
        """The lodcat vocabulary namespace: `{base}ontology#`."""
        return self.base + "ontology#"

    @property
    def ontology(self) -> NamedNode:
        return NamedNode(self.base + "ontology")

    def term(self, name: str) -> NamedNode:
        """A vocabulary term, e.g. `term("Project")`."""
        return NamedNode(self.vocab + name)

    def prefixes(self) -> dict[str, str]:
        """Prefixes for Turtle, RDF/XML and JSON-LD output: the vocabularies lodcat's data uses."""
        return {
            "lodcat": self.vocab,
            "rdf": RDF,
            "rdfs": RDFS,
            "xsd": XSD,
            "owl": OWL,
            "skos": SKOS,
            "dcterms": DCTERMS,
            "foaf": FOAF,
            "org": ORG,
            "prov": PROV,
            "schema": SCHEMA,
            "qb": QB,
            "eurio": EURIO,
            "dcat": DCAT,
            "sh": SH,
            "void": VOID,
        }

    def _id(self, *segments: str) -> NamedNode:
        for segment in segments:
            if not IDENTIFIER.match(segment):
                raise ValueError(f"{segment!r} is not an identifier; expected {IDENTIFIER.pattern}")
        return NamedNode(self.base + "id/" + "/".join(segments))

    def project(self, project: str) -> NamedNode:
        return self._id("project", project)

    def organisation(self, organisation: str) -> NamedNode:
        return self._id("organisation", organisation)

    def place(self, place: str) -> NamedNode:
        return self._id("place", place)

    def participation(self, project: str, organisation: str, role: str) -> NamedNode:
        return self._id("project", project, "participation", organisation, role)

    def part(self, project: str, kind: str, local: str) -> NamedNode:
        """A node that belongs to one project: funding, indicator, output, activity, event or target-group."""
        return self._id("project", project, kind, local)

    def source(self, source: str) -> NamedNode:
        """The source document a record file transcribes."""
        return self._id("source", source)

    def release(self, version: str) -> NamedNode:
        """Release `version` of the dataset: what one load added, changed and removed."""
        return self._id("release", version)

    def write(self, local: str) -> NamedNode:
        """One logged write through the admin API (a prov:Activity)."""
        return self._id("write", local)

    def stated_date(self, source: str, date: str, meaning: str) -> NamedNode:
        """A date the source document states (e.g. "aktualizováno: 20.10.2012")."""
        return self._id("source", source, "stated-date", f"{date}-{meaning}")

    def scheme(self, scheme: str) -> NamedNode:
        return self._id("scheme", scheme)

    def concept(self, scheme: str, notation: str) -> NamedNode:
        return self._id("concept", scheme, notation)

    def indicator_dataset(self) -> NamedNode:
        return self._id("dataset", "indicators")

    def dataset(self) -> NamedNode:
        return self._id("dataset", "projects")

    def graph(self, name: str) -> NamedNode:
        """Named graph IRIs: `graph/source/{id}` per source, `graph/ontology`, `graph/schemes`."""
        return NamedNode(self.base + "graph/" + name)

    def source_graph(self, source: str) -> NamedNode:
        if not IDENTIFIER.match(source):
            raise ValueError(f"{source!r} is not an identifier; expected {IDENTIFIER.pattern}")
        return self.graph("source/" + source)

    def staging_graph(self) -> NamedNode:
        return self.graph("staging")

    def document(self, iri: str) -> str | None:
        """The `/doc/...` URL describing an `/id/...` IRI (or the ontology), or None if not ours."""
        if iri.startswith(self.base + "id/"):
            return self.base + "doc/" + iri[len(self.base) + 3 :]
        return None

    def thing(self, document_path: str) -> str:
        """The `/id/...` IRI that `doc/<path>` describes."""
        return self.base + "id/" + document_path


def country(code: str) -> NamedNode:
    return NamedNode(COUNTRY + code)


def currency(code: str) -> NamedNode:
    return NamedNode(CURRENCY + code)


def language(tag: str) -> NamedNode:
    return NamedNode(LANGUAGE + LANGUAGE_CODES[tag])


def nuts(code: str) -> NamedNode:
    return NamedNode(NUTS + code)
