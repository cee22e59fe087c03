"""The SQLite store through its public interface: migrations, idempotent ingest, replacement,
rollback, FTS folding, fact filters, export round trip."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quanhe import export, query
from quanhe.errors import StoreError, UsageError
from quanhe.model import Article, Document, Evidence, Fact, Rejected, Sentence
from quanhe.pipeline import Processed
from quanhe.store import IngestReport, ingest_all, open_store
from quanhe.store.migrations import MIGRATIONS

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SEEDS = sorted((CORPUS / "seeds").glob("*.txt"))


def make(article_id: str, text: str, facts: list[Fact] | None = None) -> Processed:
    """A Processed built by hand: one sentence per non-empty line, no dependence on clean."""
    article = Article(article_id, text, f"{article_id}.txt")
    sentences, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            sentences.append(Sentence(pos, pos + len(line), line, len(sentences)))
        pos += len(line) + 1
    doc = Document(article, None, None, None, False, 0, (), tuple(sentences))
    return Processed(doc, tuple(facts or ()))


def fact(article: str, text: str, needle: str, type: str = "meeting", partners=("US",),
         date: str | None = "2020-11-14", **attributes) -> Fact:
    start = text.index(needle)
    evidence = (Evidence(start, start + len(needle), needle),)
    return Fact(type, article, tuple(partners), date, evidence, 0.9, dict(attributes))


def seed_batch() -> list[Processed]:
    batch = []
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        line = next(ln for ln in text.split("\n") if len(ln) > 40)
        facts = [fact(path.stem, text, line, mechanism="asean_partner_summit", ordinal=8),
                 fact(path.stem, text, line, type="partnership", partners=("CN", "JP"),
                      date="1977", level="dialogue_relations", status="established")]
        batch.append(make(path.stem, text, facts))
    return batch


@pytest.fixture()
def store(tmp_path):
    with open_store(tmp_path / "q.db") as s:
        yield s


def snapshot(store) -> tuple[dict[str, int], list[dict]]:
    return store.counts(), list(store.records())


# -- migrations ----------------------------------------------------------------------------------

def test_migrations_are_recorded_and_applied_once(tmp_path):
    path = tmp_path / "q.db"
    first = open_store(path)
    assert first.migrated == [name for name, _ in MIGRATIONS]
    recorded = first.migrations()
    assert list(recorded) == [name for name, _ in MIGRATIONS]
    first.close()
    second = open_store(f"sqlite:///{path}")      # absolute: sqlite:////tmp/.../q.db
    assert second.migrated == []
    assert second.migrations() == recorded          # same names, same applied_at
    second.close()


def test_file_is_in_wal_mode(tmp_path):
    open_store(tmp_path / "q.db").close()
    with sqlite3.connect(tmp_path / "q.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_open_store_targets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    open_store("sqlite:///rel.db").close()
    assert (tmp_path / "rel.db").exists()
    with pytest.raises(StoreError, match="no store backend"):
        open_store("postgresql://localhost/quanhe")
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "missing.db", create=False)
    (tmp_path / "text.db").write_text("not a database at all, just some words\n" * 50)
    with pytest.raises(StoreError, match="cannot open"):
        open_store(tmp_path / "text.db")
    with pytest.raises(StoreError, match="cannot open"):
        open_store(tmp_path / "no" / "such" / "folder" / "q.db")


# -- ingest --------------------------------------------------------------------------------------

def test_ingest_is_idempotent(store):
    assert store.ingest(seed_batch()) == IngestReport(added=5)
    before = snapshot(store)
    assert before[0]["articles"] == 5 and before[0]["facts"] == 10 and before[0]["sentences"] > 50
    assert store.ingest(seed_batch()) == IngestReport(unchanged=5)
    assert snapshot(store) == before


def test_changed_article_replaces_only_its_own_facts_and_sentences(store):
    store.ingest(seed_batch())
    first = SEEDS[0].stem
    others_before = [r for r in store.records() if r["article"] != first]
    text = "Hội nghị Cấp cao ASEAN - Nhật Bản lần thứ 23 diễn ra trực tuyến.\nĐoạn thứ hai mới."
    changed = make(first, text, [fact(first, text, "Hội nghị Cấp cao ASEAN - Nhật Bản lần thứ 23",
                                      partners=("JP",), mechanism="asean_partner_summit",
                                      ordinal=23)])
    assert store.ingest([changed]) == IngestReport(replaced=1)
    mine = [r for r in store.records() if r["article"] == first]
    assert [r["type"] for r in mine] == ["article", "meeting"]
    assert mine[1]["partners"] == ["JP"] and mine[1]["ordinal"] == 23
    assert [r for r in store.records() if r["article"] != first] == others_before
    assert store.article_text(first) == text
    # sentences were replaced too: the new text is found, the old article text is gone
    assert {h.article for h in query.search(store, "nhat ban lan thu 23")} == {first}
    assert all(h.article != first or h.text in text for h in query.search(store, "hoa ky"))
    assert query.facts(store, partner="JP", type="meeting") == [mine[1]]
    assert len(query.facts(store, partner="US")) == 4


def test_same_article_twice_in_one_batch(store):
    a, b = seed_batch()[:2]
    report = store.ingest([a, a, b])
    assert report == IngestReport(added=2, unchanged=1)


class Unserializable:
    pass


def test_failing_batch_rolls_back_and_keeps_what_was_stored(store):
    batch = seed_batch()
    store.ingest(batch[:3])
    before = snapshot(store)
    text = "Một bài mới hoàn toàn.\nCâu thứ hai."
    bad = make("zz_bad", text, [fact("zz_bad", text, "Một bài", mechanism=Unserializable())])
    changed = make(SEEDS[0].stem, "Văn bản đã thay đổi.")
    with pytest.raises(StoreError, match="rolled back.*zz_bad"):
        store.ingest([batch[3], changed, bad, batch[4]])
    assert snapshot(store) == before
    assert store.article_text(SEEDS[0].stem) == SEEDS[0].read_text(encoding="utf-8")
    assert query.search(store, "van ban da thay doi") == []
    # the store is still usable afterwards
    assert store.ingest(batch[3:]) == IngestReport(added=2)


def test_closed_store_raises_store_error(tmp_path):
    s = open_store(tmp_path / "q.db")
    s.close()
    with pytest.raises(StoreError):
        s.ingest(seed_batch()[:1])
    with pytest.raises(StoreError):
        list(s.records())


def test_ingest_all_batches_and_counts_rejections(store):
    items = [*seed_batch()[:3], Rejected("x.bin", "read", "binary"), *seed_batch()[3:]]
    seen, stored = [], []
    report = ingest_all(store, items, batch_size=2, on_rejected=seen.append, on_stored=stored.append)
    assert report == IngestReport(added=5, failed=1)
    assert [r.added for r in stored] == [2, 2, 1]
    assert seen == [items[3]]
    with pytest.raises(UsageError):
        ingest_all(store, [], batch_size=0)


def test_curated_facts_survive_reingest(tmp_path):
    """Room for curation: rows whose origin is not 'extracted' are never replaced."""
    path = tmp_path / "q.db"
    with open_store(path) as s:
        s.ingest(seed_batch()[:1])
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO facts (article_id, seq, type, partners, date, record, origin)"
                     " VALUES (?, 0, 'meeting', '[]', NULL, '{\"type\": \"meeting\"}', 'curated')",
                     (SEEDS[0].stem,))
    with open_store(path) as s:
        assert s.ingest([make(SEEDS[0].stem, "Văn bản mới.")]) == IngestReport(replaced=1)
        assert [r["type"] for r in s.records()] == ["article", "meeting"]


# -- search --------------------------------------------------------------------------------------

FOLDING = ("Hội nghị Cấp cao ASEAN - Hoa Kỳ lần thứ 8.\n"
           "ASEAN là đối tác quan trọng.\n"
           "Duy trì hoà bình và ổn định.\n"
           "Vì hòa bình ở Biển Đông.\n"
           + unicodedata.normalize("NFD", "Quan hệ Việt Nam - Hàn Quốc.") + "\n")


@pytest.mark.parametrize("typed, expected", [
    ("hoa ky", {0}),
    ("HOA KỲ", {0}),
    ("doi tac", {1}),
    ("đối tác", {1}),
    ("hoa binh", {2, 3}),
    ("hoà bình", {2, 3}),
    ("hòa bình", {2, 3}),
    ("viet nam han quoc", {4}),
    ("bien dong", {3}),
    ("on*", {2}),
    ("khong co", set()),
])
def test_search_folds_case_diacritics_d_and_tone_placement(store, typed, expected):
    store.ingest([make("fold", FOLDING)])
    hits = query.search(store, typed)
    assert {h.sentence for h in hits} == expected
    for h in hits:
        assert FOLDING[h.start:h.end] == h.text
        assert "[" in h.snippet and "]" in h.snippet


def test_search_snippet_marks_words_in_the_original_spelling(store):
    store.ingest([make("fold", FOLDING)])
    [hit] = query.search(store, "hoa ky")
    assert "[Hoa Kỳ]" in hit.snippet
    [hit] = query.search(store, "doi tac")
    assert "[đối tác]" in hit.snippet


def test_search_snippet_is_cut_around_the_first_match():
    text = "mở đầu " * 60 + "Hoa Kỳ" + " kết thúc" * 60
    snip = query.snippet(text, ["hoa", "ky"], width=80)
    assert snip.startswith("…") and snip.endswith("…") and "[Hoa Kỳ]" in snip
    assert len(snip) < 100


def test_search_without_words_is_a_usage_error(store):
    with pytest.raises(UsageError):
        query.search(store, " ,.; ")


def test_search_real_corpus(store):
    store.ingest(seed_batch())
    hits = query.search(store, "hoa ky tri tue nhan tao", limit=3)
    assert hits and len(hits) <= 3
    assert any("trí tuệ nhân tạo" in h.text for h in hits)


# -- facts ---------------------------------------------------------------------------------------

def dated_facts() -> Processed:
    text = "a\nb\nc\nd\ne"
    rows = [("meeting", ("US",), "2014-11-13"), ("meeting", ("CN", "US"), "2015"),
            ("partnership", ("US",), "2015-11"), ("document", ("JP",), "2020-12-31"),
            ("meeting", ("US",), None)]
    return make("dated", text, [fact("dated", text, "abcde"[i], type=t, partners=p, date=d)
                                for i, (t, p, d) in enumerate(rows)])


@pytest.mark.parametrize("kwargs, dates", [
    ({}, ["2014-11-13", "2015", "2015-11", "2020-12-31", None]),
    ({"partner": "us"}, ["2014-11-13", "2015", "2015-11", None]),
    ({"partner": "CN"}, ["2015"]),
    ({"type": "meeting"}, ["2014-11-13", "2015", None]),
    ({"since": "2015"}, ["2015", "2015-11", "2020-12-31"]),
    ({"until": "2015"}, ["2014-11-13", "2015", "2015-11"]),
    ({"since": "2015", "until": "2020"}, ["2015", "2015-11", "2020-12-31"]),
    ({"since": "2015-06", "until": "2019"}, ["2015-11"]),
    ({"partner": "US", "type": "meeting", "since": 2015}, ["2015"]),
    ({"limit": 2}, ["2014-11-13", "2015"]),
])
def test_fact_filters(store, kwargs, dates):
    store.ingest([dated_facts()])
    assert [r.get("date") for r in query.facts(store, **kwargs)] == dates


@pytest.mark.parametrize("kwargs", [{"since": "2015/11"}, {"until": "last year"}, {"limit": 0},
                                    {"partner": " "}])
def test_bad_fact_filters_are_usage_errors(store, kwargs):
    with pytest.raises(UsageError):
        query.facts(store, **kwargs)


# -- records round trip ------------------------------------------------------------------------

def test_store_records_are_the_pipeline_records(store):
    batch = seed_batch()
    store.ingest(batch)
    expected = [r for p in sorted(batch, key=lambda p: p.document.id) for r in p.records()]
    assert list(store.records()) == expected
    out = io.StringIO()
    assert export.write_jsonl(store.records(), out) == len(expected)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == expected


def test_csv_and_parquet_exports(store, tmp_path):
    store.ingest(seed_batch())
    out = io.StringIO()
    n = export.write_csv(store.records(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == n == 15
    assert rows[1]["type"] == "meeting" and rows[1]["partners"] == "US"
    assert rows[2]["partners"] == "CN;JP"
    pq = pytest.importorskip("pyarrow.parquet")
    assert export.write_parquet(store.records(), tmp_path / "x.parquet") == 15
    table = pq.read_table(tmp_path / "x.parquet")
    assert table.num_rows == 15 and table.column("partners").to_pylist()[2] == ["CN", "JP"]
    assert table.column("ordinal").to_pylist()[1] == 8


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attributes=st.dictionaries(st.sampled_from(["mechanism", "ordinal", "level", "value", "x"]),
                                  _json, max_size=4),
       partners=st.lists(st.sampled_from(["US", "CN", "JP", "EU", "KR"]), unique=True, max_size=3),
       date=st.none() | st.sampled_from(["1977", "2015-11", "2020-11-14"]))
def test_any_fact_round_trips(tmp_path_factory, attributes, partners, date):
    text = "Hội nghị Cấp cao ASEAN - Hoa Kỳ."
    f = fact("rt", text, "Hoa Kỳ", partners=partners, date=date, **attributes)
    with open_store(tmp_path_factory.mktemp("rt") / "q.db") as s:
        s.ingest([make("rt", text, [f])])
        assert list(s.records())[1] == f.to_record()


def test_a_new_extractor_re_extracts_on_reingest(store):
    batch = seed_batch()
    store.ingest(batch)
    newer = [Processed(p.document, p.facts[:1], extractor="next-version") for p in batch]
    report = store.ingest(newer)
    assert report.replaced == len(batch) and report.unchanged == 0
    again = store.ingest(newer)
    assert again.unchanged == len(batch)


@given(st.lists(st.sampled_from(["Hoa", "Kỳ", "hòa", "đối", "tác", "và", "ASEAN", "kỷ", "niệm", ","]),
                min_size=1, max_size=80),
       st.lists(st.sampled_from(["hoa", "ky", "doi", "tac", '"hoa ky"', "asean", "k*"]), min_size=1,
                max_size=4))
def test_a_snippet_is_the_sentence_itself_with_marks_and_nothing_repeated(words, query_words):
    text = " ".join(words)
    terms = query.terms_of(" ".join(query_words))
    shown = query.snippet(text, terms, width=60)
    body = shown.replace("[", "").replace("]", "").strip("…")
    assert body.strip() in text
    assert shown.count("[") == shown.count("]") and "[]" not in shown
