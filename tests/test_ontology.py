"""ontology/: the vocabulary, the concept schemes and the reference labels, checked against the data.

Every file is parsed by two independent parsers (pyoxigraph and rdflib) under two base IRIs, and the
terms, concepts and external IRIs that the mapped sample data uses are looked up in what they declare.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QueryBoolean, RdfFormat, Store, Triple, parse
from rdflib import Graph

from loader.mapping import to_triples
from loader.namespaces import (
    AUTHORITY,
    DCTERMS,
    EURIO,
    FOAF,
    LANGUAGE_CODES,
    NUTS,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SCHEMA,
    SCHEMES,
    SDMX_ATTRIBUTE,
    SKOS,
    XSD,
    Namespaces,
    language,
    nuts,
)
from loader.pipeline import VOCABULARY_GRAPHS, vocabulary_sources
from loader.records import IDENTIFIER_PATTERN, read_records
from loader.settings import Settings
from tests.conftest import BASE, DATA, ROOT, SHARED

ONTOLOGY = ROOT / "ontology"
OTHER_BASE = "https://data.example.org/lodcat/"
BASES = [BASE, OTHER_BASE]
EU_VOCABULARIES = SHARED / "external" / "eu-vocabularies"
NOTATION = re.compile(r"^[a-z0-9][a-z0-9-]*$")
VANN = "http://purl.org/vocab/vann/"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"

TYPE = NamedNode(RDF + "type")
LABEL = NamedNode(RDFS + "label")
COMMENT = NamedNode(RDFS + "comment")
DOMAIN = NamedNode(RDFS + "domain")
RANGE = NamedNode(RDFS + "range")
SUBCLASS = NamedNode(RDFS + "subClassOf")
SUBPROPERTY = NamedNode(RDFS + "subPropertyOf")
DOMAIN_INCLUDES = NamedNode(SCHEMA + "domainIncludes")
RANGE_INCLUDES = NamedNode(SCHEMA + "rangeIncludes")
CLASS = NamedNode(OWL + "Class")
OBJECT_PROPERTY = NamedNode(OWL + "ObjectProperty")
DATATYPE_PROPERTY = NamedNode(OWL + "DatatypeProperty")
DATATYPE = NamedNode(RDFS + "Datatype")
CONCEPT = NamedNode(SKOS + "Concept")
CONCEPT_SCHEME = NamedNode(SKOS + "ConceptScheme")
IN_SCHEME = NamedNode(SKOS + "inScheme")
TOP_CONCEPT_OF = NamedNode(SKOS + "topConceptOf")
NOTATION_PROPERTY = NamedNode(SKOS + "notation")
PREF_LABEL = NamedNode(SKOS + "prefLabel")
ALT_LABEL = NamedNode(SKOS + "altLabel")
DEFINITION = NamedNode(SKOS + "definition")
BROADER = NamedNode(SKOS + "broader")
LANG_STRING = NamedNode(RDF + "langString")
VANN_URI = NamedNode(VANN + "preferredNamespaceUri")
RDFS_LITERAL = NamedNode(RDFS + "Literal")


# -- reading -----------------------------------------------------------------------------------------------


class Triples:
    """A parsed file or mapped source as a set of triples, with the lookups the tests need."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.triples = frozenset(triples)
        self._by_subject: dict[tuple[object, NamedNode], list[object]] = defaultdict(list)
        for triple in self.triples:
            self._by_subject[(triple.subject, triple.predicate)].append(triple.object)

    def __or__(self, other: Triples) -> Triples:
        return Triples(self.triples | other.triples)

    def objects(self, subject: object, predicate: NamedNode) -> list[object]:
        return self._by_subject.get((subject, predicate), [])

    def subjects(self, predicate: NamedNode, obj: object) -> set[object]:
        return {t.subject for t in self.triples if t.predicate == predicate and t.object == obj}

    def literals(self, subject: object, predicate: NamedNode) -> list[Literal]:
        return [o for o in self.objects(subject, predicate) if isinstance(o, Literal)]

    def languages(self, subject: object, predicate: NamedNode) -> list[str]:
        """Language tags of the values, one entry per value, so duplicates show."""
        return [literal.language or "" for literal in self.literals(subject, predicate)]

    def text(self, subject: object, predicate: NamedNode, tag: str) -> str | None:
        values = [literal.value for literal in self.literals(subject, predicate) if literal.language == tag]
        return values[0] if len(values) == 1 else None

    def types(self, subject: object) -> set[object]:
        return set(self.objects(subject, TYPE))


