"""Fusion on hand-made mentions: one canonical fact per event, conflicts shown, inferences marked.

Each case is a situation the issue names: ten outlets reporting one summit with different
precision, a wrong ordinal, a rounded figure, a plan adopted after it was announced.
"""
from __future__ import annotations

import itertools
import tomllib
from importlib import resources
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from quanhe import fuse
from quanhe.fuse import Mention

_ids = itertools.count(1)


def mention(article: str, type: str = "meeting", partners: tuple[str, ...] = ("US",),
            date: str | None = None, published: str | None = None, **attributes: Any) -> Mention:
    # the evidence sentence states the date, as most do; a test that needs otherwise says so
    said = attributes.pop("said", f"Câu nói về sự kiện {date or ''}.")
    record: dict[str, Any] = {"type": type, "article": article, "partners": list(partners),
                              "date": date, "evidence": [{"start": 0, "end": len(said), "text": said}],
                              **attributes}
    return Mention(next(_ids), record, published)


def summit(article: str, ordinal: int | None, date: str | None, **more: Any) -> Mention:
    return mention(article, mechanism="asean_partner_summit", ordinal=ordinal, date=date,
                   status="held", **more)


def one(facts: list[fuse.CanonicalFact]) -> fuse.CanonicalFact:
    assert len(facts) == 1, [f.key for f in facts]
    return facts[0]


def test_one_summit_reported_with_different_precision_is_one_fact():
    facts = fuse.fuse([summit("a", 12, "2024-10-11"), summit("b", 12, "2024-10"),
                       summit("c", 12, "2024"), summit("d", None, "2024-10-11")])
    f = one(facts)
    assert f.date == "2024-10-11" and f.attributes["ordinal"] == 12
    assert f.articles == ("a", "b", "c", "d") and not f.conflicts


def test_two_dates_for_one_summit_is_a_conflict_with_both_sources():
    f = one(fuse.fuse([summit("a", 47, "2025-10-20"), summit("b", 47, "2025-10-28"),
                       summit("c", 47, "2025-10-28")]))
    assert f.date == "2025-10-28"            # the date more sources give
    [conflict] = f.conflicts
    assert conflict.field == "date"
    assert dict(conflict.values) == {"2025-10-28": ("b", "c"), "2025-10-20": ("a",)}


def test_the_opening_and_the_last_day_of_one_summit_make_its_range():
    f = one(fuse.fuse([summit("a", 47, "2025-10-26"), summit("b", 47, "2025-10-28")]))
    assert (f.date, f.attributes["end_date"]) == ("2025-10-26", "2025-10-28") and not f.conflicts
    assert [i.field for i in f.inferred] == ["end_date"]


def test_a_tie_goes_to_the_source_with_a_known_publication_date():
    level = {"type": "partnership", "level": "strategic_partnership", "status": "established"}
    f = one(fuse.fuse([mention("a", date="2025", **level),
                       mention("b", date="2003", published="2017-11-14", **level)]))
    assert f.date == "2003" and f.conflicts


def test_dates_inside_a_stated_range_or_a_day_apart_agree():
    f = one(fuse.fuse([summit("a", 37, "2020-11-12", end_date="2020-11-15"),
                       summit("b", 37, "2020-11-14"), summit("c", 37, "2020-11-15")]))
    assert not f.conflicts and f.attributes["end_date"] == "2020-11-15"


def test_a_wrong_ordinal_on_a_later_year_joins_the_series_meeting_it_belongs_to():
    # an annual series: 19th in 2024; an article calls the 2025 meeting "19th" too
    eas = {"mechanism": "east_asia_summit", "partners": ()}
    facts = fuse.fuse([mention("a", ordinal=19, date="2024-10-11", **eas),
                       mention("b", ordinal=19, date="2024-10", **eas),
                       mention("c", ordinal=19, date="2025-10", **eas),
                       mention("d", ordinal=20, date="2025-10-27", **eas)])
    by_ordinal = {f.attributes["ordinal"]: f for f in facts}
    assert set(by_ordinal) == {19, 20}
    assert by_ordinal[19].articles == ("a", "b") and not by_ordinal[19].conflicts
    twentieth = by_ordinal[20]
    assert twentieth.articles == ("c", "d") and twentieth.date == "2025-10-27"
    [conflict] = twentieth.conflicts
    assert conflict.field == "ordinal" and dict(conflict.values) == {20: ("d",), 19: ("c",)}
    assert not twentieth.inferred             # a source states 20


