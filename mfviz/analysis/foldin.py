"""Fold-in: recommendations for an ad-hoc profile without retraining."""

from __future__ import annotations

import numpy as np


def recommend_for_profile(model, items, values=None, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Top-n (item ids, scores) for a profile of item indices (optional ratings), via
    `model.fold_in` and `model.recommend_for_vector`; the profile's items are excluded."""
    items = np.atleast_1d(np.asarray(items))
    vector = model.fold_in(items, values)
    return model.recommend_for_vector(vector, n=n, exclude=items.tolist())
