"""The HTML page of each kind of thing lodcat mints: project, organisation, concept, scheme, place, source.

`document_page()` is what resources.py calls for `/doc/{path}` as HTML: the page of the thing's kind,
or None for kinds without one (participations, indicators... keep the generic description page).
Each page shows every fact the store has about the thing, in the reader's language where the data has
it, links its RDF representations and embeds schema.org JSON-LD.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from pyoxigraph import NamedNode

from api.i18n import Text
from api.lifecycle import search_index_of
from api.page_facts import Facts, described, gather, graphs_of, linking, rows
from api.pages import Reader, area_href, document_alternates, hit_view, query_of, reader, render, results_view
from api.pages import run_search as run
from loader import search_index as search
from loader.namespaces import DCTERMS, FOAF, LANGUAGE_CODES, ORG, RDFS, SCHEMA, SKOS, Namespaces
from loader.search_index import SearchIndex
from loader.store import LodStore

# Concept schemes whose concepts are search facets: their pages list the projects that have them.
FACET_OF_SCHEME = {
    "programme": "programme",
    "fund": "fund",
    "status": "status",
    "target-group": "target_group",
}
LIST_LIMIT = 100
CODES = {
    "projectCode": "project_code",
    "applicationNumber": "application_number",
    "accreditationNumber": "accreditation_number",
}
TAGS = {code: tag for tag, code in LANGUAGE_CODES.items()}  # EU language code -> language tag
LABEL = RDFS + "label"


def _last(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _present(document: dict[str, Any]) -> dict[str, Any]:
    """A JSON-LD document without its empty entries."""
    return {key: value for key, value in document.items() if value not in (None, [], "")}


class View:
    """Reads facts for a template: texts in the reader's language, links to local pages."""

    def __init__(self, who: Reader, ns: Namespaces, facts: Facts, source_language: str | None = None) -> None:
        self.who, self.t, self.ns, self.facts = who, who.t, ns, facts
        self.source_language = source_language

    def v(self, name: str) -> str:
        return self.ns.vocab + name

    def value(self, subject: str, name: str) -> str | None:
        """A lodcat property's first literal."""
        return self.facts.value(subject, self.v(name))

    def text(self, subject: str, predicate: str) -> Text | None:
        return self.t.pick(self.facts.texts(subject, predicate), self.source_language)

    def all_texts(self, subject: str, predicate: str) -> list[Text]:
        """Every literal, each marked if it is not in the reader's language."""
        texts = []
        for literal in self.facts.literals(subject, predicate):
            tag = literal.language or ""
            texts.append(Text(literal.value, tag, bool(tag) and tag != self.t.language))
        return texts

    def name(self, iri: str) -> Text:
        return self.t.pick(self.facts.names(iri), self.source_language) or Text(_last(iri))

    def link(self, iri: str) -> dict[str, Any]:
        return {"href": area_href(self.ns, iri), "name": self.name(iri), "iri": iri}

    def links(self, subject: str, predicate: str) -> list[dict[str, Any]]:
        return [self.link(iri) for iri in self.facts.iris(subject, predicate)]

    def names(self, subject: str, predicate: str) -> list[Text]:
        return [self.name(iri) for iri in self.facts.iris(subject, predicate)]

    def own(self, subject: str, predicate: str) -> list[str]:
        """The nodes below `subject` it links to through `predicate`, in IRI order."""
        return sorted(iri for iri in self.facts.iris(subject, predicate) if iri.startswith(subject + "/"))

    def anchor(self, subject: str, node: str) -> str:
        """The id of a node's row on its owner's page: its IRI below the owner's, '/' as '-'."""
        return node[len(subject) + 1 :].replace("/", "-")

    def stated_dates(self, source: str) -> list[dict[str, Any]]:
        return [
            {
                "date": self.value(node, "date"),
                "meaning": self.value(node, "dateMeaning"),
                "text": self.text(node, self.v("sourceText")),
            }
            for node in self.own(source, self.v("statedDate"))
        ]


def _source_language(facts: Facts, iri: str) -> str | None:
    """The language tag of the source document `iri` comes from (its texts' original language)."""
    for source in facts.iris(iri, DCTERMS + "source"):
        for language in facts.iris(source, DCTERMS + "language"):
            if _last(language) in TAGS:
                return TAGS[_last(language)]
    return None


