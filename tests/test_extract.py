"""Extraction through the public pipeline, on real articles from ../shared."""
from __future__ import annotations

from pathlib import Path

from quanhe.model import Article
from quanhe.pipeline import process

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _records(rel: str) -> list[dict]:
    path = SHARED / "corpus" / rel
    return process(Article(path.stem, path.read_text(encoding="utf-8"), str(path))).records()


def _facts(records: list[dict], kind: str) -> list[dict]:
    return [r for r in records if r["type"] == kind]


def test_a_summit_series_with_ordinals_dates_and_online_flag() -> None:
    meetings = _facts(_records("seeds/000_51affac14b024f6f.txt"), "meeting")
    by_key = {(m["mechanism"], tuple(m["partners"]), m["ordinal"]): m for m in meetings}
    assert ("asean_partner_summit", ("US",), 8) in by_key          # "lần thứ tám"
    assert ("asean_plus_three_summit", ("CN", "JP", "KR"), 23) in by_key
    assert ("east_asia_summit", (), 15) in by_key
    us3 = by_key[("asean_partner_summit", ("US",), 3)]
    assert us3["date"] == "2015-11" and us3["location"] == "Kuala Lumpur"
    asean37 = by_key[("asean_summit", (), 37)]
    assert asean37["online"] is True
    # "... và các Hội nghị cấp cao liên quan được tổ chức bằng hình thức trực tuyến": the series is online
    assert by_key[("asean_partner_summit", ("US",), 8)]["online"] is True
    assert us3["online"] is None                       # 2015, another series
    assert asean37["date_source"] == "text"


def test_each_fact_is_emitted_once_with_every_sentence_that_states_it() -> None:
    meetings = _facts(_records("seeds/001_c71c10d38a6cc395.txt"), "meeting")
    twelfth = [m for m in meetings if m["ordinal"] == 12]
    assert len(twelfth) == 1
    assert len(twelfth[0]["evidence"]) >= 2


def test_milestones_with_their_years() -> None:
    partnerships = _facts(_records("dev/007.txt"), "partnership")
    dated = {(p["level"], p["date"]) for p in partnerships if p["status"] == "established"}
    assert {("dialogue_relations", "1974"), ("strategic_partnership", "2014"),
            ("comprehensive_strategic_partnership", "2021")} <= dated


def test_an_anniversary_is_counted_back_from_the_stated_year() -> None:
    partnerships = _facts(_records("dev/006.txt"), "partnership")
    assert any(p["partners"] == ["EU"] and p["level"] == "dialogue_relations" and p["date"] == "1977"
               for p in partnerships)


def test_figures_in_base_units_with_year_and_target() -> None:
    indicators = _facts(_records("seeds/003_37f7f07d160a76fd.txt"), "indicator")
    found = {(i["metric"], i["value"], i["year"], i["target"]) for i in indicators}
    assert ("trade", 1e12, 2020, True) in found
    assert ("tourists", 3e7, 2020, True) in found
    seed1 = {(i["metric"], i["value"]) for i in _facts(_records("seeds/001_c71c10d38a6cc395.txt"), "indicator")}
    assert {("fdi", 74.3e9), ("trade", 395.9e9), ("firms", 6200)} <= seed1


def test_documents_with_period_action_and_completion() -> None:
    documents = _facts(_records("seeds/001_c71c10d38a6cc395.txt"), "document")
    plan = next(d for d in documents if d["kind"] == "plan_of_action")
    assert plan["period"] == "2021-2025" and abs(plan["completion"] - 0.9837) < 1e-9
    declaration = next(d for d in documents if d["kind"] == "declaration")
    assert declaration["action"] == "adopted" and declaration["partners"] == ["US"]


def test_persons_from_prose_only() -> None:
    records = _records("dev/019.txt")
    names = {p["name"] for p in _facts(records, "person")}
    assert "Thongloun Sisoulith" in names and "Nguyễn Xuân Phúc" in names
    assert "Trần Bá Phúc" not in names                 # named only in photo captions
    assert "Nguyễn Xuân" not in names                  # a cut-off repeat of a longer name


