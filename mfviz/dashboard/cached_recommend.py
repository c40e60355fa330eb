"""Cached recommendation wrappers: a user's cosine and dot lists, why an item is there, a new item's reach."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call
from mfviz.dashboard.cached_neighbours import neighbour_index


@st.cache_data(show_spinner=False, max_entries=64)
def user_lists(model_key: str, _model, data_key: str, _matrix, user: int, k: int, _popularity, _titles
               ) -> dict[str, pd.DataFrame]:
    """A user's top-k unseen items by cosine and by dot product of the user and item vectors."""
    vector = np.ascontiguousarray(_model.user_factors[user:user + 1], dtype=np.float32)
    seen = set(_matrix.indices[_matrix.indptr[user]:_matrix.indptr[user + 1]].tolist())
    n_items = _model.item_factors.shape[0]
    lists = {}
    for metric in ("cosine", "dot"):
        index = neighbour_index(model_key, _model.item_factors, metric)
        ids, scores = index.query_vectors(vector, min(k + len(seen), n_items))
        kept = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0 and int(i) not in seen][:k]
        items = np.array([i for i, _ in kept], dtype=np.int64)
        lists[metric] = pd.DataFrame({"rank": np.arange(1, len(kept) + 1), "title": _titles[items],
                                      "score": [s for _, s in kept], "popularity": _popularity[items]})
    return lists


@st.cache_data(show_spinner="Working out why…", max_entries=64)
def profile_contributions(model_key: str, _model, items: tuple, values: tuple | None, targets: tuple,
                          disliked: tuple = ()) -> np.ndarray:
    """What each profile item adds to each target's score: the model's exact split where it has one,
    else leave-one-out fold-ins over at most the 100 items most like the targets; `disliked`: items
    folded in as unwanted (implicit ALS's `fold_in_disliking`)."""
    from mfviz.analysis import profile_contributions as contributions

    return contributions(_model, np.array(items, np.int64), None if values is None else np.array(values, np.float32),
                         np.array(targets, np.int64), limit=100, disliked=np.array(disliked, np.int64))


@st.cache_data(show_spinner="Ranking the users' lists once for this model…", max_entries=16)
def reach_baseline(model_key: str, _model, data_key: str, _matrix, n: int):
    """The top-n lists of up to 5,000 users, against which a new item is ranked (analysis.cold_start)."""
    from mfviz.analysis.cold_start import reach_baseline as baseline

    return baseline(_model, _matrix, n)


@st.cache_data(show_spinner=False, max_entries=32)
def new_item(model_key: str, data_key: str, seeds: tuple, at_least, given, size: int, n: int, _model, _reach, _users,
             _values, _popularity):
    """A new item placed by its first `size` users (mfviz.analysis.cold_start.place_new_item), with its
    reach curve: the same model, audience (the users of `seeds` with at least `at_least`), values
    (`given`) and list length always give the same item."""
    from mfviz.analysis.cold_start import place_new_item

    return place_new_item(_model, _reach, _users, _values, size, _popularity)


@st.cache_data(show_spinner=False, max_entries=32)
def audience(data_key: str, _matrix, items: tuple, at_least: float | None) -> tuple[np.ndarray, np.ndarray]:
    """The users who have any of `items` (with a value >= at_least), in a fixed random order, with
    their values (analysis.cold_start.audience)."""
    from mfviz.analysis.cold_start import audience as fans

    return fans(_matrix, list(items), at_least)
