"""The Latent space page's view through AppTest, on the demo and on MovieLens 100K: a link carries and
fixes the whole view (colour, search, 3-D, the map's own settings; what it leaves out at its default); a
title search anywhere in a title, as a regular expression; a neighbourhood mapped on its own; a map of a
few items keeping the whole map's colours and writing their titles; each title written once."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_links import first_visit
from test_pages import ML100K, chart_titled, new_app, open_page, plotly_array, upload

from mfviz.dashboard import labels, map_colours, workspace
from mfviz.dashboard.figures import COSINE_COLOUR, DOT_COLOUR

LATENT = "pages/latent_page.py"
GENRE = map_colours.GENRE_COLUMN


def item_ids(at) -> np.ndarray:
    return at.session_state["mfviz.data"].interactions.item_ids


def the_map(at) -> dict:
    """The map's figure (2-D or 3-D) as JSON."""
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith(("Item vectors", "Items ")))


def view(at) -> dict:
    """What the page's controls show."""
    return {"map": at.radio(key="latent_method").value, "colour": at.selectbox(key="latent_colour").value,
            "search": at.text_input(key="latent_search").value, "3d": at.toggle(key="latent_3d").value,
            "item": at.selectbox(key="latent_anchor").value}


def test_a_link_carries_the_colour_the_search_and_3d_and_another_browser_opens_that_view():
    # The link held map= and item= only: a colleague opening it got genre colours, no search, and 2-D.
    at = open_page(new_app(), LATENT)
    at.selectbox(key="latent_colour").set_value("popularity").run()
    at.text_input(key="latent_search").input("lit").run()
    at.toggle(key="latent_3d").set_value(True).run()
    at.selectbox(key="latent_anchor").set_value(5).run()
    link = dict(at.query_params)
    assert {name: link.get(name) for name in ("map", "colour", "search", "3d", "item")} == {
        "map": "pca", "colour": "popularity", "search": "lit", "3d": "on", "item": str(item_ids(at)[5])}
    made = view(at)

    other = first_visit(LATENT, **link)  # another browser: its own session, nothing remembered
    assert not other.exception and not other.warning, [w.value for w in other.warning]
    assert view(other) == made == {"map": "PCA", "colour": "popularity", "search": "lit", "3d": True, "item": 5}
    assert dict(other.query_params) == link  # the same view, so the same address
    assert the_map(other)["layout"]["title"]["text"].startswith("Item vectors mapped to 3-D by PCA")


def test_a_link_fixes_the_view_what_it_leaves_out_at_its_default_not_at_the_sessions_own(monkeypatch):
    # Opened in a new tab of the browser that made it, a link without item= still drew the remembered item
    # and restored that tab's own search and 3-D: the link only added its values on top of the session's.
    at = open_page(new_app(), LATENT)
    at.selectbox(key="latent_colour").set_value("popularity").run()
    at.text_input(key="latent_search").input("lit").run()
    at.toggle(key="latent_3d").set_value(True).run()
    at.selectbox(key="latent_anchor").set_value(5).run()
    data = at.session_state["mfviz.data"]
    at.session_state["latent_subset"] = (data.key, list(range(40)))  # a selection mapped on its own
    at.run()
    assert at.metric[2].value == "40"
    link = {"model": at.query_params["model"], "map": "pca"}  # the whole map, as a link made anywhere says it

    monkeypatch.setattr(workspace, "sent_id", lambda: at.session_state[workspace.ID])  # this browser again
    again = first_visit(LATENT, **link)
    assert again.session_state["mfviz.data"] is data  # the workspace was taken up...
    assert not again.exception and not again.warning, [w.value for w in again.warning]
    # ...and the link's view shown: what it leaves out at the page's defaults
    assert view(again) == {"map": "PCA", "colour": GENRE, "search": "", "3d": False, "item": None}
    assert not any("Only the" in i.value for i in again.info) and again.metric[2].value == f"{data.interactions.n_items:,}"
    assert {name: value for name, value in again.query_params.items() if name != "data"} == link

    # the subset stays out of a link, and the page says so while it shows one
    again.session_state["latent_subset"] = (data.key, list(range(40)))
    again.run()
    assert any("A link to this view opens the map of all the items" in i.value for i in again.info)
    assert "only" not in " ".join(again.query_params)


