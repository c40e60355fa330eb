"""Plotly builders of the Latent space maps: items as points (2-D or 3-D), coloured by a column, with
search hits, an item's neighbours, titled ends and a user cloud, and the report's overview map. Their
parts come from the map_* modules beside it; shared styling from `figures`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mfviz.dashboard import untrained
from mfviz.dashboard.figures import (
    WEBGL_ABOVE,
    Chart,
    apply_layout,
    counted,
    legend_room,
)
from mfviz.dashboard.map_anchor import LEGEND_TITLE, neighbour_traces, neighbour_traces_3d
from mfviz.dashboard.map_colours import (
    GENRE_COLUMN,
    ColourKey,
    count_ticks,
    distinctive_genre,
    genre_note,
    hover_name,
)
from mfviz.dashboard.map_highlight import SEARCH_COLOUR, highlight_note, item_groups, legend_rank
from mfviz.dashboard.map_labels import (
    anchor_labels,
    framed_titles,
    pixel_frame,
    scene_titles,
    short_title,
    written_labels,
)
from mfviz.dashboard.map_points import HOVER_DETAILS_UP_TO, item_data, item_hover
from mfviz.dashboard.map_text import (
    inside_positions,
    items_in_trace,
    keep_trace_points,
    text_box,
    trace_points,
    uncluttered,
)

# A click selects a point only while dragging zooms (Streamlit turns click-selection off in its lasso
# and box modes), so the maps open in zoom mode and say how to reach the other gestures. What a click does is said
# once, in the line right under the map that its result then takes (map_inspect.drawn_neighbours).
MAP_GESTURES = "Drag to zoom (double-click to zoom out); pick the lasso or box tool (top right) to list a region's items below."

SEARCH_TITLES = 6  # search hits whose titles a map writes, at most

# What a projection's distances mean, said under its map.
PROJECTION_NOTES = {
    "UMAP": "Distances between far-apart clusters mean little in UMAP.",
    "t-SNE": "t-SNE keeps each item's nearest neighbours near; the size of a cluster and the distances between "
             "clusters mean little.",
    "PCA": "PCA projects the vectors onto the two directions along which they vary most (a linear map, so "
           "distances are the vectors' own, shortened): points far apart are far apart in latent space too; close "
           "points are alike along those two directions but may differ along the ones it leaves out (the "
           "preservation score below says how often).",
}


@dataclass(frozen=True)
class MapAxes:
    """Title, axis titles and caption of a map whose axes mean something (taste axes, a model's
    dimensions), instead of a projection's arbitrary ones."""
    title: str
    x: str
    y: str
    caption: str
    z: str = ""  # the third direction's title, on a 3-D map
    y_counts: bool = False  # y is log10(1 + a count) (popularity): its ticks read in counts, as the colour bar's


SUBSET_TITLES = 30  # items of a map of some of the items whose titles it tries to write (most popular first)


