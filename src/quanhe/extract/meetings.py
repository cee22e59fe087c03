"""Meetings of ASEAN mechanisms: summits, ministers' meetings, dialogues, committees.

``meeting_names`` reads how a meeting is named (head, parties, ordinal); this module decides
which names are meetings (not plurals, institutions, bilateral talks or series), when and where
each was, adds meetings said without a name (senior officials, leaders adopting together), and
fuses the mentions of one meeting in an article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from quanhe.extract.common import has_word, same_day
from quanhe.extract.context import ArticleContext, SentenceView, compiled, patterns
from quanhe.extract.meeting_names import (
    Head,
    acronyms,
    elided,
    find_heads,
    mechanism_of,
    more_ordinals,
    ordinal_of,
    party_chain,
    sector_of,
    starts_with_head,
)
from quanhe.language.charclass import UPPER
from quanhe.language.dates import DateMention
from quanhe.model import Evidence, Fact


@dataclass
class MeetingMention:
    mechanism: str
    partners: tuple[str, ...]
    ordinal: int | None
    date: str | None
    end_date: str | None
    online: bool | None
    location: str | None
    special: bool
    status: str
    evidence: list[Evidence] = field(default_factory=list)
    order: int = 0
    framework: bool = False   # "trong khuôn khổ / bên lề / nhân Hội nghị ...": the event the article reports


# "... quan hệ được thiết lập năm 2018", "kể từ năm 2010": a year of history, not the meeting's
_HISTORY = re.compile(r"(?:thiết lập|thành lập|xác lập|nâng cấp|kể từ|từ)\s+(?:vào\s+)?(?:năm\s+)?$", re.IGNORECASE)


def _pick_date(view: SentenceView, head_canon: int) -> DateMention | None:
    candidates = [d for d in view.dates if not d.date.startswith("--")
                  and (not re.fullmatch(r"\d{4}", d.date) or "năm" in view.canon[max(0, d.start - 8):d.end])
                  and not (re.fullmatch(r"\d{4}", d.date) and _HISTORY.search(view.canon[max(0, d.start - 30):d.start]))]
    if any(not d.relative for d in candidates):
        candidates = [d for d in candidates if not d.relative]   # "Ngày mai (13/11)": the written day wins
    if not candidates:
        return None
    after = [d for d in candidates if d.start >= head_canon]
    before = [d for d in candidates if d.start < head_canon]
    chosen = after[0] if after and (not before or after[0].start - head_canon < 80) else (
        before[-1] if before else after[0])
    # "Ngày 18/3, ... bế mạc sau hai ngày làm việc (17-18/3)": the range the day belongs to
    for d in candidates:
        if d.end_date and not chosen.end_date and len(chosen.date) == 10 and d.date <= chosen.date <= d.end_date:
            return d
    return chosen


def _location(view: SentenceView, head_canon: int) -> str | None:
    """Where the meeting was: a place after "tại"/"ở", after the head first, else before it."""
    lead = re.compile(patterns()["meeting"]["location_lead"])
    venues = [m for m in view.mentions if m.kind in ("place", "member", "partner")
              and m.code not in ("east_asia", "mekong", "regions")
              and lead.search(view.folded[max(0, m.start - 45):m.start])]
    after = [m for m in venues if m.start >= head_canon]
    before = [m for m in venues if m.start < head_canon]
    near = [m for m in after if m.start - head_canon < 100]
    cities = [m for m in near if m.kind == "place"]
    if cities:
        chosen = cities[0]                         # "tại Hoa Kỳ ..., tại thủ đô Washington D.C.": the city
    elif after and (not before or after[0].start - head_canon < 100):
        chosen = after[0]
    elif before:
        chosen = before[-1]
    else:
        # a venue the gazetteer does not know: the capitalised words after "tại"/"ở"
        unknown = re.search(r"\b(?:tại|ở)\s+(?:(?:thành phố|thủ đô|đảo|bang)\s+)?((?:" + UPPER + r"[\w-]*\s?){1,3})",
                            view.canon[head_canon:])
        if unknown is None:
            return None
        at = head_canon + unknown.start(1)
        if any(m.start <= at < m.end for m in view.mentions) or unknown.group(1).isupper():
            return None                            # a known name that is no venue ("ở ASEAN", "tại EU")
        if starts_with_head(view.folded, at):
            return None                            # "Phát biểu tại Hội nghị": the meeting, not a place
        return unknown.group(1).strip()
    return view.canon[chosen.start:chosen.end]


def _has(view_text: str, words: list[str]) -> bool:
    return bool(compiled(*words).search(view_text))


@dataclass
class _ListState:
    """What the previous head of the sentence was: meetings are often named in lists."""

    level: str | None = None
    plural: bool = False      # "các Hội nghị Bộ trưởng ..., Cấp cao ...": the list is generic
    example: bool = False     # "như Hội nghị Cấp cao Đông Á và ...": institutions given as examples


def meetings_in(ctx: ArticleContext) -> list[MeetingMention]:
    """Every meeting mention of the article, in order, before fusion."""
    mentions: list[MeetingMention] = []
    article_has_ministers = any(h.level == "ministers" for v in ctx.views for h in find_heads(v))
    for index, view in enumerate(ctx.views):
        heads = find_heads(view)
        state = _ListState()
        for i, head in enumerate(heads):
            mention = _mention_at(ctx, view, heads, i, state, article_has_ministers, mentions, index)
            if mention is None:
                continue
            mention.order = index * 100 + i
            mentions.append(mention)
            for number in more_ordinals(view, head, mention.ordinal):
                twin = replace(mention, ordinal=number, evidence=list(mention.evidence))
                mentions.append(twin)           # "Hội nghị Cấp cao ASEAN lần thứ 40 và 41"
            limit = heads[i + 1].start if i + 1 < len(heads) else len(view.tagged)
            for partners, elided_ordinal in elided(view.tagged[head.end:limit]):
                mentions.append(replace(mention, partners=partners, ordinal=elided_ordinal,
                                        evidence=list(mention.evidence)))
        mentions.extend(_acronym_meetings(view, heads, index))
        mentions.extend(_implied_meetings(ctx, view, index))
    mentions.extend(_joint_ministers(ctx))
    return mentions


def _mention_at(ctx: ArticleContext, view: SentenceView, heads: list[Head], i: int, state: _ListState,
                article_has_ministers: bool, earlier: list[MeetingMention], index: int) -> MeetingMention | None:
    """The meeting named by head ``i`` of the sentence, or None when it names none."""
    p = patterns()["meeting"]
    head = heads[i]
    limit = heads[i + 1].start if i + 1 < len(heads) else len(view.tagged)
    semi = view.tagged.find(";", head.end, limit)
    limit = semi if semi >= 0 else limit
    tail = view.tagged[head.end:min(limit, head.end + 200)]
    before = view.tagged[max(0, head.start - 40):head.start]
    listed = bool(re.search(r"(?:,|\bva)\s*$", before))
    if compiled(*p["related_words"]).match(tail.strip()):
        return None                                # "các Hội nghị Cấp cao liên quan"
    if re.search(r"\bthuong nien\b[^;.]{0,40}\b(?:tu|ke tu)\s+(?:nam\s+)?\d{4}", tail[:80]):
        return None                                # "hội nghị cấp cao thường niên từ năm 2021": a series
    if head.level == "dialogue" and re.search(r"(?:quan he|doi tac|nuoc|co che)\s+$", before):
        return None                                # "quan hệ đối thoại ASEAN-X": a level, not a meeting
    if re.search(r"\bnhu\s+$", before) or (state.example and listed):
        state.example = True
        return None                                # "các cơ chế như Hội nghị Cấp cao Đông Á": an institution
    state.example = False
    parsed = ([("O", "ASEAN")], 0, 0) if head.level == "arf" else party_chain(tail)
    bare = head.text in p["bare_heads"]
    level, generic = head.level, head.level == "generic"
    if bare and listed and state.level == "ministers" and level == "summit":
        level = "ministers"                        # "Hội nghị Bộ trưởng ASEAN+3, Cấp cao Đông Á (EAS)"
    if generic:
        level = "ministers" if article_has_ministers else "summit"
    chain, chain_start, chain_end = parsed if parsed else ([], 0, 0)
    if chain and ("O", "ASEAN") in chain and re.search(r"‹O:ASEAN›\s*[-–]\s*[a-z]", tail[chain_start:chain_end + 12]):
        return None                                # "ASEAN - GCC": a counterpart we have no code for
    ordinal = ordinal_of(view, head.end, tail, before, chain_end, head.start)
    sector = sector_of(head.text + " " + tail[:chain_start]) if level == "ministers" else ""
    if not chain:
        chain = _unnamed_parties(view, head, level, bare, generic, before, tail)
        if not chain:
            state.level = head.level
            return None
    resolved = mechanism_of(level, chain, sector)
    state.level = level
    if resolved is None or resolved[0] is None:
        return None
    mechanism, partners = resolved
    if generic and not partners:
        return None
    if ordinal is None and not partners and re.search(r"\bday (?:cung )?la\s+$", before):
        return None                                # "Đây là hội nghị cấp cao đầu tiên ...": the one just named
    if bare and ordinal is None and not partners and mechanism not in ("east_asia_summit", "eas_ministers"):
        return None                                # "cấp cao" alone names no meeting
    if mechanism in ("east_asia_summit", "arf") and ordinal is None and not view.dates:
        return None                                # the EAS, the ARF as institutions
    plural = bool(re.search(r"\b(?:" + "|".join(p["plural_words"]) + r")\s+$", before))
    if (plural or (state.plural and listed and bare)) and ordinal is None:
        state.plural = True
        return None                                # "các Hội nghị Cấp cao": a plural, not one meeting
    state.plural = False
    head_canon = view.canon_pos(head.start)
    name_part = head.text + " " + tail[:min(len(tail), chain_end + 60)]
    date_value, end_date = _when(ctx, view, head_canon, index)
    status = "planned" if _has(view.folded, p["planned_words"]) else "held"
    if status == "planned" and date_value and len(date_value) >= 7 and ctx.published \
            and date_value[:7] < ctx.published[:7] and not _year_written(view, date_value):
        date_value = _next_year(date_value)        # "dự kiến ... vào tháng 10 tới": the coming October
        end_date = _next_year(end_date) if end_date else None
    if date_value and ctx.published and len(date_value) >= 10 and len(ctx.published) >= 10 \
            and date_value > ctx.published:
        status = "planned"
    online = True if _has(view.folded, p["online_words"]) else (
        False if _has(view.folded, p["in_person_words"]) else None)
    return MeetingMention(
        mechanism=mechanism, partners=partners, ordinal=ordinal, date=date_value, end_date=end_date,
        online=online, location=_location(view, head_canon), special=_has(name_part, p["special_words"]),
        status=status, evidence=[view.evidence],
        framework=bool(re.search(r"\b(?:trong khuon kho|ben le|nhan dip|nhan)\s+$", before)
                       or re.fullmatch(r"\W*(?:tai\s+)?", view.tagged[:head.start])),   # "Tại Hội nghị X, ...": reported
    )


def _year_written(view: SentenceView, date: str) -> bool:
    return any(d.date == date and (d.year_stated or d.relative) for d in view.dates)


def _next_year(date: str) -> str:
    return str(int(date[:4]) + 1) + date[4:]


def _unnamed_parties(view: SentenceView, head: Head, level: str, bare: bool, generic: bool, before: str,
                     tail: str) -> list[tuple[str, str]]:
    """The parties of a meeting named without them: the one partner the sentence names, or ASEAN."""
    partners_here = view.partners()
    if level == "summit" and not bare and not generic and len(partners_here) == 1 \
            and not re.search(r"\b(?:cac|nhung)\s+$", before):
        return [("O", "ASEAN"), ("P", partners_here[0])]
    if re.match(r"\s*voi ‹O:ASEAN›", tail):
        return []                                  # "Hội nghị Cấp cao với ASEAN": whose is said elsewhere
    if level == "som" or (head.text.startswith(("hoi nghi", "cuoc hop")) and level == "summit"
                          and "‹O:ASEAN›" in tail[:70] and not generic):
        return [("O", "ASEAN")] + [("P", c) for c in partners_here[:1]]
    return []


def _when(ctx: ArticleContext, view: SentenceView, head_canon: int, index: int) -> tuple[str | None, str | None]:
    """(date, end date) of a meeting: its sentence's date, "cùng ngày", or "vừa qua" in the news."""
    date = _pick_date(view, head_canon)
    if date is not None:
        return date.date, date.end_date
    day = same_day(ctx, index)
    if day:
        return day, None
    if _has(view.folded, patterns()["meeting"]["recent_words"]) and ctx.published:
        return ctx.published[:7], None
    return None, None


