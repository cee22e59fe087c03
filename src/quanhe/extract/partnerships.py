"""Partnership levels between ASEAN and a partner, with when they were reached."""
from __future__ import annotations

import re
from typing import Any

from quanhe.extract.common import CHAIN, PartnerMemory, chain_near, has_word, partners_of
from quanhe.extract.context import TAG, ArticleContext, SentenceView, compiled, patterns
from quanhe.language.dates import anniversary_year
from quanhe.model import Fact

_ANNIVERSARY = re.compile(r"(?:ky niem|danh dau|tron|sau)\s+(\d{1,3})\s+nam\s+(?:thiet lap\s+|ngay thiet lap\s+|"
                          r"ke tu khi (?:hai ben )?(?:chinh thuc )?thiet lap\s+)?quan he")
_NTH_YEAR = re.compile(r"(sang nam,?.{0,80}?)?(?:buoc sang|la) nam thu (\d{1,3})")
_ESTABLISH_RELATIONS = re.compile(r"thiet lap quan he|lap quan he")


def extract_partnerships(ctx: ArticleContext) -> list[Fact]:
    p = patterns()["partnership"]
    levels = {phrase: code for phrase, code in p["levels"]}
    level_re = compiled(*levels)
    memory = PartnerMemory(ctx)
    found: _Found = {}
    for view in ctx.views:
        hits: list[tuple[int, int, str]] = [(m.start(), m.end(), levels[m.group(0)]) for m in level_re.finditer(view.tagged)]
        named = [a for a, _, _ in hits]    # level phrases as written, not anniversaries
        for m in _ANNIVERSARY.finditer(view.tagged):
            if not any(m.start() <= a <= m.end() + 25 or a <= m.end() <= b for a, b, _ in hits):
                hits.append((m.start(), m.end(), "dialogue_relations"))
        for m in _ESTABLISH_RELATIONS.finditer(view.tagged):
            if not any(a - 30 <= m.start() <= b for a, b, _ in hits) and view.dates:
                hits.append((m.start(), m.end(), "dialogue_relations"))
        for start, end, level in sorted(hits):
            if re.search(r"\b(?:cac|nhung)\s+$", view.tagged[max(0, start - 8):start]):
                continue                                   # "các đối tác đối thoại": partners in general
            if re.search(r"\b(?:tuyen bo(?: chung)?|ke hoach hanh dong|ke hoach|tam nhin)(?: ve)?\s+(?:quan he\s+)?$",
                         view.tagged[max(0, start - 30):start]) and level != "dialogue_relations" \
                    and not re.search(r"\b(?:chinh thuc|da) (?:nang cap|thiet lap|xac lap)\b", view.tagged[end:]):
                continue                                   # "Tuyên bố chung về Đối tác chiến lược ...": a title
            clause_start = max(view.tagged.rfind(";", 0, start), view.tagged.rfind(". ", 0, start), 0)
            before = view.tagged[clause_start:start]
            status = "aspired" if has_word(before[-70:], p["aspired_words"]) else "established"
            if re.match(r"\W*(?:‹[^›]+›\W*){0,4}(?:da |duoc |da duoc )?(?:thiet lap|xac lap|nang cap)\b",
                        view.tagged[end:end + 60]):
                status = "established"                     # "... Đối tác chiến lược ASEAN - EU được thiết lập tại ..."
            clause_end = min([i for i in (view.tagged.find(";", end), view.tagged.find(". ", end)) if i >= 0],
                             default=len(view.tagged))
            chain = chain_near(view, end, end, max(0, min(50, clause_end - end - 1)))
            if chain is None:
                earlier = _chain_before(view, clause_start, start)
                if view.tagged[start:end].startswith(("ky niem", "danh dau", "tron")) or (
                        earlier and partners_of(earlier) is None):
                    chain = earlier                        # "nâng quan hệ Việt Nam - Hoa Kỳ lên ...": bilateral
            if re.search(r"\bhai nuoc\b", before):
                continue                                   # "hai nước": two countries, not ASEAN and a partner
            partners = partners_of(chain) if chain else None
            if chain and partners is None:
                continue                                   # a bilateral relation: not ASEAN's
            if not partners:
                partners = memory.resolve(view)
            if not partners:
                # several partners in the sentence: the one that is the subject of this clause
                subject = _chain_before(view, max(clause_start, view.tagged.rfind(", ", 0, start)), start)
                partners = partners_of(subject) if subject else None
            if not partners:
                continue
            groups: list[tuple[str, ...]]
            if chain and "ASEAN" not in [c for _, c in chain] and len(partners) > 1:
                groups = [(code,) for code in partners]    # "10 đối tác đối thoại, gồm EU, Australia, ..."
            else:
                groups = [partners]
            # a date past the next level phrase is that level's ("nâng lên Đối tác Chiến lược
            # Toàn diện, 45 năm sau khi thiết lập quan hệ đối thoại năm 1977")
            next_level = min((a for a in named if a >= end), default=len(view.tagged))
            date, strength = _date_of(ctx, view, start, end, next_level)
            for group in groups:
                _record(found, group, level, status, date, strength, view)
        memory.see(view)
    facts = []
    for (partners, level, status), body in found.items():
        confidence = 0.85 if body["date"] else 0.6
        facts.append(Fact("partnership", ctx.doc.id, partners, body["date"], tuple(body["evidence"]),
                          confidence if status == "established" else 0.5,
                          {"level": level, "status": status}))
    return facts


