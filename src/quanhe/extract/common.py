"""Small helpers several extractors share: partners around a phrase, the day "cùng ngày" refers to."""
from __future__ import annotations

import re

from quanhe.extract.context import TAG, ArticleContext, SentenceView

_NAME = r"‹[PGOLM]:\w+›(?:\s*\(\s*‹[PGOLM]:\w+›\s*\))?"        # "Liên minh châu Âu (EU)"
CHAIN = re.compile(_NAME + r"(?:\s*(?:[-–—+/,]|\bva\b|\bvoi\b)\s*" + _NAME + ")*")


def chain_near(view: SentenceView, start: int, end: int, window: int = 70) -> list[tuple[str, str]] | None:
    """The run of names ("ASEAN-Hoa Kỳ", "giữa ASEAN và Nga") nearest after tagged ``start``."""
    segment = view.tagged[start:min(len(view.tagged), end + window)]
    m = CHAIN.search(segment)
    if not m:
        return None
    return [(t.group(1), t.group(2)) for t in TAG.finditer(m.group(0))]


def partners_of(chain: list[tuple[str, str]]) -> tuple[str, ...] | None:
    """Partner codes of a chain of names.

    ``()`` when the chain is ASEAN's own (or the EAS), None when it is about two countries and
    not ASEAN ("Việt Nam - Hoa Kỳ"), else the sorted partner codes.
    """
    codes = [c for _, c in chain]
    if "ASEAN_PLUS_THREE" in codes:
        return ("CN", "JP", "KR")
    if "east_asia" in codes:
        return ()
    partners = tuple(sorted({c for k, c in chain if k == "P"}))
    if any(k == "M" for k, _ in chain) and "ASEAN" not in codes:
        return None
    if not partners and "ASEAN" not in codes:
        return None
    return partners


class PartnerMemory:
    """The partner the article is talking about: the last one named alone in a sentence."""

    def __init__(self, ctx: ArticleContext) -> None:
        self.ctx = ctx
        self.last: tuple[str, ...] | None = None
        counts: dict[str, int] = {}
        for v in ctx.views:
            for code in v.partners():
                counts[code] = counts.get(code, 0) + 1
        self.dominant = max(counts, key=lambda c: counts[c]) if counts else None

    def see(self, view: SentenceView) -> None:
        partners = view.partners()
        if len(partners) == 1:
            self.last = (partners[0],)

    def resolve(self, view: SentenceView, *, dominant: bool = True) -> tuple[str, ...] | None:
        """The sentence's one partner; else the last one named alone before it; else, if allowed,
        the partner the article names most."""
        partners = view.partners()
        if len(partners) == 1:
            return (partners[0],)
        if not partners:
            return self.last or ((self.dominant,) if self.dominant and dominant else None)
        return None


def same_day(ctx: ArticleContext, index: int) -> str | None:
    """ "Cùng ngày, ...": the last full day named before sentence ``index``, when it says so."""
    if not re.search(r"\bcung (?:trong )?ngay\b", ctx.views[index].folded):
        return None
    for previous in reversed(ctx.views[:index]):
        days = [d for d in previous.dates if len(d.date) == 10 and not d.date.startswith("--")]
        if days:
            return days[-1].date
    return None


def has_word(text: str, words: list[str]) -> bool:
    from quanhe.extract.context import compiled

    return bool(compiled(*words).search(text))
