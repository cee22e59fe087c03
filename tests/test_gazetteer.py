"""The data files load, every entry is well formed, and names are found whole."""
from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from quanhe.errors import DataFileError
from quanhe.extract.context import patterns
from quanhe.gazetteer import Gazetteer, default_gazetteer, load_entries

CODES = re.compile(r"^[A-Z]{2}$")


def test_every_alias_loads_and_every_partner_code_is_iso_or_eu() -> None:
    entries = load_entries()
    assert len(entries) > 150
    for e in entries:
        assert e.alias.strip() == e.alias and e.alias
        if e.kind == "partner":
            assert CODES.match(e.code), e
            assert e.partners == (e.code,)
    apt = [e for e in entries if e.kind == "group"]
    assert apt and all(e.partners == ("CN", "JP", "KR") for e in apt)


def test_an_alias_is_never_both_a_partner_and_something_else() -> None:
    seen: dict[str, str] = {}
    for e in load_entries():
        key = e.alias.casefold()
        owner = f"{e.kind}:{e.code}"
        assert seen.setdefault(key, owner) == owner, f"{e.alias!r} is {seen[key]} and {owner}"


def test_longest_whole_word_match_wins() -> None:
    g = default_gazetteer()
    text = "Hội nghị Cấp cao ASEAN-Hoa Kỳ tại Kuala Lumpur; hoa kỳ lạ"
    found = [(text[m.start:m.end], m.code) for m in g.find(text)]
    assert ("Hoa Kỳ", "US") in found and ("ASEAN", "ASEAN") in found
    assert ("Kuala Lumpur", "cities") in found          # a member's city is a place, not the member
    assert ("hoa kỳ", "US") in found                 # case-insensitive aliases match lower case too


def test_cased_aliases_need_their_capital() -> None:
    g = default_gazetteer()
    assert [m.code for m in g.find("Anh và Mỹ")] == ["GB", "US"]
    assert g.find("anh ấy nói về luật pháp và đạo đức") == []


def test_a_malformed_entry_is_a_clear_error() -> None:
    with pytest.raises(DataFileError):
        load_entries({"other": {"x": {"kind": "river", "aliases": ["Mekong"]}}})
    Gazetteer(load_entries({"partner": {"US": {"aliases": ["Hoa Kỳ"]}}}))


def test_pattern_vocabularies_are_well_formed() -> None:
    p = patterns()
    for section in ("meeting", "partnership", "document", "indicator", "person"):
        assert section in p
    for phrase, level in p["partnership"]["levels"]:
        assert phrase == phrase.lower() and re.compile(phrase)
        assert level in {"dialogue_relations", "sectoral_dialogue", "development_partner", "summit_partnership",
                         "enhanced_partnership", "comprehensive_partnership", "strategic_partnership",
                         "comprehensive_strategic_partnership"}
    kinds = {"declaration", "plan_of_action", "agreement", "protocol", "treaty", "vision", "roadmap", "mou", "other"}
    assert {k for _, k in p["document"]["kinds"]} <= kinds
    actions = {"adopted", "signed", "acceded", "ratified", "implemented", "planned", "negotiating"}
    assert {a for _, a in p["document"]["actions"]} <= actions
    mechanisms = {"asean_summit", "asean_partner_summit", "asean_plus_three_summit", "east_asia_summit",
                  "asean_ministers", "asean_partner_ministers", "asean_plus_three_ministers", "eas_ministers", "arf",
                  "economic_ministers", "defence_ministers", "asean_partner_dialogue", "som", "jcc", "other"}
    assert {m for _, m in p["meeting"]["acronyms"]} <= mechanisms
    for level in ("summit", "ministers", "jcc", "dialogue", "arf", "som", "generic"):
        assert p["meeting"][f"{level}_heads"], level
    metrics = {"trade", "export", "import", "fdi", "firms", "tourists", "aid"}
    assert {m for _, m in p["indicator"]["metrics"]} <= metrics
    for name in ("boilerplate.toml", "documents.toml"):
        tomllib.loads(resources.files("quanhe.data").joinpath(name).read_text("utf-8"))


def test_every_vocabulary_in_patterns_is_read_by_the_code() -> None:
    """A vocabulary nobody reads is a silent lie about what the extractor does."""
    from pathlib import Path

    code = "\n".join(p.read_text(encoding="utf-8")
                     for p in (Path(__file__).resolve().parents[1] / "src" / "quanhe").rglob("*.py"))
    unread = [f"{section}.{key}" for section, body in patterns().items() for key in body
              if f'"{key}"' not in code and not (key.endswith("_heads") and 'f"{level}_heads"' in code)]
    assert unread == []


def test_every_vocabulary_phrase_compiles_and_matches_itself() -> None:
    for section, body in patterns().items():
        for key, value in body.items():
            phrases = [v[0] if isinstance(v, list) else v for v in value] if isinstance(value, list) else []
            for phrase in phrases:
                if not isinstance(phrase, str) or "\\" in phrase or "‹" in phrase:
                    continue
                assert re.fullmatch(phrase, phrase), f"{section}.{key}: {phrase!r}"
