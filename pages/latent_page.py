"""Latent space page: a 2-D map of the item vectors, coloured, searchable and selectable."""

import numpy as np
import streamlit as st

from mfviz.dashboard import (
    background,
    cached_data,
    cached_maps,
    cached_models,
    links,
    looked_at,
    map_colour_choice,
    map_colours,
    map_dimensions,
    map_downloads,
    map_figures,
    map_highlight_choice,
    map_inspect,
    map_isolate,
    map_link,
    map_numbers,
    map_points,
    map_projection,
    map_search,
    map_selection,
    map_taste_axes,
    pickers,
    state,
    support,
    ui,
    untrained,
)
from mfviz.dashboard.figures import counted, export_config
from mfviz.dashboard.map_link import MapLink
from mfviz.dashboard.plain import plain

# one line at 1,280 px: the map starts that much higher on a 720 px screen
ui.header("Latent space", "Each item's vector, squeezed into 2-D (or 3-D): items the model finds alike land close.")

data = ui.current_data()
inter = data.interactions
titles = inter.titles
if inter.n_items < 3:  # two points say nothing a map could arrange (and projections need three)
    st.info(f"A map needs at least 3 items and this data has {inter.n_items}: load data with more items to see "
            "them in latent space. The Neighbours and Recommend pages work on it.", icon=":material/map:")
    ui.stop()
map_projection.keep()  # each map's settings, drawn only for it: kept meanwhile
opened = links.opened(data, "latent")  # a link to this page names the model and the view: the map, its colour, ...
links.pick_model(opened, data)
# A link fixes the view: what it says, and what it leaves out at its default, not at this session's last
# choice (a link of map and item opened on its maker's own search, 3-D and item). `opened` gives only the
# parameters this session has not applied yet; any of them means a link was opened, and the whole link is
# the view. None: no link opened in this run.
link = MapLink({name: st.query_params[name] for name in st.query_params} if opened else None)
if link.view is not None:
    map_link.open_view(link.view, inter)
# Two rows of controls above the map, so that at 1,280 × 720 (a presenter's laptop) the map starts at ~400 px, not
# ~560: the model, the map (its five choices on one line) and its colour; then what a demonstration types (a
# search, the item whose neighbours are drawn), the genres highlighted, and "Map settings" holding the rest.
# The model's box as wide as the five maps on one line allow: "Implicit ALS (quick default)" whole at 1,280 px.
top = st.columns([1.6, 2.6, 1.0])
colour_slot = top[2].container()  # "Colour by", drawn once the colours are known
finders = st.columns([1.2, 1.6, 1.2, 1.3], vertical_alignment="bottom")  # the last: "Map settings (changed)" whole
with top[0]:
    entry = ui.model_picker()
