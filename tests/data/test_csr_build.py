"""build_csr (numba) against build_csr_reference (NumPy) and hand-computed merges."""

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
