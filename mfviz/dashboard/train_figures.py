"""The Train page's figures: the loss per epoch (with the held-out metric), models against fit time, a
sweep, accuracy per group of users and per profile size, and the replay of the items moving while a model trains."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mfviz.dashboard import labels
from mfviz.dashboard.figures import (
    BASELINE_COLOUR,
    BASELINE_MARK,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_TOP,
    PALETTE,
    Chart,
    apply_layout,
    end_labels,
    log_ticks,
    model_marks,
    muted_text,
    text_shade,
)
from mfviz.dashboard.map_colours import colour_groups, genre_note, hover_name
from mfviz.dashboard.map_points import HOVER_DETAILS_UP_TO, item_data, item_hover
from mfviz.dashboard.model_names import metric_label, plain_name
from mfviz.dashboard.training import OF_SEVERAL


def loss_curve(epochs: list[tuple], label: str, held_out: str | None = None, kept: int | None = None,
               learning_rate: bool = True) -> Chart:
    """The training loss per epoch and, when the epochs carry one (a fourth entry) and `held_out`
    names it, the held-out metric per epoch on a second axis: where it stops improving, more epochs
    only fit the training data. `kept`: the epoch early stopping restored, marked when not the last.
    `learning_rate`: whether the model has one (the SGD models; ALS and implicit ALS solve outright)."""
    frame = pd.DataFrame([tuple(e[:3]) + ((e[3] if len(e) > 3 else None),) for e in epochs],
                         columns=["epoch", "loss", "seconds", "held_out"])
    fig = go.Figure(go.Scatter(x=frame["epoch"], y=frame["loss"], mode="lines+markers", name="training loss",
                               line=dict(color=PALETTE[0]), customdata=frame["seconds"],
                               hovertemplate="epoch %{x}: loss %{y:.5g} at %{customdata:.1f} s<extra></extra>"))
    shown = held_out is not None and frame["held_out"].notna().any()
    if shown:
        fig.add_trace(go.Scatter(x=frame["epoch"], y=frame["held_out"], mode="lines+markers", name=held_out,
                                 yaxis="y2", line=dict(color=PALETTE[1], dash="dot"),
                                 hovertemplate=f"epoch %{{x}}: {held_out} %{{y:.4f}}<extra></extra>"))
        # in a darker shade of its line's colour: #e4572e itself is 3.7:1 on white, too light for text
        fig.update_layout(yaxis2=dict(title=dict(text=held_out, font=dict(color=text_shade(PALETTE[1]))),
                                      overlaying="y", side="right", showgrid=False,
                                      tickfont=dict(color=text_shade(PALETTE[1])),
                                      tickformat=".3f", tickmode="auto", nticks=6, range=held_out_range(frame["held_out"])))
    apply_layout(fig, f"Training loss of {label}" + (f" and {held_out}" if shown else ""), "epoch (count)",
                 "training loss (model objective)", height=300, legend="top",
                 **({"margin": dict(r=MARGIN_LEFT)} if shown else {}))
    caption = ("The loss should fall quickly and flatten; a curve still falling at the end wants more epochs, "
               + ("one that rises or jumps wants a smaller learning rate or more regularization." if learning_rate else
                  "one that rises or jumps wants more regularization (this model has no learning rate: each epoch "
                  "solves for the vectors outright)."))
    if kept is not None and kept < int(frame["epoch"].max()):
        fig.add_vline(x=kept, line=dict(color="grey", dash="dash", width=1))
        fig.add_annotation(x=kept, y=1.0, yref="paper", yanchor="bottom", showarrow=False, text=f"kept: epoch {kept}")
        caption += (f" Early stopping kept epoch {kept} (the dashed line), the best on the validation share, and "
                    f"restored its parameters: the model and every page use those, not epoch "
                    f"{int(frame['epoch'].max())}'s.")
    if shown:
        better = "falls" if held_out.startswith("RMSE") else "rises"
        caption += (f" The dotted line is {held_out} after each epoch, on an axis from 0 (a narrow one made noise look "
                    f"like a trend): while it {better}, more epochs help; where it turns while the loss still falls, "
                    "the model starts fitting the training data only." + held_out_change(frame, held_out))
    return Chart(fig, caption)


def held_out_range(values: pd.Series) -> list[float] | None:
    """The held-out metric's axis, from 0 to a little above its highest value: zoomed onto the values, a
    change in the fourth decimal filled the chart's height and read as a trend (stakeholder demo)."""
    values = values.dropna().astype(float)
    top = float(values.max()) if len(values) else 0.0
    return [0.0, top * 1.15] if np.isfinite(top) and top > 0 else None


