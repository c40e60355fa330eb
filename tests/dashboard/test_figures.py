"""Figure builders, state helpers and cached exports of the dashboard, without Streamlit running."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from mfviz.dashboard import (
    figures,
    latent_charts,
    map_anchor,
    map_colours,
    map_figures,
    map_labels,
    map_points,
    state,
    title_search,
    train_figures,
)


def assert_labelled(chart: figures.Chart) -> None:
    layout = chart.figure.layout
    assert layout.title.text, "every figure needs a title"
    assert layout.xaxis.title.text and layout.yaxis.title.text, "every figure needs axis labels"
    assert chart.caption.endswith(".") and len(chart.caption.split()) >= 8


def test_every_builder_labels_its_figure():
    rng = np.random.default_rng(0)
    popularity = rng.zipf(1.5, 300).clip(max=5000)
    table = pd.DataFrame({"x": rng.normal(size=300), "y": rng.normal(size=300), "item": np.arange(300),
                          "title": [f"item {i}" for i in range(300)], "popularity": popularity,
                          "norm": rng.random(300), "first_genre": rng.choice(["a", "b", "c"], 300)})
    neighbours = pd.DataFrame({"rank": [1, 2, 3], "title": ["a", "b", "c"], "popularity": [5, 10, 20]})
    report_table = pd.DataFrame({"model": ["Popularity", "iALS"], "arp": [300.0, 120.0], "aplt": [0.0, 0.2],
                                 "coverage": [0.01, 0.4], "gini": [0.99, 0.7]})
    charts = [
        train_figures.loss_curve([(1, 3.0, 0.1), (2, 2.0, 0.2)], "model"),
        train_figures.model_comparison(pd.DataFrame({"model": ["a", "b"], "fit_seconds": [1.0, 2.0],
                                               "ndcg@10": [0.1, 0.2]}), "ndcg@10"),
        map_figures.latent_scatter(table, "popularity", highlight=[1, 2]),
        map_figures.latent_scatter(table, "first_genre", continuous=False),
        figures.neighbour_popularity(neighbours, neighbours.assign(popularity=[50, 60, 70]), "x"),
        figures.popularity_ratio_histogram(pd.DataFrame({"ratio": [0.5, 1.0, 2.0, 4.0]}), "ratio"),
        figures.data_spectrum_chart(np.array([10.0, 5.0, 2.0]), np.array([0.7, 0.9, 1.0]), {0.5: 1, 0.8: 2, 0.9: 2}),
        figures.model_spectra_chart({"m": np.array([3.0, 1.0])}, np.array([10.0, 5.0])),
        *(figures.bias_bars(report_table, metric) for metric in figures.BIAS_METRICS),
        figures.group_lift_chart({"iALS": pd.DataFrame({"group": ["niche", "blockbuster"], "lift": [0.5, 0.1]})}),
        figures.recommendation_lorenz({"iALS": rng.integers(0, 10, 100)}),
        figures.norm_popularity(rng.random(100), rng.integers(0, 50, 100), "iALS"),
        train_figures.sweep_chart("factors", [16, 8, 128], [0.2, 0.1, 0.25], [1.0, 0.5, 4.0], "ndcg@10"),
    ]
    for chart in charts:
        assert_labelled(chart)


def test_many_points_are_drawn_with_webgl():
    n = figures.WEBGL_ABOVE + 1
    table = pd.DataFrame({"x": np.zeros(n), "y": np.zeros(n), "item": np.arange(n), "title": ["t"] * n,
                          "popularity": np.ones(n)})
    assert map_figures.latent_scatter(table, "popularity").figure.data[0].type == "scattergl"
    assert map_figures.latent_scatter(table.head(10), "popularity").figure.data[0].type == "scatter"


def test_a_projections_caption_and_axes_say_what_its_distances_mean():
    table = pd.DataFrame({"x": [0.0, 1, 2], "y": [0.0, 1, 0], "item": [0, 1, 2], "title": ["a", "b", "c"],
                          "popularity": [1, 2, 3]})
    umap, pca = (map_figures.latent_scatter(table, "popularity", method=method) for method in ("UMAP", "PCA"))
    assert "mean little in UMAP" in umap.caption and umap.figure.layout.xaxis.title.text == "UMAP 1 (arbitrary units)"
    assert "UMAP" not in pca.caption and "points far apart are far apart in latent space" in pca.caption
    assert pca.figure.layout.xaxis.title.text == "PCA 1 (the vectors' own units)"


def test_which_list_leans_popular_is_said_as_the_numbers_show():
    # a reviewer's user: cosine 1,064 against dot 975, under a fixed "cosine removes the popularity part"
    assert figures.length_lean(1064.0, 975.0, "recommendation").startswith(
        "Here the cosine recommendations are the more popular (mean popularity, cosine: 1,064 interactions, dot product: 975)")
    assert figures.length_lean(500.0, 1200.0, "neighbour").startswith(
        "Here the dot-product neighbours are the more popular (mean popularity, cosine: 500 interactions, dot product: 1,200)")
    assert figures.length_lean(1000.0, 1040.0, "neighbour").startswith("Here both neighbour lists are about as popular")
    cosine = pd.DataFrame({"rank": [1, 2], "title": ["a", "b"], "popularity": [300, 100]})
    chart = figures.neighbour_popularity(cosine, cosine.assign(popularity=[20, 30]), "x")  # 200 vs 25
    assert "Here the cosine neighbours are the more popular" in chart.caption
    assert "rewards long (popular)" not in chart.caption


def test_the_twelve_largest_groups_get_their_own_colours_and_the_rest_is_other():
    sizes = np.arange(14, 0, -1)  # group g has 14 - g items: the two smallest share "other"
    groups = np.repeat([f"g{g:02d}" for g in range(14)], sizes)
    n = groups.size
    table = pd.DataFrame({"x": np.zeros(n), "y": np.zeros(n), "item": np.arange(n), "title": ["t"] * n,
                          "genre": groups})
    traces = map_figures.latent_scatter(table, "genre", continuous=False).figure.data
    assert [t.name for t in traces] == [f"g{g:02d}" for g in range(12)] + ["other"]
    colours = [t.marker.color for t in traces]
    assert len(set(colours)) == 13 and colours[-1] == "#c8c8c8"
    assert len(traces[-1].x) == sizes[12] + sizes[13]


def test_a_selection_maps_back_to_item_indices():
    table = pd.DataFrame({"x": [0.0, 1, 2, 3], "y": [0.0, 1, 2, 3], "item": [10, 11, 12, 13],
                          "title": list("abcd"), "genre": ["x", "y", "x", "y"]})
    chart = map_figures.latent_scatter(table, "genre", continuous=False)
    # traces are sorted by group: "x" holds items 10, 12 and "y" holds 11, 13
    selection = {"points": [{"curve_number": 1, "point_index": 1}, {"curve_number": 0, "point_index": 0},
                            {"curve_number": 0, "point_index": 0}]}
    assert map_points.selected_items(chart, selection) == [13, 10]
    assert map_points.selected_items(chart, None) == []


def test_content_hashes_follow_content_not_identity():
    a = np.arange(10, dtype=np.float32)
    assert state.array_hash(a) == state.array_hash(a.copy())
    assert state.array_hash(a) != state.array_hash(a + 1)
    assert state.array_hash(a) != state.array_hash(a.astype(np.float64))
    assert state.bytes_hash(b"x") != state.bytes_hash(b"y")


@pytest.mark.parametrize("base, taken, expected", [
    ("m", (), "m"), ("m", ("m",), "m #2"), ("m", ("m", "m #2"), "m #3"),
    ("ALS (f=8)", ("ALS (f=8)",), "ALS #2 (f=8)"),  # before the brackets, which a narrow picker cuts
    ("ALS (f=8)", ("ALS (f=8)", "ALS #2 (f=8)"), "ALS #3 (f=8)")])
def test_unique_names(base, taken, expected):
    assert state.unique_name(base, taken) == expected


def test_curves_are_thinned_to_a_few_hundred_points_keeping_both_ends():
    curve_points, recommendation_lorenz = figures.curve_points, figures.recommendation_lorenz
    x = np.linspace(0, 100, 5_001)
    thin_x, thin_y = curve_points(x, x**2 / 100, points=400)
    assert len(thin_x) <= 400 and thin_x[0] == 0 and thin_x[-1] == 100 and thin_y[-1] == 100
    assert np.all(np.diff(thin_x) > 0)
    assert curve_points(np.array([1.0, 2.0]), np.array([3.0, 4.0]))[0].tolist() == [1.0, 2.0]
    popularity = np.arange(5_000, 0, -1)
    lorenz = recommendation_lorenz({"m": popularity}).figure
    assert len(lorenz.data[1].x) <= 400 and lorenz.data[1].y[-1] == 100


def test_every_chart_uses_the_white_template():
    chart = train_figures.loss_curve([(1, 3.0, 0.1), (2, 2.0, 0.2)], "model")
    assert chart.figure.layout.template.layout.plot_bgcolor == "white"


def test_margins_leave_room_so_plotly_draws_once():
    """Plotly widens a margin that is too small for the labels and then draws the figure again;
    the builders reserve the room instead (checked in Chromium: no chart's margins grow)."""
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"x": rng.normal(size=50), "y": rng.normal(size=50), "item": np.arange(50),
                          "title": [f"item {i}" for i in range(50)], "popularity": rng.integers(1, 99, 50),
                          "genre": rng.choice(["Documentary", "Drama"], 50)})
    plain = figures.popularity_ratio_histogram(pd.DataFrame({"ratio": [0.5, 1.0, 2.0]}), "ratio").figure.layout.margin
    assert (plain.l, plain.b, plain.r) == (figures.MARGIN_LEFT, figures.MARGIN_BOTTOM, figures.MARGIN_RIGHT)
    # the maps keep the room a click's legend entries need (map_anchor.LEGEND_TITLE characters), more than their
    # genres' entries or a colour bar take
    room = figures.legend_room(["x" * map_anchor.LEGEND_TITLE])
    by_genre = map_figures.latent_scatter(table, "genre", continuous=False).figure.layout.margin
    assert by_genre.r == room > figures.legend_room(["Documentary", "Drama"]) > figures.MARGIN_RIGHT
    by_popularity = map_figures.latent_scatter(table, "popularity").figure.layout.margin
    assert by_popularity.r == room > figures.COLORBAR_ROOM  # one trace, no legend: room for the colour bar and more
    assert figures.legend_room(["a much longer model name"]) > figures.legend_room(["short"])
    lorenz = figures.recommendation_lorenz({"a model": rng.integers(0, 9, 40)}).figure.layout
    assert lorenz.legend.x < 0.5 and lorenz.margin.r == figures.MARGIN_RIGHT  # legend inside, top left