def test_a_wrong_ordinal_alone_gets_the_series_ordinal_marked_inferred():
    eas = {"mechanism": "east_asia_summit", "partners": ()}
    facts = fuse.fuse([mention("a", ordinal=19, date="2024-10-11", **eas),
                       mention("c", ordinal=19, date="2025-10", **eas)])
    later = next(f for f in facts if f.date == "2025-10")
    assert later.attributes["ordinal"] == 20
    assert [i.field for i in later.inferred] == ["ordinal"] and "series" in later.inferred[0].reason
    assert later.conflicts[0].values == ((20, ()), (19, ("c",)))   # 20: the series, no article


def test_two_ordinals_for_one_day_are_one_meeting_with_an_ordinal_conflict():
    f = one(fuse.fuse([summit("a", 20, "2022-11-12"), summit("b", 20, "2022-11-12"),
                       summit("c", 19, "2022-11-12")]))
    assert f.attributes["ordinal"] == 20
    assert f.conflicts[0].field == "ordinal"


def test_an_ordinal_out_of_order_with_its_series_is_flagged():
    facts = fuse.fuse([summit("a", 10, "2022-11-12"), summit("b", 11, "2021-10-26")])
    flagged = [f for f in facts if f.conflicts]
    assert flagged and all(c.field == "ordinal" and "series" in c.note
                           for f in flagged for c in f.conflicts)


def test_an_undated_ordinal_of_an_annual_series_takes_its_year_marked_inferred():
    facts = fuse.fuse([summit("a", 8, "2020-11-14"), summit("b", 10, None)])
    tenth = next(f for f in facts if f.attributes["ordinal"] == 10)
    assert tenth.date == "2022"
    [why] = tenth.inferred
    assert why.field == "date" and "8" in why.reason and "2020" in why.reason


def test_a_mechanism_that_is_not_annual_gets_no_inferred_year():
    facts = fuse.fuse([mention("a", partners=(), mechanism="asean_summit", ordinal=36, date="2020-06"),
                       mention("b", partners=(), mechanism="asean_summit", ordinal=38, date=None)])
    assert next(f for f in facts if f.attributes["ordinal"] == 38).date is None


def test_meetings_without_ordinal_fuse_by_compatible_dates_only():
    facts = fuse.fuse([summit("a", None, "2022-05-13"), summit("b", None, "2022-05"),
                       summit("c", None, "2016-02-15")])
    assert sorted(f.articles for f in facts) == [("a", "b"), ("c",)]


def test_a_rounded_figure_agrees_and_a_different_one_conflicts():
    trade = {"type": "indicator", "metric": "trade", "unit": "USD", "year": 2023, "target": False}
    f = one(fuse.fuse([mention("a", value=395.9e9, **trade), mention("b", value=396e9, **trade)]))
    assert f.attributes["value"] == 395.9e9 and not f.conflicts      # the most precise value
    f = one(fuse.fuse([mention("a", value=395.9e9, **trade), mention("b", value=420.4e9, **trade)]))
    assert f.conflicts[0].field == "value"
    assert {v for v, _ in f.conflicts[0].values} == {395.9e9, 420.4e9}


def test_several_figures_in_one_article_are_not_a_conflict():
    aid = {"type": "indicator", "metric": "aid", "unit": "USD", "year": 2021, "target": False}
    f = one(fuse.fuse([mention("a", value=1e6, **aid), mention("a", value=17e6, **aid)]))
    assert not f.conflicts and len(f.attributes["values"]) == 2


def test_goals_and_actuals_stay_apart():
    trade = {"type": "indicator", "metric": "trade", "unit": "USD", "year": 2030}
    facts = fuse.fuse([mention("a", value=1e12, target=True, **trade),
                       mention("b", value=3e11, target=False, **trade)])
    assert len(facts) == 2


