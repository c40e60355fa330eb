"""Where mfviz keeps files it can rebuild at any time (UMAP maps, the parsed demo catalogue)."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """`$MFVIZ_CACHE_DIR`, else `$XDG_CACHE_HOME/mfviz`, else `~/.cache/mfviz`."""
    if os.environ.get("MFVIZ_CACHE_DIR"):
        return Path(os.environ["MFVIZ_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mfviz"
