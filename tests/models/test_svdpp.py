"""SVD++: the O(|R|k) user-by-user kernel against the literal per-rating algorithm, gradients,
reduction to Funk SVD, model behaviour, fold-in, save/load, ML-100K sanity."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.kernels.sgd import funk_sgd_epoch, funk_sgd_epoch_by_user
from mfviz.kernels.svdpp import (
    shuffle_within_rows,
    shuffle_within_rows_reference,
    svdpp_epoch,
    svdpp_epoch_reference,
    svdpp_fold_in,
    svdpp_fold_in_reference,
    svdpp_objective,
    svdpp_objective_reference,
    svdpp_rating_loss_reference,
    svdpp_step_reference,
    svdpp_user_vectors,
    svdpp_user_vectors_reference,
)
from mfviz.models import SVDpp, load_model

ML100K = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "ml-100k" / "u.data"


def make_ratings(n_users=40, n_items=25, density=0.5, seed=0) -> sp.csr_matrix:
    """Star ratings 1..5 from a rank-3 taste model plus noise; every user and item rated at least once."""
    rng = np.random.default_rng(seed)
    users, items = rng.normal(size=(n_users, 3)), rng.normal(size=(n_items, 3))
    full = np.clip(np.round(3 + users @ items.T + 0.3 * rng.normal(size=(n_users, n_items))), 1, 5)
    mask = rng.random((n_users, n_items)) < density
    mask[np.arange(n_users), rng.integers(0, n_items, n_users)] = True
    mask[rng.integers(0, n_users, n_items), np.arange(n_items)] = True
    return sp.csr_matrix(np.where(mask, full, 0), dtype=np.float32)


def random_state(n_users, n_items, k, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.normal(0, 0.1, (n_users, k)), rng.normal(0, 0.1, (n_items, k)), rng.normal(0, 0.1, (n_items, k)),
            rng.normal(0, 0.1, n_users), rng.normal(0, 0.1, n_items))


def epoch_order(matrix, seed):
    rng = np.random.default_rng(seed)
    return (rng.permutation(matrix.shape[0]).astype(np.int64),
            shuffle_within_rows(matrix.indptr, rng.random(matrix.nnz)))


# ----------------------------------------------------------------------------- kernels


def test_shuffle_within_rows_permutes_each_row_like_the_reference():
    matrix = make_ratings()
    uniforms = np.random.default_rng(0).random(matrix.nnz)
    got = shuffle_within_rows(matrix.indptr, uniforms)
    np.testing.assert_array_equal(got, shuffle_within_rows_reference(matrix.indptr, uniforms))
    for u in range(matrix.shape[0]):
        a, b = matrix.indptr[u], matrix.indptr[u + 1]
        assert sorted(got[a:b]) == list(range(a, b))
    assert not np.array_equal(got, np.arange(matrix.nnz))


@pytest.mark.parametrize("lr_y", [0.02, 0.0])
def test_user_by_user_epoch_equals_the_literal_per_rating_algorithm(lr_y):
    """The O(|R|k) kernel (z updated incrementally, Y updates applied once per user) gives the
    same parameters as recomputing z and updating every y_j at each rating, as Surprise does."""
    matrix = make_ratings()
    data = matrix.data.astype(np.float64)
    users, positions = epoch_order(matrix, 5)
    state = random_state(*matrix.shape, k=6)
    a, b = [x.copy() for x in state], [x.copy() for x in state]
    for _ in range(2):
        sse_kernel = svdpp_epoch(matrix.indptr, matrix.indices, data, users, positions, *a, 3.3, 0.02, lr_y, 0.05)
        sse_ref = svdpp_epoch_reference(matrix.indptr, matrix.indices, data, users, positions, *b, 3.3, 0.02,
                                        lr_y, 0.05)
        for x, y in zip(a, b, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-8, atol=1e-11)
        assert sse_kernel == pytest.approx(sse_ref, rel=1e-9)


def test_one_step_is_half_gradient_step_by_finite_differences():
    """The literal step (the kernel's reference) moves b_u, b_i, p_u, q_i and every y_j, j ∈ R(u),
    by -lr/2 times the gradient of the per-rating term, measured by central differences."""
    rng = np.random.default_rng(6)
    k, lr, reg, mu, r = 4, 0.01, 0.1, 3.1, 2.0
    rated = np.array([0, 2, 3])  # R(u); the rating is on item 2
    P, Q, Y = rng.normal(0, 0.5, (1, k)), rng.normal(0, 0.5, (4, k)), rng.normal(0, 0.5, (4, k))
    bu, bi = rng.normal(0, 0.5, 1), rng.normal(0, 0.5, 4)

    def pack(P, Q, Y, bu, bi):
        return np.concatenate([P[0], Q[2], Y[rated].ravel(), bu, bi[2:3]])

    def loss(theta):
        y = theta[2 * k:2 * k + 3 * k].reshape(3, k)
        return svdpp_rating_loss_reference(r, theta[:k], theta[k:2 * k], y, theta[-2], theta[-1], mu, reg)

    theta0 = pack(P, Q, Y, bu, bi)
    eps = 1e-6
    grad = np.array([(loss(theta0 + eps * e) - loss(theta0 - eps * e)) / (2 * eps) for e in np.eye(theta0.size)])
    unrated = Y[1].copy()
    svdpp_step_reference(0, 2, r, rated, P, Q, Y, bu, bi, mu, lr, lr, reg)
    np.testing.assert_allclose(pack(P, Q, Y, bu, bi) - theta0, -lr / 2 * grad, rtol=1e-6, atol=1e-10)
    np.testing.assert_array_equal(Y[1], unrated)


def test_kernel_step_for_a_single_rating_user_follows_finite_differences():
    """Through the compiled kernel: a user with one rating gets exactly one step."""
    rng = np.random.default_rng(7)
    k, lr, reg, mu, r = 3, 0.02, 0.05, 3.0, 5.0
    matrix = sp.csr_matrix((np.array([r]), (np.array([0]), np.array([1]))), shape=(1, 2))
    P, Q, Y = rng.normal(0, 0.5, (1, k)), rng.normal(0, 0.5, (2, k)), rng.normal(0, 0.5, (2, k))
    bu, bi = rng.normal(0, 0.5, 1), rng.normal(0, 0.5, 2)

    def pack(P, Q, Y, bu, bi):
        return np.concatenate([P[0], Q[1], Y[1], bu, bi[1:]])

    def loss(t):
        return svdpp_rating_loss_reference(r, t[:k], t[k:2 * k], t[2 * k:3 * k].reshape(1, k), t[-2], t[-1], mu, reg)

    theta0 = pack(P, Q, Y, bu, bi)
    grad = np.array([(loss(theta0 + 1e-6 * e) - loss(theta0 - 1e-6 * e)) / 2e-6 for e in np.eye(theta0.size)])
    untouched = (Q[0].copy(), Y[0].copy())
    svdpp_epoch(matrix.indptr, matrix.indices, matrix.data.astype(np.float64), np.array([0]), np.array([0]),
                P, Q, Y, bu, bi, mu, lr, lr, reg)
    np.testing.assert_allclose(pack(P, Q, Y, bu, bi) - theta0, -lr / 2 * grad, rtol=1e-6, atol=1e-10)
    np.testing.assert_array_equal(Q[0], untouched[0])
    np.testing.assert_array_equal(Y[0], untouched[1])


def test_with_zero_implicit_factors_and_no_implicit_learning_rate_it_is_funk_svd():
    matrix = make_ratings()
    data = matrix.data.astype(np.float64)
    users, positions = epoch_order(matrix, 8)
    P, Q, _, bu, bi = random_state(*matrix.shape, k=5)
    Y = np.zeros_like(Q)
    funk = [P.copy(), Q.copy(), bu.copy(), bi.copy()]
    funk_by_user = [P.copy(), Q.copy(), bu.copy(), bi.copy()]
    # Funk SVD visiting the ratings in the same sequence: user by user, each row's positions shuffled.
    order = np.concatenate([positions[matrix.indptr[u]:matrix.indptr[u + 1]] for u in users])
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr)).astype(np.int32)
    for _ in range(3):
        svdpp_epoch(matrix.indptr, matrix.indices, data, users, positions, P, Q, Y, bu, bi, 3.2, 0.01, 0.0, 0.02)
        funk_sgd_epoch(rows, matrix.indices, data, order, *funk, 3.2, 0.01, 0.02, True)
        funk_sgd_epoch_by_user(matrix.indptr, matrix.indices, data, users, positions, *funk_by_user,
                               3.2, 0.01, 0.02, True)
    assert not Y.any()
    for x, y, z in zip((P, Q, bu, bi), funk, funk_by_user, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(x, z, rtol=1e-9, atol=1e-12)


def test_objective_user_vectors_and_fold_in_match_references():
    matrix = make_ratings()
    data = matrix.data.astype(np.float64)
    P, Q, Y, bu, bi = random_state(*matrix.shape, k=4)
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    np.testing.assert_allclose(
        svdpp_objective(matrix.indptr, matrix.indices, data, P, Q, Y, bu, bi, 3.0, 0.05, counts),
        svdpp_objective_reference(matrix.indptr, matrix.indices, data, P, Q, Y, bu, bi, 3.0, 0.05, counts),
        rtol=1e-6)  # user vectors pass through float32
    np.testing.assert_allclose(svdpp_user_vectors(matrix.indptr, matrix.indices, P, Y),
                               svdpp_user_vectors_reference(matrix.indptr, matrix.indices, P, Y), rtol=1e-6)
    profile, stars = np.array([1, 4, 6, 9]), np.array([2.0, 5.0, 4.0, 3.0])
    v1, b1 = svdpp_fold_in(profile, stars, Q, Y, bi, 3.0, np.zeros(4), 12, 0.03, 0.95, 0.02)
    v2, b2 = svdpp_fold_in_reference(profile, stars, Q, Y, bi, 3.0, np.zeros(4), 12, 0.03, 0.95, 0.02)
    np.testing.assert_allclose(v1, v2, rtol=1e-9)
    assert b1 == pytest.approx(b2, rel=1e-9)


# ----------------------------------------------------------------------------- model


def test_loss_decreases_and_same_seed_is_identical():
    matrix = make_ratings()
    a = SVDpp(factors=6, epochs=12, learning_rate=0.01, random_state=3).fit(matrix)
    b = SVDpp(factors=6, epochs=12, learning_rate=0.01, random_state=3).fit(matrix)
    losses = [h["loss"] for h in a.history]
    assert len(losses) == 12 and all(y < x for x, y in zip(losses, losses[1:], strict=False))
    for name in ("user_factors", "item_factors", "implicit_factors", "raw_user_factors", "user_bias", "item_bias"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1])
    f64 = [np.asarray(x, np.float64) for x in (a.raw_user_factors, a.item_factors, a.implicit_factors,
                                                 a.user_bias, a.item_bias)]
    sse, penalty = svdpp_objective_reference(matrix.indptr, matrix.indices, matrix.data.astype(np.float64), *f64,
                                             a.global_mean, 0.02, counts)
    assert a.training_loss == pytest.approx((sse + penalty) / matrix.nnz, rel=1e-5)
    assert losses[-1] == pytest.approx(a.training_loss, rel=0.1)  # online errors lag the parameters


def test_user_factors_are_the_effective_vectors_and_predict_is_the_svdpp_formula():
    matrix = make_ratings()
    model = SVDpp(factors=5, epochs=4, random_state=0).fit(matrix)
    for u in (0, 11, 39):
        rated = matrix[u].indices
        effective = model.raw_user_factors[u] + model.implicit_factors[rated].sum(0) / np.sqrt(rated.size)
        np.testing.assert_allclose(model.user_factors[u], effective, rtol=1e-5, atol=1e-7)
        items = np.arange(matrix.shape[1])
        want = model.global_mean + model.user_bias[u] + model.item_bias + model.item_factors @ effective
        np.testing.assert_allclose(model.predict(np.full(items.size, u), items), want, rtol=1e-5)


BASE = dict(factors=6, epochs=6, random_state=0)
CHANGES = {"factors": 3, "epochs": 3, "learning_rate": 0.02, "regularization": 0.5, "lr_decay": 0.5,
           "init_mean": 0.1, "init_std": 0.3, "validation_fraction": 0.2, "random_state": 1}


@pytest.mark.parametrize("name", sorted(SVDpp.params))
def test_every_hyperparameter_changes_the_result(name):
    matrix = make_ratings()
    if name == "patience":
        base = dict(factors=20, epochs=40, learning_rate=0.05, regularization=0.0,
                    validation_fraction=0.3, random_state=0)
        assert len(SVDpp(**base, patience=1).fit(matrix).history) < len(SVDpp(**base, patience=10).fit(matrix).history)
        return
    default = SVDpp(**BASE).fit(matrix)
    changed = SVDpp(**{**BASE, name: CHANGES[name]}).fit(matrix)
    users, items = matrix.nonzero()
    assert not np.allclose(default.predict(users, items), changed.predict(users, items), atol=1e-4)


def test_validation_split_records_val_rmse():
    model = SVDpp(factors=4, epochs=5, validation_fraction=0.2, random_state=0).fit(make_ratings())
    assert all("val_rmse" in h and h["val_rmse"] > 0 for h in model.history)
    assert model.best_epoch == int(np.argmin([h["val_rmse"] for h in model.history])) + 1


def test_fold_in_of_a_training_user_predicts_like_the_trained_user():
    matrix = make_ratings(n_users=80, n_items=40)
    model = SVDpp(factors=8, epochs=30, learning_rate=0.01, random_state=0).fit(matrix)
    errors = []
    for user in range(0, 80, 8):
        items = matrix[user].indices
        vector, bias = model.fold_in(items, matrix[user].data, return_bias=True)
        folded = model.global_mean + bias + model.item_bias[items] + model.item_factors[items] @ vector
        errors.append(np.abs(folded - model.predict(np.full(items.size, user), items)).mean())
    assert np.mean(errors) < 0.15
    # the implicit term is part of the folded vector: with no learning it is z_u itself
    frozen = SVDpp(factors=8, epochs=1, learning_rate=1e-12, random_state=0).fit(matrix)
    items = np.array([2, 5, 7])
    np.testing.assert_allclose(frozen.fold_in(items, [3, 3, 3]),
                               frozen.implicit_factors[items].sum(0) / np.sqrt(3), rtol=1e-5, atol=1e-8)


def test_save_and_load_keep_raw_and_implicit_factors(tmp_path):
    matrix = make_ratings()
    model = SVDpp(factors=4, epochs=3, random_state=0).fit(matrix)
    loaded = load_model(model.save(tmp_path / "svdpp.npz"))
    np.testing.assert_array_equal(loaded.implicit_factors, model.implicit_factors)
    np.testing.assert_array_equal(loaded.raw_user_factors, model.raw_user_factors)
    np.testing.assert_array_equal(loaded.predict([0, 3], [1, 2]), model.predict([0, 3], [1, 2]))
    np.testing.assert_array_equal(loaded.fold_in([1, 2], [4, 5]), model.fold_in([1, 2], [4, 5]))


@pytest.mark.skipif(not ML100K.exists(), reason="MovieLens 100K not present")
def test_movielens_100k_holdout_rmse():
    import pandas as pd

    frame = pd.read_csv(ML100K, sep="\t", names=["user", "item", "rating", "ts"])
    test = np.random.default_rng(0).random(len(frame)) < 0.2
    shape = (frame.user.max(), frame.item.max())
    train = sp.csr_matrix((frame.rating[~test].astype(np.float32),
                           (frame.user[~test] - 1, frame.item[~test] - 1)), shape=shape)
    model = SVDpp(random_state=0).fit(train)
    pred = np.clip(model.predict(frame.user[test].to_numpy() - 1, frame.item[test].to_numpy() - 1), 1, 5)
    assert np.sqrt(np.mean((pred - frame.rating[test].to_numpy()) ** 2)) < 0.95
