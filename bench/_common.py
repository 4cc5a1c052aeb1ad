"""What every benchmark prints first, and its check that the data is there."""

from __future__ import annotations

import os
import platform
import sys

from newstrace.evaluation.datasets import bbc_news


def start() -> bool:
    """Print the machine line; False (and a message) when BBC News is absent."""
    print(f"machine: {platform.machine()}, python {platform.python_version()}, "
          f"cores: {len(os.sched_getaffinity(0))}")
    if not bbc_news():
        print("BBC News not found under ../shared/data; nothing to measure", file=sys.stderr)
        return False
    return True


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # the process ended between listing and reading
        pass
    return 0.0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


class TreeMemory:
    """The peak of this process's and all its descendants' resident memory, summed.

    ``getrusage`` gives each process's own peak; a run with worker processes uses
    their sum at one moment, which only sampling sees (every ``interval`` seconds,
    so a spike shorter than that can be missed). Linux only (/proc); elsewhere 0.
    """

    def __init__(self, interval: float = 0.5) -> None:
        import threading

        self.peak_mb = 0.0
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            if os.path.isdir("/proc"):
                total = sum(map(_rss_mb, _descendants(os.getpid())))
                self.peak_mb = max(self.peak_mb, total)
            self._stop.wait(self._interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
