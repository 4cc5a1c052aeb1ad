"""The command line as a user meets it: help, demo, ingest, articles, show, export."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from newstrace.cli import app

runner = CliRunner()


def test_help_lists_every_verb_with_an_example() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    commands = list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert set(commands) >= {"demo", "ingest", "articles", "show", "clean", "export"}
    for name in commands:
        assert f"newstrace {name}" in result.output, name
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0 and "Example: newstrace" in sub.output


def test_demo_writes_outputs_and_an_escaped_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "-o", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("demo.db", "report.html", "articles.html", "claims.html", "articles.jsonl",
                 "pairs.jsonl", "stories.jsonl", "graph.gexf", "run.json"):
        assert (out / name).is_file(), name
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    assert len(articles) == 10
    pairs = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    assert 0 < len(pairs) < 45  # candidates only, never all pairs
    html = (out / "report.html").read_text()
    assert "report.html" in result.output and 'href="pairs/' in html
    assert "credited" in html and "uncredited" in html
    assert any((out / "pairs").glob("*.html"))
    assert html.count("<script>") == 0  # the stories page needs no script at all
    # a second demo starts from a fresh store rather than piling up
    again = runner.invoke(app, ["demo", "-o", str(out)])
    assert again.exit_code == 0
    assert len((out / "articles.jsonl").read_text().splitlines()) == 10


def test_article_text_is_escaped_in_the_report(tmp_path: Path) -> None:
    hostile = tmp_path / "in"
    hostile.mkdir()
    (hostile / "x.txt").write_text(
        "Headline <img src=x onerror=alert(1)>\n\nBody <script>alert(1)</script> text here.",
        encoding="utf-8")
    db = tmp_path / "h.db"
    assert runner.invoke(app, ["ingest", str(hostile), "--db", str(db)]).exit_code == 0
    from newstrace.corpus.store import Store
    from newstrace.report.html import render_articles_report

    with Store(db) as store:
        html = render_articles_report(list(store.iter_articles()), title="t",
                                      summary={"stored": 1, "duplicates": 0, "skipped": 0,
                                               "version": "x"})
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_ingest_articles_show_export_round_trip(tmp_path: Path, sample_dir: Path) -> None:
    db = tmp_path / "c.db"
    result = runner.invoke(app, ["ingest", str(sample_dir), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["stored"] == 10 and summary["skipped"] == 0
    listing = runner.invoke(app, ["articles", "--db", str(db), "--json"])
    ids = [json.loads(line)["id"] for line in listing.output.splitlines()]
    assert len(ids) == 10
    shown = runner.invoke(app, ["show", ids[0][:6], "--db", str(db)])
    assert shown.exit_code == 0 and "removed" in shown.output
    target = tmp_path / "a.parquet"
    exported = runner.invoke(app, ["export", "--db", str(db), "--format", "parquet", "-o",
                                   str(target)])
    assert exported.exit_code == 0 and target.stat().st_size > 0


def test_clean_shows_removals_without_a_store(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text("A headline\n\nThe body sentence stays.\nREGISTER NOW\n", encoding="utf-8")
    result = runner.invoke(app, ["clean", str(page), "--json"])
    (row,) = [json.loads(line) for line in result.output.splitlines()]
    assert row["text"] == "The body sentence stays."
    assert [r["rule"] for r in row["removals"]] == ["title", "register-prompt"]
