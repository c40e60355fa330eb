"""Principal dimensions of a model's scores against a dense SVD of P Qᵀ and hand-computed cases."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mfviz.analysis import describe_dimensions, dimension_ends, principal_dimensions
from mfviz.errors import DataError


@pytest.mark.parametrize("shape", [(40, 25, 6), (7, 30, 5), (30, 4, 8)])
def test_dimensions_are_the_singular_directions_of_the_score_matrix(shape):
    n_users, n_items, f = shape
    rng = np.random.default_rng(1)
    users, items = rng.normal(size=(n_users, f)), rng.normal(size=(n_items, f))
    scores = users @ items.T
    dims = principal_dimensions(users, items)
    left, values, right_t = np.linalg.svd(scores)  # the independent, dense answer
    rank = min(shape)
    np.testing.assert_allclose(dims.singular_values, values[:rank], rtol=1e-10)
    # the rotated factors still give every score
    np.testing.assert_allclose(dims.user_coords @ dims.item_coords.T, scores, atol=1e-10)
    # each item column is √σ_d times the d-th right singular vector, up to sign
    for d in range(rank):
        expected = right_t[d] * np.sqrt(values[d])
        sign = np.sign(expected @ dims.item_coords[:, d])
        np.testing.assert_allclose(dims.item_coords[:, d], sign * expected, atol=1e-10)
        np.testing.assert_allclose(dims.user_coords[:, d], sign * left[:, d] * np.sqrt(values[d]), atol=1e-10)
        # sign rule: the item coordinate of largest magnitude is positive
        assert dims.item_coords[np.argmax(np.abs(dims.item_coords[:, d])), d] > 0
    np.testing.assert_allclose(dims.energy_share, values[:rank] ** 2 / np.sum(values**2), rtol=1e-10)


def test_a_rank_deficient_model_has_fewer_dimensions_than_factors():
    rng = np.random.default_rng(2)
    users = rng.normal(size=(20, 2)) @ rng.normal(size=(2, 5))  # rank 2 in 5 columns
    items = rng.normal(size=(15, 5))
    dims = principal_dimensions(users, items)
    assert dims.item_coords.shape == (15, 2) and dims.user_coords.shape == (20, 2)
    np.testing.assert_allclose(dims.user_coords @ dims.item_coords.T, users @ items.T, atol=1e-9)
    empty = principal_dimensions(np.zeros((4, 3)), np.ones((5, 3)))
    assert empty.item_coords.shape == (5, 0) and empty.singular_values.size == 0


def test_truncated_svd_dimensions_are_its_own_factors():
    from mfviz.models import TruncatedSVD

    rng = np.random.default_rng(3)
    matrix = (rng.random((60, 40)) < 0.2) * rng.integers(1, 6, (60, 40)).astype(float)
    model = TruncatedSVD(factors=5).fit(sp.csr_matrix(matrix))
    dims = principal_dimensions(model)
    np.testing.assert_allclose(dims.singular_values, model.singular_values, rtol=1e-5)
    for d in range(5):  # item_factors = V Σ^½ (the same even split), so dimension d is column d, up to sign
        column = model.item_factors[:, d]
        assert abs(column @ dims.item_coords[:, d]) == pytest.approx(column @ column, rel=1e-4)


def test_a_planted_contrast_is_found_with_its_two_ends():
    # every user likes either the first five items or the last five; item 10 is neutral
    items = np.array([[1.0, 0.0]] * 5 + [[-1.0, 0.0]] * 5 + [[0.0, 0.1]])
    users = np.array([[1.0, 0.0], [-1.0, 0.0], [0.5, 1.0]])
    dims = principal_dimensions(users, items)
    high, low = dimension_ends(dims.item_coords[:, 0], 5)
    assert {frozenset(high.tolist()), frozenset(low.tolist())} == {frozenset(range(5)), frozenset(range(5, 10))}
    titles = [f"t{i}" for i in range(11)]
    groups = {"A": np.arange(5), "B": np.arange(5, 10), "N": np.array([10])}
    table = describe_dimensions(dims, titles, groups, n_dims=5, n_titles=2, end_share=5 / 11)
    assert list(table.columns) == ["dimension", "energy", "+ end genres", "− end genres", "+ end", "− end"]
    assert len(table) == 2 and table["dimension"].tolist() == [1, 2]
    assert table["energy"].sum() == pytest.approx(1.0)
    first = table.iloc[0]
    # the five A items are 11/5 = 2.2× as common at their end as in the catalogue
    assert {first["+ end genres"], first["− end genres"]} == {"A (2.2×)", "B (2.2×)"}
    plus = "t0 · t1" if first["+ end genres"].startswith("A") else "t5 · t6"
    assert first["+ end"] == plus
    # the second dimension puts the neutral item at one end
    assert "t10" in table.iloc[1]["+ end"] + table.iloc[1]["− end"]
    no_genres = describe_dimensions(dims, titles, {}, n_dims=1)
    assert list(no_genres.columns) == ["dimension", "energy", "+ end", "− end"] and len(no_genres) == 1
    # some dimensions only, in the order asked: the rows the strongest-first table has for them
    second = describe_dimensions(dims, titles, groups, n_titles=2, end_share=5 / 11, which=[1])
    pd.testing.assert_frame_equal(second, table.iloc[[1]].reset_index(drop=True))
    backwards = describe_dimensions(dims, titles, groups, n_titles=2, end_share=5 / 11, which=[1, 0])
    pd.testing.assert_frame_equal(backwards, table.iloc[[1, 0]].reset_index(drop=True))


def test_dimension_ends_by_hand():
    high, low = dimension_ends(np.array([0.5, -2.0, 3.0, 0.0, 3.0]), 2)
    assert high.tolist() == [2, 4] and low.tolist() == [1, 3]
    high, low = dimension_ends(np.array([1.0]), 3)
    assert high.tolist() == [0] and low.tolist() == [0]


def test_bad_factors_give_a_clear_message():
    with pytest.raises(DataError, match="same number of columns"):
        principal_dimensions(np.ones((3, 2)), np.ones((4, 3)))
    with pytest.raises(DataError, match="NaN or infinite"):
        principal_dimensions(np.full((3, 2), np.nan), np.ones((4, 2)))


def test_describe_reads_genres_from_an_item_table():
    from mfviz.analysis import genre_groups

    items = pd.DataFrame({"genres": [["X"], ["X"], ["Y"], ["Y"]]})
    dims = principal_dimensions(np.array([[1.0], [-1.0]]), np.array([[2.0], [1.0], [-1.0], [-2.0]]))
    row = describe_dimensions(dims, list("abcd"), genre_groups(items), end_share=0.5).iloc[0]
    assert (row["+ end"], row["− end"]) == ("a · b", "d · c")
    assert (row["+ end genres"], row["− end genres"]) == ("X (2.0×)", "Y (2.0×)")


def test_a_genre_over_represented_less_than_twice_is_not_named():
    # 12 items on one dimension, coordinates 12..1: the + end (1/6 of 12) is items 0 and 1, the − end 11 and 10.
    #   A = {0, 1, 6, 7}:  2 of 2 at the + end, 4 of 12 overall -> 3.0×, named
    #   C = {0, 8, 9}:     1 of 2, 3 of 12 -> 2.0×, named (the rule is "at least twice")
    #   B = {1, 8, 9, 10}: 1 of 2, 4 of 12 -> 1.5× at the + end, and at the − end (item 10): not named
    groups = {"A": np.array([0, 1, 6, 7]), "B": np.array([1, 8, 9, 10]), "C": np.array([0, 8, 9])}
    dims = principal_dimensions(np.array([[1.0]]), np.arange(12, 0, -1, dtype=np.float64).reshape(-1, 1))
    row = describe_dimensions(dims, [f"t{i}" for i in range(12)], groups, n_dims=1, end_share=1 / 6).iloc[0]
    assert (row["+ end"], row["− end"]) == ("t0 · t1", "t11 · t10")
    assert row["+ end genres"] == "A (3.0×), C (2.0×)"
    assert row["− end genres"] == "—"


@pytest.mark.parametrize("shape", [(40, 25, 6), (30, 4, 8)])
def test_any_user_vector_is_placed_so_that_its_scores_are_kept(shape):
    n_users, n_items, f = shape
    rng = np.random.default_rng(4)
    users, items = rng.normal(size=(n_users, f)), rng.normal(size=(n_items, f))
    dims = principal_dimensions(users, items)
    np.testing.assert_allclose(dims.place(users), dims.user_coords, atol=1e-9)  # the training users
    new = rng.normal(size=(3, f))  # e.g. folded-in profiles
    np.testing.assert_allclose(dims.place(new) @ dims.item_coords.T, new @ items.T, atol=1e-9)


def test_percentiles_among_the_items_by_coordinate_by_hand():
    from mfviz.analysis.dimensions import Dimensions

    # four items: (2, 0), (0, 1), (−1, 0), (3, 4)
    dims = Dimensions(np.array([2.0, 1.0]), np.zeros((2, 2)), np.array([[2.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [3.0, 4.0]]),
                      np.eye(2))
    # (2.5, 0) is higher than three of the four on dimension 1, than none on dimension 2 (ties are not lower)
    np.testing.assert_allclose(dims.percentiles([[2.5, 0.0]]), [[75.0, 0.0]])
    # the coordinate counts, not the direction: a short vector the same way sits lower (a rare item's)
    np.testing.assert_allclose(dims.percentiles([[0.1, 0.0]]), [[50.0, 0.0]])
    # each item among all of them: the highest on a dimension is past every other
    np.testing.assert_allclose(dims.percentiles(dims.item_coords), [[50, 0], [25, 50], [0, 0], [75, 75]])


def test_end_names_are_genres_without_ratios_or_the_first_titles():
    from mfviz.analysis.dimensions import end_names

    described = pd.DataFrame({"+ end genres": ["Sci-Fi (8.1×), Comedy (1.7×)", "—"],
                              "− end genres": ["—", "Horror (8.7×)"],
                              "+ end": ["a · b · c", "d · e · f"], "− end": ["g · h · i", "j · k · l"]})
    assert end_names(described) == [("g · h", "Sci-Fi, Comedy"), ("Horror", "d · e")]


def test_a_dimension_that_sorts_items_by_popularity_is_named_by_it_not_by_genres():
    """Spearman ρ of each dimension's coordinates with popularity, by hand; |ρ| ≥ 0.8 names the ends
    "popular items" / "rare items" (the popular end's genres are just the popular genres)."""
    from mfviz.analysis.dimensions import Dimensions, end_names

    # 5 items, popularity 50, 40, 30, 20, 10. Dimension 1 rises with popularity but for one swap of
    # neighbours (ranks 5 4 3 1 2: ρ = 1 − 6·2 / (5·24) = 0.9); dimension 2 falls with it (ρ = −1);
    # dimension 3 is unrelated (ranks 3 1 5 2 4 against 5 4 3 2 1: Σd² = 4+9+4+0+9 = 26, ρ = 1 − 156/120 = −0.3).
    coords = np.array([[5.0, -5.0, 3.0], [4.0, -4.0, 1.0], [3.0, -3.0, 5.0], [1.0, -2.0, 2.0], [2.0, -1.0, 4.0]])
    dims = Dimensions(np.array([3.0, 2.0, 1.0]), np.zeros((1, 3)), coords, np.eye(3))
    groups = {"Sci-Fi": np.array([0]), "Drama": np.array([4])}
    popularity = np.array([50, 40, 30, 20, 10])
    table = describe_dimensions(dims, list("abcde"), groups, n_dims=3, end_share=0.2, popularity=popularity)
    np.testing.assert_allclose(table["popularity ρ"], [0.9, -1.0, -0.3])
    names = end_names(table)
    assert names[0] == ("rare items", "popular items") and names[1] == ("popular items", "rare items")
    assert names[2] == ("b", "c")  # no genre twice as common at either end: the first titles
    assert "popularity ρ" not in describe_dimensions(dims, list("abcde"), groups, n_dims=3).columns
    constant = describe_dimensions(dims, list("abcde"), groups, n_dims=1, popularity=np.ones(5))
    assert np.isnan(constant["popularity ρ"].iloc[0]) and end_names(constant)[0] != ("rare items", "popular items")


def test_genre_loadings_by_hand():
    from mfviz.analysis.dimensions import Dimensions, genre_loadings

    # one dimension, items at 0, 0, 2, 2 (mean 1, sd 1): genre A = items 2, 3 sits +1 sd, B = items 0, 1 −1 sd,
    # C = items 1, 2 sits at the mean; the second dimension is constant (sd 0): every loading 0 there
    coords = np.array([[0.0, 5.0], [0.0, 5.0], [2.0, 5.0], [2.0, 5.0]])
    dims = Dimensions(np.array([2.0, 1.0]), np.zeros((1, 2)), coords, np.eye(2))
    table = genre_loadings(dims, {"A": np.array([2, 3]), "B": np.array([0, 1]), "C": np.array([1, 2]),
                                  "empty": np.array([], np.int64)})
    assert list(table.index) == ["A", "B", "C"] and list(table.columns) == [1, 2]
    np.testing.assert_allclose(table.to_numpy(), [[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0]])
    assert list(genre_loadings(dims, {"A": np.array([2])}, n_dims=1).columns) == [1]


def test_coordinates_table_lists_every_item_on_every_dimension():
    from mfviz.analysis.dimensions import coordinates_table

    rng = np.random.default_rng(5)
    dims = principal_dimensions(rng.normal(size=(6, 3)), rng.normal(size=(4, 3)))
    table = coordinates_table(dims, ["a", "b", "c", "d"], ["A", "B", "C", "D"])
    assert list(table.columns) == ["item_id", "title", "dim_1", "dim_2", "dim_3"]
    assert table["item_id"].tolist() == ["a", "b", "c", "d"]
    np.testing.assert_allclose(table[["dim_1", "dim_2", "dim_3"]].to_numpy(), dims.item_coords)


def test_what_lifts_an_item_is_the_fewest_dimensions_carrying_half_its_lift_over_the_average_item():
    from mfviz.analysis.dimensions import Dimensions, lifts_of

    rng = np.random.default_rng(8)
    users, items = rng.normal(size=(20, 5)), rng.normal(size=(30, 5))
    dims = principal_dimensions(users, items)
    targets = np.array([3, 7, 11])
    parts = (dims.item_coords[targets] - dims.item_coords.mean(axis=0)) * dims.user_coords[4][None, :]
    scores = items @ users[4]
    # the lifts add up to how far each item's score lies above the average item's
    np.testing.assert_allclose(parts.sum(axis=1), scores[targets] - scores.mean(), rtol=1e-8, atol=1e-10)
    for lift, gap in zip(lifts_of(dims, dims.user_coords[4], targets), scores[targets] - scores.mean(), strict=True):
        assert lift.gap == pytest.approx(gap) and lift.bias_gap == 0.0
    # by hand, the average item at (0, 0, 0, 0): a user at (1, 1, 1, 1)
    hand = Dimensions(np.array([4.0, 3.0, 2.0, 1.0]), np.ones((1, 4)),
                      np.array([[3.0, 0.5, 0.0, 0.0],      # one dimension carries 3 of 3.5: 86%
                                [1.0, 1.0, 1.0, 1.0],      # four alike: two carry half
                                [0.3, 0.3, 0.3, 0.3],      # the same, smaller
                                [2.0, -1.5, 0.0, 0.0],     # dimension 1 lifts 2, dimension 2 pulls 1.5 down
                                [-1.0, -1.0, -1.0, -1.0],  # below the average item: nothing lifts it
                                [1.0, 1.0, 1.0, 1.0],      # (the average item's place is their mean)
                                [-1.0, -1.0, -1.0, -1.0],
                                [-5.3, 0.7, -0.3, -0.3]]), np.eye(4))
    assert np.allclose(hand.item_centre, 0.0)
    one, two, small, pulled, below = lifts_of(hand, [1.0, 1.0, 1.0, 1.0], [0, 1, 2, 3, 4])
    assert (one.dims, one.sides, one.share) == ((0,), (1,), pytest.approx(3 / 3.5))
    assert (two.dims, two.share) == ((0, 1), pytest.approx(0.5)) and two.gap == pytest.approx(4.0)
    assert small.dims == (0, 1) and not small.spread
    assert pulled.dims == (0,) and pulled.share == pytest.approx(2 / 0.5)  # without it, below the average item
    assert below.dims == () and not below.spread and not below.by_bias and below.gap == pytest.approx(-4.0)
    # spread: eight dimensions lifting alike, three carry 3/8 of it
    flat = Dimensions(np.arange(8, 0, -1.0), np.ones((1, 8)), np.vstack([np.ones(8), -np.ones(8)]), np.eye(8))
    (spread,) = lifts_of(flat, np.ones(8), [0])
    assert spread.spread and spread.dims == () and spread.gap == pytest.approx(8.0)
    # an item bias lifting more than the taste names the bias; one lifting less leaves the dimensions named
    bias = np.array([5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0])  # mean 1
    high, _, _, _, low = lifts_of(hand, [1.0, 1.0, 1.0, 1.0], [0, 1, 2, 3, 4], bias)
    assert high.by_bias and high.bias_gap == pytest.approx(4.0) and high.gap == pytest.approx(3.5)
    assert not lifts_of(hand, [1.0, 1.0, 1.0, 1.0], [1], bias * 0.5)[0].by_bias  # 2 - 0.5 = 1.5 < 4
    assert low.by_bias is False and lifts_of(hand, np.ones(4), [7], bias)[0].by_bias  # below on taste, above by bias


def test_a_model_of_zero_vectors_has_no_dimensions_and_places_anything_nowhere():
    dims = principal_dimensions(np.zeros((5, 3)), np.zeros((4, 3)))
    assert dims.empty and dims.energy_share.size == 0
    # no dimensions: one row per item or user, no columns (np.stack of nothing raised before)
    assert dims.percentiles(dims.item_coords[1]).shape == (1, 0)
    assert dims.percentiles(dims.item_coords[[0, 2]]).mean(axis=0).shape == (0,)
    assert not principal_dimensions(np.eye(3), np.eye(3)).empty


def test_items_the_model_never_placed_name_no_end_of_a_dimension():
    # An item absent from the training part keeps a zero vector: 0 on every dimension. On a dimension whose items
    # are all on the + side (popularity), such items were "the − end" (ML-100K implicit ALS: Power 98, …).
    from mfviz.analysis.dimensions import describe_dimensions, dimension_ends

    rng = np.random.default_rng(0)
    items = np.abs(rng.normal(size=(40, 3))) + 0.1  # every coordinate positive: no item below 0
    items[[0, 17, 30]] = 0.0  # never seen in training (row 0: among the first f rows, where the QR left ~1e-16)
    users = np.abs(rng.normal(size=(25, 3)))
    dims = principal_dimensions(users, items)
    assert dims.placed.tolist() == [i for i in range(40) if i not in (0, 17, 30)]
    assert (dims.item_coords[[0, 17, 30]] == 0).all()
    titles = np.array([f"t{i}" for i in range(40)])
    groups = {"unseen": np.array([0, 17, 30]), "seen": np.array([1, 2, 3, 4, 5])}
    frame = describe_dimensions(dims, titles, groups, n_dims=1, n_titles=40, end_share=0.25)
    lowest = dims.placed[np.argsort(dims.item_coords[dims.placed, 0], kind="stable")]
    # the 0.25 × 37 = 9 placed items lowest on dimension 1, none of the three
    assert frame["− end"][0].split(" · ") == [f"t{i}" for i in lowest[:9]]
    assert "unseen" not in frame["− end genres"][0] and "unseen" not in frame["+ end genres"][0]
    high, low = dimension_ends(dims.item_coords[:, 0], 2, dims.placed)
    assert not {0, 17, 30} & set(low.tolist()) and low.tolist() == lowest[:2].tolist()
    assert dimension_ends(dims.item_coords[:, 0], 2)[1].tolist() == [0, 17]  # without `among`: the zero items
    # percentiles among the placed items too: the highest placed item is past all 36 others of the 37
    top = dims.placed[np.argmax(dims.item_coords[dims.placed, 0])]
    assert dims.percentiles(dims.item_coords[top])[0, 0] == pytest.approx(100 * 36 / 37)


def test_a_genre_names_an_end_only_when_it_is_twice_as_common_there_as_at_the_other_end():
    # Both ends of a MovieLens dimension are often popular films: a genre common among those stood out against
    # the catalogue at both ends ("Mystery ↔ Mystery, Thriller" on Truncated SVD's dimension 2).
    from mfviz.analysis.dimensions import Dimensions

    coords = np.arange(40, dtype=np.float64)[:, None] - 19.5  # one dimension, items 0..39 from − to +
    dims = Dimensions(np.array([1.0]), np.ones((1, 1)), coords, np.eye(1))
    groups = {"Both ends": np.r_[0:4, 36:40],  # 40% of each end's 10 items, 20% of the catalogue
              "Top": np.arange(30, 40),         # the whole + end, none of the − end
              "Lean": np.r_[0:1, 30:34]}        # 4 of the + end's 10 and 1 of the − end's: 4× there, not 2× here
    table = describe_dimensions(dims, [f"t{i}" for i in range(40)], groups, n_dims=1, end_share=0.25)
    assert table.loc[0, "+ end genres"] == "Top (4.0×), Lean (3.2×)"
    assert table.loc[0, "− end genres"] == "—"


def test_year_rho_is_spearmans_over_the_placed_items_with_a_year_and_the_ends_medians_are_theirs():
    from scipy.stats import spearmanr

    from mfviz.analysis.dimensions import Dimensions

    rng = np.random.default_rng(7)
    n = 80
    coords = rng.normal(size=(n, 3))
    coords[[5, 17, 60]] = 0.0  # items the model never saw: not placed, left out of ρ and the ends
    years = np.round(1990 + 10 * coords[:, 0] + rng.normal(0, 8, n))
    years[[3, 4, 40, 41, 70]] = np.nan  # unknown years
    years[5] = 1900.0  # a year of an unplaced item, which must not count
    dims = Dimensions(np.array([3.0, 2.0, 1.0]), np.zeros((1, 3)), coords, np.eye(3))
    table = describe_dimensions(dims, [f"t{i}" for i in range(n)], None, n_dims=3, end_share=0.1, years=years)
    placed = np.flatnonzero(np.any(coords != 0, axis=1))
    used = placed[np.isfinite(years[placed])]
    end_size = round(0.1 * placed.size)
    for d in range(3):
        assert table["year ρ"][d] == pytest.approx(spearmanr(coords[used, d], years[used]).statistic, abs=1e-12)
        order = placed[np.argsort(coords[placed, d])]
        for column, end in (("− end year", order[:end_size]), ("+ end year", order[-end_size:])):
            known = years[end][np.isfinite(years[end])]
            assert table[column][d] == np.floor(np.median(known) + 0.5)
    assert table["year ρ"][0] > 0.5 and abs(table["year ρ"][1]) < 0.3
    assert not {"year ρ", "+ end year"} & set(describe_dimensions(dims, list(map(str, range(n))), None).columns)
    # under 30 placed items with a year, no year columns: a |ρ| ≥ 0.5 comes by chance too often
    few = np.full(n, np.nan)
    few[placed[:29]] = 2000 + np.arange(29)
    assert "year ρ" not in describe_dimensions(dims, list(map(str, range(n))), None, years=few).columns
    few[placed[29]] = 1950
    assert "year ρ" in describe_dimensions(dims, list(map(str, range(n))), None, years=few).columns


def test_a_dimension_that_follows_the_release_year_is_named_by_it_and_one_that_does_not_by_genres():
    from mfviz.analysis.dimensions import Dimensions, end_names

    # 40 items, released 1950..1989 in a shuffled order. Dimension 1 is the year itself (ρ = 1), dimension 2 the
    # year upside down (ρ = −1), dimension 3 is ordered by the item index, which the shuffle leaves unrelated to
    # the year; Westerns are its 10 highest, Dramas its 10 lowest.
    years = 1950.0 + np.random.default_rng(3).permutation(40)
    order = np.arange(40, dtype=float)
    coords = np.column_stack([years - 1970, 1970 - years, order - 19.5])
    dims = Dimensions(np.array([3.0, 2.0, 1.0]), np.zeros((1, 3)), coords, np.eye(3))
    groups = {"Western": np.arange(30, 40), "Drama": np.arange(0, 10)}
    table = describe_dimensions(dims, [f"t{i}" for i in range(40)], groups, n_dims=3, end_share=0.25, years=years)
    # each end: 10 items; the newest 10 (1980..1989) have median 1984.5, to the year 1985; the oldest 1955
    assert table["year ρ"].tolist()[:2] == [pytest.approx(1.0), pytest.approx(-1.0)]
    assert abs(table["year ρ"][2]) < 0.5
    names = end_names(table)
    assert names[0] == ("older items, median 1955", "newer items, median 1985")
    assert names[1] == ("newer items, median 1985", "older items, median 1955")
    assert names[2] == ("Drama", "Western")


def test_popularity_names_a_dimension_before_its_year_and_the_threshold_is_a_half():
    from mfviz.analysis.dimensions import FOLLOWS_YEAR, end_names

    assert FOLLOWS_YEAR == 0.5  # the reviewer's threshold; the rows below sit on either side of it
    rows = pd.DataFrame({"popularity ρ": [0.9, 0.2, 0.2, 0.2], "year ρ": [0.7, 0.5, 0.49, -0.6],
                         "+ end year": [1990.0, 1996.0, 1996.0, np.nan], "− end year": [1960.0, 1958.0, 1958.0, 1990.0],
                         "+ end genres": ["War (3.0×)"] * 4, "− end genres": ["Musical (2.0×)"] * 4,
                         "+ end": ["a · b"] * 4, "− end": ["c · d"] * 4})
    assert end_names(rows) == [("rare items", "popular items"), ("older items, median 1958", "newer items, median 1996"),
                               ("Musical", "War"), ("newer items, median 1990", "older items")]
