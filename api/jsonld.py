"""The JSON-LD @context that makes the REST JSON RDF, and the two representations of every document.

Every key the REST API writes is a term of the context served at /api/v1/context.jsonld, so the JSON-LD
representation is the JSON plus "@context", and expanding it gives triples that are in the store:
`iri` is `@id`, `type` is `@type`, `title` is dcterms:title as a language map, and a date is a value
object whose `precision` is its datatype (`"end": {"value": "2011-06", "precision": "month"}` is
lodcat:endDate "2011-06"^^xsd:gYearMonth, through a property-scoped context). A plain-JSON client gets
the same document with a `Link` header naming the context (JSON-LD 1.1, section 6.1:
https://www.w3.org/TR/json-ld11/#interpreting-json-as-json-ld).

A few keys are conveniences with no triple behind them (the `code` of a country, which is the last
segment of its IRI, paging numbers, and the count and URL of the projects an organisation, programme or
fund names beyond the first ones it embeds); the context maps them to null, so JSON-LD processors drop
them rather than invent a statement. Where one key means different properties on different kinds of node
(`label` is skos:prefLabel on concepts but rdfs:label on indicators and places) a type-scoped context
says so (https://www.w3.org/TR/json-ld11/#type-scoped-contexts).

The models are in api/models.py and api/project_models.py; api/documents.py fills them from triples.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api.negotiation import JSON_LD, Format, negotiate
from loader.namespaces import Namespaces

CONTEXT = Path(__file__).with_name("context.jsonld")
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
JSON = Format("JSON", "application/json")
REPRESENTATIONS = (JSON, JSON_LD)


@cache
def _published_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads(CONTEXT.read_text(encoding="utf-8"))
    return context


def context(ns: Namespaces) -> dict[str, Any]:
    """The JSON-LD 1.1 @context of every REST document: api/context.jsonld (written for the default base
    IRI) with the lodcat vocabulary namespace of this base."""
    document = copy.deepcopy(_published_context())
    document["@context"]["lodcat"] = ns.vocab
    return document


def representation(
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    format: Annotated[
        Literal["json", "jsonld"] | None,
        Query(
            description="json or jsonld; beats the Accept header (application/json or application/ld+json).",
            examples=["jsonld"],
        ),
    ] = None,
) -> Format:
    """The representation asked for: `?format=` if given, else the Accept header; JSON by default."""
    if format is not None:
        return JSON_LD if format == "jsonld" else JSON
    return negotiate(accept, REPRESENTATIONS)


RepresentationDep = Annotated[Format, Depends(representation)]


def respond(
    request: Request, document: BaseModel, format_: Format, links: Mapping[str, str] | None = None
) -> Response:
    """`document` as JSON, or as JSON-LD with the published @context: one shape, two media types."""
    context_url = str(request.url_for("jsonld_context"))
    body: dict[str, Any] = document.model_dump(mode="json", exclude_none=True)
    link = [f'<{url}>; rel="{rel}"' for rel, url in (links or {}).items()]
    if format_ is JSON_LD:
        body = {"@context": context_url, **body}
    else:
        link.append(f'<{context_url}>; rel="{CONTEXT_REL}"; type="{JSON_LD.media_type}"')
    headers = {"Vary": "Accept", **({"Link": ", ".join(link)} if link else {})}
    return JSONResponse(body, media_type=format_.media_type, headers=headers)
