"""HTML pages for people: home and search, and a page for every kind of thing the catalogue holds.

- `GET /` is the home page: a search box, facets with counts, sort, pages of results and charts;
  `GET /search` is the same search under its own URL. Parameters: `q`, one parameter per facet
  (`country`, `region`, `programme`, `fund`, `status`, `period`, `target_group`; repeat one for any of
  several values), `sort` and `page`. Every state of a search is a stable, shareable URL.
- `/doc/project/{id}`, `/doc/organisation/{id}`, `/doc/concept/...`, `/doc/scheme/...`, `/doc/place/...`
  and `/doc/source/...` as HTML are the rich pages of api/page_things.py (resources.py hands them
  over); every other minted IRI keeps the generic description page.
- `GET /region/{nuts}` and `GET /country/{code}` are local pages for the external IRIs lodcat links to
  (NUTS codes, the EU country authority table): their labels and the projects there.

Pages are server-rendered Jinja2 with no script: facts, facets and charts (SVG) show without
JavaScript. The interface is English or Czech (api/i18n.py): `?lang=` (remembered in a cookie),
else Accept-Language. Each page links its RDF alternates and embeds schema.org JSON-LD. Lists over
many projects come from the search index (loader/search_index.py); facts from the store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from api.charts import Bar, Group, bar_chart
from api.deps import NamespacesDep, StoreDep
from api.i18n import COOKIE, LANGUAGES, SWITCH_NAMES, Text, Translator, choose
from api.lifecycle import search_index_of
from api.negotiation import DOCUMENT
from api.page_facts import described, rows
from loader import search_index as search
from loader.namespaces import COUNTRY, NUTS, SKOS, Namespaces
from loader.search_index import FACETS, SORTS, FacetValue, SearchIndex, SearchResult, Totals
from loader.store import LodStore

router = APIRouter(tags=["pages"])

TEMPLATES = Path(__file__).parent / "templates"
PER_PAGE = 20
VARY = "Accept, Accept-Language, Cookie"
REGION_CODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")
COUNTRY_CODE = re.compile(r"^[A-Z]{3}$")
RDF_TYPES = [f for f in DOCUMENT if f.media_type != "text/html"]


@cache
def environment() -> Environment:
    """The Jinja2 environment of the pages (api/templates), autoescaping; built on first use."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(),
        trim_blocks=True,
        lstrip_blocks=True,
    )


# -- the reader ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Who is reading: the interface language, whether to remember it, and the page's URL."""

    t: Translator
    asked: bool
    request: Request

    @property
    def language(self) -> str:
        return self.t.language

    def url(self, **changes: str | int | None) -> str:
        """The current URL with some parameters replaced (None removes one)."""
        items = [(k, v) for k, v in self.request.query_params.multi_items() if k not in changes]
        items += [(k, str(v)) for k, v in changes.items() if v is not None]
        query = urlencode(items)
        return self.request.url.path + (f"?{query}" if query else "")


def reader(request: Request) -> Reader:
    asked = request.query_params.get("lang")
    language = choose(asked, request.cookies.get(COOKIE), request.headers.get("accept-language"))
    return Reader(Translator(language), asked in LANGUAGES, request)


ReaderDep = Annotated[Reader, Depends(reader)]


def search_index(request: Request) -> SearchIndex:
    return search_index_of(request.app)


SearchIndexDep = Annotated[SearchIndex, Depends(search_index)]


