"""Funk SVD: biased matrix factorization of explicit ratings by SGD (Surprise's SVD), plus the
SGD training loop it shares with SVD++ (validation split, learning-rate decay, early stopping)."""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
import scipy.sparse as sp

from mfviz.errors import ModelError
from mfviz.kernels.sgd import (
    funk_fold_in,
    funk_fold_in_rows,
    funk_objective,
    funk_sgd_epoch,
    funk_sgd_epoch_by_user,
    funk_sgd_epoch_by_user_hogwild,
    funk_sgd_epoch_hogwild,
    pairs_squared_error,
)
from mfviz.kernels.svdpp import shuffle_within_rows
from mfviz.models.base import Model, Param

# Held-out ratings early stopping needs: the RMSE of a handful varies more between epochs by chance
# than by training (SVD++ stopped on 10 restored epoch 1; on 1 rating, epoch 4 of 100)
MIN_VALIDATION = 50

# Shared by FunkSVD and SVDpp; each class sets its own defaults for the first four.
SGD_PARAMS: dict[str, Param] = {
    "lr_decay": Param(1.0, "learning rate multiplier applied after every epoch (1.0 = constant)",
                      low=0.0, high=1.0, low_exclusive=True),
    "init_mean": Param(0.0, "mean of the normal distribution the factors start from"),
    "init_std": Param(0.1, "standard deviation of the normal distribution the factors start from", low=0.0,
                      low_exclusive=True, why="every factor would start at the same value, and SGD moves them all "
                                              "alike (at 0 not at all: a biases-only model)"),
    "validation_fraction": Param(0.0, "share of training ratings held out for early stopping (0 = off; at least 50 ratings)",
                                 low=0.0, high=0.5),
    "patience": Param(3, "epochs without a better validation RMSE before training stops", low=1),
    "random_state": Param(None, "seed for initialisation and shuffling (None = fresh randomness)", low=0),
}


def squared_norms(rows: np.ndarray) -> np.ndarray:
    """|row|² of every row, accumulated in float64."""
    return np.einsum("ij,ij->i", rows, rows, dtype=np.float64)


