"""A model's report as one self-contained HTML file, to hand to people who will not open the
dashboard: the data, the model, its test metrics next to the Popularity baseline, which users it
serves, how much a new user must tell it, its popularity bias, the map of its items and a few neighbour lists."""

from __future__ import annotations

import datetime
import html

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs

from mfviz.dashboard import labels, train_figures, verdicts
from mfviz.dashboard.figures import Chart

RANKING = ("precision", "recall", "ndcg", "map", "hit_rate", "coverage")
NEIGHBOUR_ITEMS = 3  # the most popular items whose nearest items are listed
# What each number measures, for readers who do not know the terms ({k}: the list length)
MEANINGS = {"precision": "share of the {k} recommended items the user went on to have (held out)",
            "recall": "share of the user's held-out items found among the {k}",
            "ndcg": "ranking quality: held-out items count more the nearer the top of the {k} (1 = all at the top)",
            "map": "mean average precision: the precision at each held-out item found, averaged",
            "hit_rate": "share of users with at least one held-out item among their {k}",
            "coverage": "share of the catalogue recommended to at least one test user",
            "rmse": "typical error of a predicted rating, in rating points (root mean square)",
            "mae": "mean absolute error of a predicted rating, in rating points"}


# Every held-out interaction is relevant, a 1-star rating too (as implicit's and RecBole's metrics count them): said
# under each metric that counts them, as a reader of ratings may take "hit" for "liked".
RELEVANT = "; every held-out item counts, whatever its rating"


def meaning(metric: str, k: int) -> str:
    """What a metric of the table measures, in a few plain words."""
    name = metric.split("@")[0]
    return MEANINGS.get(name, "").format(k=k) + (RELEVANT if name in RANKING and name != "coverage" else "")


def in_short(name: str, ours: dict, theirs: dict, k: int, bias, baseline_bias,
             paired: tuple[float, float, int] | None = None) -> str:
    """The report's first paragraph: whether the model beats recommending the most popular items to
    everyone beyond noise (`paired`: its NDCG@k minus the baseline's user by user, the half-width of the
    paired 95% interval and the users, as the Train page's verdict), and how far its lists reach into the long
    tail, against that baseline."""
    from mfviz.dashboard.versus_baseline import BETTER, TIE, paired_numbers, verdict_word

    column = f"ndcg@{k}"
    verdict = ""
    if column in ours and column in theirs and theirs[column] > 0 and paired is not None and paired[2]:
        word = verdict_word(*paired[:2])
        said = {BETTER: "beat", TIE: "tie with"}.get(word, "rank below")
        verdict = (f"Its top-{k} lists {said} recommending the most popular items to everyone "
                   f"{'within' if word == TIE else 'beyond'} noise: NDCG@{k} {ours[column]:.3f} against "
                   f"{theirs[column]:.3f} ({ours[column] / theirs[column]:.2f}× the baseline's ranking quality; "
                   f"{paired_numbers(*paired, k, of=int(ours.get('users_evaluated') or 0) or None)}, user by user). ")
    return (f"{verdict}Of {name}'s recommendations, {100 * bias.aplt:.0f}% are long-tail items (the baseline's: "
            f"{100 * baseline_bias.aplt:.0f}%), and {100 * bias.coverage:.0f}% of the catalogue is recommended to "
            f"someone (the baseline's: {100 * baseline_bias.coverage:.0f}%).")


def _table(frame: pd.DataFrame) -> str:
    from mfviz.dashboard.training import NO_VALUE

    # a cell without a value (the baseline's RMSE) reads "–", as in the Train page's table, not "NaN"
    return frame.to_html(index=False, border=0, classes="grid", float_format=lambda v: f"{v:.4g}", escape=True,
                         na_rep=NO_VALUE)


def _metrics(model, train, test, k: int) -> tuple[dict[str, float], int]:
    """(the metrics the Train page's table shows, the number of test users ranked for them)."""
    from mfviz.dashboard.training import evaluate
    from mfviz.evaluation.metrics import judged_by_rmse

    result = evaluate(model, train, test, k)  # as the Train page's table: the same sampled users
    rates = judged_by_rmse(model) and test.is_explicit  # as the Train page's table
    return ({key: float(value) for key, value in result.items()
             if key.split("@")[0] in RANKING or (key in ("rmse", "mae") and rates)}, int(result["users_evaluated"]))


