"""What harvesters read: DCAT-AP 3.0 at /catalog, VoID at /.well-known/void, the dumps at /dumps/.

Everything is computed from the store when asked for, so it never disagrees with the data:

- `GET /catalog` (`.ttl`, `.nt`, `.jsonld`, `.rdf`, or by Accept) is a dcat:Catalog with one dcat:Dataset,
  `ns.dataset()` (DCAT-AP 3.0.1, https://semiceu.github.io/DCAT-AP/releases/3.0.1/). Its spatial coverage
  is every country and NUTS region the data names, its temporal coverage runs from the earliest start to
  the latest end of the projects (see `coverage`), its distributions are the dumps with size and SHA-256,
  and the SPARQL endpoint and the REST API are dcat:DataServices serving it.
- `GET /.well-known/void` is its VoID description (https://www.w3.org/TR/void/#well-known): counts,
  class and property partitions, vocabularies, and linksets to the EU authority tables and NUTS.
- `GET /dumps/{name}` is one dump (Content-Length, ETag = its SHA-256, Last-Modified, Range requests);
  `GET /dumps/` lists them. Dumps are rewritten when the data changed since they were written: at
  startup, and before answering any of these requests.

The nodes these documents mint (the catalogue, its distributions, the publisher, the VoID partitions) are
hash IRIs of the document describing them, `{base}catalog#...`, so there are no blank nodes and the same
data gives the same bytes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from email.utils import formatdate
from string import Template
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pyoxigraph import Literal, NamedNode, QuerySolutions, Triple, serialize

from api.deps import NamespacesDep, SettingsDep, StoreDep
from api.errors import NotFound
from api.negotiation import GRAPH, VARY, Format, by_suffix, negotiate, rdf_prefixes
from loader.dumps import IANA, Dump, Manifest, dumps_folder, ensure_dumps
from loader.namespaces import (
    AUTHORITY,
    DCAT,
    DCTERMS,
    FOAF,
    LANGUAGE_CODES,
    NUTS,
    OWL,
    RDF,
    RDFS,
    SKOS,
    VOID,
    XSD,
    Namespaces,
    language,
)
from loader.settings import Settings
from loader.store import LodStore

logger = logging.getLogger(__name__)

VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX = "http://spdx.org/rdf/terms#"
DCATAP = "http://data.europa.eu/r5r/"
PREFIXES = {"vcard": VCARD, "spdx": SPDX, "dcatap": DCATAP}

DATA_THEME = AUTHORITY + "data-theme"
THEMES = ("SOCI", "GOVE", "ECON")  # population and society; government and public sector; economy and finance
ACCESS_RIGHT = AUTHORITY + "access-right"
AVAILABILITY = AUTHORITY + "planned-availability"
LANGUAGE_TABLE = AUTHORITY + "language"
PUBLIC = NamedNode(ACCESS_RIGHT + "/PUBLIC")
STABLE = NamedNode(AVAILABILITY + "/STABLE")
ATTRIBUTION = NamedNode("http://purl.org/adms/licencetype/Attribution")
SHA256 = NamedNode(SPDX + "checksumAlgorithm_sha256")
GZIP = NamedNode(IANA + "application/gzip")
SPARQL_PROTOCOL = NamedNode("https://www.w3.org/TR/sparql11-protocol/")
OPENAPI = NamedNode("https://spec.openapis.org/oas/v3.1.0")
W3C_FORMATS = "http://www.w3.org/ns/formats/"
FORMAT_NAMES = {
    "application/n-quads": "N-Quads",
    "application/n-triples": "N-Triples",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
}

# The texts of the catalogue, in the languages of its metadata; a dataset title the store has wins.
CATALOG_LANGUAGES = ("en", "cs")
CATALOG_TITLE = {
    "en": "lodcat: publicly funded projects as linked open data",
    "cs": "lodcat: veřejně financované projekty jako propojená otevřená data",
}
CATALOG_DESCRIPTION = {
    "en": "Projects financed from public funds, including EU structural funds, with their funding, "
    "partners, places, outputs and indicators as the source documents state them; as dumps, a SPARQL "
    "endpoint and a REST API.",
    "cs": "Projekty financované z veřejných prostředků včetně strukturálních fondů EU, jejich financování, "
    "partneři, místa, výstupy a indikátory, jak je uvádějí zdrojové dokumenty; jako soubory ke stažení, "
    "SPARQL endpoint a REST API.",
}
DATASET_TITLE = {"en": "Projects", "cs": "Projekty"}
DATASET_DESCRIPTION = {
    "en": "Publicly funded projects: their codes, dates, budgets and funding, participating organisations, "
    "places, activities, outputs and indicators, each traceable to the source document it comes from.",
    "cs": "Veřejně financované projekty: jejich kódy, termíny, rozpočty a financování, zapojené organizace, "
    "místa, aktivity, výstupy a indikátory, každý údaj dohledatelný ve zdrojovém dokumentu.",
}
KEYWORDS = {
    "en": ("projects", "public funding", "EU funds"),
    "cs": ("projekty", "veřejné financování", "fondy EU"),
}
DUMP_TITLES = {
    "lodcat.nq.gz": {
        "en": "All data as N-Quads (gzip), one named graph per source",
        "cs": "Všechna data v N-Quads (gzip), pojmenovaný graf pro každý zdroj",
    },
    "lodcat.nt.gz": {"en": "All data as N-Triples (gzip)", "cs": "Všechna data v N-Triples (gzip)"},
    "lodcat.ttl": {"en": "All data as Turtle", "cs": "Všechna data v Turtle"},
    "lodcat.jsonld": {
        "en": "All data as JSON-LD, one named graph per source",
        "cs": "Všechna data v JSON-LD, pojmenovaný graf pro každý zdroj",
    },
}
DUMP_DESCRIPTION = {
    "en": "Everything lodcat publishes: the projects, the vocabulary and the concept schemes, with the "
    "provenance of every source graph. Written again when the data changes; the checksum changes with it.",
    "cs": "Vše, co lodcat zveřejňuje: projekty, slovník a číselníky, s původem každého zdrojového grafu. "
    "Vytváří se znovu při každé změně dat; kontrolní součet se mění s nimi.",
}


@dataclass(frozen=True)
class Service:
    fragment: str
    title: dict[str, str]
    endpoint: str  # below the base IRI
    description: str  # below the base IRI
    standard: NamedNode


SERVICES = (
    Service(
        "sparql",
        {"en": "SPARQL 1.1 endpoint", "cs": "SPARQL 1.1 endpoint"},
        "sparql",
        "sparql",
        SPARQL_PROTOCOL,
    ),
    Service(
        "rest-api", {"en": "REST API (JSON)", "cs": "REST API (JSON)"}, "api/v1", "openapi.json", OPENAPI
    ),
)
# The external datasets the data links to: NUTS, and each EU authority table (by its IRI).
NUTS_DATASET = "http://data.europa.eu/nuts"
LINKED_TITLES = {
    NUTS_DATASET: "NUTS classification",
    AUTHORITY + "country": "Countries and territories",
    AUTHORITY + "currency": "Currencies",
    AUTHORITY + "language": "Languages",
}

ACCEPT = Annotated[
    str | None,
    Header(description="The representation wanted; a suffix in the path beats it.", examples=["text/turtle"]),
]


def _n(iri: str) -> NamedNode:
    return NamedNode(iri)


def _text(value: str, tag: str | None = None) -> Literal:
    return Literal(value, language=tag)


def _typed(value: str | int, datatype: str) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + datatype))


def _select(store: LodStore, query: str, **values: str) -> QuerySolutions:
    """Run a SELECT whose `$name` placeholders are filled from `values` (SPARQL itself uses `?`)."""
    result = store.query(Template(query).substitute(values))
    assert isinstance(result, QuerySolutions)
    return result


def _named(term: object) -> NamedNode:
    assert isinstance(term, NamedNode), term
    return term


def _literal(term: object) -> Literal:
    assert isinstance(term, Literal), term
    return term


class Graph:
    """Triples under construction, each kept once."""

    def __init__(self) -> None:
        self._triples: dict[Triple, None] = {}

    def add(self, subject: NamedNode, predicate: str, *objects: NamedNode | Literal) -> None:
        for value in objects:
            self._triples[Triple(subject, _n(predicate), value)] = None

    def texts(self, subject: NamedNode, predicate: str, texts: dict[str, str]) -> None:
        self.add(subject, predicate, *(_text(value, tag) for tag, value in texts.items()))

    def triples(self) -> list[Triple]:
        """Sorted, so Turtle states each subject once and the same triples give the same bytes."""
        return sorted(self._triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


# -- what the store says -------------------------------------------------------------------------------

SPATIAL = "SELECT DISTINCT ?place WHERE { ?thing <${vocab}country>|<${vocab}region> ?place } ORDER BY ?place"
PROJECT_DATES = """
SELECT ?start ?end WHERE {
  ?project a <${vocab}Project> ; <${dcterms}isPartOf> <$dataset> .
  OPTIONAL { ?project <${vocab}startDate> ?start }
  OPTIONAL { ?project <${vocab}endDate> ?end }
}"""
# One sub-select per value: an aggregate over a UNION sees the other branches' rows unbound.
# The version is the newest by number (release "10" after "9"), compared as length, then text.
STATED_DATES = """
SELECT ?i ?m ?v WHERE {
  { SELECT (MIN(?issued) AS ?i) WHERE { <$dataset> <${dcterms}issued> ?issued } }
  { SELECT (MAX(?modified) AS ?m) WHERE { <$dataset> <${dcterms}modified> ?modified } }
  OPTIONAL { SELECT (STR(?version) AS ?v) WHERE { <$dataset> <${dcat}version>|<${owl}versionInfo> ?version }
             ORDER BY DESC(STRLEN(STR(?version))) DESC(STR(?version)) LIMIT 1 }
}"""
LOAD_DATES = """
SELECT (MIN(?modified) AS ?i) (MAX(?modified) AS ?m) WHERE {
  GRAPH ?graph { ?graph <${vocab}contentHash> ?hash ; <${dcterms}modified> ?modified }
}"""
LANGUAGE_TAGS = 'SELECT DISTINCT (LCASE(LANG(?text)) AS ?tag) WHERE { ?s ?p ?text FILTER(LANG(?text) != "") }'
TEXTS = "SELECT ?text WHERE { <$subject> <$predicate> ?text }"


def spatial_coverage(store: LodStore, ns: Namespaces) -> list[NamedNode]:
    """Every country and NUTS region the data names (lodcat:country, lodcat:region), sorted."""
    return [_named(row["place"]) for row in _select(store, SPATIAL, vocab=ns.vocab)]


PRECISION = {XSD + "gYear": 0, XSD + "gYearMonth": 1, XSD + "date": 2, XSD + "dateTime": 3}


def interval(literal: Literal) -> tuple[date, date] | None:
    """The first and last day a date may mean: '2006-09'^^gYearMonth -> (2006-09-01, 2006-09-30).

    None for other datatypes and for values that are not dates.
    """
    datatype, value = literal.datatype.value, literal.value
    try:
        if datatype == XSD + "gYear":
            year = int(value[:4])
            return date(year, 1, 1), date(year, 12, 31)
        if datatype == XSD + "gYearMonth":
            year, month = int(value[:4]), int(value[5:7])
            following = date(year + month // 12, month % 12 + 1, 1)
            return date(year, month, 1), date.fromordinal(following.toordinal() - 1)
        if datatype in (XSD + "date", XSD + "dateTime"):
            day = date.fromisoformat(value[:10])
            return day, day
    except ValueError:
        return None
    return None


def coverage(starts: Iterable[Literal], ends: Iterable[Literal]) -> tuple[Literal | None, Literal | None]:
    """The temporal coverage of periods whose bounds are dates of any precision, keeping the precision.

    The start is the start date whose first possible day comes first; the end is the end date whose last
    possible day comes last. So '2006-09'^^xsd:gYearMonth (from 2006-09-01) starts before
    '2006-09-03'^^xsd:date and the coverage starts at the month '2006-09', not at an invented day. Of two
    dates with the same first (or last) day the more precise one is kept ('2006-01-01' over '2006'): it
    states that day, the other only allows it. Values of other datatypes are ignored.
    """

    def precision(literal: Literal) -> int:
        return PRECISION.get(literal.datatype.value, -1)

    firsts = [(bounds[0], -precision(start), start) for start in starts if (bounds := interval(start))]
    lasts = [(bounds[1], precision(end), end) for end in ends if (bounds := interval(end))]
    first = min(firsts, key=lambda item: item[:2], default=None)
    last = max(lasts, key=lambda item: item[:2], default=None)
    return (first[2] if first else None), (last[2] if last else None)


def project_dates(store: LodStore, ns: Namespaces) -> tuple[list[Literal], list[Literal]]:
    """The start and end dates of the projects that are part of the dataset."""
    rows = list(_select(store, PROJECT_DATES, vocab=ns.vocab, dcterms=DCTERMS, dataset=ns.dataset().value))
    starts = [start for row in rows if isinstance(start := row["start"], Literal)]
    ends = [end for row in rows if isinstance(end := row["end"], Literal)]
    return starts, ends


@dataclass(frozen=True)
class Dates:
    issued: Literal | None
    modified: Literal | None
    version: Literal | None


def publication_dates(store: LodStore, ns: Namespaces) -> Dates:
    """Issued, modified and version of the dataset as the store states them about the dataset; failing
    that, the earliest and latest dcterms:modified of the published graphs (when their content was loaded).
    """
    (stated,) = _select(store, STATED_DATES, dataset=ns.dataset().value, dcterms=DCTERMS, dcat=DCAT, owl=OWL)
    (loaded,) = _select(store, LOAD_DATES, vocab=ns.vocab, dcterms=DCTERMS)

    def first(*terms: object) -> Literal | None:
        return next((term for term in terms if isinstance(term, Literal)), None)

    return Dates(first(stated["i"], loaded["i"]), first(stated["m"], loaded["m"]), first(stated["v"]))


def data_languages(store: LodStore) -> list[str]:
    """The language tags of the data's texts that have an EU language code (namespaces.LANGUAGE_CODES)."""
    tags = {_literal(row["tag"]).value.split("-")[0] for row in _select(store, LANGUAGE_TAGS)}
    return sorted(tags & LANGUAGE_CODES.keys())


