"""One row of a list of operations -> one project record, by the rules of a mapping.

`map_row` applies every column rule of the mapping to a row (transforms from loader/transforms.py),
adds the mapping's constants and checks the result with the record model; what cannot be mapped becomes
`RowProblem`s naming the file, line, column, value and reason, and whether the row is skipped or only
the value dropped. Nothing here reads files or remembers other rows (loader/importer.py does both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from loader.mappingfile import Mapping, Rule
from loader.parts import named_organisations, project_line
from loader.records import Organisation, Project
from loader.tables import Row, header_name
from loader.transforms import (
    TransformError,
    normalise_code,
    normalise_text,
    parse_amount,
    parse_date,
    parse_rate,
    stable_hash,
)


@dataclass(frozen=True)
class RowProblem:
    """One cell (or row) that cannot be mapped, and what the importer did about it."""

    path: Path
    line: int
    column: str
    value: str | None
    reason: str
    action: Literal["row skipped", "value dropped", "row left out"] = "row skipped"

    def __str__(self) -> str:
        shown = repr(self.value) if self.value is not None else "(empty)"
        return f"{self.path}:{self.line}: column {self.column!r}: {shown}: {self.reason} ({self.action})"

    def as_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "action": self.action,
        }


@dataclass
class RowState:
    """One row being mapped: the project fields found so far and the problems met."""

    mapping: Mapping
    path: Path
    row: Row
    project: dict[str, Any] = field(default_factory=dict)
    organisations: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # record field -> the column it came from
    model: Project | None = None  # the project, once the record model accepted it

    def problem(self, rule: Rule | None, column: str, value: str | None, reason: str) -> None:
        drop = rule is not None and rule.spec.on_error == "drop-value"
        action: Literal["row skipped", "value dropped"] = "value dropped" if drop else "row skipped"
        self.problems.append(RowProblem(self.path, self.row.line, column, value, reason, action))

    @property
    def skipped(self) -> bool:
        return any(problem.action != "value dropped" for problem in self.problems)


# (mapping, rule) ids -> the mapping and rule (kept alive, so their ids are not reused) and their empty
# values, normalised
_EMPTY: dict[tuple[int, int], tuple[Mapping, Rule | None, set[str]]] = {}


def _empty_values(mapping: Mapping, rule: Rule | None) -> set[str]:
    key = (id(mapping), id(rule))
    cached = _EMPTY.get(key)
    if cached is None:
        values = {*mapping.spec.read.empty, *(rule.spec.empty if rule else [])}
        cached = _EMPTY[key] = (mapping, rule, {" ".join(value.split()).casefold() for value in values})
    return cached[2]


def cell(mapping: Mapping, row: Row, column: str, rule: Rule | None = None) -> str | None:
    text = row.cells.get(column)
    if text is None or not text.strip():
        return None
    empty = _empty_values(mapping, rule)
    if empty and " ".join(text.split()).casefold() in empty:
        return None
    return text.strip()


def _project_id(state: RowState) -> str | None:
    """The project id from the declared code column or the hash of the identifying columns; None after
    a problem."""
    spec = state.mapping.spec.project
    if spec.id_column is not None:
        column = header_name(spec.id_column, 0)
        value = cell(state.mapping, state.row, column)
        if value is None:
            state.problem(None, column, None, "is empty; the project id is built from this column")
            return None
        try:
            return spec.id_prefix + normalise_code(value)
        except TransformError as error:
            state.problem(None, column, value, str(error))
            return None
    columns = [header_name(column, 0) for column in spec.id_columns]
    values = [cell(state.mapping, state.row, column) or "" for column in columns]
    shown = " + ".join(columns)
    if not any(values):
        state.problem(None, shown, None, "are all empty; the project id is a hash of these columns")
        return None
    return spec.id_prefix + stable_hash(values)


def _values(state: RowState, rule: Rule) -> list[str]:
    """The cell's values after empty, pattern, template, split and code list; [] when not stated."""
    raw = cell(state.mapping, state.row, rule.column, rule)
    if raw is None:
        return []
    value = raw
    if rule.pattern is not None:
        match = rule.pattern.search(value)
        if match is None and rule.spec.on_no_match == "ignore":
            return []
        if match is None:
            raise TransformError(f"does not match the pattern {rule.pattern.pattern!r}")
        value = match.group(1) if rule.pattern.groups else match.group()
    if rule.spec.template is not None:
        value = rule.spec.template.replace("{}", value)
    parts = [part.strip() for part in value.split(rule.spec.split)] if rule.spec.split else [value]
    parts = [part for part in parts if part]
    if rule.codes is not None:
        parts = [notation for notation in (rule.codes.lookup(part) for part in parts) if notation]
    return parts


