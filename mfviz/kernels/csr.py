"""Building a CSR matrix from (row, col, value) triplets, merging duplicate pairs by a policy.

Counting sort by row, then a stable sort inside each row by (column, timestamp), so that
"last" means the latest timestamp and, among equal timestamps, the last row of the file.
"""

import numpy as np
from numba import njit, prange

# Duplicate policies as integers, because kernels take arrays and scalars only.
POLICY_SUM, POLICY_LAST, POLICY_MEAN, POLICY_MAX = 0, 1, 2, 3


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True, parallel=True)
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


# --------------------------------------------------------------------- in place, for big loads
# `build_csr` keeps its inputs and allocates an order array and new outputs beside them (about
# 3x the triplets at its peak). The loader instead hands over compact arrays it owns, and these
# kernels turn them into the CSR in place: the row codes become each entry's destination, a
# cycle walk moves the entries there, and the merged groups are packed to the front. Extra
# memory: one int64 per row of the matrix.


@njit(cache=True, nogil=True)
def csr_destinations(rows, cols, user_remap, item_remap, n_rows):
    """Remap codes and overwrite `rows` with each entry's position in row-major order.

    rows, cols: int32/int64 (n,) first-seen codes, rewritten in place (rows to destinations,
    cols to `item_remap[cols]`); user_remap / item_remap: code -> final index. The order is a
    stable counting sort by row (file order kept inside a row). Returns row starts (n_rows + 1,).
    """
    n = rows.shape[0]
    starts = np.zeros(n_rows + 1, np.int64)
    for k in range(n):
        r = user_remap[rows[k]]
        rows[k] = r
        starts[r + 1] += 1
        cols[k] = item_remap[cols[k]]
    for r in range(n_rows):
        starts[r + 1] += starts[r]
    fill = starts[:-1].copy()
    for k in range(n):
        r = rows[k]
        rows[k] = fill[r]
        fill[r] += 1
    return starts


@njit(cache=True, nogil=True)
def scatter_in_place(destinations, cols, values, stamps):
    """Move entry k of cols / values / stamps to destinations[k], by walking cycles (no copy).

    stamps may be empty (no timestamps). `destinations` ends as 0..n-1.
    """
    has_stamps = stamps.shape[0] > 0
    for i in range(destinations.shape[0]):
        while destinations[i] != i:
            j = destinations[i]
            cols[i], cols[j] = cols[j], cols[i]
            values[i], values[j] = values[j], values[i]
            if has_stamps:
                stamps[i], stamps[j] = stamps[j], stamps[i]
            destinations[i] = destinations[j]
            destinations[j] = j


@njit(cache=True, nogil=True)
def scatter_copy(destinations, source, out):
    """out[destinations[k]] = source[k] (reads in order; each write lands once)."""
    for k in range(source.shape[0]):
        out[destinations[k]] = source[k]


SHORT_ROW = 64  # rows up to this length are sorted in place by insertion (no allocation)