def _implied_meetings(ctx: ArticleContext, view: SentenceView, index: int) -> list[MeetingMention]:
    """Meetings stated without their name: senior officials meeting, leaders adopting together."""
    out: list[MeetingMention] = []
    folded = view.folded
    p = patterns()["meeting"]
    if has_word(folded, p["senior_officials"]) and re.search(r"(?<!\w)họp\b|hội nghị", view.canon.lower()):
        chain = re.search(r"‹O:ASEAN›\s*(?:[-–]|va|voi)\s*‹P:(\w+)›", view.tagged)
        mechanism, partners = ("asean_partner_dialogue", (chain.group(1),)) if chain else ("som", ())
        out.append(_simple(ctx, view, index, mechanism, partners))
    leaders = re.search(r"lanh dao (?:cac nuoc )?‹O:ASEAN›\s*(?:,|va)\s*‹P:(\w+)›|lanh dao ‹P:(\w+)› va[^.;]{0,40}‹O:ASEAN›",
                        view.tagged)
    if leaders and has_word(folded, p["joint_acts"]):
        code = leaders.group(1) or leaders.group(2)
        out.append(_simple(ctx, view, index, "asean_partner_summit", (code,)))
    return out


def _simple(ctx: ArticleContext, view: SentenceView, index: int, mechanism: str,
            partners: tuple[str, ...]) -> MeetingMention:
    p = patterns()["meeting"]
    date = _pick_date(view, 0)
    return MeetingMention(
        mechanism, partners, None, date.date if date else None, date.end_date if date else None,
        True if _has(view.folded, p["online_words"]) else None, _location(view, 0), False,
        "planned" if _has(view.folded, p["planned_words"]) else "held", [view.evidence], index * 100 + 98)


