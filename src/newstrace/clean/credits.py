"""Credit and source lines: metadata written into the body by outlets and scrapers.

``(Source: outlet; date; url)`` notes, wire sign-offs (``— Northwire``) and
datelines (``CITY (Agency) —``) say who wrote the text. They are taken out of the
body so they do not pass for reused sentences, and kept as ``Credit`` records
because a credit line is the strongest evidence of who a text came from.
"""

from __future__ import annotations

import re

from newstrace.clean.dates import parse_date
from newstrace.model import Credit

_SOURCE_NOTE = re.compile(
    r"^\(?\s*(?:source|via|courtesy(?: of)?)\s*:\s*(?P<body>[^()]{2,300}?)\s*\)?\s*$", re.I
)
_SIGNOFF = re.compile(
    r"^[—–-]{1,2}\s*(?P<outlet>[A-Z][\w&'’ -]{0,38}?(?:[A-Z]\.)*)\s*$"
)
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.\- ]{1,40}(?:,\s*[A-Z][A-Za-z.\- ]{1,30})?)"
    # "March 12", or day first as most languages write it: "12 mars", "12. März"
    r"(?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\.?\s+[^\W\d_]{3,10}\.?))?"
    r"\s*\((?P<agency>[A-Z][\w&.'’ -]{1,40})\)\s*[—–-]{1,2}\s+(?=\S)"
)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)


def parse_source_note(line: str) -> Credit | None:
    """``(Source: example.org; March 14, 2026; https://…)`` → outlet, date and URL."""
    m = _SOURCE_NOTE.match(line)
    if not m:
        return None
    outlet = date = url = None
    for part in re.split(r"\s*[;|]\s*", m.group("body")):
        part = part.strip().rstrip(".")
        if not part:
            continue
        if url is None and _URL.match(part):
            url = part if "://" in part else "https://" + part
        elif date is None and (parsed := parse_date(part)):
            date = parsed
        elif outlet is None and len(part.split()) <= 6:
            outlet = part
    if outlet is None and url is None:
        return None
    return Credit(kind="source-note", text=line, outlet=outlet, date=date, url=url)


def parse_signoff(line: str) -> Credit | None:
    """``— Northwire`` at the end of a wire copy names the agency."""
    m = _SIGNOFF.match(line)
    if not m or len(m.group("outlet").split()) > 5:
        return None
    return Credit(kind="signoff", text=line, outlet=m.group("outlet").strip())


def parse_dateline(line: str) -> tuple[Credit, int] | None:
    """``HARBOURTON (Northwire) — The …`` → the credit and where the body starts."""
    m = _DATELINE.match(line)
    if not m:
        return None
    place = m.group("place").strip().rstrip(",")
    credit = Credit(
        kind="dateline",
        text=line[: m.end()].rstrip(),
        outlet=m.group("agency").strip(),
        place=place.title() if place.isupper() else place,
    )
    return credit, m.end()
