"""Each model against the Popularity baseline on its own split: the baseline's metrics there, the verdict
beyond noise (paired per-user NDCG intervals) in the words every page and the report use, and the advice
when a model falls below it."""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

import numpy as np
import streamlit as st

from mfviz.dashboard import cached_metrics, labels
from mfviz.dashboard.training import evaluate
from mfviz.errors import DataError

BASELINE = labels.BASELINE


def baseline_groups(entries: list) -> list[tuple[str, Any, Any, int, list[str]]]:
    """The splits (and k) the models with a test set were scored on, each once, as (cache key, train,
    test, k, names of its models): the Popularity baseline is scored once per split, beside them.
    A split is known by its settings where the model has them: `split_data` keeps only a few splits, so a
    model trained after its split was dropped holds another copy of the same split than the quick default
    (which showed a second baseline row, "split of ..."); else by its Interactions object. The key is the
    first model's."""
    groups: dict[tuple, tuple[str, Any, Any, int, list[str]]] = {}
    for entry in entries:
        k = next((int(key.split("@")[1]) for key in entry.metrics if key.startswith("ndcg@")), None)
        if entry.test is None or k is None:
            continue
        group = groups.setdefault((split_identity(entry), k), (f"{entry.key}|{k}", entry.train, entry.test, k, []))
        group[4].append(entry.name)
    return list(groups.values())


def split_identity(entry) -> tuple | int:
    """What makes two models' train/test split the same one: its settings on the same data where the model
    has them (two copies of a split are one), else its test part's object."""
    if entry.split_settings:
        return (entry.data_key, *sorted(entry.split_settings.items()))
    return id(entry.test)


@st.cache_data(show_spinner="Scoring the Popularity baseline on the same split…", max_entries=16)
def baseline_metrics(split_key: str, _train, _test, k: int) -> dict:
    """The Popularity baseline's metrics on a split, fitted on its training part and scored as
    `evaluate` scores the models (the same sampled test users), with its fit time (`fit_seconds`)."""
    from mfviz.models import Popularity

    model = Popularity().fit(_train)
    return evaluate(model, _train, _test, k) | {"fit_seconds": float(model.fit_seconds)}


# The three verdicts on a model against the Popularity baseline, as every page and the report word them: each
# rests on the paired 95% interval of the per-user NDCG@k difference on the same test users, as the Train page's
# other claims do (which users a model serves, from how many interactions it beats the baseline).
BETTER, WORSE, TIE = "yes", "no", "tie within noise"
BEYOND_NOISE = ("Beyond noise: the 95% interval of the per-user NDCG difference, on the same test users for both, "
                "lies wholly above 0 (better) or below it (worse); when it holds 0, the two tie within noise and the "
                "difference is no evidence either way.")
# What the verdict's column says, in its help on the Train and Popularity bias pages
VERDICT_HELP = ("by NDCG@k on the same split, beyond noise: “yes” when the 95% interval of the per-user difference, "
                "on the same test users for both, lies above 0; “no” when it lies below; “tie within noise” when it "
                "holds 0, however far apart the two means look. The numbers: the difference ± the half-width of that "
                f"interval, and the users (a seeded sample of at most {cached_metrics.ACTIVITY_USERS:,} test users, "
                "those of “Which users each model serves”).")


def verdict_word(difference: float, half_width: float) -> str:
    """BETTER when the interval difference ± half_width lies above 0, WORSE when below, else TIE (a NaN
    half-width, too few users to tell, is a tie)."""
    if difference - half_width > 0:
        return BETTER
    if difference + half_width < 0:
        return WORSE
    return TIE


def paired_numbers(difference: float, half_width: float, users: int, k: int, of: int | None = None) -> str:
    """"+0.133 ± 0.016 NDCG@10 on 942 users", minus signs as the tables write them; with `of` (the test users the
    table's means were ranked on) above `users`, "… on a seeded sample of 5,000 of the 9,687 test users"."""
    spread, few = (f" ± {half_width:.3f}", "") if math.isfinite(half_width) else ("", ", too few to tell")
    return (f"{round(difference, 3) + 0.0:+.3f}{spread} NDCG@{k} on {users_words(users, of)}{few}").replace("-", "−")


