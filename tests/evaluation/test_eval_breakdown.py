"""Accuracy by user activity: per-user metrics that average back to `evaluate`'s, and groups,
means, standard errors and pooled RMSE checked by hand."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz.data.interactions import Interactions
from mfviz.evaluation import evaluate, random_split
from mfviz.evaluation.breakdown import by_activity, per_user, profile_size_curve
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


def fixed_split(n_users=60, n_items=40, known=10, held=3, seed=0, explicit=False):
    """Every user with exactly `known` training and `held` test interactions."""
    rng = np.random.default_rng(seed)
    train = np.zeros((n_users, n_items), np.float32)
    test = np.zeros_like(train)
    for u in range(n_users):
        picked = rng.choice(n_items, known + held, replace=False)
        values = rng.integers(1, 6, known + held) if explicit else np.ones(known + held)
        train[u, picked[:known]] = values[:known]
        test[u, picked[known:]] = values[known:]
    ids = np.arange(n_users), np.arange(n_items)
    return (Interactions(sp.csr_matrix(train), *ids, is_explicit=explicit),
            Interactions(sp.csr_matrix(test), *ids, is_explicit=explicit))


def test_a_profile_of_a_users_whole_history_scores_like_the_trained_vector():
    train, test = fixed_split()
    model = ImplicitALS(factors=4, epochs=6, solver="cholesky", random_state=0).fit(train)
    curve = profile_size_curve(model, train, test, k=5, sizes=(3, 10))
    assert curve["label"].tolist() == ["3", "10", "all"] and (curve["users"] == 60).all()
    # ten interactions are everything a user has: fold-in reproduces the trained vector (iALS, Cholesky)
    assert curve.loc[1, "ndcg@5"] == pytest.approx(curve.loc[2, "ndcg@5"])
    # "all" is evaluate() on these users with their training items left out
    assert curve.loc[2, "ndcg@5"] == pytest.approx(evaluate(model, train, test, k=5)["ndcg@5"])
    assert curve.loc[0, "ndcg@5"] != pytest.approx(curve.loc[2, "ndcg@5"])


def test_profile_curve_rmse_uses_the_folded_in_vector_and_bias():
    train, test = fixed_split(explicit=True)
    model = FunkSVD(factors=4, epochs=8, random_state=0).fit(train)
    curve = profile_size_curve(model, train, test, k=5, sizes=(10,))
    errors = []
    for u in range(60):
        row = train.matrix[u]
        vector, bias = model.fold_in(row.indices, row.data, return_bias=True)  # ascending, as the rows hold them
        items = test.matrix[u].indices
        predicted = model.global_mean + bias + model.item_bias[items] + model.item_factors[items] @ vector
        errors.extend(predicted - test.matrix[u].data)
    assert curve.loc[0, "rmse"] == pytest.approx(np.sqrt(np.mean(np.square(errors))), rel=1e-5)


def test_popularity_does_not_depend_on_the_profile_and_large_sizes_need_enough_users():
    from mfviz.models import Popularity

    train, test = fixed_split()
    curve = profile_size_curve(Popularity().fit(train), train, test, k=5, sizes=(1, 5, 10, 11))
    assert curve["label"].tolist() == ["1", "5", "10", "all"]  # nobody has 11 training interactions
    assert curve["ndcg@5"].nunique() == 1
