"""The quality gate: extraction scored against the shared gold must stay above pinned floors.

Floors and a hash of each gold set live in tests/eval_floors.json. A changed gold fails here on
purpose: the floors were set on other facts, so re-measure (``make eval``) and update both.
"""
from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import pytest

from quanhe.evaluate import Report, evaluate
from quanhe.pipeline import Processed, process_all
from quanhe.read import read_paths

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FLOORS = json.loads((Path(__file__).with_name("eval_floors.json")).read_text(encoding="utf-8"))
SETS = sorted(FLOORS["sets"])


def folder(name: str, part: str) -> Path:
    configured = FLOORS["sets"][name][part]
    # "repo:" sets live in this repository (articles we wrote); the others in ../shared
    path = ROOT / configured[5:] if configured.startswith("repo:") else SHARED / configured
    if not path.is_dir():
        # the gate must never pass by not running: a missing ../shared is a failure, not a skip
        pytest.fail(f"{path} is missing: the shared corpus and gold must sit beside the repo at {SHARED}")
    return path


def gold_sha256(gold_dir: Path) -> str:
    """One hash over every gold file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(gold_dir.glob("*.json")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def report(name: str) -> Report:
    return evaluate(folder(name, "gold"), folder(name, "corpus"))


@pytest.mark.parametrize("name", SETS)
def test_gold_is_the_one_the_floors_were_set_on(name):
    pinned = FLOORS["sets"][name]["gold_sha256"]
    assert gold_sha256(folder(name, "gold")) == pinned, (
        f"the {name} gold changed: run `make eval` (and the seeds equivalent), then update the "
        f"floors and gold_sha256 in tests/eval_floors.json")


@pytest.mark.parametrize("name", SETS)
def test_every_gold_article_is_read_and_scored(name):
    r = report(name)
    assert r.rejected == [], r.rejected
    assert r.overall.tp + r.overall.fn > 0, "no required gold facts: is the gold folder empty?"


@pytest.mark.parametrize("name", SETS)
def test_scores_stay_above_floors(name):
    figures = report(name).figures()
    floors = {k: v for k, v in FLOORS["sets"][name].items() if k in ("precision", "recall", "f1")}
    below = {k: round(figures[k], 4) for k, floor in floors.items() if figures[k] < floor}
    assert not below, f"{name}: {below} below the floors {floors}\n(`make eval` shows the misses)"


@pytest.mark.parametrize("name", SETS)
def test_evidence_of_scored_facts_quotes_the_article(name):
    valid = report(name).figures()["evidence_valid"]
    assert valid is not None and valid >= FLOORS["evidence_valid"], valid


@pytest.mark.parametrize("name", SETS)
def test_every_evidence_span_is_the_text_it_claims(name):
    """All records of every corpus article, gold or not, persons included."""
    checked = 0
    for item in process_all(read_paths([folder(name, "corpus")])):
        assert isinstance(item, Processed), item
        text = item.document.text
        source = Path(item.document.article.source)
        if source.suffix == ".txt":   # offsets point into the file exactly as read (RECORDS.md)
            assert text == source.read_text(encoding="utf-8"), source
        for record in item.records():
            for span in record.get("evidence") or []:
                assert 0 <= span["start"] < span["end"] <= len(text), (record, span)
                assert text[span["start"]:span["end"]] == span["text"], (record, span)
                checked += 1
    assert checked > 0
