"""A timestamp column found by its content (ISO dates, Unix seconds) when none is named like one."""

import io

import pandas as pd
import pytest

from mfviz import load_interactions
from mfviz.dashboard.load_words import page_words


def csv(header: str, rows: list[str]) -> io.StringIO:
    return io.StringIO(header + "\n" + "\n".join(rows) + "\n")


ISO_ROWS = [f"v{k % 4},p{k % 5},{1 + k % 5},2020-0{1 + k % 9}-1{k % 10}T10:00:0{k % 10}Z,web" for k in range(20)]  # 20 distinct pairs


def test_iso_times_in_a_column_called_when_are_taken_and_said():
    data = load_interactions(csv("visitor,product,score,when,device", ISO_ROWS))
    assert data.report.columns["timestamp"] == "when" and data.timestamps is not None
    assert data.timestamps.min() == pd.Timestamp("2020-01-10T10:00:00Z").timestamp()
    said = " ".join(data.report.notes)
    assert "column 'when' holds ISO dates and times (such as 2020-01-10T10:00:00Z): taken as the timestamp" in said
    assert "'device'" in said and "'when'" not in said.split("Columns not used")[1]
    assert "pick the timestamp column under Column mapping below (“none” for no timestamp)" in page_words(said)


def test_unix_seconds_under_an_unknown_name_are_taken():
    rows = [f"u{k % 4},i{k % 5},{1 + k % 5},{1_600_000_000 + 3_600 * k}" for k in range(20)]
    data = load_interactions(csv("user,item,rating,at", rows))
    assert data.report.columns["timestamp"] == "at"
    assert data.timestamps.min() == 1_600_000_000
    assert "read as Unix seconds" in " ".join(data.report.notes)


@pytest.mark.parametrize(("header", "extra"), [
    ("order_id", lambda k: 1_600_000_000 + k),  # 10-digit ids look like seconds: a name ending in id is passed over
    ("amount_cents", lambda k: 120 + k),  # small numbers: no plausible seconds
    ("note", lambda k: "2020-01-01 or so"),  # text around a date
    ("fixed", lambda k: 1_600_000_000),  # one value throughout: no clock
])
def test_columns_that_are_no_timestamps_are_not_taken(header, extra):
    rows = [f"u{k % 4},i{k % 5},{1 + k % 5},{extra(k)}" for k in range(40)]
    data = load_interactions(csv(f"user,item,rating,{header}", rows))
    assert data.report.columns["timestamp"] is None and data.timestamps is None


def test_a_timestamp_named_so_wins_and_timestamp_false_is_kept():
    rows = [f"{r},2021-05-0{1 + k % 9}" for k, r in enumerate(ISO_ROWS)]
    named = load_interactions(csv("visitor,product,score,when,device,date", rows))
    assert named.report.columns["timestamp"] == "date"
    assert not any("named like a timestamp" in note for note in named.report.notes)
    none = load_interactions(csv("visitor,product,score,when,device", ISO_ROWS), timestamp=False)
    assert none.timestamps is None


def test_a_dataframe_and_a_parquet_file_with_a_datetime_column(tmp_path):
    frame = pd.DataFrame({"user": [1, 1, 2, 2], "item": [1, 2, 1, 2], "rating": [5, 4, 3, 1],
                          "seen": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01 12:00"], format="ISO8601")})
    assert load_interactions(frame).report.columns["timestamp"] == "seen"
    frame.to_parquet(tmp_path / "r.parquet")
    data = load_interactions(tmp_path / "r.parquet")
    assert data.report.columns["timestamp"] == "seen"
    assert data.timestamps.max() == pd.Timestamp("2020-04-01 12:00").timestamp()
