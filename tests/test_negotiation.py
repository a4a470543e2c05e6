"""Accept header and suffix -> format: pure functions, no server."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, QueryResultsFormat, RdfFormat, Store, Triple

from api.errors import NotAcceptable
from api.negotiation import (
    CSV,
    DOCUMENT,
    FORMATS,
    GRAPH,
    HTML,
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    SOLUTIONS,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    TURTLE,
    MediaRange,
    by_suffix,
    negotiate,
    parse_accept,
    quality,
    rdf_prefixes,
    split_suffix,
    used_prefixes,
    write_graph,
    write_results,
)
from loader.namespaces import DCTERMS, Namespaces

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_table_maps_media_types_to_pyoxigraph_formats() -> None:
    assert {f.media_type: f.rdf for f in FORMATS if f.rdf} == {
        "text/turtle": RdfFormat.TURTLE,
        "application/n-triples": RdfFormat.N_TRIPLES,
        "application/ld+json": RdfFormat.JSON_LD,
        "application/rdf+xml": RdfFormat.RDF_XML,
        "application/n-quads": RdfFormat.N_QUADS,
        "application/trig": RdfFormat.TRIG,
    }
    assert {f.media_type: f.results for f in FORMATS if f.results} == {
        "application/sparql-results+json": QueryResultsFormat.JSON,
        "application/sparql-results+xml": QueryResultsFormat.XML,
        "text/csv": QueryResultsFormat.CSV,
        "text/tab-separated-values": QueryResultsFormat.TSV,
    }


def test_table_agrees_with_pyoxigraph_on_media_types() -> None:
    for format_ in FORMATS:
        if format_.rdf is not None:
            assert format_.rdf.media_type == format_.media_type
        if format_.results is not None:
            assert format_.results.media_type.partition(";")[0] == format_.media_type


def test_suffixes_are_unique() -> None:
    suffixes = [f.suffix for f in FORMATS if f.suffix]
    assert len(suffixes) == len(set(suffixes))


def test_parse_accept_reads_q_values_and_skips_malformed_ranges() -> None:
    assert parse_accept("text/turtle;q=0.5, application/ld+json, text/*;q=0, bogus, */*;q=x, */json") == [
        MediaRange("text", "turtle", 0.5),
        MediaRange("application", "ld+json", 1.0),
        MediaRange("text", "*", 0.0),
    ]


def test_parse_accept_ignores_other_parameters_and_case() -> None:
    assert parse_accept('Application/LD+JSON; profile="http://www.w3.org/ns/json-ld#compacted"; q=0.7') == [
        MediaRange("application", "ld+json", 0.7)
    ]


def test_no_accept_header_means_the_first_offer() -> None:
    assert negotiate(None, GRAPH) is TURTLE
    assert negotiate("", SOLUTIONS) is SPARQL_JSON
    assert negotiate("*/*", DOCUMENT) is TURTLE


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", TURTLE),
        ("application/n-triples", N_TRIPLES),
        ("application/ld+json", JSON_LD),
        ("application/json", JSON_LD),
        ("application/rdf+xml", RDF_XML),
        ("text/html", HTML),
        (FIREFOX, HTML),
        ("text/*", TURTLE),
        ("application/rdf+xml;q=0.5, application/ld+json;q=0.9", JSON_LD),
        ("text/turtle;q=0.1, */*;q=0.2", N_TRIPLES),
        ("*/*;q=0.1, text/turtle;q=0", N_TRIPLES),
    ],
)
def test_negotiate_documents(accept: str, expected: object) -> None:
    assert negotiate(accept, DOCUMENT) is expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", SPARQL_JSON),
        ("application/json", SPARQL_JSON),
        ("application/sparql-results+xml", SPARQL_XML),
        ("text/csv", CSV),
        ("text/tab-separated-values", TSV),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.6", TSV),
        (FIREFOX, SPARQL_XML),
    ],
)
def test_negotiate_query_results(accept: str, expected: object) -> None:
    assert negotiate(accept, SOLUTIONS) is expected


def test_most_specific_range_gives_the_weight() -> None:
    ranges = parse_accept("text/*;q=0.3, text/turtle;q=0.8, */*;q=0.1")
    assert quality(TURTLE, ranges) == 0.8
    assert quality(CSV, ranges) == 0.3
    assert quality(JSON_LD, ranges) == 0.1


def test_q_zero_excludes_a_format() -> None:
    with pytest.raises(NotAcceptable) as raised:
        negotiate("text/turtle;q=0", GRAPH)
    assert raised.value.detail == (
        "Nothing here matches Accept: text/turtle;q=0; available: text/turtle, application/n-triples, "
        "application/ld+json, application/rdf+xml"
    )


def test_not_acceptable_lists_what_is_available_and_varies_on_accept() -> None:
    with pytest.raises(NotAcceptable) as raised:
        negotiate("image/png", SOLUTIONS)
    assert raised.value.status == 406
    assert raised.value.detail == (
        "Nothing here matches Accept: image/png; available: application/sparql-results+json, "
        "application/sparql-results+xml, text/csv, text/tab-separated-values"
    )
    assert raised.value.headers == {"Vary": "Accept"}


def test_suffix_beats_the_header() -> None:
    assert negotiate("text/html", DOCUMENT, suffix=TURTLE) is TURTLE
    assert negotiate("image/png", DOCUMENT, suffix=JSON_LD) is JSON_LD


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("project/CZ.04.4.83-3.2.03.1-0448", ("project/CZ.04.4.83-3.2.03.1-0448", None)),
        ("project/08.4.1-ESFA-V-405-01-0001", ("project/08.4.1-ESFA-V-405-01-0001", None)),
        ("project/CZ.04.4.83-3.2.03.1-0448.ttl", ("project/CZ.04.4.83-3.2.03.1-0448", TURTLE)),
        ("project/08.4.1-ESFA-V-405-01-0001.jsonld", ("project/08.4.1-ESFA-V-405-01-0001", JSON_LD)),
        ("project/x.nt", ("project/x", N_TRIPLES)),
        ("project/x.rdf", ("project/x", RDF_XML)),
        ("project/x.html", ("project/x", HTML)),
        ("project/x.csv", ("project/x.csv", None)),
        ("project/x.ttl/part", ("project/x.ttl/part", None)),
        (".ttl", (".ttl", None)),
    ],
)
def test_split_suffix_strips_only_known_suffixes(path: str, expected: tuple[str, object]) -> None:
    assert split_suffix(path, DOCUMENT) == expected


def test_by_suffix() -> None:
    assert by_suffix("ttl", DOCUMENT) is TURTLE
    assert by_suffix("srj", DOCUMENT) is None


def test_content_types_name_utf8_for_text_formats() -> None:
    assert TURTLE.content_type == "text/turtle; charset=utf-8"
    assert N_TRIPLES.content_type == "application/n-triples; charset=utf-8"
    assert JSON_LD.content_type == "application/ld+json"
    assert SPARQL_JSON.content_type == "application/sparql-results+json"


def test_graph_output_declares_only_the_prefixes_it_uses() -> None:
    ns = Namespaces("http://example.org/")
    triple = Triple(ns.project("P-1"), NamedNode(DCTERMS + "title"), Literal("Projekt", language="cs"))
    turtle = write_graph([triple], TURTLE, ns).decode()
    assert turtle == (
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        '<http://example.org/id/project/P-1> dcterms:title "Projekt"@cs .\n'
    )
    assert used_prefixes([triple], rdf_prefixes(ns)) == {"dcterms": DCTERMS}


def test_writers_refuse_formats_of_the_other_kind() -> None:
    with pytest.raises(ValueError, match=r"^SPARQL JSON is not an RDF format$"):
        write_graph([], SPARQL_JSON, Namespaces("http://example.org/"))
    with pytest.raises(ValueError, match=r"^Turtle is not a SPARQL results format$"):
        write_results(Store().query("ASK {}"), TURTLE)  # type: ignore[arg-type]