def json_ld(document: Mapping[str, Any]) -> Markup:
    """schema.org JSON-LD to embed in <script type="application/ld+json">: '<', '>' and '&' escaped,
    so no text from the data can end the script element."""
    text = json.dumps({"@context": "https://schema.org", **document}, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@dataclass(frozen=True)
class Alternate:
    name: str
    media_type: str
    href: str


def document_alternates(document: str) -> list[Alternate]:
    """The RDF representations of a /doc/ page, and the page itself as .html."""
    return [Alternate(f.name, f.media_type, f"{document}.{f.suffix}") for f in DOCUMENT if f.suffix]


def describe_alternates(ns: Namespaces, iri: str) -> list[Alternate]:
    """For an external IRI: what the store says about it, as `DESCRIBE` through /sparql (by Accept)."""
    href = ns.base + "sparql?" + urlencode({"query": f"DESCRIBE <{iri}>"})
    return [Alternate(f.name, f.media_type, href) for f in RDF_TYPES]


def render(
    who: Reader,
    ns: Namespaces,
    template: str,
    *,
    title: str,
    status_code: int = 200,
    alternates: Sequence[Alternate] = (),
    structured: Mapping[str, Any] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page in the reader's language: the template with the layout's context. Sets the language
    cookie when the reader chose one with ?lang=."""
    switch = [
        {
            "code": code,
            "name": SWITCH_NAMES[code],
            "href": who.url(lang=code),
            "current": code == who.language,
        }
        for code in LANGUAGES
    ]
    body = (
        environment()
        .get_template(template)
        .render(
            t=who.t,
            lang=who.language,
            title=title,
            base=ns.base,
            switch=switch,
            alternates=alternates,
            structured=json_ld(structured) if structured else None,
            stylesheet=str(who.request.url_for("static_file", package="lodcat", filename="site.css").path),
            path=who.request.url.path,
            **context,
        )
    )
    response = HTMLResponse(body, status_code=status_code, headers={"Vary": VARY})
    if who.asked:
        response.set_cookie(COOKIE, who.language, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


def not_found(who: Reader, ns: Namespaces, detail: str | None = None) -> HTMLResponse:
    """The 404 page: what was asked for, a search box, and where to go instead."""
    path = who.request.url.path
    words = " ".join(part for part in path.split("/") if part and part not in ("doc", "id"))
    return render(
        who,
        ns,
        "page_404.html",
        title=who.t("not_found_title"),
        status_code=404,
        missing=path,
        detail=detail,
        suggestion=words[:100],
    )


# -- labels and views ------------------------------------------------------------------------------------


def value_label(t: Translator, index: SearchIndex, kind: str, value: str) -> Text:
    """A facet value or chart key in the reader's language (the value itself if the store has none)."""
    return t.pick(search.value_labels(index, kind, value)) or Text(value)


def hit_view(t: Translator, ns: Namespaces, index: SearchIndex, hit: search.Hit) -> dict[str, Any]:
    summary = hit.summary
    return {
        "href": ns.document(hit.iri) or hit.iri,
        "title": t.pick(summary.get("titles", {})) or Text(hit.identifier),
        "identifier": hit.identifier,
        "period": t.period(summary.get("start"), summary.get("end")),
        "excerpt": t.pick(summary.get("descriptions", {})),
        "programme": [value_label(t, index, "programme", key) for key in summary.get("programme", [])],
        "status": [value_label(t, index, "status", key) for key in summary.get("status", [])],
    }


def facet_views(who: Reader, index: SearchIndex, result: SearchResult, target: str) -> list[dict[str, Any]]:
    """Each facet with its values: label, count, and the URL that adds or removes the value."""
    boxes = []
    for name in FACETS:
        values: list[FacetValue] = result.facets.get(name, [])
        if not values:
            continue
        links = []
        for value in values:
            chosen = [
                (k, v) for k, v in who.request.query_params.multi_items() if k not in ("page",)
            ]  # a new filter starts at page 1
            if value.selected:
                chosen = [(k, v) for k, v in chosen if not (k == name and v == value.value)]
            else:
                chosen.append((name, value.value))
            links.append(
                {
                    "label": who.t.pick(value.labels) or Text(value.value),
                    "count": value.count,
                    "selected": value.selected,
                    "href": target + ("?" + urlencode(chosen) if chosen else ""),
                }
            )
        boxes.append({"name": name, "heading": who.t(f"facet_{name}"), "values": links})
    return boxes


def pagination(who: Reader, result: SearchResult) -> dict[str, Any]:
    window = range(max(1, result.page - 3), min(result.pages, result.page + 3) + 1)
    return {
        "page": result.page,
        "pages": result.pages,
        "previous": who.url(page=result.page - 1) if result.page > 1 else None,
        "next": who.url(page=result.page + 1) if result.page < result.pages else None,
        "numbers": [{"number": n, "href": who.url(page=n), "current": n == result.page} for n in window],
    }


def chart_views(who: Reader, ns: Namespaces, index: SearchIndex, totals: Totals) -> list[dict[str, Any]]:
    """Charts of total budgets by fund, programme and start year (one scale per currency), and of
    indicator totals (one scale per unit); each with the numbers as a table."""
    t = who.t
    charts = []
    for name in ("fund", "programme", "year"):
        groups: dict[str, Group] = {}
        for total in sorted(totals.funding[name], key=lambda total: (total.currency, total.key)):
            label = Text(total.key) if name == "year" else value_label(t, index, name, total.key)
            href = None if name == "year" else ns.document(ns.concept(name, total.key).value)
            bar = Bar(label.value, total.amount, t.money(total.amount, total.currency), href, label.language)
            groups.setdefault(total.currency, Group(total.currency)).bars.append(bar)
        charts.append(_chart(t(f"chart_{name}"), f"chart-{name}", list(groups.values()), t))
    groups = {}
    for total in sorted(totals.indicators, key=lambda total: (total.currency, -total.amount)):
        unit = value_label(t, index, "unit", total.currency).value
        label = value_label(t, index, "measure", total.key)
        groups.setdefault(unit, Group(unit)).bars.append(
            Bar(label.value, total.amount, t.number(total.amount), None, label.language)
        )
    charts.append(_chart(t("chart_indicators"), "chart-indicators", list(groups.values()), t))
    return charts


def _chart(title: str, chart_id: str, groups: list[Group], t: Translator) -> dict[str, Any]:
    return {
        "id": chart_id,
        "title": title,
        "svg": bar_chart(title, groups, chart_id) if groups else None,
        "groups": groups,
    }


# -- search -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A search as the URL states it; unknown sorts and bad page numbers fall back to the defaults.
    `fixed`: facets the page itself sets, which it neither offers nor lists as removable filters."""

    q: str
    filters: dict[str, list[str]]
    sort: str | None
    page: int
    fixed: frozenset[str] = frozenset()


def query_of(request: Request, fixed: Mapping[str, list[str]] | None = None) -> Query:
    """The search the URL asks for; `fixed` facets (a region page's region) are not the URL's to change."""
    parameters = request.query_params
    filters = {name: [v for v in parameters.getlist(name) if v.strip()][:20] for name in FACETS}
    filters.update(fixed or {})
    sort = parameters.get("sort")
    page = parameters.get("page", "1")
    return Query(
        q=parameters.get("q", "").strip()[:200],
        filters={name: values for name, values in filters.items() if values},
        sort=sort if sort in SORTS else None,
        page=min(int(page), 10_000) if page.isdigit() and int(page) > 0 else 1,
        fixed=frozenset(fixed or ()),
    )


def run_search(index: SearchIndex, query: Query) -> SearchResult:
    return search.search(index, query.q, query.filters, query.sort, query.page, PER_PAGE)


def results_view(
    who: Reader, ns: Namespaces, index: SearchIndex, query: Query, result: SearchResult, target: str
) -> dict[str, Any]:
    """What the result list, facets, pagination and charts of a search show."""
    t = who.t
    totals = search.totals(index, result.matches)
    count = t("results_none") if not result.total else t("results_one") if result.total == 1 else None
    return {
        "query": query,
        "result": result,
        "count": count or t("results", count=t.number(result.total)),
        "hits": [hit_view(t, ns, index, hit) for hit in result.hits],
        "facets": [box for box in facet_views(who, index, result, target) if box["name"] not in query.fixed],
        "pagination": pagination(who, result),
        "sorts": [{"value": s, "label": t(f"sort_{s}")} for s in SORTS],
        "charts": chart_views(who, ns, index, totals),
        "building": index.data_version is None,
        "active": [
            {
                "label": f"{t(f'facet_{name}')}: {value_label(t, index, name, value).value}",
                "href": _without(who, target, name, value),
            }
            for name, values in query.filters.items()
            if name not in query.fixed
            for value in values
        ],
    }


def _without(who: Reader, target: str, name: str, value: str) -> str:
    """`target` with the current parameters but one filter value (and the page) left out."""
    kept = [
        (k, v) for k, v in who.request.query_params.multi_items() if (k, v) != (name, value) and k != "page"
    ]
    return target + ("?" + urlencode(kept) if kept else "")


def _search_page(who: Reader, ns: Namespaces, index: SearchIndex, home: bool) -> HTMLResponse:
    query = query_of(who.request)
    result = run_search(index, query)
    target = who.request.url.path
    structured = {
        "@type": "WebSite",
        "url": ns.base,
        "name": who.t("site"),
        "description": who.t("tagline"),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": ns.base + "search?q={search_term_string}"},
            "query-input": "required name=search_term_string",
        },
    }
    title = who.t("site") if home and not query.q else f"{query.q or who.t('search')} · {who.t('search')}"
    return render(
        who,
        ns,
        "page_search.html",
        title=title,
        home=home,
        structured=structured,
        **results_view(who, ns, index, query, result, target),
    )


@router.head("/", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get("/", response_class=HTMLResponse, summary="Home page and search")
def home(who: ReaderDep, ns: NamespacesDep, index: SearchIndexDep) -> HTMLResponse:
    """The home page: a search box, facets with counts, sort, pages of results and charts (HTML)."""
    return _search_page(who, ns, index, home=True)


@router.head("/search", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get("/search", response_class=HTMLResponse, summary="Search (HTML)")
def search_page(who: ReaderDep, ns: NamespacesDep, index: SearchIndexDep) -> HTMLResponse:
    """Projects matching `q` and the facet filters, a page at a time, with facet counts and charts."""
    return _search_page(who, ns, index, home=False)


# -- places outside lodcat: NUTS regions and countries ------------------------------------------------------


def _area_page(
    who: Reader,
    ns: NamespacesDep,
    store: LodStore,
    index: SearchIndex,
    *,
    kind: str,
    code: str,
    iri: str,
    facet_values: list[str],
) -> HTMLResponse:
    facts = described(store, [iri])
    query = query_of(who.request, {kind: facet_values})
    result = run_search(index, query)
    names = facts.names(iri)
    if not facts.describes(iri) and not result.total:
        return not_found(who, ns)
    broader = facts.iris(iri, SKOS + "broader")
    narrower = _narrower(store, iri)
    around = described(store, broader + narrower)
    name = who.t.pick(names) or Text(code)
    structured: dict[str, Any] = {
        "@type": "AdministrativeArea" if kind == "region" else "Country",
        "@id": iri,
        "url": f"{ns.base}{kind}/{code}",
        "name": name.value,
        "identifier": code,
    }
    if broader:
        structured["containedInPlace"] = [{"@id": b, "@type": "AdministrativeArea"} for b in broader]
    return render(
        who,
        ns,
        "page_area.html",
        title=f"{name.value} · {who.t(kind)}",
        alternates=describe_alternates(ns, iri),
        structured=structured,
        kind=kind,
        code=code,
        iri=iri,
        name=name,
        labels=sorted(names.items()),
        broader=[_area_link(who, ns, around, other) for other in broader],
        narrower=[_area_link(who, ns, around, other) for other in narrower],
        **results_view(who, ns, index, query, result, who.request.url.path),
    )


def _narrower(store: LodStore, iri: str) -> list[str]:
    return [
        row["r"].value for row in rows(store, f"SELECT ?r WHERE {{ ?r <{SKOS}broader> <{iri}> }} ORDER BY ?r")
    ]


def _area_link(who: Reader, ns: Namespaces, facts: Any, iri: str) -> dict[str, Any]:
    code = iri.rsplit("/", 1)[-1]
    href = f"{ns.base}region/{code}" if iri.startswith(NUTS) else iri
    return {"href": href, "code": code, "name": who.t.pick(facts.names(iri)) or Text(code)}


def _descendants(store: LodStore, iri: str) -> list[str]:
    query = f"SELECT DISTINCT ?r WHERE {{ ?r <{SKOS}broader>+ <{iri}> }}"
    return sorted(row["r"].value.rsplit("/", 1)[-1] for row in rows(store, query))


@router.head("/region/{code}", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get("/region/{code}", response_class=HTMLResponse, summary="A NUTS region")
def region_page(
    code: str, who: ReaderDep, ns: NamespacesDep, store: StoreDep, index: SearchIndexDep
) -> HTMLResponse:
    """A NUTS region (e.g. CZ051): its names, broader and narrower regions, and the projects in it or in
    a region within it. 404 for a code the catalogue knows nothing about."""
    if not REGION_CODE.match(code):
        return not_found(who, ns)
    iri = NUTS + code
    return _area_page(
        who,
        ns,
        store,
        index,
        kind="region",
        code=code,
        iri=iri,
        facet_values=[code, *_descendants(store, iri)],
    )


@router.head("/country/{code}", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get("/country/{code}", response_class=HTMLResponse, summary="A country")
def country_page(
    code: str, who: ReaderDep, ns: NamespacesDep, store: StoreDep, index: SearchIndexDep
) -> HTMLResponse:
    """A country of the EU authority table (e.g. CZE): its names and the projects there. 404 for a code
    the catalogue knows nothing about."""
    if not COUNTRY_CODE.match(code):
        return not_found(who, ns)
    return _area_page(
        who, ns, store, index, kind="country", code=code, iri=COUNTRY + code, facet_values=[code]
    )


def area_href(ns: Namespaces, iri: str) -> str:
    """The local page of a country or NUTS region IRI; any other IRI is its own link."""
    if iri.startswith(NUTS):
        return f"{ns.base}region/{iri[len(NUTS) :]}"
    if iri.startswith(COUNTRY):
        return f"{ns.base}country/{iri[len(COUNTRY) :]}"
    return ns.document(iri) or iri
