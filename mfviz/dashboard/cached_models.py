"""Cached facts of one model: read from an uploaded file, its untrained items, vector lengths, training replay."""

from __future__ import annotations

import io

import numpy as np
import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call


@st.cache_data(show_spinner="Reading the model file…", max_entries=8)
def read_model(content_key: str, _content: bytes, file_name: str):
    """A model from an uploaded .npz: an mfviz model file, else factors saved by implicit."""
    from mfviz.errors import ModelError
    from mfviz.models import load_model

    try:
        return load_model(io.BytesIO(_content))
    except ModelError as first:
        try:
            from mfviz.models.external import load_factors
        except ImportError:
            raise first from None
        source = io.BytesIO(_content)
        source.name = file_name
        try:
            return load_factors(source)
        except Exception:  # noqa: BLE001 - the mfviz message is the useful one
            raise first from None


@st.cache_data(show_spinner=False, max_entries=32)
def item_norms(model_key: str, _vectors: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.asarray(_vectors, np.float64), axis=1)


@st.cache_data(show_spinner=False, max_entries=64)
def untrained_items(model_key: str, _model) -> np.ndarray:
    """Which items the model never trained on (mfviz.models.sanity.untrained_items), counted once per model: a
    bincount over its whole training matrix, which the Latent space and Popularity bias pages counted again on every
    rerun (a model always comes with the same training part, so its key is enough)."""
    from mfviz.models import sanity

    return sanity.untrained_items(_model)


@st.cache_data(show_spinner="Lining the epochs up…", max_entries=4)
def replay(job_key: str, _snapshots: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(coords snapshots × items × 2, share of final neighbours and of the previous snapshot's neighbours
    per snapshot) of a training's snapshots (analysis.replay)."""
    from mfviz.analysis.replay import replay_coords, settled_neighbours

    return replay_coords(_snapshots), *settled_neighbours(_snapshots)
