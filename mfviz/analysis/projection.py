"""2-D/3-D maps of factor vectors (UMAP on the hnswlib kNN graph, or PCA), cached, with a trust score."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Projection:
    """Coordinates of a projection and how it was made."""

    coords: np.ndarray
    method: str
    params: dict
    seconds: float
    cached: bool


def project(vectors, method: str = "umap", n_components: int = 2, *, n_neighbors: int = 15,
            min_dist: float = 0.1, seed: int = 0, cache_dir=None) -> Projection:
    raise NotImplementedError


def projection_table(coords, items=None, popularity=None, norms=None, titles=None):
    raise NotImplementedError


def neighbourhood_preservation(vectors, coords, k: int = 10, sample: int = 1000, seed: int = 0) -> float:
    raise NotImplementedError


def warm_up() -> None:
    return None
