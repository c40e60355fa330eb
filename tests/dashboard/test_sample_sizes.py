"""The Train page's comparisons say both sample sizes when the paired per-user interval (up to
cached_metrics.ACTIVITY_USERS test users) counts fewer users than the results table's means (up to
training.EVAL_USERS)."""

from __future__ import annotations

from test_training import popular_data

from mfviz.dashboard import cached_metrics, versus_earlier
from mfviz.dashboard.state import ModelEntry
from mfviz.dashboard.versus_baseline import below_baseline, paired_numbers, users_words


def test_a_sample_smaller_than_the_tables_users_is_said_as_a_sample_of_them():
    assert users_words(5_000, 9_687) == "a seeded sample of 5,000 of the 9,687 test users"
    assert users_words(942, 942) == users_words(942) == "942 users"  # every user the table ranked: as before
    assert paired_numbers(-0.091, 0.012, 5_000, 10, of=9_687) == \
        "−0.091 ± 0.012 NDCG@10 on a seeded sample of 5,000 of the 9,687 test users"
    split = {"split": "random", "test": 0.2, "seed": 0}
    before, new = (ModelEntry(name=name, model=None, kind="ials", params={}, key=name, data_key="d", test=object(),
                              split_settings=split, metrics={"ndcg@10": ndcg, "users_evaluated": 9_687.0})
                   for name, ndcg in (("quick", 0.40), ("new", 0.36)))
    said = versus_earlier.below_earlier(new, before, None, (-0.045, 0.012, 5_000))
    assert said.endswith("(user by user −0.045 ± 0.012 on a seeded sample of 5,000 of the 9,687 test users, "
                         "beyond noise).")


def test_below_the_baseline_says_the_tables_users_and_the_paired_sample_of_them(monkeypatch):
    from mfviz.dashboard.training import evaluate
    from mfviz.evaluation import random_split
    from mfviz.evaluation.breakdown import paired_difference, per_user
    from mfviz.models import FunkSVD, Popularity

    train, test = random_split(popular_data(), test_size=0.3, seed=0)
    model = FunkSVD(factors=4, epochs=2, random_state=0).fit(train)  # ranks by rarely rated items: below popularity
    entry = ModelEntry(name="m", model=model, kind="funk", params={}, key="sample-sizes-funk", data_key="d",
                       metrics=evaluate(model, train, test, 5), train=train, test=test)
    ranked = int(entry.metrics["users_evaluated"])
    # the paired interval's sample, here smaller than the table's
    monkeypatch.setattr(cached_metrics, "ACTIVITY_USERS", 50)
    difference, half, users = paired_difference(per_user(model, test, 5, max_users=50),
                                                per_user(Popularity().fit(train), test, 5, max_users=50), "ndcg@5")
    assert users == 50 < ranked
    words = below_baseline(entry)
    assert f"on the same split's {ranked:,} test users; user by user" in words
    assert (f"user by user {difference:+.3f} ± {half:.3f} NDCG@5 on a seeded sample of 50 of the {ranked:,} test "
            "users, worse beyond noise)").replace("-", "−") in words


def test_the_reports_first_paragraph_says_both_sample_sizes_too():
    from types import SimpleNamespace

    from mfviz.dashboard.report import in_short

    bias = SimpleNamespace(aplt=0.1, coverage=0.2)
    said = in_short("M", {"ndcg@10": 0.288, "users_evaluated": 9_687.0}, {"ndcg@10": 0.378}, 10, bias, bias,
                    (-0.091, 0.012, 5_000))
    assert "NDCG@10 0.288 against 0.378" in said
    assert "−0.091 ± 0.012 NDCG@10 on a seeded sample of 5,000 of the 9,687 test users, user by user)." in said
    assert "on 942 users, user by user" in in_short("M", {"ndcg@10": 0.4, "users_evaluated": 942.0}, {"ndcg@10": 0.3},
                                                    10, bias, bias, (0.1, 0.01, 942))
