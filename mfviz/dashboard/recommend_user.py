"""The Recommend page's user in the data: picking one (or drawing one), their list with its hits and reasons,
their history, and every user's list to download."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import (
    cached_exports,
    export_counts,
    figures,
    links,
    lists,
    map_points,
    pickers,
    ui,
)
from mfviz.dashboard.figures import counted
from mfviz.dashboard.plain import plain as plain_text  # `plain` names a list here
from mfviz.dashboard.recommend_compare import user_lists_side_by_side
from mfviz.dashboard.recommend_reasons import (
    because_of,
    bias_note,
    penalty_note,
    reasons_note,
    score_words,
)
from mfviz.dashboard.recommend_tables import (
    HISTORY_COLUMNS,
    HISTORY_ROW,
    HISTORY_ROWS,
    HIT,
    item_table,
    list_columns,
    penalised,
)
from mfviz.dashboard.recommend_taste import taste_profile, users_map
from mfviz.dashboard.recommend_view import RecommendView, beta_in_link, penalty_for, top_unseen
from mfviz.dashboard.state import ModelEntry
from mfviz.dashboard.training import NO_VALUE
from mfviz.data.id_lists import user_named
from mfviz.models.sanity import untrained_users


def held_out_note(entry: ModelEntry, held_out: int) -> str:
    """Why the held-out items of a user's history are never "because of", for the caption."""
    if held_out == 0:
        return ""
    return (f" The {held_out:,} item{'s' if held_out != 1 else ''} marked \"held out\" in the history "
            f"{'were' if held_out != 1 else 'was'} kept for testing {plain_text(entry.name)}: it never saw "
            f"{'them' if held_out != 1 else 'it'}, so {'they are' if held_out != 1 else 'it is'} no reason.")


def hits_words(view: RecommendView, ids: np.ndarray, held: np.ndarray, user: int) -> str:
    """How many of the user's held-out items the list hits, as precision and recall for this one user."""
    entry, inter = view.entry, view.inter
    found, k = int(np.isin(ids, held).sum()), len(ids)
    if held.size == 0:
        return (f"**Hits: none to find.** {plain_text(user_named(inter.user_ids[user], capital=True))} has no item held out of {plain_text(entry.name)}'s "
                "training (all their items were in its training part).")
    return (f"**Hits: {found} of these {k}** are among the {counted(held.size, 'item')} "
            f"{plain_text(user_named(inter.user_ids[user]))} has that {plain_text(entry.name)} never saw in training (\"held out\" in the history): "
            f"precision@{k} = {found / k:.2f} and recall@{k} = {found}/{held.size} = {found / held.size:.2f} for "
            f"this one user. The Train page's precision@k and recall@k are these averaged over the test users (at "
            "most 20,000 of them)"
            + (", for lists without a popularity penalty" if penalty_for(view, entry) is not None else "")
            + ("; a held-out item counts whatever its rating, as there" if inter.is_explicit else "") + ".")


DRAWN_ACTIVITY = 5  # interactions a user drawn by "Another" has at least (one with 1 shows little)


def another_user(activity: np.ndarray) -> None:
    """Callback of "Another": the next of a seeded sequence of users (the n-th click draws with seed n), among
    those with DRAWN_ACTIVITY interactions or more (all of them when none has), never the one shown."""
    draws = st.session_state.get("rec_user_draws", 0) + 1
    st.session_state["rec_user_draws"] = draws
    eligible = np.flatnonzero(activity >= DRAWN_ACTIVITY)
    eligible = eligible if eligible.size else np.arange(activity.size)
    eligible = eligible[eligible != st.session_state.get("rec_user")] if eligible.size > 1 else eligible
    st.session_state["rec_user"] = int(np.random.default_rng(draws).choice(eligible))


