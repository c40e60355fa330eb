"""Built-in data: the demo catalogue, loaded from the committed files in data/ or generated."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

from mfviz.cache_dir import default_cache_dir, keep_newest
from mfviz.data.demo import write_demo
from mfviz.data.interactions import Interactions
from mfviz.data.loaders import load_interactions

__all__ = ["DEMO_FILES", "demo_files", "load_demo", "write_demo"]
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


log = logging.getLogger(__name__)
# The code that turns the files into Interactions: a change to any of it makes a new parsed copy.
PARSING_SOURCES = tuple(Path(__file__).resolve().parent / folder for folder in ("data", "kernels"))


def load_demo(cache_dir: Path | str | bool | None = None) -> Interactions:
    """The demo catalogue: ~3,000 users, 1,500 made-up films, 100,000 ratings (1–5 stars) with
    timestamps, titles and genres; see data/README.md for how it was generated.

    Parsed once per machine and kept under `cache_dir` (default `default_cache_dir()`; False for
    none), keyed by the files, the parsing code and the libraries' versions (the 5 most recently
    used copies are kept): reading it back takes ~10 ms,
    parsing takes 0.45 s, most of it numba loading its compiled kernels for the first time in the
    process (the dashboard's first page waits for the demo). A missing or unreadable copy is rebuilt.
    Pickle runs code on reading: the folder must be the user's own, as the default is."""
    files = demo_files()
    path = None
    if cache_dir is not False:
        folder = Path(cache_dir) if cache_dir not in (None, True) else default_cache_dir()
        path = folder / f"demo-{_demo_key(files)}.pickle"
        try:
            with open(path, "rb") as stored:
                demo = pickle.load(stored)
            if isinstance(demo, Interactions):
                with contextlib.suppress(OSError):  # recently used: kept when old copies are pruned
                    os.utime(path)
                return demo
        except FileNotFoundError:
            pass
        except Exception:  # noqa: BLE001 - a damaged or foreign copy: parse the files again
            log.warning("ignoring the unreadable parsed demo at %s", path, exc_info=True)
    demo = load_interactions(files["demo_ratings.csv"], items=files["demo_items.csv"])
    if path is not None:
        try:  # written whole then renamed, so a reader never sees half a file
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            with open(partial, "wb") as out:
                pickle.dump(demo, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, path)
            keep_newest(path.parent, "demo-*.pickle", KEEP_COPIES)
        except OSError:  # a read-only home: parse again next time
            log.warning("could not keep the parsed demo at %s", path, exc_info=True)
    return demo


KEEP_COPIES = 5  # parsed copies kept (one per checkout and version of the parsing code; 1.7 MB each)


def _demo_key(files: dict[str, Path]) -> str:
    """Changes with the demo files (where they are and what they hold), the parsing code (data
    layer and kernels) and the versions of the libraries whose objects are pickled."""
    import numpy
    import pandas
    import scipy

    digest = hashlib.sha256(f"{numpy.__version__} {scipy.__version__} {pandas.__version__}".encode())
    for name in DEMO_FILES:  # the load report names the files read: their paths are part of the copy
        digest.update(str(files[name].resolve()).encode() + files[name].read_bytes())
    for folder in PARSING_SOURCES:
        for source in sorted(folder.glob("*.py")):
            digest.update(source.name.encode() + source.read_bytes())
    return digest.hexdigest()[:20]
