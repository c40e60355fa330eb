"""Plain-words verdicts for the Neighbours and Popularity bias numbers: what a number means and whether it
is good, for an audience that does not know Jaccard, recall@k, ARP or Gini. No Streamlit here.

The thresholds are reading aids, not statistics: each says where the words change, and the number
itself is always shown next to the words."""

from __future__ import annotations

import numpy as np

from mfviz.dashboard import labels
from mfviz.data.interactions import DEFAULT_HEAD_SHARE

SAME = 1.05  # two means within 5% of each other read as "about as popular" (as figures.SAME_POPULARITY)


def times(ratio: float) -> str:
    """"1.7×", "12×": a ratio as people say it, two significant figures at most."""
    return f"{ratio:.2g}×" if ratio < 10 else f"{ratio:,.0f}×"


def popularity_ratio(dot_mean: float, cosine_mean: float) -> str:
    """Which list is the more popular and by how much: "cosine lists 1.7× less popular than dot lists"."""
    if not (np.isfinite(dot_mean) and np.isfinite(cosine_mean)) or min(dot_mean, cosine_mean) <= 0:
        return "no popularity to compare"
    ratio = dot_mean / cosine_mean
    if ratio >= SAME:
        return f"cosine lists {times(ratio)} less popular than dot lists"
    if ratio <= 1 / SAME:
        return f"cosine lists {times(1 / ratio)} more popular than dot lists"
    return "both lists about as popular"


def shared_items(shared: float, n: int) -> str:
    """How alike two lists of n items are, from the items they share."""
    if n <= 0:
        return "no lists to compare"
    share = shared / n
    if shared >= n:
        return "the same items"
    if share >= 0.9:
        return "nearly the same items"
    if share >= 0.6:
        return "mostly the same items"
    if share >= 0.45:  # "about half" of 3.6 of 10 said too little of what differs
        return "about half the items differ"
    if share > 0.1:
        return "mostly different items"
    return "almost entirely different items"


def index_recall(recall: float) -> str:
    """What the neighbour index's recall against exact search means for the lists shown."""
    if recall >= 0.995:
        return "finds every true neighbour: the lists are exact"
    if recall >= 0.95:
        return "finds nearly every true neighbour: good"
    if recall >= 0.8:
        return "misses a few true neighbours: lists slightly approximate"
    return "misses many true neighbours: treat the lists as rough"


BACKED = 1.5  # a median lift this many times that of random pairs as popular reads "well above"
SOME_BACKING = 1.2


def lift(value: float, null: float) -> str:
    """How strongly the data's users back a model's pairs: their median lift (co-occurrence over chance, pairs of
    enough shared users) against `null`, the same figure for random pairs of the same popularity. Chance (1×) is no
    yardstick: on MovieLens 100K random item pairs already have a median lift of 1.76, popularity-matched random
    neighbours 2.2×, and 31% of random pairs exceed 3×."""
    if not np.isfinite(value):
        return "no pairs with enough shared users to judge by"
    if not np.isfinite(null) or null <= 0:
        return "random pairs as popular share too few users to compare with"
    ratio = value / null
    if ratio >= BACKED:
        return "well above random pairs as popular: the data backs them"
    if ratio >= SOME_BACKING:
        return "above random pairs as popular: some backing in the data"
    if ratio > 1 / SOME_BACKING:
        return "about what random pairs as popular get: little backing in the data"
    return "below random pairs as popular: the data's users rarely pair them"


def correlation(rho: float) -> str:
    """A Spearman ρ of vector length with popularity, in words."""
    if not np.isfinite(rho):
        return "cannot be measured"
    size = abs(rho)
    strength = ("hardly" if size < 0.2 else "somewhat" if size < 0.5 else "clearly" if size < 0.8 else "strongly")
    return f"{strength} {'longer' if rho >= 0 else 'shorter'}"


def evenness(gini: float) -> str:
    """How evenly recommendations are spread over items, from the Gini of their counts (0 = even)."""
    if gini >= 0.95:  # "a handful" beside a coverage of 250 items read false: a few get nearly all of them
        return "are concentrated on a few items, which get nearly all of them"
    if gini >= 0.7:
        return "are concentrated: a minority of items get most of them"
    if gini >= 0.4:
        return "are spread somewhat unevenly"
    return "are spread fairly evenly"


def lift_pair(cosine: float, dot: float, null_cosine: float, null_dot: float) -> str:
    """lift() of the cosine and of the dot lists against their popularity-matched random lists, said once when the
    words are the same."""
    first, second = lift(cosine, null_cosine), lift(dot, null_dot)
    return f"both {first}" if first == second else f"cosine {first}; dot {second}"