def users_words(users: int, of: int | None = None) -> str:
    """"942 users", or "a seeded sample of 5,000 of the 9,687 test users" when the paired comparison (its users
    sampled up to cached_metrics.ACTIVITY_USERS) counts fewer than the table's means (up to training.EVAL_USERS): the
    same comparison said with two sample sizes read as a contradiction."""
    if of is not None and of > users:
        return f"a seeded sample of {users:,} of the {of:,} test users"
    return f"{users:,} user{'s' if users != 1 else ''}"


def ranked_users(entry) -> int | None:
    """The test users the results table's means of `entry` were ranked on (its `users_evaluated`), None unknown."""
    users = entry.metrics.get("users_evaluated")
    return int(users) if users else None


def against_baseline(paired: tuple[float, float, int] | None, k: int) -> str | None:
    """Whether a model beats the Popularity baseline on the same split, in words with the numbers: `paired` is
    its NDCG@k minus the baseline's user by user, the half-width of its 95% interval and the users
    (`evaluation.breakdown.paired_difference` of both `per_user` frames). "yes, +0.133 ± 0.016 NDCG@10 on 942 users"
    (implicit ALS on MovieLens 100K) when the interval lies above 0, "no, …" below, "tie within noise, …" when it holds 0 (by the means alone,
    0.2271 against 0.2270 was a "yes"). None without a difference (no user in common, no NDCG@k)."""
    if paired is None or not paired[2] or not math.isfinite(paired[0]):
        return None
    difference, half_width, users = paired
    return f"{verdict_word(difference, half_width)}, {paired_numbers(difference, half_width, users, k)}"


def verdicts_words(verdicts: dict[str, str], levels: str) -> str:
    """The results table's verdicts (`against_baseline` of each model, by name) in one sentence: which models beat
    the Popularity baseline beyond noise, which tie with it and which rank below it (`levels`: the baseline's
    NDCG of each split)."""
    named = {word: [name for name, said in verdicts.items() if said.startswith(word)] for word in (BETTER, TIE, WORSE)}
    beat, tied, worse = named[BETTER], named[TIE], named[WORSE]
    on = f"({levels} on the same split)"
    if not tied and not worse:
        return f"Every model here beats the Popularity baseline beyond noise {on}."
    parts = ([f"{', '.join(tied)} {'ties' if len(tied) == 1 else 'tie'} with it within noise"] if tied else []) + (
        [f"{', '.join(worse)} {'ranks' if len(worse) == 1 else 'rank'} below it beyond noise"] if worse else [])
    if beat:
        return (f"Not above the Popularity baseline beyond noise {on}: {'; '.join(parts)}; the others "
                "beat it.")
    if not tied:
        return (f"No model here beats the Popularity baseline {on}: recommending the most interacted items to "
                "everyone ranks the held-out items better than any of them, beyond noise.")
    return f"No model here beats the Popularity baseline beyond noise {on}: {'; '.join(parts)}."


VERDICT_TAIL = re.compile(r" NDCG@(\d+) on ([\d,]+) users?")


def short_verdict(words):
    """A verdict of `against_baseline` without its metric and users ("yes, +0.133 ± 0.016"), for a table column
    that names them in its header and help (`verdict_users`): whole, the verdicts made the column 330 px wide and
    pushed the metrics off a 1,280 px screen with the sidebar open. Anything else (None, "(the baseline)") as is."""
    return VERDICT_TAIL.sub("", words) if isinstance(words, str) else words


def verdict_users(verdicts) -> str:
    """The users the verdicts of a table were counted on, in words ("942 test users", "900–942 test users"), for
    its column's help once `short_verdict` has taken them out of the cells; empty without any."""
    counts = sorted({int(m.group(2).replace(",", "")) for words in verdicts if isinstance(words, str)
                     for m in [VERDICT_TAIL.search(words)] if m})
    if not counts:
        return ""
    return f"{counts[0]:,} test users" if len(counts) == 1 else f"{counts[0]:,}–{counts[-1]:,} test users"


