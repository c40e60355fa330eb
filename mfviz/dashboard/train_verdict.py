"""The verdict on a model a training made the one shown: below the Popularity baseline, below the model the pages
showed before (user by user, on the same split), or both; and the button that shows the earlier model again."""

from __future__ import annotations

import streamlit as st

from mfviz.dashboard import cached_metrics, state, ui, versus_baseline, versus_earlier
from mfviz.dashboard.plain import plain


def verdict_of(job, entry) -> tuple[str, bool, bool] | None:
    """(the verdict in words, below the baseline?, below the model shown before?) for `entry`, the model a training
    made the one shown: its lists do not beat the Popularity baseline, or it does worse than the model the pages showed
    before the training, or both in one sentence with every number; None when neither."""
    baseline = versus_baseline.shortfall(entry)
    # worse than the model shown before (the page's default implicit ALS under the quick default on MovieLens 100K,
    # 0.358 against 0.403 NDCG@10): said, with both numbers, and that model offered back
    earlier = below_shown_before(job, entry)
    if baseline and earlier:
        before, metric, paired = earlier
        return versus_earlier.below_both(entry, before, baseline, metric, paired), True, True
    if baseline:  # "the pages now show it" is said before it, in `brief`
        return versus_baseline.below_baseline(entry, shown=False), True, False
    if earlier:
        return versus_earlier.below_earlier(entry, *earlier), False, True
    return None


def below_shown_before(job, entry) -> tuple | None:
    """(the model the pages showed before the training, the metric, the paired NDCG difference) when `entry`
    (the model just trained, or a sweep's choice) does worse than that model on the same split by the metric the
    comparison chart uses ("Compare by"; NDCG@k by default), else None."""
    before = ui.models().get(job.shown_before)
    if before is None or entry is None:
        return None
    metric = st.session_state.get(state.COMPARE_METRIC)
    if versus_earlier.gap(entry, before, metric) is None:
        return None
    key = versus_earlier.compared_by(entry, before, metric)
    paired = None
    if key.startswith("ndcg@"):
        from mfviz.evaluation.breakdown import paired_difference

        k_ = int(key.partition("@")[2])
        with ui.guard("Comparing with the model shown before, user by user", stop=False):
            paired = paired_difference(cached_metrics.per_user_metrics(entry.key, entry.model, entry.test, k_),
                                       cached_metrics.per_user_metrics(before.key, before.model, before.test, k_),
                                       key)
    return before, metric, paired


def show_again(job, entry, shown: bool, beyond_baseline: bool = True) -> None:
    """Under a new model that is now shown on every page and ranks below the baseline, or below the model shown
    before: a button showing that model again, when it is better (above the baseline, when that is the reason: a
    presenter who tried a model should not have to find the good one in a picker to go on)."""
    before = ui.models().get(job.shown_before)
    if not shown or before is None or before is entry or not any(name.startswith("ndcg@") for name in before.metrics):
        return
    if beyond_baseline and versus_baseline.below_baseline(before) is not None:
        return
    why = ("beats the Popularity baseline" if beyond_baseline else f"does better than {plain(entry.name)} on this split")
    if st.button(f"Show **{plain(before.name)}** on the pages again", key="train_show_before", icon=":material/undo:",
                 help=f"{plain(before.name)} was shown before this training and {why}; "
                      f"{plain(entry.name)} stays in the session (pick it in any page's Model box)."):
        st.session_state[state.ACTIVE_MODEL] = before.name
        st.rerun()

