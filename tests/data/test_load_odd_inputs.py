"""Inputs an exploratory tester found mishandled: every one is a DataError saying what, where and
what to do, or loads every value as written with any drop counted in the report."""

from __future__ import annotations

import codecs
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import EXPECTED, ROWS, write_rows

from mfviz import DataError, load_interactions


def load_error(source, **overrides) -> str:
    with pytest.raises(DataError) as info:
        load_interactions(source, **overrides)
    return str(info.value)


# --------------------------------------------------------------------- crashes
FRAME = pd.DataFrame([(u, i, r) for u, i, r, _ in ROWS], columns=["user", "item", "rating"])


@pytest.mark.parametrize("name, text, found", [
    ("wrapped.json", json.dumps({"ratings": FRAME.to_dict("records")}), "'ratings' (a list)"),
    ("pretty.json", json.dumps({"ratings": FRAME.to_dict("records")}, indent=2), "'ratings' (a list)"),
    ("columns.json", FRAME.to_json(), "'user' (an object)"),
    ("split.json", FRAME.to_json(orient="split"), "'columns' (a list)"),
    ("index.json", FRAME.to_json(orient="index"), "'0' (an object)"),
    ("lists.json", json.dumps(FRAME.to_dict("list")), "'user' (a list)"),
    ("nested.jsonl", "".join(json.dumps({"user": {"id": u}, "item": {"id": i}}) + "\n" for u, i, _, _ in ROWS),
     "'user' (an object)"),
    ("nulls.jsonl", "".join(json.dumps({"user": None, "item": None}) + "\n" for _ in ROWS), "'user' (null)"),
])
def test_json_that_is_not_records_of_plain_fields(tmp_path, name, text, found):
    (tmp_path / name).write_text(text)
    message = load_error(tmp_path / name)
    assert name in message and "array of objects, or one object per line" in message
    assert f"found {'one object' if name.endswith('.json') else 'records'} with fields {found}" in message
    assert "orient='records'" in message


@pytest.mark.parametrize("delimiter", ["", '"', "\n"])
def test_a_delimiter_that_cannot_separate_columns(tmp_path, delimiter):
    message = load_error(write_rows(tmp_path / "r.csv"), delimiter=delimiter)
    assert f"delimiter={delimiter!r}" in message and "leave it out" in message


def test_dataframes_without_columns(tmp_path):
    assert "has no columns" in load_error(pd.DataFrame())
    message = load_error(write_rows(tmp_path / "r.csv"), items=pd.DataFrame())
    assert "items DataFrame" in message and "has no columns" in message and "item id" in message


def test_a_dataframe_with_two_columns_of_one_name():
    frame = pd.DataFrame([(u, i, i) for u, i, _, _ in ROWS], columns=["user", "item", "item"])
    assert "more than one column named 'item'" in load_error(frame)
    items = pd.DataFrame([(10, "a", "b")], columns=["item", "title", "title"])
    assert "more than one column named 'title'" in load_error(FRAME, items=items)


@pytest.mark.parametrize("overrides", [{"user": 1, "item": 1}, {"user": "item", "item": "item"},
                                       {"rating": "timestamp", "timestamp": 3}])
def test_one_column_given_for_two_roles(tmp_path, overrides):
    message = load_error(write_rows(tmp_path / "r.csv"), **overrides)
    assert "was given for both" in message


def test_the_fixed_inputs_still_load_normally(tmp_path):
    from conftest import as_dict
    assert as_dict(load_interactions(FRAME)) == EXPECTED
    assert as_dict(load_interactions(write_rows(tmp_path / "r.csv"), delimiter=",", user=0, item=1)) == EXPECTED


