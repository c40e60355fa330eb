"""The item last looked at on the Latent space or the Neighbours page, which the other page opens on next."""

from __future__ import annotations

import streamlit as st

# An analyst clicked a point on the map, opened Neighbours from the sidebar and found the page's own opening item
# there, not the one just looked at. Each page notes the item it shows when that changes (a click, a search, a
# pick, a tick on a neighbour, a link), and the other page takes it up once, before its picker is drawn, for the
# same model: item 50 of one model's data is the same item, but another model's page has its own item.
LAST = "mfviz.looked_at"  # {"page", "model" (its key), "item", "taken": the pages that took it up}
SHOWN = "mfviz.looked_at_shown"  # {page: (model key, item) it showed on its last run}


def take(page: str, key: str, model_key: str, chosen_here: bool = False) -> None:
    """Before the page's item picker (state `key`) is drawn: the item another page noted last for the same model,
    once. Not when this run chose its own (`chosen_here`: a link naming the item), which wins."""
    last = st.session_state.get(LAST)
    if last is None or last["page"] == page or page in last["taken"]:
        return
    st.session_state[LAST] = {**last, "taken": (*last["taken"], page)}  # taken once: the page's picker rules after
    if not chosen_here and last["model"] == model_key:
        st.session_state[key] = int(last["item"])


def note(page: str, model_key: str, item: int | None, chosen_here: bool = False) -> None:
    """After the page's item is known: note it as the item looked at when it changed since the page's last run, or
    when this run chose it (`chosen_here`: a link). The first item a page shows in the session is otherwise its own
    default (Neighbours' opening item), not one looked at."""
    shown = st.session_state.setdefault(SHOWN, {})
    before, shown[page] = shown.get(page), (model_key, None if item is None else int(item))
    if item is None or (not chosen_here and (before is None or before == shown[page])):
        return
    st.session_state[LAST] = {"page": page, "model": model_key, "item": int(item), "taken": ()}
