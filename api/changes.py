"""What changed: the releases loader/releases.py records, as JSON, a page, an Atom feed and a JSON Feed.

Each load that changes data is a release `{base}id/release/{n}` (lodcat:Release) in the graph
`{base}graph/releases`, issued at a dcterms:issued xsd:dateTime, naming the projects it added, changed
and removed (lodcat:added, lodcat:changed, lodcat:removed).

- `GET /changes` lists the releases newest first with those projects, their titles and links: JSON by
  default, HTML for browsers, and the feeds below when Accept asks for them (`Vary: Accept`).
- `GET /changes.atom` is an Atom feed (RFC 4287, https://www.rfc-editor.org/rfc/rfc4287), one entry per
  release. Each project is a `<link>` whose rel is the IRI lodcat:added, lodcat:changed or lodcat:removed:
  Atom allows any IRI as a link relation (section 4.2.7.2).
- `GET /changes.json` is a JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/); the projects of an item
  are in its `_lodcat` extension object.

All three take `?since=`: an xsd:date gives the releases issued on that day or later, an xsd:dateTime the
releases issued strictly after it (pass the `issued` of the last release you saw and you get only newer
ones). A value without a time zone is UTC. Anything else is a 400 saying what was expected.

A removed project is no longer in the store, so it is listed with its IRI and identifier only.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from string import Template
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import Field
from pyoxigraph import Literal, NamedNode, QuerySolutions

from api import resources
from api.deps import NamespacesDep, SettingsDep, StoreDep
from api.errors import BadRequest
from api.models import LanguageMap, Shape
from api.negotiation import HTML, VARY, Format, negotiate
from loader.namespaces import DCAT, DCTERMS, OWL, XSD, Namespaces
from loader.settings import Settings
from loader.store import LodStore

router = APIRouter(tags=["changes"])

JSON = Format("JSON", "application/json")
ATOM = Format("Atom", "application/atom+xml", "atom")
JSON_FEED = Format("JSON Feed", "application/feed+json", "json")
OFFERS: tuple[Format, ...] = (JSON, HTML, ATOM, JSON_FEED)
KINDS = ("added", "changed", "removed")
LANGUAGES = ("en", "", "cs")  # the title a feed shows: English, untagged, Czech, then any other
ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
FEED_TITLE = "lodcat: what changed in the published projects"
FEED_DESCRIPTION = (
    "One entry per release of the dataset: each load that changed data, with the projects it added, "
    "changed and removed."
)


class BadSince(BadRequest):
    title = "Bad since parameter"


SinceParameter = Annotated[
    str | None,
    Query(
        description="Only releases issued after this: an xsd:date (that day and later) or an xsd:dateTime "
        "(strictly later). Without a time zone, UTC.",
        examples=["2026-01-31", "2026-01-31T12:00:00Z"],
    ),
]
AcceptHeader = Annotated[
    str | None,
    Header(description="JSON (default), HTML, Atom or JSON Feed.", examples=["application/json"]),
]


# -- ?since= --------------------------------------------------------------------------------------------

DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?")
DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?")


@dataclass(frozen=True)
class Since:
    """The instant a `since` value names, in UTC; a date includes its own day, a dateTime does not."""

    moment: datetime
    inclusive: bool

    def sparql(self) -> str:
        stamp = self.moment.isoformat().replace("+00:00", "Z")
        return f'FILTER(?issued {">=" if self.inclusive else ">"} "{stamp}"^^<{XSD}dateTime>)'


def _zone(text: str | None) -> timezone:
    """An xsd time zone: none or `Z` is UTC; `+hh:mm` / `-hh:mm` up to 14:00 (XML Schema 1.1, D.3.7)."""
    if text is None or text == "Z":
        return UTC
    hours, minutes = int(text[1:3]), int(text[4:6])
    if minutes > 59 or hours * 60 + minutes > 14 * 60:
        raise ValueError(f"time zone {text} is out of range")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)


def parse_since(raw: str) -> Since:
    """`since` as an instant. Raises BadSince (400) for anything but an xsd:date or xsd:dateTime."""
    # In a query string an unencoded '+' of a time zone arrives as a space: read it as the '+' it was.
    value = re.sub(r" (\d{2}:\d{2})$", r"+\1", raw)
    try:
        if match := DATE.fullmatch(value):
            year, month, day, zone = match.groups()
            moment = datetime(int(year), int(month), int(day), tzinfo=_zone(zone))
            return Since(moment.astimezone(UTC), inclusive=True)
        if match := DATE_TIME.fullmatch(value):
            year, month, day, hour, minute, second, fraction, zone = match.groups()
            moment = datetime(
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second),
                int((fraction or "0")[:6].ljust(6, "0")),
                tzinfo=_zone(zone),
            )
            return Since(moment.astimezone(UTC), inclusive=False)
    except ValueError:
        pass  # a day, hour or time zone out of range: the same answer as for any other bad value
    raise BadSince(
        f"since has value {raw!r}; expected an xsd:date such as 2026-01-31 "
        "or an xsd:dateTime such as 2026-01-31T12:00:00Z"
    )


# -- the releases in the store --------------------------------------------------------------------------


class ProjectChange(Shape):
    """A project a release added, changed or removed."""

    iri: str
    id: str = Field(description="The project's identifier, the last segment of its IRI.")
    title: LanguageMap | None = Field(
        None, description="Its titles by language tag; absent when the store no longer has the project."
    )
    url: str | None = Field(None, description="Its description page; absent when the store no longer has it.")


class Release(Shape):
    """One release: a load that changed data."""

    iri: str
    version: int
    issued: str = Field(description="When it was published, an xsd:dateTime in UTC.")
    url: str = Field(description="The description of the release (Turtle, JSON-LD, HTML...).")
    added: list[ProjectChange]
    changed: list[ProjectChange]
    removed: list[ProjectChange]

    def counts(self) -> str:
        """`1 added, 2 changed`: the kinds this release has, with their numbers."""
        return ", ".join(f"{len(getattr(self, kind))} {kind}" for kind in KINDS if getattr(self, kind))


class ChangeLog(Shape):
    """The releases of the dataset, newest first."""

    dataset: str
    version: int | None = Field(
        None, description="The current version (dcat:version); absent before any load."
    )
    modified: str | None = Field(None, description="When the current version was issued (dcterms:modified).")
    since: str | None = Field(None, description="The `since` asked for, as given.")
    releases: list[Release]


RELEASES = Template("""
SELECT ?release ?version ?issued ?kind ?project ?title WHERE {
  GRAPH <$graph> { ?release a <${vocab}Release> ; <${owl}versionInfo> ?version ; <${dcterms}issued> ?issued }
  $since
  OPTIONAL {
    GRAPH <$graph> {
      ?release ?kind ?project FILTER(?kind IN (<${vocab}added>, <${vocab}changed>, <${vocab}removed>))
    }
    OPTIONAL { ?project a <${vocab}Project> ; <${dcterms}title> ?title }
  }
}""")
DATASET = Template("""
SELECT ?version ?modified WHERE {
  GRAPH <$graph> {
    <$dataset> <${dcat}version> ?version OPTIONAL { <$dataset> <${dcterms}modified> ?modified }
  }
}""")


def _rows(store: LodStore, query: str) -> QuerySolutions:
    result = store.query(query)
    assert isinstance(result, QuerySolutions)
    return result


def change_log(store: LodStore, ns: Namespaces, since: Since | None, asked: str | None = None) -> ChangeLog:
    """The releases issued after `since` (all without it), newest first. Reads the store; changes nothing."""
    graph = ns.graph("releases").value
    issued_at: dict[str, tuple[int, str]] = {}  # release IRI -> (version, issued)
    titles: dict[str, dict[str, dict[str, dict[str, str]]]] = {}  # release -> kind -> project -> titles
    query = RELEASES.substitute(
        graph=graph, vocab=ns.vocab, owl=OWL, dcterms=DCTERMS, since=since.sparql() if since else ""
    )
    for row in _rows(store, query):
        release, version, issued = row["release"], row["version"], row["issued"]
        assert isinstance(release, NamedNode) and isinstance(version, Literal) and isinstance(issued, Literal)
        issued_at[release.value] = (int(version.value), issued.value)
        by_kind = titles.setdefault(release.value, {kind: {} for kind in KINDS})
        kind, project, title = row["kind"], row["project"], row["title"]
        if isinstance(kind, NamedNode) and isinstance(project, NamedNode):
            texts = by_kind[kind.value[len(ns.vocab) :]].setdefault(project.value, {})
            if isinstance(title, Literal):
                texts[title.language or ""] = title.value
    releases = [
        Release(
            iri=iri,
            version=version,
            issued=issued,
            url=ns.document(iri) or iri,
            **{
                kind: [_project(ns, project, texts) for project, texts in sorted(projects.items())]
                for kind, projects in titles[iri].items()
            },
        )
        for iri, (version, issued) in sorted(issued_at.items(), key=lambda item: -item[1][0])
    ]
    version, modified = None, None
    query = DATASET.substitute(graph=graph, dataset=ns.dataset().value, dcat=DCAT, dcterms=DCTERMS)
    for row in _rows(store, query):
        if isinstance(value := row["version"], Literal) and value.value.isdigit():
            version = int(value.value)
        if isinstance(value := row["modified"], Literal):
            modified = value.value
    return ChangeLog(
        dataset=ns.dataset().value, version=version, modified=modified, since=asked, releases=releases
    )


def _project(ns: Namespaces, iri: str, titles: dict[str, str]) -> ProjectChange:
    # Every published project has a title (shapes/lodcat.ttl, ProjectShape), so none means it is gone.
    return ProjectChange(
        iri=iri,
        id=iri.rsplit("/", 1)[-1],
        title=dict(sorted(titles.items())) or None,
        url=(ns.document(iri) or iri) if titles else None,
    )


def display_title(project: ProjectChange) -> str:
    """The project's title in the first language of LANGUAGES it has, else its identifier."""
    if not project.title:
        return project.id
    tag = min(project.title, key=lambda t: (LANGUAGES.index(t) if t in LANGUAGES else len(LANGUAGES), t))
    return project.title[tag]


