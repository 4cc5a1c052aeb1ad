"""The attribution parser in a child process, for commands that compare one pair.

Importing spaCy and loading its model is about a second of pure Python. In a
thread it holds the interpreter lock for that whole second, which is exactly
when the main thread cleans, embeds and aligns the two articles; a forked child
does it on the other core instead, and only sentences and statements cross the
pipe. Where ``fork`` is not available the caller parses in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import Any

from newstrace.nlp import attribution
from newstrace.nlp.attribution import Parsed, SentenceItems, parse_sentences, parser

#: The child yields to its parent, whose embedding is needed first.
NICENESS = 5


def _serve(conn: Connection) -> None:
    # the parent's embedding is needed first, and runs on both cores for a moment
    with suppress(OSError):
        os.nice(NICENESS)
    try:
        parser()
    except Exception as exc:  # reported when the first parse is asked for
        failure: Exception | None = exc
    else:
        failure = None
    while True:
        try:
            items = conn.recv()
        except EOFError:
            return
        if items is None:
            return
        try:
            if failure is not None:
                raise failure
            conn.send(parse_sentences(items))
        except Exception as exc:
            conn.send(exc)


class ParserProcess:
    """A forked child that loads the parser at once and parses what it is sent."""

    def __init__(self, context: Any) -> None:
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True,
                                        name="newstrace-parser")
        self._process.start()
        child.close()
        self._used = False

    @classmethod
    def start(cls) -> ParserProcess | None:
        """A worker, or None where the in-process parser is the better choice: no
        ``fork`` here, the parser already loaded, or threads running (forking a
        threaded process can copy a lock some thread holds)."""
        if sys.platform != "linux" or attribution.loaded() or threading.active_count() > 1:
            return None
        return cls(multiprocessing.get_context("fork"))

    def __call__(self, items: SentenceItems) -> Parsed:
        self._used = True
        try:
            self._conn.send(list(items))
            reply = self._conn.recv()
        except (EOFError, OSError):  # the child died: parse here rather than fail
            return parse_sentences(items)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def close(self) -> None:
        """Stop the child: at once if it was never asked (an unrelated pair needs no
        parse, and waiting would cost the rest of its model load)."""
        if not self._used:
            self._process.terminate()
        with suppress(OSError):
            self._conn.send(None)
        self._process.join(timeout=1.0)
        if self._process.is_alive():
            self._process.terminate()
        self._conn.close()
