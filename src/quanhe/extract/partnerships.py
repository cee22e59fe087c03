"""Partnership levels between ASEAN and a partner, with when they were reached."""
from __future__ import annotations

import re

from quanhe.extract.common import PartnerMemory, chain_near, has_word, partners_of, year_near
from quanhe.extract.context import ArticleContext, compiled, patterns
from quanhe.language.dates import anniversary_year
from quanhe.model import Evidence, Fact

_ANNIVERSARY = re.compile(r"(?:ky niem|danh dau|tron)\s+(\d{1,3})\s+nam\s+(?:thiet lap\s+|ngay thiet lap\s+)?quan he")
_NTH_YEAR = re.compile(r"(sang nam,?.{0,80}?)?buoc sang nam thu (\d{1,3})")
_ESTABLISH_RELATIONS = re.compile(r"thiet lap quan he|lap quan he")


def extract_partnerships(ctx: ArticleContext) -> list[Fact]:
    p = patterns()["partnership"]
    levels = {phrase: code for phrase, code in p["levels"]}
    level_re = compiled(*levels)
    memory = PartnerMemory(ctx)
    found: dict[tuple[tuple[str, ...], str, str], dict] = {}
    for view in ctx.views:
        hits: list[tuple[int, int, str]] = [(m.start(), m.end(), levels[m.group(0)]) for m in level_re.finditer(view.tagged)]
        for m in _ANNIVERSARY.finditer(view.tagged):
            if not any(m.start() <= a <= m.end() + 25 or a <= m.end() <= b for a, b, _ in hits):
                hits.append((m.start(), m.end(), "dialogue_relations"))
        for m in _ESTABLISH_RELATIONS.finditer(view.tagged):
            if not any(a - 30 <= m.start() <= b for a, b, _ in hits) and view.dates:
                hits.append((m.start(), m.end(), "dialogue_relations"))
        for start, end, level in sorted(hits):
            clause_start = max(view.tagged.rfind(";", 0, start), view.tagged.rfind(". ", 0, start), 0)
            before = view.tagged[clause_start:start]
            status = "aspired" if has_word(before[-70:], p["aspired_words"]) else "established"
            if re.match(r"\W*(?:‹[^›]+›\W*){0,4}(?:da |duoc |da duoc )?(?:thiet lap|xac lap|nang cap)\b",
                        view.tagged[end:end + 60]):
                status = "established"                     # "... Đối tác chiến lược ASEAN - EU được thiết lập tại ..."
            clause_end = min([i for i in (view.tagged.find(";", end), view.tagged.find(". ", end)) if i >= 0],
                             default=len(view.tagged))
            chain = chain_near(view, end, end, max(0, min(50, clause_end - end - 1)))
            if chain is None and view.tagged[start:end].startswith(("ky niem", "danh dau", "tron")):
                chain = _chain_before(view, clause_start, start)
            partners = partners_of(chain) if chain else None
            if chain and partners is None:
                continue                                   # a bilateral relation: not ASEAN's
            if not partners:
                partners = memory.resolve(view)
            if not partners:
                continue
            if chain and "ASEAN" not in [c for _, c in chain] and len(partners) > 1:
                groups = [(code,) for code in partners]    # "10 đối tác đối thoại, gồm EU, Australia, ..."
            else:
                groups = [partners]
            for group in groups:
                _record(found, group, level, status, _date_of(ctx, view, start, end), view)
        memory.see(view)
    facts = []
    for (partners, level, status), body in found.items():
        confidence = 0.85 if body["date"] else 0.6
        facts.append(Fact("partnership", ctx.doc.id, partners, body["date"], tuple(body["evidence"]),
                          confidence if status == "established" else 0.5,
                          {"level": level, "status": status}))
    return facts


def _record(found: dict, partners: tuple[str, ...], level: str, status: str, date: str | None, view) -> None:
    """One fact per (partners, level, status); the most precise date, every citing sentence."""
    fact = found.setdefault((partners, level, status), {"date": None, "evidence": []})
    if date and (not fact["date"] or (len(date) > len(fact["date"]) and date.startswith(fact["date"]))):
        fact["date"] = date
    if view.evidence not in fact["evidence"]:
        fact["evidence"].append(view.evidence)


def _chain_before(view, clause_start: int, start: int) -> list[tuple[str, str]] | None:
    """The last run of names before the phrase, in its clause ("ASEAN-New Zealand kỷ niệm 45 năm")."""
    found = None
    position = clause_start
    while True:
        chain = chain_near(view, position, position, max(0, start - position - 1))
        if chain is None:
            return found
        found = chain
        nxt = view.tagged.find("›", position, start)
        if nxt < 0:
            return found
        position = nxt + 1


def _date_of(ctx: ArticleContext, view, start: int, end: int) -> str | None:
    """When the level was reached: a year after the phrase, an anniversary, or "năm thứ N"."""
    tagged = view.tagged
    window = tagged[max(0, start - 60):min(len(tagged), end + 160)]
    anniversary = _ANNIVERSARY.search(window)
    nth = _NTH_YEAR.search(tagged)
    canon_end = view.canon_pos(end)
    explicit = year_near(view, canon_end, after_only=True, window=150)
    if explicit and not explicit.relative and explicit.year_stated and not anniversary:
        return explicit.date[:7] if len(explicit.date) >= 7 else explicit.date
    if anniversary:
        base = _base_year(ctx, view)
        return str(anniversary_year(int(anniversary.group(1)), base)) if base else None
    if nth:
        base = _base_year(ctx, view)
        if base:
            return str(base + (1 if nth.group(1) else 0) - int(nth.group(2)))
    if explicit and explicit.relative and len(explicit.date) >= 4:
        return explicit.date
    return None


def _base_year(ctx: ArticleContext, view) -> int | None:
    """The year an anniversary counts from: a year the sentence states, else the article's."""
    for d in view.dates:
        if d.year_stated and not d.relative and re.fullmatch(r"\d{4}", d.date):
            return int(d.date)
    if ctx.ref and ctx.ref_precision:
        return ctx.ref.year
    return None


__all__ = ["extract_partnerships", "Evidence"]
