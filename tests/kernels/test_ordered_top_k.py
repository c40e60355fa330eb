"""`ordered_top_k`, the Popularity baseline's lists (one ranking less each user's items), against its NumPy
reference, by hand, and against scoring every item as every other model's lists are found."""

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.kernels.topk import ordered_top_k, ordered_top_k_reference


def test_by_hand_ties_by_index_and_padding():
    scores = np.array([3.0, 5.0, 5.0, 1.0], np.float32)
    order = np.argsort(-scores, kind="stable")  # 1, 2 (tie: lower index first), 0, 3
    indptr, indices = np.array([0, 1, 4, 4]), np.array([2, 0, 1, 2])  # row 0 has 2; row 1 has 0, 1, 2; row 2 none
    ids, top = ordered_top_k(order, scores, 3, 3, indptr, indices)
    assert ids.tolist() == [[1, 0, 3], [3, -1, -1], [1, 2, 0]]
    assert top[1, 0] == 1.0 and np.isneginf(top[1, 1:]).all()
    # without exclusions (indptr of length 1)
    assert ordered_top_k(order, scores, 2, 2, np.zeros(1, np.int64), np.zeros(0, np.int64))[0].tolist() == [[1, 2]] * 2


def test_against_the_reference_on_random_rows():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 20, 300).astype(np.float32)  # many ties
    order = np.argsort(-scores, kind="stable")
    seen = sp.random(200, 300, density=0.1, random_state=1, format="csr")
    seen.sort_indices()
    for k in (1, 10, 300):
        got = ordered_top_k(order, scores, k, 200, seen.indptr.astype(np.int64), seen.indices.astype(np.int64))
        want = ordered_top_k_reference(order, scores, k, 200, seen.indptr, seen.indices)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize("exclude_seen", [True, False])
def test_popularity_lists_are_those_of_scoring_every_item(exclude_seen):
    from mfviz.models import Popularity
    from mfviz.models.base import Model

    matrix = sp.random(400, 120, density=0.08, random_state=2, format="csr")
    matrix.data[:] = 1.0
    model = Popularity().fit(matrix)
    users = np.array([5, 0, 399, 17, 5])
    ids, scores = model.recommend(users, n=15, exclude_seen=exclude_seen)
    seen = matrix[users] if exclude_seen else None
    indptr = seen.indptr.astype(np.int64) if exclude_seen else np.zeros(1, np.int64)
    indices = seen.indices.astype(np.int64) if exclude_seen else np.zeros(0, np.int64)
    want_ids, want_scores = Model._top_n(model, users, 15, indptr, indices)  # the dot-product path of every model
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_array_equal(scores, want_scores)
    # an exclude matrix with unsorted rows (a caller's) is sorted before the walk
    other = sp.csr_matrix((np.ones(3), ([5, 5, 5], [int(ids[0, 2]), int(ids[0, 0]), int(ids[0, 1])])), shape=(400, 120))
    other.has_sorted_indices = False
    assert not set(model.recommend([5], n=5, exclude=other)[0][0].tolist()) & set(ids[0, :3].tolist())
