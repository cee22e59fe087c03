"""The language layer: Vietnamese numbers, amounts, dates and ordinals as pure functions over str."""

from __future__ import annotations

from quanhe.language.dates import DateMention, anniversary_year, date_from_url, find_dates, parse_dateline
from quanhe.language.numbers import Amount, find_amounts, number_word, parse_number
from quanhe.language.ordinals import find_ordinal, parse_ordinal

__all__ = [
    "Amount",
    "DateMention",
    "anniversary_year",
    "date_from_url",
    "find_amounts",
    "find_dates",
    "find_ordinal",
    "number_word",
    "parse_dateline",
    "parse_number",
    "parse_ordinal",
]