def _joint_ministers(ctx: ArticleContext) -> list[MeetingMention]:
    """"Các Bộ trưởng Ngoại giao ASEAN ..." and "Các Bộ trưởng Ngoại giao EU ...": their meeting."""
    asean = [i for i, v in enumerate(ctx.views) if "bo truong ngoai giao ‹O:ASEAN›" in v.tagged]
    if not asean or not any("hoi nghi" in v.folded for v in ctx.views):
        return []
    out = []
    for i, v in enumerate(ctx.views):
        for m in re.finditer(r"cac bo truong ngoai giao ‹P:(\w+)›", v.tagged):
            out.append(_simple(ctx, v, i, "asean_partner_ministers", (m.group(1),)))
    return out


def _acronym_meetings(view: SentenceView, heads: list[Head], index: int) -> list[MeetingMention]:
    """"Tại ASEAN-43", "AMM-44" with no head in front: the acronym names the meeting."""
    out: list[MeetingMention] = []
    pattern, mechanism_of = acronyms()
    found = [(m.start(), mechanism_of[m.group(1)], int(m.group(2))) for m in pattern.finditer(view.tagged)]
    found += [(m.start(), "asean_summit", int(m.group(1)))
              for m in re.finditer(r"‹O:ASEAN›[-–](\d{1,2})(?![\d/%]|[.,]\d)", view.tagged)]
    for start, mechanism, number in sorted(found):
        if any(h.start <= start <= h.end for h in heads):
            continue                               # part of a head's own words
        date = _pick_date(view, view.canon_pos(start))
        out.append(MeetingMention(mechanism, (), number, date.date if date else None,
                                  date.end_date if date else None, None, None, False, "held",
                                  [view.evidence], index * 100 + 99))
    return out


