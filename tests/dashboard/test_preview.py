"""The Data page's preview of an uploaded file splits its lines as the loader does, so that the column
positions a user picks under it are the loader's."""

from __future__ import annotations

import mfviz
from mfviz.dashboard import cache


def test_columns_aligned_with_runs_of_spaces_preview_as_the_loader_reads_them():
    # "user id   item id   rating": names with single spaces, columns two or more apart. Split on every
    # run of whitespace the preview showed 6 columns (and 3 for the rows), while the file loads as 3
    content = ("user id   item id   rating\n"
               + "".join(f"u{u:<8d}i{(u * 3 + j) % 7:<8d}{1 + (u + j) % 5}\n" for u in range(6) for j in range(3))
               ).encode()
    preview = cache.preview_frame("aligned", content)
    assert preview.shape == (9, 3)
    assert preview.iloc[0].tolist() == ["user id", "item id", "rating"]
    assert preview.iloc[1].tolist() == ["u0", "i0", "1"]
    loaded = mfviz.load_interactions(__import__("io").BytesIO(content))
    assert loaded.nnz == 18 and loaded.is_explicit  # the same three columns: user, item, rating


def test_other_files_preview_as_before():
    assert cache.preview_frame("csv", b'a,b,c\n1,"x, y",3\n').values.tolist() == [["a", "b", "c"], ["1", "x, y", "3"]]
    assert cache.preview_frame("tabs", b"196\t242\t3\n186\t302\t3\n").values.tolist() == [
        ["196", "242", "3"], ["186", "302", "3"]]
    assert cache.preview_frame("one", b"hello\nworld\n").values.tolist() == [["hello"], ["world"]]  # no delimiter
    assert cache.preview_frame("empty", b"").shape[0] == 0
