"""What an accessibility review measured, kept measured: models told apart by more than colour, with colours that
stay apart under simulated colour-vision deficiency; text contrast by WCAG 2's formula; a visible keyboard focus;
server-drawn charts whose text never shrinks."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from mfviz.dashboard import figures, svg_charts, train_figures, ui
from mfviz.dashboard.figures import contrast_ratio, text_shade

WHITE, SIDEBAR = "#ffffff", "#f8f8f7"  # the page's and Streamlit's sidebar's backgrounds

# ------------------------------------------------------------------ colour vision, simulated
# Machado, Oliveira & Fernandes (2009), severity 1: dichromacy, applied to linear sRGB (as colorspacious does)
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65 = np.array([0.95047, 1.0, 1.08883])


def seen(colour: str, vision: str) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour as seen with `vision`: "normal" or one of MACHADO's."""
    channels = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    if vision != "normal":
        linear = np.clip(np.array(MACHADO[vision]) @ linear, 0, 1)
    f = SRGB_TO_XYZ @ linear / D65
    f = np.where(f > (6 / 29) ** 3, np.cbrt(f), f / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(first: np.ndarray, second: np.ndarray) -> float:
    """The CIEDE2000 colour difference of two CIELAB colours (Sharma, Wu & Dalal 2005); about 2.3 is just
    noticeable side by side, lines on a chart want several times that."""
    (l1, a1, b1), (l2, a2, b2) = first, second
    mean_c = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(mean_c**7 / (mean_c**7 + 25**7)))
    a1, a2 = a1 * (1 + g), a2 * (1 + g)
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    big_dh = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    mean_l, mean_c = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    else:
        mean_h = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(mean_h - 30)) + 0.24 * np.cos(np.radians(2 * mean_h))
         + 0.32 * np.cos(np.radians(3 * mean_h + 6)) - 0.20 * np.cos(np.radians(4 * mean_h - 63)))
    rotation = -np.sin(np.radians(60 * np.exp(-(((mean_h - 275) / 25) ** 2)))) * 2 * np.sqrt(
        mean_c**7 / (mean_c**7 + 25**7))
    sl = 1 + 0.015 * (mean_l - 50) ** 2 / np.sqrt(20 + (mean_l - 50) ** 2)
    sc, sh = 1 + 0.045 * mean_c, 1 + 0.015 * mean_c * t
    dl, dc, dh_ = (l2 - l1) / sl, (c2 - c1) / sc, big_dh / sh
    return float(np.sqrt(dl**2 + dc**2 + dh_**2 + rotation * dc * dh_))


def least_difference(colours: list[str], vision: str) -> float:
    return min(ciede2000(seen(a, vision), seen(b, vision)) for a, b in itertools.combinations(colours, 2))


def test_the_colour_difference_is_computed_right():
    # Sharma, Wu & Dalal's test data (pairs 1 and 2), and the review's worst pairs measured by this method
    assert ciede2000(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000(np.array([50, -1.3802, -84.2814]), np.array([50, 0, -82.7485])) == pytest.approx(1.0, abs=1e-4)
    assert ciede2000(seen("#ffffff", "protanopia"), seen("#ffffff", "normal")) < 0.5  # white stays white
    assert least_difference(["#17a398", figures.BASELINE_COLOUR], "protanopia") < 2  # teal and grey, before
    assert least_difference(["#ffb703", "#8ac926"], "protanopia") < 1  # amber and green, before


@pytest.mark.parametrize("vision, least", [("normal", 10), ("protanopia", 6), ("deuteranopia", 6), ("tritanopia", 6)])
def test_sixteen_models_and_the_baseline_keep_apart_in_colour_under_each_vision(vision, least):
    # before: 2.4 (normal), 0.2 (protanopia), 2.2 (deuteranopia), 2.1 (tritanopia) by this measure
    colours = [*figures.MODEL_PALETTE, figures.BASELINE_COLOUR]
    assert len(set(colours)) == 17
    assert least_difference(colours, vision) >= least


def test_the_first_eight_models_get_okabe_and_itos_colours():
    okabe_ito = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}
    assert set(figures.MODEL_PALETTE[:8]) == okabe_ito


