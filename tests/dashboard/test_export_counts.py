"""The downloads that leave out users or items a model never trained on say how many, beside their buttons."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from test_pages import new_app, open_page, upload
from test_untrained_left_out import problems, ratings_csv

from mfviz.dashboard.export_counts import left_out_note
from mfviz.models.sanity import untrained_items, untrained_users


def test_the_note_counts_what_the_file_holds_and_says_how_to_include_the_rest():
    assert left_out_note(28_810, 32_095, "user", True) == (
        "28,810 of 32,095 users: 3,285 have no training interaction in this split; train with 'no test set (train "
        "on everything)' on the Train page to include everyone.")
    assert left_out_note(1_681, 1_682, "item", True).startswith("1,681 of 1,682 items: 1 has no training interaction")
    assert left_out_note(1_681, 1_682, "item", True).endswith("to include every item.")
    # a model without a split (loaded, or trained on everything) has no split to change
    assert left_out_note(9, 10, "user", False) == ("9 of 10 users: 1 has no interaction the model trained on, so its "
                                                   "vector says nothing.")
    assert left_out_note(10, 10, "user", True) == ""


@pytest.fixture(scope="module")
def time_split():
    """300 users and 200 items, an ALS trained on a split by time that holds out every interaction of 50 users and
    52 items (test_untrained_left_out's data)."""
    at = upload(new_app(), "late.csv", ratings_csv())
    open_page(at, "pages/train_page.py")
    at.selectbox(key="train_model").set_value("als").run()
    at.number_input(key="hp_als_factors").set_value(8)
    at.number_input(key="hp_als_regularization").set_value(1.0)
    at.selectbox(key="split_method").set_value("time")
    at.slider(key="split_size").set_value(0.35)
    at.button(key="train_submit").click().run()
    assert not problems(at), problems(at)
    entry = at.session_state["mfviz.models"][at.session_state["mfviz.active_model"]]
    return at, entry


def test_every_users_list_says_beside_its_button_how_many_users_it_holds(time_split):
    from mfviz.dashboard import cached_exports

    at, entry = time_split
    open_page(at, "pages/recommend_page.py")
    assert not problems(at), problems(at)
    data = at.session_state["mfviz.data"]
    # the file itself, as the button serves it: its users are those the model trained on
    csv = pd.read_csv(io.BytesIO(cached_exports.recommendation_csv(entry.key, entry.model, data.key, data.interactions,
                                                                   10)))
    held = csv["user_id"].nunique()
    assert held == int((~untrained_users(entry.model)).sum()) == 250
    note = (f"{held:,} of 300 users: 50 have no training interaction in this split; train with 'no test set (train on "
            "everything)' on the Train page to include everyone.")
    assert note in [c.value for c in at.caption]


def test_the_maps_exports_say_how_many_items_they_hold(time_split):
    at, entry = time_split
    open_page(at, "pages/latent_page.py")
    assert not problems(at), problems(at)
    left = int(untrained_items(entry.model).sum())
    note = (f"{200 - left:,} of 200 items: {left} have no training interaction in this split; train with 'no test set "
            "(train on everything)' on the Train page to include every item.")
    assert note in [c.value for c in at.caption]
    assert left == 52 and np.count_nonzero(~untrained_items(entry.model)) == 148
