"""The store: where articles, sentences and facts are kept.

``open_store`` picks the backend from a path or URL; everything else talks to the ``Store``
interface (``quanhe.store.base``). SQL lives only in this package.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from quanhe.errors import StoreError, UsageError
from quanhe.model import Rejected
from quanhe.store.base import CanonicalFilter, FactFilter, IngestReport, SentenceHit, Store

if TYPE_CHECKING:
    from quanhe.pipeline import Processed

__all__ = ["CanonicalFilter", "FactFilter", "IngestReport", "SentenceHit", "Store", "ingest_all", "open_store"]


def open_store(url_or_path: str | Path, *, create: bool = True, readonly: bool = False) -> Store:
    """Open (and migrate) a store: a file path, ``sqlite:///path`` or ``:memory:``.

    With ``create=False`` a missing SQLite file is a ``StoreError`` instead of a new empty store.
    ``readonly`` opens a reader that never writes (and may be shared by threads); it needs an
    existing, migrated store.
    """
    target = str(url_or_path)
    if target.startswith("sqlite://"):
        target = target.removeprefix("sqlite://")
        target = target.removeprefix("/")   # sqlite:///rel.db, sqlite:////abs/path.db
        if not target:
            raise StoreError("sqlite URL without a path: write sqlite:///quanhe.db")
    elif "://" in target:
        scheme = target.split("://", 1)[0]
        raise StoreError(f"no store backend for {scheme}:// yet; use a file path or sqlite:///path")
    from quanhe.store.sqlite import SQLiteStore

    return SQLiteStore(target, create=create, readonly=readonly)


def ingest_all(
    store: Store,
    items: Iterable[Processed | Rejected],
    *,
    batch_size: int = 100,
    on_rejected: Callable[[Rejected], None] | None = None,
    on_stored: Callable[[IngestReport], None] | None = None,
) -> IngestReport:
    """Store a stream of pipeline results in batches of ``batch_size`` articles.

    Rejected items are counted as failed and passed to ``on_rejected``; ``on_stored`` gets each
    committed batch's report. A ``StoreError`` stops the run; earlier batches stay stored.
    """
    if batch_size < 1:
        raise UsageError("batch size must be at least 1")
    report = IngestReport()
    batch: list[Processed] = []

    def flush() -> None:
        nonlocal report, batch
        stored = store.ingest(batch)
        report += stored
        batch = []
        if on_stored is not None:
            on_stored(stored)

    for item in items:
        if isinstance(item, Rejected):
            report += IngestReport(failed=1)
            if on_rejected is not None:
                on_rejected(item)
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return report