def _provenance(view: View, store: LodStore, iri: str) -> dict[str, Any]:
    """The source documents of `iri` and the named graphs stating it, with when they were published."""
    facts = view.facts
    sources = [
        {
            "link": {"href": view.ns.document(source) or source, "name": view.name(source)},
            "file": view.value(source, "sourceFile"),
            "url": next(iter(facts.iris(source, FOAF + "page")), None),
            "language": view.names(source, DCTERMS + "language"),
            "stated": view.stated_dates(source),
        }
        for source in facts.iris(iri, DCTERMS + "source")
    ]
    graphs = [
        {"iri": graph, "modified": modified, "hash": digest}
        for graph, modified, digest in graphs_of(store, iri, view.v("contentHash"))
    ]
    return {"sources": sources, "graphs": graphs}


# -- project ------------------------------------------------------------------------------------------


def _funding(view: View, iri: str) -> list[dict[str, Any]]:
    facts, t = view.facts, view.t
    rows = []
    for node in view.own(iri, view.v("funding")):
        amount = facts.decimal(node, view.v("amount"))
        currency = next((_last(c) for c in facts.iris(node, view.v("currency"))), None)
        rate = facts.decimal(node, view.v("coFinancingRate"))
        rows.append(
            {
                "id": view.anchor(iri, node),
                "href": view.ns.document(node),
                "type": view.names(node, view.v("fundingType")),
                "value": amount,
                "amount": t.money(amount, currency) if amount is not None else None,
                "currency": currency,
                "rate": t.percent(rate) if rate is not None else None,
                "text": view.text(node, view.v("sourceText")),
                "notes": view.all_texts(node, SKOS + "note"),
            }
        )
    return rows


def _participations(view: View, iri: str) -> list[dict[str, Any]]:
    return [
        {
            "id": view.anchor(iri, node),
            "organisation": view.link(organisation),
            "roles": view.names(node, view.v("role")),
        }
        for node in view.own(iri, view.v("participation"))
        for organisation in view.facts.iris(node, view.v("organisation"))
    ]


def _target_groups(view: View, iri: str) -> list[dict[str, Any]]:
    """Each target group concept with the text of the source it classifies."""
    mentions = {
        concept: view.text(node, view.v("sourceText"))
        for node in view.own(iri, view.v("targetGroupMention"))
        for concept in view.facts.iris(node, view.v("targetGroup"))
    }
    return [
        {"id": "target-group-" + _last(concept), "concept": view.link(concept), "text": mentions.get(concept)}
        for concept in view.facts.iris(iri, view.v("targetGroup"))
    ]


def _indicators(view: View, iri: str) -> list[dict[str, Any]]:
    rows = []
    for node in view.own(iri, view.v("indicator")):
        value = view.facts.decimal(node, view.v("value"))
        rows.append(
            {
                "id": view.anchor(iri, node),
                "href": view.ns.document(node),
                "label": view.text(node, LABEL),
                "measure": view.links(node, view.v("measure")),
                "value": view.t.number(value) if value is not None else "",
                "unit": view.names(node, view.v("unit")),
                "planned": view.value(node, "planned") == "true",
                "text": view.text(node, view.v("sourceText")),
                "notes": view.all_texts(node, SKOS + "note"),
            }
        )
    return rows


def _outputs(view: View, iri: str) -> list[dict[str, Any]]:
    rows = []
    for node in view.own(iri, view.v("output")):
        quantity = view.facts.decimal(node, view.v("quantity"))
        codes = [(view.t(label), view.value(node, name)) for name, label in CODES.items()]
        rows.append(
            {
                "id": view.anchor(iri, node),
                "href": view.ns.document(node),
                "type": view.links(node, DCTERMS + "type"),
                "title": view.text(node, DCTERMS + "title"),
                "description": view.text(node, DCTERMS + "description"),
                "quantity": view.t.number(quantity) if quantity is not None else None,
                "codes": [(label, value) for label, value in codes if value],
                "accredited_by": view.links(node, view.v("accreditedBy")),
                "planned": view.value(node, "planned") == "true",
                "notes": view.all_texts(node, SKOS + "note"),
            }
        )
    return rows


