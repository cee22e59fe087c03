"""Figures about the relationship: trade, investment, firms, tourists, aid."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from quanhe.extract.common import CHAIN, PartnerMemory, has_word, partners_of
from quanhe.extract.context import TAG, ArticleContext, SentenceView, compiled, patterns
from quanhe.language.numbers import Amount
from quanhe.model import Fact
from quanhe.normalize import fold


def extract_indicators(ctx: ArticleContext) -> list[Fact]:
    p = patterns()["indicator"]
    metrics = {phrase: metric for phrase, metric in p["metrics"]}
    metric_re = compiled(*metrics)
    memory = PartnerMemory(ctx)
    out: dict[tuple[Any, ...], Fact] = {}
    last_metric: str | None = None                        # of the last money figure taken, for "con số này"
    for view in ctx.views:
        previous_end = 0
        previous: Amount | None = None
        for amount in view.amounts:
            segment_start = previous_end
            previous_end = amount.end
            conversion = previous is not None and view.canon[previous.end:amount.start].strip() == "("
            previous = amount
            if amount.unit == "percent" or conversion:
                continue                                  # shares and growth rates; a currency conversion
            if re.search(r"\btu\s*$", view.folded[max(0, amount.start - 4):amount.start]) and \
                    re.match(r"\s*(?:len|den|toi)\b", view.folded[amount.end:amount.end + 6]) or \
                    re.search(r"\btu muc\s*$", view.folded[max(0, amount.start - 8):amount.start]):
                continue                                  # "từ 14 lên 16 triệu USD", "từ mức 3 triệu USD": the old figure
            # the cue may precede an earlier figure of the same phrase ("đóng góp ... từ 14 lên 16 triệu USD")
            before = view.folded[max(0, amount.start - 90):amount.start]
            del segment_start
            clause = before[max(before.rfind(";"), before.rfind(". ")) + 1:]
            if amount.unit == "count":
                counted = fold(amount.counted or "")
                metric = next((m for w, m in p["counted"] if w in counted), None)
            else:
                cues = list(metric_re.finditer(clause))
                metric = metrics[cues[-1].group(0)] if cues else None
                if metric in ("firms", "tourists"):
                    metric = None
            if metric is None and amount.unit != "count":
                following = view.folded[amount.end:amount.end + 25]
                cue = metric_re.match(following.lstrip())
                metric = metrics[cue.group(0)] if cue and metrics[cue.group(0)] not in ("firms", "tourists") else None
            if metric is None and amount.unit != "count" and has_word(clause, p["target_words"]):
                metric = last_metric                      # "đặt mục tiêu nâng con số này lên 100 tỷ USD"
            if metric is None or has_word(clause[-45:], p["excluded_words"]):
                continue
            if metric == "firms" and re.match(r"[^.;,]{0,30}\b(?:tham du|tham gia|co mat)\b",
                                              view.folded[amount.end:amount.end + 40]):
                continue                                  # "hơn 300 doanh nghiệp tham dự diễn đàn": attendance
            if _member_figure(view, amount) or _partner_alone(view, amount) or _bilateral(ctx, view, amount):
                continue                                  # one member's figure, or the partner's with the world
            partners = _partners(view, memory, amount)
            if partners is None:
                continue
            target = has_word(view.folded[:amount.start], p["target_words"])
            year = _year(ctx, view, amount, metric, target)
            if year is None and "cung nam" in view.folded:
                year = _previous_year(ctx, view)          # "... cùng năm đạt 24,6 tỷ USD"
            if amount.unit != "count":
                last_metric = metric
            key = (partners, metric, year, target, amount.value)
            if any(k[:4] == key[:4] and abs(k[4] - amount.value) <= 0.01 * max(abs(amount.value), 1e-9)
                   for k in out):
                continue                                  # the same figure again, maybe rounded
            out[key] = Fact("indicator", ctx.doc.id, partners, str(year) if year else None, (view.evidence,),
                            0.7, {"metric": metric, "value": amount.value, "unit": amount.unit,
                                  "year": year, "target": target})
        memory.see(view)
    return list(out.values())


@lru_cache(maxsize=1)
def _pledge() -> re.Pattern[str]:
    """A pledge verb shortly before the figure ("cam kết 150 triệu USD")."""
    return re.compile(r"(?:" + "|".join(patterns()["indicator"]["pledge_words"]) + r")\b[^.;]{0,30}$")


def _previous_year(ctx: ArticleContext, view: SentenceView) -> int | None:
    index = ctx.views.index(view)
    for previous in reversed(ctx.views[:index]):
        years = [d for d in previous.dates if d.year_stated and not d.relative]
        if years:
            return int(years[-1].date[:4])
    return None


def _tagged_clause_before(view: SentenceView, amount: Amount) -> str:
    """The tagged text of the figure's clause, up to the figure."""
    at = next((i for i, c in enumerate(view.to_canon) if c >= amount.start), len(view.tagged))
    start = max(view.tagged.rfind(";", 0, at), view.tagged.rfind(". ", 0, at), 0)
    return view.tagged[start:at]


