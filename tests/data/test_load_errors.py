"""Bad input: every case gets a DataError naming the file, the row/column and what to do."""

from __future__ import annotations

import gzip
import io
import zipfile

import numpy as np
import pytest
from conftest import write_rows

from mfviz import DataError, load_interactions


def load_error(source, **overrides) -> str:
    with pytest.raises(DataError) as info:
        load_interactions(source, **overrides)
    return str(info.value)


def test_empty_and_blank_files(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "blank.csv").write_text("\n  \n\n")
    for name in ("empty.csv", "blank.csv"):
        message = load_error(tmp_path / name)
        assert name in message and "empty" in message


def test_header_only(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating\n")
    message = load_error(tmp_path / "r.csv")
    assert "r.csv" in message and "has a header (column names) but no rows" in message


def test_binary_garbage(tmp_path):
    garbage = np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    (tmp_path / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + garbage)
    message = load_error(tmp_path / "photo.csv")
    assert "photo.csv" in message and "binary" in message and "CSV" in message
    # the bytes themselves (b'\x89PNG\r\n...') told a user nothing: what the file may be instead
    assert "\\x" not in message and "b'" not in message and "renamed" in message


def test_no_recognisable_columns(tmp_path):
    (tmp_path / "r.csv").write_text("alpha,beta,gamma\n1,2,3\n4,5,6\n")
    message = load_error(tmp_path / "r.csv")
    assert "r.csv" in message and "no recognisable columns" in message
    assert "['alpha', 'beta', 'gamma']" in message and "Say which column is which with user=... and item=..." in message
    assert "item table" not in message


def test_an_item_table_given_as_interactions_is_said_to_be_one(tmp_path):
    # it was "no user column among ['movieId', 'title', 'genres'] ... e.g. rating='genres'"
    (tmp_path / "movies.csv").write_text("movieId,title,genres\n1,Heat (1995),Action|Crime\n2,Babe (1995),Drama\n")
    message = load_error(tmp_path / "movies.csv")
    assert "no user column" in message and "looks like an item table" in message and "items=..." in message
    assert "rating='genres'" not in message


def test_columns_no_role_took_are_named(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,spend,comment\na,x,3.5,ok\nb,y,10,hm\n")
    report = load_interactions(tmp_path / "r.csv").report
    assert "Columns not used: 'spend', 'comment'. To use one, name it with rating=... or timestamp=...." \
        in report.notes


def test_item_column_missing(tmp_path):
    (tmp_path / "r.csv").write_text("user_id,colour,rating\n1,2,3\n4,5,6\n")
    message = load_error(tmp_path / "r.csv")
    assert "no item column" in message and "item=" in message


def test_one_column_only(tmp_path):
    (tmp_path / "ids.txt").write_text("1\n2\n3\n")
    message = load_error(tmp_path / "ids.txt")
    assert "ids.txt" in message and "delimiter" in message


def test_non_numeric_rating_names_line_and_column(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating\n1,10,5\n1,20,4\n2,10,great\n2,20,3\n")
    message = load_error(tmp_path / "r.csv")
    assert "r.csv" in message and "non-numeric rating" in message and "'rating'" in message
    assert "line 4" in message and "'great'" in message and "on_bad_rows='drop'" in message
    dropped = load_interactions(tmp_path / "r.csv", on_bad_rows="drop")
    assert dropped.nnz == 3 and dropped.report.rows_dropped == 1
    assert "Dropped 1 row: a non-numeric rating in column 'rating'" in str(dropped.report)


def test_nan_rating(tmp_path):
    (tmp_path / "r.tsv").write_text("user\titem\trating\n1\t10\t5\n1\t20\tNaN\n2\t10\t4\n2\t20\t3\n")
    message = load_error(tmp_path / "r.tsv")
    assert "r.tsv" in message and "missing (NaN) rating" in message and "line 3" in message


def test_missing_ids(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating\n1,10,5\n,20,4\n2,10,4\n2,20,3\n")
    message = load_error(tmp_path / "r.csv")
    assert "r.csv" in message and "missing id" in message and "'user'" in message and "line 3" in message
    (tmp_path / "s.csv").write_text("user,item,rating\na,x,5\na,,4\nb,x,4\nb,y,3\n")
    message = load_error(tmp_path / "s.csv")
    assert "missing id" in message and "'item'" in message and "line 3" in message


@pytest.mark.parametrize("written", ["NA", "null", "N/A", "#N/A", "NaN", "nil"])
def test_ids_written_as_exports_write_missing_values_are_missing(tmp_path, written):
    # R's write.csv writes NA, JSON tools null: such an id became one user holding every such row
    (tmp_path / "r.csv").write_text(f"user,item,rating\n{written},1,5\n1,2,2\n2,1,1\n{written},2,4\n2,2,3\n")
    message = load_error(tmp_path / "r.csv")
    assert "missing id" in message and "'user'" in message and "line 2" in message
    loaded = load_interactions(tmp_path / "r.csv", on_bad_rows="drop")
    assert loaded.user_ids.tolist() == [1, 2] and loaded.report.rows_dropped == 2


def test_missing_id_without_header_counts_lines_from_one(tmp_path):
    (tmp_path / "u.csv").write_text("1,10,5\n1,20,4\n2,10,4\n,20,3\n")
    assert "line 4" in load_error(tmp_path / "u.csv")


def test_duplicates_are_merged_and_counted(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating\n1,10,5\n1,10,3\n1,20,4\n2,10,4\n2,20,3\n2,20,1\n")
    loaded = load_interactions(tmp_path / "r.csv")
    assert loaded.report.duplicates_merged == 2 and loaded.report.duplicates_policy == "last"
    assert "Merged 2 duplicate (user, item) rows with policy 'last'" in str(loaded.report)
    assert "duplicates must be one of" in load_error(tmp_path / "r.csv", duplicates="first")


def test_negative_implicit_weights(tmp_path):
    (tmp_path / "plays.csv").write_text("user,item,plays\n1,10,25\n1,20,-3\n2,10,400\n2,20,17\n")
    message = load_error(tmp_path / "plays.csv", explicit=False)
    assert "plays.csv" in message and "negative" in message and "'plays'" in message
    assert "explicit=True" in message


@pytest.mark.parametrize("body,what", [("1,10,5\n1,20,4\n1,30,3\n", "1 distinct user"),
                                       ("1,10,5\n2,10,4\n3,10,3\n", "1 distinct item")])
def test_single_user_or_item(tmp_path, body, what):
    (tmp_path / "r.csv").write_text("user,item,rating\n" + body)
    message = load_error(tmp_path / "r.csv")
    assert "r.csv" in message and what in message and "at least 2" in message


def test_more_rows_than_memory_allows(tmp_path):
    write_rows(tmp_path / "r.csv")
    message = load_error(tmp_path / "r.csv", max_memory=100)
    assert "r.csv" in message and "memory" in message and "check_memory=False" in message
    assert load_interactions(tmp_path / "r.csv", max_memory=100, check_memory=False).nnz == 11
    # compressed files are checked before they are expanded
    (tmp_path / "r.csv.gz").write_bytes(gzip.compress((tmp_path / "r.csv").read_bytes()))
    assert "uncompressed size" in load_error(tmp_path / "r.csv.gz", max_memory=100)
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as archive:
        archive.write(tmp_path / "r.csv", "r.csv")
    assert "r.zip:r.csv" in load_error(tmp_path / "r.zip", max_memory=100)
    import pandas as pd
    pd.DataFrame({"user": [1, 2], "item": [3, 4]}).to_parquet(tmp_path / "r.parquet")
    assert "memory" in load_error(tmp_path / "r.parquet", max_memory=10)


def test_wrong_number_of_fields_names_the_line(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating\n1,10,5\n1,20,4\n2,10\n2,20,3\n")
    message = load_error(tmp_path / "r.csv")
    assert "r.csv" in message and "line 4" in message and "'2,10'" in message
    dropped = load_interactions(tmp_path / "r.csv", on_bad_rows="drop")
    assert dropped.nnz == 3 and dropped.report.rows_read == 4 and dropped.report.rows_dropped == 1


def test_unreadable_timestamp(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating,timestamp\n1,10,5,1\n1,20,4,2\n2,10,4,soon\n2,20,3,4\n")
    message = load_error(tmp_path / "r.csv")
    assert "unreadable timestamp" in message and "line 4" in message


def test_bad_overrides(tmp_path):
    write_rows(tmp_path / "r.csv")
    assert "no column 'uid'" in load_error(tmp_path / "r.csv", user="uid")
    assert "not a column position" in load_error(tmp_path / "r.csv", item=9)
    assert "on_bad_rows must be" in load_error(tmp_path / "r.csv", on_bad_rows="skip")
    assert "unknown text encoding" in load_error(tmp_path / "r.csv", encoding="klingon")


def test_missing_path_and_unknown_folder(tmp_path):
    assert "no such file" in load_error(tmp_path / "nope.csv")
    (tmp_path / "folder").mkdir()
    message = load_error(tmp_path / "folder")
    assert "u.data" in message and "ratings.dat" in message


def test_unsupported_source_type():
    assert "cannot load interactions from a int" in load_error(42)


def test_damaged_gzip(tmp_path):
    data = gzip.compress(write_rows(tmp_path / "r.csv").read_bytes())
    (tmp_path / "r.csv.gz").write_bytes(data[: len(data) // 2])
    message = load_error(tmp_path / "r.csv.gz")
    assert "r.csv.gz" in message and "damaged" in message


def test_zip_problems(tmp_path):
    with zipfile.ZipFile(tmp_path / "many.zip", "w") as archive:
        archive.writestr("a.csv", "user,item\n1,2\n")
        archive.writestr("b.csv", "user,item\n1,2\n")
    message = load_error(tmp_path / "many.zip")
    assert "many.zip" in message and "a.csv" in message and "b.csv" in message
    with zipfile.ZipFile(tmp_path / "book.xlsx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "Excel" in load_error(tmp_path / "book.xlsx")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    assert "broken.zip" in load_error(tmp_path / "broken.zip")


def test_parser_errors_never_escape_raw(tmp_path):
    # a quote that never closes makes Arrow's parser fail; the user sees a DataError
    (tmp_path / "r.csv").write_text('user,item,rating\n1,10,5\n"1,20,4\n2,10,4\n2,20,3\n')
    message = load_error(tmp_path / "r.csv")
    assert "r.csv" in message


def test_uploaded_binary_names_the_upload():
    upload = io.BytesIO(b"\x00\x01\x02\x03" * 100)
    upload.name = "weights.bin"
    assert "weights.bin" in load_error(upload)


@pytest.mark.parametrize(("written", "reason"), [("inf", "an infinite rating"), ("1e40", "too large to store")])
def test_ratings_that_float32_cannot_hold_are_bad_rows(tmp_path, written, reason):
    # 1e40 passed the check for infinity as float64 and became inf in the float32 matrix, which broke
    # the data summary (OverflowError on the Data page, a traceback from `mfviz info`)
    (tmp_path / "r.csv").write_text(f"user,item,rating\n1,1,5\n1,2,{written}\n2,1,3\n2,2,4\n")
    message = load_error(tmp_path / "r.csv")
    assert reason in message and "line 3" in message
    loaded = load_interactions(tmp_path / "r.csv", on_bad_rows="drop")
    assert loaded.nnz == 3 and np.isfinite(loaded.matrix.data).all() and loaded.report.rows_dropped == 1
    loaded.summary()  # the Data page's cards and histograms


def test_a_memory_limit_under_a_gib_is_given_in_a_unit_that_shows_it(tmp_path):
    # max_memory=1000 read "would need about 0.0 GiB to load, but only 0.0 GiB of memory is available"
    write_rows(tmp_path / "r.csv")
    message = load_error(tmp_path / "r.csv", max_memory=100)
    assert "but only 100 bytes of memory is available" in message and "0.0 GiB" not in message


def test_ids_written_as_lists_are_named_as_nested_not_missing(tmp_path):
    # {"user": [1], ...}: the field was left out as nested, and the error said only "no user column"
    (tmp_path / "r.jsonl").write_text("".join(f'{{"user": [{u}], "item": {i}, "rating": 3}}\n'
                                              for u, i in ((1, 2), (2, 3), (3, 2))))
    message = load_error(tmp_path / "r.jsonl")
    assert "no user column" in message and "The field 'user' holds lists or objects (nested JSON)" in message
    # an error of another kind names no nested field: here a column named wrongly, beside a field of tags
    (tmp_path / "t.jsonl").write_text("".join(f'{{"user": {u}, "item": {i}, "score": 3, "tags": ["a"]}}\n'
                                              for u, i in ((1, 2), (2, 3), (3, 2))))
    message = load_error(tmp_path / "t.jsonl", rating="stars")
    assert "no column 'stars'" in message and "nested" not in message


def test_a_date_in_the_rating_column_is_shown_as_written():
    message = load_error(io.BytesIO(b"user,item,rating\n1,2,2020-01-01\n2,3,2020-01-02\n3,2,2020-01-03\n"))
    assert "value '2020-01-01'" in message and "datetime" not in message


def test_a_damaged_parquet_file_or_zip_member_is_an_unreadable_file(tmp_path):
    # they raised a plain DataError, and the Data page sent them to Column mapping, which cannot help
    import pandas as pd

    from mfviz.errors import UnreadableFile

    pd.DataFrame({"user": [1, 2, 3], "item": [4, 5, 6], "rating": [3, 4, 5]}).to_parquet(tmp_path / "r.parquet")
    whole = (tmp_path / "r.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(whole[:len(whole) // 2] + whole[-8:])  # magic bytes kept, middle lost
    with pytest.raises(UnreadableFile, match="cut.parquet: this Parquet file is damaged or cut short"):
        load_interactions(tmp_path / "cut.parquet")
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as archive:
        archive.writestr("r.csv", "user,item,rating\n" + "".join(f"{u},{u % 7},3\n" for u in range(200)))
    data = bytearray((tmp_path / "r.zip").read_bytes())
    data[60] ^= 0xFF  # a byte of the member's compressed data: its CRC no longer matches
    (tmp_path / "bad.zip").write_bytes(bytes(data))
    with pytest.raises(UnreadableFile, match="cannot read r.csv from the archive"):
        load_interactions(tmp_path / "bad.zip")
