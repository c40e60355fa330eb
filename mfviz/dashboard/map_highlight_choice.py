"""The Latent space map's "Highlight genres" box, and a link's `highlight=` read into it."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import map_highlight
from mfviz.dashboard.map_link import MapLink
from mfviz.dashboard.plain import plain
from mfviz.data.id_lists import join_ids, split_ids

HIGHLIGHT = "latent_highlight"  # the genres highlighted on the map (kept across pages: workspace.PAGE_WIDGETS)


def highlight_choice(slot, link: MapLink, groups: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The genres the analyst highlights on the map ({genre: its items}, in the order picked), chosen in `slot` (a
    link's `highlight=` first, written back to the link's `params`); none, and no widget, when the data's items have
    no genres. Genres kept from other data that this data lacks are let go."""
    if link.view is not None:
        highlight_from_link(link.view.get("highlight"), groups)
    if not groups:
        link.params["highlight"] = None
        return {}
    kept = [genre for genre in st.session_state.get(HIGHLIGHT) or [] if genre in groups]
    st.session_state[HIGHLIGHT] = kept[:map_highlight.HIGHLIGHTED_AT_MOST]
    chosen = slot.multiselect(
        "Highlight genres", sorted(groups, key=str.casefold), key=HIGHLIGHT,
        max_selections=map_highlight.HIGHLIGHTED_AT_MOST, format_func=lambda g: f"{g} ({len(groups[g]):,})",
        placeholder="a genre, to find its items (type to search)",
        help=f"Draw the items of a genre (up to {map_highlight.HIGHLIGHTED_AT_MOST}) on top, larger, each genre in a "
             "strong colour and its own shape, and every other item light grey behind: a genre found at a glance, "
             "whatever your colour vision (the twelve genre colours cannot all be told apart). An item of several "
             "genres counts in each. “Colour by” is set aside meanwhile. The number is the genre's items in all.")
    link.params["highlight"] = join_ids(chosen) if chosen else None
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
               f"{plain(', '.join(missing))} {'is no genre' if len(missing) == 1 else 'are no genres'} of this data")
        st.warning(f"The link's highlight = {plain(value)} is not applied as it stands: {why}; "
                   + (f"{plain(', '.join(found))} {'is' if len(found) == 1 else 'are'} highlighted." if found else
                      "nothing is highlighted."), icon=":material/link_off:")
    if len(found) > map_highlight.HIGHLIGHTED_AT_MOST:
        st.warning(f"The link's highlight = {plain(value)} names {len(found)} genres; the map highlights "
                   f"{map_highlight.HIGHLIGHTED_AT_MOST} at most: the first {map_highlight.HIGHLIGHTED_AT_MOST}.",
                   icon=":material/link_off:")
    st.session_state[HIGHLIGHT] = found[:map_highlight.HIGHLIGHTED_AT_MOST]
