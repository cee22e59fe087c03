"""quanhe.language.ordinals: "lần thứ 12", "lần thứ tám", "Seventh"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quanhe.language.data import numerals
from quanhe.language.numbers import number_word
from quanhe.language.ordinals import find_ordinal, parse_ordinal


@pytest.mark.parametrize(
    ("s", "want"),
    [
        ("lần thứ 12", 12),
        ("lần thứ tám", 8),
        ("lần thứ 47", 47),
        ("lần đầu tiên", 1),
        ("đầu tiên", 1),
        ("thứ nhất", 1),
        ("thứ hai", 2),
        ("thứ tư", 4),
        ("lần 2", 2),
        ("Seventh", 7),
        ("7th", 7),
        ("twentieth", 20),
        ("thứ mười một", 11),
        ("lần thứ hai mươi", 20),
        ("twenty-first", 21),
        ("lần thứ hai mươi mốt", 21),
        ("Lần thứ Ba", 3),
        ("thứ nhì", 2),
        ("23rd", 23),
    ],
)
def test_parse_ordinal(s: str, want: int) -> None:
    assert parse_ordinal(s) == want


@pytest.mark.parametrize(
    "s", ["", "lần", "thứ", "thứ 0", "thứ Hai, ngày 14/11", "tại Hà Nội", "12", "lần thứ x"]
)
def test_parse_ordinal_rejects(s: str) -> None:
    assert parse_ordinal(s) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (" lần thứ 12 tại Hà Nội", (12, 1, 11)),
        (" (lần thứ 8)", (8, 2, 11)),
        (" - lần thứ 8 diễn ra", (8, 3, 12)),
        (" Seventh chụp ảnh", (7, 1, 8)),
        (", lần thứ năm 2020", (5, 2, 13)),
        (" thứ hai mươi mốt, tại", (21, 1, 17)),
        (" lần đầu tiên giữa", (1, 1, 13)),
        ("-36", None),
        (" 36 tại", None),
        (" tại Hà Nội lần thứ 3", None),
        ("", None),
    ],
)
def test_find_ordinal(text: str, want: tuple[int, int, int] | None) -> None:
    assert find_ordinal(text) == want


def _words(n: int) -> str:
    """1..99 as Vietnamese number words, written independently of the parser."""
    units = ["", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
    tens, unit = divmod(n, 10)
    if tens == 0:
        return units[unit]
    head = "mười" if tens == 1 else f"{units[tens]} mươi"
    if unit == 0:
        return head
    tail = {1: "mốt" if tens > 1 else "một", 4: "tư" if tens > 1 else "bốn", 5: "lăm"}.get(unit, units[unit])
    return f"{head} {tail}"


@given(st.integers(1, 99))
def test_number_words_round_trip(n: int) -> None:
    assert number_word(_words(n)) == n


@given(st.integers(1, 99), st.sampled_from(["lần thứ {}", "thứ {}", "Lần thứ {}"]))
def test_ordinal_words_round_trip(n: int, fmt: str) -> None:
    word = {1: "nhất", 4: "tư"}.get(n, _words(n))
    assert parse_ordinal(fmt.format(word)) == n
    text = " " + fmt.format(word) + " tại Jakarta"
    found = find_ordinal(text)
    assert found is not None and found[0] == n
    assert text[found[1] : found[2]] == fmt.format(word)


@given(st.integers(1, 999))
def test_ordinal_digits_round_trip(n: int) -> None:
    assert parse_ordinal(f"lần thứ {n}") == n
    text = f" (lần thứ {n}) tại"
    found = find_ordinal(text)
    assert found is not None and found[0] == n and text[found[1] : found[2]] == f"lần thứ {n}"


def test_every_ordinal_word() -> None:
    data = numerals()
    for word, n in data["english_ordinals"].items():
        assert parse_ordinal(word.title()) == n
    for ten, t in data["english_tens"].items():
        assert parse_ordinal(f"{ten}-first") == t + 1
    for word, n in data["vietnamese_ordinals"].items():
        prefix = "lần " if word == "đầu tiên" else "lần thứ "
        assert parse_ordinal(prefix + word) == n
