"""Embedded social-media posts.

A scraped page keeps an embedded post as its text plus a signature line such as
``— Display Name (@handle) March 9, 2026``. The post is content (often material
from a third source a rewrite added), so it stays in the text, marked as an
embed with its author and date; the signature line becomes that metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.clean.dates import parse_date

_TWEET_SIGNATURE = re.compile(
    r"^[—–-]{1,2}\s*(?P<author>[^()\n]{1,80}?)\s*\(@(?P<handle>[A-Za-z0-9_]{1,30})\)\s*"
    r"(?P<date>[A-Z][a-z]{2,9}\.?\s+\d{1,2},\s+\d{4})\s*$"
)
_INSTAGRAM_SIGNATURE = re.compile(
    r"^A post shared by (?P<author>[^()\n]{1,80}?)\s*\(@(?P<handle>[A-Za-z0-9_.]{1,30})\)"
    r"(?:\s+on\s+(?P<date>.+))?$"
)
_POST_LINK = re.compile(r"\b(?:https?://)?(?:pic\.twitter\.com|t\.co|x\.com|twitter\.com)/\S+")


@dataclass(frozen=True, slots=True)
class EmbedSignature:
    platform: str
    author: str | None
    handle: str | None
    date: str | None


def parse_embed_signature(line: str) -> EmbedSignature | None:
    if m := _TWEET_SIGNATURE.match(line):
        return EmbedSignature("twitter", m.group("author").strip(), m.group("handle"),
                              parse_date(m.group("date")))
    if m := _INSTAGRAM_SIGNATURE.match(line):
        date = parse_date(m.group("date")) if m.group("date") else None
        return EmbedSignature("instagram", m.group("author").strip(), m.group("handle"), date)
    return None


def post_link(text: str) -> str | None:
    """The link to the post (or its picture) inside an embed's text, if any."""
    m = _POST_LINK.search(text)
    if not m:
        return None
    link = m.group(0).rstrip(".,)")
    return link if "://" in link else "https://" + link
