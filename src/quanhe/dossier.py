"""The partner dossier: a short brief on ASEAN's relations with one partner, for a reader who
will never run quanhe, in which every date and figure cites the sentence that states it.

``build`` asks the knowledge base (``quanhe.kb``) for the partner's level, meetings, documents,
figures and conflicts, picks for each value shown the evidence sentences that state it, and
numbers those sentences once each. The result is plain data (frozen dataclasses, text already
in the reader's language); ``render`` only lays it out, as Markdown or as one self-contained
HTML page (Jinja2, autoescaped: the quoted sentences come from the web).
"""
from __future__ import annotations

import base64
import io
import re
import threading
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from quanhe import fuse, kb
from quanhe.errors import NotFoundError, UsageError
from quanhe.language import find_amounts, find_dates
from quanhe.store.base import Store

LANGS = ("vi", "en")
FORMATS = ("md", "html")
MAX_HELD = 12          # held meetings shown: the brief is meant to fit on two pages
VALUE_TOLERANCE = 0.01  # a sentence states a figure when it gives it within 1 %


# -- the dossier as data ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Citation:
    """One quoted sentence: ``text == article_text[start:end]``."""

    number: int
    article: str
    outlet: str | None
    title: str | None
    published: str | None    # ISO, as stored
    published_text: str      # as the reader writes dates ("không rõ ngày đăng" when unknown)
    url: str | None
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Cited:
    """A value as shown, with the numbers of the citations whose sentences state it."""

    text: str
    refs: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a table or list: its cells, the union of their citations, and notes."""

    cells: tuple[Cited, ...]
    notes: tuple[str, ...] = ()
    fact: str = ""

    @property
    def refs(self) -> tuple[int, ...]:
        return tuple(sorted({n for c in self.cells for n in c.refs}))


@dataclass(frozen=True, slots=True)
class LevelSection:
    current: Cited | None        # the level in force today, or None when none is known
    since: Cited | None          # when it was reached ("từ 11/2015", "chậm nhất 24/11/2019")
    since_note: str              # why a date is only a "by" date
    undated: tuple[Cited, ...]   # levels stated as present, never dated
    outranked: bool              # an undated level is higher than the current one
    aspired: tuple[Cited, ...]
    milestones: tuple[Row, ...]  # (date, level), oldest first


@dataclass(frozen=True, slots=True)
class FigureTable:
    metric: str
    title: str
    actuals: tuple[Row, ...]     # (year, value, unit, sources)
    targets: tuple[Row, ...]
    chart_svg: str | None        # an SVG document, or None when nothing can be plotted


@dataclass(frozen=True, slots=True)
class ConflictItem:
    subject: str                 # the fact, as a reader names it
    field: str                   # what the sources disagree on
    claims: tuple[Cited, ...]    # each value, with the sentences that give it
    kept: int                    # index in ``claims`` of the value the knowledge base keeps; -1: none
    note: str
    fact: str


@dataclass(frozen=True, slots=True)
class Dossier:
    partner: str                 # the contract code: US, CN …
    partner_name: str
    lang: str
    generated: str               # ISO date the brief was made (and the "today" of its level)
    since: str | None
    store: str
    articles: int                # articles in the store
    level: LevelSection
    held: tuple[Row, ...]        # (date, meeting, place), most recent first
    held_truncated: bool
    planned: tuple[Row, ...]
    documents: tuple[Row, ...]   # (date, document, period, status, completion)
    figures: tuple[FigureTable, ...]
    conflicts: tuple[ConflictItem, ...]
    citations: tuple[Citation, ...]

    @property
    def cited_articles(self) -> int:
        return len({c.article for c in self.citations})


# -- words -------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _all_words() -> dict[str, Any]:
    text = resources.files("quanhe").joinpath("templates", "dossier.toml").read_text("utf-8")
    return tomllib.loads(text)


def words(lang: str) -> dict[str, Any]:
    """The dossier's own words (headings, notes) in ``lang``."""
    return dict(_all_words()[lang])


# -- building -----------------------------------------------------------------------------------------

