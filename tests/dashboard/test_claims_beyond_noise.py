"""The plain-words claims that name a winner or a finding, on hand-built cases whose answer is known: a tie by
construction is said to be one, a clear lead by construction is named, and a difference smaller than its noise
names nothing (the Train page's users served and new users, and whether a model beats the Popularity baseline on
the Train and Popularity bias pages and in the report)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mfviz.dashboard.served import _summary, beats_baseline_words


def users_of(values, column="ndcg@10"):
    return pd.DataFrame({"user": np.arange(len(values)), column: np.asarray(values, np.float64)})


def test_the_lightest_and_heaviest_users_best_model_is_named_only_beyond_noise():
    rng = np.random.default_rng(0)
    n = 1_000
    activity = np.repeat([10, 20, 30, 40, 50], n // 5)  # five groups of 200 users
    base = rng.uniform(0.1, 0.9, n)
    swing = rng.choice([-0.25, 0.25], n)
    light, heavy = activity == 10, activity == 50
    # A leads B by 0.01 for the lightest users, a lead each user's swing of ±0.25 hides: a tie by construction;
    # for the heaviest A is ahead by 0.05 for every single user: a clear lead by construction
    a = base + 0.01 * light + 0.05 * heavy
    b = base + swing - swing[light].mean() * light - swing[heavy].mean() * heavy
    c = base - 0.2  # far behind everywhere
    said = _summary({"A": users_of(a), "B": users_of(b), "the Popularity baseline": users_of(c)}, activity,
                    "ndcg@10", "NDCG@10", lower_is_better=False)
    lightest, heaviest = said.split(". For the heaviest")
    assert lightest.startswith("For the lightest users (10 training interactions): no clear best, A and B tie (NDCG@10 "
                               f"{a[light].mean():.3f} and {b[light].mean():.3f}; A ahead of B by 0.010 ± ")
    assert "within noise" in lightest and "Best" not in said
    assert heaviest.startswith(f" (50 training interactions): A does best, NDCG@10 {a[heavy].mean():.3f} (A ahead of "
                               "B by 0.050 ± 0.03")  # B's swing of ±0.25 over 200 users: ± 1.96 × 0.25 / √200


def test_rmse_leads_are_judged_on_the_pooled_errors_of_the_same_users():
    n = 400
    activity = np.repeat([5, 6, 7, 8, 9], n // 5)
    pairs = np.full(n, 4)
    rng = np.random.default_rng(1)
    errors = rng.uniform(1, 6, n)

    def frame(squared_error):
        return pd.DataFrame({"user": np.arange(n), "pairs": pairs, "squared_error": squared_error})

    # "lower" has every user's squared errors 20% lower: a clear lead; "same" is "lower" shuffled between users
    lower = 0.8 * errors
    said = _summary({"higher": frame(errors), "lower": frame(lower), "same": frame(rng.permutation(lower))},
                    activity, "rmse", "RMSE", lower_is_better=True)
    assert said.startswith("For the lightest users (5 training interactions): no clear best, ")
    assert said.count("same and lower tie") + said.count("lower and same tie") == 2 and "higher" not in said
    clear = _summary({"higher": frame(errors), "lower": frame(lower)}, activity, "rmse", "RMSE", lower_is_better=True)
    assert clear.startswith("For the lightest users (5 training interactions): lower does best, RMSE ")
    assert "For the heaviest (9 training interactions): lower does best" in clear


def test_new_users_beat_the_baseline_from_the_first_size_beyond_noise():
    rng = np.random.default_rng(2)
    n = 500
    baseline_values = rng.uniform(0.1, 0.4, n)
    swing = rng.choice([-0.3, 0.3], (4, n))
    lifts = {1: -0.1, 5: 0.01, 20: 0.1, 0: 0.2}  # at 5 above the baseline by a tenth of its noise
    rows = pd.concat([pd.DataFrame({"size": size, "user": np.arange(n),
                                    "ndcg@10": baseline_values + lift + swing[r] - swing[r].mean()})
                      for r, (size, lift) in enumerate(lifts.items())])
    flat = pd.concat([pd.DataFrame({"size": size, "user": np.arange(n), "ndcg@10": baseline_values})
                      for size in lifts])
    def curve(frame):
        return frame.groupby("size", sort=False)["ndcg@10"].mean().reset_index()

    late = rows.assign(**{"ndcg@10": np.where(rows["size"] == 20, rows["ndcg@10"] - 0.1, rows["ndcg@10"])})
    said = beats_baseline_words({"M": rows, "Late": late}, {"M": curve(rows), "Late": curve(late)}, flat, curve(flat),
                                "ndcg@10", "NDCG@10")
    assert said.startswith(f"Better than the Popularity baseline (NDCG@10 {baseline_values.mean():.3f} for these "
                           "users) beyond noise: M from 20 interactions; Late not within 20 (only with its whole "
                           "training history).")


# ----------------------------------------------------------------- beats the Popularity baseline?
def against_the_baseline_cases(n: int = 400) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """(a model's per-user frame, the baseline's) on the same n users: a higher mean within noise, a clear win and a
    clear loss, by construction."""
    rng = np.random.default_rng(3)
    baseline = rng.uniform(0.1, 0.5, n)
    swing = rng.choice([-0.3, 0.3], n)
    swing -= swing.mean()  # the model's difference from the baseline is exactly its lift on average
    return {"noise": (users_of(baseline + 0.01 + swing), users_of(baseline)),  # +0.01 against ±0.03 of noise
            "win": (users_of(baseline + 0.05 + 0.02 * swing), users_of(baseline)),
            "loss": (users_of(baseline - 0.05 + 0.02 * swing), users_of(baseline))}


def hand_interval(model: pd.DataFrame, baseline: pd.DataFrame) -> tuple[float, float]:
    difference = model["ndcg@10"].to_numpy() - baseline["ndcg@10"].to_numpy()
    return difference.mean(), 1.959964 * difference.std(ddof=1) / np.sqrt(difference.size)


def test_beating_the_baseline_is_said_only_beyond_noise_in_every_place_that_says_it():
    from types import SimpleNamespace

    from mfviz.dashboard import report, versus_baseline
    from mfviz.evaluation.breakdown import paired_difference

    bias = SimpleNamespace(aplt=0.2, coverage=0.3)
    expected_words = {"noise": "tie within noise", "win": "yes", "loss": "no"}
    short = {"noise": "tie with recommending the most popular items to everyone within noise",
             "win": "beat recommending the most popular items to everyone beyond noise",
             "loss": "rank below recommending the most popular items to everyone beyond noise"}
    verdicts = {}
    for case, (model, baseline) in against_the_baseline_cases().items():
        difference, half = hand_interval(model, baseline)
        if case == "noise":  # the mean is higher, the interval holds 0: the means alone said "yes"
            assert model["ndcg@10"].mean() > baseline["ndcg@10"].mean() and difference - half < 0 < difference + half
        paired = paired_difference(model, baseline, "ndcg@10")
        numbers = f"{difference:+.3f} ± {half:.3f} NDCG@10 on 400 users".replace("-", "−")
        # the Train page's "beats the baseline?" column and the Popularity bias page's "Beats the baseline?"
        verdicts[case] = versus_baseline.against_baseline(paired, 10)
        assert verdicts[case] == f"{expected_words[case]}, {numbers}"
        # the report's first paragraph: the same verdict and numbers
        ours, theirs = {"ndcg@10": model["ndcg@10"].mean()}, {"ndcg@10": baseline["ndcg@10"].mean()}
        said = report.in_short("M", ours, theirs, 10, bias, bias, paired)
        assert said.startswith(f"Its top-10 lists {short[case]}: NDCG@10 {ours['ndcg@10']:.3f} against "
                               f"{theirs['ndcg@10']:.3f} ({ours['ndcg@10'] / theirs['ndcg@10']:.2f}× the baseline's "
                               f"ranking quality; {numbers}, user by user). Of M's recommendations"), said
    # the sentence under the Train page's table
    named = {"Tie": verdicts["noise"], "Win": verdicts["win"], "Loss": verdicts["loss"]}
    assert versus_baseline.verdicts_words(named, "NDCG@10 0.300") == (
        "Not above the Popularity baseline beyond noise (NDCG@10 0.300 on the same split): Tie ties with it within "
        "noise; Loss ranks below it beyond noise; the others beat it.")
    assert versus_baseline.verdicts_words({"Tie": verdicts["noise"]}, "NDCG@10 0.300").startswith(
        "No model here beats the Popularity baseline beyond noise (NDCG@10 0.300 on the same split): Tie ties")
    assert versus_baseline.verdicts_words({"Win": verdicts["win"]}, "NDCG@10 0.300") == (
        "Every model here beats the Popularity baseline beyond noise (NDCG@10 0.300 on the same split).")


# ----------------------------------------------------------------- a new item: who gets it
def users_by_genre(shares: dict[str, float], n: int = 10_000) -> np.ndarray:
    """Each of n users' distinctive genre, in blocks of the given shares."""
    return np.concatenate([np.full(round(share * n), genre, dtype=object) for genre, share in shares.items()])


