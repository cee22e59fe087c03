"""The partner dossier on the shared corpus: every date and figure cited, every citation quoting
the stored text, the HTML self-contained and escaped, and the command that writes it."""
from __future__ import annotations

import base64
import dataclasses
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from quanhe import dossier, kb
from quanhe.errors import NotFoundError, UsageError
from quanhe.language import find_amounts, find_dates
from quanhe.store import Store, open_store

PARTNERS = ("US", "CN", "JP", "KR")
TODAY = "2025-12-31"   # a fixed "today": the current level and overdue plans do not drift
MARK = re.compile(r"\[(\d+)\]")
DATE = re.compile(r"(?<!\d)(?:19|20)\d\d(?:-\d\d(?:-\d\d)?)?(?!\d)")
DATA_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
BODY_SECTIONS = ("level", "meetings", "documents", "figures", "conflicts")
VOID = {"meta", "br", "img", "hr", "input", "link", "source", "wbr", "col", "area", "base"}


@pytest.fixture(scope="module")
def briefs(shared_kb_path: Path) -> dict[tuple[str, str], dossier.Dossier]:
    """The four partners' dossiers in both languages, built once."""
    with open_store(shared_kb_path, create=False) as store:
        return {(code, lang): dossier.build(store, code, lang=lang, today=TODAY)
                for code in PARTNERS for lang in ("vi", "en")}


# -- reading the rendered text back ---------------------------------------------------------------

