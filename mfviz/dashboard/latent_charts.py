"""The Latent space page's charts beside its maps: the users along a taste axis, and where each genre
sits on the model's strongest dimensions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mfviz.dashboard.figures import PALETTE, Chart, apply_layout


def users_on_axis(cosines: np.ndarray, left: str, right: str, reach: float, model: str = "") -> Chart:
    """Histogram of the users' cosines with a taste axis (users and items share the model's space);
    `reach`: where the right group's average direction sits on it (the left's at −reach); `model` (its
    name) ends the title, as on the map."""
    cosines = np.asarray(cosines, float)
    fig = go.Figure(go.Histogram(x=cosines, nbinsx=40, marker_color=PALETTE[0],
                                 hovertemplate="cosine %{x}: %{y:,} users<extra></extra>"))
    apply_layout(fig, "Users along the same axis" + (f" · {model}" if model else ""), f"← {left} · · · {right} → (cosine of the user's vector with the axis)",
            "users (count)", height=300)
    # Leaning: past half-way from the middle to a group's direction. A fixed cosine would depend on how
    # far apart the two groups are (they sit at ±reach, not at ±1).
    lean = reach / 2
    towards_right = float(np.mean(cosines > lean)) if cosines.size else 0.0
    towards_left = float(np.mean(cosines < -lean)) if cosines.size else 0.0
    caption = (f"{towards_right:.0%} of users lean towards {right} and {towards_left:.0%} towards {left} (cosine "
               f"beyond ±{lean:.2f}, half-way from the middle to the groups' average directions at ±{reach:.2f}); the "
               "rest sit in between. A single hump means the axis is a matter of degree; two humps, two camps of users.")
    return Chart(fig, caption)


def genre_heatmap(loadings: pd.DataFrame, model: str = "") -> Chart:
    """Genres × the model's dimensions: where each genre's items sit on each dimension (standard
    deviations from the catalogue's mean; red toward the + end, blue toward the − end); `model` (its
    name) ends the title, as on the map."""
    z = loadings.to_numpy(float)
    limit = float(np.nanmax(np.abs(z))) if z.size else 1.0
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"{d}" for d in loadings.columns], y=[str(g) for g in loadings.index], colorscale="RdBu",
        reversescale=True, zmid=0, zmin=-limit, zmax=limit, texttemplate="%{z:.1f}", textfont=dict(size=10),
        colorbar=dict(title="sd"), hovertemplate="%{y} on dimension %{x}: %{z:+.2f} sd<extra></extra>"))
    apply_layout(fig, "Where each genre sits on the strongest dimensions" + (f" · {model}" if model else ""),
                 "dimension (strongest first)", "genre",
            height=max(300, 110 + 24 * len(loadings)))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    caption = ("Each cell: the mean coordinate of the genre's items on the dimension, minus the catalogue's mean, in "
               "standard deviations of all items (red: toward the + end, blue: toward the − end). A column with "
               "one strong red and one strong blue cell is a dimension that contrasts those two genres.")
    return Chart(fig, caption)
