"""Funk SVD: SGD kernels against NumPy references and finite differences, model behaviour, ML-100K sanity."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.errors import ModelError
from mfviz.kernels.sgd import (
    funk_fold_in,
    funk_fold_in_reference,
    funk_objective,
    funk_objective_reference,
    funk_rating_loss_reference,
    funk_sgd_epoch,
    funk_sgd_epoch_by_user,
    funk_sgd_epoch_by_user_hogwild,
    funk_sgd_epoch_by_user_reference,
    funk_sgd_epoch_hogwild,
    funk_sgd_epoch_reference,
    pairs_squared_error,
    pairs_squared_error_reference,
)
from mfviz.models import FunkSVD, load_model

ML100K = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "ml-100k" / "u.data"


def make_ratings(n_users=40, n_items=25, density=0.5, seed=0) -> sp.csr_matrix:
    """Star ratings 1..5 from a rank-3 taste model plus noise, about `density` of cells observed;
    every user and item has at least one rating."""
    rng = np.random.default_rng(seed)
    users, items = rng.normal(size=(n_users, 3)), rng.normal(size=(n_items, 3))
    full = np.clip(np.round(3 + users @ items.T + 0.3 * rng.normal(size=(n_users, n_items))), 1, 5)
    mask = rng.random((n_users, n_items)) < density
    mask[np.arange(n_users), rng.integers(0, n_items, n_users)] = True
    mask[rng.integers(0, n_users, n_items), np.arange(n_items)] = True
    return sp.csr_matrix(np.where(mask, full, 0), dtype=np.float32)


def random_state(n_users, n_items, k, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.normal(0, 0.1, (n_users, k)), rng.normal(0, 0.1, (n_items, k)),
            rng.normal(0, 0.1, n_users), rng.normal(0, 0.1, n_items))


def coo(matrix):
    c = matrix.tocoo()
    return c.row.astype(np.int32), c.col.astype(np.int32), c.data.astype(np.float64)


# ----------------------------------------------------------------------------- kernels


@pytest.mark.parametrize("use_bias", [True, False])
def test_sgd_epoch_matches_reference(use_bias):
    matrix = make_ratings()
    users, items, ratings = coo(matrix)
    order = np.random.default_rng(2).permutation(users.size)
    state = random_state(*matrix.shape, k=6)
    if not use_bias:
        state = state[:2] + (np.zeros(matrix.shape[0]), np.zeros(matrix.shape[1]))
    a = [x.copy() for x in state]
    b = [x.copy() for x in state]
    mu = 3.4 if use_bias else 0.0
    sse_kernel = funk_sgd_epoch(users, items, ratings, order, *a, mu, 0.01, 0.05, use_bias)
    sse_ref = funk_sgd_epoch_reference(users, items, ratings, order, *b, mu, 0.01, 0.05, use_bias)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)
    assert sse_kernel == pytest.approx(sse_ref, rel=1e-9)
    if not use_bias:
        assert not a[2].any() and not a[3].any()


def test_hogwild_with_one_chunk_is_the_serial_pass_and_with_two_still_descends():
    matrix = make_ratings()
    users, items, ratings = coo(matrix)
    order = np.random.default_rng(3).permutation(users.size)
    state = random_state(*matrix.shape, k=6)
    a, b, c = ([x.copy() for x in state] for _ in range(3))
    funk_sgd_epoch(users, items, ratings, order, *a, 3.0, 0.01, 0.02, True)
    funk_sgd_epoch_hogwild(users, items, ratings, order, *b, 3.0, 0.01, 0.02, True, 1)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)
    counts = np.bincount(items, minlength=matrix.shape[1]).astype(np.float64)
    before = sum(funk_objective(matrix.indptr, matrix.indices, matrix.data, *c, 3.0, 0.02, counts))
    for _ in range(10):
        funk_sgd_epoch_hogwild(users, items, ratings, order, *c, 3.0, 0.03, 0.02, True, 2)
        funk_sgd_epoch(users, items, ratings, order, *a, 3.0, 0.03, 0.02, True)
    after = sum(funk_objective(matrix.indptr, matrix.indices, matrix.data, *c, 3.0, 0.02, counts))
    serial = sum(funk_objective(matrix.indptr, matrix.indices, matrix.data, *a, 3.0, 0.02, counts))
    assert after < 0.7 * before
    assert after < 1.5 * serial  # lost updates under races cost a little on a matrix this small


@pytest.mark.parametrize("use_bias", [True, False])
def test_one_sgd_step_is_half_gradient_step_by_finite_differences(use_bias):
    """One step on one rating moves every parameter by -lr/2 times the gradient of the
    per-rating objective term, the gradient measured by central differences."""
    rng = np.random.default_rng(4)
    k, lr, reg, mu, r = 5, 0.01, 0.1, 3.2, 4.0
    P, Q = rng.normal(0, 0.5, (1, k)), rng.normal(0, 0.5, (1, k))
    bu, bi = (rng.normal(0, 0.5, 1), rng.normal(0, 0.5, 1)) if use_bias else (np.zeros(1), np.zeros(1))
    params0 = np.concatenate([P[0], Q[0], bu, bi])

    def loss(theta):
        bias_u, bias_i = (theta[2 * k], theta[2 * k + 1]) if use_bias else (0.0, 0.0)
        return funk_rating_loss_reference(r, theta[:k], theta[k:2 * k], bias_u, bias_i, mu, reg)

    eps = 1e-6
    grad = np.array([(loss(params0 + eps * e) - loss(params0 - eps * e)) / (2 * eps)
                     for e in np.eye(params0.size)])
    one = np.zeros(1, np.int32)
    funk_sgd_epoch(one, one, np.array([r]), np.zeros(1, np.int64), P, Q, bu, bi, mu, lr, reg, use_bias)
    step = np.concatenate([P[0], Q[0], bu, bi]) - params0
    expected = -lr / 2 * grad
    if not use_bias:
        expected[2 * k:] = 0.0
    np.testing.assert_allclose(step, expected, rtol=1e-6, atol=1e-10)


def test_objective_pair_errors_and_fold_in_match_references():
    matrix = make_ratings()
    P, Q, bu, bi = random_state(*matrix.shape, k=4)
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    data = matrix.data.astype(np.float64)
    got = funk_objective(matrix.indptr, matrix.indices, data, P, Q, bu, bi, 3.0, 0.05, counts)
    want = funk_objective_reference(matrix.indptr, matrix.indices, data, P, Q, bu, bi, 3.0, 0.05, counts)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    users, items, ratings = coo(matrix)
    assert pairs_squared_error(users, items, ratings, P, Q, bu, bi, 3.0) == pytest.approx(
        pairs_squared_error_reference(users, items, ratings, P, Q, bu, bi, 3.0), rel=1e-9)
    profile, stars = np.array([0, 3, 7]), np.array([5.0, 1.0, 4.0])
    p1, p2 = np.zeros(4), np.zeros(4)
    b1 = funk_fold_in(profile, stars, Q, bi, 3.0, p1, 15, 0.05, 0.9, 0.02, True)
    b2 = funk_fold_in_reference(profile, stars, Q, bi, 3.0, p2, 15, 0.05, 0.9, 0.02, True)
    np.testing.assert_allclose(p1, p2, rtol=1e-9)
    assert b1 == pytest.approx(b2, rel=1e-9)


# ----------------------------------------------------------------------------- model


@pytest.mark.parametrize("use_bias", [True, False])
def test_user_major_epoch_matches_reference_and_hogwild_with_one_chunk(use_bias):
    matrix = make_ratings()
    data = matrix.data.astype(np.float64)
    rng = np.random.default_rng(1)
    user_order = rng.permutation(matrix.shape[0])
    positions = np.concatenate([matrix.indptr[u] + rng.permutation(matrix.indptr[u + 1] - matrix.indptr[u])
                                for u in range(matrix.shape[0])])
    state = random_state(*matrix.shape, k=6)
    if not use_bias:
        state = state[:2] + (np.zeros(matrix.shape[0]), np.zeros(matrix.shape[1]))
    a, b, c = ([x.copy() for x in state] for _ in range(3))
    args = (matrix.indptr, matrix.indices, data, user_order, positions)
    sse = funk_sgd_epoch_by_user(*args, *a, 3.4, 0.01, 0.05, use_bias)
    sse_ref = funk_sgd_epoch_by_user_reference(*args, *b, 3.4, 0.01, 0.05, use_bias)
    funk_sgd_epoch_by_user_hogwild(*args, *c, 3.4, 0.01, 0.05, use_bias, 1)
    for x, y, z in zip(a, b, c, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(x, z, rtol=1e-9, atol=1e-12)
    assert sse == pytest.approx(sse_ref, rel=1e-9)


@pytest.mark.parametrize("order", ["user", "rating"])
def test_loss_decreases_every_epoch_and_final_objective_is_exact(order):
    matrix = make_ratings()
    model = FunkSVD(factors=8, epochs=15, learning_rate=0.01, order=order, random_state=0).fit(matrix)
    losses = [h["loss"] for h in model.history]
    assert len(losses) == 15 and [h["epoch"] for h in model.history] == list(range(1, 16))
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))
    assert model.history[-1]["train_rmse"] < model.history[0]["train_rmse"]
    assert "val_rmse" not in model.history[0]
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1])
    f64 = [np.asarray(a, np.float64) for a in (model.user_factors, model.item_factors, model.user_bias,
                                                 model.item_bias)]
    sse, penalty = funk_objective_reference(matrix.indptr, matrix.indices, matrix.data.astype(np.float64), *f64,
                                            model.global_mean, 0.02, counts)
    assert model.training_loss == pytest.approx((sse + penalty) / matrix.nnz, rel=1e-5)
    assert model.training_rmse == pytest.approx(np.sqrt(sse / matrix.nnz), rel=1e-5)
    # the online loss of the last epoch is close to the exact objective after it
    assert losses[-1] == pytest.approx(model.training_loss, rel=0.05)


def test_same_seed_gives_identical_factors_and_another_seed_does_not():
    matrix = make_ratings()
    a = FunkSVD(factors=5, epochs=5, random_state=7).fit(matrix)
    b = FunkSVD(factors=5, epochs=5, random_state=7).fit(matrix)
    c = FunkSVD(factors=5, epochs=5, random_state=8).fit(matrix)
    np.testing.assert_array_equal(a.user_factors, b.user_factors)
    np.testing.assert_array_equal(a.item_factors, b.item_factors)
    np.testing.assert_array_equal(a.item_bias, b.item_bias)
    assert not np.allclose(a.item_factors, c.item_factors)


def test_prediction_is_mean_plus_biases_plus_dot():
    matrix = make_ratings()
    model = FunkSVD(factors=4, epochs=3, random_state=0).fit(matrix)
    assert model.global_mean == pytest.approx(matrix.data.mean(), rel=1e-6)
    users, items = np.array([0, 5, 9]), np.array([2, 2, 11])
    want = (model.global_mean + model.user_bias[users] + model.item_bias[items]
            + (model.user_factors[users] * model.item_factors[items]).sum(1))
    np.testing.assert_allclose(model.predict(users, items), want, rtol=1e-5)
    plain = FunkSVD(factors=4, epochs=3, biases=False, random_state=0).fit(matrix)
    assert plain.user_bias is None and plain.item_bias is None and plain.global_mean == 0.0
    np.testing.assert_allclose(plain.predict(users, items),
                               (plain.user_factors[users] * plain.item_factors[items]).sum(1), rtol=1e-5)


BASE = dict(factors=6, epochs=6, random_state=0)
CHANGES = {
    "factors": 3, "epochs": 3, "learning_rate": 0.02, "regularization": 0.5, "biases": False, "order": "rating",
    "lr_decay": 0.5, "init_mean": 0.1, "init_std": 0.3, "validation_fraction": 0.2,
    "random_state": 1,
}


@pytest.mark.parametrize("name", sorted(FunkSVD.params))
def test_every_hyperparameter_changes_the_result(name):
    matrix = make_ratings()
    if name == "parallel":
        # Hogwild cannot be seeded: check it trains to the serial model's quality instead.
        serial = FunkSVD(factors=6, epochs=30, learning_rate=0.02, random_state=0).fit(matrix)
        hogwild = FunkSVD(factors=6, epochs=30, learning_rate=0.02, parallel=True).fit(matrix)
        assert hogwild.history[-1]["train_rmse"] < 1.5 * serial.history[-1]["train_rmse"]
        assert hogwild.history[-1]["train_rmse"] < 0.8 * hogwild.history[0]["train_rmse"]
        return
    if name == "patience":
        # patience only matters once validation RMSE stops improving: a large step overfits fast.
        base = dict(factors=20, epochs=40, learning_rate=0.05, regularization=0.0,
                    validation_fraction=0.3, random_state=0)
        short = FunkSVD(**base, patience=1).fit(matrix)
        long = FunkSVD(**base, patience=10).fit(matrix)
        assert len(short.history) < len(long.history)
        return
    default = FunkSVD(**BASE).fit(matrix)
    changed = FunkSVD(**{**BASE, name: CHANGES[name]}).fit(matrix)
    users, items = matrix.nonzero()
    assert not np.allclose(default.predict(users, items), changed.predict(users, items), atol=1e-4)


def test_parallel_with_a_seed_is_refused_with_advice():
    with pytest.raises(ModelError, match="random_state=None"):
        FunkSVD(parallel=True, random_state=0)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(factors=0), "factors must be >= 1, got 0"),
    (dict(learning_rate=0.0), "learning_rate must be > 0"),
    (dict(lr_decay=1.5), "lr_decay must be <= 1"),
    (dict(validation_fraction=0.9), "validation_fraction must be <= 0.5"),
])
def test_bad_hyperparameters_are_model_errors(kwargs, fragment):
    with pytest.raises(ModelError, match=fragment):
        FunkSVD(**kwargs)


def test_early_stopping_keeps_the_best_validation_epoch():
    matrix = make_ratings(n_users=60, n_items=30, density=0.6)
    model = FunkSVD(factors=20, epochs=60, learning_rate=0.05, regularization=0.0,
                    validation_fraction=0.25, patience=3, random_state=0).fit(matrix)
    val = [h["val_rmse"] for h in model.history]
    assert len(val) < 60  # stopped early
    assert model.best_epoch == int(np.argmin(val)) + 1
    assert len(val) == model.best_epoch + 3
    # the kept parameters are the best epoch's: its validation RMSE is reproduced on the held-out set
    rng = np.random.default_rng(0)
    held = np.zeros(matrix.nnz, bool)
    held[rng.choice(matrix.nnz, int(round(0.25 * matrix.nnz)), replace=False)] = True
    c = matrix.tocoo()
    pred = model.predict(c.row[held], c.col[held])
    assert np.sqrt(np.mean((pred - c.data[held]) ** 2)) == pytest.approx(min(val), rel=1e-4)


def test_users_and_items_without_ratings_get_zero_factors_and_fall_back_to_biases():
    matrix = make_ratings().tolil()
    matrix[:, 4] = 0
    matrix[7, :] = 0
    matrix = sp.csr_matrix(matrix)
    matrix.eliminate_zeros()
    model = FunkSVD(factors=4, epochs=5, random_state=0).fit(matrix)
    assert not model.item_factors[4].any() and model.item_bias[4] == 0
    assert not model.user_factors[7].any() and model.user_bias[7] == 0
    assert model.predict([3], [4])[0] == pytest.approx(model.global_mean + model.user_bias[3], rel=1e-6)


def test_fold_in_of_a_training_user_predicts_like_the_trained_user():
    matrix = make_ratings(n_users=80, n_items=40, density=0.5)
    model = FunkSVD(factors=10, epochs=30, learning_rate=0.01, random_state=0).fit(matrix)
    errors = []
    for user in range(0, 80, 8):
        items = matrix[user].indices
        vector, bias = model.fold_in(items, matrix[user].data, return_bias=True)
        folded = model.global_mean + bias + model.item_bias[items] + model.item_factors[items] @ vector
        errors.append(np.abs(folded - model.predict(np.full(items.size, user), items)).mean())
    # both fit the same ratings with the same SGD; the trained user also moved the items.
    assert np.mean(errors) < 0.15
    # a profile of only 5-star ratings gets a positive bias; the fold-in leaves the model alone
    before = model.user_factors.copy()
    _, bias = model.fold_in([0, 1, 2], [5, 5, 5], return_bias=True)
    assert bias > 0
    np.testing.assert_array_equal(before, model.user_factors)


def test_save_and_load_round_trip(tmp_path):
    matrix = make_ratings()
    model = FunkSVD(factors=4, epochs=3, random_state=0).fit(matrix)
    loaded = load_model(model.save(tmp_path / "funk.npz"))
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.predict([1, 2], [3, 4]), model.predict([1, 2], [3, 4]))
    np.testing.assert_array_equal(loaded.fold_in([1, 2], [4, 5]), model.fold_in([1, 2], [4, 5]))


@pytest.mark.skipif(not ML100K.exists(), reason="MovieLens 100K not present")
def test_movielens_100k_holdout_rmse():
    import pandas as pd

    frame = pd.read_csv(ML100K, sep="\t", names=["user", "item", "rating", "ts"])
    rng = np.random.default_rng(0)
    test = rng.random(len(frame)) < 0.2
    shape = (frame.user.max(), frame.item.max())
    train = sp.csr_matrix((frame.rating[~test].astype(np.float32),
                           (frame.user[~test] - 1, frame.item[~test] - 1)), shape=shape)
    model = FunkSVD(random_state=0).fit(train)
    pred = np.clip(model.predict(frame.user[test].to_numpy() - 1, frame.item[test].to_numpy() - 1), 1, 5)
    rmse = np.sqrt(np.mean((pred - frame.rating[test].to_numpy()) ** 2))
    assert rmse < 0.96
