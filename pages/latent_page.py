"""Latent space page: a 2-D map of the item vectors, coloured, searchable and selectable."""

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.analysis.projection import preservation_k
from mfviz.dashboard import (
    background,
    cache,
    dimension_places,
    latent_charts,
    links,
    map_colours,
    map_figures,
    map_highlight,
    map_points,
    map_projection,
    pickers,
    state,
    support,
    title_search,
    ui,
    untrained,
    verdicts,
)
from mfviz.dashboard.figures import counted, export_config, file_name, fixed_decimals
from mfviz.data.id_lists import join_ids, split_ids
from mfviz.models.sanity import untrained_users

# one line at 1,280 px: the map starts that much higher on a 720 px screen
ui.header("Latent space", "Each item's vector, squeezed into 2-D (or 3-D): items the model finds alike land close.")

GENRES_SHOWN = 20  # rows of its genre heatmap (the largest genres)
USERS_DRAWN = 3_000  # users drawn on the Dimensions map, at most


def axis_map(vectors: np.ndarray, norms: np.ndarray, popularity: np.ndarray):
    """Coordinates, cache key and axis titles of the taste-axes map the user sets up here, and the
    chart of the users' own vectors on the same axis (drawn under the map)."""
    from mfviz.analysis import axis_direction, cosines_with
    from mfviz.analysis.axes import axis_reach

    groups = cache.genre_groups(data.key, inter.items)
    kinds = (["genres"] if len(groups) >= 2 else []) + ["items", "title searches"]
    if st.session_state.get("axis_kind") not in kinds:  # kept from data with genres: this data has none
        st.session_state.pop("axis_kind", None)
    choose_from_link("ends", "axis_kind", kinds, read=lambda value: "title searches" if value == "searches" else value)
    # an end is a genre (its items' average direction), one item, or the items whose titles match a search (as
    # the Embedding Projector's custom projection between two searches): "Star Trek" ← → "Star Wars"
    kind = st.radio("Ends", kinds, horizontal=True, key="axis_kind",
                    help="Genres: each end is the average direction of a genre's items. Items: one item at each end. "
                         "Title searches: each end is the average direction of the items whose titles match, as the "
                         "map's search matches (any part of a title; a pattern's signs as a regular expression).")
    view_params["ends"] = None if kind == kinds[0] else kind.split()[-1]  # "items" or "searches"
    ends = st.columns(3)
    if kind == "genres":  # ends are genres: the average direction of their items
        names = list(groups)
        start_at("axis_left", names, names[0])
        start_at("axis_right", names, names[1])
        choose_from_link("left", "axis_left", names)
        choose_from_link("right", "axis_right", names)
        left = ends[0].selectbox("Left end ←", names, key="axis_left")
        right = ends[1].selectbox("Right end →", names, key="axis_right")
        rows = groups[left], groups[right]
        label = str
        view_params.update(left=None if left == names[0] else left, right=None if right == names[1] else right)
    elif kind == "items":  # ends are single items
        order = np.argsort(-popularity, kind="stable")
        label = lambda i: str(titles[i])  # noqa: E731
        for name, key in (("left", "axis_left_item"), ("right", "axis_right_item")):
            if link_view is not None and name in link_view and (chosen := links.indices(inter, "item", link_view[name])):
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
            st.info(untrained.item_note(str(titles[end]), int(popularity[end]), entry.name,
                                        ": its vector was never fitted, so it has no direction to make an end of "
                                        "the axis. Pick an item it was trained on (one not marked “none in "
                                        "training”)."), icon=":material/info:")
        if never_trained[[left, right]].any():
            ui.stop()
        view_params.update(left=None if left == first[0] else links.id_list(inter, "item", [left]),
                           right=None if right == first[1] else links.id_list(inter, "item", [right]))
    else:  # ends are the items whose titles match a search
        for name, key in (("left", "axis_left_search"), ("right", "axis_right_search")):
            if link_view is not None:
                st.session_state[key] = link_view.get(name, "")
        left = ends[0].text_input("Left end ← (titles matching)", key="axis_left_search",
                                  placeholder="e.g. star trek")
        right = ends[1].text_input("Right end → (titles matching)", key="axis_right_search",
                                   placeholder="e.g. star wars")
        matched = [np.flatnonzero(title_search.title_matches(pd.Series(titles), text)) for text in (left, right)]
        view_params.update(left=left.strip() or None, right=right.strip() or None)
        if not all(len(found) for found in matched):
            empty = [f"“{text.strip()}”" if text.strip() else "(empty)" for text, found in zip((left, right), matched,
                                                                                                strict=True) if not len(found)]
            st.info(f"Type a search for each end: no title matches {' or '.join(empty)}.", icon=":material/search:")
            ui.stop()
        st.caption(f"← {counted(len(matched[0]), 'item')} matching “{title_search.markdown_safe(left.strip())}” · "
                   f"{counted(len(matched[1]), 'item')} matching “{title_search.markdown_safe(right.strip())}” →")
        rows = matched[0], matched[1]
        label = lambda text: f"“{text.strip()}”"  # noqa: E731
    # "norm", as the colour's link value says vector length, reads as it here too
    choose_from_link("up", "axis_up", ["popularity", "vector length"],
                     read=lambda value: "vector length" if value == "norm" else value)
    up = ends[2].selectbox("Up", ["popularity", "vector length"], key="axis_up",
                           help="Popularity is drawn as log10(1 + interactions).")
    view_params["up"] = None if up == "popularity" else up
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


