"""Popularity bias page: how strongly each trained model leans towards popular items, side by side."""

import pandas as pd
import streamlit as st

from mfviz.dashboard import background, cache, figures, ui

ui.header("Popularity bias", "Do the models recommend only the blockbusters? Each chart compares every "
          "model of this session with the plain Popularity baseline (grey), the most biased recommender.")

data = ui.current_data()
inter = data.interactions
ui.ensure_model()
k = st.slider("Recommendation list length k", 5, 50, background.BIAS_K, 5, key="bias_k")

entries = dict(ui.models())
with ui.guard("Training the Popularity baseline"):
    baseline = cache.popularity_baseline(data.key, inter)
if not any(e.kind == "popularity" for e in entries.values()):
    entries = {"Popularity": baseline, **entries}

reports = {}
with ui.guard("Measuring popularity bias"):
    for name, entry in entries.items():
        reports[name] = cache.popularity_report(entry.key, entry.model, data.key, inter, int(k))

table = pd.DataFrame([{"model": name, "arp": r.arp, "aplt": r.aplt, "coverage": r.coverage, "gini": r.gini,
                       "norm–popularity ρ": r.norm_popularity_spearman} for name, r in reports.items()])
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "arp": st.column_config.NumberColumn("ARP", format="%.1f", help="Mean training count of recommended items."),
    "aplt": st.column_config.NumberColumn("APLT", format="%.3f", help="Mean share of long-tail items per list."),
    "coverage": st.column_config.NumberColumn("coverage", format="%.3f", help="Distinct recommended items / catalogue."),
    "gini": st.column_config.NumberColumn("Gini", format="%.3f", help="0 = every item recommended equally often."),
    "norm–popularity ρ": st.column_config.NumberColumn(format="%.2f",
                                                       help="Spearman correlation of item vector norm with popularity."),
})
st.caption(f"Long tail = items outside the most popular ones that carry 20% of interactions; lists of k = {k} "
           "for a sample of up to 2,000 users, seen items excluded. Gini uses 0 = perfectly even (as RecBole).")

# One diagnostic at a time: a hidden tab's charts are neither built nor drawn (each Plotly chart costs
# Chromium 0.1-0.5 s without a GPU), so the page answers in under a second; switching tabs is a rerun.
VIEWS = ["The four numbers", "Per user group", "Who gets recommended", "Vector length and popularity"]
views = dict(zip(VIEWS, st.tabs(VIEWS, key="bias_view", on_change="rerun"), strict=True))

if views["The four numbers"].open:
    with views["The four numbers"]:
        left, right = st.columns(2)
        for n, metric in enumerate(("arp", "aplt", "coverage", "gini")):
            with (left if n % 2 == 0 else right):
                ui.show(figures.bias_bars(table, metric))

if views["Per user group"].open:
    with views["Per user group"]:
        ui.show(figures.group_lift_chart({name: r.group_lift for name, r in reports.items()}))

if views["Who gets recommended"].open:
    with views["Who gets recommended"]:
        ui.show(figures.recommendation_lorenz({name: r.recommended_counts for name, r in reports.items()}))

if views["Vector length and popularity"].open:
    with views["Vector length and popularity"]:
        factor_models = [name for name, e in entries.items() if e.kind != "popularity"]
        if factor_models:
            pick = st.selectbox("Model", factor_models, index=len(factor_models) - 1, key="bias_norm_model")
            chosen = entries[pick]
            norms = cache.item_norms(chosen.key, chosen.model.item_factors)
            summary = cache.summary(data.key, inter)
            ui.show(figures.norm_popularity(norms, summary.item_popularity, pick))
        else:
            st.caption("Only the Popularity baseline is here; train a factor model to see its vector lengths.")
