"""Numba kernels over arrays and scalars only (no objects, no validation), each beside its slow NumPy `*_reference`."""
