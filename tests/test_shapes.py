"""SHACL shapes (shapes/lodcat.ttl) and loader/validation.py.

The sample records conform. For each kind of constraint a deliberately broken record is refused with an
exact message naming the file, the record and the record field. What the record model (pydantic)
already refuses is broken in the mapped triples instead, and the model's own refusal is tested too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH

from loader.errors import RecordsRefused, ValidationFailed
from loader.mapping import MappedSource
from loader.namespaces import DCTERMS, FOAF, RDFS, SCHEMA, SKOS, Namespaces
from loader.preparation import prepare
from loader.settings import Settings
from loader.validation import shapes_graph, validate
from tests.factories import (
    DATA,
    GLOBOS,
    STREDOCESKY,
    TABOR_WELS,
    VZDELANI,
    ZLIN,
    add,
    delete_value,
    literal,
    mapped_source,
    record_file,
    remove,
    rename,
    replace,
    sample_files,
    set_value,
    write_record,
)

TABOR_WELS_PROJECT = "CZ.04.4.83-3.2.03.1-0448"
VZDELANI_PROJECT = "vzdelani-pracovniku-socialni-sluzby"
ZLIN_PROJECT = "komunitni-planovani-zlinsky-kraj"
ZLIN_REGION = "cz-zlinsky-kraj"
GLOBOS_PROJECT = "08.4.1-ESFA-V-405-01-0001"
STREDOCESKY_PROJECT = "odborna-partnerstvi-stredocesky-kraj"

TITLE = NamedNode(DCTERMS + "title")
LABEL = NamedNode(RDFS + "label")
NOTE = NamedNode(SKOS + "note")
HOMEPAGE = NamedNode(FOAF + "homepage")
ADDRESS_COUNTRY = NamedNode(SCHEMA + "addressCountry")
COUNTRY_AUTHORITY = "http://publications.europa.eu/resource/authority/country/"


@pytest.fixture
def ns(settings: Settings) -> Namespaces:
    return Namespaces(settings.base_iri)


def problems(mapped: MappedSource, settings: Settings) -> list[str]:
    """Every violation of the mapped triples, as the loader prints them."""
    ns = Namespaces(settings.base_iri)
    return [
        str(violation) for violation in validate(mapped, settings.shapes_path, settings.ontology_path, ns)
    ]


def refused(path: Path, settings: Settings) -> list[str]:
    """The lines of the ValidationFailed that `prepare` raises for a record file."""
    with pytest.raises(ValidationFailed) as caught:
        prepare(path, settings)
    return str(caught.value).splitlines()


def records_refused(path: Path, settings: Settings) -> list[str]:
    """The lines of the RecordsRefused that `prepare` raises for a record file."""
    with pytest.raises(RecordsRefused) as caught:
        prepare(path, settings)
    return str(caught.value).splitlines()


# -- the sample data and the shapes themselves ---------------------------------------------------------------


@pytest.mark.parametrize("path", sample_files(), ids=lambda path: path.name)
def test_sample_record_conforms(path: Path, settings: Settings) -> None:
    assert problems(mapped_source(path, settings.base_iri), settings) == []


@pytest.mark.parametrize("path", sample_files(), ids=lambda path: path.name)
def test_sample_record_conforms_under_another_base_iri(path: Path, settings: Settings) -> None:
    elsewhere = settings.with_base("https://data.example.org/lodcat/")
    assert problems(mapped_source(path, elsewhere.base_iri), elsewhere) == []


def test_there_are_five_sample_records() -> None:
    assert len(sample_files()) == 5


def test_shapes_are_valid_shacl(settings: Settings) -> None:
    """pySHACL checks the shapes graph against SHACL-SHACL (https://www.w3.org/TR/shacl/#shacl-shacl)."""
    conforms, _report, text = shacl_validate(
        Graph(), shacl_graph=shapes_graph(settings.shapes_path, settings.base_iri), meta_shacl=True
    )
    assert conforms, text


CONSTRAINT_PARAMETERS = [
    SH.datatype, SH.minCount, SH.maxCount, SH.uniqueLang, SH.minInclusive, SH.maxInclusive, SH.pattern,
    SH.nodeKind, SH["class"], SH.node, SH.hasValue, SH["in"], SH["or"],
]  # fmt: skip


def test_every_constraint_has_a_message(settings: Settings) -> None:
    shapes = shapes_graph(settings.shapes_path, settings.base_iri)
    silent = set()
    for parameter in CONSTRAINT_PARAMETERS:
        for shape in shapes.subjects(parameter, None):
            # Members of sh:or lists are not reported on their own (see shapes:PartialDate).
            in_list = any(True for _ in shapes.subjects(RDF.first, shape))
            if shapes.value(shape, SH.message) is None and not in_list:
                silent.add(f"{shape} {parameter}")
    for constraint in shapes.objects(None, SH.sparql):
        if shapes.value(constraint, SH.message) is None:
            silent.add(f"{constraint} sh:sparql")
    assert sorted(silent) == []


def test_target_shapes_carry_no_message_of_their_own(settings: Settings) -> None:
    """A node shape's sh:message would be added to every result of its sh:sparql constraints."""
    shapes = shapes_graph(settings.shapes_path, settings.base_iri)
    targeted = set(shapes.subjects(SH.targetClass, None))
    assert len(targeted) == 13
    assert sorted(str(shape) for shape in targeted if shapes.value(shape, SH.message) is not None) == []
    assert not any(isinstance(shape, BNode) for shape in targeted)


def test_shapes_resolve_against_the_base_iri(settings: Settings) -> None:
    shapes = shapes_graph(settings.shapes_path, "https://data.example.org/lodcat/")
    targets = sorted(str(target) for target in shapes.objects(None, SH.targetClass))
    assert targets == [
        "http://schema.org/PostalAddress",
        "https://data.example.org/lodcat/ontology#Activity",
        "https://data.example.org/lodcat/ontology#Event",
        "https://data.example.org/lodcat/ontology#Funding",
        "https://data.example.org/lodcat/ontology#Indicator",
        "https://data.example.org/lodcat/ontology#Organisation",
        "https://data.example.org/lodcat/ontology#Output",
        "https://data.example.org/lodcat/ontology#Participation",
        "https://data.example.org/lodcat/ontology#Place",
        "https://data.example.org/lodcat/ontology#Project",
        "https://data.example.org/lodcat/ontology#SourceDocument",
        "https://data.example.org/lodcat/ontology#StatedDate",
        "https://data.example.org/lodcat/ontology#TargetGroupMention",
    ]


# -- datatypes -----------------------------------------------------------------------------------------------


def test_start_date_with_a_time_names_field_start(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    replace(
        mapped, ns.project(VZDELANI_PROJECT), ns.term("startDate"), literal("2009-05-01T08:00:00", "dateTime")
    )
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'start': start date must be xsd:date, "
        "xsd:gYearMonth or xsd:gYear (the precision the source gives); "
        'got "2009-05-01T08:00:00"^^xsd:dateTime'
    ]


def test_month_13_is_not_a_month_date(settings: Settings, ns: Namespaces) -> None:
    """rdflib does not check xsd:gYearMonth lexical forms; the shape's pattern does."""
    mapped = mapped_source(DATA / STREDOCESKY, settings.base_iri)
    replace(mapped, ns.project(STREDOCESKY_PROJECT), ns.term("endDate"), literal("2011-13", "gYearMonth"))
    assert problems(mapped, settings) == [
        f"{DATA / STREDOCESKY}: record {STREDOCESKY_PROJECT}: field 'end': end date must be xsd:date, "
        'xsd:gYearMonth or xsd:gYear (the precision the source gives); got "2011-13"^^xsd:gYearMonth'
    ]


def test_event_date_as_plain_text(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / TABOR_WELS, settings.base_iri)
    event = ns.part(TABOR_WELS_PROJECT, "event", "town-partnership")
    replace(mapped, event, ns.term("date"), literal("září 2005"))
    assert problems(mapped, settings) == [
        f"{DATA / TABOR_WELS}: record {TABOR_WELS_PROJECT}: field 'events[0].date': date must be xsd:date, "
        'xsd:gYearMonth or xsd:gYear (the precision the source gives); got "září 2005"'
    ]


def test_indicator_value_that_is_not_a_number(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    indicator = ns.part(VZDELANI_PROJECT, "indicator", "workers-trained")
    replace(mapped, indicator, ns.term("value"), literal("326 pracovníků"))
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'indicators[2].value': "
        'value must be an xsd:decimal of at least 0; got "326 pracovníků"'
    ]


def test_output_quantity_as_decimal(settings: Settings, ns: Namespaces) -> None:
    """The record says a quantity is a whole number of at least 1; the triple is an xsd:integer."""
    mapped = mapped_source(DATA / STREDOCESKY, settings.base_iri)
    output = ns.part(STREDOCESKY_PROJECT, "output", "project-plans")
    replace(mapped, output, ns.term("quantity"), literal("2.0", "decimal"))
    assert problems(mapped, settings) == [
        f"{DATA / STREDOCESKY}: record {STREDOCESKY_PROJECT}: field 'outputs[0].quantity': "
        'quantity must be an xsd:integer of at least 1; got "2.0"^^xsd:decimal'
    ]


def test_stated_date_as_plain_text_names_its_item(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    statement = NamedNode(ns.base + "id/source/seed-002/stated-date/2012-10-20-modified")
    replace(mapped, statement, ns.term("date"), literal("20.10.2012"))
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record (source): field 'stated_dates[0].date': date must be xsd:date, "
        'xsd:gYearMonth or xsd:gYear (the precision the source gives); got "20.10.2012"'
    ]


# -- cardinalities -------------------------------------------------------------------------------------------


def test_second_start_date(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    add(mapped, ns.project(VZDELANI_PROJECT), ns.term("startDate"), literal("2009-06", "gYearMonth"))
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'start': a project has at most one start date"
    ]


def test_second_status(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / GLOBOS, settings.base_iri)
    add(mapped, ns.project(GLOBOS_PROJECT), ns.term("status"), ns.concept("status", "ongoing"))
    assert problems(mapped, settings) == [
        f"{DATA / GLOBOS}: record {GLOBOS_PROJECT}: field 'status': a project has at most one status"
    ]


def test_project_without_title(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    remove(mapped, ns.project(VZDELANI_PROJECT), TITLE)
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'title': "
        "title is missing: a project needs a title in at least one language"
    ]


def test_indicator_with_two_values(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    add(
        mapped,
        ns.part(VZDELANI_PROJECT, "indicator", "workers-trained"),
        ns.term("value"),
        literal("330", "decimal"),
    )
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'indicators[2].value': "
        "an indicator has exactly one value"
    ]


def test_indicator_without_unit_or_measure(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    indicator = ns.part(VZDELANI_PROJECT, "indicator", "workers-trained")
    remove(mapped, indicator, ns.term("unit"))
    remove(mapped, indicator, ns.term("measure"))
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'indicators[2].measure': "
        "an indicator has exactly one measure",
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'indicators[2].unit': "
        "an indicator has exactly one unit",
    ]


def test_indicator_without_source_sentence(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    remove(mapped, ns.part(VZDELANI_PROJECT, "indicator", "workers-trained"), ns.term("sourceText"))
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'indicators[2].source_text': "
        "source text is missing: an indicator needs the verbatim source sentence"
    ]


def test_indicator_without_key(settings: Settings, ns: Namespaces) -> None:
    """The key is the third Data Cube dimension: two workshop counts of one project differ only there."""
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    remove(mapped, ns.part(ZLIN_PROJECT, "indicator", "municipal-workshops"), ns.term("indicatorKey"))
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record {ZLIN_PROJECT}: field 'indicators[4].id': "
        "an indicator has exactly one key (its id)"
    ]


