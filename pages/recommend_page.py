"""Recommend page (stakeholder demo): a user's history and recommendations, or a profile built live."""

import time

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import cache, state, ui

ui.header("Recommend", "What would the model suggest? Pick a user to see what they liked and what the model "
          "recommends — or build a taste profile from a few items and watch the recommendations change "
          "instantly, without retraining.")

data = ui.current_data()
inter = data.interactions
top = st.columns([2, 2, 1])
with top[0]:
    entry = ui.model_picker(factor_models_only=False)
mode = top[1].radio("Recommend for", ["a user in the data", "a profile I build"], horizontal=True, key="rec_mode")
n = top[2].number_input("How many", 5, 50, 10, key="rec_n")
others = [name for name in ui.models() if name != entry.name]
compare = st.multiselect(
    "Side by side with", others, key="rec_compare", max_selections=3, placeholder="other models of this session",
    help="Their lists for the same user or profile next to this model's; items in every list are shaded.",
) if others else []
with ui.guard("Reading the data"):
    summary = cache.summary(data.key, inter)
popularity = summary.item_popularity
titles = inter.titles
model = entry.model


COLUMNS = {"title": st.column_config.TextColumn(width="medium"),
           "genres": st.column_config.TextColumn(width="medium"),
           "score": st.column_config.NumberColumn(width="small", format="%.3f"),
           "popularity": st.column_config.NumberColumn(width="small", help="Interactions in the data."),
           "because of": st.column_config.TextColumn(
               width="medium", help="The item of the profile that raises this score most."),
           "adds": st.column_config.NumberColumn(
               width="small", format="%+.3f", help="That item's part of the score (see the note under the table).")}


def because_of(items: np.ndarray, values: np.ndarray | None, targets: np.ndarray) -> tuple[list[str], np.ndarray]:
    """For each target, the profile item adding most to its score and how much (see reasons_note)."""
    if targets.size == 0 or items.size == 0:
        return [""] * targets.size, np.full(targets.size, np.nan)
    contributions = cache.profile_contributions(
        entry.key, model, tuple(items.tolist()), None if values is None else tuple(values.tolist()),
        tuple(targets.tolist()))
    labels, adds = [], np.full(targets.size, np.nan)
    for t, row in enumerate(contributions):
        best = int(np.nanargmax(row)) if not np.isnan(row).all() else -1
        # Below display precision it is no reason at all (the Popularity baseline: every profile alike).
        if best >= 0 and row[best] >= 0.0005:
            labels.append(str(titles[items[best]]))
            adds[t] = row[best]
        else:
            labels.append("—")
    return labels, adds


def reasons_note(profile_size: int) -> str:
    """How the "because of" column was worked out, for the caption under the table."""
    if hasattr(model, "score_contributions"):
        how = ("this model folds a profile in by one linear solve, so the personal part of a score (the user "
               "vector times the item's) splits exactly into one part per profile item, and the parts add up to "
               "it (Hu, Koren & Volinsky 2008); \"because of\" names the item with the largest part and "
               "\"adds\" gives it.")
    else:
        considered = (f" (the 100 of {profile_size} items most like these recommendations)"
                      if profile_size > 100 else "")
        how = (f"\"because of\" folds the profile in again without one item at a time{considered} and names the "
               "item whose absence lowers the personal part of the score (the user vector times the item's) "
               "most; \"adds\" is by how much.")
    if getattr(model, "user_bias", None) is not None:
        how += " The user's bias lifts every item alike, so it is no reason and is left out."
    return "Why: " + how


def taste_profile(who: str, user: int | None = None, vector: np.ndarray | None = None) -> None:
    """Where a user of the data, or a user vector (a folded-in profile), sits on the model's strongest
    dimensions, against the data's users."""
    if entry.kind == "popularity":  # no latent space
        return
    with ui.guard("Placing the taste on the model's dimensions"):
        dims = cache.dimensions(entry.key, model)
        coords = dims.user_coords[user] if user is not None else dims.place(vector)[0]
        percentiles = dims.percentiles(coords)[0]
    ui.dimension_profile(entry, data, who, {"where this taste sits": (
        percentiles, "Share of the data's users (%) whose taste leans less far toward the + end: 50 = a typical "
                     "user, near 0 or 100 = far toward one end. Leaning is by direction (the coordinate over the "
                     "vector's length), so a profile of three items compares with users of hundreds.")},
        "A score is the sum over the model's dimensions of the user's coordinate times the item's, so a taste far "
        "toward one end of a strong dimension pulls the recommendations toward the items at that end.")


def item_table(items: np.ndarray, scores: np.ndarray | None = None,
               reasons: tuple[list[str], np.ndarray] | None = None) -> pd.DataFrame:
    """Title first, then why and how strongly, popularity, and genres last (a narrow table cuts them)."""
    items = np.asarray(items, np.int64)
    frame = pd.DataFrame({"title": titles[items]})
    if reasons is not None:
        frame["because of"], frame["adds"] = reasons[0], np.round(reasons[1], 3)
    if scores is not None:
        frame["score"] = np.round(scores, 3)
    frame["popularity"] = popularity[items]
    if "genres" in inter.items.columns:
        frame["genres"] = [", ".join(map(str, g)) if isinstance(g, list | np.ndarray) else str(g)
                           for g in inter.items["genres"].to_numpy()[items]]
    return frame


