"""Plotly figure builders: each returns a Chart — a figure with title and axis labels (units
included) and the one sentence shown under it saying what to look at. No Streamlit here."""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mfviz.dashboard import labels

PALETTE = ["#3266cc", "#e4572e", "#17a398", "#f3a712", "#8e5ea2", "#6c757d", "#29335c", "#a8c256"]
COSINE_COLOUR, DOT_COLOUR = "#3266cc", "#e4572e"
# Axis titles, tick labels and legends: Streamlit's chart theme writes them in #808495, 3.7:1 on white, under
# WCAG AA's 4.5:1 for text; this is that grey darkened (5.1:1).
# Set on every figure (apply_layout), with the words on it (annotations, points' names) and its title (Streamlit's
# text colour, as its chart theme has it).
CHART_TEXT, CHART_TITLE = "#6a6e7c", "#31333f"
WEBGL_ABOVE = 5_000  # points; beyond, WebGL (scattergl). Below, SVG draws faster than WebGL starts up (e2e on
# MovieLens 100K: Latent space revisit 2.4 -> 1.2 s in headless Chromium without a GPU)


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour "#rrggbb": 0 for black, 1 for white."""
    channels = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two colours, 1 (the same) to 21 (black on white): text wants 4.5 or more, the
    parts of a chart one must see 3."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@functools.cache
def text_shade(colour: str, background: str = "#ffffff", ratio: float = 4.5) -> str:
    """`colour` darkened (towards black, its hue kept) just enough for text in it to read on `background` (WCAG AA,
    4.5:1); `colour` itself when it already does. For words written in a line's colour: #e4572e, 3.7:1 on white,
    becomes #cb4d29."""
    channels = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], np.float64)
    for share in np.arange(100, -1, -1) / 100:
        shade = "#" + "".join(f"{round(c * share):02x}" for c in channels)
        if contrast_ratio(shade, background) >= ratio:
            return shade
    return "#000000"


