"""Text normalisation applied before any rule looks at the text.

Scrapes mix line-ending styles, non-breaking and zero-width spaces and stray
control characters; they break regexes and make equal lines look different.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f"
_ODD_SPACES = "\t\u00a0\u2000-\u200a\u202f\u205f\u3000\x0b\x0c"
_ODD = re.compile(f"[{_INVISIBLE}{_ODD_SPACES}\r\u2028\u2029]")
_TABLE = {
    **{c: None for c in range(0x20) if chr(c) not in "\t\n\x0b\x0c\r"},
    **{ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad\x7f"},
    **{ord(c): " " for c in "\t\u00a0\u202f\u205f\u3000\x0b\x0c"},
    **{c: " " for c in range(0x2000, 0x200B)},
    **{ord(c): "\n" for c in "\u2028\u2029"},
}
_MULTI_SPACE = re.compile(r" {2,}")


def normalize_text(raw: str) -> str:
    """NFC, one kind of newline, one kind of space, no invisible characters.

    The common case (plain NFC text with nothing odd in it) is detected first
    and costs two scans in C.
    """
    text = raw
    if _ODD.search(text):
        text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TABLE)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    return text


def line_key(line: str) -> int:
    """A compact key under which equal-looking lines of one outlet are counted."""
    folded = " ".join(line.casefold().split())
    return hash_text(folded)


def hash_text(text: str) -> int:
    """A stable 63-bit hash (Python's hash() is salted per process)."""
    import hashlib

    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1
