"""Loading speed and peak memory: a generated 5M-row `user,item,rating,timestamp` CSV through load_interactions.

Each load runs in a fresh process (so one run's freed memory cannot hide the next run's peak):
the process imports everything and warms the numba kernels on a tiny file, resets the kernel's
peak-RSS counter (/proc/self/clear_refs), loads, and reports wall time and peak RSS above the
baseline. The peer is the usual hand-written path: pandas.read_csv(engine="pyarrow"),
pd.factorize of both id columns, scipy COO -> CSR (duplicates summed).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import table

N_ROWS = 5_000_000
N_USERS = 150_000
N_ITEMS = 30_000
REPEATS = 3
ROOT = Path(__file__).resolve().parents[1]


def write_csv(path: Path, n_rows: int = N_ROWS, seed: int = 0) -> None:
    """user,item,rating,timestamp with power-law item popularity and half-star ratings."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    users = rng.integers(1, N_USERS + 1, n_rows)
    items = (N_ITEMS * rng.random(n_rows) ** 3).astype(np.int64) + 1  # popular low ids
    ratings = rng.integers(1, 11, n_rows) / 2
    stamps = rng.integers(1_000_000_000, 1_700_000_000, n_rows)
    pacsv.write_csv(pa.table({"user": users, "item": items, "rating": ratings, "timestamp": stamps}),
                    str(path))


def _rss(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def _child(path: str, contender: str) -> None:
    """Run in a fresh interpreter: one timed load, printed as JSON."""
    import pandas as pd
    import scipy.sparse as sp

    import mfviz

    warm = Path(path).with_name("warm.csv")
    mfviz.load_interactions(warm)  # compile/load the numba caches outside the measurement

    def peer():
        frame = pd.read_csv(path, engine="pyarrow")
        rows, _ = pd.factorize(frame["user"], sort=True)
        cols, item_ids = pd.factorize(frame["item"], sort=True)
        matrix = sp.csr_matrix((frame["rating"].to_numpy(np.float32), (rows, cols)),
                               shape=(rows.max() + 1, len(item_ids)))
        matrix.sum_duplicates()
        return matrix, None

    def ours():
        loaded = mfviz.load_interactions(path)
        return loaded.matrix, loaded.timestamps

    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset VmHWM (peak RSS) to the current RSS
    base = _rss("VmRSS")
    start, cpu_start = time.perf_counter(), time.process_time()
    matrix, stamps = ours() if contender == "mfviz" else peer()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak = _rss("VmHWM") - base
    csr = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak": peak, "load": os.getloadavg()[0], "csr": csr, "nnz": int(matrix.nnz),
                      "stamps": 0 if stamps is None else int(stamps.nbytes)}))


def _run_child(path: Path, contender: str) -> dict:
    env = dict(os.environ, NUMBA_NUM_THREADS="2", OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="1")
    code = f"from benchmarks.bench_load import _child; _child({str(path)!r}, {contender!r})"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ratings_5m.csv"
        write_csv(path)
        write_csv(Path(tmp) / "warm.csv", 1000, seed=1)
        size = path.stat().st_size
        results: dict[str, list[dict]] = {"mfviz": [], "peer": []}
        for _ in range(REPEATS):  # interleaved
            for contender in results:
                results[contender].append(_run_child(path, contender))
    med = {c: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for c, runs in results.items()}
    ours, peer = med["mfviz"], med["peer"]
    rows = []
    for name, m in (("mfviz.load_interactions", ours), ("peer: pandas(pyarrow) + factorize + scipy CSR", peer)):
        rows.append([name, f"{m['seconds']:.2f}", f"{N_ROWS / m['seconds'] / 1e6:.2f}", f"{m['cpu']:.2f}",
                     f"{N_ROWS / m['cpu'] / 1e6:.2f}", f"{m['peak'] / 2**20:.0f}",
                     f"{m['peak'] / m['csr']:.2f}",
                     f"{m['peak'] / (m['csr'] + m['stamps']):.2f}" if m["stamps"] else "– (no timestamps)"])
    csr, stamps = ours["csr"], ours["stamps"]
    return f"""## Loading a 5M-row CSV (`python -m benchmarks load`)

Generated `user,item,rating,timestamp` CSV, {N_ROWS:,} rows ({size / 2**20:.0f} MiB), {N_USERS:,} users,
{N_ITEMS:,} items with power-law popularity; each load in a fresh process with warm numba caches,
peak = peak RSS above the process's RSS just before the load (Linux VmHWM after clear_refs).
Medians of {REPEATS} interleaved runs, 2 threads, on the shared 2-core machine: the 1-minute load
average at the end of the mfviz runs was {ours['load']:.1f} (2.0 = both cores busy), so wall times
are inflated by teammates' jobs; CPU seconds (both threads) are much less sensitive to that.

"Final CSR size" is stated two ways: the CSR alone (data + indices + indptr of `.matrix`,
{csr / 2**20:.0f} MiB) and what the load returns, the CSR plus the int64 timestamp of every stored
interaction ({(csr + stamps) / 2**20:.0f} MiB; the peer keeps no timestamps). mfviz also merges
duplicates by policy and validates every row (errors name file, line, column and value).

{table(["loader", "wall s", "M rows/s (wall)", "CPU s", "M rows per CPU s", "peak MiB",
        "peak / CSR", "peak / (CSR + timestamps)"], rows)}

Time ratio mfviz / peer: {ours['seconds'] / peer['seconds']:.2f} wall, {ours['cpu'] / peer['cpu']:.2f} CPU;
peak memory ratio {ours['peak'] / peer['peak']:.2f}.
Targets of issue 2: >= 2M rows/s and peak < 3x the final CSR. Against them in this run:
{N_ROWS / ours['seconds'] / 1e6:.2f} M rows/s wall ({'met' if N_ROWS / ours['seconds'] >= 2e6 else 'not met'}
at load average {ours['load']:.1f}) and {N_ROWS / ours['cpu'] / 1e6:.2f} M rows per CPU second (parsing runs on
both cores; id coding and the CSR scatter run on one); peak {ours['peak'] / csr:.2f}x the CSR alone
({'met' if ours['peak'] < 3 * csr else 'not met'}) and {ours['peak'] / (csr + stamps):.2f}x the CSR with its
timestamps ({'met' if ours['peak'] < 3 * (csr + stamps) else 'not met'}).

How mfviz gets there: the file is parsed in 2 MiB chunks of whole lines (Arrow's multi-threaded
reader per chunk), each chunk goes straight into compact arrays (int32 user and item codes from
incremental id maps, float32 values, int32 timestamp offsets), and the CSR is built inside those
arrays (counting sort by user, one array scattered at a time, duplicates merged in place); no
DataFrame of the whole file is ever built.
"""


if __name__ == "__main__":
    print(run())
