"""The Train page's accuracy by user activity: which users each model serves, next to the Popularity baseline."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mfviz.dashboard import cached_metrics, train_figures, ui
from mfviz.dashboard.fit_time import duration
from mfviz.dashboard.plain import plain
from mfviz.dashboard.state import ModelEntry
from mfviz.dashboard.training import split_shown
from mfviz.dashboard.versus_baseline import split_identity

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
        st.info(f"Not drawn: {plain(', '.join(apart))}, trained on another split than {plain(chosen[0])} "
                f"({split_shown(anchor)}). Users, their groups and the Popularity baseline are those of one split: "
                "to draw those, remove the models of this split from the box.", icon=":material/call_split:")
        chosen = [name for name in chosen if name not in apart]
    elif others := [name for name in names if name not in chosen
                    and split_identity(tested[name]) != split_identity(anchor)]:
        st.caption(f"Models of other splits ({plain(', '.join(others))}) are drawn with their own split's models only: "
                   "choose them in the box instead of these.")
    k = metric_k(anchor)
    tables, baseline, users = {}, None, {}
    activity = np.diff(anchor.train.matrix.indptr)  # one split: one training part
    with ui.guard("Scoring the test users"):
        for name in chosen:
            entry = tested[name]
            if metric == "rmse" and not (judged_by_rmse(entry.model) and entry.test.is_explicit):
                continue  # a ranking model's RMSE measures nothing it was trained for
            users[name] = cached_metrics.per_user_metrics(entry.key, entry.model, entry.test, k)
            tables[name] = by_activity(users[name], activity)
        if metric != "rmse":  # the baseline on the first model's split
            users["the Popularity baseline"] = cached_metrics.popularity_per_user(anchor.key, anchor.train, anchor.test,
                                                                                  k)
            baseline = by_activity(users["the Popularity baseline"], activity)
    if not tables:
        st.info("RMSE applies to the rating models (Funk SVD, SVD++, ALS); pick one of them or another metric.",
                icon=":material/straighten:")
        return
    column = metric if metric in ("rmse", "hit") else f"{metric}@{k}"
    label = LABELS[metric] + ("" if metric == "rmse" else f"@{k}")
    ui.show(train_figures.activity_chart(tables, baseline, column, label))
    st.caption(_summary(users, activity, column, label, lower_is_better=metric == "rmse"))
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
        st.info(f"{plain(names)}: {too_few_for_curve(entry.train, entry.test)}.", icon=":material/person:")
    chosen = {name: e for name, e in chosen.items() if name not in short}
    if not chosen:
        return
    if anchor.key not in {e.key for e in chosen.values()}:
        anchor = next(iter(chosen.values()))  # the baseline on a split that has the users
    chosen = _quick_or_asked(chosen)
    if not chosen:
        return
    with ui.guard("Folding in users from their first interactions"):
        curves = {name: cached_metrics.profile_curve(e.key, e.model, e.train, e.test, k) for name, e in chosen.items()}
        baseline = None if metric == "rmse" else cached_metrics.popularity_profile_curve(anchor.key, anchor.train,
                                                                                 anchor.test, k)
    ui.show(train_figures.profile_curve_chart(curves, baseline, column, label))
    if baseline is None:
        return
    rows = {name: cached_metrics.profile_rows(e.key, e.model, e.train, e.test, k) for name, e in chosen.items()}
    baseline_rows = cached_metrics.popularity_profile_rows(anchor.key, anchor.train, anchor.test, k)
    st.caption(beats_baseline_words(rows, curves, baseline_rows, baseline, column, label))


def beats_baseline_words(rows: dict, curves: dict, baseline_rows, baseline, column: str, label: str) -> str:
    """From how many interactions each model beats the Popularity baseline beyond noise, in one sentence: the first
    profile size whose paired 95% interval of the per-user difference lies above 0 (`first_size_beating`). On
    MovieLens 100K implicit ALS's 0.252 against 0.248 at 10 interactions (+0.004, SE 0.009) read "from 10"."""
    from mfviz.evaluation.breakdown import first_size_beating

    level = float(baseline[column].iloc[0])
    words = []
    for name, curve in curves.items():
        first, trained = first_size_beating(rows[name], baseline_rows, column)
        words.append(f"{name} from {first} interaction{'s' if first > 1 else ''}" if first is not None else
                     f"{name} not within {int(curve['size'].max())}"
                     + (" (only with its whole training history)" if trained else ""))
    return (f"Better than the Popularity baseline ({label} {level:.3f} for these users) beyond noise: "
            + "; ".join(words) + ". Beyond noise: the 95% interval of the difference, user by user on the same users, "
            "lies above 0; a curve above the baseline's line by less than that is no evidence.")


