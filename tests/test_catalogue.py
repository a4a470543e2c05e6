"""The DCAT-AP catalogue at /catalog: the official shapes, every format, and what it says about the data.

The catalogue is validated with pySHACL against the SHACL shapes of the DCAT-AP releases in
../shared/external/dcat-ap (SOURCES.md, section dcat-ap/): 3.0.1 as generated (`shacl/dcat-ap-SHACL.ttl`
with `shacl/ranges.ttl`), 3.0.1 as the hand-written modules (`html/shacl/`: constraints, ranges,
recommendations, controlled vocabularies, deprecations) and 2.1.1 (the same five modules). A validator
resolves `mdr_imports.ttl`: it loads the EU vocabularies, whose concepts say which table they are in
(`skos:inScheme`), which the vocabulary shapes check. pySHACL's `ont_graph` copies only RDFS/OWL axioms
into the data graph, not such statements, so the local copies in ../shared/external/eu-vocabularies
(ADMS, data themes, file types, countries) are read and what they say about every IRI the catalogue uses
is validated together with it. Results about the vocabularies' own nodes (their concept schemes have no
dct:title) are theirs, not the catalogue's, and are left out.

Each release is validated against the rendering in its own profile (content negotiation by profile,
api/profiles.py): the 3.0.1 shapes against DCAT-AP 3.0.1, the default, the 2.1.1 shapes against
`?_profile=dcat-ap-2.1.1`. Where the official shapes contradict the specification they belong to, the
result is a named gap with its reason, as pySHACL's test suite names its known failures; a gap that stops
happening fails the test, so the list stays true.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import warnings
from collections.abc import Iterator
from functools import cache

import pyoxigraph
import pyshacl
import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from api.app import create_app
from api.catalogue import DCAT_AP_2, DCAT_AP_3, PROFILES, facts_cache
from api.dataset_facts import coverage, interval
from api.errors import NotAcceptable
from api.profiles import choose, parse_accept_profile
from loader.pipeline import run
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import BASE, DATA, SHARED, Published

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SH = Namespace("http://www.w3.org/ns/shacl#")
LODCAT = Namespace(BASE + "ontology#")
TIME = Namespace("http://www.w3.org/2006/time#")
OWL_VERSION_INFO = URIRef("http://www.w3.org/2002/07/owl#versionInfo")

RELEASES = SHARED / "external" / "dcat-ap" / "SEMICeu+DCAT-AP" / "releases"
VOCABULARIES = SHARED / "external" / "eu-vocabularies"
VOCABULARY_FILES = (
    "SEMICeu+dcat-ap_shacl/resources/ADMS_SKOS_v1.00.rdf",
    "SEMICeu+dcat-ap_shacl/resources/data-theme-skos-ap-act.rdf",
    "SEMICeu+dcat-ap_shacl/resources/filetypes-skos-ap-act.rdf",
    "europarl+open-data-beta-testing/controlled-vocabularies/countries-skos.rdf",
)
MODULES = (
    "shapes.ttl",
    "range.ttl",
    "shapes_recommended.ttl",
    "mdr-vocabularies.shape.ttl",
    "deprecateduris.ttl",
)
SHAPES = {
    "3.0.1": ("3.0.1/shacl/dcat-ap-SHACL.ttl", "3.0.1/shacl/ranges.ttl"),
    "3.0.1-modules": tuple(f"3.0.1/html/shacl/{module}" for module in MODULES),
    "2.1.1": tuple(f"2.1.1/dcat-ap_2.1.1_shacl_{module}" for module in MODULES),
}
# The profile whose rendering each release's shapes validate.
PROFILE_OF = {"3.0.1": DCAT_AP_3.token, "3.0.1-modules": DCAT_AP_3.token, "2.1.1": DCAT_AP_2.token}
# The generated 3.0.1 files name property shapes that neither of them defines; pySHACL refuses a node
# shape whose sh:property has no sh:path, so these references are dropped before validating.
UNDEFINED_PROPERTY_SHAPES = {
    URIRef(f"https://semiceu.github.io/DCAT-AP/releases/3.0.1#{shape}")
    for shape in (
        "dcat:DatasetShape/4918ff7a6c1c4b0eea6403dca4b992b87ee1f4ab",
        "dcat:DatasetShape/95c69c99a1e3ade043911b51b942f206dea0e68d",
        "dcat:DistributionShape/653804840386e33525b3d39d205c174780be414b",
        "dcat:DistributionShape/a07d6e7a0a1790b89a1ce7ff602cbbd9ea835282",
        "dcat:RelationshipShape/b7aa98e1befa5130659568aa62e7f38575dc17c1",
    )
}


@dataclasses.dataclass(frozen=True)
class Gap:
    """Violations of one constraint on one property that the catalogue has on purpose."""

    path: URIRef
    component: str
    reason: str


KNOWN_GAPS = {
    "3.0.1": (),
    "3.0.1-modules": (
        Gap(
            SPDX.algorithm,
            "NodeConstraintComponent",
            "mdr-vocabularies.shape.ttl wants the algorithm IRI to match '^https://spdx.org/rdf/terms', but "
            "the SPDX namespace the specification and range.ttl use is http://spdx.org/rdf/terms#, so "
            "spdx:checksumAlgorithm_sha256 cannot match it",
        ),
    ),
    # DCAT-AP 2.1.1 forbade what lodcat's DCAT-AP 3.0.1 rendering states (only SHA-1 checksums, byteSize
    # as xsd:decimal, dcat:startDate and endDate only as xsd:date or xsd:dateTime); its own rendering
    # states them the 2.1.1 way and has no gaps (tests below).
    "2.1.1": (),
}


@dataclasses.dataclass(frozen=True)
class Result:
    severity: str
    focus: Node
    path: Node | None
    value: Node | None
    component: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.severity}: <{self.focus}> {self.path} = {self.value}: {self.message} ({self.component})"
        )


def read(data: str | bytes, rdf_format: str) -> Graph:
    """rdflib's reading of a document (its JSON-LD parser builds a ConjunctiveGraph inside, which rdflib 7
    itself deprecates; nothing else is ignored)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "ConjunctiveGraph is deprecated, use Dataset instead.", DeprecationWarning
        )
        return Graph().parse(data=data, format=rdf_format)


