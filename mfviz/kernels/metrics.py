"""Per-user ranking metrics at k: recommended lists scored against held-out items in CSR form."""

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True)
def _contains(sorted_values, value):
    """True when `value` is in the ascending array `sorted_values` (binary search)."""
    lo = 0
    hi = sorted_values.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_values[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo < sorted_values.shape[0] and sorted_values[lo] == value


@njit(cache=True, nogil=True, parallel=True)
def ranking_metrics_per_user(recommended, test_indptr, test_indices, k):
    """Hits, precision, recall, NDCG and average precision at k for each row of `recommended`.

    recommended: (m, >= k) int64 item indices, best first, -1 for padding (never relevant);
    test_indptr (m + 1,) / test_indices: CSR rows of relevant (held-out) items aligned with the
    rows of `recommended`, indices ascending within a row; k: list length (>= 1).
    Returns five (m,) float64 arrays: hits, precision = hits / k, recall = hits / |T|,
    NDCG = DCG / IDCG with binary gains and log2(rank + 1) discounts, and
    AP = sum over relevant ranks r of precision@r / min(k, |T|). Rows with |T| = 0 get zeros.
    """
    m = recommended.shape[0]
    hits = np.zeros(m, np.float64)
    precision = np.zeros(m, np.float64)
    recall = np.zeros(m, np.float64)
    ndcg = np.zeros(m, np.float64)
    average_precision = np.zeros(m, np.float64)
    for u in prange(m):
        relevant = test_indices[test_indptr[u]:test_indptr[u + 1]]
        n_relevant = relevant.shape[0]
        if n_relevant == 0:
            continue
        n_hits = 0
        dcg = 0.0
        precision_sum = 0.0
        for r in range(k):
            item = recommended[u, r]
            if item >= 0 and _contains(relevant, item):
                n_hits += 1
                dcg += 1.0 / np.log2(r + 2.0)
                precision_sum += n_hits / (r + 1.0)
        ideal = 0.0
        for r in range(min(k, n_relevant)):
            ideal += 1.0 / np.log2(r + 2.0)
        hits[u] = n_hits
        precision[u] = n_hits / k
        recall[u] = n_hits / n_relevant
        ndcg[u] = dcg / ideal
        average_precision[u] = precision_sum / min(k, n_relevant)
    return hits, precision, recall, ndcg, average_precision


def ranking_metrics_per_user_reference(recommended, test_indptr, test_indices, k):
    """Slow NumPy/Python version of `ranking_metrics_per_user`, for the tests."""
    m = recommended.shape[0]
    out = np.zeros((5, m), np.float64)
    for u in range(m):
        relevant = set(test_indices[test_indptr[u]:test_indptr[u + 1]].tolist())
        if not relevant:
            continue
        is_hit = np.array([int(item) in relevant for item in recommended[u, :k]], dtype=float)
        discounts = 1.0 / np.log2(np.arange(2, k + 2))
        ideal = discounts[: min(k, len(relevant))].sum()
        precision_at = np.cumsum(is_hit) / np.arange(1, k + 1)
        out[:, u] = (is_hit.sum(), is_hit.sum() / k, is_hit.sum() / len(relevant),
                     (is_hit * discounts).sum() / ideal,
                     (precision_at * is_hit).sum() / min(k, len(relevant)))
    return tuple(out)
