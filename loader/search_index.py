"""The search index: full text, facets and funding totals of every project, in SQLite beside the store.

Oxigraph has no full-text index and no secondary value indexes, so a ranked, faceted, paged search sent
to it as SPARQL takes seconds at 10^5 projects (../shared/PERFORMANCE-FACTS.md). This index answers in
milliseconds. It is derived data, kept at `{LODCAT_STORE}-search.sqlite`: built from the STORE by SPARQL
(loader/search_documents.py), never from record files, and safe to delete (`refresh()` rebuilds it).

- Text: FTS5 with the tokenizer `unicode61 remove_diacritics 2` over words folded and stemmed in Python
  (loader/search_text.py): `project_text` has the title, alternative titles, description and
  activities, organisation names, outputs and codes; `project_title` has only the title fields.
- Ranking: bm25 with the title weighted highest, in two tiers: the projects whose title fields hold
  every query word, by bm25 over those fields, then the others by bm25 over all fields (title 10,
  alternative title 6, codes 8, organisations 3, outputs 1.5, description 1). The second tier is only
  computed when a page reaches it, so a query matching half the catalogue ranks in milliseconds.
- Facets: plain tables `facet(facet, value, project)` for country, region, programme, fund, status,
  period (the programme's programming period) and target group, with `facet_value` holding each
  value's labels by language. Values are the last segment of the IRI (`CZE`, `CZ051`, `op-lzz`) or, for
  the period, the literal (`2007-2013`).
- Counting: per data version, the facet tables are read once into bitmaps (a Python int per value, bit
  n for the project with rowid n); a search turns its text matches into one more bitmap, so totals,
  facet counts and filters are ANDs and popcounts, and sorted pages are a scan of a presorted id list.
- Consistency: the index records each named graph's content hash and the store's data version.
  `refresh()` re-reads the projects of source graphs whose hash changed (and those whose organisations
  were renamed there), relabels when the vocabulary graphs change, and rebuilds everything when the
  index is new, of another schema or base IRI, or after admin writes (whose scope it cannot know).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from loader.errors import StoreError
from loader.namespaces import CURRENCY, NUTS, Namespaces
from loader.search_documents import (
    Document,
    graph_hashes,
    graph_members,
    labels,
    organisation_names,
    programme_periods,
    read_documents,
)
from loader.search_text import fold, indexed_text, match_expression
from loader.settings import Settings
from loader.store import LodStore

SCHEMA_VERSION = "3"
FACETS = ("country", "region", "programme", "fund", "status", "period", "target_group")
SORTS = ("relevance", "title", "-title", "start", "-start", "end", "-end")
# The FTS columns and their bm25 weights. `facets` holds a token per facet value (see facet_token), so
# that ranking can apply the filters inside FTS5 and score only the projects that pass them.
COLUMNS = ("title", "alternative", "description", "organisations", "outputs", "codes", "facets")
WEIGHTS = "10.0, 6.0, 1.0, 3.0, 1.5, 8.0, 0.0"
TITLE_COLUMNS = ("title", "alternative", "codes", "facets")
TITLE_WEIGHTS = "10.0, 6.0, 8.0, 0.0"
TEXT = "{title alternative description organisations outputs codes}"  # where query words may match
EXCERPT = 280
BATCH = 500
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
# Where the IRIs of facet values and chart keys start, by kind; None: a literal (the period).
VALUE_IRIS: dict[str, Callable[[Namespaces], str]] = {
    "country": lambda ns: COUNTRY,
    "region": lambda ns: NUTS,
    "programme": lambda ns: ns.base + "id/concept/programme/",
    "fund": lambda ns: ns.base + "id/concept/fund/",
    "status": lambda ns: ns.base + "id/concept/status/",
    "target_group": lambda ns: ns.base + "id/concept/target-group/",
    "measure": lambda ns: ns.base + "id/concept/measure/",
    "unit": lambda ns: ns.base + "id/concept/unit/",
    "funding_type": lambda ns: ns.base + "id/concept/funding-type/",
    "currency": lambda ns: CURRENCY,
}

SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE source (graph TEXT PRIMARY KEY, content_hash TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE project (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, identifier TEXT NOT NULL,
  title_key TEXT NOT NULL, start_key TEXT, end_key TEXT, summary TEXT NOT NULL);
CREATE TABLE project_graph (graph TEXT NOT NULL, project INTEGER NOT NULL, PRIMARY KEY (graph, project))
  WITHOUT ROWID;
CREATE INDEX project_graph_project ON project_graph (project);
CREATE TABLE facet (facet TEXT NOT NULL, value TEXT NOT NULL, project INTEGER NOT NULL,
  PRIMARY KEY (facet, value, project)) WITHOUT ROWID;
CREATE INDEX facet_project ON facet (project);
CREATE TABLE facet_value (facet TEXT NOT NULL, value TEXT NOT NULL, iri TEXT, labels TEXT NOT NULL,
  PRIMARY KEY (facet, value)) WITHOUT ROWID;
CREATE TABLE programme_period (programme TEXT PRIMARY KEY, period TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE organisation (iri TEXT PRIMARY KEY, names TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE participant (organisation TEXT NOT NULL, project INTEGER NOT NULL,
  PRIMARY KEY (organisation, project)) WITHOUT ROWID;
CREATE INDEX participant_project ON participant (project);
CREATE TABLE funding (project INTEGER NOT NULL, type TEXT NOT NULL, currency TEXT, amount_e4 INTEGER,
  year TEXT);
CREATE INDEX funding_project ON funding (project);
CREATE TABLE indicator (project INTEGER NOT NULL, measure TEXT NOT NULL, unit TEXT NOT NULL,
  value_e4 INTEGER NOT NULL, planned INTEGER NOT NULL);
CREATE INDEX indicator_project ON indicator (project);
CREATE VIRTUAL TABLE project_text USING fts5 ({", ".join(COLUMNS)},
  tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE project_title USING fts5 ({", ".join(TITLE_COLUMNS)},
  tokenize = 'unicode61 remove_diacritics 2');
"""
TABLES = (
    "meta", "source", "project", "project_graph", "facet", "facet_value", "programme_period",
    "organisation", "participant", "funding", "indicator", "project_text", "project_title",
)  # fmt: skip
DERIVED = [t for t in TABLES if t not in ("meta", "source", "facet_value", "programme_period")]


