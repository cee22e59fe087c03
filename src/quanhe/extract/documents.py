"""Outcome documents, plans, agreements and treaties, with what was done to them."""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from quanhe.extract.common import CHAIN, PartnerMemory, chain_near, has_word, partners_of, same_day
from quanhe.extract.context import TAG, ArticleContext, SentenceView, compiled, patterns
from quanhe.language.charclass import UPPER
from quanhe.model import Fact
from quanhe.normalize import fold

_PERIOD = re.compile(r"(?:giai doan\s+)?\(?((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})\)?")
_UNTIL = re.compile(r"den(?: nam)?\s+((?:19|20)\d{2})")
# The title of a document ends at the first of these (folded), or at a clause break.
@lru_cache(maxsize=1)
def _title_end() -> re.Pattern[str]:
    """Where a written title stops: a clause break, or a word from patterns.toml's title_ends."""
    words = sorted(patterns()["document"]["title_ends"], key=len, reverse=True)
    return re.compile(r"[,;.:!?]\s|[,;:]$|\s(?:" + "|".join(words) + r")\s")


@lru_cache(maxsize=1)
def known_documents() -> dict[str, dict[str, Any]]:
    """Named treaties and agreements (DOC, TAC, ACFTA...) with what they are and whom they bind."""
    raw = tomllib.loads(resources.files("quanhe.data").joinpath("documents.toml").read_text("utf-8"))
    known: dict[str, dict[str, Any]] = raw["known"]
    return known


def _title_span(view: SentenceView, start: int) -> tuple[int, int]:
    """(start, end) in tagged coordinates of a document's written title."""
    rest = view.tagged[start:]
    end = len(rest)
    spelled = dict(patterns()["document"]["accented_title_ends"])
    for m in _title_end().finditer(rest, 8):
        word = m.group(0).strip(" ,;.:!?")
        pos = view.canon_pos(start + m.start() + 1)
        if word in spelled and view.canon[pos:pos + len(spelled[word])].lower() != spelled[word]:
            continue                                      # "chủ đề" is no "để": read on
        if m.group(0).startswith(",") and _TITLE_LIST.match(view.canon, view.canon_pos(start + m.end())) \
                and not _starts_another_title(rest[m.end():]):
            continue                                      # "về Biến đổi khí hậu, Năng lượng và Môi trường"
        end = m.start()
        break
    period = _PERIOD.search(rest, 0, end)
    if period and period.group(1) < period.group(2):
        end = min(end, period.end())                      # "... giai đoạn 2021-2025": the span closes the title
    for k in _vocabulary()[1].finditer(rest, 8, end):
        joint = re.search(r"\s*(?:va|cung|,)\s*$", rest[:k.start()])
        if joint and re.search(r"\s(?:va|cung|,)\s*$", rest[:k.start()]):
            end = min(end, joint.start())
            break                                         # "Tuyên bố chung về A và Tuyên bố chung về B"
    # an acronym in brackets closes the title: "(TAC)", "(ACFTA)"
    bracket = re.search(r"\([a-z0-9 .&-]{2,14}\)", rest[:end + 20])
    if bracket and bracket.end() <= end + 20 and bracket.start() < end + 2:
        end = bracket.end()
    return start, start + min(end, 220)


# Capitalised fields listed inside one title: "Năng lượng và Môi trường"
_TITLE_LIST = re.compile(UPPER + r"[^\W\d_]*(?: [^\W\d_]+){0,3} và " + UPPER)


def _starts_another_title(text: str) -> bool:
    return bool(_vocabulary()[1].match(text)) or text.startswith("‹")


