"""Measure quanhe.language against dateparser (dates) and the gold indicators (amounts).

Run from the repo root:  .venv/bin/python bench/measure_parsers.py
dateparser is installed into the venv only for this script; it is not a project dependency.

Dates: every date expression find_dates reports in the corpus is widened to include the cue
words written before it ("sáng ngày 11/10"), then given to dateparser.parse with the settings
recommended in notes/libraries.md. The two answers are compared at the precision we report.
Amounts: for every gold indicator, is a find_amounts value within 1% in the same article?
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from quanhe.language import date_from_url, find_amounts, find_dates, parse_dateline

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_CUE = re.compile(r"(?:(?:rạng sáng|sáng|chiều|tối|trưa|đêm|hôm|ngày)\s+)+$", re.IGNORECASE)


def _articles() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((SHARED / "corpus").glob("*/*.txt"))]


def _ref(text: str) -> date:
    pub = parse_dateline(text) or date_from_url(text.splitlines()[0] if text else "")
    if pub and len(pub) == 10:
        return date.fromisoformat(pub)
    if pub and len(pub) == 7:
        return date.fromisoformat(pub + "-28")
    return date(2020, 12, 31)


def measure_dates() -> Counter[str]:
    try:
        import dateparser
    except ImportError:
        print("dateparser not installed: pip install dateparser into .venv to measure it")
        return Counter()
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for _, text in _articles():
        ref = _ref(text)
        settings = {
            "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": "past",
            "PREFER_DAY_OF_MONTH": "first",
            "RELATIVE_BASE": datetime(ref.year, ref.month, ref.day),
        }
        for m in find_dates(text, ref):
            cue = _CUE.search(text[max(0, m.start - 25) : m.start])
            expr = (cue.group(0) if cue else "") + text[m.start : m.end]
            got = dateparser.parse(expr, languages=["vi"], settings=settings)  # type: ignore[arg-type]
            counts["expressions"] += 1
            if m.end_date:
                counts["ranges"] += 1
            if got is None:
                kind = "dateparser None"
            elif got.date().isoformat()[: len(m.date)] == m.date:
                kind = "agree" if not m.end_date else "agree on start, range end lost"
            else:
                kind = "disagree"
            counts[kind] += 1
            examples.setdefault(kind, []).append(f"{expr!r}: ours {m.date}/{m.end_date} dp {got}")
    for kind in ("dateparser None", "disagree", "agree on start, range end lost"):
        for ex in examples.get(kind, [])[:6]:
            print(f"  [{kind}] {ex}")
    return counts


def measure_amounts() -> Counter[str]:
    counts: Counter[str] = Counter()
    texts = dict(_articles())
    for gold_file in sorted((SHARED / "gold").glob("*/*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        text = texts.get(gold["article"])
        if text is None:
            continue
        amounts = find_amounts(text)
        for fact in gold["facts"]:
            if fact.get("type") != "indicator" or fact.get("value") is None:
                continue
            counts["gold indicators"] += 1
            want = float(fact["value"])
            hit = [a for a in amounts if abs(a.value - want) <= 0.01 * abs(want)]
            if not hit:
                counts["value not found"] += 1
                print(f"  [missed] {gold['article']}: {fact.get('metric')} {want} {fact.get('unit')}")
            elif any(a.unit == fact.get("unit", a.unit) for a in hit):
                counts["found, same unit"] += 1
            else:
                counts["found, other unit"] += 1
    return counts


if __name__ == "__main__":
    print("dates vs dateparser:", dict(measure_dates()))
    print("amounts vs gold indicators:", dict(measure_amounts()))
