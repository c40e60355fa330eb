"""Singular value spectra of the interaction matrix and of a model's score matrix P Qᵀ."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spectrum:
    """Top singular values of a matrix and their cumulative share of its squared Frobenius norm."""

    singular_values: np.ndarray
    cumulative_energy: np.ndarray
    total_energy: float
    k_for: dict
    effective_rank: float


def data_spectrum(matrix, k: int = 100) -> Spectrum:
    raise NotImplementedError("data_spectrum is being written")


def model_spectrum(user_factors, item_factors) -> np.ndarray:
    raise NotImplementedError("model_spectrum is being written")
