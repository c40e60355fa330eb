"""The users in the model's space: each user's most over-represented genre, a map of a sample of
user vectors, and where any user vector (a fold-in) lands on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mfviz.analysis.neighbours import exact_search
from mfviz.data.id_lists import user_named
from mfviz.errors import DataError

# A rare genre's few items make a large lift by chance: 3 Documentaries among 125 films was 3.2 times
# Documentary's share of ML-100K, the "distinctive genre" of 103 of its 943 users. A genre counts when
# it holds at least this share of the user's items.
MIN_SHARE = 0.05


def favourite_groups(matrix, groups: dict[str, np.ndarray], min_count: int = 2,
                     min_share: float = MIN_SHARE) -> tuple[np.ndarray, np.ndarray]:
    r"""Each user's favourite group (genre): the one most over-represented among the user's items
    against the whole data, :math:`\arg\max_g \frac{n_{ug} / n_u}{N_g / N}` (:math:`n_{ug}` the
    user's items in g, :math:`N_g` all interactions with items of g), over the groups holding at
    least `min_count` and `min_share` of the user's items; "(none)" when no group does. Returns the
    names and the lifts (0 for "(none)"). Over-representation, not the largest share: on MovieLens
    every user's largest genre would be Drama."""
    matrix = sp.csr_matrix(matrix)
    n_users, n_items = matrix.shape
    names = list(groups)
    if not names:
        return np.full(n_users, "(none)", dtype=object), np.zeros(n_users)
    rows = np.concatenate([np.asarray(groups[g], np.int64) for g in names])
    if rows.size and (rows.min() < 0 or rows.max() >= n_items):
        raise DataError(f"a group holds item index {int(rows.max())} but there are {n_items} items")
    columns = np.repeat(np.arange(len(names)), [len(groups[g]) for g in names])
    membership = sp.csr_matrix((np.ones(rows.size), (rows, columns)), shape=(n_items, len(names)))
    binary = sp.csr_matrix((np.ones(matrix.nnz), matrix.indices, matrix.indptr), shape=matrix.shape)
    counts = (binary @ membership).toarray()  # users × groups
    activity = np.maximum(np.diff(binary.indptr), 1)[:, None]
    base = counts.sum(axis=0) / max(binary.nnz, 1)
    enough = (counts >= min_count) & (counts >= min_share * activity)
    lift = np.where(enough & (base > 0), counts / activity / np.where(base > 0, base, 1), -np.inf)
    best = np.argmax(lift, axis=1)
    top = lift[np.arange(n_users), best]
    found = np.isfinite(top)
    favourite = np.where(found, np.asarray(names, dtype=object)[best], "(none)")
    return favourite, np.where(found, top, 0.0)


def sample_users(n_users: int, size: int, seed: int = 0, among: np.ndarray | None = None) -> np.ndarray:
    """A fixed, sorted sample of user indices (all of them when there are no more than `size`); of the users
    `among` only when given (sorted indices, e.g. those a model trained on), drawn as from all of them when they
    are all of them."""
    among = np.arange(n_users) if among is None else np.asarray(among, np.int64)
    if among.size <= size:
        return among
    # the same draws as choice(n_users, ...) when `among` is every user (a Generator picks positions in it)
    return np.sort(np.random.default_rng(seed).choice(among, size, replace=False))


def place_on_map(vectors, sample_vectors, coords, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Where user vectors that are not on a map of `sample_vectors` land on it: the mean position
    of their k nearest sampled users by cosine (the way UMAP starts new points). Returns the
    positions (m, 2) and the nearest users' rows in the sample (m, k)."""
    vectors = np.atleast_2d(np.asarray(vectors, np.float32))
    coords = np.asarray(coords, np.float64)
    k = min(int(k), len(coords))
    ids, _ = exact_search(vectors, np.asarray(sample_vectors, np.float32), k, "cosine")
    safe = np.where(ids >= 0, ids, 0)
    weights = (ids >= 0).astype(np.float64)
    positions = (coords[safe] * weights[..., None]).sum(axis=1) / np.maximum(weights.sum(axis=1), 1)[:, None]
    return positions, ids


def user_table(coords, users: np.ndarray, user_ids, activity, favourite, lift) -> pd.DataFrame:
    """One row per mapped user, shaped like the item map's table (x, y, item = user index, title)
    so the same map figure draws it; plus activity, distinctive genre (`favourite_groups`: the most over-represented) and its lift."""
    users = np.asarray(users, np.int64)
    activity = np.asarray(activity)[users]
    return pd.DataFrame({
        "x": np.asarray(coords)[:, 0], "y": np.asarray(coords)[:, 1], "item": users,
        "title": [f"{user_named(u)} · {a:,} interaction{'' if a == 1 else 's'}"
                  for u, a in zip(np.asarray(user_ids)[users], activity, strict=True)],
        "distinctive genre": np.asarray(favourite, dtype=object)[users], "lift": np.asarray(lift)[users],
        "popularity": activity,
    })
