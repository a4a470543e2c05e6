"""What harvesters read at /catalog: a DCAT-AP catalogue with one dcat:Dataset, `ns.dataset()`.

`GET /catalog` (`.ttl`, `.nt`, `.jsonld`, `.rdf`, or by Accept) describes the catalogue, the dataset,
the dumps as its distributions with size and checksum, and the SPARQL endpoint and REST API as
dcat:DataServices serving it. Its spatial coverage is every country and NUTS region the data names, its
temporal coverage runs from the earliest start to the latest end of the projects (api/dataset_facts.py).

Two profiles, negotiated by profile (api/profiles.py: `Accept-Profile`, `?_profile=`, `Content-Profile`,
`Link`), DCAT-AP 3.0.1 by default:

- DCAT-AP 3.0.1 (https://semiceu.github.io/DCAT-AP/releases/3.0.1/): SHA-256 checksums, byteSize as
  xsd:nonNegativeInteger, the coverage as dcat:startDate / dcat:endDate of the precision the data has
  (xsd:gYearMonth, xsd:gYear, xsd:date), and dcat:version.
- DCAT-AP 2.1.1, for harvesters that have not moved on: its shapes accept only SHA-1 checksums
  (spdx:checksumAlgorithm_sha1, one per distribution), byteSize as xsd:decimal, dcat:startDate only as
  xsd:date or xsd:dateTime, and the version as owl:versionInfo. A coverage known to the month or year is
  not made into a day: it is stated with OWL-Time (https://www.w3.org/TR/owl-time/), time:hasBeginning
  and time:hasEnd time:Instants with time:inXSDgYearMonth or time:inXSDgYear; a bound known to the day
  is stated both ways.

What the store says is counted once per data version (api/version_cache.py); the rest is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import Literal, NamedNode, Triple

from api.dataset_facts import DatasetFacts, dataset_facts
from api.deps import NamespacesDep, SettingsDep, StoreDep
from api.dump_routes import current_dumps, dump_url
from api.negotiation import GRAPH, Format, negotiate
from api.profiles import LIST_PROFILES, QSA_PROFILE, Profile, choose, link_header, listing, url_for
from api.triples import DCATAP, SPDX, TIME, VCARD, Graph, graph_format, iri, rdf_response, text, typed
from api.version_cache import VersionCache, app_cache
from api.void import void_iri
from loader.dumps import IANA, Dump, Manifest, data_version
from loader.namespaces import (
    AUTHORITY,
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    RDF,
    RDFS,
    SKOS,
    XSD,
    Namespaces,
    language,
)
from loader.settings import Settings
from loader.store import LodStore

DCAT_AP_3 = Profile("dcat-ap-3.0.1", "https://semiceu.github.io/DCAT-AP/releases/3.0.1/", "DCAT-AP 3.0.1")
# The release's own page, as DCAT-AP 2.1.1 names its predecessor (xhv:prev .../release/210).
DCAT_AP_2 = Profile(
    "dcat-ap-2.1.1",
    "https://joinup.ec.europa.eu/collection/semantic-interoperability-community-semic/solution/"
    "dcat-application-profile-data-portals-europe/release/211",
    "DCAT-AP 2.1.1",
)
PROFILES = (DCAT_AP_3, DCAT_AP_2)  # the first is the default

DATA_THEME = AUTHORITY + "data-theme"
THEMES = ("SOCI", "GOVE", "ECON")  # population and society; government and public sector; economy and finance
ACCESS_RIGHT = AUTHORITY + "access-right"
AVAILABILITY = AUTHORITY + "planned-availability"
LANGUAGE_TABLE = AUTHORITY + "language"
PUBLIC = iri(ACCESS_RIGHT + "/PUBLIC")
STABLE = iri(AVAILABILITY + "/STABLE")
ATTRIBUTION = iri("http://purl.org/adms/licencetype/Attribution")
SHA256 = iri(SPDX + "checksumAlgorithm_sha256")
SHA1 = iri(SPDX + "checksumAlgorithm_sha1")
GZIP = iri(IANA + "application/gzip")
SPARQL_PROTOCOL = iri("https://www.w3.org/TR/sparql11-protocol/")
OPENAPI = iri("https://spec.openapis.org/oas/v3.1.0")
# The OWL-Time property giving an instant's position in each datatype a coverage bound may have.
TIME_POSITIONS = {
    XSD + "gYear": TIME + "inXSDgYear",
    XSD + "gYearMonth": TIME + "inXSDgYearMonth",
    XSD + "date": TIME + "inXSDDate",
    XSD + "dateTime": TIME + "inXSDDateTime",
}
DAYS = (XSD + "date", XSD + "dateTime")

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


def catalogue_iri(ns: Namespaces, fragment: str = "") -> NamedNode:
    """The catalogue (`{base}catalog`) and the nodes it describes (`{base}catalog#{fragment}`)."""
    return iri(ns.base + "catalog" + (f"#{fragment}" if fragment else ""))


def _listed(graph: Graph, concept: NamedNode, class_: str, table: str, label: str | None = None) -> None:
    """The class DCAT-AP expects of an EU authority concept and the table listing it, as the table says
    (lodcat has no copy of the access-right, language and planned-availability tables to refer to)."""
    graph.add(concept, RDF + "type", iri(class_))
    graph.add(concept, SKOS + "inScheme", iri(table))
    if label is not None:
        graph.add(concept, SKOS + "prefLabel", text(label, "en"))


def _agents(graph: Graph, settings: Settings, ns: Namespaces) -> tuple[NamedNode, NamedNode]:
    """The publisher (LODCAT_PUBLISHER_NAME, _TYPE) and the contact point (LODCAT_CONTACT_EMAIL)."""
    publisher, contact = catalogue_iri(ns, "publisher"), catalogue_iri(ns, "contact-point")
    graph.add(publisher, RDF + "type", iri(FOAF + "Agent"))
    graph.add(publisher, FOAF + "name", text(settings.publisher_name))
    graph.add(publisher, DCTERMS + "type", iri(settings.publisher_type))
    graph.add(contact, RDF + "type", iri(VCARD + "Kind"))
    graph.add(contact, VCARD + "fn", text(settings.publisher_name))
    graph.add(contact, VCARD + "hasURL", iri(ns.base))
    if settings.contact_email:
        graph.add(contact, VCARD + "hasEmail", iri("mailto:" + settings.contact_email))
    return publisher, contact


def _checksum(graph: Graph, distribution: NamedNode, dump: Dump, ns: Namespaces, profile: Profile) -> None:
    """One spdx:Checksum per distribution, as both profiles allow: SHA-256, or SHA-1 for DCAT-AP 2.1.1,
    whose shapes.ttl accepts no other algorithm (https://github.com/SEMICeu/DCAT-AP/issues/158)."""
    if profile == DCAT_AP_2:
        checksum, algorithm, value = catalogue_iri(ns, f"checksum-sha1-{dump.name}"), SHA1, dump.sha1
    else:
        checksum, algorithm, value = catalogue_iri(ns, f"checksum-{dump.name}"), SHA256, dump.sha256
    graph.add(distribution, SPDX + "checksum", checksum)
    graph.add(checksum, RDF + "type", iri(SPDX + "Checksum"))
    graph.add(checksum, SPDX + "algorithm", algorithm)
    graph.add(algorithm, RDF + "type", iri(SPDX + "ChecksumAlgorithm"))
    graph.add(checksum, SPDX + "checksumValue", typed(value, "hexBinary"))


def _distribution(
    graph: Graph, dump: Dump, license_: NamedNode, ns: Namespaces, profile: Profile
) -> NamedNode:
    distribution = catalogue_iri(ns, f"dump-{dump.name}")
    media_type, file_type = iri(dump.media_type_iri), iri(dump.file_type_iri)
    graph.add(distribution, RDF + "type", iri(DCAT + "Distribution"))
    graph.texts(distribution, DCTERMS + "title", DUMP_TITLES.get(dump.name, {"en": dump.name}))
    graph.texts(distribution, DCTERMS + "description", DUMP_DESCRIPTION)
    graph.add(distribution, DCAT + "downloadURL", dump_url(ns, dump.name))
    graph.add(distribution, DCAT + "accessURL", dump_url(ns, dump.name))
    graph.add(distribution, DCAT + "mediaType", media_type)
    graph.add(media_type, RDF + "type", iri(DCTERMS + "MediaType"))
    graph.add(distribution, DCTERMS + "format", file_type)
    graph.add(file_type, RDF + "type", iri(DCTERMS + "MediaTypeOrExtent"))
    if dump.gzipped:
        graph.add(distribution, DCAT + "compressFormat", GZIP)
        graph.add(GZIP, RDF + "type", iri(DCTERMS + "MediaType"))
    # DCAT 2 typed byteSize xsd:decimal; DCAT 3 and DCAT-AP 3.0 type it xsd:nonNegativeInteger.
    size_type = "decimal" if profile == DCAT_AP_2 else "nonNegativeInteger"
    graph.add(distribution, DCAT + "byteSize", typed(dump.bytes, size_type))
    _checksum(graph, distribution, dump, ns, profile)
    graph.add(distribution, DCTERMS + "license", license_)
    graph.add(distribution, DCATAP + "availability", STABLE)
    return distribution


def _service(graph: Graph, service: Service, ns: Namespaces) -> NamedNode:
    node = catalogue_iri(ns, service.fragment)
    endpoint, description = iri(ns.base + service.endpoint), iri(ns.base + service.description)
    graph.add(node, RDF + "type", iri(DCAT + "DataService"))
    graph.texts(node, DCTERMS + "title", service.title)
    graph.add(node, DCAT + "endpointURL", endpoint)
    graph.add(node, DCAT + "endpointDescription", description)
    # DCAT-AP 3.0.1's ranges.ttl asks both to be of class rdfs:Resource, which RDFS entails of every IRI.
    graph.add(endpoint, RDF + "type", iri(RDFS + "Resource"))
    graph.add(description, RDF + "type", iri(RDFS + "Resource"))
    graph.add(node, DCTERMS + "conformsTo", service.standard)
    graph.add(service.standard, RDF + "type", iri(DCTERMS + "Standard"))
    graph.add(node, DCAT + "keyword", *(text(keyword, "en") for keyword in KEYWORDS["en"]))
    return node


def _instant(graph: Graph, period: NamedNode, relation: str, bound: Literal, ns: Namespaces) -> None:
    """An OWL-Time instant at `bound`, in the datatype the data gives it: a month stays a month."""
    instant = catalogue_iri(ns, f"temporal-coverage-{relation.lower().removeprefix('has')}")
    graph.add(period, TIME + relation, instant)
    graph.add(instant, RDF + "type", iri(TIME + "Instant"))
    graph.add(instant, TIME_POSITIONS[bound.datatype.value], bound)


def _temporal(
    graph: Graph, dataset: NamedNode, facts: DatasetFacts, ns: Namespaces, profile: Profile
) -> None:
    """The coverage as a dct:PeriodOfTime: dcat:startDate / endDate of any precision (DCAT-AP 3), or
    OWL-Time instants and dcat:startDate / endDate only for a bound known to the day (DCAT-AP 2.1.1)."""
    if facts.start is None and facts.end is None:
        return
    period = catalogue_iri(ns, "temporal-coverage")
    graph.add(dataset, DCTERMS + "temporal", period)
    graph.add(period, RDF + "type", iri(DCTERMS + "PeriodOfTime"))
    for bound, dcat_property, time_relation in (
        (facts.start, "startDate", "hasBeginning"),
        (facts.end, "endDate", "hasEnd"),
    ):
        if bound is None:
            continue
        if profile != DCAT_AP_2 or bound.datatype.value in DAYS:
            graph.add(period, DCAT + dcat_property, bound)
        if profile == DCAT_AP_2:
            _instant(graph, period, time_relation, bound, ns)


def catalogue(
    facts: DatasetFacts, settings: Settings, ns: Namespaces, manifest: Manifest, profile: Profile = DCAT_AP_3
) -> list[Triple]:
    """The DCAT-AP description of the catalogue, the dataset, its dumps and its two data services, in
    `profile` (DCAT_AP_3 or DCAT_AP_2).

    What the catalogue refers to gets the class DCAT-AP expects of it (a licence is a dct:LicenseDocument,
    a country a dct:Location); which scheme a theme, file type or country belongs to is what the EU
    vocabularies say. Pure: `facts` is what the store says (api/dataset_facts.py).
    """
    graph = Graph()
    catalog, dataset, homepage = catalogue_iri(ns), ns.dataset(), iri(ns.base)
    license_ = iri(settings.license_iri)
    publisher, contact = _agents(graph, settings, ns)
    themes = [iri(f"{DATA_THEME}/{theme}") for theme in THEMES]
    dates = facts.dates

    graph.add(catalog, RDF + "type", iri(DCAT + "Catalog"))
    graph.texts(catalog, DCTERMS + "title", CATALOG_TITLE)
    graph.texts(catalog, DCTERMS + "description", CATALOG_DESCRIPTION)
    graph.add(catalog, DCTERMS + "language", *(language(tag) for tag in CATALOG_LANGUAGES))
    graph.add(catalog, FOAF + "homepage", homepage)
    graph.add(catalog, DCAT + "themeTaxonomy", iri(DATA_THEME))
    graph.add(catalog, DCAT + "dataset", dataset)
    graph.add(homepage, RDF + "type", iri(FOAF + "Document"))
    graph.add(iri(DATA_THEME), RDF + "type", iri(SKOS + "ConceptScheme"))
    graph.add(iri(DATA_THEME), DCTERMS + "title", text("Data theme", "en"), text("Datové téma", "cs"))

    graph.add(dataset, RDF + "type", iri(DCAT + "Dataset"))
    graph.texts(dataset, DCTERMS + "title", facts.title)
    graph.texts(dataset, DCTERMS + "description", DATASET_DESCRIPTION)
    graph.add(dataset, DCTERMS + "identifier", text(dataset.value))
    for tag, keywords in KEYWORDS.items():
        graph.add(dataset, DCAT + "keyword", *(text(keyword, tag) for keyword in keywords))
    graph.add(dataset, DCAT + "theme", *themes)
    graph.add(dataset, DCAT + "contactPoint", contact)
    graph.add(dataset, DCTERMS + "accessRights", PUBLIC)
    graph.add(dataset, DCTERMS + "conformsTo", ns.ontology)
    graph.add(ns.ontology, RDF + "type", iri(DCTERMS + "Standard"))
    graph.add(dataset, DCTERMS + "language", *(language(tag) for tag in facts.languages))
    graph.add(dataset, DCAT + "landingPage", homepage)
    graph.add(dataset, RDFS + "seeAlso", void_iri(ns))
    # dcat:version is DCAT 3's; DCAT-AP 2.1.1 states a version with owl:versionInfo.
    version_property = OWL + "versionInfo" if profile == DCAT_AP_2 else DCAT + "version"
    graph.add(dataset, version_property, dates.version or text(manifest.data_version))
    _temporal(graph, dataset, facts, ns, profile)
    for dump in manifest.dumps:
        graph.add(dataset, DCAT + "distribution", _distribution(graph, dump, license_, ns, profile))

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
        graph.add(subject, DCTERMS + "spatial", *facts.places)
        graph.add(subject, DCTERMS + "issued", *([dates.issued] if dates.issued else []))
        graph.add(subject, DCTERMS + "modified", *([dates.modified] if dates.modified else []))
    graph.add(catalog, DCTERMS + "license", license_)
    graph.add(license_, RDF + "type", iri(DCTERMS + "LicenseDocument"))
    graph.add(license_, DCTERMS + "type", ATTRIBUTION)
    for place in facts.places:
        graph.add(place, RDF + "type", iri(DCTERMS + "Location"))
    _listed(graph, PUBLIC, DCTERMS + "RightsStatement", ACCESS_RIGHT)
    _listed(graph, STABLE, SKOS + "Concept", AVAILABILITY, "stable")
    for tag in {*CATALOG_LANGUAGES, *facts.languages}:
        _listed(graph, language(tag), DCTERMS + "LinguisticSystem", LANGUAGE_TABLE)
    return graph.triples()


# -- HTTP ----------------------------------------------------------------------------------------------

ACCEPT = Annotated[
    str | None,
    Header(description="The representation wanted; a suffix in the path beats it.", examples=["text/turtle"]),
]
ACCEPT_PROFILE = Annotated[
    str | None,
    Header(
        description="The profiles wanted, IRIs in angle brackets with q-values "
        "(https://www.w3.org/TR/dx-prof-conneg/#http-getresourcebyprofile); DCAT-AP 3.0.1 without it.",
        examples=[DCAT_AP_2.header()],
    ),
]
PROFILE_QUERY = Annotated[
    str | None,
    Query(
        alias="_profile",
        description=f"A profile token ({', '.join(p.token for p in PROFILES)}) or IRI; it beats "
        f"Accept-Profile. `{LIST_PROFILES}` lists the profiles.",
    ),
]


def facts_cache(app: FastAPI) -> VersionCache[DatasetFacts]:
    """This app's cache of the facts about the dataset, one per data version."""
    return app_cache(app, "catalogue_facts_cache")


def _facts_cache(request: Request) -> VersionCache[DatasetFacts]:
    return facts_cache(request.app)


FactsCacheDep = Annotated[VersionCache[DatasetFacts], Depends(_facts_cache)]


def current_facts(store: LodStore, ns: Namespaces, cache: VersionCache[DatasetFacts]) -> DatasetFacts:
    """What the store says about the dataset now: asked once per data version."""
    return cache.get(data_version(store, ns), lambda: dataset_facts(store, ns))


MEDIA_TYPE_QUERY = Annotated[
    str | None,
    Query(alias="_mediatype", description="A media type; it beats Accept (the QSA functional profile)."),
]


def _catalogue_response(
    store: LodStore,
    settings: Settings,
    ns: Namespaces,
    cache: VersionCache[DatasetFacts],
    format_: Format,
    accept_profile: str | None,
    query: str | None,
) -> Response:
    """The catalogue in `format_` and the profile the request asks for, or the list of profiles."""
    if query is not None and query.strip() == LIST_PROFILES:
        headers = {
            "Content-Profile": f"<{QSA_PROFILE}>",
            "Link": link_header(ns.base, "/catalog", PROFILES, GRAPH, None),
        }
        return JSONResponse(listing(ns.base, "/catalog", PROFILES, GRAPH), headers=headers)
    profile = choose(PROFILES, accept_profile=accept_profile, query=query)
    manifest = current_dumps(store, settings)
    triples = catalogue(current_facts(store, ns, cache), settings, ns, manifest, profile)
    headers = {
        "Vary": "Accept, Accept-Profile",
        "Content-Profile": profile.header(),
        "Link": link_header(ns.base, "/catalog", PROFILES, GRAPH, (profile, format_)),
    }
    return rdf_response(triples, format_, ns, url_for("/catalog", format_, profile, PROFILES[0]), headers)


router = APIRouter(tags=["catalogue"])


@router.get("/catalog", summary="DCAT-AP catalogue (Turtle, N-Triples, JSON-LD or RDF/XML by Accept)")
@router.head("/catalog", summary="Headers of the catalogue: Content-Profile, and Link listing the profiles")
def catalog(
    store: StoreDep,
    settings: SettingsDep,
    ns: NamespacesDep,
    cache: FactsCacheDep,
    accept: ACCEPT = None,
    accept_profile: ACCEPT_PROFILE = None,
    profile: PROFILE_QUERY = None,
    media_type: MEDIA_TYPE_QUERY = None,
) -> Response:
    """The catalogue, its dataset, the dumps as distributions, and the SPARQL endpoint and REST API as data
    services; Turtle unless Accept asks for another format, DCAT-AP 3.0.1 unless Accept-Profile or
    `_profile` asks for DCAT-AP 2.1.1. Content-Profile names the profile, Link lists the others."""
    format_ = negotiate(media_type or accept, GRAPH)
    return _catalogue_response(store, settings, ns, cache, format_, accept_profile, profile)


@router.get("/catalog.{suffix}", summary="DCAT-AP catalogue in the format the suffix names")
@router.head("/catalog.{suffix}", summary="Headers of the catalogue in the format the suffix names")
def catalog_as(
    suffix: str,
    store: StoreDep,
    settings: SettingsDep,
    ns: NamespacesDep,
    cache: FactsCacheDep,
    accept_profile: ACCEPT_PROFILE = None,
    profile: PROFILE_QUERY = None,
) -> Response:
    """`.ttl`, `.nt`, `.jsonld` or `.rdf`, whatever the Accept header says; the profile as for /catalog."""
    return _catalogue_response(store, settings, ns, cache, graph_format(suffix), accept_profile, profile)
