"""The Data page with item tables whose columns are named otherwise, through AppTest on real uploaded bytes: titles
under another name shown, no title column warned of, and a table with no ids (or ids that match few items) never
said as a green "Joined"."""

from __future__ import annotations

import re

from test_data_page import mapping_option, ratings_csv
from test_pages import new_app, upload

FILMS = "".join(f"{i},Film {i}\n" for i in range(12))


def numbered_items() -> bytes:
    """ratings_csv with items 0-11 written as numbers: a header of names no list holds ("MovieKey") is known as
    one by its text above numbers (above text ids, a first line not named so reads as a row, by position)."""
    return re.sub(rb",i(\d)", rb",\1", ratings_csv())


def with_items(at, name: str, content: str):
    at.file_uploader(key="upload_items").set_value((name, content.encode(), "text/plain"))
    return at


def test_titles_under_another_name_are_shown_and_said():
    """The reviewer's MovieKey, Film Name table: 100% joined, yet every list showed ids."""
    at = upload(with_items(new_app(), "films.csv", "MovieKey,Film Name\n" + FILMS), "ratings.csv", numbered_items())
    assert not at.exception and not at.error and not at.warning, [w.value for w in at.warning]
    data = at.session_state["mfviz.data"]
    assert dict(zip(data.interactions.item_ids, data.interactions.titles, strict=True))[3] == "Film 3"
    assert "Item metadata from films.csv. Titles from its column 'Film Name'." in data.report_lines, data.report_lines


def unescaped(markdown: str) -> str:
    """A warning's text as the browser shows it: the page escapes the signs Markdown reads in it (plain)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_an_item_table_with_no_title_column_is_warned_of_with_its_columns():
    table = "id,Bezeichnung,Studio\n" + "".join(f"i{i},Film {i},Pixar\n" for i in range(12))  # "id": a header
    at = upload(with_items(new_app(), "films.csv", table), "ratings.csv", ratings_csv())
    assert not at.exception and not at.error
    assert "title" not in at.session_state["mfviz.data"].interactions.items.columns
    assert ("Item table films.csv: no title column among its columns ['id', 'Bezeichnung', 'Studio'] (none is named "
            "title, name or label, none named so at its end holds distinct values, and no single text column of "
            "distinct values is), so items are shown by their ids. To show titles, pick the column of titles as “item titles” "
            "under Column mapping below (with an uploaded interactions file), or name it “title” in the item table and drop "
            "it on Item metadata (optional) again.") in [unescaped(w.value) for w in at.warning]
    # as the warning says: Column mapping (open, "please check") offers the item table's columns for its titles
    [mapping] = [e for e in at.expander if e.label.startswith("Column mapping")]
    assert mapping.label == "Column mapping — please check"
    assert at.selectbox(key="map_title").options == ["detect", "id", "Bezeichnung", "Studio"]
    at = mapping_option(at, "title", "Bezeichnung")
    assert not at.exception and not at.error and not at.warning, [w.value for w in at.warning]
    data = at.session_state["mfviz.data"].interactions
    assert dict(zip(data.item_ids, data.titles, strict=True))["i3"] == "Film 3" and data.nnz == 150
    assert at.selectbox(key="map_title").value == "Bezeichnung"  # the choice stays shown
    assert [e.label for e in at.expander if e.label.startswith("Column mapping")] == ["Column mapping"]


NO_IDS = "title,genres\n" + "".join(f"Film {i},Drama\n" for i in range(12)) + "Film 0,Comedy\n"


def test_an_item_table_without_ids_dropped_in_the_box_is_an_error_and_the_data_keep_their_titles():
    """The reviewer's items_noid.csv on the demo: a green "Joined …: 0% of the items have a row in it", and a
    warning that a row repeats "the id" 'Chasing Amy (1997)'."""
    at = new_app()
    before = at.session_state["mfviz.data"]
    at = with_items(at, "items_noid.csv", NO_IDS).run()
    assert not at.exception and not at.success and not at.warning, [s.value for s in at.success]
    [error] = [e.value for e in at.error]
    assert error.startswith(f"Could not join items_noid.csv to {before.name}: items_noid.csv has no item id column to "
                            "join on (its first column, 'title', holds none of the interactions' item ids: its values "
                            "are such as 'Film 0', 'Film 1', 'Film 2', the interactions' ids such as ")
    assert error.endswith("so it was not joined. To join it, give it a column named 'item_id' of the interactions' "
                          "item ids; the data were left as they were.")
    after = at.session_state["mfviz.data"]
    assert after.key == before.key and after.interactions.titles[0] == before.interactions.titles[0]


def test_an_item_table_without_ids_uploaded_with_the_interactions_is_said_and_they_load_without_it():
    at = upload(with_items(new_app(), "items_noid.csv", NO_IDS), "ratings.csv", ratings_csv())
    assert not at.exception and not at.error
    data = at.session_state["mfviz.data"]
    assert data.name == "ratings.csv" and data.interactions.nnz == 150 and "title" not in data.interactions.items
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and warnings[0].startswith(
        "Item table items_noid.csv has no item id column to join on (its first column, 'title', holds none of the "
        "interactions' item ids"), warnings  # not "a row repeats the id 'Film 0'", not "names only 0%"


def test_a_join_that_names_few_items_is_a_warning_with_both_sides_ids_not_a_green_joined():
    at = upload(new_app(), "ratings.csv", ratings_csv())
    at.file_uploader(key="upload_interactions").set_value(None).run()  # as after leaving the page
    table = "id,title\ni1,Film 1\nx2,Other 2\nx3,Other 3\n"
    at = with_items(at, "items.csv", table).run()
    assert not at.exception and not at.error and not at.success, [s.value for s in at.success]
    [said] = [w.value for w in at.warning]
    assert said == ("Joined items.csv to ratings.csv, but only 1 of 12 items (8.3%) have a row in it: its ids and the "
                    "data's likely do not match. 11 of 12 items have no row in the item table (such as 'i0', 'i10', "
                    "'i11'; the table's ids, from its column 'id', are such as 'i1', 'x2', 'x3').")


def test_a_table_naming_none_of_the_items_dropped_in_the_box_is_refused_and_the_titles_kept():
    at = new_app()
    before = at.session_state["mfviz.data"]
    at = with_items(at, "other.csv", "item_id,title\nx1,One\nx2,Two\n").run()
    assert not at.exception and not at.success, [s.value for s in at.success]
    [error] = [e.value for e in at.error]
    assert error.startswith(f"Could not join other.csv to {before.name}: other.csv names none of the data's items "
                            "(its ids, from its column 'item_id', are such as 'x1', 'x2'; the data's such as ")
    assert at.session_state["mfviz.data"].key == before.key
