"""The model contract: one suite run over every class in mfviz.models.MODELS.

Each model only says how to build a quick instance (QUICK) and, where a check cannot apply to
it, why (the EXEMPT tables). A model added to the registry without a QUICK entry fails here
on purpose, and placeholders that raise NotImplementedError fail rather than skip.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz.data.interactions import Interactions
from mfviz.errors import DataError, ModelError, ModelWarning
from mfviz.models import MODELS, load_model

# How to build a small, fast, seeded instance of each model (random_state added when declared).
QUICK: dict[str, dict] = {
    "svd": dict(factors=3),
    "funksvd": dict(factors=4, epochs=60, learning_rate=0.02),
    "svdpp": dict(factors=4, epochs=60, learning_rate=0.02),
    "als": dict(factors=4, epochs=8, regularization=0.1),
    "ials": dict(factors=4, epochs=8, regularization=0.5, alpha=5.0),
    "popularity": dict(),
}

# Settings that blow training up, and the hyperparameter the error must name.
DIVERGE: dict[str, tuple[dict, str]] = {
    "funksvd": (dict(learning_rate=1e6, epochs=5), "learning_rate"),
    "svdpp": (dict(learning_rate=1e6, epochs=5), "learning_rate"),
    "ials": (dict(alpha=1e30), "alpha"),
}
NO_DIVERGENCE = {
    "svd": "a closed-form decomposition has no step size or confidence to overflow",
    "als": "exact ridge solves with lambda > 0 cannot diverge; there is no step size",
    "popularity": "counts have no hyperparameter",
}

# Models whose fold-in solves the training problem for one row exactly (with these settings).
FOLD_IN_EXACT: dict[str, dict] = {"svd": {}, "als": {}, "ials": dict(solver="cholesky"),
                                  "popularity": {}}
FOLD_IN_INEXACT = {
    "funksvd": "fold-in runs SGD from zero on the profile, not the training trajectory",
    "svdpp": "fold-in runs SGD from zero on the profile, not the training trajectory",
}

NO_CHECKERBOARD = {"popularity": "scores every user alike by item counts, so it cannot prefer a user's own block"}

# Hyperparameters that the generic "changes the result" check cannot exercise alone: either they
# need a partner setting (given here) or they are covered in the model's own tests (reason).
PARAM_PARTNERS: dict[str, dict[str, dict]] = {
    "ials": {"eps": dict(confidence="log"), "cg_steps": dict(solver="cg")},
    # early stopping needs 50 held-out ratings: a fifth of the small matrix, then two fifths
    "funksvd": {"validation_fraction": dict(validation_fraction=0.2)},
    "svdpp": {"validation_fraction": dict(validation_fraction=0.2)},
}
_PATIENCE = ("with the best epoch restored, patience changes the result only when validation RMSE "
             "recovers after a stall; covered by the SGD models' own early-stopping tests")
PARAM_SKIP: dict[str, dict[str, str]] = {
    "funksvd": {"parallel": "Hogwild runs unseeded (random_state=None); covered in test_funk.py",
                "patience": _PATIENCE},
    "svdpp": {"patience": _PATIENCE},
}

NAMES = sorted(MODELS)


def build(name: str, **overrides):
    cls = MODELS[name]
    if name not in QUICK:
        pytest.fail(f"model {name!r} is in the registry but has no QUICK entry in the contract suite")
    kwargs = dict(QUICK[name])
    if "random_state" in cls.params:
        kwargs["random_state"] = 0
    kwargs.update(overrides)
    return cls(**kwargs)


def random_matrix(name: str, seed: int = 0, shape=(30, 25)) -> sp.csr_matrix:
    """Ratings 1..5 for explicit models, counts 1..3 for the others; every row and column used."""
    rng = np.random.default_rng(seed)
    mask = rng.random(shape) < 0.35
    mask[np.arange(shape[0]), np.arange(shape[0]) % shape[1]] = True
    mask[np.arange(shape[1]) % shape[0], np.arange(shape[1])] = True
    high = 5 if MODELS[name].feedback == "explicit" else 3
    values = rng.integers(1, high + 1, shape).astype(np.float32)
    return sp.csr_matrix(np.where(mask, values, 0).astype(np.float32))


def checkerboard(explicit: bool, block: int = 10) -> sp.csr_matrix:
    """Two blocks of `block` users × `block` items. Every user has seen every item of its own
    block except the one with its own index (the held-out diagonal). Implicit version: those
    are the only entries, so the unseen items are the user's own index (same block) and the
    whole other block. Explicit version: own block rated 5, the other block rated 1 except the
    item at the mirrored position, so the unseen items are exactly {u, u ± block} and only
    learning the block structure ranks u first. Either way the right top-1 is unique: u."""
    n = 2 * block
    group = np.arange(n) // block
    same = group[:, None] == group[None, :]
    dense = np.where(same, 5.0 if explicit else 1.0, 1.0 if explicit else 0.0)
    if not explicit:
        dense = np.where(same, 1.0, 0.0)
    dense[np.arange(n), np.arange(n)] = 0.0
    if explicit:
        dense[np.arange(n), (np.arange(n) + block) % n] = 0.0
    return sp.csr_matrix(dense.astype(np.float32))


def fitted(name: str, seed: int = 0, **overrides):
    return build(name, **overrides).fit(random_matrix(name, seed))


def state(model) -> list[np.ndarray]:
    arrays = [model.user_factors, model.item_factors]
    for extra in (model.user_bias, model.item_bias):
        if extra is not None:
            arrays.append(extra)
    return arrays


# ------------------------------------------------------------------------- quality
@pytest.mark.parametrize("name", NAMES)
def test_checkerboard_top1_is_the_held_out_own_block_item(name):
    if name in NO_CHECKERBOARD:
        pytest.skip(NO_CHECKERBOARD[name])
    matrix = checkerboard(MODELS[name].feedback == "explicit")
    model = build(name).fit(matrix)
    ids, scores = model.recommend(np.arange(matrix.shape[0]), n=1)
    np.testing.assert_array_equal(ids[:, 0], np.arange(matrix.shape[0]))


# ------------------------------------------------------------------------- shapes
@pytest.mark.parametrize("name", NAMES)
def test_shapes_dtypes_and_layout(name):
    matrix = random_matrix(name)
    model = build(name).fit(matrix)
    for factors, rows in ((model.user_factors, matrix.shape[0]), (model.item_factors, matrix.shape[1])):
        assert factors.dtype == np.float32 and factors.flags.c_contiguous
        assert factors.ndim == 2 and factors.shape[0] == rows
    assert model.user_factors.shape[1] == model.item_factors.shape[1]
    assert np.isfinite(model.user_factors).all() and np.isfinite(model.item_factors).all()
    ids, scores = model.recommend([0, 3], n=5)
    assert ids.shape == scores.shape == (2, 5)
    assert (np.diff(scores, axis=1) <= 0).all()
    assert model.predict([0, 1], [2, 3]).shape == (2,)
    assert model.predict(np.array([[0, 1]]), np.array([[2, 3]])).shape == (1, 2)
    similar, sim_scores = model.similar_items([1], n=4, metric="cosine")
    assert similar.shape == (1, 4) and 1 not in similar[0]
    assert len(model.history) >= 1 and {"epoch", "loss", "seconds"} <= set(model.history[0])


def brute_force_neighbours(item_factors: np.ndarray, metric: str) -> np.ndarray:
    """Every item pair's similarity in float64, an item with itself at -inf: dot products of the
    item vectors, or of the vectors divided by their norms (cosine; a zero vector stays zero)."""
    vectors = item_factors.astype(np.float64)
    if metric == "cosine":
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms > 0, norms, 1.0)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    return similarity


@pytest.mark.parametrize("name", NAMES)
def test_similar_items_are_the_brute_force_neighbours_by_each_metric(name):
    """Each item's top n by cosine and by dot product against an independent float64 computation
    over all pairs: the scores are the n best, best first, and each listed id has the score beside it
    (so ties may come in any order). On these factors the two metrics rank differently, so a cosine
    that quietly became dot product fails here."""
    model = fitted(name)
    n, items = 6, np.arange(model.n_items)
    best, lists = {}, {}
    for metric in ("cosine", "dot"):
        similarity = brute_force_neighbours(model.item_factors, metric)
        ids, scores = model.similar_items(items, n=n, metric=metric)
        best[metric] = -np.sort(-similarity, axis=1)[:, :n]
        np.testing.assert_allclose(scores, best[metric], rtol=1e-4, atol=1e-5, err_msg=metric)
        np.testing.assert_allclose(np.take_along_axis(similarity, ids, axis=1), scores, rtol=1e-4, atol=1e-5,
                                   err_msg=metric)
        assert not (ids == items[:, None]).any()
        lists[metric] = ids
    assert not np.allclose(best["cosine"], best["dot"], rtol=1e-2)  # the two scorings differ here
    if model.item_factors.shape[1] > 1:  # in one dimension every cosine is ±1: no order to differ
        by_cosine = np.take_along_axis(brute_force_neighbours(model.item_factors, "cosine"), lists["dot"], axis=1)
        assert (by_cosine < best["cosine"] - 1e-3).any()  # dot's lists are worse by cosine somewhere


def test_similar_items_by_cosine_and_by_dot_on_hand_made_factors():
    """Item 1 points the way item 0 does but is short; item 2 is long and 45 degrees off; item 3 points
    away. Cosine: cos(0,1) = 0.994, cos(0,2) = 0.707, cos(0,3) = -0.981. Dot: 3 > 0.9 > -1."""
    from mfviz.models.external import FactorModel

    items = np.array([[1.0, 0.0], [0.9, 0.1], [3.0, 3.0], [-1.0, 0.2]])
    model = FactorModel(np.ones((2, 2)), items)
    ids, scores = model.similar_items([0], n=3, metric="cosine")
    assert ids.tolist() == [[1, 2, 3]]
    np.testing.assert_allclose(scores[0], [0.9 / np.hypot(0.9, 0.1), 3 / np.hypot(3, 3), -1 / np.hypot(1, 0.2)],
                               rtol=1e-6)
    ids, scores = model.similar_items([0], n=3, metric="dot")
    assert ids.tolist() == [[2, 1, 3]]
    np.testing.assert_allclose(scores[0], [3.0, 0.9, -1.0], rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_recommend_scores_agree_with_predict(name):
    """recommend's order is predict's order for a user (scores differ by a per-user constant)."""
    model = fitted(name)
    ids, scores = model.recommend([2], n=6, exclude_seen=False)
    predicted = model.predict(np.full(6, 2), ids[0])
    np.testing.assert_allclose(predicted - scores[0], (predicted - scores[0])[0], atol=1e-4)


# ------------------------------------------------------------------------- determinism
@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_factors(name):
    matrix = random_matrix(name)
    first, second = build(name).fit(matrix), build(name).fit(matrix)
    for a, b in zip(state(first), state(second), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_refit_equals_fresh_fit(name):
    other = random_matrix(name, seed=1, shape=(20, 15))
    reused = build(name).fit(random_matrix(name)).fit(other)
    fresh = build(name).fit(other)
    for a, b in zip(state(reused), state(fresh), strict=True):
        np.testing.assert_array_equal(a, b)
    assert len(reused.history) == len(fresh.history)
    assert reused.user_factors.shape[0] == 20 and reused.item_factors.shape[0] == 15


# ------------------------------------------------------------------------- ranking
@pytest.mark.parametrize("name", NAMES)
def test_seen_items_are_excluded(name):
    matrix = random_matrix(name)
    model = build(name).fit(matrix)
    users = np.arange(matrix.shape[0])
    ids, _ = model.recommend(users, n=matrix.shape[1])
    for u in users:
        seen = set(matrix[u].indices)
        listed = set(ids[u][ids[u] >= 0])
        assert not (seen & listed)
        assert listed == set(range(matrix.shape[1])) - seen  # padding only where items ran out
    all_ids, _ = model.recommend(users, n=matrix.shape[1], exclude_seen=False)
    assert (all_ids >= 0).all()


@pytest.mark.parametrize("name", NAMES)
def test_batch_equals_single(name):
    model = fitted(name)
    users = np.array([4, 0, 7, 4])
    ids, scores = model.recommend(users, n=5)
    for row, u in enumerate(users):
        one_ids, one_scores = model.recommend([u], n=5)
        np.testing.assert_array_equal(ids[row], one_ids[0])
        np.testing.assert_allclose(scores[row], one_scores[0], rtol=1e-6)
    items = np.array([1, 2, 3, 4])
    batch = model.predict(users, items)
    singles = [model.predict([u], [i])[0] for u, i in zip(users, items, strict=True)]
    np.testing.assert_allclose(batch, singles, rtol=1e-6)


# ------------------------------------------------------------------------- persistence
@pytest.mark.parametrize("name", NAMES)
def test_save_load_round_trip(name, tmp_path):
    model = fitted(name)
    loaded = load_model(model.save(tmp_path / f"{name}.npz"))
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    users = np.arange(10)
    for a, b in zip(model.recommend(users, n=5), loaded.recommend(users, n=5), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(users, users), loaded.predict(users, users))
    np.testing.assert_array_equal(model.similar_items([0, 1], n=3)[0], loaded.similar_items([0, 1], n=3)[0])
    assert loaded.history == model.history
    row = model.train_matrix[2]
    np.testing.assert_allclose(model.fold_in(row.indices, row.data), loaded.fold_in(row.indices, row.data),
                               rtol=1e-6, atol=1e-7)


# ------------------------------------------------------------------------- errors
@pytest.mark.parametrize("name", NAMES)
def test_unfitted_use_is_a_clear_error(name):
    model = build(name)
    for call in (lambda: model.user_factors, lambda: model.item_factors, lambda: model.predict([0], [0]),
                 lambda: model.recommend([0]), lambda: model.similar_items([0]), lambda: model.fold_in([0]),
                 lambda: model.save("never-written.npz")):
        with pytest.raises(ModelError, match="not fitted"):
            call()


@pytest.mark.parametrize("name", NAMES)
def test_out_of_range_ids(name):
    model = fitted(name)
    n_users, n_items = model.n_users, model.n_items
    with pytest.raises(ModelError, match=str(n_users)):
        model.recommend([n_users])
    with pytest.raises(ModelError, match="-1"):
        model.predict([-1], [0])
    with pytest.raises(ModelError, match=str(n_items + 5)):
        model.similar_items([n_items + 5])
    with pytest.raises(ModelError, match=str(n_items)):
        model.fold_in([0, n_items])


@pytest.mark.parametrize("name", NAMES)
def test_bad_hyperparameters_quote_the_value(name):
    cls = MODELS[name]
    with pytest.raises(ModelError, match="no hyperparameter 'bogus'"):
        cls(bogus=1)
    for key, spec in cls.params.items():
        if spec.choices is not None:
            with pytest.raises(ModelError, match="'nonsense'"):
                cls(**{key: "nonsense"})
        elif spec.low is not None:
            bad = spec.low - 1
            with pytest.raises(ModelError, match=key):
                cls(**{key: bad})
        if "factors" == key:
            with pytest.raises(ModelError, match="factors must be >= 1, got 0"):
                cls(factors=0)


@pytest.mark.parametrize("name", NAMES)
def test_calls_with_ids_of_the_wrong_shape_or_values_of_the_wrong_type_say_so(name, tmp_path):
    # these crashed in scipy (IndexError), numba (TypingError), numpy (float('a')) or open()
    model = fitted(name)
    for call in (lambda: model.recommend([[0, 1], [2, 3]]), lambda: model.similar_items([[0, 1], [2, 3]]),
                 lambda: model.fold_in([[0, 1], [2, 3]])):
        with pytest.raises(ModelError, match=r"indices must be a 1-D list, got an array of shape \(2, 2\)"):
            call()
    with pytest.raises(ModelError, match="fold-in values must be numbers .* got <U1"):
        model.fold_in([0, 1], ["a", "b"])
    with pytest.raises(ModelError, match="fold-in values must be numbers"):
        model.fold_in_item([0, 1], [1.0, None])
    missing = tmp_path / "no such folder"
    with pytest.raises(ModelError, match=f"cannot save to .*: the folder {missing} does not exist"):
        model.save(missing / "model.npz")
    with pytest.raises(ModelError, match="could not write"):
        model.save(tmp_path)  # a folder, not a file
    width = model.item_factors.shape[1]
    with pytest.raises(ModelError, match="vector holds NaN or infinite components"):
        model.recommend_for_vector(np.full(width, np.nan))  # NaN scores rank nothing: an empty list
    with pytest.raises(ModelError, match="vector must hold numbers"):
        model.recommend_for_vector(["x"] * width)


@pytest.mark.parametrize("name", NAMES)
def test_a_profile_names_each_id_once(name):
    # fold_in([3, 3], [5, 1]) counted both entries while fold_in_rows summed them into one value 6
    model = fitted(name)
    with pytest.raises(ModelError, match=r"item 3 appears 2 times in the profile; give each item once"):
        model.fold_in([3, 1, 3], [5.0, 2.0, 1.0])
    with pytest.raises(ModelError, match=r"user 4 appears 3 times in the new item's users; give each user once"):
        model.fold_in_item([4, 4, 0, 4])
    # a sparse profile's repeated entries are one entry with the summed value, as scipy means them
    repeated = sp.csr_matrix((np.array([5.0, 1.0, 2.0], np.float32), np.array([3, 3, 1]), np.array([0, 3])),
                             shape=(1, model.n_items))
    vectors, biases = model.fold_in_rows(repeated)
    vector, bias = model.fold_in([1, 3], [2.0, 6.0], return_bias=True)
    np.testing.assert_allclose(vectors[0], vector, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(biases[0], bias, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_factors_and_epochs_are_bounded_and_numbers_are_numbers(name):
    # Funk SVD and SVD++ took factors=10**30 and failed in fit ("Maximum allowed dimension exceeded")
    cls = MODELS[name]
    for key, high in (("factors", 4096), ("epochs", 10_000)):
        if key in cls.params:
            assert cls.params[key].high == high, key
            with pytest.raises(ModelError, match=f"{key} must be <= {high}, got 1e\\+30$"):  # not its 31 digits
                cls(**{key: 10**30})
    for key, spec in cls.params.items():
        if spec.choices is None and not isinstance(spec.default, bool):
            for wrong in ("5", True):  # float("5") and float(True) used to pass as 5.0 and 1.0
                with pytest.raises(ModelError, match=f"{key} must be (a number|an integer), got {wrong!r}"):
                    cls(**{key: wrong})


@pytest.mark.parametrize("name", [n for n in NAMES if "random_state" in MODELS[n].params])
def test_a_negative_seed_is_refused_at_construction(name):
    # numpy's generators take only seeds >= 0; a negative one used to fail only inside fit
    with pytest.raises(ModelError, match="random_state must be >= 0, got -1"):
        MODELS[name](random_state=-1)


@pytest.mark.parametrize("name", NAMES)
def test_fit_rejects_non_matrices(name):
    with pytest.raises(ModelError):
        build(name).fit(np.ones((3, 3)))
    with pytest.raises(ModelError, match="empty"):
        build(name).fit(sp.csr_matrix((4, 4), dtype=np.float32))


@pytest.mark.parametrize("name", NAMES)
def test_fit_refuses_a_matrix_with_nan_or_inf(name):
    # in the kernels NaN crashed (ALS, SVD), blamed alpha / learning_rate, or was ignored (Popularity)
    matrix = random_matrix(name)
    matrix.data[[0, 5]] = [np.nan, np.inf]
    with pytest.raises(DataError, match="the matrix holds 2 NaN or infinite values"):
        build(name).fit(matrix)
    with pytest.raises(DataError, match="holds 1 NaN"):  # float64 beyond float32's range
        build(name).fit(sp.csr_matrix(([1e300, 1.0], ([0, 1], [0, 1])), shape=(2, 2)))


@pytest.mark.parametrize("name", NAMES)
def test_fit_leaves_the_callers_matrix_as_it_was(name):
    # fit sorted the indices of a caller's unsorted CSR in place (csr_matrix shares its arrays)
    matrix = random_matrix(name)
    order = np.arange(matrix.nnz)
    for row in range(matrix.shape[0]):  # each row's entries reversed: the same matrix, unsorted
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        order[start:end] = order[start:end][::-1]
    unsorted = sp.csr_matrix((matrix.data[order].copy(), matrix.indices[order].copy(), matrix.indptr.copy()),
                             shape=matrix.shape)
    indices, data = unsorted.indices.copy(), unsorted.data.copy()
    model = build(name).fit(unsorted)
    np.testing.assert_array_equal(unsorted.indices, indices)
    np.testing.assert_array_equal(unsorted.data, data)
    assert (model.train_matrix != matrix).nnz == 0  # the model still trained on the same interactions


@pytest.mark.parametrize("name", NAMES)
def test_recommending_to_users_without_training_data_warns(name):
    # a user with no training row got a list in index order (all scores 0) or by an untrained vector, silently
    matrix = random_matrix(name).tolil()
    for row in (4, 9):
        matrix.rows[row], matrix.data[row] = [], []
    model = build(name).fit(matrix.tocsr())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # users who all have training data: no warning
        model.recommend([0, 1, 2])
    if not model.personal:  # Popularity gives everyone the same list: nothing is lost for a stranger
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.recommend([4, 9])
        return
    with pytest.warns(ModelWarning, match=r"2 of these users \(rows 4, 9\) have no training interactions") as caught:
        model.recommend([0, 4, 9])
    assert caught[0].filename == __file__  # pointed at the caller's line, not at mfviz


@pytest.mark.parametrize("name", NAMES)
def test_a_repeated_pair_is_refused_not_read_twice(name):
    # two values of one user-item pair were read as two interactions, silently
    matrix = random_matrix(name)
    at = matrix.indptr[2] + 1  # the second entry of row 2, given once more right after itself
    row, column = 2, int(matrix.indices[at])
    indptr = matrix.indptr.copy()
    indptr[3:] += 1
    repeated = sp.csr_matrix((np.insert(matrix.data, at, matrix.data[at]), np.insert(matrix.indices, at, column),
                              indptr), shape=matrix.shape)
    assert not repeated.has_canonical_format
    with pytest.raises(DataError, match=rf"1 repeated user-item pair\(s\) \(the first: row {row}, column {column}\)"
                                        r".*sum_duplicates"):
        build(name).fit(repeated)


@pytest.mark.parametrize("name", NAMES)
def test_divergence_names_the_hyperparameter(name):
    if name in NO_DIVERGENCE:
        pytest.skip(NO_DIVERGENCE[name])
    settings, hyperparameter = DIVERGE[name]
    with pytest.raises(ModelError, match=hyperparameter):
        build(name, **settings).fit(random_matrix(name))


@pytest.mark.parametrize("name", ["funksvd", "svdpp"])
def test_sgd_divergence_from_a_huge_regularization_names_it_not_the_learning_rate(name):
    # each SGD step shrinks a vector by learning_rate × regularization of itself: above 1 it overshoots
    with pytest.raises(ModelError, match=r"lower regularization \(now 1e\+06\) so that learning_rate × regularization") as caught:
        build(name, regularization=1e6, epochs=5).fit(random_matrix(name))
    assert "lower learning_rate" not in str(caught.value)
    with pytest.raises(ModelError, match=r"lower init_std \(now 1e\+30"):  # factors that start huge
        build(name, init_std=1e30, epochs=2).fit(random_matrix(name))
    with pytest.raises(ModelError, match=r"lower init_mean toward 0 \(now 1e\+20"):  # it was "lower learning_rate"
        build(name, init_mean=1e20, epochs=2).fit(random_matrix(name))


@pytest.mark.parametrize("name", ["funksvd", "svdpp"])
def test_sgd_divergence_on_play_counts_names_the_values_not_the_learning_rate(name):
    # Play counts up to ~10^6 read as ratings: "lower learning_rate (now 0.005)" was the advice, and 10 or 500
    # times lower still diverged within three epochs
    rng = np.random.default_rng(0)
    plays = np.exp(rng.normal(3, 2.5, 20_000)).round() + 1
    matrix = sp.csr_matrix((plays, (rng.integers(0, 300, 20_000), rng.integers(0, 500, 20_000))), shape=(300, 500))
    for learning_rate in (0.005, 0.0005):
        with pytest.raises(ModelError, match=r"\(loss is nan\): its values run up to [\d,]+, far beyond a rating "
                                             r"scale.*binarise them \(Data page, Prepare\) and train again, or train "
                                             r"implicit ALS") as caught:
            build(name, learning_rate=learning_rate, epochs=5).fit(matrix)
        assert "lower learning_rate" not in str(caught.value)
    # ratings on a 1-5 scale keep the hyperparameter's advice, and so does a hyperparameter out of bounds on counts
    with pytest.raises(ModelError, match=r"lower regularization \(now 1e\+06\)"):
        build(name, regularization=1e6, epochs=5).fit(random_matrix(name))
    with pytest.raises(ModelError, match=r"lower regularization \(now 1e\+06\)"):
        build(name, regularization=1e6, epochs=5).fit(matrix)


@pytest.mark.parametrize(("name", "settings", "said"), [
    ("als", dict(regularization=0.0), "regularization must be > 0, got 0.0: with 0, a user or item with fewer"),
    ("funksvd", dict(init_std=0.0), "init_std must be > 0, got 0.0: every factor would start at the same value"),
    ("svdpp", dict(init_std=0.0), "init_std must be > 0"),
])
def test_settings_that_cannot_train_a_model_are_refused_with_the_reason(name, settings, said):
    # ALS at 0 crashed in its kernel (SystemError from a division by zero); init_std 0 silently left
    # every factor at 0, a biases-only model
    with pytest.raises(ModelError, match=re.escape(said)):
        build(name, **settings)


@pytest.mark.parametrize("name", ["funksvd", "svdpp"])
def test_early_stopping_on_a_handful_of_ratings_is_refused(name):
    matrix = random_matrix(name)
    with pytest.raises(ModelError, match=r"holds out 3 of \d+ ratings; early stopping needs at least 50"):
        build(name, validation_fraction=3 / matrix.nnz).fit(matrix)


# ------------------------------------------------------------------------- progress
@pytest.mark.parametrize("name", NAMES)
def test_callback_once_per_epoch_and_false_stops(name):
    calls = []
    model = build(name).fit(random_matrix(name), callback=lambda *args: calls.append(args))
    assert [c[0] for c in calls] == [h["epoch"] for h in model.history] == list(range(1, len(calls) + 1))
    if "epochs" in model.params:
        assert len(calls) == model.epochs
    assert all(np.isfinite(c[1]) and c[2] >= 0 for c in calls)
    stopped = build(name).fit(random_matrix(name), callback=lambda epoch, loss, seconds: False)
    assert len(stopped.history) == 1 and stopped.is_fitted


@pytest.mark.parametrize("name", NAMES)
def test_inside_a_callback_the_scorer_predicts_with_that_epochs_parameters(name):
    model = build(name)
    matrix = random_matrix(name)
    pairs = (np.array([0, 3, 7, 12]), np.array([1, 4, 2, 9]))
    seen = []
    model.fit(matrix, callback=lambda *_: seen.append(model.scorer().predict(*pairs)))
    assert len(seen) == len(model.history)
    np.testing.assert_allclose(seen[-1], model.predict(*pairs), rtol=1e-5, atol=1e-6)  # the last epoch: the model
    if len(seen) > 2:
        assert not np.allclose(seen[0], seen[-1])  # earlier epochs: earlier parameters
    assert model.scorer() is model  # after fit


@pytest.mark.parametrize("name", NAMES)
def test_the_scorer_of_the_last_epoch_is_the_model_for_users_and_items_without_training_ratings(name):
    # A user or item absent from the training part (a time split's newcomers) keeps its random starting factors in
    # SGD's working arrays; the model kept zeroes them, and the per-epoch test RMSE scored the other (1.035 vs 1.028).
    matrix = random_matrix(name).tolil()
    matrix[4, :] = 0
    matrix[:, 6] = 0
    matrix = matrix.tocsr()
    matrix.eliminate_zeros()
    model = build(name)
    pairs = (np.array([4, 4, 0, 9]), np.array([6, 2, 6, 1]))
    seen = []
    model.fit(matrix, callback=lambda *_: seen.append(model.scorer().predict(*pairs)))
    np.testing.assert_allclose(seen[-1], model.predict(*pairs), rtol=1e-5, atol=1e-6)


def test_time_spent_in_the_callback_is_not_fit_time():
    import time

    matrix = random_matrix("als")
    build("als").fit(matrix)  # compiled kernels loaded before timing
    model = build("als", epochs=3)
    model.fit(matrix, callback=lambda *_: time.sleep(0.5))
    assert model.fit_seconds < 0.75  # 1.5 s were spent in the callback
    assert model.history[-1]["seconds"] < 0.75


# ------------------------------------------------------------------------- fold-in
@pytest.mark.parametrize("name", NAMES)
def test_fold_in_leaves_the_model_alone(name):
    model = fitted(name)
    before = [a.copy() for a in state(model)]
    vector = model.fold_in([0, 3, 5], [1.0, 2.0, 3.0])
    assert vector.shape == (model.item_factors.shape[1],) and vector.dtype == np.float32
    for a, b in zip(before, state(model), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_fold_in_of_a_training_user_reproduces_its_vector(name):
    if name in FOLD_IN_INEXACT:
        pytest.skip(FOLD_IN_INEXACT[name])
    matrix = random_matrix(name)
    model = build(name, **FOLD_IN_EXACT[name]).fit(matrix)
    for u in (0, 5, 11):
        row = matrix[u]
        vector, bias = model.fold_in(row.indices, row.data, return_bias=True)
        scale = np.abs(model.user_factors[u]).max()
        np.testing.assert_allclose(vector, model.user_factors[u], atol=1e-4 * scale)
        if model.user_bias is not None:
            assert bias == pytest.approx(float(model.user_bias[u]), abs=1e-4)


# ------------------------------------------------------------------------- hyperparameters
def _other_value(spec, value):
    if spec.choices is not None:
        return next(c for c in spec.choices if c != value)
    if isinstance(spec.default, bool):
        return not value
    if value is None or isinstance(spec.default, int) or spec.default is None:
        return (value or 0) + 1
    candidate = value * 2 if value else 0.1
    if spec.high is not None and candidate > spec.high:
        candidate = value / 2
    return candidate


def _hyperparameter_cases():
    for name in NAMES:
        for key in MODELS[name].params:
            yield pytest.param(name, key, id=f"{name}-{key}")


@pytest.mark.parametrize("name,key", list(_hyperparameter_cases()))
def test_every_hyperparameter_changes_the_result(name, key):
    reason = PARAM_SKIP.get(name, {}).get(key)
    if reason:
        pytest.skip(reason)
    base = build(name, **PARAM_PARTNERS.get(name, {}).get(key, {}))
    value = getattr(base, key)
    changed = build(name, **{**PARAM_PARTNERS.get(name, {}).get(key, {}),
                             key: _other_value(MODELS[name].params[key], value)})
    matrix = random_matrix(name)
    base.fit(matrix)
    changed.fit(matrix)
    a, b = state(base), state(changed)
    same = len(a) == len(b) and all(x.shape == y.shape and np.allclose(x, y, atol=1e-6)
                                    for x, y in zip(a, b, strict=True))
    assert not same, f"{name}: changing {key} from {value!r} left the fitted model unchanged"


def test_every_model_says_how_it_folds_a_user_in():
    """The Recommend page's caption names each model's fold-in ("one weighted least-squares solve", "the
    training's own SGD"...); a model left with the base class's words would be described wrongly."""
    from mfviz.models import MODELS
    from mfviz.models.base import Model

    for name, cls in MODELS.items():
        assert cls.fold_in_how and cls.fold_in_how != Model.fold_in_how, name


# ------------------------------------------------------------------------- profiles, ids, parameters
@pytest.mark.parametrize("name", NAMES)
def test_an_empty_profile_is_refused_not_answered_with_the_catalogue_in_index_order(name):
    # a zero vector scored every item alike: its "recommendations" were items 0, 1, 2, ...
    model = fitted(name)
    with pytest.raises(ModelError, match="the profile has no items: give at least one"):
        model.fold_in([], [])
    with pytest.raises(ModelError, match="the new item has no users: give at least one"):
        model.fold_in_item([])


@pytest.mark.parametrize("name", [name for name in NAMES if MODELS[name].feedback == "explicit"])
def test_a_model_fitted_on_ratings_needs_the_profiles_ratings(name):
    # without values a profile was read as ratings of 1, the scale's worst: Funk SVD's user bias came out
    # below the mean for films the user meant to like
    model = fitted(name)
    with pytest.raises(ModelError, match=r"fitted on ratings: give each item's rating .*top of the scale \(5\)"):
        model.fold_in([1, 2])
    liked = model.fold_in([1, 2], [5.0, 5.0], return_bias=True)[1]
    assert liked > model.fold_in([1, 2], [1.0, 1.0], return_bias=True)[1]
    # fitted on ones (implicit data), ones are what a profile means (ALS learns nothing from them, and says so)
    ones = random_matrix(name)
    ones.data[:] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        model = build(name).fit(ones)
    np.testing.assert_array_equal(model.fold_in([1, 2]), model.fold_in([1, 2], [1.0, 1.0]))


def test_implicit_als_refuses_a_profile_without_a_positive_value():
    model = fitted("ials")
    with pytest.raises(ModelError, match="give at least one of the items a value above 0"):
        model.fold_in([1, 2], [0.0, 0.0])
    with pytest.raises(ModelError, match="item 2 has -3 .*give values >= 0"):  # a negative is refused, not dropped
        model.fold_in([1, 2], [0.0, -3.0])
    with pytest.raises(ModelError, match="give at least one of the users a value above 0"):
        model.fold_in_item([1, 2], [0.0, 0.0])


@pytest.mark.parametrize("name", NAMES)
def test_ids_lists_are_the_row_lists_under_the_datas_own_ids(name):
    matrix = random_matrix(name)
    frame = pd.DataFrame({"user": [f"u{u}" for u in matrix.tocoo().row], "item": 1000 + matrix.tocoo().col,
                          "rating": matrix.tocoo().data})
    data = Interactions.from_frame(frame, user="user", item="item", rating="rating")
    model = build(name).fit(data)
    users = data.user_index(["u3", "u11"])
    np.testing.assert_array_equal(model.user_rows(["u3", "u11"]), users)
    ids, scores = model.recommend(users, n=4)
    table = model.recommend_ids(["u3", "u11"], n=4)
    assert list(table.columns) == ["user_id", "rank", "item_id", "score"]
    assert table["user_id"].tolist() == ["u3"] * 4 + ["u11"] * 4 and table["rank"].tolist() == [1, 2, 3, 4] * 2
    assert table["item_id"].tolist() == data.item_ids[ids.ravel()].tolist()
    np.testing.assert_array_equal(table["score"].to_numpy(), scores.ravel())
    items = data.item_index([1003])
    similar, closeness = model.similar_items(items, n=3, metric="dot")
    table = model.similar_items_ids(1003, n=3, metric="dot")
    assert table["similar_item_id"].tolist() == data.item_ids[similar[0]].tolist()
    np.testing.assert_array_equal(table["score"].to_numpy(), closeness[0])
    with pytest.raises(DataError, match=r"unknown item id '1003': .*item ids are integers, this one is text"):
        model.item_rows(["1003"])
    with pytest.raises(ModelError, match="knows no user ids"):
        build(name).fit(matrix).user_rows([3])


def test_a_list_shorter_than_n_leaves_no_padding_in_the_ids_table():
    matrix = random_matrix("ials")
    model = build("ials").fit(Interactions.from_frame(
        pd.DataFrame({"user": matrix.tocoo().row, "item": matrix.tocoo().col, "rating": matrix.tocoo().data}),
        user="user", item="item", rating="rating"))
    unseen = matrix.shape[1] - matrix[0].nnz
    table = model.recommend_ids([model.user_ids[0]], n=matrix.shape[1])
    assert len(table) == unseen and table["rank"].tolist() == list(range(1, unseen + 1))
    assert not set(table["item_id"]) & set(model.item_ids[matrix[0].indices])


@pytest.mark.parametrize("name", NAMES)
def test_hyperparameters_are_in_the_signature_and_set_params_checks_them(name, tmp_path):
    import inspect

    cls = MODELS[name]
    signature = inspect.signature(cls)
    # random_state too where the model has no randomness: taken (and ignored) so that one loop seeds every model
    assert {key: p.default for key, p in signature.parameters.items()} == {"random_state": None} | {
        k: p.default for k, p in cls.params.items()}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in signature.parameters.values())
    if not cls.params:
        return
    assert all(f"        {key} = {spec.default!r}: {spec.help}" in cls.__doc__ for key, spec in cls.params.items())
    model = fitted(name)
    key = next(iter(cls.params))
    with pytest.raises(ModelError, match=key):
        model.set_params(**{key: "x"})
    # changed after the fit: the file keeps the hyperparameters its factors were fitted with, and loads
    fitted_with = model.get_params()
    if "factors" in cls.params:
        model.factors = model.factors + 1
        assert load_model(model.save(tmp_path / "m.npz")).get_params() == fitted_with
        model.factors = "x"
        with pytest.raises(ModelError, match="factors must be an integer, got 'x'"):
            model.fit(random_matrix(name))


def test_scikit_learns_clone_copies_the_hyperparameters():
    clone = pytest.importorskip("sklearn.base").clone
    model = build("funksvd", factors=7, learning_rate=0.01)
    copy = clone(model)
    assert type(copy) is type(model) and copy.get_params() == model.get_params() and not copy.is_fitted


def test_a_model_of_other_data_is_refused_where_ids_would_be_mixed_up():
    from mfviz.analysis.export import recommendation_table
    from mfviz.analysis.popularity import popularity_report

    matrix = random_matrix("ials")
    coo = matrix.tocoo()
    frame = pd.DataFrame({"user": coo.row, "item": coo.col, "rating": coo.data})
    data = Interactions.from_frame(frame, user="user", item="item", rating="rating")
    model = build("ials").fit(data)
    assert len(recommendation_table(model, data)) > 0
    # the same pairs with every user id shifted by one: same shape, same counts, other people
    shifted = Interactions.from_frame(frame.assign(user=frame["user"] + 1), user="user", item="item", rating="rating")
    for call in (lambda: recommendation_table(model, shifted), lambda: popularity_report(model, shifted)):
        with pytest.raises(ModelError, match=r"fitted on other data than this: row 0 is user 0 in the model but 1"):
            call()


def test_a_fit_that_learned_nothing_warns_with_the_reason():
    with pytest.warns(ModelWarning, match="its user and item vectors are all zero.*scale_regularization multiplies"):
        MODELS["als"](factors=4, epochs=3, regularization=15.0, scale_regularization=True, random_state=0).fit(
            random_matrix("als"))