def value(term: object) -> str:
    """The IRI or lexical form of a pyoxigraph term (a quoted triple has neither)."""
    assert isinstance(term, pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal), term
    return term.value


def local_name(node: Node | None) -> str:
    return str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@cache
def vocabularies() -> Graph:
    graph = Graph()
    for name in VOCABULARY_FILES:
        graph.parse(VOCABULARIES / name)
    return graph


def with_vocabularies(catalogue: Graph) -> Graph:
    """The catalogue and what the EU vocabularies say about each IRI it uses, and the schemes' classes."""
    graph, known = Graph(), vocabularies()
    graph += catalogue
    for node in set(catalogue.subjects()) | set(catalogue.objects()):
        for triple in known.triples((node, None, None)):
            graph.add(triple)
            if triple[1] == SKOS.inScheme:
                graph += known.triples((triple[2], RDF.type, None))
    return graph


def shapes(release: str) -> Graph:
    graph = Graph()
    for name in SHAPES[release]:
        graph.parse(RELEASES / name, format="turtle")
    undefined = {shape for shape in graph.objects(None, SH.property) if (shape, SH.path, None) not in graph}
    assert undefined == (UNDEFINED_PROPERTY_SHAPES if release == "3.0.1" else set())
    for shape in undefined:
        graph.remove((None, SH.property, shape))
    return graph


def validate(catalogue: Graph, release: str) -> list[Result]:
    """The results about the catalogue's own nodes, of every severity."""
    _, report, _ = pyshacl.validate(
        with_vocabularies(catalogue), shacl_graph=shapes(release), advanced=True, allow_warnings=True
    )
    assert isinstance(report, Graph)
    nodes = set(catalogue.subjects()) | set(catalogue.objects())
    results = []
    for validation in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(validation, SH.result):
            focus = report.value(result, SH.focusNode)
            if focus in nodes:
                results.append(
                    Result(
                        severity=local_name(report.value(result, SH.resultSeverity)),
                        focus=focus,
                        path=report.value(result, SH.resultPath),
                        value=report.value(result, SH.value),
                        component=local_name(report.value(result, SH.sourceConstraintComponent)),
                        message=str(report.value(result, SH.resultMessage)),
                    )
                )
    return results


