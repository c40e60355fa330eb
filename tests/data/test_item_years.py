"""Items' release years read from hand-made item tables (year and date columns, "(1995)" in titles), the demo's and
MovieLens 100K's (against an independent reading of u.item, when ../shared has it)."""

from __future__ import annotations

import csv
import datetime

import numpy as np
import pandas as pd
import pytest
from conftest import ML100K

from mfviz import Interactions, load_interactions
from mfviz.data.years import item_years


def years_equal(found, expected) -> None:
    np.testing.assert_array_equal(found, np.asarray(expected, np.float64))  # NaN equals NaN here


def test_a_date_column_gives_each_items_year_and_nan_where_unreadable():
    items = pd.DataFrame({"item_id": [1, 2, 3, 4], "title": ["A", "B", "C", "D"],
                          "release_date": ["01-Jan-1995", "2014-06-05", "unknown", "June 5, 1961"]})
    years_equal(item_years(items), [1995, 2014, np.nan, 1961])


def test_a_year_column_comes_before_dates_and_titles_and_codes_are_no_years():
    items = pd.DataFrame({"item_id": [1, 2, 3, 4], "title": ["A (1990)", "B (1991)", "C (1992)", "D (1993)"],
                          "date": ["1980-01-01"] * 4, "Year-Of-Publication": ["2001", 0, 1999, 1999.5]})
    # 0 is Book-Crossing's "unknown"; 1999.5 no year; "2001" as text is one
    years_equal(item_years(items), [2001, np.nan, 1999, np.nan])
    stored = pd.DataFrame({"item_id": [1, 2], "released": pd.to_datetime(["1977-05-25", "1980-05-21"])})
    years_equal(item_years(stored), [1977, 1980])


def test_titles_ending_in_a_year_give_it_and_titles_without_one_give_nan():
    items = pd.DataFrame({"item_id": range(5), "title": [
        "Toy Story (1995)", "Heat (1995) ", "Babylon 5 (1994–1998)", "Untitled", "1984 (Nineteen Eighty-Four)"]})
    years_equal(item_years(items), [1995, 1995, 1994, np.nan, np.nan])


def test_too_few_items_with_a_year_give_no_years():
    # 2 of 5 titles end in a year: under half, so no years (a name by year would speak for a minority)
    items = pd.DataFrame({"item_id": range(5), "title": ["A (1995)", "B (1996)", "C", "D", "E"]})
    assert item_years(items) is None
    # a date column that is mostly empty gives way to the titles when they have enough
    items["date"] = ["2001-01-01", None, None, None, None]
    items["title"] = ["A (1995)", "B (1996)", "C (1997)", "D", "E"]
    years_equal(item_years(items), [1995, 1996, 1997, np.nan, np.nan])
    assert item_years(pd.DataFrame({"item_id": [1, 2]})) is None  # ids only
    # numbers in a date column are not read: Unix seconds and YYYYMMDD give other years
    assert item_years(pd.DataFrame({"item_id": [1, 2], "date": [881250949, 19950101]})) is None


def test_an_interactions_item_years_follow_its_item_indices():
    frame = pd.DataFrame({"user": [1, 1, 2, 2], "item": [30, 10, 20, 10], "rating": [4, 5, 3, 2]})
    items = pd.DataFrame({"item_id": [10, 20, 30], "title": ["Old (1950)", "New (2020)", "Unknown"]})
    inter = Interactions.from_frame(frame, rating="rating", items=items)
    expected = dict(zip([10, 20, 30], [1950.0, 2020.0, np.nan], strict=True))
    years_equal(inter.item_years, [expected[i] for i in inter.item_ids])
    assert Interactions.from_frame(frame, rating="rating").item_years is None  # no item table


def test_the_demos_years_are_those_in_its_titles():
    from mfviz.datasets import load_demo

    demo = load_demo()
    written = [int(title.rsplit("(", 1)[1].rstrip(")")) for title in demo.titles]
    years_equal(demo.item_years, written)


@pytest.mark.skipif(not (ML100K / "u.item").is_file(), reason=f"MovieLens 100K not found at {ML100K}")
def test_movielens_100k_years_are_its_release_dates():
    inter = load_interactions(ML100K / "u.data")
    with open(ML100K / "u.item", encoding="latin-1", newline="") as file:
        dates = {int(row[0]): row[2] for row in csv.reader(file, delimiter="|")}
    expected = [datetime.datetime.strptime(dates[i], "%d-%b-%Y").year if dates[i] else np.nan for i in inter.item_ids]
    years_equal(inter.item_years, expected)
    assert np.isnan(inter.item_years).sum() == 1  # item 267, "unknown", has no date
