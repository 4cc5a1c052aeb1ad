"""The web app: REST API and error answers (TestClient), and pages in a real browser.

One corpus is built from the bundled sample (MiniLM engine, as the demo) and
served twice from the same app: in-process through TestClient, and by uvicorn
on a free loopback port for Debian's Chromium, driven headless by Playwright.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from newstrace.cli import app as cli_app
from newstrace.corpus.pipeline import run as run_pipeline
from newstrace.corpus.store import Store
from newstrace.errors import UsageError
from newstrace.web.app import create_app, is_loopback

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

needs_browser = pytest.mark.skipif(
    sync_playwright is None or not CHROMIUM.exists(),
    reason="browser tests need the playwright package (dev extra) and Debian's chromium "
           "at /usr/bin/chromium (scripts/apt-packages.txt)")

HOSTILE = ("Mayor backs <img src=x onerror=alert(2)> plan\n"
           "The mayor of Pellowick said on Monday that the council will review the flood "
           "plan <script>alert(1)</script> before the end of the month.\n"
           "Residents asked for more details about the new river wall and what it will cost "
           "the town.\n")


def _sample_text(sample_dir: Path, prefix: str) -> str:
    return next(sample_dir.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    db = tmp_path_factory.mktemp("web") / "corpus.db"
    with Store(db) as store:
        run_pipeline([sample_dir], store, engine_name="minilm")
    return db


@pytest.fixture(scope="module")
def web_app(corpus_db: Path) -> Iterator[FastAPI]:
    app = create_app(corpus_db)
    yield app
    app.state.corpus.close()


@pytest.fixture(scope="module")
def client(web_app: FastAPI) -> TestClient:
    return TestClient(web_app)


@pytest.fixture(scope="module")
def main_story(client: TestClient) -> dict[str, Any]:
    """The sample's dam story (five articles, three rewrites), from the API."""
    stories = client.get("/api/stories").json()["items"]
    return client.get(f"/api/stories/{stories[0]['id']}").json()


def _no_server_error(response: Any) -> Any:
    assert response.status_code < 500, response.text
    return response


# -- REST API -------------------------------------------------------------------------


def test_api_stories_filters_and_sorts(client: TestClient) -> None:
    found = client.get("/api/stories").json()
    assert found["total"] == 2  # the dam story and the ferry story
    dam, ferry = found["items"]
    assert (dam["size"], ferry["size"]) == (5, 2)
    assert dam["outlets"][0] == "Northwire" and dam["uncredited"] == 2
    assert dam["articles"][0] in dam["origins"] and len(dam["edges"]) == 3  # stories.jsonl
    assert client.get("/api/stories?singles=1").json()["total"] == 5

    def ids(query: str) -> list[str]:
        return [s["id"] for s in client.get(f"/api/stories?{query}").json()["items"]]

    assert ids("uncredited=1") == [dam["id"]]
    assert ids("q=FERRY") == [ferry["id"]]
    assert ids("outlet=vessa%20mobility") == [ferry["id"]]
    assert ids("outlet=lanterndaily.example") == [dam["id"]]  # a domain works too
    assert ids("from=2026-03-17&to=2026-03-17") == [ferry["id"]]
    assert ids("sort=recent") == [ferry["id"], dam["id"]]
    page = client.get("/api/stories?offset=1&limit=1").json()
    assert page["total"] == 2 and [s["id"] for s in page["items"]] == [ferry["id"]]


