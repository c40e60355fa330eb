"""Pickers over many items or users (mfviz/dashboard/pickers.py): the most popular listed, any other
found by typing its id or title; in AppTest with the list cut to 50 so the demo has unlisted items."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_pages import chart_titled, new_app, open_page

from mfviz import load_interactions
from mfviz.dashboard import pickers

NEIGHBOURS, RECOMMEND = "pages/neighbours_page.py", "pages/recommend_page.py"


def test_find_takes_an_id_as_the_data_writes_it_or_a_title():
    frame = pd.DataFrame({"user": ["a7", "a7", "b8", "c9"], "item": [10, 20, 20, 30], "rating": [1, 2, 3, 4]})
    items = pd.DataFrame({"item": [10, 20, 30], "title": ["The Long Night", "Night Train", "Morning"]})
    data = load_interactions(frame, items=items)
    ranked = np.array([1, 0, 2])  # most popular first: Night Train, The Long Night, Morning
    assert pickers.find(data, "item", "30", ranked) == 2
    assert pickers.find(data, "item", "item 10", ranked) == 0
    assert pickers.find(data, "item", "NIGHT", ranked) == 1  # both titles match: the more popular
    assert pickers.find(data, "item", "long", ranked) == 0
    assert pickers.find(data, "item", "noon", ranked) is None
    assert pickers.find(data, "user", "user b8", ranked) == 1
    assert pickers.find(data, "user", "night", ranked) is None  # users are found by id only


INVERTED_FRAME = pd.DataFrame({"user": ["a", "b", "c", "a", "b", "a", "a", "a", "a"],
                               "item": [2, 2, 2, 1, 1, 3, 4, 5, 6], "rating": [5, 4, 5, 3, 4, 5, 4, 3, 2]})
INVERTED_ITEMS = pd.DataFrame({"item": [1, 2, 3, 4, 5, 6],
                               "title": ["Godfather: Part II, The (1974)", "Godfather, The (1972)",
                                         "Usual Suspects, The (1995)", "Good, the Bad and the Ugly, The (1966)",
                                         "Enfer, L' (1994)", "Pest, The"]})  # as MovieLens writes them: article last


def test_a_title_typed_in_natural_word_order_finds_the_one_written_with_its_article_last():
    # "No item matches 'The Godfather'": MovieLens writes "Godfather, The (1972)"
    data = load_interactions(INVERTED_FRAME, items=INVERTED_ITEMS)
    ranked = np.argsort(-np.diff(data.matrix.tocsc().indptr), kind="stable")
    assert data.titles[ranked[0]] == "Godfather, The (1972)"  # the most popular, then Part II

    def found(text):
        index = pickers.find(data, "item", text, ranked)
        return None if index is None else data.titles[index]

    assert found("The Godfather") == "Godfather, The (1972)"  # Part II matches too, less popular
    assert found("the godfather: part") == "Godfather: Part II, The (1974)"
    assert found("Godfather") == "Godfather, The (1972)" and found("Godfather, The") == "Godfather, The (1972)"
    assert found("the usual suspects") == "Usual Suspects, The (1995)"
    assert found("The Good, the Bad") == "Good, the Bad and the Ugly, The (1966)"
    assert found("L'Enfer") == "Enfer, L' (1994)" and found("the pest") == "Pest, The"
    assert found("godfather the") is None  # not a word order anyone types
    assert pickers.titles_containing(data, "item", "THE GODFATHER", ranked).size == 2
    assert pickers.titles_containing(data, "user", "the godfather", ranked).size == 0  # users by id only


def _typed_script(frame, items):
    import numpy as np
    import streamlit as st

    from mfviz import load_interactions
    from mfviz.dashboard import pickers

    data = load_interactions(frame, items=items)
    ranked = np.argsort(-np.diff(data.matrix.tocsc().indptr), kind="stable")
    titles = data.titles
    st.session_state["picked"] = [str(titles[i]) for i in pickers.pick_many(
        st, "Items this person likes", "item", ranked, data, "profile", lambda i: f"{titles[i]}")]


def test_a_natural_title_typed_into_a_picker_picks_its_item_and_the_typed_row_reads_find():
    """A multiselect's typed text reaches the server in AppTest as in the browser: a value that is no option
    (a select box's set_value takes options only; tests/dashboard/test_picker_typing.py types into one)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_typed_script, args=(INVERTED_FRAME, INVERTED_ITEMS)).run()
    picker = at.multiselect(key="profile")
    assert "Godfather, The (1972)" in picker.options and "The Godfather" not in picker.options
    picker.set_value(["The Godfather"]).run()  # typed, and its row ("Find: The Godfather") chosen
    assert at.session_state["picked"] == ["Godfather, The (1972)"] and not at.warning
    picker = at.multiselect(key="profile")
    picker.set_value([*picker.value, "the usual suspects", "Qzxv"]).run()
    assert at.session_state["picked"] == ["Godfather, The (1972)", "Usual Suspects, The (1995)"]
    assert [w.value for w in at.warning] == ["No item matches 'Qzxv'; type a title or an id of this data."]
    assert any("Find: " in html.proto.body for html in at.get("html"))  # the script renaming Streamlit's "Add: …"
    assert not at.exception


def test_an_id_that_starts_like_the_pickers_label_is_found_as_typed():
    frame = pd.DataFrame({"user": ["user 5", "user 5", "user 55", "5"], "item": ["item 12", "item 120", "item 120", "12"],
                          "rating": [1, 2, 3, 4]})
    data = load_interactions(frame)
    ranked = np.arange(data.n_items)
    named = {text: pickers.find(data, "user", text, np.arange(data.n_users)) for text in ("user 5", "user 55", "5")}
    assert {text: data.user_ids[index] for text, index in named.items()} == \
        {"user 5": "user 5", "user 55": "user 55", "5": "5"}
    assert data.item_ids[pickers.find(data, "item", "item 12", ranked)] == "item 12"
    assert data.item_ids[pickers.find(data, "item", "12", ranked)] == "12"
    assert pickers.find(data, "user", "user ", ranked) is None


@pytest.fixture
def few_listed(monkeypatch):
    monkeypatch.setattr(pickers, "LISTED", 50)


def test_the_list_is_cut_and_an_unlisted_choice_is_listed_while_chosen(few_listed):
    """Typing into a select box (accept_new_options) is not something AppTest can do: the browser test
    of `mfviz dashboard` types an unlisted item's id and title (tests/dashboard/test_serve.py)."""
    at = open_page(new_app(), NEIGHBOURS)
    inter = at.session_state["mfviz.data"].interactions
    picker = at.selectbox(key="neighbours_item")
    popularity = np.diff(inter.matrix.tocsc().indptr)
    listed = np.argsort(-popularity, kind="stable")[:50]
    # the demo's 1,500 items are not all sent; the item the page opens on (a middling one) is listed with them
    assert len(picker.options) == 50 + (picker.value not in listed)
    assert "type a title or an id to find any other" in picker.help
    rare = int(np.argsort(-popularity, kind="stable")[1000])

    at.query_params = {"item": str(inter.item_ids[rare])}  # a link (or a map click) to an unlisted item
    at.run()
    assert at.selectbox(key="neighbours_item").value == rare
    assert len(at.selectbox(key="neighbours_item").options) == 51  # listed with the 50 while chosen
    assert inter.titles[rare] in chart_titled(at, "Popularity of the neighbours of")["layout"]["title"]["text"]

    open_page(at, RECOMMEND)
    assert len(at.selectbox(key="rec_user").options) == 50 + 1  # the page's default user is a middling one
    at.radio(key="rec_mode").set_value("a profile I build").run()
    assert len(at.multiselect(key="rec_profile").options) == 50
    assert not at.exception and not at.error


def test_an_id_typed_in_full_wins_over_the_titles_holding_it_and_says_how_to_reach_them():
    frame = pd.DataFrame({"user": ["a", "a", "b", "b", "c"], "item": [7, 1995, 7, 30, 30], "rating": [1, 2, 3, 4, 5]})
    items = pd.DataFrame({"item": [7, 30, 1995], "title": ["Heat (1995)", "Babe (1995)", "Night Train (2001)"]})
    data = load_interactions(frame, items=items)
    ranked = np.array([0, 1, 2])  # Heat, Babe, Night Train
    assert pickers.find(data, "item", "1995", ranked) == 2  # item 1995, not Heat (1995)
    assert pickers.find(data, "item", "item 1995", ranked) == 2
    note = pickers.id_note(data, "item", "1995", ranked, 2)
    assert note.startswith("id 1995 picked (Night Train (2001))") and "2 titles contain “1995” too" in note
    assert "the most popular Heat (1995): type more of the title" in note
    assert pickers.find(data, "item", "(1995", ranked) == 0  # more of the title: the titles again
    assert pickers.id_note(data, "item", "(1995", ranked, 0) is None  # picked by title: nothing to say
    assert pickers.id_note(data, "item", "30", ranked, 1) is None  # no title holds it
    assert pickers.id_note(data, "user", "a", np.arange(3), 0) is None


def apply_k_core(at, k: int) -> None:
    """The Data page's Prepare → Apply with a k-core of `k` (and its confirmation, when it asks one)."""
    open_page(at, "pages/data_page.py")
    next(box for box in at.number_input if box.label.startswith("k-core")).set_value(k)
    at.button(key="filters_apply").click().run()
    confirm = [b for b in at.button if "confirm" in (b.key or "")]
    if confirm:  # the Data page asks before it drops the models of the data it replaces
        confirm[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def test_a_picked_user_or_item_stays_the_same_one_when_the_data_changes_under_it():
    # A k-core filter kept Star Wars, yet Neighbours then showed The Santa Clause: the picker kept row 49,
    # which in the filtered data is another item. (On the demo a 20-core drops users, not items: the users'
    # rows move.)
    at = new_app()
    before = at.session_state["mfviz.data"].interactions
    activity = before.user_activity
    kept = int(max(np.flatnonzero(activity >= 60)))  # an active user far down the rows
    gone = [int(u) for u in np.flatnonzero(activity < 20)[:2]]  # dropped by the 20-core
    assert activity[:kept].min() < 20  # rows before it are dropped, so its row changes
    open_page(at, NEIGHBOURS)
    at.selectbox(key="neighbours_user").set_value(gone[0]).run()
    open_page(at, RECOMMEND)
    at.selectbox(key="rec_user").set_value(kept).run()
    item = int(at.session_state["mfviz.data"].interactions.item_popularity.argmax())
    at.radio(key="rec_mode").set_value("a profile I build").run()
    at.multiselect(key="rec_profile").set_value([item]).run()

    apply_k_core(at, 20)
    after = at.session_state["mfviz.data"].interactions
    assert after.n_users < before.n_users
    open_page(at, RECOMMEND)
    assert [after.item_ids[i] for i in at.multiselect(key="rec_profile").value] == [before.item_ids[item]]
    at.radio(key="rec_mode").set_value("a user in the data").run()
    moved = at.selectbox(key="rec_user").value
    assert moved != kept and after.user_ids[moved] == before.user_ids[kept]  # the same user, at its new row
    open_page(at, NEIGHBOURS)
    said = [i.value for i in at.info if "picked before" in i.value]
    assert said == [f"user {before.user_ids[gone[0]]}, picked before, is not in this data (the data changed since)."]
    assert at.selectbox(key="neighbours_user").value is not None  # back on the page's default user
    at.run()
    assert not any("picked before" in i.value for i in at.info)  # said once


def test_a_typed_id_on_data_without_titles_says_nothing_of_titles():
    # "1 title contains “181” too, the most popular 1181" on data whose items have no titles, only ids
    frame = pd.DataFrame({"user": [1, 1, 2, 3], "item": [181, 1181, 1181, 5], "rating": [1, 2, 3, 4]})
    data = load_interactions(frame)
    ranked = np.argsort(-np.diff(data.matrix.tocsc().indptr), kind="stable")
    found = pickers.find(data, "item", "181", ranked)
    assert data.item_ids[found] == 181  # the id typed in full
    assert pickers.id_note(data, "item", "181", ranked, found) is None


def _stepping_script():
    import numpy as np
    import pandas as pd
    import streamlit as st

    from mfviz.dashboard import pickers

    items = np.array(st.session_state.get("listed", [3, 5, 8]))
    pickers.stepping_table(st, pd.DataFrame({"title": [f"t{i}" for i in items]}), items, "steps", "chosen")


def test_a_stepping_tables_key_changes_with_its_list_so_no_tick_is_left_on_another_item():
    # Streamlit keeps a table's selection by its key: a search listing the item already chosen showed that tick on
    # another title once the search changed (the key held the chosen item only)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_stepping_script).run()
    first = at.dataframe[0].key
    at.session_state["listed"] = [3, 5, 9]
    at.run()
    second = at.dataframe[0].key
    at.session_state["chosen"] = 5
    at.run()
    third = at.dataframe[0].key
    assert len({first, second, third}) == 3 and all(k.startswith("steps.") for k in (first, second, third))