@pytest.fixture(scope="module")
def catalogue(client: TestClient) -> Graph:
    response = client.get("/catalog.ttl")
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


@pytest.fixture(scope="module")
def catalogue_2(client: TestClient) -> Graph:
    """The catalogue in the DCAT-AP 2.1.1 profile."""
    response = client.get("/catalog.ttl", params={"_profile": DCAT_AP_2.token})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


@pytest.fixture(scope="module")
def renderings(catalogue: Graph, catalogue_2: Graph) -> dict[str, Graph]:
    return {DCAT_AP_3.token: catalogue, DCAT_AP_2.token: catalogue_2}


def dataset(graph: Graph) -> URIRef:
    (node,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert isinstance(node, URIRef)
    return node


def one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    (value,) = graph.objects(subject, predicate)
    return value


# -- the official shapes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("release", SHAPES)
def test_catalogue_has_no_violations_of_the_dcat_ap_shapes(
    renderings: dict[str, Graph], release: str
) -> None:
    rendering = renderings[PROFILE_OF[release]]
    violations = [result for result in validate(rendering, release) if result.severity == "Violation"]
    gaps = KNOWN_GAPS[release]
    unexplained = [
        result
        for result in violations
        if not any(result.path == gap.path and result.component == gap.component for gap in gaps)
    ]
    assert not unexplained, "\n".join(str(result) for result in unexplained)
    for gap in gaps:
        assert any(result.path == gap.path and result.component == gap.component for result in violations), (
            f"known gap no longer happens, remove it: {gap}"
        )


def test_validation_finds_a_missing_title_and_a_file_type_the_eu_table_does_not_have(
    catalogue: Graph,
) -> None:
    broken = Graph()
    broken += catalogue
    broken.remove((dataset(catalogue), DCT.title, None))
    turtle = URIRef("http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE")
    for distribution in list(broken.subjects(DCT["format"], turtle)):
        broken.set((distribution, DCT["format"], URIRef(str(turtle) + "_STAR")))
    violations = {
        (result.focus, result.path, result.component)
        for result in validate(broken, "3.0.1-modules")
        if result.severity == "Violation"
    }
    assert (dataset(catalogue), DCT.title, "MinCountConstraintComponent") in violations
    assert any(
        path == DCT["format"] and component == "NodeConstraintComponent" for _, path, component in violations
    )


def test_catalogue_with_configured_publisher_and_contact_validates(published: Published) -> None:
    settings = dataclasses.replace(
        published.settings, contact_email="data@example.org", publisher_name="Example Office"
    )
    response = TestClient(create_app(settings, published.store)).get("/catalog.ttl")
    graph = Graph().parse(data=response.text, format="turtle")
    violations = [result for result in validate(graph, "3.0.1") if result.severity == "Violation"]
    assert not violations, "\n".join(str(result) for result in violations)
    contact = one(graph, dataset(graph), DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert one(graph, contact, VCARD.hasEmail) == URIRef("mailto:data@example.org")
    assert one(graph, one(graph, dataset(graph), DCT.publisher), FOAF.name) == Literal("Example Office")


def test_licence_is_configurable(published: Published) -> None:
    licence = "https://creativecommons.org/publicdomain/zero/1.0/"
    settings = dataclasses.replace(published.settings, license_iri=licence)
    response = TestClient(create_app(settings, published.store)).get("/catalog.ttl")
    graph = Graph().parse(data=response.text, format="turtle")
    licences = set(graph.objects(None, DCT.license))
    assert licences == {URIRef(licence)}


# -- formats ----------------------------------------------------------------------------------------------

FORMATS = {
    "text/turtle": ("ttl", "turtle", pyoxigraph.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", "json-ld", pyoxigraph.RdfFormat.JSON_LD),
    "application/rdf+xml": ("rdf", "xml", pyoxigraph.RdfFormat.RDF_XML),
    "application/n-triples": ("nt", "nt", pyoxigraph.RdfFormat.N_TRIPLES),
}


@pytest.mark.parametrize("media_type", FORMATS)
def test_every_format_parses_in_rdflib_and_pyoxigraph_to_the_same_triples(
    client: TestClient, catalogue: Graph, media_type: str
) -> None:
    suffix, rdflib_format, oxigraph_format = FORMATS[media_type]
    negotiated = client.get("/catalog", headers={"Accept": media_type})
    by_suffix = client.get(f"/catalog.{suffix}", headers={"Accept": "text/html"})
    for response in (negotiated, by_suffix):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media_type
        assert response.headers["content-location"] == f"/catalog.{suffix}"
    assert "Accept" in negotiated.headers["vary"].split(", ")
    assert negotiated.content == by_suffix.content
    parsed = read(negotiated.content, rdflib_format)
    assert set(parsed) == set(catalogue)
    triples = list(pyoxigraph.parse(negotiated.content, format=oxigraph_format))
    assert len(set(triples)) == len(catalogue)


def test_turtle_is_the_default_and_unknown_formats_are_refused(client: TestClient) -> None:
    assert client.get("/catalog").headers["content-type"].startswith("text/turtle")
    refused = client.get("/catalog", headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    assert refused.json()["detail"] == (
        "Nothing here matches Accept: text/csv; available: text/turtle, application/n-triples, "
        "application/ld+json, application/rdf+xml"
    )
    unknown = client.get("/catalog.csv")
    assert unknown.status_code == 404
    assert (
        unknown.json()["detail"]
        == "No representation has the suffix .csv; available: .ttl, .nt, .jsonld, .rdf"
    )


# -- what it says -------------------------------------------------------------------------------------------


def test_catalogue_and_dataset_have_english_and_czech_titles_and_descriptions(catalogue: Graph) -> None:
    (catalog,) = catalogue.subjects(RDF.type, DCAT.Catalog)
    for node in (catalog, dataset(catalogue)):
        for predicate in (DCT.title, DCT.description):
            languages = {
                value.language for value in catalogue.objects(node, predicate) if isinstance(value, Literal)
            }
            assert languages == {"en", "cs"}, (node, predicate)
    assert (catalog, DCAT.dataset, URIRef(BASE + "id/dataset/projects")) in catalogue


def test_dataset_states_licence_rights_themes_publisher_and_vocabulary(catalogue: Graph) -> None:
    node = dataset(catalogue)
    assert one(catalogue, node, DCT.accessRights) == URIRef(
        "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
    )
    assert set(catalogue.objects(node, DCAT.theme)) == {
        URIRef(f"http://publications.europa.eu/resource/authority/data-theme/{theme}")
        for theme in ("SOCI", "GOVE", "ECON")
    }
    assert one(catalogue, node, DCT.conformsTo) == URIRef(BASE + "ontology")
    publisher = one(catalogue, node, DCT.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in catalogue
    assert one(catalogue, publisher, FOAF.name) == Literal("lodcat")
    assert one(catalogue, publisher, DCT.type) == URIRef(
        "http://purl.org/adms/publishertype/NonProfitOrganisation"
    )
    licences = set(catalogue.objects(None, DCT.license))
    assert licences == {URIRef("https://creativecommons.org/licenses/by/4.0/")}


def test_spatial_coverage_is_every_country_and_region_in_the_data(
    catalogue: Graph, published: Published
) -> None:
    named = {
        value(quad.object)
        for quad in published.store.quads()
        if quad.predicate.value in (str(LODCAT.country), str(LODCAT.region))
    }
    assert named == {
        "http://publications.europa.eu/resource/authority/country/CZE",
        "http://publications.europa.eu/resource/authority/country/AUT",
        "http://publications.europa.eu/resource/authority/country/LTU",
        "http://data.europa.eu/nuts/code/CZ020",
        "http://data.europa.eu/nuts/code/CZ051",
        "http://data.europa.eu/nuts/code/CZ072",
        "http://data.europa.eu/nuts/code/CZ080",
    }
    assert {str(place) for place in catalogue.objects(dataset(catalogue), DCT.spatial)} == named


def test_temporal_coverage_runs_from_the_earliest_start_to_the_latest_end(catalogue: Graph) -> None:
    # seed 002 starts in "2006-09" (a month: from 2006-09-01), before seed 000's "2006-09-03";
    # seed 003 ends in "2017" (a year: until 2017-12-31), after every other end.
    period = one(catalogue, dataset(catalogue), DCT.temporal)
    assert (period, RDF.type, DCT.PeriodOfTime) in catalogue
    assert one(catalogue, period, DCAT.startDate) == Literal("2006-09", datatype=XSD.gYearMonth)
    assert one(catalogue, period, DCAT.endDate) == Literal("2017", datatype=XSD.gYear)


def date_literal(value: str, datatype: str) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(str(XSD) + datatype))


def test_coverage_compares_the_days_a_date_may_mean_and_keeps_the_more_precise_on_a_tie() -> None:
    month, day, year = (
        date_literal("2006-09", "gYearMonth"),
        date_literal("2006-09-03", "date"),
        date_literal("2006", "gYear"),
    )
    assert coverage([day, month], [day, month]) == (month, month)
    assert coverage(
        [year, date_literal("2006-01-01", "date")], [year, date_literal("2006-12-31", "date")]
    ) == (
        date_literal("2006-01-01", "date"),
        date_literal("2006-12-31", "date"),
    )
    assert coverage([], [pyoxigraph.Literal("soon")]) == (None, None)
    assert interval(date_literal("2008-02", "gYearMonth")) == (
        interval(date_literal("2008-02-01", "date"))[0],  # type: ignore[index]
        interval(date_literal("2008-02-29", "date"))[1],  # type: ignore[index]
    )


def test_issued_and_modified_come_from_the_releases(catalogue: Graph, published: Published) -> None:
    releases = published.ns.graph("releases")
    issued = sorted(
        Literal(value(quad.object), datatype=XSD.dateTime).toPython()
        for quad in published.store.quads()
        if quad.predicate.value == str(DCT.issued) and quad.graph_name == releases
    )
    assert issued, "the sample load made no release"
    for node in (dataset(catalogue), *catalogue.subjects(RDF.type, DCAT.Catalog)):
        assert one(catalogue, node, DCT.issued).toPython() == issued[0]  # type: ignore[attr-defined]
        assert one(catalogue, node, DCT.modified).toPython() == issued[-1]  # type: ignore[attr-defined]


def test_sparql_endpoint_and_rest_api_are_data_services_serving_the_dataset(catalogue: Graph) -> None:
    services = {
        str(one(catalogue, service, DCAT.endpointURL)): str(one(catalogue, service, DCAT.endpointDescription))
        for service in catalogue.subjects(RDF.type, DCAT.DataService)
        if (service, DCAT.servesDataset, dataset(catalogue)) in catalogue
    }
    assert services == {BASE + "sparql": BASE + "sparql", BASE + "api/v1": BASE + "openapi.json"}


def test_dataset_links_its_void_description(catalogue: Graph, client: TestClient) -> None:
    void = URIRef(BASE + ".well-known/void")
    assert (dataset(catalogue), URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), void) in catalogue
    assert client.get("/.well-known/void").status_code == 200


def distributions(graph: Graph) -> Iterator[tuple[Node, str]]:
    for distribution in graph.objects(dataset(graph), DCAT.distribution):
        yield distribution, str(one(graph, distribution, DCAT.downloadURL))


def test_distributions_have_media_type_format_size_and_checksum(catalogue: Graph) -> None:
    found = {}
    for distribution, url in distributions(catalogue):
        assert one(catalogue, distribution, DCAT.accessURL) == URIRef(url)
        checksum = one(catalogue, distribution, SPDX.checksum)
        assert one(catalogue, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert one(catalogue, checksum, SPDX.checksumValue).datatype == XSD.hexBinary  # type: ignore[attr-defined]
        assert one(catalogue, distribution, DCAT.byteSize).datatype == XSD.nonNegativeInteger  # type: ignore[attr-defined]
        found[url.removeprefix(BASE)] = (
            local_name(one(catalogue, distribution, DCT["format"])),
            str(one(catalogue, distribution, DCAT.mediaType)).removeprefix(
                "http://www.iana.org/assignments/media-types/"
            ),
        )
    assert found == {
        "dumps/lodcat.nq.gz": ("RDF_N_QUADS", "application/n-quads"),
        "dumps/lodcat.nt.gz": ("RDF_N_TRIPLES", "application/n-triples"),
        "dumps/lodcat.ttl": ("RDF_TURTLE", "text/turtle"),
        "dumps/lodcat.jsonld": ("JSON_LD", "application/ld+json"),
    }


def test_catalogue_file_types_and_themes_are_in_the_eu_vocabularies(catalogue: Graph) -> None:
    known = vocabularies()
    for predicate, table in (
        (DCT["format"], "file-type"),
        (DCAT.theme, "data-theme"),
        (DCT.spatial, "country"),
    ):
        for value in catalogue.objects(None, predicate):
            if str(value).startswith("http://publications.europa.eu/resource/authority/"):
                scheme = URIRef(f"http://publications.europa.eu/resource/authority/{table}")
                assert (value, SKOS.inScheme, scheme) in known, value


def test_openapi_lists_the_catalogue_void_and_dumps(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/catalog", "/catalog.{suffix}", "/.well-known/void", "/dumps/", "/dumps/{name}"):
        assert path in paths, path
    assert set(paths["/dumps/{name}"]) == {"get", "head"}


# -- DCAT-AP 2.1.1 ------------------------------------------------------------------------------------------


def test_2_1_1_coverage_is_owl_time_instants_keeping_the_month_and_the_year(catalogue_2: Graph) -> None:
    # 2.1.1 allows dcat:startDate only as xsd:date or xsd:dateTime: the month "2006-09" and the year
    # "2017" are not made into days but stated as OWL-Time instants.
    period = one(catalogue_2, dataset(catalogue_2), DCT.temporal)
    assert (period, RDF.type, DCT.PeriodOfTime) in catalogue_2
    beginning, end = one(catalogue_2, period, TIME.hasBeginning), one(catalogue_2, period, TIME.hasEnd)
    assert {(beginning, RDF.type, TIME.Instant), (end, RDF.type, TIME.Instant)} <= set(catalogue_2)
    assert set(catalogue_2.predicate_objects(beginning)) == {
        (RDF.type, TIME.Instant),
        (TIME.inXSDgYearMonth, Literal("2006-09", datatype=XSD.gYearMonth)),
    }
    assert set(catalogue_2.predicate_objects(end)) == {
        (RDF.type, TIME.Instant),
        (TIME.inXSDgYear, Literal("2017", datatype=XSD.gYear)),
    }
    assert not set(catalogue_2.objects(period, DCAT.startDate)) | set(
        catalogue_2.objects(period, DCAT.endDate)
    )


def test_2_1_1_distributions_have_one_sha1_checksum_of_the_served_bytes_and_a_decimal_size(
    client: TestClient, catalogue_2: Graph
) -> None:
    for distribution, url in distributions(catalogue_2):
        body = client.get(url.removeprefix(BASE.rstrip("/"))).content
        checksum = one(catalogue_2, distribution, SPDX.checksum)
        assert one(catalogue_2, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha1
        assert one(catalogue_2, checksum, SPDX.checksumValue) == Literal(
            hashlib.sha1(body).hexdigest(), datatype=XSD.hexBinary
        )
        assert one(catalogue_2, distribution, DCAT.byteSize) == Literal(str(len(body)), datatype=XSD.decimal)
    assert not set(catalogue_2.subjects(SPDX.algorithm, SPDX.checksumAlgorithm_sha256))


def test_2_1_1_states_the_version_with_owl_version_info(catalogue: Graph, catalogue_2: Graph) -> None:
    (version,) = catalogue.objects(dataset(catalogue), DCAT.version)
    assert set(catalogue_2.objects(dataset(catalogue_2), OWL_VERSION_INFO)) == {version}
    assert not set(catalogue_2.objects(dataset(catalogue_2), DCAT.version))


def test_the_profiles_differ_only_in_checksums_sizes_coverage_and_version(
    catalogue: Graph, catalogue_2: Graph
) -> None:
    changed = {
        SPDX.checksum, SPDX.algorithm, SPDX.checksumValue, RDF.type, DCAT.byteSize, DCAT.version,
        OWL_VERSION_INFO, DCAT.startDate, DCAT.endDate, TIME.hasBeginning, TIME.hasEnd,
        TIME.inXSDgYear, TIME.inXSDgYearMonth,
    }  # fmt: skip
    assert {p for _, p, _ in set(catalogue) ^ set(catalogue_2)} <= changed
    assert {p for _, p, _ in set(catalogue) & set(catalogue_2)} >= {DCT.title, DCT.spatial, DCAT.distribution}


# -- content negotiation by profile ------------------------------------------------------------------------


def profiles_in(header: str) -> list[str]:
    return [element.strip().strip("<>") for element in header.split(",")]


def test_dcat_ap_3_is_the_default_and_content_profile_names_it(client: TestClient) -> None:
    for path in ("/catalog", "/catalog.ttl", "/catalog.jsonld"):
        response = client.get(path)
        assert response.status_code == 200
        assert profiles_in(response.headers["content-profile"]) == [DCAT_AP_3.iri]
    assert {"Accept", "Accept-Profile"} <= set(client.get("/catalog").headers["vary"].split(", "))


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"Accept-Profile": f"<{DCAT_AP_2.iri}>"}, {}),
        ({"Accept-Profile": f"<{DCAT_AP_3.iri}>;q=0.5, <{DCAT_AP_2.iri}>;q=0.9"}, {}),
        ({"Accept-Profile": f"<https://example.org/unknown>, <{DCAT_AP_2.iri}>;q=0.1"}, {}),
        ({}, {"_profile": DCAT_AP_2.token}),
        ({}, {"_profile": DCAT_AP_2.iri}),
        ({"Accept-Profile": f"<{DCAT_AP_3.iri}>"}, {"_profile": DCAT_AP_2.token}),  # the query string wins
    ],
)
def test_accept_profile_or_the_profile_argument_choose_dcat_ap_2_1_1(
    client: TestClient, catalogue_2: Graph, headers: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get("/catalog", headers={"Accept": "text/turtle", **headers}, params=params)
    assert response.status_code == 200
    assert profiles_in(response.headers["content-profile"]) == [DCAT_AP_2.iri]
    assert response.headers["content-location"] == f"/catalog.ttl?_profile={DCAT_AP_2.token}"
    assert set(Graph().parse(data=response.text, format="turtle")) == set(catalogue_2)


def test_an_unknown_profile_gets_the_default_named_in_content_profile(client: TestClient) -> None:
    # https://www.w3.org/TR/dx-prof-conneg/#getresourcebyprofile: the server "responds with either a
    # specific profile for a resource conforming to a requested profile ... or it responds with a default".
    for request in (
        {"headers": {"Accept-Profile": "<https://example.org/profile/x>"}},
        {"params": {"_profile": "dcat-ap-9"}},
    ):
        response = client.get("/catalog.ttl", **request)  # type: ignore[arg-type]
        assert response.status_code == 200
        assert profiles_in(response.headers["content-profile"]) == [DCAT_AP_3.iri]


def test_refusing_every_profile_is_not_acceptable(client: TestClient) -> None:
    refused = client.get("/catalog", headers={"Accept-Profile": "*;q=0"})
    assert refused.status_code == 406
    assert refused.json()["detail"] == (
        f"Every profile offered is refused by Accept-Profile: *;q=0; available: <{DCAT_AP_3.iri}>, "
        f"<{DCAT_AP_2.iri}>"
    )
    other = client.get("/catalog", headers={"Accept-Profile": f"<{DCAT_AP_3.iri}>;q=0"})
    assert profiles_in(other.headers["content-profile"]) == [DCAT_AP_2.iri]  # the one not refused


def test_link_header_lists_every_profile_and_format_and_the_tokens(client: TestClient) -> None:
    response = client.get("/catalog.jsonld", params={"_profile": DCAT_AP_2.token})
    links = re.split(r",\s*(?=<)", response.headers["link"])  # a comma before a link target
    profile_class = "<http://www.w3.org/ns/dx/prof/Profile>"
    assert [link for link in links if 'rel="type"' in link] == [
        f'{profile_class}; rel="type"; token="{profile.token}"; anchor=<{profile.iri}>'
        for profile in PROFILES
    ]
    representations = [link for link in links if 'rel="type"' not in link]
    assert len(representations) == len(PROFILES) * 4
    assert [link for link in representations if 'rel="self"' in link] == [
        f'<{BASE}catalog.jsonld?_profile={DCAT_AP_2.token}>; rel="self"; type="application/ld+json"; '
        f'profile="{DCAT_AP_2.iri}"'
    ]
    default_rdf_xml = (
        f'<{BASE}catalog.rdf>; rel="alternate"; type="application/rdf+xml"; profile="{DCAT_AP_3.iri}"'
    )
    assert default_rdf_xml in representations


def test_profile_all_lists_the_profiles_and_their_urls(client: TestClient) -> None:
    response = client.get("/catalog", params={"_profile": "all"})
    assert response.status_code == 200
    assert response.headers["content-profile"] == "<http://www.w3.org/ns/dx/conneg/profile/qsa>"
    listing = response.json()
    assert listing["resource"] == BASE + "catalog"
    assert [(p["token"], p["uri"], p["default"]) for p in listing["profiles"]] == [
        (DCAT_AP_3.token, DCAT_AP_3.iri, True),
        (DCAT_AP_2.token, DCAT_AP_2.iri, False),
    ]
    urls = listing["profiles"][1]["urls"]
    assert urls["text/turtle"] == f"{BASE}catalog.ttl?_profile={DCAT_AP_2.token}"
    assert client.get(urls["text/turtle"].removeprefix(BASE.rstrip("/"))).status_code == 200


@pytest.mark.parametrize("media_type", FORMATS)
def test_every_format_of_the_2_1_1_profile_has_the_same_triples(
    client: TestClient, catalogue_2: Graph, media_type: str
) -> None:
    suffix, rdflib_format, _ = FORMATS[media_type]
    response = client.get(f"/catalog.{suffix}", params={"_profile": DCAT_AP_2.token})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert set(read(response.content, rdflib_format)) == set(catalogue_2)


def test_accept_profile_elements_are_read_with_their_weights() -> None:
    header = "<https://example.org/a,b;c>;q=0.5 , token ; q=0.2, *;q=0, <https://example.org/x>;q=2"
    assert parse_accept_profile(header) == [("https://example.org/a,b;c", 0.5), ("token", 0.2), ("*", 0.0)]
    assert choose(PROFILES, accept_profile=f"*;q=0.1, <{DCAT_AP_2.iri}>;q=0.1", query=None) == DCAT_AP_3
    assert choose(PROFILES, accept_profile=f"{DCAT_AP_2.token};q=0.3, *;q=0.2", query=None) == DCAT_AP_2
    assert choose(PROFILES, accept_profile="", query="  ") == DCAT_AP_3
    with pytest.raises(NotAcceptable):
        choose(PROFILES, accept_profile=f"<{DCAT_AP_3.iri}>;q=0, {DCAT_AP_2.token};q=0", query=None)


# -- what the store says is asked once per data version ----------------------------------------------------


def test_catalogue_facts_are_asked_once_per_data_version(store: LodStore, settings: Settings) -> None:
    sources = sorted(DATA.iterdir())
    assert run(sources[:1], settings, store).ok
    app = create_app(settings, store)
    client = TestClient(app, base_url=BASE.rstrip("/"))
    first = read(client.get("/catalog.ttl").text, "turtle")
    client.get("/catalog.jsonld", params={"_profile": DCAT_AP_2.token})
    client.get("/catalog", headers={"Accept": "application/rdf+xml"})
    cache = facts_cache(app)
    assert cache.computations == 1
    assert run(sources[1:], settings, store).ok
    after = read(client.get("/catalog.ttl").text, "turtle")
    assert cache.computations == 2
    assert set(after.objects(dataset(after), DCT.spatial)) > set(first.objects(dataset(first), DCT.spatial))
