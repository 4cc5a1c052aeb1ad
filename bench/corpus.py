"""Corpus mode at scale: a synthetic corpus with known ground truth, end to end.

    .venv/bin/python bench/corpus.py [--sizes 1000,2000] [--skip-run] [--engine static|minilm]
                                     [--no-screen] [--keep DIR]

From BBC News (../shared/data/bbc_news) it builds stories: an original, verbatim
copies with boilerplate, trimmed and reordered copies, light and heavy rewrites
made by rule (``newstrace.evaluation.rewrite_rules``), and unrelated articles
(every BBC article is its own event, so ground-truth stories are the families;
past 2,000-odd articles BBC texts are reused, each round 60 days later).
It then measures, in one run and for each size:
  * articles per second for ``run`` end to end (ingest, fingerprints,
    candidates, compare on candidates, stories) and peak memory: each process's
    own peak, and the peak of all of them at once (sampled every half second);
  * recall of true pairs (same family) among our candidates, overall and for an
    original against its copies, light and heavy rewrites, and the candidate count;
  * how the compare read each original against its copies and rewrites;
  * story B-cubed F1 against the families;
  * p50/p95 latency of ``add`` (in-process) for copies held back from the corpus;
  * the baseline: datasketch's MinHashLSH on the same shingles (speed and recall).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

from _common import TreeMemory, start  # bench/_common.py, beside this script

from newstrace.corpus.candidates import CandidateSettings, VectorIndex, candidates_for, index_path
from newstrace.corpus.fingerprints import NUM_PERM, shingles
from newstrace.corpus.pipeline import run
from newstrace.corpus.store import Store
from newstrace.evaluation.synthetic_corpus import build_corpus

ADD_SAMPLE = 40  # articles held back and added one by one against the built index


def true_pairs(family_of: dict[str, int]) -> set[frozenset[str]]:
    by_family: dict[int, list[str]] = {}
    for name, fam in family_of.items():
        by_family.setdefault(fam, []).append(name)
    return {frozenset(p) for members in by_family.values() for p in combinations(members, 2)}


def version_kind(name: str) -> str:
    """``orig``, ``copy``, ``light`` or ``heavy``, from a file name like ``f00012_light1.txt``."""
    role = name.rsplit("_", 1)[-1].removesuffix(".txt")
    return role.rstrip("0123456789")


def by_version(family_of: dict[str, int]) -> dict[str, set[frozenset[str]]]:
    """Each original paired with its family's copies, light and heavy rewrites, by kind."""
    originals = {fam: name for name, fam in family_of.items() if version_kind(name) == "orig"}
    out: dict[str, set[frozenset[str]]] = {"copy": set(), "light": set(), "heavy": set()}
    for name, fam in family_of.items():
        kind = version_kind(name)
        if kind in out and fam in originals:
            out[kind].add(frozenset((originals[fam], name)))
    return out


