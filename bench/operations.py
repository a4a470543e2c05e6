"""Generate a realistic synthetic list of operations (`python -m bench.operations --projects 100000`).

The columns are those every managing authority publishes under Art. 115 CPR (2014-20) / Art. 49 (2021-27),
laid out as the Czech lists are: operation code, name and summary in Czech, beneficiary and its company
number (IČ), start and end dates as "1. 5. 2009", total eligible expenditure as "8 464 591,00", the Union
co-financing rate as "85,00", postcode, NUTS 3 region, country, fund, category of intervention and
specific objective. Semicolon-separated UTF-8 with a BOM, as exported by spreadsheets. The same seed
gives the same file; `--change` and `--drop` rewrite a share of rows or leave them out (for the
incremental-reload figures). bench/mappings/synthetic-operations.toml imports it.
"""

from __future__ import annotations

import argparse
import csv
import random
from functools import cache
from pathlib import Path

from bench.generate import REGIONS, WORDS

COLUMNS = [
    "Registrační číslo projektu",
    "Název projektu",
    "Shrnutí projektu",
    "Název příjemce",
    "IČ příjemce",
    "Datum zahájení",
    "Datum ukončení",
    "Celkové způsobilé výdaje (CZK)",
    "Míra spolufinancování EU (%)",
    "PSČ",
    "Kraj (NUTS 3)",
    "Stát",
    "Fond",
    "Kategorie intervence",
    "Specifický cíl",
]
FUNDS = ["ESF", "EFRR", "FS"]
BENEFICIARIES = 20_000  # organisations the rows draw their beneficiary from
CATEGORIES = [
    "109 - Aktivní začleňování",
    "112 - Zlepšování přístupu k sociálním službám",
    "117 - Celoživotní učení",
]
OBJECTIVES = [
    "2.1.1 Zvýšit uplatnitelnost osob ohrožených sociálním vyloučením",
    "2.2.1 Rozvoj sociálních služeb",
]


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS["cs"]) for _ in range(count)).capitalize()


def _date(year: int, rng: random.Random) -> str:
    return f"{rng.randint(1, 28)}. {rng.randint(1, 12)}. {year}"


def _amount(value: int) -> str:
    return f"{value:,}".replace(",", " ") + f",{value % 100:02d}"


@cache
def beneficiary(index: int) -> tuple[str, str]:
    """Beneficiary `index`: its name and company number, the same whatever the list's length."""
    rng = random.Random(index)
    return _words(rng, 3) + " z. s.", f"{rng.randint(10_000_000, 99_999_999)}"


def row(rng: random.Random, number: int, version: int = 0) -> list[str]:
    start = rng.randint(2014, 2022)
    name, company = beneficiary(rng.randint(0, BENEFICIARIES - 1))
    title = _words(rng, rng.randint(4, 10)) + (f" (změna {version})" if version else "")
    return [
        f"CZ.03.{rng.randint(1, 3)}.{rng.randint(50, 70)}/0.0/0.0/{number // 10_000:02d}_{number:07d}",
        title,
        ". ".join(_words(rng, 12) for _ in range(8)) + ".",
        name,
        company,
        _date(start, rng),
        _date(start + rng.randint(1, 4), rng),
        _amount(rng.randint(100_000, 50_000_000)),
        f"{rng.randint(50, 85)},00",
        f"{rng.randint(100, 799)} {rng.randint(0, 99):02d}",
        rng.choice(REGIONS["CZE"]),
        "CZ",
        rng.choice(FUNDS),
        rng.choice(CATEGORIES),
        rng.choice(OBJECTIVES),
    ]


def write_list(
    projects: int, path: Path, *, seed: int = 1, change: float = 0.0, drop: float = 0.0
) -> tuple[int, int]:
    """Write the list; with `change`/`drop`, that share of rows gets a new title / is left out (chosen by
    a second generator, so the other rows stay byte-for-byte the same). Returns (changed, dropped)."""
    rng, edits = random.Random(seed), random.Random(seed + 1)
    changed = dropped = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(COLUMNS)
        for number in range(projects):
            roll = edits.random()
            cells = row(rng, number, version=1 if roll < change else 0)
            if change <= roll < change + drop:
                dropped += 1
                continue
            changed += roll < change
            writer.writerow(cells)
    return changed, dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--change", type=float, default=0.0, help="share of rows given a new title")
    parser.add_argument("--drop", type=float, default=0.0, help="share of rows left out")
    parser.add_argument("--out", type=Path, default=Path("var/bench/operations.csv"))
    arguments = parser.parse_args()
    changed, dropped = write_list(
        arguments.projects, arguments.out, seed=arguments.seed, change=arguments.change, drop=arguments.drop
    )
    print(
        f"wrote {arguments.projects - dropped} rows ({changed} changed, {dropped} left out): {arguments.out}"
    )


if __name__ == "__main__":
    main()