def held_out_change(frame: pd.DataFrame, held_out: str) -> str:
    """The held-out metric's change over the epochs drawn, in words, for the caption: the axis from 0 shows
    how small it is, the words say how large."""
    points = frame.dropna(subset=["held_out"])
    if len(points) < 2:
        return ""
    first, last = float(points["held_out"].iloc[0]), float(points["held_out"].iloc[-1])
    relative = f" ({(last - first) / abs(first):+.1%})" if first else ""
    return (f" {held_out}: {first:.4f} after epoch {int(points['epoch'].iloc[0])}, {last:.4f} after epoch "
            f"{int(points['epoch'].iloc[-1])}, a change of {last - first:+.4f}{relative}; its best "
            f"{(points['held_out'].min() if held_out.startswith('RMSE') else points['held_out'].max()):.4f}.")


def one_fit_numbers(epoch: tuple, label: str, held_out: str | None = None) -> tuple[list[tuple[str, str]], str]:
    """What to show of a model fitted in one step (Truncated SVD: one closed-form solution) instead of a
    "curve" of one point on axes zoomed onto it: [(name, value)] of its training loss and, when the epoch
    carries it (a fourth entry) and `held_out` names it, its held-out metric; and a caption."""
    loss = float(epoch[1])
    numbers = [("training loss (model objective)", f"{loss:,.0f}" if abs(loss) >= 1000 else f"{loss:.4g}")]
    value = epoch[3] if len(epoch) > 3 else None
    if held_out is not None and value is not None:
        numbers.append((held_out, f"{value:.4f}"))
    caption = (f"{label} is fitted in one step (a closed-form solution, no epochs), so there is no curve to "
               "follow: these are the numbers of that one fit. More factors lower its loss; the test metric says "
               "whether that helps on unseen interactions.")
    return numbers, caption


LABELLED_MODELS = 4  # the comparison chart writes names next to this many points at most


