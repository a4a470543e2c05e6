"""Pages for people: home and search, a page per kind of thing, languages, charts, 404, speed, and the
pages driven in Debian's headless chromium (tests/browser/pages.mjs, playwright-core)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.charts import Bar, Group, bar_chart
from api.i18n import Translator, accepted, choose
from tests.conftest import ROOT, LiveServer, Published
from tests.test_resources import minted_subjects, path_of

SEED_000 = "CZ.04.4.83-3.2.03.1-0448"
SEED_001 = "vzdelani-pracovniku-socialni-sluzby"
SEED_002 = "komunitni-planovani-zlinsky-kraj"
SEED_003 = "08.4.1-ESFA-V-405-01-0001"
SEED_004 = "odborna-partnerstvi-stredocesky-kraj"
CZECH = {SEED_000, SEED_001, SEED_002, SEED_004}
LITHUANIAN_TITLE = (
    "Tvaraus perėjimo nuo institucinės globos prie šeimoje ir bendruomenėje teikiamų paslaugų sistemos "
    "sąlygų sukūrimas Lietuvoje"
)
NBSP = "\u00a0"
DASH = "\u2013"  # an en dash between two dates
SCRIPT = ROOT / "tests" / "browser" / "pages.mjs"
ARTIFACTS = ROOT / "test-artifacts"
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
PAGES = [
    "/",
    "/search?q=socialni+sluzby",
    "/search?q=socialni+sluzby&programme=op-lzz&sort=-start&lang=cs",
    f"/doc/project/{SEED_001}.html",
    f"/doc/project/{SEED_003}.html",
    f"/doc/project/{SEED_000}.html",
    "/doc/organisation/cz-zlinsky-kraj.html",
    "/doc/concept/programme/op-lzz.html",
    "/doc/concept/fund/esf.html",
    "/doc/concept/target-group/homeless-people.html",
    "/doc/scheme/programme.html",
    "/doc/place/cz-tabor.html",
    "/doc/source/seed-001.html",
    "/region/CZ051",
    "/region/CZ05",
    "/country/CZE",
]


class Page(HTMLParser):
    """What a test reads of a page: the <html lang>, the h1, texts by element id, links, the
    alternates, the JSON-LD, form fields and their labels, and the text without tags."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang = ""
        self.h1: list[str] = []
        self.h1_lang: str | None = None
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.alternates: dict[str, str] = {}
        self.json_ld: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.labels: set[str] = set()
        self.fields: list[str] = []
        self.svgs = 0
        self.words: list[str] = []
        self._stack: list[str] = []
        self._link: list[str] | None = None
        self._script = ""
        self._in_script = False
        self.feed(text)

    @property
    def text(self) -> str:
        """The words of the page, runs of ASCII white space as one space (no-break spaces kept)."""
        return re.sub(r"[ \t\r\n]+", " ", " ".join(self.words)).strip()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        self._stack.append(tag)
        if tag == "html":
            self.lang = attributes.get("lang", "")
        if tag == "h1":
            self.h1.append("")
            self.h1_lang = attributes.get("lang")
        if tag == "a":
            self._link = [attributes.get("href", ""), ""]
        if tag == "link" and attributes.get("rel") == "alternate":
            self.alternates[attributes["type"]] = attributes["href"]
        if tag == "script":
            assert attributes.get("type") == "application/ld+json", attributes
            self._in_script = True
        if tag == "label":
            self.labels.add(attributes.get("for", ""))
        if tag in ("input", "select") and attributes.get("type") != "hidden":
            self.fields.append(attributes.get("id", ""))
        if tag == "svg":
            self.svgs += 1
        if "id" in attributes:
            self.ids.add(attributes["id"])

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        if tag == "script":
            self.json_ld.append(json.loads(self._script))
            self._in_script, self._script = False, ""

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._script += data
            return
        if "h1" in self._stack:
            self.h1[-1] += data
        if self._link is not None:
            self._link[1] += data
        if "title" not in self._stack:
            self.words.append(data)

    def hrefs(self, containing: str) -> list[str]:
        return [href for href, _ in self.links if containing in href]


def get(client: TestClient, path: str, **headers: str) -> Page:
    """The page at `path` for a reader without a language cookie (the shared client keeps cookies)."""
    client.cookies.clear()
    response = client.get(path, headers={"Accept": "text/html", **headers})
    assert response.status_code == 200, (path, response.text[:500])
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return Page(response.text)


