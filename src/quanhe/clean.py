"""Cleaning: find the article's metadata and separate its prose from the page furniture.

Share and comment widgets, photo captions and credits, bylines, source lines, bare URLs and
related-news lists are boilerplate: they yield no facts and no persons. The markers are data
(data/boilerplate.toml); this module applies them line by line, then sentence by sentence.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources

from quanhe.language.charclass import LOWER, UPPER
from quanhe.language.data import numerals
from quanhe.language.dates import date_from_url, parse_dateline
from quanhe.language.sentences import paragraphs, split_paragraph
from quanhe.model import Article, Document, Sentence, Span
from quanhe.normalize import normalize

_URL_LINE = re.compile(r"^\s*https?://\S+\s*$")
_MARKER_DATE = re.compile(r"^\s*date\s+(\d{4}(?:-\d{2}(?:-\d{2})?)?)\s*")
_TERMINAL = re.compile(r"""[.!?…:;"”»)]\s*$""")
_GLUED_HEADLINES = re.compile(LOWER + UPPER + LOWER)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Markers:
    line_exact: frozenset[str]          # a whole line equal to one of these (folded case) is furniture
    line_prefix: tuple[str, ...]        # a line starting with one of these is furniture
    line_pattern: re.Pattern[str]       # a line matching this is furniture
    tail_start: tuple[str, ...]         # a line equal to one of these ends the prose
    credit: re.Pattern[str]             # photo / source credits inside a line: "(Ảnh: ...)", "Ảnh: BNG"
    credit_words: tuple[str, ...]       # every credit holds one of these: a cheap first look
    caption_start: tuple[str, ...]      # a sentence starting so is a caption ("Trong ảnh")
    mt_words: frozenset[str]            # English words that betray a machine translation
    mt_traces: tuple[re.Pattern[str], ...]   # English word order or layout left in the Vietnamese


@lru_cache(maxsize=1)
def markers() -> _Markers:
    raw = tomllib.loads(resources.files("quanhe.data").joinpath("boilerplate.toml").read_text("utf-8"))
    return _Markers(
        line_exact=frozenset(s.casefold() for s in raw["line_exact"]),
        line_prefix=tuple(raw["line_prefix"]),
        line_pattern=re.compile("|".join(raw["line_patterns"])),
        tail_start=tuple(s.casefold().rstrip(" :.") for s in raw["tail_start"]),
        credit=re.compile("|".join(raw["credit_patterns"])),
        credit_words=tuple(raw["credit_words"]),
        caption_start=tuple(raw["caption_start"]),
        mt_words=frozenset(raw["machine_translation_words"]),
        mt_traces=tuple(re.compile(p) for p in raw["machine_translation_traces"]),
    )


@dataclass
class _Layout:
    """What each line of an article is: metadata, furniture, or prose."""

    title: str | None
    datelines: list[tuple[str, bool]] = field(default_factory=list)   # (date, seen after the title)
    marker_date: str | None = None                                    # the " date YYYY-MM" line
    prose_lines: list[tuple[int, int]] = field(default_factory=list)
    boilerplate: list[Span] = field(default_factory=list)


def clean(article: Article) -> Document:
    """Metadata and prose of an article; every span points into ``article.text`` as read."""
    view = normalize(article.text)
    # Markers and patterns are written in NFC: read the canonical view, then map spans back.
    text = view.text
    m = markers()
    body_start = 1 if text.startswith("\ufeff") else 0
    url = article.url
    url_span: list[Span] = []
    first = text[body_start:].split("\n", 1)[0]
    if _URL_LINE.match(first):
        url = url or first.strip()
        url_span.append(Span(body_start, body_start + len(first)))
        body_start += len(first) + 1
    layout = _lay_out(text, body_start, article.title, m)
    boilerplate = url_span + layout.boilerplate

    sentences: list[Sentence] = []
    original = article.text
    for a, b in layout.prose_lines:
        for s_start, s_end, kind in _prose_sentences(text, a, b, m):
            if kind == "prose":
                start, end = view.original(s_start), view.original(s_end)
                sentences.append(Sentence(start, end, original[start:end], len(sentences)))
            else:
                boilerplate.append(Span(s_start, s_end))
    boilerplate = [Span(view.original(s.start), view.original(s.end)) for s in boilerplate]

    published, source = _published(layout.marker_date, layout.datelines, url, article.published)
    prose = " ".join(text[a:b] for a, b in layout.prose_lines)
    return Document(
        article=article if url == article.url else _with_url(article, url),
        title=layout.title,
        published=published,
        published_source=source,
        machine_translated=_machine_translated(text, prose, m),
        body_start=body_start,
        boilerplate=tuple(sorted(set(boilerplate), key=lambda s: (s.start, s.end))),
        sentences=tuple(sentences),
    )


