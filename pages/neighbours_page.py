"""Neighbours page: an item's nearest items by cosine and by dot product, side by side."""

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import (
    background,
    cached_data,
    cached_dimensions,
    cached_neighbours,
    cached_recommend,
    compared_lists,
    dimension_places,
    figures,
    labels,
    links,
    looked_at,
    pickers,
    support,
    title_rows,
    ui,
    untrained,
    verdicts,
)

# the function, not the module: this page's `lists` are its neighbour lists
from mfviz.dashboard.lists import swap_compared
from mfviz.dashboard.plain import plain
from mfviz.data.id_lists import join_ids, user_named

ui.header("Neighbours", "Which items does the model put next to a given item? Cosine similarity compares "
          "only directions (taste); dot product also rewards long vectors, which usually belong to popular "
          "items. Compare the two lists.")

data = ui.current_data()
inter = data.interactions
SHOWN_BEFORE = "mfviz.neighbours_shown_before"  # the model shown on the last run, for the side-by-side choice's swap
link = links.opened(data, "neighbours")  # a link to this page names the model and the item
links.take_compared(link, "neighbours_compare", ("item", "k", "min", "compare"))  # this page's parameters
links.pick_model(link, data)
linked_item = "item" in link and bool(chosen := links.indices(inter, "item", link["item"]))
if linked_item:
    st.session_state["neighbours_item"] = chosen[0]
# "Neighbours shown" and "Min. interactions" each on one line, the model's name whole; the item takes the rest
controls = st.columns([2, 2.8, 1.2, 1.15])
with controls[0]:
    entry = ui.model_picker()
# the item last looked at on Latent space (clicked, searched, inspected), unless the link names one
looked_at.take("neighbours", "neighbours_item", entry.key, chosen_here=linked_item)
with ui.guard("Reading the data"):
    summary = cached_data.summary(data.key, inter)
popularity = summary.item_popularity
titles = inter.titles
order = np.argsort(-popularity, kind="stable")
with ui.guard("Choosing the item to open on"):  # a popular item whose lists differ as most do
    opening = support.opening_item(entry, data, popularity, background.NEIGHBOURS_K)
item = pickers.pick_one(controls[1], "Item", "item", order, inter, "neighbours_item",
                        # its popularity as a count with its unit: cut at the box's edge, "popularity 131" read
                        # "popularity 1", where "131 intera…" keeps the number
                        lambda i: f"{titles[i]} · {figures.counted(int(popularity[i]), 'interaction')}",
                        default=opening,
                        help="Items are listed most popular first (an item's popularity: its number of interactions "
                             "in the data); type to search. The page opens on the item last looked at on Latent space, "
                             "else on the most popular item whose two lists share no more items than an item's do on "
                             "average.")
looked_at.note("neighbours", entry.key, item, chosen_here=linked_item)  # Latent space opens on it next
links.number(link, "k", "neighbours_k", 3, 50, background.NEIGHBOURS_K)
k = controls[2].number_input(labels.NEIGHBOURS_SHOWN, 3, 50, key="neighbours_k",
                             help=labels.NEIGHBOURS_SHOWN_HELP + " Here also the user's two lists at the foot of "
                                  "the page.")
if link:  # a link opened: its filter, or none (the lists it was made on), from the whole link (`link` holds only
    # the values this session had not seen: a min= it wrote before read as none)
    support.from_link({name: st.query_params[name] for name in st.query_params}, "neighbours_min_support")
min_support = support.min_support_input(controls[3], "neighbours_min_support")
links.show(data, entry, "neighbours", item=links.id_list(inter, "item", [item]), k=int(k),
           min=support.link_value(min_support),
           compare=join_ids(st.session_state.get("neighbours_compare") or []) or None)  # drawn further down
vectors = entry.model.item_factors
saved_names = ui.data_label(data), entry.name  # in every chart's image file name
counts = support.item_support(entry, popularity)  # what the model saw of each item: the filter's measure

