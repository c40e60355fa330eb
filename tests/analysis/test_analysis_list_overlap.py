"""`mean_list_overlap` (what the Neighbours page opens on needs) against brute force and against the summary over many
items it must agree with; `spearman` against scipy's, ties included."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from mfviz.analysis.neighbours import mean_list_overlap, neighbour_popularity_summary
from mfviz.analysis.popularity import spearman


def brute_overlap(vectors: np.ndarray, rows: np.ndarray, k: int) -> float:
    data = vectors.astype(np.float64)
    unit = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-30)
    shared = []
    for row in rows:
        lists = []
        for space in (unit, data):
            scores = space @ space[row]
            scores[row] = -np.inf
            lists.append(set(np.lexsort((np.arange(len(data)), -scores))[:k].tolist()))
        shared.append(len(lists[0] & lists[1]))
    return float(np.mean(shared))


def test_the_mean_overlap_is_brute_force_over_the_summarys_sample_of_trained_items():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(250, 6)).astype(np.float32) * rng.uniform(0.2, 4, (250, 1)).astype(np.float32)
    support = rng.integers(1, 40, 250)
    support[::5] = 0
    vectors[support == 0] = 0
    popularity = support + rng.integers(0, 10, 250)
    rows = np.sort(np.random.default_rng(9).choice(np.flatnonzero(support > 0), 80, replace=False))
    got = mean_list_overlap(vectors, k=6, sample=80, seed=9, support=support)
    assert got == pytest.approx(brute_overlap(vectors, rows, 6))
    summary = neighbour_popularity_summary(vectors, popularity, k=6, sample=80, seed=9, support=support,
                                           interactions=None)
    assert got == summary["mean_overlap"]
    # every item, no support: the whole catalogue sampled
    assert mean_list_overlap(vectors, k=4, sample=None) == pytest.approx(brute_overlap(vectors, np.arange(250), 4))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spearman_is_scipys_with_ties_given_their_mean_rank(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 6, 300).astype(float)  # many ties
    other = values * 0.5 + rng.normal(size=300)
    assert spearman(values, other) == pytest.approx(spearmanr(values, other).statistic, abs=1e-12)
    third = rng.normal(size=300)  # no ties, next to no correlation
    assert spearman(other, third) == pytest.approx(spearmanr(other, third).statistic, abs=1e-12)
    assert np.isnan(spearman(np.ones(5), np.arange(5)))
    assert spearman([1, 2, 3, 4], [10, 20, 30, 45]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
