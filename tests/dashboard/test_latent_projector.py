"""The Latent space page's Embedding Projector options through AppTest: a link carries Spherize, the PCA
components, the neighbour count and the label, and another browser draws that map (the components and their
variance shares against scikit-learn's PCA of the spherized vectors); t-SNE of a few items with its perplexity
clamped and said; links the page cannot follow are named."""

from __future__ import annotations

import numpy as np
import pytest
from test_latent_view import item_ids, the_map
from test_links import first_visit
from test_pages import new_app, open_page, plotly_array, upload
from test_small_data import TINY, map_points, problems

from mfviz.dashboard.map_anchor import legend_name
from mfviz.dashboard.map_colours import column_name
from mfviz.dashboard.map_labels import short_title
from mfviz.dashboard.map_projection import point_label

LATENT = "pages/latent_page.py"


def points(spec: dict) -> tuple[np.ndarray, np.ndarray, list]:
    """The item points of a map's figure: their items, coordinates (x, y) and customdata rows."""
    traces = [t for t in spec["data"] if t.get("mode") == "markers" and t.get("customdata")
              and len(t["customdata"][0]) == 4 and "neighbours" not in t.get("name", "")
              and t.get("marker", {}).get("symbol") != "star"]
    rows = [row for t in traces for row in t["customdata"]]
    items = np.array([int(row[2]) for row in rows])
    xy = np.column_stack([np.concatenate([plotly_array(t[a]) for t in traces]) for a in "xy"])
    return items, xy, rows


def settings_label(at) -> str:
    """The label of the Latent space page's "Map settings" popover."""
    [label] = [block.proto.popover.label for block in at.get("popover")]
    return label


def test_a_link_carries_spherize_the_pca_components_the_neighbour_count_and_the_label():
    from sklearn.decomposition import PCA

    at = open_page(new_app(), LATENT)
    at.checkbox(key="latent_spherize").check().run()
    at.selectbox(key="latent_pca_x").set_value(2).run()
    at.selectbox(key="latent_pca_y").set_value(0).run()
    at.slider(key="latent_k").set_value(20).run()
    at.selectbox(key="latent_label").set_value("genres").run()
    at.selectbox(key="latent_anchor").set_value(5).run()
    link = dict(at.query_params)
    assert {name: link.get(name) for name in ("map", "spherize", "components", "k", "label")} == {
        "map": "pca", "spherize": "on", "components": "3,1", "k": "20", "label": "genres"}

    other = first_visit(LATENT, **link)  # another browser: its own session, nothing remembered
    assert not other.exception and not other.warning, [w.value for w in other.warning]
    assert other.checkbox(key="latent_spherize").value is True and other.slider(key="latent_k").value == 20
    # settings away from their defaults: the popover holding them says so, so the link's components are looked for
    assert settings_label(other) == "Map settings (changed)"
    assert (other.selectbox(key="latent_pca_x").value, other.selectbox(key="latent_pca_y").value) == (2, 0)
    assert dict(other.query_params) == link  # the same view, so the same address

    # the map: PCA of the spherized vectors (centred, unit length) on components 3 and 1, named with their shares
    entry = other.session_state["mfviz.models"][other.selectbox(key="model_picker").value]
    vectors = entry.model.item_factors.astype(np.float64)
    centred = vectors - vectors.mean(axis=0)
    sphered = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    reference = PCA().fit(sphered)
    shares, expected = reference.explained_variance_ratio_, reference.transform(sphered)[:, [2, 0]]
    spec = the_map(other)
    assert spec["layout"]["title"]["text"].startswith("Item vectors (spherized) mapped to 2-D by PCA")
    assert spec["layout"]["xaxis"]["title"]["text"] == f"PCA component #3 ({shares[2]:.1%} of the variance)"
    assert spec["layout"]["yaxis"]["title"]["text"] == f"PCA component #1 ({shares[0]:.1%} of the variance)"
    assert f"Total variance described: {shares[2] + shares[0]:.1%}." in [c.value for c in other.caption]
    items, xy, rows = points(spec)
    signs = np.sign((xy * expected[items]).sum(axis=0))  # a component's sign is a convention
    np.testing.assert_allclose(xy, expected[items] * signs, atol=2e-5)

    # 20 neighbours by each metric, listed and drawn; the points hover with their title and their genres named
    assert len(other.dataframe[0].value) == 20 and len(other.dataframe[1].value) == 20
    assert any("of its 20 cosine neighbours are among its 20 nearest points" in c.value for c in other.caption)
    titles = other.session_state["mfviz.data"].interactions.titles
    genres = other.session_state["mfviz.data"].interactions.items["genres"]
    for item, row in zip(items[:50], rows[:50], strict=True):
        assert row[0] == titles[item] and row[3].startswith(f"<br>genres (combination): {', '.join(genres.iloc[item])}")
    # the clicked item's legend entry is its title; its box on the map its genres, then its title where it fits
    star = next(t for t in spec["data"] if t.get("marker", {}).get("symbol") == "star")
    assert star["name"] == legend_name(titles[5])
    boxes = [a["text"] for a in spec["layout"]["annotations"] if a.get("text", "").startswith("<b>")]
    assert boxes == [f"<b>{point_label(', '.join(genres.iloc[5]), titles[5])}</b>"]
    assert other.selectbox(key="latent_anchor").value == 5 and link["item"] == str(item_ids(other)[5])


