"""recommendation_table and recommend(exclude=...) against brute force; the Embedding Projector files read back."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import mfviz.analysis.export as export
from mfviz import Interactions
from mfviz.analysis import recommendation_table
from mfviz.errors import DataError, ModelError
from mfviz.models import ALS


def data(seed=0, users=30, items=20):
    rng = np.random.default_rng(seed)
    rows = [(f"u{u}", 100 + i, float(rng.integers(1, 6))) for u in range(users)
            for i in rng.choice(items, rng.integers(1, items - 2), replace=False)]
    frame = pd.DataFrame(rows, columns=["user", "item", "rating"])
    return Interactions.from_frame(frame, user="user", item="item", rating="rating")


def test_every_user_gets_their_unseen_top_n_by_brute_force(monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 7)  # several chunks
    inter = data()
    train = inter.matrix.copy()
    train.data[::3] = 0  # the model sees only part of the data: the export must still skip it all
    train.data[train.indptr[4]:train.indptr[5]] = 0  # and none of user 4's
    train.eliminate_zeros()
    model = ALS(factors=3, epochs=4, regularization=0.1, random_state=0).fit(train)  # (at 15 it learned nothing)
    table = recommendation_table(model, inter, n=5)
    scores = model.user_factors.astype(np.float64) @ model.item_factors.T.astype(np.float64) + model.item_bias
    scores += model.global_mean + model.user_bias[:, None]  # the predicted rating, whose order is recommend's
    untrained = np.diff(train.indptr) == 0
    assert np.flatnonzero(untrained).tolist() == [4]
    for u in range(inter.n_users):
        seen = set(inter.matrix[u].indices.tolist())
        unseen = [i for i in np.argsort(-scores[u], kind="stable") if i not in seen][:5]
        got = table[table.user_id == inter.user_ids[u]]
        if untrained[u]:  # their list would say nothing of them: left out, not made of an unfitted vector
            assert got.empty
            continue
        assert list(got["rank"]) == list(range(1, len(unseen) + 1))
        assert list(got["item_id"]) == list(inter.item_ids[unseen])
        # the predicted rating clipped to the data's 1-5, as the Recommend page shows it (the order stays the model's)
        np.testing.assert_allclose(got["score"], np.clip(scores[u, unseen], 1, 5), rtol=1e-4, atol=1e-4)
    assert set(table.columns) == {"user_id", "rank", "item_id", "title", "score"}


def test_a_popularity_penalty_reorders_each_list_as_the_page_does_and_keeps_the_models_scores(monkeypatch):
    """With `change` (the Recommend page's popularity penalty), each user's list is the model's top 10·n unseen
    items re-ordered by score + change (ties in the model's order), by brute force; the score stays the model's."""
    monkeypatch.setattr(export, "CHUNK", 7)
    inter = data(seed=2, users=30, items=40)
    model = ALS(factors=3, epochs=4, regularization=0.1, random_state=0).fit(inter)
    change = -3.0 * np.log1p(np.asarray(inter.matrix.getnnz(axis=0), np.float64)).astype(np.float32)
    table = recommendation_table(model, inter, n=2, change=change)
    scores = model.user_factors.astype(np.float64) @ model.item_factors.T.astype(np.float64) + model.item_bias
    moved = 0
    for u in range(inter.n_users):
        seen = set(inter.matrix[u].indices.tolist())
        pool = [i for i in np.argsort(-scores[u], kind="stable") if i not in seen][:20]  # the model's top 10·n
        chosen = sorted(pool, key=lambda i: -(scores[u, i] + change[i]))[:2]  # (sorted is stable: ties keep order)
        got = table[table.user_id == inter.user_ids[u]]
        assert list(got["item_id"]) == list(inter.item_ids[chosen])
        np.testing.assert_allclose(got["score"], np.clip(scores[u, chosen] + model.global_mean + model.user_bias[u],
                                                         1, 5), rtol=1e-4, atol=1e-4)  # the data's scale, 1-5
        # ranked by the unclipped score + change
        np.testing.assert_allclose(got["ranked_by"], scores[u, chosen] + model.global_mean + model.user_bias[u]
                                   + change[chosen], rtol=1e-4, atol=1e-4)
        moved += chosen != pool[:2]
    assert moved > 5  # the penalty changed lists: the test would see one ignored
    # the column each list is ordered by: score + change (the page's "ranked by"), falling within every user's list
    assert table.groupby("user_id", sort=False)["ranked_by"].apply(lambda r: bool((np.diff(r) <= 1e-6).all())).all()
    plain = recommendation_table(model, inter, n=2, change=np.zeros(inter.n_items, np.float32))
    pd.testing.assert_frame_equal(plain.drop(columns="ranked_by"), recommendation_table(model, inter, n=2))
    with pytest.raises(DataError, match="one finite number per item"):
        recommendation_table(model, inter, n=2, change=change[:-1])


def test_the_csv_reads_back_as_the_brute_force_table_and_progress_counts_every_chunk(monkeypatch):
    import io

    monkeypatch.setattr(export, "CHUNK", 7)  # 30 users: chunks of 7, 7, 7, 7, 2
    inter = data(seed=1)
    model = ALS(factors=3, epochs=4, regularization=0.1, random_state=0).fit(inter)
    calls = []
    raw = export.recommendation_csv(model, inter, 5, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(7, 30), (14, 30), (21, 30), (28, 30), (30, 30)]
    assert raw.startswith(b"user_id,rank,item_id,title,score\n")
    back = pd.read_csv(io.BytesIO(raw), dtype={"user_id": str, "title": str})
    table = recommendation_table(model, inter, n=5)  # checked against brute force above
    assert len(back) == len(table) > 100  # fewer than 5 rows for a user with fewer unseen items
    for column in ("user_id", "rank", "item_id", "title"):
        assert back[column].tolist() == table[column].tolist(), column
    np.testing.assert_allclose(back["score"], table["score"], rtol=0, atol=1e-6)
    scores = model.user_factors.astype(np.float64) @ model.item_factors.T.astype(np.float64) + model.item_bias
    first = scores[0].copy()
    first[inter.matrix[0].indices] = -np.inf
    assert back["item_id"][:5].tolist() == inter.item_ids[np.argsort(-first, kind="stable")[:5]].tolist()


def test_recommend_exclude_must_be_users_by_items():
    inter = data()
    model = ALS(factors=2, epochs=1, random_state=0).fit(inter)
    with pytest.raises(ModelError, match="users × items"):
        model.recommend([0], exclude=sp.csr_matrix((3, 3)))


def test_embedding_projector_files_read_back_as_the_vectors_and_their_metadata():
    import io
    import zipfile

    from mfviz.analysis.export import projector_files, zipped

    rng = np.random.default_rng(0)
    vectors = rng.normal(scale=[1e-4, 1.0, 300.0], size=(5, 3)).astype(np.float32)
    metadata = pd.DataFrame({"title": ["Alien (1979)", "tab\there", "two\nlines", 'say "hi"', "Ça va"],
                             "genres": ["Horror, Sci-Fi", "", "Drama", "Comedy", "Drama"],
                             "popularity": [5, 4, 3, 2, 1]})
    files = projector_files(vectors, metadata)
    read = np.loadtxt(io.BytesIO(files["vectors.tsv"]), delimiter="\t", ndmin=2)
    np.testing.assert_allclose(read, vectors, rtol=1e-6)  # 7 significant digits: float32 survives
    lines = files["metadata.tsv"].decode().split("\n")
    assert lines[0] == "title\tgenres\tpopularity" and lines[-1] == "" and len(lines) == 1 + 5 + 1
    rows = [line.split("\t") for line in lines[1:-1]]  # the Projector splits on tabs, nothing else
    assert [r[0] for r in rows] == ["Alien (1979)", "tab here", "two lines", 'say "hi"', "Ça va"]
    assert all(len(r) == 3 for r in rows) and [r[2] for r in rows] == ["5", "4", "3", "2", "1"]
    with zipfile.ZipFile(io.BytesIO(zipped(files))) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "metadata.tsv", "projector_config.json",
                                              "projector_config.pbtxt", "vectors.tsv"]
        assert archive.read("vectors.tsv") == files["vectors.tsv"]
    with pytest.raises(DataError, match="one row per vector"):  # mfviz's own error for bad input, as DESIGN.md asks
        projector_files(vectors, metadata.head(4))


def test_the_projector_configs_parse_and_name_the_files_beside_them():
    import io
    import json
    import re
    import zipfile

    from mfviz.analysis.export import TENSOR_NAME, projector_files, zipped

    vectors = np.random.default_rng(1).normal(size=(7, 4))
    metadata = pd.DataFrame({"title": [f"film {i}" for i in range(7)]})
    with zipfile.ZipFile(io.BytesIO(zipped(projector_files(vectors, metadata)))) as archive:
        names = set(archive.namelist())
        config = json.loads(archive.read("projector_config.json"))  # the standalone Projector's ?config=
        pbtxt = archive.read("projector_config.pbtxt").decode()
        rows = np.loadtxt(io.BytesIO(archive.read(config["embeddings"][0]["tensorPath"])), delimiter="\t")
        readme = archive.read("README.txt").decode()
    (embedding,) = config["embeddings"]
    assert set(embedding) == {"tensorName", "tensorShape", "tensorPath", "metadataPath"}
    assert embedding["tensorShape"] == list(rows.shape) == [7, 4]  # the shape of the file it names
    assert {embedding["tensorPath"], embedding["metadataPath"]} == {"vectors.tsv", "metadata.tsv"} <= names
    # TensorBoard's text format: one embeddings block of three quoted fields, each file in the zip
    block = re.fullmatch(r'embeddings \{\n((?:  \w+: "[^"]*"\n)+)\}\n', pbtxt)
    fields = dict(re.findall(r'(\w+): "([^"]*)"', block.group(1)))
    assert fields == {"tensor_name": TENSOR_NAME, "tensor_path": "vectors.tsv", "metadata_path": "metadata.tsv"}
    assert "projector.tensorflow.org/?config=" in readme and "tensorboard --logdir" in readme


def test_a_rating_model_s_scores_are_clipped_to_the_data_s_scale_as_the_recommend_page_shows_them():
    """`predict` is unclipped (Funk SVD on MovieLens 100K: 8.9% of every user's top 10 above 5, up to 6.1); the
    table's score is the rating the Recommend page shows for the pair (`recommend_view.stars`: clipped to the data's
    own ratings), each list still in the model's order. Here a model lifted by 2 overshoots most pairs."""
    from mfviz.analysis.export import rating_bounds
    from mfviz.models import ImplicitALS

    inter = data()
    model = ALS(factors=3, epochs=4, regularization=0.1, random_state=0).fit(inter)
    model.global_mean += 2.0  # every predicted rating 2 higher: most above 5, the order unchanged
    assert rating_bounds(inter) == (1.0, 5.0)
    table = recommendation_table(model, inter, n=5)
    predicted = model.predict(model.user_rows(table.user_id.to_numpy()), model.item_rows(table.item_id.to_numpy()))
    assert (predicted > 5).mean() > 0.5
    np.testing.assert_allclose(table["score"], np.clip(predicted, 1, 5), rtol=1e-5, atol=1e-5)
    model.global_mean -= 2.0  # the lists are the model's own order: the same items and ranks
    plain = recommendation_table(model, inter, n=5)
    pd.testing.assert_frame_equal(table[["user_id", "rank", "item_id"]], plain[["user_id", "rank", "item_id"]])
    # a model of preferences and implicit feedback are not clipped: their scores are no ratings
    ials = ImplicitALS(factors=3, epochs=2, random_state=0).fit(inter)
    table = recommendation_table(ials, inter, n=5)
    predicted = ials.predict(ials.user_rows(table.user_id.to_numpy()), ials.item_rows(table.item_id.to_numpy()))
    assert (predicted < 1).mean() > 0.5  # below the scale's 1: clipping would change them
    np.testing.assert_allclose(table["score"], predicted, rtol=1e-5, atol=1e-5)
    clicks = Interactions(inter.matrix, inter.user_ids, inter.item_ids, is_explicit=False)
    assert rating_bounds(clicks) is None


def test_rating_bounds_leave_out_typos_kept_on_loading():
    """A 99 among 1-5 stars (kept with out_of_scale='keep') is no rating to clip to, as the Recommend page's scale
    leaves it out; a scale the data does not fill (1-3 of 1-5) is its own values."""
    from mfviz.analysis.export import rating_bounds

    rng = np.random.default_rng(0)
    values = rng.integers(1, 6, 400).astype(np.float32)
    values[7] = 99.0
    matrix = sp.csr_matrix((values, (np.arange(400) // 20, np.arange(400) % 20)), shape=(20, 20))
    ids = np.arange(20)
    assert rating_bounds(Interactions(matrix, ids, ids, is_explicit=True)) == (1.0, 5.0)
    matrix.data = np.minimum(matrix.data, 3.0)
    assert rating_bounds(Interactions(matrix, ids, ids, is_explicit=True)) == (1.0, 3.0)
