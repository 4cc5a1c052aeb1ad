"""Builders for real input files of every supported format."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BODY = ("The river burst its banks on Tuesday, officials said. More than 40 homes were "
        "flooded in the lower town. \"We have never seen anything like it,\" said mayor Ann "
        "Ode, who has lived there for sixty years. Rescue teams worked through the night.")


def html_page(title: str, body: str = BODY, *, script: str = "", site: str = "The Herald",
              url: str = "https://herald.example/flood", date: str = "2026-03-14") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        f'<meta property="og:site_name" content="{site}">'
        f'<link rel="canonical" href="{url}">'
        f'<meta property="article:published_time" content="{date}">'
        f"<script>{script}</script></head><body><nav>Home | News | Sport</nav>"
        f"<article><h1>{title}</h1>{paragraphs}<script>{script}</script></article>"
        "<footer>Copyright The Herald</footer></body></html>"
    )


def write_warc(path: Path, pages: list[tuple[str, str]], *, gz: bool = True) -> Path:
    """A WARC with one HTML response per (url, html), plus a non-HTML record."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        for url, html in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response",
                                               payload=io.BytesIO(html.encode("utf-8")),
                                               http_headers=headers)
            writer.write_record(record)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")],
                                   protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://herald.example/logo.png", "response",
            payload=io.BytesIO(b"\x89PNG...."), http_headers=headers))
    return path


def write_jsonl(path: Path, records: list[dict[str, object] | str], *,
                compress: bool = False) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def kill_when_stored(cmd: list[str], db: Path | str, table: str, timeout: float = 240
                     ) -> int | None:
    """Start ``cmd``, SIGKILL it once ``table`` in store ``db`` has a row; its return code.

    The kill lands in the middle of real work, so the test sees what a crash leaves.
    ``db`` is a SQLite file or a PostgreSQL URL, read through a read-only store.
    """
    import signal
    import subprocess
    import time

    from newstrace.corpus.store import Store

    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            with Store(db, read_only=True) as store:
                rows = store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        except Exception:  # not created yet, or locked: look again
            continue
        if rows > 0:
            proc.send_signal(signal.SIGKILL)
            break
    return proc.wait(timeout=60)
