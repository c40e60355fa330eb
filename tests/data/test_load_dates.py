"""Numeric dates (03/04/2020): read day or month first as the file's own values show, and said."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from pandas.tseries.api import guess_datetime_format

import mfviz
from mfviz import load_interactions
from mfviz.data import delimited
from mfviz.data.dates import known_date_format


def _seconds(day: dt.datetime) -> int:
    return int(day.replace(tzinfo=dt.UTC).timestamp())


def _load(tmp_path, written: list[str], name: str = "r.csv"):
    """Load one row per date (user u<k>, item i<k>) and return {k: stamp} and the report's lines."""
    frame = pd.DataFrame({"user": [f"u{k}" for k in range(len(written))],
                          "item": [f"i{k}" for k in range(len(written))], "rating": 4, "date": written})
    frame.to_csv(tmp_path / name, index=False)
    loaded = load_interactions(tmp_path / name)
    out = loaded.to_frame()
    stamps = {int(u[1:]): int(t) for u, t in zip(out.user, out.timestamp, strict=True)}
    return stamps, [line for line in loaded.report.lines() if "Dates" in line]


@pytest.mark.parametrize("separator", ["/", "-"])
def test_a_day_over_twelve_shows_day_first_for_every_date(tmp_path, separator):
    written = ["03/04/2020", "13/04/2020", "01/02/2021 18:30"]
    stamps, notes = _load(tmp_path, [w.replace("/", separator) for w in written])
    assert stamps == {0: _seconds(dt.datetime(2020, 4, 3)), 1: _seconds(dt.datetime(2020, 4, 13)),
                      2: _seconds(dt.datetime(2021, 2, 1, 18, 30))}
    assert len(notes) == 1 and "written day first" in notes[0] and "day/month/year" in notes[0]


@pytest.mark.parametrize(("written", "expected", "said"), [
    (["10:00 03/04/2020", "10:00 13/04/2020", "18:30 01/02/2021"],
     [dt.datetime(2020, 4, 3, 10), dt.datetime(2020, 4, 13, 10), dt.datetime(2021, 2, 1, 18, 30)],
     "written day first (10:00 13/04/2020): read as day/month/year."),
    (["10:00 03/04/2020", "9:05:30 PM 04/13/2020", "00:00 01/02/2021"],
     [dt.datetime(2020, 3, 4, 10), dt.datetime(2020, 4, 13, 21, 5, 30), dt.datetime(2021, 1, 2)],
     "written month first (9:05:30 PM 04/13/2020): read as month/day/year."),
    (["10:00 03.04.2020", "23:59:59 05.06.2020"], [dt.datetime(2020, 4, 3, 10), dt.datetime(2020, 6, 5, 23, 59, 59)],
     "all read either way, day or month first (10:00 03.04.2020): those that read both ways were read as "
     "day/month/year."),
])
def test_a_time_before_the_date_is_read_in_the_order_the_dates_show(tmp_path, written, expected, said):
    stamps, notes = _load(tmp_path, written)
    assert stamps == {k: _seconds(day) for k, day in enumerate(expected)}
    assert len(notes) == 1 and said in notes[0]


def test_a_second_number_over_twelve_shows_month_first(tmp_path):
    stamps, notes = _load(tmp_path, ["03/04/2020", "04/13/2020", "01/02/2021"])
    assert stamps == {0: _seconds(dt.datetime(2020, 3, 4)), 1: _seconds(dt.datetime(2020, 4, 13)),
                      2: _seconds(dt.datetime(2021, 1, 2))}
    assert len(notes) == 1 and "written month first (04/13/2020)" in notes[0]


@pytest.mark.parametrize(("written", "expected", "order"), [
    (["03/04/2020", "05/06/2020"], [dt.datetime(2020, 3, 4), dt.datetime(2020, 5, 6)], "month/day/year"),
    (["03.04.2020", "05.06.2020"], [dt.datetime(2020, 4, 3), dt.datetime(2020, 6, 5)], "day/month/year"),
])
def test_dates_that_read_both_ways_are_read_the_usual_way_and_said(tmp_path, written, expected, order):
    stamps, notes = _load(tmp_path, written)
    assert stamps == {k: _seconds(day) for k, day in enumerate(expected)}
    assert len(notes) == 1
    assert "all read either way" in notes[0] and order in notes[0] and "ISO dates" in notes[0]