def dimension_map(popularity: np.ndarray, depth: bool):
    """Coordinates, cache key, axes and end items of the map on two of the model's principal
    dimensions (the singular directions of its scores), or one against popularity or the item bias, and the
    dimensions themselves. With `depth`, a third dimension as the map's depth (3-D)."""
    from mfviz.analysis import dimension_ends

    with ui.guard("Finding the model's dimensions"):
        dims = cache.dimensions(entry.key, entry.model)
    share = dims.energy_share
    count = share.size
    if dims.empty:
        st.info(dimension_places.NO_DIMENSIONS, icon=":material/explore:")
        ui.stop()
    # Besides the dimensions, "up" can show what the dimensions leave out: popularity, and the item
    # bias of a model that has one (explicit models put each item's general appeal there).
    others = {"popularity": ("popularity (interactions, log scale)", np.log10(1 + popularity))}
    if getattr(entry.model, "item_bias", None) is not None:
        others["item bias"] = ("item bias (the item's appeal to everyone)", np.asarray(entry.model.item_bias, float))
    name = lambda d: others[d][0] if d in others else f"dimension {d + 1} ({share[d]:.1%} of the score energy)"  # noqa: E731
    depth = depth and count >= 3
    picks = st.columns(3 if depth else 2)
    start_at("dims_x", list(range(count)), 0)
    choose_from_link("across", "dims_x", list(range(count)), dimension_number)
    across = picks[0].selectbox("Across →", range(count), key="dims_x", format_func=name)
    ups = [*range(count), *others]
    start_at("dims_y", ups, ups[1])  # dimension 2, or popularity for a model of one factor
    choose_from_link("up", "dims_y", ups, dimension_number)
    up = picks[1].selectbox("Up ↑", ups, key="dims_y", format_func=name,
                            help="Another dimension, popularity (does a dimension follow how popular items are?) or, "
                                 "for a model with biases, the item bias.")
    depth = depth and up not in others  # a dimension against popularity or the item bias stays flat
    back = None
    if depth:
        spare = [d for d in range(count) if d not in (across, up)]
        start_at("dims_z", list(range(count)), spare[0])
        choose_from_link("depth", "dims_z", list(range(count)), dimension_number)
        back = picks[2].selectbox("Depth ↗", range(count), key="dims_z", format_func=name,
                                  help="The third dimension, drawn as the map's depth.")
        view_params["depth"] = None if back == spare[0] else back + 1
    if link_view is not None and "users" in link_view:
        shown = SWITCHES.get(link_view["users"].lower())
        if shown is None:  # said, as the link's 3d is
            st.warning(f"The link's users = {link_view['users']} is neither on nor off; the users are not drawn.",
                       icon=":material/link_off:")
        st.session_state["dims_users"] = bool(shown)
    with_users = st.checkbox("Show the users too", key="dims_users", disabled=up in others or depth,
                             help="Users have coordinates on the same dimensions (a score is the sum of user × item "
                                  f"coordinate products): a grey cloud of up to {USERS_DRAWN:,} of them under the "
                                  "items shows which ends the users actually lean to.")
    view_params.update(across=None if across == 0 else across + 1,
                       up=None if up == 1 else up if up in others else up + 1,
                       users="on" if with_users and up not in others and not depth else None)
    y = others[up][1] if up in others else dims.item_coords[:, up]
    coords = np.column_stack([dims.item_coords[:, across], y] + ([dims.item_coords[:, back]] if depth else [])
                             ).astype(np.float32)
    users = None
    if with_users and up not in others and not depth:
        rows = np.flatnonzero(~untrained_users(entry.model))  # a user never trained on sits at 0 on every dimension
        if rows.size > USERS_DRAWN:  # a fixed sample, so the cloud does not jump between reruns
            rows = np.sort(np.random.default_rng(0).choice(rows, USERS_DRAWN, replace=False))
        users = dims.user_coords[rows][:, [across, up]].astype(np.float32)
    ends = {}  # the two items at each end of each dimension shown, with where their title goes
    for column, places in ((y, ("top center", "bottom center")), (dims.item_coords[:, across],
                                                                  ("middle left", "middle right"))):
        for rows, place in zip(dimension_ends(column, 2, dims.placed), places, strict=True):  # not unseen items
            ends.update(dict.fromkeys(rows.tolist(), place))
    shown = (f"dimension {across + 1} and {up}" if up in others else f"dimensions {across + 1}, {up + 1} and {back + 1}"
             if depth else f"dimensions {across + 1} and {up + 1}")
    axes = map_figures.MapAxes(
        f"Items on the model's {shown}", f"{name(across)} →", f"{name(up)} →",
        "The model's dimensions are the strongest patterns in its scores (user · item), strongest first: an "
        "item's score for a user is the sum over dimensions of the item's coordinate times the user's, so items "
        "far out on one side of a dimension go to the users far out on the same side. The titles are the items "
        "at the ends of the axes; the table below lists the ends of the strongest dimensions.",
        f"{name(back)} ↗" if depth else "", y_counts=up == "popularity")
    key = f"{entry.key}|{data.key}|dims|{across}|{up}" + (f"|{back}" if depth else "")
    return coords, key, axes, ends, dims, users


SWITCHES = map_projection.SWITCHES


def open_view(view: dict[str, str]) -> None:
    """Set the page's controls to the view of a link just opened (before they are drawn): each parameter the
    link has, and the default of each it lacks. The colour, the axes' ends and the dimensions are set once
    their choices are known (below, and `choose_from_link` in `axis_map` and `dimension_map`)."""
    wanted = view.get("map", METHODS[0])
    method = next((m for m in METHODS if map_projection.link_name(m) == map_projection.link_name(wanted)), None)
    if method is None:
        st.warning(f"The link's map = {wanted} is not one of this page's maps ({', '.join(METHODS)}); it shows "
                   f"{METHODS[0]}.", icon=":material/link_off:")
    st.session_state["latent_method"] = method or METHODS[0]
    three_d = SWITCHES.get(view.get("3d", "off").lower())
    if three_d is None:
        st.warning(f"The link's 3d = {view['3d']} is neither on nor off; the map is drawn in 2-D.",
                   icon=":material/link_off:")
    st.session_state["latent_3d"] = bool(three_d)
    st.session_state["latent_search"] = view.get("search", "")
    chosen = links.indices(inter, "item", view["item"]) if "item" in view else []
    st.session_state["latent_anchor"] = chosen[0] if chosen else None
    map_projection.open_from_link(view)  # the maps' own settings and the neighbours drawn
    # the colour and the ends of the axes are the link's (or their defaults) once their choices are known
    for setting in ("latent_colour", "axis_kind", "axis_left", "axis_right", "axis_up", "axis_left_item",
                    "axis_right_item", "axis_left_search", "axis_right_search", "dims_x", "dims_y", "dims_z", "dims_users"):
        st.session_state.pop(setting, None)
    # A selection mapped on its own is no part of a link: the link's map shows all the items
    st.session_state.pop("latent_subset", None)
    support.from_link(view, "latent_min_support")  # the neighbour lines' filter


