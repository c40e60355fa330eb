"""The Train page's charts under the table: the models compared by a test metric chosen ("Compare by"), the last
sweep's metric against the values it tried, and, for a sweep of seeds, how many neighbours the seeds' models share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import (
    cached_neighbours,
    model_names,
    state,
    sweeps,
    train_figures,
    training,
    ui,
)


def show(results: pd.DataFrame, baseline_rows: list[dict], baseline_of: dict, entries: dict) -> None:
    """The comparison chart of the models in `results` (with the baseline's rows), then the last sweep's chart."""
    metric_columns = [c for c in results.columns
                      if c not in ("model", "fit_seconds", "epochs", "split", "hyperparameters", "vs. baseline")]
    if metric_columns and len(results) >= 1:
        # The metric the user chose stays, kept apart from the widget (Streamlit forgets it on another page); by default
        # NDCG@k, which every model with a test set has. RMSE, which models of ratings alone have, was once picked by
        # itself after Funk SVD was trained: the chart then showed one model of five (UX review).
        chosen = st.session_state.get(state.COMPARE_METRIC)
        if chosen not in metric_columns:
            chosen = next((c for c in metric_columns if c.startswith("ndcg")), metric_columns[0])
        metric = st.selectbox("Compare by", metric_columns, index=metric_columns.index(chosen),
                              format_func=model_names.metric_label, key="compare_metric",
                              help="The test metric of the chart below. RMSE and MAE: only the models that predict "
                                   "ratings (Funk SVD, SVD++, ALS) have them.")
        st.session_state[state.COMPARE_METRIC] = metric
        baseline_points = pd.DataFrame(baseline_rows)
        # said, not silently dropped: which models have no value of it, and why
        left_out = {name: training.why_no_value(entries[name], metric)
                    for name in results["model"][results[metric].isna()]}
        if len(baseline_points) and (metric not in baseline_points.columns or baseline_points[metric].isna().all()):
            left_out["the Popularity baseline"] = training.RANKS_ONLY
        ui.show(train_figures.model_comparison(results, metric, baseline_points, left_out=left_out))
        sweep = st.session_state.get(state.LAST_SWEEP)
        swept_entries = [entries[name] for name in (sweep[1] if sweep else ()) if name in entries]
        if len(swept_entries) >= 2 and all(metric in e.metrics for e in swept_entries):
            name = sweep[0]
            baseline = baseline_of.get(swept_entries[0].name, (None, {}, 0))[1].get(metric)
            picked, by = sweeps.sweep_pick(swept_entries, name)  # the model the sweep's message names, and by what
            ui.show(train_figures.sweep_chart(name, [e.params[name] for e in swept_entries],
                                              [e.metrics[metric] for e in swept_entries],
                                              [e.fit_seconds for e in swept_entries], metric, baseline,
                                              picked=(picked.params[name], by) if by else None))
            if name == "random_state" and all(hasattr(e.model, "item_factors") for e in swept_entries):
                # Seeds differ in more than the metric: how much of the item space is the same?
                with ui.guard("Comparing the seeds' neighbours"):
                    pairs = [(a, b) for i, a in enumerate(swept_entries) for b in swept_entries[i + 1:]]
                    frames = [cached_neighbours.agreement(a.key, b.key, a.model.item_factors, b.model.item_factors, 10)
                              for a, b in pairs]
                    shared = [frame["shared"].mean() for frame in frames]
                    left_out = max(int(frame.attrs.get("left_out", 0)) for frame in frames)
                st.caption(f"Neighbours across seeds: two of these models share {np.mean(shared):.1f} of an item's 10 cosine "
                           f"neighbours on average ({min(shared):.1f}–{max(shared):.1f} over the {len(pairs)} pairs, up to "
                           "1,000 items each"
                           + (f"; items with a zero vector, absent from the training part, left out: up to {left_out:,}"
                              if left_out else "")
                           + "): the part of any single neighbour list that is chance rather than data "
                           "(Neighbours page, side by side, for item by item).")
