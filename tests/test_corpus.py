"""Corpus mode: stories, provenance, incremental runs, add, audit, frames, resume."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from typer.testing import CliRunner

from newstrace.cli import app
from newstrace.corpus.frames import articles_frame, pairs_frame, stories_frame
from newstrace.model import RELATIONS
from tests.helpers import BODY, kill_when_stored, write_jsonl
from tests.pgcluster import Databases

runner = CliRunner()


def _by_prefix(out: Path) -> dict[str, str]:
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    return {Path(r["source"]["path"]).name[:2]: r["id"] for r in rows}


@pytest.fixture(scope="module", params=["static", "minilm", "static-postgresql"])
def sample_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
               sample_dir: Path) -> Iterator[tuple[str, Path]]:
    """The sample through ``run`` with each engine (static is the corpus default), and on
    a PostgreSQL store with the static engine."""
    engine, _, backend = request.param.partition("-")
    root = tmp_path_factory.mktemp(f"corpus-{request.param}")
    out = root / "out"
    databases: Databases | None = None
    if backend == "postgresql":
        databases = request.getfixturevalue("pg_databases")
        db = databases.create()
    else:
        db = str(root / "c.db")
    result = runner.invoke(app, ["run", str(sample_dir), "--db", db, "-o", str(out),
                                 "--engine", engine])
    assert result.exit_code == 0, result.output
    yield db, out
    if databases is not None:
        databases.drop(db)


def test_web_app_serves_the_run(sample_run: tuple[str, Path]) -> None:
    """The web app's own queries (lists, filters, paging, prefixes) on each back end."""
    from fastapi.testclient import TestClient

    from newstrace.web.app import create_app

    db, out = sample_run
    web = create_app(db)
    try:
        client = TestClient(web)
        stories = client.get("/api/stories").json()
        expected = [s for s in map(json.loads, (out / "stories.jsonl").read_text().splitlines())
                    if len(s["articles"]) > 1]
        assert stories["total"] == len(expected) >= 2
        story = client.get(f"/api/stories/{stories['items'][0]['id']}").json()
        edge = story["edges"][0]
        assert client.get(f"/api/pairs/{edge['origin']}/{edge['derived']}").json()["relation"] \
            == edge["relation"]
        page = client.get(f"/api/pairs?article={edge['origin']}&limit=1&offset=1").json()
        assert page["total"] >= 2 and len(page["items"]) == 1
        assert client.get("/api/articles?q=DAM&outlet=northwire").json()["total"] >= 1
        assert client.get("/api/articles?from=2026-03-17&to=2026-03-17").json()["total"] >= 1
        article = client.get(f"/api/articles/{edge['origin'][:6]}").json()
        assert article["id"] == edge["origin"]
        assert client.get(f"/story/{story['id']}").status_code == 200
    finally:
        web.state.corpus.close()


