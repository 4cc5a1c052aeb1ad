"""Readers: every supported input becomes a stream of ``Article | Skipped``.

One module per format; this module only finds the files and picks the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from newstrace.errors import UsageError
from newstrace.io.common import ReadOptions, open_binary
from newstrace.io.csvfile import read_csv
from newstrace.io.decode import looks_binary
from newstrace.io.jsonl import read_jsonl
from newstrace.io.text import SIDECAR_NAMES, SidecarCache, read_text_file
from newstrace.model import Article, Skipped

FORMATS = ("text", "html", "jsonl", "csv", "warc")

_BY_SUFFIX = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".csv": "csv", ".tsv": "csv", ".tab": "csv",
    ".warc": "warc", ".arc": "warc",
}

__all__ = ["FORMATS", "ReadOptions", "detect_format", "iter_input_files", "read_file",
           "read_paths"]


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path | Skipped]:
    """Files named, and files inside folders named (sorted, hidden ones left out)."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.is_file() and not any(p.startswith(".") for p in rel) \
                        and child.name not in SIDECAR_NAMES:
                    yield child
        elif path.is_file():
            yield path
        elif path.exists():
            yield Skipped(str(path), "not a regular file")
        else:
            yield Skipped(str(path), "no such file or folder")


def detect_format(path: Path) -> str | None:
    """The reader for a file, from its name or, failing that, its first bytes."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _BY_SUFFIX:
        return _BY_SUFFIX[suffixes[-1]]
    try:
        with open_binary(path) as handle:
            head = handle.read(4096)
    except (OSError, EOFError):
        head = b""
    return sniff_format(head)


def sniff_format(head: bytes) -> str | None:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(b"warc/"):
        return "warc"
    if looks_binary(head):
        return None
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in stripped:
        return "html"
    if stripped.startswith((b"{", b"[")):
        return "jsonl"
    return "text"


Reader = Callable[[Path, ReadOptions], Iterator[Article | Skipped]]


def read_file(path: Path, options: ReadOptions,
              sidecars: SidecarCache | None = None) -> Iterator[Article | Skipped]:
    fmt = options.format or detect_format(path)
    if fmt is None:
        yield Skipped(str(path), "binary file, not a supported article format")
        return
    if fmt == "text":
        yield from read_text_file(path, options, sidecars)
        return
    # HTML and WARC readers import trafilatura and warcio: only when a page needs them
    if fmt == "html":
        from newstrace.io.html import read_html

        yield from read_html(path, options)
        return
    if fmt == "warc":
        from newstrace.io.warc import read_warc

        yield from read_warc(path, options)
        return
    readers: dict[str, Reader] = {"jsonl": read_jsonl, "csv": read_csv}
    if fmt not in readers:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    yield from readers[fmt](path, options)


def read_paths(paths: Iterable[str | Path],
               options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """Every article in the given files and folders, with problems in between."""
    options = options or ReadOptions()
    sidecars = SidecarCache()
    for item in iter_input_files(paths):
        if isinstance(item, Skipped):
            yield item
            continue
        yield from read_file(item, options, sidecars)
        while sidecars.problems:
            yield sidecars.problems.pop(0)