def default_user(candidates: np.ndarray) -> int:
    """The user shown first: a third of the way down the users by activity (a typical user, not the heaviest), among
    those the model was trained on."""
    return int(candidates[min(len(candidates) - 1, len(candidates) // 3)])


def pick_user(view: RecommendView, activity: np.ndarray, link: dict) -> tuple[int, bool, np.ndarray]:
    """The user picker (a click on the map of users, or "Another", picks one too) and the switch that counts
    held-out items as hits: the user, whether hits are counted, and which users the model never trained on."""
    entry, inter, model = view.entry, view.inter, view.model
    candidates = np.argsort(-activity, kind="stable")
    # A click on a user of the users' map picks that user: read before the picker is drawn, and once.
    clicked = map_points.clicked_item(st.session_state.get("rec_users_map"))
    clicked = clicked if clicked is not None and clicked < inter.n_users else None
    if clicked != st.session_state.get("rec_users_clicked"):
        st.session_state["rec_users_clicked"] = clicked
        if clicked is not None:
            st.session_state["rec_user"] = clicked
    who, draw, switch = st.columns([3, 0.9, 1.6], vertical_alignment="bottom")
    draw.button("Another", key="rec_another_user", icon=":material/shuffle:", on_click=another_user, args=(activity,),
                help=f"A user drawn at random among those with at least {DRAWN_ACTIVITY} interactions, to flip through "
                     "users in a demonstration; the same draws in the same order in every session.")
    untrained = untrained_users(model)  # a split by time (or at random) can hold out all of a user's interactions
    user = pickers.pick_one(who, "User", "user", candidates, inter, "rec_user",
                            lambda u: f"{user_named(inter.user_ids[u])} · {counted(int(activity[u]), 'interaction')}"
                                      + (", none in training" if untrained[u] else ""),
                            default=default_user(candidates[~untrained[candidates]] if not untrained.all()
                                                 else candidates))
    if link.get("hits") == "1":
        st.session_state["rec_hits"] = True
        if not lists.can_hit(entry):  # said, as every other part of a link this session cannot apply
            st.warning(f"The link lets the user's held-out items be recommended (hits=1), but {plain_text(entry.name)} holds no "
                       "item out of its training (trained with no test share, or loaded from a model file), so there "
                       "is nothing to hit: its lists leave out everything the user has.", icon=":material/link_off:")
    # For a model without held-out items the switch is shown off and greyed out under another key, so the choice
    # made for the models that have them comes back with them (it was set to off for good).
    hits = switch.toggle(
        "Held-out items as hits",
        **({"key": "rec_hits"} if lists.can_hit(entry) else {"key": "rec_hits_none", "value": False, "disabled": True}),
        help=(f"Leaves only the items {plain_text(entry.name)} was trained on out of the user's lists, instead of everything "
              "the user has in the data: the items held out for testing (marked in the history) can then be "
              "recommended, and each one recommended is a hit — what the Train page's precision@k and recall@k "
              "count, here for one user. Each model side by side leaves out its own training items."
              if lists.can_hit(entry) else
              f"Not available for {plain_text(entry.name)}: no item was held out of its training (it was trained with no test "
              "share, or loaded from a model file, which keeps no split), so there is nothing to hit. Train a model "
              "with a test share on the Train page to see its hits."))
    return user, hits, untrained


def history_table(view: RecommendView, user: int, row, trained) -> pd.DataFrame:
    """What the user interacted with (`row`, their row of the data), best first: the rating or value, the items
    held out of the model's training (not in `trained`, their row of its training part) and when, where known."""
    inter = view.inter
    history = item_table(view, row.indices, None)
    history.insert(1, "rating" if inter.is_explicit else "value", row.data)
    if trained is not row:
        history.insert(2, "held out", ui.ticks(~np.isin(row.indices, trained.indices)))
    if inter.timestamps is not None:  # when (RecTools' apps show a history in time order: a click on "when" does)
        start, end = inter.matrix.indptr[user], inter.matrix.indptr[user + 1]
        history.insert(len(history.columns) - 1 if "genres" in history.columns else len(history.columns), "when",
                       pd.to_datetime(inter.timestamps[start:end], unit="s"))
    history = history.sort_values(history.columns[1], ascending=False)
    return history


# Scores (ranked users × items) above which every user's list is prepared first, with a progress bar: inside the
# download button's own spinner, 100,000 users × 30,000 items (5M ratings) took 69 s in a review (at load 8-10) with
# no word of how far it was.
PREPARE_ABOVE = 50_000_000
PREPARED = "mfviz.recommend.prepared_lists"  # session key: the (model, data, n) whose lists this session prepared


def download_every_list(view: RecommendView, untrained: np.ndarray) -> None:
    """The button that saves every user's list by the shown model as CSV (built only when pressed; on large data
    prepared first by a button of its own, with its progress, then saved by the download button)."""
    entry, data, inter, model, n = view.entry, view.data, view.inter, view.model, view.n
    users = int((~untrained).sum())
    # the lists as the page ranks them: with its popularity penalty (a file at β = 0 was taken for the penalised one)
    change = penalty_for(view, entry)
    strength = 0.0 if change is None else float(view.strength)
    penalised_by = "" if change is None else f" with popularity penalty β = {strength:g}"
    prepared = st.session_state.setdefault(PREPARED, set())
    which = (entry.key, data.key, int(n), strength)
    # said beside the button, not only in its tooltip: a file of 28,810 of 32,095 users read as every user's
    left_out = export_counts.for_model(entry, users, inter.n_users, "user")
    if users * inter.n_items > PREPARE_ABOVE and which not in prepared:
        slot = st.empty()  # the button gives way to the progress bar, then to the download button
        if not slot.button(f"Prepare every user's top {int(n)} by {plain_text(entry.name)}{penalised_by} (CSV)", key="rec_csv_prepare",
                         icon=":material/download:",
                         help=f"Ranks the unseen items of {users:,} users ({users * inter.n_items:,} scores), then "
                              "writes the CSV: about a minute on large data. A progress bar says how far it is; the "
                              "download button comes when it is done."):
            if left_out:
                st.caption(left_out)
            return
        slot.empty()
        prepare_every_list(view, users, change)
        prepared.add(which)
    st.download_button(f"Download every user's top {int(n)} by {plain_text(entry.name)}{penalised_by} (CSV)",
                       lambda: cached_exports.recommendation_csv(entry.key, model, data.key, inter, int(n),
                                                                 strength=strength, _change=change),
                       file_name=figures.file_name(f"recommendations_top{int(n)}" + (f"_beta{strength:g}" if change is not None
                                                                                     else ""),
                                                   "csv", ui.data_label(data), entry.name), mime="text/csv", key="rec_csv",
                       on_click="ignore", help="One row per user and rank: user_id, rank, item_id, title, score; "
                       + ("" if change is None else f"ranked as the page ranks them, with the popularity penalty "
                          f"β = {strength:g}: the score is still the model's own, and ranked_by, the column the "
                          "lists follow, is the score with the penalty; ")
                       + "items the user has in the data are left out" + (
                           f", and so are the {int(untrained.sum()):,} users none of whose interactions {plain_text(entry.name)} "
                           "was trained on (their lists would say nothing of them)." if untrained.any() else "."))
    if left_out:
        st.caption(left_out)


def prepare_every_list(view: RecommendView, users: int, change: np.ndarray | None) -> None:
    """Rank every user's list (cached_exports.recommendation_csv, in a thread of its own) under a progress bar: users
    ranked, time left, then the writing of the file."""
    from mfviz.dashboard import background

    entry, data, inter, n = view.entry, view.data, view.inter, int(view.n)
    bar = st.progress(0.0, text=f"Ranking every user's unseen items: 0 of {users:,} users…")

    def show(progress: background.Progress) -> None:
        if progress.total and progress.done >= progress.total:
            bar.progress(0.95, text=f"Ranked {progress.total:,} users; writing the CSV…")
            return
        left = progress.seconds_left()
        bar.progress(0.95 * progress.share(), text=f"Ranking every user's unseen items: {progress.done:,} of "
                     f"{progress.total or users:,} users" + ("" if left is None else f", about {left:.0f} s left"))

    background.run_with_progress(
        lambda progress: cached_exports.recommendation_csv(entry.key, view.model, data.key, inter, n, progress.update,
                                                           0.0 if change is None else float(view.strength), change),
        show, name="mfviz-every-list")
    bar.empty()


def show(view: RecommendView, activity: np.ndarray, link: dict) -> None:
    """The whole mode: pick a user (a click on the map of users picks one too), see their list, the other
    models' lists, their history and where their taste sits."""
    entry, data, inter, model = view.entry, view.data, view.inter, view.model
    n, strength, compared = view.n, view.strength, view.compared
    user, hits, untrained = pick_user(view, activity, link)
    links.show(data, entry, "recommend", compare=compared, user=links.id_list(inter, "user", [user]), n=int(n),
               beta=beta_in_link(strength), hits="1" if hits else None)
    row = inter.matrix[user]
    # The model learned the user from the training part only: a held-out item is no reason for its list.
    trained = entry.train.matrix[user] if entry.train is not None else row
    history = history_table(view, user, row, trained)
    if untrained[user]:  # its vector was never fitted: a list would come of item biases, a random start or index order
        st.info(f"{plain_text(user_named(inter.user_ids[user], capital=True))} has no interaction in {plain_text(entry.name)}'s training part: "
                f"its evaluation split held out all {counted(row.indices.size, 'interaction')} of theirs for "
                "testing, so the model learned nothing of this user's taste and a list would say nothing of it. To see "
                "what it recommends from their history, build a profile from their items (\"a profile I build\"): fold-in "
                "places them without retraining. Users marked \"none in training\" in the list are in this case.",
                icon=":material/info:")
        st.markdown(f"**What {plain_text(user_named(inter.user_ids[user]))} interacted with** ({counted(len(history), 'item')})")
        st.dataframe(history, hide_index=True, width="stretch", column_config=HISTORY_COLUMNS,
                     height=HISTORY_ROW * (min(len(history), HISTORY_ROWS) + 1) + 3)
        ui.stop()
    held = lists.held_out(entry, inter, user) if hits else None  # what counts as a hit
    with ui.guard("Recommending"):
        started = time.perf_counter()
        ids, scores = top_unseen(view, entry, user, hits)
        millis = (time.perf_counter() - started) * 1000
        plain = (model.recommend(np.array([user]), n=int(n), exclude=lists.left_out(entry, inter, hits))[0][0]
                 if strength > 0 else ids)
        reasons = because_of(view, trained.indices, trained.data, ids)
    # The list first, the history under it, each at the page's width: with the history above, a 1,280 × 720
    # projector showed no recommendation without scrolling; side by side, at 1,440 px (980 px of page) the history
    # cut "Empire Strikes Back, The (198" and its genres, the recommendations their genres.
    st.markdown(f"**Recommended by {plain_text(entry.name)}** ({millis:.0f} ms)")
    if len(ids) == 0:
        st.info(f"{plain_text(user_named(inter.user_ids[user], capital=True))} has every item of the data: nothing is left to recommend.",
                icon=":material/info:")
    else:
        user_bias = getattr(model, "user_bias", None)
        with ui.guard("Placing the recommendations on the model's dimensions"):
            table = item_table(view, ids, scores, reasons, lists.taste_coords(entry, user=user),
                               user_bias=0.0 if user_bias is None else float(user_bias[user]))
        if held is not None:
            table.insert(1, HIT, ui.ticks(np.isin(ids, held)))
        st.dataframe(penalised(view, table, ids, plain[plain >= 0]), hide_index=True, width="stretch",
                     column_config=list_columns(table), placeholder=NO_VALUE)  # no reason: "–" (it read "None")
        if held is not None:
            st.markdown(hits_words(view, ids, held, user))
    st.caption(("Items the user already has are never recommended. " if held is None else
                f"Only the items {plain_text(entry.name)} was trained on are left out: the user's held-out items can be "
                "recommended. ") + score_words(view)
               + " Popularity is the item's number of interactions in the data. "
               + reasons_note(view, trained.indices.size) + held_out_note(entry, row.indices.size - trained.indices.size)
               + bias_note(view, ids, scores, trained.indices if held is not None else row.indices)
               + penalty_note(view, ids))
    download_every_list(view, untrained)
    # the other models' lists right under this one's, where a presenter compares them (they came after the
    # dimensions table and the map of users, some 1,300 px further down)
    user_lists_side_by_side(view, user, ids, scores, held, hits)
    st.markdown(f"**What {plain_text(user_named(inter.user_ids[user]))} interacted with** ({counted(len(history), 'item')}, best first"
                + ("; a click on “when” orders them in time)" if "when" in history.columns else ")"))
    st.dataframe(history, hide_index=True, width="stretch", height=HISTORY_ROW * (min(len(history), HISTORY_ROWS) + 1) + 3,
                 column_config=HISTORY_COLUMNS)
    # the items the model learned the taste from (its training part: held-out ones are no part of it)
    taste_profile(view, user_named(inter.user_ids[user], capital=True), trained.indices, ids,
                  "training item" if entry.train is not None else "item")
    users_map(view, user_named(inter.user_ids[user], capital=True), user=user)
