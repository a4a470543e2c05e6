"""/changes, /changes.atom and /changes.json after add, change and remove; ?since=; the catalogue."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from api.app import create_app
from loader.namespaces import DCAT, Namespaces
from loader.pipeline import run
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import BASE, DATA, LiveServer
from tests.test_records import seed, write

ATOM = "{http://www.w3.org/2005/Atom}"
SAMPLE = [
    "08.4.1-ESFA-V-405-01-0001",
    "CZ.04.4.83-3.2.03.1-0448",
    "komunitni-planovani-zlinsky-kraj",
    "odborna-partnerstvi-stredocesky-kraj",
    "vzdelani-pracovniku-socialni-sluzby",
]
CHANGED = "vzdelani-pracovniku-socialni-sluzby"  # the project of data/seed-001-vzdelani-pracovniku.json
NEW = "new-project"
# What each release added, changed and removed, newest first.
EXPECTED = [
    (3, {"added": [], "changed": [], "removed": [CHANGED]}),
    (2, {"added": [NEW], "changed": [CHANGED], "removed": []}),
    (1, {"added": SAMPLE, "changed": [], "removed": []}),
]
# The three loads of one test run happen within a second or two; the fixture dates them apart.
ISSUED = {1: "2026-01-10T09:00:00Z", 2: "2026-02-10T09:00:00Z", 3: "2026-03-10T09:00:00Z"}
PATHS = ["/changes", "/changes.atom", "/changes.json"]


@dataclass
class History:
    client: TestClient
    ns: Namespaces


def date_releases(store: LodStore, ns: Namespaces) -> None:
    """Give release n the dcterms:issued ISSUED[n], and the dataset the last one as dcterms:modified."""
    graph, issued = ns.graph("releases").value, f"<{DCTERMS}issued>"
    for version, stamp in ISSUED.items():
        store.update(
            f"DELETE {{ GRAPH <{graph}> {{ ?r {issued} ?old }} }} "
            f'INSERT {{ GRAPH <{graph}> {{ ?r {issued} "{stamp}"^^<{XSD}dateTime> }} }} '
            f"WHERE {{ GRAPH <{graph}> {{ ?r {issued} ?old }} "
            f"FILTER(?r = <{ns.release(str(version)).value}>) }}"
        )
    dataset, modified = ns.dataset().value, f"<{DCTERMS}modified>"
    store.update(
        f"DELETE {{ GRAPH <{graph}> {{ <{dataset}> {modified} ?old }} }} "
        f'INSERT {{ GRAPH <{graph}> {{ <{dataset}> {modified} "{ISSUED[3]}"^^<{XSD}dateTime> }} }} '
        f"WHERE {{ GRAPH <{graph}> {{ <{dataset}> {modified} ?old }} }}"
    )


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """Three releases, built once for the module's tests, which only read: the sample data; seed-001
    with a new project and a changed end date; seed-001 with only the new project, which removes the
    project seed-001 had."""
    folder = tmp_path_factory.mktemp("history")
    settings = Settings(store_path=folder / "store", base_iri=BASE)
    store = LodStore(settings.store_path)
    assert run([DATA], settings, store).release == 1
    changed = seed()
    changed["projects"][0]["end"] = "2011-05-31"
    changed["projects"].append({"id": NEW, "title": {"cs": "Nový projekt"}})
    assert run([write(folder, changed)], settings, store).release == 2
    shrunk = seed()
    shrunk["projects"] = [{"id": NEW, "title": {"cs": "Nový projekt"}}]
    assert run([write(folder, shrunk)], settings, store).release == 3
    ns = Namespaces(settings.base_iri)
    date_releases(store, ns)
    with TestClient(create_app(settings, store), base_url=BASE.rstrip("/")) as client:
        yield History(client, ns)


def ids(projects: list[dict[str, Any]]) -> list[str]:
    return [project["id"] for project in projects]


# -- the three representations list the same projects per release ---------------------------------------


def test_changes_lists_each_release_with_its_projects_newest_first(history: History) -> None:
    response = history.client.get("/changes")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "Accept" in response.headers["vary"].split(", ")
    log = response.json()
    assert [
        (release["version"], {kind: ids(release[kind]) for kind in ("added", "changed", "removed")})
        for release in log["releases"]
    ] == EXPECTED
    assert [release["issued"] for release in log["releases"]] == [ISSUED[3], ISSUED[2], ISSUED[1]]
    assert log["version"] == 3
    assert log["modified"] == ISSUED[3]
    assert log["dataset"] == history.ns.dataset().value
    release = log["releases"][1]
    assert release["iri"] == history.ns.release("2").value
    assert release["url"] == f"{BASE}doc/release/2"


def test_projects_have_titles_and_links_while_the_store_has_them(history: History) -> None:
    releases = {release["version"]: release for release in history.client.get("/changes").json()["releases"]}
    [new] = releases[2]["added"]
    assert new == {
        "iri": history.ns.project(NEW).value,
        "id": NEW,
        "title": {"cs": "Nový projekt"},
        "url": f"{BASE}doc/project/{NEW}",
    }
    assert history.client.get(new["url"], headers={"Accept": "text/turtle"}).status_code == 200
    # A removed project is no longer described: its IRI and identifier only.
    [removed] = releases[3]["removed"]
    assert removed == {"iri": history.ns.project(CHANGED).value, "id": CHANGED}
    kept = {project["id"]: project for project in releases[1]["added"]}
    assert kept["CZ.04.4.83-3.2.03.1-0448"]["title"] == {
        "cs": "Reciproční výměnný pobyt pracovníků sociální péče a služeb"
    }


def atom_entries(body: bytes, ns: Namespaces) -> list[tuple[str, dict[str, list[str]]]]:
    """(entry id, projects by kind) of each entry of an Atom feed, parsed with xml.etree."""
    feed = ET.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    entries = []
    for entry in feed.findall(f"{ATOM}entry"):
        links = entry.findall(f"{ATOM}link")
        projects = {
            kind: [
                str(link.get("href")).rsplit("/", 1)[1]
                for link in links
                if link.get("rel") == ns.vocab + kind
            ]
            for kind in ("added", "changed", "removed")
        }
        entries.append((entry.findtext(f"{ATOM}id") or "", projects))
    return entries


def test_atom_feed_has_an_entry_per_release_with_its_projects(history: History) -> None:
    response = history.client.get("/changes.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml"
    assert atom_entries(response.content, history.ns) == [
        (history.ns.release(str(version)).value, projects) for version, projects in EXPECTED
    ]
    feed = ET.fromstring(response.content)
    # The elements RFC 4287 requires of a feed (4.1.1) and of each entry (4.1.2).
    assert feed.findtext(f"{ATOM}id") == f"{BASE}changes"
    assert feed.findtext(f"{ATOM}title")
    assert feed.findtext(f"{ATOM}updated") == ISSUED[3]
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "lodcat"
    [self_link] = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link.get("href") == f"{BASE}changes.atom"
    entry = feed.findall(f"{ATOM}entry")[1]
    assert entry.findtext(f"{ATOM}title") == "Release 2: 1 added, 1 changed"
    assert entry.findtext(f"{ATOM}updated") == ISSUED[2]
    [new] = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == history.ns.vocab + "added"]
    assert new.get("title") == "Nový projekt"
    content = entry.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    assert f'<a href="{BASE}doc/project/{NEW}">Nový projekt</a>' in (content.text or "")


def test_json_feed_has_an_item_per_release_with_its_projects(history: History) -> None:
    response = history.client.get("/changes.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/feed+json"
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == f"{BASE}changes.json"
    assert feed["home_page_url"] == f"{BASE}changes"
    assert [
        (
            item["_lodcat"]["version"],
            {kind: ids(item["_lodcat"][kind]) for kind in ("added", "changed", "removed")},
        )
        for item in feed["items"]
    ] == EXPECTED
    assert [item["id"] for item in feed["items"]] == [history.ns.release(str(v)).value for v, _ in EXPECTED]
    assert [item["date_published"] for item in feed["items"]] == [ISSUED[3], ISSUED[2], ISSUED[1]]
    assert all(item["content_html"] and item["title"] for item in feed["items"])


class ReleaseSections(HTMLParser):
    """Per <section id="release-n">, the hrefs of the links in each <ul class="added|changed|removed">."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.found: dict[str, dict[str, list[str]]] = {}
        self._section: str | None = None
        self._list: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section" and (attributes.get("id") or "").startswith("release-"):
            self._section = attributes["id"]
            self.found[self._section or ""] = {}
        elif tag == "ul" and self._section:
            self._list = attributes.get("class")
            self.found[self._section][self._list or ""] = []
        elif tag == "a" and self._section and self._list:
            self.found[self._section][self._list].append(attributes.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul":
            self._list = None
        if tag == "section":
            self._section = None


def test_changes_page_for_browsers(history: History) -> None:
    response = history.client.get("/changes", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = ReleaseSections(response.text)
    assert list(page.found) == ["release-3", "release-2", "release-1"]
    assert page.found["release-2"] == {"added": [f"{BASE}doc/project/{NEW}"], "changed": []}
    assert page.found["release-3"] == {"removed": []}  # listed, but not linked: it is gone
    assert CHANGED in response.text
    assert f'type="application/atom+xml" href="{BASE}changes.atom"' in response.text


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [("application/atom+xml", "application/atom+xml"), ("application/feed+json", "application/feed+json")],
)
def test_changes_negotiates_the_feeds(history: History, accept: str, media_type: str) -> None:
    response = history.client.get("/changes", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type


def test_unchanged_feed_answers_304(history: History) -> None:
    first = history.client.get("/changes.atom")
    again = history.client.get("/changes.atom", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


# -- ?since= ----------------------------------------------------------------------------------------------


def versions(body: bytes, path: str) -> list[int]:
    """The release versions a response of `path` lists, in its order."""
    if path == "/changes.atom":
        entries = ET.fromstring(body).findall(f"{ATOM}entry")
        return [int((entry.findtext(f"{ATOM}id") or "").rsplit("/", 1)[1]) for entry in entries]
    document = json.loads(body)
    if path == "/changes.json":
        return [item["_lodcat"]["version"] for item in document["items"]]
    return [release["version"] for release in document["releases"]]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2026-02-10", [3, 2]),  # a date: the releases of that day and later
        ("2026-02-10T09:00:00Z", [3]),  # a dateTime: strictly later (release 2 was issued then)
        ("2026-02-10T08:59:59.5Z", [3, 2]),
        ("2026-02-10T09:00:00", [3]),  # no time zone: UTC
        ("2026-02-10T10:00:00+02:00", [3, 2]),  # 08:00 UTC
        ("2026-02-10T10:00:00 02:00", [3, 2]),  # the same with its '+' sent unencoded (a space)
        ("2026-02-11-01:00", [3]),  # from 2026-02-11T01:00Z on
        ("2026-03-11", []),
        ("2025-12-31", [3, 2, 1]),
    ],
)
def test_since_gives_only_the_releases_issued_after_it(
    history: History, path: str, since: str, expected: list[int]
) -> None:
    response = history.client.get(path, params={"since": since})
    assert response.status_code == 200, response.text
    assert versions(response.content, path) == expected


@pytest.mark.parametrize("path", PATHS)
def test_since_is_kept_in_the_links_to_the_feeds(history: History, path: str) -> None:
    response = history.client.get(path, params={"since": "2026-02-10"})
    assert f'<{BASE}changes.atom?since=2026-02-10>; rel="alternate"' in response.headers["link"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "since",
    [
        "yesterday",
        "2026-02-30",
        "2026-13-01",
        "2026-02-10T25:00:00Z",
        "2026-02-10T09:00:00+15:00",
        "",
        "20260210",
    ],
)
def test_bad_since_is_400_saying_what_is_expected(history: History, path: str, since: str) -> None:
    response = history.client.get(path, params={"since": since})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Bad since parameter",
        "status": 400,
        "detail": f"since has value {since!r}; expected an xsd:date such as 2026-01-31 "
        "or an xsd:dateTime such as 2026-01-31T12:00:00Z",
    }


