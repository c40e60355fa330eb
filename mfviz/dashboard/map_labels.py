"""Titles framed in boxes on the Latent space maps: placed in pixels beside their points, none over
another, over a marker or out of the plot (the star's and its nearest neighbours' titles, or the most
popular items'), and their 3-D counterparts that turn with the map."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mfviz.dashboard.figures import COSINE_COLOUR, DOT_COLOUR, counted

NEIGHBOUR_TITLES = 3  # nearest neighbours by each measure whose titles the map writes
LABEL_CHARS = 34  # a title written on the map is cut to this many characters
# The map's plot area in pixels as the page usually draws it (a 1280-1400 px window; the chart's
# width follows the window). Labels are placed in pixels around their points; this converts the map's
# distances between points to pixels, roughly: a wider window only spreads the points further apart.
PLOT_WIDTH = 650
CHAR_WIDTH, LABEL_HEIGHT = 6.8, 26  # px of a 12 px title and of its framed box (with its padding and a gap)
STAR_SIZE = 26  # px: the star and its outline, kept clear of every label
MARKER_SIZE = 14  # px: a neighbour's ring
PAD = 15  # px between the outermost points and the plot's frame (Plotly pads its autorange for the markers)
# px a label may reach past the plot's frame, into the margins (tick labels at the left, the title's row
# at the top: a star at the map's top edge still gets its neighbours' titles beside it)
SPILL = 24


def label_boxes(points: dict[int, tuple[float, float]], sizes: dict[int, tuple[float, float]],
                obstacles: list[tuple[float, float, float, float]], bounds: tuple[float, float],
                order: list[int], directions: dict[int, float]) -> dict[int, tuple[float, float]]:
    """Where to put a label next to each point of `order`, in pixels ({item: (dx, dy)} from the point to
    the label's centre, screen y down), none over another, over an obstacle (x0, y0, x1, y1) or out of
    the plot (0..bounds): each label tries its direction first (radians, screen y down), then others
    turning away from it both ways, at growing distances; a label that fits nowhere is left out.
    `points` and `sizes` (width, height) in pixels."""
    placed, taken = {}, list(obstacles)
    turns = np.radians([0, 30, -30, 60, -60, 90, -90, 120, -120, 150, -150, 180])
    for item in order:
        (px, py), (width, height) = points[item], sizes[item]
        for gap in (8, 24, 44, 70):
            for turn in turns:
                angle = directions[item] + turn
                ux, uy = np.cos(angle), np.sin(angle)
                # from the box's centre to its edge along the direction, then the gap beyond it
                reach = min(width / 2 / abs(ux) if abs(ux) > 1e-9 else np.inf,
                            height / 2 / abs(uy) if abs(uy) > 1e-9 else np.inf) + gap
                cx, cy = px + reach * ux, py + reach * uy
                box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
                inside = (box[0] >= -SPILL and box[1] >= -SPILL and box[2] <= bounds[0] + SPILL
                          and box[3] <= bounds[1] + SPILL)
                if inside and not any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3]
                                      for o in taken):
                    placed[item] = (float(cx - px), float(cy - py))
                    taken.append(box)
                    break
            if item in placed:
                break
    return placed


def pixel_frame(table: pd.DataFrame, height: int) -> tuple[Callable, np.ndarray]:
    """Data → pixels of the plot area (screen y down) as the map is usually drawn, and the area's size."""
    span = np.array([np.ptp(table["x"].to_numpy(float)), np.ptp(table["y"].to_numpy(float))])
    span = np.where(span > 0, span, 1.0)
    low = np.array([table["x"].min(), table["y"].max()], float)
    size = np.array([PLOT_WIDTH, height - 120], float)  # the map's top and bottom margins: 50 + 70 px
    inner = size - 2 * PAD  # Plotly's autorange leaves about PAD px between the outermost points and the frame

    def to_pixels(x: float, y: float) -> tuple[float, float]:
        return PAD + (x - low[0]) / span[0] * inner[0], PAD + (low[1] - y) / span[1] * inner[1]

    return to_pixels, size


def short_title(title: str, most: int = LABEL_CHARS) -> str:
    """`title` in at most `most` characters, cut after a whole word ("Star Trek: The Wrath of…", not "an-1982" or
    "…Khan (19"); a first word longer than that (a web address) is cut at a "/", "-" or "?" inside it if it can."""
    if len(title) <= most:
        return title
    head = title[:most - 1]
    for marks in (" ", "/-?&"):
        cut = max(head.rfind(mark) for mark in marks)
        if cut >= most // 3:
            return head[:cut].rstrip(" ·,:;-/") + "…"
    return head + "…"


def written_labels(table: pd.DataFrame) -> pd.Series:
    """The text each item is named by on the map: its "Label by" label (the chosen column, with its title beside
    it where room allows: `map_projection.labelled`), else its title."""
    return (table["label"] if "label" in table.columns else table["title"]).astype(str)


def framed_titles(fig: go.Figure, table: pd.DataFrame, items: list[int], height: int,
                   obstacles: list[tuple[float, float, float, float]] = (), colour: str = "#555555") -> list[int]:
    """Write the titles of `items` (first the most important) on the map in framed boxes with an arrow to
    their point, each away from the map's middle, none over another, over one of their points or over
    `obstacles` (boxes in pixels, see `label_boxes`), framed in `colour`; returns the items written. Titles
    written as trace text next to popular items, which crowd together, were left out (two of twelve
    written) or cut at the plot's edge."""
    rows = table.set_index("item").loc[items]
    to_pixels, size = pixel_frame(table, height)
    pixels = {i: to_pixels(x, y) for i, x, y in zip(items, rows["x"], rows["y"], strict=True)}
    cut = {i: short_title(str(t)) for i, t in zip(items, written_labels(rows), strict=True)}
    boxes = {i: (CHAR_WIDTH * len(cut[i]) + 12, LABEL_HEIGHT) for i in items}
    obstacles = [(x - MARKER_SIZE / 2, y - MARKER_SIZE / 2, x + MARKER_SIZE / 2, y + MARKER_SIZE / 2)
                 for x, y in pixels.values()] + list(obstacles)
    middle = size / 2
    directions = {i: float(np.arctan2(y - middle[1], x - middle[0])) for i, (x, y) in pixels.items()}
    places = label_boxes(pixels, boxes, obstacles, tuple(size), items, directions)
    for item, (dx, dy) in places.items():
        fig.add_annotation(x=rows.at[item, "x"], y=rows.at[item, "y"], ax=dx, ay=dy, text=cut[item], showarrow=True,
                           arrowhead=0, arrowwidth=1, arrowcolor=colour, bgcolor="rgba(255,255,255,0.92)",
                           bordercolor=colour, borderwidth=1, borderpad=3, font=dict(size=12, color="#111111"),
                           hovertext=str(rows.at[item, "title"]), captureevents=False)
    return [i for i in items if i in places]


def anchor_labels(fig: go.Figure, table: pd.DataFrame, anchor: int, neighbours: dict[str, np.ndarray],
                   drawn: dict[int, tuple[float, float]], height: int
                   ) -> tuple[str, Callable, set[int], list[tuple[float, float, float, float]]]:
    """Write the anchor's title and those of its NEIGHBOUR_TITLES nearest neighbours by each measure on
    the map, as framed white boxes above every marker (layout annotations are drawn over the traces), an
    arrow from each box to its point, no box over another, the star or a neighbour's ring (see
    `label_boxes`). Returns the caption's sentence, whether a title written as trace text above a
    point (x, y, title) stays clear of all that, the items whose titles it wrote and the pixel boxes it
    took (the star, the rings and the titles' frames). Written as trace text, the titles sat under the star and
    the rings of the neighbours around it, unreadable."""
    titles = table.set_index("item")["title"].astype(str)
    cut = {i: short_title(t) for i, t in written_labels(table.set_index("item")).items() if i in drawn}
    nearest = {metric: [int(i) for i in neighbours.get(metric, ()) if int(i) in drawn and int(i) != anchor
                        ][:NEIGHBOUR_TITLES] for metric in ("cosine", "dot")}
    chosen = {}  # item → its frame's colour: blue among the nearest by cosine (whatever its dot rank), else red
    for rank in range(NEIGHBOUR_TITLES):  # nearest first, by turns, so that the closest get the best places
        for metric in ("cosine", "dot"):
            if rank < len(nearest[metric]):
                item = nearest[metric][rank]
                chosen.setdefault(item, COSINE_COLOUR if item in nearest["cosine"] else DOT_COLOUR)
    to_pixels, size = pixel_frame(table, height)
    pixels = {i: to_pixels(x, y) for i, (x, y) in drawn.items()}
    boxes = {i: (CHAR_WIDTH * len(cut[i]) + 12, LABEL_HEIGHT) for i in (anchor, *chosen)}
    boxes[anchor] = (CHAR_WIDTH * 1.1 * len(cut[anchor]) + 12, LABEL_HEIGHT)  # bold
    obstacles = [(x - s / 2, y - s / 2, x + s / 2, y + s / 2) for i, (x, y) in pixels.items()
                 for s in ((STAR_SIZE if i == anchor else MARKER_SIZE),)]
    # The anchor's title above its star if it fits; each neighbour's away from the star, so that the
    # titles of a ring of neighbours fan out around it.
    directions = {anchor: -np.pi / 2}
    for i in chosen:
        dx, dy = pixels[i][0] - pixels[anchor][0], pixels[i][1] - pixels[anchor][1]
        directions[i] = float(np.arctan2(dy, dx)) if np.hypot(dx, dy) > 1 else -np.pi / 2
    places = label_boxes(pixels, boxes, obstacles, tuple(size), [anchor, *chosen], directions)
    for item, (dx, dy) in places.items():
        star = item == anchor
        colour = "#111111" if star else chosen[item]
        fig.add_annotation(
            x=drawn[item][0], y=drawn[item][1], ax=dx, ay=dy, text=f"<b>{cut[item]}</b>" if star else cut[item],
            showarrow=True, arrowhead=0, arrowwidth=1, arrowcolor=colour, standoff=(STAR_SIZE if star else
                                                                                     MARKER_SIZE) / 2,
            bgcolor="rgba(255,255,255,0.92)", bordercolor=colour, borderwidth=1, borderpad=3,
            font=dict(size=12, color="#111111"), hovertext=titles[item], captureevents=False)
    taken = obstacles + [(pixels[i][0] + dx - boxes[i][0] / 2, pixels[i][1] + dy - boxes[i][1] / 2,
                          pixels[i][0] + dx + boxes[i][0] / 2, pixels[i][1] + dy + boxes[i][1] / 2)
                         for i, (dx, dy) in places.items()]

    def clear(x: float, y: float, title: str) -> bool:
        """A title written at "top center" of a search hit's circle (8 px radius), 11 px, 14 px tall."""
        px, py = to_pixels(x, y)
        half = 6.2 * len(str(title)) / 2
        box = (px - half, py - 8 - 14, px + half, py - 8)
        return not any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in taken)

    written = [i for i in chosen if i in places]
    sentence = ("Its title is written on the map" if anchor in places else "Its title did not fit on the map")
    if written:
        sentence += (f", with those of {counted(len(written), 'neighbour')} (of its {NEIGHBOUR_TITLES} nearest by "
                     "cosine, framed blue, and by dot product, framed red)")
    return sentence + ".", clear, set(places), taken


