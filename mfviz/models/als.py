"""ALS (placeholder: being implemented)."""

from mfviz.models.base import Model


class ALS(Model):
    name = "als"
    label = "ALS"