method = top[1].radio("Map", map_projection.METHODS, horizontal=True, key="latent_method",
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
    summary = cached_data.summary(data.key, inter)
norms = np.linalg.norm(vectors, axis=1)
# a split can hold out every interaction of an item
never_trained = cached_models.untrained_items(entry.key, entry.model)
# "Map only these items": the items of a selection, mapped on their own (kept per dataset).
subset = map_isolate.mapped_subset(data.key)
subset_key = "" if subset is None else f"|only:{state.array_hash(subset)}"
# The items on the map: those the model trained on (None: every item, mapped as before)
map_rows = untrained.mapped_rows(never_trained, subset)
mapped_key = subset_key + (untrained.TRAINED_ONLY if never_trained.any() else "")
if map_rows is not None and len(map_rows) < 3:  # a map needs three points
    st.info(f"{plain(entry.name)} trained on {counted(len(map_rows), 'item')} of {'these' if subset is not None else 'the data'}"
            f"'s {counted(inter.n_items if subset is None else len(subset), 'item')}, and a map needs at least 3: the "
            "others have no training interaction, so their vectors were never fitted. Train it on a split that keeps "
            "more items in its training part.", icon=":material/map:")
    ui.stop()
if subset is not None:  # drawn before the map, so the way back stays whatever happens to the map
    map_isolate.notice(data, entry, subset, map_rows, method in map_projection.PROJECTIONS)
axes = users = dims = user_points = made_note = None
settings_box = map_projection.settings_box(finders[3], method, three_d, inter.n_items if map_rows is None
                                           else len(map_rows))
labelled = {}
if method == "Axes":
    coords, projection_key, axes, users = map_taste_axes.axis_map(link, data, entry, vectors, norms,
                                                                  summary.item_popularity, never_trained)
    made = "instant"
elif method == "Dimensions":
    coords, projection_key, axes, labelled, dims, user_points = map_dimensions.dimension_map(
        link, data, entry, summary.item_popularity, three_d)
    three_d = coords.shape[1] == 3  # a dimension against popularity or the item bias stays flat
    made = "instant"
else:
    shown = vectors if map_rows is None else vectors[map_rows]
    settings = map_projection.choose(settings_box, finders[3], method, three_d, entry.key + mapped_key, shown)
    link.params.update(settings.link)
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
    table = cached_maps.map_table(projection_key, coords, inter.items, summary.item_popularity, norms, titles,
                                  *(() if map_rows is None else (map_rows,)))
    score = cached_maps.preservation(entry.key + mapped_key, vectors if map_rows is None else vectors[map_rows],
                                     projection_key, coords)
# the items the model never trained on, left off the map: said under it (a selection mapped on its own has none)
left_off = np.flatnonzero(never_trained) if subset is None else None

colours = map_colour_choice.colouring(table, map_rows, entry.key, data, summary.item_popularity, norms)
map_colour_choice.from_link(link, colours)
highlighted = map_highlight_choice.highlight_choice(finders[2], link, cached_data.genre_groups(data.key, inter.items))
colour = map_colour_choice.choose(colour_slot, colours, bool(highlighted))
continuous = colours.continuous
label = map_projection.label_choice(settings_box, table, link.view)
link.params["label"] = None if label == "title" else label
colour_key = map_colour_choice.colour_key(colours)
shown_neighbours = map_projection.neighbour_count(settings_box)
search = map_search.search_box(finders[0])
by_popularity = np.argsort(-summary.item_popularity, kind="stable")
# A click on one point of the map makes it the item whose neighbours are drawn. The click is read
# here, before the picker exists (Streamlit sets a widget's value only before drawing it), and only
# once: the picker can change the item afterwards while the clicked point stays selected.
# The map of a subset is another chart (its own key), so a selection never carries over between the two.
map_key = "latent_map" + subset_key
looked_at.take("latent", "latent_anchor", entry.key, chosen_here=link.view is not None)  # Neighbours' last item
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
looked_at.note("latent", entry.key, anchor, chosen_here=link.view is not None)  # Neighbours opens on it next
min_support = support.min_support_input(settings_box, "latent_min_support")  # the Neighbours page's filter too
# The view in the address: each setting left out at its default, which a link opened without it takes
link.params.update(colour=None if colour == colours.default else colour, search=search.strip() or None,
                   min=support.link_value(min_support), **{"3d": "on" if three_d else None},
                   k=None if shown_neighbours == map_projection.NEIGHBOURS_SHOWN[3] else shown_neighbours)
links.show(data, entry, "latent", map=map_projection.link_name(method), item=None if anchor is None else links.id_list(inter, "item", [anchor]),
           **link.params)
hits, highlight = map_search.found(table, search, titles, left_off, entry.name)

drawn_anchor, neighbours, comparison, counts, neighbour_line = map_inspect.drawn_neighbours(
    data, entry, summary.item_popularity, anchor, never_trained, shown_neighbours, min_support, table, coords, three_d)

drawn = map_projection.labelled(table, label, map_colours.column_name(label))  # the points named by the label (search and lists by title)
if three_d:  # Plotly selects nothing in 3-D: no click or lasso events
    chart = map_figures.latent_scatter_3d(drawn, colour, highlight, method=method, continuous=continuous,
                                          anchor=drawn_anchor, neighbours=neighbours, axes=axes, model=entry.name,
                                          key=colour_key, part_of=0 if subset is None else inter.n_items,
                                          matched=None if hits is None else hits["item"].tolist(),
                                          highlighted=highlighted, left_off=left_off)
    ui.show(chart, key="latent_map_3d", note=neighbour_line, config=export_config(chart.figure, *saved_names))
    event = None
else:
    chart = map_figures.latent_scatter(drawn, colour, highlight, method=method, continuous=continuous,
                                       anchor=drawn_anchor, neighbours=neighbours, axes=axes, labelled=labelled,
                                       users=user_points, model=entry.name, key=colour_key,
                                       part_of=0 if subset is None else inter.n_items,
                                       matched=None if hits is None else hits["item"].tolist(), highlighted=highlighted,
                                       left_off=left_off)
    # the line on what a click does (then on the clicked item's neighbours) first under the map, before its caption
    event = ui.show(chart, key=map_key, note=neighbour_line, on_select="rerun",
                    selection_mode=("points", "lasso", "box"), config=export_config(chart.figure, *saved_names))
if highlight:  # the map titles only a few of them: here are all, a tick on one draws its neighbours
    map_search.list_matches(data.key, hits, highlight, search)
if highlighted:  # the Embedding Projector's "isolate", for the genres highlighted
    members = sorted({int(i) for items in highlighted.values() for i in items if not never_trained[i]})
    map_isolate.isolate_button(data.key, f"Map only the {counted(len(members), 'highlighted item')}",
                               "latent_isolate_highlight", members, "the items of the highlighted genres")
if comparison is not None:
    with ui.guard("Showing the item's neighbours"):
        map_inspect.inspect(data, comparison, summary.item_popularity, norms)
        support.notice(comparison, counts, "latent_min_support", summary.item_popularity, inter.titles)
if users is not None:  # the Axes map's companion: where the users lean on the same axis
    ui.show(users, config=export_config(users.figure, *saved_names))
if dims is not None:  # the Dimensions map's companion: what lies at the ends of each dimension
    map_dimensions.describe(data, entry, dims, saved_names)

map_numbers.show(score, made, made_note, len(table), inter.n_items, left_off)
# A single clicked point is shown above as the inspected item, not listed as a selection.
selected = [] if clicked is not None else map_points.selected_items(chart, event.get("selection") if event else None)
map_selection.show(data, table, selected, three_d)
map_downloads.show(data, entry, method, three_d, projection_key, mapped_key, table, vectors, saved_names,
                   whole=subset is None)
