"""mfviz: train classic matrix-factorization recommenders and see what they learned."""

import importlib

from mfviz.data.interactions import Interactions
from mfviz.data.loaders import load_interactions
from mfviz.errors import DataError, ModelError, ModelWarning

__version__ = "0.1.0"
__all__ = ["DataError", "Interactions", "ModelError", "ModelWarning", "load_interactions", "__version__"]

# `import mfviz; mfviz.datasets.load_demo()` works as in scikit-learn, and the subpackages are imported on first
# use (models and analysis bring UMAP, hnswlib and compiled kernels: seconds that `import mfviz` alone should not cost)
_SUBPACKAGES = ("analysis", "datasets", "evaluation", "models")


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"mfviz.{name}")
    raise AttributeError(f"module 'mfviz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBPACKAGES])
