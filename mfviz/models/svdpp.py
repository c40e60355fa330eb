"""SVD++ (placeholder: being implemented)."""

from mfviz.models.base import Model


class SVDpp(Model):
    name = "svdpp"
    label = "SVD++"
