"""Known names (partners, members, groups, places, organisations) found in text.

The names are data (data/gazetteer.toml); this module only loads and matches them.
Matching runs an Aho-Corasick automaton over folded text (measured at ~40 MB/s in
notes/libraries.md, where a regex alternation of the same aliases ran at ~1 MB/s).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import ahocorasick

from quanhe.errors import DataFileError
from quanhe.normalize import canonical_word, fold

Kind = Literal["partner", "member", "group", "place", "org"]


@dataclass(frozen=True, slots=True)
class Entry:
    kind: Kind
    code: str                       # "US", "VN", "ASEAN_PLUS_THREE", "ASEAN", "places", ...
    alias: str                      # the alias as written in the data file
    cased: bool                     # the alias must match letter case exactly
    partners: tuple[str, ...]       # partner codes this name stands for (empty for places...)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int                      # offsets into the text given to `find`
    end: int
    entry: Entry

    @property
    def kind(self) -> Kind:
        return self.entry.kind

    @property
    def code(self) -> str:
        return self.entry.code


def _canon(text: str) -> str:
    return " ".join(canonical_word(w) for w in text.split())


def load_entries(raw: dict[str, Any] | None = None) -> list[Entry]:
    """Every alias in the gazetteer, validated."""
    if raw is None:
        raw = tomllib.loads(resources.files("quanhe.data").joinpath("gazetteer.toml").read_text("utf-8"))
    entries: list[Entry] = []
    for section, kind in (("partner", "partner"), ("member", "member"), ("group", "group")):
        for code, body in raw.get(section, {}).items():
            if kind == "group":
                partners = tuple(body.get("partners", ()))
            elif kind == "partner":
                partners = (code,)
            else:
                partners = ()
            for alias in body.get("aliases", []):
                entries.append(Entry(kind, code, _canon(alias), False, partners))  # type: ignore[arg-type]
            for alias in body.get("cased", []):
                entries.append(Entry(kind, code, _canon(alias), True, partners))  # type: ignore[arg-type]
    for code, body in raw.get("other", {}).items():
        kind = body.get("kind")
        if kind not in ("place", "org"):
            raise DataFileError(f"gazetteer.toml: [other.{code}] needs kind = \"place\" or \"org\"")
        for alias in body.get("aliases", []):
            entries.append(Entry(kind, code, _canon(alias), False, ()))
    for e in entries:
        if not e.alias.strip():
            raise DataFileError(f"gazetteer.toml: empty alias under {e.kind}.{e.code}")
    return entries


class Gazetteer:
    """Finds the longest known names in a text, whole words only."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[Entry]] = {}
        for e in entries:
            by_key.setdefault(fold(e.alias), []).append(e)
        for key, group in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(group)))
        self._automaton.make_automaton()

    def find(self, text: str, folded: str | None = None) -> list[Mention]:
        """Non-overlapping mentions, longest first, left to right.

        ``text`` should be canonical (quanhe.normalize) so that ``fold`` keeps offsets.
        """
        folded = fold(text) if folded is None else folded
        candidates: list[Mention] = []
        for end_idx, (length, group) in self._automaton.iter(folded):
            start, end = end_idx - length + 1, end_idx + 1
            if not _word_bounded(folded, start, end):
                continue
            written = text[start:end]
            for e in group:
                if e.cased and (written != e.alias or _inside_name(text, start, e.alias)):
                    continue
                candidates.append(Mention(start, end, e))
                break
        # longest first among overlapping candidates; `taken` marks the characters already claimed
        taken = bytearray(len(folded))
        chosen: list[Mention] = []
        for m in sorted(candidates, key=lambda m: (-(m.end - m.start), m.start)):
            if any(taken[m.start:m.end]):
                continue
            taken[m.start:m.end] = b"\x01" * (m.end - m.start)
            chosen.append(m)
        return sorted(chosen, key=lambda m: m.start)


def _inside_name(text: str, start: int, alias: str) -> bool:
    """"Trần Tuấn Anh", "Nguyễn Sinh Nhật Tân": a one-word country after a capitalised word is a name."""
    if " " in alias or start < 2 or text[start - 1] != " ":
        return False
    previous = text[max(0, start - 40):start - 1].rsplit(" ", 1)[-1]
    return previous[:1].isupper() and not previous.isupper() and previous.isalpha()


def _word_bounded(folded: str, start: int, end: int) -> bool:
    before = folded[start - 1] if start > 0 else " "
    after = folded[end] if end < len(folded) else " "
    return not before.isalnum() and not after.isalnum()


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return Gazetteer(load_entries())
