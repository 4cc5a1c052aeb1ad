"""Sentence segmentation with character offsets into the cleaned text.

The cleaned text holds one paragraph per line, so a headline or sub-heading
without a final stop is its own line and never swallows the next sentence.
Within a line, sentencex (a fast rule-based segmenter with abbreviation and
quotation handling for many languages) finds the boundaries, called with the
article's language, and ``rejoin`` undoes the breaks its abbreviation lists miss.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sentencex import get_sentence_boundaries

from newstrace.model import Embed, Sentence, SentenceKind
from newstrace.nlp.rejoin import rejoin

_TERMINAL = re.compile(r"[.!?…:;\"”’'»)\]]\s*$")
_MAX_HEADING_WORDS = 14
_SUPPORTED = frozenset((
    "en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "tr", "ar", "uk", "sv", "da", "no",
    "fi", "cs", "sk", "sl", "hr", "sr", "bg", "ro", "hu", "el", "ca", "eu", "gl", "et", "lv",
    "lt", "zh", "ja", "ko", "hi", "bn", "fa", "he", "id", "ms", "vi", "th",
))


def _is_heading(line: str) -> bool:
    return len(line.split()) <= _MAX_HEADING_WORDS and not _TERMINAL.search(line)


def split_sentences(
    text: str, language: str | None = None, embeds: Sequence[Embed] = ()
) -> list[Sentence]:
    """Sentences of ``text`` in order, each with tight offsets (no outer spaces)."""
    lang = (language or "en").split("-")[0].lower()
    if lang not in _SUPPORTED:
        lang = "en"
    sentences: list[Sentence] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        kind: SentenceKind = "body"
        if any(e.start <= line_start and line_end <= e.end for e in embeds):
            kind = "embed"
        elif _is_heading(line):
            kind = "heading"
        if kind == "heading":
            bounds = [(0, len(line))]
        else:
            bounds = rejoin(line, [(b["start_index"], b["end_index"])
                                   for b in get_sentence_boundaries(lang, line)], lang)
        for b_start, b_end in bounds:
            piece = line[b_start:b_end]
            stripped = piece.strip()
            if not stripped:
                continue
            start = line_start + b_start + (len(piece) - len(piece.lstrip()))
            sentences.append(Sentence(start, start + len(stripped), stripped, kind))
        line_start = line_end + 1
    return sentences
