"""Compiling the numba and UMAP code paths once per server process, in the background."""

from __future__ import annotations

import io

import numpy as np
import streamlit as st

import mfviz
import mfviz.dashboard.cached_setup  # noqa: F401 - one BLAS thread and a quiet log, before any call


def warm_up_parsing():
    """Parse a small file shaped like MovieLens' u.data, so numba loads its compiled parsing kernels
    (0.3-0.4 s the first time in a process, most of it numba's own start-up) before a first upload
    needs them: the demo comes from its parsed copy and no longer does it."""
    rng = np.random.default_rng(0)
    rows = np.column_stack((rng.integers(1, 60, 600), rng.integers(1, 90, 600), rng.integers(1, 6, 600),
                            rng.integers(874_000_000, 893_000_000, 600)))
    source = io.BytesIO()
    np.savetxt(source, rows, fmt="%d", delimiter="\t")
    source.seek(0)
    source.name = "warm-up.data"
    return mfviz.load_interactions(source)


@st.cache_resource(show_spinner=False)
def warm_up_in_background():
    """Compile the numba and UMAP code paths once per server process, in a background thread, so
    the first map and neighbour list do not pay tens of seconds of compilation. The parsing kernels
    are loaded at once, in a thread of their own, as an upload can come right after the first page."""
    import logging
    import os
    import threading

    if os.environ.get("MFVIZ_NO_WARM_UP"):  # set by the AppTest suite, which never draws a UMAP map
        return None
    threading.Thread(target=warm_up_parsing, name="mfviz-warm-up-parsing", daemon=True).start()

    def run() -> None:
        try:
            background.use_one_core()
            from mfviz import analysis

            analysis.warm_up()
        except Exception:  # noqa: BLE001 - warming up is an optimisation; the pages still work
            logging.getLogger("mfviz.dashboard").exception("warm-up failed")

    from mfviz.dashboard import background

    # In the precompute worker when it runs: one background thread, paused while pages run
    if background.submit("warm-up", run, owner=None):  # for every session to come
        return None
    thread = threading.Thread(target=run, name="mfviz-warm-up", daemon=True)
    thread.start()
    return thread
