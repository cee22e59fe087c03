"""Query latency of the knowledge base on a large store: ``python -m quanhe.bench_kb`` (``make bench-kb``).

A seeded generator writes synthetic Vietnamese articles about ASEAN and its partners, with the
gazetteer's partner codes and city names and the project's own vocabularies (mechanisms, levels,
document kinds, metrics), until the store holds ``--facts`` extracted facts. Each article's facts
are built with the text, so every evidence span is the sentence it points at, offsets included.
The articles go through the public store interface (``Processed`` -> ``ingest_all``), then
``kb.refresh`` fuses them. The world behind the articles is fixed by the seed: a few thousand
meetings (partners x mechanisms x ordinals), partnership ladders, documents, yearly figures and
many persons, each mentioned by many articles, so fusion merges real repeats while the canonical
table stays large.

``--canonical N`` builds a store whose fused table itself holds at least N facts: a larger world
of the same kinds (more meeting series, thousands of documents per partner, figures back to each
partner's first year, persons enough for the rest) and articles whose mentions are mostly of
events no article has mentioned yet, until N distinct events are mentioned; the rest still
repeat (recent meetings, leaders, the documents in force), so fusion still merges.

Then each query is run many times on the warm store, with random partners, dates and ids, and
its p50 / p95 / max latency is printed. This is a tool, not a test: no test asserts on timings.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import tomllib
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from quanhe import fuse, kb, query
from quanhe.model import Article, Document, Evidence, Fact, FactType, Sentence, Span
from quanhe.normalize import fold
from quanhe.pipeline import Processed
from quanhe.store import CanonicalFilter, Store, ingest_all, open_store

FIRST_YEAR, LAST_YEAR = 1995, 2025   # articles are published in these years
SEED = 20240917
TARGET_MS = 50.0
FRESH = 0.6     # --canonical: the chance that a mention is of an event no article has mentioned yet
T = TypeVar("T")

# -- vocabularies, read from the project's data files ------------------------------------------------


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("quanhe.data").joinpath(name).read_text("utf-8"))


@dataclass(frozen=True)
class Vocabulary:
    partners: dict[str, str]          # code -> Vietnamese name (gazetteer codes, display names)
    members: dict[str, str]           # member state code -> name as written in the gazetteer
    cities: tuple[str, ...]           # member states' cities, where meetings sit
    plus_three: tuple[str, ...]       # the partner codes of ASEAN+3
    levels: tuple[str, ...]           # partnership levels, lowest first
    level_words: dict[str, str]       # level -> how an article writes it
    kinds: tuple[str, ...]            # document kinds
    metrics: tuple[str, ...]
    outlets: tuple[str, ...]          # news sites' host names
    vn_surnames: tuple[str, ...]


def vocabulary() -> Vocabulary:
    gazetteer, display, patterns = _toml("gazetteer.toml"), _toml("display.toml"), _toml("patterns.toml")
    names = display["partners"]
    partners = {code: str(names.get(code, {}).get("vi", code)) for code in gazetteer["partner"]}
    members = {code: str(body["aliases"][0]) for code, body in gazetteer["member"].items()}
    words = display["words"]["vi"]
    levels = fuse.rules().levels
    return Vocabulary(
        partners=partners, members=members,
        cities=tuple(gazetteer["other"]["cities"]["aliases"]),
        plus_three=tuple(gazetteer["group"]["ASEAN_PLUS_THREE"]["partners"]),
        levels=levels, level_words={lv: str(words[lv]) for lv in levels},
        kinds=tuple(dict.fromkeys(kind for _, kind in patterns["document"]["kinds"])),
        metrics=kb.METRICS, outlets=tuple(display["outlets"]),
        vn_surnames=tuple(patterns["person"]["vietnamese_surnames"]),
    )


# -- templates (ours): how a mechanism, a document, a figure and a person are written --------------

# {p}: the partner's name. Mechanisms a partner meets ASEAN in, and ASEAN's own ones.
PARTNER_MECHANISMS = {
    "asean_partner_summit": "Hội nghị Cấp cao ASEAN-{p}",
    "asean_partner_ministers": "Hội nghị Bộ trưởng Ngoại giao ASEAN-{p}",
    "economic_ministers": "Hội nghị Bộ trưởng Kinh tế ASEAN-{p}",
    "defence_ministers": "Hội nghị Bộ trưởng Quốc phòng ASEAN-{p}",
    "asean_partner_dialogue": "Đối thoại ASEAN-{p}",
    "jcc": "cuộc họp Ủy ban Hợp tác chung ASEAN-{p}",
}
ASEAN_MECHANISMS = {
    "asean_summit": "Hội nghị Cấp cao ASEAN",
    "asean_ministers": "Hội nghị Bộ trưởng Ngoại giao ASEAN (AMM)",
    "east_asia_summit": "Hội nghị Cấp cao Đông Á (EAS)",
    "eas_ministers": "Hội nghị Bộ trưởng Ngoại giao Cấp cao Đông Á",
    "arf": "Diễn đàn Khu vực ASEAN (ARF)",
    "som": "Hội nghị Quan chức Cao cấp ASEAN (SOM)",
}
PLUS_THREE_MECHANISMS = {
    "asean_plus_three_summit": "Hội nghị Cấp cao ASEAN+3",
    "asean_plus_three_ministers": "Hội nghị Bộ trưởng Ngoại giao ASEAN+3",
}
# {m}: the meeting's name, {n} its ordinal, {date} "ngày 6/9/2023", {place} a city.
MEETING_DAY = (
    "Ngày {d}, {m} lần thứ {n} đã diễn ra tại {place}.",
    "{M} lần thứ {n} diễn ra tại {place} {date}.",
    "{M} lần thứ {n} được tổ chức {date} tại {place}, với sự tham dự của lãnh đạo các nước.",
)
MEETING_ONLINE = "{M} lần thứ {n} được tổ chức theo hình thức trực tuyến {date}."
MEETING_MONTH = "Tháng {month}, {m} lần thứ {n} đã thông qua nhiều văn kiện quan trọng."
MEETING_REF = (
    "Tại {m} lần thứ {n}, hai bên nhất trí tăng cường hợp tác về {topic}.",
    "Các cam kết tại {m} lần thứ {n} đang được triển khai tích cực.",
)
MEETING_PLANNED = "{M} lần thứ {n} sẽ diễn ra tại {place} {date}."
MEETING_UNNUMBERED = "{M} diễn ra tại {place} {date}."
MEETING_WITH_PERSON = "{who} dự {m} lần thứ {n} tại {place} {date}."

LEVEL_REACHED = "Tháng {month}, ASEAN và {p} chính thức nâng cấp quan hệ lên {level}."
LEVEL_FIRST = "Năm {year}, ASEAN và {p} thiết lập {level}."
LEVEL_ANNIVERSARY = "Năm nay, ASEAN và {p} kỷ niệm {k} năm thiết lập {level} ({year}-{now})."
LEVEL_CURRENT = "Quan hệ {level} ASEAN-{p} ngày càng đi vào chiều sâu, thực chất."
LEVEL_ASPIRED = "Hai bên nhất trí hướng tới nâng cấp quan hệ lên {level} trong thời gian tới."

TOPICS = (
    "kinh tế số", "năng lượng sạch", "y tế công cộng", "giáo dục", "an ninh mạng", "biến đổi khí hậu",
    "phòng chống khủng bố", "an ninh lương thực", "kết nối", "du lịch", "văn hóa", "khoa học và công nghệ",
    "giao thông vận tải", "an ninh hàng hải", "phát triển bền vững", "thành phố thông minh",
    "chuyển đổi số", "quản lý thiên tai", "nông nghiệp", "môi trường", "phụ nữ, hòa bình và an ninh",
    "giáo dục đại học", "trí tuệ nhân tạo", "kinh tế tuần hoàn", "chống buôn bán người",
    "phòng chống ma túy", "thu hẹp khoảng cách phát triển", "chuỗi cung ứng", "giao lưu nhân dân",
    "quản lý nguồn nước",
)
AGREEMENTS = ("Thương mại Hàng hóa", "Thương mại Dịch vụ", "Đầu tư", "Đối tác Kinh tế Toàn diện",
              "Vận tải Hàng không", "Thương mại tự do")
# kind -> title templates; {p} partner, {city}, {topic}, {x} an agreement, {a}-{b} / {y} a period
DOCUMENT_TITLES = {
    "plan_of_action": ("Kế hoạch Hành động ASEAN-{p} giai đoạn {a}-{b}",),
    "declaration": ("Tuyên bố {city} về {topic}", "Tuyên bố chung ASEAN-{p} về {topic}"),
    "agreement": ("Hiệp định {x} ASEAN-{p}",),
    "protocol": ("Nghị định thư sửa đổi Hiệp định {x} ASEAN-{p}",),
    "mou": ("Bản ghi nhớ về hợp tác {topic} giữa ASEAN và {p}",),
    "vision": ("Tầm nhìn chung ASEAN-{p} về {topic} đến năm {y}",),
    "roadmap": ("Lộ trình hợp tác {topic} ASEAN-{p}",),
    "treaty": ("Hiệp ước Thân thiện và Hợp tác ở Đông Nam Á (TAC)",),
    "other": ("Bộ Quy tắc ứng xử về {topic}",),
}
# action -> sentence; {t} the title, {date} "ngày …" or "năm …"
DOCUMENT_ACTIONS = {
    "adopted": "Các nhà lãnh đạo đã thông qua {t} {date}.",
    "signed": "{Date}, ASEAN và {p} đã ký {t}.",
    "acceded": "{P} chính thức gia nhập {t} {date}.",
    "implemented": "Hai bên tiếp tục triển khai hiệu quả {t}.",
    "negotiating": "ASEAN và {p} đang đàm phán {t}.",
    "planned": "Hai bên dự kiến sẽ ký {t} trong thời gian tới.",
}
DOCUMENT_COMPLETION = "Đến nay, {pct}% các dòng hành động của {t} đã được triển khai."

FIGURES = {   # metric -> (sentence, unit); {amount} in words and digits as articles write it
    "trade": ("Năm {y}, kim ngạch thương mại hai chiều ASEAN-{p} đạt {amount}.", "USD"),
    "export": ("Năm {y}, xuất khẩu của ASEAN sang {p} đạt {amount}.", "USD"),
    "import": ("Năm {y}, nhập khẩu của ASEAN từ {p} đạt {amount}.", "USD"),
    "fdi": ("Vốn đầu tư trực tiếp (FDI) của {p} vào ASEAN năm {y} đạt {amount}.", "USD"),
    "firms": ("Năm {y}, có khoảng {amount} doanh nghiệp {p} hoạt động tại ASEAN.", "count"),
    "tourists": ("Năm {y}, ASEAN đón {amount} lượt khách du lịch từ {p}.", "count"),
    "aid": ("Năm {y}, {p} cam kết hỗ trợ ASEAN {amount}.", "USD"),
}
FIGURE_TARGET = "Hai bên đặt mục tiêu nâng kim ngạch thương mại hai chiều lên {amount} vào năm {y}."

PERSON_SAYS = (
    "{who} nhấn mạnh tầm quan trọng của quan hệ ASEAN-{p}.",
    "Phát biểu tại hội nghị, {who} khẳng định {p} luôn ủng hộ vai trò trung tâm của ASEAN.",
    "Theo {who}, hợp tác về {topic} là ưu tiên của hai bên trong giai đoạn tới.",
)
PERSONS_MEET = "{who} đã có cuộc gặp với {who2} bên lề hội nghị."
FILLERS = (
    "Các bên nhất trí tăng cường hợp tác trong các lĩnh vực {topic} và {topic2}.",
    "ASEAN đánh giá cao sự ủng hộ của {p} đối với Cộng đồng ASEAN.",
    "Hai bên cũng trao đổi về các vấn đề khu vực và quốc tế cùng quan tâm.",
    "Hợp tác về {topic} được coi là điểm sáng trong quan hệ hai bên thời gian qua.",
)
TITLES_OF_ARTICLES = (
    "ASEAN và {p} tăng cường hợp tác về {topic}",
    "Quan hệ ASEAN-{p}: thúc đẩy hợp tác {topic}",
    "ASEAN-{p} hướng tới quan hệ thực chất, hiệu quả",
)
ROLES = ("Thủ tướng", "Tổng thống", "Bộ trưởng Ngoại giao", "Ngoại trưởng", "Đại sứ", "Thứ trưởng Ngoại giao",
         "Phó Thủ tướng", "Bộ trưởng Thương mại", "Chủ tịch", "Giáo sư", "Tiến sĩ", "Tổng Thư ký")

# -- more of each kind, for a store of many distinct events (--canonical N) --
# Sectors whose ministers meet each other and ASEAN's partners; the extractor files such a
# meeting as mechanism "other" (patterns.toml's sector_words name these sectors).
SECTORS = ("Du lịch", "Y tế", "Năng lượng", "Nông nghiệp và Lâm nghiệp", "Giao thông vận tải",
           "Văn hóa và Nghệ thuật", "Thông tin", "Lao động", "Môi trường", "Tài chính", "Giáo dục",
           "Tư pháp", "Khoa học và Công nghệ")
SECTORAL_MEETING = "Hội nghị Bộ trưởng {s} {parties}"          # {parties}: ASEAN-Nhật Bản, ASEAN, ASEAN+3
PARTNER_SENIOR_OFFICIALS = "Hội nghị Quan chức Cao cấp ASEAN-{p}"   # the extractor: asean_partner_dialogue
ASEAN_SENIOR_OFFICIALS = ("Hội nghị Quan chức Cao cấp Diễn đàn Khu vực ASEAN",
                          "Hội nghị Quan chức Cao cấp Cấp cao Đông Á")                 # som
# a meeting reported without its ordinal (senior officials, sectoral ministers): always with its day
UNNUMBERED_ONLINE = "{M} được tổ chức theo hình thức trực tuyến {date}."
UNNUMBERED_WITH_PERSON = "{who} dự {m} tại {place} {date}."
UNNUMBERED_PLANNED = "{M} sẽ diễn ra tại {place} {date}."
# more documents per partner, each title distinct in its block (partner and kind); {y} its year
MORE_DOCUMENT_TITLES = {
    "declaration": ("Tuyên bố {city} về {topic}", "Tuyên bố chung ASEAN-{p} về {topic} năm {y}"),
    "mou": ("Bản ghi nhớ giữa {body} và {agency} {p} về {topic}",),
    "agreement": ("Thỏa thuận hợp tác về {topic} giữa {body} và {agency} {p}",),
    "protocol": ("Nghị định thư thứ {k} sửa đổi Hiệp định {x} ASEAN-{p}",),
    "plan_of_action": ("Kế hoạch công tác ASEAN-{p} về {topic} năm {y}",),
    "roadmap": ("Lộ trình hợp tác {topic} ASEAN-{p}", "Lộ trình hợp tác {topic} giữa {body} và {agency} {p}"),
    "other": ("Chương trình hợp tác {topic} ASEAN-{p} năm {y}", "Sáng kiến ASEAN-{p} về {topic}",
              "Bộ Quy tắc ứng xử về {topic}"),
}
MEETING_STATEMENT = "Tuyên bố chung {m} lần thứ {n}"   # each numbered partner meeting adopts one
BODIES = ("Ban Thư ký ASEAN", "Quỹ ASEAN", "Trung tâm ASEAN về Quản lý thiên tai", "Trung tâm Năng lượng ASEAN",
          "Trung tâm Đa dạng sinh học ASEAN", "Viện Nghiên cứu Kinh tế ASEAN và Đông Á", "Hội đồng Kinh doanh ASEAN",
          "Mạng lưới Đại học ASEAN")
AGENCIES = ("Bộ Ngoại giao", "Bộ Thương mại", "Cơ quan Hợp tác Phát triển", "Bộ Y tế", "Bộ Giáo dục",
            "Bộ Môi trường", "Bộ Năng lượng", "Bộ Giao thông vận tải")
# more Vietnamese middle and given names: most of a large store's persons are Vietnamese
VN_MORE_MIDDLE = ("Anh", "Bảo", "Cao", "Chí", "Diệu", "Hải", "Hoàng", "Khắc", "Lệ", "Mỹ", "Nhật", "Phú", "Phương",
                  "Quốc", "Sỹ", "Tấn", "Thành", "Thu", "Trung", "Vĩnh")
VN_MORE_GIVEN = ("Anh", "Bắc", "Bảo", "Cảnh", "Châu", "Chiến", "Cúc", "Diệp", "Doanh", "Dương", "Đông", "Giang",
                 "Hà", "Hân", "Hậu", "Hiền", "Hiển", "Hoa", "Hoàn", "Học", "Hội", "Hợp", "Huấn", "Huệ", "Hưng",
                 "Hường", "Khải", "Khang", "Khoa", "Khôi", "Kỳ", "Lập", "Liên", "Lĩnh", "Loan", "Luân", "Lực",
                 "Minh", "My", "Nga", "Ngân", "Nghĩa", "Ngọc", "Nguyên", "Nhân", "Nhi", "Ninh", "Oanh", "Phong",
                 "Phú", "Phụng", "Quang", "Quế", "Quyết", "Sáng", "Tài", "Tân", "Thái", "Thịnh", "Thọ", "Thông",
                 "Thư", "Thủy", "Tiến", "Tín", "Toản", "Trí", "Trinh", "Trọng", "Tú", "Tuyết", "Uyên", "Vân",
                 "Vũ", "Vượng", "Xuân", "Yên", "Cương", "Định", "Điệp")

# Given names by culture; a person is a family name and given names from one culture.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "vi": (("Văn", "Thị", "Minh", "Đức", "Quang", "Xuân", "Thanh", "Hữu", "Ngọc", "Hoài", "Bá", "Công",
            "Đình", "Thế", "Kim", "Hồng", "Gia", "Trọng", "Tiến", "Mạnh"),
           ("Chính", "Sơn", "Hùng", "Dũng", "Hải", "Lan", "Hương", "Trung", "Nam", "Long", "Phúc", "Tuấn",
            "Khánh", "Linh", "Quân", "Bình", "An", "Thắng", "Vinh", "Hòa", "Tâm", "Thảo", "Mai", "Cường",
            "Thành", "Hiếu", "Việt", "Huy", "Đạt", "Kiên", "Lâm", "Phương", "Yến", "Trang", "Hạnh", "Nhung",
            "Tùng", "Quý", "Toàn", "Lợi")),
    "zh": (("Nghị", "Cường", "Bình", "Khắc", "Gia", "Bảo", "Minh", "Quốc", "Hoa", "Kiến", "Vĩnh", "Đức",
            "Trung", "Hải", "Thanh", "Chí", "Lực", "Hiểu", "Văn", "Tuấn"),
           ("Vương", "Lý", "Tập", "Ôn", "Trương", "Tôn", "Dương", "Hoàng", "Mã", "Hàn", "Đặng", "Triệu")),
    "ja": (("Fumio", "Yoshihide", "Shinzo", "Toshimitsu", "Yoko", "Taro", "Hiroshi", "Takeshi", "Kenji",
            "Akira", "Yoshimasa", "Shigeru", "Katsunobu", "Hayato", "Yuko", "Masahiro"),
           ("Kishida", "Suzuki", "Tanaka", "Yamamoto", "Motegi", "Hayashi", "Kamikawa", "Ishiba", "Kono",
            "Sato", "Watanabe", "Nakamura", "Kobayashi", "Yoshida", "Yamada", "Sasaki")),
    "ko": (("Jae-in", "Min-ho", "Sung-kim", "Hyun-woo", "Ji-hoon", "Young-soo", "Dong-hee", "Kyung-wha",
            "Seok-yeol", "Jin-a", "Chung-hee", "Eui-yong", "Tae-yong", "Yoon-ah"),
           ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Yoon", "Han", "Moon", "Cho", "Chung", "Shin")),
    "en": (("Antony", "Kurt", "Penny", "Anthony", "Jacinda", "Justin", "Mélanie", "Rishi", "David", "Mark",
            "Sarah", "Helen", "James", "Catherine", "Richard", "Emma", "Daniel", "Julie", "Michael", "Laura"),
           ("Blinken", "Campbell", "Wong", "Albanese", "Ardern", "Trudeau", "Joly", "Sunak", "Cameron",
            "Smith", "Brown", "Taylor", "Wilson", "Johnson", "Miller", "Davis", "Clark", "Lewis", "Walker",
            "Hall", "Allen", "Young", "King", "Wright")),
    "eu": (("Ursula", "Josep", "Olaf", "Annalena", "Emmanuel", "Catherine", "Giorgia", "Antonio", "Charles",
            "Jonas", "Ignazio", "Kaja", "Frank-Walter", "Luca"),
           ("von der Leyen", "Borrell", "Scholz", "Baerbock", "Macron", "Colonna", "Meloni", "Tajani",
            "Michel", "Gahr Støre", "Cassis", "Kallas", "Steinmeier", "Rossi", "Müller", "Schmidt")),
    "ru": (("Sergey", "Dmitry", "Vladimir", "Alexander", "Mikhail", "Nikolai", "Andrei", "Igor", "Yury",
            "Maria"),
           ("Lavrov", "Medvedev", "Ivanov", "Petrov", "Rudenko", "Mishustin", "Zakharova", "Shoigu",
            "Volkov", "Sokolov")),
    "in": (("Narendra", "Subrahmanyam", "Rajnath", "Piyush", "Anand", "Sushma", "Vikram", "Rajiv", "Meera",
            "Arun"),
           ("Modi", "Jaishankar", "Singh", "Goyal", "Sharma", "Swaraj", "Misri", "Kumar", "Nair", "Rao")),
    "ar": (("Faisal", "Abdullah", "Mohammed", "Khalid", "Sultan", "Hamad", "Salman", "Ahmed", "Saud",
            "Nasser"),
           ("Farhan", "Zayed", "Al Thani", "Al Sabah", "Al Khalifa", "Al Said", "Al Nahyan", "Al Saud")),
    "sea": (("Joko", "Retno", "Anwar", "Lawrence", "Vivian", "Hun", "Sonexay", "Srettha", "Ferdinand",
             "Enrique", "Hassanal", "Prabowo", "Anutin", "Saifuddin", "Maris", "Prak"),
            ("Widodo", "Marsudi", "Ibrahim", "Wong", "Balakrishnan", "Manet", "Siphandone", "Thavisin",
             "Marcos", "Manalo", "Bolkiah", "Subianto", "Charnvirakul", "Abdullah", "Sangiampongsa",
             "Sokhonn")),
}
CULTURE = {"VN": "vi", "CN": "zh", "JP": "ja", "KR": "ko", "US": "en", "AU": "en", "NZ": "en", "CA": "en",
           "GB": "en", "EU": "eu", "DE": "eu", "FR": "eu", "IT": "eu", "CH": "eu", "NO": "eu", "TR": "eu",
           "BR": "eu", "RU": "ru", "IN": "in", "PK": "in", "SA": "ar", "QA": "ar", "KW": "ar", "BH": "ar",
           "OM": "ar", "AE": "ar"}


# -- the world behind the articles --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Meeting:
    mechanism: str
    partners: tuple[str, ...]
    name: str                 # as written, partner name filled in
    ordinal: int              # 0 when not numbered
    day: Date
    place: str
    online: bool
    numbered: bool = True     # False: articles name it without an ordinal, always with its day


@dataclass(frozen=True, slots=True)
class Level:
    partner: str
    level: str
    day: Date                 # when it was reached (articles say the year or the month)
    first: bool               # the first level: "thiết lập", anniversaries count from it


@dataclass(frozen=True, slots=True)
class Doc:
    partner: str
    kind: str
    title: str
    period: str | None
    day: Date


@dataclass(frozen=True, slots=True)
class Figure:
    partner: str
    metric: str
    year: int
    value: float              # base units
    unit: str
    target: bool


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str
    country: str              # partner, member or VN code
    where: str                # the country as written after the role ("" for Vietnamese officials)


@dataclass
class World:
    """Every event, level, document, figure and person the articles can mention."""

    vocab: Vocabulary
    partners: list[str]
    weights: list[float]                              # how often each partner is an article's subject
    start: dict[str, int]                             # year of the first level (dialogue relations)
    meetings: dict[tuple[str, ...], list[list[Meeting]]] = field(default_factory=dict)  # by partners
    levels: dict[str, list[Level]] = field(default_factory=dict)
    documents: dict[str, list[Doc]] = field(default_factory=dict)
    figures: dict[tuple[str, str], list[Figure]] = field(default_factory=dict)
    targets: dict[str, list[Figure]] = field(default_factory=dict)
    persons: dict[str, list[Person]] = field(default_factory=dict)   # by country code
    distinct: bool = False    # built for --canonical: most mentions are of events not mentioned yet

    def all_persons(self) -> list[Person]:
        return [p for people in self.persons.values() for p in people]


def make_world(facts: int, seed: int = SEED, *, canonical: int | None = None) -> World:
    """The world for about ``facts`` extracted facts: pools of documents and persons grow with it,
    so the canonical table grows too; meetings and levels are bounded as in reality.

    ``canonical``: the world for a store of at least that many canonical facts instead (see
    ``_distinct_world``); ``facts`` is then not used."""
    rng = random.Random(seed)
    vocab = vocabulary()
    partners = list(vocab.partners)
    weights = [1.0 / (1 + 0.15 * i) for i in range(len(partners))]   # the gazetteer lists big ones first
    start = {p: rng.randint(1974, 2012) for p in partners}
    world = World(vocab, partners, weights, start)
    if canonical is not None:
        return _distinct_world(world, rng, canonical)

    def series(name: str, mechanism: str, codes: tuple[str, ...], first: int) -> list[Meeting]:
        month = rng.randint(1, 12)
        out = []
        for n, year in enumerate(range(first, LAST_YEAR + 2), start=1):
            day = Date(year, month, 1) + timedelta(days=rng.randint(0, 27))
            out.append(Meeting(mechanism, codes, name, n, day, rng.choice(vocab.cities), rng.random() < 0.1))
        return out

    for p in partners:
        world.meetings[(p,)] = [series(t.format(p=vocab.partners[p]), mech, (p,), start[p] + rng.randint(0, 8))
                                for mech, t in PARTNER_MECHANISMS.items()]
    world.meetings[()] = [series(t, mech, (), rng.randint(1976, 2005)) for mech, t in ASEAN_MECHANISMS.items()]
    world.meetings[vocab.plus_three] = [series(t, mech, vocab.plus_three, 1997)
                                        for mech, t in PLUS_THREE_MECHANISMS.items()]

    _ladders(rng, world)
    docs_per_partner = min(500, max(12, facts // 2000))   # a partner has hundreds of documents, not more
    for p, w in zip(partners, weights, strict=True):
        world.documents[p] = _documents(rng, vocab, p, start[p], max(6, int(docs_per_partner * w)))
        for metric in vocab.metrics:
            world.figures[(p, metric)] = _figures(rng, p, metric, max(start[p], FIRST_YEAR - 5))
        world.targets[p] = [Figure(p, "trade", y, float(rng.randint(50, 1500)) * 1e9, "USD", True)
                            for y in range(2000, 2036, 5)]

    people = max(60, facts // 9)
    countries = ["VN"] * 8 + partners * 2 + list(vocab.members) * 1
    pools: dict[str, set[str]] = {}
    named = 0
    for _ in range(50 * people):   # bounded: small name pools fill up
        if named >= people:
            break
        country = rng.choice(countries)
        pool = pools.setdefault(country, set())
        before = len(pool)
        pool.add(_name(rng, vocab, country))
        named += len(pool) - before
    for country, names in sorted(pools.items()):
        where = "" if country == "VN" else vocab.partners.get(country) or vocab.members[country]
        world.persons[country] = [Person(n, rng.choice(ROLES), country, where) for n in sorted(names)]
    return world


def _ladders(rng: random.Random, world: World) -> None:
    """Each partner's levels: dialogue relations, then perhaps strategic and comprehensive strategic."""
    ladder = [lv for lv in world.vocab.levels if lv in ("dialogue_relations", "strategic_partnership",
                                                        "comprehensive_strategic_partnership")]
    for p in world.partners:
        year = world.start[p]
        steps = [Level(p, ladder[0], Date(year, rng.randint(1, 12), 1), True)]
        for level in ladder[1:]:
            year += rng.randint(4, 20)
            if year > LAST_YEAR:
                break
            steps.append(Level(p, level, Date(year, rng.randint(1, 12), rng.randint(1, 28)), False))
        world.levels[p] = steps


