"""The lodcat vocabulary documented for people: one HTML page at the ontology IRI.

`GET {base}ontology` when Accept prefers HTML (a browser), and `GET {base}ontology.html`, answer a page
generated from what lodcat publishes and enforces:

- the ontology graph `{base}graph/ontology` (ontology/lodcat.ttl): classes, properties with their domains
  and ranges, datatypes and the other terms, each in a section whose id is the term's local name, so the
  hash IRI `{base}ontology#Project` lands on the section of lodcat:Project;
- the SHACL shapes (shapes/lodcat.ttl, resolved against the base IRI as loader/validation.py does): per
  class the rules of its node shape, per property every rule on it (cardinality, datatype, pattern,
  allowed concept scheme...), each with the sh:message a refused record reports;
- the concept schemes of `{base}graph/schemes` (ontology/schemes.ttl) with their concepts;
- for each class, one instance from the store as Turtle.

The other representations of the ontology (Turtle, N-Triples, JSON-LD, RDF/XML) belong to
api/resources.py: `/ontology` hands every format but HTML to `resources.ontology`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, RdfFormat, Triple, parse

from api import resources
from api.deps import NamespacesDep, SettingsDep, StoreDep
from api.errors import NotFound
from api.negotiation import DOCUMENT, GRAPH, HTML, TURTLE, VARY, negotiate, rdf_prefixes, write_graph
from loader.namespaces import DCTERMS, OWL, QB, RDF, RDFS, SCHEMA, SH, SKOS, Namespaces
from loader.store import LodStore

router = APIRouter(tags=["linked data"])

Subject = NamedNode | BlankNode | Triple
Node = NamedNode | BlankNode | Literal | Triple

CLASS_TYPES = (OWL + "Class", RDFS + "Class")
PROPERTY_TYPES = (
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
    QB + "DimensionProperty",
    QB + "MeasureProperty",
    QB + "AttributeProperty",
)
DATATYPE_TYPES = (RDFS + "Datatype",)
LANGUAGES = ("en", "", "cs")  # English first, then untagged, then Czech, then the others
# Predicates that have their own place on the page; every other statement is listed as it is.
SHOWN = {
    RDF + "type",
    RDFS + "label",
    RDFS + "comment",
    RDFS + "isDefinedBy",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
    RDFS + "domain",
    RDFS + "range",
    SCHEMA + "domainIncludes",
    SCHEMA + "rangeIncludes",
    QB + "codeList",
}
CONCEPT_SHOWN = {
    RDF + "type",
    SKOS + "inScheme",
    SKOS + "topConceptOf",
    SKOS + "notation",
    SKOS + "prefLabel",
    SKOS + "definition",
}
EXTRA_PREFIXES = {
    "vann": "http://purl.org/vocab/vann/",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
}


# -- a small graph to walk ------------------------------------------------------------------------------


class Index:
    """Triples by subject and predicate, for walking a small graph (the ontology, the shapes)."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.statements: dict[Subject, dict[str, list[Node]]] = {}
        for triple in triples:
            by_predicate = self.statements.setdefault(triple.subject, {})
            by_predicate.setdefault(triple.predicate.value, []).append(triple.object)

    def objects(self, subject: Node, predicate: str) -> list[Node]:
        if isinstance(subject, Literal):
            return []
        return self.statements.get(subject, {}).get(predicate, [])

    def one(self, subject: Node, predicate: str) -> Node | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: str, value: Node | None = None) -> list[Subject]:
        """Subjects with `predicate` (and `value`, if given), sorted by their N-Triples form."""
        return sorted(
            (
                subject
                for subject, by_predicate in self.statements.items()
                if predicate in by_predicate and (value is None or value in by_predicate[predicate])
            ),
            key=str,
        )

    def members(self, head: Node | None) -> list[Node]:
        """The members of the RDF list starting at `head`."""
        found: list[Node] = []
        while isinstance(head, BlankNode) and len(found) < 10_000:
            first = self.one(head, RDF + "first")
            if first is not None:
                found.append(first)
            head = self.one(head, RDF + "rest")
        return found


@lru_cache(maxsize=8)
def _shapes(path: Path, base_iri: str, mtime: float) -> Index:
    triples = parse(path=path, format=RdfFormat.TURTLE, base_iri=base_iri)
    return Index(Triple(t.subject, t.predicate, t.object) for t in triples)


