"""Background precomputation: jobs run once, a data's first then newest first, survive failures, pause for page
runs and trainings;
and a page opened after the precomputation for new data finds every analysis already cached."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mfviz.dashboard import background

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture
def precompute_on(monkeypatch):
    monkeypatch.delenv("MFVIZ_NO_PRECOMPUTE", raising=False)
    assert background.idle(timeout=120)


def test_jobs_run_once_newest_first_and_only_after_start(precompute_on):
    ran: list[str] = []
    tag = f"order-{time.time_ns()}"
    background.run_started()  # as if a page were running: nothing may start before start()
    try:
        assert background.submit(f"{tag}-a", ran.append, "a")
        assert background.submit(f"{tag}-b", ran.append, "b")
        assert not background.submit(f"{tag}-a", ran.append, "a again")  # same key: not queued twice
        time.sleep(0.2)
        assert ran == []
    finally:
        background.run_finished()
    assert background.idle(timeout=30)
    assert ran == ["b", "a"]


def test_a_failing_job_does_not_stop_the_worker(precompute_on):
    ran: list[str] = []
    tag = f"failing-{time.time_ns()}"

    def fail() -> None:
        raise RuntimeError("boom")

    background.submit(f"{tag}-ok", ran.append, "ok")
    background.submit(f"{tag}-fail", fail)
    background.start()
    assert background.idle(timeout=30)
    background.submit(f"{tag}-after", ran.append, "after")
    background.start()
    assert background.idle(timeout=30)
    assert ran == ["ok", "after"]


def test_a_job_step_waits_while_a_page_runs(precompute_on):
    background.run_started()
    waited = threading.Event()

    def step() -> None:
        background._checkpoint(patience=30)
        waited.set()

    try:
        background.submit(f"checkpoint-{time.time_ns()}", step)
        background.start()
        time.sleep(0.3)
        assert not waited.is_set()
    finally:
        background.run_finished()
    assert waited.wait(timeout=10)


def test_a_job_step_waits_for_a_running_training_past_its_patience(precompute_on, monkeypatch):
    """A page's patience (10 s) let the worker resume beside a training, which then shared the two cores with a
    map: a 5M-rating implicit ALS took 85 s instead of 19 s. A training holds the worker for as long as it runs."""
    monkeypatch.setattr(background, "GRACE", 0.0)
    waited = threading.Event()

    def step() -> None:
        background._checkpoint(patience=0.2)
        waited.set()

    background.training_started()
    try:
        background.submit(f"training-{time.time_ns()}", step)
        background.start()
        time.sleep(1.0)  # five patiences
        assert not waited.is_set()
    finally:
        background.training_finished()
    assert waited.wait(timeout=10)


def test_a_data_job_runs_before_the_models_queued_after_it(precompute_on):
    """Every page of a dataset waits on its job (spectrum, baseline): queued behind each trained model's analyses,
    newest first, a 5M upload's spectrum had not begun four minutes later."""
    ran: list[str] = []
    tag = f"data-first-{time.time_ns()}"
    background.run_started()
    try:
        background.submit(f"model|{tag}-old", ran.append, "old model")
        background.submit(f"data|{tag}", ran.append, "data")
        background.submit(f"model|{tag}-a", ran.append, "model a")
        background.submit(f"model|{tag}-b", ran.append, "model b")
    finally:
        background.run_finished()
    assert background.idle(timeout=30)
    assert ran == ["data", "model b", "model a", "old model"]


def test_disabled_by_environment(monkeypatch):
    monkeypatch.setenv("MFVIZ_NO_PRECOMPUTE", "1")
    assert not background.submit(f"off-{time.time_ns()}", print, "never")


def test_spectrum_components_fit_small_data():
    class Shape:
        n_users, n_items = 5, 40

    largest, opening = background.spectrum_components(Shape)
    assert largest == 4 and opening == 4
    Shape.n_users, Shape.n_items = 2_000, 1_000
    assert background.spectrum_components(Shape) == (300, 100)


def test_middle_user_is_the_median_by_activity():
    activity = np.array([5, 50, 1, 20, 10])
    assert background.middle_user(activity) == 4  # order 50, 20, 10, 5, 1 -> the third


