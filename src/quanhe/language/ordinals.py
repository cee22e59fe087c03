"""Ordinals after a meeting name: "lần thứ 12", "lần thứ tám", "lần đầu tiên", "Seventh", "7th".

"thứ hai", "thứ ba"... are also weekdays ("thứ Hai, ngày 14/11"); :func:`find_ordinal` is meant to
be applied right after a meeting name, where they are ordinals. "lần thứ hai" is never a weekday.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from quanhe.language.data import numerals
from quanhe.language.numbers import number_word

_MAX_WORDS = 6  # "hai mươi mốt" has 3; "một trăm linh năm" has 4


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, int], dict[str, int], dict[str, int], frozenset[str]]:
    data = numerals()
    vocab = set(data["digits"]) | set(data["number_markers"]["zero_tens"])
    vocab |= {data["number_markers"][k] for k in ("ten", "tens", "hundred")}
    return data["english_ordinals"], data["english_tens"], data["vietnamese_ordinals"], frozenset(vocab)


def _english(word: str) -> int | None:
    ords, tens, _, _ = _tables()
    w = word.lower()
    if w in ords:
        return ords[w]
    m = re.fullmatch(r"([a-z]+)-([a-z]+)", w)
    if m and m[1] in tens and m[2] in ords and ords[m[2]] < 10:
        return tens[m[1]] + ords[m[2]]
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", w)
    return int(m[1]) if m and int(m[1]) > 0 else None


def _words_value(toks: list[str]) -> tuple[int, int] | None:
    """The longest prefix of ``toks`` that reads as a Vietnamese ordinal number: (value, tokens used)."""
    _, _, vi_ords, vocab = _tables()
    if toks and toks[0] in vi_ords and toks[0] != "tư":
        return vi_ords[toks[0]], 1
    for n in range(min(len(toks), _MAX_WORDS), 0, -1):
        if not all(t in vocab for t in toks[:n]):
            continue
        v = number_word(" ".join(toks[:n]))
        if v is not None and v > 0:
            return v, n
    return None


_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)?")
_LEAD = re.compile(r"[\s,(\-–—:]*")


def find_ordinal(text: str) -> tuple[int, int, int] | None:
    """The ordinal at the start of ``text`` (after spaces, commas, "(", "-"), as (value, start, end).

    ``text[start:end]`` covers the ordinal words only ("lần thứ 12"), not the punctuation around them.
    """
    text = unicodedata.normalize("NFC", text)
    start = _LEAD.match(text).end()  # type: ignore[union-attr]
    toks = [(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text, start)][: _MAX_WORDS + 2]
    # tokens must be consecutive words separated by spaces only
    run: list[tuple[str, int, int]] = []
    pos = start
    for t in toks:
        if t[1] != pos and (text[pos : t[1]].strip() or not run):
            break
        run.append(t)
        pos = t[2]
    if not run:
        return None
    words = [t[0] for t in run]
    eng = _english(words[0])
    if eng is not None:
        return eng, run[0][1], run[0][2]
    i = 1 if words[0] == "lần" else 0
    if words[i : i + 2] == ["đầu", "tiên"]:
        return 1, start, run[i + 1][2]
    if i == 1 and len(words) > 1 and words[1].isdigit():
        return int(words[1]), start, run[1][2]
    if len(words) > i + 1 and words[i] == "thứ":
        nxt = words[i + 1]
        if nxt.isdigit():
            return (int(nxt), start, run[i + 1][2]) if int(nxt) > 0 else None
        got = _words_value(words[i + 1 :])
        if got is not None:
            return got[0], start, run[i + got[1]][2]
    return None


def parse_ordinal(s: str) -> int | None:
    """An ordinal expression to an int: "lần thứ 12" -> 12, "thứ tư" -> 4, "Seventh" -> 7."""
    found = find_ordinal(s)
    if found is None or s[found[2] :].strip(" .,;)"):
        return None
    return found[0]
