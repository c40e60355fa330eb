"""The Recommend page's tables: their columns (widths that fit 1,280 to 1,440 px, help, decimals), a list of
items with its reasons, penalty and predicted ratings, and the popularity penalty's headline over it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import figures, labels, lists
from mfviz.dashboard.figures import counted
from mfviz.dashboard.plain import plain as plain_text
from mfviz.dashboard.recommend_view import RecommendView, penalty_for, stars

ADJUSTMENT = "pop. adj."  # the popularity penalty's change to a score: a lift for rare items, so not "penalty"
RANKED_BY = "ranked by"  # score + ADJUSTMENT: the order of a list with a popularity penalty
PREDICTED = "predicted"  # a model of ratings' expected rating: the score is not one (no global mean, no user bias)
HIT = "hit"  # a recommended item held out of the model's training: the user has it in the data
# Widths in pixels for tables at the page's width (820 px at 1,280 px with the sidebar open, 980 at 1,440): the
# history shows every column, titles of up to 264 px of text whole (all but 69 of MovieLens 100K's 1,682), and
# the recommendations (LIST_COLUMNS) title, reason, score, popularity and genres without scrolling sideways at 1,440.
COLUMNS = {"title": st.column_config.TextColumn(width=280),
           "genres": st.column_config.TextColumn(width=350),  # MovieLens 100K's longest list of genres: 330 px
           "rating": st.column_config.NumberColumn(width=50),
           "value": st.column_config.NumberColumn(width=50),
           "score": st.column_config.NumberColumn(
               width=50, format="%.3f",
               help="The model's score, which orders the list: user vector · item vector, plus the item's bias for "
                    "the models with biases (Funk SVD, SVD++, ALS). The user's bias and the global mean, the same "
                    "for every item, are left out: it is not the predicted rating."),
           PREDICTED: st.column_config.NumberColumn(
               width=78, format="%.2f",
               help="The rating the model expects this user to give the item: the score plus the global mean and "
                    "the user's bias, clipped to the data's scale (the Train page's RMSE scores it unclipped)."),
           "held out": st.column_config.TextColumn(
               width=65, help="Kept for testing the model (the Train page's test share): the model never saw it."),
           HIT: st.column_config.TextColumn(
               width=40, help="Held out of the model's training (\"held out\" in the history): the model recommends "
                              "an item the user has without having seen it."),
           "popularity": st.column_config.NumberColumn(labels.POPULARITY, width=labels.POPULARITY_WIDTH,
                                                     help=labels.POPULARITY_HELP),
           "because of": st.column_config.TextColumn(
               width=220, help="The item of the profile that raises this score most. \"unlike X (rated 1)\": an "
                               "item rated below the scale's middle (or in the dislikes box: \"(disliked)\") raises "
                               "it, for a model of ratings with biases (Funk SVD, SVD++, ALS) — the user vector "
                               "moves away from that item, and so toward items unlike it. \"X (rated 1)\" without "
                               "\"unlike\": a model that reads a rating as a strength of interest (implicit ALS, "
                               "Truncated SVD, a model without biases) takes the low rating as weak interest."),
           "adds": st.column_config.NumberColumn(
               width=55, format="%+.3f", help="That item's part of the score's personal part (user vector · item "
                                              "vector; an item's bias is no one's part): see the note under the table."),
           lists.SHARE: st.column_config.NumberColumn(
               width=50, format="%.0f%%", help="That part as a share of all that the profile's items add to the "
                                               "score (the parts that raise it): the rest comes from the profile's "
                                               "other items. Shown for the models whose parts add up to the score's "
                                               "personal part (ALS, implicit ALS, Truncated SVD)."),
           "mostly along": st.column_config.TextColumn(
               width="medium", help="What lifts this item's score above the average item's for this taste. The "
                                    "fewest of the model's dimensions (strongest = 1; at most 3) that carry at least "
                                    "half of that lift (user coordinate × how far the item's coordinate lies from the "
                                    "catalogue's mean, summed over dimensions), each named by the end the item leans "
                                    "to, and their share of it (\"all of it\": the other dimensions pull the item down). \"item bias\": the item's own bias lifts it more than "
                                    "the taste does (it is high for everyone); \"spread over many dimensions\": no "
                                    "three carry half; \"—\": the taste does not lift it above the average item. "
                                    "Latent space → Map: Dimensions shows each dimension."),
           RANKED_BY: st.column_config.NumberColumn(
               width=70, format="%.3f", help="score + pop. adj.: what orders the list under a popularity penalty."),
           ADJUSTMENT: st.column_config.NumberColumn(
               width=70, format="%+.3f", help="What the popularity penalty adds to the score: below zero for items "
                                              "more popular than is typical, above zero for rarer ones (a penalty on "
                                              "popularity is a lift for the rare); score + this ranks the list.")}


def list_columns(table: pd.DataFrame) -> dict:
    """LIST_COLUMNS with "score", "adds", "ranked by" and "pop. adj." given decimals enough for 3 significant digits
    of the list's largest value (a part of 0.0064 read 0.006, as did its runner-up of 0.0061; a model with short
    vectors scores 0.004). The values come unrounded: rounded to 3 decimals first, 0.00412 read 0.00400."""
    config = dict(LIST_COLUMNS)
    for column, sign in (("score", False), ("adds", True), (RANKED_BY, False), (ADJUSTMENT, True)):
        if column in table.columns:
            form = figures.fixed_decimals(table[column], sign=sign)
            config[column] = {**COLUMNS[column], "type_config": {**COLUMNS[column]["type_config"], "format": form}}
    return config


LIST_COLUMNS = COLUMNS | {"title": st.column_config.TextColumn(width=250),
                          "genres": st.column_config.TextColumn(width="medium")}  # "mostly along" shows at 1,440 px
# The history's columns fit 820 px (1,280 with the sidebar) with its date: "Empire Strikes Back, The (1980)" in
# 260 px, genres in what is left (MovieLens 100K's longest list, 330 px, loses its end; 15 px more of it since the
# popularity column's header is "popularity" whole)
HISTORY_COLUMNS = COLUMNS | {"title": st.column_config.TextColumn(width=260),
                             "genres": st.column_config.TextColumn(width=285),
                             "when": st.column_config.DatetimeColumn(format="YYYY-MM-DD", width=90)}
HISTORY_ROW = 35  # px per row of a table, the header's too
HISTORY_ROWS = 10  # rows of the history shown before it scrolls (the rest scroll inside the table)


def item_table(view: RecommendView, items: np.ndarray, scores: np.ndarray | None = None,
               reasons: tuple[list[str], np.ndarray, np.ndarray] | None = None, taste: np.ndarray | None = None,
               user_bias: float | None = None) -> pd.DataFrame:
    """Title first, then why and how strongly, popularity, and genres last (a narrow table cuts them).
    `reasons`: "because of", "adds" and "share", as `because_of` returns them. With `taste` (the user's or profile's coordinates on the model's dimensions), the dimension each
    item's score comes from most; with `user_bias`, a model of ratings' predicted rating after the score."""
    frame = lists.item_frame(view.inter, view.popularity, items, scores, reasons)
    if taste is not None and len(frame):
        frame["mostly along"] = lists.dimension_labels(view.entry, view.data, np.asarray(items, np.int64), taste)
    change = penalty_for(view, view.entry) if scores is not None else None
    if change is not None:
        # What ranks the list first, then the score and the penalty that make it: with the sum further right
        # (scrolled off at 1,280 px) the scores on screen read out of order, as if the list were broken.
        adjustment, exact = change[np.asarray(items, np.int64)], np.asarray(scores, np.float64)
        frame.pop("score")  # the sum of the exact parts, rounded: of the rounded parts it could read out of order
        frame.insert(1, RANKED_BY, exact + adjustment)  # unrounded: list_columns gives the decimals
        frame.insert(2, "score", exact)
        frame.insert(3, ADJUSTMENT, adjustment)
    if scores is not None and user_bias is not None and (expected := stars(view, scores, user_bias)) is not None:
        frame.insert(frame.columns.get_loc("score") + 1, PREDICTED, np.round(expected, 2))
    return frame


PENALTY_SHADE = "background-color: #fbe3c2"  # the items a popularity penalty brought into a list (amber: the
# green shade of the lists side by side means "in every list")


def penalised(view: RecommendView, table: pd.DataFrame, ids: np.ndarray, plain: np.ndarray):
    """The list as shown, with its headline: under a popularity penalty, one line of what it did (mean popularity
    before → after, how many items it brought in) over the list, and those items' titles shaded. The same words
    ended the caption only, nine lines under the slider a presenter moves."""
    if penalty_for(view, view.entry) is None or len(ids) == 0:
        return table
    titles, popularity = view.titles, view.popularity
    brought = ~np.isin(ids, plain)
    # what left the list, by name: a swap of one item moved the mean little and the item gone was nowhere to be seen
    left = [f"{plain_text(str(titles[i]))} ({popularity[i]:,})" for i in plain if i not in set(ids)]
    st.markdown(f"**Popularity penalty β = {view.strength:g}:** the list's mean popularity "
                f"{popularity[plain].mean():,.0f} → {popularity[ids].mean():,.0f} interactions; "
                f"{int(brought.sum())} of its {counted(len(ids), 'item')} brought in by the penalty"
                + (" (shaded)" if brought.any() else "")
                + (f", in place of {', '.join(left[:3])}" + (f" and {len(left) - 3} more" if len(left) > 3 else "")
                   if left else "") + ".")
    return table.style.apply(lambda column: [PENALTY_SHADE if on else "" for on in brought], subset=["title"])
