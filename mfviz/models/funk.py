"""Funk SVD (placeholder: being implemented)."""

from mfviz.models.base import Model


class FunkSVD(Model):
    name = "funksvd"
    label = "Funk SVD"
