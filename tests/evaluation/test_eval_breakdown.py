"""Accuracy by user activity: per-user metrics that average back to `evaluate`'s, and groups,
means, standard errors and pooled RMSE checked by hand."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz.data.interactions import Interactions
from mfviz.evaluation import evaluate, random_split
from mfviz.evaluation.breakdown import by_activity, per_user
from mfviz.models import FunkSVD, ImplicitALS


def ratings(seed=0, shape=(80, 50)):
    rng = np.random.default_rng(seed)
    activity = rng.integers(3, 40, shape[0])  # users of very different activity
    dense = np.zeros(shape, np.float32)
    for u, n in enumerate(activity):
        dense[u, rng.choice(shape[1], n, replace=False)] = rng.integers(1, 6, n)
    return Interactions.from_frame(pd.DataFrame(
        [(u, i, dense[u, i]) for u, i in zip(*np.nonzero(dense), strict=True)], columns=["u", "i", "r"]),
        user="u", item="i", rating="r")


@pytest.mark.parametrize("cls", [FunkSVD, ImplicitALS])
def test_per_user_metrics_average_to_evaluate(cls):
    train, test = random_split(ratings(), test_size=0.25, seed=0)
    model = cls(factors=4, epochs=5, random_state=0).fit(train)
    frame = per_user(model, test, k=5)
    expected = evaluate(model, train, test, k=5)
    assert len(frame) == expected["users_evaluated"]
    assert frame["ndcg@5"].mean() == pytest.approx(expected["ndcg@5"])
    assert frame["recall@5"].mean() == pytest.approx(expected["recall@5"])
    assert frame["hit"].mean() == pytest.approx(expected["hit_rate@5"])
    assert frame["pairs"].sum() == test.nnz
    assert np.sqrt(frame["squared_error"].sum() / frame["pairs"].sum()) == pytest.approx(expected["rmse"], rel=1e-5)


def test_groups_means_standard_errors_and_pooled_rmse_by_hand():
    frame = pd.DataFrame({"user": [0, 1, 2, 3, 4, 5], "ndcg@10": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
                          "hit": [0.0, 1, 1, 1, 1, 1], "pairs": [1, 1, 2, 2, 1, 3],
                          "squared_error": [1.0, 0.0, 2.0, 2.0, 4.0, 3.0]})
    activity = np.array([1, 2, 3, 10, 20, 30, 999])  # user 6 is not evaluated
    table = by_activity(frame, activity, groups=3)
    # tertiles of [1, 2, 3, 10, 20, 30] by rank: {1, 2}, {3, 10}, {20, 30}
    assert table["group"].tolist() == ["1–2", "3–10", "20–30"]
    assert table["users"].tolist() == [2, 2, 2] and table["low"].tolist() == [1, 3, 20]
    assert table["median"].tolist() == [1.5, 6.5, 25.0]
    assert table["ndcg@10"].tolist() == pytest.approx([0.1, 0.5, 0.9])
    assert table["ndcg@10 se"].iloc[0] == pytest.approx(np.std([0.0, 0.2], ddof=1) / np.sqrt(2))
    assert table["rmse"].tolist() == pytest.approx([np.sqrt(1 / 2), np.sqrt(4 / 4), np.sqrt(7 / 4)])
    single = by_activity(frame.head(3), activity, groups=3)
    assert single["users"].tolist() == [1, 1, 1] and np.isnan(single["ndcg@10 se"]).all()  # no spread to measure


def test_ties_merge_groups_instead_of_leaving_empty_ones():
    frame = pd.DataFrame({"user": np.arange(10), "ndcg@5": np.linspace(0, 1, 10), "hit": np.ones(10)})
    table = by_activity(frame, np.array([5] * 8 + [6, 50]), groups=5)
    # the eight 5s stay together although they fill four fifths; 6 and 50 share the last group
    assert table["group"].tolist() == ["5", "6–50"] and table["users"].tolist() == [8, 2]


def test_a_model_with_no_test_users_is_a_clear_error():
    data = ratings()
    empty = Interactions(sp.csr_matrix(data.matrix.shape, dtype=np.float32), data.user_ids, data.item_ids)
    with pytest.raises(Exception, match="test set is empty"):
        per_user(FunkSVD(factors=2, epochs=1, random_state=0).fit(data), empty, k=5)
