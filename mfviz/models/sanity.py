"""What a fitted model's own numbers say about its training: vectors that learned nothing, users and items it never saw."""

from __future__ import annotations

import numpy as np

# A score the vectors add that stays below this share of the largest training value is lost in a
# float32 prediction (about 7 significant digits): such vectors have learned nothing.
NOTHING = 1e-6


def learned_nothing(model, train) -> str | None:
    """Why a trained model's user or item vectors are all zero or numerically nothing (and what to
    try), or None when they carry something. Such a model still trains without error, but its maps,
    neighbours and personal scores mean nothing. `train`: the Interactions (or matrix) it was fitted on."""
    vectors = {side: np.asarray(getattr(model, f"{side}_factors", None)) for side in ("user", "item")}
    if any(v.ndim != 2 or not v.size or v.dtype.kind not in "fiu" for v in vectors.values()):
        return None
    # accumulated in float64 row by row: a float64 copy of 200,000 × 64 user factors took 0.3 s of every fit
    norms = {side: float(np.sqrt(np.einsum("ij,ij->i", v, v, dtype=np.float64).max())) for side, v in vectors.items()}
    values = getattr(train, "matrix", train).data
    scale = float(np.abs(values).max()) if values.size else 1.0
    # no |x_u · y_i| can be larger than this product; written so that NaN (divergence, reported
    # elsewhere) is not taken for nothing
    if not norms["user"] * norms["item"] <= NOTHING * scale:
        return None
    zero = [side for side, norm in norms.items() if norm <= NOTHING * scale]
    words = f"its {' and '.join(zero)} vectors are all zero" if zero else "its vectors are too small to change a score"
    if values.size and values.min() == values.max():
        # the mean (and biases) predict every value exactly: the residual the vectors fit is zero
        kind = "rating" if getattr(train, "is_explicit", False) else "value"
        return (f"{words}: every training {kind} is {values[0]:g}, so there is nothing to learn beyond the mean; "
                "train a model that learns from which items each user has (Implicit ALS, Truncated SVD), or use "
                "data whose ratings vary.")
    reg = getattr(model, "regularization", None)
    scaled = (" (scale_regularization multiplies it by each user's and item's count: 0.05 to 0.1 is usual then)"
              if getattr(model, "scale_regularization", False) else "")
    return (f"{words}: the regularization{f' ({reg:g})' if reg is not None else ''} most likely outweighs what the "
            f"data says, shrinking every vector to zero; lower regularization and train again{scaled}.")


def loaded_warnings(model) -> list[str]:
    """What the fit of a model read from a file warned of, from its own numbers (`fit_warnings` is not saved, and a
    file written before it was kept says the same): vectors that learned nothing, and Truncated SVD's components
    past the matrix's rank. Nothing for factors trained elsewhere, whose objective (and regularization) are unknown."""
    said = []
    train = getattr(model, "train_matrix", None)
    if train is not None and not getattr(model, "zero_row_unknown", False):
        if (why := learned_nothing(model, train)) is not None:
            said.append(why)
    singular_values = getattr(model, "singular_values", None)
    if singular_values is not None and singular_values.size and (singular_values == 0).any():  # zeroed as noise
        from mfviz.models.svd import surplus_components

        said.append(surplus_components(int((singular_values > 0).sum()), int(singular_values.size)))
    return said


def untrained_users(model) -> np.ndarray:
    """Which users (a bool per row) a personalising model has no training interaction of: a split held out all of
    theirs, so their vectors were never fitted (zero, or the random start) and their lists, places on a map and
    statistics say nothing of them. None for Popularity, which lists the same items for everyone, or for factors
    that came without interactions."""
    train = getattr(model, "train_matrix", None)
    if train is None or not getattr(model, "personal", True):
        return np.zeros(model.n_users, bool)
    from mfviz.evaluation.metrics import known_users  # the users evaluation ranks: the same rule

    return ~known_users(train)


def untrained_items(model) -> np.ndarray:
    """Which items (a bool per row) a model has no training interaction of (e.g. first seen after a split's time
    cut): their vectors were never fitted, so their neighbours and places on a map say nothing of them."""
    train = getattr(model, "train_matrix", None)
    if train is None:
        return np.zeros(model.n_items, bool)
    return np.bincount(train.indices, minlength=model.n_items) == 0
