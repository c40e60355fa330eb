"""FactorModel: user and item factors trained elsewhere (implicit, Spark MLlib, numpy) as an mfviz model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from mfviz.errors import ModelError
from mfviz.models.base import Model, Param


class FactorModel(Model):
    r"""A model whose factors come from outside: score(u, i) = p_u · q_i (+ item bias when given).

    Everything the shared API offers works on it (recommend, similar_items, save, the analyses).
    `fit` is not available (the factors are fixed). Fold-in (a new user's vector, the item factors
    frozen; `fold_in_item` mirrored, the user factors frozen) solves the objective the factors were
    trained with, as far as it is known (`fold_in_solve`, set by `load_factors`):

    - "implicit-als" (implicit's ALS .npz, which stores alpha and regularization): implicit's own solve,
      with implicit's confidence c = alpha · value on the given items (not mfviz's 1 + alpha · r) and
      preference 1, :math:`p = (Q^\top Q + \lambda I + Q_I^\top (C_I - I) Q_I)^{-1} Q_I^\top c_I`:
      implicit's `recalculate_user`. Values are what the matrix given to implicit held (values
      <= 0 are left out: implicit reads a negative value as a dislike, which is not folded in).
    - "als-wr" (a Spark ALSModel folder): ridge with λ times the profile's length, Spark's explicit
      objective, :math:`p = (Q_I^\top Q_I + \lambda n I)^{-1} Q_I^\top v`. Spark does not save regParam:
      λ = `regularization` is 0.1 (Spark's default) unless given (load_factors(..., regularization=)).
      Factors from Spark's implicitPrefs=True are fitted to another objective: this is then an approximation.
    - "ridge" (any other factors): plain ridge regression on the values less the global mean and item
      biases, :math:`p = (Q_I^\top Q_I + \lambda I)^{-1} Q_I^\top (v - \mu - b_I)`. The factors' own
      objective is unknown, so this is an approximation: on implicit's factors it shared 7 of the 10
      top items with implicit's own vectors, against 9.9 for implicit's solve (API review, ML-100K).

    `name` is a display name (kept in `label`); `user_ids` / `item_ids` are the original ids of
    the factor rows when known (Spark), else None. `recommend` leaves out seen items only when it
    knows them: give `train_matrix` (users × items CSR, or an Interactions), or use `aligned_to`,
    else pass `exclude=` or `exclude_seen=False` (exclude_seen=True alone is a ModelError).
    """

    name = "external"
    label = "External factors"
    feedback = "any"
    zero_row_unknown = True  # `aligned_to` gives an id without a factor row a zero vector
    # where fold-in's λ came from, for `fold_in_note`: "file" (implicit's), "given" (load_factors(regularization=)),
    # "default" (Spark's 0.1, as Spark saves none) or None (unknown: built by hand, or read back from an mfviz file)
    regularization_from: str | None = None
    rows_taken_in_order: tuple[str, ...] = ()  # set by `aligned_to`: the sides ("user", "item") matched by position
    params = {
        "regularization": Param(0.1, "λ of fold-in (implicit's regularization; Spark's regParam, times the "
                                     "profile's length)", low=0.0),
        "fold_in_solve": Param("ridge", "the objective fold-in solves: 'implicit-als' (implicit's ALS), 'als-wr' "
                                        "(Spark's ALS), 'ridge' (plain ridge: an approximation)",
                               choices=("ridge", "implicit-als", "als-wr")),
        "alpha": Param(1.0, "implicit's confidence weight, c = alpha * value (fold_in_solve='implicit-als')",
                       low=0.0),
    }

    def __init__(self, user_factors=None, item_factors=None, name: str = "external", *,
                 item_bias=None, user_bias=None, global_mean: float = 0.0, train_matrix=None,
                 user_ids=None, item_ids=None, **hyperparameters) -> None:
        super().__init__(**hyperparameters)
        self.label = str(name)
        self.user_ids = None if user_ids is None else np.asarray(user_ids)
        self.item_ids = None if item_ids is None else np.asarray(item_ids)
        if user_factors is None and item_factors is None:
            return  # empty shell, filled by load_model
        users = _factor_array(user_factors, "user factors")
        items = _factor_array(item_factors, "item factors")
        if users.shape[1] != items.shape[1]:
            raise ModelError(f"user factors have {users.shape[1]} components but item factors have "
                             f"{items.shape[1]}; both must come from the same model")
        self._user_factors, self._item_factors = users, items
        self.item_bias = None if item_bias is None else _bias(item_bias, items.shape[0], "item bias")
        self.user_bias = None if user_bias is None else _bias(user_bias, users.shape[0], "user bias")
        self.global_mean = float(global_mean)
        if train_matrix is not None:
            matrix = sp.csr_matrix(getattr(train_matrix, "matrix", train_matrix), dtype=np.float32)
            if matrix.shape != (users.shape[0], items.shape[0]):
                raise ModelError(f"train_matrix has shape {matrix.shape} but the factors give "
                                 f"{users.shape[0]} users × {items.shape[0]} items")
            matrix.sort_indices()
            self.train_matrix = matrix

    def aligned_to(self, interactions, warn_missing: bool = True, warn_order: bool = True) -> FactorModel:
        """A copy whose rows follow `interactions`' user and item indices, with its matrix as
        `train_matrix`. Rows are matched by original id when `user_ids` / `item_ids` are known
        (Spark; implicit's when given to `load_factors`), else taken in order (the counts must then agree): row r is
        then `interactions.user_ids[r]`, mfviz's order (`ROW_ORDER`), and a ModelWarning says so unless
        `warn_order=False`; `rows_taken_in_order` names the sides so matched and `order_note` says it. Ids without a factor row get
        zero vectors and zero biases (they score 0 and sit at the centre of every map): a ModelWarning
        names the first few, unless `warn_missing=False` (for a caller that says so itself), and how many is
        kept in `missing_users` / `missing_items`. Biases and the global mean come along, so `predict`
        gives the same numbers for the same ids."""
        users, user_found = _align(self._user_factors, self.user_ids, interactions.user_ids, "user")
        items, item_found = _align(self._item_factors, self.item_ids, interactions.item_ids, "item")
        missing_users, missing_items = int((~user_found).sum()), int((~item_found).sum())
        if warn_missing and (missing_users or missing_items):
            import warnings

            from mfviz.errors import ModelWarning
            from mfviz.models.base import _first_few

            said = [f"{(~found).sum():,} of the data's {found.size:,} {kind}s (ids {_first_few(np.asarray(ids)[~found])})"
                    for kind, found, ids in (("user", user_found, interactions.user_ids),
                                             ("item", item_found, interactions.item_ids)) if not found.all()]
            warnings.warn(f"{self.label} has no factors for {' and '.join(said)}: they get zero vectors, "
                          "so they score 0, their lists and neighbours say nothing of them, and they add nothing to a "
                          "fold-in", ModelWarning, stacklevel=2)
        user_bias = _aligned_bias(self.user_bias, self.user_ids, interactions.user_ids, "user")
        item_bias = _aligned_bias(self.item_bias, self.item_ids, interactions.item_ids, "item")
        model = FactorModel(users, items, self.label, item_bias=item_bias, user_bias=user_bias,
                            global_mean=self.global_mean, train_matrix=interactions, user_ids=interactions.user_ids,
                            item_ids=interactions.item_ids, **self.get_params())
        model.missing_users, model.missing_items = missing_users, missing_items
        model.regularization_from = self.regularization_from
        model.rows_taken_in_order = tuple(kind for kind, ids in (("user", self.user_ids), ("item", self.item_ids))
                                          if ids is None)
        if warn_order and model.order_note:
            import warnings

            from mfviz.errors import ModelWarning

            warnings.warn(model.order_note, ModelWarning, stacklevel=2)
        return model

    @property
    def order_note(self) -> str:
        """A sentence saying that the factors' rows were taken by position (no ids in the file), and in which order
        they must be for that to be right; "" when every side was matched by id."""
        sides = self.rows_taken_in_order
        if not sides:
            return ""
        kinds = " or ".join(sides)
        options = " / ".join(f"--{kind}-ids" for kind in sides)
        arguments = ", ".join(f"{kind}_ids=..." for kind in sides)
        arrays = " and ".join(f"{kind}_ids" for kind in sides)
        return (f"{self.label} holds no {kinds} ids: its rows were taken by position as the data's "
                f"{' and '.join(f'{kind}s' for kind in sides)} in mfviz's order ({ROW_ORDER}). Rows in another order "
                "(pd.factorize's order of first appearance, say) give wrong lists without an error: give the ids of "
                f"the rows (load_factors(path, {arguments}); on the command line {options} FILE, one id a line; or "
                f"{arrays} arrays in the .npz).")

    def _fit(self, matrix: sp.csr_matrix) -> None:
        raise ModelError("FactorModel holds factors trained elsewhere and cannot be trained; "
                         "train one of the mfviz models instead, or load new factors")

    @property
    def fold_in_how(self) -> str:  # the dashboard's captions say it
        return {"implicit-als": "implicit's own weighted least-squares solve (confidence = alpha × value)",
                "als-wr": "Spark's ALS solve: a ridge regression with λ times the profile's length",
                }.get(self.fold_in_solve, "a ridge regression on the item vectors (an approximation: the factors' "
                                          "own objective is unknown)")

    @property
    def fold_in_note(self) -> str:
        """One sentence on how fold-in treats these factors, for a load message."""
        how_to_give = "in Python, load_factors(path, regularization=...); on the command line, --reg-param"
        if self.fold_in_solve == "implicit-als":
            regularization = (f"regularization {self.regularization:g}, given in place of the file's"
                              if self.regularization_from == "given" else
                              f"regularization {self.regularization:g}, both read from the file")
            return (f"Fold-in solves implicit's own objective (confidence = alpha × value, alpha {self.alpha:g}, "
                    f"{regularization}).")
        if self.fold_in_solve == "als-wr":
            start = ("Fold-in solves Spark's ALS objective (ridge, regParam × the profile's length) with regParam "
                     f"{self.regularization:g}")
            if self.regularization_from == "given":
                return f"{start}, as given (Spark does not save it)."
            if self.regularization_from == "default":
                return (f"{start}, Spark's default: Spark does not save it, so give the one the model was trained "
                        f"with if it was another ({how_to_give}).")
            return f"{start} (Spark does not save it: {how_to_give}, when loading the model's folder)."
        return (f"Fold-in is a plain ridge regression (λ {self.regularization:g}) on the item vectors: an "
                "approximation, since the objective these factors were trained with is unknown.")

    def _fold_in(self, items: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        return self._solve_one(items, values, self._item_factors, self.item_bias, "items"), 0.0

    def _fold_in_item(self, users: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, float]:
        """The same solve for a new item's column, the users frozen."""
        return self._solve_one(users, values, self._user_factors, self.user_bias, "users"), 0.0

    def _solve_one(self, rows: np.ndarray, values: np.ndarray, frozen: np.ndarray, frozen_bias,
                   side: str) -> np.ndarray:
        q = frozen[rows].astype(np.float64)
        if self.fold_in_solve == "implicit-als":
            confidence = self._implicit_confidence(values, side)
            keep = confidence > 0
            q, confidence = q[keep], confidence[keep]
            gram = self._gram(frozen, side) + q.T @ ((confidence - 1.0)[:, None] * q)
            gram[np.diag_indices_from(gram)] += self.regularization
            return np.linalg.lstsq(gram, q.T @ confidence, rcond=None)[0].astype(np.float32)
        target = values.astype(np.float64) - self.global_mean
        if frozen_bias is not None:
            target = target - frozen_bias[rows]
        ridge = self.regularization * (rows.size if self.fold_in_solve == "als-wr" else 1)
        gram = q.T @ q + ridge * np.eye(q.shape[1])
        return np.linalg.lstsq(gram, q.T @ target, rcond=None)[0].astype(np.float32)

    def _gram(self, frozen: np.ndarray, side: str) -> np.ndarray:
        """YᵀY (float64) of one side's factors, computed once per side: the same for every profile, and most of a
        fold-in's cost on a large catalogue."""
        cache = self.__dict__.setdefault("_grams", {})
        if side not in cache or cache[side][0] is not frozen:
            wide = frozen.astype(np.float64)
            cache[side] = (frozen, wide.T @ wide)
        return cache[side][1].copy()  # the caller adds to it

    def _implicit_confidence(self, values: np.ndarray, side: str = "items") -> np.ndarray:
        """implicit's confidences alpha · value (float64); a profile with no value above 0 is refused, as its
        solve would give a zero vector, and a negative value (a dislike to implicit) too."""
        if (values < 0).any():
            raise ModelError(f"{self.label} folds in as implicit's ALS, which reads a negative value as a dislike; "
                             "this fold-in takes values >= 0 (zeros count as not there)")
        if not (values > 0).any():
            raise ModelError(f"{self.label} reads values as implicit's strengths of interest: give at least one of "
                             f"the {side} a value above 0 (zeros count as not there)")
        return self.alpha * values.astype(np.float64)

    def _fold_in_rows(self, profiles: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """The same solves for every row at once, with the training kernels (rows in parallel): implicit's
        with iALS's, the others with ALS's without biases, on the values less the item biases."""
        from mfviz.kernels.als import als_solve_rows
        from mfviz.kernels.ials import ials_solve_rows

        vectors = np.zeros((profiles.shape[0], self._item_factors.shape[1]), np.float32)
        indptr, indices = profiles.indptr.astype(np.int64), profiles.indices.astype(np.int32)
        if self.fold_in_solve == "implicit-als":
            if (profiles.data < 0).any():
                self._implicit_confidence(profiles.data)  # refused as fold_in refuses it
            profiles = profiles.copy()
            profiles.eliminate_zeros()  # a row left empty gets the zero vector, as in training
            ials_solve_rows(profiles.indptr.astype(np.int64), profiles.indices.astype(np.int32),
                            (self.alpha * profiles.data.astype(np.float64)).astype(np.float32), vectors,
                            self._item_factors, self._gram(self._item_factors, "items"), float(self.regularization),
                            False, 1)
            return vectors, np.zeros(profiles.shape[0], np.float32)
        values = profiles.data.astype(np.float32)
        if self.item_bias is not None:
            values = values - self.item_bias[profiles.indices]
        als_solve_rows(indptr, indices, values.astype(np.float32), vectors, np.zeros(profiles.shape[0], np.float32),
                       self._item_factors, np.zeros(self.n_items, np.float32), float(self.global_mean),
                       float(self.regularization), self.fold_in_solve == "als-wr", False)
        return vectors, np.zeros(profiles.shape[0], np.float32)


ROW_ORDER = ("the ids sorted: numbers ascending, text in character order, as np.unique or pandas' category codes "
             "give them; Interactions.user_ids / item_ids list them")


def _align(rows: np.ndarray, row_ids, wanted_ids, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """`rows` in the order of `wanted_ids` (zero rows for ids without one) and which were found (a bool each)."""
    import pandas as pd

    wanted_ids = np.asarray(wanted_ids)
    if row_ids is None:
        if rows.shape[0] != wanted_ids.size:
            raise ModelError(f"the factors have {rows.shape[0]} {kind} rows but the data has {wanted_ids.size} "
                             f"{kind}s; without {kind} ids the rows must match the data's {kind} indices")
        return rows.copy(), np.ones(wanted_ids.size, bool)
    index = pd.Index(np.asarray(row_ids))
    positions = index.get_indexer(wanted_ids)
    if (positions < 0).all() and wanted_ids.size:
        positions = pd.Index(np.asarray(row_ids).astype(str)).get_indexer(wanted_ids.astype(str))
    out = np.zeros((wanted_ids.size, rows.shape[1]), rows.dtype)
    found = positions >= 0
    out[found] = rows[positions[found]]
    return out, found


def _aligned_bias(bias, row_ids, wanted_ids, kind: str) -> np.ndarray | None:
    """A bias vector's entries in the order of `wanted_ids`, as `_align` orders factor rows (0 where missing)."""
    if bias is None:
        return None
    return _align(bias.reshape(-1, 1), row_ids, wanted_ids, kind)[0].ravel()


def _factor_array(values, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 2 or 0 in array.shape:
        raise ModelError(f"{what} must be a non-empty 2-D array (rows × components), got shape {array.shape}")
    if array.dtype.kind not in "fiu":
        raise ModelError(f"{what} must be numbers, got dtype {array.dtype}")
    array = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(array).all():
        raise ModelError(f"{what} contain NaN or infinite values")
    return array


def _bias(values, n: int, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in "fiu":
        raise ModelError(f"{what} must be numbers, got dtype {array.dtype}")
    array = array.astype(np.float32).ravel()
    if array.size != n:
        raise ModelError(f"{what} has {array.size} entries for {n} rows")
    if not np.isfinite(array).all():
        raise ModelError(f"{what} contains NaN or infinite values")
    return array


def load_factors(source, name: str | None = None, regularization: float | None = None, *, user_ids=None,
                 item_ids=None) -> FactorModel:
    """Read factors trained elsewhere into a FactorModel, whose fold-in solves their objective where known
    (`FactorModel.fold_in_note` says which in a sentence).

    - implicit (benfred/implicit) ALS `model.save(path)` `.npz` (it stores alpha and regularization): fold-in
      is implicit's own solve with those. Any other `.npz` with arrays `user_factors` and `item_factors`
      (optional `item_bias`, `user_bias`): fold-in is a plain ridge regression, an approximation. The file
      holds no ids: row r is the user (item) of index r in the other library, and `aligned_to` takes row r as the
      data's r-th id in mfviz's order (`ROW_ORDER`: sorted ids, which pandas' category codes give, not
      `pd.factorize`'s order of first appearance), with a ModelWarning. Give the ids of the rows to match them by id
      instead: `user_ids` / `item_ids` (one id per row: `pd.factorize(df.user)[1]`, or
      `df.user.astype("category").cat.categories`, as given to implicit), or arrays `user_ids` / `item_ids` in the .npz.
    - a Spark MLlib `ALSModel.save(path)` directory (holding `userFactors/` and `itemFactors/`
      parquet datasets with columns `id`, `features`), or a folder with just those two, or either
      packed in a .zip (how a folder is uploaded in a browser); rows are sorted by id and the ids
      kept in `user_ids` / `item_ids`, so `aligned_to` can match them to the data's ids. Fold-in is
      Spark's ALS-WR solve (λ times the profile's length); Spark does not save regParam, so give it as
      `regularization` (else Spark's default, 0.1).

    `regularization` replaces the λ of fold-in read from the file (or the default).
    """
    given_ids = {"user": user_ids, "item": item_ids}
    if regularization is not None:
        regularization = FactorModel.params["regularization"].check("regularization", regularization)
    path = Path(source) if isinstance(source, str | Path) else None
    if path is not None and path.is_dir():
        return _no_ids_given(_load_spark(path, name or path.name, regularization), given_ids)
    packed = _spark_zip(source, name, regularization)
    if packed is not None:
        return _no_ids_given(packed, given_ids)
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        with np.load(source, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same advice
        raise ModelError(f"{getattr(source, 'name', source)} is not an mfviz model or a factor file: it does not "
                         "read as an .npz archive of plain arrays. Give an mfviz model .npz (Model.save), an .npz "
                         "with user_factors and item_factors arrays (implicit's model.save) or a Spark ALSModel "
                         "folder (or a zip of it) with userFactors/ and itemFactors/.") from exc
    if "meta_json" in arrays:  # a damaged mfviz file must fail as one, not pass for bare factors
        raise ModelError(f"{getattr(source, 'name', source)} is an mfviz model file, not factors trained "
                         "elsewhere; read it with mfviz.models.load_model")
    missing = [key for key in ("user_factors", "item_factors") if key not in arrays]
    if missing:
        raise ModelError(f"{getattr(source, 'name', source)} has no {missing[0]!r} array (it has {sorted(arrays)}); "
                         "give an .npz with user_factors and item_factors arrays (implicit's model.save) or a "
                         "Spark ALSModel folder (zipped, with userFactors/ and itemFactors/ inside)")
    named = path if path is not None else Path(str(getattr(source, "name", ""))) if getattr(source, "name", None) else None
    label = name or (named.stem if named is not None else "external")  # an upload goes by its file's name too
    solve = {}
    if "alpha" in arrays and "regularization" in arrays:  # implicit's ALS writes both (its BPR and LMF no alpha)
        solve = {"fold_in_solve": "implicit-als", "alpha": _stored_number(arrays, "alpha", source),
                 "regularization": _stored_number(arrays, "regularization", source)}
    if regularization is not None:
        solve["regularization"] = regularization
    where = getattr(source, "name", source)
    try:
        ids = {kind: _row_ids(given_ids[kind] if given_ids[kind] is not None else arrays.get(f"{kind}_ids"),
                              arrays[f"{kind}_factors"], kind, given_ids[kind] is not None)
               for kind in ("user", "item")}
        model = FactorModel(arrays["user_factors"], arrays["item_factors"], label,
                            item_bias=arrays.get("item_bias"), user_bias=arrays.get("user_bias"),
                            user_ids=ids["user"], item_ids=ids["item"], **solve)
    except ModelError as exc:  # say which file
        raise ModelError(f"{where}: {exc}") from None
    model.regularization_from = "given" if regularization is not None else "file" if solve else "default"
    return model


def _no_ids_given(model: FactorModel, given_ids: dict) -> FactorModel:
    """A Spark model, refused when ids were given too: its rows carry their own."""
    if any(ids is not None for ids in given_ids.values()):
        raise ModelError(f"{model.label} is a Spark model, whose rows carry their ids; leave out user_ids and item_ids "
                         "(--user-ids, --item-ids)")
    return model


def _row_ids(ids, rows, kind: str, given: bool) -> np.ndarray | None:
    """The ids of a factor file's rows (None: none given), one per row, distinct and present; ModelError otherwise."""
    if ids is None:
        return None
    import pandas as pd

    said = f"the {kind} ids {'given' if given else 'in the file'}"
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ModelError(f"{said} must be a flat list, one per {kind} row, got shape {ids.shape}")
    if ids.dtype.kind not in "iuUSO":
        raise ModelError(f"{said} must be integers or text, got {ids.dtype} values")
    if ids.size != rows.shape[0]:
        raise ModelError(f"{said} are {ids.size:,} but there are {rows.shape[0]:,} {kind} factor rows; give one id "
                         "per row, in the rows' order")
    index = pd.Index(ids)
    if index.hasnans:
        raise ModelError(f"{said} have a missing id; give one id per row")
    if not index.is_unique:
        repeated = index[index.duplicated()][0]
        repeated = repeated.item() if isinstance(repeated, np.generic) else repeated
        raise ModelError(f"{said} repeat id {repeated!r}: each {kind} row needs an id of its own")
    return ids


def _stored_number(arrays: dict, key: str, source) -> float:
    """A hyperparameter stored in a factor file as a 0-d array, as a float; ModelError when it is none."""
    value = arrays[key]
    if value.size != 1 or value.dtype.kind not in "fiu":
        raise ModelError(f"{getattr(source, 'name', source)}: its {key} array is {value!r}, not one number")
    return float(value.ravel()[0])


def _spark_zip(source, name: str | None, regularization: float | None = None) -> FactorModel | None:
    """The Spark ALSModel folder packed in the zip `source`, or None when `source` is no zip with a
    userFactors/ folder (an .npz is a zip too, of .npy files)."""
    import tempfile
    import zipfile

    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, TypeError, ValueError):
        return None
    with archive:
        # Finder's zips add __MACOSX/ copies of every file's attributes; they are no data
        names = [n for n in archive.namelist() if not n.startswith("__MACOSX/")]
        roots = {n.split("userFactors/")[0] for n in names if "userFactors/" in n}
        if not roots:
            return None
        if len(roots) > 1:
            raise ModelError(f"the zip holds {len(roots)} userFactors/ folders ({', '.join(sorted(roots))}); "
                             "zip one Spark model folder at a time")
        root = roots.pop()
        wanted = [n for n in names if n.startswith(root) and not n.endswith("/")
                  and n[len(root):].split("/")[0] in ("userFactors", "itemFactors")]
        if any(n.startswith("/") or ".." in n.split("/") for n in wanted):
            raise ModelError("the zip has file names outside its own folder (absolute or with '..'); "
                             "zip the Spark model folder again")
        label = name or Path(root.rstrip("/")).name or Path(str(getattr(source, "name", "spark"))).stem
        with tempfile.TemporaryDirectory() as folder:
            archive.extractall(folder, members=wanted)
            return _load_spark(Path(folder) / root, label, regularization)


def _load_spark(folder: Path, name: str, regularization: float | None = None) -> FactorModel:
    import pandas as pd

    def read(part: str):
        candidates = [folder / part, folder / "data" / part]
        for candidate in candidates:
            if candidate.exists():
                try:
                    frame = pd.read_parquet(candidate)
                except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged part
                    exc = str(exc).replace(str(folder), name)  # not the temporary folder of a zip
                    raise ModelError(f"could not read {name}'s {part}/ as parquet ({exc}); give the folder "
                                     "written by Spark's ALSModel.save as it is (zipped whole)") from None
                if not {"id", "features"} <= set(frame.columns):
                    raise ModelError(f"{candidate} has columns {list(frame.columns)}; expected id and features")
                return _spark_rows(frame.sort_values("id", kind="stable"), f"{name}'s {part}/")
        raise ModelError(f"{folder} has no {part}/ parquet data; give the folder written by Spark's ALSModel.save")

    user_ids, user_factors = read("userFactors")
    item_ids, item_factors = read("itemFactors")
    try:
        model = FactorModel(user_factors, item_factors, name, user_ids=user_ids, item_ids=item_ids,
                            fold_in_solve="als-wr", regularization=0.1 if regularization is None else regularization)
    except ModelError as exc:  # say which model
        raise ModelError(f"Spark model {name}: {exc}") from None
    model.regularization_from = "default" if regularization is None else "given"
    return model


def _spark_rows(frame, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(ids, factor rows) of one Spark factors table (columns id, features), refused with what is
    wrong when it cannot be one model's rows: no rows, missing or repeated ids (rows are matched
    to the data by id), missing features or features of different lengths."""
    advice = "give the folder Spark's ALSModel.save wrote, unchanged"

    def shown(value) -> str:
        return repr(value.item() if isinstance(value, np.generic) else value)

    if frame.empty:
        raise ModelError(f"{where} has no rows; {advice}")
    ids = frame["id"]
    if ids.isna().any():
        raise ModelError(f"{where} has {int(ids.isna().sum()):,} rows without an id; {advice}")
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise ModelError(f"{where} has {len(repeated):,} repeated ids (first: {shown(repeated.iloc[0])}); each id "
                         f"must have one factor row; {advice}")
    vectors = list(frame["features"])
    lengths = np.array([-1 if v is None else len(v) for v in vectors])
    if (lengths < 0).any():
        raise ModelError(f"{where}: the row with id {shown(ids.iloc[int(np.argmax(lengths < 0))])} has no features "
                         f"(null); {advice}")
    if (lengths != lengths[0]).any():
        other = int(np.argmax(lengths != lengths[0]))
        raise ModelError(f"{where}: feature vectors differ in length ({lengths[0]} for id {shown(ids.iloc[0])}, "
                         f"{lengths[other]} for id {shown(ids.iloc[other])}); all must come from one model; {advice}")
    try:
        rows = np.array([np.asarray(v, np.float32) for v in vectors])
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{where}: features must be numbers ({exc}); {advice}") from None
    return ids.to_numpy(), rows