def _lay_out(text: str, body_start: int, title: str | None, m: _Markers) -> _Layout:
    """Sort the lines after the URL: date marker, related-news tail, datelines, furniture,
    the title, captions between paragraphs, and prose."""
    layout = _Layout(title)
    ended = False
    lines = list(paragraphs(text, body_start))
    for i, (a, b) in enumerate(lines):
        line = text[a:b]
        if ended:
            layout.boilerplate.append(Span(a, b))
            continue
        marker = _MARKER_DATE.match(line)
        if marker:
            layout.marker_date = layout.marker_date or marker.group(1)
            layout.boilerplate.append(Span(a, a + marker.end()))
            a += marker.end()
            line = text[a:b]
            if not line.strip():
                continue
        folded = line.casefold().strip()
        if folded.rstrip(" :.") in m.tail_start:       # "Tin liên quan", "Bài liên quan:"
            ended = True
            layout.boilerplate.append(Span(a, b))
            continue
        if len(layout.prose_lines) <= 2:             # some sites print the lead before the dateline
            short = len(line) < 60 or not layout.prose_lines and len(line) < 120
            dateline = (parse_dateline(line) or _word_dateline(line)) if short else None
            if dateline:
                layout.datelines.append((dateline, layout.title is not None))
                layout.boilerplate.append(Span(a, b))
                continue
        if _is_furniture(line, folded, m, is_last=i == len(lines) - 1):
            layout.boilerplate.append(Span(a, b))
            continue
        if layout.title is None and not layout.prose_lines and _looks_like_heading(line):
            layout.title = line.strip().strip('"“”')
            layout.boilerplate.append(Span(a, b))
            continue
        if layout.title is not None and line.strip().strip('"“”') == layout.title:
            layout.boilerplate.append(Span(a, b))   # the title repeated as a caption
            continue
        if not _TERMINAL.search(line) and len(_WORD.findall(line)) < 25 and i != len(lines) - 1:
            layout.boilerplate.append(Span(a, b))   # a heading or photo caption between paragraphs
            continue
        layout.prose_lines.append((a, b))
    return layout


def _credit(m: _Markers, text: str) -> re.Match[str] | None:
    if not any(word in text for word in m.credit_words):
        return None
    return m.credit.search(text)


def _with_url(article: Article, url: str | None) -> Article:
    return Article(article.id, article.text, article.source, article.fmt, url, article.title, article.published)


def _is_furniture(line: str, folded: str, m: _Markers, is_last: bool) -> bool:
    stripped = line.strip()
    if folded in m.line_exact or _URL_LINE.match(stripped):
        return True
    if any(stripped.startswith(p) for p in m.line_prefix) or m.line_pattern.search(stripped):
        return True
    if stripped.startswith("[") and stripped.endswith("]"):
        return True                                  # an inline related-news link
    if _credit(m, line) and len(_WORD.findall(line)) < 40:
        return True                                  # a captioned photo
    if _GLUED_HEADLINES.search(line) and not _TERMINAL.search(line):
        return True                                  # related headlines run together
    if is_last and len(_WORD.findall(line)) <= 8 and not _TERMINAL.search(line.rstrip(")")):
        return True                                  # a byline ("Vũ Khuyên/VOV", "Thanh Thùy (T/h)")
    return bool(is_last and re.match(r"^\(?\s*(theo|nguồn)\b", stripped, re.IGNORECASE))


def _looks_like_heading(line: str) -> bool:
    words = _WORD.findall(line)
    return 5 <= len(words) <= 40 and not line.rstrip().endswith((".", "|"))