def build(store: Store, partner: str, *, since: str | None = None, lang: str = "vi",
          today: str | None = None) -> Dossier:
    """The dossier on ``partner`` (a code: US, CN …), events from ``since`` on when given.

    A partner the store holds no fact about is a ``NotFoundError`` naming the partners it does
    hold: an empty brief would look like a finding ("no meetings") when it is only a gap.
    """
    if lang not in LANGS:
        raise UsageError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    code = kb.level_as_of(store, partner, today).partner   # validates the code and the date
    known = [p["code"] for p in kb.partners(store)]
    if code not in known:
        raise NotFoundError(f"the store holds no fact about {code!r}; partners in it: "
                            + (", ".join(known) or "none (run `quanhe ingest` first)"))
    kb.timeline(store, code, since=since, limit=1)            # validates ``since`` once, early
    return _Builder(store, code, lang, since, today or Date.today().isoformat()).dossier()


@dataclass(frozen=True, slots=True)
class _Source:
    """One extracted fact behind a canonical fact, with its article and evidence spans."""

    record: dict[str, Any]
    article: str
    url: str | None
    title: str | None
    published: str | None
    spans: tuple[tuple[int, int, str], ...]


Has = Callable[[_Source], bool]
States = Callable[[str, str | None], bool]


class _Builder:
    """Gathers one dossier; owns the citation numbering so each sentence gets one number."""

    def __init__(self, store: Store, code: str, lang: str, since: str | None, today: str) -> None:
        self.store, self.code, self.lang, self.since, self.today = store, code, lang, since, today
        self.w = words(lang)
        self.citations: list[Citation] = []
        self.numbers: dict[tuple[str, int, int], int] = {}
        self.sources_of: dict[str, list[_Source]] = {}
        self.considered: set[str] = set()   # facts within the period: their conflicts are shown

    def dossier(self) -> Dossier:
        # sections in reading order, so citation numbers rise through the text
        level = self.level()
        held, truncated, planned = self.meetings()
        documents = self.documents()
        figures = self.figures()
        conflicts = self.conflicts()
        return Dossier(self.code, kb.partner_name(self.code, self.lang), self.lang, self.today,
                       self.since, _store_label(self.store), self.store.counts().get("articles", 0),
                       level, held, truncated, planned, documents, figures, conflicts,
                       tuple(self.citations))

    # -- citations ---------------------------------------------------------------------------------

    def sources(self, fact: dict[str, Any]) -> list[_Source]:
        if fact["id"] not in self.sources_of:
            found = []
            for record in self.store.supporting(fact.get("facts") or []):
                article = record.pop("_article")
                spans = tuple((int(s["start"]), int(s["end"]), str(s["text"]))
                              for s in record.get("evidence") or [])
                found.append(_Source(record, str(record["article"]), article.get("url"),
                                     article.get("title"), article.get("published"), spans))
            self.sources_of[fact["id"]] = found
        return self.sources_of[fact["id"]]

    def refs(self, fact: dict[str, Any], has: Has | None = None, states: States | None = None) -> tuple[int, ...]:
        """Cite the sentences behind one value: those of the sources that give it (all sources
        when none singles it out), narrowed to the sentences that state it in words when the
        language layer can tell (a date, an amount); the rest still back the fact."""
        sources = self.sources(fact)
        chosen = [s for s in sources if has is None or has(s)] or sources
        pairs = [(s, span) for s in chosen for span in s.spans]
        if states is not None:
            pairs = [(s, span) for s, span in pairs if states(span[2], s.published)] or pairs
        return tuple(sorted({self.number(s, span) for s, span in pairs}))

    def number(self, source: _Source, span: tuple[int, int, str]) -> int:
        key = (source.article, span[0], span[1])
        if key not in self.numbers:
            self.numbers[key] = len(self.citations) + 1
            self.citations.append(Citation(
                self.numbers[key], source.article, kb.outlet(source.url), source.title,
                source.published, date_text(source.published, self.lang) if source.published
                else str(self.w["unpublished"]), source.url, span[0], span[1], span[2]))
        return self.numbers[key]

    def date_refs(self, fact: dict[str, Any], value: str, *, by_year: bool = False) -> tuple[int, ...]:
        width = 4 if by_year else None
        return self.refs(fact, lambda s: _agree(s.record.get("date"), value, width),
                         _states_date(value, width))

    # -- 2. level and milestones -------------------------------------------------------------------

    def level(self) -> LevelSection:
        answer = kb.level_as_of(self.store, self.code, self.today)
        # all of them, whatever the period: an undated level still qualifies today's
        partnerships = [f for f in self._timeline(("partnership",), dated_only=False)
                        if f.get("partners") == [self.code]]
        by_id = {f["id"]: f for f in partnerships}
        ranks = {name: i for i, name in enumerate(fuse.rules().levels)}

        current = since = None
        since_note = ""
        if answer.fact is not None and answer.level is not None:
            fact = by_id.get(answer.fact["id"], answer.fact)
            when = self.reached(fact)
            current = Cited(kb.word(answer.level, self.lang), when.refs)
            since = Cited(self.w["level_since"].format(date=when.text) if fact.get("date") else when.text,
                          when.refs)
            since_note = self.w["by_note"] if not fact.get("date") and fact.get("reached_by") else ""
            self.considered.add(fact["id"])

        milestones = []
        for step in answer.history:
            milestone = by_id.get(step["id"])
            when_iso = step.get("date") or step.get("reached_by") or ""
            if milestone is None or (self.since and when_iso < self.since):
                continue
            self.considered.add(milestone["id"])
            milestones.append(Row((self.reached(milestone), Cited(kb.word(step["level"], self.lang))),
                                  self._disputed(milestone), milestone["id"]))

        dated = {step["id"] for step in answer.history}
        established = [f for f in partnerships if f.get("status") == "established"]
        undated = [f for f in established if f["id"] not in dated
                   and (answer.fact is None or f["id"] != answer.fact["id"])]
        self.considered.update(f["id"] for f in undated)
        reached = {f.get("level") for f in established}
        aspired = [f for f in partnerships if f.get("status") == "aspired" and f.get("level") not in reached]
        top = ranks.get(answer.level or "", -1)
        return LevelSection(
            current, since, since_note,
            tuple(Cited(kb.word(f["level"], self.lang), self.refs(f)) for f in undated),
            any(ranks.get(f.get("level", ""), -1) > top for f in undated),
            tuple(Cited(kb.word(f["level"], self.lang), self.refs(f)) for f in aspired),
            tuple(milestones))

    def reached(self, fact: dict[str, Any]) -> Cited:
        """When a level was reached: its date, else the day an article first stated it."""
        if fact.get("date"):
            return Cited(self.date_text(fact["date"]), self.date_refs(fact, fact["date"], by_year=True))
        day = str(fact.get("reached_by") or "")
        if not day:
            return Cited(self.w["undated"], self.refs(fact))
        return Cited(self.w["by_date"].format(date=self.date_text(day)),
                     self.refs(fact, lambda s: s.published == day))

    # -- 3. meetings ------------------------------------------------------------------------------

    def meetings(self) -> tuple[tuple[Row, ...], bool, tuple[Row, ...]]:
        facts = self._timeline(("meeting",))
        self.considered.update(f["id"] for f in facts)
        held = [f for f in facts if f.get("status") == "held"]
        planned = [f for f in facts if f.get("status") != "held"]
        # most recent first; undated ones after every dated one (sorted() is stable)
        held.sort(key=lambda f: f.get("date") or "", reverse=True)
        held.sort(key=lambda f: not f.get("date"))
        planned.sort(key=lambda f: f.get("date") or "~")
        shown = held[:MAX_HELD]
        return (tuple(self.meeting(f) for f in shown), len(held) > len(shown),
                tuple(self.meeting(f) for f in planned))

    def meeting(self, fact: dict[str, Any]) -> Row:
        date = fact.get("date")
        when = Cited(self.w["undated"])
        notes = []
        if date:
            shown = self.date_text(date)
            if fact.get("end_date") and fact["end_date"] != date:
                shown += " – " + self.date_text(fact["end_date"])
            if any(i.get("field") == "date" for i in fact.get("inferred") or []):
                notes.append(self.w["inferred"])
            when = Cited(shown, self.date_refs(fact, date))
            # a plan whose day has passed and that no source reports held (fusion already joined
            # the reports that are the same meeting)
            if fact.get("status") != "held" and _before(date, self.today):
                notes.append(self.w["overdue"])
        ordinal = fact.get("ordinal")
        name = Cited(self.meeting_name(fact),
                     self.refs(fact, lambda s: s.record.get("ordinal") == ordinal) if ordinal else self.refs(fact))
        place = fact.get("location")
        where = Cited(str(place), self.refs(fact, lambda s: s.record.get("location") == place)) if place \
            else Cited("")
        if fact.get("online"):
            notes.append(self.w["online"])
        if fact.get("special"):
            notes.append(self.w["special"])
        return Row((when, name, where), tuple(notes) + self._disputed(fact), fact["id"])

    def meeting_name(self, fact: dict[str, Any]) -> str:
        mechanism = str(fact.get("mechanism") or "other")
        partners = list(fact.get("partners") or [])
        if mechanism == "other":
            name = str(self.w["other_meeting"])
        elif len(partners) == 1:
            name = kb.word(mechanism, self.lang, partners[0])
        else:   # a mechanism word with {partner} and several partners: name them all
            name = kb.word(mechanism, self.lang).replace(
                "…", "+".join(kb.partner_name(p, self.lang) for p in partners))
        ordinal = fact.get("ordinal")
        if not isinstance(ordinal, int):
            return name
        if mechanism == "other":
            return str(self.w["other_ordinal"].format(n=ordinal))
        n = str(ordinal) if self.lang == "vi" else _english_ordinal(ordinal)
        return str(self.w["ordinal"].format(name=name, n=n))

    # -- 4. documents -------------------------------------------------------------------------------

    def documents(self) -> tuple[Row, ...]:
        kept = []
        for f in self._timeline(("document",), dated_only=False):
            # a plan dated only by its period is current while its period lasts
            when = f.get("date") or _period_end(f.get("period"))
            if self.since and (not when or when < self.since[:len(when)]):
                continue
            kept.append((when or "", f))
        kept.sort(key=lambda t: t[0], reverse=True)
        self.considered.update(f["id"] for _, f in kept)
        return tuple(self.document(f) for _, f in kept)

    def document(self, fact: dict[str, Any]) -> Row:
        date = fact.get("date")
        when = Cited(self.date_text(date), self.date_refs(fact, date, by_year=True)) if date \
            else Cited("")
        # "other" is no kind a reader can use (display.toml's word for it names a meeting)
        kind = kb.word(fact.get("kind"), self.lang) if fact.get("kind") != "other" else ""
        title = fact.get("title")
        # the kind only when the title does not already say it ("Hiệp ước …" is a treaty)
        shown = (kind or str(kb.word("document", self.lang))) if not title \
            else title if kind.casefold() in str(title).casefold() else f"{title} ({kind})"
        name = Cited(shown,
                     self.refs(fact, lambda s: s.record.get("title") == title) if title else self.refs(fact))
        period = fact.get("period")
        span = Cited(str(period).replace("-", "–"),
                     self.refs(fact, lambda s: s.record.get("period") == period)) if period else Cited("")
        action = fact.get("action")
        status = Cited(str(self.w["status"].get(action, kb.word(action, self.lang))),
                       self.refs(fact, lambda s: s.record.get("action") == action)) if action else Cited("")
        completion = fact.get("completion")
        done = Cited("")
        if isinstance(completion, (int, float)):
            done = Cited(self.w["percent"].format(n=self.num(completion * 100)),
                         self.refs(fact, lambda s: s.record.get("completion") == completion,
                                   _states_amount(completion * 100)))
        return Row((when, name, span, status, done), self._disputed(fact), fact["id"])

    # -- 5. figures ------------------------------------------------------------------------------

    def figures(self) -> tuple[FigureTable, ...]:
        tables = []
        for metric in kb.METRICS:
            rows = [f for f in kb.figure_series(self.store, self.code, metric, target=None)
                    if not self.since or (f.get("year") is not None and int(f["year"]) >= int(self.since[:4]))]
            if not rows:
                continue
            self.considered.update(f["id"] for f in rows)
            rows.sort(key=lambda f: (f.get("year") is None, f.get("year") or 0))
            actuals = [f for f in rows if not f.get("target")]
            targets = [f for f in rows if f.get("target")]
            title = kb.word(metric, self.lang)
            tables.append(FigureTable(metric, title, tuple(self.figure(f) for f in actuals),
                                      tuple(self.figure(f) for f in targets),
                                      self.chart(metric, title, actuals, targets)))
        return tuple(tables)

    def figure(self, fact: dict[str, Any]) -> Row:
        value = float(fact.get("value") or 0)
        year = fact.get("year")
        # the sources of the value kept: the articles of its cluster when sources differ
        backers = next((set(v["articles"]) for v in fact.get("values") or []
                        if _close(v.get("value"), value)), None)
        refs = self.refs(fact, lambda s: backers is None or s.article in backers, _states_amount(value))
        amount, unit = self.amount(value, fact.get("unit"), str(fact.get("metric")))
        return Row((Cited(str(year) if year is not None else self.w["year_unknown"]), Cited(amount, refs),
                    Cited(unit), Cited(str(len(fact.get("articles") or [])))),
                   self._disputed(fact), fact["id"])

    def chart(self, metric: str, title: str, actuals: list[dict[str, Any]],
              targets: list[dict[str, Any]]) -> str | None:
        """The series as an SVG line chart: actual figures joined, targets as hollow marks.
        Only the most common unit is drawn (a CNY figure cannot share a USD axis)."""
        dated = [f for f in actuals + targets if f.get("year") is not None and f.get("value") is not None]
        if len(dated) < 2:   # one point is a number, not a trend: the table says it
            return None
        units = [str(f.get("unit")) for f in dated]
        unit = max(units, key=lambda u: (units.count(u), u == "USD"))
        dated = [f for f in dated if str(f.get("unit")) == unit]
        top = max(abs(float(f["value"])) for f in dated)
        size, scale = next(((s, self.w[k]) for s, k in ((1e9, "scale_billion"), (1e6, "scale_million"))
                            if top >= s), (1.0, ""))
        label = " ".join(x for x in (scale, self.unit_word(unit, metric)) if x)
        series = [([int(f["year"]) for f in group], [float(f["value"]) / size for f in group])
                  for group in ([f for f in dated if not f.get("target")], [f for f in dated if f.get("target")])]
        return _svg_chart(series, (self.w["chart_actual"], self.w["chart_target"]), label,
                          salt=f"{self.code}-{metric}", label=self.num)

    # -- 6. conflicts ------------------------------------------------------------------------------

    def conflicts(self) -> tuple[ConflictItem, ...]:
        items = []
        for fact in kb.facts(self.store, partner=self.code, conflicts=True, limit=None).items:
            if fact["id"] not in self.considered:
                continue
            for conflict in fact.get("conflicts") or []:
                items.append(self.conflict(fact, conflict))
        return tuple(items)

    def conflict(self, fact: dict[str, Any], conflict: dict[str, Any]) -> ConflictItem:
        name = str(conflict.get("field"))
        kept_value = {"date": fact.get("date"), "value": fact.get("value"),
                      "ordinal": fact.get("ordinal")}.get(name)
        claims = []
        kept = -1
        for i, claim in enumerate(conflict.get("values") or []):
            value = claim.get("value")
            articles = set(claim.get("articles") or [])
            states: States | None = None
            if name == "date" and isinstance(value, str):
                text, states = self.date_text(value), _states_date(value, 4 if fact["type"] != "meeting" else None)
            elif name == "value" and isinstance(value, (int, float)):
                text = " ".join(self.amount(float(value), fact.get("unit"), str(fact.get("metric"))))
                states = _states_amount(float(value))
            else:
                text = str(value)
            claims.append(Cited(text.strip(), self.refs(fact, _from(articles), states)))
            if kept_value is not None and (value == kept_value or _close(value, kept_value)):
                kept = i
        label = self.w.get(f"conflict_{name}", name)
        # fuse's notes are English; the Vietnamese brief says it with the field's name alone
        note = str(conflict.get("note") or "") if self.lang == "en" else ""
        return ConflictItem(self.subject(fact), str(label), tuple(claims), kept, note, fact["id"])

    def subject(self, fact: dict[str, Any]) -> str:
        kind = fact["type"]
        if kind == "meeting":
            return self.meeting_name(fact)
        if kind == "partnership":
            return f"{kb.word('partnership', self.lang)}: {kb.word(fact.get('level'), self.lang)}"
        if kind == "indicator":
            year = fact.get("year")
            return kb.word(fact.get("metric"), self.lang) + (f" ({year})" if year is not None else "")
        return str(fact.get("title") or kb.word(fact.get("kind"), self.lang))

    # -- helpers -----------------------------------------------------------------------------------

    def _timeline(self, types: tuple[str, ...], *, dated_only: bool = True) -> list[dict[str, Any]]:
        since = self.since if dated_only else None
        return kb.timeline(self.store, self.code, types=types, since=since, limit=None).items

    def _disputed(self, fact: dict[str, Any]) -> tuple[str, ...]:
        return (self.w["disputed"],) if fact.get("conflicts") else ()

    def date_text(self, iso: str) -> str:
        return date_text(iso, self.lang)

    def num(self, x: float) -> str:
        text = f"{x:,.2f}".rstrip("0").rstrip(".")
        return text.translate(str.maketrans({",": self.w["thousands"], ".": self.w["decimal"]}))

    def amount(self, value: float, unit: Any, metric: str) -> tuple[str, str]:
        """A figure in base units as (number with its scale word, unit): ("420,4 tỷ", "USD")."""
        if unit == "percent":
            return self.w["percent"].format(n=self.num(value)), ""
        for size, key in ((1e9, "scale_billion"), (1e6, "scale_million")):
            if abs(value) >= size:
                return f"{self.num(value / size)} {self.w[key]}", self.unit_word(unit, metric)
        return self.num(value), self.unit_word(unit, metric)

    def unit_word(self, unit: Any, metric: str) -> str:
        if unit == "count":
            return str(self.w["counted"].get(metric, ""))
        return str(unit or "")


