"""mfviz: train classic matrix-factorization recommenders and see what they learned."""

from mfviz.data.interactions import Interactions
from mfviz.data.loaders import load_interactions
from mfviz.errors import DataError, ModelError, ModelWarning

__version__ = "0.1.0"
__all__ = ["DataError", "Interactions", "ModelError", "ModelWarning", "load_interactions", "__version__"]