# -- representations ------------------------------------------------------------------------------------


def release_html(release: Release) -> str:
    """The projects of a release as an HTML fragment (the feeds' entry content)."""
    parts = [f"<p>Release {release.version}, issued {html.escape(release.issued)}: {release.counts()}.</p>"]
    for kind in KINDS:
        projects: list[ProjectChange] = getattr(release, kind)
        if projects:
            items = "".join(
                f'<li><a href="{html.escape(p.url)}">{html.escape(display_title(p))}</a></li>'
                if p.url
                else f"<li>{html.escape(display_title(p))} <code>{html.escape(p.iri)}</code></li>"
                for p in projects
            )
            parts.append(f"<h3>{kind.capitalize()}</h3><ul>{items}</ul>")
    return "".join(parts)


def _entry_title(release: Release) -> str:
    return f"Release {release.version}: {release.counts()}"


def atom(log: ChangeLog, ns: Namespaces, settings: Settings, self_url: str) -> bytes:
    """The change log as an Atom feed; entries newest first."""

    def element(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
        child = ET.SubElement(parent, name, attributes)
        child.text = text
        return child

    # The default namespace as an attribute: ElementTree's default_namespace option refuses the
    # unqualified attribute names Atom uses (rel, href...), and register_namespace is process-wide.
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "en"})
    element(feed, "id", ns.base + "changes")
    element(feed, "title", FEED_TITLE)
    element(feed, "subtitle", FEED_DESCRIPTION)
    # Atom requires an updated date: the latest release, or now if the dataset has none yet.
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    element(feed, "updated", log.modified or now)
    author = element(feed, "author")
    element(author, "name", settings.publisher_name)
    element(feed, "link", rel="self", type=ATOM.media_type, href=self_url)
    element(feed, "link", rel="alternate", type="text/html", href=ns.base + "changes")
    element(feed, "link", rel="alternate", type=JSON_FEED.media_type, href=ns.base + "changes.json")
    element(feed, "generator", "lodcat")
    for release in log.releases:
        entry = element(feed, "entry")
        element(entry, "id", release.iri)
        element(entry, "title", _entry_title(release))
        element(entry, "updated", release.issued)
        element(entry, "published", release.issued)
        element(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{ns.base}changes#release-{release.version}",
        )
        element(entry, "link", rel="describedby", href=release.url)
        for kind in KINDS:
            for project in getattr(release, kind):
                attributes = {"rel": ns.vocab + kind, "href": project.iri}
                if project.title:
                    attributes["title"] = display_title(project)
                element(entry, "link", **attributes)
        element(entry, "summary", release.counts())
        element(entry, "content", release_html(release), type="html")
    written: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return written