def hits(page: Page, published: Published) -> list[str]:
    prefix = published.ns.base + "doc/project/"
    return [href[len(prefix) :] for href, _ in page.links if href.startswith(prefix)]


# -- home and search ----------------------------------------------------------------------------------


def test_home_page_has_a_labelled_search_box_facets_and_charts(client: TestClient) -> None:
    page = get(client, "/")
    assert page.lang == "en"
    assert page.h1 == ["lodcat Publicly funded projects as linked open data"]
    assert {"q", "sort"} <= set(page.fields) and set(page.fields) <= page.labels
    assert {"facet-country", "facet-programme", "facet-period", "facet-target_group"} <= page.ids
    assert "5 projects" in page.text
    assert {"chart-fund", "chart-programme", "chart-year", "chart-indicators"} <= page.ids
    [website] = page.json_ld
    assert website["@type"] == "WebSite"
    assert website["potentialAction"]["@type"] == "SearchAction"


def test_search_lists_the_czech_projects(client: TestClient, published: Published) -> None:
    page = get(client, "/search?q=socialni+sluzby")
    assert set(hits(page, published)) == CZECH
    assert "4 projects for “socialni sluzby”" in page.text


def test_a_facet_link_narrows_the_list(client: TestClient, published: Published) -> None:
    page = get(client, "/search?q=socialni+sluzby")
    [narrower] = [href for href in page.hrefs("programme=op-lzz")]
    narrowed = get(client, narrower)
    assert set(hits(narrowed, published)) == {SEED_001, SEED_004}
    [remove] = [href for href, text in narrowed.links if text.startswith("Programme: Operational Programme")]
    assert set(hits(get(client, remove), published)) == CZECH


def test_sort_is_a_parameter_and_pages_past_the_end_are_empty(
    client: TestClient, published: Published
) -> None:
    page = get(client, "/search?sort=-start")
    assert hits(page, published) == [SEED_003, SEED_004, SEED_001, SEED_000, SEED_002]
    after = get(client, "/search?sort=-start&page=2")
    assert hits(after, published) == []
    assert "5 projects" in after.text


def test_bad_parameters_fall_back_to_the_defaults(client: TestClient, published: Published) -> None:
    page = get(client, "/search?q=globos&sort=size&page=zero&colour=red")
    assert hits(page, published) == [SEED_003]


# -- languages ------------------------------------------------------------------------------------------


def test_accept_language_chooses_the_interface_language(client: TestClient) -> None:
    page = get(client, "/", **{"Accept-Language": "de-AT, cs;q=0.8, en;q=0.5"})
    assert page.lang == "cs"
    assert "Hledat projekty" in page.text


def test_the_switch_sets_a_cookie_that_later_pages_follow(published: Published) -> None:
    from api.app import create_app

    with TestClient(
        create_app(published.settings, published.store), base_url="http://127.0.0.1:8000"
    ) as fresh:
        switched = fresh.get("/?lang=cs")
        assert "lodcat_lang=cs" in switched.headers["set-cookie"]
        assert Page(fresh.get("/search?q=globos").text).lang == "cs"
        assert Page(fresh.get("/search?q=globos", headers={"Accept-Language": "en"}).text).lang == "cs"
        assert Page(fresh.get("/?lang=en").text).lang == "en"


def test_language_choice() -> None:
    assert accepted("cs-CZ,cs;q=0.9,en;q=0.8,*;q=0") == ["cs", "cs", "en"]
    assert choose(None, None, "fr, de;q=0.9") == "en"
    assert choose("xx", "cs", "en") == "cs"
    assert choose("en", "cs", "cs") == "en"


def test_numbers_and_money_in_each_language() -> None:
    czech, english = Translator("cs"), Translator("en")
    assert czech.money(Decimal("8464591.00"), "CZK") == f"8{NBSP}464{NBSP}591,00{NBSP}CZK"
    assert english.money(Decimal("8464591.00"), "CZK") == f"8,464,591.00{NBSP}CZK"
    assert czech.percent(Decimal("0.75")) == f"75{NBSP}%"
    assert english.percent(Decimal("0.75")) == "75%"
    assert czech.number(Decimal("1214")) == f"1{NBSP}214"
    assert english.period("2016", "2017") == f"2016 {DASH} 2017"
    assert czech.period(None, "2011-06") == "do 2011-06"