@cache
def vocabulary(name: str, base: str = BASE) -> Triples:
    """One file of ontology/ as pyoxigraph parses it, the way the pipeline loads it."""
    return Triples(parse(path=ONTOLOGY / name, format=RdfFormat.TURTLE, base_iri=base))


@cache
def data(base: str = BASE) -> Triples:
    """The triples of every sample record file, mapped under `base`."""
    ns = Namespaces(base)
    triples: list[Triple] = []
    for path in sorted(DATA.glob("*.json")):
        triples.extend(to_triples(read_records(path), path, ns).triples)
    return Triples(triples)


def iris(triples: Triples) -> set[str]:
    return {
        node.value
        for triple in triples.triples
        for node in (triple.subject, triple.predicate, triple.object)
        if isinstance(node, NamedNode)
    }


def used_terms(base: str) -> set[NamedNode]:
    """Every lodcat term the mapped data, the pipeline's graph metadata and the schemes use."""
    ns = Namespaces(base)
    used = {
        NamedNode(iri)
        for iri in iris(data(base) | vocabulary("schemes.ttl", base))
        if iri.startswith(ns.vocab)
    }
    return used | {ns.term("contentHash")}


# -- both parsers, any base ----------------------------------------------------------------------------------


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("name", sorted(VOCABULARY_GRAPHS))
def test_file_parses_to_the_same_triples_in_rdflib_and_pyoxigraph(name: str, base: str) -> None:
    graph = Graph()
    graph.parse(ONTOLOGY / name, format="turtle", publicID=base)
    via_rdflib = set(parse(graph.serialize(format="nt", encoding="utf-8"), format=RdfFormat.N_TRIPLES))
    via_pyoxigraph = set(vocabulary(name, base).triples)
    assert len(via_pyoxigraph) > 100
    assert via_rdflib == via_pyoxigraph


@pytest.mark.parametrize("name", sorted(VOCABULARY_GRAPHS))
def test_file_has_no_base_directive_and_no_hard_coded_base(name: str) -> None:
    lines = (ONTOLOGY / name).read_text(encoding="utf-8").splitlines()
    statements = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert re.search(r"^\s*(@base|BASE)\b", statements, re.MULTILINE | re.IGNORECASE) is None
    assert "127.0.0.1" not in statements


@pytest.mark.parametrize("name", sorted(VOCABULARY_GRAPHS))
def test_file_has_no_blank_nodes(name: str) -> None:
    """Blank-node labels change on every parse, which would change the content hash of the graph."""
    blank = [
        triple
        for triple in vocabulary(name).triples
        if isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)
    ]
    assert blank == []


def test_reloading_the_vocabulary_hashes_the_same() -> None:
    settings = Settings(ontology_path=ONTOLOGY)
    first = {source.source_id: source.content_hash() for source in vocabulary_sources(settings)}
    second = {source.source_id: source.content_hash() for source in vocabulary_sources(settings)}
    assert set(first) == {"ontology", "schemes", "reference"}
    assert first == second


def test_relative_iris_resolve_against_another_base() -> None:
    ns = Namespaces(OTHER_BASE)
    ontology = vocabulary("lodcat.ttl", OTHER_BASE)
    assert OBJECT_PROPERTY in ontology.types(ns.term("participation"))
    assert ontology.objects(ns.ontology, VANN_URI) == [NamedNode(OTHER_BASE + "ontology#")]
    schemes = vocabulary("schemes.ttl", OTHER_BASE)
    assert ns.scheme("fund") in schemes.objects(ns.concept("fund", "esf"), IN_SCHEME)
    for name in VOCABULARY_GRAPHS:
        ours = {iri for iri in iris(vocabulary(name, OTHER_BASE)) if iri.startswith(OTHER_BASE)}
        misplaced = {iri for iri in ours if not iri.startswith((ns.vocab, OTHER_BASE + "id/"))}
        assert misplaced <= {ns.ontology.value}, name
        assert not any(iri.startswith(BASE) for iri in iris(vocabulary(name, OTHER_BASE))), name


# -- the ontology --------------------------------------------------------------------------------------------


