"""Popularity-bias metrics against a toy example computed by hand (see the comments)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz import Interactions
from mfviz.analysis import bias_table, gini, long_tail_curve, popularity_report
from mfviz.analysis.popularity import data_popularity_row, user_groups
from mfviz.data.interactions import long_tail_split
from mfviz.models import Popularity
from mfviz.models.external import FactorModel

# 5 users × 6 items (binary). Item 5 has no interaction.
#   u0: 0 1     u1: 0     u2: 0 2     u3: 3 4     u4: 0 1 2
# phi = [4, 2, 2, 1, 1, 0], total 10; head (items carrying 20 % of interactions) = {0}.
PROFILES = [[0, 1], [0], [0, 2], [3, 4], [0, 1, 2]]
# One-dimensional factors: every user ranks items 0 > 1 > 2 > 3 > 4 > 5 (scores 5..0).
# Top-2 lists with seen items excluded:
#   u0 [2, 3]  u1 [1, 2]  u2 [1, 3]  u3 [0, 1]  u4 [3, 4]
# list popularity: 1.5, 2, 1.5, 3, 1  -> ARP = 9 / 5 = 1.8
# tail share:      1,   1, 1,   .5, 1 -> APLT = 4.5 / 5 = 0.9
# counts per item: [1, 3, 2, 3, 1, 0] -> coverage 5/6; Gini sorted [0,1,1,2,3,3]:
#   sum (2j-7) c_j = -3 -1 +2 +9 +15 = 22 -> 22 / (6 * 10) = 11/30
# head share of profiles: .5, 1, .5, 0, 1/3 -> niche {u3}, blockbuster {u1}, diverse {u0,u2,u4}
# profile popularity: 3, 4, 3, 1, 8/3
#   niche:       (3 - 1) / 1 = 2;  blockbuster: (2 - 4) / 4 = -0.5
#   diverse:     GAP_p = 26/9, GAP_r = 4/3 -> lift = -7/13
# Spearman(norm [5,4,3,2,1,0], phi [4,2,2,1,1,0]) = sqrt(16.5 / 17.5); item 5, which the training matrix does not
# have (its vector 0: untrained), left out: ranks [5,4,3,2,1] and [5,3.5,3.5,1.5,1.5], 9 / sqrt(10 * 9) = 3 / sqrt(10)


def toy_matrix():
    rows = np.repeat(np.arange(5), [len(p) for p in PROFILES])
    cols = np.concatenate(PROFILES)
    return sp.csr_matrix((np.ones(cols.size, np.float32), (rows, cols)), shape=(5, 6))


def toy_model(with_train_matrix=True):
    return FactorModel(np.ones((5, 1)), np.arange(5, -1, -1, dtype=np.float32).reshape(-1, 1), "toy",
                       train_matrix=toy_matrix() if with_train_matrix else None)


@pytest.mark.parametrize("with_train_matrix", [True, False])
def test_popularity_report_hand_computed(with_train_matrix):
    report = popularity_report(toy_model(with_train_matrix), toy_matrix(), k=2)
    assert report.users == 5 and report.k == 2
    assert report.arp == pytest.approx(1.8)
    assert report.aplt == pytest.approx(0.9)
    assert report.coverage == pytest.approx(5 / 6)
    assert report.gini == pytest.approx(11 / 30)
    np.testing.assert_array_equal(report.recommended_counts, [1, 3, 2, 3, 1, 0])
    lift = report.group_lift.set_index("group")
    assert list(lift["users"]) == [1, 3, 1]
    assert lift.loc["niche", "profile_popularity"] == pytest.approx(1)
    assert lift.loc["niche", "recommended_popularity"] == pytest.approx(3)
    assert lift.loc["niche", "lift"] == pytest.approx(2.0)
    assert lift.loc["blockbuster", "lift"] == pytest.approx(-0.5)
    assert lift.loc["diverse", "profile_popularity"] == pytest.approx(26 / 9)
    assert lift.loc["diverse", "lift"] == pytest.approx(-7 / 13)
    # with the training matrix the model says item 5 was never trained on; factors alone say nothing of it
    assert report.norm_popularity_spearman == pytest.approx(3 / np.sqrt(10) if with_train_matrix
                                                             else np.sqrt(16.5 / 17.5))
    assert report.items_untrained == int(with_train_matrix) and report.users_untrained == 0


def test_user_groups_hand_computed():
    head = long_tail_split(np.array([4, 2, 2, 1, 1, 0.0]))
    np.testing.assert_array_equal(head, [True, False, False, False, False, False])
    np.testing.assert_array_equal(user_groups(toy_matrix(), head), [1, 2, 1, 0, 1])


def test_users_without_interactions_are_in_no_group():
    # An empty first row (a user whose every interaction went to the test part) has head share 0
    # and, first by index among the ties at 0, took u3's place as the one niche user: niche
    # GAP_p became 0 and the lift undefined. Left out, the groups and lifts are the toy's above.
    matrix = sp.vstack([sp.csr_matrix((1, 6), dtype=np.float32), toy_matrix()]).tocsr()
    head = long_tail_split(np.array([4, 2, 2, 1, 1, 0.0]))
    np.testing.assert_array_equal(user_groups(matrix, head), [-1, 1, 2, 1, 0, 1])
    # factors from elsewhere, without their training data: every user counts as trained, the empty one too
    model = FactorModel(np.ones((6, 1)), toy_model().item_factors, "toy")
    report = popularity_report(model, matrix, k=2)
    assert report.users == 6 and report.users_without_profile == 1 and report.users_untrained == 0
    lift = report.group_lift.set_index("group")
    assert list(lift["users"]) == [1, 3, 1]
    assert lift.loc["niche", "profile_popularity"] == pytest.approx(1)
    assert lift.loc["niche", "lift"] == pytest.approx(2.0)
    assert lift.loc["diverse", "lift"] == pytest.approx(-7 / 13)
    assert lift.loc["blockbuster", "lift"] == pytest.approx(-0.5)
    # the empty user still gets a list, [0, 1] (popularity 3): ARP (9 + 3) / 6 = 2, APLT (4.5 + 0.5) / 6
    assert report.arp == pytest.approx(2.0) and report.aplt == pytest.approx(5 / 6)
    # trained on `matrix`, the model never saw the empty user: left out, the report is the toy's own
    trained = FactorModel(np.ones((6, 1)), toy_model().item_factors, "toy", train_matrix=matrix)
    report = popularity_report(trained, matrix, k=2)
    assert (report.users, report.users_untrained, report.users_without_profile) == (5, 1, 0)
    assert report.arp == pytest.approx(1.8) and report.aplt == pytest.approx(0.9)
    assert report.group_lift["lift"].tolist() == pytest.approx([2.0, -7 / 13, -0.5])


# 3 users × 4 items, every user ranks 0 > 1 > 2 > 3; u0 has seen {0, 1}, u1 {0}, u2 {2}.
# phi = [2, 1, 1, 0] of 4: head {0}. Top-3 lists: u0 [2, 3] (only two items left), u1 [1, 2, 3],
# u2 [0, 1, 3]. Per list, divided by its length (not k = 3):
#   mean phi  1/2, 2/3, 1     -> ARP  = 13/18   (by k: 1/3, 2/3, 1 -> 2/3)
#   tail      2/2, 3/3, 2/3   -> APLT = 8/9     (by k: 2/3, 1, 2/3 -> 7/9)
SHORT_PROFILES = [[0, 1], [0], [2]]


def short_list_case():
    rows = np.repeat(np.arange(3), [len(p) for p in SHORT_PROFILES])
    matrix = sp.csr_matrix((np.ones(4, np.float32), (rows, np.concatenate(SHORT_PROFILES))), shape=(3, 4))
    model = FactorModel(np.ones((3, 1)), np.arange(4, 0, -1, dtype=np.float32).reshape(-1, 1), "short",
                        train_matrix=matrix)
    return model, matrix


def test_arp_and_aplt_divide_a_short_list_by_its_own_length():
    model, matrix = short_list_case()
    report = popularity_report(model, matrix, k=3)
    np.testing.assert_array_equal(report.recommended_counts, [1, 2, 2, 3])  # 8 slots: u0's list has 2
    assert report.arp == pytest.approx(13 / 18)
    assert report.aplt == pytest.approx(8 / 9)


def test_gini_conventions():
    assert gini([3, 3, 3, 3]) == 0.0
    assert gini([0, 0, 0, 8]) == pytest.approx(3 / 4)  # (n - 1) / n
    assert gini([0, 0]) == 0.0
    assert gini([4, 2, 2, 1, 1, 0]) == pytest.approx(24 / 60)
    # order does not matter, scale does not matter
    assert gini([1, 0, 3, 2, 3, 1]) == pytest.approx(gini([2, 0, 6, 4, 6, 2]))


def test_data_row_and_bias_table():
    matrix = toy_matrix()
    row = data_popularity_row(matrix)
    assert row["arp"] == pytest.approx(41 / 15)  # mean of 3, 4, 3, 1, 8/3
    assert row["aplt"] == pytest.approx(8 / 15)  # mean of 1/2, 0, 1/2, 1, 2/3
    assert row["coverage"] == pytest.approx(5 / 6)
    assert row["gini"] == pytest.approx(0.4)
    table = bias_table({"toy": toy_model()}, matrix, k=2)
    assert list(table["model"]) == ["data", "toy"]
    assert table.loc[1, "arp"] == pytest.approx(1.8)
    assert table.loc[1, "lift_niche"] == pytest.approx(2.0)


def test_long_tail_curve():
    popularity = np.array([1, 4, 0, 2, 2, 1])
    frame, head = long_tail_curve(popularity)
    assert list(frame["item"]) == [1, 3, 4, 0, 5, 2]
    np.testing.assert_allclose(frame["cumulative_share"], [0.4, 0.6, 0.8, 0.9, 1.0, 1.0])
    np.testing.assert_allclose(frame["item_share"], np.arange(1, 7) / 6)
    np.testing.assert_array_equal(head, long_tail_split(popularity))
    assert frame["is_head"].sum() == head.sum() == 1


def test_lists_leave_out_every_item_the_users_have_in_the_interactions_given():
    """A model trained without items the users have (a split's held-out part) and reported on all the data
    recommends none of them, as its users' lists on the Recommend page: on ML-100K 24% of implicit ALS's
    list slots were the users' own held-out items when only the training items were left out."""
    data = toy_matrix()
    train = data.copy()
    train.data[data.indices == 0] = 0  # item 0 (everyone's top score) held out of training
    train.eliminate_zeros()
    model = toy_model()
    model.train_matrix = train
    # Top-2 lists without the items of `data`: u0 [2, 3] u1 [1, 2] u2 [1, 3] u3 [0, 1] u4 [3, 4] (as above), but
    # u1, whose only item is 0, has no training interaction left: never trained on, left out.
    report = popularity_report(model, data, k=2)
    assert (report.users, report.users_untrained) == (4, 1)
    np.testing.assert_array_equal(report.recommended_counts, [1, 2, 1, 3, 1, 0])
    # Without only the training items, item 0 tops every list (u0 [0, 2], u2 [0, 1], ...).
    assert popularity_report(model, train, k=2).recommended_counts[0] == 4


def test_popularity_model_on_interactions_sampled_users():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"user": rng.integers(0, 200, 3000), "item": rng.zipf(1.4, 3000) % 150})
    data = Interactions.from_frame(frame)
    model = Popularity().fit(data)
    full = popularity_report(model, data, k=5)
    sample = popularity_report(model, data, k=5, sample_users=80, seed=1)
    assert sample.users == 80 and full.users == data.n_users
    assert full.norm_popularity_spearman == pytest.approx(1.0)  # Popularity's "norm" is the count
    # Popularity recommends the most popular unseen items: few distinct items, high ARP
    assert full.coverage < 0.2 and full.arp > data.item_popularity.mean()
    assert sample.recommended_counts.sum() == 80 * 5


