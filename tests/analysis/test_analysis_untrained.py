"""Statistics of a model trained on a split that held out all of some users' or items' interactions: those users
and items (vectors never fitted) are left out of the popularity bias, the neighbour summary over many items and a
new item's reach, against hand-computed cases and brute force over the trained ones; nothing changes without them."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import spearmanr

from mfviz.analysis import neighbour_popularity_summary, popularity_report
from mfviz.analysis.cold_start import (
    audience,
    existing_reach,
    place_new_item,
    random_reach,
    reach_baseline,
    scores_of,
    trained_audience,
)
from mfviz.analysis.users import sample_users
from mfviz.data.interactions import long_tail_split
from mfviz.models import ALS
from mfviz.models.external import FactorModel

ML100K = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ml-100k" / "u.data"

# The popularity module's toy (5 users × 6 items, every user ranks 0 > 1 > ... > 5) and a sixth user, u5, whose one
# interaction (item 5) the split held out: u5 and item 5 are in the data, not in the training part.
#   data:  u0: 0 1   u1: 0   u2: 0 2   u3: 3 4   u4: 0 1 2   u5: 5        phi = [4, 2, 2, 1, 1, 1] of 11, head {0}
# Over the five trained users the top-2 lists are the toy's: u0 [2, 3] u1 [1, 2] u2 [1, 3] u3 [0, 1] u4 [3, 4]:
#   ARP 9/5 = 1.8, APLT 4.5/5 = 0.9, counts [1, 3, 2, 3, 1, 0], lifts niche 2, diverse -7/13, blockbuster -0.5.
# u5's vector was never fitted (0): every score 0, so its list is index order without item 5: [0, 1] (phi 4 and 2),
# which counted gave ARP (9 + 3) / 6 = 2 and counts [2, 4, 2, 3, 1, 0].
# Item 5's vector is 0 too: ρ over items 0..4, norms [5, 4, 3, 2, 1] against phi [4, 2, 2, 1, 1]: 3 / sqrt(10)
# (ranks [5, 3.5, 3.5, 1.5, 1.5]: 9 / sqrt(10 · 9)); over all six items, with item 5's 0 against phi 1, less.
PROFILES = [[0, 1], [0], [0, 2], [3, 4], [0, 1, 2], [5]]


def rows_matrix(profiles, n_items=6):
    rows = np.repeat(np.arange(len(profiles)), [len(p) for p in profiles])
    return sp.csr_matrix((np.ones(rows.size, np.float32), (rows, np.concatenate(profiles).astype(int))),
                         shape=(len(profiles), n_items))


def toy_split_model():
    data = rows_matrix(PROFILES)
    train = rows_matrix(PROFILES[:5] + [[]])
    users = np.ones((6, 1), np.float32)
    users[5] = 0  # as ALS leaves a user without training interactions
    items = np.array([5, 4, 3, 2, 1, 0], np.float32).reshape(-1, 1)
    return FactorModel(users, items, "toy", train_matrix=train), data


def test_the_popularity_report_ranks_only_the_users_the_model_was_trained_on_hand_computed():
    model, data = toy_split_model()
    report = popularity_report(model, data, k=2)
    assert (report.users, report.users_untrained, report.items_untrained) == (5, 1, 1)
    assert report.arp == pytest.approx(1.8) and report.aplt == pytest.approx(0.9)
    np.testing.assert_array_equal(report.recommended_counts, [1, 3, 2, 3, 1, 0])
    assert report.coverage == pytest.approx(5 / 6)
    assert report.group_lift["users"].tolist() == [1, 3, 1]
    assert report.group_lift["lift"].tolist() == pytest.approx([2.0, -7 / 13, -0.5])
    assert report.norm_popularity_spearman == pytest.approx(3 / np.sqrt(10))
    # the same factors without their training data say nothing of who is untrained: u5 and item 5 count
    everyone = popularity_report(FactorModel(model.user_factors, model.item_factors, "toy"), data, k=2)
    assert (everyone.users, everyone.users_untrained, everyone.items_untrained) == (6, 0, 0)
    assert everyone.arp == pytest.approx(2.0)
    np.testing.assert_array_equal(everyone.recommended_counts, [2, 4, 2, 3, 1, 0])
    assert everyone.norm_popularity_spearman < report.norm_popularity_spearman


def brute_force_bias(model, data, k, users):
    """ARP, APLT, counts and the three group lifts of `users`' top-k lists (user · item + item bias, the data's items
    left out), in plain Python: groups cut at 20 % of `users` by head share, ties by index."""
    scores = np.asarray(model.user_factors, np.float64) @ np.asarray(model.item_factors, np.float64).T
    if getattr(model, "item_bias", None) is not None:
        scores = scores + model.item_bias
    dense = data.toarray() != 0
    popularity = dense.sum(axis=0).astype(float)
    head = long_tail_split(popularity)
    lists, counts = {}, np.zeros(data.shape[1], int)
    for u in users:
        unseen = [i for i in np.argsort(-scores[u], kind="stable") if not dense[u, i]]
        lists[u] = unseen[:k]
        counts[lists[u]] += 1
    arp = np.mean([popularity[lists[u]].mean() for u in users])
    aplt = np.mean([np.mean(~head[lists[u]]) for u in users])
    share = {u: head[dense[u]].mean() for u in users}
    order = sorted(users, key=lambda u: (share[u], u))
    cut = int(round(0.2 * len(order)))
    groups = [order[:cut], order[cut:len(order) - cut], order[len(order) - cut:]]
    lifts = []
    for members in groups:
        profile = np.mean([popularity[dense[u]].mean() for u in members])
        listed = np.mean([popularity[lists[u]].mean() for u in members])
        lifts.append((listed - profile) / profile)
    return arp, aplt, counts, lifts


def everyone_has_something(users, items, seed=0):
    """Random ratings 1-5 where every user and every item has at least one."""
    rng = np.random.default_rng(seed)
    dense = np.where(rng.random((users, items)) < 0.3, rng.integers(1, 6, (users, items)), 0).astype(np.float32)
    dense[np.arange(users), np.arange(users) % items] = 3
    return sp.csr_matrix(dense)


def split_als(seed=0, users=60, items=30):
    """A random data set and ALS trained on it without the interactions of users 0-9 and items 0-2."""
    data = everyone_has_something(users, items, seed)
    held = data.toarray()
    held[:10] = 0
    held[:, :3] = 0
    model = ALS(factors=3, epochs=5, regularization=0.1, random_state=0).fit(sp.csr_matrix(held))
    return model, data


def test_the_popularity_report_is_brute_force_over_the_trained_users():
    model, data = split_als()
    report = popularity_report(model, data, k=4)
    arp, aplt, counts, lifts = brute_force_bias(model, data, 4, list(range(10, 60)))
    assert (report.users, report.users_untrained, report.items_untrained) == (50, 10, 3)
    assert report.arp == pytest.approx(arp) and report.aplt == pytest.approx(aplt)
    np.testing.assert_array_equal(report.recommended_counts, counts)
    assert report.group_lift["users"].tolist() == [10, 30, 10]
    assert report.group_lift["lift"].tolist() == pytest.approx(lifts)
    norms = np.linalg.norm(model.item_factors, axis=1)
    popularity = np.diff(data.tocsc().indptr)
    assert report.norm_popularity_spearman == pytest.approx(spearmanr(norms[3:], popularity[3:]).statistic)
    # a sample is drawn from the trained users only
    sampled = popularity_report(model, data, k=4, sample_users=20, seed=3)
    drawn = np.sort(np.random.default_rng(3).choice(np.arange(10, 60), 20, replace=False))
    assert sampled.users == 20
    np.testing.assert_array_equal(sampled.recommended_counts, brute_force_bias(model, data, 4, drawn)[2])


def test_without_a_split_the_popularity_report_is_what_it_was():
    # every user and item trained: the same numbers as factors without training data (where nothing is
    # untrained, the code path of before), the same sample of users (the one `choice(n_users)` drew) too
    data = everyone_has_something(80, 25, seed=1)
    model = ALS(factors=3, epochs=4, regularization=0.1, random_state=0).fit(data)
    bare = FactorModel(model.user_factors, model.item_factors, "bare", item_bias=model.item_bias,
                       user_bias=model.user_bias, global_mean=model.global_mean)
    for sample in (None, 30):
        got, expected = (popularity_report(m, data, k=3, sample_users=sample, seed=2) for m in (model, bare))
        assert got.users_untrained == got.items_untrained == 0
        for field in ("users", "arp", "aplt", "coverage", "gini", "norm_popularity_spearman", "head_norm_percentile",
                      "rare_norm_percentile", "arp_dot_only", "arp_bias_only"):
            assert getattr(got, field) == pytest.approx(getattr(expected, field), nan_ok=True), field
        np.testing.assert_array_equal(got.recommended_counts, expected.recommended_counts)
        assert got.group_lift.equals(expected.group_lift)
    drawn = np.sort(np.random.default_rng(2).choice(80, 30, replace=False))
    assert popularity_report(model, data, k=3, sample_users=30, seed=2).recommended_counts.tolist() == \
        brute_force_bias(model, data, 3, drawn)[2].tolist()


# ------------------------------------------------------------------ neighbours over many items
def test_the_neighbour_summary_samples_only_items_the_model_was_trained_on():
    # 6 items in 2 dimensions, all components positive (so a zero vector, scoring 0, never enters a top-2);
    # items 4 and 5 untrained: zero vectors, support 0. popularity 10, 20, 30, 40, 50, 60.
    vectors = np.array([[1, 0.1], [0.9, 0.3], [0.2, 1], [2, 2.2], [0, 0], [0, 0]], np.float32)
    popularity = np.array([10, 20, 30, 40, 50, 60])
    support = np.array([5, 3, 2, 7, 0, 0])
    summary = neighbour_popularity_summary(vectors, popularity, k=2, sample=None, support=support)
    assert summary["items"] == 4 and summary["items_untrained"] == 2
    assert summary["per_item"]["item"].tolist() == [0, 1, 2, 3]
    # by hand: cosines 0-1 .975, 0-2 .293, 0-3 .743, 1-2 .496, 1-3 .872, 2-3 .858; dots 0-1 .93, 0-2 .3, 0-3 2.22,
    # 1-2 .48, 1-3 2.46, 2-3 2.6. Cosine lists 0 [1, 3] 1 [0, 3] 2 [3, 1] 3 [1, 2]; dot 0 [3, 1] 1 [3, 0] 2 [3, 1]
    # 3 [2, 1]: the same items, mean popularity 30, 25, 30, 25
    assert summary["mean_popularity_cosine"] == pytest.approx(27.5)
    assert summary["mean_popularity_dot"] == pytest.approx(27.5)
    assert summary["mean_overlap"] == pytest.approx(2.0)
    # counted, the two untrained items (no support given) had lists [0, 1] (index order: every score 0), popularity 15
    everything = neighbour_popularity_summary(vectors, popularity, k=2, sample=None)
    assert everything["items"] == 6 and everything["items_untrained"] == 0
    assert everything["mean_popularity_cosine"] == pytest.approx((110 + 30) / 6)


def test_the_neighbour_summary_is_brute_force_over_a_sample_of_trained_items():
    rng = np.random.default_rng(5)
    vectors = np.abs(rng.normal(size=(200, 6))).astype(np.float32) * rng.uniform(0.2, 3, (200, 1)).astype(np.float32)
    support = rng.integers(1, 50, 200)
    support[::4] = 0
    vectors[support == 0] = 0
    popularity = support + rng.integers(0, 20, 200)
    summary = neighbour_popularity_summary(vectors, popularity, k=5, sample=60, seed=7, support=support)
    rows = np.sort(np.random.default_rng(7).choice(np.flatnonzero(support > 0), 60, replace=False))
    assert summary["per_item"]["item"].tolist() == rows.tolist() and summary["items_untrained"] == 50
    data = vectors.astype(np.float64)
    unit = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-30)
    means = {}
    for metric, space in (("cosine", unit), ("dot", data)):
        lists = []
        for row in rows:
            scores = space @ space[row]
            scores[row] = -np.inf
            lists.append(popularity[np.lexsort((np.arange(200), -scores))[:5]].mean())
        means[metric] = np.mean(lists)
    assert summary["mean_popularity_cosine"] == pytest.approx(means["cosine"])
    assert summary["popularity_ratio"] == pytest.approx(means["dot"] / means["cosine"])


def test_without_untrained_items_the_neighbour_summary_is_what_it_was():
    rng = np.random.default_rng(6)
    vectors = rng.normal(size=(300, 5)).astype(np.float32)
    popularity = rng.integers(1, 100, 300)
    got = neighbour_popularity_summary(vectors, popularity, k=5, sample=100, support=popularity)
    before = neighbour_popularity_summary(vectors, popularity, k=5, sample=100)  # no support: every item sampled
    assert got["items_untrained"] == 0
    assert got["per_item"].equals(before["per_item"])
    assert {k: v for k, v in got.items() if k != "per_item"} == {k: v for k, v in before.items() if k != "per_item"}


# ------------------------------------------------------------------ a new item's reach
def test_a_new_items_reach_counts_only_the_users_the_model_was_trained_on():
    model, data = split_als()
    reach = reach_baseline(model, data, n=3)
    assert reach.users.tolist() == list(range(10, 60)) and (reach.n_users, reach.left_out) == (50, 10)
    # thresholds and counts: brute force over the trained users (their 3rd best unseen score)
    scores = model.user_factors.astype(np.float64) @ model.item_factors.T.astype(np.float64) + model.item_bias
    scores[data.toarray() != 0] = -np.inf
    top = np.argsort(-scores, axis=1, kind="stable")[10:, :3]
    np.testing.assert_allclose(reach.thresholds, -np.sort(-scores[10:], axis=1)[:, 2], rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(reach.counts, np.bincount(top.ravel(), minlength=30))
    # an existing item's share: of the trained users who do not have it
    popularity = np.diff(data.tocsc().indptr)
    trained_holders = np.diff(data[10:].tocsc().indptr)
    np.testing.assert_allclose(existing_reach(reach, popularity)["share"], reach.counts / (50 - trained_holders))
    # the audience keeps its order, without the untrained users
    users, values = audience(data, [5, 6], at_least=3)
    kept, kept_values, left = trained_audience(model, users, values)
    assert kept.tolist() == [u for u in users.tolist() if u >= 10] and left == int((users < 10).sum()) > 0
    np.testing.assert_array_equal(kept_values, values[users >= 10])
    item = place_new_item(model, reach, kept, kept_values, 4, popularity)
    vector, bias = model.fold_in_item(kept[:4], kept_values[:4], return_bias=True)
    new = model.user_factors.astype(np.float64) @ vector.astype(np.float64) + bias
    third = -np.sort(-scores, axis=1)[:, 2]
    by_hand = (new > third) & (np.arange(60) >= 10) & ~np.isin(np.arange(60), kept[:4])
    assert item.count == by_hand.sum() and item.share == pytest.approx(by_hand.sum() / (50 - 4))
    # random first users: drawn from the trained users only
    rng, reached = np.random.default_rng(0), []
    for _ in range(5):
        drawn = np.sort(rng.choice(np.arange(10, 60), 4, replace=False))
        v, b = model.fold_in_item(drawn, rng.permutation(kept_values[:4]), return_bias=True)
        reached.append(reach.of_scores(scores_of(model, reach, v, b), drawn).sum())
    assert random_reach(model, reach, 4, kept_values, draws=5) == np.median(reached)


def test_without_a_split_a_new_items_reach_is_what_it_was():
    data = everyone_has_something(90, 20, seed=2)
    model = ALS(factors=3, epochs=4, regularization=0.1, random_state=0).fit(data)
    reach = reach_baseline(model, data, n=3, sample=40, seed=4)
    np.testing.assert_array_equal(reach.users, sample_users(90, 40, 4))  # the sample drawn before
    assert (reach.n_users, reach.left_out, reach.scale) == (90, 0, 90 / 40)
    popularity = np.diff(data.tocsc().indptr)
    np.testing.assert_allclose(existing_reach(reach, popularity)["share"],
                               reach.counts * 90 / 40 / np.maximum(90 - popularity, 1))
    users, values = audience(data, [1])
    assert trained_audience(model, users, values)[2] == 0
    # random first users: drawn as `choice(n_users)` drew them
    rng, reached = np.random.default_rng(0), []
    for _ in range(5):
        drawn = np.sort(rng.choice(90, 3, replace=False))
        v, b = model.fold_in_item(drawn, rng.permutation(values[:3]), return_bias=True)
        reached.append(reach.of_scores(scores_of(model, reach, v, b), drawn).sum() * reach.scale)
    assert random_reach(model, reach, 3, values, draws=5) == np.median(reached)


# ------------------------------------------------------------------ MovieLens 100K, time split 50%
@pytest.fixture(scope="module")
def movielens_time_split():
    if not ML100K.exists():
        pytest.skip(f"MovieLens 100K not found at {ML100K}")
    from mfviz.data.loaders import load_interactions
    from mfviz.evaluation import split

    data = load_interactions(ML100K)
    return data, split(data, "time", 0.5)[0]


def test_movielens_popularity_bias_of_implicit_als_over_its_trained_users(movielens_time_split):
    from mfviz.models import ImplicitALS

    data, train = movielens_time_split
    model = ImplicitALS(random_state=0).fit(train)
    report = popularity_report(model, data, k=10, sample_users=2000)  # as the Popularity bias page
    # counting the 452 untrained users: ARP 201.3, APLT 72.0%, blockbuster lift -0.061, ρ 0.926, and the five most
    # recommended items (441, 427, 423, 423, 402 lists) the first of the catalogue, in their index-order lists
    assert (report.users, report.users_untrained, report.items_untrained) == (491, 452, 216)
    assert round(report.arp, 1) == 221.4 and round(100 * report.aplt, 1) == 68.1
    assert report.group_lift["users"].tolist() == [98, 295, 98]
    assert np.round(report.group_lift["lift"].to_numpy(), 3).tolist() == [0.198, 0.169, 0.129]
    assert round(report.norm_popularity_spearman, 3) == 0.952
    assert report.recommended_counts.max() == 57
    # the numbers with them counted: the same factors without their training data, where nobody is untrained
    bare = popularity_report(FactorModel(model.user_factors, model.item_factors, "bare"), data, k=10,
                             sample_users=2000)
    assert (bare.users, round(bare.arp, 1), round(100 * bare.aplt, 1)) == (943, 201.3, 72.0)
    assert round(bare.group_lift["lift"].iloc[-1], 3) == -0.061 and round(bare.norm_popularity_spearman, 3) == 0.926
    assert np.sort(bare.recommended_counts)[::-1][:5].tolist() == [441, 427, 423, 423, 402]


def test_movielens_neighbours_over_trained_items(movielens_time_split):
    from mfviz.models import ImplicitALS

    data, train = movielens_time_split
    untrained = np.flatnonzero(train.item_popularity == 0)
    for model, ratio, overlap, before in ((ImplicitALS(random_state=0), 2.20, 3.64, (1.82, 4.45)),
                                          (ALS(random_state=0), 4.36, 1.50, (3.19, 2.61))):
        model.fit(train)
        summary = neighbour_popularity_summary(model.item_factors, data.item_popularity, k=10, sample=1000,
                                               interactions=data.matrix, support=train.item_popularity)
        assert (summary["items"], summary["items_untrained"]) == (1000, 216)
        assert not np.isin(summary["per_item"]["item"], untrained).any()
        assert (round(summary["popularity_ratio"], 2), round(summary["mean_overlap"], 2)) == (ratio, overlap)
        # sampled from all items (no support: the sample of before), 127 of the 1,000 untrained
        everything = neighbour_popularity_summary(model.item_factors, data.item_popularity, k=10, sample=1000)
        assert np.isin(everything["per_item"]["item"], untrained).sum() == 127
        assert (round(everything["popularity_ratio"], 2), round(everything["mean_overlap"], 2)) == before


def test_movielens_new_item_reach_of_als_over_its_trained_users(movielens_time_split):
    from mfviz.analysis.cold_start import liked_at

    data, train = movielens_time_split
    model = ALS(random_state=0).fit(train)
    star_wars = int(np.flatnonzero(data.item_ids.astype(str) == "50")[0])
    users, values = audience(data.matrix, [star_wars], liked_at(*np.unique(data.matrix.data, return_counts=True)))
    users, values, left = trained_audience(model, users, values)
    # before: 25 of its first 50 untrained, "871 users (97.5%)" reached, 427 of them untrained
    assert (users.size, left) == (287, 214)
    reach = reach_baseline(model, data.matrix, 10)
    assert (reach.n_users, reach.left_out) == (491, 452)
    item = place_new_item(model, reach, users, values, 50, data.item_popularity)
    assert item.count == 429 and round(100 * item.share, 1) == 97.3  # of the 441 trained users without it


def test_a_new_items_first_users_leave_out_those_spark_factors_have_no_vector_for():
    # factors from elsewhere give a user they lack a zero row, though the data has their interactions: fold_in_item
    # left them out with a warning no page shows, so the audience leaves them out itself and counts them
    import warnings

    from mfviz import Interactions
    from mfviz.errors import ModelWarning

    rng = np.random.default_rng(0)
    dense = (rng.random((12, 6)) < 0.6).astype(np.float32)
    dense[:, 0] = 1.0  # everyone has item 0
    data = Interactions(sp.csr_matrix(dense), np.arange(12), np.arange(6), is_explicit=False)
    users = rng.normal(size=(12, 3)).astype(np.float32)
    known = {int(u): users[u] for u in range(3, 12)}  # users 0-2 not in the factors
    spark = FactorModel(np.stack(list(known.values())), rng.normal(size=(6, 3)).astype(np.float32),
                        user_ids=list(known), item_ids=np.arange(6), fold_in_solve="als-wr")
    model = spark.aligned_to(data, warn_missing=False)
    fans, values = audience(data.matrix, [0])
    kept, kept_values, left = trained_audience(model, fans, values)
    assert left == 3 and kept.tolist() == [u for u in fans.tolist() if u >= 3]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelWarning)  # every first user kept has a vector: nothing to warn of
        model.fold_in_item(kept, kept_values)
