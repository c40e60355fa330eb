"""Accuracy by user group: every evaluated test user's ranking metrics (and rating errors), their
means per group of users by activity, with standard errors — which users a model serves — and the
accuracy for users known only by their first few interactions (how much a new user must tell it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mfviz.errors import DataError
from mfviz.evaluation.metrics import _check_k, test_users, top_k_lists
from mfviz.kernels.metrics import ranking_metrics_per_user
from mfviz.seeds import accepts_seed

ACTIVITY_GROUPS = 5  # groups of users by activity: quintiles where the ties allow


@accepts_seed
def per_user(model, test, k: int = 10, max_users: int | None = None, random_state: int | None = 0) -> pd.DataFrame:
    """One row per evaluated test user (as `evaluate` ranks them: training items left out, users without a
    training interaction left out): user,
    ndcg@k, recall@k, hit (0/1), and for explicit test data the user's test pairs and the sum of
    their squared rating errors (so a group's RMSE pools its pairs; newcomers' pairs, which `evaluate`'s RMSE
    counts, are in no row)."""
    k = _check_k(k)
    users = test_users(test, max_users, random_state, getattr(model, "train_matrix", None))  # as evaluate: known users
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


def activity_groups(activity, groups: int = ACTIVITY_GROUPS) -> np.ndarray:
    """Each user's group (0 = the lightest) by their `activity`: equal-size groups by rank, ties kept together
    (a tie takes the group of its first rank), so groups are quantiles where the ties allow and merged where
    they do not. Group numbers can skip where ties merged groups."""
    activity = np.asarray(activity)
    first_rank = np.searchsorted(np.sort(activity), activity, side="left")
    return first_rank * int(groups) // max(activity.size, 1)


def by_activity(frame: pd.DataFrame, activity, groups: int = ACTIVITY_GROUPS) -> pd.DataFrame:
    """Means per group of users by activity (their interactions; equal-size groups by rank, users of
    equal activity always in one group): label, users, lowest/highest/median activity, each metric's mean and standard error, and for
    explicit data the group's RMSE over its test pairs."""
    activity = np.asarray(activity)[frame["user"].to_numpy()]
    if activity.size == 0:
        raise DataError("no user to group")
    group = activity_groups(activity, groups)
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


@accepts_seed
def profile_size_curve(model, train, test, k: int = 10, sizes=PROFILE_SIZES, max_users: int = CURVE_USERS,
                       random_state: int = 0) -> pd.DataFrame:
    """Held-out accuracy of users the model knows only by `s` of their training interactions
    (folded in, no retraining), as `s` grows — how much a new user has to tell the model: the means of
    `profile_size_per_user` (which says how the users and profiles are drawn) per size
    (`summarise_profile_sizes`). One row per size, and a last one (size 0, label "all") for the same
    users' trained vectors. Columns: size, label, users, ndcg@k, recall@k, hit (with standard
    errors) and, for explicit test data, the RMSE of their test ratings."""
    return summarise_profile_sizes(profile_size_per_user(model, train, test, k, sizes, max_users, random_state))


def summarise_profile_sizes(per_user_rows: pd.DataFrame) -> pd.DataFrame:
    """The curve of `profile_size_curve` from the rows of `profile_size_per_user`: per size (in their order), the
    users, each metric's mean and standard error, and the RMSE pooled over the test ratings when the rows have them."""
    metrics = [c for c in per_user_rows.columns if "@" in c or c == "hit"]
    size_of_row = per_user_rows["size"].to_numpy()
    sizes, first = np.unique(size_of_row, return_index=True)
    out = []
    for size in sizes[np.argsort(first)]:  # in their order in the rows
        inside = size_of_row == size
        row = {"size": int(size), "label": str(size) if size else "all", "users": int(inside.sum())}
        for name in metrics:
            values = per_user_rows[name].to_numpy(np.float64)[inside]
            row[name] = float(values.mean())
            row[f"{name} se"] = float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else float("nan")
        if "pairs" in per_user_rows.columns:
            row["rmse"] = float(np.sqrt(per_user_rows["squared_error"].to_numpy()[inside].sum()
                                        / max(per_user_rows["pairs"].to_numpy()[inside].sum(), 1)))
        out.append(row)
    return pd.DataFrame(out)


