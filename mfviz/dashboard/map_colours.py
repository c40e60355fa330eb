"""Colours of the Latent space maps: the genre palette, each item's distinctive genre, a colour key kept
from the map of all the items, colour scales and their count ticks, and the legend's note on genres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mfviz.dashboard import labels
from mfviz.dashboard.figures import legend_title, log_ticks

# Twelve clearly different colours for the twelve largest groups on the map (the rest are grey
# "other"): enough for the demo's 12 planted genres and the main MovieLens ones.
GROUP_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#393b79", "#637939", "#111111"]
GENRE_COLUMN = "distinctive genre"  # the map's colour by genre (see distinctive_genre)
# how the legends and hovers name that colour: "distinctive genre" is a user's most over-represented on Recommend
LEAST_COMMON_GENRE = "genre (its least common)"
GENRE_NOTE = ("Colour: each item's least common genre among the {n} most common on the map (a Drama and Romance "
              "item is Romance), so every one of them shows; grey “other”: items of none of them.")
GENRE_NOTE_ALL = ("Colour: each item's least common genre among the {n} most common of all the items (a Drama and "
                  "Romance item is Romance), as on the map of all of them; grey “other”: items of none of them.")
FIRST_GENRE = "genre (first listed)"  # the map's colour by the item table's first genre of each item
FIRST_GENRE_NOTE = ("Colour: each item's first genre as the item table lists them (in an alphabetical list a Drama "
                    "and Romance item is Drama, so some genres hardly show: “genre”, each item's least common, shows "
                    "each).")


def distinctive_genre(genres: pd.Series, top: int = len(GROUP_PALETTE)) -> tuple[pd.Series, int]:
    """Each item's genre to colour it by, from its genres joined with ", ": the least common of them among
    the `top` most common genres (ties by name), "other" when it has none of those, "(none)" without
    genres; and how many genres can show. A first-listed genre hid whole genres: in alphabetical lists a
    Romance is nearly always a Comedy or a Drama first."""
    listed = genres.fillna("").astype(str).str.split(", ").explode()
    listed = listed[listed != ""]
    counts = listed.value_counts()
    top -= int((genres.fillna("").astype(str) == "").any())  # "(none)" takes a colour too
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")  # ties by name, as shown
    common = counts.index[:top]
    kept = listed[listed.isin(common)]
    rarest = (pd.DataFrame({"genre": kept, "count": kept.map(counts)}).rename_axis("row")
              .sort_values(["count", "genre"], kind="stable").groupby(level="row")["genre"].first())
    shown = pd.Series(np.where(listed.groupby(level=0).size().reindex(genres.index).fillna(0) > 0, "other",
                               "(none)"), index=genres.index, dtype=object)
    shown.loc[rarest.index] = rarest
    return shown, len(common)


@dataclass(frozen=True)
class ColourKey:
    """Which colour each value of the map's colour column gets, fixed on all the items (see colour_key),
    so that a map of a few of them colours each item as the map of all of them does: `groups` ({value:
    colour}, the rest grey "other") for a colour by category, `low` and `high` (the ends of the colour
    scale, on its own scale: log10(1 + count) for popularity) for a colour by number."""
    groups: dict[str, str] | None = None
    low: float | None = None
    high: float | None = None


def colour_key(values: pd.Series, colour: str, continuous: bool, like: ColourKey | None = None) -> ColourKey:
    """The colours of `values` (the colour column `colour` of every item): the twelve most common values
    in GROUP_PALETTE's colours, in the order of their names, the rest grey "other"; or, for a number, the
    ends of the colour scale. A map of some of the items given this key colours them as the whole map.
    `like`: another colouring's key whose values keep their colours here (a genre is one colour whichever
    genre colouring is picked); the other values take the colours it leaves unused, in name order."""
    if continuous:
        scale = _colour_scale(values, colour)
        scale = scale[np.isfinite(scale)]
        return ColourKey(low=float(scale.min()), high=float(scale.max())) if scale.size else ColourKey()
    groups = values.fillna("(none)").astype(str)
    top = sorted(groups[groups != "other"].value_counts().index[:len(GROUP_PALETTE)])  # "other" is grey, not a group
    kept = {group: like.groups[group] for group in top if like is not None and group in (like.groups or {})}
    # colours `like` does not use first; when it uses them all, those of its values absent here
    taken = set((like.groups or {}).values()) if like is not None else set()
    free = iter([c for c in GROUP_PALETTE if c not in taken] + [c for c in GROUP_PALETTE
                                                                if c in taken and c not in kept.values()])
    return ColourKey(groups={group: kept[group] if group in kept else next(free) for group in top})


def _colour_scale(values: pd.Series, colour: str) -> np.ndarray:
    """The numbers a continuous colour draws: popularity on a log scale; a column of the item table (a year) keeps
    its missing values as NaN, which `colour_groups` draws grey apart (as 0 they stretched the scale to 0)."""
    numbers = pd.to_numeric(values, errors="coerce")
    if colour == "popularity":
        return np.log10(1 + np.maximum(numbers.fillna(0).to_numpy(float), 0))
    return numbers.fillna(0).to_numpy(float) if colour == "norm" else numbers.to_numpy(float)


def count_ticks(low: float, high: float) -> dict:
    """Colour-bar ticks for a popularity colour drawn as log10(1 + count) from `low` to `high`: the
    counts themselves at 1-2-5 steps (0 too when the scale starts there), not their logarithms."""
    # from a count of 1 when the scale starts at 0 (0 is added below): with only the top count given, a scale
    # from 0 to 1,000 had the one tick "0"
    top = 10 ** high - 1
    counts = np.array([max(10 ** low - 1, 1.0), top]) if top >= 1 else np.zeros(0)
    steps = [float(t) for t in log_ticks(counts).get("tickvals", [])]
    ticks = ([0.0] if low < np.log10(1.5) else []) + [t for t in steps if np.log10(1 + t) <= high + 1e-9]
    return dict(tickmode="array", tickvals=[float(np.log10(1 + t)) for t in ticks],
                ticktext=[f"{t:,.0f}" for t in ticks])


def colour_groups(table: pd.DataFrame, colour: str, continuous: bool, key: ColourKey | None = None):
    """The map's items as (rows, trace name, value shown on hover, marker style) per trace: one trace on
    a colour scale (popularity on a log scale, its bar's ticks in interactions), or one per value of
    `colour` (the twelve largest get their own colours, the rest are grey "other"). `key`: the colours
    of all the items (colour_key), when `table` holds only some of them; without it, those of `table`."""
    key = key if key is not None else colour_key(table[colour], colour, continuous)
    if continuous:
        values = pd.to_numeric(table[colour], errors="coerce").to_numpy(float)
        scale = _colour_scale(table[colour], colour)
        bar = dict(title=labels.POPULARITY_AXIS if colour == "popularity" else "vector length" if colour == "norm" else colour,
                   # the lower half of the right side: the legend (neighbours, the star, search hits) takes the top
                   len=0.55, y=0, yanchor="bottom")
        ends = {}
        if key.low is not None and key.high is not None:
            ends = dict(cmin=key.low, cmax=key.high if key.high > key.low else key.low + 1)
            if colour == "popularity":
                bar.update(count_ticks(ends["cmin"], ends["cmax"]))
        # No legend entry: the bar says what the colour means (the entry's swatch was one colour of the
        # scale, a yellow dot that read as "items are yellow")
        known = np.isfinite(scale)
        yield table[known], "items", np.char.mod("%.4g", values[known]), dict(
            color=scale[known], colorscale="Viridis", opacity=0.8, showscale=True, colorbar=bar, **ends)
        if not known.all():  # an item-table column without a value for some items
            yield table[~known], f"no {colour}", np.full(int((~known).sum()), "no value"), dict(
                opacity=0.75, color="#c8c8c8")
        return
    groups = table[colour].fillna("(none)").astype(str)
    groups = groups.where(groups.isin(key.groups or {}), "other")
    for group in sorted(groups.unique(), key=lambda g: (g == "other", g)):
        yield table[groups == group], group, np.full(int((groups == group).sum()), group), dict(
            opacity=0.75, color="#c8c8c8" if group == "other" else key.groups[group])


def genre_note(fig: go.Figure, table: pd.DataFrame, colour: str, key: ColourKey | None = None) -> str:
    """On a map coloured by `distinctive_genre` (or the first genre), the legend's title and a sentence saying
    what the colour means (empty for any other colour); with `key`, the genres are those of all the items (the map shows
    some of them)."""
    if colour == "first_genre":
        legend_title(fig, FIRST_GENRE)
        return " " + FIRST_GENRE_NOTE
    if colour != GENRE_COLUMN:
        return ""
    legend_title(fig, LEAST_COMMON_GENRE)
    if key is not None and key.groups is not None:
        return " " + GENRE_NOTE_ALL.format(n=sum(g not in ("other", "(none)") for g in key.groups))
    shown = table[colour].astype(str)
    return " " + GENRE_NOTE.format(n=shown[~shown.isin(["other", "(none)"])].nunique())


def hover_name(colour: str) -> str:
    """How an item map's hover names its colour column: as the legend does (`LEAST_COMMON_GENRE` for the genre)."""
    return LEAST_COMMON_GENRE if colour == GENRE_COLUMN else colour


# the map's own columns as "Colour by" and "Label by" name them; an item table's own column by its name in words
COLUMN_NAMES = {"popularity": "popularity (interactions)", "norm": "vector length", GENRE_COLUMN: LEAST_COMMON_GENRE,
                "first_genre": FIRST_GENRE, "genres": "genres (combination)", "item_id": "item id"}


# "Colour by" names its choices in a word or two, so that at 1,280 px the chosen one reads whole in its box ("genre
# (its least common)" was cut after "common"); what each means is in its help, and the legend keeps the long name.
CHOICE_NAMES = {"popularity": "popularity", GENRE_COLUMN: "genre", "first_genre": "first genre", "genres": "all genres"}
CHOICE_HELP = {"popularity": "interactions per item", "norm": "the length of the item's vector",
               "first_genre": "each item's first genre as the item table lists them",
               "genres": "each item's whole list of genres"}


def choice_name(column: str) -> str:
    """A column's name among the choices of "Colour by": "genre" for the least common genre (see CHOICE_NAMES)."""
    return CHOICE_NAMES.get(column, column_name(column))


def choice_help(options, genres_shown: int) -> str:
    """What each of the `options` of "Colour by" colours the map by, as one help text."""
    meanings = {GENRE_COLUMN: GENRE_NOTE.format(n=genres_shown).removeprefix("Colour: "), **CHOICE_HELP}
    return " ".join(f"“{choice_name(option)}”: {meanings[option].rstrip('.')}." for option in options
                    if option in meanings)


def column_name(column: str) -> str:
    """A map column's name in "Colour by" and "Label by": "vector length" for norm, "release date" for
    release_date."""
    return COLUMN_NAMES.get(column, str(column).replace("_", " "))
