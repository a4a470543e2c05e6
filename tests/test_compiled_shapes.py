"""loader/compiled_shapes.py against loader/validation.py (pySHACL): the same violations, message by message.

Valid sources (data/ and synthetic ones from bench/generate.py) conform under both. Then every
constraint of shapes/lodcat.ttl, each (shape, constraint component) pair and each sh:sparql constraint,
is broken by mutations of one sample source's mapped triples, derived from the shapes graph: both
validators must return the same non-empty list, holding the violation that shows the constraint fired.
test_every_constraint_is_broken fails when the shapes gain a constraint that no mutation breaks.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple
from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from bench.generate import generate
from loader import compiled_shapes, validation
from loader.errors import Violation
from loader.mapping import MappedSource
from loader.namespaces import DCTERMS, SKOS, Namespaces
from loader.settings import Settings
from loader.shape_queries import ShapeCompileError, compile_shapes
from tests.conftest import BASE
from tests.factories import mapped_source, sample_files

NS = Namespaces(BASE)
SETTINGS = Settings(base_iri=BASE)
SHAPES = validation.shapes_graph(SETTINGS.shapes_path, BASE)
SAMPLES = {path.name: mapped_source(path, BASE) for path in sample_files()}
NAMES = "class datatype nodeKind pattern in node or and not xone minCount maxCount uniqueLang hasValue"
NAMES += " minInclusive maxInclusive minExclusive maxExclusive minLength maxLength languageIn equals disjoint"
NAMES += " lessThan lessThanOrEquals closed qualifiedValueShape"
# Every core constraint parameter, and its component without "ConstraintComponent".
COMPONENTS: dict[Node, str] = {SH[name]: name[0].upper() + name[1:] for name in NAMES.split()}
Term = NamedNode | Literal
Key = tuple[str, ...]  # (shape, component) or (shape, "SPARQL", message)


def both(mapped: MappedSource) -> tuple[list[Violation], list[Violation]]:
    arguments = (mapped, SETTINGS.shapes_path, SETTINGS.ontology_path, NS)
    return compiled_shapes.validate(*arguments), validation.validate(*arguments)


def label(shape: Node) -> str:
    return validation.shape_name(SHAPES, shape, NS).replace(BASE + "shapes#", "")


def message(shape: Node) -> str:
    return sorted(str(text) for text in SHAPES.objects(shape, SH.message))[0]


def constraints() -> set[Key]:
    """Every (shape, component) pair of the shapes that a target reaches, and every sh:sparql."""
    found: set[Key] = set()

    def visit(shape: Node, name: str) -> None:
        found.update((name, COMPONENTS[p]) for p in SHAPES.predicates(shape) if p in COMPONENTS)
        found.update(
            (name, "SPARQL", str(SHAPES.value(c, SH.message))) for c in SHAPES.objects(shape, SH.sparql)
        )
        for child in [*SHAPES.objects(shape, SH.property), *SHAPES.objects(shape, SH.node)]:
            visit(child, label(child))
        for head in SHAPES.objects(shape, SH["or"]):
            for index, member in enumerate(Collection(SHAPES, head)):
                visit(member, f"{name} sh:or[{index}]")

    for shape in set(SHAPES.subjects(SH.targetClass, None)):
        visit(shape, label(shape))
    return found


# -- mutations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    name: str
    seed: str  # a file of data/
    change: Callable[[MappedSource], None]
    covers: frozenset[Key]  # the constraints it breaks (when `expect` is reported)
    expect: tuple[str, str] | None  # (shape, message pattern) of the violation that shows it
    touches: tuple[str, str] = ("", "")  # the node and property it changes, if only those

    def __str__(self) -> str:
        return self.name


def set_values(subject: NamedNode, predicate: NamedNode, *values: Term) -> Callable[[MappedSource], None]:
    def change(mapped: MappedSource) -> None:
        kept = [t for t in mapped.triples if not (t.subject == subject and t.predicate == predicate)]
        mapped.triples[:] = kept + [Triple(subject, predicate, value) for value in values]

    return change


def objects(seed: str, subject: NamedNode, predicate: NamedNode) -> list[Term]:
    found = [t.object for t in SAMPLES[seed].triples if t.subject == subject and t.predicate == predicate]
    return [value for value in found if isinstance(value, (NamedNode, Literal))]


def seeds(target: Node, path: URIRef | None) -> tuple[str, NamedNode]:
    """A sample file and a focus node of class `target`, one with a value for `path` if there is one."""
    typed = Triple(NamedNode("urn:focus"), NamedNode(str(RDF.type)), NamedNode(str(target)))
    found = [
        (name, t.subject) for name, mapped in sorted(SAMPLES.items()) for t in mapped.triples
        if (t.predicate, t.object) == (typed.predicate, typed.object) and isinstance(t.subject, NamedNode)
    ]  # fmt: skip
    with_value = [
        (name, focus) for name, focus in found if path and objects(name, focus, NamedNode(str(path)))
    ]
    return (with_value or found)[0]


def fresh(name: str) -> NamedNode:
    return NamedNode(f"{BASE}id/mutated/{name}")


def other(value: Term, index: int) -> Term:
    """Another value of the same kind as `value`."""
    if isinstance(value, NamedNode):
        return NamedNode(f"{value.value}-{index}")
    if value.language:
        return Literal(f"{value.value} {index}", language=value.language)
    if value.datatype.value in (XSD.decimal, XSD.integer):
        return Literal(str(Decimal(value.value) + index), datatype=value.datatype)
    return Literal(f"{value.value}{index}", datatype=value.datatype)


def failing(pattern: str, flags: str, candidates: list[Term]) -> Term:
    """The first candidate that pySHACL's sh:pattern (Python's re.search) does not match."""
    compiled = re.compile(pattern, re.I if "i" in flags else 0)
    return next(value for value in candidates if not compiled.search(value.value))


def node_values(shape: Node) -> Iterator[tuple[Term, frozenset[Key]]]:
    """Values that do not conform to `shape` (sh:node), with the nested constraints each breaks."""
    for head in SHAPES.objects(shape, SH["or"]):
        members = list(Collection(SHAPES, head))
        values = [Literal("mutated", datatype=NamedNode(str(SHAPES.value(m, SH.datatype)))) for m in members]
        for value in [*values, Literal("2009-05-01T08:00:00", datatype=NamedNode(str(XSD.dateTime)))]:
            broken = {(label(shape), "Or")}
            for index, member in enumerate(members):
                read = RdfLiteral(value.value, datatype=URIRef(value.datatype.value))
                if str(SHAPES.value(member, SH.datatype)) != value.datatype.value or read.ill_typed:
                    broken.add((f"{label(shape)} sh:or[{index}]", "Datatype"))
                if not re.search(str(SHAPES.value(member, SH.pattern)), str(read)):
                    broken.add((f"{label(shape)} sh:or[{index}]", "Pattern"))
            yield value, frozenset(broken)
    scheme = {
        (label(p), "HasValue") for p in SHAPES.objects(shape, SH.property) if SHAPES.value(p, SH.hasValue)
    }
    if scheme:
        yield fresh("concept"), frozenset(scheme)


def derived(shape: Node, target: Node) -> Iterator[Mutation]:
    """Mutations that break each constraint of the property shape `shape` on a node of class `target`."""
    path = SHAPES.value(shape, SH.path)
    assert isinstance(path, URIRef), f"{label(shape)}: only IRI paths are mutated here"
    seed, focus = seeds(target, path)
    predicate, name = NamedNode(str(path)), f"{str(target).split('#')[-1]}.{label(shape).split()[-1]}"
    existing = objects(seed, focus, predicate)
    first = existing[0] if existing else fresh("value")

    def mutation(component: str, values: list[Term], covers: set[Key] | None = None) -> Mutation:
        keys = frozenset(covers or {(label(shape), component)})
        expect = (validation.shape_name(SHAPES, shape, NS), re.escape(message(shape)))
        change = set_values(focus, predicate, *values)
        return Mutation(f"{name}-{component}", seed, change, keys, expect, (focus.value, predicate.value))

    for parameter in sorted(set(SHAPES.predicates(shape)) & set(COMPONENTS), key=str):
        component, value = COMPONENTS[parameter], SHAPES.value(shape, parameter)
        if component == "MinCount":
            yield mutation(component, [])
        elif component == "MaxCount":
            assert isinstance(value, RdfLiteral)
            yield mutation(component, [*existing, *(other(first, i) for i in range(1, int(value) + 2))])
        elif component == "UniqueLang":
            tagged = first if isinstance(first, Literal) and first.language else Literal("x", language="cs")
            yield mutation(component, [*existing, Literal("mutated", language=tagged.language)])
        elif component == "Datatype" and value in (RDF.langString, XSD.string):
            text = Literal("mutated") if value == RDF.langString else Literal("mutated", language="en")
            yield mutation(component, [text])
        elif component == "Datatype":  # not a literal of the datatype, and ill-typed for it
            yield mutation(component, [Literal("mutated")])
            ill_typed = mutation(component, [Literal("mutated", datatype=NamedNode(str(value)))])
            yield dataclasses.replace(ill_typed, name=f"{name}-{component}-ill-typed")
        elif component == "NodeKind":
            yield mutation(component, [Literal(first.value)])
        elif component == "Pattern":
            flags = str(SHAPES.value(shape, SH.flags) or "")
            candidates: list[Term] = [other(first, 0), NamedNode("ftp://example.org/mutated")]
            if isinstance(first, Literal):
                candidates = [Literal(f"{first.value}~", datatype=first.datatype), Literal("~")]
            yield mutation(component, [failing(str(value), flags, candidates)])
        elif component == "Class":
            yield mutation(component, [fresh("not-an-instance")])
        elif component == "In":
            yield mutation(component, [Literal("mutated")])
        elif component in ("MinInclusive", "MaxInclusive"):
            bound = Decimal(str(value)) + (-1 if component == "MinInclusive" else 1)
            datatype = first.datatype if isinstance(first, Literal) else NamedNode(str(XSD.decimal))
            yield mutation(component, [Literal(str(bound), datatype=datatype)])
        elif component == "Node":
            assert value is not None
            for index, (broken, nested) in enumerate(node_values(value)):
                yield dataclasses.replace(mutation(component, [broken], {(label(shape), "Node"), *nested}),
                                          name=f"{name}-Node-{index}")  # fmt: skip


def sparql(template: str, seed: str, change: Callable[[MappedSource], None], name: str) -> Mutation:
    """A mutation that breaks the SPARQL constraint of ProjectShape or FundingShape with `template`."""
    shape = next(s for s in SHAPES.subjects(SH.sparql, None) for c in SHAPES.objects(s, SH.sparql)
                 if str(SHAPES.value(c, SH.message)) == template)  # fmt: skip
    expected = ".+".join(re.escape(part) for part in re.split(r"\{[?$]\w+\}", template))
    return Mutation(
        name, seed, change, frozenset({(label(shape), "SPARQL", template)}), (str(shape), expected)
    )


def typed(value: str, datatype: str) -> Literal:
    return Literal(value, datatype=NamedNode(XSD + datatype))


PROJECT = NS.project("odborna-partnerstvi-stredocesky-kraj")  # data/seed-004: day start, month end
STREDOCESKY = "seed-004-odborna-partnerstvi-stredocesky.json"
FUNDING = NS.part("vzdelani-pracovniku-socialni-sluzby", "funding", "total")  # data/seed-001: amount, CZK
VZDELANI = "seed-001-vzdelani-pracovniku.json"
START, AMOUNT, TITLE = NS.term("startDate"), NS.term("amount"), NamedNode(DCTERMS + "title")
END_BEFORE_START = "end date {?end} is before start date {?start}"


def changes(*steps: Callable[[MappedSource], None]) -> Callable[[MappedSource], None]:
    def change(mapped: MappedSource) -> None:
        for step in steps:
            step(mapped)

    return change


def renamed(old: NamedNode, new: NamedNode) -> Callable[[MappedSource], None]:
    def change(mapped: MappedSource) -> None:
        mapped.triples[:] = [
            Triple(new if t.subject == old else t.subject, t.predicate, new if t.object == old else t.object)
            for t in mapped.triples
        ]
        mapped.records[new.value] = mapped.records.pop(old.value)

    return change


def sparql_mutations() -> Iterator[Mutation]:
    start, end = NS.term("startDate"), NS.term("endDate")
    for precision, (first, last) in {
        "day": (typed("2009-05-01", "date"), typed("2009-04-30", "date")),
        "month": (typed("2011-07", "gYearMonth"), typed("2011-06", "gYearMonth")),
        "year": (typed("2017", "gYear"), typed("2016", "gYear")),
        "day-month": (typed("2011-07-15", "date"), typed("2011-06", "gYearMonth")),
        "year-day": (typed("2012", "gYear"), typed("2011-12-31", "date")),
    }.items():
        change = changes(set_values(PROJECT, start, first), set_values(PROJECT, end, last))
        yield sparql(END_BEFORE_START, STREDOCESKY, change, f"end-before-start-{precision}")
    mention = "target group {?concept} has no target-group mention with the source's words"
    concepts = [
        *objects(STREDOCESKY, PROJECT, NS.term("targetGroup")),
        NS.concept("target-group", "ngo-staff"),
    ]
    yield sparql(mention, STREDOCESKY, set_values(PROJECT, NS.term("targetGroup"), *concepts), "target-group")
    iri = "project IRI <{$this}> must be the base IRI, id/project/ and the project id"
    yield sparql(
        iri, STREDOCESKY, renamed(PROJECT, NamedNode("http://elsewhere.example/id/project/x")), "iri"
    )
    no_amount = changes(
        set_values(FUNDING, NS.term("amount")), set_values(FUNDING, NS.term("coFinancingRate"))
    )
    yield sparql("funding needs an amount, a rate or both", VZDELANI, no_amount, "no-amount-no-rate")
    currency = "amount {?amount} has no currency; add a note saying why the currency is unknown"
    no_currency = changes(
        set_values(FUNDING, NS.term("currency")), set_values(FUNDING, NamedNode(SKOS + "note"))
    )
    yield sparql(currency, VZDELANI, no_currency, "no-currency")


def stable(shape: Node) -> tuple[str, str]:
    """A key that sorts shapes alike in every run (blank-node labels change from one parse to the next)."""
    return label(shape), message(shape)


def mutations() -> list[Mutation]:
    """Those of the SPARQL constraints, then of each property shape (once, under the first node shape
    that uses it), with one value per shape that sh:node names after the first time (pySHACL is slow)."""
    found, seen, named = list(sparql_mutations()), set[Node](), set[Node]()
    for shape, target in sorted(SHAPES.subject_objects(SH.targetClass), key=str):
        for child in sorted(set(SHAPES.objects(shape, SH.property)) - seen, key=stable):
            seen.add(child)
            for mutation in derived(child, target):
                node = SHAPES.value(child, SH.node)
                if not mutation.name.endswith("Node-0") and node in named:
                    continue
                found.append(mutation)
            named.update(SHAPES.objects(child, SH.node))
    return found


# Where rdflib, and so pySHACL, departs from the lexical forms Oxigraph keeps (loader/compiled_shapes.py).
QUIRKS = [
    Mutation(name, seed, change, frozenset(), None)
    for name, seed, change in [
        ("decimal-quantity-2.0", STREDOCESKY,
         set_values(NS.part("odborna-partnerstvi-stredocesky-kraj", "output", "project-plans"),
                    NS.term("quantity"), typed("2.0", "decimal"))),
        ("amount-1e5", VZDELANI, set_values(FUNDING, AMOUNT, typed("1e5", "decimal"))),
        ("amount-as-duration", VZDELANI, set_values(FUNDING, AMOUNT, typed("P1Y", "yearMonthDuration"))),
        ("start-with-time-zone", STREDOCESKY, set_values(PROJECT, START, typed("2009-06-01Z", "date"))),
        ("start-month-13", STREDOCESKY, set_values(PROJECT, START, typed("2009-13", "gYearMonth"))),
        ("company-number-newline", "seed-002-komunitni-planovani-zlin.json",
         set_values(NS.organisation("cz-zlinsky-kraj"), NS.term("companyNumber"), Literal("70891320\n"))),
        ("title-in-upper-case-language", STREDOCESKY,
         set_values(PROJECT, TITLE, Literal("a", language="cs"), Literal("b", language="CS"))),
    ]
]  # fmt: skip
MUTATIONS = mutations()


def graphs(found: list[Mutation]) -> list[tuple[Mutation, ...]]:
    """The mutations, two to a graph where they change different nodes of one seed (pySHACL needs 0.2 s
    or more per graph): each must still show its own violation, and the two lists must still be equal."""
    batches: list[tuple[Mutation, ...]] = [(mutation,) for mutation in found if not mutation.touches[0]]
    for seed in sorted({mutation.seed for mutation in found}):
        alike = sorted((m for m in found if m.seed == seed and m.touches[0]), key=lambda m: m.touches)
        firsts, seconds = alike[: (len(alike) + 1) // 2], alike[(len(alike) + 1) // 2 :]
        for first, second in zip(firsts, [*seconds, None][: len(firsts)], strict=True):
            if second is not None and first.touches[0] != second.touches[0]:
                batches.append((first, second))
            else:
                batches += [(first,), *([(second,)] if second else [])]
    return batches


# -- the tests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_source_conforms_in_both(name: str) -> None:
    assert both(SAMPLES[name]) == ([], [])


def test_synthetic_sources_conform_in_both(tmp_path: Path) -> None:
    for path in generate(projects=4, out=tmp_path, per_file=2, seed=11):
        assert both(mapped_source(path, BASE)) == ([], []), path.name


def mutated(*mutations: Mutation) -> MappedSource:
    """The seed of `mutations` (the same for all), changed by each."""
    seed = SAMPLES[mutations[0].seed]
    mapped = dataclasses.replace(seed, triples=list(seed.triples), records=dict(seed.records))
    for mutation in mutations:
        mutation.change(mapped)
    return mapped


@pytest.mark.parametrize("mutations", graphs(MUTATIONS), ids=lambda batch: " + ".join(map(str, batch)))
def test_broken_constraints_are_reported_alike(mutations: tuple[Mutation, ...]) -> None:
    compiled, reference = both(mutated(*mutations))
    assert compiled == reference
    for mutation in mutations:
        assert mutation.expect is not None
        shape, expected = mutation.expect
        assert any(v.shape == shape and re.match(expected, v.message) for v in compiled), (mutation, compiled)


@pytest.mark.parametrize("mutation", QUIRKS, ids=str)
def test_rdflib_reading_of_literals_is_kept(mutation: Mutation) -> None:
    compiled, reference = both(mutated(mutation))
    assert compiled == reference


def test_every_constraint_is_broken() -> None:
    covered = {key for mutation in MUTATIONS for key in mutation.covers}
    assert sorted(constraints() - covered) == []


REFUSED: dict[str, tuple[str, URIRef, Node | str, str]] = {
    "sh:minLength": ("TitleIsTagged", SH.minLength, RdfLiteral(3), "minLength: not supported"),
    "sh:targetNode": ("PlaceShape", SH.targetNode, URIRef(BASE), "targetNode: not supported"),
    "sequence path": ("PlaceShape", SH.path, BNode(), "sh:path is not an IRI"),
    "nested $this": ("PlaceShape", SH.sparql, "OPTIONAL { ?x a ?t FILTER(?x = $this) }", "nested group"),
    "MINUS": ("PlaceShape", SH.sparql, "$this a ?type MINUS { $this a ?type }", "uses MINUS"),
    "recursion": ("StatusConcept", SH.node, URIRef(BASE + "shapes#StatusConcept"), "recursive"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_is_not_compiled_is_refused_when_the_shapes_are_loaded(name: str) -> None:
    shape, parameter, value, problem = REFUSED[name]
    shapes, node = SHAPES + SHAPES, URIRef(f"{BASE}shapes#{shape}")  # a copy of the shapes
    if isinstance(value, Node):
        shapes.add((node, parameter, value))
    else:  # a SPARQL constraint with this WHERE group
        constraint = URIRef(f"{BASE}shapes#{shape}-query")
        shapes.add((node, SH.sparql, constraint))
        shapes.add((constraint, SH.select, RdfLiteral(f"SELECT $this WHERE {{ {value} }}")))
        shapes.add((constraint, SH.message, RdfLiteral("a message")))
    with pytest.raises(ShapeCompileError, match=re.escape(problem)):
        compile_shapes(shapes, NS)