def _distinct_world(world: World, rng: random.Random, canonical: int) -> World:
    """The world for a store of at least ``canonical`` canonical facts (``--canonical``).

    Still the events a real archive holds, only more of them: each partner meets ASEAN in more
    series (the joint cooperation committee twice a year, senior officials yearly, ministers of
    several sectors) and so does ASEAN itself and ASEAN+3; each partner has thousands of documents
    with distinct titles (each numbered meeting's joint statement among them); figures go back to
    each partner's first year; and there are persons enough for the rest, most of them Vietnamese.
    Figures stay per partner, metric and year, and meetings and documents between ASEAN and
    partners: the record contract (RECORDS.md) counts no member state's bilateral figure or
    meeting, so the extractor emits none and neither does this world.
    """
    vocab, partners, start = world.vocab, world.partners, world.start
    world.distinct = True
    world.meetings = _distinct_meetings(rng, world)
    _ladders(rng, world)
    per_partner = min(6000, max(12, canonical // 160))
    for p, w in zip(partners, world.weights, strict=True):
        numbered = [m for series in world.meetings[(p,)] for m in series if m.numbered and m.day.year <= LAST_YEAR]
        world.documents[p] = _distinct_documents(rng, vocab, p, start[p], max(6, int(per_partner * w)), numbered)
        for metric in vocab.metrics:
            world.figures[(p, metric)] = _figures(rng, p, metric, start[p])
        world.targets[p] = [Figure(p, "trade", y, float(rng.randint(50, 1500)) * 1e9, "USD", True)
                            for y in range(2000, 2036, 5)]
    others = (sum(len(s) for series in world.meetings.values() for s in series)
              + sum(map(len, world.documents.values())) + sum(map(len, world.figures.values()))
              + sum(map(len, world.targets.values())) + sum(map(len, world.levels.values())))
    people = int(1.2 * max(canonical // 2, canonical - others))
    for country, names in sorted(_distinct_names(rng, vocab, people).items()):
        where = "" if country == "VN" else vocab.partners.get(country) or vocab.members[country]
        world.persons[country] = [Person(n, rng.choice(ROLES), country, where) for n in sorted(names)]
    return world


def _distinct_meetings(rng: random.Random, world: World) -> dict[tuple[str, ...], list[list[Meeting]]]:
    """Meeting series by partners; in one block (partners and mechanism) no two meetings fall within
    a week of each other, so a meeting named without its ordinal is placed by its day alone."""
    vocab, start = world.vocab, world.start
    taken: dict[tuple[str, tuple[str, ...], int], set[int]] = {}   # weeks of a block's year in use

    def series(name: str, mechanism: str, codes: tuple[str, ...], first: int, per_year: int = 1,
               numbered: bool = True) -> list[Meeting]:
        usual = sorted(rng.sample(range(52), per_year))   # when in the year it meets
        held: list[tuple[Date, str, bool]] = []
        for year in range(first, LAST_YEAR + 2):
            weeks = taken.setdefault((mechanism, codes, year), set())
            for week in usual:
                wanted = (week + rng.randint(-2, 2)) % 52
                free = min((w for w in range(52) if w not in weeks), key=lambda w: (abs(w - wanted), w),
                           default=None)
                if free is None:
                    continue
                weeks.add(free)
                day = Date(year, 1, 1) + timedelta(days=7 * free + rng.randint(0, 2))
                held.append((day, rng.choice(vocab.cities), rng.random() < 0.1))
        held.sort()
        return [Meeting(mechanism, codes, name, n if numbered else 0, day, place, online, numbered)
                for n, (day, place, online) in enumerate(held, start=1)]

    meetings: dict[tuple[str, ...], list[list[Meeting]]] = {}
    for p, weight in zip(world.partners, world.weights, strict=True):
        name = vocab.partners[p]
        out = [series(t.format(p=name), mech, (p,), start[p] + rng.randint(0, 8), 2 if mech == "jcc" else 1)
               for mech, t in PARTNER_MECHANISMS.items()]
        out.append(series(PARTNER_SENIOR_OFFICIALS.format(p=name), "asean_partner_dialogue", (p,),
                          start[p] + rng.randint(0, 8), numbered=False))
        for sector in rng.sample(SECTORS, 2 + round(11 * weight)):
            out.append(series(SECTORAL_MEETING.format(s=sector, parties=f"ASEAN-{name}"), "other", (p,),
                              max(start[p], rng.randint(1990, 2015)), numbered=False))
        meetings[(p,)] = out
    own = [series(t, mech, (), rng.randint(1976, 2005)) for mech, t in ASEAN_MECHANISMS.items()]
    own += [series(t, "som", (), rng.randint(1994, 2008), numbered=False) for t in ASEAN_SENIOR_OFFICIALS]
    own += [series(SECTORAL_MEETING.format(s=s, parties="ASEAN"), "other", (), rng.randint(1976, 2000),
                   numbered=False) for s in SECTORS]
    meetings[()] = own
    three = vocab.plus_three
    plus = [series(t, mech, three, 1997) for mech, t in PLUS_THREE_MECHANISMS.items()]
    plus += [series(SECTORAL_MEETING.format(s=s, parties="ASEAN+3"), "other", three, rng.randint(1999, 2010),
                    numbered=False) for s in rng.sample(SECTORS, 8)]
    meetings[three] = plus
    return meetings


def _distinct_documents(rng: random.Random, vocab: Vocabulary, p: str, start: int, n: int,
                        meetings: list[Meeting]) -> list[Doc]:
    """Plans of action and the TAC as in ``_documents``, up to three visions (one per target year:
    fusion keys a vision by it), each numbered meeting's joint statement, and ``n`` more documents
    whose titles are distinct in their block."""
    name = vocab.partners[p]
    out = _documents(rng, vocab, p, start, 0)
    for year in rng.sample(range(2020, 2051, 5), rng.randint(1, 3)):
        made = rng.randint(max(start, 1990), min(LAST_YEAR, year - 1))
        title = DOCUMENT_TITLES["vision"][0].format(p=name, topic=rng.choice(TOPICS), y=year)
        out.append(Doc(p, "vision", title, str(year), _day(rng, made, made)))
    out += [Doc(p, "declaration", MEETING_STATEMENT.format(m=m.name, n=m.ordinal), None, m.day) for m in meetings]
    seen = {_title_key(d.title) for d in out}
    templates = [(kind, t) for kind, ts in MORE_DOCUMENT_TITLES.items() for t in ts] + [
        (kind, t) for kind, ts in DOCUMENT_TITLES.items() if kind not in ("plan_of_action", "treaty", "vision")
        for t in ts]
    wanted, tries = len(out) + n, 0
    while len(out) < wanted and tries < 50 * n:
        tries += 1
        kind, template = rng.choice(templates)
        year = rng.randint(max(start, 1990), LAST_YEAR)
        title = template.format(p=name, city=rng.choice(vocab.cities), topic=rng.choice(TOPICS),
                                x=rng.choice(AGREEMENTS), y=year, body=rng.choice(BODIES),
                                agency=rng.choice(AGENCIES), k=rng.randint(1, 5))
        key = _title_key(title)
        if key in seen:
            continue
        seen.add(key)
        out.append(Doc(p, kind, title, None, _day(rng, year, year)))
    return sorted(out, key=lambda d: d.day)


def _title_key(title: str) -> str:
    """A title as fusion keys it: folded, lower case, single spaces."""
    return " ".join(fold(title).lower().split())


def _distinct_names(rng: random.Random, vocab: Vocabulary, n: int) -> dict[str, list[str]]:
    """``n`` persons' names by country, no two alike once folded (fusion keys a person by name):
    the few hundred each foreign country's name pool gives, then Vietnamese names."""
    seen: set[str] = set()
    pools: dict[str, list[str]] = {}

    def add(country: str, name: str) -> None:
        key = _title_key(name)
        if key not in seen:
            seen.add(key)
            pools.setdefault(country, []).append(name)

    for country in sorted((set(vocab.partners) | set(vocab.members)) - {"VN"}):
        for _ in range(400):
            add(country, _name(rng, vocab, country))
    middles, givens = NAMES["vi"][0] + VN_MORE_MIDDLE, NAMES["vi"][1] + VN_MORE_GIVEN
    for _ in range(20 * n):   # bounded; the space holds millions of names
        if len(seen) >= n:
            break
        first, second = rng.choice(middles), rng.choice(middles)
        middle = first if rng.random() < 0.5 or first == second else f"{first} {second}"
        add("VN", f"{rng.choice(vocab.vn_surnames)} {middle} {rng.choice(givens)}")
    return pools


def _documents(rng: random.Random, vocab: Vocabulary, p: str, start: int, n: int) -> list[Doc]:
    name = vocab.partners[p]
    seen: set[str] = set()
    out: list[Doc] = []
    first = max(start, 1990) // 5 * 5
    for a in range(first, LAST_YEAR + 1, 5):   # plans of action, one per five years
        title = DOCUMENT_TITLES["plan_of_action"][0].format(p=name, a=a + 1, b=a + 5)
        out.append(Doc(p, "plan_of_action", title, f"{a + 1}-{a + 5}", _day(rng, a, a)))
    out.append(Doc(p, "treaty", DOCUMENT_TITLES["treaty"][0], None, _day(rng, start, LAST_YEAR)))
    kinds = [k for k in vocab.kinds if k in DOCUMENT_TITLES and k not in ("plan_of_action", "treaty")]
    tries = 0
    while len(out) < n and tries < 50 * n:
        tries += 1
        kind = rng.choice(kinds)
        year = rng.randint(max(start, 1990), LAST_YEAR)
        target = year + rng.choice((5, 10, 15))
        title = rng.choice(DOCUMENT_TITLES[kind]).format(
            p=name, city=rng.choice(vocab.cities), topic=rng.choice(TOPICS), x=rng.choice(AGREEMENTS),
            y=target)
        if title in seen:
            continue
        seen.add(title)
        out.append(Doc(p, kind, title, str(target) if kind == "vision" else None, _day(rng, year, year)))
    return sorted(out, key=lambda d: d.day)


def _day(rng: random.Random, first: int, last: int) -> Date:
    return Date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))


def _figures(rng: random.Random, p: str, metric: str, first: int) -> list[Figure]:
    unit = FIGURES[metric][1]
    base = {"firms": 200.0, "tourists": 80_000.0}.get(metric, 1e9) * rng.uniform(0.5, 20)
    out = []
    for year in range(first, LAST_YEAR + 1):
        base *= rng.uniform(0.95, 1.15)
        out.append(Figure(p, metric, year, _round(base, unit), unit, False))
    return out


def _round(value: float, unit: str) -> float:
    """As articles state it: three significant digits (74,3 tỷ; 6.210 doanh nghiệp)."""
    if unit == "count":
        return float(int(float(f"{value:.3g}")))
    return float(f"{value:.3g}")


def _name(rng: random.Random, vocab: Vocabulary, country: str) -> str:
    culture = CULTURE.get(country, "sea")
    givens, families = NAMES[culture]
    if culture == "vi":
        middle = rng.choice(givens) + (" " + rng.choice(givens) if rng.random() < 0.5 else "")
        return f"{rng.choice(vocab.vn_surnames)} {middle} {rng.choice(families)}"
    if culture == "zh":
        return f"{rng.choice(families)} {rng.choice(givens)}" + (f" {rng.choice(givens)}" if rng.random() < 0.7 else "")
    if culture in ("ja", "ko"):
        return f"{rng.choice(families)} {rng.choice(givens)}"
    return f"{rng.choice(givens)} {rng.choice(families)}"


# -- writing articles -------------------------------------------------------------------------------

class Writer:
    """An article's text, a sentence at a time, each sentence's offsets kept for evidence."""

    def __init__(self, url: str, title: str, dateline: str) -> None:
        self.parts: list[str] = []
        self.pos = 0
        spans = []
        for line in (url, title, dateline):   # not prose: the store keeps them as boilerplate
            spans.append(Span(self.pos, self.pos + len(line)))
            self.parts += [line, "\n"]
            self.pos += len(line) + 1
        self.boilerplate = tuple(spans)
        self.body_start = self.pos
        self.sentences: list[Sentence] = []

    def say(self, text: str) -> Evidence:
        if self.sentences:
            sep = "\n" if len(self.sentences) % 3 == 0 else " "   # paragraphs of three sentences
            self.parts.append(sep)
            self.pos += 1
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        self.sentences.append(Sentence(start, self.pos, text, len(self.sentences)))
        return Evidence(start, self.pos, text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _vn_day(d: Date) -> str:
    return f"ngày {d.day}/{d.month}/{d.year}"


def _amount(value: float, unit: str) -> str:
    """Vietnamese number style: ',' for decimals, '.' for thousands."""
    if unit == "count":
        if value >= 1e6:
            return f"{value / 1e6:.1f}".replace(".", ",").removesuffix(",0") + " triệu"
        return f"{int(value):,}".replace(",", ".")
    for size, word in ((1e9, "tỷ"), (1e6, "triệu")):
        if value >= size:
            return f"{value / size:.2f}".rstrip("0").rstrip(".").replace(".", ",") + f" {word} USD"
    return f"{int(value):,}".replace(",", ".") + " USD"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Generator:
    """Articles about the world, as ``Processed`` values; deterministic for a seed.

    ``mentioned`` holds every event (meeting, level, document, figure, person) some article has
    mentioned: fusion makes about one canonical fact of each. In a distinct world (--canonical),
    a mention is, with chance ``FRESH``, of an event no article has mentioned yet (queued in a
    shuffled order, its date fitting the article's); otherwise it is chosen as usual (recent
    meetings, leaders and the documents in force first), so events are still repeated."""

    def __init__(self, world: World, seed: int = SEED) -> None:
        self.world = world
        self.rng = random.Random(seed + 1)
        self.everyone = world.all_persons()
        self.count = 0
        self.mentioned: set[int] = set()   # ids of the world's events mentioned so far
        self.doc_days = {p: [d.day for d in docs] for p, docs in world.documents.items()}
        self.fresh = FRESH if world.distinct else 0.0
        self.mechanisms: dict[tuple[str, ...], dict[str, list[list[Meeting]]]] = {}
        self.new_meetings: dict[tuple[str, ...], deque[Meeting]] = {}
        self.new_documents: dict[str, deque[Doc]] = {}
        self.new_figures: dict[str, deque[Figure]] = {}
        self.new_persons: dict[str, deque[Person]] = {}
        if self.fresh:
            order = random.Random(seed + 2)

            def shuffled(items: list[T]) -> deque[T]:
                order.shuffle(items)
                return deque(items)

            for key, all_series in world.meetings.items():
                by_mechanism = self.mechanisms.setdefault(key, {})
                for series in all_series:
                    by_mechanism.setdefault(series[0].mechanism, []).append(series)
                self.new_meetings[key] = shuffled([m for series in all_series for m in series])
            for p in world.partners:
                self.new_documents[p] = shuffled(list(world.documents[p]))
                self.new_figures[p] = shuffled([f for metric in world.vocab.metrics for f in world.figures[(p, metric)]])
            for country, people in world.persons.items():
                self.new_persons[country] = shuffled(list(people))

    def _seen(self, event: T) -> T:
        self.mentioned.add(id(event))
        return event

    def _new(self, queue: deque[T] | None, fits: Callable[[T], bool] | None = None, tries: int = 8) -> T | None:
        """With chance ``fresh``, the next event in ``queue`` no article has mentioned yet (one
        that does not fit the article goes to the back)."""
        if not self.fresh or self.rng.random() >= self.fresh:
            return None
        return self._next(queue, fits, tries)

    def _next(self, queue: deque[T] | None, fits: Callable[[T], bool] | None = None, tries: int = 8) -> T | None:
        for _ in range(min(tries, len(queue or ()))):
            assert queue is not None
            item = queue.popleft()
            if id(item) in self.mentioned:
                continue
            if fits is None or fits(item):
                return item
            queue.append(item)
        return None

    def articles(self) -> Iterator[Processed]:
        while True:
            yield self.article()

    def article(self) -> Processed:
        rng, w = self.rng, self.world
        self.count += 1
        partner = rng.choices(w.partners, w.weights)[0]
        published = Date(rng.randint(max(FIRST_YEAR, w.start[partner] + 1), LAST_YEAR),
                         rng.randint(1, 12), rng.randint(1, 28))
        pname = w.vocab.partners[partner]
        topic = rng.choice(TOPICS)
        article_id = f"bench-{self.count:07d}"
        url = f"https://{rng.choice(w.vocab.outlets)}/asean-{partner.lower()}-{self.count}.html"
        title = rng.choice(TITLES_OF_ARTICLES).format(p=pname, topic=topic)
        writer = Writer(url, title, f"Hà Nội, {published.day}/{published.month}/{published.year} (TTXVN)")
        facts: list[Fact] = []
        for _ in range(rng.choice((0, 1, 1, 1, 2))):
            facts += self._meeting(writer, article_id, partner, published)
        if rng.random() < 0.4:
            facts += self._level(writer, article_id, partner, published)
        for _ in range(rng.choice((0, 1, 1, 2))):
            facts += self._document(writer, article_id, partner, published)
            writer.say(rng.choice(FILLERS).format(p=pname, topic=topic, topic2=rng.choice(TOPICS)))
        for _ in range(rng.choice((0, 1, 1, 2))):
            facts += self._figure(writer, article_id, partner, published)
        for _ in range(rng.choice((3, 4, 4, 5, 6))):
            facts += self._person(writer, article_id, partner)
        facts = _once_per_article(facts)
        article = Article(article_id, writer.text, f"bench_kb/{article_id}.txt", "txt", url, None,
                          published.isoformat())
        doc = Document(article, title, published.isoformat(), "dateline", False, writer.body_start,
                       writer.boilerplate, tuple(writer.sentences))
        return Processed(doc, tuple(facts))

    # each returns the facts the sentences it wrote state

    def _meeting(self, writer: Writer, article: str, partner: str, published: Date) -> list[Fact]:
        rng, w = self.rng, self.world
        if rng.random() < 0.1:
            key: tuple[str, ...] = w.vocab.plus_three if partner in w.vocab.plus_three and rng.random() < 0.4 else ()
        else:
            key = (partner,)
        m = self._new(self.new_meetings.get(key), lambda m: m.day.year <= published.year + 1)
        if m is None:
            series = self._series(key)
            held = [m for m in series if m.day.year <= published.year + 1]
            if not held:
                return []
            # recent meetings are the ones articles talk about
            m = held[max(0, len(held) - 1 - int(rng.expovariate(0.25)))]
        self._seen(m)
        if not m.numbered:
            return self._unnumbered(writer, article, m, published)
        planned = m.day > published
        name = m.name
        when = _vn_day(m.day)
        ordinal: int | None = m.ordinal
        date: str | None = m.day.isoformat()
        place: str | None = m.place
        online: bool | None = None
        roll = rng.random()
        if planned:
            text = MEETING_PLANNED.format(M=_cap(name), n=m.ordinal, place=m.place, date=when)
        elif roll < 0.02:   # a source that got the ordinal wrong
            ordinal = m.ordinal + (1 if m.ordinal == 1 else rng.choice((-1, 1)))
            text = MEETING_DAY[1].format(M=_cap(name), n=ordinal, place=m.place, date=when)
        elif roll < 0.05:   # named without its ordinal: fusion places it by its date
            ordinal = None
            text = MEETING_UNNUMBERED.format(M=_cap(name), place=m.place, date=when)
        elif roll < 0.35:
            if m.online:
                text, place, online = MEETING_ONLINE.format(M=_cap(name), n=m.ordinal, date=when), None, True
            elif rng.random() < 0.25 and w.persons.get("VN"):
                person = self._seen(rng.choice(w.persons["VN"]))
                text = MEETING_WITH_PERSON.format(who=f"{person.role} {person.name}", m=name, n=m.ordinal,
                                                  place=m.place, date=when)
                ev = writer.say(text)
                return [self._meeting_fact(article, m, ev, ordinal, date, place, online, planned),
                        _person_fact(article, person, ev)]
            else:
                text = rng.choice(MEETING_DAY).format(d=f"{m.day.day}/{m.day.month}/{m.day.year}", m=name,
                                                      M=_cap(name), n=m.ordinal, place=m.place, date=when)
        elif roll < 0.6:
            date, place = m.day.isoformat()[:7], None
            text = MEETING_MONTH.format(month=f"{m.day.month}/{m.day.year}", m=name, n=m.ordinal)
        else:
            date, place = None, None
            text = rng.choice(MEETING_REF).format(m=name, n=m.ordinal, topic=rng.choice(TOPICS))
        return [self._meeting_fact(article, m, writer.say(text), ordinal, date, place, online, planned)]

    def _series(self, key: tuple[str, ...]) -> list[Meeting]:
        """A series of meetings with these partners; in a distinct world a mechanism first, so that
        a mechanism of many series (ministers of many sectors) is not mentioned more than others."""
        if not self.fresh:
            return self.rng.choice(self.world.meetings[key])
        by_mechanism = self.mechanisms[key]
        return self.rng.choice(by_mechanism[self.rng.choice(list(by_mechanism))])

    def _unnumbered(self, writer: Writer, article: str, m: Meeting, published: Date) -> list[Fact]:
        """A meeting articles name without an ordinal, always with its day."""
        rng, w = self.rng, self.world
        when, date = _vn_day(m.day), m.day.isoformat()
        place: str | None = m.place
        online: bool | None = None
        if m.day > published:
            text = UNNUMBERED_PLANNED.format(M=_cap(m.name), place=m.place, date=when)
        elif m.online:
            text, place, online = UNNUMBERED_ONLINE.format(M=_cap(m.name), date=when), None, True
        elif rng.random() < 0.25 and w.persons.get("VN"):
            person = self._seen(rng.choice(w.persons["VN"]))
            ev = writer.say(UNNUMBERED_WITH_PERSON.format(who=f"{person.role} {person.name}", m=m.name,
                                                          place=m.place, date=when))
            return [self._meeting_fact(article, m, ev, None, date, place, online, False),
                    _person_fact(article, person, ev)]
        else:
            text = MEETING_UNNUMBERED.format(M=_cap(m.name), place=m.place, date=when)
        return [self._meeting_fact(article, m, writer.say(text), None, date, place, online, m.day > published)]

    @staticmethod
    def _meeting_fact(article: str, m: Meeting, ev: Evidence, ordinal: int | None, date: str | None,
                      place: str | None, online: bool | None, planned: bool) -> Fact:
        return _fact("meeting", article, m.partners, date, ev, mechanism=m.mechanism, ordinal=ordinal,
                     end_date=None, online=online, location=place, special=False, status="planned" if planned else "held",
                     date_source="text")

    def _level(self, writer: Writer, article: str, partner: str, published: Date) -> list[Fact]:
        rng, w = self.rng, self.world
        pname = w.vocab.partners[partner]
        reached = [lv for lv in w.levels[partner] if lv.day < published]
        if not reached:
            return []
        ahead = [lv for lv in w.levels[partner] if lv.day >= published]
        roll = rng.random()
        if ahead and roll < 0.15:
            words = w.vocab.level_words[self._seen(ahead[0]).level]
            ev = writer.say(LEVEL_ASPIRED.format(level=words))
            return [_fact("partnership", article, (partner,), None, ev, level=ahead[0].level, status="aspired")]
        if roll < 0.35:
            lv = self._seen(reached[-1])    # the level in force, stated without a date
            words = w.vocab.level_words[lv.level].removeprefix("Quan hệ ")   # "Quan hệ đối thoại"
            ev = writer.say(LEVEL_CURRENT.format(level=words, p=pname))
            return [_fact("partnership", article, (partner,), None, ev, level=lv.level, status="established")]
        lv = self._seen(rng.choice(reached))
        words = w.vocab.level_words[lv.level]
        if lv.first and published.year > lv.day.year and roll < 0.6:
            ev = writer.say(LEVEL_ANNIVERSARY.format(p=pname, k=published.year - lv.day.year, year=lv.day.year,
                                                     now=published.year, level=words.lower()))
            date = str(lv.day.year)
        elif lv.first:
            ev = writer.say(LEVEL_FIRST.format(year=lv.day.year, p=pname, level=words.lower()))
            date = str(lv.day.year)
        else:
            ev = writer.say(LEVEL_REACHED.format(month=f"{lv.day.month}/{lv.day.year}", p=pname, level=words))
            date = lv.day.isoformat()[:7]
        return [_fact("partnership", article, (partner,), date, ev, level=lv.level, status="established")]

    def _document(self, writer: Writer, article: str, partner: str, published: Date) -> list[Fact]:
        rng, w = self.rng, self.world
        pname = w.vocab.partners[partner]
        docs = w.documents[partner]
        d = self._new(self.new_documents.get(partner), lambda d: d.day.year <= published.year + 1)
        if d is None:
            known = docs[:bisect_right(self.doc_days[partner], published)] or docs[:1]   # docs are by day
            d = known[max(0, len(known) - 1 - int(rng.expovariate(0.05)))] if rng.random() < 0.7 else rng.choice(known)
        self._seen(d)
        attributes: dict[str, Any] = {"kind": d.kind, "title": d.title, "period": d.period}
        date: str | None = None
        if d.day > published:
            action = "planned"
        elif d.kind == "plan_of_action" and rng.random() < 0.3:
            pct = rng.randint(40, 99)
            ev = writer.say(DOCUMENT_COMPLETION.format(pct=pct, t=d.title))
            return [_fact("document", article, (partner,), None, ev, **attributes, action="implemented",
                          completion=pct / 100)]
        else:
            action = {"treaty": "acceded"}.get(d.kind) or rng.choice(("adopted", "signed", "implemented",
                                                                     "implemented", "negotiating"))
        when = ""
        if action in ("adopted", "signed", "acceded"):
            if rng.random() < 0.5:
                when, date = _vn_day(d.day), d.day.isoformat()
            else:
                when, date = f"năm {d.day.year}", str(d.day.year)
        text = DOCUMENT_ACTIONS[action].format(t=d.title, p=pname, P=_cap(pname), date=when,
                                               Date=_cap(when)).replace(" .", ".")
        if text.startswith(", "):
            text = _cap(text[2:])
        return [_fact("document", article, (partner,), date, writer.say(text), **attributes, action=action)]

    def _figure(self, writer: Writer, article: str, partner: str, published: Date) -> list[Fact]:
        rng, w = self.rng, self.world
        pname = w.vocab.partners[partner]
        if rng.random() < 0.1:
            goal = next((f for f in w.targets[partner] if f.year > published.year), None)
            if goal is None:
                return []
            self._seen(goal)
            ev = writer.say(FIGURE_TARGET.format(amount=_amount(goal.value, "USD"), y=goal.year))
            return [_fact("indicator", article, (partner,), str(goal.year), ev, metric="trade", value=goal.value,
                          unit="USD", year=goal.year, target=True)]
        fresh = self._new(self.new_figures.get(partner), lambda f: f.year < published.year)
        if fresh is None:
            series = w.figures[(partner, rng.choice(w.vocab.metrics))]
            past = [f for f in series if f.year < published.year]
            if not past:
                return []
            f = past[max(0, len(past) - 1 - int(rng.expovariate(0.5)))]
        else:
            f = fresh
        self._seen(f)
        value = f.value
        roll = rng.random()
        if roll < 0.03:    # a source with another figure: a conflict for fusion to report
            value = _round(value * rng.choice((0.8, 1.25)), f.unit)
        elif roll < 0.2 and abs(float(f"{value:.2g}") - value) <= 0.015 * value:
            value = float(f"{value:.2g}")   # rounded further, within fusion's tolerance
        sentence = FIGURES[f.metric][0].format(y=f.year, p=pname, amount=_amount(value, f.unit))
        return [_fact("indicator", article, (partner,), str(f.year), writer.say(sentence), metric=f.metric,
                      value=value, unit=f.unit, year=f.year, target=False)]

    def _person(self, writer: Writer, article: str, partner: str) -> list[Fact]:
        rng, w = self.rng, self.world
        roll = rng.random()
        pool = w.persons.get(partner) if roll < 0.4 else w.persons.get("VN") if roll < 0.7 else None
        pool = pool or self.everyone
        person = None
        if self.fresh and rng.random() < self.fresh:
            person = (self._next(self.new_persons.get(partner if roll < 0.4 else "VN"))
                      or self._next(self.new_persons.get("VN")))
        if person is None:
            # a few people are in the news all the time
            person = pool[int(len(pool) * rng.random() ** 4)] if rng.random() < 0.3 else rng.choice(pool)
        self._seen(person)
        if rng.random() < 0.15:
            other = self._seen(rng.choice(self.everyone))
            if other.name != person.name:
                ev = writer.say(PERSONS_MEET.format(who=_cap(_who(person)), who2=_who(other)))
                return [_person_fact(article, person, ev), _person_fact(article, other, ev)]
        sentence = rng.choice(PERSON_SAYS).format(who=_who(person), p=w.vocab.partners[partner],
                                                  topic=rng.choice(TOPICS))
        return [_person_fact(article, person, writer.say(_cap(sentence)))]


def _who(person: Person) -> str:
    return " ".join(x for x in (person.role, person.where, person.name) if x)


def _fact(what: FactType, article: str, partners: tuple[str, ...], date: str | None, ev: Evidence,
          **attributes: Any) -> Fact:
    return Fact(what, article, partners, date, (ev,), 0.7, attributes)


def _person_fact(article: str, person: Person, ev: Evidence) -> Fact:
    return _fact("person", article, (), None, ev, name=person.name, role=person.role, country=person.country)


def _once_per_article(facts: list[Fact]) -> list[Fact]:
    """One fact per event per article, as the extractor emits it: a repeat adds its evidence."""
    out: dict[str, Fact] = {}
    for f in facts:
        key = json.dumps([f.type, f.partners, f.date, f.attributes], sort_keys=True, ensure_ascii=False)
        seen = out.get(key)
        if seen is None:
            out[key] = f
        elif f.evidence[0] not in seen.evidence:
            out[key] = Fact(seen.type, seen.article, seen.partners, seen.date, seen.evidence + f.evidence,
                            seen.confidence, seen.attributes)
    return list(out.values())


# -- building the store ------------------------------------------------------------------------------

@dataclass
class Build:
    articles: int = 0
    facts: int = 0
    canonical: int = 0
    sentences: int = 0
    events: int = 0            # distinct events the articles mention (about one canonical fact each)
    generate_s: float = 0.0
    ingest_s: float = 0.0
    refresh_s: float = 0.0
    blocks: int = 0
    bytes: int = 0

    @property
    def total_s(self) -> float:
        return self.generate_s + self.ingest_s + self.refresh_s


def build(store: Store, world: World, facts: int, *, batch_size: int = 500, seed: int = SEED,
          progress: Callable[[str], None] | None = None, canonical: int | None = None) -> Build:
    """Ingest generated articles until the store holds at least ``facts`` facts, then fuse.

    ``canonical`` (with a world made for it): until the articles mention that many distinct
    events instead, so that fusion makes at least about that many canonical facts."""
    gen = Generator(world, seed)
    report = Build()
    produced = 0

    def more() -> bool:
        if canonical is None:
            return produced < facts
        return len(gen.mentioned) < canonical and produced < 50 * canonical   # bounded, in case

    def stream() -> Iterator[Processed]:
        nonlocal produced
        while more():
            t = time.perf_counter()
            item = gen.article()
            report.generate_s += time.perf_counter() - t
            produced += len(item.facts)
            yield item

    def stored(_: object) -> None:
        if progress is not None and gen.count % 20_000 < batch_size:
            progress(f"{produced:,} facts in {gen.count:,} articles, {len(gen.mentioned):,} distinct events")

    start = time.perf_counter()
    ingest_all(store, stream(), batch_size=batch_size, on_stored=stored)
    report.ingest_s = time.perf_counter() - start - report.generate_s
    start = time.perf_counter()

    def fused(n: int) -> None:
        report.blocks += n
        if progress is not None and report.blocks % 20_000 < n:
            progress(f"{report.blocks:,} blocks fused in {time.perf_counter() - start:.0f} s")

    kb.refresh(store, progress=fused)
    report.refresh_s = time.perf_counter() - start
    counts = store.counts()
    report.articles, report.facts = counts["articles"], counts["facts"]
    report.canonical, report.sentences = counts["canonical"], counts["sentences"]
    report.events = len(gen.mentioned)
    return report


# -- measuring ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    name: str
    runs: list[float]       # milliseconds
    results: float          # mean number of items an answer held

    def p(self, q: float) -> float:
        ordered = sorted(self.runs)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.name, "runs": len(self.runs), "p50_ms": round(self.p(0.5), 2),
                "p95_ms": round(self.p(0.95), 2), "max_ms": round(max(self.runs), 2),
                "mean_items": round(self.results, 1)}


def _size(answer: Any) -> int:
    if isinstance(answer, kb.Page):
        return len(answer.items)
    if isinstance(answer, kb.MechanismSeries):
        return len(answer.entries)
    if isinstance(answer, kb.LevelAsOf):
        return int(answer.level is not None)
    if isinstance(answer, dict):
        return len(answer.get("evidence", []))
    return len(answer) if isinstance(answer, list) else 1


def time_query(name: str, call: Callable[[random.Random], Any], runs: int, seed: int) -> Timing:
    """``runs`` timed calls after a tenth as many untimed ones (a warm cache, as a server has)."""
    warm = random.Random(seed)
    for _ in range(max(1, runs // 10)):
        call(warm)
    rng = random.Random(seed + 1)
    times, items = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        answer = call(rng)
        times.append((time.perf_counter() - t) * 1000)
        items += _size(answer)
    return Timing(name, times, items / runs)


def fact_ids(store: Store, limit: int = 5000, seed: int = SEED) -> list[str]:
    """A uniform sample of canonical fact ids (reservoir over one pass, outside the timings)."""
    rng = random.Random(seed)
    sample: list[str] = []
    for i, record in enumerate(store.canonical(CanonicalFilter())):
        if len(sample) < limit:
            sample.append(record["id"])
        elif (j := rng.randrange(i + 1)) < limit:
            sample[j] = record["id"]
    return sample


COMMON_QUERY = "hợp tác ASEAN"


def queries(store: Store, world: World, ids: Sequence[str]) -> list[tuple[str, Callable[[random.Random], Any]]]:
    partners = world.partners
    # names in Latin script are rare words; Vietnamese (and Sino-Vietnamese) names are made of
    # syllables that are common words too ("Trung", "Quốc", "Văn"), so they are timed apart
    people = world.all_persons()
    foreign = [p for p in people if CULTURE.get(p.country, "sea") not in ("vi", "zh")]
    vietnamese = [p for p in people if p.country == "VN"] or people

    def pick(rng: random.Random) -> str:
        return rng.choices(partners, world.weights)[0]

    def period(rng: random.Random) -> tuple[str, str]:
        first = rng.randint(1980, LAST_YEAR - 4)
        return str(first), str(first + 4)

    def as_of(rng: random.Random) -> str:
        return (Date(1975, 1, 1) + timedelta(days=rng.randint(0, 51 * 365))).isoformat()

    def mechanism(rng: random.Random) -> kb.MechanismSeries:
        key = rng.choice(list(world.meetings))
        series = rng.choice(world.meetings[key])
        return kb.mechanism_series(store, series[0].mechanism, list(key))

    return [
        ("timeline, first page of 100", lambda rng: kb.timeline(store, pick(rng))),
        ("timeline, 5-year period", lambda rng: kb.timeline(store, pick(rng), since=(pp := period(rng))[0],
                                                            until=pp[1])),
        ("level as of a date", lambda rng: kb.level_as_of(store, pick(rng), as_of(rng))),
        (f"search, common ({COMMON_QUERY!r})", lambda rng: query.search(store, COMMON_QUERY, limit=20)),
        ("search, rare (a foreign name)", lambda rng: query.search(store, rng.choice(foreign).name, limit=20)),
        ("search, a Vietnamese name", lambda rng: query.search(store, rng.choice(vietnamese).name, limit=20)),
        ("one fact with its evidence", lambda rng: kb.fact(store, rng.choice(ids))),
        ("figure series", lambda rng: kb.figure_series(store, pick(rng), rng.choice(kb.METRICS))),
        ("mechanism series", mechanism),
    ]


# -- report ------------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform()}


def table(timings: Sequence[Timing]) -> str:
    width = max(len(t.name) for t in timings)
    lines = [f"{'query':<{width}} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'items':>7}"]
    for t in timings:
        flag = "" if t.p(0.95) <= TARGET_MS else "  > target"
        lines.append(f"{t.name:<{width}} {len(t.runs):>5} {t.p(0.5):>8.2f} {t.p(0.95):>8.2f} "
                     f"{max(t.runs):>8.2f} {t.results:>7.1f}{flag}")
    return "\n".join(lines)


def _file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quanhe.bench_kb", description=__doc__.split("\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000, help="extracted facts to store (default 1000000)")
    parser.add_argument("--canonical", type=int, metavar="N",
                        help="instead of --facts: mostly distinct events, until the articles mention N of "
                             "them, so that the fused store holds about N (at least N) canonical facts")
    parser.add_argument("--db", help="store file; one that already holds a store is measured, not rebuilt "
                                     "(give the --facts or --canonical and --seed it was built with)")
    parser.add_argument("--keep", action="store_true", help="keep the store file afterwards")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per query (default 200)")
    parser.add_argument("--batch-size", type=int, default=500, help="articles per ingest transaction")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    if args.facts < 100 or args.runs < 1 or (args.canonical is not None and args.canonical < 100):
        parser.error("--facts and --canonical must be at least 100 and --runs at least 1")

    tmp = None if args.db else Path(tempfile.mkdtemp(prefix="quanhe-bench-kb-"))
    path = Path(args.db) if args.db else Path(str(tmp)) / "kb.db"
    reuse = path.exists() and path.stat().st_size > 0

    def say(message: str) -> None:
        if not args.json:
            print(f"  {message}", file=sys.stderr, flush=True)

    world = make_world(args.facts, args.seed, canonical=args.canonical)
    try:
        built: Build | None = None
        if not reuse:
            say(f"building {path} with " + (f"{args.facts:,} facts" if args.canonical is None
                                            else f"{args.canonical:,} distinct events"))
            with open_store(path) as store:
                built = build(store, world, args.facts, batch_size=args.batch_size, seed=args.seed,
                              progress=say, canonical=args.canonical)
            built.bytes = _file_size(path)   # after close: the WAL is checkpointed into the file
        with open_store(path, readonly=True) as store:
            counts = store.counts()
            by_type = {t: store.canonical_count(CanonicalFilter(types=(t,))) for t in kb.FACT_TYPES}
            say("sampling fact ids")
            ids = fact_ids(store, seed=args.seed)
            timings = []
            for name, call in queries(store, world, ids):
                say(f"timing {name}")
                timings.append(time_query(name, call, args.runs, args.seed))
    finally:
        if not args.keep and not reuse:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    p.unlink(missing_ok=True)

    m = machine()
    if args.json:
        print(json.dumps({"machine": m, "store": str(path), "counts": counts, "canonical_by_type": by_type,
                          "build": None if built is None else {**built.__dict__, "total_s": built.total_s},
                          "timings": [t.as_dict() for t in timings]}))
        return 0
    print(f"machine: {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}, {m['platform']}")
    print(f"store: {counts['articles']:,} articles, {counts['facts']:,} facts, {counts['canonical']:,} canonical "
          f"facts, {counts['sentences']:,} sentences" + (f" ({path}, reused)" if reuse else ""))
    print("canonical facts: " + ", ".join(f"{n:,} {t}" for t, n in by_type.items()))
    if built is not None:
        print(f"build: {built.total_s:.0f} s (generate {built.generate_s:.0f} s, ingest {built.ingest_s:.0f} s, "
              f"fuse {built.refresh_s:.0f} s, {built.blocks:,} blocks; {built.events:,} distinct events "
              f"mentioned); {built.bytes / 2**20:,.0f} MB on disk"
              + (f"; kept at {path}" if args.keep else ""))
    print(table(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