# -- small pure helpers ------------------------------------------------------------------------------

def date_text(iso: str, lang: str = "vi") -> str:
    """An ISO date as a reader writes it: 14/11/2020, tháng 11/2015, 1977 / 14 Nov 2020."""
    parts = iso[:10].split("-")
    if lang == "vi":   # the press writes 6/9/2023 and tháng 7/2009, without leading zeros
        return ("tháng " if len(parts) == 2 else "") + "/".join(
            [str(int(p)) for p in reversed(parts[1:])] + parts[:1])
    if len(parts) == 1:
        return parts[0]
    month = str(words(lang)["months"][int(parts[1]) - 1])
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def _agree(a: Any, b: str, width: int | None = None) -> bool:
    """Two ISO dates of any precision agree: one refines the other (or same year, ``width=4``)."""
    if not isinstance(a, str) or not a:
        return False
    if width:
        return a[:width] == b[:width]
    return a.startswith(b) or b.startswith(a)


def _from(articles: set[str]) -> Has:
    return lambda source: source.article in articles


def _day(iso: str | None) -> Date | None:
    try:
        return Date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None


def _states_date(value: str, width: int | None = None) -> States:
    def states(text: str, published: str | None) -> bool:
        return any(_agree(m.date, value, width) for m in find_dates(text, _day(published)))
    return states