if counts[item] == 0:  # nobody has it, or its split (or that of a model file, which keeps it) held it out wholly
    st.info(untrained.item_note(plain(titles[item]), int(popularity[item]), plain(entry.name),
                                ": its vector was never fitted, and any neighbours would be the catalogue in index "
                                "order. Pick an item " + ("with interactions." if popularity[item] == 0 else
                                                          "it was trained on.")), icon=":material/info:")
    ui.stop()
with ui.guard("Finding neighbours"):
    comparison = support.compared(entry, data, popularity, item, k, min_support)

if len(comparison.cosine) < k:
    st.caption(f"The data has {figures.counted(inter.n_items, 'item')}, so each list holds the "
               f"{figures.counted(len(comparison.cosine), 'other item')}.")
support.notice(comparison, counts, "neighbours_min_support", popularity, titles)
# Plain label and a one-line verdict under each number; the analyst's term (Jaccard, ...) in the tooltip. How
# much the lists share is one card: a Jaccard overlap of 0.33 beside "5 of 10" said the same fact twice.
n_listed = len(comparison.cosine)
cards = st.columns(3)
cards[0].metric("Items on both lists", f"{comparison.overlap} of {n_listed}",
                help=f"Items in both the cosine and the dot-product list, of the {n_listed} each holds (as a Jaccard "
                     f"overlap, items on both lists / items on either: {comparison.jaccard:.2f}).")
cards[0].caption(verdicts.shared_items(comparison.overlap, n_listed))
cards[1].metric("Mean popularity, cosine list", f"{comparison.mean_popularity_cosine:,.0f}",
                help="The mean popularity of the cosine neighbours: their mean number of interactions in the data.")
cards[1].caption("interactions per neighbour")
cards[2].metric("Mean popularity, dot list", f"{comparison.mean_popularity_dot:,.0f}",
                help="The mean popularity of the dot-product neighbours: their mean number of interactions in the data.")
cards[2].caption(verdicts.popularity_ratio(comparison.mean_popularity_dot, comparison.mean_popularity_cosine))
# The page's point in one line, whatever the item: one item's lists can agree (a presenter's first item showed
# "10 of 10 ... about as popular"), while over many items the dot lists lean popular. Filled from "Over many
# items" below, once the item's own lists are drawn (the sample of many items is the slower part).
lean_line = st.empty()

def number_columns(frame: pd.DataFrame, score_help: str) -> dict:
    """Column configs of a list's score (and norm): one count of decimals down the column, enough for 3 significant
    digits of its largest (figures.fixed_decimals: dot products 0.066, 0.057, 0.0522 read 0.0660, 0.0570, 0.0522)."""
    config = {"score": st.column_config.NumberColumn(format=figures.fixed_decimals(frame["score"]), width=52,
                                                     help=score_help)}
    if "norm" in frame.columns:
        config["norm"] = st.column_config.NumberColumn("vector length", format=figures.fixed_decimals(frame["norm"]),
                                                       help="Length of the neighbour's item vector, ‖qᵢ‖.")
    return config


# Two tables side by side must fit 1280 px with the sidebar open (a projector): the row order is the rank,
# so no rank column; the title gets what the numbers and the box that steps to a neighbour (32 px) leave of
# 402 px; vector length and lift are one toggle away, with the tables then stacked at full width.
more = st.toggle("Show vector lengths and lift over chance", key="neighbours_more_columns",
                 help="Adds each neighbour's vector length (‖qᵢ‖) and how many times more users have both items than "
                      "chance would give (lift); the two lists are then shown one above the other.")
columns = ["title", "score", "popularity", "together"] + (["norm", "lift"] if more else [])
TITLE_WIDTH, USER_TITLE_WIDTH = 180, 260  # px of the title columns of the two lists side by side (item, user)
evidence = {"title": st.column_config.TextColumn(width=None if more else TITLE_WIDTH),
            "popularity": st.column_config.NumberColumn(labels.POPULARITY, width=labels.POPULARITY_WIDTH,
                                                        help=labels.POPULARITY_HELP)} | compared_lists.EVIDENCE
