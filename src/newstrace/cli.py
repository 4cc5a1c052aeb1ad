"""The ``newstrace`` command line: one Typer app, one verb per job.

Commands are thin: they parse options, call the library and print. Errors a user
can fix are printed as one line saying what to do next, never as a traceback.
"""

from __future__ import annotations

import json
import os
import sys
import webbrowser
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newstrace import __version__
from newstrace.corpus.crosslingual import CrossLingualSettings
from newstrace.corpus.ingest import IngestReport, ingest
from newstrace.corpus.postgres import is_postgres_url, masked
from newstrace.corpus.store import Store
from newstrace.errors import NewstraceError, UsageError
from newstrace.io import FORMATS, ReadOptions, read_paths
from newstrace.io.common import DEFAULT_MAX_DOC_BYTES
from newstrace.io.export import EXPORT_FORMATS, export_articles
from newstrace.io.fields import parse_field_map
from newstrace.model import Article, Skipped
from newstrace.nlp.embed import Embedder
from newstrace.prepare import prepare
from newstrace.report.html import render_articles_report
from newstrace.report.terminal import (
    print_article,
    print_claims,
    print_ingest_report,
    print_pair,
)
from newstrace.reuse.claims import claim_matrix

app = typer.Typer(
    name="newstrace",
    help=(
        "Trace how news stories travel and mutate between outlets.\n\n"
        "Start with [bold]newstrace demo[/bold] to run the pipeline on the bundled sample."
    ),
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "newstrace demo --open                          run everything on the sample\n\n"
        "newstrace compare origin.txt rewrite.html --html pair.html\n\n"
        "newstrace claims story/*.txt --html claims.html\n\n"
        "newstrace run crawl/ --db corpus.db -o out/\n\n"
        "newstrace spark run feeds/ crawl/ -o out/ --master 'local[4]'\n\n"
        "newstrace add latest.html --db corpus.db\n\n"
        "newstrace audit --db corpus.db --watch rt.com,sputnikglobe.com\n\n"
        "newstrace eval --only news_dev,pan13\n\n"
        "newstrace ingest articles/ crawl.warc.gz --db corpus.db\n\n"
        "newstrace articles --db corpus.db --outlet rt.com\n\n"
        "newstrace show 469c2e61 --db corpus.db\n\n"
        "newstrace clean page.html\n\n"
        "newstrace export --db corpus.db --format parquet -o articles.parquet\n\n"
        "newstrace serve --db newstrace-demo/demo.db --port 8000"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

DEFAULT_DB = os.environ.get("NEWSTRACE_DB", "newstrace.db")
DbOption = Annotated[
    str, typer.Option("--db", help="Store: a SQLite file, or postgresql://user@host:port/dbname "
                      "for a team's shared PostgreSQL store. Env: NEWSTRACE_DB.",
                      show_default=True)
]
EngineOption = Annotated[
    str, typer.Option(help="Sentence model for comparing candidates: static (distilled from "
                      "MiniLM, ~80× faster; the corpus default) or minilm (what `compare` "
                      "uses; finds more heavily reworded or reordered rewrites). Use the "
                      "same one for `run` and `add` on one store.")
]
ChangesOption = Annotated[
    bool, typer.Option(help="Analyse what every copy and rewrite changed (attribution, "
                       "numbers, hedges) during the run. By default that is done when a "
                       "pair is shown (report pages, serve, audit): most pairs of a large "
                       "corpus never are, and it was a quarter of the compare stage.")]
ScreenOption = Annotated[
    bool, typer.Option(help="Settle clear pairs (neither copy nor rewrite, and plainly one "
                       "story or not) with a cheap first pass instead of aligning them "
                       "(static engine: about half the pairs, compare ~25 % faster; "
                       "bench/RESULTS.md). --no-screen aligns every candidate pair.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"newstrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Trace how news stories travel and mutate between outlets."""


def _read_options(fmt: str | None, mapping: list[str] | None, max_doc_mb: float) -> ReadOptions:
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if max_doc_mb <= 0:
        raise UsageError("--max-doc-mb must be positive")
    return ReadOptions(field_map=parse_field_map(mapping or []),
                       max_doc_bytes=int(max_doc_mb * 1_000_000), format=fmt)


def _shown(db: str) -> str:
    """The store as messages name it: a PostgreSQL URL loses its password."""
    return masked(db) if is_postgres_url(db) else db


def _open_store(db: str, *, must_exist: bool) -> Store:
    if must_exist and is_postgres_url(db):
        Store(db, read_only=True).close()  # says so when the database holds no store yet
    elif must_exist and not Path(db).exists():
        raise UsageError(f"no store at {db}; create one with: newstrace ingest PATH --db {db}")
    return Store(db)


def _run_ingest(paths: list[Path], store: Store, options: ReadOptions, *, quiet: bool,
                command: str, workers: int = 1) -> IngestReport:
    if quiet or not err.is_terminal:
        return ingest(paths, store, options, command=command, workers=workers)
    with Progress(TextColumn("[bold]ingest[/bold]"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("files · {task.fields[articles]} articles"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("ingest", total=None, articles=0)

        def tick(done: int, total: int, report: IngestReport) -> None:
            bar.update(task, completed=done, total=total, articles=report.read)

        return ingest(paths, store, options, progress=tick, command=command, workers=workers)


MAX_DOC_HELP = "Skip documents larger than this many megabytes."


@app.command("ingest", epilog="Example: newstrace ingest articles/ crawl.warc.gz --db corpus.db")
def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: text, HTML, JSONL, "
                                                     "CSV, WARC (.gz too).")],
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[str | None, typer.Option("--format", help="Force a reader: "
                                            + ", ".join(FORMATS) + ".")] = None,
    mapping: Annotated[list[str] | None, typer.Option(
        "--map", help="FIELD=COLUMN for JSONL/CSV, e.g. --map text=body.")] = None,
    strict: Annotated[bool, typer.Option(help="Exit non-zero if anything was skipped.")] = False,
    max_doc_mb: Annotated[float, typer.Option(help=MAX_DOC_HELP)] = DEFAULT_MAX_DOC_BYTES / 1e6,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    workers: Annotated[int, typer.Option(help="Processes reading and cleaning files (from "
                                         "200 files on); default: one per core.")] = 0,
) -> None:
    """Read, clean, split and store articles; re-running only adds what is new."""
    options = _read_options(fmt, mapping, max_doc_mb)
    with _open_store(db, must_exist=False) as store:
        report = _run_ingest(paths, store, options, quiet=quiet or as_json, command="ingest",
                             workers=workers or (os.cpu_count() or 1))
    if as_json:
        summary = report.as_dict() | {"problems": [
            {"source": s.source, "reason": s.reason} for s in report.skipped]}
        out.print_json(json.dumps(summary))
    else:
        print_ingest_report(out, report, _shown(db))
    if strict and report.skipped:
        raise typer.Exit(1)


@app.command(epilog="Example: newstrace articles --db corpus.db --outlet rt.com")
def articles(
    db: DbOption = DEFAULT_DB,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet (name or domain).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List stored articles, oldest first."""
    with _open_store(db, must_exist=True) as store:
        rows = list(store.iter_articles(outlet=outlet, limit=limit, with_sentences=not as_json))
        total = store.count()
    if as_json:
        for a in rows:
            sys.stdout.write(json.dumps(a.as_dict(), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(rows)} of {total} articles in {_shown(db)}")
    for col in ("id", "outlet", "published", "title", "sentences", "removed"):
        table.add_column(col, overflow="fold")
    for a in rows:
        table.add_row(a.id, a.outlet or a.domain or "?", a.published or "", a.title or "",
                      str(len(a.sentences)), str(len(a.removals)))
    out.print(table)


@app.command(epilog="Example: newstrace show 469c2e61 --db corpus.db")
def show(
    article_id: Annotated[str, typer.Argument(help="Article id or its first characters.")],
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the article as JSON.")] = False,
) -> None:
    """Show one stored article: metadata, cleaned text, and what cleaning removed."""
    with _open_store(db, must_exist=True) as store:
        article = store.get(article_id)
    if article is None:
        raise UsageError(f"no article {article_id!r} in {_shown(db)}; list ids with: "
                         f"newstrace articles --db {_shown(db)}")
    if as_json:
        out.print_json(json.dumps(article.as_dict(), ensure_ascii=False))
    else:
        print_article(out, article)


@app.command(epilog="Example: newstrace clean page.html --json")
def clean(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to clean.")],
    fmt: Annotated[str | None, typer.Option("--format", help="Force a reader.")] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", help="FIELD=COLUMN.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Clean articles without storing them, showing every removal and credit found."""
    options = _read_options(fmt, mapping, DEFAULT_MAX_DOC_BYTES / 1e6)
    skipped = 0
    for item in read_paths(paths, options):
        if isinstance(item, Skipped):
            skipped += 1
            err.print(f"[yellow]skipped[/yellow] {item}", markup=True, highlight=False)
            continue
        article, _ = prepare(item)
        if as_json:
            sys.stdout.write(json.dumps(article.as_dict(), ensure_ascii=False) + "\n")
        else:
            print_article(out, article)
    if skipped and not as_json:
        err.print(f"{skipped} input(s) skipped")


@app.command(epilog="Example: newstrace export --db corpus.db --format parquet -o articles.parquet")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", help="jsonl, csv or parquet.")] = "jsonl",
) -> None:
    """Export stored articles (cleaned text, metadata, removals, credits)."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(EXPORT_FORMATS)}")
    with _open_store(db, must_exist=True) as store:
        count = export_articles(store.iter_articles(), output, fmt)
    out.print(f"wrote {count} articles to {output}")


def _resolve_article(spec: str, db: str | None, meta: str | None, stdin_used: list[bool]
                     ) -> Article:
    from newstrace.api import load_article, parse_meta

    fields = parse_meta(meta)
    if spec == "-":
        if stdin_used:
            raise UsageError("only one of A and B can be read from standard input (-)")
        stdin_used.append(True)
        text = sys.stdin.read()
        if not text.strip():
            raise UsageError("standard input is empty")
        from newstrace.api import article_from_text

        return load_article(article_from_text(text, "<stdin>"), fields)
    path = Path(spec)
    if not path.exists() and db is not None:
        with _open_store(db, must_exist=True) as store:
            stored = store.get(spec)
        if stored is None:
            raise UsageError(f"{spec!r} is neither a file nor an article id in {_shown(db)}")
        return load_article(stored, fields)
    if not path.exists():
        raise UsageError(f"{spec}: no such file (give a file, '-' for stdin, or an article id "
                         "with --db)")
    return load_article(path, fields)


def _embedder_for(db: str | None) -> Embedder:
    """The model, with its vectors kept in the store when there is one.

    A PostgreSQL store keeps them in its local folder (``Store.path``), not on the server.
    """
    from newstrace.nlp.embed import default_embedder
    from newstrace.nlp.vector_cache import PersistentEmbedder, VectorCache

    if db is None:
        return default_embedder()
    if is_postgres_url(db):
        with Store(db) as store:
            cache = store.path
    elif Path(db).exists():
        cache = Path(db)
    else:
        return default_embedder()
    return PersistentEmbedder(default_embedder(), VectorCache(cache))


def _compare_pairs_file(pairs_file: Path, db: str | None, output: Path | None,
                        attribution: bool = True) -> None:
    from newstrace.reuse.compare import compare_articles
    from newstrace.reuse.features import ArticleMemo

    embedder = _embedder_for(db)
    # one origin against many suspects, or one text under several names: each text is
    # tokenised, embedded and parsed once, each pair of texts aligned once
    memo = ArticleMemo()
    sink = output.open("w", encoding="utf-8") if output else sys.stdout
    failures = 0
    try:
        for number, line in enumerate(pairs_file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.split("\t")] if "\t" in line else line.split()
            if len(parts) != 2:
                err.print(f"{pairs_file}:{number}: expected two paths separated by a tab")
                failures += 1
                continue
            try:
                left = _resolve_article(parts[0], db, None, [True])
                right = _resolve_article(parts[1], db, None, [True])
                result = compare_articles(left, right, embedder, attribution=attribution,
                                          memo=memo)
                row = result.as_dict()
            except NewstraceError as exc:
                err.print(f"{pairs_file}:{number}: {exc}", highlight=False)
                row = {"a": {"path": parts[0]}, "b": {"path": parts[1]}, "error": str(exc)}
                failures += 1
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if output:
            sink.close()
    if failures:
        err.print(f"{failures} pair(s) could not be compared")


@app.command(epilog="Example: newstrace compare origin.txt rewrite.html --html pair.html")
def compare(
    a: Annotated[str | None, typer.Argument(help="First article: file, '-' (stdin) or id.")
                 ] = None,
    b: Annotated[str | None, typer.Argument(help="Second article: file, '-' or id.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store to look article ids up in.")
                  ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text (side by side) or json.")
                   ] = "text",
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained "
                                              "HTML report here.")] = None,
    meta_a: Annotated[str | None, typer.Option(help="outlet=…,published=…,url=… for A.")
                      ] = None,
    meta_b: Annotated[str | None, typer.Option(help="The same for B.")] = None,
    pairs: Annotated[Path | None, typer.Option(help="TSV of path pairs: compare each, one "
                                               "JSON object per line.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="With --pairs: "
                                                "write JSONL here.")] = None,
    attribution: Annotated[bool, typer.Option(help="Analyse what rewrites changed (English; "
                                              "adds a parser load).")] = True,
) -> None:
    """How two articles are related: copy, derived, same story or unrelated, and why."""
    if pairs is not None:
        if not pairs.is_file():
            raise UsageError(f"{pairs}: no such pairs file")
        _compare_pairs_file(pairs, db, output, attribution)
        return
    if a is None or b is None:
        raise UsageError("give two articles: newstrace compare A B  (or --pairs pairs.tsv)")
    if fmt not in ("text", "json"):
        raise UsageError("--format must be text or json")
    from newstrace.nlp import langid
    from newstrace.nlp.parse_worker import ParserProcess
    from newstrace.reuse.compare import compare_articles

    # the three models load side by side: the parser in a child process (forked
    # before any thread exists), the language model in a thread, the embedder here
    worker = ParserProcess.start() if attribution else None
    try:
        langid.warm_up()
        if attribution:
            from newstrace.nlp import phrases

            phrases.warm_up()  # the wording check's word list
        if attribution and worker is None:
            from newstrace.nlp.attribution import warm_up

            warm_up()
        embedder = _embedder_for(db)
        stdin_used: list[bool] = []
        left = _resolve_article(a, db, meta_a, stdin_used)
        right = _resolve_article(b, db, meta_b, stdin_used)
        result = compare_articles(left, right, embedder, attribution=attribution, parse=worker)
    finally:
        if worker is not None:
            worker.close()
    if html is not None:
        from newstrace.report.html import render_pair_report

        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_pair_report(result), encoding="utf-8")
    if fmt == "json":
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        print_pair(out, result)
        if html is not None:
            out.print(f"HTML report: {html}")


MAX_CLAIM_ARTICLES = 400


@app.command(epilog="Example: newstrace claims story/*.txt --html claims.html --csv claims.csv")
def claims(
    paths: Annotated[list[Path] | None, typer.Argument(help="Article files or folders.")
                     ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Take the articles from this store.")
                  ] = None,
    outlet: Annotated[str | None, typer.Option(help="With --db: only this outlet.")] = None,
    min_articles: Annotated[int, typer.Option(help="Show claims carried by at least this many "
                                              "articles.")] = 2,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the matrix as CSV.")
                       ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write claims as JSON.")
                        ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML matrix.")] = None,
) -> None:
    """Which claims appear in which articles, and whom each article says made them."""
    import csv as csv_module

    if not paths and db is None:
        raise UsageError("give article files or --db corpus.db")
    if min_articles < 1:
        raise UsageError("--min-articles must be at least 1")
    articles: list[Article] = []
    if db is not None:
        with _open_store(db, must_exist=True) as store:
            articles = list(store.iter_articles(outlet=outlet, limit=MAX_CLAIM_ARTICLES + 1))
    for item in read_paths(paths or []):
        if isinstance(item, Skipped):
            err.print(f"[yellow]skipped[/yellow] {escape(str(item))}", highlight=False)
            continue
        article, _ = prepare(item)
        if article.sentences:
            articles.append(article)
    if len(articles) > MAX_CLAIM_ARTICLES:
        raise UsageError(f"claims compares every article with every other; give at most "
                         f"{MAX_CLAIM_ARTICLES} (narrow with --outlet or fewer files)")
    if len(articles) < 2:
        raise UsageError("claims needs at least two articles")
    matrix = claim_matrix(articles, _embedder_for(db).encode, min_articles)
    if csv_out is not None:
        rows = matrix.rows()
        with csv_out.open("w", newline="", encoding="utf-8") as handle:
            fields = ["claim_id", "claim", "articles"] + [
                k for k in (rows[0] if rows else {}) if k not in ("claim_id", "claim",
                                                                  "articles")]
            writer = csv_module.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    if json_out is not None:
        json_out.write_text(json.dumps(matrix.as_dict(), ensure_ascii=False, indent=1),
                            encoding="utf-8")
    if html is not None:
        from newstrace.report.html import render_claims_report

        html.write_text(render_claims_report(matrix, title="newstrace: claims across articles",
                                             min_articles=min_articles), encoding="utf-8")
    print_claims(out, matrix)


def _candidate_settings(window_days: float, neighbours: int, min_cosine: float, bands: int
                        ) -> Any:
    from newstrace.corpus.candidates import CandidateSettings

    if window_days <= 0 or neighbours < 1 or not 0 <= min_cosine <= 1 or bands < 1:
        raise UsageError("--window-days and --neighbours must be positive, --min-cosine in "
                         "[0, 1], --bands at least 1")
    if 128 % bands:
        raise UsageError("--bands must divide 128 (the MinHash permutations): 8, 16, 32, 64")
    return CandidateSettings(bands=bands, neighbours=neighbours, min_cosine=min_cosine,
                             window_days=window_days)


@app.command(epilog="Example: newstrace run crawl/ --db corpus.db -o out/")
def run(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to add to the corpus.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the outputs.")],
    db: DbOption = DEFAULT_DB,
    window_days: Annotated[float, typer.Option(help="Compare only articles published this "
                                               "close (when both dates are known).")] = 30.0,
    neighbours: Annotated[int, typer.Option(help="Nearest neighbours per article.")] = 15,
    min_cosine: Annotated[float, typer.Option(help="Least document similarity for a "
                                              "neighbour to be compared.")] = 0.2,
    bands: Annotated[int, typer.Option(help="MinHash LSH bands.")] = 32,
    fmt: Annotated[str | None, typer.Option("--format", help="Force a reader.")] = None,
    mapping: Annotated[list[str] | None, typer.Option("--map", help="FIELD=COLUMN.")] = None,
    strict: Annotated[bool, typer.Option(help="Exit non-zero if anything was skipped.")] = False,
    engine: EngineOption = "static",
    screen: ScreenOption = True,
    changes: ChangesOption = False,
    workers: Annotated[int, typer.Option(help="Processes reading files, fingerprinting and "
                                         "comparing pairs (static engine); default: one per "
                                         "core.")] = 0,
) -> None:
    """The whole pipeline over a corpus: stories, who took from whom, a report.

    Re-running with new input only processes what is new; an interrupted run resumes.
    """
    from newstrace.corpus.outputs import write_outputs
    from newstrace.corpus.pipeline import run as run_pipeline

    settings = _candidate_settings(window_days, neighbours, min_cosine, bands)
    options = _read_options(fmt, mapping, DEFAULT_MAX_DOC_BYTES / 1e6)
    with _open_store(db, must_exist=False) as store:
        report, stories = run_pipeline(paths, store, options=options, settings=settings,
                                       engine_name=engine, screen=screen, changes=changes,
                                       workers=workers or (os.cpu_count() or 1))
        summary = report.as_dict() | {"candidates": report.candidates,
                                      "compared": report.compared}
        files = write_outputs(store, stories, output, settings.as_dict()
                              | CrossLingualSettings.fitted().as_dict() | {
            "paths": [str(p) for p in paths], "db": store.name, "engine": engine,
            "screen": screen, "changes": changes}, summary)
    if report.ingest is not None:
        print_ingest_report(out, report.ingest, _shown(db))
    multi = [s for s in stories if len(s.articles) > 1]
    across = (f" ({report.multilingual} given multilingual vectors: the store mixes "
              f"languages)" if report.multilingual else "")
    out.print(f"fingerprinted {report.fingerprinted}{across} · {report.candidates} candidate "
              f"pairs · compared {report.compared} new pairs {report.relations}"
              + (f" ({report.screened} settled by the screen without an alignment)"
                 if report.screened else ""))
    _print_failed(report.failed)
    out.print(f"{len(multi)} stories with two or more articles; "
              f"{sum(len(s.edges) for s in multi)} copy/derived edges")
    out.print(f"Outputs in {escape(str(output))}/: " + ", ".join(sorted(p.name for p in
                                                                        files.values())))
    out.print(f"Open the report: [link]{files['report.html'].resolve().as_uri()}[/link]")
    if strict and report.ingest is not None and report.ingest.skipped:
        raise typer.Exit(1)


def _print_failed(failed: list[tuple[str, str, str]]) -> None:
    """Pairs whose compare raised: named on stderr, so that the rest of a run still counts."""
    if not failed:
        return
    err.print(f"[yellow]{len(failed)} pair(s) could not be compared[/yellow] and were skipped "
              "(not stored; the next run tries them again). Please report it with the "
              "first line:", highlight=False)
    for a, b, error in failed[:5]:
        err.print(f"  {a} × {b}: {escape(error)}", highlight=False)


@app.command(epilog="Example: newstrace add latest.html --db corpus.db")
def add(
    path: Annotated[Path, typer.Argument(help="An article file (text, HTML, JSONL, …).")],
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the relations as JSON.")
                       ] = False,
    engine: EngineOption = "static",
    screen: ScreenOption = True,
) -> None:
    """Match a new article against the corpus: who did it copy, and who copied it?"""
    from newstrace.corpus.candidates import CandidateSettings
    from newstrace.corpus.outputs import relations_of
    from newstrace.corpus.pipeline import RunReport, open_index, update

    with _open_store(db, must_exist=True) as store:
        report = ingest([path], store, command="add")
        if report.skipped:
            raise UsageError("; ".join(str(s) for s in report.skipped))
        # a file added before is passed over by ingest: its stored articles answer
        new_ids = list(dict.fromkeys(report.ids)) or [aid for (aid,) in store.conn.execute(
            "SELECT id FROM articles WHERE source_path = ?", (str(path),))]
        run_report = RunReport()
        update(store, CandidateSettings(), run_report, engine_name=engine,
               index=open_index(store), rebuild_stories=False, new_ids=new_ids,
               screen=screen)
        relations = relations_of(store, new_ids)
    _print_failed(run_report.failed)
    found: list[dict[str, Any]] = []
    for rel in relations:
        role = "origin" if rel.origin == rel.article else "derived" if rel.origin else ""
        found.append({"article": rel.article, "other": rel.other.id,
                      "other_outlet": rel.other.outlet or rel.other.domain,
                      "other_title": rel.other.title, "relation": rel.relation,
                      "this_is": role, "confidence": round(rel.confidence, 4),
                      "credit": rel.credit})
    if as_json:
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=1) + "\n")
        return
    if not found:
        out.print("no related article in the corpus")
        return
    table = Table(title=f"relations of {escape(str(path))}")
    for col in ("relation", "this article is", "other outlet", "other title", "credit",
                "confidence"):
        table.add_column(col, overflow="fold")
    for row in found:
        table.add_row(row["relation"], row["this_is"] or "-", escape(row["other_outlet"] or "?"),
                      escape(row["other_title"] or ""), row["credit"],
                      f"{row['confidence']:.2f}")
    out.print(table)


