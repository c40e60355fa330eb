"""Titles written as trace text next to their points on the Latent space maps: where each goes so that
it stays inside the map and off the others, and reading or dropping the points of such a trace."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

TITLE_CHAR_SHARE = 0.0085  # a title character's width, as a share of the map's (11 px of ~800 px, with margin)


def inside_positions(titled: pd.DataFrame, xs, ys) -> list[str]:
    """Text positions that keep each title inside the map: centred above its point, unless half the title
    would pass the left or right edge of the map's x range (`xs`): then it runs away from that edge; below
    its point at the top. Plotly clips text at the plot's edge ("Star Trek: The Wrath of Khan (19")."""
    low, span = float(np.min(xs)), float(np.ptp(xs)) or 1.0
    top, height = float(np.max(ys)), float(np.ptp(ys)) or 1.0
    positions = []
    for x, y, title in zip(titled["x"], titled["y"], titled["title"].astype(str), strict=True):
        at, half = (float(x) - low) / span, len(title) * TITLE_CHAR_SHARE / 2
        side = "left" if at + half > 1 else "right" if at - half < 0 else "center"
        positions.append(f"{'bottom' if (top - float(y)) / height < 0.05 else 'top'} {side}")
    return positions


def uncluttered(table: pd.DataFrame, labelled: dict[int, str], wide: float = 0.3, high: float = 0.06
                 ) -> pd.DataFrame:
    """The rows of the labelled items, leaving out each one whose title would overlap the title of
    an item labelled before it: a title is wide and short, so two points clash when they are within
    `wide` of the map's width and `high` of its height of each other."""
    on_map = set(table["item"].tolist())
    part = table.set_index("item").loc[[i for i in labelled if i in on_map]].reset_index()
    span = np.array([np.ptp(table["x"].to_numpy(float)), np.ptp(table["y"].to_numpy(float))])
    points = part[["x", "y"]].to_numpy(float) / np.where(span > 0, span, 1.0)
    kept = []
    for row, point in enumerate(points):
        if all(abs(point[0] - points[other][0]) >= wide or abs(point[1] - points[other][1]) >= high
               for other in kept):
            kept.append(row)
    return part.iloc[kept]


def trace_points(fig: go.Figure, trace_items: list, name: str):
    """(x, y, text, item) of each point of the trace named `name` (none when there is no such trace)."""
    trace = next((k for k, t in enumerate(fig.data) if t.name == name), None)
    if trace is None:
        return []
    data = fig.data[trace]
    texts = data.text if data.text is not None else [""] * len(data.x)
    return list(zip(data.x, data.y, texts, np.asarray(trace_items[trace]).tolist(), strict=True))


def items_in_trace(fig: go.Figure, trace_items: list, name: str) -> list[int]:
    return [int(item) for *_, item in trace_points(fig, trace_items, name)]


def keep_trace_points(fig: go.Figure, trace_items: list, name: str, keep: Callable) -> None:
    """Drop the points (x, y, text, item) of the text trace `name` for which `keep` is false."""
    trace = next((k for k, t in enumerate(fig.data) if t.name == name), None)
    if trace is None:
        return
    kept = np.array([bool(keep(*point)) for point in trace_points(fig, trace_items, name)], bool)
    data = fig.data[trace]
    if kept.all():
        return
    update = dict(x=np.asarray(data.x)[kept], y=np.asarray(data.y)[kept], text=np.asarray(data.text)[kept])
    if isinstance(data.textposition, tuple | list | np.ndarray):
        update["textposition"] = np.asarray(data.textposition)[kept].tolist()
    data.update(update)
    trace_items[trace] = np.asarray(trace_items[trace])[kept]


def text_box(to_pixels: Callable, x: float, y: float, text: str) -> tuple[float, float, float, float]:
    """Where a title written as trace text next to its point may lie, in pixels (above, below or to
    either side of it: the box covers them all)."""
    px, py = to_pixels(x, y)
    half = 6.2 * len(str(text))
    return px - half, py - 24, px + half, py + 24
