"""Corpus mode across languages: translations become candidates, pairs and audit rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newstrace.cli import app
from newstrace.corpus.crosslingual import CrossLingualSettings, is_multilingual
from newstrace.corpus.store import Store
from newstrace.evaluation.datasets import project_eval_dir

runner = CliRunner()
FAMILIES = ("xA1", "xB3")  # an English origin; fr/de/ru/es versions; an English look-alike


def _corpus(tmp_path: Path) -> tuple[Path, dict[frozenset[str], dict[str, object]]]:
    """Two families of the cross-language dev set as a folder, and their gold pairs."""
    source = project_eval_dir() / "cross_pairs"
    if not source.is_dir():
        pytest.skip("eval/cross_pairs is missing")
    root = tmp_path / "corpus"
    gold = {}
    for family in FAMILIES:
        target = root / family
        target.mkdir(parents=True)
        for path in (source / family).iterdir():
            if path.suffix == ".txt" or path.name == "meta.jsonl":
                shutil.copy(path, target / path.name)
        for line in (source / family / "pairs.jsonl").read_text().splitlines():
            row = json.loads(line)
            gold[frozenset((f"{family}/{row['a']}", f"{family}/{row['b']}"))] = row
    return root, gold


@pytest.fixture(scope="module")
def multilingual_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    tmp = tmp_path_factory.mktemp("languages")
    root, gold = _corpus(tmp)
    db, out = tmp / "x.db", tmp / "out"
    result = runner.invoke(app, ["run", str(root), "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "multilingual vectors" in result.output
    return db, out, gold


def _named_pairs(out: Path) -> dict[frozenset[str], dict]:
    names = {}
    for line in (out / "articles.jsonl").read_text().splitlines():
        row = json.loads(line)
        path = Path(row["source"]["path"])
        names[row["id"]] = f"{path.parent.name}/{path.name}"
    pairs = {}
    for line in (out / "pairs.jsonl").read_text().splitlines():
        row = json.loads(line)
        pairs[frozenset((names[row["a"]], names[row["b"]]))] = row
    return pairs


def test_translations_are_found_and_read_as_the_gold_says(multilingual_run: tuple) -> None:
    db, out, gold = multilingual_run
    pairs = _named_pairs(out)
    related = {k: g for k, g in gold.items() if g["relation"] != "unrelated"}
    assert related.keys() <= pairs.keys()  # every translation, rewrite and report is a candidate
    for key, g in related.items():
        assert pairs[key]["relation"] == g["relation"], (sorted(key), pairs[key])
    with Store(str(db)) as store:
        results = [json.loads(r) for (r,) in store.conn.execute(
            "SELECT result FROM pairs WHERE relation IN ('copy', 'derived')")]
        language = {a.id: a.language for a in store.get_many(
            [r[side]["id"] for r in results for side in ("a", "b")],
            with_sentences=False).values()}
        assert is_multilingual(store)
        stored = store.conn.execute("SELECT COUNT(*) FROM ml_vectors").fetchone()[0]
        assert stored == store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    across = [r for r in results if language[r["a"]["id"]] != language[r["b"]["id"]]]
    assert across and all(r["translated"] for r in across)
    assert not any(r["translated"] for r in results if r not in across)
    run = json.loads((out / "run.json").read_text())
    assert run["settings"]["crosslingual_min_cosine"] == CrossLingualSettings.fitted().min_cosine


def test_audit_lists_uncredited_translations(multilingual_run: tuple, tmp_path: Path) -> None:
    db, _, _ = multilingual_run
    rows_file = tmp_path / "audit.json"
    result = runner.invoke(app, ["audit", "--db", str(db), "--watch",
                                 "tarpress.example,cna-corvessa.example",
                                 "--json", str(rows_file)])
    assert result.exit_code == 0, result.output
    rows = json.loads(rows_file.read_text())
    kinds = {(r["derived_language"], r["relation"], r["translated"]) for r in rows}
    assert ("de", "derived", True) in kinds and ("ru", "derived", True) in kinds
    assert all(r["origin_language"] == "en" for r in rows)
    assert any(r["credit"] == "uncredited" and r["translated"] for r in rows)


def test_a_store_in_one_language_never_builds_multilingual_vectors(tmp_path: Path,
                                                                   sample_dir: Path) -> None:
    db = tmp_path / "en.db"
    result = runner.invoke(app, ["run", str(sample_dir), "--db", str(db), "-o",
                                 str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with Store(str(db)) as store:
        assert not is_multilingual(store)
        assert store.conn.execute("SELECT COUNT(*) FROM ml_vectors").fetchone()[0] == 0


def test_the_store_is_multilingual_only_with_two_base_languages(store_url: str) -> None:
    from newstrace.api import article_from_text

    with Store(store_url) as store:
        assert not is_multilingual(store)  # empty
        texts = {"en": "The council approved the budget on Monday after a long debate.",
                 "en-GB": "The council approved the plan on Tuesday after a short debate.",
                 None: "Zzz."}
        store.write_batch([(article_from_text(text, language=lang), [], "")
                           for lang, text in texts.items()])
        assert not is_multilingual(store)  # en and en-GB are one language; unknown is none
        store.write_batch([(article_from_text("Der Rat hat den Haushalt am Montag gebilligt.",
                                              language="de"), [], "")])
        assert is_multilingual(store)



def reprinted_translation(folder: Path, reprints: int) -> Path:
    """An English report and its French copy published this week, each also reprinted
    ``reprints`` times (a last line added) every 60 days before: a JSONL file."""
    from datetime import date, timedelta

    from tests.helpers import write_jsonl

    source = project_eval_dir() / "cross_pairs" / "xA1"
    if not source.is_dir():
        pytest.skip("eval/cross_pairs is missing")
    english = (source / "origin.txt").read_text(encoding="utf-8")
    french = (source / "copy-fr.txt").read_text(encoding="utf-8")
    records: list[dict[str, object] | str] = [
        {"text": english, "url": "https://en.example/now", "published": "2026-03-12",
         "language": "en", "outlet": "Wire"},
        {"text": french, "url": "https://fr.example/now", "published": "2026-03-13",
         "language": "fr", "outlet": "Courrier"}]
    for k in range(reprints):
        day = date(2026, 3, 12) - timedelta(days=60 * (k + 1))
        records.append({"text": f"{english}\nReprint {k}.", "url": f"https://en.example/{k}",
                        "published": day.isoformat(), "language": "en", "outlet": "Wire"})
        records.append({"text": f"{french}\nRéimpression {k}.", "url": f"https://fr.example/{k}",
                        "published": (day + timedelta(days=1)).isoformat(), "language": "fr",
                        "outlet": "Courrier"})
    folder.mkdir(parents=True, exist_ok=True)
    return write_jsonl(folder / "reprints.jsonl", records)


def test_translations_are_not_crowded_out_by_their_own_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every article's nearest vectors are its own reprints, in its own language.
    Neighbours are counted among the articles in another language inside the
    window, so the translation is still a candidate, on both search routes."""
    import numpy as np

    from newstrace.corpus.candidates import CandidateSettings, neighbours_in_window
    from newstrace.corpus.crosslingual import CrossLingualIndex
    from newstrace.corpus.ingest import ingest
    from newstrace.corpus.pipeline import RunReport, _across_languages

    with Store(tmp_path / "x.db") as store:
        ingest([reprinted_translation(tmp_path / "in", 4)], store)
        assert _across_languages(store, RunReport(), None, save=False) is not None
        settings = CrossLingualSettings(lead_sentences=10, neighbours=2, min_cosine=0.0)
        across = CrossLingualIndex(store, settings)
        by_url = {url: aid for aid, url in store.conn.execute("SELECT id, url FROM articles")}
        en, fr = by_url["https://en.example/now"], by_url["https://fr.example/now"]
        rows = {aid: (np.frombuffer(blob, dtype=np.float32), published) for aid, published, blob
                in store.conn.execute("SELECT article_id, published, vector FROM ml_vectors")}
        # the crowding: each one's three nearest, in any language, are its own language's
        nearest = across.index.nearest(np.vstack([rows[en][0], rows[fr][0]]), 3, 0.0)
        assert fr not in {a for a, _ in nearest[0]} and en not in {a for a, _ in nearest[1]}
        pair = (min(en, fr), max(en, fr))
        assert pair in across.candidates([en], 30.0)
        assert pair in across.candidates([fr], 30.0)
        with monkeypatch.context() as m:  # the bulk route, as a run over thousands takes it
            m.setattr("newstrace.corpus.crosslingual.BULK_FROM", 1)
            assert pair in across.candidates([en], 30.0)
        # the bulk route (exact, over each window's slice) finds what the index route finds
        languages = dict(store.conn.execute("SELECT article_id, language FROM ml_vectors"))
        published = {aid: p for aid, (_, p) in rows.items()}
        scope = CandidateSettings(neighbours=2, min_cosine=0.0, window_days=30.0)
        routes = [neighbours_in_window(store, across.index, rows, dict(published), scope,
                                       bulk=bulk, language_of=dict(languages))
                  for bulk in (False, True)]
        assert routes[0] == routes[1] and (en, fr) in routes[0] and (fr, en) in routes[0]
        # each article pairs only with its translation published the next day
        assert all(languages[a] != languages[b] for a, b in routes[0])
        assert len(routes[0]) == 2 * 5