def stated_texts(
    store: LodStore, subject: NamedNode, predicate: str, defaults: dict[str, str]
) -> dict[str, str]:
    """Per language of `defaults`, the store's text for (subject, predicate) in it, else the default."""
    found = {
        text.language: text.value
        for row in _select(store, TEXTS, subject=subject.value, predicate=predicate)
        if isinstance(text := row["text"], Literal) and text.language
    }
    return {tag: found.get(tag, default) for tag, default in defaults.items()}


# -- the DCAT-AP catalogue -----------------------------------------------------------------------------


def catalogue_iri(ns: Namespaces, fragment: str = "") -> NamedNode:
    """The catalogue (`{base}catalog`) and the nodes it describes (`{base}catalog#{fragment}`)."""
    return _n(ns.base + "catalog" + (f"#{fragment}" if fragment else ""))


def void_iri(ns: Namespaces, fragment: str = "") -> NamedNode:
    return _n(ns.base + ".well-known/void" + (f"#{fragment}" if fragment else ""))


def dump_url(ns: Namespaces, name: str) -> NamedNode:
    return _n(f"{ns.base}dumps/{name}")


def _listed(graph: Graph, concept: NamedNode, class_: str, table: str, label: str | None = None) -> None:
    """The class DCAT-AP expects of an EU authority concept and the table listing it, as the table says
    (lodcat has no copy of the access-right, language and planned-availability tables to refer to)."""
    graph.add(concept, RDF + "type", _n(class_))
    graph.add(concept, SKOS + "inScheme", _n(table))
    if label is not None:
        graph.add(concept, SKOS + "prefLabel", _text(label, "en"))


