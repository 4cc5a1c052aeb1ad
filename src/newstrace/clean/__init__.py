"""Boilerplate removal, credit-line parsing and embed marking for scraped text.

``clean_text`` is pure: raw text in, cleaned text plus a record of every removal
out. Corpus evidence (lines an outlet repeats across many articles) is passed in
as ``repeated`` by the store, which is the only place that sees many articles.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field

from newstrace.clean.credits import parse_dateline, parse_signoff, parse_source_note
from newstrace.clean.embeds import parse_embed_signature, post_link
from newstrace.clean.normalize import line_key, normalize_text
from newstrace.clean.rules import match_line_rule
from newstrace.model import Credit, Embed, Removal

#: Lines longer than this are never treated as repeated boilerplate: long lines
#: are body paragraphs, and a follow-up story may legitimately repeat one.
MAX_REPEATED_LINE_CHARS = 200

__all__ = ["MAX_REPEATED_LINE_CHARS", "Cleaned", "clean_text"]


@dataclass(slots=True)
class Cleaned:
    text: str
    removals: list[Removal] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    #: keys of short body lines, counted per outlet to learn repeated boilerplate
    line_keys: set[int] = field(default_factory=set)


def clean_text(
    raw: str, *, title: str | None = None, repeated: Container[int] = frozenset()
) -> Cleaned:
    """Remove boilerplate line by line; keep every body line, in order.

    The cleaned text holds one paragraph per line. Offsets of embeds refer to it.
    """
    out: list[str] = []
    pos = 0  # length of "\n".join(out) so far, plus the separator to come
    result = Cleaned(text="")
    title_key = line_key(title) if title else None
    seen_body = False

    def remove(rule: str, text: str) -> None:
        result.removals.append(Removal(rule=rule, text=text, at=max(pos - 1, 0) if out else 0))

    for line in normalize_text(raw).split("\n"):
        line = line.strip()
        if not line:
            continue
        if not seen_body and title_key is not None and line_key(line) == title_key:
            remove("title", line)
            continue
        if (sig := parse_embed_signature(line)) is not None:
            if out and not (result.embeds and result.embeds[-1].end == pos - 1):
                start = pos - 1 - len(out[-1])
                result.embeds.append(
                    Embed(start=start, end=pos - 1, platform=sig.platform, author=sig.author,
                          handle=sig.handle, date=sig.date, url=post_link(out[-1]))
                )
            remove("embed-signature", line)
            continue
        credit = parse_source_note(line) or parse_signoff(line)
        if credit is not None:
            result.credits.append(credit)
            remove(f"credit:{credit.kind}", line)
            continue
        if (dateline := parse_dateline(line)) is not None:
            credit, body_start = dateline
            result.credits.append(credit)
            remove("credit:dateline", line[:body_start].rstrip())
            line = line[body_start:]
        if (rule := match_line_rule(line)) is not None:
            remove(rule, line)
            continue
        if len(line) <= MAX_REPEATED_LINE_CHARS:
            key = line_key(line)
            result.line_keys.add(key)
            if key in repeated:
                remove("repeated-in-outlet", line)
                continue
        seen_body = True
        out.append(line)
        pos += len(line) + 1
    result.text = "\n".join(out)
    return result
