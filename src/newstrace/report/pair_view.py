"""The side-by-side pair view as plain data, shared by the HTML report and the web app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newstrace.model import Article, PairResult


@dataclass(slots=True)
class SentenceView:
    kind: str  # verbatim | paraphrase | added | dropped | plain
    links: list[str]
    segments: list[tuple[str, bool]]  # (text, inside a verbatim passage)
    score: float | None = None
    embed: bool = False  # part of an embedded post (a third source's words)
    changes: list[str] = field(default_factory=list)  # change kinds on this sentence


@dataclass(slots=True)
class SideView:
    role: str  # origin | derived
    article: Article
    paragraphs: list[list[SentenceView]] = field(default_factory=list)


def _segments(text: str, start: int, end: int,
              marks: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    pos = start
    for m0, m1 in marks:
        if m1 <= pos or m0 >= end:
            continue
        m0, m1 = max(m0, pos), min(m1, end)
        if m0 > pos:
            out.append((text[pos:m0], False))
        out.append((text[m0:m1], True))
        pos = m1
    if pos < end:
        out.append((text[pos:end], False))
    return out


def _side(article: Article, role: str, kinds: dict[int, tuple[str, list[str], float | None]],
          marks: list[tuple[int, int]], changes: dict[int, list[str]] | None = None
          ) -> SideView:
    view = SideView(role, article)
    line_starts = [0]
    for k, ch in enumerate(article.text):
        if ch == "\n":
            line_starts.append(k + 1)
    paragraph_of = 0
    current: list[SentenceView] = []
    for i, s in enumerate(article.sentences):
        while paragraph_of + 1 < len(line_starts) and s.start >= line_starts[paragraph_of + 1]:
            if current:
                view.paragraphs.append(current)
                current = []
            paragraph_of += 1
        kind, links, score = kinds.get(i, ("plain", [], None))
        current.append(SentenceView(kind, links, _segments(article.text, s.start, s.end, marks),
                                    score, s.kind == "embed", (changes or {}).get(i, [])))
    if current:
        view.paragraphs.append(current)
    return view


def changes_by_sentence(result: PairResult, derived: Article) -> dict[int, list[str]]:
    """Change kinds keyed by the derived sentence they were found in."""
    out: dict[int, list[str]] = {}
    for change in result.changes:
        for i, s in enumerate(derived.sentences):
            if s.start <= change.derived.start < max(s.end, s.start + 1) or (
                    change.derived.start <= s.start < change.derived.end):
                kinds = out.setdefault(i, [])
                if change.kind not in kinds:
                    kinds.append(change.kind)
                break
    return out


def pair_view(result: PairResult) -> dict[str, Any]:
    """Origin and derived sides with each sentence's role and the links between them."""
    if result.origin == "b":
        origin, derived = result.b, result.a
    else:
        origin, derived = result.a, result.b
    origin_kinds: dict[int, tuple[str, list[str], float | None]] = {}
    derived_kinds: dict[int, tuple[str, list[str], float | None]] = {}
    for k, al in enumerate(result.alignments):
        link = f"L{k}"
        derived_kinds[al.derived_index] = (al.kind, [link], al.score)
        for j in al.origin_indices:
            prev_kind, prev_links, prev_score = origin_kinds.get(j, (al.kind, [], al.score))
            kind = "verbatim" if "verbatim" in (prev_kind, al.kind) else "paraphrase"
            origin_kinds[j] = (kind, [*prev_links, link], prev_score)
    dropped = {(s.start, s.end) for s in result.dropped}
    added = {(s.start, s.end) for s in result.added}
    for j, s in enumerate(origin.sentences):
        if (s.start, s.end) in dropped:
            origin_kinds[j] = ("dropped", [], None)
    for i, s in enumerate(derived.sentences):
        if (s.start, s.end) in added:
            derived_kinds[i] = ("added", [], None)
    origin_marks = sorted((o.start, o.end) for o, _ in result.passages)
    derived_marks = sorted((d.start, d.end) for _, d in result.passages)
    return {
        "origin": _side(origin, "origin", origin_kinds, origin_marks),
        "derived": _side(derived, "derived", derived_kinds, derived_marks,
                         changes_by_sentence(result, derived)),
        "has_direction": result.origin is not None,
    }
