"""A long cached step a page waits on: run in a thread of its own while the page draws how long it has taken and
about how long is left; the plain call outside a page run."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from mfviz.dashboard import waiting


def test_the_words_say_the_time_spent_and_left_and_when_it_runs_late():
    assert waiting.progress_words("Mapping 30,000 items (UMAP)", 12.2, 42.0) == \
        "Mapping 30,000 items (UMAP): 12 s, about 30 s left"
    assert waiting.progress_words("Mapping", 50.0, 42.0) == \
        "Mapping: 50 s, still working (longer than the 42 s expected: the machine is busy)"


def slow_page() -> None:
    import threading
    import time

    import streamlit as st

    from mfviz.dashboard import waiting

    @waiting.waited("test-sleep", lambda seconds: f"Sleeping {seconds} s", lambda seconds: 10, 1.0)
    def sleep(seconds: float) -> str:
        time.sleep(seconds)
        return threading.current_thread().name

    st.write(f"ran in {sleep(2.2)}")
    st.write(f"outside a page run: {waiting.RATES['test-sleep']:.2f} s per unit")


def test_a_page_waits_in_a_thread_of_its_own_learns_the_pace_and_leaves_no_progress_line():
    waiting.RATES.pop("test-sleep", None)
    at = AppTest.from_function(slow_page, default_timeout=60).run()
    assert not at.exception
    assert at.markdown[0].value == "ran in mfviz-page-step"  # not the page's own thread
    assert 0.2 <= waiting.RATES["test-sleep"] < 0.5  # 2.2 s over 10 units: the next estimate
    assert not at.get("progress")  # the line is gone once the value is there


def test_outside_a_page_run_it_is_the_plain_call():
    calls = []

    @waiting.waited("test-plain", lambda x: "Plain", lambda x: 100, 1.0)
    def double(x: int) -> int:
        calls.append(x)
        return 2 * x

    assert double(21) == 42 and calls == [21]
    assert "test-plain" not in waiting.RATES


def page_waiting_on_a_step_already_running() -> None:
    import threading
    import time

    import streamlit as st

    from mfviz.dashboard import waiting

    @waiting.waited("test-running", lambda seconds: f"Sleeping {seconds} s", lambda seconds: 10, 1.0)
    @st.cache_data(show_spinner=False)
    def sleep(seconds: float) -> str:
        time.sleep(seconds)
        return threading.current_thread().name

    # A page run stopped by a click leaves its step computing in a thread of its own, and the next run waits on it
    # (Streamlit's lock on the cache key): a thread starts the step 1.2 s before this run asks for it
    first = threading.Thread(target=sleep, args=(2.4,), name="mfviz-stopped-run")
    first.start()
    time.sleep(1.2)
    st.write(f"computed in {sleep(2.4)}")
    first.join()


def test_a_run_waiting_on_a_step_already_running_counts_from_the_steps_start():
    """The progress line of a run that waits on a step started before it (by a run a click stopped, or by the
    background worker) counts the step's seconds, not its own wait: t-SNE said "3 s, about 52 s left" 9 s in. Its
    pace is learnt from the whole step (2.4 s over 10 units), where the 1.2 s waited alone said nothing (under 2 s)."""
    waiting.RATES.pop("test-running", None)
    at = AppTest.from_function(page_waiting_on_a_step_already_running, default_timeout=60).run()
    assert not at.exception
    assert at.markdown[0].value == "computed in mfviz-stopped-run"  # one computation: the run waited on it
    assert 0.2 <= waiting.RATES["test-running"] < 0.5
    assert not waiting._STARTED  # a step's start is let go once it is computed
