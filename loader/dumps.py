"""Dumps: everything published, as files a researcher downloads once, with their SHA-256 checksums.

`write_dumps` writes four files into the dumps folder and a `manifest.json` describing them:

- `lodcat.nq.gz`  N-Quads, gzip: every quad, so the named graph of each source is kept;
- `lodcat.nt.gz`  N-Triples, gzip: the triples of all graphs, each once;
- `lodcat.ttl`    Turtle: the same triples;
- `lodcat.jsonld` JSON-LD: every quad, named graphs as `@graph` objects.

The output is a function of the data alone, so a checksum changes only when the data does: N-Quads and
N-Triples lines are sorted (`LC_ALL=C sort` order), Turtle and JSON-LD are written from sorted
statements, and gzip records neither a file name nor a time (RFC 1952, MTIME = 0 means "no time stamp").

The manifest records the store's data version (`LodStore.data_version`, a digest of every graph's content
hash); `ensure_dumps` rewrites the files only when the store's version differs from it. Files are
written to a temporary name and renamed, so a reader sees the old file or the new one.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, Triple, parse, serialize

from loader.namespaces import Namespaces
from loader.settings import Settings
from loader.store import LodStore

MANIFEST = "manifest.json"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "http://www.iana.org/assignments/media-types/"
GZIP_MEDIA_TYPE = "application/gzip"

# One writer at a time in this process (re-entrant: ensure_dumps holds it while it calls write_dumps);
# renames keep readers in other processes safe.
_writing = threading.RLock()


@dataclass(frozen=True)
class DumpFormat:
    """One kind of dump: its file name, RDF format, EU file-type code and whether it is gzipped."""

    name: str
    rdf: RdfFormat
    file_type: str
    gzipped: bool = False

    @property
    def media_type(self) -> str:
        """The media type of the RDF inside (the file's own type is application/gzip when gzipped)."""
        return self.rdf.media_type


FORMATS = (
    DumpFormat("lodcat.nq.gz", RdfFormat.N_QUADS, "RDF_N_QUADS", gzipped=True),
    DumpFormat("lodcat.nt.gz", RdfFormat.N_TRIPLES, "RDF_N_TRIPLES", gzipped=True),
    DumpFormat("lodcat.ttl", RdfFormat.TURTLE, "RDF_TURTLE"),
    DumpFormat("lodcat.jsonld", RdfFormat.JSON_LD, "JSON_LD"),
)


@dataclass(frozen=True)
class Dump:
    """One written file as the manifest records it."""

    name: str
    media_type: str
    file_type: str
    gzipped: bool
    bytes: int
    sha256: str
    statements: int

    @property
    def served_type(self) -> str:
        """The Content-Type the file is served with: gzip stays gzip, not a Content-Encoding, so the bytes
        a client receives are the bytes the checksum is about."""
        return GZIP_MEDIA_TYPE if self.gzipped else self.media_type

    @property
    def file_type_iri(self) -> str:
        return FILE_TYPE + self.file_type

    @property
    def media_type_iri(self) -> str:
        return IANA + self.media_type


@dataclass(frozen=True)
class Manifest:
    data_version: str
    generated: str
    dumps: tuple[Dump, ...]

    def dump(self, name: str) -> Dump | None:
        return next((dump for dump in self.dumps if dump.name == name), None)

    def to_json(self) -> str:
        body = {
            "data_version": self.data_version,
            "generated": self.generated,
            "dumps": [asdict(dump) for dump in self.dumps],
        }
        return json.dumps(body, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        body = json.loads(text)
        return cls(body["data_version"], body["generated"], tuple(Dump(**dump) for dump in body["dumps"]))


def dumps_folder(settings: Settings) -> Path:
    """LODCAT_DUMPS, or `dumps` beside the store (`var/dumps` for `var/store`), so two stores never
    share one folder."""
    return settings.dumps_path if settings.dumps_path is not None else settings.store_path.parent / "dumps"


def data_version(store: LodStore, ns: Namespaces) -> str:
    return store.data_version(ns.term("contentHash"))


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted({line for line in data.splitlines() if line})
    return b"".join(line + b"\n" for line in lines)


def _statement_key(quad: Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))


def _prefixes(ns: Namespaces) -> dict[str, str]:
    return {prefix: iri for prefix, iri in ns.prefixes().items() if prefix != "sh"}


def _serialize(statements: Iterable[Quad] | Iterable[Triple], rdf_format: RdfFormat, ns: Namespaces) -> bytes:
    output = io.BytesIO()
    prefixes = _prefixes(ns) if rdf_format is RdfFormat.TURTLE else None
    serialize(statements, output, format=rdf_format, prefixes=prefixes)
    return output.getvalue()


def _contents(store: LodStore, ns: Namespaces) -> dict[RdfFormat, tuple[bytes, int]]:
    """Per format, the bytes of the dump before compression and its number of statements."""
    quads = sorted(store.quads(), key=_statement_key)
    n_quads = _sorted_lines(_serialize(quads, RdfFormat.N_QUADS, ns))
    n_triples = _sorted_lines(_serialize((quad.triple for quad in quads), RdfFormat.N_TRIPLES, ns))
    triples = list(parse(n_triples, format=RdfFormat.N_TRIPLES))
    return {
        RdfFormat.N_QUADS: (n_quads, len(quads)),
        RdfFormat.N_TRIPLES: (n_triples, len(triples)),
        RdfFormat.TURTLE: (_serialize(triples, RdfFormat.TURTLE, ns), len(triples)),
        RdfFormat.JSON_LD: (_serialize(quads, RdfFormat.JSON_LD, ns), len(quads)),
    }


def _gzip(data: bytes) -> bytes:
    output = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=output, mtime=0) as compressed:
        compressed.write(data)
    return output.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and one rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_dumps(store: LodStore, folder: Path, ns: Namespaces) -> Manifest:
    """Write every dump and the manifest into `folder` (created if missing); return the manifest.

    Reads the store, changes nothing in it. Raises OSError if the folder cannot be written; files already
    renamed into place stay (each is complete), and the manifest, written last, still names the old ones.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with _writing:
        version = data_version(store, ns)
        contents = _contents(store, ns)
        dumps = []
        for dump_format in FORMATS:
            data, statements = contents[dump_format.rdf]
            if dump_format.gzipped:
                data = _gzip(data)
            _write_atomically(folder / dump_format.name, data)
            dumps.append(
                Dump(
                    name=dump_format.name,
                    media_type=dump_format.media_type,
                    file_type=dump_format.file_type,
                    gzipped=dump_format.gzipped,
                    bytes=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    statements=statements,
                )
            )
        generated = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        manifest = Manifest(version, generated, tuple(dumps))
        _write_atomically(folder / MANIFEST, manifest.to_json().encode("utf-8"))
        return manifest


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest in `folder`, or None if there is none or it is unreadable (then dumps are rewritten)."""
    try:
        return Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def current_manifest(folder: Path, version: str) -> Manifest | None:
    """The manifest in `folder` if it describes the data at `version` and every file it names is there,
    whole; else None."""
    manifest = read_manifest(folder)
    if manifest is None or manifest.data_version != version:
        return None
    if {dump.name for dump in manifest.dumps} != {dump_format.name for dump_format in FORMATS}:
        return None
    for dump in manifest.dumps:
        path = folder / dump.name
        if not path.is_file() or path.stat().st_size != dump.bytes:
            return None
    return manifest


def ensure_dumps(store: LodStore, folder: Path, ns: Namespaces) -> Manifest:
    """The manifest of dumps of the data now in the store, rewriting them first if the data changed.

    Reads the store; writes `folder` only when its manifest is missing, stale or names missing files.
    Raises OSError if they must be written and cannot be.
    """
    version = data_version(store, ns)
    if (manifest := current_manifest(folder, version)) is not None:
        return manifest
    with _writing:  # another thread may have written them meanwhile
        if (manifest := current_manifest(folder, version)) is not None:
            return manifest
        return write_dumps(store, folder, ns)