def _parts(view: View, iri: str, link: str, *fields: str) -> list[dict[str, Any]]:
    """Activities and events: each node's id and its texts or dates."""
    rows = []
    for node in view.own(iri, view.v(link)):
        row: dict[str, Any] = {"id": view.anchor(iri, node), "date": view.value(node, "date")}
        for name in fields:
            row[name] = view.text(node, DCTERMS + name)
        rows.append(row)
    return sorted(rows, key=lambda row: row["date"] or "") if link == "event" else rows


def project_page(
    who: Reader, ns: Namespaces, store: LodStore, index: SearchIndex, iri: str, document: str
) -> HTMLResponse:
    facts = gather(store, iri)
    view = View(who, ns, facts, _source_language(facts, iri))
    t, v = who.t, view.v
    identifier = facts.value(iri, DCTERMS + "identifier") or _last(iri)
    title = view.text(iri, DCTERMS + "title") or Text(identifier)
    description = view.text(iri, DCTERMS + "description")
    start, end = view.value(iri, "startDate"), view.value(iri, "endDate")
    codes = [
        (t(label), literal.value) for name, label in CODES.items() for literal in facts.literals(iri, v(name))
    ]
    programmes = [
        {**view.link(programme), "period": view.value(programme, "programmingPeriod")}
        for programme in facts.iris(iri, v("programme"))
    ]
    funding = _funding(view, iri)
    participations = _participations(view, iri)
    areas = facts.iris(iri, v("region")) + facts.iris(iri, v("country"))
    structured = {
        "@type": "Project",
        "@id": iri,
        "url": document,
        "name": title.value,
        "identifier": list(dict.fromkeys([identifier, *(code for _, code in codes)])),
        "description": description.value if description else None,
        "alternateName": [text.value for text in view.all_texts(iri, DCTERMS + "alternative")],
        "foundingDate": start,
        "dissolutionDate": end,
        "funder": [{"@type": "FundingScheme", "@id": p["iri"], "name": p["name"].value} for p in programmes],
        "funding": [
            {
                "@type": "MonetaryGrant",
                "name": ", ".join(kind.value for kind in row["type"]),
                "amount": {
                    "@type": "MonetaryAmount",
                    "currency": row["currency"],
                    "value": str(row["value"]),
                },
            }
            for row in funding
            if row["currency"] and row["value"] is not None
        ],
        "member": [
            {
                "@type": "Organization",
                "@id": p["organisation"]["iri"],
                "name": p["organisation"]["name"].value,
            }
            for p in participations
        ],
        "areaServed": [{"@type": "AdministrativeArea", "@id": a, "name": view.name(a).value} for a in areas],
        "sameAs": facts.iris(iri, FOAF + "homepage"),
    }
    return render(
        who,
        ns,
        "page_project.html",
        title=title.value,
        alternates=document_alternates(document),
        structured=_present(structured),
        heading=title,
        iri=iri,
        identifier=identifier,
        codes=codes,
        alternatives=view.all_texts(iri, DCTERMS + "alternative"),
        description=description,
        period=t.period(start, end),
        status=view.links(iri, v("status")),
        programmes=programmes,
        funds=view.links(iri, v("fund")),
        co_financed_by=view.links(iri, v("coFinancedBy")),
        countries=view.links(iri, v("country")),
        regions=view.links(iri, v("region")),
        places=view.links(iri, v("place")),
        websites=facts.iris(iri, FOAF + "homepage"),
        funding=funding,
        participations=participations,
        target_groups=_target_groups(view, iri),
        activities=_parts(view, iri, "activity", "title", "description"),
        indicators=_indicators(view, iri),
        outputs=_outputs(view, iri),
        events=_parts(view, iri, "event", "description"),
        notes=view.all_texts(iri, SKOS + "note"),
        provenance=_provenance(view, store, iri),
    )


# -- organisation -------------------------------------------------------------------------------------


def _roles_by_project(store: LodStore, ns: Namespaces, iri: str) -> dict[str, list[str]]:
    query = (
        f"SELECT DISTINCT ?project ?role WHERE {{ ?part <{ns.vocab}organisation> <{iri}> ; "
        f"<{ns.vocab}project> ?project ; <{ns.vocab}role> ?role }}"
    )
    roles: dict[str, list[str]] = {}
    for row in rows(store, query):
        roles.setdefault(row["project"].value, []).append(row["role"].value)
    return roles


