"""The example articles shipped in the package: what `make demo` ingests, run as a user would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

EXAMPLES = Path(str(resources.files("quanhe") / "examples"))
FILES = sorted(EXAMPLES.glob("*.txt"))


def quanhe(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUANHE_")}
    return subprocess.run([sys.executable, "-m", "quanhe", *map(str, args)], cwd=cwd, env=env,
                          check=False, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("examples") / "examples.db"
    result = quanhe("--db", db, "ingest", EXAMPLES, cwd=db.parent)
    assert result.returncode == 0, result.stderr
    assert f"{len(FILES)} added" in result.stderr
    return db


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_examples_are_packaged_articles():
    assert 3 <= len(FILES) <= 6
    for path in FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("https://example.org/"), path.name   # never a real outlet's URL
        assert lines[1].strip() and "|" in lines[2], path.name            # title, then dateline


def test_each_example_yields_several_facts(tmp_path):
    result = quanhe("extract", EXAMPLES, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    facts = [r for r in jsonl(result.stdout) if r["type"] != "article"]
    per_article = {p.stem: sum(r["article"] == p.stem for r in facts) for p in FILES}
    assert all(n >= 3 for n in per_article.values()), per_article


def test_ingested_examples_give_facts_of_at_least_three_types(store):
    result = quanhe("--db", store, "facts", "--format", "jsonl", cwd=store.parent)
    assert result.returncode == 0, result.stderr
    facts = jsonl(result.stdout)
    assert {f["article"] for f in facts} == {p.stem for p in FILES}
    assert len({f["type"] for f in facts}) >= 3, sorted({f["type"] for f in facts})


def test_reingesting_examples_changes_nothing(store):
    result = quanhe("--db", store, "ingest", EXAMPLES, cwd=store.parent)
    assert result.returncode == 0, result.stderr
    assert f"0 added, 0 replaced, {len(FILES)} unchanged" in result.stderr


@pytest.mark.parametrize("query", ["doi tac chien luoc toan dien", "DOI TAC chiến lược", "hoa ky"])
def test_search_finds_folded_queries(store, query):
    result = quanhe("--db", store, "search", "--format", "jsonl", query, cwd=store.parent)
    assert result.returncode == 0, result.stderr
    hits = jsonl(result.stdout)
    assert hits, f"no hit for {query!r}"
    for hit in hits:
        text = (EXAMPLES / f"{hit['article']}.txt").read_text(encoding="utf-8")
        assert text[hit["start"]:hit["end"]] == hit["text"]
