"""Users in the model's space: favourite genres by hand and by brute force, placing vectors on a map."""

import numpy as np
import pytest
import scipy.sparse as sp

from mfviz.analysis.users import favourite_groups, place_on_map, sample_users, user_table
from mfviz.errors import DataError


def test_the_favourite_genre_is_the_most_over_represented_one_not_the_largest():
    # items 0-3 are Drama, 4-5 Horror; Drama carries most interactions overall
    groups = {"Drama": np.array([0, 1, 2, 3]), "Horror": np.array([4, 5])}
    rows = [[0, 1, 2, 3, 4], [0, 1, 2, 4, 5], [0, 1], [0, 4], [1, 2, 3]]
    matrix = sp.csr_matrix((np.ones(sum(map(len, rows))), np.concatenate(rows),
                            np.cumsum([0, *map(len, rows)])), shape=(5, 6))
    favourite, lift = favourite_groups(matrix, groups)
    # whole data: 13 Drama and 4 Horror interactions of 17; user 1 has 3/5 Drama, 2/5 Horror
    # → lifts 0.6/(13/17) = 0.785 and 0.4/(4/17) = 1.7: Horror, though Drama is the larger share
    assert favourite.tolist() == ["Drama", "Horror", "Drama", "(none)", "Drama"]  # user 3: 1 + 1, below 2
    assert lift[1] == pytest.approx(0.4 / (4 / 17))
    assert lift[0] == pytest.approx(0.8 / (13 / 17))  # user 0: one Horror item is below min_count 2
    assert favourite_groups(matrix, groups, min_count=1)[0][3] == "Horror"  # user 3: 1/2 Horror, lift 2.1
    assert favourite_groups(matrix, groups, min_count=4)[0].tolist() == ["Drama", "(none)", "(none)", "(none)",
                                                                        "(none)"]
    assert favourite_groups(matrix, {})[0].tolist() == ["(none)"] * 5
    with pytest.raises(DataError, match="item index 9"):
        favourite_groups(matrix, {"x": np.array([9])})


def test_a_rare_genre_needs_a_share_of_the_users_items_to_be_distinctive():
    # 3 Documentaries among 125 films: a lift of 3.2 on ML-100K by chance, the "distinctive genre" of 103 users
    groups = {"Documentary": np.arange(0, 4), "Drama": np.arange(4, 200)}
    rows = [np.r_[0, 1, 2, np.arange(4, 126)], np.arange(4, 200)] + [np.arange(4, 200)] * 20
    matrix = sp.csr_matrix((np.ones(sum(map(len, rows))), np.concatenate(rows), np.cumsum([0, *map(len, rows)])),
                           shape=(len(rows), 200))
    assert favourite_groups(matrix, groups, min_share=0.0)[0][0] == "Documentary"  # 3 of 125: 2.4%
    assert favourite_groups(matrix, groups)[0][0] == "Drama"  # under 5% of the user's items: not counted
    rows[0] = np.r_[0, 1, 2, 3, np.arange(4, 60)]  # 4 of 60: 6.7%
    matrix = sp.csr_matrix((np.ones(sum(map(len, rows))), np.concatenate(rows), np.cumsum([0, *map(len, rows)])),
                           shape=(len(rows), 200))
    assert favourite_groups(matrix, groups)[0][0] == "Documentary"


def test_favourite_genres_match_brute_force_on_random_data():
    rng = np.random.default_rng(0)
    dense = rng.random((30, 20)) < 0.3
    groups = {g: np.flatnonzero(rng.random(20) < 0.3) for g in "abcd"}
    favourite, lift = favourite_groups(sp.csr_matrix(dense.astype(np.float32)), groups)
    total = dense.sum()
    for u in range(30):
        lifts = {g: (dense[u, m].sum() / max(dense[u].sum(), 1)) / (dense[:, m].sum() / total)
                 for g, m in groups.items() if dense[u, m].sum() >= max(2, 0.05 * dense[u].sum())
                 and dense[:, m].sum() > 0}
        if lifts:
            best = max(lifts, key=lambda g: (lifts[g], -list(groups).index(g)))
            assert favourite[u] == best and lift[u] == pytest.approx(lifts[best])
        else:
            assert favourite[u] == "(none)"


def test_a_vector_lands_at_the_mean_position_of_its_nearest_mapped_users():
    sample_vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]], np.float32)
    coords = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0], [-5.0, 3.0]])
    position, nearest = place_on_map([[1.0, 0.05]], sample_vectors, coords, k=2)
    assert sorted(nearest[0].tolist()) == [0, 1]
    np.testing.assert_allclose(position[0], [1.0, 0.0])
    position, _ = place_on_map([[3.0, 0.0]], sample_vectors, coords, k=10)  # k beyond the sample: all 4
    np.testing.assert_allclose(position[0], coords.mean(axis=0))


def test_the_user_sample_is_fixed_and_the_table_is_shaped_like_the_item_map():
    assert sample_users(10, 20).tolist() == list(range(10))
    first, second = sample_users(1000, 50), sample_users(1000, 50)
    assert np.array_equal(first, second) and len(np.unique(first)) == 50 and np.all(np.diff(first) > 0)
    table = user_table(np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([1, 3]), np.array([10, 11, 12, 13]),
                       np.array([5, 6, 7, 8]), np.array(["a", "b", "c", "d"], dtype=object), np.arange(4.0))
    assert table["item"].tolist() == [1, 3] and table["title"].tolist() == ["user 11 · 6 interactions",
                                                                           "user 13 · 8 interactions"]
    assert table["distinctive genre"].tolist() == ["b", "d"] and table["popularity"].tolist() == [6, 8]
    # an id that names itself once ("user user_01668"), and one interaction in the singular
    named = user_table(np.zeros((2, 2)), np.array([0, 1]), np.array(["user_01668", "A2SU"], dtype=object),
                       np.array([1, 42]), np.array(["a", "b"], dtype=object), np.zeros(2))
    assert named["title"].tolist() == ["user_01668 · 1 interaction", "user A2SU · 42 interactions"]