def test_a_link_carries_the_ends_of_the_taste_axes_and_the_dimensions_shown():
    at = open_page(new_app(), LATENT)
    at.radio(key="latent_method").set_value("Axes").run()
    at.selectbox(key="axis_left").set_value("Horror").run()
    at.selectbox(key="axis_right").set_value("Romance").run()
    at.selectbox(key="axis_up").set_value("vector length").run()
    link = dict(at.query_params)
    assert (link["map"], link["left"], link["right"], link["up"]) == ("axes", "Horror", "Romance", "vector length")
    other = first_visit(LATENT, **link)
    assert not other.exception and not other.warning, [w.value for w in other.warning]
    assert [other.selectbox(key=k).value for k in ("axis_left", "axis_right", "axis_up")] == [
        "Horror", "Romance", "vector length"]
    assert the_map(other)["layout"]["xaxis"]["title"]["text"].startswith("← Horror · · · Romance →")
    # "norm", the colour's word for vector length in a link, is read as that here too (it was refused)
    other = first_visit(LATENT, **{**link, "up": "norm"})
    assert not other.warning and other.selectbox(key="axis_up").value == "vector length"

    at.radio(key="latent_method").set_value("Dimensions").run()
    at.selectbox(key="dims_x").set_value(1).run()
    at.selectbox(key="dims_y").set_value("popularity").run()
    link = dict(at.query_params)
    assert (link["map"], link["across"], link["up"]) == ("dimensions", "2", "popularity")
    assert not {"left", "right"} & set(link)  # the Axes map's ends belong to that map
    other = first_visit(LATENT, **link)
    assert not other.exception and not other.warning, [w.value for w in other.warning]
    assert (other.selectbox(key="dims_x").value, other.selectbox(key="dims_y").value) == (1, "popularity")
    # a model of one factor has no dimension 2: up starts on popularity (a default of 1 drew dimension 1 on itself)
    recipe = '{"kind":"ials","params":{"factors":1},"split":"none","test":0.0,"seed":0,"k":10}'
    one = first_visit(LATENT, data=link["data"], model="One", recipe=recipe, map="dimensions")
    assert not one.exception and one.selectbox(key="model_picker").value == "One"
    assert (one.selectbox(key="dims_x").value, one.selectbox(key="dims_y").value) == (0, "popularity")
    # a value this page cannot show is named, and the page shows its default
    other = first_visit(LATENT, **{**link, "across": "99", "colour": "no such column", "users": "maybe"})
    said = " ".join(w.value for w in other.warning)
    assert "The link's users = maybe is neither on nor off" in said and other.checkbox(key="dims_users").value is False
    assert "The link's across = 99 is not one of this map's choices" in said
    assert "The link's colour = no such column is not one of this data's colours" in said
    assert other.selectbox(key="dims_x").value == 0 and other.selectbox(key="latent_colour").value == GENRE


@pytest.fixture(scope="module")
def movielens():
    """One session on MovieLens 100K with its titles and genres, on the Latent space page's PCA map."""
    if not ML100K.is_file():
        pytest.skip(f"MovieLens 100K not found at {ML100K}")
    at = new_app()
    at.file_uploader(key="upload_items").set_value(("u.item", (ML100K.parent / "u.item").read_bytes(), "text/plain"))
    upload(at, "u.data", ML100K.read_bytes())
    return open_page(at, LATENT)


def trained_items(at) -> np.ndarray:
    """The items with a training interaction of the model shown: the map's items (the quick default's random 20%
    split holds out every rating of 25 of MovieLens 100K's items, which are left off the map)."""
    entry = at.session_state["mfviz.models"][at.selectbox(key="model_picker").value]
    return np.flatnonzero(np.diff(entry.train.matrix.tocsc().indptr) > 0)


def index_of(at, item_id: str) -> int:
    return int(np.flatnonzero(np.asarray(item_ids(at)).astype(str) == item_id)[0])


def search(at, query: str) -> str:
    """Search the map for `query`; the line it writes over the map."""
    at.text_input(key="latent_search").input(query).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return next((c.value for c in at.caption if "match" in c.value and "on the map" in c.value), "")


