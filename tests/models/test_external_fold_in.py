"""Fold-in on factors trained elsewhere solves the objective they came from: mfviz's own ImplicitALS and ALS-WR,
exported in implicit's .npz and Spark's parquet layouts, give back a training user's vector on loading."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import scipy.sparse as sp

from mfviz import Interactions
from mfviz.errors import ModelError
from mfviz.models import ALS, ImplicitALS, load_model
from mfviz.models.external import FactorModel, load_factors


def counts(seed=0, n_users=30, n_items=25):
    """A users × items CSR of small positive counts, every user and item with a few."""
    rng = np.random.default_rng(seed)
    dense = rng.integers(1, 6, (n_users, n_items)) * (rng.random((n_users, n_items)) < 0.3)
    dense[np.arange(n_users), np.arange(n_users) % n_items] = 3
    return sp.csr_matrix(dense.astype(np.float32))


def implicit_npz(path, model, alpha, regularization):
    """The arrays implicit 0.7's AlternatingLeastSquares.save writes (the factors and its hyperparameters)."""
    np.savez(path, user_factors=model.user_factors, item_factors=model.item_factors, alpha=np.array(alpha),
             regularization=np.array(regularization), factors=np.array(model.factors), use_cg=np.array(False),
             cg_steps=np.array(3), iterations=np.array(model.epochs), dtype=np.array("float32"))
    return path


@pytest.mark.parametrize("implicit_alpha", [1.0, 2.5])
def test_implicit_factors_fold_in_a_training_user_back_to_its_vector(tmp_path, implicit_alpha):
    matrix = counts()
    # mfviz's confidence is 1 + alpha·r; implicit's is its alpha times the value it was given, so the
    # same model in implicit's terms holds the values (1 + alpha·r) / implicit_alpha
    ials = ImplicitALS(factors=4, epochs=6, alpha=2.0, regularization=0.3, solver="cholesky", random_state=0).fit(matrix)
    loaded = load_factors(implicit_npz(tmp_path / "als.npz", ials, implicit_alpha, 0.3))
    assert loaded.get_params() == {"regularization": 0.3, "fold_in_solve": "implicit-als", "alpha": implicit_alpha}
    assert "implicit's own objective" in loaded.fold_in_note
    given = matrix.copy()
    given.data = (1 + 2.0 * given.data) / implicit_alpha
    for user in (0, 7, 19):
        row = given[user]
        np.testing.assert_allclose(loaded.fold_in(row.indices, row.data), ials.user_factors[user], rtol=2e-4, atol=2e-5)
    vectors, biases = loaded.fold_in_rows(given)
    np.testing.assert_allclose(vectors, ials.user_factors, rtol=2e-4, atol=2e-5)
    assert not biases.any()


def test_implicit_fold_in_is_implicits_solve_and_its_item_side_mirrors_it(tmp_path):
    rng = np.random.default_rng(3)
    users, items = rng.normal(size=(8, 3)), rng.normal(size=(11, 3))
    np.savez(tmp_path / "m.npz", user_factors=users, item_factors=items, alpha=np.array(4.0),
             regularization=np.array(0.2))
    loaded = load_factors(tmp_path / "m.npz")
    profile, values = np.array([2, 5, 9]), np.array([1.0, 3.0, 0.5])

    def solve(frozen, rows, vals):  # implicit's user_linear_equation: c = alpha·value, preference 1
        c = 4.0 * vals
        a = frozen.T @ frozen + 0.2 * np.eye(3) + frozen[rows].T @ ((c - 1)[:, None] * frozen[rows])
        return np.linalg.solve(a, frozen[rows].T @ c)

    np.testing.assert_allclose(loaded.fold_in(profile, values), solve(items, profile, values), rtol=1e-5)
    np.testing.assert_allclose(loaded.fold_in_item([1, 4], [2.0, 1.0]), solve(users, np.array([1, 4]), np.array([2.0, 1.0])),
                               rtol=1e-5)
    # a zero is not there (as in implicit's matrix, which stores none); a negative is implicit's dislike: refused
    np.testing.assert_allclose(loaded.fold_in([2, 5, 9, 0], [1.0, 3.0, 0.5, 0.0]), solve(items, profile, values), rtol=1e-5)
    with pytest.raises(ModelError, match="dislike"):
        loaded.fold_in([2, 5], [1.0, -1.0])
    with pytest.raises(ModelError, match="dislike"):
        loaded.fold_in_rows(sp.csr_matrix(([1.0, -1.0], ([0, 0], [2, 5])), shape=(1, 11)))
    with pytest.raises(ModelError, match="above 0"):
        loaded.fold_in([2, 5], [0.0, 0.0])


