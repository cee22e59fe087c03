"""Extraction: a cleaned article -> the contract's facts, each citing its sentences.

Each fact type has its own module reading the same per-sentence context; this function only
composes them, so a type can be improved (or replaced by a model) without touching the others.
"""
from __future__ import annotations

from quanhe.extract.context import build_context
from quanhe.extract.documents import extract_documents
from quanhe.extract.indicators import extract_indicators
from quanhe.extract.meetings import extract_meetings
from quanhe.extract.partnerships import extract_partnerships
from quanhe.extract.persons import extract_persons
from quanhe.model import Document, Fact

EXTRACTORS = (extract_meetings, extract_partnerships, extract_documents, extract_indicators, extract_persons)


def extract(doc: Document) -> list[Fact]:
    ctx = build_context(doc)
    facts: list[Fact] = []
    for extractor in EXTRACTORS:
        facts.extend(extractor(ctx))
    return facts
