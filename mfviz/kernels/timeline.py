"""Counting timestamps per day, for the Data page's timeline: one pass, no temporary the size of the data."""

import numpy as np
from numba import njit

DAY = 86_400


@njit(cache=True, nogil=True)
def count_per_day(stamps, first_day, n_days):
    """Interactions per day: out[d] counts the stamps (Unix seconds, int64) in day first_day + d.

    first_day: the first day's number (seconds // 86,400, floored, so days before 1970 are negative);
    n_days: days from it to the last stamp's, inclusive. Returns (n_days,) int64.
    """
    out = np.zeros(n_days, np.int64)
    for stamp in stamps:
        out[stamp // DAY - first_day] += 1  # numba's // floors like Python's, negative stamps too
    return out


def count_per_day_reference(stamps, first_day, n_days):
    """Slow NumPy version of `count_per_day`, for the tests."""
    return np.bincount(np.asarray(stamps, np.int64) // DAY - first_day, minlength=n_days).astype(np.int64)
