"""predict_ids and recommend_ids(exclude=): the data's own ids give what the row-index methods give on their rows."""

import numpy as np
import pandas as pd
import pytest

from mfviz.data.interactions import Interactions
from mfviz.errors import DataError, ModelError
from mfviz.evaluation import random_split
from mfviz.models.external import FactorModel
from tests.models.test_contract import NAMES, build, random_matrix


def id_data(name: str) -> Interactions:
    """The contract's random matrix under text user ids and gapped integer item ids (item 1000 + 3 × column)."""
    coo = random_matrix(name).tocoo()
    frame = pd.DataFrame({"user": [f"u{u}" for u in coo.row], "item": 1000 + 3 * coo.col, "rating": coo.data})
    return Interactions.from_frame(frame, user="user", item="item", rating="rating")


@pytest.mark.parametrize("name", NAMES)
def test_predict_ids_is_predict_on_the_ids_rows(name):
    data = id_data(name)
    model = build(name).fit(data)
    user_ids, item_ids = ["u3", "u11", "u3", "u0"], [1003, 1000, 1072, 1009]
    rows = model.predict(data.user_index(user_ids), data.item_index(item_ids))
    np.testing.assert_array_equal(model.predict_ids(user_ids, item_ids), rows)
    one = model.predict_ids("u11", 1000)
    assert np.ndim(one) == 0 and one == rows[1]
    with pytest.raises(DataError, match="unknown item id 1001"):
        model.predict_ids(["u3"], [1001])  # a gap between the data's ids, a valid row
    with pytest.raises(DataError, match="unknown user id 'u99'"):
        model.predict_ids("u99", 1000)
    with pytest.raises(ModelError, match="knows no user ids"):
        build(name).fit(random_matrix(name)).predict_ids([3], [4])


def test_predict_ids_by_hand_where_ids_and_rows_differ():
    # users 100, 7, 42 and items 5, 900, 33 in that row order: predict(1, 2) is user 7 with item 33
    model = FactorModel([[1.0, 0.0], [0.5, 2.0], [-1.0, 1.0]], [[2.0, 1.0], [0.0, 3.0], [1.0, -1.0]],
                        user_bias=[0.1, 0.2, 0.3], item_bias=[1.0, 2.0, 3.0], global_mean=3.0,
                        user_ids=[100, 7, 42], item_ids=[5, 900, 33])
    assert model.predict_ids(7, 33) == pytest.approx(3.0 + 0.2 + 3.0 + (0.5 * 1.0 + 2.0 * -1.0))
    np.testing.assert_allclose(model.predict_ids([42, 100], [900, 5]),
                               [3.0 + 0.3 + 2.0 + 3.0, 3.0 + 0.1 + 1.0 + 2.0])
    with pytest.raises(DataError, match="unknown user id 1"):
        model.predict_ids(1, 5)  # row 1 exists (user 7); id 1 does not


@pytest.mark.parametrize("name", NAMES)
def test_recommend_ids_exclude_is_recommend_s_on_the_rows(name):
    data = id_data(name)
    train, _ = random_split(data, test_size=0.3, seed=0)
    model = build(name).fit(train)
    user_ids = ["u3", "u11", "u20"]
    users = train.user_index(user_ids)
    for kwargs in (dict(exclude=data), dict(exclude=data.matrix), dict(exclude_seen=False), {}):
        ids, scores = model.recommend(users, n=4, **kwargs)
        table = model.recommend_ids(user_ids, n=4, **kwargs)
        assert table["item_id"].tolist() == data.item_ids[ids[ids >= 0]].tolist(), kwargs
        np.testing.assert_array_equal(table["score"].to_numpy(), scores[ids >= 0])
    table = model.recommend_ids(user_ids, n=4, exclude=data)
    for user_id, items in table.groupby("user_id")["item_id"]:
        row = data.matrix[data.user_index([user_id])[0]]
        assert not set(items) & set(data.item_ids[row.indices])  # nothing of the whole data, test items included
