"""ImplicitALS: kernels vs NumPy references and a dense brute-force solve, CG vs Cholesky, the
exact loss, confidence variants and input handling."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz.errors import ModelError
from mfviz.kernels.dense import cholesky_solve, cholesky_solve_reference
from mfviz.kernels.ials import (
    ials_observed_loss,
    ials_observed_loss_reference,
    ials_solve_rows,
    ials_solve_rows_reference,
)
from mfviz.models import ImplicitALS


def counts(seed=0, shape=(40, 30), density=0.25):
    rng = np.random.default_rng(seed)
    dense = np.where(rng.random(shape) < density, rng.integers(1, 6, shape), 0).astype(np.float32)
    return sp.csr_matrix(dense)


def csr_args(matrix, alpha):
    conf = (1.0 + alpha * matrix.data).astype(np.float32)
    return matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32), conf


def start(shape, f, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((shape[0], f)) * 0.1).astype(np.float32), \
        (rng.standard_normal((shape[1], f)) * 0.3).astype(np.float32)


def test_cholesky_solve_matches_numpy():
    rng = np.random.default_rng(0)
    M = rng.standard_normal((7, 7))
    A = M @ M.T + 0.5 * np.eye(7)
    b = rng.standard_normal(7)
    x = np.empty(7)
    cholesky_solve(A.copy(), b, x)
    np.testing.assert_allclose(x, cholesky_solve_reference(A, b), rtol=1e-10)


@pytest.mark.parametrize("use_cg", [False, True])
def test_sweep_matches_reference(use_cg):
    matrix = counts()
    X, Y = start(matrix.shape, 6)
    gram = Y.T.astype(np.float64) @ Y
    expected = ials_solve_rows_reference(*csr_args(matrix, 3.0), X, Y, gram, 0.1, use_cg, 3)
    ials_solve_rows(*csr_args(matrix, 3.0), X, Y, gram, 0.1, use_cg, 3)
    np.testing.assert_allclose(X, expected, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("use_cg", [False, True])
def test_a_row_without_observed_entries_is_solved_to_zero_exactly(use_cg):
    # b = 0 for such a row, so the solve's answer is 0; CG from the warm start only approached it (1e-10 after a
    # few epochs), and a test user without training interactions got a list ranked by rounding noise instead of
    # the documented tie-break of an all-zero vector
    matrix = counts().tolil()
    matrix[5, :] = 0
    matrix = matrix.tocsr()
    matrix.eliminate_zeros()
    X, Y = start(matrix.shape, 6)
    assert np.abs(X[5]).max() > 0.01  # the warm start
    gram = Y.T.astype(np.float64) @ Y
    expected = ials_solve_rows_reference(*csr_args(matrix, 3.0), X, Y, gram, 0.1, use_cg, 3)
    ials_solve_rows(*csr_args(matrix, 3.0), X, Y, gram, 0.1, use_cg, 3)
    assert not X[5].any() and not expected[5].any()
    np.testing.assert_allclose(X, expected, rtol=1e-3, atol=1e-5)
    model = ImplicitALS(factors=6, epochs=4, random_state=0).fit(matrix)
    assert not model.user_factors[5].any() and model.user_factors[4].any()


def test_cholesky_sweep_matches_dense_weighted_least_squares():
    """Independent of the YᵀY trick: solve each user's full weighted ridge problem over all items
    with dense C_u = diag(c_u1 .. c_un) and P_u as in the paper."""
    matrix = counts(seed=3)
    alpha, lam = 2.0, 0.3
    X, Y = start(matrix.shape, 5)
    ials_solve_rows(*csr_args(matrix, alpha), X, Y, Y.T.astype(np.float64) @ Y, lam, False, 1)
    R = matrix.toarray().astype(np.float64)
    C, P, Y64 = 1.0 + alpha * R, (R > 0).astype(float), Y.astype(np.float64)
    for u in range(R.shape[0]):
        A = Y64.T @ (C[u][:, None] * Y64) + lam * np.eye(5)
        expected = np.linalg.solve(A, Y64.T @ (C[u] * P[u]))
        np.testing.assert_allclose(X[u], expected, rtol=1e-4, atol=1e-6)


def test_cg_with_many_steps_equals_cholesky():
    matrix = counts(seed=4)
    X, Y = start(matrix.shape, 6)
    gram = Y.T.astype(np.float64) @ Y
    exact, iterative = X.copy(), X.copy()
    ials_solve_rows(*csr_args(matrix, 1.0), exact, Y, gram, 0.5, False, 1)
    ials_solve_rows(*csr_args(matrix, 1.0), iterative, Y, gram, 0.5, True, 60)
    np.testing.assert_allclose(iterative, exact, rtol=1e-3, atol=1e-4)
    few = X.copy()
    ials_solve_rows(*csr_args(matrix, 1.0), few, Y, gram, 0.5, True, 1)
    assert np.abs(few - exact).max() > np.abs(iterative - exact).max()


def test_observed_loss_matches_reference():
    matrix = counts(seed=5)
    X, Y = start(matrix.shape, 4)
    args = csr_args(matrix, 4.0)
    assert ials_observed_loss(*args, X, Y) == pytest.approx(ials_observed_loss_reference(*args, X, Y), rel=1e-6)


@pytest.mark.parametrize("use_cg", [False, True])
def test_sweep_returns_the_observed_loss_of_its_result(use_cg):
    matrix = counts(seed=11)
    X, Y = start(matrix.shape, 5)
    args = csr_args(matrix, 3.0)
    returned = ials_solve_rows(*args, X, Y, Y.T.astype(np.float64) @ Y, 0.2, use_cg, 3)
    assert returned == pytest.approx(ials_observed_loss_reference(*args, X, Y), rel=1e-5)


def test_recorded_loss_is_the_full_weighted_objective():
    matrix = counts(seed=6)
    model = ImplicitALS(factors=4, epochs=3, alpha=2.0, regularization=0.2, random_state=0).fit(matrix)
    R = matrix.toarray().astype(np.float64)
    C, P = 1.0 + 2.0 * R, (R > 0).astype(float)
    X, Y = model.user_factors.astype(np.float64), model.item_factors.astype(np.float64)
    brute = np.sum(C * (P - X @ Y.T) ** 2) + 0.2 * (np.sum(X**2) + np.sum(Y**2))
    assert model.history[-1]["loss"] == pytest.approx(brute, rel=1e-5)


def test_exact_solver_never_increases_the_loss():
    model = ImplicitALS(factors=5, epochs=8, solver="cholesky", random_state=0).fit(counts(seed=7))
    losses = np.array([h["loss"] for h in model.history])
    assert (np.diff(losses) <= 1e-6 * losses[:-1]).all()
    assert losses[-1] < losses[0]


def test_log_confidence_is_linear_confidence_on_transformed_values():
    matrix = counts(seed=8)
    transformed = matrix.copy()
    transformed.data = (3.0 * np.log1p(matrix.data / 2.0)).astype(np.float32)
    log = ImplicitALS(factors=3, epochs=3, confidence="log", alpha=3.0, eps=2.0, random_state=0).fit(matrix)
    linear = ImplicitALS(factors=3, epochs=3, alpha=1.0, random_state=0).fit(transformed)
    np.testing.assert_allclose(log.user_factors, linear.user_factors, rtol=1e-4, atol=1e-5)


def test_stored_zeros_are_unobserved_and_negatives_rejected():
    matrix = counts(seed=9)
    with_zeros = matrix.copy()
    with_zeros.data[::4] = 0.0  # stored, but zero
    cleaned = with_zeros.copy()
    cleaned.eliminate_zeros()
    a = ImplicitALS(factors=3, epochs=2, random_state=0).fit(with_zeros)
    b = ImplicitALS(factors=3, epochs=2, random_state=0).fit(cleaned)
    np.testing.assert_array_equal(a.item_factors, b.item_factors)
    negative = matrix.copy()
    negative.data[0] = -2.0
    with pytest.raises(ModelError, match="non-negative.*-2"):
        ImplicitALS(factors=3, epochs=1).fit(negative)


def test_every_fold_in_refuses_a_negative_value_as_training_does():
    """fold_in([1, 2], [-5, 2]) used to drop the -5 without a word and equal fold_in([2], [2]); training refuses
    negatives, and so does each way into a fold-in, naming the value (zeros still count as not there)."""
    from mfviz import Interactions

    matrix = counts(seed=11)
    frame = sp.coo_matrix(matrix)
    data = Interactions.from_frame(pd.DataFrame({"u": frame.row, "i": frame.col + 100, "v": frame.data}), user="u",
                                   item="i", rating="v", explicit=False)
    model = ImplicitALS(factors=3, epochs=2, random_state=0).fit(data)
    message = "reads values as strengths of interest .* but item 1 has -5 .*give values >= 0"
    with pytest.raises(ModelError, match=message):
        model.fold_in([1, 2], [-5.0, 2.0])
    with pytest.raises(ModelError, match=message):
        model.fold_in_ids([101, 102], [-5.0, 2.0])
    with pytest.raises(ModelError, match=message):
        model.fold_in_disliking([1, 2], [-5.0, 2.0], [7])
    with pytest.raises(ModelError, match="but user 3 has -1 .*give values >= 0"):
        model.fold_in_item([0, 3], [2.0, -1.0])
    profiles = sp.csr_matrix((np.array([2.0, -5.0, 2.0], np.float32), ([0, 1, 1], [2, 1, 2])), shape=(2, 30))
    with pytest.raises(ModelError, match=r"but item 1 \(row 1 of profiles\) has -5"):
        model.fold_in_rows(profiles)
    # a zero is still no interaction: the same vector as without it, in every form
    np.testing.assert_array_equal(model.fold_in([1, 2], [0.0, 2.0]), model.fold_in([2], [2.0]))
    profiles.data[1] = 0.0
    vectors, _ = model.fold_in_rows(profiles)
    np.testing.assert_allclose(vectors[1], model.fold_in([2], [2.0]), rtol=1e-5, atol=1e-6)


def test_fold_in_of_a_new_profile_is_one_exact_solve():
    matrix = counts(seed=10)
    model = ImplicitALS(factors=4, epochs=3, alpha=2.0, regularization=0.1, random_state=0).fit(matrix)
    items, values = np.array([1, 4, 9]), np.array([1.0, 3.0, 2.0])
    Y = model.item_factors.astype(np.float64)
    c = np.ones(Y.shape[0])
    c[items] = 1.0 + 2.0 * values
    p = np.zeros(Y.shape[0])
    p[items] = 1.0
    expected = np.linalg.solve(Y.T @ (c[:, None] * Y) + 0.1 * np.eye(4), Y.T @ (c * p))
    np.testing.assert_allclose(model.fold_in(items, values), expected, rtol=1e-4, atol=1e-6)


def test_confidence_overflow_names_alpha():
    with pytest.raises(ModelError, match="alpha=1e\\+20"):
        ImplicitALS(factors=2, epochs=1, alpha=1e20).fit(counts())


@pytest.mark.parametrize("solver", ["cg", "cholesky"])
def test_the_scorer_during_training_and_an_early_stop_are_the_model_trained_for_that_many_epochs(solver):
    """After each epoch's item half-sweep the stored users answer the previous epoch's items; only the
    last epoch solves them once more. `scorer` (what the Train page scores per epoch) and a stop after
    epoch e (its "Stop after this epoch") must both give the model that `epochs=e` trains."""
    matrix = counts(seed=3)
    per_epoch = {}
    model = ImplicitALS(factors=6, epochs=4, solver=solver, random_state=0)

    stale = {}

    some = np.array([0, 3, 7, 20])

    def record(epoch, loss, seconds):
        scorer = model.scorer()
        per_epoch[epoch] = (scorer.user_factors.copy(), scorer.item_factors.copy())
        stale[epoch] = model._user_factors.copy()  # what the model itself holds at this point
        # asked about a few users only (the Train page's sample), it solves just those rows, the same
        np.testing.assert_array_equal(model.scorer(users=some).user_factors[some], per_epoch[epoch][0][some])

    model.fit(matrix, callback=record)
    for epoch, (users, items) in per_epoch.items():
        reference = ImplicitALS(factors=6, epochs=epoch, solver=solver, random_state=0).fit(matrix)
        np.testing.assert_allclose(users, reference.user_factors, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(items, reference.item_factors, rtol=1e-5, atol=1e-6)
    assert model.scorer() is model  # after fit
    stopped = ImplicitALS(factors=6, epochs=4, solver=solver, random_state=0).fit(
        matrix, callback=lambda epoch, loss, seconds: epoch < 2)
    assert len(stopped.history) == 2
    reference = ImplicitALS(factors=6, epochs=2, solver=solver, random_state=0).fit(matrix)
    np.testing.assert_allclose(stopped.user_factors, reference.user_factors, rtol=1e-5, atol=1e-6)
    # the users held before the extra half-sweep differ from a one-epoch model's (else this proves nothing)
    assert not np.allclose(stale[1], per_epoch[1][0], rtol=1e-3, atol=1e-4)
    np.testing.assert_array_equal(stale[4], per_epoch[4][0])  # the last epoch needs no extra half-sweep


def test_a_disliked_item_is_an_observed_zero_held_as_firmly_as_the_strongest_like():
    """fold_in_disliking against the weighted least squares written out over every item (an independent
    solve): liked items p = 1 with c = 1 + alpha r, disliked ones p = 0 with the largest of those
    confidences, every other item p = 0 with c = 1, plus lambda |x|^2."""
    model = ImplicitALS(factors=6, epochs=5, alpha=2.0, regularization=0.3, solver="cholesky",
                        random_state=0).fit(counts(seed=3))
    liked, values, disliked = np.array([1, 4, 9]), np.array([3.0, 1.0, 2.0], np.float32), np.array([7, 12])
    Y = model.item_factors.astype(np.float64)
    weight, preference = np.ones(model.n_items), np.zeros(model.n_items)
    weight[liked], preference[liked] = 1 + 2.0 * values, 1.0
    weight[disliked] = 1 + 2.0 * 3.0  # as firmly as the strongest like (value 3)
    rows = np.vstack([np.sqrt(weight)[:, None] * Y, np.sqrt(0.3) * np.eye(6)])
    target = np.concatenate([np.sqrt(weight) * preference, np.zeros(6)])
    expected = np.linalg.lstsq(rows, target, rcond=None)[0]
    vector = model.fold_in_disliking(liked, values, disliked)
    np.testing.assert_allclose(vector, expected, rtol=1e-4, atol=1e-6)
    # without dislikes it is fold_in's own exact solve
    np.testing.assert_allclose(model.fold_in_disliking(liked, values, []), model.fold_in(liked, values),
                               rtol=1e-4, atol=1e-6)
    # the dislikes add (c - 1) * sum of (y_d . x)^2 to the objective, so at the new minimum that sum is no
    # larger than at the old one (f(x1) + g(x1) <= f(x0) + g(x0) and f(x0) <= f(x1)): held nearer 0
    plain = model.fold_in(liked, values)
    assert np.sum((Y[disliked] @ vector) ** 2) < np.sum((Y[disliked] @ plain) ** 2)
    # the liked items' exact parts still add up to every target's score
    targets = np.arange(model.n_items)
    parts = model.score_contributions(liked, values, targets, disliked=disliked)
    np.testing.assert_allclose(parts.sum(axis=1), Y @ vector, rtol=1e-4, atol=1e-6)
    with pytest.raises(ModelError, match="both liked and disliked"):
        model.fold_in_disliking(liked, values, [4])


def test_refitting_keeps_one_gram_per_side_and_lets_the_old_factors_go():
    """The YᵀY cache was keyed by array id and never emptied: every refit plus fold-ins added two
    entries and kept that fit's factor arrays alive (1M users × 64 factors: ~256 MB per refit)."""
    import gc
    import weakref

    matrix = counts(seed=5)
    model = ImplicitALS(factors=5, epochs=2, solver="cholesky", random_state=0)
    previous = []
    for seed in range(5):
        model.random_state = seed
        model.fit(matrix)
        vector = model.fold_in([1, 4, 9], [3.0, 1.0, 2.0])
        item_vector = model.fold_in_item([0, 2, 5])
        model.fold_in_rows(matrix[:3])
        assert len(model._gram_cache) <= 2
        gc.collect()
        assert all(ref() is None for ref in previous), f"fit #{seed + 1} still holds an earlier fit's factors"
        previous = [weakref.ref(model.user_factors), weakref.ref(model.item_factors)]
        # what the cache gave is the solve with this fit's own Grams
        fresh = ImplicitALS(factors=5, epochs=2, solver="cholesky", random_state=seed).fit(matrix)
        np.testing.assert_array_equal(vector, fresh.fold_in([1, 4, 9], [3.0, 1.0, 2.0]))
        np.testing.assert_array_equal(item_vector, fresh.fold_in_item([0, 2, 5]))