@njit(cache=True, nogil=True, parallel=True)
def merge_rows_in_place(starts, cols, values, stamps, policy):
    """Sort each row's entries by (column, timestamp, file order), merge repeated columns by
    `policy`, and pack the result to the front of cols / values / stamps.

    Input: entries grouped by row (rows in order, file order inside a row). Returns (indptr
    int64, nnz); the CSR is cols[:nnz] (indices), values[:nnz] (data), stamps[:nnz] (latest
    timestamp of each merged group; stamps may be empty).
    """
    n_rows = starts.shape[0] - 1
    has_stamps = stamps.shape[0] > 0
    kept = np.zeros(n_rows, np.int64)
    for r in prange(n_rows):
        a, b = starts[r], starts[r + 1]
        if b - a == 0:
            continue
        if b - a <= SHORT_ROW:
            # stable insertion sort by (col, stamp) of the segment itself
            for k in range(a + 1, b):
                c, v = cols[k], values[k]
                t = stamps[k] if has_stamps else 0
                j = k - 1
                while j >= a and (cols[j] > c or (has_stamps and cols[j] == c and stamps[j] > t)):
                    cols[j + 1] = cols[j]
                    values[j + 1] = values[j]
                    if has_stamps:
                        stamps[j + 1] = stamps[j]
                    j -= 1
                cols[j + 1] = c
                values[j + 1] = v
                if has_stamps:
                    stamps[j + 1] = t
        else:
            seg_cols = cols[a:b].copy()
            seg_values = values[a:b].copy()
            if has_stamps:
                seg_stamps = stamps[a:b].copy()
                by_stamp = np.argsort(seg_stamps, kind="mergesort")
                order = by_stamp[np.argsort(seg_cols[by_stamp], kind="mergesort")]
                for k in range(b - a):
                    stamps[a + k] = seg_stamps[order[k]]
            else:
                order = np.argsort(seg_cols, kind="mergesort")
            for k in range(b - a):
                cols[a + k] = seg_cols[order[k]]
                values[a + k] = seg_values[order[k]]
        # merge runs of equal columns, writing at `out` (never ahead of the reader k)
        out = a - 1
        group_sum = 0.0
        group_n = 0
        for k in range(a, b):
            value = np.float64(values[k])
            if k == a or cols[k] != cols[k - 1]:
                out += 1
                cols[out] = cols[k]
                if has_stamps:
                    stamps[out] = stamps[k]
                group_sum = 0.0
                group_n = 0
                values[out] = value
            else:
                if has_stamps:
                    stamps[out] = max(stamps[out], stamps[k])
                if policy == POLICY_LAST:
                    values[out] = value
                elif policy == POLICY_MAX:
                    values[out] = max(np.float64(values[out]), value)
            group_sum += value
            group_n += 1
            if policy == POLICY_SUM:
                values[out] = group_sum
            elif policy == POLICY_MEAN:
                values[out] = group_sum / group_n
        kept[r] = out + 1 - a
    indptr = np.zeros(n_rows + 1, np.int64)
    for r in range(n_rows):
        indptr[r + 1] = indptr[r] + kept[r]
    for r in range(n_rows):  # in row order, so a move never overwrites a row not yet moved
        a, d = starts[r], indptr[r]
        if a != d:
            for k in range(kept[r]):
                cols[d + k] = cols[a + k]
                values[d + k] = values[a + k]
                if has_stamps:
                    stamps[d + k] = stamps[a + k]
    return indptr, indptr[n_rows]


def csr_in_place(rows, cols, values, stamps, user_remap, item_remap, n_rows, policy):
    """The kernels in sequence with the cycle-walk scatter (rows is consumed; cols / values /
    stamps become the CSR at their front). Returns (indptr, nnz)."""
    starts = csr_destinations(rows, cols, user_remap, item_remap, n_rows)
    scatter_in_place(rows, cols, values, stamps)
    return merge_rows_in_place(starts, cols, values, stamps, policy)


def csr_from_codes(arrays, rows, user_remap, item_remap, n_rows, policy):
    """Like `csr_in_place`, but scatters each array into a fresh copy and drops the old one
    before the next: about 3x faster than the cycle walk (reads in order instead of chasing
    cycles through four arrays), for one extra array (the largest) at the peak.

    arrays: a list [cols, values, stamps] that holds the only references, so that each old
    array is freed as soon as it is scattered; on return it holds the CSR arrays (full length:
    the CSR is their first nnz entries). Returns (indptr, nnz).
    """
    starts = csr_destinations(rows, arrays[0], user_remap, item_remap, n_rows)
    for k in sorted(range(3), key=lambda k: arrays[k].nbytes):  # smallest first
        if arrays[k].shape[0]:
            moved = np.empty_like(arrays[k])
            scatter_copy(rows, arrays[k], moved)
            arrays[k] = moved
            del moved
    return merge_rows_in_place(starts, arrays[0], arrays[1], arrays[2], policy)


