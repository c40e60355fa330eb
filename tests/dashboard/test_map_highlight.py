"""Highlighting genres on the Latent space map: the figure draws exactly each genre's items (counted from the item
table here, not through mfviz) in a strong colour on top and every other item grey behind; the page offers it to
the keyboard, keeps it in the address and across pages, and offers nothing on data without genres; and in a real
Chromium, choosing a genre with the keyboard changes the drawn map."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_links import first_visit, ratings_upload
from test_pages import ML100K, new_app, open_page
from test_picker_typing import in_chromium, served, settled
from test_serve import WAIT_MS

from mfviz import load_interactions
from mfviz.analysis import genre_groups, projection_table
from mfviz.dashboard import map_colours
from mfviz.dashboard.map_figures import latent_scatter, latent_scatter_3d
from mfviz.dashboard.map_highlight import BEHIND_COLOUR, HIGHLIGHT_COLOURS
from mfviz.datasets import load_demo

LATENT = "pages/latent_page.py"


# ------------------------------------------------------------------ independent counts
def demo_items_of(genre: str) -> list[int]:
    """The demo's items (indices) listing `genre`, read off its item table with plain Python."""
    return [row for row, genres in enumerate(load_demo().items["genres"]) if genre in list(genres)]


def movielens_items_of(genre: str, item_ids) -> list[int]:
    """The MovieLens 100K items (indices among `item_ids`) flagged `genre` in u.item, its flag's column named in
    u.genre: the files read with pandas, not mfviz's loader."""
    names = pd.read_csv(ML100K.parent / "u.genre", sep="|", header=None, names=["genre", "flag"]).dropna()
    flag = int(names.loc[names["genre"] == genre, "flag"].iloc[0])
    rows = pd.read_csv(ML100K.parent / "u.item", sep="|", header=None, encoding="latin-1")
    ids = set(rows.loc[rows[5 + flag] == 1, 0].astype(int))
    return [index for index, item_id in enumerate(np.asarray(item_ids).astype(int)) if item_id in ids]


def map_table(interactions, seed: int = 0) -> pd.DataFrame:
    coords = np.random.default_rng(seed).normal(size=(interactions.n_items, 2)).astype(np.float32)
    popularity = np.diff(interactions.matrix.tocsc().indptr)
    table = projection_table(coords, interactions.items, popularity, np.ones(interactions.n_items),
                             interactions.titles)
    table[map_colours.GENRE_COLUMN] = map_colours.distinctive_genre(table["genres"])[0]  # as the page colours
    return table


def traces(chart) -> dict[str, tuple[int, object, list[int]]]:
    """{trace name: (its place in the drawing order, the trace, its items)} of the item traces."""
    return {t.name: (k, t, sorted(np.asarray(chart.trace_items[k]).tolist())) for k, t in enumerate(chart.figure.data)
            if len(chart.trace_items) > k}


# ------------------------------------------------------------------ the figure
@pytest.fixture(scope="module")
def movielens():
    if not ML100K.is_file():
        pytest.skip(f"MovieLens 100K not found at {ML100K}")
    return load_interactions(ML100K.parent)


def test_film_noir_on_movielens_is_its_24_items_on_top_in_blue_and_the_other_1658_grey(movielens):
    table = map_table(movielens)
    chart = latent_scatter(table, map_colours.GENRE_COLUMN, continuous=False,
                           highlighted={"Film-Noir": genre_groups(movielens.items)["Film-Noir"]})
    expected = movielens_items_of("Film-Noir", movielens.item_ids)
    assert len(expected) == 24  # u.item flags 24 films Film-Noir
    drawn = traces(chart)
    assert set(drawn) == {"Film-Noir: 24 of 1,682", "the other 1,658"}
    place, noir, items = drawn["Film-Noir: 24 of 1,682"]
    assert items == expected
    grey_place, grey, others = drawn["the other 1,658"]
    assert others == sorted(set(range(1682)) - set(expected))
    assert grey_place < place  # drawn after the grey: on top
    assert noir.marker.color == HIGHLIGHT_COLOURS[0] and grey.marker.color == BEHIND_COLOUR
    assert noir.marker.size > grey.marker.size and noir.marker.opacity > grey.marker.opacity
    assert chart.figure.layout.legend.title.text == "highlighted genre"
    assert "Highlighted: Film-Noir: 24 of 1,682 items (blue circles)" in chart.caption
    assert "Colour: each item's least common genre" not in chart.caption  # the genre colours are not drawn
    # a click on a highlighted point still reports its item: customdata's third field
    assert sorted(int(i) for i in np.asarray(noir.customdata)[:, 2]) == expected


