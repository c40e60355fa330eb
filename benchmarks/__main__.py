"""Run benchmark modules (benchmarks/bench_*.py), print their tables and rebuild BENCHMARKS.md.

Each module has `run() -> str` returning a Markdown section. The section is written to
benchmarks/results/NAME.md; BENCHMARKS.md is the header below plus every stored section, so a
single benchmark can be rerun without repeating the others.

    python -m benchmarks            # all
    python -m benchmarks ials svd   # only bench_ials.py and bench_svd.py
    python -m benchmarks --collect  # rebuild BENCHMARKS.md from the stored sections only
"""

import importlib
import os
import platform
import sys
from pathlib import Path

# Two threads everywhere, as the protocol says; set before numpy/numba are imported.
for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "2")

HERE = Path(__file__).parent
RESULTS = HERE / "results"
HEADER = """# Benchmarks

Measured on this project's 2-core, 24 GiB machine, 2 threads for every library, interleaved runs,
medians. Ratios are mfviz time / peer time in the same run (below 1.0 means mfviz is faster).
Reproduce everything with `make bench` (installs the `bench` extra, then `python -m benchmarks`),
or one section with `python -m benchmarks NAME`. Each section states its own command and data.
"""


def main(argv: list[str]) -> int:
    if argv == ["--collect"]:
        names = []
    else:
        names = argv or sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    RESULTS.mkdir(exist_ok=True)
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"== {name} ==", flush=True)
        section = module.run()
        print(section, flush=True)
        (RESULTS / f"{name}.md").write_text(section.strip() + "\n")
    machine = f"\nPython {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores.\n"
    sections = [p.read_text() for p in sorted(RESULTS.glob("*.md"))]
    (HERE.parent / "BENCHMARKS.md").write_text(HEADER + machine + "\n" + "\n".join(sections))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