def _states_amount(value: float) -> States:
    def states(text: str, published: str | None) -> bool:
        return any(_close(a.value, value) for a in find_amounts(text))
    return states


def _close(a: Any, b: Any) -> bool:
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    return abs(float(a) - float(b)) <= VALUE_TOLERANCE * max(abs(float(a)), abs(float(b)))


def _before(iso: str, today: str) -> bool:
    """Whether the whole period ``iso`` names is over by ``today``."""
    return iso < today[:len(iso)]


def _period_end(period: Any) -> str | None:
    if not isinstance(period, str) or not period:
        return None
    return period.split("-")[-1][:4]


def _english_ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _store_label(store: Store) -> str:
    path = getattr(store, "path", None)   # only the SQLite backend has one
    return Path(str(path)).name if path else type(store).__name__


# -- the chart -------------------------------------------------------------------------------------

_CHART_LOCK = threading.Lock()
_XML_HEAD = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def _svg_chart(series: Sequence[tuple[list[int], list[float]]], names: Sequence[str], ylabel: str,
               *, salt: str, label: Callable[[float], str]) -> str:
    """A small line chart as an SVG document, drawn off-screen (no display, no pyplot state).

    Text stays text (``svg.fonttype = none``) so the page's own fonts render Vietnamese; the
    hash salt keeps element ids distinct between charts inlined in one page, and stable."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    rc: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": f"quanhe-{salt}", "font.size": 9,
          "font.family": "sans-serif", "axes.spines.top": False, "axes.spines.right": False}
    # rc_context changes matplotlib's process-wide settings: one chart at a time (the API
    # server renders dossiers on several threads)
    with _CHART_LOCK, matplotlib.rc_context(rc):
        figure = Figure(figsize=(6.4, 2.6))
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        styles: tuple[dict[str, Any], ...] = ({"marker": "o", "linestyle": "-", "color": "#1f4e79"},
                  {"marker": "D", "linestyle": "--", "color": "#b35900", "markerfacecolor": "white"})
        years: set[int] = set()
        for (xs, ys), name, style in zip(series, names, styles):
            if not xs:
                continue
            years.update(xs)
            axes.plot(xs, ys, label=name, **style)
            for x, y in zip(xs, ys):
                axes.annotate(label(round(y, 1)), (x, y),
                              textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
        axes.set_xticks(sorted(years))
        axes.set_xticklabels([str(y) for y in sorted(years)])
        if len(years) == 1:
            only = next(iter(years))
            axes.set_xlim(only - 1, only + 1)
        axes.set_ylim(bottom=0, top=max(max(ys, default=0.0) for _, ys in series) * 1.25 or 1.0)
        axes.set_ylabel(ylabel)
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.legend(frameon=False, loc="best")
        figure.tight_layout()
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    # the <svg> element alone: no prolog or DOCTYPE (its DTD is a URL), no RDF metadata
    return _METADATA.sub("", _XML_HEAD.sub("", out.getvalue(), count=1))


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# -- rendering -----------------------------------------------------------------------------------------

def render(dossier: Dossier, fmt: str = "md") -> str:
    """The dossier as Markdown (one file, charts as data: URIs) or as one HTML page."""
    if fmt == "md":
        return _markdown(dossier)
    if fmt == "html":
        return _html(dossier)
    raise UsageError(f"a dossier is written as {' or '.join(FORMATS)}, not {fmt!r}")


@lru_cache(maxsize=1)
def _template() -> Any:
    """The page template, loaded once (a server renders many dossiers); jinja2 templates are
    safe to render from several threads."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("quanhe", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("dossier.html.j2")


