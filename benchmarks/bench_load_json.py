"""Loading reviews as JSON Lines: a generated Amazon-style file (1M reviews with text, a nested field
and two timestamps) through load_interactions, against the usual hand-written path,
pandas.read_json(lines=True), pd.factorize of both id columns and scipy COO -> CSR."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.common import interleaved, table

COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks load_json"
SMOKE = os.environ.get("MFVIZ_BENCH_SMOKE") == "1"
N_ROWS = 20_000 if SMOKE else 1_000_000
N_USERS, N_ITEMS = 100_000, 20_000
REPEATS = 3


def write_reviews(path: Path, n_rows: int = N_ROWS, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    users = rng.integers(0, N_USERS, n_rows)
    items = (N_ITEMS * rng.random(n_rows) ** 3).astype(np.int64)
    stars = rng.integers(1, 6, n_rows)
    stamps = rng.integers(1_000_000_000, 1_600_000_000, n_rows)
    with open(path, "w") as fh:
        for u, i, r, t in zip(users.tolist(), items.tolist(), stars.tolist(), stamps.tolist(), strict=True):
            fh.write(json.dumps({"overall": float(r), "verified": True, "reviewTime": "09 1, 2016",
                                 "reviewerID": f"A{u:012d}", "asin": f"B{i:09d}", "style": {"Format:": " Paperback"},
                                 "reviewerName": "A reader", "reviewText": "Good book, would read again. " * 3,
                                 "summary": "Good", "unixReviewTime": t}) + "\n")


def pandas_path(path: Path):
    import pandas as pd
    import scipy.sparse as sp

    frame = pd.read_json(path, lines=True)
    users, user_ids = pd.factorize(frame["reviewerID"])
    items, item_ids = pd.factorize(frame["asin"])
    matrix = sp.coo_matrix((frame["overall"].to_numpy(np.float32), (users, items)),
                           shape=(len(user_ids), len(item_ids))).tocsr()
    return matrix


def run() -> str:
    import mfviz

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reviews.json"
        write_reviews(path)
        size = path.stat().st_size
        ours = mfviz.load_interactions(path)
        theirs = pandas_path(path)
        times = interleaved({"mfviz": lambda: mfviz.load_interactions(path), "pandas": lambda: pandas_path(path)},
                            repeats=REPEATS)
    rows = [["mfviz.load_interactions", times["mfviz"], times["mfviz"] / times["pandas"], ours.nnz],
            ["pandas.read_json(lines=True) + factorize + COO→CSR", times["pandas"], 1.0, theirs.nnz]]
    return (f"## Loading JSON Lines reviews\n\n`{COMMAND}`. A generated Amazon-style file: {N_ROWS:,} reviews "
            f"({size / 2**20:,.0f} MiB; reviewerID, asin, overall, unixReviewTime, text, a nested field), "
            f"{N_USERS:,} users × {N_ITEMS:,} items. Median of {REPEATS} interleaved runs in one process. mfviz also "
            "reads the timestamps and merges duplicate (user, item) pairs (the latest wins); the pandas path "
            "keeps only ids and ratings and sums duplicates.\n\n"
            + table(["load", "seconds", "ratio to pandas", "interactions"], rows) + "\n")
