"""The read stage, through read_paths and decode, on the shared corpus and on generated files."""
from __future__ import annotations

import io
import json
import os
import tomllib
import unicodedata
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quanhe.errors import InputError
from quanhe.model import Article, Rejected
from quanhe.read import decode, read_paths

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS_TXT = sorted((SHARED / "corpus").glob("*/*.txt"))
SAMPLE = (
    "Hội nghị Cấp cao ASEAN-Hoa Kỳ thảo luận về quan hệ đối tác chiến lược.\n"
    "Ngày 14/11, Thủ tướng Nguyễn Xuân Phúc chủ trì Hội nghị Cấp cao ASEAN lần thứ 37 "
    "theo hình thức trực tuyến, với sự tham dự của lãnh đạo các nước thành viên.\n"
    "Kim ngạch thương mại hai chiều đạt 362 tỷ USD, tăng mạnh so với năm trước.\n"
)
LEGACY = tomllib.loads(
    resources.files("quanhe").joinpath("data/legacy_encodings.toml").read_text("utf-8")
)
TCVN3 = {int(k, 16): v for k, v in LEGACY["tcvn3"]["bytes"].items()}
TONES = "\u0300\u0301\u0303\u0309\u0323"


def read_one(path: str | Path, **kwargs: object) -> Article | Rejected:
    items = list(read_paths([path], **kwargs))  # type: ignore[arg-type]
    assert len(items) == 1, items
    return items[0]


def article(path: str | Path, **kwargs: object) -> Article:
    item = read_one(path, **kwargs)
    assert isinstance(item, Article), item
    return item


def rejected(path: str | Path, **kwargs: object) -> Rejected:
    item = read_one(path, **kwargs)
    assert isinstance(item, Rejected), item
    assert item.stage == "read" and "\n" not in item.reason
    return item


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- encoders for generated samples ------------------------------------------------------------

def to_tcvn3(text: str) -> bytes:
    """TCVN3 has no toned capitals (they lived in a separate font): encode the lower case."""
    inverse = {ch: b for b, ch in TCVN3.items()}
    lower = unicodedata.normalize("NFC", text).lower()
    return bytes(inverse[ch] if ch in inverse else ord(ch) for ch in lower)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Word wrote it: precomposed base letter (â, ơ, ...) plus a combining tone."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        tone = "".join(c for c in decomposed if c in TONES)
        out += (base + tone).encode("cp1258")
    return bytes(out)


VNI_TONE = dict(zip(TONES, "øùõûï", strict=True))           # after a plain vowel, ơ or ư
VNI_CIRC = dict(zip(TONES, "àáãåä", strict=True))           # circumflex + tone in one byte
VNI_BREVE = dict(zip(TONES, "èéüúë", strict=True))          # breve + tone in one byte
VNI_I = dict(zip(TONES, "ìíóæò", strict=True))              # the toned i's are letters of their own


def to_vni(text: str) -> bytes:
    out = []
    for ch in unicodedata.normalize("NFC", text).lower():
        d = unicodedata.normalize("NFD", ch)
        base, marks = d[0], d[1:]
        tone = next((m for m in marks if m in TONES), None)
        if ch == "đ":
            out.append("ñ")
        elif base == "i" and tone:
            out.append(VNI_I[tone])
        elif "\u0302" in marks:
            out.append(base + (VNI_CIRC[tone] if tone else "â"))
        elif "\u0306" in marks:
            out.append(base + (VNI_BREVE[tone] if tone else "ê"))
        elif "\u031b" in marks:
            out.append(("ô" if base == "o" else "ö") + (VNI_TONE[tone] if tone else ""))
        else:
            out.append(base + (VNI_TONE[tone] if tone else ""))
    return "".join(out).encode("cp1252")


# --- the shared corpus -------------------------------------------------------------------------

def test_corpus_is_there() -> None:
    assert len(CORPUS_TXT) >= 40


@pytest.mark.parametrize("path", CORPUS_TXT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_text_is_exactly_read_text(path: Path) -> None:
    art = article(path)
    expected = path.read_text(encoding="utf-8")
    assert art.text == expected  # the scorer's offsets point into read_text
    assert art.id == path.stem and art.source == str(path) and art.fmt == "txt"
    first = expected.split("\n", 1)[0].strip()
    assert art.url == (first if first.startswith(("http://", "https://")) and " " not in first else None)
    assert art.title is None and art.published is None


def test_dev_folder_reads_articles_only_in_order() -> None:
    items = list(read_paths([SHARED / "corpus" / "dev"]))
    assert all(isinstance(i, Article) for i in items)
    ids = [i.id for i in items if isinstance(i, Article)]
    assert ids == sorted(p.stem for p in (SHARED / "corpus" / "dev").glob("*.txt"))
    assert "index" not in ids
    first = items[0]
    assert isinstance(first, Article) and first.url and first.url.startswith("http")


def legacy_encodable(text: str) -> str:
    """The corpus text without what no 8-bit Vietnamese encoding can hold (emoji, CJK, ...)."""
    nfc = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in nfc if ch.isascii() or ch in TCVN3.values() or ch.lower() in TCVN3.values())


