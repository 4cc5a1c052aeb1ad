"""Which sentence model a corpus run compares with, and the parameters fitted for it.

``static`` (the default for corpus mode): the table distilled from MiniLM,
about 80 times faster to embed with, at some cost in paraphrase accuracy (see
bench/RESULTS.md). ``minilm``: the model ``compare`` uses, for small corpora or
when every rewrite matters more than time. Each engine has its own fitted
parameters, because the two models' similarity scores live on different scales.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newstrace.errors import InputError
from newstrace.nlp.embed import CachedEmbedder, Embedder, default_embedder
from newstrace.nlp.vector_cache import PersistentEmbedder, VectorCache
from newstrace.reuse.params import PARAMS_FILE, STATIC_PARAMS_FILE, Params, load_params
from newstrace.reuse.screen import Screen, load_screen

ENGINES = ("static", "minilm")
DEFAULT_ENGINE = "static"


@dataclass(frozen=True, slots=True)
class Engine:
    name: str
    embedder: Embedder
    params: Params
    #: settles clear pairs before the full compare (``reuse.screen``); fitted for static
    screen: Screen | None = None


#: Sentence vectors a static engine remembers. Its memos already keep the vectors of
#: the 2,000 articles last seen (``ArticleMemo``); this cache serves the sentences that
#: reprints share and a memo's re-made units. At 200,000 it was the largest thing in a
#: compare worker (~2.5 KB a vector with its key: ~500 MB once full, at 100k articles).
STATIC_VECTORS = 50_000


@lru_cache(maxsize=1)
def _static() -> CachedEmbedder:
    from newstrace.nlp.static_embed import StaticEmbedder

    return CachedEmbedder(StaticEmbedder(), max_items=STATIC_VECTORS)


def engine(name: str, store_path: Path | None = None, *, screen: bool = True) -> Engine:
    """The embedder and parameters for ``name``; MiniLM vectors persist in the store.

    ``screen``: settle clear pairs with the cheap first pass where one is fitted for
    the engine (static only: MiniLM runs are for when every pair matters more than time).
    """
    if name == "static":
        return Engine(name, _static(), load_params(STATIC_PARAMS_FILE),
                      load_screen() if screen else None)
    if name == "minilm":
        embedder: Embedder = default_embedder()
        if store_path is not None:
            embedder = PersistentEmbedder(default_embedder(), VectorCache(store_path))
        return Engine(name, embedder, load_params(PARAMS_FILE))
    raise InputError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