@dataclass(frozen=True)
class _Named:
    """A document named in a sentence: its kind phrase, written title and span."""

    start: int                # tagged offsets of the kind phrase ("tuyen bo chung")
    end: int
    phrase: str
    kind: str
    title_start: int          # tagged offsets of the whole written title
    title_end: int
    period: str | None

    def title_tagged(self, view: SentenceView) -> str:
        return view.tagged[self.title_start:self.title_end]


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, str], re.Pattern[str], re.Pattern[str], dict[str, str]]:
    p = patterns()["document"]
    kinds = {phrase: kind for phrase, kind in p["kinds"]}
    action_of = {a: act for a, act in p["actions"]}
    return kinds, compiled(*kinds), compiled(*action_of), action_of


def extract_documents(ctx: ArticleContext) -> list[Fact]:
    p = patterns()["document"]
    _, _, action_re, action_of = _vocabulary()
    memory = PartnerMemory(ctx)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    known_parties: dict[str, tuple[str, ...]] = {}           # a cited agreement's parties, once the article names them
    for index, view in enumerate(ctx.views):
        previous: tuple[int, str] | None = None           # (title end, action) of the last document named
        for named in _named_documents(view):
            if re.match(r"\s*(?:da |cung )?(?:" + "|".join(p["speech_verbs"]) + r")\b",
                        view.tagged[named.title_end:named.title_end + 20]):
                continue                                  # "Tuyên bố chung Delhi khẳng định ...": what it says
            action = _action(view, named.start, named.title_end, action_re, action_of, p)
            if previous and re.fullmatch(r"\s*(?:,\s*)?(?:va|cung|cung voi)?\s*", view.tagged[previous[0]:named.start]):
                action = previous[1]                      # "thông qua Tuyên bố A và Tuyên bố B": both adopted
            if action is None:
                continue                                  # a passing mention: nothing was done to it
            previous = (named.title_end, action)
            title_tagged = named.title_tagged(view)
            known = _known(view.canon[view.canon_pos(named.title_start):view.canon_pos(named.title_end + 25)])
            if known and known.get("skip") and (named.kind != "other" or named.phrase.startswith("bo quy tac")):
                continue                                  # cited in passing far more often than acted on
            if re.search(r"\d{4}\s*[-–]$", title_tagged.rstrip()):
                continue                                  # cut off mid-title ("Kế hoạch Hành động 2021-")
            if title_tagged.strip(" ,.;") == named.phrase and not known and named.phrase in p["bare_kind_words"]:
                continue                                  # "đã ký Hiệp định": the one just named, said again
            partners, bilateral = _parties(view, named, known, action)
            if bilateral:
                continue                                  # a document of two countries, not ASEAN's
            acronym = known["acronym"] if known else None
            if partners is None and acronym in known_parties:
                partners = known_parties[acronym]            # "Tuyên bố chung ... về Hiệp định RCEP": as said before
            if partners is None:
                # a document is ASEAN's and someone's only when that someone was named up to here
                partners = memory.resolve(view, dominant=False)
            if partners is None:
                continue
            if acronym and partners and action != "acceded":
                known_parties.setdefault(acronym, partners)
            if action == "acceded" and len(partners) > 1:
                for joiner in partners:                   # each country joins on its own
                    _record(out, ctx, index, named, (joiner,), action, known)
                continue
            _record(out, ctx, index, named, partners, action, known)
        memory.see(view)
    facts = []
    for (partners, kind, _), body in _merge_twins(out).items():
        attributes = {"kind": kind, "title": body["title"], "period": body["period"],
                      "action": body["action"]}
        if body["completion"] is not None:
            attributes["completion"] = body["completion"]
        facts.append(Fact("document", ctx.doc.id, partners, body["date"], tuple(body["evidence"]), 0.7, attributes))
    return facts


