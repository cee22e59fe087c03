"""Fuse: the facts every article states -> one canonical fact per real-world event.

Facts fall into *blocks* (type + partners + mechanism / level / kind / metric / name); only facts
of one block can be the same event, so a block is fused on its own and re-fused when one of its
facts changes. Inside a block, facts are grouped by their *fusion key* (RECORDS-style: a meeting
is mechanism + partners + ordinal, or + date without one; a milestone partners + level; a
document partners + kind + period/title; a figure partners + metric + year + target). Each
canonical fact keeps every supporting fact, the most precise date they agree on, the
disagreements as ``Conflict`` values, and what was inferred (``Inference``) with its reason.

Pure functions over plain data: the store feeds mentions in and keeps what comes out.
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from functools import lru_cache
from importlib import resources
from typing import Any

from quanhe.normalize import fold

ID_PREFIX = {"meeting": "mtg", "partnership": "ptn", "document": "doc", "indicator": "fig",
             "person": "per"}


@dataclass(frozen=True, slots=True)
class Mention:
    """One stored fact, as fusion sees it: its row id, its record and its article's date."""

    fact_id: int
    record: dict[str, Any]
    published: str | None = None

    @property
    def article(self) -> str:
        return str(self.record["article"])

    @property
    def date(self) -> str | None:
        value = self.record.get("date")
        return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class Conflict:
    """Sources disagree on ``field`` beyond tolerance: each value with the articles stating it."""

    field: str
    values: tuple[tuple[Any, tuple[str, ...]], ...]
    note: str

    def to_record(self) -> dict[str, Any]:
        return {"field": self.field, "note": self.note,
                "values": [{"value": v, "articles": list(a)} for v, a in self.values]}


@dataclass(frozen=True, slots=True)
class Inference:
    """A value no source states, derived from others; ``reason`` says how."""

    field: str
    value: Any
    reason: str

    def to_record(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class CanonicalFact:
    id: str                                  # stable: derived from the fusion key
    key: str                                 # the fusion key; unique among canonical facts
    block: str
    type: str
    partners: tuple[str, ...]
    date: str | None
    attributes: dict[str, Any]
    support: tuple[Mention, ...]             # every fact that states it, by article
    conflicts: tuple[Conflict, ...] = ()
    inferred: tuple[Inference, ...] = ()

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(sorted({m.article for m in self.support}))

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"id": self.id, "type": self.type, "key": self.key}
        if self.type != "person":
            record["partners"] = list(self.partners)
            record["date"] = self.date
        record.update(self.attributes)
        record["articles"] = list(self.articles)
        record["facts"] = sorted(m.fact_id for m in self.support)
        record["conflicts"] = [c.to_record() for c in self.conflicts]
        record["inferred"] = [i.to_record() for i in self.inferred]
        return record


@dataclass(frozen=True)
class Rules:
    value_tolerance: float
    meeting_days: int
    mechanisms: tuple[str, ...]
    default_partners: dict[str, tuple[str, ...]]
    annual: frozenset[str]
    annual_partner_summits: frozenset[str]
    joint_sessions: frozenset[str]
    max_series_step: int
    levels: tuple[str, ...]
    actions: tuple[str, ...]
    generic_title_words: int


@lru_cache(maxsize=1)
def rules() -> Rules:
    raw = tomllib.loads(resources.files("quanhe.data").joinpath("fusion.toml").read_text("utf-8"))
    return Rules(
        value_tolerance=float(raw["tolerance"]["value"]),
        meeting_days=int(raw["tolerance"]["meeting_days"]),
        mechanisms=tuple(raw["meeting"]["mechanisms"]),
        default_partners={k: tuple(v) for k, v in raw["meeting"]["default_partners"].items()},
        annual=frozenset(raw["meeting"]["annual"]),
        annual_partner_summits=frozenset(raw["meeting"]["annual_partner_summits"]),
        joint_sessions=frozenset(raw["meeting"]["joint_sessions"]),
        max_series_step=int(raw["meeting"]["max_series_step"]),
        levels=tuple(raw["partnership"]["levels"]),
        actions=tuple(raw["document"]["actions"]),
        generic_title_words=int(raw["document"]["generic_title_words"]),
    )


# -- blocks ----------------------------------------------------------------------------------------

