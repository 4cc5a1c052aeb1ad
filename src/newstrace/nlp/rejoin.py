"""Undo sentence breaks that a segmenter's abbreviation lists miss.

sentencex knows the common abbreviations of each language, but news text has
more: French "M. Dupont", German dates "am 3. Mai", Dutch "o.a.", Polish "m.in."
and Russian "т.е." followed by a lower-case word. Three rules, each of which
holds in edited news prose in every cased language:

* a sentence never starts with a lower-case word (a link or a handle aside),
  so a break before one is an abbreviation's full stop;
* a title before a name ends no sentence (French "M." for Monsieur; initials
  after a first name sentencex already keeps);
* in German, Dutch, Danish, Norwegian, Finnish, Turkish and the other languages
  that write ordinals as "3.", a number with a stop before a month name is a date.
"""

from __future__ import annotations

import re

#: Titles a segmenter takes for a sentence end (French "M." for Monsieur).
_TITLES: dict[str, frozenset[str]] = {"fr": frozenset(("M.", "MM.", "Me.", "Mgr."))}
#: "pic.twitter.com/…", "example.org" or "@handle" may start a line's next piece
_LINKISH = re.compile(r"\w\.\w|/|@")
_ORDINAL = re.compile(r"(?:^|\s)\d{1,2}\.$")
#: Month names of the languages whose dates read "3. Mai" (lower-case; prefixes
#: are enough since every form of the name begins with them).
_MONTHS: dict[str, tuple[str, ...]] = {
    "de": ("januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august",
           "september", "oktober", "november", "dezember"),
    "tr": ("ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos", "eylül",
           "ekim", "kasım", "aralık"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
           "oktober", "november", "december"),
    "no": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "desember"),
    "fi": ("tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta",
           "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"),
    "cs": ("ledna", "února", "března", "dubna", "května", "června", "července", "srpna", "září",
           "října", "listopadu", "prosince"),
    "hu": ("január", "február", "március", "április", "május", "június", "július", "augusztus",
           "szeptember", "október", "november", "december"),
}


def _first_letter(text: str) -> str:
    for ch in text:
        if ch.isalpha():
            return ch
        if not (ch.isspace() or ch in "\"'„“«‹([—–-"):
            return ""
    return ""


def _joins(before: str, after: str, language: str) -> bool:
    """Whether the break between ``before`` and ``after`` is not a sentence end."""
    head = before.rstrip()
    if not head.endswith("."):
        return False
    first = _first_letter(after)
    word = after.split(maxsplit=1)[0] if after.strip() else ""
    if first and first.islower() and not _LINKISH.search(word):
        return True
    if head.split()[-1] in _TITLES.get(language, ()):
        return True
    months = _MONTHS.get(language)
    if months and _ORDINAL.search(head):
        return word.lower().startswith(months)
    return False


def rejoin(line: str, bounds: list[tuple[int, int]], language: str) -> list[tuple[int, int]]:
    """``bounds`` (start, end offsets into ``line``) with the false breaks merged."""
    out: list[tuple[int, int]] = []
    for start, end in bounds:
        if out and _joins(line[out[-1][0]:out[-1][1]], line[start:end], language):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