def _html(d: Dossier) -> str:
    from markupsafe import Markup

    template = _template()
    # charts are ours (numbers and our own words), so they go in unescaped
    charts = {t.metric: Markup(t.chart_svg) for t in d.figures if t.chart_svg}
    return str(template.render(d=d, w=words(d.lang), charts=charts, link=_web_link,
                               day=lambda iso: date_text(iso, d.lang)))


def _web_link(url: str | None) -> str | None:
    """A URL safe to link to: http(s) only (an article's URL is untrusted input)."""
    return url if url and re.match(r"https?://", url, re.IGNORECASE) else None


_MD_SPECIAL = str.maketrans({"|": "\\|", "[": "\\[", "]": "\\]", "<": "&lt;", ">": "&gt;",
                             "*": "\\*", "_": "\\_", "`": "\\`", "\n": " ", "\r": " "})


def _md(text: str) -> str:
    """Untrusted or free text made inert in Markdown: no HTML, no links, no table breaks."""
    return text.translate(_MD_SPECIAL)


def _marks(refs: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in refs)


def _md_cell(cell: Cited, row: Row) -> str:
    """A cell's own citations are shown only when they are not the whole row's."""
    own = f" {_marks(cell.refs)}" if cell.refs and set(cell.refs) != set(row.refs) else ""
    return _md(cell.text) + own