def test_neighbour_lines_join_the_anchor_to_each_neighbour_and_selections_skip_the_gaps():
    table = pd.DataFrame({"x": [0.0, 1, 2, 3, 4], "y": [0.0, 1, 0, 1, 0], "item": [0, 1, 2, 3, 4],
                          "title": list("abcde"), "popularity": [5, 4, 3, 2, 1]})
    chart = map_figures.latent_scatter(table, "popularity", anchor=2, neighbours={"cosine": np.array([1, 3]),
                                                                            "dot": np.array([0])})
    lines = [t for t in chart.figure.data if t.mode == "lines"]
    assert len(lines) == 2
    # cosine: (2 → 1), gap, (2 → 3), gap
    np.testing.assert_array_equal(lines[0].x, [2, 1, np.nan, 2, 3, np.nan])
    np.testing.assert_array_equal(lines[0].y, [0, 1, np.nan, 0, 1, np.nan])
    names = [t.name for t in chart.figure.data]
    assert "cosine neighbours" in names and "dot neighbours" in names and names[-1] == "c"
    assert len(chart.trace_items) == len(chart.figure.data)
    line = list(chart.figure.data).index(lines[0])
    selection = {"points": [{"curve_number": line, "point_index": 1}, {"curve_number": line, "point_index": 2},
                            {"curve_number": len(names) - 1, "point_index": 0}]}
    assert map_points.selected_items(chart, selection) == [1, 2]  # the gap (index 2) is no item
    # a long title is cut in the legend (at 40 characters it narrowed the map), not on the map
    table.loc[2, "title"] = "Willy Wonka and the Chocolate Factory (1971)"
    chart = map_figures.latent_scatter(table, "popularity", anchor=2, neighbours={"cosine": np.array([1])})
    assert chart.figure.data[-1].name == "Willy Wonka and…"  # within 20 characters, after a whole word
    assert map_anchor.legend_name("Heat (1995)") == "Heat (1995)"



def test_neighbours_hidden_under_the_star_are_drawn_on_a_ring_around_it():
    # A popular item's neighbours sat under its star on the PCA map: no ring or line could be seen.
    table = pd.DataFrame({"x": [0.0, 0.001, -0.002, 0.0, 10.0, 5.0], "y": [0.0, 0.0, 0.001, 0.0, 10.0, 5.0],
                          "item": [0, 1, 2, 3, 4, 5], "title": list("abcdef"), "popularity": [6, 5, 4, 3, 2, 1]})
    chart = map_figures.latent_scatter(table, "popularity", anchor=0,
                                       neighbours={"cosine": np.array([1, 2, 5]), "dot": np.array([3, 1])})
    rings = {t.name: t for t in chart.figure.data if t.name in ("cosine neighbours", "dot neighbours")}
    drawn = {int(item): (x, y) for t in rings.values()
             for x, y, item in zip(t.x, t.y, t.customdata[:, 2], strict=True)}
    radius = map_anchor.RING * 10  # the map spans 10 × 10
    for item in (1, 2, 3):  # within 3% of the map of the star: on the ring, each in its own place
        assert np.hypot(*drawn[item]) == pytest.approx(radius, rel=1e-3)
    assert len({drawn[i] for i in (1, 2, 3)}) == 3
    assert drawn[1] == pytest.approx((0.0, radius), rel=1e-3)  # the nearest cosine neighbour at the top
    assert drawn[5] == (5.0, 5.0)  # far from the star: where the map put it
    # an item in both lists is drawn at the same place in both, and the lines end where the rings are
    assert list(rings["dot neighbours"].x)[1] == rings["cosine neighbours"].x[0]
    lines = [t for t in chart.figure.data if t.mode == "lines"]
    np.testing.assert_allclose(lines[0].x[1::3], rings["cosine neighbours"].x)
    assert "under the star on the map: drawn around it" in rings["cosine neighbours"].text[0]
    assert "3 of the star's neighbours sit under it on this map" in chart.caption
    assert map_points.clicked_item({"selection": {"points": [{"customdata": list(
        rings["cosine neighbours"].customdata[1])}]}}) == 2  # a click on a ring still names its item
    far = map_figures.latent_scatter(table, "popularity", anchor=4, neighbours={"cosine": np.array([5])})
    assert "under it" not in far.caption


def test_a_search_circles_every_hit_but_writes_only_a_few_titles_none_over_another():
    # "Harbor" wrote 20 titles on top of one another, unreadable
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"x": np.r_[rng.normal(0, 0.01, 20), 0.0, 10.0], "y": np.r_[rng.normal(0, 0.01, 20), 10.0, 0.0],
                          "item": np.arange(22), "title": [f"Harbor {i}" for i in range(22)], "popularity": 1.0})
    hits = list(range(20))
    chart = map_figures.latent_scatter(table, "popularity", highlight=hits)
    rings = next(t for t in chart.figure.data if t.name == "search hits")
    assert len(rings.x) == 20 and rings.mode == "markers"  # every hit circled, no title on the circles
    titles = next(t for t in chart.figure.data if t.name == "search titles")
    assert list(titles.text) == ["Harbor 0"]  # the 20 sit within 3% of the map: one title, the first hit's
    assert "20 matches circled, 1 of their titles written on the map" in chart.caption
    spread = map_figures.latent_scatter(table, "popularity", highlight=[21, 20, 0])  # far apart: all three
    assert list(next(t for t in spread.figure.data if t.name == "search titles").text) == [
        "Harbor 21", "Harbor 20", "Harbor 0"]
    assert len(chart.trace_items) == len(chart.figure.data)


def test_items_are_coloured_by_their_least_common_genre_among_the_most_common_so_every_one_shows():
    # Colour by the first listed genre: with alphabetical lists Romance, Sci-Fi, Thriller, War and
    # Western fell into "other" on MovieLens 100K (a Romance is nearly always a Comedy or a Drama first).
    genres = pd.Series(["Comedy, Romance", "Comedy, Drama, Romance, War", "Drama", "Comedy, Drama", "", "Western",
                        "Comedy"])
    # counts: Comedy 4, Drama 3, Romance 2, War 1, Western 1; 4 colours, one for "(none)": 3 genres show
    shown, count = map_colours.distinctive_genre(genres, top=4)
    assert shown.tolist() == ["Romance", "Romance", "Drama", "Drama", "(none)", "other", "Comedy"] and count == 3
    everything, count = map_colours.distinctive_genre(genres)  # 12 colours: every genre can show
    assert everything.tolist() == ["Romance", "War", "Drama", "Drama", "(none)", "Western", "Comedy"]
    table = pd.DataFrame({"x": np.arange(7.0), "y": np.arange(7.0), "item": np.arange(7), "title": list("abcdefg"),
                          map_colours.GENRE_COLUMN: shown})
    chart = map_figures.latent_scatter(table, map_colours.GENRE_COLUMN, continuous=False)
    assert [t.name for t in chart.figure.data] == ["(none)", "Comedy", "Drama", "Romance", "other"]
    assert chart.figure.layout.legend.title.text == "genre (its least common)"
    assert "each item's least common genre among the 3 most common on the map" in chart.caption


def test_a_genre_keeps_its_colour_whichever_genre_colouring_is_picked():
    # By name order alone, Drama was the 3rd colour of the least-common colouring (after Action, Comedy)
    # and the 2nd of the first-listed one (no Action there): one genre, two colours.
    least = pd.Series(["Action", "Comedy", "Drama", "Romance", "Romance", "War"])
    first = pd.Series(["Comedy", "Drama", "Comedy", "Drama", "Drama", "Western"])
    palette = list(map_colours.GROUP_PALETTE)
    alone = map_colours.colour_key(first, "first", False)
    assert list(alone.groups.items()) == [("Comedy", palette[0]), ("Drama", palette[1]), ("Western", palette[2])]
    least_key = map_colours.colour_key(least, "least", False)
    first_key = map_colours.colour_key(first, "first", False, like=least_key)
    assert first_key.groups["Comedy"] == least_key.groups["Comedy"] == palette[1]
    assert first_key.groups["Drama"] == least_key.groups["Drama"] == palette[2]
    # a genre of the first colouring only takes a colour the other leaves free (Action..War take 0-4)
    assert first_key.groups["Western"] == palette[5]
    # when the other colouring uses all twelve, a new genre takes the colour of one absent here
    twelve = map_colours.colour_key(pd.Series([f"g{n:02d}" for n in range(12)]), "least", False)
    mixed = map_colours.colour_key(pd.Series(["g00", "g01", "zz"]), "first", False, like=twelve)
    assert mixed.groups == {"g00": palette[0], "g01": palette[1], "zz": palette[2]}


@pytest.mark.parametrize("colour, continuous", [("popularity", True), ("genre", False)])
def test_every_item_point_carries_its_item_so_a_click_names_it(colour, continuous):
    table = pd.DataFrame({"x": [0.0, 1, 2, 3, 4], "y": [0.0, 1, 0, 1, 0], "item": [7, 1, 2, 3, 9],
                          "title": list("abcde"), "popularity": [5, 4, 3, 2, 1], "genre": list("xyxyx")})
    chart = map_figures.latent_scatter(table, colour, continuous=continuous, anchor=2,
                                   neighbours={"cosine": np.array([1, 3]), "dot": np.array([9])})
    clickable = 0
    for trace, items in zip(chart.figure.data, chart.trace_items, strict=True):
        if trace.mode == "lines":  # hoverinfo skip: not clickable
            continue
        # the click's customdata, as Streamlit passes it on: the point's row of the trace's customdata
        for row, item in zip(trace.customdata, items, strict=True):
            clickable += 1
            state = {"selection": {"points": [{"curve_number": 0, "point_index": 0, "customdata": list(row)}],
                                   "box": [], "lasso": []}}
            assert map_points.clicked_item(state) == item
    assert clickable == 5 + 2 + 1 + 1  # every item, the 3 neighbour rings, the anchor's star


