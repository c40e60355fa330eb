"""recommendation_table and recommend(exclude=...) against brute force."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import mfviz.analysis.export as export
from mfviz import Interactions
from mfviz.analysis import recommendation_table
from mfviz.errors import ModelError
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
    train.eliminate_zeros()
    model = ALS(factors=3, epochs=4, random_state=0).fit(train)
    table = recommendation_table(model, inter, n=5)
    scores = model.user_factors.astype(np.float64) @ model.item_factors.T.astype(np.float64) + model.item_bias
    for u in range(inter.n_users):
        seen = set(inter.matrix[u].indices.tolist())
        unseen = [i for i in np.argsort(-scores[u], kind="stable") if i not in seen][:5]
        got = table[table.user_id == inter.user_ids[u]]
        assert list(got["rank"]) == list(range(1, len(unseen) + 1))
        assert list(got["item_id"]) == list(inter.item_ids[unseen])
        np.testing.assert_allclose(got["score"], scores[u, unseen], rtol=1e-4, atol=1e-4)
    assert set(table.columns) == {"user_id", "rank", "item_id", "title", "score"}


def test_recommend_exclude_must_be_users_by_items():
    inter = data()
    model = ALS(factors=2, epochs=1, random_state=0).fit(inter)
    with pytest.raises(ModelError, match="users × items"):
        model.recommend([0], exclude=sp.csr_matrix((3, 3)))
