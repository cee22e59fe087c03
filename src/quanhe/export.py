"""Writers for contract records: JSON Lines, CSV, Parquet, and a readable table.

Every writer takes an iterable of records (spec/RECORDS.md dicts). CSV and Parquet flatten them
into one row per record with the columns below; fields they don't know go to ``extra`` as JSON.
"""
from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from quanhe.errors import UsageError

# Flat columns, in order: common fields, then each type's fields (spec/RECORDS.md).
COLUMNS: tuple[str, ...] = (
    "type", "article", "partners", "date", "confidence",
    "url", "title", "published", "machine_translated",              # article
    "mechanism", "ordinal", "end_date", "online", "location", "special", "status",  # meeting
    "level",                                                        # partnership
    "kind", "period", "action", "completion",                       # document
    "metric", "value", "unit", "year", "target",                    # indicator
    "name", "role", "country",                                      # person
    "evidence", "extra",
)
_KNOWN = set(COLUMNS) - {"extra"}

# What a table shows for each type, after article/type/partners/date.
SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "article": ("published", "title"),
    "meeting": ("mechanism", "ordinal", "status", "online", "location"),
    "partnership": ("level", "status"),
    "document": ("kind", "action", "period", "title"),
    "indicator": ("metric", "value", "unit", "year", "target"),
    "person": ("name", "role", "country"),
}


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """One flat row: partners joined by ';', evidence and unknown fields as JSON text."""
    row: dict[str, Any] = {c: record.get(c) for c in COLUMNS if c not in ("partners", "evidence", "extra")}
    row["partners"] = ";".join(record.get("partners") or [])
    row["evidence"] = json.dumps(record["evidence"], ensure_ascii=False) if "evidence" in record else None
    extra = {k: v for k, v in record.items() if k not in _KNOWN}
    row["extra"] = json.dumps(extra, ensure_ascii=False) if extra else None
    for key, value in row.items():
        if isinstance(value, (list, dict)):
            row[key] = json.dumps(value, ensure_ascii=False)
    return row


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for record in records:
        writer.writerow(flatten(record))
        n += 1
    return n


def write_parquet(records: Iterable[dict[str, Any]], path: str | Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("Parquet export needs pyarrow: pip install 'quanhe[parquet]'") from None
    types = {"partners": pa.list_(pa.string()), "confidence": pa.float64(), "value": pa.float64(),
             "completion": pa.float64(), "ordinal": pa.int64(), "year": pa.int64(),
             "machine_translated": pa.bool_(), "online": pa.bool_(), "special": pa.bool_(),
             "target": pa.bool_()}
    rows = [flatten(r) for r in records]
    arrays = []
    for column in COLUMNS:
        values = [row[column] for row in rows]
        if column == "partners":
            values = [v.split(";") if v else [] for v in values]
        try:
            arrays.append(pa.array(values, type=types.get(column, pa.string())))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError):
            # a value of another type ("2020" in year): keep the column, as text
            arrays.append(pa.array([v if v is None or isinstance(v, str)
                                    else json.dumps(v, ensure_ascii=False) for v in values],
                                   type=pa.string()))
    pq.write_table(pa.table(arrays, names=list(COLUMNS)), str(path))
    return len(rows)


def summary_row(record: dict[str, Any]) -> list[str]:
    """article, type, partners, date, and the type's telling fields, as short strings."""
    kind = record.get("type", "")
    details = []
    for field in SUMMARY_FIELDS.get(kind, ()):
        value = record.get(field)
        if value is not None and value != "":
            details.append(f"{field}={value}" if field not in ("title", "name") else str(value))
    return [str(record.get("article", "")), str(kind), ",".join(record.get("partners") or []),
            str(record.get("date") or ""), " ".join(details)]


def write_table(rows: Iterable[Sequence[Any]], header: Sequence[str], out: TextIO,
                *, max_width: int = 80) -> int:
    """Aligned columns; cells longer than ``max_width`` are cut with an ellipsis."""
    cells = [[_cut(str(c), max_width) for c in header]]
    cells += [[_cut("" if c is None else str(c), max_width) for c in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        out.write("  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() + "\n")
        if n == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")
    return len(cells) - 1


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _width(text: str) -> int:
    return sum(1 for c in text if not unicodedata.combining(c))


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
