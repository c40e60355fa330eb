"""The Latent space page's Dimensions map: two (or three) of the model's own dimensions picked, the items and users on
them, and under the map what lies at the ends of its strongest dimensions."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import (
    cached_data,
    cached_dimensions,
    cached_exports,
    dimension_places,
    latent_charts,
    map_figures,
    map_link,
    map_projection,
    ui,
)
from mfviz.dashboard.figures import export_config, file_name
from mfviz.dashboard.map_link import MapLink
from mfviz.dashboard.plain import plain
from mfviz.models.sanity import untrained_users

GENRES_SHOWN = 20  # rows of its genre heatmap (the largest genres)
USERS_DRAWN = 3_000  # users drawn on the Dimensions map, at most


def dimension_map(link: MapLink, data, entry, popularity: np.ndarray, depth: bool):
    """Coordinates, cache key, axes and end items of the map on two of the model's principal
    dimensions (the singular directions of its scores), or one against popularity or the item bias, and the
    dimensions themselves. With `depth`, a third dimension as the map's depth (3-D)."""
    from mfviz.analysis import dimension_ends

    with ui.guard("Finding the model's dimensions"):
        dims = cached_dimensions.dimensions(entry.key, entry.model)
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
    # the dimensions and "Show the users too" on one row: at 1,280 × 720 the map started at 544 px below two, 504 now
    picks = st.columns([1.25, 1.25, 1.25, 0.85] if depth else [1.25, 1.25, 0.85], vertical_alignment="bottom")
    map_link.start_at("dims_x", list(range(count)), 0)
    link.choose("across", "dims_x", list(range(count)), map_link.dimension_number)
    across = picks[0].selectbox("Across →", range(count), key="dims_x", format_func=name)
    ups = [*range(count), *others]
    map_link.start_at("dims_y", ups, ups[1])  # dimension 2, or popularity for a model of one factor
    link.choose("up", "dims_y", ups, map_link.dimension_number)
    up = picks[1].selectbox("Up ↑", ups, key="dims_y", format_func=name,
                            help="Another dimension, popularity (does a dimension follow how popular items are?) or, "
                                 "for a model with biases, the item bias.")
    depth = depth and up not in others  # a dimension against popularity or the item bias stays flat
    back = None
    if depth:
        spare = [d for d in range(count) if d not in (across, up)]
        map_link.start_at("dims_z", list(range(count)), spare[0])
        link.choose("depth", "dims_z", list(range(count)), map_link.dimension_number)
        back = picks[2].selectbox("Depth ↗", range(count), key="dims_z", format_func=name,
                                  help="The third dimension, drawn as the map's depth.")
        link.params["depth"] = None if back == spare[0] else back + 1
    if link.view is not None and "users" in link.view:
        shown = map_projection.SWITCHES.get(link.view["users"].lower())
        if shown is None:  # said, as the link's 3d is
            st.warning(f"The link's users = {plain(link.view['users'])} is neither on nor off; the users are not drawn.",
                       icon=":material/link_off:")
        st.session_state["dims_users"] = bool(shown)
    with_users = picks[-1].checkbox("Show the users too", key="dims_users", disabled=up in others or depth,
                             help="Users have coordinates on the same dimensions (a score is the sum of user × item "
                                  f"coordinate products): a grey cloud of up to {USERS_DRAWN:,} of them under the "
                                  "items shows which ends the users actually lean to.")
    link.params.update(across=None if across == 0 else across + 1,
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


def describe(data, entry, dims, saved_names: tuple[str, ...]) -> None:
    """Under the Dimensions map: a table of what lies at the ends of the model's strongest dimensions, a heatmap of
    the genres on them, and every item's coordinates on every dimension as CSV."""
    inter, titles = data.interactions, data.interactions.titles
    from mfviz.analysis.dimensions import (
        FOLLOWS_POPULARITY,
        FOLLOWS_YEAR,
        end_names,
        genre_loadings,
    )

    st.subheader("What the strongest dimensions mean")
    groups = cached_data.genre_groups(data.key, inter.items)
    described = cached_dimensions.described_dimensions(entry.key, data.key, dims, inter)
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
                                                           n_dims=cached_dimensions.DIMENSIONS_DESCRIBED),
                                              model=entry.name)
        ui.show(heatmap, config=export_config(heatmap.figure, *saved_names))
    st.download_button("Download every item's coordinates on every dimension (CSV)",
                       lambda: cached_exports.dimensions_csv(entry.key, data.key, dims, inter.item_ids, titles),
                       file_name=file_name("dimensions", "csv", *saved_names), mime="text/csv", key="dims_csv", on_click="ignore",
                       help="item_id, title and one column per dimension (dim_1 = the strongest); the scores "
                            "are the sums of user × item coordinate products.")