def test_several_genres_each_hold_all_their_items_shared_items_in_each_the_legend_in_the_order_picked():
    demo = load_demo()
    picked = ["Horror", "Western", "Crime"]  # not by size: Western is the largest
    groups = genre_groups(demo.items)
    chart = latent_scatter(map_table(demo), "popularity", continuous=True,
                           highlighted={genre: groups[genre] for genre in picked})
    expected = {genre: demo_items_of(genre) for genre in picked}
    drawn = traces(chart)
    named = {genre: f"{genre}: {len(expected[genre])} of 1,500" for genre in picked}
    for colour, genre in zip(HIGHLIGHT_COLOURS, picked, strict=True):
        place, trace, items = drawn[named[genre]]
        assert items == expected[genre], genre
        assert trace.marker.color == colour and trace.legendrank == picked.index(genre) + 1
    assert len({drawn[named[g]][1].marker.symbol for g in picked}) == 3  # told apart by shape too
    anywhere = set().union(*map(set, expected.values()))
    grey = next(name for name in drawn if name.startswith("the other"))
    assert drawn[grey][2] == sorted(set(range(1500)) - anywhere) and grey == f"the other {1500 - len(anywhere):,}"
    # the largest first, so the smaller ones are drawn over it
    order = sorted(picked, key=lambda g: drawn[named[g]][0])
    assert order == sorted(picked, key=lambda g: -len(expected[g]))
    # no colour scale while highlighting: the colour is the highlight's
    assert all(t.marker.showscale is not True for t in chart.figure.data)
    shared = sum(sum(item in expected[genre] for genre in picked) > 1 for item in anywhere)
    assert shared > 1  # the demo's items have up to two genres: some are in two of these
    assert f"{shared} items are in more than one of them: counted and drawn in each" in chart.caption
    assert chart.figure.layout.legend.title.text == "highlighted genres"


def test_a_map_of_some_items_counts_them_on_the_map_and_in_all_in_3d_too():
    demo = load_demo()
    rows = np.arange(0, 1500, 7)  # the items of a selection mapped on their own
    table = map_table(demo).iloc[rows].reset_index(drop=True).assign(
        z=np.random.default_rng(1).normal(size=rows.size))
    western = demo_items_of("Western")
    on_map = sorted(set(western) & set(rows.tolist()))
    for draw in (latent_scatter, latent_scatter_3d):
        chart = draw(table, "popularity", continuous=True, part_of=1500,
                     highlighted={"Western": genre_groups(demo.items)["Western"]})
        trace = next(t for t in chart.figure.data if t.name.startswith("Western"))
        assert trace.name == f"Western: {len(on_map)} of {rows.size}"
        shown = sorted(int(i) for i in np.asarray(trace.customdata)[:, 2])
        assert shown == on_map
        assert (f"Western: {len(on_map)} of {rows.size} items on this map ({len(western)} of all 1,500)"
                in chart.caption)


def test_a_title_search_keeps_the_highlighted_genre_whole_and_draws_its_matches_over_it():
    demo = load_demo()
    table = map_table(demo)
    western = demo_items_of("Western")
    matched = [western[0], western[1], next(i for i in range(1500) if i not in western)]
    chart = latent_scatter(table, map_colours.GENRE_COLUMN, highlight=matched[:1], continuous=False, matched=matched,
                           highlighted={"Western": genre_groups(demo.items)["Western"]})
    drawn = traces(chart)
    assert drawn[f"Western: {len(western)} of 1,500"][2] == western  # matches stay in it
    grey_name = next(name for name in drawn if name.startswith("the other"))
    assert matched[2] not in drawn[grey_name][2]  # drawn once, dark, in the matches
    assert drawn[grey_name][1].marker.opacity == 0.7  # light already: not faded further
    assert drawn["matches (3)"][0] > drawn[f"Western: {len(western)} of 1,500"][0]  # over the genre


def test_without_highlighted_genres_the_map_is_as_before():
    demo = load_demo()
    table = map_table(demo)
    plain = latent_scatter(table, "popularity", continuous=True)
    empty = latent_scatter(table, "popularity", continuous=True, highlighted={})
    assert plain.figure.to_json() == empty.figure.to_json() and plain.caption == empty.caption


# ------------------------------------------------------------------ the page (AppTest)
def the_map(at) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Item vectors"))


def drawn_names(at) -> list[str]:
    return [t.get("name") for t in the_map(at)["data"]]


