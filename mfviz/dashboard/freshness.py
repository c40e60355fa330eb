"""Whether mfviz's code changed on disk since this server process imported it."""

from __future__ import annotations

from pathlib import Path

import mfviz

PACKAGE = Path(mfviz.__file__).parent


def fingerprint() -> tuple[int, int]:
    """The package's .py files: how many, and the latest modification (ns). About 1 ms for its ~150 files."""
    times = [path.stat().st_mtime_ns for path in PACKAGE.rglob("*.py")]
    return len(times), max(times, default=0)


LOADED = fingerprint()  # as the server process imported it


def changed() -> bool:
    """Whether the code on disk is not the code this process runs: an update or another checkout under a
    running server. Pages are read from disk on every run, the package only once, so the two mix and
    pages fail with errors that look like mfviz's own (an AttributeError on the Data page's timeline)."""
    return fingerprint() != LOADED