def test_api_story_pairs_and_articles(client: TestClient, corpus_db: Path,
                                      main_story: dict[str, Any]) -> None:
    members = main_story["members"]
    assert len(members) == 5 and members[0]["lag_hours"] == 0.0
    assert all(m["lag_hours"] is not None and m["lag_hours"] >= 0 for m in members)
    assert len(main_story["edges"]) == 3 and main_story["origins"] == [members[0]["id"]]
    listed = client.get("/api/stories").json()["items"][0]
    assert {k: listed[k] for k in ("id", "articles", "origins", "edges")} == {
        k: main_story[k] for k in ("id", "articles", "origins", "edges")}
    edge = main_story["edges"][0]
    pair = client.get(f"/api/pairs/{edge['origin']}/{edge['derived']}").json()
    assert pair["relation"] == edge["relation"] and pair["credit"]["status"] == edge["credit"]
    assert pair["a"]["text"] and pair["alignments"]  # the full compare JSON, texts included
    assert client.get(f"/api/pairs/{edge['derived']}/{edge['origin']}").json() == pair
    rows = client.get(f"/api/pairs?article={edge['origin']}").json()
    assert any({r["a"], r["b"]} == {edge["origin"], edge["derived"]} for r in rows["items"])
    assert set(rows["items"][0]) == {"a", "b", "relation", "confidence", "origin", "credit"}

    article = client.get(f"/api/articles/{members[0]['id']}").json()
    with Store(corpus_db, read_only=True) as store:
        stored = store.get(members[0]["id"])
        assert stored is not None
        assert article == json.loads(json.dumps(stored.as_dict()))
    assert client.get(f"/api/articles/{members[0]['id'][:8]}").json()["id"] == article["id"]
    listing = client.get("/api/articles?limit=3&offset=2").json()
    assert listing["total"] >= 10 and len(listing["items"]) == 3
    assert listing["items"][0]["sentences"] == []  # as `newstrace articles --json`
    northwire = client.get("/api/articles?outlet=Northwire").json()
    assert northwire["total"] == 2


def test_api_claims_for_a_story(client: TestClient, main_story: dict[str, Any]) -> None:
    claims = client.get(f"/api/stories/{main_story['id']}/claims").json()
    assert len(claims["articles"]) == 5
    assert claims["claims"] and all(len(c["articles"]) >= 2 for c in claims["claims"])


