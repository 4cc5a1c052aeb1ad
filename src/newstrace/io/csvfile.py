"""CSV and TSV exports (Media Cloud, spreadsheets, custom dumps)."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from newstrace.io.common import ReadOptions, open_binary
from newstrace.io.decode import FALLBACK_ERRORS, sniff_encoding
from newstrace.io.fields import resolve_columns
from newstrace.io.records import record_to_article
from newstrace.model import Article, Skipped, Source

csv.field_size_limit(sys.maxsize)


def read_csv(path: Path, options: ReadOptions) -> Iterator[Article | Skipped]:
    try:
        with open_binary(path) as raw:
            head = raw.peek(65536)[:65536] if hasattr(raw, "peek") else b""
            encoding = sniff_encoding(head)
            errors = FALLBACK_ERRORS if encoding.startswith("utf-8") else "replace"
            text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
            sample = text.read(16384)
            delimiter = _delimiter(path, sample)
            text.seek(0) if text.seekable() else None
            stream = text if text.seekable() else _chain(sample, text)
            reader = csv.reader(stream, delimiter=delimiter)
            header = next(reader, None)
            if not header:
                yield Skipped(str(path), "empty CSV file")
                return
            header = [h.lstrip("\ufeff").strip() for h in header]
            columns = resolve_columns(header, options.field_map)
            row_number = 1
            while True:
                row_number += 1
                source = Source("csv", str(path), line=row_number)
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    yield Skipped(str(source), f"malformed CSV row: {exc}")
                    continue
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    yield Skipped(str(source),
                                  f"row has {len(row)} fields but the header has {len(header)}")
                    continue
                yield record_to_article(dict(zip(header, row, strict=True)), columns, source,
                                        options)
    except (OSError, EOFError, UnicodeError) as exc:
        yield Skipped(str(path), f"stopped reading: {exc}")


def _delimiter(path: Path, sample: str) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".tsv") or name.endswith(".tab"):
        return "\t"
    first_line = sample.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _chain(sample: str, rest: io.TextIOWrapper) -> Iterator[str]:
    yield from io.StringIO(sample + rest.readline())
    yield from rest
