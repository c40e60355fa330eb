"""Singular value spectra of the interaction matrix and of a model's score matrix P Qᵀ."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from mfviz.errors import DataError
from mfviz.kernels.switches import resolve_clashes, switch_entries
from mfviz.seeds import accepts_seed

ENERGY_LEVELS = (0.5, 0.8, 0.9)
_DENSE_LIMIT = 2_000  # below this smaller side, a dense SVD is cheap and returns every value


@dataclass(frozen=True)
class Spectrum:
    r"""Top singular values of a matrix R and how much of it they explain.

    - ``singular_values``: :math:`\sigma_1 \ge \dots \ge \sigma_k` (float64).
    - ``cumulative_energy[i]`` = :math:`\sum_{j \le i} \sigma_j^2 / \lVert R\rVert_F^2`, the share
      of the squared Frobenius norm that a rank-(i+1) truncated SVD reproduces (Eckart–Young).
    - ``total_energy`` = :math:`\lVert R\rVert_F^2` (sum of squared stored values).
    - ``k_for[p]``: the smallest rank whose cumulative energy reaches p, for p in 0.5/0.8/0.9;
      None when the computed values do not reach p.
    - ``effective_rank``: the *stable rank* :math:`\lVert R\rVert_F^2 / \sigma_1^2`
      (Rudelson & Vershynin 2007), exact from σ₁ and the Frobenius norm alone, so it does
      not depend on how many values were computed. It is ≤ rank(R) and counts how many
      "directions as strong as the first" the energy is spread over.
    """

    singular_values: np.ndarray
    cumulative_energy: np.ndarray
    total_energy: float
    k_for: dict
    effective_rank: float

    @property
    def explained_energy(self) -> np.ndarray:
        """Share of the squared Frobenius norm carried by each singular value alone."""
        return self.singular_values**2 / self.total_energy if self.total_energy > 0 else self.singular_values * 0

    def table(self):
        """One row per singular value: rank, singular_value, explained_energy, cumulative_energy."""
        import pandas as pd

        return pd.DataFrame({"rank": np.arange(1, self.singular_values.size + 1),
                             "singular_value": self.singular_values,
                             "explained_energy": self.explained_energy,
                             "cumulative_energy": self.cumulative_energy})


def _spectrum(singular_values: np.ndarray, total_energy: float) -> Spectrum:
    values = np.sort(np.asarray(singular_values, np.float64))[::-1]
    values = np.maximum(values, 0.0)
    if total_energy > 0:
        cumulative = np.minimum(np.cumsum(values**2) / total_energy, 1.0)
    else:
        cumulative = np.zeros_like(values)
    k_for = {}
    for level in ENERGY_LEVELS:
        # tolerance: a full spectrum reaches 1.0 only up to rounding
        reached = np.flatnonzero(cumulative >= level - 1e-12)
        k_for[level] = int(reached[0] + 1) if reached.size else None
    effective = total_energy / values[0] ** 2 if values.size and values[0] > 0 else 0.0
    return Spectrum(values, cumulative, float(total_energy), k_for, float(effective))


@accepts_seed
def data_spectrum(matrix, k: int = 100, random_state: int = 0) -> Spectrum:
    r"""Top-k singular values of the interaction matrix (users × items, missing entries as 0,
    as Truncated SVD treats them) with cumulative explained energy
    :math:`\sum_{j\le i}\sigma_j^2/\lVert R\rVert_F^2`, the ranks reaching 50/80/90 % and the stable
    rank (see `Spectrum`). Accepts an `Interactions` or a (sparse or dense) matrix.

    Uses ARPACK (`scipy.sparse.linalg.svds`, seeded start vector, float32 for a sparse matrix) when k is below
    the smaller side, else a dense SVD; the latter returns every value, so the curve ends at exactly 1.
    """
    matrix = getattr(matrix, "matrix", matrix)
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise DataError(f"k must be a positive integer, got {k!r}")
    if sp.issparse(matrix):
        matrix = sp.csr_matrix(matrix, dtype=np.float64)
        total = float(np.dot(matrix.data, matrix.data))
    else:
        matrix = np.asarray(matrix, np.float64)
        if matrix.ndim != 2:
            raise DataError(f"the matrix must be 2-D, got shape {matrix.shape}")
        total = float(np.sum(matrix * matrix))
    if min(matrix.shape) == 0:
        raise DataError(f"the matrix is empty (shape {matrix.shape}); load interactions first")
    smaller = min(matrix.shape)
    if k >= smaller - 1 or smaller <= _DENSE_LIMIT and k > smaller // 4:
        dense = matrix.toarray() if sp.issparse(matrix) else matrix
        values = np.linalg.svd(dense, compute_uv=False)[: min(k, smaller)]
    else:
        # In float32: ARPACK's time is sparse products, which then read half the bytes (5M ratings, k = 100: 4.4 s
        # against 7.3 s), and the values stay within 5e-6 of float64's, far below what a chart or the 5% margin
        # over the shuffle can show.
        start = np.random.default_rng(random_state).standard_normal(smaller).astype(np.float32)
        operator = matrix.astype(np.float32) if sp.issparse(matrix) else matrix
        values = svds(operator, k=int(k), v0=start, return_singular_vectors=False).astype(np.float64)
    return _spectrum(values, total)


TRIES = 64  # draws a clashing entry may use in one round before the next clash has its turn
# Between rounds, attempted switches per entry among all the entries: they change who holds what around a clash
# no swap could resolve. On the generated 1.5M-row click log a sixteenth per entry resolved its 66,012 clashes in 5
# batches of draws (10,114, 2,215, 1,028 and 4 left after the first four); a quarter in 4, a fifth slower.
STIR = 1 / 16
# The edge-switch chain's attempted switches per entry when the shuffle starts from the data itself. With each
# user's values shuffled among their items too, on the generated 1.5M-row click log (log values) σ₁ read 408.5,
# 401.1, 398.8, 398.9, 400.3 after 0, 2, 5, 10, 20 passes: settled from 2 on.
SWITCH_PASSES = 5


def shuffled(matrix, seed: int = 0, rounds: int = 8) -> sp.csr_matrix:
    """The interactions with their items shuffled among them: every user keeps their number of
    interactions and their values, every item its number of users, and nothing else survives
    (a degree-preserving null model: the item column of all entries permuted at once, and each
    user's values shuffled among that user's items). The stored values are exactly the data's, never
    merged: an entry that lands on an item its user already has swaps its item with another entry,
    where the swap puts no item twice on either user, with allowed switches among all the entries
    between rounds of such swaps (`resolve_clashes`; skewed data: the heaviest user drew the most
    popular item hundreds of times, and few users lack it), over up to `rounds` batches of draws
    (two per entry of each kind).

    Should some clash be left after that (a block of the matrix so full that hardly any swap is
    allowed), the shuffle starts over from the data itself and makes SWITCH_PASSES attempted
    switches per entry (the edge-switch chain: every allowed swap made). It keeps the counts and
    values all the same; what it gives up is a complete mix of who has what, as a few passes leave
    part of the data's own pairs in place."""
    coo = sp.coo_matrix(getattr(matrix, "matrix", matrix))
    coo.sum_duplicates()  # a pair stored twice in the input is one interaction (as in a CSR matrix)
    rng = np.random.default_rng(seed)
    rows, items = coo.row.astype(np.int64), coo.col.astype(np.int64)
    n, n_items = rows.size, coo.shape[1]
    columns, left, held = rng.permutation(items), n, np.flatnonzero(np.bincount(items, minlength=n_items))
    for _ in range(rounds if n else 0):
        _, _, left = resolve_clashes(rows, columns, n_items, rng.choice(held, 2 * n).astype(np.int32),
                                     rng.random(2 * n), TRIES, rng.integers(0, n, 2 * n, dtype=np.int32),
                                     rng.integers(0, n, 2 * n, dtype=np.int32), max(1, int(STIR * n)))
        if left == 0:
            break
    if left and n:
        columns = items.copy()
        for _ in range(SWITCH_PASSES):
            switch_entries(rows, columns, n_items, rng.integers(0, n, n), rng.integers(0, n, n))
    # each user's values dealt out over their entries in a random order (the entries sorted by user stay in place)
    values = np.empty_like(coo.data)
    values[np.argsort(rows, kind="stable")] = coo.data[np.lexsort((rng.random(n), rows))]
    return sp.csr_matrix((values, (rows, columns)), shape=coo.shape)


