"""People named in the prose, found by the title that introduces them.

Statistical NER measured poorly on our articles (notes/libraries.md: 4 of 12 seed persons as
exact spans, 3,300x slower than a gazetteer), so a name here is a run of capitalised words that
a title ("Thủ tướng", "Ngoại trưởng Hoa Kỳ", "ông") introduces, with known names taken out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from quanhe.extract.context import ArticleContext, SentenceView, compiled, patterns
from quanhe.language.charclass import LOWER, UPPER
from quanhe.model import Evidence, Fact
from quanhe.normalize import fold

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
# One Vietnamese syllable (folded): onset, vowels, coda. A one-word "name" shaped so is a common word.
_SYLLABLE = re.compile(r"(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_GLUE = re.compile(LOWER + UPPER)
ADDRESS_FORMS = ("ông", "bà", "ngài")                # forms of address, not roles
_FOLDED_ADDRESS = tuple(fold(form) for form in ADDRESS_FORMS)
_CAPITAL_PAIR = re.compile(r"\b" + UPPER + r"[\w-]*\s+" + UPPER + r"[\w-]*")

Token = tuple[int, int, str]        # (start, end, word) in the sentence's canonical text


@dataclass(frozen=True)
class Named:
    name: str
    role: str | None          # the title as written ("Ngoại trưởng"), when one introduced the name
    country: str | None       # the country named between title and name ("Hoa Kỳ" -> US)


@dataclass(frozen=True)
class _Vocabulary:
    titles: re.Pattern[str]
    glued_titles: re.Pattern[str]   # the same titles without the left word boundary ("vàTổng Thư ký")
    not_names: frozenset[str]       # capitalised words that open an organisation or a sentence
    surnames: frozenset[str]
    vietnamese_surnames: frozenset[str]
    particles: frozenset[str]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    p = patterns()["person"]
    titles = compiled(*p["titles"])
    return _Vocabulary(titles, re.compile(titles.pattern.replace("(?<![\\w‹])", "")),
                       frozenset(p["non_name_starts"]), frozenset(p["surnames"]),
                       frozenset(p["vietnamese_surnames"]), frozenset(p["name_particles"]))


def _tokens(text: str) -> list[Token]:
    """Words, split where a lower-case letter runs into an upper-case one ("vàTổng")."""
    out = []
    for m in _TOKEN.finditer(text):
        word, start = m.group(0), m.start()
        if not _GLUE.search(word):
            out.append((start, m.end(), word))
            continue
        cut = 0
        for i in range(1, len(word)):
            if word[i].isupper() and word[i - 1].islower() and word[i - 1] != "-" and word[cut].islower():
                out.append((start + cut, start + i, word[cut:i]))
                cut = i
        out.append((start + cut, start + len(word), word[cut:]))
    return out


def _is_name_word(word: str) -> bool:
    if not word[:1].isupper() or (word.isupper() and len(word) > 1):
        return False
    return not any(part.isupper() and len(part) > 1 for part in re.split(r"['’-]", word))   # "ASEAN-Trung"


def _covered(view: SentenceView, start: int, end: int) -> bool:
    return any(m.start <= start and end <= m.end for m in view.mentions)


def _titles(view: SentenceView, vocabulary: _Vocabulary) -> list[tuple[int, int]]:
    """(start, end) of every title in the sentence, including ones glued to the word before."""
    titles = [(m.start(), m.end()) for m in vocabulary.titles.finditer(view.folded)
              if not any(x.start < m.start() < x.end for x in view.mentions)    # "Trung Quốc Vương": no "Quốc vương"
              and _written_as_title(view, m.start(), m.end())]
    if _GLUE.search(view.canon):
        for m in vocabulary.glued_titles.finditer(view.folded):
            s = m.start()
            if s > 0 and view.canon[s].isupper() and view.canon[s - 1].islower() and (s, m.end()) not in titles:
                titles.append((s, m.end()))            # "vàTổng Thư ký": a missing space
    return sorted(titles)


def _runs(view: SentenceView, vocabulary: _Vocabulary) -> list[list[Token]]:
    """Runs of capitalised words that no known name covers; particles join them ("von der Leyen")."""
    canon, tokens = view.canon, _tokens(view.canon)
    runs: list[list[Token]] = []
    i = 0
    while i < len(tokens):
        start, end, word = tokens[i]
        if not _is_name_word(word) or _covered(view, start, end):
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and (canon[tokens[j][1]:tokens[j + 1][0]].strip() == ""
                                       or (len(tokens[j][2]) == 1 and canon[tokens[j][1]:tokens[j + 1][0]] == ". ")):
            nxt = tokens[j + 1]
            if _is_name_word(nxt[2]) and not _covered(view, nxt[0], nxt[1]):
                j += 1
                continue
            k = j + 1
            while k < len(tokens) and tokens[k][2] in vocabulary.particles and canon[tokens[k - 1][1]:tokens[k][0]] == " ":
                k += 1
            if j + 1 < k < len(tokens) and _is_name_word(tokens[k][2]) and canon[tokens[k - 1][1]:tokens[k][0]] == " ":
                j = k
                continue
            break
        runs.append(tokens[i:j + 1])
        i = j + 1
    return runs


def _trim(run: list[Token], vocabulary: _Vocabulary) -> list[Token]:
    """The name inside a run: organisation words cut off the front, a family name starts it."""
    while run and run[0][2] in vocabulary.not_names:
        run = run[1:]                                  # "Bộ", "Chính" open an organisation, not a name
    cut = next((k for k in range(1, len(run) - 1) if run[k][2] in vocabulary.surnames), None)
    if cut is not None and run and run[0][2] not in vocabulary.surnames:
        run = run[cut:]                                # "Thương Nguyễn Cẩm Tú": the name starts at the surname
    return run


def _shaped_like_a_name(words: list[str], vocabulary: _Vocabulary) -> bool:
    if len(words) == 1:
        # a single word is a name only if foreign-looking: "Obama", "Lavrov", not "Kinh" or "Tập"
        return words[0].isascii() and len(words[0]) >= 3 and not _SYLLABLE.fullmatch(words[0].lower())
    return len(words) <= 4 or (len(words) == 5 and words[0] not in vocabulary.surnames)


def names_in(view: SentenceView) -> list[Named]:
    """Every name a title introduces in the sentence, with that title and the country it names."""
    vocabulary = _vocabulary()
    titles = _titles(view, vocabulary)
    if not titles:
        return []                                      # every name we take is tied to a title
    canon = view.canon
    names: list[Named] = []
    for raw_run in _runs(view, vocabulary):
        while raw_run and any(a <= raw_run[0][0] < b for a, b in titles):
            raw_run = raw_run[1:]                      # "Tổng Thống Joe Biden": a capitalised title is no name
        run = _trim(raw_run, vocabulary)
        if not run:
            continue
        gap_start = run[0][0]
        title = next((t for t in reversed(titles) if t[1] <= gap_start and gap_start - t[1] <= 90), None)
        appositive = re.match(r",\s*(" + vocabulary.titles.pattern + r")", view.folded[run[-1][1]:run[-1][1] + 40])
        words = [w for _, _, w in run]
        if not _shaped_like_a_name(words, vocabulary):
            continue
        written = " ".join(canon[run[0][0]:run[-1][1]].split())   # keeps "S. Jaishankar", "Jayant N. Khobragade"
        if title is not None and _plausible_gap(view, title[1], gap_start, len(run), vocabulary):
            # "Thủ tướng Australia Anthony Albanese, Thủ tướng Chính phủ Phạm Minh Chính": a title
            # before the name is its own; the one after the comma belongs to the next name
            countries = [m for m in view.mentions if title[1] <= m.start and m.end <= gap_start
                         and m.kind in ("partner", "member")]
            country = countries[-1].code if countries else None
            names.append(Named(written, canon[title[0]:title[1]], country or _vietnamese(words, vocabulary)))
        elif appositive:                               # "Nina Hatchinger, Đại sứ Hoa Kỳ tại ASEAN"
            role = canon[run[-1][1] + appositive.start(1):run[-1][1] + appositive.end(1)]
            names.append(Named(written, role, None))
    return names


def _vietnamese(words: list[str], vocabulary: _Vocabulary) -> str | None:
    """VN for a three- or four-word name under a family name only Vietnamese use ("Phạm Minh Chính")."""
    return "VN" if 3 <= len(words) <= 4 and words[0] in vocabulary.vietnamese_surnames else None


def _plausible_gap(view: SentenceView, title_end: int, name_start: int, run_length: int,
                   vocabulary: _Vocabulary) -> bool:
    """What stands between a title and a name may only qualify the title."""
    between = view.canon[title_end:name_start]
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
    if any(pair.split()[0] not in vocabulary.not_names for pair in _CAPITAL_PAIR.findall(rest)):
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


def _written_as_title(view: SentenceView, start: int, end: int) -> bool:
    """A form of address keeps its diacritics: an unaccented "Ong" or "Ba" starts a name ("Ong Keng Yong")."""
    folded = view.folded[start:end]
    return folded not in _FOLDED_ADDRESS or view.canon[start:end].casefold() in ADDRESS_FORMS


def _role(title: str | None) -> str | None:
    """"ông"/"bà" are forms of address, not roles."""
    if not title or title.casefold() in ADDRESS_FORMS:
        return None
    return title[:1].upper() + title[1:]