def model_comparison(results: pd.DataFrame, metric: str, baselines: pd.DataFrame | None = None,
                     left_out: dict[str, str] | None = None) -> Chart:
    """Quality against fit time, one point per model with a value of `metric`; `baselines` (model, fit_seconds and
    the metric: the Popularity baseline on each split) are drawn as grey dashed lines across the chart, a grey
    diamond at their own fit time. `left_out`: {model: why it has no value of `metric`} of the models not drawn,
    which the chart counts and its caption names (with RMSE picked, four models of five were left off unsaid)."""
    shown = metric_label(metric)  # as the results table heads it
    fig = go.Figure()
    results = results.dropna(subset=[metric])
    baselines = baselines.dropna(subset=[metric]) if baselines is not None and metric in baselines else None
    baselines = baselines if baselines is not None and len(baselines) else None
    drawn = results if baselines is None else pd.concat([results, baselines])
    right = float(drawn["fit_seconds"].max()) * 1.25 + 0.1 if len(drawn) else 1.0  # the x axis ends there
    rows = zip(results["model"], results["fit_seconds"], results[metric], strict=True)
    labelled = len(results) <= LABELLED_MODELS  # more names than that overlap: a legend instead
    marks = model_marks(list(results["model"]))
    for model, seconds, value in rows:
        # a name grows away from the nearer side and may reach into the margins: centred on a point at 0.09 s it
        # was cut at the axis ("ed SVD (f=64)" at 1,280 px)
        fig.add_trace(go.Scatter(x=[seconds], y=[value], mode="markers+text" if labelled else "markers",
                                 text=[model], textposition="top right" if seconds < right / 2 else "top left",
                                 cliponaxis=False, name=model,
                                 hovertemplate=f"{model}<br>%{{x:.2f}} s · {shown} %{{y:.4f}}<extra></extra>",
                                 marker=dict(size=14, color=marks[model].colour, symbol=marks[model].symbol)))
    apply_layout(fig, f"{shown} against training time", "fit time (seconds)", f"{shown} (test set)",
            height=340 if labelled else max(340, 120 + 24 * len(results)), showlegend=not labelled,
            legend="right")
    for name, seconds, value in ([] if baselines is None else
                                 zip(baselines["model"], baselines["fit_seconds"], baselines[metric], strict=True)):
        fig.add_hline(y=value, line=dict(color=BASELINE_COLOUR, dash="dash", width=1.5))
        fig.add_trace(go.Scatter(x=[seconds], y=[value], mode="markers+text", text=[name],
                                 textposition="bottom right", name=name, showlegend=not labelled,
                                 cliponaxis=False,  # its fit time is ~0: the diamond sits on the axis
                                 hovertemplate=f"{name}<br>%{{x:.2f}} s · {shown} %{{y:.4f}}<extra></extra>",
                                 marker=dict(size=12, symbol="diamond", color=BASELINE_COLOUR)))
    values = pd.to_numeric(drawn[metric], errors="coerce").dropna()
    if len(values):  # room for the labels above the points
        low, high = float(values.min()), float(values.max())
        pad = (high - low) * 0.25 or abs(high) * 0.1 or 0.1
        fig.update_yaxes(range=[low - pad, high + pad * 1.6])
        fig.update_xaxes(range=[0, right])
    lower_better = metric.lower().startswith(("rmse", "mae"))
    corner = "bottom left" if lower_better else "top left"
    caption = (f"Each point is a model of this session; the best trade-off sits in the {corner} corner. Fit time "
               "counts the fitting alone, not the one-off compile of a model's code nor the scoring.")
    if baselines is not None:
        caption += (" The grey dashed line is the Popularity baseline (the most interacted items for everyone) on "
                    f"the same split: a model {'below' if lower_better else 'above'} it beats it.")
    if left_out:
        fig.update_layout(title_subtitle_text=f"{len(drawn)} of {len(drawn) + len(left_out)} models shown; the "
                                              f"other {len(left_out)} {'has' if len(left_out) == 1 else 'have'} no "
                                              f"{shown} (why: under the chart)")
        by_reason: dict[str, list[str]] = {}
        for name, why in left_out.items():
            by_reason.setdefault(why, []).append(name)
        caption += "".join(f" No {shown} for {_listed(names)}: {OF_SEVERAL.get(why, why) if len(names) > 1 else why}."
                           for why, names in by_reason.items())
    return Chart(fig, caption)


def _listed(names: list[str]) -> str:
    """Names in a sentence: "a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def edge_hint(name: str, values, best: float, metric: str) -> str:
    """A word when a sweep's best value by `metric` is the largest or smallest it tried: the best may lie beyond
    the range, so try further; empty when the best lies inside it. The metric is named: a sweep of a model of
    ratings has a best by RMSE (the model shown) and another by the chart's NDCG@k."""
    values = np.asarray(values, float)
    if name == "random_state" or len(values) < 2 or values.min() < best < values.max():
        return ""
    end, way = ("largest", "larger") if best == values.max() else ("smallest", "smaller")
    words = plain_name(name)
    return (f"The best {metric_label(metric)}, {words} = {best:g}, is the {end} value tried: {way} ones may do better still. Try them "
            f"(set {words} to {best:g} above and leave Values blank to sweep around it).")


