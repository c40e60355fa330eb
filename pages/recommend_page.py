"""Recommend page (stakeholder demo): a user's history and recommendations, or a profile built live."""

import hashlib
import time

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import (
    cache,
    figures,
    links,
    lists,
    map_points,
    pickers,
    state,
    ui,
)
from mfviz.dashboard.figures import counted
from mfviz.dashboard.recommend_compare import side_list, user_lists_side_by_side
from mfviz.dashboard.recommend_reasons import (
    because_of,
    bias_note,
    penalty_note,
    reasons_note,
    score_words,
)
from mfviz.dashboard.recommend_tables import (
    COLUMNS,
    HISTORY_COLUMNS,
    HISTORY_ROW,
    HISTORY_ROWS,
    HIT,
    item_table,
    list_columns,
    penalised,
)
from mfviz.dashboard.recommend_taste import taste_profile, users_map
from mfviz.dashboard.recommend_view import (
    RecommendView,
    penalty_for,
    predicts_ratings,
    rating_scale,
    stars,
    top_unseen,
    view_beta,
)
from mfviz.dashboard.training import NO_VALUE
from mfviz.dashboard.untrained import MARK as NONE_IN_TRAINING
from mfviz.data.id_lists import join_ids, user_named
from mfviz.models.sanity import untrained_users

ui.header("Recommend", "What would the model suggest? Pick a user to see what they liked and what the model "
          "recommends — or build a taste profile from a few items and watch the recommendations change "
          "instantly, without retraining; or add a new item and see whose recommendations it would enter.")

data = ui.current_data()
inter = data.interactions
MODES = ["a user in the data", "a profile I build", "a new item (who gets it)"]
PROFILE_RATINGS = "mfviz.profile_ratings"  # {item index: rating} set on the Recommend page for one profile item
DISLIKES = "mfviz.profile_dislikes"  # item indices the profile dislikes (rated the scale's lowest)
SHOWN_BEFORE = "mfviz.rec_shown_before"  # the model shown on the last run, for the side-by-side choice's swap


with ui.guard("Reading the data"):
    summary = cache.summary(data.key, inter)  # once per run: a cache hit still unpickles its arrays
SCALE = rating_scale(summary) if inter.is_explicit else None  # the profile's ratings
link = links.opened(data, "recommend")  # a link to this page names the model and a user, or the items of a profile
# (ratings= alone is a hand-edited address: the ratings of the items it already lists)
LINKED = ("user", "items", "ratings", "fans", "n", "beta", "hits", "compare")  # this page's link parameters
links.take_compared(link, "rec_compare", LINKED)
links.pick_model(link, data, factor_models_only=False)
if "user" in link and (chosen := links.indices(inter, "user", link["user"])):
    st.session_state["rec_mode"], st.session_state["rec_user"] = MODES[0], chosen[0]
elif (listed := link.get("items", st.query_params.get("items") if "ratings" in link else None)) and (
        rated := links.rated_items(inter, listed, link.get("ratings"),
                                   (SCALE[0], SCALE[-1]) if SCALE else None))[0]:
    chosen, ratings = rated
    lowest = [i for i, r in zip(chosen, ratings or [], strict=False) if r <= SCALE[0]]
    st.session_state["rec_mode"], st.session_state[state.PROFILE] = MODES[1], [i for i in chosen if i not in lowest]
    st.session_state[DISLIKES] = lowest  # items the link rates lowest open as dislikes, as they were sent
    for key in ("rec_profile", "rec_dislikes"):
        st.session_state.pop(key, None)  # the pickers start again from the profile
    # Each item's own rating as the link has it; without ratings= every item has the top rating, the one a new
    # session's slider starts on, whatever this session's slider says (the link was written so). The editor's
    # edits, kept by row position, would otherwise be laid over them.
    if inter.is_explicit:
        st.session_state[PROFILE_RATINGS] = dict(zip(chosen, ratings or [SCALE[-1]] * len(chosen),
                                                     strict=True))
    for key in [key for key in st.session_state if str(key).startswith("rec_ratings_")]:
        del st.session_state[key]
