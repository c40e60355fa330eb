"""Cached principal dimensions of a model's factors and their descriptions on its data."""

from __future__ import annotations

import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call
from mfviz.dashboard.cached_data import genre_groups, item_years


@st.cache_data(show_spinner=False, max_entries=16)
def dimensions(model_key: str, _model):
    from mfviz import analysis

    return analysis.principal_dimensions(_model.user_factors, _model.item_factors)


DIMENSIONS_DESCRIBED = 12  # the strongest dimensions described (pages show the first 6 or all 12)


@st.cache_data(show_spinner=False, max_entries=16)
def described_dimensions(model_key: str, data_key: str, _dims, _interactions):
    """`describe_dimensions` of a model's 12 strongest dimensions on its data (titles, genres, popularity, years)."""
    from mfviz.analysis import describe_dimensions

    return describe_dimensions(_dims, _interactions.titles, genre_groups(data_key, _interactions.items),
                               n_dims=DIMENSIONS_DESCRIBED, popularity=_interactions.item_popularity,
                               years=item_years(data_key, _interactions))


@st.cache_data(show_spinner=False, max_entries=64)
def dimension_end_names(model_key: str, data_key: str, _dims, _interactions, which: tuple[int, ...]) -> dict:
    """{dimension: `end_names` of it} for the dimensions `which` (0-based) of a model, past the 12 described: a
    recommendation can lean most along a weak one, which was then named "+ end". Only those asked for: every
    dimension of a 256-factor model of 100,000 items took 13 s."""
    from mfviz.analysis import describe_dimensions
    from mfviz.analysis.dimensions import end_names

    described = describe_dimensions(_dims, _interactions.titles, genre_groups(data_key, _interactions.items),
                                    popularity=_interactions.item_popularity, which=which,
                                    years=item_years(data_key, _interactions))
    return dict(zip(which, end_names(described), strict=True))
