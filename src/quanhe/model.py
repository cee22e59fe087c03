"""Plain data passed between the pipeline stages.

read -> Article; clean -> Document (prose segments, metadata); language -> Sentence;
extract -> Fact; store keeps Facts as their contract records (spec/RECORDS.md).
Every offset is a Python ``str`` index into ``Article.text``, the text exactly as read.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

FactType = Literal["meeting", "partnership", "document", "indicator", "person"]


@dataclass(frozen=True, slots=True)
class Article:
    """One input document as read, before any cleaning."""

    id: str                   # file name without extension, or "<file>:<line>" for JSONL rows
    text: str                 # decoded text exactly as read: every offset points here
    source: str               # where it came from (path, "path:line" or "<stdin>")
    fmt: Literal["txt", "html", "jsonl"] = "txt"
    url: str | None = None    # from the first line, HTML meta or the JSONL field
    title: str | None = None  # given by the container (HTML, JSONL); .txt titles are found by clean
    published: str | None = None  # ISO date given by the container

    @property
    def key(self) -> str:
        """Hash of the text exactly as read: offsets index this text, so any change is a new version."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that could not be turned into an Article (or a later stage gave up on it)."""

    source: str               # path, optionally "path:line"
    stage: str                # "read", "clean", "extract", "store"
    reason: str               # one line a person can act on

    def message(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of prose; ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str
    index: int = 0            # position among the article's prose sentences


@dataclass(frozen=True, slots=True)
class Evidence:
    start: int
    end: int
    text: str

    def to_record(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Document:
    """An article after cleaning: metadata found, boilerplate separated from prose."""

    article: Article
    title: str | None
    published: str | None              # ISO date (as precise as known) or None
    published_source: str | None       # which cascade step found it ("dateline", "url", ...)
    machine_translated: bool
    body_start: int                    # offset where the prose may begin (after URL and title lines)
    boilerplate: tuple[Span, ...]      # spans that are not prose
    sentences: tuple[Sentence, ...]    # prose sentences, in order

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def text(self) -> str:
        return self.article.text


@dataclass(frozen=True)
class Fact:
    """One extracted fact in the record contract's terms.

    ``attributes`` holds the type-specific fields (mechanism, ordinal, level, kind, value, ...)
    exactly as named in spec/RECORDS.md.
    """

    type: FactType
    article: str
    partners: tuple[str, ...]
    date: str | None
    evidence: tuple[Evidence, ...]
    confidence: float
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"type": self.type, "article": self.article}
        if self.type != "person":
            record["partners"] = sorted(self.partners)
            record["date"] = self.date
        record.update(self.attributes)
        record["evidence"] = [e.to_record() for e in self.evidence]
        record["confidence"] = round(self.confidence, 3)
        return record


def article_record(doc: Document) -> dict[str, Any]:
    """The contract's one ``article`` line."""
    return {
        "type": "article",
        "article": doc.id,
        "url": doc.article.url,
        "title": doc.title,
        "published": doc.published,
        "published_source": doc.published_source,
        "machine_translated": doc.machine_translated,
        "boilerplate": [{"start": s.start, "end": s.end} for s in doc.boilerplate],
        "source": doc.article.source,
        "key": doc.article.key,
    }