def _lead_venue(ctx: ArticleContext) -> str | None:
    """Where the article's opening event is: "Manila, Phi Luật Tân: ..." or "tại <city>" in the lead."""
    lead = re.compile(patterns()["meeting"]["location_lead"])
    for index, view in enumerate(ctx.views[:2]):
        heads = [h.end for h in find_heads(view)]
        for m in view.mentions:
            if m.kind != "place" or m.code in ("east_asia", "mekong", "regions"):
                continue
            opening = index == 0 and m.start == 0 and view.canon[m.end:m.end + 2].startswith((",", ":", " ("))
            # "Ngày 26/10, tại Kuala Lumpur, ...", or right after a meeting's name; not "lập Trung tâm ... tại"
            placed = m.start < 40 or any(0 <= m.start - view.canon_pos(end) <= 80 for end in heads)
            if opening or (placed and lead.search(view.folded[max(0, m.start - 45):m.start])):
                return view.canon[m.start:m.end]
    return None


def _series_online(ctx: ArticleContext) -> str | None:
    """The month of a summit series said to be held online together with its related meetings."""
    for view in ctx.views:
        if re.search(r"\blien quan\b", view.folded) and _has(view.folded, patterns()["meeting"]["online_words"]):
            dates = [d.date for d in view.dates if not d.date.startswith("--")]
            if dates:
                return dates[0][:7]
            if ctx.published:
                return ctx.published[:7]
    return None


