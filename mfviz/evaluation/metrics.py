"""Accuracy metrics (RMSE, MAE) and top-k ranking metrics, and `evaluate` that reports them all.

Ranking protocol: each user with at least one test interaction gets a top-k list from
`model.recommend(users, n=k, exclude_seen=True)`, so the user's training items never appear in
it; every test item of the user counts as relevant (binary relevance, ratings not thresholded).
Per-user values are averaged over those users.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from mfviz.errors import DataError, ModelError
from mfviz.kernels.metrics import ranking_metrics_per_user
from mfviz.models.base import check_ids_match
from mfviz.seeds import accepts_seed

RANKING_BATCH = 4096  # users ranked per recommend call: bounds memory, keeps progress granular


def rmse(predicted, actual) -> float:
    r"""Root mean squared error.

    .. math:: \mathrm{RMSE} = \sqrt{\frac{1}{|T|} \sum_{(u,i) \in T} (\hat r_{ui} - r_{ui})^2}
    """
    predicted, actual = _pair(predicted, actual)
    return float(np.sqrt(np.mean((predicted - actual) ** 2)))


def mae(predicted, actual) -> float:
    r"""Mean absolute error.

    .. math:: \mathrm{MAE} = \frac{1}{|T|} \sum_{(u,i) \in T} |\hat r_{ui} - r_{ui}|
    """
    predicted, actual = _pair(predicted, actual)
    return float(np.mean(np.abs(predicted - actual)))


def ranking_metrics(recommended, relevant: sp.csr_matrix, k: int) -> dict[str, float]:
    r"""Precision, recall, NDCG, MAP and hit rate at k, averaged over rows with a relevant item.

    `recommended` is (m, >= k) item indices, best first, -1 for padding; `relevant` is an
    (m, n_items) sparse matrix whose stored entries are the relevant items of each row. With
    :math:`L_u` the top-k list of user u, :math:`T_u` its relevant items,
    :math:`\mathrm{rel}_u(r) = 1` when the item at rank r is in :math:`T_u`, and U the rows with
    :math:`|T_u| \ge 1`, each value is the mean over U of

    .. math::
        P@k = \frac{|L_u \cap T_u|}{k}, \qquad
        R@k = \frac{|L_u \cap T_u|}{|T_u|}, \qquad
        \mathrm{HR}@k = [\,|L_u \cap T_u| > 0\,],

        \mathrm{NDCG}@k = \frac{\sum_{r=1}^{k} \mathrm{rel}_u(r) / \log_2(r + 1)}
                               {\sum_{r=1}^{\min(k, |T_u|)} 1 / \log_2(r + 1)}, \qquad
        \mathrm{AP}@k = \frac{1}{\min(k, |T_u|)} \sum_{r=1}^{k} \mathrm{rel}_u(r)\, P@r .

    Recall divides by :math:`|T_u|` (as RecBole and Microsoft Recommenders), so a user with
    more than k test items cannot reach 1; MAP's normaliser :math:`\min(k, |T_u|)` is the
    usual one (Kaggle's apk, RecBole). A padded slot (-1) is never a hit but still counts in k.
    """
    k = _check_k(k)
    recommended = np.ascontiguousarray(recommended, dtype=np.int64)
    relevant = sp.csr_matrix(relevant)
    if recommended.ndim != 2 or recommended.shape[0] != relevant.shape[0] or recommended.shape[1] < k:
        raise DataError(f"recommended must be ({relevant.shape[0]}, >= {k}) item indices, "
                        f"got shape {recommended.shape}")
    relevant.sort_indices()
    hits, precision, recall, ndcg, average_precision = ranking_metrics_per_user(
        recommended, relevant.indptr.astype(np.int64), relevant.indices.astype(np.int64), k)
    counted = np.diff(relevant.indptr) > 0
    if not counted.any():
        raise DataError("no user has a relevant (test) item, so ranking metrics are undefined")
    return {f"precision@{k}": float(precision[counted].mean()),
            f"recall@{k}": float(recall[counted].mean()),
            f"ndcg@{k}": float(ndcg[counted].mean()),
            f"map@{k}": float(average_precision[counted].mean()),
            f"hit_rate@{k}": float((hits[counted] > 0).mean())}


def catalog_coverage(recommended, n_items: int) -> float:
    r"""Share of the catalogue that appears in at least one list:
    :math:`|\bigcup_u L_u| / n_{\mathrm{items}}` (padding ignored)."""
    recommended = np.asarray(recommended, dtype=np.int64).ravel()
    shown = np.zeros(n_items, bool)
    shown[recommended[recommended >= 0]] = True
    return float(shown.mean())


@accepts_seed
def evaluate(model, train, test, k: int = 10, max_users: int | None = None,
             random_state: int | None = 0) -> dict[str, float | int]:
    """Score a model fitted on `train` against the held-out `test` (same index space).

    An unfitted model is fitted on `train` first. Returns `rmse`, `mae` (explicit test data only: predictions on the test pairs, not clipped),
    `precision@k`, `recall@k`, `ndcg@k`, `map@k`, `hit_rate@k` (see `ranking_metrics`; every test interaction is
    relevant whatever its value, a 1-star rating too, as in the implicit-feedback literature),
    `coverage@k` (see `catalog_coverage`, over the lists of the evaluated users),
    `fit_seconds`, `users_evaluated`, `users_without_training` (test users with no training
    interaction, left out of the ranking metrics: see `known_users`; their pairs count in RMSE and MAE, predicted
    from the global mean and item bias), `lists_tied` (lists whose k items all scored alike, drawn at random among the
    tied: see `top_k_lists`), `test_interactions` and `evaluate_seconds` (ranking and scoring only). Ranking scores every item for every test user, which dominates the time on
    large catalogues; `max_users` ranks a seeded random sample of that many test users instead
    (RMSE and MAE still use every test pair). RMSE and MAE count every test pair, those of a user or an item without
    a training interaction too (scored from the global mean, the biases and a vector fitted to nothing), as Surprise
    does; Spark's ALS with coldStartStrategy="drop" leaves them out. To compare with it, drop them first:
    `coo = test.matrix.tocoo()`, `warm = (train.user_activity[coo.row] > 0) & (train.item_popularity[coo.col] > 0)`,
    `evaluate(model, train, split_by_mask(test, ~warm)[0])`. Items the model saw in
    training (its `train_matrix`, set by `fit`) are excluded from the lists, so `train` must be
    the data the model was fitted on.
    """
    k = _check_k(k)
    if test.matrix.shape != train.matrix.shape:
        raise DataError(f"train is {train.matrix.shape} and test is {test.matrix.shape}; split one "
                        "Interactions with mfviz.evaluation so their indices line up")
    if not model.is_fitted:
        model.fit(train)
    if (model.n_users, model.n_items) != train.matrix.shape:
        raise ModelError(f"the model has {model.n_users} users × {model.n_items} items but the data "
                         f"has {train.n_users} × {train.n_items}; fit the model on `train`")
    check_ids_match(model, train)
    if model.train_matrix is None and hasattr(model, "aligned_to"):
        raise ModelError("the model's factors came without their training interactions, so the items it trained on "
                         "cannot be left out of its lists: evaluate model.aligned_to(train), with `train` the data "
                         "the factors were trained on")
    if model.train_matrix is None or not same_interactions(model.train_matrix, train.matrix):
        raise ModelError("the model was not fitted on `train`: its training interactions are not the "
                         "same user-item pairs (another split, or other data), so the items it trained on "
                         "would count as hits; fit it on this `train`, or split with the seed it was fitted on")
    if test.nnz == 0:
        raise DataError("the test set is empty; raise test_size or use more data")
    started = time.perf_counter()
    results: dict[str, float | int] = {"fit_seconds": model.fit_seconds}
    if test.is_explicit:
        coo = test.matrix.tocoo()
        predicted = model.predict(coo.row, coo.col)
        results["rmse"] = rmse(predicted, coo.data)
        results["mae"] = mae(predicted, coo.data)
        if not judged_by_rmse(model):
            results["rmse_note"] = rmse_note(model)

    # users with nothing in the training part are left out of the ranking metrics (known_users), and counted
    results["users_without_training"] = int((~known_users(train.matrix)[test_users(test)]).sum())
    users = test_users(test, max_users, random_state, train.matrix)
    if users.size == 0:
        raise DataError(f"no test user has an interaction in the training part (all {results['users_without_training']:,} "
                        "are new to it), so no model has learned anything to rank for them: split so that each user "
                        "keeps some interactions in training (by user, or leave-k-out)")
    recommended, tied = top_k_lists(model, users, k, random_state)
    results.update(ranking_metrics(recommended, test.matrix[users], k))
    results[f"coverage@{k}"] = catalog_coverage(recommended, test.n_items)
    results["users_evaluated"] = int(users.size)
    results["lists_tied"] = int(tied.sum())
    results["test_interactions"] = int(test.nnz)
    results["evaluate_seconds"] = time.perf_counter() - started
    return results


def same_interactions(fitted: sp.csr_matrix, train: sp.csr_matrix) -> bool:
    """Whether two users × items matrices store the same (user, item) pairs, values aside.

    Comparing counts alone let a model fitted on another random split of the same size through
    (every such split has the same nnz), and its training items then scored as test hits. Two
    array comparisons, O(nnz): 9-20 ms measured on 20M ratings (a
    162k × 59k matrix), nothing next to ranking.
    """
    if fitted.shape != train.shape or fitted.nnz != train.nnz:
        return False
    if not train.has_sorted_indices:  # `fit` sorted its copy; compare like with like
        train = train.sorted_indices()
    return bool(np.array_equal(fitted.indptr, train.indptr) and np.array_equal(fitted.indices, train.indices))


# Models whose scores are not predicted ratings, whatever the data: the Popularity baseline (counts)
# and Truncated SVD, which fits the missing entries as zeros, so its scores of unseen pairs sit near 0
# and its RMSE measures those zeros (2.9999 on a random 20% of MovieLens 100K), not the model.
NOT_RATINGS = ("popularity", "svd")


def judged_by_rmse(model) -> bool:
    """Whether a model's RMSE means something: not for models of implicit feedback, the Popularity
    baseline or Truncated SVD, which were never trained to predict ratings (`NOT_RATINGS`)."""
    return getattr(model, "feedback", "any") != "implicit" and getattr(model, "name", "") not in NOT_RATINGS


def rmse_note(model) -> str:
    """Why a model's RMSE and MAE measure nothing (for a model `judged_by_rmse` says no to): said beside them, since
    they stay in every result on ratings (scripts read them) yet a ranker's are no measure of it."""
    how = "it reads missing entries as zeros" if getattr(model, "name", "") == "svd" else "it ranks items"
    return (f"{getattr(model, 'label', 'this model')} does not predict ratings ({how}): its rmse and mae measure "
            "nothing it was trained for; compare it by the ranking metrics")


def test_users(test, max_users: int | None = None, seed: int | None = 0, train=None) -> np.ndarray:
    """The users with a test interaction — given `train` (the users × items matrix the model was fitted on),
    only those with a training interaction too (`known_users`) —, or a seeded random sample of `max_users`
    of them (sorted). `test`: an Interactions or a users × items CSR matrix."""
    users = np.flatnonzero(np.diff(getattr(test, "matrix", test).indptr) > 0)
    if train is not None:
        users = users[known_users(train)[users]]
    if max_users is not None:
        if isinstance(max_users, bool) or not isinstance(max_users, int | np.integer) or max_users < 1:
            raise DataError(f"max_users must be a positive integer or None, got {max_users!r}")
        if users.size > max_users:
            users = np.sort(np.random.default_rng(seed).choice(users, size=int(max_users), replace=False))
    return users


def known_users(train) -> np.ndarray:
    """Which users have an interaction in `train` (a users × items matrix, or an Interactions). The others have
    no vector a model learned: implicit ALS and Truncated SVD rank every item alike for them (drawn at random),
    Funk SVD by its item biases, the Popularity baseline by popularity, so counting them in a ranking metric
    compares fallbacks, not models (a time split of MovieLens 100K: 192 of 301 test users, whose lists gave
    implicit ALS NDCG@10 0.078 against the baseline's 0.340; 0.135 against 0.146 on the others)."""
    matrix = getattr(train, "matrix", train)
    return np.diff(sp.csr_matrix(matrix).indptr) > 0


def top_k_lists(model, users: np.ndarray, k: int, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """(len(users), k) top-k item indices of each user, training items left out, in batches, and
    which lists were drawn at random. A
    list whose k items all score alike (a user the model knows nothing of: no training data, a zero
    vector) is k items drawn at random (seeded) from those tied at the top, not the first k by index:
    that made the metrics depend on how the items are numbered (a Truncated SVD scored NDCG@10 0.171
    with ids that follow popularity, 0.021 with the same ids shuffled)."""
    recommended = np.empty((users.size, k), np.int64)
    tied = np.zeros(users.size, bool)
    # recommend scores blocks of users with a BLAS product inside numba's parallel loop; a
    # multi-threaded BLAS there oversubscribes the cores (measured 2-3x slower on 2 cores).
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, users.size, RANKING_BATCH):
            batch = users[start:start + RANKING_BATCH]
            ids, scores = model.recommend(batch, n=k, exclude_seen=True, warn_untrained=False)  # drawn below
            recommended[start:start + batch.size] = ids
            tied[start:start + batch.size] = (ids[:, -1] >= 0) & (scores[:, 0] == scores[:, -1])
        _draw_tied_lists(model, users, np.flatnonzero(tied), k, np.random.default_rng(seed), recommended)
    return recommended, tied


def _draw_tied_lists(model, users: np.ndarray, rows: np.ndarray, k: int, rng: np.random.Generator,
                     recommended: np.ndarray) -> None:
    """Fill `recommended[rows]` with k items drawn from each row's items tied at the top score.

    Finding a tie set ranks the whole catalogue. Users without training items and with the same
    vector (the cold users of a split, all zero vectors) have the same scores and nothing to leave
    out, so they share one tie set: ranked once per distinct vector, not once per user (20,000 such
    users of 20,000 items: 60 s one by one). The rest, users with training items whose k best unseen
    items all tie, are ranked one by one, in batches."""
    seen = np.diff(model.train_matrix.indptr)[users[rows]]
    cold, warm = rows[seen == 0], rows[seen > 0]
    if cold.size:
        vectors = np.asarray(model.user_factors)[users[cold]]
        _, first, group = np.unique(vectors, axis=0, return_index=True, return_inverse=True)
        group = group.ravel()
        for g, row in enumerate(cold[first]):
            members = cold[group == g]
            recommended[members] = _draws(_tie_sets(model, users[[row]])[0], members.size, k, rng)
    for start in range(0, warm.size, RANKING_BATCH // 8):  # every item's score: smaller batches
        batch = warm[start:start + RANKING_BATCH // 8]
        for row, pool in zip(batch, _tie_sets(model, users[batch]), strict=True):
            recommended[row] = _draws(pool, 1, k, rng)[0]


def _tie_sets(model, users: np.ndarray) -> list[np.ndarray]:
    """For each user, the unseen items scoring as high as its best one."""
    ids, scores = model.recommend(users, n=model.n_items, exclude_seen=True, warn_untrained=False)
    return [items[(values == values[0]) & (items >= 0)] for items, values in zip(ids, scores, strict=True)]


def _draws(pool: np.ndarray, m: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """(m, k): each row k distinct items of `pool` (>= k of them) drawn uniformly in random order."""
    if pool.size < k * k:  # k is a large share of the pool: a random order of the pool, cut at k
        step = max(1, 2**22 // pool.size)  # rows per chunk: a few million random keys at a time
        return np.concatenate([pool[np.argsort(rng.random((min(step, m - start), pool.size)), axis=1)[:, :k]]
                               for start in range(0, m, step)])
    # k independent draws, a row drawn again while it repeats an item: the chance of a repeat is at
    # most k²/(2|pool|) <= 1/2 per round, and a row kept only without repeats is uniform over the
    # ordered k-subsets
    picks = rng.integers(0, pool.size, (m, k))
    repeats = np.arange(m)
    while repeats.size:
        ordered = np.sort(picks[repeats], axis=1)
        repeats = repeats[(ordered[:, 1:] == ordered[:, :-1]).any(axis=1)]
        picks[repeats] = rng.integers(0, pool.size, (repeats.size, k))
    return pool[picks]


def _check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise DataError(f"k (the list length) must be a positive integer, got {k!r}")
    return int(k)


def _pair(predicted, actual) -> tuple[np.ndarray, np.ndarray]:
    predicted = np.asarray(predicted, np.float64).ravel()
    actual = np.asarray(actual, np.float64).ravel()
    if predicted.shape != actual.shape or predicted.size == 0:
        raise DataError(f"need equally many predictions and true values (at least one), got "
                        f"{predicted.size} and {actual.size}")
    return predicted, actual
