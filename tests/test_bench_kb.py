"""The knowledge-base benchmark's generator and queries on a small store (no timings asserted)."""
from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from quanhe import bench_kb, kb, query
from quanhe.normalize import fold
from quanhe.store import Store, open_store

FACTS = 2000


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, bench_kb.World, bench_kb.Build]]:
    world = bench_kb.make_world(FACTS)
    path = tmp_path_factory.mktemp("bench_kb") / "kb.db"
    with open_store(path) as store:
        built = bench_kb.build(store, world, FACTS)
        yield store, world, built


def test_every_evidence_span_is_the_article_text_at_its_offsets(small):
    store, _, built = small
    texts: dict[str, str] = {}
    seen = 0
    for fact in store.facts():
        text = texts.setdefault(fact["article"], store.article_text(fact["article"]) or "")
        assert fact["evidence"]
        for span in fact["evidence"]:
            assert text[span["start"]:span["end"]] == span["text"]
        seen += 1
    assert seen == built.facts >= FACTS


def test_sentences_are_the_article_text_and_fusion_merges_repeats(small):
    store, _, built = small
    counts = store.counts()
    assert counts["sentences"] == built.sentences > 0
    assert 0 < built.canonical < built.facts      # repeated mentions fused
    hit = query.search(store, "ASEAN", limit=5)[0]
    assert (store.article_text(hit.article) or "")[hit.start:hit.end] == hit.text


DISTINCT = 1500


@pytest.fixture(scope="module")
def distinct(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, bench_kb.World, bench_kb.Build]]:
    world = bench_kb.make_world(FACTS, canonical=DISTINCT)
    path = tmp_path_factory.mktemp("bench_kb") / "distinct.db"
    with open_store(path) as store:
        yield store, world, bench_kb.build(store, world, FACTS, canonical=DISTINCT)


def test_canonical_mode_makes_about_one_fused_fact_per_distinct_event(distinct):
    store, world, built = distinct
    assert built.events >= DISTINCT
    assert DISTINCT * 0.98 <= built.canonical < built.facts     # mostly distinct, some repeated
    for fact in store.facts():
        text = store.article_text(fact["article"]) or ""
        assert all(text[s["start"]:s["end"]] == s["text"] for s in fact["evidence"])
    # meetings named without their ordinal (senior officials, sectoral ministers) are placed by day
    unnumbered = [m for series in world.meetings[("US",)] for m in series[:1] if not m.numbered]
    assert {m.mechanism for m in unnumbered} == {"asean_partner_dialogue", "other"}
    series = kb.mechanism_series(store, "other", ["US"])
    assert series.entries and all(e.ordinal is None for e in series.entries)
    rng = random.Random(1)
    for name, call in bench_kb.queries(store, world, bench_kb.fact_ids(store)):
        call(rng)


def test_the_vocabularies_come_from_the_data_files():
    vocab = bench_kb.vocabulary()
    assert {"US", "CN", "JP", "EU"} <= set(vocab.partners)
    assert set(vocab.plus_three) == {"CN", "JP", "KR"}
    assert set(bench_kb.FIGURES) == set(vocab.metrics)
    assert set(bench_kb.DOCUMENT_TITLES) <= set(vocab.kinds)
    assert "comprehensive_strategic_partnership" in vocab.levels
    assert vocab.cities and vocab.outlets


def test_generation_is_deterministic():
    first = bench_kb.Generator(bench_kb.make_world(500)).article()
    again = bench_kb.Generator(bench_kb.make_world(500)).article()
    assert first.document.text == again.document.text
    assert [f.to_record() for f in first.facts] == [f.to_record() for f in again.facts]


def test_every_benchmarked_query_answers(small):
    store, world, _ = small
    ids = bench_kb.fact_ids(store)
    assert ids
    rng = random.Random(1)
    for name, call in bench_kb.queries(store, world, ids):
        sizes = [bench_kb._size(call(rng)) for _ in range(5)]
        if name.startswith("level"):
            continue          # a random date may precede every level
        assert max(sizes) > 0, name
    assert kb.timeline(store, "US").items
    assert kb.level_as_of(store, "US", "2025-12-31").level is not None


def test_main_builds_measures_and_cleans_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "run.db"
    bench_kb.main(["--facts", "500", "--runs", "2", "--db", str(db)])
    out = capsys.readouterr().out
    assert "timeline, first page of 100" in out and "SQLite" in out
    assert not db.exists()    # built here without --keep: removed


def test_a_common_word_ranks_only_the_newest_matches_like_bm25(small, monkeypatch: pytest.MonkeyPatch):
    from quanhe.store import sqlite

    store, _, _ = small
    monkeypatch.setattr(sqlite, "COMMON_TERM", 10**6)  # nothing is common: exact bm25
    exact = store.search(["hoi", "nghi", "cap", "cao"], limit=10)
    monkeypatch.setattr(sqlite, "COMMON_TERM", 5)      # every word is now common
    approx = store.search(["hoi", "nghi", "cap", "cao"], limit=10)
    assert len(approx) == 5                            # only the last five ingested are ranked
    assert [h.rank for h in approx] == sorted(h.rank for h in approx)
    assert all({"hoi", "nghi", "cap", "cao"} <= set(fold(h.text).lower().split()) for h in approx)
    monkeypatch.setattr(sqlite, "COMMON_TERM", 10**6)  # nothing is: exact bm25 as before
    assert store.search(["hoi", "nghi", "cap", "cao"], limit=10) == exact