@accepts_seed
def profile_size_per_user(model, train, test, k: int = 10, sizes=PROFILE_SIZES, max_users: int = CURVE_USERS,
                          random_state: int = 0) -> pd.DataFrame:
    """Every user's held-out accuracy when the model knows them only by `s` of their training interactions
    (folded in, no retraining), for each size `s`, and with their trained vectors (size 0).

    The users: test users with at least max(sizes) training interactions (a seeded sample of
    `max_users`; the largest sizes are dropped while fewer than 30 users have that many). Each
    user's training interactions are put in a seeded random order; the profile of size s is the
    first s of them with their values, so larger profiles hold the smaller. Lists leave out all the
    user's training items (in the profile or not, they are neither new nor held out); the test items
    are the relevant ones. One row per size (in the order of `sizes`, then 0) and user: size, user,
    ndcg@k, recall@k, hit and, for explicit test data, the user's test pairs and the sum of their squared
    rating errors. The same users at every size, so two models (or a model and a baseline) on one split
    compare user by user (`first_size_beating`)."""
    from mfviz.analysis.tradeoff import item_offsets, penalised_top_k

    k = _check_k(k)
    activity = np.diff(train.matrix.indptr)
    candidates = test_users(test)
    sizes = curve_sizes(train, test, sizes)
    if not sizes:
        raise DataError(too_few_for_curve(train, test))
    users = candidates[activity[candidates] >= sizes[-1]]
    if users.size > max_users:
        users = np.sort(np.random.default_rng(random_state).choice(users, max_users, replace=False))
    known = train.matrix[users].tocsr()
    known.sort_indices()
    rows = np.repeat(np.arange(users.size), np.diff(known.indptr))
    # each entry's place in its user's random order: sort by (row, random key), rank within the row
    order = np.lexsort((np.random.default_rng(random_state).random(known.nnz), rows))
    rank = np.empty(known.nnz, np.int64)
    rank[order] = np.arange(known.nnz) - known.indptr[rows[order]]
    relevant = test.matrix[users].tocsr()
    relevant.sort_indices()
    offsets = item_offsets(model)
    if test.is_explicit:
        coo = relevant.tocoo()
        pairs = np.bincount(coo.row, minlength=users.size)
    columns: dict[str, list[np.ndarray]] = {}
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
        part = {"size": np.full(users.size, size, np.int64), "user": users, f"ndcg@{k}": ndcg,
                f"recall@{k}": recall, "hit": (hits > 0).astype(float)}
        if test.is_explicit:
            predicted = (getattr(model, "global_mean", 0.0) + biases[coo.row] + offsets[coo.col]
                         + np.einsum("ij,ij->i", vectors[coo.row].astype(np.float64),
                                     np.asarray(model.item_factors, np.float64)[coo.col]))
            part["pairs"] = pairs
            part["squared_error"] = np.bincount(coo.row, weights=(predicted - coo.data) ** 2, minlength=users.size)
        for name, values in part.items():
            columns.setdefault(name, []).append(values)
    return pd.DataFrame({name: np.concatenate(values) for name, values in columns.items()})


# ----------------------------------------------------------------- which differences are more than noise
Z95 = 1.959963984540054  # two-sided 95% of the normal distribution


