"""Built-in data: the demo catalogue, loaded from the committed files in data/ or generated."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mfviz.data.demo import write_demo
from mfviz.data.interactions import Interactions
from mfviz.data.loaders import load_interactions

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEMO_FILES = ("demo_ratings.csv", "demo_items.csv")


def demo_files() -> dict[str, Path]:
    """Paths of the demo files by name ("demo_ratings.csv", "demo_items.csv"), e.g. to offer
    them for download. The committed files in data/ when present (a source checkout); else
    they are generated once into a cache folder (e.g. after a non-editable install)."""
    committed = {name: DATA_DIR / name for name in DEMO_FILES}
    if all(path.is_file() for path in committed.values()):
        return committed
    cache = Path(os.environ.get("MFVIZ_CACHE", Path(tempfile.gettempdir()) / "mfviz-demo"))
    generated = {name: cache / name for name in DEMO_FILES}
    if not all(path.is_file() for path in generated.values()):
        write_demo(cache)
    return generated


def load_demo() -> Interactions:
    """The demo catalogue: ~3,000 users, 1,500 made-up films, 100,000 ratings (1–5 stars) with
    timestamps, titles and genres; see data/README.md for how it was generated."""
    files = demo_files()
    return load_interactions(files["demo_ratings.csv"], items=files["demo_items.csv"])