def facet_token(name: str, value: str) -> str:
    """The FTS token of a facet value: letters and digits only, so the tokenizer keeps it whole."""
    return f"f{FACETS.index(name)}x{value.encode('utf-8').hex()}"


def search_path(store_path: Path) -> Path:
    """Where the index of the store at `store_path` lives: `{store}-search.sqlite` beside it."""
    return store_path.with_name(store_path.name + "-search.sqlite")


# -- bitmaps --------------------------------------------------------------------------------------------


def bitmap(ids: Iterable[int]) -> int:
    """The set of `ids` as an int whose bit n is set for id n (built as a string of binary digits,
    which CPython parses in linear time: five times faster than setting bits one by one)."""
    numbers = list(ids)
    if not numbers:
        return 0
    digits = bytearray(b"0") * (max(numbers) + 1)
    for number in numbers:
        digits[number] = 49  # "1"
    digits.reverse()
    return int(digits, 2)


def _ids(text: str | None) -> Iterable[int]:
    return map(int, text.split(",")) if text else ()


def members(bits: int) -> list[int]:
    """The ids in a bitmap, ascending."""
    found: list[int] = []
    for index, byte in enumerate(bits.to_bytes((bits.bit_length() + 7) // 8, "little")):
        if byte:
            found.extend(index * 8 + bit for bit in range(8) if byte >> bit & 1)
    return found


class _State:
    """What one data version of the index is, in memory: bitmaps of every project and of each facet
    value, labels, presorted id lists (built on first use) and recent text matches."""

    def __init__(self, connection: sqlite3.Connection, version: str) -> None:
        self.version = version
        self.all = bitmap(_ids(connection.execute("SELECT group_concat(id) FROM project").fetchone()[0]))
        self.facets: dict[str, dict[str, int]] = defaultdict(dict)
        for name, value, ids in connection.execute(
            "SELECT facet, value, group_concat(project) FROM facet GROUP BY facet, value"
        ):
            self.facets[name][value] = bitmap(_ids(ids))
        self.labels: dict[tuple[str, str], dict[str, str]] = {
            (name, value): json.loads(found)
            for name, value, found in connection.execute("SELECT facet, value, labels FROM facet_value")
        }
        self.orders: dict[str, array[int]] = {}
        self.texts: OrderedDict[str, int] = OrderedDict()
        self.aggregates: _Aggregates | None = None
        self.lock = threading.Lock()


ORDERS = {
    "title": "title_key, id",
    "-title": "title_key DESC, id DESC",
    "start": "start_key IS NULL, start_key, id",
    "-start": "start_key IS NULL, start_key DESC, id",
    "end": "end_key IS NULL, end_key, id",
    "-end": "end_key IS NULL, end_key DESC, id",
}


class SearchIndex:
    """An open index file (or an in-memory index). Safe to share between threads: each thread reads
    through its own connection; writes are serialised."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._local = threading.local()
        self.write_lock = threading.Lock()
        self._shared: sqlite3.Connection | None = None
        self._state: _State | None = None
        self._state_lock = threading.Lock()
        if path is None:
            self._shared = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._prepare(self.connection())

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; `BEGIN` where a write must be all or nothing)."""
        if self._shared is not None:
            return self._shared
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            assert self.path is not None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.Error as error:
                raise StoreError(f"{self.path}: cannot open the search index: {error}") from None
            self._local.connection = connection
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        with self.write_lock:
            if self.meta("schema_version") != SCHEMA_VERSION:
                drop = "".join(f"DROP TABLE IF EXISTS {table};\n" for table in TABLES)
                version = f"INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');\n"
                connection.executescript(f"BEGIN IMMEDIATE;\n{drop}{SCHEMA}{version}COMMIT;")

    def meta(self, key: str) -> str | None:
        try:
            row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:  # no meta table: a new or foreign file
            return None
        return str(row[0]) if row else None

    @property
    def data_version(self) -> str | None:
        """The store data version this index was last refreshed to (None: never built)."""
        return self.meta("data_version")

    def state(self) -> _State:
        """The in-memory view of the current data version (rebuilt after each refresh)."""
        version = self.data_version or ""
        state = self._state
        if state is None or state.version != version:
            with self._state_lock:  # one thread reads it; the others wait for it rather than read it too
                state = self._state
                if state is None or state.version != version:
                    state = self._state = _State(self.connection(), version)
        return state

    def order(self, sort: str) -> array[int]:
        """Every project id in `sort` order (one of ORDERS), built once per data version."""
        state = self.state()
        with state.lock:
            if sort not in state.orders:
                rows = self.connection().execute(f"SELECT id FROM project ORDER BY {ORDERS[sort]}")
                state.orders[sort] = array("q", (row[0] for row in rows))
            return state.orders[sort]

    def warm(self) -> None:
        """Read what the first searches of a data version would: the bitmaps and every sort order."""
        self.state()
        for sort in ORDERS:
            self.order(sort)
        totals(self)

    def text_matches(self, match: str) -> int:
        """The bitmap of projects whose text matches the FTS5 expression `match` (64 kept per version)."""
        state = self.state()
        with state.lock:
            if match in state.texts:
                state.texts.move_to_end(match)
                return state.texts[match]
        sql = "SELECT group_concat(rowid) FROM project_text WHERE project_text MATCH ?"
        found = bitmap(_ids(self.connection().execute(sql, (f"{TEXT} : ({match})",)).fetchone()[0]))
        with state.lock:
            state.texts[match] = found
            while len(state.texts) > 64:
                state.texts.popitem(last=False)
        return found

    def close(self) -> None:
        connection = self._shared or getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()


# -- writing -------------------------------------------------------------------------------------------


def _by_language(literals: Iterable[Any], limit: int | None = None) -> dict[str, str]:
    texts: dict[str, str] = {}
    for literal in sorted(literals, key=lambda literal: (literal.language or "", literal.value)):
        texts.setdefault(literal.language or "", literal.value[:limit] if limit else literal.value)
    return texts


def _insert(connection: sqlite3.Connection, documents: Iterable[Document], names: Mapping[str, str]) -> None:
    periods = dict(connection.execute("SELECT programme, period FROM programme_period"))
    for document in documents:
        texts, values = document.texts, document.values
        titles = _by_language(texts["title"])
        start, end = min(values["start"], default=None), max(values["end"], default=None)
        summary = {
            "titles": titles,
            "descriptions": _by_language(texts["description"], EXCERPT),
            "identifier": min(values["identifier"], default=""),
            "start": start,
            "end": end,
            **{name: sorted(set(values[name])) for name in ("status", "programme", "fund", "country")},
        }
        rowid = connection.execute(
            "INSERT INTO project (iri, identifier, title_key, start_key, end_key, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                document.iri,
                summary["identifier"],
                fold(next(iter(titles.values()), "")),
                start,
                end,
                json.dumps(summary, ensure_ascii=False),
            ),
        ).lastrowid
        participants = sorted(set(values["participant"]))
        facets = {(name, value) for name in FACETS if name != "period" for value in values[name]}
        facets |= {("period", periods[value]) for value in values["programme"] if value in periods}
        columns = {
            "title": indexed_text(t.value for t in texts["title"]),
            "alternative": indexed_text(t.value for t in texts["alternative"]),
            "description": indexed_text(t.value for t in texts["description"] + texts["activity"]),
            "organisations": indexed_text(
                n for iri in participants for _, n in json.loads(names.get(iri, "[]"))
            ),
            "outputs": indexed_text(t.value for t in texts["output"]),
            "codes": indexed_text([*values["identifier"], *(t.value for t in texts["code"])]),
            "facets": " ".join(facet_token(name, value) for name, value in sorted(facets)),
        }
        connection.execute(
            f"INSERT INTO project_text (rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})",
            (rowid, *(columns[column] for column in COLUMNS)),
        )
        connection.execute(
            f"INSERT INTO project_title (rowid, {', '.join(TITLE_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
            (rowid, *(columns[column] for column in TITLE_COLUMNS)),
        )
        year = (start or end or "")[:4] or None
        for sql, rows in (
            ("INSERT INTO facet VALUES (?, ?, ?)", [(name, value, rowid) for name, value in sorted(facets)]),
            ("INSERT INTO project_graph VALUES (?, ?)", [(g, rowid) for g in sorted(set(values["graph"]))]),
            ("INSERT INTO participant VALUES (?, ?)", [(iri, rowid) for iri in participants]),
            ("INSERT INTO funding VALUES (?, ?, ?, ?, ?)", [(rowid, *f, year) for f in document.funding()]),
            ("INSERT INTO indicator VALUES (?, ?, ?, ?, ?)", [(rowid, *i) for i in document.indicators()]),
        ):
            connection.executemany(sql, rows)


def _delete(connection: sqlite3.Connection, iris: Sequence[str]) -> None:
    ids: list[tuple[int]] = []
    for start in range(0, len(iris), BATCH):
        batch = iris[start : start + BATCH]
        sql = f"SELECT id FROM project WHERE iri IN ({', '.join('?' * len(batch))})"
        ids += connection.execute(sql, batch).fetchall()
    for table, column in (
        ("project_text", "rowid"),
        ("project_title", "rowid"),
        ("facet", "project"),
        ("project_graph", "project"),
        ("participant", "project"),
        ("funding", "project"),
        ("indicator", "project"),
        ("project", "id"),
    ):
        connection.executemany(f"DELETE FROM {table} WHERE {column} = ?", ids)


def _reindex(
    store: LodStore,
    ns: Namespaces,
    connection: sqlite3.Connection,
    iris: Sequence[str] | None,
    known: Mapping[str, str] | None = None,
) -> int:
    """Replace the rows of the projects `iris` (None: every project) with what the store says now;
    return how many of them the store has. `known`: organisation names already read."""
    documents = read_documents(store, ns, iris)
    participants = sorted({iri for document in documents.values() for iri in document.values["participant"]})
    names = dict(known or {})
    missing = [iri for iri in participants if iri not in names]
    names.update(organisation_names(store, ns, missing, scan=iris is None))
    if iris is None:
        for table in DERIVED:
            connection.execute(f"DELETE FROM {table}")
    else:
        _delete(connection, iris)
    connection.executemany("INSERT OR REPLACE INTO organisation VALUES (?, ?)", sorted(names.items()))
    _insert(connection, documents.values(), names)
    return len(documents)


def _relabel(store: LodStore, ns: Namespaces, connection: sqlite3.Connection) -> None:
    """The labels, in every language the store has, of each facet value and chart key in the index."""
    used = connection.execute(
        "SELECT DISTINCT facet, value FROM facet UNION SELECT DISTINCT 'measure', measure FROM indicator "
        "UNION SELECT DISTINCT 'unit', unit FROM indicator UNION SELECT DISTINCT 'funding_type', type "
        "FROM funding UNION SELECT DISTINCT 'currency', currency FROM funding WHERE currency IS NOT NULL"
    ).fetchall()
    iris = {(kind, value): VALUE_IRIS[kind](ns) + value for kind, value in used if kind in VALUE_IRIS}
    found = labels(store, ns, list(iris.values()))
    connection.execute("DELETE FROM facet_value")
    connection.executemany(
        "INSERT INTO facet_value VALUES (?, ?, ?, ?)",
        [
            (kind, value, iris.get((kind, value)), json.dumps(found.get(iris.get((kind, value), ""), {})))
            for kind, value in used
        ],
    )


@dataclass
class Refreshed:
    """What `refresh()` did: rebuilt everything, or re-read `projects` projects of the changed `graphs`."""

    rebuilt: bool = False
    graphs: list[str] = field(default_factory=list)
    projects: int = 0


def refresh(store: LodStore, settings: Settings, index: SearchIndex | None = None) -> Refreshed:
    """Bring the index of `store` up to date with it; a no-op when the store's data version is the one
    the index was built from.

    Opens `{store}-search.sqlite` unless an open `index` is given (an in-memory store without one has no
    index, and this does nothing). Changes the index, never the store: readers see the index before or
    after, never half of it. Raises StoreError if the index cannot be written.
    """
    if index is None:
        if store.path is None:
            return Refreshed()
        index = SearchIndex(search_path(store.path))
    ns = Namespaces(settings.base_iri)
    version = store.data_version(ns.term("contentHash"))
    if index.data_version == version and index.meta("base_iri") == ns.base:
        return Refreshed()
    try:
        with index.write_lock:
            return _refresh(store, ns, index, version)
    except sqlite3.Error as error:
        raise StoreError(f"{index.path or ':memory:'}: cannot update the search index: {error}") from None


def _refresh(store: LodStore, ns: Namespaces, index: SearchIndex, version: str) -> Refreshed:
    connection = index.connection()
    hashes = graph_hashes(store, ns)
    indexed = dict(connection.execute("SELECT graph, content_hash FROM source"))
    changed = sorted(g for g in hashes.keys() | indexed.keys() if hashes.get(g) != indexed.get(g))
    vocabulary = {ns.graph(name).value for name in ("ontology", "schemes", "reference")}
    rebuild = (
        index.data_version is None or index.meta("base_iri") != ns.base or ns.graph("admin").value in changed
    )
    report = Refreshed(rebuilt=rebuild, graphs=[] if rebuild else changed)
    connection.execute("BEGIN IMMEDIATE")
    try:
        periods = programme_periods(store, ns)
        periods_changed = periods != dict(
            connection.execute("SELECT programme, period FROM programme_period")
        )
        connection.execute("DELETE FROM programme_period")
        connection.executemany("INSERT INTO programme_period VALUES (?, ?)", sorted(periods.items()))
        if periods_changed:  # every project's period facet (and its token) follows its programme's
            rebuild = report.rebuilt = True
            report.graphs = []
        if rebuild:
            report.projects = _reindex(store, ns, connection, None)
        else:
            affected, names = _affected(store, ns, connection, [g for g in changed if g not in vocabulary])
            report.projects = _reindex(store, ns, connection, affected, names) if affected else 0
        _relabel(store, ns, connection)
        connection.execute("DELETE FROM source")
        connection.executemany("INSERT INTO source VALUES (?, ?)", sorted(hashes.items()))
        for key, value in (("data_version", version), ("base_iri", ns.base)):
            connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    if rebuild and index.path is not None:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return report


def _affected(
    store: LodStore, ns: Namespaces, connection: sqlite3.Connection, graphs: list[str]
) -> tuple[list[str], dict[str, str]]:
    """The projects to re-read after `graphs` changed (those they held before and hold now, and those
    that an organisation renamed there takes part in), and the names of the organisations in them."""
    projects: set[str] = set()
    organisations: set[str] = set()
    for graph in graphs:
        sql = "SELECT p.iri FROM project_graph g JOIN project p ON p.id = g.project WHERE g.graph = ?"
        projects.update(row[0] for row in connection.execute(sql, (graph,)))
        now_projects, now_organisations = graph_members(store, ns, graph)
        projects |= now_projects
        organisations |= now_organisations
    now: dict[str, str] = {}
    if organisations:
        now = organisation_names(store, ns, sorted(organisations))
        before = dict(connection.execute("SELECT iri, names FROM organisation"))
        sql = "SELECT p.iri FROM participant a JOIN project p ON p.id = a.project WHERE a.organisation = ?"
        for iri, names in now.items():
            if iri in before and before[iri] != names:
                projects.update(row[0] for row in connection.execute(sql, (iri,)))
    return sorted(projects), now


# -- searching ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One project found: its IRI, identifier and the summary the index keeps of it (`titles` and
    `descriptions` by language tag, the description cut at 280 characters; `start` and `end` as stated;
    `status`, `programme`, `fund` and `country` as facet values)."""

    iri: str
    identifier: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: how many hits have it, its labels by language, whether it is filtered on."""

    value: str
    count: int
    labels: dict[str, str]
    selected: bool


