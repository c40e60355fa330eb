r"""Trading accuracy for less popular lists: re-ranking with a popularity penalty, and the curve of
held-out accuracy against popularity that its strength traces.

The penalised score of item i for user u is

.. math::
    s'_{ui} = s_{ui} - \beta\,\sigma\,z_i, \qquad
    z_i = \frac{\log(1 + \phi(i)) - \overline{\log(1 + \phi)}}{\operatorname{sd}\log(1 + \phi)},

with :math:`s_{ui}` the model's score (user · item + item bias), :math:`\phi(i)` the item's training
count, :math:`\sigma` the standard deviation of the model's scores (over a seeded sample of users and
items, so that β means the same for a rating model and an implicit one) and β ≥ 0 the strength: at
β = 1, an item one standard deviation more popular (in log count) than another needs a score one
standard deviation higher to rank level with it.

The penalised score re-orders the model's own top 10·k candidates of each user (k the list's
length), as popularity-aware re-ranking does (Abdollahpouri, Burke & Mobasher 2019 re-rank a longer
list from the base recommender for long-tail coverage): a strong penalty then gives the least popular
of the items the model finds relevant. Over the whole catalogue it gave items the model knows
nothing about: on MovieLens 100K (implicit ALS, 64 factors, a three-film profile) every list from β = 1 on
was films with a single rating.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from mfviz.data.interactions import DEFAULT_HEAD_SHARE, long_tail_split
from mfviz.errors import DataError, ModelError
from mfviz.kernels.topk import topk_dot
from mfviz.models.base import check_ids_match

STRENGTHS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)  # β of the curve: none to the tail only
SCALE_USERS, SCALE_ITEMS = 256, 20_000  # sample on which σ, the spread of the scores, is measured
CANDIDATES_PER_SLOT = 10  # the penalty re-orders the model's top 10·k of a user, and reaches no further


def item_offsets(model) -> np.ndarray:
    """The model's per-item score term (its item bias, or zeros), float32."""
    bias = getattr(model, "item_bias", None)
    n_items = np.asarray(model.item_factors).shape[0]
    return np.zeros(n_items, np.float32) if bias is None else np.asarray(bias, np.float32)


def score_spread(model, seed: int = 0) -> float:
    """σ: the standard deviation of the model's scores user · item + item bias over a seeded sample
    of users and items (1.0 when the scores do not vary, so a penalty still orders by popularity)."""
    users, items = np.asarray(model.user_factors, np.float64), np.asarray(model.item_factors, np.float64)
    rng = np.random.default_rng(seed)
    rows = rng.choice(users.shape[0], min(SCALE_USERS, users.shape[0]), replace=False)
    columns = rng.choice(items.shape[0], min(SCALE_ITEMS, items.shape[0]), replace=False)
    scores = users[rows] @ items[columns].T + item_offsets(model)[columns]
    spread = float(scores.std())
    return spread if spread > 0 and np.isfinite(spread) else 1.0


def popularity_z(popularity) -> np.ndarray:
    """z: log(1 + count) standardised over the items (zeros when every item is equally popular)."""
    logged = np.log1p(np.asarray(popularity, np.float64))
    sd = logged.std()
    return (logged - logged.mean()) / sd if sd > 0 else np.zeros_like(logged)


def penalised_offsets(model, popularity, strength: float, spread: float | None = None) -> np.ndarray:
    """Per-item score offsets with the popularity penalty: item bias − β σ z (float32)."""
    popularity = np.asarray(popularity)
    if popularity.shape != (np.asarray(model.item_factors).shape[0],):
        raise ModelError(f"popularity has {popularity.size} entries but the model has "
                         f"{np.asarray(model.item_factors).shape[0]} items")
    spread = score_spread(model) if spread is None else float(spread)
    return item_offsets(model) + penalty(popularity, strength, spread)


def penalty(popularity, strength: float, spread: float) -> np.ndarray:
    """What the popularity penalty adds to each item's score: −β σ z (float32)."""
    strength = float(strength)
    if not np.isfinite(strength) or strength < 0:
        raise DataError(f"the penalty strength must be a number >= 0, got {strength!r}")
    return (-strength * float(spread) * popularity_z(popularity)).astype(np.float32)


