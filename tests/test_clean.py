"""Cleaning: boilerplate rules, credit lines, embeds, and never losing a body line."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.clean import clean_text
from newstrace.clean.credits import parse_dateline, parse_signoff, parse_source_note
from newstrace.clean.rules import match_line_rule
from newstrace.io import ReadOptions
from newstrace.io.text import read_text_file
from newstrace.model import Article
from newstrace.prepare import prepare
from tests.conftest import seed


def _read_seed(prefix: str) -> Article:
    items = list(read_text_file(seed(prefix), ReadOptions()))
    assert len(items) == 1 and isinstance(items[0], Article)
    article, _ = prepare(items[0])
    return article


def _body_lines(path: Path, boilerplate: set[str]) -> list[str]:
    folded = {" ".join(b.split()) for b in boilerplate}
    lines = [" ".join(ln.split()) for ln in path.read_text(encoding="utf-8").splitlines()]
    return [ln for ln in lines[1:] if ln and ln not in folded]


SEED_BOILERPLATE = {
    "FILE PHOTO. ©  Sputnik / The Russian preidency's press service",
    "READ MORE: EU must prepare to talk to Russia – Macron",
    "REGISTER NOW",
    "(Source: rt.com; July 1, 2025; https://v.gd/pSrr7n)",
    "Back to INF",
    "Loading please wait...",
}


def test_seed_origin_loses_boilerplate_and_keeps_every_body_line() -> None:
    article = _read_seed("000")
    for line in SEED_BOILERPLATE:
        assert " ".join(line.split()) not in article.text
    kept = article.text.split("\n")
    body = _body_lines(seed("000"), SEED_BOILERPLATE)
    assert body, "the seed has body lines"
    assert kept == body
    assert {r.rule for r in article.removals} >= {"photo-credit", "read-more", "register-prompt",
                                                   "navigation", "loader", "credit:source-note"}


def test_seed_origin_metadata_comes_from_its_credit_line() -> None:
    article = _read_seed("000")
    assert article.outlet == "rt.com"
    assert article.published == "2025-07-01"
    assert article.url == "https://v.gd/pSrr7n"
    assert article.title is not None and article.title.endswith("Kremlin")
    assert "– Kremlin" not in article.text.split("\n")[0]  # the title is not body text


def test_seed_rewrite_keeps_the_tweet_as_an_embed() -> None:
    article = _read_seed("003")
    assert len(article.embeds) == 1
    embed = article.embeds[0]
    assert embed.handle == "airnewsalerts"
    assert embed.date == "2025-07-02"
    assert embed.platform == "twitter"
    embedded = article.text[embed.start : embed.end]
    assert "pic.twitter.com" in embedded and embedded in article.text
    assert "(@airnewsalerts)" not in article.text  # the signature became metadata
    kinds = {s.kind for s in article.sentences if embed.start <= s.start < embed.end}
    assert kinds == {"embed"}
    # the rewrite's sub-headings stay, as headings
    assert any(s.kind == "heading" for s in article.sentences)


def test_source_note_variants() -> None:
    c = parse_source_note("(Source: northwire.example; March 14, 2026; https://nw.example/x)")
    assert c is not None and (c.outlet, c.date, c.url) == (
        "northwire.example", "2026-03-14", "https://nw.example/x")
    c = parse_source_note("Source: The Daily Item")
    assert c is not None and c.outlet == "The Daily Item" and c.date is None
    assert parse_source_note("The source said the plan was dead.") is None


def test_signoff_and_dateline() -> None:
    assert parse_signoff("— Northwire") is not None
    assert parse_signoff("— The Associated Press") is not None
    assert parse_signoff("- He left the room.") is None
    dl = parse_dateline("HARBOURTON, March 14 (Northwire) — Engineers opened the gates.")
    assert dl is not None
    credit, start = dl
    assert credit.outlet == "Northwire" and credit.place == "Harbourton"
    assert "HARBOURTON, March 14 (Northwire) — Engineers"[start:] == "Engineers"
    assert parse_dateline("The UN (United Nations) — a body") is None


def test_dateline_prefix_is_removed_but_the_sentence_stays() -> None:
    cleaned = clean_text("Title line\n\nLONDON (Northwire) — The bank raised rates on Monday.",
                         title="Title line")
    assert cleaned.text == "The bank raised rates on Monday."
    assert cleaned.credits[0].outlet == "Northwire"


def test_removals_record_rule_and_position() -> None:
    raw = "First paragraph here.\nAdvertisement\nSecond paragraph here.\nSubscribe now"
    cleaned = clean_text(raw)
    assert cleaned.text == "First paragraph here.\nSecond paragraph here."
    rules = [(r.rule, r.text, r.at) for r in cleaned.removals]
    assert rules == [("navigation", "Advertisement", len("First paragraph here.")),
                     ("register-prompt", "Subscribe now", len(cleaned.text))]


def test_repeated_lines_are_removed_only_when_told() -> None:
    raw = "A story about trains.\nFollow the Lantern on Lumina\nMore on trains."
    assert "Lumina" in clean_text(raw).text
    keys = clean_text(raw).line_keys
    from newstrace.clean.normalize import line_key

    footer = line_key("Follow the Lantern on Lumina")
    assert footer in keys
    cleaned = clean_text(raw, repeated={footer})
    assert "Lumina" not in cleaned.text
    assert cleaned.removals[0].rule == "repeated-in-outlet"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_WORD = st.text(alphabet=st.characters(whitelist_categories=("Ll",)), min_size=2,
                max_size=9).map(_nfc)
# a sentence no line rule names on its own ("Copyright …" is one: Hypothesis mines the
# rules' own words from the source and tries them)
_SENTENCE = st.builds(
    lambda first, rest: " ".join([first.capitalize(), *rest]) + ".",
    _WORD, st.lists(_WORD, min_size=6, max_size=30),
).filter(lambda s: match_line_rule(s) is None)


@settings(max_examples=200, deadline=None)
@given(st.lists(_SENTENCE, min_size=1, max_size=12))
def test_body_sentences_are_never_removed(sentences: list[str]) -> None:
    raw = "\n".join(sentences)
    cleaned = clean_text(raw)
    assert cleaned.text.split("\n") == [_nfc(" ".join(s.split())) for s in sentences]


@settings(max_examples=100, deadline=None)
@given(st.lists(_SENTENCE, min_size=1, max_size=8), st.sampled_from(sorted(SEED_BOILERPLATE)))
def test_boilerplate_between_body_lines_goes_and_body_stays(sentences: list[str],
                                                           junk: str) -> None:
    raw = "\n".join(s + "\n" + junk for s in sentences)
    cleaned = clean_text(raw)
    assert cleaned.text.split("\n") == [_nfc(s) for s in sentences]
    assert all(re.sub(r"\s+", " ", junk) == r.text for r in cleaned.removals)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1700, 1, 1), max_value=datetime(2300, 12, 31)),
       st.sampled_from(["date", "seconds", "micro", "Z", "+02:00", "-05:30"]))
def test_iso_dates_read_fast_as_dateutil_reads_them(moment: datetime, form: str) -> None:
    from dateutil import parser as dateutil_parser

    from newstrace.clean.dates import parse_date

    text = {"date": moment.date().isoformat(), "seconds": moment.isoformat(timespec="seconds"),
            "micro": moment.isoformat(timespec="microseconds")}.get(
        form, moment.isoformat(timespec="seconds") + form)
    reference = dateutil_parser.parse(text)
    expected = None if not 1800 <= reference.year <= 2200 else (
        reference.date().isoformat() if form == "date" else reference.isoformat())
    assert parse_date(text) == expected