def test_a_level_keeps_the_date_sources_agree_on_and_flags_another_year():
    level = {"type": "partnership", "level": "dialogue_relations", "status": "established"}
    f = one(fuse.fuse([mention("a", date="1977", **level), mention("b", date="1977", **level),
                       mention("c", date="1979", **level)]))
    assert f.date == "1977"
    assert dict(f.conflicts[0].values) == {"1977": ("a", "b"), "1979": ("c",)}


def test_an_undated_current_level_is_reached_by_its_first_source():
    level = {"type": "partnership", "level": "comprehensive_strategic_partnership", "status": "established"}
    f = one(fuse.fuse([mention("a", published="2024-10-11", **level),
                       mention("b", published="2023-09-07", **level)]))
    assert f.date is None and f.attributes["reached_by"] == "2023-09-07"
    assert f.inferred[0].field == "reached_by" and "b" in f.inferred[0].reason


def test_aspirations_are_kept_apart_from_levels_reached():
    level = {"type": "partnership", "level": "comprehensive_strategic_partnership"}
    facts = fuse.fuse([mention("a", status="established", date="2022", **level),
                       mention("b", status="aspired", **level)])
    assert sorted(f.attributes["status"] for f in facts) == ["aspired", "established"]


def test_a_plan_announced_then_adopted_is_one_document_with_its_history():
    plan = {"type": "document", "kind": "plan_of_action", "period": "2021-2025"}
    f = one(fuse.fuse([mention("a", date="2020-11", action="planned", **plan),
                       mention("b", date="2020-11-14", action="adopted",
                               title="Kế hoạch Hành động ASEAN-Hoa Kỳ giai đoạn 2021-2025", **plan),
                       mention("c", date=None, action="implemented", completion=0.9837,
                               published="2024-10-11", **plan)]))
    assert f.attributes["action"] == "implemented" and f.attributes["completion"] == 0.9837
    assert [h["action"] for h in f.attributes["history"]] == ["implemented", "planned", "adopted"]


def test_a_titled_document_joins_the_plan_its_title_names():
    plan = {"type": "document", "kind": "plan_of_action"}
    f = one(fuse.fuse([mention("a", period="2016-2020", action="adopted", **plan),
                       mention("b", title="Kế hoạch hành động giai đoạn 2016-2020", action="implemented",
                               **plan)]))
    assert f.articles == ("a", "b")


def test_persons_fuse_by_name_whatever_the_accents():
    facts = fuse.fuse([mention("a", type="person", partners=(), name="Phạm Minh Chính", role="Thủ tướng"),
                       mention("b", type="person", partners=(), name="Pham Minh Chinh", role="Thủ tướng")])
    assert one(facts).attributes["roles"] == ["Thủ tướng"]


def test_ids_are_stable_and_keys_unique():
    batch = [summit("a", 12, "2024-10-11"), summit("b", None, "2022-05-13"),
             mention("c", type="indicator", metric="trade", value=1.0, year=2020, target=False)]
    first = fuse.fuse(batch)
    again = fuse.fuse(list(reversed(batch)))
    assert sorted(f.id for f in first) == sorted(f.id for f in again)
    assert len({f.key for f in first}) == len(first)
    assert all(f.id == fuse.stable_id(f.type, f.key) for f in first)


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from([None, 11, 12, 13]),
                          st.sampled_from([None, "2023", "2023-09", "2023-09-06", "2024-10-11",
                                           "2024-10", "2025"])), max_size=12))
def test_every_mention_lands_in_exactly_one_fact_and_keys_never_repeat(rows):
    mentions = [summit(a, o, d) for a, o, d in rows]
    facts = fuse.fuse(mentions)
    landed = sorted(m.fact_id for f in facts for m in f.support)
    assert landed == sorted(m.fact_id for m in mentions)
    assert len({f.key for f in facts}) == len(facts)


def test_the_rules_file_speaks_the_record_contract():
    raw = tomllib.loads(resources.files("quanhe.data").joinpath("fusion.toml").read_text("utf-8"))
    rules = fuse.rules()
    assert 0 < rules.value_tolerance < 0.1 and rules.meeting_days >= 0
    mechanisms = {"asean_summit", "asean_partner_summit", "asean_plus_three_summit", "east_asia_summit",
                  "asean_ministers", "asean_partner_ministers", "asean_plus_three_ministers",
                  "eas_ministers", "arf", "economic_ministers", "defence_ministers",
                  "asean_partner_dialogue", "som", "jcc", "other"}
    assert set(raw["meeting"]["annual"]) <= mechanisms
    assert set(rules.levels) == {"dialogue_relations", "sectoral_dialogue", "development_partner",
                                 "summit_partnership", "enhanced_partnership", "comprehensive_partnership",
                                 "strategic_partnership", "comprehensive_strategic_partnership"}
    assert set(rules.actions) == {"adopted", "signed", "acceded", "ratified", "implemented", "planned",
                                  "negotiating"}


