"""Terminal views (rich): summaries and articles, readable at a glance."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newstrace.corpus.ingest import IngestReport
from newstrace.model import Article, PairResult
from newstrace.report.pair_view import changes_by_sentence
from newstrace.reuse.claims import ClaimMatrix

_MAX_PROBLEMS_SHOWN = 20


def print_ingest_report(console: Console, report: IngestReport, db: str | Path) -> None:
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


_KIND_STYLE = {"verbatim": "bold green", "paraphrase": "cyan", "added": "yellow",
               "dropped": "red"}


def _who(article: Article, side: str) -> str:
    bits = [article.outlet or article.domain or Path(article.source.path).name or side]
    if article.published:
        bits.append(article.published[:16])
    return " · ".join(bits)


def print_pair(console: Console, result: PairResult) -> None:
    """Verdict header, then the derived text sentence by sentence beside its origin."""
    if result.origin == "b":
        origin, derived = result.b, result.a
    else:
        origin, derived = result.a, result.b
    rel_style = {"copy": "bold red", "derived": "bold magenta", "same_story": "bold blue",
                 "unrelated": "dim"}[result.relation]
    head = Table.grid(padding=(0, 2))
    translated = (f"  translated {escape(origin.language or '?')} → "
                  f"{escape(derived.language or '?')}" if result.translated else "")
    head.add_row("relation", f"[{rel_style}]{result.relation}[/{rel_style}] "
                             f"(confidence {result.confidence:.2f}){translated}")
    if result.origin:
        head.add_row("origin", f"{result.origin} = {escape(_who(origin, result.origin))}  "
                               f"[dim]({escape(result.direction_evidence)})[/dim]")
        credit_style = {"credited": "green", "uncredited": "bold red"}.get(
            result.credit_status, "dim")
        evidence = "; ".join(e["text"] for e in result.credit_evidence[:3])
        head.add_row("credit", f"[{credit_style}]{result.credit_status}[/{credit_style}]"
                               + (f"  [dim]{escape(evidence)}[/dim]" if evidence else ""))
    head.add_row("coverage", f"{result.derived_from_origin:.0%} of the "
                             f"{'derived' if result.origin else 'b'} text comes from the "
                             f"{'origin' if result.origin else 'a'}; "
                             f"{result.origin_reused:.0%} of the origin reused; "
                             f"{result.verbatim:.0%} verbatim")
    console.print(head)
    if result.changes:
        console.print(f"[bold]changes ({len(result.changes)})[/bold]")
        for change in result.changes:
            console.print(f"  [reverse red] {escape(change.kind)} [/reverse red] "
                          f"{escape(change.description)}", highlight=False)
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    table = Table(show_lines=True, expand=True)
    table.add_column(f"origin: {escape(_who(origin, 'a'))}", ratio=1)
    table.add_column("", width=10)
    table.add_column(f"derived: {escape(_who(derived, 'b'))}", ratio=1)
    links = {al.derived_index: al for al in result.alignments}
    changed = changes_by_sentence(result, derived)
    dropped = {(s.start, s.end) for s in result.dropped}
    shown_dropped: set[tuple[int, int]] = set()
    for i, sentence in enumerate(derived.sentences):
        al = links.get(i)
        if al is None:
            badges = "".join(f"\n[reverse red]{k.replace('_', ' ')}[/reverse red]"
                             for k in changed.get(i, []))
            table.add_row("", f"[yellow]added[/yellow]{badges}",
                          f"[yellow]{escape(sentence.text)}[/yellow]")
            continue
        style = _KIND_STYLE[al.kind]
        left = "\n".join(escape(o.text) for o in al.origin)
        badges = "".join(f"\n[reverse red]{k.replace('_', ' ')}[/reverse red]"
                         for k in changed.get(i, []))
        table.add_row(left, f"[{style}]{al.kind}[/{style}]\n{al.score:.2f}{badges}",
                      f"[{style}]{escape(sentence.text)}[/{style}]")
        # dropped origin sentences that sit right after the one just shown
        last = max(al.origin_indices)
        for j in range(last + 1, len(origin.sentences)):
            s = origin.sentences[j]
            if (s.start, s.end) not in dropped or (s.start, s.end) in shown_dropped:
                break
            shown_dropped.add((s.start, s.end))
            table.add_row(f"[red]{escape(s.text)}[/red]", "[red]dropped[/red]", "")
    for span in result.dropped:
        if (span.start, span.end) not in shown_dropped:
            table.add_row(f"[red]{escape(span.text)}[/red]", "[red]dropped[/red]", "")
    console.print(table)


_MAX_CLAIM_COLUMNS = 8


def print_claims(console: Console, matrix: ClaimMatrix) -> None:
    """Claims × articles; wide matrices are cut to the first columns (see --html/--csv)."""
    if not matrix.claims:
        console.print("no claim is carried by enough articles")
        return
    shown = list(range(min(len(matrix.articles), _MAX_CLAIM_COLUMNS)))
    table = Table(show_lines=True, title=f"{len(matrix.claims)} claims × "
                                         f"{len(matrix.articles)} articles")
    table.add_column("claim", ratio=3)
    for k in shown:
        a = matrix.articles[k]
        table.add_column(escape(a.outlet or a.domain or a.id[:8]), ratio=1, overflow="fold")
    for claim in matrix.claims:
        cells = [escape(matrix.cell(claim, k)) if k in claim.articles else "" for k in shown]
        table.add_row(f"[bold]{claim.id}[/bold] {escape(claim.text)}", *cells)
    console.print(table)
    if len(matrix.articles) > len(shown):
        console.print(f"[dim]{len(matrix.articles) - len(shown)} more article columns: "
                      "write them with --html or --csv[/dim]")
