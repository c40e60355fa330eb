"""Implicit ALS (Hu, Koren, Volinsky 2008): one half-sweep of per-row solves, and the loss.

Notation of the paper, mapped: X = factors being solved (n_rows, f), Y = the other side's
factors (n_cols, f) held fixed, C = confidences c_ui stored in CSR (only observed entries;
unobserved ones have c = 1 and preference p = 0, observed ones p = 1). For every row u

    (YᵀY + λI + Yᵀ (C_u - I) Y) x_u = Yᵀ C_u p_u

where YᵀY (the "YtY trick") is shared by all rows and the correction touches only the row's
observed entries. Exact solve: Cholesky in float64. Fast solve: `cg_steps` steps of conjugate
gradient warm-started from the current x_u (Takács, Pilászy, Tikk 2011), float32, as implicit does.
"""

import numpy as np
from numba import njit, prange

from mfviz.kernels.dense import cholesky_solve

_CHUNKS = 256  # rows are dealt to chunks round-robin so popular (dense) rows spread over threads


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _dot(a, b):
    """float32 dot product of two (f,) rows; contiguous, so LLVM vectorises it."""
    total = np.float32(0.0)
    for k in range(a.shape[0]):
        total += a[k] * b[k]
    return total


@njit(cache=True, nogil=True, fastmath=True)
def _row_observed_loss(indptr, indices, confidence, u, x, Y):
    """Σ over row u's entries of c (1 - s)² - s², s = x·y_i (see `ials_observed_loss`)."""
    total = 0.0
    for idx in range(indptr[u], indptr[u + 1]):
        s = np.float64(_dot(Y[indices[idx]], x))
        total += confidence[idx] * (1.0 - s) * (1.0 - s) - s * s
    return total


@njit(cache=True, nogil=True, fastmath=True)
def _cg_row(indptr, indices, confidence, u, x, Y, gram, cg_steps, r, p, Ap):
    """Warm-started CG for one row; `gram` = YᵀY + λI; r, p, Ap are (f,) float32 scratch."""
    f = x.shape[0]
    start, end = indptr[u], indptr[u + 1]
    # r = b - A x = Σ_i (c_i - (c_i - 1) y_i·x) y_i - (YᵀY + λI) x
    for a in range(f):
        t = np.float32(0.0)
        for k in range(f):
            t += gram[a, k] * x[k]
        r[a] = -t
    for idx in range(start, end):
        i = indices[idx]
        c = confidence[idx]
        s = np.float32(0.0)
        for k in range(f):
            s += Y[i, k] * x[k]
        coef = c - (c - np.float32(1.0)) * s
        for k in range(f):
            r[k] += coef * Y[i, k]
    # Every sum below runs in a loop of its own, with no store: a loop that also writes gets a
    # runtime overlap check of its arrays' addresses, whose vector or scalar path sums in another
    # order, so a row's result depended on where its scratch was allocated (the thread).
    rs_old = _dot(r, r)
    for k in range(f):
        p[k] = r[k]
    if rs_old < 1e-20:
        return _row_observed_loss(indptr, indices, confidence, u, x, Y)
    for _ in range(cg_steps):
        for a in range(f):
            t = np.float32(0.0)
            for k in range(f):
                t += gram[a, k] * p[k]
            Ap[a] = t
        for idx in range(start, end):
            i = indices[idx]
            s = np.float32(0.0)
            for k in range(f):
                s += Y[i, k] * p[k]
            s *= confidence[idx] - np.float32(1.0)
            for k in range(f):
                Ap[k] += s * Y[i, k]
        pAp = np.float32(0.0)
        for k in range(f):
            pAp += p[k] * Ap[k]
        if pAp <= 0.0:
            break
        step = rs_old / pAp
        for k in range(f):
            x[k] += step * p[k]
            r[k] -= step * Ap[k]
        rs_new = _dot(r, r)
        if rs_new < 1e-20:
            break
        beta = rs_new / rs_old
        for k in range(f):
            p[k] = r[k] + beta * p[k]
        rs_old = rs_new
    return _row_observed_loss(indptr, indices, confidence, u, x, Y)