_Found = dict[tuple[tuple[str, ...], str, str], dict[str, Any]]


def _record(found: _Found, partners: tuple[str, ...], level: str, status: str, date: str | None,
            strength: int, view: SentenceView) -> None:
    """One fact per (partners, level, status); the surest date (then the most precise), every citing sentence."""
    fact = found.setdefault((partners, level, status), {"date": None, "strength": 0, "evidence": []})
    if date and (strength > fact["strength"] or (
            strength == fact["strength"] and fact["date"] and len(date) > len(fact["date"])
            and date.startswith(fact["date"]))):
        fact["date"], fact["strength"] = date, strength
    if view.evidence not in fact["evidence"]:
        fact["evidence"].append(view.evidence)


def _chain_before(view: SentenceView, clause_start: int, start: int) -> list[tuple[str, str]] | None:
    """The last run of names before the phrase, in its clause ("ASEAN-New Zealand kỷ niệm 45 năm");
    a place alone ("tại Phnom Penh") names no party."""
    found = None
    for m in CHAIN.finditer(view.tagged, clause_start, start):
        chain = [(t.group(1), t.group(2)) for t in TAG.finditer(m.group(0))]
        if not all(k == "L" and c not in ("east_asia", "mekong") for k, c in chain):
            found = chain
    return found


def _reaching() -> re.Pattern[str]:
    return compiled(*patterns()["partnership"]["reaching_words"])


def _date_of(ctx: ArticleContext, view: SentenceView, start: int, end: int,
             next_level: int) -> tuple[str | None, int]:
    """When the level was reached, and how surely (3 stated, 2 counted, 1 the article's own day).
    ``next_level``: where the sentence's next level phrase starts (tagged offsets)."""
    tagged = view.tagged
    clause_start = max(tagged.rfind(";", 0, start), 0)
    semicolon = tagged.find(";", end)
    clause_end = min(semicolon if semicolon >= 0 else len(tagged), next_level)
    canon_start, canon_end = view.canon_pos(start), view.canon_pos(end)
    canon_clause = (view.canon_pos(clause_start), view.canon_pos(clause_end))
    anniversary = _ANNIVERSARY.search(tagged, max(0, start - 40), end + 5)
    if anniversary and anniversary.start() <= start <= anniversary.end() + 30:
        # "kỷ niệm 45 năm quan hệ đối thoại" counts back from the year it is celebrated in
        base = _base_year(ctx, view, view.canon_pos(anniversary.start()))
        if base:
            return str(anniversary_year(int(anniversary.group(1)), base)), 2
    stated = [d for d in view.dates if not d.relative and not d.date.startswith("--")
              and (d.year_stated or len(d.date) >= 7)]
    after = [d for d in stated if canon_end <= d.start <= min(canon_end + 150, canon_clause[1])]
    if after:
        return _month(after[0].date), 3
    verb_between = None
    before = [d for d in stated if canon_clause[0] <= d.start < canon_start]
    if before:
        verb_between = _reaching().search(view.folded, before[-1].end, canon_start)
        if verb_between:
            return _month(before[-1].date), 3               # "Năm 2021, hai bên nâng quan hệ lên ..."
    nth = _NTH_YEAR.search(tagged)
    if nth:
        base = _base_year(ctx, view)
        if base:
            return str(base + (1 if nth.group(1) else 0) - int(nth.group(2))), 2
    establishing = _reaching().search(tagged, max(clause_start, start - 60), start)
    relative = [d for d in view.dates if d.relative and len(d.date) >= 4]
    if establishing and relative:
        return relative[0].date, 2
    if establishing and not view.dates and ctx.lead_date:
        return _month(ctx.lead_date), 1                     # upgraded at the meeting the article reports
    return None, 0


def _month(date: str) -> str:
    return date[:7] if len(date) >= 7 else date


def _base_year(ctx: ArticleContext, view: SentenceView, near: int | None = None) -> int | None:
    """The year an anniversary counts from: the stated date nearest to it in the sentence
    ("kỷ niệm 50 năm ... tháng 12/2023"), else the article's year."""
    stated = [d for d in view.dates if d.year_stated and not d.relative and not d.date.startswith("--")]
    if stated:
        anchor = near if near is not None else 0
        return int(min(stated, key=lambda d: abs(d.start - anchor)).date[:4])
    if ctx.ref and ctx.ref_precision:
        return ctx.ref.year
    return None


