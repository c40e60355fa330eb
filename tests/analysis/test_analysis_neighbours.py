"""Neighbour search: exact kernel against brute force, hnswlib recall, dot-product correctness, comparisons."""

from pathlib import Path

import hnswlib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from mfviz.analysis import (
    NeighbourIndex,
    compare_neighbours,
    exact_search,
    neighbour_popularity_summary,
)
from mfviz.analysis.neighbours import normalise_rows, recall_at_k
from mfviz.errors import DataError

ML100K = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ml-100k" / "u.data"


def brute_force(queries, vectors, k, metric, exclude=None):
    """Top-k by sorting the full float64 score matrix (ties by lower index)."""
    q, v = queries.astype(np.float64), vectors.astype(np.float64)
    if metric == "cosine":
        q = q / np.linalg.norm(q, axis=1, keepdims=True)
        v = v / np.linalg.norm(v, axis=1, keepdims=True)
    scores = q @ v.T
    if exclude is not None:
        scores[np.arange(len(exclude)), exclude] = -np.inf
    order = np.lexsort((np.broadcast_to(np.arange(v.shape[0]), scores.shape), -scores), axis=1)[:, :k]
    return order, np.take_along_axis(scores, order, axis=1)


def spread_norm_vectors(n, dim, seed=0):
    """Random directions with norms log-uniform over two orders of magnitude (1 to 100)."""
    rng = np.random.default_rng(seed)
    directions = normalise_rows(rng.standard_normal((n, dim)).astype(np.float32))
    return directions * (10 ** rng.uniform(0, 2, n)).astype(np.float32)[:, None]


def test_recall_at_k_by_hand_and_against_sets():
    # row 0: 2 of {3, 1, 9} found; row 1: 1 of {4} (padding ignored); row 2: no truth -> 3 of 4
    approx = np.array([[1, 2, 3], [4, -1, -1], [5, 6, 7]])
    truth = np.array([[3, 1, 9], [4, -1, -1], [-1, -1, -1]])
    assert recall_at_k(approx, truth) == pytest.approx(3 / 4)
    labels = np.array([[1, 2, 3], [4, 8, 9], [5, 6, 7]], np.uint64)  # as hnswlib returns them
    assert recall_at_k(labels, truth) == pytest.approx(3 / 4)
    assert recall_at_k(approx[:, :1], truth[:, :0]) == 1.0  # nothing to find
    rng = np.random.default_rng(5)
    found = np.stack([rng.choice(30, 8, replace=False) for _ in range(200)])
    wanted = np.stack([rng.choice(30, 10, replace=False) for _ in range(200)])
    wanted[::7, 6:] = -1
    hits = sum(len(set(a) & set(b[b >= 0])) for a, b in zip(found.tolist(), wanted, strict=True))
    assert recall_at_k(found, wanted) == pytest.approx(hits / (wanted >= 0).sum())
    with pytest.raises(DataError, match="one list per query"):
        recall_at_k(found[:3], wanted[:4])


@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_exact_search_matches_brute_force(metric):
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((300, 12)).astype(np.float32) * rng.uniform(0.1, 5, (300, 1)).astype(np.float32)
    rows = np.arange(0, 300, 7)
    ids, scores = exact_search(vectors[rows], vectors, 8, metric, exclude_self_ids=rows)
    want_ids, want_scores = brute_force(vectors[rows], vectors, 8, metric, exclude=rows)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-5)
    assert not (ids == rows[:, None]).any()


def test_small_index_is_exact_and_excludes_self():
    vectors = spread_norm_vectors(500, 8)
    for metric in ("cosine", "dot"):
        index = NeighbourIndex(vectors, metric)
        assert index.exact
        ids, scores = index.query(np.arange(50), 5)
        want, _ = brute_force(vectors[:50], vectors, 5, metric, exclude=np.arange(50))
        np.testing.assert_array_equal(ids, want)
        assert index.recall(10, 100) == 1.0


