"""The knowledge base: facts fused across articles, and the questions analysts ask of it.

``refresh`` re-fuses what changed since the last ingest (quanhe.fuse does the fusing, the store
keeps the result). Every other function here is a query the CLI, the API and the dossier call:
arguments are checked here, once, and each answer is plain data.
"""
from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from quanhe import fuse
from quanhe.errors import NotFoundError, UsageError
from quanhe.extract.context import patterns
from quanhe.query import FACT_TYPES, fact_type, iso_date, partner_code
from quanhe.store.base import CanonicalFilter, Store

TIMELINE_TYPES = ("meeting", "partnership", "document")


# the indicator metrics, in the order the extractor's vocabulary (patterns.toml) lists them
METRICS = tuple(dict.fromkeys(metric for _, metric in patterns()["indicator"]["metrics"]))
MAX_PAGE = 1000
MAX_OFFSET = 2**62          # SQLite's integers end at 2**63 - 1
DEFAULT_PAGE = 100


# -- fusion ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def fuser_id() -> str:
    """Names the fusion rules: the fusion module and its data file, so editing either re-fuses."""
    digest = hashlib.sha256()
    digest.update(resources.files("quanhe").joinpath("fuse.py").read_bytes())
    for name in ("fusion.toml", "documents.toml"):   # documents.toml: treaties fused by acronym
        digest.update(resources.files("quanhe.data").joinpath(name).read_bytes())
    return digest.hexdigest()[:12]


def refresh(store: Store, *, batch: int = 500,
            progress: Callable[[int], object] | None = None) -> int:
    """Fuse every block whose facts changed (all of them when the rules changed); returns how
    many blocks were fused. Safe to run any time; a no-op when nothing changed."""
    previous = store.fused_with()
    if previous != fuser_id():
        # new rules may cut blocks differently: recompute every fact's block, then fuse it all
        # (a store never fused only fills in the blocks facts were stored without)
        store.reset_fusion(fuse.block_of, fuser_id(), every_fact=previous is not None)
    done = 0
    while blocks := store.fuse_dirty(fuse.fuse_block, limit=batch):
        done += len(blocks)
        if progress is not None:
            progress(len(blocks))
    return done