def block_of(record: dict[str, Any]) -> str:
    """The block a fact record belongs to: facts of different blocks are never one event."""
    kind = str(record.get("type"))
    if kind == "person":
        return "person|" + _folded_key(str(record.get("name", "")))
    partners = ",".join(sorted(record.get("partners") or []))
    what = {"meeting": "mechanism", "partnership": "level", "document": "kind",
            "indicator": "metric"}.get(kind)
    return f"{kind}|{partners}|{record.get(what) if what else ''}"


def fuse_block(mentions: Sequence[Mention]) -> list[CanonicalFact]:
    """The canonical facts of one block's mentions (all of one ``block_of``)."""
    if not mentions:
        return []
    kind = str(mentions[0].record["type"])
    fuser = {"meeting": _fuse_meetings, "partnership": _fuse_partnerships,
             "document": _fuse_documents, "indicator": _fuse_indicators,
             "person": _fuse_persons}.get(kind)
    if fuser is None:
        return []
    facts = fuser(sorted(mentions, key=lambda m: (m.article, m.fact_id)))
    return _unique_keys(facts)


def fuse(mentions: Iterable[Mention]) -> list[CanonicalFact]:
    """Every block fused (convenience for small sets and tests)."""
    blocks: dict[str, list[Mention]] = {}
    for m in mentions:
        blocks.setdefault(block_of(m.record), []).append(m)
    return [fact for block in sorted(blocks) for fact in fuse_block(blocks[block])]


# -- meetings ---------------------------------------------------------------------------------------

@dataclass
class _Group:
    """Mentions of one meeting, on their way to a canonical fact."""

    members: list[Mention]
    conflict: Conflict | None = None
    fixed_ordinal: int | None = None    # the ordinal the series gives it, over what sources say
    ordinal_inferred: bool = False      # no source states ``fixed_ordinal``
    by_date: bool = False               # keyed by its date; ``ordinal`` is what sources state, if any
    keep_ordinal: bool = True           # False: the stated ordinal is disputed, shown as a conflict


