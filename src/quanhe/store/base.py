"""The store interface: what every backend (SQLite now, PostgreSQL later) implements.

The interface speaks in contract records (plain dicts, spec/RECORDS.md) and small frozen
dataclasses; SQL never leaves the backend module. A store has one writer: the process that
calls ``ingest``. Workers compute ``Processed`` values; the driver hands them to ``ingest``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from quanhe.fuse import CanonicalFact, Mention
    from quanhe.pipeline import Processed


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingest did, per article. ``failed`` counts inputs rejected before the store."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0

    def __add__(self, other: IngestReport) -> IngestReport:
        return IngestReport(self.added + other.added, self.replaced + other.replaced,
                            self.unchanged + other.unchanged, self.failed + other.failed)

    def summary(self) -> str:
        return (f"{self.added} added, {self.replaced} replaced, "
                f"{self.unchanged} unchanged, {self.failed} failed")


@dataclass(frozen=True, slots=True)
class FactFilter:
    """A validated fact query (build it with ``quanhe.query.facts``).

    ``since``/``until`` are ISO dates of any precision; a fact is in range when its date, cut to
    the bound's precision, lies within the bounds. Facts without a date are out of any range.
    """

    partner: str | None = None
    type: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class CanonicalFilter:
    """A validated query over canonical (fused) facts; build it with ``quanhe.kb``.

    ``blocks`` limits to those fusion blocks (one series); ``since``/``until`` as in
    ``FactFilter``, and then undated facts are left out; otherwise they come last.
    """

    partner: str | None = None
    types: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    conflicts_only: bool = False
    limit: int | None = None
    offset: int = 0


@dataclass(frozen=True, slots=True)
class SentenceHit:
    """A stored sentence that matched a search, best first."""

    article: str
    idx: int
    start: int
    end: int
    text: str
    rank: float


class Store(ABC):
    """A place that keeps articles, their sentences and their facts."""

    @abstractmethod
    def ingest(self, batch: Sequence[Processed]) -> IngestReport:
        """Store a batch in one transaction; all or nothing.

        Same id and key as stored: unchanged. Same id, new key: the article's extracted facts and
        sentences are replaced. New id: added. On error nothing of the batch is kept and
        ``StoreError`` is raised.
        """

    @abstractmethod
    def facts(self, where: FactFilter | None = None) -> Iterator[dict[str, Any]]:
        """Fact records matching ``where`` (None: all), by article id then extraction order."""

    @abstractmethod
    def search(self, terms: Sequence[str], limit: int = 20) -> list[SentenceHit]:
        """Sentences containing every folded term (``quanhe.normalize.fold``), best first.

        A term ending in ``*`` matches as a prefix.
        """

    @abstractmethod
    def records(self) -> Iterator[dict[str, Any]]:
        """Every article record followed by its fact records, by article id (the export order)."""

    @abstractmethod
    def article_text(self, article_id: str) -> str | None:
        """The article's text exactly as read, or None when it is not stored."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Rows per kind of thing stored: articles, facts, sentences."""

    # -- the knowledge base: facts fused across articles ------------------------------------------

    @abstractmethod
    def dirty_blocks(self, limit: int | None = None) -> list[str]:
        """Fusion blocks whose facts changed since they were last fused."""

    @abstractmethod
    def fused_with(self) -> str | None:
        """The id of the fusion rules the canonical facts were made with (None: never fused)."""

    @abstractmethod
    def reset_fusion(self, block_of: Callable[[dict[str, Any]], str], fuser: str, *,
                     every_fact: bool) -> None:
        """Start fusion over with the rules named ``fuser``: recompute each fact's block with
        ``block_of`` (every fact's, or only those stored without one), drop every canonical fact
        and mark every block dirty; one transaction."""

    @abstractmethod
    def mentions(self, blocks: Sequence[str]) -> dict[str, list[Mention]]:
        """Every stored fact of each block, with its row id and its article's publication date."""

    @abstractmethod
    def fuse_dirty(self, fuse_block: Callable[[list[Mention]], list[CanonicalFact]],
                   limit: int) -> list[str]:
        """Fuse up to ``limit`` dirty blocks with ``fuse_block`` and store the result, reading and
        writing in one transaction (a concurrent ingest can't slip between); returns the blocks
        fused, none when nothing is dirty."""

    @abstractmethod
    def canonical(self, where: CanonicalFilter) -> Iterator[dict[str, Any]]:
        """Canonical fact records matching ``where``, by date (undated last), then id."""

    @abstractmethod
    def canonical_count(self, where: CanonicalFilter) -> int:
        """How many canonical facts match ``where`` (limit and offset ignored)."""

    @abstractmethod
    def canonical_fact(self, fact_id: str) -> dict[str, Any] | None:
        """One canonical fact record by its id."""

    @abstractmethod
    def supporting(self, fact_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Stored fact records by row id, each with ``_article``: the article's url, title and
        publication date."""

    @abstractmethod
    def partners(self) -> list[tuple[str, int]]:
        """Every partner code with its number of canonical facts, most first."""

    @abstractmethod
    def articles(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Article records by id, each with ``facts``: its number of stored facts."""

    @abstractmethod
    def article(self, article_id: str) -> dict[str, Any] | None:
        """One article record with ``facts``, its number of stored facts, and ``canonical``, the
        ids of the fused facts it supports; None when not stored."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection; the store is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
