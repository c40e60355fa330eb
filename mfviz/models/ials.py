"""Implicit ALS (Hu, Koren, Volinsky 2008) with the YᵀY trick, exact Cholesky or warm-started CG."""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

from mfviz.errors import ModelError
from mfviz.kernels.ials import ials_solve_rows
from mfviz.models.base import Model, Param, csr_both_ways

# Squares of confidence-weighted residuals must stay inside float32 (max ~3e38) in CG.
_MAX_CONFIDENCE = 1e12


def _gram(factors: np.ndarray) -> np.ndarray:
    """FᵀF in float64 (one BLAS call; a mixed float32/float64 product would not use BLAS)."""
    factors = factors.astype(np.float64)
    return factors.T @ factors


class ImplicitALS(Model):
    r"""Weighted matrix factorization for implicit feedback (Hu, Koren, Volinsky 2008).

    Every (user, item) pair counts, observed or not. With preference p_ui = 1 if r_ui > 0 else 0
    and confidence

        c_ui = 1 + alpha * r_ui                       (confidence="linear", the paper's choice)
        c_ui = 1 + alpha * log(1 + r_ui / eps)        (confidence="log")

    (unobserved pairs have c = 1, p = 0), the objective over *all* pairs is

        L = Σ_u Σ_i c_ui (p_ui - x_uᵀ y_i)² + λ (Σ_u ‖x_u‖² + Σ_i ‖y_i‖²).

    Alternating updates, users then items each epoch (as the paper, Spark and implicit do;
    on MovieLens this order ranked measurably better than items-then-users), every row solved
    independently, plus one last user half-sweep after the final epoch so that the stored user
    vectors answer the final item vectors (skipped when a callback stops training early):

        x_u ← (YᵀY + λI + Yᵀ (C_u - I) Y)⁻¹ Yᵀ C_u p_u
        y_i ← (XᵀX + λI + Xᵀ (C_i - I) X)⁻¹ Xᵀ C_i p_i

    YᵀY is computed once per half-sweep, so a row costs O(n_u f² ) (Cholesky: + f³) instead of
    O(n_items f²). solver="cg" replaces the exact solve by `cg_steps` conjugate-gradient steps
    warm-started at the previous vector (Takács et al. 2011), which is what makes iALS fast.
    The recorded loss is the exact L above, computed in O(nnz f) as Σ_obs [c(1 - s)² - s²]
    (returned by the last half-sweep's kernel, fused with the solves)
    + ⟨XᵀX, YᵀY⟩ + λ(‖X‖² + ‖Y‖²) with s = x_uᵀ y_i.

    Note: the `implicit` library uses c_ui = alpha * r_ui on observed entries; to reproduce a
    model from here there, give it the matrix 1 + alpha * r with its alpha = 1.
    Stored zeros count as unobserved; negative values are rejected.
    """

    name = "ials"
    label = "Implicit ALS"
    feedback = "implicit"
    fold_in_how = "one weighted least-squares solve, the same as a training step"
    params = {
        "factors": Param(64, "number of latent factors", low=1, high=4096),
        "epochs": Param(15, "alternating sweeps (users then items)", low=1, high=10_000),
        "regularization": Param(0.05, "L2 penalty lambda on every factor vector", low=0.0),
        # 1, implicit's default: on MovieLens 100K it ranks better than 10 (NDCG@10 0.358 against 0.280 on
        # ratings, 0.361 against 0.323 read as 0/1; random 80/20 split seed 0), lists a little more popular
        "alpha": Param(1.0, "confidence slope: c = 1 + alpha * r (raise it for counts with a long tail)", low=0.0),
        "confidence": Param("linear", "c = 1 + alpha*r ('linear') or 1 + alpha*log(1 + r/eps) ('log')",
                            choices=("linear", "log")),
        "eps": Param(1.0, "scale of r inside the log confidence", low=0.0, low_exclusive=True),
        "solver": Param("cg", "'cg' (fast, approximate per sweep) or 'cholesky' (exact)",
                        choices=("cg", "cholesky")),
        "cg_steps": Param(3, "conjugate-gradient steps per row and sweep (solver='cg')", low=1, high=1000),
        "random_state": Param(None, "seed of the initial factors (None: random)", low=0),
    }

    def _confidence(self, values: np.ndarray) -> np.ndarray:
        values = values.astype(np.float64)
        if self.confidence == "log":
            conf = 1.0 + self.alpha * np.log1p(values / self.eps)
        else:
            conf = 1.0 + self.alpha * values
        largest = float(conf.max(initial=1.0))
        if not np.isfinite(largest) or largest > _MAX_CONFIDENCE:
            raise ModelError(f"alpha={self.alpha:g} makes confidences as large as {largest:.3g}, which "
                             f"overflows the float32 solver (limit {_MAX_CONFIDENCE:.0e}); lower alpha "
                             "or scale the values down")
        return conf.astype(np.float32)

    def _fit(self, matrix: sp.csr_matrix) -> None:
        if matrix.data.min() < 0:
            raise ModelError(f"Implicit ALS needs non-negative values (counts, clicks), found "
                             f"{float(matrix.data.min()):g}; use ALS or Funk SVD for signed ratings")
        matrix = matrix.copy()
        matrix.eliminate_zeros()
        by_user = sp.csr_matrix((self._confidence(matrix.data), matrix.indices, matrix.indptr),
                                shape=matrix.shape)
        user_csr, item_csr = csr_both_ways(by_user)
        n_users, n_items = matrix.shape
        X, Y = self._initial_factors(n_users, n_items)
        use_cg = self.solver == "cg"
        YtY = _gram(Y)
        try:
            for epoch in range(1, self.epochs + 1):
                with numba.parallel_chunksize(1):  # chunks handed out dynamically: rows differ in cost
                    ials_solve_rows(*user_csr, X, Y, YtY, self.regularization, use_cg, self.cg_steps)
                    XtX = _gram(X)
                    # the last half-sweep also returns the observed part of the loss at the new state
                    observed = ials_solve_rows(*item_csr, Y, X, XtX, self.regularization, use_cg, self.cg_steps)
                    YtY = _gram(Y)
                    if epoch == self.epochs:
                        # one more user half-sweep, so that the stored users answer the final items
                        # (a training user's fold-in then reproduces its vector)
                        observed = ials_solve_rows(*user_csr, X, Y, YtY, self.regularization, use_cg,
                                                   self.cg_steps)
                        XtX = _gram(X)
                # Until that last half-sweep the users answer the previous epoch's items: `scorer` and an
                # early stop solve them once more.
                self._stale_users = (user_csr, YtY) if epoch < self.epochs else None
                loss = (observed + float(np.sum(XtX * YtY))
                        + self.regularization * (np.trace(XtX) + np.trace(YtY)))
                self._user_factors, self._item_factors = X, Y
                # X and Y change in place every epoch, so a Gram cached for them by a fold-in in the
                # callback would go stale: the cache holds this epoch's, which fit has just computed
                self._gram_cache = {"users": (X, XtX), "items": (Y, YtY)}
                if not (np.isfinite(X).all() and np.isfinite(Y).all()):
                    loss = float("nan")  # _epoch_done turns this into an error naming alpha
                if not self._epoch_done(epoch, loss):
                    break
            if self._stale_users is not None:  # stopped early ("Stop after this epoch")
                self._user_factors = self._answer_items(X)
                self._gram_cache.pop("users", None)  # X changed in place
        finally:  # also when training fails: no reference to the matrix is kept
            self.__dict__.pop("_stale_users", None)

    def _initial_factors(self, n_users: int, n_items: int) -> tuple[np.ndarray, np.ndarray]:
        """The starting user and item factors, float32, seeded by random_state."""
        rng = np.random.default_rng(self.random_state)
        # small zero-mean start at implicit's scale; implicit's own start (uniform [0, 1) × 0.01) ranks no better at
        # the defaults and only draws level with implicit at high alpha (BENCHMARKS.md, `benchmarks ials_init`)
        X = (rng.standard_normal((n_users, self.factors)) * 0.01).astype(np.float32)
        Y = (rng.standard_normal((n_items, self.factors)) * 0.01).astype(np.float32)
        return X, Y

    def _answer_items(self, vectors: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """The user half-sweep that ends training, in place on `vectors` against the current items
        (only `rows`, when given)."""
        user_csr, YtY = self._stale_users
        solved = vectors
        if rows is not None:  # just these rows of the confidences
            indptr, indices, data = user_csr
            part = sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, self._item_factors.shape[0]))[rows]
            user_csr = (part.indptr.astype(np.int64), part.indices.astype(np.int32), part.data)
            solved = vectors[rows]
        with numba.parallel_chunksize(1):
            ials_solve_rows(*user_csr, solved, self._item_factors, YtY, self.regularization, self.solver == "cg",
                            self.cg_steps)
        if rows is not None:
            vectors[rows] = solved
        return vectors

    def scorer(self, users=None):
        """Inside a `fit` callback, the model as if training had stopped at this epoch: a copy of the
        user vectors solved once more against the epoch's items, as the last epoch does (the stored
        ones answer the previous epoch's items: on ML-100K, defaults, held-out NDCG@10 0.100 after
        epoch 1 against 0.189 for a model trained for one epoch); only `users` when given (the
        others keep the previous answer: a whole half-sweep per epoch to score a sample is waste).
        After `fit`, the model itself."""
        if self.__dict__.get("_stale_users") is None:
            return self
        from mfviz.models.external import FactorModel

        return FactorModel(self._answer_items(self._user_factors.copy(), users), self._item_factors, self.label,
                           train_matrix=self.train_matrix)

    def _reset(self) -> None:
        super()._reset()
        # side ("users" / "items") -> (factors, their Gram): one entry per side, emptied on refit
        self._gram_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _gram_of(self, factors: np.ndarray, side: str) -> np.ndarray:
        # YᵀY is most of a fold-in's cost (1,682 × 64 items: ~1 ms of ~1.6) and the same for every
        # profile of a trained model. One entry per side, so a refit's new arrays replace the old
        # ones (keyed by array ids, every refit added two entries and kept the old factors alive).
        cached = self._gram_cache.get(side)
        if cached is None or cached[0] is not factors:
            cached = self._gram_cache[side] = (factors, _gram(factors))
        return cached[1]

    def _item_gram(self) -> np.ndarray:
        return self._gram_of(self._item_factors, "items")

    def score_contributions(self, items, values, targets, disliked=()) -> np.ndarray:
        """Each profile item's exact part of each target's fold-in score, (len(targets), len(items)).

        Hu, Koren, Volinsky (2008, section 5): with W = (YᵀC Y + λI)⁻¹ for the profile's confidences,
        the folded-in vector is x = Σ_j c_j W y_j, so the score y_tᵀx splits into c_j y_tᵀ W y_j per
        profile item j; the parts add up to the score. Items with value 0 are not in the profile
        (as in `fold_in`) and get 0; negative values are refused. With `disliked` (see `fold_in_disliking`) W holds them too; having
        preference 0 they add no part of their own."""
        targets = self._check_id_list(targets, self.n_items, "item")
        system, liked, confidence, keep = self._profile_system(items, values, disliked)
        out = np.zeros((targets.size, keep.size))
        Y = self._item_factors.astype(np.float64)
        out[:, keep] = (Y[targets] @ np.linalg.solve(system, liked.T)) * confidence
        return out

    def fold_in_disliking(self, items, values, disliked) -> np.ndarray:
        """A user vector for a profile that likes `items` (with `values`) and dislikes `disliked`, the
        items frozen. A disliked item is an observed preference 0 (p_ui = 0 of Hu, Koren & Volinsky),
        held with the confidence of the profile's strongest like, where an item the user never met (c = 1)
        barely weighs: the vector turns away from it, so its score falls, and less so those of items like it
        (toward 0, not to it: the likes still pull). Without dislikes it is `fold_in`'s exact solve."""
        system, liked, confidence, _ = self._profile_system(items, values, disliked)
        return np.linalg.solve(system, liked.T @ confidence).astype(np.float32)

    def _profile_system(self, items, values, disliked) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(YᵀC Y + λI of a profile and its dislikes, the liked items' vectors, their confidences, the
        mask of `items` in the profile: value > 0), float64."""
        items, values = self._check_profile(items, values)
        self._refuse_negative(items, values, "item")
        disliked = self._check_id_list(np.asarray(disliked, np.int64), self.n_items, "item")
        both = np.intersect1d(items[values > 0], disliked)
        if both.size:
            raise ModelError(f"item {int(both[0])} is both liked and disliked; keep it in one of the two")
        keep = values > 0
        Y = self._item_factors.astype(np.float64)
        liked, confidence = Y[items[keep]], self._confidence(values[keep]).astype(np.float64)
        system = self._item_gram() + liked.T @ ((confidence - 1.0)[:, None] * liked)
        if disliked.size:
            firm = float(confidence.max(initial=self._confidence(np.ones(1))[0]))
            unwanted = Y[np.unique(disliked)]
            system += (firm - 1.0) * (unwanted.T @ unwanted)
        system[np.diag_indices_from(system)] += self.regularization
        return system, liked, confidence, keep

    def _fold_in(self, items: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        """One exact solve of the user's row with the items frozen (zeros left out, negatives refused).
        With solver="cholesky" a training user's fold-in reproduces its stored vector (the fit
        ends on a user half-sweep); with "cg" it is the exact solve that CG approximates."""
        return self._solve_new_row(items, values, self._item_factors, "items"), 0.0

    def _fold_in_item(self, users: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        """The same exact solve for one new item's column, the users frozen."""
        return self._solve_new_row(users, values, self._user_factors, "users"), 0.0

    def _fold_in_rows(self, profiles: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """The same exact solves for every row at once (rows in parallel)."""
        if (profiles.data < 0).any():  # refused as fold_in refuses it
            rows = np.repeat(np.arange(profiles.shape[0]), np.diff(profiles.indptr))
            first = int(np.argmax(profiles.data < 0))
            self._refuse_negative(profiles.indices, profiles.data, "item", f" (row {int(rows[first])} of profiles)")
        profiles = profiles.copy()
        profiles.eliminate_zeros()  # zeros are not in a profile
        vectors = np.zeros((profiles.shape[0], self._item_factors.shape[1]), np.float32)
        ials_solve_rows(profiles.indptr.astype(np.int64), profiles.indices.astype(np.int32),
                        self._confidence(profiles.data), vectors, self._item_factors, self._item_gram(),
                        self.regularization, False, 1)
        return vectors, np.zeros(profiles.shape[0], np.float32)

    def _refuse_negative(self, rows: np.ndarray, values: np.ndarray, kind: str, where: str = "") -> None:
        """ModelError naming the first negative value: training refuses them, and a fold-in that dropped them
        (as it once did) read a dislike as "not there" without a word."""
        negative = np.flatnonzero(values < 0)
        if negative.size:
            first = int(negative[0])
            advice = (" or give disliked items to fold_in_disliking (observed preference 0)" if kind == "item" else "")
            raise ModelError(f"{self.label} reads values as strengths of interest (counts, clicks) and was trained on "
                             f"none below 0, but {kind} {int(rows[first])}{where} has {float(values[first]):g} "
                             f"({negative.size:,} negative in all); give values >= 0 (0 counts as not there){advice}")

    def _solve_new_row(self, rows: np.ndarray, values: np.ndarray, frozen: np.ndarray, side: str) -> np.ndarray:
        self._refuse_negative(rows, values, side.rstrip("s"))
        keep = values > 0
        if not keep.any():  # the solve would give a zero vector, whose list is the catalogue in index order
            raise ModelError(f"{self.label} reads values as strengths of interest: give at least one of the {side} "
                             "a value above 0 (zeros count as not there)")
        rows, values = rows[keep], values[keep]
        order = np.argsort(rows, kind="stable")
        vector = np.zeros((1, frozen.shape[1]), np.float32)
        ials_solve_rows(np.array([0, rows.size], np.int64), rows[order].astype(np.int32),
                        self._confidence(values[order]), vector, frozen, self._gram_of(frozen, side),
                        self.regularization, False, 1)
        return vector[0]
