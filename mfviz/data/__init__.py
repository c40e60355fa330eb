"""Interactions in: the container, file loaders with format detection, preparation helpers."""

from mfviz.data.interactions import DataSummary, Interactions, detect_explicit, long_tail_split
from mfviz.data.report import LoadReport

__all__ = ["DataSummary", "Interactions", "LoadReport", "detect_explicit", "long_tail_split"]
