"""Read stage: files, folders and stdin in; ``Article`` or ``Rejected`` out, one per input.

Offsets downstream point into ``Article.text``, so for a UTF-8 ``.txt`` file the text must be
exactly what ``Path.read_text(encoding="utf-8")`` gives: universal newlines, a BOM kept as
``"\\ufeff"``. Nothing is normalized here (``quanhe.normalize`` builds the canonical view).
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import sys
import tomllib
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import suppress
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO, Literal

import trafilatura

from quanhe.errors import DataFileError, InputError
from quanhe.model import Article, Rejected

Fmt = Literal["txt", "html", "jsonl"]
Item = Article | Rejected

_SUFFIXES: dict[str, Fmt] = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
_URL_LINE = re.compile(r"https?://\S+")
_MB = 1_000_000
_STDIN = "<stdin>"
_MIN_HTML_WORDS = 25          # fewer words than this is a menu or a widget, not an article

# BOMs, longest first: the UTF-32-LE BOM starts with the UTF-16-LE one. The "utf-8" codec
# keeps the BOM as "\ufeff" (as read_text does); the UTF-16/32 codecs drop theirs.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)

VNI_REASON = "looks like VNI legacy encoding; convert it to UTF-8 (e.g. with UniKey)"
MOJIBAKE_REASON = ("looks like UTF-8 that was misread as Windows-1252 and saved again "
                   "(mojibake such as 'Ã' or 'á»'); re-save it from the original as UTF-8")


# ---------------------------------------------------------------------------------------------
# Entry point

def read_paths(
    paths: Sequence[str | Path], *, stdin: BinaryIO | None = None, max_bytes: int = 20_000_000
) -> Iterator[Article | Rejected]:
    """Every input as an Article, or a Rejected saying why not; never raises for a bad input."""
    for raw in paths:
        if str(raw) == "-":
            yield from _guarded(_STDIN, _read_stdin(stdin, max_bytes))
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _read_folder(path, max_bytes)
        else:
            # a file named explicitly is read whatever its extension; unknown kinds are sniffed
            yield from _guarded(str(path), _read_file(path, max_bytes, None))


def _guarded(source: str, items: Iterator[Item]) -> Iterator[Item]:
    """Turn any failure of one input into a Rejected so the batch goes on."""
    try:  # ``items`` is a generator: nothing of it runs before this loop
        yield from items
    except InputError as exc:
        yield Rejected(exc.source, "read", exc.reason)
    except DataFileError:
        raise  # a broken install, not a bad input: every file would fail the same way
    except Exception as exc:  # noqa: BLE001 - a bug on one file must not stop the batch
        yield Rejected(source, "read", f"internal error while reading: {exc!r}")


def _read_folder(folder: Path, max_bytes: int) -> Iterator[Item]:
    errors: list[OSError] = []  # os.walk reports unreadable folders here and walks on
    # sorted names: a stable order whatever the file system returns
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        yield from _folder_errors(errors, folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # .git, editor caches
        for name in sorted(files):
            fmt = _SUFFIXES.get(Path(name).suffix.lower())
            if fmt is None or name.startswith("."):
                continue  # index.tsv, .json, lock files: not articles
            path = Path(root) / name
            yield from _guarded(str(path), _read_file(path, max_bytes, fmt))
    yield from _folder_errors(errors, folder)


def _folder_errors(errors: list[OSError], folder: Path) -> Iterator[Rejected]:
    while errors:
        exc = errors.pop(0)
        yield Rejected(str(exc.filename or folder), "read", _os_reason(exc))


def _read_file(path: Path, max_bytes: int, fmt: Fmt | None) -> Iterator[Item]:
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:  # refuse before reading a byte of it
            raise InputError(source, _too_big(size, max_bytes))
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(source, _os_reason(exc)) from None
    if len(data) > max_bytes:  # a pipe or a file that grew while we looked
        raise InputError(source, _too_big(len(data), max_bytes))
    fmt = fmt or _SUFFIXES.get(path.suffix.lower())
    yield from _parse(decode(data, source), source, path.stem, fmt)


def _read_stdin(stdin: BinaryIO | None, max_bytes: int) -> Iterator[Item]:
    stream = stdin if stdin is not None else sys.stdin.buffer
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(_STDIN, f"input is over the {_size(max_bytes)} limit "
                                 "(set QUANHE_MAX_BYTES or --max-bytes)")
    text = decode(data, _STDIN)
    # no file name to name it by: the content does, so two different texts never share an id
    stem = "stdin-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    yield from _parse(text, _STDIN, stem, None)


def _too_big(size: int, limit: int) -> str:
    return f"file is {_size(size)}, over the {_size(limit)} limit (set QUANHE_MAX_BYTES or --max-bytes)"


def _size(n: int) -> str:
    return f"{n / _MB:g} MB" if n >= _MB else f"{n} bytes"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied; check that the file is readable"
    return f"cannot read: {exc.strerror or exc}"


# ---------------------------------------------------------------------------------------------
# Formats

def _sniff(text: str) -> Fmt:
    head = text.lstrip("\ufeff \t\n")
    if head.startswith("<"):
        return "html"
    lines = [line for line in head.split("\n") if line.strip()]
    # JSON Lines when the first row is a JSON object: a broken later row is then reported, not read as prose
    return "jsonl" if lines and _is_json_object(lines[0]) else "txt"


def _is_json_object(line: str) -> bool:
    if not line.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _parse(text: str, source: str, stem: str, fmt: Fmt | None) -> Iterator[Item]:
    fmt = fmt or _sniff(text)
    if fmt == "html":
        yield _html_article(text, source, stem)
    elif fmt == "jsonl":
        yield from _jsonl_articles(text, source, stem)
    else:
        first = text.split("\n", 1)[0].strip().lstrip("\ufeff")
        url = first if _URL_LINE.fullmatch(first) else None
        yield Article(id=stem, text=text, source=source, fmt="txt", url=url)


def _html_article(html: str, source: str, stem: str) -> Article:
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(text.split()) < _MIN_HTML_WORDS:
        raise InputError(source, "no article text found in the HTML page (only navigation or widgets); "
                                 "save the article's own page, not an index or a section front")
    return Article(id=stem, text=text, source=source, fmt="html", url=getattr(doc, "url", None) or None,
                   title=getattr(doc, "title", None) or None, published=getattr(doc, "date", None) or None)


def _jsonl_articles(text: str, source: str, stem: str) -> Iterator[Item]:
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            yield _jsonl_article(line.lstrip("\ufeff") if lineno == 1 else line, where, f"{stem}-{lineno}")
        except InputError as exc:  # one broken line never costs the others
            yield Rejected(where, "read", exc.reason)


def _jsonl_article(line: str, where: str, default_id: str) -> Article:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(where, f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise InputError(where, f"expected a JSON object with a \"text\" field, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(where, "missing or empty \"text\" field")
    fields: dict[str, str | None] = {}
    for name in ("url", "title", "published", "id"):
        value = obj.get(name)
        if name == "id" and type(value) is int:  # numeric ids are common in exports
            value = str(value)
        if value is not None and not isinstance(value, str):
            raise InputError(where, f"field \"{name}\" must be a string, got {type(value).__name__}")
        fields[name] = (value.strip() or None) if value is not None else None
    return Article(id=fields["id"] or default_id, text=text, source=where, fmt="jsonl",
                   url=fields["url"], title=fields["title"], published=fields["published"])


# ---------------------------------------------------------------------------------------------
# Decoding

def decode(data: bytes, source: str) -> str:
    """Bytes to text with universal newlines; InputError with a one-line reason if it cannot."""
    if not data.strip():
        raise InputError(source, "empty file: nothing to read (check the path, or the export that wrote it)")
    text = _decode_raw(data, source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # what read_text's universal newlines do
    if not text.replace("\ufeff", "").strip():
        raise InputError(source, "empty file: nothing to read (check the path, or the export that wrote it)")
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\f\v") or ch == "\x7f")
    if controls > 0.05 * len(sample):
        raise InputError(source, "binary file, not text: quanhe reads .txt, .html and .jsonl articles")
    return text


def _decode_raw(data: bytes, source: str) -> str:
    # the cascade, cheapest and surest first
    for bom, codec in _BOMS:  # 1. a BOM says it outright
        if data.startswith(bom):
            return _strict(data, codec, source)
    if utf16 := _utf16_without_bom(data):  # 2. UTF-16 shows as NULs in every other byte
        return _strict(data, utf16, source)
    if b"\x00" in data:  # 3. NULs in any other text: an image, archive, PDF, ...
        raise InputError(source, "binary file, not text: quanhe reads .txt, .html and .jsonl articles")
    try:  # 4. UTF-8, the common case (then checked for mojibake)
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_8bit(data, source)  # 5. an 8-bit code page or a legacy Vietnamese font
    return _check_utf8(text, source)


def _strict(data: bytes, codec: str, source: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise InputError(source, f"binary file, not text (not valid {codec.upper()})") from None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0) / len(sample[0::2]), sample[1::2].count(0) / len(sample[1::2])
    if odd > 0.3 and even < 0.02:
        return "utf-16-le"
    if even > 0.3 and odd < 0.02:
        return "utf-16-be"
    return None


def _check_utf8(text: str, source: str) -> str:
    if text.isascii():
        return text
    raw = _to_cp1252_bytes(text)  # None for real Vietnamese: ộ, ư, ... are not Windows-1252
    hits = len(_MOJIBAKE.findall(text))
    if raw is None and hits < 3:
        return text  # the common case: nothing to suspect
    if raw is not None and hits >= 3:
        with suppress(UnicodeDecodeError):  # UTF-8 misread as Windows-1252 and saved again: undo it
            return raw.decode("utf-8")
    tokens, score, _ = _vietnamese_stats(text)
    if tokens >= 3 and hits >= max(3, 0.3 * tokens):  # lossy mojibake cannot be undone: refuse
        raise InputError(source, MOJIBAKE_REASON)
    if tokens >= 5 and score < 0.5 and raw is not None:
        # a legacy-font file that some tool re-saved as UTF-8 byte by byte
        if (converted := _best_vietnamese(raw)) is not None:
            return converted
        if _looks_vni(raw):
            raise InputError(source, VNI_REASON)
    return text


def _decode_8bit(data: bytes, source: str) -> str:
    if (best := _best_vietnamese(data)) is not None:
        return best
    if _looks_vni(data):
        raise InputError(source, VNI_REASON)
    # not Vietnamese in any code page we know: the usual Western default, else a lossless one
    for codec in ("cp1252", "cp1258"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _best_vietnamese(data: bytes) -> str | None:
    """The candidate decoding that reads as Vietnamese, or None when none does convincingly."""
    best, best_score = None, 0.0
    for codec in ("tcvn3", "cp1258"):
        try:  # judge on a sample; decode the whole only for the winner
            tokens, score, density = _vietnamese_stats(_decode_8bit_as(data[:200_000], codec))
        except UnicodeDecodeError:
            continue
        # density: Vietnamese prose has diacritics on most words; German or French has few
        if tokens >= 3 and density >= 0.25 and score >= 0.85 and score > best_score:
            best, best_score = codec, score
    return None if best is None else _decode_8bit_as(data, best)


def _decode_8bit_as(data: bytes, codec: str) -> str:
    # cp1258 gives composed base letters (â, ơ) followed by combining tones
    if codec == "tcvn3":
        return codecs.charmap_decode(data, "strict", _tcvn3_table())[0]
    return data.decode(codec)


# ---------------------------------------------------------------------------------------------
# Legacy encodings (tables in data/legacy_encodings.toml)

@cache
def _legacy() -> dict[str, Any]:
    raw = resources.files("quanhe").joinpath("data/legacy_encodings.toml").read_text("utf-8")
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"data/legacy_encodings.toml: {exc}") from None


@cache
def _cp1252_table() -> str:
    # bytes Windows-1252 leaves undefined are shown as their Latin-1 control characters
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))


@cache
def _tcvn3_table() -> str:
    table = {int(key, 16): value for key, value in _legacy()["tcvn3"]["bytes"].items()}
    return "".join(table.get(b, ch) for b, ch in enumerate(_cp1252_table()))


def _to_cp1252_bytes(text: str) -> bytes | None:
    """The bytes a Windows-1252 reading of ``text`` came from, or None if it cannot have."""
    try:
        return codecs.charmap_encode(text, "strict", _cp1252_encoding())[0]
    except UnicodeEncodeError:
        return None


@cache
def _cp1252_encoding() -> Any:
    return codecs.charmap_build(_cp1252_table())


def _looks_vni(data: bytes) -> bool:
    vni = _legacy()["vni"]
    marks, letters = set(vni["marks"]), set(vni["letters"])
    text = codecs.charmap_decode(data[:200_000], "strict", _cp1252_table())[0]
    vowels = set("aeiouyAEIOUY") | {"ô", "Ô", "ö", "Ö"}
    hits = total = words = 0
    for token in text.split():
        words += any(ch.isalpha() for ch in token)
        if token.isascii():
            continue
        total += 1
        hits += all(ch.isascii() or ch in letters or (ch in marks and i > 0 and token[i - 1] in vowels)
                    for i, ch in enumerate(token))
    return total >= 5 and total >= 0.25 * words and hits >= 0.8 * total


# ---------------------------------------------------------------------------------------------
# Does it read as Vietnamese? A cheap orthography check used only to choose among decodings.

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = "aăâeêioôơuưy"
_LETTERS = frozenset(
    unicodedata.normalize("NFC", v + t) for v in _VOWELS + _VOWELS.upper() for t in ("", *_TONES)
) | {"đ", "Đ"}
_EDGE_PUNCT = "\"'()[]{}.,;:!?“”‘’–—…«»"
# vowel groups of Vietnamese syllables (tones removed); anything else is not Vietnamese
_NUCLEI = frozenset(
    ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "oo", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê", "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu"]
)
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?([aăâeêioôơuưy]+)"
                       r"(ch|ng|nh|[cmnpt])?")
_MOJIBAKE = re.compile(r"á»|áº|Ã[^\sA-Za-z0-9]|Æ°|Ä‘")


def _syllable_ok(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(ch in _TONES for ch in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    m = _SYLLABLE.fullmatch(bare)  # backtracks where it must: "gì" is g + i, "giá" is gi + a
    return m is not None and m.group(2) in _NUCLEI


def _vietnamese_stats(text: str) -> tuple[int, float, float]:
    """(words with non-ASCII letters, share of them that are Vietnamese, their share of all words)."""
    sample = unicodedata.normalize("NFC", text[:200_000])
    words = marked = good = 0
    for token in sample.split():
        if not any(ch.isalpha() for ch in token):
            continue
        words += 1
        token = token.strip(_EDGE_PUNCT)  # quotes and dashes around a word are not part of it
        if token.isascii():
            continue
        marked += 1
        if all(ch.isascii() or ch in _LETTERS or ch in "–—" for ch in token):
            parts = re.findall(r"[^\W\d_]+", token)
            good += all(p.isascii() or _syllable_ok(p) for p in parts)
    if not marked:
        return 0, 1.0, 0.0
    return marked, good / marked, marked / words
