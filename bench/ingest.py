"""Ingest throughput: read + clean + segment + store over the BBC News corpus.

    .venv/bin/python bench/ingest.py [--data ../shared/data/bbc_news] [--repeat 3]

Prints articles per second for newstrace's ingest and, in the same run, for a
baseline a Python user would write (read each file, split sentences with syntok,
insert rows into SQLite one article per transaction), and the ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from newstrace.corpus.ingest import ingest
from newstrace.corpus.store import Store

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc_news"


def run_newstrace(files: list[Path], workers: int = 1) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        started = time.perf_counter()
        report = ingest(files, store, workers=workers)
        return time.perf_counter() - started, report.read


def run_baseline(files: list[Path]) -> tuple[float, int]:
    from syntok import segmenter

    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "base.db")
        conn.execute("CREATE TABLE articles(id INTEGER PRIMARY KEY, title TEXT, text TEXT)")
        conn.execute("CREATE TABLE sentences(article INTEGER, idx INTEGER, text TEXT)")
        started = time.perf_counter()
        for number, path in enumerate(files):
            data = path.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
            title, _, body = text.partition("\n")
            sentences = [" ".join(tok.spacing + tok.value for tok in sent).strip()
                         for para in segmenter.analyze(body) for sent in para]
            with conn:
                conn.execute("INSERT INTO articles VALUES (?, ?, ?)", (number, title, body))
                conn.executemany("INSERT INTO sentences VALUES (?, ?, ?)",
                                 [(number, i, s) for i, s in enumerate(sentences)])
        elapsed = time.perf_counter() - started
        conn.close()
        return elapsed, len(files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(args.data.rglob("*.txt"))
    if not files:
        print(f"no .txt files under {args.data}; nothing to measure", file=sys.stderr)
        return 0
    print(f"corpus: {args.data} ({len(files)} files)")
    cores = len(os.sched_getaffinity(0))
    print(f"machine: {platform.machine()}, python {platform.python_version()}, "
          f"cores available: {cores}")
    ours = [run_newstrace(files) for _ in range(args.repeat)]
    parallel = [run_newstrace(files, cores) for _ in range(args.repeat)] if cores > 1 else []
    base = [run_baseline(files) for _ in range(args.repeat)]
    ours_rate = statistics.median(n / t for t, n in ours)
    base_rate = statistics.median(n / t for t, n in base)
    print(f"newstrace ingest (read+clean+identify language+segment+store), one process: "
          f"{ours_rate:,.0f} articles/s (median of {args.repeat})")
    if parallel:
        rate = statistics.median(n / t for t, n in parallel)
        print(f"newstrace ingest, {cores} worker processes: {rate:,.0f} articles/s "
              f"({rate / ours_rate:.2f}x one process)")
    print(f"baseline (read + syntok + sqlite per article): {base_rate:,.0f} articles/s")
    print(f"ratio newstrace (one process) / baseline: {ours_rate / base_rate:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
