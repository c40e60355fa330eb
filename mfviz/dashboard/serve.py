"""Fast start of the dashboard: Streamlit's own server, with mfviz and the start data preloaded meanwhile.

`python mfviz/dashboard/serve.py [streamlit run options]` (what `make run` does; fastest, as the
server starts before mfviz is imported), `python -m mfviz.dashboard.serve` or `mfviz dashboard` is
`streamlit run app.py` plus a preload thread. Without it, the first page view pays for importing
mfviz (numpy, pandas, SciPy, numba, Plotly), reading the demo (parsed once per machine, see
`mfviz.datasets.load_demo`; or the data `mfviz dashboard DATA` has read already) and drawing the Data page's charts after the browser has connected;
with it, that work overlaps the server start and the browser's loading of Streamlit's JavaScript, and the first script
run finds the modules in `sys.modules` and the start data, its summary and charts in Streamlit's caches
(the Data page's own cached calls with its arguments). A few start-up settings come with it: no
garbage collection while the modules load, one BLAS thread, no "magic", no REPL check, and
Streamlit's scan for custom components after the preload instead of before the server answers.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"
# Options given on the command line come later and win. No page uses Streamlit's "magic" (bare
# expressions shown as output), and rewriting each page's syntax tree for it costs 0.1-0.4 s on
# the first page.
DEFAULT_OPTIONS = ("--server.headless", "true", "--runner.magicEnabled", "false")

log = logging.getLogger("mfviz.dashboard")
SWITCH_INTERVAL = sys.getswitchinterval()  # Python's default (5 ms), restored after the preload
preloaded = threading.Event()  # set when the preload thread is done (whether or not it succeeded)


def _wait_for_runtime(timeout: float = 60.0) -> bool:
    """Streamlit's Runtime is created by the server; cache_data needs it to find its storage."""
    from streamlit.runtime import Runtime

    deadline = time.monotonic() + timeout
    while not Runtime.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def preload() -> None:
    """Import what the first page needs and fill the caches it reads, as the Data page would."""
    started = time.perf_counter()
    try:
        # The libraries first (numpy, pandas, SciPy, numba, Plotly): they need no Streamlit runtime.
        import plotly.graph_objects  # noqa: F401

        from mfviz import datasets  # noqa: F401
        from mfviz.dashboard import figures  # noqa: F401

        # The cached wrappers register with Streamlit's runtime when first imported and called.
        if not _wait_for_runtime():
            return
        from mfviz.dashboard import cached_data, load_words, ui

        # The Data page's own cached calls, in its order, with its arguments: its first run finds
        # them done (or waits for the one in progress instead of computing it twice).
        start, key = cached_data.start_data()  # st.cache_resource
        load_words.plain_report(start.interactions.report.lines())
        summary = cached_data.summary(key, start.interactions)
        cached_data.data_charts(key, summary)
        if not start.is_demo:  # the user's own data: the server prepares the pages before anyone visits
            ui.precompute_start()
    except Exception:  # noqa: BLE001 - an optimisation only: the page loads what it needs itself
        log.warning("preloading the dashboard failed", exc_info=True)
    finally:
        # The modules and the start data live as long as the server: keep them out of every later
        # collection (Streamlit collects after each script run; 0.1 s less per run here).
        gc.freeze()
        gc.enable()
        sys.setswitchinterval(SWITCH_INTERVAL)
        preloaded.set()
        print(f"mfviz: modules and start data preloaded in {time.perf_counter() - started:.2f} s",
              file=sys.stderr, flush=True)


def _defer_component_scan() -> None:
    """Run Streamlit's scan for custom v2 components after the preload instead of before the server
    answers: it reads the metadata of every installed distribution (0.35 s here, 0.9 s under load)
    and mfviz uses no custom components. Left alone if this Streamlit has no such scan."""
    try:
        from streamlit.components.v2.component_manager import BidiComponentManager
    except ImportError:
        return
    scan = getattr(BidiComponentManager, "discover_and_register_components", None)
    if scan is None:
        return

    def deferred(self, *args, **kwargs) -> None:
        def later() -> None:
            preloaded.wait(timeout=120)
            scan(self, *args, **kwargs)

        threading.Thread(target=later, name="mfviz-component-scan", daemon=True).start()

    BidiComponentManager.discover_and_register_components = deferred


def _skip_repl_check() -> None:
    """Before its first element, Streamlit checks once per process whether it runs in a Python REPL
    (to print a hint) with inspect.stack(), which resolves the file of every loaded module: with
    numba, pandas, SciPy and Plotly loaded (~2,000 modules) that took 0.4-1.8 s of the first page.
    This launcher always runs the app under `streamlit run`, so the hint never applies."""
    from streamlit import delta_generator

    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True


def _router_from_the_first_session() -> None:
    """app.py declares every page with st.navigation, but until some script run has called it,
    Streamlit treats a pages/ folder as a legacy multipage app: the first browser on a fresh server
    that opened a deep link (e.g. a bookmarked /recommend) got a "Page not found" dialog before
    app.py's router found the page. Said from the start, every session goes through the router."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    if hasattr(PagesManager, "uses_pages_directory"):
        PagesManager.uses_pages_directory = False


def streamlit_argv(options: Sequence[str] = ()) -> list[str]:
    """The `streamlit run` command line this launcher runs."""
    return ["streamlit", "run", str(APP), *DEFAULT_OPTIONS, *options]


def main(options: Sequence[str] | None = None) -> int:
    """Start Streamlit's server with the preload alongside (blocks until the server stops)."""
    options = list(sys.argv[1:] if options is None else options)
    if not APP.is_file():
        print(f"mfviz: error: the dashboard's app.py is not at {APP}; run from a source checkout "
              "(pip install -e .)", file=sys.stderr)
        return 2
    # One BLAS thread in the server (see cached_setup.py), for every BLAS library as it loads.
    for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    # No garbage collection while ~2,000 modules load (their objects live as long as the server):
    # 15% less import time. The preload re-enables it when done.
    gc.disable()
    # Streamlit is imported whole before the preload thread starts: two threads importing it at
    # once can see it half-initialised.
    from streamlit.web import cli

    _defer_component_scan()
    _skip_repl_check()
    _router_from_the_first_session()
    # The server's event loop (serving Streamlit's scripts and the 4.7 MB Plotly bundle) gets the
    # GIL within 0.5 ms of asking while the preload thread imports, not 5 ms (per 64 KB chunk
    # sent: the Plotly bundle came 0.34 instead of 0.50 s after it was asked for, under load 6).
    sys.setswitchinterval(0.0005)
    threading.Thread(target=preload, name="mfviz-preload", daemon=True).start()
    sys.argv = streamlit_argv(options)
    try:
        cli.main(prog_name="streamlit")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


if __name__ == "__main__":
    if not __package__:  # run by path (python mfviz/dashboard/serve.py): import mfviz from the checkout
        sys.path[0] = str(APP.parent)
    sys.exit(main())
