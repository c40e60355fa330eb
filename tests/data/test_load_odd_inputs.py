"""Inputs an exploratory tester found mishandled: every one is a DataError saying what, where and
what to do, or loads every value as written with any drop counted in the report."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import EXPECTED, ROWS, write_rows

from mfviz import DataError, load_interactions


def load_error(source, **overrides) -> str:
    with pytest.raises(DataError) as info:
        load_interactions(source, **overrides)
    return str(info.value)


# --------------------------------------------------------------------- crashes
FRAME = pd.DataFrame([(u, i, r) for u, i, r, _ in ROWS], columns=["user", "item", "rating"])


@pytest.mark.parametrize("name, text, found", [
    ("wrapped.json", json.dumps({"ratings": FRAME.to_dict("records")}), "'ratings' (a list)"),
    ("pretty.json", json.dumps({"ratings": FRAME.to_dict("records")}, indent=2), "'ratings' (a list)"),
    ("columns.json", FRAME.to_json(), "'user' (an object)"),
    ("split.json", FRAME.to_json(orient="split"), "'columns' (a list)"),
    ("index.json", FRAME.to_json(orient="index"), "'0' (an object)"),
    ("lists.json", json.dumps(FRAME.to_dict("list")), "'user' (a list)"),
    ("nested.jsonl", "".join(json.dumps({"user": {"id": u}, "item": {"id": i}}) + "\n" for u, i, _, _ in ROWS),
     "'user' (an object)"),
    ("nulls.jsonl", "".join(json.dumps({"user": None, "item": None}) + "\n" for _ in ROWS), "'user' (null)"),
])
def test_json_that_is_not_records_of_plain_fields(tmp_path, name, text, found):
    (tmp_path / name).write_text(text)
    message = load_error(tmp_path / name)
    assert name in message and "array of objects, or one object per line" in message
    assert f"found {'one object' if name.endswith('.json') else 'records'} with fields {found}" in message
    assert "orient='records'" in message


@pytest.mark.parametrize("delimiter", ["", '"', "\n"])
def test_a_delimiter_that_cannot_separate_columns(tmp_path, delimiter):
    message = load_error(write_rows(tmp_path / "r.csv"), delimiter=delimiter)
    assert f"delimiter={delimiter!r}" in message and "leave it out" in message


def test_dataframes_without_columns(tmp_path):
    assert "has no columns" in load_error(pd.DataFrame())
    message = load_error(write_rows(tmp_path / "r.csv"), items=pd.DataFrame())
    assert "items DataFrame" in message and "has no columns" in message and "item id" in message


def test_a_dataframe_with_two_columns_of_one_name():
    frame = pd.DataFrame([(u, i, i) for u, i, _, _ in ROWS], columns=["user", "item", "item"])
    assert "more than one column named 'item'" in load_error(frame)
    items = pd.DataFrame([(10, "a", "b")], columns=["item", "title", "title"])
    assert "more than one column named 'title'" in load_error(FRAME, items=items)


@pytest.mark.parametrize("overrides", [{"user": 1, "item": 1}, {"user": "item", "item": "item"},
                                       {"rating": "timestamp", "timestamp": 3}])
def test_one_column_given_for_two_roles(tmp_path, overrides):
    message = load_error(write_rows(tmp_path / "r.csv"), **overrides)
    assert "was given for both" in message


def test_the_fixed_inputs_still_load_normally(tmp_path):
    from conftest import as_dict
    assert as_dict(load_interactions(FRAME)) == EXPECTED
    assert as_dict(load_interactions(write_rows(tmp_path / "r.csv"), delimiter=",", user=0, item=1)) == EXPECTED
