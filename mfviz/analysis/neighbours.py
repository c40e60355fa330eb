"""Item neighbours by cosine and by dot product: exact search, an hnswlib index, comparisons."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


def exact_search(queries, vectors, k, metric="cosine", exclude_self_ids=None):
    raise NotImplementedError


class NeighbourIndex:
    """Approximate (hnswlib) or exact top-k search over vectors by cosine or dot product."""

    def __init__(self, vectors, metric="cosine", *, M=16, ef_construction=200, ef=64, threads=2,
                 exact_below=20_000, seed=0):
        raise NotImplementedError


@dataclass(frozen=True)
class NeighbourComparison:
    """An item's top-k by cosine and by dot product, side by side."""

    item: int
    cosine: pd.DataFrame
    dot: pd.DataFrame
    overlap: int
    jaccard: float
    mean_popularity_cosine: float
    mean_popularity_dot: float


def compare_neighbours(item_factors, item, k=10, popularity=None, titles=None):
    raise NotImplementedError


def neighbour_popularity_summary(item_factors, popularity, k=10, sample=2000, seed=0):
    raise NotImplementedError