def test_a_year_no_sentence_writes_is_marked_as_derived():
    level = {"type": "partnership", "level": "dialogue_relations", "status": "established"}
    f = one(fuse.fuse([mention("a", date="1973", published="2013-09-10",
                               said="Hai bên kỷ niệm 40 năm quan hệ.", **level)]))
    [why] = f.inferred
    assert why.field == "date" and "anniversary" in why.reason and "2013-09-10" in why.reason
    stated = one(fuse.fuse([mention("b", date="1977", said="Quan hệ bắt đầu năm 1977.", **level)]))
    assert not stated.inferred


def test_an_earlier_ordinal_dated_by_its_article_moves_back_along_the_series():
    # "the 22nd summit, in Thailand" named in a report of the 23rd: the article's date fits the
    # 23rd only; an annual series puts the 22nd a year earlier
    apt = {"mechanism": "asean_plus_three_summit", "partners": ("CN", "JP", "KR")}
    facts = fuse.fuse([
        mention("a", ordinal=22, date="2020-11", status="planned", published="2020-11-14",
                said="Hội nghị Cấp cao ASEAN+3 lần thứ 22 diễn ra ở Thái Lan.", **apt),
        mention("a", ordinal=23, date="2020-11-14", status="planned", published="2020-11-14",
                said="Hôm nay diễn ra Hội nghị Cấp cao ASEAN+3 lần thứ 23.", **apt)])
    by_ordinal = {f.attributes["ordinal"]: f for f in facts}
    assert by_ordinal[23].date == "2020-11-14"
    earlier = by_ordinal[22]
    assert earlier.date == "2019" and earlier.attributes["status"] == "held"
    assert {i.field for i in earlier.inferred} == {"date", "status"}
    assert not any(c.field == "ordinal" for f in facts for c in f.conflicts)


def test_a_stated_year_is_never_moved_by_the_series():
    apt = {"mechanism": "asean_plus_three_summit", "partners": ("CN", "JP", "KR")}
    facts = fuse.fuse([mention("a", ordinal=22, date="2020-11", **apt),
                       mention("b", ordinal=23, date="2020-11-14", **apt)])
    assert sorted(f.date for f in facts) == ["2020-11", "2020-11-14"]
    assert all(c.field == "ordinal" and "once a year" in c.note for f in facts for c in f.conflicts)
    assert all(f.conflicts for f in facts)


def test_two_numbered_summits_held_together_stay_two():
    joint = {"mechanism": "asean_summit", "partners": ()}
    facts = fuse.fuse([mention("a", ordinal=40, date="2022-11-11", **joint),
                       mention("a", ordinal=41, date="2022-11-11", **joint),
                       mention("b", ordinal=41, date="2022-11-11", **joint)])
    assert sorted(f.attributes["ordinal"] for f in facts) == [40, 41] and not any(f.conflicts for f in facts)


def test_one_article_naming_two_ordinals_means_two_meetings():
    facts = fuse.fuse([summit("a", 38, "2021-10-26"), summit("a", 39, "2021-10-26")])
    assert len(facts) == 2


def test_a_misnumbered_meeting_without_a_series_keeps_its_date_and_the_dispute():
    asean = {"mechanism": "asean_summit", "partners": ()}
    facts = fuse.fuse([mention("a", ordinal=37, date="2020-11-12", **asean),
                       mention("c", ordinal=37, date="2020-11-12", **asean),
                       mention("b", ordinal=37, date="2021-10-26", **asean)])
    by_date = {f.date: f for f in facts}
    assert set(by_date) == {"2020-11-12", "2021-10-26"}
    assert by_date["2020-11-12"].attributes["ordinal"] == 37
    odd = by_date["2021-10-26"]
    assert odd.attributes["ordinal"] is None and odd.conflicts[0].field == "ordinal"


