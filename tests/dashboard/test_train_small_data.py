"""The Train page on small and degenerate data, through AppTest with uploaded CSV bytes: every section
renders (results, users served, save and load), and a section that cannot be computed on so little
data says what it needs in one sentence instead of stopping the page."""

from __future__ import annotations

import numpy as np
import pytest
from test_pages import new_app, open_page, upload

TRAIN = "pages/train_page.py"


def ratings_csv(n_users: int, n_items: int, per_user: int, seed: int = 1) -> bytes:
    """`per_user` random items of `n_items` for each of `n_users` users, ratings 1–5."""
    rng = np.random.default_rng(seed)
    rows = [f"u{u},i{i},{rng.integers(1, 6)}" for u in range(n_users)
            for i in rng.choice(n_items, min(per_user, n_items), replace=False)]
    return ("user,item,rating\n" + "\n".join(rows) + "\n").encode()


def train(at, kind: str, split: str | None = None, **hyperparameters):
    at.selectbox(key="train_model").set_value(kind).run()
    for name, value in hyperparameters.items():
        at.number_input(key=f"hp_{kind}_{name}").set_value(value)
    if split is not None:
        at.selectbox(key="split_method").set_value(split)
    return at.button(key="train_submit").click().run()


def assert_every_section(at) -> None:
    """No error, the results table, and Save and Load with their widgets."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "Models of this session" in [s.value for s in at.subheader]
    texts = [m.value for m in at.markdown]
    assert "**Save a model**" in texts and "**Load a model**" in texts
    assert "save_model" in [b.key for b in at.get("download_button")]
    assert "load_model" in [f.key for f in at.get("file_uploader")]


def new_user_notice(at) -> list[str]:
    return [i.value for i in at.info if "new user" in i.value]


def report_offered(at) -> bool:
    return "save_report" in [b.key for b in at.get("download_button")]


@pytest.mark.parametrize("shape", [(3, 4, 3), (30, 2, 2), (20, 30, 10)], ids=["3x4", "30x2", "20x30"])
def test_too_few_test_users_for_the_new_user_curve_leave_the_rest_of_the_page_working(shape):
    at = upload(new_app(), "small.csv", ratings_csv(*shape))
    open_page(at, TRAIN)  # the quick default model has a test split
    assert_every_section(at)
    notice = new_user_notice(at)
    assert len(notice) == 1 and "30 test users" in notice[0] and "more data" in notice[0], notice
    assert report_offered(at)  # without that curve (tests/dashboard/test_report.py)
    train(at, "ials", factors=2, epochs=3)
    assert_every_section(at)
    assert "Trained **Implicit ALS (f=2, epochs=3)**" in " ".join(s.value for s in [*at.success, *at.warning])
    assert len(new_user_notice(at)) == 1
    train(at, "ials", split="none", factors=2, epochs=3)  # no test set: the new model is not in that section
    assert_every_section(at)


def test_forty_users_get_the_new_user_curve_and_no_notice():
    at = open_page(upload(new_app(), "forty.csv", ratings_csv(40, 20, 8)), TRAIN)
    assert_every_section(at)
    assert not new_user_notice(at)
    assert "**How much a new user must tell the model**" in [m.value for m in at.markdown]
    assert report_offered(at)


def test_a_model_that_learned_nothing_is_presented_with_a_warning_saying_why():
    rng = np.random.default_rng(3)
    rows = [f"u{u},i{i},4" for u in range(60) for i in rng.choice(30, 8, replace=False)]  # every value 4
    at = open_page(upload(new_app(), "same.csv", ("user,item,rating\n" + "\n".join(rows) + "\n").encode()), TRAIN)
    train(at, "als", factors=4, epochs=3)
    assert_every_section(at)
    [warning] = [w.value for w in at.warning]
    assert warning.startswith("ALS (f=4, epochs=3): its user and item vectors are all zero")
    assert "every training value is 4" in warning and "Implicit ALS" in warning
    train(at, "ials", factors=4, epochs=3)  # learns from which items each user has: nothing to warn of
    # but, on 49 test users, its lead over the Popularity baseline (+0.038 ± 0.064 NDCG@10) is within noise: said so
    [warning] = [w.value for w in at.warning]  # "Trained …" and the verdict, one warning
    assert warning.startswith("Trained **Implicit ALS (f=4, epochs=3)**")
    assert "Its lists do not beat the Popularity baseline" in warning and "within noise" in warning


def test_a_sweep_diverging_at_a_huge_regularization_says_to_lower_it():
    at = open_page(upload(new_app(), "forty.csv", ratings_csv(40, 20, 8)), TRAIN)
    at.selectbox(key="train_model").set_value("funksvd").run()
    at.number_input(key="hp_funksvd_epochs").set_value(2)
    at.selectbox(key="sweep_funksvd").set_value("regularization")
    at.text_input(key="sweep_values_funksvd").input("0, 1e6")
    at.button(key="train_submit").click().run()
    assert_every_section(at)
    [warning] = [w.value for w in at.warning if "diverged" in w.value]
    # On random ratings the Popularity baseline can beat every model here (the quick default implicit ALS
    # too, at alpha 1), which is said as well, and of the model the sweep chose as of one trained alone (below the
    # baseline, or below the model shown before the sweep); no other warning.
    assert all(w.value.startswith("No model here beats the Popularity baseline") or (
        w.value.startswith("Trained ") and ("Its lists do not beat the Popularity baseline" in w.value
                                            or "It ranks below **" in w.value))
        for w in at.warning if w.value != warning), [w.value for w in at.warning]
    assert warning.startswith("Funk SVD (regularization=1e+06): Funk SVD diverged")
    assert "lower regularization (now 1e+06)" in warning and "lower learning_rate" not in warning


def test_the_user_group_summary_counts_one_training_interaction_in_the_singular():
    # data of users with one or two interactions each: "(1 training interactions)"
    import pandas as pd

    from mfviz.dashboard.served import _summary

    users = pd.DataFrame({"user": [0, 1, 2, 3], "ndcg@10": [0.05, 0.15, 0.20, 0.20]})
    said = _summary({"Funk SVD": users}, np.array([1, 1, 2, 2]), "ndcg@10", "NDCG@10", lower_is_better=False)
    assert said == ("Funk SVD: NDCG@10 0.100 for the lightest users (1 training interaction), 0.200 for the heaviest "
                    "(2 training interactions).")


def test_test_users_with_no_training_interaction_are_counted_on_the_page():
    # users of one or two interactions on a random split: many lose every item to the test part, which only the
    # CLI's JSON said (users_without_training); the page's numbers were lower for a reason it did not give
    at = upload(new_app(), "sparse.csv", ratings_csv(600, 80, 2))
    open_page(at, TRAIN)
    assert_every_section(at)
    entry = next(iter(at.session_state["mfviz.models"].values()))  # the quick default, 20% held out
    unseen, users = int(entry.metrics["users_without_training"]), int(entry.metrics["users_evaluated"])
    assert unseen > 0 and users > 0  # the ranking metrics rank the others only (known_users)
    test = entry.test.matrix
    share = test[np.diff(entry.train.matrix.indptr) == 0].nnz / test.nnz  # their part of the test ratings
    said = (f"{unseen:,} test users of the {entry.split}, seed 0 split have no interaction in the training part "
            f"(every item held out; {share:.0%} of the test ratings)")
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]
    # a split by user keeps some of each user's items in training: none unseen, and nothing said of its split
    train(at, "ials", split="user", factors=2, epochs=2)
    assert_every_section(at)
    trained = [e for e in at.session_state["mfviz.models"].values() if e.name.startswith("Implicit ALS (f=2")]
    assert trained and trained[0].metrics["users_without_training"] == 0
    caption = next(c.value for c in at.caption if said in c.value)  # the random split's, still
    assert f"of the {trained[0].split}" not in caption and caption.count("split have no interaction") == 1


def test_what_a_fit_warns_of_is_shown_once_beside_the_training_outcome_and_after_a_load(tmp_path):
    # two groups of ten users, each rating its own four items alike: rank 2, so 3 of 5 components are noise. The
    # fit warns in the training thread, which only the server's console saw; the page reads the model's list.
    rows = [f"u{u},i{i + 4 * (u % 2)},{1 + u % 2}" for u in range(20) for i in range(4)]
    at = upload(new_app(), "blocks.csv", ("user,item,rating\n" + "\n".join(rows) + "\n").encode())
    open_page(at, TRAIN)
    train(at, "svd", split="none", factors=5)
    assert_every_section(at)
    said = [w.value for w in at.warning if "components carry signal" in w.value]
    assert len(said) == 1, said
    assert said[0].startswith("Truncated SVD (f=5, no test): only 2 of the 5 components carry signal")
    assert "choose factors <= 2" in said[0]
    assert "Trained **Truncated SVD (f=5, no test)**" in " ".join(s.value for s in at.success)
    # saved and loaded back (Load a model): the file keeps no warning, the page finds it in the model's numbers
    path = at.session_state["mfviz.models"]["Truncated SVD (f=5, no test)"].model.save(tmp_path / "svd.npz")
    at.file_uploader(key="load_model").set_value(("svd.npz", path.read_bytes(), "application/octet-stream")).run()
    assert_every_section(at)
    said = [w.value for w in at.warning if w.value.startswith("svd.npz: only 2 of the 5 components carry signal")]
    assert len(said) == 1, [w.value for w in at.warning]


def test_a_split_that_cannot_be_made_is_said_in_the_pages_words():
    # on 2 rows the split's message named the API's test_size, a word the page's "Test share" control never shows
    at = open_page(upload(new_app(), "two.csv", b"user,item,rating\na,x,4\nb,y,2\n"), TRAIN)
    train(at, "svd")
    assert not at.exception
    said = [e.value for e in at.error]
    assert said == ["A Test share of 0.2 of 2 interactions leaves the test set empty; raise the Test share or use "
                    "more data"], said


def test_on_values_below_zero_the_train_page_opens_on_a_model_that_can_train_on_them():
    # centred ratings (−2…2): the page opened on implicit ALS, whose Train button then failed ("needs non-negative
    # values")
    rows = "".join(f"u{u},i{(u * 3 + j) % 15},{(u + j) % 5 - 2}\n" for u in range(40) for j in range(6))
    at = open_page(upload(new_app(), "centred.csv", ("user,item,rating\n" + rows).encode()), TRAIN)
    assert at.selectbox(key="train_model").value == "als"
    at.button(key="train_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(s.value.startswith("Trained **ALS") for s in [*at.success, *at.warning])