def _agents(graph: Graph, settings: Settings, ns: Namespaces) -> tuple[NamedNode, NamedNode]:
    """The publisher (LODCAT_PUBLISHER_NAME, _TYPE) and the contact point (LODCAT_CONTACT_EMAIL)."""
    publisher, contact = catalogue_iri(ns, "publisher"), catalogue_iri(ns, "contact-point")
    graph.add(publisher, RDF + "type", _n(FOAF + "Agent"))
    graph.add(publisher, FOAF + "name", _text(settings.publisher_name))
    graph.add(publisher, DCTERMS + "type", _n(settings.publisher_type))
    graph.add(contact, RDF + "type", _n(VCARD + "Kind"))
    graph.add(contact, VCARD + "fn", _text(settings.publisher_name))
    graph.add(contact, VCARD + "hasURL", _n(ns.base))
    if settings.contact_email:
        graph.add(contact, VCARD + "hasEmail", _n("mailto:" + settings.contact_email))
    return publisher, contact


def _distribution(graph: Graph, dump: Dump, license_: NamedNode, ns: Namespaces) -> NamedNode:
    distribution, checksum = (
        catalogue_iri(ns, f"dump-{dump.name}"),
        catalogue_iri(ns, f"checksum-{dump.name}"),
    )
    media_type, file_type = _n(dump.media_type_iri), _n(dump.file_type_iri)
    graph.add(distribution, RDF + "type", _n(DCAT + "Distribution"))
    graph.texts(distribution, DCTERMS + "title", DUMP_TITLES.get(dump.name, {"en": dump.name}))
    graph.texts(distribution, DCTERMS + "description", DUMP_DESCRIPTION)
    graph.add(distribution, DCAT + "downloadURL", dump_url(ns, dump.name))
    graph.add(distribution, DCAT + "accessURL", dump_url(ns, dump.name))
    graph.add(distribution, DCAT + "mediaType", media_type)
    graph.add(media_type, RDF + "type", _n(DCTERMS + "MediaType"))
    graph.add(distribution, DCTERMS + "format", file_type)
    graph.add(file_type, RDF + "type", _n(DCTERMS + "MediaTypeOrExtent"))
    if dump.gzipped:
        graph.add(distribution, DCAT + "compressFormat", GZIP)
        graph.add(GZIP, RDF + "type", _n(DCTERMS + "MediaType"))
    graph.add(distribution, DCAT + "byteSize", _typed(dump.bytes, "nonNegativeInteger"))
    graph.add(distribution, SPDX + "checksum", checksum)
    graph.add(checksum, RDF + "type", _n(SPDX + "Checksum"))
    graph.add(checksum, SPDX + "algorithm", SHA256)
    graph.add(SHA256, RDF + "type", _n(SPDX + "ChecksumAlgorithm"))
    graph.add(checksum, SPDX + "checksumValue", _typed(dump.sha256, "hexBinary"))
    graph.add(distribution, DCTERMS + "license", license_)
    graph.add(distribution, DCATAP + "availability", STABLE)
    return distribution


