"""Fold-in of many users at once: mfviz's ImplicitALS.fold_in_rows against implicit's
recalculate_user, both solving exactly the same least squares (implicit handed mfviz's item factors
and the converted confidences), on profiles of a generated power-law matrix."""

from __future__ import annotations

import os

import numpy as np

from benchmarks.bench_ials import ALPHA, FACTORS, REGULARIZATION, implicit_input, powerlaw_matrix
from benchmarks.common import interleaved, table

COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks foldin"
SMOKE = os.environ.get("MFVIZ_BENCH_SMOKE") == "1"
N_USERS, N_ITEMS, NNZ = (5_000, 2_000, 100_000) if SMOKE else (200_000, 50_000, 5_000_000)
PROFILES = 1_000 if SMOKE else 50_000
REPEATS = 5


def run() -> str:
    from implicit.cpu.als import AlternatingLeastSquares

    from mfviz.models import ImplicitALS

    matrix = powerlaw_matrix(N_USERS, N_ITEMS, NNZ)
    model = ImplicitALS(factors=FACTORS, epochs=3, regularization=REGULARIZATION, alpha=ALPHA,
                        random_state=0).fit(matrix)
    rows = np.sort(np.random.default_rng(1).choice(N_USERS, PROFILES, replace=False))
    profiles = matrix[rows]
    peer = AlternatingLeastSquares(factors=FACTORS, regularization=REGULARIZATION, alpha=1.0, num_threads=2,
                                   random_state=0)
    peer.user_factors = model.user_factors.copy()
    peer.item_factors = model.item_factors.copy()  # the same items: the same problems to solve
    converted = implicit_input(profiles)
    ids = np.arange(PROFILES)
    ours, theirs = model.fold_in_rows(profiles)[0], peer.recalculate_user(ids, converted)
    gap = float(np.abs(ours - theirs).max() / np.abs(theirs).max())
    times = interleaved({"mfviz": lambda: model.fold_in_rows(profiles),
                         "implicit": lambda: peer.recalculate_user(ids, converted)}, repeats=REPEATS)
    rows_out = [["mfviz ImplicitALS.fold_in_rows", times["mfviz"], times["mfviz"] / times["implicit"], gap],
                ["implicit recalculate_user", times["implicit"], 1.0, 0.0]]
    return (f"## Fold-in of many users (implicit ALS)\n\n"
            f"`{COMMAND}`. {PROFILES:,} profiles (rows of a generated power-law matrix, {N_USERS:,} users × "
            f"{N_ITEMS:,} items, {NNZ:,} interactions; {profiles.nnz:,} in the profiles), {FACTORS} factors, "
            f"alpha {ALPHA:g}, regularization {REGULARIZATION:g}: each profile's exact least-squares solve against "
            "the same item factors (implicit given mfviz's factors and the confidences 1 + alpha·r, its alpha 1). "
            f"Median of {REPEATS} interleaved runs, 2 threads; the gap is the largest difference between the two "
            "libraries' vectors, relative to the largest entry.\n\n"
            + table(["fold-in", "seconds", "ratio to implicit", "gap"], rows_out) + "\n")
