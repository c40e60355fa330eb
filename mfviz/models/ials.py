"""Implicit ALS (placeholder: being implemented)."""

from mfviz.models.base import Model


class ImplicitALS(Model):
    name = "ials"
    label = "Implicit ALS"
