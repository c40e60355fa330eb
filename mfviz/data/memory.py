"""Memory while loading: arrays that grow in place, freed pages given back, files too large refused up front."""

from __future__ import annotations

import ctypes
import ctypes.util
import os

import numpy as np
import pyarrow as pa

from mfviz.errors import DataError


def _stream_pool() -> pa.MemoryPool:
    """A pool for streamed chunks that hands freed memory straight back: Arrow's default pool
    (mimalloc) and the C allocator's per-thread arenas keep tens of MB of freed chunks."""
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
        return pool
    except (NotImplementedError, AttributeError, pa.ArrowException):
        return pa.system_memory_pool()


STREAM_POOL = _stream_pool()

try:  # glibc only; elsewhere these are no-ops
    _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _LIBC.malloc_trim, _LIBC.mallopt  # noqa: B018 - both must exist
except (OSError, AttributeError, TypeError):
    _LIBC = None
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 1 << 18


def release_freed_memory() -> None:
    """Return the C heap's and the streaming pool's free pages to the system."""
    STREAM_POOL.release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def map_large_blocks() -> None:
    """Have the C allocator serve blocks >= 256 KiB from their own mappings, returned to the
    system on free. glibc otherwise raises that threshold after the first large free, and the
    batch buffers then pile up in the heap (about 30 MB at 5M rows). Process-wide, and as
    glibc's own starting default (128 KiB) intends."""
    if _LIBC is not None:
        _LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


class GrowingArray:
    """An append-only NumPy array that grows in place (realloc, which moves pages rather than
    copying them), so that growing never holds two copies; pages reserved but not yet written
    cost no memory. It grows by one batch at a time because NumPy zero-fills (touches) what
    `resize` adds: a geometric margin would cost memory that may never be used."""

    def __init__(self, dtype, capacity: int = 0) -> None:
        self._data = np.empty(max(int(capacity), 1024), dtype)
        self.size = 0

    def append(self, values: np.ndarray) -> None:
        end = self.size + len(values)
        if end > len(self._data):
            self._data.resize(end + len(values), refcheck=False)
        self._data[self.size:end] = values
        self.size = end

    def filled(self) -> np.ndarray:
        """The filled part, to change in place."""
        return self._data[:self.size]

    def keep_only(self, mask: np.ndarray) -> None:
        """Keep the filled entries where `mask` is True, in order, in place."""
        data = self.filled()
        kept = data[mask]
        data[:len(kept)] = kept
        self.size = len(kept)

    def widen(self, dtype, offset: int) -> None:
        """Store as `dtype` from now on, adding `offset` to what is stored (one copy)."""
        data = np.empty(max(len(self._data), 1024), dtype)
        data[:self.size] = self._data[:self.size]
        data[:self.size] += offset
        self._data = data

    @property
    def dtype(self):
        return self._data.dtype

    def take(self) -> np.ndarray:
        """The filled part (the array gives up its spare room and is not used again)."""
        data, self._data = self._data, np.empty(0, self._data.dtype)
        data.resize(self.size, refcheck=False)
        return data


# Peak bytes per interaction while loading: about 25 measured by benchmarks/bench_load.py
# (5M rows, integer ids, timestamps), with a margin for text ids (each distinct text id is a
# Python string); used to refuse files that cannot fit in memory.
PEAK_BYTES_PER_ROW = 48
# Shortest plausible line ("1,2,5,881250949" is 15 bytes), for row estimates from compressed sizes.
ASSUMED_LINE_BYTES = 16


def _size(count: float) -> str:
    """A number of bytes in the unit that keeps a digit before the point (a 1,000-byte limit read "0.0 GiB")."""
    for unit, power in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 2**power:
            return f"{count / 2**power:.1f} {unit}"
    return f"{count:,.0f} bytes"


def check_fits_in_memory(name: str, estimated_rows: int, basis: str, max_memory: int | None) -> None:
    """DataError when `estimated_rows` (estimated from `basis`) would need more than `max_memory` bytes
    (None: the memory available now) to load."""
    available = max_memory if max_memory is not None else _available_memory()
    if available is None:
        return
    needed = estimated_rows * PEAK_BYTES_PER_ROW
    if needed > available:
        raise DataError(
            f"{name}: about {estimated_rows:,} rows (estimated from {basis}) would need about "
            f"{_size(needed)} to load, but only {_size(available)} of memory is "
            "available. Load a sample of the file (e.g. the first rows, or one user partition) "
            "and thin it further with mfviz.data.prepare.sample_users, or pass check_memory=False "
            "to try anyway."
        )


def _available_memory() -> int | None:
    """MemAvailable from /proc/meminfo in bytes, else the free physical memory (None where neither is known)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