def organisation_page(
    who: Reader, ns: Namespaces, store: LodStore, index: SearchIndex, iri: str, document: str
) -> HTMLResponse:
    facts = gather(store, iri, depth=1)
    view = View(who, ns, facts)
    v = view.v
    name = view.text(iri, FOAF + "name") or Text(_last(iri))
    roles = _roles_by_project(store, ns, iri)
    summaries = search.summaries(index, sorted(roles))
    role_names = described(store, sorted({role for found in roles.values() for role in found}))
    projects: list[dict[str, Any]] = []
    for project in sorted(
        roles, key=lambda p: summaries[p].summary.get("start") or "" if p in summaries else ""
    ):
        hit = summaries.get(project)
        row: dict[str, Any] = (
            hit_view(who.t, ns, index, hit) if hit else {"href": ns.document(project), "title": Text(project)}
        )
        row["roles"] = [who.t.pick(role_names.names(role)) or Text(_last(role)) for role in roles[project]]
        projects.append(row)
    units = linking(store, ORG + "subOrganizationOf", iri, LIST_LIMIT)
    accredited = linking(store, v("accreditedBy"), iri, LIST_LIMIT)
    around = described(store, units + accredited)
    address = next(iter(facts.iris(iri, SCHEMA + "address")), "")
    lines = [facts.value(address, SCHEMA + key) for key in ("streetAddress", "postalCode", "addressLocality")]
    address_lines = [line for line in lines if line]
    structured = {
        "@type": "Organization",
        "@id": iri,
        "url": document,
        "name": name.value,
        "identifier": facts.value(iri, DCTERMS + "identifier"),
        "alternateName": [text.value for text in view.all_texts(iri, SKOS + "altLabel")],
        "address": ", ".join(address_lines),
        "parentOrganization": [{"@id": parent} for parent in facts.iris(iri, ORG + "subOrganizationOf")],
        "sameAs": facts.iris(iri, FOAF + "homepage"),
    }
    return render(
        who,
        ns,
        "page_organisation.html",
        title=name.value,
        alternates=document_alternates(document),
        structured=_present(structured),
        heading=name,
        iri=iri,
        identifier=facts.value(iri, DCTERMS + "identifier"),
        alternative_names=view.all_texts(iri, SKOS + "altLabel"),
        company_number=view.value(iri, "companyNumber"),
        data_box=view.value(iri, "dataBox"),
        countries=view.links(iri, v("country")),
        regions=view.links(iri, v("region")),
        places=view.links(iri, v("place")),
        address=address_lines,
        websites=facts.iris(iri, FOAF + "homepage"),
        part_of=view.links(iri, ORG + "subOrganizationOf"),
        units=[
            {"href": ns.document(unit), "name": who.t.pick(around.names(unit)) or Text(unit)}
            for unit in units
        ],
        accredited=[
            {
                "href": ns.document(output),
                "name": who.t.pick(around.texts(output, DCTERMS + "title")) or Text(output),
            }
            for output in accredited
        ],
        projects=projects,
        notes=view.all_texts(iri, SKOS + "note"),
        provenance=_provenance(view, store, iri),
    )


# -- concepts and schemes -------------------------------------------------------------------------------


def _programmes_of_fund(who: Reader, ns: Namespaces, store: LodStore, fund: str) -> list[dict[str, Any]]:
    query = (
        f"SELECT DISTINCT ?p WHERE {{ ?p <{SKOS}inScheme> <{ns.scheme('programme').value}> ; "
        f"<{ns.vocab}fund> <{fund}> }}"
    )
    found = sorted(row["p"].value for row in rows(store, query))
    around = described(store, found)
    return [{"href": ns.document(p), "name": who.t.pick(around.names(p)) or Text(_last(p))} for p in found]


