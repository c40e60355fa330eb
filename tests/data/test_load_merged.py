"""The load report on merged duplicate rows: the values and times the models get, not the file's rows."""

import io

import numpy as np

from mfviz import load_interactions
from mfviz.dashboard.svg_charts import timeline_chart
from mfviz.data.timeline import timeline

# u1 clicked item a three times (1, 27 and 3 clicks, in January, June and December): summed, 31 at December
CLICKS = ("user,item,clicks,ts\nu1,a,1,2024-01-05\nu1,a,27,2024-06-05\nu1,a,3,2024-12-05\n"
          "u2,a,2,2024-02-01\nu2,b,1,2024-03-01\nu1,b,1,2024-03-02\n")


def loaded(text: str = CLICKS, **overrides):
    return load_interactions(io.StringIO(text), **overrides)


def test_the_report_gives_the_range_of_the_summed_values_the_models_get():
    data = loaded()
    assert data.matrix.max() == 31  # 1 + 27 + 3
    lines = data.report.lines()
    merged = next(line for line in lines if line.startswith("Merged"))
    assert "Merged 2 duplicate (user, item) rows with policy 'sum': summed, the values the models get are now 1 to 31" \
        in merged
    # the file's range is still said, as the file's rows': 27 was the most in one row
    assert any("holds values from 1 to 27 in the file's rows" in line for line in lines)


def test_averaged_values_say_their_new_steps():
    text = "user,item,rating\n1,1,4\n1,1,5\n1,2,3\n2,1,5\n2,2,1\n"
    merged = next(line for line in loaded(text, duplicates="mean").report.lines() if line.startswith("Merged"))
    assert "averaged, the values the models get are now 1 to 5 in half steps" in merged  # 4.5


def test_large_merged_values_have_thousands_separators():
    rows = "".join(f"u1,a,{9_000 + k}\n" for k in range(30)) + "u1,b,1\nu2,a,1\n"
    merged = next(line for line in loaded("user,item,clicks\n" + rows).report.lines() if line.startswith("Merged"))
    assert "now 1 to 270,435" in merged  # 30 × 9,000 + (0 + … + 29); not 270435 nor 2.70435e+05
    data = loaded("user,item,clicks\n" + rows)
    assert data.summary().rating_histogram["value"].iloc[-1].endswith("–270,435")  # the histogram's bins too


def test_nothing_merged_says_no_merge():
    text = "user,item,rating\n1,1,4\n1,2,3\n2,1,5\n2,2,1\n"
    lines = loaded(text).report.lines()
    assert not any("Merged" in line or "in the file's rows" in line for line in lines)


def test_merged_pairs_keep_their_latest_timestamp_and_the_report_says_so():
    data = loaded()
    latest = data.timestamps[data.matrix.indptr[0]]  # u1's first column: a
    assert latest == np.datetime64("2024-12-05", "s").astype(np.int64)
    merged = next(line for line in data.report.lines() if line.startswith("Merged"))
    assert "Each merged pair keeps its latest timestamp" in merged
    # without timestamps nothing is said of them
    no_time = loaded(CLICKS.replace(",ts\n", "\n").replace(",2024-01-05", "").replace(",2024-06-05", "")
                     .replace(",2024-12-05", "").replace(",2024-02-01", "").replace(",2024-03-01", "")
                     .replace(",2024-03-02", ""))
    assert no_time.timestamps is None
    assert not any("timestamp" in line for line in no_time.report.lines())


def test_the_timeline_says_it_shows_last_touches_after_a_merge():
    data = loaded()
    line = timeline(data.timestamps)
    plain, merged = timeline_chart(line), timeline_chart(line, merged=data.report.duplicates_merged)
    assert plain.title.startswith("When the interactions happened")
    assert merged.title.startswith("When each user–item pair was last active")
    assert "2 duplicate rows were merged at load, each user–item pair keeping its latest timestamp" in merged.caption


def test_policy_last_says_by_timestamp_or_by_the_files_order():
    # without timestamps "the latest row's value kept" read as a time the file does not have
    by_time = loaded("user,item,rating,timestamp\n1,1,5,10\n1,1,3,5\n2,1,4,3\n2,2,1,4\n3,2,2,6\n")
    assert by_time.matrix[0, 0] == 5  # the latest by time, though the file's first row of the pair
    assert "the latest row's value (by its timestamp) kept" in by_time.report.merge_words()
    by_order = loaded("user,item,rating\n1,1,5\n1,1,3\n2,1,4\n2,2,1\n3,2,2\n")
    assert by_order.matrix[0, 0] == 3
    assert "the value of the pair's last row in the file kept" in by_order.report.merge_words()