def test_related_news_yields_nothing() -> None:
    records = _records("seeds/002_7e09f98f85691267.txt")
    names = {p["name"] for p in _facts(records, "person")}
    assert "Lê Hoài Trung" not in names and "Sihasak Phuangketkeow" not in names


def test_bilateral_relations_are_not_asean_milestones() -> None:
    partnerships = _facts(_records("dev/010.txt"), "partnership")
    assert not any(p["level"] == "comprehensive_partnership" for p in partnerships)


def _text_records(text: str, published: str | None = None) -> list[dict]:
    return process(Article("t", text, "<test>", published=published)).records()


def test_acronyms_and_joined_ordinals_name_meetings() -> None:
    records = _text_records("Tại ASEAN-43, các nhà lãnh đạo thảo luận. Hội nghị Bộ trưởng Quốc phòng ASEAN "
                            "(ADMM-17) diễn ra ngày 15/11/2023. Hội nghị Cấp cao ASEAN lần thứ 40 và 41 "
                            "diễn ra tại Phnom Penh tháng 11/2022.", published="2023-11-20")
    found = {(m["mechanism"], m["ordinal"]) for m in _facts(records, "meeting")}
    assert {("asean_summit", 43), ("defence_ministers", 17), ("asean_summit", 40), ("asean_summit", 41)} <= found


def test_bilateral_meetings_and_member_figures_are_not_asean_facts() -> None:
    records = _text_records("Ngày 10/9/2023, Thủ tướng Phạm Minh Chính hội đàm với Tổng thống Hoa Kỳ Joe Biden "
                            "tại Hà Nội; hai nước nâng quan hệ Việt Nam - Hoa Kỳ lên Đối tác Chiến lược Toàn diện. "
                            "Năm 2022, thương mại Việt Nam - Hoa Kỳ đạt 123 tỷ USD.")
    assert not _facts(records, "meeting")
    assert not _facts(records, "indicator")
    assert not [p for p in _facts(records, "partnership") if p["status"] == "established"]
    assert {p["name"] for p in _facts(records, "person")} == {"Phạm Minh Chính", "Joe Biden"}


def test_nfd_input_gives_the_same_facts_with_offsets_into_the_nfd_text() -> None:
    import unicodedata

    path = SHARED / "corpus/seeds/000_51affac14b024f6f.txt"
    text = path.read_text(encoding="utf-8")
    nfd = unicodedata.normalize("NFD", text)
    nfc_records = process(Article(path.stem, text, str(path))).records()
    nfd_records = process(Article(path.stem, nfd, str(path))).records()

    def comparable(records: list[dict]) -> list[str]:
        return [unicodedata.normalize("NFC", str({k: v for k, v in r.items()
                                                   if k not in ("evidence", "boilerplate", "key")}))
                for r in records]

    assert comparable(nfc_records) == comparable(nfd_records)
    for record in nfd_records[1:]:
        for span in record["evidence"]:
            assert nfd[span["start"]:span["end"]] == span["text"]


def test_a_lone_carriage_return_separates_lines() -> None:
    records = _text_records("Hội nghị Cấp cao ASEAN lần thứ 37 diễn ra trực tuyến.\rThủ tướng Phạm Minh Chính dự.")
    assert {m["ordinal"] for m in _facts(records, "meeting")} == {37}
    assert {p["name"] for p in _facts(records, "person")} == {"Phạm Minh Chính"}


def test_a_container_date_with_a_time_or_in_another_form_is_read() -> None:
    for published, expected in (("2023-09-06T10:00:00+07:00", "2023-09-06"), ("14/11/2020", "2020-11-14"),
                                ("2020-13-45", None), ("not a date", None)):
        record = process(Article("t", "Ngày 6/9, Hội nghị Cấp cao ASEAN-Hoa Kỳ lần thứ 11 diễn ra.", "<test>",
                                 published=published)).records()[0]
        assert record["published"] == expected, published


