"""The item whose neighbours a Latent space map draws: a star on it, lines and rings to its cosine and
dot-product neighbours (in 2-D, those hidden under the star moved onto a ring around it), in 2-D and 3-D."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mfviz.dashboard.figures import COSINE_COLOUR, DOT_COLOUR
from mfviz.dashboard.map_labels import short_title

LEGEND_TITLE = 20  # characters of a clicked item's title in the legend (its room kept on every map: map_figures)


def legend_name(title: str) -> str:
    """A title short enough for the legend (the full one is on the map and in the list under it)."""
    return short_title(title, LEGEND_TITLE)


# A neighbour closer to the star than this share of the map's width and height is hidden under it (the
# star is ~20 px across on a ~900 × 560 px map; a popular item's neighbours can sit there): it is drawn on
# a ring of RING times the map's width and height around the star instead.
UNDER_STAR, RING = 0.03, 0.06


def spread_from_anchor(table: pd.DataFrame, anchor_xy: tuple[float, float], items: list[int]
                       ) -> dict[int, tuple[float, float]]:
    """Where to draw the `items` that sit under the anchor's star ({item: (x, y)}): evenly around a ring
    of RING times the map's width and height about the anchor, in the order given (the nearest
    neighbours from the top, clockwise); the items farther off keep their places and are not in it."""
    span = np.array([np.ptp(table["x"].to_numpy(float)), np.ptp(table["y"].to_numpy(float))])
    span = np.where(span > 0, span, 1.0)
    where = table.set_index("item")[["x", "y"]]
    under = [i for i in items if np.hypot(*((where.loc[i].to_numpy(float) - anchor_xy) / span)) < UNDER_STAR]
    angles = np.pi / 2 - 2 * np.pi * np.arange(len(under)) / max(len(under), 1)
    return {item: (anchor_xy[0] + RING * span[0] * np.cos(a), anchor_xy[1] + RING * span[1] * np.sin(a))
            for item, a in zip(under, angles, strict=True)}


def neighbour_traces(fig: go.Figure, table: pd.DataFrame, anchor: int, neighbours: dict[str, np.ndarray]
                      ) -> tuple[list[np.ndarray], int, dict[int, tuple[float, float]]]:
    """Lines from the anchor to its cosine and dot neighbours, rings on them, a star on the anchor;
    neighbours hidden under the star are drawn on a ring around it (see `spread_from_anchor`). Returns
    the item of every point of each trace added (-1 for the gaps between lines), how many were moved,
    and where each item was drawn ({item: (x, y)}, the anchor's star included)."""
    position = pd.Series(np.arange(len(table)), index=table["item"].to_numpy())
    if anchor not in position.index:
        return [], 0, {}
    ax, ay = table["x"].iat[position[anchor]], table["y"].iat[position[anchor]]
    every = [int(i) for metric in ("cosine", "dot") for i in neighbours.get(metric, ())
             if i in position.index and i != anchor]
    moved = spread_from_anchor(table, (float(ax), float(ay)), list(dict.fromkeys(every)))
    added, drawn = [], {int(anchor): (float(ax), float(ay))}
    for metric, colour, size in (("cosine", COSINE_COLOUR, 13), ("dot", DOT_COLOUR, 9)):
        items = np.asarray([i for i in neighbours.get(metric, ()) if i in position.index], np.int64)
        if items.size == 0:
            continue
        rows = position[items].to_numpy()
        xs = np.array([moved[i][0] if i in moved else x for i, x in zip(items.tolist(), table["x"].to_numpy()[rows],
                                                                       strict=True)])
        ys = np.array([moved[i][1] if i in moved else y for i, y in zip(items.tolist(), table["y"].to_numpy()[rows],
                                                                       strict=True)])
        drawn.update((int(i), (float(x), float(y))) for i, x, y in zip(items.tolist(), xs, ys, strict=True))
        where = np.where([i in moved for i in items.tolist()], " (under the star on the map: drawn around it)", "")
        gap = np.full(items.size, np.nan)
        fig.add_trace(go.Scatter(  # anchor → neighbour, NaN breaks the line between pairs
            x=np.column_stack([np.full(items.size, ax), xs, gap]).ravel(),
            y=np.column_stack([np.full(items.size, ay), ys, gap]).ravel(), mode="lines", hoverinfo="skip",
            line=dict(color=colour, width=1.5), opacity=0.6, legendgroup=metric, showlegend=False))
        added.append(np.column_stack([np.full(items.size, anchor), items, np.full(items.size, -1)]).ravel())
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=f"{metric} neighbours", legendgroup=metric,
            customdata=np.stack([table["title"].astype(str).to_numpy()[rows], np.arange(1, items.size + 1),
                                 items], axis=1), text=where,  # (markers only: the text shows on hover)
            hovertemplate="<b>%{customdata[0]}</b><br>" + metric + " neighbour #%{customdata[1]}%{text}"
                          "<extra></extra>",
            marker=dict(size=size, color="rgba(0,0,0,0)", line=dict(width=2.5, color=colour))))
        added.append(items)
    fig.add_trace(go.Scatter(
        x=[ax], y=[ay], mode="markers", name=legend_name(str(table["title"].iat[position[anchor]])),
        hovertemplate="<b>%{text}</b><extra></extra>", text=[str(table["title"].iat[position[anchor]])],
        customdata=[[str(table["title"].iat[position[anchor]]), "", anchor]],
        marker=dict(symbol="star", size=20, color="#ffd400", line=dict(width=1.5, color="#111111"))))
    added.append(np.array([anchor]))
    return added, len(moved), drawn


def neighbour_traces_3d(fig: go.Figure, table: pd.DataFrame, position: pd.Series, anchor: int,
                        neighbours: dict[str, np.ndarray]) -> None:
    """On a 3-D map (`table` has x, y, z; `position`: each item's row of it), lines from the anchor to its
    cosine and dot neighbours, open rings on them and a diamond on the anchor."""
    xyz = table[["x", "y", "z"]].to_numpy(float)
    centre = xyz[position[anchor]]
    for metric, colour, size in (("cosine", COSINE_COLOUR, 8), ("dot", DOT_COLOUR, 6)):
        items = [i for i in neighbours.get(metric, ()) if i in position.index]
        if not items:
            continue
        ends = xyz[position[items].to_numpy()]
        line = np.full((len(items), 3, 3), np.nan)  # anchor → neighbour, then a gap
        line[:, 0], line[:, 1] = centre, ends
        line = line.reshape(-1, 3)
        fig.add_trace(go.Scatter3d(x=line[:, 0], y=line[:, 1], z=line[:, 2], mode="lines", hoverinfo="skip",
                                   line=dict(color=colour, width=3), legendgroup=metric, showlegend=False))
        fig.add_trace(go.Scatter3d(
            x=ends[:, 0], y=ends[:, 1], z=ends[:, 2], mode="markers", name=f"{metric} neighbours",
            legendgroup=metric, text=table["title"].astype(str).to_numpy()[position[items].to_numpy()],
            hovertemplate="<b>%{text}</b><br>" + metric + " neighbour<extra></extra>",
            marker=dict(size=size, symbol="circle-open", color=colour, line=dict(width=3, color=colour))))
    title = str(table["title"].iat[position[anchor]])
    fig.add_trace(go.Scatter3d(x=[centre[0]], y=[centre[1]], z=[centre[2]], mode="markers", name=legend_name(title),
                               text=[title], hovertemplate="<b>%{text}</b><extra></extra>",
                               marker=dict(size=9, symbol="diamond", color="#ffd400",
                                           line=dict(width=2, color="#111111"))))
