"""Text as the search index sees it: folded words, light Czech stems, and FTS5 queries built from them.

Czech and Lithuanian inflect: "sociální služby" is "sociálních služeb" in the genitive plural, and a
search must find one from the other, typed with or without diacritics. So every word is folded (lower
case, no diacritics: "Služeb" -> "sluzeb") and stemmed with a light Czech stemmer (Dolamic and Savoy,
"Indexing and stemming approaches for the Czech language", 2009; the one Lucene's CzechStemmer
implements) applied to folded text, so that a query typed without diacritics stems like the text:
"sluzeb" and "sluzby" -> "sluzb", "socialnich" and "socialni" -> "socialn", "globos" -> "glob".

The index holds each folded word and, where the stem is not a prefix of the word ("sluzb" of "sluzeb"),
the stem too. A query word matches by prefix: `"stem"*` when the stem is a prefix of the word (that
also covers every word starting with the query word), else `("word"* OR "stem"*)`. Words of one or two
letters match whole ("op", "eu"), one-letter words are dropped when there are longer ones, and every
query word must match. The price is some over-matching ("glob"* also finds "global") that ranking
pushes down; the gain is that endings, diacritics and half-typed words do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")
COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Case endings by the minimum word length they apply to, longest first (folded forms of Lucene's list).
CASE_ENDINGS = (
    (7, ("atech",)),
    (6, ("etem", "atum")),
    (5, ("ech", "ich", "eho", "emi", "emu", "ete", "eti", "iho", "imi", "imu",
         "ach", "ata", "aty", "ych", "ama", "ami", "ove", "ovi", "ymi")),
    (4, ("em", "es", "im", "um", "at", "am", "os", "us", "ym", "mi", "ou")),
)  # fmt: skip


def fold(text: str) -> str:
    """Lower case without diacritics: 'Sociálních SLUŽEB' -> 'socialnich sluzeb'."""
    return unicodedata.normalize("NFC", COMBINING.sub("", unicodedata.normalize("NFD", text.lower())))


def words(text: str) -> list[str]:
    """The folded words of `text`: runs of letters and digits, as FTS5's unicode61 tokenizer splits."""
    return WORD.findall(fold(text))


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """The light Czech stem of a folded word: a case ending, then a possessive suffix, removed, and the
    stem's end normalised ('sluzeb' -> 'sluzb', 'domu' -> 'dom'). Words with digits stay as they are."""
    if not word.isalpha():
        return word
    for minimum, endings in CASE_ENDINGS:
        ending = next((e for e in endings if word.endswith(e)), None) if len(word) > minimum else None
        if ending is not None:
            word = word[: -len(ending)]
            break
    else:
        if len(word) > 3 and word[-1] in "aeiouy":
            word = word[:-1]
    if len(word) > 5 and word.endswith(("ov", "in", "uv")):
        word = word[:-2]
    return _normalize(word)


def _normalize(word: str) -> str:
    if word.endswith(("ct", "st")):  # čt -> ck, št -> sk
        return word[:-1] + "k"
    if word.endswith("c"):  # c, č -> k
        return word[:-1] + "k"
    if word.endswith("z"):  # z, ž -> h
        return word[:-1] + "h"
    if len(word) > 1 and word[-2] == "e":  # the e of some forms: sluzeb -> sluzb
        return word[:-2] + word[-1]
    if len(word) > 2 and word[-2] == "u":  # ů alternates with o: dum, domu -> dom
        return word[:-2] + "o" + word[-1]
    return word


def indexed_text(texts: Iterable[str]) -> str:
    """What the index stores for `texts`: each folded word, and its stem where that is not a prefix."""
    found = [word for text in texts for word in words(text)]
    extra = [stem(word) for word in found if not word.startswith(stem(word))]
    return " ".join(found + extra)


def match_expression(query: str) -> str | None:
    """The FTS5 query for what a person typed, or None if it has no words.

    'socialni sluzby' -> '"socialn"* AND "sluzb"*'. Words are quoted, so FTS5 syntax in the input is
    only ever words.
    """
    found = list(dict.fromkeys(words(query)))
    if len(found) > 1:
        found = [word for word in found if len(word) > 1] or found
    parts = []
    for word in found:
        root = stem(word)
        if len(word) <= 2:
            parts.append(f'"{word}"')
        elif word.startswith(root):
            parts.append(f'"{root}"*')
        else:
            parts.append(f'("{word}"* OR "{root}"*)')
    return " AND ".join(parts) or None
