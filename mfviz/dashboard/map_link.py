"""A link opened on the Latent space page: its view set on the page's controls before they are drawn, and the map's
own settings gathered for the link the page writes back."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from mfviz.dashboard import links, map_projection, support
from mfviz.dashboard.map_projection import METHODS, SWITCHES
from mfviz.dashboard.plain import plain


@dataclass
class MapLink:
    """The view of the link opened in this run (None: no link opened) and the map's own settings for the link the
    page writes (`params`: each None at its default, which a link opened without it takes)."""

    view: dict[str, str] | None
    params: dict = field(default_factory=dict)

    def choose(self, name: str, key: str, options: list, read=str) -> None:
        """Set the select box `key` (drawn next, over `options`) to the opened link's `name`, read by `read`
        (a value that does not fit is named in a warning; the box keeps its default)."""
        if self.view is None or name not in self.view:
            return
        try:
            value = read(self.view[name])
        except (ValueError, TypeError):
            value = None
        if value in options:
            st.session_state[key] = value
        else:
            st.warning(f"The link's {name} = {plain(self.view[name])} is not one of this map's choices here; the map takes "
                       "its default.", icon=":material/link_off:")


def open_view(view: dict[str, str], inter) -> None:
    """Set the page's controls to the view of a link just opened (before they are drawn): each parameter the
    link has, and the default of each it lacks. The colour, the axes' ends and the dimensions are set once
    their choices are known (`MapLink.choose` in map_taste_axes and map_dimensions)."""
    wanted = view.get("map", METHODS[0])
    method = next((m for m in METHODS if map_projection.link_name(m) == map_projection.link_name(wanted)), None)
    if method is None:
        st.warning(f"The link's map = {plain(wanted)} is not one of this page's maps ({', '.join(METHODS)}); it shows "
                   f"{METHODS[0]}.", icon=":material/link_off:")
    st.session_state["latent_method"] = method or METHODS[0]
    three_d = SWITCHES.get(view.get("3d", "off").lower())
    if three_d is None:
        st.warning(f"The link's 3d = {plain(view['3d'])} is neither on nor off; the map is drawn in 2-D.",
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


def dimension_number(text: str) -> int | str:
    """A link's dimension (1 = the strongest, as the page names them) as the page's choice (0-based); a
    name (popularity, item bias) as it is."""
    return int(text) - 1 if text.strip().lstrip("-").isdigit() else text