def test_two_figures_for_two_partners_in_one_sentence() -> None:
    records = _text_records("Năm 2023, thương mại hai chiều ASEAN - Trung Quốc đạt 911 tỷ USD, "
                            "còn thương mại ASEAN - Nhật Bản đạt 268 tỷ USD.")
    found = {(tuple(i["partners"]), i["value"]) for i in _facts(records, "indicator")}
    assert found == {(("CN",), 911e9), (("JP",), 268e9)}


def test_a_list_of_partner_summits_named_once() -> None:
    records = _text_records("Ngày 12/11/2020, lãnh đạo ASEAN dự Hội nghị Cấp cao ASEAN - Trung Quốc lần thứ 23, "
                            "ASEAN - Nhật Bản lần thứ 23, ASEAN - Hàn Quốc lần thứ 21 và ASEAN - Ấn Độ lần thứ 17.")
    found = {(tuple(m["partners"]), m["ordinal"], m["date"]) for m in _facts(records, "meeting")}
    assert found == {(("CN",), 23, "2020-11-12"), (("JP",), 23, "2020-11-12"), (("KR",), 21, "2020-11-12"),
                     (("IN",), 17, "2020-11-12")}


def test_levels_named_after_a_place_or_a_bilateral_pair() -> None:
    records = _text_records("Các nhà lãnh đạo hài lòng với quan hệ Đối tác chiến lược toàn diện ASEAN-Hoa Kỳ, được "
                            "thiết lập tại Phnom Penh tháng 11/2022, trên cơ sở quan hệ đối thoại được thiết lập từ "
                            "năm 1977. Việt Nam và Anh hiện có quan hệ Đối tác chiến lược từ năm 2010.",
                            published="2024-10-10")
    found = {(tuple(p["partners"]), p["level"], p["date"]) for p in _facts(records, "partnership")
             if p["status"] == "established"}
    assert found == {(("US",), "comprehensive_strategic_partnership", "2022-11"),
                     (("US",), "dialogue_relations", "1977")}


def test_an_anniversary_counts_from_the_year_it_is_celebrated_in() -> None:
    records = _text_records("Hội nghị Cấp cao kỷ niệm 50 năm quan hệ ASEAN-Nhật Bản diễn ra ở Tokyo tháng 12/2023.",
                            published="2024-10-10")
    assert {(p["level"], p["date"]) for p in _facts(records, "partnership")} == {("dialogue_relations", "1973")}


def test_a_treaty_acronym_must_be_written_in_capitals() -> None:
    """"đối tác" folds to "doi tac": it must not read as the TAC treaty."""
    records = _text_records("Các quan chức thảo luận dự thảo Tuyên bố của các nhà lãnh đạo ASEAN về Cộng đồng ASEAN "
                            "và quan hệ đối tác toàn diện ASEAN-EU.", published="2011-07-18")
    documents = _facts(records, "document")
    assert documents and all(d["partners"] == [] for d in documents)


def test_a_capitalised_title_and_a_country_inside_another_name() -> None:
    records = _text_records("Tổng Thống Joe Biden gặp Bộ trưởng Thương mại Trung Quốc Vương Văn Đào tại hội nghị.")
    assert {p["name"] for p in _facts(records, "person")} == {"Joe Biden", "Vương Văn Đào"}


def test_each_country_acceding_to_a_treaty_is_its_own_fact() -> None:
    records = _text_records("Năm 2003, Trung Quốc và Ấn Độ đã ký văn kiện gia nhập Hiệp ước Thân thiện và "
                            "Hợp tác ở Đông Nam Á (TAC).", published="2023-07-10")
    acceded = {tuple(d["partners"]) for d in _facts(records, "document") if d["action"] == "acceded"}
    assert acceded == {("CN",), ("IN",)}


