"""Bad input is reported by name and skipped; the rest is read; nothing stored is lost."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

from newstrace.corpus.ingest import ingest
from newstrace.corpus.store import Store
from newstrace.io import ReadOptions, read_paths
from newstrace.model import Article, Skipped
from tests.helpers import BODY, html_page, write_jsonl, write_warc


def _split(items: list[Article | Skipped]) -> tuple[list[Article], list[Skipped]]:
    return ([i for i in items if isinstance(i, Article)],
            [i for i in items if isinstance(i, Skipped)])


def _bad_folder(root: Path) -> Path:
    folder = root / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text("A good headline\n\n" + BODY, encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    (folder / "blob.bin").write_bytes(os.urandom(4096))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("   \n\n  ", encoding="utf-8")
    (folder / "cp1252.txt").write_bytes(
        "Café owners in Zürich said prices rose – “sharply”.\nMore text here.".encode("cp1252"))
    (folder / "utf16.txt").write_bytes(
        "Ünïcode in UTF-16 with a BOM. It still reads fine.".encode("utf-16"))
    (folder / "mixed.txt").write_bytes(
        "Naïve UTF-8 line first.\n".encode() + "Then a cp1252 line: café – déjà.".encode(
            "cp1252"))
    huge = folder / "huge.txt"
    with huge.open("wb") as handle:  # 100 MB, written in chunks
        chunk = (BODY + "\n").encode() * 1000
        while handle.tell() < 100_000_000:
            handle.write(chunk)
    write_jsonl(folder / "lines.jsonl", [{"text": BODY, "outlet": "A"}, "{not json",
                                         "[1, 2]", {"text": BODY + " Two.", "outlet": "A"}])
    pages = [(f"https://h.example/{i}", html_page(f"Story number {i}", BODY + f" Item {i}."))
             for i in range(6)]
    full = write_warc(root / "full.warc.gz", pages)
    data = full.read_bytes()
    (folder / "truncated.warc.gz").write_bytes(data[: int(len(data) * 0.6)])
    (folder / "scripts.html").write_text(
        html_page("Scripts everywhere", script="document.write('<b>pwned</b>')"),
        encoding="utf-8")
    return folder


def test_every_bad_input_is_named_and_the_rest_is_read(tmp_path: Path) -> None:
    folder = _bad_folder(tmp_path)
    articles, skipped = _split(list(read_paths([folder])))
    reasons = {Path(s.source.split(":")[0].split("#")[0]).name: s.reason for s in skipped}
    assert "binary" in reasons["image.txt"]
    assert "binary" in reasons["blob.bin"]
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert "too large" in reasons["huge.txt"] and "--max-doc-mb" in reasons["huge.txt"]
    assert "truncated or corrupt" in reasons["truncated.warc.gz"]
    jsonl_problems = sorted(s.source.rsplit(":", 1)[1] for s in skipped
                            if "lines.jsonl" in s.source)
    assert jsonl_problems == ["2", "3"]

    by_name = {Path(a.source.path).name: a for a in articles}
    assert "Café owners in Zürich said prices rose – “sharply”." in by_name["cp1252.txt"].raw
    assert by_name["utf16.txt"].raw.startswith("Ünïcode in UTF-16")
    assert "café – déjà" in by_name["mixed.txt"].raw and "Naïve" in by_name["mixed.txt"].raw
    assert "pwned" not in by_name["scripts.html"].raw
    warc_articles = [a for a in articles if a.source.kind == "warc"]
    assert 1 <= len(warc_articles) < 6  # the records before the damage
    assert sum(1 for a in articles if a.source.kind == "jsonl") == 2


def test_ingest_keeps_what_is_stored_when_later_input_is_bad(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [{"text": BODY + f" Line {i}."} for i in range(5)])
    with Store(tmp_path / "s.db") as store:
        first = ingest([good], store)
        assert first.stored == 5
        folder = _bad_folder(tmp_path)
        second = ingest([folder, tmp_path / "missing.txt"], store)
        assert store.count() >= 5 + 6
        assert any("no such file" in s.reason for s in second.skipped)
        assert len(store.problems(second.run_id)) == len(second.skipped)
        for i in range(5):
            assert any(f"Line {i}." in a.text for a in store.iter_articles())


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newstrace", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_cli_never_shows_a_traceback_and_strict_fails(tmp_path: Path) -> None:
    folder = _bad_folder(tmp_path)
    relaxed = _cli("ingest", str(folder), "--db", "s.db", cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "Traceback" not in relaxed.stdout + relaxed.stderr
    assert "huge.txt" in relaxed.stdout and "skipped" in relaxed.stdout
    strict = _cli("ingest", str(folder), "--db", "s2.db", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    missing = _cli("show", "abcd", "--db", "nowhere.db", cwd=tmp_path)
    assert missing.returncode == 2 and "newstrace ingest" in missing.stderr
    assert "Traceback" not in missing.stderr
    junk_db = tmp_path / "junk.db"
    junk_db.write_bytes(b"this is not sqlite" * 100)
    broken = _cli("articles", "--db", str(junk_db), cwd=tmp_path)
    assert broken.returncode == 2 and "not a newstrace store" in broken.stderr
    bad_map = _cli("ingest", str(folder), "--map", "bogus=x", "--db", "s3.db", cwd=tmp_path)
    assert bad_map.returncode == 2 and "unknown field" in bad_map.stderr


def test_gzip_that_is_not_gzip_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "fake.jsonl.gz"
    fake.write_bytes(b"plain text pretending")
    real = tmp_path / "real.txt.gz"
    real.write_bytes(gzip.compress(BODY.encode()))
    articles, skipped = _split(list(read_paths([fake, real], ReadOptions())))
    assert len(articles) == 1 and articles[0].raw == BODY
    assert skipped and skipped[0].source.endswith("fake.jsonl.gz")
