"""How a value column is read: ratings or implicit weights, said with its reason, and zeros that mean 'not rated'."""

from __future__ import annotations

import numpy as np
import pytest

from mfviz import load_interactions
from mfviz.data import delimited
from mfviz.data.interactions import detect_explicit


def _write(tmp_path, values, name="rating"):
    rows = "".join(f"u{k % 7},i{k},{v}\n" for k, v in enumerate(values))
    (tmp_path / "r.csv").write_text(f"user,item,{name}\n" + rows)
    return load_interactions(tmp_path / "r.csv")


def test_the_report_says_why_values_are_ratings_or_weights(tmp_path):
    data = _write(tmp_path, [1, 2, 3, 4, 5, 3.5, 4])
    assert data.is_explicit
    assert "holds values from 1 to 5 in half steps: read as explicit ratings" in " ".join(data.report.notes)
    data = _write(tmp_path, [1, 17, 80, 2.25, 100, 3, 9])
    assert not data.is_explicit
    assert "holds values from 1 to 100, not a rating scale" in " ".join(data.report.notes)


def test_a_sample_of_a_periodic_column_still_sees_its_values():
    # every 5th value of 1, 2, 3, 4, 5, 1, 2... is the same: the old stride sample saw only 1s
    values = np.tile(np.arange(1, 6, dtype=np.float32), 220_000)
    assert detect_explicit(values)


@pytest.mark.parametrize(("values", "warned"), [
    ([0, 4, 5, 0, 3, 1, 2, 0], True),  # Goodreads: 0 = read, not rated
    ([0, 0.5, 1, 4, 5, 2.5, 3], False),  # a scale from 0.5: 0 is just below it, not outside a 1-5 scale
    ([1, 4, 5, 3, 2], False),
])
def test_zeros_on_a_scale_from_one_are_warned_of(tmp_path, values, warned):
    report = _write(tmp_path, values).report
    said = [w for w in report.warnings if "are 0 on a scale" in w]
    assert bool(said) == warned
    if warned:
        assert said[0].startswith("3 ratings (38%) in column 'rating' are 0 on a scale from 1 to 5")


def test_ratings_with_a_decimal_comma_are_read_as_decimals(tmp_path):
    # a European spreadsheet's export: fields split by ;, decimals by , ("Ratings must be numbers" before)
    (tmp_path / "r.csv").write_text("user;item;rating\n1;1;4,5\n1;2;3\n2;1;2,5\n2;2;5\n")
    data = load_interactions(tmp_path / "r.csv")
    assert sorted(data.matrix.data.tolist()) == [2.5, 3.0, 4.5, 5.0] and data.is_explicit
    assert "2 values in column 'rating' have a decimal comma (such as 4,5): read as 4.5." in data.report.notes
    (tmp_path / "s.csv").write_text("user;item;rating\n1;1;4,5\n1;2;3\n2;1;five\n2;2;5\n")
    with pytest.raises(ValueError, match="non-numeric rating"):  # a word among them: no guess
        load_interactions(tmp_path / "s.csv")


def test_a_liked_column_of_yes_no_words_is_read_as_true_and_false(tmp_path):
    # one "yes" among true/false made Arrow read the column as text: "non-numeric rating ... 'true'"
    (tmp_path / "r.csv").write_text("user,item,liked\n1,10,true\n1,20,false\n2,10,yes\n2,20,True\n3,10,no\n"
                                    "3,20,y\n4,10,\n")
    data = load_interactions(tmp_path / "r.csv", on_bad_rows="drop")
    pairs = {(u, i) for u, i in zip(*data.matrix.nonzero(), strict=True)}
    assert {(data.user_ids[u], data.item_ids[i]) for u, i in pairs} == {(1, 10), (2, 10), (2, 20), (3, 20)}
    assert data.report.dropped == {"liked = false (no interaction)": 2, "a missing (NaN) rating in column 'liked'": 1}
    (tmp_path / "s.csv").write_text("user,item,rating\n1,10,1\n1,20,0\n2,10,1\n2,20,1\n")
    assert load_interactions(tmp_path / "s.csv").nnz == 4  # 0/1 numbers stay numbers


def test_a_bad_rating_among_decimal_commas_is_the_only_bad_row(tmp_path):
    # one empty rating made every decimal comma of its chunk a "non-numeric rating" (81,828 rows dropped)
    (tmp_path / "r.csv").write_text("user;item;rating\n1;1;4,5\n1;2;3\n2;1;\n2;2;2,5\n3;1;5\n3;2;1,5\n")
    data = load_interactions(tmp_path / "r.csv", on_bad_rows="drop")
    assert sorted(data.matrix.data.tolist()) == [1.5, 2.5, 3.0, 4.5, 5.0]
    assert data.report.rows_dropped == 1


def test_thousands_separators_are_read_as_thousands(tmp_path):
    # "1,234" plays became 1.234 and "12,000" 12 when every comma was taken for a decimal one
    (tmp_path / "r.csv").write_text('user,item,plays\n1,1,"1,234"\n1,2,"12,000"\n2,1,7\n2,2,"2,500"\n')
    data = load_interactions(tmp_path / "r.csv")
    assert sorted(data.matrix.data.tolist()) == [7.0, 1234.0, 2500.0, 12000.0]
    assert any("3 values in column 'plays' have thousands separators" in note for note in data.report.notes)