def test_ontology_has_version_title_licence_and_namespace() -> None:
    ns = Namespaces(BASE)
    ontology = vocabulary("lodcat.ttl")
    assert ontology.types(ns.ontology) == {NamedNode(OWL + "Ontology")}
    assert [v.value for v in ontology.literals(ns.ontology, NamedNode(OWL + "versionInfo"))] == ["0.1.0"]
    assert sorted(ontology.languages(ns.ontology, NamedNode(DCTERMS + "title"))) == ["cs", "en"]
    assert "en" in ontology.languages(ns.ontology, NamedNode(DCTERMS + "description"))
    assert ontology.objects(ns.ontology, NamedNode(DCTERMS + "license")) == [
        NamedNode("https://creativecommons.org/licenses/by/4.0/")
    ]
    for dated in ("created", "modified"):
        (date,) = ontology.literals(ns.ontology, NamedNode(DCTERMS + dated))
        assert date.datatype == NamedNode(XSD + "date")
    assert ontology.literals(ns.ontology, NamedNode(DCTERMS + "creator"))
    assert ontology.literals(ns.ontology, NamedNode(DCTERMS + "publisher"))
    assert [
        v.value for v in ontology.literals(ns.ontology, NamedNode(VANN + "preferredNamespacePrefix"))
    ] == ["lodcat"]
    assert ontology.objects(ns.ontology, VANN_URI) == [NamedNode(ns.vocab)]


def documentation_problems(term: NamedNode, ontology: Triples, ns: Namespaces) -> list[str]:
    problems = []
    if not ontology.types(term) & {CLASS, OBJECT_PROPERTY, DATATYPE_PROPERTY, DATATYPE}:
        problems.append(f"{term.value}: not declared as owl:Class, owl:*Property or rdfs:Datatype")
    for predicate, tags in ((LABEL, ["cs", "en"]), (COMMENT, ["en"])):
        found = ontology.languages(term, predicate)
        missing = [tag for tag in tags if found.count(tag) != 1]
        if missing:
            problems.append(f"{term.value}: needs exactly one {predicate.value} in {missing}, has {found}")
    if ontology.objects(term, NamedNode(RDFS + "isDefinedBy")) != [ns.ontology]:
        problems.append(f"{term.value}: rdfs:isDefinedBy is not {ns.ontology.value}")
    return problems


@pytest.mark.parametrize("base", BASES)
def test_every_term_the_data_uses_is_declared_and_documented(base: str) -> None:
    ns = Namespaces(base)
    ontology = vocabulary("lodcat.ttl", base)
    used = used_terms(base)
    assert {ns.term("Project"), ns.term("startDate"), ns.term("programmingPeriod")} <= used
    assert len(used) > 50
    problems = [
        problem for term in sorted(used, key=str) for problem in documentation_problems(term, ontology, ns)
    ]
    assert problems == []


def test_every_declared_term_is_documented() -> None:
    ns = Namespaces(BASE)
    ontology = vocabulary("lodcat.ttl")
    declared = {
        triple.subject
        for triple in ontology.triples
        if triple.predicate == TYPE
        and triple.object in {CLASS, OBJECT_PROPERTY, DATATYPE_PROPERTY, DATATYPE}
        and isinstance(triple.subject, NamedNode)
    }
    assert not {term for term in declared if not term.value.startswith(ns.vocab)}
    problems = [
        problem
        for term in sorted(declared, key=str)
        for problem in documentation_problems(term, ontology, ns)
    ]
    assert problems == []


def test_classes_and_properties_the_data_uses_have_the_right_kind() -> None:
    ns = Namespaces(BASE)
    ontology, mapped = vocabulary("lodcat.ttl"), data()
    classes = {
        t.object
        for t in mapped.triples
        if t.predicate == TYPE and isinstance(t.object, NamedNode) and t.object.value.startswith(ns.vocab)
    }
    properties = {t.predicate for t in mapped.triples if t.predicate.value.startswith(ns.vocab)}
    assert len(classes) >= 11
    assert [c for c in classes if CLASS not in ontology.types(c)] == []
    assert [p for p in properties if not ontology.types(p) & {OBJECT_PROPERTY, DATATYPE_PROPERTY}] == []