def _service(graph: Graph, service: Service, ns: Namespaces) -> NamedNode:
    node = catalogue_iri(ns, service.fragment)
    endpoint, description = _n(ns.base + service.endpoint), _n(ns.base + service.description)
    graph.add(node, RDF + "type", _n(DCAT + "DataService"))
    graph.texts(node, DCTERMS + "title", service.title)
    graph.add(node, DCAT + "endpointURL", endpoint)
    graph.add(node, DCAT + "endpointDescription", description)
    # DCAT-AP 3.0.1's ranges.ttl asks both to be of class rdfs:Resource, which RDFS entails of every IRI.
    graph.add(endpoint, RDF + "type", _n(RDFS + "Resource"))
    graph.add(description, RDF + "type", _n(RDFS + "Resource"))
    graph.add(node, DCTERMS + "conformsTo", service.standard)
    graph.add(service.standard, RDF + "type", _n(DCTERMS + "Standard"))
    graph.add(node, DCAT + "keyword", *(_text(keyword, "en") for keyword in KEYWORDS["en"]))
    return node


def catalogue(store: LodStore, settings: Settings, ns: Namespaces, manifest: Manifest) -> list[Triple]:
    """The DCAT-AP 3.0 description of the catalogue, the dataset, its dumps and its two data services.

    What the catalogue refers to gets the class DCAT-AP expects of it (a licence is a dct:LicenseDocument,
    a country a dct:Location); which scheme a theme, file type or country belongs to is what the EU
    vocabularies say. Reads the store; changes nothing.
    """
    graph = Graph()
    catalog, dataset, homepage = catalogue_iri(ns), ns.dataset(), _n(ns.base)
    license_ = _n(settings.license_iri)
    publisher, contact = _agents(graph, settings, ns)
    places = spatial_coverage(store, ns)
    themes = [_n(f"{DATA_THEME}/{theme}") for theme in THEMES]
    languages = data_languages(store)
    dates = publication_dates(store, ns)

    graph.add(catalog, RDF + "type", _n(DCAT + "Catalog"))
    graph.texts(catalog, DCTERMS + "title", CATALOG_TITLE)
    graph.texts(catalog, DCTERMS + "description", CATALOG_DESCRIPTION)
    graph.add(catalog, DCTERMS + "language", *(language(tag) for tag in CATALOG_LANGUAGES))
    graph.add(catalog, FOAF + "homepage", homepage)
    graph.add(catalog, DCAT + "themeTaxonomy", _n(DATA_THEME))
    graph.add(catalog, DCAT + "dataset", dataset)
    graph.add(homepage, RDF + "type", _n(FOAF + "Document"))
    graph.add(_n(DATA_THEME), RDF + "type", _n(SKOS + "ConceptScheme"))
    graph.add(_n(DATA_THEME), DCTERMS + "title", _text("Data theme", "en"), _text("Datové téma", "cs"))

    graph.add(dataset, RDF + "type", _n(DCAT + "Dataset"))
    graph.texts(dataset, DCTERMS + "title", stated_texts(store, dataset, DCTERMS + "title", DATASET_TITLE))
    graph.texts(dataset, DCTERMS + "description", DATASET_DESCRIPTION)
    graph.add(dataset, DCTERMS + "identifier", _text(dataset.value))
    for tag, keywords in KEYWORDS.items():
        graph.add(dataset, DCAT + "keyword", *(_text(keyword, tag) for keyword in keywords))
    graph.add(dataset, DCAT + "theme", *themes)
    graph.add(dataset, DCAT + "contactPoint", contact)
    graph.add(dataset, DCTERMS + "accessRights", PUBLIC)
    graph.add(dataset, DCTERMS + "conformsTo", ns.ontology)
    graph.add(ns.ontology, RDF + "type", _n(DCTERMS + "Standard"))
    graph.add(dataset, DCTERMS + "language", *(language(tag) for tag in languages))
    graph.add(dataset, DCAT + "landingPage", homepage)
    graph.add(dataset, RDFS + "seeAlso", void_iri(ns))
    graph.add(dataset, DCAT + "version", dates.version or _text(manifest.data_version))
    start, end = coverage(*project_dates(store, ns))
    if start is not None or end is not None:
        period = catalogue_iri(ns, "temporal-coverage")
        graph.add(dataset, DCTERMS + "temporal", period)
        graph.add(period, RDF + "type", _n(DCTERMS + "PeriodOfTime"))
        graph.add(period, DCAT + "startDate", *([start] if start else []))
        graph.add(period, DCAT + "endDate", *([end] if end else []))
    for dump in manifest.dumps:
        graph.add(dataset, DCAT + "distribution", _distribution(graph, dump, license_, ns))

    for service in SERVICES:
        node = _service(graph, service, ns)
        graph.add(catalog, DCAT + "service", node)
        graph.add(node, DCAT + "servesDataset", dataset)
        graph.add(node, DCAT + "theme", *themes)
        graph.add(node, DCAT + "contactPoint", contact)
        graph.add(node, DCTERMS + "license", license_)
        graph.add(node, DCTERMS + "accessRights", PUBLIC)
        graph.add(node, DCTERMS + "publisher", publisher)

    for subject in (catalog, dataset):
        graph.add(subject, DCTERMS + "publisher", publisher)
        graph.add(subject, DCTERMS + "spatial", *places)
        graph.add(subject, DCTERMS + "issued", *([dates.issued] if dates.issued else []))
        graph.add(subject, DCTERMS + "modified", *([dates.modified] if dates.modified else []))
    graph.add(catalog, DCTERMS + "license", license_)
    graph.add(license_, RDF + "type", _n(DCTERMS + "LicenseDocument"))
    graph.add(license_, DCTERMS + "type", ATTRIBUTION)
    for place in places:
        graph.add(place, RDF + "type", _n(DCTERMS + "Location"))
    _listed(graph, PUBLIC, DCTERMS + "RightsStatement", ACCESS_RIGHT)
    _listed(graph, STABLE, SKOS + "Concept", AVAILABILITY, "stable")
    for tag in {*CATALOG_LANGUAGES, *languages}:
        _listed(graph, language(tag), DCTERMS + "LinguisticSystem", LANGUAGE_TABLE)
    return graph.triples()