def latent_scatter(table: pd.DataFrame, colour: str, highlight: list[int] | None = None,
                   method: str = "UMAP", continuous: bool = True, anchor: int | None = None,
                   neighbours: dict[str, np.ndarray] | None = None, axes: MapAxes | None = None,
                   labelled: dict[int, str] | None = None, users: np.ndarray | None = None, model: str = "",
                   key: ColourKey | None = None, part_of: int = 0, matched: list[int] | None = None,
                   highlighted: dict[str, np.ndarray] | None = None, left_off: np.ndarray | None = None,
                   colour_name: str | None = None) -> Chart:
    """Items as points of the 2-D map; `table` has x, y, item, title and the colour column.
    With `anchor` and `neighbours` ({"cosine": items, "dot": items}), lines join the anchor item
    to its latent-space neighbours, so one sees where the map put them. `axes` names the directions
    of a map whose axes mean something instead of a projection's; `labelled` ({item: Plotly text
    position, e.g. "top center"}) items get their title written next to their point; `users`
    (rows of x, y) are drawn as a faint cloud under the items, where the axes place users too; `model`
    (its name) ends the title, so a saved picture says whose vectors it shows. The anchor's title and
    those of its nearest neighbours are written on the map in framed boxes (see `anchor_labels`); no
    title is written twice. `key`: the colours of all the items (colour_key); `part_of`: how many items
    there are in all, when `table` holds only some of them (a selection mapped on its own): each keeps its
    colour, and the titles of the most popular are written in boxes where they fit. `matched`: every item a title
    search matches, drawn dark over the other points, which fade (the Embedding Projector's search: a few circled
    of hundreds matching left the rest unmarked); the first of them (`highlight`) circled and a few titled.
    `highlighted` ({genre: every item of it, of all the items}, at most HIGHLIGHTED_AT_MOST): those items drawn
    in strong colours on top, the others grey, instead of the colour (see `_highlight_groups`). `left_off`: the
    items the model never trained on, not in `table` (untrained.mapped_rows), which the caption counts. `colour_name`:
    the colour's name in the hover when the points are not items (the users' map: their distinctive genre)."""
    scatter = go.Scattergl if len(table) > WEBGL_ABOVE else go.Scatter
    hover = item_hover(colour_name or hover_name(colour))
    fig = go.Figure()
    trace_items = []
    if users is not None and len(users):
        fig.add_trace((go.Scattergl if len(users) > WEBGL_ABOVE else go.Scatter)(
            x=users[:, 0], y=users[:, 1], mode="markers", name="users", hoverinfo="skip",
            marker=dict(size=4, color="rgba(90, 90, 90, 0.22)")))
        trace_items.append(np.full(len(users), -1))  # not items: a selection leaves them out
    detailed = len(table) <= HOVER_DETAILS_UP_TO
    for part, name, shown, marker, legend in item_groups(table, colour, continuous, key, matched, highlighted,
                                                          strong_size=8):
        fig.add_trace(scatter(x=part["x"], y=part["y"], mode="markers", name=name,
                              customdata=item_data(part, shown, colour, detailed),
                              hovertemplate=hover, marker={"size": 5} | marker, showlegend=legend,
                              **legend_rank(name, highlighted)))
        trace_items.append(part["item"].to_numpy())
    labelled = {i: place for i, place in (labelled or {}).items() if i != anchor}  # the anchor's is in its box
    if labelled:
        part = uncluttered(table, labelled)
        fig.add_trace(go.Scatter(x=part["x"], y=part["y"], mode="text", name="titles", showlegend=False,
                                 text=written_labels(part), cliponaxis=False,
                                 textposition=[labelled[i] for i in part["item"].tolist()],
                                 textfont=dict(size=11, color="#333333"), hoverinfo="skip"))
        trace_items.append(part["item"].to_numpy())
    if highlight:
        part = table[table["item"].isin(highlight)]
        fig.add_trace(go.Scatter(x=part["x"], y=part["y"], mode="markers", name="search hits",
                                 marker=dict(size=18, color="rgba(0,0,0,0)", line=dict(width=2, color=SEARCH_COLOUR)),
                                 hoverinfo="skip"))
        trace_items.append(part["item"].to_numpy())
        # Twenty titles written at their points stack into an unreadable block: a few, none over another
        # (the first hits first: the page orders them by popularity), and the page lists them all.
        # The anchor's own title is written in its box (below); written here too, its star covered it.
        titled = uncluttered(table, dict.fromkeys([i for i in highlight if i != anchor], "top center")
                              ).head(SEARCH_TITLES)
        fig.add_trace(go.Scatter(x=titled["x"], y=titled["y"], mode="text", name="search titles", showlegend=False,
                                 text=written_labels(titled), cliponaxis=False,
                                 textposition=inside_positions(titled.assign(title=written_labels(titled)),
                                                               table["x"], table["y"]),
                                 textfont=dict(size=11, color=SEARCH_COLOUR), hoverinfo="skip"))
        trace_items.append(titled["item"].to_numpy())
    moved, drawn = 0, {}
    if anchor is not None:
        added, moved, drawn = neighbour_traces(fig, table, anchor, neighbours or {})
        trace_items += added
    # Tall enough for every legend entry (12 groups, "other", neighbours and the anchor) without a scrollbar.
    height = max(560, 140 + 30 * sum(trace.showlegend is not False for trace in fig.data))
    named = f" · {model}" if model else ""
    if axes is None:
        units = "arbitrary units" if method in ("UMAP", "t-SNE") else "the vectors' own units"
        apply_layout(fig, f"Item vectors mapped to 2-D by {method}{named}", f"{method} 1 ({units})",
                f"{method} 2 ({units})", height=height, dragmode="zoom", legend="right")
        look = ("do the highlighted items gather in a few places?" if highlighted else
                "look for clusters that share a colour.")
        caption = (f"Nearby points are items the model considers alike; {look} {MAP_GESTURES} "
                   + PROJECTION_NOTES.get(method, ""))
    else:
        apply_layout(fig, axes.title + named, axes.x, axes.y, height=height, dragmode="zoom", legend="right")
        if axes.y_counts and len(table):
            fig.update_yaxes(**count_ticks(float(table["y"].min()), float(table["y"].max())))
        caption = f"{axes.caption} {MAP_GESTURES}"
    caption += (highlight_note(fig, table, highlighted, part_of, left_off) if highlighted else
                genre_note(fig, table, colour, key if part_of else None))
    if part_of:
        caption += (f" Only {counted(len(table), 'item')} of the {part_of:,}: each keeps its colour from the map of "
                    "all of them.")
    caption += untrained.left_off(0 if left_off is None else len(left_off))
    labels, boxed, taken = "", set(), []
    if drawn:
        labels, clear, boxed, taken = anchor_labels(fig, table, anchor, neighbours or {}, drawn, height)
        if highlight:  # search titles under the anchor's boxes, star or rings: left to the list
            keep_trace_points(fig, trace_items, "search titles", lambda x, y, text, item: clear(x, y, text))
    # Each title once: an item framed by the star's boxes is not written again by its search hit or as an
    # end of an axis, nor an end of an axis that is a search hit (Return of the Jedi, Star Wars' neighbour at
    # the end of the first dimension, was written twice on the Dimensions map)
    keep_trace_points(fig, trace_items, "search titles", lambda x, y, text, item: item not in boxed)
    searched = set(items_in_trace(fig, trace_items, "search titles"))
    keep_trace_points(fig, trace_items, "titles", lambda x, y, text, item: item not in boxed and item not in searched)
    if highlight:
        shown = searched | (boxed & set(highlight))
        if len(highlight) > 1:
            said = (f"{len(highlight):,} matches circled, {len(shown)} of their titles written on the map (no title "
                    "over another)")
        elif highlight[0] == anchor:
            said = "1 match circled: the star, its title in its box"
        else:
            said = "1 match circled, " + ("its title written on the map" if shown else
                                          "its title left off the map (no room)")
        faded = (f"; every one of the {len(matched):,} matches drawn dark, the other items faded"
                 if matched and len(matched) > len(highlight) else "")
        caption += f" Search: {said}{faded}; all are listed under it."
    if moved:
        caption += (f" {moved} of the star's neighbours {'sits' if moved == 1 else 'sit'} under it on this map (the "
                    "map keeps " + ("it" if moved == 1 else "them") + " that close): drawn on a ring around it, "
                    f"joined to it by {'its line' if moved == 1 else 'their lines'}.")
    if labels:
        caption += " " + labels
    if part_of:  # a few items on their own: titled where there is room, as the Embedding Projector labels points
        written = boxed | searched | set(items_in_trace(fig, trace_items, "titles"))
        order = table.sort_values("popularity", ascending=False, kind="stable") if "popularity" in table else table
        wanted = [int(i) for i in order["item"] if int(i) not in written][:SUBSET_TITLES]
        to_pixels, _ = pixel_frame(table, height)
        texts = [text_box(to_pixels, x, y, text) for name in ("titles", "search titles")
                 for x, y, text, _ in trace_points(fig, trace_items, name)]
        framed = framed_titles(fig, table, wanted, height, obstacles=taken + texts, colour="#999999")
        total = len(written) + len(framed)
        caption += (f" Titles: {total} of the {len(table):,} items' titles are written on the map" +
                    (" (no title over another; hover over a point for its title)." if total < len(table) else "."))
    # A click adds the star's and its neighbours' legend entries: their room is kept from the start, else the plot
    # narrowed under a presenter's click and every point moved (x from 480-960 px to 520-917 px at 1,280)
    fig.update_layout(margin_r=max(fig.layout.margin.r or 0, legend_room(["cosine neighbours", "x" * LEGEND_TITLE])))
    return Chart(fig, caption, tuple(trace_items))