@app.command(epilog="Example: newstrace audit --db corpus.db --watch rt.com,sputnikglobe.com")
def audit(
    watch: Annotated[str, typer.Option(help="Comma-separated outlets or domains to watch.")],
    db: DbOption = DEFAULT_DB,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the rows as CSV.")
                       ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the rows as JSON.")
                        ] = None,
) -> None:
    """Every article derived from a watched outlet, credited or not, with the evidence."""
    import csv as csv_module

    from newstrace.corpus.audit import audit as run_audit

    watched = [w.strip() for w in watch.split(",") if w.strip()]
    if not watched:
        raise UsageError("--watch needs at least one outlet or domain")
    with _open_store(db, must_exist=True) as store:
        rows = run_audit(store, watched)
    dicts = [r.as_dict() for r in rows]
    if json_out is not None:
        json_out.write_text(json.dumps(dicts, ensure_ascii=False, indent=1), encoding="utf-8")
    if csv_out is not None:
        with csv_out.open("w", newline="", encoding="utf-8") as handle:
            fields = list(dicts[0]) if dicts else ["origin_id"]
            writer = csv_module.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            for d in dicts:
                writer.writerow({k: json.dumps(v, ensure_ascii=False)
                                 if isinstance(v, (list, dict)) else v for k, v in d.items()})
    table = Table(title=f"{len(rows)} articles derived from {', '.join(watched)}")
    for col in ("origin", "derived outlet", "derived title", "relation", "credit", "changes"):
        table.add_column(col, overflow="fold")
    for r in rows:
        style = "red" if r.credit == "uncredited" else "green"
        relation = f"{r.relation}, translated {r.languages}" if r.translated else r.relation
        table.add_row(escape(r.origin.outlet or r.origin.domain or "?"),
                      escape(r.derived.outlet or r.derived.domain or "?"),
                      escape(r.derived.title or ""), escape(relation),
                      f"[{style}]{r.credit}[/{style}]", ", ".join(r.changes))
    out.print(table)


