"""Truncated SVD with more factors than the matrix's rank: the noise components are zeroed, said at fit, and
fold-in is the pseudo-inverse's projection (a hand-checked 4 × 4 case, random low-rank ones against numpy's pinv)."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.analysis import recommend_for_profile
from mfviz.errors import ModelWarning
from mfviz.models import TruncatedSVD, load_model


def test_two_blocks_of_twins_fold_in_to_the_twin_first():
    # items 0, 1 always together, items 2, 3 always together: rank 2, σ = (2, 2, 0, 0)
    blocks = sp.csr_matrix(np.kron(np.eye(2), np.ones((2, 2))).astype(np.float32))
    with pytest.warns(ModelWarning, match="only 2 of the 3 components carry signal"):
        model = TruncatedSVD(factors=3).fit(blocks)
    np.testing.assert_allclose(model.singular_values, [2, 2, 0], atol=1e-12)
    assert not model.item_factors[:, 2].any() and not model.user_factors[:, 2].any()
    # the profile {item 0} projected on the row space: (½, ½, 0, 0), so its twin scores ½ and the others 0
    ids, scores = recommend_for_profile(model, [0], n=3)
    assert ids[0] == 1
    np.testing.assert_allclose(scores, [0.5, 0, 0], atol=1e-6)
    np.testing.assert_allclose(model.fold_in([0]) @ model.item_factors.T, [0.5, 0.5, 0, 0], atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # at the rank, no warning
        TruncatedSVD(factors=2).fit(blocks)


@pytest.mark.parametrize("shape, rank, factors", [((40, 30), 4, 9), ((320, 260), 5, 8)])  # dense, Lanczos
def test_a_profile_folds_in_to_its_projection_by_the_pseudo_inverse(shape, rank, factors):
    rng = np.random.default_rng(rank)
    dense = rng.normal(size=(shape[0], rank)) @ rng.normal(size=(rank, shape[1]))
    with pytest.warns(ModelWarning, match=f"only {rank} of the {factors} components"):
        model = TruncatedSVD(factors=factors).fit(sp.csr_matrix(dense.astype(np.float32)))
    assert (model.singular_values[rank:] == 0).all() and (model.singular_values[:rank] > 1).all()
    exact = dense.astype(np.float32).astype(np.float64)
    # the matrix is float32: its rounding gives σ₅ ~ 1e-7·σ₁, rank rounding noise by the float32 rule
    pinv = np.linalg.pinv(exact, rcond=max(shape) * np.finfo(np.float32).eps)
    profile = rng.normal(size=shape[1])
    items = np.arange(shape[1])
    scores = model.fold_in(items, profile).astype(np.float64) @ model.item_factors.T
    want = profile @ pinv @ exact  # the profile's projection on the row space
    np.testing.assert_allclose(scores, want, atol=1e-3 * np.abs(want).max())
    column = rng.normal(size=shape[0])
    item_scores = model.fold_in_item(np.arange(shape[0]), column).astype(np.float64) @ model.user_factors.T
    want_item = exact @ pinv @ column
    np.testing.assert_allclose(item_scores, want_item, atol=1e-3 * np.abs(want_item).max())
    vectors, _ = model.fold_in_rows(sp.csr_matrix(profile[None, :].astype(np.float32)))
    np.testing.assert_allclose(vectors[0], model.fold_in(items, profile), rtol=1e-4, atol=1e-5)


def test_a_file_saved_with_noise_components_loads_with_them_zeroed(tmp_path):
    blocks = sp.csr_matrix(np.kron(np.eye(2), np.ones((2, 2))).astype(np.float32))
    with pytest.warns(ModelWarning):
        model = TruncatedSVD(factors=3).fit(blocks)
    model.singular_values = np.array([2.0, 2.0, 3.4e-17])  # as mfviz fitted it before noise was zeroed
    loaded = load_model(model.save(tmp_path / "svd.npz"))
    np.testing.assert_array_equal(loaded.singular_values, [2.0, 2.0, 0.0])
    np.testing.assert_allclose(loaded.fold_in([0]), model.fold_in([0]) * [1, 1, 0], atol=1e-6)


def test_a_small_real_component_of_a_large_matrix_is_not_taken_for_noise():
    """Blocks of ones: 40,000 users × 40 items (σ₁ = √1,600,000 ≈ 1,265) and 4 users × 4 other items (σ = 4,
    0.3% of σ₁): a real cluster, which max(m, n) · ε₃₂ · σ₁ (6.0 here) would have zeroed."""
    big = sp.csr_matrix(np.ones((40_000, 40), np.float32))
    small = sp.csr_matrix(np.ones((4, 4), np.float32))
    matrix = sp.block_diag([big, small], format="csr")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # both components are signal: no warning
        model = TruncatedSVD(factors=2).fit(matrix)
    np.testing.assert_allclose(model.singular_values, [np.sqrt(1_600_000), 4.0], rtol=1e-5)
    # the small cluster's user folds in to its own items
    ids, _ = recommend_for_profile(model, [40, 41], n=2)
    assert set(ids.tolist()) == {42, 43}


def test_the_model_keeps_what_its_fit_warned_of_and_forgets_it_at_the_next_fit(tmp_path):
    # kept on the model for a fit in a thread, whose warning no page sees (catch_warnings is process-wide)
    blocks = sp.csr_matrix(np.kron(np.eye(2), np.ones((2, 2))).astype(np.float32))
    model = TruncatedSVD(factors=3)
    assert model.fit_warnings == []
    with pytest.warns(ModelWarning) as caught:
        model.fit(blocks)
    [said] = model.fit_warnings
    assert said.startswith("only 2 of the 3 components carry signal") and "choose factors <= 2" in said
    assert [str(w.message) for w in caught] == [f"Truncated SVD: {said}"]  # the warning: the same words, labelled
    assert caught[0].filename == __file__  # still pointed at the caller's line
    assert load_model(model.save(tmp_path / "svd.npz")).fit_warnings == []  # of a fit, not of the factors
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.set_params(factors=2).fit(blocks)  # at the rank: no warning, and the last fit's is gone
    assert model.fit_warnings == []


def test_a_loaded_model_says_what_its_fit_warned_of_from_its_own_numbers(tmp_path):
    from mfviz.models import ALS
    from mfviz.models.sanity import loaded_warnings

    blocks = sp.csr_matrix(np.kron(np.eye(2), np.ones((2, 2))).astype(np.float32))
    with pytest.warns(ModelWarning):
        surplus = TruncatedSVD(factors=3).fit(blocks)
    assert loaded_warnings(load_model(surplus.save(tmp_path / "svd.npz"))) == surplus.fit_warnings
    with pytest.warns(ModelWarning):  # every value the same: the mean says it all, the vectors learn nothing
        nothing = ALS(factors=2, epochs=2, random_state=0).fit(blocks)
    assert loaded_warnings(load_model(nothing.save(tmp_path / "als.npz"))) == nothing.fit_warnings
    sound = TruncatedSVD(factors=2).fit(blocks)
    assert loaded_warnings(load_model(sound.save(tmp_path / "sound.npz"))) == [] == sound.fit_warnings
