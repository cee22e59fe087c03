"""Throughput of the pipeline on one core: ``python -m quanhe.bench`` (or ``make bench``).

Two measurements over a corpus (default ``../shared/corpus/dev``) repeated to at least
``--articles`` articles, in this one process, no workers:

* **extract**: clean + extract (``quanhe.pipeline.process``) of articles already read into memory;
* **ingest**: the same plus writing each result into a fresh SQLite file (``quanhe.store``),
  in batches like ``quanhe ingest``.

Every copy gets its own id and a distinct last line, so neither a cache keyed on the text nor the
store's "unchanged article" shortcut can make a copy cheaper than the first one. Peak memory is
the process's resident high-water mark (``ru_maxrss``) after each phase. Reading files is not
timed: it is I/O, measured separately by ``quanhe ingest`` itself.

This is a tool, not a test: timings depend on the machine, so no test asserts on them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from quanhe.model import Article, Rejected
from quanhe.pipeline import Processed, process
from quanhe.read import read_paths

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = Path("..") / "shared" / "corpus" / "dev"


@dataclass(frozen=True)
class Result:
    phase: str
    articles: int
    seconds: float
    facts: int
    peak_rss_mb: float

    @property
    def per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "articles": self.articles, "seconds": round(self.seconds, 3),
                "articles_per_s": round(self.per_second, 1), "facts": self.facts,
                "peak_rss_mb": round(self.peak_rss_mb, 1)}


def find_corpus(given: str | None) -> Path:
    """``--corpus`` as given; else ../shared/corpus/dev beside the working folder, then the repo."""
    if given is not None:
        return Path(given)
    for base in (Path.cwd(), REPO):
        candidate = (base / DEFAULT_CORPUS).resolve()
        if candidate.is_dir():
            return candidate
    return (REPO / DEFAULT_CORPUS).resolve()


def load(corpus: Path) -> list[Article]:
    if not corpus.is_dir():
        raise SystemExit(f"bench: no corpus folder at {corpus}; pass --corpus DIR")
    articles = []
    for item in read_paths([corpus]):
        if isinstance(item, Rejected):
            print(f"bench: skipped {item.source}: {item.reason}", file=sys.stderr)
        else:
            articles.append(item)
    if not articles:
        raise SystemExit(f"bench: no readable articles in {corpus}")
    return articles


def copies(articles: Sequence[Article], at_least: int) -> Iterator[Article]:
    """Whole rounds of the corpus until ``at_least`` articles; each copy distinct in id and text."""
    rounds = -(-at_least // len(articles))
    for n in range(rounds):
        for a in articles:
            yield replace(a, id=f"{a.id}~{n}", text=f"{a.text}\n(bản sao {n})\n")


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def bench_extract(articles: Sequence[Article], at_least: int) -> Result:
    work = list(copies(articles, at_least))
    facts = 0
    start = time.perf_counter()
    for article in work:
        facts += len(process(article).facts)
    seconds = time.perf_counter() - start
    return Result("extract", len(work), seconds, facts, peak_rss_mb())


def bench_ingest(articles: Sequence[Article], at_least: int, batch_size: int) -> Result:
    from quanhe.store import ingest_all, open_store

    work = list(copies(articles, at_least))
    with tempfile.TemporaryDirectory(prefix="quanhe-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        start = time.perf_counter()
        with open_store(db) as store:
            stream: Iterator[Processed] = (process(a) for a in work)
            report = ingest_all(store, stream, batch_size=batch_size)
            seconds = time.perf_counter() - start
            facts = store.counts()["facts"]
    if report.added != len(work):
        raise SystemExit(f"bench: expected {len(work)} new articles, store says {report.summary()}")
    return Result("ingest", len(work), seconds, facts, peak_rss_mb())


def table(results: Sequence[Result]) -> str:
    lines = [f"{'phase':<8} {'articles':>8} {'seconds':>8} {'articles/s':>10} {'facts':>7} {'peak RSS MB':>11}"]
    for r in results:
        lines.append(f"{r.phase:<8} {r.articles:>8} {r.seconds:>8.2f} {r.per_second:>10.1f} "
                     f"{r.facts:>7} {r.peak_rss_mb:>11.1f}")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(), "platform": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quanhe.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", help="folder of articles (default ../shared/corpus/dev)")
    parser.add_argument("--articles", type=int, default=5000, help="at least this many (default 5000)")
    parser.add_argument("--batch-size", type=int, default=100, help="articles per ingest transaction")
    parser.add_argument("--only", choices=("extract", "ingest"), help="run one phase")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")

    corpus = find_corpus(args.corpus)
    articles = load(corpus)
    process(articles[0])   # load data files and build the gazetteer before timing
    results = []
    if args.only in (None, "extract"):
        results.append(bench_extract(articles, args.articles))
    if args.only in (None, "ingest"):
        results.append(bench_ingest(articles, args.articles, args.batch_size))

    if args.json:
        print(json.dumps({"corpus": str(corpus), "distinct_articles": len(articles),
                          "machine": machine(), "results": [r.as_dict() for r in results]}))
    else:
        m = machine()
        print(f"corpus {corpus} ({len(articles)} articles, repeated); one process; "
              f"Python {m['python']}, SQLite {m['sqlite']}, {m['cpus']} CPUs")
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
