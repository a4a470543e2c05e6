"""/api/v1 on the published sample data: filters, sorting, paging, every fact, 404s, JSON-LD as true RDF."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode, QuerySolutions, QueryTriples, RdfFormat, Triple, parse
from rdflib import Graph, URIRef
from rdflib import Literal as RdflibLiteral

from api.app import create_app
from api.rest_queries import bind, text_pattern
from loader.namespaces import DCTERMS, XSD, nuts
from loader.pipeline import run
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import BASE, ROOT, LiveServer, Published
from tests.factories import GLOBOS as GLOBOS_FILE
from tests.factories import ZLIN as ZLIN_FILE
from tests.factories import project as factory_project
from tests.factories import record_file, write_record

TABOR_WELS = "CZ.04.4.83-3.2.03.1-0448"
LIBEREC = "vzdelani-pracovniku-socialni-sluzby"
ZLIN = "komunitni-planovani-zlinsky-kraj"
LITHUANIAN = "08.4.1-ESFA-V-405-01-0001"
CENTRAL_BOHEMIA = "odborna-partnerstvi-stredocesky-kraj"
ALL = {TABOR_WELS, LIBEREC, ZLIN, LITHUANIAN, CENTRAL_BOHEMIA}
CZECH = ALL - {LITHUANIAN}
PROBLEM = "application/problem+json"
IDENTIFIER = NamedNode(DCTERMS + "identifier")


class Answer(Protocol):
    """What the tests read of a response, from TestClient or from httpx."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


def ids(response: Answer) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def store_triples(published: Published) -> set[Triple]:
    return {quad.triple for quad in published.store.quads()}


