"""Light and heavy rewrites made by rules, for the corpus benchmark's synthetic corpus.

Rules cannot paraphrase the way a writer does, so nothing here is used to fit a
model: the verdict learns rewording from hand-written pairs and Clough &
Stevenson. These rewrites exist so that the benchmark's corpus holds what a
crawl holds besides copies: texts that tell their original's story without
sharing most of its word sequences. MinHash over word shingles misses many of
them, so they measure whether candidate search (the embedding index) and story
clustering still bring them together.

A *light* rewrite keeps every paragraph and most sentences, swaps about a third
of the words a thesaurus would, and trims clauses. A *heavy* rewrite swaps most
of them, fuses and splits sentences, drops a third of them, moves paragraphs and
ends with a line of its own.
"""

from __future__ import annotations

import random
import re

#: Words a rewriter swaps, each with its replacement (case is kept). Chosen so that
#: both words are the same part of speech in the usual news sense.
SWAPS: dict[str, str] = {
    "said": "stated", "says": "states", "told": "informed", "added": "noted",
    "company": "firm", "firm": "company", "companies": "firms", "firms": "companies",
    "rise": "increase", "rose": "climbed", "increase": "rise", "increased": "grew",
    "fell": "dropped", "fall": "drop", "falls": "drops", "big": "large", "large": "big",
    "buy": "purchase", "bought": "acquired", "sell": "offload", "sold": "offloaded",
    "shares": "stock", "profits": "earnings", "profit": "earnings", "government": "administration",
    "plans": "proposals", "plan": "proposal", "announced": "unveiled", "expected": "forecast",
    "help": "assist", "helped": "assisted", "show": "reveal", "showed": "revealed",
    "shows": "reveals", "around": "roughly", "about": "around", "including": "such as",
    "however": "but", "also": "additionally", "start": "begin", "started": "began",
    "began": "started", "ended": "finished", "country": "nation", "countries": "nations",
    "new": "fresh", "major": "key", "important": "significant", "chief": "head",
    "boss": "chief", "deal": "agreement", "agreement": "deal", "talks": "negotiations",
    "warned": "cautioned", "claimed": "asserted", "believe": "think", "think": "believe",
    "tried": "attempted", "try": "attempt", "need": "require", "needs": "requires",
    "received": "got", "make": "create", "made": "produced", "hit": "struck",
    "won": "secured", "match": "game", "game": "match", "film": "movie", "films": "movies",
    "movie": "film", "player": "athlete", "players": "athletes", "team": "side",
    "recent": "latest", "latest": "newest", "quickly": "rapidly", "very": "extremely",
    "several": "a number of", "many": "numerous", "because": "as", "despite": "in spite of",
    "although": "though", "during": "throughout", "before": "prior to", "after": "following",
    "customers": "clients", "jobs": "posts", "workers": "staff", "staff": "employees",
    "figures": "data", "report": "study", "survey": "poll", "officials": "authorities",
    "problem": "issue", "problems": "issues", "issue": "matter", "chance": "opportunity",
    "allow": "permit", "allowed": "permitted", "rules": "regulations", "law": "legislation",
    "likely": "probable", "huge": "massive", "small": "minor", "move": "step",
    "decision": "choice", "world": "globe", "people": "individuals", "children": "youngsters",
    "earlier": "previously", "now": "currently", "still": "yet", "record": "all-time",
    "biggest": "largest", "largest": "biggest", "cut": "reduce", "cuts": "reductions",
    "growth": "expansion", "economy": "economic system", "market": "marketplace",
    "price": "cost", "prices": "costs", "money": "funds", "spending": "expenditure",
    "attack": "assault", "election": "vote", "leader": "head", "party": "group",
    "win": "triumph", "beat": "defeated", "lost": "was beaten", "season": "campaign",
    "album": "record", "singer": "vocalist", "star": "celebrity", "award": "prize",
    "awards": "prizes", "users": "customers", "software": "programs", "computer": "machine",
    "phone": "handset", "phones": "handsets", "technology": "tech", "online": "on the web",
}
#: Sentence openers a rewriter drops or adds.
CONNECTIVES = ("However, ", "But ", "And ", "Meanwhile, ", "Also, ", "In addition, ")
#: Lines a heavy rewrite ends with: its own framing, in no source.
CLOSERS = (
    "It remains to be seen what happens next.",
    "Observers will be watching closely in the weeks ahead.",
    "The episode raises wider questions that are unlikely to go away.",
    "What this means in practice is still far from clear.",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘])")
