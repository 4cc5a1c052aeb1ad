"""A throwaway PostgreSQL server for the tests: its own cluster, port and folder.

The store tests run against a real server, not a mock: ``initdb`` makes a cluster
in a temporary folder (trust authentication, no durability, which a test does not
need), ``pg_ctl`` starts it on a free port of 127.0.0.1 with its socket in that
folder, and ``stop()`` shuts it down and removes the folder. PostgreSQL refuses to
run as root, and CI runs as root: there the server runs as the ``postgres`` user
(else ``nobody``), which owns the folder.

``NEWSTRACE_TEST_PG`` set to a server URL (``postgresql://user@host:port/postgres``,
a role allowed to create databases) uses that server instead of starting one;
``NEWSTRACE_PG_BIN`` names the folder of the server binaries when they are not in
``/usr/lib/postgresql/*/bin`` or on ``PATH``.

``python -m tests.pgcluster`` starts one by hand and prints its URL until Ctrl+C.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

SUPERUSER = "newstrace"


def find_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, newest major version first; None if absent."""
    candidates = [os.environ.get("NEWSTRACE_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                         else 0, reverse=True)
    which = shutil.which("initdb")
    candidates.append(str(Path(which).parent) if which else "")
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None for the current user, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists "
                       "to run PostgreSQL as")


class Cluster:
    """One server; ``url(db)`` names a database on it, ``create_database`` makes one."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix="newstrace-pg-"))
        self.data = self.root / "data"
        self.port = 0

    def _run(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        kw: dict[str, Any] = {"check": True, "capture_output": True, "text": True,
                              "cwd": self.root, "timeout": 120}
        if self.user is not None:
            kw |= {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], **kw | kwargs)

    def start(self) -> Cluster:
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        try:
            self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                      "--no-sync", "--encoding=UTF8", "--locale=C")
        except subprocess.CalledProcessError as exc:
            self.stop()
            raise RuntimeError(f"initdb failed: {exc.stderr.strip()}") from exc
        last = ""
        for _ in range(5):  # the free port may be taken before the server binds it
            self.port = _free_port()
            options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                       f"-c unix_socket_directories={self.root} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
            try:
                self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                          "-l", str(self.root / "server.log"), "-o", options)
                return self
            except subprocess.CalledProcessError as exc:
                last = exc.stderr.strip() + " " + self.log()[-500:]
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start: {last}")

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w",
                          check=False)
        shutil.rmtree(self.root, ignore_errors=True)


class Databases:
    """Creates a fresh database per test on a server (ours or ``NEWSTRACE_TEST_PG``)."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    def create(self) -> str:
        name = "nt_" + uuid.uuid4().hex[:12]
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' '
                    "LC_COLLATE 'C' LC_CTYPE 'C'")
        base, _, _ = self.server_url.rpartition("/")
        return f"{base}/{name}"

    def copy(self, url: str) -> str:
        """A new database holding what ``url``'s holds (nobody may be connected to it)."""
        name = "nt_" + uuid.uuid4().hex[:12]
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{url.rpartition("/")[2]}"')
        return f"{url.rpartition('/')[0]}/{name}"

    def drop(self, url: str) -> None:
        name = url.rpartition("/")[2]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    import signal
    import time

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill PID` stops the server too

    found = find_bin()
    if found is None:
        raise SystemExit("no PostgreSQL server binaries found (set NEWSTRACE_PG_BIN)")
    cluster = Cluster(found).start()
    print(cluster.url(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
