"""Text normalisation applied before any rule looks at the text.

Scrapes mix line-ending styles, non-breaking and zero-width spaces and stray
control characters; they break regexes and make equal lines look different.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000\x0b\x0c]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def normalize_text(raw: str) -> str:
    """NFC, one kind of newline, one kind of space, no invisible characters."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n")
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text)


def line_key(line: str) -> int:
    """A compact key under which equal-looking lines of one outlet are counted."""
    folded = " ".join(line.casefold().split())
    return hash_text(folded)


def hash_text(text: str) -> int:
    """A stable 63-bit hash (Python's hash() is salted per process)."""
    import hashlib

    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1