def _bilateral(ctx: ArticleContext, view: SentenceView, amount: Amount) -> bool:
    """"Việt Nam và Hàn Quốc ... thương mại song phương ... đạt ...": a member's bilateral figure."""
    before = view.folded[:amount.start]
    if not re.search(r"song phuong|hai nuoc", before) or any(m.code == "ASEAN" for m in view.mentions):
        return False
    index = ctx.views.index(view)
    nearby = view.mentions + (ctx.views[index - 1].mentions if index else [])
    return any(m.kind == "member" for m in nearby)


def _partner_alone(view: SentenceView, amount: Amount) -> bool:
    """"tổng kim ngạch xuất nhập khẩu của Trung Quốc đạt ...": the partner's own total, not with ASEAN."""
    before = _tagged_clause_before(view, amount)
    if "‹O:ASEAN›" in before or re.search(r"hai chieu|song phuong|giua", before):
        return False
    return bool(re.search(r"\bcua ‹P:\w+›[^‹]{0,25}$", before))


def _member_figure(view: SentenceView, amount: Amount) -> bool:
    """True when the figure is a member state's own, not ASEAN's."""
    clause_start = max(view.canon.rfind(";", 0, amount.start), view.canon.rfind(". ", 0, amount.start), 0)
    named = [m for m in view.mentions if clause_start <= m.start < amount.start
             and (m.kind in ("member", "partner") or m.code == "ASEAN")]
    if not named:
        return False
    following = view.folded[amount.end:amount.end + 70]
    if re.match(r"[^;.]{0,15}\bgiua\b", following) and any(
            m.code == "ASEAN" and amount.end <= m.start <= amount.end + 70 for m in view.mentions):
        return False                                  # "... 200 tỷ USD giữa Hàn Quốc và ASEAN"
    subject = named[0]
    opening = len(view.folded[clause_start:subject.start].split()) <= 2
    if subject.kind == "member" and opening and \
            re.match(r"\s*(?:la|hien la|tiep tuc la)\b", view.folded[subject.end:subject.end + 15]):
        return True                                   # "Việt Nam là đối tác thương mại lớn nhất của Trung Quốc ..."
    last_two = named[-2:]
    return any(m.kind == "member" for m in last_two) and not any(m.code == "ASEAN" for m in last_two)


def _partners(view: SentenceView, memory: PartnerMemory, amount: Amount) -> tuple[str, ...] | None:
    """Whose figure: the parties named nearest before it ("với Trung Quốc đạt X, với Nhật Bản Y")."""
    if any(m.code == "east_asia" for m in view.mentions):
        return ()
    tagged_at = next((i for i, c in enumerate(view.to_canon) if c >= amount.start), len(view.tagged))
    chains = [[(t.group(1), t.group(2)) for t in TAG.finditer(m.group(0))]
              for m in CHAIN.finditer(view.tagged, 0, tagged_at)]
    for chain in reversed(chains):
        partners = partners_of(chain)
        if partners:
            return partners
    return memory.resolve(view)


def _year(ctx: ArticleContext, view: SentenceView, amount: Amount, metric: str, target: bool) -> int | None:
    """The year a figure refers to: one the sentence states, else "this year"/"so far" from the article."""
    right_after = re.match(r"\s*,?\s*(?:(?:vao|den|trong|cua)\s+)?nam\s+((?:19|20)\d{2})\b"
                           r"|\s*,?\s*(?:ke tu|bat dau tu|tu)\s+(?:nam\s+)?((?:19|20)\d{2})\b",
                           view.folded[amount.end:amount.end + 30])
    if right_after:
        return int(right_after.group(1) or right_after.group(2))   # "200 tỷ USD vào năm 2022", "... kể từ năm 2019"
    # a year in a later clause ("..., đồng thời ... đến năm 2015") dates something else
    later_clause = re.search(r";|,\s*(?:dong thoi|trong khi|con)\b|\.\s", view.folded[amount.end:])
    clause_end = amount.end + later_clause.start() if later_clause else len(view.folded)
    years = [d for d in view.dates if not d.date.startswith("--") and d.start < clause_end
             and not re.search(r"so voi (?:cung ky )?$", view.folded[max(0, d.start - 16):d.start])]   # "so với năm 2021"
    if any(re.search(r"\b(?:ke tu|tu khi)\b[^,;.]{0,30}$", view.folded[max(0, d.start - 40):d.start])
           for d in years if d.start < amount.start):
        return None                                       # "kể từ khi thành lập năm 2006 ... đã tài trợ": a running total
    stated = [d for d in years if d.year_stated and not d.relative]
    pool = stated or [d for d in years if d.relative]
    if pool:
        # "Năm 2020, thương mại đạt X, giảm so với mức Y năm 2019": a year before the figure first
        before = [d for d in pool if d.start < amount.start]
        best = before[-1] if before else min(pool, key=lambda d: d.start - amount.start)
        return int(best.date[:4])
    bare = re.search(r"\b(?:tu|tu nam|trong|vao|den)\s+((?:19|20)\d{2})\b(?!\s*[-–])", view.folded)
    if bare:
        return int(bare.group(1))                         # "bắt đầu từ 2022"
    if re.search(r"giai doan\s+\d{4}\s*[-–]\s*\d{4}", view.folded):
        return None                                       # a sum over a period, not one year's figure
    pledged = _pledge().search(view.folded[:amount.start])
    if metric == "aid" and (has_word(view.folded, patterns()["indicator"]["announce_words"]) or pledged) and ctx.ref:
        return ctx.ref.year
    return None