def test_organisation_and_place_without_identifier(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    remove(mapped, ns.organisation(ZLIN_REGION), NamedNode(DCTERMS + "identifier"))
    remove(mapped, ns.place("cz-zlin"), NamedNode(DCTERMS + "identifier"))
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record cz-zlin: field 'id': a place has exactly one id",
        f"{DATA / ZLIN}: record {ZLIN_REGION}: field 'id': an organisation has exactly one id",
    ]


def test_target_group_without_its_words(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / STREDOCESKY, settings.base_iri)
    remove(mapped, ns.part(STREDOCESKY_PROJECT, "target-group", "homeless-people"), ns.term("sourceText"))
    assert problems(mapped, settings) == [
        f"{DATA / STREDOCESKY}: record {STREDOCESKY_PROJECT}: field 'target_groups[2].text': "
        "text is missing: a target group needs the source's words in at least one language"
    ]


def test_target_group_of_a_project_without_a_mention(settings: Settings, ns: Namespaces) -> None:
    """lodcat:targetGroup on a project is the shortcut of its mentions; alone, it has lost its words."""
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    add(mapped, ns.project(ZLIN_PROJECT), ns.term("targetGroup"), ns.concept("target-group", "ngo-staff"))
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record {ZLIN_PROJECT}: field 'target_groups': target group "
        f"{ns.base}id/concept/target-group/ngo-staff has no target-group mention with the source's words"
    ]