def slug(text: str, most: int = 32) -> str:
    """A name safe in any file system and short: "Implicit ALS (f=32) (quick default)" →
    "implicit-als-f-32-quick-default" (lower-case letters and digits joined by "-", at most `most`
    characters, cut at a "-" where one is near); "+" is written "p", so that "SVD++ (f=20)" is "svdpp-f-20", not
    "svd-f-20", a Truncated SVD's name."""
    words = re.sub(r"[^0-9a-z]+", "-", str(text).lower().replace("+", "p")).strip("-")
    if len(words) > most:
        cut = words[:most + 1].rfind("-")
        words = words[:cut if cut >= most // 2 else most].strip("-")
    return words


def file_name(stem: str, extension: str, *names: str | None) -> str:
    """A download's file name with the data's and the model's names in it, so that files of several
    models or datasets do not overwrite each other in Downloads: ("latent_pca", "csv", "MovieLens 100K
    (u.data)", "SVD (f=32)") → "latent_pca_movielens-100k-u-data_svd-f-32.csv"."""
    parts = [re.sub(r"[^0-9a-z_-]+", "-", stem.lower()).strip("-")] + [slug(name) for name in names if name]
    return "_".join(part for part in parts if part) + f".{extension}"


def export_config(figure: go.Figure, *names: str | None) -> dict:
    """Plotly config for the camera button: the chart at twice its size on screen (its layout kept; at
    scale 1 a map drawn 940 × 560 px was blurred on a slide; ui.show's default), and a file name from
    the chart's title instead of "newplot.png" for every chart, with `names` (the data's, the model's) after it."""
    title = re.sub(r"<[^>]+>", " ", str(figure.layout.title.text or "chart"))
    name = re.sub(r"[^0-9a-z]+", "-", title.lower()).strip("-")[:80] or "chart"
    return {"toImageButtonOptions": {"format": "png", "scale": 2,
                                     "filename": file_name(f"mfviz-{name}", "png", *names)[:-4]}}


def column_decimals(values, digits: int = 3) -> int:
    """One count of decimals for a whole column, enough for `digits` significant digits of its largest value
    (at most 8; `digits` for a column without a value above 0)."""
    values = np.abs(np.asarray(values, np.float64))
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return digits
    return int(min(max(digits - 1 - np.floor(np.log10(values.max())), 0), 8))


def fixed_decimals(values, digits: int = 3, sign: bool = False) -> str:
    """A number format for a whole column with `column_decimals`: dot products 0.066, 0.057, 0.0522 read as
    0.0660, 0.0570, 0.0522 (each number its own 3 significant digits mixed the decimals in one list); cosines
    0.929, 0.769; tens 12.4. `sign`: a + before positive numbers."""
    return f"%{'+' if sign else ''}.{column_decimals(values, digits)}f"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """"1 item", "1,682 items": a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


@dataclass(frozen=True)
class Chart:
    figure: go.Figure
    caption: str
    trace_items: tuple = ()  # item indices of each trace's points, to map a selection back to items


def rise(before: float, after: float) -> str:
    """"71% to 74%": two shares as percentages, with a decimal when whole ones would read alike for
    different shares (a coverage moving 15.6% → 16.0% read "from 16% to 16%" under "raises")."""
    first, second = percent(before), percent(after)
    if first == second and before != after:
        first, second = f"{before:.1%}", f"{after:.1%}"
    return f"{first} to {second}"


def percent(share: float) -> str:
    """A share as a percentage that never reads 0% or 100% unless it is: 99.7% of items in the long tail
    read "100%", hiding that a head exists (one decimal near the ends, none elsewhere)."""
    whole = f"{share:.0%}"
    if whole not in ("0%", "100%") or not 0 < share < 1:
        return whole
    tenth = f"{share:.1%}"
    return {"0.0%": "<0.1%", "100.0%": ">99.9%"}.get(tenth, tenth)


def log_ticks(*arrays) -> dict:
    """Tick settings for a log axis over the given values: plain numbers at 1-2-5 steps (1 only
    beyond four decades). Plotly's own log ticks label the steps between powers of ten with bare
    digits ("… 5 6 7 100 2 3 …"), which reads as nonsense outside the first decade."""
    values = np.concatenate([np.asarray(a, float).ravel() for a in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return {}
    low, high = values.min(), values.max()
    steps = (1,) if high / low > 1e4 else (1, 2, 5)
    ticks = [m * 10.0**e for e in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
             for m in steps if low / 1.05 <= m * 10.0**e <= high * 1.05]
    if len(ticks) < 2:  # within one 1-2-5 step: the two ends
        ticks = [float(f"{low:.2g}"), float(f"{high:.2g}")]
    return dict(type="log", tickmode="array", tickvals=ticks, ticktext=[f"{t:,.6g}" for t in ticks])


def curve_points(x: np.ndarray, y: np.ndarray, points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """At most `points` evenly spaced points of a smooth curve, first and last kept, rounded to
    0.01: the chart looks the same and its payload is a fraction (sent on every page run)."""
    keep = np.unique(np.linspace(0, len(x) - 1, min(points, len(x))).round().astype(np.int64)) if len(x) else []
    return np.round(np.asarray(x, float)[keep], 2), np.round(np.asarray(y, float)[keep], 2)


@functools.cache
def _template() -> go.layout.Template:
    """plotly_white's layout part only, built once. Assigning the full named template validates
    and copies every trace type's defaults on each figure (30-150 ms a chart on this machine);
    this one takes ~6 ms and looks the same for the traces used here."""
    import plotly.io as pio

    return go.layout.Template(layout=pio.templates["plotly_white"].layout)


# Room (px) for tick labels and axis titles. Plotly's default auto-margin grows a margin that is too
# small and then draws the whole figure a second time; in headless Chromium without a GPU that second
# pass was 30-60% of a chart's drawing time. Margins that already fit mean one pass.
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_RIGHT = 80, 70, 50, 24  # right: half a tick label
COLORBAR_ROOM = 110  # px right of the plot for a colour bar with its title


def legend_room(names) -> int:
    """Pixels right of the plot for a vertical legend of these entry names (symbol and gaps, then
    ~6.5 px a character at Streamlit's legend font); a little generous, so Plotly need not widen it."""
    longest = max((len(str(n)) for n in names), default=0)
    return int(70 + 6.5 * longest)


def legend_title(fig: go.Figure, title: str) -> None:
    """Give a vertical legend on the right this title, widening the right margin to hold it: the margin
    was sized for the entries (legend_room), and a longer title was cut at the figure's edge in the
    saved PNG ("genre (its least commor"). A title has no symbol before it: ~6.5 px a character and the
    legend's gap from the plot."""
    fig.update_layout(legend_title_text=title)
    room = int(30 + 6.5 * len(title))
    if (fig.layout.margin.r or 0) < room:
        fig.update_layout(margin_r=room)


def apply_layout(fig: go.Figure, title: str, x: str, y: str, height: int = 380, legend: str = "top",
            **kwargs) -> go.Figure:
    """Title, axis labels and a legend that never covers the title: one row at the top right for
    two or three entries, a column on the right for more, or `inside` the top left corner of the
    plot (for charts whose data never go there). Margins are set to fit (see MARGIN_LEFT)."""
    placement = {"top": dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
                 "right": dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.02),
                 "inside": dict(orientation="v", yanchor="top", y=0.98, xanchor="left", x=0.02,
                                bgcolor="rgba(255,255,255,0.85)")}[legend]
    right = MARGIN_RIGHT
    if legend == "right":
        shown = [t.name for t in fig.data if t.showlegend is not False and t.name]
        if len(shown) > 1 or any(t.showlegend for t in fig.data):
            right = legend_room(shown)
    if any(getattr(getattr(t, "marker", None), "showscale", False) for t in fig.data):
        right = max(right, COLORBAR_ROOM)
    margin = dict(l=MARGIN_LEFT, r=right, t=MARGIN_TOP, b=MARGIN_BOTTOM) | kwargs.pop("margin", {})
    fig.update_layout(title=dict(text=title, x=0.0, xanchor="left", font_color=CHART_TITLE), xaxis_title=x,
                      yaxis_title=y, height=height, margin=margin, template=_template(), font_color=CHART_TEXT,
                      legend=placement | dict(font_color=CHART_TEXT), **kwargs)
    muted_text(fig)
    return fig


def muted_text(fig: go.Figure) -> None:
    """CHART_TEXT for the tick labels and titles of the figure's axes and colour bars that have no colour of their
    own (a second axis drawn in its line's colour keeps it). On the figure, not its template: Streamlit's chart
    theme replaces the template's font colours with its own, too light."""
    scenes = [axis for scene in fig.select_scenes() for axis in (scene.xaxis, scene.yaxis, scene.zaxis)]
    bars = [trace.colorbar for trace in fig.data if "colorbar" in trace]  # a heatmap's
    bars += [trace.marker.colorbar for trace in fig.data if "marker" in trace and trace.marker.showscale]
    for part in (*fig.select_xaxes(), *fig.select_yaxes(), *scenes, *bars):
        if part.tickfont.color is None:
            part.tickfont.color = CHART_TEXT
        if part.title.font.color is None:
            part.title.font.color = CHART_TEXT


# ------------------------------------------------------------------------------ Neighbours
def neighbour_popularity(cosine: pd.DataFrame, dot: pd.DataFrame, title: str) -> Chart:
    fig = go.Figure()
    for frame, name, colour in ((cosine, "cosine", COSINE_COLOUR), (dot, "dot product", DOT_COLOUR)):
        fig.add_trace(go.Bar(x=frame["rank"], y=frame["popularity"], name=name, marker_color=colour,
                             customdata=frame["title"].astype(str),
                             hovertemplate="%{customdata}: popularity %{y:,}<extra>" + name + "</extra>"))
    apply_layout(fig, f"Popularity of the neighbours of “{title}”", "neighbour rank (1 = closest)",
            labels.POPULARITY_AXIS, height=340, barmode="group")
    caption = ("Red bars above blue ones mean the dot-product list leans towards popular items. "
               + length_lean(cosine["popularity"].mean(), dot["popularity"].mean(), "neighbour"))
    return Chart(fig, caption)


SAME_POPULARITY = 0.05  # lists whose mean popularities differ by less than this share are "about as popular"


def length_lean(cosine_mean: float, dot_mean: float, what: str) -> str:
    """Which way leaving out vector length (cosine instead of dot product) moved the `what` ("neighbour",
    "recommendation") lists, in words from their mean popularity: long vectors usually belong to popular
    items, but not in every model nor for every item or user, so the sentence follows the numbers."""
    means = f"(mean popularity, cosine: {cosine_mean:,.0f} interactions, dot product: {dot_mean:,.0f})"
    if dot_mean > cosine_mean * (1 + SAME_POPULARITY):
        return (f"Here the dot-product {what}s are the more popular {means}: dot product rewards long vectors, "
                "and here those belong to popular items.")
    if cosine_mean > dot_mean * (1 + SAME_POPULARITY):
        return (f"Here the cosine {what}s are the more popular {means}: among these items the long vectors that "
                "dot product rewards belong to less popular ones, so leaving length out does not favour rare items "
                "here.")
    return f"Here both {what} lists are about as popular {means}: vector length changes which items, not how popular."


def agreement_histogram(agreement: dict[str, pd.DataFrame], k: int, model: str) -> Chart:
    """How many of an item's k cosine neighbours another model shares: items per count, per model."""
    marks = model_marks([model, *agreement])
    fig = go.Figure()
    for name, frame in agreement.items():
        counts = np.bincount(frame["shared"].to_numpy(np.int64), minlength=k + 1)
        fig.add_trace(go.Bar(x=np.arange(k + 1), y=100 * counts / max(counts.sum(), 1), name=name,
                             marker=bar_marker(marks[name]),
                             hovertemplate="%{x} shared: %{y:.1f}% of the items<extra>" + name + "</extra>"))
    apply_layout(fig, f"Cosine neighbours {model} shares with the other models", f"neighbours shared (of {k})",
            "items (% of those sampled)", height=320, barmode="group")
    fig.update_xaxes(dtick=1)
    caption = (f"For each of up to 1,000 items, the number of its {k} cosine neighbours in {model} that are also "
               f"among its {k} in the other model. Bars on the right: the models learned the same neighbourhoods; on "
               "the left: their neighbours differ, and any single list is one model's view (two seeds of one model "
               "show how much of that is chance).")
    return Chart(fig, caption)


# log2 of a ratio → how people say it: the bars sit at log2, so 2× is as far right of 1× as ½× is left of it
RATIO_TICKS = {-3: "⅛×", -2: "¼×", -1: "½×", 0: "1×", 1: "2×", 2: "4×", 3: "8×", 4: "16×", 5: "32×", 6: "64×"}


def popularity_ratio_histogram(per_item: pd.DataFrame, ratio_column: str) -> Chart:
    """Items counted by how many times more popular their dot-product neighbours are than their cosine
    ones, on a log scale labelled in plain ratios (½×, 1×, 2×, 4×), not log2."""
    ratios = pd.to_numeric(per_item[ratio_column], errors="coerce").replace([np.inf, -np.inf], np.nan).dropna()
    values = np.log2(ratios.clip(lower=1e-3))
    fig = go.Figure(go.Histogram(x=values, nbinsx=40, marker_color=DOT_COLOUR,
                                 hovertemplate="%{y:,} items in this bar<extra></extra>"))
    fig.add_vline(x=0, line_dash="dash", line_color="#555", annotation_text="equally popular")
    apply_layout(fig, "How much more popular dot-product neighbours are, over many items",
                 "how many times more popular the dot list is than the cosine list (log scale)", "items (count)",
                 height=320)
    low, high = (np.floor(values.min()), np.ceil(values.max())) if len(values) else (0, 0)
    ticks = [t for t in RATIO_TICKS if low - 1 <= t <= high + 1] or [0]
    fig.update_xaxes(tickmode="array", tickvals=ticks, ticktext=[RATIO_TICKS[t] for t in ticks])
    share = float((values > 0).mean()) if len(values) else 0.0
    median = ""
    if len(values):  # the typical item's ratio, marked: the card above divides the mean popularities of all lists,
        # which the most popular neighbours weigh (ML-100K implicit ALS: 2.1× there, 2.9× the median item here)
        middle = float(np.median(ratios))
        fig.add_vline(x=float(np.log2(max(middle, 1e-3))), line_dash="dot", line_color="#222",
                      annotation_text=f"median {middle:.2g}×", annotation_position="top right")
        median = (f" The typical item's dot list is {middle:.2g}× as popular as its cosine list (the median, dotted); "
                  "the card above divides the lists' mean popularities instead, which the most popular weigh most.")
    caption = (f"Each bar counts items by how much more popular their dot-product neighbours are than their cosine "
               f"neighbours: 2× means twice as popular, ½× half as popular. Right of the dashed line (1×, equally "
               f"popular): {share:.0%} of the sampled items, whose dot lists lean popular.{median} Bars far right are "
               "what cosine similarity saves a user from.")
    return Chart(fig, caption)


# ------------------------------------------------------------------------------ Spectrum
def data_spectrum_chart(singular_values: np.ndarray, cumulative_energy: np.ndarray, k_for: dict,
                        null_values: np.ndarray | None = None) -> Chart:
    """The data's singular values and cumulative energy; with `null_values`, those of the same
    interactions shuffled (grey, dashed) for comparison."""
    ks = np.arange(1, len(singular_values) + 1)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ks, y=singular_values, mode="lines", name="singular value",
                             line=dict(color=PALETTE[0], width=2), yaxis="y",
                             hovertemplate="σ%{x} = %{y:.4g}<extra></extra>"))
    if null_values is not None:
        fig.add_trace(go.Scatter(x=np.arange(1, len(null_values) + 1), y=null_values, mode="lines",
                                 name="same data, items shuffled", line=dict(color=BASELINE_COLOUR, width=2, dash="dash"),
                                 yaxis="y", hovertemplate="shuffled: σ%{x} = %{y:.4g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=ks, y=np.asarray(cumulative_energy) * 100, mode="lines", name="cumulative energy",
                             line=dict(color=PALETTE[1], width=2), yaxis="y2",
                             hovertemplate="first %{x} components: %{y:.1f}% of energy<extra></extra>"))
    for share, k in sorted(k_for.items()):
        if k:
            fig.add_vline(x=k, line_dash="dot", line_color="#777", annotation_text=f"{float(share):.0%}: k={k}")
    apply_layout(fig, "Spectrum of the interaction matrix", "component k (rank)", "singular value σk (log scale)",
            height=420, margin=dict(r=80))  # room for the right-hand energy axis
    fig.update_layout(yaxis=log_ticks(singular_values, *(() if null_values is None else (null_values,))),
                      yaxis2=dict(title="cumulative energy (% of ‖R‖²)", overlaying="y", side="right",
                                  type="linear", range=[0, 100], tickmode="linear", tick0=0, dtick=20,
                                  showgrid=False))
    muted_text(fig)  # the energy axis, added after apply_layout
    reached = ", ".join(f"{float(s):.0%} at k={k}" for s, k in sorted(k_for.items()) if k)
    caption = ("A few large singular values followed by a slow decay means a low-rank model captures the "
               "broad taste structure, and the tail is noise or niche taste. Energy reached: "
               + (reached or "none of 50/80/90% within the computed components") + ".")
    return Chart(fig, caption)


