"""The stages composed: Article -> Document -> Facts -> contract records.

The CLI, the batch runner and the server only call these functions; no stage reaches into another.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from quanhe import __version__
from quanhe.clean import clean
from quanhe.extract import extract
from quanhe.fuse import block_of
from quanhe.model import Article, Document, Fact, Rejected, article_record

# Data files read after extraction (fusion rules, display names): editing them re-fuses or
# re-renders, it does not need the articles extracted again.
NOT_EXTRACTION_DATA = frozenset({"fusion.toml", "display.toml"})


@lru_cache(maxsize=1)
def extractor_id() -> str:
    """Names this extractor: the package version plus its vocabularies, so editing either counts."""
    digest = hashlib.sha256(__version__.encode())
    for entry in sorted(resources.files("quanhe.data").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.name not in NOT_EXTRACTION_DATA:
            digest.update(entry.name.encode() + entry.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


@dataclass(frozen=True)
class Processed:
    document: Document
    facts: tuple[Fact, ...]
    extractor: str = field(default_factory=extractor_id)

    def fact_rows(self) -> list[tuple[Fact, dict[str, Any], str]]:
        """Each fact with its contract record and its fusion block (quanhe.fuse.block_of), in
        order: what the store writes, each record built once."""
        rows = []
        for fact in self.facts:
            record = fact.to_record()
            rows.append((fact, record, block_of(record)))
        return rows

    def records(self) -> list[dict[str, Any]]:
        """The article line first, then one line per fact (spec/RECORDS.md)."""
        return [article_record(self.document)] + [f.to_record() for f in self.facts]


def process(article: Article) -> Processed:
    document = clean(article)
    return Processed(document, tuple(extract(document)))


def process_all(items: Iterable[Article | Rejected]) -> Iterator[Processed | Rejected]:
    """Process a stream of read results; a failure in one article is a Rejected, not a crash.

    An article's id is its file name: two different files with one name in a run would overwrite
    each other in the store, so the second is rejected with a way out.
    """
    seen: dict[str, Article] = {}
    for item in items:
        if isinstance(item, Rejected):
            yield item
            continue
        first = seen.setdefault(item.id, item)
        if first is not item and first.key != item.key:
            yield Rejected(item.source, "read", f"same article id {item.id!r} as {first.source}: ids come "
                                                "from file names, so rename one of the two files")
            continue
        try:
            yield process(item)
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
            yield Rejected(item.source, "extract", f"internal error while extracting: {exc!r}")
