"""SHACL shapes -> SPARQL SELECT queries, one per constraint (loader/compiled_shapes.py runs them).

Each constraint of a shape with sh:targetClass becomes a `Check`: a query with a row per validation
result, ?this the focus node and ?value the value node where the result has one. A shape that sh:node,
sh:or, sh:and or sh:not names becomes a condition on the value node, so failing it is one result of the
shape that names it (https://www.w3.org/TR/shacl/#conformance-checking), as in pySHACL. Three Python
functions decide what SPARQL cannot decide as pySHACL does: well-typed literals, sh:pattern, and ranges
that are not between numbers. A SPARQL constraint keeps its query, with the focus nodes joined first in
its WHERE group (where pySHACL pre-binds $this), and $currentShape and constant BINDs replaced by their
values. Anything else raises ShapeCompileError when the shapes are loaded: nothing is skipped. Oxigraph
0.5 evaluates several triple patterns in one EXISTS without the outer bindings (quadratic in the data),
so each EXISTS here holds one triple pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from typing import NamedTuple

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, QuerySolutions, Store
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from loader.errors import LodcatError
from loader.namespaces import Namespaces
from loader.validation import shape_name

SPEC = "https://www.w3.org/TR/shacl/"
FUNCTIONS = [NamedNode(f"urn:lodcat:shacl#{name}") for name in ("wellTyped", "matches", "inRange")]
WELL_TYPED, MATCHES, IN_RANGE = FUNCTIONS
INSTANCE = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
KINDS = (SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
TESTS = ("isIRI", "isBlank", "isLiteral", "!isLiteral", "!isIRI", "!isBlank")
NODE_KINDS: dict[Node, str] = dict(zip(KINDS, TESTS, strict=True))
NUMERIC = (XSD.integer, XSD.decimal)
RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
LISTS = {SH["or"]: (" && ", "true"), SH["and"]: (" || ", "false")}  # members' violations; empty list
COMPILED = {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH["in"], SH.node, SH["not"], *RANGES, *LISTS}
COMPILED |= {SH.minCount, SH.maxCount, SH.uniqueLang, SH.hasValue, SH.property, SH.sparql, SH.targetClass}
# Properties that state no constraint (https://www.w3.org/TR/shacl/#nonValidation) or belong to one.
OTHER = {SH.path, SH.message, SH.severity, SH.deactivated, SH.flags, SH.name, SH.description, SH.order}
OTHER |= {SH.group, SH.defaultValue}
# Not allowed in a SPARQL constraint (https://www.w3.org/TR/shacl/#sparql-constraints-prebound), or
# would aggregate over all focus nodes once they are joined rather than pre-bound.
PREBOUND = "#sparql-constraints-prebound"
FORBIDDEN = {"MINUS", "SERVICE", "VALUES", "GROUP", "HAVING", "LIMIT", "OFFSET"}
MODIFIERS = ("DISTINCT", "REDUCED")
VOLATILE = {"RAND", "NOW", "UUID", "STRUUID", "BNODE", "EXISTS"}
TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\s]*>)
    |(?P<var>[?$]\w+)
    |(?P<word>[A-Za-z_][\w.-]*(?::[\w.%-]*)?|:[\w.%-]*)
    |(?P<space>\s+)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


Stack = tuple[Node, ...]  # the shapes sh:node and the lists went through, against recursion


class ShapeCompileError(LodcatError):
    """A shape uses SHACL that the compiler does not turn into SPARQL; nothing is validated with it."""

    def __init__(self, shape: str, problem: str, section: str = "") -> None:
        super().__init__(f"shapes: {shape}: {problem} ({SPEC}{section})")
        self.shape, self.problem = shape, problem


@dataclass(frozen=True)
class Check:
    """One constraint of one shape as a query, and what its results are reported with."""

    query: str
    shape: str  # Violation.shape (validation.shape_name)
    component: str  # e.g. "MinCountConstraintComponent"
    path: str | None  # the result path (rows of a SPARQL constraint may bind ?path)
    message: str  # the first sh:message in sorted order; for sh:sparql, the constraint's
    templates: tuple[str, ...] = ()  # sh:sparql: its messages, then its shape's, with {?var}
    this_selected: bool = True  # sh:sparql: pySHACL fills in {$this} only if the query selects it


class Token(NamedTuple):
    kind: str
    word: str  # upper case for keywords
    start: int
    end: int
    depth: int  # braces around it; the WHERE group is 1
    joined: bool  # in the WHERE group or an EXISTS directly in it: where a join pre-binds variables


def tokens(text: str) -> list[Token]:
    found: list[Token] = []
    braces: list[str] = []
    for match in TOKEN.finditer(text):
        kind, value = match.lastgroup or "other", match.group()
        if kind not in ("space", "comment"):
            braces = braces[:-1] if value == "}" else braces
            joined = braces[1:2] in ([], ["EXISTS"])
            word = value.upper() if kind == "word" else value
            found.append(Token(kind, word, *match.span(), len(braces), joined))
            if value == "{":
                braces = [*braces, "EXISTS" if found[-2:-1] and found[-2].word == "EXISTS" else "{"]
    return found


def edited(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def where(found: list[Token]) -> int:
    """The index of WHERE, or of the brace that opens the WHERE group."""
    return next(i for i, token in enumerate(found) if token.word in ("WHERE", "{") and token.depth == 0)


def fold(text: str) -> str:
    """Each variable that a BIND in the WHERE group sets to a constant, replaced by the constant after
    the BIND where a join pre-binds it: Oxigraph can then look triples up by it."""
    found = tokens(text)
    for i, bind in enumerate(found):
        if bind.word != "BIND" or bind.depth != 1:
            continue
        depth, close = 0, i + 1
        for close in range(i + 1, len(found)):
            depth += (found[close].word == "(") - (found[close].word == ")")
            if depth == 0:
                break
        expression, name = found[i + 2 : close - 2], found[close - 1].word[1:]
        later = [token for token in found[close:] if token.kind == "var" and token.word[1:] == name]
        used = {token.kind for token in expression} | {token.word for token in expression}
        if not expression or not later or {"var", *VOLATILE} & used or not all(t.joined for t in later):
            continue
        prologue = text[: found[[token.word for token in found].index("SELECT")].start]
        constant = text[expression[0].start : found[close - 2].start]
        try:
            solutions = Store().query(f"{prologue}SELECT ?v {{ BIND({constant} AS ?v) }}")
        except SyntaxError:
            continue
        assert isinstance(solutions, QuerySolutions)
        value = next(iter(solutions))["v"]
        if isinstance(value, (NamedNode, OxLiteral)):
            return fold(edited(text, [(token.start, token.end, str(value)) for token in later]))
    return text


def sparql_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        return f'"{text}"@{term.language}' if term.language else f'"{text}"^^<{term.datatype or XSD.string}>'
    raise TypeError(f"{term!r} cannot be written in SPARQL")


class Compiler:
    def __init__(self, shapes: Graph, ns: Namespaces) -> None:
        self.shapes, self.ns = shapes, ns
        self.fresh = (f"?v{number}" for number in count(1))

    def fail(self, shape: Node, problem: str, section: str = "") -> ShapeCompileError:
        return ShapeCompileError(shape_name(self.shapes, shape, self.ns), problem, section)

    def values(self, shape: Node, parameter: URIRef) -> list[Node]:
        return sorted(self.shapes.objects(shape, parameter), key=str)

    def one(self, shape: Node, parameter: URIRef) -> Node | None:
        found = self.values(shape, parameter)
        if len(found) > 1:
            raise self.fail(shape, f"{len(found)} values of {parameter}; expected at most one")
        return found[0] if found else None

    def flag(self, shape: Node, parameter: URIRef) -> bool:
        value = self.one(shape, parameter)
        return isinstance(value, Literal) and value.value is True

    def term(self, shape: Node, term: Node) -> str:
        if isinstance(term, BNode):
            raise self.fail(shape, "a blank node of the shapes graph is no node of the data graph")
        return sparql_term(term)

    def path(self, shape: Node) -> str | None:
        path = self.one(shape, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise self.fail(shape, "sh:path is not an IRI; other paths are not supported", "#property-paths")
        if path is not None and self.values(shape, SH.property):
            raise self.fail(shape, "sh:property on a property shape is not supported")
        return None if path is None else f"<{path}>"

    def members(self, shape: Node, head: Node) -> list[Node]:
        if head != RDF.nil and self.shapes.value(head, RDF.first) is None:
            raise self.fail(shape, f"{head} is not a SHACL list", "#syntax-rule-SHACL-list")
        return list(Collection(self.shapes, head))

    def active(self, shape: Node) -> bool:
        """Whether results of the shape's own constraints count (pySHACL, with warnings allowed, lets
        a node conform to a shape of severity sh:Warning or sh:Info). Raises on what is not compiled."""
        unknown = {p for p in self.shapes.predicates(shape) if str(p).startswith(str(SH))} - COMPILED - OTHER
        if unknown:
            names = ", ".join(sorted(map(str, unknown)))
            raise self.fail(shape, f"{names}: not supported", "#core-components")
        if RDFS.Class in self.shapes.objects(shape, RDF.type):
            raise self.fail(shape, "implicit class targets are not supported", "#implicit-targetClass")
        severity = self.one(shape, SH.severity)
        if severity not in (None, SH.Violation, SH.Warning, SH.Info):
            raise self.fail(shape, f"sh:severity {severity} is not supported", "#severity")
        return severity in (None, SH.Violation) and not self.flag(shape, SH.deactivated)

    # -- constraints as conditions ------------------------------------------------------------------

    def conditions(self, shape: Node, x: str, v: str, stack: Stack) -> Iterator[tuple[str, bool, str]]:
        """(component, on values, condition) per constraint but sh:property and sh:sparql: the condition
        holds, without error, exactly when the value bound to `v` (on values) or the focus node bound
        to `x` violates the constraint."""
        p = self.path(shape)
        for target in self.values(shape, SH["class"]):
            yield "Class", True, f"NOT EXISTS {{ {v} {INSTANCE} {self.term(shape, target)} }}"
        datatype = self.one(shape, SH.datatype)
        if datatype is not None:
            yield "Datatype", True, f"!({self.datatype(shape, datatype, v)})"
        kind = self.one(shape, SH.nodeKind)
        if kind is not None:
            if kind not in NODE_KINDS:
                raise self.fail(shape, f"unknown sh:nodeKind {kind}", "#NodeKindConstraintComponent")
            yield "NodeKind", True, f"!{NODE_KINDS[kind]}({v})"
        for parameter, operator in RANGES.items():
            name = parameter.fragment[0].upper() + parameter.fragment[1:]
            for bound in self.values(shape, parameter):
                yield name, True, self.range(v, bound, operator)
        flags = sparql_term(Literal(str(self.one(shape, SH.flags) or "")))
        for pattern in self.values(shape, SH.pattern):
            matches = f"{MATCHES}({v}, {sparql_term(Literal(str(pattern)))}, {flags})"
            yield "Pattern", True, f"!COALESCE({matches}, false)"
        for head in self.values(shape, SH["in"]):
            same = [f"sameTerm({v}, {self.term(shape, member)})" for member in self.members(shape, head)]
            yield "In", True, f"!({' || '.join(same) or 'false'})"
        for node in self.values(shape, SH.node):
            yield "Node", True, self.violated(node, v, stack)
        for parameter, (combined, empty) in LISTS.items():
            for head in self.values(shape, parameter):
                members = [f"({self.violated(member, v, stack)})" for member in self.members(shape, head)]
                yield parameter.fragment.capitalize(), True, combined.join(members) or empty
        for negated in self.values(shape, SH["not"]):
            yield "Not", True, f"!({self.violated(negated, v, stack)})"
        for value in [self.term(shape, value) for value in self.values(shape, SH.hasValue)]:
            yield "HasValue", False, f"NOT EXISTS {{ {x} {p} {value} }}" if p else f"!sameTerm({x}, {value})"
        counts = [("MinCount", "!", int(str(n))) for n in self.values(shape, SH.minCount)]
        counts += [("MaxCount", "", int(str(n)) + 1) for n in self.values(shape, SH.maxCount)]
        if (counts or self.flag(shape, SH.uniqueLang)) and not p:
            raise self.fail(shape, "sh:minCount, sh:maxCount or sh:uniqueLang on a node shape")
        for component, negation, number in counts:  # are there `number` distinct values?
            names, inner = [next(self.fresh) for _ in range(number)], "true"
            for k in reversed(range(number)):
                distinct = "".join(f"!sameTerm({names[k]}, {name}) && " for name in names[:k])
                inner = f"EXISTS {{ {x} {p} {names[k]} FILTER({distinct}{inner}) }}"
            yield component, False, f"{negation}({inner})"
        if self.flag(shape, SH.uniqueLang):  # language tags compared without case, as pySHACL does
            w = next(self.fresh)
            tagged = f'isLiteral({v}) && isLiteral({w}) && LANG({v}) != ""'
            tagged += f" && LCASE(LANG({v})) = LCASE(LANG({w})) && !sameTerm({v}, {w})"
            pair = f"EXISTS {{ {x} {p} {w} FILTER({tagged}) }}"
            yield "UniqueLang", False, f"EXISTS {{ {x} {p} {v} FILTER({pair}) }}"

    def datatype(self, shape: Node, datatype: Node, v: str) -> str:
        """The literals pySHACL accepts for `datatype` (DatatypeConstraintComponent.evaluate)."""
        if not isinstance(datatype, URIRef):
            raise self.fail(shape, "sh:datatype is not an IRI", "#DatatypeConstraintComponent")
        return {
            RDF.langString: f'isLiteral({v}) && LANG({v}) != ""',
            XSD.string: f"isLiteral({v}) && DATATYPE({v}) = <{XSD.string}>",
            RDFS.Literal: f"isLiteral({v})",
            RDFS.Datatype: f'isLiteral({v}) && LANG({v}) = "" && DATATYPE({v}) != <{XSD.string}>',
        }.get(datatype, f"isLiteral({v}) && DATATYPE({v}) = <{datatype}> && {WELL_TYPED}({v})")

    def range(self, v: str, bound: Node, operator: str) -> str:
        """SPARQL compares an integer or decimal with such a bound; anything else is rdflib's ordering."""
        exact = f"COALESCE({IN_RANGE}({v}, {sparql_term(bound)}, {sparql_term(Literal(operator))}), false)"
        if not isinstance(bound, Literal) or bound.datatype not in NUMERIC or bound.ill_typed:
            return f"!{exact}"
        numeric = f"isLiteral({v}) && DATATYPE({v}) IN (<{XSD.integer}>, <{XSD.decimal}>)"  # fast path
        return f"!(COALESCE({numeric} && {v} {operator} {sparql_term(bound)}, false) || {exact})"

    def violated(self, shape: Node, x: str, stack: Stack) -> str:
        """A condition that holds exactly when the node bound to `x` does not conform to `shape`."""
        if shape in stack or self.values(shape, SH.sparql):
            raise self.fail(shape, "recursive, or sh:sparql where sh:node, sh:or, sh:and or sh:not uses it")
        if not self.active(shape):
            return "false"
        stack, p, v = (*stack, shape), self.path(shape), next(self.fresh)
        conditions = self.conditions(shape, x, v if p else x, stack)
        parts = [f"EXISTS {{ {x} {p} {v} FILTER({c}) }}" if on and p else c for _, on, c in conditions]
        parts += [self.violated(child, x, stack) for child in self.values(shape, SH.property)]
        return " || ".join(f"({part})" for part in parts) or "false"

    # -- shapes with targets ------------------------------------------------------------------------

    def targeted(self, shape: Node, focus: str) -> Iterator[Check]:
        """The checks of `shape` for the focus nodes `focus` binds to ?this, then of its property shapes."""
        if self.flag(shape, SH.deactivated):
            return
        reported, path, queries = self.active(shape), self.path(shape), []
        values = f"?this {path} ?value" if path else "BIND(?this AS ?value)"
        for component, on_values, condition in self.conditions(shape, "?this", "?value", (shape,)):
            where = f"{values} FILTER({condition})" if on_values else f"FILTER({condition})"
            queries.append((component, f"SELECT ?this{' ?value' * on_values} WHERE {{ {focus} {where} }}"))
        messages = sorted(str(message) for message in self.shapes.objects(shape, SH.message))
        if reported and queries and not messages:
            raise self.fail(shape, "no sh:message; pySHACL's own messages are not reproduced", "#message")
        name = shape_name(self.shapes, shape, self.ns)
        for component, query in queries if reported else []:
            yield Check(query, name, f"{component}ConstraintComponent", path and path[1:-1], messages[0])
        for child in self.values(shape, SH.property):
            yield from self.targeted(child, focus)
        for constraint in self.values(shape, SH.sparql) if reported else []:
            yield from self.sparql(shape, constraint, focus, messages)

    # -- SPARQL-based constraints (https://www.w3.org/TR/shacl/#sparql-constraints) ----------------

    def sparql(self, shape: Node, constraint: Node, focus: str, shape_messages: list[str]) -> Iterator[Check]:
        select = self.one(constraint, SH.select)
        if self.path(shape) or not isinstance(shape, URIRef) or not isinstance(select, Literal):
            raise self.fail(shape, "sh:sparql needs an sh:select and a named node shape")
        if self.flag(constraint, SH.deactivated):
            return
        query, this_selected = self.rewrite(shape, self.prefixes(constraint) + str(select), focus)
        messages = sorted(str(message) for message in self.values(constraint, SH.message))
        name, templates = shape_name(self.shapes, shape, self.ns), (*messages, *shape_messages)
        first = (messages or [""])[0]
        yield Check(query, name, "SPARQLConstraintComponent", None, first, templates, this_selected)

    def prefixes(self, constraint: Node) -> str:
        """pySHACL's prefixes: rdf, rdfs, owl, the sh:declare of each sh:prefixes value, and those of
        every owl:Ontology unless the value is an ontology that declares its own."""
        prefixes = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
        ontologies = set(self.shapes.subjects(RDF.type, OWL.Ontology))
        every = {declared for node in ontologies for declared in self.shapes.objects(node, SH.declare)}
        for node in self.values(constraint, SH.prefixes):
            own = set(self.shapes.objects(node, SH.declare))
            for declaration in sorted(own if own and node in ontologies else own | every, key=str):
                prefixes[str(self.one(declaration, SH.prefix))] = str(self.one(declaration, SH.namespace))
        return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())

    def rewrite(self, shape: URIRef, text: str, focus: str) -> tuple[str, bool]:
        """The query with `focus` joined first in its WHERE group, ?this selected, $currentShape and
        constant BINDs replaced (https://www.w3.org/TR/shacl/#pre-binding); and whether it selected $this."""
        found = tokens(text)
        words = [token.word for token in found]
        used = sorted(FORBIDDEN & set(words)) + ["a subquery"] * (words.count("SELECT") > 1)
        if used or "SELECT" not in words or "{" not in words:
            raise self.fail(shape, f"sh:select uses {', '.join(used) or 'no SELECT'}", PREBOUND)
        head = [word for word in words[words.index("SELECT") + 1 : where(found)] if word not in MODIFIERS]
        selected, edits = {word.lstrip("?$") for word in head}, []
        if any(word != "*" and word[0] not in "?$" for word in head) or "currentShape" in selected:
            raise self.fail(shape, "sh:select selects other than variables", PREBOUND)
        for i, token in enumerate(found):
            name = token.word[1:] if token.kind == "var" else ""
            if name in ("shapesGraph", "PATH") or (name in ("this", "currentShape") and words[i - 1] == "AS"):
                raise self.fail(shape, f"sh:select uses {token.word} that way", PREBOUND)
            if name == "this" and not token.joined:
                raise self.fail(shape, "$this in a nested group: a join there does not pre-bind it", PREBOUND)
            edits += [(token.start, token.end, f"<{shape}>")] if name == "currentShape" else []
        found = tokens(text := fold(edited(text, edits)))
        opened, insert = next(token for token in found if token.word == "{"), found[where(found)].start
        this = "" if selected & {"this", "*"} else " ?this "
        text = edited(text, [(insert, insert, this), (opened.start, opened.end, f"{{ {focus}\n")])
        return text, "this" in selected or ("*" in selected and bool({"?this", "$this"} & set(words)))

    def compile(self) -> list[Check]:
        kinds = (SH.NodeShape, SH.PropertyShape)
        shapes = {shape for kind in kinds for shape in self.shapes.subjects(RDF.type, kind)}
        for shape in sorted(shapes, key=str):
            self.active(shape)
        checks: list[Check] = []
        for shape in sorted(shapes | set(self.shapes.subjects(SH.targetClass, None)), key=str):
            classes = [self.term(shape, target) for target in self.values(shape, SH.targetClass)]
            union = " UNION ".join(f"{{ ?this {INSTANCE} {target} }}" for target in classes)
            checks += self.targeted(shape, f"{{ {union} }}") if classes else []
        probe = Store()
        for check in checks:
            try:
                probe.query(check.query, custom_functions=dict.fromkeys(FUNCTIONS, lambda *_: None))
            except SyntaxError as error:
                raise ShapeCompileError(check.shape, f"{check.component}: {error}") from None
        return checks


def compile_shapes(shapes: Graph, ns: Namespaces) -> list[Check]:
    """Every constraint of every shape with a target, as a query. Raises ShapeCompileError."""
    return Compiler(shapes, ns).compile()
