"""Cached held-out accuracy user by user: per-user metrics, the difference with the baseline, profile sizes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call

ACTIVITY_USERS = 5_000  # test users scored per model for accuracy by activity, at most (a seeded sample)


@st.cache_data(show_spinner="Scoring every test user…", max_entries=32)
def per_user_metrics(model_key: str, _model, _test, k: int) -> pd.DataFrame:
    """Every (sampled) test user's metrics (mfviz.evaluation.breakdown.per_user); a model always
    comes with the same split, so its key is enough."""
    from mfviz.evaluation.breakdown import per_user

    return per_user(_model, _test, k, max_users=ACTIVITY_USERS)


@st.cache_data(show_spinner=False, max_entries=16)
def popularity_per_user(model_key: str, _train, _test, k: int) -> pd.DataFrame:
    """The same for the Popularity baseline fitted on that model's training part."""
    from mfviz.evaluation.breakdown import per_user
    from mfviz.models import Popularity

    return per_user(Popularity().fit(_train), _test, k, max_users=ACTIVITY_USERS)


# Many: each is three numbers, and the Train page asks for every model of the session on every rerun (the
# per-user frames behind them, 32 and 16 kept, would be scored again each rerun once a session had more models).
@st.cache_data(show_spinner=False, max_entries=1024)
def ndcg_against_baseline(model_key: str, _model, _train, _test, k: int) -> tuple[float, float, int]:
    """A model's NDCG@k minus the Popularity baseline's, user by user on the same sampled test users, with the
    half-width of its paired 95% interval and the number of users (evaluation.breakdown.paired_difference), from
    `per_user_metrics` and `popularity_per_user`, which the background scores for every new model. Once per model:
    a model always comes with the same split."""
    from mfviz.evaluation.breakdown import paired_difference

    return paired_difference(per_user_metrics(model_key, _model, _test, k),
                             popularity_per_user(model_key, _train, _test, k), f"ndcg@{k}")


@st.cache_data(show_spinner="Folding in users from their first few interactions…", max_entries=32)
def profile_rows(model_key: str, _model, _train, _test, k: int) -> pd.DataFrame:
    """Every sampled test user's held-out accuracy against how many interactions they are known by
    (evaluation.breakdown.profile_size_per_user): the curve's means, and which sizes beat a baseline beyond noise."""
    from mfviz.evaluation.breakdown import profile_size_per_user

    return profile_size_per_user(_model, _train, _test, k)


@st.cache_data(show_spinner=False, max_entries=32)
def profile_curve(model_key: str, _model, _train, _test, k: int) -> pd.DataFrame:
    """Held-out accuracy against how many interactions a user is known by (evaluation.breakdown), from the rows of
    `profile_rows`."""
    from mfviz.evaluation.breakdown import summarise_profile_sizes

    return summarise_profile_sizes(profile_rows(model_key, _model, _train, _test, k))


@st.cache_data(show_spinner=False, max_entries=16)
def popularity_profile_rows(model_key: str, _train, _test, k: int) -> pd.DataFrame:
    """`profile_rows` of the Popularity baseline fitted on that model's training part (flat: it ignores the profile)."""
    from mfviz.evaluation.breakdown import profile_size_per_user
    from mfviz.models import Popularity

    return profile_size_per_user(Popularity().fit(_train), _train, _test, k)


@st.cache_data(show_spinner=False, max_entries=16)
def popularity_profile_curve(model_key: str, _train, _test, k: int) -> pd.DataFrame:
    """The same for the Popularity baseline fitted on that model's training part (flat: it ignores the profile)."""
    from mfviz.evaluation.breakdown import summarise_profile_sizes

    return summarise_profile_sizes(popularity_profile_rows(model_key, _train, _test, k))