def test_an_item_hovers_with_all_its_genres_and_its_interactions(monkeypatch):
    # The hover showed the title and one genre (the colour's); the Embedding Projector shows an item's metadata.
    table = pd.DataFrame({"x": [0.0, 1, 2], "y": [0.0, 1, 0], "item": [0, 1, 2], "title": list("abc"),
                          "popularity": [1234, 1, 0], "genres": ["Action, Sci-Fi", "", "Drama"],
                          "genre": ["Sci-Fi", "(none)", "Drama"]})
    for figure in (map_figures.latent_scatter(table, "genre", continuous=False).figure,
                   map_figures.latent_scatter_3d(table.assign(z=0.0), "genre", continuous=False).figure):
        hovered = {row[0]: row[3] for t in figure.data for row in t.customdata}
        assert hovered == {"a": "<br>Action, Sci-Fi<br>popularity 1,234", "b": "<br>popularity 1",
                           "c": "<br>Drama<br>popularity 0"}
        assert all(t.hovertemplate.endswith("%{customdata[3]}<extra></extra>") for t in figure.data)
    # coloured by popularity, the count is the colour's value already: not said twice
    by_count = map_figures.latent_scatter(table, "popularity", continuous=True).figure
    assert {row[0]: row[3] for t in by_count.data for row in t.customdata}["a"] == "<br>Action, Sci-Fi"
    # a map of more items than HOVER_DETAILS_UP_TO hovers without them (on 100,000 they doubled the figure)
    monkeypatch.setattr(map_figures, "HOVER_DETAILS_UP_TO", 2)
    bare = map_figures.latent_scatter(table, "genre", continuous=False).figure
    assert {row[3] for t in bare.data for row in t.customdata} == {""}
    bare = map_figures.latent_scatter_3d(table.assign(z=0.0), "genre", continuous=False).figure  # in 3-D too
    assert {row[3] for t in bare.data for row in t.customdata} == {""}


def test_an_item_without_genres_hovers_without_them_and_a_genre_colour_is_not_said_twice():
    # The Recommend page's new item joins the map's table as a row of its own, with no genres (NaN after the concat)
    table = pd.DataFrame({"x": [0.0, 1], "y": [0.0, 1], "item": [0, 1], "title": ["a", "b"], "popularity": [12, 3],
                          "genres": ["Action, Sci-Fi", "Drama"], "genre": ["Sci-Fi", "Drama"]})
    shown = pd.concat([table, pd.DataFrame([{"x": 0.5, "y": 0.5, "item": -2, "title": "★ the new item",
                                             "popularity": 4, "genre": "(the new item)"}])], ignore_index=True)
    figure = map_figures.latent_scatter(shown, "genre", continuous=False).figure
    hovered = {row[0]: row[3] for t in figure.data for row in t.customdata}
    assert hovered["★ the new item"] == "<br>popularity 4" and hovered["a"] == "<br>Action, Sci-Fi<br>popularity 12"
    # coloured by the genres (the combination): the hover's colour line says them, the details add the count only
    figure = map_figures.latent_scatter(table, "genres", continuous=False).figure
    hovered = {row[0]: (row[1], row[3]) for t in figure.data for row in t.customdata}
    assert hovered == {"a": ("Action, Sci-Fi", "<br>popularity 12"), "b": ("Drama", "<br>popularity 3")}


def test_a_3d_popularity_axis_ticks_in_interactions_as_the_2d_one_does():
    counts = np.array([1, 9, 99, 999])
    table = pd.DataFrame({"x": [0.0, 1, 2, 3], "y": np.log10(1 + counts), "z": [0.0, 1, 0, 1], "item": range(4),
                          "title": list("abcd"), "popularity": counts})
    axes = map_figures.MapAxes("Items", "dimension 1", "popularity (interactions, log scale)", "The caption.",
                               z="dimension 2", y_counts=True)
    flat = map_figures.latent_scatter(table, "popularity", axes=axes).figure.layout.yaxis
    deep = map_figures.latent_scatter_3d(table, "popularity", axes=axes).figure.layout.scene.yaxis
    shown = [int(text.replace(",", "")) for text in deep.ticktext]
    assert shown[0] == 1 and 500 in shown and all(1 <= c <= 999 for c in shown)  # counts, not 0 … 3
    np.testing.assert_allclose(deep.tickvals, np.log10(1 + np.array(shown, float)))
    assert list(deep.ticktext) == list(flat.ticktext)


def test_only_a_single_click_counts_as_a_click():
    point = {"curve_number": 0, "point_index": 0, "customdata": ["a", "5", "12"]}
    assert map_points.clicked_item({"selection": {"points": [point], "box": [], "lasso": []}}) == 12
    assert map_points.clicked_item({"selection": {"points": [point], "box": [{"x": [0, 1], "y": [0, 1]}],
                                               "lasso": []}}) is None  # a box around one point
    assert map_points.clicked_item({"selection": {"points": [point, point], "box": [], "lasso": []}}) is None
    assert map_points.clicked_item({"selection": {"points": [], "box": [], "lasso": []}}) is None
    assert map_points.clicked_item({"selection": {"points": [{"curve_number": 0}]}}) is None  # no customdata
    assert map_points.clicked_item({"selection": {"points": [{"customdata": ["users", "-1"]}]}}) is None
    assert map_points.clicked_item(None) is None


def test_the_3d_map_draws_every_item_once_and_joins_the_anchor_to_its_neighbours():
    rng = np.random.default_rng(3)
    table = pd.DataFrame({"x": rng.normal(size=6), "y": rng.normal(size=6), "z": rng.normal(size=6),
                          "item": np.arange(6), "title": list("abcdef"), "genre": list("xxyyzz"),
                          "popularity": [6, 5, 4, 3, 2, 1]})
    chart = map_figures.latent_scatter_3d(table, "genre", highlight=[4], continuous=False, anchor=1,
                                      neighbours={"cosine": np.array([0, 5]), "dot": np.array([3])})
    scene = chart.figure.layout.scene
    assert scene.xaxis.title.text == "UMAP 1" and scene.zaxis.title.text == "UMAP 3"
    traces = {t.name: t for t in chart.figure.data if t.name}
    items = [t for t in chart.figure.data if t.name in ("x", "y", "z")]
    assert sorted(int(i) for t in items for i in t.customdata[:, 2]) == list(range(6))
    for t in items:  # each point where the table puts its item
        rows = t.customdata[:, 2].astype(int)
        np.testing.assert_allclose(t.z, table["z"].to_numpy()[rows])
    lines = [t for t in chart.figure.data if t.mode == "lines"]
    np.testing.assert_allclose(lines[0].x, [table.x[1], table.x[0], np.nan, table.x[1], table.x[5], np.nan])
    np.testing.assert_allclose(lines[1].z, [table.z[1], table.z[3], np.nan])
    assert list(traces["search hits"].text) == ["e"] and traces["b"].marker.symbol == "diamond"
    # titles on the map, each at its own point in 3-D (they follow it as the map turns): the star's in bold,
    # then its nearest, cosine framed blue, dot product red (one in both: blue, as on the 2-D map), none twice;
    # by cosine in a column on the right, by dot product on the left
    notes = chart.figure.layout.scene.annotations
    assert [n.text for n in notes] == ["<b>b</b>", "a", "f", "d"]
    assert [n.bordercolor for n in notes] == ["#111111", figures.COSINE_COLOUR, figures.COSINE_COLOUR,
                                              figures.DOT_COLOUR]
    assert notes[1].ax > 0 and notes[2].ax > 0 and notes[3].ax < 0 and notes[2].ay > notes[1].ay
    for note in notes:
        row = table[table.title == note.text.replace("<b>", "").replace("</b>", "")].iloc[0]
        assert (note.x, note.y, note.z) == (row.x, row.y, row.z)
    assert len({(n.ax, n.ay) for n in notes}) == 4 and notes[0].ay < 0  # fanned out, the star's above it
    assert "The titles of the star and of its nearest neighbours" in chart.caption
    chart = map_figures.latent_scatter_3d(table, "popularity")
    assert len(chart.figure.data) == 1 and chart.figure.data[0].type == "scatter3d"
    assert not chart.figure.layout.scene.annotations and "titles of the star" not in chart.caption
    # the colour bar keeps to the lower half of the right side: the legend's entries (neighbours, the star)
    # were written over it (seen on MovieLens 100K coloured by popularity, in 2-D and 3-D)
    bar = chart.figure.data[0].marker.colorbar
    assert (bar.y, bar.yanchor) == (0, "bottom") and bar.len <= 0.6

@pytest.mark.parametrize("values, expected", [
    ([48.0, 690.0], [50, 100, 200, 500]),
    ([0.07, 1.0], [0.1, 0.2, 0.5, 1]),
    ([1.0, 2_000_000.0], [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]),
    ([3.1, 3.9], [3.1, 3.9]),
])
def test_log_axes_are_labelled_with_plain_numbers_at_1_2_5_steps(values, expected):
    ticks = figures.log_ticks(np.array(values))
    assert ticks["type"] == "log"
    np.testing.assert_allclose(ticks["tickvals"], expected)
    assert ticks["ticktext"] == [f"{t:,.6g}" for t in expected]


def test_log_ticks_ignore_zeros_and_empty_input():
    assert figures.log_ticks(np.array([0.0, -1.0])) == {}
    np.testing.assert_allclose(figures.log_ticks(np.array([0.0, 1.0, 10.0]))["tickvals"], [1, 2, 5, 10])


def test_titles_written_on_the_map_leave_out_those_that_would_overlap():
    table = pd.DataFrame({"item": [0, 1, 2, 3, 4], "x": [0.0, 0.2, 1.0, 0.5, 0.25], "y": [0.0, 0.02, 1.0, 0.5, 0.1],
                          "title": ["a", "b", "c", "d", "e"], "genre": ["g"] * 5})
    chart = map_figures.latent_scatter(table, "genre", continuous=False,
                                   labelled={1: "top center", 0: "top center", 2: "middle left", 4: "top center"})
    text = next(t for t in chart.figure.data if t.mode == "text")
    # item 0 is level with item 1 (2% of the height apart) and 20% of the width to its left: their
    # titles would overlap, so the later one is left out; item 4 is as close across but 10% higher: kept
    assert list(text.text) == ["b", "c", "e"]
    assert list(text.textposition) == ["top center", "middle left", "top center"]
    assert chart.trace_items[-1].tolist() == [1, 2, 4]