lists = (("cosine", comparison.cosine, "**By cosine** (direction only), closest first"),
         ("dot", comparison.dot, "**By dot product** (direction × length), closest first"))
# side by side, a title longer than its column wraps onto a second line (both lists' rows alike, so they stay level);
# stacked at full width, the column fits it
sizing = {} if more else title_rows.sizing(len(comparison.cosine), *((frame["title"], TITLE_WIDTH) for _, frame, _ in lists))
for place, (metric, frame, heading) in zip(((st.container(), st.container()) if more else st.columns(2)), lists,
                                           strict=True):
    with place:
        st.markdown(heading)
        # a click on a row's box: that neighbour's own neighbours (pickers.stepping_table)
        pickers.stepping_table(st, frame[[c for c in columns if c in frame.columns]], frame["item"],
                               f"neighbours_step_{metric}", "neighbours_item", hide_index=True,
                               width="stretch", column_config=evidence | number_columns(
                                   frame, "Cosine similarity or dot product with the item."), **sizing)
if "together" in comparison.cosine.columns and len(comparison.cosine):
    unshared = int((comparison.cosine["together"] == 0).sum())
    median = comparison.cosine["together"].median()
    # against random lists as popular too: popular items share users with everything, so 1.5× over chance can be
    # what any items of that popularity give (Star Wars' cosine neighbours on MovieLens 100K)
    matched = {metric: cached_neighbours.matched_lift(entry.key, data.key, data.interactions.matrix, int(item),
                                                      tuple(int(i) for i in getattr(comparison, metric)["item"]),
                                                      int(min_support), counts) for metric in ("cosine", "dot")}
    matched = {metric: f"{lift:.1f}×" if np.isfinite(lift) else "–" for metric, lift in matched.items()}  # –: no draw
    st.caption(f"Tick a row's box (keyboard: Shift+Space on a row) to step to that item's own neighbours. Together: "
               f"the users who have both items. The cosine neighbours share a median of "
               f"{median:,.0f} user{'' if round(median) == 1 else 's'} with this item "
               f"({comparison.cosine['lift'].median():.1f}× what chance would give; random items as popular "
               f"{matched['cosine']}), the dot-product neighbours "
               f"{comparison.dot['together'].median():,.0f} ({comparison.dot['lift'].median():.1f}×; random "
               f"{matched['dot']})"
               + (f"; {figures.counted(unshared, 'cosine neighbour')} share{'s' if unshared == 1 else ''} no user with it: the model "
                  "links them through the items their users have in common, not through shared users."
                  if unshared else "."))


def show_on_map(chosen: int) -> None:
    st.session_state["latent_anchor"] = chosen  # a callback: set before the Latent space page draws its picker


pickers.step_back(st, "neighbours_item", titles)  # after ticks from one neighbour to the next
if st.button("Show on the map →", key="neighbours_to_map", on_click=show_on_map, args=(int(item),),
             help="The Latent space page with this item starred and lines to these neighbours: does the map keep "
                  "them close?"):
    st.switch_page("pages/latent_page.py")
ui.show(chart := figures.neighbour_popularity(comparison.cosine, comparison.dot, str(titles[item])),
        config=figures.export_config(chart.figure, *saved_names))
with ui.guard("Placing the item on the model's dimensions"):
    dims = cached_dimensions.dimensions(entry.key, entry.model)
    close = comparison.cosine["item"].to_numpy()
    item_place = dims.percentiles(dims.item_coords[item])[0]
    close_place = dims.percentiles(dims.item_coords[close]).mean(axis=0) if len(close) else None
places = {"this item": (item_place, "Share of all items (%) lower on the dimension: 50 = a typical item, past 90 = "
                                     "among the items that name its + end.")}
if len(close):  # a minimum of interactions can leave no neighbour: no mean to place
    places[f"its {figures.counted(len(close), 'cosine neighbour')} (mean)"] = (
        close_place, "The same share, averaged over the cosine list above.")
dimension_places.dimension_profile(entry, data, f"“{titles[item]}” and its cosine neighbours", places,
    "Where the item and its neighbours both sit far toward one end of a strong dimension, that dimension is part "
    "of what they have in common.")