def paired_difference(first: pd.DataFrame, second: pd.DataFrame, column: str) -> tuple[float, float, int]:
    r"""`first`'s `column` minus `second`'s over the users both frames hold (one row per user, a ``user`` column),
    with the half-width of its 95% interval from the spread of the per-user differences (a paired interval:
    what the users have in common, their difficulty, cancels), and the number of users.

    Ranking metrics: the mean of :math:`d_u = a_u - b_u` ± 1.96 :math:`s_d/\sqrt{n}`. ``"rmse"``: the difference of
    the two RMSEs pooled over the users' test ratings (columns ``pairs`` and ``squared_error``); its interval is
    the ratio estimator's for the difference of mean squared errors, divided by the sum of the two RMSEs
    (:math:`\sqrt a - \sqrt b = (a - b)/(\sqrt a + \sqrt b)`). NaN half-width with fewer than two users."""
    both = first.merge(second, on="user", suffixes=("_a", "_b"))
    n = len(both)
    if column == "rmse":
        weights = both["pairs_a"].to_numpy(np.float64)
        total = max(weights.sum(), 1.0)
        error_a, error_b = both["squared_error_a"].to_numpy(np.float64), both["squared_error_b"].to_numpy(np.float64)
        mse_difference = (error_a - error_b).sum() / total
        rmse_a, rmse_b = np.sqrt(error_a.sum() / total), np.sqrt(error_b.sum() / total)
        if n < 2:
            return float(rmse_a - rmse_b), float("nan"), n
        residual = error_a - error_b - mse_difference * weights
        spread = np.sqrt(n / (n - 1) * np.sum(residual ** 2)) / total
        return float(rmse_a - rmse_b), float(Z95 * spread / max(rmse_a + rmse_b, 1e-12)), n
    difference = both[f"{column}_a"].to_numpy(np.float64) - both[f"{column}_b"].to_numpy(np.float64)
    if n < 2:
        return (float(difference.mean()) if n else float("nan")), float("nan"), n
    return float(difference.mean()), float(Z95 * difference.std(ddof=1) / np.sqrt(n)), n


@dataclass(frozen=True)
class Leader:
    """Which of several models does best on the same users (`clear_best`)."""

    order: list[str]  # every candidate, best value first
    values: dict[str, float]  # each candidate's mean (pooled RMSE for "rmse") over the users
    tied: list[str]  # the best and every candidate whose paired interval against it holds 0 (best first)
    runner_up: str | None  # the second best by value
    difference: float  # the best's lead over the runner-up (positive: better, in the metric's units)
    half_width: float  # of the lead's 95% paired interval
    users: int

    @property
    def best(self) -> str | None:
        """The one model clearly ahead of every other, or None when some tie with it."""
        return self.tied[0] if len(self.tied) == 1 else None


def clear_best(frames: dict[str, pd.DataFrame], column: str, lower_is_better: bool = False) -> Leader:
    """Which of `frames` (per-user metrics of several models on the same users, as `per_user` gives) does best on
    `column`, and whether that is more than noise: the candidate of the best mean is named alone only when its
    paired 95% interval (`paired_difference`) against every other candidate, the runner-up included, lies
    wholly on its side of 0; the others whose interval holds 0 tie with it."""
    sign = -1.0 if lower_is_better else 1.0

    def value(frame: pd.DataFrame) -> float:
        if column == "rmse":
            return float(np.sqrt(frame["squared_error"].sum() / max(frame["pairs"].sum(), 1)))
        return float(frame[column].mean())

    values = {name: value(frame) for name, frame in frames.items()}
    order = sorted(values, key=lambda name: -sign * values[name])  # stable: ties keep the given order
    best = order[0]
    tied, lead, half = [best], float("nan"), float("nan")
    for name in order[1:]:
        difference, width, _ = paired_difference(frames[best], frames[name], column)
        ahead = sign * difference
        if name == order[1]:
            lead, half = ahead, width
        if not ahead - width > 0:  # NaN (too few users to tell) is a tie too
            tied.append(name)
    return Leader(order, values, tied, order[1] if len(order) > 1 else None, lead, half,
                  int(len(frames[best])))


def first_size_beating(model_rows: pd.DataFrame, baseline_rows: pd.DataFrame, column: str
                       ) -> tuple[int | None, bool]:
    """From which profile size a model beats a baseline beyond noise (`profile_size_per_user` rows of both, on one
    split): the first size whose paired 95% interval of the per-user difference (`paired_difference`) lies above
    0 (None: no size does), and whether the model's trained vectors (size 0) do."""
    first, trained = None, False
    for size, part in model_rows.groupby("size", sort=False):
        other = baseline_rows[baseline_rows["size"] == size]
        if other.empty:  # a baseline that ignores the profile: any of its sizes is every size
            other = baseline_rows[baseline_rows["size"] == baseline_rows["size"].iloc[0]]
        difference, width, _ = paired_difference(part, other, column)
        above = difference - width > 0
        if size == 0:
            trained = bool(above)
        elif above and first is None:
            first = int(size)
    return first, trained