# -- language tags and one text per language ---------------------------------------------------------------


def test_title_without_language_tag(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    replace(mapped, ns.project(ZLIN_PROJECT), TITLE, literal("Vzdělávání v oblasti komunitního plánování"))
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record {ZLIN_PROJECT}: field 'title': title must be language-tagged text, "
        'e.g. {"cs": "..."}; got "Vzdělávání v oblasti komunitního plánování"'
    ]


def test_organisation_note_without_language_tag(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    replace(mapped, ns.organisation("cz-mpsv"), NOTE, literal("Named only by its abbreviation."))
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record cz-mpsv: field 'notes': note must be language-tagged text, "
        'e.g. {"en": "..."}; got "Named only by its abbreviation."'
    ]


def test_funding_text_without_language_tag(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    funding = ns.part(VZDELANI_PROJECT, "funding", "total")
    replace(mapped, funding, ns.term("sourceText"), literal("Celkový rozsah plnění: 8 464 591,00 Kč"))
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'funding[0].text': funding text must be the "
        "verbatim text of the source, tagged with the source's language; "
        'got "Celkový rozsah plnění: 8 464 591,00 Kč"'
    ]


def test_target_group_text_without_language_tag(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / STREDOCESKY, settings.base_iri)
    mention = ns.part(STREDOCESKY_PROJECT, "target-group", "homeless-people")
    replace(mapped, mention, ns.term("sourceText"), literal("lidi bez domova"))
    assert problems(mapped, settings) == [
        f"{DATA / STREDOCESKY}: record {STREDOCESKY_PROJECT}: field 'target_groups[2].text': "
        'target group text must be language-tagged text, e.g. {"cs": "..."}; got "lidi bez domova"'
    ]


