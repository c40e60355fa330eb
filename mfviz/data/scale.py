"""Rating scales: which scale a rating column is on, and which ratings lie outside it (typos such as -1 or 99)."""

from __future__ import annotations

import numpy as np

from mfviz.errors import DataError

# Scales rating files use, narrowest first within each start (stars, half stars, 0-10 scores). The
# scale of a column is the narrowest of these that holds its bulk, so a 6 in a 1-5 file is outside.
RECOGNISED_SCALES = ((1.0, 5.0), (0.5, 5.0), (0.0, 5.0), (1.0, 7.0), (1.0, 10.0), (0.5, 10.0), (0.0, 10.0))
# The bulk is what is left after at most this share of ratings (or 2 ratings, in a small file) is
# taken from each end: values rarer than 1 in 2,000 at an end may be typos; a real scale's extreme
# grades are far more common (MovieLens' 0.5 stars: 1.4%, its 1 star: 6%).
TAIL_SHARE = 0.0005
TAIL_RATINGS = 2
# Every recognised scale lies within this one: a value outside it (a negative, an 11) is a slip on
# any scale. One just outside the bulk's scale (a 6 among 1-5 stars) is only taken for a typo when it
# is as rare as TAIL_SHARE: in a small file a lone 0.5 may be the one half star given.
ANY_SCALE = (0.0, 10.0)
SAMPLE = 200_000  # values the scale is judged on; the ratings outside it are then counted in full
# Ratings of 0 and below among a scale that starts above 0 (-1 and 0 among 1-5 stars) are a file's codes for
# "not rated" or a dislike, or typos, when they are at most this share and some are negative (0s alone are
# Goodreads' "read, not rated": kept, with a warning). Too common for TAIL_SHARE, they hid the scale: the file
# read as ratings from -1 to 5, whose middle, 2, made a 3 a liked item.
BELOW_SHARE = 0.05
# A whole-step scale with values apart below it ({-1, 1..5}: no 0): at most this many distinct values below the
# gap, and at least GAP_MAIN in the run above it, so that two scales side by side or sparse counts are no "gap"
GAP_APART = 2
GAP_MAIN = 3
TYPOS = "likely typos"
CODES = "a file's codes for 'not rated' or a dislike, or typos"


def rating_scale(values: np.ndarray, counts: np.ndarray | None = None) -> tuple[float, float] | None:
    """The recognised scale (low, high) that holds the bulk of these ratings, or None when the bulk
    is no rating scale (more than 21 distinct values, steps finer than a half, or beyond every scale).

    values: the ratings, or distinct values with their `counts` (a histogram)."""
    distinct, counts = _histogram(values, counts)
    bulk = _bulk(distinct, counts)
    if bulk is None or bulk.size > 21 or not np.allclose(bulk * 2, np.round(bulk * 2)):
        return None
    return next(((low, high) for low, high in RECOGNISED_SCALES if low <= bulk[0] and bulk[-1] <= high), None)


def typos(values: np.ndarray, zeros_kept: bool = False) -> tuple[tuple[float, float], np.ndarray, str] | None:
    """(scale, mask of the ratings outside it, why: TYPOS or CODES) when a few ratings lie outside the scale that
    holds the rest and look like typos, or when ratings at 0 and below look like codes (`below_scale`); None when
    every rating fits, or when what lies outside is no slip.

    Counts with a long tail (1, 2, 3, ... 40 plays) can look like a small scale with values beyond
    it; they are told apart by the scale's own edge: people give the top (and bottom) grade of a
    scale often, so a scale whose edge next to the outside values holds under 1% of the ratings is a
    fading tail, not a scale with typos beyond it."""
    distinct, counts = _histogram(values, None)
    scale = rating_scale(distinct, counts)
    if scale is None:
        below = below_scale(values, distinct, counts, zeros_kept)
        return None if below is None else (*below, CODES)
    mask = outside(values, scale)
    found = int(mask.sum())
    if found == 0:
        return None
    near = found - int(outside(values, ANY_SCALE).sum())
    if near > TAIL_SHARE * values.size or found > 4 * TAIL_SHARE * values.size + 2 * TAIL_RATINGS:
        return None  # too many to be slips: another scale, or no scale
    share = dict(zip(distinct.tolist(), (counts / counts.sum()).tolist(), strict=True))
    odd = values[mask]
    for edge, beyond in ((scale[0], odd < scale[0]), (scale[1], odd > scale[1])):
        if beyond.any() and share.get(edge, 0.0) < 0.01:
            return None
    return scale, mask, TYPOS


def below_scale(values: np.ndarray, distinct: np.ndarray | None = None, counts: np.ndarray | None = None,
                zeros_kept: bool = False) -> tuple[tuple[float, float], np.ndarray] | None:
    """(scale, mask of the ratings outside it) when some ratings are negative, those at 0 or below are at most
    BELOW_SHARE of all, and the rest lie on a recognised scale that starts above 0 (-1 and 0 among 1-5 stars): the
    mask holds those at 0 or below and any typo above the scale (a 99), so that dropping them drops all the message
    counts. `zeros_kept` (the loader's zeros='keep'): a 0 is a rating, so the scale may start at 0 and only the
    negatives (and typos above) are outside. None otherwise. `distinct`, `counts`: the values' histogram."""
    if distinct is None or counts is None:
        distinct, counts = _histogram(values, None)
    low = distinct < 0 if zeros_kept else distinct <= 0
    if not (distinct < 0).any() or not (~low).any() or counts[low].sum() > BELOW_SHARE * counts.sum():
        return None
    scale = rating_scale(distinct[~low], counts[~low])
    if scale is None or (scale[0] <= 0 and not zeros_kept):
        return None
    return scale, outside(values, scale)


