"""Cleaning: placeholder until the real stage lands (prose = every line)."""
from __future__ import annotations

from quanhe.model import Article, Document, Sentence


def clean(article: Article) -> Document:
    sentences = []
    pos = 0
    for i, line in enumerate(article.text.split("\n")):
        if line.strip():
            sentences.append(Sentence(pos, pos + len(line), line, i))
        pos += len(line) + 1
    return Document(article, article.title, article.published, None, False, 0, (), tuple(sentences))
