"""Loading the language data file (``quanhe/data/numerals.toml``), once per process."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

DATA_FILE = "numerals.toml"


@lru_cache(maxsize=1)
def numerals() -> dict[str, Any]:
    """The parsed data file; every key and string value NFC-normalized."""
    raw = resources.files("quanhe").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return dict(_nfc(tomllib.loads(raw)))


def _nfc(obj: Any) -> Any:
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, dict):
        return {unicodedata.normalize("NFC", k): _nfc(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_nfc(v) for v in obj]
    return obj


def words_pattern(words: list[str] | tuple[str, ...]) -> str:
    """A regex alternation of ``words``, longest first, with flexible inner whitespace."""
    parts = sorted(set(words), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in parts)