def test_two_named_agreements_of_one_year_stay_two() -> None:
    records = _text_records("Năm 2009, ASEAN và Hàn Quốc ký Hiệp định Thương mại Dịch vụ ASEAN - Hàn Quốc "
                            "và Hiệp định Đầu tư ASEAN - Hàn Quốc.", published="2019-11-20")
    titles = {d["title"] for d in _facts(records, "document") if d["kind"] == "agreement"}
    assert len(titles) == 2


def test_a_name_keeps_its_initials_as_written() -> None:
    records = _text_records("Bộ trưởng Ngoại giao Ấn Độ S. Jaishankar dự hội nghị với các nước ASEAN.")
    assert "S. Jaishankar" in {p["name"] for p in _facts(records, "person")}


def test_an_unaccented_ong_starts_a_name_and_is_no_form_of_address() -> None:
    records = _text_records("Tổng thư ký ASEAN Ong Keng Yong cho biết ASEAN coi EU là đối tác quan trọng.")
    assert "Ong Keng Yong" in {p["name"] for p in _facts(records, "person")}


def test_the_asean_charter_is_asean_s_own_document() -> None:
    records = _text_records("Ngày 20/11/2007, tại Singapore, lãnh đạo 10 nước ASEAN đã ký Hiến chương ASEAN.")
    assert [(d["kind"], d["partners"], d["action"]) for d in _facts(records, "document")] == [("other", [], "signed")]


def test_each_partner_of_a_sentence_keeps_its_own_dialogue_relations() -> None:
    records = _text_records("Australia là đối tác đối thoại đầu tiên của ASEAN, từ năm 1974, còn New Zealand "
                            "thiết lập quan hệ đối thoại với Hiệp hội năm 1975. Trung Quốc trở thành bên đối "
                            "thoại toàn diện của ASEAN vào năm 1996.")
    found = {(tuple(p["partners"]), p["date"]) for p in _facts(records, "partnership")}
    assert {(("AU",), "1974"), (("CN",), "1996")} <= found
    assert any(partners == ("NZ",) for partners, _ in found)


def test_an_agreement_s_signers_listed_before_it_are_its_parties_for_the_whole_article() -> None:
    records = _text_records("Ngày 15/11/2020, bộ trưởng kinh tế của 10 nước ASEAN và 5 nước đối tác gồm Trung Quốc, "
                            "Nhật Bản, Hàn Quốc, Australia và New Zealand đã ký Hiệp định Đối tác Kinh tế Toàn diện "
                            "Khu vực (RCEP). Các nhà lãnh đạo cũng thông qua Tuyên bố chung của các nhà lãnh đạo "
                            "về Hiệp định RCEP.")
    parties = {d["kind"]: d["partners"] for d in _facts(records, "document")}
    assert parties == {"agreement": ["AU", "CN", "JP", "KR", "NZ"], "declaration": ["AU", "CN", "JP", "KR", "NZ"]}


def test_a_title_keeps_its_listed_fields_and_ends_before_the_meeting_it_was_signed_at() -> None:
    records = _text_records("Ngày 21/11/2007, các nhà lãnh đạo ASEAN thông qua Tuyên bố Singapore về Biến đổi khí "
                            "hậu, Năng lượng và Môi trường. Ngày 20/11/2007, lãnh đạo 10 nước ASEAN đã ký Hiến "
                            "chương ASEAN trong khuôn khổ Hội nghị Cấp cao ASEAN lần thứ 13.")
    titles = {d["title"] for d in _facts(records, "document")}
    assert titles == {"Tuyên bố Singapore về Biến đổi khí hậu, Năng lượng và Môi trường", "Hiến chương ASEAN"}


