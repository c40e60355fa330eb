"""The shared model API: declared hyperparameters, fit with progress, scoring, fold-in, save/load.

Every model stores user and item factors (float32, C-contiguous) and optional biases, so that
a prediction is  global_mean + user_bias[u] + item_bias[i] + user_factors[u] · item_factors[i].
Subclasses implement `_fit`, `_fold_in`, `_fold_in_rows` and `_fold_in_item` (a new user's vector, many
users' at once, a new item's vector); everything a caller sees — validation, ranking, neighbours,
persistence — lives here once.
"""

from __future__ import annotations

import difflib
import inspect
import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from mfviz.errors import DataError, ModelError, ModelWarning
from mfviz.kernels.dense import pair_dots
from mfviz.kernels.topk import topk_dot
from mfviz.models.sanity import learned_nothing, untrained_items, untrained_users

Callback = Callable[[int, float, float], Any]
# The peers' names for mfviz's hyperparameters (Surprise, implicit, scikit-learn, Spark MLlib), so that a name
# brought from one of them is answered with ours
PEER_NAMES = {"n_factors": "factors", "n_components": "factors", "rank": "factors", "k": "factors",
              "n_epochs": "epochs", "iterations": "epochs", "n_iter": "epochs", "maxIter": "epochs",
              "max_iter": "epochs", "lr_all": "learning_rate", "lr": "learning_rate",
              "reg_all": "regularization", "reg": "regularization", "regParam": "regularization",
              "seed": "random_state", "init_std_dev": "init_std", "biased": "biases", "use_bias": "biases"}
FORMAT_VERSION = 1
LARGE_VALUE = 100.0  # above it a value is no rating (scales run to 5, 10 or 100) and SGD on it overflows


def _did_you_mean(name: str, params) -> str:
    """' (did you mean "x"?)' for a peer's name of one of `params` or a near miss of one, else an empty string."""
    guess = PEER_NAMES.get(name)
    if guess not in params:
        close = difflib.get_close_matches(name, list(params), n=1, cutoff=0.7)
        guess = close[0] if close else None
    return f" (did you mean {guess!r}?)" if guess else ""


@dataclass(frozen=True)
class Param:
    """One hyperparameter: default, type, bounds and a one-line help for the CLI and dashboard."""

    default: Any
    help: str
    low: float | None = None  # inclusive lower bound
    high: float | None = None  # inclusive upper bound
    choices: tuple | None = None
    low_exclusive: bool = False
    why: str = ""  # said after a value below the bound: what it would do

    def check(self, name: str, value: Any) -> Any:
        if self.choices is not None:
            if value not in self.choices:
                raise ModelError(f"{name} must be one of {list(self.choices)}, got {value!r}")
            return value
        kind = type(self.default)
        if kind is bool:
            if not isinstance(value, bool | np.bool_):
                raise ModelError(f"{name} must be True or False, got {value!r}")
            return bool(value)
        if self.default is None:  # optional integer (e.g. random_state)
            if value is None:
                return None
            kind = int
        if isinstance(value, str | bytes | bool | np.bool_):  # float("5") and float(True) would pass
            raise ModelError(f"{name} must be {'an integer' if kind is int else 'a number'}, got {value!r}")
        if kind is int and not (isinstance(value, int | np.integer) and not isinstance(value, bool)):
            if not (isinstance(value, float) and value.is_integer()):
                raise ModelError(f"{name} must be an integer, got {value!r}")
        try:
            value = kind(value)
        except (TypeError, ValueError):
            raise ModelError(f"{name} must be a number, got {value!r}") from None
        if isinstance(value, float) and not np.isfinite(value):
            raise ModelError(f"{name} must be finite, got {value!r}")
        if self.low is not None:
            if self.low_exclusive and value <= self.low:
                raise ModelError(f"{name} must be > {self.low:g}, got {value!r}" + (f": {self.why}" if self.why else ""))
            if value < self.low:
                raise ModelError(f"{name} must be >= {self.low:g}, got {value!r}")
        if self.high is not None and value > self.high:
            raise ModelError(f"{name} must be <= {self.high:g}, got {_short(value)}")
        return value


    def bounds(self) -> str:
        """The accepted values in words, for a docstring: " (0.0 < value <= 1.0)", " (one of ...)", or ""."""
        if self.choices is not None:
            return f" (one of {', '.join(map(repr, self.choices))})"
        low = "" if self.low is None else f"{self.low:g} {'<' if self.low_exclusive else '<='} "
        high = "" if self.high is None else f" <= {self.high:g}"
        return f" ({low}value{high})" if low or high else ""


def _short(value) -> str:
    """A number as a message quotes it: 1e+300, not the 301 digits of the integer it was read as."""
    return f"{value:.3g}" if isinstance(value, int | float) and abs(value) >= 1e12 else repr(value)