@pytest.mark.parametrize("path", CORPUS_TXT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_in_legacy_encodings_reads_back(path: Path) -> None:
    text = legacy_encodable(path.read_text(encoding="utf-8"))
    assert unicodedata.normalize("NFC", decode(to_cp1258(text), "x")) == text
    assert decode(to_tcvn3(text), "x") == text.lower()
    with pytest.raises(InputError, match="VNI"):
        decode(to_vni(text), "x")


# --- folders, paths, batches -------------------------------------------------------------------

def test_folder_walk_skips_other_kinds(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    write(tmp_path, "b.txt", SAMPLE.encode())
    write(tmp_path, "index.tsv", b"001.txt\thttp://x\n")
    write(tmp_path, "meta.json", b'{"text": "x"}')
    write(tmp_path, ".hidden.txt", SAMPLE.encode())
    write(tmp_path / ".git", "c.txt", SAMPLE.encode())
    write(tmp_path / "sub", "a.TXT", SAMPLE.encode())
    write(tmp_path / "sub", "c.htm", b"<html><body></body></html>")
    items = list(read_paths([tmp_path]))
    assert [(type(i).__name__, Path(i.source).name) for i in items] == [
        ("Article", "b.txt"), ("Article", "a.TXT"), ("Rejected", "c.htm")]


def test_missing_path_is_rejected_and_batch_goes_on(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", SAMPLE.encode())
    items = list(read_paths([tmp_path / "nope.txt", good, write(tmp_path, "e.txt", b"")]))
    assert isinstance(items[0], Rejected) and items[0].reason == "no such file or directory"
    assert isinstance(items[1], Article) and items[1].text == SAMPLE
    assert isinstance(items[2], Rejected) and items[2].reason.startswith("empty file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.txt", SAMPLE.encode())
    path.chmod(0)
    assert "permission denied" in rejected(path).reason


def test_explicit_file_with_other_extension_is_sniffed(tmp_path: Path) -> None:
    art = article(write(tmp_path, "note.md", SAMPLE.encode()))
    assert art.fmt == "txt" and art.id == "note"


# --- decoding ----------------------------------------------------------------------------------

def test_utf8_bom_is_kept_and_newlines_translated(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbfhttps://a.vn/x.html\r\nD\xc3\xb2ng 1\rD\xc3\xb2ng 2\r\n")
    art = article(path)
    assert art.text == path.read_text(encoding="utf-8") == "\ufeffhttps://a.vn/x.html\nDòng 1\nDòng 2\n"
    assert art.url == "https://a.vn/x.html"


@pytest.mark.parametrize(("codec", "bom"), [
    ("utf-16", b""), ("utf-32", b""),           # the codec writes its own BOM
    ("utf-16-be", b"\xfe\xff"),               # an explicit BOM
    ("utf-16-le", b""),                        # no BOM: found by its NUL pattern
])
def test_utf16_and_utf32(tmp_path: Path, codec: str, bom: bytes) -> None:
    data = bom + SAMPLE.replace("\n", "\r\n").encode(codec)
    assert article(write(tmp_path, "u.txt", data)).text == SAMPLE


def test_utf16_be_without_bom() -> None:
    assert decode(SAMPLE.encode("utf-16-be"), "x") == SAMPLE


def test_cp1258_keeps_its_combining_tones(tmp_path: Path) -> None:
    text = article(write(tmp_path, "w.txt", to_cp1258(SAMPLE))).text
    assert text == to_cp1258(SAMPLE).decode("cp1258")  # as decoded, not normalized
    assert unicodedata.normalize("NFC", text) == SAMPLE


def test_tcvn3_is_converted(tmp_path: Path) -> None:
    data = to_tcvn3(SAMPLE)
    assert not data.isascii()
    text = article(write(tmp_path, "abc.txt", data)).text
    assert text == unicodedata.normalize("NFC", SAMPLE).lower()


def test_tcvn3_resaved_as_utf8_is_converted() -> None:
    misread = to_tcvn3(SAMPLE).decode("cp1252").encode("utf-8")  # "quan hÖ ®èi t¸c"
    assert decode(misread, "x") == SAMPLE.lower()


def test_vni_is_refused_clearly(tmp_path: Path) -> None:
    data = to_vni(SAMPLE)
    assert to_vni("Việt Nam đối tác") == "vieät nam ñoái taùc".encode("cp1252")
    reason = rejected(write(tmp_path, "vni.txt", data)).reason
    assert reason == "looks like VNI legacy encoding; convert it to UTF-8 (e.g. with UniKey)"


def test_double_encoded_utf8_is_repaired() -> None:
    # the usual accident: UTF-8 bytes shown as Windows-1252 (undefined bytes as Latin-1) and saved
    chars = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]
    mojibake = "".join(chars[b] for b in SAMPLE.encode("utf-8"))
    assert "á»" in mojibake
    assert decode(mojibake.encode("utf-8"), "x") == SAMPLE


def test_lossy_mojibake_is_refused() -> None:
    lossy = SAMPLE.encode("utf-8").decode("cp1252", errors="replace")  # undefined bytes lost
    with pytest.raises(InputError, match="mojibake"):
        decode(lossy.encode("utf-8"), "x")


def test_western_8bit_text_is_left_alone() -> None:
    text = "Le président a visité Genève; Müller für Österreich, déjà là-bas, où ça?\n" * 5
    assert decode(text.encode("cp1252"), "x") == text
    assert decode(text.encode("utf-8"), "x") == text


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
                                  b"abc\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 20])
def test_binary_is_refused(tmp_path: Path, data: bytes) -> None:
    assert rejected(write(tmp_path, "img.txt", data)).reason.startswith("binary file, not text")


@pytest.mark.parametrize("data", [b"", b"  \r\n\t\n", b"\xef\xbb\xbf\n", " \n".encode("utf-16")])
def test_empty_is_refused(tmp_path: Path, data: bytes) -> None:
    assert rejected(write(tmp_path, "e.txt", data)).reason.startswith("empty file")


def test_too_big_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: 25 MB on paper, nothing on disk
        fh.truncate(25_000_000)
    assert rejected(path).reason == (
        "file is 25 MB, over the 20 MB limit (set QUANHE_MAX_BYTES or --max-bytes)")
    small = write(tmp_path, "s.txt", SAMPLE.encode())
    assert "over the 100 bytes limit" in rejected(small, max_bytes=100).reason


def test_decode_raises_input_error_with_source() -> None:
    with pytest.raises(InputError) as info:
        decode(b"\x00\x01\x02\x03binary", "some/file.txt")
    assert info.value.source == "some/file.txt" and info.value.reason.startswith("binary file, not text")


# --- JSONL and HTML ----------------------------------------------------------------------------

def test_jsonl_bad_line_among_good_ones(tmp_path: Path) -> None:
    lines = [
        json.dumps({"url": "https://a.vn/1", "title": "Một", "published": "2020-11-14", "text": "A\r\nB"}),
        "{not json",
        "",
        json.dumps([1, 2]),
        json.dumps({"title": "no text"}),
        json.dumps({"id": "own-id", "text": SAMPLE}, ensure_ascii=False),
        json.dumps({"text": "x", "url": 5}),
    ]
    path = write(tmp_path, "batch.jsonl", "\n".join(lines).encode())
    items = list(read_paths([path]))
    assert [type(i).__name__ for i in items] == ["Article", "Rejected", "Rejected", "Rejected", "Article",
                                                 "Rejected"]
    first, own = items[0], items[4]
    assert isinstance(first, Article) and isinstance(own, Article)
    assert (first.id, first.source, first.fmt, first.text) == ("batch-1", f"{path}:1", "jsonl", "A\r\nB")
    assert (first.url, first.title, first.published) == ("https://a.vn/1", "Một", "2020-11-14")
    assert own.id == "own-id" and own.text == SAMPLE and own.source == f"{path}:6"
    reasons = {i.source.rsplit(":", 1)[1]: i.reason for i in items if isinstance(i, Rejected)}
    assert reasons["2"].startswith("invalid JSON")
    assert "JSON object" in reasons["4"] and "text" in reasons["5"] and "url" in reasons["7"]


HTML = """<html><head><title>Hội nghị ASEAN | Báo X</title>
<link rel="canonical" href="https://example.vn/hoi-nghi.html">
<meta property="article:published_time" content="2020-11-14T10:00:00+07:00"></head>
<body><nav>Trang chủ | Thế giới</nav><article><h1>Hội nghị Cấp cao ASEAN-Hoa Kỳ</h1>
<p>Ngày 14/11, Hội nghị Cấp cao ASEAN lần thứ 37 và các Hội nghị Cấp cao liên quan tiếp tục
ngày làm việc thứ ba theo hình thức trực tuyến.</p>
<p>Thủ tướng Nguyễn Xuân Phúc chủ trì hội nghị với sự tham dự của lãnh đạo các nước ASEAN và Hoa Kỳ.</p>
</article><footer>Bản quyền 2020</footer></body></html>"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    art = article(write(tmp_path, "page.html", HTML.encode()))
    assert art.fmt == "html" and art.id == "page"
    assert "Hội nghị Cấp cao ASEAN lần thứ 37" in art.text and "Bản quyền" not in art.text
    assert art.title == "Hội nghị Cấp cao ASEAN-Hoa Kỳ"
    assert art.published == "2020-11-14" and art.url == "https://example.vn/hoi-nghi.html"


def test_html_without_text_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.htm", b"<html><head><title>x</title></head><body><div></div></body></html>")
    assert rejected(path).reason.startswith("no article text found in the HTML page")


# --- stdin -------------------------------------------------------------------------------------

def test_stdin_txt() -> None:
    art = article("-", stdin=io.BytesIO(("https://a.vn/x\r\n" + SAMPLE).encode()))
    assert (art.source, art.fmt, art.url) == ("<stdin>", "txt", "https://a.vn/x")
    assert art.id.startswith("stdin-")                 # named by its content: two texts never collide
    assert art.text == "https://a.vn/x\n" + SAMPLE


def test_stdin_is_sniffed_as_html_and_jsonl() -> None:
    assert article("-", stdin=io.BytesIO(HTML.encode())).fmt == "html"
    data = (json.dumps({"text": "một"}) + "\n\n" + json.dumps({"text": "hai"}) + "\n").encode()
    items = list(read_paths(["-"], stdin=io.BytesIO(data)))
    rows = [(i.id, i.source) for i in items if isinstance(i, Article)]
    assert [source for _, source in rows] == ["<stdin>:1", "<stdin>:3"]
    assert all(i.startswith("stdin-") for i, _ in rows) and rows[0][0].endswith("-1")


def test_stdin_jsonl_with_a_broken_row_keeps_the_good_rows() -> None:
    data = (json.dumps({"text": "một bài"}) + "\n{broken\n" + json.dumps({"text": "hai bài"}) + "\n").encode()
    items = list(read_paths(["-"], stdin=io.BytesIO(data)))
    assert [type(i).__name__ for i in items] == ["Article", "Rejected", "Article"]
    assert items[1].source == "<stdin>:2"


def test_stdin_over_the_limit() -> None:
    assert "over the 10 bytes limit" in rejected("-", stdin=io.BytesIO(b"x" * 11), max_bytes=10).reason


# --- the legacy tables -------------------------------------------------------------------------

def test_every_tcvn3_entry() -> None:
    # 7 capitals and 7 lower-case letters with vowel marks or đ, 12 vowels x 5 tones
    assert len(TCVN3) == 14 + 12 * 5 and len(set(TCVN3.values())) == len(TCVN3)
    for byte, char in TCVN3.items():
        assert 0xA1 <= byte <= 0xFE and len(char) == 1
        assert unicodedata.normalize("NFC", char) == char
        assert unicodedata.name(char).startswith("LATIN")
        # each entry, inside a word, converts back to its letter
        word = b"ngh" + bytes([byte]) + b" " + to_tcvn3("Việt Nam hội nghị quốc tế đối tác chiến lược")
        assert decode(word, "x").startswith("ngh" + char)


def test_vni_signature_entries() -> None:
    vni = LEGACY["vni"]
    for chars in (vni["marks"], vni["letters"]):
        assert len(set(chars)) == len(chars)
        assert all(ch.encode("cp1252")[0] >= 0x80 for ch in chars)


# --- property: round trips -----------------------------------------------------------------------

TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\r\n\tđươngệỹ"), max_size=200
)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_encoded_text_decodes_back(text: str, codec: str) -> None:
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    if codec == "utf-8-sig":
        expected = "\ufeff" + expected  # read_text keeps the BOM
    data = text.encode(codec)
    if not expected.replace("\ufeff", "").strip():
        with pytest.raises(InputError, match="empty file"):
            decode(data, "x")
    else:
        assert decode(data, "x") == expected
