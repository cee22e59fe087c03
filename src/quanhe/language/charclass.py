"""Regex character classes for Vietnamese letters by case.

Unicode interleaves upper and lower case in Latin Extended Additional (Ạ ạ Ả ả ...), so a
range such as [à-ỹ] mixes both cases; these classes are built letter by letter instead.
"""
from __future__ import annotations

import re

_LATIN = [chr(c) for c in range(0x41, 0x250)] + [chr(c) for c in range(0x1E00, 0x1F00)]

UPPER = "[" + re.escape("".join(c for c in _LATIN if c.isupper())) + "]"
LOWER = "[" + re.escape("".join(c for c in _LATIN if c.islower())) + "]"