def test_the_comparison_names_a_few_models_on_the_chart_and_many_in_a_legend():
    def chart(n):
        return train_figures.model_comparison(pd.DataFrame({"model": [f"m{i}" for i in range(n)],
                                                      "fit_seconds": np.arange(n, dtype=float),
                                                      "ndcg@10": np.linspace(0.1, 0.2, n)}), "ndcg@10").figure
    few, many = chart(4), chart(6)
    assert all(t.mode == "markers+text" for t in few.data) and few.layout.showlegend is False
    assert all(t.mode == "markers" for t in many.data) and many.layout.showlegend is True
    assert [t.name for t in many.data] == [f"m{i}" for i in range(6)]


def test_the_comparison_draws_the_popularity_baseline_as_a_line_the_models_are_read_against():
    models = pd.DataFrame({"model": ["iALS", "SVD"], "fit_seconds": [2.0, 1.0], "ndcg@10": [0.127, 0.083]})
    baseline = pd.DataFrame({"model": ["Popularity (baseline)"], "fit_seconds": [0.01], "ndcg@10": [0.227]})
    chart = train_figures.model_comparison(models, "ndcg@10", baseline)
    lines = [shape for shape in chart.figure.layout.shapes if shape.y0 == shape.y1]
    assert [line.y0 for line in lines] == [0.227] and lines[0].line.dash == "dash"
    point = chart.figure.data[-1]
    assert point.name == "Popularity (baseline)" and point.marker.symbol == "diamond"
    low, high = chart.figure.layout.yaxis.range
    assert low < 0.083 and high > 0.227  # the baseline, far above the models, is on the chart
    assert "grey dashed line is the Popularity baseline" in chart.caption and "above it beats it" in chart.caption


def test_users_under_the_map_are_never_selected_as_items():
    table = pd.DataFrame({"item": [0, 1], "x": [0.0, 1.0], "y": [0.0, 1.0], "title": ["a", "b"], "genre": ["g", "g"]})
    chart = map_figures.latent_scatter(table, "genre", continuous=False, users=np.array([[0.5, 0.5], [0.2, 0.1]]))
    assert chart.figure.data[0].name == "users" and len(chart.figure.data[0].x) == 2
    selection = {"points": [{"curve_number": 0, "point_index": 1}, {"curve_number": 1, "point_index": 1}]}
    assert map_points.selected_items(chart, selection) == [1]


def test_a_sweep_says_when_its_best_is_at_the_edge_and_how_small_its_spread_is_next_to_the_baseline():
    # An analyst's sweep: NDCG@10 0.125–0.130 filled the chart, the best was the largest value tried,
    # and the Popularity baseline (0.227) was nowhere near.
    chart = train_figures.sweep_chart("factors", [16, 8, 64, 32], [0.127, 0.125, 0.130, 0.128], [1, 1, 3, 2],
                                      "ndcg@10", baseline=0.227)
    assert "The best NDCG@10, Factors = 64, is the largest value tried: larger ones may do better still" in chart.caption
    assert "spans 0.1250–0.1300, a spread of 0.0050 (3.8% of the best)" in chart.caption
    assert "Popularity baseline on the same split (0.2270)" in chart.caption
    low, high = chart.figure.layout.yaxis.range
    assert low < 0.125 and high > 0.227  # the sweep's differences drawn next to the baseline's gap
    assert chart.figure.layout.yaxis2.range is None  # the fit time keeps its own axis (it was set to the metric's)
    assert [shape.y0 for shape in chart.figure.layout.shapes] == [0.227]
    # lower is better for RMSE: the smallest value tried is the edge here
    rmse = train_figures.sweep_chart("regularization", [0.01, 0.1, 1.0], [0.90, 0.95, 1.0], [1, 1, 1], "rmse")
    assert "The best RMSE, Regularization (L2) = 0.01, is the smallest value tried: smaller ones" in rmse.caption
    inside = train_figures.sweep_chart("factors", [8, 16, 32], [0.1, 0.3, 0.2], [1, 1, 1], "ndcg@10")
    assert "value tried" not in inside.caption and not inside.figure.layout.shapes


def test_a_sweep_of_seeds_states_the_noise_level():
    chart = train_figures.sweep_chart("random_state", [0, 1, 2], [0.30, 0.32, 0.31], [1.0, 1.0, 1.0], "ndcg@10")
    assert "spans 0.3–0.32 (a range of 0.02, standard deviation 0.01)" in chart.caption
    assert chart.figure.layout.xaxis.type == "linear"


def test_the_embedding_projector_zip_pairs_each_vector_with_its_items_metadata():
    import io
    import zipfile

    from mfviz.analysis import projection_table
    from mfviz.dashboard import cached_exports

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(6, 3)).astype(np.float32)
    table = projection_table(rng.normal(size=(6, 2)), titles=[f"film {i}" for i in range(6)],
                             popularity=np.arange(6), norms=np.linalg.norm(vectors, axis=1)).iloc[::-1]
    item_ids = np.array([100, 101, 102, 103, 104, 105])
    with zipfile.ZipFile(io.BytesIO(cached_exports.projector_zip("m|d", vectors, table, item_ids))) as archive:
        read = np.loadtxt(io.BytesIO(archive.read("vectors.tsv")), delimiter="\t")
        metadata = [line.split("\t") for line in archive.read("metadata.tsv").decode().splitlines()]
    assert metadata[0] == ["item_id", "title", "popularity", "norm"]
    for vector, row in zip(read, metadata[1:], strict=True):  # the table's order, each row its own item
        item = int(row[0]) - 100
        assert row[1] == f"film {item}"
        np.testing.assert_allclose(vector, vectors[item], rtol=1e-6)


def test_reach_chart_draws_shares_in_percent_and_stars_the_current_audience():
    existing = pd.DataFrame({"popularity": [0, 9, 99], "reached": [0.0, 5.0, 50.0], "share": [0.0, 0.05, 0.5]})
    curve = pd.DataFrame({"audience": [1, 10, 40], "reached": [0.0, 8.0, 30.0], "share": [0.0, 0.08, 0.4],
                          "norm": [0.1, 0.2, 0.3], "bias": [0.0, 0.0, 0.0]})
    chart = figures.reach_chart(existing, curve, 10, 10, "Model")
    items, new, now = chart.figure.data
    assert list(items.x) == [1, 10, 100] and list(items.y) == [0.0, 5.0, 50.0]
    assert list(new.x) == [2, 11, 41] and list(new.y) == [0.0, 8.0, 40.0]
    assert list(now.x) == [11] and list(now.y) == [8.0] and now.marker.symbol == "star"


def test_activity_chart_draws_each_model_with_error_bars_and_the_baseline_dashed():
    table = pd.DataFrame({"group": ["1–5", "6–40"], "users": [10, 10], "median": [3.0, 20.0],
                          "ndcg@10": [0.1, 0.3], "ndcg@10 se": [0.01, float("nan")]})
    chart = train_figures.activity_chart({"A": table}, table.assign(**{"ndcg@10": [0.05, 0.4]}), "ndcg@10", "NDCG@10")
    assert_labelled(chart)
    model, baseline = chart.figure.data
    assert list(model.y) == [0.1, 0.3] and list(model.error_y.array) == [0.01, 0.0]
    assert baseline.name == "Popularity (baseline)" and baseline.line.dash == "dash"
    assert chart.figure.layout.xaxis.type == "log"


def test_loss_curve_draws_the_held_out_metric_on_a_second_axis_when_given():
    epochs = [(1, 3.0, 0.1, 0.95), (2, 2.0, 0.2, 0.93), (3, 1.5, 0.3, 0.94)]
    chart = train_figures.loss_curve(epochs, "Funk SVD", "RMSE on the test set")
    loss, held = chart.figure.data
    assert list(held.y) == [0.95, 0.93, 0.94] and held.yaxis == "y2"
    assert chart.figure.layout.yaxis2.overlaying == "y" and "falls" in chart.caption
    plain = train_figures.loss_curve([e[:3] for e in epochs], "Funk SVD", "RMSE on the test set")
    assert len(plain.figure.data) == 1  # nothing scored: no second line
    assert len(train_figures.loss_curve(epochs, "Funk SVD").figure.data) == 1
    restored = train_figures.loss_curve(epochs, "Funk SVD", "RMSE on the test set", kept=2)
    assert [s.x0 for s in restored.figure.layout.shapes] == [2]
    assert "Early stopping kept epoch 2" in restored.caption and "not epoch 3's" in restored.caption
    last = train_figures.loss_curve(epochs, "Funk SVD", "RMSE on the test set", kept=3)  # the last: nothing to mark
    assert not last.figure.layout.shapes and "Early stopping" not in last.caption


def test_profile_curve_chart_ends_each_line_on_a_larger_mark_for_the_trained_vectors():
    curve = pd.DataFrame({"size": [1, 5, 0], "label": ["1", "5", "all"], "users": [40] * 3,
                          "ndcg@10": [0.1, 0.2, 0.25], "ndcg@10 se": [0.01, 0.01, 0.01]})
    chart = train_figures.profile_curve_chart({"A": curve}, curve.assign(**{"ndcg@10": [0.15] * 3}), "ndcg@10", "NDCG@10")
    assert_labelled(chart)
    model, baseline = chart.figure.data
    assert list(model.x) == ["1", "5", "all"] and model.marker.size[-1] > model.marker.size[0]
    assert baseline.line.dash == "dash" and chart.figure.layout.xaxis.type == "category"
    assert [(a.x, a.text) for a in chart.figure.layout.annotations] == [("all", "Popularity (baseline)"), ("all", "A")]


