"""Cached popularity bias: the report, the Popularity baseline, the accuracy/popularity trade-off, penalties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call
from mfviz.dashboard.cached_data import summary


@st.cache_data(show_spinner="Measuring popularity bias…", max_entries=32)
def popularity_report(model_key: str, _model, data_key: str, _interactions, k: int):
    from mfviz import analysis
    from mfviz.analysis.popularity import SAMPLE_USERS

    return analysis.popularity_report(_model, _interactions, k=k, sample_users=SAMPLE_USERS)


# β of the trade-off curve: fine steps where the first 10% of accuracy goes (β ≤ 0.3 on the demo and
# MovieLens 100K), then on to lists of nearly only long-tail items (β 1.5).
TRADEOFF_STRENGTHS = (0.0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5)


@st.cache_data(show_spinner="Re-ranking with popularity penalties against the held-out data…", max_entries=16)
def tradeoff(model_key: str, _model, _train, _test, k: int) -> pd.DataFrame:
    """The accuracy / popularity curve of a model on the split it was trained on (see
    mfviz.analysis.tradeoff); one model's factors always come with the same split, so its key is enough."""
    from mfviz.analysis.tradeoff import accuracy_popularity_tradeoff

    return accuracy_popularity_tradeoff(_model, _train, _test, strengths=TRADEOFF_STRENGTHS, k=k)


@st.cache_data(show_spinner=False, max_entries=16)
def tradeoff_baseline(model_key: str, _train, _test, k: int) -> pd.DataFrame:
    """The Popularity baseline's point on the same axes, fitted on the training part of the split
    that model (`model_key`) was trained on: a model always comes with the same split."""
    from mfviz.analysis.tradeoff import accuracy_popularity_tradeoff
    from mfviz.models import Popularity

    return accuracy_popularity_tradeoff(Popularity().fit(_train), _train, _test, strengths=(0.0,), k=k)


@st.cache_data(show_spinner=False, max_entries=64)
def bias_popularity_rho(model_key: str, _model, data_key: str, _data) -> float:
    """Spearman ρ of a model's item biases with the items' popularity in the data, over the items it was trained on
    (an item its split held out wholly keeps a bias of 0 that says nothing: ALS on a time split, 0.21 with them,
    0.28 without); NaN when either is constant."""
    from scipy.stats import spearmanr

    from mfviz.models.sanity import untrained_items

    trained = ~untrained_items(_model)
    popularity = summary(data_key, _data).item_popularity[trained]
    bias = np.asarray(_model.item_bias, np.float64)[trained]
    if np.ptp(bias) == 0 or np.ptp(popularity) == 0:
        return float("nan")
    return float(spearmanr(bias, popularity).statistic)


@st.cache_data(show_spinner=False, max_entries=32)
def penalty_offsets(model_key: str, _model, data_key: str, _popularity, strength: float) -> np.ndarray:
    """Per-item score offsets of a model with a popularity penalty of this strength (β)."""
    from mfviz.analysis.tradeoff import penalised_offsets

    return penalised_offsets(_model, _popularity, strength)


@st.cache_resource(show_spinner="Counting item popularity for the baseline…", max_entries=4)
def popularity_baseline(data_key: str, _interactions):
    """The Popularity model on the whole dataset, as the reference row of the bias page."""
    from mfviz.dashboard.state import ModelEntry, model_hash
    from mfviz.models import Popularity

    model = Popularity().fit(_interactions)
    return ModelEntry(name="Popularity", model=model, kind="popularity", params={},
                      key=model_hash(model, data_key), data_key=data_key, fit_seconds=model.fit_seconds,
                      epochs=1, split="none", auto=True)