REPORT_FIELDS = ("users", "arp", "aplt", "coverage", "gini", "norm_popularity_spearman", "head_norm_percentile",
                 "rare_norm_percentile", "arp_dot_only", "arp_bias_only", "users_without_profile")


def random_factor_data(n_users, n_items=40, seed=0):
    """Random interactions and random factors with item biases (so the dot-only and bias-only rankings run too)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"user": np.r_[np.arange(n_users), rng.integers(0, n_users, 6 * n_users)],
                          "item": np.r_[rng.integers(0, n_items, n_users), rng.zipf(1.3, 6 * n_users) % n_items]})
    data = Interactions.from_frame(frame)
    model = FactorModel(rng.standard_normal((data.n_users, 4)), rng.standard_normal((data.n_items, 4)), "random",
                        item_bias=rng.standard_normal(data.n_items), train_matrix=data.matrix)
    return model, data


def assert_same_report(got, expected):
    for field in REPORT_FIELDS:
        assert getattr(got, field) == pytest.approx(getattr(expected, field), nan_ok=True), field
    np.testing.assert_array_equal(got.recommended_counts, expected.recommended_counts)
    pd.testing.assert_frame_equal(got.group_lift, expected.group_lift)


def test_the_default_sample_is_every_user_when_there_are_fewer_and_gives_the_full_rankings_numbers():
    model, data = random_factor_data(150)
    full = popularity_report(model, data, k=5, sample_users=None)
    assert full.users == 150 and not np.isnan(full.arp_dot_only)
    for sampled in (popularity_report(model, data, k=5), popularity_report(model, data, k=5, sample_users=150, seed=9)):
        assert_same_report(sampled, full)


def test_the_default_ranks_a_seeded_sample_of_2000_users_and_none_ranks_everyone():
    from mfviz.analysis.popularity import SAMPLE_USERS

    model, data = random_factor_data(2_300, seed=1)
    default = popularity_report(model, data, k=5)
    assert SAMPLE_USERS == default.users == 2_000
    assert popularity_report(model, data, k=5, sample_users=None).users == 2_300
    assert_same_report(popularity_report(model, data, k=5, seed=0), default)  # the seed fixes the sample
    assert_same_report(popularity_report(model, data, k=5, sample_users=2_000, seed=0), default)
    other = popularity_report(model, data, k=5, seed=1)
    assert not np.array_equal(other.recommended_counts, default.recommended_counts)
    # the lists are those of the users the seed draws: their counts by brute force over the full score
    drawn = np.sort(np.random.default_rng(1).choice(2_300, 2_000, replace=False))
    scores = model.user_factors[drawn] @ model.item_factors.T + model.item_bias
    seen = data.matrix[drawn].toarray() > 0
    scores[seen] = -np.inf
    top = np.argsort(-scores, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(other.recommended_counts, np.bincount(top.ravel(), minlength=data.n_items))
