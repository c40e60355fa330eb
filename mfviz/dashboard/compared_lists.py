"""Several models' lists shown side by side (Recommend and Neighbours pages): each as its own table, the items
they share said in words and by shading, hits ticked where counted, and how much the lists overlap."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import figures, labels, title_rows, verdicts
from mfviz.dashboard.plain import plain
from mfviz.dashboard.ui import ticks

SIDE_BY_SIDE_PER_ROW = 2  # lists in a row: two with title, score and popularity fit 820 px (1,280 px, sidebar open)
SIDE_TABLE_WIDTH = 400  # px of one list's table: half of 820 px less the gap between two
# The data's evidence beside a neighbour list (analysis.co_occurrence): the Neighbours page's own lists and those of
# the other models side by side show it alike.
EVIDENCE = {"together": st.column_config.NumberColumn(width=60, help="Users who interacted with both this item and the "
                                                      "neighbour: the data's own evidence for the model's neighbour."),
            "lift": st.column_config.NumberColumn("lift", format="%.1f×", width=48,
                                                  help="Users with both items / the number chance would give.")}
# The shading of an item on every list, and (of three lists or more) on some other list, not on all: a second cue
# after the words of the "lists" column (`list_cues`). 1.67:1 and 1.33:1 against the white of the other rows (the
# lighter greens before, 1.21:1 and 1.09:1, were hard to see), the table's text 7.5:1 and 9.4:1 on them.
SHARED_SHADE = "background-color: #a9d4a0"
PARTLY_SHADE = "background-color: #cfe6c9"


@dataclasses.dataclass
class SideList:
    """One model's list for `side_by_side`: its items best first and their scores; `ranked_by` when a
    popularity penalty orders the list (score + the penalty's change); `hits` the items that count as hits
    for this model (the user's items held out of its training), None when no hits are counted; `note` words
    for the heading (why a model counts no hits; how well the data's users back a model's neighbour lists);
    `together` and `lift` the data's evidence for each item of a neighbour list (analysis.co_occurrence)."""

    items: np.ndarray
    scores: np.ndarray
    ranked_by: np.ndarray | None = None
    hits: np.ndarray | None = None
    note: str = ""
    together: np.ndarray | None = None
    lift: np.ndarray | None = None


def side_frame(side: SideList, titles: np.ndarray, popularity: np.ndarray) -> pd.DataFrame:
    """A list as `side_by_side` shows it, rank as the index (1 = best): title, hit (when hits are counted),
    ranked by (under a penalty), score, popularity, together and lift (when given)."""
    items = np.asarray(side.items, np.int64)
    frame = pd.DataFrame({"title": titles[items]}, index=pd.RangeIndex(1, items.size + 1, name="rank"))
    if side.hits is not None:
        frame["hit"] = ticks(np.isin(items, side.hits))
    if side.ranked_by is not None:
        frame["ranked by"] = np.round(np.asarray(side.ranked_by, np.float64), 3)
    frame["score"] = np.asarray(side.scores, np.float64)
    frame["popularity"] = popularity[items]
    for column in ("together", "lift"):
        if getattr(side, column) is not None:
            frame[column] = np.asarray(getattr(side, column))
    return frame


def shade(column: pd.Series, shared: list[str]) -> list[str]:
    """The style of each cell of a list's title and lists columns: `shared`, from `shared_shades`."""
    return list(shared)


def list_cues(lists: dict[str, np.ndarray]) -> dict[str, list[str]]:
    """Each list's words for its items in the "lists" column: how many of the lists hold the item, "both" (of two
    lists) or "all 3", "2 of 3" (of three or more), blank for an item on this list alone. The shading says the same
    (`shared_shades`) to those who see it."""
    sets = [set(np.asarray(items).tolist()) for items in lists.values()]
    everywhere = "both" if len(sets) == 2 else f"all {len(sets)}"
    cues = {}
    for name, items in lists.items():
        held = [sum(item in others for others in sets) for item in np.asarray(items).tolist()]
        cues[name] = [everywhere if k == len(sets) else f"{k} of {len(sets)}" if k > 1 else "" for k in held]
    return cues


def shared_shades(lists: dict[str, np.ndarray]) -> dict[str, list[str]]:
    """Each list's row styles: SHARED_SHADE for an item on every list, PARTLY_SHADE for one on some other list
    but not all (of three lists or more: shading only the items on all of them left 7 items two lists shared
    unmarked, "0 of 10"), none for an item on this list alone."""
    sets = {name: set(np.asarray(items).tolist()) for name, items in lists.items()}
    everywhere = set.intersection(*sets.values()) if sets else set()
    styles = {}
    for name, items in lists.items():
        others = set().union(*(sets[other] for other in sets if other != name))
        styles[name] = [SHARED_SHADE if item in everywhere else PARTLY_SHADE if item in others else ""
                        for item in np.asarray(items).tolist()]
    return styles


def side_heading(name: str, side: SideList) -> str:
    """A list's heading: the model's name, its hits when they are counted and its note."""
    words = [f"**{plain(name)}**"]
    if side.hits is not None:
        found = int(np.isin(np.asarray(side.items, np.int64), side.hits).sum())
        words.append(f"{found} hit{'s' if found != 1 else ''} in {len(side.items)}")
    return " · ".join(words + ([side.note] if side.note else []))


def side_by_side(lists: dict[str, SideList], titles: np.ndarray, popularity: np.ndarray, n: int,
                 score_help: str = "The model's score of the item.", note: str = "",
                 per_row: int = SIDE_BY_SIDE_PER_ROW) -> None:
    """Several models' lists, each with its scores, its items' popularity and, when given, the data's evidence (rank
    = row, `per_row` lists to a row), how many of the lists hold each item said in words and by shading, hits marked where counted; underneath, how many items each pair of
    lists shares, each list's mean popularity and `note`. `score_help`: what the score is."""
    everywhere = set.intersection(*(set(np.asarray(side.items).tolist()) for side in lists.values()))
    st.markdown("**Side by side**")
    # Each list as its own table with its numbers: one table of titles alone gave no score or popularity, and
    # four lists of title, score and popularity in one row leave a title some 60 px at 1,280 px.
    config = {"_index": st.column_config.NumberColumn("rank", width=36),
              "hit": st.column_config.TextColumn(
                  width=36, help="Held out of this model's training (the Train page's test share) and in the user's "
                                 "data: the model recommends an item the user has without having seen it."),
              # one count of decimals for every list (figures.fixed_decimals): side by side, 0.93 against 0.0712
              # read as if the lists were of different precision
              "ranked by": st.column_config.NumberColumn(
                  width=64, format=figures.fixed_decimals(np.concatenate(
                      [side.ranked_by for side in lists.values() if side.ranked_by is not None] or [np.zeros(0)])),
                  help="score + pop. adj.: what orders the list under a popularity penalty."),
              "score": st.column_config.NumberColumn(width=54, help=score_help, format=figures.fixed_decimals(
                  np.concatenate([np.asarray(side.scores, np.float64) for side in lists.values()]))),
              "popularity": st.column_config.NumberColumn(labels.POPULARITY, width=labels.POPULARITY_WIDTH, help=labels.POPULARITY_HELP),
              "lists": st.column_config.TextColumn(
                  width=48, help="How many of the lists side by side hold the item: all of them (“both”, “all 3”), "
                                 "some (“2 of 3”), or blank: this list alone. Shaded alike.")} | EVIDENCE
    names = list(lists)
    shades = shared_shades({name: np.asarray(side.items, np.int64) for name, side in lists.items()})
    cues = list_cues({name: np.asarray(side.items, np.int64) for name, side in lists.items()})
    # one list to a row is as wide as the page's column: its title the rest of that width
    table_width = SIDE_TABLE_WIDTH * SIDE_BY_SIDE_PER_ROW // per_row
    for start in range(0, len(names), per_row):
        row = names[start:start + per_row]
        for place, name in zip(st.columns(per_row), row, strict=False):
            side = lists[name]
            frame = side_frame(side, titles, popularity)
            frame.insert(1, "lists", cues[name])
            # the title takes what the numbers leave of the table's width (titles are cut at its edge)
            numbers = sum(config[column].get("width") or 60 for column in ("_index", *frame.columns[1:]))
            title = st.column_config.TextColumn(width=table_width - numbers)
            # a title longer than its column wraps onto a second line (the row's lists alike, so they stay level)
            sizing = title_rows.sizing(len(frame), *((titles[np.asarray(lists[other].items, np.int64)],
                                                      table_width - numbers) for other in row))
            with place:
                st.markdown(side_heading(name, side))
                st.dataframe(frame.style.apply(shade, subset=["title", "lists"], shared=shades[name]), width="stretch",
                             column_config=config | {"title": title}, **sizing)
    pairs = [f"{plain(a)} ∩ {plain(b)}: {len(set(lists[a].items.tolist()) & set(lists[b].items.tolist()))}"
             for k, a in enumerate(names) for b in names[k + 1:]]
    means = [f"{plain(name)} {popularity[side.items].mean():,.0f}" for name, side in lists.items() if len(side.items)]
    count = len(lists)
    shaded = f"Shaded: in every list ({len(everywhere)} of {n}), “{'both' if count == 2 else f'all {count}'}” under lists"
    if count > 2:  # the words of list_cues: "2 of 3"; of four lists "2 of 4" to "3 of 4"
        shaded += f"; lightly shaded: in some of the others, “2 of {count}”" + (
            f" to “{count - 1} of {count}”" if count > 3 else "")
    st.caption(shaded + ". Items two lists share: " + "; ".join(pairs)
               + ". Mean popularity of each list (interactions per item): " + "; ".join(means) + "." + note)


def backing_note(summaries: dict[str, dict]) -> str:
    """The side by side caption's words on how well the data's users back each model's cosine lists: `summaries`, each
    model's support.summarised (the "Users behind them" card's figures), said with verdicts.lift."""
    said = [f"{plain(name)} {verdicts.lift(numbers['median_lift_cosine'], numbers['median_lift_null_cosine'])}"
            for name, numbers in summaries.items() if "median_lift_cosine" in numbers]
    if not said:
        return ""
    first = next(numbers for numbers in summaries.values() if "median_lift_cosine" in numbers)
    return (f" Users behind them (as the card of that name under *Over many items*, for each model's cosine lists): "
            f"the median lift over chance of an item's neighbours sharing at least {first['min_together']} users with "
            f"it, over {first['items']:,} sampled items, beside random lists as popular — " + "; ".join(said) + ".")
