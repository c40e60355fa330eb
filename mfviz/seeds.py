"""One name for a seed across the API: `random_state` (scikit-learn's, Surprise's and implicit's), `seed` still taken."""

from __future__ import annotations

import functools
from collections.abc import Callable

from mfviz.errors import DataError


def accepts_seed(func: Callable) -> Callable:
    """`func` (whose seed parameter is `random_state`) also takes it as `seed=`, the name mfviz's functions had
    before models and functions shared one (and Spark's); both at once is a DataError rather than a guess."""
    @functools.wraps(func)  # keeps the signature, random_state and all, for help() and inspect
    def wrapper(*args, **kwargs):
        if "seed" in kwargs:
            if "random_state" in kwargs:
                raise DataError(f"{func.__name__} got both random_state={kwargs['random_state']!r} and "
                                f"seed={kwargs['seed']!r}: they are one setting; give random_state only")
            kwargs["random_state"] = kwargs.pop("seed")
        return func(*args, **kwargs)
    return wrapper
