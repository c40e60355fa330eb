"""While a model trains in a thread (as the dashboard trains), how long the other threads wait: the
server's event loop and other sessions' pages need the GIL, which a numba kernel holds unless nogil."""

from __future__ import annotations

import threading
import time

import numpy as np
import scipy.sparse as sp

from benchmarks.common import table
from mfviz.models import ALS, FunkSVD, ImplicitALS, SVDpp

COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks responsiveness"
NAP = 0.005  # seconds the watching thread sleeps between looks at the clock


def ratings(n_users: int = 60_000, n_items: int = 20_000, nnz: int = 2_000_000, seed: int = 0) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    return sp.csr_matrix((rng.integers(1, 6, nnz).astype(np.float32),
                          (rng.integers(0, n_users, nnz), rng.integers(0, n_items, nnz))), shape=(n_users, n_items))


def waits_while_training(make, matrix) -> np.ndarray:
    """Milliseconds the main thread overslept each NAP while `make().fit(matrix)` ran in a thread."""
    done = threading.Event()
    worker = threading.Thread(target=lambda: (make().fit(matrix), done.set()))
    late = []
    worker.start()
    while not done.is_set():
        start = time.perf_counter()
        time.sleep(NAP)
        late.append(time.perf_counter() - start - NAP)
    worker.join()
    return np.asarray(late) * 1000


def holding_the_gil(matrix) -> np.ndarray:
    """The same measurement for Funk SVD with its epoch kernel compiled without nogil, as before."""
    import numba

    import mfviz.models.funk as funk

    released = funk.funk_sgd_epoch_by_user
    funk.funk_sgd_epoch_by_user = numba.njit(released.py_func)  # same code, GIL held for the whole epoch
    try:
        FunkSVD(epochs=1, random_state=0).fit(matrix)
        return waits_while_training(lambda: FunkSVD(epochs=3, random_state=0), matrix)
    finally:
        funk.funk_sgd_epoch_by_user = released


def run() -> str:
    matrix = ratings()
    models = {"Funk SVD (100 factors)": lambda epochs: FunkSVD(epochs=epochs, random_state=0),
              "SVD++ (20 factors)": lambda epochs: SVDpp(epochs=epochs, random_state=0),
              "ALS (32 factors)": lambda epochs: ALS(epochs=epochs, random_state=0),
              "implicit ALS (64 factors)": lambda epochs: ImplicitALS(epochs=epochs, random_state=0)}
    rows = []
    for name, make in models.items():
        make(1).fit(matrix)  # compiled before the clock
        late = waits_while_training(lambda make=make: make(3), matrix)
        rows.append([name, len(late), round(float(np.median(late)), 1), round(float(np.percentile(late, 99)), 1),
                     round(float(late.max()), 1)])
    late = holding_the_gil(matrix)
    rows.append(["Funk SVD, epoch kernel without nogil (before)", len(late), round(float(np.median(late)), 1),
                 round(float(np.percentile(late, 99)), 1), round(float(late.max()), 1)])
    return (f"## Responsiveness while a model trains\n\nCommand: `{COMMAND}`. A model trains for 3 epochs in a "
            f"thread (as the dashboard's Train page runs it) on generated ratings ({matrix.shape[0]:,} users × "
            f"{matrix.shape[1]:,} items, {matrix.nnz:,} ratings) while the main thread sleeps {NAP * 1000:g} ms "
            "again and again; the table gives how much longer each sleep took (the thread waiting for the GIL, "
            "as the server's event loop and other sessions' pages would). Every kernel is compiled with "
            "`nogil=True`; the last row compiles Funk SVD's epoch kernel without it, as it was: the main thread "
            "then waits for whole epochs.\n\n"
            + table(["model", "wake-ups", "median extra ms", "p99 extra ms", "max extra ms"], rows) + "\n")