def test_links_the_page_cannot_follow_are_named_and_the_defaults_shown():
    at = open_page(new_app(), LATENT)
    link = dict(at.query_params)
    other = first_visit(LATENT, **{**link, "map": "pca", "spherize": "maybe", "components": "1,1", "k": "500",
                                   "label": "no such column", "perplexity": "abc"})
    said = " ".join(w.value for w in other.warning)
    assert "The link's spherize = maybe is neither on nor off" in said
    assert "The link's components = 1,1 are not two or three different component numbers" in said
    assert "The link's k = 500 is not a number from 5 to 50" in said
    assert "The link's label = no such column is not a column of this data's items" in said
    assert "The link's perplexity = abc is not a number from 2 to 100" in said
    assert other.checkbox(key="latent_spherize").value is False and other.slider(key="latent_k").value == 10
    assert (other.selectbox(key="latent_pca_x").value, other.selectbox(key="latent_pca_y").value) == (0, 1)
    assert other.selectbox(key="latent_label").value == "title" and not problems(other)
    # every setting at its default: the popover says nothing more
    assert settings_label(other) == "Map settings"


def test_tsne_of_four_items_clamps_the_perplexity_says_so_and_goes_in_the_link():
    at = new_app()
    upload(at, "tiny.csv", TINY)
    open_page(at, LATENT)
    at.radio(key="latent_method").set_value("t-SNE").run()
    assert not problems(at), problems(at)
    assert sorted(map_points(at).tolist()) == [0, 1, 2, 3]
    assert the_map(at)["layout"]["title"]["text"].startswith("Item vectors mapped to 2-D by t-SNE")
    # 4 items: the Projector's default perplexity (5) is more than (4 − 1) / 3 = 1, said under the settings
    assert at.slider(key="latent_perplexity").value == 5
    assert any("Perplexity 5 is too large for a map of 4 items" in c.value and "uses 1" in c.value for c in at.caption)
    assert at.query_params["map"] == "tsne" and "perplexity" not in at.query_params  # the default: left out
    assert not at.get("progress") and not [s for s in at.get("spinner") if "half a minute" in str(s.proto)]
    at.slider(key="latent_perplexity").set_value(30).run()
    assert at.query_params["perplexity"] == "30" and not problems(at)
    at.toggle(key="latent_3d").set_value(True).run()
    assert not problems(at), problems(at)
    assert the_map(at)["layout"]["title"]["text"].startswith("Item vectors mapped to 3-D by t-SNE")


def test_a_tsne_map_found_made_on_return_says_cached_and_the_seconds_it_took_then(monkeypatch, tmp_path):
    """A t-SNE map made while the user looked at another (its thread goes on when the page moves on) came back
    saying "Projection time 43.1 s", the seconds of the run that made it, for a map that was there at once."""
    from mfviz.analysis.projection import clear_memory_cache
    from mfviz.dashboard import cached_maps

    # no map of these items made before: not in this process's caches, not on disk from an earlier run
    monkeypatch.setenv("MFVIZ_CACHE_DIR", str(tmp_path))
    clear_memory_cache()
    cached_maps.projector_map.clear()
    at = new_app()
    upload(at, "tiny.csv", TINY)
    open_page(at, LATENT)
    at.radio(key="latent_method").set_value("t-SNE").run()
    took = next(m for m in at.metric if m.label == "Projection time").value
    assert took != "cached" and took.endswith(" s"), took  # made in this run: its own seconds
    at.radio(key="latent_method").set_value("PCA").run()
    at.radio(key="latent_method").set_value("t-SNE").run()
    assert not problems(at), problems(at)
    assert next(m for m in at.metric if m.label == "Projection time").value == "cached"
    assert any(c.value == f"made earlier, in {took}" for c in at.caption), took