def apart_below(values: np.ndarray) -> tuple[np.ndarray, tuple[float, float]] | None:
    """(the distinct values apart, the main run (low, high)) when whole-step ratings have one or two values, the
    lowest negative, below a gap under an unbroken run of at least GAP_MAIN values: -1 among 1-5 stars with no 0 is a file's code
    (skipped, disliked), not a rating two steps below 1. None otherwise, or when the values are not whole."""
    distinct, _ = _histogram(values, None)
    if distinct.size < GAP_MAIN + 1 or not np.array_equal(distinct, np.round(distinct)):
        return None
    gaps = np.flatnonzero(np.diff(distinct) > 1)
    if gaps.size != 1:
        return None
    cut = int(gaps[0]) + 1
    below, run = distinct[:cut], distinct[cut:]
    # a negative value is no grade of a scale; 0s alone apart from 1-5 are Goodreads' "not rated", warned of apart
    if below.size > GAP_APART or run.size < GAP_MAIN or run.size > 21 or below[0] >= 0:
        return None
    return below, (float(run[0]), float(run[-1]))


def apart_words(name: str, values: np.ndarray, found: tuple[np.ndarray, tuple[float, float]]) -> str:
    """"460 ratings (10%) in column 'stars' are -1, which sits apart from 1–5 (no 0): …" with what to do."""
    below, run = found
    count = int(np.isin(values, below).sum())
    shown = " or ".join(f"{v:g}" for v in below)
    missing = ", ".join(f"{v:g}" for v in np.setdiff1d(np.arange(below[-1] + 1, run[0]), below))
    return (f"{count:,} rating{'s' if count != 1 else ''} ({count / values.size:.0%}) in column {name!r} "
            f"{'are' if count != 1 else 'is'} {shown}, which sits apart from {scale_words(run)} (no {missing} in the "
            "file): a code such as 'skipped' or 'disliked'? As loaded they are ratings below the lowest of the scale, "
            "and models learn them so. To drop those rows, load with out_of_scale='drop' (the Data page: Column "
            "mapping, ratings outside the scale), or map them to a rating in the file.")


def _histogram(values: np.ndarray, counts: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values, ascending, with their counts: of a random sample of the values (a stride
    can miss a period), or of a histogram given as values and counts."""
    if counts is not None:
        values = np.asarray(values, np.float64)
        order = np.argsort(values)
        return values[order], np.asarray(counts, np.float64)[order]
    if values.size > SAMPLE:  # sampled before any copy: 20M ratings are not copied to judge a scale
        values = values[np.random.default_rng(0).integers(0, values.size, SAMPLE)]
    distinct, counts = np.unique(np.asarray(values, np.float64), return_counts=True)
    return distinct, counts.astype(np.float64)


def _bulk(distinct: np.ndarray, counts: np.ndarray) -> np.ndarray | None:
    """The distinct values left when up to TAIL_SHARE of the ratings (TAIL_RATINGS at least) is cut
    from each end."""
    if distinct.size == 0:
        return None
    tail = max(TAIL_SHARE * counts.sum(), TAIL_RATINGS)
    first = int(np.searchsorted(np.cumsum(counts), tail, side="right"))
    last = distinct.size - 1 - int(np.searchsorted(np.cumsum(counts[::-1]), tail, side="right"))
    return distinct[first:last + 1] if first <= last else None


def outside(values: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """Where values lie outside the scale (a boolean mask)."""
    low, high = scale
    return (values < low) | (values > high)


def scale_words(scale: tuple[float, float]) -> str:
    return f"{scale[0]:g}–{scale[1]:g}"


def shown_values(odd: np.ndarray) -> str:
    """The values outside a scale as a message lists them: "-1, 99" (the five most common, ascending)."""
    distinct, counts = np.unique(odd, return_counts=True)
    common = np.sort(distinct[np.argsort(-counts, kind="stable")][:5])
    return ", ".join(f"{v:g}" for v in common) + (", …" if distinct.size > 5 else "")


def outside_words(name: str, values: np.ndarray, scale: tuple[float, float]) -> str:
    """"2 ratings in column 'stars' lie outside 1–5 (-1, 99), the scale of the other 4,998"."""
    odd = values[outside(values, scale)]
    count = odd.size
    return (f"{count:,} rating{'s' if count != 1 else ''} in column {name!r} li{'e' if count != 1 else 'es'} outside "
            f"{scale_words(scale)} ({shown_values(odd)}), the scale of the other {values.size - count:,}")


def step_words(values: np.ndarray) -> str:
    """"in whole steps", "in half steps" or "not in whole or half steps", checked on every value (a
    sample could miss the one half star), a chunk at a time so no full-size temporary is made."""
    whole = True
    for start in range(0, values.size, 1 << 20):
        chunk = values[start:start + (1 << 20)]
        whole = whole and np.array_equal(chunk, np.floor(chunk))
        if not whole and not np.array_equal(chunk * 2, np.floor(chunk * 2)):
            return "not in whole or half steps"
    return "in whole steps" if whole else "in half steps"


class RatingsOutsideScale(DataError):
    """A few ratings lie outside the scale of the rest: the loader stops (unless told to drop or keep
    them) and says which; the Data page offers both choices as buttons from these fields."""

    def __init__(self, message: str, *, count: int, scale: tuple[float, float], shown: str, why: str = TYPOS) -> None:
        super().__init__(message)
        self.count, self.scale, self.shown, self.why = count, scale, shown, why
