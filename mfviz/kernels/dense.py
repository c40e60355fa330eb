"""Small dense linear algebra for per-row solves inside numba loops (no BLAS, no allocation)."""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, fastmath=True)
def cholesky_solve(A, b, x):
    """Solve A x = b for a symmetric positive-definite A (d, d), overwriting A with its Cholesky
    factor L (lower triangle, row-major so the inner products run over contiguous memory) and
    writing x (d,). b is left untouched; x may not alias b. Pivots that are not positive (a
    singular A, only possible with zero regularization) are clamped to a tiny value."""
    d = A.shape[0]
    for j in range(d):
        s = A[j, j]
        for k in range(j):
            s -= A[j, k] * A[j, k]
        if s <= 1e-12:
            s = 1e-12
        pivot = np.sqrt(s)
        A[j, j] = pivot
        for i in range(j + 1, d):
            t = A[i, j]
            for k in range(j):
                t -= A[i, k] * A[j, k]
            A[i, j] = t / pivot
    # forward substitution L z = b (z stored in x)
    for i in range(d):
        t = b[i]
        for k in range(i):
            t -= A[i, k] * x[k]
        x[i] = t / A[i, i]
    # back substitution L^T x = z
    for i in range(d - 1, -1, -1):
        t = x[i]
        for k in range(i + 1, d):
            t -= A[k, i] * x[k]
        x[i] = t / A[i, i]


def cholesky_solve_reference(A, b):
    """NumPy version of `cholesky_solve` (returns x, leaves A alone)."""
    return np.linalg.solve(A.astype(np.float64), b.astype(np.float64))