def test_two_titles_in_one_language(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    add(
        mapped,
        ns.project(ZLIN_PROJECT),
        TITLE,
        literal("Komunitní plánování ve Zlínském kraji", language="cs"),
    )
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record {ZLIN_PROJECT}: field 'title': "
        "title has more than one text in the same language"
    ]


def test_titles_in_two_languages_conform(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    add(
        mapped,
        ns.project(ZLIN_PROJECT),
        TITLE,
        literal("Community planning training in the Zlín Region", language="en"),
    )
    assert problems(mapped, settings) == []


def test_two_indicator_labels_in_one_language(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / GLOBOS, settings.base_iri)
    add(mapped, ns.part(GLOBOS_PROJECT, "indicator", "seminars"), LABEL, literal("seminars", language="en"))
    assert problems(mapped, settings) == [
        f"{DATA / GLOBOS}: record {GLOBOS_PROJECT}: field 'indicators[0].label': "
        "label has more than one text in the same language"
    ]


# -- value ranges --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["1.5", "-0.25"])
def test_co_financing_rate_outside_0_to_1(rate: str, settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / TABOR_WELS, settings.base_iri)
    funding = ns.part(TABOR_WELS_PROJECT, "funding", "details")
    replace(mapped, funding, ns.term("coFinancingRate"), literal(rate, "decimal"))
    assert problems(mapped, settings) == [
        f"{DATA / TABOR_WELS}: record {TABOR_WELS_PROJECT}: field 'funding[0].rate': co-financing rate "
        f'must be an xsd:decimal from 0 to 1 (75 % is 0.75); got "{rate}"^^xsd:decimal'
    ]


@pytest.mark.parametrize("rate", ["0", "1", "0.75"])
def test_co_financing_rate_bounds_are_inclusive(rate: str, settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / TABOR_WELS, settings.base_iri)
    funding = ns.part(TABOR_WELS_PROJECT, "funding", "details")
    replace(mapped, funding, ns.term("coFinancingRate"), literal(rate, "decimal"))
    assert problems(mapped, settings) == []


def test_negative_amount(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    funding = ns.part(VZDELANI_PROJECT, "funding", "total")
    replace(mapped, funding, ns.term("amount"), literal("-8464591.00", "decimal"))
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'funding[0].amount': "
        'amount must be an xsd:decimal of at least 0; got "-8464591.00"^^xsd:decimal'
    ]


def test_negative_indicator_value(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / GLOBOS, settings.base_iri)
    indicator = ns.part(GLOBOS_PROJECT, "indicator", "participants-trained")
    replace(mapped, indicator, ns.term("value"), literal("-460", "decimal"))
    assert problems(mapped, settings) == [
        f"{DATA / GLOBOS}: record {GLOBOS_PROJECT}: field 'indicators[1].value': "
        'value must be an xsd:decimal of at least 0; got "-460"^^xsd:decimal'
    ]


def test_zero_amount_and_zero_value_conform(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    replace(mapped, ns.part(VZDELANI_PROJECT, "funding", "total"), ns.term("amount"), literal("0", "decimal"))
    indicator = ns.part(VZDELANI_PROJECT, "indicator", "workers-trained")
    replace(mapped, indicator, ns.term("value"), literal("0", "decimal"))
    assert problems(mapped, settings) == []


# -- end not before start, at the precision both dates have --------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2009-05-01", "2009-04-30"),  # day precision
        ("2011-07", "2011-06"),  # month precision
        ("2017", "2016"),  # year precision
        ("2011-07-15", "2011-06"),  # day against month: compared as 2011-07 and 2011-06
        ("2012", "2011-12-31"),  # year against day: compared as 2012 and 2011
    ],
    ids=["day", "month", "year", "day-month", "year-day"],
)
def test_end_before_start_is_refused(start: str, end: str, settings: Settings, tmp_path: Path) -> None:
    """The record model refuses it first (so an importer reports the row); the shape refuses the same
    triples however they were made, with the same words."""
    record = record_file(STREDOCESKY)
    set_value(record, "projects.0.start", start)
    set_value(record, "projects.0.end", end)
    path = write_record(tmp_path, record)
    message = f"record {STREDOCESKY_PROJECT}: field 'end': end date {end} is before start date {start}"
    assert records_refused(path, settings) == [f"{path}: {message}"]
    mapped = mapped_source(DATA / STREDOCESKY, settings.base_iri)
    ns, types = Namespaces(settings.base_iri), {4: "gYear", 7: "gYearMonth", 10: "date"}
    replace(mapped, ns.project(STREDOCESKY_PROJECT), ns.term("startDate"), literal(start, types[len(start)]))
    replace(mapped, ns.project(STREDOCESKY_PROJECT), ns.term("endDate"), literal(end, types[len(end)]))
    assert problems(mapped, settings) == [f"{DATA / STREDOCESKY}: {message}"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2009-06-01", "2011-06"),  # the sample: compared as 2009-06 and 2011-06
        ("2016", "2017"),
        ("2017-03-01", "2017"),  # compared as 2017 and 2017
        ("2011-06-15", "2011-06"),  # ended in the month it started
        ("2009-05-01", "2009-05-01"),  # a one-day project
        ("2011-06", "2011-06-01"),
    ],
)
def test_end_not_before_start_passes(start: str, end: str, settings: Settings, tmp_path: Path) -> None:
    record = record_file(STREDOCESKY)
    set_value(record, "projects.0.start", start)
    set_value(record, "projects.0.end", end)
    mapped = prepare(write_record(tmp_path, record), settings)
    assert len(mapped.triples) > 0


