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
