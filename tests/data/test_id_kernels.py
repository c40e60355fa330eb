"""Id kernels (numba) against their slow references: canonical integer parsing and dense-table coding."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from mfviz.kernels.ids import (
    encode_with_table,
    encode_with_table_reference,
    parse_canonical_ints,
    parse_canonical_ints_reference,
)

# texts near the edges of "canonical integer": signs, zeros, spaces, int64 limits
EDGES = ["0", "-0", "00", "007", "-007", "+7", " 7", "7 ", "", "-", "1_000", "12a", "٣",
         "9223372036854775807", "9223372036854775808", "-9223372036854775807",
         "-9223372036854775808", "99999999999999999999", "-1", "42"]


def _parse(texts):
    array = pa.array(texts, pa.string())
    _, offsets, data = array.buffers()
    offsets = np.frombuffer(offsets, np.int32)[: len(texts) + 1]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    return parse_canonical_ints(offsets, data)


def test_each_edge_text_alone_and_with_good_ones():
    for text in EDGES:
        texts = ["5", text, "12"]
        got_values, got_ok = _parse(texts)
        want_values, want_ok = parse_canonical_ints_reference(texts)
        assert got_ok == want_ok, text
        if want_ok:
            assert got_values.tolist() == want_values.tolist()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.integers(-(2**63) + 1, 2**63 - 1).map(str), st.sampled_from(EDGES)),
                min_size=1, max_size=30))
def test_parse_matches_reference(texts):
    got_values, got_ok = _parse(texts)
    want_values, want_ok = parse_canonical_ints_reference(texts)
    assert got_ok == want_ok
    if want_ok:
        assert got_values.tolist() == want_values.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(-50, 50), max_size=40), min_size=1, max_size=4))
def test_dense_table_codes_match_reference_across_batches(batches):
    low, table = -50, np.full(101, -1, np.int64)
    seen: dict[int, int] = {}
    size = 0
    for batch in batches:
        values = np.array(batch, np.int64)
        codes, new_ids = np.empty(len(values), np.int64), np.empty(len(values), np.int64)
        fresh = encode_with_table(values, low, table, size, codes, new_ids)
        want_codes, want_new = encode_with_table_reference(values, seen)
        assert codes.tolist() == want_codes.tolist()
        assert new_ids[:fresh].tolist() == want_new.tolist()
        size += fresh
