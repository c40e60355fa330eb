"""The Train page's accuracy by user activity: which users each model serves, next to the Popularity baseline."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import cache, train_figures, ui
from mfviz.dashboard.state import ModelEntry
from mfviz.dashboard.training import duration, split_identity, split_shown

SHOWN = 5  # models drawn by default: the active one and the latest others
LABELS = {"ndcg": "NDCG", "recall": "recall", "hit": "hit rate", "rmse": "RMSE"}


def metric_k(entry: ModelEntry) -> int | None:
    """The k of the top-k metrics a model was evaluated with (None without a test set)."""
    return next((int(key.split("@")[1]) for key in entry.metrics if key.startswith("ndcg@")), None)


def show(entries: dict[str, ModelEntry], active: str | None) -> None:
    """The section: pick models and a metric, see it per activity group of the test users."""
    from mfviz.evaluation.breakdown import by_activity
    from mfviz.evaluation.metrics import judged_by_rmse

    tested = {name: e for name, e in entries.items() if e.test is not None and metric_k(e) is not None}
    if not tested:
        return
    st.subheader("Which users each model serves")
    names = list(tested)
    default = ([active] if active in tested else []) + [n for n in reversed(names) if n != active]
    default = [n for n in default if split_identity(tested[n]) == split_identity(tested[default[0]])]  # one split
    columns = st.columns([3, 2])
    # keyed by the models there are, so a newly trained model joins the default choice
    chosen = columns[0].multiselect("Models", names, default=default[:SHOWN], key=f"served_models_{len(names)}",
                                    help="Models trained here with a test share. Those on the first one's split are "
                                         "drawn: the groups of users and the baseline are a split's own.")
    explicit = any(e.test.is_explicit for e in tested.values())
    options = ["ndcg", "recall", "hit"] + (["rmse"] if explicit else [])
    metric = columns[1].radio("Metric", options, format_func=LABELS.get, horizontal=True, key="served_metric",
                              help="NDCG, recall and hit rate of each test user's top k (training items left out); "
                                   "RMSE pools the group's test ratings (rating models only). The groups are of the "
                                   "test users with a training interaction: newcomers are in none, so this RMSE "
                                   "leaves out their ratings, which the results table's RMSE counts.")
    if not chosen:
        return
    # every model at the first one's k (a model trained with another k is scored again at this one)
    anchor = tested[chosen[0]]
    # Models of the first one's split only: users, groups and baseline belong to a split (the baseline of one split
    # was drawn against models of another, and "from 1 interaction" said of a model that needs 10 on its own split).
    apart = [name for name in chosen if split_identity(tested[name]) != split_identity(anchor)]
    if apart:
        st.info(f"Not drawn: {', '.join(apart)}, trained on another split than {chosen[0]} "
                f"({split_shown(anchor)}). Users, their groups and the Popularity baseline are those of one split: "
                "to draw those, remove the models of this split from the box.", icon=":material/call_split:")
        chosen = [name for name in chosen if name not in apart]
    elif others := [name for name in names if name not in chosen
                    and split_identity(tested[name]) != split_identity(anchor)]:
        st.caption(f"Models of other splits ({', '.join(others)}) are drawn with their own split's models only: "
                   "choose them in the box instead of these.")
    k = metric_k(anchor)
    tables, baseline = {}, None
    with ui.guard("Scoring the test users"):
        for name in chosen:
            entry = tested[name]
            if metric == "rmse" and not (judged_by_rmse(entry.model) and entry.test.is_explicit):
                continue  # a ranking model's RMSE measures nothing it was trained for
            activity = np.diff(entry.train.matrix.indptr)
            tables[name] = by_activity(cache.per_user_metrics(entry.key, entry.model, entry.test, k), activity)
        if metric != "rmse":  # the baseline on the first model's split
            baseline = by_activity(cache.popularity_per_user(anchor.key, anchor.train, anchor.test, k),
                                   np.diff(anchor.train.matrix.indptr))
    if not tables:
        st.info("RMSE applies to the rating models (Funk SVD, SVD++, ALS); pick one of them or another metric.",
                icon=":material/straighten:")
        return
    column = metric if metric in ("rmse", "hit") else f"{metric}@{k}"
    label = LABELS[metric] + ("" if metric == "rmse" else f"@{k}")
    ui.show(train_figures.activity_chart(tables, baseline, column, label))
    candidates = tables | ({"the Popularity baseline": baseline} if baseline is not None else {})
    st.caption(_summary(candidates, column, label, lower_is_better=metric == "rmse"))
    _new_users({name: tested[name] for name in tables}, anchor, k, metric, column, label)


def _new_users(chosen: dict[str, ModelEntry], anchor: ModelEntry, k: int, metric: str, column: str,
               label: str) -> None:
    """How much a new user must tell each model: the metric of test users folded in from their
    first 1, 2, 3, … interactions, next to their trained vectors and the Popularity baseline."""
    from mfviz.evaluation.breakdown import curve_sizes, too_few_for_curve

    st.markdown("**How much a new user must tell the model**")
    # Small data has too few test users for this curve: said here, and the rest of the page goes on
    short = {name: e for name, e in chosen.items() if not curve_sizes(e.train, e.test)}
    splits = {split_identity(e): e for e in short.values()}  # one sentence per split: its own count of users
    for split, entry in splits.items():
        names = ", ".join(name for name, e in short.items() if split_identity(e) == split)
        st.info(f"{names}: {too_few_for_curve(entry.train, entry.test)}.", icon=":material/person:")
    chosen = {name: e for name, e in chosen.items() if name not in short}
    if not chosen:
        return
    if anchor.key not in {e.key for e in chosen.values()}:
        anchor = next(iter(chosen.values()))  # the baseline on a split that has the users
    chosen = _quick_or_asked(chosen)
    if not chosen:
        return
    with ui.guard("Folding in users from their first interactions"):
        curves = {name: cache.profile_curve(e.key, e.model, e.train, e.test, k) for name, e in chosen.items()}
        baseline = None if metric == "rmse" else cache.popularity_profile_curve(anchor.key, anchor.train,
                                                                                 anchor.test, k)
    ui.show(train_figures.profile_curve_chart(curves, baseline, column, label))
    if baseline is None:
        return
    level = float(baseline[column].iloc[0])
    words = []
    for name, curve in curves.items():
        told = curve[(curve["size"] > 0) & (curve[column] > level)]
        first = int(told["size"].iloc[0]) if len(told) else 0
        words.append(f"{name} from {first} interaction{'s' if first > 1 else ''}" if len(told) else
                     f"{name} not within {int(curve['size'].max())}" +
                     (" (only with its whole training history)" if curve[column].iloc[-1] > level else ""))
    st.caption(f"Better than the Popularity baseline ({label} {level:.3f} for these users): " + "; ".join(words) + ".")


FOLD_IN_NOW = 8.0  # seconds: a model whose curve is estimated to take longer is folded in on a click
ASKED = "mfviz.curves_asked"  # keys of the models whose slow curve the user asked for
CURVES_DONE: set[str] = set()  # keys of the models whose curve the background has worked out (cached)


def curve_seconds(entry: ModelEntry) -> float:
    """A rough estimate of the seconds `profile_size_curve` takes for this model: one fold-in per user and
    profile size, each an exact k×k solve for ALS and implicit ALS with solver="cholesky" (ALS at 1,024
    factors took 45 s on MovieLens 100K while the page waited) — as many solves as an epoch over that many
    rows (training.epoch_seconds); 0 for models whose fold-in is cheap or unknown."""
    from types import SimpleNamespace

    from mfviz.dashboard.training import epoch_seconds
    from mfviz.evaluation.breakdown import CURVE_USERS, PROFILE_SIZES

    folds = SimpleNamespace(n_users=CURVE_USERS * len(PROFILE_SIZES), n_items=0,
                            nnz=CURVE_USERS * sum(PROFILE_SIZES))
    return epoch_seconds(entry.kind, entry.params, folds) or 0.0


def _quick_or_asked(chosen: dict[str, ModelEntry]) -> dict[str, ModelEntry]:
    """The models whose curve is drawn now: the quick ones, and the slow ones asked for with a button
    (which says roughly how long), so that one large model does not hold up the page for a minute."""
    asked = st.session_state.setdefault(ASKED, set())
    slow = {name: seconds for name, e in chosen.items()
            if e.key not in asked and e.key not in CURVES_DONE and (seconds := curve_seconds(e)) > FOLD_IN_NOW}
    for name, seconds in slow.items():
        if st.button(f"Fold in users for {name} too (roughly {duration(seconds)})", key=f"curve_{chosen[name].key}",
                     help="Each of up to 500 test users folded in from their first 1, 2, 3, 5, 10 and 20 "
                          "interactions: for this model an exact k×k solve each."):
            asked.add(chosen[name].key)
            st.rerun()
    return {name: e for name, e in chosen.items() if name not in slow}


def _summary(tables, column: str, label: str, lower_is_better: bool) -> str:
    """Which model (or the baseline) does best for the lightest and for the heaviest users, in one sentence."""
    first = next(iter(tables.values()))
    groups = [f"{first['group'].iloc[row]} training interaction{'' if str(first['group'].iloc[row]) == '1' else 's'}"
              for row in (0, -1)]
    if len(tables) == 1:
        name = next(iter(tables))
        return (f"{name}: {label} {first[column].iloc[0]:.3f} for the lightest users ({groups[0]}), "
                f"{first[column].iloc[-1]:.3f} for the heaviest ({groups[1]}).")
    pick = min if lower_is_better else max
    ends = []
    for end, row, group in (("lightest users", 0, groups[0]), ("heaviest", -1, groups[1])):
        best = pick(tables, key=lambda name: tables[name][column].iloc[row])
        ends.append(f"for the {end} ({group}) {best}, {label} {tables[best][column].iloc[row]:.3f}")
    return "Best " + "; ".join(ends) + "."