# -- VoID ----------------------------------------------------------------------------------------------

# The union of the named graphs is a set: a triple in two graphs is one triple of the dataset.
TRIPLES = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
COUNTS = {
    "triples": f"SELECT (COUNT(*) AS ?n) WHERE {TRIPLES}",
    "entities": 'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "$space")) }',
    "distinctSubjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "distinctObjects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
    "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s <${rdf}type> ?c }",
}
CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <${rdf}type> ?c } GROUP BY ?c ORDER BY ?c"
PROPERTIES = f"SELECT ?p (COUNT(*) AS ?n) WHERE {TRIPLES} GROUP BY ?p ORDER BY ?p"
EXAMPLES = "SELECT ?x WHERE { ?x a <${vocab}Project> } ORDER BY ?x LIMIT 3"
# A vocabulary is the namespace of a property or class: its IRI up to the last '#' or '/'.
VOCABULARIES = """
SELECT DISTINCT ?v WHERE {
  { ?s ?term ?o } UNION { ?s <${rdf}type> ?term }
  BIND(IRI(REPLACE(STR(?term), "[^#/]+$$", "")) AS ?v)
} ORDER BY ?v"""
# Links: triples from lodcat's own IRIs to a NUTS region or to an EU authority table or one of its
# concepts, counted per target dataset and property.
LINKS = f"""
SELECT ?target ?p (COUNT(*) AS ?n) WHERE {{
  {TRIPLES}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "$base") && isIRI(?o))
  BIND(IF(STRSTARTS(STR(?o), "$nuts_space"), "$nuts",
          IF(REGEX(STR(?o), "^$authority[^/]+(/.*)?$$"),
             REPLACE(STR(?o), "^($authority[^/]+).*$$", "$$1"), "")) AS ?target)
  FILTER(?target != "")
}} GROUP BY ?target ?p ORDER BY ?target ?p"""


