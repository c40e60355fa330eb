"""Factors trained elsewhere: a save/load round trip like any registered model, and damaged Spark
folders, zips and .npz files refused with what is wrong (real parquet and .npz files)."""

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.errors import ModelError, ModelWarning
from mfviz.models import load_model
from mfviz.models.external import FactorModel, load_factors


def test_external_factor_model_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    seen = sp.random(6, 9, density=0.3, format="csr", random_state=1, dtype=np.float32)
    model = FactorModel(rng.normal(size=(6, 4)), rng.normal(size=(9, 4)), train_matrix=seen,
                        item_bias=rng.normal(size=9))
    loaded = load_model(model.save(tmp_path / "external.npz"))
    assert isinstance(loaded, FactorModel)
    np.testing.assert_array_equal(loaded.item_factors, model.item_factors)
    for got, want in zip(loaded.recommend(np.arange(6), n=3), model.recommend(np.arange(6), n=3), strict=True):
        np.testing.assert_array_equal(got, want)


# ------------------------------------------------------------------ damaged factors from elsewhere
def spark_folder(path, users: list, items: list):
    """A Spark ALSModel folder as pyarrow writes it: userFactors/ and itemFactors/ parquet parts with
    columns id (int32) and features (array<float>); each of `users` / `items` is [(id, vector), ...]."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for part, rows in (("userFactors", users), ("itemFactors", items)):
        (path / part).mkdir(parents=True)
        table = pa.table({"id": pa.array([r[0] for r in rows], pa.int32()),
                          "features": pa.array([r[1] for r in rows], pa.list_(pa.float32()))})
        pq.write_table(table, path / part / "part-00000.snappy.parquet")
    return path


ITEMS = [(5, [1.0, 0.0]), (7, [0.0, 1.0])]
SPARK_DAMAGE = {
    "repeated ids": ([(1, [1.0, 2.0]), (2, [0.5, 0.5]), (1, [3.0, 4.0])],
                     r"bad's userFactors/ has 1 repeated ids \(first: 1\); each id must have one factor row"),
    "ragged features": ([(1, [1.0, 2.0]), (2, [1.0])],
                        r"bad's userFactors/: feature vectors differ in length \(2 for id 1, 1 for id 2\)"),
    "null features": ([(1, None), (2, [1.0, 2.0])], r"bad's userFactors/: the row with id 1 has no features \(null\)"),
    "no rows": ([], r"bad's userFactors/ has no rows"),
    "other width than the items": ([(1, [1.0, 2.0, 3.0])],
                                   "Spark model bad: user factors have 3 components but item factors have 2"),
}


@pytest.mark.parametrize("case", list(SPARK_DAMAGE))
def test_a_damaged_spark_folder_says_what_is_wrong(tmp_path, case):
    users, message = SPARK_DAMAGE[case]
    with pytest.raises(ModelError, match=message):
        load_factors(spark_folder(tmp_path / "bad", users, ITEMS))


def test_a_zipped_spark_model_whose_parts_are_no_parquet_says_so(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "garbage.zip", "w") as archive:
        archive.writestr("m/userFactors/part-0.parquet", b"garbage")
        archive.writestr("m/itemFactors/part-0.parquet", b"garbage")
    with pytest.raises(ModelError, match=r"could not read m's userFactors/ as parquet \(.*'m/userFactors/part-0") as caught:
        load_factors(tmp_path / "garbage.zip")
    assert "/tmp" not in str(caught.value).replace(str(tmp_path), "")  # no temporary folder of ours


@pytest.mark.parametrize("bias, message", [
    (np.array(["a"] * 9), r"implicit.npz: item bias must be numbers, got dtype <U1"),
    (np.full(9, np.nan), r"implicit.npz: item bias contains NaN or infinite values"),
])
def test_an_npz_with_a_bias_that_is_no_numbers_says_so(tmp_path, bias, message):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "implicit.npz", user_factors=rng.normal(size=(6, 4)).astype(np.float32),
             item_factors=rng.normal(size=(9, 4)).astype(np.float32), item_bias=bias)
    with pytest.raises(ModelError, match=message):
        load_factors(tmp_path / "implicit.npz")


# ------------------------------------------------------------------ seen items of factors from elsewhere
def test_factors_from_elsewhere_exclude_seen_items_only_once_they_know_them(tmp_path):
    """implicit's .npz carries no interactions: recommend(exclude_seen=True) listed items users
    already had (908 of 6,760 on ML-100K's first 5,000 ratings). It now refuses until the model is
    aligned to the data (whose matrix becomes the seen items) or given exclude=."""
    import pandas as pd

    from mfviz import Interactions

    rng = np.random.default_rng(0)
    data = Interactions.from_frame(pd.DataFrame({"user": rng.integers(0, 8, 40), "item": rng.integers(0, 12, 40)}))
    np.savez(tmp_path / "implicit.npz", user_factors=rng.normal(size=(data.n_users, 3)).astype(np.float32),
             item_factors=rng.normal(size=(data.n_items, 3)).astype(np.float32))
    model = load_factors(tmp_path / "implicit.npz")
    users = np.arange(data.n_users)
    with pytest.raises(ModelError, match=r"does not know which items each user has seen .* aligned_to\(interactions\)"
                                         r" first, pass exclude= .* or exclude_seen=False"):
        model.recommend(users, n=3)
    everything, _ = model.recommend(users, n=data.n_items, exclude_seen=False)
    assert (everything >= 0).all()

    def unseen_only(ids):
        for u in users:
            listed = set(ids[u][ids[u] >= 0])
            assert listed == set(range(data.n_items)) - set(data.matrix[u].indices), u

    unseen_only(model.recommend(users, n=data.n_items, exclude=data.matrix)[0])
    aligned = model.aligned_to(data)
    unseen_only(aligned.recommend(users, n=data.n_items)[0])
    unseen_only(load_model(aligned.save(tmp_path / "aligned.npz")).recommend(users, n=data.n_items)[0])


# ------------------------------------------------------------------ aligning factors to the data
def _biased_factors(path):
    """An implicit-style .npz with both biases, and its hand-computed scores mu + b_u + b_i + p_u·q_i
    (FactorModel's global mean is 0 when read from a file)."""
    rng = np.random.default_rng(3)
    users, items = rng.normal(size=(5, 3)).astype(np.float32), rng.normal(size=(7, 3)).astype(np.float32)
    user_bias, item_bias = rng.normal(size=5).astype(np.float32), rng.normal(size=7).astype(np.float32)
    np.savez(path, user_factors=users, item_factors=items, user_bias=user_bias, item_bias=item_bias)
    scores = users.astype(np.float64) @ items.T.astype(np.float64) + user_bias[:, None] + item_bias[None, :]
    return users, items, user_bias, item_bias, scores


def test_aligning_factors_from_a_file_keeps_the_user_bias_and_so_the_predictions(tmp_path):
    """aligned_to (the CLI's --model-file path) dropped user_bias: predict(0, 0) went 4.29 -> 2.79."""
    import pandas as pd

    from mfviz import Interactions

    _, _, user_bias, _, scores = _biased_factors(tmp_path / "biased.npz")
    data = Interactions.from_frame(pd.DataFrame({"user": np.repeat(np.arange(5), 7), "item": np.tile(np.arange(7), 5)}))
    model = load_factors(tmp_path / "biased.npz")
    aligned = model.aligned_to(data)
    np.testing.assert_array_equal(aligned.user_bias, user_bias)
    users, items = np.repeat(np.arange(5), 7), np.tile(np.arange(7), 5)
    np.testing.assert_allclose(aligned.predict(users, items), scores[users, items], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(aligned.predict(users, items), model.predict(users, items), rtol=1e-6)


def test_aligning_factors_matched_by_id_moves_each_bias_with_its_row(tmp_path):
    """Spark-style rows carry ids in an order of their own: each user's and item's bias follows its
    factor row to the data's index, and an id without a row scores with zero vector and zero bias."""
    import pandas as pd

    from mfviz import Interactions

    users, items, user_bias, item_bias, scores = _biased_factors(tmp_path / "biased.npz")
    user_ids, item_ids = np.array([50, 10, 40, 20, 30]), np.array([7, 3, 5, 1, 6, 2, 4])
    model = FactorModel(users, items, user_bias=user_bias, item_bias=item_bias, global_mean=3.0,
                        user_ids=user_ids, item_ids=item_ids)
    frame = pd.DataFrame({"user": [10, 20, 30, 40, 50, 60, 10], "item": [1, 2, 3, 4, 5, 6, 99]})
    data = Interactions.from_frame(frame)
    with pytest.warns(ModelWarning, match=r"no factors for 1 of the data's 6 users \(ids 60\) and 1 of the data's 7 "
                                          r"items \(ids 99\): they get zero vectors"):
        aligned = model.aligned_to(data)
    assert (aligned.missing_users, aligned.missing_items) == (1, 1)
    for u, uid in enumerate(data.user_ids):
        for i, iid in enumerate(data.item_ids):
            row, col = np.flatnonzero(user_ids == uid), np.flatnonzero(item_ids == iid)
            want = 3.0 + (scores[row[0], col[0]] if row.size and col.size else
                          (user_bias[row[0]] if row.size else 0.0) + (item_bias[col[0]] if col.size else 0.0))
            assert aligned.predict([u], [i])[0] == pytest.approx(want, rel=1e-5, abs=1e-5), (uid, iid)