def paired_with_baseline(entry, k: int) -> tuple[float, float, int] | None:
    """`entry`'s NDCG@k minus the Popularity baseline's on its split, user by user, ± and users (`against_baseline`),
    both scored once per model and cached (cached_metrics.ndcg_against_baseline). None when the model has no NDCG@k or
    no test user it knows."""
    ndcg = entry.metrics.get(f"ndcg@{k}")
    if entry.test is None or entry.model is None or ndcg is None or not math.isfinite(ndcg):
        return None
    try:
        return cached_metrics.ndcg_against_baseline(entry.key, entry.model, entry.train, entry.test, k)
    except DataError:  # no test user with a training interaction: evaluate has said so already
        return None


class Shortfall(NamedTuple):
    """A model's lists that do not beat the Popularity baseline's on its split: NDCG@k of each, `paired` (the model's
    minus the baseline's user by user, the half-width of its 95% interval, the users), the test users the table's
    means were ranked on (None unknown), and whether below beyond noise (`worse`) rather than level within it."""

    k: int
    ours: float
    theirs: float
    paired: tuple[float, float, int]
    ranked: int | None
    worse: bool


def shortfall(entry) -> Shortfall | None:
    """How `entry`'s lists fall short of the Popularity baseline's on its own split, None when they beat it beyond
    noise or cannot be compared (no test set, no NDCG@k, no user in common)."""
    groups = baseline_groups([entry])
    if not groups:
        return None
    split_key, train, test, k, _ = groups[0]
    paired = paired_with_baseline(entry, k)
    verdict = against_baseline(paired, k)  # as the results table's column says it
    if verdict is None or verdict.startswith(BETTER):
        return None
    baseline = baseline_metrics(split_key, train, test, k)
    return Shortfall(k, entry.metrics[f"ndcg@{k}"], baseline[f"ndcg@{k}"], paired, ranked_users(entry),
                     verdict.startswith(WORSE))


def below_baseline(entry, shown: bool = True) -> str | None:
    """A sentence when a model's lists do not beat the Popularity baseline beyond noise on its own split (None
    when they do, or when it has no test set), saying that the pages show it when they do (`shown`: another model
    may have been chosen since). What to try is said apart (`what_to_try`): together they were six lines of a 720 px
    screen, under which the way back to the model shown before fell off it. When the model also ranks below the
    one shown before, versus_earlier.below_both says both in one sentence."""
    gap = shortfall(entry)
    if gap is None:
        return None
    k, ranked = gap.k, gap.ranked
    return (f"Its lists do not beat the Popularity baseline, the most interacted items for everyone (NDCG@{k} "
            f"{gap.ours:.3f} against {gap.theirs:.3f} on the same split"
            + (f"'s {ranked:,} test users" if ranked else "") + "; user by user "
            f"{paired_numbers(*gap.paired, k, of=ranked)}, {'worse beyond noise' if gap.worse else 'within noise'})"
            + ((": the pages now show a model that ranks below it." if gap.worse else
                ": the pages now show a model no better than it.") if shown else "."))


def what_to_try(entry) -> str:
    """What to try when `entry` ranks below the Popularity baseline (`below_baseline_advice` for its kind, settings
    and split; whether its values are heavy counts is measured once per split)."""
    if entry.train is None or entry.test is None:
        return ""
    heavy = heavy_counts(str(split_identity(entry)), entry.train)
    return below_baseline_advice(entry.kind, entry.params, entry.split, entry.train, entry.test, heavy=heavy)


@st.cache_data(show_spinner=False, max_entries=8)
def heavy_counts(split_key: str, _train) -> bool:
    """Whether the training part's values are counts with a long tail: the largest 0.1% of its entries hold most of
    ‖R‖² (`heavy_values.concentration`; ratings of 1 to 5 hold at most 2.5%)."""
    from mfviz.analysis.heavy_values import concentration

    return concentration(_train).heavy


def new_in_test(train, test) -> tuple[float, float]:
    """(share of the test users with no training interaction, share of the test interactions whose item
    has none): what no model fitted on `train` can know, and a popularity ranking of the latest items can."""
    users = np.flatnonzero(np.diff(test.matrix.indptr))
    trained_items = np.bincount(train.matrix.indices, minlength=train.n_items) > 0
    new_users = float((np.diff(train.matrix.indptr)[users] == 0).mean()) if users.size else 0.0
    new_items = float((~trained_items[test.matrix.indices]).mean()) if test.nnz else 0.0
    return new_users, new_items


