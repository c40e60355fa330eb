"""A new item (cold start): its vector folded in from its first users, the items it lands among,
and how many users' top-n lists it would enter as its audience grows, next to the items the data has.

The reach of an item is the number of users whose top-n it is in (or, for the new item, would enter:
its score user · item + item bias beats the user's n-th best among the items the user does not
have). The existing items' reach comes from the same top-n lists, so the two compare directly.

Only the users the model was trained on count (`untrained_users`): a user a split held out entirely has a
vector never fitted, so their list is ranked by the item biases alone (or is the catalogue in index order), and a
new item whose bias beats theirs "enters" it whoever its first users are (MovieLens 100K, ALS, time split 50%:
871 users reached, 97.5% of users, 427 of them untrained). They are left out of the users ranked, of the first
users and of every share's denominator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mfviz.errors import DataError
from mfviz.models.sanity import untrained_users

REACH_USERS = 5_000  # users whose lists are ranked (a seeded sample beyond that; reach is scaled up)
RANDOM_DRAWS = 20  # audiences of random users drawn to compare the real first users with
AUDIENCE_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000)


@dataclass(frozen=True)
class Reach:
    """The top-n lists of a sample of the users a model was trained on, against which a new item is ranked."""

    users: np.ndarray  # the sampled user indices
    thresholds: np.ndarray  # each sampled user's n-th best score (−inf: fewer than n items left)
    counts: np.ndarray  # per existing item, the sampled users whose top-n holds it
    n: int
    trained: np.ndarray  # the indices of the users the model was trained on: those a new item can reach
    untrained_holders: np.ndarray  # per existing item, the users the model was not trained on who have it
    data_users: int  # users in the data

    @property
    def n_users(self) -> int:
        """Users a new item can reach: those the model was trained on."""
        return self.trained.size

    @property
    def left_out(self) -> int:
        """Users of the data the model was never trained on, left out."""
        return self.data_users - self.trained.size

    @property
    def scale(self) -> float:
        """Users it can reach per sampled user."""
        return self.n_users / max(self.users.size, 1)

    def of_scores(self, scores: np.ndarray, exclude: np.ndarray) -> np.ndarray:
        """Which sampled users a new item with these scores (one per sampled user) would reach:
        score above the user's n-th best, users in `exclude` (its audience: they have it) left out."""
        reached = np.asarray(scores) > self.thresholds
        reached[np.isin(self.users, exclude)] = False
        return reached


def reach_baseline(model, matrix, n: int = 10, sample: int = REACH_USERS, seed: int = 0) -> Reach:
    """Top-n lists (leaving out what each user has in `matrix`, the data) of up to `sample` of the users the
    model was trained on (a seeded sample, drawn as from all users when every user is trained)."""
    matrix = sp.csr_matrix(matrix)
    untrained = untrained_users(model)
    trained = np.flatnonzero(~untrained)
    if trained.size == 0:
        raise DataError(f"{getattr(model, 'label', 'the model')} was trained on none of these users: a new item "
                        "can reach nobody whose list says anything")
    users = (trained if trained.size <= sample
             else np.sort(np.random.default_rng(seed).choice(trained, sample, replace=False)))
    ids, scores = model.recommend(users, n=int(n), exclude=matrix, warn_untrained=False)
    thresholds = np.asarray(scores, np.float64)[:, -1]
    counts = np.bincount(ids[ids >= 0], minlength=matrix.shape[1])
    holders = np.bincount(matrix[np.flatnonzero(untrained)].indices, minlength=matrix.shape[1])
    return Reach(users, np.where(ids[:, -1] >= 0, thresholds, -np.inf), counts, int(n), trained, holders,
                 matrix.shape[0])


def trained_audience(model, users, values) -> tuple[np.ndarray, np.ndarray, int]:
    """The users of an `audience` the model was trained on, in the same order, with their values, and how many
    were left out. A first user whose vector was never fitted tells the fold-in nothing about where the item
    lies, yet their value still moves its bias (MovieLens 100K, ALS, time split 50%: 25 of 50 fans of an item). Users
    that factors trained elsewhere have no vector for (a zero row) are left out too: fold_in_item would leave them out
    with a warning a page never shows."""
    users, values = np.asarray(users, np.int64), np.asarray(values)
    kept = ~untrained_users(model)[users]
    if getattr(model, "zero_row_unknown", False):  # factors from elsewhere (Spark): an id it lacks has a zero vector
        kept &= np.asarray(model.user_factors)[users].any(axis=1)
    return users[kept], values[kept], int((~kept).sum())


