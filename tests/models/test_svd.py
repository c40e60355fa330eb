"""TruncatedSVD: spectrum vs scipy and LAPACK, Eckart–Young reconstruction, deterministic signs,
folding-in, loss, and persistence of the singular values."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from mfviz.errors import ModelError
from mfviz.models import TruncatedSVD, load_model


def sparse_counts(shape, density=0.05, seed=0):
    rng = np.random.default_rng(seed)
    dense = np.where(rng.random(shape) < density, rng.integers(1, 4, shape), 0).astype(np.float32)
    return sp.csr_matrix(dense)


@pytest.mark.parametrize("shape", [(400, 260), (260, 400)])
def test_singular_values_match_scipy_svds(shape):
    """The Lanczos path (both sides > 200), on tall and wide matrices."""
    matrix = sparse_counts(shape)
    model = TruncatedSVD(factors=12).fit(matrix)
    expected = np.sort(svds(matrix.astype(np.float64), k=12, tol=0, random_state=0)[1])[::-1]
    assert np.all(np.diff(model.singular_values) <= 0)
    np.testing.assert_allclose(model.singular_values, expected, rtol=1e-4)


def test_small_matrix_matches_dense_svd_and_eckart_young():
    matrix = sparse_counts((40, 30), density=0.3)
    k = 5
    model = TruncatedSVD(factors=k).fit(matrix)
    U, s, Vt = np.linalg.svd(matrix.toarray().astype(np.float64))
    np.testing.assert_allclose(model.singular_values, s[:k], rtol=1e-6)
    best = (U[:, :k] * s[:k]) @ Vt[:k]
    np.testing.assert_allclose(model.user_factors @ model.item_factors.T, best, atol=1e-4)
    # the singular values split evenly: each side's Gram matrix is Σ (orthogonal columns of norm σ_j^½)
    np.testing.assert_allclose(model.item_factors.T @ model.item_factors, np.diag(s[:k]), atol=1e-4)
    np.testing.assert_allclose(model.user_factors.T @ model.user_factors, np.diag(s[:k]), atol=1e-4)
    total = float(np.sum(matrix.toarray().astype(np.float64) ** 2))
    assert model.history[-1]["loss"] == pytest.approx(total - np.sum(s[:k] ** 2), rel=1e-6)


def test_signs_are_fixed_by_the_largest_item_component():
    matrix = sparse_counts((300, 250))
    first = TruncatedSVD(factors=6).fit(matrix)
    flipped = TruncatedSVD(factors=6).fit(matrix)
    V = first.item_factors
    assert (V[np.argmax(np.abs(V), axis=0), np.arange(6)] > 0).all()
    np.testing.assert_array_equal(first.item_factors, flipped.item_factors)


def test_fold_in_is_r_times_V_over_the_root_of_sigma():
    matrix = sparse_counts((60, 50), density=0.2)
    model = TruncatedSVD(factors=4).fit(matrix)
    U, s, Vt = np.linalg.svd(matrix.toarray().astype(np.float64))
    V = Vt[:4].T * np.where(Vt[:4].T[np.argmax(np.abs(Vt[:4].T), axis=0), np.arange(4)] < 0, -1, 1)  # svd_flip
    items, values = np.array([3, 7, 20]), np.array([2.0, 1.0, 3.0])
    np.testing.assert_allclose(model.fold_in(items, values), values @ V[items] / np.sqrt(s[:4]), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.fold_in(items), V[items].sum(0) / np.sqrt(s[:4]), rtol=1e-4, atol=1e-6)
    row = matrix[9]
    np.testing.assert_allclose(model.fold_in(row.indices, row.data), model.user_factors[9], atol=1e-4)
    # a folded-in training row scores as the trained user does: r V Vᵀ
    np.testing.assert_allclose(model.fold_in(row.indices, row.data) @ model.item_factors.T,
                               row.toarray().ravel() @ V @ V.T, atol=1e-4)
    # and a new column (an item folded in from its users) lands on the trained item's vector
    column = matrix[:, 11].tocsc()
    np.testing.assert_allclose(model.fold_in_item(column.indices, column.data), model.item_factors[11], atol=1e-4)


def test_cosine_neighbours_weigh_each_dimension_by_its_strength():
    """The even split: an item's vector is V Σ^½, so a weak direction counts less than the first."""
    matrix = sparse_counts((80, 60), density=0.25)
    model = TruncatedSVD(factors=6).fit(matrix)
    V = np.linalg.svd(matrix.toarray().astype(np.float64))[2][:6].T
    np.testing.assert_allclose(np.abs(model.item_factors), np.abs(V) * np.sqrt(model.singular_values), atol=1e-5)