def test_end_before_start_in_triples(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / GLOBOS, settings.base_iri)
    replace(mapped, ns.project(GLOBOS_PROJECT), ns.term("endDate"), literal("2015", "gYear"))
    assert problems(mapped, settings) == [
        f"{DATA / GLOBOS}: record {GLOBOS_PROJECT}: field 'end': end date 2015 is before start date 2016"
    ]


# -- concept-scheme members ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "location", "record", "field", "scheme_message", "concept"),
    [
        (TABOR_WELS, "projects.0.status", TABOR_WELS_PROJECT, "status",
         "status must be a concept of the status scheme", "status/closed"),
        (GLOBOS, "projects.0.participants.1.role", GLOBOS_PROJECT, "participants[1].role",
         "role must be a concept of the role scheme", "role/sponsor"),
        (VZDELANI, "projects.0.indicators.2.unit", VZDELANI_PROJECT, "indicators[2].unit",
         "unit must be a concept of the unit scheme", "unit/heads"),
        (ZLIN, "projects.0.funds.0", ZLIN_PROJECT, "funds",
         "fund must be a concept of the fund scheme", "fund/erdf-typo"),
        (ZLIN, "projects.0.co_financed_by.1", ZLIN_PROJECT, "co_financed_by",
         "co-financing source must be a concept of the fund scheme", "fund/state-budget"),
        (VZDELANI, "projects.0.programme", VZDELANI_PROJECT, "programme",
         "programme must be a concept of the programme scheme", "programme/op-zam"),
        (VZDELANI, "projects.0.indicators.0.measure", VZDELANI_PROJECT, "indicators[0].measure",
         "measure must be a concept of the measure scheme", "measure/hours"),
        (VZDELANI, "projects.0.outputs.0.type", VZDELANI_PROJECT, "outputs[0].type",
         "output type must be a concept of the output-type scheme", "output-type/movie"),
        (VZDELANI, "projects.0.funding.0.type", VZDELANI_PROJECT, "funding[0].type",
         "funding type must be a concept of the funding-type scheme", "funding-type/budget"),
        (STREDOCESKY, "projects.0.target_groups.2.concept", STREDOCESKY_PROJECT, "target_groups[2].concept",
         "target group must be a concept of the target-group scheme", "target-group/homeless"),
    ],
    ids=["status", "role", "unit", "fund", "co-financed-by", "programme", "measure", "output-type",
         "funding-type", "target-group"],
)  # fmt: skip
def test_value_outside_its_concept_scheme(
    name: str,
    location: str,
    record: str,
    field: str,
    scheme_message: str,
    concept: str,
    settings: Settings,
    tmp_path: Path,
) -> None:
    path = write_record(tmp_path, set_value(record_file(name), location, concept.split("/")[1]))
    assert refused(path, settings) == [
        f"{path}: record {record}: field {field!r}: {scheme_message}; "
        f"got <{settings.base_iri}id/concept/{concept}>"
    ]