def json_feed(log: ChangeLog, ns: Namespaces, settings: Settings, self_url: str) -> bytes:
    """The change log as a JSON Feed 1.1; the projects in each item's `_lodcat` extension."""
    items = []
    for release in log.releases:
        extension = release.model_dump(mode="json", exclude_none=True, include={"version", *KINDS})
        items.append(
            {
                "id": release.iri,
                "url": f"{ns.base}changes#release-{release.version}",
                "external_url": release.url,
                "title": _entry_title(release),
                "summary": release.counts(),
                "content_html": release_html(release),
                "date_published": release.issued,
                "_lodcat": {"about": ns.vocab + "Release", **extension},
            }
        )
    feed = {
        "version": JSON_FEED_VERSION,
        "title": FEED_TITLE,
        "description": FEED_DESCRIPTION,
        "home_page_url": ns.base + "changes",
        "feed_url": self_url,
        "language": "en",
        "authors": [{"name": settings.publisher_name}],
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=2).encode("utf-8")


def changes_page(log: ChangeLog, ns: Namespaces) -> str:
    return (
        resources.environment()
        .get_template("changes.html")
        .render(log=log, base=ns.base, kinds=KINDS, display_title=display_title, feeds=(ATOM, JSON_FEED))
    )


def _url(ns: Namespaces, path: str, since: str | None) -> str:
    return ns.base + path + (f"?{urlencode({'since': since})}" if since is not None else "")


