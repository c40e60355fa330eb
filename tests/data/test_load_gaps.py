"""Ratings apart below a gap in a whole-step scale (-1 among 1-5, no 0): said plainly, kept unless asked."""

import io

import numpy as np
import pytest

from mfviz import load_interactions
from mfviz.dashboard.load_words import page_words
from mfviz.data import scale


def ratings_csv(values) -> io.StringIO:
    """One rating per row, users and items cycling so every id has several rows."""
    rows = "".join(f"u{k % 7},i{k % 11},{v}\n" for k, v in enumerate(values))
    return io.StringIO("user,item,rating\n" + rows)


# -1 in 1 row of 5 (too many to be a typo) among 1-5 stars, and no 0
SKIPS = [-1, 1, 2, 3, 4, 5, 3, 4, -1, 5] * 8


def test_a_negative_code_apart_from_the_scale_is_warned_of_and_kept():
    data = load_interactions(ratings_csv(SKIPS))
    assert data.is_explicit and data.matrix.data.min() == -1  # kept as loaded: no silent change
    said = " ".join(data.report.warnings)
    assert "16 ratings (20%) in column 'rating' are -1, which sits apart from 1–5 (no 0 in the file)" in said
    assert "a code such as 'skipped'" in said
    # the page names its own control for the drop
    assert "set ratings outside the scale to “drop them and count them” under Column mapping" in page_words(said)


def test_out_of_scale_drop_drops_them_and_counts_them():
    data = load_interactions(ratings_csv(SKIPS), out_of_scale="drop")
    assert data.matrix.data.min() == 1 and data.report.rows_read == 80
    assert data.report.dropped == {"a rating apart below 1–5 (no value between) in column 'rating': -1": 16}
    assert not data.report.warnings


@pytest.mark.parametrize("values", [
    [1, 2, 3, 4, 5] * 10,  # a full scale
    [0, 1, 2, 3, 4, 5] * 10,  # 0 among 1-5: no gap (and a scale from 0)
    [0, 2, 3, 4, 5] * 10,  # 0s apart: Goodreads' "not rated", said by its own warning
    [-2, -1, 0, 1, 2] * 10,  # a scale through 0, no gap
    [-1, 1, 3, 5] * 10,  # no unbroken run above a single gap
    [1.5, 2, 3, 4, 5] * 10,  # not whole steps
])
def test_no_gap_is_said_where_there_is_none(values):
    assert scale.apart_below(np.asarray(values, float)) is None


def test_two_codes_below_the_gap_are_named():
    values = np.asarray([-2, -1, 1, 2, 3, 4, 5] * 5, float)
    below, run = scale.apart_below(values)
    assert below.tolist() == [-2.0, -1.0] and run == (1.0, 5.0)
    assert "are -2 or -1, which sits apart from 1–5 (no 0 in the file)" in scale.apart_words("r", values, (below, run))
