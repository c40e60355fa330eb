"""ALS for explicit ratings: alternating exact ridge solves over observed entries, optional biases."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from mfviz.kernels.als import als_solve_rows, als_squared_error
from mfviz.models.base import Model, Param, csr_both_ways


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, float32 (Gaussian rows so scaled are uniform random directions)."""
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


class ALS(Model):
    r"""Alternating least squares on the observed ratings only.

    Prediction  r̂_ui = μ + b_u + b_i + x_uᵀ y_i  (μ = training mean; without biases r̂_ui = x_uᵀ y_i).
    Objective over the observed set K:

        L = Σ_{(u,i)∈K} (r_ui - r̂_ui)² + Σ_u λ_u (‖x_u‖² + b_u²) + Σ_i λ_i (‖y_i‖² + b_i²)

    with λ_u = λ (plain ridge), or λ_u = λ·n_u, the user's rating count (scale_regularization=True,
    ALS-WR of Zhou et al. 2008); likewise for items. Each epoch fixes one side and solves every
    row of the other exactly (items first, then users), with z_u = [x_u, b_u], ỹ_i = [y_i, 1]:

        z_u ← (Σ_{i∈K_u} ỹ_i ỹ_iᵀ + λ_u I)⁻¹ Σ_{i∈K_u} (r_ui - μ - b_i) ỹ_i

    (symmetrically for items), so L never increases. μ is fixed at the training mean; the factors
    start as random unit vectors, the biases at 0. `fold_in` solves the same ridge problem for a new profile with the items frozen; for a
    training user it reproduces that user's vector and bias.
    """

    name = "als"
    label = "ALS"
    feedback = "explicit"
    fold_in_how = "one ridge regression, the same solve as a training step"
    params = {
        "factors": Param(32, "number of latent factors", low=1, high=4096),
        "epochs": Param(15, "alternating sweeps (items then users)", low=1, high=10_000),
        "regularization": Param(15.0, "L2 penalty lambda (times the row's count with scale_regularization)",
                                low=0.0, low_exclusive=True,
                                why="with 0, a user or item with fewer ratings than factors has no unique vector "
                                    "(the solve divides by zero)"),
        "biases": Param(True, "learn a global mean and user/item biases"),
        "scale_regularization": Param(False, "ALS-WR: multiply lambda by the user's/item's count"),
        "random_state": Param(None, "seed of the initial factors (None: random)", low=0),
    }

    def _fit(self, matrix: sp.csr_matrix) -> None:
        user_csr, item_csr = csr_both_ways(matrix)
        n_users, n_items = matrix.shape
        rng = np.random.default_rng(self.random_state)
        # Random unit vectors (as Spark MLlib starts): on ML-100K's 5 folds, ALS-WR without biases after
        # 15 sweeps has 0.002 lower RMSE than from N(0, 0.1²) rows (see BENCHMARKS.md, Spark section).
        X, Y = (unit_rows(rng.standard_normal((n, self.factors))) for n in (n_users, n_items))
        user_bias = np.zeros(n_users, np.float32)
        item_bias = np.zeros(n_items, np.float32)
        mu = float(matrix.data.mean()) if self.biases else 0.0
        user_weight = np.diff(user_csr[0]) if self.scale_regularization else np.ones(n_users)
        item_weight = np.diff(item_csr[0]) if self.scale_regularization else np.ones(n_items)
        solve = (mu, self.regularization, self.scale_regularization, self.biases)
        for epoch in range(1, self.epochs + 1):
            als_solve_rows(*item_csr, Y, item_bias, X, user_bias, *solve)
            als_solve_rows(*user_csr, X, user_bias, Y, item_bias, *solve)
            penalty = (user_weight @ (np.einsum("ij,ij->i", X, X, dtype=np.float64) + user_bias.astype(np.float64) ** 2)
                       + item_weight @ (np.einsum("ij,ij->i", Y, Y, dtype=np.float64) + item_bias.astype(np.float64) ** 2))
            squared_error = als_squared_error(*user_csr, X, user_bias, Y, item_bias, mu)
            loss = squared_error + self.regularization * penalty
            self._user_factors, self._item_factors = X, Y
            if self.biases:
                self.user_bias, self.item_bias, self.global_mean = user_bias, item_bias, mu
            if not self._epoch_done(epoch, loss, rmse=float(np.sqrt(squared_error / matrix.nnz))):
                break

    def score_contributions(self, items, values, targets) -> np.ndarray:
        """Each profile item's exact part of each target's y_tᵀx, (len(targets), len(items)).

        The fold-in is a ridge regression of the profile's ratings less μ and the item biases,
        t_j = r_j − μ − b_j, on the item vectors f_j = (y_j, 1) (the 1 for the user bias): z = A⁻¹ Σ_j t_j f_j
        with A = Σ_j f_j f_jᵀ + λI and z = (x, b_u). So y_tᵀx splits into t_j (y_t, 0)ᵀ A⁻¹ f_j; a rating
        below what μ + b_j predicts has t_j < 0, so its part lowers the items near it (the sign of
        (y_t, 0)ᵀ A⁻¹ f_j) and raises those unlike it. The user bias b_u is left out: it lifts every
        item alike, so it explains no ranking."""
        items, values = self._check_profile(items, values)
        targets = self._check_id_list(targets, self.n_items, "item")
        Y = self._item_factors.astype(np.float64)
        features = Y if not self.biases else np.column_stack([Y, np.ones(Y.shape[0])])
        profile = features[items]
        residuals = values.astype(np.float64) - self.global_mean
        if self.biases:
            residuals -= self.item_bias[items]
        ridge = self.regularization * (items.size if self.scale_regularization else 1)
        system = profile.T @ profile + ridge * np.eye(profile.shape[1])
        solved = np.linalg.solve(system, profile.T)[:Y.shape[1]]  # the x rows; the b_u row is dropped
        return (Y[targets] @ solved) * residuals

    def _fold_in(self, items: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        """The closed-form ridge solve of `_fit` for one new row, items frozen."""
        return self._solve_new_row(items, values, self._item_factors, self.item_bias)

    def _fold_in_item(self, users: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        """The same solve for one new column, users frozen (an item half-sweep for one item)."""
        return self._solve_new_row(users, values, self._user_factors, self.user_bias)

    def _fold_in_rows(self, profiles: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """The same ridge solves for every row at once (the training kernel, rows in parallel)."""
        vectors = np.zeros((profiles.shape[0], self._item_factors.shape[1]), np.float32)
        biases = np.zeros(profiles.shape[0], np.float32)
        item_bias = self.item_bias if self.biases else np.zeros(self.n_items, np.float32)
        als_solve_rows(profiles.indptr.astype(np.int64), profiles.indices.astype(np.int32), profiles.data, vectors,
                       biases, self._item_factors, item_bias, self.global_mean, self.regularization,
                       self.scale_regularization, self.biases)
        return vectors, biases

    def _solve_new_row(self, rows, values, frozen, frozen_bias) -> tuple[np.ndarray, float]:
        order = np.argsort(rows, kind="stable")
        vector = np.zeros((1, frozen.shape[1]), np.float32)
        bias = np.zeros(1, np.float32)
        frozen_bias = frozen_bias if self.biases else np.zeros(frozen.shape[0], np.float32)
        als_solve_rows(np.array([0, rows.size], np.int64), rows[order].astype(np.int32),
                       values[order].astype(np.float32), vector, bias, frozen, frozen_bias,
                       self.global_mean, self.regularization, self.scale_regularization, self.biases)
        return vector[0], float(bias[0])
