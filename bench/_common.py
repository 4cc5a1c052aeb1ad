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