@accepts_seed
def null_spectrum(matrix, k: int = 100, random_state: int = 0) -> Spectrum:
    """`data_spectrum` of the `shuffled` interactions: what the spectrum looks like when only who is
    active and what is popular remain. The data's components stronger than the shuffle's at the
    same rank are structure beyond those counts."""
    return data_spectrum(shuffled(matrix, random_state), k=k, random_state=random_state)


ABOVE_MARGIN = 0.05  # uniform random matrices of 100+ users and items stayed within 4.3% of their shuffle


def components_above(data_values, null_values, margin: float = ABOVE_MARGIN) -> np.ndarray:
    """The ranks (1-based, from 2: the first is mostly popularity and activity, in both) at which the
    data's singular value is more than `margin` above the shuffle's at the same rank, ascending. Every
    such rank counts, not only a run from the second: the shuffle's second component is often
    popularity again and can outweigh the data's while taste stands clear above it from the third on.
    The margin keeps the chance wobble of structureless data out (its values and its shuffle's differ
    by a few percent at most)."""
    data_values, null_values = np.asarray(data_values, float), np.asarray(null_values, float)
    n = min(data_values.size, null_values.size)
    above = data_values[1:n] > null_values[1:n] * (1 + margin)
    return np.flatnonzero(above) + 2