def test_the_maps_twelve_genre_colours_blur_under_deuteranopia_and_its_highlight_colours_do_not():
    from mfviz.dashboard import map_colours, map_highlight

    pairs = [(a, b) for a, b in itertools.combinations(map_colours.GROUP_PALETTE, 2)
             if ciede2000(seen(a, "deuteranopia"), seen(b, "deuteranopia")) < 10]
    assert len(pairs) == 6  # why the map offers to highlight a genre: six pairs of its colours read alike
    # the highlighted genres' colours, the grey behind them and the search matches' near-black
    colours = [*map_highlight.HIGHLIGHT_COLOURS, map_highlight.BEHIND_COLOUR, map_highlight.SEARCH_COLOUR]
    least = {vision: least_difference(colours, vision) for vision in ("normal", "protanopia", "deuteranopia",
                                                                      "tritanopia")}
    assert min(least.values()) >= 12 and least["deuteranopia"] >= 20, least
    assert all(contrast_ratio(colour, WHITE) >= 3 for colour in map_highlight.HIGHLIGHT_COLOURS)  # graphics: 3:1
    assert len(set(map_highlight.HIGHLIGHT_SYMBOLS)) == len(map_highlight.HIGHLIGHT_COLOURS)  # and shapes apart


# ------------------------------------------------------------------ more than colour
def test_each_model_has_its_own_dash_and_symbol_and_the_baselines_are_its_own():
    names = [f"m{k}" for k in range(40)]
    figures.use_model_order(names)
    try:
        marks = figures.model_marks(["Popularity", *names])
    finally:
        figures.use_model_order(())
    styles = [(marks[n].dash, marks[n].symbol) for n in names]
    assert len(set(styles)) == 40
    assert len({marks[n].colour for n in names[:16]}) == 16
    baseline = marks["Popularity"]
    assert baseline == figures.BASELINE_MARK
    assert all(marks[n].dash != baseline.dash and marks[n].symbol != baseline.symbol and
               marks[n].pattern != baseline.pattern and marks[n].colour != baseline.colour for n in names)


MODELS = ["Implicit ALS (quick default)", "Implicit ALS (f=16)", "Implicit ALS (f=32)", "Implicit ALS (f=64)",
          "Funk SVD"]


def served_tables(models: list[str]) -> tuple[dict, pd.DataFrame]:
    rng = np.random.default_rng(0)
    tables = {name: pd.DataFrame({"group": list("abc"), "users": 40, "median": [10.0, 40.0, 160.0],
                                  "ndcg@10": rng.uniform(0.2, 0.6, 3), "ndcg@10 se": 0.01}) for name in models}
    return tables, tables[models[0]].assign(**{"ndcg@10": [0.1, 0.2, 0.3]})


def lines_and_points(fig) -> list[tuple]:
    return [(t.name, t.line.color, t.line.dash, t.marker.symbol) for t in fig.data]


def test_the_three_charts_the_review_named_tell_models_apart_by_dash_and_symbol_or_pattern():
    tables, baseline = served_tables(MODELS)
    activity = train_figures.activity_chart(tables, baseline, "ndcg@10", "NDCG@10").figure
    drawn = lines_and_points(activity)
    assert [name for name, *_ in drawn] == [*MODELS, "Popularity (baseline)"]
    assert len({(dash, symbol) for _, _, dash, symbol in drawn}) == len(drawn)  # each line its own
    assert len({dash for _, _, dash, _ in drawn}) == len(drawn) and len({s for *_, s in drawn}) == len(drawn)
    assert drawn[-1][1:] == (figures.BASELINE_COLOUR, "dash", "diamond")

    rng = np.random.default_rng(1)
    counts = {name: rng.zipf(1.5, 300) for name in ["Popularity", *MODELS]}
    lorenz = figures.recommendation_lorenz(counts).figure
    curves = [t for t in lorenz.data if t.name != "perfectly even"]
    assert len({t.line.dash for t in curves}) == len(curves) == 6
    assert len({t.marker.symbol for t in curves}) == 6
    for trace in curves:  # the symbol drawn at a few points of each curve, where the curves lie apart
        assert 1 <= np.count_nonzero(trace.marker.size) <= len(figures.LORENZ_MARKS) < len(trace.x)
    assert lorenz.layout.legend.itemsizing == "constant"  # and shown in the legend

    groups = pd.DataFrame({"group": ["niche", "blockbuster"], "lift": [0.2, 0.5]})
    lift = figures.group_lift_chart({name: groups for name in ["Popularity", *MODELS]}).figure
    patterns = [t.marker.pattern.shape for t in lift.data]
    assert len(set(patterns)) == 6 and all(t.marker.pattern.fillmode == "overlay" for t in lift.data)


