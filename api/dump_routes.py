"""The dumps over HTTP: `GET /dumps/` lists them, `GET /dumps/{name}` serves one file.

Files are served as written (Content-Length, ETag = its SHA-256, Last-Modified, Range requests, 304).
They are rewritten when the data changed since they were written (loader/dumps.py): in the background at
startup, and before answering any request that describes or serves them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import formatdate

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pyoxigraph import NamedNode

from api.deps import SettingsDep, StoreDep
from api.errors import NotFound
from loader.dumps import Manifest, dumps_folder, ensure_dumps
from loader.namespaces import Namespaces
from loader.settings import Settings
from loader.store import LodStore

logger = logging.getLogger(__name__)


def dump_url(ns: Namespaces, name: str) -> NamedNode:
    return NamedNode(f"{ns.base}dumps/{name}")


def current_dumps(store: LodStore, settings: Settings) -> Manifest:
    """The dumps of the data now in the store, rewritten first if the data changed. Raises OSError."""
    return ensure_dumps(store, dumps_folder(settings), Namespaces(settings.base_iri))


@asynccontextmanager
async def _dumps_at_startup(app: FastAPI) -> AsyncIterator[None]:
    """Bring the dumps up to date in the background, so start-up does not wait for them (at 10^5
    projects writing them takes minutes); a request that needs them meanwhile waits for the same write
    (ensure_dumps holds one lock). A folder that cannot be written is logged, not fatal: the catalogue
    and the dumps then answer 500 with the error, and the rest of lodcat works."""

    def write() -> None:
        try:
            current_dumps(app.state.store, app.state.settings)
        except OSError as error:
            logger.warning("cannot write the dumps: %s", error)

    threading.Thread(target=write, name="lodcat-dumps", daemon=True).start()
    yield


router = APIRouter(tags=["catalogue"], lifespan=_dumps_at_startup)


@router.get("/dumps/", summary="The dumps: names, URLs, sizes, checksums and the data version they hold")
def dumps_manifest(store: StoreDep, settings: SettingsDep) -> JSONResponse:
    manifest = current_dumps(store, settings)
    listing = [
        {
            "name": dump.name,
            "url": f"{settings.base_iri}dumps/{dump.name}",
            "content_type": dump.served_type,
            "format": dump.media_type,
            "bytes": dump.bytes,
            "sha256": dump.sha256,
            "sha1": dump.sha1,
            "statements": dump.statements,
        }
        for dump in manifest.dumps
    ]
    return JSONResponse(
        {"data_version": manifest.data_version, "generated": manifest.generated, "dumps": listing}
    )


def _names(header: str | None, etag: str) -> bool:
    """Whether If-None-Match names `etag` or is `*`; the comparison is weak (RFC 9110, section 13.1.2)."""
    if header is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


@router.get("/dumps/{name}", summary="One dump file (byte ranges supported)")
@router.head("/dumps/{name}", summary="Headers of one dump file: Content-Length, ETag, Last-Modified")
def dump_file(name: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The file as written, with Content-Length, ETag (its SHA-256), Last-Modified, Range requests (206)
    and If-None-Match (304). A gzipped dump is served as application/gzip, not with Content-Encoding, so
    the bytes received are the bytes the checksum is about."""
    manifest = current_dumps(store, settings)
    dump = manifest.dump(name)
    if dump is None:
        available = ", ".join(each.name for each in manifest.dumps)
        raise NotFound(f"No dump is named {name!r}; available: {available}")
    path = dumps_folder(settings) / dump.name
    etag = f'"{dump.sha256}"'
    if _names(request.headers.get("if-none-match"), etag):
        modified = formatdate(path.stat().st_mtime, usegmt=True)
        return Response(status_code=304, headers={"ETag": etag, "Last-Modified": modified})
    return FileResponse(path, media_type=dump.served_type, filename=dump.name, headers={"ETag": etag})
