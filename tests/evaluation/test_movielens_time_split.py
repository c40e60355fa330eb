"""The figures docs/dashboard.md gives for MovieLens 100K's global time split: newcomers left out of the ranking metrics."""

from pathlib import Path

import numpy as np
import pytest

ML100K = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "ml-100k" / "u.data"


@pytest.fixture(scope="module")
def time_split():
    if not ML100K.exists():
        pytest.skip(f"MovieLens 100K not found at {ML100K}")
    from mfviz.data.loaders import load_interactions
    from mfviz.evaluation import split

    return split(load_interactions(ML100K), "time", 0.2)


def test_newcomers_of_a_time_split_are_left_out_of_the_ranking_metrics(time_split):
    from mfviz.evaluation import evaluate, ranking_metrics
    from mfviz.evaluation.metrics import test_users, top_k_lists
    from mfviz.models import ImplicitALS, Popularity

    train, test = time_split
    everyone = test_users(test)
    known = np.diff(train.matrix.indptr)[everyone] > 0
    assert (everyone.size, int((~known).sum())) == (301, 192)
    model, baseline = ImplicitALS(random_state=0).fit(train), Popularity().fit(train)
    counted = {name: ranking_metrics(top_k_lists(m, everyone, 10, 0)[0], test.matrix[everyone], 10)["ndcg@10"]
               for name, m in (("ials", model), ("popularity", baseline))}
    # counting them, the baseline's popular items for newcomers against a zero vector's random ones
    assert round(counted["ials"], 3) == 0.078 and round(counted["popularity"], 3) == 0.340
    got, base = evaluate(model, train, test, 10), evaluate(baseline, train, test, 10)
    assert got["users_evaluated"] == base["users_evaluated"] == 109 and got["users_without_training"] == 192
    assert round(got["ndcg@10"], 3) == 0.135 and round(base["ndcg@10"], 3) == 0.146


def test_implicit_als_alpha_1_ranks_above_alpha_10_on_the_time_split(time_split):
    """docs/python-api.md, "Implicit ALS's alpha": NDCG@10 0.135 against 0.120 on the time split (its 109 known users)."""
    from mfviz.evaluation import evaluate
    from mfviz.models import ImplicitALS

    train, test = time_split
    scores = [round(evaluate(ImplicitALS(alpha=alpha, random_state=0).fit(train), train, test, 10)["ndcg@10"], 3)
              for alpha in (1.0, 10.0)]
    assert scores == [0.135, 0.120]
