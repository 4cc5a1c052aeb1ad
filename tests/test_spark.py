"""The Spark path against the local run: same pairs, same stories, bad records kept.

Real Spark in ``local[2]`` (no mocks); skipped when pyspark or Java is missing.
The synthetic corpus is bench/corpus.py's, from ../shared/data/bbc_news (skipped
when absent), at NEWSTRACE_SPARK_TEST_SIZE articles: by default the 5,000 the issue
asks for (about 8 minutes on two cores: a local run with two workers, then the
Spark job); set it to 300 for a quick check.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from newstrace.cli import app
from newstrace.corpus.candidates import CandidateSettings
from newstrace.evaluation.datasets import bbc_news
from newstrace.spark.job import SparkSettings, run_job
from newstrace.spark.session import spark_session
from tests.helpers import BODY, html_page, write_jsonl, write_warc

pytest.importorskip("pyspark")  # the job imports pyspark only when it runs
if not (os.environ.get("JAVA_HOME") or shutil.which("java")
        or Path("/usr/lib/jvm/java-17-openjdk-amd64").exists()):
    pytest.skip("no Java for Spark", allow_module_level=True)

runner = CliRunner()
# pyspark 4.3 warns that it is not yet certified with pandas 3; the paths used here work
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")
SIZE = int(os.environ.get("NEWSTRACE_SPARK_TEST_SIZE", "5000"))
#: The 5k agreement check asks for fewer neighbours than the default 15: it tests that
#: both paths pick the same neighbours (ties at the k-th place included) and compare and
#: cluster them alike, which any k shows, and the default's ~9 compared pairs per article
#: made it most of the suite's time. The smaller corpora below run the defaults.
SYNTHETIC_NEIGHBOURS = int(os.environ.get("NEWSTRACE_SPARK_TEST_NEIGHBOURS", "6"))
BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]")
    yield session
    session.stop()


def _local_run(inputs: Path, root: Path, workers: int = 1,
               settings: CandidateSettings | None = None, changes: bool = False) -> Path:
    out = root / "local"
    settings = settings or CandidateSettings()
    result = runner.invoke(app, ["run", str(inputs), "--db", str(root / "c.db"), "-o", str(out),
                                 "--workers", str(workers),
                                 "--neighbours", str(settings.neighbours),
                                 *(["--changes"] if changes else [])])
    assert result.exit_code == 0, result.output
    return out


def _spark_run(spark: Any, inputs: list[str], root: Path,
               settings: CandidateSettings | None = None,
               changes: bool = False) -> tuple[Path, dict[str, Any]]:
    out = root / "spark"
    summary = run_job(spark, inputs, str(out), SparkSettings(
        settings or CandidateSettings(), partitions=4, block_size=256, changes=changes))
    return out, summary


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _pairs(rows: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, str | None]]:
    return {(r["a"], r["b"]): (r["relation"], r["origin"]) for r in rows}


def _stories(rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {(s["id"], tuple(s["articles"]), frozenset(s["origins"]),
             frozenset((e["origin"], e["derived"], e["relation"], e["credit"])
                       for e in s["edges"])) for s in rows}


def _compare(local: Path, spark_out: Path) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Assert equal articles and stories; return both pair maps for the caller's checks."""
    local_articles = {r["id"]: r["text"] for r in _jsonl(local / "articles.jsonl")}
    spark_articles = {r["id"]: r["text"]
                      for r in pq.read_table(spark_out / "articles").to_pylist()}
    assert spark_articles == local_articles
    assert _stories(pq.read_table(spark_out / "stories").to_pylist()) == \
        _stories(_jsonl(local / "stories.jsonl"))
    edges = pq.read_table(spark_out / "edges").to_pylist()
    assert {(e["origin"], e["derived"]) for e in edges} == {
        (e["origin"], e["derived"]) for s in _jsonl(local / "stories.jsonl")
        for e in s["edges"]}
    return (_pairs(_jsonl(local / "pairs.jsonl")),
            _pairs(pq.read_table(spark_out / "pairs").to_pylist()))