@pytest.mark.parametrize("stop_after", [2, 4])
def test_a_fold_in_during_training_uses_that_epochs_gram(stop_after):
    """Training updates the factor arrays in place: a Gram cached for them by a fold-in in the
    callback of one epoch must not answer the next epoch's fold-ins (nor those after an early stop,
    whose extra user half-sweep changes the user factors in place too)."""
    matrix = counts(seed=6)
    model = ImplicitALS(factors=5, epochs=4, solver="cholesky", random_state=0)
    profile, users = ([1, 4, 9], [3.0, 1.0, 2.0]), [0, 2, 5]
    seen = []

    def fold_in_now(epoch, loss, seconds):
        cached = model.fold_in(*profile), model.fold_in_item(users)
        model._gram_cache.clear()
        seen.append(epoch)
        np.testing.assert_array_equal(cached[0], model.fold_in(*profile))
        np.testing.assert_array_equal(cached[1], model.fold_in_item(users))
        return epoch < stop_after

    model.fit(matrix, callback=fold_in_now)
    assert seen == list(range(1, stop_after + 1))
    after = model.fold_in(*profile), model.fold_in_item(users)
    model._gram_cache.clear()
    np.testing.assert_array_equal(after[0], model.fold_in(*profile))
    np.testing.assert_array_equal(after[1], model.fold_in_item(users))
