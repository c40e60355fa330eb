"""Funk SVD's test RMSE against Surprise's SVD by epoch count, on the issue's ML-100K folds: where each bottoms out."""

from __future__ import annotations

import statistics

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from benchmarks.bench_surprise import _errors, kfold_indices, ml100k_for_both
from benchmarks.common import ML100K, table
from mfviz.models import FunkSVD

# Both libraries draw the factors first and then walk the epochs in a fixed sequence for a seed, so a fit
# of n epochs is the first n epochs of a longer one: one fit per count traces each library's curve.
EPOCHS = (10, 15, 18, 19, 20, 21, 22, 25, 30)
COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks surprise_epochs"


def run() -> str:
    title = "## Funk SVD vs Surprise SVD: test RMSE by number of epochs (ML-100K, 5 folds)"
    if not (ML100K / "u.data").exists():
        return f"{title}\n\nSkipped: MovieLens 100K not found.\n"
    try:
        from surprise import SVD
    except ImportError:
        return f"{title}\n\nSkipped: scikit-surprise is not installed (`pip install -e .[bench]`).\n"
    frame, data, users, items, ratings, shape = ml100k_for_both()
    ours: dict[int, list[float]] = {n: [] for n in EPOCHS}
    theirs: dict[int, list[float]] = {n: [] for n in EPOCHS}
    for fold, (train_idx, test_idx) in enumerate(kfold_indices(len(frame))):
        train = sp.csr_matrix((ratings[train_idx], (users[train_idx], items[train_idx])), shape=shape)
        trainset = data.construct_trainset([data.raw_ratings[k] for k in train_idx])
        testset = data.construct_testset([data.raw_ratings[k] for k in test_idx])
        truth = ratings[test_idx].astype(np.float64)
        for n in EPOCHS:
            with threadpool_limits(limits=1, user_api="blas"):
                model = FunkSVD(epochs=n, random_state=fold).fit(train)
            # Surprise clips its estimates to the rating scale; mfviz predictions get the same clip.
            ours[n].append(_errors(np.clip(model.predict(users[test_idx], items[test_idx]), 1, 5), truth)[0])
            estimates = SVD(n_epochs=n, random_state=fold).fit(trainset).test(testset)
            theirs[n].append(_errors(np.array([p.est for p in estimates]), np.array([p.r_ui for p in estimates]))[0])
        print(f"  fold {fold + 1}: at 20 epochs mfviz {ours[20][-1]:.4f}, surprise {theirs[20][-1]:.4f}", flush=True)
    rows = [[n, f"{statistics.fmean(ours[n]):.4f}", f"{statistics.fmean(theirs[n]):.4f}"] for n in EPOCHS]
    best_ours = min(EPOCHS, key=lambda n: statistics.fmean(ours[n]))
    best_theirs = min(EPOCHS, key=lambda n: statistics.fmean(theirs[n]))
    return f"""{title}

Command: `{COMMAND}` (about 70 s here). The folds of the section "Funk SVD and SVD++ vs Surprise"
(`KFold(n_splits=5, random_state=0)`), fold f seeded with random_state=f in both, every hyperparameter at
its default but the number of epochs, predictions clipped to [1, 5]; means over the 5 folds. It shows where
each library's test RMSE bottoms out at Surprise's other defaults: the lowest mean is at {best_ours} epochs
for mfviz ({statistics.fmean(ours[best_ours]):.4f}) and at {best_theirs} for Surprise
({statistics.fmean(theirs[best_theirs]):.4f}).

{table(["epochs", "mean RMSE mfviz Funk SVD", "mean RMSE Surprise SVD"], rows)}
"""
