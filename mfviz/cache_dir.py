"""Where mfviz keeps files it can rebuild at any time (UMAP maps, the parsed demo catalogue)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def default_cache_dir() -> Path:
    """`$MFVIZ_CACHE_DIR`, else `$XDG_CACHE_HOME/mfviz`, else `~/.cache/mfviz`."""
    if os.environ.get("MFVIZ_CACHE_DIR"):
        return Path(os.environ["MFVIZ_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mfviz"


def keep_newest(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` most recently used files matching `pattern` in `folder` (by
    modification time: a reader touches what it uses). Another process may be pruning or reading
    them at the same time: a file that vanishes is simply built again."""
    files = []
    for file in folder.glob(pattern):
        with contextlib.suppress(OSError):
            files.append((file.stat().st_mtime, file))
    for _, old in sorted(files, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()
