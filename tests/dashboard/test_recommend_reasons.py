"""The Recommend list's "because of" words on a one-factor ALS whose parts are worked out by hand: a disliked
item whose part is the largest reads "unlike <title>", a liked one its title, "adds" and "share" the same part."""

import numpy as np
import pandas as pd
import pytest

from mfviz import Interactions
from mfviz.dashboard.recommend_reasons import because_of, reasons_note
from mfviz.dashboard.recommend_view import RecommendView
from mfviz.dashboard.state import DataEntry, ModelEntry
from mfviz.models import ALS


def one_factor_view(biases: bool) -> RecommendView:
    """ALS with f = 1, λ = 1, μ = 3 (0 without biases), item biases 0 and item vectors 1, -2, 1, -1: a profile
    item's part of target t is t_j · y_t · (A⁻¹ f_j)[0] (ALS.score_contributions), here small enough by hand."""
    frame = pd.DataFrame({"user": [0, 0, 1, 1, 2, 2], "item": [0, 1, 2, 3, 0, 3], "rating": [5, 1, 4, 2, 3, 5]})
    inter = Interactions.from_frame(frame, user="user", item="item", rating="rating")
    model = ALS(factors=1, epochs=1, regularization=1.0, biases=biases, random_state=0).fit(inter)
    model._item_factors = np.array([[1.0], [-2.0], [1.0], [-1.0]], np.float32)
    if biases:
        model.item_bias, model.global_mean = np.zeros(4, np.float32), 3.0
    entry = ModelEntry(name="ALS", model=model, kind="als", params={}, key=f"one-factor-{biases}", data_key="tiny")
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
