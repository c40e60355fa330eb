"""The dashboard on MovieLens-20M-sized data: a generated 138,000 users × 27,000 items CSV with 20M
ratings served by `mfviz dashboard DATA`, every page opened in headless Chromium (first visit, then a
revisit) once the server has prepared its pages; seconds per page, medians of fresh servers.

MFVIZ_BENCH_CODE=/path/to/another/checkout runs that checkout's `mfviz dashboard` instead (a
before/after comparison on the same file); MFVIZ_BENCH_SMOKE=1 uses 1M ratings."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import table

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ".venv/bin/python -m benchmarks dashboard_large"
SMOKE = os.environ.get("MFVIZ_BENCH_SMOKE") == "1"
USERS, ITEMS, RATINGS = (20_000, 5_000, 1_000_000) if SMOKE else (138_000, 27_000, 20_000_000)
SERVERS = 2  # fresh servers, one walk each
PAGES = ("Train", "Latent space", "Neighbours", "Spectrum", "Popularity bias", "Recommend", "Data")


def write_ratings(path: Path) -> None:
    """Power-law users and items (benchmarks.bench_ials.powerlaw_matrix), half-star ratings and
    timestamps, as MovieLens' ratings.csv has them."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    from benchmarks.bench_ials import powerlaw_matrix

    coo = powerlaw_matrix(USERS, ITEMS, RATINGS, seed=1).tocoo()
    rng = np.random.default_rng(1)
    pa_csv.write_csv(pa.table({"userId": coo.row + 1, "movieId": coo.col + 1,
                               "rating": rng.integers(1, 11, coo.nnz) / 2.0,
                               "timestamp": rng.integers(1_000_000_000, 1_500_000_000, coo.nnz)}), path)


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _wait_idle(pid: int, window: float = 5.0, quiet: int = 2) -> None:
    """Until the server has used under 5% of a core for `quiet` windows in a row: its background
    preparation (quick default model, map, spectrum, ...) is done."""
    calm, before = 0, _cpu_ticks(pid)
    while calm < quiet:
        time.sleep(window)
        now = _cpu_ticks(pid)
        calm = calm + 1 if now - before < 0.05 * window * os.sysconf("SC_CLK_TCK") else 0
        before = now


def _rss_mib(pid: int) -> float:
    line = next(row for row in Path(f"/proc/{pid}/status").read_text().splitlines() if row.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def serve_and_walk(data: Path, code: Path, port: int) -> dict[str, float]:
    """Seconds: server start → data read; → pages prepared; then each page's first visit and revisit."""
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.dashboard import test_browser as browser

    browser.WAIT_MS = 1_800_000
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "mfviz", "dashboard", str(data), "--port", str(port),
                               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                              cwd=code, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    times: dict[str, float] = {}
    try:
        while "preloaded in" not in Path(log.name).read_text():
            if server.poll() is not None:
                raise RuntimeError(Path(log.name).read_text())
            time.sleep(0.5)
        times["server start → data read, first page servable"] = time.perf_counter() - started
        _wait_idle(server.pid)
        times["server start → every page prepared"] = time.perf_counter() - started
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=browser.CHROMIUM, args=browser.FLAGS)
            page = chromium.new_page(viewport={"width": 1400, "height": 1500})
            clock = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}")
            browser.settle(page)
            times["first page (Data)"] = time.perf_counter() - clock
            for visit in ("first visit", "revisit"):
                for title in PAGES:
                    times[f"{title}, {visit}"] = browser.open_page(page, title)
                    if browser.exceptions(page) or browser.errors(page):
                        raise RuntimeError(f"{title}: {browser.exceptions(page)} {browser.errors(page)}")
            chromium.close()
        times["server memory after the walk (MiB)"] = _rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return times


def run() -> str:
    code = Path(os.environ.get("MFVIZ_BENCH_CODE", ROOT))
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "ratings.csv"
        write_ratings(data)
        walks = [serve_and_walk(data, code, 8700 + n) for n in range(SERVERS)]
    load = os.getloadavg()
    rows = [[step, round(statistics.median(w[step] for w in walks), 2),
             " / ".join(f"{w[step]:.2f}" for w in walks)] for step in walks[0]]
    return f"""## The dashboard on 20M ratings (`mfviz dashboard DATA`, headless Chromium)

`{COMMAND}` (needs Chromium; `MFVIZ_BENCH_CODE=DIR` runs another checkout on the same file). A generated
MovieLens-20M-sized `ratings.csv`: {USERS:,} users × {ITEMS:,} items, {RATINGS:,} ratings (power-law users
and items, half stars, timestamps: `write_ratings`). `mfviz dashboard ratings.csv`
reads it before the server starts, then prepares every page's analyses (the quick default implicit ALS,
its map, spectrum, neighbours, dimensions, popularity report); once the server is idle, Chromium opens
every page, then every page again. {SERVERS} fresh servers, median (each run), seconds; load average at the
end {load[0]:.2f}. Code: {code.name if code != ROOT else "this checkout"}.

{table(["step", "median", "runs"], rows)}
"""