def build(name: str, model, train, test, data, data_name: str, k: int = 10, item_map: Chart | None = None) -> str:
    """The report of model `name`, fitted on `train` (the training part of `data`, an Interactions),
    scored on `test`; the Popularity baseline is fitted on the same training part. `item_map`: the map of
    its items, shown after the summary."""
    from mfviz.analysis import popularity_report
    from mfviz.dashboard.model_names import metric_label
    from mfviz.dashboard.versus_baseline import BEYOND_NOISE
    from mfviz.evaluation.breakdown import (
        by_activity,
        curve_sizes,
        first_size_beating,
        paired_difference,
        per_user,
        profile_size_per_user,
        summarise_profile_sizes,
        too_few_for_curve,
    )
    from mfviz.evaluation.metrics import known_users
    from mfviz.models import Popularity

    baseline = Popularity().fit(train)
    (ours, ranked), (theirs, _) = _metrics(model, train, test, k), _metrics(baseline, train, test, k)
    in_test = test.matrix.getnnz(axis=1).astype(bool)
    tested = int(in_test.sum())
    # the test users with no training interaction are left out of the ranking metrics (known_users), not sampled
    strangers = int((in_test & ~known_users(train)).sum())
    rankable = tested - strangers
    sample = ((f" Ranking metrics on the {rankable:,} test users with a training interaction: the split held out "
               f"every interaction of the other {strangers:,}, so the model learned nothing of them (their lists "
               "would compare fallbacks, not models)." if strangers else "")
              + (f" Ranking metrics on a seeded sample of {ranked:,} of the {rankable:,} test users"
                 f"{' with a training interaction' if strangers else ''} (the same for both)."
                 if ranked < rankable else "")
              + (" RMSE and MAE on every held-out rating." if ranked < tested else ""))
    metrics = pd.DataFrame({"metric": [metric_label(key) for key in ours], name: list(ours.values()),
                            labels.BASELINE: [theirs.get(key, np.nan) for key in ours],
                            "what it measures": [meaning(key, k) for key in ours]})
    activity = np.diff(train.matrix.indptr)
    users, baseline_users = per_user(model, test, k, max_users=5_000), per_user(baseline, test, k, max_users=5_000)
    served, served_baseline = {name: by_activity(users, activity)}, by_activity(baseline_users, activity)
    column = f"ndcg@{k}"
    paired = paired_difference(users, baseline_users, column)  # the same users: the Train page's verdict
    charts = [train_figures.activity_chart(served, served_baseline, column, f"NDCG@{k}")]
    if curve_sizes(train, test):
        rows, baseline_rows = profile_size_per_user(model, train, test, k), profile_size_per_user(baseline, train,
                                                                                                  test, k)
        curve, curve_baseline = summarise_profile_sizes(rows), summarise_profile_sizes(baseline_rows)
        charts.append(train_figures.profile_curve_chart({name: curve}, curve_baseline, column, f"NDCG@{k}"))
        level, fewest = float(curve_baseline[column].iloc[0]), int(curve_baseline["size"].iloc[0])
        beats, _ = first_size_beating(rows, baseline_rows, column)  # beyond noise, as the Train page says it
        label = f"NDCG@{k}"  # as the charts and the summary write it
        # named as other users than the test's above: "0.044 for these users" next to the test's 0.053 read as
        # two values of one number
        baseline_there = (f"the baseline's {label} for them: {level:.3f} from {fewest} "
                          f"interaction{'s' if fewest > 1 else ''}")
        new_users = (f"A new user, folded in from their first interactions: it beats the Popularity baseline beyond "
                     f"noise from {beats} interaction{'s' if beats > 1 else ''} ({baseline_there})."
                     if beats is not None else f"A new user, folded in from their first interactions: it does not "
                     f"beat the Popularity baseline beyond noise within {int(curve['size'].max())} interactions "
                     f"({baseline_there}).")
        new_users_part = [charts[1].figure.to_html(full_html=False, include_plotlyjs=False),
                          f"<p>{html.escape(charts[1].caption)} {html.escape(new_users)} {html.escape(BEYOND_NOISE)}</p>"]
    else:  # small data: too few test users to measure it
        new_users = ""
        new_users_part = [f"<p>Not measured: {html.escape(too_few_for_curve(train, test))}.</p>"]
    # APLT and coverage in % with one decimal, as the Popularity bias page shows them
    reports = {name: popularity_report(model, data, k=k),
               # as the Popularity bias page: the baseline of all the data
               labels.BASELINE: popularity_report(Popularity().fit(data), data, k=k)}
    bias = pd.DataFrame([{"model": label, "ARP (mean popularity)": r.arp,
                          "APLT (long tail in lists, %)": f"{100 * r.aplt:.1f}",
                          "catalogue coverage (%)": f"{100 * r.coverage:.1f}", "Gini (0 = even)": r.gini}
                         for label, r in reports.items()])
    popularity = np.diff(data.matrix.tocsc().indptr)
    rows = []
    for item in np.argsort(-popularity, kind="stable")[:NEIGHBOUR_ITEMS]:
        for metric in ("cosine", "dot"):
            ids, _ = model.similar_items([int(item)], n=5, metric=metric)
            rows.append({"item": str(data.titles[item]), "by": metric,
                         "nearest items": "; ".join(str(data.titles[i]) for i in ids[0] if i >= 0)})
    params = ", ".join(f"{key}={value}" for key, value in getattr(model, "get_params", dict)().items()) or "—"
    short = " ".join(filter(None, [in_short(name, ours, theirs, k, reports[name], reports[labels.BASELINE],
                                            paired), new_users]))
    short += f" {BEYOND_NOISE}" if "noise" in short else ""  # said once for both claims
    parts = [
        f"<h1>{html.escape(name)}</h1>",
        f"<p class='meta'>mfviz report, {datetime.date.today():%Y-%m-%d}. Data: {html.escape(data_name)}, "
        f"{data.n_users:,} users × {data.n_items:,} items, {data.nnz:,} "
        f"{'ratings' if data.is_explicit else 'interactions'}; trained on {train.nnz:,} of them, scored on the "
        f"{test.nnz:,} held out. Hyperparameters: {html.escape(params)}; fit time "
        f"{float(getattr(model, 'fit_seconds', 0.0)):.2f} s.</p>",
        "<h2>In short</h2>",
        f"<p>{html.escape(short)}</p>",
        *(["<h2>Map of the items</h2>", item_map.figure.to_html(full_html=False, include_plotlyjs=False),
           f"<p>{html.escape(item_map.caption)}</p>"] if item_map is not None else []),
        "<h2>Accuracy on the held-out interactions</h2>",
        f"<p>Top-{k} lists leave out each user's training items; every held-out item counts as relevant. The "
        f"Popularity baseline recommends the most interacted items to everyone.{sample}</p>", _table(metrics),
        "<h2>Which users it serves</h2>", charts[0].figure.to_html(full_html=False, include_plotlyjs=False),
        f"<p>{html.escape(charts[0].caption)}</p>", _table(served[name][["group", "users", column, f"{column} se"]]),
        "<h2>How much a new user must tell it</h2>", *new_users_part,
        "<h2>Popularity bias</h2>",
        f"<p>Of every user's top {k} over all the data (ARP: mean interactions of the recommended items; APLT: "
        "share of long-tail items; coverage: share of the catalogue recommended to anyone; Gini of how often "
        f"each item is recommended). {html.escape(verdicts.never_trained(reports[name].users_untrained))}</p>",
        _table(bias),
        "<h2>Nearest items of the most popular items</h2>", _table(pd.DataFrame(rows)),
    ]
    style = ("body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}"
             "table.grid{border-collapse:collapse;margin:1em 0}table.grid td,table.grid th{padding:4px 10px;"
             "border-bottom:1px solid #ddd;text-align:left}.meta{color:#555}")
    # plotly.js once, in the head, before any figure that needs it (inlined: the file opens offline)
    script = f"<script type='text/javascript'>{get_plotlyjs()}</script>"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>mfviz report: {html.escape(name)}</title>"
            f"<style>{style}</style>{script}</head><body>" + "\n".join(parts) + "</body></html>")
