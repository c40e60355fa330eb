"""Cached dataset wrappers: the data sessions start on, the Data page's filters, a dataset's summary and charts."""

from __future__ import annotations

import numpy as np
import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call
from mfviz.dashboard import startup, state


@st.cache_resource(show_spinner="Loading the data…")
def start_data():
    """(Start, its content hash): what every session opens on, read-only, so one copy serves them
    all: the data given to `mfviz dashboard DATA`, else the built-in demo."""
    start = startup.served()
    if start is None:
        from mfviz import datasets

        start = startup.Start(interactions=datasets.load_demo(), name="demo catalogue", is_demo=True)
    return start, start.key or state.interactions_hash(start.interactions)


@st.cache_data(show_spinner="Filtering…", max_entries=8)
def prepared(data_key: str, _interactions, min_count: int, binarize_at: float | None, explicit: bool | None,
             drop_zeros: bool = False):
    """The dataset after the Data page's filters: ratings of 0 dropped (asked, or the values read as
    implicit feedback from now on), binarise, then k-core, then the feedback switch.
    Binarising first, so that a k-core is one of the positives kept: the other way round, the dropped
    low ratings left users and items under k, and some with nothing (ML-100K, 10-core then ≥ 4: 49
    users and 328 items under 10, 1 user and 13 items empty)."""
    from mfviz.data import prepare

    data = _interactions
    to_implicit = explicit is False and data.is_explicit
    # Read as implicit feedback, a 0 is no interaction (0 plays), as the loader has it for implicit data:
    # kept, the Popularity baseline counted it while implicit ALS gave it no weight.
    if drop_zeros or (to_implicit and binarize_at is None and bool((data.matrix.data == 0).any())):
        data = prepare.drop_zero_ratings(data)
    if binarize_at is not None:
        data = prepare.binarize(data, binarize_at)
    if min_count > 1:
        data = prepare.k_core(data, min_count, min_count)
    if explicit is not None and explicit != data.is_explicit:
        data = data.with_values(data.matrix.data, is_explicit=explicit)
    return data


@st.cache_data(show_spinner=False, max_entries=8)
def has_zero_ratings(data_key: str, _values) -> bool:
    """Whether a dataset's values hold a 0 (the Data page offers to drop them): once per dataset, not
    a scan of every rating on every rerun of the page."""
    return bool((_values == 0).any())


@st.cache_data(show_spinner=False, max_entries=16)
def summary(data_key: str, _interactions):
    return _interactions.summary()


@st.cache_resource(show_spinner=False, max_entries=16)
def data_charts(data_key: str, _summary) -> tuple:
    """The Data page's charts of a dataset, as SVG: (rating histogram, long tail, user activity).
    Only read, so one set serves every session and every visit."""
    from mfviz.dashboard import svg_charts

    return (svg_charts.rating_histogram(_summary.rating_histogram, _summary.is_explicit),
            svg_charts.long_tail(_summary.item_popularity, _summary.head_share),
            svg_charts.activity_histogram(_summary.user_activity))


@st.cache_resource(show_spinner=False, max_entries=16)
def data_timeline(data_key: str, _timestamps, merged: int = 0) -> tuple | None:
    """The Data page's timeline of a dataset with timestamps: (Timeline, its SVG chart); None without any.
    merged: duplicate rows merged at load (the chart then says it shows each pair's latest time).
    Only read, so one serves every session and every visit."""
    from mfviz.dashboard import svg_charts
    from mfviz.data.timeline import timeline

    line = timeline(_timestamps)
    return None if line is None else (line, svg_charts.timeline_chart(line, merged=merged))


@st.cache_data(show_spinner=False, max_entries=16)
def long_tail(data_key: str, _popularity):
    from mfviz import analysis

    return analysis.long_tail_curve(_popularity)


@st.cache_data(show_spinner=False, max_entries=8)
def genre_groups(data_key: str, _items) -> dict:
    """{genre: item rows}, largest first (mfviz.analysis.genre_groups), once per dataset."""
    from mfviz.analysis import genre_groups as groups

    return groups(_items)


@st.cache_data(show_spinner=False, max_entries=8)
def item_years(data_key: str, _interactions) -> np.ndarray | None:
    """The items' release years (`Interactions.item_years`), once per dataset."""
    return _interactions.item_years
