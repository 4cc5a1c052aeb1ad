"""Bytes to text for inputs of unknown, wrong or mixed encoding.

Scraped files arrive as UTF-8, cp1252, UTF-16 with a BOM, or UTF-8 with a few
cp1252 bytes pasted in. Decoding is UTF-8 first; a byte that is not valid UTF-8 is
read as cp1252 (latin-1 for its five holes) on its own, so one bad byte never
turns a whole file into mojibake or an error.
"""

from __future__ import annotations

import codecs

FALLBACK_ERRORS = "newstrace-cp1252"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x7fELF",
                 b"MZ", b"\x00\x00\x01\x00", b"SQLite format 3")


_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    return bad.decode("cp1252", errors="replace").replace("\ufffd", "") or bad.decode(
        "latin-1"
    ), err.end


codecs.register_error(FALLBACK_ERRORS, _cp1252_fallback)


def sniff_encoding(head: bytes) -> str:
    """The codec to read a stream whose first bytes are ``head``."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if len(head) >= 4:
        even, odd = head[0:200:2], head[1:200:2]
        if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.1:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.1:
            return "utf-16-be"
    return "utf-8"


def looks_binary(head: bytes) -> bool:
    """True for data that is not text in any encoding we read."""
    if head.startswith(_BINARY_MAGIC):
        return True
    if sniff_encoding(head) != "utf-8":
        return False
    sample = head[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) * 0.05


def decode_bytes(data: bytes) -> str:
    encoding = sniff_encoding(data[:512])
    errors = FALLBACK_ERRORS if encoding.startswith("utf-8") else "replace"
    return data.decode(encoding, errors=errors)
