"""Read record files (data/*.json) into typed records; knows file formats, nothing about RDF.

A record file transcribes one source document: the source itself, the organisations and places it
names, and the projects it describes. The pydantic models below are the contract; the JSON Schema in
schema/record.schema.json is generated from them (`lodcat schema`).
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from loader.errors import RecordError, RecordsRefused

IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]*$"
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _partial_date(value: str) -> str:
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        raise ValueError(f"{value!r} is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"{value!r} has month {month}; expected 01 to 12")
    if day is not None and not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
        raise ValueError(f"{value!r} has no day {day} in that month")
    return value


def _language_text(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise ValueError('needs at least one language, e.g. {"cs": "..."}')
    for tag, text in value.items():
        if not LANGUAGE_TAG.match(tag):
            raise ValueError(f"{tag!r} is not a language tag; expected e.g. 'cs', 'lt', 'en'")
        if not text.strip():
            raise ValueError(f"text in {tag!r} is empty")
    return value


Identifier = Annotated[
    str,
    Field(
        pattern=IDENTIFIER_PATTERN,
        description="Stable local identifier; becomes part of the IRI. Letters, digits, '.', '_', '~', '-'.",
    ),
]
Notation = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Notation of a concept in the matching SKOS scheme (ontology/schemes.ttl).",
    ),
]
PartialDate = Annotated[
    str,
    AfterValidator(_partial_date),
    Field(
        description="A date at the precision the source gives: YYYY, YYYY-MM or YYYY-MM-DD.",
        examples=["2009-05-01", "2011-06", "2016"],
    ),
]
LanguageText = Annotated[
    dict[str, str],
    AfterValidator(_language_text),
    Field(
        description='Text by language tag, e.g. {"cs": "...", "en": "..."}.',
        examples=[{"cs": "Vzdělávání pracovníků"}],
    ),
]
CountryCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{3}$",
        description="EU authority-table country code (ISO 3166-1 alpha-3), e.g. CZE, AUT, LTU.",
    ),
]
NutsCode = Annotated[
    str, Field(pattern=r"^[A-Z]{2}[0-9A-Z]{1,3}$", description="NUTS code, e.g. CZ051 (Liberecký kraj).")
]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CZK, EUR.")]
WebAddress = Annotated[str, Field(pattern=r"^https?://\S+$", description="An absolute http(s) URL.")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatedDate(Model):
    """A date the source document itself states, with its verbatim text."""

    date: PartialDate
    text: str = Field(description="The verbatim text, e.g. 'aktualizováno: 20.10.2012'.")
    meaning: Literal["modified", "issued", "date"] = Field(
        "date", description="modified: the page says when it was updated; issued: published; date: other."
    )


class Source(Model):
    """The source document a record file transcribes."""

    id: Identifier
    file: str = Field(description="File name of the source document, e.g. '000_4dd8ee0e22d07abc.txt'.")
    language: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 language of the document.")
    title: str | None = Field(None, description="The page's own heading, verbatim.")
    url: WebAddress | None = None
    stated_dates: list[StatedDate] = []
    notes: list[LanguageText] = []


class Address(Model):
    street: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    country: CountryCode | None = None


class Place(Model):
    """A town or other place named by the source (regions use NUTS codes instead)."""

    id: Identifier
    name: LanguageText
    country: CountryCode | None = None
    region: NutsCode | None = None


class Organisation(Model):
    """An organisation the source names, with what it states about it."""

    id: Identifier
    name: LanguageText
    alternative_names: list[LanguageText] = []
    country: CountryCode | None = None
    region: NutsCode | None = None
    town: Identifier | None = Field(None, description="Id of a place in this file's 'places'.")
    address: Address | None = None
    company_number: str | None = Field(
        None, pattern=r"^[0-9]{6,12}$", description="Company registration number (Czech IČ), digits only."
    )
    data_box: str | None = Field(None, pattern=r"^[a-z0-9]{7}$", description="Czech data-box ID (ISDS).")
    website: WebAddress | None = None
    part_of: Identifier | None = Field(None, description="Id of the parent organisation in this file.")
    notes: list[LanguageText] = []


class Code(Model):
    value: str = Field(min_length=1)
    type: Literal["project-code", "application-number", "accreditation-number"]


class Funding(Model):
    """Money as the source states it: amount, currency, what it is, and the verbatim text."""

    id: Identifier
    type: Notation = Field(description="funding-type scheme: total-budget, eu-contribution, unspecified, ...")
    amount: Decimal | None = Field(None, ge=0)
    currency: CurrencyCode | None = Field(None, description="Absent only when the source gives none.")
    rate: Decimal | None = Field(
        None, ge=0, le=1, description="Co-financing rate as a fraction: 75 % is 0.75."
    )
    text: str = Field(description="The verbatim text the figures come from.")
    notes: list[LanguageText] = []

    @model_validator(mode="after")
    def _ambiguity_is_explained(self) -> Funding:
        if self.amount is not None and self.currency is None and not self.notes:
            raise ValueError("an amount without currency needs a note saying why the currency is unknown")
        if self.amount is None and self.rate is None:
            raise ValueError("needs an amount, a rate or both")
        return self


class Participation(Model):
    organisation: Identifier = Field(description="Id of an organisation in this file.")
    role: Notation = Field(
        description="role scheme: coordinator, beneficiary, implementer, partner, contractor."
    )


class TargetGroup(Model):
    concept: Notation = Field(description="target-group scheme notation.")
    text: LanguageText = Field(description="How the source names the group, verbatim.")


class Activity(Model):
    id: Identifier
    title: LanguageText
    description: LanguageText | None = None


class Indicator(Model):
    """An outcome stated as a number: value, unit, what was counted, and the sentence it comes from."""

    id: Identifier
    value: Decimal = Field(ge=0)
    unit: Notation = Field(description="unit scheme: person, hour, day, seminar, workshop, ...")
    measure: Notation = Field(description="measure scheme: what was counted, e.g. people-trained.")
    label: LanguageText = Field(description="What was counted, in words.")
    source_text: LanguageText = Field(description="The verbatim source sentence.")
    planned: bool = Field(False, description="True when the source states it as a plan, not a result.")
    notes: list[LanguageText] = []


class Output(Model):
    id: Identifier
    type: Notation = Field(description="output-type scheme: publication, film, brochure, leporello, ...")
    title: LanguageText | None = None
    description: LanguageText | None = None
    quantity: int | None = Field(None, ge=1, description="How many, where the source says.")
    codes: list[Code] = []
    accredited_by: Identifier | None = Field(None, description="Id of an organisation in this file.")
    planned: bool = False
    notes: list[LanguageText] = []


class Event(Model):
    id: Identifier
    date: PartialDate
    description: LanguageText


class Project(Model):
    """One project as the source describes it; every optional field stays absent when the source is silent."""

    id: Identifier
    title: LanguageText
    alternative_titles: list[LanguageText] = []
    description: LanguageText | None = None
    codes: list[Code] = []
    status: Notation | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: str | None, info: ValidationInfo) -> str | None:
        """At the precision both dates share: an end known to the month may fall in the start's month."""
        start = info.data.get("start")
        if end is not None and isinstance(start, str):
            shared = min(len(start), len(end))
            if end[:shared] < start[:shared]:
                raise ValueError(f"end date {end} is before start date {start}")
        return end

    programme: Notation | None = None
    funds: list[Notation] = []
    co_financed_by: list[Notation] = []
    funding: list[Funding] = []
    participants: list[Participation] = []
    countries: list[CountryCode] = []
    regions: list[NutsCode] = []
    places: list[Identifier] = Field([], description="Ids of places in this file.")
    target_groups: list[TargetGroup] = []
    activities: list[Activity] = []
    indicators: list[Indicator] = []
    outputs: list[Output] = []
    events: list[Event] = []
    website: WebAddress | None = None
    notes: list[LanguageText] = []


