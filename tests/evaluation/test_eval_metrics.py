"""Metrics against hand-computed examples, the ranking kernel against its reference, evaluate()."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz import DataError, Interactions, ModelError
from mfviz.datasets import load_demo
from mfviz.evaluation import (
    catalog_coverage,
    evaluate,
    mae,
    random_split,
    ranking_metrics,
    rmse,
    split_by_mask,
)
from mfviz.evaluation.metrics import same_interactions, top_k_lists
from mfviz.kernels.metrics import ranking_metrics_per_user, ranking_metrics_per_user_reference
from mfviz.models import Popularity
from mfviz.models.external import FactorModel

LOG2_3 = np.log2(3.0)


def test_rmse_and_mae_by_hand():
    # errors -1, 0, 2: squared 1, 0, 4 -> mean 5/3; absolute 1, 0, 2 -> mean 1
    assert rmse([3, 4, 5], [4, 4, 3]) == pytest.approx(np.sqrt(5 / 3))
    assert mae([3, 4, 5], [4, 4, 3]) == pytest.approx(1.0)
    with pytest.raises(DataError, match="equally many"):
        rmse([1, 2], [1])


def _relevant(rows, n_items=10):
    """CSR with one row per list of relevant items."""
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.concatenate([np.asarray(r, np.int64) for r in rows])
    return sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(len(rows), n_items))


def test_ranking_metrics_by_hand():
    # k = 3.
    # user 0: list [5, 2, 7], relevant {2, 9}: one hit at rank 2.
    #   P = 1/3, R = 1/2, DCG = 1/log2(3), IDCG = 1 + 1/log2(3), AP = (P@2 = 1/2) / min(3, 2) = 1/4
    # user 1: list [1, 4, 3], relevant {1, 3}: hits at ranks 1 and 3.
    #   P = 2/3, R = 1, DCG = 1 + 1/log2(4) = 1.5, IDCG = 1 + 1/log2(3), AP = (1 + 2/3) / 2 = 5/6
    # user 2: list [6, 8, 0], no relevant items -> not averaged.
    # user 3: list [0, -1, -1] (padded), relevant {8}: nothing; P = R = NDCG = AP = 0.
    recommended = np.array([[5, 2, 7], [1, 4, 3], [6, 8, 0], [0, -1, -1]])
    relevant = _relevant([[2, 9], [1, 3], [], [8]])
    idcg = 1 + 1 / LOG2_3
    got = ranking_metrics(recommended, relevant, k=3)
    assert got["precision@3"] == pytest.approx((1 / 3 + 2 / 3 + 0) / 3)
    assert got["recall@3"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert got["ndcg@3"] == pytest.approx(((1 / LOG2_3) / idcg + 1.5 / idcg + 0) / 3)
    assert got["map@3"] == pytest.approx((1 / 4 + 5 / 6 + 0) / 3)
    assert got["hit_rate@3"] == pytest.approx(2 / 3)


def test_ranking_metrics_only_first_k_columns_count():
    # a longer list than k: the hit at rank 3 is outside k = 2, so nothing is found
    got = ranking_metrics(np.array([[4, 5, 6]]), _relevant([[6]]), k=2)
    assert got["precision@2"] == 0 and got["ndcg@2"] == 0


def test_perfect_list_scores_one():
    # relevant {1, 2} ranked first and second: every metric is 1 except precision@3 = 2/3
    got = ranking_metrics(np.array([[2, 1, 0]]), _relevant([[1, 2]]), k=3)
    assert got["recall@3"] == pytest.approx(1) and got["ndcg@3"] == pytest.approx(1)
    assert got["map@3"] == pytest.approx(1) and got["precision@3"] == pytest.approx(2 / 3)


def test_ranking_metrics_reject_bad_input():
    with pytest.raises(DataError, match="k"):
        ranking_metrics(np.zeros((1, 3), int), _relevant([[1]]), k=0)
    with pytest.raises(DataError, match="shape"):
        ranking_metrics(np.zeros((1, 2), int), _relevant([[1]]), k=3)
    with pytest.raises(DataError, match="no user"):
        ranking_metrics(np.zeros((1, 3), int), _relevant([[]]), k=3)


def test_catalog_coverage_by_hand():
    # items shown: {0, 1, 4, 6} out of 8 (padding ignored) -> 1/2
    assert catalog_coverage(np.array([[0, 1], [4, 1], [6, -1]]), 8) == pytest.approx(0.5)


@pytest.mark.parametrize("seed", range(4))
def test_kernel_matches_reference(seed):
    rng = np.random.default_rng(seed)
    n_users, n_items, k = 60, 40, 7
    recommended = np.array([rng.permutation(n_items)[:k] for _ in range(n_users)], np.int64)
    recommended[rng.random((n_users, k)) < 0.1] = -1  # some padding
    dense = rng.random((n_users, n_items)) < rng.uniform(0, 0.3, size=(n_users, 1))
    relevant = sp.csr_matrix(dense.astype(np.float32))
    args = (recommended, relevant.indptr.astype(np.int64), relevant.indices.astype(np.int64), k)
    for fast, slow in zip(ranking_metrics_per_user(*args), ranking_metrics_per_user_reference(*args),
                          strict=True):
        np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------- evaluate
def _tiny_split(explicit):
    """Train: u0 {i0}, u1 {i0, i1}, u2 {i0, i1, i2}; test: u0 {i1}, u1 {i3}.
    Popularity counts from train: i0 = 3, i1 = 2, i2 = 1, i3 = 0."""
    frame = pd.DataFrame({
        "user": ["u0", "u1", "u1", "u2", "u2", "u2", "u0", "u1"],
        "item": ["i0", "i0", "i1", "i0", "i1", "i2", "i1", "i3"],
        "rating": [4.0, 5.0, 3.0, 4.0, 2.0, 1.0, 2.0, 1.0],
    })
    data = Interactions.from_frame(frame, rating="rating", explicit=explicit)
    in_test = {("u0", "i1"), ("u1", "i3")}
    coo = data.matrix.tocoo()  # CSR order
    mask = [(data.user_ids[u], data.item_ids[i]) in in_test for u, i in zip(coo.row, coo.col, strict=True)]
    return split_by_mask(data, np.array(mask))


def test_evaluate_popularity_by_hand():
    # k = 2, training items excluded:
    # u0 gets [i1 (2), i2 (1)]: hit at rank 1 -> P 1/2, R 1, NDCG 1, AP 1
    # u1 gets [i2 (1), i3 (0)]: hit at rank 2 -> P 1/2, R 1, NDCG 1/log2(3), AP (1/2)/1
    # u2 has no test item and is not evaluated. Coverage: {i1, i2, i3} of 4 items.
    # Explicit: predictions are the counts; test pairs (u0,i1) true 2 pred 2, (u1,i3) true 1 pred 0
    # -> errors 0, -1: RMSE sqrt(1/2), MAE 1/2.
    train, test = _tiny_split(explicit=True)
    model = Popularity().fit(train)
    got = evaluate(model, train, test, k=2)
    assert got["precision@2"] == pytest.approx(0.5)
    assert got["recall@2"] == pytest.approx(1.0)
    assert got["ndcg@2"] == pytest.approx((1 + 1 / LOG2_3) / 2)
    assert got["map@2"] == pytest.approx(0.75)
    assert got["coverage@2"] == pytest.approx(0.75)
    assert got["rmse"] == pytest.approx(np.sqrt(0.5))
    assert got["mae"] == pytest.approx(0.5)
    assert got["users_evaluated"] == 2 and got["test_interactions"] == 2


def test_evaluate_implicit_has_no_rating_metrics():
    train, test = _tiny_split(explicit=False)
    got = evaluate(Popularity().fit(train), train, test, k=2)
    assert "rmse" not in got and "mae" not in got
    assert {"precision@2", "recall@2", "ndcg@2", "map@2", "coverage@2"} <= set(got)


def test_evaluate_fits_an_unfitted_model_on_train():
    train, test = _tiny_split(explicit=False)
    fresh = evaluate(Popularity(), train, test, k=2)
    fitted = evaluate(Popularity().fit(train), train, test, k=2)
    assert fresh["ndcg@2"] == fitted["ndcg@2"] and fresh["coverage@2"] == fitted["coverage@2"]


def test_evaluate_refuses_mismatched_model():
    train, test = _tiny_split(explicit=False)
    whole = Interactions(train.matrix + test.matrix, train.user_ids, train.item_ids)
    with pytest.raises(ModelError, match="not fitted on `train`"):
        evaluate(Popularity().fit(whole), train, test)


def test_evaluate_refuses_a_model_fitted_on_another_split_of_the_same_size():
    # two random splits with one test_size have equal nnz, so counting interactions let a model
    # fitted on seed 1 through on seed 0's split: its training items then scored as hits
    data = load_demo()
    train0, test0 = random_split(data, 0.2, seed=0)
    train1, _ = random_split(data, 0.2, seed=1)
    assert train0.nnz == train1.nnz and train0.matrix.shape == train1.matrix.shape
    with pytest.raises(ModelError, match="not fitted on `train`.*split with the seed"):
        evaluate(Popularity().fit(train1), train0, test0, k=10)
    # the same pairs with other values are the same training data: accepted
    relabelled = Interactions(sp.csr_matrix((train0.matrix.data * 2, train0.matrix.indices, train0.matrix.indptr),
                                            shape=train0.matrix.shape), train0.user_ids, train0.item_ids)
    assert evaluate(Popularity().fit(relabelled), train0, test0, k=10, max_users=50)["users_evaluated"] == 50


def test_same_interactions_compares_pairs_not_counts():
    a = sp.csr_matrix(np.array([[1, 0, 2], [0, 3, 0]], np.float32))
    moved = sp.csr_matrix(np.array([[1, 2, 0], [0, 3, 0]], np.float32))  # same rows' counts, other item
    shifted = sp.csr_matrix(np.array([[1, 0, 0], [2, 3, 0]], np.float32))  # same nnz, other rows' counts
    unsorted = sp.csr_matrix((np.array([2, 1, 3], np.float32), [2, 0, 1], [0, 2, 3]), shape=(2, 3))
    assert same_interactions(a, a.copy()) and same_interactions(a, unsorted)
    assert not same_interactions(a, moved) and not same_interactions(a, shifted)
    assert not same_interactions(a, sp.csr_matrix((2, 4), dtype=np.float32))


def test_evaluate_on_a_seeded_sample_of_users():
    # u0 alone: P@2 = 1/2, NDCG@2 = 1; u1 alone: NDCG@2 = 1/log2(3) (see the hand example above)
    train, test = _tiny_split(explicit=True)
    model = Popularity().fit(train)
    runs = [evaluate(model, train, test, k=2, max_users=1, seed=seed) for seed in range(6)]
    assert all(run["users_evaluated"] == 1 for run in runs)
    assert {round(run["ndcg@2"], 6) for run in runs} == {1.0, round(1 / LOG2_3, 6)}
    again = evaluate(model, train, test, k=2, max_users=1, seed=3)
    assert again["ndcg@2"] == runs[3]["ndcg@2"]
    assert runs[0]["rmse"] == pytest.approx(np.sqrt(0.5))  # accuracy still uses every test pair
    with pytest.raises(DataError, match="max_users"):
        evaluate(model, train, test, max_users=0)


def _cold_user_split(n_items=50):
    """u0..u3 rate items in training; u4 has only test interactions (nothing in training)."""
    rng = np.random.default_rng(0)
    rows = [(f"u{u}", f"i{i:02d}") for u in range(4) for i in rng.choice(n_items, 12, replace=False)]
    test_rows = [("u4", f"i{i:02d}") for i in range(40, 45)] + [("u0", "i49")]
    frame = pd.DataFrame(rows + test_rows, columns=["user", "item"]).drop_duplicates()
    data = Interactions.from_frame(frame, explicit=False)
    in_test = set(test_rows)
    coo = data.matrix.tocoo()
    mask = [(data.user_ids[u], data.item_ids[i]) in in_test for u, i in zip(coo.row, coo.col, strict=True)]
    return split_by_mask(data, np.array(mask))


def test_a_list_whose_scores_all_tie_is_drawn_at_random_not_by_item_number():
    # a user the model knows nothing of (a zero vector) got items 0..k-1: with ids that follow
    # popularity that looked like a good list (a Truncated SVD: NDCG@10 0.171 against 0.021 shuffled)
    train, test = _cold_user_split()
    rng = np.random.default_rng(1)
    users = rng.normal(size=(train.n_users, 4)).astype(np.float32)
    cold = int(np.flatnonzero(np.diff(train.matrix.indptr) == 0)[0])
    users[cold] = 0
    model = FactorModel(users, rng.normal(size=(train.n_items, 4)).astype(np.float32), train_matrix=train.matrix)
    evaluated = np.array([0, cold])
    drawn = set()
    for seed in range(40):
        lists, tied = top_k_lists(model, evaluated, 5, seed)
        assert tied.tolist() == [False, True]
        assert lists[0].tolist() == model.recommend([0], n=5)[0][0].tolist()  # a real ranking is kept
        assert len(set(lists[1].tolist())) == 5
        drawn |= set(lists[1].tolist())
    assert len(drawn) >= train.n_items - 2 > 5  # over the whole catalogue, not the first five by number
    assert np.array_equal(top_k_lists(model, evaluated, 5, 3)[0], top_k_lists(model, evaluated, 5, 3)[0])
    got = evaluate(model, train, test, k=5)
    # evaluate leaves the cold user out of the ranking metrics (known_users) and counts it
    assert got["users_without_training"] == 1 and got["lists_tied"] == 0 and got["users_evaluated"] == 1


def test_ranking_metrics_leave_out_test_users_without_a_training_interaction():
    # On a time split most test users can be newcomers; counted, their lists compared each model's fallback
    # (random for a zero vector, item biases, popularity), not the models.
    from mfviz.evaluation.breakdown import per_user

    train, test = _cold_user_split()
    cold = int(np.flatnonzero(np.diff(train.matrix.indptr) == 0)[0])
    model = Popularity().fit(train)  # serves the newcomer the popular items, a model with a zero vector would not
    got = evaluate(model, train, test, k=5)
    known = np.array([u for u in np.flatnonzero(np.diff(test.matrix.indptr) > 0) if u != cold])
    lists = model.recommend(known, n=5, exclude_seen=True)[0]
    hits, precision, recall, ndcg, _ = ranking_metrics_per_user_reference(lists, test.matrix[known].indptr,
                                                                          test.matrix[known].indices, 5)
    assert got["users_evaluated"] == known.size and got["users_without_training"] == 1
    assert got["ndcg@5"] == pytest.approx(ndcg.mean()) and got["recall@5"] == pytest.approx(recall.mean())
    assert got["coverage@5"] == pytest.approx(np.unique(lists).size / train.n_items)
    assert cold not in per_user(model, test, k=5)["user"].tolist()  # the breakdown ranks the same users
    # no test user known to training: nothing to rank, said
    only_cold = split_by_mask(*_only_newcomers())
    with pytest.raises(DataError, match=r"no test user has an interaction in the training part \(all 1 are new to it\)"):
        evaluate(Popularity().fit(only_cold[0]), *only_cold, k=5)


def _only_newcomers():
    frame = pd.DataFrame({"user": ["a"] * 6 + ["b"] * 3, "item": ["i1", "i2", "i3", "i4", "i5", "i6", "i1", "i2", "i3"]})
    data = Interactions.from_frame(frame, explicit=False)
    coo = data.matrix.tocoo()
    return data, np.array([data.user_ids[u] == "b" for u in coo.row])


def test_tied_lists_of_many_cold_users_are_independent_uniform_draws_from_each_users_tie_set():
    # 50 items; item factors e1 for items 0-9, else e2. Users (k = 5):
    #   A: 1,000 cold users, zero vector: all 50 items tie (drawn by repeated draws: 50 >= k²)
    #   B: 1,000 cold users, vector e1: items 0-9 tie at 1 (drawn by random order: 10 < k²)
    #   C: one user with training items 0 and 1, vector e1: items 2-9 tie
    #   D: one cold user, vector 0.5·e1 + e2: items 10-49 tie at 1 (items 0-9 score 0.5)
    # Cold users sharing a vector share one ranking; each still gets its own draw.
    n_items, k = 50, 5
    items = np.zeros((n_items, 2), np.float32)
    items[:10, 0], items[10:, 1] = 1, 1
    users = np.zeros((2003, 2), np.float32)
    users[1000:2001, 0] = 1
    users[2002] = [0.5, 1]
    train = sp.csr_matrix((np.ones(2, np.float32), ([2000, 2000], [0, 1])), shape=(2003, n_items))
    model = FactorModel(users, items, train_matrix=train)
    lists, tied = top_k_lists(model, np.arange(2003), k, seed=4)
    assert tied.all()
    scores = users.astype(np.float64) @ items.T.astype(np.float64)  # tie sets recomputed here
    scores[train.nonzero()] = -np.inf
    for row, pool in ((0, range(50)), (1000, range(10)), (2000, range(2, 10)), (2002, range(10, 50))):
        assert set(np.flatnonzero(scores[row] == scores[row].max())) == set(pool)
    for group, pool in ((lists[:1000], np.arange(50)), (lists[1000:2000], np.arange(10))):
        assert all(len(set(row)) == k for row in group.tolist()) and np.isin(group, pool).all()
        assert len({tuple(row) for row in group.tolist()}) >= 950  # not one draw copied to every user (B: 30,240 orders)
        counts = np.bincount(group.ravel(), minlength=pool.size)[pool]  # expected 1000·k/|pool| each
        expected = 1000 * k / pool.size
        assert np.abs(counts - expected).max() < 4.5 * np.sqrt(expected)
        first = np.bincount(group[:, 0], minlength=pool.size)[pool]  # in random order, too
        assert np.abs(first - 1000 / pool.size).max() < 4.5 * np.sqrt(1000 / pool.size)
    assert set(lists[2000].tolist()) <= set(range(2, 10)) and len(set(lists[2000].tolist())) == k
    assert set(lists[2002].tolist()) <= set(range(10, 50)) and len(set(lists[2002].tolist())) == k
    assert np.array_equal(lists, top_k_lists(model, np.arange(2003), k, seed=4)[0])