def _fuse_meetings(mentions: list[Mention]) -> list[CanonicalFact]:
    r = rules()
    tol = r.meeting_days
    by_ordinal: dict[int, list[Mention]] = {}
    loose: list[Mention] = []
    # "other" meetings carry no name: two 6th meetings of different frameworks are not one, so
    # they fuse by ordinal and date together
    unnamed = mentions[0].record.get("mechanism") == "other"
    for m in mentions:
        ordinal = m.record.get("ordinal")
        if isinstance(ordinal, int) and not unnamed:
            by_ordinal.setdefault(ordinal, []).append(m)
        else:
            loose.append(m)

    # One ordinal given to meetings of different years: the sources the most articles back keep
    # it; the others are a different meeting whose ordinal a source got wrong ("lần thứ 19" for
    # the 20th). For an annual mechanism the series says which one; else it is keyed by date.
    misnumbered: list[tuple[int, list[Mention]]] = []
    for ordinal, members in list(by_ordinal.items()):
        years = _year_clusters(members)
        if len(years) > 1:
            by_ordinal[ordinal] = years[0] + [m for m in members if m.date is None]
            misnumbered += [(ordinal, ms) for ms in years[1:]]
    series = {o: int(d[:4]) for o, ms in by_ordinal.items() for d in [_first_date(ms)] if d}
    stated_wrong: dict[int, list[tuple[int, list[Mention]]]] = {}
    groups: list[_Group] = []
    for stated, members in misnumbered:
        implied = _series_ordinal(series, int(str(members[0].date)[:4]), members[0].record)
        if implied is None or implied == stated:
            # no series to place it in: a meeting of its own date, its ordinal disputed
            groups.append(_Group(members, Conflict("ordinal", (
                (stated, tuple(sorted({m.article for m in members}))),),
                f"ordinal {stated} is also given to the meeting of {series.get(stated)}"),
                by_date=True, keep_ordinal=False))
            continue
        by_ordinal.setdefault(implied, [])
        stated_wrong.setdefault(implied, []).append((stated, members))
        by_ordinal[implied] += members

    # Two ordinals for one day: one source has the ordinal wrong. Keep one event with the
    # ordinal most sources give, and say so.
    pending = sorted(by_ordinal.items())
    merged: set[int] = set()
    for i, (ordinal, members) in enumerate(pending):
        if ordinal in merged:
            continue
        cluster = {ordinal: members}
        for other, others in pending[i + 1:]:
            if other not in merged and _same_day_event(members, others):
                cluster[other] = others
                merged.add(other)
        group = _Group([m for ms in cluster.values() for m in ms])
        if len(cluster) > 1:
            group.conflict = Conflict("ordinal", tuple(
                (o, tuple(sorted({m.article for m in ms}))) for o, ms in sorted(cluster.items())),
                "one meeting, on one day, is given different ordinals")
        elif ordinal in stated_wrong:
            wrong = stated_wrong[ordinal]
            wrong_ids = {id(m) for _, ms in wrong for m in ms}
            right = tuple(sorted({m.article for m in members if id(m) not in wrong_ids}))
            values = [(ordinal, right)] + [(o, tuple(sorted({m.article for m in ms}))) for o, ms in wrong]
            group.fixed_ordinal, group.ordinal_inferred = ordinal, not right
            group.conflict = Conflict("ordinal", tuple(values), (
                f"the series puts this meeting at ordinal {ordinal}; "
                + "; ".join(f"ordinal {o} belongs to the meeting of {series.get(o)}" for o, _ in wrong)))
        groups.append(group)

    # A mention without an ordinal joins the one numbered meeting its date (and its being
    # special or not) fits, if only one fits.
    unplaced: list[Mention] = []
    for m in loose:
        fits = [g for g in groups if not g.by_date and m.date and _special(g.members) == bool(m.record.get("special"))
                and any(_dates_agree(m.date, x.date, tol) for x in g.members)] if not unnamed else []
        if len(fits) == 1:
            fits[0].members.append(m)
        else:
            unplaced.append(m)
    # The rest group by agreeing dates (and the same ordinal, for unnamed meetings), the most
    # precise first; undated ones by their place, else each on its own: one undated summit in
    # Busan and another in Jakarta are two meetings.
    dated: list[list[Mention]] = []
    undated: dict[str, list[Mention]] = {}
    for m in sorted(unplaced, key=lambda m: (-len(m.date or ""), m.article, m.fact_id)):
        if m.date is None:
            place = m.record.get("location")
            where = f"at={_folded_key(str(place))}" if place else f"in={m.article}#{m.fact_id}"
            undated.setdefault(f"{m.record.get('ordinal')}|{where}", []).append(m)
            continue
        home = next((g for g in dated if all(_dates_agree(m.date, x.date, tol) for x in g)
                     and g[0].record.get("ordinal") == m.record.get("ordinal")), None)
        if home is None:
            dated.append([m])
        else:
            home.append(m)
    groups += [_Group(g, by_date=True) for g in dated]
    # An undated mention naming a place joins the one dated meeting held there ("the summit in
    # Busan" beside "the special summit in Busan, November 2019"), if only one is.
    for key, members in sorted(undated.items()):
        place = members[0].record.get("location")
        special = _special(members)
        homes = [g for g in groups if place and _special(g.members) == special and any(
            x.record.get("location") and _folded_key(str(x.record["location"])) == _folded_key(str(place))
            for x in g.members)] if key.split("|", 1)[1].startswith("at=") else []
        if len(homes) == 1:
            homes[0].members.extend(members)
        else:
            groups.append(_Group(members, by_date=True))

    facts = [_meeting(group) for group in groups]
    return _meeting_series(facts)


def _special(members: list[Mention]) -> bool:
    """Most sources call it special or commemorative (one sentence's "ý nghĩa đặc biệt" is not)."""
    votes = Counter(bool(m.record.get("special")) for m in members)
    return votes[True] > votes[False]