class RecordFile(Model):
    """One record file: a source document and what it states."""

    schema_: str | None = Field(None, alias="$schema")
    source: Source
    organisations: list[Organisation] = []
    places: list[Place] = []
    projects: list[Project] = Field(min_length=1)


class RecordSubset(RecordFile):
    """Some records of a record file, read on their own (a reload reads only the records that changed)."""

    projects: list[Project] = []


LISTS = ("organisations", "places", "projects")  # the record lists of a record file, in file order
Selection = Mapping[str, Sequence[int]]  # per list, the indexes of the records to read


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a record file, as committed in schema/record.schema.json."""
    schema = RecordFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://lodcat.example/schema/record.schema.json"
    return schema


def _record_of(data: Any, location: tuple[str | int, ...]) -> str:
    """The record a pydantic error location points into: the project/organisation id, or the source."""
    if len(location) >= 2 and location[0] in ("projects", "organisations", "places"):
        index = location[1]
        try:
            identifier = data[location[0]][index]["id"]
            if isinstance(identifier, str):
                return identifier
        except (KeyError, IndexError, TypeError):
            pass
        return f"{location[0]}[{index}]"
    return "(file)"


def _field_of(location: tuple[str | int, ...]) -> str:
    if len(location) >= 2 and location[0] in ("projects", "organisations", "places"):
        location = location[2:]
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(record)"


def _reason(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def parse_records(data: Any, path: Path, only: Selection | None = None) -> RecordFile:
    """Validate parsed JSON against the record model; raise RecordsRefused listing every problem.

    With `only`, just those records are validated (with the source): the others are known to be valid,
    and references and ids are still checked against every record of `data` (loader/record_delta.py).
    """
    subset = data
    if only is not None:
        subset = {**data, **{kind: [data[kind][index] for index in only.get(kind, ())] for kind in LISTS}}
    try:
        records = (RecordFile if only is None else RecordSubset).model_validate(subset)
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            location = tuple(detail["loc"])
            if only is not None and len(location) >= 2 and location[0] in LISTS:
                kind, index = str(location[0]), int(location[1])  # back to the record's place in `data`
                location = (kind, only[kind][index], *location[2:])
            # pydantic reports the element of a union or a dict key as an extra location part.
            problems.append(
                RecordError(path, _record_of(data, location), _field_of(location), _reason(detail))
            )
        raise RecordsRefused(problems) from None
    _check_references(records, path, data, subset)
    return records


def _ids(data: Any, kind: str) -> list[str]:
    """The ids of one list of a record file whose records passed the model."""
    return [item["id"] for item in data.get(kind, [])]


def references(kind: str, item: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """The records one record (JSON that passed the model) of list `kind` names: (field, list, id).
    The one place that knows which fields point at other records: the checks below, and the reload
    that reads the records pointing at a changed one (loader/record_delta.py)."""
    if kind == "organisations":
        for name, target in (("town", "places"), ("part_of", "organisations")):
            if item.get(name) is not None:
                yield name, target, item[name]
    elif kind == "projects":
        for index, participation in enumerate(item.get("participants", [])):
            yield f"participants[{index}].organisation", "organisations", participation["organisation"]
        for index, place in enumerate(item.get("places", [])):
            yield f"places[{index}]", "places", place
        for index, output in enumerate(item.get("outputs", [])):
            if output.get("accredited_by") is not None:
                yield f"outputs[{index}].accredited_by", "organisations", output["accredited_by"]


def _check_references(records: RecordFile, path: Path, data: Any, selected: Any) -> None:
    """Ids unique per list in `data`, and every reference of the records `selected` (JSON of `records`)
    to an organisation or place of `data`."""
    known = {kind: set(_ids(data, kind)) for kind in LISTS}
    problems: list[RecordError] = []

    def require(item: Mapping[str, Any], kind: str) -> None:
        for field, target, value in references(kind, item):
            if value not in known[target]:
                choices = ", ".join(sorted(known[target])) or "none"
                noun = target.removesuffix("s")
                reason = f"{value!r} is not an {noun} of this file (known: {choices})"
                problems.append(RecordError(path, item["id"], field, reason))

    seen: set[tuple[str, str]] = set()
    for kind in LISTS:
        for identifier in _ids(data, kind):
            if (kind, identifier) in seen:
                problems.append(RecordError(path, identifier, "id", f"duplicate id in '{kind}'"))
            seen.add((kind, identifier))
    for organisation in selected.get("organisations", []):
        require(organisation, "organisations")
    for item, project in zip(selected["projects"], records.projects, strict=True):
        require(item, "projects")
        for kind, parts in (
            ("funding", project.funding),
            ("indicators", project.indicators),
            ("outputs", project.outputs),
            ("activities", project.activities),
            ("events", project.events),
        ):
            local = [part.id for part in parts]
            for duplicate in sorted({identifier for identifier in local if local.count(identifier) > 1}):
                problems.append(RecordError(path, project.id, kind, f"duplicate id {duplicate!r}"))
    if problems:
        raise RecordsRefused(problems)


def read_records(path: Path) -> RecordFile:
    """Read one record file; raise RecordsRefused (file, record, field, reason) if it is not valid."""
    return parse_records(read_json(path), path)


def read_json(path: Path) -> Any:
    """The parsed JSON of a record file; raise RecordsRefused if it is not UTF-8 JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise RecordsRefused([RecordError(path, "(file)", "(file)", f"not UTF-8: {error.reason}")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RecordsRefused(
            [
                RecordError(
                    path,
                    "(file)",
                    "(file)",
                    f"not JSON: {error.msg} at line {error.lineno} column {error.colno}",
                )
            ]
        ) from None
    return data


def record_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories to the *.json files inside, sorted; keep files as given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.json")))
        else:
            found.append(path)
    return found
