"""JSON Lines (and plain JSON) exports: news-please, trafilatura, custom dumps.

Read line by line so a multi-gigabyte export streams; a broken line is reported
with its number and the rest of the file is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newstrace.io.common import ReadOptions, open_binary
from newstrace.io.decode import FALLBACK_ERRORS, sniff_encoding
from newstrace.io.fields import resolve_columns
from newstrace.io.records import record_to_article
from newstrace.model import Article, Skipped, Source


def read_jsonl(path: Path, options: ReadOptions) -> Iterator[Article | Skipped]:
    columns_by_keys: dict[frozenset[str], dict[str, str]] = {}

    def convert(record: Any, source: Source) -> Article | Skipped:
        if not isinstance(record, dict):
            return Skipped(str(source), f"expected a JSON object, got {type(record).__name__}")
        keys = frozenset(record)
        columns = columns_by_keys.get(keys)
        if columns is None:
            columns = columns_by_keys[keys] = resolve_columns(list(record), options.field_map)
        return record_to_article(record, columns, source, options)

    try:
        with open_binary(path) as handle:
            head = handle.peek(4096)[:4096] if hasattr(handle, "peek") else b""
            encoding = sniff_encoding(head)
            if encoding not in ("utf-8", "utf-8-sig"):
                # UTF-16/32 exports are rare and small: decode whole, then split.
                data = handle.read().decode(encoding, errors="replace")
                lines: Iterator[tuple[int, str]] = enumerate(data.splitlines(), 1)
                yield from _read_lines(path, lines, convert, options)
                return
            if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
                yield from _read_array(path, handle.read(), convert)
                return
            decoded = (
                (number, raw.decode("utf-8-sig" if number == 1 else "utf-8", FALLBACK_ERRORS))
                for number, raw in enumerate(_bounded_lines(handle, options), 1)
            )
            yield from _read_lines(path, decoded, convert, options)
    except (OSError, EOFError, ValueError) as exc:
        yield Skipped(str(path), f"stopped reading: {exc}")


_OVERSIZE = "\x00oversize"


def _bounded_lines(handle: Any, options: ReadOptions) -> Iterator[bytes]:
    """Lines of a binary stream; a line over the limit is replaced by a marker."""
    limit = options.max_doc_bytes * 2 + 65536  # JSON escapes can double a text
    while True:
        line = handle.readline(limit)
        if not line:
            return
        if len(line) >= limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the oversized line
                more = handle.readline(limit)
                if not more or more.endswith(b"\n"):
                    break
            yield _OVERSIZE.encode()
            continue
        yield line


def _read_lines(path: Path, lines: Any, convert: Any, options: ReadOptions,
                ) -> Iterator[Article | Skipped]:
    for number, line in lines:
        source = Source("jsonl", str(path), line=number)
        if line == _OVERSIZE:
            yield Skipped(str(source), f"record larger than the {options.max_doc_bytes / 1e6:.1f}"
                                       " MB limit (raise it with --max-doc-mb)")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(str(source), f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield convert(record, source)


def _read_array(path: Path, data: bytes, convert: Any) -> Iterator[Article | Skipped]:
    try:
        parsed = json.loads(data.decode("utf-8-sig", FALLBACK_ERRORS))
    except json.JSONDecodeError as exc:
        yield Skipped(str(path), f"invalid JSON ({exc.msg} at line {exc.lineno})")
        return
    items = parsed if isinstance(parsed, list) else [parsed]
    for number, record in enumerate(items, 1):
        yield convert(record, Source("jsonl", str(path), line=number))
