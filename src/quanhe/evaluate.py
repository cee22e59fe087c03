"""Score extracted records against the gold files (rules: spec/RECORDS.md, "Scoring").

Per article, gold facts are matched one to one with predicted records of the same type: required
gold facts pick first, then optional ones, each taking the first still-unused prediction that
matches. A matched optional fact counts as found; a missed one costs nothing. Matched facts have
their stated attributes checked, and every non-person prediction's evidence must quote the text.
The numbers agree with ../shared/eval/score.py (a test runs both).
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from quanhe.errors import UsageError
from quanhe.model import Rejected

TYPES = ("meeting", "partnership", "document", "indicator", "person")

Record = dict[str, Any]


@dataclass
class Counts:
    tp: int = 0        # required gold facts found
    tp_opt: int = 0    # optional gold facts found
    fp: int = 0        # predictions that matched nothing
    fn: int = 0        # required gold facts missed

    def __iadd__(self, other: Counts) -> Self:
        self.tp += other.tp
        self.tp_opt += other.tp_opt
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def precision(self) -> float:
        found = self.tp + self.tp_opt
        return found / (found + self.fp) if found + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Finding:
    """One thing --show prints: a MISS (gold not found), an EXTRA (unmatched prediction) or a
    wrong ATTR(ibute) of a matched fact."""

    kind: str
    article: str
    gold: Record | None = None
    pred: Record | None = None
    attribute: str | None = None

    def line(self) -> str:
        def show(r: Record | None) -> str:
            slim = {k: v for k, v in (r or {}).items() if k != "evidence"}
            return json.dumps(slim, ensure_ascii=False)
        if self.kind == "MISS":
            return f"  MISS {self.article} {show(self.gold)}"
        if self.kind == "EXTRA":
            return f"  EXTRA {self.article} {show(self.pred)}"
        return f"  ATTR {self.article} {self.attribute}: gold {show(self.gold)} pred {show(self.pred)}"


@dataclass
class Report:
    types: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in TYPES})
    attributes: dict[str, list[int]] = field(default_factory=dict)   # name -> [correct, checked]
    evidence: list[int] | None = None                                 # [valid, checked]
    findings: list[Finding] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)                 # inputs that failed to read

    @property
    def overall(self) -> Counts:
        total = Counts()
        for counts in self.types.values():
            total += counts
        return total

    def figures(self) -> dict[str, Any]:
        """The numbers as plain data (the shape of score.py --json)."""
        o = self.overall
        return {
            "precision": o.precision, "recall": o.recall, "f1": o.f1,
            "types": {t: {"p": c.precision, "r": c.recall, "f1": c.f1} for t, c in self.types.items()},
            "attributes": {k: ok / n for k, (ok, n) in self.attributes.items() if n},
            "evidence_valid": (self.evidence[0] / self.evidence[1]
                               if self.evidence and self.evidence[1] else None),
        }


# -- comparing values -----------------------------------------------------------------------------

def loose(text: Any) -> str:
    """Case, diacritics (đ too) and spacing ignored."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.lower().split())


def partner_set(record: Record) -> tuple[str, ...]:
    return tuple(sorted(str(p).upper() for p in record.get("partners") or []))


def same_date(a: Any, b: Any) -> bool:
    """Agree at the coarser precision: 2019-11 agrees with 2019-11-04."""
    if not a or not b:
        return False
    a, b = str(a), str(b)
    shorter, longer = sorted((a, b), key=len)
    return bool(longer.startswith(shorter))


def year_of(date: Any) -> str | None:
    return str(date)[:4] if date else None


def near(a: Any, b: Any, rel: float = 0.01) -> bool:
    """``a`` within ``rel`` of the reference ``b``."""
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(x - y) <= rel * max(abs(y), 1e-9)


# -- matching rules, one per type ---------------------------------------------------------------

def _meeting(g: Record, p: Record) -> bool:
    if p.get("mechanism") != g.get("mechanism"):
        return False
    if g.get("ordinal") is not None:
        return bool(p.get("ordinal") == g["ordinal"])
    return same_date(p.get("date"), g["date"]) if g.get("date") else True


def _partnership(g: Record, p: Record) -> bool:
    return p.get("level") == g.get("level")


def _document(g: Record, p: Record) -> bool:
    if p.get("kind") != g.get("kind"):
        return False
    if g.get("period"):
        return bool(str(p.get("period") or "") == g["period"])
    return year_of(p.get("date")) == year_of(g["date"]) if g.get("date") else True


def _indicator(g: Record, p: Record) -> bool:
    return (p.get("metric") == g.get("metric") and str(p.get("year")) == str(g.get("year"))
            and bool(p.get("target")) == bool(g.get("target")) and near(p.get("value"), g.get("value")))


_RULES: dict[str, Callable[[Record, Record], bool]] = {
    "meeting": _meeting, "partnership": _partnership, "document": _document, "indicator": _indicator,
}


def matches(gold: Record, pred: Record) -> bool:
    if gold["type"] != pred.get("type"):
        return False
    if gold["type"] == "person":
        return loose(pred.get("name")) in {loose(n) for n in gold["names"]}
    rule = _RULES.get(gold["type"])
    return rule is not None and partner_set(gold) == partner_set(pred) and rule(gold, pred)