def overview_map(table: pd.DataFrame, model: str, titled: int = 12, at_most: int = 5_000) -> Chart:
    """The map of the items as the Latent space page opens it (UMAP, coloured by genre when the data has
    genres, else by popularity), the titles of its `titled` most popular items framed on it, for a page
    that cannot be explored (the report): only the `at_most` most popular items, so that a large
    catalogue keeps the file small."""
    total = len(table)
    table = table.nlargest(at_most, "popularity", keep="first").reset_index(drop=True)
    colour = "popularity"
    if "genres" in table.columns:
        table[GENRE_COLUMN], _ = distinctive_genre(table["genres"])
        colour = GENRE_COLUMN
    chart = latent_scatter(table, colour, method="UMAP", continuous=colour == "popularity", model=model)
    popular = table["item"].head(titled).tolist()  # nlargest: the most popular first
    written = framed_titles(chart.figure, table, popular, int(chart.figure.layout.height))
    caption = ("Each point is an item, placed by UMAP so that items with similar vectors lie near each other; "
               + (f"the titles of the {len(popular)} most popular are written on it" if len(written) == len(popular) else
                  f"the titles of {counted(len(written), 'item')} of the {len(popular)} most popular are written on it "
                  "(the others had no room)")
               + (f". Only the {at_most:,} most popular of the {total:,} items are drawn." if total > at_most else "."))
    return Chart(chart.figure, caption)