# -- answers ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Page:
    """One page of a longer answer."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def to_record(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "limit": self.limit, "offset": self.offset}


@dataclass(frozen=True, slots=True)
class LevelAsOf:
    """The partnership level in force on a date, and the fact that says so."""

    partner: str
    as_of: str
    level: str | None            # None: no level known to have been reached by then
    since: str | None            # when that level was reached
    fact: dict[str, Any] | None  # the canonical partnership fact
    history: list[dict[str, Any]] = field(default_factory=list)  # every dated level, oldest first
    note: str = ""

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SeriesEntry:
    ordinal: int | None
    fact: dict[str, Any] | None   # None: a gap (no article in the store reports that ordinal)

    def to_record(self) -> dict[str, Any]:
        return {"ordinal": self.ordinal, "fact": self.fact}


@dataclass(frozen=True, slots=True)
class MechanismSeries:
    mechanism: str
    partners: list[str]
    entries: list[SeriesEntry]    # by ordinal, gaps included; meetings without an ordinal last
    gaps: list[int]

    def to_record(self) -> dict[str, Any]:
        return {"mechanism": self.mechanism, "partners": self.partners, "gaps": self.gaps,
                "entries": [e.to_record() for e in self.entries]}


def timeline(store: Store, partner: str, *, types: tuple[str, ...] | list[str] | None = None,
             since: str | None = None, until: str | None = None,
             limit: int | None = DEFAULT_PAGE, offset: int = 0) -> Page:
    """A partner's meetings, milestones and documents (or ``types``), oldest first; undated facts
    come last, and are left out when a period is given."""
    code = _partner(partner)
    kinds = tuple(fact_type(t) or "" for t in (types or TIMELINE_TYPES))
    if "person" in kinds:
        raise UsageError("a timeline holds meetings, partnerships, documents and indicators; "
                         "persons belong to no partner")
    where = CanonicalFilter(partner=code, types=kinds, since=iso_date(since, "since"),
                            until=iso_date(until, "until"), **_paging(limit, offset))
    return _page(store, where)


def facts(store: Store, *, partner: str | None = None, type: str | None = None,
          since: str | None = None, until: str | None = None, conflicts: bool = False,
          limit: int | None = DEFAULT_PAGE, offset: int = 0) -> Page:
    """Canonical (fused) facts, filtered by partner, type and period like the extracted facts
    of ``quanhe.query.facts`` (``conflicts``: only disputed ones)."""
    kind = fact_type(type)
    where = CanonicalFilter(partner=partner_code(partner), types=(kind,) if kind else (),
                            since=iso_date(since, "since"), until=iso_date(until, "until"),
                            conflicts_only=conflicts, **_paging(limit, offset))
    return _page(store, where)


def level_as_of(store: Store, partner: str, when: str | None = None) -> LevelAsOf:
    """The level of ASEAN–``partner`` relations on ``when`` (an ISO date; default today): the
    latest level reached on or before it. A level dated only by its year counts from that year's
    end, so "2022" answers for 2023-01-01 but not for 2022-06-01."""
    code = _partner(partner)
    as_of = iso_date(when, "as-of") or Date.today().isoformat()
    today = as_of >= Date.today().isoformat()   # "now" (also what a dossier made today asks)
    ranks = {level: i for i, level in enumerate(fuse.rules().levels)}
    reached = [f for f in store.canonical(CanonicalFilter(partner=code, types=("partnership",)))
               if f.get("status") == "established" and f.get("partners") == [code]]
    # a level stated only as the present one counts from the day the first source said so
    since: dict[str, str] = {f["id"]: str(f.get("date") or f.get("reached_by") or "") for f in reached}
    dated = sorted((f for f in reached if since[f["id"]]),
                   key=lambda f: (since[f["id"]], ranks.get(f.get("level", ""), -1)))
    history = [{"level": f["level"], "date": f.get("date"), "reached_by": f.get("reached_by"),
                "id": f["id"]} for f in dated]
    in_force = [f for f in dated if _reached_by(since[f["id"]], as_of)]
    notes = []
    unsure = [f for f in dated if len(since[f["id"]]) < len(as_of) and as_of.startswith(since[f["id"]])]
    if unsure:
        notes.append("reached during that period, day unknown: " +
                     ", ".join(f"{f['level']} ({since[f['id']]})" for f in unsure))
    if in_force and not in_force[-1].get("date"):
        notes.append(f"{in_force[-1]['level']}: no source dates it; it was in force by "
                     f"{in_force[-1]['reached_by']}, when an article stated it")
    undated = sorted({f["level"] for f in reached if not since[f["id"]]})
    if undated:
        notes.append("stated without a date, not placed in time: " + ", ".join(undated))
    note = "; ".join(notes)
    if not in_force:
        return LevelAsOf(code, as_of, None, None, None, history, note)
    best = max(in_force, key=lambda f: (since[f["id"]], ranks.get(f.get("level", ""), -1)))
    if today:
        # levels only go up: one stated as reached, even without a date, is in force today
        higher = [f for f in reached if not since[f["id"]]
                  and ranks.get(f.get("level", ""), -1) > ranks.get(best.get("level", ""), -1)]
        if higher:
            top = max(higher, key=lambda f: ranks.get(f.get("level", ""), -1))
            note = "; ".join(filter(None, [f"{top['level']}: stated as reached, no source dates it", note]))
            return LevelAsOf(code, as_of, top["level"], None, top, history, note)
    return LevelAsOf(code, as_of, best["level"], since[best["id"]], best, history, note)


def figure_series(store: Store, partner: str, metric: str, *, target: bool | None = False) -> list[dict[str, Any]]:
    """A partner's figures for one metric, by year (``target=None``: goals and actuals both)."""
    code = _partner(partner)
    name = metric.strip().lower()
    if name not in METRICS:
        raise UsageError(f"metric {metric!r} is not known; use one of: {', '.join(METRICS)}")
    rows = store.canonical(CanonicalFilter(blocks=(f"indicator|{code}|{name}",)))
    return [f for f in rows if target is None or bool(f.get("target")) == target]


def mechanism_series(store: Store, mechanism: str, partners: list[str] | tuple[str, ...] = ()) -> MechanismSeries:
    """Every meeting of one mechanism (with these partners) by ordinal, gaps shown."""
    name = mechanism.strip().lower()
    known = fuse.rules().mechanisms
    if name not in known:
        raise UsageError(f"mechanism {mechanism!r} is not known; use one of: {', '.join(known)}")
    codes = sorted({_partner(p) for p in partners} or fuse.rules().default_partners.get(name, ()))
    block = f"meeting|{','.join(codes)}|{name}"
    meetings = list(store.canonical(CanonicalFilter(blocks=(block,))))
    by_ordinal = {f["ordinal"]: f for f in meetings if isinstance(f.get("ordinal"), int)}
    entries: list[SeriesEntry] = []
    gaps: list[int] = []
    if by_ordinal:
        for n in range(min(by_ordinal), max(by_ordinal) + 1):
            entries.append(SeriesEntry(n, by_ordinal.get(n)))
            if n not in by_ordinal:
                gaps.append(n)
    entries += [SeriesEntry(None, f) for f in meetings if not isinstance(f.get("ordinal"), int)]
    return MechanismSeries(name, codes, entries, gaps)


