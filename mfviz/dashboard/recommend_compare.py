"""The Recommend page's lists side by side: other models' lists for the same user (or profile) next to the
shown model's, each ranked as it is under the popularity penalty, with its hits when they are counted."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import compared_lists, lists, ui
from mfviz.dashboard.plain import plain
from mfviz.dashboard.recommend_tables import COLUMNS
from mfviz.dashboard.recommend_view import RecommendView, penalty_for, top_unseen
from mfviz.dashboard.state import ModelEntry
from mfviz.data.id_lists import user_named
from mfviz.models.sanity import untrained_users


def side_list(view: RecommendView, recommender: ModelEntry, ids: np.ndarray, scores: np.ndarray,
              held: np.ndarray | None = None, hits: bool = False) -> compared_lists.SideList:
    """A model's list for the lists side by side: what ranks it under a penalty, and its hits when counted
    (`hits`: they are asked for, and a model without a test part says it has none)."""
    change = penalty_for(view, recommender)
    return compared_lists.SideList(ids, scores, None if change is None else np.asarray(scores, np.float64) + change[ids], held,
                       note="no held-out items" if hits and not lists.can_hit(recommender) else "")


def side_hits_note(view: RecommendView, sides: dict, user: int) -> str:
    """What a hit is in the lists side by side, and whose hits are counted against other held-out items."""
    inter = view.inter
    note = (" Hit (ticked): an item of "
            f"{user_named(inter.user_ids[user])} held out of that model's training, each list leaving out only its own model's "
            "training items; a model's hits over its list length are its precision for this one user.")
    models = ui.models()
    splits = {name: lists.held_out(models[name], inter, user).tolist() for name in sides}
    never = [name for name in sides if not lists.can_hit(models[name])]
    if never:
        note += (f" {plain(', '.join(never))} {'holds' if len(never) == 1 else 'hold'} no item out of training (no test "
                 "share, or loaded from a model file): nothing to hit, and everything the user has is left out.")
    counted_splits = {name: held for name, held in splits.items() if name not in never}
    if len({tuple(held) for held in counted_splits.values()}) > 1:
        note += (" The models were trained on different splits, so their hits count against different held-out "
                 "items (" + "; ".join(f"{plain(name)} {len(held)}" for name, held in counted_splits.items()) + ").")
    return note


def user_lists_side_by_side(view: RecommendView, user: int, ids: np.ndarray, scores: np.ndarray,
                            held: np.ndarray | None, hits: bool) -> None:
    """The lists of the models chosen to compare for `user`, beside the shown model's (`ids`, `scores`; `held`:
    its hits, when `hits` are counted); a model that trained on none of the user's interactions is said, not shown."""
    entry, compare, inter, titles, popularity = view.entry, view.compare, view.inter, view.titles, view.popularity
    # a model compared may come of another split, one that held out all of this user's interactions
    strangers = [name for name in compare if untrained_users(ui.models()[name].model)[user]]
    if compare and len(ids):
        with ui.guard("Recommending with the other models"):
            sides = {entry.name: side_list(view, entry, ids, scores, held if lists.can_hit(entry) else None, hits)}
            for name in (name for name in compare if name not in strangers):
                other = ui.models()[name]
                other_ids, other_scores = top_unseen(view, other, user, hits)
                sides[name] = side_list(view, other, other_ids, other_scores,
                                        lists.held_out(other, inter, user) if hits and lists.can_hit(other) else None,
                                        hits)
            if len(sides) > 1:
                compared_lists.side_by_side(sides, titles, popularity, view.n, score_help=COLUMNS["score"]["help"],
                                note=side_hits_note(view, sides, user) if hits else "")
        if strangers:
            st.caption(f"Not side by side: {plain(' and '.join(strangers))}, trained on none of this user's interactions "
                       f"({'its' if len(strangers) == 1 else 'their'} evaluation split held them all out), so "
                       f"{'its list' if len(strangers) == 1 else 'their lists'} would say nothing of them.")