def test_a_zero_one_column_is_no_scale_with_unrated_zeros(tmp_path):
    # "2 ratings (33%) in column 'liked' are 0 on a scale from 1 to 1: Goodreads ..." was warned
    report = _write(tmp_path, [0, 1, 1, 0, 1, 1], name="liked").report
    assert not any("are 0 on a scale" in w for w in report.warnings)


def test_a_semicolon_file_with_a_decimal_comma_in_every_rating_is_split_on_the_semicolons(tmp_path):
    # every line split on the comma too (into two fields): it was taken for a comma-separated file
    (tmp_path / "r.csv").write_text("user;item;rating\n" + "".join(f"u{k % 9};i{k};{1 + k % 4},5\n" for k in range(60)))
    data = load_interactions(tmp_path / "r.csv")
    assert "';' separated" in data.report.format and data.is_explicit
    assert sorted(set(data.matrix.data.tolist())) == [1.5, 2.5, 3.5, 4.5]



# a liked column of 1 where k % 3, else 0, over 500,000 rows: 166,667 zeros (k = 0, 3, ... 499,998);
# rows are lines k + 2 (after the header), 2.3 streamed chunks after the first
N_LIKED = 500_000


def _liked_file(tmp_path, late: dict[int, str]):
    """user,item,liked,time, each (user, item) once, row k at second 1.6e9 + k; `late` overwrites rows
    with other words or values."""
    liked = {k: str(int(k % 3 != 0)) for k in range(N_LIKED)}
    liked.update(late)
    path = tmp_path / "liked.csv"
    path.write_text("user,item,liked,time\n" + "".join(f"{k // 40},{k % 40},{v},{1_600_000_000 + k}\n"
                                                       for k, v in liked.items()))
    assert path.stat().st_size > 2 * delimited.CHUNK_BYTES  # the words sit chunks after the first 0s
    return path, liked


def test_zeros_before_yes_no_words_chunks_later_are_no_too(tmp_path, monkeypatch):
    # the 0s of the first chunks were kept as interactions of value 0, the "no" rows later dropped as false
    n = N_LIKED
    path, liked = _liked_file(tmp_path, {n - 11: "yes", n - 8: "no", n - 4: "No", n - 1: "TRUE"})
    data = load_interactions(path)
    # one 0 became "yes", one 1 became "No": still 166,667 false
    assert data.report.dropped == {"liked = false (no interaction)": 166_667}
    assert data.nnz == 333_333 and set(data.matrix.data.tolist()) == {1.0}
    out = data.to_frame()  # each kept row with its own time: the arrays stay aligned when 0s leave them
    assert dict(zip(zip(out.user, out.item, strict=True), out.timestamp, strict=True)) == \
        {(k // 40, k % 40): 1_600_000_000 + k for k, v in liked.items() if v in ("1", "yes", "TRUE")}
    # as read in one chunk
    monkeypatch.setattr(delimited, "CHUNK_BYTES", 1 << 30)
    whole = load_interactions(path)
    assert (whole.matrix != data.matrix).nnz == 0 and whole.report.dropped == data.report.dropped


def test_an_id_seen_only_on_zeros_before_the_words_is_left_out(tmp_path):
    # user 0 holds rows 0-39: all 0, so it has no interaction once a word shows that 0 is "no"
    path, _ = _liked_file(tmp_path, {**{k: "0" for k in range(40)}, N_LIKED - 1: "false"})
    data = load_interactions(path)
    assert data.user_ids[0] == 1 and data.n_users == 12_499
    assert data.matrix.getnnz(axis=1).min() > 0


def test_ones_and_zeros_after_true_false_words_are_read_as_yes_and_no(tmp_path):
    # true/false in the first chunk, then whole chunks of 1/0: their 0s were kept as values of 0
    path, _ = _liked_file(tmp_path, {k: "true" if k % 3 else "false" for k in range(100_000)})
    data = load_interactions(path)
    assert data.report.dropped == {"liked = false (no interaction)": 166_667} and data.nnz == 333_333


def test_words_after_chunks_of_other_numbers_are_no_ratings(tmp_path):
    # ratings 1-5, then chunks of 0/1 with one "yes" among them: those were read as yes/no (their 0s dropped)
    n = N_LIKED
    path, _ = _liked_file(tmp_path, {**{k: str(1 + k % 5) for k in range(100_000)}, n - 5: "yes"})
    with pytest.raises(ValueError, match=rf"non-numeric rating in column 'liked'.*line {n - 3}\D.*'yes'"):
        load_interactions(path)
    data = load_interactions(path, on_bad_rows="drop")
    assert data.report.dropped == {"a non-numeric rating in column 'liked'": 1}
    # rows 100,000 on hold 133,333 zeros (k = 100,002 ... 499,998), one of them now "yes"
    assert data.nnz == n - 1 and (data.matrix.data == 0).sum() == 133_332


def test_a_number_other_than_one_or_zero_after_yes_no_words_is_refused(tmp_path):
    n = N_LIKED
    path, _ = _liked_file(tmp_path, {0: "yes", n - 5: "4"})
    with pytest.raises(ValueError, match=rf"a value other than yes or no in column 'liked'.*line {n - 3}\D.*value 4\. The column holds yes/no words"):
        load_interactions(path)