def _named_documents(view: SentenceView) -> Iterator[_Named]:
    """Every document the sentence names with a title, left to right, one per title."""
    kinds, kind_re, _, _ = _vocabulary()
    taken_until = -1
    for m in kind_re.finditer(view.tagged):
        if m.start() < taken_until:
            continue
        if taken_until > 0 and re.fullmatch(r"\s*(?:(?:de|nham) )?(?:thuc hien|trien khai|ve)\s*",
                                            view.tagged[taken_until:m.start()]):
            taken_until = _title_span(view, m.start())[1]
            continue                                      # "Kế hoạch hành động ... thực hiện Tuyên bố Tầm nhìn ARF": one name
        phrase, kind = m.group(0), kinds[m.group(0)]
        t_start, t_end = _title_span(view, m.start())
        taken_until = m.end()                             # until the title is accepted, what follows is free
        period = _period(view.tagged[t_start:t_end], kind) or _period_after(view.tagged[t_end:t_end + 90], kind)
        if not _is_a_title(view, m, phrase, kind, period):
            continue
        taken_until = t_end
        yield _Named(m.start(), m.end(), phrase, kind, t_start, t_end, period)


def _is_a_title(view: SentenceView, m: re.Match[str], phrase: str, kind: str, period: str | None) -> bool:
    """Whether a kind word opens a document's name, not a common noun or verb."""
    capital = view.canon[view.canon_pos(m.start()):view.canon_pos(m.start()) + 1].isupper()
    if kind == "other" and not capital and not phrase.startswith("huong dan"):
        return False
    if kind == "declaration" and not capital and not re.match(
            r"tuyen bo (?:chung|tam nhin|chu tich|ve)", phrase + view.tagged[m.end():m.end() + 12]):
        return False                                      # "tuyên bố" the verb, not a Declaration
    if phrase == "ke hoach" and not period:
        return False                                      # a bare "Kế hoạch" names a plan only with its span
    if not capital and kind not in ("declaration", "other") and not period:
        return False                                      # "kế hoạch" in passing, not a named plan
    if kind == "declaration" and phrase == "tuyen bo":
        nxt = view.canon[view.canon_pos(m.end()):view.canon_pos(m.end()) + 12].strip()
        if not nxt or not (nxt[:1].isupper() or re.match(r"(?:về|của|chung)\b", nxt)):
            return False                                  # "Tuyên bố nêu rõ": the declaration as a subject
    return True


