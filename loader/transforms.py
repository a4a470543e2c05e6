"""Cell text -> record values: numbers, amounts with currencies, rates, dates, codes, code lists.

Each function takes the verbatim text of one cell and either returns the value or raises TransformError
with a reason worded for the publisher ("'31.02.2016' has no day 31 in February 2016"). Nothing here is
guessed: a number is read in the format the mapping declares, a two-digit year follows one documented
rule, a currency sign that is not in the table is refused rather than assumed. The importer adds file,
line and column to the reason.

Also here: the patterns that make a column look like personal data (header names in several
languages, e-mail addresses, phone numbers), because they too are rules about cell text.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


class TransformError(ValueError):
    """A cell cannot be read as the mapping says; the message is the reason, without the value."""


# -- numbers ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberFormat:
    """How a list writes numbers: the thousands separator (or none) and the decimal mark."""

    name: str
    group: str | None
    decimal: str


# A format is named by how it writes one thousand two hundred thirty-four and a half, so a mapping reads
# like the file: number = "1.234,5" for "5.172.338,50", number = "1 234,5" for "8 464 591,00".
NUMBER_FORMATS = {
    fmt.name: fmt
    for fmt in (
        NumberFormat("1234.5", None, "."),
        NumberFormat("1,234.5", ",", "."),
        NumberFormat("1.234,5", ".", ","),
        NumberFormat("1 234,5", " ", ","),
        NumberFormat("1 234.5", " ", "."),
        NumberFormat("1234,5", None, ","),
    )
}
# Spaces that spreadsheets put between thousands: space, no-break space, narrow no-break, thin space.
SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
# Kohesio and other exports write large amounts in scientific notation: 2.9E7, 2.896095424E7.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def number_format(name: str) -> NumberFormat:
    """The format called `name`; raises TransformError naming the known formats."""
    try:
        return NUMBER_FORMATS[name]
    except KeyError:
        known = ", ".join(repr(known) for known in NUMBER_FORMATS)
        raise TransformError(f"{name!r} is not a number format; expected one of {known}") from None


def parse_number(text: str, fmt: NumberFormat) -> Decimal:
    """'8 464 591,00' in '1 234,5' -> Decimal('8464591.00'); '2.9E7' in '1234.5' -> Decimal('2.9E+7').

    Thousands separators must sit between groups of three digits, so '1.234' in '1,234.5' (where '.'
    is the decimal mark) is 1.234 and '1,23' in '1,234.5' is refused rather than read as 123.
    """
    value = text.strip()
    if fmt.group == " ":
        value = SPACES.sub(" ", value)
    sign = ""
    if value and value[0] in "+-":
        sign, value = value[0], value[1:].lstrip()
    if fmt.group is None and fmt.decimal == ".":
        if not PLAIN_NUMBER.fullmatch(value):
            raise TransformError(f"is not a number written as {fmt.name!r}")
        return _decimal(sign + value, fmt)
    group = re.escape(fmt.group) if fmt.group else None
    decimal = re.escape(fmt.decimal)
    grouped = rf"\d{{1,3}}(?:{group}\d{{3}})+" if group else None
    plain = r"\d+"
    integer = f"(?:{grouped}|{plain})" if grouped else plain
    if not re.fullmatch(rf"{integer}(?:{decimal}\d+)?", value):
        raise TransformError(f"is not a number written as {fmt.name!r}")
    if fmt.group:
        value = value.replace(fmt.group, "")
    return _decimal(sign + value.replace(fmt.decimal, "."), fmt)


def _decimal(text: str, fmt: NumberFormat) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise TransformError(f"is not a number written as {fmt.name!r}") from None
    if not number.is_finite():
        raise TransformError(f"is not a number written as {fmt.name!r}")
    return number


# -- currencies and amounts ------------------------------------------------------------------------------

# Signs and words lists put before or after an amount, casefolded. "kr" is missing on purpose: it is
# the Swedish, Danish and Norwegian krona/krone alike; a mapping that means one says so (currency_signs).
CURRENCY_SIGNS = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "zł": "PLN",
    "zl": "PLN",
    "pln": "PLN",
    "kn": "HRK",
    "hrk": "HRK",
    "kč": "CZK",
    "czk": "CZK",
    "ft": "HUF",
    "huf": "HUF",
    "lei": "RON",
    "ron": "RON",
    "лв": "BGN",
    "лв.": "BGN",
    "bgn": "BGN",
    "sek": "SEK",
    "dkk": "DKK",
    "nok": "NOK",
    "chf": "CHF",
}
AFFIXES = re.compile(
    r"\s*(?P<before>[^\d\s.,+-][^\d\s+-]*)?\s*(?P<number>.*?)\s*(?P<after>[^\d\s.,][^\d\s]*)?\s*"
)


def parse_amount(
    text: str,
    fmt: NumberFormat,
    currency: str | None,
    signs: Mapping[str, str] | None = None,
) -> tuple[Decimal, str | None]:
    """'5.172.338,50 kn' -> (Decimal('5172338.50'), 'HRK'); ' £999.269,00 ' -> (999269.00, 'GBP').

    `currency` is what the mapping declares for the column; a sign in the cell must agree with it.
    Returns the currency the cell states, else the declared one (None when neither says).
    """
    match = AFFIXES.fullmatch(text)
    if match is None or not match["number"]:
        raise TransformError(f"is not an amount written as {fmt.name!r}")
    table = {**CURRENCY_SIGNS, **{sign.casefold(): code for sign, code in (signs or {}).items()}}
    stated: list[str] = []
    for affix in (match["before"], match["after"]):
        if affix is None:
            continue
        code = table.get(affix.casefold())
        if code is None:
            raise TransformError(
                f"has {affix!r} beside the number, which is not a currency sign lodcat knows; "
                "declare it in currency_signs"
            )
        stated.append(code)
    if len(set(stated)) > 1:
        raise TransformError(f"states two currencies, {stated[0]} and {stated[1]}")
    if stated and currency and stated[0] != currency:
        raise TransformError(f"is in {stated[0]}, but the mapping declares {currency} for this column")
    try:
        amount = parse_number(match["number"], fmt)
    except TransformError:
        raise TransformError(f"is not an amount written as {fmt.name!r}") from None
    return amount, stated[0] if stated else currency


def parse_rate(text: str, fmt: NumberFormat, unit: str) -> Decimal:
    """A co-financing rate as a fraction: '50,00 %' (percent) -> 0.5; '0.4' (fraction) -> 0.4.

    unit "percent": the number is a percentage, with or without a '%' sign; unit "fraction": a number
    from 0 to 1, and a '%' sign is refused because it would say otherwise.
    """
    value = text.strip()
    has_sign = value.endswith("%")
    value = value.removesuffix("%").rstrip()
    if has_sign and unit == "fraction":
        raise TransformError("has a '%' sign, but the mapping declares the rate as a fraction (0 to 1)")
    number = parse_number(value, fmt)
    rate = number / 100 if unit == "percent" else number
    if not 0 <= rate <= 1:
        shown = f"{format(number, 'f')} %" if unit == "percent" else format(number, "f")
        raise TransformError(f"is {shown}; a co-financing rate is between 0 and 100 %")
    return rate.normalize() if rate else Decimal(0)


# -- dates -----------------------------------------------------------------------------------------------

# Month names and abbreviations, casefolded and without a trailing dot, in the languages of the lists
# shipped with lodcat (England's list writes German abbreviations: "31. Dez 18").
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            "january jan januar jänner jän janvier janv januari sausis",
            "february feb februar février févr fevrier fevr februari vasaris",
            "march mar märz mär mrz maerz mars maart mrt kovas",
            "april apr avril avr balandis",
            "may mai mei gegužė",
            "june jun juni juin birželis",
            "july jul juli juillet juil liepa",
            "august aug août aout augustus rugpjūtis",
            "september sep sept septembre rugsėjis",
            "october oct oktober okt octobre spalis",
            "november nov novembre lapkritis",
            "december dec dezember dez décembre déc decembre gruodis",
        ),
        start=1,
    )
    for name in names.split()
}

DATE_TOKENS = {
    "YYYY": r"(?P<year>\d{4})",
    "YY": r"(?P<year2>\d{2})",
    "MM": r"(?P<month>\d{2})",
    "M": r"(?P<month>\d{1,2})",
    "DD": r"(?P<day>\d{2})",
    "D": r"(?P<day>\d{1,2})",
    "Mon": r"(?P<monthname>[^\W\d_]+)\.?",
    "hh": r"\d{1,2}",
    "mm": r"\d{2}",
    "ss": r"\d{2}",
}
TOKEN = re.compile("|".join(sorted(DATE_TOKENS, key=len, reverse=True)))


@dataclass(frozen=True)
class DateFormat:
    """A date layout such as 'DD.MM.YYYY' or 'D. M. YYYY' compiled to a regular expression."""

    text: str
    pattern: re.Pattern[str]

    @classmethod
    def compile(cls, text: str) -> DateFormat:
        """Tokens: YYYY, YY, MM, M, DD, D, Mon (month name or abbreviation), hh, mm, ss (time, ignored).
        A space matches any run of spaces or none, so 'D. M. YYYY' reads '1. 5. 2009' and '1.5.2009'."""
        parts: list[str] = []
        position = 0
        for match in TOKEN.finditer(text):
            parts.append(_literal(text[position : match.start()]))
            parts.append(DATE_TOKENS[match.group()])
            position = match.end()
        parts.append(_literal(text[position:]))
        try:
            pattern = re.compile("".join(parts), re.IGNORECASE)
        except re.error:
            raise TransformError(f"{text!r} is not a date format: a token appears twice") from None
        if "year" not in pattern.groupindex and "year2" not in pattern.groupindex:
            raise TransformError(f"{text!r} is not a date format: it has no year (YYYY or YY)")
        if "day" in pattern.groupindex and not {"month", "monthname"} & set(pattern.groupindex):
            raise TransformError(f"{text!r} is not a date format: it has a day but no month")
        return cls(text, pattern)


def _literal(text: str) -> str:
    return "".join(r"\s*" if char.isspace() else re.escape(char) for char in text)


def parse_date(text: str, formats: Sequence[DateFormat]) -> str:
    """The date at the precision the format gives: '1. 5. 2009' -> '2009-05-01', '2016' -> '2016'.

    Formats are tried in order; the first that matches decides, and an impossible date in it is refused
    (no day 31 in February) rather than tried against the next format. Two-digit years (YY) are
    2000-2069 for 00-69 and 1970-1999 for 70-99.
    """
    value = text.strip()
    for fmt in formats:
        match = fmt.pattern.fullmatch(value)
        if match is None:
            continue
        groups = match.groupdict()
        year = int(groups["year"]) if groups.get("year") else _century(int(groups["year2"]))
        month: int | None = None
        if groups.get("month"):
            month = int(groups["month"])
        elif groups.get("monthname"):
            name = groups["monthname"].casefold()
            if name not in MONTHS:
                raise TransformError(f"has {groups['monthname']!r}, which is not a month name lodcat knows")
            month = MONTHS[name]
        if month is None:
            return f"{year:04d}"
        if not 1 <= month <= 12:
            raise TransformError(f"has month {month}; expected 1 to 12 ({fmt.text})")
        if not groups.get("day"):
            return f"{year:04d}-{month:02d}"
        day = int(groups["day"])
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise TransformError(f"has no day {day} in {calendar.month_name[month]} {year} ({fmt.text})")
        return f"{year:04d}-{month:02d}-{day:02d}"
    expected = " or ".join(repr(fmt.text) for fmt in formats)
    raise TransformError(f"is not a date written as {expected}")


def _century(year: int) -> int:
    return 2000 + year if year < 70 else 1900 + year


# -- codes, identifiers, code lists ---------------------------------------------------------------------


def normalise_code(text: str) -> str:
    """A project code as an identifier: 'CZ.04.4.83/3.2.03.1/0448' -> 'CZ.04.4.83-3.2.03.1-0448'.

    Every mapping derives project ids this way, so two sources that write the same code (after the same
    id_prefix) describe one project IRI. Runs of characters an IRI segment cannot hold become one '-';
    case is kept.
    """
    code = re.sub(r"[^A-Za-z0-9._~-]+", "-", unicodedata.normalize("NFKC", text).strip())
    code = code.strip("-._~")
    if not code:
        raise TransformError("has no letter or digit to build a project id from")
    return code


def normalise_text(text: str) -> str:
    """Casefolded, NFKC, whitespace collapsed: the form identifying columns and code lists compare."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def stable_hash(values: Sequence[str]) -> str:
    """16 hex digits from the normalised values: the same values give the same id in every run."""
    joined = "\x1f".join(normalise_text(value) for value in values)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