def _apply(state: RowState, rule: Rule) -> None:
    """Put one column's values into the project; raises TransformError."""
    mapping = state.mapping
    spec = rule.spec
    language = spec.language or mapping.spec.source.language
    project = state.project
    raw = cell(mapping, state.row, rule.column, rule)
    values = _values(state, rule)
    field_name = {
        "code": "codes",
        "alternative_title": "alternative_titles",
        "fund": "funds",
        "country": "countries",
        "region": "regions",
        "amount": "funding",
        "rate": "funding",
        "note": "notes",
        "beneficiary": "participants",
        "company_number": "participants",
    }.get(spec.to, spec.to)
    for value in values:
        state.origin.setdefault(field_name, rule.column)
        match spec.to:
            case "code":
                project.setdefault("codes", []).append({"value": value, "type": spec.code_type})
            case "title" | "description":
                project.setdefault(spec.to, {})[language] = value
            case "alternative_title":
                project.setdefault("alternative_titles", []).append({language: value})
            case "note":
                project.setdefault("notes", []).append({language: f"{spec.label or rule.column}: {value}"})
            case "status" | "programme":
                project[spec.to] = value
            case "fund" | "co_financed_by" | "country" | "region":
                if value not in project.setdefault(field_name, []):
                    project[field_name].append(value)
            case "start" | "end":
                project[spec.to] = parse_date(value, rule.dates)
            case "amount":
                amount, currency = _amount(rule, value, spec.currency or mapping.spec.project.currency)
                funding = _funding(mapping, rule, raw or value, amount=amount, currency=currency)
                project.setdefault("funding", []).append(funding)
                state.origin[f"funding[{len(project['funding']) - 1}]"] = rule.column
            case "rate":
                rate = _rate(rule, value)
                project.setdefault("funding", []).append(_funding(mapping, rule, raw or value, rate=rate))
                state.origin[f"funding[{len(project['funding']) - 1}]"] = rule.column
            case "website":
                project["website"] = value
            case "beneficiary":
                state.organisations.append({"name": {language: value}})
            case "company_number":
                if not state.organisations:
                    raise TransformError("is a company number, but the row names no beneficiary")
                for organisation in state.organisations:
                    organisation["company_number"] = value


def _amount(rule: Rule, value: str, currency: str | None) -> tuple[Decimal, str]:
    """Read with the first of the column's number formats that fits."""
    errors: list[TransformError] = []
    for fmt in rule.numbers:
        try:
            amount, stated = parse_amount(value, fmt, currency, rule.spec.currency_signs)
        except TransformError as error:
            errors.append(error)
            continue
        if stated is None:
            raise TransformError("states no currency and the mapping declares none (currency)")
        return amount, stated
    raise _no_format_fits(rule, errors, "an amount")


def _rate(rule: Rule, value: str) -> Decimal:
    errors: list[TransformError] = []
    for fmt in rule.numbers:
        try:
            return parse_rate(value, fmt, rule.spec.unit)
        except TransformError as error:
            errors.append(error)
    raise _no_format_fits(rule, errors, "a number")


def _no_format_fits(rule: Rule, errors: list[TransformError], kind: str) -> TransformError:
    """The reason of the first format unless every format just failed to read the text."""
    if len(errors) == 1 or not all(str(error).startswith("is not a") for error in errors):
        return next((error for error in errors if not str(error).startswith("is not a")), errors[0])
    formats = " or ".join(repr(fmt.name) for fmt in rule.numbers)
    return TransformError(f"is not {kind} written as {formats}")


def _funding(mapping: Mapping, rule: Rule, text: str, **figures: Decimal | str) -> dict[str, Any]:
    """A funding of the project, its id scoped by the source: when two sources describe one project,
    each amount is a node of its own ({project}/funding/{source}.{funding}), with its own source text."""
    assert rule.spec.funding is not None and rule.spec.type is not None
    identifier = f"{mapping.source_id}.{rule.spec.funding}"
    funding: dict[str, Any] = {"id": identifier, "type": rule.spec.type, **figures}
    funding["text"] = f"{rule.column}: {text}"
    if rule.spec.notes:
        funding["notes"] = list(rule.spec.notes)
    return funding


