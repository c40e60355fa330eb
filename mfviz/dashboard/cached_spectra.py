"""Cached spectra: of the data (as loaded or rescaled), of the shuffled data, of a model's factors."""

from __future__ import annotations

import numpy as np
import streamlit as st

import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call
from mfviz.dashboard.waiting import waited


@st.cache_data(show_spinner=False, max_entries=8)
def value_concentration(data_key: str, _interactions):
    """heavy_values.concentration of the data's values as loaded (a partition of every stored value)."""
    from mfviz.analysis.heavy_values import concentration

    return concentration(_interactions)


@waited("spectrum", lambda data_key, matrix, k, scale="loaded": f"Computing the data's {int(k)} largest singular values "
        f"({matrix.nnz:,} interactions)", lambda data_key, matrix, k, scale="loaded": matrix.nnz * int(k), 2.7e-8)
@st.cache_data(show_spinner="Computing the spectrum of the data…", max_entries=8)
def data_spectrum(data_key: str, _matrix, k: int, scale: str = "loaded"):
    """The spectrum of the data with its values on `scale` (heavy_values.SCALES)."""
    from mfviz import analysis
    from mfviz.analysis.heavy_values import scaled

    return analysis.data_spectrum(scaled(_matrix, scale), k=k)


@waited("null spectrum", lambda data_key, matrix, k, scale="loaded": f"Shuffling the items of {matrix.nnz:,} "
        f"interactions and computing {int(k)} singular values", lambda data_key, matrix, k, scale="loaded":
        matrix.nnz * int(k), 4e-8)
@st.cache_data(show_spinner="Computing the spectrum of the shuffled data…", max_entries=8)
def null_spectrum(data_key: str, _matrix, k: int, scale: str = "loaded"):
    """The spectrum of the shuffled data with its values on `scale` (the shuffle keeps every value, so scaling
    before or after it is the same)."""
    from mfviz.analysis.heavy_values import scaled
    from mfviz.analysis.spectrum import null_spectrum

    return null_spectrum(scaled(_matrix, scale), k=k)


@st.cache_data(show_spinner=False, max_entries=32)
def model_spectrum(model_key: str, _model) -> np.ndarray:
    from mfviz import analysis

    return np.asarray(analysis.model_spectrum(_model.user_factors, _model.item_factors))
