"""The items selected on the Latent space map with the lasso or box tool: the genres they have in common, their list,
and a way to map them on their own."""

from __future__ import annotations

import streamlit as st

from mfviz.dashboard import cached_data, map_isolate
from mfviz.dashboard.figures import counted
from mfviz.dashboard.plain import plain


def show(data, table, selected: list[int], three_d: bool) -> None:
    """List the `selected` items of the map's `table` (or say how to select some on a 2-D map)."""
    shown_columns = [c for c in ("item_id", "title", "genres", "popularity", "norm") if c in table.columns]
    if selected:
        st.subheader(f"{counted(len(selected), 'selected item')}")
        groups = cached_data.genre_groups(data.key, data.interactions.items)
        if groups:  # what the selection has in common, against the whole catalogue
            from mfviz.analysis import group_shares

            # Genres of at least 5% of the selection (so one stray item of a rare genre does not top the list)
            # and at least 1.1 times as common as in the catalogue.
            shares = [row for row in group_shares(groups, selected, data.interactions.n_items)
                      if row[1] >= 0.05 and row[1] >= 1.1 * row[2]]
            st.markdown("Most over-represented genres: " + "; ".join(
                f"**{plain(name)}** {inside:.0%} of the selection vs {overall:.0%} of all items ({inside / overall:.1f}×)"
                for name, inside, overall in shares[:4]) + "." if shares else
                "No genre is over-represented in the selection (each is as common as in the whole catalogue, or rarer).")
        picked = table.set_index("item").loc[selected, shown_columns].sort_values("popularity", ascending=False)
        st.dataframe(picked, hide_index=True, width="stretch")
        st.button(f"Map only these {counted(len(selected), 'item')}", key="latent_isolate",
                  on_click=map_isolate.isolate, args=(data.key, selected),
                  disabled=len(selected) < 5 or len(selected) == len(table),
                  help="Map the selection again on its own (UMAP, t-SNE or PCA of just these vectors), to see the "
                       "structure inside a cluster; at least 5 items.")
    elif not three_d:
        # what a click does is said under the map already (a third "Click a point" read as noise: presenter review)
        st.caption("Points selected with the lasso or box tool (top right of the map) are listed here.")
