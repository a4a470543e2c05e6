"""The competency questions in docs/queries/: each query, run through /sparql, gives its documented answer.

Every `NN-name.rq` has a sibling `NN-name.expected.json`: a list of rows, each a dict of variable -> the
value as a plain string; IRIs under the server's base IRI are written relative to it, unbound variables
are left out (docs/queries/README.md). Rows are compared in order when the query has ORDER BY.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import BASE, ROOT, LiveServer

QUERIES = ROOT / "docs" / "queries"
README = QUERIES / "README.md"
QUERY_FILES = sorted(QUERIES.glob("*.rq"))
RESULTS_JSON = "application/sparql-results+json"
ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
ANSWER_MARK = re.compile(r"<!-- answer: (\S+) -->\n\n((?:\|.*\|\n)+)")

Row = dict[str, str]


def expected_file(query: Path) -> Path:
    return query.with_suffix(".expected.json")


def string_dict(value: object, where: str) -> Row:
    assert isinstance(value, dict), f"{where}: {value!r} is not an object"
    row: Row = {}
    for key, item in value.items():
        assert isinstance(key, str) and isinstance(item, str), f"{where}: {key!r}: {item!r} is not a string"
        row[key] = item
    return row


def expected_rows(query: Path) -> list[Row]:
    path = expected_file(query)
    rows: object = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(rows, list), f"{path.name}: expected a list of rows"
    return [string_dict(row, f"{path.name} row {number}") for number, row in enumerate(rows, 1)]


def query_body(query: Path) -> str:
    """The query without its comment lines, so a comment never decides whether rows are ordered."""
    lines = query.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def relative(term: object, base: str) -> str:
    """One SPARQL JSON term as a plain string; an IRI under `base` is written relative to it."""
    assert isinstance(term, dict), f"{term!r} is not a SPARQL JSON term"
    kind, value = term.get("type"), term.get("value")
    assert isinstance(value, str), f"{term!r} has no string value"
    if kind == "uri":
        return value.removeprefix(base)
    assert kind in ("literal", "typed-literal"), f"{term!r}: a blank node has no stable expected value"
    return value


def answer_rows(document: object, base: str) -> list[Row]:
    """The rows of a SPARQL 1.1 Query Results JSON document, base-relative."""
    assert isinstance(document, dict), f"{document!r} is not a SPARQL JSON result"
    results = document.get("results")
    assert isinstance(results, dict), f"{document!r} has no results"
    bindings = results.get("bindings")
    assert isinstance(bindings, list), f"{results!r} has no bindings"
    rows: list[Row] = []
    for binding in bindings:
        assert isinstance(binding, dict), f"{binding!r} is not a binding"
        rows.append({str(name): relative(term, base) for name, term in binding.items()})
    return rows


def assert_same_rows(actual: list[Row], expected: list[Row], *, ordered: bool) -> None:
    if ordered:
        assert actual == expected
    else:

        def key(row: Row) -> str:
            return json.dumps(row, sort_keys=True, ensure_ascii=False)

        assert sorted(actual, key=key) == sorted(expected, key=key)


def answer(status: int, content_type: str, body: str, base: str) -> list[Row]:
    """The rows of one /sparql response (TestClient and httpx responses are different classes)."""
    assert status == 200, body
    assert content_type.startswith(RESULTS_JSON), content_type
    return answer_rows(json.loads(body), base)


def test_there_are_at_least_twelve_competency_questions() -> None:
    assert len(QUERY_FILES) >= 12, [query.name for query in QUERY_FILES]


@pytest.mark.parametrize("query", QUERY_FILES, ids=lambda query: query.stem)
def test_query_states_its_question_and_has_an_expected_answer(query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    assert re.fullmatch(r"\d\d-[a-z0-9-]+\.rq", query.name), query.name
    assert text.startswith("# Question: "), f"{query.name} must begin with '# Question: ...'"
    assert "\n# Why it is interesting: " in text, f"{query.name} must say why the question is interesting"
    assert expected_rows(query), f"{expected_file(query).name}: every question has an answer on sample data"


@pytest.mark.parametrize("query", QUERY_FILES, ids=lambda query: query.stem)
def test_query_and_answer_do_not_depend_on_the_base_iri(query: Path) -> None:
    """Vocabulary and instance IRIs are relative (`PREFIX lodcat: <ontology#>`), resolved by the endpoint."""
    for path in (query, expected_file(query)):
        assert BASE not in path.read_text(encoding="utf-8"), f"{path.name} names the base IRI {BASE}"


@pytest.mark.parametrize("query", QUERY_FILES, ids=lambda query: query.stem)
def test_query_answers_as_documented_through_the_endpoint(client: TestClient, query: Path) -> None:
    response = client.post(
        "/sparql", data={"query": query.read_text(encoding="utf-8")}, headers={"Accept": RESULTS_JSON}
    )
    rows = answer(response.status_code, response.headers["content-type"], response.text, BASE)
    assert_same_rows(rows, expected_rows(query), ordered=bool(ORDER_BY.search(query_body(query))))


def test_readme_lists_every_query() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [query.name for query in QUERY_FILES if f"]({query.name})" not in readme]
    assert not missing, f"docs/queries/README.md does not link {missing}"


def test_readme_answer_tables_match_the_expected_answers() -> None:
    """The three answer tables in the README are the expected answers, cell for cell."""
    tables = ANSWER_MARK.findall(README.read_text(encoding="utf-8"))
    assert len(tables) == 3, [name for name, _ in tables]
    for name, table in tables:
        header, rule, *lines = [
            [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
            for line in table.splitlines()
        ]
        assert set("".join(rule)) <= set("-: "), f"{name}: second table line must be the header rule"
        rows = [{column: cell for column, cell in zip(header, line, strict=True) if cell} for line in lines]
        assert rows == expected_rows(QUERIES / f"{name}.rq"), name


@pytest.mark.parametrize("name", ["01-active-in-2007", "09-indicators-with-source-sentence"])
def test_query_answers_the_same_on_a_live_server_with_its_base(live_server: LiveServer, name: str) -> None:
    """A real `lodcat serve` mints IRIs under its own URL; the relative query text still finds them."""
    query = QUERIES / f"{name}.rq"
    response = httpx.post(
        live_server.url + "sparql",
        data={"query": query.read_text(encoding="utf-8")},
        headers={"Accept": RESULTS_JSON},
        timeout=30.0,
    )
    assert live_server.url != BASE
    assert live_server.url in response.text
    rows = answer(response.status_code, response.headers["content-type"], response.text, live_server.url)
    assert_same_rows(rows, expected_rows(query), ordered=True)
