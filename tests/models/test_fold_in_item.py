"""A new item's vector from its users (fold_in_item, the mirror of fold_in): the model untouched,
bad users refused, and each model's solve against an independent one (closed forms in NumPy, the
NumPy SGD reference), or the training item reproduced where the solve is the training one."""

import numpy as np
import pytest
import scipy.sparse as sp
from test_contract import NAMES, fitted, random_matrix, state

from mfviz.errors import ModelError
from mfviz.kernels.sgd import funk_fold_in_reference
from mfviz.models import ALS, MODELS, FunkSVD, ImplicitALS, Popularity, SVDpp, TruncatedSVD
from mfviz.models.external import FactorModel


@pytest.mark.parametrize("name", NAMES)
def test_fold_in_item_leaves_the_model_alone(name):
    model = fitted(name)
    before = [a.copy() for a in state(model)]
    vector, bias = model.fold_in_item([0, 3, 5], [1.0, 2.0, 3.0], return_bias=True)
    assert vector.shape == (model.item_factors.shape[1],) and vector.dtype == np.float32
    assert np.isfinite(vector).all() and np.isfinite(bias)
    for a, b in zip(before, state(model), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_fold_in_item_refuses_bad_users(name):
    with pytest.raises(ModelError, match="not fitted"):
        MODELS[name]().fold_in_item([0])
    model = fitted(name)
    with pytest.raises(ModelError, match=f"user index {model.n_users}"):
        model.fold_in_item([0, model.n_users])
    with pytest.raises(ModelError, match="2 users but 1 values"):
        model.fold_in_item([0, 1], [4.0])
    with pytest.raises(ModelError, match="finite"):
        model.fold_in_item([0, 1], [4.0, np.nan])


def _column(matrix: sp.csr_matrix, item: int) -> tuple[np.ndarray, np.ndarray]:
    col = matrix.tocsc()[:, item]
    return col.indices, col.data


def test_truncated_svd_reproduces_a_training_item_exactly():
    matrix = random_matrix("svd")
    model = TruncatedSVD(factors=3).fit(matrix)
    for item in (0, 7, 19):
        users, values = _column(matrix, item)
        np.testing.assert_allclose(model.fold_in_item(users, values), model.item_factors[item], atol=1e-5)


def test_popularity_gives_the_new_item_its_count_of_users():
    model = Popularity().fit(random_matrix("popularity"))
    assert model.fold_in_item([4, 1, 9], [3.0, 1.0, 2.0])[0] == 3.0
    users, _ = _column(model.train_matrix, 6)
    assert model.fold_in_item(users)[0] == model.item_factors[6, 0]


@pytest.mark.parametrize("biases", [True, False])
@pytest.mark.parametrize("scale", [False, True])
def test_als_solves_the_item_ridge_regression_with_the_users_frozen(biases, scale):
    matrix = random_matrix("als", seed=3)
    model = ALS(factors=4, epochs=5, regularization=0.3, biases=biases, scale_regularization=scale,
                random_state=0).fit(matrix)
    users, values = np.array([2, 8, 11, 20]), np.array([5.0, 1.0, 4.0, 3.0])
    X = model.user_factors.astype(np.float64)
    features = np.column_stack([X, np.ones(X.shape[0])]) if biases else X
    target = values - model.global_mean - (model.user_bias[users] if biases else 0)
    ridge = 0.3 * (users.size if scale else 1)
    solved = np.linalg.solve(features[users].T @ features[users] + ridge * np.eye(features.shape[1]),
                             features[users].T @ target)
    vector, bias = model.fold_in_item(users, values, return_bias=True)
    np.testing.assert_allclose(vector, solved[:4], rtol=1e-4, atol=1e-5)
    assert bias == pytest.approx(solved[4] if biases else 0.0, abs=1e-5)


def test_implicit_als_solves_the_weighted_item_regression_with_the_users_frozen():
    matrix = random_matrix("ials", seed=4)
    model = ImplicitALS(factors=4, epochs=3, alpha=2.0, regularization=0.1, random_state=0).fit(matrix)
    users, values = np.array([1, 4, 9, 22]), np.array([1.0, 3.0, 2.0, 0.0])  # a zero is no interaction
    X = model.user_factors.astype(np.float64)
    c, p = np.ones(X.shape[0]), np.zeros(X.shape[0])
    c[users[:3]], p[users[:3]] = 1.0 + 2.0 * values[:3], 1.0
    expected = np.linalg.solve(X.T @ (c[:, None] * X) + 0.1 * np.eye(4), X.T @ (c * p))
    np.testing.assert_allclose(model.fold_in_item(users, values), expected, rtol=1e-4, atol=1e-6)
    # the cached Gram of the users is not the items' one
    np.testing.assert_allclose(model.fold_in([1, 2], [1.0, 1.0]), ImplicitALS(
        factors=4, epochs=3, alpha=2.0, regularization=0.1, random_state=0).fit(matrix).fold_in([1, 2], [1.0, 1.0]))


@pytest.mark.parametrize("cls", [FunkSVD, SVDpp])
def test_sgd_models_run_the_fold_in_sgd_with_the_users_frozen(cls):
    matrix = random_matrix("funksvd", seed=5)
    model = cls(factors=4, epochs=30, learning_rate=0.02, lr_decay=0.95, random_state=0).fit(matrix)
    users, values = np.array([3, 0, 17, 9]), np.array([5.0, 4.0, 5.0, 2.0])
    expected_vector = np.zeros(4)
    expected_bias = funk_fold_in_reference(users, values, model.user_factors.astype(np.float64),
                                           model.user_bias.astype(np.float64), model.global_mean,
                                           expected_vector, 30, 0.02, 0.95, model.regularization, True)
    vector, bias = model.fold_in_item(users, values, return_bias=True)
    np.testing.assert_allclose(vector, expected_vector, rtol=1e-4, atol=1e-6)
    assert bias == pytest.approx(expected_bias, abs=1e-5)


def test_funk_svd_new_item_from_a_training_items_ratings_predicts_like_it():
    from test_funk import make_ratings

    matrix = make_ratings(n_users=80, n_items=40, density=0.5)
    model = FunkSVD(factors=10, epochs=30, learning_rate=0.01, random_state=0).fit(matrix)
    errors = []
    for item in range(0, 40, 4):
        users, values = _column(matrix, item)
        vector, bias = model.fold_in_item(users, values, return_bias=True)
        folded = model.global_mean + model.user_bias[users] + bias + model.user_factors[users] @ vector
        errors.append(np.abs(folded - model.predict(users, np.full(users.size, item))).mean())
    assert np.mean(errors) < 0.15
    # an item every one of its users loves gets a positive bias
    assert model.fold_in_item([0, 1, 2, 3], [5, 5, 5, 5], return_bias=True)[1] > 0


def test_external_factors_solve_ridge_with_the_user_side_frozen():
    rng = np.random.default_rng(0)
    P, Q = rng.normal(size=(12, 3)).astype(np.float32), rng.normal(size=(9, 3)).astype(np.float32)
    bias = rng.normal(size=12).astype(np.float32)
    model = FactorModel(P, Q, "spark", user_bias=bias, global_mean=3.0, regularization=0.5)
    users, values = np.array([0, 5, 7]), np.array([4.0, 2.0, 5.0])
    target = values - 3.0 - bias[users]
    expected = np.linalg.solve(P[users].T.astype(np.float64) @ P[users] + 0.5 * np.eye(3), P[users].T @ target)
    np.testing.assert_allclose(model.fold_in_item(users, values), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_fold_in_rows_gives_each_row_what_fold_in_gives(name):
    model = fitted(name)
    rng = np.random.default_rng(3)
    profiles = sp.random(7, model.n_items, density=0.2, random_state=rng, format="csr", dtype=np.float32)
    profiles.data[:] = rng.integers(1, 6, profiles.nnz)
    profiles.data[profiles.indptr[2]:profiles.indptr[3]] = 0  # an empty profile
    profiles.eliminate_zeros()
    vectors, biases = model.fold_in_rows(profiles)
    assert vectors.shape == (7, model.item_factors.shape[1]) and vectors.dtype == np.float32
    for r in range(7):
        row = profiles[r]
        if row.nnz == 0:
            continue
        vector, bias = model.fold_in(row.indices, row.data, return_bias=True)
        np.testing.assert_allclose(vectors[r], vector, rtol=1e-4, atol=1e-5)
        assert biases[r] == pytest.approx(bias, abs=1e-5)
    with pytest.raises(ModelError, match="one column per item"):
        model.fold_in_rows(sp.csr_matrix((2, model.n_items + 1), dtype=np.float32))


def test_external_factors_fold_in_rows_like_fold_in():
    rng = np.random.default_rng(1)
    model = FactorModel(rng.normal(size=(12, 3)), rng.normal(size=(9, 3)), "spark",
                        item_bias=rng.normal(size=9), global_mean=3.0, regularization=0.5)
    profiles = sp.csr_matrix(np.where(rng.random((4, 9)) < 0.5, rng.integers(1, 6, (4, 9)), 0).astype(np.float32))
    vectors, _ = model.fold_in_rows(profiles)
    for r in range(4):
        np.testing.assert_allclose(vectors[r], model.fold_in(profiles[r].indices, profiles[r].data), rtol=1e-4,
                                   atol=1e-5)
