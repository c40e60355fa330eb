"""Ratings outside the scale of the rest (typos such as -1 or 99 among 1-5 stars): found, said, dropped or kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ML100K

from mfviz import DataError, load_interactions
from mfviz.dashboard.svg_charts import rating_histogram
from mfviz.data import scale


def stars_csv(tmp_path, typos: dict[int, str], n: int = 5_000, name: str = "stars"):
    """n rows of 1-5 stars by 200 users over 300 items, the rows at the given 0-based positions
    replaced by typos; also the intended frame (the rows as written)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"user": [f"u{u}" for u in rng.integers(0, 200, n)],
                          "item": [f"i{i}" for i in rng.integers(0, 300, n)],
                          name: rng.integers(1, 6, n).astype(str)})
    for row, value in typos.items():
        frame.loc[row, [name, "user", "item"]] = [value, f"typist{row}", f"typo item{row}"]
    path = tmp_path / "stars.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_two_typos_among_5000_ratings_stop_the_load_saying_which_and_where(tmp_path):
    path, _ = stars_csv(tmp_path, {100: "-1", 2000: "99"})
    with pytest.raises(scale.RatingsOutsideScale) as caught:
        load_interactions(path)
    said = str(caught.value)
    assert isinstance(caught.value, DataError)
    assert "2 ratings in column 'stars' lie outside 1–5 (-1, 99), the scale of the other 4,998" in said
    assert "(at rows 101 and 2,001 of the data)" in said  # rows counted from 1, as the other messages do
    assert "out_of_scale='drop'" in said and "out_of_scale='keep'" in said
    assert (caught.value.count, caught.value.scale, caught.value.shown) == (2, (1.0, 5.0), "-1, 99")


@pytest.mark.parametrize("how", [{"on_bad_rows": "drop"}, {"out_of_scale": "drop"}])
def test_dropped_typos_are_counted_as_dropped_rows_and_their_users_and_items_go(tmp_path, how):
    path, frame = stars_csv(tmp_path, {100: "-1", 2000: "99"})
    data = load_interactions(path, **how)
    assert data.report.rows_dropped == 2 and data.report.rows_read == 5_000
    assert data.report.dropped == {"a rating outside 1–5 (the scale of the rest) in column 'stars': -1, 99": 2}
    assert data.matrix.data.min() == 1 and data.matrix.data.max() == 5 and data.is_explicit
    # each typo sat on a user and an item of its own: dropping the row leaves no empty user or item
    assert "typist100" not in set(data.user_ids) and "typo item2000" not in set(data.item_ids)
    good = frame.drop(index=[100, 2000])
    assert data.n_users == good["user"].nunique() and data.n_items == good["item"].nunique()
    assert data.nnz == len(good.drop_duplicates(["user", "item"]))
    assert "holds values from 1 to 5 in whole steps: read as explicit ratings" in " ".join(data.report.notes)


def test_kept_typos_are_warned_of_and_leave_the_scale_at_1_to_5(tmp_path):
    path, _ = stars_csv(tmp_path, {100: "-1", 2000: "99"})
    data = load_interactions(path, out_of_scale="keep")
    assert sorted(set(data.matrix.data.tolist())) == [-1, 1, 2, 3, 4, 5, 99] and data.is_explicit
    assert any(w.startswith("2 ratings in column 'stars' lie outside 1–5 (-1, 99)") and "kept as ratings" in w
               for w in data.report.warnings)
    # the chart's caption takes the middle of 1-5 (3), not of -1..99 (49): 4s and 5s (and the 99) are above it
    values = data.matrix.data
    above = (values > 3).mean()
    caption = rating_histogram(data.summary().rating_histogram, True).caption
    assert f"{above:.0%} are above the middle of the scale" in caption and above > 0.3


def test_a_lone_99_among_stars_no_longer_turns_them_into_implicit_counts(tmp_path):
    path, _ = stars_csv(tmp_path, {7: "99"})
    data = load_interactions(path, on_bad_rows="drop")  # before: read as implicit weights (a value over 10)
    assert data.is_explicit and data.matrix.data.max() == 5 and data.report.rows_dropped == 1


