"""The Hogwild epochs, the batched fold-ins and the item penalty of Funk SVD and SVD++ against their own
NumPy references: random ratings with empty users, one user, repeated ratings and profiles with
repeated items; Hogwild exactly on one thread (its chunks then run in turn) and within a tolerance
on two (lock-free races)."""

import numba
import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.kernels.sgd import (
    funk_fold_in_rows,
    funk_fold_in_rows_reference,
    funk_objective_reference,
    funk_sgd_epoch_by_user_hogwild,
    funk_sgd_epoch_by_user_hogwild_reference,
    funk_sgd_epoch_hogwild,
    funk_sgd_epoch_hogwild_reference,
    item_penalty,
    item_penalty_reference,
)
from mfviz.kernels.svdpp import svdpp_fold_in_rows, svdpp_fold_in_rows_reference


def ratings(seed=0, n_users=30, n_items=20, density=0.3, empty_users=(3, 7)):
    """A users × items CSR of stars 1..5 from a rank-3 taste model plus noise, whose `empty_users`
    rows hold nothing."""
    rng = np.random.default_rng(seed)
    taste = np.clip(np.round(3 + rng.normal(size=(n_users, 3)) @ rng.normal(size=(3, n_items))
                             + 0.3 * rng.normal(size=(n_users, n_items))), 1, 5)
    dense = np.where(rng.random((n_users, n_items)) < density, taste, 0)
    dense[list(empty_users)] = 0
    return sp.csr_matrix(dense.astype(np.float64))


def state(shape, k, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 0.1, size).astype(dtype) for size in ((shape[0], k), (shape[1], k), shape[0], shape[1])]


def copies(arrays, n):
    return [[a.copy() for a in arrays] for _ in range(n)]


