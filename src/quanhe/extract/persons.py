"""People named in the prose, found by the title that introduces them.

Statistical NER measured poorly on our articles (notes/libraries.md: 4 of 12 seed persons as
exact spans, 3,300x slower than a gazetteer), so a name here is a run of capitalised words that
a title ("Thủ tướng", "Ngoại trưởng Hoa Kỳ", "ông") introduces, with known names taken out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from quanhe.extract.context import ArticleContext, SentenceView, compiled, patterns
from quanhe.language.charclass import LOWER, UPPER
from quanhe.model import Evidence, Fact
from quanhe.normalize import fold

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
# One Vietnamese syllable (folded): onset, vowels, coda. A one-word "name" shaped so is a common word.
_SYLLABLE = re.compile(r"(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_NON_NAME = set(patterns()["person"]["non_name_starts"])


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """Words, split where a lower-case letter runs into an upper-case one ("vàTổng")."""
    out = []
    for m in _TOKEN.finditer(text):
        word, start = m.group(0), m.start()
        if not _GLUE.search(word):
            out.append((start, m.end(), word))
            continue
        cut = 0
        for i in range(1, len(word)):
            if word[i].isupper() and word[i - 1].islower() and word[i - 1] != "-":
                out.append((start + cut, start + i, word[cut:i]))
                cut = i
        out.append((start + cut, start + len(word), word[cut:]))
    return out


def _is_name_word(word: str, p: dict[str, Any]) -> bool:
    if not word[:1].isupper() or (word.isupper() and len(word) > 1):
        return False
    return not any(part.isupper() and len(part) > 1 for part in re.split(r"['’-]", word))   # "ASEAN-Trung"


def _covered(view: SentenceView, start: int, end: int) -> bool:
    return any(m.start <= start and end <= m.end for m in view.mentions)


@dataclass(frozen=True)
class Named:
    name: str
    role: str | None          # the title as written ("Ngoại trưởng"), when one introduced the name
    country: str | None       # the country named between title and name ("Hoa Kỳ" -> US)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, Any], frozenset[str], re.Pattern[str], re.Pattern[str]]:
    p = dict(patterns()["person"])
    p["non_name_starts_set"] = frozenset(p["non_name_starts"])
    title_re = compiled(*p["titles"])
    glued_re = re.compile(title_re.pattern.replace("(?<![\\w‹])", ""))
    return p, frozenset(p["surnames"]), title_re, glued_re


_GLUE = re.compile(LOWER + UPPER)


def names_in(view: SentenceView) -> list[Named]:
    p, surnames, title_re, glued_re = _vocabulary()
    canon = view.canon
    titles = [(m.start(), m.end()) for m in title_re.finditer(view.folded)]
    glued = glued_re.finditer(view.folded) if _GLUE.search(canon) else ()
    for m in glued:
        s = m.start()
        if s > 0 and canon[s].isupper() and canon[s - 1].islower() and (s, m.end()) not in titles:
            titles.append((s, m.end()))                # "vàTổng Thư ký": a missing space
    if not titles:
        return []                                      # every name we take is tied to a title
    titles.sort()
    tokens = _tokens(canon)
    names: list[Named] = []
    i = 0
    while i < len(tokens):
        start, end, word = tokens[i]
        if not _is_name_word(word, p) or _covered(view, start, end):
            i += 1
            continue
        j = i
        while j + 1 < len(tokens):
            nxt = tokens[j + 1]
            if canon[tokens[j][1]:nxt[0]].strip() != "":
                break
            if _is_name_word(nxt[2], p) and not _covered(view, nxt[0], nxt[1]):
                j += 1
                continue
            # "von der Leyen": particles continue a name when a capitalised word follows them
            k = j + 1
            while k < len(tokens) and tokens[k][2] in p["name_particles"] and canon[tokens[k - 1][1]:tokens[k][0]] == " ":
                k += 1
            if k > j + 1 and k < len(tokens) and _is_name_word(tokens[k][2], p) and \
                    canon[tokens[k - 1][1]:tokens[k][0]] == " ":
                j = k
                continue
            break
        run = tokens[i:j + 1]
        i = j + 1
        while run and run[0][2] in p["non_name_starts_set"]:
            run = run[1:]                              # "Bộ", "Chính" open an organisation, not a name
        cut = next((k for k in range(1, len(run) - 1) if run[k][2] in surnames), None)
        if cut is not None and run[0][2] not in surnames:
            run = run[cut:]                            # "Thương Nguyễn Cẩm Tú": the name starts at the surname
        if not run:
            continue
        gap_start = run[0][0]
        title = next((t for t in reversed(titles) if t[1] <= gap_start and gap_start - t[1] <= 90), None)
        after = view.folded[run[-1][1]:run[-1][1] + 40]
        appositive = re.match(r",\s*(?:" + title_re.pattern + r")", after) is not None
        if title is None and not appositive:
            continue
        if title is not None and not appositive:
            between = canon[title[1]:gap_start]
            if not _plausible_gap(view, title[1], gap_start, between, len(run)):
                continue
        words = [w for _, _, w in run]
        if len(words) == 1 and not (words[0].isascii() and len(words[0]) >= 3) \
                or len(words) == 1 and _SYLLABLE.fullmatch(words[0].lower()):
            continue                                   # one Vietnamese syllable is rarely a whole name
        if len(words) > 5:
            continue
        if len(words) >= 2 and words[0] in surnames and len(words) > 4:
            continue
        role = canon[title[0]:title[1]] if title is not None and not appositive else None
        if appositive:
            hit = re.match(r",\s*(" + title_re.pattern + r")", after)
            role = canon[run[-1][1] + hit.start(1):run[-1][1] + hit.end(1)] if hit else None
        country = None
        if title is not None and not appositive:
            between_mentions = [m for m in view.mentions if title[1] <= m.start and m.end <= gap_start
                                and m.kind in ("partner", "member")]
            country = between_mentions[-1].code if between_mentions else None
        names.append(Named(" ".join(words), role, country))
    return names


def _plausible_gap(view: SentenceView, title_end: int, name_start: int, between: str, run_length: int) -> bool:
    """What stands between a title and a name may only qualify the title."""
    if not between.strip():
        return True
    if re.search(r"[.;:!?]", between):
        return False
    # known names (countries, organisations) and lower-case words qualify the title
    rest = between
    for m in view.mentions:
        if title_end <= m.start and m.end <= name_start:
            rest = rest.replace(view.canon[m.start:m.end], " ")
    words = re.findall(r"[\w-]+", rest)
    capitalised = [w for w in words if w[:1].isupper()]
    if run_length == 1:
        return len(words) <= 2 and not capitalised
    # another name between the title and this one takes the title ("Tổng thống Moon Jae-in ... Chính sách")
    pairs = re.findall(r"\b" + UPPER + r"[\w-]*\s+" + UPPER + r"[\w-]*", rest)
    if any(p.split()[0] not in _NON_NAME and p.split()[0][:1].isupper() and p.split()[0].lower() != p.split()[0]
           for p in pairs if p.split()[0] not in _NON_NAME):
        return False
    return len(words) <= 12 and len(capitalised) <= 4


def extract_persons(ctx: ArticleContext) -> list[Fact]:
    found: dict[str, list[Evidence]] = {}
    about: dict[str, Named] = {}
    order: list[str] = []
    for view in ctx.views:
        for named in names_in(view):
            name = named.name
            if name not in found:
                found[name] = []
                order.append(name)
            known = about.get(name)
            about[name] = Named(name, (known and known.role) or named.role, (known and known.country) or named.country)
            if view.evidence not in found[name]:
                found[name].append(view.evidence)
    # "Tổng thống Widodo" after "Joko Widodo", "Nguyễn Xuân" cut from "Nguyễn Xuân Phúc": one person
    keep = []
    for name in order:
        words = fold(name).split()
        longer = [o for o in order if o != name and len(fold(o).split()) > len(words)
                  and (fold(o).split()[:len(words)] == words or fold(o).split()[-len(words):] == words)]
        if longer:
            found[longer[0]] += [e for e in found[name] if e not in found[longer[0]]]
            continue
        keep.append(name)
    return [Fact("person", ctx.doc.id, (), None, tuple(found[n]), 0.7,
                 {"name": n, "role": _role(about[n].role), "country": about[n].country}) for n in keep]


def _role(title: str | None) -> str | None:
    """"ông"/"bà" are forms of address, not roles."""
    if not title or title.casefold() in ("ông", "bà", "ngài"):
        return None
    return title[:1].upper() + title[1:]
