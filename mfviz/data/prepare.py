"""Preparation helpers: k-core filtering, binarising ratings, sampling users; each returns a new container."""

from __future__ import annotations

import copy

import numpy as np
import scipy.sparse as sp

from mfviz.data.interactions import Interactions
from mfviz.errors import DataError
from mfviz.seeds import accepts_seed


def k_core(interactions: Interactions, min_user: int = 5, min_item: int = 5) -> Interactions:
    """Keep users with >= min_user interactions and items with >= min_item, repeating until both
    hold at once (removing an item can push a user below the bound, and back)."""
    if min_user < 1 or min_item < 1:
        raise DataError(f"k-core bounds must be >= 1, got min_user={min_user}, min_item={min_item}")
    pattern = interactions.matrix.copy()
    pattern.data = np.ones_like(pattern.data)
    users = np.ones(interactions.n_users, bool)
    items = np.ones(interactions.n_items, bool)
    passes = 0
    while True:
        passes += 1
        kept = sp.diags(users.astype(np.float32)) @ pattern @ sp.diags(items.astype(np.float32))
        activity = np.asarray(kept.sum(axis=1)).ravel()
        popularity = np.asarray(kept.sum(axis=0)).ravel()
        new_users = users & (activity >= min_user)
        new_items = items & (popularity >= min_item)
        if np.array_equal(new_users, users) and np.array_equal(new_items, items):
            break
        users, items = new_users, new_items
    result = _checked(interactions.subset(np.flatnonzero(users), np.flatnonzero(items)),
                      f"k_core(min_user={min_user}, min_item={min_item})")
    _note(result, interactions,
          f"k-core (users >= {min_user}, items >= {min_item} interactions, {passes} passes): removed "
          f"{interactions.n_users - result.n_users:,} users, {interactions.n_items - result.n_items:,} "
          f"items and {interactions.nnz - result.nnz:,} interactions.")
    return result


def _kept_entries(interactions: Interactions, keep: np.ndarray, values: np.ndarray, is_explicit: bool) -> Interactions:
    """The entries where `keep` holds, with these `values`; every user and item stays, even empty."""
    matrix = interactions.matrix
    row_of = np.repeat(np.arange(interactions.n_users), np.diff(matrix.indptr))
    indptr = np.r_[0, np.cumsum(np.bincount(row_of[keep], minlength=interactions.n_users))]
    kept = sp.csr_matrix((values, matrix.indices[keep], indptr), shape=matrix.shape)
    stamps = None if interactions.timestamps is None else interactions.timestamps[keep]
    return Interactions(kept, interactions.user_ids, interactions.item_ids, timestamps=stamps,
                        items=interactions.items, is_explicit=is_explicit, report=copy.deepcopy(interactions.report))


def drop_zero_ratings(interactions: Interactions) -> Interactions:
    """Explicit ratings without the zeros: in Goodreads and Book-Crossing exports a 0 means 'read,
    not rated', not the lowest rating. Users and items are kept, even when left empty."""
    matrix = interactions.matrix
    keep = matrix.data != 0
    result = _kept_entries(interactions, keep, matrix.data[keep], interactions.is_explicit)
    if result.nnz == 0:
        raise DataError("drop_zero_ratings: every rating is 0; nothing would be left.")
    _note(result, interactions, f"Dropped the {interactions.nnz - result.nnz:,} ratings of 0 ('not rated').")
    result.report.warnings = [w for w in result.report.warnings if "are 0 on a scale" not in w]  # done
    return result


def binarize(interactions: Interactions, threshold: float = 4.0) -> Interactions:
    """Explicit ratings to implicit feedback: ratings >= threshold become 1, the rest are removed
    (a low rating is not a positive signal). Users and items are kept, even when left empty."""
    matrix = interactions.matrix
    keep = matrix.data >= threshold
    result = _kept_entries(interactions, keep, np.ones(int(keep.sum()), np.float32), False)
    if result.nnz == 0:
        raise DataError(f"binarize: no rating is >= {threshold}; choose a lower threshold "
                        f"(ratings range from {matrix.data.min():g} to {matrix.data.max():g}).")
    empty_users = int((result.user_activity == 0).sum())
    empty_items = int((result.item_popularity == 0).sum())
    _note(result, interactions,
          f"Binarised at rating >= {threshold:g}: removed {interactions.nnz - result.nnz:,} lower "
          f"ratings; {empty_users:,} user{'s have' if empty_users != 1 else ' has'} and {empty_items:,} "
          f"item{'s have' if empty_items != 1 else ' has'} no positive left (a k-core of 2 or more drops them).")
    return result


@accepts_seed
def sample_users(interactions: Interactions, n: int, random_state: int = 0) -> Interactions:
    """A uniform random sample of n users with all their interactions; items nobody in the
    sample touched are dropped."""
    if n < 2:
        raise DataError(f"sample_users needs n >= 2 users, got {n}")
    if n >= interactions.n_users:
        result = interactions.subset()
        result.report = copy.deepcopy(interactions.report)
        result.report.note(f"sample_users(n={n}): kept all {interactions.n_users:,} users.")
        return result
    rng = np.random.default_rng(random_state)
    users = np.sort(rng.choice(interactions.n_users, n, replace=False))
    touched = np.unique(interactions.matrix[users].indices)
    result = _checked(interactions.subset(users, touched), f"sample_users(n={n})")
    _note(result, interactions,
          f"Sampled {n:,} of {interactions.n_users:,} users (seed {random_state}): removed "
          f"{interactions.n_items - result.n_items:,} items and {interactions.nnz - result.nnz:,} "
          "interactions.")
    return result


def _checked(result: Interactions, what: str) -> Interactions:
    if result.n_users < 2 or result.n_items < 2:
        raise DataError(f"{what} leaves {result.n_users} users and {result.n_items} items; "
                        "a factorization needs at least 2 of each. Use smaller bounds.")
    return result


def _note(result: Interactions, original: Interactions, text: str) -> None:
    """A fresh report for the result: the original's, plus what this step removed."""
    result.report = copy.deepcopy(original.report)
    result.report.rows_kept = result.nnz
    result.report.note(text)