def spark_folder(path, model, user_ids, item_ids):
    """An ALSModel folder as Spark writes it (metadata/ without regParam, userFactors/ and itemFactors/)."""
    (path / "metadata").mkdir(parents=True)
    (path / "metadata" / "part-00000").write_text('{"class":"org.apache.spark.ml.recommendation.ALSModel",'
                                                  '"paramMap":{"userCol":"u","itemCol":"i"},"rank":4}')
    for part, ids, factors in (("userFactors", user_ids, model.user_factors), ("itemFactors", item_ids, model.item_factors)):
        (path / part).mkdir()
        order = np.random.default_rng(1).permutation(len(ids))  # Spark's parts are in no order
        pq.write_table(pa.table({"id": pa.array(np.asarray(ids)[order], pa.int32()),
                                 "features": pa.array(list(factors[order]), pa.list_(pa.float32()))}),
                       path / part / "part-00000.snappy.parquet")
    return path


def test_spark_factors_fold_in_a_training_user_back_to_its_vector(tmp_path):
    coo = counts(seed=2).tocoo()
    data = Interactions.from_frame(pd.DataFrame({"user": coo.row * 10 + 100, "item": coo.col * 3 + 7,
                                                 "rating": coo.data}), rating="rating")
    als = ALS(factors=4, epochs=8, regularization=0.07, scale_regularization=True, biases=False,
              random_state=0).fit(data)
    folder = spark_folder(tmp_path / "spark_als", als, data.user_ids, data.item_ids)
    loaded = load_factors(folder, regularization=0.07).aligned_to(data)
    assert loaded.get_params()["fold_in_solve"] == "als-wr" and loaded.regularization == 0.07
    matrix = data.matrix
    for user in (0, 11, 29):
        row = matrix[user]
        np.testing.assert_allclose(loaded.fold_in(row.indices, row.data), als.user_factors[user], rtol=2e-4, atol=2e-5)
    vectors, _ = loaded.fold_in_rows(matrix)
    np.testing.assert_allclose(vectors, als.user_factors, rtol=2e-4, atol=2e-5)
    # an item column the same way (ALS-WR: λ times the item's count)
    column = matrix.tocsc()[:, 4]
    np.testing.assert_allclose(loaded.fold_in_item(column.indices, column.data), als.fold_in_item(column.indices, column.data),
                               rtol=2e-4, atol=2e-5)
    # without regParam the loader cannot know it: Spark's default, said so; plain ridge would not give the vector back
    default = load_factors(folder).aligned_to(data)
    assert default.regularization == 0.1 and "does not save it" in default.fold_in_note
    assert "regParam 0.1, Spark's default" in default.fold_in_note
    # given, it is said to be given (it read "Spark does not save it, so 0.1, its default, unless given")
    given = load_factors(folder, regularization=0.07).aligned_to(data).fold_in_note
    assert "with regParam 0.07, as given" in given and "default" not in given
    row = matrix[0]
    ridge = FactorModel(als.user_factors, als.item_factors, regularization=0.07)
    assert np.abs(ridge.fold_in(row.indices, row.data) - als.user_factors[0]).max() > 1e-2


def test_other_factors_fold_in_by_plain_ridge_said_to_be_an_approximation(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "f.npz", user_factors=rng.normal(size=(5, 2)), item_factors=rng.normal(size=(6, 2)),
             regularization=np.array(0.01))  # implicit's BPR writes a regularization but no alpha
    loaded = load_factors(tmp_path / "f.npz")
    assert loaded.fold_in_solve == "ridge" and "approximation" in loaded.fold_in_note
    assert "approximation" in loaded.fold_in_how


def test_the_fold_in_solve_survives_save_and_load(tmp_path):
    rng = np.random.default_rng(0)
    model = FactorModel(rng.normal(size=(5, 3)), rng.normal(size=(7, 3)), fold_in_solve="implicit-als", alpha=3.0,
                        regularization=0.4)
    again = load_model(model.save(tmp_path / "m.npz"))
    assert again.get_params() == model.get_params()
    np.testing.assert_allclose(again.fold_in([1, 2], [1.0, 2.0]), model.fold_in([1, 2], [1.0, 2.0]))