# σk/σ1 below this is numerically nothing: a model of a few strong directions and the rest ~0 (a rank-2 score matrix
# in 16 factors, or vectors shrunk to zero by regularization) drew its tail at 1e-7 and squeezed every other curve of
# the log axis into its top tenth (stakeholder demo). Such points are drawn on a floor just below the other values
# (`spectrum_floor`), their true values in the hover.
SPECTRUM_FLOOR = 1e-3


def spectrum_floor(curves) -> float:
    """Where a collapsed curve's values are drawn: a 1-2-5 step at most half the lowest value of the curves that did
    not collapse (none of their values under SPECTRUM_FLOOR), so that they keep the axis' height; never below
    SPECTRUM_FLOOR (and at it when every curve collapsed)."""
    healthy = [np.asarray(c, float).ravel() for c in curves]
    healthy = [c for c in healthy if c.size and c.min() >= SPECTRUM_FLOOR]
    kept = np.concatenate(healthy) if healthy else np.zeros(0)
    if not kept.size:
        return SPECTRUM_FLOOR
    half = kept.min() / 2
    power = 10.0 ** np.floor(np.log10(half))
    return float(max(SPECTRUM_FLOOR, max(m * power for m in (1, 2, 5) if m * power <= half)))


def model_spectra_chart(spectra: dict[str, np.ndarray], data_values: np.ndarray | None = None) -> Chart:
    """Each model's singular values over its first, on a log axis; a model whose values fall below SPECTRUM_FLOOR
    has them drawn on a floor under the other curves (`spectrum_floor`, open markers) and is named in the caption."""
    fig = go.Figure()
    if data_values is not None and len(data_values):
        fig.add_trace(go.Scatter(x=np.arange(1, len(data_values) + 1), y=data_values / data_values[0],
                                 mode="lines", name="data", line=dict(color="#999", dash="dot", width=2)))
    marks = model_marks(list(spectra))
    scaled_spectra = {name: np.asarray(values, float) / float(values[0]) for name, values in spectra.items()
                      if len(values) and values[0] > 0}
    curves = [*scaled_spectra.values(), *([data_values / data_values[0]] if data_values is not None
                                          and len(data_values) and data_values[0] > 0 else [])]
    collapsed = any((c < SPECTRUM_FLOOR).any() for c in scaled_spectra.values())
    floor = spectrum_floor(curves) if collapsed else 0.0
    clamped = {}  # model -> (the first rank drawn on the floor, its lowest σk/σ1)
    for name, scaled in scaled_spectra.items():
        low = scaled < floor
        if low.any():
            clamped[name] = int(np.argmax(low)) + 1, float(scaled.min())
        fig.add_trace(go.Scatter(x=np.arange(1, len(scaled) + 1), y=np.maximum(scaled, floor),
                                 mode="lines+markers", name=name, customdata=scaled,
                                 hovertemplate=f"{name}: σ%{{x}} / σ1 = %{{customdata:.3g}}<extra></extra>",
                                 marker=dict(size=6, symbol=[marks[name].symbol + ("-open" if cut else "")
                                                             for cut in low]),
                                 line=dict(color=marks[name].colour, dash=marks[name].dash)))
    apply_layout(fig, "Spectra of the models' score matrices (P Qᵀ), scaled to σ1 = 1", "component k (rank)",
            "σk / σ1 (log scale, unitless)", height=420, legend="top" if len(spectra) <= 2 else "right")
    fig.update_yaxes(**log_ticks(*(trace.y for trace in fig.data)))
    if clamped:
        fig.add_hline(y=floor, line=dict(color="#999", width=1, dash="dot"))
        fig.update_yaxes(range=[np.log10(floor) - 0.1, 0.1])
    caption = ("A flat curve spreads the model's signal over many directions; a steep one puts it in a "
               "few (often popularity). Regularization shrinks the tail: compare each model with the data. The "
               "dotted data curve is of all the interactions, a model's of the part it was trained on (the rest of its "
               "split, e.g. 80% of them with a 20% test share: a thinner matrix, whose spectrum falls more slowly, so a "
               "Truncated SVD can lie above it); the models' item biases are not part of P Qᵀ.")
    if clamped:
        caption += (" Clamped at σk/σ1 = " + f"{floor:g}" + " (open markers on the dotted floor, true values in the "
                    "hover), so that the other curves keep their height: "
                    + "; ".join(f"{name} from k = {rank} on (down to {lowest:.1g})" for name, (rank, lowest)
                                in clamped.items())
                    + f". Below {SPECTRUM_FLOOR:g} a direction is numerically nothing: such a score matrix has fewer "
                    "directions than factors (regularization shrank the rest to zero).")
    return Chart(fig, caption)


