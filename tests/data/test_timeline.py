"""The data's timeline: first and last date, counts per day, month or year, and timestamps far from the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ML100K

from mfviz import load_interactions
from mfviz.data.timeline import span_words, timeline
from mfviz.kernels.timeline import count_per_day, count_per_day_reference


def seconds(*dates: str) -> np.ndarray:
    return np.array([pd.Timestamp(d).value // 10**9 for d in dates], np.int64)


def test_the_kernel_counts_as_the_reference_does_before_1970_too():
    stamps = np.random.default_rng(0).integers(-5 * 86_400 * 365, 86_400 * 365, 10_000)
    first, last = int(stamps.min()) // 86_400, int(stamps.max()) // 86_400
    expected = count_per_day_reference(stamps, first, last - first + 1)
    assert np.array_equal(count_per_day(stamps, first, last - first + 1), expected)
    assert expected.sum() == stamps.size and expected[0] > 0 and expected[-1] > 0


def test_months_from_first_to_last_with_the_empty_ones():
    line = timeline(seconds("2020-01-31 23:59:59", "2020-02-01 00:00:00", "2020-02-29 12:00", "2020-04-15",
                            "2020-06-01 08:00"))
    assert line.period == "month"  # 122 days: too many for one bar a day
    assert line.counts["start"].dt.strftime("%Y-%m").tolist() == ["2020-01", "2020-02", "2020-03", "2020-04",
                                                                  "2020-05", "2020-06"]
    assert line.counts["count"].tolist() == [1, 2, 0, 1, 0, 1]
    assert (line.first, line.last) == (pd.Timestamp("2020-01-31 23:59:59"), pd.Timestamp("2020-06-01 08:00"))
    assert line.busiest == (pd.Timestamp("2020-02-01"), 2) and not line.stray_before and not line.stray_after
    assert span_words(line) == ("From 2020-01-31 to 2020-06-01 (4 months); the busiest month, 2020-02, holds 2 "
                                "interactions (40%).")


def test_a_short_span_is_counted_per_day():
    line = timeline(seconds("2021-03-01 10:00", "2021-03-01 23:00", "2021-03-03 01:00"))
    assert line.period == "day" and line.counts["count"].tolist() == [2, 0, 1]
    assert span_words(line).startswith("From 2021-03-01 to 2021-03-03 (3 days); the busiest day, 2021-03-01, holds 2")


def test_a_few_timestamps_far_from_the_rest_are_named_as_a_likely_wrong_clock():
    rng = np.random.default_rng(1)
    bulk = seconds("2019-01-01")[0] + rng.integers(0, 2 * 365 * 86_400, 5_000)
    line = timeline(np.r_[bulk, 0, 5, seconds("2031-07-04")])  # a device reset to 1970, a typed year
    assert (line.stray_before, line.stray_after, line.period) == (2, 1, "year")
    said = span_words(line)
    assert "2 more than a year before the rest (from 1970-01-01)" in said
    assert "1 more than a year after the rest (up to 2031-07-04)" in said and "a wrong clock?" in said
    assert f"The rest lie between {line.bulk_first:%Y-%m-%d}" in said and line.bulk_first.year == 2019


def test_movielens_100k_timeline_matches_pandas():
    if not (ML100K / "u.data").exists():
        pytest.skip("MovieLens 100K is not in ../shared/datasets")
    data = load_interactions(ML100K / "u.data")
    line = timeline(data.timestamps)
    months = pd.to_datetime(data.timestamps, unit="s").to_period("M").value_counts().sort_index()
    assert line.counts["count"].tolist() == months.tolist() and line.period == "month"
    assert span_words(line) == ("From 1997-09-20 to 1998-04-22 (7 months); the busiest month, 1997-11, holds "
                                f"{months.max():,} interactions (24%).")


def test_no_timestamps_no_timeline():
    assert timeline(np.zeros(0, np.int64)) is None
