"""Language identification for articles and their paragraphs, offline.

py3langid (a maintained fork of langid.py; a 4.5 MB naive Bayes model over byte
n-grams inside the registry package) was chosen over lingua-language-detector:
on 420 news sentences of seven languages (SemEval-2022 task 8) both scored
0.993 with all their languages enabled, but py3langid loads in 0.5 s (from an
unpacked copy, milliseconds) against
11 s, takes 1/20 of the memory and classifies 10,000 sentences a second against
600. Lingua is better on fragments under 40 characters (0.92 against 0.87), so
text shorter than a sentence is not judged here at all: its language stays
unknown and the article's language (or English) applies.
"""

from __future__ import annotations

import io
import lzma
import os
import threading
from array import array
from contextlib import suppress
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.cache import cache_dir

#: Fewer letters than this say too little about the language to be trusted.
MIN_LETTERS = 40
#: A guess below this probability is no guess (mixed or odd text).
MIN_CONFIDENCE = 0.80
#: A paragraph must be this long to be judged on its own.
MIN_PARAGRAPH_LETTERS = 60
#: Regional and macro-language labels the model has, folded into the language
#: code everything downstream (sentence splitting, attribution) knows.
_ALIASES = {"arz": "ar", "nb": "no", "nn": "no", "zh-tw": "zh", "zh-cn": "zh"}

_IDENTIFIER: Any = None
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Guess:
    language: str
    confidence: float


def _identifier() -> Any:
    """The model, loaded once per process on first use."""
    global _IDENTIFIER
    with _LOCK:
        if _IDENTIFIER is None:
            _IDENTIFIER = _load()
        return _IDENTIFIER


def _load() -> Any:
    """The packaged model, read from an unpacked copy in the cache when there is one.

    The package ships it LZMA-compressed, and decompressing takes half a second
    of every cold ``compare``; the unpacked arrays (68 MB, made once, named by
    the package's version and the file's size) load in a few milliseconds,
    the big ones memory-mapped.
    """
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    source = Path(MODEL_DIR) / MODEL_FILE
    unpacked = cache_dir() / f"langid-{version('py3langid')}-{source.stat().st_size}"
    try:
        arrays = {name: np.load(unpacked / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    except (OSError, ValueError):
        arrays = _unpack(source, unpacked)
    # the feature table as float32 in memory (57 MB): py3langid multiplies rows of it per
    # paragraph, and rows of the float16 memory map cost 90 µs a call against 37 µs;
    # the scores are the same to the bit (numpy widens float16 to float32 either way)
    return LanguageIdentifier(np.asarray(arrays["ptc"], dtype=np.float32),
                              np.asarray(arrays["pc"]),
                              np.asarray(arrays["classes"]).tolist(),
                              _stdlib_array(arrays["nextmove"]), arrays["out_feat"].tolist(),
                              norm_probs=True, tk_row=_stdlib_array(arrays["nextmove_row"]))


_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def _unpack(source: Path, unpacked: Path) -> dict[str, np.ndarray]:
    with lzma.open(source) as packed, np.load(io.BytesIO(packed.read())) as data:
        arrays = {name: data[name] for name in _ARRAYS}
    with suppress(OSError):  # a read-only cache only costs the half second again
        partial = unpacked.with_name(f"{unpacked.name}.{os.getpid()}.partial")
        partial.mkdir(parents=True, exist_ok=True)
        for name, array in arrays.items():
            np.save(partial / f"{name}.npy", array)
        partial.rename(unpacked)
    return arrays


def _stdlib_array(values: np.ndarray) -> array:
    """The DFA tables as the stdlib arrays py3langid indexes byte by byte."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out


def warm_up() -> None:
    """Start loading the model in the background, beside the embedder's load."""
    threading.Thread(target=_identifier, name="newstrace-langid", daemon=True).start()


def _has_letters(text: str, wanted: int) -> bool:
    """At least ``wanted`` letters (counting stops early: paragraphs are mostly words)."""
    if len(text) < wanted:
        return False
    head = sum(map(str.isalpha, text[: 2 * wanted]))
    return head >= wanted or head + sum(map(str.isalpha, text[2 * wanted :])) >= wanted


def detect(text: str, min_letters: int = MIN_LETTERS) -> Guess | None:
    """The language of ``text`` (ISO 639-1 where one exists), or None when unsure."""
    if not _has_letters(text, min_letters):
        return None
    language, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return None
    return Guess(_ALIASES.get(language, language), float(confidence))


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int
    end: int
    guess: Guess


#: A paragraph is judged from its first this many characters (cut at a space) and read
#: whole only when they leave the model unsure. py3langid walks every byte in Python, and
#: this walk was most of the cost of ingest. On 4,896 news paragraphs in eight languages
#: (BBC, SemEval-2022, the cross-language dev set) the cut never changed a language; 8
#: fell below the confidence floor, and are read whole (``bench/RESULTS.md``).
JUDGE_CHARS = 300


def _head(line: str) -> str:
    if len(line) <= JUDGE_CHARS:
        return line
    space = line.rfind(" ", 0, JUDGE_CHARS)
    return line[: space if space > JUDGE_CHARS // 2 else JUDGE_CHARS]


def paragraph_language(line: str) -> Guess | None:
    """The language of one paragraph, from its head when that is clear enough."""
    guess = detect(_head(line), MIN_PARAGRAPH_LETTERS)
    if guess is None and len(line) > JUDGE_CHARS:
        guess = detect(line, MIN_PARAGRAPH_LETTERS)
    return guess


def paragraphs(text: str) -> list[Paragraph]:
    """The language of each paragraph (line of cleaned text) long enough to judge."""
    out: list[Paragraph] = []
    start = 0
    for line in text.split("\n"):
        guess = paragraph_language(line)
        if guess is not None:
            out.append(Paragraph(start, start + len(line), guess))
        start += len(line) + 1
    return out


def article_language(text: str, parts: list[Paragraph]) -> str | None:
    """The whole text's language; when that is unsure, the one most of its paragraphs share.

    A half-translated page scores low as a whole, but its paragraphs are each clear.
    When every paragraph judged is clearly one language and together they are most
    of the text, that is the text's language, and the whole is not read again (half
    the cost of identification at ingest).
    """
    found = {p.guess.language for p in parts}
    if len(found) == 1 and 2 * sum(p.end - p.start for p in parts) >= len(text):
        return found.pop()
    guess = detect(text)
    if guess is not None:
        return guess.language
    letters: dict[str, int] = {}
    for p in parts:
        letters[p.guess.language] = letters.get(p.guess.language, 0) + p.end - p.start
    return max(letters, key=lambda k: letters[k]) if letters else None


def mixed_paragraphs(parts: list[Paragraph], language: str | None) -> list[dict[str, Any]]:
    """Paragraphs in a language other than the article's.

    Quoted foreign passages, a bilingual press release or a pasted original are
    worth flagging: each is ``{"start", "end", "language", "confidence"}`` with
    character offsets into the cleaned text. Short lines are never judged.
    """
    main = (language or "en").split("-")[0]
    return [{"start": p.start, "end": p.end, "language": p.guess.language,
             "confidence": round(p.guess.confidence, 3)}
            for p in parts if p.guess.language != main]