def test_properties_are_used_as_their_domain_and_range_say() -> None:
    """Domain, range and property kind, checked on every lodcat triple of the data and the schemes."""
    ns = Namespaces(BASE)
    ontology = vocabulary("lodcat.ttl")
    checked = data() | vocabulary("schemes.ttl")
    described = checked | vocabulary("reference.ttl")
    problems: list[str] = []
    count = 0
    for triple in checked.triples:
        prop = triple.predicate
        if not prop.value.startswith(ns.vocab):
            continue
        count += 1
        kinds, value = ontology.types(prop), triple.object
        where = f"{triple.subject} {prop.value.removeprefix(ns.vocab)} {value}"
        domains = ontology.objects(prop, DOMAIN) + ontology.objects(prop, DOMAIN_INCLUDES)
        if domains and not described.types(triple.subject) & set(domains):
            problems.append(f"{where}: subject is none of {domains}")
        if OBJECT_PROPERTY in kinds:
            if not isinstance(value, NamedNode):
                problems.append(f"{where}: object property with a literal")
                continue
            ranges = ontology.objects(prop, RANGE)
            if ranges and not described.types(value) & set(ranges):
                problems.append(f"{where}: object is not a {ranges} (or is not described in ontology/)")
        elif DATATYPE_PROPERTY in kinds:
            if not isinstance(value, Literal):
                problems.append(f"{where}: datatype property with an IRI")
                continue
            (declared,) = ontology.objects(prop, RANGE)
            allowed = {declared, *ontology.objects(prop, RANGE_INCLUDES)}
            if declared == LANG_STRING and not value.language:
                problems.append(f"{where}: needs a language tag")
            elif declared not in {LANG_STRING, RDFS_LITERAL} and value.datatype not in allowed:
                problems.append(f"{where}: datatype {value.datatype} is not in {allowed}")
    assert count > 200
    assert problems == []


def test_types_the_mapping_adds_are_superclasses_of_its_lodcat_class() -> None:
    ns = Namespaces(BASE)
    ontology, mapped = vocabulary("lodcat.ttl"), data()
    problems = []
    for subject in {t.subject for t in mapped.triples if t.predicate == TYPE}:
        types = mapped.types(subject)
        ours = {t for t in types if isinstance(t, NamedNode) and t.value.startswith(ns.vocab)}
        for lodcat_class in ours:
            others = types - ours - set(ontology.objects(lodcat_class, SUBCLASS))
            if others:
                problems.append(
                    f"{subject} is a {lodcat_class} and {others}, which are not superclasses of it"
                )
    assert problems == []


ALIGNMENTS = [
    ("Project", SUBCLASS, EURIO + "Project"),
    ("Project", SUBCLASS, FOAF + "Project"),
    ("Organisation", SUBCLASS, ORG + "Organization"),
    ("Organisation", SUBCLASS, EURIO + "Organisation"),
    ("Participation", SUBCLASS, EURIO + "OrganisationRole"),
    ("Funding", SUBCLASS, EURIO + "MonetaryAmount"),
    ("Indicator", SUBCLASS, QB + "Observation"),
    ("Output", SUBCLASS, EURIO + "Result"),
    ("Place", SUBCLASS, SCHEMA + "Place"),
    ("SourceDocument", SUBCLASS, FOAF + "Document"),
    ("SourceDocument", SUBCLASS, PROV + "Entity"),
    ("startDate", SUBPROPERTY, SCHEMA + "startDate"),
    ("endDate", SUBPROPERTY, SCHEMA + "endDate"),
    ("country", SUBPROPERTY, DCTERMS + "spatial"),
    ("region", SUBPROPERTY, DCTERMS + "spatial"),
    ("place", SUBPROPERTY, DCTERMS + "spatial"),
    ("projectCode", SUBPROPERTY, DCTERMS + "identifier"),
    ("applicationNumber", SUBPROPERTY, DCTERMS + "identifier"),
    ("accreditationNumber", SUBPROPERTY, DCTERMS + "identifier"),
    ("companyNumber", SUBPROPERTY, DCTERMS + "identifier"),
    ("participation", SUBPROPERTY, EURIO + "hasInvolvedParty"),
    ("organisation", SUBPROPERTY, EURIO + "isRoleOf"),
    ("output", SUBPROPERTY, EURIO + "hasResult"),
    ("unit", SUBPROPERTY, SDMX_ATTRIBUTE + "unitMeasure"),
    ("value", SUBPROPERTY, SDMX_MEASURE + "obsValue"),
]


@pytest.mark.parametrize(("term", "relation", "target"), ALIGNMENTS)
def test_term_is_aligned_with_a_well_known_vocabulary(term: str, relation: NamedNode, target: str) -> None:
    ns = Namespaces(BASE)
    assert NamedNode(target) in vocabulary("lodcat.ttl").objects(ns.term(term), relation)