def md_parts(text: str) -> tuple[list[str], list[str]]:
    """The body lines (sections 2-6) and the citation lines of a Markdown dossier."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("## "))
    last = max(i for i, line in enumerate(lines) if line.startswith("## "))
    return lines[first:last], lines[last + 1:]


class Page(HTMLParser):
    """Checks nesting and collects, per body section, the text of each row (tr, li, p), the
    citation list, and any tag or attribute that would load something from the network."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.section = ""
        self.svg_depth = 0
        self.rows: list[tuple[str, str]] = []
        self.open_rows: list[list[str]] = []
        self.citation_ids: list[int] = []
        self.quotes: list[str] = []
        self.in_quote = False
        self.loads: list[str] = []
        self.svgs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_loads(tag, attrs)
        if tag in VOID:
            return
        self.stack.append(tag)
        values = dict(attrs)
        if tag == "section":
            self.section = values.get("id") or ""
        if tag == "svg":
            self.svg_depth += 1
            self.svgs += 1
        if tag in ("tr", "li", "p") and not self.svg_depth:
            self.open_rows.append([])
        if tag == "li" and (values.get("id") or "").startswith("c"):
            self.citation_ids.append(int(str(values["id"])[1:]))
        if tag == "q":
            self.in_quote = True
            self.quotes.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_loads(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "svg":
            self.svg_depth -= 1
        if tag in ("tr", "li", "p") and not self.svg_depth and self.open_rows:
            self.rows.append((self.section, "".join(self.open_rows.pop())))
        if tag == "section":
            self.section = ""
        if tag == "q":
            self.in_quote = False

    def handle_data(self, data: str) -> None:
        if self.open_rows and not self.svg_depth:
            self.open_rows[-1].append(data)
        if self.in_quote:
            self.quotes[-1] += data

    def _check_loads(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.loads.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "data") and re.match(r"\s*(https?:)?//", value or "") \
                    and tag != "a":
                self.loads.append(f"<{tag} {name}={value}>")


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


# -- citations -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", PARTNERS)
def test_every_citation_quotes_the_stored_text_once(briefs, shared_kb: Store, code: str) -> None:
    brief = briefs[code, "vi"]
    assert brief.citations, f"{code}: a dossier with nothing cited"
    assert [c.number for c in brief.citations] == list(range(1, len(brief.citations) + 1))
    keys = [(c.article, c.start, c.end) for c in brief.citations]
    assert len(keys) == len(set(keys)), "a sentence cited twice under two numbers"
    for c in brief.citations:
        text = shared_kb.article_text(c.article)
        assert text is not None and text[c.start:c.end] == c.text, (code, c.number)


@pytest.mark.parametrize("code", PARTNERS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_markdown_markers_resolve_and_every_date_and_number_is_cited(briefs, code: str, lang: str) -> None:
    brief = briefs[code, lang]
    body, tail = md_parts(dossier.render(brief, "md"))
    listed = [int(m[1]) for line in tail if (m := re.match(r"\[(\d+)\] ", line))]
    assert listed == [c.number for c in brief.citations]
    used: set[int] = set()
    for line in body:
        if line.startswith("!["):          # a chart: its data is in the table above it
            assert DATA_URI.search(line)
            continue
        marks = {int(n) for n in MARK.findall(line)}
        used |= marks
        # any digit at all: a date, a figure, an ordinal, a period, a completion rate
        if re.search(r"\d", line):
            assert marks, f"{code}/{lang}: uncited line {line!r}"
    assert used <= set(listed)
    assert used == set(listed), "a citation listed but never used"


@pytest.mark.parametrize("code", PARTNERS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_html_is_well_formed_self_contained_and_cited(briefs, code: str, lang: str) -> None:
    brief = briefs[code, lang]
    page = parse(dossier.render(brief, "html"))
    assert not page.errors and not page.stack, page.errors[:3]
    assert not page.loads, page.loads
    assert page.citation_ids == [c.number for c in brief.citations]
    assert page.quotes == [c.text for c in brief.citations]   # quoted whole, unescaped back
    body = [(section, text) for section, text in page.rows if section in BODY_SECTIONS]
    assert {s for s, _ in body} == set(BODY_SECTIONS)
    for section, text in body:
        marks = {int(n) for n in MARK.findall(text)}
        assert marks <= set(page.citation_ids), (section, text)
        if DATE.search(text) or re.search(r"\d", text):
            assert marks, f"{code}/{lang} {section}: uncited row {text!r}"


def test_figure_values_cite_a_sentence_that_states_them(briefs, shared_kb: Store) -> None:
    checked = 0
    for (code, lang), brief in briefs.items():
        by_number = {c.number: c for c in brief.citations}
        for table in brief.figures:
            for row in table.actuals + table.targets:
                fact = kb.fact(shared_kb, row.fact)
                value = float(fact["value"])
                quoted = [by_number[n].text for n in row.cells[1].refs]
                assert any(abs(a.value - value) <= 0.01 * value for text in quoted
                           for a in find_amounts(text)), (code, row)
                checked += 1
    assert checked >= 10


def test_dates_cite_a_sentence_that_states_them_or_say_they_are_inferred(briefs, shared_kb: Store) -> None:
    """A date comes from a sentence ("tháng 11/2015"), or from a day without a year and the
    article's publication date (the citation gives both); a date no source states whole is
    marked as inferred."""
    for code in PARTNERS:
        brief = briefs[code, "vi"]
        words = dossier.words("vi")
        by_number = {c.number: c for c in brief.citations}
        for row in brief.held + brief.planned:
            fact = kb.fact(shared_kb, row.fact)
            if not fact.get("date"):
                continue
            year = fact["date"][:4]
            cited = [by_number[n] for n in row.refs]
            stated = any(m.date.startswith(year) and m.year_stated
                         for c in cited for m in find_dates(c.text))
            published = any((c.published or "").startswith(year) for c in cited)
            assert stated or published or words["inferred"] in row.notes, (code, row)


# -- content ------------------------------------------------------------------------------------------

def test_the_us_dossier_reads_as_a_brief(briefs) -> None:
    brief = briefs["US", "vi"]
    assert brief.partner == "US" and brief.partner_name == "Hoa Kỳ"
    assert brief.level.current is not None and brief.level.current.text == "Đối tác chiến lược"
    assert brief.level.outranked, "the undated comprehensive strategic partnership must be flagged"
    assert [r.cells[0].text for r in brief.level.milestones] == ["1977", "2005", "tháng 11/2015"]
    held = [r.cells[0].text for r in brief.held]
    assert held[0] == "11/10/2024" and "tháng 11/2015" in held
    assert brief.held.index(next(r for r in brief.held if r.cells[0].text == "tháng 11/2015")) > 0
    trade = next(t for t in brief.figures if t.metric == "trade")
    assert [r.cells[1].text for r in trade.actuals] == ["216 tỷ", "420,4 tỷ", "395,9 tỷ"]
    assert trade.chart_svg is not None and trade.chart_svg.startswith("<svg")
    assert any(r.cells[4].text == "98,37 %" for r in brief.documents)
    assert [(c.field, [v.text for v in c.claims]) for c in brief.conflicts] == [("ngày", ["1977", "1979"])]
    text = dossier.render(brief, "md")
    assert text.startswith("# ASEAN–Hoa Kỳ\n")
    for heading in ("Cấp độ quan hệ hiện nay", "Các hội nghị", "Văn kiện", "Số liệu",
                    "Mâu thuẫn giữa các nguồn", "Nguồn trích dẫn"):
        assert f"## {heading}" in text


def test_charts_are_inline_svg_in_html_and_data_uris_in_markdown(briefs) -> None:
    brief = briefs["US", "vi"]
    charted = [t for t in brief.figures if t.chart_svg]
    assert charted
    html = dossier.render(brief, "html")
    assert parse(html).svgs == len(charted)
    uris = DATA_URI.findall(dossier.render(brief, "md"))
    assert len(uris) == len(charted)
    for uri in uris:
        root = ET.fromstring(base64.b64decode(uri))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_targets_are_kept_apart_from_actual_figures(briefs, shared_kb: Store) -> None:
    tables = [t for (code, lang), b in briefs.items() if lang == "vi" for t in b.figures]
    assert any(t.targets for t in tables), "the corpus has goals (ASEAN-China trade to 2020)"
    for table in tables:
        assert all(not kb.fact(shared_kb, r.fact)["target"] for r in table.actuals)
        assert all(kb.fact(shared_kb, r.fact)["target"] for r in table.targets)


def test_english_headings_and_names(briefs) -> None:
    text = dossier.render(briefs["KR", "en"], "md")
    assert text.startswith("# ASEAN–Republic of Korea\n")
    for heading in ("Current level of relations", "Meetings", "Documents and plans", "Figures",
                    "Conflicts between sources", "Citations"):
        assert f"## {heading}" in text
    assert "Cấp độ quan hệ" not in text and "Nguồn trích dẫn" not in text
    html = dossier.render(briefs["KR", "en"], "html")
    assert '<html lang="en">' in html and "<h2>Citations</h2>" in html


def test_since_leaves_out_older_events(shared_kb: Store) -> None:
    full = dossier.build(shared_kb, "US", today=TODAY)
    recent = dossier.build(shared_kb, "US", since="2020", today=TODAY)
    dates = {r.fact: kb.fact(shared_kb, r.fact).get("date") for r in full.held + full.planned}
    older = {fid for fid, d in dates.items() if not d or d < "2020"}
    assert older, "the US corpus has meetings before 2020"
    shown = {r.fact for r in recent.held + recent.planned}
    assert shown and not shown & older
    assert all(kb.fact(shared_kb, r.fact)["year"] >= 2020 for t in recent.figures
               for r in t.actuals + t.targets)
    assert recent.level.current == full.level.current   # today's level whatever the period
    assert not recent.level.milestones                   # 1977, 2005 and 2015 are before it
    assert recent.level.outranked                        # the undated level is still flagged
    assert "2020" in dossier.render(recent, "md").split("##")[0]


def test_unknown_partner_is_an_error_that_names_the_known_ones(shared_kb: Store) -> None:
    with pytest.raises(NotFoundError, match="US"):   # a partner the store has nothing on
        dossier.build(shared_kb, "BR")
    with pytest.raises(UsageError, match="not a partner code"):
        dossier.build(shared_kb, "ZZ")
    with pytest.raises(UsageError):
        dossier.build(shared_kb, "  ")
    with pytest.raises(UsageError):
        dossier.build(shared_kb, "US", since="2020-13")
    with pytest.raises(UsageError):
        dossier.build(shared_kb, "US", lang="fr")
    with pytest.raises(UsageError):
        dossier.render(dossier.build(shared_kb, "US", today=TODAY), "pdf")


def test_untrusted_text_is_escaped(briefs) -> None:
    brief = briefs["US", "vi"]
    evil = "<script>alert(1)</script> [99] | *x* <img src=http://e.example/x>"
    first = dataclasses.replace(brief.citations[0], text=evil, url="javascript:alert(1)", title=evil)
    hostile = dataclasses.replace(brief, citations=(first,) + brief.citations[1:])
    html = dossier.render(hostile, "html")
    assert "<script" not in html and "javascript:" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    md = dossier.render(hostile, "md")
    assert "<script" not in md and "javascript:" not in md and "[99]" not in md


def test_building_twice_renders_the_same_text(shared_kb: Store) -> None:
    one, two = (dossier.build(shared_kb, "CN", today=TODAY) for _ in range(2))
    assert dossier.render(one, "html") == dossier.render(two, "html")


# -- the command -----------------------------------------------------------------------------------------

def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "quanhe", *args], check=False, capture_output=True, text=True,
                          timeout=120)


def test_cli_writes_the_markdown_dossier(shared_kb_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "us.md"
    done = run("--db", str(shared_kb_path), "dossier", "US", "--since", "2015", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_text("utf-8").startswith("# ASEAN–Hoa Kỳ")


def test_cli_writes_the_html_dossier(shared_kb_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "us.html"
    done = run("--db", str(shared_kb_path), "dossier", "US", "--format", "html", "--lang", "en",
               "--output", str(out))
    assert done.returncode == 0, done.stderr
    page = parse(out.read_text("utf-8"))
    assert not page.errors and not page.loads and page.svgs >= 1


def test_cli_unknown_partner_exits_with_a_message(shared_kb_path: Path) -> None:
    done = run("--db", str(shared_kb_path), "dossier", "BR")
    assert done.returncode == NotFoundError.exit_code
    assert "BR" in done.stderr and "US" in done.stderr


def test_a_past_plan_is_flagged_and_a_plan_reported_held_is_held(briefs) -> None:
    overdue = dossier.words("vi")["overdue"]
    # the Busan special summit, planned in one article and reported held in another, is one
    # meeting now: held, and not among the plans
    assert "Busan" not in {r.cells[2].text for r in briefs["KR", "vi"].planned}
    assert "Busan" in {r.cells[2].text for r in briefs["KR", "vi"].held}
    us = next(r for r in briefs["US", "vi"].planned if r.cells[0].text == "14/11/2020")
    assert overdue in us.notes


@pytest.mark.parametrize("code", ["US", "KR", "AU"])
def test_a_dossier_made_today_names_the_level_the_as_of_query_names(shared_kb: Store, code: str) -> None:
    brief = dossier.build(shared_kb, code, lang="en")
    answer = kb.level_as_of(shared_kb, code)
    assert brief.level.current is not None and answer.level is not None
    assert brief.level.current.text == kb.word(answer.level, "en")
    assert all(c.text != brief.level.current.text for c in brief.level.undated)