def csr_in_place_reference(rows, cols, values, stamps, user_remap, item_remap, n_rows, policy):
    """Slow NumPy version of `csr_in_place` (same outputs, through build_csr_reference)."""
    has_stamps = stamps.size > 0
    indptr, indices, data, latest, _ = build_csr_reference(
        user_remap[rows].astype(np.int64), item_remap[cols].astype(np.int64),
        values.astype(np.float64), stamps if has_stamps else np.zeros(rows.size, np.int64),
        n_rows, policy)
    return indptr, indices, data, (latest if has_stamps else np.zeros(0, np.int64))


def csr_destinations_reference(rows, cols, user_remap, item_remap, n_rows):
    """NumPy version of `csr_destinations`: the same in-place rewrite, through a stable argsort."""
    final_rows = user_remap[rows]
    order = np.argsort(final_rows, kind="stable")  # row-major, file order kept inside a row
    destinations = np.empty(rows.size, np.int64)
    destinations[order] = np.arange(rows.size)
    rows[:] = destinations
    cols[:] = item_remap[cols]
    return np.r_[0, np.cumsum(np.bincount(final_rows, minlength=n_rows))].astype(np.int64)


def scatter_copy_reference(destinations, source, out):
    """NumPy version of `scatter_copy`."""
    out[destinations[:source.size]] = source


def scatter_in_place_reference(destinations, cols, values, stamps):
    """NumPy version of `scatter_in_place`: each array scattered through a copy."""
    for array in (cols, values, stamps) if stamps.size else (cols, values):
        array[destinations] = array.copy()
    destinations[:] = np.arange(destinations.size)


def merge_rows_in_place_reference(starts, cols, values, stamps, policy):
    """NumPy version of `merge_rows_in_place`, through `build_csr_reference` on the row of each entry."""
    has_stamps = stamps.size > 0
    rows = np.repeat(np.arange(starts.size - 1), np.diff(starts))
    indptr, indices, data, latest, _ = build_csr_reference(
        rows, cols.astype(np.int64), values.astype(np.float64),
        stamps if has_stamps else np.zeros(rows.size, np.int64), starts.size - 1, policy)
    nnz = int(indptr[-1])
    cols[:nnz], values[:nnz] = indices, data
    if has_stamps:
        stamps[:nnz] = latest
    return indptr, nnz


@njit(cache=True, nogil=True)
def columns_of(indptr, indices, n_cols, wanted):
    """The rows holding each of the `wanted` columns of a CSR pattern, as a CSC of those columns only: (col_indptr
    of len(wanted) + 1, row indices in increasing order). One pass over the entries: converting the whole matrix
    (scipy's tocsc) to take a few columns took up to 1.3 s of 5M entries on a busy machine, at every call.
    indptr, indices: the CSR (n_rows + 1, nnz); wanted: distinct column indices (int64)."""
    slot = np.full(n_cols, -1, np.int64)
    for position in range(wanted.shape[0]):
        slot[wanted[position]] = position
    counts = np.zeros(wanted.shape[0] + 1, np.int64)
    for p in range(indices.shape[0]):
        s = slot[indices[p]]
        if s >= 0:
            counts[s + 1] += 1
    col_indptr = np.cumsum(counts)
    fill = col_indptr[:-1].copy()
    rows = np.empty(col_indptr[-1], np.int64)
    for row in range(indptr.shape[0] - 1):  # rows in order: each column's rows come out sorted
        for p in range(indptr[row], indptr[row + 1]):
            s = slot[indices[p]]
            if s >= 0:
                rows[fill[s]] = row
                fill[s] += 1
    return col_indptr, rows


def columns_of_reference(indptr, indices, n_cols, wanted):
    """Slow NumPy version of `columns_of`, for the tests."""
    row_of = np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))
    parts = [row_of[indices == column] for column in wanted]
    col_indptr = np.concatenate([[0], np.cumsum([part.size for part in parts])]).astype(np.int64)
    return col_indptr, np.concatenate(parts + [np.zeros(0, np.int64)]).astype(np.int64)
