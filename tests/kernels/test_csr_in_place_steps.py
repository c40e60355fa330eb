"""Each step of the in-place CSR build (destinations, the two scatters, the row merge) against its own
NumPy reference: random triplets with repeated pairs, empty rows, one row, rows past the insertion
sort's length, tied timestamps, every duplicate policy, with and without timestamps."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfviz.kernels.csr import (
    POLICY_LAST,
    POLICY_MAX,
    POLICY_MEAN,
    POLICY_SUM,
    SHORT_ROW,
    csr_destinations,
    csr_destinations_reference,
    merge_rows_in_place,
    merge_rows_in_place_reference,
    scatter_copy,
    scatter_copy_reference,
    scatter_in_place,
    scatter_in_place_reference,
)

POLICIES = [POLICY_SUM, POLICY_LAST, POLICY_MEAN, POLICY_MAX]


def codes(seed, n, n_rows, n_cols, dtype):
    """First-seen user and item codes of n entries and the remaps to final indices (permutations)."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, max(n_rows, 1), n).astype(dtype)
    cols = rng.integers(0, n_cols, n).astype(dtype)
    return rows, cols, rng.permutation(max(n_rows, 1)).astype(dtype)[:n_rows], rng.permutation(n_cols).astype(dtype)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 200), n_rows=st.integers(1, 12),
       dtype=st.sampled_from([np.int32, np.int64]))
def test_destinations_match_reference(seed, n, n_rows, dtype):
    rows, cols, user_remap, item_remap = codes(seed, n, n_rows, 7, dtype)
    got_rows, got_cols = rows.copy(), cols.copy()
    want_rows, want_cols = rows.copy(), cols.copy()
    starts = csr_destinations(got_rows, got_cols, user_remap, item_remap, n_rows)
    want_starts = csr_destinations_reference(want_rows, want_cols, user_remap, item_remap, n_rows)
    assert starts.tolist() == want_starts.tolist()
    assert got_rows.tolist() == want_rows.tolist() and got_cols.tolist() == want_cols.tolist()


def test_destinations_by_hand():
    """Final rows 1, 0, 1, 1, 0 (row 2 empty): row 0's entries go to 0, 1 and row 1's to 2, 3, 4 in file order."""
    rows, cols = np.array([0, 1, 0, 0, 1]), np.array([2, 0, 1, 2, 0])
    starts = csr_destinations(rows, cols, np.array([1, 0, 2]), np.array([10, 11, 12]), 3)
    assert starts.tolist() == [0, 2, 5, 5]
    assert rows.tolist() == [2, 0, 3, 4, 1]
    assert cols.tolist() == [12, 10, 11, 12, 10]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 150), with_stamps=st.booleans())
def test_scatters_match_reference(seed, n, with_stamps):
    rng = np.random.default_rng(seed)
    destinations = rng.permutation(n).astype(np.int64)
    cols, values = rng.integers(0, 9, n).astype(np.int32), rng.normal(size=n).astype(np.float32)
    stamps = rng.integers(0, 5, n) if with_stamps else np.zeros(0, np.int64)
    got = [destinations.copy(), cols.copy(), values.copy(), stamps.copy()]
    want = [destinations.copy(), cols.copy(), values.copy(), stamps.copy()]
    scatter_in_place(*got)
    scatter_in_place_reference(*want)
    for a, b in zip(got, want, strict=True):
        assert a.tolist() == b.tolist()
    for source, moved in zip((cols, values, stamps), want[1:], strict=True):
        out, ref = np.zeros_like(source), np.zeros_like(source)
        scatter_copy(destinations, source, out)
        scatter_copy_reference(destinations, source, ref)
        assert out.tolist() == ref.tolist() == moved.tolist()  # the copy moves what the cycle walk moves


def test_scatter_by_hand():
    destinations, cols = np.array([2, 0, 1]), np.array([7, 8, 9])
    out = np.zeros(3, cols.dtype)
    scatter_copy(destinations, cols, out)
    assert out.tolist() == [8, 9, 7]
    scatter_in_place(destinations, cols, np.array([0.5, 1.5, 2.5]), np.zeros(0, np.int64))
    assert cols.tolist() == [8, 9, 7] and destinations.tolist() == [0, 1, 2]


def grouped_rows(seed, row_lengths, n_cols, stamp_range):
    """Entries grouped by row (row r has row_lengths[r] entries, file order inside a row) with
    repeated columns and tied timestamps, as `merge_rows_in_place` receives them."""
    rng = np.random.default_rng(seed)
    starts = np.r_[0, np.cumsum(row_lengths)].astype(np.int64)
    n = int(starts[-1])
    return (starts, rng.integers(0, n_cols, n).astype(np.int32), rng.integers(1, 6, n).astype(np.float32),
            rng.integers(0, stamp_range, n).astype(np.int64))


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 10_000), lengths=st.lists(st.integers(0, 12), min_size=1, max_size=8),
       policy=st.sampled_from(POLICIES), with_stamps=st.booleans(), n_cols=st.integers(1, 6))
def test_merge_matches_reference(seed, lengths, policy, with_stamps, n_cols):
    check_merge(seed, lengths, policy, with_stamps, n_cols)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("with_stamps", [True, False])
@pytest.mark.parametrize("lengths", [[SHORT_ROW + 40], [0, 3 * SHORT_ROW, 0, SHORT_ROW, SHORT_ROW + 1], [1], [0]])
def test_merge_matches_reference_past_the_insertion_sort(policy, with_stamps, lengths):
    """Rows longer than SHORT_ROW take the argsort path; one row, one entry and no entries at all too."""
    check_merge(1, lengths, policy, with_stamps, 20)


def check_merge(seed, lengths, policy, with_stamps, n_cols):
    starts, cols, values, stamps = grouped_rows(seed, lengths, n_cols, 3)
    if not with_stamps:
        stamps = np.zeros(0, np.int64)
    got = [cols.copy(), values.copy(), stamps.copy()]
    want = [cols.copy(), values.copy(), stamps.copy()]
    indptr, nnz = merge_rows_in_place(starts, *got, policy)
    want_indptr, want_nnz = merge_rows_in_place_reference(starts, *want, policy)
    assert nnz == want_nnz and indptr.tolist() == want_indptr.tolist()
    assert got[0][:nnz].tolist() == want[0][:nnz].tolist()
    np.testing.assert_allclose(got[1][:nnz], want[1][:nnz], rtol=1e-6)
    assert got[2][:nnz].tolist() == want[2][:nnz].tolist()


def test_merge_by_hand():
    """Row 0: (column 3, value 4, stamp 5), (1, 2, 9), (3, 2, 5) in file order; the tied stamps of
    column 3 leave file order to decide 'last'. Row 1 is empty."""
    cases = {POLICY_SUM: [2.0, 6.0], POLICY_LAST: [2.0, 2.0], POLICY_MEAN: [2.0, 3.0], POLICY_MAX: [2.0, 4.0]}
    for policy, merged in cases.items():
        cols, values, stamps = np.array([3, 1, 3]), np.array([4.0, 2.0, 2.0]), np.array([5, 9, 5])
        indptr, nnz = merge_rows_in_place(np.array([0, 3, 3]), cols, values, stamps, policy)
        assert indptr.tolist() == [0, 2, 2] and nnz == 2
        assert cols[:2].tolist() == [1, 3] and stamps[:2].tolist() == [9, 5]
        assert values[:2].tolist() == merged, policy
