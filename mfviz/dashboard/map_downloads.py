"""The Latent space map's downloads: its coordinates (CSV), and the item vectors with their metadata for TensorFlow's
Embedding Projector (zip)."""

from __future__ import annotations

import streamlit as st

from mfviz.dashboard import cached_exports, export_counts, map_projection
from mfviz.dashboard.figures import file_name


def show(data, entry, method: str, three_d: bool, projection_key: str, mapped_key: str, table, vectors,
         saved_names: tuple[str, ...], whole: bool = True) -> None:
    """The two download buttons under the map, in files named after the data and the model (`saved_names`);
    `whole`: the map is of the whole catalogue, not a selection mapped on its own (whose count is said above)."""
    exports = st.columns(2)
    named = f"latent_{map_projection.link_name(method)}{'_3d' if three_d else ''}"
    exports[0].download_button("Download the map coordinates (CSV)", cached_exports.map_csv(projection_key, table),
                               file_name=file_name(named, "csv", *saved_names), mime="text/csv", key="latent_csv")
    exports[1].download_button("Download for TensorFlow's Embedding Projector (zip)",
                               lambda: cached_exports.projector_zip(f"{entry.key}|{data.key}{mapped_key}", vectors,
                                                                    table, data.interactions.item_ids),
                               file_name=file_name("embedding_projector", "zip", *saved_names),
                               mime="application/zip", key="latent_projector",
                               on_click="ignore", disabled=vectors.shape[1] < 2,  # the Projector refuses 1-D vectors
                               help="vectors.tsv (the model's item vectors, one row per item) and metadata.tsv (title, "
                                    "the genre the map colours by as distinctive_genre, genres, popularity, vector "
                                    "length): on projector.tensorflow.org, press Load and choose each file; colour by "
                                    "distinctive_genre for the map's colours. With projector_config.json (to share them "
                                    "by a link) and .pbtxt (TensorBoard), and a README on each way." if vectors.shape[1] >= 2 else
                               "The Embedding Projector needs vectors of at least two dimensions, and this model has one "
                               "(it stops with \"Found a vector with only one dimension?\").")
    # beside both files, not only in a tooltip
    if whole and (left := export_counts.for_model(entry, len(table), data.interactions.n_items, "item")):
        st.caption(left)
