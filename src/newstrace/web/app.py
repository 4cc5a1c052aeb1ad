"""``newstrace serve``: pages and a REST API over a corpus store.

Pages are rendered on the server with Jinja (autoescaping on: article text is
hostile input and never marked safe); the pair page includes the HTML report's
own pair templates. JavaScript is one small static file plus the report's
hover script, allowed by its hash in the Content-Security-Policy; nothing is
fetched from anywhere else. Writes (compare, upload) need the token when one
is set; every request body is capped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import shutil
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newstrace import __version__
from newstrace.errors import NewstraceError, StoreError, StoreUnavailable, UsageError
from newstrace.model import Article, PairResult
from newstrace.report.html import paragraphs_with_removals
from newstrace.report.pair_view import pair_view
from newstrace.web.data import SORTS, Corpus, Page, StoryFilter
from newstrace.web.graph import layout, outlet_name

DEFAULT_MAX_UPLOAD_MB = 50.0
#: Files one upload form may carry.
MAX_UPLOAD_FILES = 200
PER_PAGE = 25

_ENV = Environment(
    loader=ChoiceLoader([PackageLoader("newstrace", "web/templates"),
                         PackageLoader("newstrace", "report/templates")]),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_STATIC = Path(__file__).parent / "static"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# query parameters (module level: FastAPI resolves the annotations by name)
Q = Annotated[str, Query(max_length=500)]
Flag = Annotated[bool, Query()]
DateFrom = Annotated[str, Query(alias="from", max_length=20, description="YYYY-MM-DD")]
DateTo = Annotated[str, Query(alias="to", max_length=20, description="YYYY-MM-DD")]
PageNo = Annotated[int, Query(alias="page", ge=1, le=1_000_000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]


def _script_hash(template: str) -> str:
    """The CSP source allowing exactly the inline script a report template renders."""
    rendered = _ENV.get_template(template).render()
    body = re.search(r"<script>(.*?)</script>", rendered, re.S)
    digest = hashlib.sha256((body.group(1) if body else "").encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy() -> str:
    return ("default-src 'none'; script-src 'self' " + _script_hash("pair_script.html.j2")
            + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def is_api(path: str) -> bool:
    return path.startswith(("/api/", "/openapi"))


def render(name: str, **context: Any) -> str:
    return _ENV.get_template(name).render(version=__version__, **context)


def _error_body(status: int, message: str, path: str) -> tuple[str, str]:
    if is_api(path):
        import json

        return json.dumps({"detail": message, "status": status}), "application/json"
    return render("error.html.j2", title=f"{status}", status=status, message=message,
                  root=""), "text/html; charset=utf-8"


class Guard:
    """Host check, cross-site write refusal, body size cap and security headers."""

    def __init__(self, app: ASGIApp, *, max_body: int, allowed_hosts: frozenset[str] | None,
                 csp: str) -> None:
        self.app, self.max_body, self.allowed_hosts = app, max_body, allowed_hosts
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),  # no-referrer would send "Origin: null"
            (b"x-frame-options", b"DENY"),
        ]

    async def _refuse(self, scope: Scope, send: Send, status: int, message: str) -> None:
        body, kind = _error_body(status, message, scope.get("path", ""))
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind.encode()), *self.headers]})
        await send({"type": "http.response.body", "body": body.encode("utf-8")})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _host_name(host) not in self.allowed_hosts:
            await self._refuse(scope, send, 400, f"unexpected Host header {host!r}")
            return
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            site = headers.get("sec-fetch-site")
            if (origin is not None and urlsplit(origin).netloc != host) or (
                    origin is None and site not in (None, "same-origin", "none")):
                await self._refuse(scope, send, 403, "cross-site request refused")
                return
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                await self._refuse(scope, send, 413, self._too_large())
                return
            receive = self._counting(receive)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _too_large(self) -> str:
        return (f"request body larger than the limit of {self.max_body / 1e6:g} MB "
                "(start the server with a larger --max-upload-mb)")

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise HTTPException(413, self._too_large())
            return message

        return counted


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Meta(BaseModel):
    """Metadata for one side of a compare (what --meta-a/--meta-b set)."""

    model_config = ConfigDict(extra="forbid")
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    title: str | None = None
    language: str | None = None


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: str = Field(min_length=1, description="The first article's text.")
    b: str = Field(min_length=1, description="The second article's text.")
    meta_a: Meta | None = None
    meta_b: Meta | None = None
    attribution: bool = Field(True, description="Analyse what a rewrite changed (English).")


def _meta(meta: Meta | dict[str, str] | None) -> dict[str, Any]:
    if meta is None:
        return {}
    data = meta.model_dump() if isinstance(meta, Meta) else meta
    return {k: v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}


def compare_texts(text_a: str, text_b: str, meta_a: dict[str, Any] | None = None,
                  meta_b: dict[str, Any] | None = None, *, attribution: bool = True
                  ) -> PairResult:
    """What ``newstrace compare`` does with two texts (never read as paths)."""
    from newstrace.api import article_from_text, load_article

    left = load_article(article_from_text(text_a, "<a>"), meta_a)
    right = load_article(article_from_text(text_b, "<b>"), meta_b)
    return compare_loaded(left, right, attribution=attribution)


def compare_loaded(left: Article, right: Article, *, attribution: bool = True) -> PairResult:
    from newstrace.nlp.embed import default_embedder
    from newstrace.reuse.compare import compare_articles

    return compare_articles(left, right, default_embedder(), attribution=attribution)


def _safe_name(name: str, taken: set[str]) -> str:
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._") or "upload"
    base = base[-120:]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{n}-{base}"
    taken.add(candidate)
    return candidate


def _day(value: str, name: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if not _DAY.match(value):
        raise HTTPException(400, f"{name} must be a date as YYYY-MM-DD, not {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{name}: {value!r} is not a calendar date") from None
    return value


def create_app(db_path: str | Path, token: str | None = None,
               max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
               allowed_hosts: set[str] | frozenset[str] | None = None) -> FastAPI:
    """The web app over the store at ``db_path``.

    ``token``: when set, compare and upload need it (``Authorization: Bearer`` or
    the form's token field). ``allowed_hosts``: Host header names accepted (the
    server passes the loopback names when bound to loopback, against DNS
    rebinding); ``None`` accepts any.
    """
    if max_upload_mb <= 0:
        raise ValueError("max_upload_mb must be positive")
    corpus = Corpus(db_path)
    max_body = int(max_upload_mb * 1_000_000)
    app = FastAPI(title="newstrace", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json",
                  description="Stories, articles, pairs and claims of a newstrace store, "
                              "and compare. The JSON matches the CLI's `--json` output.")
    app.state.corpus = corpus
    app.add_middleware(Guard, max_body=max_body,
                       allowed_hosts=frozenset(allowed_hosts) if allowed_hosts else None,
                       csp=content_security_policy())
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return HTMLResponse(render(name, root=root, needs_token=bool(token), db=corpus.display_name,
                                   **context), status_code=status)

    def check_token(request: Request, form_token: str | None = None) -> None:
        if not token:
            return
        auth = request.headers.get("authorization", "")
        given = auth[7:].strip() if auth[:7].lower() == "bearer " else (form_token or "")
        if not given:
            raise HTTPException(401, "this server needs a token for writes: send "
                                     "'Authorization: Bearer TOKEN' or fill in the token field",
                                headers={"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
            raise HTTPException(403, "wrong token")

    # -- errors -----------------------------------------------------------------

    def error(request: Request, status: int, message: str,
              headers: Mapping[str, str] | None = None) -> Response:
        if is_api(request.url.path):
            return JSONResponse({"detail": message, "status": status}, status_code=status,
                                headers=headers)
        response = page(request, "error.html.j2", status=status, title=str(status),
                        message=message)
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        return error(request, exc.status_code, message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors():
            if e.get("type") == "json_invalid":
                at = e.get("loc", ("body", "?"))[-1]
                reason = (e.get("ctx") or {}).get("error", "")
                problems.append(f"malformed JSON at character {at}: {reason}".rstrip(": "))
                continue
            if tuple(e.get("loc", ())) == ("body",) and e.get("type") in (
                    "model_attributes_type", "dict_type", "missing"):
                problems.append("the body must be a JSON object such as {\"a\": \"text\", "
                                "\"b\": \"text\"}, sent as Content-Type: application/json")
                continue
            where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
            problems.append(f"{where}: {e.get('msg', 'invalid')}")
        message = "bad request: " + "; ".join(problems)
        if is_api(request.url.path):
            return JSONResponse({"detail": message, "status": 422, "errors": [
                {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
                for e in exc.errors()]}, status_code=422)
        return error(request, 422, message)

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(request: Request, exc: StoreUnavailable) -> Response:
        # the thread's connection is marked broken and replaced on its next request
        return error(request, 503, f"the store is unavailable, try again ({exc})")

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return error(request, 400, str(exc))

    @app.exception_handler(NewstraceError)
    async def input_error(request: Request, exc: NewstraceError) -> Response:
        return error(request, 422, str(exc))

    # -- lookups that 404 -----------------------------------------------------------

    def get_article(article_id: str) -> Article:
        article = corpus.article(article_id)
        if article is None:
            raise HTTPException(404, f"no article {article_id!r} in this store")
        return article

    def get_pair(a: str, b: str) -> PairResult:
        result = corpus.pair(a, b)
        if result is not None:
            return result
        missing = [x for x in (a, b) if corpus.article(x) is None]
        if missing:
            raise HTTPException(404, f"no article {missing[0]!r} in this store")
        raise HTTPException(404, "these two articles were not compared (they were not "
                                 "candidates); compare them on the compare page")

    def get_story(story_id: str) -> Any:
        found = corpus.story(story_id)
        if found is None:
            raise HTTPException(404, f"no story {story_id!r} in this store")
        return found

    def story_filter(q: str, outlet: str, date_from: str, date_to: str, uncredited: bool,
                     sort: str, singles: bool) -> StoryFilter:
        if sort not in SORTS:
            raise HTTPException(400, f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        return StoryFilter(q=q.strip(), outlet=outlet.strip(),
                           date_from=_day(date_from, "from"), date_to=_day(date_to, "to"),
                           uncredited=uncredited, min_size=1 if singles else 2, sort=sort)

    # -- pages ------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(request: Request, q: Q = "", outlet: Q = "",
                     date_from: DateFrom = "",
                     date_to: DateTo = "",
                     uncredited: Flag = False, singles: Flag = False, sort: Q = "size",
                     page_no: PageNo = 1
                     ) -> HTMLResponse:
        f = story_filter(q, outlet, date_from, date_to, uncredited, sort, singles)
        found = corpus.stories(f, (page_no - 1) * PER_PAGE, PER_PAGE)
        params = {"q": f.q, "outlet": f.outlet, "from": f.date_from, "to": f.date_to,
                  "uncredited": "1" if f.uncredited else "", "singles": "1" if singles else "",
                  "sort": f.sort}
        kept = {k: v for k, v in params.items() if v and not (k == "sort" and v == "size")}
        pages = max(1, -(-found.total // PER_PAGE))

        def link(n: int) -> str:
            return "?" + urlencode({**kept, "page": n})

        return page(request, "stories.html.j2", title="Stories", f=f, found=found,
                    singles=singles, outlets=corpus.outlets(), page_no=page_no, pages=pages,
                    prev=link(page_no - 1) if page_no > 1 else None,
                    next=link(page_no + 1) if page_no < pages else None,
                    articles_total=corpus.store().count())

    @app.get("/story/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str) -> HTMLResponse:
        story, articles = get_story(story_id)
        root = request.scope.get("root_path", "")
        view = corpus.story_view(story, articles, root)
        lags = {m["a"].id: m["lag"] for m in view["members"]}
        summary = corpus.summary(story_id)
        return page(request, "story.html.j2", title=view["members"][0]["a"].title
                    or "(untitled)", v=view, graph=layout(story, articles, lags, root),
                    summary=summary, claims_limit=_claims_limit(story))

    def _claims_limit(story: Any) -> str | None:
        from newstrace.web.data import MAX_CLAIM_ARTICLES

        if len(story.articles) < 2:
            return "a claims matrix needs two or more articles"
        if len(story.articles) > MAX_CLAIM_ARTICLES:
            return (f"this story has {len(story.articles)} articles; the claims matrix is "
                    f"built for at most {MAX_CLAIM_ARTICLES} here (use `newstrace claims`)")
        return None

    @app.get("/story/{story_id}/claims", response_class=HTMLResponse, include_in_schema=False)
    def claims_page(request: Request, story_id: str, fragment: Flag = False) -> HTMLResponse:
        story, articles = get_story(story_id)
        refusal = _claims_limit(story)
        if refusal:
            raise HTTPException(422, refusal)
        matrix = corpus.claims(story)
        first = articles.get(story.articles[0])
        return page(request, "claims_fragment.html.j2" if fragment else "claims_page.html.j2",
                    title=f"Claims: {(first.title if first else None) or story_id}", m=matrix,
                    story_id=story_id, min_articles=2)

    @app.get("/pair/{a}/{b}", response_class=HTMLResponse, include_in_schema=False)
    def pair_page(request: Request, a: str, b: str) -> HTMLResponse:
        result = get_pair(a, b)
        result = corpus.full_view(result)
        return page(request, "pair_page.html.j2", **_pair_context(result, stored=True))

    def _pair_context(result: PairResult, *, stored: bool) -> dict[str, Any]:
        view = pair_view(result)
        origin, derived = view["origin"].article, view["derived"].article
        arrow = "→" if view["has_direction"] else "vs"
        story = corpus.story_of(result.a.id) if stored else None
        return {"title": f"{outlet_name(origin)} {arrow} {outlet_name(derived)}", "r": result,
                "view": view, "stored": stored, "story_id": story}

    @app.get("/article/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str) -> HTMLResponse:
        article = get_article(article_id)
        url = article.url if article.url and urlsplit(article.url).scheme in (
            "http", "https") else None
        return page(request, "article.html.j2", title=article.title or "(untitled)",
                    a=article, items=paragraphs_with_removals(article), safe_url=url,
                    relations=corpus.relations(article.id), story_id=corpus.story_of(article.id))

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_form(request: Request) -> HTMLResponse:
        return page(request, "compare.html.j2", title="Compare two articles", form={},
                    problem=None)

    @app.post("/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_submit(request: Request) -> HTMLResponse:
        form = await request.form(max_files=4, max_fields=30, max_part_size=max_body)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        check_token(request, fields.get("token"))
        workdir = Path(tempfile.mkdtemp(prefix="newstrace-compare-"))
        try:
            sides: list[tuple[str, Any]] = []
            for side in ("a", "b"):
                upload = form.get(f"file_{side}")
                text = fields.get(f"text_{side}", "")
                if isinstance(upload, UploadFile) and upload.filename:
                    target = workdir / _safe_name(upload.filename, set())
                    target.parent.mkdir(exist_ok=True)
                    with target.open("wb") as sink:
                        shutil.copyfileobj(upload.file, sink)
                    sides.append(("file", target))
                elif text.strip():
                    sides.append(("text", text))
                else:
                    return page(request, "compare.html.j2", status=400,
                                title="Compare two articles", form=fields,
                                problem=f"article {side.upper()}: paste a text or choose a file")
            metas = [_meta({k: fields.get(f"{k}_{s}", "") for k in ("outlet", "published",
                                                                     "url")})
                     for s in ("a", "b")]
            try:
                result = await run_in_threadpool(_compare_inputs, sides, metas)
            except NewstraceError as exc:
                return page(request, "compare.html.j2", status=422,
                            title="Compare two articles", form=fields, problem=str(exc))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return page(request, "pair_page.html.j2", **_pair_context(result, stored=False))

    def _compare_inputs(sides: list[tuple[str, Any]], metas: list[dict[str, Any]]
                        ) -> PairResult:
        from newstrace.api import article_from_text, load_article

        loaded = []
        for k, (kind, item) in enumerate(sides):
            if kind == "file":  # an uploaded file, read by the ingest readers
                loaded.append(load_article(Path(item), metas[k]))
            else:  # pasted text: never taken for a path
                loaded.append(load_article(article_from_text(item, "<a>" if k == 0 else "<b>"),
                                           metas[k]))
        with corpus.compute_lock:
            return compare_loaded(loaded[0], loaded[1])

    @app.get("/ingest", response_class=HTMLResponse, include_in_schema=False)
    def ingest_form(request: Request) -> HTMLResponse:
        return page(request, "ingest.html.j2", title="Add articles", results=None,
                    problem=None, max_mb=max_upload_mb)

    @app.post("/ingest", response_class=HTMLResponse, include_in_schema=False)
    async def ingest_submit(request: Request) -> HTMLResponse:
        form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=10,
                                  max_part_size=max_body)
        form_token = form.get("token")
        check_token(request, form_token if isinstance(form_token, str) else None)
        uploads = [u for u in form.getlist("files")
                   if isinstance(u, UploadFile) and u.filename]
        if not uploads:
            return page(request, "ingest.html.j2", status=400, title="Add articles",
                        results=None, problem="choose one or more files to upload",
                        max_mb=max_upload_mb)
        workdir = Path(tempfile.mkdtemp(prefix="newstrace-upload-"))
        try:
            taken: set[str] = set()
            saved = []
            for upload in uploads:
                target = workdir / _safe_name(upload.filename or "upload", taken)
                with target.open("wb") as sink:
                    shutil.copyfileobj(upload.file, sink)
                saved.append((upload.filename or target.name, target))
            results, compared = await run_in_threadpool(_ingest_files, saved, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return page(request, "ingest.html.j2", title="Add articles", results=results,
                    compared=compared, problem=None, max_mb=max_upload_mb)

    def _ingest_files(saved: list[tuple[str, Path]], workdir: Path) -> tuple[
            list[dict[str, Any]], dict[str, Any]]:
        """Store the files, then compare what is new with the corpus and refresh stories,
        as ``newstrace run`` would: an upload shows at once whom it copied or rewrote."""
        from newstrace.corpus.candidates import CandidateSettings
        from newstrace.corpus.engine import DEFAULT_ENGINE
        from newstrace.corpus.ingest import ingest
        from newstrace.corpus.outputs import Relation, relations_of
        from newstrace.corpus.pipeline import RunReport, compared_with, update
        from newstrace.io.text import SIDECAR_NAMES

        results: list[dict[str, Any]] = []
        with corpus.writer() as store:
            for original, path in saved:
                if path.name in SIDECAR_NAMES:
                    results.append({"name": original, "sidecar": True, "report": None,
                                    "problems": [], "articles": []})
                    continue
                report = ingest([path], store, command="serve-upload")
                problems = [{"where": s.source.replace(str(workdir) + "/", ""),
                             "reason": s.reason} for s in report.skipped]
                ids = [aid for (aid,) in store.conn.execute(
                    "SELECT id FROM articles WHERE source_path = ? ORDER BY source_line, id",
                    (str(path),))]
                found = store.get_many(ids, with_sentences=False)
                results.append({"name": original, "sidecar": False, "report": report,
                                "problems": problems,
                                "articles": [found[i] for i in ids if i in found]})
            engine_name = compared_with(store) or DEFAULT_ENGINE
            run_report = RunReport()
            update(store, CandidateSettings(), run_report, engine_name=engine_name)
            relations: dict[str, list[Relation]] = {}
            for rel in relations_of(store, [a.id for r in results for a in r["articles"]]):
                relations.setdefault(rel.article, []).append(rel)
        for r in results:
            r["relations"] = {a.id: relations.get(a.id, []) for a in r["articles"]}
        return results, {"engine": engine_name, "compared": run_report.compared,
                         "stories": run_report.stories}

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_page(request: Request) -> HTMLResponse:
        routes = [{"methods": sorted(set(getattr(r, "methods", None) or ()) - {"HEAD"}),
                   "path": getattr(r, "path", ""), "summary": getattr(r, "summary", None)
                   or (getattr(r, "description", "") or "").split("\n")[0]}
                  for r in app.routes if getattr(r, "path", "").startswith("/api/")]
        return page(request, "api.html.j2", title="REST API", routes=routes)

    # -- REST API ---------------------------------------------------------------

    def paged(found: Page, items: list[Any]) -> dict[str, Any]:
        return {"total": found.total, "offset": found.offset, "limit": found.limit,
                "items": items}

    @app.get("/api/articles", tags=["articles"])
    def api_articles(outlet: Q = "", q: Q = "",
                     date_from: DateFrom = "",
                     date_to: DateTo = "",
                     offset: Offset = 0, limit: Limit = 50) -> dict[str, Any]:
        """Stored articles, oldest first, as `newstrace articles --json` prints them."""
        found = corpus.articles(outlet=outlet.strip(), q=q.strip(),
                                date_from=_day(date_from, "from"), date_to=_day(date_to, "to"),
                                offset=offset, limit=limit)
        return paged(found, [a.as_dict() for a in found.items])

    @app.get("/api/articles/{article_id}", tags=["articles"])
    def api_article(article_id: str) -> dict[str, Any]:
        """One article as `newstrace show ID --json` prints it (id or unique prefix)."""
        return get_article(article_id).as_dict()

    @app.get("/api/stories", tags=["stories"])
    def api_stories(q: Q = "", outlet: Q = "",
                    date_from: DateFrom = "",
                    date_to: DateTo = "",
                    uncredited: Flag = False, singles: Flag = False, sort: Q = "size",
                    offset: Offset = 0, limit: Limit = 50) -> dict[str, Any]:
        """Stories (two or more articles unless `singles`), by size or recency."""
        f = story_filter(q, outlet, date_from, date_to, uncredited, sort, singles)
        found = corpus.stories(f, offset, limit)
        return paged(found, [s.as_dict() for s in found.items])

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(story_id: str) -> dict[str, Any]:
        """A story as in `stories.jsonl`, with its members' metadata and lag in hours."""
        story, articles = get_story(story_id)
        view = corpus.story_view(story, articles)
        members = [{"id": m["a"].id, "outlet": m["a"].outlet, "domain": m["a"].domain,
                    "title": m["a"].title, "published": m["a"].published,
                    "lag_hours": None if m["lag"] is None else round(m["lag"], 3)}
                   for m in view["members"]]
        return story.as_dict() | {"members": members}

    @app.get("/api/stories/{story_id}/claims", tags=["stories"])
    def api_story_claims(story_id: str) -> dict[str, Any]:
        """The story's claims matrix as `newstrace claims --json` writes it."""
        story, _ = get_story(story_id)
        refusal = _claims_limit(story)
        if refusal:
            raise HTTPException(422, refusal)
        return corpus.claims(story).as_dict()

    @app.get("/api/pairs", tags=["pairs"])
    def api_pairs(article: Annotated[str, Query(max_length=200)] = "", offset: Offset = 0,
                  limit: Limit = 100) -> dict[str, Any]:
        """Compared pairs (of one article with `article=ID`), as in `pairs.jsonl`."""
        if article and corpus.article(article) is None:
            raise HTTPException(404, f"no article {article!r} in this store")
        found = corpus.pairs(article or None, offset, limit)
        return paged(found, found.items)

    @app.get("/api/pairs/{a}/{b}", tags=["pairs"])
    def api_pair(a: str, b: str) -> dict[str, Any]:
        """A stored comparison as `newstrace compare --format json` prints it."""
        return get_pair(a, b).as_dict()

    @app.post("/api/compare", tags=["compare"])
    def api_compare(request: Request, body: CompareRequest) -> dict[str, Any]:
        """Compare two texts: exactly the JSON of `newstrace compare A B --format json`."""
        check_token(request)
        with corpus.compute_lock:
            result = compare_texts(body.a, body.b, _meta(body.meta_a), _meta(body.meta_b),
                                   attribution=body.attribution)
        return result.as_dict()

    return app


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000,
          token: str | None = None, max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
          log_level: str = "info") -> None:
    """Run the app with uvicorn (blocking)."""
    import uvicorn

    loopback = is_loopback(host)
    if not loopback and not token:
        raise UsageError(f"--host {host} is not loopback: writes would be open to the "
                             "network; give --token TOKEN (or set NEWSTRACE_TOKEN)")
    app = create_app(db_path, token=token, max_upload_mb=max_upload_mb,
                     allowed_hosts=_LOOPBACK_HOSTS if loopback else None)
    uvicorn.run(app, host=host, port=port, log_level=log_level)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