def test_concept_of_another_scheme_is_refused(settings: Settings, tmp_path: Path) -> None:
    """'person' is a unit; as a role it is not in the role scheme."""
    path = write_record(tmp_path, set_value(record_file(ZLIN), "projects.0.participants.0.role", "person"))
    assert refused(path, settings) == [
        f"{path}: record {ZLIN_PROJECT}: field 'participants[0].role': "
        f"role must be a concept of the role scheme; got <{settings.base_iri}id/concept/role/person>"
    ]


# -- IRI patterns --------------------------------------------------------------------------------------------


def test_country_that_is_not_an_authority_iri(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / TABOR_WELS, settings.base_iri)
    project = ns.project(TABOR_WELS_PROJECT)
    replace(
        mapped,
        project,
        ns.term("country"),
        NamedNode(COUNTRY_AUTHORITY + "CZE"),
        NamedNode(COUNTRY_AUTHORITY + "AT"),
    )
    assert problems(mapped, settings) == [
        f"{DATA / TABOR_WELS}: record {TABOR_WELS_PROJECT}: field 'countries': country must be an EU country "
        "authority IRI, http://publications.europa.eu/resource/authority/country/ and a three-letter code "
        f"such as CZE; got <{COUNTRY_AUTHORITY}AT>"
    ]


def test_country_as_text_is_not_an_iri(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    replace(mapped, ns.organisation(ZLIN_REGION), ns.term("country"), literal(COUNTRY_AUTHORITY + "CZE"))
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record {ZLIN_REGION}: field 'country': country must be an EU country authority IRI, "
        "http://publications.europa.eu/resource/authority/country/ and a three-letter code such as CZE; "
        f'got "{COUNTRY_AUTHORITY}CZE"'
    ]


def test_address_country_of_iso_alpha_2(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    address = NamedNode(ns.base + f"id/organisation/{ZLIN_REGION}/address")
    replace(
        mapped,
        address,
        ADDRESS_COUNTRY,
        NamedNode("http://publications.europa.eu/resource/authority/country/CZ"),
    )
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record {ZLIN_REGION}: field 'address.country': country must be an EU country "
        "authority IRI, http://publications.europa.eu/resource/authority/country/ and a three-letter code "
        f"such as CZE; got <{COUNTRY_AUTHORITY}CZ>"
    ]


def test_region_that_is_not_a_nuts_iri(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    project = ns.project(VZDELANI_PROJECT)
    remove(mapped, project, ns.term("region"))
    add(mapped, project, ns.term("region"), NamedNode("http://data.europa.eu/nuts/code/CZ051"),
        NamedNode("http://data.europa.eu/nuts/code/cz080"))  # fmt: skip
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'regions': region must be a NUTS IRI, "
        "http://data.europa.eu/nuts/code/ and a code such as CZ051; got <http://data.europa.eu/nuts/code/cz080>"
    ]


def test_currency_that_is_not_an_authority_iri(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    funding = ns.part(VZDELANI_PROJECT, "funding", "total")
    replace(
        mapped,
        funding,
        ns.term("currency"),
        NamedNode("http://publications.europa.eu/resource/authority/currency/Kč"),
    )
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'funding[0].currency': currency must be an EU "
        "currency authority IRI, http://publications.europa.eu/resource/authority/currency/ and a "
        "three-letter code such as CZK; got <http://publications.europa.eu/resource/authority/currency/Kč>"
    ]


