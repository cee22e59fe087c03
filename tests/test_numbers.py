"""quanhe.language.numbers: digit strings, number words, and amounts in running text."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quanhe.language.data import numerals
from quanhe.language.numbers import Amount, find_amounts, number_word, parse_number

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.mark.parametrize(
    ("s", "want"),
    [
        ("6.200", 6200),
        ("74,3", 74.3),
        ("98.37", 98.37),
        ("1.000", 1000),
        ("1,000", 1000),
        ("2.570", 2570),
        ("12", 12),
        ("1.234.567", 1234567),
        ("1,5", 1.5),
        ("0,125", 0.125),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("3.5", 3.5),
        ("1,234,567", 1234567),
    ],
)
def test_parse_number(s: str, want: float) -> None:
    assert parse_number(s) == pytest.approx(want)


@pytest.mark.parametrize("s", ["", "abc", "1,2,3", "12.34.5", "1.2345.678", "1,234.5.6", "-3"])
def test_parse_number_rejects(s: str) -> None:
    assert parse_number(s) is None


@pytest.mark.parametrize(
    ("s", "want"),
    [
        ("tám", 8),
        ("mười hai", 12),
        ("hai mươi mốt", 21),
        ("một trăm", 100),
        ("ba mươi", 30),
        ("mười lăm", 15),
        ("bốn", 4),
        ("tư", 4),
        ("năm", 5),
        ("một trăm linh năm", 105),
        ("chín mươi chín", 99),
        ("hai mươi tư", 24),
        ("ba mươi lăm", 35),
        ("một nghìn tỷ", 10**12),
        ("ba mươi triệu", 30_000_000),
        ("một trăm năm mươi tỷ", 150 * 10**9),
        ("Mười Hai", 12),
    ],
)
def test_number_word(s: str, want: int) -> None:
    assert number_word(s) == want


@pytest.mark.parametrize("s", ["", "hai năm", "mốt", "mười mốt", "lăm", "năm 2020", "trăm", "hai ba"])
def test_number_word_rejects(s: str) -> None:
    assert number_word(s) is None


def _amounts(text: str) -> list[tuple[str, float, str, str | None]]:
    return [(text[a.start : a.end], a.value, a.unit, a.counted) for a in find_amounts(text)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("đạt 74,3 tỷ USD,", [("74,3 tỷ USD", 74.3e9, "USD", None)]),
        ("đạt 395,9 tỷ USD.", [("395,9 tỷ USD", 395.9e9, "USD", None)]),
        ("lên 1000 tỉ USD vào năm 2020", [("1000 tỉ USD", 1e12, "USD", None)]),
        ("là US $ 226 tỷ.", [("US $ 226 tỷ", 226e9, "USD", None)]),
        ("đạt 216 tỷ $, đầu tư", [("216 tỷ $", 216e9, "USD", None)]),
        ("đón 3,2 triệu du khách Mỹ", [("3,2 triệu du khách", 3.2e6, "count", "du khách")]),
        ("30 triệu khách du lịch", [("30 triệu khách du lịch", 30e6, "count", "khách du lịch")]),
        ("hơn 6.200 doanh nghiệp", [("6.200 doanh nghiệp", 6200, "count", "doanh nghiệp")]),
        ("đạt 98.37%.", [("98.37%", 98.37, "percent", None)]),
        ("chiếm 3,2 % tổng", [("3,2 %", 3.2, "percent", None)]),
        ("4,5 triệu đô-la Canada", [("4,5 triệu đô-la Canada", 4.5e6, "CAD", None)]),
        ("1.000 tỷ NDT", [("1.000 tỷ NDT", 1e12, "CNY", None)]),
        ("4.500 tỷ nhân dân tệ", [("4.500 tỷ nhân dân tệ", 4.5e12, "CNY", None)]),
        ("1,7 nghìn tỷ USD", [("1,7 nghìn tỷ USD", 1.7e12, "USD", None)]),
        ("5 triệu đô la New Zealand", [("5 triệu đô la New Zealand", 5e6, "NZD", None)]),
        ("2 triệu đô la Mỹ", [("2 triệu đô la Mỹ", 2e6, "USD", None)]),
        ("3 tỷ Euro", [("3 tỷ Euro", 3e9, "EUR", None)]),
        ("4,9 nghìn tỷ yên)", [("4,9 nghìn tỷ yên", 4.9e12, "JPY", None)]),
        ("10 tỷ won", [("10 tỷ won", 10e9, "KRW", None)]),
        ("500 tỷ đồng", [("500 tỷ đồng", 500e9, "VND", None)]),
        ("200 VND", [("200 VND", 200, "VND", None)]),
        ("630 triệu người", [("630 triệu người", 630e6, "count", "người")]),
        ("khoảng 3 triệu của", [("3 triệu", 3e6, "count", None)]),
        ("quỹ từ 14 lên 16 triệu USD", [("14", 14e6, "USD", None), ("16 triệu USD", 16e6, "USD", None)]),
    ],
)
def test_find_amounts_examples(text: str, want: list[tuple[str, float, str, str | None]]) -> None:
    got = _amounts(text)
    assert [(g[0], g[2], g[3]) for g in got] == [(w[0], w[2], w[3]) for w in want]
    for g, w in zip(got, want):
        assert g[1] == pytest.approx(w[1], rel=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        "năm 2020",
        "ngày 11/10",
        "lần thứ 12",
        "Hội nghị ASEAN-36",
        "COVID-19",
        "10 năm",
        "45 năm",
        "giai đoạn 2016-2020",
        "100 đồng chí",
        "tỷ lệ 3 tỷ lệ",
        "năm 2020 người dân",
        "số 5 người",
        "có 12 thành viên",
        "phiên bản 3.0",
        "8,700 lượt xem",
    ],
)
def test_find_amounts_rejects(text: str) -> None:
    assert find_amounts(text) == []


def _vn(value_int: int, decimals: str) -> str:
    """Format the Vietnamese way: "." between thousands, "," before decimals."""
    s = f"{value_int:,}".replace(",", ".")
    return f"{s},{decimals}" if decimals else s


_SCALES = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9, "nghìn tỷ": 1e12}
_CURRENCIES = [
    ("USD", "USD"),
    ("đô la Mỹ", "USD"),
    ("$", "USD"),
    ("NDT", "CNY"),
    ("nhân dân tệ", "CNY"),
    ("euro", "EUR"),
    ("yên", "JPY"),
    ("won", "KRW"),
    ("đô-la Canada", "CAD"),
    ("đồng", "VND"),
]


@given(st.integers(0, 10**9), st.from_regex(r"\A(|[0-9]{1,2})\Z"))
def test_parse_number_round_trip(n: int, decimals: str) -> None:
    want = float(f"{n}.{decimals or '0'}")
    got = parse_number(_vn(n, decimals))
    assert got is not None and math.isclose(got, want, rel_tol=1e-9)


@given(
    st.integers(1, 999_999),
    st.from_regex(r"\A(|[0-9]{1,2})\Z"),
    st.sampled_from(sorted(_SCALES)),
    st.sampled_from(_CURRENCIES),
    st.sampled_from(["đạt ", "khoảng ", "(", "tổng cộng "]),
)
def test_find_amounts_round_trip(n: int, decimals: str, scale: str, cur: tuple[str, str], lead: str) -> None:
    number = _vn(n, decimals)
    text = f"{lead}{number} {scale} {cur[0]}, tăng mạnh"
    got = find_amounts(text)
    assert len(got) == 1
    a = got[0]
    assert a.unit == cur[1]
    assert math.isclose(a.value, float(f"{n}.{decimals or '0'}") * _SCALES[scale], rel_tol=1e-9)
    assert text[a.start : a.end] == f"{number} {scale} {cur[0]}"


@given(st.integers(0, 99), st.integers(0, 99))
def test_percent_round_trip(whole: int, frac: int) -> None:
    text = f"tăng {whole},{frac:02d}% so với"
    (a,) = find_amounts(text)
    assert a.unit == "percent" and math.isclose(a.value, whole + frac / 100, rel_tol=1e-9, abs_tol=1e-12)


@given(st.text(alphabet="abc tỷUSD,.%0123456789/-", max_size=40))
def test_offsets_cover_digits(text: str) -> None:
    for a in find_amounts(text):
        assert 0 <= a.start < a.end <= len(text)
        assert any(c.isdigit() for c in text[a.start : a.end])


def test_amounts_sorted_and_disjoint() -> None:
    text = "đạt 74,3 tỷ USD và 395,9 tỷ USD, hơn 6.200 doanh nghiệp, chiếm 3,2%."
    got = find_amounts(text)
    assert [text[a.start : a.end] for a in got] == [
        "74,3 tỷ USD",
        "395,9 tỷ USD",
        "6.200 doanh nghiệp",
        "3,2%",
    ]
    assert all(x.end <= y.start for x, y in itertools.pairwise(got))
    assert isinstance(got[0], Amount)


# --- the data file ---------------------------------------------------------------------------


def test_numerals_digits_and_scales() -> None:
    data = numerals()
    assert sorted(set(data["digits"].values())) == list(range(10))
    for word, value in data["digits"].items():
        if word in ("mốt", "lăm", "nhăm"):  # only inside a compound
            assert number_word(f"hai mươi {word}") == 20 + value
        else:
            assert number_word(word) == value
    for word, value in data["scales"].items():
        (a,) = find_amounts(f"đạt 2 {word} USD")
        assert a.value == 2 * value and a.unit == "USD"


def test_numerals_every_currency() -> None:
    for alias, code in numerals()["currencies"].items():
        assert len(code) == 3 and code.isupper() and code.isalpha()
        (a,) = find_amounts(f"đạt 5 triệu {alias}.")
        assert (a.unit, a.value) == (code, 5e6), alias
    for prefix in numerals()["currency_options"]["prefix"]:
        (a,) = find_amounts(f"đạt {prefix} 5 triệu.")
        assert a.unit == numerals()["currencies"][prefix], prefix


def test_numerals_every_counted_noun_and_percent_word() -> None:
    for noun in numerals()["counted"]["nouns"]:
        (a,) = find_amounts(f"có 120 {noun} tham gia")
        assert (a.unit, a.counted, a.value) == ("count", noun, 120), noun
    for word in numerals()["percent"]["words"]:
        (a,) = find_amounts(f"tăng 7 {word} so với")
        assert a.unit == "percent"
    for word in numerals()["not_amount_before"]["words"]:
        assert find_amounts(f"{word} 12 người") == [], word


# --- real sentences ------------------------------------------------------------------------------


def _seed(prefix: str) -> str:
    (path,) = (SHARED / "corpus" / "seeds").glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="shared corpus not available")
def test_seed_001_amounts() -> None:
    text = _seed("001")
    got = {(text[a.start : a.end], a.value, a.unit) for a in find_amounts(text)}
    assert ("98.37%", 98.37, "percent") in got
    assert ("6.200 doanh nghiệp", 6200, "count") in got
    assert ("74,3 tỷ USD", 74.3e9, "USD") in got
    assert ("395,9 tỷ USD", 395.9e9, "USD") in got


@pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="shared corpus not available")
def test_seed_004_amounts() -> None:
    text = _seed("004")
    got = [(text[a.start : a.end], a.value, a.unit) for a in find_amounts(text)]
    assert ("216 tỷ $", 216e9, "USD") in got
    assert ("US $ 226 tỷ", 226e9, "USD") in got
    assert ("3,2 triệu du khách", 3.2e6, "count") in got