def start_at(key: str, options: list, default) -> None:
    """Start the select box `key` at `default` until it holds one of `options`: through the session state, where
    a link sets it too (a widget given a default beside a value set there made Streamlit log a warning)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def choose_from_link(name: str, key: str, options: list, read=str) -> None:
    """Set the select box `key` (drawn next, over `options`) to the opened link's `name`, read by `read`
    (a value that does not fit is named in a warning; the box keeps its default)."""
    if link_view is None or name not in link_view:
        return
    try:
        value = read(link_view[name])
    except (ValueError, TypeError):
        value = None
    if value in options:
        st.session_state[key] = value
    else:
        st.warning(f"The link's {name} = {link_view[name]} is not one of this map's choices here; the map takes "
                   "its default.", icon=":material/link_off:")


def dimension_number(text: str) -> int | str:
    """A link's dimension (1 = the strongest, as the page names them) as the page's choice (0-based); a
    name (popularity, item bias) as it is."""
    return int(text) - 1 if text.strip().lstrip("-").isdigit() else text


HIGHLIGHT = "latent_highlight"  # the genres highlighted on the map (kept across pages: workspace.PAGE_WIDGETS)


def highlight_choice(groups: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The genres the analyst highlights on the map ({genre: its items}, in the order picked), chosen under the model
    picker (a link's `highlight=` first); none, and no widget, when the data's items have no genres. Genres kept from
    other data that this data lacks are let go."""
    if link_view is not None:
        highlight_from_link(link_view.get("highlight"), groups)
    if not groups:
        return {}
    kept = [genre for genre in st.session_state.get(HIGHLIGHT) or [] if genre in groups]
    st.session_state[HIGHLIGHT] = kept[:map_highlight.HIGHLIGHTED_AT_MOST]
    chosen = finders[2].multiselect(
        "Highlight genres", sorted(groups, key=str.casefold), key=HIGHLIGHT,
        max_selections=map_highlight.HIGHLIGHTED_AT_MOST, format_func=lambda g: f"{g} ({len(groups[g]):,})",
        placeholder="a genre, to find its items (type to search)",
        help=f"Draw the items of a genre (up to {map_highlight.HIGHLIGHTED_AT_MOST}) on top, larger, each genre in a "
             "strong colour and its own shape, and every other item light grey behind: a genre found at a glance, "
             "whatever your colour vision (the twelve genre colours cannot all be told apart). An item of several "
             "genres counts in each. “Colour by” is set aside meanwhile. The number is the genre's items in all.")
    return {genre: groups[genre] for genre in chosen}


def highlight_from_link(value: str | None, groups: dict[str, np.ndarray]) -> None:
    """Set the highlight to the opened link's `highlight=` (genre names, `join_ids`; case ignored), none when it
    has none (a link fixes the view); names that are no genre of this data are said in a warning."""
    named = [name.strip() for name in split_ids(value or "") if name.strip()]
    by_name = {genre.casefold(): genre for genre in groups}
    found = list(dict.fromkeys(by_name[name.casefold()] for name in named if name.casefold() in by_name))
    missing = [name for name in named if name.casefold() not in by_name]
    if missing:
        why = ("this data's items have no genres" if not groups else
               f"{', '.join(missing)} {'is no genre' if len(missing) == 1 else 'are no genres'} of this data")
        st.warning(f"The link's highlight = {value} is not applied as it stands: {why}; "
                   + (f"{', '.join(found)} {'is' if len(found) == 1 else 'are'} highlighted." if found else
                      "nothing is highlighted."), icon=":material/link_off:")
    if len(found) > map_highlight.HIGHLIGHTED_AT_MOST:
        st.warning(f"The link's highlight = {value} names {len(found)} genres; the map highlights "
                   f"{map_highlight.HIGHLIGHTED_AT_MOST} at most: the first {map_highlight.HIGHLIGHTED_AT_MOST}.",
                   icon=":material/link_off:")
    st.session_state[HIGHLIGHT] = found[:map_highlight.HIGHLIGHTED_AT_MOST]


def isolate(items, around: int | None = None) -> None:
    """Map only `items` (callbacks run before widgets); `around`: the item whose neighbourhood they are."""
    st.session_state["latent_subset"] = (data.key, sorted(int(i) for i in items))
    st.session_state["latent_subset_of"] = None if around is None else (data.key, int(around))


def isolate_button(label: str, key: str, items: list[int], what: str) -> None:
    """A button mapping `items` on their own (the Embedding Projector's "isolate"), off while they are what is
    mapped or fewer than a map needs."""
    mapped = st.session_state.get("latent_subset")
    st.button(label, key=key, on_click=isolate, args=(items,),
              disabled=len(items) < 3 or (mapped is not None and list(mapped[1]) == items),
              help=f"Map {what} on their own, as the Embedding Projector's “isolate” does: how they are arranged "
                   "among themselves. “Show all items” goes back. A map needs 3 items at least.")


def show_all() -> None:
    st.session_state.pop("latent_subset", None)
    st.session_state.pop("latent_subset_of", None)


def clear_anchor() -> None:
    st.session_state["latent_anchor"] = None  # a callback: runs before the picker is drawn


def open_in_neighbours(item: int) -> None:
    st.session_state["neighbours_item"] = item