# ------------------------------------------------------------------------------ Popularity bias
BASELINE_COLOUR = "#9e9e9e"  # the Popularity baseline's alone: no model is grey

# One colour per model, told apart with any colour vision. First Okabe & Ito's eight, reordered so that the first
# models get those with the most contrast on white (their yellow, 1.3:1, last); then eight picked one at a time, each
# the sRGB colour (on a 0x22 grid, 3:1 or more on white, not greyish) farthest in CAM02-UCS from those before and the
# baseline grey, under normal vision and simulated protan-, deutan- and tritanopia (Machado et al. 2009). Least
# ΔE′ between two of the 16 and the grey: normal 14.1, protanopia 11.2, deuteranopia 6.8 (reddish purple against the
# grey), tritanopia 11.0; the palette before, 2.6, 0.2, 2.3 and 2.4 (teal against teal, amber against green).
MODEL_PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442",
                 "#662200", "#002266", "#884466", "#0022cc", "#aa2244", "#aa6644", "#cc00ee", "#cc0000"]
# ... and its own line dash and marker symbol (bars: fill pattern), so that colour is never the only cue. The
# baseline's are left out of the models' (see BASELINE_MARK): "the grey dashed line" stays the baseline.
MODEL_DASHES = ("solid", "dot", "dashdot", "longdash", "longdashdot")
MODEL_SYMBOLS = ("circle", "square", "triangle-up", "x", "triangle-down", "star", "cross", "pentagon")
MODEL_PATTERNS = ("", "/", "\\", "x", "-", "|", "+")


