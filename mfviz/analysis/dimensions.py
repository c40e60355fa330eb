"""A model's strongest taste dimensions: the singular directions of its score matrix P Qᵀ, and what lies at their ends."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mfviz.analysis.axes import group_shares
from mfviz.errors import DataError


@dataclass(frozen=True)
class Dimensions:
    r"""The model's factors turned to its principal dimensions.

    A model scores with :math:`S = P Q^\top`, but any invertible mixing of its factor columns
    scores the same, so the raw columns of P and Q mean little on their own (Truncated SVD's
    excepted). The singular value decomposition :math:`S = U \Sigma V^\top` fixes one basis: dimension
    d is the d-th strongest pattern of the scores. ``user_coords`` = :math:`U\Sigma^{1/2}` and
    ``item_coords`` = :math:`V\Sigma^{1/2}`, so ``user_coords @ item_coords.T`` is still S: a user's
    score for an item is the sum over dimensions of the product of their coordinates.
    Signs are fixed so that each dimension's item coordinate of largest magnitude is positive.
    """

    singular_values: np.ndarray  # descending, float64
    user_coords: np.ndarray  # users × dimensions
    item_coords: np.ndarray  # items × dimensions

    @property
    def energy_share(self) -> np.ndarray:
        """Share of ‖P Qᵀ‖_F² carried by each dimension (σ_d² / Σσ²)."""
        energy = self.singular_values**2
        total = energy.sum()
        return energy / total if total > 0 else energy


def principal_dimensions(user_factors, item_factors=None, tol: float = 1e-10) -> Dimensions:
    r"""`Dimensions` of :math:`P Q^\top` without forming it: with thin QR decompositions
    :math:`P = Q_P R_P`, :math:`Q = Q_Q R_Q` and the SVD :math:`R_P R_Q^\top = A \Sigma B^\top` of the
    small f × f core, :math:`U = Q_P A` and :math:`V = Q_Q B` (cost :math:`O((n_u + n_i) f^2)`).
    Dimensions with :math:`\sigma \le` tol·σ₁ (a rank-deficient model) are dropped. Accepts arrays or
    a model (anything with `user_factors` and `item_factors`); biases are not part of it."""
    if item_factors is None and hasattr(user_factors, "item_factors"):
        user_factors, item_factors = user_factors.user_factors, user_factors.item_factors
    users = np.asarray(user_factors, np.float64)
    items = np.asarray(item_factors, np.float64)
    if users.ndim != 2 or items.ndim != 2 or users.shape[1] != items.shape[1]:
        raise DataError(f"user and item factors must be 2-D with the same number of columns, "
                        f"got {users.shape} and {items.shape}")
    if not (np.isfinite(users).all() and np.isfinite(items).all()):
        raise DataError("the factors hold NaN or infinite values: retrain the model (a smaller learning rate "
                        "or more regularization usually helps)")
    q_users, r_users = np.linalg.qr(users, mode="reduced")
    q_items, r_items = np.linalg.qr(items, mode="reduced")
    left, values, right_t = np.linalg.svd(r_users @ r_items.T, full_matrices=False)
    keep = values > tol * values[0] if values.size and values[0] > 0 else np.zeros(values.size, bool)
    scale = np.sqrt(values[keep])
    user_coords = (q_users @ left[:, keep]) * scale
    item_coords = (q_items @ right_t[keep].T) * scale
    # Fix each dimension's sign (U and V flip together, so scores are unchanged).
    if item_coords.size:
        largest = item_coords[np.argmax(np.abs(item_coords), axis=0), np.arange(item_coords.shape[1])]
        signs = np.where(largest < 0, -1.0, 1.0)
        user_coords, item_coords = user_coords * signs, item_coords * signs
    return Dimensions(values[keep], user_coords, item_coords)


def dimension_ends(coords: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the n largest and the n smallest values of one dimension's item coordinates
    (most extreme first; ties by row)."""
    coords = np.asarray(coords, np.float64)
    n = min(int(n), coords.size)
    order = np.argsort(-coords, kind="stable")
    low = np.argsort(coords, kind="stable")
    return order[:n], low[:n]


def describe_dimensions(dims: Dimensions, titles, groups: dict[str, np.ndarray] | None = None,
                        n_dims: int = 8, n_titles: int = 3, end_share: float = 0.1) -> pd.DataFrame:
    """One row per dimension (strongest first, at most n_dims): its share of the score energy, the
    n_titles items at each end, and — given genre `groups` ({genre: item rows}) — the genres most
    over-represented among the end_share of items at each end (at least 1.5× their catalogue share)."""
    titles = np.asarray(titles, dtype=object)
    n_items = dims.item_coords.shape[0]
    end_size = max(1, int(round(end_share * n_items)))
    rows = []
    for d in range(min(int(n_dims), dims.item_coords.shape[1])):
        column = dims.item_coords[:, d]
        high, low = dimension_ends(column, end_size)
        row = {"dimension": d + 1, "energy": float(dims.energy_share[d]),
               "+ end": " · ".join(map(str, titles[high[:n_titles]])),
               "− end": " · ".join(map(str, titles[low[:n_titles]]))}
        if groups:
            for name, end in (("+ end genres", high), ("− end genres", low)):
                shares = [(genre, inside / overall) for genre, inside, overall in group_shares(groups, end, n_items)
                          if inside >= 1.5 * overall and inside >= 0.05]
                row[name] = ", ".join(f"{genre} ({ratio:.1f}×)" for genre, ratio in shares[:3]) or "—"
        rows.append(row)
    columns = ["dimension", "energy", "+ end genres", "− end genres", "+ end", "− end"]
    frame = pd.DataFrame(rows, columns=[c for c in columns if groups or "genres" not in c])
    return frame
