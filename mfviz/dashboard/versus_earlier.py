"""A new model against the model the pages showed before its training: whether it does worse on the same split by
the metric the Train page compares models by, said in words with both numbers, so the earlier one can be offered
back (implicit ALS at its 64 factors, NDCG@10 0.358 on MovieLens 100K, under the quick default's 0.403); and, when it
also falls short of the Popularity baseline, both facts in one sentence, short enough that the way back stays on a
1,280 × 720 screen under it (two warnings pushed the button below 720 px)."""

from __future__ import annotations

import math

from mfviz.dashboard.model_names import metric_label
from mfviz.dashboard.versus_baseline import Shortfall, ranked_users, split_identity, users_words

LOWER_IS_BETTER = ("rmse", "mae")


def compared_by(new, before, metric: str | None) -> str | None:
    """The metric to compare two models by: `metric` (the comparison chart's "Compare by") when both have a value
    of it, else the NDCG@k both have (the chart's own default), else None."""
    for key in ([metric] if metric else []) + sorted(key for key in new.metrics if key.startswith("ndcg@")):
        if all(math.isfinite(entry.metrics.get(key, math.nan)) for entry in (new, before)):
            return key
    return None


def same_split(new, before) -> bool:
    """Whether both models were scored on the same test part (same data, split settings), so their numbers compare."""
    return new.test is not None and before.test is not None and split_identity(new) == split_identity(before)


def gap(new, before, metric: str | None) -> tuple[str, float, float] | None:
    """(metric, new's value, before's) when `new` does worse than `before` (the model shown before it) on the same split
    by `compared_by`; None when it does as well or better, or when the two cannot be compared (another split, no
    metric in common, the same model)."""
    if before is None or before is new or before.name == new.name or not same_split(new, before):
        return None
    key = compared_by(new, before, metric)
    if key is None:
        return None
    ours, theirs = new.metrics[key], before.metrics[key]
    lower_is_better = key.split("@")[0] in LOWER_IS_BETTER
    return (key, ours, theirs) if (ours > theirs if lower_is_better else ours < theirs) else None


def verb(key: str) -> str:
    """How a model doing worse by `key` is said: it predicts ratings worse (RMSE, MAE), or it ranks below."""
    return "predicts ratings worse than" if key.split("@")[0] in LOWER_IS_BETTER else "ranks below"


def noise(paired: tuple[float, float, int]) -> str:
    """Whether a paired difference lies beyond noise (its 95% interval wholly on one side of 0)."""
    difference, half_width, _ = paired
    return ("beyond noise" if math.isfinite(half_width) and abs(difference) > half_width else
            "within noise: no evidence either way")


def usable(paired: tuple[float, float, int] | None) -> bool:
    """Whether a paired difference was measured (some users, a finite difference)."""
    return paired is not None and bool(paired[2]) and math.isfinite(paired[0])


def below_earlier(new, before, metric: str | None, paired: tuple[float, float, int] | None = None) -> str | None:
    """A sentence when `new` does worse than `before` (the model shown before it) on the same split by `compared_by`:
    "It ranks below **Implicit ALS (quick default)**, the model the pages showed before: NDCG@10 0.358 against 0.403
    on the same split", with, when given, `paired` (new minus before user by user, the half-width of its 95% interval
    and the users: evaluation.breakdown.paired_difference) to say whether beyond noise. None when it does as well or
    better, or when the two cannot be compared (another split, no metric in common, the same model)."""
    found = gap(new, before, metric)
    if found is None:
        return None
    key, ours, theirs = found
    said = (f"It {verb(key)} **{before.name}**, the model the pages showed before: {metric_label(key)} {ours:.3f} "
            f"against {theirs:.3f} on the same split")
    if usable(paired):
        difference, half_width, users = paired
        said += (f" (user by user {difference:+.3f} ± {half_width:.3f} on {users_words(users, ranked_users(new))}, "
                 f"{noise(paired)})").replace("-", "−")
    return said + "."


def _paired(paired: tuple[float, float, int]) -> str:
    """"−0.041 ± 0.010" (± left out when the interval could not be measured)."""
    difference, half_width, _ = paired
    return (f"{difference:+.3f}" + (f" ± {half_width:.3f}" if math.isfinite(half_width) else "")).replace("-", "−")


def below_both(new, before, baseline: Shortfall, metric: str | None,
               paired: tuple[float, float, int] | None = None) -> str | None:
    """One sentence when `new` falls short of the Popularity baseline (`baseline`: versus_baseline.shortfall) and does
    worse than `before`, the model shown before it (`below_earlier`'s `metric` and `paired`), with every number of
    both, short enough to leave the way back on a 720 px screen under "Trained …" (train_outcome.outcome_of): "Its lists do
    not beat the Popularity baseline and rank below **Implicit ALS (quick default)**, shown before: NDCG@10 0.012
    against 0.053 and 0.387 on the same split (user by user: −0.041 ± 0.010 and −0.375 ± 0.021 on 60 users, both
    beyond noise)." None when `new` does not do worse than `before`."""
    found = gap(new, before, metric)
    if found is None:
        return None
    key, ours, theirs = found
    k, of = baseline.k, ranked_users(new)
    base_noise = "beyond noise" if baseline.worse else "within noise"
    if key == f"ndcg@{k}":  # by the same metric: the three numbers once
        said = (f"Its lists do not beat the Popularity baseline and rank below **{before.name}**, shown before: "
                f"{metric_label(key)} {ours:.3f} against {baseline.theirs:.3f} and {theirs:.3f} on the same split")
        if not usable(paired):
            return said + (f" (user by user against the baseline {_paired(baseline.paired)} on "
                           f"{users_words(baseline.paired[2], of)}, {base_noise}).")
        both = noise(paired).split(":")[0]
        noises = f"both {both}" if both == base_noise else f"the first {base_noise}, the second {both}"
        if paired[2] == baseline.paired[2]:
            return said + (f" (user by user: {_paired(baseline.paired)} and {_paired(paired)} on "
                           f"{users_words(paired[2], of)}, {noises}).")
        return said + (f" (user by user: {_paired(baseline.paired)} on {users_words(baseline.paired[2], of)} and "
                       f"{_paired(paired)} on {users_words(paired[2], of)}, {noises}).")
    # by another metric (RMSE when "Compare by" is set to it): each fact with its own numbers
    earlier = f" ({metric_label(key)} {ours:.3f} against {theirs:.3f}"
    if usable(paired):
        earlier += f"; user by user {_paired(paired)} on {users_words(paired[2], of)}, {noise(paired).split(':')[0]}"
    return (f"Its lists do not beat the Popularity baseline (NDCG@{k} {baseline.ours:.3f} against "
            f"{baseline.theirs:.3f}; user by user {_paired(baseline.paired)} on {users_words(baseline.paired[2], of)}, "
            f"{base_noise}), and it {verb(key)} **{before.name}**, shown before{earlier}), on the same split.")