def inspect(comparison, popularity: np.ndarray, norms: np.ndarray) -> None:
    """What the map's inspected item is (on the map or not, e.g. outside a mapped selection): its facts
    and its nearest items by cosine and by dot product (the lines drawn on the map), with a way to the
    Neighbours page and a way to let it go."""
    item = comparison.item
    facts = [f"{int(popularity[item]):,} interactions",
             f"vector length {norms[item]:.3g} ({verdicts.length_place(norms, norms[item])})"]
    genres = inter.items["genres"].iloc[item] if "genres" in inter.items.columns else None
    if isinstance(genres, list | tuple | np.ndarray) and len(genres):
        facts.insert(0, ", ".join(map(str, genres)))
    st.markdown(f"**★ {titles[item]}** · " + " · ".join(facts))
    columns = st.columns(2)
    # the row order is the rank; the numbers narrow, so that the title and every number fit half of 1,280 px
    # with the box that steps to a neighbour
    shown = [c for c in ("title", "score", "popularity", "together") if c in comparison.cosine.columns]
    config = {"title": st.column_config.TextColumn(width=190),
              "popularity": st.column_config.NumberColumn("pop.", width=44, help="Interactions in the data."),
              "together": st.column_config.NumberColumn(width=64, help="Users who have both this item and the "
                                                                       "neighbour.")}
    for column, metric, frame, heading in ((columns[0], "cosine", comparison.cosine, "Nearest by cosine (blue lines)"),
                                           (columns[1], "dot", comparison.dot, "Nearest by dot product (red lines)")):
        column.markdown(f"**{heading}**")
        # a click on a row's box: that neighbour becomes the item drawn (pickers.stepping_table); one count of
        # decimals down the list, 3 significant digits of its best
        pickers.stepping_table(column, frame[shown], frame["item"], f"latent_step_{metric}", "latent_anchor",
                               hide_index=True, width="stretch", height=35 * (len(frame) + 1) + 3,
                               column_config=config | {"score": st.column_config.NumberColumn(
                                   format=fixed_decimals(frame["score"]), width=60)})
    st.caption("Tick a row's box (keyboard: Shift+Space on a row) to draw that item's neighbours instead.")
    pickers.step_back(st, "latent_anchor", titles)  # after ticks from one neighbour to the next
    buttons = st.columns([1.2, 0.6, 2.2])
    if buttons[0].button("Open in Neighbours →", key="latent_to_neighbours", on_click=open_in_neighbours,
                         args=(comparison.item,), help="The same lists with vector lengths, overlap and the item's "
                                                       "place on the model's dimensions."):
        st.switch_page("pages/neighbours_page.py")
    buttons[1].button("Clear", key="latent_clear_anchor", on_click=clear_anchor, help="Stop drawing its neighbours.")
    # The Embedding Projector's "isolate": the neighbourhood on its own, so that the map spreads it out
    around = [item, *dict.fromkeys(int(i) for i in (*comparison.cosine["item"], *comparison.dot["item"]) if int(i) != item)]
    mapped = st.session_state.get("latent_subset")
    buttons[2].button(f"Map only it and its {counted(len(around) - 1, 'neighbour')}", key="latent_isolate_neighbours",
                      on_click=isolate, args=(around, item),
                      disabled=len(around) < 3 or (mapped is not None and list(mapped[1]) == sorted(around)),
                      help="Map this item and the neighbours listed above (its nearest by cosine and by dot product, "
                           "with Min. interactions) on their own, as the Embedding Projector's “isolate” does: how "
                           "its neighbourhood is arranged. “Show all items” goes back. A map needs 3 items at least.")


data = ui.current_data()
inter = data.interactions
titles = inter.titles
PROJECTIONS = ("UMAP", "t-SNE", "PCA")  # the maps made by projecting the vectors (the others have axes)
if inter.n_items < 3:  # two points say nothing a map could arrange (and projections need three)
    st.info(f"A map needs at least 3 items and this data has {inter.n_items}: load data with more items to see "
            "them in latent space. The Neighbours and Recommend pages work on it.", icon=":material/map:")
    ui.stop()
METHODS = ["UMAP", "t-SNE", "PCA", "Axes", "Dimensions"]
map_projection.keep()  # each map's settings, drawn only for it: kept meanwhile
link = links.opened(data, "latent")  # a link to this page names the model and the view: the map, its colour, ...
links.pick_model(link, data)
# A link fixes the view: what it says, and what it leaves out at its default, not at this session's last
# choice (a link of map and item opened on its maker's own search, 3-D and item). `opened` gives only the
# parameters this session has not applied yet; any of them means a link was opened, and the whole link is
# the view. None: no link opened in this run.
link_view = {name: st.query_params[name] for name in st.query_params} if link else None
if link_view is not None:
    open_view(link_view)
# Two rows of controls above the map, so that at 1,280 × 720 (a presenter's laptop) the map starts at ~400 px, not
# ~560: the model, the map (its five choices on one line) and its colour; then what a demonstration types (a
# search, the item whose neighbours are drawn), the genres highlighted, and "Map settings" holding the rest.
top = st.columns([1.3, 2.75, 1.3])
colour_slot = top[2].container()  # "Colour by", drawn once the colours are known
finders = st.columns([1.3, 1.75, 1.3, 1.0], vertical_alignment="bottom")
with top[0]:
    entry = ui.model_picker()
method = top[1].radio("Map", METHODS, horizontal=True, key="latent_method",
                      help="UMAP keeps local neighbourhoods (clusters); t-SNE too, as the Embedding Projector "
                           "draws it (slower: tens of seconds for a few thousand items, then cached); PCA keeps the "
                           "largest global directions and is instant; Axes: you say what left–right means (e.g. Horror → Romance) and what "
                           "up means (popularity or vector length); Dimensions: two of the model's own strongest "
                           "dimensions (the singular directions of its scores), with what lies at their ends.")
three_d = top[1].toggle("3-D", key="latent_3d", disabled=method == "Axes",
                        help="UMAP, t-SNE or PCA in three dimensions, or three of the model's dimensions, to turn "
                             "with the mouse (for UMAP, t-SNE and PCA, more of each item's neighbourhood survives: the preservation "
                             "score says how much). Clicks and lasso selection work on the 2-D map.") \
    and method != "Axes"

saved_names = ui.data_label(data), entry.name  # in every file saved from the page
vectors = entry.model.item_factors
with ui.guard("Reading the data"):
    summary = cache.summary(data.key, inter)