def _parties(view: SentenceView, named: _Named, known: dict[str, Any] | None,
             action: str) -> tuple[tuple[str, ...] | None, bool]:
    """(partners or None when unknown, whether the document is bilateral) from what the text names."""
    title_tagged = named.title_tagged(view)
    chain = chain_near(view, named.title_start, named.title_start, max(0, named.title_end - named.title_start))
    if chain and all(k == "L" and c not in ("east_asia", "mekong") for k, c in chain):
        chain = None                                      # "Tuyên bố Sochi": a place names it, no party
    partners = partners_of(chain) if chain else None
    tags = [(t.group(1), t.group(2)) for t in TAG.finditer(title_tagged)]
    named_partners = tuple(sorted({code for kind, code in tags if kind == "P"}))
    if not partners and any(k == "G" for k, _ in tags):
        partners = partners_of([t for t in tags if t[0] == "G"])   # "Tuyên bố Kuala Lumpur về ... ASEAN+3"
    if partners == () and named_partners:
        partners = named_partners                         # "tầm nhìn ASEAN Nhật Bản": parties without a dash
    if not partners and not named_partners:
        # "Kế hoạch Hành động Bandar Seri Begawan nhằm tăng cường Quan hệ ... ASEAN - Liên Âu": said after
        clause = re.split(r"[;.]\s|,\s|\s+va\s+", view.tagged[named.title_end:named.title_end + 100], maxsplit=1)[0]
        later = re.search(r"‹O:ASEAN›\s*[-–]\s*‹P:(\w+)›", clause)
        partners = (later.group(1),) if later else partners
    asean_own = any(kind == "M" or code in ("east_asia", "cities") for kind, code in tags) or (
        ("O", "asean_community") in tags and action in ("signed", "adopted"))   # made then, not cited
    if not partners and asean_own and not any(kind in "PG" for kind, _ in tags):
        partners = ()                                     # "Tuyên bố về việc kết nạp Timor-Leste vào ASEAN"
        process = [(t.group(1), t.group(2)) for t in TAG.finditer(view.tagged) if t.group(1) == "G"]
        if {code for _, code in tags} == {"east_asia"} and process:
            partners = partners_of(process[:1])           # "hợp tác Đông Á" in a sentence about ASEAN+3
    if chain and partners is None and not known:
        return None, True
    subject = list(CHAIN.finditer(view.tagged, max(0, named.start - 100), named.start))
    if not partners and subject and not chain:
        names = [(t.group(1), t.group(2)) for t in TAG.finditer(subject[-1].group(0))]
        if partners_of(names) is None and any(k == "M" for k, _ in names):
            return None, True                             # "Hoa Kỳ và Malaysia đã ký Hiệp định ...": bilateral
    if known and known.get("partners") is not None:
        partners = tuple(sorted(known["partners"]))
    elif known and not partners:
        # "RCEP giữa 10 nước ASEAN và 5 đối tác Trung Quốc, Nhật Bản, ...": its parties, said after
        clause = re.split(r"[;.]\s", view.tagged[named.title_end:named.title_end + 160], maxsplit=1)[0]
        signers = re.split(r"[;.]\s", view.tagged[max(0, named.start - 240):named.start])[-1]
        for side in (clause, signers):                    # "... 10 nước ASEAN và 5 nước đối tác gồm ... đã ký RCEP"
            if "‹O:ASEAN›" in side and not partners:
                listed = tuple(sorted({t.group(2) for t in TAG.finditer(side) if t.group(1) == "P"}))
                partners = listed or partners
    if partners == () and set(tags) == {("O", "ASEAN")} and not re.search(
            r"(?:lanh dao|bo truong|nguyen thu) ‹O:ASEAN›(?!\s*[-–])", title_tagged):
        partners = None                                   # only ASEAN named: the partner is said elsewhere
    if named.phrase in patterns()["document"]["asean_own_kinds"] and not named_partners:
        partners = ()                                     # "Hiến chương ASEAN": the members' own
    if action == "acceded":
        joiner = _acceding_party(view, named.start)
        if joiner is not None:
            partners = joiner                             # "Saudi Arabia đã tham gia TAC": who joined
    return partners, False


def _record(out: dict[tuple[Any, ...], dict[str, Any]], ctx: ArticleContext, index: int,
            named: _Named, partners: tuple[str, ...], action: str, known: dict[str, Any] | None) -> None:
    """Add one mention to the article's documents, merging repeats of the same document."""
    view = ctx.views[index]
    date = _doc_date(view, named.start, named.title_end) or same_day(ctx, index)
    ongoing = re.search(r"\b(?:dang|van dang|tiep tuc)\b", view.tagged[max(0, named.start - 60):named.start])
    if date is None and (action in ("adopted", "signed", "ratified") or (action == "negotiating" and not ongoing)):
        date = ctx.lead_date or ctx.published             # done at the event the article reports
    if named.period and date and named.kind == "plan_of_action" and date[:4] in named.period:
        date = None                                       # the plan's span, not when it was adopted
    completion = _completion(view)
    title = view.canon[view.canon_pos(named.title_start):view.canon_pos(named.title_end)].strip(" ,.;\"“”«»") or None
    # one fact per document: by its span, its acronym, its year, or its title; two named
    # agreements of one year ("Hiệp định Dịch vụ và Hiệp định Đầu tư") stay two
    named_instrument = title and (named.kind in ("agreement", "protocol") and len(title.split()) >= 4
                                  or named.kind == "declaration" and len(title.split()) >= 5)
    key = (partners, named.kind, named.period or (known["acronym"] if known else None)
           or (title.casefold() if title and (not date or named_instrument) else (date or "")[:4]))
    fact = out.setdefault(key, {"title": title, "period": named.period, "date": date, "action": action,
                                "completion": completion, "evidence": []})
    fact["date"] = fact["date"] or date
    fact["completion"] = fact["completion"] if fact["completion"] is not None else completion
    if view.evidence not in fact["evidence"]:
        fact["evidence"].append(view.evidence)


