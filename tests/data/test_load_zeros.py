"""A value of 0 means one thing everywhere: in implicit feedback (0 plays, 0 clicks) it is no
interaction and is dropped at load, counted in the report, unless asked to keep it; a rating of 0 is
kept. Before, Popularity, item counts and the bias metrics counted a stored 0 as an interaction
while implicit ALS gave it weight 0: an item with 0 plays from 30 users topped the Popularity list."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import as_dict

from mfviz import DataError, load_interactions
from mfviz.models import ImplicitALS, Popularity

# 30 users played `silent` 0 times, 5 played `heard` 3 times, two played `other` once or twice
PLAYS = ([(f"u{u}", "silent", 0, 1_600_000_000 + u) for u in range(30)]
         + [(f"u{u}", "heard", 3, 1_600_000_100 + u) for u in range(5)]
         + [("u0", "other", 1, 1_600_000_200), ("u1", "other", 2, 1_600_000_201)])
KEPT = {(u, i): float(p) for u, i, p, _ in PLAYS if p}


def plays_csv(path, rows=PLAYS):
    path.write_text("user,item,plays,timestamp\n" + "".join(f"{u},{i},{p},{t}\n" for u, i, p, t in rows))
    return path


def test_an_item_played_0_times_is_no_interaction_and_never_the_most_popular(tmp_path):
    data = load_interactions(plays_csv(tmp_path / "plays.csv"))
    assert not data.is_explicit and as_dict(data) == KEPT
    assert "silent" not in data.item_ids.tolist()
    assert dict(zip(data.item_ids.tolist(), data.item_popularity.tolist(), strict=True)) == {"heard": 5, "other": 2}
    top, _ = Popularity().fit(data).recommend([data.user_index("u4")[0]], n=1, exclude_seen=False)
    assert data.item_ids[top[0, 0]] == "heard"
    assert (data.matrix.data != 0).all()  # what implicit ALS fits is what Popularity counts
    assert ImplicitALS(factors=2, epochs=1, random_state=0).fit(data).item_factors.shape[0] == data.n_items


def test_the_report_says_how_many_zeros_were_dropped_and_how_to_keep_them(tmp_path):
    report = load_interactions(plays_csv(tmp_path / "plays.csv")).report
    lines = report.lines()
    assert ("Dropped 30 rows: the value 0 in column 'plays' (implicit feedback: 0 plays or 0 clicks is no "
            "interaction).") in lines
    assert any("load with zeros='keep'" in line and "rating=False" in line for line in lines)
    assert "25 users and 1 item had no rows left once these were dropped, so they are not in the data." in lines
    assert report.rows_read == 37 and report.rows_kept == 7 and lines[-1] == "Kept 7 interactions."


def test_timestamps_stay_with_their_rows(tmp_path):
    rows = PLAYS[::-1]  # the zeros last: the kept rows' stamps must not shift
    frame = load_interactions(plays_csv(tmp_path / "plays.csv", rows)).to_frame()
    stamps = {(u, i): t for u, i, p, t in PLAYS if p}
    assert {(u, i): t for u, i, t in zip(frame["user"], frame["item"], frame["timestamp"], strict=True)} == stamps


def test_zeros_kept_as_asked_with_a_warning(tmp_path):
    data = load_interactions(plays_csv(tmp_path / "plays.csv"), zeros="keep")
    assert data.nnz == 37 and data.n_users == 30
    assert any(w.startswith("30 rows have the value 0 in column 'plays': kept as interactions, as asked.")
               and "zeros='drop'" in w for w in data.report.warnings)
    assert not data.report.dropped


def test_a_0_rating_is_kept_unless_asked(tmp_path):
    path = tmp_path / "stars.csv"
    rows = [(u, i, (u + i) % 6) for u in range(6) for i in range(5)]  # 0-5 stars, 5 zeros
    path.write_text("user,item,rating\n" + "".join(f"{u},{i},{r}\n" for u, i, r in rows))
    data = load_interactions(path)
    assert data.is_explicit and data.nnz == 30 and (data.matrix.data == 0).sum() == 5
    assert not data.report.dropped
    dropped = load_interactions(path, zeros="drop")
    assert dropped.nnz == 25 and dropped.report.dropped == {"a rating of 0 in column 'rating', as asked (zeros='drop')": 5}


def test_zeros_of_ratings_read_as_implicit_are_dropped_too(tmp_path):
    path = tmp_path / "stars.csv"
    path.write_text("user,item,rating\n" + "".join(f"{u},{i},{(u + i) % 6}\n" for u in range(6) for i in range(5)))
    data = load_interactions(path, explicit=False)
    assert data.nnz == 25 and (data.matrix.data > 0).all()


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "frame"])
def test_every_format_drops_them_alike(tmp_path, fmt):
    frame = pd.DataFrame(PLAYS, columns=["user", "item", "plays", "timestamp"])
    if fmt == "jsonl":
        source = tmp_path / "plays.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict("records")))
    elif fmt == "parquet":
        source = tmp_path / "plays.parquet"
        pq.write_table(pa.Table.from_pandas(frame), source)
    else:
        source = frame
    data = load_interactions(source)
    assert as_dict(data) == KEPT and sum(data.report.dropped.values()) == 30


def test_merged_duplicates_of_0_and_plays(tmp_path):
    rows = [("a", "x", 0, 1), ("a", "x", 4, 2), ("b", "x", 0, 3), ("b", "y", 2, 4), ("a", "y", 1, 5)]
    data = load_interactions(plays_csv(tmp_path / "plays.csv", rows))
    assert as_dict(data) == {("a", "x"): 4.0, ("b", "y"): 2.0, ("a", "y"): 1.0}


def test_nothing_but_zeros(tmp_path):
    rows = [(f"u{u}", f"i{i}", 0, 1) for u in range(3) for i in range(3)]
    with pytest.raises(DataError, match="every value in column 'plays' is 0") as info:
        load_interactions(plays_csv(tmp_path / "plays.csv", rows))
    assert "explicit=True" in str(info.value) and "zeros='keep'" in str(info.value)
    assert load_interactions(plays_csv(tmp_path / "plays.csv", rows), zeros="keep").nnz == 9


def test_a_bad_zeros_argument(tmp_path):
    with pytest.raises(DataError, match="zeros must be one of None, 'drop', 'keep', got 'no'"):
        load_interactions(plays_csv(tmp_path / "plays.csv"), zeros="no")


def test_without_zeros_nothing_changes(tmp_path):
    rows = [r for r in PLAYS if r[2]]
    data = load_interactions(plays_csv(tmp_path / "plays.csv", rows))
    assert as_dict(data) == KEPT and not data.report.dropped
    assert not any("zeros=" in line for line in data.report.lines())
    assert np.array_equal(np.sort(data.matrix.data), np.sort([p for _, _, p, _ in rows]).astype(np.float32))
