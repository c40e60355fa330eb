"""Reading a model file written by `Model.save`: every part checked once, at load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from mfviz.errors import ModelError
from mfviz.models.base import FORMAT_VERSION, Model


def load_model(source) -> Model:
    """Read a model written by `Model.save` (path or file-like).

    Every part of the file is checked here, once: a damaged or hand-edited file fails with a
    ModelError saying what is wrong, instead of a traceback or junk scores later."""
    from mfviz.models.external import FactorModel
    from mfviz.models.registry import MODELS

    loadable = {**MODELS, FactorModel.name: FactorModel}  # factors trained elsewhere reload too
    where = _source_name(source)
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            what = "does not exist" if not path.exists() else "is a folder, not a file"
            raise ModelError(f"{where} {what}: give the path of a .npz model file (Model.save, `mfviz train -o` or "
                             "the Train page)")
        with open(path, "rb") as handle:
            start = handle.read(4)
        if start != b"PK\x03\x04":  # every .npz is a zip archive
            raise ModelError(f"{where} is not a model file: an mfviz model is a .npz file (a zip archive of arrays), and "
                             f"this one {'is empty' if not start else 'starts otherwise'}. Use a file written by "
                             "Model.save, `mfviz train -o` or the Train page.")
    try:
        with np.load(source, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same advice
        # NumPy's own words for a file of objects advise loading it "unsafely": never passed on
        why = ("it holds Python objects (pickled data), which mfviz never writes and does not load" if "pickle" in
               str(exc).lower() else "it is not a readable .npz file (damaged, cut short, or of another format)")
        raise ModelError(f"could not read a model file from {where}: {why}. "
                         "Use a .npz file written by mfviz (Model.save or the Train page).") from None
    if "meta_json" not in arrays:
        raise ModelError(f"{where} is no mfviz model file: it has no meta_json metadata (arrays: "
                         f"{', '.join(sorted(arrays)) or 'none'}). Use a .npz file written by mfviz "
                         "(Model.save or the Train page).")
    try:
        return _restore(arrays, loadable)
    except ModelError as exc:
        raise ModelError(f"{where} is not a valid mfviz model file: {exc}. Save the model again "
                         "(Model.save, `mfviz train -o` or the Train page).") from None


def model_bytes(model) -> bytes:
    """The model's file (`Model.save`) as bytes, for a download or a workspace file."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:  # Model.save writes a path
        path = Path(folder) / "model.npz"
        model.save(path)
        return path.read_bytes()


def _source_name(source) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", None) or "the model file")


def stored_array(arrays: dict[str, np.ndarray], key: str, shape: tuple, dtype=None) -> np.ndarray:
    """arrays[key] of a model file as a C-contiguous array of `shape` (None: any size) of finite
    numbers, as `dtype` (None: as stored, integers as float64); ModelError saying what is wrong
    otherwise (the text follows "not a valid mfviz model file: ")."""
    if key not in arrays:
        raise ModelError(f"its {key} array is missing")
    array = arrays[key]
    if array.dtype.kind not in "fiu":
        raise ModelError(f"its {key} array holds {array.dtype} values, not numbers")
    if array.ndim != len(shape):
        raise ModelError(f"its {key} array is {array.ndim}-D (shape {array.shape}), expected {len(shape)}-D")
    if any(n is not None and got != n for got, n in zip(array.shape, shape, strict=True)):
        wanted = ", ".join("any" if n is None else str(n) for n in shape)
        raise ModelError(f"its {key} array has shape {array.shape}, expected ({wanted}{',' * (len(shape) == 1)})")
    if 0 in array.shape:
        raise ModelError(f"its {key} array is empty")
    bad = array.size - int(np.isfinite(array).sum())
    if bad:
        raise ModelError(f"its {key} array holds {bad:,} NaN or infinite values")
    if dtype is None:
        dtype = array.dtype if array.dtype.kind == "f" else np.float64
    return np.ascontiguousarray(array, dtype=dtype)