def _prose_sentences(text: str, a: int, b: int, m: _Markers) -> Iterator[tuple[int, int, str]]:
    """Split a prose line into sentences, telling captions and credits apart."""
    parts = list(split_paragraph(text, a, b))
    for k, (s, e, glued) in enumerate(parts):
        sentence = text[s:e]
        credit = _credit(m, sentence)
        if any(sentence.startswith(c) for c in m.caption_start):
            yield s, e, "caption"
            continue
        if glued and k == 0 and len(parts) > 1:
            yield s, e, "caption"                    # "Ngoại trưởng Hoa Kỳ Anthony Blinken.Ngoại trưởng ..."
            continue
        nxt = text[e:parts[k + 1][1]] if k + 1 < len(parts) else ""
        if not credit and _credit(m, nxt) and m.credit.match(nxt.strip()):
            yield s, e, "caption"                    # the sentence a "(Ảnh: ...)" credit belongs to
            continue
        if credit:
            if credit.start() > 2:
                yield s, s + credit.start(), "prose"
            yield s + credit.start(), s + credit.end(), "credit"
            if credit.end() < len(sentence) and sentence[credit.end():].strip():
                rest = s + credit.end()
                while rest < e and text[rest].isspace():
                    rest += 1
                yield rest, e, "prose"
            continue
        yield s, e, "prose"


def _published(marker: str | None, datelines: list[tuple[str, bool]], url: str | None,
               given: str | None) -> tuple[str | None, str | None]:
    """The publication date, by the first step of this cascade that knows it."""
    from_url = date_from_url(url) if url else None
    after_title = [d for d, after in datelines if after]
    cascade = [
        ("container", _iso(given)),                    # HTML meta / JSONL field: stated by the publisher
        ("marker", marker),                            # the " date YYYY-MM" line of our corpora
        ("dateline", after_title[0] if after_title else None),   # the article's own dateline
        ("url", from_url),                             # /2017/11/14/ in the address
        ("dateline", datelines[0][0] if datelines else None),    # a page date above the title
    ]
    for source, value in cascade:
        if value:
            # a more precise date elsewhere that agrees (URL day inside the marker month) refines it
            for _, other in cascade:
                if other and len(other) > len(value) and other.startswith(value):
                    value = other
            return value, source
    return None, None


@lru_cache(maxsize=1)
def _month_words() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int]]:
    data = numerals()
    months = {k.lower(): v for k, v in data["months"].items()} | dict(data["english_months"])
    english = "|".join(sorted(data["english_months"], key=len, reverse=True))
    vietnamese = "|".join(sorted((k.lower() for k in data["months"]), key=len, reverse=True))
    return (re.compile(rf"\b({english})\s+(\d{{1,2}}),?\s+((?:19|20)\d\d)\b", re.IGNORECASE),
            re.compile(rf"\b(\d{{1,2}})\s+tháng\s+({vietnamese}|\d{{1,2}})\s*,?\s*(?:năm\s+)?((?:19|20)\d\d)\b",
                       re.IGNORECASE), months)


def _word_dateline(line: str) -> str | None:
    """A dateline with the month in words: "November 12, 2022", "Thứ năm, 22 Tháng mười một 2007"."""
    english, vietnamese, months = _month_words()
    m = english.search(line)
    if m:
        month, day, year = months[m.group(1).lower()], int(m.group(2)), int(m.group(3))
    else:
        m = vietnamese.search(line)
        if not m:
            return None
        word = m.group(2).lower()
        month = int(word) if word.isdigit() else months.get(word, 0)
        day, year = int(m.group(1)), int(m.group(3))
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


_ISO_PREFIX = re.compile(r"^\s*((?:19|20)\d\d)(?:-(\d\d)(?:-(\d\d))?)?(?![\d])")


def _iso(value: str | None) -> str | None:
    """A container's date as ISO ("2023-09-06T10:00+07:00" -> "2023-09-06"), or None if unreadable."""
    if not value:
        return None
    m = _ISO_PREFIX.match(value)
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
        try:
            if day:
                return date(int(year), int(month), int(day)).isoformat()
            if month and 1 <= int(month) <= 12:
                return f"{year}-{month}"
            return year if not month else None
        except ValueError:
            return None
    return parse_dateline(value)                       # "14/11/2020", "Thứ Sáu, 14:21 | 11/10/2024"


def _machine_translated(text: str, prose: str, m: _Markers) -> bool:
    """Signs of a machine translation add up: English words left in the prose, and traces of
    English word order or layout (boilerplate.toml); two signs make the flag."""
    words = re.findall(r"(?<![^\W\d_])[A-Za-z]+(?![^\W\d_])", prose)     # whole ASCII words only
    english = sum(1 for w in words if w in m.mt_words)
    traces = sum(1 for pattern in m.mt_traces if pattern.search(text))
    return min(english, 2) + traces >= 2 or english >= 3