elif "fans" in link and (chosen := links.indices(inter, "item", link["fans"])):
    st.session_state["rec_mode"], st.session_state["rec_new_from"] = MODES[2], chosen
top = st.columns([2, 2, 1, 1.4])
with top[0]:
    entry = ui.model_picker(factor_models_only=False)
mode = top[1].radio("Recommend for", MODES,
                    horizontal=True, key="rec_mode",
                    help="A new item: the model has never seen it; its first users place it (fold-in, no "
                         "retraining), and you see whose lists it would enter.")
links.number(link, "n", "rec_n", 5, 50, 10)
if links.left_out(link, "beta", LINKED):  # a link without β was made on the model's own lists, whatever β this session had
    st.session_state["rec_penalty"] = 0.0
links.number(link, "beta", "rec_penalty", 0.0, 1.5, 0.0)
n = top[2].number_input("How many", 5, 50, key="rec_n")
strength = top[3].slider(
    "Popularity penalty β", 0.0, 1.5, step=0.05, key="rec_penalty",
    disabled=entry.kind == "popularity" or mode == MODES[2],
    help="0 = the model's own lists. Above 0, every score is lowered by β × the spread of the model's scores × how "
         "far the item's log popularity lies above the catalogue's mean (in standard deviations), so rarer items "
         "move up among the model's own 10·n best (a strong penalty gives the least popular items the model finds "
         "relevant, never the catalogue's unknowns); the same for every list on this page. Popularity bias page, last tab: what it costs in accuracy "
         "(there popularity is counted on the training part of a split, here on all the data).")
others = [name for name in ui.models() if name != entry.name]
# A model chosen to be shown that was side by side swaps places with the one shown before (it vanished from the
# choice, and the model just shown with it).
if (compared_now := st.session_state.get("rec_compare") or []) != (
        swapped := lists.swap_compared(compared_now, entry.name, st.session_state.get(SHOWN_BEFORE), others)):
    st.session_state["rec_compare"] = swapped
st.session_state[SHOWN_BEFORE] = entry.name
links.keep_compared("rec_compare", others)
compare = st.multiselect(
    "Side by side with", others, key="rec_compare", max_selections=links.MAX_COMPARED, placeholder="other models of this session",
    help="Their lists for the same user or profile next to this model's; items in every list are shaded.",
) if others else []
compared = join_ids(compare) or None  # the side-by-side models, as the page's link carries them
popularity = summary.item_popularity
titles = inter.titles
model = entry.model
view = RecommendView(entry, data, popularity, int(n), float(strength), SCALE, compare)


def held_out_note(held_out: int) -> str:
    """Why the held-out items of a user's history are never "because of", for the caption."""
    if held_out == 0:
        return ""
    return (f" The {held_out:,} item{'s' if held_out != 1 else ''} marked \"held out\" in the history "
            f"{'were' if held_out != 1 else 'was'} kept for testing {entry.name}: it never saw "
            f"{'them' if held_out != 1 else 'it'}, so {'they are' if held_out != 1 else 'it is'} no reason.")


def hits_words(ids: np.ndarray, held: np.ndarray, user: int) -> str:
    """How many of the user's held-out items the list hits, as precision and recall for this one user."""
    found, k = int(np.isin(ids, held).sum()), len(ids)
    if held.size == 0:
        return (f"**Hits: none to find.** {user_named(inter.user_ids[user], capital=True)} has no item held out of {entry.name}'s "
                "training (all their items were in its training part).")
    return (f"**Hits: {found} of these {k}** are among the {counted(held.size, 'item')} "
            f"{user_named(inter.user_ids[user])} has that {entry.name} never saw in training (\"held out\" in the history): "
            f"precision@{k} = {found / k:.2f} and recall@{k} = {found}/{held.size} = {found / held.size:.2f} for "
            f"this one user. The Train page's precision@k and recall@k are these averaged over the test users (at "
            "most 20,000 of them)"
            + (", for lists without a popularity penalty" if penalty_for(view, entry) is not None else "")
            + ("; a held-out item counts whatever its rating, as there" if inter.is_explicit else "") + ".")


