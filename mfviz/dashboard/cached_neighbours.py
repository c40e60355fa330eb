"""Cached neighbour search: the index per model and metric, its recall, cosine and dot lists, their summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call
from mfviz.dashboard.cached_models import untrained_items
from mfviz.dashboard.waiting import waited


def _index_size(model_key, vectors, metric) -> int:
    """Rows of an index to build, 0 under NeighbourIndex's exact search (no index: nothing to wait for)."""
    return len(vectors) if len(vectors) >= 20_000 else 0


@waited("index", lambda model_key, vectors, metric: f"Building the {metric} neighbour index of {len(vectors):,} "
        "items (once per model)", _index_size, 2.2e-4)
@st.cache_resource(show_spinner="Building the neighbour index…", max_entries=8)
def neighbour_index(model_key: str, _vectors: np.ndarray, metric: str):
    """A NeighbourIndex per (model, metric); read-only after construction."""
    from mfviz import analysis

    return analysis.NeighbourIndex(_vectors, metric=metric)


@waited("recall", lambda model_key, vectors, metric: f"Building the {metric} neighbour index of {len(vectors):,} "
        "items and measuring its recall against exact search", _index_size, 2.3e-4)
@st.cache_data(show_spinner="Measuring the index's recall…", max_entries=16)
def index_recall(model_key: str, _vectors: np.ndarray, metric: str) -> tuple[float, bool]:
    index = neighbour_index(model_key, _vectors, metric)
    return float(index.recall(k=10, sample=300)), bool(getattr(index, "exact", False))


@st.cache_data(show_spinner=False, max_entries=64)
def compare(model_key: str, _vectors: np.ndarray, item: int, k: int, data_key: str, _popularity, _titles,
            _matrix=None, min_support: int = 0, _support=None):
    """An item's cosine and dot lists, with the users each neighbour shares with it when `_matrix`
    (the data's users × items) is given: the data's evidence next to the model's. With `min_support`,
    only items with that many interactions in `_support` (the model's training counts, fixed by the
    model and the data keys) are listed."""
    from mfviz import analysis

    return analysis.compare_neighbours(_vectors, item, k=k, popularity=_popularity, titles=_titles,
                                       interactions=_matrix, support=_support, min_support=min_support)


@st.cache_data(show_spinner="Comparing the two models' neighbours over many items…", max_entries=16)
def agreement(model_key: str, other_key: str, _vectors: np.ndarray, _other: np.ndarray, k: int) -> pd.DataFrame:
    from mfviz.analysis.neighbours import neighbour_agreement

    return neighbour_agreement(_vectors, _other, k=k, sample=1000)


@waited("summary", lambda model_key, vectors, *_, **__: f"Comparing cosine and dot lists over 1,000 of "
        f"{len(vectors):,} items", lambda model_key, vectors, *_, **__: len(vectors) * (len(vectors) >= 10_000), 1.3e-4)
@st.cache_data(show_spinner="Comparing cosine and dot lists over many items…", max_entries=16)
def neighbour_summary(model_key: str, _vectors: np.ndarray, data_key: str, _popularity, k: int, _matrix=None,
                      min_support: int = 0, _support=None):
    from mfviz import analysis

    return analysis.neighbour_popularity_summary(_vectors, _popularity, k=k, sample=1000, interactions=_matrix,
                                                 support=_support, min_support=min_support)


@st.cache_data(show_spinner=False, max_entries=32)
def matched_lift(model_key: str, data_key: str, _matrix, item: int, neighbours: tuple, min_support: int = 0,
                 _support=None) -> float:
    """`matched_median_lift` of an item's list, random lists drawn from the items its lists may hold (those the
    model, `model_key`, saw at least `min_support` times: `_support`)."""
    from mfviz.analysis.neighbours import matched_median_lift, supported_rows

    return matched_median_lift(_matrix, item, np.array(neighbours, np.int64), pool=supported_rows(_support, min_support))


@st.cache_data(show_spinner=False, max_entries=16)
def training_popularity(model_key: str, _train_matrix) -> np.ndarray:
    """Each item's interactions in the part of the data a model was trained on."""
    return np.bincount(_train_matrix.indices, minlength=_train_matrix.shape[1])


OPENING_CANDIDATES = 300  # the most popular items the Neighbours page picks its opening item among


@st.cache_data(show_spinner=False, max_entries=64)
def opening_item(model_key: str, _model, data_key: str, _popularity: np.ndarray, k: int, typical: float) -> int:
    """The item the Neighbours page opens on: the most popular trained item whose cosine and dot lists share no more
    items than an item's do on average (`typical`: over the sampled items), else of the OPENING_CANDIDATES most
    popular the one sharing fewest. The most popular items have nearly one list twice (the demo's first: 10 of 10,
    the median of its 20 first: 9) beside a page saying that over many items the lists share 2.3 of 10."""
    from mfviz.analysis import exact_search

    order = np.argsort(-np.asarray(_popularity), kind="stable")
    order = order[~untrained_items(model_key, _model)[order]][:OPENING_CANDIDATES]
    if order.size < 2:
        return int(order[0]) if order.size else 0
    vectors = np.asarray(_model.item_factors, np.float32)
    lists = [exact_search(vectors[order], vectors, k, metric, exclude_self_ids=order)[0] for metric in ("cosine", "dot")]
    shared = np.array([np.intersect1d(c[c >= 0], d[d >= 0]).size for c, d in zip(*lists, strict=True)])
    typical_ones = np.flatnonzero(shared <= typical)
    return int(order[typical_ones[0] if typical_ones.size else int(np.argmin(shared))])