@dataclass(frozen=True)
class SearchResult:
    total: int
    page: int
    per_page: int
    sort: str
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    matches: int = field(repr=False, default=0)  # the bitmap of every hit, for totals()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


Filters = Mapping[str, Sequence[str]]


class SearchError(ValueError):
    """A search the index cannot run: an unknown facet or sort, or a page below 1."""


def search(
    index: SearchIndex,
    q: str = "",
    filters: Filters | None = None,
    sort: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """Projects matching every word of `q` (case, diacritics and Czech endings ignored, see
    loader/search_text.py) and, for each facet in `filters`, any of its values; one page of them in
    `sort` order (default: relevance with words, else title), their total and each facet's counts.
    Changes nothing. Raises SearchError for an unknown facet or sort, or a page or page size below 1.
    """
    chosen = {name: list(dict.fromkeys(values)) for name, values in (filters or {}).items() if values}
    unknown = sorted(set(chosen) - set(FACETS))
    if unknown:
        raise SearchError(f"unknown facet {unknown[0]!r}; expected one of {', '.join(FACETS)}")
    match = match_expression(q)
    sort = sort or ("relevance" if match else "title")
    if sort not in SORTS:
        raise SearchError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")
    if page < 1 or per_page < 1:
        raise SearchError(f"page {page} with {per_page} per page; expected both to be at least 1")
    state = index.state()
    text = index.text_matches(match) & state.all if match else state.all
    selections = {
        name: _union(state.facets[name].get(value, 0) for value in values) for name, values in chosen.items()
    }
    hits = _intersection(text, selections.values())
    offset = (page - 1) * per_page
    if sort == "relevance" and match:
        ids = _ranked(index, match, chosen, hits, offset, per_page)
    else:
        ids = _scan(index.order("title" if sort == "relevance" else sort), hits, state.all, offset, per_page)
    facets = {}
    for name in FACETS:
        base = _intersection(text, (bits for other, bits in selections.items() if other != name))
        values = [
            FacetValue(value, count, state.labels.get((name, value), {}), value in chosen.get(name, ()))
            for value, bits in state.facets[name].items()
            if (count := (base & bits).bit_count()) or value in chosen.get(name, ())
        ]
        values += [
            FacetValue(value, 0, {}, True)
            for value in chosen.get(name, ())
            if value not in state.facets[name]
        ]
        facets[name] = sorted(values, key=lambda found: (-found.count, found.value))
    return SearchResult(hits.bit_count(), page, per_page, sort, _hits(index, ids), facets, hits)


def _union(bitmaps: Iterable[int]) -> int:
    result = 0
    for bits in bitmaps:
        result |= bits
    return result


def _intersection(first: int, others: Iterable[int]) -> int:
    for bits in others:
        first &= bits
    return first


def _scan(order: array[int], hits: int, every: int, offset: int, limit: int) -> list[int]:
    """The ids of `hits` at positions offset..offset+limit of `order`."""
    if hits == every:
        return list(order[offset : offset + limit])
    member = hits.to_bytes((every.bit_length() + 7) // 8 + 1, "little")
    found: list[int] = []
    skipped = 0
    for number in order:
        if member[number >> 3] >> (number & 7) & 1:
            if skipped < offset:
                skipped += 1
            else:
                found.append(number)
                if len(found) == limit:
                    break
    return found


def _ranked(
    index: SearchIndex, match: str, filters: Filters, hits: int, offset: int, limit: int
) -> list[int]:
    """The ids of `hits` at offset..offset+limit by relevance: projects matching in their title fields
    first, by bm25 over those fields; then the others, by bm25 over every field. The filters go into the
    FTS5 queries as facet tokens, so only projects that pass them are scored."""
    member = hits.to_bytes((hits.bit_length() + 7) // 8 + 1, "little")
    connection = index.connection()
    wanted = offset + limit
    found: list[int] = []
    first_tier: set[int] = set()
    passing = "".join(
        " AND facets : (" + " OR ".join(f'"{facet_token(name, value)}"' for value in values) + ")"
        for name, values in sorted(filters.items())
    )
    tiers = (
        (
            f"SELECT rowid FROM project_title WHERE project_title MATCH ? "
            f"ORDER BY bm25(project_title, {TITLE_WEIGHTS}), rowid",
            f"{{title alternative codes}} : ({match}){passing}",
        ),
        (
            f"SELECT rowid FROM project_text WHERE project_text MATCH ? "
            f"ORDER BY bm25(project_text, {WEIGHTS}), rowid",
            f"{TEXT} : ({match}){passing}",
        ),
    )
    for tier, (sql, expression) in enumerate(tiers):
        for (number,) in connection.execute(sql, (expression,)):
            if tier == 0:
                first_tier.add(number)
            elif number in first_tier:
                continue
            if number >> 3 < len(member) and member[number >> 3] >> (number & 7) & 1:
                found.append(number)
                if len(found) == wanted:
                    return found[offset:]
    return found[offset:]


def _hits(index: SearchIndex, ids: list[int]) -> list[Hit]:
    if not ids:
        return []
    rows = index.connection().execute(
        f"SELECT id, iri, identifier, summary FROM project WHERE id IN ({', '.join('?' * len(ids))})", ids
    )
    found = {number: Hit(iri, identifier, json.loads(summary)) for number, iri, identifier, summary in rows}
    return [found[number] for number in ids if number in found]


def summaries(index: SearchIndex, iris: Sequence[str]) -> dict[str, Hit]:
    """The index's summaries of the projects `iris`, by IRI (projects it does not have left out)."""
    found: dict[str, Hit] = {}
    for start in range(0, len(iris), BATCH):
        batch = list(iris[start : start + BATCH])
        sql = f"SELECT iri, identifier, summary FROM project WHERE iri IN ({', '.join('?' * len(batch))})"
        for iri, identifier, summary in index.connection().execute(sql, batch):
            found[iri] = Hit(iri, identifier, json.loads(summary))
    return found


def projects_in_graph(index: SearchIndex, graph: str, limit: int) -> tuple[int, list[Hit]]:
    """How many projects the named graph `graph` states, and the first `limit` of them by title."""
    connection = index.connection()
    total = connection.execute("SELECT count(*) FROM project_graph WHERE graph = ?", (graph,)).fetchone()[0]
    rows = connection.execute(
        "SELECT p.iri, p.identifier, p.summary FROM project_graph g JOIN project p ON p.id = g.project "
        "WHERE g.graph = ? ORDER BY p.title_key, p.id LIMIT ?",
        (graph, limit),
    )
    return total, [Hit(iri, identifier, json.loads(summary)) for iri, identifier, summary in rows]


def value_labels(index: SearchIndex, kind: str, value: str) -> dict[str, str]:
    """The labels by language of a facet value or chart key (`measure`, `unit`, `currency`, ...)."""
    return index.state().labels.get((kind, value), {})


# -- totals for charts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """A sum per currency (or unit): `key` (a fund, programme, year or measure), `currency` (or unit),
    the exact `amount`, and how many projects it adds up."""

    key: str
    currency: str
    amount: Decimal
    projects: int


@dataclass(frozen=True)
class Totals:
    """Total budgets by fund, programme and start year, per currency (amounts in different currencies
    are never added), and achieved indicator values by measure, per unit (planned ones left out)."""

    funding: dict[str, list[Total]]
    indicators: list[Total]


class _Sums:
    """Per-project amounts as bit slices: `has` is the bitmap of projects with an amount, slice k the
    bitmap of those whose amount (in ten-thousandths) has bit k set. The sum over any set of projects S
    is then sum over k of popcount(S & slice k) << k: exact, and ANDs and popcounts only."""

    def __init__(self, amounts: Mapping[int, int]) -> None:
        self.has = bitmap(amounts)
        width = max(amounts.values(), default=0).bit_length()
        self.slices = [
            bitmap(p for p, amount in amounts.items() if amount >> bit & 1) for bit in range(width)
        ]

    def total(self, projects: int) -> tuple[Decimal, int]:
        """The sum over `projects` and how many of them have an amount."""
        chosen = projects & self.has
        amount = sum((chosen & bits).bit_count() << bit for bit, bits in enumerate(self.slices))
        return Decimal(amount) / 10000, chosen.bit_count()


class _Aggregates:
    """Total budgets per currency and achieved indicator values per (measure, unit), as bit slices, and
    each start year's projects (read from the funding and indicator tables once per data version)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        budgets: dict[str, dict[int, int]] = defaultdict(dict)
        years: dict[str, set[int]] = defaultdict(set)
        for project, currency, amount, year in connection.execute(
            "SELECT project, currency, sum(amount_e4), min(year) FROM funding WHERE type = 'total-budget' "
            "AND currency IS NOT NULL AND amount_e4 >= 0 GROUP BY project, currency"
        ):
            budgets[currency][project] = amount
            if year:
                years[year].add(project)
        self.budgets = {currency: _Sums(amounts) for currency, amounts in budgets.items()}
        self.years = {year: bitmap(projects) for year, projects in years.items()}
        values: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
        for project, measure, unit, value in connection.execute(
            "SELECT project, measure, unit, sum(value_e4) FROM indicator WHERE planned = 0 AND value_e4 >= 0 "
            "GROUP BY project, measure, unit"
        ):
            values[(measure, unit)][project] = value
        self.indicators = {key: _Sums(amounts) for key, amounts in values.items()}


def totals(index: SearchIndex, matches: int | None = None) -> Totals:
    """Totals over the projects in the bitmap `matches` (None: every project): total budgets by fund,
    programme and start year, per currency, and achieved indicator values per measure and unit."""
    state = index.state()
    with state.lock:
        if state.aggregates is None:
            state.aggregates = _Aggregates(index.connection())
        aggregates = state.aggregates
    projects = state.all if matches is None else matches & state.all
    groups = {
        "fund": state.facets["fund"],
        "programme": state.facets["programme"],
        "year": aggregates.years,
    }
    funding: dict[str, list[Total]] = {}
    for name, bitmaps in groups.items():
        funding[name] = []
        for key, bits in sorted(bitmaps.items()):
            chosen = projects & bits
            if not chosen:
                continue
            for currency, sums in sorted(aggregates.budgets.items()):
                amount, count = sums.total(chosen)
                if count:
                    funding[name].append(Total(key, currency, amount, count))
    indicators = []
    for (measure, unit), sums in sorted(aggregates.indicators.items()):
        amount, count = sums.total(projects)
        if count:
            indicators.append(Total(measure, unit, amount, count))
    return Totals(funding, indicators)
