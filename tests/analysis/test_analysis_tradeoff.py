"""Popularity-penalised re-ranking and the accuracy / popularity trade-off, against brute force and by hand."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz import evaluation
from mfviz.analysis.tradeoff import (
    accuracy_popularity_tradeoff,
    penalised_offsets,
    penalised_top_k,
    penalty,
    popularity_z,
    reranked_top_k,
    score_spread,
    within_loss,
)
from mfviz.data.interactions import long_tail_split
from mfviz.datasets import load_demo
from mfviz.errors import DataError, ModelError
from mfviz.evaluation.metrics import ranking_metrics
from mfviz.models import FunkSVD, ImplicitALS
from mfviz.models.external import FactorModel


@pytest.fixture(scope="module")
def split():
    return evaluation.split(load_demo(), method="random", test_size=0.2, seed=0)


@pytest.fixture(scope="module")
def ials(split):
    return ImplicitALS(factors=16, epochs=4, random_state=0).fit(split[0])


def test_a_penalty_reorders_a_hand_made_list_where_the_arithmetic_says():
    # one user, three items scored 1.0, 0.9, 0.5 (σ fixed at 1); popularity 100, 10, 1
    model = FactorModel(np.ones((1, 1)), np.array([[1.0], [0.9], [0.5]]))
    popularity = np.array([100.0, 10.0, 1.0])
    logged = np.log1p(popularity)
    z = (logged - logged.mean()) / logged.std()
    np.testing.assert_allclose(popularity_z(popularity), z)
    # item 0 falls below item 1 once β (z0 − z1) > 0.1, i.e. β > 0.1 / (z0 − z1)
    tie = 0.1 / (z[0] - z[1])
    for strength, expected in ((0.0, [0, 1, 2]), (0.9 * tie, [0, 1, 2]), (1.1 * tie, [1, 0, 2])):
        offsets = penalised_offsets(model, popularity, strength, spread=1.0)
        np.testing.assert_allclose(offsets, -strength * z, rtol=1e-6, atol=1e-7)
        ids, scores = penalised_top_k(np.ones((1, 1)), model, offsets, 3)
        assert ids[0].tolist() == expected
        np.testing.assert_allclose(scores[0], (np.array([1.0, 0.9, 0.5]) + offsets)[expected], rtol=1e-6)


def test_penalised_lists_are_the_top_of_the_penalised_dense_scores(split):
    train, _ = split
    model = FunkSVD(factors=8, epochs=3, random_state=0).fit(train)
    popularity = np.diff(sp.csc_matrix(train.matrix).indptr)
    users = np.arange(0, 300, 7)
    seen = train.matrix[users]
    for strength in (0.0, 0.3, 1.0):
        offsets = penalised_offsets(model, popularity, strength)
        ids, _ = penalised_top_k(model.user_factors[users], model, offsets, 10, seen)
        dense = model.user_factors[users].astype(np.float64) @ model.item_factors.T.astype(np.float64)
        dense += model.item_bias - strength * score_spread(model) * popularity_z(popularity)
        dense[seen.toarray() != 0] = -np.inf
        for row, user_ids in enumerate(ids):
            top = np.sort(dense[row])[::-1][:10]
            np.testing.assert_allclose(dense[row][user_ids], top, rtol=1e-4, atol=1e-5)  # same scores (ties aside)
    plain, _ = model.recommend(users, n=10)
    np.testing.assert_array_equal(penalised_top_k(model.user_factors[users], model,
                                                  penalised_offsets(model, popularity, 0.0), 10, seen)[0], plain)


def test_a_penalty_never_reaches_past_the_models_own_candidates():
    # one user, four items scored 1.0, 0.9, 0.5, 0.1; popularity 100, 50, 10, 1; two candidates
    model = FactorModel(np.ones((1, 1)), np.array([[1.0], [0.9], [0.5], [0.1]]))
    change = penalty(np.array([100.0, 50.0, 10.0, 1.0]), 100.0, spread=1.0)  # an overwhelming β
    ids, scores = reranked_top_k(np.ones((1, 1)), model, change, 2, candidates=2)
    assert ids[0].tolist() == [1, 0]  # the two best by score, the less popular first: items 2 and 3 never enter
    np.testing.assert_allclose(scores[0], np.array([0.9, 1.0]) + change[[1, 0]], rtol=1e-6)
    ids, _ = reranked_top_k(np.ones((1, 1)), model, change, 2, candidates=4)
    assert ids[0].tolist() == [3, 2]
    ids, scores = reranked_top_k(np.ones((1, 1)), model, change, 3, exclude=sp.csr_matrix(np.array([[0, 1, 1, 1]])))
    assert ids[0].tolist() == [0, -1, -1] and np.isneginf(scores[0][1:]).all()  # padding stays last


def test_reranked_lists_are_the_penalised_top_of_each_users_top_10k_by_brute_force(split):
    train, _ = split
    model = FunkSVD(factors=8, epochs=3, random_state=0).fit(train)
    popularity = np.diff(sp.csc_matrix(train.matrix).indptr)
    users = np.arange(0, 300, 7)
    seen = train.matrix[users]
    dense = model.user_factors[users].astype(np.float64) @ model.item_factors.T.astype(np.float64) + model.item_bias
    dense[seen.toarray() != 0] = -np.inf
    for strength in (0.0, 0.3, 3.0):
        change = penalty(popularity, strength, score_spread(model))
        ids, _ = reranked_top_k(model.user_factors[users], model, change, 10, seen)
        for row, user_ids in enumerate(ids):
            candidates = np.argsort(-dense[row], kind="stable")[:100]
            expected = np.sort((dense[row] + change)[candidates])[::-1][:10]
            np.testing.assert_allclose((dense[row] + change)[user_ids], expected, rtol=1e-4, atol=1e-5)
            assert np.isin(user_ids, candidates).all()
    plain, _ = model.recommend(users, n=10)
    np.testing.assert_array_equal(reranked_top_k(model.user_factors[users], model, np.zeros(train.n_items), 10,
                                                 seen)[0], plain)


def test_the_spread_is_the_standard_deviation_of_the_scores_when_the_sample_holds_them_all():
    rng = np.random.default_rng(1)
    model = FactorModel(rng.normal(size=(30, 4)), rng.normal(size=(50, 4)), item_bias=rng.normal(size=50))
    dense = model.user_factors.astype(np.float64) @ model.item_factors.T + model.item_bias
    assert score_spread(model) == pytest.approx(dense.std(), rel=1e-5)
    assert score_spread(FactorModel(np.zeros((3, 2)), np.zeros((4, 2)))) == 1.0  # flat scores: a unit scale


def test_the_curve_starts_at_the_models_own_accuracy_and_counts_its_lists_by_brute_force(split, ials):
    train, test = split
    curve = accuracy_popularity_tradeoff(ials, train, test, strengths=(0.0, 0.5, 1.5), k=10, sample_users=None)
    assert curve["strength"].tolist() == [0.0, 0.5, 1.5]
    plain = evaluation.evaluate(ials, train, test, k=10)
    assert curve["ndcg@10"].iloc[0] == pytest.approx(plain["ndcg@10"], abs=1e-12)
    assert curve["recall@10"].iloc[0] == pytest.approx(plain["recall@10"], abs=1e-12)
    # APLT, ARP and coverage of the β = 0.5 lists, recounted from the lists themselves
    popularity = np.diff(sp.csc_matrix(train.matrix).indptr).astype(float)
    tail = ~long_tail_split(popularity)
    users = np.flatnonzero(np.diff(test.matrix.indptr) > 0)
    ids, _ = reranked_top_k(ials.user_factors[users], ials, penalty(popularity, 0.5, score_spread(ials)), 10,
                            train.matrix[users])
    row = curve.iloc[1]
    assert row["aplt"] == pytest.approx(np.mean([tail[r].mean() for r in ids]))
    assert row["arp"] == pytest.approx(np.mean([popularity[r].mean() for r in ids]))
    assert row["coverage"] == pytest.approx(np.unique(ids).size / train.n_items)
    assert row["ndcg@10"] == pytest.approx(ranking_metrics(ids, test.matrix[users], 10)["ndcg@10"])
    # a stronger penalty moves the lists to rarer items
    assert curve["arp"].is_monotonic_decreasing and curve["aplt"].iloc[2] > curve["aplt"].iloc[0]


def test_the_curve_ranks_the_users_evaluate_ranks_newcomers_left_out():
    # A test user without a training interaction is left out of evaluate's metrics: the curve's β = 0 is the table's.
    train = sp.csr_matrix((np.ones(5, np.float32), ([0, 0, 1, 2, 2], [0, 1, 0, 2, 3])), shape=(4, 5))
    test = sp.csr_matrix((np.ones(4, np.float32), ([0, 1, 2, 3], [2, 3, 4, 0])), shape=(4, 5))  # user 3: only test
    rng = np.random.default_rng(0)
    model = FactorModel(rng.normal(size=(4, 2)), rng.normal(size=(5, 2)), train_matrix=train)
    curve = accuracy_popularity_tradeoff(model, train, test, strengths=(0.0,), k=2, sample_users=None)
    plain = evaluation.evaluate(model, _as_interactions(train), _as_interactions(test), k=2)
    assert plain["users_without_training"] == 1 and plain["users_evaluated"] == 3
    assert curve["ndcg@2"].iloc[0] == pytest.approx(plain["ndcg@2"], abs=1e-12)


def _as_interactions(matrix):
    from mfviz import Interactions

    return Interactions(matrix, np.arange(matrix.shape[0]), np.arange(matrix.shape[1]))


def test_arp_and_aplt_of_the_curve_divide_a_short_list_by_its_own_length():
    # The hand case of test_analysis_popularity (3 users × 4 items, u0 has two unseen items left):
    # top-3 lists u0 [2, 3], u1 [1, 2, 3], u2 [0, 1, 3]; ARP 13/18 and APLT 8/9 (7/9 dividing by k).
    # Test items u0: 2, u1: 3, u2: 3 are hits at ranks 1, 3, 3: precision (1/3 + 1/3 + 1/3) / 3.
    train = sp.csr_matrix((np.ones(4, np.float32), ([0, 0, 1, 2], [0, 1, 0, 2])), shape=(3, 4))
    test = sp.csr_matrix((np.ones(3, np.float32), ([0, 1, 2], [2, 3, 3])), shape=(3, 4))
    model = FactorModel(np.ones((3, 1)), np.arange(4, 0, -1, dtype=np.float32).reshape(-1, 1), train_matrix=train)
    row = accuracy_popularity_tradeoff(model, train, test, strengths=(0.0,), k=3, sample_users=None).iloc[0]
    assert row["arp"] == pytest.approx(13 / 18)
    assert row["aplt"] == pytest.approx(8 / 9)
    assert row["precision@3"] == pytest.approx(1 / 3) and row["coverage"] == pytest.approx(1.0)


def test_bad_inputs_get_messages(split, ials):
    train, test = split
    with pytest.raises(DataError, match=">= 0"):
        penalised_offsets(ials, np.ones(train.n_items), -0.1)
    with pytest.raises(ModelError, match="popularity has 3 entries"):
        penalised_offsets(ials, np.ones(3), 0.5)
    empty = sp.csr_matrix(test.matrix.shape, dtype=np.float32)
    with pytest.raises(DataError, match="test set is empty"):
        accuracy_popularity_tradeoff(ials, train, empty)
    with pytest.raises(ModelError, match="do not match"):
        accuracy_popularity_tradeoff(FactorModel(np.ones((3, 2)), np.ones((4, 2))), train, test)


def test_within_loss_picks_the_most_long_tail_row_that_keeps_enough_accuracy():
    curve = pd.DataFrame({"strength": [0.0, 0.2, 0.5, 1.0], "ndcg@10": [0.30, 0.29, 0.27, 0.10],
                          "aplt": [0.6, 0.7, 0.8, 0.99]})
    assert within_loss(curve, 10, 0.1)["strength"] == 0.5  # 0.27 ≥ 0.9 × 0.30
    assert within_loss(curve, 10, 0.05)["strength"] == 0.2
    assert within_loss(curve, 10, 0.0)["strength"] == 0.0
    assert within_loss(curve.iloc[1:], 10) is None  # no β = 0 row to compare with