@app.command("eval", epilog="Example: newstrace eval --only news_dev,pan13 --markdown")
def eval_cmd(
    only: Annotated[str | None, typer.Option(help="Comma-separated suites: news_dev, changes, "
                                             "clough, semeval, msrp, pan13, bbc_synthetic.")
                    ] = None,
    markdown: Annotated[bool, typer.Option(help="Print a Markdown table (for RESULTS.md).")
                        ] = False,
    cache: Annotated[Path | None, typer.Option(help="Sentence-vector cache file.")] = None,
) -> None:
    """Measure the engine on the dev sets and the corpora in ../shared/data."""
    from newstrace.evaluation.run import SUITES, run_eval

    suites = tuple(s.strip() for s in only.split(",")) if only else SUITES
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        raise UsageError(f"unknown suite(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(SUITES)}")
    report = run_eval(suites, cache=cache,
                      progress=lambda s: err.print(f"[dim]evaluating {s}…[/dim]"))
    if not report.metrics:
        err.print("no evaluation data found (../shared/data or eval/ absent); nothing measured")
        return
    if markdown:
        sys.stdout.write(report.markdown() + "\n")
        return
    table = Table(title="newstrace eval")
    for col in ("suite", "metric", "newstrace", "target", "reference", "n", "note"):
        table.add_column(col, overflow="fold")
    for m in report.metrics:
        value = "—" if m.value is None else f"{m.value:.3f}"
        table.add_row(m.suite, m.name, value, m.target, m.reference, str(m.n), m.note)
    out.print(table)


