"""The item whose neighbours the Latent space map draws: its neighbours found and said in a line under the map, its
facts, its nearest items by cosine and by dot product (a tick on one steps to it), and the ways on (the Neighbours
page, clear, map its neighbourhood on its own)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import (
    compared_lists,
    labels,
    map_isolate,
    pickers,
    support,
    ui,
    untrained,
    verdicts,
)
from mfviz.dashboard.figures import counted, fixed_decimals
from mfviz.dashboard.plain import plain


def clear_anchor() -> None:
    st.session_state["latent_anchor"] = None  # a callback: runs before the picker is drawn


def open_in_neighbours(item: int) -> None:
    st.session_state["neighbours_item"] = item


def inspect(data, comparison, popularity: np.ndarray, norms: np.ndarray) -> None:
    """What the map's inspected item is (on the map or not, e.g. outside a mapped selection): its facts
    and its nearest items by cosine and by dot product (the lines drawn on the map), with a way to the
    Neighbours page and a way to let it go."""
    inter, titles = data.interactions, data.interactions.titles
    item = comparison.item
    facts = [f"popularity {int(popularity[item]):,}",
             f"vector length {norms[item]:.3g} ({verdicts.length_place(norms, norms[item])})"]
    genres = inter.items["genres"].iloc[item] if "genres" in inter.items.columns else None
    if isinstance(genres, list | tuple | np.ndarray) and len(genres):
        facts.insert(0, ", ".join(map(plain, genres)))
    st.markdown(f"**★ {plain(titles[item])}** · " + " · ".join(facts))
    columns = st.columns(2)
    # the row order is the rank; the numbers narrow, so that the title and every number fit half of 1,280 px
    # with the box that steps to a neighbour
    shown = [c for c in ("title", "score", "popularity", "together") if c in comparison.cosine.columns]
    config = {"title": st.column_config.TextColumn(width=166),
              "popularity": st.column_config.NumberColumn(labels.POPULARITY, width=labels.POPULARITY_WIDTH,
                                                          help=labels.POPULARITY_HELP),
              "together": compared_lists.EVIDENCE["together"]}  # as the Neighbours page's lists
    for column, metric, frame, heading in ((columns[0], "cosine", comparison.cosine, "Nearest by cosine (blue lines)"),
                                           (columns[1], "dot", comparison.dot, "Nearest by dot product (red lines)")):
        column.markdown(f"**{heading}**")
        # a click on a row's box: that neighbour becomes the item drawn (pickers.stepping_table); one count of
        # decimals down the list, 3 significant digits of its best
        pickers.stepping_table(column, frame[shown], frame["item"], f"latent_step_{metric}", "latent_anchor",
                               hide_index=True, width="stretch", height=35 * (len(frame) + 1) + 3,
                               column_config=config | {"score": st.column_config.NumberColumn(
                                   format=fixed_decimals(frame["score"]), width=60)})
    st.caption("Tick a row's box (keyboard: Shift+Space on a row) to draw that item's neighbours instead.")
    pickers.step_back(st, "latent_anchor", titles)  # after ticks from one neighbour to the next
    buttons = st.columns([1.2, 0.6, 2.2])
    if buttons[0].button("Open in Neighbours →", key="latent_to_neighbours", on_click=open_in_neighbours,
                         args=(comparison.item,), help="The same lists with vector lengths, overlap and the item's "
                                                       "place on the model's dimensions."):
        st.switch_page("pages/neighbours_page.py")
    buttons[1].button("Clear", key="latent_clear_anchor", on_click=clear_anchor, help="Stop drawing its neighbours.")
    # The Embedding Projector's "isolate": the neighbourhood on its own, so that the map spreads it out
    around = [item, *dict.fromkeys(int(i) for i in (*comparison.cosine["item"], *comparison.dot["item"]) if int(i) != item)]
    mapped = st.session_state.get(map_isolate.SUBSET)
    buttons[2].button(f"Map only it and its {counted(len(around) - 1, 'neighbour')}", key="latent_isolate_neighbours",
                      on_click=map_isolate.isolate, args=(data.key, around, item),
                      disabled=len(around) < 3 or (mapped is not None and list(mapped[1]) == sorted(around)),
                      help="Map this item and the neighbours listed above (its nearest by cosine and by dot product, "
                           "with Min. interactions) on their own, as the Embedding Projector's “isolate” does: how "
                           "its neighbourhood is arranged. “Show all items” goes back. A map needs 3 items at least.")


def drawn_neighbours(data, entry, popularity: np.ndarray, anchor: int | None, never_trained: np.ndarray,
                     shown: int, min_support: int, table, coords: np.ndarray, three_d: bool):
    """The item whose neighbours the map draws (None: none, or one never trained on, which is said), its `shown`
    cosine and dot-product neighbours ({metric: items}), their comparison and support counts, and the line under
    the map: what a click does, or how many of the item's cosine neighbours the map keeps nearby."""
    from mfviz.analysis import map_neighbours

    titles = data.interactions.titles
    neighbours, comparison, counts = {}, None, None
    if anchor is not None and never_trained[anchor]:  # no direction: its "neighbours" would be the catalogue in order
        st.info(untrained.item_note(plain(titles[anchor]), int(popularity[anchor]), plain(entry.name),
                                    ": its vector was never fitted, so it is not on the map and any neighbours would "
                                    "be the catalogue in index order. Pick an item it was trained on (one not marked "
                                    "“none in training”)."), icon=":material/info:")
        return None, neighbours, comparison, counts, None
    # the line under the map that the item's neighbours fill once one is clicked (above it, it took a line of the
    # first screen, and the map moved down by a line when a point was clicked)
    if anchor is None:
        return None, neighbours, comparison, counts, (
            None if three_d else f"Click a point (or pick an item above) to draw its {shown} cosine and {shown} "
                                 "dot-product neighbours.")
    k = min(shown, len(table) - 1)
    with ui.guard("Finding neighbours"):  # exact, as on the Neighbours page: one item is one query
        counts = support.item_support(entry, popularity)
        comparison = support.compared(entry, data, popularity, anchor, k, min_support)
        neighbours = {"cosine": comparison.cosine["item"].to_numpy(), "dot": comparison.dot["item"].to_numpy()}
        rows = table["item"].to_numpy()  # map row → item
        where = np.flatnonzero(rows == int(anchor))
        on_map = rows[map_neighbours(coords, where, min(k, len(rows) - 1))[0]] if where.size else None
    cosine, dot = set(neighbours["cosine"].tolist()), set(neighbours["dot"].tolist())
    near, both = len(cosine & set(on_map.tolist())) if on_map is not None else 0, len(cosine & dot)
    # ("1 of its 10 ... are among": test_pages.py and test_browser.py look for "cosine neighbours are among")
    line = ((f"{near} of its {k} cosine neighbours are among its {k} nearest points on the map; "
             if on_map is not None else f"{titles[anchor]} is not among the {len(table):,} items on this map; ")
            + f"{both} {'is' if both == 1 else 'are'} in both the cosine and the dot-product list.")
    return anchor, neighbours, comparison, counts, line