def latent_scatter_3d(table: pd.DataFrame, colour: str, highlight: list[int] | None = None, method: str = "UMAP",
                      continuous: bool = True, anchor: int | None = None,
                      neighbours: dict[str, np.ndarray] | None = None, axes: MapAxes | None = None,
                      model: str = "", key: ColourKey | None = None, part_of: int = 0,
                      matched: list[int] | None = None, highlighted: dict[str, np.ndarray] | None = None,
                      left_off: np.ndarray | None = None) -> Chart:
    """Items as points of a 3-D map (`table` has x, y, z, item, title and the colour column), to turn
    with the mouse; search hits ringed (`matched`: every match dark, the rest faded, as in 2-D) and, with
    `anchor`, lines to its latent-space neighbours.
    `axes` names the directions of a map whose axes mean something (a model's dimensions); `key` and
    `part_of` as for `latent_scatter` (a few items on their own: their colours of the whole map, and the
    titles of the most popular written at their points); `highlighted` genres and `left_off` as for `latent_scatter`."""
    hover = item_hover(hover_name(colour))
    fig = go.Figure()
    detailed = len(table) <= HOVER_DETAILS_UP_TO
    for part, name, shown, marker, legend in item_groups(table, colour, continuous, key, matched, highlighted,
                                                          strong_size=5):
        marker = {k: v for k, v in marker.items() if k != "line"}  # an outline blurs a 3-D map's small points
        fig.add_trace(go.Scatter3d(x=part["x"], y=part["y"], z=part["z"], mode="markers", name=name,
                                   customdata=item_data(part, shown, colour, detailed), hovertemplate=hover,
                                   marker={"size": 3} | marker, showlegend=legend, **legend_rank(name, highlighted)))
    position = pd.Series(np.arange(len(table)), index=table["item"].to_numpy())
    xyz = table[["x", "y", "z"]].to_numpy(float)
    boxed, hit_items = set(), np.zeros(0, np.int64)
    if highlight:
        rows = position[[i for i in highlight if i in position.index]].to_numpy()
        hit_items = table["item"].to_numpy()[rows]
        titles = written_labels(table).to_numpy(dtype=object)[rows]
        titles[SEARCH_TITLES:] = ""  # (the page lists every hit) titles of many hits only stack up
        fig.add_trace(go.Scatter3d(x=xyz[rows, 0], y=xyz[rows, 1], z=xyz[rows, 2], mode="markers+text",
                                   name="search hits", text=titles,
                                   textfont=dict(color=SEARCH_COLOUR), hoverinfo="skip",
                                   marker=dict(size=7, symbol="circle-open", color=SEARCH_COLOUR)))
        hits = fig.data[-1]
    if anchor is not None and anchor in position.index:
        neighbour_traces_3d(fig, table, position, anchor, neighbours or {})
        notes = scene_titles(table, position, anchor, neighbours or {})
        boxed = {note.pop("item") for note in notes}
        fig.update_layout(scene_annotations=notes)
        if highlight:  # each title once: not the search hit's too
            hits.text = np.where(np.isin(hit_items, list(boxed)), "", np.asarray(hits.text))
    if part_of:  # a few items on their own: the titles of the most popular at their points
        written = boxed | ({int(i) for i, text in zip(hit_items, hits.text, strict=True) if text} if highlight else set())
        order = table.sort_values("popularity", ascending=False, kind="stable") if "popularity" in table else table
        rows = position[[int(i) for i in order["item"] if int(i) not in written][:SUBSET_TITLES // 2]].to_numpy()
        fig.add_trace(go.Scatter3d(x=xyz[rows, 0], y=xyz[rows, 1], z=xyz[rows, 2], mode="text", name="titles",
                                   text=[short_title(t) for t in written_labels(table).to_numpy()[rows]],
                                   showlegend=False, hoverinfo="skip", textfont=dict(size=10, color="#555555")))
    height = max(640, 140 + 30 * sum(trace.showlegend is not False for trace in fig.data))
    titles = (axes.x, axes.y, axes.z) if axes is not None else (f"{method} 1", f"{method} 2", f"{method} 3")
    named = f" · {model}" if model else ""  # (as on the 2-D map: a saved picture names the model)
    apply_layout(fig, (axes.title if axes is not None else f"Item vectors mapped to 3-D by {method}") + named, "", "",
                 height=height, legend="right", margin=dict(l=0, b=0),
                 scene=dict(xaxis_title=titles[0], yaxis_title=titles[1], zaxis_title=titles[2], aspectmode="cube"))
    if axes is not None and axes.y_counts and len(table):
        fig.update_scenes(yaxis=count_ticks(float(table["y"].min()), float(table["y"].max())))
    fig.update_layout(legend_itemsizing="constant")  # legend symbols readable despite the small points
    gestures = ("Drag to turn the map, scroll to zoom, hover for titles; clicking and lasso selection work in 2-D."
                + (" The titles of the star and of its nearest neighbours (framed blue by cosine, red by dot product) "
                   "stay with their points as the map turns." if fig.layout.scene.annotations else ""))
    caption = (f"{axes.caption} {gestures}" if axes is not None else
               f"{gestures} A third dimension usually keeps more of each item's neighbourhood than two (compare the "
               "preservation score below with the 2-D map's).")
    caption += (highlight_note(fig, table, highlighted, part_of, left_off) if highlighted else
                genre_note(fig, table, colour, key if part_of else None))
    if part_of:
        caption += (f" Only {counted(len(table), 'item')} of the {part_of:,}: each keeps its colour from the map of "
                    "all of them; the titles of the most popular are written at their points.")
    caption += untrained.left_off(0 if left_off is None else len(left_off))
    return Chart(fig, caption)