def test_training_replay_has_a_frame_per_epoch_and_fixed_axes():
    rng = np.random.default_rng(0)
    coords = rng.normal(size=(4, 30, 2)) * np.array([1, 2, 3, 4])[:, None, None]
    table = pd.DataFrame({"item": np.arange(30), "title": [f"t{i}" for i in range(30)],
                          "first_genre": rng.choice(["a", "b"], 30)})
    shares = (np.array([0.2, 0.5, 0.8, 1.0]), np.array([np.nan, 0.4, 0.6, 0.7]))
    chart = train_figures.training_replay(coords, table, "first_genre", shares, ["1", "2", "3", "4"], "M")
    assert_labelled(chart)
    assert [f.name for f in chart.figure.frames] == ["1", "2", "3", "4"]
    first = {t.name: t for t in chart.figure.frames[0].data}
    rows = np.flatnonzero(table["first_genre"] == "a")
    np.testing.assert_allclose(first["a"].x, coords[0, rows, 0])
    span = np.abs(coords).max() * 1.05 + 1e-6
    assert chart.figure.layout.xaxis.range[1] <= span and chart.figure.layout.yaxis.range[1] <= span
    assert "epoch 1 20%" in chart.caption and "epoch 4 100%" in chart.caption
    assert "one snapshot before: epoch 2 40%, epoch 3 60%, epoch 4 70%. Below 100% at the end" in chart.caption
    settled = train_figures.training_replay(coords, table, "first_genre", (shares[0], np.array([np.nan, .8, .9, .995])),
                                          ["1", "3", "5", "6 (kept)"], "M")
    assert [f.name for f in settled.figure.frames] == ["1", "3", "5", "6 (kept)"]
    assert "epoch 6 (kept) 100%: they had settled." in settled.caption and "still moving" not in settled.caption
    # coloured by genre, the hover names the colour as the legend does (it said "distinctive genre", the users' word)
    from mfviz.dashboard.map_colours import GENRE_COLUMN

    by_genre = train_figures.training_replay(coords, table.rename(columns={"first_genre": GENRE_COLUMN}), GENRE_COLUMN,
                                             shares, ["1", "2", "3", "4"], "M").figure
    assert by_genre.layout.legend.title.text == "genre (its least common)"
    assert all("<br>genre (its least common): " in t.hovertemplate for t in by_genre.data)


def test_a_model_keeps_its_colour_on_every_chart_whichever_models_a_chart_shows():
    figures.use_model_order(["iALS", "Popularity", "SVD", "Funk"])
    try:
        some, more = figures.model_colours(["Funk", "iALS"]), figures.model_colours(["iALS", "SVD", "Funk"])
        assert some["Funk"] == more["Funk"] == figures.MODEL_PALETTE[2]  # third after iALS, SVD (Popularity is grey)
        assert some["iALS"] == more["iALS"] == figures.MODEL_PALETTE[0]
        assert figures.model_colours(["Popularity"])["Popularity"] == figures.BASELINE_COLOUR
        many = [f"m{k}" for k in range(16)]
        figures.use_model_order(many)
        assert len(set(figures.model_colours(many).values())) == 16  # a sweep of 8 and more: no repeats
        table = pd.DataFrame({"model": ["m3", "m1"], "fit_seconds": [1.0, 2.0], "ndcg@10": [0.2, 0.3]})
        markers = [t.marker.color for t in train_figures.model_comparison(table, "ndcg@10").figure.data]
        assert markers == [figures.MODEL_PALETTE[3], figures.MODEL_PALETTE[1]]
    finally:
        figures.use_model_order(())


def test_the_map_csv_keys_items_by_the_datas_own_id_only():
    import pandas as pd

    from mfviz.dashboard import cached_exports

    table = pd.DataFrame({"x": [0.5, 1.5], "y": [2.0, 3.0], "item": [0, 1], "item_id": [1, 2],
                          "title": ["Toy Story", "GoldenEye"], "genres": [["Animation"], ["Action"]]})
    lines = cached_exports.map_csv("map-csv-test", table).decode().splitlines()
    assert lines == ["x,y,item_id,title", "0.5,2.0,1,Toy Story", "1.5,3.0,2,GoldenEye"]


def test_users_lean_to_an_end_past_half_way_to_its_groups_direction():
    """The groups' average directions sit at ±reach on the axis, so leaning is counted from ±reach / 2."""
    cosines = np.array([-0.5, -0.31, -0.29, 0.0, 0.1, 0.29, 0.31, 0.4, 0.9, 0.95])
    chart = latent_charts.users_on_axis(cosines, "Horror", "Romance", reach=0.6)
    assert_labelled(chart)
    assert chart.caption.startswith("40% of users lean towards Romance and 20% towards Horror (cosine beyond ±0.30, "
                                    "half-way from the middle to the groups' average directions at ±0.60)")
    assert list(chart.figure.data[0].x) == cosines.tolist()


def test_a_title_search_matches_anywhere_word_starts_first_and_reads_patterns():
    # "Star" circled and titled "Bastard Out of Carolina" before Lone Star on MovieLens 100K; an Embedding
    # Projector user's "tar", "star.*(wars|trek)" and "^Star" found (almost) nothing at word starts only
    titles = pd.Series(["Star Wars (1977)", "Lone Star (1996)", "Starship Troopers (1997)",
                        "Bastard Out of Carolina (1996)", "Evening Star, The (1996)", "Mustard (2001)",
                        "Star-Crossed (2000)", "A Star* Is Born?", "Star Trek: Generations (1994)"])

    def found(query):
        matched, at_word, as_pattern = title_search.title_search(titles, query)
        return titles[matched].tolist(), titles[at_word].tolist(), as_pattern

    matched, at_word, as_pattern = found("star")
    assert "Bastard Out of Carolina (1996)" in matched and "Bastard Out of Carolina (1996)" not in at_word
    assert len(matched) == 9 and len(at_word) == 7 and not as_pattern  # Bastard and Mustard inside a word
    assert found("  STAR wars ")[0] == ["Star Wars (1977)"]  # case and surrounding spaces ignored
    assert found("tard")[:2] == (["Bastard Out of Carolina (1996)", "Mustard (2001)"], [])
    assert found("crossed")[1] == ["Star-Crossed (2000)"]  # after a hyphen: a word start
    # not a pattern ("(" unclosed): as typed
    assert found("(1996") == (["Lone Star (1996)", "Bastard Out of Carolina (1996)", "Evening Star, The (1996)"],
                              ["Lone Star (1996)", "Bastard Out of Carolina (1996)", "Evening Star, The (1996)"], False)
    assert found("star.*(wars|trek)")[0] == ["Star Wars (1977)", "Star Trek: Generations (1994)"]
    assert found("^star")[0] == ["Star Wars (1977)", "Starship Troopers (1997)", "Star-Crossed (2000)",
                                 "Star Trek: Generations (1994)"]
    assert found("Star Wars (1977)")[0] == ["Star Wars (1977)"]  # a whole title finds itself
    # a pattern that can match an empty text ("star|", "x*") matched every title: looked for as typed instead
    assert found("star|") == ([], [], False) and found("x*") == ([], [], False)
    assert "matches every title (it can match an empty text), so it was looked for as plain text" in \
        title_search.search_sentence(0, "star|", 0).replace("\\", "")  # markdown-escaped brackets
    assert found("   ")[0] == []


def test_a_title_is_read_in_natural_word_order_with_its_article_back_in_front():
    # MovieLens writes "Godfather, The (1972)": "The Godfather" found nothing in any picker or search
    natural = title_search.natural_title
    assert natural("Godfather, The (1972)") == "The Godfather (1972)"
    assert natural("Godfather: Part II, The (1974)") == "The Godfather: Part II (1974)"
    assert natural("Clockwork Orange, A (1971)") == "A Clockwork Orange (1971)"
    assert natural("Affair to Remember, An (1957)") == "An Affair to Remember (1957)"
    assert natural("Postino, Il (1994)") == "Il Postino (1994)"
    assert natural("Boot, Das (1981)") == "Das Boot (1981)"
    assert natural("Bewegte Mann, Der (1994)") == "Der Bewegte Mann (1994)"
    assert natural("Haine, La (1995)") == "La Haine (1995)"
    assert natural("Misérables, Les (1995)") == "Les Misérables (1995)"
    assert natural("Enfer, L' (1994)") == "L'Enfer (1994)"  # no space after an elided article
    assert natural("Laberinto del fauno, El (2006)") == "El Laberinto del fauno (2006)"
    assert natural("Olvidados, Los (1950)") == "Los Olvidados (1950)"
    # a comma that is no article's stays; only the last one, before the brackets, is undone
    assert natural("Good, the Bad and the Ugly, The (1966)") == "The Good, the Bad and the Ugly (1966)"
    assert natural("Sex, Lies, and Videotape (1989)") == "Sex, Lies, and Videotape (1989)"
    assert natural("Me, Myself & Irene (2000)") == "Me, Myself & Irene (2000)"
    assert natural("Paris, Texas (1984)") == "Paris, Texas (1984)"
    # no year; an original title in brackets kept after the title; spaces at the end (as in ML-100K) dropped
    assert natural("Pest, The") == "The Pest"
    assert natural("Star Maker, The (Uomo delle stelle, L') (1995)") == "The Star Maker (Uomo delle stelle, L') (1995)"
    assert natural("Heidi Fleiss, The (1995) ") == "The Heidi Fleiss (1995)"
    assert natural("Crumb (1994)") == "Crumb (1994)" and natural(", The (1990)") == ", The (1990)"
    assert natural("Theory, Thea (2001)") == "Theory, Thea (2001)"  # "Thea" is no "The"
    titles = ["Godfather, The (1972)", "Heat (1995)", "Enfer, L' (1994)"]
    once = title_search.natural_titles(titles)
    assert once.tolist() == ["The Godfather (1972)", "Heat (1995)", "L'Enfer (1994)"] and not once.flags.writeable
    assert title_search.natural_titles(pd.Series(titles)) is once  # once per catalogue, whatever holds the titles
    assert title_search.natural_titles([]).tolist() == []