def shapes_index(path: Path, base_iri: str) -> Index:
    """The shapes file, relative IRIs resolved against `base_iri` (parsed again when the file changes)."""
    return _shapes(path, base_iri, path.stat().st_mtime)


def _best(literals: Iterable[Node]) -> Literal | None:
    """The literal in the preferred language (LANGUAGES), else the first by language and text."""
    texts = [literal for literal in literals if isinstance(literal, Literal)]

    def rank(literal: Literal) -> tuple[int, str, str]:
        language = literal.language or ""
        order = LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES)
        return order, language, literal.value

    return min(texts, key=rank) if texts else None


def _value(node: Node) -> str:
    """The IRI, text or blank-node label of `node`."""
    return str(node) if isinstance(node, Triple) else node.value


def _integer(node: Node | None) -> int | None:
    return int(node.value) if isinstance(node, Literal) and node.value.isdigit() else None


# -- what the page shows --------------------------------------------------------------------------------


@dataclass
class Item:
    """One value as shown: text, a link, the language of a literal, a note in code (a pattern)."""

    text: str
    href: str | None = None
    iri: str | None = None  # the IRI an item names, shown on hover
    language: str | None = None
    note: str | None = None


@dataclass
class Fact:
    """A named list of values: a statement about a term, or one requirement of a property shape."""

    name: str
    items: list[Item]


@dataclass
class Rule:
    """One property shape: the path it constrains, what it requires, and the message a violation reports."""

    path: Item
    path_iri: str | None
    constraints: list[Fact]
    message: str
    shape: Item | None  # the named shape, e.g. shape:StartDateType; None for a blank one
    targets: list[Item] = field(default_factory=list)  # the classes whose node shapes use it


@dataclass
class Example:
    iri: str
    href: str
    turtle: str


@dataclass
class Term:
    """One section of the page: a class, property, datatype or other term of the vocabulary."""

    iri: str
    anchor: str
    compact: str
    label: str
    comment: str | None
    translations: list[Item]
    facts: list[Fact]
    rules: list[Rule] = field(default_factory=list)
    sparql: list[str] = field(default_factory=list)  # messages of the node shape's SPARQL constraints
    shapes: list[Item] = field(default_factory=list)
    example: Example | None = None


@dataclass
class Concept:
    iri: str
    href: str
    notation: str
    labels: list[Item]
    definition: str | None
    facts: list[Fact]


@dataclass
class Scheme:
    iri: str
    anchor: str
    label: str
    definition: str | None
    used_by: list[Item]
    concepts: list[Concept]


@dataclass
class Vocabulary:
    iri: str
    title: str
    description: str | None
    facts: list[Fact]
    classes: list[Term]
    properties: list[Term]
    datatypes: list[Term]
    others: list[Term]
    foreign: list[Term]  # shapes of classes from other vocabularies (schema:PostalAddress)
    schemes: list[Scheme]
    alternates: list[resources.Alternate]


class Names:
    """Texts and links for the IRIs on the page: terms link to their section, the rest to themselves."""

    def __init__(self, ns: Namespaces, ontology: Index, schemes: Index) -> None:
        self.ns = ns
        self.ontology = ontology
        self.schemes = schemes
        self.prefixes = {**rdf_prefixes(ns), **EXTRA_PREFIXES, "shape": ns.base + "shapes#"}
        self.scheme_iris = {
            _value(s) for s in schemes.subjects(RDF + "type", NamedNode(SKOS + "ConceptScheme"))
        }

    def compact(self, iri: str) -> str:
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda item: -len(item[1])):
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and re.fullmatch(r"[A-Za-z0-9_-]+", local):
                return f"{prefix}:{local}"
        return iri

    def label(self, iri: str) -> str | None:
        node = NamedNode(iri)
        for index in (self.ontology, self.schemes):
            for predicate in (RDFS + "label", SKOS + "prefLabel", DCTERMS + "title"):
                best = _best(index.objects(node, predicate))
                if best is not None:
                    return best.value
        return None

    def anchor(self, iri: str) -> str | None:
        """The id of the section of `iri` on this page, if it has one."""
        if iri.startswith(self.ns.vocab) and NamedNode(iri) in self.ontology.statements:
            return iri[len(self.ns.vocab) :]
        if iri in self.scheme_iris:
            return "scheme-" + iri.rsplit("/", 1)[1]
        return None

    def item(self, node: Node) -> Item:
        if isinstance(node, NamedNode):
            anchor = self.anchor(node.value)
            if anchor is not None:
                text = self.label(node.value) if node.value in self.scheme_iris else None
                return Item(text or self.compact(node.value), "#" + anchor, node.value)
            # Shapes have IRIs ({base}shapes#...) but no page: they are named, not linked.
            shape = node.value.startswith(self.ns.base + "shapes#")
            href = None if shape else self.ns.document(node.value) or node.value
            return Item(self.label(node.value) or self.compact(node.value), href, node.value)
        if isinstance(node, Literal):
            return Item(node.value, language=node.language or None)
        return Item(str(node))

    def items(self, nodes: Iterable[Node]) -> list[Item]:
        return sorted((self.item(node) for node in nodes), key=lambda item: item.text.lower())

    def facts(self, index: Index, subject: Node, shown: set[str]) -> list[Fact]:
        """Every statement about `subject` whose predicate is not in `shown`, grouped by predicate."""
        if isinstance(subject, Literal):
            return []
        by_predicate = index.statements.get(subject, {})
        return [
            Fact(self.compact(predicate), self.items(values))
            for predicate, values in sorted(by_predicate.items(), key=lambda item: self.compact(item[0]))
            if predicate not in shown
        ]


