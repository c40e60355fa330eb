"""The long waits a scale review found at 5M ratings: the popularity report's default ranking, the CSV of every
user's top 10, and the users two items share (the Neighbours page's evidence), each against the way it was done
before (the peer: the same mfviz code path as it stood, or pandas / scipy), interleaved, medians."""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

from benchmarks.common import interleaved, table

COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks scale_waits"
SMOKE = os.environ.get("MFVIZ_BENCH_SMOKE") == "1"
USERS, ITEMS, RATINGS = (5_000, 2_000, 100_000) if SMOKE else (100_000, 30_000, 5_000_000)
REPEATS = 3


def ratings(seed: int = 7):
    """Zipf-like items (weight 1/rank^0.9) and users (1/rank^0.6), ratings 1-5, duplicates dropped."""
    from mfviz import Interactions

    rng = np.random.default_rng(seed)
    draws = int(RATINGS * 1.15)
    items = 1.0 / np.arange(1, ITEMS + 1) ** 0.9
    users = 1.0 / np.arange(1, USERS + 1) ** 0.6
    key = np.unique(rng.choice(USERS, draws, p=users / users.sum()).astype(np.int64) * ITEMS
                    + rng.choice(ITEMS, draws, p=items / items.sum()))
    key = rng.permutation(key)[:RATINGS]
    frame = pd.DataFrame({"user": key // ITEMS, "item": key % ITEMS, "rating": rng.integers(1, 6, key.size)})
    return Interactions.from_frame(frame, user="user", item="item", rating="rating")


def co_occurrence_by_csc(matrix, items, lists):
    """The users in common as co_occurrence_lists counted them before: the whole matrix turned to CSC per call."""
    listed = np.unique(lists[lists >= 0])
    binary = sp.csr_matrix((np.ones(matrix.nnz), matrix.indices, matrix.indptr), shape=matrix.shape).tocsc()
    shared = sp.csr_matrix(binary[:, items].T @ binary[:, listed])
    rows = np.repeat(np.arange(items.size), lists.shape[1])
    return np.asarray(shared[rows, np.searchsorted(listed, lists).ravel()]).reshape(lists.shape)


def run() -> str:
    from mfviz.analysis import popularity_report, recommendation_table
    from mfviz.analysis.export import recommendation_csv
    from mfviz.analysis.neighbours import co_occurrence_lists
    from mfviz.models import FunkSVD, ImplicitALS

    warnings.simplefilter("ignore")
    data = ratings()
    models = {"implicit ALS": ImplicitALS(factors=32, epochs=8, random_state=0).fit(data),
              "Funk SVD": FunkSVD(factors=32, epochs=5, random_state=0).fit(data)}
    rows = []
    for name, model in models.items():
        popularity_report(model, data, k=10)  # numba's first call
        times = interleaved({"sample": lambda m=model: popularity_report(m, data, k=10),
                             "everyone": lambda m=model: popularity_report(m, data, k=10, sample_users=None)}, REPEATS)
        rows.append([f"popularity_report, {name}: default (2,000 sampled) vs sample_users=None (before's default)",
                     times["sample"], times["everyone"], times["sample"] / times["everyone"]])
    model = models["implicit ALS"]
    table_once = recommendation_table(model, data, 10)
    times = interleaved({"arrow": lambda: recommendation_csv(model, data, 10),
                         "pandas": lambda: recommendation_table(model, data, 10).to_csv(index=False).encode()}, REPEATS)
    rows.append(["every user's top 10 as CSV: recommendation_csv (Arrow) vs the table + pandas to_csv (before)",
                 times["arrow"], times["pandas"], times["arrow"] / times["pandas"]])
    write = interleaved({"arrow": lambda: _arrow_only(table_once),
                         "pandas": lambda: table_once.to_csv(index=False).encode()}, REPEATS)
    rows.append([f"  of which writing {len(table_once):,} rows: Arrow vs pandas", write["arrow"], write["pandas"],
                 write["arrow"] / write["pandas"]])
    rng = np.random.default_rng(0)
    item, lists = np.full(200, 150), rng.integers(0, ITEMS, (200, 10))
    np.testing.assert_array_equal(co_occurrence_lists(data.matrix, item, lists)[0],
                                  co_occurrence_by_csc(data.matrix, item, lists))
    times = interleaved({"columns": lambda: co_occurrence_lists(data.matrix, item, lists),
                         "csc": lambda: co_occurrence_by_csc(data.matrix, item, lists)}, REPEATS)
    rows.append(["users in common, 200 lists of 10 (matched_median_lift): columns_of vs the whole matrix to CSC",
                 times["columns"], times["csc"], times["columns"] / times["csc"]])
    load = os.getloadavg()
    return f"""## The long waits of a 5M-rating dataset (`python -m benchmarks scale_waits`)

`{COMMAND}`. Generated ratings: {data.n_users:,} users × {data.n_items:,} items, {data.nnz:,} ratings (Zipf-like
items and users, 1-5 stars: `ratings()`); implicit ALS and Funk SVD, 32 factors, seeded. Each row: mfviz as it is
against the way it was done before this change, on the same data in the same run, {REPEATS} interleaved runs,
medians, seconds; ratio = now / before. Load average at the end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (a
shared 2-core machine: absolute times are noisy, the ratios less so). The first row of each model is the
popularity report's Python default, which ranked every trained user before and ranks a seeded sample of 2,000 (the
dashboard's) now; the Funk SVD report ranks twice (full score and dot product alone).

{table(["step", "now (s)", "before (s)", "ratio"], rows)}
"""


def _arrow_only(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    out = io.BytesIO()
    pa_csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), out,
                     pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    return out.getvalue()
