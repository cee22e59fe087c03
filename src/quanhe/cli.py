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

from quanhe import __version__, export, query, settings
from quanhe.errors import QuanheError, UsageError
from quanhe.model import Rejected

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
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

    p = command("search", cmd_search, "find sentences; case, accents and đ don't matter")
    p.add_argument("query", nargs="+", help='words to find, e.g. "hoa ky" (a trailing * = prefix)')
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N hits (default 20)")
    output(p, ("table", "jsonl"), "table on a terminal, jsonl when piped")

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
        finally:
            bar.close()
            summary = IngestReport(done.added, done.replaced, done.unchanged, failed)
            print(f"quanhe: {summary.summary()} ({conf.db})", file=sys.stderr)
    return 1 if failed else 0


def cmd_facts(args: argparse.Namespace, conf: settings.Settings) -> int:
    from quanhe.store import open_store

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