@njit(cache=True, nogil=True, fastmath=True)
def _cholesky_row(indptr, indices, confidence, u, x, Y, gram, A, b, solution):
    """Exact solve for one row in float64; A (f, f), b and solution (f,) float64 scratch."""
    f = x.shape[0]
    for a in range(f):
        b[a] = 0.0
        for k in range(f):
            A[a, k] = gram[a, k]
    for idx in range(indptr[u], indptr[u + 1]):
        i = indices[idx]
        c = np.float64(confidence[idx])
        for a in range(f):
            ya = np.float64(Y[i, a])
            b[a] += c * ya
            w = (c - 1.0) * ya
            for k in range(a + 1):  # lower triangle is all the factorisation reads
                A[a, k] += w * Y[i, k]
    cholesky_solve(A, b, solution)
    for a in range(f):
        x[a] = solution[a]
    return _row_observed_loss(indptr, indices, confidence, u, x, Y)


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def ials_solve_rows(indptr, indices, confidence, X, Y, YtY, regularization, use_cg, cg_steps):
    """Update every row of X in place (one half-sweep).

    indptr int64 (n_rows + 1,), indices int32, confidence float32 (c_ui of observed entries);
    X float32 (n_rows, f) updated in place (its current value is the CG warm start); Y float32
    (n_cols, f); YtY float64 or float32 (f, f) = YᵀY without regularization; use_cg: True for
    conjugate gradient with `cg_steps` steps, False for the exact Cholesky solve.

    Returns `ials_observed_loss` of the updated rows against Y, computed right after each row's
    solve while its entries are in cache, so the caller gets the epoch's loss without another
    pass over the data.
    """
    n_rows, f = X.shape
    gram32 = YtY.astype(np.float32)
    gram64 = YtY.astype(np.float64)
    for a in range(f):
        gram32[a, a] += regularization
        gram64[a, a] += regularization
    n_chunks = min(_CHUNKS, n_rows)
    observed_loss = 0.0
    for chunk in prange(n_chunks):
        # scratch allocated once per chunk, not per row
        r = np.empty(f, np.float32)
        p = np.empty(f, np.float32)
        Ap = np.empty(f, np.float32)
        A = np.empty((f, f), np.float64)
        b = np.empty(f, np.float64)
        solution = np.empty(f, np.float64)
        chunk_loss = 0.0
        for u in range(chunk, n_rows, n_chunks):
            if indptr[u] == indptr[u + 1]:  # no observed entry: the solve's exact answer is 0, which CG from a
                for k in range(f):  # warm start only approaches (1e-10: such users' lists ranked by rounding noise)
                    X[u, k] = np.float32(0.0)
                continue
            if use_cg:
                chunk_loss += _cg_row(indptr, indices, confidence, u, X[u], Y, gram32, cg_steps, r, p, Ap)
            else:
                chunk_loss += _cholesky_row(indptr, indices, confidence, u, X[u], Y, gram64, A, b, solution)
        observed_loss += chunk_loss
    return observed_loss


def ials_solve_rows_reference(indptr, indices, confidence, X, Y, YtY, regularization, use_cg, cg_steps):
    """NumPy version of `ials_solve_rows` (returns the new X). CG is run as plain NumPy CG."""
    X = X.astype(np.float64).copy()
    Y64 = Y.astype(np.float64)
    gram = YtY.astype(np.float64) + regularization * np.eye(X.shape[1])
    for u in range(X.shape[0]):
        cols = indices[indptr[u]:indptr[u + 1]]
        if cols.size == 0:  # b = 0: the solution is 0
            X[u] = 0.0
            continue
        c = confidence[indptr[u]:indptr[u + 1]].astype(np.float64)
        Yu = Y64[cols]
        A = gram + Yu.T @ ((c - 1.0)[:, None] * Yu)
        b = Yu.T @ c
        if not use_cg:
            X[u] = np.linalg.solve(A, b)
            continue
        x = X[u]
        r = b - A @ x
        p = r.copy()
        rs_old = r @ r
        for _ in range(cg_steps):
            if rs_old < 1e-20:
                break
            Ap = A @ p
            step = rs_old / (p @ Ap)
            x = x + step * p
            r = r - step * Ap
            rs_new = r @ r
            p = r + (rs_new / rs_old) * p
            rs_old = rs_new
        X[u] = x
    return X.astype(np.float32)


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def ials_observed_loss(indptr, indices, confidence, X, Y):
    """Σ over observed (u, i) of c_ui (1 - x_u·y_i)² - (x_u·y_i)².

    The full weighted loss Σ_all c_ui (p_ui - x_u·y_i)² equals this plus Σ_all (x_u·y_i)²
    = ⟨XᵀX, YᵀY⟩, which the caller gets from the two Gram matrices it has anyway; so the
    exact loss costs O(nnz·f) instead of O(n_users·n_items·f)."""
    n_rows = X.shape[0]
    total = 0.0
    for u in prange(n_rows):
        x = X[u]
        row_total = 0.0
        for idx in range(indptr[u], indptr[u + 1]):
            s = np.float64(_dot(Y[indices[idx]], x))
            row_total += confidence[idx] * (1.0 - s) * (1.0 - s) - s * s
        total += row_total
    return total


def ials_observed_loss_reference(indptr, indices, confidence, X, Y):
    """NumPy version of `ials_observed_loss`."""
    rows = np.repeat(np.arange(X.shape[0]), np.diff(indptr))
    s = np.einsum("ij,ij->i", X[rows].astype(np.float64), Y[indices].astype(np.float64))
    return float(np.sum(confidence * (1.0 - s) ** 2 - s * s))