def liked_at(values, counts) -> float:
    """The median rating, from the distinct ratings and how often each occurs (as np.median of all
    of them, without sorting them all): what a user must give an item to count as its fan."""
    values, counts = np.asarray(values, np.float64), np.asarray(counts, np.int64)
    order = np.argsort(values)
    values, cumulative = values[order], np.cumsum(counts[order])
    total = int(cumulative[-1])
    lower = values[np.searchsorted(cumulative, (total - 1) // 2, side="right")]  # 0-based ranks
    upper = values[np.searchsorted(cumulative, total // 2, side="right")]
    return float((lower + upper) / 2)


def audience(matrix, items, at_least: float | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The users who have any of `items` (with a value >= at_least, when given) in a seeded random
    order, so that its first m are a random audience of m and a larger audience holds every smaller
    one; and each one's value: the largest they gave those items."""
    matrix = sp.csr_matrix(matrix)
    items = np.unique(np.asarray(items, np.int64))
    if items.size == 0:
        raise DataError("pick at least one item whose users become the new item's first users")
    if items.min() < 0 or items.max() >= matrix.shape[1]:
        raise DataError(f"item index {int(items.max())} is out of range: the data has {matrix.shape[1]} items")
    columns = matrix[:, items].tocsr()
    if at_least is not None:
        columns.data = np.where(columns.data >= at_least, columns.data, 0)
        columns.eliminate_zeros()
    users = np.flatnonzero(np.diff(columns.indptr) > 0)
    values = np.asarray(columns[users].max(axis=1).todense(), np.float32).ravel()
    order = np.random.default_rng(seed).permutation(users.size)
    return users[order], values[order]


def scores_of(model, reach: Reach, vector: np.ndarray, bias: float) -> np.ndarray:
    """The new item's score (user · item + item bias) for each sampled user."""
    return np.asarray(model.user_factors, np.float64)[reach.users] @ np.asarray(vector, np.float64) + bias


def fold_and_reach(model, reach: Reach, users, values) -> tuple[np.ndarray, float, np.ndarray]:
    """A new item folded in from these users and values: its vector, its bias and which sampled
    users (of `reach`) it would reach."""
    vector, bias = model.fold_in_item(users, values, return_bias=True)
    return vector, bias, reach.of_scores(scores_of(model, reach, vector, bias), users)


def reach_curve(model, reach: Reach, users: np.ndarray, values: np.ndarray,
                sizes=AUDIENCE_SIZES) -> pd.DataFrame:
    """How the new item's reach grows with its audience: one row per audience size (the first m
    users of `users`, and all of them), with the users reached (scaled to the users it can reach) and their
    share of those who do not have it yet, its vector length and its bias."""
    users, values = np.asarray(users, np.int64), np.asarray(values, np.float32)
    steps = sorted({int(m) for m in sizes if 0 < m < users.size} | {users.size})
    rows = []
    for m in steps:
        vector, bias, reached = fold_and_reach(model, reach, users[:m], values[:m])
        rows.append({"audience": m, "reached": float(reached.sum() * reach.scale),
                     "share": float(reached.sum() * reach.scale / max(reach.n_users - m, 1)),
                     "norm": float(np.linalg.norm(vector)), "bias": bias})
    return pd.DataFrame(rows)


def random_reach(model, reach: Reach, size: int, values, draws: int = RANDOM_DRAWS, seed: int = 0) -> float:
    """The median reach of a new item whose `size` first users are drawn at random from the users it can reach
    (giving it the real first users' `values`, shuffled), over `draws` draws: what the audience's
    size alone earns, to set against who the real first users are (ML-100K, implicit ALS: 50 fans of
    Star Wars reach 62 users, 50 random users a median of 94; the data's items of ~50 interactions 3)."""
    rng = np.random.default_rng(seed)
    values = np.asarray(values, np.float32)[:size]
    counts = []
    for _ in range(int(draws)):
        users = np.sort(rng.choice(reach.trained, size, replace=False))
        counts.append(fold_and_reach(model, reach, users, rng.permutation(values))[2].sum() * reach.scale)
    return float(np.median(counts))


def existing_reach(reach: Reach, popularity) -> pd.DataFrame:
    """The data's items as the new item's yardstick: popularity against users reached (scaled) and
    their share of the users it can reach who do not have the item (popularity counts the users who have it)."""
    popularity = np.asarray(popularity)
    reached = reach.counts * reach.scale
    holders = popularity - reach.untrained_holders  # those of the users it can reach who have it
    return pd.DataFrame({"popularity": popularity, "reached": reached,
                         "share": reached / np.maximum(reach.n_users - holders, 1)})


def typical_reach(existing: pd.DataFrame, audience_size: int) -> float:
    """The median reach of the data's items about as popular as `audience_size` (within a factor
    of 1.5 either way; NaN when no item is)."""
    popularity = existing["popularity"].to_numpy(np.float64)
    near = (popularity >= audience_size / 1.5) & (popularity <= audience_size * 1.5)
    return float(np.median(existing["reached"].to_numpy()[near])) if near.any() else float("nan")


@dataclass(frozen=True)
class NewItem:
    """A new item folded in from its first users, and whose top-n lists it would enter."""

    vector: np.ndarray
    bias: float
    first_users: np.ndarray
    reached: np.ndarray  # per sampled user of the Reach: would it enter their top n?
    count: float  # users reached, scaled to all the users it can reach (those the model was trained on)
    share: float  # of the users it can reach who do not have it
    typical: float  # the median reach of the data's items about as popular (NaN: none is)
    random: float  # the median reach of the same item from as many random first users (`random_reach`)
    curve: pd.DataFrame  # reach_curve over all of `users`
    existing: pd.DataFrame  # existing_reach: the data's items


def place_new_item(model, reach: Reach, users, values, size: int, popularity) -> NewItem:
    """The new item whose first users are the first `size` of `users` (an `audience`, of the users the model was
    trained on: `trained_audience`), with its reach, the curve of its reach over the whole audience and the data's
    items to compare with."""
    users, values = np.asarray(users, np.int64), np.asarray(values, np.float32)
    first = users[:size]
    vector, bias, reached = fold_and_reach(model, reach, first, values[:size])
    count = float(reached.sum() * reach.scale)
    existing = existing_reach(reach, popularity)
    return NewItem(vector, bias, first, reached, count, count / max(reach.n_users - first.size, 1),
                   typical_reach(existing, first.size), random_reach(model, reach, first.size, values[:size]),
                   reach_curve(model, reach, users, values), existing)