# -- a page per thing -----------------------------------------------------------------------------------


def test_project_page_in_czech_shows_amount_and_period(client: TestClient, published: Published) -> None:
    page = get(client, f"/doc/project/{SEED_001}?lang=cs")
    assert page.lang == "cs"
    assert page.h1 == ["Vzdělání pracovníků jako základ rozvoje sociálních služeb"]
    assert page.h1_lang == "cs"
    assert f"8{NBSP}464{NBSP}591,00{NBSP}CZK" in page.text
    assert f"Období 2009-05-01 {DASH} 2011-04-30" in page.text
    assert "Programové období 2007-2013" in page.text
    base = published.ns.base
    assert f"{base}region/CZ051" in page.hrefs("region/")
    assert f"{base}doc/concept/programme/op-lzz" in page.hrefs("programme/")
    assert {"funding-total", "indicator-consultation-hours", "output-meposs"} <= page.ids
    assert f"{base}doc/project/{SEED_001}/indicator/consultation-hours" in page.hrefs("/indicator/")


def test_project_page_in_english_formats_numbers_the_english_way(client: TestClient) -> None:
    page = get(client, f"/doc/project/{SEED_001}", **{"Accept-Language": "en-GB"})
    assert f"8,464,591.00{NBSP}CZK" in page.text
    assert f"Period 2009-05-01 {DASH} 2011-04-30" in page.text
    assert "Shown in the original language (Czech)" in page.text  # the title is Czech only


def test_project_page_shows_rate_and_an_amount_without_currency(client: TestClient) -> None:
    page = get(client, f"/doc/project/{SEED_000}.html?lang=cs")
    assert f"85{NBSP}440,00 (měna neuvedena)" in page.text
    assert f"75{NBSP}%" in page.text
    assert "Rakousko" in page.text and "Tábor" in page.text


def test_lithuanian_title_is_shown_and_marked(client: TestClient) -> None:
    for language, name in (("en", "in Lithuanian"), ("cs", "litevština")):
        client.cookies.clear()
        response = client.get(f"/doc/project/{SEED_003}?lang={language}", headers={"Accept": "text/html"})
        page = Page(response.text)
        assert page.h1 == [LITHUANIAN_TITLE]
        assert page.h1_lang == "lt"
        assert f'<abbr class="lang-tag" title="{name}">lt</abbr>' in response.text


def test_project_page_links_its_representations_and_embeds_json_ld(
    client: TestClient, published: Published
) -> None:
    page = get(client, f"/doc/project/{SEED_001}.html")
    document = f"{published.ns.base}doc/project/{SEED_001}"
    assert page.alternates == {
        "text/turtle": f"{document}.ttl",
        "application/n-triples": f"{document}.nt",
        "application/ld+json": f"{document}.jsonld",
        "application/rdf+xml": f"{document}.rdf",
        "text/html": f"{document}.html",
    }
    [project] = page.json_ld
    assert project["@context"] == "https://schema.org"
    assert project["@type"] == "Project"
    assert project["@id"] == published.ns.project(SEED_001).value
    assert project["funding"] == [
        {
            "@type": "MonetaryGrant",
            "name": "total budget",
            "amount": {"@type": "MonetaryAmount", "currency": "CZK", "value": "8464591"},
        }
    ]
    assert project["foundingDate"] == "2009-05-01"


def test_organisation_page_lists_projects_and_roles(client: TestClient, published: Published) -> None:
    page = get(client, "/doc/organisation/cz-zlinsky-kraj.html")
    assert hits(page, published) == [SEED_002]
    assert "Role: implementer" in page.text
    assert page.json_ld[0]["@type"] == "Organization"


def test_programme_page_lists_its_projects_with_totals(client: TestClient, published: Published) -> None:
    page = get(client, "/doc/concept/programme/op-lzz.html")
    assert set(hits(page, published)) == {SEED_001, SEED_004}
    assert "Programming period 2007-2013" in page.text
    assert "8,464,591.00 CZK" in page.text.replace(NBSP, " ")
    assert "facet-programme" not in page.ids  # the page's own filter is not offered
    assert page.json_ld[0]["@type"] == "FundingScheme"


