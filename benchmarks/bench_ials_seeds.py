"""Implicit ALS vs implicit on MovieLens 100K over several seeds: the quality of one seed is a single draw."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.bench_ials import (
    ALPHA,
    CG_STEPS,
    FACTORS,
    ITERATIONS,
    ML100K,
    REGULARIZATION,
    implicit_input,
    implicit_model,
    mfviz_model,
    movielens_binary,
    ranking,
)
from benchmarks.common import table

COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks ials_seeds"
SEEDS = range(5)


def run() -> str:
    if not (ML100K / "u.data").exists():
        return f"## Implicit ALS vs implicit over seeds (ML-100K)\n\nMovieLens 100K not found at {ML100K}.\n"
    from mfviz.evaluation import user_split

    train, test = user_split(movielens_binary(), test_size=0.2, seed=0)
    converted = implicit_input(train.matrix)
    rows, scores = [], {"mfviz": [], "implicit": []}
    with threadpool_limits(1, "blas"):
        for seed in SEEDS:
            ours = mfviz_model(ITERATIONS, seed).fit(train.matrix)
            theirs = implicit_model(ITERATIONS, seed)
            theirs.fit(converted, show_progress=False)
            row = [seed]
            for name, (users, items) in (("mfviz", (ours.user_factors, ours.item_factors)),
                                         ("implicit", (theirs.user_factors, theirs.item_factors))):
                ndcg, precision = ranking(users, items, train.matrix, test.matrix)
                scores[name].append((ndcg, precision))
                row += [ndcg, precision]
            rows.append(row)
    mean = {name: np.mean(values, axis=0) for name, values in scores.items()}
    rows.append(["mean", mean["mfviz"][0], mean["mfviz"][1], mean["implicit"][0], mean["implicit"][1]])
    return "\n".join([
        "## Implicit ALS vs implicit over seeds (ML-100K)",
        "",
        f"`{COMMAND}`. The quality columns of the section above are one seed's (random_state 0 for both), a "
        f"single draw of the starting factors. Here both libraries are fitted with random_state {SEEDS[0]}–"
        f"{SEEDS[-1]} on the same data and split as there (every rating → 1, per-user 80/20 split seed 0; "
        f"{FACTORS} factors, CG {CG_STEPS} steps, regularization {REGULARIZATION}, alpha {ALPHA}, {ITERATIONS} "
        "iterations; implicit given 1 + alpha·r), scored by the same exact top-10 code. Mean ratios "
        f"mfviz/implicit: NDCG@10 {mean['mfviz'][0] / mean['implicit'][0]:.3f}, precision@10 "
        f"{mean['mfviz'][1] / mean['implicit'][1]:.3f}.",
        "",
        table(["seed", "NDCG@10 mfviz", "P@10 mfviz", "NDCG@10 implicit", "P@10 implicit"], rows),
    ]) + "\n"
