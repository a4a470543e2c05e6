"""The mapping file (mappings/*.toml): what a publisher declares about one list of operations.

Which file layout to expect (encoding, delimiter, header row), how the project id is built, which column
goes to which record field with which transform, which columns are left out and which hold personal
data. `read_mapping` checks all of it before any row is read; docs/importing.md explains each key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode, RdfFormat, parse

from loader.errors import LodcatError
from loader.namespaces import LANGUAGE_CODES, SKOS
from loader.records import CountryCode, CurrencyCode, Identifier, LanguageText, NutsCode, WebAddress
from loader.settings import ROOT
from loader.tables import header_name
from loader.transforms import (
    CodeList,
    DateFormat,
    NumberFormat,
    TransformError,
    is_identifier,
    number_format,
)

Target = Literal[
    "code",
    "title",
    "alternative_title",
    "description",
    "status",
    "start",
    "end",
    "programme",
    "fund",
    "co_financed_by",
    "amount",
    "rate",
    "beneficiary",
    "company_number",
    "country",
    "region",
    "website",
    "note",
]
CONCEPTS = {"status", "programme", "fund", "co_financed_by"}
TEXTS = {"title", "alternative_title", "description", "note", "beneficiary"}
# Which options make sense for which targets; anything else is refused when the mapping is read.
OPTIONS: dict[str, set[str]] = {
    "language": TEXTS,
    "codes": CONCEPTS | {"country", "region"},
    "date": {"start", "end"},
    "number": {"amount", "rate"},
    "currency": {"amount"},
    "currency_signs": {"amount"},
    "unit": {"rate"},
    "funding": {"amount", "rate"},
    "type": {"amount", "rate"},
    "notes": {"amount", "rate"},
    "code_type": {"code"},
    "label": {"note"},
}
# The SKOS scheme whose notations a target's code list (or a constant) must use: ontology/schemes.ttl.
SCHEMES = {"status": "status", "programme": "programme", "fund": "fund", "co_financed_by": "fund"}
SCHEMES_FILE = ROOT / "ontology" / "schemes.ttl"


class MappingError(LodcatError):
    """The mapping file itself is wrong: not TOML, an unknown key, an option the target does not take."""


# -- the mapping file ------------------------------------------------------------------------------------


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(Spec):
    id: Identifier
    language: str = Field(description="ISO 639-1 language of the list; text cells are tagged with it.")
    title: str | None = None
    url: WebAddress | None = None
    file: str | None = Field(None, description="File name to record; default: the imported file's name.")
    notes: list[LanguageText] = []

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGE_CODES:
            known = ", ".join(sorted(LANGUAGE_CODES))
            raise ValueError(f"{value!r} is not a language lodcat can publish (known: {known})")
        return value


class ReadSpec(Spec):
    format: Literal["csv", "json"] | None = Field(None, description="Default: from the file suffix.")
    encoding: str = "auto"
    fallback_encoding: str | None = None
    delimiter: str = "auto"
    header_row: int = Field(1, ge=1, description="Which non-blank row holds the column names.")
    quoting: bool = True
    empty: list[str] = Field([], description="Cell values that mean 'not stated', e.g. '-', 'n/a'.")
    only: dict[str, list[str]] = Field({}, description="Column -> the values of the rows to import.")


class ProjectSpec(Spec):
    id_prefix: str = ""
    id_column: str | None = None
    id_columns: list[str] = []
    countries: list[CountryCode] = []
    regions: list[NutsCode] = []
    funds: list[str] = []
    co_financed_by: list[str] = []
    programme: str | None = None
    status: str | None = None
    currency: CurrencyCode | None = None
    role: str = "beneficiary"
    beneficiary_country: CountryCode | None = None

    @model_validator(mode="after")
    def _one_way_to_the_id(self) -> ProjectSpec:
        if (self.id_column is None) == (not self.id_columns):
            raise ValueError("give id_column (a project code) or id_columns (hashed), not both or neither")
        if self.id_prefix and not is_identifier(self.id_prefix):
            raise ValueError(f"id_prefix {self.id_prefix!r} must be letters, digits, '.', '_', '~', '-'")
        return self


class ColumnSpec(Spec):
    to: Target
    language: str | None = None
    pattern: str | None = None
    template: str | None = None
    split: str | None = None
    codes: dict[str, str] | None = None
    date: list[str] = []
    number: list[str] = []
    currency: CurrencyCode | None = None
    currency_signs: dict[str, CurrencyCode] = {}
    unit: Literal["percent", "fraction"] = "percent"
    funding: Identifier | None = None
    type: str | None = None
    notes: list[LanguageText] = []
    code_type: Literal["project-code", "application-number"] = "project-code"
    label: str | None = None
    empty: list[str] = []
    on_no_match: Literal["problem", "ignore"] = "problem"
    on_error: Literal["skip-row", "drop-value"] = "skip-row"
    public_reason: str | None = None

    @field_validator("date", "number", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _options_fit_the_target(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("to"), str):
            for option in data:
                if option in OPTIONS and data["to"] not in OPTIONS[option]:
                    takes = ", ".join(sorted(OPTIONS[option]))
                    raise ValueError(f"{option!r} does not apply to '{data['to']}' (only to {takes})")
        return data

    @model_validator(mode="after")
    def _required_options(self) -> ColumnSpec:
        needs = {
            "start": ["date"],
            "end": ["date"],
            "amount": ["number", "funding", "type"],
            "rate": ["number", "funding", "type"],
            **{concept: ["codes"] for concept in (*CONCEPTS, "country")},
        }
        for option in needs.get(self.to, []):
            if not getattr(self, option):
                raise ValueError(f"'{self.to}' needs {option!r}")
        if self.pattern is not None:
            try:
                groups = re.compile(self.pattern).groups
            except re.error as error:
                raise ValueError(f"pattern {self.pattern!r} is not a regular expression: {error}") from None
            if groups > 1:
                raise ValueError(f"pattern {self.pattern!r} has {groups} groups; expected none or one")
        if self.template is not None and self.template.count("{}") != 1:
            raise ValueError(f"template {self.template!r} needs exactly one '{{}}' for the value")
        return self


class MappingSpec(Spec):
    source: SourceSpec
    read: ReadSpec = ReadSpec()
    project: ProjectSpec
    columns: dict[str, list[ColumnSpec]]
    ignored: dict[str, str] = Field({}, description="Column -> why it is not published.")
    personal: dict[str, str] = Field({}, description="Column -> the personal data it holds; never published.")

    @field_validator("columns", mode="before")
    @classmethod
    def _one_or_more_targets(cls, value: Any) -> Any:
        """`[columns."X"]` maps a column to one target, `[[columns."X"]]` to several."""
        if isinstance(value, dict):
            return {name: spec if isinstance(spec, list) else [spec] for name, spec in value.items()}
        return value


@dataclass(frozen=True)
class Rule:
    """One column -> one target, with its options compiled."""

    column: str
    spec: ColumnSpec
    codes: CodeList | None
    dates: list[DateFormat]
    numbers: list[NumberFormat]
    pattern: re.Pattern[str] | None


@dataclass(frozen=True)
class Mapping:
    path: Path
    spec: MappingSpec
    rules: list[Rule]

    @property
    def source_id(self) -> str:
        return self.spec.source.id

    def declared_columns(self) -> dict[str, str]:
        """Every column the mapping names -> where it names it."""
        project = self.spec.project
        named = {rule.column: f"columns.{rule.column!r}" for rule in self.rules}
        for column in [project.id_column, *project.id_columns]:
            if column is not None:
                named.setdefault(header_name(column, 0), "project.id_column(s)")
        named.update({header_name(column, 0): "read.only" for column in self.spec.read.only})
        named.update({header_name(column, 0): "ignored" for column in self.spec.ignored})
        named.update({header_name(column, 0): "personal" for column in self.spec.personal})
        return named


def scheme_notations(schemes: Path = SCHEMES_FILE) -> dict[str, set[str]]:
    """Scheme name ('fund') -> its notations ('esf', 'erdf', ...), from ontology/schemes.ttl."""
    in_scheme, notation = NamedNode(SKOS + "inScheme"), NamedNode(SKOS + "notation")
    triples = list(parse(path=schemes, format=RdfFormat.TURTLE, base_iri="http://lodcat.invalid/"))
    notations = {t.subject: t.object.value for t in triples if t.predicate == notation}
    found: dict[str, set[str]] = {}
    for triple in triples:
        if triple.predicate == in_scheme and isinstance(triple.object, NamedNode | RdfLiteral):
            scheme = triple.object.value.rsplit("/", 1)[-1]
            if triple.subject in notations:
                found.setdefault(scheme, set()).add(notations[triple.subject])
    return found


def read_mapping(path: Path, schemes: Path = SCHEMES_FILE) -> Mapping:
    """Read and check a mapping file, its notations against the concept schemes in `schemes`; raises
    MappingError listing every problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MappingError(f"{path}: cannot be read: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MappingError(f"{path}: is not TOML: {error}") from None
    try:
        spec = MappingSpec.model_validate(data)
    except ValidationError as error:
        lines = [
            f"{path}: {_where(data, detail['loc'])}: {_reason(detail['msg'])}" for detail in error.errors()
        ]
        raise MappingError("\n".join(lines)) from None
    rules: list[Rule] = []
    problems: list[str] = []
    for name, specs in spec.columns.items():
        for column_spec in specs:
            try:
                rules.append(_rule(header_name(name, 0), column_spec))
            except TransformError as error:
                problems.append(f"{path}: columns.{name!r}: {error}")
    problems += _check_rules(path, spec, rules)
    problems += _check_notations(path, spec, scheme_notations(schemes))
    if problems:
        raise MappingError("\n".join(problems))
    return Mapping(path, spec, rules)


def _where(data: Any, location: tuple[str | int, ...]) -> str:
    """'columns.Budget.type' for a table, 'columns.Budget[1].type' for the second of an array of tables."""
    parts: list[str] = []
    for index, part in enumerate(location):
        if isinstance(part, int):
            if location[0] == "columns" and index == 2:
                column = data.get("columns", {}).get(location[1]) if isinstance(data, dict) else None
                if not isinstance(column, list):
                    continue
            parts[-1] += f"[{part}]"
        else:
            parts.append(part)
    return ".".join(parts)


def _reason(message: str) -> str:
    return message.removeprefix("Value error, ")


def _rule(column: str, spec: ColumnSpec) -> Rule:
    return Rule(
        column=column,
        spec=spec,
        codes=CodeList(spec.codes) if spec.codes is not None else None,
        dates=[DateFormat.compile(text) for text in spec.date],
        numbers=[number_format(name) for name in spec.number],
        pattern=re.compile(spec.pattern) if spec.pattern is not None else None,
    )


def _check_rules(path: Path, spec: MappingSpec, rules: list[Rule]) -> list[str]:
    problems = []
    targets = [rule.spec.to for rule in rules]
    if "title" not in targets:
        problems.append(f"{path}: columns: no column goes to 'title'; a project needs a title")
    for single in ("beneficiary", "company_number", "status", "start", "end", "programme", "website"):
        if targets.count(single) > 1:
            problems.append(f"{path}: columns: {targets.count(single)} columns go to {single!r}; one may")
    for text in ("title", "description"):
        languages = [rule.spec.language or spec.source.language for rule in rules if rule.spec.to == text]
        if len(languages) != len(set(languages)):
            problems.append(f"{path}: columns: two columns give the {text} in the same language")
    fundings = [rule.spec.funding for rule in rules if rule.spec.funding]
    for funding in sorted({f for f in fundings if fundings.count(f) > 1}):
        problems.append(f"{path}: columns: funding {funding!r} is given by more than one column")
    if "company_number" in targets and "beneficiary" not in targets:
        problems.append(f"{path}: columns: 'company_number' needs a 'beneficiary' column")
    mapped = {rule.column for rule in rules}
    for column in spec.personal:
        if header_name(column, 0) in mapped:
            problems.append(
                f"{path}: personal.{column!r}: is also in [columns]; personal data is never published"
            )
    return problems


def _check_notations(path: Path, spec: MappingSpec, notations: dict[str, set[str]]) -> list[str]:
    """Every notation a mapping can put into a record is one the concept schemes have."""
    used: list[tuple[str, str, str]] = []  # (where, scheme, notation)
    project = spec.project
    used += [("project.funds", "fund", value) for value in project.funds]
    used += [("project.co_financed_by", "fund", value) for value in project.co_financed_by]
    used += [("project.programme", "programme", value) for value in [project.programme] if value]
    used += [("project.status", "status", value) for value in [project.status] if value]
    used += [("project.role", "role", project.role)]
    problems = []
    for name, specs in spec.columns.items():
        for column in specs:
            where = f"columns.{name!r}"
            if column.type is not None:
                used.append((f"{where}.type", "funding-type", column.type))
            scheme = SCHEMES.get(column.to)
            for value in (column.codes or {}).values():
                if scheme is not None and value:
                    used.append((f"{where}.codes", scheme, value))
                elif column.to in ("country", "region") and value:
                    pattern = r"^[A-Z]{3}$" if column.to == "country" else r"^[A-Z]{2}[0-9A-Z]{1,3}$"
                    if not re.match(pattern, value):
                        kind = (
                            "an ISO 3166-1 alpha-3 country code" if column.to == "country" else "a NUTS code"
                        )
                        problems.append(f"{path}: {where}.codes: {value!r} is not {kind}")
    for where, scheme, value in used:
        if value not in notations.get(scheme, set()):
            known = ", ".join(sorted(notations.get(scheme, set())))
            problems.append(f"{path}: {where}: {value!r} is not in the {scheme} scheme (known: {known})")
    return problems