def test_the_search_matches_any_part_of_a_title_as_a_regular_expression_and_counts_the_matches(movielens):
    # "tar" found only titles with a word starting "tar", and "star.*(wars|trek)" or "^Star" nothing at all,
    # while the item pickers match any part of a title
    at = movielens
    titles = np.asarray(at.session_state["mfviz.data"].interactions.titles).astype(str)
    holding = [t for t in titles if "tar" in t.lower()]
    assert len(holding) > 20 and "Star Wars (1977)" in holding
    said = search(at, "tar")
    assert said.startswith(f"{len(holding):,} titles on the map match “tar” (2 at the start of a word, listed first): "
                           "the 20 first are circled")  # Target and Hard Target, then Star Wars...
    assert any(m.value.startswith(f"**Circled: the first 20 of the {len(holding)} items matching “tar”**")
               for m in at.markdown)
    listed = next(d.value for d in at.dataframe if "title" in d.value.columns)["title"].tolist()
    assert sorted(listed[:2]) == ["Hard Target (1993)", "Target (1995)"] and "Star Wars (1977)" in listed
    assert len(plotly_array(next(t for t in the_map(at)["data"] if t["name"] == "search hits")["x"])) == 20

    star_films = [t for t in titles if t.lower().startswith("star ") and ("wars" in t.lower() or "trek" in t.lower())]
    assert "Star Wars (1977)" in star_films and "Star Trek: First Contact (1996)" in star_films
    said = search(at, "star.*(wars|trek)")
    found = next(d.value for d in at.dataframe if "title" in d.value.columns)["title"].tolist()
    assert said.startswith(f"{len(star_films)} titles on the map match") and sorted(found) == sorted(star_films)
    assert said.count("\\*") == 1  # the query shown as typed, not read as markdown (italics)
    starting = [t for t in titles if t.lower().startswith("star")]
    assert search(at, "^Star").startswith(f"{len(starting)} titles on the map match")

    # text that is no regular expression: said in plain words, and looked for as it is
    said = search(at, "(1977")
    of_1977 = [t for t in titles if "(1977" in t]
    assert "cannot be read as a regular expression (a bracket ( is not closed, at character 1)" in said.replace("\\", "")
    assert "looked for as plain text" in said
    assert f"{len(of_1977)} titles on the map match" in said and not at.exception
    assert not [c for c in at.caption if "Traceback" in c.value or "re.error" in c.value]
    search(at, "")


def test_film_noir_highlighted_on_movielens_is_its_24_films_from_the_uploaded_item_table(movielens):
    # twelve genre colours for nineteen genres: Film-Noir had no colour of its own ("other") and could not be found
    at = movielens
    at.multiselect(key="latent_highlight").set_value(["Film-Noir"]).run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    noir = next(t for t in the_map(at)["data"] if t["name"].startswith("Film-Noir"))
    items = sorted(np.asarray(noir["customdata"])[:, 2].astype(int).tolist())
    flagged = pd.read_csv(ML100K.parent / "u.item", sep="|", header=None, encoding="latin-1")
    ids = flagged.loc[flagged[5 + 10] == 1, 0].astype(str)  # u.genre: Film-Noir|10
    mapped = trained_items(at).size
    assert np.isin(items, trained_items(at)).all()  # (every Film-Noir has a training interaction)
    assert noir["name"] == f"Film-Noir: 24 of {mapped:,}" and items == sorted(index_of(at, i) for i in ids)
    assert any(f"Highlighted: Film-Noir: 24 of {mapped:,} items" in c.value for c in at.caption)
    assert at.query_params["highlight"] == "Film-Noir"
    at.multiselect(key="latent_highlight").set_value([]).run()


