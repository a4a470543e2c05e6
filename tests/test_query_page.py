"""/query: the query page, its examples and its files, and the page itself driven in headless chromium.

The browser tests run tests/browser/query_page.mjs (playwright-core, Debian's /usr/bin/chromium) against a
real `lodcat serve`: pick an example, run it, read the table, download CSV and JSON, complete a prefix,
and record every URL the page asked for. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from api.query_page import (
    INSTALL,
    NODE_MODULES,
    ROOT,
    STATIC,
    ExampleError,
    Package,
    get_packages,
    read_examples,
)
from tests.conftest import DATA, LiveServer, free_port, wait_until_responds

QUERIES = ROOT / "docs" / "queries"
ARTIFACTS = ROOT / "test-artifacts"
SCRIPT = ROOT / "tests" / "browser" / "query_page.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
EXAMPLE = "01-active-in-2007"
ACTIVE_IN_2007 = ["komunitni-planovani-zlinsky-kraj", "CZ.04.4.83-3.2.03.1-0448"]
ASSETS = {
    "/static/yasqe/yasqe.min.js": "text/javascript; charset=utf-8",
    "/static/yasqe/yasqe.min.css": "text/css; charset=utf-8",
    "/static/yasr/yasr.min.js": "text/javascript; charset=utf-8",
    "/static/yasr/yasr.min.css": "text/css; charset=utf-8",
    "/static/lodcat/query.js": "text/javascript; charset=utf-8",
    "/static/lodcat/query.css": "text/css; charset=utf-8",
}


# -- the examples ---------------------------------------------------------------------------------------


def test_examples_json_lists_every_competency_question(client: TestClient) -> None:
    response = client.get("/query/examples.json")
    assert response.status_code == 200
    examples = response.json()
    assert [example["name"] for example in examples] == [path.stem for path in sorted(QUERIES.glob("*.rq"))]
    first = examples[0]
    assert first == {
        "name": EXAMPLE,
        "title": "Which projects were running (active) at some time in 2007?",
        "query": (QUERIES / f"{EXAMPLE}.rq").read_text(encoding="utf-8"),
    }


def test_question_spanning_two_comment_lines_is_one_title(client: TestClient) -> None:
    titles = {example["name"]: example["title"] for example in client.get("/query/examples.json").json()}
    assert titles["04-organisations-in-region"] == (
        "Which organisations take part in projects carried out in Zlínský kraj (NUTS 3 CZ072), "
        "and in what role?"
    )


def test_query_without_question_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "01-fine.rq").write_text("# Question: Fine?\nASK {}\n", encoding="utf-8")
    (tmp_path / "02-bare.rq").write_text("PREFIX x: <x#>\nASK {}\n", encoding="utf-8")
    with pytest.raises(ExampleError) as raised:
        read_examples(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / '02-bare.rq'}: the first line is not a '# Question: ...' comment; every query in "
        "docs/queries starts with the question it answers (docs/queries/README.md)"
    )


# -- the page and its files -----------------------------------------------------------------------------


def test_page_offers_the_examples_and_loads_only_local_files(client: TestClient) -> None:
    response = client.get("/query")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    for path in ASSETS:
        assert f'"{path}"' in page
    assert "https://" not in page.replace("https://www.w3.org/", "")  # no CDN
    for example in read_examples(QUERIES):
        assert f'<option value="{example.name}">' in page
    assert 'id="not-installed"' not in page


@pytest.mark.parametrize(("path", "media_type"), ASSETS.items())
def test_editor_files_are_served_from_node_modules_and_api_static(
    client: TestClient, path: str, media_type: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    package, filename = path.split("/")[2:]
    assert response.content == (get_packages()[package].directory / filename).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/static/yasqe/package.json",  # not a .js, .css or .map file
        "/static/yasqe/..%2Fpackage.json",
        "/static/yasqe/.hidden.js",
        "/static/codemirror/codemirror.js",  # not a package of the page
        "/static/lodcat/missing.js",
    ],
)
def test_static_route_serves_nothing_else(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Yet Another SPARQL Query Editor" not in response.text  # package.json's description


@pytest.fixture
def without_node_modules(client: TestClient, tmp_path: Path) -> Iterator[TestClient]:
    """The shared app as if `npm ci` had never run: the packages' directories do not exist."""
    absent = {
        "yasqe": Package(tmp_path / "node_modules" / "@zazuko" / "yasqe" / "build", "@zazuko/yasqe"),
        "yasr": Package(tmp_path / "node_modules" / "@zazuko" / "yasr" / "build", "@zazuko/yasr"),
        "lodcat": Package(STATIC, None),
    }
    app = client.app
    assert hasattr(app, "dependency_overrides")
    app.dependency_overrides[get_packages] = lambda: absent
    try:
        yield client
    finally:
        app.dependency_overrides.pop(get_packages)


def test_page_without_node_modules_says_how_to_install(without_node_modules: TestClient) -> None:
    page = without_node_modules.get("/query").text
    assert 'id="not-installed"' in page
    assert "<code>@zazuko/yasqe</code>, <code>@zazuko/yasr</code>" in page
    assert (
        f"Run <code>{INSTALL}</code> in lodcat's directory (beside its <code>package.json</code>), "
        "then reload this page."
    ) in page
    assert "yasqe.min.js" not in page
    assert 'id="example"' not in page  # nothing to pick them into
    # The examples are still there to read.
    assert '<details class="example" id="01-active-in-2007">' in page
    assert "<summary>Which projects were running (active) at some time in 2007?</summary>" in page
    response = without_node_modules.get("/static/yasqe/yasqe.min.js")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail == f"@zazuko/yasqe is not installed: run `{INSTALL}` in lodcat's directory"


