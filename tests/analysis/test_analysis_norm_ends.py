"""Which end of the popularity scale carries the norm–popularity correlation: hand-worked percentiles, a
constructed catalogue whose ρ comes from the rare tail only, and the words the Popularity bias page says."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz.analysis import popularity_report
from mfviz.analysis.popularity import norm_percentiles, spearman
from mfviz.dashboard import verdicts
from mfviz.models.external import FactorModel


def test_percentiles_by_hand():
    # norms 1..6 (item i has i + 1), popularity reversed except the two most popular: items 2 and 5
    norms = np.array([1.0, 2, 3, 4, 5, 6])
    popularity = np.array([0, 1, 9, 2, 3, 8])
    # share of items shorter, ties half: item i -> (i + 0.5) / 6 * 100: 8.3, 25, 41.7, 58.3, 75, 91.7
    head, rare = norm_percentiles(norms, popularity, n=2)
    assert head == pytest.approx((41.6667 + 91.6667) / 2, abs=1e-3)  # items 2 and 5
    assert rare == pytest.approx(25.0)  # the less popular half: items 0, 1, 3 -> median of 8.3, 25, 58.3
    tied = norm_percentiles(np.ones(4), np.arange(4), n=1)
    assert tied == (50.0, 50.0)  # every norm the same: each item has half the others "shorter"


def tail_only_catalogue():
    """200 items: popularity 1..200; the 180 rarest have norms rising with popularity, the 20 most popular
    have norms spread over the middle of that range (ρ comes from the tail alone)."""
    popularity = np.arange(1, 201, dtype=float)
    norms = popularity.copy()
    norms[180:] = np.linspace(70, 110, 20)[np.random.default_rng(0).permutation(20)]
    return norms, popularity


def test_a_correlation_carried_by_the_tail_leaves_the_head_in_the_middle():
    norms, popularity = tail_only_catalogue()
    rho = spearman(norms, popularity)
    head, rare = norm_percentiles(norms, popularity)
    assert rho > 0.8  # "clearly" by the old words
    assert 40 <= head <= 60 and rare < 30
    words = verdicts.lengths(rho, head, rare)
    assert "through the rare items" in words and "no longer than most" in words
    assert "what makes its dot-product scores favour them" not in words
    # a head that is long too: the old sentence holds, and says where the head sits
    long_head = norms.copy()
    long_head[180:] = 1000 + np.arange(20)
    head, rare = norm_percentiles(long_head, popularity)
    assert head == pytest.approx(97.5)  # the 10 most popular have ranks 191..200 of 200: (195.5 - 0.5) / 200
    words = verdicts.lengths(spearman(long_head, popularity), head, rare)
    assert words.startswith("popular items get strongly longer vectors (ρ 1.00; the 10 most popular items' median length is at the "
                             "98th percentile)")
    assert words.endswith("which is what makes its dot-product scores favour them")


def test_the_report_measures_both_ends_of_a_model():
    norms, popularity = tail_only_catalogue()
    rng = np.random.default_rng(1)
    directions = rng.normal(size=(200, 4))
    items = directions / np.linalg.norm(directions, axis=1, keepdims=True) * norms[:, None]
    # 300 users; item i is in round(popularity[i]) random profiles, so its count is its popularity
    rows = np.concatenate([rng.choice(300, int(p), replace=False) for p in popularity])
    cols = np.repeat(np.arange(200), popularity.astype(int))
    matrix = sp.csr_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=(300, 200))
    model = FactorModel(rng.normal(size=(300, 4)).astype(np.float32), items.astype(np.float32))
    report = popularity_report(model, matrix, k=5)
    assert (report.head_norm_percentile, report.rare_norm_percentile) == pytest.approx(
        norm_percentiles(norms, popularity))
    assert report.norm_popularity_spearman == pytest.approx(spearman(norms, popularity), abs=1e-3)  # float32 norms


def test_the_bias_summary_says_what_holds_for_the_head_and_the_tail():
    # the reviewer's ML-100K row: implicit ALS quick default, ρ 0.68, the 10 most popular at the 39th-56th
    row = pd.Series({"arp": 180.0, "aplt": 40.0, "coverage": 30.0, "gini": 0.8, "norm–popularity ρ": 0.68,
                     "head length": 48.5, "rare length": 25.0})
    words = verdicts.bias_summary("Implicit ALS (f=32) (quick default)", row)
    assert words.endswith(
        "- vector length follows popularity (ρ 0.68) through the rare items, which get short vectors (the less "
        "popular half at the 25th), not through the head: the 10 most popular items' median length is at the 48th "
        "percentile, no longer than most, so its dot-product scores hold rare items back more than they lift the "
        "blockbusters")
    assert "clearly longer" not in words
    assert verdicts.ordinal(1) == "1st" and verdicts.ordinal(22) == "22nd" and verdicts.ordinal(13) == "13th"


def bias_or_vector_catalogue(bias_carries: bool):
    """200 items of popularity 1..200 over 300 users. Every user leans along the first dimension. Item vectors
    grow longer with popularity either way (ρ of length with popularity 1). With `bias_carries`, the popular
    items' long vectors point against the users (their dot products are the lowest) and the item biases rise with
    popularity: the biases, not the vectors, make the lists popular. Else the vectors point with the users and the
    biases are noise."""
    rng = np.random.default_rng(3)
    popularity = np.arange(1, 201)
    rows = np.concatenate([rng.choice(300, int(p), replace=False) for p in popularity])
    matrix = sp.csr_matrix((np.ones(rows.size, np.float32), (rows, np.repeat(np.arange(200), popularity))),
                           shape=(300, 200))
    users = np.column_stack([np.ones(300), rng.normal(0, 0.1, (300, 2))])
    directions = np.column_stack([np.full(200, -1.0 if bias_carries else 1.0), rng.normal(0, 0.1, (200, 2))])
    directions[:100, 0] *= -1 if bias_carries else 1  # the rare half points with the users when the bias carries
    items = directions / np.linalg.norm(directions, axis=1, keepdims=True) * (popularity / 200)[:, None]
    bias = popularity / 40.0 if bias_carries else rng.normal(0, 0.01, 200)
    return FactorModel(users.astype(np.float32), items.astype(np.float32), item_bias=bias), matrix


def test_the_lists_popularity_is_split_between_the_dot_product_and_the_item_biases():
    for bias_carries in (True, False):
        model, matrix = bias_or_vector_catalogue(bias_carries)
        report = popularity_report(model, matrix, k=5)
        assert report.norm_popularity_spearman == pytest.approx(1.0)
        popularity = np.bincount(matrix.indices, minlength=200)
        # by brute force: each user's 5 best unseen items by each part of the score
        scores = {"dot": model.user_factors @ model.item_factors.T,
                  "bias": np.tile(model.item_bias, (300, 1)).astype(np.float64)}
        arp = {}
        for part, score in scores.items():
            score = score.copy()
            score[matrix.nonzero()] = -np.inf
            arp[part] = np.mean([popularity[np.argsort(-row, kind="stable")[:5]].mean() for row in score])
        assert report.arp_dot_only == pytest.approx(arp["dot"]) and report.arp_bias_only == pytest.approx(arp["bias"])
        assert (report.arp_bias_only > report.arp_dot_only) == bias_carries
    # a model without item biases has no parts to tell apart
    plain = FactorModel(model.user_factors, model.item_factors)
    assert np.isnan(popularity_report(plain, matrix, k=5).arp_dot_only)


def test_long_vectors_are_said_to_favour_popular_items_only_when_the_dot_product_carries_the_popularity():
    # Funk SVD on MovieLens 100K: ρ 0.78 and a long head, but ranked by dot product alone ARP 136, by bias alone
    # 182, full 187: "which is what makes its dot-product scores favour them" was false
    by_bias = verdicts.lengths(0.78, 99.3, 20.0, 187.1, 135.6, 182.1)
    assert by_bias == ("popular items get clearly longer vectors (ρ 0.78; the 10 most popular items' median length is at "
                       "the 99th percentile), but its item biases, not the lengths, carry the popularity of its lists "
                       "(ranked by the item biases alone its lists' mean popularity is 182, by the dot "
                       "product alone 136, by the full score 187)")
    by_vectors = verdicts.lengths(0.93, 99.6, 20.0, 227.6, 227.3, 213.3)
    assert by_vectors.startswith("popular items get strongly longer vectors (ρ 0.93; the 10 most popular items' median "
                                 "length is at the 100th percentile), which is what makes its dot-product scores favour "
                                 "them (ranked by the dot product alone its lists' mean popularity is 227, by "
                                 "the item biases alone 213, by the full score 228)")
    assert verdicts.lengths(0.93, 99.6, 20.0).endswith("which is what makes its dot-product scores favour them")
    # on a model's row, through the bias summary
    row = pd.Series({"arp": 187.1, "aplt": 5.0, "coverage": 20.0, "gini": 0.9, "norm–popularity ρ": 0.78,
                     "head length": 99.3, "rare length": 20.0, "dot-only arp": 135.6, "bias-only arp": 182.1})
    words = verdicts.bias_summary("Funk SVD", row)
    assert "what makes its dot-product scores favour them" not in words and "carry the popularity" in words


def test_a_constructed_model_whose_bias_carries_popularity_is_described_so():
    model, matrix = bias_or_vector_catalogue(bias_carries=True)
    report = popularity_report(model, matrix, k=5)
    words = verdicts.lengths(report.norm_popularity_spearman, report.head_norm_percentile,
                             report.rare_norm_percentile, report.arp, report.arp_dot_only, report.arp_bias_only)
    assert "but its item biases, not the lengths, carry the popularity of its lists" in words
    assert "what makes its dot-product scores favour them" not in words
