"""Fold-in recommendations and FactorModel / load_factors for factors trained elsewhere."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz import Interactions
from mfviz.analysis import popularity_report, recommend_for_profile
from mfviz.errors import ModelError, ModelWarning
from mfviz.models.external import FactorModel, load_factors


def model(seed=0, n_users=20, n_items=30, factors=4, **kw):
    rng = np.random.default_rng(seed)
    return FactorModel(rng.standard_normal((n_users, factors)), rng.standard_normal((n_items, factors)), **kw)


def test_recommend_for_profile_ridge_fold_in():
    fm = model(regularization=0.5)
    items, values = np.array([1, 4, 7]), np.array([5.0, 1.0, 3.0])
    ids, scores = recommend_for_profile(fm, items, values, n=5)
    q = fm.item_factors[items].astype(np.float64)
    vector = np.linalg.solve(q.T @ q + 0.5 * np.eye(4), q.T @ values)
    all_scores = fm.item_factors @ vector
    all_scores[items] = -np.inf
    np.testing.assert_array_equal(ids, np.argsort(-all_scores)[:5])
    np.testing.assert_allclose(scores, all_scores[ids], rtol=1e-4)
    assert not set(ids) & set(items)


def test_fold_in_uses_item_bias_and_global_mean():
    fm = FactorModel(np.ones((2, 1)), np.array([[1.0], [2.0]]), item_bias=[0.5, -0.5], global_mean=3.0,
                     regularization=0.0)
    # target = 4 - 3 - 0.5 = 0.5 on item 0 (factor 1) -> vector 0.5
    np.testing.assert_allclose(fm.fold_in([0], [4.0]), [0.5], rtol=1e-6)


def test_factor_model_api_and_save(tmp_path):
    fm = model(name="spark run 3")
    assert fm.label == "spark run 3" and fm.name == "external"
    ids, _ = fm.recommend([0, 1], n=3, exclude_seen=False)
    assert ids.shape == (2, 3)
    with pytest.raises(ModelError, match="aligned_to"):  # it does not know which items a user has
        fm.recommend([0, 1], n=3)
    path = fm.save(tmp_path / "m.npz")
    with np.load(path) as npz:
        np.testing.assert_array_equal(npz["item_factors"], fm.item_factors)
    with pytest.raises(ModelError, match="cannot be trained"):
        fm.fit(sp.eye(3, format="csr"))
    with pytest.raises(ModelError, match="user factors have 3 components but item factors have 2"):
        FactorModel(np.ones((4, 3)), np.ones((5, 2)))
    with pytest.raises(ModelError, match="NaN"):
        FactorModel(np.full((2, 2), np.nan), np.ones((2, 2)))


def test_load_implicit_npz(tmp_path):
    rng = np.random.default_rng(0)
    users, items = rng.standard_normal((6, 3)), rng.standard_normal((9, 3))
    np.savez(tmp_path / "als.npz", user_factors=users, item_factors=items, regularization=np.array(0.01))
    fm = load_factors(tmp_path / "als.npz")
    np.testing.assert_allclose(fm.item_factors, items.astype(np.float32))
    assert fm.label == "als"
    np.savez(tmp_path / "bad.npz", users=users)
    with pytest.raises(ModelError, match="no 'user_factors' array"):
        load_factors(tmp_path / "bad.npz")


def test_load_spark_parquet_folder(tmp_path):
    for part, ids in (("userFactors", [30, 10, 20]), ("itemFactors", [7, 5])):
        (tmp_path / "model" / part).mkdir(parents=True)
        frame = pd.DataFrame({"id": ids, "features": [[float(i), float(i) + 0.5] for i in ids]})
        frame.to_parquet(tmp_path / "model" / part / "part-00000.parquet")
    fm = load_factors(tmp_path / "model")
    np.testing.assert_array_equal(fm.user_ids, [10, 20, 30])
    np.testing.assert_allclose(fm.user_factors, [[10, 10.5], [20, 20.5], [30, 30.5]])
    np.testing.assert_array_equal(fm.item_ids, [5, 7])
    data = Interactions.from_frame(pd.DataFrame({"user": [10, 20, 40, 40], "item": [5, 7, 5, 9]}))
    with pytest.warns(ModelWarning, match=r"1 of the data's 3 users \(ids 40\) and 1 of the data's 3 items \(ids 9\)"):
        aligned = fm.aligned_to(data)
    np.testing.assert_allclose(aligned.user_factors, [[10, 10.5], [20, 20.5], [0, 0]])
    np.testing.assert_allclose(aligned.item_factors, [[5, 5.5], [7, 7.5], [0, 0]])
    assert aligned.missing_users == 1 and aligned.missing_items == 1
    assert aligned.train_matrix.shape == (3, 3)
    with pytest.raises(ModelError, match="no itemFactors"):
        (tmp_path / "half" / "userFactors").mkdir(parents=True)
        pd.DataFrame({"id": [1], "features": [[1.0]]}).to_parquet(tmp_path / "half" / "userFactors" / "p.parquet")
        load_factors(tmp_path / "half")



def spark_zip(path, folder: str, users: dict, items: dict, extra: dict | None = None):
    """A zip of a Spark ALSModel folder as Spark writes it: metadata/, userFactors/ and itemFactors/
    with several snappy parquet parts (id int32, features array<float>), _SUCCESS and .crc files."""
    import zipfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{folder}metadata/part-00000", '{"class":"org.apache.spark.ml.recommendation.ALSModel"}')
        for part, rows in (("userFactors", users), ("itemFactors", items)):
            ids = list(rows)
            for n, chunk in enumerate((ids[::2], ids[1::2])):  # two parts, ids interleaved
                table = pa.table({"id": pa.array(chunk, pa.int32()),
                                  "features": pa.array([rows[i] for i in chunk], pa.list_(pa.float32()))})
                buffer = io.BytesIO()
                pq.write_table(table, buffer, compression="snappy")
                archive.writestr(f"{folder}{part}/part-0000{n}-x.snappy.parquet", buffer.getvalue())
                archive.writestr(f"{folder}{part}/.part-0000{n}-x.snappy.parquet.crc", b"crc")
            archive.writestr(f"{folder}{part}/_SUCCESS", b"")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return path


@pytest.mark.parametrize("folder", ["als_model/", "", "out/als/data/"])
def test_load_a_zipped_spark_model_folder(tmp_path, folder):
    users = {30: [3.0, 0.5], 10: [1.0, 0.5], 20: [2.0, 0.5]}
    items = {7: [7.0, 1.0], 5: [5.0, 1.0], 9: [9.0, 1.0]}
    path = spark_zip(tmp_path / "model.zip", folder, users, items,
                     extra={f"__MACOSX/{folder}userFactors/._part-00000-x.snappy.parquet": b"finder"})
    for source in (path, io.BytesIO(path.read_bytes())):  # a path, or an upload's file object
        fm = load_factors(source)
        np.testing.assert_array_equal(fm.user_ids, [10, 20, 30])
        np.testing.assert_allclose(fm.user_factors, [users[10], users[20], users[30]])
        np.testing.assert_array_equal(fm.item_ids, [5, 7, 9])
        np.testing.assert_allclose(fm.item_factors, [items[5], items[7], items[9]])
        # named after the model's folder, else the zip's file name (an unnamed upload: "spark")
        assert fm.label == (Path(folder.rstrip("/")).name or ("model" if isinstance(source, Path) else "spark"))


def test_a_zip_that_is_no_spark_model_is_refused_clearly(tmp_path):
    import zipfile

    users, items = {1: [1.0]}, {2: [2.0]}
    spark_zip(tmp_path / "two.zip", "a/", users, items)
    with zipfile.ZipFile(tmp_path / "two.zip", "a") as archive:
        archive.writestr("b/userFactors/part-0.parquet", b"x")
    with pytest.raises(ModelError, match="2 userFactors/ folders"):
        load_factors(tmp_path / "two.zip")
    spark_zip(tmp_path / "evil.zip", "m/", users, items, extra={"m/userFactors/../../escape.parquet": b"x"})
    with pytest.raises(ModelError, match="outside its own folder"):
        load_factors(tmp_path / "evil.zip")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("notes.txt", "no factors here")
    with pytest.raises(ModelError, match="other.zip has no 'user_factors' array .* Spark ALSModel folder"):
        load_factors(tmp_path / "other.zip")

def test_popularity_report_on_factor_model_without_train_matrix():
    fm = model(n_users=10, n_items=12)
    matrix = sp.random(10, 12, density=0.3, random_state=0, format="csr")
    report = popularity_report(fm, matrix, k=3)
    scores = fm.user_factors @ fm.item_factors.T
    scores[matrix.toarray() != 0] = -np.inf  # seen items are excluded
    want = np.bincount(np.argsort(-scores, axis=1)[:, :3].ravel(), minlength=12)
    np.testing.assert_array_equal(report.recommended_counts, want)