def _meeting(group: _Group) -> CanonicalFact:
    members, ordinal_conflict = group.members, group.conflict
    first = members[0].record
    ordinals = Counter(m.record["ordinal"] for m in members if isinstance(m.record.get("ordinal"), int))
    ordinal = _majority(ordinals) if group.fixed_ordinal is None else group.fixed_ordinal
    if not group.keep_ordinal:
        ordinal = None
    inferred = []
    if group.ordinal_inferred and ordinal_conflict is not None:
        inferred.append(Inference("ordinal", ordinal, ordinal_conflict.note))
    date, conflicts = _pick_date(members, rules().meeting_days)
    if ordinal_conflict is not None:
        conflicts.insert(0, ordinal_conflict)
    end_dates = [str(m.record["end_date"]) for m in members if m.record.get("end_date")]
    end_date = max(end_dates) if end_dates else None
    days = sorted({m.date for m in members if m.date and len(m.date) == 10
                   and date and len(date) == 10 and _dates_agree(date, m.date, rules().meeting_days)})
    if len(days) > 1 and not any(c.field == "date" for c in conflicts):
        # sources report different days of one multi-day meeting: it ran from the first to the last
        date = days[0]
        if end_date is None or end_date < days[-1]:
            end_date = days[-1]
            inferred.append(Inference("end_date", end_date, "sources report the meeting on "
                                      + ", ".join(days) + ": a meeting of several days"))
    attributes: dict[str, Any] = {
        "mechanism": first.get("mechanism"),
        "ordinal": ordinal,
        "end_date": end_date,
        "online": _vote(m.record.get("online") for m in members),
        "location": _vote(m.record.get("location") for m in members),
        "special": _special(members),
        "status": "held" if any(m.record.get("status") == "held" for m in members) else "planned",
    }
    if not group.by_date:
        tail = f"ordinal={ordinal}"
    else:
        stated = _majority(ordinals) if group.keep_ordinal else None
        where = "" if date else "|at=" + _folded_key(str(attributes["location"] or f"{members[0].article}"
                                                        f"#{members[0].fact_id}"))
        tail = (f"ordinal={stated}|" if stated is not None else "") + f"date={date or 'undated'}{where}"
    fact = _canonical("meeting", members, date, attributes, tail, conflicts)
    return _with(fact, inferred=tuple(inferred)) if inferred else fact


def _meeting_series(facts: list[CanonicalFact]) -> list[CanonicalFact]:
    """Check each ordinal against its series; date the ordinals of an annual mechanism whose year
    no sentence states from the nearest ordinal whose year one does."""
    r = rules()
    stated = sorted(((f.attributes["ordinal"], int(str(f.date)[:4]), f) for f in facts
                     if f.attributes.get("ordinal") is not None and _year_stated(f)),
                    key=lambda t: (t[0], t[1], t[2].key))
    out: list[CanonicalFact] = []
    for f in facts:
        ordinal = f.attributes.get("ordinal")
        if ordinal is None:
            out.append(f)
            continue
        conflicts = list(f.conflicts)
        inferred = list(f.inferred)
        date = f.date
        annual = _annual(f)
        # the series to place a year-less ordinal in: ordinals whose year a sentence states; else
        # later ordinals dated by their article (an article reports the current meeting and
        # names earlier ones by ordinal: "the 22nd, in Thailand" beside today's 23rd)
        others = [t for t in stated if t[2] is not f] or [
            (o, int(str(g.date)[:4]), g) for g in facts if g is not f and g.date
            for o in [g.attributes.get("ordinal")] if isinstance(o, int) and o > ordinal]
        attributes = f.attributes
        if annual and others and not _year_stated(f):
            o, y, g = min(others, key=lambda t: (abs(t[0] - ordinal), t[0]))
            implied = y + ordinal - o
            if abs(o - ordinal) <= r.max_series_step and (not date or int(date[:4]) != implied):
                guessed = f"; the article's own date gave {date[:4]}" if date else ""
                date = str(implied)   # only the year is known: month and day came with the guess
                inferred = [i for i in inferred if i.field != "date"]
                inferred.append(Inference("date", date, (
                    f"no sentence states the year; annual series: ordinal {o} was in {y} "
                    f"(articles {', '.join(g.articles)}){guessed}")))
                published = [m.published[:4] for m in f.support if m.published]
                if attributes.get("status") == "planned" and published and date < min(published):
                    attributes = {**attributes, "status": "held"}
                    inferred.append(Inference("status", "held", (
                        f"dated {date}, before the first article naming it was published")))
        if date:
            year = int(date[:4])
            # A higher ordinal cannot come before a lower one; an annual series meets once a year.
            clash = [(o, y, g) for o, y, g in stated if g is not f and (
                (o < ordinal and y > year) or (o > ordinal and y < year) or (annual and o != ordinal and y == year))]
            if clash:
                o, y, g = clash[0]
                why = (f"ordinal {ordinal} in {year} does not fit the series: {o} was in {y}" if y != year
                       else f"an annual series meets once a year, but ordinals {ordinal} and {o} are both in {y}")
                conflicts.append(Conflict("ordinal", (
                    (f"{ordinal} ({year})", f.articles), (f"{o} ({y})", g.articles)), why))
        if conflicts != list(f.conflicts) or inferred != list(f.inferred) or date != f.date:
            f = _with(f, date=date, attributes=attributes, conflicts=tuple(conflicts),
                      inferred=tuple(inferred))
        out.append(f)
    return out