def check_ids_match(model, interactions) -> None:
    """ModelError unless the model's users and items are the data's, in the same order, where both know their
    ids: two data sets of the same size (or one read again with its ids in another order) pass every count,
    and every row would then be another user's or item's."""
    for kind in ("user", "item"):
        mine, theirs = getattr(model, f"{kind}_ids", None), getattr(interactions, f"{kind}_ids", None)
        if mine is None or theirs is None or mine is theirs:
            continue
        if len(mine) != len(theirs) or not (np.array_equal(mine, theirs)  # as text too: ids read as 50 or "50"
                                            or np.array_equal(np.asarray(mine, str), np.asarray(theirs, str))):
            both = min(len(mine), len(theirs))
            at = next((i for i in range(both) if str(mine[i]) != str(theirs[i])), both)
            said = (f"row {at} is {kind} {_plain(mine[at])!r} in the model but {_plain(theirs[at])!r} in the data"
                    if at < both else f"the model has {len(mine):,} {kind}s, the data {len(theirs):,}")
            raise ModelError(f"{getattr(model, 'label', 'the model')} was fitted on other data than this: {said}; "
                             "use the data it was fitted on (the same file, read the same way), or fit it on this one")


def _first_few(rows: np.ndarray, shown: int = 5) -> str:
    """Up to `shown` rows of a list for a message, and how many more: "3, 8, 11 and 4 more"."""
    head = ", ".join(str(r) for r in rows[:shown].tolist())  # rows, or the data's ids (numbers or text)
    return head + (f" and {rows.size - shown:,} more" if rows.size > shown else "")


def _plain(value):
    """A NumPy scalar as the Python value a message quotes: 50, not np.int64(50)."""
    return value.item() if isinstance(value, np.generic) else value