def test_website_that_is_not_http(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / STREDOCESKY, settings.base_iri)
    replace(mapped, ns.project(STREDOCESKY_PROJECT), HOMEPAGE, NamedNode("ftp://www.partnerstvi-cpkp.cz"))
    assert problems(mapped, settings) == [
        f"{DATA / STREDOCESKY}: record {STREDOCESKY_PROJECT}: field 'website': "
        "website must be an http or https IRI; got <ftp://www.partnerstvi-cpkp.cz>"
    ]


def test_project_iri_outside_the_base_iri(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / STREDOCESKY, settings.base_iri)
    rename(mapped, ns.project(STREDOCESKY_PROJECT), NamedNode("http://elsewhere.example/id/project/x"))
    assert problems(mapped, settings) == [
        f"{DATA / STREDOCESKY}: record {STREDOCESKY_PROJECT}: field 'id': project IRI "
        "<http://elsewhere.example/id/project/x> must be the base IRI, id/project/ and the project id"
    ]


def test_project_iri_under_another_path_of_the_base(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / STREDOCESKY, settings.base_iri)
    rename(mapped, ns.project(STREDOCESKY_PROJECT), NamedNode(ns.base + "id/organisation/x"))
    assert problems(mapped, settings) == [
        f"{DATA / STREDOCESKY}: record {STREDOCESKY_PROJECT}: field 'id': project IRI "
        f"<{ns.base}id/organisation/x> must be the base IRI, id/project/ and the project id"
    ]


# -- an amount without currency says why ---------------------------------------------------------------------


def test_amount_without_currency_or_note(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / TABOR_WELS, settings.base_iri)
    remove(mapped, ns.part(TABOR_WELS_PROJECT, "funding", "details"), NOTE)
    assert problems(mapped, settings) == [
        f"{DATA / TABOR_WELS}: record {TABOR_WELS_PROJECT}: field 'funding[0].currency': "
        "amount 85440 has no currency; add a note saying why the currency is unknown"
    ]


def test_currency_dropped_from_an_amount(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / VZDELANI, settings.base_iri)
    remove(mapped, ns.part(VZDELANI_PROJECT, "funding", "total"), ns.term("currency"))
    remove(mapped, ns.part(VZDELANI_PROJECT, "funding", "total"), NamedNode(SKOS + "note"))
    assert problems(mapped, settings) == [
        f"{DATA / VZDELANI}: record {VZDELANI_PROJECT}: field 'funding[0].currency': "
        "amount 8464591 has no currency; add a note saying why the currency is unknown"
    ]


def test_funding_without_amount_or_rate(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / TABOR_WELS, settings.base_iri)
    funding = ns.part(TABOR_WELS_PROJECT, "funding", "details")
    remove(mapped, funding, ns.term("amount"))
    remove(mapped, funding, ns.term("coFinancingRate"))
    assert problems(mapped, settings) == [
        f"{DATA / TABOR_WELS}: record {TABOR_WELS_PROJECT}: field 'funding[0].amount': "
        "funding needs an amount, a rate or both"
    ]


# -- company number and data box -----------------------------------------------------------------------------


def test_company_number_with_a_separator(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    replace(mapped, ns.organisation(ZLIN_REGION), ns.term("companyNumber"), literal("708 91 320"))
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record {ZLIN_REGION}: field 'company_number': "
        'company number must be 6 to 12 digits, e.g. 70891320; got "708 91 320"'
    ]


def test_data_box_in_capitals(settings: Settings, ns: Namespaces) -> None:
    mapped = mapped_source(DATA / ZLIN, settings.base_iri)
    replace(mapped, ns.organisation(ZLIN_REGION), ns.term("dataBox"), literal("SCSBWKU"))
    assert problems(mapped, settings) == [
        f"{DATA / ZLIN}: record {ZLIN_REGION}: field 'data_box': "
        'data box must be 7 lower-case letters or digits, e.g. scsbwku; got "SCSBWKU"'
    ]


# -- several problems are reported together, sorted ----------------------------------------------------------