def bcubed(clusters: dict[str, str], truth: dict[str, int]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of the stories against the families."""
    by_cluster: dict[str, set[str]] = {}
    by_truth: dict[int, set[str]] = {}
    for item, c in clusters.items():
        by_cluster.setdefault(c, set()).add(item)
        by_truth.setdefault(truth[item], set()).add(item)
    precision = recall = 0.0
    for item in clusters:
        mine, real = by_cluster[clusters[item]], by_truth[truth[item]]
        precision += len(mine & real) / len(mine)
        recall += len(mine & real) / len(real)
    precision /= len(clusters)
    recall /= len(clusters)
    return precision, recall, 2 * precision * recall / (precision + recall)


def datasketch_baseline(folder: Path, family_of: dict[str, int],
                        ) -> tuple[float, float, set[frozenset[str]]]:
    from datasketch import MinHash, MinHashLSH

    started = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=NUM_PERM)
    hashes = {}
    for name in family_of:
        m = MinHash(num_perm=NUM_PERM)
        for s in shingles((folder / name).read_text(encoding="utf-8")):
            m.update(s.encode("utf-8"))
        lsh.insert(name, m)
        hashes[name] = m
    found = {frozenset((name, other)) for name, m in hashes.items() for other in lsh.query(m)
             if other != name}
    rate = len(family_of) / (time.perf_counter() - started)
    truth = true_pairs(family_of)
    return rate, len(found & truth) / max(len(truth), 1), found


def hold_back(folder: Path, later: Path, family_of: dict[str, int], k: int) -> list[Path]:
    """Move ``k`` copies (whose originals stay) to ``later/``, with their sidecar lines.

    Only their own lines: a newsroom adding one article has a one-line sidecar (or
    none), and reading the whole corpus's sidecar on every ``add`` (~70 ms at 100k)
    was measuring the bench, not ``add``.
    """

    later.mkdir()
    chosen = [n for n in sorted(family_of) if "_copy" in n][:: 7][:k]
    wanted = set(chosen)
    lines = (folder / "meta.jsonl").read_text(encoding="utf-8").splitlines()
    (later / "meta.jsonl").write_text(
        "".join(f"{line}\n" for line in lines if line and json.loads(line)["file"] in wanted),
        encoding="utf-8")
    for name in chosen:
        (folder / name).rename(later / name)
    return [later / n for n in chosen]


def add_latency(store: Store, files: list[Path], engine: str, screen: bool) -> list[float]:
    """Seconds per ``newstrace add`` done in-process (models and index already loaded)."""
    from newstrace.corpus.ingest import ingest
    from newstrace.corpus.pipeline import RunReport, open_index, update

    index = open_index(store)
    times = []
    for path in files:
        started = time.perf_counter()
        added = ingest([path], store, command="add")
        update(store, CandidateSettings(), RunReport(), engine_name=engine, index=index,
               screen=screen,
               rebuild_stories=False, new_ids=added.ids)
        times.append(time.perf_counter() - started)
    return times


def measure(size: int, skip_run: bool, engine: str, screen: bool = True,
            keep: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tmp = scratch
        if keep is not None:  # the corpus, its ground truth and the store, for a closer look
            tmp = str(keep / str(size))
            shutil.rmtree(tmp, ignore_errors=True)
            Path(tmp).mkdir(parents=True)
        folder = Path(tmp) / "corpus"
        family_of = build_corpus(size + ADD_SAMPLE, folder)
        held = hold_back(folder, Path(tmp) / "later", family_of, ADD_SAMPLE)
        for path in held:
            del family_of[path.name]
        truth = true_pairs(family_of)
        if keep is not None:
            (Path(tmp) / "families.json").write_text(json.dumps(family_of), encoding="utf-8")
        print(f"\n== {size} articles, {len(set(family_of.values()))} stories, "
              f"{len(truth)} true pairs (same family) ==")
        db = Path(tmp) / "c.db"
        with Store(db) as store, TreeMemory() as tree:
            started = time.perf_counter()
            if skip_run:
                from newstrace.corpus.candidates import fingerprint
                from newstrace.corpus.ingest import ingest

                ingest([folder], store)
                index = VectorIndex(index_path(store))
                articles = list(store.iter_articles(with_sentences=False))
                fingerprint(store, articles, CandidateSettings(), index)
                index.save()
                report = None
            else:
                report, _ = run([folder], store, engine_name=engine, screen=screen,
                                workers=os.cpu_count() or 1)
            seconds = time.perf_counter() - started
            index = VectorIndex(index_path(store))
            ids = [aid for (aid,) in store.conn.execute("SELECT id FROM articles")]
            cands = candidates_for(store, ids, CandidateSettings(), index)
            name_of = {aid: Path(p).name for aid, p in store.conn.execute(
                "SELECT id, source_path FROM articles")}
            found = {frozenset((name_of[a], name_of[b])) for a, b in cands}
            stories = {name_of[a]: s for a, s in store.conn.execute(
                "SELECT article_id, story_id FROM stories")}
            store_pairs = [(name_of[a], name_of[b], r) for a, b, r in store.conn.execute(
                "SELECT a, b, relation FROM pairs")]
            latencies = sorted(add_latency(store, held, engine, screen))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        # the baseline after our peak memory is read: its MinHash objects (~2.5 GB at
        # 100k) would otherwise count as ours
        base_rate, base_recall, base_found = datasketch_baseline(folder, family_of)
        label = f"run end to end ({engine}{', screened' if screen else ''})"
        print(f"newstrace {'fingerprint' if skip_run else label}: "
              f"{size / seconds:,.1f} articles/s ({seconds:.1f} s); peak RSS {peak_mb:,.0f} MB "
              f"(largest worker process {worker_mb:,.0f} MB; all processes at once "
              f"{tree.peak_mb:,.0f} MB, sampled)")
        if report is not None:
            print(f"  stage seconds: {report.as_dict()['seconds']}; compared {report.compared}"
                  f" ({report.screened} settled by the screen)")
        print(f"  candidate recall of true pairs: {len(found & truth) / len(truth):.3f} "
              f"with {len(cands)} candidate pairs ({len(cands) / size:.1f} per article; "
              f"all pairs would be {size * (size - 1) // 2:,})")
        versions = by_version(family_of)
        print("  original against its version, candidate recall: " + ", ".join(
            f"{kind} {len(found & pairs) / max(len(pairs), 1):.3f} ({len(pairs)})"
            for kind, pairs in versions.items()))
        read = {frozenset((a, b)): r for a, b, r in store_pairs}
        for kind, pairs in versions.items():
            verdicts: dict[str, int] = {}
            for pair in pairs:
                verdict = read.get(pair, "not compared")
                verdicts[verdict] = verdicts.get(verdict, 0) + 1
            if store_pairs:
                print(f"  original against its {kind} versions, read as: "
                      f"{dict(sorted(verdicts.items()))}")
        if stories:
            precision, recall, f1 = bcubed(stories, family_of)
            print(f"  story B-cubed F1: {f1:.3f} (precision {precision:.3f}, recall {recall:.3f})")
            across: dict[str, int] = {}
            for a, b, relation in store_pairs:
                if family_of.get(a) != family_of.get(b):
                    across[relation] = across.get(relation, 0) + 1
            print(f"  compared pairs across families, by verdict: {dict(sorted(across.items()))} "
                  "(BBC texts on one topic, e.g. several Google stories, read as same_story)")
        print(f"  add against the index ({engine}, in-process, {len(latencies)} articles): "
              f"p50 {1000 * latencies[len(latencies) // 2]:.0f} ms, "
              f"p95 {1000 * latencies[int(len(latencies) * 0.95)]:.0f} ms")
        print(f"baseline datasketch MinHashLSH (threshold 0.5): {base_rate:,.0f} articles/s "
              f"(shingling + hashing + LSH), recall {base_recall:.3f}; original against its "
              "version: " + ", ".join(
                  f"{kind} {len(base_found & pairs) / max(len(pairs), 1):.3f}"
                  for kind, pairs in by_version(family_of).items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--skip-run", action="store_true",
                        help="fingerprints and candidates only (no compare, no stories)")
    parser.add_argument("--engine", default="static", choices=("static", "minilm"))
    parser.add_argument("--no-screen", dest="screen", action="store_false",
                        help="compare every candidate pair in full (no reuse.screen)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each size's corpus, families.json and store in DIR/SIZE/")
    args = parser.parse_args()
    if not start():
        return 0
    for size in (int(s) for s in args.sizes.split(",")):
        measure(size, args.skip_run, args.engine, args.screen, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