norms = np.linalg.norm(vectors, axis=1)
never_trained = cache.untrained_items(entry.key, entry.model)  # a split can hold out every interaction of an item
# "Map only these items": the items of a selection, mapped on their own (kept per dataset).
subset = st.session_state.get("latent_subset")
subset = np.asarray(subset[1], np.int64) if subset and subset[0] == data.key else None
subset_key = "" if subset is None else f"|only:{state.array_hash(subset)}"
# The items on the map: those the model trained on (None: every item, mapped as before)
map_rows = untrained.mapped_rows(never_trained, subset)
mapped_key = subset_key + (untrained.TRAINED_ONLY if never_trained.any() else "")
if map_rows is not None and len(map_rows) < 3:  # a map needs three points
    st.info(f"{entry.name} trained on {counted(len(map_rows), 'item')} of {'these' if subset is not None else 'the data'}"
            f"'s {counted(inter.n_items if subset is None else len(subset), 'item')}, and a map needs at least 3: the "
            "others have no training interaction, so their vectors were never fitted. Train it on a split that keeps "
            "more items in its training part.", icon=":material/map:")
    ui.stop()
if subset is not None:  # drawn before the map, so the way back stays whatever happens to the map
    around = st.session_state.get("latent_subset_of")  # the item whose neighbourhood it is, if it is one
    around = around[1] if around and around[0] == data.key and around[1] in map_rows else None
    # Counted as drawn: a selection kept from another model or split can hold items this one never trained on,
    # which are off the map (the notice counted them, and the map showed fewer points than it said)
    notice = st.columns([4, 1])
    notice[0].info((f"Only {titles[around]} and its {len(map_rows) - 1:,} neighbours (those listed under the map when "
                    "it was drawn: its nearest by cosine and by dot product) are on the map" if around is not None else
                    f"Only the {len(map_rows):,} items you selected are on the map") + f" (of {inter.n_items:,}): "
                   + ("mapped again on their own, so the map spreads their differences." if method in PROJECTIONS
                      else "on the same axes as before.")
                   + untrained.selection_left_off(len(subset) - len(map_rows), entry.name)
                   + " A link to this view opens the map of all the items.", icon=":material/search:")
    notice[1].button("Show all items", key="latent_show_all", on_click=show_all)
axes = users = dims = user_points = made_note = None
settings_box = map_projection.settings_box(finders[3], method, three_d, inter.n_items if map_rows is None
                                           else len(map_rows))
labelled = {}
view_params = {}  # the map's own settings, for the link (filled by axis_map and dimension_map)
if method == "Axes":
    coords, projection_key, axes, users = axis_map(vectors, norms, summary.item_popularity)
    made = "instant"
elif method == "Dimensions":
    coords, projection_key, axes, labelled, dims, user_points = dimension_map(summary.item_popularity, three_d)
    three_d = coords.shape[1] == 3  # a dimension against popularity or the item bias stays flat
    made = "instant"
else:
    shown = vectors if map_rows is None else vectors[map_rows]
    settings = map_projection.choose(settings_box, finders[3], method, three_d, entry.key + mapped_key, shown)
    view_params.update(settings.link)
    with ui.guard("Projecting the item vectors"):
        projection = map_projection.project(entry.key + mapped_key, shown, method, settings, three_d)
    coords, projection_key = projection.coords, background.projection_key(
        entry.key, data.key, method, settings.n_neighbors, settings.min_dist, 3 if three_d else 2) + settings.key \
        + mapped_key
    made, made_note = map_projection.made(projection)
    axes = map_projection.map_axes(method, settings, three_d, entry.key + mapped_key, shown)
if map_rows is not None and method in ("Axes", "Dimensions"):  # the same axes, fewer items
    coords, projection_key = coords[map_rows], projection_key + mapped_key
with ui.guard("Drawing the map"):
    table = cache.map_table(projection_key, coords, inter.items, summary.item_popularity, norms, titles,
                            *(() if map_rows is None else (map_rows,)))
    score = cache.preservation(entry.key + mapped_key, vectors if map_rows is None else vectors[map_rows],
                               projection_key, coords)
# the items the model never trained on, left off the map: said under it (a selection mapped on its own has none)
left_off = np.flatnonzero(never_trained) if subset is None else None

GENRE = map_colours.GENRE_COLUMN
# The colours are those of all the items, so that a map of a few of them colours each as the map of all of
# them does (recomputed from a selection of Children's films, they lost Children's to Animation and
# Musical, and Drama changed colour)
catalogue = table if map_rows is None else cache.map_table(
    f"{entry.key}|{data.key}|all items", np.zeros((inter.n_items, 2), np.float32), inter.items,
    summary.item_popularity, norms, titles)
genres_shown = 0
if "genres" in catalogue.columns:  # each item's least common genre among the most common: every one of them shows
    catalogue[GENRE], genres_shown = map_colours.distinctive_genre(catalogue["genres"])  # (map_table returns a copy)
    table[GENRE] = catalogue[GENRE].to_numpy()[table["item"].to_numpy()]  # (rows of all the items: by item)
OWN_COLUMNS = ("x", "y", "z", "item", "item_id", "title", "first_genre", "genres", GENRE, "popularity", "norm")
# the first-listed genre too, as the data names its main one (Star Wars shows as War by its least common)
metadata_columns = [c for c in (GENRE, "first_genre", "genres") if c in catalogue.columns] + \
    [c for c in catalogue.columns if c not in OWN_COLUMNS and catalogue[c].nunique() <= 30]
# a number of the item table with more values (a year, a price) is a colour scale: it was left out of the choice
def all_numbers(column: pd.Series) -> bool:
    """Whether every value given in an item-table column reads as a number (an item table's years come as text or
    objects with blanks: the dtype alone does not say)."""
    if pd.api.types.is_bool_dtype(column):
        return False
    given = column[column.notna() & (column.astype(str).str.strip() != "")]
    return bool(len(given)) and bool(pd.to_numeric(given, errors="coerce").notna().all())


numeric_columns = [c for c in catalogue.columns if c not in OWN_COLUMNS and c not in metadata_columns
                   and all_numbers(catalogue[c])]
colour_options = ["popularity", "norm"] + numeric_columns + metadata_columns
default_colour = GENRE if GENRE in colour_options else colour_options[0]
if link_view is not None and "colour" in link_view:
    if link_view["colour"] in colour_options:
        st.session_state["latent_colour"] = link_view["colour"]
    else:
        st.warning(f"The link's colour = {link_view['colour']} is not one of this data's colours "
                   f"({', '.join(colour_options)}); the map is coloured by {map_colours.column_name(default_colour)}.",
                   icon=":material/link_off:")
