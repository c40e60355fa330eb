"""Popularity: every user gets the most-interacted items; the reference point for bias diagnostics."""

import numpy as np
import scipy.sparse as sp

from mfviz.kernels.topk import ordered_top_k
from mfviz.models.base import Model


class Popularity(Model):
    """Score of item i = number of users who interacted with it (same for every user).

    Represented as one-dimensional factors (user factor 1, item factor = count) so that the
    shared scoring, ranking and neighbour code applies unchanged.
    """

    name = "popularity"
    label = "Popularity"
    feedback = "any"
    fold_in_how = "none: the Popularity baseline gives everyone the same list"
    personal = False
    params = {}

    def _fit(self, matrix: sp.csr_matrix) -> None:
        counts = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float32)
        self._user_factors = np.ones((matrix.shape[0], 1), np.float32)
        self._item_factors = counts.reshape(-1, 1)
        self._order = None  # the ranking `_top_n` walks, made again from these counts
        self._epoch_done(1, 0.0)

    def _fold_in(self, items: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        return np.ones(1, np.float32), 0.0

    def _fold_in_item(self, users: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        return np.array([np.unique(users).size], np.float32), 0.0  # its count of users

    def _fold_in_rows(self, profiles: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        return np.ones((profiles.shape[0], 1), np.float32), np.zeros(profiles.shape[0], np.float32)

    def _top_n(self, users: np.ndarray, n: int, indptr: np.ndarray, indices: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """Every user's list is the same ranking less their own items: walked once per user (ordered_top_k),
        not scored item by item; ties by item index, as `topk_dot` breaks them."""
        counts = self._item_factors[:, 0]
        if getattr(self, "_order", None) is None or self._order.size != counts.size:  # once, not per batch of users
            self._order = np.argsort(-counts, kind="stable").astype(np.int64)
        return ordered_top_k(self._order, counts, n, users.size, indptr, indices)