def scene_titles(table: pd.DataFrame, position: pd.Series, anchor: int, neighbours: dict[str, np.ndarray]
                  ) -> list[dict]:
    """The 3-D map's titles of the anchor and of its NEIGHBOUR_TITLES nearest by each measure, as scene
    annotations (they follow their points as the map turns), framed as on the 2-D map and set apart
    so that the titles of points close together do not cover each other."""
    nearest = {metric: [int(i) for i in neighbours.get(metric, ()) if int(i) in position.index and int(i) != anchor
                        ][:NEIGHBOUR_TITLES] for metric in ("cosine", "dot")}
    chosen = {anchor: "#111111"}  # then blue among the nearest by cosine (whatever its dot rank), else red, as in 2-D
    for item in nearest["cosine"] + nearest["dot"]:
        chosen.setdefault(item, COSINE_COLOUR if item in nearest["cosine"] else DOT_COLOUR)
    notes, rows = [], {"#111111": 0, COSINE_COLOUR: 0, DOT_COLOUR: 0}
    for item, colour in chosen.items():
        # Neighbours lie near the star on the screen too: their titles in two columns beside them, by
        # cosine on the right, by dot product on the left, a row apart, the star's above it.
        row, rows[colour] = rows[colour], rows[colour] + 1
        ax, ay = {"#111111": (0, -45), COSINE_COLOUR: (120, -30 + 30 * row), DOT_COLOUR: (-120, -30 + 30 * row)}[colour]
        point = table.iloc[int(position[item])]
        text = short_title(str(point["label"] if "label" in point.index else point["title"]))
        notes.append(dict(item=int(item), x=float(point["x"]), y=float(point["y"]), z=float(point["z"]),
                          text=f"<b>{text}</b>" if item == anchor else text, showarrow=True, arrowhead=0,
                          arrowwidth=1, arrowcolor=colour, ax=ax, ay=ay,
                          bgcolor="rgba(255,255,255,0.92)", bordercolor=colour, borderwidth=1, borderpad=3,
                          font=dict(size=12, color="#111111")))
    return notes
