"""The Latent space map's title search: its box, the line above the map saying what it found, and every match
listed under the map (a tick on one draws its neighbours)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import map_isolate, pickers, title_search
from mfviz.dashboard.figures import counted
from mfviz.dashboard.plain import plain


def search_box(slot) -> str:
    """The search box, in `slot`."""
    return slot.text_input(
        "Search items by title", key="latent_search", placeholder="part of a title, or a regular expression",
        help="Titles that hold it anywhere, case ignored, those holding it at the start of a word first: `star` finds "
             "Lone Star before Bastard Out of Carolina; with a pattern's signs, also as a regular expression: "
             "`star.*(wars|trek)` the Star Wars and Star Trek films, `^Star` the titles that begin with Star. The "
             f"first {title_search.SEARCH_CIRCLED} are circled on the map and listed under it; the line above the map "
             "says how many match in all.")


def found(table: pd.DataFrame, search: str, titles: np.ndarray, left_off: np.ndarray | None,
          model_name: str) -> tuple[pd.DataFrame | None, list[int]]:
    """The items of the map's `table` matching `search` (most popular first; None: no search) and the first of them,
    circled on the map, said in a line (with the matches among the items `left_off` the map)."""
    if not search.strip():
        return None, []
    hits = title_search.search_hits(table, search)  # most popular first (the map titles a few)
    circled = hits["item"].head(title_search.SEARCH_CIRCLED).tolist()
    # matches left off the map are said, or a search for one found "no title on the map" and no why
    missed = (int(title_search.title_matches(pd.Series(titles[left_off]).astype(str), search).sum())
              if left_off is not None and left_off.size else 0)
    st.caption(title_search.search_sentence(len(hits), search, hits.attrs.get("at_word"))
               + (f" {counted(missed, 'more title matches', 'more titles match')}: "
                  f"{'an item' if missed == 1 else 'items'} {plain(model_name)} never trained on, left off the map "
                  "(“none in training” in “Draw the neighbours of”)." if missed else ""))
    return hits, circled


def list_matches(data_key: str, hits: pd.DataFrame, circled: list[int], search: str) -> None:
    """Under the map, which titles only a few of them: every match, a tick on one draws its neighbours, and a way to
    map them on their own."""
    said = plain(search.strip())
    st.markdown(f"**Circled: {counted(len(circled), 'item')} matching “{said}”**" if len(hits) == len(circled) else
                f"**Circled: the first {len(circled)} of the {len(hits):,} items matching “{said}”**, every match "
                "drawn dark (those holding it at the start of a word first, each most popular first)")
    pickers.stepping_table(st, hits[[c for c in ("title", "genres", "popularity") if c in hits.columns]], hits["item"],
                           "latent_search_step", "latent_anchor", hide_index=True, width="stretch",
                           height=35 * (min(len(hits), 8) + 1) + 3)
    map_isolate.isolate_button(data_key, f"Map only the {counted(len(hits), 'match', 'matches')}",
                               "latent_isolate_search", sorted(int(i) for i in hits["item"]),
                               "the items matching the search")
    st.caption("Tick a row's box (keyboard: Shift+Space on a row) to draw that item's neighbours.")
