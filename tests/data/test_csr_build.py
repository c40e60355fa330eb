"""build_csr and the in-place CSR kernels (numba) against their NumPy references and hand-computed merges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfviz.kernels.csr import (
    POLICY_LAST,
    POLICY_MAX,
    POLICY_MEAN,
    POLICY_SUM,
    build_csr,
    build_csr_reference,
    csr_in_place,
    csr_in_place_reference,
)

POLICIES = [POLICY_SUM, POLICY_LAST, POLICY_MEAN, POLICY_MAX]


@st.composite
def triplets(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 6))
    n = draw(st.integers(0, 40))
    rows = draw(st.lists(st.integers(0, n_rows - 1), min_size=n, max_size=n))
    cols = draw(st.lists(st.integers(0, n_cols - 1), min_size=n, max_size=n))
    values = draw(st.lists(st.sampled_from([-2.0, 0.0, 0.5, 1.0, 3.0, 5.0]), min_size=n, max_size=n))
    stamps = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))  # many ties on purpose
    return (np.array(rows, np.int64), np.array(cols, np.int64), np.array(values, np.float64),
            np.array(stamps, np.int64), n_rows)


@settings(max_examples=80, deadline=None)
@given(data=triplets(), policy=st.sampled_from(POLICIES))
def test_kernel_matches_reference(data, policy):
    rows, cols, values, stamps, n_rows = data
    got = build_csr(rows, cols, values, stamps, n_rows, policy)
    want = build_csr_reference(rows, cols, values, stamps, n_rows, policy)
    for g, w in zip(got[:4], want[:4], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    assert got[4] == want[4]


def test_hand_computed_merges():
    # (row 0, col 1) three times: values 1, 4, 2 at stamps 5, 9, 9 (the last line wins the tie)
    rows = np.array([0, 0, 0, 1, 0])
    cols = np.array([1, 1, 1, 0, 0])
    values = np.array([1.0, 4.0, 2.0, 7.0, 3.0])
    stamps = np.array([5, 9, 9, 1, 2])
    expected = {POLICY_SUM: [3.0, 7.0, 7.0], POLICY_LAST: [3.0, 2.0, 7.0],
                POLICY_MEAN: [3.0, 7.0 / 3, 7.0], POLICY_MAX: [3.0, 4.0, 7.0]}
    for policy, data in expected.items():
        indptr, indices, merged, merged_stamps, n_merged = build_csr(rows, cols, values, stamps, 2, policy)
        assert indptr.tolist() == [0, 2, 3] and indices.tolist() == [0, 1, 0]
        np.testing.assert_allclose(merged, data, rtol=1e-6)
        assert merged_stamps.tolist() == [2, 9, 1] and n_merged == 2


@pytest.mark.parametrize("policy", POLICIES)
def test_empty_rows_and_no_triplets(policy):
    empty = np.zeros(0, np.int64)
    indptr, indices, data, stamps, merged = build_csr(empty, empty, np.zeros(0), empty, 3, policy)
    assert indptr.tolist() == [0, 0, 0, 0] and indices.size == data.size == stamps.size == merged == 0


def _in_place(rows, cols, values, stamps, n_rows, policy, n_cols, with_stamps, seed):
    """Run csr_in_place on shuffled first-seen codes (as the loader makes them) and on the reference."""
    rng = np.random.default_rng(seed)
    user_remap = rng.permutation(max(n_rows, 1)).astype(np.int32)[:n_rows]
    item_remap = rng.permutation(n_cols).astype(np.int32)
    # codes whose remap gives back the drawn row / column
    user_codes = np.argsort(user_remap)[rows].astype(np.int32)
    item_codes = np.argsort(item_remap)[cols].astype(np.int32)
    stamps = stamps if with_stamps else np.zeros(0, np.int64)
    want = csr_in_place_reference(user_codes, item_codes, values.astype(np.float32), stamps,
                                  user_remap, item_remap, n_rows, policy)
    work = [user_codes.copy(), item_codes.copy(), values.astype(np.float32), stamps.copy()]
    indptr, nnz = csr_in_place(*work, user_remap, item_remap, n_rows, policy)
    return want, (indptr, work[1][:nnz], work[2][:nnz], work[3][:nnz] if with_stamps else work[3])


@settings(max_examples=80, deadline=None)
@given(data=triplets(), policy=st.sampled_from(POLICIES), with_stamps=st.booleans(),
       seed=st.integers(0, 1000))
def test_in_place_kernels_match_reference(data, policy, with_stamps, seed):
    rows, cols, values, stamps, n_rows = data
    want, got = _in_place(rows, cols, values, stamps, n_rows, policy, 6, with_stamps, seed)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
    np.testing.assert_allclose(got[2], want[2], rtol=1e-6)
    assert got[3].tolist() == want[3].tolist()


def test_in_place_hand_computed_merges():
    rows = np.array([0, 0, 0, 1, 0])
    cols = np.array([1, 1, 1, 0, 0])
    values = np.array([1.0, 4.0, 2.0, 7.0, 3.0])
    stamps = np.array([5, 9, 9, 1, 2])
    expected = {POLICY_SUM: [3.0, 7.0, 7.0], POLICY_LAST: [3.0, 2.0, 7.0],
                POLICY_MEAN: [3.0, 7.0 / 3, 7.0], POLICY_MAX: [3.0, 4.0, 7.0]}
    for policy, data in expected.items():
        _, (indptr, indices, merged, merged_stamps) = _in_place(rows, cols, values, stamps, 2, policy,
                                                               2, True, 0)
        assert indptr.tolist() == [0, 2, 3] and indices.tolist() == [0, 1, 0]
        np.testing.assert_allclose(merged, data, rtol=1e-6)
        assert merged_stamps.tolist() == [2, 9, 1]
    # without timestamps "last" is the last line of the file
    _, (_, _, merged, _) = _in_place(rows, cols, values, stamps, 2, POLICY_LAST, 2, False, 0)
    np.testing.assert_allclose(merged, [3.0, 2.0, 7.0])


def test_in_place_large_random_against_reference():
    rng = np.random.default_rng(3)
    n, n_rows, n_cols = 20_000, 300, 50
    rows, cols = rng.integers(0, n_rows, n), rng.integers(0, n_cols, n)
    values, stamps = rng.integers(1, 11, n) / 2, rng.integers(0, 5, n)
    for policy in POLICIES:
        want, got = _in_place(rows, cols, values, stamps, n_rows, policy, n_cols, True, policy)
        assert got[0].tolist() == want[0].tolist() and np.array_equal(got[1], want[1])
        np.testing.assert_allclose(got[2], want[2], rtol=1e-6)
        assert np.array_equal(got[3], want[3])