def test_sample_corpus_same_as_local_run(spark: Any, sample_dir: Path, tmp_path: Path) -> None:
    local = _local_run(sample_dir, tmp_path)
    out, summary = _spark_run(spark, [str(sample_dir)], tmp_path)
    local_pairs, spark_pairs = _compare(local, out)
    assert spark_pairs == local_pairs
    assert summary["articles"] == 10 and summary["rejects"] == 0 and summary["failed"] == 0
    run = json.loads((out / "run.json").read_text())
    assert run["report"]["multi_stories"] == 2
    # the screen settles the same pairs on both sides (the local store's results say so)
    with sqlite3.connect(tmp_path / "c.db") as conn:
        settled = sum(json.loads(r)["screened"] for (r,) in conn.execute(
            "SELECT result FROM pairs"))
    assert summary["screened"] == settled > 0
    assert {(r["a"], r["b"]): r["screened"] for r in pq.read_table(out / "pairs").to_pylist()} \
        == {(r["a"], r["b"]): r["screened"] for r in _jsonl(tmp_path / "local" / "pairs.jsonl")}


def test_changes_during_the_job_same_as_local_run(spark: Any, sample_dir: Path,
                                                  tmp_path: Path) -> None:
    """``--changes`` on both sides: every copy's and rewrite's changes, analysed in the
    executors, equal the local run's; without it both leave them for opening."""
    _local_run(sample_dir, tmp_path, changes=True)
    out, _ = _spark_run(spark, [str(sample_dir)], tmp_path, changes=True)
    with sqlite3.connect(tmp_path / "c.db") as conn:
        local = {(a, b): json.loads(r) for a, b, r in conn.execute("SELECT a, b, result "
                                                                   "FROM pairs")}
    remote = {(r["a"], r["b"]): json.loads(r["result"])
              for r in pq.read_table(out / "pairs").to_pylist()}
    assert remote.keys() == local.keys()
    reused = [k for k, r in local.items() if r["relation"] in ("copy", "derived")]
    assert reused and all(local[k]["changes_analysed"] for k in reused)
    assert any(local[k]["changes"] for k in reused)  # the sample's rewrite changed things
    for key in local:
        assert (remote[key].get("changes_analysed"), remote[key]["changes"]) == \
            (local[key].get("changes_analysed"), local[key]["changes"]), key
    assert json.loads((out / "run.json").read_text())["settings"]["changes"] is True


def test_mixed_languages_same_as_local_run(spark: Any, tmp_path: Path) -> None:
    """Translations are candidates on Spark as locally: two cross-language families."""
    from tests.test_corpus_languages import _corpus

    corpus, _ = _corpus(tmp_path)
    local = _local_run(corpus, tmp_path)
    out, summary = _spark_run(spark, [str(corpus)], tmp_path)
    local_pairs, spark_pairs = _compare(local, out)
    assert summary["multilingual"] is True
    assert spark_pairs == local_pairs
    languages = {r["id"]: r["language"] for r in _jsonl(local / "articles.jsonl")}
    assert any(languages[a] != languages[b] and relation in ("copy", "derived")
               for (a, b), (relation, _) in spark_pairs.items())


def test_translations_among_reprints_same_as_local_run(spark: Any, tmp_path: Path) -> None:
    """More reprints in each language than an article has neighbours: the translation
    published the next day is found on both sides, neighbours being counted among the
    articles in another language inside the window."""
    from newstrace.corpus.crosslingual import CrossLingualSettings
    from tests.test_corpus_languages import reprinted_translation

    folder = tmp_path / "in"
    reprinted_translation(folder, CrossLingualSettings.fitted().neighbours + 2)
    local = _local_run(folder, tmp_path)
    out, _ = _spark_run(spark, [str(folder)], tmp_path)
    local_pairs, spark_pairs = _compare(local, out)
    assert spark_pairs == local_pairs
    by_url = {r["url"]: r["id"] for r in _jsonl(local / "articles.jsonl")}
    en, fr = by_url["https://en.example/now"], by_url["https://fr.example/now"]
    assert spark_pairs[(min(en, fr), max(en, fr))][0] in ("copy", "derived")