def _dates_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _merge(into: MeetingMention, other: MeetingMention) -> None:
    for e in other.evidence:
        if e not in into.evidence:
            into.evidence.append(e)
    if other.date and (not into.date or (len(other.date) > len(into.date) and other.date.startswith(into.date))):
        into.date, into.end_date = other.date, other.end_date or into.end_date
    into.online = into.online if into.online is not None else other.online
    into.location = into.location or other.location
    into.special = into.special or other.special
    into.framework = into.framework or other.framework


def fuse_meetings(mentions: list[MeetingMention]) -> list[MeetingMention]:
    """One meeting per real meeting in the article: by ordinal, else by compatible dates."""
    facts: list[MeetingMention] = []
    for m in sorted(mentions, key=lambda m: (m.ordinal is None, m.order)):
        same = [f for f in facts if f.mechanism == m.mechanism and f.partners == m.partners]
        if m.ordinal is not None:
            target = next((f for f in same if f.ordinal == m.ordinal), None)
        else:
            target = next((f for f in same if _dates_agree(f.date, m.date)), None)
        if target is None:
            facts.append(m)
        else:
            _merge(target, m)
    return sorted(facts, key=lambda f: f.order)


def extract_meetings(ctx: ArticleContext) -> list[Fact]:
    facts = []
    lead = {v.sentence.start for v in ctx.views[:2]}
    series_online = _series_online(ctx)
    lead_venue = _lead_venue(ctx)
    for m in fuse_meetings(meetings_in(ctx)):
        date_source = "text" if m.date else None
        if m.date is None and ctx.published and (m.status == "planned" or m.framework
                                                 or lead & {e.start for e in m.evidence}):
            # announced in the news, or the event the article opens with: the publication month
            m.date, date_source = ctx.published[:7], "published"
        if m.location is None and lead_venue and (m.status == "planned" or m.framework
                                                  or lead & {e.start for e in m.evidence}):
            m.location = lead_venue                # "Trong ba ngày tại Kuala Lumpur, Thủ tướng sẽ dự ..."
        if m.online is None and series_online and _dates_agree(m.date, series_online):
            m.online = True                        # "... và các Hội nghị Cấp cao liên quan ... trực tuyến"
        attributes = {
            "mechanism": m.mechanism, "ordinal": m.ordinal, "end_date": m.end_date,
            "online": m.online, "location": m.location, "special": m.special, "status": m.status,
            "date_source": date_source,
        }
        confidence = 0.9 if m.ordinal is not None else 0.75
        facts.append(Fact("meeting", ctx.doc.id, m.partners, m.date, tuple(m.evidence), confidence, attributes))
    return facts
