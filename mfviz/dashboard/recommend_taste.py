"""Where a user's or a profile's taste sits, under the Recommend page's lists: on the model's strongest
dimensions beside the list it gets, and on a map of the users among those most like it."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import (
    cached_dimensions,
    cached_maps,
    dimension_places,
    figures,
    lists,
    map_figures,
    ui,
)
from mfviz.dashboard.figures import Chart, counted
from mfviz.dashboard.recommend_view import RecommendView
from mfviz.dashboard.untrained import left_off
from mfviz.models.sanity import untrained_users


def taste_profile(view: RecommendView, who: str, own: np.ndarray, ids: np.ndarray, kind: str = "item") -> None:
    """Where a user's (or a profile's) items and the list recommended to them sit on the model's strongest
    dimensions, among all items: the pull of the taste shows as the list's place (a profile of three blockbusters
    was placed among the users by the direction of its vector, which follows activity on the popularity dimension,
    and sat at the "rare items" end while its list was more popular than any user's)."""
    entry, model = view.entry, view.model
    if entry.kind == "popularity":  # no latent space
        return
    with ui.guard("Placing the taste on the model's dimensions"):
        dims = cached_dimensions.dimensions(entry.key, model)
        columns = {}
        for name, rows, what in ((f"its {counted(len(own), kind)} (mean)", own, "its items"),
                                 (f"its top {len(ids)} (mean)", ids, "the list above")):
            if len(rows):
                columns[name] = (dims.percentiles(dims.item_coords[np.asarray(rows, np.int64)]).mean(axis=0),
                                 f"Share of all items (%) lower on the dimension than {what}, averaged over them: "
                                 "50 = typical items, near 0 or 100 = far toward one end.")
    if columns:
        dimension_places.dimension_profile(entry, view.data, f"{who}'s items and recommendations", columns,
                             ("The personal part of a score (beside the item's bias, the same for everyone) " if getattr(
                                 model, "item_bias", None) is not None else "A score ")
                             + "is the sum over the model's dimensions of the user's coordinate times the item's, so a "
                             "taste toward one end of a strong dimension pulls the recommendations toward the items at "
                             "that end: where the list sits beside the items shows that pull.")


SIMILAR_USERS = 10  # users joined to the user or profile on the map of users


def users_map(view: RecommendView, who: str, user: int | None = None, vector: np.ndarray | None = None,
              profile: np.ndarray | None = None) -> None:
    """On demand, a map of the users (UMAP of a sample of their vectors, coloured by distinctive genre)
    with this user or profile starred and joined to the users most like it (cosine). In the user
    mode a click on another user switches to that user."""
    entry, model, inter = view.entry, view.model, view.inter
    if entry.kind == "popularity" or not st.toggle(
            "Show where this taste sits among the users (a map of the users)", key="rec_users_map_on",
            help=f"UMAP of up to {cached_maps.USERS_MAPPED:,} users' vectors: users the model finds alike land close "
                 "together. The first map of a model takes a few seconds; it is cached."):
        return
    if inter.n_users < 3:
        st.info(f"A map of the users needs at least 3 users, and this data has {inter.n_users}.", icon=":material/info:")
        return
    with ui.guard("Mapping the users"):
        table, focus, similar, mine = lists.users_around(entry, view.data, who, user, vector, profile, SIMILAR_USERS)
        chart = map_figures.latent_scatter(table, "distinctive genre", continuous=False, anchor=focus,
                                           neighbours={"cosine": np.asarray(similar, np.int64)},
                                           colour_name="user's distinctive genre")
    chart.figure.update_layout(title_text=f"{who} among the users", xaxis_title="UMAP 1 (arbitrary units)",
                               yaxis_title="UMAP 2 (arbitrary units)")
    chart.figure.update_traces(name="most alike users", selector=dict(name="cosine neighbours"))
    # the items' maps are coloured by an item's least common genre, these users by their most over-represented
    figures.legend_title(chart.figure, "user's distinctive genre")
    same = int(np.sum(table.set_index("item").loc[similar, "distinctive genre"].to_numpy() == mine)) if similar else 0
    caption = (f"{len(table):,} users, each coloured by the genre most over-represented among their items (against the "
               f"whole data); the star is {who.lower()}, "
               + (f"the rings the {len(similar)} users" if len(similar) != 1 else "the ring the user")
               + " the model finds most alike "
               "(cosine of their vectors)" + (f", {same} of them with the same distinctive genre ({mine})"
                                              if mine != "(none)" else "")
               + ". Users who are close get similar recommendations."
               + left_off(int(untrained_users(model).sum()), "user")
               + (" Nor are they among the most alike." if untrained_users(model).any() else "")
               + (" Click a user to show their history and recommendations." if user is not None else ""))
    ui.show(Chart(chart.figure, caption, chart.trace_items), key="rec_users_map",
            on_select="rerun" if user is not None else "ignore", selection_mode="points")
