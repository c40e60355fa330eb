"""Arguments of the wrong kind to the public data API: each is a DataError saying what was wrong and
what to give, never an AttributeError, TypeError or a value silently taken for something else."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import scipy.sparse as sp
from conftest import EXPECTED, ROWS, as_dict, write_rows

import mfviz
from mfviz import DataError, Interactions, ModelError, load_interactions

FRAME = pd.DataFrame([(u, i, r) for u, i, r, _ in ROWS], columns=["user", "item", "rating"])


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        call(*args, **kwargs)
    return str(info.value)


# --------------------------------------------------------------------- one exception for every bad input
def test_a_model_error_is_a_data_error_as_design_promises():
    assert issubclass(ModelError, DataError) and issubclass(ModelError, ValueError)
    from mfviz.models import ImplicitALS
    with pytest.raises(mfviz.DataError, match="factors must be >= 1, got 0"):
        ImplicitALS(factors=0)


# --------------------------------------------------------------------- from_frame
@pytest.mark.parametrize("frame, kind", [([[1, 2]], "list"), ({"user": [1, 2], "item": [1, 2]}, "dict"),
                                         (None, "NoneType"), (np.ones((3, 2)), "ndarray")])
def test_from_frame_needs_a_dataframe(frame, kind):
    message = error_of(Interactions.from_frame, frame, user=0, item=1)
    assert f"needs a pandas DataFrame with one row per interaction, got {kind}" in message
    assert "load_interactions" in message


def test_from_frame_column_arguments_of_the_wrong_kind():
    assert "no column given for the user" in error_of(Interactions.from_frame, FRAME, user=None)
    assert "no column ['user'] for the user" in error_of(Interactions.from_frame, FRAME, user=["user"])
    assert "items= must be a DataFrame" in error_of(Interactions.from_frame, FRAME, items=5)
    assert "line_offset must be a whole number" in error_of(Interactions.from_frame, FRAME, line_offset="3")


@pytest.mark.parametrize("bad", [[1], {1}, {"a": 1}, np.array([1, 2])], ids=["list", "set", "dict", "array"])
def test_an_id_that_is_a_container(bad):
    frame = FRAME.astype({"user": object})
    frame.at[2, "user"] = bad
    message = error_of(Interactions.from_frame, frame, rating="rating")
    assert "1 row has an id that is a list, set or other container, not one value in column 'user'" in message
    assert "row 3" in message and "Give one id per row" in message and "on_bad_rows='drop'" in message
    dropped = load_interactions(frame, on_bad_rows="drop")
    assert dropped.nnz == len(ROWS) - 1
    assert dropped.report.dropped == {
        "an id that is a list, set or other container, not one value in column 'user'": 1}


def test_a_parquet_file_of_list_and_struct_ids(tmp_path):
    table = pa.table({"user": pa.array([[u] for u, *_ in ROWS], pa.list_(pa.int64())),
                      "item": [i for _, i, *_ in ROWS], "rating": [r for *_, r, _ in ROWS]})
    pq.write_table(table, tmp_path / "lists.parquet")
    message = error_of(load_interactions, tmp_path / "lists.parquet")
    assert "lists.parquet: 11 rows have an id that is a list" in message and "value [1]" in message
    table = table.set_column(0, "user", pa.array([{"id": u} for u, *_ in ROWS]))
    pq.write_table(table, tmp_path / "structs.parquet")
    assert "value {'id': 1}" in error_of(load_interactions, tmp_path / "structs.parquet")


def test_ids_written_alike_in_two_types_are_kept_apart_with_a_warning():
    frame = FRAME.astype({"user": object})
    frame.loc[frame["user"] == 4, "user"] = "1"  # the text "1" beside the number 1
    loaded = load_interactions(frame)
    assert sorted(map(repr, loaded.user_ids)) == ["'1'", "1", "2", "3"]
    assert any("1 id written alike in values of different types (such as 1 and '1')" in w
               for w in loaded.report.warnings)
    assert not any("written alike" in w for w in load_interactions(FRAME).report.warnings)


# --------------------------------------------------------------------- values that are no numbers or times
@pytest.mark.parametrize("values, shown", [
    ([complex(r, 1) for *_, r, _ in ROWS], "value (5+1j)."),  # as written, not np.complex128(5+1j)
    (pd.to_datetime([t for *_, t in ROWS], unit="s"), "value '1997-12-04"),
    (pd.to_timedelta([r for *_, r, _ in ROWS], unit="s"), "value '0 days 00:00:05'"),
    ([[r] for *_, r, _ in ROWS], "[5.0]"),
], ids=["complex", "dates", "durations", "lists"])
def test_ratings_that_are_no_numbers_are_not_cast_to_one(values, shown):
    frame = FRAME.assign(rating=values)
    message = error_of(load_interactions, frame)
    assert "11 rows have a non-numeric rating in column 'rating'" in message and shown in message


def test_decimal_and_mixed_ratings_in_an_object_column_are_read_as_numbers():
    frame = FRAME.assign(rating=[decimal.Decimal(str(r)) for *_, r, _ in ROWS])
    assert as_dict(load_interactions(frame)) == EXPECTED
    words = FRAME.assign(rating=pd.Series([1, "yes", 0, "no", 1, 1, "y", 1, 0, 1, 1], dtype=object))
    assert load_interactions(words).nnz == 8  # 0 and no are false: no interaction


@pytest.mark.parametrize("stamps, shown", [([1e300] + [1.0] * 10, "1e+300"), ([np.inf] + [1.0] * 10, "inf"),
                                           ([complex(0, 1)] * 11, "1j"), ([[1]] * 11, "[1]")])
def test_timestamps_that_are_no_time(stamps, shown):
    frame = FRAME.assign(timestamp=stamps)
    message = error_of(load_interactions, frame)
    assert "an unreadable timestamp in column 'timestamp'" in message and shown in message


# --------------------------------------------------------------------- load_interactions' keywords
@pytest.mark.parametrize("overrides, said", [
    ({"duplicates": ["sum"]}, "duplicates must be one of 'auto', 'sum', 'last', 'mean', 'max', got ['sum']"),
    ({"on_bad_rows": None}, "on_bad_rows must be one of 'error', 'drop', got None"),
    ({"out_of_scale": ["drop"]}, "out_of_scale must be one of None, 'error', 'drop', 'keep', got ['drop']"),
    ({"explicit": "yes"}, "explicit must be True, False or None (detect it), got 'yes'"),
    ({"explicit": 2}, "explicit must be True, False or None (detect it), got 2"),
    ({"header": "no"}, "header must be True, False or None (detect it), got 'no'"),
    ({"check_memory": "no"}, "check_memory must be True or False, got 'no'"),
    ({"encoding": 5}, "encoding must be the name of a text encoding"),
    ({"max_memory": "1GB"}, "max_memory must be a positive number of bytes"),
    ({"max_memory": -1}, "max_memory must be a positive number of bytes"),
])
def test_keywords_of_the_wrong_kind(tmp_path, overrides, said):
    path = write_rows(tmp_path / "r.csv")
    assert said in error_of(load_interactions, path, **overrides)
    assert said in error_of(load_interactions, FRAME, **overrides)


@pytest.mark.parametrize("source", [None, "", "  "])
def test_no_source(source):
    assert "no data given: pass the path of an interactions file" in error_of(load_interactions, source)


def test_keywords_of_the_right_kind_still_load(tmp_path):
    path = write_rows(tmp_path / "r.csv")
    loaded = load_interactions(path, explicit=np.bool_(True), header=True, duplicates="sum", max_memory=2**33,
                               encoding="utf-8", check_memory=False, out_of_scale=None)
    assert as_dict(loaded) == EXPECTED


# --------------------------------------------------------------------- the container's own methods
@pytest.mark.parametrize("matrix, said", [
    ("x", "got str"), (np.zeros((2, 2, 2)), "got ndarray"),
])
def test_a_matrix_that_is_no_matrix(matrix, said):
    message = error_of(Interactions, matrix, [1, 2], [1, 2])
    assert "must be a 2-D users × items matrix of numbers" in message and said in message


def test_a_matrix_with_nan_or_infinite_values():
    matrix = sp.csr_matrix(np.array([[np.nan, 1], [np.inf, 2]], np.float64))
    assert "holds 2 values that are NaN or infinite" in error_of(Interactions, matrix, [1, 2], [1, 2])
    assert "holds 1 value that is NaN" in error_of(Interactions, np.array([[1e39, 1], [0, 2]]), [1, 2], [1, 2])


def test_lookups_subsets_and_values_of_the_wrong_shape():
    data = load_interactions(FRAME)
    assert "user ids must be one id or a flat list of ids, got list" in error_of(data.user_index, [[1]])
    assert "item ids must be one id or a flat list of ids, got dict" in error_of(data.item_index, {})
    assert "user index 4 is not a position 0 to 3" in error_of(data.subset, users=[0, 4])
    assert "item index -1 is not a position 0 to 4" in error_of(data.subset, items=[-1])
    assert "user index 'a' is not a position" in error_of(data.subset, users=["a"])
    assert "one value per stored interaction (11)" in error_of(data.with_values, np.ones(3), is_explicit=True)
    for share in (0, 2, "x", None):
        assert "head_share must be a share of the interactions between 0 and 1" in error_of(data.summary, share)
    assert data.subset(users=[0, 3]).n_users == 2 and data.summary(1.0).head_items >= 1


# --------------------------------------------------------------------- a data file given as a model file
def test_a_data_file_or_pickled_npz_given_as_model_file_is_said_to_be_no_model(tmp_path):
    import subprocess
    import sys

    from mfviz.models.external import load_factors

    csv = write_rows(tmp_path / "ratings.csv")
    pickled = tmp_path / "objects.npz"
    np.savez(pickled, user_factors=np.array([{"a": 1}], dtype=object), item_factors=np.ones((2, 2)))
    for path in (csv, pickled):
        with pytest.raises(DataError) as info:
            load_factors(path)
        message = str(info.value)
        assert f"{path.name} is not an mfviz model or a factor file" in message
        assert "mfviz model .npz" in message and "user_factors and item_factors" in message and "Spark" in message
        assert "unsafely" not in message and "allow_pickle" not in message and ".." not in message
    done = subprocess.run([sys.executable, "-m", "mfviz", "dimensions", str(csv), "--model-file", str(csv), "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "unsafely" not in done.stderr
    assert f"mfviz: error: {csv} is not an mfviz model or a factor file" in done.stderr