def test_an_items_neighbourhood_is_mapped_on_its_own_and_named(movielens):
    # The Embedding Projector isolates a point's neighbours; the page had no way to map only a neighbourhood.
    from mfviz.analysis import project

    at = movielens
    star_wars = index_of(at, "50")
    at.selectbox(key="latent_anchor").set_value(star_wars).run()
    entry = at.session_state["mfviz.models"][at.selectbox(key="model_picker").value]
    around = {int(i) for metric in ("cosine", "dot") for i in entry.model.similar_items([star_wars], n=10,
                                                                                      metric=metric)[0][0]}
    button = at.button(key="latent_isolate_neighbours")
    assert button.label == f"Map only it and its {len(around)} neighbours"
    button.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(i.value.startswith(f"Only Star Wars (1977) and its {len(around)} neighbours") for i in at.info)
    spec = the_map(at)
    points = [t for t in spec["data"] if t.get("mode") == "markers" and t.get("customdata")
              and t["name"] not in ("cosine neighbours", "dot neighbours") and t.get("marker", {}).get("symbol") != "star"]
    items = np.concatenate([np.asarray(t["customdata"])[:, 2].astype(int) for t in points])
    chosen = np.array(sorted(around | {star_wars}))
    assert sorted(items.tolist()) == chosen.tolist() and at.metric[2].value == str(len(chosen))
    xy = np.column_stack([np.concatenate([plotly_array(t[a]) for t in points]) for a in "xy"])
    alone = project(entry.model.item_factors[chosen], "pca", 2, cache_dir=False).coords  # PCA of these alone
    np.testing.assert_allclose(xy, alone[np.searchsorted(chosen, items)], rtol=1e-4, atol=1e-5)
    assert at.button(key="latent_isolate_neighbours").disabled  # it is the map shown
    at.button(key="latent_show_all").click().run()
    assert at.metric[2].value == f"{trained_items(at).size:,}"
    at.selectbox(key="latent_anchor").set_value(None).run()


def colours_of(spec: dict) -> dict[int, tuple[str, str]]:
    """Each item point's (legend name, colour) on a map coloured by category."""
    return {int(item): (t["name"], t["marker"]["color"]) for t in spec["data"]
            if t.get("mode") == "markers" and t.get("customdata") and isinstance(t["marker"].get("color"), str)
            and len(t["customdata"][0]) == 4 and t["name"] not in ("cosine neighbours", "dot neighbours")
            and t["marker"].get("symbol") != "star" for item in np.asarray(t["customdata"])[:, 2]}