@dataclass(frozen=True)
class ModelMark:
    """How a model is drawn on every chart that shows several: its colour, line dash, marker symbol and bar
    fill pattern (Plotly's names)."""

    colour: str
    dash: str
    symbol: str
    pattern: str


BASELINE_MARK = ModelMark(BASELINE_COLOUR, "dash", "diamond", ".")
_MODEL_ORDER: ContextVar[tuple] = ContextVar("mfviz_model_order", default=())


def use_model_order(names) -> None:
    """The session's models in the order they were added (app.py sets it before every page run), so
    `model_colours` gives each model the same colour on every chart, whichever of them a chart shows."""
    _MODEL_ORDER.set(tuple(str(n) for n in names))


def model_marks(names) -> dict[str, ModelMark]:
    """One ModelMark per model, the same on every chart (by its place among the session's models, see
    `use_model_order`; names it does not know follow them); the Popularity baseline's is BASELINE_MARK. No two of
    the first 16 models share a colour, nor two of the first 40 a dash and symbol."""
    order = [n for n in _MODEL_ORDER.get() if not n.startswith("Popularity")]
    place = {n: k for k, n in enumerate(order)}
    marks, extra = {}, len(order)
    for name in names:
        if str(name).startswith("Popularity"):
            marks[name] = BASELINE_MARK
            continue
        if str(name) not in place:
            place[str(name)], extra = extra, extra + 1
        k = place[str(name)]
        marks[name] = ModelMark(MODEL_PALETTE[k % len(MODEL_PALETTE)], MODEL_DASHES[k % len(MODEL_DASHES)],
                                MODEL_SYMBOLS[k % len(MODEL_SYMBOLS)], MODEL_PATTERNS[k % len(MODEL_PATTERNS)])
    return marks


def model_colours(names) -> dict[str, str]:
    """Each model's colour of `model_marks`; the Popularity baseline is grey."""
    return {name: mark.colour for name, mark in model_marks(names).items()}


def bar_marker(mark: ModelMark) -> dict:
    """A bar's marker for a model: its colour with its fill pattern drawn over it."""
    return dict(color=mark.colour, pattern=dict(shape=mark.pattern, fillmode="overlay", solidity=0.25))


