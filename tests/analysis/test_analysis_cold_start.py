"""A new item's reach and audience against brute force: full rankings with the new item appended,
hand-made audiences, and the Popularity baseline, whose reach can be counted by hand."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz.analysis.cold_start import (
    audience,
    existing_reach,
    liked_at,
    place_new_item,
    reach_baseline,
    reach_curve,
    scores_of,
    typical_reach,
)
from mfviz.errors import DataError
from mfviz.models import ALS, FunkSVD, ImplicitALS, Popularity


def interactions(seed=0, shape=(60, 40), density=0.2, explicit=True):
    rng = np.random.default_rng(seed)
    mask = rng.random(shape) < density
    mask[np.arange(shape[0]), np.arange(shape[0]) % shape[1]] = True
    values = rng.integers(1, 6, shape) if explicit else rng.integers(1, 4, shape)
    return sp.csr_matrix(np.where(mask, values, 0).astype(np.float32))


def brute_force_top(model, matrix, user, n):
    """Scores user · item + item bias of the items the user does not have, best first."""
    bias = model.item_bias if model.item_bias is not None else np.zeros(matrix.shape[1])
    scores = model.item_factors.astype(np.float64) @ model.user_factors[user].astype(np.float64) + bias
    unseen = np.setdiff1d(np.arange(matrix.shape[1]), matrix[user].indices)
    order = unseen[np.argsort(-scores[unseen], kind="stable")]
    return order[:n], scores[order[:n]]


@pytest.mark.parametrize("model", [ALS(factors=4, epochs=5, regularization=0.5, random_state=0),
                                   # alpha 10 (the default until 1.0): at 1, this small item reaches no user,
                                   # and the check must see both outcomes
                                   ImplicitALS(factors=4, epochs=5, alpha=10.0, random_state=0),
                                   FunkSVD(factors=4, epochs=10, random_state=0)])
def test_reach_is_entering_the_brute_force_top_n(model):
    matrix = interactions()
    model.fit(matrix)
    reach = reach_baseline(model, matrix, n=5)
    counts = np.zeros(matrix.shape[1], int)
    for row, user in enumerate(reach.users):
        top, scores = brute_force_top(model, matrix, user, 5)
        assert reach.thresholds[row] == pytest.approx(scores[-1], rel=1e-4, abs=1e-5)
        counts[top] += 1
    np.testing.assert_array_equal(reach.counts, counts)

    users, _ = audience(matrix, [0, 1, 2])
    vector, bias = model.fold_in_item(users[:8], np.full(8, 5.0), return_bias=True)  # loved by its 8 users
    reached = reach.of_scores(scores_of(model, reach, vector, bias), users[:8])
    new_scores = model.user_factors.astype(np.float64) @ vector.astype(np.float64) + bias
    for row, user in enumerate(reach.users):
        everything, _ = brute_force_top(model, matrix, user, matrix.shape[1])
        bias_all = model.item_bias if model.item_bias is not None else 0
        scores = (model.item_factors.astype(np.float64) @ model.user_factors[user].astype(np.float64) + bias_all)
        # ranked among all the user's unseen items, fewer than 5 score at least as high
        enters = user not in users[:8] and np.sum(scores[everything] >= new_scores[user]) < 5
        assert reached[row] == enters
    assert 0 < reached.sum() < reached.size  # the check above saw both outcomes


def test_popularity_reach_counted_by_hand():
    # item popularity 4, 3, 2, 1, 1; n = 2: each user's 2nd best unseen count is the threshold
    dense = np.zeros((6, 5), np.float32)
    dense[[0, 1, 2, 3], 0] = 1
    dense[[0, 1, 4], 1] = 1
    dense[[2, 5], 2] = 1
    dense[5, 3] = 1
    dense[4, 4] = 1
    matrix = sp.csr_matrix(dense)
    model = Popularity().fit(matrix)
    reach = reach_baseline(model, matrix, n=2)
    # unseen items' counts per user → 2nd best: u0 {2,1,1}→1, u1 {2,1,1}→1, u2 {3,1,1}→1,
    # u3 {3,2,1,1}→2, u4 {4,2,1}→2, u5 {4,3,1}→3
    np.testing.assert_array_equal(reach.thresholds, [1, 1, 1, 2, 2, 3])
    vector, bias = model.fold_in_item([0, 5], return_bias=True)  # a new item with 2 users
    reached = reach.of_scores(scores_of(model, reach, vector, bias), np.array([0, 5]))
    np.testing.assert_array_equal(reached, [False, True, True, False, False, False])


def test_audience_is_the_users_who_liked_the_items_in_a_nested_random_order():
    dense = np.array([[5, 0, 3], [2, 4, 0], [0, 0, 5], [1, 1, 0], [0, 5, 5]], np.float32)
    matrix = sp.csr_matrix(dense)
    users, values = audience(matrix, [0, 1])
    assert sorted(users.tolist()) == [0, 1, 3, 4]
    assert dict(zip(users.tolist(), values.tolist(), strict=True)) == {0: 5, 1: 4, 3: 1, 4: 5}
    liked, liked_values = audience(matrix, [0, 1], at_least=4)
    assert sorted(liked.tolist()) == [0, 1, 4] and set(liked_values.tolist()) == {4.0, 5.0}
    again, _ = audience(matrix, [1, 0])
    np.testing.assert_array_equal(users, again)  # same items, same order
    with pytest.raises(DataError, match="at least one item"):
        audience(matrix, [])
    with pytest.raises(DataError, match="out of range"):
        audience(matrix, [3])


def test_reach_curve_rows_are_the_first_m_users_and_scaled_to_all_users():
    matrix = interactions(seed=1, shape=(80, 30), explicit=False)
    model = ImplicitALS(factors=4, epochs=5, random_state=0).fit(matrix)
    reach = reach_baseline(model, matrix, n=3, sample=40)
    assert reach.users.size == 40 and reach.scale == 2.0
    users, values = audience(matrix, [4, 5, 6])
    curve = reach_curve(model, reach, users, values, sizes=(1, 5, 10_000))
    assert curve["audience"].tolist() == [1, 5, users.size]
    for _, row in curve.iterrows():
        m = int(row["audience"])
        vector, bias = model.fold_in_item(users[:m], values[:m], return_bias=True)
        reached = reach.of_scores(scores_of(model, reach, vector, bias), users[:m])
        assert row["reached"] == 2.0 * reached.sum()
        assert row["share"] == pytest.approx(2.0 * reached.sum() / (80 - m))
        assert row["norm"] == pytest.approx(np.linalg.norm(vector))


def test_typical_reach_is_the_median_of_items_about_as_popular():
    existing = pd.DataFrame({"popularity": [10, 14, 20, 40, 3], "reached": [5.0, 7.0, 30.0, 90.0, 0.0]})
    assert typical_reach(existing, 12) == 6.0  # the median of 5 and 7 (popularity 10, 14; 20 > 18)
    assert np.isnan(typical_reach(existing, 100))
    reach = reach_baseline(Popularity().fit(interactions()), interactions(), n=2)
    frame = existing_reach(reach, np.arange(40))
    assert frame["reached"].sum() == pytest.approx(2 * 60)  # every user's list has 2 items
    np.testing.assert_allclose(frame["share"], frame["reached"] / np.maximum(60 - np.arange(40), 1))


def test_place_new_item_is_its_first_users_fold_in_with_its_reach_and_yardstick():
    matrix = interactions(seed=2)
    model = FunkSVD(factors=4, epochs=10, random_state=0).fit(matrix)
    reach = reach_baseline(model, matrix, n=5)
    users, values = audience(matrix, [1, 7])
    popularity = np.diff(matrix.tocsc().indptr)
    item = place_new_item(model, reach, users, np.full(users.size, 5.0), 6, popularity)
    vector, bias = model.fold_in_item(users[:6], np.full(6, 5.0), return_bias=True)
    np.testing.assert_array_equal(item.vector, vector)
    assert item.bias == bias and list(item.first_users) == list(users[:6])
    assert item.count == item.reached.sum() > 0 and item.share == pytest.approx(item.count / (60 - 6))
    assert item.typical == typical_reach(existing_reach(reach, popularity), 6)
    assert item.curve["audience"].iloc[-1] == users.size


def test_liked_at_is_the_median_of_every_rating_from_their_counts():
    rng = np.random.default_rng(4)
    for size in (1, 2, 7, 10, 101):
        ratings = rng.integers(1, 6, size).astype(float) / rng.choice([1, 2], size)
        values, counts = np.unique(ratings, return_counts=True)
        assert liked_at(values[::-1], counts[::-1]) == np.median(ratings)