def test_dates_accept_each_precision_the_source_gives() -> None:
    ns = Namespaces(BASE)
    ontology = vocabulary("lodcat.ttl")
    precisions = {NamedNode(XSD + name) for name in ("date", "gYearMonth", "gYear")}
    for term in ("startDate", "endDate", "date"):
        assert set(ontology.objects(ns.term(term), RANGE_INCLUDES)) == precisions
        assert ontology.objects(ns.term(term), RANGE) == [ns.term("PartialDate")]
        comment = ontology.text(ns.term(term), COMMENT, "en") or ""
        assert all(name in comment for name in ("xsd:date", "xsd:gYearMonth", "xsd:gYear"))


# -- the Data Cube of indicators -----------------------------------------------------------------------------

PREFIXES = f"PREFIX qb: <{QB}>\nPREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\n"
# The integrity constraints of https://www.w3.org/TR/vocab-data-cube/#wf-rules that apply here; each
# ASK is true when the constraint is violated.
INTEGRITY = {
    "IC-1 unique data set": """ASK {
        { ?obs a qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?set } }
        UNION { ?obs a qb:Observation ; qb:dataSet ?set1, ?set2 . FILTER (?set1 != ?set2) } }""",
    "IC-2 unique structure": """ASK {
        { ?set a qb:DataSet . FILTER NOT EXISTS { ?set qb:structure ?dsd } }
        UNION { ?set a qb:DataSet ; qb:structure ?dsd1, ?dsd2 . FILTER (?dsd1 != ?dsd2) } }""",
    "IC-3 structure has a measure": """ASK { ?dsd a qb:DataStructureDefinition .
        FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty ?m . ?m a qb:MeasureProperty } }""",
    "IC-4 dimensions have a range": """ASK { ?dim a qb:DimensionProperty .
        FILTER NOT EXISTS { ?dim rdfs:range ?range } }""",
    "IC-5 concept dimensions have code lists": """ASK {
        ?dim a qb:DimensionProperty ; rdfs:range skos:Concept .
        FILTER NOT EXISTS { ?dim qb:codeList ?list } }""",
    "IC-11 all dimensions required": """ASK {
        ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty .
        FILTER NOT EXISTS { ?obs ?dim ?value } }""",
    "IC-12 no duplicate observations": """ASK { FILTER (?allEqual) {
        SELECT (MIN(?equal) AS ?allEqual) WHERE {
            ?obs1 qb:dataSet ?set . ?obs2 qb:dataSet ?set . FILTER (?obs1 != ?obs2)
            ?set qb:structure/qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty .
            ?obs1 ?dim ?value1 . ?obs2 ?dim ?value2 . BIND (?value1 = ?value2 AS ?equal)
        } GROUP BY ?obs1 ?obs2 } }""",
    "IC-14 all measures present": """ASK {
        ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?measure .
        ?measure a qb:MeasureProperty . FILTER NOT EXISTS { ?obs ?measure ?value } }""",
    "IC-19 codes from code list": """ASK {
        ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty ;
            qb:codeList ?list . ?list a skos:ConceptScheme . ?obs ?dim ?value .
        FILTER NOT EXISTS { ?value a skos:Concept ; skos:inScheme ?list } }""",
    "IC-19 applied to attributes": """ASK {
        ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?attr . ?attr a qb:AttributeProperty ;
            qb:codeList ?list . ?list a skos:ConceptScheme . ?obs ?attr ?value .
        FILTER NOT EXISTS { ?value a skos:Concept ; skos:inScheme ?list } }""",
}


@cache
def cube() -> Store:
    store = Store()
    for triples in (data(), vocabulary("lodcat.ttl"), vocabulary("schemes.ttl")):
        store.extend(triple_to_quad(triple) for triple in triples.triples)
    # Normalisation phase of the Data Cube spec: qb:componentProperty from qb:dimension/measure/attribute.
    store.update(
        PREFIXES
        + "INSERT { ?spec qb:componentProperty ?p } WHERE { ?spec qb:dimension|qb:measure|qb:attribute ?p }"
    )
    return store


def triple_to_quad(triple: Triple) -> Quad:
    return Quad(triple.subject, triple.predicate, triple.object)


@pytest.mark.parametrize("constraint", list(INTEGRITY))
def test_indicators_satisfy_data_cube_integrity_constraint(constraint: str) -> None:
    store = cube()
    assert len(list(store.quads_for_pattern(None, TYPE, NamedNode(QB + "Observation")))) > 10
    violated = store.query(PREFIXES + INTEGRITY[constraint])
    assert isinstance(violated, QueryBoolean)
    assert not violated, constraint


