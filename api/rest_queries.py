"""The SPARQL of the REST API: api/queries/*.rq, run with their parameters bound as RDF terms.

In a query file, `$name` is replaced by an RDF term that pyoxigraph serializes (an IRI it has checked, a
literal it has escaped), a line ending in `# if name` is kept only when that parameter is given, and
`VALUES ?name { ... }` gets the terms of a list parameter; request text never reaches a query any other
way. Each file is valid SPARQL as it stands (`$name` is a variable). Nothing here changes the store.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode, QuerySolutions, QueryTriples, Triple

from api.documents import project_summary
from api.facts import Facts
from api.models import ProjectSummary
from loader.namespaces import Namespaces
from loader.store import LodStore

QUERIES = Path(__file__).parent / "queries"
# ORDER BY clauses of api/queries/projects.rq, by the `sort` parameter of GET /api/v1/projects.
ORDERS = {
    "title": "ORDER BY ?titleKey ?project",
    "-title": "ORDER BY DESC(?titleKey) ?project",
    "start": "ORDER BY (!BOUND(?startKey)) ?startKey ?project",
    "-start": "ORDER BY (!BOUND(?startKey)) DESC(?startKey) ?project",
    "end": "ORDER BY (!BOUND(?endKey)) ?endKey ?project",
    "-end": "ORDER BY (!BOUND(?endKey)) DESC(?endKey) ?project",
}
Term = NamedNode | RdfLiteral
Binding = Term | Sequence[NamedNode] | None


@cache
def query_text(name: str) -> str:
    """The text of api/queries/{name}.rq (read once)."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def bind(template: str, **parameters: Binding) -> str:
    """`template` with its parameters bound (see the module docstring); unknown `$names` stay variables."""
    lines = []
    for line in template.splitlines():
        condition = re.search(r"\s*#\s*if (\w+)\s*$", line)
        if condition:
            if parameters.get(condition[1]) is None:
                continue
            line = line[: condition.start()]
        values = re.fullmatch(r"(\s*)VALUES \?(\w+) \{.*\}(.*)", line)
        if values and isinstance(terms := parameters.get(values[2]), Sequence):
            line = f"{values[1]}VALUES ?{values[2]} {{ {' '.join(map(str, terms))} }}{values[3]}"
        else:
            line = re.sub(r"\$(\w+)\b", lambda match: _term(parameters.get(match[1]), match[0]), line)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _term(bound: Binding, unbound: str) -> str:
    """A single bound term as SPARQL (pyoxigraph's N-Triples form), or `unbound` left as it was."""
    return str(bound) if isinstance(bound, NamedNode | RdfLiteral) else unbound


def triples(store: LodStore, ns: Namespaces, name: str, **parameters: Binding) -> list[Triple]:
    """The triples of the CONSTRUCT query api/queries/{name}.rq run with `parameters`."""
    result = store.query(bind(query_text(name), **parameters), base_iri=ns.base)
    assert isinstance(result, QueryTriples), f"{name}.rq is not a CONSTRUCT query"
    return list[Triple](result)


def construct(store: LodStore, ns: Namespaces, name: str, **parameters: Binding) -> Facts:
    """The triples of the CONSTRUCT query api/queries/{name}.rq run with `parameters`, indexed."""
    return Facts(triples(store, ns, name, **parameters), ns)


def select(
    store: LodStore, ns: Namespaces, name: str, order: str | None = None, **parameters: Binding
) -> list[str]:
    """The first column (IRIs) of the SELECT query api/queries/{name}.rq, in the query's order or in
    `order` (an ORDER BY clause from this module, never from a request)."""
    template = query_text(name)
    if order is not None:
        template = re.sub(r"(?m)^ORDER BY .*$", order, template)
    result = store.query(bind(template, **parameters), base_iri=ns.base)
    assert isinstance(result, QuerySolutions), f"{name}.rq is not a SELECT query"
    return [row[0].value for row in result if isinstance(row[0], NamedNode)]


def summaries(store: LodStore, ns: Namespaces, projects: Iterable[str]) -> dict[str, ProjectSummary]:
    """Project summaries by IRI, from api/queries/project-summaries.rq."""
    wanted = sorted(set(projects))
    if not wanted:
        return {}
    facts = construct(store, ns, "project-summaries", project=[NamedNode(iri) for iri in wanted])
    return {iri: project_summary(facts, iri) for iri in wanted if facts.describes(iri)}


def _variants() -> dict[str, str]:
    """Each unaccented lowercase Latin letter -> every accented form of it in Latin-1 and Latin Extended-A."""
    variants: dict[str, str] = {}
    for code in range(0xC0, 0x250):
        letter = chr(code).lower()
        base = unicodedata.normalize("NFD", letter)[0]
        if len(letter) == 1 and base.isascii() and base.isalpha() and letter not in variants.get(base, base):
            variants[base] = variants.get(base, base) + letter
    return variants


VARIANTS = _variants()
REGEX_SPECIAL = set("\\|.-^?*+{}()[]$")


def text_pattern(text: str) -> str:
    """A regular expression that finds `text` whatever its case and accents: 'socialni' finds 'sociální'.

    Used with flag "i". Only letters become classes; every other character is matched literally, escaped
    where XPath (SPARQL 1.1, section 17.4.3.14) and Rust regular expressions give it a meaning.
    """
    folded = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))
    parts = []
    for char in " ".join(folded.split()):
        if char in VARIANTS:
            parts.append(f"[{VARIANTS[char]}]")
        elif char == " ":
            parts.append(r"\s+")
        else:
            parts.append("\\" + char if char in REGEX_SPECIAL else char)
    return "".join(parts)
