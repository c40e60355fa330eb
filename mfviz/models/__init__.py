"""Matrix-factorization models over one shared base class, with a registry and save/load."""

from mfviz.models.als import ALS
from mfviz.models.base import Model, Param
from mfviz.models.files import load_model
from mfviz.models.funk import FunkSVD
from mfviz.models.ials import ImplicitALS
from mfviz.models.popularity import Popularity
from mfviz.models.registry import MODELS, get_model_class
from mfviz.models.svd import TruncatedSVD
from mfviz.models.svdpp import SVDpp

__all__ = ["ALS", "MODELS", "FunkSVD", "ImplicitALS", "Model", "Param", "Popularity", "SVDpp",
           "TruncatedSVD", "get_model_class", "load_model"]
