"""A new model against the model the pages showed before its training: whether it does worse on the same split by
the metric the Train page compares models by, said in words with both numbers, so the earlier one can be offered
back (implicit ALS at its 64 factors, NDCG@10 0.358 on MovieLens 100K, under the quick default's 0.403)."""

from __future__ import annotations

import math

from mfviz.dashboard.model_names import metric_label
from mfviz.dashboard.versus_baseline import ranked_users, split_identity, users_words

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


def below_earlier(new, before, metric: str | None, paired: tuple[float, float, int] | None = None) -> str | None:
    """A sentence when `new` does worse than `before` (the model shown before it) on the same split by `compared_by`:
    "It ranks below **Implicit ALS (quick default)**, the model the pages showed before: NDCG@10 0.358 against 0.403
    on the same split", with, when given, `paired` (new minus before user by user, the half-width of its 95% interval
    and the users: evaluation.breakdown.paired_difference) to say whether beyond noise. None when it does as well or
    better, or when the two cannot be compared (another split, no metric in common, the same model)."""
    if before is None or before is new or before.name == new.name or not same_split(new, before):
        return None
    key = compared_by(new, before, metric)
    if key is None:
        return None
    ours, theirs = new.metrics[key], before.metrics[key]
    lower_is_better = key.split("@")[0] in LOWER_IS_BETTER
    if not (ours > theirs if lower_is_better else ours < theirs):
        return None
    verb = "predicts ratings worse than" if lower_is_better else "ranks below"
    said = (f"It {verb} **{before.name}**, the model the pages showed before: {metric_label(key)} {ours:.3f} against "
            f"{theirs:.3f} on the same split")
    if paired is not None and paired[2] and math.isfinite(paired[0]):
        difference, half_width, users = paired
        noise = ("beyond noise" if math.isfinite(half_width) and abs(difference) > half_width else
                 "within noise: no evidence either way")
        said += (f" (user by user {difference:+.3f} ± {half_width:.3f} on {users_words(users, ranked_users(new))}, "
                 f"{noise})").replace("-", "−")
    return said + "."
