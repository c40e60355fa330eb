"""profile_contributions ("because of"): leave-one-out fold-ins against hand-computed and brute-force answers."""

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.analysis import profile_contributions
from mfviz.errors import ModelError
from mfviz.models import ALS, FunkSVD, ImplicitALS, Popularity, TruncatedSVD
from mfviz.models.external import FactorModel


def ratings(seed=0, users=40, items=25, density=0.3):
    rng = np.random.default_rng(seed)
    mask = rng.random((users, items)) < density
    values = rng.integers(1, 6, (users, items)).astype(np.float32)
    return sp.csr_matrix(np.where(mask, values, 0))


def test_ridge_fold_in_against_brute_force():
    rng = np.random.default_rng(1)
    Y = rng.standard_normal((12, 3))
    fm = FactorModel(rng.standard_normal((5, 3)), Y, regularization=0.3)
    items, values, targets = np.array([0, 4, 9]), np.array([5.0, 2.0, 4.0]), np.array([1, 2, 7, 11])

    def score(keep):
        q = Y[items[keep]]
        x = np.linalg.solve(q.T @ q + 0.3 * np.eye(3), q.T @ values[keep])
        return Y[targets] @ x

    expected = np.stack([score(np.arange(3) != j) for j in range(3)], axis=1)
    expected = score(np.ones(3, bool))[:, None] - expected
    np.testing.assert_allclose(profile_contributions(fm, items, values, targets), expected, rtol=1e-4, atol=1e-5)