def _annual(f: CanonicalFact) -> bool:
    return _is_annual(f.attributes.get("mechanism"), f.partners)


def _is_annual(mechanism: Any, partners: Sequence[str]) -> bool:
    """Whether a mechanism meets once a year (with these partners)."""
    r = rules()
    if mechanism == "asean_partner_summit":
        return len(partners) == 1 and partners[0] in r.annual_partner_summits
    return mechanism in r.annual


def _year_stated(f: CanonicalFact) -> bool:
    """The fact's year is written in one of its sentences (not derived, not inferred)."""
    return bool(f.date) and not any(i.field == "date" for i in f.inferred)


def _year_clusters(members: list[Mention]) -> list[list[Mention]]:
    """Dated mentions split by year, the best-backed year first (most articles, most precise)."""
    years: dict[str, list[Mention]] = {}
    for m in members:
        if m.date:
            years.setdefault(m.date[:4], []).append(m)
    return sorted(years.values(), key=lambda ms: (-len({m.article for m in ms}),
                                                  -max(len(m.date or "") for m in ms), ms[0].date))


def _first_date(members: list[Mention]) -> str | None:
    dates = sorted((m.date for m in members if m.date), key=lambda d: (-len(d), d))
    return dates[0] if dates else None


def _series_ordinal(series: dict[int, int], year: int, record: dict[str, Any]) -> int | None:
    """The ordinal an annual mechanism's meeting of ``year`` has, from the nearest dated one."""
    r = rules()
    if not _is_annual(record.get("mechanism"), sorted(record.get("partners") or [])) or not series:
        return None
    ordinal, known = min(series.items(), key=lambda kv: (abs(kv[1] - year), kv[0]))
    if abs(known - year) > r.max_series_step:
        return None
    return ordinal + (year - known)


def _with(fact: CanonicalFact, **changes: Any) -> CanonicalFact:
    values = {name: getattr(fact, name) for name in (
        "id", "key", "block", "type", "partners", "date", "attributes", "support", "conflicts",
        "inferred")}
    values.update(changes)
    return CanonicalFact(**values)


def _same_day_event(a: list[Mention], b: list[Mention]) -> bool:
    """Two numbered groups are one meeting given two ordinals when sources place them on the
    same day, no article names both, and the mechanism does not hold joint sessions (the 40th
    and 41st ASEAN Summits met together on 11 November 2022)."""
    if str(a[0].record.get("mechanism")) in rules().joint_sessions:
        return False
    if {m.article for m in a} & {m.article for m in b}:
        return False
    days_a = {m.date for m in a if m.date and len(m.date) == 10}
    return any(m.date in days_a for m in b if m.date and len(m.date) == 10)


# -- partnerships, documents, figures, persons -----------------------------------------------------

def _fuse_partnerships(mentions: list[Mention]) -> list[CanonicalFact]:
    out = []
    for status in ("established", "aspired"):
        members = [m for m in mentions if (m.record.get("status") or "established") == status]
        if not members:
            continue
        date, conflicts = _pick_date(members, 0, by_year=True)
        attributes: dict[str, Any] = {"level": members[0].record.get("level"), "status": status}
        fact = _canonical("partnership", members, date, attributes, f"status={status}", conflicts)
        published = sorted((m.published, m.article) for m in members if m.published)
        if date is None and status == "established" and published:
            # stated as the present level: it was reached by the time the first source said so
            day, article = published[0]
            attributes["reached_by"] = day
            fact = _with(fact, inferred=(Inference(
                "reached_by", day, f"stated as the current level in article {article}, published {day}"),))
        out.append(fact)
    return out


