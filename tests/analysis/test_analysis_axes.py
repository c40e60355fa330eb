"""Taste axes against hand-computed answers."""

import numpy as np
import pandas as pd
import pytest

from mfviz.analysis import genre_groups, taste_axis
from mfviz.errors import DataError


def test_taste_axis_by_hand():
    vectors = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0], [-1.0, 0.0], [0.0, 0.0]])
    # left = item 0 (unit (1, 0)), right = item 1 (unit (0, 1)): axis (-1, 1)/√2
    got = taste_axis(vectors, [0], [1])
    np.testing.assert_allclose(got, [-1 / np.sqrt(2), 1 / np.sqrt(2), 0.0, 1 / np.sqrt(2), 0.0], atol=1e-6)


def test_taste_axis_uses_mean_directions_not_lengths():
    vectors = np.array([[1.0, 0.0], [0.0, 100.0], [0.0, 1.0], [5.0, 5.0]])
    # the right group's mean unit vector is (0, 1) whatever its lengths
    np.testing.assert_allclose(taste_axis(vectors, [0], [1, 2]), taste_axis(vectors, [0], [2]))
    assert taste_axis(vectors, [0], [1, 2])[3] == pytest.approx(0.0, abs=1e-6)


def test_both_ends_of_an_axis_sit_equally_far_from_the_middle():
    """The groups' average directions are unit vectors before they are subtracted, so the left one sits at
    −reach and the right at +reach, whatever the spread of each group's items (with plain means of unit
    vectors, a spread-out group has a short mean and the axis runs mostly away from the other group)."""
    from mfviz.analysis import axis_direction
    from mfviz.analysis.axes import axis_reach, group_direction

    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [-0.8, 0.6], [3.0, 0.0]])
    left, right = [0, 3], [1, 2]  # left tight at (1, 0); right spread: unit mean (−0.4, 0.8), length 0.894
    np.testing.assert_allclose(group_direction(vectors, right), np.array([-0.4, 0.8]) / np.sqrt(0.8))
    direction = axis_direction(vectors, left, right)
    e_left, e_right = np.array([1.0, 0.0]), np.array([-0.4, 0.8]) / np.sqrt(0.8)
    np.testing.assert_allclose(direction, (e_right - e_left) / np.linalg.norm(e_right - e_left))
    reach = axis_reach(vectors, left, right)
    assert e_right @ direction == pytest.approx(reach) and e_left @ direction == pytest.approx(-reach)
    assert reach == pytest.approx(np.sqrt((1 - e_left @ e_right) / 2))  # √((1 − cos θ) / 2) = 0.851
    # a group whose items cancel out has no direction: said, not an axis "from nowhere"
    with pytest.raises(DataError, match="right end of the axis point every way"):
        axis_direction(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]), [0], [1, 2])


def test_taste_axis_refuses_ends_that_cannot_make_an_axis():
    vectors = np.eye(3)
    with pytest.raises(DataError, match="same way"):
        taste_axis(vectors, [0, 1], [1, 0])
    with pytest.raises(DataError, match="no items"):
        taste_axis(vectors, [], [1])
    with pytest.raises(DataError, match="outside 0..2"):
        taste_axis(vectors, [0], [3])


def test_genre_groups_from_lists_largest_first():
    items = pd.DataFrame({"genres": [["Drama", "Crime"], ["Drama"], [], None, "Comedy", ["Crime", "Crime"]]})
    groups = genre_groups(items)
    assert list(groups) == ["Crime", "Drama", "Comedy"]  # 2, 2 (ties by name), 1
    np.testing.assert_array_equal(groups["Crime"], [0, 5])
    np.testing.assert_array_equal(groups["Drama"], [0, 1])
    np.testing.assert_array_equal(groups["Comedy"], [4])
    assert genre_groups(pd.DataFrame({"title": ["a"]})) == {}


def test_group_shares_by_hand():
    from mfviz.analysis import group_shares

    groups = {"Horror": np.array([0, 1, 2]), "Drama": np.array([2, 3, 4, 5, 6, 7]), "Comedy": np.array([8, 9])}
    # 10 items; the selection {0, 1, 2, 3}: Horror 3/4 vs 3/10 (2.5×), Drama 2/4 vs 6/10 (0.83×)
    shares = group_shares(groups, [0, 1, 2, 3], 10)
    assert [name for name, _, _ in shares] == ["Horror", "Drama"]
    assert shares[0][1:] == pytest.approx((0.75, 0.3))
    assert shares[1][1:] == pytest.approx((0.5, 0.6))


def test_users_are_placed_on_the_items_axis_by_their_cosine():
    from mfviz.analysis import axis_direction, cosines_with

    items = np.array([[1.0, 0.0], [0.0, 2.0]])
    direction = axis_direction(items, [0], [1])
    np.testing.assert_allclose(direction, [-1 / np.sqrt(2), 1 / np.sqrt(2)], atol=1e-7)
    users = np.array([[0.0, 5.0], [3.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(cosines_with(users, direction), [1 / np.sqrt(2), -1 / np.sqrt(2), 0, 0], atol=1e-7)


def test_a_one_factor_model_says_its_axes_are_one_line():
    # one factor: every unit vector is +1 or −1, so ends on the same side give no axis
    with pytest.raises(DataError, match="single dimension, so every axis is the same line.*and so does every "
                                        "item: no choice of ends makes an axis"):
        taste_axis(np.array([[1.0], [2.0], [0.5]]), [0], [1, 2])  # a Truncated SVD's first factor: one sign
    with pytest.raises(DataError, match="single dimension.*: pick ends whose items sit at opposite ends$"):
        taste_axis(np.array([[1.0], [2.0], [-0.5]]), [0], [1])
    # ends on opposite sides make the axis, and every item sits at one end of it (cosine ±1)
    np.testing.assert_allclose(taste_axis(np.array([[1.0], [2.0], [-0.5]]), [2], [0, 1]), [1.0, 1.0, -1.0])


def test_zero_vectors_at_both_ends_say_the_model_learned_nothing():
    with pytest.raises(DataError, match="all-zero vectors: the model learned nothing"):
        taste_axis(np.zeros((4, 3)), [0], [1, 2])