def test_fund_page_names_its_programmes(client: TestClient, published: Published) -> None:
    page = get(client, "/doc/concept/fund/esf.html")
    assert set(hits(page, published)) == {SEED_002, SEED_004}
    assert "Operational Programme Human Resources Development" in page.text


def test_region_pages_include_the_regions_within(client: TestClient, published: Published) -> None:
    page = get(client, "/region/CZ051")
    assert page.h1 == ["Liberec Region"]
    assert hits(page, published) == [SEED_001]
    assert "http://data.europa.eu/nuts/code/CZ051" in page.hrefs("nuts")
    assert page.alternates["text/turtle"].startswith(published.ns.base + "sparql?query=DESCRIBE")
    northeast = get(client, "/region/CZ05?lang=cs")
    assert northeast.h1 == ["Severovýchod"]
    assert hits(northeast, published) == [SEED_001]  # CZ051 is within CZ05
    assert f"{published.ns.base}region/CZ051" in northeast.hrefs("region/CZ051")


def test_country_page(client: TestClient, published: Published) -> None:
    page = get(client, "/country/LTU")
    assert page.h1 == ["Lithuania"]
    assert hits(page, published) == [SEED_003]
    assert page.json_ld[0]["@type"] == "Country"
    assert set(hits(get(client, "/country/CZE"), published)) == CZECH


def test_concept_scheme_place_and_source_pages(client: TestClient, published: Published) -> None:
    scheme = get(client, "/doc/scheme/programme.html")
    assert f"{published.ns.base}doc/concept/programme/op-rlz" in scheme.hrefs("op-rlz")
    place = get(client, "/doc/place/cz-tabor.html")
    assert hits(place, published) == [SEED_000]
    source = get(client, "/doc/source/seed-003.html")
    assert hits(source, published) == [SEED_003]
    assert "003_a02f10e9c7b4d256.txt" in source.text


def test_every_minted_iri_has_a_page(client: TestClient, published: Published) -> None:
    for iri in minted_subjects(published):
        document = published.ns.document(iri)
        assert document is not None
        page = get(client, path_of(document))
        assert page.h1, iri
        assert page.alternates.get("text/turtle") == f"{document}.ttl", iri


def test_every_page_has_one_h1_labelled_fields_and_json_ld(client: TestClient) -> None:
    for path in PAGES:
        page = get(client, path)
        assert len(page.h1) == 1, path
        assert set(page.fields) <= page.labels, path
        assert len(page.json_ld) == 1 and page.json_ld[0]["@context"] == "https://schema.org", path
        assert "content" in page.ids, path  # the skip link's target


def test_no_page_takes_over_200_ms(client: TestClient) -> None:
    client.cookies.clear()
    for path in PAGES:
        client.get(path, headers={"Accept": "text/html"})  # templates compile on first use
    slowest = {}
    for path in PAGES:
        started = time.perf_counter()
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 200
        slowest[path] = time.perf_counter() - started
    assert max(slowest.values()) < 0.2, slowest


# -- charts -------------------------------------------------------------------------------------------