def _respond(
    request: Request,
    format_: Format,
    log: ChangeLog,
    ns: Namespaces,
    settings: Settings,
    headers: dict[str, str],
) -> Response:
    """The change log in `format_`, with an ETag; 304 when If-None-Match names it."""
    since = log.since
    if format_ is HTML:
        body = changes_page(log, ns).encode("utf-8")
        media_type = "text/html; charset=utf-8"
    elif format_ is ATOM:
        body = atom(log, ns, settings, _url(ns, "changes.atom", since))
        media_type = ATOM.media_type
    elif format_ is JSON_FEED:
        body = json_feed(log, ns, settings, _url(ns, "changes.json", since))
        media_type = JSON_FEED.media_type
    else:
        body = log.model_dump_json(exclude_none=True, indent=2).encode("utf-8")
        media_type = JSON.media_type
    etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
    links = ", ".join(
        f'<{_url(ns, "changes." + f.suffix, since)}>; rel="alternate"; type="{f.media_type}"'
        for f in (ATOM, JSON_FEED)
        if f.suffix
    )
    headers = {**headers, "ETag": etag, "Link": links, "Cache-Control": settings.cache_control}
    if etag in _tags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _tags(header: str | None) -> Sequence[str]:
    return [tag.strip().removeprefix("W/") for tag in (header or "").split(",")]


# -- routes ---------------------------------------------------------------------------------------------

Responses = dict[int | str, dict[str, Any]]
BAD_SINCE: Responses = {
    400: {
        "description": "`since` is not an xsd:date or xsd:dateTime.",
        "content": {"application/problem+json": {}},
    }
}


@router.head("/changes", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get(
    "/changes",
    summary="Releases newest first, with the projects each added, changed and removed",
    response_model=ChangeLog,
    responses={
        200: {"content": {f.media_type: {} for f in OFFERS[1:]}},
        **BAD_SINCE,
        406: {
            "description": "No offered format matches Accept.",
            "content": {"application/problem+json": {}},
        },
    },
)
def changes(
    request: Request,
    store: StoreDep,
    ns: NamespacesDep,
    settings: SettingsDep,
    since: SinceParameter = None,
    accept: AcceptHeader = None,
) -> Response:
    """JSON by default; HTML for browsers; Atom or JSON Feed when Accept asks for them."""
    format_ = negotiate(accept, OFFERS)
    log = change_log(store, ns, parse_since(since) if since is not None else None, since)
    return _respond(request, format_, log, ns, settings, {**VARY})


@router.head("/changes.atom", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get(
    "/changes.atom",
    summary="The releases as an Atom feed",
    response_class=Response,
    responses={200: {"content": {ATOM.media_type: {}}}, **BAD_SINCE},
)
def changes_atom(
    request: Request, store: StoreDep, ns: NamespacesDep, settings: SettingsDep, since: SinceParameter = None
) -> Response:
    """One entry per release; each project is a link whose rel is lodcat:added, changed or removed."""
    log = change_log(store, ns, parse_since(since) if since is not None else None, since)
    return _respond(request, ATOM, log, ns, settings, {})


@router.head("/changes.json", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get(
    "/changes.json",
    summary="The releases as a JSON Feed",
    response_class=Response,
    responses={200: {"content": {JSON_FEED.media_type: {}}}, **BAD_SINCE},
)
def changes_json_feed(
    request: Request, store: StoreDep, ns: NamespacesDep, settings: SettingsDep, since: SinceParameter = None
) -> Response:
    """One item per release; the projects in the item's `_lodcat` extension (added, changed, removed)."""
    log = change_log(store, ns, parse_since(since) if since is not None else None, since)
    return _respond(request, JSON_FEED, log, ns, settings, {})
