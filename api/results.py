"""SPARQL results serialized with limits: rows and bytes, and a flag when the limit cut the result.

pyoxigraph serializes whole result iterators and cannot stop early, so solutions are written here
(SPARQL 1.1 Query Results JSON, XML, CSV and TSV); graphs (CONSTRUCT/DESCRIBE) are cut to the row
limit and serialized by pyoxigraph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolution, RdfFormat, Triple, serialize

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class Limits:
    rows: int
    bytes: int


@dataclass(frozen=True)
class Serialized:
    body: bytes
    rows: int
    truncated: bool


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        value: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
        f"</predicate><object>{_xml_term(term.object)}</object></triple>"
    )


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    text = (
        term.value
        if isinstance(term, NamedNode | Literal)
        else ("_:" + term.value if isinstance(term, BlankNode) else str(term))
    )
    if any(character in text for character in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        # TSV results write literals in Turtle syntax; plain xsd:string literals stay quoted strings.
        return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(term)


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.size = 0
        self.rows = 0
        self.truncated = False

    def take(self, chunk: str) -> bool:
        size = len(chunk.encode("utf-8"))
        if self.rows >= self.limits.rows or self.size + size > self.limits.bytes:
            self.truncated = True
            return False
        self.size += size
        self.rows += 1
        return True


def solutions(
    variables: Sequence[str], rows: Iterable[QuerySolution], media_type: str, limits: Limits
) -> Serialized:
    """Serialize SELECT solutions as `media_type`, stopping at the row or byte limit."""
    budget = _Budget(limits)
    parts: list[str] = []
    if media_type == "application/sparql-results+json":
        head = json.dumps({"vars": list(variables)})
        for row in rows:
            binding = {name: _json_term(row[name]) for name in variables if row[name] is not None}
            chunk = json.dumps(binding, ensure_ascii=False)
            if not budget.take(chunk):
                break
            parts.append(chunk)
        flag = ', "lodcat:truncated": true' if budget.truncated else ""
        body = f'{{"head": {head}, "results": {{"bindings": [{", ".join(parts)}]}}{flag}}}'
    elif media_type == "application/sparql-results+xml":
        header = "".join(f"<variable name={quoteattr(name)}/>" for name in variables)
        for row in rows:
            chunk = (
                "<result>"
                + "".join(
                    f"<binding name={quoteattr(name)}>{_xml_term(row[name])}</binding>"
                    for name in variables
                    if row[name] is not None
                )
                + "</result>"
            )
            if not budget.take(chunk):
                break
            parts.append(chunk)
        comment = "<!-- truncated by lodcat: the result limit was reached -->" if budget.truncated else ""
        body = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head>{header}</head>{comment}<results>{''.join(parts)}</results></sparql>"
        )
    elif media_type == "text/csv":
        for row in rows:
            chunk = ",".join(_csv_value(row[name]) for name in variables) + "\r\n"
            if not budget.take(chunk):
                break
            parts.append(chunk)
        body = ",".join(variables) + "\r\n" + "".join(parts)
    elif media_type == "text/tab-separated-values":
        for row in rows:
            chunk = "\t".join(_tsv_value(row[name]) for name in variables) + "\n"
            if not budget.take(chunk):
                break
            parts.append(chunk)
        body = "\t".join("?" + name for name in variables) + "\n" + "".join(parts)
    else:
        raise ValueError(f"no solutions serializer for {media_type}")
    return Serialized(body.encode("utf-8"), budget.rows, budget.truncated)


def triples(
    graph: Iterable[Triple], rdf_format: RdfFormat, limits: Limits, prefixes: dict[str, str] | None = None
) -> Serialized:
    """Serialize CONSTRUCT/DESCRIBE triples, keeping at most `limits.rows` triples."""
    kept: list[Triple] = []
    truncated = False
    for triple in graph:
        if len(kept) >= limits.rows:
            truncated = True
            break
        kept.append(triple)
    body = serialize(kept, format=rdf_format, prefixes=prefixes) or b""
    if len(body) > limits.bytes:
        # Halve until it fits: a graph cannot be cut mid-statement.
        while kept and len(body) > limits.bytes:
            kept = kept[: len(kept) // 2]
            body = serialize(kept, format=rdf_format, prefixes=prefixes) or b""
        truncated = True
    return Serialized(body, len(kept), truncated)
