"""How meetings are named: heads, parties, ordinals, and the mechanism they make.

A meeting is named by a *head* ("Hội nghị Cấp cao", "Hội nghị Bộ trưởng Ngoại giao",
"Ủy ban Hợp tác chung"...) followed by its *parties* ("ASEAN-Hoa Kỳ", "ASEAN+3", "Đông Á")
and maybe an ordinal ("lần thứ 12", "-36", "Seventh"). These functions read one tagged
sentence; ``meetings`` decides which names are meetings and fuses them per article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from quanhe.extract.context import TAG, SentenceView, compiled, patterns
from quanhe.language.data import numerals
from quanhe.language.ordinals import find_ordinal

_SEP = re.compile(r"\s*(?:[-–—+/]|\bva\b|\bvoi\b|,)\s*")
_LEVELS = ("summit", "ministers", "jcc", "dialogue", "arf", "som", "generic")

# "the first ... since / after / in ten years" counts from an event, not from the series' start
_FIRST_SINCE = re.compile(r"\s*(?:[^\W\d_]+\s+){0,3}?(?:ke tu|tu khi|sau khi|sau|trong (?:vong )?\d+ nam)\b")


@lru_cache(maxsize=1)
def _ordinal_cue() -> re.Pattern[str]:
    """Where an ordinal starts: "lần thứ ...", "lần đầu tiên", "lần 2", or an English ordinal (numerals.toml)."""
    english = sorted(numerals()["english_ordinals"], key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:lan\s+thu\s+\w+|lan\s+dau\s+tien|lan\s+\d+|" + "|".join(english)
                      + r"|\d+(?:st|nd|rd|th))(?![\w])")


@lru_cache(maxsize=1)
def acronyms() -> tuple[re.Pattern[str], dict[str, str]]:
    """"AMM-44", "ARF20", "‹L:east_asia›-18": a meeting acronym and its number (patterns.toml)."""
    mechanism_of = {acronym: mechanism for acronym, mechanism in patterns()["meeting"]["acronyms"]}
    names = "|".join(sorted(mechanism_of, key=len, reverse=True))
    pattern = re.compile(r"(?<![\w›])(" + names + r"|‹L:east_asia›)\s?[-–]?\s?(\d{1,2})(?![\d/%]|[.,]\d)")
    mechanism_of["‹L:east_asia›"] = mechanism_of.get("eas", "east_asia_summit")
    return pattern, mechanism_of
_TAGGED_ASEAN_NUMBER = re.compile(r"^\s*[-–]?\s*(\d{1,2})(?![\d/%]|[.,]\d)")


@dataclass(frozen=True)
class Head:
    start: int
    end: int
    level: str
    text: str


@lru_cache(maxsize=1)
def _head_levels() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every head phrase (longest first) and the level each phrase names."""
    p = patterns()["meeting"]
    level_of: dict[str, str] = {}
    for level in _LEVELS:
        for phrase in p[f"{level}_heads"]:
            level_of.setdefault(phrase, level)
    return compiled(*level_of), level_of


def starts_with_head(folded: str, at: int) -> bool:
    """Whether a meeting's head ("hoi nghi", "cap cao" …) begins at ``at`` in folded text."""
    return _head_levels()[0].match(folded, at) is not None


def find_heads(view: SentenceView) -> list[Head]:
    pattern, level_of = _head_levels()
    heads: list[Head] = []
    for m in pattern.finditer(view.tagged):
        text = m.group(0)
        level = level_of.get(text) or next(
            (lvl for phrase, lvl in level_of.items() if re.fullmatch(phrase, text)), "generic")
        previous = heads[-1] if heads else None
        if previous and previous.level == "ministers" and level == "summit" and m.start() - previous.end <= 1:
            # "Hội nghị Bộ trưởng Ngoại giao Cấp cao Đông Á": the ministers of the summit's members
            heads[-1] = Head(previous.start, m.end(), "ministers", previous.text)
            continue
        heads.append(Head(m.start(), m.end(), level, text))
    return heads


def _strip_qualifiers(gap: str) -> str:
    p = patterns()["meeting"]
    rest = compiled(*p["qualifier_words"], *p["sector_words"]).sub(" ", gap)
    return re.sub(r"[\s()\"“”'‘’:,.-]+", "", rest)


def party_chain(tail: str) -> tuple[list[tuple[str, str]], int, int] | None:
    """The tags naming the parties at the start of ``tail``: ([(kind, code)...], start, end)."""
    first = TAG.search(tail)
    if not first or first.start() > 90 or _strip_qualifiers(tail[:first.start()]):
        return None
    chain = [(first.group(1), first.group(2))]
    end = first.end()
    while True:
        sep = _SEP.match(tail, end)
        if not sep:
            break
        nxt = TAG.match(tail, sep.end())
        if not nxt:
            # "Hoa Kỳ-bốn nước Hạ nguồn Mekong": a few words may stand between two parties
            loose = re.match(r"[\w ]{0,14}?(‹[PL]:\w+›)", tail[sep.end():])
            if loose and sep.group(0).strip() in "-–—" and sep.group(0).strip():
                nxt = TAG.match(tail, sep.end() + loose.start(1))
            if not nxt:
                break
        if nxt.group(1) == "M" and sep.group(0).strip() == ",":
            break
        chain.append((nxt.group(1), nxt.group(2)))
        end = nxt.end()
    return chain, first.start(), end


