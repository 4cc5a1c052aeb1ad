"""Claims across articles: the matrix, its exports, and escaping."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from newstrace.cli import app

runner = CliRunner()


def test_claims_matrix_over_the_sample_story(tmp_path: Path, sample_dir: Path) -> None:
    files = [str(p) for p in sorted(sample_dir.glob("0[1-4]_*.txt"))]
    out_csv, out_json, out_html = tmp_path / "c.csv", tmp_path / "c.json", tmp_path / "c.html"
    result = runner.invoke(app, ["claims", *files, "--csv", str(out_csv), "--json",
                                 str(out_json), "--html", str(out_html)])
    assert result.exit_code == 0, result.output
    data = json.loads(out_json.read_text())
    assert len(data["articles"]) == 4
    assert data["claims"], "the wire story's claims recur in its copy and rewrite"
    for claim in data["claims"]:
        assert len(claim["articles"]) >= 2
        for mention in claim["mentions"]:
            assert mention["speaker"]
    # the syndicated copy carries the wire story's claims with the same speakers
    ids = [a["id"] for a in data["articles"]]
    shared = [c for c in data["claims"] if ids[0] in c["articles"] and ids[1] in c["articles"]]
    assert shared and any(c["articles"][ids[0]] == c["articles"][ids[1]] for c in shared)
    with out_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(data["claims"]) and "claim" in rows[0]
    assert "<table class=\"claims\">" in out_html.read_text()


def test_claims_escape_hostile_text_and_need_two_articles(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    text = ("The <script>alert(1)</script> council approved the new harbour budget of 4 "
            "million crowns on Monday, the mayor said.\nWork will start in May.")
    a.write_text(text, encoding="utf-8")
    b.write_text(text + "\nResidents welcomed the plan.", encoding="utf-8")
    html = tmp_path / "c.html"
    result = runner.invoke(app, ["claims", str(a), str(b), "--html", str(html)])
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    lonely = runner.invoke(app, ["claims", str(a)])
    assert lonely.exit_code != 0