def bias_summary(name: str, row, baseline=None, catalogue_mean: float | None = None,
                 head: tuple[int, int] | None = None) -> str:
    """A model's row of the Popularity bias table (ARP, APLT and coverage in %, Gini, ρ) in plain words, one
    Markdown bullet per number, against the Popularity baseline's row when given; `catalogue_mean`, the mean
    number of interactions of the catalogue's items, says how far above the average item the lists lean (against
    the baseline alone, "1.8× less popular" read as if the model had no bias); `head`, (the head's items, the
    fewest interactions among them), says where the long tail starts."""
    parts = []
    average = ""
    if catalogue_mean and row["arp"] > 0:
        lean = row["arp"] / catalogue_mean
        average = (f"; {times(lean)} as many as the catalogue's average item ({catalogue_mean:,.0f})" if lean >= SAME else
                   f"; {times(1 / lean)} fewer than the catalogue's average item ({catalogue_mean:,.0f})"
                   if lean <= 1 / SAME else f"; about as many as the catalogue's average item ({catalogue_mean:,.0f})")
    if baseline is not None and row["arp"] > 0 and baseline["arp"] > 0:
        ratio = baseline["arp"] / row["arp"]
        how = (f"{times(ratio)} less popular than" if ratio >= SAME else
               f"{times(1 / ratio)} more popular than" if ratio <= 1 / SAME else "about as popular as")
        parts.append(f"its lists are {how} the Popularity baseline's (mean popularity, ARP: {row['arp']:,.0f} "
                     f"against {baseline['arp']:,.0f} interactions per item{average})")
    else:
        parts.append(f"its lists' mean popularity is {row['arp']:,.0f} interactions per item (ARP{average})")
    against = (lambda column: f", baseline {baseline[column]:.0f}%") if baseline is not None else (lambda column: "")
    # "72% from the long tail" beside lists 3.6× as popular as the average item read as "mostly niche films":
    # on MovieLens 100K the head is only the 59 most popular films, so a film 250 of 943 users rated is in the tail
    where = (f": the long tail is every item but the {head[0]:,} most popular (each with {head[1]:,} interactions or "
             f"more), which carry {DEFAULT_HEAD_SHARE:.0%} of them" if head else "")
    parts.append(f"{row['aplt']:.0f}% of their items come from the long tail ({labels.LIST_TAIL.lower()}, "
                 f"APLT{against('aplt')}){where}")
    parts.append(f"it recommends {row['coverage']:.0f}% of the catalogue to someone (coverage{against('coverage')})")
    parts.append(f"its recommendations {evenness(row['gini'])} (Gini {row['gini']:.2f}; 0 = every item equally often)")
    rho = row.get("norm–popularity ρ")  # None for the Popularity model (its "vectors" are its counts)
    if rho is not None and np.isfinite(float(rho)):
        parts.append(lengths(rho, *(_number(row, key) for key in ("head length", "rare length", "arp", "dot-only arp",
                                                                    "bias-only arp"))))
    bias_rho = row.get("bias–popularity ρ")  # None (or NaN) for a model without item biases
    if bias_rho is not None and np.isfinite(float(bias_rho)):
        parts.append(biases(float(bias_rho)))
    return f"**{name}**:\n" + "".join(f"\n- {part}" for part in parts)


def never_trained(users: int, items: int = 0) -> str:
    """What the popularity-bias numbers leave out of a model trained on a split that held out all the interactions
    of some users and items (`PopularityReport.users_untrained`, `items_untrained`): "" when nothing."""
    if not users and not items:
        return ""
    named = " and ".join(f"{n:,} {noun if n == 1 else noun + 's'}" for n, noun in ((users, "user"), (items, "item"))
                         if n)
    what = " and ".join(part for n, part in ((users, "lists (the catalogue in index order)"),
                                              (items, "vector lengths (zero)")) if n)
    return (f"{named} the model was never trained on {'are' if users + items != 1 else 'is'} left out: a split held "
            f"out all their interactions, so their vectors were never fitted and their {what} would say nothing of "
            "them.")


def length_place(norms: np.ndarray, value: float) -> str:
    """Where a vector length sits among the items' `norms`, in words: "the longest of the items", "the shortest
    of the items", else "longer than P% of the items", P rounded down (99.7% read "longer than 100%" of them)."""
    norms = np.asarray(norms, np.float64)
    if value >= norms.max():
        return "the longest of the items"
    if value <= norms.min():
        return "the shortest of the items"
    share = 100 * float(np.mean(norms < value))
    if share < 0.1:  # rounded down, a few of many thousands read "longer than 0%"
        return "longer than under 0.1% of the items"
    shown = f"{int(share)}" if 1 <= share < 99 else f"{np.floor(10 * share) / 10:g}"
    return f"longer than {shown}% of the items"


