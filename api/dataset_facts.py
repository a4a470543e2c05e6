"""What the store says about the dataset as a whole, for the catalogue and the VoID description: the
places and languages of the data, its temporal coverage, when it was issued and modified, its version and
its title. Each is a SPARQL query over the union of the named graphs; none invents a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from pyoxigraph import Literal, NamedNode

from api.triples import literal, named, select
from loader.namespaces import DCAT, DCTERMS, LANGUAGE_CODES, OWL, XSD, Namespaces
from loader.store import LodStore

# The dataset's title in the catalogue's languages; a title the store states in one of them wins.
DATASET_TITLE = {"en": "Projects", "cs": "Projekty"}

SPATIAL = "SELECT DISTINCT ?place WHERE { ?thing <${vocab}country>|<${vocab}region> ?place } ORDER BY ?place"
PROJECT_DATES = """
SELECT ?start ?end WHERE {
  ?project a <${vocab}Project> ; <${dcterms}isPartOf> <$dataset> .
  OPTIONAL { ?project <${vocab}startDate> ?start }
  OPTIONAL { ?project <${vocab}endDate> ?end }
}"""
# One sub-select per value: an aggregate over a UNION sees the other branches' rows unbound.
# The version is the newest by number (release "10" after "9"), compared as length, then text.
STATED_DATES = """
SELECT ?i ?m ?v WHERE {
  { SELECT (MIN(?issued) AS ?i) WHERE { <$dataset> <${dcterms}issued> ?issued } }
  { SELECT (MAX(?modified) AS ?m) WHERE { <$dataset> <${dcterms}modified> ?modified } }
  OPTIONAL { SELECT (STR(?version) AS ?v) WHERE { <$dataset> <${dcat}version>|<${owl}versionInfo> ?version }
             ORDER BY DESC(STRLEN(STR(?version))) DESC(STR(?version)) LIMIT 1 }
}"""
LOAD_DATES = """
SELECT (MIN(?modified) AS ?i) (MAX(?modified) AS ?m) WHERE {
  GRAPH ?graph { ?graph <${vocab}contentHash> ?hash ; <${dcterms}modified> ?modified }
}"""
LANGUAGE_TAGS = 'SELECT DISTINCT (LCASE(LANG(?text)) AS ?tag) WHERE { ?s ?p ?text FILTER(LANG(?text) != "") }'
TEXTS = "SELECT ?text WHERE { <$subject> <$predicate> ?text }"


def spatial_coverage(store: LodStore, ns: Namespaces) -> list[NamedNode]:
    """Every country and NUTS region the data names (lodcat:country, lodcat:region), sorted."""
    return [named(row["place"]) for row in select(store, SPATIAL, vocab=ns.vocab)]


PRECISION = {XSD + "gYear": 0, XSD + "gYearMonth": 1, XSD + "date": 2, XSD + "dateTime": 3}


def interval(value: Literal) -> tuple[date, date] | None:
    """The first and last day a date may mean: '2006-09'^^gYearMonth -> (2006-09-01, 2006-09-30).

    None for other datatypes and for values that are not dates.
    """
    datatype, lexical = value.datatype.value, value.value
    try:
        if datatype == XSD + "gYear":
            year = int(lexical[:4])
            return date(year, 1, 1), date(year, 12, 31)
        if datatype == XSD + "gYearMonth":
            year, month = int(lexical[:4]), int(lexical[5:7])
            following = date(year + month // 12, month % 12 + 1, 1)
            return date(year, month, 1), date.fromordinal(following.toordinal() - 1)
        if datatype in (XSD + "date", XSD + "dateTime"):
            day = date.fromisoformat(lexical[:10])
            return day, day
    except ValueError:
        return None
    return None


def coverage(starts: Iterable[Literal], ends: Iterable[Literal]) -> tuple[Literal | None, Literal | None]:
    """The temporal coverage of periods whose bounds are dates of any precision, keeping the precision.

    The start is the start date whose first possible day comes first; the end is the end date whose last
    possible day comes last. So '2006-09'^^xsd:gYearMonth (from 2006-09-01) starts before
    '2006-09-03'^^xsd:date and the coverage starts at the month '2006-09', not at an invented day. Of two
    dates with the same first (or last) day the more precise one is kept ('2006-01-01' over '2006'): it
    states that day, the other only allows it. Values of other datatypes are ignored.
    """

    def precision(value: Literal) -> int:
        return PRECISION.get(value.datatype.value, -1)

    firsts = [(bounds[0], -precision(start), start) for start in starts if (bounds := interval(start))]
    lasts = [(bounds[1], precision(end), end) for end in ends if (bounds := interval(end))]
    first = min(firsts, key=lambda item: item[:2], default=None)
    last = max(lasts, key=lambda item: item[:2], default=None)
    return (first[2] if first else None), (last[2] if last else None)


def project_dates(store: LodStore, ns: Namespaces) -> tuple[list[Literal], list[Literal]]:
    """The start and end dates of the projects that are part of the dataset."""
    rows = list(select(store, PROJECT_DATES, vocab=ns.vocab, dcterms=DCTERMS, dataset=ns.dataset().value))
    starts = [start for row in rows if isinstance(start := row["start"], Literal)]
    ends = [end for row in rows if isinstance(end := row["end"], Literal)]
    return starts, ends


@dataclass(frozen=True)
class Dates:
    issued: Literal | None
    modified: Literal | None
    version: Literal | None


def publication_dates(store: LodStore, ns: Namespaces) -> Dates:
    """Issued, modified and version of the dataset as the store states them about the dataset; failing
    that, the earliest and latest dcterms:modified of the published graphs (when their content was loaded).
    """
    (stated,) = select(store, STATED_DATES, dataset=ns.dataset().value, dcterms=DCTERMS, dcat=DCAT, owl=OWL)
    (loaded,) = select(store, LOAD_DATES, vocab=ns.vocab, dcterms=DCTERMS)

    def first(*terms: object) -> Literal | None:
        return next((term for term in terms if isinstance(term, Literal)), None)

    return Dates(first(stated["i"], loaded["i"]), first(stated["m"], loaded["m"]), first(stated["v"]))


def data_languages(store: LodStore) -> list[str]:
    """The language tags of the data's texts that have an EU language code (namespaces.LANGUAGE_CODES)."""
    tags = {literal(row["tag"]).value.split("-")[0] for row in select(store, LANGUAGE_TAGS)}
    return sorted(tags & LANGUAGE_CODES.keys())


