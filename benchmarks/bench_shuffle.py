"""Spectrum's shuffle (the null model "Compare with items shuffled") on a heavy click log: σ₁ of the data against σ₁ of
its shuffle, the values kept, and the shuffle's time."""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
import scipy.sparse as sp

from benchmarks.bench_ials_confidence import summed_duplicates
from benchmarks.common import table

COMMAND = "NUMBA_NUM_THREADS=2 .venv/bin/python -m benchmarks shuffle"


def run() -> str:
    from mfviz.analysis.heavy_values import scaled
    from mfviz.analysis.spectrum import data_spectrum, shuffled

    frame = summed_duplicates()
    matrix = scaled(sp.csr_matrix((frame["clicks"].to_numpy(np.float64), (frame["user"], frame["item"])),
                                  shape=(60_000, 20_000)), "log")
    shuffled(matrix[:200])  # numba's compiled kernels loaded (or compiled) before the clock starts
    seconds, out = [], None
    for _ in range(3):
        start = time.perf_counter()
        out = shuffled(matrix, seed=0)
        seconds.append(time.perf_counter() - start)
    data, null = data_spectrum(matrix, k=5).singular_values, data_spectrum(out, k=5).singular_values
    same = bool(np.array_equal(np.sort(out.data), np.sort(matrix.data)))
    rows = [["the data", f"{matrix.nnz:,}", "", f"{data[0]:.1f}", f"{data[1]:.1f}", ""],
            ["its shuffle", f"{out.nnz:,}", "yes" if same else "no", f"{null[0]:.1f}", f"{null[1]:.1f}",
             f"{statistics.median(seconds):.2f}"]]
    return f"""## Spectrum's shuffle on a heavy click log

`{COMMAND}`. The review's 1.5M-row click log (users and items drawn independently, Zipf 1.3 and 1.2; clicks
geometric(0.4), duplicate rows summed: `bench_ials_confidence.summed_duplicates`) in log(1 + value), as the Spectrum
page opens such data. The shuffle keeps every user's count and values and every item's count; its time is the median
of 3 runs. Before the shuffle resolved every clash by allowed swaps, it summed the values of the clashes it left:
26k of 302k entries merged, σ₁ 1,293 against the data's 586 (commit 0ff49a0). Load average at the end (1/5/15 min):
{" / ".join(f"{load:.2f}" for load in os.getloadavg())}: the machine was shared, so the time is an upper bound.

{table(["matrix", "entries", "same values", "σ₁", "σ₂", "shuffle s"], rows)}
"""
