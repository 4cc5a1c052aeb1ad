"""Noun phrases of a parsed sentence, as the units a rewrite rewords.

A rewrite that tones a claim down rarely touches the verbs; it swaps the thing
named ("the annexed provinces" → "the area"). The parser's noun chunks are the
natural unit, widened by one attached prepositional phrase ("the situation on
the ground", "the root causes of the crisis"), since the chunk alone would cut
such a phrase in two. Pronouns and bare names are left out: a name that changes
is a different speaker or source, which other checks report.
"""

from __future__ import annotations

from typing import Any

#: A widened phrase longer than this many tokens is more than one idea.
MAX_TOKENS = 8
_QUOTES = frozenset("“”\"‘’«»")


def noun_phrases(doc: Any, offset: int) -> list[tuple[int, int]]:
    """Character spans (article offsets) of the sentence's noun phrases."""
    out: list[tuple[int, int]] = []
    for chunk in doc.noun_chunks:
        root = chunk.root
        if root.pos_ in ("PRON", "PROPN"):
            continue
        end = chunk.end
        for child in root.rights:
            if child.dep_ == "prep" and child.i == end and child.right_edge.i + 1 - chunk.start \
                    <= MAX_TOKENS:
                end = child.right_edge.i + 1
                break
        start = chunk.start
        # a quotation mark opens or closes a quote the phrase only straddles
        for tok in doc[chunk.start:end]:
            if tok.text in _QUOTES:
                if tok.i < root.i:
                    start = tok.i + 1
                else:
                    end = tok.i
                    break
        while start < root.i and doc[start].pos_ in ("ADV", "PUNCT", "CCONJ"):
            start += 1  # "namely the escalation" names the escalation
        span = doc[start:end]
        out.append((offset + span.start_char, offset + span.end_char))
    return out
