"""The SQLite backend: one file in WAL mode, one writer connection, FTS5 over sentences."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from quanhe.errors import StoreError
from quanhe.model import article_record
from quanhe.normalize import fold
from quanhe.store import migrations
from quanhe.store.base import FactFilter, IngestReport, SentenceHit, Store

if TYPE_CHECKING:
    from quanhe.pipeline import Processed

Outcome = Literal["added", "replaced", "unchanged"]

EXTRACTED = "extracted"   # facts.origin of the extractor's rows; the only ones re-ingest replaces


class SQLiteStore(Store):
    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = str(path)
        memory = self.path == ":memory:"
        if not memory and not create and not Path(self.path).exists():
            raise StoreError(f"no store at {self.path}: run `quanhe ingest` first or pass --db")
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None)
            if not memory:
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA busy_timeout = 5000")
            self.migrated = migrations.apply(self._conn)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc} "
                             "(is it an SQLite file, and is its folder writable?)") from exc

    # -- writing -----------------------------------------------------------------------------

    def ingest(self, batch: Sequence[Processed]) -> IngestReport:
        counts = {"added": 0, "replaced": 0, "unchanged": 0}
        now = datetime.now(UTC).isoformat(timespec="seconds")
        current = "?"
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for processed in batch:
                    current = processed.document.id
                    counts[self._put(processed, now)] += 1
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except (sqlite3.Error, TypeError, ValueError) as exc:
            raise StoreError(f"batch not stored (rolled back) at article {current}: {exc}") from exc
        return IngestReport(**counts)

    def _put(self, processed: Processed, now: str) -> Outcome:
        doc = processed.document
        article = doc.article
        row = self._conn.execute("SELECT key, extractor FROM articles WHERE id = ?", (doc.id,)).fetchone()
        if row is not None and row[0] == article.key and row[1] == processed.extractor:
            return "unchanged"
        values = {
            "id": doc.id, "key": article.key, "extractor": processed.extractor,
            "source": article.source, "url": article.url,
            "title": doc.title, "published": doc.published,
            "machine_translated": int(doc.machine_translated), "fmt": article.fmt,
            "text": article.text, "record": _dumps(article_record(doc)), "ingested_at": now,
        }
        if row is None:
            self._conn.execute(
                "INSERT INTO articles (id, key, extractor, source, url, title, published, machine_translated,"
                " fmt, text, record, ingested_at) VALUES (:id, :key, :extractor, :source, :url, :title,"
                " :published, :machine_translated, :fmt, :text, :record, :ingested_at)", values)
        else:
            self._forget_derived(doc.id)
            self._conn.execute(
                "UPDATE articles SET key = :key, extractor = :extractor, source = :source, url = :url,"
                " title = :title,"
                " published = :published, machine_translated = :machine_translated, fmt = :fmt,"
                " text = :text, record = :record, ingested_at = :ingested_at WHERE id = :id", values)
        for seq, fact in enumerate(processed.facts):
            partners = sorted({p.upper() for p in fact.partners})
            cur = self._conn.execute(
                "INSERT INTO facts (article_id, seq, type, partners, date, record, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc.id, seq, fact.type, _dumps(partners), fact.date, _dumps(fact.to_record()),
                 EXTRACTED))
            self._conn.executemany("INSERT INTO fact_partners (fact_id, partner) VALUES (?, ?)",
                                   [(cur.lastrowid, p) for p in partners])
        self._conn.executemany(
            'INSERT INTO sentences (article_id, idx, start, "end", text, folded)'
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(doc.id, i, s.start, s.end, s.text, fold(s.text)) for i, s in enumerate(doc.sentences)])
        return "added" if row is None else "replaced"

    def _forget_derived(self, article_id: str) -> None:
        """Drop what the pipeline derived from an article; curated facts stay."""
        self._conn.execute(
            "DELETE FROM fact_partners WHERE fact_id IN"
            " (SELECT id FROM facts WHERE article_id = ? AND origin = ?)", (article_id, EXTRACTED))
        self._conn.execute("DELETE FROM facts WHERE article_id = ? AND origin = ?",
                           (article_id, EXTRACTED))
        self._conn.execute("DELETE FROM sentences WHERE article_id = ?", (article_id,))

    # -- reading -----------------------------------------------------------------------------

    def facts(self, where: FactFilter | None = None) -> Iterator[dict[str, Any]]:
        where = where or FactFilter()
        sql = ["SELECT f.record FROM facts f"]
        params: dict[str, Any] = {"limit": -1 if where.limit is None else where.limit}
        if where.partner is not None:
            sql.append("JOIN fact_partners p ON p.fact_id = f.id AND p.partner = :partner")
            params["partner"] = where.partner
        conditions = []
        if where.type is not None:
            conditions.append("f.type = :type")
            params["type"] = where.type
        if where.since is not None:
            conditions.append("f.date >= :since")
            params["since"] = where.since
        if where.until is not None:
            conditions.append("substr(f.date, 1, length(:until)) <= :until")
            params["until"] = where.until
        if conditions:
            sql.append("WHERE " + " AND ".join(conditions))
        sql.append("ORDER BY f.article_id, f.origin, f.seq LIMIT :limit")
        for (record,) in self._read(" ".join(sql), params):
            yield json.loads(record)

    def search(self, terms: Sequence[str], limit: int = 20) -> list[SentenceHit]:
        if not terms:
            return []
        phrases = []
        for term in terms:
            prefix = term.endswith("*")
            word = term.rstrip("*").replace('"', '""')   # a term with spaces is an FTS5 phrase
            if word:
                phrases.append(f'"{word}"' + ("*" if prefix else ""))
        if not phrases:
            return []
        match = "folded : (" + " ".join(phrases) + ")"
        rows = self._read(
            'SELECT s.article_id, s.idx, s.start, s."end", s.text, bm25(sentences_fts) AS rank'
            " FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid"
            " WHERE sentences_fts MATCH ? ORDER BY rank, s.article_id, s.idx LIMIT ?",
            (match, limit))
        return [SentenceHit(*row) for row in rows]

    def records(self) -> Iterator[dict[str, Any]]:
        rows = self._read(
            "SELECT a.id, a.record, f.record FROM articles a"
            " LEFT JOIN facts f ON f.article_id = a.id ORDER BY a.id, f.origin, f.seq", ())
        last = None
        for article_id, article_json, fact_json in rows:
            if article_id != last:
                last = article_id
                yield json.loads(article_json)
            if fact_json is not None:
                yield json.loads(fact_json)

    def article_text(self, article_id: str) -> str | None:
        row = next(iter(self._read("SELECT text FROM articles WHERE id = ?", (article_id,))), None)
        return None if row is None else row[0]

    def counts(self) -> dict[str, int]:
        return {table: next(iter(self._read(f"SELECT count(*) FROM {table}", ())))[0]
                for table in ("articles", "facts", "fact_partners", "sentences")}

    def migrations(self) -> dict[str, str]:
        """Name -> applied_at of the migrations recorded in this file."""
        return migrations.applied(self._conn)

    def close(self) -> None:
        self._conn.close()

    def _read(self, sql: str, params: Any) -> Iterator[tuple[Any, ...]]:
        """Rows of a query, fetched lazily; sqlite errors become ``StoreError``."""
        try:
            cursor = self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the store {self.path}: {exc}") from exc
        return self._drain(cursor)

    def _drain(self, cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
        while True:
            try:
                rows = cursor.fetchmany(500)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the store {self.path}: {exc}") from exc
            if not rows:
                return
            yield from rows


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