FOLD_IN_NOW = 8.0  # seconds: a model whose curve is estimated to take longer is folded in on a click
ASKED = "mfviz.curves_asked"  # keys of the models whose slow curve the user asked for
CURVES_DONE: set[str] = set()  # keys of the models whose curve the background has worked out (cached)


def curve_seconds(entry: ModelEntry) -> float:
    """A rough estimate of the seconds `profile_size_curve` takes for this model: one fold-in per user and
    profile size, each an exact k×k solve for ALS and implicit ALS with solver="cholesky" (ALS at 1,024
    factors took 45 s on MovieLens 100K while the page waited) — as many solves as an epoch over that many
    rows (fit_time.epoch_seconds); 0 for models whose fold-in is cheap or unknown."""
    from types import SimpleNamespace

    from mfviz.dashboard.fit_time import epoch_seconds
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
        if st.button(f"Fold in users for {plain(name)} too (roughly {duration(seconds)})", key=f"curve_{chosen[name].key}",
                     help="Each of up to 500 test users folded in from their first 1, 2, 3, 5, 10 and 20 "
                          "interactions: for this model an exact k×k solve each."):
            asked.add(chosen[name].key)
            st.rerun()
    return {name: e for name, e in chosen.items() if name not in slow}


def _summary(users: dict, activity, column: str, label: str, lower_is_better: bool) -> str:
    """Which model (or the baseline) does best for the lightest and for the heaviest users, in one sentence, from
    each one's per-user metrics (`users`, on one split) and the training `activity` of every user. A model is named
    best only when the paired 95% interval of its difference from each other, the runner-up included, excludes 0
    (`clear_best`); otherwise the ones within noise of it are said to tie. On MovieLens 100K "Best for the lightest
    users Implicit ALS, 0.285" rested on +0.015 ± 0.026 over Truncated SVD."""
    from mfviz.evaluation.breakdown import activity_groups, by_activity, clear_best

    first = next(iter(users.values()))
    table = by_activity(first, activity)
    groups = [f"{table['group'].iloc[row]} training interaction{'' if str(table['group'].iloc[row]) == '1' else 's'}"
              for row in (0, -1)]
    if len(users) == 1:
        name = next(iter(users))
        return (f"{name}: {label} {table[column].iloc[0]:.3f} for the lightest users ({groups[0]}), "
                f"{table[column].iloc[-1]:.3f} for the heaviest ({groups[1]}).")
    group_of = activity_groups(np.asarray(activity)[first["user"].to_numpy()])
    ends = []
    for end, group, words in (("For the lightest users", group_of.min(), groups[0]),
                              ("For the heaviest", group_of.max(), groups[1])):
        inside = first["user"].to_numpy()[group_of == group]
        leader = clear_best({name: frame[frame["user"].isin(inside)] for name, frame in users.items()}, column,
                            lower_is_better)
        top = leader.order[0]
        lead = ("too few users to tell them apart" if not np.isfinite(leader.half_width) else
                f"{top} ahead of {leader.runner_up} by {leader.difference:.3f} ± {leader.half_width:.3f}")
        if leader.best is not None:
            ends.append(f"{end} ({words}): {top} does best, {label} {leader.values[top]:.3f} ({lead})")
        else:
            values = [f"{leader.values[name]:.3f}" for name in leader.tied]
            ends.append(f"{end} ({words}): no clear best, {_and(leader.tied)} tie ({label} {_and(values)}; "
                        f"{lead}, within noise)")
    return ". ".join(ends) + (". ± : the 95% interval of the difference, user by user on the same users; a "
                              "difference within it is no evidence either way.")


def _and(words: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