LORENZ_MARKS = [20, 50, 80]  # % of the recommendations: where each Lorenz curve gets its model's symbol


def end_labels(fig: go.Figure, ends: list[tuple[str, float, float, str]], plot_height: float,
               low: float, high: float) -> None:
    """Each line's name written after its last point, in a shade of its colour that reads on white (`text_shade`):
    `ends` [(name, x, y, colour)] on a y axis from `low` to `high` drawn `plot_height` px tall. Names whose lines end
    close together are pushed apart to one text line each (the legend stays, for lines that cross)."""
    px = plot_height / ((high - low) or 1.0)  # px per unit of y
    placed: list[float] = []  # each name's height in px from the axis' foot, lowest first
    for name, x, y, colour in sorted(ends, key=lambda end: end[2]):
        at = (y - low) * px
        if placed and at < placed[-1] + END_LABEL_GAP:
            at = placed[-1] + END_LABEL_GAP
        placed.append(at)
        fig.add_annotation(x=x, y=y, text=name, showarrow=False, xanchor="left", xshift=8,
                           yshift=at - (y - low) * px, font=dict(color=text_shade(colour), size=12))


END_LABEL_GAP = 15  # px between the middles of two names at lines' ends: one line of 12 px text


BIAS_METRICS = {
    "arp": ("Mean popularity of the lists (ARP)", "mean popularity (interactions per item)",
            "Lower means the lists reach beyond the blockbusters; compare with the Popularity model, "
            "the most biased baseline."),
    "aplt": (f"{labels.LIST_TAIL} (APLT)", "long-tail items (% of each list)",
             "Higher is better for discovery: the share of recommended items from the long tail."),
    "coverage": ("Catalogue coverage", "catalogue covered (%)",
                 "Higher is better: how much of the catalogue appears in anyone's top-k at all."),
    "gini": ("Gini of recommendation counts (0 = even)", "Gini index (0 to 1)",
             "Lower is better: how unevenly the recommendations are spread over items."),
}


PERCENT_METRICS = ("aplt", "coverage")  # shares, shown in % in the bias table and on its charts alike
# Plotly's mode bar covers the top right of a chart on hover, where a half-width chart's title runs on;
# bars of a few models have nothing to zoom or pan, so their charts go without it.
NO_MODE_BAR = {"displayModeBar": False}


def bias_bars(table: pd.DataFrame, metric: str) -> Chart:
    """One bar per model (`table`: a row per model, as the Popularity bias page's table shows it, with
    the PERCENT_METRICS in %); drawn without a mode bar (NO_MODE_BAR)."""
    title, axis, caption = BIAS_METRICS[metric]
    colours = model_colours(table["model"])
    unit = "%" if metric in PERCENT_METRICS else ""
    fig = go.Figure(go.Bar(x=table["model"].astype(str), y=table[metric].astype(float),
                           marker_color=[colours[m] for m in table["model"]],
                           hovertemplate="%{x}: %{y:" + (".1f" if unit else ".3g") + "}" + unit + "<extra></extra>"))
    apply_layout(fig, title, "model", axis, height=320)
    return Chart(fig, caption)


def tradeoff_chart(curves: dict[str, pd.DataFrame], baseline: pd.DataFrame | None, k: int) -> Chart:
    """Held-out NDCG@k against the share of long-tail items in the lists, one curve per model as the
    popularity penalty β grows (β written at the points), and the Popularity baseline's point."""
    marks = model_marks(list(curves))
    ndcg = f"ndcg@{k}"
    fig = go.Figure()
    for name, curve in curves.items():
        mark = marks[name]
        fig.add_trace(go.Scatter(
            x=100 * curve["aplt"], y=curve[ndcg], mode="lines+markers+text", name=name,
            text=[f"β {b:g}" if b in (0.0, 0.1, 0.5, 1.0) else "" for b in curve["strength"]], textposition="top right",
            textfont=dict(size=12, color=text_shade(mark.colour)), line=dict(color=mark.colour, dash=mark.dash),
            marker=dict(symbol=mark.symbol, size=8),
            customdata=np.column_stack([curve["strength"], curve["arp"], 100 * curve["coverage"]]),
            hovertemplate=(f"<b>{name}</b><br>β %{{customdata[0]:g}}: NDCG@{k} %{{y:.3f}}, long tail in lists "
                           "%{x:.1f}%, mean popularity %{customdata[1]:.0f}, coverage %{customdata[2]:.1f}%"
                           "<extra></extra>")))
    if baseline is not None and len(baseline):
        fig.add_trace(go.Scatter(x=100 * baseline["aplt"], y=baseline[ndcg], mode="markers+text", name=labels.BASELINE,
                                 text=[labels.BASELINE], textposition="bottom right",
                                 marker=dict(size=11, color=BASELINE_COLOUR, symbol="diamond"),
                                 hovertemplate=f"Popularity: NDCG@{k} %{{y:.3f}}, long tail in lists %{{x:.1f}}%"
                                               "<extra></extra>"))
    apply_layout(fig, "What less popular lists cost in accuracy", f"{labels.LIST_TAIL.lower()} (APLT, %)",
            f"NDCG@{k} on the held-out interactions", height=440, legend="top")
    caption = ("Each curve starts at the model's own lists (β 0) and re-ranks them with a growing popularity "
               "penalty: to the right, more of the lists come from the long tail; down, fewer held-out "
               "interactions are found. A flat start means discovery comes cheap; a steep drop means the model's "
               "accuracy rests on the popular items.")
    return Chart(fig, caption)


