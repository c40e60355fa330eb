"""Cached downloads: model file, HTML report, every user's list, the map's CSV and Projector zip, dimensions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call
from mfviz.dashboard.cached_maps import map_table, projection
from mfviz.dashboard.cached_models import untrained_items


@st.cache_data(show_spinner=False, max_entries=16)
def model_file(model_key: str, _model) -> bytes:
    """A model's .npz file as bytes, for the download button."""
    from mfviz.models.files import model_bytes

    return model_bytes(_model)


@st.cache_data(show_spinner=False, max_entries=16)
def map_csv(projection_key: str, _table: pd.DataFrame) -> bytes:
    """The map's table as CSV (list-valued columns left out), built once per map: the download
    button then serves the same stored file on every run, so a click during a rerun still works."""
    from mfviz.dashboard.map_colours import GENRE_COLUMN

    lists = [c for c in _table.columns if len(_table) and isinstance(_table[c].iloc[0], list | np.ndarray)]
    # "item" is the dashboard's 0-based row, next to the data's own item_id: one off from MovieLens ids,
    # an easy wrong join, so only item_id goes out. The genre column is named as in the Projector's
    # metadata.tsv (no space: one name for the same column in both files)
    table = _table.drop(columns=lists + [c for c in ("item",) if "item_id" in _table.columns])
    return table.rename(columns={GENRE_COLUMN: "distinctive_genre"}).to_csv(index=False).encode()


@st.cache_data(show_spinner=False, max_entries=8)
def projector_zip(map_key: str, _vectors: np.ndarray, _table: pd.DataFrame, _item_ids) -> bytes:
    """The item vectors and their metadata (id, title, the genre the map colours by, first genre, genres,
    popularity, vector length) as the vectors.tsv / metadata.tsv pair of TensorFlow's Embedding
    Projector, zipped (built on the click)."""
    from mfviz.analysis.export import projector_files, zipped
    from mfviz.dashboard.map_colours import GENRE_COLUMN, distinctive_genre

    table = _table
    if GENRE_COLUMN not in table.columns and "genres" in table.columns:  # as the map computes it for its colours
        table = table.assign(**{GENRE_COLUMN: distinctive_genre(table["genres"])[0]})
    # The Projector colours by a metadata column: the map's own colour column, so the two pictures agree
    # (first_genre, an alphabetical list's first, made nearly every Romance a Comedy or a Drama)
    columns = [c for c in ("title", GENRE_COLUMN, "first_genre", "genres", "popularity", "norm") if c in table.columns]
    metadata = table[columns].rename(columns={GENRE_COLUMN: "distinctive_genre"})
    metadata.insert(0, "item_id", np.asarray(_item_ids)[_table["item"].to_numpy()])
    return zipped(projector_files(_vectors[_table["item"].to_numpy()], metadata))


@st.cache_data(show_spinner=False, max_entries=8)
def dimensions_csv(model_key: str, data_key: str, _dims, _item_ids, _titles) -> bytes:
    """Every item's coordinates on every dimension of a model, as CSV (built on the first click)."""
    from mfviz.analysis.dimensions import coordinates_table

    return coordinates_table(_dims, _item_ids, _titles).to_csv(index=False).encode()


@st.cache_data(show_spinner=False, max_entries=4)
def recommendation_csv(model_key: str, _model, data_key: str, _interactions, n: int, _progress=None,
                       strength: float = 0.0, _change=None) -> bytes:
    """Every user's top-n as CSV (mfviz.analysis.export.recommendation_csv), re-ranked by `_change` (the popularity
    penalty of `strength`, None at 0); `_progress(ranked, total)` after each chunk of users (not called on a cache
    hit)."""
    from mfviz.analysis.export import recommendation_csv as every_list

    return every_list(_model, _interactions, n, _progress, _change)


@st.cache_data(show_spinner="Writing the report…", max_entries=4)
def model_report(model_key: str, name: str, _model, _train, _test, _data, data_name: str, k: int) -> bytes:
    """The model's self-contained HTML report (mfviz.dashboard.report), with the map of its items as the
    Latent space page opens it (the same cached projection, when that page has drawn it)."""
    from mfviz.dashboard import background, map_figures, report, untrained

    item_map = None
    vectors = getattr(_model, "item_factors", None)
    # as the page maps them: the items the model trained on (untrained.mapped_rows)
    mapped, rows, suffix = (vectors, None, "") if vectors is None else untrained.trained_map(
        vectors, untrained_items(model_key, _model))
    # the Popularity baseline's one column (its counts) is no latent space to map
    if vectors is not None and vectors.ndim == 2 and vectors.shape[1] >= 2 and len(mapped) >= 3:
        coords = projection(model_key + suffix, mapped, "umap", min(background.UMAP_NEIGHBOURS, len(mapped) - 1),
                            background.UMAP_MIN_DIST, n_components=2).coords
        table = map_table(f"{model_key}|report{suffix}", coords, _data.items, _data.item_popularity,
                          np.linalg.norm(vectors, axis=1), _data.titles, rows)
        item_map = map_figures.overview_map(table, name)
        left_off = untrained.left_off(len(vectors) - len(mapped))
        item_map = map_figures.Chart(item_map.figure, item_map.caption + left_off) if left_off else item_map
    return report.build(name, _model, _train, _test, _data, data_name, k, item_map).encode("utf-8")
