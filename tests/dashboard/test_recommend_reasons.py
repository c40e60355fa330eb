"""The Recommend list's "because of" words on a one-factor ALS whose parts are worked out by hand (a disliked
item whose part is the largest reads "unlike <title>", a liked one its title, "adds" and "share" the same part),
and on the page for MovieLens 100K's user 554 (AppTest)."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from mfviz import Interactions
from mfviz.analysis import profile_contributions
from mfviz.dashboard.recommend_reasons import because_of, reasons_note
from mfviz.dashboard.recommend_view import RecommendView
from mfviz.dashboard.state import DataEntry, ModelEntry
from mfviz.models import ALS, ImplicitALS


def one_factor_view(biases: bool, model_class=ALS) -> RecommendView:
    """ALS with f = 1, λ = 1, μ = 3 (0 without biases), item biases 0 and item vectors 1, -2, 1, -1: a profile
    item's part of target t is t_j · y_t · (A⁻¹ f_j)[0] (ALS.score_contributions), here small enough by hand."""
    frame = pd.DataFrame({"user": [0, 0, 1, 1, 2, 2], "item": [0, 1, 2, 3, 0, 3], "rating": [5, 1, 4, 2, 3, 5]})
    inter = Interactions.from_frame(frame, user="user", item="item", rating="rating")
    extra = {"biases": biases} if model_class is ALS else {"alpha": 1.0}
    model = model_class(factors=1, epochs=1, regularization=1.0, random_state=0, **extra).fit(inter)
    model._item_factors = np.array([[1.0], [-2.0], [1.0], [-1.0]], np.float32)
    if biases:
        model.item_bias, model.global_mean = np.zeros(4, np.float32), 3.0
    entry = ModelEntry(name=model_class.__name__, model=model, kind=model_class.__name__.lower(), params={},
                       key=f"one-factor-{model_class.__name__}-{biases}", data_key="tiny")
    return RecommendView(entry=entry, data=DataEntry(inter, "tiny", "tiny"), popularity=np.full(4, 2), n=2,
                         strength=0.0, scale=[1.0, 2.0, 3.0, 4.0, 5.0], compare=[])


@pytest.mark.parametrize(("low", "label", "adds", "share"), [
    # f_0 = (1, 1), f_1 = (-2, 1): A = [[6, -1], [-1, 3]], A⁻¹ = [[3, 1], [1, 6]] / 17, so (A⁻¹ f_0)[0] = 4/17 and
    # (A⁻¹ f_1)[0] = -5/17. Target y = 1: item 0 (rated 5, t = 2) adds 8/17; item 1 rated 1 (t = -2) adds 10/17,
    # the larger: the vector turned away from it, toward items unlike it; rated 2 (t = -1) it adds 5/17
    (1.0, "unlike {1} (rated 1)", 10 / 17, 100 * 10 / 18),
    (2.0, "{0}", 8 / 17, 100 * 8 / 13),
])
def test_a_disliked_item_with_the_largest_part_reads_unlike_it(low, label, adds, share):
    view = one_factor_view(biases=True)
    titles = view.titles
    labels, added, shares = because_of(view, np.array([0, 1]), np.array([5.0, low]), np.array([2, 3]))
    assert labels == [label.format(*titles), "—"]  # target 3 (y = -1): every part lowers it, no reason
    assert added[0] == pytest.approx(adds, rel=1e-5) and shares[0] == pytest.approx(share, rel=1e-5)
    assert np.isnan(added[1]) and np.isnan(shares[1])


def test_a_dislike_of_the_profiles_box_reads_unlike_it_and_the_caption_says_what_counts_as_low():
    view = one_factor_view(biases=True)
    labels, _, _ = because_of(view, np.array([0, 1]), np.array([5.0, 1.0]), np.array([2]), disliked={1})
    assert labels == [f"unlike {view.titles[1]} (disliked)"]
    note = reasons_note(view, 2)
    assert "\"unlike X (rated 1)\"" in note and "below the scale's middle (3)" in note


