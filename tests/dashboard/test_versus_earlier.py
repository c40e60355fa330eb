"""A new model against the one the pages showed before it (versus_earlier), and the Train form's layout (train_form):
hand-built cases whose answer is known, and the case the stakeholder review found, on MovieLens 100K."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mfviz.dashboard import train_form, versus_earlier
from mfviz.dashboard.state import ModelEntry
from mfviz.models import MODELS

SPLIT = {"split": "random", "test": 0.2, "seed": 0}


def entry(name: str, metrics: dict, split: dict | None = None, data_key: str = "data") -> ModelEntry:
    # the test part only has to be there: which split it is, its settings say (versus_baseline.split_identity)
    return ModelEntry(name=name, model=None, kind="ials", params={}, key=name, data_key=data_key, metrics=metrics,
                      test=object(), split_settings=dict(split or SPLIT))


QUICK = entry("Implicit ALS (quick default)", {"ndcg@10": 0.403, "recall@10": 0.20})
NEW = entry("Implicit ALS (f=64)", {"ndcg@10": 0.358, "recall@10": 0.21})


def test_a_model_ranking_below_the_one_shown_before_is_said_with_both_numbers():
    said = versus_earlier.below_earlier(NEW, QUICK, None)
    assert said == ("It ranks below **Implicit ALS (quick default)**, the model the pages showed before: "
                    "NDCG@10 0.358 against 0.403 on the same split.")
    assert versus_earlier.below_earlier(QUICK, NEW, None) is None  # the better one is not said to be worse
    assert versus_earlier.below_earlier(NEW, NEW, None) is None


def test_the_comparison_charts_metric_is_the_measure_and_noise_is_said():
    # by recall@10 (the chart's "Compare by"), the new model is the better one: nothing to say
    assert versus_earlier.below_earlier(NEW, QUICK, "recall@10") is None
    # a metric one of them lacks (RMSE of a ranker): NDCG@k, the chart's own default
    assert versus_earlier.compared_by(NEW, QUICK, "rmse") == "ndcg@10"
    beyond = versus_earlier.below_earlier(NEW, QUICK, None, (-0.045, 0.012, 942))
    assert beyond.endswith("(user by user −0.045 ± 0.012 on 942 users, beyond noise).")
    within = versus_earlier.below_earlier(NEW, QUICK, None, (-0.045, 0.060, 942))
    assert within.endswith("(user by user −0.045 ± 0.060 on 942 users, within noise: no evidence either way).")


def test_rmse_is_lower_better_and_other_splits_are_not_compared():
    funk = entry("Funk SVD", {"ndcg@10": 0.09, "rmse": 0.95})
    als = entry("ALS", {"ndcg@10": 0.13, "rmse": 0.92})
    assert versus_earlier.below_earlier(funk, als, "rmse") == (
        "It predicts ratings worse than **ALS**, the model the pages showed before: RMSE 0.950 against 0.920 on the "
        "same split.")
    assert versus_earlier.below_earlier(als, funk, "rmse") is None
    other_seed = entry("Implicit ALS (f=64)", NEW.metrics, split={**SPLIT, "seed": 1})
    other_data = entry("Implicit ALS (f=64)", NEW.metrics, data_key="other data")
    assert versus_earlier.below_earlier(other_seed, QUICK, None) is None  # other test users: numbers not comparable
    assert versus_earlier.below_earlier(other_data, QUICK, None) is None
    unscored = entry("Implicit ALS (f=64)", {})  # trained without a test set
    assert versus_earlier.below_earlier(unscored, QUICK, None) is None


def test_the_form_shows_the_hyperparameters_changed_most_and_opens_the_rest_when_one_is_set():
    params = MODELS["ials"].params
    main, more = train_form.split_params(params)
    assert main == ["factors", "epochs", "regularization", "alpha"]
    assert more == ["confidence", "eps", "solver", "cg_steps", "random_state"]
    for cls in MODELS.values():  # every model's hyperparameters, each in one part, one row of at most four at once
        shown, rest = train_form.split_params(cls.params)
        assert sorted(shown + rest) == sorted(cls.params) and len(shown) <= 4
    assert train_form.changed_beyond_main(params, {}) == []
    assert train_form.changed_beyond_main(params, {"factors": 8, "random_state": 0}) == []  # a seed of None shows as 0
    assert train_form.changed_beyond_main(params, {"factors": 8, "cg_steps": 5, "random_state": 3}) == [
        "cg_steps", "random_state"]


ROOT = Path(__file__).resolve().parents[2]
ML100K = ROOT.parent / "shared" / "datasets" / "ml-100k" / "u.data"


@pytest.mark.skipif(not ML100K.is_file(), reason=f"MovieLens 100K not found at {ML100K}")
def test_on_movielens_the_pages_default_implicit_als_is_said_to_rank_below_the_quick_default_and_offered_back():
    """The review's case: implicit ALS at its own defaults (64 factors, 15 epochs) on MovieLens 100K, trained from the
    Train page, ranks below the quick default the app trained by itself (NDCG@10 0.358 against 0.403)."""
    from streamlit.testing.v1 import AppTest

    os.environ["MFVIZ_NO_WARM_UP"] = "1"
    os.environ["MFVIZ_NO_PRECOMPUTE"] = "1"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["latent_method"] = "PCA"
    at.run()
    at.file_uploader(key="upload_interactions").set_value(("u.data", ML100K.read_bytes(), "text/plain")).run()
    at.switch_page("pages/train_page.py").run()
    models = at.session_state["mfviz.models"]
    quick = next(name for name in models if "quick default" in name)
    assert at.session_state["mfviz.active_model"] == quick
    at.button(key="train_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    models = at.session_state["mfviz.models"]
    new = models[at.session_state["mfviz.active_model"]]
    assert new.params["factors"] == 64 and new.params["epochs"] == 15
    ours, theirs = new.metrics["ndcg@10"], models[quick].metrics["ndcg@10"]
    assert ours < theirs  # the review's figures: 0.358 against 0.403
    said = next(w.value for w in at.warning if "the model the pages showed before" in w.value)
    assert said.startswith(f"It ranks below **{quick}**, the model the pages showed before: "
                           f"NDCG@10 {ours:.3f} against {theirs:.3f} on the same split")
    assert not any("do not beat the Popularity baseline" in w.value for w in at.warning)  # it does beat it
    at.button(key="train_show_before").click().run()
    assert at.session_state["mfviz.active_model"] == quick and new.name in at.session_state["mfviz.models"]
