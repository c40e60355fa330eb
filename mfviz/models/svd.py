"""Truncated SVD (PureSVD) of the sparse matrix with missing entries as zeros, and folding-in."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, eigsh

from mfviz.errors import ModelError
from mfviz.models.base import Model, Param
from mfviz.models.files import stored_array

_DENSE_BELOW = 200  # matrices with a side this small are decomposed densely (LAPACK)
# ARPACK stops when each Ritz residual of AᵀA is below tol·λ (this is svds(tol=1e-4), which
# squares its tol). An eigenvalue's error is quadratic in its residual, so singular values stay
# accurate to ~1e-12 on the benchmark matrix, while svds' default tol=0 (machine precision)
# needs about 1.5-2x the restarts.
_ARPACK_TOL = 1e-8


class TruncatedSVD(Model):
    r"""PureSVD (Cremonesi et al. 2010): the best rank-k approximation of R with missing = 0.

        R ≈ U_k Σ_k V_kᵀ = argmin_{rank ≤ k} ‖R - M‖_F²   (Eckart–Young)

    user_factors = U_k Σ_k^½, item_factors = V_k Σ_k^½, so user_factors @ item_factorsᵀ = U_k Σ_k V_kᵀ
    and a user's scores are r V_k V_kᵀ. The singular values are split evenly so that both sides'
    geometry weighs each dimension by its strength: with item_factors = V_k (orthonormal columns,
    PureSVD's own split) cosine neighbours and maps gave every weak, noisy direction the weight of
    the first, and on MovieLens 100K 20% of the 200 most rated items' 10 cosine neighbours had
    under 20 ratings (3% with the even split, which ranks no differently). Folding in a new
    profile r (a row over items) gives the user vector r V_k Σ_k^-½, which for a training row
    equals its row of U_k Σ_k^½ exactly ("R ≈ R V_k V_kᵀ"). `singular_values` (descending) hold
    the spectrum; the recorded loss is ‖R - U_k Σ_k V_kᵀ‖_F² = ‖R‖_F² - Σ σ_j².

    Computed as scipy.sparse.linalg.svds does it (ARPACK's implicitly restarted Lanczos on the
    Gram matrix of the smaller side) with a looser residual tolerance and without its dense
    post-processing. On the power-law benchmark matrix this beat a randomized SVD with power
    iterations (whose flat spectral tail needs many passes for 1e-3 accuracy) and a parallel
    numba matvec (slower than scipy's on the shared 2-core machine). Matrices with a side
    <= 200 use dense LAPACK. Signs are fixed as sklearn's svd_flip does for V: the
    largest-magnitude component of each item vector is positive, so pictures do not flip
    between runs. The result is deterministic (fixed Lanczos start vector): `random_state` is
    taken, as by every model, and changes nothing.

    With `factors` above the matrix's rank r, the components past r are rounding noise (σ ~ 1e-17), and
    fold-in would divide by them (a profile's vector of 1e8). A singular value at or below
    √max(n_users, n_items) · ε · σ₁ (ε of float32, the matrix's precision) counts as 0: its σ, factor columns
    and fold-in weight are set to 0, and fit warns that only r components carry signal. Fold-in then gives the
    pseudo-inverse's projection, r V_r V_rᵀ = r R⁺R.
    """

    name = "svd"
    label = "Truncated SVD"
    feedback = "any"
    fold_in_how = ("the profile's values times the item vectors, each dimension divided by its singular value: "
                   "where the user would sit in the singular basis")
    params = {
        "factors": Param(64, "rank k of the approximation", low=1, high=4096),
    }

    def _reset(self) -> None:
        super()._reset()
        self.singular_values: np.ndarray | None = None

    def _fit(self, matrix: sp.csr_matrix) -> None:
        k = self.factors
        n_users, n_items = matrix.shape
        if k > min(n_users, n_items):
            raise ModelError(f"factors must be <= min(n_users, n_items) = {min(n_users, n_items)} "
                             f"for a truncated SVD, got {k}; choose a smaller rank")
        if min(n_users, n_items) <= _DENSE_BELOW or k >= min(n_users, n_items) - 1:
            U, s, Vt = np.linalg.svd(matrix.toarray().astype(np.float64), full_matrices=False)
            U, s, V = U[:, :k], s[:k], Vt[:k].T
        else:
            U, s, V = self._lanczos(matrix, k)
        # svd_flip on the item side: largest-|.| component of each column of V positive
        pivot = V[np.argmax(np.abs(V), axis=0), np.arange(k)]
        signs = np.where(pivot < 0, -1.0, 1.0)
        U, V = U * signs, V * signs
        s = s.astype(np.float64)
        noise = s <= _noise_floor(matrix.shape, float(s[0]))
        if noise.any():
            s, U, V = np.where(noise, 0.0, s), U * ~noise, V * ~noise
            signal = int((~noise).sum())
            self._warn_of_fit(surplus_components(signal, k), stacklevel=3)
        self.singular_values = s
        root = np.sqrt(s)
        self._user_factors = (U * root).astype(np.float32)
        self._item_factors = (V * root).astype(np.float32)
        total = float(np.sum(matrix.data.astype(np.float64) ** 2))
        self._epoch_done(1, max(total - float(np.sum(s**2)), 0.0))

    def _lanczos(self, matrix: sp.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top-k singular triplets: ARPACK on the Gram operator of the smaller side, the other
        side's vectors as A v / σ. This is svds' own algorithm minus its dense post-processing
        (a QR of the Lanczos vectors and an SVD of A·V, most of svds' time beyond ARPACK here)."""
        a = matrix.astype(np.float64)
        at = a.T.tocsr()  # row-major transpose: its matvec streams like A's
        small, large = (at, a) if matrix.shape[1] <= matrix.shape[0] else (a, at)
        size = small.shape[0]
        operator = LinearOperator((size, size), dtype=np.float64,
                                  matvec=lambda x: small @ (large @ np.ravel(x)))
        # a fixed start vector: the converged result does not depend on it beyond rounding,
        # and a fixed one makes every run bit-identical
        v0 = np.random.default_rng(0).uniform(-1.0, 1.0, size)
        eigenvalues, vectors = eigsh(operator, k=k, which="LM", v0=v0, tol=_ARPACK_TOL)
        order = np.argsort(eigenvalues)[::-1]
        s = np.sqrt(np.maximum(eigenvalues[order], 0.0))
        vectors = vectors[:, order]
        other = (large @ vectors) / np.where(s > 0, s, 1.0)
        return (other, s, vectors) if small is at else (vectors, s, other)

    def _per_singular_value(self, projected: np.ndarray) -> np.ndarray:
        """Each dimension divided by its singular value (0 where it is 0)."""
        s = np.asarray(self.singular_values, np.float64)
        return np.divide(projected, s, out=np.zeros_like(projected), where=s > 0)

    def _fold_in(self, items: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        """r V_k Σ_k^-½ = (r · item_factors) Σ_k⁻¹: the profile's coordinates in the singular basis,
        scaled as the training users' rows of U_k Σ_k^½."""
        vector = self._per_singular_value(values.astype(np.float64) @ self._item_factors[items].astype(np.float64))
        return vector.astype(np.float32), 0.0

    def _fold_in_rows(self, profiles: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        vectors = self._per_singular_value(profiles.astype(np.float64) @ self._item_factors.astype(np.float64))
        return np.asarray(vectors, np.float32), np.zeros(profiles.shape[0], np.float32)

    def _fold_in_item(self, users: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        """cᵀ U_k Σ_k^-½ = (cᵀ · user_factors) Σ_k⁻¹: the new column's coordinates, which reproduce a
        training item's row of V_k Σ_k^½ exactly (Aᵀ U = V Σ)."""
        vector = self._per_singular_value(values.astype(np.float64) @ self._user_factors[users].astype(np.float64))
        return vector.astype(np.float32), 0.0

    def _extra_state(self) -> dict[str, np.ndarray]:
        return {"singular_values": self.singular_values, "item_sigma_power": np.array(0.5)}

    def _load_extra_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.singular_values = stored_array(arrays, "singular_values", (self.factors,)).astype(np.float64)
        if self.singular_values.size and self.singular_values[0] > 0:  # saved before noise was zeroed at fit
            shape = (self._user_factors.shape[0], self._item_factors.shape[0])
            noise = self.singular_values <= _noise_floor(shape, float(self.singular_values[0]))
            self.singular_values[noise] = 0.0
        stored = arrays.get("item_sigma_power")
        power = 0.0 if stored is None else float(stored.ravel()[0]) if stored.size == 1 and stored.dtype.kind in "fiu" \
            else None
        if power not in (0.0, 0.5):
            raise ModelError(f"its item_sigma_power array is {stored!r}; mfviz writes 0.5 (none before that)")
        if power == 0.0:
            # saved before the even split (user_factors = U Σ, item_factors = V): the same model, split evenly
            root = np.sqrt(np.maximum(np.asarray(self.singular_values, np.float64), 0.0))
            self._item_factors = (self._item_factors * root).astype(np.float32)
            self._user_factors = np.divide(self._user_factors, root, out=np.zeros_like(self._user_factors),
                                           where=root > 0).astype(np.float32)


def surplus_components(signal: int, k: int) -> str:
    """What a fit with `k` factors of which only `signal` carry signal warns of (and a load of such a model says)."""
    return (f"only {signal} of the {k} components carry signal: the matrix has rank {signal} here, so the other "
            f"{k - signal} singular value(s) are rounding noise and are set to 0 (their fold-in weight too); choose "
            f"factors <= {signal}")


def _noise_floor(shape: tuple[int, int], largest: float) -> float:
    """The singular value at or below which a component is rounding noise: √max(m, n) · ε · σ₁, with ε of float32,
    the precision mfviz holds the matrix in (a rank-4 matrix rounded to float32 has a 5th singular value of
    ~1e-7 · σ₁, which float64's ε would count as signal). Rounding each entry by at most ε·|r| gives an error of
    spectral norm at most ~ε · max|r| · √(largest column count), and σ₁ ≥ max|r| · √(largest row count), hence the
    square root; numpy's matrix_rank takes max(m, n) · ε, which with float32's ε zeroes real components of large
    data (on 40,000 users, a cluster of 4 users × 4 items at σ = 0.003 · σ₁: tests/models/test_svd_rank.py)."""
    return largest * float(np.sqrt(max(shape))) * float(np.finfo(np.float32).eps)