def test_indicator_structure_has_project_measure_and_key_dimensions_value_and_unit() -> None:
    ns = Namespaces(BASE)
    ontology = vocabulary("lodcat.ttl")
    structure = ns.term("IndicatorStructure")
    assert ontology.objects(ns.indicator_dataset(), NamedNode(QB + "structure")) == [structure]
    assert sorted(ontology.languages(ns.indicator_dataset(), NamedNode(DCTERMS + "title"))) == ["cs", "en"]
    components: dict[str, set[object]] = defaultdict(set)
    for spec in ontology.objects(structure, NamedNode(QB + "component")):
        for kind in ("dimension", "measure", "attribute"):
            components[kind].update(ontology.objects(spec, NamedNode(QB + kind)))
    assert components == {
        "dimension": {ns.term("project"), ns.term("measure"), ns.term("indicatorKey")},
        "measure": {ns.term("value")},
        "attribute": {ns.term("unit")},
    }
    assert NamedNode(QB + "DimensionProperty") in ontology.types(ns.term("measure"))
    assert NamedNode(QB + "DimensionProperty") in ontology.types(ns.term("indicatorKey"))
    assert NamedNode(QB + "MeasureProperty") in ontology.types(ns.term("value"))
    assert NamedNode(QB + "AttributeProperty") in ontology.types(ns.term("unit"))


# -- concept schemes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", BASES)
def test_every_concept_the_data_uses_is_in_its_scheme(base: str) -> None:
    ns = Namespaces(base)
    schemes = vocabulary("schemes.ttl", base)
    used = sorted(iri for iri in iris(data(base)) if iri.startswith(base + "id/concept/"))
    assert len(used) > 40
    problems = []
    for iri in used:
        scheme, notation = iri.removeprefix(base + "id/concept/").split("/")
        concept = NamedNode(iri)
        if CONCEPT not in schemes.types(concept):
            problems.append(f"{iri}: not a skos:Concept in schemes.ttl")
            continue
        if schemes.objects(concept, IN_SCHEME) != [ns.scheme(scheme)]:
            problems.append(f"{iri}: skos:inScheme is not {ns.scheme(scheme).value}")
        if [literal.value for literal in schemes.literals(concept, NOTATION_PROPERTY)] != [notation]:
            problems.append(f"{iri}: skos:notation is not {notation!r}")
        if not {"en", "cs"} <= set(schemes.languages(concept, PREF_LABEL)):
            problems.append(f"{iri}: needs skos:prefLabel in en and cs")
    assert problems == []


def test_every_scheme_of_the_record_format_is_described() -> None:
    ns = Namespaces(BASE)
    schemes = vocabulary("schemes.ttl")
    declared = schemes.subjects(TYPE, CONCEPT_SCHEME)
    assert declared == {ns.scheme(scheme) for scheme in SCHEMES}
    for scheme in declared:
        assert sorted(schemes.languages(scheme, PREF_LABEL)) == ["cs", "en"], scheme
        assert sorted(schemes.languages(scheme, NamedNode(DCTERMS + "title"))) == ["cs", "en"], scheme


def test_every_concept_is_well_formed() -> None:
    """IRI from scheme and notation; one prefLabel per language (SKOS S14); an English definition."""
    ns = Namespaces(BASE)
    schemes = vocabulary("schemes.ttl")
    concepts = schemes.subjects(TYPE, CONCEPT)
    assert len(concepts) > 60
    problems = []
    for concept in sorted(concepts, key=str):
        (scheme,) = schemes.objects(concept, IN_SCHEME)
        (notation,) = schemes.literals(concept, NOTATION_PROPERTY)
        assert isinstance(scheme, NamedNode)
        name = scheme.value.removeprefix(ns.base + "id/scheme/")
        if concept != ns.concept(name, notation.value) or not NOTATION.match(notation.value):
            problems.append(f"{concept}: IRI does not follow scheme {name!r} and notation {notation.value!r}")
        if schemes.objects(concept, TOP_CONCEPT_OF) != [scheme]:
            problems.append(f"{concept}: skos:topConceptOf is not its scheme")
        labels = schemes.languages(concept, PREF_LABEL)
        if len(labels) != len(set(labels)) or not {"en", "cs"} <= set(labels):
            problems.append(
                f"{concept}: needs exactly one skos:prefLabel per language, en and cs; has {labels}"
            )
        if "en" not in schemes.languages(concept, DEFINITION):
            problems.append(f"{concept}: needs an English skos:definition")
    assert problems == []


