"""Taste axes: every item placed along the direction from one group of items to another (a custom projection)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mfviz.analysis.inputs import as_array
from mfviz.analysis.neighbours import normalise_rows
from mfviz.errors import DataError


def group_direction(vectors, rows, name: str = "the") -> np.ndarray:
    """The average direction of a group of rows of `vectors`: the mean of their unit vectors, as a
    unit vector (zero when they cancel out or are all zero)."""
    unit = normalise_rows(as_array(vectors, "vectors", np.float64)).astype(np.float64)
    n = unit.shape[0]
    rows = np.unique(np.atleast_1d(np.asarray(rows, np.int64)))
    if rows.size == 0:
        raise DataError(f"the {name} end of the axis has no items: pick a group with at least one item")
    if rows.min() < 0 or rows.max() >= n:
        raise DataError(f"the {name} end holds item index {int(rows.max() if rows.max() >= n else rows.min())}, "
                        f"outside 0..{n - 1}")
    mean = unit[rows].mean(axis=0)
    length = np.linalg.norm(mean)
    return mean / length if length > 1e-12 else np.zeros_like(mean)


def axis_direction(vectors, left, right) -> np.ndarray:
    r"""The unit vector of the axis from group `left` to group `right` (row indices of `vectors`):
    :math:`a \propto \hat e_{right} - \hat e_{left}`, the difference of the groups' average directions
    (`group_direction`, each a unit vector, so both ends weigh alike: with plain means, a group whose
    items point many ways had a short mean and the axis ran mostly away from the other group; on
    ML-100K, Horror → Romance, Romance's own direction sat at +0.27 and Horror's at −0.87). Each
    group's direction then sits at the same distance from 0, ∓`axis_reach`."""
    ends = {"left": group_direction(vectors, left, "left"), "right": group_direction(vectors, right, "right")}
    if not any(end.any() for end in ends.values()):
        raise DataError("the items at both ends of the axis have all-zero vectors: the model learned nothing "
                        "to place them on. Retrain it or pick another model")
    for name, end in ends.items():
        if not end.any():  # its items cancel out or are all zero
            raise DataError(f"the items at the {name} end of the axis point every way (or are all zero), so they "
                            "have no average direction: pick a group whose items have more in common")
    axis = ends["right"] - ends["left"]
    length = np.linalg.norm(axis)
    if length >= 1e-12:
        return axis / length
    unit = normalise_rows(as_array(vectors, "vectors", np.float64))
    if unit.shape[1] == 1:  # every unit vector is +1 or -1: only ends on opposite sides make an axis
        one_side = np.all(unit >= 0) or np.all(unit <= 0)
        raise DataError("this model has a single dimension, so every axis is the same line and each item sits "
                        "at one of its two ends; the items you picked for both ends sit at the same one"
                        + (", and so does every item: no choice of ends makes an axis. The Dimensions map "
                           "shows that one dimension; train a model with more factors for taste axes"
                           if one_side else ": pick ends whose items sit at opposite ends"))
    raise DataError("the two ends of the axis point the same way on average (the same items?): "
                    "pick two groups that differ")


def axis_reach(vectors, left, right) -> float:
    """Where the right group's average direction sits on the axis (its cosine with it; the left's is
    the negative): how far items typical of either end get, which is well short of ±1 when the two
    groups' directions are close (√((1 − cos θ) / 2) for the angle θ between them)."""
    return float(group_direction(vectors, right, "right") @ axis_direction(vectors, left, right))


def taste_axis(vectors, left, right) -> np.ndarray:
    """Cosine of every row of `vectors` with `axis_direction(vectors, left, right)`: +1 points the
    way the right group does on average and −1 the way the left one does. Directions only, as
    cosine neighbours see items: a popular item's long vector gets no extra reach."""
    return cosines_with(vectors, axis_direction(vectors, left, right))


def cosines_with(vectors, direction: np.ndarray) -> np.ndarray:
    """Cosine of every row of `vectors` with a unit `direction` (0 for zero rows), e.g. user vectors
    with an axis found among the items: models score users and items in one space."""
    return normalise_rows(as_array(vectors, "vectors", np.float64)).astype(np.float64) @ direction


def genre_groups(items, min_size: int = 1) -> dict[str, np.ndarray]:
    """{genre: item rows carrying it}, largest group first (ties by name), from an item table's
    `genres` column (a list per item, as `Interactions.items` holds them, or one name); empty
    without such a column."""
    if items is None or "genres" not in getattr(items, "columns", ()):
        return {}
    genres = pd.Series(items["genres"].to_numpy(), index=np.arange(len(items)))
    # one row per (item, genre): lists, tuples and arrays explode, a single name stays, missing values drop
    pairs = genres.explode().dropna().astype(str)
    pairs = pairs[~pd.MultiIndex.from_arrays([pairs.index, pairs.to_numpy()]).duplicated()]  # listed twice: once
    rows = pd.Series(pairs.index.to_numpy(np.int64), index=pairs.to_numpy()).groupby(level=0).agg(
        lambda r: np.sort(r.to_numpy()))
    ordered = sorted(rows.items(), key=lambda kv: (-kv[1].size, kv[0]))
    return {name: members for name, members in ordered if members.size >= min_size}


def group_shares(groups: dict[str, np.ndarray], selected, n_items: int) -> list[tuple[str, float, float]]:
    """(group, share of the selected items in it, share of all n_items in it) for every group with
    a selected item, most over-represented first (by the ratio of the two shares)."""
    chosen = np.zeros(n_items, bool)
    chosen[np.asarray(selected, np.int64)] = True
    total = max(int(chosen.sum()), 1)
    rows = []
    for name, members in groups.items():
        hits = int(chosen[members].sum())
        if hits:
            rows.append((name, hits / total, members.size / n_items))
    return sorted(rows, key=lambda row: (-row[1] / row[2], -row[1], row[0]))