def model_spectrum(user_factors, item_factors=None) -> np.ndarray:
    r"""Singular values of a model's score matrix :math:`S = P Q^\top` without forming it.

    With thin QR decompositions :math:`P = Q_P R_P` and :math:`Q = Q_Q R_Q`,
    :math:`S = Q_P (R_P R_Q^\top) Q_Q^\top` and the outer factors have orthonormal columns, so
    the singular values of S are those of the small f × f core :math:`R_P R_Q^\top`. Cost
    :math:`O((n_u + n_i) f^2)`. Returns min(f, n_users, n_items) values, descending (float64).
    Accepts arrays or a model (anything with `user_factors` and `item_factors`).
    """
    users, items = factor_pair(user_factors, item_factors)
    # mode="r": R alone (the orthonormal factors are never used here): 1.6 s instead of 3.8 s on 100,000 × 100
    r_users = np.linalg.qr(users, mode="r")
    r_items = np.linalg.qr(items, mode="r")
    return np.linalg.svd(r_users @ r_items.T, compute_uv=False)


def factor_pair(user_factors, item_factors=None) -> tuple[np.ndarray, np.ndarray]:
    """(user factors, item factors) as float64 arrays, from arrays or a model (anything with
    `user_factors` and `item_factors`), checked to be 2-D with the same number of columns."""
    if item_factors is None and hasattr(user_factors, "item_factors"):
        user_factors, item_factors = user_factors.user_factors, user_factors.item_factors
    users = np.asarray(user_factors, np.float64)
    items = np.asarray(item_factors, np.float64)
    if users.ndim != 2 or items.ndim != 2 or users.shape[1] != items.shape[1]:
        raise DataError(f"user and item factors must be 2-D with the same number of columns, "
                        f"got {users.shape} and {items.shape}")
    return users, items


def model_energy(user_factors, item_factors=None) -> Spectrum:
    """`model_spectrum` as a `Spectrum` (energy relative to ‖P Qᵀ‖_F², which equals Σσ²)."""
    if item_factors is None:
        user_factors, item_factors = user_factors.user_factors, user_factors.item_factors
    values = model_spectrum(user_factors, item_factors)
    return _spectrum(values, float(np.sum(values**2)))
