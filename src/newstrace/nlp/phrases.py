"""Noun phrases of a parsed sentence, as the units a rewrite rewords.

A rewrite that tones a claim down rarely touches the verbs; it swaps the thing
named ("the annexed provinces" → "the area"). The parser's noun chunks are the
natural unit, widened by one attached prepositional phrase ("the facilities at
the port", "the detention of journalists"), since the chunk alone would cut
such a phrase in two. Pronouns and bare names are left out: a name that changes
is a different speaker or source, which other checks report.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import suppress
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.cache import cache_dir

#: A widened phrase longer than this many tokens is more than one idea.
MAX_TOKENS = 8
_QUOTES = frozenset("“”\"‘’«»")
WORD = re.compile(r"[^\W\d_][\w’'-]*")


def bare(word: str) -> str:
    """Lower case without a possessive ending ("city's" is "city")."""
    low = word.lower()
    return low[:-2] if low.endswith(("'s", "’s")) else low


#: Longer words are not in the table; they are rare (Zipf 0) for this purpose.
_MAX_BYTES = 32
_TABLE: tuple[np.ndarray, np.ndarray] | None = None
_TABLE_LOCK = threading.Lock()


def zipf(word: str) -> float:
    """How common a word is in English (0 = unknown, 7+ = "the"), from ``wordfreq``."""
    found = _lookup(word)
    if found is not None:
        return found
    parts = [p for p in _JOINERS.split(word) if p]
    if len(parts) < 2:
        return 0.0
    # as wordfreq does for "long-term": the parts' frequencies combine like
    # resistances in parallel (Zipf = log10 of frequency per billion words)
    per_billion = [10 ** z for z in map(_lookup, parts) if z]
    if len(per_billion) < len(parts):
        return 0.0
    return round(float(np.log10(1 / sum(1 / f for f in per_billion))), 2)


_JOINERS = re.compile(r"[-'’]")


def _lookup(word: str) -> float | None:
    words, values = _table()
    key = word.encode("utf-8")
    if len(key) > _MAX_BYTES:
        return None
    at = int(np.searchsorted(words, key))
    return round(float(values[at]), 2) if at < len(words) and words[at] == key else None


def _table() -> tuple[np.ndarray, np.ndarray]:
    global _TABLE
    with _TABLE_LOCK:
        if _TABLE is None:
            _TABLE = _load_table()
        return _TABLE


def _load_table() -> tuple[np.ndarray, np.ndarray]:
    """wordfreq's English list as two sorted arrays, unpacked once into the cache.

    Importing wordfreq and reading its list is 0.2 s of pure Python, a tenth of
    a cold ``compare``; the arrays (named by the package's version) memory-map
    in a millisecond and answer by binary search.
    """
    folder = cache_dir() / f"wordfreq-en-{version('wordfreq')}"
    try:
        return (np.load(folder / "words.npy", mmap_mode="r"),
                np.load(folder / "zipf.npy", mmap_mode="r"))
    except (OSError, ValueError):
        return _unpack(folder)


def _unpack(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    from wordfreq import get_frequency_dict, zipf_frequency

    keys = sorted(w.encode("utf-8") for w in get_frequency_dict("en")
                  if len(w.encode("utf-8")) <= _MAX_BYTES)
    words = np.array(keys, dtype=f"S{_MAX_BYTES}")
    values = np.array([zipf_frequency(k.decode("utf-8"), "en") for k in keys],
                      dtype=np.float32)
    with suppress(OSError):  # a read-only cache only costs the 0.2 s again
        partial = folder.with_name(f"{folder.name}.{os.getpid()}.partial")
        partial.mkdir(parents=True, exist_ok=True)
        np.save(partial / "words.npy", words)
        np.save(partial / "zipf.npy", values)
        partial.rename(folder)
    return words, values


def warm_up() -> None:
    """Map the word list in the background, beside the embedder's work."""
    threading.Thread(target=_table, name="newstrace-wordfreq", daemon=True).start()


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
            start += 1  # "namely the blockade" names the blockade
        span = doc[start:end]
        out.append((offset + span.start_char, offset + span.end_char))
    return out
