"""Popularity bias page: how strongly each trained model leans towards popular items, side by side."""

import pandas as pd
import streamlit as st

from mfviz.dashboard import (
    background,
    cached_data,
    cached_models,
    cached_popularity,
    figures,
    labels,
    model_start,
    plotted,
    state,
    training,
    ui,
    verdicts,
    versus_baseline,
)
from mfviz.dashboard.plain import plain
from mfviz.data.interactions import long_tail_split

ui.header("Popularity bias", "Do the models recommend only the blockbusters? Each chart compares every "
          "model of this session (of more than six, those chosen below) with the plain Popularity baseline (grey), the "
          "most biased recommender.")

data = ui.current_data()
inter = data.interactions
ui.ensure_model()
kept = st.session_state.get("bias_k")
if type(kept) is not int or kept not in range(5, 51, 5):  # kept across pages (workspace.PAGE_WIDGETS)
    st.session_state["bias_k"] = background.BIAS_K
k = st.slider(labels.LIST_LENGTH, 5, 50, step=5, key="bias_k",
              help=labels.LIST_LENGTH_HELP + " Here: the lists of every number and chart below (the “Beats the "
                                              "baseline?” verdicts keep the k of the Train page).")

entries = dict(ui.models())
with ui.guard("Training the Popularity baseline"):
    baseline = cached_popularity.popularity_baseline(data.key, inter)
if not any(e.kind == "popularity" for e in entries.values()):
    entries = {labels.BASELINE: baseline, **entries}
# Of many models, a chosen few (and the baseline, always: every chart is read against it)
chosen = plotted.plotted_models([name for name, e in entries.items() if e.kind != "popularity"], "bias_models")
entries = {name: e for name, e in entries.items() if e.kind == "popularity" or name in chosen}

reports = {}
with ui.guard("Measuring popularity bias"):
    for name, entry in entries.items():
        reports[name] = cached_popularity.popularity_report(entry.key, entry.model, data.key, inter, int(k))

table = pd.DataFrame([{"model": name, "arp": r.arp, "aplt": 100 * r.aplt, "coverage": 100 * r.coverage,
                       # the baseline's "vectors" are its counts: ρ = 1 by construction, which says nothing
                       "gini": r.gini, "norm–popularity ρ": None if entries[name].kind == "popularity"
                       else r.norm_popularity_spearman,
                       "head length": r.head_norm_percentile, "rare length": r.rare_norm_percentile,
                       # which part of the score carries the lists' popularity (models with item biases; NaN else)
                       "dot-only arp": r.arp_dot_only, "bias-only arp": r.arp_bias_only,
                       # a model with item biases adds them to every user's score: popularity can come through them
                       "bias–popularity ρ": cached_popularity.bias_popularity_rho(entries[name].key, entries[name].model,
                                                                                  data.key, inter)
                       if getattr(entries[name].model, "item_bias", None) is not None else None}
                      for name, r in reports.items()])
# Less popular lists are no better lists by themselves: a model that ranks below the baseline (Funk SVD's star
# predictions) tops the long-tail and coverage columns. Each model's verdict of the Train page sits beside them.
verdicts_by_model = {}
with ui.guard("Scoring the Popularity baseline on each model's split"):
    for _, _, _, split_k, names in versus_baseline.baseline_groups(list(entries.values())):
        # a Popularity model is the baseline itself: its "tie" with itself says nothing ("–", as for the baseline)
        verdicts_by_model |= {name: versus_baseline.against_baseline(versus_baseline.paired_with_baseline(entries[name], split_k),
                                                              split_k)
                              for name in names if entries[name].kind != "popularity"}
# the metric and users said once, in the header and help (whole in each cell, the column pushed the last three off a
# 1,280 px screen with the sidebar open)
verdict_k = sorted({k_ for _, _, _, k_, _ in versus_baseline.baseline_groups(list(entries.values()))})
counted_on = versus_baseline.verdict_users(verdicts_by_model.values())
table["accuracy"] = [versus_baseline.short_verdict(verdicts_by_model.get(name)) for name in table["model"]]
SHOWN = ["model", "accuracy", "arp", "aplt", "coverage", "gini", "norm–popularity ρ"]  # the lengths feed the words below
if table["bias–popularity ρ"].notna().any():
    SHOWN.append("bias–popularity ρ")
