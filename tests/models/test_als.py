"""Explicit ALS: the sweep kernel vs its NumPy reference and an independent least-squares solve,
ALS-WR scaling, the exact loss, monotone descent, fold-in, and MovieLens sanity."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz.kernels.als import (
    als_solve_rows,
    als_solve_rows_reference,
    als_squared_error,
    als_squared_error_reference,
)
from mfviz.models import ALS

ML100K = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "ml-100k" / "u.data"


@pytest.fixture(scope="module")
def ml100k_frame() -> pd.DataFrame:
    if not ML100K.exists():
        pytest.skip(f"MovieLens 100K not found at {ML100K}")
    return pd.read_csv(ML100K, sep="\t", names=["user", "item", "rating", "timestamp"])


def random_matrix(seed=0, shape=(30, 25)):
    """Ratings 1..5, every row and column used."""
    rng = np.random.default_rng(seed)
    mask = rng.random(shape) < 0.35
    mask[np.arange(shape[0]), np.arange(shape[0]) % shape[1]] = True
    values = rng.integers(1, 6, shape).astype(np.float32)
    return sp.csr_matrix(np.where(mask, values, 0).astype(np.float32))


def ratings(seed=0, shape=(30, 20), density=0.4):
    rng = np.random.default_rng(seed)
    dense = np.where(rng.random(shape) < density, rng.integers(1, 6, shape), 0).astype(np.float32)
    dense[0, :] = 0  # a user without ratings
    return sp.csr_matrix(dense)


def parts(matrix):
    return matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32), matrix.data


def sides(matrix, f, seed=1):
    rng = np.random.default_rng(seed)
    return ((rng.standard_normal((matrix.shape[0], f)) * 0.3).astype(np.float32),
            rng.standard_normal(matrix.shape[0]).astype(np.float32) * 0.1,
            (rng.standard_normal((matrix.shape[1], f)) * 0.3).astype(np.float32),
            rng.standard_normal(matrix.shape[1]).astype(np.float32) * 0.1)


@pytest.mark.parametrize("use_bias", [False, True])
@pytest.mark.parametrize("scale", [False, True])
def test_sweep_matches_reference(use_bias, scale):
    matrix = ratings()
    X, xb, Y, yb = sides(matrix, 4)
    expected_X, expected_b = als_solve_rows_reference(*parts(matrix), X, xb, Y, yb, 3.2, 0.7, scale, use_bias)
    als_solve_rows(*parts(matrix), X, xb, Y, yb, 3.2, 0.7, scale, use_bias)
    np.testing.assert_allclose(X, expected_X, rtol=1e-4, atol=1e-6)
    if use_bias:
        np.testing.assert_allclose(xb, expected_b, rtol=1e-4, atol=1e-6)
    assert (X[0] == 0).all()


def test_sweep_matches_independent_ridge_lstsq():
    """Each row minimises Σ (r - μ - b_i - [y_i, 1]·z)² + λ‖z‖²: solve it as an augmented
    least-squares problem [F; √λ I] z ≈ [t; 0] with numpy.linalg.lstsq, no normal equations."""
    matrix = ratings(seed=2)
    X, xb, Y, yb = sides(matrix, 3)
    mu, lam = 3.0, 0.4
    als_solve_rows(*parts(matrix), X, xb, Y, yb, mu, lam, False, True)
    for u in range(1, matrix.shape[0]):
        row = matrix[u]
        F = np.hstack([Y[row.indices].astype(np.float64), np.ones((row.nnz, 1))])
        t = row.data - mu - yb[row.indices]
        z = np.linalg.lstsq(np.vstack([F, np.sqrt(lam) * np.eye(4)]), np.r_[t, np.zeros(4)], rcond=None)[0]
        np.testing.assert_allclose(np.r_[X[u], xb[u]], z, rtol=1e-4, atol=1e-5)


def test_als_wr_is_plain_ridge_with_lambda_times_count():
    matrix = ratings(seed=3)
    X, xb, Y, yb = sides(matrix, 3)
    for u in (3, 7):
        row = sp.csr_matrix(matrix[u])
        scaled, plain = np.zeros((1, 3), np.float32), np.zeros((1, 3), np.float32)
        bs, bp = np.zeros(1, np.float32), np.zeros(1, np.float32)
        als_solve_rows(*parts(row), scaled, bs, Y, yb, 2.0, 0.3, True, True)
        als_solve_rows(*parts(row), plain, bp, Y, yb, 2.0, 0.3 * row.nnz, False, True)
        np.testing.assert_allclose(scaled, plain, rtol=1e-6)


def test_squared_error_matches_reference():
    matrix = ratings(seed=4)
    X, xb, Y, yb = sides(matrix, 4)
    got = als_squared_error(*parts(matrix), X, xb, Y, yb, 3.1)
    assert got == pytest.approx(als_squared_error_reference(*parts(matrix), X, xb, Y, yb, 3.1), rel=1e-6)


@pytest.mark.parametrize("scale", [False, True])
def test_recorded_loss_is_the_objective_and_never_increases(scale):
    matrix = random_matrix()
    lam = 0.05 if scale else 0.5
    model = ALS(factors=3, epochs=6, regularization=lam, scale_regularization=scale, random_state=0).fit(matrix)
    losses = np.array([h["loss"] for h in model.history])
    assert (np.diff(losses) <= 1e-6 * losses[:-1]).all() and losses[-1] < losses[0]
    R = matrix.toarray()
    mask = R > 0
    pred = (model.global_mean + model.user_bias[:, None] + model.item_bias[None, :]
            + model.user_factors.astype(np.float64) @ model.item_factors.T)
    n_u = mask.sum(1) if scale else np.ones(R.shape[0])
    n_i = mask.sum(0) if scale else np.ones(R.shape[1])
    penalty = (n_u @ (np.sum(model.user_factors.astype(np.float64) ** 2, 1) + model.user_bias.astype(np.float64) ** 2)
               + n_i @ (np.sum(model.item_factors.astype(np.float64) ** 2, 1) + model.item_bias.astype(np.float64) ** 2))
    brute = np.sum((R - pred)[mask] ** 2) + lam * penalty
    assert losses[-1] == pytest.approx(brute, rel=1e-5)
    assert model.history[-1]["rmse"] == pytest.approx(np.sqrt(np.mean((R - pred)[mask] ** 2)), rel=1e-5)


def test_without_biases_predictions_are_plain_dot_products():
    matrix = random_matrix()
    model = ALS(factors=3, epochs=3, biases=False, random_state=0).fit(matrix)
    assert model.user_bias is None and model.global_mean == 0.0
    np.testing.assert_allclose(model.predict([1, 2], [3, 4]),
                               np.einsum("ij,ij->i", model.user_factors[[1, 2]], model.item_factors[[3, 4]]),
                               rtol=1e-6)


def test_movielens_rmse_is_sane(ml100k_frame):
    frame = ml100k_frame
    rng = np.random.default_rng(0)
    is_test = rng.random(len(frame)) < 0.2
    users, items = frame["user"].to_numpy() - 1, frame["item"].to_numpy() - 1
    shape = (users.max() + 1, items.max() + 1)
    train = sp.csr_matrix((frame["rating"].to_numpy(np.float32)[~is_test], (users[~is_test], items[~is_test])), shape=shape)
    model = ALS(factors=16, epochs=8, regularization=15.0, random_state=0).fit(train)
    predicted = model.predict(users[is_test], items[is_test])
    rmse = float(np.sqrt(np.mean((predicted - frame["rating"].to_numpy()[is_test]) ** 2)))
    assert rmse < 0.93  # bias-only baselines score about 0.94-0.95 here
