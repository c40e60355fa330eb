"""The Recommend page's profile built live: liked and disliked items (with their ratings, on rating data)
folded into the model without retraining, the list it gets and why, beside other models' lists."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import cached_models, compared_lists, links, lists, pickers, state, ui
from mfviz.dashboard.plain import plain as plain_text  # `plain` names a list here
from mfviz.dashboard.recommend_compare import side_list
from mfviz.dashboard.recommend_reasons import (
    because_of,
    bias_note,
    penalty_note,
    reasons_note,
    score_words,
)
from mfviz.dashboard.recommend_tables import COLUMNS, item_table, list_columns, penalised
from mfviz.dashboard.recommend_taste import taste_profile, users_map
from mfviz.dashboard.recommend_view import (
    RecommendView,
    beta_in_link,
    penalty_for,
    predicts_ratings,
    stars,
)
from mfviz.dashboard.state import ModelEntry
from mfviz.dashboard.training import NO_VALUE
from mfviz.dashboard.untrained import MARK as NONE_IN_TRAINING

PROFILE_RATINGS = "mfviz.profile_ratings"  # {item index: rating} set on the Recommend page for one profile item
DISLIKES = "mfviz.profile_dislikes"  # item indices the profile dislikes (rated the scale's lowest)


def never_trained(view: RecommendView, recommender: ModelEntry) -> np.ndarray:
    """Which items (a bool per item) the model never trained on, so that a profile leaves them out: their vectors
    were never fitted (zero), and a profile of them alone folded in to a zero vector, whose list was the catalogue
    in index order. No item for the Popularity baseline, whose list no profile changes."""
    model = recommender.model
    if not getattr(model, "personal", True):
        return np.zeros(view.inter.n_items, bool)
    never = cached_models.untrained_items(recommender.key, model)
    if getattr(model, "zero_row_unknown", False):
        # factors from elsewhere (Spark) give the data's ids they lack a zero vector: fold-in left them out with a
        # warning no page showed, and the list did not say so
        never = never | ~np.asarray(model.item_factors).any(axis=1)
    return never


def why_never(recommender: ModelEntry, split_words: str) -> str:
    """Why the model knows nothing of an item, in parentheses after "never trained on": `split_words` (its evaluation
    split held out the item's interactions) for a model trained here, another reason for factors trained elsewhere."""
    if getattr(recommender.model, "zero_row_unknown", False):
        return "its factors, trained elsewhere, have no vector for them"
    return split_words


def fold(view: RecommendView, recommender: ModelEntry, profile: np.ndarray, values):
    """A model's vector for the profile (None when nothing is left to fold in), what it was folded in
    from and the profile's own bias: (vector, items, their ratings, the disliked items folded in as such,
    bias or None). Items the model never trained on are left out (`never_trained`). A model fitted to predict
    ratings takes every item with its rating (and solves for the
    bias with the vector, which its predicted ratings need); implicit ALS takes the items rated the scale's lowest as
    dislikes (observed preference 0, `fold_in_disliking`); any other model leaves them out, a rating
    being a strength of interest to it (a 1 would pull it toward the item)."""
    model, none = recommender.model, np.zeros(0, np.int64)
    known = ~never_trained(view, recommender)[profile]
    profile, values = profile[known], None if values is None else np.asarray(values)[known]
    if profile.size == 0:
        return None, profile, values, none, None
    if values is not None and predicts_ratings(recommender):
        vector, bias = model.fold_in(profile, values, return_bias=True)
        return vector, profile, values, none, bias
    if values is None:
        return model.fold_in(profile, values), profile, values, none, None
    low = np.asarray(values) <= view.scale[0]
    items, kept, disliked = profile[~low], np.asarray(values)[~low], profile[low]
    if items.size == 0:
        return None, items, kept, none, None
    if disliked.size and hasattr(model, "fold_in_disliking"):
        return model.fold_in_disliking(items, kept, disliked), items, kept, disliked, None
    return model.fold_in(items, kept), items, kept, none, None


def not_folded_words(view: RecommendView, recommender: ModelEntry, profile: np.ndarray) -> str:
    """Why a model compared side by side folds nothing of the profile in (`fold` gives it no vector), for the
    caption that stands in for its list: every item of the profile is one it never trained on (a split of its
    own held them out), or those it trained on are dislikes, which a model of choices learns nothing from."""
    never = never_trained(view, recommender)[np.asarray(profile, np.int64)]
    if never.all():
        return (f"{plain_text(recommender.name)}, which never trained on any item of this profile ("
                + why_never(recommender, "its evaluation split held out all their interactions")
                + "), so their vectors were never fitted and the profile would fold in to a zero vector, whose list "
                "says nothing of this taste")
    return (f"{plain_text(recommender.name)}, which learns only from what people chose, and "
            + ("the items of this profile it trained on are" if never.any() else "this profile's items are")
            + " all dislikes, which tell it nothing")


def dislikes_note(recommender: ModelEntry, count: int) -> str:
    """What became of the disliked items, for the caption."""
    if count == 0:
        return ""
    items = f"{count} disliked item{'s are' if count != 1 else ' is'}"
    if predicts_ratings(recommender):
        return (f" The {items} folded in with the lowest rating, so {plain_text(recommender.name)} moves away from "
                f"{'them' if count != 1 else 'it'}: \"unlike X (disliked)\" marks a recommendation that owes most to "
                "that.")
    if hasattr(recommender.model, "fold_in_disliking"):
        return (f" {plain_text(recommender.name)} learns from what people chose, so the {items} folded in as "
                "surely unwanted (an observed preference 0, held as firmly as the strongest like), which turns the "
                f"profile's vector away from {'them' if count != 1 else 'it'}: {'their' if count != 1 else 'its'} "
                f"scores fall, and less so those of items like {'them' if count != 1 else 'it'}; an item the likes "
                "pull strongly toward can stay high (not a filter: leave it out of the profile to never see it).")
    return (f" {plain_text(recommender.name)} learns only from what people chose (a rating is a strength of interest), so the "
            f"{items} left out of the profile it folds in, and never recommended; Funk SVD, SVD++, ALS or "
            "implicit ALS would turn away from them.")


def for_profile(view: RecommendView, recommender: ModelEntry, profile: np.ndarray, values, vector=None):
    """A model's list for the profile, its items left out; `vector` when already folded in."""
    if vector is None:
        vector = fold(view, recommender, profile, values)[0]
        if vector is None:
            return np.zeros(0, np.int64), np.zeros(0)
    return lists.for_profile(recommender, profile, values, view.n, penalty_for(view, recommender), vector)


def profile_table(view: RecommendView, picked: np.ndarray) -> pd.DataFrame:
    """The profile's items as a table, those the model never trained on marked as the pickers mark them: they are
    left out of its fold-in, which the table, unmarked, did not show."""
    table = item_table(view, picked)
    unknown = never_trained(view, view.entry)[np.asarray(picked, np.int64)]
    table["title"] = [f"{title}{NONE_IN_TRAINING}" if never else title
                      for title, never in zip(table["title"].tolist(), unknown.tolist(), strict=True)]
    return table


def profile_ratings(view: RecommendView, picked: np.ndarray, liked: float, scale: list[float], disliked=()) -> np.ndarray:
    """The profile's table with a rating per item, editable: an item keeps the rating set for it alone
    (a profile of loved and hated items), the others take `liked`, or the scale's lowest when they are
    among the `disliked`. Returns the ratings in `picked`'s order."""
    own = st.session_state.setdefault(PROFILE_RATINGS, {})  # item index -> a rating set for it alone
    defaults = [scale[0] if int(i) in disliked else liked for i in picked]
    table = profile_table(view, picked)
    table.insert(1, "rating", [own.get(int(i), d) for i, d in zip(picked, defaults, strict=True)])
    # the editor's edits are kept by row position: a new key whenever the rows or the default change
    key = "rec_ratings_" + hashlib.sha1(repr((picked.tolist(), liked, sorted(disliked))).encode()).hexdigest()[:10]
    edited = st.data_editor(table, hide_index=True, width="stretch", key=key,
                            disabled=[c for c in table.columns if c != "rating"],
                            column_config=COLUMNS | {"rating": st.column_config.NumberColumn(
                                width=80, min_value=scale[0], max_value=scale[-1], required=True,
                                help="This item's rating in the profile: double-click to change it.")})
    ratings = edited["rating"].to_numpy(np.float32)
    for item, rating, default in zip(picked.tolist(), ratings.tolist(), defaults, strict=True):
        if rating != default:
            own[item] = rating
        else:
            own.pop(item, None)
    kept = sum(int(i) in own and int(i) not in disliked for i in picked)
    if kept:  # the slider above reads one rating; say it is not every liked item's
        st.caption(f"{kept} of the liked items {'has its' if kept == 1 else 'have their'} own rating here, which the "
                   "rating of the liked items above does not change.")
    return ratings


def open_from_link(inter, chosen: list[int], ratings: list[float] | None, scale: list[float] | None) -> None:
    """Make the profile the items of a link just opened (before the pickers are drawn), each with the link's
    rating; those it rates the scale's lowest open as dislikes."""
    lowest = [i for i, r in zip(chosen, ratings or [], strict=False) if r <= scale[0]]
    st.session_state[state.PROFILE] = [i for i in chosen if i not in lowest]
    st.session_state[DISLIKES] = lowest  # items the link rates lowest open as dislikes, as they were sent
    for key in ("rec_profile", "rec_dislikes"):
        st.session_state.pop(key, None)  # the pickers start again from the profile
    # Each item's own rating as the link has it; without ratings= every item has the top rating, the one a new
    # session's slider starts on, whatever this session's slider says (the link was written so). The editor's
    # edits, kept by row position, would otherwise be laid over them.
    if inter.is_explicit:
        st.session_state[PROFILE_RATINGS] = dict(zip(chosen, ratings or [scale[-1]] * len(chosen),
                                                     strict=True))
    for key in [key for key in st.session_state if str(key).startswith("rec_ratings_")]:
        del st.session_state[key]


def show(view: RecommendView) -> None:
    """The whole mode: pick the liked (and disliked) items, rate them, see the list folded in from them."""
    entry, data, inter, model, titles = view.entry, view.data, view.inter, view.model, view.titles
    popularity, n, strength, compare, compared = view.popularity, view.n, view.strength, view.compare, view.compared
    order = np.argsort(-popularity, kind="stable")
    unknown = never_trained(view, entry)  # marked in the pickers, left out of the fold-in
    marked = lambda i: f"{titles[i]}" + (NONE_IN_TRAINING if unknown[i] else "")  # noqa: E731
    # the profile's items are rows of the data: they move with it when the Data page changes it
    for kept, said_by in ((state.PROFILE, "rec_profile"), (DISLIKES, "rec_dislikes"),
                          (PROFILE_RATINGS, "rec_profile")):
        pickers.follow(kept, "item", said_by)
    if "rec_profile" not in st.session_state:  # the profile kept while on other modes or pages
        st.session_state["rec_profile"] = list(st.session_state.get(state.PROFILE) or [])
    # the rating of the liked items beside the boxes (a row of its own pushed the list below a 1,280 × 720 screen)
    rating_box = None
    if inter.is_explicit:  # on ratings a profile can dislike too: its items get the scale's lowest rating
        # the likes widest: a profile is mostly likes, and their box wraps one title a line (ui.PAGE_STYLE)
        like_box, dislike_box, rating_box = st.columns([2.8, 1.6, 1.4])
        if "rec_dislikes" not in st.session_state:
            st.session_state["rec_dislikes"] = list(st.session_state.get(DISLIKES) or [])
        disliked = pickers.pick_many(dislike_box, f"…and dislikes (rated {view.scale[0]:g})", "item", order,
                                     inter, "rec_dislikes", marked,
                                     placeholder="Type a title: items this person hates…",
                                     help="Folded in with the lowest rating of the data, for the models that predict "
                                          "ratings; the others learn only from what people chose, so they leave these "
                                          "out of the profile (and never recommend them).")
    else:
        like_box, disliked = st, []
        if set_aside := [i for i in st.session_state.get(DISLIKES) or () if 0 <= i < inter.n_items]:
            # the data became implicit feedback (Prepare: binarise, or "implicit feedback") under a profile
            st.info(f"The profile's dislikes ({', '.join(plain_text(titles[i]) for i in set_aside)}) are set aside: the data "
                    "is implicit feedback now, without ratings to give them, so a profile holds what the person chose "
                    "only (and a disliked item may be recommended).", icon=":material/info:")
    st.session_state[DISLIKES] = disliked
    liked_items = pickers.pick_many(like_box, "Items this person likes", "item", order, inter, "rec_profile",
                                    marked, placeholder="Type a title and pick a few items…")
    st.session_state[state.PROFILE] = liked_items
    if both := [i for i in liked_items if i in disliked]:
        st.warning(f"Liked and disliked at once: {', '.join(plain_text(titles[i]) for i in both)}; counted as disliked. "
                   "Take it out of one of the two boxes.", icon=":material/warning:")
    picked = [i for i in liked_items if i not in disliked] + list(disliked)
    if not picked:
        links.show(data, entry, "recommend", compare=compared, n=int(n), beta=beta_in_link(strength))
        st.info("Pick two or three items above; recommendations appear at once, computed by folding the "
                "profile into the trained model (no retraining).", icon=":material/touch_app:")
    else:
        values = None
        if inter.is_explicit:
            scale = view.scale
            # Through the session state, not a `value=` beside it: it is kept across pages and in a workspace file
            # (workspace.PAGE_WIDGETS), and a widget given both made Streamlit warn; one of other data starts anew.
            if st.session_state.get("rec_stars") not in scale:
                st.session_state["rec_stars"] = scale[-1]
            liked = rating_box.select_slider("Their rating of the liked items", scale, key="rec_stars",
                                     help="Every item of the profile gets this rating, unless you change its own in "
                                          "the profile table below (double-click its rating).")
        # The list above the profile table, which it needs (a rating edited there folds in anew): with the table
        # first, a profile of three items on a 1,280 × 720 projector showed no recommendation without scrolling.
        # One above the other at the page's width, as for a user (side by side they cut the genres).
        recommended = st.container()
        st.markdown("**The profile**")
        if inter.is_explicit:
            values = profile_ratings(view, np.array(picked), liked, scale, set(disliked))
        else:
            st.dataframe(profile_table(view, np.array(picked)), hide_index=True, width="stretch", column_config=COLUMNS)
        # the link carries each item's rating where one differs from the rating a link's items open with
        links.show(data, entry, "recommend", compare=compared, items=links.id_list(inter, "item", picked),
                   ratings=links.rating_list(values, scale[-1]) if values is not None else None, n=int(n),
                   beta=beta_in_link(strength))
        profile = np.array(picked, np.int64)
        strangers = profile[unknown[profile]]  # what the model never trained on: left out of the fold-in
        named = ", ".join(plain_text(titles[i]) for i in strangers)
        if strangers.size == profile.size:  # folded in, a zero vector: its list was the catalogue in index order
            recommended.info(
                f"{plain_text(entry.name)} never trained on any item of this profile ({named}): none of their interactions is in "
                f"its training part ({why_never(entry, 'its evaluation split held them all out')}), so their vectors "
                "were never fitted and "
                "the profile would fold in to a zero vector, whose list says nothing of this taste. Add items it was "
                "trained on: those not marked “none in training” in the list.", icon=":material/info:")
            ui.stop()
        with ui.guard("Folding in the profile"):
            started = time.perf_counter()
            # once: for the list and for the taste profile below
            vector, folded, folded_values, negatives, profile_bias = fold(view, entry, profile, values)
            if vector is None:
                st.info(f"{plain_text(entry.name)} learns only from what people chose, so a profile of dislikes alone tells it "
                        "nothing: add an item this person likes.", icon=":material/info:")
                ui.stop()
            ids, scores = for_profile(view, entry, profile, values, vector)
            millis = (time.perf_counter() - started) * 1000
            plain = (np.asarray(model.recommend_for_vector(vector, n=int(n), exclude=profile.tolist())[0])
                     if strength > 0 else ids)
            reasons = because_of(view, folded, folded_values, ids, set(disliked), negatives)
        took = f"{millis:.0f} ms" if millis >= 10 else f"{millis:.1f} ms" if millis >= 0.1 else "under 0.1 ms"
        # the profile's own bias, for the predicted ratings (solved with its vector)
        user_bias = profile_bias if stars(view, np.zeros(0), 0.0) is not None else None
        with ui.guard("Placing the recommendations on the model's dimensions"):
            table = item_table(view, ids, scores, reasons, lists.taste_coords(entry, vector=vector), user_bias=user_bias)
        recommended.markdown(f"**Recommended by {plain_text(entry.name)}** (fold-in and ranking: {took})")
        with recommended:
            st.dataframe(penalised(view, table, ids, plain[plain >= 0]), hide_index=True, width="stretch",
                         column_config=list_columns(table), placeholder=NO_VALUE)
        recommended.caption("Fold-in finds the vector of a new user who liked these items, with the item vectors frozen "
                            f"({getattr(model, 'fold_in_how', 'a ridge regression on the item vectors')}), then ranks every "
                            "item by it: this is how a live service treats a new visitor. " + score_words(view) + " "
                            + reasons_note(view, len(picked), built=True) + dislikes_note(entry, len(disliked))
                            + (f" Left out of the fold-in: {named}, which {plain_text(entry.name)} never trained on (none of "
                               f"{'their' if strangers.size > 1 else 'its'} interactions in its training part), so "
                               f"{'their vectors were' if strangers.size > 1 else 'its vector was'} never fitted and "
                               "would move nothing (“none in training” in the list)." if strangers.size else "")
                            + bias_note(view, ids, scores, profile) + penalty_note(view, ids))
        if compare:  # right under this model's list, as for a user (above the profile's table)
            with recommended, ui.guard("Folding the profile into the other models"):
                # not `lists`: that names a module this function calls (its AttributeError was shown)
                side_lists, unfolded, partly = {entry.name: side_list(view, entry, ids, scores)}, [], []
                elsewhere = False  # whether one of them is factors trained elsewhere, which left out items it has no vector for
                for name in compare:
                    other = ui.models()[name]
                    other_vector = fold(view, other, profile, values)[0]
                    if other_vector is None:  # nothing of the profile it can fold in: its empty list said nothing
                        unfolded.append(not_folded_words(view, other, profile))
                        continue
                    side_lists[name] = side_list(view, other, *for_profile(view, other, profile, values, other_vector))
                    # as the shown model's caption says of it: a split of its own may have held out some items
                    if (skipped := profile[never_trained(view, other)[profile]]).size:
                        partly.append(f"{plain_text(name)} left out {', '.join(plain_text(titles[i]) for i in skipped)}")
                        elsewhere = elsewhere or why_never(other, "") != ""
                if len(side_lists) > 1:
                    compared_lists.side_by_side(side_lists, titles, popularity, int(n),
                                                score_help=COLUMNS["score"]["help"])
                if partly:
                    st.caption("Left out of the fold-in side by side: " + "; ".join(partly) + ": items that model never "
                               "trained on (its evaluation split held out all their interactions"
                               + (", or its factors, trained elsewhere, have no vector for them" if elsewhere else "")
                               + "), so their vectors were never fitted and would move nothing; its list is of the rest "
                               "of the profile.")
                if unfolded:
                    st.caption("Not side by side: " + "; ".join(unfolded) + ".")
        trained_on = profile[~unknown[profile]]  # the items the taste was folded in from
        taste_profile(view, "This profile", np.setdiff1d(trained_on, np.asarray(disliked, np.int64)), ids, "liked item")
        users_map(view, "This profile", vector=vector, profile=trained_on)