def reranked_top_k(user_vectors, model, change: np.ndarray, k: int, exclude: sp.csr_matrix | None = None,
                   candidates: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-k items for each row of `user_vectors` by score + `change` (the penalty), among the row's
    top `candidates` (default 10·k) by the model's own score; ids and penalised scores, two (rows, k)
    arrays, -1 / -inf padding rows with fewer items. Ties keep the model's order."""
    k = int(k)
    return rerank(*candidate_pool(user_vectors, model, k, exclude, candidates), change, k)


def candidate_pool(user_vectors, model, k: int, exclude: sp.csr_matrix | None = None,
                   candidates: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's top `candidates` (default 10·k) items by the model's own score: what `rerank` re-orders.
    The same for every penalty strength, so a curve over strengths finds it once."""
    pool = max(int(k), CANDIDATES_PER_SLOT * int(k) if candidates is None else int(candidates))
    return penalised_top_k(user_vectors, model, item_offsets(model), pool, exclude)


def rerank(ids: np.ndarray, scores: np.ndarray, change: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The top k of a `candidate_pool` (ids, scores) by score + `change`; ties keep the model's order."""
    valid = ids >= 0
    change = np.asarray(change, np.float32)
    adjusted = np.where(valid, scores + change[np.where(valid, ids, 0)], -np.inf).astype(np.float32)
    order = np.argsort(-adjusted, axis=1, kind="stable")[:, :int(k)]
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(adjusted, order, axis=1)


def penalised_top_k(user_vectors, model, offsets: np.ndarray, k: int, exclude: sp.csr_matrix | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Top-k items for each row of `user_vectors` (users' factors or fold-in vectors) by
    vector · item + offsets, leaving out each row's items in `exclude` (rows × items)."""
    queries = np.ascontiguousarray(np.atleast_2d(np.asarray(user_vectors, np.float32)))
    if exclude is None:
        indptr, indices = np.zeros(1, np.int64), np.zeros(0, np.int64)
    else:
        exclude = sp.csr_matrix(exclude)
        indptr, indices = exclude.indptr.astype(np.int64), exclude.indices.astype(np.int64)
    items = np.ascontiguousarray(np.asarray(model.item_factors, np.float32))
    with threadpool_limits(limits=1, user_api="blas"):  # the kernel's prange already uses the cores
        return topk_dot(queries, items, np.ascontiguousarray(offsets, np.float32), int(k), indptr, indices)


def accuracy_popularity_tradeoff(model, train, test, strengths=STRENGTHS, k: int = 10,
                                 sample_users: int | None = 2000, seed: int = 0,
                                 head_share: float = DEFAULT_HEAD_SHARE) -> pd.DataFrame:
    """For each penalty strength β: the held-out accuracy of the penalised lists and how popular
    they are. Lists of k items for the users with test items and training ones, as `evaluate` ranks (a seeded
    sample of `sample_users`), their training items excluded; popularity φ, the long tail and σ come from `train`.

    Columns: strength, ndcg@k, recall@k, precision@k (against `test`), aplt (share of long-tail
    items per list), arp (mean φ of the listed items) and coverage (distinct listed items /
    catalogue), one row per strength in the order given."""
    from mfviz.evaluation.metrics import catalog_coverage, ranking_metrics, test_users

    train_matrix = sp.csr_matrix(getattr(train, "matrix", train))
    test_matrix = sp.csr_matrix(getattr(test, "matrix", test))
    if train_matrix.shape != test_matrix.shape:
        raise DataError(f"train is {train_matrix.shape} and test is {test_matrix.shape}; split one dataset")
    if (np.asarray(model.user_factors).shape[0], np.asarray(model.item_factors).shape[0]) != train_matrix.shape:
        raise ModelError(f"the model's factors do not match the data's {train_matrix.shape[0]} users × "
                         f"{train_matrix.shape[1]} items; use the split the model was trained on")
    check_ids_match(model, train)
    k = int(k)
    if k < 1:
        raise DataError(f"k must be >= 1, got {k}")
    users = test_users(test_matrix, sample_users, seed, train_matrix)  # those evaluate ranks, sampled as it does
    if users.size == 0:
        raise DataError("no test user has a training interaction (or the test set is empty), so there is no accuracy "
                        "to trade; train with a test share above 0, on a split that keeps some of each user's items")
    # each item's training users, counted without turning the whole matrix to CSC (up to 1.3 s at 5M ratings)
    popularity = np.bincount(sp.csr_matrix(train_matrix).indices, minlength=train_matrix.shape[1]).astype(np.float64)
    tail = ~long_tail_split(popularity, head_share)
    spread = score_spread(model, seed)
    vectors = np.asarray(model.user_factors, np.float32)[users]
    pool = candidate_pool(vectors, model, k, train_matrix[users])  # once: β only re-orders it
    rows = []
    for strength in strengths:
        ids, _ = rerank(*pool, penalty(popularity, strength, spread), k)
        valid = ids >= 0
        listed = valid.any(axis=1)  # users with every item seen get no list and are left out of the means
        lengths = np.maximum(valid.sum(axis=1), 1)
        safe = np.where(valid, ids, 0)
        metrics = ranking_metrics(ids, test_matrix[users], k)
        rows.append({"strength": float(strength), f"ndcg@{k}": metrics[f"ndcg@{k}"],
                     f"recall@{k}": metrics[f"recall@{k}"], f"precision@{k}": metrics[f"precision@{k}"],
                     "aplt": float((np.where(valid, tail[safe], False).sum(axis=1) / lengths)[listed].mean()),
                     "arp": float((np.where(valid, popularity[safe], 0.0).sum(axis=1) / lengths)[listed].mean()),
                     "coverage": catalog_coverage(ids, train_matrix.shape[1])})
    return pd.DataFrame(rows)


def within_loss(curve: pd.DataFrame, k: int, loss: float = 0.1) -> pd.Series | None:
    """The row of a trade-off curve with the largest long-tail share among those keeping at least
    (1 − loss) of the unpenalised NDCG@k (None when the curve has no β = 0 row or it finds nothing)."""
    start = curve[curve["strength"] == 0.0]
    if start.empty or not start[f"ndcg@{k}"].iloc[0] > 0:
        return None
    kept = curve[curve[f"ndcg@{k}"] >= (1 - loss) * start[f"ndcg@{k}"].iloc[0]]
    return kept.loc[kept["aplt"].idxmax()]