def test_cosine_recall_on_50k_random_vectors():
    """Issue 5: recall@10 >= 0.95 for cosine on 50k random 64-d vectors (2 threads)."""
    vectors = np.random.default_rng(0).standard_normal((50_000, 64)).astype(np.float32)
    index = NeighbourIndex(vectors, "cosine", M=24, ef_construction=64, ef=300, threads=2)
    assert not index.exact
    assert index.recall(k=10, sample=500) >= 0.95
    ids, scores = index.query([0, 1], 10)
    # scores are the exact cosine similarities of the returned items, best first
    unit = normalise_rows(vectors)
    np.testing.assert_allclose(scores, np.einsum("mkf,mf->mk", unit[ids], unit[[0, 1]]), rtol=1e-5, atol=1e-6)
    assert (np.diff(scores, axis=1) <= 1e-7).all()


@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_recall_is_measured_on_the_items_with_a_vector(metric):
    # Items absent from a model's training part have zero vectors: every item ties with every other for them,
    # so their exact lists are arbitrary and an approximate list counted as misses (0.983 reported, 0.998 true).
    vectors = np.random.default_rng(1).standard_normal((3_000, 16)).astype(np.float32)
    vectors[::10] = 0.0  # 300 items the model never saw
    index = NeighbourIndex(vectors, metric, exact_below=0, ef=64)
    assert not index.exact
    live = np.flatnonzero(np.linalg.norm(vectors, axis=1) > 0)
    rows = np.sort(np.random.default_rng(0).choice(live, size=500, replace=False))  # the sample recall draws
    truth, _ = exact_search(vectors[rows], vectors, 10, metric, exclude_self_ids=rows)
    assert index.recall(k=10, sample=500) == pytest.approx(recall_at_k(index.query(rows, 10)[0], truth))
    assert index.tune_ef(target=0.5, sample=500)[1] == pytest.approx(recall_at_k(index.query(rows, 10)[0], truth))
    # only zero vectors: nothing to measure, nothing missed
    assert NeighbourIndex(np.zeros((50, 4), np.float32), metric, exact_below=0).recall(10, 20) == 1.0


def test_dot_search_correct_with_norms_over_two_orders_of_magnitude():
    vectors = spread_norm_vectors(20_000, 32)
    index = NeighbourIndex(vectors, "dot", exact_below=0, ef_construction=100, ef=128)
    assert not index.exact and len(index._ranges) > 1  # several norm ranges were built
    assert index.recall(k=10, sample=500) >= 0.95
    rng = np.random.default_rng(3)
    queries = rng.standard_normal((300, 32)).astype(np.float32)
    found, scores = index.query_vectors(queries, 10)
    truth, truth_scores = brute_force(queries, vectors, 10, "dot")
    assert recall_at_k(found, truth) >= 0.95
    # the best item is found for (nearly) every query, with its exact dot product
    assert np.mean(found[:, 0] == truth[:, 0]) >= 0.97
    np.testing.assert_allclose(scores[:, 0][found[:, 0] == truth[:, 0]],
                               truth_scores[:, 0][found[:, 0] == truth[:, 0]], rtol=1e-4)


def test_dot_search_visits_a_lower_norm_range_until_the_kth_best_beats_it():
    # The best item (4·e1, norm 4) is in the top norm range, whose other rows are orthogonal to
    # the queries; the 2nd-10th best are in the range below (norm 0.9, near e1). After the top
    # range only the best score (~4) beats that range's bound 0.9·|q|, the 10th (~0) does not,
    # so the search must go on: stopping on the best score instead gave recall@10 0.1.
    rng = np.random.default_rng(0)
    dim = 16
    high = rng.normal(size=(2500, dim))
    high[:, 0] = 0
    high = 4 * high / np.linalg.norm(high, axis=1, keepdims=True)
    high[0] = 4 * np.eye(dim)[0]
    low = 0.05 * rng.normal(size=(2500, dim))
    low[:, 0] = 1
    low = 0.9 * low / np.linalg.norm(low, axis=1, keepdims=True)
    vectors = np.vstack([high, low]).astype(np.float32)
    queries = (np.eye(dim)[:1] + 0.01 * rng.normal(size=(5, dim))).astype(np.float32)
    index = NeighbourIndex(vectors, "dot", exact_below=0)
    assert [rows.size for rows in index._ranges] == [2500, 2500]
    assert index._range_max == pytest.approx([4.0, 0.9])
    truth, truth_scores = brute_force(queries, vectors, 10, "dot")
    assert (truth[:, 0] == 0).all() and (truth[:, 1:] >= 2500).all()  # the case described above
    found, scores = index.query_vectors(queries, 10)
    assert recall_at_k(found, truth) == 1.0
    np.testing.assert_allclose(scores, truth_scores, rtol=1e-4)