def _organisation_id(mapping: Mapping, organisation: dict[str, Any]) -> str:
    """Stable over sources: the same name (or company number) in the same country is one organisation."""
    country = mapping.spec.project.beneficiary_country or ""
    number = organisation.get("company_number")
    key = f"#{number}" if number else next(iter(organisation["name"].values()))
    return "org-" + stable_hash([country, key])


def map_row(mapping: Mapping, path: Path, row: Row) -> RowState:
    state = RowState(mapping, path, row)
    for name, values in mapping.spec.read.only.items():
        column = header_name(name, 0)
        value = cell(mapping, row, column)
        if value is None or normalise_text(value) not in {normalise_text(v) for v in values}:
            wanted = " or ".join(repr(v) for v in values)
            reason = f"is not {wanted}; the mapping imports only those rows (read.only)"
            state.problems.append(RowProblem(path, row.line, column, value, reason, "row left out"))
            return state
    if row.shape_problem:
        state.problem(None, "(row)", None, row.shape_problem)
        return state
    project_id = _project_id(state)
    # The company number belongs to the beneficiary, so it comes after it whatever the mapping's order.
    for rule in sorted(mapping.rules, key=lambda rule: rule.spec.to == "company_number"):
        try:
            _apply(state, rule)
        except TransformError as error:
            state.problem(rule, rule.column, cell(mapping, row, rule.column, rule), str(error))
    if project_id is None or state.skipped:
        return state
    spec = mapping.spec.project
    project = state.project
    project["id"] = project_id
    if "title" not in project:
        column = next(rule.column for rule in mapping.rules if rule.spec.to == "title")
        state.problem(None, column, None, "is empty; a project needs a title")
        return state
    for key, constants in (
        ("countries", spec.countries),
        ("regions", spec.regions),
        ("funds", spec.funds),
        ("co_financed_by", spec.co_financed_by),
    ):
        for value in constants:
            if value not in project.setdefault(key, []):
                project[key].append(value)
    for key, constant in (("programme", spec.programme), ("status", spec.status)):
        if constant is not None:
            project.setdefault(key, constant)
    for index, organisation in enumerate(state.organisations):
        state.organisations[index] = organisation = {
            "id": _organisation_id(mapping, organisation),
            **organisation,
        }
        if spec.beneficiary_country:
            organisation["country"] = spec.beneficiary_country
        project.setdefault("participants", []).append({"organisation": organisation["id"], "role": spec.role})
    _check_models(state)
    return state


def _check_models(state: RowState) -> None:
    """What the record model refuses becomes a row problem on the column the field came from."""
    checks: list[tuple[type[Project] | type[Organisation], dict[str, Any], str]] = [
        (Project, state.project, "")
    ]
    checks += [(Organisation, organisation, "participants") for organisation in state.organisations]
    for model, data, field_name in checks:
        try:
            checked = model.model_validate(data)
            if isinstance(checked, Project):
                state.model = checked
        except ValidationError as error:
            for detail in error.errors():
                location = detail["loc"]
                name = field_name or str(location[0])
                indexed = f"{name}[{location[1]}]" if len(location) > 1 and not field_name else name
                column = state.origin.get(indexed) or state.origin.get(name, f"(field {name})")
                value = cell(state.mapping, state.row, column) if column in state.row.cells else None
                reason = str(detail["msg"]).removeprefix("Value error, ")
                where = ".".join(str(part) for part in detail["loc"])
                state.problem(None, column, value, f"field {where}: {reason}")


@dataclass
class MappedRow:
    """What mapping one row gave, as plain data a worker process sends back: its problems and, unless
    it is skipped, the project record (checked by the record model) as one line of JSON, the
    organisations it names and their records. A string crosses between processes several times faster
    than the dicts it encodes, and the record file takes the line as it is (loader/parts.py)."""

    problems: list[RowProblem]
    project_id: str | None = None
    line: str | None = None
    named: list[str] = field(default_factory=list)  # the ids of the organisations it names
    organisations: list[dict[str, Any]] = field(default_factory=list)
    model: Project | None = None  # the record as the model holds it; worker processes send None instead

    @property
    def skipped(self) -> bool:
        return self.line is None


def mapped_row(mapping: Mapping, path: Path, row: Row) -> MappedRow:
    state = map_row(mapping, path, row)
    if state.skipped or state.model is None:
        return MappedRow(state.problems)
    record = state.model.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    line, named = project_line(record), named_organisations(record)
    return MappedRow(state.problems, state.project["id"], line, named, state.organisations, state.model)