# The baseline's lifts were 2.5 times the models' highest or more: its +330% on MovieLens 100K set the axis and
# flattened the models' bars (stakeholder demo). The axis then reaches this much past the models' own and the
# baseline's bars are cut at its end, their values written on them.
LIFT_CLIP_ABOVE, LIFT_ROOM = 2.5, 1.5
BAR_GAP = 0.2  # of a group's width, between groups (Plotly's default, set: the cut bars' labels are placed by it)
# A cut bar ended at the axis' top like any bar: the baseline's +195% and +124% (MovieLens 100K) stood barely above
# its uncut +75%, all three read as the same height. A white slanted gap across each cut bar (an axis break), below
# its written value, shows that it goes on; in fractions of the axis' span.
BREAK_BELOW, BREAK_THICK, BREAK_SLANT = 0.14, 0.035, 0.03


def lift_axis(lifts: dict[str, pd.DataFrame]) -> tuple[float, float] | None:
    """The lift axis' (low, high) that gives the models' bars their height when the Popularity baseline's dwarf
    them (see LIFT_CLIP_ABOVE), or None when every bar fits a shared axis."""
    models = [f["lift"].to_numpy(float) for name, f in lifts.items() if not str(name).startswith("Popularity")]
    baseline = [f["lift"].to_numpy(float) for name, f in lifts.items() if str(name).startswith("Popularity")]
    models = np.concatenate(models) if models else np.zeros(0)
    baseline = np.concatenate(baseline) if baseline else np.zeros(0)
    models, baseline = models[np.isfinite(models)], baseline[np.isfinite(baseline)]
    if not models.size or not baseline.size:
        return None
    reach = max(float(np.abs(models).max()), 0.05)  # at least ±5%: models near 0 need not zoom onto rounding
    if float(np.abs(baseline).max()) < LIFT_CLIP_ABOVE * reach:
        return None
    high = max(float(models.max()), 0.0) + (LIFT_ROOM - 1) * reach
    low = min(float(models.min()), 0.0) - ((LIFT_ROOM - 1) * reach if models.min() < 0 or baseline.min() < 0 else 0)
    return low, high


def group_lift_chart(lifts: dict[str, pd.DataFrame]) -> Chart:
    """Lift per user group, a bar per model; when the Popularity baseline's bars dwarf the models' (`lift_axis`),
    the axis is the models' and the baseline's bars are cut at its end with their values written on them."""
    fig = go.Figure()
    marks = model_marks(lifts)
    axis = lift_axis(lifts)
    cut = []  # (group place, trace place, true lift, drawn end) of the bars cut at the axis' end
    for place, (name, frame) in enumerate(lifts.items()):
        values = frame["lift"].to_numpy(float)
        drawn = values if axis is None else np.clip(values, *axis)
        cut += [(g, place, v, d) for g, (v, d) in enumerate(zip(values, drawn, strict=True)) if v != d]
        fig.add_trace(go.Bar(x=frame["group"].astype(str), y=drawn, name=name, marker=bar_marker(marks[name]),
                             customdata=values, hovertemplate="%{x}: lift %{customdata:+.0%}<extra>" + name + "</extra>"))
    fig.add_hline(y=0, line_color="#555")
    apply_layout(fig, "Popularity lift per user group", "user group (by how popular their history is)",
            "lift over own history (%)", height=380, barmode="group", margin=dict(l=95),  # "+100%" ticks
            legend="top" if len(lifts) <= 3 else "right", bargap=BAR_GAP)
    fig.update_yaxes(tickformat="+.0%")
    caption = ("Bars above zero mean a group gets recommendations more popular than what it actually "
               "consumes; good looks like small bars, especially for niche users, who lose most from bias.")
    if axis is not None:
        fig.update_yaxes(range=list(axis))
        width = (1 - BAR_GAP) / len(lifts)  # of a group's place on the category axis, per bar
        for group, place, value, drawn in cut:
            middle = group - (1 - BAR_GAP) / 2 + (place + 0.5) * width
            fig.add_annotation(x=middle, y=drawn,
                               yanchor="top" if drawn > 0 else "bottom", text=f"<b>{value:+.0%}</b>", showarrow=False,
                               bgcolor="rgba(255,255,255,0.9)", font=dict(color=CHART_TITLE, size=12))
            fig.add_shape(type="path", path=break_path(middle, width, drawn, axis), xref="x", yref="y",
                          fillcolor="white", line=dict(width=0), layer="above")
        names = sorted({list(lifts)[place] for _, place, _, _ in cut})
        caption += (f" The axis fits the models' bars: {' and '.join(names)}'s reach far beyond them and are cut at its "
                    "end (the white break across them: they are not drawn to scale), their lifts written on them (" + ", ".join(
                        f"{lifts[list(lifts)[place]]['group'].astype(str).iloc[group]} {value:+.0%}"
                        for group, place, value, _ in cut) + ").")
    return Chart(fig, caption)


def break_path(middle: float, width: float, end: float, axis: tuple[float, float]) -> str:
    """SVG path of a white slanted gap across a bar cut at `end` (its drawn end, at the axis' top or foot), a bar of
    `width` (category units) centred on `middle`: the axis break drawn on the bar, below its written value."""
    span = axis[1] - axis[0]
    sign = 1.0 if end > 0 else -1.0
    low = end - sign * BREAK_BELOW * span  # the gap's lower edge at the bar's left; it rises by BREAK_SLANT across
    left, right = middle - width / 2, middle + width / 2  # the bar's sides: its neighbours in the group touch it
    thick, slant = BREAK_THICK * span, BREAK_SLANT * span
    return (f"M {left:.4f},{low:.4f} L {right:.4f},{low + slant:.4f} L {right:.4f},{low + slant + thick:.4f} "
            f"L {left:.4f},{low + thick:.4f} Z")


