"""Corpus mode's screen: a cheap first pass that settles clear pairs without aligning them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from newstrace.api import load_article
from newstrace.cli import app
from newstrace.corpus.engine import engine
from newstrace.evaluation.fit_screen import choose
from newstrace.model import Article
from newstrace.reuse.compare import compare_articles
from newstrace.reuse.features import ArticleMemo
from newstrace.reuse.screen import FEATURES, SCREENED_NOTE, load_screen, screen_features

runner = CliRunner()


@pytest.fixture(scope="module")
def sample_articles(sample_dir: Path) -> dict[str, Article]:
    found: dict[str, Article] = {}
    for path in sorted(sample_dir.glob("*.txt")):
        found[path.name[:2]] = load_article(path)  # with its meta.jsonl outlet and date
    return found


def test_features_do_not_depend_on_which_article_is_a(sample_articles: dict[str, Article]
                                                      ) -> None:
    eng = engine("static")
    memo = ArticleMemo()
    a, b = sample_articles["01"], sample_articles["03"]
    sa, sb = memo.sketch(a, eng.embedder.encode), memo.sketch(b, eng.embedder.encode)
    one = screen_features(sa, sb, memo.specifics(a), memo.specifics(b), 30.0)
    other = screen_features(sb, sa, memo.specifics(b), memo.specifics(a), -30.0)
    assert one.shape == (len(FEATURES),)
    np.testing.assert_allclose(one, other, atol=1e-6)


def test_screened_pairs_are_never_copies_and_the_rest_are_compared_in_full(
        sample_articles: dict[str, Article]) -> None:
    """Every pair of the sample, with and without the screen: the screen only decides
    pairs that the full compare calls neither copy nor rewrite, says that it decided them,
    and leaves every other pair's result exactly as the full compare gives it."""
    screen = load_screen()
    assert screen is not None, "the fitted screen ships with the package"
    eng = engine("static")
    names = sorted(sample_articles)
    settled = 0
    for i, x in enumerate(names):
        for y in names[i + 1 :]:
            a, b = sample_articles[x], sample_articles[y]
            full = compare_articles(a, b, eng.embedder, eng.params, attribution=False)
            quick = compare_articles(a, b, eng.embedder, eng.params, attribution=False,
                                     screen=screen)
            if quick.screened:
                settled += 1
                assert full.relation in ("same_story", "unrelated"), (x, y)
                assert quick.relation in ("same_story", "unrelated")
                assert quick.alignments == [] and quick.origin is None
                assert SCREENED_NOTE in quick.notes
                assert quick.as_dict()["screened"] is True
                assert abs(sum(quick.probabilities.values()) - 1.0) < 1e-6
            else:
                assert quick.as_dict() == full.as_dict(), (x, y)
    # the sport report (08) against the dam and ferry stories is as clear as pairs get
    assert settled >= 1


def test_run_with_the_screen_counts_and_records_what_it_settled(sample_dir: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(sample_dir), "--db", str(tmp_path / "c.db"),
                                 "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    settings = json.loads((out / "run.json").read_text())
    assert json.dumps(settings).count('"screen": true') == 1
    import sqlite3

    with sqlite3.connect(tmp_path / "c.db") as conn:
        stored = [json.loads(r) for (r,) in conn.execute("SELECT result FROM pairs")]
    screened = [r for r in stored if r["screened"]]
    assert screened and all(r["relation"] in ("same_story", "unrelated") for r in screened)
    assert f"({len(screened)} settled by the screen" in " ".join(result.output.split())

    full_out = tmp_path / "full"
    result = runner.invoke(app, ["run", str(sample_dir), "--db", str(tmp_path / "full.db"),
                                 "-o", str(full_out), "--workers", "1", "--no-screen"])
    assert result.exit_code == 0, result.output
    assert '"screen": false' in (full_out / "run.json").read_text()
    with sqlite3.connect(tmp_path / "full.db") as conn:
        assert not any(json.loads(r)["screened"] for (r,) in conn.execute(
            "SELECT result FROM pairs"))


def test_fitted_thresholds_keep_every_rewrite_and_meet_the_agreement() -> None:
    """``choose`` on made-up probabilities: the largest reuse threshold that keeps the
    copies, then the narrowest band whose settled pairs agree with the full compare."""
    rng = np.random.default_rng(3)
    n = 4000
    full = rng.choice(["copy", "derived", "same_story", "unrelated"], size=n,
                      p=[0.1, 0.05, 0.25, 0.6])
    reuse_true = np.isin(full, ["copy", "derived"])
    reuse = np.where(reuse_true, rng.uniform(0.01, 1.0, n), rng.uniform(0.0, 0.004, n))
    full_unrelated = np.where(full == "unrelated", rng.uniform(0.5, 1.0, n),
                              rng.uniform(0.0, 0.5, n))
    noisy = np.clip(full_unrelated + rng.normal(0, 0.15, n), 0, 1) * (1 - reuse)
    probs = np.stack([reuse / 2, reuse / 2, (1 - reuse) - noisy, noisy], axis=1)
    classes = ["copy", "derived", "same_story", "unrelated"]
    must_keep = np.zeros(n, bool)
    chosen = choose(probs, classes, full, full_unrelated, must_keep)
    settled = chosen["settled"]
    assert not settled[reuse_true].any()
    # the largest grid value at or under the least reuse probability of a rewrite (0.01)
    assert chosen["max_reuse"] == 0.01
    agree = ((noisy[settled] >= 0.5) == (full_unrelated[settled] >= 0.5)).mean()
    assert agree >= 0.98
    # a must-keep pair below every threshold: nothing may be settled on reuse alone
    must_keep[np.flatnonzero(~reuse_true)[0]] = True
    probs[np.flatnonzero(~reuse_true)[0], :2] = 0.0
    assert choose(probs, classes, full, full_unrelated, must_keep)["max_reuse"] == 0.0


def test_the_web_pair_page_of_a_settled_pair_shows_the_full_compare(sample_dir: Path,
                                                                     tmp_path: Path) -> None:
    """The stored row keeps the screen's verdict (the API returns it as stored); the page,
    which promises a side-by-side view, compares the two articles in full on opening."""
    import sqlite3

    from fastapi.testclient import TestClient

    from newstrace.web.app import create_app

    db = tmp_path / "c.db"
    result = runner.invoke(app, ["run", str(sample_dir), "--db", str(db), "-o",
                                 str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        rows = [(a, b, json.loads(r)) for a, b, r in conn.execute("SELECT a, b, result FROM pairs")]
    a, b, stored = next((a, b, r) for a, b, r in rows if r["screened"])
    web = create_app(db)
    try:
        client = TestClient(web)
        assert client.get(f"/api/pairs/{a}/{b}").json()["screened"] is True
        page = client.get(f"/pair/{a}/{b}")
        assert page.status_code == 200
        text = " ".join(page.text.split())
        assert f"the stored verdict ({stored['relation']}," in text
        assert "this side-by-side is the full compare" in text
        assert SCREENED_NOTE not in text  # the full compare's own notes, not the screen's
    finally:
        web.state.corpus.close()