def _fuse_documents(mentions: list[Mention]) -> list[CanonicalFact]:
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        groups.setdefault(_document_key(m.record), []).append(m)
    # A titled mention without a period joins the period group its title names.
    periods = [k for k in groups if k.startswith("period=")]   # few: keeps this linear in titles
    for key in [k for k in groups if k.startswith("title=")]:
        title = key.removeprefix("title=")
        homes = [k for k in periods if re.search(rf"(?<![\d-]){re.escape(k.removeprefix('period='))}(?![\d-])",
                                                 title)]   # "2020" is not in "2020-2025"
        if len(homes) == 1:
            groups[homes[0]] += groups.pop(key)
    order = rules().actions
    out = []
    for key, members in groups.items():
        date, conflicts = _pick_date(members, 0, by_year=True)
        actions = [m.record.get("action") for m in members if m.record.get("action") in order]
        completions = sorted((m.published or "", m.record["completion"]) for m in members
                             if isinstance(m.record.get("completion"), (int, float)))
        history = sorted({(m.record.get("action"), m.date, m.article) for m in members
                          if m.record.get("action")}, key=lambda t: (t[1] or "", t[0] or "", t[2]))
        attributes = {
            "kind": members[0].record.get("kind"),
            "title": _longest(m.record.get("title") for m in members),
            "period": _vote(m.record.get("period") for m in members),
            "action": max(actions, key=order.index) if actions else None,
            "completion": completions[-1][1] if completions else None,
            "history": [{"action": a, "date": d, "article": art} for a, d, art in history],
        }
        out.append(_canonical("document", members, date, attributes, key, conflicts))
    return out


def _document_key(record: dict[str, Any]) -> str:
    if record.get("period"):
        return f"period={record['period']}"
    year = str(record["date"])[:4] if record.get("date") else "undated"
    if record.get("title"):
        # a treaty or code named by its acronym is that one document, however the title runs
        # ("Tuyên bố DOC", "Tuyên bố về ứng xử … (gọi tắt là DOC)"); a protocol amending it is not
        named = [w for w in re.findall(r"[A-Z][A-Z0-9-]{1,}", str(record["title"]))
                 if _known_documents().get(w) == record.get("kind")]
        if named:
            return f"named={named[0]}"
        title = _folded_key(str(record["title"]))
        # a bare kind ("tuyên bố chung") names no one document: each year's is another
        return f"title={title}" + (f"|year={year}" if len(title.split()) <= rules().generic_title_words else "")
    return f"year={year}"


@lru_cache(maxsize=1)
def _known_documents() -> dict[str, str]:
    """Acronym -> kind of the treaties and codes documents.toml knows."""
    raw = tomllib.loads(resources.files("quanhe.data").joinpath("documents.toml").read_text("utf-8"))
    return {acronym: str(body.get("kind")) for acronym, body in raw.get("known", {}).items()}


def _fuse_indicators(mentions: list[Mention]) -> list[CanonicalFact]:
    tol = rules().value_tolerance
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        year = m.record.get("year")
        target = bool(m.record.get("target"))
        if year is None:   # a figure without a year is only the same as one of the same size
            tail = f"year=?|target={str(target).lower()}|value~{_round3(m.record.get('value'))}"
        else:
            tail = f"year={year}|target={str(target).lower()}"
        unit = m.record.get("unit")
        if unit not in (None, "USD", "count"):   # yuan and dollars are not comparable figures
            tail += f"|unit={unit}"
        groups.setdefault(tail, []).append(m)
    out = []
    for tail, members in groups.items():
        clusters = _value_clusters(members, tol)
        best = max(clusters, key=lambda c: (len({m.article for m in c}), _precision(c[0])))
        value = max((m.record["value"] for m in best if m.record.get("value") is not None),
                    key=_significant_digits, default=None)
        conflicts = []
        if len({m.article for m in members}) > 1 and len(clusters) > 1 and _disputed(clusters):
            conflicts.append(Conflict("value", tuple(
                (c[0].record.get("value"), tuple(sorted({m.article for m in c})))
                for c in sorted(clusters, key=lambda c: float(c[0].record.get("value") or 0))),
                f"sources differ by more than {tol:.0%}"))
        first = members[0].record
        attributes = {"metric": first.get("metric"), "value": value,
                      "unit": _vote(m.record.get("unit") for m in members),
                      "year": first.get("year"), "target": bool(first.get("target"))}
        if len(clusters) > 1:   # every figure stated, each with its articles
            attributes["values"] = [{"value": c[0].record.get("value"),
                                     "articles": sorted({m.article for m in c})} for c in clusters]
        date = str(first["year"]) if first.get("year") is not None else None
        out.append(_canonical("indicator", members, date, attributes, tail, conflicts))
    return out