def _number(meta: dict, key: str) -> float:
    if key not in meta:
        raise ModelError(f"its metadata has no {key}")
    value = meta[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ModelError(f"its metadata's {key} is {value!r}, not a finite number")
    return float(value)


def _restore(arrays: dict[str, np.ndarray], loadable: dict[str, type[Model]]) -> Model:
    """The model in a model file's arrays; ModelError with what is wrong (see load_model)."""
    try:
        meta = json.loads(str(arrays.pop("meta_json")))
    except ValueError as exc:
        raise ModelError(f"its metadata is not JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ModelError(f"its metadata is a JSON {type(meta).__name__}, not an object")
    if "format" not in meta:
        raise ModelError("its metadata declares no format version")
    if meta["format"] != FORMAT_VERSION:
        raise ModelError(f"it declares format version {meta['format']!r}; this mfviz reads version "
                         f"{FORMAT_VERSION} (a file from a newer mfviz needs that version)")
    name = meta.get("model")
    if not isinstance(name, str) or name not in loadable:
        raise ModelError(f"unknown model {name!r} in the file; known: {sorted(loadable)}")
    params = meta.get("params")
    if not isinstance(params, dict):
        raise ModelError("its metadata has no params object (the hyperparameters)")
    cls = loadable[name]
    unknown = set(params) - set(cls.params)  # also keeps FactorModel's own arguments out of reach
    if unknown:
        raise ModelError(f"{cls.label} has no hyperparameter {sorted(unknown)[0]!r}")
    try:
        model = cls(**params)
    except ModelError as exc:
        raise ModelError(f"its hyperparameters are invalid: {exc}") from None
    model._fitted_params = model.get_params()  # what the factors were fitted with, as `save` writes it again
    model.global_mean = _number(meta, "global_mean")
    model.fit_seconds = _number(meta, "fit_seconds")
    history = meta.get("history")
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise ModelError("its metadata has no history list (one object per epoch)")
    model.history = history

    users = stored_array(arrays, "user_factors", (None, None), np.float32)
    items = stored_array(arrays, "item_factors", (None, None), np.float32)
    (n_users, width), n_items = users.shape, items.shape[0]
    if items.shape[1] != width:
        raise ModelError(f"its item_factors have {items.shape[1]} columns but its user_factors have {width}; "
                         "both must come from one model")
    if "factors" in model.params and width != model.factors:
        raise ModelError(f"its factor arrays have {width} columns but its hyperparameters say factors={model.factors}")
    model._user_factors, model._item_factors = users, items
    for key, rows in (("user_bias", n_users), ("item_bias", n_items)):
        if key in arrays:
            setattr(model, key, stored_array(arrays, key, (rows,)))
        elif model._has_biases():
            raise ModelError(f"its {key} array is missing ({model.label} with biases)")
    for key, rows in (("user_ids", n_users), ("item_ids", n_items)):
        ids = arrays.get(key)
        if ids is not None and (ids.dtype.kind not in "iuU" or ids.shape != (rows,)):
            raise ModelError(f"its {key} array must hold {rows:,} integers or texts, got {ids.dtype} of shape {ids.shape}")
        setattr(model, key, ids)
    parts = [key for key in ("train_indptr", "train_indices", "train_data") if key in arrays]
    if parts:
        if len(parts) < 3:
            raise ModelError(f"its training matrix is incomplete (only {', '.join(parts)})")
        try:
            matrix = sp.csr_matrix((arrays["train_data"], arrays["train_indices"], arrays["train_indptr"]),
                                   shape=(n_users, n_items))
            matrix.check_format(full_check=True)  # indices in range, indptr ascending: O(nnz), once
        except (ValueError, TypeError) as exc:
            raise ModelError(f"its training matrix does not fit {n_users:,} users × {n_items:,} items ({exc})") from None
        model.train_matrix = matrix
    model._load_extra_state({k[len("extra_"):]: v for k, v in arrays.items() if k.startswith("extra_")})
    return model
