# Why hand-written: dateparser 1.5: 102/135 corpus dates, 25 None (sáng/chiều…), 0/9 range ends (bench/measure_parsers.py)
"""Dates in Vietnamese prose, datelines and URLs.

Rules for ambiguous forms:
- A day/month without a year takes the year of ``ref``, preferring the past: the latest year in
  which the date is at most 62 days after ``ref`` (articles report past meetings; announced ones
  are weeks away). Without ``ref`` the date is ISO "--MM-DD" (or "--MM") with ``year_stated=False``.
- "D/M" and "D-M" without a year count only after a cue word ("ngày", "sáng", "hôm", "vào", ...);
  "D.M" needs a year ("17.2.2021"), so "98.37" or "3.0" are never dates.
- "YYYY-YYYY" is a period, never a date; "năm 2016-2020" gives nothing.
- Relative expressions ("năm nay", "hôm qua") need ``ref``; without it they are skipped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from quanhe.language.data import numerals, words_pattern


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    date: str  # ISO, as precise as stated: "2020-11-12", "2015-11", "1977"
    end_date: str | None  # for ranges: "12-15/11/2020" -> "2020-11-15"
    year_stated: bool  # False when the year was taken from ``ref``
    relative: bool  # "năm nay", "hôm qua", "cuối năm nay"


_PAST_WINDOW = timedelta(days=62)
_Y = r"(?:19|20)\d\d"
_B = r"(?<![\w/.,:%+\-–])"  # nothing number-like right before
_E = r"(?![\w%]|[/.,:\-–]\d)"  # nothing number-like right after


@lru_cache(maxsize=1)
def _regex() -> re.Pattern[str]:
    data = numerals()
    month_words = words_pattern(list(data["months"]))
    rel_years = words_pattern(list(data["relative_years"]))
    rel_days = words_pattern(list(data["relative_days"]))
    mods = r"(?:(?:đầu|cuối|giữa)\s+)?"
    return re.compile(
        rf"""
        {_B}(?P<iy>{_Y})-(?P<im>\d\d)-(?P<id>\d\d){_E}
        | {_B}(?P<xd1>\d{{1,2}})/(?P<xm1>\d{{1,2}})(?:/(?P<xy1>{_Y}))?
              (?:\s*[-–]\s*|\s+(?:đến|tới)\s+(?:ngày\s+)?)
              (?P<xd2>\d{{1,2}})/(?P<xm2>\d{{1,2}})(?:/(?P<xy2>{_Y}))?{_E}
        | {_B}(?P<rd1>\d{{1,2}})(?:\s*[-–]\s*|\s+(?:và|đến|tới)\s+(?:ngày\s+)?)(?P<rd2>\d{{1,2}})
              (?P<rs>[/.\-])(?P<rm>\d{{1,2}})(?:(?P=rs)(?P<ry>{_Y}))?{_E}
        | {_B}(?P<fd>\d{{1,2}})(?P<fs>[/.\-])(?P<fm>\d{{1,2}})(?P=fs)(?P<fy>{_Y}){_E}
        | {_B}(?P<dd>\d{{1,2}})(?P<ds>[/\-])(?P<dm>\d{{1,2}}){_E}
        | (?:ngày\s+)?{_B}(?P<wd>\d{{1,2}})\s+tháng\s+(?P<wm>\d{{1,2}}|{month_words})
              (?:\s*(?:,\s*)?năm\s+(?P<wy>{_Y}))?{_E}
        | tháng\s+(?P<mm>\d{{1,2}}|{month_words})(?:\s*(?:/|-|,?\s*năm\s+)\s*(?P<my>{_Y}))?{_E}
              (?!\s*[-–]\s*\d)
        | {mods}năm\s+(?P<yy>{_Y}){_E}(?!\s*[-–]\s*\d)
        | {mods}(?P<ry_rel>{rel_years})(?![^\W\d_])
        | (?P<rday>{rel_days})(?![^\W\d_])
        """,
        re.VERBOSE | re.IGNORECASE,
    )


@lru_cache(maxsize=1)
def _context() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int]]:
    data = numerals()
    cue = re.compile(rf"(?<![^\W\d_])(?:{words_pattern(data['date_cues']['words'])})[\s(,]*$", re.IGNORECASE)
    number_words = "|".join(re.escape(w) for w in data["digits"]) + r"|mười|mươi|\d+"
    blockers = words_pattern(data["relative_blockers"]["words"])
    block = re.compile(rf"(?<![^\W\d_])(?:{blockers}|thứ|{number_words})\s*$", re.IGNORECASE)
    return cue, block, {k.lower(): v for k, v in data["months"].items()}


_URL = re.compile(r"(?:https?://|www\.)\S+|(?<!\S)\S+\.(?:html?|vnp|vov|aspx?|php)\S*", re.IGNORECASE)


def _month(tok: str, months: dict[str, int]) -> int | None:
    if tok.isdigit():
        return int(tok) if 1 <= int(tok) <= 12 else None
    key = " ".join(tok.lower().split())
    # Word months are written capitalized ("tháng Mười"); "tháng năm" is not May.
    if key not in ("giêng", "chạp") and not tok[:1].isupper():
        return None
    return months.get(key)


def _valid(y: int | None, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y or 2000, m)[1]


def _infer_year(m: int, d: int, ref: date) -> int:
    """The latest year in which month/day is at most ``_PAST_WINDOW`` after ``ref``."""
    for y in (ref.year + 1, ref.year, ref.year - 1):
        if _valid(y, m, d) and date(y, m, d) <= ref + _PAST_WINDOW:
            return y
    return ref.year - 1


_FORWARD = re.compile(r"\s+(?:sắp\s+)?tới(?!\s*(?:tháng|ngày|năm|\d))", re.IGNORECASE)


def _year_for(m: int, d: int | None, ref: date, text: str, end: int) -> int:
    """ "tháng 11 tới": the coming one, however far ahead; otherwise the latest plausible year."""
    if _FORWARD.match(text, end):
        if d is None:                                     # a month is still coming until it is over
            return ref.year if m >= ref.month else ref.year + 1
        return next(y for y in (ref.year, ref.year + 1, ref.year + 2) if _valid(y, m, d) and date(y, m, d) >= ref)
    return _infer_year(m, d or 1, ref)


def _iso(y: int | None, m: int, d: int | None) -> str:
    if y is None:
        return f"--{m:02d}" if d is None else f"--{m:02d}-{d:02d}"
    return f"{y:04d}-{m:02d}" if d is None else f"{y:04d}-{m:02d}-{d:02d}"


def _day_range(
    d1: int, m1: int, y1: int | None, d2: int, m2: int, y2: int | None, ref: date | None
) -> tuple[str, str, bool] | None:
    stated = y2 is not None or y1 is not None
    if y2 is None:
        y2 = y1 if y1 is not None else (_infer_year(m2, d2, ref) if ref else None)
    if y1 is None and y2 is not None:
        y1 = y2 - 1 if (m1, d1) > (m2, d2) else y2
    if not (_valid(y1, m1, d1) and _valid(y2, m2, d2)):
        return None
    if y1 is not None and y2 is not None and date(y1, m1, d1) >= date(y2, m2, d2):
        return None
    return _iso(y1, m1, d1), _iso(y2, m2, d2), stated


def _mention(m: re.Match[str], text: str, ref: date | None) -> DateMention | None:
    cue, block, months = _context()
    g = m.groupdict()
    s, e = m.start(), m.end()
    y: int | None
    has_cue = cue.search(text[max(0, s - 20) : s]) is not None or m.group(0).lower().startswith("ngày")
    if g["iy"]:
        y, mo, d = int(g["iy"]), int(g["im"]), int(g["id"])
        return DateMention(s, e, _iso(y, mo, d), None, True, False) if _valid(y, mo, d) else None
    if g["xd1"]:
        y1 = int(g["xy1"]) if g["xy1"] else None
        y2 = int(g["xy2"]) if g["xy2"] else None
        if y2 is None and y1 is None and not has_cue:
            return None
        r = _day_range(int(g["xd1"]), int(g["xm1"]), y1, int(g["xd2"]), int(g["xm2"]), y2, ref)
        return DateMention(s, e, r[0], r[1], r[2], False) if r else None
    if g["rd1"]:
        y = int(g["ry"]) if g["ry"] else None
        # "(17-18/3)" needs no cue: two close days over one month can only be a range of dates
        close_days = g["rs"] == "/" and 0 < int(g["rd2"]) - int(g["rd1"]) <= 7
        if y is None and (g["rs"] == "." or not (has_cue or close_days)):
            return None
        mo = int(g["rm"])
        r = _day_range(int(g["rd1"]), mo, y, int(g["rd2"]), mo, y, ref)
        return DateMention(s, e, r[0], r[1], r[2], False) if r else None
    if g["fd"]:
        y, mo, d = int(g["fy"]), int(g["fm"]), int(g["fd"])
        return DateMention(s, e, _iso(y, mo, d), None, True, False) if _valid(y, mo, d) else None
    if g["dd"]:
        mo, d = int(g["dm"]), int(g["dd"])
        if not has_cue or not _valid(None, mo, d):
            return None
        y = _year_for(mo, d, ref, text, e) if ref else None
        return DateMention(s, e, _iso(y, mo, d), None, False, False)
    if g["wd"]:
        mo_w = _month(g["wm"], months)
        d = int(g["wd"])
        y = int(g["wy"]) if g["wy"] else None
        if mo_w is None or not _valid(y, mo_w, d):
            return None
        stated = y is not None
        if y is None and ref:
            y = _year_for(mo_w, d, ref, text, e)
        return DateMention(s, e, _iso(y, mo_w, d), None, stated, False)
    if g["mm"]:
        mo_m = _month(g["mm"], months)
        if mo_m is None:
            return None
        if g["my"]:
            return DateMention(s, e, _iso(int(g["my"]), mo_m, None), None, True, False)
        y = _year_for(mo_m, None, ref, text, e) if ref else None
        return DateMention(s, e, _iso(y, mo_m, None), None, False, False)
    if g["yy"]:
        return DateMention(s, e, g["yy"], None, True, False)
    if g["ry_rel"] or g["rday"]:
        return _relative(m, text, ref, block)
    return None


def _relative(m: re.Match[str], text: str, ref: date | None, block: re.Pattern[str]) -> DateMention | None:
    if ref is None or block.search(text[max(0, m.start() - 20) : m.start()]):
        return None
    data = numerals()
    after = text[m.end() : m.end() + 6].lower()
    if after.lstrip().startswith(("thứ", "đó", "nữa")):
        return None  # "sang năm thứ 15", "năm sau đó": not relative to publication
    if m["rday"]:
        days = data["relative_days"][" ".join(m["rday"].lower().split())]
        return DateMention(m.start(), m.end(), (ref + timedelta(days=days)).isoformat(), None, False, True)
    years = data["relative_years"][" ".join(m["ry_rel"].lower().split())]
    return DateMention(m.start(), m.end(), str(ref.year + years), None, False, True)


def find_dates(text: str, ref: date | None = None) -> list[DateMention]:
    """Every date, month, year or relative date mentioned in ``text``, left to right."""
    urls = [(u.start(), u.end()) for u in _URL.finditer(text)]
    out: list[DateMention] = []
    for m in _regex().finditer(text):
        if any(a <= m.start() < b for a, b in urls):
            continue
        mention = _mention(m, text, ref)
        if mention is not None:
            out.append(mention)
    return out


# --- datelines and URLs --------------------------------------------------------------------------

_DATE_MARK = re.compile(r"\bdate\s+((?:19|20)\d\d-\d\d(?:-\d\d)?)\b")
_LINE_DATE = re.compile(
    rf"(?<!\d)(?:(?P<d>\d{{1,2}})(?P<s>[/.\-])(?P<m>\d{{1,2}})(?P=s)(?P<y>{_Y})"
    rf"|(?P<iy>{_Y})-(?P<im>\d\d)-(?P<id>\d\d))(?!\d)"
)
_DATELINE_HINT = re.compile(
    r"\d{1,2}:\d\d|GMT|\||^\W*(?:thứ|chủ nhật)|cập nhật|đăng|mới nhất|thời gian|clock", re.IGNORECASE
)


def parse_dateline(text: str) -> str | None:
    """The publication date from a dateline near the top ("14:21 | 14/11/2020" -> "2020-11-14").

    A " date YYYY-MM(-DD)" marker wins. Otherwise the last dateline-looking line among the first
    twelve non-empty lines: sites often print today's date above the title and the article's date
    below it (the later one is the article's).
    """
    head = text[:3000]
    marked = _DATE_MARK.search(head)
    if marked:
        return marked.group(1)
    lines = [
        ln for ln in head.splitlines() if ln.strip() and not ln.strip().startswith(("http://", "https://"))
    ]
    found: str | None = None
    for line in lines[:12]:
        for m in _LINE_DATE.finditer(line):
            y, mo, d = (
                (int(m["y"]), int(m["m"]), int(m["d"]))
                if m["y"]
                else (int(m["iy"]), int(m["im"]), int(m["id"]))
            )
            rest = (line[: m.start()] + line[m.end() :]).strip()
            if _valid(y, mo, d) and (_DATELINE_HINT.search(line) or len(rest) < 25):
                found = _iso(y, mo, d)
                break
    return found


_URL_YMD = re.compile(r"/((?:19|20)\d\d)/(\d\d)/(\d\d)(?=/)")
_URL_Y_MMDD = re.compile(r"/((?:19|20)\d\d)/(\d\d)(\d\d)(?=/)")
_URL_YM = re.compile(r"/((?:19|20)\d\d)/?(\d\d)(?=/)")
_URL_STAMP = re.compile(r"(?<![\d])((?:19|20)\d\d)(\d\d)(\d\d)(\d{6,9})?(?!\d)")


def date_from_url(url: str) -> str | None:
    """A date in a URL's path: "/2017/11/14/", "/2017/0321/", "/202110/", "-20210805214845044.htm"."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url.strip(), flags=re.IGNORECASE)
    for rx in (_URL_YMD, _URL_Y_MMDD):
        m = rx.search(path)
        if m and _valid(int(m[1]), int(m[2]), int(m[3])):
            return _iso(int(m[1]), int(m[2]), int(m[3]))
    for m in _URL_STAMP.finditer(path):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        stamp = m[4]
        # an 8-digit date, or a 14-17 digit timestamp whose time part is a real time
        ok_time = stamp is None or (int(stamp[:2]) < 24 and int(stamp[2:4]) < 60 and int(stamp[4:6]) < 60)
        if _valid(y, mo, d) and ok_time:
            return _iso(y, mo, d)
    m = _URL_YM.search(path)
    if m and 1 <= int(m[2]) <= 12:
        return _iso(int(m[1]), int(m[2]), None)
    return None


def anniversary_year(years: int, ref_year: int) -> int:
    """The year a relationship began when year ``ref_year`` marks its ``years``-th anniversary."""
    return ref_year - years
