"""A closed session's state is mfviz's to let go of: once Streamlit drops a session, nothing of mfviz (the
background worker, a training's thread, the workspace kept for a reload, a cache) still refers to its
st.session_state. The workspace keeps the session's records (data, models) by design, not the state itself."""

from __future__ import annotations

import gc
import weakref

from test_pages import new_app, open_page, train_on_page

from mfviz.dashboard import background, workspace


class Marker:
    """An object only the session's state refers to: alive as long as that state is."""


def test_nothing_of_mfviz_keeps_a_finished_sessions_state_alive(monkeypatch):
    # A server measured (debug launcher, TTL 10 s): the state went the moment Streamlit's session storage let
    # the session go; this keeps it so should a thread, registry or closure of mfviz start holding on to it.
    monkeypatch.delenv("MFVIZ_NO_PRECOMPUTE", raising=False)  # the worker runs the session's analyses too
    at = new_app()
    marker = Marker()
    at.session_state["test.marker"] = marker
    at = train_on_page(at, "ials", factors=8, epochs=3)  # a TrainingJob and its thread, kept in the state
    open_page(at, "pages/neighbours_page.py")
    assert background.idle(timeout=300), "the background analyses did not end"
    job = at.session_state["mfviz.last_training"]
    assert job.thread is not None and not job.thread.is_alive()
    kept = workspace._STORE[at.session_state[workspace.ID]]  # the reload's copy: records, not the state
    assert kept["mfviz.models"] and "test.marker" not in kept
    released = weakref.ref(marker)
    del at, marker, job, kept
    gc.collect()
    assert released() is None, [type(r).__qualname__ for r in gc.get_referrers(released())]