def sample_corpus_path() -> Path:
    return Path(str(files("newstrace") / "data" / "sample"))


@app.command(epilog="Example: newstrace demo -o newstrace-demo --open")
def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the outputs.")] = Path(
        "newstrace-demo"),
    open_report: Annotated[bool, typer.Option("--open", help="Open the report in a browser.")
                           ] = False,
) -> None:
    """Run the pipeline on the bundled fictional sample corpus and write a report."""
    from newstrace.corpus.outputs import write_outputs
    from newstrace.corpus.pipeline import run as run_pipeline
    from newstrace.nlp.embed import default_embedder
    from newstrace.nlp.vector_cache import PersistentEmbedder, VectorCache
    from newstrace.report.html import render_claims_report

    output.mkdir(parents=True, exist_ok=True)
    db = output / "demo.db"
    # always start from scratch
    for suffix in ("", "-wal", "-shm", ".hnsw", ".labels", ".vectors.npy"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with Store(db) as store:
        # ten articles: the precise model costs nothing here
        report, stories = run_pipeline([sample_corpus_path()], store, engine_name="minilm")
        stored = list(store.iter_articles())
        biggest = stories[0] if stories else None
        story_articles = [a for a in stored if biggest and a.id in biggest.articles]
        embedder = PersistentEmbedder(default_embedder(), VectorCache(db))
        matrix = (claim_matrix(story_articles, embedder.encode, 2) if len(story_articles) > 1
                  else None)
        summary = report.as_dict() | {"candidates": report.candidates,
                                      "compared": report.compared}
        write_outputs(store, stories, output, {"demo": True}, summary,
                      links={"articles.html": "every article, cleaned",
                             "claims.html": "claims across the largest story"})
    (output / "articles.html").write_text(render_articles_report(
        stored, title="newstrace demo: the sample corpus, cleaned",
        summary=(report.ingest.as_dict() if report.ingest else {}) | {"version": __version__}),
        encoding="utf-8")
    if matrix is not None:
        (output / "claims.html").write_text(render_claims_report(
            matrix, title="newstrace demo: claims across the largest story", min_articles=2),
            encoding="utf-8")
    if report.ingest is not None:
        print_ingest_report(out, report.ingest, db)
    names = {a.id: a.outlet or a.domain or a.id[:8] for a in stored}
    out.print(f"\ncompared {report.compared} candidate pairs (not all "
              f"{len(stored) * (len(stored) - 1) // 2}): {report.relations}")
    for story in stories:
        if len(story.articles) < 2:
            continue
        out.print(f"[bold]story[/bold] {escape(story.id)}: "
                  + escape(", ".join(names[a] for a in story.articles)))
        for e in story.edges:
            out.print(f"  {e.relation:<8} {escape(names[e.origin])} → {escape(names[e.derived])}"
                      f" ({e.credit}, {e.confidence:.2f})", highlight=False)
    if matrix is not None:
        out.print(f"{len(matrix.claims)} claims shared by two or more articles of the largest "
                  "story")
    out.print(f"\nOutputs in [bold]{output}/[/bold]: report.html (stories), pairs/*.html, "
              "claims.html, articles.html, articles.jsonl, pairs.jsonl, stories.jsonl, "
              "graph.gexf, run.json, demo.db")
    report_path = output / "report.html"
    out.print(f"Open the report: [link]{report_path.resolve().as_uri()}[/link]")
    if open_report:
        webbrowser.open(report_path.resolve().as_uri())


@app.command(epilog="Example: newstrace serve --db newstrace-demo/demo.db --port 8000\n\n"
             "For a team: newstrace serve --db postgresql://newstrace@db.example:5432/news "
             "--host 0.0.0.0 --token \"$NEWSTRACE_TOKEN\"")
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but loopback "
                                      "needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option(
        envvar="NEWSTRACE_TOKEN", show_envvar=True,
        help="Token that compare and upload requests must carry (Authorization: Bearer).")
    ] = None,
    max_upload_mb: Annotated[float, typer.Option(help="Largest request body (uploads, "
                                                 "compare) in megabytes.")] = 50.0,
) -> None:
    """Web app and REST API over a store: stories, provenance graphs, pairs, claims.

    --db postgresql://user@host:port/dbname serves a team's shared PostgreSQL store
    (the database must exist; the tables are created on first use), which `newstrace
    run` and `add` can fill from other machines while the app serves it.
    """
    from newstrace.web.app import is_loopback
    from newstrace.web.app import serve as run_server

    if not is_loopback(host) and not token:
        raise UsageError(f"--host {host} is not loopback: writes would be open to the network;"
                         " give --token TOKEN (or set NEWSTRACE_TOKEN)")
    if not 0 < port < 65536:
        raise UsageError("--port must be between 1 and 65535")
    if max_upload_mb <= 0:
        raise UsageError("--max-upload-mb must be positive")
    if not is_postgres_url(db) and not Path(db).exists():
        err.print(f"no store at {escape(db)}: starting with an empty one "
                  "(add articles on the page /ingest, or with newstrace run)")
    err.print(f"serving {escape(_shown(db))} on http://{host}:{port}/ (Ctrl+C stops)",
              highlight=False)
    run_server(db, host=host, port=port, token=token or None, max_upload_mb=max_upload_mb)