class SGDModel(Model):
    """The SGD training loop shared by Funk SVD and SVD++.

    Each epoch: one pass of the subclass's kernel at the current learning rate. History `loss` is
    the epoch's mean per-rating objective with each squared error measured just before its SGD
    step (free to collect; an exact pass would cost a third of an epoch) plus the penalty at the
    end of the epoch; `train_rmse` is the RMSE of those errors; `val_rmse` is exact, on the
    held-out ratings, when `validation_fraction` > 0. After training, `training_loss` and
    `training_rmse` hold the exact objective (per rating) and RMSE of the final parameters.

    With a validation split, training stops after `patience` epochs without a lower validation
    RMSE and the parameters of the best epoch are kept (`best_epoch`). The learning rate is multiplied by `lr_decay` after every epoch. Users and
    items without training ratings get zero factors and biases, so their predictions fall back
    to the global mean plus the known bias (as Surprise does for unknown ids).
    """

    feedback = "explicit"
    # Run to its exact minimum, a fit to a few ratings overfits: on MovieLens 100K (Funk SVD defaults,
    # random 80/20 split seed 0) test RMSE from 20 ratings was 0.963 against 0.929 for the SGD passes.
    fold_in_how = "the training's own SGD, one pass per epoch over the profile from a zero vector"

    def __init__(self, *positional: Any, **hyperparameters: Any) -> None:
        super().__init__(*positional, **hyperparameters)
        self._check_combination()

    def _check_combination(self) -> None:
        pass

    def _reset(self) -> None:
        super()._reset()
        self.best_epoch: int | None = None
        self.training_loss: float | None = None
        self.training_rmse: float | None = None

    # --------------------------------------------------------------- the loop
    def _fit(self, matrix: sp.csr_matrix) -> None:
        self._check_combination()
        rng = np.random.default_rng(self.random_state)
        train, valid = self._split_validation(matrix, rng)
        self._train_part = train  # the ratings SGD runs over (without the validation share)
        self._user_counts = np.diff(train.indptr).astype(np.float64)
        self._item_counts = np.bincount(train.indices, minlength=train.shape[1]).astype(np.float64)
        self._init_state(train, rng)
        best, best_rmse, waited = None, math.inf, 0
        rate = float(self.learning_rate)
        for epoch in range(1, self.epochs + 1):
            sse = self._run_epoch(train, rng, rate)
            penalty = float(self.regularization) * self._penalty()
            extra = {"train_rmse": math.sqrt(sse / train.nnz)}
            if valid is not None:
                extra["val_rmse"] = self._validation_rmse(train, valid)
            keep_going = self._epoch_done(epoch, (sse + penalty) / train.nnz, **extra)
            if valid is not None:
                if extra["val_rmse"] < best_rmse:
                    best, best_rmse, waited = self._snapshot(), extra["val_rmse"], 0
                    self.best_epoch = epoch
                else:
                    waited += 1
                    keep_going = keep_going and waited < self.patience
            if not keep_going:
                break
            rate *= self.lr_decay
        if best is not None:
            self._restore(best)
        sse, penalty = self._objective(train)
        self.training_loss = (sse + penalty) / train.nnz
        self.training_rmse = math.sqrt(sse / train.nnz)
        self._finish(train)
        del self._user_counts, self._item_counts, self._train_part

    def _split_validation(self, matrix: sp.csr_matrix, rng: np.random.Generator):
        """(training CSR, validation (users, items, ratings) or None)."""
        if self.validation_fraction <= 0:
            return matrix, None
        n_valid = int(round(self.validation_fraction * matrix.nnz))
        if n_valid < MIN_VALIDATION or n_valid >= matrix.nnz:
            raise ModelError(f"validation_fraction={self.validation_fraction:g} holds out {n_valid} of "
                             f"{matrix.nnz} ratings; early stopping needs at least {MIN_VALIDATION} (on fewer the "
                             "best epoch is chance) and some left to train on: use a larger fraction, more data, "
                             "or validation_fraction=0")
        held = np.zeros(matrix.nnz, bool)
        held[rng.choice(matrix.nnz, n_valid, replace=False)] = True
        coo = matrix.tocoo()
        keep = ~held
        train = sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape,
                              dtype=np.float32)
        train.sort_indices()
        valid = (coo.row[held].astype(np.int64), coo.col[held].astype(np.int64),
                 coo.data[held].astype(np.float32))
        return train, valid

    # --------------------------------------------------------------- subclass hooks
    def _init_state(self, train: sp.csr_matrix, rng: np.random.Generator) -> None:
        raise NotImplementedError

    def _run_epoch(self, train: sp.csr_matrix, rng: np.random.Generator, rate: float) -> float:
        """One SGD pass; returns the sum of squared errors met along the way."""
        raise NotImplementedError

    def _penalty(self) -> float:
        """Σ over ratings of the squared norms the regularization multiplies (without reg)."""
        raise NotImplementedError

    def _objective(self, train: sp.csr_matrix) -> tuple[float, float]:
        """Exact (sum of squared errors, reg·penalty) of the current parameters."""
        raise NotImplementedError

    def _validation_rmse(self, train: sp.csr_matrix, valid) -> float:
        raise NotImplementedError

    def _state_names(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _finish(self, train: sp.csr_matrix) -> None:
        raise NotImplementedError

    def _snapshot(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name).copy() for name in self._state_names()}

    def _restore(self, snapshot: dict[str, np.ndarray]) -> None:
        for name, array in snapshot.items():
            setattr(self, name, array)

    def _normal(self, rng: np.random.Generator, rows: int) -> np.ndarray:
        return rng.normal(self.init_mean, self.init_std, (rows, self.factors)).astype(np.float32)

    @staticmethod
    def _empty_rows(train: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Boolean masks of users and of items without training ratings."""
        return (np.diff(train.indptr) == 0,
                np.bincount(train.indices, minlength=train.shape[1]) == 0)

    def scorer(self, users=None):
        """During training, the parameters of the epoch just finished as factors from outside (SGD
        keeps them in working arrays until `fit` ends); after it, the model itself. Users and items
        without training ratings get zero factors, as `_finish` gives them: their random starting
        factors scored the per-epoch test RMSE of another model than the one kept (on a time split,
        1.035 after the last epoch against the kept model's 1.028)."""
        if not hasattr(self, "_Q"):
            return self
        from mfviz.models.external import FactorModel

        empty_users, empty_items = self._empty_rows(self._train_part)
        users, items = self._effective_users().copy(), self._Q.copy()
        users[empty_users], items[empty_items] = 0, 0
        return FactorModel(users, items, self.label, item_bias=self._bi, user_bias=self._bu,
                           global_mean=self._mu, train_matrix=self.train_matrix)

    def _effective_users(self) -> np.ndarray:
        """The user vectors a prediction uses, from the working arrays."""
        return self._P

    def _fold_in_item(self, users: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        """Funk SVD's fold-in mirrored: SGD for a new item's vector and bias, the users' (for SVD++,
        their effective) vectors and biases frozen. A new item brings no implicit factor to SVD++'s
        users (its y_j is zero, as for an item nobody rated in training)."""
        # Not the exact minimum either: on MovieLens 100K (Funk SVD defaults, 60 items of 60+ ratings
        # left out of training, seeds 0-1) the RMSE on an item's other ratings from its first 5 / 20 / 50
        # was 1.029 / 0.968 / 0.943 with these passes, 1.019 / 1.045 / 1.229 at the minimum.
        vector = np.zeros(self.factors)
        user_bias = self.user_bias if self.user_bias is not None else np.zeros(self.n_users, np.float32)
        bias = funk_fold_in(users.astype(np.int64), values.astype(np.float64), self._user_factors,
                            user_bias, float(self.global_mean), vector, int(self.epochs),
                            float(self.learning_rate), float(self.lr_decay), float(self.regularization),
                            self.user_bias is not None)
        return vector.astype(np.float32), float(bias)


class FunkSVD(SGDModel):
    r"""Funk SVD with biases (Surprise's ``SVD``): explicit ratings, observed entries only.

    Prediction :math:`\hat r_{ui} = \mu + b_u + b_i + q_i^\top p_u` (with ``biases=False``:
    :math:`q_i^\top p_u`). Objective, summed over the training ratings :math:`(u, i) \in R`:

    .. math:: \sum_{(u,i)\in R} (r_{ui} - \hat r_{ui})^2 + \lambda (b_u^2 + b_i^2 + \|p_u\|^2 + \|q_i\|^2)

    (a user's penalty is counted once per rating of that user, as SGD applies it). SGD over the
    ratings in a fresh random order every epoch: by default user-major (``order="user"``: users
    shuffled, each user's ratings shuffled; Surprise uses this order, fixed across epochs, and it
    keeps the user's row in cache), or ``order="rating"`` for one global shuffle. With
    :math:`e_{ui} = r_{ui} - \hat r_{ui}` and learning rate :math:`\gamma`:

    .. math::
        b_u \leftarrow b_u + \gamma (e_{ui} - \lambda b_u), \quad
        b_i \leftarrow b_i + \gamma (e_{ui} - \lambda b_i),

        p_u \leftarrow p_u + \gamma (e_{ui} q_i - \lambda p_u), \quad
        q_i \leftarrow q_i + \gamma (e_{ui} p_u - \lambda q_i).

    :math:`\mu` is the mean training rating; :math:`b` start at 0, :math:`p, q` at
    :math:`\mathcal N(\text{init\_mean}, \text{init\_std}^2)`. ``parallel=True`` runs Hogwild
    (lock-free threads over chunks of the shuffled users or ratings) and needs ``random_state=None``,
    because its result depends on thread timing. Fold-in reruns the same SGD for the new user
    only (``epochs`` passes over the profile, item side frozen) from :math:`p_u = 0, b_u = 0`.
    """

    name = "funksvd"
    label = "Funk SVD"
    params = {
        "factors": Param(100, "number of latent factors", low=1, high=4096),
        "epochs": Param(20, "SGD passes over the training ratings", low=1, high=10_000),
        "learning_rate": Param(0.005, "SGD step size", low=0.0, low_exclusive=True),
        "regularization": Param(0.02, "L2 penalty on every bias and factor, per rating", low=0.0),
        "biases": Param(True, "learn global mean, user and item biases"),
        "order": Param("user", "SGD visiting order each epoch: 'user' = users in random order, each "
                       "user's ratings shuffled (Surprise's user-major order, cache friendly); "
                       "'rating' = all ratings shuffled together", choices=("user", "rating")),
        **SGD_PARAMS,
        "parallel": Param(False, "Hogwild: lock-free SGD on all threads (needs random_state=None)"),
    }

    def _check_combination(self) -> None:
        if self.parallel and self.random_state is not None:
            raise ModelError(
                f"parallel=True (Hogwild) is not reproducible, so it cannot honour "
                f"random_state={self.random_state}; set random_state=None to train in parallel, "
                "or parallel=False for a seeded, deterministic run")

    def _init_state(self, train: sp.csr_matrix, rng: np.random.Generator) -> None:
        n_users, n_items = train.shape
        self._P = self._normal(rng, n_users)
        self._Q = self._normal(rng, n_items)
        self._bu = np.zeros(n_users, np.float32)
        self._bi = np.zeros(n_items, np.float32)
        self._mu = float(train.data.mean(dtype=np.float64)) if self.biases else 0.0
        self._users = self._items = self._ratings = None  # COO copies, made for order="rating" only

    def _state_names(self) -> tuple[str, ...]:
        return ("_P", "_Q", "_bu", "_bi")

    def _run_epoch(self, train: sp.csr_matrix, rng: np.random.Generator, rate: float) -> float:
        state = (self._P, self._Q, self._bu, self._bi, self._mu, rate, float(self.regularization),
                 bool(self.biases))
        threads = (numba.get_num_threads(),) if self.parallel else ()
        if self.order == "user":
            user_order = rng.permutation(train.shape[0]).astype(np.int64)
            positions = shuffle_within_rows(train.indptr, rng.random(train.nnz))
            kernel = funk_sgd_epoch_by_user_hogwild if self.parallel else funk_sgd_epoch_by_user
            return kernel(train.indptr, train.indices, train.data, user_order, positions, *state, *threads)
        if self._users is None:
            coo = train.tocoo()
            self._users, self._items, self._ratings = coo.row.astype(np.int32), coo.col, coo.data
        # Gathering the shuffled ratings into fresh arrays makes the kernel read them
        # sequentially: only the factor rows are then random accesses.
        shuffle = rng.permutation(train.nnz)
        self._users, self._items, self._ratings = self._users[shuffle], self._items[shuffle], self._ratings[shuffle]
        order = np.arange(train.nnz, dtype=np.int64)
        kernel = funk_sgd_epoch_hogwild if self.parallel else funk_sgd_epoch
        return kernel(self._users, self._items, self._ratings, order, *state, *threads)

    def _penalty(self) -> float:
        return float(self._user_counts @ (squared_norms(self._P) + np.square(self._bu, dtype=np.float64))
                     + self._item_counts @ (squared_norms(self._Q) + np.square(self._bi, dtype=np.float64)))

    def _objective(self, train: sp.csr_matrix) -> tuple[float, float]:
        return funk_objective(train.indptr, train.indices, train.data, self._P, self._Q, self._bu,
                              self._bi, self._mu, float(self.regularization), self._item_counts)

    def _validation_rmse(self, train: sp.csr_matrix, valid) -> float:
        users, items, ratings = valid
        P, Q, bu, bi = self._P.copy(), self._Q.copy(), self._bu.copy(), self._bi.copy()
        empty_users, empty_items = self._empty_rows(train)
        P[empty_users], bu[empty_users], Q[empty_items], bi[empty_items] = 0, 0, 0, 0
        return math.sqrt(pairs_squared_error(users, items, ratings, P, Q, bu, bi, self._mu) / users.size)

    def _finish(self, train: sp.csr_matrix) -> None:
        empty_users, empty_items = self._empty_rows(train)
        self._P[empty_users], self._bu[empty_users] = 0, 0
        self._Q[empty_items], self._bi[empty_items] = 0, 0
        self._user_factors, self._item_factors = self._P, self._Q
        if self.biases:
            self.user_bias, self.item_bias, self.global_mean = self._bu, self._bi, self._mu
        for name in ("_P", "_Q", "_bu", "_bi", "_users", "_items", "_ratings"):
            delattr(self, name)

    def _fold_in_rows(self, profiles: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        vectors, biases = np.zeros((profiles.shape[0], self.factors)), np.zeros(profiles.shape[0])
        item_bias = self.item_bias if self.item_bias is not None else np.zeros(self.n_items, np.float32)
        funk_fold_in_rows(profiles.indptr.astype(np.int64), profiles.indices.astype(np.int64),
                          profiles.data.astype(np.float64), self._item_factors, item_bias, float(self.global_mean),
                          vectors, biases, int(self.epochs), float(self.learning_rate), float(self.lr_decay),
                          float(self.regularization), bool(self.biases))
        return vectors, biases

    def _fold_in(self, items: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        vector = np.zeros(self.factors)
        item_bias = self.item_bias if self.item_bias is not None else np.zeros(self.n_items, np.float32)
        bias = funk_fold_in(items.astype(np.int64), values.astype(np.float64), self._item_factors,
                            item_bias, float(self.global_mean), vector, int(self.epochs),
                            float(self.learning_rate), float(self.lr_decay), float(self.regularization),
                            bool(self.biases))
        return vector.astype(np.float32), float(bias)
