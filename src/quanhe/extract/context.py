"""What every extractor reads: the article's sentences, seen once through the language layer.

Each sentence gets a canonical text (NFC, unified tone marks), its folded twin, the gazetteer
mentions, dates and amounts in it, and a *tagged* string in which every known name is replaced
by a tag such as ``‹P:US›`` so that patterns can talk about "a partner" instead of its 40 names.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from quanhe.gazetteer import Mention, default_gazetteer
from quanhe.language.dates import DateMention, find_dates
from quanhe.language.numbers import Amount, find_amounts
from quanhe.model import Document, Evidence, Sentence
from quanhe.normalize import fold, normalize

_TAG_KIND = {"partner": "P", "group": "G", "member": "M", "place": "L", "org": "O"}
# Every date form find_dates reads has a digit or one of these words (folded): a cheap first look.
_MAY_HOLD_DATE = re.compile(r"\d|thang|nam|nay|qua|mai|kia")
_SPAN_OR_TARGET = re.compile(r"(?:từ|kể từ|đến|tới|trước|sau|hướng tới)\s+(?:năm\s+)?$", re.IGNORECASE)
_CHAIR_YEAR = re.compile(r"\bASEAN (?:năm )?((?:19|20)\d\d)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
TAG = re.compile(r"‹([PGMLO]):([A-Za-z_]+)›")


@lru_cache(maxsize=1)
def patterns() -> dict[str, Any]:
    """data/patterns.toml: the vocabularies the extractors match (all folded, regex syntax)."""
    return tomllib.loads(resources.files("quanhe.data").joinpath("patterns.toml").read_text("utf-8"))


@lru_cache(maxsize=256)
def compiled(*words: str) -> re.Pattern[str]:
    """One regex alternation of folded phrases, longest first, whole words."""
    alternatives = sorted(set(words), key=len, reverse=True)
    return re.compile(r"(?<![\w‹])(?:" + "|".join(alternatives) + r")(?![\w])")


@dataclass
class SentenceView:
    sentence: Sentence
    canon: str                      # canonical text of the sentence
    folded: str                     # fold(canon): same length as canon
    mentions: list[Mention]
    tagged: str                     # folded text with known names replaced by tags
    to_canon: list[int]             # tagged index -> canon index
    ref: date | None

    @cached_property
    def dates(self) -> list[DateMention]:
        if not _MAY_HOLD_DATE.search(self.folded):
            return []                               # no digit, month, year or day word: nothing to parse
        return find_dates(self.canon, self.ref)

    @cached_property
    def amounts(self) -> list[Amount]:
        return find_amounts(self.canon)

    @property
    def evidence(self) -> Evidence:
        s = self.sentence
        return Evidence(s.start, s.end, s.text)

    def partners(self) -> list[str]:
        """Partner codes named in the sentence, in order of first mention."""
        seen: list[str] = []
        for m in self.mentions:
            for code in m.entry.partners:
                if code not in seen:
                    seen.append(code)
        return seen

    def canon_pos(self, tagged_index: int) -> int:
        return self.to_canon[min(tagged_index, len(self.to_canon) - 1)]


@dataclass
class ArticleContext:
    doc: Document
    ref: date | None                # the date relative expressions count from
    ref_precision: int              # 4, 7 or 10: how much of ref is known
    views: list[SentenceView] = field(default_factory=list)

    @property
    def published(self) -> str | None:
        return self.doc.published

    @cached_property
    def lead_date(self) -> str | None:
        """The day the article's opening sentences report, when they name one with a known year."""
        for view in self.views[:2]:
            for d in view.dates:
                # "hôm nay" counts when the publication day is known
                if len(d.date) == 10 and not d.date.startswith("--") and (not d.relative or self.ref_precision == 10):
                    return d.date
        return None


def tag_sentence(canon: str, folded: str, mentions: list[Mention]) -> tuple[str, list[int]]:
    pieces: list[str] = []
    index: list[int] = []
    pos = 0
    for m in mentions:
        pieces.append(folded[pos:m.start])
        index.extend(range(pos, m.start))
        tag = f"‹{_TAG_KIND[m.kind]}:{m.code}›"
        pieces.append(tag)
        index.extend([m.start] * len(tag))
        pos = m.end
    pieces.append(folded[pos:])
    index.extend(range(pos, len(folded)))
    index.append(len(folded))
    return "".join(pieces), index


def _ref_date(doc: Document, canons: list[str]) -> tuple[date | None, int]:
    """The article's reference date: its publication date, or the one year its prose names."""
    pub = doc.published
    if pub and re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", pub):
        parts = [int(p) for p in pub.split("-")]
        try:
            if len(parts) == 3:
                return date(*parts), 10
            if len(parts) == 2:
                return date(parts[0], parts[1], 28), 7
            return date(parts[0], 12, 31), 4
        except ValueError:
            pass                                        # clean validates dates; a bad one counts as none
    # Failing a publication date, the article's own context: the latest year its prose reports,
    # leaving out spans and targets ("từ năm 2020", "đến năm 2030"), or the year after its latest
    # figures (articles look back at last year's numbers), whichever is later.
    years: set[int] = set()
    figure_years: set[int] = set()
    for canon in canons:
        if not _YEAR.search(canon):
            continue
        with_figures = bool(find_amounts(canon))
        if with_figures and compiled(*patterns()["indicator"]["target_words"]).search(fold(canon)):
            continue                                    # "mục tiêu 200 tỷ USD vào năm 2020": a year ahead
        for d in find_dates(canon, None):
            if not d.year_stated or d.relative or _SPAN_OR_TARGET.search(canon[max(0, d.start - 12):d.start]):
                continue
            (figure_years if with_figures else years).add(int(d.date[:4]))
        years.update(int(y) for y in _CHAIR_YEAR.findall(canon))     # "Chủ tịch ASEAN 2022": the year of office
    guesses = years | {year + 1 for year in figure_years}
    if guesses:
        return date(max(guesses), 12, 31), 0
    return None, 0


def build_context(doc: Document) -> ArticleContext:
    canons = [normalize(s.text).text for s in doc.sentences]
    ref, precision = _ref_date(doc, canons)
    ctx = ArticleContext(doc, ref, precision)
    gazetteer = default_gazetteer()
    for s, canon in zip(doc.sentences, canons, strict=True):
        folded = fold(canon)
        mentions = gazetteer.find(canon, folded)
        tagged, to_canon = tag_sentence(canon, folded, mentions)
        ctx.views.append(SentenceView(s, canon, folded, mentions, tagged, to_canon, ref))
    return ctx