def test_a_model_keeps_its_dash_and_symbol_from_chart_to_chart():
    figures.use_model_order(MODELS)
    try:
        tables, baseline = served_tables(MODELS)
        every = lines_and_points(train_figures.activity_chart(tables, baseline, "ndcg@10", "NDCG@10").figure)
        tables, baseline = served_tables(MODELS[2:4])
        some = lines_and_points(train_figures.activity_chart(tables, baseline, "ndcg@10", "NDCG@10").figure)
    finally:
        figures.use_model_order(())
    assert some[:2] == every[2:4]


def test_with_room_on_the_right_each_line_is_named_at_its_end_in_a_readable_shade():
    tables, baseline = served_tables(MODELS[:2])
    for name in MODELS[:2]:  # lines ending at the same height: their names are pushed apart, not written over
        tables[name].loc[2, "ndcg@10"] = 0.5
    chart = train_figures.activity_chart(tables, baseline, "ndcg@10", "NDCG@10").figure
    labels = {a.text: a for a in chart.layout.annotations}
    assert set(labels) == {*MODELS[:2], "Popularity (baseline)"}
    assert all(a.x == pytest.approx(np.log10(160.0)) and a.xanchor == "left" for a in labels.values())
    first, second = (labels[name] for name in MODELS[:2])
    assert abs(first.yshift - second.yshift) >= figures.END_LABEL_GAP
    assert all(contrast_ratio(a.font.color, WHITE) >= 4.5 for a in labels.values())
    assert chart.layout.margin.r >= 7 * len(MODELS[0])  # room for the longest name
    # four lines and more: the legend takes the right, and no names are written there
    tables, baseline = served_tables(MODELS)
    crowded = train_figures.activity_chart(tables, baseline, "ndcg@10", "NDCG@10").figure
    assert not crowded.layout.annotations and crowded.layout.legend.orientation == "v"


# ------------------------------------------------------------------ side by side

def test_how_many_lists_hold_an_item_is_said_in_words_as_well_as_by_its_shade():
    # The shades were the only cue (1.21:1 and 1.09:1 against white, accessibility review): words say it too
    from mfviz.dashboard.compared_lists import PARTLY_SHADE, SHARED_SHADE, list_cues, shared_shades

    a, b, c = np.array([1, 2, 3, 4]), np.array([2, 3, 9, 8]), np.array([3, 7, 6, 5])
    assert list_cues({"a": a, "b": b}) == {"a": ["", "both", "both", ""], "b": ["both", "both", "", ""]}
    assert list_cues({"a": a, "b": b, "c": c}) == {"a": ["", "2 of 3", "all 3", ""], "b": ["2 of 3", "all 3", "", ""],
                                                   "c": ["all 3", "", "", ""]}
    four = list_cues({"a": a, "b": b, "c": c, "d": np.array([2, 3, 4, 10])})
    assert four["a"] == ["", "3 of 4", "all 4", "2 of 4"] and four["d"][3] == ""
    # words and shades agree: every shaded row has words, every unshaded row none
    for lists in ({"a": a, "b": b}, {"a": a, "b": b, "c": c}):
        shades, cues = shared_shades(lists), list_cues(lists)
        for name in lists:
            assert [bool(s) for s in shades[name]] == [bool(w) for w in cues[name]]
            assert all((s == SHARED_SHADE) == w.startswith(("both", "all")) for s, w in zip(shades[name], cues[name],
                                                                                          strict=True) if w)
    # the shades can be seen against the white rows, and told apart; the table's text reads on them (AAA)
    shared, partly = (shade.split(": ")[1] for shade in (SHARED_SHADE, PARTLY_SHADE))
    assert contrast_ratio(partly, "#ffffff") >= 1.3 and contrast_ratio(shared, partly) >= 1.2
    assert min(contrast_ratio("#31333f", shared), contrast_ratio("#31333f", partly)) >= 7  # Streamlit's text


# ------------------------------------------------------------------ contrast
def test_contrast_ratio_is_wcags():
    assert contrast_ratio("#000000", WHITE) == pytest.approx(21)
    assert contrast_ratio("#808495", WHITE) == pytest.approx(3.72, abs=0.01)  # the review's Plotly grey
    assert contrast_ratio(WHITE, "#777777") == contrast_ratio("#777777", WHITE) == pytest.approx(4.48, abs=0.01)


