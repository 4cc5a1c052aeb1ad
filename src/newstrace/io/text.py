"""Plain-text articles: one file each, with an optional ``meta.jsonl`` sidecar.

The sidecar sits in the same folder; each line names a ``file`` and gives its
``outlet``, ``published``, ``url``, ``language`` (and optionally ``title``,
``first_seen``). Without a title, a short first line with no final full stop is
taken as the headline, the way scrapers and the BBC corpus write files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newstrace.io.common import ReadOptions, make_article, open_binary, too_large
from newstrace.io.decode import decode_bytes, looks_binary
from newstrace.model import Article, Skipped, Source

SIDECAR_NAMES = ("meta.jsonl",)
_MAX_TITLE_WORDS = 25
_ENDS_SENTENCE = re.compile(r"[.;,:]\s*$")


class SidecarCache:
    """Loads each folder's ``meta.jsonl`` once; its bad lines are reported once."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, dict[str, dict[str, Any]]] = {}
        self.problems: list[Skipped] = []

    def lookup(self, path: Path) -> dict[str, Any]:
        folder = path.parent
        if folder not in self._by_dir:
            self._by_dir[folder] = self._load(folder)
        table = self._by_dir[folder]
        return table.get(path.name) or table.get(path.stem) or {}

    def _load(self, folder: Path) -> dict[str, dict[str, Any]]:
        table: dict[str, dict[str, Any]] = {}
        sidecar = folder / "meta.jsonl"
        if not sidecar.is_file():
            return table
        try:
            lines = decode_bytes(sidecar.read_bytes()).splitlines()
        except OSError as exc:
            self.problems.append(Skipped(str(sidecar), f"cannot read sidecar: {exc}"))
            return table
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                self.problems.append(Skipped(f"{sidecar}:{number}", f"invalid JSON: {exc.msg}"))
                continue
            if not isinstance(row, dict) or not isinstance(row.get("file"), str):
                self.problems.append(Skipped(f"{sidecar}:{number}", "no \"file\" key"))
                continue
            table[Path(row["file"]).name] = row
        return table


def split_title(text: str) -> tuple[str | None, str]:
    """A leading headline line, if the text starts with one."""
    stripped = text.lstrip()
    first, sep, rest = stripped.partition("\n")
    first = first.strip()
    if (not sep or not rest.strip() or not first or len(first.split()) > _MAX_TITLE_WORDS
            or _ENDS_SENTENCE.search(first)):
        return None, text
    return first, text


def read_text_file(
    path: Path, options: ReadOptions, sidecars: SidecarCache | None = None
) -> Iterator[Article | Skipped]:
    try:
        size = path.stat().st_size
        if size > options.max_doc_bytes and path.suffix != ".gz":
            yield Skipped(str(path), too_large(size, options))
            return
        with open_binary(path) as handle:
            data = handle.read(options.max_doc_bytes + 1)
    except (OSError, EOFError) as exc:
        yield Skipped(str(path), f"cannot read: {exc}")
        return
    if len(data) > options.max_doc_bytes:
        yield Skipped(str(path), too_large(len(data), options))
        return
    if looks_binary(data):
        yield Skipped(str(path), "binary file, not text")
        return
    text = decode_bytes(data)
    if not text.strip():
        yield Skipped(str(path), "empty file")
        return
    meta = (sidecars or SidecarCache()).lookup(path)
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    if title is None:
        title, _ = split_title(text)
    yield make_article(
        text,
        Source("text", str(path)),
        url=meta.get("url"),
        outlet=meta.get("outlet"),
        title=title,
        published=meta.get("published"),
        first_seen=meta.get("first_seen"),
        language=meta.get("language"),
        extra={k: v for k, v in meta.items() if k not in _SIDECAR_FIELDS},
    )


_SIDECAR_FIELDS = frozenset({"file", "url", "outlet", "title", "published", "first_seen",
                             "language"})