def stated_texts(
    store: LodStore, subject: NamedNode, predicate: str, defaults: Mapping[str, str]
) -> dict[str, str]:
    """Per language of `defaults`, the store's text for (subject, predicate) in it, else the default."""
    found = {
        value.language: value.value
        for row in select(store, TEXTS, subject=subject.value, predicate=predicate)
        if isinstance(value := row["text"], Literal) and value.language
    }
    return {tag: found.get(tag, default) for tag, default in defaults.items()}


@dataclass(frozen=True)
class DatasetFacts:
    """Everything the catalogue says about the dataset that comes from the store."""

    title: dict[str, str]
    places: list[NamedNode]
    languages: list[str]
    dates: Dates
    start: Literal | None  # the temporal coverage, each bound as precise as the data states it
    end: Literal | None


def dataset_facts(store: LodStore, ns: Namespaces) -> DatasetFacts:
    """Ask the store (seconds at 10^5 projects: the languages and dates scan the data). Changes nothing."""
    start, end = coverage(*project_dates(store, ns))
    return DatasetFacts(
        title=stated_texts(store, ns.dataset(), DCTERMS + "title", DATASET_TITLE),
        places=spatial_coverage(store, ns),
        languages=data_languages(store),
        dates=publication_dates(store, ns),
        start=start,
        end=end,
    )