def concept_page(
    who: Reader, ns: Namespaces, store: LodStore, index: SearchIndex, iri: str, document: str
) -> HTMLResponse:
    facts = gather(store, iri, depth=1)
    view = View(who, ns, facts)
    scheme, notation = iri[len(ns.base) + len("id/concept/") :].split("/", 1)
    scheme_iri = ns.scheme(scheme).value
    name = view.text(iri, SKOS + "prefLabel") or Text(notation)
    definition = view.text(iri, SKOS + "definition")
    facet = FACET_OF_SCHEME.get(scheme)
    results: dict[str, Any] = {}
    if facet is not None:
        query = query_of(who.request, {facet: [notation]})
        results = results_view(who, ns, index, query, run(index, query), who.request.url.path)
    kind = "FundingScheme" if scheme in ("programme", "fund") else "DefinedTerm"
    structured = {
        "@type": kind,
        "@id": iri,
        "url": document,
        "name": name.value,
        "description": definition.value if definition else None,
        "identifier": notation,
        "inDefinedTermSet": scheme_iri if kind == "DefinedTerm" else None,
    }
    return render(
        who,
        ns,
        "page_concept.html",
        title=f"{name.value} · {view.name(scheme_iri).value}",
        alternates=document_alternates(document),
        structured=_present(structured),
        heading=name,
        iri=iri,
        scheme={"href": ns.document(scheme_iri), "name": view.name(scheme_iri)},
        notation=notation,
        labels=sorted(facts.texts(iri, SKOS + "prefLabel").items()),
        alternative_names=view.all_texts(iri, SKOS + "altLabel"),
        definition=definition,
        period=view.value(iri, "programmingPeriod"),
        funds=view.links(iri, view.v("fund")),
        broader=view.links(iri, SKOS + "broader"),
        narrower=view.links(iri, SKOS + "narrower"),
        related=view.links(iri, SKOS + "related"),
        close_match=[
            {"href": match, "name": view.name(match)} for match in facts.iris(iri, SKOS + "closeMatch")
        ],
        programmes=_programmes_of_fund(who, ns, store, iri) if scheme == "fund" else [],
        facet=facet,
        **results,
    )


def scheme_page(
    who: Reader, ns: Namespaces, store: LodStore, index: SearchIndex, iri: str, document: str
) -> HTMLResponse:
    view = View(who, ns, gather(store, iri, depth=0))
    members = linking(store, SKOS + "inScheme", iri, 2000)
    around = described(store, members)
    name = view.text(iri, SKOS + "prefLabel") or Text(_last(iri))
    concepts: list[dict[str, Any]] = [
        {
            "iri": concept,
            "href": ns.document(concept) or concept,
            "name": who.t.pick(around.names(concept)) or Text(_last(concept)),
            "notation": around.value(concept, SKOS + "notation"),
            "definition": who.t.pick(around.texts(concept, SKOS + "definition")),
        }
        for concept in members
    ]
    concepts.sort(key=lambda concept: concept["name"].value.casefold())
    terms = [{"@type": "DefinedTerm", "@id": c["iri"], "name": c["name"].value} for c in concepts]
    structured = {
        "@type": "DefinedTermSet",
        "@id": iri,
        "url": document,
        "name": name.value,
        "hasDefinedTerm": terms,
    }
    return render(
        who,
        ns,
        "page_scheme.html",
        title=name.value,
        alternates=document_alternates(document),
        structured=structured,
        heading=name,
        iri=iri,
        definition=view.text(iri, SKOS + "definition"),
        concepts=concepts,
    )


# -- place and source -----------------------------------------------------------------------------------


def _project_rows(who: Reader, ns: Namespaces, index: SearchIndex, iris: list[str]) -> list[dict[str, Any]]:
    summaries = search.summaries(index, iris)
    return [hit_view(who.t, ns, index, summaries[iri]) for iri in iris if iri in summaries]


def _organisation_rows(who: Reader, ns: Namespaces, facts: Facts, iris: list[str]) -> list[dict[str, Any]]:
    return [{"href": ns.document(o), "name": who.t.pick(facts.names(o)) or Text(_last(o))} for o in iris]