def read_json_ld(text: str) -> Graph:
    """rdflib's reading of a JSON-LD document (its parser builds a ConjunctiveGraph inside, which rdflib 7
    itself deprecates; nothing else is ignored)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "ConjunctiveGraph is deprecated, use Dataset instead.", DeprecationWarning
        )
        return Graph().parse(data=text, format="json-ld")


def with_context(client: TestClient, document: dict[str, Any]) -> str:
    """The JSON-LD document with its @context URL replaced by the context the API serves there."""
    assert document["@context"] == "http://127.0.0.1:8000/api/v1/context.jsonld"
    context = client.get("/api/v1/context.jsonld").json()["@context"]
    return json.dumps({**document, "@context": context})


def expanded(client: TestClient, document: dict[str, Any]) -> set[Triple]:
    """The triples of a JSON-LD document, read by rdflib and, independently, by pyoxigraph; both agree."""
    text = with_context(client, document)
    by_rdflib = read_json_ld(text).serialize(format="nt", encoding="utf-8")
    from_rdflib = set(parse(by_rdflib, format=RdfFormat.N_TRIPLES))
    from_oxigraph = set(parse(text.encode("utf-8"), format=RdfFormat.JSON_LD))
    assert from_rdflib == from_oxigraph
    return {Triple(t.subject, t.predicate, t.object) for t in from_oxigraph}


def keys(document: Any, language_maps: set[str], path: str = "") -> Iterator[tuple[str, str]]:
    """(path, key) for every key of a JSON document, not descending into language maps."""
    if isinstance(document, list):
        for item in document:
            yield from keys(item, language_maps, path)
    elif isinstance(document, dict):
        for key, value in document.items():
            yield path, key
            if key not in language_maps:
                yield from keys(value, language_maps, f"{path}.{key}")


# -- filters --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("country=CZE", CZECH),
        ("country=LTU", {LITHUANIAN}),
        ("country=AUT", {TABOR_WELS}),
        ("region=CZ051", {LIBEREC}),
        ("region=CZ072", {ZLIN}),
        ("programme=op-lzz", {LIBEREC, CENTRAL_BOHEMIA}),
        ("programme=op-rlz", {ZLIN}),
        ("fund=esf", {ZLIN, CENTRAL_BOHEMIA}),
        ("fund=interreg", {TABOR_WELS}),
        ("co_financed_by=cz-state-budget", {ZLIN}),
        ("co_financed_by=interreg", set()),
        ("status=finished", ALL - {LIBEREC}),
        ("year=2007", {TABOR_WELS, ZLIN}),
        ("year=2006", {TABOR_WELS, ZLIN}),
        ("year=2011", {LIBEREC, CENTRAL_BOHEMIA}),
        ("year=2017", {LITHUANIAN}),
        ("year=2005", set()),
        ("organisation=cz-zlinsky-kraj", {ZLIN}),
        ("organisation=lt-vvtait", {LITHUANIAN}),
        ("organisation=cz-mpsv", set()),
        ("q=globos", {LITHUANIAN}),
        ("q=SOCIÁLNÍ", CZECH),
        ("q=socialni", CZECH),
        ("q=Zlínském kraji", {ZLIN}),
        ("q=nothing like this", set()),
        ("fund=esf&year=2007", {ZLIN}),
        ("country=CZE&programme=op-lzz&region=CZ020", {CENTRAL_BOHEMIA}),
    ],
)
def test_filter_narrows_projects(client: TestClient, query: str, expected: set[str]) -> None:
    response = client.get(f"/api/v1/projects?{query}")
    found = ids(response)
    assert set(found) == expected
    assert len(found) == len(expected) == response.json()["total"]


def test_year_counts_month_precision_in_its_year(client: TestClient) -> None:
    """The Zlín project runs 2006-09 .. 2007-12-31; the Central Bohemian one 2009-06-01 .. 2011-06."""
    assert ZLIN in ids(client.get("/api/v1/projects?year=2006"))
    assert ids(client.get("/api/v1/projects?year=2012")) == []
    assert set(ids(client.get("/api/v1/projects?year=2010"))) == {LIBEREC, CENTRAL_BOHEMIA}


def test_year_with_only_a_start_or_only_an_end_is_that_year(
    settings: Settings, store: LodStore, tmp_path: Path
) -> None:
    paths = []
    for name, identifier, dates in (
        (ZLIN_FILE, "only-start", {"start": "2014-03"}),
        (GLOBOS_FILE, "only-end", {"end": "2015"}),
    ):
        record = record_file(name)
        record["source"]["id"] = identifier
        edited = factory_project(record)
        edited["id"] = identifier
        edited.pop("start", None)
        edited.pop("end", None)
        edited.update(dates)
        paths.append(write_record(tmp_path, record, f"{identifier}.json"))
    report = run(paths, settings, store)
    assert report.ok, report.summary()
    with TestClient(create_app(settings, store), base_url=BASE.rstrip("/")) as client:
        assert ids(client.get("/api/v1/projects?year=2014")) == ["only-start"]
        assert ids(client.get("/api/v1/projects?year=2015")) == ["only-end"]
        assert ids(client.get("/api/v1/projects?year=2013")) == []
        assert ids(client.get("/api/v1/projects?year=2016")) == []
        assert ids(client.get("/api/v1/projects?sort=start")) == ["only-start", "only-end"]
        assert ids(client.get("/api/v1/projects?sort=-end")) == ["only-end", "only-start"]


def test_text_that_looks_like_sparql_is_only_text(client: TestClient) -> None:
    response = client.get("/api/v1/projects", params={"q": '"} } ?s ?p ?o . FILTER(true) # if q .*'})
    assert ids(response) == []
    assert response.json()["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "country=cze",
        "region=CZ 051",
        "programme=OP LZZ",
        "status=finished!",
        "year=abc",
        "sort=budget",
        "organisation=a/b",
        "co_financed_by=State Budget",
        "page=0",
        "per_page=0",
        "format=turtle",
    ],
)
def test_malformed_parameter_is_refused(client: TestClient, query: str) -> None:
    response = client.get(f"/api/v1/projects?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    parameter = query.split("=")[0]
    assert response.json()["detail"].startswith(f"{parameter}: ")


def test_text_pattern_ignores_case_and_accents_and_escapes_the_rest() -> None:
    pattern = re.compile(text_pattern("Sociální  služby"), re.IGNORECASE)
    for text in ("sociální služby", "SOCIÁLNÍ SLUŽBY", "socialni sluzby", "Socialní\tslužby"):
        assert pattern.fullmatch(text), text
    assert not pattern.fullmatch("sociálníslužby")
    literal = re.compile(text_pattern("a.b (c)*"), re.IGNORECASE)
    assert literal.fullmatch("á.b (č)*")
    assert not literal.fullmatch("axb (c)")
    assert not literal.fullmatch("a.b (c)))")


def test_bind_writes_terms_and_drops_lines_of_absent_parameters() -> None:
    from pyoxigraph import Literal, NamedNode

    template = (
        "SELECT * {\n  ?s ?p $value .  # if value\n  ?s ?q $other .  # if other\n  VALUES ?s { <a> }\n}"
    )
    bound = bind(template, value=Literal('x" }'), s=[NamedNode("http://e/1"), NamedNode("http://e/2")])
    assert bound == 'SELECT * {\n  ?s ?p "x\\" }" .\n  VALUES ?s { <http://e/1> <http://e/2> }\n}\n'


@pytest.mark.parametrize("path", sorted((ROOT / "api" / "queries").glob("*.rq")), ids=lambda path: path.name)
def test_query_file_runs_as_it_stands(published: Published, path: Path) -> None:
    """Unbound, every `$name` is a variable and every `# if` line stays: still SPARQL that runs (the
    filters of projects.rq then compare with unbound variables, so it finds nothing)."""
    result = published.store.query(path.read_text(encoding="utf-8"), base_iri=published.ns.base)
    assert isinstance(result, QuerySolutions | QueryTriples)
    rows = list(result)
    assert (len(rows) == 0) == (path.name == "projects.rq")


# -- sorting and paging ---------------------------------------------------------------------------------


def test_projects_sort_by_title_by_default(client: TestClient) -> None:
    items = client.get("/api/v1/projects").json()["items"]
    titles = [min(item["title"].values()).lower() for item in items]
    assert titles == sorted(titles)
    assert len(items) == 5


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("start", [ZLIN, TABOR_WELS, LIBEREC, CENTRAL_BOHEMIA, LITHUANIAN]),
        ("-start", [LITHUANIAN, CENTRAL_BOHEMIA, LIBEREC, TABOR_WELS, ZLIN]),
        ("end", [TABOR_WELS, ZLIN, LIBEREC, CENTRAL_BOHEMIA, LITHUANIAN]),
        ("-end", [LITHUANIAN, CENTRAL_BOHEMIA, LIBEREC, ZLIN, TABOR_WELS]),
    ],
)
def test_projects_sort_by_dates(client: TestClient, sort: str, expected: list[str]) -> None:
    assert ids(client.get(f"/api/v1/projects?sort={sort}")) == expected


def test_title_descending_is_title_ascending_reversed(client: TestClient) -> None:
    assert (
        ids(client.get("/api/v1/projects?sort=-title"))
        == ids(client.get("/api/v1/projects?sort=title"))[::-1]
    )


def test_pages_cover_every_project_once_with_total_and_links(client: TestClient) -> None:
    seen: list[str] = []
    url: str | None = "/api/v1/projects?per_page=2&sort=start"
    pages = 0
    while url is not None:
        response = client.get(url)
        body = response.json()
        assert body["total"] == 5
        assert body["perPage"] == 2
        assert len(body["items"]) == (2 if body["page"] < 3 else 1)
        seen += ids(response)
        pages += 1
        url = body.get("next")
        if url is not None:
            assert f'<{url}>; rel="next"' in response.headers["link"]
    assert pages == 3
    assert seen == ids(client.get("/api/v1/projects?sort=start"))
    last = client.get("/api/v1/projects?per_page=2&sort=start&page=3").json()
    assert httpx.URL(last["prev"]).params == httpx.QueryParams(
        {"per_page": "2", "sort": "start", "page": "2"}
    )
    assert "next" not in last


def test_page_past_the_end_is_empty_with_the_total(client: TestClient) -> None:
    body = client.get("/api/v1/projects?page=9").json()
    assert body["items"] == []
    assert body["total"] == 5
    assert httpx.URL(body["prev"]).params == httpx.QueryParams({"page": "1", "per_page": "20"})


def test_page_size_above_maximum_is_a_problem(client: TestClient, published: Published) -> None:
    limit = published.settings.page_size_max
    response = client.get(f"/api/v1/projects?per_page={limit + 1}")
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Bad request",
        "status": 400,
        "detail": f"per_page is {limit + 1}; expected at most {limit}",
    }
    assert client.get(f"/api/v1/projects?per_page={limit}").status_code == 200


# -- one project: every fact ----------------------------------------------------------------------------


def project(client: TestClient, identifier: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/projects/{identifier}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_total_budget_keeps_amount_and_currency(client: TestClient) -> None:
    [funding] = project(client, LIBEREC)["funding"]
    assert Decimal(funding["amount"]) == Decimal("8464591.00")
    assert funding["currency"]["code"] == "CZK"
    assert funding["currency"]["iri"] == "http://publications.europa.eu/resource/authority/currency/CZK"
    assert funding["fundingType"]["notation"] == "total-budget"
    assert funding["sourceText"] == {"cs": "Celkový rozsah plnění: 8 464 591,00 Kč"}


def test_rate_and_amount_without_currency_keep_their_note(client: TestClient) -> None:
    body = project(client, TABOR_WELS)
    [funding] = body["funding"]
    assert funding["rate"] == "0.75"
    assert Decimal(funding["amount"]) == Decimal("85440.00")
    assert "currency" not in funding
    assert funding["fundingType"]["notation"] == "unspecified"
    [note] = funding["notes"]["en"]
    assert "no currency" in note


def test_missing_coordinator_stays_absent(client: TestClient) -> None:
    body = project(client, TABOR_WELS)
    assert body["participants"] == []
    assert "The page's 'Coordinator' entry is empty, so no coordinator is recorded." in body["notes"]["en"]
    zlin = project(client, ZLIN)["participants"]
    assert [(p["organisation"]["id"], p["role"]["notation"]) for p in zlin] == [
        ("cz-zlinsky-kraj", "implementer")
    ]
    assert zlin[0]["organisation"]["name"] == {"cs": "Zlínský kraj"}


def test_dates_keep_their_precision(client: TestClient) -> None:
    central = project(client, CENTRAL_BOHEMIA)
    assert central["start"] == {"value": "2009-06-01", "precision": "day"}
    assert central["end"] == {"value": "2011-06", "precision": "month"}
    assert project(client, ZLIN)["start"] == {"value": "2006-09", "precision": "month"}
    lithuanian = project(client, LITHUANIAN)
    assert (lithuanian["start"], lithuanian["end"]) == (
        {"value": "2016", "precision": "year"},
        {"value": "2017", "precision": "year"},
    )
    assert "status" not in project(client, LIBEREC)


def test_project_has_codes_programme_funds_places_and_target_groups(client: TestClient) -> None:
    body = project(client, TABOR_WELS)
    assert body["projectCodes"] == ["CZ.04.4.83/3.2.03.1/0448"]
    assert body["programme"]["notation"] == "cz-at-2000-2006"
    assert body["programme"]["programmingPeriod"] == "2000-2006"
    assert body["programme"]["label"]["en"] == "2000 - 2006 Czech Republic - Austria (CZ-AT)"
    assert [fund["notation"] for fund in body["funds"]] == ["interreg"]
    assert body["status"]["label"]["cs"] == "ukončený"
    assert [country["code"] for country in body["countries"]] == ["AUT", "CZE"]
    assert {place["label"]["cs"]: place["country"]["code"] for place in body["places"]} == {
        "Tábor": "CZE",
        "Wels": "AUT",
    }
    [group] = body["targetGroups"]
    assert group["concept"]["notation"] == "social-care-workers"
    assert group["text"] == {"cs": "pracovníci sociální péče a služeb"}
    [event] = body["events"]
    assert event["date"] == {"value": "2005-09", "precision": "month"}
    assert body["source"]["file"] == "000_4dd8ee0e22d07abc.txt"
    assert body["source"]["language"]["code"] == "CES"


def test_co_financing_sources_and_region_labels(client: TestClient) -> None:
    body = project(client, ZLIN)
    assert [source["notation"] for source in body["coFinancedBy"]] == ["cz-state-budget", "esf"]
    assert body["programme"]["programmingPeriod"] == "2004-2006"
    [region] = body["regions"]
    assert region["iri"] == nuts("CZ072").value
    assert region["label"]["cs"] == "Zlínský kraj"


def test_indicators_keep_value_unit_measure_sentence_and_plan(client: TestClient) -> None:
    indicators = {i["iri"].rsplit("/", 1)[1]: i for i in project(client, TABOR_WELS)["indicators"]}
    participants = indicators["participants"]
    assert participants["value"] == "20"
    assert participants["unit"]["notation"] == "person"
    assert participants["measure"]["notation"] == "participants"
    assert participants["label"]["en"] == "exchange participants, ten from each town"
    assert participants["sourceText"]["cs"].endswith("( celkem 20 osob ).")
    assert participants["planned"] is True
    assert "planned" not in indicators["partners"]
    trained = {i["measure"]["notation"]: i["value"] for i in project(client, LITHUANIAN)["indicators"]}
    assert trained == {"people-trained": "460", "seminars-held": "24"}


def test_outputs_keep_type_codes_accreditation_quantity_and_plan(client: TestClient) -> None:
    outputs = {o["iri"].rsplit("/", 1)[1]: o for o in project(client, LIBEREC)["outputs"]}
    meposs = outputs["meposs"]
    assert meposs["outputType"]["notation"] == "training-programme"
    assert meposs["accreditationNumbers"] == ["2010/1179-PC/SP/VP"]
    assert meposs["accreditedBy"]["id"] == "cz-mpsv"
    assert meposs["accreditedBy"]["name"] == {"cs": "MPSV"}
    assert sum(o["outputType"]["notation"] == "publication" for o in outputs.values()) == 4
    central = {o["iri"].rsplit("/", 1)[1]: o for o in project(client, CENTRAL_BOHEMIA)["outputs"]}
    assert central["project-plans"]["quantity"] == 2
    assert central["web-portal"]["planned"] is True
    assert central["capacity-analysis"]["notes"] == {"en": ["Part of the brochure."]}


def test_alternative_title_website_and_stated_date(client: TestClient) -> None:
    lithuanian = project(client, LITHUANIAN)
    assert lithuanian["alternativeTitles"] == {"lt": ["Institucinės globos pertvarkos projektas"]}
    assert lithuanian["applicationNumbers"] == [LITHUANIAN]
    [stated] = lithuanian["source"]["statedDates"]
    assert stated["date"] == {"value": "2017-06-29", "precision": "day"}
    assert stated["meaning"] == "date"
    assert project(client, CENTRAL_BOHEMIA)["website"] == "http://www.partnerstvi-cpkp.cz"


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        (
            "/api/v1/projects/no-such-project",
            "No project has the identifier 'no-such-project'; GET /api/v1/projects lists them",
        ),
        ("/api/v1/projects/-bad", "No project has the identifier '-bad'; GET /api/v1/projects lists them"),
        (
            "/api/v1/organisations/nobody",
            "No organisation has the identifier 'nobody'; GET /api/v1/organisations lists them",
        ),
        (
            "/api/v1/programmes/op-nothing",
            "No programme has the notation 'op-nothing'; GET /api/v1/programmes lists them",
        ),
        ("/api/v1/funds/esf-x", "No fund has the notation 'esf-x'; GET /api/v1/funds lists them"),
        ("/api/v1/funds/op-lzz", "No fund has the notation 'op-lzz'; GET /api/v1/funds lists them"),
    ],
)
def test_unknown_identifier_is_404_problem(client: TestClient, path: str, detail: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {"type": "about:blank", "title": "Not found", "status": 404, "detail": detail}


# -- organisations, programmes, funds -------------------------------------------------------------------


def test_organisation_with_its_facts_and_roles(client: TestClient) -> None:
    body = client.get("/api/v1/organisations/cz-zlinsky-kraj").json()
    assert body["name"] == {"cs": "Zlínský kraj"}
    assert (body["companyNumber"], body["dataBox"]) == ("70891320", "scsbwku")
    assert body["country"]["code"] == "CZE"
    assert body["region"]["code"] == "CZ072"
    assert body["place"]["label"] == {"cs": "Zlín"}
    address = body["address"]
    assert (address["street"], address["postalCode"], address["locality"]) == (
        "třída Tomáše Bati 21",
        "761 90",
        "Zlín",
    )
    assert address["country"]["code"] == "CZE"
    [participation] = body["participations"]
    assert participation["role"]["notation"] == "implementer"
    assert participation["project"]["id"] == ZLIN
    assert participation["project"]["title"]["cs"].startswith("Vzdělávání v oblasti komunitního plánování")


def test_organisation_hierarchy_and_accreditation(client: TestClient) -> None:
    part = client.get("/api/v1/organisations/lt-vvtait").json()
    assert part["partOf"]["id"] == "lt-sadm"
    whole = client.get("/api/v1/organisations/lt-sadm").json()
    assert [p["id"] for p in whole["parts"]] == ["lt-vvtait"]
    assert whole["participations"] == []
    ministry = client.get("/api/v1/organisations/cz-mpsv").json()
    [output] = ministry["accredited"]
    assert output["accreditationNumbers"] == ["2010/1179-PC/SP/VP"]
    assert ministry["notes"]["en"][0].startswith("Named only by its abbreviation")


def test_organisations_list_by_name_with_projects(client: TestClient) -> None:
    body = client.get("/api/v1/organisations").json()
    assert body["total"] == 6
    names = [min(item["name"].values()).lower() for item in body["items"]]
    assert names == sorted(names)
    roles = {
        (item["id"], p["project"]["id"], p["role"]["notation"])
        for item in body["items"]
        for p in item["participations"]
    }
    assert roles == {
        ("cz-zlinsky-kraj", ZLIN, "implementer"),
        ("lt-person-premier", LITHUANIAN, "implementer"),
        ("lt-vvtait", LITHUANIAN, "implementer"),
        ("cz-cpkp-stredni-cechy", CENTRAL_BOHEMIA, "implementer"),
    }
    second = client.get("/api/v1/organisations?per_page=4&page=2").json()
    assert [item["id"] for item in second["items"]] == [item["id"] for item in body["items"][4:]]


def test_programmes_with_periods_funds_and_projects(client: TestClient) -> None:
    body = client.get("/api/v1/programmes").json()
    programmes = {item["notation"]: item for item in body["items"]}
    assert set(programmes) >= {"op-lzz", "op-rlz", "cz-at-2000-2006"}
    assert body["total"] == len(body["items"])
    lzz = client.get("/api/v1/programmes/op-lzz").json()
    assert lzz == programmes["op-lzz"]
    assert lzz["programmingPeriod"] == "2007-2013"
    assert {p["id"] for p in lzz["projects"]} == {LIBEREC, CENTRAL_BOHEMIA}
    assert [fund["notation"] for fund in lzz["funds"]] == ["esf"]
    assert "OP LZZ" in lzz["altLabels"]["cs"]


def test_funds_with_funded_and_co_financed_projects(client: TestClient) -> None:
    esf = client.get("/api/v1/funds/esf").json()
    assert {p["id"] for p in esf["fundedProjects"]} == {ZLIN, CENTRAL_BOHEMIA}
    assert [p["id"] for p in esf["coFinancedProjects"]] == [ZLIN]
    assert {p["notation"] for p in esf["programmes"]} == {"op-lzz", "op-rlz"}
    budget = client.get("/api/v1/funds/cz-state-budget").json()
    assert budget["fundedProjects"] == []
    assert [p["id"] for p in budget["coFinancedProjects"]] == [ZLIN]
    notations = [item["notation"] for item in client.get("/api/v1/funds").json()["items"]]
    assert notations == sorted(notations)
    assert {"esf", "interreg", "cz-state-budget"} <= set(notations)


@pytest.mark.parametrize(
    ("path", "lists"),
    [
        ("/api/v1/organisations/cz-zlinsky-kraj", {"participations": "projects"}),
        ("/api/v1/programmes/op-lzz", {"projects": "projects"}),
        (
            "/api/v1/funds/esf",
            {"fundedProjects": "fundedProjects", "coFinancedProjects": "coFinancedProjects"},
        ),
    ],
)
def test_embedded_projects_are_the_first_of_the_list_they_link_to(
    client: TestClient, path: str, lists: dict[str, str]
) -> None:
    body = client.get(path).json()
    for key, name in lists.items():
        embedded = [item["project"]["id"] if "project" in item else item["id"] for item in body[key]]
        listed = client.get(body[f"{name}Url"])
        assert ids(listed) == embedded
        assert body[f"{name}Total"] == listed.json()["total"] == len(embedded)


def test_embedded_project_lists_stop_at_fifty_by_title(
    settings: Settings, store: LodStore, tmp_path: Path
) -> None:
    """At 20,000 projects a fund's document would embed them all; it embeds the first 50 by title, with
    the total and the URL of the full list."""
    record = record_file(ZLIN_FILE)
    template = factory_project(record)
    record["projects"] = [
        {**template, "id": f"bulk-{number:02d}", "title": {"cs": f"Projekt {54 - number:02d}"}}
        for number in range(55)
    ]
    report = run([write_record(tmp_path, record)], settings, store)
    assert report.ok, report.summary()
    first = [f"bulk-{number:02d}" for number in range(54, 4, -1)]
    with TestClient(create_app(settings, store), base_url=BASE.rstrip("/")) as client:
        organisation = client.get("/api/v1/organisations/cz-zlinsky-kraj").json()
        assert [p["project"]["id"] for p in organisation["participations"]] == first
        assert organisation["projectsTotal"] == 55
        listed = client.get(organisation["projectsUrl"], params={"per_page": 50})
        assert ids(listed) == first
        programme = client.get("/api/v1/programmes/op-rlz").json()
        assert ([p["id"] for p in programme["projects"]], programme["projectsTotal"]) == (first, 55)
        fund = client.get("/api/v1/funds/cz-state-budget").json()
        assert [p["id"] for p in fund["coFinancedProjects"]] == first
        assert (fund["coFinancedProjectsTotal"], fund["fundedProjectsTotal"]) == (55, 0)


def test_record_schema_is_served(client: TestClient, published: Published) -> None:
    response = client.get("/api/v1/schema/record.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    assert response.json() == json.loads(published.settings.schema_path.read_text(encoding="utf-8"))
    assert "projects" in response.json()["properties"]


# -- JSON-LD: the same shape, and true RDF --------------------------------------------------------------

DOCUMENTS = [
    f"/api/v1/projects/{TABOR_WELS}",
    f"/api/v1/projects/{LIBEREC}",
    f"/api/v1/projects/{ZLIN}",
    f"/api/v1/projects/{LITHUANIAN}",
    f"/api/v1/projects/{CENTRAL_BOHEMIA}",
    "/api/v1/organisations/cz-zlinsky-kraj",
    "/api/v1/organisations/lt-vvtait",
    "/api/v1/organisations/cz-mpsv",
    "/api/v1/programmes/op-lzz",
    "/api/v1/funds/esf",
]


@pytest.mark.parametrize("path", [*DOCUMENTS, "/api/v1/projects?country=CZE&per_page=2", "/api/v1/funds"])
def test_json_ld_is_the_json_plus_context(client: TestClient, path: str) -> None:
    plain = client.get(path)
    by_accept = client.get(path, headers={"Accept": "application/ld+json"})
    by_parameter = client.get(path + ("&" if "?" in path else "?") + "format=jsonld")
    context = "http://127.0.0.1:8000/api/v1/context.jsonld"
    assert plain.headers["content-type"] == "application/json"
    assert f'<{context}>; rel="http://www.w3.org/ns/json-ld#context"' in plain.headers["link"]
    for response in (by_accept, by_parameter):
        assert response.headers["content-type"] == "application/ld+json"
        assert "Accept" in [name.strip() for name in response.headers["vary"].split(",")]
        assert response.json() == {"@context": context, **plain.json()}


@pytest.mark.parametrize("path", DOCUMENTS)
def test_json_ld_expands_to_triples_that_are_in_the_store(
    client: TestClient, published: Published, path: str
) -> None:
    document = client.get(path, headers={"Accept": "application/ld+json"}).json()
    triples = expanded(client, document)
    assert len(triples) > 10
    assert triples - store_triples(published) == set()


def test_json_ld_title_and_dates_are_the_store_terms(client: TestClient, published: Published) -> None:
    document = client.get(f"/api/v1/projects/{CENTRAL_BOHEMIA}?format=jsonld").json()
    graph = read_json_ld(with_context(client, document))
    subject = URIRef(published.ns.project(CENTRAL_BOHEMIA).value)
    title = document["title"]["cs"]
    assert (subject, URIRef(DCTERMS + "title"), RdflibLiteral(title, lang="cs")) in graph
    end = URIRef(published.ns.term("endDate").value)
    assert (subject, end, RdflibLiteral("2011-06", datatype=URIRef(XSD + "gYearMonth"))) in graph
    start = URIRef(published.ns.term("startDate").value)
    assert (subject, start, RdflibLiteral("2009-06-01", datatype=URIRef(XSD + "date"))) in graph


def test_json_ld_of_a_page_states_only_stored_facts_about_projects(
    client: TestClient, published: Published
) -> None:
    document = client.get("/api/v1/projects?format=jsonld").json()
    triples = expanded(client, document)
    base = published.ns.base + "id/"
    facts = {t for t in triples if isinstance(t.subject, NamedNode) and t.subject.value.startswith(base)}
    projects = {t.subject for t in facts if t.object == published.ns.term("Project")}
    assert projects == {published.ns.project(identifier) for identifier in ALL}
    assert facts - store_triples(published) == set()


def test_json_ld_keeps_each_target_group_with_its_words_and_organisation_ids(
    client: TestClient, published: Published
) -> None:
    ns = published.ns
    document = client.get(f"/api/v1/projects/{CENTRAL_BOHEMIA}?format=jsonld").json()
    triples = expanded(client, document)
    mention = ns.part(CENTRAL_BOHEMIA, "target-group", "homeless-people")
    assert Triple(ns.project(CENTRAL_BOHEMIA), ns.term("targetGroupMention"), mention) in triples
    assert Triple(mention, ns.term("targetGroup"), ns.concept("target-group", "homeless-people")) in triples
    assert Triple(mention, ns.term("sourceText"), RdfLiteral("lidi bez domova", language="cs")) in triples
    organisation = ns.organisation("cz-cpkp-stredni-cechy")
    assert Triple(organisation, IDENTIFIER, RdfLiteral("cz-cpkp-stredni-cechy")) in triples


def test_every_key_is_a_term_of_the_context(client: TestClient) -> None:
    context = client.get("/api/v1/context.jsonld").json()["@context"]
    scoped = [d["@context"] for d in context.values() if isinstance(d, dict) and "@context" in d]
    terms = set(context).union(*scoped)
    language_maps = {
        term
        for definitions in (context, *scoped)
        for term, definition in definitions.items()
        if isinstance(definition, dict) and "@language" in str(definition.get("@container"))
    }
    for path in [
        *DOCUMENTS,
        "/api/v1/projects",
        "/api/v1/organisations",
        "/api/v1/programmes",
        "/api/v1/funds",
    ]:
        for where, key in keys(client.get(path).json(), language_maps):
            assert key in terms, f"{path}: {where}.{key} is not a term of the context"


def test_context_is_json_ld(client: TestClient, published: Published) -> None:
    response = client.get("/api/v1/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    context = response.json()["@context"]
    assert context["lodcat"] == published.ns.vocab
    assert context["title"] == {"@id": "dcterms:title", "@container": "@language"}


def test_other_representations_are_not_acceptable(client: TestClient) -> None:
    response = client.get("/api/v1/projects", headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == (
        "Nothing here matches Accept: text/turtle; available: application/json, application/ld+json"
    )


# -- OpenAPI --------------------------------------------------------------------------------------------


def test_openapi_describes_every_parameter_of_the_rest_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = [
        (path, operation)
        for path, item in spec["paths"].items()
        if path.startswith("/api/v1/")
        for operation in item.values()
    ]
    assert len(operations) == 10
    for path, operation in operations:
        assert operation.get("tags"), path
        assert operation.get("summary"), path
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{path}: {parameter['name']} has no description"
            assert parameter.get("examples") or parameter["schema"].get("examples"), (
                f"{path}: {parameter['name']}"
            )
    names = {p["name"] for p in spec["paths"]["/api/v1/projects"]["get"]["parameters"]}
    assert names == {
        "country",
        "region",
        "programme",
        "fund",
        "status",
        "year",
        "co_financed_by",
        "organisation",
        "q",
        "sort",
        "page",
        "per_page",
        "format",
    }


def test_openapi_has_response_models_with_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ok = spec["paths"]["/api/v1/projects/{id}"]["get"]["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/ProjectDetail"}
    assert "application/ld+json" in ok
    schemas = spec["components"]["schemas"]
    assert schemas["ProjectSummary"]["examples"][0]["end"] == {"value": "2011-06", "precision": "month"}
    assert schemas["Funding"]["examples"][0]["rate"] == "0.75"
    assert schemas["ProjectDetail"]["properties"]["participants"]["description"]


# -- a real server --------------------------------------------------------------------------------------


def test_live_server_filters_and_its_json_ld_context_resolves(live_server: LiveServer) -> None:
    url = live_server.url + "api/v1/projects"
    response = httpx.get(url, params={"country": "LTU"})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [LITHUANIAN]
    document = httpx.get(url, params={"country": "LTU"}, headers={"Accept": "application/ld+json"})
    assert document.json()["@context"] == live_server.url + "api/v1/context.jsonld"
    graph = read_json_ld(document.text)  # rdflib fetches the context over HTTP
    subject = URIRef(f"{live_server.url}id/project/{LITHUANIAN}")
    assert (
        subject,
        URIRef(live_server.url + "ontology#startDate"),
        RdflibLiteral("2016", datatype=URIRef(XSD + "gYear")),
    ) in graph


def test_live_server_project_and_schema(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}api/v1/projects/{LIBEREC}")
    assert response.status_code == 200
    assert response.json()["iri"] == f"{live_server.url}id/project/{LIBEREC}"
    schema = httpx.get(f"{live_server.url}api/v1/schema/record.json").json()
    assert schema == json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))


def test_text_search_is_the_pages_search_ignoring_accents_and_czech_endings(client: TestClient) -> None:
    response = client.get("/api/v1/projects", params={"q": "socialni sluzby"})
    assert response.status_code == 200
    ids = sorted(item["id"] for item in response.json()["items"])
    assert ids == [
        "CZ.04.4.83-3.2.03.1-0448",
        "komunitni-planovani-zlinsky-kraj",
        "odborna-partnerstvi-stredocesky-kraj",
        "vzdelani-pracovniku-socialni-sluzby",
    ]
    assert response.json()["total"] == 4
    lithuanian = client.get("/api/v1/projects", params={"q": "globos"}).json()
    assert [item["id"] for item in lithuanian["items"]] == ["08.4.1-ESFA-V-405-01-0001"]
    narrowed = client.get("/api/v1/projects", params={"q": "socialni sluzby", "region": "CZ072"}).json()
    assert [item["id"] for item in narrowed["items"]] == ["komunitni-planovani-zlinsky-kraj"]
