"""ApiError subclasses carrying their status; one handler renders problem+json or an HTML page."""

from __future__ import annotations

import html

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response


class ApiError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400
    title = "Bad request"


class BadQuery(BadRequest):
    title = "SPARQL syntax error"


class UpdateRefused(BadRequest):
    title = "SPARQL update refused"


class QueryFailed(ApiError):
    status = 500
    title = "Query failed"


class ServiceBusy(ApiError):
    status = 503
    title = "All query slots are busy"


class QueryTimedOut(ApiError):
    status = 503
    title = "Query timeout"


class PayloadTooLarge(ApiError):
    status = 413
    title = "Request body too large"


class NotFound(ApiError):
    status = 404
    title = "Not found"


class NotAcceptable(ApiError):
    status = 406
    title = "Not acceptable"


class UnsupportedMediaType(ApiError):
    status = 415
    title = "Unsupported media type"


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split(",")[0]


async def handle_api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    if wants_html(request):
        body = (
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{error.status} {error.title}"
            f"</title></head><body><main><h1>{error.status} {html.escape(error.title)}</h1>"
            f'<p>{html.escape(error.detail)}</p><p><a href="/">lodcat home</a></p></main></body></html>'
        )
        return HTMLResponse(body, status_code=error.status, headers=error.headers)
    return JSONResponse(
        {"type": "about:blank", "title": error.title, "status": error.status, "detail": error.detail},
        status_code=error.status,
        media_type="application/problem+json",
        headers=error.headers,
    )


async def handle_validation_error(request: Request, error: Exception) -> Response:
    """Malformed parameters: 400 problem+json naming each parameter and what is wrong with it."""
    from fastapi.exceptions import RequestValidationError

    assert isinstance(error, RequestValidationError)
    problems = []
    for detail in error.errors():
        location = ".".join(
            str(part) for part in detail.get("loc", ()) if part not in ("query", "path", "body")
        )
        problems.append(f"{location or 'request'}: {detail.get('msg', 'invalid')}")
    return await handle_api_error(request, BadRequest("; ".join(problems)))