def sweep_chart(name: str, values: list, scores: list, seconds: list, metric: str,
                baseline: float | None = None, picked: tuple[float, str] | None = None) -> Chart:
    """A sweep's test metric (left axis) and fit time (right axis) against the swept values; `baseline`
    (the Popularity baseline's score on the same split) as a grey dashed line, inside the axis range, so
    the sweep's differences are seen at their true size next to it. `picked` (the swept value of the model the
    sweep made the one shown, and the metric it was picked by): when that metric is not the chart's, both bests are
    named, so the chart's best and the message's are not two unexplained "bests"."""
    order = np.argsort(np.asarray(values, float), kind="stable")
    x = np.asarray(values, float)[order]
    y, t = np.asarray(scores, float)[order], np.asarray(seconds, float)[order]
    words, shown = plain_name(name), metric_label(metric)  # as the Train page's box and its table name them
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=shown, marker=dict(size=9, color=PALETTE[0]),
                             hovertemplate=f"{words} = %{{x:.4g}}<br>{shown} %{{y:.4f}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=t, mode="lines+markers", name="fit time (s)", yaxis="y2",
                             line=dict(dash="dot", color=PALETTE[5]), marker=dict(size=7, color=PALETTE[5]),
                             hovertemplate=f"{words} = %{{x:.4g}}<br>fit %{{y:.2f}} s<extra></extra>"))
    apply_layout(fig, f"Sweep of {words}: {shown} on the test set", words, f"{shown} (test set)", height=340,
            margin=dict(r=80))  # room for the right axis' title
    fig.update_layout(yaxis2=dict(title="fit time (seconds)", overlaying="y", side="right", showgrid=False,
                                  rangemode="tozero", tickmode="auto", nticks=5))  # its own round ticks
    muted_text(fig)  # the fit time's axis, added after apply_layout
    # Ticks at the swept values; on a log axis when they grow by factors (8, 16, 32, ...), so equal
    # ratios get equal steps (seeds: always linear).
    fig.update_xaxes(tickmode="array", tickvals=x, ticktext=[f"{v:g}" for v in x],
                     type="log" if x.min() > 0 and x.max() / x.min() >= 8 and name != "random_state" else "linear")
    if baseline is not None and np.isfinite(baseline):
        fig.add_hline(y=baseline, line=dict(color=BASELINE_COLOUR, dash="dash", width=1.5),
                      annotation_text=f"Popularity baseline {baseline:.4f}", annotation_position="top left",
                      annotation_font_color="#616161")
        low, high = min(float(y.min()), baseline), max(float(y.max()), baseline)
        pad = (high - low) * 0.08 or abs(high) * 0.05 or 0.05
        fig.update_layout(yaxis_range=[low - pad, high + pad])  # the metric's axis only, not the fit time's
    lower_better = metric.lower().startswith(("rmse", "mae"))
    if name == "random_state":  # seeds: not a setting to tune but the noise level
        caption = (f"The same model trained with {len(x)} seeds: its test {shown} spans {y.min():.4g}–{y.max():.4g} "
                   f"(a range of {y.max() - y.min():.2g}, standard deviation {y.std(ddof=1):.2g}). Differences "
                   "between models smaller than that are chance, not skill.")
        return Chart(fig, caption)
    best = x[int(np.argmin(y) if lower_better else np.argmax(y))]
    # The axis zooms onto the values it draws: a spread of 0.005 fills the chart like one of 0.5 would.
    spread = float(y.max() - y.min())
    share = spread / abs(float(y.min() if lower_better else y.max())) if y.max() else 0.0
    # the message above names the model shown by the metric it was picked by: a chart of another metric says both
    other = (f"; best {metric_label(picked[1])}, the model the sweep made the one shown, at {words} = {picked[0]:g}"
             if picked is not None and picked[1] != metric else "")
    caption = (f"The solid line is the test {shown} ({'lower' if lower_better else 'higher'} is better; best {shown} "
               f"at {words} = {best:g}{other}), the dotted one the fit time: where the solid line flattens, more buys nothing. "
               f"Mind the scale: over these values the {shown} spans {y.min():.4f}–{y.max():.4f}, a spread of "
               f"{spread:.4f} ({share:.1%} of the best)"
               + (f"; the grey dashed line is the Popularity baseline on the same split ({baseline:.4f})."
                  if baseline is not None and np.isfinite(baseline) else ".")
               + (" A difference this small can be chance: a sweep of the Seed measures how much."
                  if share < 0.05 else ""))
    hint = edge_hint(name, x, best, metric)
    return Chart(fig, f"{caption} {hint}".strip())


def _model_lines(frames: dict[str, pd.DataFrame], baseline: pd.DataFrame | None) -> list[tuple]:
    """(name, frame, ModelMark) per model, and the Popularity baseline's (dashed, grey)."""
    marks = model_marks(list(frames))
    lines = [(name, frame, marks[name]) for name, frame in frames.items()]
    if baseline is not None:
        lines.append((labels.BASELINE, baseline, BASELINE_MARK))
    return lines


ENDS_LABELLED = 3  # lines of a chart named at their ends: the legend is then a row on top, leaving the right free