def test_a_title_search_in_natural_word_order_finds_the_titles_written_with_the_article_last():
    table = pd.DataFrame({"item": range(6),
                          "title": ["Godfather: Part II, The (1974)", "Godfather, The (1972)",
                                    "Good, the Bad and the Ugly, The (1966)", "Postino, Il (1994)", "Enfer, L' (1994)",
                                    "Other Godfathers (2020)"],
                          "popularity": [209, 413, 137, 50, 9, 900]})

    def hits(query):
        return title_search.search_hits(table, query)

    def found(query):
        return hits(query)["title"].tolist()

    # the word starts first (all three here), each more popular first: The Godfather before Part II
    assert found("The Godfather") == ["Godfather, The (1972)", "Godfather: Part II, The (1974)"]
    assert found("the godfather (1972)") == ["Godfather, The (1972)"]  # a whole title, with its year
    assert found("godfather") == ["Other Godfathers (2020)", "Godfather, The (1972)", "Godfather: Part II, The (1974)"]
    assert found("Godfather, The") == ["Godfather, The (1972)"]  # as written still
    assert found("the good, the bad") == ["Good, the Bad and the Ugly, The (1966)"]
    assert found("il postino") == ["Postino, Il (1994)"] and found("L'Enfer") == ["Enfer, L' (1994)"]
    assert found("godfather the") == []  # a word order no one writes is not looked for
    # patterns read the natural order too; "he God" sits inside a word ("The"): found, after the word starts
    assert found("^the god") == ["Godfather, The (1972)", "Godfather: Part II, The (1974)"]
    assert found("the (godfather|good)") == ["Godfather, The (1972)", "Godfather: Part II, The (1974)",
                                             "Good, the Bad and the Ugly, The (1966)"]
    inside = hits("he god")
    assert inside["title"].tolist() == ["Godfather, The (1972)", "Godfather: Part II, The (1974)"]
    assert inside.attrs["at_word"] == 0
    matched = title_search.title_matches(table["title"], "The Godfather")
    assert matched.tolist() == [True, True, False, False, False, False]
    # a title matched at a word's start in natural word order comes before a more popular one matched inside a word
    inside_a_word = pd.DataFrame({"item": [0, 1], "title": ["Godfather, The (1972)", "Breathe Godless (2000)"],
                                  "popularity": [100, 900]})
    first = title_search.search_hits(inside_a_word, "the god")
    assert first["title"].tolist() == ["Godfather, The (1972)", "Breathe Godless (2000)"] and first.attrs["at_word"] == 1


def test_a_rise_between_two_shares_that_round_alike_gets_a_decimal():
    # "raises ... its catalogue coverage from 16% to 16%" for 15.6% → 16.0%
    assert figures.rise(0.1558, 0.1599) == "15.6% to 16.0%"
    assert figures.rise(0.71, 0.74) == "71% to 74%" and figures.rise(0.2, 0.2) == "20% to 20%"
    assert figures.rise(0.9991, 0.9996) == "99.9% to >99.9%"  # near the ends, percent's own decimal


def test_patterns_that_backtrack_for_hours_in_pythons_engine_run_at_once_and_look_arounds_are_said():
    # "(a+)+$", "(\\w+\\s?){2,20}:" on a title they almost match ran for hours in the page's thread (Python's engine
    # backtracks; there is no time limit): the search runs patterns on RE2, linear in the title's length. In a
    # child process, so that a regression fails here instead of hanging the suite.
    import subprocess
    import sys

    script = (
        "import pandas as pd\n"
        "from mfviz.dashboard import title_search\n"
        "titles = pd.Series(['a' * 40 + 'b', 'Star Wars: The Empire Strikes Back (1980)', 'Shall We Dance? (1996)'])\n"
        "for query in [r'(a+)+$', r'(\\w+\\s?){2,20}:', r'(.*\\s?){12}!', r'(.|.)*z', '.*' * 10 + '!']:\n"
        "    print(query, titles[title_search.title_search(titles, query)[0]].tolist())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "(a+)+$ []", "(\\w+\\s?){2,20}: ['Star Wars: The Empire Strikes Back (1980)']", "(.*\\s?){12}! []",
        "(.|.)*z []", ".*.*.*.*.*.*.*.*.*.*! []"]
    # what RE2 cannot run (a look-around, a back-reference) is looked for as typed, and said
    titles = pd.Series(["Star Wars (1977)", "Lone Star (1996)", "Mustard (2001)"])
    for query, why in (("(?<!\\w)star", "a look-around"), ("(s)tar\\1", "a back-reference")):
        matched, _, as_pattern = title_search.title_search(titles, query)
        assert not as_pattern and not matched.any(), query
        assert why in title_search.search_sentence(0, query, 0).replace("\\", ""), query


def test_search_hits_list_word_starts_first_then_by_popularity_and_the_sentence_counts_in_words():
    table = pd.DataFrame({"item": [0, 1, 2, 3], "title": ["Star Wars", "Bastard", "Lone Star", "Stars"],
                          "popularity": [583, 850, 187, 187], "x": 0.0, "y": 0.0})
    hits = title_search.search_hits(table, "star")
    # Bastard, the most popular here, after the word starts; 187 ties keep the table's order
    assert hits["item"].tolist() == [0, 2, 3, 1] and hits.attrs["at_word"] == 3
    assert title_search.search_sentence(1, " Star ", 1).startswith("1 title on the map matches “Star”: it is circled")
    assert title_search.search_sentence(4, "star", 3).startswith(
        "4 titles on the map match “star” (3 at the start of a word, listed first): all are circled")
    assert "the 20 most popular are circled" in title_search.search_sentence(21, "a", 21)
    assert "the 20 first are circled" in title_search.search_sentence(22, "tar", 2)
    assert title_search.search_sentence(0, "zzz", 0) == "No title on the map matches “zzz”."
    said = title_search.search_sentence(0, "(1977", 0)  # a bracket is no Markdown sign: left as it is (plain)
    assert "“(1977” cannot be read as a regular expression (a bracket ( is not closed" in said
    assert "put a \\\\ before a sign such as ( \\[ \\* + ?" in said  # the signs Markdown reads, escaped
    one = map_figures.latent_scatter(table, "popularity", highlight=[0])
    assert "Search: 1 match circled, its title written on the map" in one.caption
    assert figures.counted(1, "item") == "1 item" and figures.counted(1682, "item") == "1,682 items"
    assert figures.counted(2, "match", "matches") == "2 matches"


def star_with_ring() -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Star Wars' case: six neighbours under its star (drawn on a ring around it), two far off."""
    titles = ["Star Wars (1977)", "Return of the Jedi (1983)", "Empire Strikes Back, The (1980)",
              "Raiders of the Lost Ark (1981)", "Indiana Jones and the Last Crusade (1989)", "Back to the Future (1985)",
              "Princess Bride, The (1987)", "Terminator, The (1984)", "Fargo (1996)"]
    near = [0.0, 0.001, -0.001, 0.002, 0.0, -0.002, 0.001]
    table = pd.DataFrame({"x": [*near, 10.0, -10.0], "y": [*near[::-1], 10.0, -8.0], "item": range(9), "title": titles,
                          "popularity": [583, 480, 367, 420, 331, 350, 324, 301, 508]})
    return table, {"cosine": np.array([1, 2, 3, 7, 4]), "dot": np.array([3, 8, 1, 5, 6])}


def test_the_chosen_items_title_and_its_nearest_neighbours_titles_are_written_in_boxes_clear_of_the_star():
    # Star Wars' title lay under its own star and the ring of its neighbours; their titles were only in tables
    table, neighbours = star_with_ring()
    chart = map_figures.latent_scatter(table, "popularity", anchor=0, neighbours=neighbours, highlight=[0])
    notes = chart.figure.layout.annotations
    # the star first, then the 3 nearest by cosine and by dot product, alternating, each once (1 and 3 are in both)
    assert [n.text for n in notes] == ["<b>Star Wars (1977)</b>", "Return of the Jedi (1983)",
                                       "Raiders of the Lost Ark (1981)", "Empire Strikes Back, The (1980)",
                                       "Fargo (1996)"]
    blue, red = figures.COSINE_COLOUR, figures.DOT_COLOUR
    assert [n.bordercolor for n in notes] == ["#111111", blue, blue, blue, red]  # cosine's colour when in both
    assert all(n.bgcolor.startswith("rgba(255,255,255") and n.showarrow for n in notes)
    # each box starts at its arrow's tail (pixels from its point); none overlaps another or the star
    layout = chart.figure.layout
    pixels = {}
    for n in notes:
        pad = map_labels.PAD
        x = pad + (n.x - table["x"].min()) / np.ptp(table["x"]) * (map_labels.PLOT_WIDTH - 2 * pad)
        y = pad + (table["y"].max() - n.y) / np.ptp(table["y"]) * (layout.height - 120 - 2 * pad)
        width = map_labels.CHAR_WIDTH * (1.1 if n.text.startswith("<b>") else 1) * len(
            n.text.replace("<b>", "").replace("</b>", "")) + 12
        half_height = map_labels.LABEL_HEIGHT / 2
        pixels[n.text] = (x + n.ax - width / 2, y + n.ay - half_height, x + n.ax + width / 2, y + n.ay + half_height)
    boxes = list(pixels.values())
    assert not any(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                   for k, a in enumerate(boxes) for b in boxes[k + 1:])
    star = pad + (0.0 - table["x"].min()) / np.ptp(table["x"]) * (map_labels.PLOT_WIDTH - 2 * pad), \
        pad + (table["y"].max() - 0.0) / np.ptp(table["y"]) * (layout.height - 120 - 2 * pad)  # mid-map
    half = map_labels.STAR_SIZE / 2
    assert not any(b[0] < star[0] + half and star[0] - half < b[2] and b[1] < star[1] + half and
                   star[1] - half < b[3] for b in boxes)
    assert notes[0].ay < 0 and notes[0].ax == 0  # the star's title right above it
    # the search hit that is the star is titled in its box only, not written again under the star; a hit on
    # the ring would be written under the boxes and rings there: left to the list under the map; one far off stays
    searched = map_figures.latent_scatter(table, "popularity", anchor=0, neighbours=neighbours, highlight=[0, 6, 7])
    written = next(t for t in searched.figure.data if t.name == "search titles")
    assert list(written.text) == ["Terminator, The (1984)"]
    assert searched.trace_items[list(searched.figure.data).index(written)].tolist() == [7]
    assert "Search: 3 matches circled, 2 of their titles written on the map" in searched.caption
    assert "Its title is written on the map, with those of 4 neighbours" in chart.caption
    assert not map_figures.latent_scatter(table, "popularity").figure.layout.annotations  # nothing chosen: none
    # an item at a dimension's end is titled there, but the chosen one only in its box (the end's title lay under
    # its star and rings)
    ends = map_figures.latent_scatter(table, "popularity", anchor=0, neighbours=neighbours,
                                      labelled={0: "middle left", 7: "top center"})
    assert list(next(t for t in ends.figure.data if t.name == "titles").text) == ["Terminator, The (1984)"]