def svd_item_factors(path: Path, factors: int = 32):
    frame = pd.read_csv(path, sep="\t", header=None, names=["user", "item", "rating", "t"])
    ratings = sp.csr_matrix((frame["rating"].astype(np.float64), (frame["user"] - 1, frame["item"] - 1)))
    u, s, vt = svds(ratings, k=factors, v0=np.ones(min(ratings.shape)))
    return np.ascontiguousarray((vt.T * s).astype(np.float32)), np.ascontiguousarray(u.astype(np.float32))


@pytest.mark.skipif(not ML100K.exists(), reason="MovieLens 100K not available")
def test_plain_hnswlib_ip_fails_where_the_index_does_not():
    """Truncated-SVD item factors of MovieLens 100K (norms 0.2 to 70): hnswlib's `ip` space
    misses neighbours whatever ef is (unreachable graph nodes); the norm-ranged MIPS
    reduction finds them. (On random-direction synthetic vectors plain `ip` does well, which
    is why this uses real factors.)"""
    items, users = svd_item_factors(ML100K)
    norms = np.linalg.norm(items, axis=1)
    assert norms.max() / np.percentile(norms, 5) > 100
    truth, _ = brute_force(users, items, 10, "dot")
    plain = hnswlib.Index(space="ip", dim=items.shape[1])
    plain.init_index(items.shape[0], M=16, ef_construction=200, random_seed=0)
    plain.add_items(items, num_threads=2)
    plain.set_ef(256)
    plain_ids, _ = plain.knn_query(users, k=10)
    index = NeighbourIndex(items, "dot", exact_below=0, exact_below_range=200, ef=256)
    ours, _ = index.query_vectors(users, 10)
    plain_recall, our_recall = recall_at_k(plain_ids, truth), recall_at_k(ours, truth)
    assert our_recall >= 0.98
    assert plain_recall <= our_recall - 0.08


@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_save_load_roundtrip(tmp_path, metric):
    vectors = spread_norm_vectors(3_000, 16)
    index = NeighbourIndex(vectors, metric, exact_below=1_000, exact_below_range=500)
    ids, scores = index.query(np.arange(20), 7)
    loaded = NeighbourIndex.load(index.save(tmp_path / "index.npz"))
    assert loaded.exact is False and loaded.metric == metric
    ids2, scores2 = loaded.query(np.arange(20), 7)
    np.testing.assert_array_equal(ids, ids2)
    np.testing.assert_allclose(scores, scores2)


def test_index_errors_name_the_value():
    vectors = spread_norm_vectors(50, 4)
    with pytest.raises(DataError, match="metric must be 'cosine' or 'dot', got 'l2'"):
        NeighbourIndex(vectors, "l2")
    with pytest.raises(DataError, match="out of range"):
        NeighbourIndex(vectors).query([50], 3)
    with pytest.raises(DataError, match="k must be a positive integer, got 0"):
        NeighbourIndex(vectors).query([1], 0)
    with pytest.raises(DataError, match="NaN"):
        NeighbourIndex(np.full((3, 2), np.nan))
    with pytest.raises(DataError, match="could not read"):
        NeighbourIndex.load(Path(__file__))


def test_k_larger_than_catalogue_pads():
    vectors = spread_norm_vectors(5, 3)
    ids, scores = NeighbourIndex(vectors, "dot").query([0], 8)
    assert ids.shape == (1, 8) and (ids[0, 4:] == -1).all() and np.isneginf(scores[0, 4:]).all()


