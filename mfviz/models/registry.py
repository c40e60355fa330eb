"""The model registry: short name → class, in the order the dashboard lists them; and a tiny fit that compiles a
kind's numba kernels before a fit that is timed."""

import time

import numpy as np
import scipy.sparse as sp

from mfviz.models.als import ALS
from mfviz.models.base import Model
from mfviz.models.funk import FunkSVD
from mfviz.models.ials import ImplicitALS
from mfviz.models.popularity import Popularity
from mfviz.models.svd import TruncatedSVD
from mfviz.models.svdpp import SVDpp

MODELS: dict[str, type[Model]] = {
    cls.name: cls for cls in (TruncatedSVD, FunkSVD, SVDpp, ALS, ImplicitALS, Popularity)
}


def get_model_class(name: str) -> type[Model]:
    """The class registered under `name` (case-insensitive); ModelError listing the names."""
    from mfviz.errors import ModelError

    key = name.lower().replace("-", "").replace("_", "")
    aliases = {"truncatedsvd": "svd", "puresvd": "svd", "implicitals": "ials", "svd++": "svdpp",
               "funk": "funksvd", "pop": "popularity"}
    key = aliases.get(key, key)
    if key not in MODELS:
        raise ModelError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
    return MODELS[key]


def compile_matrix() -> sp.csr_matrix:
    """The tiny matrix `compile_first` fits: 172 ratings 1-5 of 40 users × 30 items, every row and column with some."""
    cells = np.arange(0, 40 * 30, 7)
    return sp.csr_matrix(((cells % 5 + 1).astype(np.float32), (cells // 30, cells % 30)), shape=(40, 30))


def compile_settings(kind: str, params: dict) -> dict:
    """The hyperparameters of `compile_first`'s fit: these, but 2 factors and 1 epoch, and a validation share the tiny
    matrix can hold out (early stopping needs 50 ratings: 0.1 of 172 was refused, and the fit then paid the compile)."""
    own = getattr(MODELS.get(kind), "params", {})
    small = dict(params) | {name: value for name, value in (("factors", 2), ("epochs", 1)) if name in own}
    if float(small.get("validation_fraction") or 0) > 0:
        small["validation_fraction"] = 0.5
    return small


def compile_first(kind: str, params: dict) -> float:
    """Fit a model of `kind` with these hyperparameters (`compile_settings`) on a tiny matrix, so that the fit that
    follows finds its numba kernels compiled, or loaded from numba's disk cache: its fit time then measures fitting
    only. The first fit of a kind in a process paid for them: with numba's cache empty, the quick default's implicit
    ALS (32 factors, 8 epochs) read 4.85 s of fitting on the demo and 4.70 s on MovieLens 100K, where a second fit
    takes 0.14-0.15 s. The other hyperparameters are kept: they choose the kernels (the solver, parallel, biases).
    Best effort: a setting the tiny matrix cannot take leaves the compile to the fit. Returns its seconds."""
    started = time.perf_counter()
    try:
        MODELS[kind](**compile_settings(kind, params)).fit(compile_matrix())
    except Exception:  # noqa: BLE001 - an optimisation only: the fit itself says what is wrong with its settings
        pass
    return time.perf_counter() - started