def test_label_boxes_turn_away_from_what_is_in_the_way_and_leave_out_what_fits_nowhere():
    points, sizes = {0: (100.0, 100.0)}, {0: (40.0, 20.0)}
    up = -np.pi / 2
    assert map_labels.label_boxes(points, sizes, [], (400, 400), [0], {0: up}) == {0: pytest.approx((0.0, -18.0))}
    # a marker right above: up, and 30° and 60° either side of it, and straight across all touch it; 120°
    # round (down and to the right, 30° below level) is the first clear place, 8 px from the point
    above = [(80.0, 60.0, 120.0, 92.0)]
    placed = map_labels.label_boxes(points, sizes, above, (400, 400), [0], {0: up})
    assert placed[0] == pytest.approx((np.cos(np.pi / 6) * 28, np.sin(np.pi / 6) * 28))
    wide = 60 + 2 * map_labels.SPILL + 1  # wider than the plot and what a label may reach past its frame
    assert map_labels.label_boxes({0: (30.0, 30.0)}, {0: (wide, 20.0)}, [], (60, 60), [0], {0: up}) == {}


def test_the_map_title_names_the_model_and_the_legend_title_fits_in_the_figure():
    # the saved PNG read "genre (its least commor" and did not say which model's vectors it showed
    table = pd.DataFrame({"x": [0.0, 1, 2], "y": [0.0, 1, 2], "item": [0, 1, 2], "title": list("abc"),
                          "popularity": [3, 2, 1], map_colours.GENRE_COLUMN: ["Drama", "War", "Drama"]})
    chart = map_figures.latent_scatter(table, map_colours.GENRE_COLUMN, continuous=False, method="UMAP",
                                       model="Implicit ALS (quick default)")
    layout = chart.figure.layout
    assert layout.title.text == "Item vectors mapped to 2-D by UMAP · Implicit ALS (quick default)"
    assert layout.legend.title.text == "genre (its least common)"
    # entries "Drama", "War" needed 70 + 6.5 × 5 px; the title (24 characters, no symbol) needs 30 + 6.5 × 24;
    # the room a click's entries take (a title cut at 20 characters) is kept from the start
    room = figures.legend_room(["x" * map_anchor.LEGEND_TITLE])
    assert layout.margin.r == room >= 30 + int(6.5 * 24) > figures.legend_room(["Drama", "War"])
    # a click (the star and its neighbours in the legend) does not narrow the plot: every point stays put
    clicked = map_figures.latent_scatter(table.assign(title=["Willy Wonka and the Chocolate Factory (1971)", "b", "c"]),
                                         map_colours.GENRE_COLUMN, continuous=False, method="UMAP", anchor=0,
                                         neighbours={"cosine": np.array([1]), "dot": np.array([2])})
    assert clicked.figure.layout.margin.r == layout.margin.r
    assert map_figures.latent_scatter(table, "popularity").figure.layout.margin.r == room  # a colour bar's map too
    axes = map_figures.MapAxes("Items along the axes you chose", "x", "y", "caption")
    assert map_figures.latent_scatter(table, "popularity", axes=axes, model="ALS").figure.layout.title.text == \
        "Items along the axes you chose · ALS"
    deep = table.assign(z=[0.0, 1, 2])
    assert map_figures.latent_scatter_3d(deep, "popularity", model="ALS").figure.layout.title.text == \
        "Item vectors mapped to 3-D by UMAP · ALS"
    # and the charts under the map, which show the same model
    assert latent_charts.users_on_axis(np.zeros(3), "Horror", "Romance", 0.6, model="ALS").figure.layout.title.text \
        == "Users along the same axis · ALS"
    loadings = pd.DataFrame([[0.5, -1.0]], index=["Drama"], columns=[1, 2])
    assert latent_charts.genre_heatmap(loadings, model="ALS").figure.layout.title.text == \
        "Where each genre sits on the strongest dimensions · ALS"


def test_charts_are_saved_at_twice_their_size_on_screen_under_their_title():
    # the camera button saved 940 × 560 px pictures named newplot.png
    table = pd.DataFrame({"x": [0.0, 1, 2], "y": [0.0, 1, 2], "item": [0, 1, 2], "title": list("abc"),
                          "popularity": [3, 2, 1]})
    figure = map_figures.latent_scatter(table, "popularity", method="PCA", model="Funk SVD (f=100)").figure
    assert figures.export_config(figure) == {"toImageButtonOptions": {
        "format": "png", "scale": 2, "filename": "mfviz-item-vectors-mapped-to-2-d-by-pca-funk-svd-f-100"}}


def test_the_embedding_projector_metadata_carries_the_genre_the_map_colours_by():
    # metadata.tsv had first_genre only: coloured by it, the Projector showed nearly every Romance as a Comedy
    import io
    import zipfile

    from mfviz.analysis import projection_table
    from mfviz.dashboard import cached_exports

    items = pd.DataFrame({"genres": [["Comedy", "Romance"], ["Comedy"], ["Comedy", "Drama"], ["Drama"], []]})
    vectors = np.arange(10, dtype=np.float32).reshape(5, 2)
    table = projection_table(np.zeros((5, 2)), items, np.arange(5), np.ones(5), [f"film {i}" for i in range(5)])
    for given in (table, table.assign(**{map_colours.GENRE_COLUMN: map_colours.distinctive_genre(table["genres"])[0]})):
        with zipfile.ZipFile(io.BytesIO(cached_exports.projector_zip(f"m|{len(given.columns)}", vectors, given,
                                                                     np.arange(5) + 1))) as archive:
            metadata = pd.read_csv(io.BytesIO(archive.read("metadata.tsv")), sep="\t", dtype=str, keep_default_na=False)
        # counts Comedy 3, Drama 2, Romance 1: each item's least common of its genres; "(none)" without any
        assert metadata["distinctive_genre"].tolist() == ["Romance", "Comedy", "Drama", "Drama", "(none)"]
        assert metadata["first_genre"].tolist() == ["Comedy", "Comedy", "Comedy", "Drama", "(none)"]
        assert list(metadata.columns[:3]) == ["item_id", "title", "distinctive_genre"]


def test_file_names_carry_short_safe_names_of_the_data_and_the_model():
    from mfviz.dashboard.figures import file_name, slug

    assert slug("Implicit ALS (f=32) (quick default)") == "implicit-als-f-32-quick-default"
    assert slug("MovieLens 100K (u.data)") == "movielens-100k-u-data"
    assert slug("SVD++ (f=20)") == "svdpp-f-20" != slug("Truncated SVD (f=20)")  # not "svd-f-20"
    assert slug("Ünïcode / path\\..\\name?") == "n-code-path-name"  # nothing a file system could misread
    long = slug("A very long model name with many many words in it (f=1024)")
    assert long == "a-very-long-model-name-with-many" and len(long) <= 32  # cut at a word's end
    assert file_name("latent_pca_3d", "csv", "MovieLens 100K (u.data)", "SVD (f=32)") == (
        "latent_pca_3d_movielens-100k-u-data_svd-f-32.csv")
    assert file_name("embedding_projector", "zip", "demo catalogue", None) == "embedding_projector_demo-catalogue.zip"
    two = {file_name("latent_umap", "csv", "u.data", name) for name in ("SVD (f=32)", "Implicit ALS (f=32)")}
    assert len(two) == 2  # two models' maps no longer share one file


def test_search_titles_near_the_maps_edges_run_inwards_not_off_the_map():
    from mfviz.dashboard.map_figures import latent_scatter
    from mfviz.dashboard.map_text import inside_positions

    # x from 0 to 10: a long title at x = 9.8 would be centred past the right edge (the reviewer's cut
    # "Star Trek: The Wrath of Khan (19"), one at 0.1 past the left; a short one in the middle stays centred
    table = pd.DataFrame({"x": [0.1, 5.0, 9.8, 5.0, 0.0, 10.0], "y": [1.0, 1.0, 1.0, 10.0, 0.0, 5.0],
                          "item": range(6), "popularity": [6, 5, 4, 3, 2, 1],
                          "title": ["Star Trek: The Wrath of Khan (1982)", "Heat", "Star Trek: The Wrath of Khan (1982)",
                                    "Star Trek III (1984)", "a", "b"]})
    assert inside_positions(table.iloc[:4], table["x"], table["y"]) == [
        "top right", "top center", "top left", "bottom center"]  # the last at the map's top: under its point
    chart = latent_scatter(table, "popularity", highlight=[0, 2], method="PCA")
    written = next(t for t in chart.figure.data if t.name == "search titles")
    assert list(written.textposition) == ["top right", "top left"]


def test_a_percentage_reads_100_or_0_only_when_it_is():
    from mfviz.dashboard.figures import percent

    shares = (0.997, 1.0, 0.0, 0.0004, 0.9996, 0.004, 0.5, 0.123)
    assert [percent(x) for x in shares] == ["99.7%", "100%", "0%", "<0.1%", ">99.9%", "0.4%", "50%", "12%"]


def test_a_columns_decimals_are_one_count_for_three_significant_digits_of_its_largest():
    # Neighbours' dot products read 0.066, 0.057, 0.0522 (each its own 3 significant digits)
    from mfviz.dashboard.figures import fixed_decimals

    assert fixed_decimals([0.066, 0.057, 0.0522]) == "%.4f"
    assert fixed_decimals([0.929, 0.769, 0.747]) == "%.3f"
    assert fixed_decimals([12.4, 3.1]) == "%.1f" and fixed_decimals([512.0]) == "%.0f"
    assert fixed_decimals([0.006, 0.005]) == "%.5f"  # 3 decimals showed 0.006 and 0.005 alike... and both apart now
    assert fixed_decimals([]) == "%.3f" and fixed_decimals([0.0, np.nan]) == "%.3f"
    assert fixed_decimals([-0.5, 0.2]) == "%.3f"  # by size: negative cosines too


