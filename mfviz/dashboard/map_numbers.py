"""The three numbers under the Latent space map: how much of the items' neighbourhoods it keeps, how long it took,
and how many items it shows."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.analysis.projection import preservation_k
from mfviz.dashboard.figures import counted


def show(score: float, made: str, made_note: str | None, mapped: int, n_items: int,
         left_off: np.ndarray | None) -> None:
    """The cards: neighbourhood preservation `score` of a map of `mapped` items, its time `made` (with `made_note`
    under it), and the items on it of the data's `n_items`, `left_off` (never trained on) said under them."""
    cards = st.columns(3)
    kept = preservation_k(mapped)  # the k the score used: fewer on a map of few items
    cards[0].metric("Neighbourhood preservation", f"{score:.0%}",
                    help=f"Share of each item's {kept} nearest neighbours in latent space (cosine) that are also among "
                         f"its {kept} nearest on the map. 100% = the map keeps every neighbourhood."
                         + ("" if kept == 10 else f" ({kept}, not 10: on a map of {mapped} items, more would count "
                                                  "every other item and any map would score 100%.)")
                         + (f" The {counted(left_off.size, 'item')} left off the map (never trained on) are left out of "
                            "it too." if left_off is not None and left_off.size else ""))
    cards[1].metric("Projection time", made,
                    help="Seconds the map took to compute; “incl. first-use compile” when they include compiling (or "
                         "loading) the code UMAP runs on, which the first map after the server starts pays. Maps are "
                         "cached by the content of the vectors and the settings, so revisits are instant.")
    if made_note:
        cards[1].caption(made_note)
    cards[2].metric("Items on the map", f"{mapped:,}")
    if left_off is not None and left_off.size:
        cards[2].caption(f"of {n_items:,}: {left_off.size:,} never trained on, left off")