def biases(rho: float) -> str:
    """What ρ (an item's bias against its popularity) means: the bias adds to every user's score of the item
    alike, and for Funk SVD on MovieLens 100K it is most of a listed score, with ρ only 0.24 there: its lists
    lead with the items everyone rates highly, popular or not."""
    size = abs(rho)
    strength = "hardly" if size < 0.2 else "somewhat" if size < 0.5 else "clearly" if size < 0.8 else "strongly"
    return (f"its item biases (how much better than average everyone rates an item; they add to every user's score "
            f"of it alike) are {strength} {'higher' if rho >= 0 else 'lower'} for popular items (ρ {rho:.2f})"
            + (": with the vectors' lengths, they move its lists toward popular items" if rho >= 0.5 else
               ": they put the items everyone rates highly first, popular or not (the Recommend page's caption says "
               "how much of a listed score they make)"))


LONG_HEAD = 80  # the 10 most popular items' median length percentile from which they count as long


def ordinal(n: float) -> str:
    """48 → "48th", 1 → "1st", 22 → "22nd"."""
    n = int(round(n))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _number(row, key: str) -> float:
    """A row's value as a float, NaN where the row has none."""
    value = row.get(key)
    return float("nan") if value is None else float(value)


def lengths(rho: float, head: float, rare: float, arp: float = float("nan"), dot_only: float = float("nan"),
            bias_only: float = float("nan")) -> str:
    """What ρ (vector length against popularity) means at each end: the 10 most popular items' and the less
    popular half's median percentile of length (`norm_percentiles`). ρ is carried by every item, so a high ρ
    with a head of ordinary length comes from the rare items, and says nothing about the blockbusters.

    For a model with item biases, `arp`, `dot_only` and `bias_only` are the ARP of its lists ranked by the full
    score, by user · item alone and by the item bias alone (`PopularityReport.arp_dot_only`, `arp_bias_only`):
    long vectors are said to make its scores favour popular items only when the dot-only lists are the more
    popular; otherwise its item biases carry the popularity, and that is said with the numbers (Funk SVD on
    MovieLens 100K: ρ 0.78, but dot alone 136, bias alone 182, full 187)."""
    parts = np.isfinite(dot_only) and np.isfinite(bias_only)
    by_bias = parts and dot_only <= bias_only
    carried = ("its item biases, not the lengths, carry the popularity of its lists (ranked by the item biases alone "
               f"its lists' mean popularity is {bias_only:,.0f}, by the dot product alone {dot_only:,.0f}, "
               f"by the full score {arp:,.0f})") if by_bias else ""
    causal = (f", but {carried}" if by_bias else
              ", which is what makes its dot-product scores favour them"
              + (f" (ranked by the dot product alone its lists' mean popularity is {dot_only:,.0f}, by the "
                 f"item biases alone {bias_only:,.0f}, by the full score {arp:,.0f})" if parts else ""))
    aside = f"; {carried}" if by_bias else ""
    if not np.isfinite(head):
        return (f"popular items get {correlation(rho)} vectors (ρ {rho:.2f})"
                + (causal if rho >= 0.5 else aside))
    where = f"the 10 most popular items' median length is at the {ordinal(head)} percentile"
    if rho >= 0.5 and head >= LONG_HEAD:
        return f"popular items get {correlation(rho)} vectors (ρ {rho:.2f}; {where})" + causal
    if rho >= 0.5:
        rare_words = f" (the less popular half at the {ordinal(rare)})" if np.isfinite(rare) else ""
        return (f"vector length follows popularity (ρ {rho:.2f}) through the rare items, which get short vectors"
                f"{rare_words}, not through the head: {where}, "
                f"{'somewhat longer than most' if head >= 60 else 'no longer than most'}, so its dot-product scores hold "
                "rare items back more than they lift the blockbusters" + aside)
    return f"popular items get {correlation(rho)} vectors (ρ {rho:.2f}; {where})" + aside


def thin_lists(lists: dict[str, tuple[int, int, int, str, int]], threshold: int, crowded: bool) -> str | None:
    """What to make of neighbour lists holding items with fewer than `threshold` interactions: `lists` maps a list's
    words ("by cosine", "in ALS f=64") to (its length, how many such items, the rank of the first, its title, its
    interactions); None when no list holds any. `crowded`: a warning's words (such items high in a list or many),
    else a caption's."""
    thin = {words: numbers for words, numbers in lists.items() if numbers[1]}
    if not thin:
        return None
    counts = "; ".join(f"{count} of the {n} {words} (" + ("" if count == 1 else "the first ")
                       + f"#{rank}, {title}, {seen:,} in training)"  # the lists' popularity counts all the data
                       for words, (n, count, rank, title, seen) in thin.items())
    return (f"Neighbours with fewer than {threshold} interactions in the training data: {counts}. Their vectors rest "
            "on a handful of users and are mostly noise, so "
            + ("their places say more about noise than about the item: raise Min. interactions to leave them out."
               if crowded else "read them with care."))
