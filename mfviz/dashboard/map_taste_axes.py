"""The Latent space page's Axes map: the ends the analyst picks (two genres, two items or two title searches) and what
is up, the items' coordinates on them, and the users' own vectors on the same axis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import (
    cached_data,
    latent_charts,
    links,
    map_figures,
    map_link,
    pickers,
    title_search,
    ui,
    untrained,
)
from mfviz.dashboard.figures import counted
from mfviz.dashboard.map_link import MapLink
from mfviz.dashboard.plain import plain
from mfviz.models.sanity import untrained_users


def axis_map(link: MapLink, data, entry, vectors: np.ndarray, norms: np.ndarray, popularity: np.ndarray,
             never_trained: np.ndarray):
    """Coordinates, cache key and axis titles of the taste-axes map the user sets up here (its choices drawn above
    the map, a link's first, written back to `link.params`), and the chart of the users' own vectors on the same axis
    (drawn under the map)."""
    from mfviz.analysis import axis_direction, cosines_with
    from mfviz.analysis.axes import axis_reach

    inter, titles = data.interactions, data.interactions.titles
    groups = cached_data.genre_groups(data.key, inter.items)
    kinds = (["genres"] if len(groups) >= 2 else []) + ["items", "title searches"]
    if st.session_state.get("axis_kind") not in kinds:  # kept from data with genres: this data has none
        st.session_state.pop("axis_kind", None)
    link.choose("ends", "axis_kind", kinds, read=lambda value: "title searches" if value == "searches" else value)
    # an end is a genre (its items' average direction), one item, or the items whose titles match a search (as
    # the Embedding Projector's custom projection between two searches): "Star Trek" ← → "Star Wars"
    # the kind of ends and the three choices on one row: at 1,280 × 720 the map started at 588 px below two, 525 now
    row = st.columns([1.5, 1.4, 1.4, 1.0])
    kind = row[0].radio("Ends", kinds, horizontal=True, key="axis_kind",
                        help="Genres: each end is the average direction of a genre's items. Items: one item at each "
                             "end. Title searches: each end is the average direction of the items whose titles match, "
                             "as the map's search matches (any part of a title; a pattern's signs as a regular "
                             "expression).")
    link.params["ends"] = None if kind == kinds[0] else kind.split()[-1]  # "items" or "searches"
    ends = row[1:]
    if kind == "genres":  # ends are genres: the average direction of their items
        names = list(groups)
        map_link.start_at("axis_left", names, names[0])
        map_link.start_at("axis_right", names, names[1])
        link.choose("left", "axis_left", names)
        link.choose("right", "axis_right", names)
        left = ends[0].selectbox("Left end ←", names, key="axis_left")
        right = ends[1].selectbox("Right end →", names, key="axis_right")
        rows = groups[left], groups[right]
        label = str
        link.params.update(left=None if left == names[0] else left, right=None if right == names[1] else right)
    elif kind == "items":  # ends are single items
        order = np.argsort(-popularity, kind="stable")
        label = lambda i: str(titles[i])  # noqa: E731
        for name, key in (("left", "axis_left_item"), ("right", "axis_right_item")):
            if link.view is not None and name in link.view and (chosen := links.indices(inter, "item", link.view[name])):
                st.session_state[key] = chosen[0]
        marked = lambda i: label(i) + (untrained.MARK if never_trained[i] else "")  # noqa: E731
        # the two most popular items it trained on: one it did not has no direction to make an end of
        first = order[~never_trained[order]] if (~never_trained).sum() >= 2 else order
        left = pickers.pick_one(ends[0], "Left end ←", "item", order, inter, "axis_left_item", marked,
                                default=int(first[0]))
        right = pickers.pick_one(ends[1], "Right end →", "item", order, inter, "axis_right_item", marked,
                                 default=int(first[1]))
        rows = [left], [right]
        for end in dict.fromkeys(i for i in (left, right) if never_trained[i]):  # a zero vector: no direction
            st.info(untrained.item_note(plain(titles[end]), int(popularity[end]), plain(entry.name),
                                        ": its vector was never fitted, so it has no direction to make an end of "
                                        "the axis. Pick an item it was trained on (one not marked “none in "
                                        "training”)."), icon=":material/info:")
        if never_trained[[left, right]].any():
            ui.stop()
        link.params.update(left=None if left == first[0] else links.id_list(inter, "item", [left]),
                           right=None if right == first[1] else links.id_list(inter, "item", [right]))
    else:  # ends are the items whose titles match a search
        for name, key in (("left", "axis_left_search"), ("right", "axis_right_search")):
            if link.view is not None:
                st.session_state[key] = link.view.get(name, "")
        left = ends[0].text_input("Left end ← (titles matching)", key="axis_left_search",
                                  placeholder="e.g. star trek")
        right = ends[1].text_input("Right end → (titles matching)", key="axis_right_search",
                                   placeholder="e.g. star wars")
        matched = [np.flatnonzero(title_search.title_matches(pd.Series(titles), text)) for text in (left, right)]
        link.params.update(left=left.strip() or None, right=right.strip() or None)
        if not all(len(found) for found in matched):
            empty = [f"“{plain(text.strip())}”" if text.strip() else "(empty)" for text, found in zip((left, right), matched,
                                                                                                strict=True) if not len(found)]
            st.info(f"Type a search for each end: no title matches {' or '.join(empty)}.", icon=":material/search:")
            ui.stop()
        st.caption(f"← {counted(len(matched[0]), 'item')} matching “{plain(left.strip())}” · "
                   f"{counted(len(matched[1]), 'item')} matching “{plain(right.strip())}” →")
        rows = matched[0], matched[1]
        label = lambda text: f"“{text.strip()}”"  # noqa: E731
    # "norm", as the colour's link value says vector length, reads as it here too
    link.choose("up", "axis_up", ["popularity", "vector length"],
                     read=lambda value: "vector length" if value == "norm" else value)
    up = ends[2].selectbox("Up", ["popularity", "vector length"], key="axis_up",
                           help="Popularity is drawn as log10(1 + interactions).")
    link.params["up"] = None if up == "popularity" else up
    with ui.guard("Placing the items on the axis"):
        direction, reach = axis_direction(vectors, *rows), axis_reach(vectors, *rows)
    x = cosines_with(vectors, direction)
    # a user never trained on has a zero vector: a cosine of 0, counted as sitting in the middle
    known = entry.model.user_factors[~untrained_users(entry.model)]
    users = latent_charts.users_on_axis(cosines_with(known, direction), label(left), label(right), reach, model=entry.name)
    y = np.log10(1 + popularity) if up == "popularity" else norms
    axes = map_figures.MapAxes(
        "Items along the axes you chose", f"← {label(left)} · · · {label(right)} → (cosine with the axis)",
        "popularity (interactions, log scale)" if up == "popularity" else "vector length",
        "Left to right: the cosine of each item's vector with the direction from the left group's average "
        f"direction to the right group's. Those two directions sit at −{reach:.2f} and +{reach:.2f} (the closer the "
        "groups, the shorter the way between them); 0 is as near one as the other.", y_counts=up == "popularity")
    key = f"{entry.key}|{data.key}|axes|{kind}|{left}|{right}|{up}"
    return np.column_stack([x, y]).astype(np.float32), key, axes, users