# What the project's own runs show for implicit ALS, and nothing more (advice to raise α for counts with a long tail had
# no run behind it, and the runs found otherwise). MovieLens 100K, random 80/20 split (docs/dashboard.md,
# docs/python-api.md): fewer factors rank higher, by recommending more popular items (NDCG@10 0.421 at 16 factors,
# 0.404 at 32, 0.358 at 64), and α = 1 above α = 10 (0.358 against 0.280). Generated heavy-tailed click logs
# (BENCHMARKS.md, "Implicit ALS's confidence on heavy-tailed counts"): the log confidence above the linear one where the
# counts carry taste (0.344 and 0.352 against 0.300 and 0.279), far below where they carry only popularity (0.076
# against 0.323), and there the Popularity baseline (0.374) above every curve tried. No run varies its regularization.
IALS_FACTORS = ("a sweep of Factors (now {factors}) tries several at once: on MovieLens 100K fewer ranked higher "
                "(NDCG@10 0.421 at 16, 0.404 at 32, 0.358 at 64), by recommending more popular items")
IALS_ALPHA = ("α = 1 ranked above α = 10 there (0.358 against 0.280): a larger α (now {alpha:g}) did not help in the "
              "project's runs")
IALS_HEAVY = ("On counts with a long tail, as here, the log confidence ranked above the linear one on the project's "
              "generated click logs where the counts carry taste (NDCG@10 0.34–0.35 against 0.28–0.30), and far below "
              "it where they carry only popularity (0.08 against 0.32), where the Popularity baseline (0.37) beat every "
              "implicit ALS tried: on such data it may simply be hard to beat. ")
IALS_TRY_LOG = "Try “log” (More hyperparameters) if the counts say what users like."
IALS_TRY_LINEAR = "This model has the log curve: try the linear one if the counts may carry only popularity."


def below_baseline_advice(kind: str, params: dict, split: str, train, test, heavy: bool | None = None) -> str:
    """What to try when a model of `kind` ranks below the Popularity baseline on this split: its own
    hyperparameters for a ranker (implicit ALS, Truncated SVD), a ranker for a model of stars; never
    the model itself. A time-based split (`split` as the results table words it) is said first: there
    the test part holds what came last, which the training part may not know at all. For implicit ALS, only what
    the project's runs show (IALS_*), the confidence curve only on counts with a long tail (`heavy`: measured on
    `train` when None)."""
    words = []
    if split.split(" ")[0] in ("time", "user-time"):
        new_users, new_items = new_in_test(train, test)
        new = [f"{share:.0%} of its {what} nothing in the training part" for share, what in
               ((new_users, "users have"), (new_items, "interactions are of items with")) if share >= 0.005]
        words.append("On a time-based split the test part is what came last"
                     + (f": {' and '.join(new)} (no model can place them)" if new else "")
                     + "; tastes may also have drifted since, towards what was new then, which popularity ranks "
                     "first. A random split says whether the model learnt the tastes themselves.")
    if kind == "ials":
        alpha = float(params.get("alpha", 1.0))
        words.append("For implicit ALS, " + IALS_FACTORS.format(factors=params.get("factors", 64))
                     + ("; " + IALS_ALPHA.format(alpha=alpha) if alpha > 1 else "") + ".")
        if heavy is None:
            from mfviz.analysis.heavy_values import concentration

            heavy = concentration(train).heavy
        if heavy:
            log = params.get("confidence", "linear") == "log"
            words.append(IALS_HEAVY + (IALS_TRY_LINEAR if log else IALS_TRY_LOG))
    elif kind == "svd":
        words.append(f"For Truncated SVD try fewer factors (now {params.get('factors', 64)}: a low rank keeps the broad "
                     "tastes and drops the noise) with a sweep; Implicit ALS, which weighs what each user has, often "
                     "ranks better.")
    elif kind in ("als", "funksvd", "svdpp"):
        words.append("Models fitted to predict stars (Funk SVD, SVD++, ALS) often rank so (compare them by RMSE); "
                     "for lists, Implicit ALS or Truncated SVD rank better.")
    return " ".join(words)
