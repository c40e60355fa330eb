"""The Data page's server-drawn SVG charts: well-formed markup, bars and lines where the numbers put
them (hand-computed and brute force), tooltips with the numbers, escaped text."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from mfviz.dashboard import svg_charts
from mfviz.dashboard.svg_charts import (
    FULL_WIDTH,
    HALF_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
)

NS = "{http://www.w3.org/2000/svg}"


def parse(chart: svg_charts.SvgChart) -> ET.Element:
    assert "\n" not in chart.markup  # Streamlit's Markdown would break the element at a blank line
    root = ET.fromstring(chart.markup)
    assert root.tag == f"{NS}svg" and root.get("class") == "mfviz-chart"
    assert root.get("aria-label") == chart.title
    assert chart.caption.endswith(".") and len(chart.caption.split()) >= 8
    return root


def bars(root: ET.Element) -> list[tuple[float, float, str]]:
    """(x, height, tooltip) of every bar, left to right."""
    return [(float(r.get("x")), float(r.get("height")), r.find(f"{NS}title").text) for r in root.iter(f"{NS}rect")]


@pytest.mark.parametrize("high, expected", [(34_174, [0, 10_000, 20_000, 30_000, 40_000]),
                                            (100, [0, 20, 40, 60, 80, 100]), (7, [0, 2, 4, 6, 8]),
                                            (12, [0, 2.5, 5, 7.5, 10, 12.5]), (0, [0, 1])])
def test_nice_ticks_cover_the_data_at_a_round_step(high, expected):
    assert svg_charts.nice_ticks(high).tolist() == expected


@pytest.mark.parametrize("value, text", [(35_000, "35k"), (2_500, "2.5k"), (1_250, "1.25k"),
                                         (1_200_000, "1.2M"), (0.5, "0.5"), (0, "0"), (40, "40")])
def test_tick_labels_are_short(value, text):
    assert svg_charts.short_number(value) == text


def test_rating_bars_are_as_tall_as_their_counts():
    chart = svg_charts.rating_histogram(pd.DataFrame({"value": [1.0, 2.0, 5.0], "count": [3, 1, 9]}), True)
    root = parse(chart)
    drawn = bars(root)
    # y axis 0..10 (ticks of 2) over a plot 300 - 52 - 50 = 198 px high
    plot_height = 300 - MARGIN_TOP - MARGIN_BOTTOM
    assert [round(h, 1) for _, h, _ in drawn] == [round(c / 10 * plot_height, 1) for c in (3, 1, 9)]
    assert [x for x, _, _ in drawn] == sorted(x for x, _, _ in drawn)
    assert [tip for _, _, tip in drawn] == ["1: 3 interactions (23.1%)", "2: 1 interaction (7.7%)",
                                           "5: 9 interactions (69.2%)"]
    labels = [t.text for t in root.iter(f"{NS}text")]
    assert {"1", "2", "5", "rating (stars)", "interactions (count)", "How users rate"} <= set(labels)
    # the caption from the numbers: 9 of 13 at 5 (69%), all 9 above the scale's middle 3
    assert chart.caption == ("The most common rating is 5 (69% of ratings); 69% are above the middle of the scale: "
                             "people mostly rate what they liked, so missing entries are not random.")


def test_histogram_captions_say_what_the_numbers_show():
    low = svg_charts.rating_histogram(pd.DataFrame({"value": [1.0, 2.0, 3.0, 4.0, 5.0],
                                                    "count": [40, 30, 10, 10, 10]}), True)
    assert low.caption == "The most common rating is 1 (40% of ratings); 20% are above the middle of the scale."
    # half above the middle is no "mostly" (a share that read 50% was said to be what people mostly do)
    half = svg_charts.rating_histogram(pd.DataFrame({"value": [1.0, 2.0, 3.0, 4.0, 5.0],
                                                     "count": [20, 15, 14, 26, 25]}), True)
    assert half.caption == "The most common rating is 4 (26% of ratings); 51% are above the middle of the scale."
    ones = svg_charts.rating_histogram(pd.DataFrame({"value": ["1"], "count": [55_375]}), False)  # binarised
    assert ones.caption.startswith("Every interaction has the value 1") and "tail" not in ones.caption
    counts = svg_charts.rating_histogram(pd.DataFrame({"value": ["1–2", "2–5", "5–40"], "count": [70, 20, 10]}), False)
    assert counts.caption.startswith("Implicit feedback: 70% of the values are in the lowest bin (1–2)")


def test_implicit_bins_are_labelled_and_text_is_escaped():
    chart = svg_charts.rating_histogram(pd.DataFrame({"value": ["1–2", "<3&4>"], "count": [3, 1]}), False)
    root = parse(chart)  # parses: the label's <, & and > are escaped
    assert "<3&4>" in [t.text for t in root.iter(f"{NS}text")]
    assert "&lt;3&amp;4&gt;" in chart.markup
    assert bars(root)[1][2] == "<3&4>: 1 interaction (25.0%)"


def test_labels_wider_than_their_bars_are_slanted_with_room_below():
    short = parse(svg_charts.rating_histogram(pd.DataFrame({"value": [1.0, 2.0], "count": [3, 1]}), True))
    assert not any(t.get("transform") for t in short.iter(f"{NS}text") if t.text in ("1", "2"))
    bins = [f"{10 * k}–{10 * k + 9}" for k in range(12)]
    root = parse(svg_charts.rating_histogram(pd.DataFrame({"value": bins, "count": range(1, 13)}), False))
    slanted = [t for t in root.iter(f"{NS}text") if t.text in bins]
    assert len(slanted) == 12 and all(t.get("transform", "").startswith("rotate(-35") for t in slanted)
    # the plot ends higher up than with upright labels: room for the slanted ones above the axis title
    def axis_y(svg):  # where the bars stand, one value per chart (1 decimal in the markup)
        return {round(float(r.get("y")) + float(r.get("height")), 1) for r in svg.iter(f"{NS}rect")}

    longest = max(len(b) for b in bins) * svg_charts.CHAR_WIDTH
    assert axis_y(short) == {300 - MARGIN_BOTTOM}
    (stands,) = axis_y(root)
    assert stands == pytest.approx(300 - MARGIN_BOTTOM - 0.57 * longest, abs=0.11)


def test_the_long_tail_marks_the_head_where_the_counts_put_it():
    chart = svg_charts.long_tail(np.array([80, 10, 5, 5]), head_share=0.5)
    root = parse(chart)
    # one item of four carries 80% >= 50%: the head is 25% of the catalogue
    assert "top 25.0% of items" in chart.caption
    plot_left, plot_right = MARGIN_LEFT, HALF_WIDTH - MARGIN_RIGHT
    head_x = plot_left + 0.25 * (plot_right - plot_left)
    dashed = [line for line in root.iter(f"{NS}line") if line.get("x1") == line.get("x2") != None]  # noqa: E711
    assert any(abs(float(line.get("x1")) - head_x) < 0.06 for line in dashed)
    said = [" ".join(t.itertext()) for t in root.iter(f"{NS}text")]  # on two lines
    assert "head (left of the dashed line): 25.0% of items = 50% of interactions" in said


def test_the_long_tail_caption_shares_add_up_to_a_hundred():
    # 20 of 1,480 items (1.35%) carry the head: shown "1.4%" and "the other 98.7%" before (100.1%)
    popularity = np.r_[np.full(20, 19), np.ones(1460)]  # the 20 carry 380 of 1,840: just past 20%
    caption = svg_charts.long_tail(popularity).caption
    assert "top 1.4% of items" in caption and "the other 98.6% form the long tail" in caption


def test_long_tail_tooltips_agree_with_brute_force():
    rng = np.random.default_rng(3)
    popularity = rng.zipf(1.6, 737).clip(max=10_000)
    root = parse(svg_charts.long_tail(popularity))
    ranked = np.sort(popularity)[::-1]
    tips = [c.find(f"{NS}title").text for c in root.iter(f"{NS}circle")]
    assert len(tips) == 9
    for share, tip in zip(range(10, 100, 10), tips, strict=True):
        top = math.ceil(share / 100 * len(ranked))
        assert tip == f"top {share}% of items carry {ranked[:top].sum() / ranked.sum() * 100:.1f}% of interactions"
    curve = next(root.iter(f"{NS}polyline")).get("points").split()
    assert len(curve) <= 200
    first, last = (tuple(map(float, p.split(","))) for p in (curve[0], curve[-1]))
    assert first == (MARGIN_LEFT, 300 - MARGIN_BOTTOM)  # 0% of items carry 0%
    assert last == (HALF_WIDTH - MARGIN_RIGHT, MARGIN_TOP)  # all items carry 100%


def test_activity_bins_count_every_user_once():
    rng = np.random.default_rng(5)
    activity = rng.integers(20, 700, 943)
    drawn = bars(parse(svg_charts.activity_histogram(activity)))
    assert len(drawn) == 50
    users = [int(tip.split(": ")[1].split()[0].replace(",", "")) for _, _, tip in drawn]
    assert sum(users) == 943
    assert users == np.histogram(activity, bins=np.linspace(activity.min(), activity.max(), 51))[0].tolist()


def test_a_narrow_activity_range_gets_whole_number_bins():
    drawn = bars(parse(svg_charts.activity_histogram(np.array([1, 1, 2, 5]))))
    assert [tip for _, _, tip in drawn] == ["1 interaction: 2 users", "2 interactions: 1 user",
                                           "3 interactions: 0 users", "4 interactions: 0 users",
                                           "5 interactions: 1 user"]
    assert drawn[2][1] == 0  # an empty bin is a bar of no height


def test_empty_data_still_gives_a_chart():
    parse(svg_charts.long_tail(np.array([])))
    parse(svg_charts.activity_histogram(np.array([])))
    parse(svg_charts.rating_histogram(pd.DataFrame({"value": [], "count": []}), True))


def test_places_on_the_dimensions_are_marks_on_tracks_between_the_named_ends():
    from mfviz.dashboard.svg_charts import STRIP_LABEL, dimension_strip

    chart = dimension_strip(["1 (40%)", "2 (9%)"], [("rare items", "popular items"), ("Horror", "Romance " * 30)],
                            {"this item": np.array([0.0, 100.0]), "its neighbours (mean)": np.array([50.0, 25.0])},
                            "“X” on the model's 2 strongest dimensions", "Where X and its neighbours sit on the two dimensions.", width=1040)
    svg = chart.markup
    parse(chart)  # well-formed, on one line
    assert "− rare items</text>" in svg and "popular items +</text>" in svg and "− Horror</text>" in svg
    assert "Romance Romance" in svg and "…" in svg  # a long end name is cut, not run into the other
    left, right = STRIP_LABEL, 1040 - 16
    circles = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]  # the first series' marks
    assert circles[1:] == [left, right]  # 0 at the − end (left), 100 at the + end (right); the first: legend
    diamonds = re.findall(r'<polygon points="([\d.]+),', svg)  # the second series' top vertices: x of the mark
    assert [float(x) for x in diamonds[1:]] == [left + (right - left) / 2, left + (right - left) / 4]
    assert "<title>its neighbours (mean): 25 on dimension 2 (9%)" in svg


def test_a_strip_leaves_out_a_place_it_does_not_have_and_fits_a_long_title():
    from mfviz.dashboard.svg_charts import dimension_strip

    title = "“" + "The Englishman Who Went Up a Hill But Came Down a Mountain (1995) " * 2 + "” on 2 dimensions"
    chart = dimension_strip(["1 (40%)", "2 (9%)"], [("a", "b"), ("c", "d")],
                            {"this item": np.array([10.0, np.nan])}, title, "Where the item sits on the two strongest dimensions.")
    parse(chart)
    assert "nan" not in chart.markup and chart.markup.count("<circle") == 1 + 1  # the legend's and dimension 1's
    shown = re.search(r'font-weight="600" fill="[^"]+">([^<]+)<title>', chart.markup).group(1)
    assert shown.endswith("…") and len(shown) * 0.6 * 15 <= FULL_WIDTH  # cut to the picture's width, whole on hover


def test_a_strips_legend_names_each_series_by_its_own_mark_and_each_dimension_has_its_own_track():
    from mfviz.dashboard.svg_charts import STRIP_ROW, dimension_strip

    series = {"this item": np.array([10.0, 20.0, 30.0]), "its cosine neighbours (mean)": np.array([40.0, 50.0, 60.0]),
              "its dot neighbours (mean)": np.array([70.0, 80.0, 90.0])}
    chart = dimension_strip(["1 (40%)", "2 (9%)", "3 (5%)"], [("a", "b"), ("c", "d"), ("e", "f")], series,
                            "An item and its neighbours on 3 dimensions", "Where the item and its neighbours sit on each of them.")
    root = parse(chart)
    marks = [(element.tag.removeprefix(NS), element.find(f"{NS}title").text, element)
             for element in root if element.tag in (f"{NS}circle", f"{NS}polygon", f"{NS}rect")]
    legend_texts = {element.text: float(element.get("x")) for element in root.iter(f"{NS}text") if element.text in series}
    # the legend names every series once, the first leftmost, each beside a mark of the shape its places have
    assert sorted(legend_texts, key=legend_texts.get) == list(series)
    for name in series:
        legend = [tag for tag, tip, _ in marks if tip == name]
        placed = {tag for tag, tip, _ in marks if tip.startswith(f"{name}: ")}
        assert len(legend) == 1 and placed == set(legend), name
    assert len({tag for tag, tip, _ in marks if tip in series}) == 3  # three series, three shapes
    # one track per dimension, one under the other, each series' mark on its own dimension's track
    height = float(root.get("viewBox").split()[3])
    rows = [float(element.get("cy")) for tag, tip, element in marks if tag == "circle" and tip.startswith("this item: ")]
    assert len(rows) == 3 and np.allclose(np.diff(rows), STRIP_ROW) and 0 < rows[0] and rows[-1] < height
    for row, (dimension, y) in enumerate(zip(["1 (40%)", "2 (9%)", "3 (5%)"], rows, strict=True)):
        tips = [tip for tag, tip, element in marks if tag == "circle" and element.get("cy") == f"{y:.1f}"]
        assert tips == [f"this item: {10 * (row + 1)} on dimension {dimension} (0 = far at the − end, 50 = the middle, "
                        "100 = far at the + end)"]


def test_the_activity_caption_separates_thousands():
    # "the most active 14692" read as a code, not a count
    chart = svg_charts.activity_histogram(np.array([3, 5, 14_692]))
    assert "Median user has 5 interactions, the most active 14,692;" in chart.caption
