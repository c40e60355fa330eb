"""Loading in chunks: results do not depend on where the chunks fall, and errors still name the file's line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import as_dict

from mfviz import DataError, Interactions, load_interactions
from mfviz.data import delimited


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Chunks of ~64 bytes, so that a small file spans many chunks (and many Arrow blocks)."""
    monkeypatch.setattr(delimited, "CHUNK_BYTES", 64)


def _rows(n=400, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"user": rng.integers(1, 40, n), "item": rng.integers(1, 25, n),
                         "rating": rng.integers(1, 11, n) / 2,
                         "timestamp": rng.integers(1_000_000_000, 1_000_000_050, n)})


def test_chunked_load_equals_one_frame(tmp_path, tiny_chunks):
    frame = _rows()
    frame.to_csv(tmp_path / "r.csv", index=False)
    loaded = load_interactions(tmp_path / "r.csv")
    whole = Interactions.from_frame(frame, rating="rating", timestamp="timestamp")
    assert as_dict(loaded) == as_dict(whole)
    assert np.array_equal(loaded.timestamps, whole.timestamps)
    assert loaded.report.duplicates_merged == whole.report.duplicates_merged > 0
    assert loaded.report.rows_read == len(frame)
    assert np.array_equal(loaded.user_ids, np.unique(frame["user"]))


def test_timestamps_far_apart_widen_and_stay_exact(tmp_path, tiny_chunks):
    frame = _rows(60)
    frame.loc[50:, "timestamp"] = [2**33 + k for k in range(10)]  # the year 2242: > 68 years after the first
    frame.loc[0, "timestamp"] = -5
    frame = frame.drop_duplicates(["user", "item"])
    frame.to_csv(tmp_path / "r.csv", index=False)
    loaded = load_interactions(tmp_path / "r.csv")
    out = loaded.to_frame()
    got = {(u, i): t for u, i, t in zip(out["user"], out["item"], out["timestamp"], strict=True)}
    want = {(u, i): t for u, i, t in zip(frame["user"], frame["item"], frame["timestamp"], strict=True)}
    assert got == want


def test_ids_turn_to_text_in_a_later_chunk(tmp_path, tiny_chunks):
    lines = [f"{u},{i},4" for u in range(1, 30) for i in (7, 8)] + ["u007,7,3", "7,x1,2"]
    (tmp_path / "r.csv").write_text("user,item,rating\n" + "\n".join(lines) + "\n")
    loaded = load_interactions(tmp_path / "r.csv")
    assert loaded.n_users == 30 and loaded.n_items == 3
    assert set(loaded.user_ids.tolist()) == {str(u) for u in range(1, 30)} | {"u007"}
    pairs = as_dict(loaded)
    assert pairs[("u007", "7")] == 3.0 and pairs[("7", "x1")] == 2.0 and pairs[("7", "8")] == 4.0


def test_error_in_a_later_chunk_names_its_line(tmp_path, tiny_chunks):
    lines = [f"{u},{u % 5},3" for u in range(200)]
    lines[150] = "150,1,great"
    (tmp_path / "r.csv").write_text("user,item,rating\n" + "\n".join(lines) + "\n")
    message = str(pytest.raises(DataError, load_interactions, tmp_path / "r.csv").value)
    assert "line 152" in message and "'great'" in message and "row 151" in message
    dropped = load_interactions(tmp_path / "r.csv", on_bad_rows="drop")
    assert dropped.nnz == 199 and dropped.report.rows_dropped == 1


def test_wrong_field_count_in_a_later_chunk(tmp_path, tiny_chunks):
    lines = [f"{u},{u % 5},3" for u in range(200)]
    lines[120] = "120,1"
    (tmp_path / "r.csv").write_text("user,item,rating\n" + "\n".join(lines) + "\n")
    message = str(pytest.raises(DataError, load_interactions, tmp_path / "r.csv").value)
    assert "line 122" in message and "'120,1'" in message
    dropped = load_interactions(tmp_path / "r.csv", on_bad_rows="drop")
    assert dropped.report.rows_read == 200 and dropped.report.rows_dropped == 1 and dropped.nnz == 199


def test_quoted_newlines_across_chunk_edges(tmp_path, tiny_chunks):
    lines = [f'"u{k}","item {k % 3}\nsecond line",{1 + k % 5}' for k in range(40)]
    (tmp_path / "r.csv").write_text("user,item,rating\n" + "\n".join(lines) + "\n")
    loaded = load_interactions(tmp_path / "r.csv")
    assert loaded.nnz == 40 and loaded.n_items == 3
    assert "item 0\nsecond line" in loaded.item_ids.tolist()


def test_double_colon_and_no_header_in_chunks(tmp_path, tiny_chunks):
    frame = _rows(100).drop_duplicates(["user", "item"])
    text = "\n".join(f"{u}::{i}::{r:g}::{t}" for u, i, r, t in frame.itertuples(index=False))
    (tmp_path / "ratings.dat").write_text(text + "\n")
    loaded = load_interactions(tmp_path / "ratings.dat")
    assert loaded.nnz == len(frame)
    assert as_dict(loaded) == {(u, i): r for u, i, r in frame[["user", "item", "rating"]].itertuples(index=False)}
