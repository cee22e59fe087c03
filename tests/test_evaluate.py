"""quanhe.evaluate agrees with ../shared/eval/score.py on predictions that exercise every rule.

The placeholder extractor finds no facts, so the CLI test alone would compare 0 with 0. Here the
predictions are built from the dev gold and then damaged in known ways: dropped facts, wrong and
imprecise attributes, values just inside and outside 1%, extras, aspired partnerships, spelled-out
names, broken evidence. Both scorers must print the same table.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from quanhe.evaluate import format_report, load_gold, loose, score

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD = SHARED / "gold" / "dev"
CORPUS = SHARED / "corpus" / "dev"


def damaged_predictions(seed: int) -> list[dict]:
    rng = random.Random(seed)
    preds: list[dict] = []
    for path in sorted(GOLD.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        article = data["article"]
        text = (CORPUS / f"{article}.txt").read_text(encoding="utf-8")
        span = {"start": 0, "end": 10, "text": text[:10]}
        for g in data["facts"]:
            roll = rng.random()
            if roll < 0.2:
                continue                                   # a miss
            p = {k: v for k, v in g.items() if k != "optional"}
            p["article"] = article
            p["evidence"] = [dict(span)] if rng.random() < 0.8 else [{"start": 3, "end": 5, "text": "??"}]
            if roll < 0.3 and p["type"] == "meeting":
                p["online"] = not p.get("online")
                p["location"] = rng.choice([None, "Hà Nội", (g.get("location") or "x").upper()])
                p["date"] = (g.get("date") or "2020")[:4]
            elif roll < 0.4 and p["type"] == "indicator" and isinstance(p.get("value"), (int, float)):
                p["value"] = p["value"] * rng.choice([1.005, 1.05])
            elif roll < 0.45:
                p["partners"] = ["RU"]                     # wrong partner: extra + miss
            elif roll < 0.5 and p["type"] == "document":
                p["action"] = "planned"
                p["completion"] = 0.5
            elif roll < 0.55 and p["type"] == "partnership":
                p["status"] = "aspired"                    # ignored on both sides
            preds.append(p)
            if rng.random() < 0.1:
                preds.append(dict(p))                      # a repeat: one of the two is extra
        for names in data.get("persons", []):
            if rng.random() < 0.8:
                name = rng.choice(names)
                preds.append({"type": "person", "article": article,
                              "name": rng.choice([name, name.upper(), loose(name), f" {name}  "])})
        preds.append({"type": "indicator", "article": article, "partners": ["US"], "metric": "trade",
                      "value": 1, "unit": "USD", "year": 1900, "target": False, "evidence": []})
        preds.append({"type": "opinion", "article": article})
    preds.append({"type": "meeting", "article": "not-in-gold", "partners": []})
    return preds


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_table_as_the_shared_scorer(tmp_path, seed):
    preds = damaged_predictions(seed)
    pred_file = tmp_path / "pred.jsonl"
    pred_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds),
                         encoding="utf-8")
    shared = subprocess.run([sys.executable, SHARED / "eval" / "score.py", "--gold", GOLD,
                             "--pred", pred_file, "--articles", CORPUS],
                            check=False, capture_output=True, text=True)
    assert shared.returncode == 0, shared.stderr
    texts = {p.stem: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    report = score(load_gold(GOLD), preds, texts)
    assert format_report(report) == shared.stdout.rstrip("\n")
    assert 0 < report.overall.f1 < 1 and report.attributes       # the rules were exercised


def test_show_lists_misses_extras_and_attributes():
    report = score(load_gold(GOLD), damaged_predictions(1))
    kinds = {f.kind for f in report.findings}
    assert kinds == {"MISS", "EXTRA", "ATTR"}
    assert all(f.line().startswith(f"  {f.kind} ") for f in report.findings)
    assert report.evidence is None                                  # no texts: not checked


def test_perfect_predictions_score_one():
    gold = load_gold(GOLD)
    preds = []
    for article, facts in gold.items():
        for g in facts:
            if g["type"] == "person":
                preds.append({"type": "person", "article": article, "name": g["names"][0]})
            elif not g.get("optional"):
                preds.append({**g, "article": article})
    report = score(gold, preds)
    assert report.overall.precision == report.overall.recall == 1.0