def top_unseen(recommender, user: int) -> tuple[np.ndarray, np.ndarray]:
    """A user's top-n items by a model, leaving out everything the user has in the data (a model
    trained on a split only knows its training part)."""
    ids, scores = recommender.recommend(np.array([user]), n=int(n), exclude=inter.matrix)
    keep = ids[0] >= 0
    return ids[0][keep], scores[0][keep]


if mode == "a user in the data":
    activity = summary.user_activity
    candidates = np.argsort(-activity, kind="stable")
    user = st.selectbox("User", candidates.tolist(), index=min(len(candidates) - 1, len(candidates) // 3),
                        key="rec_user", format_func=lambda u: f"user {inter.user_ids[u]} · {activity[u]:,} interactions")
    row = inter.matrix[user]
    history = item_table(row.indices, None)
    history.insert(1, "rating" if inter.is_explicit else "value", row.data)
    history = history.sort_values(history.columns[1], ascending=False)
    with ui.guard("Recommending"):
        started = time.perf_counter()
        ids, scores = top_unseen(model, user)
        millis = (time.perf_counter() - started) * 1000
        reasons = because_of(row.indices, row.data, ids)
    left, right = st.columns([1, 2])
    with left:
        st.markdown(f"**What user {inter.user_ids[user]} interacted with** ({len(history):,} items, best first)")
        st.dataframe(history, hide_index=True, width="stretch", height=420,
                     column_config=COLUMNS)
    with right:
        st.markdown(f"**Recommended by {entry.name}** ({millis:.0f} ms)")
        st.dataframe(item_table(ids, scores, reasons), hide_index=True, width="stretch", column_config=COLUMNS)
    st.caption("Items the user already has are never recommended. The score is the model's preference "
               "(higher = stronger); popularity is the item's number of interactions in the data. "
               + reasons_note(row.indices.size))
    st.download_button(f"Download every user's top {int(n)} by {entry.name} (CSV)",
                       lambda: cache.recommendation_csv(entry.key, model, data.key, inter, int(n)),
                       file_name=f"recommendations_top{int(n)}.csv", mime="text/csv", key="rec_csv",
                       on_click="ignore", help="One row per user and rank: user_id, rank, item_id, title, score; "
                       "items the user has in the data are left out.")
    taste_profile(f"User {inter.user_ids[user]}", user=user)
    if compare:
        with ui.guard("Recommending with the other models"):
            ui.side_by_side({entry.name: ids} | {name: top_unseen(ui.models()[name].model, user)[0]
                                                 for name in compare}, titles, popularity, int(n))
else:
    order = np.argsort(-popularity, kind="stable")
    options = order[:20_000].tolist()  # the most popular items; enough to build any demo profile
    default = st.session_state.get(state.PROFILE) or options[:0]
    picked = st.multiselect("Items this person likes", options, default=[i for i in default if i in options],
                            key="rec_profile", format_func=lambda i: f"{titles[i]}",
                            placeholder="Type a title and pick a few items…")
    st.session_state[state.PROFILE] = picked
    if not picked:
        st.info("Pick two or three items above; recommendations appear at once, computed by folding the "
                "profile into the trained model (no retraining).", icon="👆")
    else:
        values = None
        if inter.is_explicit:
            liked = st.select_slider("How much they liked them (stars)", [1.0, 2.0, 3.0, 4.0, 5.0], 5.0,
                                     key="rec_stars")
            values = np.full(len(picked), liked, np.float32)
        with ui.guard("Folding in the profile"):
            from mfviz.analysis import recommend_for_profile

            profile = np.array(picked, np.int64)
            started = time.perf_counter()
            vector = model.fold_in(profile, values)  # once: for the list and for the taste profile below
            ids, scores = model.recommend_for_vector(vector, n=int(n), exclude=profile.tolist())
            millis = (time.perf_counter() - started) * 1000
            ids, scores = np.asarray(ids), np.asarray(scores)
            keep = ids >= 0
            reasons = because_of(profile, values, ids[keep])
        left, right = st.columns([1, 2])
        with left:
            st.markdown("**The profile**")
            st.dataframe(item_table(np.array(picked)), hide_index=True, width="stretch", column_config=COLUMNS)
        with right:
            st.markdown(f"**Recommended by {entry.name}** (fold-in: {millis:.0f} ms)")
            st.dataframe(item_table(ids[keep], scores[keep], reasons), hide_index=True, width="stretch",
                         column_config=COLUMNS)
        st.caption("Fold-in solves for the vector of a new user who liked these items, with the item vectors "
                   "frozen, then ranks every item by it: this is how a live service treats a new visitor. "
                   + reasons_note(len(picked)))
        taste_profile("This profile", vector=vector)
        if compare:
            with ui.guard("Folding the profile into the other models"):
                lists = {entry.name: ids[keep]}
                for name in compare:
                    other_ids, _ = recommend_for_profile(ui.models()[name].model, profile, values, n=int(n))
                    lists[name] = np.asarray(other_ids)[np.asarray(other_ids) >= 0]
                ui.side_by_side(lists, titles, popularity, int(n))
