# Why hand-written: vietnam-number drops digits ("74,3 tỷ"->1e9); ours: 35/35 gold figures (bench/measure_parsers.py)
"""Money, percent and counted amounts in Vietnamese prose, and Vietnamese number words.

Separator rules (Vietnamese writes "." for thousands and "," for decimals, but our articles also
carry English-style numbers such as "98.37%"):

1. Both "." and "," present: the last one is the decimal mark ("1.234,5", "1,234.5").
2. One kind, repeated ("1.234.567", "1,234,567"): thousands separators; every group after the
   first must have three digits, otherwise the string is not a number.
3. A single "." followed by exactly three digits is a thousands separator ("6.200" -> 6200);
   otherwise it is a decimal point ("98.37" -> 98.37, "3.5" -> 3.5).
4. A single "," followed by exactly three digits is a thousands separator ("1,000" -> 1000) unless
   the integer part is "0" ("0,125" -> 0.125); otherwise a decimal comma ("74,3" -> 74.3).
   So a Vietnamese decimal with exactly three decimals after a nonzero integer ("1,125 tỷ") reads
   as 1125 tỷ: our articles never write three decimals, and English-style thousands do occur.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from quanhe.language.data import numerals, words_pattern


@dataclass(frozen=True, slots=True)
class Amount:
    """One amount in a text; ``text[start:end]`` is the whole expression ("US $ 226 tỷ")."""

    start: int
    end: int
    value: float  # in base units: "395,9 tỷ USD" -> 395_900_000_000.0
    unit: str  # ISO 4217 code, "percent", or "count"
    counted: str | None  # for count amounts, the noun right after ("doanh nghiệp"), else None


_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def _to_decimal(s: str) -> Decimal | None:
    s = s.strip()
    if not _DIGITS.fullmatch(s):
        return None
    seps = [c for c in s if c in ".,"]
    if not seps:
        return Decimal(s)
    if len(set(seps)) == 2:
        dec = s[max(s.rfind("."), s.rfind(","))]
        thou = "," if dec == "." else "."
        intpart, _, frac = s.rpartition(dec)
        if dec in intpart:
            return None
        if not _valid_groups(intpart, thou):
            return None
        return Decimal(intpart.replace(thou, "") + "." + frac)
    sep = seps[0]
    if len(seps) > 1:
        return Decimal(s.replace(sep, "")) if _valid_groups(s, sep) else None
    intpart, frac = s.split(sep)
    if len(frac) == 3 and not (sep == "," and intpart == "0"):
        return Decimal(intpart + frac)
    return Decimal(intpart + "." + frac)


def _valid_groups(s: str, sep: str) -> bool:
    groups = s.split(sep)
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) if len(groups) > 1 else True


def parse_number(s: str) -> float | None:
    """A digit string with Vietnamese or English separators: "6.200" -> 6200, "74,3" -> 74.3."""
    try:
        d = _to_decimal(s)
    except InvalidOperation:
        return None
    return None if d is None else float(d)


# --- number words ------------------------------------------------------------------------------


def _nfc_lower(s: str) -> str:
    return unicodedata.normalize("NFC", s).lower()


def _below_1000(toks: list[str]) -> int | None:
    """ "hai trăm linh năm" -> 205; "mười lăm" -> 15; "ba mươi mốt" -> 31; None if malformed."""
    data = numerals()
    digits: dict[str, int] = data["digits"]
    mark = data["number_markers"]
    if not toks:
        return None
    value = 0
    i = 0
    if len(toks) >= 2 and toks[1] == mark["hundred"] and toks[0] in digits:
        value = digits[toks[0]] * 100
        i = 2
        if i == len(toks):
            return value
        if toks[i] in mark["zero_tens"]:
            rest = toks[i + 1 :]
            if len(rest) == 1 and rest[0] in digits and digits[rest[0]] > 0:
                return value + digits[rest[0]]
            return None
    rest = toks[i:]
    if rest[0] == mark["ten"]:
        tens, rest = 10, rest[1:]
    elif len(rest) >= 2 and rest[1] == mark["tens"] and rest[0] in digits and digits[rest[0]] >= 2:
        tens, rest = digits[rest[0]] * 10, rest[2:]
    else:
        tens = 0
    if not rest:
        return value + tens if (tens or value) else None
    if len(rest) != 1 or rest[0] not in digits:
        return None
    unit_word = rest[0]
    unit = digits[unit_word]
    if unit_word == "mốt" and tens < 20:  # "mốt" is 1 only after "X mươi"
        return None
    if unit_word in ("lăm", "nhăm") and tens == 0:  # "lăm" is 5 only after a ten
        return None
    if unit == 0 and (tens or value):
        return None
    return value + tens + unit


def number_word(s: str) -> int | None:
    """Vietnamese number words to an int: "tám" -> 8, "hai mươi mốt" -> 21, "một nghìn tỷ" -> 1e12."""
    toks = _nfc_lower(s).replace("-", " ").split()
    if not toks:
        return None
    scales: dict[str, int] = {k: v for k, v in numerals()["scales"].items() if k != "trăm"}
    total = 0
    group: list[str] = []
    i = 0
    while i < len(toks):
        if toks[i] in scales:
            mult = 1
            while i < len(toks) and toks[i] in scales:
                mult *= scales[toks[i]]
                i += 1
            n = _below_1000(group) if group else None
            if n is None:
                return None
            total += n * mult
            group = []
        else:
            group.append(toks[i])
            i += 1
    if group:
        n = _below_1000(group)
        if n is None:
            return None
        total += n
    return total


# --- amounts in running text ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _amount_regex() -> re.Pattern[str]:
    data = numerals()
    opts = data["currency_options"]
    scale_words = words_pattern(list(data["scales"]))
    return re.compile(
        rf"""
        (?:(?<![^\W\d_])(?P<pre>{words_pattern(opts["prefix"])})\s*)?
        (?<![\w.,/])(?<![^\W\d_]-)(?<!\d{4}[-–])
        (?P<num>\d+(?:[.,]\d+)*)
        (?![.,]?\d|[/:]\d|\s*[-–]\s*\d)
        (?P<scale>(?:\s*(?:{scale_words})(?![^\W\d_])(?!\s+(?:lệ|giá|trọng)\b))+)?
        (?:\s*(?P<pct>{words_pattern(data["percent"]["words"])})
          |\s*(?P<cur>{words_pattern(list(data["currencies"]))})(?![^\W\d_])
          |\s+(?P<noun>{words_pattern(data["counted"]["nouns"])})(?![^\W\d_])
        )?
        """,
        re.VERBOSE | re.IGNORECASE,
    )


@lru_cache(maxsize=1)
def _lookups() -> tuple[dict[str, str], dict[str, int], frozenset[str], re.Pattern[str]]:
    data = numerals()
    currencies = {k.lower(): v for k, v in data["currencies"].items()}
    scales = {k.lower(): v for k, v in data["scales"].items()}
    needs_scale = frozenset(w.lower() for w in data["currency_options"]["needs_scale"])
    words = words_pattern(data["not_amount_before"]["words"])
    before = re.compile(rf"(?<![^\W\d_])(?:{words})\s*$", re.IGNORECASE)
    return currencies, scales, needs_scale, before


_FOLLOW_WORD = re.compile(r"\s+[^\W\d_]")


def _currency(alias: str | None, has_scale: bool, text: str, end: int) -> str | None:
    if alias is None:
        return None
    currencies, _, needs_scale, _ = _lookups()
    key = " ".join(alias.lower().split())
    code = currencies.get(key)
    if code is None:
        return None
    if key in needs_scale and not has_scale and _FOLLOW_WORD.match(text, end):
        return None  # "100 đồng chí", "2 Yên Bái": an ordinary word, not a currency
    return code


def find_amounts(text: str) -> list[Amount]:
    """Every money, percent or counted amount in ``text``, left to right, non-overlapping.

    A bare number (no scale word, currency, percent sign or counted noun) is not an amount, and
    neither is a number right after a date or ordinal word ("năm 2020", "lần thứ 12").
    """
    _currencies, scales, _, before = _lookups()
    out: list[Amount] = []
    for m in _amount_regex().finditer(text):
        base = _to_decimal(m["num"])
        if base is None:
            continue
        mult = 1
        if m["scale"]:
            for w in m["scale"].lower().split():
                mult *= scales.get(w, 1)
        has_scale = mult != 1
        pre = _currency(m["pre"], has_scale, text, m.end("pre")) if m["pre"] else None
        cur = _currency(m["cur"], has_scale, text, m.end("cur"))
        start, end = m.start(), m.end()
        if m["cur"] and cur is None:  # the alias was an ordinary word: stop before it
            end = m.end("scale") if m["scale"] else m.end("num")
        unit = cur or pre
        counted: str | None = None
        if m["pct"]:
            unit = "percent"
        elif unit is None:
            if m["noun"]:
                counted = " ".join(m["noun"].split())
            elif not has_scale:
                continue
            if before.search(text[max(0, m.start("num") - 40) : m.start("num")]):
                continue
            unit = "count"
        if m["pre"] and pre is None:
            start = m.start("num")
        if not m["pre"] and m["cur"] is None and m["pct"] is None and m["noun"] is None:
            end = m.end("scale") if m["scale"] else m.end("num")
        lead = _RANGE_START.search(text[max(0, start - 40) : start])
        lead_at = start - len(lead.group(0)) if lead else start
        if (
            lead
            and (out[-1].end if out else 0) <= lead_at
            and not (unit == "count" and before.search(text[max(0, lead_at - 40) : lead_at]))
        ):
            # "từ 14 lên 16 triệu USD": the first number shares the second one's scale and unit
            first = _to_decimal(lead["num"])
            if first is not None:
                out.append(Amount(lead_at, lead_at + len(lead["num"]), float(first * mult), unit, counted))
        out.append(Amount(start, end, float(base * mult), unit, counted))
    return out


_RANGE_START = re.compile(r"(?<![\w.,/\-])(?P<num>\d+(?:[.,]\d+)*)\s+(?:lên|đến|tới|hoặc)\s+$")