def _md_table(header: Sequence[str], rows: Sequence[Row], *, notes: bool = True, sources: bool = True) -> list[str]:
    w_head = list(header)
    lines = ["| " + " | ".join(w_head) + " |", "|" + "---|" * len(w_head)]
    for row in rows:
        cells = [_md_cell(c, row) for c in row.cells]
        if notes:
            cells.append(_md("; ".join(row.notes)))
        if sources:
            cells.append(_marks(row.refs))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _markdown(d: Dossier) -> str:
    w = words(d.lang)
    out = [f"# {w['title'].format(partner=d.partner_name)}", "",
           f"*{w['subtitle']} · {w['generated'].format(date=date_text(d.generated, d.lang))}*", "",
           w["coverage"].format(articles=d.articles, store=f"`{d.store}`", cited=d.cited_articles)]
    if d.since:
        out.append(" " + w["since"].format(date=date_text(d.since, d.lang)))
    out += ["", f"> {w['how_to_read']}", ""]

    lv = d.level
    out += [f"## {w['level']}", ""]
    if lv.current is not None and lv.since is not None:
        note = f" ({lv.since_note})" if lv.since_note else ""
        out.append(f"**{_md(lv.current.text)}**, {_md(lv.since.text)} {_marks(lv.since.refs)}{_md(note)}")
    else:
        out.append(w["level_none"])
    out.append("")
    if lv.undated:
        extra = f" — **{w['outranks']}**" if lv.outranked else ""
        out.append(f"- {w['undated_levels']}: " + "; ".join(
            f"{_md(c.text)} {_marks(c.refs)}" for c in lv.undated) + extra)
    if lv.aspired:
        out.append(f"- {w['aspired']}: " + "; ".join(f"{_md(c.text)} {_marks(c.refs)}" for c in lv.aspired))
    out += ["", f"### {w['milestones']}", ""]
    out += [f"- {_md(r.cells[0].text)} — {_md(r.cells[1].text)} {_marks(r.refs)}"
            + (f" *({_md('; '.join(r.notes))})*" if r.notes else "") for r in lv.milestones] \
        or [w["milestones_none"]]

    meeting_head = (w["col_date"], w["col_meeting"], w["col_place"], w["col_notes"], w["col_sources"])
    out += ["", f"## {w['meetings']}", ""]
    for key, rows in (("held", d.held), ("planned", d.planned)):
        out += [f"### {w[key]}", ""]
        out += (_md_table(meeting_head, rows) if rows else [w["meetings_none"]]) + [""]
        if key == "held" and d.held_truncated:
            out += [w["meetings_more"].format(code=d.partner), ""]

    out += [f"## {w['documents']}", ""]
    out += _md_table((w["col_date"], w["col_document"], w["col_period"], w["col_status"],
                      w["col_completion"], w["col_notes"], w["col_sources"]), d.documents) \
        if d.documents else [w["documents_none"]]

    out += ["", f"## {w['figures']}", ""]
    if not d.figures:
        out.append(w["figures_none"])
    figure_head = (w["col_year"], w["col_value"], w["col_unit"], w["col_count"], w["col_notes"], w["col_sources"])
    for table in d.figures:
        out += [f"### {_md(table.title)}", ""]
        for key, rows in (("actuals", table.actuals), ("targets", table.targets)):
            if rows:
                out += [f"**{w[key]}**", ""] + _md_table(figure_head, rows) + [""]
        if table.chart_svg:
            alt = w["chart"].format(metric=table.title)
            out += [f"![{_md(alt)}]({svg_data_uri(table.chart_svg)})", ""]

    out += ["", f"## {w['conflicts']}", ""]
    for c in d.conflicts:
        claims = " · ".join(f"{_md(v.text)} {_marks(v.refs)}" + (f" *({w['conflict_kept']})*" if i == c.kept else "")
                            for i, v in enumerate(c.claims))
        note = f" — {_md(c.note)}" if c.note else ""
        out.append(f"- **{_md(c.subject)}** — {_md(c.field)}: {claims}{note}")
    if not d.conflicts:
        out.append(w["conflicts_none"])

    out += ["", f"## {w['citations']}", ""]
    for cite in d.citations:
        title = f" *{_md(cite.title)}*" if cite.title else ""
        link = _web_link(cite.url)
        url = f" <{link}>" if link and " " not in link else ""
        out += [(f"[{cite.number}] {_md(cite.outlet or w['no_outlet'])}, {cite.published_text}.{title}"
                 f" ({w['article']} `{cite.article}`, {cite.start}–{cite.end}){url}  "),
                f"“{_md(cite.text)}”", ""]
    return "\n".join(out).rstrip() + "\n"


__all__ = ["Citation", "Cited", "ConflictItem", "Dossier", "FigureTable", "LevelSection", "Row",
           "build", "date_text", "render", "words"]
