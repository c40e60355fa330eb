"""Every numba kernel releases the GIL while it runs: the dashboard trains in a thread, and a kernel
holding the GIL froze every other session's page and the server's event loop for the whole call (a
Funk SVD epoch on 2M ratings: the main thread waited up to 201 ms; with nogil, 5 ms)."""

import importlib
import pkgutil

import numba.core.registry

import mfviz.kernels


def test_every_kernel_is_compiled_with_nogil():
    kernels = {}
    for module in pkgutil.iter_modules(mfviz.kernels.__path__):
        loaded = importlib.import_module(f"mfviz.kernels.{module.name}")
        kernels.update({f"{module.name}.{name}": value for name, value in vars(loaded).items()
                        if isinstance(value, numba.core.registry.CPUDispatcher)
                        and value.py_func.__module__ == loaded.__name__})
    assert len(kernels) >= 40, sorted(kernels)  # every module's kernels were found
    holding = sorted(name for name, kernel in kernels.items() if not kernel.targetoptions.get("nogil"))
    assert not holding, holding
