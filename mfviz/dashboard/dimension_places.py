"""Where an item, a user's items or a taste sit on the model's strongest dimensions: tracks from the − end to the
+ end, each end named, with a mark per thing placed (Recommend and Neighbours pages)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import cached_dimensions
from mfviz.dashboard.state import ModelEntry
from mfviz.dashboard.ui import guard, show_svg

PROFILE_DIMENSIONS = 6  # rows of a dimension profile
NO_DIMENSIONS = ("This model's vectors are all zero (it scores every item 0 for every user): it learned nothing to "
                 "place items on, so it has no dimensions to show. Retrain it (other data or settings) or pick "
                 "another model.")


def dimension_profile(entry: ModelEntry, data, title: str, columns: dict[str, tuple[np.ndarray, str]],
                      caption: str) -> None:
    """The model's strongest dimensions as tracks from the − end to the + end, each end named (genres
    over-represented there, or first titles), with a mark per entry of `columns` ({name: (places 0–100, help)},
    e.g. an item's share of the items lower on each dimension) where it sits between them; the numbers in a
    table under it."""
    from mfviz.analysis.dimensions import end_names
    from mfviz.dashboard import svg_charts

    with guard("Placing it on the model's dimensions"):
        dims = cached_dimensions.dimensions(entry.key, entry.model)
        if dims.empty:  # a notice in place of the table; the rest of the page goes on
            st.info(NO_DIMENSIONS, icon=":material/explore:")
            return
        shown = min(PROFILE_DIMENSIONS, dims.item_coords.shape[1])
        described = cached_dimensions.described_dimensions(entry.key, data.key, dims, data.interactions).head(shown)
    ends = end_names(described)
    labels = [f"{d + 1} ({dims.energy_share[d]:.0%})" for d in range(shown)]
    heading = f"{title} on the model's {shown} strongest dimensions"
    frame = pd.DataFrame({"dimension": labels, "− end": [minus for minus, _ in ends]})
    config = {"dimension": st.column_config.TextColumn(width="small", help="Its share of the model's score energy."),
              "− end": st.column_config.TextColumn(width="medium"), "+ end": st.column_config.TextColumn(width="medium")}
    for name, (percentiles, help_text) in columns.items():
        frame[name] = np.asarray(percentiles, float)[:shown]
        config[name] = st.column_config.NumberColumn(format="%.0f", width="small", help=help_text)
    frame["+ end"] = [plus for _, plus in ends]
    # a place between two ends, not an amount: a progress bar's empty track read "nothing"
    show_svg(svg_charts.dimension_strip(
        labels, ends, {name: frame[name].to_numpy() for name in columns}, heading,
        caption + " Each mark: the share of the model's items lower on the dimension, so at the left = far at the − "
        "end, the tick = the middle, at the right = far at the + end (a mean of several items' places tends toward the "
        "middle)." + END_NAMES_NOTE))
    with st.expander("The numbers (0 = far at the − end, 100 = far at the + end)"):
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config)


END_NAMES_NOTE = (" The ends are named by the genres over-represented there, or by their first titles; a dimension "
                  "that sorts the items by popularity, by \"popular items\" and \"rare items\"; one that sorts them by "
                  "release year, by \"older items\" and \"newer items\" (Latent space → Map: Dimensions shows them "
                  "with their items).")
