"""Comparing models for one user on MovieLens 100K, as RecTools' visual apps do: held-out items a list can hit,
each list side by side with its scores and popularity, the model shown and the models compared swapping places,
and tables that show their columns at 1,280-1,440 px. Through AppTest, with models trained on the data."""

from __future__ import annotations

import pytest
from test_pages import ML100K, new_app, open_page, train_on_page, upload

RECOMMEND, NEIGHBOURS = "pages/recommend_page.py", "pages/neighbours_page.py"
SHADE = "#dcefd9"  # an item on every list side by side
PAGE_AT_1280, PAGE_AT_1440 = 820, 980  # px of page content with the sidebar open (measured in Chromium)

pytestmark = pytest.mark.skipif(not ML100K.is_file(), reason=f"MovieLens 100K not found at {ML100K}")


def problems(at) -> list[str]:
    return [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]


@pytest.fixture(scope="module")
def movielens():
    """One session on MovieLens 100K (u.data + u.item) with the quick default (implicit ALS, random 20% split,
    seed 0) and a Funk SVD trained on the Train page (the same split: its defaults)."""
    at = new_app()
    at.file_uploader(key="upload_items").set_value(("u.item", (ML100K.parent / "u.item").read_bytes(), "text/plain"))
    upload(at, "u.data", ML100K.read_bytes())
    assert not problems(at)
    train_on_page(at, "funksvd", factors=16, epochs=10)
    return at


def entries(at) -> dict:
    return at.session_state["mfviz.models"]


def names(at) -> tuple[str, str]:
    """(the quick default's name, the Funk SVD's)."""
    default = next(name for name, entry in entries(at).items() if entry.auto)
    return default, next(name for name in entries(at) if name != default)


# ------------------------------------------------------------------ 3. the model shown swaps with one compared
@pytest.mark.parametrize("page, picker", [(RECOMMEND, "rec_compare"), (NEIGHBOURS, "neighbours_compare")])
def test_showing_a_model_compared_puts_the_one_shown_before_in_its_place(movielens, page, picker):
    at = movielens
    default, funk = names(at)
    open_page(at, page)
    at.selectbox(key="model_picker").set_value(default).run()
    at.multiselect(key=picker).set_value([funk]).run()
    at.selectbox(key="model_picker").set_value(funk).run()
    assert not problems(at)
    assert at.multiselect(key=picker).value == [default]
    at.selectbox(key="model_picker").set_value(default).run()
    assert at.multiselect(key=picker).value == [funk]
