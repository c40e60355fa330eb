"""The model report of a model trained on a split that held out all of some users' interactions: its popularity bias
is of the users the model was trained on, and its words say how many were left out."""

from __future__ import annotations

import html
import io

import pandas as pd
from test_untrained_left_out import ratings_csv

from mfviz import Interactions, evaluation
from mfviz.analysis import popularity_report
from mfviz.dashboard import report
from mfviz.models import ImplicitALS


def test_the_reports_popularity_bias_is_of_the_trained_users_and_says_how_many_were_left_out():
    frame = pd.read_csv(io.BytesIO(ratings_csv()))
    data = Interactions.from_frame(frame, user="user", item="item", rating="rating", timestamp="timestamp")
    said = ("50 users the model was never trained on are left out: a split held out all their interactions, so their "
            "vectors were never fitted and their lists (the catalogue in index order) would say nothing of them.")
    for method, left_out in (("time", True), ("random", False)):
        train, test = evaluation.split(data, method, test_size=0.35, seed=0)
        model = ImplicitALS(factors=8, epochs=5, random_state=0).fit(train)
        text = report.build("iALS", model, train, test, data, "late.csv", k=5)
        bias = popularity_report(model, data, k=5)
        assert bias.users_untrained == (50 if left_out else 0) and bias.users == 300 - bias.users_untrained
        assert f"<td>{bias.arp:.4g}</td>" in text
        assert (html.escape(said) in text) == left_out


def test_the_report_says_the_ranking_metrics_leave_out_the_test_users_without_training_data_not_that_it_sampled():
    # "Ranking metrics on a seeded sample of 134 of the 586 test users": nothing was sampled; the users a time
    # split held out wholly were left out (known_users), and the report did not say so
    from mfviz.evaluation.metrics import known_users

    frame = pd.read_csv(io.BytesIO(ratings_csv()))
    data = Interactions.from_frame(frame, user="user", item="item", rating="rating", timestamp="timestamp")
    train, test = evaluation.split(data, "time", test_size=0.35, seed=0)
    in_test = test.matrix.getnnz(axis=1) > 0
    strangers = int((in_test & ~known_users(train)).sum())
    assert strangers == 50
    text = html.unescape(report.build("iALS", ImplicitALS(factors=8, epochs=5, random_state=0).fit(train), train,
                                      test, data, "late.csv", k=5))
    assert (f"Ranking metrics on the {int(in_test.sum()) - strangers:,} test users with a training interaction: the "
            f"split held out every interaction of the other {strangers:,}") in text
    assert "seeded sample" not in text  # far fewer than the 20,000 the table ranks at most
