"""Clause-sized pieces of long sentences.

Wire copy packs several facts into one sentence ("…, the ministry said,
adding that …"); a rewrite often restates one clause as a sentence of its own.
Scoring a rewritten sentence against the clause it restates, not the whole
diluted sentence, is what lets the aligner see such splits.
"""

from __future__ import annotations

import re
from itertools import pairwise

_BOUNDARY = re.compile(r"\s*(?:[;:]|,|\s[—–]\s)\s+")
#: Pieces shorter than this are fragments ("he said"), not facts.
MIN_CLAUSE_WORDS = 5
#: Only sentences at least this long are cut up.
MIN_SENTENCE_WORDS = 16


def clauses(sentence: str) -> list[str]:
    """Clause pieces of a long sentence, and each pair of neighbours joined.

    Returns nothing for short sentences: they are one fact already.
    """
    if len(sentence.split()) < MIN_SENTENCE_WORDS:
        return []
    pieces: list[str] = []
    for piece in _BOUNDARY.split(sentence):
        piece = piece.strip(" ,;:")
        if not piece:
            continue
        if pieces and len(pieces[-1].split()) < MIN_CLAUSE_WORDS:
            pieces[-1] = f"{pieces[-1]}, {piece}"
        else:
            pieces.append(piece)
    if pieces and len(pieces[-1].split()) < MIN_CLAUSE_WORDS and len(pieces) > 1:
        tail = pieces.pop()
        pieces[-1] = f"{pieces[-1]}, {tail}"
    if len(pieces) < 2:
        return []
    joined = [f"{x}, {y}" for x, y in pairwise(pieces)] \
        if len(pieces) > 2 else []
    return pieces + joined