def _count(store: LodStore, query: str, **values: str) -> Literal:
    (row,) = _select(store, query, **values)
    return _typed(_literal(row["n"]).value, "integer")


def void(store: LodStore, ns: Namespaces, manifest: Manifest) -> list[Triple]:
    """The VoID description of the dataset, every number counted by SPARQL over the union of the named
    graphs (a triple held by two graphs counts once). Entities are the IRIs under `{base}id/` (the
    void:uriSpace) that are the subject of a triple. Reads the store; changes nothing.
    """
    graph = Graph()
    dataset, document, space = ns.dataset(), void_iri(ns), ns.base + "id/"
    graph.add(document, RDF + "type", _n(VOID + "DatasetDescription"))
    graph.add(document, DCTERMS + "title", _text("VoID description of the lodcat dataset", "en"))
    graph.add(document, FOAF + "primaryTopic", dataset)
    graph.add(dataset, RDF + "type", _n(VOID + "Dataset"))
    graph.texts(dataset, DCTERMS + "title", stated_texts(store, dataset, DCTERMS + "title", DATASET_TITLE))
    graph.add(dataset, VOID + "uriSpace", _text(space))
    graph.add(dataset, VOID + "sparqlEndpoint", _n(ns.base + "sparql"))
    graph.add(dataset, VOID + "rootResource", dataset)
    modified = publication_dates(store, ns).modified
    graph.add(dataset, DCTERMS + "modified", *([modified] if modified else []))
    for dump in manifest.dumps:
        graph.add(dataset, VOID + "dataDump", dump_url(ns, dump.name))
        if dump.media_type in FORMAT_NAMES:
            graph.add(dataset, VOID + "feature", _n(W3C_FORMATS + FORMAT_NAMES[dump.media_type]))
    for name, query in COUNTS.items():
        graph.add(dataset, VOID + name, _count(store, query, space=space, rdf=RDF))

    for index, row in enumerate(_select(store, CLASSES, rdf=RDF), start=1):
        partition = void_iri(ns, f"class-{index}")
        graph.add(dataset, VOID + "classPartition", partition)
        graph.add(partition, VOID + "class", _named(row["c"]))
        graph.add(partition, VOID + "entities", _typed(_literal(row["n"]).value, "integer"))
    for index, row in enumerate(_select(store, PROPERTIES), start=1):
        partition = void_iri(ns, f"property-{index}")
        graph.add(dataset, VOID + "propertyPartition", partition)
        graph.add(partition, VOID + "property", _named(row["p"]))
        graph.add(partition, VOID + "triples", _typed(_literal(row["n"]).value, "integer"))
    examples = _select(store, EXAMPLES, vocab=ns.vocab)
    graph.add(dataset, VOID + "exampleResource", *(_named(row["x"]) for row in examples))
    vocabularies = _select(store, VOCABULARIES, rdf=RDF)
    graph.add(dataset, VOID + "vocabulary", *(_named(row["v"]) for row in vocabularies))

    links = _select(store, LINKS, base=ns.base, nuts_space=NUTS, nuts=NUTS_DATASET, authority=AUTHORITY)
    for index, row in enumerate(links, start=1):
        target = _literal(row["target"]).value
        linkset = void_iri(ns, f"linkset-{index}")
        graph.add(dataset, VOID + "subset", linkset)
        graph.add(linkset, RDF + "type", _n(VOID + "Linkset"))
        graph.add(linkset, VOID + "target", dataset, _n(target))
        graph.add(linkset, VOID + "subjectsTarget", dataset)
        graph.add(linkset, VOID + "objectsTarget", _n(target))
        graph.add(linkset, VOID + "linkPredicate", _named(row["p"]))
        graph.add(linkset, VOID + "triples", _typed(_literal(row["n"]).value, "integer"))
        graph.add(_n(target), RDF + "type", _n(VOID + "Dataset"))
        graph.add(_n(target), VOID + "uriSpace", _text(NUTS if target == NUTS_DATASET else target + "/"))
        if target in LINKED_TITLES:
            graph.add(_n(target), DCTERMS + "title", _text(LINKED_TITLES[target], "en"))
    return graph.triples()


