"""quanhe.language.dates: dates in prose, datelines, URLs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from quanhe.language.data import numerals
from quanhe.language.dates import DateMention, anniversary_year, date_from_url, find_dates, parse_dateline

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REF = date(2020, 11, 14)


def _dates(text: str, ref: date | None = REF) -> list[tuple[str, str, str | None, bool, bool]]:
    return [
        (text[m.start : m.end], m.date, m.end_date, m.year_stated, m.relative) for m in find_dates(text, ref)
    ]


@pytest.mark.parametrize(
    ("text", "iso", "end"),
    [
        ("ngày 14/11", "2020-11-14", None),
        ("Ngày 5/8", "2020-08-05", None),
        ("sáng ngày 11/10", "2020-10-11", None),
        ("chiều 2/8", "2020-08-02", None),
        ("tối 2/8", "2020-08-02", None),
        ("rạng sáng 17-2", "2020-02-17", None),
        ("trưa 3/11", "2020-11-03", None),
        ("hôm 24/5", "2020-05-24", None),
        ("Chiều 28-10,", "2020-10-28", None),
        ("Hải quan Trung Quốc qua (20/09)", "2020-09-20", None),
        ("từ ngày 12-15/11/2020", "2020-11-12", "2020-11-15"),
        ("vào ngày 12-13/5", "2020-05-12", "2020-05-13"),
        ("ngày 14-15/12/2022", "2022-12-14", "2022-12-15"),
        ("Từ ngày 28/6-2/7,", "2020-06-28", "2020-07-02"),
        ("từ ngày 28/6 đến 2/7", "2020-06-28", "2020-07-02"),
        ("hai ngày 15 và 16-2", "2020-02-15", "2020-02-16"),
        ("ngày 5 và 6/3/2024", "2024-03-05", "2024-03-06"),
        ("ngày 14 tháng 11 năm 2020", "2020-11-14", None),
        ("14 tháng 11", "2020-11-14", None),
        ("tháng 7/2009", "2009-07", None),
        ("tháng 11 năm 2015", "2015-11", None),
        ("tháng 10", "2020-10", None),
        ("tháng Mười Hai", "2020-12", None),
        ("năm 2005", "2005", None),
        ("vào năm 2020", "2020", None),
        ("đầu năm 2020", "2020", None),
        ("cuối năm 2021", "2021", None),
        ("25/01/2018", "2018-01-25", None),
        ("5/6/2020", "2020-06-05", None),
        ("17.2.2021", "2021-02-17", None),
        ("2017-11-14", "2017-11-14", None),
        ("07-12-2018", "2018-12-07", None),
    ],
)
def test_find_dates_examples(text: str, iso: str, end: str | None) -> None:
    got = find_dates(text, REF)
    assert len(got) == 1, got
    assert (got[0].date, got[0].end_date) == (iso, end)


def test_year_only_when_stated() -> None:
    assert _dates("ngày 14/11")[0][3] is False
    assert _dates("25/01/2018")[0][3] is True
    assert _dates("tháng 11/2015")[0][3] is True


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("năm nay", "2020"),
        ("cuối năm nay", "2020"),
        ("năm ngoái", "2019"),
        ("năm tới", "2021"),
        ("năm sau", "2021"),
        ("Sang năm, quan hệ", "2021"),
        ("hôm nay", "2020-11-14"),
        ("hôm qua", "2020-11-13"),
        ("rạng sáng nay", "2020-11-14"),
    ],
)
def test_relative(text: str, iso: str) -> None:
    (m,) = find_dates(text, REF)
    assert (m.date, m.relative, m.year_stated) == (iso, True, False)
    assert find_dates(text) == []  # no ref: skipped


@pytest.mark.parametrize(
    "text",
    [
        "giai đoạn 2016-2020",
        "năm 2021-2025",
        "98.37%",
        "ASEAN-36",
        "lần thứ 12",
        "năm thứ 43",
        "45 năm",
        "COVID-19",
        "10 năm",
        "http://example.vn/2020/11/10/a.html",
        "1/3 dân số",
        "thắng 3-2",
        "11/10",
        "phiên bản 3.0",
        "0912.345.678",
        "5 năm sau",
        "những năm tới",
        "sang năm thứ 15",
        "tháng năm",
        "năm sau đó",
        "ngày 31/2",
        "ngày 12/13",
    ],
)
def test_find_dates_rejects(text: str) -> None:
    assert find_dates(text, REF) == []


def test_no_ref_gives_month_day() -> None:
    (m,) = find_dates("ngày 14/11")
    assert (m.date, m.year_stated) == ("--11-14", False)
    (m,) = find_dates("tháng 10")
    assert m.date == "--10"


@pytest.mark.parametrize(
    ("ref", "text", "iso"),
    [
        (date(2021, 1, 5), "ngày 14/11", "2020-11-14"),  # more than two months ahead: last year
        (date(2021, 1, 5), "ngày 20/1", "2021-01-20"),  # announced for next weeks
        (date(2024, 12, 29), "ngày 3/1", "2025-01-03"),  # across the year end, weeks ahead
        (date(2020, 11, 14), "ngày 28/12", "2020-12-28"),
        (date(2021, 3, 1), "ngày 29/2", "2020-02-29"),
    ],
)
def test_prefer_past_year(ref: date, text: str, iso: str) -> None:
    assert find_dates(text, ref)[0].date == iso


_FORMATS = [
    "ngày {d}/{m}/{y}",
    "ngày {d:02d}/{m:02d}/{y}",
    "{d}-{m}-{y}",
    "{d}.{m}.{y}",
    "ngày {d} tháng {m} năm {y}",
    "Sáng {d}/{m}/{y}",
    "{y}-{m:02d}-{d:02d}",
    "ngày {d} tháng {m}, năm {y}",
]


@given(
    st.dates(date(1960, 1, 1), date(2039, 12, 31)),
    st.sampled_from(_FORMATS),
    st.sampled_from(["", "Hội nghị diễn ra ", "(", "Tin cho biết, "]),
)
def test_dates_round_trip(day: date, fmt: str, lead: str) -> None:
    expr = fmt.format(d=day.day, m=day.month, y=day.year)
    text = f"{lead}{expr}, tại Hà Nội."
    (m,) = find_dates(text)
    assert m.date == day.isoformat() and m.year_stated
    assert str(day.day) in text[m.start : m.end]


@given(
    st.dates(date(1990, 1, 1), date(2035, 12, 31)),
    st.integers(0, 60),
    st.sampled_from(
        [
            "ngày {d}/{m}",
            "sáng ngày {d}/{m}",
            "chiều {d}/{m}",
            "tối {d}-{m}",
            "rạng sáng {d}-{m}",
            "hôm {d}/{m}",
            "{d} tháng {m}",
            "ngày {d:02d}/{m:02d}",
        ]
    ),
)
def test_dates_without_year_round_trip(day: date, days_after: int, fmt: str) -> None:
    ref = day + timedelta(days=days_after)
    (m,) = find_dates("Tin cho biết, " + fmt.format(d=day.day, m=day.month) + " vừa qua.", ref)
    assert m.date == day.isoformat() and not m.year_stated


@given(st.dates(date(1990, 1, 1), date(2035, 12, 31)), st.integers(1, 5))
def test_ranges_round_trip(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    assume(end.month == start.month)
    text = f"từ ngày {start.day}-{end.day}/{start.month}/{start.year} tại"
    (m,) = find_dates(text)
    assert (m.date, m.end_date) == (start.isoformat(), end.isoformat())


@given(st.integers(1990, 2035), st.integers(1, 12))
def test_months_round_trip(year: int, month: int) -> None:
    for fmt in ("tháng {m}/{y}", "tháng {m} năm {y}", "tháng {m:02d}/{y}"):
        (m,) = find_dates("vào " + fmt.format(m=month, y=year) + ".")
        assert m.date == f"{year}-{month:02d}"


@given(st.text(alphabet="ngày thá 0123456789/-.,", max_size=40))
def test_offsets_cover_digits(text: str) -> None:
    for m in find_dates(text, REF):
        assert 0 <= m.start < m.end <= len(text)
        assert any(c.isdigit() for c in text[m.start : m.end])


# --- datelines, URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Tiêu đề\n14:21 | 14/11/2020 Doanh Nhân", "2020-11-14"),
        ("https://a.vn/x\n\n date 2022-06 Thủ tướng", "2022-06"),
        ("Thứ Sáu, 14:21 | 11/10/2024", "2024-10-11"),
        ("Cập nhật: 05/08/2020 10:30", "2020-08-05"),
        ("25/01/2018 08:00 GMT+7", "2018-01-25"),
        ("Mới nhất:2017-03-21 18:03:30", "2017-03-21"),
        ("Thứ 7, 23/11/2024, 11:13[GMT+7]\n\nTiêu đề\n\nThứ 2, 04/03/2024 | 07:59:09", "2024-03-04"),
        ("Ngày 26/11/2019, các nhà lãnh đạo ASEAN và Hàn Quốc đã nhất trí nâng tầm quan hệ", None),
        ("Không có ngày", None),
    ],
)
def test_parse_dateline(text: str, iso: str | None) -> None:
    assert parse_dateline(text) == iso


@pytest.mark.parametrize(
    ("url", "iso"),
    [
        ("http://vietnamese.cri.cn/421/2017/11/14/1s239185.htm", "2017-11-14"),
        ("http://bbrtv.com/2017/0321/318367.html", "2017-03-21"),
        ("https://baobariavungtau.com.vn/the-gioi/202110/asean-an-do-937588/", "2021-10"),
        ("http://vietnam.ajunews.com/view/20181205161927674", "2018-12-05"),
        ("https://nld.com.vn/thoi-su/asean-20210805214845044.htm", "2021-08-05"),
        ("http://vi.rfi.fr/chau-a/20180126-bien-dong", "2018-01-26"),
        ("https://vnexpress.net/thu-tuong-4955843.html", None),
        ("https://www.baothaibinh.com.vn/tin-tuc/28/194478/quan-he", None),
        ("https://vietnamplus.vn/asean-post353896.vnp", None),
    ],
)
def test_date_from_url(url: str, iso: str | None) -> None:
    assert date_from_url(url) == iso


def test_anniversary_year() -> None:
    assert anniversary_year(45, 2018) == 1973


# --- the data file -------------------------------------------------------------------------------


def test_every_month_word() -> None:
    for word, month in numerals()["months"].items():
        (m,) = find_dates(f"vào tháng {word.title()} năm 2019")
        assert m.date == f"2019-{month:02d}", word


def test_every_date_cue() -> None:
    for cue in numerals()["date_cues"]["words"]:
        got = find_dates(f"{cue} 17-2, hội nghị", REF)
        assert [m.date for m in got] == ["2020-02-17"], cue


def test_every_relative_word() -> None:
    data = numerals()
    for word, days in data["relative_days"].items():
        (m,) = find_dates(f"Tin cho biết {word}, hội nghị", REF)
        assert m.date == (REF + timedelta(days=days)).isoformat(), word
    for word, years in data["relative_years"].items():
        (m,) = find_dates(f"Trong {word}, hội nghị", REF)
        assert m.date == str(REF.year + years), word
        for blocker in data["relative_blockers"]["words"]:
            assert find_dates(f"{blocker} {word}", REF) == [], (blocker, word)


# --- real articles -------------------------------------------------------------------------------


@pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="shared corpus not available")
def test_seed_000_dates() -> None:
    (path,) = (SHARED / "corpus" / "seeds").glob("000_*.txt")
    text = path.read_text(encoding="utf-8")
    assert parse_dateline(text) == "2020-11-14"
    got = {(m.date, m.end_date) for m in find_dates(text, date(2020, 11, 14))}
    assert {
        ("2020-11-12", "2020-11-15"),
        ("2020-11-14", None),
        ("1977", None),
        ("2009-07", None),
        ("2015-11", None),
    } <= got
    assert all(isinstance(m, DateMention) and text[m.start : m.end].strip() for m in find_dates(text))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 1)), st.integers(1, 12))
def test_a_coming_month_is_never_in_the_past(ref: date, month: int) -> None:
    [mention] = find_dates(f"vào tháng {month} tới", ref)
    assert mention.date >= f"{ref.year:04d}-{ref.month:02d}"
    assert mention.date[5:7] == f"{month:02d}"


def test_a_coming_month_but_not_a_month_range() -> None:
    ref = date(2007, 3, 15)
    assert [m.date for m in find_dates("tổ chức tại Singapore vào tháng 11 tới.", ref)] == ["2007-11"]
    assert [m.date for m in find_dates("ngày 5/1 tới đây", ref)] == ["2008-01-05"]
    assert [m.date for m in find_dates("tháng 11 năm ngoái", ref)] == ["2006-11"]