if st.session_state.get("latent_colour") not in colour_options:  # through the session state, not `index=`:
    st.session_state["latent_colour"] = default_colour  # (kept by app.py)
highlighted = highlight_choice(cache.genre_groups(data.key, inter.items))
view_params["highlight"] = join_ids(highlighted) if highlighted else None
colour = colour_slot.selectbox("Colour by", colour_options, key="latent_colour",
                          format_func=map_colours.column_name, disabled=bool(highlighted),
                          help="Set aside while genres are highlighted: clear “Highlight genres” to colour the map."
                          if highlighted else map_colours.GENRE_NOTE.format(n=genres_shown) if genres_shown else None)
continuous = colour in ("popularity", "norm", *numeric_columns)
label = map_projection.label_choice(settings_box, table, link_view)
view_params["label"] = None if label == "title" else label
# the first-listed genre keeps the colours of the genre colouring shown first: Drama is one colour in both
colour_key = map_colours.colour_key(catalogue[colour], colour, continuous, like=map_colours.colour_key(
    catalogue[GENRE], GENRE, False) if colour == "first_genre" and GENRE in catalogue.columns else None)
shown_neighbours = map_projection.neighbour_count(settings_box)
search = finders[0].text_input(
    "Search items by title", key="latent_search", placeholder="part of a title, or a regular expression",
    help="Titles that hold it anywhere, case ignored, those holding it at the start of a word first: `star` finds "
         "Lone Star before Bastard Out of Carolina; with a pattern's signs, also as a regular expression: "
         "`star.*(wars|trek)` the Star Wars and Star Trek films, `^Star` the titles that begin with Star. The first "
         f"{title_search.SEARCH_CIRCLED} are circled on the map and listed under it; the line above the map says how "
         "many match in all.")
by_popularity = np.argsort(-summary.item_popularity, kind="stable")
# A click on one point of the map makes it the item whose neighbours are drawn. The click is read
# here, before the picker exists (Streamlit sets a widget's value only before drawing it), and only
# once: the picker can change the item afterwards while the clicked point stays selected.
# The map of a subset is another chart (its own key), so a selection never carries over between the two.
map_key = "latent_map" + subset_key
clicked = map_points.clicked_item(st.session_state.get(map_key))
clicked = clicked if clicked is not None and clicked < inter.n_items else None
if clicked != st.session_state.get("latent_clicked"):
    st.session_state["latent_clicked"] = clicked
    if clicked is not None:
        st.session_state["latent_anchor"] = clicked
anchor = pickers.pick_one(
    finders[1], "Draw the neighbours of", "item", by_popularity, inter, "latent_anchor",
    lambda i: f"{titles[i]} · {summary.item_popularity[i]:,} interactions" + (untrained.MARK if never_trained[i] else ""),
    placeholder="an item (most popular first; type to search)",
    help=f"Or click a point on the map. Lines join the item to its {shown_neighbours} nearest items in latent space "
         "by cosine (blue) and by dot product (red): does the map keep them close?")
min_support = support.min_support_input(settings_box, "latent_min_support")  # the Neighbours page's filter too
# The view in the address: each setting left out at its default, which a link opened without it takes
view_params.update(colour=None if colour == default_colour else colour, search=search.strip() or None,
                   min=support.link_value(min_support), **{"3d": "on" if three_d else None},
                   k=None if shown_neighbours == map_projection.NEIGHBOURS_SHOWN[3] else shown_neighbours)
links.show(data, entry, "latent", map=map_projection.link_name(method), item=None if anchor is None else links.id_list(inter, "item", [anchor]),
           **view_params)
highlight, hits = [], None
if search.strip():
    hits = title_search.search_hits(table, search)  # most popular first (the map titles a few)
    highlight = hits["item"].head(title_search.SEARCH_CIRCLED).tolist()
    # matches left off the map are said, or a search for one found "no title on the map" and no why
    missed = (int(title_search.title_matches(pd.Series(titles[left_off]).astype(str), search).sum())
              if left_off is not None and left_off.size else 0)
    st.caption(title_search.search_sentence(len(hits), search, hits.attrs.get("at_word"))
               + (f" {counted(missed, 'more title matches', 'more titles match')}: "
                  f"{'an item' if missed == 1 else 'items'} {entry.name} never trained on, left off the map "
                  "(“none in training” in “Draw the neighbours of”)." if missed else ""))

neighbours, comparison = {}, None
if anchor is not None and never_trained[anchor]:  # no direction: its "neighbours" would be the catalogue in index order
    st.info(untrained.item_note(str(titles[anchor]), int(summary.item_popularity[anchor]), entry.name,
                                ": its vector was never fitted, so it is not on the map and any neighbours would "
                                "be the catalogue in index order. Pick an item it was trained on (one not marked "
                                "“none in training”)."), icon=":material/info:")
    drawn_anchor = None
else:
    drawn_anchor = anchor
# the line under the map that the item's neighbours fill once one is clicked (above it, it took a line of the first
# screen, and the map moved down by a line when a point was clicked)
neighbour_line = (f"Click a point (or pick an item above) to draw its {shown_neighbours} cosine and {shown_neighbours} "
                  "dot-product neighbours." if anchor is None and not three_d else None)
if drawn_anchor is not None:
    from mfviz.analysis import map_neighbours

    k = min(shown_neighbours, len(table) - 1)
    with ui.guard("Finding neighbours"):  # exact, as on the Neighbours page: one item is one query
        counts = support.item_support(entry, summary.item_popularity)
        comparison = support.compared(entry, data, summary.item_popularity, anchor, k, min_support)
        neighbours = {"cosine": comparison.cosine["item"].to_numpy(), "dot": comparison.dot["item"].to_numpy()}
        rows = table["item"].to_numpy()  # map row → item
        where = np.flatnonzero(rows == int(anchor))
        on_map = rows[map_neighbours(coords, where, min(k, len(rows) - 1))[0]] if where.size else None
    cosine, dot = set(neighbours["cosine"].tolist()), set(neighbours["dot"].tolist())
    near, both = len(cosine & set(on_map.tolist())) if on_map is not None else 0, len(cosine & dot)
    # ("1 of its 10 ... are among": test_pages.py and test_browser.py look for "cosine neighbours are among")
    neighbour_line = ((f"{near} of its {k} cosine neighbours are among its {k} nearest points on the map; "
                       if on_map is not None else f"{titles[anchor]} is not among the {len(table):,} items on this map; ")
                      + f"{both} {'is' if both == 1 else 'are'} in both the cosine and the dot-product list.")

