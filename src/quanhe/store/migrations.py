"""Named, recorded schema migrations for the SQLite store.

Each migration is a function that takes a connection and runs its DDL. ``apply`` runs, in order,
every migration whose name is not yet in the ``migrations`` table, each in its own transaction
together with the row that records it, so applying is idempotent and a half-applied migration
never happens. Never edit or rename a migration that has shipped: add a new one.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

Migration = Callable[[sqlite3.Connection], None]

# The tokenizer every FTS table uses: remove_diacritics 2 folds vowels with two marks
# (Việt, Quốc); the folded column covers đ, which unicode61 never folds (notes/libraries.md).
FTS_TOKENIZE = "unicode61 remove_diacritics 2"


def m0001_initial(conn: sqlite3.Connection) -> None:
    conn.execute("""
        CREATE TABLE articles (
            id                 TEXT PRIMARY KEY,
            key                TEXT NOT NULL,
            source             TEXT NOT NULL,
            url                TEXT,
            title              TEXT,
            published          TEXT,
            machine_translated INTEGER NOT NULL DEFAULT 0,
            fmt                TEXT NOT NULL,
            text               TEXT NOT NULL,
            record             TEXT NOT NULL,
            ingested_at        TEXT NOT NULL
        )""")
    # origin: 'extracted' rows belong to the extractor and are replaced on re-ingest;
    # curated rows (a later origin) are left alone.
    conn.execute("""
        CREATE TABLE facts (
            id         INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq        INTEGER NOT NULL,
            type       TEXT NOT NULL,
            partners   TEXT NOT NULL,
            date       TEXT,
            record     TEXT NOT NULL,
            origin     TEXT NOT NULL DEFAULT 'extracted',
            UNIQUE (article_id, origin, seq)
        )""")
    conn.execute("CREATE INDEX facts_type_date ON facts (type, date)")
    conn.execute("""
        CREATE TABLE fact_partners (
            fact_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
            partner TEXT NOT NULL,
            PRIMARY KEY (partner, fact_id)
        ) WITHOUT ROWID""")
    conn.execute("CREATE INDEX fact_partners_fact ON fact_partners (fact_id)")
    conn.execute("""
        CREATE TABLE sentences (
            id         INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx        INTEGER NOT NULL,
            start      INTEGER NOT NULL,
            "end"      INTEGER NOT NULL,
            text       TEXT NOT NULL,
            folded     TEXT NOT NULL,
            UNIQUE (article_id, idx)
        )""")
    # External-content FTS over (text, folded), kept in step with sentences by triggers.
    conn.execute(f"""
        CREATE VIRTUAL TABLE sentences_fts USING fts5(
            text, folded, content='sentences', content_rowid='id', tokenize="{FTS_TOKENIZE}"
        )""")
    conn.execute("""
        CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
            INSERT INTO sentences_fts (rowid, text, folded) VALUES (new.id, new.text, new.folded);
        END""")
    conn.execute("""
        CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
            INSERT INTO sentences_fts (sentences_fts, rowid, text, folded)
            VALUES ('delete', old.id, old.text, old.folded);
        END""")


def m0002_extractor(conn: sqlite3.Connection) -> None:
    """Which extractor produced an article's facts, so a better one re-extracts on re-ingest."""
    conn.execute("ALTER TABLE articles ADD COLUMN extractor TEXT NOT NULL DEFAULT ''")


def m0003_knowledge_base(conn: sqlite3.Connection) -> None:
    """Canonical facts fused across articles (quanhe.fuse), kept per block and re-fused when dirty.

    ``facts.block`` says which block a fact belongs to; ``kb_dirty`` lists the blocks whose facts
    changed since they were last fused; ``canonical_partners`` is the timeline index (partner,
    then date; undated facts sort last as '~').
    """
    conn.execute("ALTER TABLE facts ADD COLUMN block TEXT")   # facts stored before: the first
    conn.execute("CREATE INDEX facts_block ON facts (block)")  # kb.refresh fills their blocks in
    conn.execute("""
        CREATE TABLE canonical (
            id        TEXT PRIMARY KEY,
            key       TEXT NOT NULL UNIQUE,
            block     TEXT NOT NULL,
            type      TEXT NOT NULL,
            sort_date TEXT NOT NULL,
            sources   INTEGER NOT NULL,
            conflicts INTEGER NOT NULL,
            record    TEXT NOT NULL
        )""")
    conn.execute("CREATE INDEX canonical_block ON canonical (block, sort_date)")
    conn.execute("CREATE INDEX canonical_type_date ON canonical (type, sort_date)")
    conn.execute("""
        CREATE TABLE canonical_partners (
            partner      TEXT NOT NULL,
            sort_date    TEXT NOT NULL,
            type         TEXT NOT NULL,
            canonical_id TEXT NOT NULL REFERENCES canonical(id) ON DELETE CASCADE,
            PRIMARY KEY (partner, sort_date, type, canonical_id)
        ) WITHOUT ROWID""")
    conn.execute("CREATE INDEX canonical_partners_id ON canonical_partners (canonical_id)")
    conn.execute("""
        CREATE TABLE canonical_support (
            canonical_id TEXT NOT NULL REFERENCES canonical(id) ON DELETE CASCADE,
            fact_id      INTEGER NOT NULL,
            article_id   TEXT NOT NULL,
            PRIMARY KEY (canonical_id, fact_id)
        ) WITHOUT ROWID""")
    conn.execute("CREATE INDEX canonical_support_article ON canonical_support (article_id)")
    conn.execute("CREATE TABLE kb_dirty (block TEXT PRIMARY KEY) WITHOUT ROWID")
    # which fusion rules made the canonical facts: new rules re-fuse every block
    conn.execute("CREATE TABLE kb_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


def m0004_fact_listing(conn: sqlite3.Connection) -> None:
    """Canonical facts listed by date with no partner named (``/api/facts``, ``conflicts``): a
    range scan instead of sorting the whole table."""
    conn.execute("CREATE INDEX canonical_date ON canonical (sort_date, id)")
    conn.execute("CREATE INDEX canonical_disputed ON canonical (sort_date, id) WHERE conflicts > 0")


# In order. Append only.
MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("0001_initial", m0001_initial),
    ("0002_extractor", m0002_extractor),
    ("0003_knowledge_base", m0003_knowledge_base),
    ("0004_fact_listing", m0004_fact_listing),
)


def applied(conn: sqlite3.Connection) -> dict[str, str]:
    """Name -> applied_at of every recorded migration."""
    _ensure_table(conn)
    return dict(conn.execute("SELECT name, applied_at FROM migrations ORDER BY name").fetchall())


def applied_readonly(conn: sqlite3.Connection) -> set[str]:
    """The recorded migration names, without creating anything (for read-only connections)."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone()
    if not has_table:
        return set()
    return {name for (name,) in conn.execute("SELECT name FROM migrations")}


def apply(conn: sqlite3.Connection) -> list[str]:
    """Apply the pending migrations; returns the names applied now (empty when up to date).

    ``conn`` must be in autocommit mode (``isolation_level=None``): each migration gets its own
    ``BEGIN IMMEDIATE ... COMMIT``, so two processes opening a new database don't both migrate.
    """
    _ensure_table(conn)
    done: list[str] = []
    for name, migration in MIGRATIONS:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")
                continue
            migration(conn)
            conn.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, _now()))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        done.append(name)
    return done


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