# Short plain headers with which way is good (↓ lower, ↑ higher: less popularity bias), so the table fits a
# projector; the analyst's term (ARP, APLT, Gini, ρ) and its definition in each header's tooltip. The frame
# keeps its short column names.
# the baseline's missing ρ reads "–", as in the Train page's table (Streamlit wrote "None")
# Widths in px (each header's words and arrow) that fit the table in the 820 px a 1,280 px screen leaves beside the
# sidebar, with a model name of ~25 characters: at their content's widths the last three columns were cut off.
# Each measure has one name across the pages ("pop." and "Avg. pop." read as other measures); the two ρ headers name
# what is correlated with popularity and their tooltips say the rest ("Length–popularity ρ" spelt out pushed the
# table off the screen; "Length–pop. ρ" was another name for popularity).
ARP_WIDTH, APLT_WIDTH, LENGTH_RHO_WIDTH, BIAS_RHO_WIDTH = 116, 112, 60, 50  # in all as wide as before
st.dataframe(table, hide_index=True, width="stretch", column_order=SHOWN, placeholder=training.NO_VALUE, column_config={
    "model": st.column_config.TextColumn(pinned=True),  # rows stay named when scrolled
    "accuracy": st.column_config.TextColumn(
        "Beats the baseline?", width=122,
        help="NDCG against the Popularity baseline, the Train page's verdict: whether the model's lists rank the "
             "held-out items better than the baseline's, " + versus_baseline.VERDICT_HELP
             + " The numbers: the difference in NDCG" + (f"@{verdict_k[0]}" if len(verdict_k) == 1 else "@k")
             + " ± the half-width of that interval."
             + (f" Here on {counted_on}." if counted_on else "") + " A model that does not can "
             "look unbiased here while its lists are no better than recommending the blockbusters to everyone. – : "
             "trained without a test share, loaded, or a Popularity model (the baseline itself)."),
    "arp": st.column_config.NumberColumn(
        "Mean popularity ↓", format="%.1f", width=ARP_WIDTH,
        help="ARP (average recommendation popularity): the mean popularity of the recommended items, i.e. their "
             "mean number of interactions in the data (per list, then over users). Lower: the lists reach beyond "
             "the blockbusters."),
    "aplt": st.column_config.NumberColumn(
        labels.LIST_TAIL + " ↑", format="%.1f", width=APLT_WIDTH,
        help="APLT (average percentage of long-tail items), in %: for each user, the share of the k items on their "
             "list that are long-tail items, averaged over users. Long tail: every item outside the head, the most "
             "popular items that together carry 20% of the interactions in the data. Not the Data page's "
             f"“{labels.CATALOGUE_TAIL}”, which counts the catalogue's items, not the lists' (a list drawn at random "
             "from the catalogue would score about that). Higher: more discovery."),
    "coverage": st.column_config.NumberColumn(
        "Coverage % ↑", format="%.1f", width=94,
        help="Catalogue coverage: distinct recommended items / all items, in %. Higher: more of the catalogue "
             "reaches someone. Not the Train page's Coverage@k, which counts the lists of a split's test users, each "
             "leaving out only the user's training items: the two differ."),
    "gini": st.column_config.NumberColumn(
        "Gini ↓", format="%.3f", width=90,
        help="Gini index (unevenness) of how often each item is recommended: 0 = every item equally often, 1 = one item gets "
             "every recommendation. Lower: recommendations spread more evenly."),
    "norm–popularity ρ": st.column_config.NumberColumn(
        "Length ρ", format="%.2f", width=LENGTH_RHO_WIDTH,
        help="Vector length–popularity ρ: Spearman correlation of an item's vector length ‖qᵢ‖ with its popularity, over every "
             "item the model was trained on. Near 1: length rises with popularity; near 0: length says nothing about "
             "popularity. A high ρ can come from the rare items alone (short vectors) while the most popular are of "
             "ordinary length: the plain words below say which."),
} | ({"bias–popularity ρ": st.column_config.NumberColumn(
        "Bias ρ", format="%.2f", width=BIAS_RHO_WIDTH,
        help="Bias–popularity ρ, for the models with item biases (Funk SVD, SVD++, ALS): Spearman correlation of an "
             "item's bias, which adds to every user's score of it alike, with its popularity. Near 1: the biases "
             "favour popular items whatever the vectors do.")} if "bias–popularity ρ" in SHOWN else {}))