# -- the page in a browser ------------------------------------------------------------------------------


@dataclass
class BrowserRun:
    server: str
    report: dict[str, object]
    screenshot: Path


def drive(server: str, screenshot: Path) -> BrowserRun:
    """Run the Playwright script against `server`; fail, saying what to install, if it cannot run."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the query page's browser test runs a node script")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    if not (NODE_MODULES / "playwright-core").is_dir():
        pytest.fail(f"playwright-core is not installed: run `{INSTALL}` in {ROOT}")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot.unlink(missing_ok=True)
    environ = {**os.environ, "CHROMIUM": str(CHROMIUM), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    done = subprocess.run(
        [node, str(SCRIPT), server, EXAMPLE, str(screenshot)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return BrowserRun(server, report, screenshot)


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> BrowserRun:
    return drive(live_server.url, ARTIFACTS / "query-page.png")


def strings(value: object) -> list[str]:
    assert isinstance(value, list) and all(isinstance(item, str) for item in value), value
    return list(value)


def items(value: object) -> list[object]:
    assert isinstance(value, list), value
    return list(value)


def objects(value: object) -> list[dict[str, object]]:
    assert isinstance(value, list) and all(isinstance(item, dict) for item in value), value
    return list(value)


def test_picked_example_runs_and_the_table_shows_its_rows(browser: BrowserRun) -> None:
    report = browser.report
    assert strings(report["columns"])[1:] == ["project", "title", "start", "end"]
    rows = [strings(row) for row in items(report["rows"])]
    projects = [row[1] for row in rows]
    assert projects == [f"<{browser.server}id/project/{code}>" for code in ACTIVE_IN_2007]
    assert [row[3] for row in rows] == ['"2006-09"^^xsd:gYearMonth', '"2006-09-03"^^xsd:date']
    assert report["truncatedNotice"] is None


def test_page_offers_every_example(browser: BrowserRun) -> None:
    options = objects(browser.report["options"])
    assert [option["name"] for option in options] == [example.name for example in read_examples(QUERIES)]
    assert [option["title"] for option in options] == [example.title for example in read_examples(QUERIES)]


def test_no_request_leaves_the_server(browser: BrowserRun) -> None:
    server = urlsplit(browser.server)
    requests = strings(browser.report["requests"])
    assert f"{browser.server}query" in requests
    assert f"{browser.server}static/yasqe/yasqe.min.js" in requests
    elsewhere = [
        url
        for url in requests
        if not url.startswith("data:")
        and (urlsplit(url.removeprefix("blob:")).scheme, urlsplit(url.removeprefix("blob:")).netloc)
        != (server.scheme, server.netloc)
    ]
    assert elsewhere == []
    assert browser.report["failedRequests"] == []
    assert browser.report["consoleErrors"] == []


def test_downloads_are_csv_and_json_from_the_endpoint(browser: BrowserRun) -> None:
    downloads = {str(download["label"]): download for download in objects(browser.report["downloads"])}
    assert list(downloads) == ["CSV", "JSON"]

    csv_file = downloads["CSV"]
    assert (csv_file["status"], csv_file["contentType"]) == (200, "text/csv; charset=utf-8")
    assert csv_file["filename"] == f"{EXAMPLE}.csv"
    table = list(csv.reader(io.StringIO(str(csv_file["body"]))))
    assert table[0] == ["project", "title", "start", "end"]
    assert [row[0] for row in table[1:]] == [f"{browser.server}id/project/{code}" for code in ACTIVE_IN_2007]

    json_file = downloads["JSON"]
    assert (json_file["status"], json_file["contentType"]) == (200, "application/sparql-results+json")
    assert json_file["filename"] == f"{EXAMPLE}.json"
    results = json.loads(str(json_file["body"]))
    assert [binding["project"]["value"] for binding in results["results"]["bindings"]] == [
        f"{browser.server}id/project/{code}" for code in ACTIVE_IN_2007
    ]


def test_editor_highlights_and_completes_prefixes(browser: BrowserRun) -> None:
    assert {"PREFIX", "SELECT", "WHERE", "FILTER", "ORDER"} <= set(strings(browser.report["highlighted"]))
    assert strings(browser.report["completions"]) == [f"lodcat: <{browser.server}ontology#>"]


def test_screenshot_is_written(browser: BrowserRun) -> None:
    assert browser.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`lodcat serve` with LODCAT_MAX_RESULT_ROWS=1, so the 2007 example is cut after one row."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    environ = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LODCAT_STORE": str(tmp_path_factory.mktemp("limited") / "store"),
        "LODCAT_BASE_IRI": url,
        "LODCAT_MAX_RESULT_ROWS": "1",
    }
    command = [sys.executable, "-m", "loader.cli"]
    subprocess.run([*command, "load", str(DATA)], env=environ, check=True, capture_output=True, cwd=ROOT)
    process = subprocess.Popen(
        [*command, "serve"], env=environ, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_responds(url + "health")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_page_says_when_the_result_was_cut(limited_server: str) -> None:
    run = drive(limited_server, ARTIFACTS / "query-page-truncated.png")
    rows = items(run.report["rows"])
    assert len(rows) == 1
    assert run.report["truncatedNotice"] == (
        "The table shows only the first row of the result: the server's result limit cut it. "
        "Narrow the query (LIMIT, FILTER) to get all of it."
    )