def test_the_first_summit_since_an_event_is_the_one_just_named_not_a_first_in_the_series() -> None:
    records = _text_records("Hội nghị Cấp cao ASEAN lần thứ 14 khai mạc ngày 28/2/2009 tại Cha-am. Đây là hội nghị "
                            "cấp cao đầu tiên của Hiệp hội kể từ khi Hiến chương ASEAN có hiệu lực vào tháng 12/2008.")
    assert [(m["ordinal"], m["date"]) for m in _facts(records, "meeting")] == [(14, "2009-02-28")]
    records = _text_records("Hội nghị Cấp cao ASEAN - Australia đầu tiên sau đại dịch diễn ra ngày 4/3/2024.")
    assert [m["ordinal"] for m in _facts(records, "meeting")] == [None]


def test_documents_of_the_asean_community_and_of_east_asia_cooperation() -> None:
    records = _text_records("Ngày 20/11/2007, các nhà lãnh đạo đã ký Tuyên bố về Kế hoạch tổng thể xây dựng Cộng đồng "
                            "Kinh tế ASEAN (AEC). Nhân dịp 10 năm hợp tác ASEAN+3, Hội nghị Cấp cao ASEAN+3 đã thông "
                            "qua Tuyên bố chung thứ hai về Hợp tác Đông Á.")
    parties = {d["title"]: d["partners"] for d in _facts(records, "document")}
    assert parties == {"Tuyên bố về Kế hoạch tổng thể xây dựng Cộng đồng Kinh tế ASEAN (AEC)": [],
                       "Tuyên bố chung thứ hai về Hợp tác Đông Á": ["CN", "JP", "KR"]}


def test_a_target_for_this_figure_takes_the_figure_s_metric() -> None:
    records = _text_records("Năm 2011, kim ngạch thương mại ASEAN - Ấn Độ đạt 76 tỷ USD. Hai bên đặt mục tiêu nâng "
                            "con số này lên 100 tỷ USD vào năm 2015 và 200 tỷ USD vào năm 2022.")
    found = {(i["metric"], i["year"], i["target"]) for i in _facts(records, "indicator")}
    assert found == {("trade", 2011, False), ("trade", 2015, True), ("trade", 2022, True)}


def test_a_document_signed_the_same_day_takes_the_day_named_before() -> None:
    records = _text_records("Ngày 8/10/2003, Hội nghị Cấp cao ASEAN - Trung Quốc lần thứ 7 diễn ra tại Bali. Cùng "
                            "ngày, Trung Quốc đã ký văn kiện gia nhập Hiệp ước Thân thiện và Hợp tác ở Đông Nam Á (TAC).")
    assert [d["date"] for d in _facts(records, "document")] == ["2003-10-08"]


def test_two_declarations_of_a_year_stay_two_and_two_wordings_of_one_are_one() -> None:
    records = _text_records("Tháng 5/2022, tại Washington, ASEAN và Hoa Kỳ đã thông qua Tuyên bố Tầm nhìn chung "
                            "ASEAN-Hoa Kỳ. Ngày 12/11/2022, ASEAN và Hoa Kỳ ra Tuyên bố chung về việc thiết lập "
                            "quan hệ Đối tác Chiến lược Toàn diện ASEAN-Hoa Kỳ. Tuyên bố chung thiết lập quan hệ "
                            "Đối tác Chiến lược Toàn diện được thông qua ngày 12/11/2022.", published="2022-11-13")
    dates = sorted(d["date"] for d in _facts(records, "document") if d["kind"] == "declaration")
    assert dates == ["2022-05", "2022-11-12"]


def test_a_document_adopted_earlier_says_so_after_its_title() -> None:
    records = _text_records("Các nhà lãnh đạo khẳng định cam kết thực hiện Tuyên bố Nuremberg về Quan hệ Đối tác tăng "
                            "cường ASEAN - EU, được thông qua tại Hội nghị Bộ trưởng Ngoại giao ASEAN - EU lần thứ 16 "
                            "ở Nuremberg (Đức) hồi tháng 3/2007.", published="2007-11-23")
    assert [(d["action"], d["date"]) for d in _facts(records, "document")] == [("adopted", "2007-03")]