def test_a_map_is_cached_only_when_it_was_there_before_the_run_asked_for_it():
    from mfviz.analysis.projection import Projection
    from mfviz.dashboard.map_projection import made, ready

    made_then = Projection(np.zeros((3, 2), np.float32), "tsne", {}, 43.1, False)
    assert made(ready(made_then, 0.02)) == ("cached", "made earlier, in 43.1 s")  # a hit of the page's cache
    assert made(ready(made_then, 12.0)) == ("cached", "made earlier, in 43.1 s")  # its last 12 s waited on
    assert made(ready(made_then, 43.3)) == ("43.1 s", None)  # made while this run waited
    assert made(ready(Projection(made_then.coords, "umap", {}, 0.0, True), 0.01)) == ("cached", None)  # from disk
    # the line follows the seconds as the card wrote them when the map was made: "0.1 s" then, "made earlier, in
    # 0.1 s" now (a t-SNE of 0.097 s had none, and a test timing it failed by chance)
    quick = Projection(made_then.coords, "tsne", {}, 0.097, False)
    assert made(ready(quick, 0.2)) == ("0.1 s", None)
    assert made(ready(quick, 0.0)) == ("cached", "made earlier, in 0.1 s")
    assert made(ready(Projection(made_then.coords, "tsne", {}, 0.04, False), 0.0)) == ("cached", None)
    assert made(ready(Projection(made_then.coords, "umap", {}, 6.5, False, True), 6.6)) == \
        ("6.5 s", "incl. first-use compile: the next maps take less")


def test_labels_from_another_column_read_as_people_write_them_and_keep_the_title():
    import pandas as pd

    from mfviz.dashboard.map_projection import labelled

    table = pd.DataFrame({"item": [0, 1, 2], "title": ["A", "B", "C"], "year": [1995.0, np.nan, 2001.0],
                          "price": [1.5, 2.25, np.nan], "genres": ["Drama", "", "Comedy, War"]})
    assert labelled(table, "title") is table
    assert labelled(table, "year")["label"].tolist() == ["1995 · A", "(none) · B", "2001 · C"]  # not 1995.0
    assert labelled(table, "price")["label"].tolist() == ["1.5 · A", "2.25 · B", "(none) · C"]
    named = labelled(table, "genres", "genres (combination)")
    assert named["label"].tolist() == ["Drama · A", "(none) · B", "Comedy, War · C"]
    assert named["title"].tolist() == ["A", "B", "C"]  # the title stays the title: legend, hover, search
    assert named["label_line"].tolist() == ["genres (combination): Drama", "genres (combination): (none)",
                                            "genres (combination): Comedy, War"]


def test_a_point_label_keeps_whole_words_and_the_title_where_there_is_room():
    # 34 characters at most (LABEL_CHARS): the value, then the title where it fits
    assert point_label("01-Jan-1977", "Star Wars (1977)") == "01-Jan-1977 · Star Wars (1977)"
    assert point_label("01-Jan-1982", "Star Trek: The Wrath of Khan (1982)") == "01-Jan-1982 · Star Trek: The…"
    # a value too long for a word of the title beside it: the value alone, cut after a whole part of it
    url = "http://us.imdb.com/M/title-exact?Star%20Wars%20(1977)"
    assert point_label(url, "Star Wars (1977)") == "http://us.imdb.com/M/title-exact…"
    assert short_title("Star Trek: The Wrath of Khan (1982)") == "Star Trek: The Wrath of Khan…"
    assert short_title("01-Jan-1982") == "01-Jan-1982"  # short enough: whole
    for text in ("Star Trek: The Wrath of Khan (1982)", "Some Folks Call It a Sling Blade (1993) and more", url):
        cut = short_title(text)
        assert len(cut) <= 34 and text.startswith(cut[:-1]) and text[len(cut) - 1] in " /-?&"  # at a break


def test_colour_by_and_label_by_name_a_column_alike():
    assert [column_name(c) for c in ("norm", "popularity", "first_genre", "item_id", "release_date", "imdb_url",
                                     "title")] == ["vector length", "popularity (interactions)", "genre (first listed)",
                                                   "item id", "release date", "imdb url", "title"]


def test_tsne_waits_under_a_progress_line_sized_by_its_items_umap_and_pca_do_not():
    from mfviz.dashboard import cached_maps

    vectors = np.zeros((1657, 32))
    args = ("model", vectors, "tsne", 15, 0.1)
    assert cached_maps._tsne_units(*args, 2, 11.0, False, None) == 1657
    assert cached_maps._tsne_units(*args, 3, 11.0, False, None) == pytest.approx(1657 * 1.1)
    assert cached_maps._tsne_units("model", vectors, "umap", 15, 0.1, 2, None, False, None) == 0
    assert cached_maps._tsne_units("model", vectors, "pca", 15, 0.1, 3, None, True, (2, 0, 1)) == 0
    assert cached_maps._tsne_words(*args, 3, 11.0, False, None) == \
        "Running t-SNE on 1,657 items (3-D, perplexity 11; once per model and setting)"