@pytest.mark.skipif(not bbc_news(), reason="BBC News not under ../shared/data")
def test_synthetic_corpus_same_as_local_run(spark: Any, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_corpus", BENCH / "corpus.py")
    assert spec and spec.loader
    sys.path.insert(0, str(BENCH))  # bench/corpus.py imports its neighbour _common
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    corpus = tmp_path / "corpus"
    module.build_corpus(SIZE, corpus)
    settings = CandidateSettings(neighbours=SYNTHETIC_NEIGHBOURS)
    local = _local_run(corpus, tmp_path, workers=2, settings=settings)
    out, summary = _spark_run(spark, [str(corpus)], tmp_path, settings)
    local_pairs, spark_pairs = _compare(local, out)
    # an exact duplicate is one article (its id is its text's hash) on both sides
    assert summary["articles"] == len(_jsonl(local / "articles.jsonl")) >= SIZE * 0.99
    # neighbours tied at the k-th place are all kept on both sides (an index's
    # pick among equals is arbitrary), so the candidate sets agree as well
    assert spark_pairs == local_pairs


def _corrupt_warc(path: Path) -> Path:
    """Three pages; the second record's bytes are overwritten halfway through."""
    write_warc(path, [(f"https://herald.example/{k}", html_page(f"Page {k}",
                                                                 BODY + f" Number {k}."))
                      for k in range(3)], gz=False)
    data = bytearray(path.read_bytes())
    second = data.find(b"WARC/1", data.find(b"WARC/1") + 10)
    data[second : second + 40] = b"\x00garbage that is not a WARC header\x00\x00"
    path.write_bytes(bytes(data))
    return path


def test_bad_records_become_rejects(spark: Any, tmp_path: Path) -> None:
    import pyarrow as pa

    inputs = tmp_path / "in"
    inputs.mkdir()
    good = {"text": BODY, "source_domain": "herald.example", "date_publish": "2025-07-01"}
    write_jsonl(inputs / "feed.jsonl", [good, "{broken json", good | {"text": BODY + " More."}])
    _corrupt_warc(inputs / "crawl.warc")
    pq.write_table(pa.Table.from_pylist([
        {"text": BODY + " Parquet one.", "outlet": "Courier", "published": "2025-07-02"},
        {"text": None, "outlet": "Courier", "published": "2025-07-02"},
        {"text": "   ", "outlet": "Courier", "published": "2025-07-03"},
    ]), inputs / "rows.parquet")
    remote = tmp_path / "remote.jsonl"  # through binaryFiles, as an hdfs:// input would be
    write_jsonl(remote, [{"text": BODY + " Remote.", "outlet": "Wire"}, "[1, 2"])
    out = tmp_path / "spark"
    # the window-scoped neighbour join, with dated and undated (WARC) articles
    summary = run_job(spark, [str(inputs), remote.as_uri(), str(tmp_path / "absent")],
                      str(out), SparkSettings(partitions=2, knn_scope="window"))
    rejects = pq.read_table(out / "rejects").to_pylist()
    reasons = " | ".join(f"{r['source']} → {r['reason']}" for r in rejects)
    assert "feed.jsonl:2" in reasons and "invalid JSON" in reasons
    assert "crawl.warc" in reasons and "corrupt" in reasons
    assert "rows.parquet:2" in reasons and "rows.parquet:3" in reasons
    assert "remote.jsonl:2" in reasons and "absent" in reasons
    assert len(rejects) == summary["rejects"] == 6, reasons
    articles = pq.read_table(out / "articles").to_pylist()
    sources = {a["source"] for a in articles}
    assert any(s.startswith("file:") and s.endswith("remote.jsonl:1") for s in sources)
    assert sum("crawl.warc" in s for s in sources) == 1  # the record before the damage
    assert summary["articles"] == len(articles) == 5


def test_components_on_the_driver_and_distributed_agree(spark: Any) -> None:
    """Small graphs are solved on the driver; larger ones by star contraction: same answer."""
    import random

    from newstrace.spark.components import connected_components

    rng = random.Random(7)
    nodes = [f"n{i:03d}" for i in range(120)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(90)]
    edges += [("n999", "n999")]  # a self-link alone makes no component
    frame = spark.createDataFrame(edges, "a string, b string")
    # breadth-first search, the reference
    adjacent: dict[str, set[str]] = {}
    for a, b in edges:
        if a != b:
            adjacent.setdefault(a, set()).add(b)
            adjacent.setdefault(b, set()).add(a)
    expected: dict[str, str] = {}
    for start in sorted(adjacent):
        if start in expected:
            continue
        seen, todo = {start}, [start]
        while todo:
            for other in adjacent[todo.pop()] - seen:
                seen.add(other)
                todo.append(other)
        expected.update({x: min(seen) for x in seen})
    for limit in (0, 10_000):  # 0: always distributed
        got = {r.id: r.component for r in connected_components(frame, limit).collect()}
        assert got == expected
