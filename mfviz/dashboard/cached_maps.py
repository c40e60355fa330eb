"""Cached maps of item and user vectors (UMAP, t-SNE, PCA), their tables, how well they keep neighbours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call
from mfviz.dashboard.waiting import waited


@waited("projection", lambda model_key, vectors, method, *_, **__: f"Mapping {len(vectors):,} items ({method.upper()}, "
        "once per model and setting)", lambda model_key, vectors, method, *_, **__: len(vectors) * (method == "umap"),
        1.7e-3)
@st.cache_data(show_spinner="Projecting item vectors…", max_entries=16)
def projection(model_key: str, _vectors: np.ndarray, method: str, n_neighbors: int, min_dist: float, *,
               n_components: int):
    from mfviz import analysis

    return analysis.project(_vectors, method=method, n_components=n_components, n_neighbors=n_neighbors,
                            min_dist=min_dist, seed=0)


@st.cache_data(show_spinner="Measuring how well the map keeps neighbours…", max_entries=16)
def preservation(model_key: str, _vectors: np.ndarray, projection_key: str, _coords: np.ndarray) -> float:
    from mfviz import analysis

    return float(analysis.neighbourhood_preservation(_vectors, _coords, k=10, sample=500))


@st.cache_data(show_spinner=False, max_entries=16)
def map_table(projection_key: str, _coords, _items, _popularity, _norms, _titles, _rows=None) -> pd.DataFrame:
    """One row per item of the map: x, y, item (index), title, genres, popularity, norm, metadata.
    With `_rows` (item indices), the map shows only those items and `_coords` has one row per item of it."""
    from mfviz import analysis

    if _rows is None:
        return analysis.projection_table(_coords, _items, _popularity, _norms, _titles)
    rows = np.asarray(_rows, np.int64)
    items = None if _items is None or len(_items) == 0 else _items.iloc[rows].reset_index(drop=True)
    table = analysis.projection_table(_coords, items, np.asarray(_popularity)[rows], np.asarray(_norms)[rows],
                                      np.asarray(_titles)[rows])
    table["item"] = rows
    return table


USERS_MAPPED = 5_000  # users on the Recommend page's map of users, at most (a fixed sample)


@waited("user map", lambda model_key, data_key, factors, *_: f"Mapping {min(USERS_MAPPED, len(factors)):,} users "
        "(UMAP of their vectors, once per model)", lambda model_key, data_key, factors, *_: min(USERS_MAPPED, len(factors)),
        1.7e-3)
@st.cache_data(show_spinner="Mapping the users (UMAP of their vectors, once per model)…", max_entries=8)
def user_map(model_key: str, data_key: str, _user_factors, _matrix, _groups, _user_ids, _among=None) -> pd.DataFrame:
    """A UMAP map of a fixed sample of the users' vectors (of the users `_among` only when given: those the
    model trained on), one row per mapped user (see mfviz.analysis.users.user_table), coloured by each user's
    most over-represented genre."""
    from mfviz.analysis import project
    from mfviz.analysis.users import sample_users, user_table

    users = sample_users(len(_user_factors), USERS_MAPPED, among=_among)
    coords = project(np.asarray(_user_factors)[users], "umap", 2, seed=0).coords
    favourite, lift = favourites(data_key, _matrix, _groups)
    return user_table(coords, users, _user_ids, np.diff(_matrix.indptr), favourite, lift)


@st.cache_data(show_spinner=False, max_entries=8)
def favourites(data_key: str, _matrix, _groups) -> tuple[np.ndarray, np.ndarray]:
    """Each user's most over-represented genre and its lift (mfviz.analysis.users.favourite_groups)."""
    from mfviz.analysis.users import favourite_groups

    return favourite_groups(_matrix, _groups)


def _tsne_words(model_key, vectors, method, n_neighbors, min_dist, n_components, perplexity, *_) -> str:
    said = f", perplexity {perplexity:g}" if perplexity else ""
    return f"Running t-SNE on {len(vectors):,} items ({n_components}-D{said}; once per model and setting)"


def _tsne_units(model_key, vectors, method, n_neighbors, min_dist, n_components, *_) -> float:
    """Items a t-SNE map lays out, a 3-D one counted 1.1 times (its Barnes-Hut tree has 8 children a node, not 4);
    0 for UMAP and PCA maps, which `projection`'s line or no line covers."""
    return len(vectors) * (1.1 if n_components == 3 else 1.0) * (method == "tsne")


# t-SNE's pace: 1,657 items of ML-100K's quick default in 43-54 s on the review's busy 2-core machine (load 3-4),
# 0.03 s an item; `waiting.waited` then learns this process's own pace from its last t-SNE map
@waited("t-SNE", _tsne_words, _tsne_units, 3.0e-2)
@st.cache_data(show_spinner=False, max_entries=16)
def projector_map(model_key: str, _vectors: np.ndarray, method: str, n_neighbors: int, min_dist: float,
                  n_components: int, perplexity: float | None, spherize: bool, components: tuple | None):
    """A map with the Embedding Projector's options (t-SNE's perplexity, Spherize, PCA's components); without
    them the same map as `projection` (the same key in analysis.project's own cache)."""
    from mfviz import analysis

    return analysis.project(_vectors, method=method, n_components=n_components, n_neighbors=n_neighbors,
                            min_dist=min_dist, seed=0, perplexity=perplexity, spherize=spherize,
                            components=components)


@st.cache_data(show_spinner=False, max_entries=16)
def pca_shares(model_key: str, _vectors: np.ndarray, spherize: bool) -> np.ndarray:
    """Each of the first principal components' share of the vectors' variance (spherized first if asked)."""
    from mfviz.analysis import map_options

    vectors = map_options.spherize(_vectors) if spherize else _vectors
    return map_options.pca_components(vectors)[1]