def never_trained(recommender: state.ModelEntry) -> np.ndarray:
    """Which items (a bool per item) the model never trained on, so that a profile leaves them out: their vectors
    were never fitted (zero), and a profile of them alone folded in to a zero vector, whose list was the catalogue
    in index order. No item for the Popularity baseline, whose list no profile changes."""
    if not getattr(recommender.model, "personal", True):
        return np.zeros(inter.n_items, bool)
    return cache.untrained_items(recommender.key, recommender.model)


def fold(recommender: state.ModelEntry, profile: np.ndarray, values):
    """A model's vector for the profile (None when nothing is left to fold in), what it was folded in
    from and the profile's own bias: (vector, items, their ratings, the disliked items folded in as such,
    bias or None). Items the model never trained on are left out (`never_trained`). A model fitted to predict
    ratings takes every item with its rating (and solves for the
    bias with the vector, which its predicted ratings need); implicit ALS takes the items rated the scale's lowest as
    dislikes (observed preference 0, `fold_in_disliking`); any other model leaves them out, a rating
    being a strength of interest to it (a 1 would pull it toward the item)."""
    model, none = recommender.model, np.zeros(0, np.int64)
    known = ~never_trained(recommender)[profile]
    profile, values = profile[known], None if values is None else np.asarray(values)[known]
    if profile.size == 0:
        return None, profile, values, none, None
    if values is not None and predicts_ratings(recommender):
        vector, bias = model.fold_in(profile, values, return_bias=True)
        return vector, profile, values, none, bias
    if values is None:
        return model.fold_in(profile, values), profile, values, none, None
    low = np.asarray(values) <= SCALE[0]
    items, kept, disliked = profile[~low], np.asarray(values)[~low], profile[low]
    if items.size == 0:
        return None, items, kept, none, None
    if disliked.size and hasattr(model, "fold_in_disliking"):
        return model.fold_in_disliking(items, kept, disliked), items, kept, disliked, None
    return model.fold_in(items, kept), items, kept, none, None


def not_folded_words(recommender: state.ModelEntry, profile: np.ndarray) -> str:
    """Why a model compared side by side folds nothing of the profile in (`fold` gives it no vector), for the
    caption that stands in for its list: every item of the profile is one it never trained on (a split of its
    own held them out), or those it trained on are dislikes, which a model of choices learns nothing from."""
    never = never_trained(recommender)[np.asarray(profile, np.int64)]
    if never.all():
        return (f"{recommender.name}, which never trained on any item of this profile (its evaluation split held out "
                "all their interactions), so their vectors were never fitted and the profile would fold in to a zero "
                "vector, whose list says nothing of this taste")
    return (f"{recommender.name}, which learns only from what people chose, and "
            + ("the items of this profile it trained on are" if never.any() else "this profile's items are")
            + " all dislikes, which tell it nothing")


def dislikes_note(recommender: state.ModelEntry, count: int) -> str:
    """What became of the disliked items, for the caption."""
    if count == 0:
        return ""
    items = f"{count} disliked item{'s are' if count != 1 else ' is'}"
    if predicts_ratings(recommender):
        return (f" The {items} folded in with the lowest rating, so {recommender.name} moves away from "
                f"{'them' if count != 1 else 'it'}: \"(disliked)\" marks a recommendation that owes most to that.")
    if hasattr(recommender.model, "fold_in_disliking"):
        return (f" {recommender.name} learns from what people chose, so the {items} folded in as "
                "surely unwanted (an observed preference 0, held as firmly as the strongest like), which turns the "
                f"profile's vector away from {'them' if count != 1 else 'it'}: {'their' if count != 1 else 'its'} "
                f"scores fall, and less so those of items like {'them' if count != 1 else 'it'}; an item the likes "
                "pull strongly toward can stay high (not a filter: leave it out of the profile to never see it).")
    return (f" {recommender.name} learns only from what people chose (a rating is a strength of interest), so the "
            f"{items} left out of the profile it folds in, and never recommended; Funk SVD, SVD++, ALS or "
            "implicit ALS would turn away from them.")