def test_a_user_is_named_once_whatever_the_ids_look_like():
    from mfviz.data.id_lists import user_named

    assert user_named(554) == "user 554" and user_named("554", capital=True) == "User 554"
    assert user_named("user_01668") == "user_01668" and user_named("User42", capital=True) == "User42"
    assert user_named("usha") == "user usha" and user_named("A2SUAM1") == "user A2SUAM1"


def test_the_comparison_names_the_models_without_a_value_of_its_metric_and_why():
    # RMSE picked: four of five models have none (they rank items), and the chart showed one dot, saying nothing
    models = pd.DataFrame({"model": ["Funk SVD", "iALS", "SVD"], "fit_seconds": [2.0, 1.0, 0.5],
                           "rmse": [0.95, np.nan, np.nan]})
    from mfviz.dashboard.training import RANKS_ONLY

    chart = train_figures.model_comparison(models, "rmse", left_out={"iALS": RANKS_ONLY, "SVD": RANKS_ONLY})
    assert [t.name for t in chart.figure.data] == ["Funk SVD"]
    assert chart.figure.layout.title.subtitle.text.startswith("1 of 3 models shown; the other 2 have no RMSE")
    assert "No RMSE for iALS and SVD: they rank items, predicting no ratings." in chart.caption
    # of one model, in the singular ("No RMSE for Truncated SVD: they rank items" before)
    chart = train_figures.model_comparison(models.iloc[:2], "rmse", left_out={"iALS": RANKS_ONLY})
    assert chart.figure.layout.title.subtitle.text.startswith("1 of 2 models shown; the other 1 has no RMSE")
    assert "No RMSE for iALS: it ranks items, predicting no ratings." in chart.caption
    # every reason is said of several models in the plural
    from mfviz.dashboard.training import NO_TEST_SET, NOT_MEASURED

    chart = train_figures.model_comparison(models.iloc[:1], "rmse", left_out={
        "A": NO_TEST_SET, "B": NO_TEST_SET, "C": NOT_MEASURED, "D": NOT_MEASURED, "E": NO_TEST_SET})
    assert "No RMSE for A, B and E: they were trained or loaded without a test set." in chart.caption
    assert "No RMSE for C and D: they were not measured." in chart.caption
    # every model has it: nothing to say
    chart = train_figures.model_comparison(models.assign(rmse=[0.9, 0.8, 0.7]), "rmse")
    assert not chart.figure.layout.title.subtitle.text and "No RMSE" not in chart.caption


def test_the_comparisons_labels_lie_inside_the_chart():
    # "Truncated SVD (f=64)" at 0.09 s, next to a quick default at 5.1 s, was cut at the axis: "ed SVD (f=64)"
    # at 1,280 px. A label grows away from the nearer side of the chart, and is never clipped at the axes.
    models = pd.DataFrame({"model": ["Implicit ALS (quick default)", "Truncated SVD (f=64)", "Implicit ALS (f=64)"],
                           "fit_seconds": [5.1, 0.09, 2.6], "ndcg@10": [0.30, 0.29, 0.31]})
    chart = train_figures.model_comparison(models, "ndcg@10")
    positions = {t.name: t.textposition for t in chart.figure.data}
    assert positions == {"Implicit ALS (quick default)": "top left", "Truncated SVD (f=64)": "top right",
                         "Implicit ALS (f=64)": "top right"}
    assert all(t.cliponaxis is False for t in chart.figure.data)


def test_the_held_out_axis_starts_at_zero_and_the_caption_says_the_change():
    # NDCG 0.3581 → 0.3586 filled the right axis' height and read as a trend (stakeholder demo)
    epochs = [(1, 3.0, 0.1, 0.3581), (2, 2.0, 0.2, 0.3590), (3, 1.5, 0.3, 0.3586)]
    chart = train_figures.loss_curve(epochs, "Implicit ALS", "NDCG@10 on the test set")
    low, high = chart.figure.layout.yaxis2.range
    assert low == 0 and 0.3590 < high < 0.5
    assert ("NDCG@10 on the test set: 0.3581 after epoch 1, 0.3586 after epoch 3, a change of +0.0005 (+0.1%); "
            "its best 0.3590.") in chart.caption
    rmse = train_figures.loss_curve([(1, 3.0, 0.1, 0.95), (2, 2.0, 0.2, 0.93)], "Funk SVD", "RMSE on the test set")
    assert rmse.figure.layout.yaxis2.range[0] == 0 and "its best 0.9300" in rmse.caption  # RMSE: lower is better


def test_a_collapsed_spectrum_is_clamped_at_the_floor_and_named():
    # a rank-2 score matrix in 16 factors drew σ3..σ16 at 1e-7 and squeezed every other curve into the top of the axis
    healthy = np.geomspace(10, 1, 16)
    collapsed = np.r_[5.0, 1.0, 0.0075, np.full(13, 1e-7)]  # its own σ3/σ1 (0.0015) does not lower the floor
    chart = figures.model_spectra_chart({"ALS (f=16)": healthy, "ALS (f=16, reg=200)": collapsed}, np.geomspace(20, 2, 30))
    drawn = {t.name: np.asarray(t.y) for t in chart.figure.data}
    # drawn on a floor a 1-2-5 step under half the other curves' lowest (0.1 here), not at 1e-7 nor at 1e-3
    assert drawn["ALS (f=16, reg=200)"].min() == 0.05 and list(drawn["ALS (f=16, reg=200)"][:2]) == [1.0, 0.2]
    np.testing.assert_allclose(drawn["ALS (f=16)"], healthy / 10)  # untouched
    np.testing.assert_allclose(chart.figure.data[2].customdata[3:], 2e-8)  # the true values, for the hover
    assert chart.figure.layout.yaxis.range[0] == pytest.approx(np.log10(0.05) - 0.1)
    assert "Clamped at σk/σ1 = 0.05" in chart.caption
    assert "ALS (f=16, reg=200) from k = 3 on (down to 2e-08)" in chart.caption and "ALS (f=16) from" not in chart.caption
    # a healthy curve that reaches low keeps its values: the floor never rises above what it would hide
    assert figures.spectrum_floor([np.array([1.0, 0.003]), np.array([1.0, 1e-9])]) == figures.SPECTRUM_FLOOR
    assert figures.spectrum_floor([np.array([1.0, 1e-9])]) == figures.SPECTRUM_FLOOR  # nothing else to keep high
    plain = figures.model_spectra_chart({"ALS (f=16)": healthy})
    assert "Clamped" not in plain.caption and plain.figure.layout.yaxis.range is None


def test_the_baselines_lift_is_cut_at_the_models_axis_with_its_value_written():
    # the baseline's +330% set the scale and the models' bars were flat (stakeholder demo)
    groups = ["niche", "diverse", "blockbuster"]
    lifts = {"Popularity": pd.DataFrame({"group": groups, "lift": [3.3, 1.2, 0.4]}),
             "iALS": pd.DataFrame({"group": groups, "lift": [0.5, 0.2, -0.1]}),
             "Funk SVD": pd.DataFrame({"group": groups, "lift": [0.2, 0.1, -0.2]})}
    chart = figures.group_lift_chart(lifts)
    low, high = chart.figure.layout.yaxis.range
    assert low < -0.2 and 0.5 < high < 1.2  # the models' bars fill the axis
    baseline = chart.figure.data[0]
    assert list(baseline.y) == [high, high, 0.4] and list(baseline.customdata) == [3.3, 1.2, 0.4]  # hover: true lift
    assert [a.text for a in chart.figure.layout.annotations] == ["<b>+330%</b>", "<b>+120%</b>"]
    # written over the baseline's own bar: the first of three in its group
    assert chart.figure.layout.annotations[0].x == pytest.approx(0 - 0.4 + 0.5 * 0.8 / 3)
    assert "Popularity's reach far beyond them" in chart.caption and "niche +330%, diverse +120%" in chart.caption
    # a cut bar looks cut: its +330% beside an uncut +40% were the same height (MovieLens: +195% and +124% beside +75%)
    assert "white break across them: they are not drawn to scale" in chart.caption
    breaks = chart.figure.layout.shapes[1:]  # after the zero line
    assert len(breaks) == 2 and all(b.type == "path" and b.fillcolor == "white" and b.layer == "above" for b in breaks)
    width = 0.8 / 3
    for group, gap in enumerate(breaks):
        corners = np.array([[float(n) for n in point.split(",")] for point in re.findall(r"[-\d.]+,[-\d.]+", gap.path)])
        middle = group - 0.4 + 0.5 * width  # across the baseline's own bar, side to side, not into its neighbours'
        assert corners[:, 0].min() == pytest.approx(middle - width / 2, abs=1e-3)
        assert corners[:, 0].max() == pytest.approx(middle + width / 2, abs=1e-3)
        assert 0.4 < corners[:, 1].min() < corners[:, 1].max() < high  # below the written value, above the uncut +40%
    close = {"Popularity": lifts["Popularity"].assign(lift=[0.6, 0.3, 0.1]), "iALS": lifts["iALS"]}
    shared = figures.group_lift_chart(close)
    assert shared.figure.layout.yaxis.range is None and not shared.figure.layout.annotations
    assert len(shared.figure.layout.shapes) == 1  # the zero line: no bar is cut, none is broken


def test_the_verdicts_cells_hold_the_word_and_numbers_and_the_users_are_said_once():
    from mfviz.dashboard import versus_baseline

    said = ["yes, +0.133 ± 0.016 NDCG@10 on 942 users", "tie within noise, +0.003 ± 0.035 NDCG@10 on 2,880 users",
            None, "(the baseline)"]
    assert [versus_baseline.short_verdict(w) for w in said] == ["yes, +0.133 ± 0.016", "tie within noise, +0.003 ± 0.035",
                                                                  None, "(the baseline)"]
    assert versus_baseline.verdict_users(said) == "942–2,880 test users"
    assert versus_baseline.verdict_users(said[:1]) == "942 test users" and versus_baseline.verdict_users([None]) == ""