def test_truncated_svd_contributions_add_up_to_the_score():
    model = TruncatedSVD(factors=4).fit(ratings())
    items, values = np.array([2, 3, 10, 17]), np.array([5.0, 1.0, 4.0, 3.0], np.float32)
    targets = np.array([0, 5, 20])
    out = profile_contributions(model, items, values, targets)
    Y, s = model.item_factors.astype(np.float64), model.singular_values
    # fold-in (r·Y) Σ⁻¹ is linear: item j adds r_j (y_t Σ⁻¹ y_jᵀ), and the parts sum to y_t · (r Y Σ⁻¹)
    np.testing.assert_allclose(out, values[None, :] * ((Y[targets] / s) @ Y[items].T), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(out.sum(1), Y[targets] @ (values @ Y[items] / s), rtol=1e-4, atol=1e-6)


def test_biased_models_leave_the_user_bias_out():
    model = FunkSVD(factors=3, epochs=5, random_state=0).fit(ratings())
    items, values, targets = np.array([1, 6]), np.array([5.0, 1.0], np.float32), np.array([3, 4])
    out = profile_contributions(model, items, values, targets)
    vector, bias = model.fold_in(items, values, return_bias=True)
    alone, alone_bias = model.fold_in(items[1:], values[1:], return_bias=True)
    Q = model.item_factors.astype(np.float64)
    # the user bias moves (a 5-star rating more) but lifts every target alike: no reason for any of them
    assert bias != alone_bias
    np.testing.assert_allclose(out[:, 0], Q[targets] @ (vector - alone), rtol=1e-4, atol=1e-6)


def test_a_one_item_profile_is_compared_with_no_profile():
    model = ALS(factors=3, epochs=3, random_state=0).fit(ratings())
    out = profile_contributions(model, [4], [5.0], [0, 1])
    vector = model.fold_in([4], [5.0])
    np.testing.assert_allclose(out[:, 0], model.item_factors[[0, 1]] @ vector, rtol=1e-5)


def test_popularity_has_no_personal_reasons():
    out = profile_contributions(Popularity().fit(ratings()), [1, 2, 3], None, [5, 6])
    np.testing.assert_array_equal(out, 0)


def test_limit_keeps_the_items_most_like_the_targets():
    rng = np.random.default_rng(2)
    Y = rng.standard_normal((30, 4))
    Y[7] = 3 * Y[0]  # the profile item pointing the same way as the target
    fm = FactorModel(rng.standard_normal((3, 4)), Y, regularization=0.1)
    items = np.arange(1, 30)
    full = profile_contributions(fm, items, None, [0])
    limited = profile_contributions(fm, items, None, [0], limit=5)
    kept = ~np.isnan(limited[0])
    assert kept.sum() == 5 and kept[items == 7].all()
    cosine = (Y[items] @ Y[0]) / np.linalg.norm(Y[items], axis=1) / np.linalg.norm(Y[0])
    np.testing.assert_array_equal(np.sort(items[kept]), np.sort(items[np.argsort(-cosine)[:5]]))
    np.testing.assert_allclose(limited[0, kept], full[0, kept])


@pytest.mark.parametrize("solver", ["cholesky", "cg"])
def test_implicit_als_fold_in_follows_a_refit(solver):
    """The fold-in caches YᵀY; a refit on other data must not reuse the old one."""
    model = ImplicitALS(factors=4, epochs=2, random_state=0, solver=solver)
    model.fit(ratings(0))
    first = model.fold_in([1, 2], [1.0, 3.0])
    model.fit(ratings(5))
    Y = model.item_factors.astype(np.float64)
    c = 1 + model.alpha * np.array([1.0, 3.0])
    A = Y.T @ Y + (Y[[1, 2]].T * (c - 1)) @ Y[[1, 2]] + model.regularization * np.eye(4)
    expected = np.linalg.solve(A, Y[[1, 2]].T @ c)
    np.testing.assert_allclose(model.fold_in([1, 2], [1.0, 3.0]), expected, rtol=1e-3, atol=1e-5)
    assert not np.allclose(first, expected)


@pytest.mark.parametrize("confidence", ["linear", "log"])
def test_implicit_als_splits_a_score_exactly_into_profile_parts(confidence):
    model = ImplicitALS(factors=5, epochs=3, random_state=0, confidence=confidence).fit(ratings(1))
    items, values, targets = np.array([2, 7, 11, 19]), np.array([3.0, 1.0, 0.0, 5.0]), np.array([0, 4, 8])
    parts = profile_contributions(model, items, values, targets)
    # Hu, Koren, Volinsky (2008) §5 by hand: W = (YᵀY + Σ (c-1) y yᵀ + λI)⁻¹, part_j = c_j y_tᵀ W y_j
    Y = model.item_factors.astype(np.float64)
    kept = values > 0
    c = model._confidence(values[kept]).astype(np.float64)
    W = np.linalg.inv(Y.T @ Y + (Y[items[kept]].T * (c - 1)) @ Y[items[kept]] + model.regularization * np.eye(5))
    expected = np.zeros((3, 4))
    expected[:, kept] = (Y[targets] @ W @ Y[items[kept]].T) * c
    np.testing.assert_allclose(parts, expected, rtol=1e-6, atol=1e-9)
    assert (parts[:, ~kept] == 0).all()
    # the parts add up to the folded-in score
    np.testing.assert_allclose(parts.sum(1), Y[targets] @ model.fold_in(items, values), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("biases, scale", [(True, False), (False, False), (True, True)])
def test_als_splits_a_score_exactly_into_profile_parts(biases, scale):
    model = ALS(factors=4, epochs=3, random_state=0, biases=biases, scale_regularization=scale,
                regularization=0.5).fit(ratings(2))
    items, values, targets = np.array([1, 3, 8, 21]), np.array([5.0, 1.0, 4.0, 2.0]), np.array([0, 6, 12])
    parts = profile_contributions(model, items, values, targets)
    # by hand: ridge regression of r - μ - b_j on (y_j, 1), parts t_j (y_t, 0)ᵀ A⁻¹ f_j
    Y = model.item_factors.astype(np.float64)
    F = np.column_stack([Y, np.ones(len(Y))]) if biases else Y
    T = np.column_stack([Y, np.zeros(len(Y))]) if biases else Y
    t = values - (model.global_mean + model.item_bias[items] if biases else 0.0)
    A = F[items].T @ F[items] + 0.5 * (len(items) if scale else 1) * np.eye(F.shape[1])
    np.testing.assert_allclose(parts, (T[targets] @ np.linalg.inv(A) @ F[items].T) * t, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(parts.sum(1), Y[targets] @ model.fold_in(items, values), rtol=1e-4, atol=1e-5)
    assert (parts < 0).any() and (parts > 0).any()  # the 1- and 2-star ratings pull down


def test_no_targets_no_work():
    model = FunkSVD(factors=2, epochs=1, random_state=0).fit(ratings())
    assert profile_contributions(model, np.arange(5), None, [], limit=2).shape == (0, 5)


def test_the_parts_of_a_profile_with_dislikes_come_from_the_model_that_folds_them_in():
    matrix = sp.random(30, 20, density=0.3, random_state=0, format="csr", dtype=np.float32)
    ials = ImplicitALS(factors=4, epochs=3, random_state=0).fit(matrix)
    parts = profile_contributions(ials, [1, 2], [3.0, 1.0], [5, 6, 7], disliked=[4])
    np.testing.assert_allclose(parts, ials.score_contributions([1, 2], [3.0, 1.0], [5, 6, 7], disliked=[4]))
    vector = ials.fold_in_disliking([1, 2], [3.0, 1.0], [4])
    np.testing.assert_allclose(parts.sum(axis=1), ials.item_factors[[5, 6, 7]] @ vector, rtol=1e-4, atol=1e-6)
    with pytest.raises(ModelError, match="folds in no dislikes"):
        profile_contributions(TruncatedSVD(factors=3).fit(matrix), [1, 2], None, [5], disliked=[4])