class CodeList:
    """Source values -> lodcat notations (or '' for "stated, but no lodcat concept"), compared
    casefolded with whitespace collapsed."""

    def __init__(self, codes: Mapping[str, str]) -> None:
        self.codes = {normalise_text(value): notation for value, notation in codes.items()}
        self.shown = sorted(codes)

    def lookup(self, text: str) -> str:
        try:
            return self.codes[normalise_text(text)]
        except KeyError:
            known = ", ".join(repr(value) for value in self.shown[:12])
            more = f" and {len(self.shown) - 12} more" if len(self.shown) > 12 else ""
            raise TransformError(f"is not in the code list of this column (known: {known}{more})") from None


# -- personal data ---------------------------------------------------------------------------------------

# Header words that name personal data, accents removed and casefolded, in the languages of the lists:
# e-mail, phone, contact person, names of people.
PERSONAL_HEADER = re.compile(
    r"\b(?:e ?mail|mail|courriel|e ?post|epost|sahkoposti|tel|tlf|telnr|telefon|telefono|telephone|phone"
    r"|mobile|mobil|gsm|fax|contact|contacts|contactpersoon|kontakt|kontaktperson|kontaktna oseba"
    r"|kontaktna osoba|kontaktni osoba|osoba kontaktowa|ansprechpartner|ansprechperson|projektledare"
    r"|projektleder|projektleiter|vorname|nachname|surname|first name|last name|prenom|imie|nazwisko"
    r"|jmeno|prijmeni)\b"
)
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
EMAILS = re.compile(rf"{EMAIL}(?:\s*[,;/]\s*{EMAIL})*")
PHONE = re.compile(r"(?:(?:tel|tél|phone|tlf)\.?:?\s*)?(\+|00|0)\d[\d ./()\-]{5,}\d", re.IGNORECASE)
NUMBER_SLASH_YEAR = re.compile(r"\d+\s?/\s?(?:19|20)\d\d")  # contract numbers: 0949/2015
DATE_LIKE = re.compile(r"\d{1,2}[./-]\s?\d{1,2}[./-]\s?\d{2,4}(?:\s.*)?")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", letters).split())


def personal_header(name: str) -> str | None:
    """The word that makes a column name look like personal data ('tél.' -> 'tel'), or None."""
    match = PERSONAL_HEADER.search(_plain(name))
    return match.group() if match else None


def personal_value(text: str) -> str | None:
    """'an e-mail address' or 'a phone number' when the whole cell is one, else None.

    Phone numbers: a leading '+', '00' or '0', 9 to 15 digits and at least one separator or the '+', so
    amounts ('475 000'), company numbers ('00151513'), dates ('01.04.2015') and contract numbers
    ('0949/2015') are not taken for one.
    """
    value = text.strip()
    if EMAILS.fullmatch(value):
        return "an e-mail address"
    match = PHONE.fullmatch(value)
    if match and not DATE_LIKE.fullmatch(value):
        digits = sum(char.isdigit() for char in value)
        separated = match.group(1) == "+" or any(char in value[match.start(1) :] for char in " ./()-")
        if 9 <= digits <= 15 and separated and not NUMBER_SLASH_YEAR.fullmatch(value):
            return "a phone number"
    return None


def is_identifier(text: str) -> bool:
    return bool(IDENTIFIER.fullmatch(text))
