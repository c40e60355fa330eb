"""Building a CSR matrix from (row, col, value) triplets, merging duplicate pairs by a policy.

Counting sort by row, then a stable sort inside each row by (column, timestamp), so that
"last" means the latest timestamp and, among equal timestamps, the last row of the file.
"""

import numpy as np
from numba import njit, prange

# Duplicate policies as integers, because kernels take arrays and scalars only.
POLICY_SUM, POLICY_LAST, POLICY_MEAN, POLICY_MAX = 0, 1, 2, 3


@njit(cache=True)
def _row_order(rows, n_rows):
    """Stable counting sort of triplet positions by row; returns (row starts, permutation)."""
    starts = np.zeros(n_rows + 1, np.int64)
    for k in range(rows.shape[0]):
        starts[rows[k] + 1] += 1
    for r in range(n_rows):
        starts[r + 1] += starts[r]
    fill = starts[:-1].copy()
    order = np.empty(rows.shape[0], np.int64)
    for k in range(rows.shape[0]):
        r = rows[k]
        order[fill[r]] = k
        fill[r] += 1
    return starts, order


@njit(cache=True, parallel=True)
def build_csr(rows, cols, values, stamps, n_rows, policy):
    """CSR arrays from triplets.

    rows, cols: int64 (n,) indices; values: float64 (n,); stamps: int64 (n,) (zeros when
    absent); policy: one of POLICY_*. Returns (indptr int64, indices int32, data float32,
    merged stamps int64 = latest of each group, number of rows merged away).
    """
    starts, order = _row_order(rows, n_rows)
    unique_per_row = np.zeros(n_rows, np.int64)
    for r in prange(n_rows):
        a, b = starts[r], starts[r + 1]
        seg = order[a:b]
        # two stable passes = sort by (col, stamp, file order)
        by_stamp = seg[np.argsort(stamps[seg], kind="mergesort")]
        seg_sorted = by_stamp[np.argsort(cols[by_stamp], kind="mergesort")]
        order[a:b] = seg_sorted
        count = 0
        for k in range(b - a):
            if k == 0 or cols[seg_sorted[k]] != cols[seg_sorted[k - 1]]:
                count += 1
        unique_per_row[r] = count
    indptr = np.zeros(n_rows + 1, np.int64)
    for r in range(n_rows):
        indptr[r + 1] = indptr[r] + unique_per_row[r]
    nnz = indptr[n_rows]
    indices = np.empty(nnz, np.int32)
    data = np.empty(nnz, np.float32)
    out_stamps = np.empty(nnz, np.int64)
    for r in prange(n_rows):
        a, b = starts[r], starts[r + 1]
        out = indptr[r] - 1
        group_sum = 0.0
        group_n = 0
        for k in range(a, b):
            pos = order[k]
            new_group = k == a or cols[pos] != cols[order[k - 1]]
            if new_group:
                out += 1
                indices[out] = cols[pos]
                out_stamps[out] = stamps[pos]
                group_sum = 0.0
                group_n = 0
                data[out] = values[pos]
            else:
                out_stamps[out] = max(out_stamps[out], stamps[pos])
                if policy == POLICY_LAST:
                    data[out] = values[pos]
                elif policy == POLICY_MAX:
                    data[out] = max(data[out], values[pos])
            group_sum += values[pos]
            group_n += 1
            if policy == POLICY_SUM:
                data[out] = group_sum
            elif policy == POLICY_MEAN:
                data[out] = group_sum / group_n
    return indptr, indices, data, out_stamps, rows.shape[0] - nnz


def build_csr_reference(rows, cols, values, stamps, n_rows, policy):
    """Slow NumPy version of `build_csr`, for the tests."""
    order = np.lexsort((np.arange(rows.size), stamps, cols, rows))
    r, c, v, s = rows[order], cols[order], values[order], stamps[order]
    key = r * (int(c.max(initial=0)) + 1) + c
    first = np.r_[True, key[1:] != key[:-1]] if key.size else np.zeros(0, bool)
    group = np.cumsum(first) - 1
    n_groups = int(first.sum())
    sums = np.bincount(group, weights=v, minlength=n_groups)
    counts = np.bincount(group, minlength=n_groups)
    last_pos = np.r_[np.flatnonzero(first)[1:] - 1, key.size - 1] if n_groups else np.zeros(0, int)
    if policy == POLICY_SUM:
        data = sums
    elif policy == POLICY_MEAN:
        data = sums / counts
    elif policy == POLICY_LAST:
        data = v[last_pos]
    else:
        data = np.full(n_groups, -np.inf)
        np.maximum.at(data, group, v)
    latest = np.full(n_groups, np.iinfo(np.int64).min)
    np.maximum.at(latest, group, s)
    indptr = np.r_[0, np.cumsum(np.bincount(r[first], minlength=n_rows))]
    return (indptr.astype(np.int64), c[first].astype(np.int32), data.astype(np.float32),
            latest.astype(np.int64), rows.size - n_groups)