def for_profile(recommender: state.ModelEntry, profile: np.ndarray, values, vector=None):
    """A model's list for the profile, its items left out; `vector` when already folded in."""
    if vector is None:
        vector = fold(recommender, profile, values)[0]
        if vector is None:
            return np.zeros(0, np.int64), np.zeros(0)
    return lists.for_profile(recommender, profile, values, int(n), penalty_for(view, recommender), vector)


def profile_table(picked: np.ndarray) -> pd.DataFrame:
    """The profile's items as a table, those the model never trained on marked as the pickers mark them: they are
    left out of its fold-in, which the table, unmarked, did not show."""
    table = item_table(view, picked)
    unknown = never_trained(entry)[np.asarray(picked, np.int64)]
    table["title"] = [f"{title}{NONE_IN_TRAINING}" if never else title
                      for title, never in zip(table["title"].tolist(), unknown.tolist(), strict=True)]
    return table


def profile_ratings(picked: np.ndarray, liked: float, scale: list[float], disliked=()) -> np.ndarray:
    """The profile's table with a rating per item, editable: an item keeps the rating set for it alone
    (a profile of loved and hated items), the others take `liked`, or the scale's lowest when they are
    among the `disliked`. Returns the ratings in `picked`'s order."""
    own = st.session_state.setdefault(PROFILE_RATINGS, {})  # item index -> a rating set for it alone
    defaults = [scale[0] if int(i) in disliked else liked for i in picked]
    table = profile_table(picked)
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