def test_pages_open_on_precomputed_analyses_of_an_upload(precompute_on, monkeypatch):
    """Upload fresh data, let the worker finish, then make every analysis raise: the analysis pages
    still render, so their first visit read everything the worker had cached (same arguments)."""
    monkeypatch.setattr(background, "MAP_METHOD", "PCA")  # UMAP would compile for ~40 s in this process
    rng = np.random.default_rng(int(time.time_ns() % 2**32))  # fresh content: nothing cached yet
    rows = [(u, i, int(rng.integers(1, 6))) for u in range(120) for i in range(90) if rng.random() < 0.25]
    csv = "user,item,rating\n" + "".join(f"{u},{i},{r}\n" for u, i, r in rows)
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["latent_method"] = "PCA"
    at.run()
    at.file_uploader(key="upload_interactions").set_value(("fresh.csv", csv.encode(), "text/plain"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert background.idle(timeout=240)

    from mfviz import analysis
    from mfviz.dashboard import training

    def computed(*args, **kwargs):
        raise AssertionError("computed on the page instead of read from the precomputed cache")

    for name in ("data_spectrum", "model_spectrum", "project", "neighbourhood_preservation",
                 "compare_neighbours", "neighbour_popularity_summary", "popularity_report", "NeighbourIndex",
                 "principal_dimensions"):
        monkeypatch.setattr(analysis, name, computed)
    monkeypatch.setattr(training, "make_model", computed)
    from mfviz.evaluation import breakdown

    for name in ("per_user", "profile_size_curve"):  # the Train page's users served and new users
        monkeypatch.setattr(breakdown, name, computed)
    for page in ("pages/train_page.py", "pages/latent_page.py", "pages/neighbours_page.py", "pages/spectrum_page.py",
                 "pages/bias_page.py"):
        at.switch_page(page).run()
        assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
        assert not at.error, f"{page}: {[e.value for e in at.error]}"


def test_a_page_run_that_stops_on_an_error_ends_as_a_page_run():
    """After st.stop() every read of the session state raises again, and the save in app.py's `finally` skipped
    the run's end: each page that stopped on an error left the worker counting a page run for ever (ten in one
    test file), so its every step waited out its patience."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    before = background._active_runs
    at.switch_page("pages/train_page.py").run()
    at.file_uploader(key="load_model").set_value(("model.npz", b"not a zip file", "application/octet-stream"))
    at.run()
    assert at.error and not at.exception  # the guard's message, then st.stop()
    assert background._active_runs == before


def test_jobs_wait_a_grace_period_after_a_page_run(precompute_on, monkeypatch):
    """The browser is still drawing the page when its run ends; background work leaves it the CPU."""
    monkeypatch.setattr(background, "GRACE", 0.5)
    started: list[float] = []
    background.run_started()
    background.submit(f"grace-{time.time_ns()}", lambda: started.append(time.monotonic()))
    ended = time.monotonic()
    background.run_finished()
    assert background.idle(timeout=30)
    assert started and started[0] - ended >= 0.45


def test_the_first_run_of_a_session_gets_a_longer_grace(precompute_on, monkeypatch):
    monkeypatch.setattr(background, "GRACE", 0.0)
    monkeypatch.setattr(background, "FIRST_GRACE", 0.8)
    started: list[float] = []
    background.run_started()
    background.submit(f"first-grace-{time.time_ns()}", lambda: started.append(time.monotonic()))
    ended = time.monotonic()
    background.run_finished(first_in_session=True)
    assert background.idle(timeout=30)
    assert started and started[0] - ended >= 0.75


def test_the_parsing_warm_up_reads_a_file_shaped_like_u_data():
    from mfviz.dashboard import cached_warm_up

    warmed = cached_warm_up.warm_up_parsing()
    rng = np.random.default_rng(0)  # the same draws, counted independently
    users, items = rng.integers(1, 60, 600), rng.integers(1, 90, 600)
    assert warmed.is_explicit
    assert warmed.nnz == len(set(zip(users.tolist(), items.tolist(), strict=True)))
    assert (warmed.n_users, warmed.n_items) == (len(set(users.tolist())), len(set(items.tolist())))


def test_a_server_started_on_data_prepares_its_pages_before_anyone_visits(precompute_on, monkeypatch):
    """What the launcher does for `mfviz dashboard DATA` (no session yet): the quick default model and
    every page's analyses are cached, so the first session's pages compute nothing themselves."""
    import pandas as pd

    from mfviz import load_interactions
    from mfviz.dashboard import cached_data, startup, ui

    monkeypatch.setattr(background, "MAP_METHOD", "PCA")  # UMAP would compile for ~40 s in this process
    monkeypatch.setattr(startup, "_served", None)
    rng = np.random.default_rng(int(time.time_ns() % 2**32))  # fresh content: nothing cached yet
    rows = [(u, i, int(rng.integers(1, 6))) for u in range(100) for i in range(70) if rng.random() < 0.25]
    startup.serve(load_interactions(pd.DataFrame(rows, columns=["user", "item", "rating"])), "served.csv")
    cached_data.start_data.clear()
    try:
        ui.precompute_start()
        assert background.idle(timeout=240)

        from mfviz import analysis
        from mfviz.dashboard import training

        def computed(*args, **kwargs):
            raise AssertionError("computed on the page instead of read from the precomputed cache")

        for name in ("data_spectrum", "model_spectrum", "project", "neighbourhood_preservation",
                     "compare_neighbours", "popularity_report", "NeighbourIndex", "principal_dimensions"):
            monkeypatch.setattr(analysis, name, computed)
        monkeypatch.setattr(training, "make_model", computed)
        at = AppTest.from_file(APP, default_timeout=300)
        at.session_state["latent_method"] = "PCA"
        at.run()
        assert at.session_state["mfviz.data"].name == "served.csv"
        for page in ("pages/latent_page.py", "pages/neighbours_page.py", "pages/spectrum_page.py", "pages/bias_page.py"):
            at.switch_page(page).run()
            assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
            assert not at.error, f"{page}: {[e.value for e in at.error]}"
        assert [e.auto for e in at.session_state["mfviz.models"].values()] == [True]  # the quick default
    finally:
        cached_data.start_data.clear()


def test_jobs_use_every_core_until_someone_opens_a_page(precompute_on, monkeypatch):
    """A server started on big data prepares its pages with both cores while nobody is looking; once
    a page has run, the worker leaves one core to the pages."""
    import numba

    monkeypatch.setattr(background, "_visited", False)
    monkeypatch.setattr(background, "GRACE", 0.1)
    threads: list[int] = []
    background.submit(f"cores-before-{time.time_ns()}", lambda: threads.append(numba.get_num_threads()))
    background.start()
    assert background.idle(timeout=30)
    background.run_started()  # a visitor's page
    background.run_finished()
    background.submit(f"cores-after-{time.time_ns()}", lambda: threads.append(numba.get_num_threads()))
    background.start()
    assert background.idle(timeout=30)
    assert threads == [numba.config.NUMBA_NUM_THREADS, 1]


def test_work_for_a_session_that_is_gone_is_dropped_and_can_be_asked_for_again(precompute_on, monkeypatch):
    gone: set[str] = set()
    monkeypatch.setattr(background, "session_gone", lambda session: session in gone)
    ran: list[str] = []
    tag = f"gone-{time.time_ns()}"

    def two_steps(name: str) -> None:
        ran.append(f"{name} 1")
        gone.add("left mid-job")  # its tab closes while the job runs
        background._checkpoint()
        ran.append(f"{name} 2")

    gone.add("left")
    background.submit(f"{tag}-queued", ran.append, "queued", owner="left")  # gone before it starts
    background.submit(f"{tag}-server", ran.append, "server", owner=None)  # the server's own: never dropped
    background.submit(f"{tag}-chain", two_steps, "chain", owner="left mid-job")
    background.start()
    assert background.idle(timeout=30)
    assert ran == ["chain 1", "server"]
    gone.clear()  # another session with the same data asks again: the dropped keys are not "done"
    assert background.submit(f"{tag}-queued", ran.append, "queued", owner="here")
    assert background.submit(f"{tag}-chain", two_steps, "chain", owner="here")
    assert not background.submit(f"{tag}-server", ran.append, "server")
    background.start()
    assert background.idle(timeout=30)


def test_a_session_is_gone_after_a_grace_period_never_without_a_server(monkeypatch):
    import streamlit.runtime as runtime

    assert not background.session_gone(None) and not background.session_gone("any")  # no server in tests
    connected = {"a"}

    class Server:
        @staticmethod
        def exists() -> bool:
            return True

        @staticmethod
        def instance():
            return type("Sessions", (), {"is_active_session": staticmethod(lambda s: s in connected)})()

    monkeypatch.setattr(runtime, "Runtime", Server)
    clock = [1000.0]
    monkeypatch.setattr(background.time, "monotonic", lambda: clock[0])
    assert not background.session_gone("a")
    connected.clear()  # the tab closes (or the network blinks)
    assert not background.session_gone("a")
    clock[0] += background.GONE_AFTER - 1
    assert not background.session_gone("a")  # still within the grace
    connected.add("a")  # it came back: forgiven, the grace starts again next time
    assert not background.session_gone("a")
    connected.clear()
    clock[0] += 1
    assert not background.session_gone("a")
    clock[0] += background.GONE_AFTER
    assert background.session_gone("a") and not background.session_gone(None)


def test_a_long_step_runs_in_its_own_thread_while_the_caller_draws_its_progress():
    seen: list[tuple[int, int]] = []

    def work(progress: background.Progress) -> str:
        for done in range(1, 4):
            time.sleep(0.15)
            progress.update(done, 3)
        return threading.current_thread().name

    name = background.run_with_progress(work, lambda p: seen.append((p.done, p.total)), name="mfviz-test-step",
                                        poll=0.05)
    assert name == "mfviz-test-step"  # not the caller's thread
    assert seen[-1] == (3, 3) and (0, 0) in seen and len(set(seen)) >= 3  # drawn as it went, and at the end

    def fail(progress: background.Progress) -> None:
        raise ValueError("told to the caller")

    with pytest.raises(ValueError, match="told to the caller"):
        background.run_with_progress(fail, lambda p: None)


def test_progress_says_the_pace_of_its_stage_and_the_quick_model_its_epoch_and_time_left():
    from mfviz.dashboard.training import quick_progress

    progress = background.Progress()
    assert progress.seconds_left() is None and progress.share() == 0
    progress.update(0, 8, "Training Implicit ALS")
    progress.stage_started -= 2.0  # two epochs in 2 s: 6 left, 6 s
    progress.update(2, 8)
    assert progress.seconds_left() == pytest.approx(6.0, abs=0.5)
    share, words = quick_progress(progress)
    assert share == pytest.approx(0.05 + 0.8 * 2 / 8)
    assert "Training Implicit ALS: epoch 2 of 8, about 6 s left" in words
    progress.update(0, 0, "Scoring 600 users on their held-out items")
    share, words = quick_progress(progress)
    assert share == 0.9 and "Scoring 600 users on their held-out items… (0 s)" in words


def test_the_quick_default_model_records_its_stages_where_a_waiting_page_reads_them(monkeypatch):
    from mfviz import Interactions
    from mfviz.dashboard import state
    from mfviz.dashboard.training import default_model, quick_step
    from mfviz.data.demo import generate_demo

    ratings, _ = generate_demo(seed=5, n_users=300, n_items=120, n_ratings=6_000)
    data = Interactions.from_frame(ratings, user="user", item="item", rating="rating")
    key = state.interactions_hash(data)
    seen, update = [], background.Progress.update

    def recorded(self, done, total=None, stage=None):  # the real update, each call kept in order
        update(self, done, total, stage)
        seen.append((self.stage, self.done, self.total))

    monkeypatch.setattr(background.Progress, "update", recorded)
    entry = default_model(key, data)
    assert background.step_finished(quick_step(key)) and entry.metrics
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == ["Splitting the data", "Preparing Implicit ALS", "Training Implicit ALS",
                      f"Scoring {np.count_nonzero(np.diff(entry.test.matrix.indptr)):,} users on their held-out items"]
    assert [done for stage, done, total in seen if stage.startswith("Training") and total == 8] == list(range(9))