# -- HTTP ----------------------------------------------------------------------------------------------


def current_dumps(store: LodStore, settings: Settings) -> Manifest:
    """The dumps of the data now in the store, rewritten first if the data changed. Raises OSError."""
    return ensure_dumps(store, dumps_folder(settings), Namespaces(settings.base_iri))


@asynccontextmanager
async def _dumps_at_startup(app: FastAPI) -> AsyncIterator[None]:
    """Bring the dumps up to date in the background, so start-up does not wait for them (at 10^5
    projects writing them takes minutes); a request that needs them meanwhile waits for the same write
    (ensure_dumps holds one lock). A folder that cannot be written is logged, not fatal: the catalogue
    and the dumps then answer 500 with the error, and the rest of lodcat works."""

    def write() -> None:
        try:
            current_dumps(app.state.store, app.state.settings)
        except OSError as error:
            logger.warning("cannot write the dumps: %s", error)

    threading.Thread(target=write, name="lodcat-dumps", daemon=True).start()
    yield


router = APIRouter(tags=["catalogue"], lifespan=_dumps_at_startup)


def _rdf(triples: Sequence[Triple], format_: Format, ns: Namespaces, path: str) -> Response:
    assert format_.rdf is not None
    body = serialize(triples, format=format_.rdf, prefixes={**rdf_prefixes(ns), **PREFIXES})
    headers = {**VARY, "Content-Location": f"{path}.{format_.suffix}"}
    return Response(body, media_type=format_.content_type, headers=headers)