others = [name for name in ui.models() if name != entry.name and ui.models()[name].kind != "popularity"]
# A model chosen to be shown that was side by side swaps places with the one shown before (it vanished from the
# choice, and the model just shown with it).
if (compared_now := st.session_state.get("neighbours_compare") or []) != (
        swapped := swap_compared(compared_now, entry.name, st.session_state.get(SHOWN_BEFORE), others)):
    st.session_state["neighbours_compare"] = swapped
st.session_state[SHOWN_BEFORE] = entry.name
links.keep_compared("neighbours_compare", others)
if others:
    compare = st.multiselect(
        "Cosine neighbours side by side with", others, key="neighbours_compare", max_selections=links.MAX_COMPARED,
        placeholder="other models of this session",
        help="The same item's cosine neighbours in other models, next to this model's.")
    if compare:
        with ui.guard("Finding neighbours in the other models"):
            from mfviz.analysis.neighbours import co_occurrence, supported_rows

            # the data's evidence for each list, as for this model's lists above (analysis.co_occurrence)
            sides = {entry.name: compared_lists.SideList(
                comparison.cosine["item"].to_numpy(), comparison.cosine["score"].to_numpy(),
                together=comparison.cosine["together"].to_numpy(),
                lift=comparison.cosine["lift"].to_numpy() if more else None)}
            thin = {}
            for name in compare:
                other_entry = ui.models()[name]
                other_support = support.item_support(other_entry, popularity)
                allowed = supported_rows(other_support, min_support)
                index = cached_neighbours.neighbour_index(other_entry.key, other_entry.model.item_factors, "cosine")
                ids, scores = index.query([int(item)], int(k), candidates=allowed)
                ids, scores = ids[0][ids[0] >= 0], scores[0][ids[0] >= 0]
                together, lift = co_occurrence(inter.matrix, int(item), ids)
                sides[name] = compared_lists.SideList(ids, scores, together=together, lift=lift if more else None)
                thin[f"in {name}"] = support.thin_list(ids, other_support, titles)
        with ui.guard("Measuring how well the data's users back each model's lists"):
            # the "Users behind them" card's figure (over many items, below) for each model's cosine lists
            behind = {name: support.summarised(ui.models()[name], data, popularity, k, min_support) for name in sides}
            for name, numbers in behind.items():
                if "median_lift_cosine" in numbers:
                    sides[name].note = (f"users behind them {numbers['median_lift_cosine']:.1f}× (random as popular "
                                        f"{numbers['median_lift_null_cosine']:.1f}×)")
        # rare neighbours in the other models' lists, warned of as this model's are (above)
        support.thin_notice(thin, "neighbours_min_support", "neighbours_min_support_few_side")
        with ui.guard("Showing the lists side by side"):
            compared_lists.side_by_side(
                sides, titles, popularity, int(k), per_row=1 if more else compared_lists.SIDE_BY_SIDE_PER_ROW,
                score_help="Cosine similarity of the neighbour with the item in that model.",
                note=compared_lists.backing_note(behind))
        with ui.guard("Comparing the models over many items"):
            agreement = {name: cached_neighbours.agreement(entry.key, ui.models()[name].key, vectors,
                                                           ui.models()[name].model.item_factors, int(k))
                         for name in compare}
        cards = st.columns(len(agreement) + 1)
        for card, (name, frame) in zip(cards, agreement.items(), strict=False):
            left_out = int(frame.attrs.get("left_out", 0))
            card.metric(f"Shared with {plain(name)}", f"{frame['shared'].mean():.1f} of {int(k)}",
                        help=f"Mean number of an item's {int(k)} cosine neighbours both models list, over "
                             f"{figures.counted(len(frame), 'item')}."
                             + (f" {figures.counted(left_out, 'item')} with a zero vector in either model (absent "
                                "from its training part: no direction, so no neighbours) are left out, as items and "
                                "as neighbours." if left_out else ""))
            if left_out:
                card.caption(f"{figures.counted(left_out, 'item')} without a vector left out")
        ui.show(chart := figures.agreement_histogram(agreement, int(k), entry.name),
                config=figures.export_config(chart.figure, *saved_names))
        first, frame = next(iter(agreement.items()))
        popular = frame.assign(popularity=popularity[frame["item"]]).nlargest(50, "popularity")
        disputed = popular.nsmallest(8, "shared", keep="first")
        st.markdown(f"**Popular items on whose neighbours {plain(entry.name)} and {plain(first)} disagree most** (of the 50 most "
                    "popular sampled)")
        st.dataframe(pd.DataFrame({"title": titles[disputed["item"]], "popularity": disputed["popularity"],
                                   "shared": disputed["shared"]}), hide_index=True, width="stretch",
                     column_config={"popularity": st.column_config.NumberColumn(labels.POPULARITY,
                                                                                help=labels.POPULARITY_HELP)})