def _acceding_party(view: SentenceView, start: int) -> tuple[str, ...] | None:
    """The country that joins a treaty: the last name before the joining verb in its clause."""
    clause = view.tagged[max(0, start - 120):start]
    clause = re.split(r"[;.]\s|,\s(?=[a-z])", clause)[-1]
    names = list(TAG.finditer(clause))
    if not names:
        return None
    last = list(CHAIN.finditer(clause))
    joined = [(t.group(1), t.group(2)) for t in TAG.finditer(last[-1].group(0))] if last else []
    partners = tuple(sorted({code for kind, code in joined if kind == "P"}))
    if partners:
        return partners                                   # "Trung Quốc và Ấn Độ đã ký văn kiện gia nhập TAC"
    kind = names[-1].group(1)
    return () if kind == "M" else None


def _doc_date(view: SentenceView, start: int, end: int) -> str | None:
    """When something was done to a document: a date inside its title or just after it, else the
    closest one before it in the sentence (a later clause often dates something else)."""
    title_start, title_end = view.canon_pos(start), view.canon_pos(end)
    semicolon = view.canon.rfind(";", 0, title_start)
    dates = [d for d in view.dates if not d.date.startswith("--")]
    passive = _PASSIVE.match(view.tagged, end)
    if passive:
        clause_end = view.canon_pos(passive.end() + len(re.split(r"[;.]\s", view.tagged[passive.end():])[0]))
        in_clause = [d for d in dates if title_end <= d.start <= clause_end]
        if in_clause:
            return in_clause[0].date                      # "..., được thông qua ... hồi tháng 3/2007"
    inside_or_after = [d for d in dates if title_start <= d.start <= title_end + 40]
    if inside_or_after:
        return inside_or_after[0].date
    before = [d for d in dates if semicolon < d.start < title_start]
    return before[-1].date if before else None


