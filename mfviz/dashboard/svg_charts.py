"""Charts drawn on the server as inline SVG: the Data page's, so that the first page needs no chart library
(Plotly's 4.7 MB bundle takes 1-2 s to evaluate in a browser on a 2-core machine, more than the rest of the page),
and places on a model's dimensions. Hover shows each bar's or point's numbers (the browser's own tooltip). No
Streamlit here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

from mfviz.dashboard.figures import PALETTE, curve_points, text_shade
from mfviz.data.interactions import long_tail_split
from mfviz.data.scale import rating_scale

# plotly_white's colours, so the pages look alike; its muted grey (#6b7a90, 4.4:1 on white) a little darker, 5.0:1
TEXT, MUTED, GRID = "#2a3f5f", "#627084", "#e5ebf3"
FONT = 13  # px in the chart's own coordinates
# The charts' own widths (px), at which their text is FONT px: the Data page's half and whole columns at 1,280 px
# with the sidebar open (402 and 820 px). A chart is never drawn narrower, so its text never shrinks below FONT
# (in a narrower column or zoomed in, its column scrolls sideways: ui.show_svg); in a wider one it grows by at most
# GROWTH.
HALF_WIDTH, FULL_WIDTH, GROWTH = 390, 800, 4 / 3
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 18, 52, 50
CHAR_WIDTH = 0.6 * FONT  # px of an average character of the page's sans-serif font, for fitting labels


@dataclass(frozen=True)
class SvgChart:
    markup: str  # one <svg> element
    caption: str  # the sentence shown under it
    title: str


def nice_step(span: float, target: int = 5) -> float:
    """The round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` into about `target` parts."""
    raw = span / target
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))


def nice_ticks(high: float, target: int = 5) -> np.ndarray:
    """Axis ticks from 0 to at least `high` at a round step (the y axes start at 0)."""
    if not high > 0:
        return np.array([0.0, 1.0])
    step = nice_step(high, target)
    return np.arange(0, math.ceil(high / step - 1e-9) + 1) * step


def short_number(value: float) -> str:
    """Tick labels as on Plotly's axes: 35k, 2.5k, 1.2M, 0.5."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


class _Frame:
    """A chart's canvas: title, plot area, y grid with labels, axis titles; maps data to pixels."""

    def __init__(self, width: int, height: int, title: str, x_title: str, y_title: str, y_ticks: np.ndarray,
                 label_room: float = 0.0):
        """`label_room`: extra px under the plot for x labels drawn slanted (see x_label)."""
        self.width, self.height, self.title = width, height, title
        self.left, self.top = MARGIN_LEFT, MARGIN_TOP
        self.right, self.bottom = width - MARGIN_RIGHT, height - MARGIN_BOTTOM - label_room
        self.y_max = float(y_ticks[-1])
        parts = [f'<text x="2" y="20" font-size="{FONT + 3}" font-weight="600" fill="{TEXT}">{escape(title)}</text>']
        for tick in y_ticks:
            y = self.y(tick)
            parts.append(f'<line x1="{self.left}" x2="{self.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                         f'<text x="{self.left - 8}" y="{y + 4:.1f}" text-anchor="end">{short_number(tick)}</text>')
        middle = (self.top + self.bottom) / 2
        parts.append(f'<text x="{(self.left + self.right) / 2:.1f}" y="{height - 8}" text-anchor="middle" '
                     f'fill="{MUTED}">{escape(x_title)}</text>'
                     f'<text x="14" y="{middle:.1f}" text-anchor="middle" fill="{MUTED}" '
                     f'transform="rotate(-90 14 {middle:.1f})">{escape(y_title)}</text>')
        self.parts = parts

    def y(self, value: float) -> float:
        return self.bottom - value / self.y_max * (self.bottom - self.top)

    def x_label(self, x: float, text: str, slanted: bool = False) -> None:
        y = self.bottom + 18
        if slanted:  # read upwards to the right, ending under its bar
            self.parts.append(f'<text x="{x:.1f}" y="{y - 4}" text-anchor="end" '
                              f'transform="rotate(-35 {x:.1f} {y - 4})">{escape(text)}</text>')
        else:
            self.parts.append(f'<text x="{x:.1f}" y="{y}" text-anchor="middle">{escape(text)}</text>')

    def svg(self) -> str:
        return _svg(self.width, self.height, self.title, self.parts)


def _svg(width: int, height: int, title: str, parts: list[str]) -> str:
    """One <svg> element on one line (Streamlit's Markdown would read blank lines or indentation inside it as
    text), as wide as its column allows between its own width and GROWTH times it."""
    return (f'<svg class="mfviz-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
            f'style="min-width:{width}px;max-width:{round(width * GROWTH)}px;font-family:inherit" font-size="{FONT}" '
            f'fill="{TEXT}">' + "".join(parts) + "</svg>")


def _bars(frame: _Frame, counts: np.ndarray, tooltips: list[str], colour: str, gap: float) -> None:
    """One bar per count across the plot width, each with its tooltip."""
    slot = (frame.right - frame.left) / max(len(counts), 1)
    for i, (count, tip) in enumerate(zip(counts, tooltips, strict=True)):
        top = frame.y(count)
        frame.parts.append(f'<rect x="{frame.left + i * slot + gap / 2:.1f}" y="{top:.1f}" '
                           f'width="{max(slot - gap, 1):.1f}" height="{frame.bottom - top:.1f}" fill="{colour}">'
                           f'<title>{escape(tip)}</title></rect>')


def _legend(frame: _Frame, entries: list[tuple[str, str]]) -> None:
    """Line swatches with names in one row above the plot's right end: (name, SVG stroke attributes)."""
    x = frame.right
    for name, stroke in reversed(entries):
        x -= CHAR_WIDTH * len(name) + 8
        frame.parts.append(f'<text x="{x:.1f}" y="{frame.top - 12}">{escape(name)}</text>')
        x -= 30
        frame.parts.append(f'<line x1="{x:.1f}" x2="{x + 24:.1f}" y1="{frame.top - 16}" y2="{frame.top - 16}" {stroke}/>')
        x -= 16


# ------------------------------------------------------------------------------ the three charts
def rating_histogram(histogram: pd.DataFrame, is_explicit: bool, width: int = HALF_WIDTH, height: int = 300) -> SvgChart:
    """Interactions per rating value (explicit) or per count bin (implicit): columns value, count."""
    values, counts = histogram["value"].tolist(), histogram["count"].to_numpy(float)
    total = max(counts.sum(), 1.0)
    labels = [f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v) for v in values]
    if is_explicit:
        title, x_title = "How users rate", "rating (stars)"
        caption = _rating_words(values, counts, labels)
    else:
        title, x_title = "How strong the interactions are", "interaction value (count bin)"
        caption = _value_words(counts, labels)
    # Labels wider than their bar's slot (implicit bins such as "1.42855–2.04076") are slanted.
    slot = (width - MARGIN_LEFT - MARGIN_RIGHT) / max(len(counts), 1)
    longest = max((len(label) for label in labels), default=0) * CHAR_WIDTH
    slanted = longest > slot - 6
    frame = _Frame(width, height, title, x_title, "interactions (count)", nice_ticks(counts.max(initial=0)),
                   label_room=min(0.57 * longest, 110) if slanted else 0.0)  # sin 35°
    tips = [f"{label}: {_count(int(count), 'interaction')} ({count / total:.1%})"
            for label, count in zip(labels, counts, strict=True)]
    _bars(frame, counts, tips, PALETTE[0], gap=0.2 * slot)
    for i, label in enumerate(labels):
        frame.x_label(frame.left + (i + 0.5) * slot, label, slanted)
    return SvgChart(frame.svg(), caption, title)


def _rating_words(values: list, counts: np.ndarray, labels: list[str]) -> str:
    """What the rating histogram shows, from its numbers: the most common rating and whether the
    ratings pile up in the upper half of the scale."""
    total = counts.sum()
    if not total:
        return "No ratings yet: the chart fills in once data with ratings is loaded."
    top = int(np.argmax(counts))
    words = f"The most common rating is {labels[top]} ({counts[top] / total:.0%} of ratings)"
    numeric = np.asarray([float(v) for v in values]) if all(isinstance(v, (int, float, np.number)) for v in values) \
        else None
    if numeric is None or numeric.min() == numeric.max():
        return words + "."
    # the middle of the scale the bulk is on: two typos (-1, 99) among 1-5 stars would drag it to 49
    low, high = rating_scale(numeric, counts) or (numeric.min(), numeric.max())
    middle = (low + high) / 2
    upper = counts[numeric > middle].sum() / total
    if upper >= 0.6:  # "mostly" of a share that reads 50% or 55% said more than the numbers
        return (words + f"; {upper:.0%} are above the middle of the scale: people mostly rate what they liked, "
                "so missing entries are not random.")
    return words + f"; {upper:.0%} are above the middle of the scale."


def _value_words(counts: np.ndarray, labels: list[str]) -> str:
    """What the histogram of implicit values shows, from its numbers."""
    total = counts.sum()
    if len(counts) <= 1 or not total:
        return (f"Every interaction has the value {labels[0]} (yes/no feedback, or binarised ratings): implicit "
                "ALS gives them all the same confidence." if len(counts) == 1 else "No interactions yet: the chart fills in once data is loaded.")
    return (f"Implicit feedback: {counts[0] / total:.0%} of the values are in the lowest bin ({labels[0]}); the "
            "bins to its right are repeated or stronger interactions, which implicit ALS turns into higher "
            "confidence (c = 1 + α × value).")


def long_tail(popularity: np.ndarray, head_share: float = 0.2, width: int = HALF_WIDTH, height: int = 300) -> SvgChart:
    """Cumulative share of interactions against the share of items, most popular first."""
    counts = np.sort(np.asarray(popularity, float))[::-1]
    total = max(counts.sum(), 1.0)
    item_share = np.arange(1, counts.size + 1) / max(counts.size, 1) * 100
    cumulative = np.cumsum(counts) / total * 100
    head_pct = long_tail_split(np.asarray(popularity), head_share).mean() * 100 if counts.size else 0.0
    title = "Long tail: how concentrated the interactions are"
    frame = _Frame(width, height, title, "items, most popular first (% of catalogue)",
                   "interactions covered (cumulative %)", nice_ticks(100))

    def x(share):
        return frame.left + np.asarray(share, float) / 100 * (frame.right - frame.left)

    for tick in range(0, 101, 20):
        frame.x_label(float(x(tick)), str(tick))
    frame.parts.append(f'<line x1="{x(0):.1f}" y1="{frame.y(0):.1f}" x2="{x(100):.1f}" y2="{frame.y(100):.1f}" '
                       'stroke="#999" stroke-dasharray="2 4" stroke-width="1.5"/>')
    curve_x, curve_y = curve_points(np.r_[0.0, item_share], np.r_[0.0, cumulative], points=200)
    points = " ".join(f"{px:.1f},{frame.y(py):.1f}" for px, py in zip(x(curve_x), curve_y, strict=True))
    frame.parts.append(f'<polyline points="{points}" fill="none" stroke="{PALETTE[0]}" stroke-width="3"/>')
    head_x = float(x(head_pct))
    frame.parts.append(f'<line x1="{head_x:.1f}" x2="{head_x:.1f}" y1="{frame.top}" y2="{frame.bottom}" '
                       f'stroke="{PALETTE[1]}" stroke-dasharray="6 4" stroke-width="2"/>'
                       # bottom right, under the diagonal: the one corner the curve never reaches; in a darker
                       # shade of the line's colour, which is 3.7:1 on white
                       f'<text text-anchor="end" fill="{text_shade(PALETTE[1])}">'
                       f'<tspan x="{frame.right - 4}" y="{frame.bottom - 26}">head (left of the dashed line):</tspan>'
                       f'<tspan x="{frame.right - 4}" y="{frame.bottom - 10}">{head_pct:.1f}% of items = '
                       f'{head_share:.0%} of interactions</tspan></text>')
    # Hover targets along the curve: the browser shows each one's numbers as a tooltip.
    for share in range(10, 100, 10):
        covered = cumulative[min(int(math.ceil(share / 100 * counts.size)) - 1, counts.size - 1)] if counts.size else 0
        frame.parts.append(f'<circle cx="{x(share):.1f}" cy="{frame.y(covered):.1f}" r="5" fill="{PALETTE[0]}">'
                           f'<title>top {share}% of items carry {covered:.1f}% of interactions</title></circle>')
    _legend(frame, [("cumulative share", f'stroke="{PALETTE[0]}" stroke-width="3"'),
                    ("perfectly even", 'stroke="#999" stroke-dasharray="2 4" stroke-width="1.5"')])
    caption = (f"The further the curve bows above the diagonal, the more a few items dominate: the top "
               f"{head_pct:.1f}% of items carry {head_share:.0%} of all interactions, the other "
               f"{100 - round(head_pct, 1):.1f}% form the long tail.")  # the two shown add up to 100
    return SvgChart(frame.svg(), caption, title)


def activity_histogram(activity: np.ndarray, bins: int = 50, width: int = FULL_WIDTH, height: int = 280) -> SvgChart:
    """Users per range of interactions per user (equal-width bins from the least to the most active)."""
    values = np.asarray(activity, float)
    low, high = (values.min(), values.max()) if values.size else (0.0, 1.0)
    if high - low < bins:  # whole-number activity: bins one or more interactions wide, never fractions
        edges = np.arange(low, max(high, low + 1) + 2) - 0.5
    else:
        edges = np.linspace(low, high, bins + 1)
    users, edges = np.histogram(values, bins=edges)
    title = "How active users are"
    frame = _Frame(width, height, title, "interactions per user (count)", "users (count)",
                   nice_ticks(users.max(initial=0)))
    first, last = np.ceil(edges[:-1]).astype(int), np.floor(edges[1:] - 1e-9).astype(int)
    last[-1] = int(np.floor(edges[-1]))
    tips = [(f"{a:,}–{b:,} interactions" if b > a else _count(a, "interaction")) + f": {_count(n, 'user')}"
            for a, b, n in zip(first, last, users, strict=True)]
    _bars(frame, users.astype(float), tips, PALETTE[2], gap=1.0)

    def x(value):
        return frame.left + (value - edges[0]) / (edges[-1] - edges[0]) * (frame.right - frame.left)

    step = max(nice_step(edges[-1] - edges[0], target=8), 1.0)  # labels at whole interaction counts
    for value in np.arange(math.ceil(edges[0] / step), math.floor(edges[-1] / step) + 1) * step:
        frame.x_label(float(x(value)), f"{value:,.0f}")
    caption = (f"Median user has {np.median(values) if values.size else 0:,.0f} interactions, the most active "
               f"{high:,.0f}; users on the far left have too little history for a reliable vector.")
    return SvgChart(frame.svg(), caption, title)


def timeline_chart(line, width: int = FULL_WIDTH, height: int = 260, merged: int = 0) -> SvgChart:
    """Interactions per day, month or year (a mfviz.data.timeline.Timeline), first to last, gaps included.
    merged: rows merged into others at load (duplicate user-item pairs), each pair then at its latest time."""
    from mfviz.data.timeline import period_words, span_words

    counts = line.counts["count"].to_numpy(float)
    labels = [period_words(start, line.period) for start in line.counts["start"]]
    # after merging, a pair clicked in January, June and December is one interaction stamped December
    title = (f"When each user–item pair was last active (per {line.period})" if merged else
             f"When the interactions happened (per {line.period})")
    frame = _Frame(width, height, title, f"{line.period} (date)", "interactions (count)", nice_ticks(counts.max(initial=0)))
    slot = (frame.right - frame.left) / max(len(counts), 1)
    _bars(frame, counts, [f"{label}: {_count(int(count), 'interaction')}" for label, count in zip(labels, counts, strict=True)],
          PALETTE[0], gap=min(0.2 * slot, 2.0))
    room = (max(map(len, labels), default=0) + 2) * CHAR_WIDTH  # each label's width and a gap: none touch
    every = max(1, math.ceil(len(labels) * room / (frame.right - frame.left)))
    for i in range(0, len(labels), every):
        frame.x_label(frame.left + (i + 0.5) * slot, labels[i])
    caption = span_words(line) + " Before a split by time, check that the test period holds enough of them."
    if merged:
        caption += (f" {merged:,} duplicate rows were merged at load, each user–item pair keeping its latest "
                    "timestamp: earlier interactions of a pair are not counted here.")
    return SvgChart(frame.svg(), caption, title)


# ------------------------------------------------------------------------------ places on the dimensions
STRIP_MARKS = (("circle", "#2a3f5f"), ("diamond", "#e4572e"), ("square", "#2ca02c"))  # shape, colour per series
STRIP_ROW = 50  # px per dimension
STRIP_LABEL = 76  # px left of the tracks, for a dimension's number and energy


def _mark(shape: str, x: float, y: float, colour: str, tip: str) -> str:
    """A series' mark at (x, y) with its tooltip: a circle, a diamond or a square about 14 px across."""
    title = f"<title>{escape(tip)}</title>"
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colour}" stroke="white" stroke-width="1.5">{title}</circle>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 8:.1f} {x + 8:.1f},{y:.1f} {x:.1f},{y + 8:.1f} {x - 8:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}" stroke="white" stroke-width="1.5">{title}</polygon>'
    return (f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="{colour}" stroke="white" '
            f'stroke-width="1.5">{title}</rect>')


def _fit(text: str, room: float) -> str:
    """`text` cut with an ellipsis to about `room` px."""
    most = max(4, int(room / CHAR_WIDTH))
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def dimension_strip(labels: list[str], ends: list[tuple[str, str]], series: dict[str, np.ndarray], title: str,
                    caption: str = "", width: int = FULL_WIDTH) -> SvgChart:
    """Places on a model's dimensions: one track per dimension (`labels`, strongest first) from its − end (0, left)
    to its + end (100, right), each end named above it (`ends`: (− name, + name)), and a mark per series ({name:
    a place 0–100 on each dimension}), so a place reads as a position between two ends, not an amount (a progress
    bar's empty track read "nothing"). Hover on a mark gives its number; `caption` goes under it."""
    rows = len(labels)
    legend_height = 48  # the title's line, then the legend's below it (beside it, a long title ran into it)
    height = legend_height + rows * STRIP_ROW + 26
    left, right = STRIP_LABEL, width - 16
    span = right - left
    # the title cut to the width (a long film title ran out of the picture), whole on hover
    shown_title = _fit(title, (width - 4) * FONT / (FONT + 2))
    parts = [f'<text x="2" y="18" font-size="{FONT + 2}" font-weight="600" fill="{TEXT}">{escape(shown_title)}'
             f'<title>{escape(title)}</title></text>']
    x = right  # the legend: one row at the top right, first series leftmost
    entries = list(series)
    for n in reversed(range(len(entries))):
        shape, colour = STRIP_MARKS[n % len(STRIP_MARKS)]
        x -= CHAR_WIDTH * len(entries[n]) + 6
        parts.append(f'<text x="{x:.1f}" y="{legend_height - 6}">{escape(entries[n])}</text>')
        x -= 14
        parts.append(_mark(shape, x, legend_height - 10, colour, entries[n]))
        x -= 22
    for row, (label, (minus, plus)) in enumerate(zip(labels, ends, strict=True)):
        y = legend_height + 24 + row * STRIP_ROW + 16  # the track; the end names above it
        parts.append(f'<text x="2" y="{y + 5:.1f}" font-weight="600">{escape(label)}</text>'
                     f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="6" '
                     f'stroke-linecap="round"/>'
                     f'<line x1="{left + span / 2:.1f}" x2="{left + span / 2:.1f}" y1="{y - 7:.1f}" y2="{y + 7:.1f}" '
                     f'stroke="{MUTED}" stroke-width="1"/>'
                     f'<text x="{left}" y="{y - 11:.1f}" fill="{MUTED}">− {escape(_fit(minus, span / 2 - 24))}</text>'
                     f'<text x="{right}" y="{y - 11:.1f}" fill="{MUTED}" text-anchor="end">'
                     f'{escape(_fit(plus, span / 2 - 24))} +</text>')
        for n, (name, places) in enumerate(series.items()):
            shape, colour = STRIP_MARKS[n % len(STRIP_MARKS)]
            if not np.isfinite(places[row]):  # no place (a mean over no items): no mark, rather than one at "nan"
                continue
            place = float(np.clip(places[row], 0, 100))
            parts.append(_mark(shape, left + span * place / 100, y, colour,
                               f"{name}: {place:.0f} on dimension {label} (0 = far at the − end, 50 = the middle, "
                               "100 = far at the + end)"))
    return SvgChart(_svg(width, height, title, parts), caption, title)