# -- the catalogue and the first release -----------------------------------------------------------------


def test_catalogue_states_the_version_and_date_of_the_latest_release(history: History) -> None:
    response = history.client.get("/catalog.ttl")
    assert response.status_code == 200
    catalogue = Graph().parse(data=response.text, format="turtle")
    dataset = URIRef(history.ns.dataset().value)
    assert list(catalogue.objects(dataset, URIRef(DCAT + "version"))) == [Literal("3")]
    assert list(catalogue.objects(dataset, DCTERMS.modified)) == [Literal(ISSUED[3], datatype=XSD.dateTime)]


def test_empty_store_has_no_releases(settings: Settings, store: LodStore) -> None:
    with TestClient(create_app(settings, store), base_url=BASE.rstrip("/")) as client:
        log = client.get("/changes").json()
        feed = ET.fromstring(client.get("/changes.atom").content)
    assert log == {"dataset": f"{BASE}id/dataset/projects", "releases": []}
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}updated")


def test_live_server_feeds_the_first_release(live_server: LiveServer) -> None:
    ns = Namespaces(live_server.url)
    response = httpx.get(f"{live_server.url}changes.atom")
    assert response.status_code == 200
    assert atom_entries(response.content, ns) == [
        (ns.release("1").value, {"added": SAMPLE, "changed": [], "removed": []})
    ]
    bad = httpx.get(f"{live_server.url}changes.json", params={"since": "soon"})
    assert bad.status_code == 400
    assert bad.json()["detail"] == (
        "since has value 'soon'; expected an xsd:date such as 2026-01-31 "
        "or an xsd:dateTime such as 2026-01-31T12:00:00Z"
    )
