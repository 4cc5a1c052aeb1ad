"""Line rules for scraper boilerplate.

Each rule names what it removes, so every removal can be shown to a user. Rules
other than read-more teasers only fire on short lines: a rule that could eat a
body sentence is worse than a teaser left in, because later stages align
sentences and a lost sentence is lost evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]
    max_words: int


def _rule(name: str, pattern: str, max_words: int, flags: int = 0) -> LineRule:
    return LineRule(name, re.compile(pattern, flags), max_words)


_I = re.IGNORECASE

LINE_RULES: tuple[LineRule, ...] = (
    _rule(
        "read-more",
        r"^(?:read more|read also|also read|more on this|related(?: stories| articles)?|"
        r"see also|recommended|more from .{1,30}|watch|listen)\s*[:|–—-]\s*\S.*$|^read more\W*$",
        40,
        _I,
    ),
    _rule(
        "register-prompt",
        r"^(?:register now|register for free|subscribe(?: now| today| for free)?|"
        r"sign up(?: now| today| here)?|sign up (?:for|to) (?:our|the) .*|"
        r"subscribe to (?:our|the) .*|join (?:us|our) .*(?:newsletter|channel|community).*|"
        r"get (?:our|the) .*newsletter.*|already (?:a subscriber|have an account)\??.*|"
        r"log ?in|sign in|create (?:a free )?account|become a (?:member|subscriber).*|"
        r"support (?:our|independent) journalism.*|donate(?: now)?)\W*$",
        14,
        _I,
    ),
    _rule(
        "photo-credit",
        r"^(?:file photo|photo|photograph|image|picture|pictured|credit|caption|illustration)"
        r"s?\b\s*(?:[.:|/©-]|by\b).*$",
        25,
        _I,
    ),
    _rule(
        "copyright",
        r"^(?:©|\(c\)|copyright\b).*$|^.*\ball rights reserved\b.*$",
        30,
        _I,
    ),
    _rule("photo-credit", r"^.*©.*$", 15),
    _rule(
        "navigation",
        r"^(?:back to .{1,40}|share(?: this)?(?: article| story| post| page)?(?: on .{1,20})?|"
        r"advertisement|sponsored(?: content)?|skip to (?:main )?content|home|menu|"
        r"top stories|most read|trending(?: now)?|print(?: this)?(?: article)?|e-?mail|tweet|"
        r"comments?(?: \(\d+\))?|click here.*|next article|previous article|"
        r"continue reading.*|show comments|follow us.*|tags?:.*|topics?:.*|"
        r"scroll (?:down|to continue).*|open in app)\W*$",
        10,
        _I,
    ),
    _rule("loader", r"^(?:loading|please wait)[\s.…]*(?:please wait)?[\s.…]*$", 6, _I),
    _rule(
        "cookie-notice",
        r"^(?=.*\bcookies?\b)(?=.*\b(?:accept|consent|privacy|policy|settings)\b).*$",
        45,
        _I,
    ),
)

_HAS_TEXT = re.compile(r"\w")


def match_line_rule(line: str) -> str | None:
    """The name of the first rule that removes this line, or None to keep it."""
    if not _HAS_TEXT.search(line):
        return "no-text"
    words = line.count(" ") + 1
    for rule in LINE_RULES:
        if words <= rule.max_words and rule.pattern.match(line):
            return rule.name
    return None
