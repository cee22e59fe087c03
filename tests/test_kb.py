"""The knowledge base on the shared corpus (seeds + dev ingested together): fusion, conflicts,
and every query, through the library and through the command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED_CORPUS

from quanhe import fuse, kb
from quanhe.errors import NotFoundError, UsageError
from quanhe.pipeline import process_all
from quanhe.read import read_paths
from quanhe.store import CanonicalFilter, Store, ingest_all, open_store


def all_facts(store: Store) -> list[dict[str, Any]]:
    return kb.facts(store, limit=None).items


# -- fusion ----------------------------------------------------------------------------------------

def test_no_two_canonical_facts_share_a_fusion_key_or_an_id(shared_kb):
    facts = all_facts(shared_kb)
    assert len(facts) > 150
    for field in ("key", "id"):
        repeated = [k for k, n in Counter(f[field] for f in facts).items() if n > 1]
        assert not repeated


def test_every_extracted_fact_lands_in_one_canonical_fact_that_lists_its_article(shared_kb):
    facts = all_facts(shared_kb)
    owner: dict[int, dict[str, Any]] = {}
    for f in facts:
        for fact_id in f["facts"]:
            assert fact_id not in owner, f"fact {fact_id} fused twice"
            owner[fact_id] = f
    stored = shared_kb.counts()["facts"]
    assert len(owner) == stored
    for f in facts:
        supporting = shared_kb.supporting(f["facts"])
        assert sorted({s["article"] for s in supporting}) == f["articles"]


def test_facts_several_articles_report_list_all_of_them(shared_kb):
    by_key = {f["key"]: f for f in all_facts(shared_kb)}
    several = [f for f in by_key.values() if len(f["articles"]) > 1]
    assert len(several) >= 10
    # the 2015 strategic partnership with the US is stated by three seed articles
    us = by_key["partnership|US|strategic_partnership|status=established"]
    assert us["date"] == "2015-11" and len(us["articles"]) == 3
    # the 47th ASEAN Summit: one outlet reports its opening day, another its last
    summit = by_key["meeting||asean_summit|ordinal=47"]
    assert {"002", "035"} <= set(summit["articles"])
    assert (summit["date"], summit["end_date"]) == ("2025-10-26", "2025-10-28")


def conflicts_by_key(store: Store) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in kb.facts(store, conflicts=True, limit=None).items}


def test_the_conflicts_the_shared_articles_contain_are_surfaced(shared_kb):
    found = conflicts_by_key(shared_kb)

    def values(key: str, field: str) -> dict[Any, list[str]]:
        [conflict] = [c for c in found[key]["conflicts"] if c["field"] == field]
        return {v["value"]: v["articles"] for v in conflict["values"]}

    # dev 002 calls the East Asia Summit of October 2025 the 19th; the 19th was in 2024 (dev 027)
    eas = found["meeting||east_asia_summit|ordinal=20"]
    assert eas["date"].startswith("2025") and values(eas["key"], "ordinal") == {20: [], 19: ["002"]}
    assert eas["inferred"][0]["field"] == "ordinal"
    # ASEAN–US dialogue relations: 1977 in two seeds; dev 011 counts "45 years" back from its
    # crawl date (2024), which gives 1979
    assert values("partnership|US|dialogue_relations|status=established", "date") == {
        "1977": ["000_51affac14b024f6f", "004_592eb4b568c1ee0d"], "1979": ["011"]}
    # ASEAN–Japan: "45 years" in seed 003 (dated 2017 by its context) vs "40 years in 2013" in dev 012
    assert set(values("partnership|JP|dialogue_relations|status=established", "date")) == {"1972", "1973"}
    # ASEAN–China strategic partnership: "15th year next year" (dev 001, 2017) vs seed 003
    cn = values("partnership|CN|strategic_partnership|status=established", "date")
    assert cn["2003"] == ["001"] and len(cn) == 2


def test_fusing_again_changes_nothing_and_ids_survive_reingest(shared_kb_path, tmp_path):
    with open_store(shared_kb_path, create=False, readonly=True) as store:
        before = {f["key"]: f["id"] for f in all_facts(store)}
    copy = tmp_path / "again.db"
    with open_store(copy) as store:
        ingest_all(store, process_all(read_paths([str(p) for p in SHARED_CORPUS])))
        assert kb.refresh(store) > 0
        assert kb.refresh(store) == 0           # nothing changed since
        report = ingest_all(store, process_all(read_paths([str(p) for p in SHARED_CORPUS])))
        assert report.unchanged == report.added + report.replaced + report.unchanged > 0
        assert kb.refresh(store) == 0
        after = {f["key"]: f["id"] for f in all_facts(store)}
    assert after == before


def test_a_changed_article_refuses_only_its_blocks(tmp_path):
    dev = SHARED_CORPUS[1]
    first = sorted(dev.glob("*.txt"))[:3]
    with open_store(tmp_path / "k.db") as store:
        ingest_all(store, process_all(read_paths([str(p) for p in first])))
        kb.refresh(store)
        everything = len(all_facts(store))
        edited = tmp_path / first[0].name
        edited.write_text(first[0].read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
        ingest_all(store, process_all(read_paths([str(edited)])))
        refused = kb.refresh(store)
        assert 0 < refused < everything
        assert len(all_facts(store)) == everything


# -- queries ----------------------------------------------------------------------------------------

def test_timeline_is_oldest_first_typed_and_filtered(shared_kb):
    page = kb.timeline(shared_kb, "us", limit=None)
    assert page.items and {f["type"] for f in page.items} <= {"meeting", "partnership", "document"}
    assert all("US" in f["partners"] for f in page.items)
    dated = [f["date"] for f in page.items if f["date"]]
    assert dated == sorted(dated) and page.items[-1]["date"] is None or all(f["date"] for f in page.items)
    recent = kb.timeline(shared_kb, "US", types=["meeting"], since="2015", until="2020", limit=None)
    assert recent.items and all(f["type"] == "meeting" and "2015" <= f["date"][:4] <= "2020"
                                for f in recent.items)
    first, second = kb.timeline(shared_kb, "US", limit=3), kb.timeline(shared_kb, "US", limit=3, offset=3)
    assert first.total == second.total == page.total
    assert [f["id"] for f in first.items + second.items] == [f["id"] for f in page.items[:6]]


def test_level_as_of_answers_with_its_source(shared_kb):
    in_2010 = kb.level_as_of(shared_kb, "US", "2010-01-01")
    assert (in_2010.level, in_2010.since) == ("enhanced_partnership", "2005")
    in_2016 = kb.level_as_of(shared_kb, "US", "2016-01-01")
    assert in_2016.level == "strategic_partnership" and in_2016.fact is not None
    assert kb.fact(shared_kb, in_2016.fact["id"])["evidence"]
    assert kb.level_as_of(shared_kb, "US", "1970").level is None
    assert [h["level"] for h in in_2016.history][:2] == ["dialogue_relations", "enhanced_partnership"]


def test_level_counted_from_a_coarse_date_only_after_that_period(shared_kb):
    australia = kb.level_as_of(shared_kb, "AU", "2021-06-01")
    assert australia.level == "strategic_partnership" and "2021" in australia.note
    assert kb.level_as_of(shared_kb, "AU", "2022-01-01").level == "comprehensive_strategic_partnership"


def test_figure_series_by_year(shared_kb):
    trade = kb.figure_series(shared_kb, "US", "trade")
    years = [f["year"] for f in trade]
    assert years == sorted(years) and {2022, 2023} <= set(years)
    assert all(f["metric"] == "trade" and f["target"] is False and f["value"] > 0 for f in trade)
    with pytest.raises(UsageError):
        kb.figure_series(shared_kb, "US", "gdp")


def test_mechanism_series_shows_gaps(shared_kb):
    series = kb.mechanism_series(shared_kb, "asean_partner_summit", ["US"])
    numbered = [e.ordinal for e in series.entries if e.ordinal is not None]
    assert numbered == list(range(numbered[0], numbered[-1] + 1))
    assert {8, 12} <= {e.ordinal for e in series.entries if e.fact}
    assert series.gaps and all(e.fact is None for e in series.entries if e.ordinal in series.gaps)


def test_one_fact_carries_every_evidence_sentence_exactly_as_in_its_article(shared_kb):
    checked = 0
    for f in all_facts(shared_kb):
        full = kb.fact(shared_kb, f["id"])
        assert {e["article"] for e in full["evidence"]} == set(f["articles"])
        for e in full["evidence"]:
            text = shared_kb.article_text(e["article"])
            assert text is not None and text[e["start"]:e["end"]] == e["text"]
            checked += 1
    assert checked > 200
    with pytest.raises(NotFoundError):
        kb.fact(shared_kb, "mtg-000000000000")


def test_outlets_are_named(shared_kb):
    names = {e["outlet"] for f in all_facts(shared_kb)[:80] for e in kb.fact(shared_kb, f["id"])["evidence"]}
    assert "VietnamPlus" in names or "VnExpress" in names


def test_partners_and_articles(shared_kb):
    partners = {p["code"]: p for p in kb.partners(shared_kb)}
    assert {"US", "CN", "JP", "KR"} <= set(partners)
    assert partners["US"]["name"] == "Hoa Kỳ" and partners["US"]["facts"] > 10
    page = kb.articles(shared_kb, limit=10, offset=40)
    assert page.total == sum(len(list(folder.glob("*.txt"))) for folder in SHARED_CORPUS)
    assert len(page.items) == page.total - 40 and all("facts" in a for a in page.items)
    one = shared_kb.article(page.items[0]["article"])
    assert one is not None and shared_kb.article("no-such-article") is None
    assert {k: v for k, v in one.items() if k != "canonical"} == page.items[0]
    for fact_id in one["canonical"]:
        assert one["article"] in kb.fact(shared_kb, fact_id)["articles"]


@pytest.mark.parametrize("call", [
    lambda s: kb.timeline(s, ""),
    lambda s: kb.timeline(s, "US", since="2015-13"),
    lambda s: kb.timeline(s, "US", types=["summit"]),
    lambda s: kb.timeline(s, "US", limit=0),
    lambda s: kb.facts(s, offset=-1),
    lambda s: kb.level_as_of(s, "US", "yesterday"),
    lambda s: kb.timeline(s, "ZZ"),
    lambda s: kb.timeline(s, "US", types=["person"]),
    lambda s: kb.timeline(s, "US", offset=2**70),
    lambda s: kb.mechanism_series(s, "summit"),
])
def test_bad_arguments_are_usage_errors(shared_kb, call):
    with pytest.raises(UsageError):
        call(shared_kb)


# -- the same questions on the command line ---------------------------------------------------------

def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUANHE_")}
    return subprocess.run([sys.executable, "-m", "quanhe", "--db", str(db), *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def lines(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_cli_answers_what_the_library_answers(shared_kb_path, shared_kb):
    assert lines(cli(shared_kb_path, "timeline", "US", "--since", "2015", "--format", "jsonl")) == \
        kb.timeline(shared_kb, "US", since="2015").items
    assert lines(cli(shared_kb_path, "level", "US", "--as-of", "2010-01-01", "--format", "jsonl")) == \
        [kb.level_as_of(shared_kb, "US", "2010-01-01").to_record()]
    assert lines(cli(shared_kb_path, "figures", "US", "trade", "--format", "jsonl")) == \
        kb.figure_series(shared_kb, "US", "trade")
    assert lines(cli(shared_kb_path, "series", "asean_partner_summit", "--partner", "US",
                     "--format", "jsonl")) == [kb.mechanism_series(shared_kb, "asean_partner_summit",
                                                                   ["US"]).to_record()]
    assert lines(cli(shared_kb_path, "conflicts", "--format", "jsonl")) == \
        kb.facts(shared_kb, conflicts=True).items
    some = kb.facts(shared_kb, partner="US", limit=1).items[0]["id"]
    assert lines(cli(shared_kb_path, "fact", some, "--format", "jsonl")) == [kb.fact(shared_kb, some)]
    assert lines(cli(shared_kb_path, "partners", "--format", "jsonl")) == kb.partners(shared_kb)
    assert lines(cli(shared_kb_path, "facts", "--fused", "--partner", "JP", "--format", "jsonl")) == \
        kb.facts(shared_kb, partner="JP", limit=None).items
    assert lines(cli(shared_kb_path, "articles", "--limit", "5", "--offset", "10", "--format", "jsonl")) == \
        kb.articles(shared_kb, limit=5, offset=10).items


def test_cli_tables_read_well(shared_kb_path):
    level = cli(shared_kb_path, "level", "US", "--as-of", "2010-01-01", "--format", "table")
    assert level.returncode == 0 and "enhanced_partnership (since 2005" in level.stdout
    series = cli(shared_kb_path, "series", "asean_partner_summit", "--partner", "US", "--format", "table")
    assert "(no article)" in series.stdout and "no article reports ordinal" in series.stderr
    conflicts = cli(shared_kb_path, "conflicts", "--format", "table")
    assert "1979 (011)" in conflicts.stdout
    fact_id = next(line.split()[0] for line in conflicts.stdout.splitlines() if "1979 (011)" in line)
    shown = cli(shared_kb_path, "fact", fact_id, "--format", "table")
    assert shown.returncode == 0 and "[1]" in shown.stdout and "“" in shown.stdout


def test_cli_errors_are_one_line(shared_kb_path, tmp_path):
    missing = cli(shared_kb_path, "fact", "mtg-000000000000")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "no fact" in missing.stderr
    bad = cli(shared_kb_path, "timeline", "US", "--since", "2015-13")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    nostore = cli(tmp_path / "none.db", "timeline", "US")
    assert nostore.returncode == 3 and "no store" in nostore.stderr


def test_ingest_fuses_as_it_goes(tmp_path):
    result = subprocess.run([sys.executable, "-m", "quanhe", "--db", str(tmp_path / "q.db"), "ingest",
                             str(SHARED_CORPUS[0])], capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0 and "fused the facts of" in result.stderr
    assert lines(cli(tmp_path / "q.db", "timeline", "US", "--format", "jsonl"))


def test_display_names_cover_every_partner_and_every_vocabulary_word():
    from quanhe.fuse import rules
    from quanhe.gazetteer import load_entries

    shown = kb.display()
    partners = {e.code for e in load_entries() if e.kind == "partner"}
    assert partners <= set(shown["partners"])
    assert all(names["vi"].strip() and names["en"].strip() for names in shown["partners"].values())
    vocabulary = set(rules().levels) | set(rules().actions) | set(kb.METRICS) | {
        "meeting", "partnership", "document", "indicator", "person", "asean_summit",
        "asean_partner_summit", "asean_plus_three_summit", "east_asia_summit", "asean_ministers",
        "asean_partner_ministers", "asean_plus_three_ministers", "eas_ministers", "arf",
        "economic_ministers", "defence_ministers", "asean_partner_dialogue", "som", "jcc", "other",
        "declaration", "plan_of_action", "agreement", "protocol", "treaty", "vision", "roadmap", "mou"}
    for lang in ("vi", "en"):
        assert vocabulary <= set(shown["words"][lang]), vocabulary - set(shown["words"][lang])
    assert kb.word("asean_partner_summit", "en", "US") == "ASEAN–United States Summit"
    assert kb.outlet("https://www.vietnamplus.vn/x.vnp") == "VietnamPlus"
    assert kb.outlet("https://example.org/a") == "example.org" and kb.outlet(None) is None


def test_search_ignores_accents_and_tone_placement_and_marks_matches(shared_kb, shared_kb_path):
    from quanhe import query

    hits = query.search(shared_kb, '"hoa ky" doi tac chien luoc', limit=50)
    assert hits and all("Hoa Kỳ" in h.text for h in hits)
    assert all("[Hoa Kỳ]" in h.snippet for h in hits)
    # "hòa bình" written with the old tone placement ("hoà") finds the same sentences
    assert {h.start for h in query.search(shared_kb, "hoà bình")} == \
        {h.start for h in query.search(shared_kb, "hoa binh")}
    for h in hits:
        assert shared_kb.article_text(h.article)[h.start:h.end] == h.text
    piped = lines(cli(shared_kb_path, "search", '"hoa ky" doi tac chien luoc', "--limit", "50"))
    assert [(r["article"], r["start"]) for r in piped] == [(h.article, h.start) for h in hits]


def test_a_store_nobody_fused_yet_is_fused_by_the_first_question(tmp_path):
    db = tmp_path / "unfused.db"
    with open_store(db) as store:   # the library's ingest stores facts; it does not fuse
        ingest_all(store, process_all(read_paths([str(SHARED_CORPUS[0])])))
        assert store.dirty_blocks() and not kb.partners(store)
    assert lines(cli(db, "timeline", "US", "--format", "jsonl"))
    with open_store(db) as store:
        assert not store.dirty_blocks()


def test_fusion_holds_the_write_lock_so_no_ingest_slips_between_read_and_write(tmp_path):
    import sqlite3

    db = tmp_path / "lock.db"
    with open_store(db) as store:
        ingest_all(store, process_all(read_paths([str(SHARED_CORPUS[0])])))
        kb.refresh(store)
        store.reset_fusion(fuse.block_of, kb.fuser_id(), every_fact=False)   # all dirty again
        blocked = []

        def fuse_while_someone_writes(mentions):
            other = sqlite3.connect(db, timeout=0)
            try:
                other.execute("INSERT INTO kb_state (name, value) VALUES ('probe', 'x')")
            except sqlite3.OperationalError as exc:
                blocked.append(str(exc))
            finally:
                other.close()
            return fuse.fuse_block(mentions)

        assert store.fuse_dirty(fuse_while_someone_writes, limit=3)
        assert blocked and all("locked" in b for b in blocked)


def test_new_fusion_rules_recut_every_block_and_lose_nothing(tmp_path, monkeypatch):
    db = tmp_path / "rules.db"
    with open_store(db) as store:
        ingest_all(store, process_all(read_paths([str(p) for p in SHARED_CORPUS])))
        kb.refresh(store)
        documents = len(kb.facts(store, type="document", limit=None).items)
        # new rules: documents no longer blocked by kind, only by their partners
        original = fuse.block_of

        def coarser(record):
            block = original(record)
            return block.rsplit("|", 1)[0] + "|" if record.get("type") == "document" else block

        monkeypatch.setattr(fuse, "block_of", coarser)
        monkeypatch.setattr(kb, "fuser_id", lambda: "new-rules")
        assert kb.refresh(store) > 0
        facts = kb.facts(store, limit=None).items
        landed = sorted(i for f in facts for i in f["facts"])
        assert landed == sorted(set(landed)) and len(landed) == store.counts()["facts"]
        assert len(kb.facts(store, type="document", limit=None).items) <= documents
        assert kb.refresh(store) == 0


def test_today_an_undated_higher_level_is_the_current_one(shared_kb):
    now = kb.level_as_of(shared_kb, "US")
    assert now.level == "comprehensive_strategic_partnership" and now.since is None
    assert "no source dates it" in now.note
    assert kb.level_as_of(shared_kb, "US", "2020-01-01").level == "strategic_partnership"


def test_an_asean_plus_three_series_needs_no_partners(shared_kb):
    series = kb.mechanism_series(shared_kb, "asean_plus_three_summit")
    assert series.partners == ["CN", "JP", "KR"] and {22, 23} <= {e.ordinal for e in series.entries if e.fact}


def test_listing_every_fact_by_date_reads_an_index_not_the_whole_table(shared_kb):
    from quanhe.store.sqlite import SQLiteStore

    assert isinstance(shared_kb, SQLiteStore)
    for conflicts in (False, True):
        sql, params = shared_kb._canonical_sql(CanonicalFilter(conflicts_only=conflicts), "c.record")
        plan = shared_kb._conn.execute("EXPLAIN QUERY PLAN " + sql + " ORDER BY sort_date, c.id LIMIT 100",
                                       params).fetchall()
        assert "USING INDEX" in str(plan) and "TEMP B-TREE" not in str(plan)