def test_compare_neighbours_hand_checked():
    # item 0 points along x; item 1 same direction small norm; item 2 at 45° with a huge norm.
    factors = np.array([[1, 0], [0.1, 0], [10, 10], [0, 1]], np.float32)
    popularity = np.array([5, 1, 100, 3])
    result = compare_neighbours(factors, 0, k=2, popularity=popularity, titles=["a", "b", "c", "d"])
    assert list(result.cosine["item"]) == [1, 2]  # cos 1, then cos 0.707
    assert list(result.dot["item"]) == [2, 1]  # dot 10, then 0.1
    np.testing.assert_allclose(result.cosine["score"], [1.0, np.sqrt(0.5)], rtol=1e-6)
    np.testing.assert_allclose(result.dot["score"], [10.0, 0.1], rtol=1e-6)
    assert list(result.dot["title"]) == ["c", "b"]
    np.testing.assert_allclose(result.dot["norm"], [np.sqrt(200), 0.1], rtol=1e-6)
    assert result.overlap == 2 and result.jaccard == 1.0
    assert result.mean_popularity_cosine == result.mean_popularity_dot == 50.5
    k1 = compare_neighbours(factors, 0, k=1, popularity=popularity)
    assert k1.overlap == 0 and k1.jaccard == 0.0
    assert k1.mean_popularity_cosine == 1 and k1.mean_popularity_dot == 100


def test_neighbour_popularity_summary_dot_lists_lean_popular():
    rng = np.random.default_rng(0)
    popularity = rng.integers(1, 1000, 400)
    # norm grows with popularity, direction random: dot lists should be more popular
    factors = normalise_rows(rng.standard_normal((400, 8)).astype(np.float32)) * np.sqrt(popularity)[:, None]
    summary = neighbour_popularity_summary(factors.astype(np.float32), popularity, k=5, sample=None)
    assert summary["items"] == 400
    assert summary["popularity_ratio"] > 1.5
    per_item = summary["per_item"]
    assert len(per_item) == 400 and per_item["overlap"].between(0, 5).all()
    np.testing.assert_allclose(per_item["popularity_ratio"], per_item["popularity_dot"] / per_item["popularity_cosine"])
    # per-item values agree with compare_neighbours
    one = compare_neighbours(factors, 17, k=5, popularity=popularity)
    row = per_item.loc[per_item["item"] == 17].iloc[0]
    assert row["overlap"] == one.overlap
    assert row["popularity_dot"] == pytest.approx(one.mean_popularity_dot)
    assert row["popularity_cosine"] == pytest.approx(one.mean_popularity_cosine)


def test_tune_ef_reaches_the_target_with_the_smallest_doubling():
    """Adaptive query beam: on unstructured vectors a tiny ef misses neighbours; tune_ef widens it
    until the measured recall reaches the target, and that recall holds on other rows."""
    vectors = np.random.default_rng(1).standard_normal((4_000, 32)).astype(np.float32)
    index = NeighbourIndex(vectors, "cosine", exact_below=0, M=8, ef_construction=40, ef=4)
    assert index.recall(k=10, sample=300, seed=5) < 0.9  # ef=4 is too narrow here
    ef, found = index.tune_ef(target=0.97, k=10, sample=300, max_ef=512)
    assert index.ef == ef and found >= 0.97 and ef in (8, 16, 32, 64, 128, 256, 512)
    if ef > 8:  # the previous doubling fell short (smallest ef that reaches the target)
        index.ef = ef // 2
        rows = np.sort(np.random.default_rng(0).choice(4_000, 300, replace=False))
        truth, _ = brute_force(vectors[rows], vectors, 10, "cosine", exclude=rows)
        assert recall_at_k(index.query(rows, 10)[0], truth) < 0.97
        index.ef = ef
    assert index.recall(k=10, sample=300, seed=9) >= 0.94  # held-out rows


