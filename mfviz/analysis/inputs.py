"""What the analyses read from their arguments: item counts from an Interactions, and a clear refusal of a model or
an Interactions where an array of vectors is wanted (NumPy reads either as one object and fails in its own words)."""

from __future__ import annotations

import numpy as np

from mfviz.errors import DataError


def item_counts(values):
    """Per-item counts as given, or an Interactions' `item_popularity` (its users per item) when one is given."""
    return values if isinstance(values, np.ndarray) else getattr(values, "item_popularity", values)


def as_array(values, what: str, dtype=None) -> np.ndarray:
    """`np.asarray(values, dtype)`, but a DataError saying what to pass for a model or an Interactions."""
    if hasattr(values, "item_factors"):
        raise DataError(f"{what} must be an array of vectors (rows × components), got a model "
                        f"({type(values).__name__}): pass its item_factors (or user_factors)")
    if hasattr(values, "matrix") and hasattr(values, "item_ids"):
        raise DataError(f"{what} must be an array of vectors (rows × components), got the interactions: pass a "
                        "fitted model's item_factors (or user_factors)")
    return np.asarray(values, dtype)
