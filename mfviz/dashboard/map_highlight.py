"""Items singled out on the Latent space maps: highlighted genres in strong colours and shapes over a light
grey background, title-search matches drawn dark over faded points, and the caption's counts of them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mfviz.dashboard.figures import counted, legend_title
from mfviz.dashboard.map_colours import ColourKey, colour_groups

# Genres the analyst highlights (at most HIGHLIGHTED_AT_MOST): each in a strong colour and its own shape, larger
# and on top, every other item light grey behind. Twelve genre colours cannot all be told apart (six pairs of
# GROUP_PALETTE lie under ΔE 10 with simulated deuteranopia); these three Okabe & Ito colours and the grey keep
# ΔE (CIEDE2000, Machado et al. 2009) of 12.4 or more between any two under normal vision and simulated protan-,
# deutan- and tritanopia (20.5 with deuteranopia), and of the search matches' near-black, 3:1 or more on white
# (test_accessibility.py measures them).
HIGHLIGHT_COLOURS = ("#0072b2", "#d55e00", "#009e73")
HIGHLIGHT_COLOUR_NAMES = ("blue", "vermilion", "bluish green")
HIGHLIGHT_SYMBOLS = ("circle", "diamond", "square")
HIGHLIGHTED_AT_MOST = len(HIGHLIGHT_COLOURS)
BEHIND_COLOUR = "#cccccc"  # the items not highlighted
FADED = 0.15  # the opacity of the points a title search does not match
SEARCH_COLOUR = "#111111"  # search hits' rings and titles: apart from the neighbours' blue and red rings


def item_groups(table: pd.DataFrame, colour: str, continuous: bool, key: ColourKey | None,
                 matched: list[int] | None, highlighted: dict[str, np.ndarray] | None = None, strong_size: int = 8):
    """`colour_groups` with each group's legend switch, faded when a title search `matched` some items, and then
    those items as one dark group of their own ("matches (N)"), each hovering with its value in its colour group
    (a year read 1951.0 in the matches, 1951 in its group). The grey group of items without a value for a colour
    scale gets a legend entry: nothing else said what grey meant. With `highlighted` genres, the groups are
    `_highlight_groups` (markers `strong_size` px): a highlighted genre keeps all its items and its colour under a
    search (the matches are drawn dark over them), and the grey, light already, does not fade (it vanished)."""
    shown_of, matched_set = {}, set(matched or ())
    groups = [(*group, False) for group in colour_groups(table, colour, continuous, key)]
    if highlighted:
        for part, _, shown, *_ in groups:
            shown_of.update(zip(part["item"].tolist(), np.asarray(shown).tolist(), strict=True))
        groups = _highlight_groups(table, highlighted, shown_of, strong_size)
        continuous = False  # no colour scale: every group has its legend entry
    for part, name, shown, marker, strong in groups:
        shown_of.update(zip(part["item"].tolist(), np.asarray(shown).tolist(), strict=True))
        if matched and not strong:  # the matches are drawn once, in their own group (copied, a broad search
            apart = ~part["item"].isin(matched_set).to_numpy()  # doubled the figure)
            part, shown = part[apart], np.asarray(shown)[apart]
            marker = marker if highlighted else marker | {"opacity": FADED}
        yield part, name, shown, marker, not continuous or name != "items"
    if matched:  # over the faded points, clickable and hovered as they are
        part = table[table["item"].isin(matched)]
        yield (part, f"matches ({len(part):,})", np.array([shown_of[i] for i in part["item"].tolist()]),
               {"color": SEARCH_COLOUR, "size": 6}, True)


def _highlight_groups(table: pd.DataFrame, highlighted: dict[str, np.ndarray], shown_of: dict, strong_size: int
                      ) -> list[tuple]:
    """The map's items as (rows, trace name, value shown on hover, marker style, highlighted?) per trace: first
    every item in none of the `highlighted` genres ({genre: its items, of all the items}), light grey, then each
    genre's items in its strong colour and shape (the largest genre first, so a smaller one is drawn over it; the
    legend keeps the order they were picked in, see `legend_rank`). An item of several of them is in each.
    `shown_of`: each item's value of the map's colour column, which it still hovers with."""
    on_map = table["item"].to_numpy()
    members = {genre: np.isin(on_map, np.asarray(items, np.int64)) for genre, items in highlighted.items()}
    anywhere = np.logical_or.reduce(list(members.values()))
    total = f" of {len(table):,}"
    behind = table[~anywhere]
    groups = [(behind, f"the other {len(behind):,}", [shown_of[i] for i in behind["item"].tolist()],
               {"color": BEHIND_COLOUR, "opacity": 0.7}, False)] if len(behind) else []  # (a map of them only)
    styles = dict(zip(highlighted, zip(HIGHLIGHT_COLOURS, HIGHLIGHT_SYMBOLS, strict=False), strict=False))
    for genre in sorted(highlighted, key=lambda g: -int(members[g].sum())):  # stable: ties in the order picked
        part = table[members[genre]]
        colour, symbol = styles[genre]
        groups.append((part, f"{genre}: {len(part):,}{total}", [shown_of[i] for i in part["item"].tolist()],
                       {"color": colour, "symbol": symbol, "size": strong_size, "opacity": 0.95,
                        "line": {"width": 0.6, "color": "#ffffff"}}, True))
    return groups


def legend_rank(name: str, highlighted: dict[str, np.ndarray] | None) -> dict:
    """A highlighted genre's place in the legend, in the order the genres were picked (the traces are drawn
    largest first), the grey after them; nothing without highlighted genres."""
    if not highlighted:
        return {}
    genre = name.rsplit(": ", 1)[0]
    order = list(highlighted)
    return {"legendrank": order.index(genre) + 1 if genre in order else len(order) + 1}


def highlight_note(fig: go.Figure, table: pd.DataFrame, highlighted: dict[str, np.ndarray], part_of: int = 0,
                   left_off: np.ndarray | None = None) -> str:
    """The legend's title and the caption's sentence of a map with `highlighted` genres: each one's items on
    the map and in all (`part_of`: all the items, when the map shows some of them), in its colour and shape;
    with `left_off` (items the model never trained on, not on the map), how many of each genre are among them."""
    legend_title(fig, "highlighted genre" + ("s" if len(highlighted) > 1 else ""))
    on_map = table["item"].to_numpy()
    counts = {genre: int(np.isin(on_map, np.asarray(items, np.int64)).sum()) for genre, items in highlighted.items()}
    shapes = {"circle": "circles", "diamond": "diamonds", "square": "squares"}
    never = {genre: 0 if left_off is None or part_of else int(np.isin(np.asarray(items, np.int64), left_off).sum())
             for genre, items in highlighted.items()}
    said = [f"{genre}: {counts[genre]:,} of {len(table):,} items"
            + (f" on this map ({len(highlighted[genre]):,} of all {part_of:,})" if part_of else "")
            + (f" on the map, {never[genre]:,} more never trained on and left off it" if never[genre] else "")
            + f" ({name} {shapes[symbol]})" for genre, name, symbol in
            zip(highlighted, HIGHLIGHT_COLOUR_NAMES, HIGHLIGHT_SYMBOLS, strict=False)]
    sentence = (" Highlighted: " + "; ".join(said) + ". Drawn larger, on top; every other item light grey behind "
                "(“Colour by” is set aside meanwhile).")
    if len(highlighted) > 1:
        times = sum(np.isin(on_map, np.asarray(items, np.int64)).astype(int) for items in highlighted.values())
        several = int((times > 1).sum())
        if several:
            sentence += (f" {counted(several, 'item')} {'is' if several == 1 else 'are'} in more than one of them: "
                         "counted and drawn in each, the smaller genre on top.")
    return sentence
