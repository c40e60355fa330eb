"""Neighbour lists restricted to items with enough interactions: checked against brute force over the
allowed items, through exact search, the hnswlib index (searched deeper) and the comparisons."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.analysis.neighbours import (
    NeighbourIndex,
    compare_neighbours,
    exact_search,
    few_interactions,
    neighbour_popularity_summary,
    recall_at_k,
    supported_rows,
)


def brute_force(vectors, item, k, metric, allowed):
    """Top-k rows by cosine or dot among the allowed rows other than `item`, in float64."""
    data = vectors.astype(np.float64)
    if metric == "cosine":
        data = data / np.linalg.norm(data, axis=1, keepdims=True)
    scores = data @ data[item]
    rows = np.flatnonzero(allowed & (np.arange(len(data)) != item))
    return rows[np.lexsort((rows, -scores[rows]))][:k]


@pytest.fixture(scope="module")
def catalogue():
    rng = np.random.default_rng(3)
    vectors = (rng.normal(size=(600, 12)) * rng.uniform(0.2, 3.0, size=(600, 1))).astype(np.float32)
    support = rng.integers(0, 40, size=600)
    return vectors, support


def test_supported_rows_keep_items_with_at_least_the_minimum_and_none_means_no_filter():
    support = np.array([0, 3, 5, 9, 5])
    assert supported_rows(support, 5).tolist() == [2, 3, 4]
    assert supported_rows(support, 0) is None and supported_rows(None, 0) is None
    assert few_interactions(np.array([0, 1, 3, -1]), support, 5) == 2  # items 0 (0) and 1 (3); padding ignored


@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_exact_search_among_candidates_is_brute_force_over_them_and_keeps_k(catalogue, metric):
    vectors, support = catalogue
    allowed = support >= 20
    queries = np.array([0, 7, 42, 599])
    ids, scores = exact_search(vectors[queries], vectors, 10, metric, exclude_self_ids=queries,
                               candidates=np.flatnonzero(allowed))
    for row, item in enumerate(queries):  # the queries themselves may or may not be candidates
        assert ids[row].tolist() == brute_force(vectors, item, 10, metric, allowed).tolist()
    assert (ids >= 0).all() and allowed[ids].all()


def test_fewer_candidates_than_k_pad_and_no_candidates_give_empty_lists(catalogue):
    vectors, _ = catalogue
    ids, scores = exact_search(vectors[[5]], vectors, 4, "cosine", exclude_self_ids=[5], candidates=[5, 8, 9])
    assert sorted(ids[0, :2].tolist()) == [8, 9] and ids[0, 2:].tolist() == [-1, -1]  # 5 is the query itself
    assert np.isneginf(scores[0, 2:]).all()
    ids, _ = exact_search(vectors[[5]], vectors, 3, "dot", candidates=np.array([], np.int64))
    assert ids.tolist() == [[-1, -1, -1]]


@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_the_hnsw_index_searches_deeper_so_filtered_lists_keep_k_allowed_items(catalogue, metric):
    vectors, support = catalogue
    # exact_below=0: the graphs answer; a filter keeping ~40% of the items is met by walking deeper
    index = NeighbourIndex(vectors, metric, exact_below=0, exact_below_range=50, ef=64)
    allowed = support >= 24
    queries = np.arange(0, 600, 7)
    ids, scores = index.query(queries, 10, candidates=np.flatnonzero(allowed))
    truth = np.array([brute_force(vectors, q, 10, metric, allowed) for q in queries])
    assert ids.shape == (queries.size, 10) and (ids >= 0).all() and allowed[ids].all()
    assert (ids != queries[:, None]).all()
    assert recall_at_k(ids, truth) >= 0.97
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first
    # a strict filter (~5% of the items) is answered by brute force over them: exact
    strict = support >= 38
    ids, _ = index.query(queries, 5, candidates=np.flatnonzero(strict))
    assert ids.tolist() == [brute_force(vectors, q, 5, metric, strict).tolist() for q in queries]


def test_compare_neighbours_filters_both_lists_and_says_the_minimum(catalogue):
    vectors, support = catalogue
    titles = np.array([f"t{i}" for i in range(600)])
    plain = compare_neighbours(vectors, 3, 10, popularity=support, titles=titles)
    assert plain.min_support == 0 and few_interactions(plain.cosine["item"], support, 10) > 0
    kept = compare_neighbours(vectors, 3, 10, popularity=support, titles=titles, support=support, min_support=10)
    assert kept.min_support == 10 and len(kept.cosine) == len(kept.dot) == 10
    for metric, frame in (("cosine", kept.cosine), ("dot", kept.dot)):
        assert frame["item"].tolist() == brute_force(vectors, 3, 10, metric, support >= 10).tolist()
        assert (frame["popularity"] >= 10).all()
    assert kept.mean_popularity_cosine == pytest.approx(kept.cosine["popularity"].mean())


def test_the_summary_over_many_items_uses_the_same_filter(catalogue):
    vectors, support = catalogue
    summary = neighbour_popularity_summary(vectors, support, k=5, sample=None, support=support, min_support=30)
    allowed = support >= 30
    per_item = summary["per_item"]
    # every item the model trained on (support > 0) is still asked about; only its neighbours are filtered
    assert per_item["item"].tolist() == np.flatnonzero(support > 0).tolist()
    assert summary["items_untrained"] == int((support == 0).sum()) > 0
    for item in per_item["item"].iloc[[0, 100, -1]]:
        expected = support[brute_force(vectors, item, 5, "dot", allowed)].mean()
        assert per_item.loc[per_item["item"] == item, "popularity_dot"].item() == pytest.approx(expected)
    assert summary["mean_popularity_cosine"] >= 30


def test_a_lists_lift_is_read_against_random_lists_as_popular():
    from mfviz.analysis.neighbours import co_occurrence_lists, matched_median_lift

    # 400 users, 200 items each held by 20 users (all equally popular, so "as popular" is any item within ten
    # places of one in the index order); the planted items 20, 60, 100, 140, 180 are held by exactly item 0's 20
    # users, every other item by 20 random users
    rng = np.random.default_rng(4)
    dense = np.zeros((400, 200), np.float32)
    planted = [20, 60, 100, 140, 180]
    dense[:20, [0, *planted]] = 1
    for j in sorted(set(range(1, 200)) - set(planted)):
        dense[rng.choice(400, 20, replace=False), j] = 1
    matrix = sp.csr_matrix(dense)
    np.testing.assert_allclose(co_occurrence_lists(matrix, [0], [planted])[1][0], 20 / (20 * 20 / 400))  # 20×, by hand
    null = matched_median_lift(matrix, 0, planted, draws=300)
    # random lists as popular hold mostly the random items, which share about 20 · 20 / 400 = 1 user with item 0
    assert null < 3.0
    # a list of random items is no better than the random lists: its own lift and the null agree
    ordinary = [30, 31, 32, 33, 34, 35, 36]
    assert abs(np.median(co_occurrence_lists(matrix, [0], [ordinary])[1][0])
               - matched_median_lift(matrix, 0, ordinary, draws=300)) < 1.0
    assert np.isnan(matched_median_lift(matrix, 0, []))
    # drawn from a pool only (a minimum of interactions): the pool's items alone, here the planted ones
    assert matched_median_lift(matrix, 0, planted[:3], draws=50, pool=np.array(planted)) == 20.0
