"""Unicode normalization for Vietnamese that never loses track of the original offsets.

Articles arrive in NFC or NFD, with the tone of "oa", "oe", "uy" on either vowel ("hoà"/"hòa",
"thuý"/"thúy"): we fold to the first vowel, as most newsrooms write. Matching works on one canonical view; evidence spans point into the text as read.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Tone marks as combining characters; the vowel qualities (circumflex, breve, horn) are not tones.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

# "oa", "oe", "uy" ending a syllable carry the tone on either vowel ("hoà"/"hòa", "thuý"/"thúy");
# we fold to the first vowel, the placement most Vietnamese newsrooms use.
_OLD_STYLE_PAIRS = ("oa", "oe", "uy")


def _retone_syllable(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return word
    bare = "".join(c for c in decomposed if c not in _TONES)
    low = bare.lower()
    for pair in _OLD_STYLE_PAIRS:
        # only when the pair ends the syllable ("hoà" but not "hoàng", where both styles agree)
        if low.endswith(pair) and not (pair == "uy" and low.endswith("quy")):
            i = len(bare) - 1   # the pair's second vowel: the tone goes right before it
            moved = bare[:i] + tones[0] + bare[i:]
            return unicodedata.normalize("NFC", moved)
    return unicodedata.normalize("NFC", decomposed)


@lru_cache(maxsize=65536)
def canonical_word(word: str) -> str:
    """NFC with the tone of "oa", "oe", "uy" on the first vowel; keeps the length of an NFC word."""
    nfc = unicodedata.normalize("NFC", word)
    if not nfc.isascii():
        nfc = _retone_syllable(nfc)
    return nfc


@dataclass(frozen=True, slots=True)
class Normalized:
    """A canonical view of a text; ``to_original[i]`` is the original offset of view char ``i``.

    ``to_original`` has one extra entry at the end (the original length) so that an end offset
    maps too.
    """

    text: str
    to_original: tuple[int, ...] | None   # None when the view is the original text (the usual case)

    def original(self, i: int) -> int:
        return i if self.to_original is None else self.to_original[i]


# Only words holding a tone mark on the second vowel of "oa", "oe", "uy" can change.
_RETONABLE = re.compile(r"(?<![^\W\d_])[^\W\d_]*?(?:[oO][àáảãạÀÁẢÃẠ]|[oO][èéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])[^\W\d_]*")


def normalize(text: str) -> Normalized:
    """NFC + unified tone placement, with an offset map back to ``text``."""
    if text.isascii():
        return Normalized(text, None)
    if unicodedata.is_normalized("NFC", text):
        # NFC words keep their length when re-toned, so offsets carry over one to one
        return Normalized(_RETONABLE.sub(lambda m: canonical_word(m.group(0)), text), None)
    out: list[str] = []
    mapping: list[int] = []
    changed = False
    i, n = 0, len(text)
    while i < n:
        # a word = a run of letters and combining marks
        j = i
        while j < n and (text[j].isalpha() or unicodedata.combining(text[j])):
            j += 1
        if j == i:
            out.append(text[i])
            mapping.append(i)
            i += 1
            continue
        word = text[i:j]
        canon = canonical_word(word)
        if canon != word:
            changed = True
        if len(canon) == len(word):
            out.append(canon)
            mapping.extend(range(i, j))
        else:
            # NFD input: map each canonical char to the start of its base character's cluster
            starts = [k for k in range(i, j) if not unicodedata.combining(text[k])] or [i]
            out.append(canon)
            for k in range(len(canon)):
                mapping.append(starts[min(k, len(starts) - 1)])
        i = j
    if not changed:
        return Normalized(text, None)
    mapping.append(n)
    return Normalized("".join(out), tuple(mapping))


def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    folded = base.lower() if not unicodedata.combining(base) else ch
    return folded if len(folded) == 1 else ch


# One translation table for the Latin letters our texts use (str.translate runs in C).
_FOLD_TABLE = {c: _fold_char(chr(c)) for c in (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00))}


def fold(text: str) -> str:
    """Lower case, no diacritics, đ -> d: what a person types when searching.

    The result always has the same length as ``text``, so offsets carry over one to one.
    """
    return text.translate(_FOLD_TABLE)