def place_page(
    who: Reader, ns: Namespaces, store: LodStore, index: SearchIndex, iri: str, document: str
) -> HTMLResponse:
    facts = gather(store, iri, depth=1)
    view = View(who, ns, facts)
    v = view.v
    name = view.text(iri, LABEL) or Text(_last(iri))
    linked = linking(store, v("place"), iri, LIST_LIMIT)
    around = described(store, linked)
    areas = facts.iris(iri, v("region")) + facts.iris(iri, v("country"))
    structured = {
        "@type": "Place",
        "@id": iri,
        "url": document,
        "name": name.value,
        "containedInPlace": [{"@id": area} for area in areas],
    }
    return render(
        who,
        ns,
        "page_place.html",
        title=name.value,
        alternates=document_alternates(document),
        structured=_present(structured),
        heading=name,
        iri=iri,
        labels=sorted(facts.texts(iri, LABEL).items()),
        countries=view.links(iri, v("country")),
        regions=view.links(iri, v("region")),
        projects=_project_rows(who, ns, index, [s for s in linked if v("Project") in around.types(s)]),
        organisations=_organisation_rows(
            who, ns, around, [s for s in linked if v("Organisation") in around.types(s)]
        ),
    )


def _graph_rows(store: LodStore, graph: str, content_hash: str) -> list[dict[str, str | None]]:
    """The named graph of a source, when it was published and its content hash."""
    query = (
        f"SELECT ?modified ?hash WHERE {{ GRAPH <{graph}> {{ "
        f"OPTIONAL {{ <{graph}> <{DCTERMS}modified> ?modified }} "
        f"OPTIONAL {{ <{graph}> <{content_hash}> ?hash }} }} }} LIMIT 1"
    )
    return [
        {
            "iri": graph,
            "modified": row["modified"].value if row["modified"] else None,
            "hash": row["hash"].value if row["hash"] else None,
        }
        for row in rows(store, query)
    ]


def source_page(
    who: Reader, ns: Namespaces, store: LodStore, index: SearchIndex, iri: str, document: str
) -> HTMLResponse:
    facts = gather(store, iri, depth=1)
    view = View(who, ns, facts)
    v = view.v
    name = view.text(iri, DCTERMS + "title") or Text(view.value(iri, "sourceFile") or _last(iri))
    graph = ns.graph("source/" + _last(iri)).value
    total, hits = search.projects_in_graph(index, graph, LIST_LIMIT)
    query = f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s a <{v('Organisation')}> }} }} LIMIT {LIST_LIMIT}"
    organisations = sorted(row["s"].value for row in rows(store, query))
    languages = view.names(iri, DCTERMS + "language")
    structured = {
        "@type": "CreativeWork",
        "@id": iri,
        "url": document,
        "name": name.value,
        "sameAs": facts.iris(iri, FOAF + "page"),
        "inLanguage": [language.value for language in languages],
    }
    return render(
        who,
        ns,
        "page_source.html",
        title=name.value,
        alternates=document_alternates(document),
        structured=_present(structured),
        heading=name,
        iri=iri,
        file=view.value(iri, "sourceFile"),
        urls=facts.iris(iri, FOAF + "page"),
        languages=view.links(iri, DCTERMS + "language"),
        stated=view.stated_dates(iri),
        notes=view.all_texts(iri, SKOS + "note"),
        graphs=_graph_rows(store, graph, v("contentHash")),
        projects=[hit_view(who.t, ns, index, hit) for hit in hits],
        project_count=total,
        organisations=_organisation_rows(who, ns, described(store, organisations), organisations),
    )


# -- dispatch ---------------------------------------------------------------------------------------------

Builder = Callable[[Reader, Namespaces, LodStore, SearchIndex, str, str], HTMLResponse]
# Kind (the first segment after id/) -> the number of segments its things have, and its page.
KINDS: dict[str, tuple[int, Builder]] = {
    "project": (2, project_page),
    "organisation": (2, organisation_page),
    "concept": (3, concept_page),
    "scheme": (2, scheme_page),
    "place": (2, place_page),
    "source": (2, source_page),
}


def document_page(
    request: Request, store: LodStore, ns: Namespaces, iri: NamedNode, document: str
) -> HTMLResponse | None:
    """The rich HTML page of `iri` (a thing lodcat mints), or None if its kind has none."""
    prefix = ns.base + "id/"
    path = iri.value[len(prefix) :].split("/") if iri.value.startswith(prefix) else []
    kind = KINDS.get(path[0]) if path else None
    if kind is None or len(path) != kind[0]:
        return None
    return kind[1](reader(request), ns, store, search_index_of(request.app), iri.value, document)
