"""The Latent space map's "Colour by": the columns it offers (popularity, vector length, the item table's numbers and
groups, the genre each item is coloured by), a link's `colour=` read into it, and the colours themselves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import cached_maps, map_colours
from mfviz.dashboard.map_link import MapLink
from mfviz.dashboard.plain import plain

GENRE = map_colours.GENRE_COLUMN
KEY = "latent_colour"  # (kept by app.py)
OWN_COLUMNS = ("x", "y", "z", "item", "item_id", "title", "first_genre", "genres", GENRE, "popularity", "norm")


@dataclass
class Colouring:
    """The catalogue's table (every item, its colour columns), the columns offered and the colour chosen."""

    catalogue: pd.DataFrame
    genres_shown: int  # genres the distinctive genre colours by (0: the data has none)
    options: list[str]
    numeric_columns: list[str]  # item-table numbers, coloured on a scale
    default: str
    column: str | None = None  # the colour chosen (`choose`)

    @property
    def continuous(self) -> bool:
        return self.column in ("popularity", "norm", *self.numeric_columns)


def all_numbers(column: pd.Series) -> bool:
    """Whether every value given in an item-table column reads as a number (an item table's years come as text or
    objects with blanks: the dtype alone does not say)."""
    if pd.api.types.is_bool_dtype(column):
        return False
    given = column[column.notna() & (column.astype(str).str.strip() != "")]
    return bool(len(given)) and bool(pd.to_numeric(given, errors="coerce").notna().all())


def colouring(table: pd.DataFrame, map_rows, model_key: str, data, popularity: np.ndarray,
              norms: np.ndarray) -> Colouring:
    """The colours the map's `table` can take (each item's distinctive genre added to it), from a link's `colour=`
    first, else as kept in the session, else the distinctive genre (popularity on data without genres)."""
    inter = data.interactions
    # The colours are those of all the items, so that a map of a few of them colours each as the map of all of
    # them does (recomputed from a selection of Children's films, they lost Children's to Animation and
    # Musical, and Drama changed colour)
    catalogue = table if map_rows is None else cached_maps.map_table(
        f"{model_key}|{data.key}|all items", np.zeros((inter.n_items, 2), np.float32), inter.items,
        popularity, norms, inter.titles)
    genres_shown = 0
    if "genres" in catalogue.columns:  # each item's least common genre among the most common: every one of them shows
        catalogue[GENRE], genres_shown = map_colours.distinctive_genre(catalogue["genres"])  # (map_table returns a copy)
        table[GENRE] = catalogue[GENRE].to_numpy()[table["item"].to_numpy()]  # (rows of all the items: by item)
    # the first-listed genre too, as the data names its main one (Star Wars shows as War by its least common)
    metadata_columns = [c for c in (GENRE, "first_genre", "genres") if c in catalogue.columns] + \
        [c for c in catalogue.columns if c not in OWN_COLUMNS and catalogue[c].nunique() <= 30]
    # a number of the item table with more values (a year, a price) is a colour scale: it was left out of the choice
    numeric_columns = [c for c in catalogue.columns if c not in OWN_COLUMNS and c not in metadata_columns
                       and all_numbers(catalogue[c])]
    options = ["popularity", "norm"] + numeric_columns + metadata_columns
    return Colouring(catalogue, genres_shown, options, numeric_columns,
                     GENRE if GENRE in options else options[0])


def from_link(link: MapLink, colours: Colouring) -> None:
    """Start "Colour by" at the opened link's `colour=` (one this data lacks is said, and the default taken), else
    at the session's, else the default: through the session state, not `index=`."""
    if link.view is not None and "colour" in link.view:
        if link.view["colour"] in colours.options:
            st.session_state[KEY] = link.view["colour"]
        else:
            st.warning(f"The link's colour = {plain(link.view['colour'])} is not one of this data's colours "
                       f"({plain(', '.join(colours.options))}); the map is coloured by "
                       f"{plain(map_colours.column_name(colours.default))}.", icon=":material/link_off:")
    if st.session_state.get(KEY) not in colours.options:
        st.session_state[KEY] = colours.default


def choose(slot, colours: Colouring, highlighted: bool) -> str:
    """Draw "Colour by" in `slot` (set aside while genres are highlighted) and return the column chosen."""
    colours.column = slot.selectbox(
        "Colour by", colours.options, key=KEY, format_func=map_colours.choice_name, disabled=highlighted,
        help="Set aside while genres are highlighted: clear “Highlight genres” to colour the map." if highlighted else
        map_colours.choice_help(colours.options, colours.genres_shown))
    return colours.column


def colour_key(colours: Colouring) -> map_colours.ColourKey:
    """The colours of the chosen column's values; the first-listed genre keeps those of the genre colouring shown
    first: Drama is one colour in both."""
    catalogue, column = colours.catalogue, colours.column
    return map_colours.colour_key(catalogue[column], column, colours.continuous, like=map_colours.colour_key(
        catalogue[GENRE], GENRE, False) if column == "first_genre" and GENRE in catalogue.columns else None)