spark_app = typer.Typer(help="Corpus mode on Apache Spark (needs the `spark` extra and "
                        "Java 17): the same pipeline over Parquet tables.",
                        epilog="Example: newstrace spark run crawl/ feed.jsonl -o out/ "
                        "--master 'local[2]'", no_args_is_help=True)
app.add_typer(spark_app, name="spark")


@spark_app.command("run", epilog="Example: newstrace spark run crawl/*.warc.gz feed.jsonl "
                   "-o out/ --master 'local[4]'")
def spark_run(
    inputs: Annotated[list[str], typer.Argument(help="JSONL, Parquet or WARC files or folders "
                                                "(text and HTML too); local paths or any "
                                                "URI Spark reads (hdfs://, s3a://).")],
    output: Annotated[str, typer.Option("--output", "-o", help="Folder (or URI) for the "
                                        "Parquet tables.")],
    master: Annotated[str, typer.Option(help="Spark master when not under "
                                        "spark-submit.")] = "local[*]",
    engine: EngineOption = "static",
    partitions: Annotated[int, typer.Option(help="Partitions for the heavy stages "
                                            "(default: four per core).")] = 0,
    bands: Annotated[int, typer.Option(help="MinHash LSH bands.")] = 32,
    neighbours: Annotated[int, typer.Option(help="Nearest neighbours per article.")] = 15,
    min_cosine: Annotated[float, typer.Option(help="Least document similarity for a "
                                              "neighbour to be compared.")] = 0.2,
    window_days: Annotated[float, typer.Option(help="Compare only articles published this "
                                               "close (when both dates are known).")] = 30.0,
    block_size: Annotated[int, typer.Option(help="Articles per block of the exact "
                                            "neighbour join.")] = 2000,
    knn_scope: Annotated[str, typer.Option(help="global (the local run's neighbours) or "
                                           "window (neighbours among articles of nearby "
                                           "time windows only: for very large "
                                           "corpora).")] = "global",
    mapping: Annotated[list[str] | None, typer.Option("--map", help="FIELD=COLUMN.")] = None,
    max_doc_mb: Annotated[float, typer.Option(help=MAX_DOC_HELP)] = DEFAULT_MAX_DOC_BYTES / 1e6,
    screen: ScreenOption = True,
    changes: ChangesOption = False,
) -> None:
    """Run corpus mode on Spark: articles, pairs, stories, edges and rejects as Parquet.

    Cleaning, fingerprints and compare are the local run's functions; stories equal the
    local run's. On a cluster use spark-submit with newstrace/spark/job.py (README, "Spark").
    """
    _candidate_settings(window_days, neighbours, min_cosine, bands)  # same checks as `run`
    if knn_scope not in ("global", "window"):
        raise UsageError("--knn-scope must be global or window")
    try:
        from newstrace.spark.job import parser, run_job, settings_from
        from newstrace.spark.session import spark_session
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise UsageError(f"Spark support is not installed ({exc}); "
                         "pip install 'newstrace[spark]'") from exc
    args = parser().parse_args([*inputs, "-o", output, "--engine", engine,
                                "--partitions", str(partitions), "--bands", str(bands),
                                "--neighbours", str(neighbours), "--min-cosine", str(min_cosine),
                                "--window-days", str(window_days), "--block-size",
                                str(block_size), "--knn-scope", knn_scope,
                                "--max-doc-mb", str(max_doc_mb),
                                *([] if screen else ["--no-screen"]),
                                *(["--changes"] if changes else []),
                                *[x for m in mapping or [] for x in ("--map", m)]])
    settings, options = settings_from(args)
    spark = spark_session(master)
    try:
        summary = run_job(spark, inputs, output, settings, options)
    finally:
        spark.stop()
    out.print(f"{summary['articles']} articles ({summary['duplicates']} duplicates, "
              f"{summary['rejects']} rejects) · {summary['candidates']} candidate pairs · "
              f"{summary['relations']}"
              + (f" ({summary['screened']} settled by the screen without an alignment)"
                 if summary.get("screened") else ""))
    if summary.get("failed"):
        err.print(f"[yellow]{summary['failed']} pair(s) could not be compared[/yellow] and "
                  "were skipped; each is named in its executor's stderr. Please report it.",
                  highlight=False)
    out.print(f"{summary['multi_stories']} stories with two or more articles "
              f"({summary['stories']} in all) · {summary['seconds']['total']:.0f} s")
    out.print(f"Parquet tables in {escape(output)}/: articles, pairs, stories, edges, rejects")


def main() -> None:
    """Entry point: run the app, turning errors into one clear line."""
    try:
        app()
    except NewstraceError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; run the same command again to resume where it stopped")
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("NEWSTRACE_DEBUG"):
            raise
        err.print(f"[red]internal error:[/red] {type(exc).__name__}: {exc}\n"
                  "This is a bug in newstrace; set NEWSTRACE_DEBUG=1 to see the traceback.",
                  highlight=False)
        sys.exit(1)


__all__ = ["Article", "app", "main"]