def test_each_currency_is_a_group_on_its_own_scale() -> None:
    svg = bar_chart(
        "Total budget by fund",
        [
            Group("CZK", [Bar("ESF", Decimal(8_000_000), "8,000,000.00 CZK")]),
            Group(
                "EUR", [Bar("ESF", Decimal(1_000), "1,000.00 EUR"), Bar("ERDF", Decimal(500), "500.00 EUR")]
            ),
        ],
        "chart-fund",
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
    assert 'role="img" aria-labelledby="chart-fund-title"' in svg
    widths = [float(part.split('"')[0]) for part in svg.split('width="')[2:]]
    assert widths == [310.0, 310.0, 155.0]  # the largest bar of each currency is full width


def test_chart_text_is_escaped() -> None:
    svg = bar_chart("<b>", [Group("CZK", [Bar("a < b & c", Decimal(1), "1")])], "x")
    assert "<b>" not in svg and "a &lt; b &amp; c" in svg


# -- 404 ----------------------------------------------------------------------------------------------


def test_404_page_helps(client: TestClient) -> None:
    client.cookies.clear()
    for path in ("/doc/project/no-such-project", "/id/project/no-such-project", "/region/XX999"):
        response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
        assert response.status_code == 404, path
        page = Page(response.text)
        assert page.h1 == ["Page not found"]
        assert "q" in page.fields  # a search box, filled with the words of the address
        assert 'value="project no-such-project"' in response.text or path.startswith("/region")
    page = Page(client.get("/doc/project/no-such-project", headers={"Accept": "text/html"}).text)
    assert "Nothing in the store describes <http://127.0.0.1:8000/id/project/no-such-project>" in page.text


def test_404_for_programs_stays_problem_json(client: TestClient) -> None:
    client.cookies.clear()
    response = client.get("/doc/project/no-such-project")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


# -- in a real browser --------------------------------------------------------------------------------


@dataclass
class BrowserRun:
    server: str
    report: dict[str, Any] = field(default_factory=dict)


def drive(server: str) -> BrowserRun:
    """Run tests/browser/pages.mjs against `server`; fail, saying what to install, if it cannot run."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the pages' browser test runs a node script")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` installs Debian's chromium")
    if not (NODE_MODULES / "playwright-core").is_dir():
        pytest.fail(f"playwright-core is not installed: run `npm ci` in {ROOT}")
    ARTIFACTS.mkdir(exist_ok=True)
    environ = {**os.environ, "CHROMIUM": str(CHROMIUM), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    done = subprocess.run(
        [node, str(SCRIPT), server, str(ARTIFACTS)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return BrowserRun(server, json.loads(done.stdout))


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> BrowserRun:
    return drive(live_server.url)


def test_browser_search_lists_the_czech_projects(browser: BrowserRun) -> None:
    search = browser.report["search"]
    assert search["url"].startswith(browser.server + "search?q=socialni+sluzby")
    assert search["count"] == "4 projects"
    assert {href.rsplit("/", 1)[-1] for href in search["hrefs"]} == CZECH
    assert "Vzdělání pracovníků jako základ rozvoje sociálních služeb" in search["titles"]


def test_browser_facet_click_narrows_the_list(browser: BrowserRun) -> None:
    facet = browser.report["facet"]
    assert facet["label"] == "Operational Programme Human Resources and Employment"
    assert facet["count"] == "2 projects"
    assert {href.rsplit("/", 1)[-1] for href in facet["hrefs"]} == {SEED_001, SEED_004}
    assert facet["active"] == ["Programme: Operational Programme Human Resources and Employment \u00d7"]


def test_browser_project_page_of_seed_001(browser: BrowserRun) -> None:
    czech, english = browser.report["projectCs"], browser.report["projectEn"]
    assert czech["lang"] == "cs" and czech["remembered"] == "cs"
    assert czech["amounts"] == ["8 464 591,00 CZK"]
    assert czech["facts"]["Období"] == f"2009-05-01 {DASH} 2011-04-30"
    assert "8 464 591,00 CZK" in czech["text"]
    assert english["lang"] == "en"
    assert english["amounts"] == ["8,464,591.00 CZK"]
    assert english["facts"]["Period"] == f"2009-05-01 {DASH} 2011-04-30"
    assert browser.report["acceptLanguage"] == {"lang": "cs", "amounts": ["8 464 591,00 CZK"]}


def test_browser_lithuanian_project_page(browser: BrowserRun) -> None:
    lithuanian = browser.report["lithuanian"]
    assert lithuanian["h1"] == LITHUANIAN_TITLE
    assert lithuanian["h1Lang"] == "lt"
    assert lithuanian["marker"] == "lt"
    assert lithuanian["jsonLd"]["name"] == LITHUANIAN_TITLE


def test_browser_region_404_and_keyboard(browser: BrowserRun) -> None:
    assert browser.report["region"] == {"h1": "Liberec Region", "count": "1 project", "charts": 3}
    assert browser.report["notFound"]["status"] == 404
    assert browser.report["notFound"]["h1"] == "Page not found"
    assert browser.report["keyboard"] == {"firstFocus": "Skip to content", "searchLabel": "Search projects"}


def test_browser_stays_on_the_server_without_errors(browser: BrowserRun) -> None:
    assert browser.report["outsideRequests"] == []
    assert browser.report["failedRequests"] == []
    assert browser.report["consoleErrors"] == []
    names = {Path(path).name for path in browser.report["screenshots"]}
    assert names == {
        f"pages-{name}.png"
        for name in (
            "home",
            "search",
            "facet",
            "project-cs",
            "project-en",
            "lithuanian",
            "region",
            "not-found",
        )
    }
    assert all((ARTIFACTS / name).stat().st_size > 10_000 for name in names)
