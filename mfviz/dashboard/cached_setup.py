"""What every cached_* module shares: one BLAS thread for the server process, and no "No runtime found" warning.

The cached_* modules wrap mfviz in st.cache_data / st.cache_resource, every expensive result keyed by the content hash
of its inputs. Arguments whose name starts with "_" are not hashed by Streamlit; each such argument comes with a
`*_key` argument (a content hash from `state`) that identifies it. So a result is shared only between calls on
identical content, never looked up by session, and switching pages is instant. Each cached_* module imports this one
first, so whichever a process loads first sets these up.
"""

from __future__ import annotations

import logging
import os

from threadpoolctl import threadpool_limits

# One BLAS thread for the whole server process. On a busy 2-core machine OpenBLAS's spinning worker
# threads fight the page runs, numba's threads and each other: measured on MovieLens 100K under
# load, the k=100 data spectrum took 5.5 s with the default threads and 0.6 s with one, a model
# spectrum 2.4 s vs 0.02 s, iALS training the same. threadpoolctl only reaches libraries already
# loaded, so SciPy's linear algebra (its own OpenBLAS in the wheels) is imported first, unless the
# launcher (serve.py) has set OPENBLAS_NUM_THREADS=1 before anything loaded: every OpenBLAS then
# starts with one thread, and the first page need not import SciPy's linear algebra (0.1-0.2 s).
if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
    import scipy.linalg  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401
threadpool_limits(limits=1, user_api="blas")


class _NoServerNeedsNoWarning(logging.Filter):
    """Drop Streamlit's "No runtime found" warning: outside a server (`mfviz report`, a workspace read
    before the server starts) each cached function falls back to an in-memory cache on purpose, and its
    one warning each filled 46 lines of a report's output."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "No runtime found" not in record.getMessage()


logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(_NoServerNeedsNoWarning())


# Default paces (seconds per unit of work) of the `waited` steps of cached_spectra, cached_maps and cached_neighbours,
# measured on 5M ratings, 100,000 users × 30,000 items, 32 factors, on this 2-core machine at load 5-7: the Spectrum
# page's k = 100 13.3 s, the map 50.7 s, an index 5.6-7.3 s, the summary over many items 3.8 s (`waiting.waited` then
# learns the pace of the process's own last step).
