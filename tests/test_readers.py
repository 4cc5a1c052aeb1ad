"""Every reader, on real files written by the tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from newstrace.errors import UsageError
from newstrace.io import ReadOptions, detect_format, read_paths
from newstrace.io.fields import parse_field_map
from newstrace.model import Article, Skipped
from tests.helpers import BODY, html_page, write_jsonl, write_warc


def _articles(items: list[Article | Skipped]) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def _skipped(items: list[Article | Skipped]) -> list[Skipped]:
    return [i for i in items if isinstance(i, Skipped)]


def test_text_folder_with_sidecar(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Dam bursts in valley\n\n" + BODY, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text(BODY + "\nAnother line.", encoding="utf-8")
    (tmp_path / "meta.jsonl").write_text(json.dumps({
        "file": "a.txt", "outlet": "Northwire", "published": "2026-03-14T06:45:00+00:00",
        "url": "https://northwire.example/a", "language": "en"}) + "\n", encoding="utf-8")
    items = list(read_paths([tmp_path]))
    a, b = _articles(items)
    assert a.title == "Dam bursts in valley"
    assert (a.outlet, a.published, a.url, a.language) == (
        "Northwire", "2026-03-14T06:45:00+00:00", "https://northwire.example/a", "en")
    assert a.source.kind == "text" and a.source.path.endswith("a.txt")
    assert b.title is None and b.outlet is None  # first line is a sentence, not a headline
    assert not _skipped(items)


def test_broken_sidecar_line_is_reported_and_the_rest_used(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "meta.jsonl").write_text('{"file": "a.txt", "outlet": "X"}\n{oops\n',
                                         encoding="utf-8")
    items = list(read_paths([tmp_path]))
    assert _articles(items)[0].outlet == "X"
    assert [s.source for s in _skipped(items)] == [f"{tmp_path / 'meta.jsonl'}:2"]


def test_jsonl_news_please_and_trafilatura_fields(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dump.jsonl", [
        {"maintext": BODY, "title": "Flood", "date_publish": "2026-03-14 09:30:00",
         "source_domain": "herald.example", "url": "https://herald.example/1",
         "date_download": "2026-03-14 10:00:00", "language": "en"},
        {"text": BODY + " Second.", "title": "Flood 2", "sitename": "The Herald",
         "source": "https://herald.example/2", "date": "2026-03-15", "filedate": "2026-03-16"},
    ])
    first, second = _articles(list(read_paths([path])))
    assert (first.outlet, first.published, first.first_seen, first.url) == (
        "herald.example", "2026-03-14T09:30:00", "2026-03-14T10:00:00", "https://herald.example/1")
    assert first.source.line == 1 and str(first.source).endswith("dump.jsonl:1")
    assert (second.outlet, second.url, second.published) == (
        "The Herald", "https://herald.example/2", "2026-03-15")


def test_jsonl_gz_and_json_array(tmp_path: Path) -> None:
    gz = write_jsonl(tmp_path / "d.jsonl.gz", [{"body": BODY}], compress=True)
    arr = tmp_path / "d.json"
    arr.write_text(json.dumps([{"content": BODY}, {"content": BODY + " x"}]), encoding="utf-8")
    assert len(_articles(list(read_paths([gz, arr])))) == 3


def test_jsonl_field_map_override(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"story": BODY, "site": "Gazette", "text": "x"}])
    options = ReadOptions(field_map=parse_field_map(["text=story", "outlet=site"]))
    (article,) = _articles(list(read_paths([path], options)))
    assert article.raw == BODY and article.outlet == "Gazette"
    with pytest.raises(UsageError):
        parse_field_map(["nonsense=col"])
    with pytest.raises(UsageError):
        parse_field_map(["text"])


def test_csv_media_cloud_and_text_columns(tmp_path: Path) -> None:
    mc = tmp_path / "mediacloud.csv"
    with mc.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["stories_id", "publish_date", "title", "url", "language", "media_name"])
        w.writerow(["1", "2026-03-14 08:00:00", "Flood", "https://a.example/1", "en", "A Post"])
    items = list(read_paths([mc]))
    (problem,) = _skipped(items)  # Media Cloud exports have no text: say how to map one
    assert "--map text=" in problem.reason and problem.source.endswith("mediacloud.csv:2")

    full = tmp_path / "full.tsv"
    full.write_text("media_name\tpublish_date\ttitle\turl\tbody\n"
                    f"A Post\t2026-03-14\tFlood\thttps://a.example/1\t{BODY}\n"
                    "B Post\t2026-03-15\tFlood 2\thttps://b.example/2\t\n", encoding="utf-8")
    items = list(read_paths([full]))
    (article,) = _articles(items)
    assert (article.outlet, article.published, article.title) == ("A Post", "2026-03-14", "Flood")
    assert article.source.kind == "csv" and article.source.line == 2
    assert "empty or missing text" in _skipped(items)[0].reason


def test_html_page_metadata_and_no_script(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(html_page("Big flood hits town", script="alert('owned')"), encoding="utf-8")
    (article,) = _articles(list(read_paths([page])))
    assert article.title == "Big flood hits town"
    assert article.url == "https://herald.example/flood"
    assert article.outlet == "The Herald"
    assert article.published == "2026-03-14"
    assert "alert" not in article.raw and "Home | News" not in article.raw
    assert "never seen anything like it" in article.raw


def test_warc_reads_html_responses_only(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", [
        ("https://herald.example/1", html_page("One story about floods")),
        ("https://herald.example/2", html_page("Two story", BODY.replace("Tuesday", "Monday"))),
    ])
    items = list(read_paths([path]))
    articles = _articles(items)
    assert not _skipped(items)
    assert [a.url for a in articles] == ["https://herald.example/1", "https://herald.example/2"]
    assert all(a.source.kind == "warc" and a.source.record for a in articles)
    assert all(a.first_seen for a in articles)  # WARC-Date
    plain = write_warc(tmp_path / "crawl.warc", [("https://x.example/", html_page("Three"))],
                       gz=False)
    assert detect_format(plain) == "warc"
    assert len(_articles(list(read_paths([plain])))) == 1


def test_format_is_sniffed_when_the_name_says_nothing(tmp_path: Path) -> None:
    (tmp_path / "page").write_text(html_page("Sniffed"), encoding="utf-8")
    (tmp_path / "records").write_text(json.dumps({"text": BODY}) + "\n", encoding="utf-8")
    (tmp_path / "plain").write_text(BODY, encoding="utf-8")
    assert [detect_format(tmp_path / n) for n in ("page", "records", "plain")] == [
        "html", "jsonl", "text"]
    assert len(_articles(list(read_paths([tmp_path])))) == 3


def test_same_text_from_another_outlet_is_another_article(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [
        {"text": BODY, "outlet": "A"}, {"text": BODY, "outlet": "B"}, {"text": BODY,
                                                                      "outlet": "A"}])
    ids = [a.id for a in _articles(list(read_paths([path])))]
    assert ids[0] != ids[1] and ids[0] == ids[2]