def _name_line_ends(fig: go.Figure, lines: list[tuple], metric: str, x_of, height: int) -> None:
    """Write each line's name after its last point when the chart has room for them on its right (ENDS_LABELLED
    lines or fewer; more, and the legend takes that side): `x_of(frame)`: the last point's x as the axis takes
    it (log10 on a log axis)."""
    if len(lines) > ENDS_LABELLED:
        return
    ends = [(name, x_of(frame), float(frame[metric].iloc[-1]), mark.colour) for name, frame, mark in lines
            if len(frame) and np.isfinite(float(frame[metric].iloc[-1]))]
    values = pd.concat([frame[metric] for _, frame, _ in lines]).astype(float)
    values = values[np.isfinite(values)]
    if not ends or not len(values):
        return
    end_labels(fig, ends, height - MARGIN_TOP - MARGIN_BOTTOM, float(values.min()), float(values.max()))
    fig.update_layout(margin_r=max(fig.layout.margin.r or 0, 20 + 7 * max(len(name) for name, *_ in ends)))


def _error_bars(frame: pd.DataFrame, metric: str) -> dict | None:
    """± one standard error where the frame has one (`<metric> se`)."""
    error = frame.get(f"{metric} se")
    return None if error is None else dict(type="data", array=error.fillna(0), visible=True, thickness=1)


def activity_chart(tables: dict[str, pd.DataFrame], baseline: pd.DataFrame | None, metric: str, label: str) -> Chart:
    """A test metric per group of users by activity (the group's median interactions, log scale), one
    line per model with ± one standard error, and the Popularity baseline dashed in grey."""
    fig = go.Figure()
    lines = _model_lines(tables, baseline)
    for name, table, mark in lines:
        fig.add_trace(go.Scatter(
            x=table["median"], y=table[metric], mode="lines+markers", name=name,
            line=dict(color=mark.colour, dash=mark.dash), marker=dict(symbol=mark.symbol, size=8),
            error_y=_error_bars(table, metric), customdata=np.column_stack([table["group"], table["users"]]),
            hovertemplate=f"<b>{name}</b><br>users with %{{customdata[0]}} training interactions "
                          f"(%{{customdata[1]}} users): {label} %{{y:.3f}}<extra></extra>"))
    apply_layout(fig, f"{label} by how active the users are",
                 "training interactions per user (group median, log scale)",
                 f"{label} on the held-out interactions", height=400,
                 legend="top" if len(lines) <= ENDS_LABELLED else "right")
    fig.update_xaxes(**log_ticks(*(table["median"] for _, table, _ in lines)))
    _name_line_ends(fig, lines, metric, lambda table: float(np.log10(table["median"].iloc[-1])), 400)
    caption = ("Each point is one group of test users (equal-sized groups by activity, lightest left), its mean with "
               "± one standard error; the models of one split, on the same users. Where a line "
               "crosses another, each model serves a different kind of user better; the grey line is what "
               "recommending the most popular items achieves for the same users.")
    if label == "RMSE":
        caption = caption.replace("its mean with ± one standard error", "the RMSE over all its test ratings")
    return Chart(fig, caption)


def profile_curve_chart(curves: dict[str, pd.DataFrame], baseline: pd.DataFrame | None, metric: str,
                        label: str) -> Chart:
    """A test metric against how many of their interactions the users are known by (folded in), one
    line per model ending at its trained vectors ("all"), the Popularity baseline dashed in grey."""
    fig = go.Figure()
    lines = _model_lines(curves, baseline)
    for name, curve, mark in lines:
        fig.add_trace(go.Scatter(
            x=curve["label"], y=curve[metric], mode="lines+markers", name=name,
            line=dict(color=mark.colour, dash=mark.dash),
            marker=dict(symbol=mark.symbol, size=[7] * (len(curve) - 1) + [12]),
            error_y=_error_bars(curve, metric), customdata=curve["users"],
            hovertemplate=f"<b>{name}</b><br>known by %{{x}} interactions (%{{customdata}} test users): {label} "
                          "%{y:.3f}<extra></extra>"))
    apply_layout(fig, f"{label} of users known only by their first interactions",
                 "interactions the model is told (folded in; all = the trained user vectors)",
                 f"{label} on the held-out interactions", height=400,
                 legend="top" if len(lines) <= ENDS_LABELLED else "right")
    fig.update_xaxes(type="category")
    _name_line_ends(fig, lines, metric, lambda curve: curve["label"].iloc[-1], 400)
    caption = ("The same test users each time, told about 1, 2, 3, … of their training interactions (a random "
               "order, larger profiles holding the smaller) and folded into the model without retraining; the "
               "larger mark at \"all\" is what the model does with their whole training history. Where a line crosses the grey "
               "one, the model has learnt enough about a newcomer to beat recommending the most popular items. "
               "These users were in the training data with their whole histories, so the item vectors already "
               "know them: a user the model never saw may fare a little worse.")
    return Chart(fig, caption)


