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


# ----------------------------------------------------------------- which differences are more than noise
def user_frame(values, users=None, column="ndcg@10"):
    values = np.asarray(values, np.float64)
    return pd.DataFrame({"user": np.arange(values.size) if users is None else users, column: values})


def test_the_paired_difference_and_its_interval_by_hand():
    from mfviz.evaluation.breakdown import paired_difference

    a, b = [0.5, 0.7, 0.2, 0.9, 0.4], [0.4, 0.4, 0.3, 0.6, 0.4]
    # user 9 of `extra` is in one frame only: left out of the pairs
    difference, half, users = paired_difference(user_frame(a + [1.0], [0, 1, 2, 3, 4, 9]), user_frame(b), "ndcg@10")
    d = np.subtract(a, b)
    assert users == 5 and difference == pytest.approx(d.mean())
    assert half == pytest.approx(1.959964 * d.std(ddof=1) / np.sqrt(5), rel=1e-6)
    # pooled RMSE: the difference is exactly the difference of the two RMSEs
    def frame(errors):
        return pd.DataFrame({"user": [0, 1, 2], "pairs": [1, 2, 3], "squared_error": errors})

    difference, half, _ = paired_difference(frame([1.0, 2.0, 3.0]), frame([1.0, 1.0, 1.0]), "rmse")
    assert difference == pytest.approx(np.sqrt(6 / 6) - np.sqrt(3 / 6)) and half > 0


def test_a_tie_by_construction_names_no_best_and_a_clear_lead_names_one():
    from mfviz.evaluation.breakdown import clear_best

    rng = np.random.default_rng(0)
    base = rng.uniform(0.1, 0.9, 400)
    wobble = rng.choice([-0.2, 0.2], 400)
    # B is A with each user's value moved up or down at random: a higher mean by chance, no real difference
    frames = {"A": user_frame(base), "B": user_frame(base + wobble - wobble.mean() + 0.005)}
    tie = clear_best(frames, "ndcg@10")
    assert tie.order == ["B", "A"] and tie.best is None and tie.tied == ["B", "A"]
    assert tie.difference == pytest.approx(0.005) and tie.half_width > 0.01
    # C is every user's A plus 0.03: small, but the same for every user, so beyond any doubt
    frames["C"] = user_frame(base + 0.03 + rng.normal(0, 0.01, 400))
    lead = clear_best(frames, "ndcg@10")
    assert lead.best == "C" and lead.tied == ["C"] and lead.runner_up == "B"
    assert lead.difference - lead.half_width > 0
    # for a metric where lower is better the same frames rank the other way
    assert clear_best({"A": frames["A"], "C": frames["C"]}, "ndcg@10", lower_is_better=True).best == "A"


def test_a_best_model_is_named_only_when_it_is_clear_of_every_other():
    # the runner-up is clearly behind, but a third model, noisier, cannot be told from the best
    from mfviz.evaluation.breakdown import clear_best

    rng = np.random.default_rng(1)
    base = rng.uniform(0.2, 0.8, 300)
    swing = rng.choice([-1.0, 1.0], 300)
    frames = {"best": user_frame(base + 0.05), "next": user_frame(base - 0.01 + rng.normal(0, 0.005, 300)),
              "noisy": user_frame(base - 0.03 + swing - swing.mean())}
    leader = clear_best(frames, "ndcg@10")
    assert leader.order == ["best", "next", "noisy"] and leader.difference - leader.half_width > 0
    assert leader.best is None and leader.tied == ["best", "noisy"]


def test_the_first_profile_size_beating_a_baseline_is_the_first_beyond_noise():
    from mfviz.evaluation.breakdown import first_size_beating

    rng = np.random.default_rng(2)
    n = 300
    baseline_values = rng.uniform(0.1, 0.5, n)
    noise = rng.choice([-0.3, 0.3], (3, n))
    lifts = {1: -0.05, 5: 0.004, 10: 0.08}  # at 5 above the baseline's mean, but by far less than the spread
    model = pd.concat([pd.DataFrame({"size": size, "user": np.arange(n),
                                     "ndcg@10": baseline_values + lift + noise[row] - noise[row].mean()})
                       for row, (size, lift) in enumerate(lifts.items())]
                      + [pd.DataFrame({"size": 0, "user": np.arange(n), "ndcg@10": baseline_values - 0.001})])
    baseline = pd.concat([pd.DataFrame({"size": size, "user": np.arange(n), "ndcg@10": baseline_values})
                          for size in (1, 5, 10, 0)])
    assert model.loc[model["size"] == 5, "ndcg@10"].mean() > baseline_values.mean()  # the old rule: "from 5"
    assert first_size_beating(model, baseline, "ndcg@10") == (10, False)
    # without size 10, nothing beats it: not within the sizes measured
    assert first_size_beating(model[model["size"] != 10], baseline, "ndcg@10") == (None, False)


def test_the_per_user_rows_average_to_the_curve():
    from mfviz.evaluation.breakdown import profile_size_per_user

    train, test = fixed_split(explicit=True)
    model = FunkSVD(factors=4, epochs=8, random_state=0).fit(train)
    rows = profile_size_per_user(model, train, test, k=5, sizes=(3, 10))
    curve = profile_size_curve(model, train, test, k=5, sizes=(3, 10))
    assert rows["size"].unique().tolist() == [3, 10, 0] and (rows.groupby("size").size() == 60).all()
    for place, size in enumerate((3, 10, 0)):
        part = rows[rows["size"] == size]
        assert part["ndcg@5"].mean() == pytest.approx(curve.loc[place, "ndcg@5"])
        assert np.sqrt(part["squared_error"].sum() / part["pairs"].sum()) == pytest.approx(curve.loc[place, "rmse"])
