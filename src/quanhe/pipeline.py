"""The stages composed: Article -> Document -> Facts -> contract records.

The CLI, the batch runner and the server only call these functions; no stage reaches into another.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from quanhe.clean import clean
from quanhe.extract import extract
from quanhe.model import Article, Document, Fact, Rejected, article_record


@dataclass(frozen=True)
class Processed:
    document: Document
    facts: tuple[Fact, ...]

    def records(self) -> list[dict[str, Any]]:
        """The article line first, then one line per fact (spec/RECORDS.md)."""
        return [article_record(self.document)] + [f.to_record() for f in self.facts]


def process(article: Article) -> Processed:
    document = clean(article)
    return Processed(document, tuple(extract(document)))


def process_all(items: Iterable[Article | Rejected]) -> Iterator[Processed | Rejected]:
    """Process a stream of read results; a failure in one article is a Rejected, not a crash."""
    for item in items:
        if isinstance(item, Rejected):
            yield item
            continue
        try:
            yield process(item)
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
            yield Rejected(item.source, "extract", f"internal error while extracting: {exc!r}")
