"""SVD++: Funk SVD plus implicit feedback from which items each user rated (Koren 2008)."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from mfviz.kernels.sgd import pairs_squared_error
from mfviz.kernels.svdpp import (
    shuffle_within_rows,
    svdpp_epoch,
    svdpp_fold_in,
    svdpp_fold_in_rows,
    svdpp_objective,
    svdpp_user_vectors,
)
from mfviz.models.base import Param
from mfviz.models.files import stored_array
from mfviz.models.funk import SGD_PARAMS, SGDModel, squared_norms


class SVDpp(SGDModel):
    r"""SVD++ (Koren 2008; Surprise's ``SVDpp``): explicit ratings, observed entries only.

    Prediction :math:`\hat r_{ui} = \mu + b_u + b_i + q_i^\top (p_u + |R(u)|^{-1/2} \sum_{j \in R(u)} y_j)`,
    where :math:`R(u)` is the set of items u rated in training and :math:`y_j` are implicit item
    factors. Objective, summed over the training ratings, the penalty counted per rating as SGD
    applies it:

    .. math:: \sum_{(u,i)\in R} (r_{ui} - \hat r_{ui})^2
              + \lambda (b_u^2 + b_i^2 + \|p_u\|^2 + \|q_i\|^2 + \textstyle\sum_{j\in R(u)} \|y_j\|^2)

    SGD with :math:`e_{ui} = r_{ui} - \hat r_{ui}`, :math:`z_u = |R(u)|^{-1/2}\sum_{j\in R(u)} y_j`:

    .. math::
        b_u \leftarrow b_u + \gamma (e_{ui} - \lambda b_u), \quad
        b_i \leftarrow b_i + \gamma (e_{ui} - \lambda b_i),

        p_u \leftarrow p_u + \gamma (e_{ui} q_i - \lambda p_u), \quad
        q_i \leftarrow q_i + \gamma (e_{ui} (p_u + z_u) - \lambda q_i),

        y_j \leftarrow y_j + \gamma (e_{ui} |R(u)|^{-1/2} q_i - \lambda y_j) \quad \forall j \in R(u).

    Training goes user by user (users in a fresh random order each epoch, each user's ratings
    shuffled too), as Surprise does (in a fixed order). Surprise recomputes :math:`z_u` and
    updates every :math:`y_j` at each rating, O(|R(u)| k) per rating; here :math:`z_u` is
    updated in O(k) per rating and the common :math:`y_j` update is accumulated and applied
    once per user — the same arithmetic at O(|R| k) per epoch.

    After training, ``user_factors`` holds the effective vectors :math:`p_u + z_u`, so scoring,
    ranking and fold-in vectors live in the same space as ``item_factors``;
    ``raw_user_factors`` (:math:`p_u`) and ``implicit_factors`` (:math:`y_j`) are kept and saved.
    Fold-in reruns the SGD for the new user only (``epochs`` passes, item side and :math:`y`
    frozen, :math:`R(u)` = the profile's items) from :math:`p_u = 0, b_u = 0`, and returns
    :math:`p_u + z_u`.
    """

    name = "svdpp"
    label = "SVD++"
    params = {
        "factors": Param(20, "number of latent factors", low=1, high=4096),
        "epochs": Param(20, "SGD passes over the training ratings", low=1, high=10_000),
        "learning_rate": Param(0.007, "SGD step size (also for the implicit factors)",
                               low=0.0, low_exclusive=True),
        "regularization": Param(0.02, "L2 penalty on every bias and factor, per rating", low=0.0),
        **SGD_PARAMS,
    }

    def _reset(self) -> None:
        super()._reset()
        self.raw_user_factors: np.ndarray | None = None
        self.implicit_factors: np.ndarray | None = None

    def _init_state(self, train: sp.csr_matrix, rng: np.random.Generator) -> None:
        n_users, n_items = train.shape
        # Surprise's draw order: p, q, then y.
        self._P = self._normal(rng, n_users)
        self._Q = self._normal(rng, n_items)
        self._Y = self._normal(rng, n_items)
        self._bu = np.zeros(n_users, np.float32)
        self._bi = np.zeros(n_items, np.float32)
        self._mu = float(train.data.mean(dtype=np.float64))
        # y_j is penalised once per rating of every user who rated j: weight Σ_{u: j∈R(u)} |R(u)|.
        self._y_weights = np.bincount(train.indices, weights=np.repeat(self._user_counts, np.diff(train.indptr)),
                                      minlength=n_items)

    def _state_names(self) -> tuple[str, ...]:
        return ("_P", "_Q", "_Y", "_bu", "_bi")

    def _run_epoch(self, train: sp.csr_matrix, rng: np.random.Generator, rate: float) -> float:
        user_order = rng.permutation(train.shape[0]).astype(np.int64)
        positions = shuffle_within_rows(train.indptr, rng.random(train.nnz))
        return svdpp_epoch(train.indptr, train.indices, train.data, user_order, positions, self._P, self._Q,
                           self._Y, self._bu, self._bi, self._mu, rate, rate, float(self.regularization))

    def _penalty(self) -> float:
        return float(self._user_counts @ (squared_norms(self._P) + np.square(self._bu, dtype=np.float64))
                     + self._item_counts @ (squared_norms(self._Q) + np.square(self._bi, dtype=np.float64))
                     + self._y_weights @ squared_norms(self._Y))

    def _objective(self, train: sp.csr_matrix) -> tuple[float, float]:
        return svdpp_objective(train.indptr, train.indices, train.data, self._P, self._Q, self._Y,
                               self._bu, self._bi, self._mu, float(self.regularization), self._item_counts)

    def _validation_rmse(self, train: sp.csr_matrix, valid) -> float:
        users, items, ratings = valid
        vectors = svdpp_user_vectors(train.indptr, train.indices, self._P, self._Y)
        Q, bu, bi = self._Q.copy(), self._bu.copy(), self._bi.copy()
        empty_users, empty_items = self._empty_rows(train)
        bu[empty_users], Q[empty_items], bi[empty_items] = 0, 0, 0
        return math.sqrt(pairs_squared_error(users, items, ratings, vectors, Q, bu, bi, self._mu) / users.size)

    def _finish(self, train: sp.csr_matrix) -> None:
        empty_users, empty_items = self._empty_rows(train)
        self._P[empty_users], self._bu[empty_users] = 0, 0
        self._Q[empty_items], self._Y[empty_items], self._bi[empty_items] = 0, 0, 0
        self._user_factors = svdpp_user_vectors(train.indptr, train.indices, self._P, self._Y)
        self._item_factors = self._Q
        self.raw_user_factors, self.implicit_factors = self._P, self._Y
        self.user_bias, self.item_bias, self.global_mean = self._bu, self._bi, self._mu
        for name in ("_P", "_Q", "_Y", "_bu", "_bi", "_y_weights"):
            delattr(self, name)

    def _effective_users(self) -> np.ndarray:
        return svdpp_user_vectors(self._train_part.indptr, self._train_part.indices, self._P, self._Y)

    def _extra_state(self) -> dict[str, np.ndarray]:
        return {"raw_user_factors": self.raw_user_factors, "implicit_factors": self.implicit_factors}

    def _load_extra_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.raw_user_factors = stored_array(arrays, "raw_user_factors", self._user_factors.shape)
        self.implicit_factors = stored_array(arrays, "implicit_factors", self._item_factors.shape)

    def _has_biases(self) -> bool:
        return True  # SVD++ always learns them

    def _fold_in_rows(self, profiles: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        vectors, biases = np.zeros((profiles.shape[0], self.factors)), np.zeros(profiles.shape[0])
        svdpp_fold_in_rows(profiles.indptr.astype(np.int64), profiles.indices.astype(np.int64),
                           profiles.data.astype(np.float64), self._item_factors, self.implicit_factors,
                           self.item_bias, float(self.global_mean), vectors, biases, int(self.epochs),
                           float(self.learning_rate), float(self.lr_decay), float(self.regularization))
        return vectors, biases

    def _fold_in(self, items: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        vector, bias = svdpp_fold_in(items.astype(np.int64), values.astype(np.float64), self._item_factors,
                                     self.implicit_factors, self.item_bias, float(self.global_mean),
                                     np.zeros(self.factors), int(self.epochs), float(self.learning_rate),
                                     float(self.lr_decay), float(self.regularization))
        return vector.astype(np.float32), float(bias)