def old_style_file(model: TruncatedSVD, path) -> None:
    """The model as an mfviz before the even split saved it: user_factors = U Σ, item_factors = V."""
    path = model.save(path)
    with np.load(path) as npz:
        arrays = {key: npz[key] for key in npz.files if key != "extra_item_sigma_power"}
    root = np.sqrt(model.singular_values)
    arrays["user_factors"] = (model.user_factors * root).astype(np.float32)
    arrays["item_factors"] = (model.item_factors / root).astype(np.float32)
    np.savez(path, **arrays)


def test_a_file_saved_before_the_even_split_loads_as_the_same_model(tmp_path):
    model = TruncatedSVD(factors=3).fit(sparse_counts((30, 20), density=0.3))
    old_style_file(model, tmp_path / "old.npz")
    loaded = load_model(tmp_path / "old.npz")
    np.testing.assert_allclose(loaded.item_factors, model.item_factors, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loaded.user_factors, model.user_factors, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loaded.fold_in(np.array([1, 4]), np.array([2.0, 3.0])),
                               model.fold_in(np.array([1, 4]), np.array([2.0, 3.0])), rtol=1e-5, atol=1e-6)


def test_an_unknown_split_of_the_singular_values_is_refused(tmp_path):
    path = TruncatedSVD(factors=3).fit(sparse_counts((30, 20), density=0.3)).save(tmp_path / "svd.npz")
    with np.load(path) as npz:
        arrays = {key: npz[key] for key in npz.files}
    arrays["extra_item_sigma_power"] = np.array(1.0)
    np.savez(path, **arrays)
    with pytest.raises(ModelError, match="item_sigma_power"):
        load_model(path)


def test_rank_larger_than_the_matrix_is_a_clear_error():
    with pytest.raises(ModelError, match="factors must be <= .* = 30.*got 31"):
        TruncatedSVD(factors=31).fit(sparse_counts((40, 30), density=0.3))


def test_singular_values_survive_save_and_load(tmp_path):
    model = TruncatedSVD(factors=3).fit(sparse_counts((30, 20), density=0.3))
    loaded = load_model(model.save(tmp_path / "svd.npz"))
    np.testing.assert_array_equal(loaded.singular_values, model.singular_values)


ML100K = __import__("pathlib").Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ml-100k" / "u.data"


def rare_neighbour_share(vectors: np.ndarray, counts: np.ndarray, top: int = 200, k: int = 10) -> float:
    """Of the `top` most rated items' k cosine neighbours, the share with fewer than 20 ratings."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    popular = np.argsort(-counts, kind="stable")[:top]
    similar = unit[popular] @ unit.T
    similar[np.arange(top), popular] = -np.inf
    return float((counts[np.argsort(-similar, axis=1)[:, :k]] < 20).mean())


@pytest.mark.skipif(not ML100K.exists(), reason="MovieLens 100K is not in ../shared/datasets")
def test_on_movielens_the_even_split_keeps_rare_films_out_of_popular_films_cosine_neighbours():
    # README's numbers: with item vectors V (each weak direction weighing as much as the first) 20% of the 200 most
    # rated films' 10 cosine neighbours had under 20 ratings; with V Σ^½, 3%
    from mfviz import load_interactions

    inter = load_interactions(ML100K)
    model = TruncatedSVD(factors=64).fit(inter)
    counts = np.bincount(inter.matrix.indices, minlength=inter.n_items)
    even = rare_neighbour_share(model.item_factors.astype(np.float64), counts)
    plain = rare_neighbour_share(model.item_factors / np.sqrt(model.singular_values), counts)  # V
    assert round(even, 2) == 0.03 and round(plain, 2) == 0.20
