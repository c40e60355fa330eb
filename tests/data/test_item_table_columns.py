"""Item tables whose columns are named otherwise: titles found by a name's ending or by content, or said to be
missing with the columns named; a table with no id column is not joined, and said, never joined at 0%."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROWS, write_rows

import mfviz
from mfviz.data.item_tables import with_items
from mfviz.errors import DataError

FILMS = {10: "Toy Story (1995)", 20: "GoldenEye (1995)", 30: "Four Rooms (1995)", 40: "Get Shorty (1995)",
         50: "Copycat (1995)"}


def item_file(tmp_path, header: str, rows: list[str]):
    path = tmp_path / "items.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def titles(interactions) -> dict:
    return dict(zip(interactions.item_ids.tolist(), interactions.titles.tolist(), strict=True))


@pytest.mark.parametrize("name", ["Film Name", "Book_Name", "Track Title", "original_title", "display label"])
def test_a_title_column_named_otherwise_gives_the_titles_and_is_said(tmp_path, name):
    ratings = write_rows(tmp_path / "r.csv")
    items = item_file(tmp_path, f"MovieKey,{name}", [f"{i},{t}" for i, t in FILMS.items()])
    data = mfviz.load_interactions(ratings, items=items)
    assert titles(data) == FILMS
    assert data.report.metadata_join_rate == 1.0
    assert f"Item metadata from {items}. Titles from its column {name!r}." in data.report.lines()
    assert not data.report.warnings


def test_the_reviewers_film_name_table_gives_titles(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    items = item_file(tmp_path, "MovieKey,Film Name", [f"{i},{t}" for i, t in FILMS.items()])
    for data in (mfviz.load_interactions(ratings, items=items), with_items(mfviz.load_interactions(ratings), items),
                 mfviz.load_interactions(ratings, items=pd.read_csv(items))):
        assert titles(data)[20] == "GoldenEye (1995)"


def test_a_name_taken_exactly_comes_before_a_name_ending_so(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    items = item_file(tmp_path, "id,artist_name,title", [f"{i},Someone,{t}" for i, t in FILMS.items()])
    data = mfviz.load_interactions(ratings, items=items)
    assert titles(data) == FILMS and "artist_name" in data.items.columns
    assert f"Item metadata from {items}." in data.report.lines()  # said as ever: its name says it


def test_the_only_text_column_of_distinct_values_is_taken_as_the_titles_and_said(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    items = item_file(tmp_path, "id,Titel,year,genres", [f"{i},{t},1995,Comedy" for i, t in FILMS.items()])
    data = mfviz.load_interactions(ratings, items=items)
    assert titles(data) == FILMS and data.items["genres"][0] == ["Comedy"]
    said = [line for line in data.report.lines() if line.startswith("Item metadata from")]
    assert said == [f"Item metadata from {items}. No column is named as titles; its only text column, 'Titel', holds "
                    "distinct values (such as 'Toy Story (1995)', 'GoldenEye (1995)'): taken as the titles. If that "
                    "is wrong, say which column holds the titles with title=... (a column name or 0-based position)."]


@pytest.mark.parametrize(("header", "rows"), [
    ("id,Bezeichnung,Studio", [f"{i},{t},Pixar" for i, t in FILMS.items()]),  # two text columns: which?
    ("id,Bezeichnung", [f"{i},{'Same' if i > 10 else 'Other'}" for i in FILMS]),  # one, but mostly repeated
    # named as a title at its end, but repeated (a category, not a title); and a second text column
    ("id,category_name,Bezeichnung", [f"{i},Toys,{t}" for i, t in FILMS.items()]),
])
def test_no_title_column_is_warned_of_with_the_columns_and_how_to_say_which(tmp_path, header, rows):
    ratings = write_rows(tmp_path / "r.csv")
    items = item_file(tmp_path, header, rows)
    data = mfviz.load_interactions(ratings, items=items)
    assert "title" not in data.items.columns and data.report.metadata_join_rate == 1.0
    assert data.report.warnings == [
        f"Item table {items}: no title column among its columns {header.split(',')} (none is named title, name or "
        "label, none named so at its end holds distinct values, and no single text column of distinct values is), so "
        "items are shown by their ids. To show titles, say which column holds the titles with title=... (a column name or 0-based position)."]
    named = mfviz.load_interactions(ratings, items=items, title="Bezeichnung")  # as the warning says
    assert titles(named)[10] == rows[0].split(",")[-1 if "category" in header else 1] and not named.report.warnings
    position = header.split(",").index("Bezeichnung")
    assert titles(mfviz.load_interactions(ratings, items=items, title=position)) == titles(named)
    assert titles(with_items(mfviz.load_interactions(ratings), items, title="Bezeichnung")) == titles(named)


def test_a_title_override_naming_no_column_says_which_there_are(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    items = item_file(tmp_path, "id,Bezeichnung", [f"{i},{t}" for i, t in FILMS.items()])
    for bad in ("Name", 7, "id"):
        with pytest.raises(DataError, match=r"no column .* for title=\.\.\.; the item table's columns are \['id', "
                                            r"'Bezeichnung'\] \(its ids are in 'id'\)"):
            mfviz.load_interactions(ratings, items=items, title=bad)


def reviewer_noid_table(tmp_path):
    """The reviewer's items_noid.csv in small: a title and genres, no id (and one title twice)."""
    rows = [f"{t},Comedy|Drama" for t in FILMS.values()] + ["Toy Story (1995),Animation"]
    return item_file(tmp_path, "title,genres", rows)