# ------------------------------------------------------------------ over many items
st.subheader("Over many items")
with ui.guard("Comparing neighbour lists over many items"):
    overall = support.summarised(entry, data, popularity, k, min_support)
numbers = {key: value for key, value in overall.items() if not isinstance(value, pd.DataFrame)}
per_item = next((value for value in overall.values() if isinstance(value, pd.DataFrame)), None)
ratio_key = next((key for key in numbers if "ratio" in key), None)
overlap_key = next((key for key in numbers if "overlap" in key), None)
# an item absent from the training part has a zero vector and the catalogue in index order for neighbours: not sampled
not_trained = int(overall.get("items_untrained", 0))
sampled_words = (figures.counted(int(overall["items"]), "sampled item")
                 + (" the model was trained on" if not_trained else ""))
if ratio_key and overlap_key:
    lean_line.markdown(f"**Over {sampled_words}:** "
                       f"{verdicts.popularity_ratio(numbers[ratio_key], 1.0)}; the two lists share "
                       f"{numbers[overlap_key]:.1f} of {int(k)} items on average (*Over many items*, below).")
if not_trained:
    st.caption(f"Over {sampled_words}: {figures.counted(not_trained, 'item')} absent from its training part "
               f"{'are' if not_trained != 1 else 'is'} left out (a vector never fitted has no direction, so its "
               "neighbours would be the catalogue in index order).")
if min_support:  # the cards below are of the same filtered lists as above
    st.caption(f"Over {figures.counted(int(overall['items']), 'sampled item')}, each listing only items with at least "
               f"{min_support:,} interactions in the training data, as above.")
cards = st.columns(4)
if ratio_key:
    cards[0].metric("Mean popularity, dot ÷ cosine", verdicts.times(numbers[ratio_key]),
                    help=f"The mean popularity of the dot-product neighbour lists / that of the cosine lists, over "
                         f"sampled items ({numbers[ratio_key]:.3f}×). Above 1×, the dot lists lean popular.")
    typical = (f"; the typical item's (median): {verdicts.times(float(per_item[ratio_key].median()))}"
               if per_item is not None and ratio_key in per_item.columns and per_item[ratio_key].notna().any() else "")
    # the card divides the mean popularities; the histogram below is of each item's ratio (its median marked)
    cards[0].caption(verdicts.popularity_ratio(numbers[ratio_key], 1.0) + " (ratio of the means" + typical + ")")
if overlap_key:
    cards[1].metric("Items both lists share", f"{numbers[overlap_key]:.1f} of {int(k)}",
                    help="Mean number of items the cosine and the dot-product list of an item share, over sampled items.")
    cards[1].caption(verdicts.shared_items(numbers[overlap_key], int(k)))
with ui.guard("Measuring the index's recall"):
    recall_cos, exact_cos = cached_neighbours.index_recall(entry.key, vectors, "cosine")
    recall_dot, exact_dot = cached_neighbours.index_recall(entry.key, vectors, "dot")
