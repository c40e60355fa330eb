"""What each item point of a Latent space map carries (title, hover text, item index), and reading
clicks and box or lasso selections on a map back as items."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mfviz.dashboard.figures import Chart

HOVER_DETAILS_UP_TO = 30_000  # items of a map whose points hover with their genres and counts (MovieLens 20M's
# 27,000): on 100,000 they doubled the figure sent to the browser (5.9 to 11.4 MB) and took 0.6 s more to build


def item_data(part: pd.DataFrame, shown, colour: str = "", details: bool = True) -> np.ndarray:
    """customdata of item points: title, the value shown on hover, the item index (what a click on the point
    reports, see clicked_item) and more to hover (`details`): all its genres and its interactions, where the table
    has them and the colour is not already one of them (the hover showed one genre only: an Embedding Projector user
    reads an item's metadata there)."""
    more = pd.Series("", index=part.index, dtype=object)
    if details and "genres" in part.columns and colour != "genres":
        genres = part["genres"].map(lambda g: ", ".join(map(str, g)) if isinstance(g, list | tuple | np.ndarray)
                                    else g if isinstance(g, str) else "")
        more = more.where(genres == "", "<br>" + genres)
    if details and "popularity" in part.columns and colour != "popularity":
        counts = pd.to_numeric(part["popularity"], errors="coerce")
        known = counts.notna()
        more[known] += [f"<br>popularity {int(c):,}" for c in counts[known]]
    if "label_line" in part.columns:  # labelled by another column ("Label by"): its value on hover, under the title
        more = "<br>" + part["label_line"].astype(str) + more
    return np.stack([part["title"].astype(str), np.asarray(shown).astype(str), part["item"].astype(str),
                     more.astype(str)], axis=1)


def item_hover(colour: str) -> str:
    """The hover template of item points whose customdata `item_data` wrote: the title in bold, the value of
    the colour column `colour`, then the details."""
    return "<b>%{customdata[0]}</b><br>" + colour + ": %{customdata[1]}%{customdata[3]}<extra></extra>"


def clicked_item(state) -> int | None:
    """The item of the one point clicked on the map, from the Streamlit state of its chart (a click
    selects one point and draws no box or lasso), or None. Every item point of `latent_scatter`
    carries its item index third in its customdata, so the click can be read before the chart is
    drawn again (Streamlit sets a widget's value only before the widget is drawn)."""
    selection = (state or {}).get("selection") or {}
    points = selection.get("points") or []
    if len(points) != 1 or selection.get("box") or selection.get("lasso"):
        return None
    try:
        item = int(points[0].get("customdata")[2])
    except (TypeError, ValueError, IndexError):
        return None
    return item if item >= 0 else None


def selected_items(chart: Chart, selection) -> list[int]:
    """Item indices of the points in a Streamlit plotly selection (box or lasso)."""
    items = []
    for point in (selection or {}).get("points", []):
        curve, index = point.get("curve_number"), point.get("point_index", point.get("point_number"))
        if curve is not None and index is not None and curve < len(chart.trace_items):
            items.append(int(chart.trace_items[curve][index]))
    return list(dict.fromkeys(i for i in items if i >= 0))  # -1: a gap between neighbour lines
