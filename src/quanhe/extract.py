"""Extraction: placeholder until the real stage lands."""
from __future__ import annotations

from quanhe.model import Document, Fact


def extract(doc: Document) -> list[Fact]:
    return []