def one_thread(kernel, *args):
    """Run a parallel kernel on one thread of this thread's numba pool (its chunks then run in turn)."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(threads)


def assert_same_state(got, want, rtol):
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3)


def coo_order(matrix, seed, repeats):
    """(users, items, ratings) of the matrix and a visiting order: a permutation, with `repeats`
    positions visited twice (the kernels take any order)."""
    c = matrix.tocoo()
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(c.nnz), rng.integers(0, c.nnz, repeats)]).astype(np.int64)
    return c.row.astype(np.int32), c.col.astype(np.int32), c.data, order


# ----------------------------------------------------------------------------- Hogwild, one thread


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-9), (np.float32, 1e-4)])
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("n_chunks", [1, 2, 3, 7, 500])
def test_hogwild_epoch_on_one_thread_is_its_reference(dtype, rtol, use_bias, n_chunks):
    matrix = ratings()
    users, items, values, order = coo_order(matrix, 2, repeats=15)
    got, want = copies(state(matrix.shape, 6, dtype), 2)
    mu = 3.2 if use_bias else 0.0
    sse = one_thread(funk_sgd_epoch_hogwild, users, items, values.astype(dtype), order, *got, mu, 0.02, 0.05,
                     use_bias, n_chunks)
    sse_ref = funk_sgd_epoch_hogwild_reference(users, items, values.astype(dtype), order, *want, mu, 0.02, 0.05,
                                               use_bias, n_chunks)
    assert_same_state(got, want, rtol)
    assert sse == pytest.approx(sse_ref, rel=rtol)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-9), (np.float32, 1e-4)])
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("n_chunks", [1, 2, 3, 7, 500])
def test_user_major_hogwild_epoch_on_one_thread_is_its_reference(dtype, rtol, use_bias, n_chunks):
    matrix = ratings()
    rng = np.random.default_rng(3)
    user_order = rng.permutation(matrix.shape[0]).astype(np.int64)
    positions = np.concatenate([matrix.indptr[u] + rng.permutation(np.diff(matrix.indptr)[u])
                                for u in range(matrix.shape[0])]).astype(np.int64)
    args = (matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32), matrix.data.astype(dtype), user_order,
            positions)
    got, want = copies(state(matrix.shape, 6, dtype), 2)
    mu = 3.2 if use_bias else 0.0
    sse = one_thread(funk_sgd_epoch_by_user_hogwild, *args, *got, mu, 0.02, 0.05, use_bias, n_chunks)
    sse_ref = funk_sgd_epoch_by_user_hogwild_reference(*args, *want, mu, 0.02, 0.05, use_bias, n_chunks)
    assert_same_state(got, want, rtol)
    assert sse == pytest.approx(sse_ref, rel=rtol)


def test_hogwild_epochs_of_nothing_and_of_one_rating():
    P, Q, bu, bi = state((2, 2), 3, np.float64)
    empty_i, empty_l = np.zeros(0, np.int32), np.zeros(0, np.int64)
    before = [a.copy() for a in (P, Q, bu, bi)]
    assert funk_sgd_epoch_hogwild(empty_i, empty_i, np.zeros(0), empty_l, P, Q, bu, bi, 3.0, 0.1, 0.1, True, 2) == 0
    assert funk_sgd_epoch_by_user_hogwild(np.zeros(3, np.int64), empty_i, np.zeros(0), np.arange(2), empty_l,
                                          P, Q, bu, bi, 3.0, 0.1, 0.1, True, 2) == 0
    assert_same_state([P, Q, bu, bi], before, 0)
    # one rating, by hand: err = 4 - (3 + bu + bi + p.q); every parameter moves by lr (err·other - reg·own)
    one = np.zeros(1, np.int32)
    err = 4.0 - (3.0 + bu[1] + bi[0] + P[1] @ Q[0])
    want_p, want_q = P[1] + 0.1 * (err * Q[0] - 0.2 * P[1]), Q[0] + 0.1 * (err * P[1] - 0.2 * Q[0])
    want_bu, want_bi = bu[1] + 0.1 * (err - 0.2 * bu[1]), bi[0] + 0.1 * (err - 0.2 * bi[0])
    sse = funk_sgd_epoch_hogwild(one + 1, one, np.array([4.0]), np.zeros(1, np.int64), P, Q, bu, bi, 3.0, 0.1, 0.2,
                                 True, 2)
    assert sse == pytest.approx(err**2, rel=1e-12)
    np.testing.assert_allclose([*P[1], *Q[0], bu[1], bi[0]], [*want_p, *want_q, want_bu, want_bi], rtol=1e-12)


# ----------------------------------------------------------------------------- Hogwild, two threads


@pytest.mark.parametrize("major", ["rating", "user"])
def test_hogwild_on_two_threads_trains_as_well_as_its_reference(major):
    """Two threads run their chunks at once, not in turn, and races lose an update now and then, so
    they are compared statistically: after 10 epochs the training objective is within 5% of the
    chunks-in-turn reference's (measured: within 1.5%) and the last epoch's online SSE within 15%
    (measured: within 6%, user-major, where the second chunk meets items the first has not yet moved)."""
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba has one thread here")
    matrix = ratings(seed=4, n_users=200, n_items=60, empty_users=(5,))
    got, want = copies(state(matrix.shape, 8, np.float32), 2)
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    rng = np.random.default_rng(5)
    threads = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        for _ in range(10):
            if major == "rating":
                users, items, values, order = coo_order(matrix, int(rng.integers(1000)), repeats=0)
                args = (users, items, values.astype(np.float32), order)
                sse = funk_sgd_epoch_hogwild(*args, *got, 3.0, 0.03, 0.05, True, 2)
                sse_ref = funk_sgd_epoch_hogwild_reference(*args, *want, 3.0, 0.03, 0.05, True, 2)
            else:
                positions = np.concatenate([matrix.indptr[u] + rng.permutation(np.diff(matrix.indptr)[u])
                                            for u in range(matrix.shape[0])]).astype(np.int64)
                args = (matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32),
                        matrix.data.astype(np.float32), rng.permutation(matrix.shape[0]).astype(np.int64), positions)
                sse = funk_sgd_epoch_by_user_hogwild(*args, *got, 3.0, 0.03, 0.05, True, 2)
                sse_ref = funk_sgd_epoch_by_user_hogwild_reference(*args, *want, 3.0, 0.03, 0.05, True, 2)
    finally:
        numba.set_num_threads(threads)
    data = matrix.data.astype(np.float64)
    objective = sum(funk_objective_reference(matrix.indptr, matrix.indices, data, *[a.astype(np.float64) for a in got],
                                             3.0, 0.05, counts))
    reference = sum(funk_objective_reference(matrix.indptr, matrix.indices, data,
                                             *[a.astype(np.float64) for a in want], 3.0, 0.05, counts))
    start = sum(funk_objective_reference(matrix.indptr, matrix.indices, data,
                                         *[a.astype(np.float64) for a in state(matrix.shape, 8, np.float32)],
                                         3.0, 0.05, counts))
    assert reference < 0.5 * start  # the reference itself trained (else the comparison says nothing)
    assert objective == pytest.approx(reference, rel=0.05)
    assert sse == pytest.approx(sse_ref, rel=0.15)


# ----------------------------------------------------------------------------- fold-in of many rows


def profiles(seed=0, n_rows=9, n_items=20):
    """Profiles as CSR: row 0 empty, row 1 one item, row 2 an item repeated (its entries stored apart,
    as the kernel may meet them), the others random."""
    rng = np.random.default_rng(seed)
    rows = [[], [4], [6, 2, 6]] + [list(rng.choice(n_items, rng.integers(1, 8), replace=False))
                                   for _ in range(n_rows - 3)]
    indptr = np.r_[0, np.cumsum([len(r) for r in rows])].astype(np.int64)
    indices = np.array([i for r in rows for i in r], np.int64)
    return indptr, indices, rng.integers(1, 6, indices.size).astype(np.float64)


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("n_rows", [1, 9])
def test_funk_fold_in_rows_is_its_reference(use_bias, n_rows):
    indptr, indices, values = profiles(n_rows=max(n_rows, 3))
    indptr = indptr[:n_rows + 1] if n_rows == 1 else indptr
    _, Q, _, bi = state((1, 20), 5, np.float32)
    got = np.zeros((len(indptr) - 1, 5)), np.zeros(len(indptr) - 1)
    want = np.zeros((len(indptr) - 1, 5)), np.zeros(len(indptr) - 1)
    settings = (12, 0.05, 0.9, 0.02, use_bias)
    funk_fold_in_rows(indptr, indices, values, Q, bi, 3.1, *got, *settings)
    funk_fold_in_rows_reference(indptr, indices, values, Q, bi, 3.1, *want, *settings)
    assert_same_state(got, want, 1e-9)
    if n_rows > 1:
        assert not got[0][0].any() and got[1][0] == 0  # an empty profile stays at the start
        assert got[0][2].any()
    if not use_bias:
        assert not got[1].any()


@pytest.mark.parametrize("n_rows", [1, 9])
def test_svdpp_fold_in_rows_is_its_reference(n_rows):
    indptr, indices, values = profiles(seed=1, n_rows=max(n_rows, 3))
    indptr = indptr[:n_rows + 1] if n_rows == 1 else indptr
    _, Q, _, bi = state((1, 20), 5, np.float32)
    Y = state((20, 1), 5, np.float32, seed=2)[0]
    got = np.zeros((len(indptr) - 1, 5)), np.zeros(len(indptr) - 1)
    want = np.zeros((len(indptr) - 1, 5)), np.zeros(len(indptr) - 1)
    svdpp_fold_in_rows(indptr, indices, values, Q, Y, bi, 3.1, *got, 12, 0.05, 0.9, 0.02)
    svdpp_fold_in_rows_reference(indptr, indices, values, Q, Y, bi, 3.1, *want, 12, 0.05, 0.9, 0.02)
    assert_same_state(got, want, 1e-9)
    if n_rows > 1:
        assert not got[0][0].any() and got[1][0] == 0
        # a repeated item counts twice in z = |R|^-1/2 Σ Y[j] too: the effective vector differs from the raw one
        assert got[0][2].any()


# ----------------------------------------------------------------------------- item penalty


def test_item_penalty_is_its_reference_and_skips_unrated_items():
    rng = np.random.default_rng(7)
    for dtype in (np.float32, np.float64):
        Q, bi = rng.normal(size=(15, 4)).astype(dtype), rng.normal(size=15).astype(dtype)
        counts = rng.integers(0, 4, 15).astype(np.float64)
        counts[[0, 9]] = 0
        Q[9], bi[9] = np.inf, np.nan  # an unrated item's values never enter
        assert item_penalty(Q, bi, counts) == pytest.approx(item_penalty_reference(Q, bi, counts), rel=1e-6)
    # by hand: 2·(1 + 4 + 0.25) + 1·(9 + 1)
    assert item_penalty(np.array([[1.0, 2.0], [3.0, 0.0], [5.0, 5.0]]), np.array([0.5, -1.0, 7.0]),
                        np.array([2.0, 1.0, 0.0])) == pytest.approx(20.5)
    assert item_penalty(np.zeros((0, 3)), np.zeros(0), np.zeros(0)) == 0
