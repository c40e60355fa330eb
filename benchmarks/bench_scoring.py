"""Scoring paths the dashboard repeats on large data, each against the plain NumPy/SciPy way in the same run:
pair scores (a model's predict), the data's spectrum, the Popularity baseline's lists, the trade-off curve."""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds
from threadpoolctl import threadpool_limits

from benchmarks.common import interleaved, table

COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks scoring"


def generated():
    """The demo generator's power-law catalogue at 50,000 users × 10,000 items, 4M ratings."""
    from mfviz.data.demo import generate_demo
    from mfviz.data.interactions import Interactions

    ratings, _ = generate_demo(seed=3, n_users=50_000, n_items=10_000, n_ratings=4_000_000)
    # read as 0/1, as the recorded results were (from_frame then ignored an unnamed rating column)
    return Interactions.from_frame(ratings, rating=False, timestamp=False)


def run() -> str:
    from mfviz.analysis.spectrum import data_spectrum
    from mfviz.analysis.tradeoff import (
        STRENGTHS,
        accuracy_popularity_tradeoff,
        penalty,
        reranked_top_k,
        score_spread,
    )
    from mfviz.evaluation import split
    from mfviz.evaluation.metrics import test_users
    from mfviz.models import ImplicitALS, Popularity
    from mfviz.models.base import Model

    load_start = os.getloadavg()
    data = generated()
    rng = np.random.default_rng(0)
    rows = []

    # 1. predict: 1M (user, item) pairs at 100 factors
    users_f = rng.normal(size=(data.n_users, 100)).astype(np.float32)
    items_f = rng.normal(size=(data.n_items, 100)).astype(np.float32)
    from mfviz.models.external import FactorModel

    model = FactorModel(users_f, items_f)
    u, i = rng.integers(0, data.n_users, 1_000_000), rng.integers(0, data.n_items, 1_000_000)
    model.predict(u[:10], i[:10])
    np.einsum("ij,ij->i", users_f[u[:10]], items_f[i[:10]])
    t = interleaved({"mfviz": lambda: model.predict(u, i),
                     "peer": lambda: np.einsum("ij,ij->i", users_f[u], items_f[i])}, repeats=5)
    rows.append(["predict, 1M pairs × 100 factors", "NumPy einsum over gathered rows", t["mfviz"], t["peer"]])

    # 2. the data's spectrum, k = 100
    matrix = sp.csr_matrix(data.matrix, dtype=np.float64)
    start = np.random.default_rng(0).standard_normal(min(matrix.shape))
    t = interleaved({"mfviz": lambda: data_spectrum(matrix, k=100),
                     "peer": lambda: svds(matrix, k=100, v0=start, return_singular_vectors=False)}, repeats=3)
    rows.append(["data spectrum, k = 100", "scipy svds (ARPACK, float64)", t["mfviz"], t["peer"]])

    # 3. the Popularity baseline's top 10 for 20,000 users, their items left out
    baseline = Popularity().fit(data)
    sample = np.sort(rng.choice(data.n_users, 20_000, replace=False))
    seen = data.matrix[sample]
    seen.sort_indices()
    indptr, indices = seen.indptr.astype(np.int64), seen.indices.astype(np.int64)
    baseline.recommend(sample[:10])
    t = interleaved({"mfviz": lambda: baseline.recommend(sample, n=10),
                     "peer": lambda: Model._top_n(baseline, sample, 10, indptr, indices)}, repeats=5)
    rows.append(["Popularity lists, 20,000 users", "a score per item (mfviz's dot-product top-k)", t["mfviz"], t["peer"]])

    # 4. the accuracy / popularity trade-off curve (9 strengths, 2,000 users)
    train, test = split(data, "random", 0.2, seed=0)
    ials = ImplicitALS(factors=32, epochs=3, random_state=0).fit(train)
    users = test_users(test, 2000, 0, train.matrix)
    popularity = np.diff(sp.csc_matrix(train.matrix).indptr).astype(np.float64)
    spread = score_spread(ials)

    def every_strength_anew():  # the lists as the curve found them before: the candidate pool again per β
        for strength in STRENGTHS:
            reranked_top_k(ials.user_factors[users], ials, penalty(popularity, strength, spread), 10,
                           train.matrix[users])

    accuracy_popularity_tradeoff(ials, train, test, strengths=(0.0,))
    with threadpool_limits(1, "blas"):
        t = interleaved({"mfviz": lambda: accuracy_popularity_tradeoff(ials, train, test),
                         "peer": every_strength_anew}, repeats=3)
    rows.append(["trade-off curve, 9 β × 2,000 users", "its lists with the pool found per β (no metrics)",
                 t["mfviz"], t["peer"]])
    load_end = os.getloadavg()

    for row in rows:
        row.append(row[2] / row[3])
    return "\n".join([
        "## Scoring paths on 4M ratings",
        "",
        f"`{COMMAND}`. Data: the demo generator at 50,000 users × 10,000 items, 4M ratings (power-law "
        "popularity). Each row times mfviz's path and the plain way beside it in one run, interleaved, medians "
        "(5 runs for predict and the Popularity lists, 3 for the others); ratio = mfviz / the plain way. The "
        "trade-off row's plain way computes only the lists, not the metrics, so its ratio flatters the old code. "
        "Load average over 1 min: " + f"{load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end (a shared "
        "2-core machine).",
        "",
        table(["path", "the plain way", "mfviz s", "plain s", "ratio"], rows),
    ]) + "\n"