how = "exact search (small catalogue)" if exact_cos and exact_dot else "hnswlib approximate index"
cards[2].metric("Neighbour search accuracy", f"{min(recall_cos, recall_dot):.0%}",
                help=f"Index recall@10, cosine / dot: share of the true top-10 the neighbour index returns, measured "
                     f"against exact search; {how}. The lower of the two is shown; 100% = the lists are exact.")
cards[2].caption(f"cosine {recall_cos:.0%}, dot {recall_dot:.0%}: {verdicts.index_recall(min(recall_cos, recall_dot))}")
if "median_lift_cosine" in numbers:
    cards[3].metric("Users behind them, cos / dot",
                    f"{numbers['median_lift_cosine']:.1f}× / {numbers['median_lift_dot']:.1f}×",
                    help=f"Median lift: how many times more users have both an item and its neighbour than chance would "
                         f"give (median over the neighbours sharing at least {numbers['min_together']} users with the "
                         f"item — {numbers['pairs_counted_cosine']:.0%} of the cosine pairs, "
                         f"{numbers['pairs_counted_dot']:.0%} of the dot pairs —, then over the sampled items): the "
                         "data's evidence for the model's neighbour lists. Chance is no yardstick: random pairs of "
                         "items already share more users than independence gives. Beside it, the same figure for "
                         "random lists of the same popularity (each neighbour replaced by an item within 10 places of "
                         "it in popularity order): the lists are backed by the data only well above that.")
    cards[3].caption(f"random pairs as popular: {numbers['median_lift_null_cosine']:.1f}× / "
                     f"{numbers['median_lift_null_dot']:.1f}×; "
                     + verdicts.lift_pair(numbers["median_lift_cosine"], numbers["median_lift_dot"],
                                          numbers["median_lift_null_cosine"], numbers["median_lift_null_dot"]))
if per_item is not None:
    ratio_columns = [c for c in per_item.columns if "ratio" in c]
    if ratio_columns:
        ui.show(chart := figures.popularity_ratio_histogram(per_item, ratio_columns[0]),
                config=figures.export_config(chart.figure, *saved_names))

# ------------------------------------------------------------------ a user's recommendations
st.subheader("The same for a user's recommendations")
st.markdown("A user's scores are dot products with item vectors (the dot-product list is the model's own ranking, "
            "biases aside); ranking by cosine instead divides each score "
            "by the item vector's length, so it leaves out what length adds.")
activity = summary.user_activity
users = np.argsort(-activity, kind="stable")
user = pickers.pick_one(st, "User", "user", users, inter, "neighbours_user",
                        lambda u: f"{user_named(inter.user_ids[u])} · {figures.counted(int(activity[u]), 'interaction')}",
                        default=background.middle_user(activity))
with ui.guard("Ranking items for the user"):
    lists = cached_recommend.user_lists(entry.key, entry.model, data.key, inter.matrix, int(user), int(k), popularity,
                                        titles)
if lists["cosine"].empty:
    st.info(f"{plain(user_named(inter.user_ids[user], capital=True))} has every item of the data: nothing is left to rank.", icon=":material/info:")
left, right = st.columns(2)
sizing = title_rows.sizing(len(lists["cosine"]), *((lists[metric]["title"], USER_TITLE_WIDTH) for metric in ("cosine", "dot")
                                                  if not lists[metric].empty))
for column, metric, name in ((left, "cosine", "By cosine"), (right, "dot", "By dot product")):
    if lists[metric].empty:
        continue
    with column:
        frame = lists[metric]
        st.markdown(f"**{name}**, best first · mean popularity {frame['popularity'].mean():,.0f}")
        st.dataframe(frame[["title", "score", "popularity"]], hide_index=True, width="stretch",  # rows: best first
                     column_config={"popularity": evidence["popularity"]}
                     | number_columns(frame, "Cosine similarity or dot product with the user's vector.")
                     | {"title": st.column_config.TextColumn(width=USER_TITLE_WIDTH)}, **sizing)
if not lists["cosine"].empty:
    st.caption(figures.length_lean(lists["cosine"]["popularity"].mean(), lists["dot"]["popularity"].mean(),
                                   "recommendation"))
