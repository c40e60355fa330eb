"""The model registry: short name → class, in the order the dashboard lists them."""

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
