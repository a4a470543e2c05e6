"""Read a list of operations (CSV or a JSON array of objects) as rows of cells with their line numbers.

Knows encodings, delimiters, headers and where each row starts in the file; nothing about records.
Encoding "auto" tries strict UTF-8 and then the fallback the mapping declares (cp1250, latin-1, ...);
delimiter "auto" asks csv.Sniffer and checks its answer against the rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from loader.errors import LodcatError

DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1 << 20  # how much of a file is decoded at a time while its encoding is checked


class TableError(LodcatError):
    """The file cannot be read as a table: wrong encoding, no header, not a JSON array."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


@dataclass(frozen=True)
class Row:
    """One data row: the line it starts on, its cells by column name, and what is wrong with its shape."""

    line: int
    cells: dict[str, str]
    shape_problem: str | None = None


@dataclass
class Table:
    path: Path
    format: str
    encoding: str
    delimiter: str | None
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class TableStream:
    """A table whose rows are read as they are needed: CSV files are never held whole in memory.

    `rows` can be iterated once; `read` counts the rows it has given so far."""

    path: Path
    format: str
    encoding: str
    delimiter: str | None
    columns: list[str]
    rows: Iterator[Row]
    read: int = 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            self.read += 1
            yield row


def header_name(text: str, index: int) -> str:
    """A column name as mappings write it: whitespace (line breaks too) collapsed; 'column 8' if empty."""
    name = " ".join(text.split())
    return name or f"column {index}"


def open_table(
    path: Path,
    *,
    format: str,
    encoding: str = "auto",
    fallback_encoding: str | None = None,
    delimiter: str = "auto",
    header_row: int = 1,
    quoting: bool = True,
    limit: int | None = None,
) -> TableStream:
    """The header of the file and its rows as a stream (at most `limit`); raises TableError if the file
    is not a table, also while the rows are read.

    The encoding is checked over the whole file first, a chunk at a time, so a file that is not in its
    encoding is refused before any row is given. A JSON array is read whole (it is one document)."""
    used = detect_encoding(path, encoding, fallback_encoding)
    if format == "json":
        try:
            data = path.read_bytes()
        except OSError as error:
            raise TableError(path, f"cannot be read: {error.strerror}") from None
        table = _json_table(path, data.decode(used).removeprefix("\ufeff"), used, limit)
        return TableStream(path, "json", used, None, table.columns, iter(table.rows))
    return _csv_stream(path, used, delimiter, header_row, quoting, limit)


def _undecodable(path: Path, encoding: str) -> tuple[int, int] | None:
    """Where `path` stops being `encoding`: (byte offset, byte), or None if all of it decodes."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    data = bytes(error.object)
                    return offset - pending + error.start, data[error.start]
                offset += len(chunk)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as error:
                return offset - len(bytes(error.object)) + error.start, bytes(error.object)[error.start]
    except OSError as error:
        raise TableError(path, f"cannot be read: {error.strerror}") from None
    return None


def detect_encoding(path: Path, encoding: str, fallback: str | None) -> str:
    """The encoding that reads the whole of `path`: `encoding`, or with "auto" UTF-8 and then `fallback`;
    raises TableError naming the first byte that cannot be read."""
    if encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise TableError(path, f"{encoding!r} is not an encoding Python knows") from None
        if (bad := _undecodable(path, encoding)) is not None:
            raise TableError(path, f"is not {encoding}: byte {bad[0]} ({bad[1]:#04x}) cannot be read")
        return encoding
    if (bad := _undecodable(path, "utf-8")) is None:
        return "utf-8"
    if fallback is None:
        raise TableError(
            path,
            f"is not UTF-8 (byte {bad[0]} is {bad[1]:#04x}) and the mapping declares "
            "no fallback_encoding (e.g. cp1250, latin-1)",
        )
    return detect_encoding(path, fallback, None)


# -- CSV -------------------------------------------------------------------------------------------------


def sniff_delimiter(path: Path, text: str, quoting: bool) -> str:
    """The delimiter csv.Sniffer finds, if the first rows then have a steady number of cells (more than
    one); otherwise the candidate that gives the most rows with the header's number of cells."""
    sample = text[:SNIFF_BYTES]
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    scores: dict[str, int] = {}
    for candidate in DELIMITERS:
        rows = _first_rows(sample, candidate, quoting)
        if not rows or len(rows[0]) < 2:
            continue
        scores[candidate] = sum(len(row) == len(rows[0]) for row in rows[1:]) + 1
    if sniffed in scores and scores[sniffed] == max(scores.values()):
        return sniffed
    if scores:
        return max(scores, key=lambda candidate: (scores[candidate], -DELIMITERS.index(candidate)))
    raise TableError(path, f"no delimiter out of {DELIMITERS!r} splits its first line; declare delimiter")