def test_tune_ef_caps_at_max_ef_and_validates():
    vectors = np.random.default_rng(2).standard_normal((3_000, 32)).astype(np.float32)
    index = NeighbourIndex(vectors, "cosine", exact_below=0, M=4, ef_construction=8, ef=2)
    ef, found = index.tune_ef(target=1.0, k=10, sample=100, max_ef=4)
    assert ef == 4 and index.ef == 4 and found < 1.0
    with pytest.raises(DataError, match="target recall must be in"):
        index.tune_ef(target=0)
    with pytest.raises(DataError, match="max_ef must be an integer >= 1, got 0"):
        index.tune_ef(max_ef=0)
    exact = NeighbourIndex(vectors[:100], "dot")
    assert exact.tune_ef() == (exact.ef, 1.0)


def test_co_occurrence_counts_the_users_two_items_share_and_their_lift_over_chance():
    from mfviz.analysis.neighbours import co_occurrence

    rng = np.random.default_rng(4)
    dense = (rng.random((60, 12)) < 0.3) * rng.integers(1, 6, (60, 12))
    dense[:, 11] = 0  # an item nobody has
    matrix = sp.csr_matrix(dense.astype(np.float32))
    binary = dense != 0
    for item in (0, 5):
        others = np.array([1, 3, 11, 7])
        both, lift = co_occurrence(matrix, item, others)
        expected = np.array([(binary[:, item] & binary[:, j]).sum() for j in others])
        np.testing.assert_array_equal(both, expected)
        chance = binary[:, item].sum() * binary[:, others].sum(axis=0) / 60
        np.testing.assert_allclose(lift, np.where(chance > 0, expected / np.where(chance > 0, chance, 1), 0))
    # by hand: 4 users; item 0 held by users 0, 1; item 1 by users 1, 2, 3 → 1 shared, lift 1·4 / (2·3)
    tiny = sp.csr_matrix(np.array([[1, 0], [1, 1], [0, 1], [0, 1]], np.float32))
    both, lift = co_occurrence(tiny, 0, [1])
    assert both.tolist() == [1] and lift[0] == pytest.approx(4 / 6)


def test_compare_neighbours_adds_the_datas_evidence_when_given_the_interactions():
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(12, 4))
    matrix = sp.csr_matrix((rng.random((40, 12)) < 0.4).astype(np.float32))
    comparison = compare_neighbours(vectors, 2, k=4, interactions=matrix)
    binary = matrix.toarray() != 0
    for frame in (comparison.cosine, comparison.dot):
        assert frame["together"].tolist() == [int((binary[:, 2] & binary[:, j]).sum()) for j in frame["item"]]
    assert "together" not in compare_neighbours(vectors, 2, k=4).cosine.columns
    with pytest.raises(DataError, match="11 items but there are 12 item vectors"):
        compare_neighbours(vectors, 2, k=4, interactions=matrix[:, :11])


def test_neighbour_agreement_counts_the_cosine_neighbours_two_models_share():
    from mfviz.analysis.neighbours import neighbour_agreement

    rng = np.random.default_rng(6)
    a = rng.normal(size=(40, 5))
    b = a + rng.normal(scale=0.5, size=a.shape)  # a perturbed copy: partly the same neighbours
    result = neighbour_agreement(a, b, k=5, sample=None)
    assert result["item"].tolist() == list(range(40))
    for item, shared in zip(result["item"], result["shared"], strict=True):
        top_a = set(brute_force(a[[item]], a, 5, "cosine", exclude=[item])[0][0].tolist())
        top_b = set(brute_force(b[[item]], b, 5, "cosine", exclude=[item])[0][0].tolist())
        assert shared == len(top_a & top_b)
    assert (neighbour_agreement(a, 3 * a, k=5, sample=None)["shared"] == 5).all()  # scaling keeps cosines
    sampled = neighbour_agreement(a, b, k=5, sample=10, seed=1)
    assert len(sampled) == 10 and sampled["item"].is_monotonic_increasing
    with pytest.raises(DataError, match="40 and 39 items"):
        neighbour_agreement(a, b[:39])