def recommendation_lorenz(counts: dict[str, np.ndarray]) -> Chart:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 100], y=[0, 100], mode="lines", name="perfectly even",
                             line=dict(color="#999", dash="dot")))
    marks = model_marks(counts)
    for name, values in counts.items():
        values = np.sort(np.asarray(values, float))
        if values.sum() <= 0:
            continue
        share = np.cumsum(values) / values.sum() * 100
        x = np.arange(1, values.size + 1) / values.size * 100
        curve_x, curve_y = curve_points(x, share)
        # The curves meet at both ends, where a name would sit on the others': each is told by its dash and by its
        # symbol where it passes LORENZ_MARKS, where the curves lie furthest apart.
        sizes = np.zeros(len(curve_y))
        sizes[np.minimum(np.searchsorted(curve_y, LORENZ_MARKS), len(curve_y) - 1)] = 9
        fig.add_trace(go.Scatter(x=curve_x, y=curve_y, mode="lines+markers", name=name,
                                 line=dict(color=marks[name].colour, width=2, dash=marks[name].dash),
                                 marker=dict(symbol=marks[name].symbol, size=sizes, opacity=1)))
    apply_layout(fig, "Who gets recommended: Lorenz curve of recommendation counts",
            "items, least recommended first (% of catalogue)", "recommendations received (cumulative %)",
            height=400, legend="inside",  # above the diagonal, where no Lorenz curve goes
            legend_itemsizing="constant")  # the symbol in the legend, whatever the size of most points (0)
    caption = ("The closer a curve hugs the diagonal, the more evenly a model spreads its recommendations; "
               "a curve flat at zero for most of the width means most items are never recommended.")
    return Chart(fig, caption)


def norm_popularity(norms: np.ndarray, popularity: np.ndarray, label: str) -> Chart:
    norms = np.asarray(norms, float)
    popularity = np.asarray(popularity, float)
    scatter = go.Scattergl if norms.size > WEBGL_ABOVE else go.Scatter
    # the hover says the popularity itself, not the axis's popularity + 1
    fig = go.Figure(scatter(x=popularity + 1, y=norms, mode="markers", marker=dict(size=4, opacity=0.5,
                            color=PALETTE[0]), customdata=popularity,
                            hovertemplate="popularity %{customdata:,}, vector length %{y:.3g}<extra></extra>"))
    apply_layout(fig, f"Item vector length against popularity ({label})", "popularity + 1 (interactions, log scale)",
            "item vector length ‖qᵢ‖ (model units)", height=360)
    fig.update_xaxes(**log_ticks(popularity + 1))
    caption = ("An upward cloud means popular items get longer vectors, which is exactly what makes "
               "dot-product scores favour them.")
    return Chart(fig, caption)


# ------------------------------------------------------------------------------ Recommend page
NEW_ITEM_COLOUR = "#d62728"


def reach_chart(existing: pd.DataFrame, curve: pd.DataFrame, audience: int, n: int, label: str) -> Chart:
    """The share of the users without an item whose top-n holds it, against its interactions: the
    data's items (grey) and the new item's curve as its first users grow, its current audience starred."""
    fig = go.Figure()
    scatter = go.Scattergl if len(existing) > WEBGL_ABOVE else go.Scatter
    fig.add_trace(scatter(x=existing["popularity"] + 1, y=100 * existing["share"], mode="markers",
                          name="the data's items", marker=dict(size=4, opacity=0.45, color=BASELINE_COLOUR),
                          customdata=np.column_stack([existing["popularity"], existing["reached"]]),
                          hovertemplate="an item of popularity %{customdata[0]:,}: in %{customdata[1]:,.0f} "
                                        "users' lists (%{y:.1f}% of those without it)<extra></extra>"))
    fig.add_trace(go.Scatter(x=curve["audience"] + 1, y=100 * curve["share"], mode="lines+markers",
                             name="the new item", line=dict(color=NEW_ITEM_COLOUR),
                             customdata=np.column_stack([curve["audience"], curve["reached"]]),
                             hovertemplate="with %{customdata[0]:,} first users: in %{customdata[1]:,.0f} users' "
                                           "lists (%{y:.1f}% of those without it)<extra></extra>"))
    now = curve[curve["audience"] == audience]
    fig.add_trace(go.Scatter(x=now["audience"] + 1, y=100 * now["share"], mode="markers", name="its first users now",
                             marker=dict(size=16, symbol="star", color=NEW_ITEM_COLOUR, line=dict(color="white", width=1)),
                             hoverinfo="skip"))
    apply_layout(fig, f"Whose top {n} a new item enters, as its first users grow ({label})",
                 "popularity + 1 (interactions; for the new item, its first users; log scale)",
                 f"users with it in their top {n} (% of those without it)", height=400, legend="top")
    fig.update_xaxes(**log_ticks(existing["popularity"] + 1, curve["audience"] + 1))
    caption = (f"Grey: every item of the data, its popularity against the share of the users who do not have it "
               f"whose top {n} holds it. Red: the new item, folded in from its first 1, 2, 5, … users. Above the "
               "grey cloud, these first users carry it further than the data's items as popular go; below it, the "
               "item waits for more users first. Who the first users are counts as much as the model: an audience "
               "of enthusiasts spread over many tastes (the fans of a blockbuster, all rating it highly) reaches "
               "more users than an item's real, mixed audience would.")
    return Chart(fig, caption)
