"""Cleaning on real articles: furniture out, prose in, metadata found, offsets exact."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quanhe.clean import clean
from quanhe.language.sentences import split_paragraph
from quanhe.model import Article

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = sorted((SHARED / "corpus").glob("*/*.txt"))


def _doc(path: Path):
    return clean(Article(path.stem, path.read_text(encoding="utf-8"), str(path)))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_sentences_point_into_the_text_as_read(path: Path) -> None:
    doc = _doc(path)
    assert doc.sentences, "an article with prose yields sentences"
    for s in doc.sentences:
        assert doc.text[s.start:s.end] == s.text
    for b in doc.boilerplate:
        assert 0 <= b.start < b.end <= len(doc.text)


def test_related_news_and_widgets_are_not_prose() -> None:
    doc = _doc(SHARED / "corpus/seeds/002_7e09f98f85691267.txt")
    prose = " ".join(s.text for s in doc.sentences)
    assert "Tin Liên Quan" not in prose
    assert "Kaysone Phomvihane" not in prose          # a related headline after "Tin Liên Quan"
    assert "Ảnh: BNG" not in prose
    assert "Nguyễn Quốc Dũng" in prose


def test_captions_run_into_prose_are_split_off() -> None:
    doc = _doc(SHARED / "corpus/seeds/001_c71c10d38a6cc395.txt")
    texts = [s.text for s in doc.sentences]
    assert "Ngoại trưởng Hoa Kỳ Anthony Blinken." not in texts
    assert any(t.startswith("Ngoại trưởng Blinken nhấn mạnh") for t in texts)
    assert all("Vũ Khuyên/VOV" not in t for t in texts)   # the byline


def test_title_dateline_and_url_are_metadata() -> None:
    doc = _doc(SHARED / "corpus/seeds/000_51affac14b024f6f.txt")
    assert doc.title and doc.title.startswith("Hội nghị Cấp cao ASEAN-Hoa Kỳ")
    assert doc.published == "2020-11-14"
    dev = _doc(SHARED / "corpus/dev/001.txt")
    assert dev.article.url == "http://vietnamese.cri.cn/421/2017/11/14/1s239185.htm"
    assert dev.published == "2017-11-14" and dev.published_source == "url"


def test_a_date_marker_line_is_not_prose() -> None:
    doc = _doc(SHARED / "corpus/dev/002.txt")
    assert doc.published == "2025-10-26"
    assert not doc.sentences[0].text.startswith("date")


def test_machine_translation_is_flagged() -> None:
    assert _doc(SHARED / "corpus/seeds/004_592eb4b568c1ee0d.txt").machine_translated
    assert not _doc(SHARED / "corpus/seeds/001_c71c10d38a6cc395.txt").machine_translated


words = st.sampled_from(["Hội nghị", "ASEAN-Hoa Kỳ", "6.200", "98.37%", "U.S.", "TP.HCM", "lần thứ 12",
                         "Blinken.Ngoại", "“trích dẫn”", "(TAC)", "ngày 11/10"])


@given(st.lists(st.tuples(words, st.sampled_from([" ", ". ", ", ", "! "])), min_size=1, max_size=20))
def test_sentence_offsets_cover_the_paragraph(parts) -> None:
    text = "".join(w + sep for w, sep in parts)
    spans = list(split_paragraph(text, 0, len(text)))
    last = 0
    for start, end, _ in spans:
        assert last <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        last = end
    # no prose is lost: whatever is not in a sentence is white space
    covered = set()
    for start, end, _ in spans:
        covered.update(range(start, end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


def test_every_credit_pattern_holds_a_credit_word() -> None:
    """clean looks for credit words before running the credit patterns: none may be skipped."""
    import tomllib
    from importlib import resources

    raw = tomllib.loads(resources.files("quanhe.data").joinpath("boilerplate.toml").read_text("utf-8"))
    for pattern in raw["credit_patterns"]:
        assert any(word in pattern for word in raw["credit_words"]), pattern


def test_no_dev_article_is_taken_for_a_machine_translation() -> None:
    flagged = [p.name for p in sorted((SHARED / "corpus/dev").glob("*.txt")) if _doc(p).machine_translated]
    assert flagged == []


def test_a_dateline_with_the_month_in_words() -> None:
    for line, expected in (("November 12, 2022", "2022-11-12"), ("Thứ năm, 22 Tháng mười một 2007", "2007-11-22")):
        text = f"https://example.org/a\n\n{line}\n\nHội nghị Cấp cao ASEAN lần thứ 40 đã diễn ra tại Phnom Penh hôm nay.\n"
        assert clean(Article("t", text, "t")).published == expected, line
