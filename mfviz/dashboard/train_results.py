"""The Train page's table of the session's models: each model's test metrics beside the Popularity baseline's on
the same split, whether it beats the baseline, and what the numbers count (which users, which lists)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import model_names, training, ui, versus_baseline
from mfviz.dashboard.report import meaning
from mfviz.evaluation.metrics import judged_by_rmse, known_users

RANKING = ("precision", "recall", "ndcg", "map", "hit_rate", "coverage")
# pixels: the longest verdict in the cells, "tie within noise, +0.003 ± 0.035" (versus_baseline.short_verdict: its
# metric and users are in the header and help; whole, at 330 px, the column pushed RMSE and MAE off a 1,280 px screen)
VERDICT_WIDTH = 200
# The Popularity bias page's "Catalogue (%)" counts other lists: the two once disagreed unexplained (0.33 here, 38.0
# there for the same model of MovieLens 100K)
COVERAGE_LISTS = ("Counted over the test users' lists, each leaving out only the user's training items (a held-out "
                  "item can be recommended). The Popularity bias page's “Catalogue (%)” counts other lists: those "
                  "of up to 2,000 users, each leaving out everything the user has in the data, at that page's k; "
                  "the two differ.")


def unseen_users_words(entries: dict) -> str:
    """Of each split's test users, those with no training interaction (every item of theirs held out), when there
    are any: the ranking metrics leave them out (mfviz.evaluation.metrics.known_users), which the page says with
    how many (5,000 users of 1-2 interactions on a random split: 603 of 1,383; only the CLI's JSON said so). Per
    split: a split by user has none, and a count taken over every model wrongly said so of its models too."""
    by_split = {}
    for entry in entries.values():
        if (unseen := int(entry.metrics.get("users_without_training", 0))) and entry.test is not None:
            # their part of the test interactions, from the row lengths (no copy of the test part on every rerun)
            share = np.diff(entry.test.matrix.indptr)[~known_users(entry.train)].sum() / max(entry.test.nnz, 1)
            by_split[training.split_shown(entry) or "the split"] = (unseen, share, entry.test.is_explicit)
    words = []
    for split, (unseen, share, rated) in by_split.items():
        said = (f"{unseen:,} test user{'s' if unseen != 1 else ''} of the {split} split {'have' if unseen != 1 else 'has'} "
                f"no interaction in the training part (every item held out; {share:.0%} of the test "
                f"{'ratings' if rated else 'interactions'}), so no model learned anything of them: the ranking "
                "metrics leave them out")
        if rated and share >= 0.5:  # a time split's newcomers can hold most test ratings: RMSE is mostly theirs
            said += ", and RMSE and MAE here mostly measure what a model predicts without a user vector"
        words.append(said)
    if not words:
        return ""
    return (" " + "; ".join(words) + ". Counted, they would compare what each model does without a user vector "
            "(implicit ALS and Truncated SVD: items at random; Funk SVD: its item biases; the baseline: the popular "
            "items), not the models; their ratings do count in RMSE and MAE (the mean rating plus the item's bias). "
            "Holding out “a share of each user's history” keeps some of each user's items in training.")


def baseline_scores(entries: dict) -> tuple[dict, list[dict], list[str]]:
    """({model name: (the baseline's row name, its metrics, k)}, the baseline's rows of the table, its NDCG on each
    split in words) for the models `entries`."""
    # The Popularity baseline (the most interacted items for everyone) scored on each split the models were
    # scored on: a model that does not beat it has learnt nothing a ranking by popularity does not know.
    groups = versus_baseline.baseline_groups(list(entries.values()))
    baseline_of, baseline_rows, levels = {}, [], []
    with ui.guard("Scoring the Popularity baseline"):
        for split_key, train, test, k_, names in groups:
            metrics = versus_baseline.baseline_metrics(split_key, train, test, k_)
            # with several splits, each level named by its split (three bare numbers said nothing of which was which)
            levels.append(("" if len(groups) == 1 else f"{training.split_shown(entries[names[0]])}: ")
                          + f"NDCG@{k_} {metrics[f'ndcg@{k_}']:.4f}")
            name = versus_baseline.BASELINE if len(groups) == 1 else f"{versus_baseline.BASELINE}, split of {names[0]}"
            baseline_of.update(dict.fromkeys(names, (name, metrics, k_)))
            baseline_rows.append({"model": name, "fit_seconds": round(metrics["fit_seconds"], 3), "epochs": None,
                                  "split": training.split_shown(entries[names[0]]), "vs. baseline": "(the baseline)"}
                                 | {key: round(v, 4) for key, v in metrics.items() if key.split("@")[0] in RANKING}
                                 | {"hyperparameters": "most interacted items for everyone"})
    return baseline_of, baseline_rows, levels


def model_rows(entries: dict, baseline_of: dict) -> pd.DataFrame:
    """A row per model: its fit time, epochs, split, verdict against the baseline, metrics and hyperparameters."""
    rows = []
    for entry in entries.values():
        # the epochs of the model kept (early stopping restores its best; the curve marks it), none for a model fitted
        # in one step (Truncated SVD's "1" read as a training that stopped at once)
        kept = getattr(entry.model, "best_epoch", None) or entry.epochs
        row = {"model": entry.name, "fit_seconds": round(entry.fit_seconds, 3),
               "epochs": kept if "epochs" in getattr(entry.model, "params", {"epochs": 0}) else None,
               "split": training.split_shown(entry)}
        if baseline_of:
            row["vs. baseline"] = None  # a loaded model or one without a test set: nothing to compare
            _, _, k_ = baseline_of.get(entry.name, (None, {}, 0))
            with ui.guard("Comparing with the Popularity baseline user by user", stop=False):
                row["vs. baseline"] = versus_baseline.against_baseline(versus_baseline.paired_with_baseline(entry, k_), k_)
        # RMSE of a ranking model (implicit ALS, Truncated SVD, Popularity) measures nothing it was trained for
        ranking_only = not judged_by_rmse(entry.model)
        row.update({key: round(value, 4) for key, value in entry.metrics.items()
                    if key.split("@")[0] in RANKING or (key in ("rmse", "mae") and not ranking_only)})
        row["hyperparameters"] = model_names.hyperparameter_words(entry.params)
        rows.append(row)
    return pd.DataFrame(rows)


def show_table(results: pd.DataFrame, baseline_rows: list[dict], baseline_of: dict) -> None:
    """The table of `results` with the baseline's rows at the bottom, each column's words and help."""
    shown_results = training.results_display(pd.concat([results, pd.DataFrame(baseline_rows)], ignore_index=True)
                                             if baseline_rows else results)
    verdict_k = sorted({k_ for _, _, k_ in baseline_of.values()})
    if "vs. baseline" in shown_results:  # the metric and users said once, in the header and help
        counted_on = versus_baseline.verdict_users(shown_results["vs. baseline"])
        shown_results["vs. baseline"] = shown_results["vs. baseline"].map(versus_baseline.short_verdict)
    for key in [key for key in shown_results.columns if key.startswith("coverage@")]:
        shown_results[key] = 100 * shown_results[key]  # in % with one decimal, as the Popularity bias page's
    st.dataframe(shown_results,
                 hide_index=True, width="stretch", placeholder=training.NO_VALUE,
                 column_config={"model": st.column_config.TextColumn(pinned=True),  # rows stay named when scrolled
                                "fit_seconds": st.column_config.NumberColumn("fit time (s)", format="%.2f", width="small"),
                                "epochs": st.column_config.NumberColumn(
                                    format="%d", width="small",
                                    help="The epochs of the model kept: with early stopping, the best epoch it restored "
                                         "(the loss curve marks it; the fit time counts every epoch run). – for a model "
                                         "fitted in one step (Truncated SVD) or loaded."),
                                # words, not API names; numbers still, so each column sorts by value
                                **{key: st.column_config.NumberColumn(model_names.metric_label(key), format="%.4f",
                                                                      help=meaning(key, int(key.partition("@")[2] or 0)))
                                   for key in results.columns if key.split("@")[0] in (*RANKING, "rmse", "mae")},
                                "vs. baseline": st.column_config.TextColumn(
                                    "beats the baseline? (Δ NDCG" + (f"@{verdict_k[0]})" if len(verdict_k) == 1 else ")"),
                                    width=VERDICT_WIDTH,
                                    help="Whether the model's lists rank the held-out items better than the Popularity "
                                         "baseline's (its row at the bottom: the most interacted items for everyone), "
                                         + versus_baseline.VERDICT_HELP
                                         + (f" Here on {counted_on}." if baseline_of and counted_on else ""))}
                               # in % as the Popularity bias page's, and said how its lists differ from that page's
                               | {key: st.column_config.NumberColumn(
                                   model_names.metric_label(key) + " (%)", format="%.1f",
                                   help=meaning(key, int(key.partition("@")[2] or 0)) + ". " + COVERAGE_LISTS)
                                  for key in results.columns if key.startswith("coverage@")})


def say_verdicts(results: pd.DataFrame, levels: list[str]) -> None:
    """The verdicts against the baseline in one sentence: a warning when no model beats it."""
    verdicts = {name: words for name, words in  # loaded models without a test set have none
                zip(results["model"], results.get("vs. baseline", []), strict=False) if isinstance(words, str)}
    if verdicts:
        said = versus_baseline.verdicts_words(verdicts, "; ".join(levels))
        if any(words.startswith(versus_baseline.BETTER) for words in verdicts.values()):
            st.caption(said)
        else:  # recommending the blockbusters to everyone does as well as anything trained here
            st.warning(said, icon=":material/trending_down:")


def say_counts(entries: dict) -> None:
    """Which test users the metrics count, and why the models of ratings rank below the baseline."""
    ranked = [int(e.metrics["users_evaluated"]) for e in entries.values() if e.metrics.get("users_evaluated")]
    if ranked:  # said every time: the training curve's per-epoch NDCG ranks fewer users and differs a little
        counts = f"{min(ranked):,}" if min(ranked) == max(ranked) else f"{min(ranked):,}–{max(ranked):,}"
        st.caption(f"Ranking metrics on {counts} test users"
                   + (" (a seeded sample: ranking every user against every item costs as much as training)"
                      if max(ranked) >= training.EVAL_USERS else "")
                   + ", the same users for every model of a split; RMSE and MAE on every test rating. The NDCG on the "
                   f"training curve ranks a sample of at most {training.HELD_OUT_USERS:,} of them after each epoch, so its "
                   "last point differs a little from the table's. Coverage counts these users' lists; the Popularity "
                   "bias page's catalogue coverage counts the lists of up to 2,000 users, without any item they have, so it "
                   "differs." + unseen_users_words(entries))
    if any(getattr(e.model, "feedback", "any") == "explicit" and e.metrics for e in entries.values()):
        st.caption("Funk SVD, SVD++ and ALS fit the observed ratings only: they predict well how a user rates what they "
                   "watch (RMSE, MAE), but ranked over every unseen item their top-n lists favour rarely rated items, so "
                   "their ranking metrics often fall below the Popularity baseline's (Cremonesi, Koren & Turrin 2010). "
                   "Compare them by RMSE; compare rankers (Truncated SVD, implicit ALS) by NDCG or recall.")