rows = table.set_index("model")
baseline_row = rows.loc[labels.BASELINE] if labels.BASELINE in rows.index else None
shown = st.session_state.get(state.ACTIVE_MODEL)
if shown in rows.index and shown != labels.BASELINE:
    verdict = verdicts_by_model.get(shown)
    counts = inter.item_popularity  # all the data, as the table counts
    head = long_tail_split(counts)
    st.markdown("In plain words, for the model the pages show, " + verdicts.bias_summary(
        shown, rows.loc[shown], baseline_row, catalogue_mean=inter.nnz / max(inter.n_items, 1),
        head=(int(head.sum()), int(counts[head].min())) if head.any() else None)
        + (f"\n- but its lists rank the held-out items worse than the Popularity baseline's beyond noise ({verdict}): "
           "here, less popular lists are not better ones" if verdict and verdict.startswith(versus_baseline.WORSE) else
           f"\n- and its lists rank the held-out items no better than the Popularity baseline's ({verdict})"
           if verdict and verdict.startswith(versus_baseline.TIE) else ""))
st.caption(f"↓ lower, ↑ higher: the way to less popularity bias (not to better lists: “Beats the baseline?” says "
           f"that). Long tail = items outside the most popular ones that carry 20% of interactions; lists of k = {k} "
           "for a sample of up to 2,000 users, each without the items the user has in the data (as on the Recommend "
           "page; the Train page's coverage counts test users' lists instead, so it differs); popularity counts all "
           "the data. Gini uses 0 = perfectly even (as RecBole).")
# a split that held out all of some users' or items' interactions: their vectors were never fitted, so their lists
# (the catalogue in index order) and lengths (zero) are left out of every number above and below
left_out: dict[str, list[str]] = {}  # models of one split share the words: said once for them
for name, r in reports.items():
    # a Popularity model's "vectors" are its counts: no length to leave out
    if words := verdicts.never_trained(r.users_untrained, 0 if entries[name].kind == "popularity" else r.items_untrained):
        left_out.setdefault(words, []).append(f"**{plain(name)}**")
for words, names in left_out.items():
    st.caption(f"{', '.join(names)}: {words}")

# One diagnostic at a time: a hidden tab's charts are neither built nor drawn (each Plotly chart costs
# Chromium 0.1-0.5 s without a GPU), so the page answers in under a second; switching tabs is a rerun.
VIEWS = ["Four measures, charted", "Per user group", "Who gets recommended", "Vector length and popularity",
         "What less popular lists cost"]
views = dict(zip(VIEWS, st.tabs(VIEWS, key="bias_view", on_change="rerun"), strict=True))

if views["Four measures, charted"].open:
    with views["Four measures, charted"]:
        left, right = st.columns(2)
        for n, metric in enumerate(("arp", "aplt", "coverage", "gini")):
            with (left if n % 2 == 0 else right):
                ui.show(figures.bias_bars(table, metric), config=figures.NO_MODE_BAR)

if views["Per user group"].open:
    with views["Per user group"]:
        ui.show(chart := figures.group_lift_chart({name: r.group_lift for name, r in reports.items()}),
                    config=figures.export_config(chart.figure, ui.data_label(data)))

if views["Who gets recommended"].open:
    with views["Who gets recommended"]:
        ui.show(chart := figures.recommendation_lorenz({name: r.recommended_counts for name, r in reports.items()}),
                    config=figures.export_config(chart.figure, ui.data_label(data)))

if views["Vector length and popularity"].open:
    with views["Vector length and popularity"]:
        # one model at a time: any of the session's, not only those on the charts (its report is made when picked)
        factor_models = [name for name, e in ui.models().items() if e.kind != "popularity"]
        if factor_models:
            pick = model_start.model_selectbox("Model", factor_models, key="bias_norm_model")
            chosen = ui.models()[pick]
            if pick not in reports:
                with ui.guard("Measuring popularity bias"):
                    reports[pick] = cached_popularity.popularity_report(chosen.key, chosen.model, data.key, inter, int(k))
            norms = cached_models.item_norms(chosen.key, chosen.model.item_factors)
            summary = cached_data.summary(data.key, inter)
            # their zero vectors are no length the model learned
            trained = ~cached_models.untrained_items(chosen.key, chosen.model)
            ui.show(chart := figures.norm_popularity(norms[trained], summary.item_popularity[trained], pick),
                    config=figures.export_config(chart.figure, ui.data_label(data), pick))
            if reports[pick].items_untrained:
                st.caption(f"{figures.counted(reports[pick].items_untrained, 'item')} the model was never trained on "
                           "(zero vectors) are left out, of the chart and of its ρ "
                           f"({reports[pick].norm_popularity_spearman:.2f} over the other items).")
        else:
            st.caption("Only the Popularity baseline is here; train a factor model to see its vector lengths.")