def test_an_undated_article_counts_from_the_year_after_its_latest_figures() -> None:
    records = _text_records("Hôm qua (6/9), Hội nghị Cấp cao ASEAN - Nhật Bản lần thứ 26 diễn ra tại Jakarta. "
                            "Năm 2022, kim ngạch thương mại ASEAN - Nhật Bản đạt khoảng 270 tỷ USD. Nghị định thư "
                            "sửa đổi AJCEP có hiệu lực từ năm 2020.")
    assert [m["date"] for m in _facts(records, "meeting")] == ["2023-09-06"]


def test_a_meeting_a_sentence_opens_with_is_the_reported_event() -> None:
    records = _text_records("Ngày 26/7, tại Viêng Chăn, các Bộ trưởng ASEAN dự các hội nghị với các đối tác. Tại Hội "
                            "nghị Bộ trưởng Ngoại giao ASEAN - Hàn Quốc, hai bên nhất trí tăng cường hợp tác.",
                            published="2024-07-26")
    [meeting] = _facts(records, "meeting")
    assert (meeting["partners"], meeting["date"][:7]) == (["KR"], "2024-07")


def test_the_chair_s_year_dates_an_undated_article() -> None:
    records = _text_records("Chiều 12/11, tại Phnom Penh, Hội nghị Cấp cao ASEAN - Ấn Độ lần thứ 19 đã diễn ra. Hội "
                            "nghị do Thủ tướng Campuchia Hun Sen, Chủ tịch ASEAN 2022, chủ trì. Hai bên thiết lập "
                            "quan hệ Đối tác chiến lược năm 2012.")
    assert [m["date"] for m in _facts(records, "meeting")] == ["2022-11-12"]


def test_a_level_named_in_a_declaration_that_upgrades_the_relations_is_established() -> None:
    records = _text_records("Ngày 12/11/2022, các nhà lãnh đạo đã ra Tuyên bố chung về quan hệ Đối tác chiến lược "
                            "toàn diện ASEAN - Ấn Độ, chính thức nâng cấp quan hệ hai bên lên tầm cao mới.")
    found = [(p["partners"], p["level"], p["status"]) for p in _facts(records, "partnership")]
    assert (["IN"], "comprehensive_strategic_partnership", "established") in found


def test_a_year_of_history_in_the_sentence_is_not_the_meeting_s_date() -> None:
    records = _text_records("Ngày 26/7, tại Viêng Chăn, các Bộ trưởng ASEAN dự các hội nghị với các đối tác. Tại Hội "
                            "nghị Bộ trưởng Ngoại giao ASEAN - Nga, các Bộ trưởng hoan nghênh quan hệ Đối tác chiến "
                            "lược được thiết lập năm 2018.", published="2024-07-26")
    assert [m["date"][:7] for m in _facts(records, "meeting")] == ["2024-07"]


def test_a_meeting_named_after_tai_is_no_venue():
    text = ("Sáng ngày 11/10, Thủ tướng dự Hội nghị Cấp cao ASEAN-Hoa Kỳ lần thứ 12. "
            "Phát biểu tại Hội nghị, Thủ tướng đánh giá cao quan hệ hai bên.")
    [meeting] = [r for r in _text_records(text, "2024-10-11") if r["type"] == "meeting"]
    assert meeting["location"] is None


def test_a_year_past_the_next_level_phrase_belongs_to_that_level():
    text = ("Tại hội nghị ngày 12/11/2022, ASEAN và Hoa Kỳ nâng quan hệ lên Đối tác Chiến lược Toàn diện, "
            "45 năm sau khi hai bên thiết lập quan hệ đối thoại vào năm 1977.")
    levels = {r["level"]: r["date"] for r in _text_records(text, "2022-11-13") if r["type"] == "partnership"}
    assert levels == {"comprehensive_strategic_partnership": "2022-11", "dialogue_relations": "1977"}