def test_all_problems_of_a_file_in_one_run(settings: Settings, tmp_path: Path) -> None:
    record = record_file(GLOBOS)
    set_value(record, "projects.0.status", "done")
    set_value(record, "projects.0.participants.0.role", "lead")
    path = write_record(tmp_path, record)
    assert refused(path, settings) == [
        f"{path}: record {GLOBOS_PROJECT}: field 'participants[0].role': "
        f"role must be a concept of the role scheme; got <{settings.base_iri}id/concept/role/lead>",
        f"{path}: record {GLOBOS_PROJECT}: field 'status': status must be a concept of the status scheme; "
        f"got <{settings.base_iri}id/concept/status/done>",
    ]


# -- what the record model refuses before any triple exists --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "change", "record", "field", "reason"),
    [
        (TABOR_WELS, ("set", "projects.0.budget", "85440"), TABOR_WELS_PROJECT, "budget", "unknown field"),
        (TABOR_WELS, ("delete", "projects.0.title", None), TABOR_WELS_PROJECT, "title", "missing"),
        (STREDOCESKY, ("set", "projects.0.end", "2011-13"), STREDOCESKY_PROJECT, "end",
         "'2011-13' has month 13; expected 01 to 12"),
        (STREDOCESKY, ("set", "projects.0.start", "2011-02-30"), STREDOCESKY_PROJECT, "start",
         "'2011-02-30' has no day 30 in that month"),
        (STREDOCESKY, ("set", "projects.0.end", "June 2011"), STREDOCESKY_PROJECT, "end",
         "'June 2011' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD"),
        (TABOR_WELS, ("set", "projects.0.funding.0.rate", "75"), TABOR_WELS_PROJECT, "funding[0].rate",
         "Input should be less than or equal to 1"),
        (TABOR_WELS, ("set", "projects.0.funding.0.amount", "-85440.00"), TABOR_WELS_PROJECT,
         "funding[0].amount", "Input should be greater than or equal to 0"),
        (TABOR_WELS, ("delete", "projects.0.funding.0.notes", None), TABOR_WELS_PROJECT, "funding[0]",
         "an amount without currency needs a note saying why the currency is unknown"),
        (GLOBOS, ("set", "projects.0.indicators.1.value", -460), GLOBOS_PROJECT, "indicators[1].value",
         "Input should be greater than or equal to 0"),
        (TABOR_WELS, ("set", "projects.0.countries.1", "AT"), TABOR_WELS_PROJECT, "countries[1]",
         "String should match pattern '^[A-Z]{3}$'"),
        (VZDELANI, ("set", "projects.0.regions.0", "cz051"), VZDELANI_PROJECT, "regions[0]",
         "String should match pattern '^[A-Z]{2}[0-9A-Z]{1,3}$'"),
        (VZDELANI, ("set", "projects.0.funding.0.currency", "Kč"), VZDELANI_PROJECT, "funding[0].currency",
         "String should match pattern '^[A-Z]{3}$'"),
        (ZLIN, ("set", "organisations.0.company_number", "708 91 320"), ZLIN_REGION, "company_number",
         "String should match pattern '^[0-9]{6,12}$'"),
        (ZLIN, ("set", "organisations.0.data_box", "SCSBWKU"), ZLIN_REGION, "data_box",
         "String should match pattern '^[a-z0-9]{7}$'"),
        (STREDOCESKY, ("set", "projects.0.website", "www.partnerstvi-cpkp.cz"), STREDOCESKY_PROJECT,
         "website", "String should match pattern '^https?://\\S+$'"),
        (STREDOCESKY, ("set", "projects.0.title", {"cs": " "}), STREDOCESKY_PROJECT, "title",
         "text in 'cs' is empty"),
        (STREDOCESKY, ("set", "projects.0.title", {"Czech": "Podpora"}), STREDOCESKY_PROJECT, "title",
         "'Czech' is not a language tag; expected e.g. 'cs', 'lt', 'en'"),
    ],
    ids=["unknown-field", "missing-title", "month-13", "february-30", "date-in-words", "rate-above-1",
         "negative-amount", "amount-without-currency-or-note", "negative-indicator-value", "country-alpha-2",
         "region-lower-case", "currency-symbol", "company-number", "data-box", "website-without-scheme",
         "empty-title", "language-name-as-tag"],
)  # fmt: skip
def test_record_model_refuses(
    name: str,
    change: tuple[str, str, Any],
    record: str,
    field: str,
    reason: str,
    settings: Settings,
    tmp_path: Path,
) -> None:
    action, location, value = change
    data = record_file(name)
    if action == "set":
        set_value(data, location, value)
    else:
        delete_value(data, location)
    path = write_record(tmp_path, data)
    assert records_refused(path, settings) == [f"{path}: record {record}: field {field!r}: {reason}"]