def ordinal_of(view: SentenceView, tail_start: int, tail: str, before: str, chain_end: int,
             head_start: int) -> int | None:
    # "ASEAN-36", "ASEAN 47": the number right after ASEAN
    after_chain = tail[chain_end:]
    num = _TAGGED_ASEAN_NUMBER.match(after_chain)
    if num and tail[:chain_end].endswith("‹O:ASEAN›"):
        return int(num.group(1))
    acronym = acronyms()[0].search(tail)
    if acronym:
        return int(acronym.group(2))
    cue = _ordinal_cue().search(tail)
    if cue:
        pos = view.canon_pos(tail_start + cue.start())
        found = find_ordinal(view.canon[pos:pos + 40])
        if found:
            return found[0]
    first = re.match(r"\s*(?:[a-z]+\s+){0,2}(?:lan\s+)?dau\s+tien\b", tail)
    if first and not tail.startswith(" lan dau tien duoc") and not _FIRST_SINCE.match(tail, first.end()):
        return 1                                   # "hội nghị thượng đỉnh (toàn thể) đầu tiên"
    first = re.match(r"\s*(?:lan\s+)?dau\s+tien\b", tail[chain_end:]) if chain_end else None
    if first and not _FIRST_SINCE.match(tail, chain_end + first.end()):
        return 1                                   # "Hội nghị Bộ trưởng Ngoại giao ASEAN-Anh đầu tiên"
    back = re.search(r"lan\s+thu\s+\w+(?:\s+\w+)?\s+(?:cua\s+)?$", before)
    if back:
        pos = view.canon_pos(head_start - len(before) + back.start())
        found = find_ordinal(view.canon[pos:pos + 30])
        if found:
            return found[0]
    return None


def mechanism_of(level: str, chain: list[tuple[str, str]], sector: str) -> tuple[str, tuple[str, ...]] | None:
    kinds = {k for k, _ in chain}
    codes = [c for _, c in chain]
    partners = tuple(sorted({c for k, c in chain if k == "P"}))
    has_asean = "ASEAN" in codes
    if "ASEAN_PLUS_THREE" in codes:
        kind = {"summit": "asean_plus_three_summit", "ministers": "asean_plus_three_ministers"}.get(level)
        if sector and level == "ministers":
            kind = "other"
        return (kind, ("CN", "JP", "KR")) if kind else None
    if "east_asia" in codes:
        kind = {"summit": "east_asia_summit", "ministers": "eas_ministers", "som": "som"}.get(level)
        return (kind, ()) if kind else None
    if "M" in kinds and not has_asean:
        return None                                # bilateral: two countries, no ASEAN mechanism
    if partners and (has_asean or "mekong" in codes):
        if not has_asean:
            return "other", partners              # Mekong-X and similar sub-regional frameworks
        if level == "ministers" and sector:
            if sector == "economic":
                return "economic_ministers", partners
            if sector == "defence":
                return "defence_ministers", partners
            return "other", partners
        mechanism = {
            "summit": "asean_partner_summit", "ministers": "asean_partner_ministers", "jcc": "jcc",
            "dialogue": "asean_partner_dialogue", "som": "asean_partner_dialogue",
        }.get(level)
        return (mechanism, partners) if mechanism else None
    if has_asean and not partners:
        if level == "ministers" and sector:
            return ("economic_ministers" if sector == "economic" else
                    "defence_ministers" if sector == "defence" else "other"), ()
        mechanism = {"summit": "asean_summit", "ministers": "asean_ministers", "arf": "arf",
                     "som": "som"}.get(level)
        return (mechanism, ()) if mechanism else None
    return None


def sector_of(text: str) -> str:
    p = patterns()["meeting"]
    if compiled(*p["economic_words"]).search(text):
        return "economic"
    if compiled(*p["defence_words"]).search(text):
        return "defence"
    if compiled(*p["sector_words"]).search(text):
        return "other"
    return ""


_ELIDED = re.compile(r"(?:,|;|\bva\b|\bcung\b)\s*‹O:ASEAN›\s*[-–]\s*‹P:(\w+)›(?:\s*lan thu (\d{1,2}))?")


def elided(tail: str) -> list[tuple[tuple[str, ...], int | None]]:
    """Further meetings of the same kind named without the head again:
    "Hội nghị Cấp cao ASEAN - Trung Quốc lần thứ 23, ASEAN - Nhật Bản lần thứ 23 và ASEAN - Ấn Độ lần thứ 17"."""
    first = TAG.search(tail)
    if not first or not re.match(r"\s*[-–]\s*‹P:", tail[first.end():]) or first.group(2) != "ASEAN":
        return []                                  # only after an "ASEAN - X" meeting
    found: list[tuple[tuple[str, ...], int | None]] = []
    for m in _ELIDED.finditer(tail, first.end()):
        found.append(((m.group(1),), int(m.group(2)) if m.group(2) else None))
    return found


def more_ordinals(view: SentenceView, head: Head, ordinal: int | None) -> list[int]:
    """Further ordinals joined to the first: "lần thứ 44 và 45", "lần thứ 40, 41"."""
    if ordinal is None:
        return []
    tail = view.tagged[head.end:head.end + 160]
    first = re.search(r"\blan thu (\d+)|‹O:ASEAN›[- ]?(\d{1,2})\b", tail)   # this meeting's own ordinal
    if not first or int(first.group(1) or first.group(2)) != ordinal:
        return []
    more = re.match(r"((?:\s*(?:,|va)\s*\d{1,2}\b)+)", tail[first.end():])
    return [int(n) for n in re.findall(r"\d+", more.group(1)) if int(n) != ordinal] if more else []