def _disputed(clusters: list[list[Mention]]) -> bool:
    """Different articles give different values. One article giving several (aid from three
    programmes) states several figures; that is not a dispute between sources."""
    owners = [{m.article for m in c} for c in clusters]
    return any(a != b for i, a in enumerate(owners) for b in owners[i + 1:])


def _fuse_persons(mentions: list[Mention]) -> list[CanonicalFact]:
    """One person per spelling: Thành and Thanh are two people. A name written without any
    accent (machine-translated or English text) is the person of the one accented spelling."""
    spellings: dict[str, list[Mention]] = {}
    for m in mentions:
        spellings.setdefault(" ".join(str(m.record.get("name", "")).lower().split()), []).append(m)
    accented = [n for n in spellings if fold(n) != n]
    if len(accented) == 1:
        for name in [n for n in spellings if fold(n) == n]:
            spellings[accented[0]] += spellings.pop(name)
    out = []
    for name, members in sorted(spellings.items()):
        attributes = {
            "name": _vote(m.record.get("name") for m in members    # the accented spelling
                          if fold(str(m.record.get("name"))) != str(m.record.get("name")).lower())
                    or _vote(m.record.get("name") for m in members),
            "roles": sorted({str(m.record["role"]) for m in members if m.record.get("role")}),
            "country": _vote(m.record.get("country") for m in members),
        }
        out.append(_canonical("person", members, None, attributes,
                              "" if len(spellings) == 1 else f"name={name}", []))
    return out


# -- shared helpers ---------------------------------------------------------------------------------

def _canonical(kind: str, members: list[Mention], date: str | None, attributes: dict[str, Any],
               tail: str, conflicts: list[Conflict]) -> CanonicalFact:
    block = block_of(members[0].record)
    key = f"{block}|{tail}" if tail else block
    partners = tuple(sorted(members[0].record.get("partners") or []))
    return CanonicalFact(stable_id(kind, key), key, block, kind, partners, date, attributes,
                         tuple(sorted(members, key=lambda m: (m.article, m.fact_id))), tuple(conflicts),
                         _derived_year(kind, members, date))


def _derived_year(kind: str, members: list[Mention], date: str | None) -> tuple[Inference, ...]:
    """A date whose year no evidence sentence writes was derived by the extractor: from the
    article's own date ("sáng 11/10"), or, for a milestone, counted back from an anniversary
    ("kỷ niệm 45 năm"). Say so, and from which article."""
    if not date or kind in ("indicator", "person"):
        return ()
    year = date[:4]
    backers = [m for m in members if m.date and m.date[:4] == year]
    if not backers or any(year in str(e.get("text", "")) for m in backers
                          for e in m.record.get("evidence") or []):
        return ()
    m = min(backers, key=lambda m: (m.published is None, m.article))
    when = f"published {m.published}" if m.published else "whose date comes from its context"
    how = ("counted back from an anniversary, or taken from the date" if kind == "partnership"
           else "taken from the date")
    return (Inference("date", date, f"no sentence states the year: {how} of article {m.article} ({when})"),)


def stable_id(kind: str, key: str) -> str:
    """Same key, same id, across re-ingests and machines."""
    return f"{ID_PREFIX[kind]}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


def _unique_keys(facts: list[CanonicalFact]) -> list[CanonicalFact]:
    """Two groups that end with one key (e.g. two date groups settling on one date) are one."""
    by_key: dict[str, CanonicalFact] = {}
    for f in facts:
        seen = by_key.get(f.key)
        if seen is None:
            by_key[f.key] = f
            continue
        by_key[f.key] = CanonicalFact(
            seen.id, seen.key, seen.block, seen.type, seen.partners, seen.date or f.date,
            seen.attributes, tuple(sorted(seen.support + f.support, key=lambda m: (m.article, m.fact_id))),
            seen.conflicts + f.conflicts, seen.inferred + f.inferred)
    return list(by_key.values())