def training_replay(coords: np.ndarray, table: pd.DataFrame, colour: str, shares: tuple[np.ndarray, np.ndarray],
                    epochs: list[str], label: str) -> Chart:
    """The items' positions after the epochs `epochs` (coords: snapshots × items × 2, aligned so the
    last, the model kept, is the final PCA map), animated with a play button and an epoch slider;
    `table` (title, item and the colour column, one row per item) colours them; `shares` (each
    snapshot's share of the final neighbourhoods in place, and of the previous snapshot's kept) go
    in the caption."""
    groups = list(colour_groups(table.assign(x=0.0, y=0.0), colour, False))
    rows = [np.flatnonzero(table.index.isin(part.index)) for part, *_ in groups]
    hover = item_hover(hover_name(colour))
    detailed = len(table) <= HOVER_DETAILS_UP_TO

    def traces(epoch: int) -> list:
        return [go.Scatter(x=coords[epoch, r, 0], y=coords[epoch, r, 1], mode="markers", name=name,
                           customdata=item_data(part, shown, colour, detailed), hovertemplate=hover,
                           marker=dict(size=5, **marker))
                for r, (part, name, shown, marker) in zip(rows, groups, strict=True)]

    last = len(coords) - 1
    fig = go.Figure(traces(last), frames=[go.Frame(data=traces(e), name=epochs[e]) for e in range(len(coords))])
    span = np.abs(coords).max(axis=(0, 1)) * 1.05 + 1e-9
    steps = [dict(method="animate", label=epochs[e], args=[[epochs[e]], dict(mode="immediate", frame=dict(
        duration=0, redraw=False), transition=dict(duration=0))]) for e in range(len(coords))]
    apply_layout(fig, f"How the items moved while {label} trained", "final principal axis 1 (model units)",
                 "final principal axis 2 (model units)", height=600, legend="right",
                 margin=dict(b=130))
    fig.update_xaxes(range=[-span[0], span[0]])
    fig.update_yaxes(range=[-span[1], span[1]])
    fig.update_layout(
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=-0.16, xanchor="left", yanchor="top",
                          showactive=False, buttons=[
                              dict(label="▶ Play", method="animate", args=[None, dict(
                                  frame=dict(duration=450, redraw=False), transition=dict(duration=300),
                                  fromcurrent=True, mode="immediate")]),
                              dict(label="❚❚ Pause", method="animate", args=[[None], dict(
                                  frame=dict(duration=0, redraw=False), mode="immediate")])])],
        sliders=[dict(active=last, x=0.2, len=0.8, y=-0.12, yanchor="top", steps=steps,
                      currentvalue=dict(prefix="after epoch ", xanchor="right", font=dict(size=13)))])
    settled, kept = shares
    shown = [e for e in range(len(epochs)) if e in (0, 1, 2, 4, 9, 19) or e == len(epochs) - 1]
    caption = (f"The {coords.shape[1]:,} most popular items after each epoch, each epoch's vectors turned to match "
               "the final ones as closely as a rotation can (a model's factors are only defined up to one), on the "
               "final vectors' two principal axes: press Play, or drag the slider. Share of each item's 10 final "
               "cosine neighbours (among these items) already among its 10 nearest: "
               + ", ".join(f"epoch {epochs[e]} {settled[e]:.0%}" for e in shown)
               + " — 100% at the end by construction: it measures the way to where training stopped. Share of its 10 "
               "neighbours that were its neighbours one snapshot before: "
               + ", ".join(f"epoch {epochs[e]} {kept[e]:.0%}" for e in shown if e > 0)
               + (". Below 100% at the end, the neighbourhoods were still moving: more epochs (or another seed: a "
                  "seed sweep measures it) give other neighbours." if len(kept) > 1 and kept[-1] < 0.99 else
                  ": they had settled.")) + genre_note(fig, table, colour)
    return Chart(fig, caption)
