"""The MovieLens 100K figures that docs/dashboard.md and docs/python-api.md state, recomputed as the pages compute
them (skipped without ../shared's copy): the Train page's replay and Truncated SVD's RMSE, the Latent space page's
taste axis and title search, titles typed in natural word order, the Spectrum page's components above the shuffle, the
Neighbours page's lifts and thin lists, and the Popularity bias page's plain words. Seeded, so each run gives the
same numbers; each model is trained once per module (a few seconds in all)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mfviz.dashboard import state, training

ML100K = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ml-100k" / "u.data"
pytestmark = pytest.mark.skipif(not ML100K.exists(), reason="MovieLens 100K is not in ../shared/datasets")

SPLIT = {"split": "random", "test": 0.2, "seed": 0}  # the Train page's default split, and the quick default's


@pytest.fixture(scope="module")
def movielens():
    """(data entry, train, test) of the ratings, on the random 80/20 split with seed 0."""
    from mfviz import load_interactions

    inter = load_interactions(ML100K)
    data = state.DataEntry(interactions=inter, name="u.data", key=state.interactions_hash(inter))
    train, test = training.split_data(data.key, inter, SPLIT["split"], SPLIT["test"], SPLIT["seed"])
    return data, train, test


@pytest.fixture(scope="module")
def ials_training(movielens):
    """Implicit ALS at its defaults (the page's seed 0) trained on the split as the Train page trains it, snapshots
    for the replay and the held-out NDCG@10 after every epoch included."""
    data, train, test = movielens
    job = training.TrainingJob(kind="ials", label="ials", params=training.make_model("ials", {"random_state": 0}).get_params(),
                               train=train, test=test, k=10, data_key=data.key, split="random 20% test",
                               split_settings=SPLIT).start()
    job.thread.join()
    assert job.error is None and job.entry is not None
    return job


@pytest.fixture(scope="module")
def quick_default(movielens):
    """The quick default model every page opens with (training.DEFAULT_MODELS' first: implicit ALS, 32 factors,
    8 epochs, seed 0) on its split, as training.default_model trains it."""
    _, train, _ = movielens
    kind, params = training.DEFAULT_MODELS[0]
    assert kind == "ials"
    return training.make_model(kind, params).fit(train)


@pytest.fixture(scope="module")
def on_all_data(movielens):
    """The Train page's defaults (seed 0) trained on all the data (test share 0)."""
    data, _, _ = movielens
    return {kind: training.make_model(kind, {"random_state": 0} if kind != "svd" else {}).fit(data.interactions)
            for kind in ("ials", "svd", "funksvd")}


@pytest.fixture(scope="module")
def svd_on_the_split(movielens):
    _, train, _ = movielens
    return training.make_model("svd", {}).fit(train)


def popularity_of(inter) -> np.ndarray:
    """What the pages count as popularity (cached_data.summary's item_popularity): interactions per item in the data."""
    popularity = np.asarray(inter.item_popularity)
    assert np.array_equal(popularity, np.bincount(inter.matrix.indices, minlength=inter.n_items))
    return popularity


def item_named(inter, title: str) -> int:
    return int(np.flatnonzero(np.asarray(inter.titles).astype(str) == title)[0])


# ------------------------------------------------------------------------------ Train page


def test_replay_neighbours_in_place_and_unchanged_per_epoch(ials_training):
    """docs/dashboard.md, Train, "Replay how the items moved while it trained": MovieLens 100K ratings, implicit ALS
    defaults, random 80/20 split seed 0: final neighbours in place 32% after epoch 1, 66% after 5, 86% after 10;
    unchanged from the epoch before 57% at epoch 2, 89% at 5, 97% at 15 (what cached_models.replay computes of the job's
    snapshots: the 1,500 most popular items, float16)."""
    from mfviz.analysis.replay import settled_neighbours

    job = ials_training
    assert job.snapshot_labels == [str(epoch) for epoch in range(1, 16)] and job.replay_items.size == 1500
    settled, kept = settled_neighbours(job.snapshots)
    in_place = {epoch: round(100 * float(settled[epoch - 1])) for epoch in (1, 5, 10, 15)}
    unchanged = {epoch: round(100 * float(kept[epoch - 1])) for epoch in (2, 5, 15)}
    assert (in_place, unchanged) == ({1: 32, 5: 66, 10: 86, 15: 100}, {2: 57, 5: 89, 15: 97})


def test_replay_lists_settle_before_the_neighbourhoods(movielens, ials_training):
    """docs/dashboard.md, Train, the replay: they still drift: trained to epoch 60, the 15-epoch model holds 7.3 of
    each item's 10 final neighbours, and another seed shares 6.3 (the replay's 1,500 items, cosine) — while the
    held-out NDCG@10 is within 0.003 of its final 0.358 from epoch 3 on."""
    from mfviz.analysis.neighbours import _row_overlap, exact_search

    _, train, _ = movielens
    job = ials_training
    curve = np.asarray([epoch[3] for epoch in job.epochs])
    final = job.entry.metrics["ndcg@10"]
    assert round(final, 3) == 0.358 and round(float(curve[-1]), 3) == 0.358
    off = np.abs(curve - curve[-1])
    assert off[2:].max() < 0.003 <= off[1]  # from epoch 3 on, not from epoch 2

    def neighbours(model) -> np.ndarray:
        vectors = np.asarray(model.item_factors, np.float64)[job.replay_items]
        return exact_search(vectors, vectors, 10, "cosine", exclude_self_ids=np.arange(len(vectors)))[0]

    at_15 = neighbours(job.entry.model)
    at_60 = neighbours(training.make_model("ials", {"random_state": 0, "epochs": 60}).fit(train))
    other_seed = neighbours(training.make_model("ials", {"random_state": 1}).fit(train))
    assert (round(float(_row_overlap(at_15, at_60).mean()), 1),
            round(float(_row_overlap(at_15, other_seed).mean()), 1)) == (7.3, 6.3)


def test_the_model_choice_notes_ndcg_of_each_model_on_the_split(movielens):
    """The Train page's note on implicit ALS and docs/dashboard.md, Train, "Choosing a model": NDCG@10 on the random
    80/20 split (seed 0) of every model at its defaults, and of implicit ALS with fewer factors at lower coverage."""
    _, train, test = movielens

    def scored(kind, **params):
        result = training.evaluate(training.make_model(kind, {"random_state": 0, **params} if kind not in (
            "svd", "popularity") else params).fit(train), train, test, 10)
        return round(result["ndcg@10"], 3), round(result["coverage@10"], 2)

    ndcg = {kind: scored(kind)[0] for kind in ("ials", "svd", "popularity", "funksvd", "svdpp", "als")}
    assert ndcg == {"ials": 0.358, "svd": 0.340, "popularity": 0.225, "funksvd": 0.089, "svdpp": 0.100, "als": 0.134}
    assert scored("ials") == (0.358, 0.37)
    assert scored("ials", factors=32) == (0.404, 0.33) and scored("ials", factors=16) == (0.421, 0.29)


def test_truncated_svd_rmse_reading_missing_ratings_as_zeros(movielens, svd_on_the_split):
    """docs/dashboard.md, Train, the results table: Truncated SVD, which reads missing ratings as zeros: RMSE 2.9999
    on MovieLens 100K (its defaults, random 80/20 split seed 0, every test rating), which the table shows as –."""
    from mfviz import evaluation

    _, train, test = movielens
    result = evaluation.evaluate(svd_on_the_split, train, test, k=10, max_users=training.EVAL_USERS, seed=0)
    assert f"{result['rmse']:.4f}" == "2.9999"
    assert "rmse" not in training.evaluate(svd_on_the_split, train, test, 10)  # the table's –


# ------------------------------------------------------------------------------ Latent space page


def test_taste_axis_horror_to_romance_reach(movielens, ials_training, on_all_data):
    """docs/dashboard.md, Latent space, taste axes: from one genre's average direction to another's, e.g. Horror →
    Romance, the two directions at the same distance either side of the middle, which the caption gives
    (ML-100K, implicit ALS: ±0.65) — implicit ALS at its defaults, seed 0, on the 80/20 split and on all the data.
    (The quick default the page opens with, 32 factors and 8 epochs, gives ±0.61.)"""
    from mfviz.analysis.axes import axis_reach, genre_groups

    data, _, _ = movielens
    groups = genre_groups(data.interactions.items)
    reach = {where: f"±{axis_reach(model.item_factors, groups['Horror'], groups['Romance']):.2f}"
             for where, model in (("split", ials_training.entry.model), ("all data", on_all_data["ials"]))}
    assert reach == {"split": "±0.65", "all data": "±0.65"}


def test_title_search_tar_and_star(movielens):
    """docs/dashboard.md, Latent space, titles and search: it says how many titles match and how many hold the text
    at the start of a word, which come first (MovieLens 100K: "tar" 22 titles, Target and Hard Target first; "star"
    lists Lone Star before Bastard Out of Carolina). (tests/dashboard/test_latent_view.py's
    test_the_search_matches_any_part_of_a_title_as_a_regular_expression_and_counts_the_matches checks the page
    through AppTest, without the 22.)"""
    from mfviz.dashboard.title_search import search_hits, search_sentence

    data, _, _ = movielens
    inter = data.interactions
    table = pd.DataFrame({"item": np.arange(inter.n_items), "title": np.asarray(inter.titles).astype(str),
                          "popularity": popularity_of(inter)})
    hits = search_hits(table, "tar")
    assert (len(hits), hits.attrs["at_word"]) == (22, 2)
    assert search_sentence(len(hits), "tar", hits.attrs["at_word"]).startswith(
        "22 titles on the map match “tar” (2 at the start of a word, listed first)")
    assert sorted(hits["title"].head(2)) == ["Hard Target (1993)", "Target (1995)"]  # each more popular first: Hard Target
    listed = search_hits(table, "star")["title"].tolist()
    assert listed.index("Lone Star (1996)") < listed.index("Bastard Out of Carolina (1996)")


def test_titles_typed_in_natural_word_order(movielens):
    """docs/dashboard.md, Large data: "The Godfather" picks "Godfather, The (1972)" in every item picker, and the
    Latent space page's search finds it (MovieLens writes the article last; both found nothing before)."""
    from mfviz.dashboard import pickers
    from mfviz.dashboard.title_search import search_hits

    data, _, _ = movielens
    inter = data.interactions
    popularity = popularity_of(inter)
    ranked = np.argsort(-popularity, kind="stable")  # the pickers' order: most popular first
    picked = {text: str(inter.titles[pickers.find(inter, "item", text, ranked)])
              for text in ("The Godfather", "the usual suspects", "Godfather", "the godfather: part ii", "Il Postino",
                           "das boot")}
    assert picked == {"The Godfather": "Godfather, The (1972)", "the usual suspects": "Usual Suspects, The (1995)",
                      "Godfather": "Godfather, The (1972)", "the godfather: part ii": "Godfather: Part II, The (1974)",
                      "Il Postino": "Postino, Il (1994)", "das boot": "Boot, Das (1981)"}
    table = pd.DataFrame({"item": np.arange(inter.n_items), "title": np.asarray(inter.titles).astype(str),
                          "popularity": popularity})
    assert search_hits(table, "The Godfather")["title"].tolist() == ["Godfather, The (1972)",
                                                                      "Godfather: Part II, The (1974)"]
    assert search_hits(table, "the usual suspects")["title"].tolist() == ["Usual Suspects, The (1995)"]


# ------------------------------------------------------------------------------ Spectrum page


def test_spectrum_components_above_the_shuffle(movielens):
    """docs/dashboard.md, Spectrum: how many components after the first stand more than 5% above the shuffle at the
    same rank (MovieLens 100K, ratings, k = 100: 17, components 2–18; σ₁ 640.6 against the shuffle's 599), as the
    page computes them (cached_spectra.data_spectrum and cached_spectra.null_spectrum at the k it opens with)."""
    from mfviz.analysis.spectrum import components_above, data_spectrum, null_spectrum
    from mfviz.dashboard import background

    data, _, _ = movielens
    inter = data.interactions
    _, k = background.spectrum_components(inter)
    assert k == 100 and inter.nnz <= background.NULL_SPECTRUM_NNZ  # the shuffle is compared unasked
    spectrum, null = data_spectrum(inter.matrix, k=k), null_spectrum(inter.matrix, k=k)
    above = components_above(spectrum.singular_values, null.singular_values)
    assert above.tolist() == list(range(2, 19))
    assert f"{null.singular_values[0]:,.4g} against {spectrum.singular_values[0]:,.4g}" == "599 against 640.6"


# ------------------------------------------------------------------------------ Neighbours page


def median_lifts(model, inter) -> tuple[str, str, str, str]:
    """The "Users behind them, cos / dot" card and the random lists as popular under it (support.summarised: 1,000
    sampled items, k = 10, pairs of 5 or more shared users; trained on all the data, so its support is the data's
    popularity)."""
    from mfviz import analysis

    popularity = popularity_of(inter)
    numbers = analysis.neighbour_popularity_summary(model.item_factors, popularity, k=10, sample=1000,
                                                    interactions=inter.matrix, support=popularity, min_support=0)
    return tuple(f"{numbers[key]:.1f}×" for key in ("median_lift_cosine", "median_lift_dot", "median_lift_null_cosine",
                                                    "median_lift_null_dot"))


def test_neighbours_median_lift_of_implicit_als_and_funk_svd(movielens, on_all_data):
    """docs/dashboard.md, Neighbours, many items: median lift of an item's neighbours over chance (pairs of 5 or more
    shared users), beside popularity-matched random lists; MovieLens 100K, ratings, defaults, all data: cosine / dot
    lists of implicit ALS 6.7× / 4.9× against 2.6× / 2.5×, Funk SVD 2.9× / 2.3× against 2.4× / 2.0×."""
    data, _, _ = movielens
    lifts = {kind: median_lifts(on_all_data[kind], data.interactions) for kind in ("ials", "funksvd")}
    assert lifts == {"ials": ("6.7×", "4.9×", "2.6×", "2.5×"), "funksvd": ("2.9×", "2.3×", "2.4×", "2.0×")}


def test_neighbours_median_lift_of_truncated_svd(movielens, on_all_data):
    """docs/dashboard.md, Neighbours, many items: median lift, MovieLens 100K, ratings, defaults, all data: cosine /
    dot lists of Truncated SVD 6.1× / 3.3× against 2.6× / 2.1× for random lists as popular."""
    data, _, _ = movielens
    assert median_lifts(on_all_data["svd"], data.interactions) == ("6.1×", "3.3×", "2.6×", "2.1×")


def test_star_wars_cosine_neighbours_with_few_interactions(movielens, svd_on_the_split, on_all_data):
    """docs/dashboard.md, Neighbours, Min. interactions: MovieLens 100K, Truncated SVD at its defaults on the random
    80/20 split, seed 0: 5 of Star Wars' 10 cosine neighbours have fewer than 10 (interactions in the training
    data, support.FEW), so the page warns; on all the data, 0 of 10."""
    from mfviz import analysis
    from mfviz.analysis.neighbours import few_interactions
    from mfviz.dashboard import support

    data, train, _ = movielens
    inter = data.interactions
    star_wars, popularity = item_named(inter, "Star Wars (1977)"), popularity_of(inter)
    few = {}
    for where, model, counts in (("split", svd_on_the_split, np.bincount(train.matrix.indices, minlength=inter.n_items)),
                                 ("all data", on_all_data["svd"], popularity)):
        lists = analysis.compare_neighbours(model.item_factors, star_wars, k=10, popularity=popularity,
                                            titles=inter.titles, interactions=inter.matrix, support=counts)
        few[where] = few_interactions(lists.cosine["item"], counts, support.FEW)
    assert support.FEW == 10 and few == {"split": 5, "all data": 0}


# ------------------------------------------------------------------------------ Popularity bias page


def bias_row(model, inter) -> pd.Series:
    """A row of the Popularity bias page's table (cached_popularity.popularity_report: k = 10, up to 2,000 users)."""
    from mfviz import analysis

    report = analysis.popularity_report(model, inter, k=10, sample_users=2000)
    return pd.Series({"arp": report.arp, "aplt": 100 * report.aplt, "coverage": 100 * report.coverage,
                      "gini": report.gini, "norm–popularity ρ": report.norm_popularity_spearman,
                      "head length": report.head_norm_percentile, "rare length": report.rare_norm_percentile,
                      "bias–popularity ρ": None})


def test_popularity_bias_quick_default_in_plain_words(movielens, quick_default):
    """docs/dashboard.md, Popularity bias: ML-100K, implicit ALS quick default: lists 1.8× less popular, 66% long-tail
    items against 1%, 38% of the catalogue recommended against 5%; with the default α = 1, ρ 0.98 and the head at
    the 99th percentile, reported as popular items getting longer vectors. docs/python-api.md, implicit ALS's alpha:
    ARP of the quick default 233 (the α = 10 side: test_popularity_bias_quick_default_at_alpha_10)."""
    from mfviz.dashboard import verdicts
    from mfviz.models import Popularity

    data, _, _ = movielens
    inter = data.interactions
    baseline = bias_row(Popularity().fit(inter), inter)  # cached_popularity.popularity_baseline: on all the data
    said = verdicts.bias_summary("ials", bias_row(quick_default, inter), baseline)
    assert "its lists are 1.8× less popular than the Popularity baseline's (mean popularity, ARP: 233 against 422" in said
    assert "66% of their items come from the long tail (long tail in lists, APLT, baseline 1%)" in said
    # docs/dashboard.md: the tail is every film but the 59 most rated, each rated by 259 users or more
    from mfviz.data.interactions import long_tail_split

    head = long_tail_split(inter.item_popularity)
    assert head.sum() == 59 and inter.item_popularity[head].min() == 259
    assert "it recommends 38% of the catalogue to someone (coverage, baseline 5%)" in said
    assert ("popular items get strongly longer vectors (ρ 0.98; the 10 most popular items' median length is at the "
            "99th percentile)") in said


def test_popularity_bias_quick_default_at_alpha_10(movielens):
    """docs/dashboard.md, Popularity bias: on ML-100K the implicit ALS quick default with α = 10 had ρ 0.66 and its
    head at the 48th percentile, reported as coming from the rare items (ρ over the items it was trained on: 0.68 with
    the 25 items the split held out entirely, zero vectors, counted). docs/python-api.md, implicit ALS's alpha:
    ARP of the quick default 233 against 197 interactions per item (the 197)."""
    from mfviz.dashboard import verdicts

    data, train, _ = movielens
    kind, params = training.DEFAULT_MODELS[0]
    row = bias_row(training.make_model(kind, {**params, "alpha": 10}).fit(train), data.interactions)
    said = verdicts.bias_summary("ials α = 10", row)
    assert "its lists' mean popularity is 197 interactions per item (ARP)" in said
    assert "vector length follows popularity (ρ 0.66) through the rare items" in said
    assert "the 10 most popular items' median length is at the 48th percentile, no longer than most" in said


def test_what_lifts_each_recommendation_on_all_data(movielens, on_all_data):
    """docs/dashboard.md, Recommend's "mostly along": how often the popularity dimension is among the dimensions
    named for every user's top 10 on all data, how often a lift is spread over many, and how often a Funk SVD
    item's lift is its bias."""
    from mfviz.analysis import principal_dimensions
    from mfviz.analysis.dimensions import lifts_of

    data, _, _ = movielens

    def lifts(model):
        dims = principal_dimensions(model.user_factors, model.item_factors)
        lists = model.recommend(np.arange(data.interactions.n_users), n=10)[0]
        return [lift for user, items in enumerate(lists)
                for lift in lifts_of(dims, dims.user_coords[user], items, model.item_bias)]

    shares = {kind: (round(np.mean([0 in lift.dims for lift in found]), 2), round(np.mean([lift.spread for lift in found]), 2))
              for kind, found in ((kind, lifts(on_all_data[kind])) for kind in ("ials", "svd"))}
    assert shares == {"ials": (0.53, 0.09), "svd": (0.47, 0.05)}
    assert round(np.mean([lift.by_bias for lift in lifts(on_all_data["funksvd"])]), 2) == 0.95


def test_star_wars_neighbours_lift_beside_random_lists_as_popular(movielens, on_all_data):
    """docs/dashboard.md, Neighbours: Star Wars' implicit ALS cosine neighbours on all data, 1.4× over chance where
    random films as popular give 1.3×."""
    from mfviz.analysis import compare_neighbours
    from mfviz.analysis.neighbours import matched_median_lift

    data, _, _ = movielens
    inter = data.interactions
    star_wars = item_named(inter, "Star Wars (1977)")
    cosine = compare_neighbours(on_all_data["ials"].item_factors, star_wars, 10, inter.item_popularity, inter.titles,
                                interactions=inter.matrix).cosine
    assert (round(cosine["lift"].median(), 1), round(matched_median_lift(inter.matrix, star_wars, cosine["item"]), 1)) \
        == (1.4, 1.3)
