"""Mapping a few items on their own, as the Embedding Projector's "isolate": the items kept per dataset, the buttons
that choose them, and the notice above the map with its way back to all the items."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import untrained
from mfviz.dashboard.plain import plain

SUBSET = "latent_subset"  # (data key, the items mapped on their own)
SUBSET_OF = "latent_subset_of"  # (data key, the item whose neighbourhood they are), or None


def isolate(data_key: str, items, around: int | None = None) -> None:
    """Map only `items` (callbacks run before widgets); `around`: the item whose neighbourhood they are."""
    st.session_state[SUBSET] = (data_key, sorted(int(i) for i in items))
    st.session_state[SUBSET_OF] = None if around is None else (data_key, int(around))


def isolate_button(data_key: str, label: str, key: str, items: list[int], what: str) -> None:
    """A button mapping `items` on their own (the Embedding Projector's "isolate"), off while they are what is
    mapped or fewer than a map needs."""
    mapped = st.session_state.get(SUBSET)
    st.button(label, key=key, on_click=isolate, args=(data_key, items),
              disabled=len(items) < 3 or (mapped is not None and list(mapped[1]) == items),
              help=f"Map {what} on their own, as the Embedding Projector's “isolate” does: how they are arranged "
                   "among themselves. “Show all items” goes back. A map needs 3 items at least.")


def show_all() -> None:
    st.session_state.pop(SUBSET, None)
    st.session_state.pop(SUBSET_OF, None)


def mapped_subset(data_key: str) -> np.ndarray | None:
    """The items of a selection mapped on their own on this data ("Map only these items"), or None: all of them."""
    subset = st.session_state.get(SUBSET)
    return np.asarray(subset[1], np.int64) if subset and subset[0] == data_key else None


def notice(data, entry, subset: np.ndarray, map_rows: np.ndarray, projected: bool) -> None:
    """Say above the map which items are on it, with "Show all items" beside it (drawn before the map, so that the way
    back stays whatever happens to the map). `projected`: the map projects them again (UMAP, t-SNE, PCA)."""
    inter = data.interactions
    around = st.session_state.get(SUBSET_OF)  # the item whose neighbourhood it is, if it is one
    around = around[1] if around and around[0] == data.key and around[1] in map_rows else None
    # Counted as drawn: a selection kept from another model or split can hold items this one never trained on,
    # which are off the map (the notice counted them, and the map showed fewer points than it said)
    columns = st.columns([4, 1])
    columns[0].info((f"Only {plain(inter.titles[around])} and its {len(map_rows) - 1:,} neighbours (those listed under the map "
                     "when it was drawn: its nearest by cosine and by dot product) are on the map" if around is not None
                     else f"Only the {len(map_rows):,} items you selected are on the map") + f" (of {inter.n_items:,}): "
                    + ("mapped again on their own, so the map spreads their differences." if projected
                       else "on the same axes as before.")
                    + untrained.selection_left_off(len(subset) - len(map_rows), entry.name)
                    + " A link to this view opens the map of all the items.", icon=":material/search:")
    columns[1].button("Show all items", key="latent_show_all", on_click=show_all)
