"""Accuracy by user group: every evaluated test user's ranking metrics (and rating errors), their
means per group of users by activity, with standard errors — which users a model serves — and the
accuracy for users known only by their first few interactions (how much a new user must tell it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mfviz.errors import DataError
from mfviz.evaluation.metrics import _check_k, test_users, top_k_lists
from mfviz.kernels.metrics import ranking_metrics_per_user

ACTIVITY_GROUPS = 5  # groups of users by activity: quintiles where the ties allow


def per_user(model, test, k: int = 10, max_users: int | None = None, seed: int | None = 0) -> pd.DataFrame:
    """One row per evaluated test user (as `evaluate` ranks them: training items left out, users without a
    training interaction left out): user,
    ndcg@k, recall@k, hit (0/1), and for explicit test data the user's test pairs and the sum of
    their squared rating errors (so a group's RMSE pools its pairs; newcomers' pairs, which `evaluate`'s RMSE
    counts, are in no row)."""
    k = _check_k(k)
    users = test_users(test, max_users, seed, getattr(model, "train_matrix", None))  # as evaluate: known users
    if users.size == 0:
        raise DataError("no test user has an interaction in the training part (or the test set is empty): split so "
                        "that each user keeps some interactions in training, or raise test_size")
    relevant = test.matrix[users]
    relevant.sort_indices()
    hits, _, recall, ndcg, _ = ranking_metrics_per_user(top_k_lists(model, users, k)[0], relevant.indptr.astype(np.int64),
                                                        relevant.indices.astype(np.int64), k)
    frame = pd.DataFrame({"user": users, f"ndcg@{k}": ndcg, f"recall@{k}": recall, "hit": (hits > 0).astype(float)})
    if test.is_explicit:
        coo = relevant.tocoo()
        errors = (model.predict(users[coo.row], coo.col).astype(np.float64) - coo.data) ** 2
        frame["pairs"] = np.bincount(coo.row, minlength=users.size)
        frame["squared_error"] = np.bincount(coo.row, weights=errors, minlength=users.size)
    return frame


def by_activity(frame: pd.DataFrame, activity, groups: int = ACTIVITY_GROUPS) -> pd.DataFrame:
    """Means per group of users by activity (their interactions; equal-size groups by rank, users of
    equal activity always in one group): label, users, lowest/highest/median activity, each metric's mean and standard error, and for
    explicit data the group's RMSE over its test pairs."""
    activity = np.asarray(activity)[frame["user"].to_numpy()]
    if activity.size == 0:
        raise DataError("no user to group")
    # Equal-size groups by rank, ties kept together (a tie takes the group of its first rank), so
    # groups are quantiles where the ties allow and merged where they do not.
    first_rank = np.searchsorted(np.sort(activity), activity, side="left")
    group = first_rank * int(groups) // activity.size
    metrics = [c for c in frame.columns if "@" in c or c == "hit"]
    rows = []
    for g in np.unique(group):
        inside = group == g
        part = frame[inside]
        low, high = int(activity[inside].min()), int(activity[inside].max())
        row = {"group": f"{low:,}–{high:,}" if low != high else f"{low:,}", "users": int(inside.sum()),
               "low": low, "high": high, "median": float(np.median(activity[inside]))}
        for metric in metrics:
            values = part[metric].to_numpy()
            row[metric] = float(values.mean())
            row[f"{metric} se"] = float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else float("nan")
        if "pairs" in frame.columns:
            row["rmse"] = float(np.sqrt(part["squared_error"].sum() / max(part["pairs"].sum(), 1)))
        rows.append(row)
    return pd.DataFrame(rows)


PROFILE_SIZES = (1, 2, 3, 5, 10, 20)
CURVE_USERS = 500  # test users folded in per size, at most (a seeded sample)
MIN_CURVE_USERS = 30  # sizes that fewer users have enough training interactions for are left out


def curve_sizes(train, test, sizes=PROFILE_SIZES) -> list[int]:
    """The profile sizes `profile_size_curve` measures on this split: those that at least
    MIN_CURVE_USERS test users have as many training interactions for (empty: the curve cannot be
    measured, say why with `too_few_for_curve`)."""
    activity = np.diff(train.matrix.indptr)[test_users(test)]
    sizes = sorted({int(s) for s in sizes if s >= 1})
    while sizes and np.sum(activity >= sizes[-1]) < MIN_CURVE_USERS:
        sizes.pop()
    return sizes


