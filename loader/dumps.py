"""Dumps: everything published, as files a researcher downloads once, with their checksums.

`write_dumps` writes four files into the dumps folder and a `manifest.json` describing them:

- `lodcat.nq.gz`  N-Quads, gzip: every quad, so the named graph of each source is kept;
- `lodcat.nt.gz`  N-Triples, gzip: the triples of all graphs, each once;
- `lodcat.ttl`    Turtle: the same triples;
- `lodcat.jsonld` JSON-LD: every quad, named graphs as `@graph` objects.

The output is a function of the data alone, so a checksum changes only when the data does: N-Quads and
N-Triples lines are sorted (`LC_ALL=C sort` order, i.e. by bytes), Turtle is written from the sorted
N-Triples, JSON-LD from the quads sorted by graph, then by line; gzip records neither a file name nor a
time (RFC 1952, MTIME = 0 means "no time stamp"). (lodcat mints IRIs for every node; were there blank
nodes, their labels would be the store's own, so two stores of the same data could differ there.)

Memory does not grow with the store (at 10^5 projects the former in-memory writer needed 14 GiB, this one
0.6 GiB, see docs/benchmarks.md): Oxigraph writes each graph as N-Triples in Rust (`LodStore.dump_to`);
three external merge sorts (GNU `sort -u`, loader/line_sort.py, each with at most `sort_memory` of
buffer, spilling to a folder beside the dumps) order the lines; the sorted streams are compressed, hashed
and counted chunk by chunk, and Turtle and JSON-LD are written by pyoxigraph's streaming serializers from
its streaming parser. Sorting needs free disk of about three times the uncompressed N-Quads (6 GB at 10^5
projects) while the dumps are being written.

The manifest records the store's data version (`LodStore.data_version`, a digest of every graph's content
hash) and, per file, its size, SHA-256 and SHA-1 (DCAT-AP 2.1.1 accepts only SHA-1) and its number of
statements; `ensure_dumps` rewrites the files only when the store's version differs from it. Files are
written to temporary names and renamed, so a reader sees the old file or the new one.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, RdfFormat, parse, serialize

from loader.line_sort import LineSort, line_sorts
from loader.namespaces import Namespaces
from loader.settings import Settings
from loader.store import LodStore

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

MANIFEST = "manifest.json"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "http://www.iana.org/assignments/media-types/"
GZIP_MEDIA_TYPE = "application/gzip"

# Buffer of each of the three sorts that run at once (GNU sort's -S): the bound on the dump's memory.
SORT_MEMORY = "128M"
# zlib's default level: at 10^5 projects level 9 took 3x as long for files 8 % smaller.
COMPRESSION = 6
CHUNK = 1 << 20
# The data may change while the dumps are written (the graphs are read one at a time); then they are
# written again, at most this many times in all, and the last ones are kept with the version read before
# them, so `ensure_dumps` writes them again at its next call.
ATTEMPTS = 3

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
    sha1: str
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


def _prefixes(ns: Namespaces) -> dict[str, str]:
    return {prefix: iri for prefix, iri in ns.prefixes().items() if prefix != "sh"}


# -- the files being written ---------------------------------------------------------------------------


class _Output(io.RawIOBase):
    """A temporary file in the dumps folder that hashes and counts the bytes written to it."""

    def __init__(self, folder: Path, name: str) -> None:
        super().__init__()
        self.name = name
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        self.path = Path(temporary)
        self._file = os.fdopen(handle, "wb")
        self._sha256, self._sha1 = hashlib.sha256(), hashlib.sha1()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        self._file.write(data)
        self._sha256.update(data)
        self._sha1.update(data)
        size = memoryview(data).nbytes
        self.size += size
        return size

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()

    def dump(self, dump_format: DumpFormat, statements: int) -> Dump:
        return Dump(
            name=dump_format.name,
            media_type=dump_format.media_type,
            file_type=dump_format.file_type,
            gzipped=dump_format.gzipped,
            bytes=self.size,
            sha256=self._sha256.hexdigest(),
            sha1=self._sha1.hexdigest(),
            statements=statements,
        )


def _gzipped(output: _Output) -> gzip.GzipFile:
    return gzip.GzipFile(filename="", mode="wb", fileobj=output, mtime=0, compresslevel=COMPRESSION)


class _Copying(io.RawIOBase):
    """Reads `source` and copies what it reads into `copy`, counting its lines (the N-Triples stream is
    parsed for Turtle and gzipped as it is, in one pass)."""

    def __init__(self, source: IO[bytes], copy: gzip.GzipFile) -> None:
        self._source, self._copy = source, copy
        self.lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer)
        data = self._source.read(len(view))
        view[: len(data)] = data
        self._copy.write(data)
        self.lines += data.count(b"\n")
        return len(data)


# -- sorting ---------------------------------------------------------------------------------------------

# The three orders: lines as bytes (N-Quads, N-Triples) and by graph, then by line (JSON-LD). For the
# latter each N-Quads line has a tab before its graph name, which N-Quads allows between terms; the
# N-Triples Oxigraph writes escape every tab inside a literal as \t, so that tab is the only one.
BY_LINE: tuple[str, ...] = ()
BY_GRAPH = ("-t", "\t", "-k2,2", "-k1,1")
SORTS = ((BY_LINE, "triples"), (BY_LINE, "quads"), (BY_GRAPH, "quads-by-graph"))


class _Lines(io.RawIOBase):
    """Where Oxigraph writes the N-Triples of one graph after another: each complete line goes to the
    three sorts, as it is, as an N-Quads line and as an N-Quads line keyed by its graph."""

    def __init__(self, triples: IO[bytes], quads: IO[bytes], by_graph: IO[bytes]) -> None:
        self._triples, self._quads, self._by_graph = triples, quads, by_graph
        self._pending = b""
        self._quad_end = self._keyed_end = b" .\n"

    def writable(self) -> bool:
        return True

    def start(self, graph: NamedNode | BlankNode | DefaultGraph) -> None:
        """The lines written from now on are the triples of `graph`."""
        assert not self._pending, "a graph's last line was not complete"
        if isinstance(graph, DefaultGraph):
            self._quad_end = self._keyed_end = b" .\n"
        else:
            name = str(graph).encode("utf-8")
            self._quad_end, self._keyed_end = b" " + name + b" .\n", b"\t" + name + b" .\n"

    def write(self, data: ReadableBuffer) -> int:
        chunk = self._pending + bytes(data)
        end = chunk.rfind(b"\n") + 1
        self._pending = chunk[end:]
        if end:
            # Every line of N-Triples as Oxigraph writes it ends with " .\n", and a newline inside a
            # literal is written \n, so " .\n" occurs nowhere else.
            lines = chunk[:end]
            self._triples.write(lines)
            self._quads.write(lines.replace(b" .\n", self._quad_end))
            self._by_graph.write(lines.replace(b" .\n", self._keyed_end))
        return memoryview(data).nbytes


def _write_files(store: LodStore, folder: Path, ns: Namespaces, memory: str) -> list[tuple[_Output, Dump]]:
    """Write the four files under temporary names; each temporary file with the Dump describing it.

    Raises OSError (a full disk, a failed sort); then no temporary file is left.
    """
    outputs = [_Output(folder, dump_format.name) for dump_format in FORMATS]
    try:
        with (
            tempfile.TemporaryDirectory(dir=folder, prefix=".sorting-") as work,
            line_sorts(SORTS, memory, Path(work)) as (triples, quads, by_graph),
        ):
            lines = _Lines(triples.input, quads.input, by_graph.input)
            buffered = io.BufferedWriter(lines, CHUNK)
            for graph in (DefaultGraph(), *store.graph_names()):
                lines.start(graph)
                store.dump_to(buffered, RdfFormat.N_TRIPLES, from_graph=graph)
                buffered.flush()
            lines.start(DefaultGraph())
            for sort in (triples, quads, by_graph):
                sort.input.close()
            counts = _write_sorted(outputs, triples, quads, by_graph, ns)
            for sort in (triples, quads, by_graph):
                sort.finish()
    except BaseException:
        for output in outputs:
            output.close()
            output.path.unlink(missing_ok=True)
        raise
    for output in outputs:
        output.close()
    return [
        (output, output.dump(dump_format, counts[dump_format.rdf]))
        for output, dump_format in zip(outputs, FORMATS, strict=True)
    ]


def _write_sorted(
    outputs: list[_Output], triples: LineSort, quads: LineSort, by_graph: LineSort, ns: Namespaces
) -> dict[RdfFormat, int]:
    """Compress, convert and hash the sorted streams into the outputs; the statements of each format."""
    quads_out, triples_out, turtle_out, json_ld_out = outputs
    quad_count = 0
    with _gzipped(quads_out) as compressed:
        while chunk := quads.output.read(CHUNK):
            compressed.write(chunk)
            quad_count += chunk.count(b"\n")
    with _gzipped(triples_out) as compressed:
        copying = _Copying(triples.output, compressed)
        parsed = parse(io.BufferedReader(copying, CHUNK), format=RdfFormat.N_TRIPLES, lenient=True)
        with io.BufferedWriter(turtle_out, CHUNK) as turtle:
            serialize(parsed, turtle, format=RdfFormat.TURTLE, prefixes=_prefixes(ns))
        triple_count = copying.lines
    with io.BufferedWriter(json_ld_out, CHUNK) as json_ld:
        serialize(parse(by_graph.output, format=RdfFormat.N_QUADS, lenient=True), json_ld, RdfFormat.JSON_LD)
    return {
        RdfFormat.N_QUADS: quad_count,
        RdfFormat.N_TRIPLES: triple_count,
        RdfFormat.TURTLE: triple_count,
        RdfFormat.JSON_LD: quad_count,
    }


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


def write_dumps(store: LodStore, folder: Path, ns: Namespaces, *, sort_memory: str = SORT_MEMORY) -> Manifest:
    """Write every dump and the manifest into `folder` (created if missing); return the manifest.

    Reads the store, changes nothing in it; memory stays within three `sort_memory` buffers (GNU sort's
    -S) plus a few MiB, whatever the size of the store. Raises OSError if the folder cannot be written or
    a sort fails; then the files already there stay as they were.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with _writing:
        for attempt in range(1, ATTEMPTS + 1):
            version = data_version(store, ns)
            written = _write_files(store, folder, ns, sort_memory)
            if data_version(store, ns) == version or attempt == ATTEMPTS:
                break
            for output, _ in written:
                output.path.unlink(missing_ok=True)
        for output, _ in written:
            output.path.replace(folder / output.name)
        generated = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        manifest = Manifest(version, generated, tuple(dump for _, dump in written))
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