def test_a_map_of_a_selection_keeps_the_whole_maps_colours_writes_titles_and_names_the_item_off_it(movielens):
    # Mapped on its own, a selection that was 69% Children's lost Children's from the legend (its genres
    # were counted again within the selection) and Drama changed colour; no point had a title.
    at = movielens
    inter = at.session_state["mfviz.data"].interactions
    whole = colours_of(the_map(at))
    childrens = [i for i in trained_items(at).tolist() if "Children's" in inter.items["genres"].iloc[i]]
    others = [i for i in sorted(whole) if whole[i][0] == "Drama"][:len(childrens) * 31 // 69]
    selection = sorted(childrens + others)
    assert 0.68 < len(childrens) / len(selection) < 0.70
    raiders = index_of(at, "174")
    assert raiders not in selection
    at.selectbox(key="latent_anchor").set_value(raiders).run()
    at.session_state["latent_subset"] = (at.session_state["mfviz.data"].key, selection)  # as "Map only these"
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    spec = the_map(at)
    part = colours_of(spec)
    assert sorted(part) == selection
    assert {item: whole[item] for item in selection} == part  # each item its genre and colour of the whole map
    assert "Children's" in {name for name, _ in part.values()}
    assert "as on the map of all of them" in next(c.value for c in at.caption if c.value.startswith("Nearby points"))
    framed = [n["hovertext"] for n in spec["layout"]["annotations"]]
    assert len(framed) >= 10 and set(framed) <= {str(inter.titles[i]) for i in selection}
    assert len(framed) == len(set(framed))
    assert any(c.value.startswith("Raiders of the Lost Ark (1981) is not among the "
                                  f"{len(selection)} items on this map") for c in at.caption)
    at.button(key="latent_show_all").click().run()
    at.selectbox(key="latent_anchor").set_value(None).run()


def test_search_rings_popularity_ticks_and_each_title_written_once(movielens):
    at = movielens
    star_wars = index_of(at, "50")
    at.selectbox(key="latent_colour").set_value("popularity").run()
    at.selectbox(key="latent_anchor").set_value(star_wars).run()
    search(at, "star")
    spec = the_map(at)
    traces = {t.get("name"): t for t in spec["data"]}
    rings = {traces[name]["marker"]["line"]["color"] for name in ("search hits", "dot neighbours", "cosine neighbours")}
    assert len(rings) == 3 and {COSINE_COLOUR, DOT_COLOUR} < rings  # search hits apart from both neighbours
    items = traces["items"]
    assert items["showlegend"] is False  # (its swatch, one colour of the scale, was a yellow dot)
    bar = items["marker"]["colorbar"]
    counts = [int(t.replace(",", "")) for t in bar["ticktext"]]
    assert bar["title"]["text"] == labels.POPULARITY_AXIS and counts[:4] == [1, 2, 5, 10] and max(counts) >= 500
    np.testing.assert_allclose(bar["tickvals"], np.log10(1 + np.array(counts)))
    search(at, "")
    at.selectbox(key="latent_colour").set_value(GENRE).run()

    # the Dimensions map wrote Return of the Jedi twice: at the end of dimension 1 and framed as Star Wars' neighbour
    at.radio(key="latent_method").set_value("Dimensions").run()
    spec = chart_titled(at, "Items on the model's dimensions 1 and 2")
    written = [str(t) for trace in spec["data"] if trace.get("name") in ("titles", "search titles") for t in trace["text"]]
    written += [n["hovertext"] for n in spec["layout"]["annotations"]]
    assert "Return of the Jedi (1983)" in written and len(written) == len(set(written)), written
    at.radio(key="latent_method").set_value("PCA").run()
    at.selectbox(key="latent_anchor").set_value(None).run()


def test_taste_axes_between_two_title_searches_as_the_projectors_custom_projection():
    # Genres were the only ends on data with genres: an Embedding Projector user's "Star Trek ← → Star Wars" (two
    # label searches) could not be drawn
    from mfviz.analysis import axis_direction, cosines_with

    at = open_page(new_app(), LATENT)
    at.radio(key="latent_method").set_value("Axes").run()
    assert at.radio(key="axis_kind").options == ["genres", "items", "title searches"]
    at.radio(key="axis_kind").set_value("title searches").run()
    assert any("Type a search for each end" in i.value for i in at.info)  # nothing typed yet: said, no map
    inter = at.session_state["mfviz.data"].interactions
    titles = pd.Series(np.asarray(inter.titles).astype(str))
    left, right = titles[titles.str.contains("Haunted")].index, titles[titles.str.contains("Romance|Kiss", regex=True)].index
    assert len(left) and len(right)
    at.text_input(key="axis_left_search").input("haunted").run()
    at.text_input(key="axis_right_search").input("romance|kiss").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(c.value.startswith(f"← {len(left)} items matching “haunted” · {len(right)} items matching") for c in at.caption)
    entry = at.session_state["mfviz.models"][at.selectbox(key="model_picker").value]
    vectors = entry.model.item_factors
    expected = cosines_with(vectors, axis_direction(vectors, np.asarray(left), np.asarray(right)))
    spec = the_map(at)
    assert spec["layout"]["xaxis"]["title"]["text"].startswith("← “haunted” · · · “romance|kiss” →")
    drawn = {}
    for trace in spec["data"]:
        for row, x in zip((c for c in trace.get("customdata") or []), plotly_array(trace.get("x", [])), strict=False):
            if len(row) == 4:  # an item point (title, colour value, item, hover details)
                drawn[int(row[2])] = x
    some = list(drawn)[:20]
    assert len(some) == 20
    np.testing.assert_allclose([drawn[i] for i in some], expected[some], atol=1e-5)
    # in the link, and a link opened elsewhere draws the same axes
    link = dict(at.query_params)
    assert (link["ends"], link["left"], link["right"]) == ("searches", "haunted", "romance|kiss")
    other = first_visit(LATENT, **link)
    assert not other.exception and not other.warning, [w.value for w in other.warning]
    assert other.radio(key="axis_kind").value == "title searches"
    assert the_map(other)["layout"]["xaxis"]["title"]["text"] == spec["layout"]["xaxis"]["title"]["text"]


def test_a_popularity_colour_bar_from_zero_ticks_in_counts_at_1_2_5_steps():
    # a scale from 0 had the single tick "0" (only the top count reached the 1-2-5 steps): 0, then 1 up to the top
    ticks = map_colours.count_ticks(0.0, np.log10(1 + 999))
    assert ticks["ticktext"] == ["0", "1", "2", "5", "10", "20", "50", "100", "200", "500"]
    np.testing.assert_allclose(ticks["tickvals"], np.log10(1 + np.array([0, 1, 2, 5, 10, 20, 50, 100, 200, 500])))
    assert map_colours.count_ticks(np.log10(1 + 2), np.log10(1 + 60))["ticktext"] == ["2", "5", "10", "20", "50"]
    assert map_colours.count_ticks(0.0, np.log10(1.5))["ticktext"] == ["0"]  # nothing reaches a count of 1
