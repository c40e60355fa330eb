"""Interactions.from_frame finds the rating and timestamp columns as load_interactions does, unless told otherwise."""

import numpy as np
import pandas as pd
import pytest

import mfviz
from mfviz.data.interactions import Interactions
from mfviz.errors import DataError

RATED = pd.DataFrame({"user": [1, 1, 2, 3], "item": [10, 11, 10, 12], "rating": [5.0, 1.0, 4.0, 2.0]})


def test_a_column_named_rating_is_read_as_the_ratings():
    # it was dropped: every row read as a 1, so a 1-star rating became a "like"
    data = Interactions.from_frame(RATED)
    np.testing.assert_array_equal(data.matrix.toarray(), [[5, 1, 0], [4, 0, 0], [0, 0, 2]])
    assert data.is_explicit
    loaded = mfviz.load_interactions(RATED)
    np.testing.assert_array_equal(data.matrix.toarray(), loaded.matrix.toarray())


def test_rating_false_counts_every_row_once_in_both_entry_points():
    for data in (Interactions.from_frame(RATED, rating=False), mfviz.load_interactions(RATED, rating=False)):
        np.testing.assert_array_equal(data.matrix.toarray(), [[1, 1, 0], [1, 0, 0], [0, 0, 1]])
        assert not data.is_explicit


def test_other_names_for_the_rating_and_the_timestamp_are_found_by_name():
    frame = pd.DataFrame({"user": ["a", "a", "b"], "item": ["x", "y", "x"], "Plays": [3, 40, 7],
                          "Date": ["2020-01-02", "2020-01-01", "2020-01-03"]})
    data = Interactions.from_frame(frame)
    np.testing.assert_array_equal(data.matrix.toarray(), [[3, 40], [7, 0]])
    assert data.timestamps is not None
    # the a-x interaction is the latest of user a's: its time is a day after a-y's
    frame_back = data.to_frame().set_index(["user", "item"])
    assert frame_back.loc[("a", "x"), "timestamp"] - frame_back.loc[("a", "y"), "timestamp"] == 86400


def test_a_column_of_unix_seconds_is_taken_as_the_timestamp_and_the_report_says_so():
    frame = pd.DataFrame({"user": [1, 1, 2], "item": [5, 6, 5], "stars": [4, 2, 5],
                          "logged": [1_600_000_000, 1_600_000_500, 1_600_001_000]})
    data = Interactions.from_frame(frame)
    assert sorted(data.timestamps.tolist()) == [1_600_000_000, 1_600_000_500, 1_600_001_000]
    assert any("'logged'" in note and "timestamp" in note for note in data.report.notes)
    assert Interactions.from_frame(frame, timestamp=False).timestamps is None


def test_named_columns_win_over_found_ones_and_non_text_labels_work():
    frame = pd.DataFrame({"user": [1, 2], "item": [3, 4], "rating": [1.0, 1.0], "weight": [0.5, 2.0]})
    data = Interactions.from_frame(frame, rating="weight")
    np.testing.assert_array_equal(data.matrix.toarray(), [[0.5, 0], [0, 2.0]])
    numbered = pd.DataFrame({0: [1, 2], 1: [3, 4], "rating": [2.0, 4.0]})
    data = Interactions.from_frame(numbered, user=0, item=1)
    np.testing.assert_array_equal(data.matrix.toarray(), [[2.0, 0], [0, 4.0]])


def test_to_frame_round_trips_the_values_and_times():
    data = mfviz.load_interactions(RATED.assign(timestamp=[100, 200, 300, 400]))
    again = Interactions.from_frame(data.to_frame())
    np.testing.assert_array_equal(again.matrix.toarray(), data.matrix.toarray())
    np.testing.assert_array_equal(np.sort(again.timestamps), np.sort(data.timestamps))


def test_a_rating_column_that_is_not_there_is_still_refused():
    with pytest.raises(DataError, match="no column 'score' for the rating"):
        Interactions.from_frame(RATED, rating="score")