REQUIRED_NOTATIONS = {
    "status": {"finished", "ongoing", "planned"},
    "role": {"coordinator", "beneficiary", "implementer", "partner", "contractor"},
    "fund": {"esf", "erdf", "cohesion-fund", "interreg", "cz-state-budget"},
    "programme": {"cz-at-2000-2006", "op-lzz", "op-rlz"},
    "funding-type": {
        "total-budget",
        "eu-contribution",
        "public-contribution",
        "eligible-expenditure",
        "unspecified",
    },
    "output-type": {"publication", "film", "brochure", "leporello", "web-portal", "analysis", "project-plan"},
    "unit": {
        "person",
        "day",
        "hour",
        "organisation",
        "certificate",
        "seminar",
        "workshop",
        "meeting",
        "coalition",
    },
}


@pytest.mark.parametrize("scheme", sorted(REQUIRED_NOTATIONS))
def test_scheme_offers_the_values_the_record_format_names(scheme: str) -> None:
    ns = Namespaces(BASE)
    schemes = vocabulary("schemes.ttl")
    notations = {
        literal.value
        for concept in schemes.subjects(IN_SCHEME, ns.scheme(scheme))
        for literal in schemes.literals(concept, NOTATION_PROPERTY)
    }
    assert REQUIRED_NOTATIONS[scheme] <= notations


@pytest.mark.parametrize(
    ("notation", "period", "fund", "label"),
    [
        ("cz-at-2000-2006", "2000-2006", "interreg", ("en", "2000 - 2006 Czech Republic - Austria (CZ-AT)")),
        ("op-lzz", "2007-2013", "esf", ("cs", "Operační program Lidské zdroje a zaměstnanost")),
        ("op-rlz", "2004-2006", "esf", ("cs", "Operační program Rozvoj lidských zdrojů")),
    ],
)
def test_programme_has_its_period_fund_and_name(
    notation: str, period: str, fund: str, label: tuple[str, str]
) -> None:
    ns = Namespaces(BASE)
    schemes = vocabulary("schemes.ttl")
    programme = ns.concept("programme", notation)
    assert [literal.value for literal in schemes.literals(programme, ns.term("programmingPeriod"))] == [
        period
    ]
    assert schemes.objects(programme, ns.term("fund")) == [ns.concept("fund", fund)]
    assert schemes.text(programme, PREF_LABEL, label[0]) == label[1]


def test_operational_programmes_keep_their_abbreviations() -> None:
    ns = Namespaces(BASE)
    schemes = vocabulary("schemes.ttl")
    assert schemes.text(ns.concept("programme", "op-lzz"), ALT_LABEL, "cs") == "OP LZZ"
    assert schemes.text(ns.concept("programme", "op-rlz"), ALT_LABEL, "cs") == "OP RLZ"
    state_budget = ns.concept("fund", "cz-state-budget")
    assert schemes.text(state_budget, PREF_LABEL, "cs") == "státní rozpočet České republiky"
    assert schemes.text(state_budget, PREF_LABEL, "en") == "Czech state budget"


# -- reference labels for external IRIs ----------------------------------------------------------------------

AUTHORITY_TABLES = {"country", "currency", "language"}


def expected_scheme(iri: str) -> NamedNode:
    if iri.startswith(NUTS):
        return NamedNode("http://data.europa.eu/nuts/scheme/2021")
    return NamedNode(AUTHORITY + iri.removeprefix(AUTHORITY).split("/")[0])


def test_every_external_iri_the_data_uses_has_labels() -> None:
    reference = vocabulary("reference.ttl")
    external = sorted(iri for iri in iris(data()) if iri.startswith((AUTHORITY, NUTS)))
    assert {
        AUTHORITY + "country/CZE",
        AUTHORITY + "currency/CZK",
        AUTHORITY + "language/LIT",
        NUTS + "CZ051",
    } <= set(external)
    problems = []
    for iri in external:
        concept, code = NamedNode(iri), iri.rsplit("/", 1)[1]
        if CONCEPT not in reference.types(concept):
            problems.append(f"{iri}: not a skos:Concept in reference.ttl")
            continue
        if expected_scheme(iri) not in reference.objects(concept, IN_SCHEME):
            problems.append(f"{iri}: skos:inScheme is not {expected_scheme(iri).value}")
        if [literal.value for literal in reference.literals(concept, NOTATION_PROPERTY)] != [code]:
            problems.append(f"{iri}: skos:notation is not {code!r}")
        labels = reference.languages(concept, PREF_LABEL)
        if len(labels) != len(set(labels)) or "en" not in labels or len(labels) < 2:
            problems.append(
                f"{iri}: needs one skos:prefLabel in English and one in a local language; has {labels}"
            )
    assert problems == []