def too_few_for_curve(train, test) -> str:
    """Why a split has no profile-size curve, and what to do, in one sentence."""
    known = int(np.sum(np.diff(train.matrix.indptr)[test_users(test)] > 0))
    # no split makes 30 test users out of fewer users; otherwise more of them can be held out
    fix = (f"use more data (at least {MIN_CURVE_USERS} users)" if train.n_users < MIN_CURVE_USERS else
           "use more data, a larger test share, or a split that holds out part of every user's history")
    return (f"how much a new user must tell a model is measured on at least {MIN_CURVE_USERS} test users "
            f"with a training interaction, and this split has {known}; {fix}")


def profile_size_curve(model, train, test, k: int = 10, sizes=PROFILE_SIZES, max_users: int = CURVE_USERS,
                       seed: int = 0) -> pd.DataFrame:
    """Held-out accuracy of users the model knows only by `s` of their training interactions
    (folded in, no retraining), as `s` grows — how much a new user has to tell the model.

    The users: test users with at least max(sizes) training interactions (a seeded sample of
    `max_users`; the largest sizes are dropped while fewer than 30 users have that many). Each
    user's training interactions are put in a seeded random order; the profile of size s is the
    first s of them with their values, so larger profiles hold the smaller. Lists leave out all the
    user's training items (in the profile or not, they are neither new nor held out); the test items
    are the relevant ones. One row per size, and a last one (size 0, label "all") for the same
    users' trained vectors. Columns: size, label, users, ndcg@k, recall@k, hit (with standard
    errors) and, for explicit test data, the RMSE of their test ratings."""
    from mfviz.analysis.tradeoff import item_offsets, penalised_top_k

    k = _check_k(k)
    activity = np.diff(train.matrix.indptr)
    candidates = test_users(test)
    sizes = curve_sizes(train, test, sizes)
    if not sizes:
        raise DataError(too_few_for_curve(train, test))
    users = candidates[activity[candidates] >= sizes[-1]]
    if users.size > max_users:
        users = np.sort(np.random.default_rng(seed).choice(users, max_users, replace=False))
    known = train.matrix[users].tocsr()
    known.sort_indices()
    rows = np.repeat(np.arange(users.size), np.diff(known.indptr))
    # each entry's place in its user's random order: sort by (row, random key), rank within the row
    order = np.lexsort((np.random.default_rng(seed).random(known.nnz), rows))
    rank = np.empty(known.nnz, np.int64)
    rank[order] = np.arange(known.nnz) - known.indptr[rows[order]]
    relevant = test.matrix[users].tocsr()
    relevant.sort_indices()
    offsets = item_offsets(model)
    out = []
    for size in [*sizes, 0]:
        if size:
            keep = rank < size
            profiles = sp.csr_matrix((known.data[keep], known.indices[keep],
                                      np.r_[0, np.cumsum(np.bincount(rows[keep], minlength=users.size))]),
                                     shape=known.shape)
            vectors, biases = model.fold_in_rows(profiles)
        else:  # what the model does knowing everything: the trained vectors
            vectors = np.asarray(model.user_factors)[users]
            biases = np.asarray(model.user_bias)[users] if getattr(model, "user_bias", None) is not None else \
                np.zeros(users.size, np.float32)
        ids, _ = penalised_top_k(vectors, model, offsets, k, known)
        hits, _, recall, ndcg, _ = ranking_metrics_per_user(ids, relevant.indptr.astype(np.int64),
                                                            relevant.indices.astype(np.int64), k)
        row = {"size": size, "label": str(size) if size else "all", "users": int(users.size)}
        for name, values in ((f"ndcg@{k}", ndcg), (f"recall@{k}", recall), ("hit", (hits > 0).astype(float))):
            row[name], row[f"{name} se"] = float(values.mean()), float(values.std(ddof=1) / np.sqrt(values.size))
        if test.is_explicit:
            coo = relevant.tocoo()
            predicted = (getattr(model, "global_mean", 0.0) + biases[coo.row] + offsets[coo.col]
                         + np.einsum("ij,ij->i", vectors[coo.row].astype(np.float64),
                                     np.asarray(model.item_factors, np.float64)[coo.col]))
            row["rmse"] = float(np.sqrt(np.mean((predicted - coo.data) ** 2)))
        out.append(row)
    return pd.DataFrame(out)
