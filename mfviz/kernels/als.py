"""Explicit ALS: one half-sweep of per-row ridge solves over observed ratings, and the loss.

For row u with observed columns I_u, ratings r_ui, the other side's factors y_i and biases
b_i held fixed, and z_u = [x_u, b_u] (just x_u without biases), ỹ_i = [y_i, 1]:

    (Σ_{i∈I_u} ỹ_i ỹ_iᵀ + λ_u I) z_u = Σ_{i∈I_u} (r_ui - μ - b_i) ỹ_i,
    λ_u = λ · |I_u| with count scaling (ALS-WR, Zhou et al. 2008), else λ.

Solved exactly by Cholesky in float64; rows without ratings get zeros.
"""

import numpy as np
from numba import njit, prange

from mfviz.kernels.dense import cholesky_solve

_CHUNKS = 256  # rows are dealt to chunks round-robin so dense rows spread over threads


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def als_solve_rows(indptr, indices, ratings, X, x_bias, Y, y_bias, global_mean,
                   regularization, scale_regularization, use_bias):
    """Update X (n_rows, f) float32 and, when use_bias, x_bias (n_rows,) float32 in place.

    indptr int64, indices int32, ratings float32 (CSR of the rows being solved); Y (n_cols, f)
    float32 and y_bias (n_cols,) float32 are the fixed side; global_mean is μ (0 for none)."""
    n_rows, f = X.shape
    d = f + 1 if use_bias else f
    n_chunks = min(_CHUNKS, n_rows)
    for chunk in prange(n_chunks):
        A = np.empty((d, d), np.float64)
        b = np.empty(d, np.float64)
        z = np.empty(d, np.float64)
        feature = np.empty(d, np.float64)
        for u in range(chunk, n_rows, n_chunks):
            start, end = indptr[u], indptr[u + 1]
            count = end - start
            if count == 0:
                X[u, :] = 0.0
                if use_bias:
                    x_bias[u] = 0.0
                continue
            for a in range(d):
                b[a] = 0.0
                for k in range(d):
                    A[a, k] = 0.0
            for idx in range(start, end):
                i = indices[idx]
                target = np.float64(ratings[idx]) - global_mean
                for k in range(f):
                    feature[k] = Y[i, k]
                if use_bias:
                    feature[f] = 1.0
                    target -= y_bias[i]
                for a in range(d):
                    fa = feature[a]
                    b[a] += target * fa
                    for k in range(a + 1):
                        A[a, k] += fa * feature[k]
            ridge = regularization * count if scale_regularization else regularization
            for a in range(d):
                A[a, a] += ridge
            cholesky_solve(A, b, z)
            for k in range(f):
                X[u, k] = z[k]
            if use_bias:
                x_bias[u] = z[f]


def als_solve_rows_reference(indptr, indices, ratings, X, x_bias, Y, y_bias, global_mean,
                             regularization, scale_regularization, use_bias):
    """NumPy version of `als_solve_rows`; returns (new X, new x_bias) instead of updating."""
    n_rows, f = X.shape
    X_new = np.zeros((n_rows, f))
    bias_new = np.zeros(n_rows)
    for u in range(n_rows):
        cols = indices[indptr[u]:indptr[u + 1]]
        if cols.size == 0:
            continue
        target = ratings[indptr[u]:indptr[u + 1]].astype(np.float64) - global_mean
        features = Y[cols].astype(np.float64)
        if use_bias:
            target = target - y_bias[cols]
            features = np.hstack([features, np.ones((cols.size, 1))])
        ridge = regularization * cols.size if scale_regularization else regularization
        z = np.linalg.solve(features.T @ features + ridge * np.eye(features.shape[1]), features.T @ target)
        X_new[u] = z[:f]
        if use_bias:
            bias_new[u] = z[f]
    return X_new.astype(np.float32), bias_new.astype(np.float32)


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def als_squared_error(indptr, indices, ratings, X, x_bias, Y, y_bias, global_mean):
    """Σ over observed (u, i) of (r_ui - μ - b_u - b_i - x_u·y_i)² (pass zero biases for none)."""
    n_rows, f = X.shape
    total = 0.0
    for u in prange(n_rows):
        row_total = 0.0
        for idx in range(indptr[u], indptr[u + 1]):
            i = indices[idx]
            s = 0.0
            for k in range(f):
                s += np.float64(X[u, k]) * Y[i, k]
            err = ratings[idx] - global_mean - x_bias[u] - y_bias[i] - s
            row_total += err * err
        total += row_total
    return total


def als_squared_error_reference(indptr, indices, ratings, X, x_bias, Y, y_bias, global_mean):
    """NumPy version of `als_squared_error`."""
    rows = np.repeat(np.arange(X.shape[0]), np.diff(indptr))
    s = np.einsum("ij,ij->i", X[rows].astype(np.float64), Y[indices].astype(np.float64))
    err = ratings - global_mean - x_bias[rows].astype(np.float64) - y_bias[indices] - s
    return float(np.sum(err * err))