def test_items_with_a_zero_vector_are_left_out_of_the_agreement_and_counted():
    # items absent from the training part keep a zero vector: both models then "list" items 0..k-1 for them,
    # which counted as k of k shared and lifted the mean (ML-100K: 25 items, implicit ALS ∩ ALS 1.0 → 1.1)
    from mfviz.analysis.neighbours import neighbour_agreement

    rng = np.random.default_rng(7)
    a = rng.normal(size=(60, 6))
    b = rng.normal(size=(60, 6))  # unrelated models: little agreement
    a[[3, 10, 11, 12]] = 0
    b[[3, 10, 11, 12, 20]] = 0  # item 20 has a zero vector in one model only
    result = neighbour_agreement(a, b, k=5, sample=None)
    placed = [i for i in range(60) if i not in (3, 10, 11, 12, 20)]
    assert result["item"].tolist() == placed and result.attrs["left_out"] == 5
    for item, shared in zip(result["item"], result["shared"], strict=True):
        top = [set(np.array(placed)[brute_force(m[[item]], m[placed], 5, "cosine",
                                                exclude=[placed.index(item)])[0][0]].tolist()) for m in (a, b)]
        assert shared == len(top[0] & top[1])
    assert (result["shared"] < 5).all()  # no item agrees fully, which every zero item did
    everything = neighbour_agreement(a + 1e-3, b + 1e-3, k=5, sample=None)  # no zero vector: nothing left out
    assert len(everything) == 60 and everything.attrs["left_out"] == 0
    assert len(neighbour_agreement(a, b, k=5, sample=20, seed=1)) == 20  # a sample of the items with vectors


def test_evidence_for_many_lists_at_once_matches_one_item_at_a_time():
    from mfviz.analysis.neighbours import co_occurrence, co_occurrence_lists

    rng = np.random.default_rng(9)
    matrix = sp.csr_matrix((rng.random((80, 30)) < 0.25) * rng.integers(1, 6, (80, 30)), dtype=np.float32)
    items = np.array([0, 4, 4, 17])
    lists = np.array([[1, 2, -1], [5, 0, 29], [3, -1, -1], [16, 15, 14]])
    together, lift = co_occurrence_lists(matrix, items, lists)
    for row, (item, listed) in enumerate(zip(items, lists, strict=True)):
        valid = listed >= 0
        both, expected_lift = co_occurrence(matrix, int(item), listed[valid])
        np.testing.assert_array_equal(together[row][valid], both)
        np.testing.assert_allclose(lift[row][valid], expected_lift)
        assert (together[row][~valid] == 0).all() and (lift[row][~valid] == 0).all()
    # every list empty (a minimum of interactions that no item meets): nothing in common, not an IndexError
    together, lift = co_occurrence_lists(matrix, items, np.full((4, 3), -1))
    assert together.shape == lift.shape == (4, 3) and not together.any() and not lift.any()


def test_the_summary_over_many_items_reports_the_median_evidence_of_the_lists():
    from mfviz.analysis.neighbours import co_occurrence

    rng = np.random.default_rng(10)
    vectors = rng.normal(size=(40, 4))
    matrix = sp.csr_matrix((rng.random((100, 40)) < 0.3).astype(np.float32))
    popularity = np.diff(matrix.tocsc().indptr)
    result = neighbour_popularity_summary(vectors, popularity, k=5, sample=None, interactions=matrix,
                                          min_together=9)
    per_item, counted = [], []
    for item in range(40):
        ids, _ = brute_force(vectors[[item]], vectors, 5, "cosine", exclude=[item])
        together, lift = co_occurrence(matrix, item, ids[0])
        per_item.append(np.median(lift[together >= 9]) if (together >= 9).any() else np.nan)  # pairs of 9+ users
        counted.append((together >= 9).sum())
    assert 0 < np.sum(counted) < 200  # some pairs count, some do not
    np.testing.assert_allclose(result["per_item"]["lift_cosine"], per_item)
    assert result["median_lift_cosine"] == pytest.approx(np.nanmedian(per_item))
    assert result["pairs_counted_cosine"] == pytest.approx(np.sum(counted) / 200)
    assert "median_lift_dot" in result and "median_lift_cosine" not in neighbour_popularity_summary(
        vectors, popularity, k=5, sample=None)