# --------------------------------------------------------------------- JSON types and locations
def late_change(k_changed: int, **change) -> list[dict]:
    """3,000 records (100 users x 30 items, integer ratings 1-5); record `k_changed` altered."""
    records = [{"user": k // 30, "item": k % 30, "rating": 1 + k % 5} for k in range(3000)]
    records[k_changed].update(change)
    return records


def test_a_json_array_reads_every_value_as_written_after_the_first_thousand_records(tmp_path):
    path = tmp_path / "half.json"
    path.write_text(json.dumps(late_change(2000, rating=4.5)))  # user 66, item 20
    data = load_interactions(path)
    assert data.matrix[data.user_index(66)[0], data.item_index(20)[0]] == 4.5  # was 4.0
    assert sorted(set(data.matrix.data.tolist())) == [1, 2, 3, 4, 4.5, 5]
    path.write_text(json.dumps(late_change(2000, user=3.7)))
    data = load_interactions(path)  # 3.7 is a user of its own, not merged into 3
    assert data.n_users == 101 and data.nnz == 3000 and 3.7 in data.user_ids.tolist()
    path.write_text(json.dumps(late_change(2000, user="u-new")))
    data = load_interactions(path)  # text among numbers: every id text, spelled as written
    assert data.n_users == 101 and {"u-new", "66", "3"} <= set(data.user_ids.tolist())
    path.write_text(json.dumps(late_change(2000, rating={"value": 3})))
    with pytest.raises(DataError, match="record 2,001 has \\{'value': 3\\} in field 'rating', where other "
                                        "records hold numbers"):
        load_interactions(path)


def test_json_lines_read_a_late_fractional_rating_and_name_the_line_of_a_late_clash(tmp_path):
    records = [{"user": k % 500, "item": k % 300, "rating": 1 + k % 5} for k in range(20_000)]
    records[15_000] = {"user": 999, "item": 0, "rating": 4.5}  # far past the sampled head (256 KiB)
    path = tmp_path / "late.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    data = load_interactions(path)  # was refused: "Failed to convert JSON to int64"
    assert data.matrix[data.user_index(999)[0], data.item_index(0)[0]] == 4.5
    records = [{"user": k % 7, "item": k % 11, "rating": 3} for k in range(100)]
    records[50]["user"] = "3"  # text among numbers: it was refused ("holds a number on line 1 and text on line 51")
    records[60]["rating"] = "4"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    data = load_interactions(path)
    assert data.user_ids.tolist() == list(range(7)) and data.nnz == len({(int(r["user"]), r["item"]) for r in records})
    assert data.matrix[data.user_index(4)[0], data.item_index(5)[0]] == 4.0  # record 60's "4"
    assert any("Numbers and text in field 'user', 'rating': read as text" in note for note in data.report.notes)


def test_bad_values_are_located_by_line_in_text_and_by_row_elsewhere(tmp_path):
    records = [{"user": k % 7, "item": k % 11, "rating": None if k == 2 else 3} for k in range(100)]
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    # JSON Lines: record 3 is line 3 (it was reported as line 4)
    assert "the first is row 3 (line 3 of the file)" in load_error(tmp_path / "r.jsonl")
    frame = pd.DataFrame(records)
    frame.to_parquet(tmp_path / "r.parquet")
    for source in (tmp_path / "r.parquet", frame):
        message = load_error(source)
        assert "the first is row 3, value" in message and "line" not in message


# --------------------------------------------------------------------- silent loss
def test_a_zip_with_two_ratings_files_names_both(tmp_path):
    import zipfile
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("ml-full/ratings.csv", "userId,movieId,rating\n" + "".join(
            f"{u},{i},{r:g}\n" for u, i, r, _ in ROWS))
        archive.writestr("ml-small/ratings.csv", "userId,movieId,rating\n1,2,3\n2,3,4\n1,3,4\n")
    message = load_error(tmp_path / "two.zip")
    assert "holds 2 ratings files (ml-full/ratings.csv, ml-small/ratings.csv)" in message
    assert "upload one of them" in message


def test_a_header_repeated_mid_file_is_dropped_and_counted(tmp_path):
    from conftest import as_dict
    pairs = "".join(f"{u},{i}\n" for u, i, _, _ in ROWS)
    (tmp_path / "joined.csv").write_text("user,item\n" + pairs + "user,item\n" + pairs)
    data = load_interactions(tmp_path / "joined.csv")
    assert as_dict(data) == {key: 2.0 for key in EXPECTED}  # each pair twice, summed; no user "user"
    assert data.user_ids.dtype == "int64"
    assert data.report.dropped == {"a repeated header line (files joined with their headers)": 1}
    assert data.report.rows_read == 2 * len(ROWS) + 1
    rated = write_rows(tmp_path / "rated.csv").read_text()
    (tmp_path / "rated.csv").write_text(rated + rated)  # with ratings it was a "non-numeric rating" error
    data = load_interactions(tmp_path / "rated.csv")
    assert as_dict(data) == EXPECTED and data.report.rows_dropped == 1


def test_timestamps_in_milli_micro_and_nanoseconds_become_seconds(tmp_path):
    # 2020-01-01 00:00:00 UTC is 1,577,836,800 s; one row per unit, as an export that switched units
    base = 1_577_836_800
    stamps = [base, (base + 1) * 1000, (base + 2) * 10**6, (base + 3) * 10**9]
    rows = [(u, i, 3.0, stamps[k % 4]) for k, (u, i, _, _) in enumerate(ROWS)]
    data = load_interactions(write_rows(tmp_path / "ms.csv", rows=rows))
    expected = sorted(base + k % 4 for k in range(len(ROWS)))
    assert sorted(data.timestamps.tolist()) == expected  # ms were read as seconds: the year 51,973
    notes = " ".join(data.report.notes)
    assert "3 timestamps in column 'timestamp' were in milliseconds" in notes  # rows 1, 5, 9
    assert "3 timestamps in column 'timestamp' were in microseconds" in notes  # rows 2, 6, 10
    assert "2 timestamps in column 'timestamp' were in nanoseconds" in notes  # rows 3, 7
    plain = load_interactions(write_rows(tmp_path / "s.csv"))
    assert not any("seconds" in note for note in plain.report.notes)


def test_spaces_around_ids_are_formatting_but_leading_zeros_are_not(tmp_path):
    from conftest import as_dict
    lines = [f"{u}, {' ' if k % 2 else ''}{i} ,{r:g}" for k, (u, i, r, _) in enumerate(ROWS)]
    (tmp_path / "padded.csv").write_text("user , item , rating\n" + "\n".join(lines) + "\n")
    data = load_interactions(tmp_path / "padded.csv")
    assert as_dict(data) == EXPECTED and data.item_ids.dtype == "int64"  # were 10 items: " 10", "10 ", ...
    (tmp_path / "text.csv").write_text("user,item\nann,007\n ann ,7\nbob, 7\nbob,x\n")
    data = load_interactions(tmp_path / "text.csv")
    assert data.user_ids.tolist() == ["ann", "bob"] and data.item_ids.tolist() == ["007", "7", "x"]


def test_true_false_feedback_keeps_the_true_rows_and_counts_the_false(tmp_path):
    from conftest import as_dict
    liked = {(u, i): r >= 3 for u, i, r, _ in ROWS}  # 7 true, 4 false
    want = {key: 1.0 for key, yes in liked.items() if yes}
    (tmp_path / "liked.csv").write_text("user,item,liked\n" + "".join(
        f"{u},{i},{str(yes).lower()}\n" for (u, i), yes in liked.items()))
    (tmp_path / "liked.jsonl").write_text("".join(
        json.dumps({"user": u, "item": i, "rating": yes}) + "\n" for (u, i), yes in liked.items()))
    frame = pd.DataFrame([(u, i, yes) for (u, i), yes in liked.items()], columns=["user", "item", "liked"])
    for source, column in ((tmp_path / "liked.csv", "liked"), (tmp_path / "liked.jsonl", "rating"), (frame, "liked")):
        data = load_interactions(source)
        assert as_dict(data) == want and not data.is_explicit  # every row counted 1 before
        assert data.report.dropped == {f"{column} = false (no interaction)": 4}
        assert data.report.columns["rating"] == column
        assert "No rating column" not in str(data.report)


# --------------------------------------------------------------------- item tables
def _with_titles(tmp_path, titles: dict):
    """The fixture ratings joined to an item table of id, title (unquoted, as written) and genres."""
    ratings = write_rows(tmp_path / "r.csv")
    (tmp_path / "items.csv").write_text("id,title,genres\n" + "".join(
        f"{i},{t},Drama\n" for i, t in titles.items()))
    return load_interactions(ratings, items=tmp_path / "items.csv")


def test_item_rows_skipped_for_unquoted_commas_are_counted(tmp_path):
    data = _with_titles(tmp_path, {10: "Heat", 20: "Birdcage, The", 30: "Babe", 40: "Saint, The", 50: "Fargo"})
    assert data.report.metadata_join_rate == 3 / 5
    assert [w.split("/")[-1] for w in data.report.warnings] == [
        "items.csv: 2 rows were skipped for a wrong number of fields (the first: line 3, expected 3 fields, "
        "saw 4); quote fields that hold the delimiter."]


def test_a_first_item_row_with_a_field_too_many_shifts_no_column(tmp_path):
    # pandas took the first column as the index when the first row had a field more than the header:
    # item_id then held the titles, every join failed and every title was lost
    data = _with_titles(tmp_path, {20: "Birdcage, The", 10: "Heat", 30: "Babe", 40: "Saint", 50: "Fargo"})
    assert data.report.metadata_join_rate == 4 / 5
    assert dict(zip(data.item_ids.tolist(), data.titles, strict=True))[10] == "Heat"
    assert any("1 row was skipped" in w and "line 2" in w for w in data.report.warnings)


def test_item_rows_repeating_an_id_are_said_and_the_first_is_used(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    (tmp_path / "items.csv").write_text("id,title\n10,Heat\n20,Birdcage\n20,Birdcage (director's cut)\n"
                                        "30,Babe\n40,Saint\n50,Fargo\n")
    data = load_interactions(ratings, items=tmp_path / "items.csv")
    assert dict(zip(data.item_ids.tolist(), data.titles, strict=True))[20] == "Birdcage"
    assert [w.split("/")[-1] for w in data.report.warnings] == [
        "items.csv: 1 row repeats the id of an earlier row (the first: 20) and was skipped: the first row of "
        "each id is used."]


def test_items_missing_from_the_item_table_are_said_with_ids_from_both_sides(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    (tmp_path / "items.csv").write_text("id,title\n010,Heat\n020,Birdcage\n30,Babe\n")
    note = " ".join(load_interactions(ratings, items=tmp_path / "items.csv").report.notes)
    assert "4 of 5 items have no row in the item table (such as 10, 20, 40; the table's ids, from its " \
        "column 'id', are such as '010', '020', '30')" in note


def test_a_headerless_item_file_keeps_its_first_row(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    (tmp_path / "items.tsv").write_text("".join(
        f"{i}\tFilm {i} (1995)\tDrama|Comedy\n" for i in (10, 20, 30, 40, 50)))
    data = load_interactions(ratings, items=tmp_path / "items.tsv")
    assert data.report.metadata_join_rate == 1.0  # was 0.8: the first row was taken as the header
    assert data.items["title"].tolist() == [f"Film {i} (1995)" for i in (10, 20, 30, 40, 50)]
    assert data.items["genres"].tolist() == [["Drama", "Comedy"]] * 5
    (tmp_path / "named.tsv").write_text("movie_id\tname\n" + "".join(f"{i}\tFilm {i}\n" for i in (10, 20)))
    named = load_interactions(ratings, items=tmp_path / "named.tsv")
    assert named.items["title"].tolist()[:2] == ["Film 10", "Film 20"]  # a header is still a header


def test_movielens_latest_titles_without_a_genres_column(tmp_path):
    folder = tmp_path / "ml-latest"
    folder.mkdir()
    write_rows(folder / "ratings.csv", header="userId,movieId,rating,timestamp")
    (folder / "movies.csv").write_text("movieId,title\n" + "".join(f"{i},Film {i}\n" for i in (10, 20, 30, 40, 50)))
    data = load_interactions(folder / "ratings.csv")  # failed: KeyError 'genres' -> could not read
    assert data.items["title"].tolist() == [f"Film {i}" for i in (10, 20, 30, 40, 50)]


def test_item_table_errors_speak_of_an_item_table(tmp_path):
    import zipfile
    ratings = write_rows(tmp_path / "r.csv")
    (tmp_path / "empty.csv").write_text("")
    message = load_error(ratings, items=tmp_path / "empty.csv")
    assert "empty.csv: the file is empty; choose an item table (an item id column plus title" in message
    assert "interaction" not in message  # was "choose a file with one interaction per line"
    folder = tmp_path / "meta"
    folder.mkdir()
    message = load_error(ratings, items=folder)  # was "holds none of the known ratings files ()"
    assert "this is a folder; pass the path of the item table file itself" in message
    with zipfile.ZipFile(tmp_path / "meta.zip", "w") as archive:
        archive.writestr("a.csv", "id,title\n1,x\n")
        archive.writestr("b.csv", "id,title\n1,x\n")
    message = load_error(ratings, items=tmp_path / "meta.zip")
    assert "not one item table; put the item table alone in the archive" in message
    assert "ratings" not in message and "interaction" not in message


def test_header_only_sources_say_there_are_no_rows(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating\n")
    assert "r.csv: the file has a header (column names) but no rows below it" in load_error(tmp_path / "r.csv")
    FRAME.iloc[:0].to_parquet(tmp_path / "r.parquet")
    assert "r.parquet: the file has a header (column names) but no rows" in load_error(tmp_path / "r.parquet")
    assert "the DataFrame has columns but no rows" in load_error(FRAME.iloc[:0])


# --------------------------------------------------------------------- encodings
def test_windows_1252_text_is_read_as_such_even_past_the_sniffed_head(tmp_path):
    # 0x96 is an en dash in Windows-1252; 0x81 is undefined there and read as Latin-1
    tail = "José\x96A,item1,4\nRen\x81e,item2,3\n".encode("latin-1")
    filler = "".join(f"user{u},item{i},{1 + (u * i) % 5}\n" for u in range(700) for i in range(20))
    assert len(filler) > 1 << 16
    (tmp_path / "late.csv").write_bytes(b"user,item,rating\n" + filler.encode() + tail)
    data = load_interactions(tmp_path / "late.csv")  # was: Arrow "invalid UTF8 data"
    assert {"José–A", "Ren\x81e"} <= set(data.user_ids.tolist()) and data.nnz == 700 * 20 + 2
    assert "Windows-1252" in data.report.format
    assert "not UTF-8 beyond its first 64 KiB" in " ".join(data.report.notes)
    (tmp_path / "early.csv").write_bytes(b"user,item,rating\n" + tail + b"bob,item1,5\nbob,item2,2\n")
    data = load_interactions(tmp_path / "early.csv")
    assert "José–A" in data.user_ids.tolist()  # was "José\x96A" as Latin-1
    assert "Windows-1252" in data.report.format


@pytest.mark.parametrize("name, table", [
    ("movies.csv", "id,title,genres\ntt0,Film 0,Drama\ntt1,Film 1,Comedy|Drama\ntt2,Film 2,Horror\n"),
    ("artists.dat", "id,name,category\ntt0,Film 0,Drama\ntt1,Film 1,Comedy|Drama\ntt2,Film 2,Horror\n"),
    ("u.item", "item,title\ntt0,Film 0\ntt1,Film 1\ntt2,Film 2\n"),
    ("movies.dat", "item;title\ntt0;Film 0\ntt1;Film 1\ntt2;Film 2\n"),
])
def test_an_ordinary_item_table_with_a_known_file_name_is_read_as_any_other(tmp_path, name, table):
    # MovieLens / Last.fm names pick their readers; a table of another layout under such a name failed
    # (KeyError 'item_id' for artists.dat) or lost every row (text ids under movies.csv: 0% joined)
    ratings = tmp_path / "ratings_mine.csv"
    ratings.write_text("user,item,rating\n" + "".join(f"u{u},tt{i},{1 + (u + i) % 5}\n" for u in range(4)
                                                      for i in range(3)))
    items = tmp_path / name
    items.write_text(table)
    data = load_interactions(ratings, items=items)
    assert data.report.metadata_join_rate == 1.0
    assert dict(zip(data.item_ids, data.titles, strict=True)) == {"tt0": "Film 0", "tt1": "Film 1", "tt2": "Film 2"}


def test_the_real_movielens_item_table_still_gets_its_reader(tmp_path):
    ratings = tmp_path / "r.csv"
    ratings.write_text("user,item,rating\n1,10,4\n1,20,5\n2,10,3\n2,20,1\n")
    items = tmp_path / "movies.csv"
    items.write_text('movieId,title,genres\n10,"Heat, The (1995)",Action|Crime\n20,Toy Story (1995),Animation\n')
    data = load_interactions(ratings, items=items)
    assert list(data.titles) == ["Heat, The (1995)", "Toy Story (1995)"]
    assert list(data.items["genres"]) == [["Action", "Crime"], ["Animation"]]


def test_a_rating_column_of_one_value_is_read_as_implicit_and_the_report_says_why(tmp_path):
    path = tmp_path / "same.csv"
    path.write_text("user,item,rating\n" + "".join(f"u{u},i{(u + j) % 7},4\n" for u in range(6) for j in range(3)))
    data = load_interactions(path)
    assert not data.is_explicit
    assert any(line.startswith("Every value in column 'rating' is 4: read as implicit feedback")
               for line in data.report.lines())
    assert load_interactions(path, explicit=True).is_explicit
    varied = tmp_path / "varied.csv"
    varied.write_text("user,item,rating\nu1,i1,4\nu1,i2,5\nu2,i1,3\nu2,i2,4\n")
    assert not any("Every value" in line for line in load_interactions(varied).report.lines())


def test_a_path_that_is_no_regular_file_is_not_called_missing(tmp_path):
    assert "no such file" in load_error(tmp_path / "absent.csv")
    assert "/dev/null: not a regular file" in load_error("/dev/null")


def test_dates_written_with_dots_are_read_day_first(tmp_path):
    path = tmp_path / "dates.csv"
    days = ["04.03.2021", "13.03.2021", "31.12.2020 18:30", "01.02.2021"]
    path.write_text("user;item;rating;date\n" + "".join(f"u{n % 2};i{n};{1 + n};{day}\n" for n, day in enumerate(days)))
    data = load_interactions(path)
    expected = pd.to_datetime(["2021-03-04 00:00", "2021-03-13 00:00", "2020-12-31 18:30", "2021-02-01 00:00"], utc=True)
    seconds = (expected - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    coo = data.matrix.tocoo()
    got = {(str(data.user_ids[u]), str(data.item_ids[i])): t for u, i, t in zip(coo.row, coo.col, data.timestamps, strict=True)}
    assert [got[(f"u{n % 2}", f"i{n}")] for n in range(4)] == list(seconds)


def test_lines_ended_by_carriage_returns_alone(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(("user,item,rating\r" + "".join(f"u{u},i{(u * 3 + j) % 7},{1 + j}\r"
                                                     for u in range(10) for j in range(3))).encode())
    data = load_interactions(path)
    assert (data.n_users, data.nnz) == (10, 30) and data.is_explicit


def test_a_value_column_named_as_a_count_is_implicit_even_on_a_small_scale(tmp_path):
    rows = "".join(f"c{u},p{(u * 3 + j) % 9},{1 + (u + j) % 3}\n" for u in range(12) for j in range(3))
    counted = tmp_path / "purchases.csv"
    counted.write_text("customer_id,product,quantity\n" + rows)
    data = load_interactions(counted)
    assert not data.is_explicit
    assert any(line.startswith("Column 'quantity' holds counts (its name says so)") for line in data.report.lines())
    assert load_interactions(counted, explicit=True).is_explicit
    rated = tmp_path / "ratings.csv"
    rated.write_text("user,item,rating\n" + rows)
    assert load_interactions(rated).is_explicit  # the same values as a rating: stars


def test_one_bad_row_is_one_row(tmp_path):
    path = tmp_path / "one_bad.csv"
    path.write_text("user,item,rating\nu1,i1,4\nu1,i2,five\nu2,i1,3\nu2,i2,1\n")
    assert ": 1 row has a non-numeric rating in column 'rating'" in load_error(path)
    path.write_text("user,item,rating\nu1,i1,4\nu1,i2,five\nu2,i1,six\nu2,i2,1\n")
    assert ": 2 rows have a non-numeric rating" in load_error(path)


def test_utf8_text_stays_utf8_where_a_file_is_windows_1252_only_in_places(tmp_path):
    # a file joined from two exports: UTF-8 names, then one line typed on Windows past the sniffed head;
    # re-reading all of it as Windows-1252 made "José" "JosÃ©" and split "Café" into two items
    head = "".join(f"José{u},Café,{1 + u % 5}\nuser{u},item{u % 30},{1 + u % 4}\n" for u in range(3000))
    assert len(head.encode()) > 1 << 16
    tail = "Ren\xe9e,Caf\xe9,5\nRen\xe9e,item1,3\n".encode("cp1252")
    (tmp_path / "joined.csv").write_bytes(b"user,item,rating\n" + head.encode() + tail)
    data = load_interactions(tmp_path / "joined.csv")
    items = set(data.item_ids.tolist())
    assert "Café" in items and not any("Ã" in i for i in items)
    assert {"José0", "Renée"} <= set(data.user_ids.tolist())
    assert data.nnz == 6000 + 2 and data.matrix[:, data.item_index(["Café"])[0]].nnz == 3001
    assert f"line {2 + 6000:,} is not" in " ".join(data.report.notes)


def test_a_character_cut_by_the_decoders_block_end_is_read_whole():
    from mfviz.data.text_encoding import LEGACY_ENCODING

    text = "é,Ü\n".encode() + b"caf\xe9\n"
    decoder = codecs.getincrementaldecoder(LEGACY_ENCODING)()
    pieces = [decoder.decode(text[k:k + 1]) for k in range(len(text))] + [decoder.decode(b"", True)]
    assert "".join(pieces) == "é,Ü\ncafé\n"


@pytest.mark.parametrize(("column", "written"), [("genres", "Drama|Crime"), ("shelves", "drama, crime"),
                                                 ("tags", "drama;crime")])
def test_genres_under_other_names_and_separators_are_split(tmp_path, column, written):
    ratings = write_rows(tmp_path / "r.csv")
    (tmp_path / "items.csv").write_text(f'id,title,{column}\n10,Heat,"{written}"\n20,Babe,drama\n')
    data = load_interactions(ratings, items=tmp_path / "items.csv")
    genres = dict(zip(data.item_ids.tolist(), data.items["genres"], strict=True))
    assert [g.lower() for g in genres[10]] == ["drama", "crime"] and [g.lower() for g in genres[20]] == ["drama"]


def test_ids_stored_as_whole_decimals_are_the_integer_ids(tmp_path):
    # an integer column with a gap is float in pandas, Parquet and JSON: 1.0 joined no item table row of 1
    pd.DataFrame({"user": [1, 1, 2, 2], "item": [1.0, 2.0, 2.0, 3.0], "rating": [5, 4, 3, 2]}).to_parquet(
        tmp_path / "r.parquet")
    (tmp_path / "items.csv").write_text("id,title\n1,One\n2,Two\n3,Three\n")
    data = load_interactions(tmp_path / "r.parquet", items=tmp_path / "items.csv")
    assert data.item_ids.tolist() == [1, 2, 3] and data.item_ids.dtype == np.int64
    assert data.report.metadata_join_rate == 1.0 and data.titles.tolist() == ["One", "Two", "Three"]
    pd.DataFrame({"user": [1, 1, 2, 2], "item": [1.5, 2.0, 2.0, 3.0], "rating": [5, 4, 3, 2]}).to_parquet(
        tmp_path / "s.parquet")
    assert load_interactions(tmp_path / "s.parquet").item_ids.tolist() == [1.5, 2.0, 3.0]  # not whole: as given


def test_parquet_ids_beyond_int64_stay_exact(tmp_path):
    big = [2**63 + 5, 2**64 - 1]
    table = pa.table({"user": pa.array([big[0], big[0], big[1], big[1]], pa.uint64()),
                      "item": pa.array([1, 2, 1, 2], pa.uint64()), "rating": [5, 4, 3, 2]})
    pq.write_table(table, tmp_path / "r.parquet")
    data = load_interactions(tmp_path / "r.parquet")
    assert sorted(data.user_ids.tolist()) == sorted(str(b) for b in big) and data.nnz == 4


def test_ids_written_as_an_integer_and_as_its_decimal_are_kept_apart_and_warned_of(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating\n1.0,10,5\n1,20,4\n2.0,10,3\n2,20,2\n3.5,10,1\n")
    data = load_interactions(tmp_path / "r.csv")
    assert data.user_ids.tolist() == ["1", "1.0", "2", "2.0", "3.5"]  # as written
    assert len(data.report.warnings) == 1
    assert "holds 2 ids written both as an integer and as a decimal (such as 1 and 1.0)" in data.report.warnings[0]
    (tmp_path / "s.csv").write_text("user,item,rating\n1.0,10,5\n1.5,20,4\n2.0,10,3\n")
    assert not load_interactions(tmp_path / "s.csv").report.warnings  # decimals only: nothing split


def test_item_tables_read_as_the_interactions_are(tmp_path):
    # ids written 1.0 on both sides joined 0% (the table's became integers, the interactions' stayed text);
    # a headerless table with a BOM lost its first title; a table past 64 KiB in Windows-1252 was refused
    (tmp_path / "r.csv").write_text("user,item,rating\na,1.0,5\na,2.0,4\nb,1.0,3\nb,2.0,1\n")
    (tmp_path / "items.csv").write_text("id,title\n1.0,One\n2.0,Two\n")
    data = load_interactions(tmp_path / "r.csv", items=tmp_path / "items.csv")
    assert data.report.metadata_join_rate == 1.0 and data.titles.tolist() == ["One", "Two"]
    (tmp_path / "s.csv").write_text("user,item,rating\na,1,5\na,2,4\nb,1,3\nb,2,1\n")
    (tmp_path / "bom.csv").write_bytes("\ufeff1|Heat\n2|Babe\n".encode())
    data = load_interactions(tmp_path / "s.csv", items=tmp_path / "bom.csv")
    assert data.titles.tolist() == ["Heat", "Babe"]
    rows = "".join(f"{k},Film number {k}\n" for k in range(3, 4000))
    (tmp_path / "late.csv").write_bytes(b"id,title\n1,Heat\n" + rows.encode() + "2,Caf\xe9\n".encode("cp1252"))
    data = load_interactions(tmp_path / "s.csv", items=tmp_path / "late.csv")
    assert data.titles.tolist() == ["Heat", "Café"]


def test_an_item_table_with_no_rows_is_said_to_have_none(tmp_path):
    ratings = write_rows(tmp_path / "r.csv")
    (tmp_path / "items.csv").write_text("item_id,title\n")
    report = load_interactions(ratings, items=tmp_path / "items.csv").report
    assert any(w.endswith("has no rows: no item has a title or genres.") for w in report.warnings)


def test_json_lines_text_in_a_field_of_numbers_past_the_sample_is_read(tmp_path):
    # text after the sampled head in a field of numbers was refused even with dropping bad rows
    records = [{"user": k % 500, "item": k % 300, "rating": 1 + k % 5} for k in range(150_000)]
    records[140_000]["item"] = "7"  # record 140,001: far past the sample and Arrow's first blocks
    records[145_000]["rating"] = "4"
    path = tmp_path / "late.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    data = load_interactions(path)
    assert data.n_items == 300 and data.item_ids.dtype == np.int64  # "7" is item 7
    assert data.nnz == 1501 and data.report.rows_read == 150_000  # the pairs of k % 500 and k % 300, and (0, 7)
    assert any(note.startswith("Numbers and text in field 'item': read as text from record ") for note in
               data.report.notes)
