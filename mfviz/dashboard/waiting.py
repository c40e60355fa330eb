"""Long cached steps a page waits on, drawn as a progress line: the step's name, the seconds so far and an estimate
from the size of the work and the pace of the last such step in this process (the background worker may be the
one computing it: the page then waits on Streamlit's per-key lock, which showed only a spinner)."""

from __future__ import annotations

import functools
import inspect
import threading
import time

import streamlit as st

SHOW_AFTER = 0.5  # seconds before a progress line is drawn: a cache hit draws nothing
RATES: dict[str, float] = {}  # seconds per unit of work of each kind of step, the last one that took long here
# When each step being computed started, by its kind and the arguments its cache tells it by: a page run stopped by a
# click (another colour while t-SNE ran) leaves the step computing in its thread, and the next run waits on it; its
# line then counts from the step's start, not from 0 with the whole estimate ahead (t-SNE "3 s, about 52 s left" 9 s
# in). The background worker's steps are counted too: a page waiting on one says how long it has run.
_STARTED: dict[tuple, float] = {}
_STARTED_LOCK = threading.Lock()


def waited(kind: str, words, units, default_rate: float):
    """Decorate a cached wrapper: called in a page run, it runs in a thread of its own (background.run_with_progress)
    while the page draws "`words(*args)`: N s, about M s left", M from `units(*args)` (the size of the work, 0 for
    a step too small to wait on) times the last pace of this `kind` of step (else `default_rate`, seconds per unit
    measured on a busy 2-core machine). Outside a page run (the background worker, a test) it is the plain call."""
    def wrap(cached):
        @functools.wraps(cached)
        def call(*args, **kwargs):
            from mfviz.dashboard import background

            size = units(*args, **kwargs)
            step = step_key(kind, cached, args, kwargs)
            with _STARTED_LOCK:
                started = _STARTED.setdefault(step, time.monotonic())

            def compute():
                try:
                    return cached(*args, **kwargs)
                finally:  # in the thread that computes (or waits on) it, which outlives a stopped page run
                    with _STARTED_LOCK:
                        _STARTED.pop(step, None)

            if size <= 0 or background.current_session() is None or _inside_a_cached_function():
                return compute()
            value = wait_drawn(compute, words(*args, **kwargs), size * RATES.get(kind, default_rate), started)
            elapsed = time.monotonic() - started
            if elapsed > 2.0:  # computed (or waited on for long): the pace of this machine as it is now
                RATES[kind] = elapsed / size
            return value

        if hasattr(cached, "clear"):  # a Streamlit cache's, kept reachable
            call.clear = cached.clear
        return call

    return wrap


def step_key(kind: str, cached, args: tuple, kwargs: dict) -> tuple:
    """The step a call computes, as its cache tells it: its kind and the arguments the cache hashes (those whose names
    do not start with "_"; an unhashable one, such as an array, is left out: a content key beside it names it)."""
    try:
        bound = inspect.signature(cached).bind(*args, **kwargs).arguments
    except (TypeError, ValueError):  # a call the signature does not take: the cache itself will say so
        return (kind, id(cached))
    return (kind, *((name, value) for name, value in bound.items()
                    if not name.startswith("_") and isinstance(value, str | int | float | bool | tuple | None)))


def _inside_a_cached_function() -> bool:
    """Whether this call comes from inside another cached function's computation (cached_recommend.user_lists asks for
    the index): an element drawn there would be recorded and replayed on each of its cache hits."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function
    except ImportError:  # another Streamlit: draw nothing rather than risk it
        return True
    return bool(in_cached_function.get())


def wait_drawn(compute, words: str, estimate: float, started: float | None = None):
    """`compute()` in a thread of its own, a progress line under `words` drawn in the page meanwhile (after
    SHOW_AFTER seconds), then removed. The share is the time spent (since `started`, a time.monotonic() of the
    step's start, else now) against the estimate (at most 95%): the steps waited on (UMAP, ARPACK, an index build)
    say nothing of how far they are."""
    return drawn_while(compute, lambda elapsed: (min(0.95, elapsed / estimate) if estimate > 0 else 0.5,
                                                 progress_words(words, elapsed, estimate)), "mfviz-page-step", started)


def drawn_while(compute, describe, name: str, started: float | None = None):
    """`compute()` in a thread of its own (background.run_with_progress) while the page draws a progress bar of
    `describe(seconds so far)`, (share, words) or None for nothing yet, from SHOW_AFTER seconds on (counted from
    `started`, a time.monotonic(), else now); the bar is removed at the end (a cache hit draws nothing)."""
    from mfviz.dashboard import background

    started, slot = time.monotonic() if started is None else started, None

    def show(_) -> None:
        nonlocal slot
        elapsed = time.monotonic() - started
        described = describe(elapsed) if elapsed >= SHOW_AFTER else None
        if described is not None:
            slot = slot or st.empty()
            slot.progress(described[0], text=described[1])

    try:
        return background.run_with_progress(lambda _: compute(), show, name=name)
    finally:
        if slot is not None:
            slot.empty()


def progress_words(words: str, elapsed: float, estimate: float) -> str:
    if elapsed < estimate:
        return f"{words}: {elapsed:.0f} s, about {max(1.0, estimate - elapsed):.0f} s left"
    return f"{words}: {elapsed:.0f} s, still working (longer than the {estimate:.0f} s expected: the machine is busy)"