def heavy_and_light_users(blocks: bool, seed: int = 0):
    """1,000 users, a tenth of them heavy, over 200 items of rising appeal. Heavy users put any two items together
    more often than independence gives, so random pairs have a lift well above 1. With `blocks`, each user keeps
    mostly to one of four tastes (items i % 4), and vectors that know the tastes find real neighbours."""
    rng = np.random.default_rng(seed)
    activity = np.where(rng.random(1_000) < 0.1, 120 if not blocks else 60, 4 if not blocks else 6)
    appeal = np.linspace(0.2, 3, 200)
    block, taste = np.arange(200) % 4, rng.integers(0, 4, 1_000)
    rows, cols = [], []
    for user, count in enumerate(activity):
        weights = appeal * (np.where(block == taste[user], 1.0, 0.05) if blocks else 1.0)
        cols.extend(rng.choice(200, count, replace=False, p=weights / weights.sum()))
        rows.extend([user] * count)
    matrix = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(1_000, 200))
    return matrix, np.diff(matrix.tocsc().indptr), block, rng


def test_lists_of_a_model_that_learned_nothing_are_as_backed_as_random_pairs_as_popular():
    from mfviz.dashboard import verdicts

    matrix, popularity, _, rng = heavy_and_light_users(blocks=False)
    vectors = rng.normal(size=(200, 8)) * (popularity / popularity.max())[:, None]  # no taste, length = popularity
    result = neighbour_popularity_summary(vectors, popularity, k=10, sample=None, interactions=matrix)
    for metric in ("cosine", "dot"):
        # well over 3× "over chance" (what the page called well above chance), and no more than random lists get
        assert result[f"median_lift_{metric}"] > 3
        assert result[f"median_lift_{metric}"] / result[f"median_lift_null_{metric}"] == pytest.approx(1, abs=0.1)
    assert verdicts.lift_pair(result["median_lift_cosine"], result["median_lift_dot"], result["median_lift_null_cosine"],
                              result["median_lift_null_dot"]) == ("both about what random pairs as popular get: "
                                                                  "little backing in the data")


def test_lists_that_follow_the_users_tastes_stand_well_above_random_pairs_as_popular():
    from mfviz.dashboard import verdicts

    matrix, popularity, block, rng = heavy_and_light_users(blocks=True)
    vectors = np.eye(4)[block] + rng.normal(0, 0.1, (200, 4))  # the four tastes
    result = neighbour_popularity_summary(vectors, popularity, k=10, sample=None, interactions=matrix)
    assert result["median_lift_cosine"] > 1.5 * result["median_lift_null_cosine"] > 1.5  # random pairs: > 1 too
    assert verdicts.lift(result["median_lift_cosine"], result["median_lift_null_cosine"]) == (
        "well above random pairs as popular: the data backs them")


def test_popularity_matched_lists_draw_items_of_nearby_popularity_never_the_item_itself():
    from mfviz.analysis.neighbours import popularity_matched

    popularity = np.arange(100)[np.random.default_rng(0).permutation(100)]  # item i has popularity popularity[i]
    lists = np.array([[5, 17, 40, -1], [0, 1, 2, 3]])
    rows = np.array([17, 50])
    for seed in range(30):
        drawn = popularity_matched(lists, popularity, rows, np.random.default_rng(seed))
        assert drawn[0, 3] == -1 and not (drawn == rows[:, None]).any()
        assert (np.abs(popularity[drawn[lists >= 0]] - popularity[lists[lists >= 0]]) <= 11).all()  # 10, or 11 past itself
    allowed = np.arange(0, 100, 2)
    assert np.isin(popularity_matched(lists, popularity, rows, np.random.default_rng(0), pool=allowed)[lists >= 0],
                   allowed).all()
