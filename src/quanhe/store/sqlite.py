"""The SQLite backend: one file in WAL mode, one writer connection, FTS5 over sentences."""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from quanhe.errors import StoreError
from quanhe.fuse import CanonicalFact, Mention
from quanhe.model import article_record
from quanhe.normalize import fold
from quanhe.store import migrations
from quanhe.store.base import CanonicalFilter, FactFilter, IngestReport, SentenceHit, Store

if TYPE_CHECKING:
    from quanhe.pipeline import Processed

Outcome = Literal["added", "replaced", "unchanged"]

# A search term in more sentences than this is common: see ``search``.
COMMON_TERM = 250
_TOKEN = re.compile(r"[^\W_]+")   # a token as FTS5's unicode61 tokenizer cuts it
BM25_K1, BM25_B = 1.2, 0.75       # FTS5's bm25 constants

UNDATED = "~"             # sort_date of an undated canonical fact: after every ISO date
EXTRACTED = "extracted"   # facts.origin of the extractor's rows; the only ones re-ingest replaces


class SQLiteStore(Store):
    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False) -> None:
        """``readonly``: a reader's connection (servers, many threads); it never writes or
        migrates, and a store that needs migrating is a ``StoreError``."""
        self.path = str(path)
        memory = self.path == ":memory:"
        if not memory and (readonly or not create) and not Path(self.path).exists():
            raise StoreError(f"no store at {self.path}: run `quanhe ingest` first or pass --db")
        try:
            if readonly:
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, isolation_level=None,
                                             check_same_thread=False)
                self._conn.execute("PRAGMA busy_timeout = 5000")
                pending = [name for name, _ in migrations.MIGRATIONS
                           if name not in migrations.applied_readonly(self._conn)]
                if pending:
                    self._conn.close()
                    raise StoreError(f"the store {self.path} needs migrating ({', '.join(pending)}): "
                                     "run `quanhe ingest` on it once")
                self.migrated: list[str] = []
                return
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
        rows = processed.fact_rows()
        for seq, (fact, record, block) in enumerate(rows):
            partners = sorted({p.upper() for p in fact.partners})
            cur = self._conn.execute(
                "INSERT INTO facts (article_id, seq, type, partners, date, record, origin, block)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.id, seq, fact.type, _dumps(partners), fact.date, _dumps(record), EXTRACTED, block))
            self._conn.executemany("INSERT INTO fact_partners (fact_id, partner) VALUES (?, ?)",
                                   [(cur.lastrowid, p) for p in partners])
        self._conn.executemany("INSERT OR IGNORE INTO kb_dirty (block) VALUES (?)",
                               [(b,) for b in {block for _, _, block in rows}])
        self._conn.executemany(
            'INSERT INTO sentences (article_id, idx, start, "end", text, folded)'
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(doc.id, i, s.start, s.end, s.text, fold(s.text)) for i, s in enumerate(doc.sentences)])
        return "added" if row is None else "replaced"

    def _forget_derived(self, article_id: str) -> None:
        """Drop what the pipeline derived from an article; curated facts stay."""
        self._conn.execute(
            "INSERT OR IGNORE INTO kb_dirty (block) SELECT DISTINCT block FROM facts"
            " WHERE article_id = ? AND origin = ? AND block IS NOT NULL", (article_id, EXTRACTED))
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
        # each term's words and whether its last word is a prefix; a term with spaces is a phrase
        words = [(ws, t.endswith("*")) for t in terms if (ws := t.rstrip("*").split())]
        if not words:
            return []
        match = "folded : (" + " ".join(_phrase(ws, prefix) for ws, prefix in words) + ")"
        # word by word: a phrase of common words is costly to match even when it is rare itself
        probes = [_phrase([w], prefix and i == len(ws) - 1) for ws, prefix in words for i, w in enumerate(ws)]
        if not any(self._more_matches_than(f"folded : {p}", COMMON_TERM) for p in probes):
            rows = self._read(
                'SELECT s.article_id, s.idx, s.start, s."end", s.text, bm25(sentences_fts) AS rank'
                " FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid"
                " WHERE sentences_fts MATCH ? ORDER BY rank, s.article_id, s.idx LIMIT ?",
                (match, limit))
            return [SentenceHit(*row) for row in rows]
        # A common word: FTS5's bm25 would first read its whole doclist to count the sentences
        # holding it (its idf: ~30 ms per million sentences for "asean"), then score every
        # match. Instead rank only the COMMON_TERM matches ingested last (the newest news), with
        # the same bm25 formula in Python minus the idf, which weighs every candidate alike
        # since each holds every term. Trade-off: a better, older match is not seen; a
        # narrower query reaches it.
        found = list(self._read(
            'SELECT s.article_id, s.idx, s.start, s."end", s.text, s.folded FROM'
            " (SELECT rowid AS id FROM sentences_fts WHERE sentences_fts MATCH ?"
            " ORDER BY rowid DESC LIMIT ?) m"
            " JOIN sentences s ON s.id = m.id", (match, COMMON_TERM)))
        tokens = [_TOKEN.findall(row[5]) for row in found]
        avg = sum(map(len, tokens)) / len(tokens) if tokens else 1.0
        hits = [SentenceHit(a, idx, start, end, text, _bm25_without_idf(toks, words, avg))
                for (a, idx, start, end, text, _), toks in zip(found, tokens, strict=True)]
        hits.sort(key=lambda h: (h.rank, h.article, h.idx))
        return hits[:limit]

    def _more_matches_than(self, match: str, n: int) -> bool:
        """Whether more than ``n`` sentences match; reads at most ``n + 1`` of them."""
        sql = "SELECT count(*) FROM (SELECT 1 FROM sentences_fts WHERE sentences_fts MATCH ? LIMIT ?)"
        return int(next(iter(self._read(sql, (match, n + 1))))[0]) > n

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
                for table in ("articles", "facts", "fact_partners", "sentences", "canonical")}

    # -- knowledge base --------------------------------------------------------------------------

    def dirty_blocks(self, limit: int | None = None) -> list[str]:
        rows = self._read("SELECT block FROM kb_dirty ORDER BY block LIMIT ?",
                          (-1 if limit is None else limit,))
        return [block for (block,) in rows]

    def fused_with(self) -> str | None:
        row = next(iter(self._read("SELECT value FROM kb_state WHERE name = 'fuser'", ())), None)
        return None if row is None else str(row[0])

    def reset_fusion(self, block_of: Callable[[dict[str, Any]], str], fuser: str, *,
                     every_fact: bool) -> None:
        self._write("cannot reset the fused facts", lambda: self._reset_fusion(block_of, fuser, every_fact))

    def _reset_fusion(self, block_of: Callable[[dict[str, Any]], str], fuser: str, every_fact: bool) -> None:
        rows = self._conn.execute(
            "SELECT id, record FROM facts" + ("" if every_fact else " WHERE block IS NULL")).fetchall()
        self._conn.executemany("UPDATE facts SET block = ? WHERE id = ?",
                               [(block_of(json.loads(record)), fact_id) for fact_id, record in rows])
        self._conn.execute("DELETE FROM canonical")
        self._conn.execute("DELETE FROM kb_dirty")
        self._conn.execute("INSERT INTO kb_dirty (block) SELECT DISTINCT block FROM facts")
        self._conn.execute("INSERT OR REPLACE INTO kb_state (name, value) VALUES ('fuser', ?)", (fuser,))

    def fuse_dirty(self, fuse_block: Callable[[list[Mention]], list[CanonicalFact]],
                   limit: int) -> list[str]:
        done: list[str] = []

        def run() -> None:
            blocks = [b for (b,) in self._conn.execute(
                "SELECT block FROM kb_dirty ORDER BY block LIMIT ?", (limit,))]
            mentions = self.mentions(blocks)
            for block in blocks:
                self._conn.execute("DELETE FROM canonical WHERE block = ?", (block,))
                for fact in fuse_block(mentions[block]):
                    self._put_canonical(fact)
                self._conn.execute("DELETE FROM kb_dirty WHERE block = ?", (block,))
            done.extend(blocks)

        self._write("fused facts not stored (rolled back)", run)
        return done

    def _write(self, what: str, work: Callable[[], None]) -> None:
        """``work`` in one write transaction: reads inside it see no half-done ingest, and an
        ingest that starts meanwhile waits for it."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                work()
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"{what}: {exc}") from exc

    def mentions(self, blocks: Sequence[str]) -> dict[str, list[Mention]]:
        out: dict[str, list[Mention]] = {b: [] for b in blocks}
        for block, fact_id, record, published in self._facts_with_articles(
                "f.block", blocks, "f.block, f.id, f.record, a.published", "f.article_id, f.seq"):
            out[block].append(Mention(fact_id, json.loads(record), published))
        return out

    def _facts_with_articles(self, column: str, values: Sequence[Any], columns: str,
                             order: str) -> Iterator[tuple[Any, ...]]:
        """Rows of stored facts joined to their articles, ``column`` among ``values``, read in
        chunks (SQLite caps the parameters of one statement); ``order`` holds within a chunk."""
        for chunk in _chunks(list(values), 500):
            marks = ",".join("?" * len(chunk))
            yield from self._read(f"SELECT {columns} FROM facts f JOIN articles a ON a.id = f.article_id"
                                  f" WHERE {column} IN ({marks}) ORDER BY {order}", chunk)

    def _put_canonical(self, fact: CanonicalFact) -> None:
        sort_date = fact.date or UNDATED
        self._conn.execute(
            "INSERT INTO canonical (id, key, block, type, sort_date, sources, conflicts, record)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (fact.id, fact.key, fact.block, fact.type, sort_date, len(fact.articles),
             len(fact.conflicts), _dumps(fact.to_record())))
        self._conn.executemany(
            "INSERT INTO canonical_partners (partner, sort_date, type, canonical_id) VALUES (?, ?, ?, ?)",
            [(p, sort_date, fact.type, fact.id) for p in fact.partners])
        self._conn.executemany(
            "INSERT INTO canonical_support (canonical_id, fact_id, article_id) VALUES (?, ?, ?)",
            [(fact.id, m.fact_id, m.article) for m in fact.support])

    def canonical(self, where: CanonicalFilter) -> Iterator[dict[str, Any]]:
        sql, params = self._canonical_sql(where, "c.record")
        sql += " ORDER BY sort_date, c.id LIMIT :limit OFFSET :offset"
        params.update(limit=-1 if where.limit is None else where.limit, offset=where.offset)
        for record, _ in self._read(sql, params):
            yield json.loads(record)

    def canonical_count(self, where: CanonicalFilter) -> int:
        sql, params = self._canonical_sql(where, "c.id")
        return int(next(iter(self._read(f"SELECT count(*) FROM ({sql})", params)))[0])

    def _canonical_sql(self, where: CanonicalFilter, columns: str) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {}
        conditions = []
        if where.partner is not None:
            # the timeline index: partner, then date, so a page is a range scan
            sql = (f"SELECT {columns}, p.sort_date AS sort_date FROM canonical_partners p"
                   " JOIN canonical c ON c.id = p.canonical_id")
            date_col, type_col = "p.sort_date", "p.type"
            conditions.append("p.partner = :partner")
            params["partner"] = where.partner
        else:
            sql = f"SELECT {columns}, c.sort_date AS sort_date FROM canonical c"
            date_col, type_col = "c.sort_date", "c.type"
        if where.types:
            conditions.append(f"{type_col} IN ({','.join(f':t{i}' for i in range(len(where.types)))})")
            params.update({f"t{i}": t for i, t in enumerate(where.types)})
        if where.blocks:
            conditions.append(f"c.block IN ({','.join(f':b{i}' for i in range(len(where.blocks)))})")
            params.update({f"b{i}": b for i, b in enumerate(where.blocks)})
        if where.since is not None or where.until is not None:
            conditions.append(f"{date_col} <> '{UNDATED}'")
        if where.since is not None:
            conditions.append(f"{date_col} >= :since")
            params["since"] = where.since
        if where.until is not None:
            conditions.append(f"{date_col} <= :until")
            params["until"] = where.until + UNDATED   # 2020 keeps 2020-12-31, not 2021
        if where.conflicts_only:
            conditions.append("c.conflicts > 0")
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        return sql, params

    def canonical_fact(self, fact_id: str) -> dict[str, Any] | None:
        row = next(iter(self._read("SELECT record FROM canonical WHERE id = ?", (fact_id,))), None)
        return None if row is None else dict(json.loads(row[0]))

    def supporting(self, fact_ids: Sequence[int]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for record, url, title, published in self._facts_with_articles(
                "f.id", fact_ids, "f.record, a.url, a.title, a.published",
                "a.published, f.article_id, f.seq"):
            fact = json.loads(record)
            fact["_article"] = {"url": url, "title": title, "published": published}
            out.append(fact)
        return out

    def partners(self) -> list[tuple[str, int]]:
        rows = self._read("SELECT partner, count(*) AS n FROM canonical_partners"
                          " GROUP BY partner ORDER BY n DESC, partner", ())
        return [(p, int(n)) for p, n in rows]

    def articles(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT a.record, (SELECT count(*) FROM facts f WHERE f.article_id = a.id)"
            " FROM articles a ORDER BY a.id LIMIT ? OFFSET ?",
            (-1 if limit is None else limit, offset))
        out = []
        for record, n in rows:
            article = json.loads(record)
            article["facts"] = n
            out.append(article)
        return out

    def article(self, article_id: str) -> dict[str, Any] | None:
        row = next(iter(self._read(
            "SELECT a.record, (SELECT count(*) FROM facts f WHERE f.article_id = a.id)"
            " FROM articles a WHERE a.id = ?", (article_id,))), None)
        if row is None:
            return None
        record = dict(json.loads(row[0]))
        record["facts"] = row[1]
        record["canonical"] = [cid for (cid,) in self._read(
            "SELECT DISTINCT canonical_id FROM canonical_support WHERE article_id = ? ORDER BY canonical_id",
            (article_id,))]
        return record

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


def _phrase(words: list[str], prefix: bool) -> str:
    """An FTS5 phrase of folded words, its last word a prefix when ``prefix``."""
    return '"' + " ".join(words).replace('"', '""') + '"' + ("*" if prefix else "")


def _bm25_without_idf(tokens: list[str], terms: list[tuple[list[str], bool]], avg_tokens: float) -> float:
    """bm25 as FTS5 computes it (lower is better) with every term weighed alike: ``terms`` are the
    folded words of each term and whether its last word is a prefix."""
    norm = BM25_K1 * (1 - BM25_B + BM25_B * len(tokens) / (avg_tokens or 1.0))
    score = 0.0
    for words, prefix in terms:
        n = len(words)
        if n == 1 and not prefix:
            tf = tokens.count(words[0])
        else:
            tf = sum(1 for i in range(len(tokens) - n + 1)
                     if tokens[i:i + n - 1] == words[:-1] and (
                         tokens[i + n - 1].startswith(words[-1]) if prefix else tokens[i + n - 1] == words[-1]))
        score -= tf * (BM25_K1 + 1) / (tf + norm)
    return score


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
