"""Truncated SVD (placeholder: being implemented)."""

from mfviz.models.base import Model


class TruncatedSVD(Model):
    name = "svd"
    label = "Truncated SVD"