drawn = map_projection.labelled(table, label, map_colours.column_name(label))  # the points named by the label (search and lists by title)
if three_d:  # Plotly selects nothing in 3-D: no click or lasso events
    chart = map_figures.latent_scatter_3d(drawn, colour, highlight, method=method, continuous=continuous,
                                          anchor=drawn_anchor, neighbours=neighbours, axes=axes, model=entry.name,
                                          key=colour_key, part_of=0 if subset is None else inter.n_items,
                                          matched=None if hits is None else hits["item"].tolist(),
                                          highlighted=highlighted, left_off=left_off)
    ui.show(chart, key="latent_map_3d", config=export_config(chart.figure, *saved_names))
    event = None
else:
    chart = map_figures.latent_scatter(drawn, colour, highlight, method=method, continuous=continuous,
                                       anchor=drawn_anchor, neighbours=neighbours, axes=axes, labelled=labelled,
                                       users=user_points, model=entry.name, key=colour_key,
                                       part_of=0 if subset is None else inter.n_items,
                                       matched=None if hits is None else hits["item"].tolist(), highlighted=highlighted,
                                       left_off=left_off)
    event = ui.show(chart, key=map_key, on_select="rerun", selection_mode=("points", "lasso", "box"),
                    config=export_config(chart.figure, *saved_names))
if neighbour_line:
    st.caption(neighbour_line)
if highlight:  # the map titles only a few of them: here are all, a tick on one draws its neighbours
    said = title_search.markdown_safe(search.strip())
    st.markdown(f"**Circled: {counted(len(highlight), 'item')} matching “{said}”**" if len(hits) == len(highlight) else
                f"**Circled: the first {len(highlight)} of the {len(hits):,} items matching “{said}”**, every match "
                "drawn dark (those holding it at the start of a word first, each most popular first)")
    pickers.stepping_table(st, hits[[c for c in ("title", "genres", "popularity") if c in hits.columns]], hits["item"],
                           "latent_search_step", "latent_anchor", hide_index=True, width="stretch",
                           height=35 * (min(len(hits), 8) + 1) + 3)
    isolate_button(f"Map only the {counted(len(hits), 'match', 'matches')}", "latent_isolate_search",
                   sorted(int(i) for i in hits["item"]), "the items matching the search")
    st.caption("Tick a row's box (keyboard: Shift+Space on a row) to draw that item's neighbours.")
if highlighted:  # the Embedding Projector's "isolate", for the genres highlighted
    members = sorted({int(i) for items in highlighted.values() for i in items if not never_trained[i]})
    isolate_button(f"Map only the {counted(len(members), 'highlighted item')}", "latent_isolate_highlight", members,
                   "the items of the highlighted genres")
if comparison is not None:
    with ui.guard("Showing the item's neighbours"):
        inspect(comparison, summary.item_popularity, norms)
        support.notice(comparison, counts, "latent_min_support", summary.item_popularity, inter.titles)
if users is not None:  # the Axes map's companion: where the users lean on the same axis
    ui.show(users, config=export_config(users.figure, *saved_names))
if dims is not None:  # the Dimensions map's companion: what lies at the ends of each dimension
    from mfviz.analysis.dimensions import (
        FOLLOWS_POPULARITY,
        FOLLOWS_YEAR,
        end_names,
        genre_loadings,
    )

    st.subheader("What the strongest dimensions mean")
    groups = cache.genre_groups(data.key, inter.items)
    described = cache.described_dimensions(entry.key, data.key, dims, inter)
    # The names the Recommend and Neighbours pages give the ends, so a dimension that sorts by popularity reads
    # "popular items" here too (its popular end's genres are just the popular genres: "War, Sci-Fi, Action")
    described = described.assign(named=[f"{minus} ↔ {plus}" for minus, plus in end_names(described)])
    # The ends' titles first, at a width that shows them at 1,280 px (after the genres they were off the screen),
    # the genres and ρ after them
    ends = [c for c in ("+ end", "− end") if c in described.columns]
    order = ["dimension", "energy", "named", *ends, "+ end genres", "− end genres",
             *[c for c in described.columns if c not in ("dimension", "energy", "named", *ends, "+ end genres",
                                                         "− end genres")]]
    st.dataframe(described, hide_index=True, width="stretch", column_order=[c for c in order if c in described.columns],
                 column_config={
        "dimension": st.column_config.NumberColumn(width=82),
        "named": st.column_config.TextColumn("− end ↔ + end", width=230, help=(
            "The two ends in a few words, as the Recommend and Neighbours pages name them: \"rare items ↔ popular "
            "items\" for a dimension that sorts the items by popularity, \"older items ↔ newer items\" (with the "
            "median release year of each end) for one that sorts them by release year, else the genres "
            "over-represented at each end, or its first titles.")),
        **{end: st.column_config.TextColumn(width=230) for end in ends},
        "energy": st.column_config.ProgressColumn("energy", format="percent", min_value=0.0, width=120,
                                                  max_value=float(described["energy"].max()),
                                                  help="Share of the model's score energy (‖P Qᵀ‖², Σσ²) "
                                                       "this dimension carries."),
        "popularity ρ": st.column_config.NumberColumn(
            format="%.2f", help="Spearman correlation of the items' coordinates with their popularity (interactions "
                                "in the data): near ±1, the dimension sorts items by popularity."),
        "year ρ": st.column_config.NumberColumn(
            format="%.2f", help="Spearman correlation of the items' coordinates with their release year (from the "
                                "item table's year or date, or the year in the titles), over the items with a year: "
                                "near ±1, the dimension sorts items by age."),
        **{f"{side} end year": st.column_config.NumberColumn(
            format="%d", help=f"Median release year of the 10% of items at the {side} end (those with a year).")
           for side in ("+", "−")}})
    st.caption("Each row: the items with the largest (+) and smallest (−) coordinate on the dimension and, when "
               "the data has genres, the genres at least twice as common among the 10% of items at that end as in "
               "the whole catalogue and holding at least 5% of those items (a genre of 3 films is not what an end is). The sign of a dimension is arbitrary; its two ends are what it contrasts. "
               f"A dimension with |popularity ρ| ≥ {FOLLOWS_POPULARITY} is named \"rare items ↔ popular items\" (here "
               "and on the Recommend and Neighbours pages): the genres at its popular end are the popular genres."
               + (f" Else one with |year ρ| ≥ {FOLLOWS_YEAR} is named by the age of its ends, each with its median "
                  "release year (\"older items, median 1981\"): the genres at its ends are those of their years."
                  if "year ρ" in described.columns else ""))
    if groups:
        heatmap = latent_charts.genre_heatmap(genre_loadings(dims, dict(list(groups.items())[:GENRES_SHOWN]),
                                                           n_dims=cache.DIMENSIONS_DESCRIBED), model=entry.name)
        ui.show(heatmap, config=export_config(heatmap.figure, *saved_names))
    st.download_button("Download every item's coordinates on every dimension (CSV)",
                       lambda: cache.dimensions_csv(entry.key, data.key, dims, inter.item_ids, titles),
                       file_name=file_name("dimensions", "csv", *saved_names), mime="text/csv", key="dims_csv", on_click="ignore",
                       help="item_id, title and one column per dimension (dim_1 = the strongest); the scores "
                            "are the sums of user × item coordinate products.")

