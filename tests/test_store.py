"""The store, on SQLite and on PostgreSQL: idempotent, resumable ingest, learned
boilerplate, schema versions, exports."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newstrace.corpus.ingest import ingest
from newstrace.corpus.schema import MIGRATIONS
from newstrace.corpus.store import Store, outlet_key
from newstrace.errors import StoreError
from newstrace.io.export import export_articles
from tests.helpers import BODY, kill_when_stored, write_jsonl


def _corpus(path: Path, n: int, outlet: str = "Gazette") -> Path:
    return write_jsonl(path, [{"text": f"{BODY} Article number {i} has its own line.",
                               "outlet": outlet, "title": f"Story {i}",
                               "url": f"https://g.example/{i}"} for i in range(n)])


def test_ingest_is_idempotent_and_skips_unchanged_files(store: Store, tmp_path: Path) -> None:
    path = _corpus(tmp_path / "c.jsonl", 20)
    first = ingest([path], store)
    assert (first.read, first.stored, first.duplicates) == (20, 20, 0)
    again = ingest([path], store)
    assert again.files_unchanged == 1 and again.read == 0 and store.count() == 20
    path.write_text(path.read_text() + json.dumps({"text": BODY + " A late addition.",
                                                   "outlet": "Gazette"}) + "\n")
    grown = ingest([path], store)
    assert (grown.read, grown.stored, grown.duplicates) == (21, 1, 20)
    assert store.count() == 21


def test_sentences_round_trip_with_offsets(store: Store, sample_dir: Path) -> None:
    ingest([sample_dir], store)
    for article in store.iter_articles():
        assert article.sentences
        for s in article.sentences:
            assert article.text[s.start : s.end] == s.text
        fetched = store.get(article.id[:8])
        assert fetched is not None and fetched.as_dict() == article.as_dict()


def test_repeated_outlet_lines_are_learned_and_removed(store: Store, tmp_path: Path) -> None:
    footer = "Follow The Gazette on Lumina for live coverage of every story"
    records = [{"text": f"Story {i} begins with a fact about item {i}.\n{footer}\n"
                        f"It ends with another fact number {i}.",
                "outlet": "Gazette", "url": f"https://g.example/{i}"} for i in range(4)]
    records.append({"text": f"An unrelated outlet also says this.\n{footer}", "outlet": "Other"})
    ingest([write_jsonl(tmp_path / "a.jsonl", records[:2])], store)
    assert all(footer in a.text for a in store.iter_articles())  # two is not yet a pattern
    report = ingest([write_jsonl(tmp_path / "b.jsonl", records[2:])], store)
    assert report.recleaned >= 2
    gazette = list(store.iter_articles(outlet="Gazette"))
    assert len(gazette) == 4
    for article in gazette:
        assert footer not in article.text
        assert any(r.rule == "repeated-in-outlet" and r.text == footer for r in article.removals)
        assert len(article.sentences) == 2
    (other,) = store.iter_articles(outlet="Other")
    assert footer in other.text  # evidence is per outlet
    # what parallel ingest workers start from: every outlet's lines at once, the same
    keys = {outlet_key(a) for a in store.iter_articles()} - {None}
    expected = {k: store.repeated_lines(k) for k in keys if k and store.repeated_lines(k)}
    assert expected and store.all_repeated_lines() == expected


def test_resume_after_kill_has_no_duplicates_and_loses_nothing(store_url: str,
                                                              tmp_path: Path) -> None:
    path = _corpus(tmp_path / "big.jsonl", 6000)
    db = store_url
    code = kill_when_stored([sys.executable, "-m", "newstrace", "ingest", str(path), "--db",
                             db, "--quiet"], db, "articles", timeout=120)
    if code == 0:
        pytest.skip("ingest finished before it could be killed")
    with Store(db) as store:
        partial = store.count()
        assert 0 < partial < 6000
        report = ingest([path], store)
        assert store.count() == 6000
        assert report.duplicates == partial and report.stored == 6000 - partial
        ids = [r[0] for r in store.conn.execute("SELECT id FROM articles")]
        assert len(ids) == len(set(ids))
        sentences = store.conn.execute(
            "SELECT COUNT(*) FROM (SELECT article_id FROM sentences GROUP BY article_id) AS s"
        ).fetchone()[0]
        assert sentences == 6000


def test_schema_version_and_newer_store_refused(store_url: str) -> None:
    with Store(store_url) as store:
        assert store.schema_version == len(MIGRATIONS)
        with store.transaction() as conn:
            if store.postgres:
                conn.execute("UPDATE newstrace_store SET schema_version = ?",
                             (len(MIGRATIONS) + 1,))
            else:
                conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer newstrace"):
        Store(store_url)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_formats(store: Store, sample_dir: Path, tmp_path: Path, fmt: str) -> None:
    ingest([sample_dir], store)
    target = tmp_path / f"out.{fmt}"
    count = export_articles(store.iter_articles(), target, fmt)
    assert count == store.count() == 10
    if fmt == "jsonl":
        rows = [json.loads(line) for line in target.read_text().splitlines()]
        assert {r["outlet"] for r in rows} >= {"Northwire", "The Lantern Daily"}
        assert all(r["sentences"] and r["text"] for r in rows)
    elif fmt == "csv":
        import csv

        with target.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 10 and all(json.loads(r["removals"]) is not None for r in rows)
    else:
        table = pq.read_table(target)
        assert table.num_rows == 10 and "text" in table.column_names


def test_data_version_moves_when_another_connection_writes(store: Store, store_url: str,
                                                           sample_dir: Path) -> None:
    """What the web app polls to know when to re-read the stories list."""
    with Store(store_url, read_only=True) as reader:
        before = reader.data_version()
        assert reader.data_version() == before  # reading changes nothing
        ingest([sample_dir], store)
        assert reader.data_version() != before
        assert reader.count() == 10


def _folder_corpus(folder: Path) -> list[Path]:
    """Text files of two outlets (with a repeated footer), a sidecar with one bad line,
    a binary file, and a JSONL file big enough to be read in the main process."""
    folder.mkdir()
    footer = "Subscribe to The Ledger for the whole morning briefing"
    meta = []
    for i in range(60):
        outlet = "Ledger" if i % 2 else "Courier"
        (folder / f"{i:03d}.txt").write_text(
            f"Item {i} opens with a plain fact about case {i}.\n{footer}\n"
            f"{BODY} The count for item {i} was {i * 7}.", encoding="utf-8")
        meta.append(json.dumps({"file": f"{i:03d}.txt", "outlet": outlet,
                                "published": f"2026-03-{1 + i % 28:02d}"}))
    meta.insert(5, "{not json")
    (folder / "meta.jsonl").write_text("\n".join(meta) + "\n", encoding="utf-8")
    (folder / "030b.bin").write_bytes(bytes(range(256)) * 8)
    write_jsonl(folder / "031b.jsonl", [{"text": f"{BODY} Wire copy {i}.", "outlet": "Wire"}
                                        for i in range(40)])
    return sorted(folder.iterdir())


def _contents(store: Store) -> list[tuple[object, ...]]:
    return store.conn.execute(
        "SELECT a.id, a.outlet, a.published, a.text, a.cleaning, a.clean_sig, "
        "(SELECT COUNT(*) FROM sentences s WHERE s.article_id = a.id) "
        "FROM articles a ORDER BY a.id").fetchall()


def test_parallel_ingest_stores_what_one_process_stores(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from newstrace.corpus import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "PARALLEL_FROM", 10)
    monkeypatch.setattr(ingest_module, "FILES_PER_TASK", 4)
    monkeypatch.setattr(ingest_module, "STREAM_FROM_BYTES", 4000)
    _folder_corpus(tmp_path / "c")
    early = tmp_path / "early.jsonl"  # the outlet's boilerplate is known before the run
    write_jsonl(early, [{"text": f"Early {i} story of the day.\nSubscribe to The Ledger for "
                                 f"the whole morning briefing\nIt closes with fact {i}.",
                         "outlet": "Ledger"} for i in range(5)])
    results = []
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}.db") as store:
            ingest([early], store)
            report = ingest([tmp_path / "c"], store, workers=workers)
            problems = sorted((Path(s.source).name, s.reason) for s in report.skipped)
            results.append((_contents(store), report.read, report.stored, report.recleaned,
                            problems))
    (one, *report_one), (two, *report_two) = results
    assert len(one) == 5 + 60 + 40
    assert one == two
    assert report_one == report_two
    problems = report_two[-1]
    assert sum(name == "030b.bin" for name, _ in problems) == 1
    assert sum(name.startswith("meta.jsonl") for name, _ in problems) == 1
    with Store(tmp_path / "w2.db") as store:
        ledger = list(store.iter_articles(outlet="Ledger"))
        assert ledger and all("Subscribe to The Ledger" not in a.text for a in ledger)
