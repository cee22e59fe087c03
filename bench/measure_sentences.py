"""Measure underthesea's sent_tokenize against quanhe's splitter on our articles.

Run with an environment that has underthesea installed (it is not a dependency of quanhe):

    python -m venv /tmp/uts && /tmp/uts/bin/pip install underthesea
    PYTHONPATH=src /tmp/uts/bin/python bench/measure_sentences.py ../shared/corpus

It reports how many sentences each finds, whether each sentence can be found back in the text
(offsets are what evidence spans need), and what each does on the hard cases of our corpus:
captions glued to the next sentence ("Blinken.Ngoại trưởng"), abbreviations ("U.S..",
"TP.HCM", "Washington D.C."), numbers with dots ("6.200", "98.37%").
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from quanhe.language.sentences import paragraphs, split_paragraph

HARD_CASES = [
    ("glued caption", "Ngoại trưởng Hoa Kỳ Anthony Blinken.Ngoại trưởng Blinken nhấn mạnh hợp tác.", 2),
    ("glued caption 2", "Thủ tướng Phạm Minh Chính dự Hội nghị.Các nước hoan nghênh tiến triển.", 2),
    ("U.S..", "Hàng loạt thỏa thuận đạt được tại Hội nghị Cấp cao ASEAN-U.S.. Các đại biểu thảo luận.", 2),
    ("TP.HCM", "Đoàn đến TP.HCM hôm qua. Sau đó đoàn ra Hà Nội.", 2),
    ("D.C.", "Cuộc gặp tại thủ đô Washington D.C., Bộ trưởng đã có các cuộc gặp.", 1),
    ("thousands dot", "Có hơn 6.200 doanh nghiệp Hoa Kỳ. Tỷ lệ hoàn thành đạt 98.37%.", 2),
    ("quote", "Ông nói: \"Hai bên sẽ hợp tác.\" Sau đó hội nghị bế mạc.", 2),
    ("domain in credit", "Hội nghị diễn ra tại Hà Nội (Nguồn: sputniknews.com). Hai bên ký kết.", 2),
]


def ours(text: str) -> list[str]:
    return [text[s:e] for a, b in paragraphs(text) for s, e, _ in split_paragraph(text, a, b)]


def main() -> None:
    from underthesea import sent_tokenize

    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.glob("*/*.txt"))]
    for name, split in (("underthesea", lambda t: [s for line in t.split("\n") for s in sent_tokenize(line)]),
                        ("quanhe", ours)):
        start = time.perf_counter()
        found = [split(t) for t in texts]
        seconds = time.perf_counter() - start
        sentences = sum(len(f) for f in found)
        locatable = sum(1 for t, f in zip(texts, found) for s in f if s and s in t)
        print(f"{name:12} {len(texts)} articles, {sentences} sentences, {locatable} found verbatim in the text "
              f"({locatable / sentences:.1%}), {seconds:.2f} s")
    print("hard cases (expected sentence count):")
    for name, text, expected in HARD_CASES:
        theirs = len(sent_tokenize(text))
        print(f"  {name:16} expected {expected}  underthesea {theirs}  quanhe {len(ours(text))}")


if __name__ == "__main__":
    main()