def _refuse_repeated_pairs(matrix: sp.csr_matrix) -> None:
    """Refuse a CSR matrix (indices sorted) holding a user-item pair twice: the kernels would read it as two
    interactions, and whether two ratings of one item are to be added, averaged or the last kept is the caller's
    choice, not a silent one."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    repeated = np.flatnonzero((np.diff(matrix.indices) == 0) & (np.diff(rows) == 0))
    if repeated.size:
        first = int(repeated[0])
        raise DataError(f"the matrix holds {repeated.size:,} repeated user-item pair(s) (the first: row "
                        f"{int(rows[first])}, column {int(matrix.indices[first])}); a model reads one value per "
                        "pair, so combine them first: matrix.sum_duplicates() adds them up, and mfviz.data's readers "
                        "take duplicates='sum', 'last', 'mean' or 'max'")
    matrix.has_canonical_format = True  # checked: no repeated pair, so scipy need not merge any later


def csr_both_ways(matrix: sp.csr_matrix) -> tuple[tuple, tuple]:
    """(indptr int64, indices int32, data) of the matrix by rows and by columns, the layout the
    alternating-least-squares kernels sweep over (users, then items)."""
    by_column = matrix.T.tocsr()
    by_column.sort_indices()
    return tuple((m.indptr.astype(np.int64), m.indices.astype(np.int32), m.data)
                 for m in (matrix, by_column))


# The random_state of a model without randomness (Truncated SVD, Popularity): taken, as scikit-learn's TruncatedSVD
# takes one, so that code seeding every model in a loop runs; it changes nothing
NO_EFFECT_SEED = Param(None, "taken for a uniform API; no effect: the fit is deterministic", low=0)


class Model:
    """Base class of every mfviz model. Hyperparameters are keyword-only, declared in `params`.

    Fitted attributes: `user_factors` (n_users, f), `item_factors` (n_items, f), `user_bias`,
    `item_bias`, `global_mean`, `history` (one dict per epoch: epoch, loss, seconds, ...), `fit_warnings` (what the
    last fit warned of, as ModelWarnings, each without the model's label; empty after a load).
    """

    name: ClassVar[str] = "base"
    label: ClassVar[str] = "Base"
    feedback: ClassVar[str] = "any"  # "explicit", "implicit" or "any": what the model is made for
    # How `fold_in` finds a new user's vector, in a few words (the dashboard's captions say it).
    fold_in_how: ClassVar[str] = "a ridge regression on the item vectors"
    personal: ClassVar[bool] = True  # ranks for each user from their own interactions (Popularity: the same for all)
    zero_row_unknown: ClassVar[bool] = False  # a zero factor row means "no factors for this id" (factors from elsewhere)
    params: ClassVar[dict[str, Param]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # `**hyperparameters` hid every name and default from help(), IDEs and inspect.signature
        super().__init_subclass__(**kwargs)
        taken = {**cls.params, **({} if "random_state" in cls.params else {"random_state": NO_EFFECT_SEED})}
        cls.__signature__ = inspect.Signature(
            [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=spec.default)
             for name, spec in taken.items()])
        if "__doc__" in cls.__dict__ and cls.__doc__:
            cls.__doc__ = cls.__doc__.rstrip() + "\n\n    Hyperparameters (keyword-only):\n" + "".join(
                f"        {name} = {spec.default!r}: {spec.help}{spec.bounds()}\n" for name, spec in taken.items())

    def __init__(self, *positional: Any, **hyperparameters: Any) -> None:
        cls = type(self).__name__
        if positional:  # FunkSVD(50): Python's own error named an internal class and no way out
            first = next(iter(self.params), "factors")
            raise ModelError(f"{cls} takes its hyperparameters by name, e.g. {cls}({first}={positional[0]!r})")
        if "random_state" not in self.params:  # checked, then dropped: one loop M(random_state=0) seeds every model
            NO_EFFECT_SEED.check("random_state", hyperparameters.pop("random_state", None))
        unknown = sorted(set(hyperparameters) - set(self.params))
        if unknown:
            raise ModelError(f"{cls} has no hyperparameter {unknown[0]!r}{_did_you_mean(unknown[0], self.params)}; "
                             f"it takes {sorted(self.params)}")
        for key, spec in self.params.items():
            setattr(self, key, spec.check(key, hyperparameters.get(key, spec.default)))
        self._reset()

    def _reset(self) -> None:
        self._user_factors: np.ndarray | None = None
        self._item_factors: np.ndarray | None = None
        self.user_bias: np.ndarray | None = None
        self.item_bias: np.ndarray | None = None
        self.global_mean: float = 0.0
        self.history: list[dict[str, float]] = []
        # what the last fit warned of (ModelWarning), each without the label the warning starts with: kept on the
        # model because a warning raised in a training thread reaches no page (catch_warnings swaps process-wide
        # state, so it cannot capture one thread's warnings). Not saved: it speaks of a fit, not of the factors.
        self.fit_warnings: list[str] = []
        self.fit_seconds: float = 0.0
        self.train_matrix: sp.csr_matrix | None = None
        self.user_ids: np.ndarray | None = None  # original ids by index, when fitted on Interactions
        self.item_ids: np.ndarray | None = None

    # ----------------------------------------------------------------- hyperparameters
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyperparameters as set now (`deep` is accepted for scikit-learn's `clone`; there is nothing nested)."""
        return {key: getattr(self, key) for key in self.params}

    def set_params(self, **hyperparameters: Any) -> Model:
        """Change hyperparameters, checked as the constructor checks them; the model must be fitted again for
        them to count (the fitted factors, `save` and the scores stay those of the last `fit`)."""
        checked = type(self)(**{**self.get_params(), **hyperparameters}).get_params()  # every rule, combinations too
        for key in hyperparameters.keys() & checked.keys():  # not a deterministic model's random_state
            setattr(self, key, checked[key])
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ----------------------------------------------------------------- training
    def fit(self, interactions, callback: Callback | None = None) -> Model:
        """Train from scratch on an `Interactions` (or a CSR users × items matrix).

        `callback(epoch, loss, seconds)` is called after every epoch; returning False stops
        training early (the factors of the last finished epoch are kept).
        """
        matrix = getattr(interactions, "matrix", interactions)
        if not sp.issparse(matrix):
            raise ModelError("fit expects an Interactions object or a scipy sparse matrix")
        with np.errstate(over="ignore"):  # values beyond float32 become inf, refused below
            matrix = sp.csr_matrix(matrix, dtype=np.float32)
        if not matrix.has_canonical_format:
            # sorted on a copy: csr_matrix shares the caller's arrays, which are theirs to keep in their order
            matrix = matrix.sorted_indices()
            _refuse_repeated_pairs(matrix)
        if matrix.nnz == 0:
            raise ModelError("cannot fit on an empty matrix")
        # checked once here: inside the kernels NaN surfaces as a crash or as advice about a
        # hyperparameter (alpha, learning_rate) that is not the cause, and Popularity ignores it
        bad = matrix.nnz - int(np.isfinite(matrix.data).sum())
        if bad:
            raise DataError(f"the matrix holds {bad:,} NaN or infinite values (as float32, values beyond ±3.4e38 "
                            "are infinite); remove those entries or replace them with numbers, then fit again")
        # an attribute set by hand (m.factors = "x") is checked as the constructor would, not met in a kernel
        self.set_params(**self.get_params())
        self._reset()
        self._fitted_params = self.get_params()  # what `save` writes, whatever is set after the fit
        self.train_matrix = matrix
        self.user_ids = getattr(interactions, "user_ids", None)
        self.item_ids = getattr(interactions, "item_ids", None)
        self._started = time.perf_counter()
        self._paused = 0.0  # seconds spent in the callback: not training time
        self._callback = callback
        self._fit(matrix)
        self.fit_seconds = time.perf_counter() - self._started - self._paused
        self._user_factors = np.ascontiguousarray(self._user_factors, dtype=np.float32)
        self._item_factors = np.ascontiguousarray(self._item_factors, dtype=np.float32)
        self._check_finite("training", self.diverge_advice)
        if (why := learned_nothing(self, interactions)) is not None:  # it runs, but every list would be arbitrary
            self._warn_of_fit(why)
        return self

    def _warn_of_fit(self, message: str, stacklevel: int = 2) -> None:
        """Warn (ModelWarning, "label: message") of something the fit did, and keep `message` in `fit_warnings`.
        `stacklevel` counts as for warnings.warn called where this is called."""
        if message not in self.fit_warnings:
            self.fit_warnings.append(message)
        warnings.warn(f"{self.label}: {message}", ModelWarning, stacklevel=stacklevel + 1)

    def _fit(self, matrix: sp.csr_matrix) -> None:
        raise NotImplementedError

    def _epoch_done(self, epoch: int, loss: float, **extra: float) -> bool:
        """Record an epoch in `history`, stop on divergence, and report to the callback.
        Returns False when the callback asked to stop."""
        now = time.perf_counter()
        seconds = now - self._started - self._paused
        if not np.isfinite(loss):
            raise ModelError(
                f"{self.label} diverged at epoch {epoch} (loss is {loss}){self.diverge_advice()}")
        self.history.append({"epoch": epoch, "loss": float(loss), "seconds": seconds, **extra})
        if self._callback is None:
            return True
        try:
            return self._callback(epoch, float(loss), seconds) is not False
        finally:  # what the callback does (e.g. scoring held-out data) is not training time
            self._paused += time.perf_counter() - now

    def scorer(self, users=None) -> Model:
        """A model scoring with the parameters as they stand: inside a `fit` callback, those of the
        epoch just finished (e.g. to score held-out data per epoch); after `fit`, the model itself.
        `users`: the only users it will be asked about, when a model can save work by knowing them."""
        return self

    def diverge_advice(self) -> str:
        """What to do when training produces NaN/inf, to follow "(loss is nan)": lower `diverge_hint`'s
        hyperparameter, unless none is out of bounds and the values themselves are far beyond a rating scale (play
        counts up to 350,000), where every error, so every SGD step, is huge and a smaller learning rate only delays
        the overflow by an epoch or two. Computed only when training fails."""
        hint = self.diverge_hint()
        matrix = getattr(self, "train_matrix", None)
        largest = float(np.abs(matrix.data).max()) if matrix is not None and matrix.nnz else 0.0
        if "learning_rate" in self.params and hint.startswith("learning_rate (now") and largest > LARGE_VALUE:
            return (f": its values run up to {largest:,.0f}, far beyond a rating scale, so a smaller learning_rate "
                    "only delays the overflow; binarise them (Data page, Prepare) and train again, or train implicit "
                    "ALS, made for counts (confidence='log' for a long tail)")
        return f"; lower {hint} and train again"

    def diverge_hint(self) -> str:
        """The hyperparameter to lower when training produces NaN/inf. With learning_rate ×
        regularization above 1 an SGD step shrinks a vector by more than itself, so of the two the
        one set furthest above its default is named: after a huge regularization, lowering the
        learning rate alone is poor advice."""
        names = ("learning_rate", "regularization")
        if all(name in self.params for name in names):
            values = {name: float(getattr(self, name)) for name in names}
            product = values["learning_rate"] * values["regularization"]
            if product > 1:
                culprit = max(names, key=lambda name: values[name] / (self.params[name].default or 1))
                return (f"{culprit} (now {values[culprit]:g}) so that learning_rate × regularization (now "
                        f"{product:g}) stays below 1 (above it, each SGD step pushes a vector past zero and further out)")
        # factors starting far from zero: every first prediction, and so every first step, is huge
        if "init_std" in self.params and abs(float(self.init_std)) > 1:
            return f"init_std (now {float(self.init_std):g}; the factors start at that scale)"
        if "init_mean" in self.params and abs(float(self.init_mean)) > 1:
            return f"init_mean toward 0 (now {float(self.init_mean):g}; the factors start around it)"
        if "learning_rate" in self.params:
            return f"learning_rate (now {self.learning_rate:g})"
        if "alpha" in self.params:
            return f"alpha (now {self.alpha:g}) or raise regularization"
        return "the size of the values, or raise regularization"

    def _check_finite(self, stage: str, advice) -> None:
        """Refuse NaN/inf factors or biases after `stage`; `advice()` (diverge_advice) follows the message."""
        for label, array in (("user factors", self._user_factors), ("item factors", self._item_factors),
                             ("user biases", self.user_bias), ("item biases", self.item_bias)):
            if array is not None and not np.isfinite(array).all():
                raise ModelError(f"{self.label}: {stage} produced NaN/inf {label}{advice()}")

    # ----------------------------------------------------------------- fitted state
    @property
    def is_fitted(self) -> bool:
        """Whether `fit` (or `load_model`) has given the model its factors."""
        return self._item_factors is not None

    def _require_fitted(self) -> None:
        if not self.is_fitted:
            raise ModelError(f"{self.label} is not fitted yet: call fit(interactions) first")

    @property
    def user_factors(self) -> np.ndarray:
        """(n_users, factors) float32: row u is user row u's vector (SVD++: p_u plus its implicit part)."""
        self._require_fitted()
        return self._user_factors

    @property
    def item_factors(self) -> np.ndarray:
        """(n_items, factors) float32: row i is item row i's vector; a score is user_factors[u] · item_factors[i]
        plus the biases."""
        self._require_fitted()
        return self._item_factors

    @property
    def n_users(self) -> int:
        """Rows of `user_factors`: the users of the data the model was fitted on."""
        return self.user_factors.shape[0]

    @property
    def n_items(self) -> int:
        """Rows of `item_factors`: the items of the data the model was fitted on."""
        return self.item_factors.shape[0]

    def _check_ids(self, ids, n: int, kind: str) -> np.ndarray:
        arr = np.asarray(ids)
        if arr.dtype.kind not in "iu":
            if arr.size and arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            elif arr.size:
                raise ModelError(f"{kind} indices must be integers, got {arr.dtype}")
        arr = arr.astype(np.int64)
        bad = (arr < 0) | (arr >= n)
        if bad.any():
            raise ModelError(f"{kind} index {int(arr[bad][0])} is out of range: the model has {n} {kind}s (0..{n - 1})")
        return arr

    def _check_id_list(self, ids, n: int, kind: str) -> np.ndarray:
        """`_check_ids` for a list of ids (one number counts as a list of one): one row of results
        per id, so a 2-D array is refused rather than crashing the kernels."""
        arr = np.atleast_1d(self._check_ids(ids, n, kind))
        if arr.ndim != 1:
            raise ModelError(f"{kind} indices must be a 1-D list, got an array of shape {arr.shape}")
        return arr

    # ----------------------------------------------------------------- the data's own ids
    def user_rows(self, ids) -> np.ndarray:
        """The row indices of the data's own user ids (`user_ids`, set by `fit`), which `recommend`,
        `predict` and `fold_in_item` take; DataError naming the first unknown id."""
        return self._rows(ids, "user")

    def item_rows(self, ids) -> np.ndarray:
        """The row indices of the data's own item ids (`item_ids`, set by `fit`), which `similar_items`,
        `predict` and `fold_in` take; DataError naming the first unknown id."""
        return self._rows(ids, "item")

    def _rows(self, ids, kind: str) -> np.ndarray:
        from mfviz.data.interactions import id_positions

        self._require_fitted()
        known = getattr(self, f"{kind}_ids")
        if known is None:
            remedy = ("call aligned_to(interactions) on the data its factors came from" if hasattr(self, "aligned_to")
                      else "fit it on an Interactions")
            raise ModelError(f"{self.label} knows no {kind} ids (it was fitted on a bare matrix, or its factors came "
                             f"without ids): pass row indices, or {remedy}")
        cached = getattr(self, f"_{kind}_lookup", None)
        if cached is None or cached[0] is not known:  # rebuilt after a new fit or load
            cached = (known, pd.Index(known))
            setattr(self, f"_{kind}_lookup", cached)
        return id_positions(cached[1], ids, kind)

    def recommend_ids(self, user_ids, n: int = 10, exclude_seen: bool = True, exclude=None) -> pd.DataFrame:
        """`recommend` by the data's own ids: one row per (user_id, rank) with item_id and score, rank 1 best;
        a user with fewer than n unseen items gets fewer rows. Scores are `recommend`'s (for a model with
        biases they leave out the user's constant: `predict` gives the rating). `exclude` as `recommend`'s: a
        users × items matrix (or Interactions, e.g. the whole data after a split) whose items to leave out."""
        users = self.user_rows(user_ids)
        items, scores = self.recommend(users, n=n, exclude_seen=exclude_seen, exclude=exclude, warn_untrained=False)
        self._warn_of_strangers(users, by_id=True)
        return self._ranked_frame(self.user_ids[users], "user_id", items, scores, "item_id")

    def similar_items_ids(self, item_ids, n: int = 10, metric: str = "cosine") -> pd.DataFrame:
        """`similar_items` by the data's own ids: one row per (item_id, rank) with the similar item's id and
        the cosine or dot product, rank 1 nearest, the item itself left out."""
        items = self.item_rows(item_ids)
        similar, scores = self.similar_items(items, n=n, metric=metric, warn_untrained=False)
        self._warn_of_unknown_items(items, by_id=True)
        return self._ranked_frame(self.item_ids[items], "item_id", similar, scores, "similar_item_id")

    def predict_ids(self, user_ids, item_ids):
        """`predict` by the data's own ids: the score of each pair (user_ids[k], item_ids[k]), one float32 for one
        user id and one item id; DataError naming an unknown id. `predict(196, 242)` scores rows 196 and 242,
        which in MovieLens 100K are user 197 and item 243: the ids' rows come from `user_rows` / `item_rows`."""
        scores = self.predict(self.user_rows(user_ids), self.item_rows(item_ids))
        return scores[0] if np.ndim(user_ids) == 0 and np.ndim(item_ids) == 0 else scores

    def _ranked_frame(self, keys: np.ndarray, key_name: str, items: np.ndarray, scores: np.ndarray,
                      item_name: str) -> pd.DataFrame:
        rows, ranks = np.nonzero(items >= 0)  # -1 pads a list shorter than n
        return pd.DataFrame({key_name: keys[rows], "rank": ranks + 1, item_name: self.item_ids[items[rows, ranks]],
                             "score": scores[rows, ranks]})

    def _item_offsets(self) -> np.ndarray:
        """Per-item additive score term (item bias), zeros for unbiased models."""
        if self.item_bias is None:
            return np.zeros(self.n_items, np.float32)
        return self.item_bias.astype(np.float32)

    # ----------------------------------------------------------------- scoring
    def predict(self, users, items) -> np.ndarray:
        """Predicted scores (ratings for explicit models) for pairs (users[k], items[k]), of row indices (0..n-1 in
        the order of `user_ids` / `item_ids`), not the data's ids: `predict_ids` takes those (Surprise's
        `predict(uid, iid)`). In the indices' shape: one number (a NumPy float32) for one user and one item."""
        self._require_fitted()
        users = self._check_ids(users, self.n_users, "user")
        items = self._check_ids(items, self.n_items, "item")
        if users.shape != items.shape:
            raise ModelError(f"users and items must have the same shape, got {users.shape} and {items.shape}")
        scores = pair_dots(users.ravel(), items.ravel(), self._user_factors, self._item_factors)
        scores = scores + self.global_mean
        if self.user_bias is not None:
            scores = scores + self.user_bias[users.ravel()]
        if self.item_bias is not None:
            scores = scores + self.item_bias[items.ravel()]
        scores = scores.astype(np.float32).reshape(users.shape)
        return scores[()] if scores.ndim == 0 else scores  # as NumPy's own functions give a scalar for scalars

    def recommend(self, users, n: int = 10, exclude_seen: bool = True, exclude=None,
                  warn_untrained: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Top-n item indices and scores for each user index: two (len(users), n) arrays, best
        first; -1 / -inf pad rows with fewer than n unseen items (-1 is a valid NumPy index: drop it before
        indexing titles). Indices are rows, not the data's ids: `recommend_ids` takes and gives ids. Scores omit the per-user
        constant (global mean + user bias), which does not change the order. `exclude_seen`
        leaves out each user's training items; `exclude` (a users × items sparse matrix, e.g. the
        whole dataset when the model saw only a training split) leaves out its rows' items instead.
        A model without a training matrix (factors from elsewhere, not aligned to data) cannot know
        the seen items: exclude_seen=True without `exclude` is then a ModelError, not a list that
        silently repeats what users already have. A user without training interactions gets a list that says
        nothing of them (item biases, an unfitted vector, or index order for all-equal scores): a ModelWarning
        says so, unless `warn_untrained=False` (for a caller that treats those users itself)."""
        self._require_fitted()
        users = self._check_id_list(users, self.n_users, "user")
        n = self._check_n(n)
        if exclude is not None:
            exclude = sp.csr_matrix(getattr(exclude, "matrix", exclude))  # an Interactions too
            if exclude.shape != (self.n_users, self.n_items):
                raise ModelError(f"exclude must be a {self.n_users} × {self.n_items} matrix (users × items), "
                                 f"got {exclude.shape[0]} × {exclude.shape[1]}")
        elif exclude_seen and self.train_matrix is None:
            raise ModelError(f"{self.label} does not know which items each user has seen (its factors come "
                             "without interactions): call aligned_to(interactions) first, pass exclude= (a "
                             "users × items matrix of the items to leave out), or exclude_seen=False")
        if exclude is not None or exclude_seen:
            seen = (exclude if exclude is not None else self.train_matrix)[users]
            seen.sort_indices()  # (a row slice of a CSR: a copy)
            indptr, indices = seen.indptr.astype(np.int64), seen.indices.astype(np.int64)
        else:
            indptr, indices = np.zeros(1, np.int64), np.zeros(0, np.int64)
        if warn_untrained:
            self._warn_of_strangers(users)
        return self._top_n(users, n, indptr, indices)

    def _warn_of_strangers(self, users: np.ndarray, by_id: bool = False) -> None:
        """Warn when some users had no training interactions: their vectors were never fitted to anything, so
        their lists rank by item bias, an untrained start or index order — a list, but not of their taste.
        `by_id`: name them by the data's ids (the caller gave ids). The warning points at the caller's line."""
        strangers = users[untrained_users(self)[users]]
        if strangers.size:
            named = f"ids {_first_few(self.user_ids[strangers])}" if by_id else f"rows {_first_few(strangers)}"
            warnings.warn(f"{self.label}: {strangers.size:,} of these users ({named}) have no "
                          "training interactions, so their lists say nothing of their taste; fold_in what is known "
                          "of them, or recommend the most popular items (Popularity)", ModelWarning, stacklevel=3)

    def _top_n(self, users: np.ndarray, n: int, indptr: np.ndarray, indices: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """`recommend`'s lists: the users' top n by their scores, the CSR (indptr, indices) left out."""
        # numba runs the blocks in parallel; a multi-threaded BLAS inside each would oversubscribe
        with threadpool_limits(limits=1, user_api="blas"):
            return topk_dot(np.ascontiguousarray(self._user_factors[users]), self._item_factors,
                            self._item_offsets(), n, indptr, indices)

    def recommend_for_vector(self, vector: np.ndarray, n: int = 10, exclude=()) -> tuple[np.ndarray, np.ndarray]:
        """Top-n items for one user vector (e.g. from `fold_in`), excluding given item indices."""
        self._require_fitted()
        vector = np.asarray(vector)
        if vector.dtype.kind not in "fiu":
            raise ModelError(f"vector must hold numbers, got {vector.dtype}")
        vector = vector.astype(np.float32).reshape(1, -1)
        if vector.shape[1] != self._item_factors.shape[1]:
            raise ModelError(f"vector has {vector.shape[1]} components, the model has {self._item_factors.shape[1]}")
        if not np.isfinite(vector).all():  # NaN scores rank nothing: the list would come back empty
            raise ModelError("vector holds NaN or infinite components; fold in a profile of finite values")
        if not vector.any():
            warnings.warn(f"{self.label}: the vector is zero, so its list says nothing of anyone (item biases, or "
                          "the catalogue in index order)", ModelWarning, stacklevel=2)
        exclude = self._check_id_list(list(exclude), self.n_items, "item")
        ids, scores = topk_dot(vector, self._item_factors, self._item_offsets(), self._check_n(n),
                               np.array([0, exclude.size], np.int64), exclude)
        return ids[0], scores[0]

    def similar_items(self, items, n: int = 10, metric: str = "cosine",
                      warn_untrained: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-n neighbours of each item index by cosine or dot product of item factors,
        the item itself left out: two (len(items), n) arrays. Indices are rows, not the data's ids:
        `similar_items_ids` takes and gives ids. An item without training interactions or without a vector
        (zero: e.g. an id the factors from elsewhere lack) gets neighbours that say nothing of it (index order
        at score 0, or those of an unfitted start): a ModelWarning names them, unless `warn_untrained=False`."""
        self._require_fitted()
        if metric not in ("cosine", "dot"):
            raise ModelError(f"metric must be 'cosine' or 'dot', got {metric!r}")
        items = self._check_id_list(items, self.n_items, "item")
        if warn_untrained:
            self._warn_of_unknown_items(items)
        vectors = self._item_factors
        if metric == "cosine":
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = np.ascontiguousarray(vectors / np.where(norms > 0, norms, 1), dtype=np.float32)
        indptr = np.arange(items.size + 1, dtype=np.int64)
        with threadpool_limits(limits=1, user_api="blas"):
            return topk_dot(np.ascontiguousarray(vectors[items]), vectors, np.zeros(self.n_items, np.float32),
                            self._check_n(n), indptr, items.astype(np.int64))

    def _unknown_rows(self, rows: np.ndarray, kind: str) -> np.ndarray:
        """Which of these user or item rows (a bool each) the model knows nothing of: no training interaction, or
        (`zero_row_unknown`: factors from elsewhere, which give an id they lack a zero row) a zero vector. No row
        of Popularity's, whose list is the same for everyone."""
        unknown = np.zeros(rows.size, bool)
        if not getattr(self, "personal", True):
            return unknown
        if self.zero_row_unknown:  # a fitted model's zero row has data behind it (learned_nothing speaks of it)
            unknown |= ~(self._item_factors if kind == "item" else self._user_factors)[rows].any(axis=1)
        if self.train_matrix is not None:
            cached = getattr(self, f"_{kind}_untrained", None)
            if cached is None or cached[0] is not self.train_matrix:  # counted once per training matrix
                counted = untrained_items(self) if kind == "item" else untrained_users(self)
                cached = (self.train_matrix, counted)
                setattr(self, f"_{kind}_untrained", cached)
            unknown |= cached[1][rows]
        return unknown

    def _warn_of_unknown_items(self, items: np.ndarray, by_id: bool = False) -> None:
        """`_warn_of_strangers` for items whose neighbours are asked: named by row, or by the data's id."""
        unknown = items[self._unknown_rows(items, "item")]
        if unknown.size:
            named = f"ids {_first_few(self.item_ids[unknown])}" if by_id else f"rows {_first_few(unknown)}"
            warnings.warn(f"{self.label}: {unknown.size:,} of these items ({named}) have no training interactions "
                          "(or no vector), so their neighbours say nothing of them", ModelWarning, stacklevel=3)

    @staticmethod
    def _check_n(n) -> int:
        if not isinstance(n, int | np.integer) or n < 1:
            raise ModelError(f"n must be a positive integer, got {n!r}")
        return int(n)

    # ----------------------------------------------------------------- fold-in
    def fold_in(self, items, values=None, return_bias: bool = False):
        """A user vector for an ad-hoc profile (item row indices, see `item_rows`; ratings/weights, which a model
        fitted on ratings needs, else ones), with the item side frozen and the model untouched. With
        return_bias=True, (vector, user_bias)."""
        items, values = self._check_profile(items, values)
        vector, bias = self._fold_in(items, values)
        vector = np.asarray(vector, np.float32)
        return (vector, float(bias)) if return_bias else vector

    def fold_in_ids(self, item_ids, values=None, return_bias: bool = False):
        """`fold_in` by the data's own item ids (`item_rows` maps them; DataError naming an unknown one): the row
        indices `fold_in` takes are easy to mistake for ids (`fold_in([50])` is row 50, not item 50)."""
        return self.fold_in(self.item_rows(item_ids), values, return_bias)

    def fold_in_rows(self, profiles) -> tuple[np.ndarray, np.ndarray]:
        """User vectors and biases of many ad-hoc profiles at once: row r of `profiles` (sparse,
        rows × items; stored values are the ratings/weights) gets what `fold_in` gives for the row's
        items in ascending order with its values. Returns ((rows, k) float32, (rows,) float32)."""
        self._require_fitted()
        profiles = sp.csr_matrix(profiles, dtype=np.float32)
        if profiles.shape[1] != self.n_items:
            raise ModelError(f"profiles must have one column per item ({self.n_items}), got {profiles.shape[1]}")
        if not np.isfinite(profiles.data).all():
            raise ModelError("fold-in values must be finite numbers")
        profiles.sum_duplicates()  # sorted indices, a repeated (row, item) summed into one value
        vectors, biases = self._fold_in_rows(profiles)
        return np.asarray(vectors, np.float32), np.asarray(biases, np.float32)

    def _fold_in_rows(self, profiles: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, biases) of every row of `profiles` at once: what `_fold_in` gives each row."""
        raise NotImplementedError

    def fold_in_item(self, users, values=None, return_bias: bool = False):
        """An item vector for a new item from the users who have it (user indices, optional
        ratings/weights), with the user side frozen and the model untouched: `fold_in` mirrored, for
        an item the model never saw (cold start). With return_bias=True, (vector, item_bias)."""
        users, values = self._check_profile(users, values, "user")
        vector, bias = self._fold_in_item(users, values)
        vector = np.asarray(vector, np.float32)
        return (vector, float(bias)) if return_bias else vector

    def _check_profile(self, items, values, kind: str = "item") -> tuple[np.ndarray, np.ndarray]:
        """(indices, float32 values) of an ad-hoc profile of items (or, kind="user", of a new
        item's users), checked; values default to ones, except for a model fitted on ratings, which needs them."""
        self._require_fitted()
        items = self._check_id_list(items, self.n_items if kind == "item" else self.n_users, kind)
        if items.size == 0:  # a zero vector, whose "recommendations" are the catalogue in index order
            raise ModelError(f"the {'profile' if kind == 'item' else 'new item'} has no {kind}s: give at least one")
        # a repeated id would count twice in the solve, where fold_in_rows (a sparse matrix) sums
        # its values into one entry: refuse rather than pick a meaning
        unique, counts = np.unique(items, return_counts=True)
        if unique.size < items.size:
            first = int(np.argmax(counts > 1))
            owner = "the profile" if kind == "item" else "the new item's users"
            raise ModelError(f"{kind} {int(unique[first])} appears {int(counts[first])} times in {owner}; "
                             f"give each {kind} once (add or average its values first)")
        unknown = self._unknown_rows(items, kind)
        if unknown.any():
            # such a row's vector was never fitted (zero, or the random start): it tells the solve nothing
            said = f"{kind}s (rows {_first_few(items[unknown])})"
            if unknown.all():  # a zero vector (or noise), whose list is the catalogue in index order: as empty
                raise ModelError(f"{self.label} knows nothing of the {said}: none has a training interaction (or a "
                                 f"vector), so they fold in to nothing; give at least one {kind} it was trained on")
            warnings.warn(f"{self.label}: {int(unknown.sum()):,} of the {said} have no training interactions (or "
                          "no vector), so they add nothing to the fold-in", ModelWarning, stacklevel=3)
        if values is None:
            if self._trained_on_ratings():  # a 1 on a 1-5 scale is a strong dislike, not "has it"
                raise ModelError(f"{self.label} was fitted on ratings: give each {kind}'s rating (values=[...]); "
                                 f"for \"liked\", the top of the scale ({float(self.train_matrix.data.max()):g})")
            values = np.ones(items.size, np.float32)
        values = np.asarray(values)
        if values.dtype.kind not in "fiub":
            raise ModelError(f"fold-in values must be numbers (ratings or weights), got {values.dtype} values")
        values = values.astype(np.float32).ravel()
        if values.shape != items.shape:
            raise ModelError(f"got {items.size} {kind}s but {values.size} values")
        if not np.isfinite(values).all():
            raise ModelError("fold-in values must be finite numbers")
        return items, values

    def _trained_on_ratings(self) -> bool:
        """Whether the model predicts ratings learned from explicit values (not all ones): fold-in then needs them."""
        matrix = self.train_matrix
        return (self.feedback == "explicit" and matrix is not None and matrix.nnz > 0
                and bool((matrix.data != 1).any()))

    def _fold_in(self, items: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        raise NotImplementedError

    def _fold_in_item(self, users: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        raise NotImplementedError

    # ----------------------------------------------------------------- persistence
    def _extra_state(self) -> dict[str, np.ndarray]:
        """Arrays beyond factors and biases that a subclass needs after loading."""
        return {}

    def _load_extra_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Set what `_extra_state` saved, checked (`stored_array`); ModelError when it is damaged."""

    def _has_biases(self) -> bool:
        """Whether a fitted model of these hyperparameters has user and item biases (a model file
        without them would score without them, silently)."""
        return bool(getattr(self, "biases", False))

    def save(self, path) -> Path:
        """Write the model to one `.npz` file (arrays + JSON metadata, no pickle)."""
        self._require_fitted()
        path = Path(path)
        if not path.parent.is_dir():
            raise ModelError(f"cannot save to {path}: the folder {path.parent} does not exist; create it or "
                             "choose another path")
        params = getattr(self, "_fitted_params", None) or self.get_params()  # those the factors were fitted with
        meta = {"format": FORMAT_VERSION, "model": self.name, "params": params,
                "global_mean": self.global_mean, "history": self.history, "fit_seconds": self.fit_seconds}
        arrays = {"user_factors": self._user_factors, "item_factors": self._item_factors,
                  "meta_json": np.array(json.dumps(meta))}
        if self.user_bias is not None:
            arrays["user_bias"] = self.user_bias
        if self.item_bias is not None:
            arrays["item_bias"] = self.item_bias
        if self.train_matrix is not None:
            arrays.update(train_indptr=self.train_matrix.indptr, train_indices=self.train_matrix.indices,
                          train_data=self.train_matrix.data)
        for key, ids in (("user_ids", self.user_ids), ("item_ids", self.item_ids)):
            if ids is not None:  # text or integers; never object arrays, which would need pickle
                arrays[key] = ids if ids.dtype.kind in "iuU" else ids.astype(str)
        arrays.update({f"extra_{k}": v for k, v in self._extra_state().items()})
        try:
            with open(path, "wb") as handle:
                np.savez_compressed(handle, **arrays)
        except OSError as exc:  # a folder of that name, no permission, disk full
            raise ModelError(f"could not write {path}: {exc.strerror or exc}; choose another path") from None
        return path