def _merge_twins(out: dict[tuple[Any, ...], dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Two mentions of one document are one fact: an agreement named once in full and once
    untitled ("Hiệp định ... ASEAN - Canada", "FTA"), or one title in two wordings."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key, body in out.items():
        partners, kind, _ = key
        twin = next((k for k, b in merged.items() if k[0] == partners and k[1] == kind
                     and not b["period"] and not body["period"]
                     and (not b["date"] or not body["date"] or b["date"][:4] == body["date"][:4])
                     and (_same_title(b["title"], body["title"]) or kind == "agreement" and (
                         min(len((b["title"] or "").split()), len((body["title"] or "").split())) < 4
                         or not b["date"] or not body["date"]))), None)
        if twin is None:
            merged[key] = body
        else:
            merged[twin]["evidence"] += [e for e in body["evidence"] if e not in merged[twin]["evidence"]]
    return merged


# A document's own act said right after it, in the passive: "Tuyên bố X, được thông qua tại ..."
_PASSIVE = re.compile(r"\s*,?\s*(?:da\s+)?duoc\s+(?:chinh thuc\s+)?(thong qua|ky ket|ky)\b")


def _same_title(a: str | None, b: str | None) -> bool:
    """Two wordings of one title: nearly every word of the shorter is in the longer."""
    if not a or not b:
        return False
    words_a, words_b = set(fold(a).split()), set(fold(b).split())
    shorter, longer = sorted((words_a, words_b), key=len)
    return len(shorter) >= 4 and len(shorter & longer) >= 0.8 * len(shorter)


def _period_after(rest: str, kind: str) -> str | None:
    """"Kế hoạch hành động hợp tác hai bên cho giai đoạn tiếp theo 2021-2025": a span said later."""
    clause = re.split(r"[;.]\s", rest, maxsplit=1)[0]
    m = re.search(r"giai doan\D{0,30}?((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})", clause)
    if m and kind in ("plan_of_action", "roadmap", "vision") and m.group(1) < m.group(2):
        return f"{m.group(1)}-{m.group(2)}"
    return None


def _period(title: str, kind: str) -> str | None:
    m = _PERIOD.search(title)
    if m and m.group(1) < m.group(2):
        return f"{m.group(1)}-{m.group(2)}"
    until = _UNTIL.search(title)
    if until and kind in ("vision", "plan_of_action", "roadmap"):
        return until.group(1)
    return None


@lru_cache(maxsize=1)
def _accented() -> dict[str, str]:
    return dict(patterns()["document"]["accented_actions"])


def _accent_ok(view: SentenceView, tagged_index: int, word: str) -> bool:
    """A folded action word that is also another word counts only in its own spelling (patterns.toml)."""
    written = _accented().get(word)
    if written is None:
        return True
    pos = view.canon_pos(tagged_index)
    if word == "ky" and view.folded[max(0, pos - 4):pos] == "thu ":
        return False                                      # "Thư ký": a secretary, not a signature
    return bool(view.canon[pos:pos + len(written)].lower() == written)


def _action(view: SentenceView, start: int, end: int, action_re: re.Pattern[str], action_of: dict[str, str],
            p: dict[str, Any]) -> str | None:
    """What was done to the document: the nearest action word before it, else one said after it."""
    offset = max(0, start - 70)
    before = view.tagged[offset:start]
    after = view.tagged[end:end + 160]
    passive = _PASSIVE.match(after)
    if passive and _accent_ok(view, end + passive.start(1), passive.group(1)):
        return action_of[passive.group(1)]                # "..., được thông qua tại ... năm 2007": what made it
    candidates = [(len(before) - m.end(), m.group(0), before[:m.start()]) for m in action_re.finditer(before)
                  if _accent_ok(view, offset + m.start(), m.group(0))]
    best = min(candidates, default=None)
    action = None
    prefix = ""
    if best is not None:
        _, word, prefix = best
        action = action_of[word]
    else:
        # "... được Tổng thống X và lãnh đạo ASEAN ký kết": an action said after, in the passive
        passive = re.search(r"(?<![\w])duoc\b", after[:70])
        hits = [h for h in action_re.finditer(after[:45]) if _accent_ok(view, end + h.start(), h.group(0))]
        if not hits and passive:
            hits = [h for h in action_re.finditer(after, passive.end(), passive.end() + 110)
                    if _accent_ok(view, end + h.start(), h.group(0))]
        if hits:
            action = action_of[hits[0].group(0)]
            prefix = after[:hits[0].start()]
    if action is None:
        return None
    same_clause = re.split(r",\s*dong thoi|;|\.\s", view.tagged[end:end + 80])[0]
    if action == "adopted" and has_word(same_clause, p["negotiation_words"]):
        return "negotiating"                              # agreed among ASEAN, still to be discussed with the partner
    if action not in ("planned",) and has_word(prefix[-30:], p["future_words"]):
        return "planned"
    if action == "negotiating" and has_word(prefix[-25:], ["som khoi dong", "khoi dong", "bat dau", "se"]):
        return "planned" if has_word(prefix[-25:], ["som", "se"]) else "negotiating"
    return action


def _known(title: str) -> dict[str, Any] | None:
    """A named treaty or agreement cited by its acronym, written in capitals ("TAC", not "tác")."""
    for acronym, body in known_documents().items():
        if re.search(r"(?<![\w])" + re.escape(acronym) + r"(?![\w])", title):
            return {**body, "acronym": acronym}
    return None


def _completion(view: SentenceView) -> float | None:
    m = re.search(r"(?:ty le|muc do) hoan thanh", view.folded) or re.search(r"hoan thanh", view.folded)
    if not m:
        return None
    for a in view.amounts:
        if a.unit == "percent" and m.start() < a.start <= m.end() + 30:
            return round(a.value / 100, 6)                # "tỷ lệ hoàn thành đạt 98.37%"
    return None