@pytest.mark.parametrize(("tag", "code"), sorted(LANGUAGE_CODES.items()))
def test_every_language_the_mapping_can_name_is_labelled_in_english_and_itself(tag: str, code: str) -> None:
    reference = vocabulary("reference.ttl")
    concept = language(tag)
    assert concept.value.endswith("/" + code)
    assert reference.text(concept, PREF_LABEL, "en")
    assert reference.text(concept, PREF_LABEL, tag)


def test_every_nuts_region_of_the_data_leads_up_to_its_country() -> None:
    reference = vocabulary("reference.ttl")
    regions = sorted(iri for iri in iris(data()) if iri.startswith(NUTS))
    assert len(regions) >= 4
    for region in regions:
        code = region.removeprefix(NUTS)
        node: object = NamedNode(region)
        chain = [node]
        while parents := reference.objects(node, BROADER):
            (node,) = parents
            chain.append(node)
        assert chain[-1] == nuts(code[:2]), chain
        assert len(chain) == len(code) - 1, chain  # CZ051 -> CZ05 -> CZ0 -> CZ: one step per NUTS level


def shared_file(relative: str) -> Path:
    path = EU_VOCABULARIES / relative
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared/external is not part of the repository)")
    return path


def test_country_labels_are_those_of_the_eu_country_table() -> None:
    path = shared_file("europarl+open-data-beta-testing/controlled-vocabularies/countries-skos.rdf")
    reference = vocabulary("reference.ttl")
    countries = sorted(reference.subjects(IN_SCHEME, NamedNode(AUTHORITY + "country")), key=str)
    wanted = {(country, predicate) for country in countries for predicate in (PREF_LABEL, ALT_LABEL)}
    table: dict[tuple[object, NamedNode], set[Literal]] = defaultdict(set)
    for triple in parse(path=path, format=RdfFormat.RDF_XML):
        if (triple.subject, triple.predicate) in wanted and isinstance(triple.object, Literal):
            table[(triple.subject, triple.predicate)].add(triple.object)
    assert len(countries) >= 3
    for country, predicate in sorted(wanted, key=str):
        ours = set(reference.literals(country, predicate))
        assert ours, (country, predicate)
        assert ours <= table[(country, predicate)], (country, predicate)


def test_nuts_labels_are_those_of_the_nuts_2021_classification() -> None:
    path = shared_file("adibaba+LauNuts/src/main/resources/nuts-csv/nuts-2021.csv")
    with path.open(encoding="utf-8", newline="") as rows:
        names = {row[0]: name for row in csv.reader(rows) for name in row[1:5] if name}
    reference = vocabulary("reference.ttl")
    regions = sorted(
        s for s in reference.subjects(TYPE, CONCEPT) if isinstance(s, NamedNode) and s.value.startswith(NUTS)
    )
    assert len(regions) >= 10
    for region in regions:
        assert isinstance(region, NamedNode)
        assert reference.text(region, PREF_LABEL, "cs") == names[region.value.removeprefix(NUTS)]


def test_language_labels_are_those_of_the_eu_language_table() -> None:
    path = shared_file("geosolutions-it+ckanext-dcatapit/vocabularies/languages-filtered.rdf")
    reference = vocabulary("reference.ttl")
    table = Triples(parse(path=path, format=RdfFormat.RDF_XML))
    compared = 0
    for code in LANGUAGE_CODES.values():
        concept = NamedNode(AUTHORITY + "language/" + code)
        for tag in ("en", "de", "fr"):
            ours = reference.text(concept, PREF_LABEL, tag)
            if ours is not None:
                assert ours == table.text(concept, PREF_LABEL, tag), (code, tag)
                compared += 1
    assert compared >= 2 * len(LANGUAGE_CODES)


def test_record_identifier_pattern_admits_every_notation() -> None:
    """Concept IRIs are minted by Namespaces._id, which accepts only identifiers."""
    identifier = re.compile(IDENTIFIER_PATTERN)
    schemes = vocabulary("schemes.ttl")
    notations = [
        t.object.value
        for t in schemes.triples
        if t.predicate == NOTATION_PROPERTY and isinstance(t.object, Literal)
    ]
    assert len(notations) > 60
    assert [n for n in notations if not identifier.match(n)] == []
