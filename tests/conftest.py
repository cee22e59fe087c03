"""Fixtures shared by the knowledge-base, dossier and API tests."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quanhe import kb
from quanhe.pipeline import process_all
from quanhe.read import read_paths
from quanhe.store import Store, ingest_all, open_store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_CORPUS = (SHARED / "corpus" / "seeds", SHARED / "corpus" / "dev")


@pytest.fixture(scope="session")
def shared_kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite store holding the whole shared corpus (seeds + dev), ingested and fused once."""
    missing = [str(p) for p in SHARED_CORPUS if not p.is_dir()]
    if missing:
        pytest.fail(f"the shared corpus must sit beside the repository: missing {missing}")
    path = tmp_path_factory.mktemp("kb") / "shared.db"
    with open_store(path) as store:
        report = ingest_all(store, process_all(read_paths([str(p) for p in SHARED_CORPUS])))
        assert report.failed == 0
        kb.refresh(store)
    return path


@pytest.fixture()
def shared_kb(shared_kb_path: Path) -> Iterator[Store]:
    """The shared-corpus store, opened for one test (read it, don't write it)."""
    with open_store(shared_kb_path, create=False) as store:
        yield store