_WORD = re.compile(r"[A-Za-z]+")
_JOINERS = (", and ", ", while ", "; ")
_COMMON_OPENERS = frozenset(("The", "It", "He", "She", "They", "This", "That", "These", "Those",
                             "A", "An", "In", "There", "Its", "His", "Her", "Their", "We",
                             "Some", "Many", "Most", "One", "If", "When", "As", "At", "On"))
_SPLIT_AT = re.compile(r", (?:and|but|while|which) |; ")


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph.strip()) if s]


def _case_like(word: str, model: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[0].isupper():
        return word[0].upper() + word[1:]
    return word


def swap_words(sentence: str, rng: random.Random, rate: float) -> str:
    """Each word in ``SWAPS`` replaced with probability ``rate``, keeping its case."""
    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        new = SWAPS.get(word.lower())
        if new is None or rng.random() >= rate:
            return word
        return _case_like(new, word)

    return _WORD.sub(replace, sentence)


def _trim(sentence: str, rng: random.Random) -> str:
    """Drop an opening connective or a closing clause, as a sub-editor trims."""
    for opener in CONNECTIVES:
        if sentence.startswith(opener):
            rest = sentence[len(opener):]
            return rest[:1].upper() + rest[1:]
    words = sentence.split()
    if len(words) > 22 and ", " in sentence and rng.random() < 0.5:
        head = sentence.rsplit(", ", 1)[0]
        if len(head.split()) >= 10:
            return head.rstrip(",;:") + "."
    return sentence


def _fuse(first: str, second: str, rng: random.Random) -> str:
    if not first.endswith(".") or not second[:1].isalpha():
        return f"{first} {second}"
    opener = second.split()[0]
    if opener in _COMMON_OPENERS:  # a name keeps its capital
        second = second[:1].lower() + second[1:]
    return first[:-1] + rng.choice(_JOINERS) + second


def _split(sentence: str) -> list[str]:
    match = _SPLIT_AT.search(sentence)
    if match is None:
        return [sentence]
    head, tail = sentence[: match.start()], sentence[match.end():]
    if len(head.split()) < 6 or len(tail.split()) < 6:
        return [sentence]
    return [head.rstrip(",;") + ".", tail[:1].upper() + tail[1:]]


def light_rewrite(title: str, paragraphs: list[str], rng: random.Random,
                  ) -> tuple[str, list[str]]:
    """Every paragraph kept; a third of the swappable words swapped; a few trims and drops."""
    out = []
    for para in paragraphs:
        found = sentences(para)
        kept: list[str] = []
        for k, s in enumerate(found):
            if rng.random() < 0.08 and (kept or k < len(found) - 1):  # never a whole paragraph
                continue
            s = _trim(s, rng) if rng.random() < 0.3 else s
            kept.append(swap_words(s, rng, 0.35))
        if kept:
            out.append(" ".join(kept))
    return swap_words(title, rng, 0.5), out


def heavy_rewrite(title: str, paragraphs: list[str], rng: random.Random,
                  ) -> tuple[str, list[str]]:
    """Most swappable words swapped; sentences fused, split and dropped; paragraphs moved."""
    out = []
    for para in paragraphs:
        kept = [_trim(s, rng) for s in sentences(para) if rng.random() >= 0.3]
        reshaped: list[str] = []
        for s in kept:
            if reshaped and rng.random() < 0.3:
                reshaped[-1] = _fuse(reshaped[-1], s, rng)
            elif rng.random() < 0.3:
                reshaped.extend(_split(s))
            else:
                reshaped.append(s)
        if reshaped:
            out.append(" ".join(swap_words(s, rng, 0.85) for s in reshaped))
    if not out:
        out = [swap_words(paragraphs[0], rng, 0.85)] if paragraphs else []
    for _ in range(len(out) // 3):  # a few paragraphs change places
        i = rng.randrange(len(out))
        j = rng.randrange(len(out))
        out[i], out[j] = out[j], out[i]
    out.append(rng.choice(CLOSERS))
    return swap_words(title, rng, 0.9), out
