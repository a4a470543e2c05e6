"""Mapped triples + shapes/ -> list[Violation], by SPARQL queries compiled from the shapes, in pyoxigraph.

`validate` returns what loader.validation.validate (pySHACL) returns, at about a hundredth of its CPU:
the shapes are compiled once per process (loader/shape_queries.py), the vocabulary (ontology/*.ttl) is
read once, and each source is checked with one query per constraint in an in-memory store that holds
the source and the vocabulary for that call only (docs/benchmarks.md, "SHACL validation").

pySHACL sees rdflib terms, so the triples are read as rdflib reads them: each typed literal in rdflib's
normalised lexical form ("+.5"^^xsd:decimal is "0.5", "2009-05-01Z"^^xsd:date is "2009-05-01"),
ill-typed where rdflib cannot parse it, sh:pattern matched by Python's `re.search`, and literals
ordered by rdflib for sh:minInclusive and the like unless both are integers or decimals.

Where pySHACL departs from the SHACL spec, this module does as pySHACL does:
- sh:datatype: rdflib parses neither xsd:gYear nor xsd:gYearMonth, so "2011-13"^^xsd:gYearMonth is
  well-typed; it accepts what Python's `Decimal` and `int` accept ("1e5"^^xsd:decimal, " 5 "^^xsd:integer).
- sh:minInclusive and the like order literals of unrelated datatypes by datatype IRI, so "P1Y"^^
  xsd:yearMonthDuration passes sh:minInclusive 0 (the spec: not comparable, so a violation).
- sh:pattern: Python's `$` also matches before a final newline; the pattern sees the normalised form.
- sh:uniqueLang compares language tags without case.
- A node conforms to a shape of severity sh:Warning or sh:Info (pySHACL runs with allow_warnings).
- sh:sparql: the prefixes rdf, rdfs and owl are always declared; {$this} in a message is filled in only
  if the query selects $this; a row that binds none of $this, ?path and ?value is dropped, and a row
  that binds ?failure is a result.

Where this module differs from pySHACL (no lodcat shape or record meets these):
- Oxigraph stores one term per value of a typed literal: "2.0" and "2.00" (xsd:decimal) of one node
  count once for sh:maxCount (pySHACL: twice), and inside sh:sparql queries a typed literal has
  Oxigraph's canonical form (STR("85440.00"^^xsd:decimal) is "85440"). Messages show the source's form.
- {?var} in a message is replaced by the value as it is; pySHACL's `re.sub` reads backslashes in it as
  escapes. A range comparison that raises in rdflib ("NaN"^^xsd:decimal) is a violation here; pySHACL
  stops with the error. Blank nodes have other labels than rdflib gives them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    parse,
    serialize,
)
from pyoxigraph import Literal as OxLiteral
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from loader.errors import Violation
from loader.mapping import MappedSource
from loader.namespaces import RDF, XSD, Namespaces
from loader.shape_queries import IN_RANGE, MATCHES, WELL_TYPED, Check, compile_shapes
from loader.validation import known_class, result_message, shapes_graph, sorted_violations, violation

Term = NamedNode | BlankNode | OxLiteral
Lexical = dict[tuple[str, Hashable], str]  # (datatype, value) -> lexical form in rdflib
TYPE = NamedNode(RDF + "type")
UNTYPED = {XSD + "string", RDF + "langString"}  # literals that rdflib reads as written
TRUE, FALSE = (OxLiteral(text, datatype=NamedNode(XSD + "boolean")) for text in ("true", "false"))
# The Python type of the value of a literal that pySHACL accepts for these datatypes
# (DatatypeConstraintComponent._assert_actual_datatype); others need only be well-typed.
PYTHON_TYPES: dict[str, type] = {
    XSD + "integer": int,
    XSD + "float": float,
    XSD + "decimal": Decimal,
    XSD + "boolean": bool,
    XSD + "date": date,
    XSD + "time": time,
    XSD + "dateTime": datetime,
}
compare: Callable[[RdfLiteral, RdfLiteral], int] = compare_literal  # pySHACL's order of literals
ORDERS: dict[str, Callable[[int], bool]] = {
    ">=": lambda order: order >= 0,
    ">": lambda order: order > 0,
    "<=": lambda order: order <= 0,
    "<": lambda order: order < 0,
}


class Reading(NamedTuple):
    lexical: str  # rdflib's normalised lexical form
    key: Hashable  # equal for literals of one datatype and one value
    literal: RdfLiteral


@lru_cache(maxsize=1 << 16)
def reading(lexical: str, datatype: str) -> Reading:
    """How rdflib reads a typed literal."""
    literal = RdfLiteral(lexical, datatype=URIRef(datatype))
    key: Hashable = ("lexical", str(literal))
    if literal.value is not None and not literal.ill_typed:
        try:
            hash(literal.value)
        except TypeError:  # a signalling NaN
            pass
        else:
            key = literal.value
    return Reading(str(literal), key, literal)


def read(triples: Iterable[Triple]) -> tuple[list[Triple], list[Quad], Lexical]:
    """`triples` with their typed literals as rdflib reads them: those Store.load may take (it renames
    blank nodes), the others as quads, and the lexical forms of the typed literals."""
    lexical: Lexical = {}
    loaded, added = [], []
    for triple in triples:
        subject, obj = triple.subject, triple.object
        as_is = not isinstance(subject, BlankNode) and not isinstance(obj, BlankNode)
        if isinstance(obj, OxLiteral) and obj.datatype.value not in UNTYPED:
            literal = reading(obj.value, obj.datatype.value)
            lexical[(obj.datatype.value, literal.key)] = literal.lexical
            if literal.lexical != obj.value:
                obj, as_is = OxLiteral(literal.lexical, datatype=obj.datatype), False
        if as_is:
            loaded.append(triple)
        else:
            added.append(Quad(subject, triple.predicate, obj))
    return loaded, added, lexical


@lru_cache(maxsize=8)
def _vocabulary(files: tuple[tuple[Path, float], ...], base_iri: str) -> tuple[bytes, Lexical]:
    """ontology/*.ttl as N-Triples, read as rdflib reads it, and the lexical forms of its typed literals."""
    quads = [
        quad
        for path, _mtime in files
        for quad in parse(path=path, format=RdfFormat.TURTLE, base_iri=base_iri)
    ]
    loaded, added, lexical = read(Triple(quad.subject, quad.predicate, quad.object) for quad in quads)
    triples = [*loaded, *(Triple(quad.subject, quad.predicate, quad.object) for quad in added)]
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b"", lexical


@lru_cache(maxsize=8)
def _checks(shapes_path: Path, base_iri: str, mtime: float) -> tuple[Check, ...]:
    return tuple(compile_shapes(shapes_graph(shapes_path, base_iri), Namespaces(base_iri)))


class Source:
    """One source's triples and the vocabulary, in a store of their own for one call of `validate`
    (pyoxigraph's in-memory store keeps what is removed from it, so none is reused)."""

    def __init__(self, mapped: MappedSource, ontology_path: Path, base_iri: str) -> None:
        files = tuple((path, path.stat().st_mtime) for path in sorted(ontology_path.glob("*.ttl")))
        vocabulary, self.vocabulary = _vocabulary(files, base_iri)
        loaded, added, self.lexical = read(mapped.triples)
        self.store = Store()
        self.store.load(vocabulary, format=RdfFormat.N_TRIPLES)
        self.store.load(serialize(loaded, format=RdfFormat.N_TRIPLES) or b"", format=RdfFormat.N_TRIPLES)
        self.store.extend(added)
        self.functions = {WELL_TYPED: self.well_typed, MATCHES: self.matches, IN_RANGE: self.in_range}

    def solutions(self, check: Check) -> Iterator[dict[str, Node]]:
        """The rows of `check`, each variable bound to its value as pySHACL would see it."""
        solutions = self.store.query(check.query, custom_functions=self.functions)  # type: ignore[arg-type]
        assert isinstance(solutions, QuerySolutions)
        names = [variable.value for variable in solutions.variables]
        for solution in solutions:
            yield {
                name: self.rdflib(term)
                for name, term in zip(names, solution, strict=True)
                if term is not None
            }

    def rdflib(self, term: Term) -> Node:
        """`term` as rdflib reads the source: a typed literal in the source's lexical form."""
        if isinstance(term, NamedNode):
            return URIRef(term.value)
        if isinstance(term, BlankNode):
            return BNode(term.value)
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD + "string":
            return RdfLiteral(term.value)
        key = (datatype, reading(term.value, datatype).key)
        return reading(self.lexical.get(key) or self.vocabulary.get(key) or term.value, datatype).literal

    def types(self, focus: Node) -> list[str]:
        if isinstance(focus, RdfLiteral):
            return []
        node = NamedNode(str(focus)) if isinstance(focus, URIRef) else BlankNode(str(focus))
        quads = self.store.quads_for_pattern(node, TYPE, None, DefaultGraph())
        return [quad.object.value for quad in quads if isinstance(quad.object, NamedNode)]

    # -- what the compiled queries ask of Python (loader/shape_queries.py) --------------------------

    def well_typed(self, value: Term) -> OxLiteral:
        """pySHACL's sh:datatype of a literal of that datatype: rdflib can parse it."""
        literal = self.rdflib(value)
        python = PYTHON_TYPES.get(value.datatype.value) if isinstance(value, OxLiteral) else None
        if not isinstance(literal, RdfLiteral) or literal.ill_typed is True:
            return FALSE
        return TRUE if python is None or isinstance(literal.value, python) else FALSE

    def matches(self, value: Term, pattern: OxLiteral, flags: OxLiteral) -> OxLiteral:
        """pySHACL's sh:pattern: `re.search` in the value's lexical form or IRI; never a blank node."""
        node = self.rdflib(value)
        found = not isinstance(node, BNode) and regex(pattern.value, flags.value).search(str(node))
        return TRUE if found else FALSE

    def in_range(self, value: Term, bound: OxLiteral, operator: OxLiteral) -> OxLiteral:
        """pySHACL's sh:minInclusive, sh:maxInclusive, sh:minExclusive and sh:maxExclusive."""
        node, limit = self.rdflib(value), self.rdflib(bound)
        if not isinstance(node, RdfLiteral) or not isinstance(limit, RdfLiteral):
            return FALSE
        if isinstance(node.value, str) != isinstance(limit.value, str):
            return FALSE
        try:
            return TRUE if ORDERS[operator.value](compare(node, limit)) else FALSE
        except (TypeError, ArithmeticError):  # literals rdflib cannot order (pySHACL: not in range)
            return FALSE


@lru_cache(maxsize=256)
def regex(pattern: str, flags: str) -> re.Pattern[str]:
    """pySHACL honours the flags i and m only."""
    return re.compile(pattern, (re.I if "i" in flags.lower() else 0) | (re.M if "m" in flags.lower() else 0))


def sparql_result(check: Check, row: dict[str, Node], focus: Node) -> tuple[str | None, list[str]] | None:
    """The result path and messages of a row of a SPARQL constraint on a node shape, or None where
    pySHACL reports nothing (SPARQLBasedConstraint._validate_sparql_query and make_v_result)."""
    if not check.this_selected:
        del row["this"]
    if row.pop("failure", None) is not None:
        return None, [fill(template, row) for template in check.templates]
    path, value, this = row.pop("path", None), row.pop("value", None), row.pop("this", None)
    if path is None and value is None and this is None:
        return None
    bound = {**row, **{name: node for name, node in (("this", this), ("path", path)) if node is not None}}
    bound["value"] = value if value is not None else focus
    messages = [fill(template, bound) for template in check.templates]
    return (str(path) if isinstance(path, URIRef) else None), messages


def fill(template: str, bound: dict[str, Node]) -> str:
    """{?name} and {$name} replaced by the values of the variables, in turn (pySHACL's order)."""
    for name, node in bound.items():
        template = re.sub(f"{{[?$]{name}}}", str(node).replace("\\", "\\\\"), template)
    return template


def results(source: Source, check: Check, mapped: MappedSource, ns: Namespaces) -> Iterator[Violation]:
    for row in source.solutions(check):
        focus = row["this"]
        if check.component == "SPARQLConstraintComponent":
            found = sparql_result(check, row, focus)
            if found is None:
                continue
            path, message = found[0], result_message(found[1], None, ns)
        else:
            path, message = check.path, result_message([check.message], row.get("value"), ns)
        yield violation(
            mapped, str(focus), known_class(source.types(focus), ns), path, message, check.shape, ns
        )


def validate(mapped: MappedSource, shapes_path: Path, ontology_path: Path, ns: Namespaces) -> list[Violation]:
    """Check the mapped triples of one source against the shapes; return every violation, sorted.

    The same list as loader.validation.validate: file, record, record field, the shape's sh:message and
    the offending value where the result has one; results of severity sh:Warning or sh:Info are not
    returned. Changes nothing: the triples are checked in an in-memory store of this call's own.
    Raises ShapeCompileError if the shapes use SHACL that loader/shape_queries.py does not compile.
    """
    checks = _checks(shapes_path, ns.base, shapes_path.stat().st_mtime)
    source = Source(mapped, ontology_path, ns.base)
    return sorted_violations(found for check in checks for found in results(source, check, mapped, ns))
