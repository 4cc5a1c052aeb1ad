"""The web app under load: stories, story and pair pages over a store with ~10k stories.

    .venv/bin/python bench/web.py [--families 10000] [--requests 300]

Builds a store from the synthetic BBC corpus of ``bench/corpus.py`` (each family:
an original and 0–3 copies), compares each family's true pairs (not the whole
candidate search: this measures the server, not the pipeline), builds stories,
starts ``newstrace serve`` on a free loopback port, and drives it with one
client and with eight concurrent clients. The baseline, in the same run and on
the same server, is a static file (``/static/app.css``): what the framework and
the socket cost before any page is built.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from pathlib import Path

from _common import start  # bench/_common.py, beside this script
from corpus import build_corpus  # the synthetic corpus of bench/corpus.py

from newstrace.corpus.candidates import CandidateSettings, fingerprint
from newstrace.corpus.ingest import ingest
from newstrace.corpus.pipeline import RunReport, compare_pairs, open_index
from newstrace.corpus.store import Store
from newstrace.corpus.stories import build_stories


def build_store(families: int, folder: Path) -> tuple[Path, list[str], list[tuple[str, str]]]:
    """A store with stories and compared pairs; returns it, story ids and pair ids."""
    family_of = build_corpus(int(families * 2.2), folder / "corpus")
    db = folder / "web.db"
    with Store(db) as store:
        ingest([folder / "corpus"], store)
        index = open_index(store)
        articles = list(store.iter_articles(with_sentences=False))
        fingerprint(store, articles, CandidateSettings(), index)
        index.save()
        id_of = {Path(p).name: aid for aid, p in store.conn.execute(
            "SELECT id, source_path FROM articles")}
        members: dict[int, list[str]] = {}
        for name, family in family_of.items():
            if name in id_of:
                members.setdefault(family, []).append(id_of[name])
        pairs = sorted({(min(a, b), max(a, b)) for ids in members.values()
                        for a, b in combinations(ids, 2)})
        started = time.perf_counter()
        compare_pairs(store, pairs, RunReport(), workers=os.cpu_count() or 1)
        print(f"  compared {len(pairs):,} family pairs in {time.perf_counter() - started:.0f} s")
        stories = build_stories(store)
    return db, [s.id for s in stories], pairs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str) -> float:
    """Seconds for one GET (a fresh connection, as a browser tab would open)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    return time.perf_counter() - started


def load(port: int, paths: list[str], clients: int) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p95 ms) for these paths with ``clients`` at once."""
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = sorted(pool.map(lambda p: get(port, p), paths))
    seconds = time.perf_counter() - started
    return (len(paths) / seconds, 1000 * statistics.median(times),
            1000 * times[int(0.95 * (len(times) - 1))])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    if not start():
        return 0
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"building a store from ~{args.families:,} synthetic story families…")
        db, story_ids, pairs = build_store(args.families, Path(tmp))
        print(f"  {len(story_ids):,} stories, {len(pairs):,} compared pairs")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "newstrace", "serve", "--db", str(db),
                                   "--port", str(port)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    get(port, "/static/app.css")
                    break
                except OSError:
                    time.sleep(0.1)
            n = args.requests
            workloads = {
                "baseline: static file": ["/static/app.css"] * n,
                "stories list": [f"/?page={rng.randint(1, 20)}" for _ in range(n)],
                "story page": [f"/story/{rng.choice(story_ids)}" for _ in range(n)],
                "pair page": [f"/pair/{a}/{b}" for a, b in
                              (rng.choice(pairs) for _ in range(n))],
            }
            for paths in workloads.values():  # warm caches and code paths once
                for path in paths[:5]:
                    get(port, path)
            print(f"\n{'page':<24} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
                  f"{'p95 / baseline':>15}")
            base_p95: dict[int, float] = {}
            for name, paths in workloads.items():
                for clients in (1, 8):
                    rate, p50, p95 = load(port, paths, clients)
                    base_p95.setdefault(clients, p95)
                    print(f"{name:<24} {clients:>7} {rate:>8.1f} {p50:>8.1f} {p95:>8.1f} "
                          f"{p95 / base_p95[clients]:>14.1f}×")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