def test_the_page_highlights_a_genre_keeps_it_in_the_link_and_across_pages():
    at = open_page(new_app(), LATENT)
    box = at.multiselect(key="latent_highlight")
    assert box.label == "Highlight genres" and "Western (183)" in box.options  # (as shown: with its count)
    assert not at.selectbox(key="latent_colour").disabled
    box.set_value(["Western"]).run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert drawn_names(at)[:2] == ["the other 1,317", "Western: 183 of 1,500"]
    assert at.selectbox(key="latent_colour").disabled  # set aside meanwhile
    assert any("Highlighted: Western: 183 of 1,500 items" in c.value for c in at.caption)
    link = dict(at.query_params)
    assert link["highlight"] == "Western"

    other = first_visit(LATENT, **link)  # another browser opens the link: the same view
    assert not other.exception and not other.warning, [w.value for w in other.warning]
    assert other.multiselect(key="latent_highlight").value == ["Western"] and dict(other.query_params) == link

    at.button(key="latent_isolate_highlight").click().run()  # the Projector's "isolate"
    assert any(i.value.startswith("Only the 183 items you selected are on the map") for i in at.info)
    assert drawn_names(at)[0] == "Western: 183 of 183" and at.metric[2].value == "183"
    at.button(key="latent_show_all").click().run()

    open_page(at, "pages/spectrum_page.py")  # and the choice is there on coming back
    open_page(at, LATENT)
    assert at.multiselect(key="latent_highlight").value == ["Western"]
    at.multiselect(key="latent_highlight").set_value([]).run()
    assert "highlight" not in at.query_params and not at.selectbox(key="latent_colour").disabled
    assert "Western: 183 of 1,500" not in drawn_names(at)


def test_a_link_names_genres_in_any_case_and_says_which_it_cannot_highlight():
    at = first_visit(LATENT, map="pca", highlight="western,Space Opera,crime,horror,action")
    said = [w.value for w in at.warning]
    assert any("Space Opera is no genre of this data" in w for w in said), said
    assert any("names 4 genres; the map highlights 3 at most" in w for w in said), said
    assert at.multiselect(key="latent_highlight").value == ["Western", "Crime", "Horror"]
    assert dict(at.query_params)["highlight"] == "Western,Crime,Horror"
    # a link without highlight= shows none, whatever the session had
    fresh = {name: value for name, value in dict(at.query_params).items() if name != "highlight"} | {"search": "a"}
    at.query_params = fresh
    at.run()
    assert at.multiselect(key="latent_highlight").value == []


def test_data_without_genres_has_no_highlight_and_a_link_naming_one_says_why():
    at = ratings_upload(new_app())
    open_page(at, LATENT)
    assert not at.exception and not at.error
    assert not [m for m in at.multiselect if m.key == "latent_highlight"]
    at.query_params = dict(at.query_params) | {"highlight": "Drama"}
    at.run()
    said = [w.value for w in at.warning]
    assert any("highlight = Drama is not applied as it stands: this data's items have no genres; nothing is "
               "highlighted." in w for w in said), said
    assert not at.exception and not [m for m in at.multiselect if m.key == "latent_highlight"]


# ------------------------------------------------------------------ in Chromium
PLOT = "[data-testid='stPlotlyChart']"
LEGEND = f"() => [...document.querySelectorAll(\"{PLOT} .legendtext\")].map(e => e.textContent)"
# {trace name: [marker colour, the item of each point]} of the map as the browser holds it
DRAWN = """() => {
  const gd = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
  return Object.fromEntries(gd._fullData.filter(t => t.customdata).map(t =>
    [t.name, [t.marker.color, [...t.customdata].map(c => Number(c[2]))]]));
}"""


@in_chromium
def test_choosing_a_genre_with_the_keyboard_redraws_the_map_with_its_items_on_top(tmp_path):
    western = demo_items_of("Western")
    with served(tmp_path, "/latent?map=pca") as (page, url):
        page.wait_for_selector(f"{PLOT} .legendtext", timeout=WAIT_MS)  # Plotly draws after the run
        before = page.evaluate(DRAWN)
        assert "Western" in before and "Western: 183 of 1,500" not in before  # the genre colours
        # from "Draw the neighbours of" beside it, Tab reaches the highlight (its help icon is passed over by a second
        # Tab at most)
        page.get_by_role("combobox", name="Draw the neighbours of").focus()
        box = page.get_by_role("combobox", name="Highlight genres")
        for _ in range(4):
            page.keyboard.press("Tab")
            if box.evaluate("e => e === document.activeElement"):
                break
        assert box.evaluate("e => e === document.activeElement")
        page.keyboard.type("west")
        page.keyboard.press("Enter")
        settled(page)
        page.keyboard.press("Escape")
        settled(page)
        page.wait_for_function(f"() => ({LEGEND})().includes('Western: 183 of 1,500')", timeout=WAIT_MS)
        drawn = page.evaluate(DRAWN)
        colour, items = drawn["Western: 183 of 1,500"]
        assert colour == HIGHLIGHT_COLOURS[0] and sorted(items) == western
        grey_colour, others = drawn["the other 1,317"]
        assert grey_colour == BEHIND_COLOUR and sorted(others) == sorted(set(range(1500)) - set(western))
        assert list(drawn).index("Western: 183 of 1,500") > list(drawn).index("the other 1,317")  # on top
        assert page.evaluate(LEGEND)[:2] == ["Western: 183 of 1,500", "the other 1,317"]
        assert "highlight=Western" in page.url
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(Path(tmp_path) / "highlighted.png"))