def fact(store: Store, fact_id: str) -> dict[str, Any]:
    """One canonical fact with all its evidence: each source's sentences, article and outlet."""
    record = store.canonical_fact(fact_id.strip())
    if record is None:
        raise NotFoundError(f"no fact {fact_id!r} in the store")
    evidence = []
    for source in store.supporting(record.get("facts", [])):
        article = source.pop("_article")
        for span in source.get("evidence", []):
            evidence.append({"article": source["article"], "url": article["url"],
                             "outlet": outlet(article["url"]), "title": article["title"],
                             "published": article["published"], "date": source.get("date"),
                             **span})
    record["evidence"] = evidence
    return record


def partners(store: Store) -> list[dict[str, Any]]:
    """Every partner in the store with its name and number of fused facts."""
    names = display()["partners"]
    return [{"code": code, "facts": n, "name": names.get(code, {}).get("vi", code),
             "name_en": names.get(code, {}).get("en", code)} for code, n in store.partners()]


def articles(store: Store, *, limit: int | None = DEFAULT_PAGE, offset: int = 0) -> Page:
    paging = _paging(limit, offset)
    items = store.articles(paging["limit"], paging["offset"])
    return Page(items, store.counts()["articles"], paging["limit"] or 0, paging["offset"])


# -- display ------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def display() -> dict[str, Any]:
    """data/display.toml: partner names, outlets and words in Vietnamese and English."""
    return tomllib.loads(resources.files("quanhe.data").joinpath("display.toml").read_text("utf-8"))


def outlet(url: str | None) -> str | None:
    """The news site a URL belongs to, by name when display.toml knows it."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("www.", "wwww.", "m."):
        host = host.removeprefix(prefix)
    outlets: dict[str, str] = display()["outlets"]
    return outlets.get(host, host or None)


def word(key: str | None, lang: str = "vi", partner: str | None = None) -> str:
    """A vocabulary value (level, mechanism, metric…) as a reader would say it."""
    if key is None:
        return ""
    text = str(display()["words"].get(lang, {}).get(key, key.replace("_", " ")))
    return text.replace("{partner}", partner_name(partner, lang) if partner else "…")


def partner_name(code: str | None, lang: str = "vi") -> str:
    if not code:
        return ""
    return str(display()["partners"].get(code, {}).get(lang, code))


# -- argument checks ------------------------------------------------------------------------------------

def _partner(partner: str) -> str:
    code = partner_code(partner)
    if code is None:
        raise UsageError("a partner code is needed: US, CN, JP, KR, EU …")
    known = display()["partners"]
    if code not in known:
        raise UsageError(f"{code!r} is not a partner code; use one of: {', '.join(known)}")
    return code



def _paging(limit: int | None, offset: int) -> dict[str, Any]:
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise UsageError(f"limit must be between 1 and {MAX_PAGE}, not {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise UsageError(f"offset must be between 0 and {MAX_OFFSET}, not {offset}")
    return {"limit": limit, "offset": offset}


def _page(store: Store, where: CanonicalFilter) -> Page:
    items = list(store.canonical(where))
    total = store.canonical_count(where) if (where.limit is not None and
                                            (len(items) == where.limit or where.offset)) \
        else where.offset + len(items)
    return Page(items, total, where.limit or len(items), where.offset)


def _reached_by(reached: str, as_of: str) -> bool:
    """Whether a level dated ``reached`` (any precision) was in force on ``as_of``."""
    if len(reached) >= len(as_of):
        return reached[:len(as_of)] <= as_of
    return reached < as_of[:len(reached)]   # a coarser date counts once its whole period is over


__all__ = ["FACT_TYPES", "LevelAsOf", "MechanismSeries", "Page", "SeriesEntry", "articles", "fact",
           "facts", "figure_series", "level_as_of", "mechanism_series", "outlet", "partners",
           "refresh", "timeline"]