def _first_rows(sample: str, delimiter: str, quoting: bool) -> list[list[str]]:
    rows = []
    reader = _reader(io.StringIO(sample, newline=""), delimiter, quoting)
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) == 30:
                break
    except csv.Error:
        pass
    # The sample may end inside a row; that row says nothing about the delimiter.
    return rows[:-1] if len(rows) > 1 else rows


def _reader(stream: IO[str], delimiter: str, quoting: bool) -> Any:
    if quoting:
        return csv.reader(stream, delimiter=delimiter, strict=False)
    return csv.reader(stream, delimiter=delimiter, quoting=csv.QUOTE_NONE)


def _text(path: Path, encoding: str) -> IO[str]:
    handle = path.open(encoding=encoding, newline="")
    if handle.read(1) != "\ufeff":
        handle.seek(0)
    return handle


def _csv_stream(
    path: Path, encoding: str, delimiter: str, header_row: int, quoting: bool, limit: int | None
) -> TableStream:
    if delimiter == "auto":
        with _text(path, encoding) as handle:
            delimiter = sniff_delimiter(path, handle.read(SNIFF_BYTES), quoting)
    elif len(delimiter) != 1:
        raise TableError(path, f"delimiter {delimiter!r} is not one character")
    columns: list[str] = []
    with _text(path, encoding) as handle:  # the header; the rows are read by a handle of their own
        reader = _reader(handle, delimiter, quoting)
        try:
            for number, cells in enumerate(_records(reader), start=1):
                if number == header_row:
                    columns = _unique([header_name(cell, i) for i, cell in enumerate(cells, start=1)])
                    break
        except csv.Error as error:
            raise TableError(path, f"line {reader.line_num}: {error}") from None
    if not columns:
        raise TableError(path, f"has no header: fewer than {header_row} non-blank rows")
    skip = header_row

    def rows() -> Iterator[Row]:
        """Opened when the first row is asked for and closed when the last is given (or the caller
        drops the iterator), so a table whose rows are never read leaves no file open."""
        with _text(path, encoding) as handle:
            reader = _reader(handle, delimiter, quoting)
            ended, records, given = 0, 0, 0
            try:
                for cells in reader:
                    start, ended = ended + 1, reader.line_num
                    if not cells or (len(cells) == 1 and not cells[0].strip()):
                        continue  # blank line
                    records += 1
                    if records <= skip:
                        continue
                    if limit is not None and given >= limit:
                        return
                    given += 1
                    yield _csv_row(start, cells, columns)
            except csv.Error as error:
                raise TableError(path, f"line {reader.line_num}: {error}") from None

    return TableStream(path, "csv", encoding, delimiter, columns, rows())


def _records(reader: Any) -> Iterator[list[str]]:
    """The non-blank records of a CSV reader."""
    for cells in reader:
        if cells and not (len(cells) == 1 and not cells[0].strip()):
            yield cells


def _csv_row(line: int, cells: list[str], columns: list[str]) -> Row:
    problem = None
    extra = any(cell.strip() for cell in cells[len(columns) :])
    if extra or len(cells) < len(columns):
        problem = f"has {len(cells)} cells, the header has {len(columns)}"
    return Row(line, dict(zip(columns, cells, strict=False)), problem)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


# -- JSON ------------------------------------------------------------------------------------------------


def _json_table(path: Path, text: str, encoding: str, limit: int | None) -> Table:
    """A JSON array of objects; each object's line is where it starts. Numbers keep their text."""
    decoder = json.JSONDecoder(parse_float=str, parse_int=str)
    table = Table(path, "json", encoding, None, [])
    columns: dict[str, None] = {}
    position = _skip_space(text, 0)
    if text[position : position + 1] != "[":
        raise TableError(path, "is not a JSON array of objects")
    position += 1
    line, counted = 1, 0
    while True:
        position = _skip_space(text, position)
        if text[position : position + 1] == "]":
            break
        line += text.count("\n", counted, position)
        counted = position
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise TableError(path, f"line {error.lineno} column {error.colno}: {error.msg}") from None
        if not isinstance(item, dict):
            raise TableError(path, f"line {line}: is a JSON {type(item).__name__}; expected an object")
        if limit is None or len(table.rows) < limit:
            cells, problem = _json_cells(item)
            table.rows.append(Row(line, cells, problem))
        for index, key in enumerate(item, start=1):
            columns.setdefault(header_name(key, index))
        position = _skip_space(text, position)
        if text[position : position + 1] == ",":
            position += 1
        elif text[position : position + 1] != "]":
            where = line + text.count("\n", counted, position)
            raise TableError(path, f"line {where}: expected ',' or ']' after an object")
    table.columns = list(columns)
    return table


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _json_cells(item: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    cells: dict[str, str] = {}
    problem = None
    for index, (name, value) in enumerate(item.items(), start=1):
        key = header_name(name, index)
        if value is None:
            continue
        if isinstance(value, bool):
            cells[key] = "true" if value else "false"
        elif isinstance(value, str):
            cells[key] = value
        else:
            problem = problem or f"key {key!r} holds a JSON {type(value).__name__}; expected text or a number"
    return cells, problem
