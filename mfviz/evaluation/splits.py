"""Seeded train/test splits of an Interactions container that keep its user and item index space.

Every split returns (train, test): two Interactions with the same shape, ids, item table and
feedback kind as the input, whose stored interactions partition the input's. Model indices
trained on `train` therefore line up with `test`. Users or items may have no entries on one side.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from mfviz.data.interactions import Interactions
from mfviz.errors import DataError
from mfviz.kernels.splits import rank_within_rows
from mfviz.seeds import accepts_seed

SPLITS = ("random", "user", "leave-k-out", "time", "user-time")


@accepts_seed
def random_split(interactions: Interactions, test_size: float = 0.2,
                 random_state: int | None = 0) -> tuple[Interactions, Interactions]:
    """Hold out round(test_size * nnz) interactions drawn uniformly at random."""
    _check_fraction(test_size)
    nnz = interactions.nnz
    n_test = int(round(test_size * nnz))
    _check_sizes(n_test, nnz, f"test_size={test_size:g} of {nnz:,} interactions")
    rng = np.random.default_rng(random_state)
    is_test = np.zeros(nnz, bool)
    is_test[rng.choice(nnz, size=n_test, replace=False)] = True
    return split_by_mask(interactions, is_test)


@accepts_seed
def user_split(interactions: Interactions, test_size: float = 0.2, random_state: int | None = 0,
               min_train: int = 1) -> tuple[Interactions, Interactions]:
    """Per user, hold out round(test_size * n_u) random interactions (at least one).

    A user keeps at least `min_train` interactions in train; users with fewer than
    `min_train + 1` interactions stay entirely in train.
    """
    _check_fraction(test_size)
    activity = interactions.user_activity
    n_test = np.clip(np.round(test_size * activity), 1, None).astype(np.int64)
    return _per_user(interactions, n_test, min_train, _random_keys(interactions, random_state),
                     f"test_size={test_size:g}")


@accepts_seed
def leave_k_out_split(interactions: Interactions, k: int = 1, random_state: int | None = 0,
                      min_train: int = 1) -> tuple[Interactions, Interactions]:
    """Per user, hold out exactly k random interactions; users with fewer than k + min_train
    interactions stay entirely in train."""
    if not isinstance(k, int | np.integer) or k < 1:
        raise DataError(f"leave-k-out needs k >= 1 held-out interactions per user, got {k!r}")
    n_test = np.full(interactions.n_users, int(k), np.int64)
    return _per_user(interactions, n_test, min_train, _random_keys(interactions, random_state),
                     f"leave-k-out with k={k}", warn_whole=True)


def temporal_split(interactions: Interactions, test_size: float = 0.2,
                   per_user: bool = False, min_train: int = 1) -> tuple[Interactions, Interactions]:
    """Hold out the latest interactions.

    Global (default): the latest round(test_size * nnz) interactions of the whole data set, i.e.
    a cut at the (1 - test_size) quantile of the timestamps; every train timestamp is <= every
    test timestamp. Ties at the cut are broken by storage order, so the split is deterministic.
    per_user=True: each user's latest round(test_size * n_u) interactions (at least one), with
    `min_train` kept as in `user_split`. Needs timestamps (DataError otherwise).
    """
    _check_fraction(test_size)
    if interactions.timestamps is None:
        raise DataError(
            "a temporal split needs timestamps, but this data has none; load a file with a "
            "timestamp column, or use the random or per-user split instead"
        )
    stamps = interactions.timestamps
    if not per_user:
        nnz = interactions.nnz
        n_test = int(round(test_size * nnz))
        _check_sizes(n_test, nnz, f"test_size={test_size:g} of {nnz:,} interactions")
        # The n_test-th latest timestamp is the cut: everything after it is test, and ties at the
        # cut fill the remaining places in storage order (a linear-time selection, no sort).
        cut = np.partition(stamps, nnz - n_test)[nnz - n_test]
        is_test = stamps > cut
        at_cut = np.flatnonzero(stamps == cut)
        is_test[at_cut[: n_test - int(is_test.sum())]] = True
        return split_by_mask(interactions, is_test)
    activity = interactions.user_activity
    n_test = np.clip(np.round(test_size * activity), 1, None).astype(np.int64)
    # Smallest key = latest; equal timestamps keep storage order (stable sort), so repeatable.
    return _per_user(interactions, n_test, min_train, -stamps,
                     f"test_size={test_size:g}")


@accepts_seed
def split(interactions: Interactions, method: str = "random", test_size: float = 0.2,
          random_state: int | None = 0, k: int = 1) -> tuple[Interactions, Interactions]:
    """Dispatch by name: "random", "user", "leave-k-out" (uses k), "time" (global temporal
    cut), "user-time" (each user's latest interactions)."""
    if method == "random":
        return random_split(interactions, test_size, random_state)
    if method == "user":
        return user_split(interactions, test_size, random_state)
    if method == "leave-k-out":
        return leave_k_out_split(interactions, k, random_state)
    if method == "time":
        return temporal_split(interactions, test_size)
    if method == "user-time":
        return temporal_split(interactions, test_size, per_user=True)
    raise DataError(f"unknown split {method!r}; choose one of {list(SPLITS)}")


def split_by_mask(interactions: Interactions, is_test) -> tuple[Interactions, Interactions]:
    """(train, test) from a boolean mask over the stored interactions in CSR order (the order of
    `interactions.matrix.data`), same index space: for splits of your own."""
    matrix = interactions.matrix
    is_test = np.asarray(is_test, bool)
    if is_test.shape != (matrix.nnz,):
        raise DataError(f"the test mask needs one entry per stored interaction ({matrix.nnz:,}), "
                        f"got shape {is_test.shape}")
    rows = np.repeat(np.arange(interactions.n_users), np.diff(matrix.indptr))
    halves = []
    for mask in (~is_test, is_test):
        indptr = np.zeros(interactions.n_users + 1, np.int64)
        np.cumsum(np.bincount(rows[mask], minlength=interactions.n_users), out=indptr[1:])
        part = sp.csr_matrix((matrix.data[mask], matrix.indices[mask], indptr), shape=matrix.shape)
        stamps = None if interactions.timestamps is None else interactions.timestamps[mask]
        halves.append(Interactions(part, interactions.user_ids, interactions.item_ids,
                                   timestamps=stamps, items=interactions.items,
                                   is_explicit=interactions.is_explicit, report=interactions.report))
    return halves[0], halves[1]


# --------------------------------------------------------------------- helpers
def _check_fraction(test_size: float) -> None:
    if not isinstance(test_size, int | float | np.floating) or not 0 < test_size < 1:
        raise DataError(f"test_size must be a fraction strictly between 0 and 1, got {test_size!r}")


def _check_sizes(n_test: int, nnz: int, what: str) -> None:
    if n_test == 0:
        raise DataError(f"{what} leaves the test set empty; raise test_size or use more data")
    if n_test == nnz:
        raise DataError(f"{what} leaves the training set empty; lower test_size")


def _what_a_user_needs(n_test: np.ndarray, min_train: int) -> tuple[str, str]:
    """What a user must have to be split, in words, after "no user has" and after "the others have"."""
    if n_test.size and (n_test == n_test[0]).all():
        k = int(n_test[0])
        needed = f"{k + min_train:,} interactions ({k:,} to hold out, {min_train:,} to keep in train)"
        return f"as many as {needed}", f"fewer than {needed}"
    share = f"interactions to hold out their share and keep {min_train:,} in train"
    return f"enough {share}", f"too few {share}"


def _random_keys(interactions: Interactions, seed: int | None) -> np.ndarray:
    return np.random.default_rng(seed).random(interactions.nnz)


def _per_user(interactions: Interactions, n_test: np.ndarray, min_train: int, keys: np.ndarray,
              what: str, warn_whole: bool = False) -> tuple[Interactions, Interactions]:
    """Per row, send the `n_test[u]` entries with the smallest `keys` to test, for users that
    keep at least `min_train` entries in train; others stay whole in train (with `warn_whole`, a ModelWarning when
    they are most users: leave-k-out's fixed k; the share splits' callers say it by the share held out)."""
    if not isinstance(min_train, int | np.integer) or min_train < 0:
        raise DataError(f"min_train must be an integer >= 0, got {min_train!r}")
    indptr = interactions.matrix.indptr.astype(np.int64)
    activity = np.diff(indptr)
    rank = rank_within_rows(indptr, np.ascontiguousarray(keys))
    wanted = n_test
    n_test = np.where(activity >= n_test + min_train, n_test, 0)
    # each row's n_test smallest keys go to test
    is_test = rank < np.repeat(n_test, activity)
    needs, lacks = _what_a_user_needs(wanted, min_train)
    if not is_test.any():
        raise DataError(
            f"{what} puts nothing in the test set: no user has {needs}; the most any user has is "
            f"{int(activity.max(initial=0)):,}. Hold out fewer, or use a random split or more data"
        )
    active = int((activity > 0).sum())
    kept_whole = active - int((n_test > 0).sum())
    if warn_whole and kept_whole > active / 2:  # the test metrics then speak of a few users only
        import warnings

        from mfviz.errors import ModelWarning

        warnings.warn(f"{what} split only {active - kept_whole:,} of the {active:,} users with interactions: the "
                      f"other {kept_whole:,} have {lacks} and stay whole in train, so the test metrics "
                      "speak of the few split; hold out fewer, or use a random split", ModelWarning, stacklevel=3)
    return split_by_mask(interactions, is_test)