if mode == MODES[0]:
    activity = summary.user_activity
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
            st.warning(f"The link lets the user's held-out items be recommended (hits=1), but {entry.name} holds no "
                       "item out of its training (trained with no test share, or loaded from a model file), so there "
                       "is nothing to hit: its lists leave out everything the user has.", icon=":material/link_off:")
    # For a model without held-out items the switch is shown off and greyed out under another key, so the choice
    # made for the models that have them comes back with them (it was set to off for good).
    hits = switch.toggle(
        "Held-out items as hits",
        **({"key": "rec_hits"} if lists.can_hit(entry) else {"key": "rec_hits_none", "value": False, "disabled": True}),
        help=(f"Leaves only the items {entry.name} was trained on out of the user's lists, instead of everything "
              "the user has in the data: the items held out for testing (marked in the history) can then be "
              "recommended, and each one recommended is a hit — what the Train page's precision@k and recall@k "
              "count, here for one user. Each model side by side leaves out its own training items."
              if lists.can_hit(entry) else
              f"Not available for {entry.name}: no item was held out of its training (it was trained with no test "
              "share, or loaded from a model file, which keeps no split), so there is nothing to hit. Train a model "
              "with a test share on the Train page to see its hits."))
    links.show(data, entry, "recommend", compare=compared, user=links.id_list(inter, "user", [user]), n=int(n),
               beta=view_beta(strength), hits="1" if hits else None)
    row = inter.matrix[user]
    # The model learned the user from the training part only: a held-out item is no reason for its list.
    trained = entry.train.matrix[user] if entry.train is not None else row
    history = item_table(view, row.indices, None)
    history.insert(1, "rating" if inter.is_explicit else "value", row.data)
    if trained is not row:
        history.insert(2, "held out", ui.ticks(~np.isin(row.indices, trained.indices)))
    if inter.timestamps is not None:  # when (RecTools' apps show a history in time order: a click on "when" does)
        start, end = inter.matrix.indptr[user], inter.matrix.indptr[user + 1]
        history.insert(len(history.columns) - 1 if "genres" in history.columns else len(history.columns), "when",
                       pd.to_datetime(inter.timestamps[start:end], unit="s"))
    history = history.sort_values(history.columns[1], ascending=False)
    if untrained[user]:  # its vector was never fitted: a list would come of item biases, a random start or index order
        st.info(f"{user_named(inter.user_ids[user], capital=True)} has no interaction in {entry.name}'s training part: "
                f"its evaluation split held out all {counted(row.indices.size, 'interaction')} of theirs for "
                "testing, so the model learned nothing of this user's taste and a list would say nothing of it. To see "
                "what it recommends from their history, build a profile from their items (\"a profile I build\"): fold-in "
                "places them without retraining. Users marked \"none in training\" in the list are in this case.",
                icon=":material/info:")
        st.markdown(f"**What {user_named(inter.user_ids[user])} interacted with** ({counted(len(history), 'item')})")
        st.dataframe(history, hide_index=True, width="stretch", column_config=HISTORY_COLUMNS,
                     height=HISTORY_ROW * (min(len(history), HISTORY_ROWS) + 1) + 3)
        st.stop()
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
    st.markdown(f"**Recommended by {entry.name}** ({millis:.0f} ms)")
    if len(ids) == 0:
        st.info(f"{user_named(inter.user_ids[user], capital=True)} has every item of the data: nothing is left to recommend.",
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
            st.markdown(hits_words(ids, held, user))
    st.caption(("Items the user already has are never recommended. " if held is None else
                f"Only the items {entry.name} was trained on are left out: the user's held-out items can be "
                "recommended. ") + score_words(view)
               + " Popularity is the item's number of interactions in the data. "
               + reasons_note(view, trained.indices.size) + held_out_note(row.indices.size - trained.indices.size)
               + bias_note(view, ids, scores, trained.indices if held is not None else row.indices)
               + penalty_note(view, ids))
    st.download_button(f"Download every user's top {int(n)} by {entry.name} (CSV)",
                       lambda: cache.recommendation_csv(entry.key, model, data.key, inter, int(n)),
                       file_name=figures.file_name(f"recommendations_top{int(n)}", "csv", ui.data_label(data), entry.name), mime="text/csv", key="rec_csv",
                       on_click="ignore", help="One row per user and rank: user_id, rank, item_id, title, score; "
                       "items the user has in the data are left out" + (
                           f", and so are the {int(untrained.sum()):,} users none of whose interactions {entry.name} "
                           "was trained on (their lists would say nothing of them)." if untrained.any() else "."))
    # the other models' lists right under this one's, where a presenter compares them (they came after the
    # dimensions table and the map of users, some 1,300 px further down)
    user_lists_side_by_side(view, user, ids, scores, held, hits)
    st.markdown(f"**What {user_named(inter.user_ids[user])} interacted with** ({counted(len(history), 'item')}, best first"
                + ("; a click on “when” orders them in time)" if "when" in history.columns else ")"))
    st.dataframe(history, hide_index=True, width="stretch", height=HISTORY_ROW * (min(len(history), HISTORY_ROWS) + 1) + 3,
                 column_config=HISTORY_COLUMNS)
    # the items the model learned the taste from (its training part: held-out ones are no part of it)
    taste_profile(view, user_named(inter.user_ids[user], capital=True), trained.indices, ids,
                  "training item" if entry.train is not None else "item")
    users_map(view, user_named(inter.user_ids[user], capital=True), user=user)
elif mode == MODES[2]:
    from mfviz.dashboard import new_item

    new_item.show(entry, data, popularity, int(n), compare)
    links.show(data, entry, "recommend", compare=compared, fans=links.id_list(inter, "item", st.session_state.get("rec_new_from")),
               n=int(n))
else:
    order = np.argsort(-popularity, kind="stable")
    unknown = never_trained(entry)  # marked in the pickers, left out of the fold-in
    marked = lambda i: f"{titles[i]}" + (NONE_IN_TRAINING if unknown[i] else "")  # noqa: E731
    # the profile's items are rows of the data: they move with it when the Data page changes it
    for kept, said_by in ((state.PROFILE, "rec_profile"), (DISLIKES, "rec_dislikes"),
                          (PROFILE_RATINGS, "rec_profile")):
        pickers.follow(kept, "item", said_by)
    if "rec_profile" not in st.session_state:  # the profile kept while on other modes or pages
        st.session_state["rec_profile"] = list(st.session_state.get(state.PROFILE) or [])
    if inter.is_explicit:  # on ratings a profile can dislike too: its items get the scale's lowest rating
        like_box, dislike_box = st.columns(2)
        if "rec_dislikes" not in st.session_state:
            st.session_state["rec_dislikes"] = list(st.session_state.get(DISLIKES) or [])
        disliked = pickers.pick_many(dislike_box, f"…and dislikes (rated {SCALE[0]:g})", "item", order,
                                     inter, "rec_dislikes", marked,
                                     placeholder="Type a title: items this person hates…",
                                     help="Folded in with the lowest rating of the data, for the models that predict "
                                          "ratings; the others learn only from what people chose, so they leave these "
                                          "out of the profile (and never recommend them).")
    else:
        like_box, disliked = st, []
        if set_aside := [i for i in st.session_state.get(DISLIKES) or () if 0 <= i < inter.n_items]:
            # the data became implicit feedback (Prepare: binarise, or "implicit feedback") under a profile
            st.info(f"The profile's dislikes ({', '.join(str(titles[i]) for i in set_aside)}) are set aside: the data "
                    "is implicit feedback now, without ratings to give them, so a profile holds what the person chose "
                    "only (and a disliked item may be recommended).", icon=":material/info:")
    st.session_state[DISLIKES] = disliked
    liked_items = pickers.pick_many(like_box, "Items this person likes", "item", order, inter, "rec_profile",
                                    marked, placeholder="Type a title and pick a few items…")
    st.session_state[state.PROFILE] = liked_items
    if both := [i for i in liked_items if i in disliked]:
        st.warning(f"Liked and disliked at once: {', '.join(str(titles[i]) for i in both)}; counted as disliked. "
                   "Take it out of one of the two boxes.", icon=":material/warning:")
    picked = [i for i in liked_items if i not in disliked] + list(disliked)
    if not picked:
        links.show(data, entry, "recommend", compare=compared, n=int(n), beta=view_beta(strength))
        st.info("Pick two or three items above; recommendations appear at once, computed by folding the "
                "profile into the trained model (no retraining).", icon=":material/touch_app:")
    else:
        values = None
        if inter.is_explicit:
            scale = SCALE
            # Through the session state, not a `value=` beside it: it is kept across pages and in a workspace file
            # (workspace.PAGE_WIDGETS), and a widget given both made Streamlit warn; one of other data starts anew.
            if st.session_state.get("rec_stars") not in scale:
                st.session_state["rec_stars"] = scale[-1]
            liked = st.select_slider("Their rating of the liked items", scale, key="rec_stars",
                                     help="Every item of the profile gets this rating, unless you change its own in "
                                          "the profile table below (double-click its rating).")
        # The list above the profile table, which it needs (a rating edited there folds in anew): with the table
        # first, a profile of three items on a 1,280 × 720 projector showed no recommendation without scrolling.
        # One above the other at the page's width, as for a user (side by side they cut the genres).
        recommended = st.container()
        st.markdown("**The profile**")
        if inter.is_explicit:
            values = profile_ratings(np.array(picked), liked, scale, set(disliked))
        else:
            st.dataframe(profile_table(np.array(picked)), hide_index=True, width="stretch", column_config=COLUMNS)
        # the link carries each item's rating where one differs from the rating a link's items open with
        links.show(data, entry, "recommend", compare=compared, items=links.id_list(inter, "item", picked),
                   ratings=links.rating_list(values, scale[-1]) if values is not None else None, n=int(n),
                   beta=view_beta(strength))
        profile = np.array(picked, np.int64)
        strangers = profile[unknown[profile]]  # what the model never trained on: left out of the fold-in
        named = ", ".join(str(titles[i]) for i in strangers)
        if strangers.size == profile.size:  # folded in, a zero vector: its list was the catalogue in index order
            recommended.info(
                f"{entry.name} never trained on any item of this profile ({named}): none of their interactions is in "
                "its training part (its evaluation split held them all out), so their vectors were never fitted and "
                "the profile would fold in to a zero vector, whose list says nothing of this taste. Add items it was "
                "trained on: those not marked “none in training” in the list.", icon=":material/info:")
            st.stop()
        with ui.guard("Folding in the profile"):
            started = time.perf_counter()
            # once: for the list and for the taste profile below
            vector, folded, folded_values, negatives, profile_bias = fold(entry, profile, values)
            if vector is None:
                st.info(f"{entry.name} learns only from what people chose, so a profile of dislikes alone tells it "
                        "nothing: add an item this person likes.", icon=":material/info:")
                st.stop()
            ids, scores = for_profile(entry, profile, values, vector)
            millis = (time.perf_counter() - started) * 1000
            plain = (np.asarray(model.recommend_for_vector(vector, n=int(n), exclude=profile.tolist())[0])
                     if strength > 0 else ids)
            reasons = because_of(view, folded, folded_values, ids, set(disliked), negatives)
        took = f"{millis:.0f} ms" if millis >= 10 else f"{millis:.1f} ms" if millis >= 0.1 else "under 0.1 ms"
        # the profile's own bias, for the predicted ratings (solved with its vector)
        user_bias = profile_bias if stars(view, np.zeros(0), 0.0) is not None else None
        with ui.guard("Placing the recommendations on the model's dimensions"):
            table = item_table(view, ids, scores, reasons, lists.taste_coords(entry, vector=vector), user_bias=user_bias)
        recommended.markdown(f"**Recommended by {entry.name}** (fold-in and ranking: {took})")
        with recommended:
            st.dataframe(penalised(view, table, ids, plain[plain >= 0]), hide_index=True, width="stretch",
                         column_config=list_columns(table), placeholder=NO_VALUE)
        recommended.caption("Fold-in finds the vector of a new user who liked these items, with the item vectors frozen "
                            f"({getattr(model, 'fold_in_how', 'a ridge regression on the item vectors')}), then ranks every "
                            "item by it: this is how a live service treats a new visitor. " + score_words(view) + " "
                            + reasons_note(view, len(picked), built=True) + dislikes_note(entry, len(disliked))
                            + (f" Left out of the fold-in: {named}, which {entry.name} never trained on (none of "
                               f"{'their' if strangers.size > 1 else 'its'} interactions in its training part), so "
                               f"{'their vectors were' if strangers.size > 1 else 'its vector was'} never fitted and "
                               "would move nothing (“none in training” in the list)." if strangers.size else "")
                            + bias_note(view, ids, scores, profile) + penalty_note(view, ids))
        if compare:  # right under this model's list, as for a user (above the profile's table)
            with recommended, ui.guard("Folding the profile into the other models"):
                # not `lists`: that is the module the users' map below calls (its AttributeError was shown)
                side_lists, unfolded = {entry.name: side_list(view, entry, ids, scores)}, []
                for name in compare:
                    other = ui.models()[name]
                    other_vector = fold(other, profile, values)[0]
                    if other_vector is None:  # nothing of the profile it can fold in: its empty list said nothing
                        unfolded.append(not_folded_words(other, profile))
                        continue
                    side_lists[name] = side_list(view, other, *for_profile(other, profile, values, other_vector))
                if len(side_lists) > 1:
                    ui.side_by_side(side_lists, titles, popularity, int(n), score_help=COLUMNS["score"]["help"])
                if unfolded:
                    st.caption("Not side by side: " + "; ".join(unfolded) + ".")
        trained_on = profile[~unknown[profile]]  # the items the taste was folded in from
        taste_profile(view, "This profile", np.setdiff1d(trained_on, np.asarray(disliked, np.int64)), ids, "liked item")
        users_map(view, "This profile", vector=vector, profile=trained_on)
