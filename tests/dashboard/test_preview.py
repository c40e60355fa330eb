"""The Data page's preview of an uploaded file splits its lines as the loader does, so that the column
positions a user picks under it are the loader's."""

from __future__ import annotations

import mfviz
from mfviz.dashboard import cached_upload


def test_columns_aligned_with_runs_of_spaces_preview_as_the_loader_reads_them():
    # "user id   item id   rating": names with single spaces, columns two or more apart. Split on every
    # run of whitespace the preview showed 6 columns (and 3 for the rows), while the file loads as 3
    content = ("user id   item id   rating\n"
               + "".join(f"u{u:<8d}i{(u * 3 + j) % 7:<8d}{1 + (u + j) % 5}\n" for u in range(6) for j in range(3))
               ).encode()
    preview = cached_upload.preview_frame("aligned", content)
    assert preview.shape == (9, 3)
    assert preview.iloc[0].tolist() == ["user id", "item id", "rating"]
    assert preview.iloc[1].tolist() == ["u0", "i0", "1"]
    loaded = mfviz.load_interactions(__import__("io").BytesIO(content))
    assert loaded.nnz == 18 and loaded.is_explicit  # the same three columns: user, item, rating


def test_other_files_preview_as_before():
    assert cached_upload.preview_frame("csv", b'a,b,c\n1,"x, y",3\n').values.tolist() == [
        ["a", "b", "c"], ["1", "x, y", "3"]]
    assert cached_upload.preview_frame("tabs", b"196\t242\t3\n186\t302\t3\n").values.tolist() == [
        ["196", "242", "3"], ["186", "302", "3"]]
    # no delimiter
    assert cached_upload.preview_frame("one", b"hello\nworld\n").values.tolist() == [["hello"], ["world"]]
    assert cached_upload.preview_frame("empty", b"").shape[0] == 0


def _ratings(n: int = 40) -> list[tuple[str, str, int, str]]:
    return [(f"cust-{u}", f"prod-{(u * 7 + j) % 13}", 1 + (u + j) % 5, f"2021-03-{1 + (u + j) % 28:02d} 10:00:00")
            for u in range(n // 4) for j in range(4)]


def test_a_parquet_file_previews_its_column_names_and_rows_and_a_position_picks_that_column(tmp_path):
    # The raw bytes were split as text: "PAR1…" in two columns, and positions 0 and 1 only, so a fourth column
    # (here the order time) could not be picked
    import pandas as pd

    rows = _ratings()
    frame = pd.DataFrame(rows, columns=["customer_id", "product_id", "quantity", "order_ts"])
    frame["order_ts"] = pd.to_datetime(frame["order_ts"])
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path)
    preview = cached_upload.preview_frame("parquet", path.read_bytes())
    assert preview.iloc[0].tolist() == ["customer_id", "product_id", "quantity", "order_ts"]
    assert preview.iloc[1, :3].tolist() == ["cust-0", "prod-0", "1"] and preview.iloc[1, 3].startswith("2021-03-01")
    assert len(preview) == 9  # the names and 8 rows
    loaded = mfviz.load_interactions(path, user=0, item=1, rating=2, timestamp=3)  # the positions the preview shows
    assert loaded.nnz == len(rows) and loaded.timestamps is not None


def test_compressed_and_zipped_files_preview_the_text_inside(tmp_path):
    import gzip
    import zipfile

    text = "user,item,rating\n" + "".join(f"{u},{i},{r}\n" for u, i, r, _ in _ratings())
    expected = [["user", "item", "rating"], ["cust-0", "prod-0", "1"]]
    assert cached_upload.preview_frame("gz", gzip.compress(text.encode())).values.tolist()[:2] == expected
    archive = tmp_path / "ratings.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("README.txt", "not the ratings\n")
        zf.writestr("ratings.csv", text)
    assert cached_upload.preview_frame("zip", archive.read_bytes()).values.tolist()[:2] == expected


def test_json_lines_longer_than_the_previewed_bytes_preview_as_fields_not_comma_pieces():
    # Over 200 KB the last line was cut, the records failed to parse and the lines were split on their commas:
    # 15 "columns" for 9 fields, positions that were not the loader's (rating = 6 loaded a time as ratings)
    import json

    lines = [json.dumps({"reviewerID": f"A{u}", "asin": f"B{(u * 3) % 101}", "helpful": [0, 1],
                         "reviewText": "Good, solid, and, many, commas " * 4, "overall": float(1 + u % 5),
                         "unixReviewTime": 1_300_000_000 + u}) for u in range(2_000)]
    content = ("\n".join(lines) + "\n").encode()
    assert len(content) > 200_000
    preview = cached_upload.preview_frame("jsonl", content)
    names = preview.iloc[0].tolist()  # the loader's fields (a field of lists, "helpful", is no column)
    assert names == ["reviewerID", "asin", "reviewText", "overall", "unixReviewTime"]
    assert preview.iloc[1].tolist()[:2] == ["A0", "B0"] and len(preview) == 9
    loaded = mfviz.load_interactions(__import__("io").BytesIO(content), user=0, item=1,
                                     rating=names.index("overall"))  # the position the preview shows
    assert loaded.is_explicit and sorted(set(loaded.matrix.data.tolist())) == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_the_preview_expands_only_the_head_of_a_compressed_file_or_zip_member(tmp_path):
    # the whole file was expanded for eight rows: a 90 MB .gz took 457 MB more memory at every upload
    import bz2
    import gzip
    import lzma
    import zipfile

    text = ("user,item,rating\n" + "".join(f"u{u},i{u % 977},{1 + u % 5}\n" for u in range(400_000))).encode()
    assert len(text) > 20 * cached_upload.PREVIEW_BYTES
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("notes/README.txt", "not the ratings\n")
        zf.writestr("ratings.csv", text)
    for packed in (gzip.compress(text), bz2.compress(text), lzma.compress(text), archive.read_bytes()):
        head = cached_upload._peek(packed)
        assert head.size() == cached_upload.PREVIEW_BYTES and text.startswith(head.read())
    plain = cached_upload._peek(text)  # nothing to expand: the upload itself
    assert plain.read() is text