def test_a_file_written_both_ways_reads_each_date_that_shows_it_right_and_the_rest_as_most(tmp_path):
    stamps, notes = _load(tmp_path, ["13/04/2020", "14/04/2020", "04/15/2020", "01/02/2021"])
    assert stamps == {0: _seconds(dt.datetime(2020, 4, 13)), 1: _seconds(dt.datetime(2020, 4, 14)),
                      2: _seconds(dt.datetime(2020, 4, 15)), 3: _seconds(dt.datetime(2021, 2, 1))}
    assert len(notes) == 1 and "both day first and month first" in notes[0]
    assert "read as day/month/year, as most are" in notes[0]
    stamps, notes = _load(tmp_path, ["13/04/2020", "04/14/2020", "04/15/2020", "01/02/2021"])
    assert stamps[0] == _seconds(dt.datetime(2020, 4, 13)) and stamps[3] == _seconds(dt.datetime(2021, 1, 2))
    assert "read as month/day/year, as most are" in notes[0]


def test_iso_dates_say_nothing_of_the_order(tmp_path):
    stamps, notes = _load(tmp_path, ["2020-04-03", "2020-04-13"])
    assert stamps == {0: _seconds(dt.datetime(2020, 4, 3)), 1: _seconds(dt.datetime(2020, 4, 13))}
    assert notes == []


@pytest.mark.parametrize("layout", ["{d:02d}/01/2020 {h:02d}:15", "{h:02d}:15 {d:02d}/01/2020"])
def test_dates_read_before_a_later_part_of_the_file_showed_the_order_are_put_right(tmp_path, layout):
    # a log sorted by time: its first days (1-12) read both ways, over more than one streamed chunk,
    # and only the 13th shows that the dates are day first. The time first was read value by value:
    # month first where it could be, day first after pandas failed that, and said nothing
    per_day = 12000
    days = np.repeat(np.arange(1, 16), per_day)
    hours = np.arange(len(days)) % 24
    written = [layout.format(d=d, h=h) for d, h in zip(days, hours, strict=True)]
    assert 12 * per_day * len(written[0]) > delimited.CHUNK_BYTES  # more than a chunk before day 13
    stamps, notes = _load(tmp_path, written)
    expected = {k: _seconds(dt.datetime(2020, 1, int(d), int(h), 15))
                for k, (d, h) in enumerate(zip(days, hours, strict=True))}
    assert stamps == expected
    assert len(notes) == 1 and "written day first" in notes[0] and "were put right" in notes[0]


def test_a_data_frame_of_date_strings_is_read_the_same_way(tmp_path):
    frame = pd.DataFrame({"user": ["a", "b", "c"], "item": ["x", "y", "z"], "rating": [1, 2, 3],
                          "timestamp": ["03/04/2020", "13/04/2020", None]})
    loaded = load_interactions(frame, on_bad_rows="drop")
    out = loaded.to_frame().set_index("user")
    assert out.timestamp.to_dict() == {"a": _seconds(dt.datetime(2020, 4, 3)),
                                       "b": _seconds(dt.datetime(2020, 4, 13))}
    assert any("written day first" in line for line in loaded.report.lines())


def test_dates_written_as_yyyymmdd_numbers_are_read_as_those_dates(tmp_path):
    stamps, _ = _load(tmp_path, ["20201231", "20200304", "19991231"])
    assert stamps == {0: _seconds(dt.datetime(2020, 12, 31)), 1: _seconds(dt.datetime(2020, 3, 4)),
                      2: _seconds(dt.datetime(1999, 12, 31))}
    loaded = load_interactions(tmp_path / "r.csv")
    assert any("YYYYMMDD" in note for note in loaded.report.notes) and not loaded.report.warnings