def _pick_date(members: Sequence[Mention], tol_days: int, *,
               by_year: bool = False) -> tuple[str | None, list[Conflict]]:
    """The most precise date the sources agree on, and a conflict for each disagreeing date.

    Dates agree when one is a prefix of the other (2024, 2024-10, 2024-10-10) or, for meetings,
    when they lie within ``tol_days`` or inside a stated range. ``by_year`` compares only the
    years (a milestone or a document dated 2021 by one source and 2021-11 by another agree).
    """
    stated = [m for m in members if m.date]
    if not stated:
        return None, []
    votes: Counter[str] = Counter(m.date for m in stated if m.date)
    # The date backed by most sources (counting the less precise dates it refines), then the
    # most precise one among those.
    def support(d: str) -> tuple[int, int, int, str]:
        # more articles first; then articles whose own date is known (their relative dates,
        # "kỷ niệm 45 năm", are counted from a real day); then the more precise date
        backers = [m for m in stated if m.date and _dates_agree(d, m.date, tol_days, by_year=by_year)]
        return (len({m.article for m in backers}), len({m.article for m in backers if m.published}),
                len(d), d)

    best = max(votes, key=support)
    disagree: dict[str, set[str]] = {}
    for m in stated:
        if m.date and not _dates_agree(best, m.date, tol_days, None, m.record.get("end_date"),
                                       by_year=by_year):
            disagree.setdefault(m.date, set()).add(m.article)
    conflicts = []
    if disagree:
        backers = sorted({m.article for m in stated if m.date and m.date not in disagree})
        values = [(best, tuple(backers))] + [(d, tuple(sorted(a))) for d, a in sorted(disagree.items())]
        conflicts.append(Conflict("date", tuple(values), "sources give different dates"))
    return best, conflicts


def _dates_agree(a: str | None, b: str | None, tol_days: int, a_end: Any = None, b_end: Any = None,
                 *, by_year: bool = False) -> bool:
    if not a or not b:
        return False
    if by_year:
        return a[:4] == b[:4]
    if a.startswith(b) or b.startswith(a):
        return True
    if len(a) == 10 and len(b) == 10:
        da, db = _day(a), _day(b)
        if da is None or db is None:
            return False
        if abs((da - db).days) <= tol_days:
            return True
        for lo, hi, other in ((da, _day(a_end), db), (db, _day(b_end), da)):
            if hi is not None and lo <= other <= hi:
                return True
    return False


def _day(value: Any) -> Date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return Date.fromisoformat(value)
    except ValueError:
        return None


def _value_clusters(members: list[Mention], tol: float) -> list[list[Mention]]:
    clusters: list[list[Mention]] = []
    for m in sorted(members, key=lambda m: float(m.record.get("value") or 0)):
        value = float(m.record.get("value") or 0)
        if clusters:
            anchor = float(clusters[-1][0].record.get("value") or 0)
            if abs(value - anchor) <= tol * max(abs(value), abs(anchor)):
                clusters[-1].append(m)
                continue
        clusters.append([m])
    return clusters


def _significant_digits(value: Any) -> int:
    digits = f"{float(value or 0):.15g}".replace(".", "").replace("-", "").lstrip("0").rstrip("0")
    return len(digits)


def _precision(m: Mention) -> int:
    return _significant_digits(m.record.get("value"))


def _round3(value: Any) -> str:
    return f"{float(value or 0):.3g}"


def _majority(votes: Counter[Any]) -> Any:
    if not votes:
        return None
    return max(votes.items(), key=lambda kv: (kv[1], -kv[0] if isinstance(kv[0], int) else 0))[0]


def _vote(values: Iterable[Any]) -> Any:
    """The most common stated value (None when nothing is stated); ties go to the first stated."""
    counts: Counter[str] = Counter()
    first: dict[str, Any] = {}
    for v in values:
        if v is None:
            continue
        k = json.dumps(v, sort_keys=True, ensure_ascii=False)
        counts[k] += 1
        first.setdefault(k, v)
    if not counts:
        return None
    order = list(first)
    return first[max(counts, key=lambda k: (counts[k], -order.index(k)))]


def _longest(values: Iterable[Any]) -> str | None:
    titles = [str(v) for v in values if v]
    return max(titles, key=len) if titles else None


def _folded_key(name: str) -> str:
    """A name, place or title compared without case, accents or spacing."""
    return " ".join(fold(name).lower().split())