cards = st.columns(3)
kept = preservation_k(len(table))  # the k the score used: fewer on a map of few items
cards[0].metric("Neighbourhood preservation", f"{score:.0%}",
                help=f"Share of each item's {kept} nearest neighbours in latent space (cosine) that are also among "
                     f"its {kept} nearest on the map. 100% = the map keeps every neighbourhood."
                     + ("" if kept == 10 else f" ({kept}, not 10: on a map of {len(table)} items, more would count "
                                              "every other item and any map would score 100%.)")
                     + (f" The {counted(left_off.size, 'item')} left off the map (never trained on) are left out of "
                        "it too." if left_off is not None and left_off.size else ""))
cards[1].metric("Projection time", made,
                help="Seconds the map took to compute; “incl. first-use compile” when they include compiling (or "
                     "loading) the code UMAP runs on, which the first map after the server starts pays. Maps are "
                     "cached by the content of the vectors and the settings, so revisits are instant.")
if made_note:
    cards[1].caption(made_note)
cards[2].metric("Items on the map", f"{len(table):,}")
if left_off is not None and left_off.size:
    cards[2].caption(f"of {inter.n_items:,}: {left_off.size:,} never trained on, left off")

# A single clicked point is shown above as the inspected item, not listed as a selection.
selected = [] if clicked is not None else map_points.selected_items(chart, event.get("selection") if event else None)
shown_columns = [c for c in ("item_id", "title", "genres", "popularity", "norm") if c in table.columns]
if selected:
    st.subheader(f"{counted(len(selected), 'selected item')}")
    groups = cache.genre_groups(data.key, inter.items)
    if groups:  # what the selection has in common, against the whole catalogue
        from mfviz.analysis import group_shares

        # Genres of at least 5% of the selection (so one stray item of a rare genre does not top the list)
        # and at least 1.1 times as common as in the catalogue.
        shares = [row for row in group_shares(groups, selected, inter.n_items)
                  if row[1] >= 0.05 and row[1] >= 1.1 * row[2]]
        st.markdown("Most over-represented genres: " + "; ".join(
            f"**{name}** {inside:.0%} of the selection vs {overall:.0%} of all items ({inside / overall:.1f}×)"
            for name, inside, overall in shares[:4]) + "." if shares else
            "No genre is over-represented in the selection (each is as common as in the whole catalogue, or rarer).")
    picked = table.set_index("item").loc[selected, shown_columns].sort_values("popularity", ascending=False)
    st.dataframe(picked, hide_index=True, width="stretch")
    st.button(f"Map only these {counted(len(selected), 'item')}", key="latent_isolate", on_click=isolate, args=(selected,),
              disabled=len(selected) < 5 or len(selected) == len(table),
              help="Map the selection again on its own (UMAP, t-SNE or PCA of just these vectors), to see the structure "
                   "inside a cluster; at least 5 items.")
elif not three_d:
    st.caption("Click a point to see its neighbours, or select points with the lasso or box tool (top right of "
               "the map) to list them here.")

exports = st.columns(2)
exports[0].download_button("Download the map coordinates (CSV)", cache.map_csv(projection_key, table),
                           file_name=file_name(f"latent_{map_projection.link_name(method)}{'_3d' if three_d else ''}", "csv", *saved_names), mime="text/csv",
                           key="latent_csv")
exports[1].download_button("Download for TensorFlow's Embedding Projector (zip)",
                           lambda: cache.projector_zip(f"{entry.key}|{data.key}{mapped_key}", vectors, table,
                                                       inter.item_ids),
                           file_name=file_name("embedding_projector", "zip", *saved_names), mime="application/zip", key="latent_projector",
                           on_click="ignore", disabled=vectors.shape[1] < 2,  # the Projector refuses 1-D vectors
                           help="vectors.tsv (the model's item vectors, one row per item) and metadata.tsv (title, "
                                "the genre the map colours by as distinctive_genre, genres, popularity, vector "
                                "length): on projector.tensorflow.org, press Load and choose each file; colour by "
                                "distinctive_genre for the map's colours. With projector_config.json (to share them "
                                "by a link) and .pbtxt (TensorBoard), and a README on each way." if vectors.shape[1] >= 2 else
                           "The Embedding Projector needs vectors of at least two dimensions, and this model has one "
                           "(it stops with \"Found a vector with only one dimension?\").")
