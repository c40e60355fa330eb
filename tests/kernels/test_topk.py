"""The exact top-k kernel against its NumPy reference and a brute-force sort."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfviz.kernels.topk import topk_dot, topk_dot_reference

NO_EXCLUDE = (np.zeros(1, np.int64), np.zeros(0, np.int64))


def _random_case(seed, m, n, f, max_exclude):
    rng = np.random.default_rng(seed)
    queries = rng.normal(size=(m, f)).astype(np.float32)
    items = rng.normal(size=(n, f)).astype(np.float32)
    bias = rng.normal(size=n).astype(np.float32)
    counts = rng.integers(0, max_exclude + 1, m)
    indptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
    indices = rng.integers(0, n, indptr[-1]).astype(np.int64)
    return queries, items, bias, indptr, indices


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 150), n=st.integers(1, 60),
       k=st.integers(1, 70), max_exclude=st.integers(0, 10))
def test_matches_reference(seed, m, n, k, max_exclude):
    args = _random_case(seed, m, n, 5, max_exclude)
    ids, scores = topk_dot(*args[:3], k, *args[3:])
    ref_ids, ref_scores = topk_dot_reference(*args[:3], k, *args[3:])
    np.testing.assert_allclose(scores, ref_scores, rtol=1e-5, atol=1e-5)
    # ids agree wherever the reference has no near-tie with its neighbour
    np.testing.assert_array_equal(ids == -1, ref_ids == -1)
    agree = ids == ref_ids
    assert agree.mean() > 0.99


def test_excluded_items_never_returned_and_padding():
    queries, items, bias, _, _ = _random_case(0, 3, 6, 4, 0)
    indptr = np.array([0, 6, 6, 8], np.int64)
    indices = np.array([0, 1, 2, 3, 4, 5, 2, 3], np.int64)
    ids, scores = topk_dot(queries, items, bias, 5, indptr, indices)
    assert (ids[0] == -1).all() and np.isneginf(scores[0]).all()  # every item excluded
    assert (ids[1] >= 0).all()
    assert not np.isin(ids[2], [2, 3]).any()
    assert ids[2, 4] == -1  # only 4 items remain for query 2


def test_hand_computed_order_with_ties():
    queries = np.array([[1.0, 0.0]], np.float32)
    items = np.array([[2.0, 0.0], [1.0, 5.0], [3.0, 1.0], [2.0, 9.0]], np.float32)
    bias = np.array([0.0, 0.0, -1.0, 0.5], np.float32)
    ids, scores = topk_dot(queries, items, bias, 3, *NO_EXCLUDE)
    # scores: 2, 1, 2, 2.5 -> item 3, then the tie 0/2 broken by the lower index
    assert ids.tolist() == [[3, 0, 2]]
    assert scores.tolist() == [[2.5, 2.0, 2.0]]


@pytest.mark.parametrize("k", [1, 10])
def test_matches_full_sort(k):
    queries, items, bias, _, _ = _random_case(3, 300, 1000, 16, 0)
    ids, scores = topk_dot(queries, items, bias, k, *NO_EXCLUDE)
    full = queries.astype(np.float64) @ items.T.astype(np.float64) + bias
    expected = np.sort(full, axis=1)[:, ::-1][:, :k]
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-5)