# -- the SHACL rules ------------------------------------------------------------------------------------


def _cardinality(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"exactly {low}" if low == high else f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


BOUNDS = {
    SH + "minInclusive": "at least {}",
    SH + "maxInclusive": "at most {}",
    SH + "minExclusive": "more than {}",
    SH + "maxExclusive": "less than {}",
    SH + "minLength": "at least {} characters",
    SH + "maxLength": "at most {} characters",
}


def constraints(shapes: Index, shape: Node, names: Names) -> list[Fact]:
    """What the property shape (or sh:or member) `shape` requires, in words."""
    found: list[Fact] = []
    low, high = _integer(shapes.one(shape, SH + "minCount")), _integer(shapes.one(shape, SH + "maxCount"))
    if low is not None or high is not None:
        found.append(Fact("cardinality", [Item(_cardinality(low, high))]))
    for predicate, name in ((SH + "datatype", "datatype"), (SH + "class", "class")):
        if values := shapes.objects(shape, predicate):
            found.append(Fact(name, names.items(values)))
    for kind in shapes.objects(shape, SH + "nodeKind"):
        found.append(Fact("node kind", [Item(_value(kind).rsplit("#", 1)[-1])]))
    for pattern in shapes.objects(shape, SH + "pattern"):
        found.append(Fact("pattern", [Item("", note=_value(pattern))]))
    for predicate, words in BOUNDS.items():
        for bound in shapes.objects(shape, predicate):
            found.append(Fact("bound", [Item(words.format(_value(bound)))]))
    if any(_value(flag) == "true" for flag in shapes.objects(shape, SH + "uniqueLang")):
        found.append(Fact("languages", [Item("at most one text per language")]))
    for head in shapes.objects(shape, SH + "in"):
        found.append(Fact("one of", [names.item(value) for value in shapes.members(head)]))
    if required := shapes.objects(shape, SH + "hasValue"):
        found.append(Fact("has value", names.items(required)))
    for target in shapes.objects(shape, SH + "node"):
        found.extend(node_constraints(shapes, target, names))
    for alternatives in shapes.objects(shape, SH + "or"):
        found.append(Fact("one of", _alternatives(shapes, shapes.members(alternatives), names)))
    return found


def _alternatives(shapes: Index, members: list[Node], names: Names) -> list[Item]:
    """The members of an sh:or: `xsd:date` with its pattern as a note, and so on."""
    shown = []
    for member in members:
        parts = constraints(shapes, member, names)
        datatypes = [item for part in parts if part.name == "datatype" for item in part.items]
        patterns = [item.note for part in parts if part.name == "pattern" for item in part.items]
        text = ", ".join(item.text for item in datatypes) or "; ".join(
            f"{part.name} {' '.join(item.text for item in part.items)}" for part in parts
        )
        href = datatypes[0].href if datatypes else None
        shown.append(Item(text, href, note=" ".join(note for note in patterns if note) or None))
    return shown


def node_constraints(shapes: Index, target: Node, names: Names) -> list[Fact]:
    """What sh:node `target` means: membership of a concept scheme, an sh:or of datatypes, or the shape."""
    found: list[Fact] = []
    for inner in shapes.objects(target, SH + "property"):
        path = shapes.one(inner, SH + "path")
        if isinstance(path, NamedNode) and path.value == SKOS + "inScheme":
            found.append(Fact("concept scheme", names.items(shapes.objects(inner, SH + "hasValue"))))
    for alternatives in shapes.objects(target, SH + "or"):
        found.append(Fact("one of", _alternatives(shapes, shapes.members(alternatives), names)))
    if not found:
        found.append(Fact("shape", [names.item(target)]))
    return found


def _message(shapes: Index, shape: Node) -> str:
    best = _best(shapes.objects(shape, SH + "message"))
    return best.value if best is not None else ""


@dataclass
class ShapeRules:
    """The rules of the shapes that target classes: per property shape, per class, per property."""

    rules: list[Rule]
    by_class: dict[str, list[Rule]]
    sparql: dict[str, list[str]]
    shape_names: dict[str, list[Item]]

    def for_property(self, iri: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.path_iri == iri]


def shape_rules(shapes: Index, names: Names) -> ShapeRules:
    """Every property shape used by a node shape with sh:targetClass, once, with the classes it applies to."""
    rules: dict[Node, Rule] = {}
    by_class: dict[str, list[Rule]] = {}
    sparql: dict[str, list[str]] = {}
    shape_names: dict[str, list[Item]] = {}
    for node_shape in shapes.subjects(SH + "targetClass"):
        targets = [t for t in shapes.objects(node_shape, SH + "targetClass") if isinstance(t, NamedNode)]
        for target in targets:
            shape_names.setdefault(target.value, []).append(names.item(node_shape))
            sparql.setdefault(target.value, []).extend(
                _message(shapes, constraint) for constraint in shapes.objects(node_shape, SH + "sparql")
            )
        for property_shape in shapes.objects(node_shape, SH + "property"):
            rule = rules.get(property_shape)
            if rule is None:
                path = shapes.one(property_shape, SH + "path")
                rule = Rule(
                    names.item(path) if path is not None else Item("(no path)"),
                    path.value if isinstance(path, NamedNode) else None,
                    constraints(shapes, property_shape, names),
                    _message(shapes, property_shape),
                    names.item(property_shape) if isinstance(property_shape, NamedNode) else None,
                )
                rules[property_shape] = rule
            for target in targets:
                rule.targets.append(names.item(target))
                by_class.setdefault(target.value, []).append(rule)
    return ShapeRules(list(rules.values()), by_class, sparql, shape_names)


# -- examples from the store ----------------------------------------------------------------------------


def example(store: LodStore, ns: Namespaces, cls: str) -> Example | None:
    """The first instance of `cls` (by IRI) with its own statements as Turtle, or None if there is none."""
    result = store.query(f"SELECT ?s WHERE {{ ?s a <{cls}> FILTER(isIRI(?s)) }} ORDER BY STR(?s) LIMIT 1")
    assert isinstance(result, QuerySolutions)
    instances = [row["s"] for row in result]
    if not instances or not isinstance(instances[0], NamedNode):
        return None
    instance = instances[0]
    rows = store.query(f"SELECT DISTINCT ?p ?o WHERE {{ <{instance.value}> ?p ?o }}")
    assert isinstance(rows, QuerySolutions)
    triples = sorted(
        (Triple(instance, row["p"], row["o"]) for row in rows),
        key=lambda t: (str(t.predicate), str(t.object)),
    )
    turtle = write_graph(triples, TURTLE, ns).decode("utf-8")
    return Example(instance.value, ns.document(instance.value) or instance.value, turtle)


# -- the page -------------------------------------------------------------------------------------------


def _kinds(index: Index, iri: NamedNode) -> set[str]:
    return {_value(kind) for kind in index.objects(iri, RDF + "type")}


def _term(index: Index, names: Names, iri: NamedNode, facts: list[Fact]) -> Term:
    labels = [label for label in index.objects(iri, RDFS + "label") if isinstance(label, Literal)]
    best = _best(labels)
    comment = _best(index.objects(iri, RDFS + "comment"))
    anchor = iri.value[len(names.ns.vocab) :]
    return Term(
        iri.value,
        anchor,
        names.compact(iri.value),
        best.value if best is not None else anchor,
        comment.value if comment is not None else None,
        [Item(label.value, language=label.language) for label in labels if label != best],
        [fact for fact in facts if fact.items] + names.facts(index, iri, SHOWN),
    )


def _users(index: Index, names: Names, predicates: tuple[str, ...], iri: NamedNode) -> list[Item]:
    return names.items({subject for p in predicates for subject in index.subjects(p, iri)})


def vocabulary(store: LodStore, shapes_path: Path, ns: Namespaces) -> Vocabulary:
    """The page's content from the ontology and schemes graphs, the shapes file and the store's instances.

    Raises NotFound if the ontology graph is empty (nothing loaded). Reads the store; changes nothing.
    """
    graph = ns.graph("ontology")
    ontology = Index(store.graph_triples(graph))
    if not ontology.statements:
        raise NotFound(
            f"Nothing in the store describes <{ns.ontology.value}>: the graph <{graph.value}> is empty"
        )
    schemes = Index(store.graph_triples(ns.graph("schemes")))
    shapes = shapes_index(shapes_path, ns.base)
    names = Names(ns, ontology, schemes)
    rules = shape_rules(shapes, names)

    classes, properties, datatypes, others = [], [], [], []
    terms = [
        s
        for s in ontology.subjects(RDF + "type")
        if isinstance(s, NamedNode) and s.value.startswith(ns.vocab)
    ]
    for iri in terms:
        kinds = _kinds(ontology, iri)
        if kinds & set(CLASS_TYPES):
            term = _term(
                ontology,
                names,
                iri,
                [
                    Fact("subclass of", names.items(ontology.objects(iri, RDFS + "subClassOf"))),
                    Fact("subclasses", _users(ontology, names, (RDFS + "subClassOf",), iri)),
                    Fact(
                        "properties",
                        _users(ontology, names, (RDFS + "domain", SCHEMA + "domainIncludes"), iri),
                    ),
                    Fact(
                        "value of",
                        _users(ontology, names, (RDFS + "range", SCHEMA + "rangeIncludes"), iri),
                    ),
                ],
            )
            term.rules = rules.by_class.get(iri.value, [])
            term.sparql = [message for message in rules.sparql.get(iri.value, []) if message]
            term.shapes = rules.shape_names.get(iri.value, [])
            term.example = example(store, ns, iri.value)
            classes.append(term)
        elif kinds & set(PROPERTY_TYPES):
            term = _term(
                ontology,
                names,
                iri,
                [
                    Fact("kind", names.items(ontology.objects(iri, RDF + "type"))),
                    Fact("subproperty of", names.items(ontology.objects(iri, RDFS + "subPropertyOf"))),
                    Fact("domain", names.items(ontology.objects(iri, RDFS + "domain"))),
                    Fact("domain includes", names.items(ontology.objects(iri, SCHEMA + "domainIncludes"))),
                    Fact("range", names.items(ontology.objects(iri, RDFS + "range"))),
                    Fact("range includes", names.items(ontology.objects(iri, SCHEMA + "rangeIncludes"))),
                    Fact("code list", names.items(ontology.objects(iri, QB + "codeList"))),
                ],
            )
            term.rules = rules.for_property(iri.value)
            properties.append(term)
        elif kinds & set(DATATYPE_TYPES):
            datatypes.append(_term(ontology, names, iri, []))
        else:
            others.append(
                _term(ontology, names, iri, [Fact("type", names.items(ontology.objects(iri, RDF + "type")))])
            )

    foreign = []
    for target, target_rules in rules.by_class.items():
        if not target.startswith(ns.vocab):
            term = Term(
                target,
                "shape-" + re.sub(r"[^A-Za-z0-9_-]", "-", names.compact(target)),
                names.compact(target),
                names.label(target) or names.compact(target),
                None,
                [],
                [],
            )
            term.rules = target_rules
            term.sparql = [message for message in rules.sparql.get(target, []) if message]
            term.shapes = rules.shape_names.get(target, [])
            term.example = example(store, ns, target)
            foreign.append(term)

    title = _best(ontology.objects(ns.ontology, DCTERMS + "title"))
    description = _best(ontology.objects(ns.ontology, DCTERMS + "description"))
    return Vocabulary(
        ns.ontology.value,
        title.value if title is not None else "lodcat vocabulary",
        description.value if description is not None else None,
        names.facts(
            ontology, ns.ontology, {RDF + "type", RDFS + "label", DCTERMS + "title", DCTERMS + "description"}
        ),
        sorted(classes, key=lambda term: term.anchor.lower()),
        sorted(properties, key=lambda term: term.anchor.lower()),
        sorted(datatypes, key=lambda term: term.anchor.lower()),
        sorted(others, key=lambda term: term.anchor.lower()),
        foreign,
        concept_schemes(schemes, names, rules),
        resources.alternates(ns.ontology.value, GRAPH),
    )


def concept_schemes(schemes: Index, names: Names, rules: ShapeRules) -> list[Scheme]:
    """The SKOS concept schemes with their concepts (by notation) and the properties whose values they are."""
    used: dict[str, dict[str, Item]] = {}
    for rule in rules.rules:
        for constraint in rule.constraints:
            if constraint.name == "concept scheme" and rule.path_iri is not None:
                for listed in constraint.items:
                    used.setdefault(listed.iri or "", {})[rule.path_iri] = rule.path
    for subject, by_predicate in names.ontology.statements.items():
        for code_list in by_predicate.get(QB + "codeList", []):
            if isinstance(subject, NamedNode):
                used.setdefault(_value(code_list), {})[subject.value] = names.item(subject)
    found: list[Scheme] = []
    for scheme in schemes.subjects(RDF + "type", NamedNode(SKOS + "ConceptScheme")):
        if not isinstance(scheme, NamedNode):
            continue
        concepts = []
        for concept in schemes.subjects(SKOS + "inScheme", scheme):
            if not isinstance(concept, NamedNode):
                continue
            notation = schemes.one(concept, SKOS + "notation")
            labels = [
                label for label in schemes.objects(concept, SKOS + "prefLabel") if isinstance(label, Literal)
            ]
            best = _best(labels)
            ordered = sorted(labels, key=lambda label: (label != best, label.language or "", label.value))
            definition = _best(schemes.objects(concept, SKOS + "definition"))
            concepts.append(
                Concept(
                    concept.value,
                    names.ns.document(concept.value) or concept.value,
                    _value(notation) if notation is not None else "",
                    [Item(label.value, language=label.language) for label in ordered],
                    definition.value if definition is not None else None,
                    names.facts(schemes, concept, CONCEPT_SHOWN),
                )
            )
        definition = _best(schemes.objects(scheme, SKOS + "definition"))
        anchor = names.anchor(scheme.value) or scheme.value
        found.append(
            Scheme(
                scheme.value,
                anchor,
                names.label(scheme.value) or scheme.value,
                definition.value if definition is not None else None,
                sorted(used.get(scheme.value, {}).values(), key=lambda item: item.text.lower()),
                sorted(concepts, key=lambda concept: concept.notation),
            )
        )
    return sorted(found, key=lambda scheme: scheme.anchor)


def render(page: Vocabulary) -> str:
    return resources.environment().get_template("vocabulary.html").render(page=page)


# -- routes ---------------------------------------------------------------------------------------------


@router.head("/ontology", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get("/ontology", include_in_schema=False)  # documented by api/resources.py, which serves the rest
def ontology(
    store: StoreDep, settings: SettingsDep, ns: NamespacesDep, accept: resources.AcceptHeader = None
) -> Response:
    """The vocabulary page when Accept prefers HTML; any other format from `resources.ontology`."""
    if negotiate(accept, DOCUMENT) is not HTML:
        return resources.ontology(store, ns, accept)
    page = render(vocabulary(store, settings.shapes_path, ns))
    return HTMLResponse(page, headers={**VARY, "Content-Location": f"{ns.ontology.value}.{HTML.suffix}"})


@router.head("/ontology.html", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get(
    "/ontology.html",
    summary="The lodcat vocabulary documented for people",
    response_class=HTMLResponse,
    responses={
        404: {"description": "The ontology is not loaded.", "content": {"application/problem+json": {}}}
    },
)
def ontology_page(store: StoreDep, settings: SettingsDep, ns: NamespacesDep) -> HTMLResponse:
    """Classes, properties with domains and ranges, the SHACL rules on each with their messages, the
    concept schemes with their concepts, and one instance of each class from the store as Turtle."""
    return HTMLResponse(render(vocabulary(store, settings.shapes_path, ns)))