def _by_suffix(suffix: str) -> Format:
    format_ = by_suffix(suffix, GRAPH)
    if format_ is None:
        offered = ", ".join(f".{offer.suffix}" for offer in GRAPH)
        raise NotFound(f"No representation has the suffix .{suffix}; available: {offered}")
    return format_


@router.get("/catalog", summary="DCAT-AP 3.0 catalogue (Turtle, N-Triples, JSON-LD or RDF/XML by Accept)")
def catalog(store: StoreDep, settings: SettingsDep, ns: NamespacesDep, accept: ACCEPT = None) -> Response:
    """The catalogue, its dataset, the dumps as distributions, and the SPARQL endpoint and REST API as data
    services, in DCAT-AP 3.0; Turtle unless Accept asks for another format."""
    triples = catalogue(store, settings, ns, current_dumps(store, settings))
    return _rdf(triples, negotiate(accept, GRAPH), ns, "/catalog")


@router.get("/catalog.{suffix}", summary="DCAT-AP 3.0 catalogue in the format the suffix names")
def catalog_as(suffix: str, store: StoreDep, settings: SettingsDep, ns: NamespacesDep) -> Response:
    """`.ttl`, `.nt`, `.jsonld` or `.rdf`, whatever the Accept header says."""
    format_ = _by_suffix(suffix)
    return _rdf(catalogue(store, settings, ns, current_dumps(store, settings)), format_, ns, "/catalog")


@router.get("/.well-known/void", summary="VoID description (Turtle, N-Triples, JSON-LD or RDF/XML by Accept)")
def void_description(
    store: StoreDep, settings: SettingsDep, ns: NamespacesDep, accept: ACCEPT = None
) -> Response:
    """Counts, partitions, vocabularies, dumps and linksets of the dataset, computed from the store."""
    triples = void(store, ns, current_dumps(store, settings))
    return _rdf(triples, negotiate(accept, GRAPH), ns, "/.well-known/void")


@router.get("/.well-known/void.{suffix}", summary="VoID description in the format the suffix names")
def void_as(suffix: str, store: StoreDep, settings: SettingsDep, ns: NamespacesDep) -> Response:
    format_ = _by_suffix(suffix)
    return _rdf(void(store, ns, current_dumps(store, settings)), format_, ns, "/.well-known/void")


@router.get("/dumps/", summary="The dumps: names, URLs, sizes, SHA-256 and the data version they hold")
def dumps_manifest(store: StoreDep, settings: SettingsDep) -> JSONResponse:
    manifest = current_dumps(store, settings)
    listing = [
        {
            "name": dump.name,
            "url": f"{settings.base_iri}dumps/{dump.name}",
            "content_type": dump.served_type,
            "format": dump.media_type,
            "bytes": dump.bytes,
            "sha256": dump.sha256,
            "statements": dump.statements,
        }
        for dump in manifest.dumps
    ]
    return JSONResponse(
        {"data_version": manifest.data_version, "generated": manifest.generated, "dumps": listing}
    )


def _names(header: str | None, etag: str) -> bool:
    """Whether If-None-Match names `etag` or is `*`; the comparison is weak (RFC 9110, section 13.1.2)."""
    if header is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


@router.get("/dumps/{name}", summary="One dump file (byte ranges supported)")
@router.head("/dumps/{name}", summary="Headers of one dump file: Content-Length, ETag, Last-Modified")
def dump_file(name: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The file as written, with Content-Length, ETag (its SHA-256), Last-Modified, Range requests (206)
    and If-None-Match (304). A gzipped dump is served as application/gzip, not with Content-Encoding, so
    the bytes received are the bytes the checksum is about."""
    manifest = current_dumps(store, settings)
    dump = manifest.dump(name)
    if dump is None:
        available = ", ".join(each.name for each in manifest.dumps)
        raise NotFound(f"No dump is named {name!r}; available: {available}")
    path = dumps_folder(settings) / dump.name
    etag = f'"{dump.sha256}"'
    if _names(request.headers.get("if-none-match"), etag):
        modified = formatdate(path.stat().st_mtime, usegmt=True)
        return Response(status_code=304, headers={"ETag": etag, "Last-Modified": modified})
    return FileResponse(path, media_type=dump.served_type, filename=dump.name, headers={"ETag": etag})
