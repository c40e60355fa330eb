"""The Recommend page's new item (cold start): folded in from the fans of a few items without
retraining, the items it lands among, and whose lists it would enter as its first users grow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.analysis.cold_start import RANDOM_DRAWS, trained_audience
from mfviz.dashboard import (
    background,
    cached_data,
    cached_maps,
    cached_models,
    cached_recommend,
    figures,
    labels,
    lists,
    map_figures,
    pickers,
    ui,
    untrained,
)
from mfviz.dashboard.figures import counted
from mfviz.dashboard.plain import plain
from mfviz.dashboard.state import ModelEntry
from mfviz.models.funk import SGDModel

FIRST_USERS = 50  # the new item's first users, by default
NEIGHBOURS = 10
AS_RATED, ONE_RATING = "as they rated those items", "one rating for all"
FANS, RATERS = "fans (rated them at least the median)", "everyone who rated them"
NEW = -2  # the new item's index on the map (items are 0..n-1)


def show(entry: ModelEntry, data, popularity: np.ndarray, n: int, compare: list[str]) -> None:
    """The whole section: pick the fans, see the new item's place and reach (and other models')."""
    inter, model, titles = data.interactions, entry.model, data.interactions.titles
    seeds = pickers.pick_many(
        st, "Its first users are the fans of", "item", np.argsort(-popularity, kind="stable"), inter, "rec_new_from",
        lambda i: f"{titles[i]}", placeholder="Type a title and pick one or a few items…",
        help="A new item the model has never seen: its first users are a random draw from the users who liked "
             "these items (for ratings: at least the data's median rating). Its vector is solved from them with "
             "every user vector frozen (fold-in, no retraining).")
    if not seeds:
        st.info("Pick an item or two: a new item with their fans as its first users is folded into the model, and "
                "you see where it lands among the items and whose recommendations it would enter.", icon=":material/touch_app:")
        return
    ratings = cached_data.summary(data.key, inter).rating_histogram if inter.is_explicit else None
    at_least = None
    if ratings is not None and len(ratings) and st.radio(
            "Drawn from", [FANS, RATERS], horizontal=True, key="rec_new_who",
            help="Fans only give a new item an audience of enthusiasts (on ML-100K the fans of Star Wars rate it "
                 "4.65 on average where its raters give 4.36), which lifts its bias and its reach; everyone who "
                 "rated the items, as they rated them, is the audience such an item really gets.") == FANS:
        from mfviz.analysis.cold_start import liked_at

        at_least = liked_at(ratings["value"], ratings["count"])  # "liked": at least the median rating
    users, liked_values = cached_recommend.audience(data.key, inter.matrix, tuple(sorted(seeds)), at_least)
    users, liked_values, untrained_fans = trained_audience(model, users, liked_values)  # the same order: nested draws kept
    fans = at_least is not None or not inter.is_explicit
    never = (f" ({counted(untrained_fans, 'more user')} who {'liked' if fans else 'rated'} "
             f"them {'were' if untrained_fans != 1 else 'was'} never in {plain(entry.name)}'s training part: left out, as a vector "
             "never fitted says nothing of where the item lies)" if untrained_fans else "")
    if users.size == 0:
        st.warning("No user liked these items" + (f" (rated them {at_least:g} or more)" if at_least else "")
                   + (" among the users the model was trained on" if untrained_fans else "") + never
                   + ": pick other items.", icon=":material/visibility_off:")
        return
    settings = st.columns(2)
    size = users.size if users.size == 1 else settings[0].slider(
        "Its first users", 1, int(users.size), min(FIRST_USERS, int(users.size)), key="rec_new_size",
        help=f"How many of those {users.size:,} users have it so far (a fixed random draw; more users always "
             f"include the fewer){never}.")
    values, given = liked_values, AS_RATED
    scale = lists.rating_values(ratings) if ratings is not None else np.zeros(0)
    if inter.is_explicit and 0 < scale.size <= 21:
        with settings[1]:
            how = st.radio("They rate it", [AS_RATED, ONE_RATING], horizontal=True, key="rec_new_rated_how",
                           help="Each first user's rating of the new item: the best they gave the items above, or "
                                "one rating for all (try a low one).")
            if how == ONE_RATING:
                given = st.select_slider("Their rating", [float(v) for v in scale], float(scale[-1]),
                                         key="rec_new_rating")
        values = liked_values if given == AS_RATED else np.full(users.size, given, np.float32)
    with ui.guard("Folding in the new item"):
        reach = cached_recommend.reach_baseline(entry.key, model, data.key, inter.matrix, int(n))
        item = cached_recommend.new_item(entry.key, data.key, tuple(sorted(seeds)), at_least, given, size, int(n), model,
                                         reach, users, values, popularity)
    named = ("the fans of " if fans else "the raters of ") + (", ".join(f"“{plain(titles[i])}”" for i in seeds)
                                                               if len(seeds) <= 3 else f"{len(seeds)} items")
    cards = st.columns(5)
    cards[0].metric("First users", f"{size:,}",
                    help=f"Of {users.size:,} users who {'liked' if fans else 'rated'} the items above{never}.")
    sampled = f" (counted on {reach.users.size:,} sampled users, scaled up)" if reach.scale > 1 else ""
    # a user a split held out entirely has a list by the item biases alone: "reached" by any item with a high bias
    unreachable = (f" {counted(reach.left_out, 'user')} the model was never trained on "
                   f"{'are' if reach.left_out != 1 else 'is'} left out: their lists say nothing of them."
                   if reach.left_out else "")
    # Short labels and deltas: five cards share ~900 px at 1,280 (a projector), where longer ones were cut
    cards[1].metric(f"In users' top {int(n)}", f"{item.count:,.0f}", f"{item.share:.1%} of users",
                    delta_color="off", delta_arrow="off",
                    help=f"Users whose top {int(n)} it would enter: its score beats the last item of their top "
                         f"{int(n)}{sampled}; the share is of the users who do not have it already.{unreachable}")
    # the deltas say what the numbers count (a review read "Items as popular 1" as a count of items)
    cards[2].metric("Items as popular", "—" if np.isnan(item.typical) else f"{item.typical:,.0f}",
                    None if np.isnan(item.typical) else "users' top lists (median)", delta_color="off",
                    delta_arrow="off", help=f"The median number of users whose top-n holds one of the data's items about as popular "
                         f"as the new item now (~{size:,} users, within 1.5× either way): what the model does for such "
                         "items.")
    cards[3].metric("Random first users", f"{item.random:,.0f}", "users' top lists (median)", delta_color="off",
                    delta_arrow="off", help=f"The median reach of the same new item had its {size:,} first users been drawn at random "
                         f"from all {'the users the model was trained on' if reach.left_out else 'users'} (with the "
                         f"same ratings), over {RANDOM_DRAWS} draws: what the audience's size alone earns. Far from "
                         "it, who the first users are (fans of a blockbuster, a niche) decides.")
    norms = _learned_norms(entry)
    length = float(np.linalg.norm(item.vector))
    cards[4].metric("Vector length", f"{length:.3g}", f"> {np.mean(norms < length):.0%} of items",
                    delta_color="off", delta_arrow="off",
                    help="Longer than that share of the items' vectors (of the items the model was trained on). "
                         "Dot-product scores grow with it.")
    if reach.left_out or untrained_fans:  # said under the cards, not only in their tooltips: it changes every number
        st.caption(f"Counted over the {reach.n_users:,} users {plain(entry.name)} was trained on: "
                   f"{counted(reach.left_out, 'user')} a split held out entirely {'are' if reach.left_out != 1 else 'is'} "
                   "left out, as users to reach (their lists, ranked without a fitted vector, say nothing of them) "
                   + (f"and as first users ({untrained_fans:,} of those who {'liked' if fans else 'rated'} the items)."
                      if untrained_fans else "and as first users."))
    if entry.kind != "popularity":  # a count has no direction: no neighbours or map to show
        nearest = _neighbours(inter, popularity, model, item.vector)
        with ui.guard("Placing the new item on the map", stop=False):  # a side element: fails alone
            _map(entry, data, popularity, item, nearest)
    ui.show(figures.reach_chart(item.existing, item.curve, size, int(n), entry.name))
    _who_gets_it(data, reach, item.reached)
    their = f"their {'ratings' if inter.is_explicit else 'interactions'}"
    # Funk SVD, SVD++: placed by the training's SGD, as a new user is
    how = f"found by the training's own SGD (one pass per epoch over {their})" if isinstance(model, SGDModel) \
        else f"solved from {their}"
    st.caption(f"A new item {'liked' if fans else 'rated'} by {size:,} of {named}"
               + (f", who give it {values[0]:g}" if inter.is_explicit and not np.array_equal(values, liked_values)
                  else "")
               + (": its vector and bias are " if model.item_bias is not None else ": its vector is ") + how
               + " with every user vector frozen, as a live service places an item it has not retrained on"
               + (" (the new item adds nothing to its users' implicit part, SVD++'s sum over their items)."
                  if entry.kind == "svdpp" else "."))
    if compare:
        with ui.guard("Folding the new item into the other models"):
            st.markdown("**The same new item in the other models** (the same first users and ratings)")
            st.dataframe(_other_models([entry.name, *compare], data, users[:size], values[:size], int(n)),
                         hide_index=True, width="stretch")


def _learned_norms(entry: ModelEntry) -> np.ndarray:
    """The lengths of the item vectors the model learned: an item it was never trained on has a zero vector, which
    any new item is longer than."""
    untrained = cached_models.untrained_items(entry.key, entry.model)
    return cached_models.item_norms(entry.key, entry.model.item_factors)[~untrained]


def _neighbours(inter, popularity, model, vector) -> dict[str, np.ndarray]:
    """Its nearest items by cosine and by dot product, listed side by side; returns them."""
    from mfviz.analysis import exact_search

    columns, nearest = st.columns(2), {}
    for column, metric, heading in ((columns[0], "cosine", "Nearest items by cosine"),
                                    (columns[1], "dot", "Highest dot product with it")):
        ids, scores = exact_search(vector[None, :], model.item_factors, NEIGHBOURS, metric)
        keep = ids[0] >= 0
        nearest[metric] = ids[0][keep]
        column.markdown(f"**{heading}**")
        column.dataframe(lists.item_frame(inter, popularity, ids[0][keep], scores[0][keep]), hide_index=True,
                         width="stretch", column_config={"score": st.column_config.NumberColumn(
                             format=figures.fixed_decimals(scores[0][keep])),  # one count of decimals down the list
                             "popularity": st.column_config.NumberColumn(labels.POPULARITY,
                                                                         help=labels.POPULARITY_HELP)})
    return nearest


def _map(entry: ModelEntry, data, popularity: np.ndarray, item, nearest: dict[str, np.ndarray]) -> None:
    """The Latent space page's item map (its method and settings, and like it of the items the model trained on,
    so the map is the cached one) with the new item starred where its nearest items lie, joined to its
    neighbours."""
    from mfviz.analysis.users import place_on_map

    method = st.session_state.get("latent_method", "UMAP")
    method = method if method in ("UMAP", "PCA") else "UMAP"
    n_neighbors = st.session_state.get("latent_neighbours", background.UMAP_NEIGHBOURS)
    min_dist = st.session_state.get("latent_min_dist", background.UMAP_MIN_DIST)
    vectors, inter = entry.model.item_factors, data.interactions
    # as the Latent space page maps them: an item never trained on has a zero vector, and the map of all of them
    # gathered those in an island of their own, as if the model found them alike (and could place the star there)
    mapped, rows, suffix = untrained.trained_map(vectors, cached_models.untrained_items(entry.key, entry.model))
    if len(mapped) < 3:  # a map needs three points
        st.caption(f"No map of the items: {plain(entry.name)} trained on {counted(len(mapped), 'item')}, and a map needs 3.")
        return
    projection = cached_maps.projection(entry.key + suffix, mapped, method.lower(), min(n_neighbors, len(mapped) - 1),
                                        min_dist, n_components=2)
    key = background.projection_key(entry.key, data.key, method, n_neighbors, min_dist) + suffix
    table = cached_maps.map_table(key, projection.coords, inter.items, popularity,
                                  cached_models.item_norms(entry.key, vectors), inter.titles, rows)
    position, _ = place_on_map(item.vector, mapped, projection.coords, k=NEIGHBOURS)
    colour = map_figures.GENRE_COLUMN if "genres" in table.columns else "popularity"
    row = {"x": position[0, 0], "y": position[0, 1], "item": NEW, "title": "★ the new item",
           "popularity": item.first_users.size, "norm": float(np.linalg.norm(item.vector))}
    if colour == map_figures.GENRE_COLUMN:  # as the Latent space page colours it: every common genre shows
        table[colour] = map_figures.distinctive_genre(table["genres"])[0]  # (map_table returns a copy)
        row[colour] = "(the new item)"
    shown = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    chart = map_figures.latent_scatter(shown, colour, method=method, continuous=colour == "popularity",
                                       anchor=NEW, neighbours=nearest)
    chart.figure.update_layout(title_text=f"Where the new item lands on the item map ({method})")
    ui.show(map_figures.Chart(chart.figure, (
        f"The Latent space page's {method} map of the items; the star is the new item, placed at the mean position of "
        f"its {NEIGHBOURS} nearest items on the map by cosine (as UMAP places a new point), joined to its cosine "
        "(blue) and dot-product (red) neighbours." + untrained.left_off(0 if rows is None else len(vectors) - len(rows))),
        chart.trace_items), key="rec_new_map")


CHANCE = 0.01  # a genre is named only when a random audience of the same size would show it so rarely (all genres)
MIN_REACHED = 10  # and only when at least this many reached users have it


def over_represented(distinctive: np.ndarray, reached: np.ndarray) -> pd.DataFrame:
    """The distinctive genres over-represented among the reached users (`distinctive`: each user's, `reached`:
    a mask over the same users): share, count, share among all users, lift and the one-sided binomial
    p-value of seeing that many by chance, for those at least 1.2× their overall share, 5% of the reached,
    MIN_REACHED users or more, and with p < CHANCE / the number of genres tested (Bonferroni: every distinctive
    genre of the users could have been named), the strongest first. `.attrs["tested"]` holds that number.

    Uncorrected, one of ~18 genres at p < 0.01 is named by chance in about one audience in six: on MovieLens 100K,
    "Horror … 40% (4 users) … (5.2×)" for 50 fans of Star Wars under implicit ALS rested on 10 reached users, and
    20 fresh draws of 50 fans named a genre 7 times, a different one almost every time, never Horror. The test
    also keeps 3 users of 40 (7% against 2%, "3.8×") from being named: a random 40 has 3 or more such users about
    5% of the time."""
    from scipy.stats import binom

    counts = pd.Series(distinctive[reached]).value_counts().drop("(none)", errors="ignore")
    overall = pd.Series(distinctive).value_counts(normalize=True).reindex(counts.index)
    tested = max(len(set(np.asarray(distinctive).tolist()) - {"(none)"}), 1)
    size = int(reached.sum())
    table = pd.DataFrame({"share": counts / size, "users": counts, "overall": overall,
                          "lift": counts / size / overall,
                          "p": binom.sf(counts.to_numpy() - 1, size, overall.to_numpy())}, index=counts.index)
    kept = table[(table["lift"] >= 1.2) & (table["share"] >= 0.05) & (table["users"] >= MIN_REACHED)
                 & (table["p"] < CHANCE / tested)].sort_values("lift", ascending=False)
    kept.attrs["tested"] = tested
    return kept


def _who_gets_it(data, reach, reached) -> None:
    """The distinctive genres (each user's most over-represented, `favourite_groups`) over-represented
    among the users it reaches beyond chance, with how many users that is."""
    groups = cached_data.genre_groups(data.key, data.interactions.items)
    if not groups or not reached.any():
        return
    distinctive = cached_maps.favourites(data.key, data.interactions.matrix, groups)[0][reach.users]
    st.markdown("**Who gets it:** " + who_gets_it_words(distinctive, reached))


def who_gets_it_words(distinctive: np.ndarray, reached: np.ndarray) -> str:
    """The distinctive genres over-represented among the reached users beyond chance (`over_represented`), in
    words, or that no genre stands out."""
    lift = over_represented(distinctive, reached)
    rule = (f"a genre is named only when at least {MIN_REACHED} of them have it and chance alone would give as many "
            f"in under {CHANCE:.0%} of audiences of this size, counting all {lift.attrs['tested']} genres tested "
            f"(p < {CHANCE / lift.attrs['tested']:.2g} each)")
    if len(lift):
        return ("; ".join(
            f"users whose distinctive genre is **{g}** are {row.share:.0%} of them ({counted(int(row.users), 'user')}) "
            f"against {row.overall:.0%} of all users ({row.lift:.1f}×)" for g, row in lift.head(3).iterrows())
            + ". A user's distinctive genre is the one most over-represented among their items against the whole "
              "data, not the one they have most of (on MovieLens that would be Drama for nearly everyone); " + rule + ".")
    return (f"no genre stands out among the {counted(int(reached.sum()), 'user')} it reaches: none of their distinctive "
            f"genres is over-represented beyond what chance gives. A {rule[2:]}.")


def _other_models(names: list[str], data, users, values, n: int) -> pd.DataFrame:
    """The same new item (same first users and values) in other models of the session."""
    from mfviz.analysis.cold_start import fold_and_reach

    rows = []
    models = ui.models()
    for name in names:
        other = models[name]
        reach = cached_recommend.reach_baseline(other.key, other.model, data.key, data.interactions.matrix, n)
        vector, _, reached = fold_and_reach(other.model, reach, users, values)
        norms = _learned_norms(other)
        rows.append({"model": name, f"in users' top {n}": round(float(reached.sum() * reach.scale)),
                     "vector longer than (% of items)": round(100 * float(np.mean(norms < np.linalg.norm(vector))))})
    return pd.DataFrame(rows)