def _copy_store(db: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Another store holding what ``db`` holds (a file copy, or a database from a template)."""
    if db.startswith("postgresql://"):
        databases: Databases = request.getfixturevalue("pg_databases")
        copy = databases.copy(db)
        request.addfinalizer(lambda: databases.drop(copy))
        return copy
    source, work = Path(db), tmp_path / "db.db"
    shutil.copy(source, work)
    for extra in (".hnsw", ".labels"):
        src = Path(f"{source}{extra}") if extra == ".hnsw" else \
            source.with_name(source.name + ".labels")
        if src.exists():
            shutil.copy(src, Path(f"{work}{extra}") if extra == ".hnsw" else
                        work.with_name(work.name + ".labels"))
    return str(work)


def test_stories_keep_the_lookalike_apart(sample_run: tuple[str, Path],
                                         request: pytest.FixtureRequest) -> None:
    _, out = sample_run
    ids = _by_prefix(out)
    stories = [json.loads(line) for line in (out / "stories.jsonl").read_text().splitlines()]
    story_of = {a: s["id"] for s in stories for a in s["articles"]}
    main = story_of[ids["01"]]
    for member in ("02", "03", "04", "05"):
        assert story_of[ids[member]] == main, member
    assert story_of[ids["09"]] != main  # the look-alike event is another story
    assert story_of[ids["06"]] == story_of[ids["07"]] != main
    (story,) = [s for s in stories if s["id"] == main]
    assert ids["01"] in story["origins"]
    edges = {(e["origin"], e["derived"]): e for e in story["edges"]}
    assert edges[(ids["01"], ids["02"])]["credit"] == "credited"
    if request.node.callspec.params["sample_run"] == "minilm":
        # the static engine aligns only about half of this reordered rewrite's sentences
        # (MiniLM: 85 %); fitted with close independent reports of one event, it reads
        # that as another report of the story, not a rewrite (bench/RESULTS.md, tenth
        # session): the story is still found, the edge needs MiniLM
        assert edges[(ids["01"], ids["03"])]["credit"] == "uncredited"


def test_output_schemas(sample_run: tuple[str, Path]) -> None:
    db, out = sample_run
    for line in (out / "pairs.jsonl").read_text().splitlines():
        row = json.loads(line)
        assert set(row) == {"a", "b", "relation", "confidence", "origin", "credit", "screened"}
        # a pair the screen settled is never a copy or a rewrite
        assert not (row["screened"] and row["relation"] in ("copy", "derived"))
    for line in (out / "stories.jsonl").read_text().splitlines():
        assert {"id", "articles", "origins"} <= set(json.loads(line))
    graph = nx.read_gexf(out / "graph.gexf")
    assert graph.number_of_edges() >= 3
    settings = json.loads((out / "run.json").read_text())["settings"]
    assert {"lsh_bands", "ann_neighbours", "ann_min_cosine", "window_days", "engine"} <= \
        set(settings)
    assert len(articles_frame(db)) == 10
    relations = set(pairs_frame(db).relation)
    assert "derived" in relations and relations <= set(RELATIONS)
    if settings["engine"] == "minilm":
        # the press release's near-verbatim copy; the static engine calls it derived (0.61)
        assert "copy" in relations
    assert stories_frame(db).story_id.nunique() >= 2


def _new_store(like: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Another empty store on the same back end as ``like``."""
    if like.startswith("postgresql://"):
        databases: Databases = request.getfixturevalue("pg_databases")
        url = databases.create()
        request.addfinalizer(lambda: databases.drop(url))
        return url
    return str(tmp_path / f"{uuid.uuid4().hex}.db")


def test_rerun_only_processes_what_is_new(sample_run: tuple[str, Path], tmp_path: Path,
                                          sample_dir: Path, request: pytest.FixtureRequest
                                          ) -> None:
    db, _ = sample_run
    work = _copy_store(db, tmp_path, request)
    again = runner.invoke(app, ["run", str(sample_dir), "--db", work, "-o",
                                str(tmp_path / "o2")])
    assert again.exit_code == 0, again.output
    assert re.search(r"compared\s+0\s+new\s+pairs", again.output)
    newer = tmp_path / "new"
    newer.mkdir()
    text = (sample_dir / next(p.name for p in sample_dir.glob("01_*.txt"))).read_text()
    body = "\n".join(line for line in text.split("\n")[2:] if not line.startswith("(Source"))
    (newer / "reprint.txt").write_text("Dam release floods valley\n\n" + body,
                                       encoding="utf-8")
    (newer / "meta.jsonl").write_text(json.dumps({
        "file": "reprint.txt", "outlet": "Reprint Daily", "published": "2026-03-15T10:00:00Z",
        "url": "https://reprint.example/dam"}) + "\n", encoding="utf-8")
    added = runner.invoke(app, ["add", str(newer / "reprint.txt"), "--db", work,
                                "--json"])
    assert added.exit_code == 0, added.output
    found = json.loads(added.output)
    assert any(r["relation"] == "copy" and r["this_is"] == "derived" for r in found)
    # a file added before is not read again: its stored relations are shown
    repeated = runner.invoke(app, ["add", str(newer / "reprint.txt"), "--db", work, "--json"])
    assert repeated.exit_code == 0, repeated.output
    assert json.loads(repeated.output) == found


def test_audit_lists_derived_articles_of_a_watched_outlet(sample_run: tuple[str, Path],
                                                          tmp_path: Path,
                                                          request: pytest.FixtureRequest,
                                                          ) -> None:
    db, _ = sample_run
    target = tmp_path / "audit.json"
    result = runner.invoke(app, ["audit", "--db", str(db), "--watch", "Northwire",
                                 "--json", str(target), "--csv", str(tmp_path / "a.csv")])
    assert result.exit_code == 0, result.output
    rows = json.loads(target.read_text())
    outlets = {r["derived_outlet"]: r for r in rows}
    if request.node.callspec.params["sample_run"] == "minilm":  # see the test above
        assert outlets["The Lantern Daily"]["credit"] == "uncredited"
    assert outlets["The Vellory Courier"]["credit"] == "credited"
    assert all(r["origin_outlet"] == "Northwire" for r in rows)


def test_run_resumes_after_a_kill(tmp_path: Path, store_url: str) -> None:
    from newstrace.corpus.store import Store

    records = []
    for story in range(30):
        base = f"{BODY} Story {story} concerns the harbour of town number {story}."
        records.append({"text": base, "outlet": "Wire", "url": f"https://w.example/{story}"})
        records.append({"text": base + " A copier added a line.", "outlet": f"Copier {story}",
                        "url": f"https://c{story}.example/x"})
    path = write_jsonl(tmp_path / "c.jsonl", records)
    db = store_url
    cmd = [sys.executable, "-m", "newstrace", "run", str(path), "--db", db, "-o",
           str(tmp_path / "out")]
    kill_when_stored(cmd, db, "pairs")
    finished = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    with Store(db) as store:
        conn = store.conn
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 60
        pairs = conn.execute("SELECT a, b, relation FROM pairs").fetchall()
        stories = conn.execute("SELECT COUNT(DISTINCT story_id) FROM stories").fetchone()[0]
    assert len(pairs) == len({(a, b) for a, b, _ in pairs})
    copies = [p for p in pairs if p[2] == "copy"]
    assert len(copies) >= 25  # each wire story and its copy
    assert stories <= 35


def test_average_linkage_does_not_chain_topics() -> None:
    from newstrace.corpus.stories import _average_linkage

    # a and b are one story; c is like b but never like a; d, e are a second story
    weights = {("a", "b"): 1.0, ("b", "c"): 0.9, ("d", "e"): 0.8, ("c", "d"): 0.6}
    groups = sorted(sorted(g) for g in _average_linkage("abcde", weights))
    # connected components would put all five together; c joins a group only if its
    # average similarity to the group's members is above one half ({a,b}: 0.45, {d,e}: 0.3)
    assert groups == [["a", "b"], ["c"], ["d", "e"]]
    triangle = {("x", "y"): 0.9, ("y", "z"): 0.8, ("x", "z"): 0.7}
    assert sorted(map(sorted, _average_linkage("xyz", triangle))) == [["x", "y", "z"]]


def test_average_linkage_does_not_depend_on_link_order() -> None:
    """The Spark job hands links over in whatever order its shuffle produced."""
    import random

    from newstrace.corpus.stories import _average_linkage

    rng = random.Random(3)
    nodes = [f"n{k:02d}" for k in range(40)]
    links = {(a, b): round(rng.random(), 6) for a in nodes for b in nodes
             if a < b and rng.random() < 0.15}
    expected = sorted(sorted(g) for g in _average_linkage(nodes, links))
    assert any(len(g) > 2 for g in expected)  # the case is not trivial
    for _ in range(5):
        items = list(links.items())
        rng.shuffle(items)
        assert sorted(sorted(g) for g in _average_linkage(nodes, dict(items))) == expected


def test_stories_weigh_a_pair_by_its_probability_of_being_one_story(tmp_path: Path,
                                                                     sample_dir: Path) -> None:
    """An independent report read as ``unrelated`` at 0.55 still counts 0.45 towards
    joining the story; pairs stored before that probability was kept read as before."""
    from newstrace.corpus.pipeline import run as run_pipeline
    from newstrace.corpus.store import Store
    from newstrace.corpus.stories import build_stories, link_weight

    assert link_weight("derived", 0.6, 0.9) == 1.0
    assert link_weight("unrelated", 0.55, 0.45) == 0.45
    assert link_weight("same_story", 0.4, 0.93) == 0.93
    assert (link_weight("same_story", 0.4, None), link_weight("unrelated", 0.7, None)) == (0.4, 0)
    with Store(tmp_path / "c.db") as store:
        run_pipeline([sample_dir], store, engine_name="static")
        rows = store.conn.execute("SELECT relation, result, related FROM pairs").fetchall()
        assert rows and all(related == round(1 - json.loads(result)["probabilities"]
                                             ["unrelated"], 4) for _, result, related in rows)
        assert any(relation == "unrelated" and related > 0 for relation, _, related in rows)
        stories = build_stories(store)
        grouped = {a for s in stories if len(s.articles) > 1 for a in s.articles}
        # a store compared before the column existed: same-story confidences only
        with store.transaction() as conn:
            conn.execute("UPDATE pairs SET related = NULL")
        before = {a for s in build_stories(store) if len(s.articles) > 1 for a in s.articles}
        assert before <= grouped
        # the weight is read: unrelated pairs made near-certain one story join their articles
        story_of = {a: s.id for s in stories for a in s.articles}
        apart = [(a, b) for a, b in store.conn.execute(
            "SELECT a, b FROM pairs WHERE relation = 'unrelated'") if story_of[a] != story_of[b]]
        assert apart
        with store.transaction() as conn:
            conn.execute("UPDATE pairs SET related = 0.99 WHERE relation = 'unrelated'")
        story_of = {a: s.id for s in build_stories(store) for a in s.articles}
        assert any(story_of[a] == story_of[b] for a, b in apart)

def test_changes_left_for_opening_are_those_a_run_with_changes_stores(
        tmp_path: Path, sample_dir: Path) -> None:
    """A run leaves each copy's and rewrite's change analysis for when it is shown; what
    the pair page, ``serve`` and ``audit`` then find is what ``run --changes`` stores."""
    from newstrace.corpus.details import Details
    from newstrace.corpus.outputs import stored_pair_result
    from newstrace.corpus.store import Store

    stored = {}
    for flag in ("--no-changes", "--changes"):
        db = tmp_path / f"{flag}.db"
        result = runner.invoke(app, ["run", str(sample_dir), "--db", str(db), "-o",
                                     str(tmp_path / flag), flag])
        assert result.exit_code == 0, result.output
        with Store(db) as store:
            rows = store.conn.execute("SELECT a, b FROM pairs WHERE relation IN "
                                      "('copy', 'derived') ORDER BY a, b").fetchall()
            stored[flag] = {(a, b): stored_pair_result(store, a, b) for a, b in rows}
            if flag == "--no-changes":
                assert rows and all(not r.changes_analysed and not r.changes
                                    for r in stored[flag].values())
                details = Details(store)
                stored[flag] = {k: details.complete(r) for k, r in stored[flag].items()}
    lazy, eager = stored["--no-changes"], stored["--changes"]
    assert lazy.keys() == eager.keys()
    assert any(r.changes for r in eager.values())  # the sample's rewrite shifts attributions
    for key, done in eager.items():
        assert done.changes_analysed and lazy[key].changes_analysed
        assert (lazy[key].relation, lazy[key].confidence, lazy[key].origin) == \
            (done.relation, done.confidence, done.origin)
        assert [c.as_dict() for c in lazy[key].changes] == [c.as_dict() for c in done.changes]
    # the report's page of the rewrite shows its changes although the run did not store them
    pages = list((tmp_path / "--no-changes" / "pairs").glob("*.html"))
    assert any('class="changes"' in p.read_text() for p in pages)
    audits = {}
    for flag in ("--no-changes", "--changes"):  # and audit lists the same changes
        target = tmp_path / f"{flag}.json"
        result = runner.invoke(app, ["audit", "--db", str(tmp_path / f"{flag}.db"),
                                     "--watch", "Northwire", "--json", str(target)])
        assert result.exit_code == 0, result.output
        audits[flag] = {(r["origin_id"], r["derived_id"]): r["changes"]
                        for r in json.loads(target.read_text())}
    assert audits["--changes"] and audits["--no-changes"] == audits["--changes"]


def test_worker_processes_store_what_one_process_would(tmp_path: Path, sample_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      store_url: str,
                                                      request: pytest.FixtureRequest) -> None:
    from newstrace.corpus import pipeline
    from newstrace.corpus.candidates import CandidateSettings, candidates_for, fingerprint
    from newstrace.corpus.ingest import ingest
    from newstrace.corpus.store import Store

    results = {}
    for workers in (1, 2):
        monkeypatch.setattr(pipeline, "PARALLEL_FROM", 1)
        monkeypatch.setattr(pipeline, "CHUNK", 7)  # several chunks, handed out in turn
        monkeypatch.setattr(pipeline, "WORKER_CHUNKS", 2)  # and workers replaced as they go
        db = store_url if workers == 1 else _new_store(store_url, tmp_path, request)
        with Store(db) as store:
            ingest([sample_dir], store)
            index = pipeline.open_index(store)
            articles = list(store.iter_articles(with_sentences=False))
            fingerprint(store, articles, CandidateSettings(), index)
            pairs = sorted(candidates_for(store, [a.id for a in articles], CandidateSettings(),
                                          index))
            report = pipeline.RunReport()
            pipeline.compare_pairs(store, pairs, report, engine_name="static", workers=workers)
            assert report.compared == len(pairs) > 7
            results[workers] = [
                (a, b, relation, round(confidence, 6), origin, credit)
                for a, b, relation, confidence, origin, credit in store.conn.execute(
                    "SELECT a, b, relation, confidence, origin, credit FROM pairs "
                    "ORDER BY a, b")]
    assert results[1] == results[2]


def test_fingerprint_workers_store_what_one_process_would(tmp_path: Path, sample_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from newstrace.corpus import pipeline
    from newstrace.corpus.store import Store

    monkeypatch.setattr(pipeline, "FINGERPRINT_BATCH", 3)  # four batches for ten articles
    monkeypatch.setattr(pipeline, "PARALLEL_FINGERPRINTS_FROM", 2)
    results = {}
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}.db") as store:
            report, _ = pipeline.run([sample_dir], store, engine_name="static", workers=workers)
            assert report.fingerprinted == 10
            index = pipeline.open_index(store)
            results[workers] = (
                list(store.conn.execute("SELECT article_id, minhash, vector, published "
                                        "FROM fingerprints ORDER BY article_id")),
                list(store.conn.execute("SELECT band, bucket, article_id FROM lsh "
                                        "ORDER BY band, bucket, article_id")),
                sorted(index.position),
                list(store.conn.execute("SELECT a, b, relation, origin FROM pairs ORDER BY a, b")))
    assert results[1] == results[2]
    assert len(results[2][0]) == 10 and results[2][3]


def test_a_pair_whose_compare_fails_is_reported_and_the_run_goes_on(
        tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One pair's failure (a bug, hostile text) costs that pair only: it is named, not
    stored, and the next run compares it."""
    from newstrace.corpus import pipeline
    from newstrace.corpus.store import Store

    real = pipeline.compare_articles
    broken: list[tuple[str, str]] = []

    def failing_once(a, b, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not broken:
            broken.append((a.id, b.id))
            raise IndexError("tuple index out of range")
        return real(a, b, *args, **kwargs)

    monkeypatch.setattr(pipeline, "compare_articles", failing_once)
    with Store(tmp_path / "c.db") as store:
        report, _ = pipeline.run([sample_dir], store, engine_name="static")
        (a, b), = broken
        assert report.failed == [(a, b, "IndexError: tuple index out of range")]
        assert report.compared == report.candidates - 1 > 0
        stored = {(x, y) for x, y in store.conn.execute("SELECT a, b FROM pairs")}
        assert (a, b) not in stored and len(stored) == report.compared
        again, _ = pipeline.run([sample_dir], store, engine_name="static")
        assert (again.compared, again.failed) == (1, [])
        assert store.conn.execute("SELECT 1 FROM pairs WHERE a = ? AND b = ?",
                                  (a, b)).fetchone()


def test_neighbours_tied_at_the_cut_are_all_kept(tmp_path: Path) -> None:
    """Twenty copies of one vector: a query's fifth place is a twenty-way tie, and the
    index must return all of them (an exact join would, whatever order it sorts in)."""
    import numpy as np

    from newstrace.corpus.candidates import VectorIndex
    from newstrace.corpus.fingerprints import VECTOR_DIM

    rng = np.random.default_rng(7)
    base = rng.normal(size=VECTOR_DIM)
    noise = rng.normal(size=(30, VECTOR_DIM))
    vectors = np.vstack([np.tile(base, (20, 1)), base + 3.0 * noise]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(tmp_path / "v.hnsw")
    index.add([f"a{k:02d}" for k in range(len(vectors))], vectors)
    (found,) = index.nearest(vectors[:1], top=5, floor=0.0)
    assert {label for label, _ in found} == {f"a{k:02d}" for k in range(20)}
    (spread,) = index.nearest(vectors[25:26], top=5, floor=0.0)
    exact = np.sort(vectors @ vectors[25])[::-1]
    assert len(spread) == 5 + int(np.sum(np.abs(exact[5:] - exact[4]) < 1e-5))
    assert all(cos >= 0.0 for _, cos in found + spread)


def test_equal_vectors_share_an_element(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A reprinted text's articles are one element of the index, found together at one
    cosine, through the exact search and hnswlib alike, and after a save and reload."""
    import numpy as np

    from newstrace.corpus import candidates as cand
    from newstrace.corpus.fingerprints import VECTOR_DIM

    rng = np.random.default_rng(5)
    distinct = rng.normal(size=(60, VECTOR_DIM)).astype(np.float32)
    copies = rng.integers(1, 6, size=60)  # each vector carried by 1–5 articles
    ids = [f"t{k:02d}c{c}" for k in range(60) for c in range(copies[k])]
    vectors = np.vstack([distinct[k] for k in range(60) for _ in range(copies[k])])
    order = rng.permutation(len(ids))
    index = cand.VectorIndex(tmp_path / "v.hnsw")
    index.add([ids[i] for i in order[:100]], vectors[order[:100]])
    index.add([ids[i] for i in order[100:]], vectors[order[100:]])
    assert len(index) == len(ids) and len(index.members) == 60
    exact = index.nearest(distinct[:20], top=6, floor=-1.0)
    for k, row in enumerate(exact):
        mine = {f"t{k:02d}c{c}" for c in range(copies[k])}
        assert mine <= {article for article, _ in row}
        assert all(cos == pytest.approx(1.0, abs=1e-5) for a, cos in row if a in mine)
    index.save()
    reopened = cand.VectorIndex(tmp_path / "v.hnsw")
    assert reopened.members == index.members and reopened.position == index.position
    assert reopened.nearest(distinct[:20], top=6, floor=-1.0) == exact
    monkeypatch.setattr(cand, "EXACT_UP_TO", 0)
    approximate = reopened.nearest(distinct[:20], top=6, floor=-1.0)
    assert [{a for a, _ in row} for row in approximate] == [{a for a, _ in row} for row in exact]
    reopened.add(["late"], distinct[3:4])  # a later copy joins its element
    assert reopened.position["late"] == reopened.position["t03c0"]


def test_an_index_saved_before_shared_elements_still_loads(tmp_path: Path) -> None:
    import hnswlib
    import numpy as np

    from newstrace.corpus.candidates import VectorIndex
    from newstrace.corpus.fingerprints import VECTOR_DIM

    vectors = np.random.default_rng(3).normal(size=(5, VECTOR_DIM)).astype(np.float32)
    old = hnswlib.Index(space="cosine", dim=VECTOR_DIM)
    old.init_index(max_elements=16, ef_construction=200, M=16)
    old.add_items(vectors, np.arange(5))
    old.save_index(str(tmp_path / "v.hnsw"))
    (tmp_path / "v.labels").write_text("\n".join(f"a{k}" for k in range(5)), encoding="utf-8")
    index = VectorIndex(tmp_path / "v.hnsw")
    assert len(index) == 5 and index.position == {f"a{k}": k for k in range(5)}
    assert index.nearest(vectors[2:3], top=1, floor=0.0)[0][0][0] == "a2"
    index.add(["b"], vectors[2:3])  # digests of old elements are unknown: a new element
    assert {a for a, _ in index.nearest(vectors[2:3], top=1, floor=0.0)[0]} == {"a2", "b"}


def test_repeated_texts_are_fingerprinted_once_with_the_same_rows() -> None:
    import numpy as np

    from newstrace.corpus import fingerprints as fp

    texts = [f"Report {k} on the harbour vote and the {k * 3} ferries it concerns."
             for k in range(5)]
    batch = [texts[0], texts[1], texts[0], "", texts[2], texts[1], texts[0], ""]
    digests, vectors = fp.fingerprints(batch)
    assert digests.shape == (len(batch), fp.NUM_PERM) and vectors.shape == (len(batch),
                                                                             fp.VECTOR_DIM)
    for k, text in enumerate(batch):
        alone_digest, alone_vector = fp.fingerprints([text])
        assert np.array_equal(digests[k], alone_digest[0])
        assert np.array_equal(vectors[k], alone_vector[0])
    assert not np.array_equal(digests[0], digests[1])


def test_small_indexes_are_searched_exactly(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Up to ``EXACT_UP_TO`` articles, neighbours are the exact top by cosine (what
    Spark's exact join finds); past it, hnswlib answers through the same interface."""
    import numpy as np

    from newstrace.corpus import candidates as cand
    from newstrace.corpus.fingerprints import VECTOR_DIM

    rng = np.random.default_rng(11)
    centres = rng.normal(size=(6, VECTOR_DIM))
    vectors = (centres[rng.integers(0, 6, 400)] + 0.8 * rng.normal(size=(400, VECTOR_DIM)))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    index = cand.VectorIndex(tmp_path / "v.hnsw")
    index.add([f"a{k:03d}" for k in range(200)], vectors[:200])
    index.add([f"a{k:03d}" for k in range(200, 400)], vectors[200:])  # the matrix follows adds
    cosines = vectors[:50] @ vectors.T
    found = index.query(vectors[:50], 12)
    for row, answer in zip(cosines, found, strict=True):
        assert [label for label, _ in answer] == [f"a{j:03d}" for j in np.argsort(-row)[:12]]
        assert [cos for _, cos in answer] == pytest.approx(np.sort(row)[::-1][:12], abs=1e-5)
    index.save()
    reopened = cand.VectorIndex(tmp_path / "v.hnsw")  # vectors from the saved sidecar
    assert reopened.query(vectors[:50], 12) == found
    monkeypatch.setattr(cand, "EXACT_UP_TO", 0)
    approximate = index.query(vectors[:50], 12)
    same = sum(len({x for x, _ in a} & {y for y, _ in b}) for a, b in zip(
        found, approximate, strict=True))
    assert same >= 0.95 * 50 * 12


def test_bucket_sweep_gives_the_per_article_pairs(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-pass LSH sweep (many new articles) and the per-article query (a few)
    give the same candidates, dated copies inside and outside the window and undated
    ones included."""
    from newstrace.corpus import candidates as cand
    from newstrace.corpus.ingest import ingest
    from newstrace.corpus.pipeline import FINGERPRINT_BATCH, open_index, unfingerprinted
    from newstrace.corpus.store import Store

    bodies = [" ".join(f"term{k}x{i}" for i in range(120)) + "." for k in range(6)]
    records = []
    for k, body in enumerate(bodies):
        for copy, day in enumerate((1, 3, 20, 45, 80, None)):
            record: dict[str, object] = {"text": body + f" Copy note {copy}.",
                                         "outlet": f"Outlet {copy}", "url":
                                         f"https://o{copy}.example/{k}"}
            if day is not None:
                record["published"] = f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}"
            records.append(record)
    with Store(tmp_path / "b.db") as store:
        ingest([write_jsonl(tmp_path / "c.jsonl", records)], store)
        index = open_index(store)
        ids = unfingerprinted(store)
        cand.fingerprint(store, list(store.get_many(ids[:FINGERPRINT_BATCH],
                                                    with_sentences=False).values()),
                         cand.CandidateSettings(), index)
        settings = cand.CandidateSettings(neighbours=1, min_cosine=0.99)  # LSH does the work
        found = {}
        for bulk_from in (1, 10**9):
            monkeypatch.setattr(cand, "BULK_FROM", bulk_from)
            found[bulk_from] = (cand.candidates_for(store, ids, settings, index),
                                cand.candidates_for(store, ids[:5], settings, index))
    assert found[1] == found[10**9]
    everything, some = found[1]
    # per story: days 1-3, 1-20, 3-20, 20-45 inside 30 days, and the undated copy with all
    assert len(everything) == len(bodies) * 9
    assert some and all(a in ids[:5] or b in ids[:5] for a, b in some)


def test_reprints_get_the_neighbours_each_would_get_alone(tmp_path: Path) -> None:
    """Articles with one text share one vector, searched once in a batch: each still
    gets exactly the candidates its own search gives."""
    from newstrace.corpus import candidates as cand
    from newstrace.corpus.ingest import ingest
    from newstrace.corpus.pipeline import open_index, unfingerprinted
    from newstrace.corpus.store import Store

    bodies = [" ".join(f"w{(k * 7 + i) % 90}" for i in range(150)) + "." for k in range(8)]
    records = [{"text": body, "outlet": f"Outlet {copy}", "url": f"https://o{copy}.example/{k}",
                "published": f"2026-03-{1 + copy * 3:02d}"}
               for k, body in enumerate(bodies) for copy in range(3 if k % 2 else 1)]
    with Store(tmp_path / "r.db") as store:
        ingest([write_jsonl(tmp_path / "r.jsonl", records)], store)
        index = open_index(store)
        ids = unfingerprinted(store)
        cand.fingerprint(store, list(store.get_many(ids, with_sentences=False).values()),
                         cand.CandidateSettings(), index)
        settings = cand.CandidateSettings(neighbours=3, min_cosine=0.0)
        together = cand.candidates_for(store, ids, settings, index)
        alone = set().union(*(cand.candidates_for(store, [aid], settings, index)
                              for aid in ids))
    assert together == alone
    assert len(ids) == 16 and len(together) > len(ids)


def test_recurrences_outside_the_window_do_not_crowd_out_neighbours(tmp_path: Path) -> None:
    """A text that recurs every two months (a monthly report, a template) is nearer to
    its recurrences than to this week's rewrite of it; the window removes every
    recurrence, so neighbours are counted inside the window or the rewrite is lost."""
    import random

    import numpy as np

    from newstrace.corpus import candidates as cand
    from newstrace.corpus.ingest import ingest
    from newstrace.corpus.pipeline import open_index, unfingerprinted
    from newstrace.corpus.store import Store

    rng = random.Random(5)
    words = [f"w{i}" for i in range(150)]
    shuffled = rng.sample(words, len(words))  # no shared 5-word run: LSH cannot find it
    rewrite = [w if rng.random() > 0.3 else f"new{i}" for i, w in enumerate(shuffled)]
    added = [w for w in rewrite if w.startswith("new")]
    records: list[dict[str, object] | str] = []
    for k in range(12):  # each edition a little nearer the rewrite than the one before
        text = " ".join([*words, *added[:k], f"edition{k}"]) + "."
        records.append({"text": text, "outlet": "Monthly", "url": f"https://m.example/{k}",
                        "published": f"{2020 + k // 6}-{1 + 2 * (k % 6):02d}-01"})
    records.append({"text": " ".join(rewrite) + ".", "outlet": "Rewriter",
                    "url": "https://r.example/1", "published": "2020-01-03"})
    with Store(tmp_path / "w.db") as store:
        ingest([write_jsonl(tmp_path / "w.jsonl", records)], store)
        index = open_index(store)
        ids = unfingerprinted(store)
        cand.fingerprint(store, list(store.get_many(ids, with_sentences=False).values()),
                         cand.CandidateSettings(), index)
        by_url = {url: aid for aid, url in store.conn.execute("SELECT id, url FROM articles")}
        first, copy = by_url["https://m.example/0"], by_url["https://r.example/1"]
        settings = cand.CandidateSettings(neighbours=3, min_cosine=0.0)
        # the rewrite is not among the first edition's four nearest, nor it among its own
        vector = {aid: np.frombuffer(blob, dtype=np.float32) for aid, blob in
                  store.conn.execute("SELECT article_id, vector FROM fingerprints")}
        nearest = index.nearest(np.vstack([vector[first], vector[copy]]), 4, 0.0)
        assert copy not in {a for a, _ in nearest[0]} and first not in {a for a, _ in nearest[1]}
        pair = (min(first, copy), max(first, copy))
        assert pair in cand.candidates_for(store, [first], settings, index)
        assert pair in cand.candidates_for(store, [copy], settings, index)
        assert pair in cand.candidates_for(store, ids, settings, index)


def test_window_searches_agree_whichever_route_answers(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A bulk run searches each window's slice exactly, ``add`` asks the index for more
    until the window is filled, and a dense window goes back to the index: on texts
    recurring over a year, with undated articles, all three give the same candidates."""
    import random

    from newstrace.corpus import candidates as cand
    from newstrace.corpus.ingest import ingest
    from newstrace.corpus.pipeline import open_index, unfingerprinted
    from newstrace.corpus.store import Store

    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(400)]
    bases = [rng.sample(vocabulary, 120) for _ in range(6)]
    records: list[dict[str, object] | str] = []
    for n in range(90):
        words = [w if rng.random() > 0.2 else rng.choice(vocabulary) for w in bases[n % 6]]
        record: dict[str, object] = {"text": " ".join(words) + ".", "outlet": f"O{n % 7}",
                                     "url": f"https://x.example/{n}"}
        if n % 9:
            day = rng.randrange(365)
            record["published"] = f"2025-{1 + day // 31:02d}-{1 + day % 28:02d}"
        records.append(record)
    with Store(tmp_path / "y.db") as store:
        ingest([write_jsonl(tmp_path / "y.jsonl", records)], store)
        index = open_index(store)
        ids = unfingerprinted(store)
        cand.fingerprint(store, list(store.get_many(ids, with_sentences=False).values()),
                         cand.CandidateSettings(), index)
        settings = cand.CandidateSettings(neighbours=4, min_cosine=0.0, window_days=20)
        found = {}
        for route, bulk_from, slice_up_to, cells in (
                ("exact slices", 1, 10**9, 10**9),
                ("index, deepened", 10**9, 10**9, 10**9),
                ("dense windows", 1, 0, 10**9),
                # blocks cut to a few queries, down to one, to bound their arrays
                ("small exact blocks", 1, 10**9, 200)):
            monkeypatch.setattr(cand, "BULK_FROM", bulk_from)
            monkeypatch.setattr(cand, "EXACT_SLICE_UP_TO", slice_up_to)
            monkeypatch.setattr(cand, "_EXACT_CELLS", cells)
            found[route] = cand.candidates_for(store, ids, settings, index)
        # the index's vectors read back a few at a time give the same matrix
        whole = index._vectors().copy()
        index._matrix = None
        monkeypatch.setattr(cand, "_GET_ITEMS", 7)
        np.testing.assert_array_equal(index._vectors(), whole)
        alone = set().union(*(cand.candidates_for(store, [aid], settings, index)
                              for aid in ids))
    assert found["exact slices"] == found["index, deepened"] == found["dense windows"] \
        == found["small exact blocks"] == alone
    assert len(found["exact slices"]) > len(ids)