def test_unnamed_meetings_fuse_by_ordinal_and_date_together():
    other = {"mechanism": "other", "partners": ("JP",)}
    facts = fuse.fuse([mention("a", ordinal=6, date="2013", **other),
                       mention("b", ordinal=6, date=None, **other),
                       mention("c", ordinal=6, date="2013-07", **other)])
    assert sorted(len(f.articles) for f in facts) == [1, 2]


def test_undated_meetings_in_different_places_are_different_meetings():
    facts = fuse.fuse([summit("a", None, None, location="Busan"),
                       summit("b", None, None, location="Jakarta"),
                       summit("c", None, None, location="Busan")])
    assert sorted(f.articles for f in facts) == [("a", "c"), ("b",)]


def test_a_special_summit_does_not_join_the_numbered_one_of_its_year():
    facts = fuse.fuse([summit("a", 10, "2022-11-12"), summit("b", None, "2022", special=True)])
    assert len(facts) == 2
    assert not next(f for f in facts if f.attributes["ordinal"] == 10).attributes["special"]


def test_two_joint_statements_of_different_years_are_two_documents():
    statement = {"type": "document", "kind": "declaration", "title": "Tuyên bố chung", "action": "adopted"}
    assert len(fuse.fuse([mention("a", date="2019", **statement), mention("b", date="2023", **statement)])) == 2


def test_a_plan_to_2020_does_not_swallow_the_2020_2025_one():
    plan = {"type": "document", "kind": "plan_of_action", "action": "adopted"}
    facts = fuse.fuse([mention("a", period="2020", **plan),
                       mention("b", title="Kế hoạch hành động giai đoạn 2020-2025", **plan)])
    assert len(facts) == 2


def test_figures_in_two_currencies_are_two_figures():
    trade = {"type": "indicator", "metric": "trade", "year": 2024, "target": False}
    facts = fuse.fuse([mention("a", value=4.5e12, unit="CNY", **trade), mention("b", value=7.8e11, unit="USD", **trade)])
    assert sorted(f.attributes["unit"] for f in facts) == ["CNY", "USD"] and not any(f.conflicts for f in facts)


def test_names_that_differ_only_by_accents_are_two_people_unless_one_has_none():
    person = {"type": "person", "partners": ()}
    two = fuse.fuse([mention("a", name="Nguyễn Văn Thành", **person), mention("b", name="Nguyễn Văn Thanh", **person)])
    assert len(two) == 2 and len({f.id for f in two}) == 2
    one_ = fuse.fuse([mention("a", name="Nguyen Van Thanh", **person), mention("b", name="Nguyễn Văn Thành", **person)])
    assert len(one_) == 1 and one_[0].attributes["name"] == "Nguyễn Văn Thành"


def test_an_undated_meeting_joins_the_one_dated_meeting_in_its_place():
    facts = fuse.fuse([summit("a", None, "2019-11", location="Busan", special=True),
                       summit("b", None, None, location="Busan", special=True),
                       summit("c", None, "2022-05-13", location="Washington", special=True)])
    assert sorted(f.articles for f in facts) == [("a", "b"), ("c",)]


def test_a_code_named_by_its_acronym_is_one_document_and_a_protocol_amending_it_another():
    doc = {"type": "document", "partners": ("CN",), "action": "implemented"}
    facts = fuse.fuse([mention("a", kind="declaration", title="Tuyên bố DOC", **doc),
                       mention("b", kind="declaration", title="Tuyên bố về ứng xử của các bên (gọi tắt là DOC)", **doc),
                       mention("c", kind="protocol", title="Nghị định thư nâng cấp Hiệp định (ACFTA)", **doc),
                       mention("d", kind="protocol", title="Nghị định thư sửa đổi (ACFTA)", **doc)])
    assert sorted(f.articles for f in facts) == [("a", "b"), ("c",), ("d",)]


def test_an_undated_generic_title_is_keyed_as_undated():
    statement = {"type": "document", "kind": "declaration", "title": "Tuyên bố chung", "action": "adopted"}
    [f] = fuse.fuse([mention("a", **statement)])
    assert f.key.endswith("|year=undated")