def test_api_compare_prints_what_the_cli_prints(client: TestClient, tmp_path: Path,
                                                sample_dir: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(_sample_text(sample_dir, "01"), encoding="utf-8")
    b.write_text(_sample_text(sample_dir, "02"), encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["compare", str(a), str(b), "--format", "json"])
    assert result.exit_code == 0, result.output
    expected = json.loads(result.stdout)
    response = client.post("/api/compare", json={"a": a.read_text(), "b": b.read_text()})
    assert response.status_code == 200, response.text
    got = response.json()
    for side in ("a", "b"):  # a file's path versus an inline text's name
        assert got[side].pop("path") == f"<{side}>"
        expected[side].pop("path")
    assert got == expected
    with_meta = client.post("/api/compare", json={
        "a": a.read_text(), "b": b.read_text(), "attribution": False,
        "meta_a": {"outlet": "Northwire", "published": "2026-03-14T06:45:00+00:00"},
        "meta_b": {"outlet": "Courier", "published": "2026-03-14T09:50:00+01:00"}}).json()
    assert with_meta["a"]["outlet"] == "Northwire" and with_meta["origin"] == "a"


def test_a_path_is_compared_as_text_never_read(client: TestClient, corpus_db: Path) -> None:
    response = client.post("/api/compare", json={"a": str(corpus_db), "b": "/etc/passwd"})
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["a"]["text"].strip() == str(corpus_db)


@pytest.mark.parametrize(("method", "url", "body", "status"), [
    ("get", "/api/articles/nope", None, 404),
    ("get", "/api/stories/nope", None, 404),
    ("get", "/api/stories/nope/claims", None, 404),
    ("get", "/api/pairs/nope/nothing", None, 404),
    ("get", "/api/pairs?article=nope", None, 404),
    ("get", "/api/articles?limit=0", None, 422),
    ("get", "/api/articles?limit=abc", None, 422),
    ("get", "/api/stories?from=yesterday", None, 400),
    ("get", "/api/stories?to=2026-02-30", None, 400),
    ("get", "/api/stories?sort=best", None, 400),
    ("post", "/api/compare", b'{"a": "text", "b": ', 422),
    ("post", "/api/compare", b'{"a": "only one side"}', 422),
    ("post", "/api/compare", b'{"a": "x", "b": "y", "colour": 1}', 422),
    ("post", "/api/compare", b'{"a": "", "b": "y"}', 422),
    ("post", "/api/compare", b'{"a": "   ", "b": "   "}', 422),
    ("post", "/api/compare", b'["a", "b"]', 422),
    ("get", "/api/compare", None, 405),
    ("get", "/api/nothing-here", None, 404),
])
def test_bad_api_requests_get_clear_json_4xx(client: TestClient, method: str, url: str,
                                             body: bytes | None, status: int) -> None:
    if method == "post":
        response = client.post(url, content=body, headers={"Content-Type": "application/json"})
    else:
        response = client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail


@pytest.mark.parametrize("url", ["/story/nope", "/article/nope", "/pair/nope/nothing",
                                 "/story/nope/claims", "/no/such/page", "/?page=0",
                                 "/?from=2026-99-99", "/docs"])
def test_bad_page_requests_get_an_html_error_page(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("text/html")
    assert 'class="problem"' in response.text


def test_openapi_without_cdn_pages(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/stories",
                 "/api/stories/{story_id}", "/api/stories/{story_id}/claims", "/api/pairs",
                 "/api/pairs/{a}/{b}", "/api/compare"):
        assert path in spec["paths"], path
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert "/api/compare" in client.get("/api").text


def test_size_limit_token_and_cross_site_writes(corpus_db: Path) -> None:
    app = create_app(corpus_db, token="s3cret", max_upload_mb=0.002)
    try:
        c = TestClient(app)
        text = {"a": "The river rose by two metres overnight.", "b": "The river rose."}
        assert c.post("/api/compare", json=text).status_code == 401
        wrong = c.post("/api/compare", json=text, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403 and wrong.json()["detail"] == "wrong token"
        form = c.post("/ingest", data={"token": "nope"},
                      files=[("files", ("a.txt", b"Title\nSome text here.", "text/plain"))])
        assert form.status_code == 403 and "wrong token" in form.text
        assert c.get("/api/stories").status_code == 200  # reading needs no token
        big = {"a": "word " * 1000, "b": "word " * 1000}
        too_big = c.post("/api/compare", json=big, headers={"Authorization": "Bearer s3cret"})
        assert too_big.status_code == 413 and "limit" in too_big.json()["detail"]
        upload = c.post("/ingest", files=[("files", ("big.txt", b"x" * 5000, "text/plain"))])
        assert upload.status_code == 413 and "text/html" in upload.headers["content-type"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"a": "'
            for _ in range(10):
                yield b"word " * 100
            yield b'", "b": "x"}'

        chunked = c.post("/api/compare", content=chunks(), headers={
            "Authorization": "Bearer s3cret", "Content-Type": "application/json"})
        assert chunked.status_code == 413
        ok = c.post("/api/compare", json=text, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()["relation"]
        cross = c.post("/api/compare", json=text, headers={
            "Authorization": "Bearer s3cret", "Origin": "http://evil.example"})
        assert cross.status_code == 403
    finally:
        app.state.corpus.close()


def test_loopback_server_checks_the_host_header(corpus_db: Path) -> None:
    app = create_app(corpus_db, allowed_hosts={"127.0.0.1", "localhost", "::1"})
    try:
        c = TestClient(app)
        assert c.get("/api/stories", headers={"Host": "127.0.0.1:8000"}).status_code == 200
        assert c.get("/api/stories", headers={"Host": "[::1]:8000"}).status_code == 200
        assert c.get("/api/stories", headers={"Host": "rebound.example"}).status_code == 400
    finally:
        app.state.corpus.close()


def test_serve_refuses_an_open_host_without_a_token(corpus_db: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSTRACE_TOKEN", raising=False)
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(corpus_db),
                                          "--host", "0.0.0.0"])
    assert isinstance(result.exception, UsageError)
    assert "--token" in str(result.exception)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.7")
    assert "serve --db" in CliRunner().invoke(cli_app, ["--help"]).output


# -- pages without a browser ------------------------------------------------------------


def test_pages_render_the_store(client: TestClient, main_story: dict[str, Any]) -> None:
    home = client.get("/")
    assert home.status_code == 200 and main_story["id"] in home.text
    assert "Content-Security-Policy" in home.headers
    assert "'sha256-" in home.headers["Content-Security-Policy"]
    assert client.get("/?uncredited=1").text.count('class="story-link"') == 1
    story = client.get(f"/story/{main_story['id']}").text
    assert story.count('<a class="node"') == 5 and story.count('<a class="edge') == 3
    assert "rel-derived" in story and "credit-uncredited" in story
    edge = main_story["edges"][0]
    pair = client.get(f"/pair/{edge['origin']}/{edge['derived']}").text
    assert 'class="s s-paraphrase' in pair or 'class="s s-verbatim' in pair
    assert 'class="verdict"' in pair and "Evidence for the verdict" in pair
    article = client.get(f"/article/{edge['origin']}").text
    assert "<details" in article and "side by side" in article


def test_upload_reports_each_file_and_escapes_article_text(client: TestClient) -> None:
    response = client.post("/ingest", files=[
        ("files", ("hostile.txt", HOSTILE.encode(), "text/plain")),
        ("files", ("junk.bin", b"\x00\x01\x02\xff" * 64, "application/octet-stream")),
        ("files", ("feed.jsonl", b'{"text": "A story in a feed line that says enough."}\n'
                                 b"{not json\n", "application/json")),
    ])
    assert response.status_code == 200, response.text
    page = response.text
    assert "junk.bin" in page and "feed.jsonl" in page and "problem-line" in page
    hostile_id = page.split('href="/article/')[1].split('"')[0]
    article = client.get(f"/article/{hostile_id}").text
    assert "<script>alert(1)</script>" not in article
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "<img src=x" not in article and "&lt;img src=x onerror=alert(2)&gt;" in article
    assert client.get(f"/api/articles/{hostile_id}").json()["title"].startswith("Mayor backs <img")


def test_an_upload_is_compared_with_the_corpus_and_joins_its_story(
        tmp_path: Path, sample_dir: Path) -> None:
    """Uploaded articles are compared with what is stored, as `run` would: a copy of a
    stored press release shows up as a copy of it, and the stories include it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = ["06_vessa_mobility_electric_ferry_press_release.txt",
             "10_lantern_old_town_parking_fees.txt"]
    for name in names:
        (corpus / name).write_text((sample_dir / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    db = tmp_path / "small.db"
    with Store(db) as store:
        run_pipeline([corpus], store, engine_name="static")
    release = (sample_dir / names[0]).read_text(encoding="utf-8")
    copied = release + "\n\nREAD MORE: Ferry fares to rise\n"
    app = create_app(db)
    try:
        client = TestClient(app)
        assert client.get("/api/stories").json()["total"] == 0  # two unrelated articles
        response = client.post("/ingest", files=[
            ("files", ("copied.txt", copied.encode(), "text/plain"))])
        assert response.status_code == 200, response.text
        page = response.text
        assert "static engine" in page and "badge rel-copy" in page
        assert "Vessa Mobility launches" in page.split('class="relation"')[1]
        stories = client.get("/api/stories").json()
        assert stories["total"] == 1 and len(stories["items"][0]["articles"]) == 2
    finally:
        app.state.corpus.close()


# -- in a real browser --------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(web_app: FastAPI) -> Iterator[str]:
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name="newstrace-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    assert srv.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (NEWSTRACE_SCREENSHOTS to keep them somewhere else)."""
    chosen = os.environ.get("NEWSTRACE_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert sync_playwright is not None
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page that records every dialog (dismissing it) and every console error."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser)
    yield w
    w.context.close()
    assert w.dialogs == []
    assert w.errors == []  # no script error, no CSP refusal, no missing resource


@needs_browser
def test_browser_stories_story_pair_and_back(server: str, watched: Watched, shots: Path,
                                             main_story: dict[str, Any]) -> None:
    page = watched.page
    page.goto(server + "/")
    page.screenshot(path=str(shots / "stories.png"), full_page=True)
    page.click(f'a.story-link[href="/story/{main_story["id"]}"]')
    page.wait_for_url(f"**/story/{main_story['id']}")
    assert page.locator("svg.graph .node").count() == 5
    assert page.locator("svg.graph .edge").count() == 3
    page.hover("svg.graph .node >> nth=0")  # lights up the first article's arrows
    assert page.locator("svg.graph .edge.hl").count() >= 1
    page.wait_for_selector("#claims .claims-matrix", timeout=30_000)
    assert page.locator("#claims table.claims tr").count() > 1
    page.mouse.move(1, 1)
    page.screenshot(path=str(shots / "story.png"), full_page=True)
    page.click("a.pair-link >> nth=0")
    page.wait_for_url("**/pair/**")
    assert page.locator(".verdict .rel").inner_text() in ("copy", "derived")
    linked = page.locator(".col[data-role=derived] .s[data-links^=L]").first
    linked.hover()  # the report's own script marks the counterpart (allowed by its hash)
    assert page.locator(".col[data-role=origin] .s.hl").count() >= 1
    assert page.locator("mark").count() + page.locator(".s-paraphrase").count() > 0
    page.screenshot(path=str(shots / "pair.png"), full_page=True)
    page.go_back()
    page.wait_for_url(f"**/story/{main_story['id']}")
    page.go_back()
    page.wait_for_url(server + "/")
    assert page.locator("a.story-link").count() == 2


@needs_browser
def test_browser_compare_form(server: str, watched: Watched, shots: Path,
                              sample_dir: Path) -> None:
    page = watched.page
    page.goto(server + "/compare")
    page.fill("textarea[name=text_a]", _sample_text(sample_dir, "06"))
    page.fill("textarea[name=text_b]", _sample_text(sample_dir, "07"))
    page.fill("input[name=outlet_a]", "Vessa Mobility")
    page.screenshot(path=str(shots / "compare-form.png"), full_page=True)
    page.click("form.compare button[type=submit]")
    page.wait_for_selector(".verdict", timeout=30_000)
    assert page.locator(".verdict .rel").inner_text() in ("copy", "derived")
    assert "Vessa Mobility" in page.locator("h1").inner_text()
    page.screenshot(path=str(shots / "compare-result.png"), full_page=True)


@needs_browser
def test_browser_upload_and_hostile_article(server: str, watched: Watched, shots: Path,
                                            tmp_path: Path) -> None:
    hostile = tmp_path / "hostile-browser.txt"
    hostile.write_text(HOSTILE.replace("Monday", "Tuesday"), encoding="utf-8")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "Fine line with a sentence."}\n{broken\n', encoding="utf-8")
    page = watched.page
    page.goto(server + "/ingest")
    page.set_input_files("input[name=files]", [str(hostile), str(broken)])
    page.click("form.ingest button[type=submit]")
    page.wait_for_selector(".ingest-results", timeout=30_000)
    assert page.locator(".problem-line").count() >= 1  # the broken JSONL line, by file
    assert "broken.jsonl" in page.locator(".ingest-results").inner_text()
    page.screenshot(path=str(shots / "ingest.png"), full_page=True)
    page.click(".ingest-results a:has-text('Mayor backs')")
    page.wait_for_url("**/article/**")
    assert "<img src=x onerror=alert(2)>" in page.locator("h1").inner_text()
    assert "<script>alert(1)</script>" in page.locator(".article-text").inner_text()
    assert page.locator("main img").count() == 0 and page.locator("header img").count() == 0
    page.click("details.removed-lines summary")
    page.screenshot(path=str(shots / "article-hostile.png"), full_page=True)
    page.wait_for_timeout(300)  # give a smuggled handler its chance to fire
    assert watched.dialogs == []