def attribute_checks(gold: Record, pred: Record) -> Iterator[tuple[str, bool]]:
    """(attribute, correct) for each attribute the gold states."""
    kind = gold["type"]
    if kind == "meeting":
        if gold.get("date"):
            precise = len(str(pred.get("date"))) >= len(str(gold["date"]))
            yield "meeting.date", same_date(pred.get("date"), gold["date"]) and precise
        if gold.get("online") is not None:
            yield "meeting.online", pred.get("online") == gold["online"]
        if gold.get("location"):
            g, p = loose(gold["location"]), loose(pred.get("location"))
            yield "meeting.location", bool(p) and (g in p or p in g)
    elif kind == "partnership":
        if gold.get("date"):
            yield "partnership.date", year_of(pred.get("date")) == year_of(gold["date"])
    elif kind == "document":
        if gold.get("action"):
            yield "document.action", pred.get("action") == gold["action"]
        if gold.get("completion") is not None:
            yield "document.completion", near(pred.get("completion"), gold["completion"], rel=0.001)


def evidence_valid(record: Record, text: str) -> bool:
    spans = record.get("evidence") or []
    try:
        return bool(spans) and all(
            s["end"] > s["start"] and text[s["start"]:s["end"]] == s["text"] for s in spans)
    except (KeyError, TypeError):
        return False


# -- scoring ----------------------------------------------------------------------------------

def scored(record: Any) -> bool:
    """Is this prediction line one the score looks at?"""
    return (isinstance(record, dict) and record.get("type") in TYPES
            and not (record["type"] == "partnership"
                     and record.get("status", "established") != "established"))


def load_gold(gold_dir: str | Path) -> dict[str, list[Record]]:
    """Article id -> gold facts to find (aspired partnerships dropped, persons as name lists)."""
    gold: dict[str, list[Record]] = {}
    for path in sorted(Path(gold_dir).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        facts = [dict(f) for f in data.get("facts", []) if scored(f)]
        facts += [{"type": "person", "names": names} for names in data.get("persons", [])]
        gold[data["article"]] = facts
    return gold


def score(gold: Mapping[str, list[Record]], predictions: Iterable[Any],
          texts: Mapping[str, str] | None = None) -> Report:
    """Score prediction records; with ``texts`` (article id -> text) also check evidence."""
    by_article: dict[str, list[Record]] = {}
    for record in predictions:
        if scored(record) and record.get("article") in gold:
            by_article.setdefault(record["article"], []).append(record)
    report = Report(evidence=[0, 0] if texts is not None else None)
    for article, facts in gold.items():
        preds = by_article.get(article, [])
        taken: set[int] = set()
        required_first = [g for g in facts if not g.get("optional")] + [g for g in facts if g.get("optional")]
        for g in required_first:
            counts = report.types[g["type"]]
            hit = next((i for i, p in enumerate(preds) if i not in taken and matches(g, p)), None)
            if hit is None:
                if not g.get("optional"):
                    counts.fn += 1
                    report.findings.append(Finding("MISS", article, gold=g))
                continue
            taken.add(hit)
            if g.get("optional"):
                counts.tp_opt += 1
            else:
                counts.tp += 1
            for name, ok in attribute_checks(g, preds[hit]):
                tally = report.attributes.setdefault(name, [0, 0])
                tally[0] += ok
                tally[1] += 1
                if not ok:
                    report.findings.append(Finding("ATTR", article, g, preds[hit], name))
        for i, p in enumerate(preds):
            if i not in taken:
                report.types[p["type"]].fp += 1
                report.findings.append(Finding("EXTRA", article, pred=p))
        if texts is not None and report.evidence is not None:
            text = texts.get(article, "")
            for p in preds:
                if p["type"] != "person":
                    report.evidence[0] += evidence_valid(p, text)
                    report.evidence[1] += 1
    return report


def evaluate(gold_dir: str | Path, corpus_dir: str | Path, *, max_bytes: int | None = None) -> Report:
    """Read and process every corpus article that has a gold file, in-process, and score it."""
    from quanhe.pipeline import process_all
    from quanhe.read import read_paths

    gold = load_gold(gold_dir)
    paths = []
    for article in gold:
        found = sorted(Path(corpus_dir).glob(article + ".*"))
        if found:
            paths.append(found[0])
    if gold and not paths:
        raise UsageError(f"no article in {corpus_dir} has a gold file in {gold_dir}: "
                         "are --gold and --corpus the same set (seeds with seeds, dev with dev)?")
    items = read_paths(paths) if max_bytes is None else read_paths(paths, max_bytes=max_bytes)
    predictions: list[Record] = []
    texts: dict[str, str] = {}
    rejected: list[str] = []
    for item in process_all(items):
        if isinstance(item, Rejected):
            rejected.append(item.message())
        else:
            texts[item.document.id] = item.document.text
            predictions.extend(item.records())
    report = score(gold, predictions, texts)
    report.rejected = rejected
    return report


def format_report(report: Report) -> str:
    """The figures as an aligned table, then attributes, evidence and the overall line."""
    lines = [f"{'type':<12} {'P':>6} {'R':>6} {'F1':>6}   tp  opt   fp   fn"]
    for kind, c in report.types.items():
        lines.append(f"{kind:<12} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} "
                     f"{c.tp:4d} {c.tp_opt:4d} {c.fp:4d} {c.fn:4d}")
    for name, (ok, n) in sorted(report.attributes.items()):
        lines.append(f"attribute {name:<22} {ok}/{n}")
    if report.evidence is not None:
        lines.append(f"evidence spans valid {report.evidence[0]}/{report.evidence[1]}")
    o = report.overall
    lines.append(f"overall P {o.precision:.3f} R {o.recall:.3f}")
    lines.append(f"overall F1 {o.f1:.3f}")
    return "\n".join(lines)
