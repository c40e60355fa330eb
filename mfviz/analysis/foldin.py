"""Fold-in: recommendations for an ad-hoc profile without retraining, and what each profile item adds."""

from __future__ import annotations

import numpy as np

from mfviz.analysis.neighbours import normalise_rows
from mfviz.errors import ModelError


def recommend_for_profile(model, items, values=None, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Top-n (item row indices, scores) for a profile of item indices (optional ratings), via
    `model.fold_in` and `model.recommend_for_vector`; the profile's items are excluded."""
    items = np.atleast_1d(np.asarray(items))
    vector = model.fold_in(items, values)
    return model.recommend_for_vector(vector, n=n, exclude=items.tolist())


def profile_contributions(model, items, values, targets, limit: int | None = None, disliked=None) -> np.ndarray:
    """How much each profile item adds to each target item's score: (len(targets), len(items)).

    The score part meant is y_tᵀx, x the folded-in user vector: what depends on the profile and
    ranks the items. A user bias, which lifts every item alike, is left out (so, by construction,
    are the global mean and item biases). Entry (t, j) is y_tᵀx folded in from the whole profile
    minus y_tᵀx folded in without item j (leave-one-out). It needs nothing but `fold_in`, so it
    holds for every model, SGD-trained ones included; for Truncated SVD, whose fold-in r V Σ^-½ is
    linear, the contributions add up to y_tᵀx.
    With `limit`, a longer profile is left out one item at a time only for the `limit` items most
    like the targets (highest cosine to any of them); the other columns are NaN.
    A model that can split its scores exactly (`model.score_contributions`: ALS, implicit ALS) gives
    that split instead: every column, parts adding up to the score. `disliked`: items the vector was
    folded in as unwanted (`fold_in_disliking`); only a model with that solve takes them.
    A part's sign is not the item's rating: a model fitted around a mean and biases (Funk SVD, SVD++,
    ALS) turns the vector away from an item rated low, so that item's part is positive for the targets
    unlike it (the Recommend page names it "unlike" the item, `recommend_reasons.reason_label`).
    """
    items = np.atleast_1d(np.asarray(items, np.int64))
    if disliked is not None and len(disliked):
        if not hasattr(model, "fold_in_disliking"):
            raise ModelError(f"{getattr(model, 'label', 'this model')} folds in no dislikes")
        return model.score_contributions(items, values, targets, disliked=disliked)
    if hasattr(model, "score_contributions"):
        return model.score_contributions(items, values, targets)
    values = np.ones(items.size, np.float32) if values is None else np.asarray(values, np.float32)
    factors = np.asarray(model.item_factors, np.float64)
    target_vectors = factors[np.asarray(targets, np.int64)]
    candidates = np.arange(items.size)
    if target_vectors.shape[0] == 0:
        return np.zeros((0, items.size))
    if limit is not None and items.size > limit:
        # One solve per left-out item: on a 737-item history that is 2 s for Funk SVD.
        likeness = (normalise_rows(factors[items]) @ normalise_rows(target_vectors).T).max(axis=1)
        candidates = np.sort(np.argsort(-likeness, kind="stable")[:limit])

    def scores(keep: np.ndarray) -> np.ndarray:
        if not keep.any():  # an empty profile folds in as the zero vector (fold_in refuses it)
            return np.zeros(target_vectors.shape[0])
        return target_vectors @ model.fold_in(items[keep], values[keep]).astype(np.float64)

    keep = np.ones(items.size, bool)
    whole = scores(keep)
    out = np.full((target_vectors.shape[0], items.size), np.nan)
    for j in candidates:
        keep[j] = False
        out[:, j] = whole - scores(keep)
        keep[j] = True
    return out
