"""Sentence splitting that keeps offsets into the original text.

Hand-written, after measuring underthesea's sent_tokenize on our articles
(bench/measure_sentences.py): it gets the hard prose cases right too, but splits domains inside
credits ("sputniknews. com"), returns strings without offsets or the "glued" mark we use to drop
captions run into the prose, and brings 70 MB of dependencies for a handful of regexes.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from quanhe.language.charclass import LOWER, UPPER

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) when the next
# non-space character starts a new sentence (an upper-case letter, a quote, a digit or a bracket).
_END = re.compile(r"""[.!?…]+["”’»)\]]*(?=\s+["“‘«(\[]?\s*(?:""" + UPPER + r"""|[0-9])|\s*$)""")
# Two sentences glued by a missing space: "Blinken.Ngoại trưởng" (a lower-case letter, a period,
# an upper-case letter). "U.S." and "D.C." have an upper-case letter before the period.
_GLUED = re.compile(r"(?<=" + LOWER + r")\.(?=" + UPPER + LOWER + ")")
# Abbreviations after which a period does not end the sentence.
_ABBREV = re.compile(r"(?:\b(?:TP|Tp|TS|GS|PGS|ThS|Th\.S|St|Mr|Mrs|Ms|Dr|v\.v|U\.S|D\.C|St)|\b[A-Z])\.$")


def split_paragraph(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """Yield (start, end, glued) for each sentence of ``text[start:end]``.

    ``glued`` is True when the sentence ended at a missing space ("Hội nghị.Các nước"):
    such a first part is usually a photo caption run into the prose.
    """
    cuts: list[tuple[int, bool]] = []
    para = text[start:end]
    for m in _END.finditer(para):
        if m.group(0) == "." and _ABBREV.search(para[max(0, m.start() - 6): m.start() + 1]):
            continue                             # "TP.", "U.S." inside a sentence; "U.S.." still ends one
        # "6.200", "98.37": a period between digits is never an end
        if m.group(0) == "." and m.start() > 0 and para[m.start() - 1].isdigit() \
                and m.end() < len(para) and para[m.end():m.end() + 1].isdigit():
            continue
        cuts.append((m.end(), False))
    for m in _GLUED.finditer(para):
        cuts.append((m.end(), True))
    cuts.sort()
    pos = 0
    for cut, glued in cuts:
        if cut <= pos:
            continue
        yield from _trimmed(para, pos, cut, start, glued)
        pos = cut
    if pos < len(para):
        yield from _trimmed(para, pos, len(para), start, False)


def _trimmed(para: str, a: int, b: int, offset: int, glued: bool) -> Iterator[tuple[int, int, bool]]:
    while a < b and para[a].isspace():
        a += 1
    while b > a and para[b - 1].isspace():
        b -= 1
    if b > a:
        yield a + offset, b + offset, glued


_LINE = re.compile(r"[^\r\n]+")


def paragraphs(text: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank line of ``text`` from ``start`` on (\n, \r\n or a lone \r)."""
    for m in _LINE.finditer(text, start):
        a, b = m.start(), m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            yield a, b