def test_text_in_a_lines_colour_is_a_darker_shade_of_it_that_reads():
    shade = text_shade("#e4572e")  # 3.68:1, the review's long-tail text and the loss chart's right axis
    assert 4.5 <= contrast_ratio(shade, WHITE) < 4.7  # no darker than needed
    ratios = np.array([int(shade[i:i + 2], 16) for i in (1, 3, 5)]) / np.array([0xe4, 0x57, 0x2e])
    assert np.ptp(ratios) < 0.03  # the same hue, darker
    assert text_shade("#0072b2") == "#0072b2"  # already 5.2:1
    for colour in figures.MODEL_PALETTE:
        assert contrast_ratio(text_shade(colour), WHITE) >= 4.5


def test_the_page_style_darkens_captions_and_rings_the_keyboard_focus():
    for background in (WHITE, SIDEBAR):
        assert contrast_ratio(ui.CAPTION_COLOUR, background) >= 4.5  # was 3.89 and 3.81
        assert contrast_ratio(ui.FOCUS_COLOUR, background) >= 3  # non-text contrast, was 1.12 and 1.16
    style = ui.PAGE_STYLE
    assert re.search(r"\[data-testid='stCaptionContainer'\]\{color:" + ui.CAPTION_COLOUR + ";opacity:1\\}", style)
    assert ":focus-visible:not(input,textarea)" in style and f"outline:2px solid {ui.FOCUS_COLOUR}" in style
    assert "label:has(input:focus-visible)" in style  # a checkbox's and a toggle's input is hidden


def test_chart_text_reads_on_white():
    assert contrast_ratio(figures.CHART_TEXT, WHITE) >= 4.5
    assert contrast_ratio(svg_charts.MUTED, WHITE) >= 4.5 and contrast_ratio(svg_charts.TEXT, WHITE) >= 4.5
    tables, baseline = served_tables(MODELS)
    fig = train_figures.activity_chart(tables, baseline, "ndcg@10", "NDCG@10").figure
    assert fig.layout.legend.font.color == figures.CHART_TEXT
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.tickfont.color == axis.title.font.color == figures.CHART_TEXT
    # a second axis added after the layout (the sweep's fit time) too; the loss chart's in its line's shade
    sweep = train_figures.sweep_chart("factors", [8, 16], [0.1, 0.2], [1.0, 2.0], "ndcg@10").figure
    assert sweep.layout.yaxis2.tickfont.color == figures.CHART_TEXT
    loss = train_figures.loss_curve([(1, 3.0, 0.1, 0.2), (2, 2.0, 0.2, 0.3)], "m", "NDCG@10").figure
    assert loss.layout.yaxis2.tickfont.color == loss.layout.yaxis2.title.font.color == text_shade("#e4572e")
    assert loss.data[1].line.color == "#e4572e"  # the line keeps its colour
    # the long tail's words about the head
    root = ET.fromstring(svg_charts.long_tail(np.array([80, 10, 5, 5])).markup)
    head = next(t for t in root.iter("{http://www.w3.org/2000/svg}text") if "head" in "".join(t.itertext()))
    assert contrast_ratio(head.get("fill"), WHITE) >= 4.5


# ------------------------------------------------------------------ text that zooms
def test_server_drawn_charts_are_never_drawn_narrower_than_their_own_width():
    rng = np.random.default_rng(2)
    charts = [svg_charts.rating_histogram(pd.DataFrame({"value": [1.0, 2.0], "count": [3, 1]}), True),
              svg_charts.long_tail(rng.zipf(1.5, 200)), svg_charts.activity_histogram(rng.integers(1, 90, 300)),
              svg_charts.dimension_strip(["1 (40%)"], [("a", "b")], {"this item": np.array([20.0])}, "X", "Why.")]
    for chart in charts:
        root = ET.fromstring(chart.markup)
        width = float(root.get("viewBox").split()[2])
        style = dict(part.split(":") for part in root.get("style").split(";"))
        assert style["min-width"] == f"{width:g}px" and float(style["max-width"][:-2]) > width
        assert root.get("font-size") == str(svg_charts.FONT)  # so text is never under FONT px
    # at 1,280 px with the sidebar open the Data page's columns are 402 and 820 px: they fit without scrolling
    assert svg_charts.HALF_WIDTH <= 402 and svg_charts.FULL_WIDTH <= 820
