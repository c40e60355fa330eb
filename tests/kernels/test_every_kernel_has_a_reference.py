"""Every public numba kernel has a slow NumPy `<name>_reference` beside it in its module, and some
test compares the two (the README promises both)."""

import importlib
import pkgutil
from pathlib import Path

import numba.core.registry

import mfviz.kernels

TESTS = Path(__file__).resolve().parents[1]


def public_kernels():
    found = {}
    for module in pkgutil.iter_modules(mfviz.kernels.__path__):
        loaded = importlib.import_module(f"mfviz.kernels.{module.name}")
        found.update({(loaded, name): value for name, value in vars(loaded).items()
                      if isinstance(value, numba.core.registry.CPUDispatcher) and not name.startswith("_")
                      and value.py_func.__module__ == loaded.__name__})
    return found


def test_every_public_kernel_has_a_numpy_reference_that_a_test_uses():
    kernels = public_kernels()
    assert len(kernels) >= 30, sorted(name for _, name in kernels)  # every module was searched
    missing = sorted(f"{module.__name__}.{name}" for module, name in kernels if
                     not callable(getattr(module, f"{name}_reference", None)))
    assert not missing, f"kernels without a NumPy reference: {missing}"
    jitted = sorted(f"{module.__name__}.{name}_reference" for module, name in kernels
                    if isinstance(getattr(module, f"{name}_reference"), numba.core.registry.CPUDispatcher))
    assert not jitted, f"references must be plain NumPy, not numba: {jitted}"
    tests = "\n".join(path.read_text(encoding="utf-8") for path in TESTS.rglob("test_*.py"))
    unused = sorted(f"{name}_reference" for _, name in kernels if f"{name}_reference(" not in tests)
    assert not unused, f"references no test calls: {unused}"
