"""Ranking the stored entries of each CSR row by a key, for per-user train/test splits."""

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, parallel=True)
def rank_within_rows(indptr, keys):
    """Rank (0 = smallest key) of every stored entry among the entries of its row.

    indptr: (n_rows + 1,) int64 CSR row pointers; keys: (nnz,) numbers (float or int) aligned with the stored
    entries. Equal keys keep storage order (stable sort), so the result is deterministic.
    Returns (nnz,) int64.
    """
    rank = np.empty(keys.shape[0], np.int64)
    for row in prange(indptr.shape[0] - 1):
        start, end = indptr[row], indptr[row + 1]
        order = np.argsort(keys[start:end], kind="mergesort")
        for position in range(end - start):
            rank[start + order[position]] = position
    return rank


def rank_within_rows_reference(indptr, keys):
    """Slow NumPy version of `rank_within_rows`, for the tests."""
    rank = np.empty(keys.shape[0], np.int64)
    for row in range(indptr.shape[0] - 1):
        start, end = indptr[row], indptr[row + 1]
        order = np.argsort(keys[start:end], kind="stable")
        rank[start + order] = np.arange(end - start)
    return rank