def test_an_item_table_without_ids_given_with_the_interactions_is_said_and_not_joined(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    items = reviewer_noid_table(tmp_path)
    data = mfviz.load_interactions(ratings, items=items)
    assert data.nnz == len(ROWS) and data.items.columns.tolist() == ["item_id"]
    assert data.report.metadata_join_rate is None
    assert not any(line.startswith("Item metadata") for line in data.report.lines())
    # one warning, the zip's words: no id column, not joined (not "a row repeats the id 'Toy Story (1995)'")
    assert data.report.warnings == [
        f"Item table {items} has no item id column to join on (its first column, 'title', holds none of the "
        "interactions' item ids: its values are such as 'Toy Story (1995)', 'GoldenEye (1995)', 'Four Rooms (1995)', "
        "the interactions' ids such as 10, 20, 30), so it was not joined. To join it, give it a column named "
        "'item_id' of the interactions' item ids and load again. Items have no titles."]


def test_an_item_table_without_ids_joined_later_is_refused_and_the_data_left_as_they_were(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    before = mfviz.load_interactions(ratings, items=item_file(tmp_path, "id,title", [f"{i},{t}" for i, t in
                                                                                      FILMS.items()]))
    with pytest.raises(DataError, match=r"has no item id column to join on \(its first column, 'title', holds none "
                                        r"of the interactions' item ids.*so it was not joined.*left as they were"):
        with_items(before, reviewer_noid_table(tmp_path))
    assert titles(before) == FILMS


def test_a_first_column_of_ids_not_named_so_still_joins(tmp_path):
    """The first column is taken as the ids whatever its name, when it holds the interactions' ids."""
    ratings = write_rows(tmp_path / "r.csv")
    items = item_file(tmp_path, "key,title", [f"{i},{t}" for i, t in list(FILMS.items())[:1]])
    data = mfviz.load_interactions(ratings, items=items)
    assert data.report.metadata_join_rate == 0.2 and titles(data)[10] == "Toy Story (1995)"


def test_a_table_naming_none_of_the_items_joined_later_is_refused_with_both_sides_ids(tmp_path):
    """Joined, it would have taken the titles the data had and given none."""
    ratings = write_rows(tmp_path / "r.csv")
    before = mfviz.load_interactions(ratings, items=item_file(tmp_path, "id,title", [f"{i},{t}" for i, t in
                                                                                      FILMS.items()]))
    other = tmp_path / "other.csv"
    other.write_text("item_id,title\n7,Heat (1995)\n8,Babe (1995)\n9,Balto (1995)\n10000,Nixon (1995)\n")
    with pytest.raises(DataError) as raised:
        with_items(before, other)
    assert str(raised.value) == (f"{other} names none of the data's items (its ids, from its column 'item_id', are "
                                 "such as 7, 8, 9; the data's such as 10, 20, 30), so it was not joined; the data "
                                 "were left as they were.")
    assert titles(before) == FILMS
    # given with the interactions, it is joined at 0% and said (the data had no titles to lose)
    assert mfviz.load_interactions(ratings, items=other).report.metadata_join_rate == 0.0