def test_a_small_file_names_a_far_typo_but_not_a_lone_half_star(tmp_path):
    path, _ = stars_csv(tmp_path, {3: "45"}, n=150)  # 4.5 without its point
    with pytest.raises(scale.RatingsOutsideScale, match=r"1 rating in column 'stars' lies outside 1–5 \(45\)"):
        load_interactions(path)
    path, _ = stars_csv(tmp_path, {3: "0.5"}, n=150)  # one half star on a 0.5-5 scale: no typo
    assert load_interactions(path).matrix.data.min() == 0.5


def test_ml100k_with_two_ratings_mistyped_names_their_rows(tmp_path):
    if not (ML100K / "u.data").exists():
        pytest.skip("MovieLens 100K is not in ../shared/datasets")
    lines = (ML100K / "u.data").read_text().splitlines()
    for row, value in ((10, "0"), (50_000, "55")):  # a 0 on 1-5 is rare here, and "55" a doubled key
        user, item, _, stamp = lines[row].split("\t")
        lines[row] = "\t".join((user, item, value, stamp))
    (tmp_path / "u.data").write_text("\n".join(lines) + "\n")
    with pytest.raises(scale.RatingsOutsideScale) as caught:
        load_interactions(tmp_path / "u.data")
    assert "2 ratings in column 'rating' lie outside 1–5 (0, 55), the scale of the other 99,998" in str(caught.value)
    assert "(at rows 11 and 50,001 of the data)" in str(caught.value)
    data = load_interactions(tmp_path / "u.data", on_bad_rows="drop")
    assert data.nnz == 99_998 and data.report.rows_dropped == 2


@pytest.mark.parametrize("values", [
    np.r_[np.repeat([1, 2, 3, 4, 5], [6, 11, 27, 34, 22]) * 1.0],  # ML-100K's shape, no typo
    np.repeat([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5], 100),  # half stars
    np.repeat(np.arange(1, 11), 50) * 1.0,  # 1-10 scores
    np.repeat([0, 1, 2, 3, 4, 5], [300, 10, 20, 30, 30, 20]) * 1.0,  # Goodreads' 0 = not rated: a 0-5 scale
])
def test_real_scales_have_no_typos(values):
    assert scale.typos(values.astype(np.float32)) is None


def test_counts_with_a_long_tail_are_no_scale_with_typos(tmp_path):
    plays = np.random.default_rng(1).geometric(0.45, 20_000).astype(np.float32)  # 1, 2, 3 ... up to ~20
    assert plays.max() > 10 and scale.typos(plays) is None
    rows = "".join(f"u{k % 500},i{k},{int(v)}\n" for k, v in enumerate(plays))
    (tmp_path / "plays.csv").write_text("user,item,value\n" + rows)
    data = load_interactions(tmp_path / "plays.csv")
    assert not data.is_explicit and data.report.rows_dropped == 0


def test_explicit_false_leaves_large_values_alone(tmp_path):
    path, _ = stars_csv(tmp_path, {100: "99"})
    data = load_interactions(path, explicit=False)
    assert data.matrix.data.max() == 99 and not data.report.warnings


@pytest.mark.parametrize(("values", "counts", "expected"), [
    ([1, 2, 3, 4, 5], [10, 10, 10, 10, 10], (1, 5)),
    ([-1, 1, 2, 3, 4, 5, 99], [1, 983, 913, 1006, 960, 959, 1], (1, 5)),  # the two ends cut, 1-5 is left
    ([0.5, 1, 2, 3, 4, 5], [14, 50, 100, 200, 300, 200], (0.5, 5)),
    ([1, 2, 3, 4, 5, 6, 7, 8], [5, 5, 5, 5, 5, 5, 5, 5], (1, 10)),
    ([1, 17, 80, 100], [5, 5, 5, 5], None),  # beyond every scale
    ([1.25, 2.5, 3.75], [9, 9, 9], None),  # quarter steps
])
def test_the_scale_of_a_histogram(values, counts, expected):
    assert scale.rating_scale(np.array(values, float), np.array(counts)) == expected


