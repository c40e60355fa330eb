"""Accuracy by user group: every evaluated test user's ranking metrics (and rating errors), and
their means per group of users by activity, with standard errors — which users a model serves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mfviz.errors import DataError
from mfviz.evaluation.metrics import _check_k, test_users, top_k_lists
from mfviz.kernels.metrics import ranking_metrics_per_user

ACTIVITY_GROUPS = 5  # groups of users by activity: quintiles where the ties allow


def per_user(model, test, k: int = 10, max_users: int | None = None, seed: int | None = 0) -> pd.DataFrame:
    """One row per evaluated test user (as `evaluate` ranks them: training items left out): user,
    ndcg@k, recall@k, hit (0/1), and for explicit test data the user's test pairs and the sum of
    their squared rating errors (so a group's RMSE pools its pairs)."""
    k = _check_k(k)
    users = test_users(test, max_users, seed)
    if users.size == 0:
        raise DataError("the test set is empty; raise test_size or use more data")
    relevant = test.matrix[users]
    relevant.sort_indices()
    hits, _, recall, ndcg, _ = ranking_metrics_per_user(top_k_lists(model, users, k), relevant.indptr.astype(np.int64),
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