def test_a_yyyymmdd_number_that_is_no_date_is_an_unreadable_timestamp_named_by_line(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating,date\n1,10,5,20201231\n2,20,4,20200231\n1,20,3,20210113\n")
    with pytest.raises(mfviz.DataError, match=r"unreadable timestamp.*line 3.*20200231"):
        load_interactions(tmp_path / "r.csv")


@pytest.mark.parametrize("written", [["2020", "2019", "2021"], ["44196", "44100", "44000"]])
def test_numbers_that_as_seconds_all_fall_in_1970_are_a_warning(tmp_path, written):
    stamps, _ = _load(tmp_path, written)
    assert stamps == {k: int(w) for k, w in enumerate(written)}  # kept as given, but said
    report = load_interactions(tmp_path / "r.csv").report
    assert len(report.warnings) == 1 and "falls in 1970" in report.warnings[0]
    assert report.warnings[0] in report.lines()


def test_unix_seconds_and_guessed_orders_are_warned_of_only_when_a_guess(tmp_path):
    _load(tmp_path, ["1600000000", "1600000100"])
    assert not load_interactions(tmp_path / "r.csv").report.warnings
    _load(tmp_path, ["03/04/2020", "05/06/2020"])
    assert "read either way" in load_interactions(tmp_path / "r.csv").report.warnings[0]


@pytest.mark.parametrize(("written", "expected"), [
    ("Mon Feb 04 21:57:11 -0700 2013", dt.datetime(2013, 2, 5, 4, 57, 11)),  # Goodreads, in UTC
    ("09 13, 2009", dt.datetime(2009, 9, 13)),  # Amazon's reviewTime
    ("Tue, 15 Nov 1994 08:12:31 +0000", dt.datetime(1994, 11, 15, 8, 12, 31)),  # RFC 2822
    ("10/Oct/2000:13:55:36 -0700", dt.datetime(2000, 10, 10, 20, 55, 36)),  # a web server's log
])
def test_dates_in_formats_pandas_does_not_infer_are_read_with_their_format(tmp_path, written, expected):
    # parsed one by one before (17 s for 80,000 Goodreads dates, 0.9 s now)
    stamps, _ = _load(tmp_path, [written] * 3)
    assert set(stamps.values()) == {_seconds(expected)}
    # a format for the whole column, pandas' guess or ours: no date parsed on its own
    assert guess_datetime_format(written) is not None or known_date_format(pd.Series([written]), False) is not None
    assert known_date_format(pd.Series(["2013-02-04 21:57"]), day_first=False) is None  # pandas infers that


def test_iso_dates_among_day_first_dates_keep_their_order(tmp_path):
    # pandas asked for day first read ISO 2020-03-12 as 3 December
    stamps, notes = _load(tmp_path, ["13/02/2020", "2020-03-12", "2020-04-03T10:00:00+02:00", "01/02/2021"])
    assert stamps == {0: _seconds(dt.datetime(2020, 2, 13)), 1: _seconds(dt.datetime(2020, 3, 12)),
                      2: _seconds(dt.datetime(2020, 4, 3, 8, 0)), 3: _seconds(dt.datetime(2021, 2, 1))}
    assert "written day first" in notes[0]


def test_iso_dates_after_a_time_among_day_first_dates_keep_their_order(tmp_path):
    # the time first: not taken for ISO, so pandas asked for day first read 2020-03-12 as 3 December
    stamps, notes = _load(tmp_path, ["10:00 13/02/2020", "9:30 2020-03-12", "23:15:00 2020-04-03", "01/02/2021"])
    assert stamps == {0: _seconds(dt.datetime(2020, 2, 13, 10)), 1: _seconds(dt.datetime(2020, 3, 12, 9, 30)),
                      2: _seconds(dt.datetime(2020, 4, 3, 23, 15)), 3: _seconds(dt.datetime(2021, 2, 1))}
    assert "written day first" in notes[0]


def test_a_late_value_in_a_yyyymmdd_column_is_told_to_be_written_so(tmp_path):
    (tmp_path / "r.csv").write_text("user,item,rating,date\n1,10,5,20201231\n2,20,4,2020-12-30\n1,20,3,20210113\n")
    with pytest.raises(mfviz.DataError, match=r"value '2020-12-30'\. The column's dates are written YYYYMMDD"):
        load_interactions(tmp_path / "r.csv")


def test_a_later_part_written_the_other_way_round_is_warned_of(tmp_path):
    # day first (13/01) in the first chunks, month first (01/13) only much later: "written day first", no warning
    written = [f"{d:02d}/01/2020" for d in np.repeat(np.arange(1, 29), 7000)] + ["01/13/2021", "02/14/2021"]
    stamps, notes = _load(tmp_path, written)
    assert (tmp_path / "r.csv").stat().st_size > 2 * delimited.CHUNK_BYTES  # the other way round chunks later
    assert stamps[0] == _seconds(dt.datetime(2020, 1, 1)) and stamps[len(written) - 1] == _seconds(dt.datetime(2021, 2, 14))
    report = load_interactions(tmp_path / "r.csv").report
    assert len(report.warnings) == 1 and "written day first (13/01/2020), but later in the file also the other way " \
        in report.warnings[0] and "01/13/2021)" in report.warnings[0]