@pytest.mark.parametrize(("values", "words"), [
    ([1, 2, 3, 4, 5], "in whole steps"), ([1, 4.5, 3], "in half steps"), ([1, 2.25], "not in whole or half steps"),
])
def test_step_words(values, words):
    assert scale.step_words(np.array(values, np.float32)) == words
    long = np.r_[np.ones(3 << 20, np.float32), np.array(values, np.float32)]  # the odd value in a later chunk
    assert scale.step_words(long) == words


def test_the_report_says_whole_steps_for_movielens():
    if not (ML100K / "u.data").exists():
        pytest.skip("MovieLens 100K is not in ../shared/datasets")
    notes = " ".join(load_interactions(ML100K / "u.data").report.notes)
    assert "Column 'rating' holds values from 1 to 5 in whole steps: read as explicit ratings" in notes


def test_zeros_and_negatives_too_many_for_typos_among_1_to_5_stop_the_load_as_codes(tmp_path):
    # 10 ratings of -1 and 42 of 0 among 16,000 of 1-5 stars (0.3%, too many for slips): the file read as ratings
    # from -1 to 5 without a word, and the rating histogram took 2, the middle of -1..5, for the scale's middle
    typos = {row: "-1" for row in range(0, 100, 10)} | {row: "0" for row in range(1_000, 1_042)}
    path, frame = stars_csv(tmp_path, typos, n=16_000)
    with pytest.raises(scale.RatingsOutsideScale) as caught:
        load_interactions(path)
    said = str(caught.value)
    assert "52 ratings in column 'stars' lie outside 1–5 (-1, 0), the scale of the other 15,948" in said
    assert "a file's codes for 'not rated' or a dislike, or typos" in said and caught.value.why == scale.CODES
    dropped = load_interactions(path, out_of_scale="drop")
    assert dropped.report.rows_dropped == 52 and dropped.matrix.data.min() == 1 and dropped.is_explicit
    kept = load_interactions(path, out_of_scale="keep")
    assert kept.matrix.data.min() == -1 and any("kept as ratings" in w for w in kept.report.warnings)
    # a typo above the scale among them is counted and dropped with them (the message counted it, the drop left it)
    path, _ = stars_csv(tmp_path, typos | {row: "99" for row in (5_000, 6_000, 7_000)}, n=16_000)
    with pytest.raises(scale.RatingsOutsideScale) as caught:
        load_interactions(path)
    assert "55 ratings in column 'stars' lie outside 1–5 (-1, 0, 99)" in str(caught.value) and caught.value.count == 55
    dropped = load_interactions(path, out_of_scale="drop")
    assert dropped.report.rows_dropped == 55 and set(dropped.matrix.data.tolist()) == {1.0, 2.0, 3.0, 4.0, 5.0}
    # zeros="keep": a 0 is a rating (a 0-5 scale), so only the negatives are outside, and dropping keeps the 0s
    path, _ = stars_csv(tmp_path, typos, n=16_000)
    kept_zeros = load_interactions(path, zeros="keep", out_of_scale="drop")
    assert kept_zeros.report.rows_dropped == 10 and 0.0 in set(kept_zeros.matrix.data.tolist())
    # a few slips among them are still called typos; 0s alone are Goodreads' "not rated" (kept, with a warning),
    # and ratings of -1 and 1 (a dislike and a like) are no scale with codes below it
    _, few = stars_csv(tmp_path, {7: "-1"}, n=16_000)
    assert scale.typos(pd.to_numeric(few["stars"]).to_numpy(np.float64))[1].sum() == 1
    zeros = pd.to_numeric(frame["stars"].where(frame["stars"] != "-1", "0")).to_numpy(np.float64)
    assert scale.below_scale(zeros) is None
    assert scale.below_scale(np.array([-1.0, 1.0] * 50)) is None