if views["What less popular lists cost"].open:
    with views["What less popular lists cost"]:
        from mfviz.analysis.tradeoff import within_loss

        # every model of the session, not only those on the charts above: each curve is computed only when picked
        held_out = {name: e for name, e in ui.models().items() if e.test is not None and e.kind != "popularity"}
        if not held_out:
            st.info("Re-ranking is judged on held-out interactions: train a model with a test share above 0 "
                    "(Train page) to see what less popular lists cost it.", icon=":material/science:")
        else:
            names = list(held_out)
            picked = model_start.model_multiselect(
                "Models", names, key="bias_tradeoff_models", max_selections=4,
                help="Each model is judged on the test part of the split it was trained on. Up to 4 at once (the "
                     "curves of more cross into a tangle): \"Select all\" takes the first 4.")
            curves = {}
            with ui.guard("Re-ranking with popularity penalties"):
                for name in picked:
                    entry = held_out[name]
                    curves[name] = cached_popularity.tradeoff(entry.key, entry.model, entry.train, entry.test, int(k))
                first = held_out[picked[0]] if picked else None
                baseline = (cached_popularity.tradeoff_baseline(first.key, first.train, first.test, int(k))
                            if first is not None else None)
            if curves:
                ui.show(chart := figures.tradeoff_chart(curves, baseline, int(k)),
                    config=figures.export_config(chart.figure, ui.data_label(data)))
                ndcg = f"ndcg@{int(k)}"
                for name, curve in curves.items():
                    start, best = curve.iloc[0], within_loss(curve, int(k), 0.1)
                    if best is not None and best["strength"] > 0:
                        st.markdown(f"**{plain(name)}**: giving up at most 10% of its accuracy on held-out interactions "
                                    f"(NDCG@{int(k)} {start[ndcg]:.3f} → {best[ndcg]:.3f}) raises the long tail in its test "
                                    f"users' lists from {figures.rise(start['aplt'], best['aplt'])} and their catalogue coverage "
                                    f"from {figures.rise(start['coverage'], best['coverage'])} (penalty β = {best['strength']:g}; "
                                    "the tail by training counts: these differ from the table's above).")
                    elif best is not None:
                        st.markdown(f"**{plain(name)}**: even the weakest penalty (β = {curve['strength'].iloc[1]:g}) costs "
                                    f"more than 10% of its accuracy on held-out interactions (NDCG@{int(k)}): its "
                                    "accuracy rests on popular items.")
                st.caption("Penalty: each item's score is lowered by β × the spread of the model's scores × how many "
                           "standard deviations its log popularity lies above the catalogue's mean (popular items "
                           "lose, rare ones gain), then each user's 10·k best items by the model are ranked again (so a strong "
                           "penalty gives the least popular of the items the model finds relevant). The same penalty is a slider on "
                           "the Recommend page. Lists of k for up to 2,000 test users, training items excluded (the held-out ones "
                           "are what the lists are judged on); popularity and the long tail are counted on the "
                           "training part, so ARP here is lower than in the table above, which counts all the data.")
                with st.expander("The numbers"):
                    numbers = pd.concat([c.assign(model=name) for name, c in curves.items()])
                    numbers[["aplt", "coverage"]] *= 100  # in % as the table above and the charts
                    st.dataframe(numbers[["model", "strength", ndcg, f"recall@{int(k)}", "aplt", "arp", "coverage"]],
                                 hide_index=True, width="stretch", column_config={
                                     "aplt": st.column_config.NumberColumn(f"{labels.LIST_TAIL.lower()} (APLT, %)",
                                                                           format="%.1f"),
                                     "arp": st.column_config.NumberColumn("mean popularity (ARP)", format="%.1f"),
                                     "coverage": st.column_config.NumberColumn("coverage (%)", format="%.1f")})
