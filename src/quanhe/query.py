"""Questions asked of a store: the functions the CLI, and later the web app, call.

Arguments are checked and normalized here (one place for the rules); the store runs the query.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from quanhe.errors import UsageError
from quanhe.normalize import fold
from quanhe.store.base import FactFilter, Store

_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_WORD = re.compile(r"\w+\*?")

MARKS = ("[", "]")   # default highlight markers in snippets
SNIPPET_CHARS = 200  # longest snippet, before markers and ellipses


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: str
    sentence: int        # index of the sentence among the article's prose sentences
    start: int           # offsets into the article text as read
    end: int
    text: str            # the whole sentence
    snippet: str         # the sentence (shortened around the first match), matches marked
    rank: float          # lower is better (bm25)

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


def facts(store: Store, partner: str | None = None, type: str | None = None,
          since: str | None = None, until: str | None = None,
          limit: int | None = None) -> list[dict[str, Any]]:
    """Fact records, filtered: ``partner`` a code (US, cn, EU), ``since``/``until`` ISO dates
    of any precision (until 2020 includes 2020-12-31). Facts without a date are left out of
    any date range."""
    where = FactFilter(
        partner=partner_code(partner),
        type=fact_type(type),
        since=iso_date(since, "since"),
        until=iso_date(until, "until"),
        limit=_limit(limit),
    )
    return list(store.facts(where))


def search(store: Store, query: str, limit: int = 20, *,
           marks: tuple[str, str] = MARKS) -> list[SearchHit]:
    """Sentences holding every word of ``query``, in any order, ignoring case, diacritics, đ and
    tone placement ("hoa ky" finds "Hoa Kỳ", "doi tac" finds "đối tác"). A word ending in * is a
    prefix; a "quoted phrase" must stand whole ('"dong a"' finds "Đông Á", not "Đông Nam Á")."""
    terms = terms_of(query)
    if not terms:
        raise UsageError("the search query has no words; try: quanhe search \"hoa ky\"")
    hits = store.search(terms, _limit(limit) or 20)
    return [SearchHit(h.article, h.idx, h.start, h.end, h.text,
                      snippet(h.text, terms, marks=marks), h.rank) for h in hits]


def terms_of(query: str) -> list[str]:
    """The folded terms of a query, in order, without repeats: each word, or a "quoted phrase"
    as one term (its words must then stand together and in order)."""
    seen: dict[str, None] = {}
    folded = _strip_marks(fold(query))
    for phrase in re.findall(r'"([^"]+)"', folded):
        words = _WORD.findall(phrase)
        if words:
            seen.setdefault(" ".join(words), None)
    for word in _WORD.findall(re.sub(r'"[^"]*"', " ", folded)):
        seen.setdefault(word, None)
    return list(seen)


def snippet(text: str, terms: list[str], *, marks: tuple[str, str] = MARKS,
            width: int = SNIPPET_CHARS) -> str:
    """``text`` with the words matching ``terms`` marked; shortened to about ``width`` chars
    around the first match."""
    folded, where = _fold_with_map(text)
    spans: list[tuple[int, int]] = []
    words = [t for t in terms if " " not in t]
    for phrase in (t for t in terms if " " in t):      # a quoted phrase: mark where it stands whole
        for m in re.finditer(r"(?<!\w)" + r"\W+".join(map(re.escape, phrase.split())) + r"(?!\w)", folded):
            spans.append((where[m.start()], where[m.end() - 1] + 1))
    for m in re.finditer(r"\w+", folded):
        word = m.group()
        if any(word.startswith(t[:-1]) if t.endswith("*") else word == t for t in words):
            start, end = where[m.start()], where[m.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        # overlapping (a phrase and its own words) or only spaces apart: one mark, [Hoa Kỳ]
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    spans = merged
    lo, hi = 0, len(text)
    if len(text) > width:
        first = spans[0][0] if spans else 0
        lo = max(0, min(first - width // 4, len(text) - width))
        hi = lo + width
    out, pos = [], lo
    for start, end in spans:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out += [text[pos:start], marks[0], text[start:end], marks[1]]
        pos = end
    out.append(text[pos:hi])
    body = "".join(out).strip()
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` (marks dropped, so NFD text works too) and map each folded char back."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for f in _strip_marks(fold(ch)):
            chars.append(f)
            where.append(i)
    return "".join(chars), where


def _strip_marks(text: str) -> str:
    return "".join(c for c in text if not unicodedata.combining(c))


FACT_TYPES = ("meeting", "partnership", "document", "indicator", "person")


def fact_type(kind: str | None) -> str | None:
    """A fact type as the queries take it (lower case, one of FACT_TYPES), or a UsageError."""
    if kind is None:
        return None
    value = kind.strip().lower()
    if value not in FACT_TYPES:
        raise UsageError(f"type {kind!r} is not a fact type; use one of: {', '.join(FACT_TYPES)}")
    return value


def partner_code(partner: str | None) -> str | None:
    """A partner code as the store holds it (upper case), or a UsageError when blank."""
    if partner is None:
        return None
    code = partner.strip().upper()
    if not code:
        raise UsageError("a partner code is needed, such as US, CN, JP or EU")
    return code


def iso_date(value: str | int | None, name: str) -> str | None:
    """An ISO date of any precision (2015, 2015-11, 2015-11-14), or a UsageError naming ``name``."""
    if value is None:
        return None
    text = str(value).strip()
    parts = text.split("-")
    valid = bool(_ISO_DATE.fullmatch(text)) and (len(parts) < 2 or 1 <= int(parts[1]) <= 12) and (
        len(parts) < 3 or _real_day(text))
    if not valid:
        raise UsageError(f"{name} {value!r} is not an ISO date; write 2015, 2015-11 or 2015-11-14")
    return text


def _real_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _limit(limit: int | None) -> int | None:
    if limit is None:
        return None
    if limit < 1:
        raise UsageError(f"limit must be a positive number, not {limit}")
    return limit
