"""Typing into the item pickers in a real Chromium: Streamlit's multiselect takes the first listed title
that contains the typed text on Enter, so an id typed in full ("200") picked the most popular film of
2005; mfviz.dashboard.pickers.TYPED_ENTER hands the typed text to the server instead (AppTest cannot
type into a picker)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pytest
from test_serve import CHROMIUM, IDLE, WAIT_MS, demo_server_and_browser


def settled(page) -> None:
    page.wait_for_selector(IDLE, timeout=WAIT_MS)
    page.wait_for_timeout(800)
    page.wait_for_selector(IDLE, timeout=WAIT_MS)


def open_at(page, address: str) -> None:
    page.goto(address)
    page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=WAIT_MS)
    settled(page)


def in_chromium(test):
    """A browser test, skipped with a message where Debian's chromium is missing."""
    missing = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    return pytest.mark.browser(missing(test))


def demo_by_popularity():
    """The demo catalogue and its items, most interacted first (the order the pickers list them in)."""
    from mfviz.datasets import load_demo

    demo = load_demo()
    return demo, np.argsort(-np.diff(demo.matrix.tocsc().indptr), kind="stable")


@contextlib.contextmanager
def served(tmp_path, path: str):
    """(Chromium page opened at `path` of a fresh server on the demo, the server's address); both stopped after."""
    with demo_server_and_browser(tmp_path) as (browser, url):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_at(page, url + path)
        yield page, url


@in_chromium
def test_an_id_typed_into_the_profile_picker_wins_over_titles_that_hold_it(tmp_path):
    from mfviz.dashboard import pickers

    demo, ranked = demo_by_popularity()
    by_id = int(demo.item_index([200])[0])
    assert pickers.titles_containing(demo, "item", "200", ranked).size > 1  # the case: titles of 2000-2009 hold it
    word = "Precinct"
    by_title = int(ranked[pickers.titles_containing(demo, "item", word, ranked)[0]])

    with served(tmp_path, "/recommend") as (page, url):
        page.get_by_text("a profile I build").click()
        settled(page)
        profile = page.get_by_role("combobox", name="Items this person likes")
        chips = page.locator("[data-testid='stMultiSelect'] [data-tag]")
        for typed, expected in (("200", by_id), (word, by_title)):
            profile.click()
            page.keyboard.type(typed)
            page.keyboard.press("Enter")
            settled(page)
            assert chips.all_inner_texts()[-1] == str(demo.titles[expected]), (typed, chips.all_inner_texts())
            if typed == "200":
                note = page.locator("[data-testid='stAlertContentInfo']", has_text="id 200 picked")
                assert note.count() == 1 and "type more of the title" in note.inner_text()
        # a row chosen with the arrow keys is still the one taken
        profile.click()
        page.keyboard.type("200")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        settled(page)
        assert len(chips.all_inner_texts()) == 3 and chips.all_inner_texts()[-1] != str(demo.titles[by_id])
        # a typo is quoted as typed: "No item matches 'item Star Warz'" quoted the label the page puts
        # before typed text on Enter
        profile.click()
        page.keyboard.type("Qzxv Warz")
        page.keyboard.press("Enter")
        settled(page)
        said = page.locator("[data-testid='stAlertContentWarning']", has_text="No item matches").inner_text()
        assert "No item matches 'Qzxv Warz';" in said, said
        assert page.locator("[data-testid='stException']").count() == 0


@in_chromium
def test_the_row_for_typed_text_reads_find_and_picks_the_most_popular_title_holding_it(tmp_path):
    # "every picker lists 'Add: …' first": Streamlit's row for typed text, which no option renames or removes
    # (without it no typed id or unlisted title reaches the server); pickers.FIND_ROW renames it
    from mfviz.dashboard import pickers

    demo, ranked = demo_by_popularity()
    word = "orchard"
    expected = str(demo.titles[ranked[pickers.titles_containing(demo, "item", word, ranked)[0]]])

    with served(tmp_path, "/neighbours") as (page, url):
        item = page.get_by_role("combobox", name="Item")
        item.click()
        page.keyboard.type(word)
        rows = page.locator("[role='option']")
        rows.first.wait_for(timeout=WAIT_MS)
        assert rows.first.inner_text() == f"Find: {word}", rows.all_inner_texts()[:3]
        page.keyboard.type(" qzx")  # as the text changes, the row is renamed again
        page.wait_for_timeout(300)
        assert rows.all_inner_texts() == [f"Find: {word} qzx"]
        for _ in " qzx":
            page.keyboard.press("Backspace")
        page.keyboard.press("Enter")  # the row comes first, and Enter takes it
        settled(page)
        assert item.input_value().startswith(expected + " · "), item.input_value()
        open_at(page, url + "/recommend")
        page.get_by_text("a profile I build").click()
        settled(page)
        page.get_by_role("combobox", name="Items this person likes").click()
        page.keyboard.type("qzx " + word)  # a multiselect lists its row after the titles holding the text
        page.wait_for_timeout(300)
        assert rows.all_inner_texts() == [f"Find: qzx {word}"]
        assert page.locator("[data-testid='stException']").count() == 0
