"""Terminal views (rich): summaries and articles, readable at a glance."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newstrace.corpus.ingest import IngestReport
from newstrace.model import Article

_MAX_PROBLEMS_SHOWN = 20


def print_ingest_report(console: Console, report: IngestReport, db: Path) -> None:
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_row("files", f"{report.files} ({report.files_unchanged} unchanged since last run)")
    table.add_row("articles read", str(report.read))
    table.add_row("stored", f"[green]{report.stored}[/green]")
    table.add_row("duplicates", str(report.duplicates))
    if report.recleaned:
        table.add_row("re-cleaned", f"{report.recleaned} (outlet boilerplate learned)")
    table.add_row("skipped", f"[yellow]{len(report.skipped)}[/yellow]" if report.skipped
                  else "0")
    rate = report.read / report.seconds if report.seconds else 0.0
    table.add_row("time", f"{report.seconds:.2f} s ({rate:,.0f} articles/s)")
    console.print(f"[bold]ingest[/bold] into {escape(str(db))}")
    console.print(table)
    if report.skipped:
        console.print("[yellow]skipped inputs:[/yellow]")
        for problem in report.skipped[:_MAX_PROBLEMS_SHOWN]:
            console.print(f"  {escape(problem.source)}: {escape(problem.reason)}",
                          highlight=False)
        if len(report.skipped) > _MAX_PROBLEMS_SHOWN:
            more = len(report.skipped) - _MAX_PROBLEMS_SHOWN
            reasons = Counter(p.reason.split(" (")[0] for p in report.skipped)
            console.print(f"  … and {more} more; by reason: {dict(reasons.most_common(5))}")


def print_article(console: Console, article: Article) -> None:
    console.rule(escape(article.title or "(untitled)"))
    meta = [f"id {article.id}", article.outlet or "unknown outlet"]
    if article.published:
        meta.append(f"published {article.published}")
    if article.url:
        meta.append(article.url)
    meta.append(str(article.source))
    console.print(escape(" · ".join(meta)), style="dim", highlight=False)
    for credit in article.credits:
        what = ", ".join(f"{k} {v}" for k, v in (("outlet", credit.outlet),
                         ("date", credit.date), ("url", credit.url), ("place", credit.place))
                         if v)
        console.print(f"[cyan]credit[/cyan] {credit.kind}: {escape(what)}", highlight=False)
    for embed in article.embeds:
        console.print(f"[magenta]embed[/magenta] {embed.platform} post by "
                      f"{escape(embed.author or '?')} (@{escape(embed.handle or '?')}) "
                      f"{embed.date or ''}", highlight=False)
    console.print()
    for paragraph in article.text.split("\n"):
        console.print(escape(paragraph), highlight=False)
        console.print()
    if article.removals:
        console.print(f"[bold red]removed ({len(article.removals)})[/bold red]")
        for removal in article.removals:
            console.print(f"  [red]{removal.rule:<20}[/red] {escape(removal.text)}",
                          highlight=False)
