"""/query: a SPARQL query page for people, and the competency questions as its examples.

The editor is YASQE (syntax highlighting, checking, prefix completion) and the results view YASR (a
table), both from the npm packages @zazuko/yasqe and @zazuko/yasr. They are not copied into this
repository: `npm ci` installs them under node_modules/, and `/static/{package}/{file}` serves their built
files from there, so the page works offline and nothing minified is committed. Without node_modules the
page says how to install it and still lists the example queries.

- `GET /query` is the page; it sends queries to /sparql (POST form), so it runs under the same limits.
- `GET /query/examples.json` lists docs/queries/*.rq: name, the question (the `# Question:` comment)
  and the query text, comments included.
- `GET /static/{package}/{file}` serves the editor's files (`yasqe`, `yasr`) and the page's own script
  and style (`lodcat`, from api/static/).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel

from api.deps import NamespacesDep, SettingsDep
from api.errors import NotFound
from api.negotiation import rdf_prefixes
from api.resources import environment

router = APIRouter(tags=["query page"])

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
STATIC = Path(__file__).resolve().parent / "static"
INSTALL = "npm ci"

QUESTION = re.compile(r"#\s*Question:\s*(?P<first>.*)")
COMMENT = re.compile(r"#\s?(?P<text>.*)")
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json",
}
# The built files are named without a version, so browsers revalidate them (ETag) after an hour.
ASSET_CACHE = "public, max-age=3600"


@dataclass(frozen=True)
class Package:
    """Where one set of static files lives, and which npm package installs it (None: this repository)."""

    directory: Path
    npm: str | None


def get_packages() -> Mapping[str, Package]:
    """The static file directories, by the name that appears in `/static/{name}/...`."""
    return {
        "yasqe": Package(NODE_MODULES / "@zazuko" / "yasqe" / "build", "@zazuko/yasqe"),
        "yasr": Package(NODE_MODULES / "@zazuko" / "yasr" / "build", "@zazuko/yasr"),
        "lodcat": Package(STATIC, None),
    }


PackagesDep = Annotated[Mapping[str, Package], Depends(get_packages)]


class Example(BaseModel):
    """One competency question from docs/queries/ and its query."""

    name: str
    title: str
    query: str


class ExampleError(ValueError):
    """A docs/queries/*.rq file the query page cannot offer as an example."""


def question(path: Path, text: str) -> str:
    """The `# Question:` comment of a query, with the comment lines that continue it, as one line.

    Raises ExampleError naming the file if its first line is not such a comment.
    """
    lines = text.splitlines()
    first = QUESTION.fullmatch(lines[0].strip()) if lines else None
    if first is None:
        raise ExampleError(
            f"{path}: the first line is not a '# Question: ...' comment; every query in docs/queries "
            "starts with the question it answers (docs/queries/README.md)"
        )
    words = [first["first"].strip()]
    for line in lines[1:]:
        comment = COMMENT.fullmatch(line.strip())
        if comment is None or not comment["text"].strip():
            break
        words.append(comment["text"].strip())
    return " ".join(words)


def read_examples(directory: Path) -> list[Example]:
    """Every `*.rq` in `directory`, by file name; ExampleError for a file without its question."""
    examples = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        examples.append(Example(name=path.stem, title=question(path, text), query=text))
    return examples


def missing_packages(available: Mapping[str, Package]) -> list[str]:
    """The npm packages whose built files are not installed."""
    return [package.npm for package in available.values() if package.npm and not package.directory.is_dir()]


@router.get("/query", response_class=HTMLResponse, summary="SPARQL query page (HTML)")
def query_page(
    request: Request, settings: SettingsDep, ns: NamespacesDep, available: PackagesDep
) -> HTMLResponse:
    """An editor for SPARQL queries against /sparql, with the competency questions as examples and the
    results as a table to download as CSV or JSON. Needs JavaScript and the npm packages installed."""
    examples = read_examples(settings.queries_path)
    missing = missing_packages(available)

    def asset(package: str, filename: str) -> str:
        return request.url_for("static_file", package=package, filename=filename).path

    body = (
        environment()
        .get_template("query.html")
        .render(
            endpoint=request.scope.get("root_path", "") + "/sparql",
            examples_url=request.url_for("query_examples").path,
            asset=asset,
            base_iri=ns.base,
            prefixes=json.dumps(rdf_prefixes(ns), indent=None),
            examples=examples,
            missing=missing,
            install=INSTALL,
        )
    )
    return HTMLResponse(body, status_code=200)


@router.get("/query/examples.json", summary="The example queries of the query page")
def query_examples(settings: SettingsDep) -> list[Example]:
    """The competency questions in docs/queries/: file name, the question and the query text."""
    return read_examples(settings.queries_path)


@router.get("/static/{package}/{filename}", include_in_schema=False)
def static_file(package: str, filename: str, available: PackagesDep) -> FileResponse:
    """A built JavaScript or CSS file of the query page; 404 naming the install command if missing."""
    where = available.get(package)
    suffix = Path(filename).suffix
    if where is None or SAFE_NAME.fullmatch(filename) is None or suffix not in MEDIA_TYPES:
        raise NotFound(f"/static/{package}/{filename} is not one of the query page's files")
    path = where.directory / filename
    if not path.is_file():
        if where.npm is not None and not where.directory.is_dir():
            raise NotFound(f"{where.npm} is not installed: run `{INSTALL}` in lodcat's directory")
        raise NotFound(f"/static/{package}/{filename} is not one of the query page's files")
    return FileResponse(path, media_type=MEDIA_TYPES[suffix], headers={"Cache-Control": ASSET_CACHE})