def test_without_biases_a_low_rating_is_weak_interest_and_keeps_its_title():
    # f_0 = 1, f_1 = -2, no bias column: A = 1 + 4 + 1 = 6. Target 3 (y = -1): item 0 (rated 5) adds -5/6, item
    # 1 (rated 1) adds 1 · (-1) · (-2) / 6 = 1/3, a pull toward it: no "unlike", the rating said
    view = one_factor_view(biases=False)
    labels, added, shares = because_of(view, np.array([0, 1]), np.array([5.0, 1.0]), np.array([3]))
    assert labels == [f"{view.titles[1]} (rated 1)"]
    assert added[0] == pytest.approx(1 / 3, rel=1e-5) and shares[0] == pytest.approx(100)
    assert "unlike" not in reasons_note(view, 2)



def test_implicit_als_reads_a_low_rating_as_weak_interest_and_says_the_rating():
    # c = 1 + r: c_0 = 6, c_1 = 2; W⁻¹ = YᵀY + Σ (c_j - 1) y_j² + λ = 7 + 5 + 4 + 1 = 17. Target 3 (y = -1): item 0
    # adds 6 · (-1) · 1 / 17, item 1 (rated 1) 2 · (-1) · (-2) / 17 = 4/17: the model's interest in it, said so
    view = one_factor_view(biases=False, model_class=ImplicitALS)
    labels, added, shares = because_of(view, np.array([0, 1]), np.array([5.0, 1.0]), np.array([3]))
    assert labels == [f"{view.titles[1]} (rated 1)"]
    assert added[0] == pytest.approx(4 / 17, rel=1e-5) and shares[0] == pytest.approx(100)

ROOT = Path(__file__).resolve().parents[2]
ML100K = ROOT.parent / "shared" / "datasets" / "ml-100k" / "u.data"
os.environ["MFVIZ_NO_WARM_UP"] = "1"  # no UMAP compilation thread competing with this test
os.environ["MFVIZ_NO_PRECOMPUTE"] = "1"


@pytest.mark.skipif(not (ML100K.parent / "u.item").is_file(), reason=f"MovieLens 100K not found at {ML100K}")
def test_user_554s_one_star_films_read_unlike_them_on_the_page():
    """The reviewer's case: Funk SVD at its defaults on MovieLens 100K, user 554, who rated Devil in a Blue Dress
    and Muppet Treasure Island 1 star; their parts were the largest on most rows and read "because of" them."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["latent_method"] = "PCA"
    at.run()
    at.file_uploader(key="upload_items").set_value(("u.item", (ML100K.parent / "u.item").read_bytes(), "text/plain"))
    at.file_uploader(key="upload_interactions").set_value(("u.data", ML100K.read_bytes(), "text/plain"))
    at.run()
    at.switch_page("pages/train_page.py").run()
    at.selectbox(key="train_model").set_value("funksvd").run()
    at.button(key="train_submit").click().run()
    at.switch_page("pages/recommend_page.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    inter = at.session_state["mfviz.data"].interactions
    user = int(np.flatnonzero(inter.user_ids.astype(str) == "554")[0])
    at.selectbox(key="rec_user").set_value(user).run()
    entry = at.session_state["mfviz.models"][at.selectbox(key="model_picker").value]
    table = next(d.value for d in at.dataframe if "because of" in d.value.columns)
    row = entry.train.matrix[user]  # the reasons come from the items the model was trained on
    targets = np.array([int(np.flatnonzero(inter.titles == title)[0]) for title in table["title"]])
    parts = profile_contributions(entry.model, row.indices, row.data, targets, limit=100)
    best = np.nanargmax(parts, axis=1)
    rated = row.data[best]
    assert (rated == 1).sum() >= 5, rated  # the 1-star films carry the largest part on most rows
    for label, adds, item, rating, part in zip(table["because of"], table["adds"], row.indices[best], rated,
                                               parts[np.arange(targets.size), best], strict=True):
        title = str(inter.titles[item])
        assert label == (f"unlike {title} (rated {rating:g})" if rating < 3 else title), label
        assert adds == pytest.approx(part, abs=1e-5)