EIGHTEEN = {"Drama": 0.2, "Horror": 0.08, "Sci-Fi": 0.1, **{f"genre {g}": 0.62 / 15 for g in range(15)}}


def reach_of(genres: np.ndarray, wanted: dict[str, int], seed: int = 0) -> np.ndarray:
    """A mask reaching `wanted[g]` users of each genre g, drawn at random among them."""
    rng = np.random.default_rng(seed)
    reached = np.zeros(genres.size, bool)
    for genre, count in wanted.items():
        reached[rng.choice(np.flatnonzero(genres == genre), count, replace=False)] = True
    return reached


def test_a_genre_planted_among_the_reached_users_is_named():
    from mfviz.dashboard.new_item import who_gets_it_words

    genres = users_by_genre(EIGHTEEN)
    # half of 60 reached users are Horror users, who are 8% of all users: planted
    reached = reach_of(genres, {"Horror": 30, "Drama": 15, "genre 3": 15})
    said = who_gets_it_words(genres, reached)
    assert said.startswith("users whose distinctive genre is **Horror** are 50% of them (30 users) against 8% of all "
                           "users (6.2×)")
    assert "counting all 18 genres tested (p < 0.00056 each)" in said


def test_four_users_of_ten_or_a_p_value_that_one_of_18_genres_reaches_by_chance_name_no_genre():
    from scipy.stats import binom

    from mfviz.dashboard.new_item import CHANCE, over_represented, who_gets_it_words

    genres = users_by_genre(EIGHTEEN)
    # "Horror … 40% (4 users) … (5.2×)": 4 of 10 where 8% is usual, p 0.006 < 1% but from 4 users
    few = reach_of(genres, {"Horror": 4, "Drama": 2, **{f"genre {g}": 1 for g in range(4)}})
    assert binom.sf(3, 10, 0.08) < CHANCE  # what the old rule named
    assert over_represented(genres, few).empty
    assert who_gets_it_words(genres, few).startswith("no genre stands out among the 10 users it reaches")
    # the others as they are among all users: 12 Drama, 5 Horror, and 2 or 1 of each of the 15 small genres
    def rest(small):
        return {"Drama": 12, "Horror": 5, **{f"genre {g}": 2 if g < small else 1 for g in range(15)}}

    # 13 of 60 where 10% is usual: p 0.0057, below 1% but not below 1% over 18 genres
    many = reach_of(genres, {"Sci-Fi": 13, **rest(15)})
    assert many.sum() == 60 and CHANCE / 18 < binom.sf(12, 60, 0.1) < CHANCE
    assert over_represented(genres, many).empty
    # and 17 of 60 (p 0.00006) is named
    clear = reach_of(genres, {"Sci-Fi": 17, **rest(11)})
    assert clear.sum() == 60 and list(over_represented(genres, clear).index) == ["Sci-Fi"]
