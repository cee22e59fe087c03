"""The ``quanhe`` command: parse the arguments, call the library, print. Nothing else lives here.

Exit codes: 0 success, 1 some input failed (one ``quanhe: error: <source>: <reason>`` line on
stderr each), 2 usage error, 3 store error. JSON Lines go to stdout; everything else to stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from quanhe import __version__, export, kb, query, settings
from quanhe.errors import QuanheError, UsageError
from quanhe.model import Rejected
from quanhe.store.base import Store

Command = Callable[[argparse.Namespace, settings.Settings], int]

FACT_HEADER = ("article", "type", "partners", "date", "details", "evidence")
HELP = """\
examples:
  quanhe extract ../shared/corpus/seeds > facts.jsonl
  quanhe ingest ../shared/corpus/dev
  quanhe facts --partner US --type meeting --since 2015 --until 2020
  quanhe search "hoa ky tri tue nhan tao"
  quanhe export --format parquet --output facts.parquet
  quanhe eval --gold ../shared/gold/dev --corpus ../shared/corpus/dev

exit codes: 0 ok, 1 some input failed, 2 usage error, 3 store error
"""


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        flags = {name: getattr(args, name, None) for name in settings.BY_NAME}
        resolved = settings.load(flags, config=getattr(args, "config", None))
        command: Command = args.command
        return command(args, resolved)
    except QuanheError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # the reader (head, less) went away: it has what it wanted, so stop quietly and succeed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help=f"the store (env QUANHE_DB, default {settings.BY_NAME['db'].default})")
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help="settings file (env QUANHE_CONFIG, default ./quanhe.toml if present)")
    parser = argparse.ArgumentParser(
        prog="quanhe", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Vietnamese news on ASEAN's external relations -> cited facts -> a store.",
        epilog=HELP + "\n" + settings.describe())
    parser.add_argument("--version", action="version", version=f"quanhe {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, run: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(command=run)
        return p

    def inputs(p: argparse.ArgumentParser) -> None:
        p.add_argument("paths", nargs="+", metavar="PATH",
                       help="article files (.txt, .html, .jsonl), folders, or - for stdin")
        p.add_argument("--max-bytes", dest="max_bytes", metavar="SIZE",
                       help="skip files larger than this (env QUANHE_MAX_BYTES, default 20MB)")

    def output(p: argparse.ArgumentParser, choices: tuple[str, ...], default: str) -> None:
        p.add_argument("--format", choices=choices, help=f"output format (default {default})")

    p = command("extract", cmd_extract, "print the records of articles as JSON Lines (no store)")
    inputs(p)
    output(p, ("jsonl", "table"), "jsonl")

    p = command("ingest", cmd_ingest, "read, extract and store articles (re-ingesting is safe)")
    inputs(p)
    p.add_argument("--batch-size", dest="batch_size", type=int, metavar="N",
                   help="articles per transaction (env QUANHE_BATCH_SIZE, default 100)")

    p = command("facts", cmd_facts, "list stored facts")
    p.add_argument("--partner", help="a partner code: US, CN, JP, KR, EU ...")
    p.add_argument("--type", help="meeting, partnership, document, indicator or person")
    p.add_argument("--since", metavar="DATE", help="from this ISO date: 2015, 2015-11, 2015-11-14")
    p.add_argument("--until", metavar="DATE", help="up to this ISO date, inclusive: 2020")
    p.add_argument("--limit", type=int, metavar="N", help="at most N facts")
    p.add_argument("--fused", action="store_true",
                   help="the facts fused across articles (one per event, with all their sources) "
                        "instead of each article's own")
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("search", cmd_search, "find sentences; case, accents and đ don't matter")
    p.add_argument("query", nargs="+", help='words to find, e.g. "hoa ky" (a trailing * = prefix)')
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N hits (default 20)")
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    # -- the knowledge base: facts fused across articles --
    p = command("partners", cmd_partners, "list the partners in the store with their number of fused facts")
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("timeline", cmd_timeline, "a partner's meetings, milestones and documents, oldest first")
    p.add_argument("partner", help="a partner code: US, CN, JP, KR, EU ...")
    p.add_argument("--type", action="append", dest="types", metavar="TYPE",
                   help="meeting, partnership, document, indicator or person (repeat for several)")
    p.add_argument("--since", metavar="DATE", help="from this ISO date: 2015, 2015-11, 2015-11-14")
    p.add_argument("--until", metavar="DATE", help="up to this ISO date, inclusive")
    _page_args(p)
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("level", cmd_level, "the partnership level in force on a date, with its source")
    p.add_argument("partner", help="a partner code: US, CN, JP, KR, EU ...")
    p.add_argument("--as-of", dest="as_of", metavar="DATE", help="an ISO date (default today)")
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("figures", cmd_figures, "a partner's figures for one metric, year by year")
    p.add_argument("partner", help="a partner code: US, CN, JP, KR, EU ...")
    p.add_argument("metric", help="trade, export, import, fdi, firms, tourists or aid")
    p.add_argument("--targets", action="store_true", help="goals instead of actual figures")
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("series", cmd_series, "every meeting of one mechanism by ordinal, gaps shown")
    p.add_argument("mechanism", help="e.g. asean_partner_summit, east_asia_summit, arf")
    p.add_argument("--partner", action="append", dest="partners", metavar="CODE",
                   help="its partner (repeat for several; ASEAN+3 is CN, JP, KR)")
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("fact", cmd_fact, "one fused fact with every sentence that states it")
    p.add_argument("id", help="a fact id, as `timeline` or `conflicts` shows it (mtg-…, ptn-…)")
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("conflicts", cmd_conflicts, "fused facts whose sources disagree")
    p.add_argument("--partner", help="a partner code: US, CN, JP, KR, EU ...")
    _page_args(p)
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("articles", cmd_articles, "list the stored articles with their number of facts")
    _page_args(p)
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("dossier", cmd_dossier, "a brief on one partner, with numbered citations")
    p.add_argument("partner", help="a partner code: US, CN, JP, KR, EU ...")
    p.add_argument("--since", metavar="DATE", help="only events from this ISO date")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="headings' language (default vi)")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    output(p, ("md", "html"), "md")

    p = command("serve", cmd_serve, "serve the JSON API over HTTP (read-only)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")

    p = command("export", cmd_export, "write every stored record")
    output(p, ("jsonl", "csv", "parquet"), "jsonl")
    p.add_argument("--output", "-o", metavar="FILE", help="write here (required for parquet)")

    p = command("eval", cmd_eval, "extract a corpus in-process and score it against gold files")
    p.add_argument("--gold", required=True, type=Path, metavar="DIR", help="folder of gold .json")
    p.add_argument("--corpus", required=True, type=Path, metavar="DIR", help="folder of articles")
    p.add_argument("--show", action="store_true", help="print every miss, extra and wrong attribute")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object instead")

    command("settings", cmd_settings, "show each setting's value and where it came from")
    return parser


def _page_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=100, metavar="N", help="at most N facts (default 100)")
    p.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N (paging)")


# -- commands ------------------------------------------------------------------------------------

def cmd_extract(args: argparse.Namespace, conf: settings.Settings) -> int:
    from quanhe.pipeline import process_all
    from quanhe.read import read_paths

    fmt = _format(conf, ("jsonl", "table"), "jsonl")
    failed, rows = 0, []
    for item in process_all(read_paths(args.paths, max_bytes=conf.max_bytes)):
        if isinstance(item, Rejected):
            failed += _reject(item)
        elif fmt == "jsonl":
            export.write_jsonl(item.records(), sys.stdout)
        else:
            rows += [_fact_row(r) for r in item.records()]
    if fmt == "table":
        export.write_table(rows, FACT_HEADER, sys.stdout)
    return 1 if failed else 0


def cmd_ingest(args: argparse.Namespace, conf: settings.Settings) -> int:
    from tqdm import tqdm

    from quanhe.pipeline import process_all
    from quanhe.read import read_paths
    from quanhe.store import IngestReport, ingest_all, open_store

    done = IngestReport()
    failed = 0

    def stored(batch: IngestReport) -> None:
        nonlocal done
        done += batch

    def rejected(item: Rejected) -> None:
        nonlocal failed
        failed += 1
        tqdm.write(f"quanhe: error: {item.message()}", file=sys.stderr)

    with open_store(conf.db) as store, tqdm(desc="ingest", unit=" articles", file=sys.stderr,
                                           disable=not sys.stderr.isatty()) as bar:
        items = _counted(process_all(read_paths(args.paths, max_bytes=conf.max_bytes)), bar.update)
        try:
            ingest_all(store, items, batch_size=conf.batch_size, on_rejected=rejected,
                       on_stored=stored)
            fused = kb.refresh(store)
            _note(f"fused the facts of {fused} changed blocks")
        finally:
            bar.close()
            summary = IngestReport(done.added, done.replaced, done.unchanged, failed)
            print(f"quanhe: {summary.summary()} ({conf.db})", file=sys.stderr)
    return 1 if failed else 0


def cmd_facts(args: argparse.Namespace, conf: settings.Settings) -> int:
    from quanhe.store import open_store

    if args.fused:
        with _kb_store(conf) as store:
            page = kb.facts(store, partner=args.partner, type=args.type, since=args.since,
                            until=args.until, limit=args.limit)
        _print_canonical(page.items, conf)
        _note(f"{len(page.items)} of {page.total} fused facts")
        return 0
    with open_store(conf.db, create=False) as store:
        records = query.facts(store, partner=args.partner, type=args.type, since=args.since,
                              until=args.until, limit=args.limit)
    if _format(conf, ("table", "jsonl"), _auto()) == "jsonl":
        export.write_jsonl(records, sys.stdout)
    else:
        export.write_table([_fact_row(r) for r in records], FACT_HEADER, sys.stdout)
        _note(f"{len(records)} facts")
    return 0


def cmd_search(args: argparse.Namespace, conf: settings.Settings) -> int:
    from quanhe.store import open_store

    with open_store(conf.db, create=False) as store:
        hits = query.search(store, " ".join(args.query), limit=args.limit)
    if _format(conf, ("table", "jsonl"), _auto()) == "jsonl":
        export.write_jsonl((h.to_record() for h in hits), sys.stdout)
    else:
        rows = [(h.article, h.sentence, f"{h.start}-{h.end}", h.snippet) for h in hits]
        export.write_table(rows, ("article", "sentence", "offsets", "text"), sys.stdout,
                           max_width=160)
        _note(f"{len(hits)} hits")
    return 0


def cmd_partners(args: argparse.Namespace, conf: settings.Settings) -> int:
    with _kb_store(conf) as store:
        rows = kb.partners(store)
    if _fmt(conf) == "jsonl":
        export.write_jsonl(rows, sys.stdout)
    else:
        export.write_table([(r["code"], r["name"], r["name_en"], r["facts"]) for r in rows],
                           ("code", "name", "English", "facts"), sys.stdout)
    return 0


def cmd_timeline(args: argparse.Namespace, conf: settings.Settings) -> int:
    with _kb_store(conf) as store:
        page = kb.timeline(store, args.partner, types=args.types, since=args.since, until=args.until,
                           limit=args.limit, offset=args.offset)
    _print_canonical(page.items, conf)
    _note(f"{len(page.items)} of {page.total} facts" + (f" from {page.offset}" if page.offset else ""))
    return 0


def cmd_level(args: argparse.Namespace, conf: settings.Settings) -> int:
    with _kb_store(conf) as store:
        answer = kb.level_as_of(store, args.partner, args.as_of)
    if _fmt(conf) == "jsonl":
        export.write_jsonl([answer.to_record()], sys.stdout)
        return 0
    level = answer.level or "no level known"
    print(f"ASEAN–{answer.partner} as of {answer.as_of}: {level}"
          + (f" (since {answer.since}; fact {answer.fact['id']})" if answer.fact else ""))
    for step in answer.history:
        print(f"  {step['date'] or 'by ' + str(step['reached_by']):<12} {step['level']:<38} {step['id']}")
    if answer.note:
        print(f"  note: {answer.note}")
    return 0


def cmd_figures(args: argparse.Namespace, conf: settings.Settings) -> int:
    with _kb_store(conf) as store:
        rows = kb.figure_series(store, args.partner, args.metric, target=args.targets)
    if _fmt(conf) == "jsonl":
        export.write_jsonl(rows, sys.stdout)
    else:
        export.write_table([(r.get("year") or "?", _amount(r), len(r["articles"]),
                             _conflict_text(r), r["id"]) for r in rows],
                           ("year", "value", "sources", "conflicts", "id"), sys.stdout)
    return 0


def cmd_series(args: argparse.Namespace, conf: settings.Settings) -> int:
    with _kb_store(conf) as store:
        series = kb.mechanism_series(store, args.mechanism, args.partners or [])
    if _fmt(conf) == "jsonl":
        export.write_jsonl([series.to_record()], sys.stdout)
        return 0
    rows = []
    for entry in series.entries:
        f = entry.fact
        rows.append((entry.ordinal if entry.ordinal is not None else "–",
                     (f.get("date") or "?") if f else "(no article)",
                     (f.get("location") or "") if f else "", len(f["articles"]) if f else 0,
                     _conflict_text(f) if f else "", f["id"] if f else ""))
    export.write_table(rows, ("ordinal", "date", "location", "sources", "conflicts", "id"), sys.stdout)
    if series.gaps:
        _note("no article reports ordinal " + ", ".join(map(str, series.gaps)))
    return 0


def cmd_fact(args: argparse.Namespace, conf: settings.Settings) -> int:
    with _kb_store(conf) as store:
        record = kb.fact(store, args.id)
    if _fmt(conf) == "jsonl":
        export.write_jsonl([record], sys.stdout)
        return 0
    shown = {k: v for k, v in record.items() if k not in ("evidence", "facts", "key")}
    for name, value in shown.items():
        if value not in (None, [], ""):
            print(f"{name:>10}: {json.dumps(value, ensure_ascii=False)}")
    for i, span in enumerate(record["evidence"], 1):
        print(f"[{i}] {span['outlet'] or span['article']}, {span['published'] or 'undated'} "
              f"({span['article']} {span['start']}-{span['end']}) {span['url'] or ''}")
        print(f"    “{span['text']}”")
    return 0


def cmd_conflicts(args: argparse.Namespace, conf: settings.Settings) -> int:
    with _kb_store(conf) as store:
        page = kb.facts(store, partner=args.partner, conflicts=True, limit=args.limit,
                        offset=args.offset)
    if _fmt(conf) == "jsonl":
        export.write_jsonl(page.items, sys.stdout)
    else:
        export.write_table([(f["id"], f["type"], ",".join(f.get("partners") or []), f.get("date") or "",
                             _conflict_text(f)) for f in page.items],
                           ("id", "type", "partners", "date", "what the sources disagree on"), sys.stdout,
                           max_width=160)
    _note(f"{len(page.items)} of {page.total} facts with conflicts")
    return 0


def cmd_articles(args: argparse.Namespace, conf: settings.Settings) -> int:
    with _kb_store(conf) as store:
        page = kb.articles(store, limit=args.limit, offset=args.offset)
    if _fmt(conf) == "jsonl":
        export.write_jsonl(page.items, sys.stdout)
    else:
        export.write_table([(a["article"], a.get("published") or "", a["facts"], kb.outlet(a.get("url")) or "",
                             a.get("title") or "") for a in page.items],
                           ("article", "published", "facts", "outlet", "title"), sys.stdout)
    _note(f"{len(page.items)} of {page.total} articles" + (f" from {page.offset}" if page.offset else ""))
    return 0


def cmd_dossier(args: argparse.Namespace, conf: settings.Settings) -> int:
    from quanhe import dossier

    fmt = _format(conf, ("md", "html"), "md")
    with _kb_store(conf) as store:
        brief = dossier.build(store, args.partner, since=args.since, lang=args.lang)
    text = dossier.render(brief, fmt)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        _note(f"wrote the {fmt} dossier on {brief.partner} to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_serve(args: argparse.Namespace, conf: settings.Settings) -> int:
    from quanhe import serve

    _kb_store(conf).close()   # no store to serve: fail now, with the CLI's one-line message
    serve.run(conf.db, host=args.host, port=args.port)
    return 0


def cmd_export(args: argparse.Namespace, conf: settings.Settings) -> int:
    from quanhe.store import open_store

    fmt = _format(conf, ("jsonl", "csv", "parquet"), "jsonl")
    if fmt == "parquet" and not args.output:
        raise UsageError("parquet is binary: give a file with --output FILE")
    with open_store(conf.db, create=False) as store:
        if fmt == "parquet":
            n = export.write_parquet(store.records(), args.output)
        elif args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                n = _write_text(fmt, store.records(), out)
        else:
            n = _write_text(fmt, store.records(), sys.stdout)
    if args.output:
        _note(f"wrote {n} records to {args.output}")
    return 0


def cmd_eval(args: argparse.Namespace, conf: settings.Settings) -> int:
    from quanhe.evaluate import evaluate, format_report

    for folder in (args.gold, args.corpus):
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder")
    if not any(args.gold.glob("*.json")):
        raise UsageError(f"no gold .json files in {args.gold}")
    report = evaluate(args.gold, args.corpus, max_bytes=conf.max_bytes)
    for message in report.rejected:
        _error(message)
    if args.show:
        for finding in report.findings:
            print(finding.line())
    print(json.dumps(report.figures()) if args.json else format_report(report))
    return 1 if report.rejected else 0


def cmd_settings(args: argparse.Namespace, conf: settings.Settings) -> int:
    rows = [(s.name, conf.as_dict()[s.name], conf.source(s.name), s.env) for s in settings.SETTINGS]
    export.write_table(rows, ("setting", "value", "from", "environment"), sys.stdout)
    return 0


# -- helpers -----------------------------------------------------------------------------------

def _kb_store(conf: settings.Settings) -> Store:
    """The store, fused up to date first: a store ingested by the library, an older quanhe or
    before the fusion rules changed answers from fresh canonical facts (a no-op otherwise)."""
    from quanhe.store import open_store

    store = open_store(conf.db, create=False)
    try:
        kb.refresh(store)
    except BaseException:
        store.close()
        raise
    return store


def _fmt(conf: settings.Settings) -> str:
    return _format(conf, ("table", "jsonl"), _auto())


def _print_canonical(records: list[dict[str, Any]], conf: settings.Settings) -> None:
    if _fmt(conf) == "jsonl":
        export.write_jsonl(records, sys.stdout)
        return
    rows = [(f.get("date") or "?", f["type"], ",".join(f.get("partners") or []), export.summary_row(f)[4],
             len(f.get("articles", [])),
             "yes" if f.get("conflicts") else "", f["id"]) for f in records]
    export.write_table(rows, ("date", "type", "partners", "what", "sources", "conflict", "id"), sys.stdout,
                       max_width=100)


def _amount(record: dict[str, Any]) -> str:
    value = record.get("value")
    if value is None:
        return "?"
    unit = record.get("unit") or ""
    return f"{value:,.0f} {unit}".strip() if float(value).is_integer() else f"{value:,} {unit}".strip()


def _conflict_text(record: dict[str, Any]) -> str:
    parts = []
    for c in record.get("conflicts") or []:
        values = "; ".join(f"{v['value']} ({', '.join(v['articles'])})" for v in c["values"])
        parts.append(f"{c['field']}: {values}")
    return " | ".join(parts)


def _format(conf: settings.Settings, allowed: tuple[str, ...], default: str) -> str:
    """The configured format if this command writes it, else the command's default."""
    return conf.format if conf.format in allowed else default


def _auto() -> str:
    return "table" if sys.stdout.isatty() else "jsonl"


def _write_text(fmt: str, records: Iterable[dict[str, Any]], out: TextIO) -> int:
    return export.write_csv(records, out) if fmt == "csv" else export.write_jsonl(records, out)


def _fact_row(record: dict[str, Any]) -> list[str]:
    evidence = record.get("evidence") or [{}]
    return export.summary_row(record) + [evidence[0].get("text", "")]


def _counted(items: Iterable[Any], tick: Callable[[int], object]) -> Iterator[Any]:
    for item in items:
        tick(1)
        yield item


def _reject(item: Rejected) -> int:
    _error(item.message())
    return 1


def _error(message: str) -> None:
    print(f"quanhe: error: {message}", file=sys.stderr)


def _note(message: str) -> None:
    print(f"quanhe: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
