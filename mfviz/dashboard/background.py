"""Background precomputation: the analyses of a new dataset or model, run in one worker thread
through the same cached wrappers (same arguments) the pages call, so a page's first visit is a hit."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict

import numpy as np

from mfviz.dashboard import (
    cached_data,
    cached_dimensions,
    cached_maps,
    cached_metrics,
    cached_models,
    cached_neighbours,
    cached_popularity,
    cached_recommend,
    cached_spectra,
    untrained,
)

log = logging.getLogger("mfviz.dashboard")


class _OwnThreadsNeedNoScriptContext(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warning for mfviz's own threads: they call the
    cached wrappers outside any page run on purpose (this worker, the launcher's preload)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName or "").startswith("mfviz-") or "ScriptRunContext" not in record.getMessage()


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_OwnThreadsNeedNoScriptContext())

# Defaults the pages open with; precomputing other settings would be wasted work.
BIAS_K = 10
NEIGHBOURS_K = 10
UMAP_NEIGHBOURS = 15
UMAP_MIN_DIST = 0.1
MAP_METHOD = "UMAP"  # the Latent space page's default map

# One worker thread: the jobs share two cores with the page runs, and each job is a chain of cache
# fills. A data's job first, then newest first (`_next_job`). Each key runs once (remembered, bounded).
_PENDING: list[tuple[str, object, tuple]] = []
_SUBMITTED: OrderedDict[str, bool] = OrderedDict()
_CONDITION = threading.Condition()
_REMEMBER = 256
_worker: threading.Thread | None = None
_running = False
_active_runs = 0  # page runs in progress, over all sessions
_quiet_at = 0.0  # time.monotonic() from which background work may resume
_visited = False  # a page has run in this process: from then on the worker leaves a core to the pages
_trainings = 0  # trainings running in their own threads (TrainingJob), over all sessions
GRACE = 1.0  # seconds of quiet after a page run before background work resumes
FIRST_GRACE = 4.0  # after a session's first run


# Work for a browser session stops once the session has been gone this long (its tab closed): after each
# cycle of five sessions, ~80 CPU-seconds of analyses ran on for sessions that no longer existed, and a
# training went on 77 s after its tab closed. A short disconnect (a network blip) is forgiven.
GONE_AFTER = 30.0
_gone_since: OrderedDict[str, float] = OrderedDict()  # session id → time.monotonic() it was first seen gone


def current_session() -> str | None:
    """The id of the browser session whose page run calls this (None outside a page run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.session_id


def session_gone(session_id: str | None) -> bool:
    """True once the session has been disconnected for GONE_AFTER seconds. Never for None (the
    server's own work) or without a running server (tests, the command line)."""
    from streamlit.runtime import Runtime

    if session_id is None or not Runtime.exists():
        return False
    if Runtime.instance().is_active_session(session_id):
        _gone_since.pop(session_id, None)
        return False
    first = _gone_since.setdefault(session_id, time.monotonic())
    while len(_gone_since) > _REMEMBER:
        _gone_since.popitem(last=False)
    return time.monotonic() - first >= GONE_AFTER


class _Abandoned(Exception):
    """The session a job works for is gone."""


def enabled() -> bool:
    """Off when MFVIZ_NO_PRECOMPUTE is set (tests that check what a page computes by itself)."""
    return not os.environ.get("MFVIZ_NO_PRECOMPUTE")


def submit(key: str, function, *args, owner: str | None = "page") -> bool:
    """Queue `function(*args)` for the worker unless a job with this key was already submitted;
    it runs after `start()`. `owner`: the session it is for (by default the session of the page run
    submitting it; None for the server's own work), dropped when that session is gone."""
    if not enabled():
        return False
    owner = current_session() if owner == "page" else owner
    with _CONDITION:
        if key in _SUBMITTED:
            return False
        _SUBMITTED[key] = True
        while len(_SUBMITTED) > _REMEMBER:
            _SUBMITTED.popitem(last=False)
        _PENDING.append((key, function, args, owner))
    return True


def run_started() -> None:
    """A page run began: the worker pauses at its next step, so the page gets the CPU first."""
    global _active_runs, _visited
    with _CONDITION:
        _active_runs += 1
        _visited = True


def run_finished(first_in_session: bool = False) -> None:
    """A page run ended (app.py, in `finally`): resume and run what the page queued, after `GRACE`
    seconds, or `FIRST_GRACE` after a session's first run (the browser then also loads Plotly)."""
    global _active_runs, _quiet_at
    with _CONDITION:
        _active_runs = max(0, _active_runs - 1)
        _quiet_at = max(_quiet_at, time.monotonic() + (FIRST_GRACE if first_in_session else GRACE))
        _CONDITION.notify_all()
    start()


def training_started() -> None:
    """A training began in its own thread: the worker waits until it ends (`training_finished`)."""
    global _trainings
    with _CONDITION:
        _trainings += 1


def training_finished() -> None:
    """A training ended (or failed): the worker may resume after `GRACE` seconds."""
    global _trainings, _quiet_at
    with _CONDITION:
        _trainings = max(0, _trainings - 1)
        _quiet_at = max(_quiet_at, time.monotonic() + GRACE)
        _CONDITION.notify_all()


def _checkpoint(patience: float = 10.0) -> None:
    """Before each job and between its steps: wait while a page runs and for `GRACE` seconds after
    (the browser is still drawing it), at most `patience` seconds in all (the Train page's live
    progress keeps a run going for as long as training takes), and while any training runs, however long:
    on two cores a map computed beside a 5M-rating implicit ALS took 40% of the samples and the training
    85 s instead of 19 s."""
    deadline = time.monotonic() + patience
    while True:
        # checked on each wake, outside the lock (it asks Streamlit's runtime): a training can outlast its session
        if session_gone(_owner):
            raise _Abandoned
        with _CONDITION:
            now = time.monotonic()
            quiet_at = _quiet_at
            if _trainings == 0 and (now >= deadline or (_active_runs == 0 and now >= quiet_at)):
                _share_cores()
                return
            wake = deadline if _active_runs else max(quiet_at, now)
            _CONDITION.wait(timeout=max(0.05, min(wake - now, 1.0) if _trainings else wake - now))


def start() -> None:
    """Let the worker run what is queued. app.py calls it after each page is drawn, so the jobs a
    page run queues do not slow that run down."""
    global _worker
    with _CONDITION:
        if not _PENDING:
            return
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="mfviz-precompute", daemon=True)
            _worker.start()
        _CONDITION.notify_all()


def idle(timeout: float = 60.0) -> bool:
    """Wait until no job is queued or running (for tests); True when idle."""
    with _CONDITION:
        return _CONDITION.wait_for(lambda: not _PENDING and not _running, timeout=timeout)


def _share_cores() -> None:
    """Numba threads of the worker's next step: all of them until anyone has opened a page (a server
    started on big data prepares its pages sooner), then one."""
    import numba

    numba.set_num_threads(1 if _visited else numba.config.NUMBA_NUM_THREADS)


def use_one_core() -> None:
    """Numba kernels of this thread use one thread (numba's setting is per thread), so a page run
    or an upload always has the other core: with both, parsing MovieLens 100K took 2.7-3.1 s
    instead of 1.0-1.4 s when it overlapped the demo's precomputation."""
    import numba

    numba.set_num_threads(1)


_owner: str | None = None  # the session the running job is for


def _next_job() -> int:
    """Where in `_PENDING` the next job is: the newest data job (every page of the data waits for its spectrum,
    baseline and quick model; queued behind each trained model's analyses, a 5M upload's spectrum had not begun
    four minutes later), else the newest job (the model just trained is the one the pages show next)."""
    data_jobs = [n for n, job in enumerate(_PENDING) if job[0].startswith("data|")]
    return data_jobs[-1] if data_jobs else len(_PENDING) - 1


def _work() -> None:
    global _running, _owner
    # Not niced: a page waiting on a value this thread is computing (Streamlit's per-key compute
    # lock) would then wait for a starved thread (seen: 9.7 s to open Train under load 8).
    while True:
        with _CONDITION:
            _running = False
            _CONDITION.notify_all()
            _CONDITION.wait_for(lambda: bool(_PENDING))
            key, function, args, _owner = _PENDING.pop(_next_job())
            _running = True
        try:
            _checkpoint()
            function(*args)
        except _Abandoned:  # its session left: another session with the same data may ask again
            with _CONDITION:
                _SUBMITTED.pop(key, None)
        except Exception:  # noqa: BLE001 - an optimisation only: the page computes it again and shows the error
            log.warning("precomputing %s failed", key, exc_info=True)


# ------------------------------------------------------------------------------ what the pages open with
# Interactions up to which the Spectrum page compares with a shuffle unasked (and the background works
# it out): its re-swapping rounds each sort every entry; 14 s on 2.8M heavy-tailed interactions here.
NULL_SPECTRUM_NNZ = 1_000_000


def spectrum_components(interactions) -> tuple[int, int]:
    """(largest k the Spectrum page offers, the k it opens with)."""
    largest = max(2, min(300, min(interactions.n_users, interactions.n_items) - 1))
    return largest, min(100, largest)


def projection_key(model_key: str, data_key: str, method: str, n_neighbors: int, min_dist: float,
                   n_components: int = 2) -> str:
    return f"{model_key}|{data_key}|{method}|{n_neighbors}|{min_dist}" + ("|3d" if n_components == 3 else "")


def middle_user(activity: np.ndarray) -> int:
    """The user the Neighbours page opens with: the median by activity."""
    users = np.argsort(-np.asarray(activity), kind="stable")
    return int(users[min(len(users) - 1, len(users) // 2)])


# ------------------------------------------------------------------------------ jobs
def data_analyses(data, given=()) -> None:
    """What the pages need of a dataset: the quick default model first (every analysis page waits
    for it) unless models came with the data (`given`), then summary, spectrum and the Popularity
    baseline, then the analyses of those models."""
    from mfviz.analysis.heavy_values import default_scale
    from mfviz.dashboard.training import default_model

    inter = data.interactions
    summary = cached_data.summary(data.key, inter)
    _checkpoint()
    entries = list(given)
    if not entries:
        try:
            entries = [default_model(data.key, inter)]
        except Exception:  # noqa: BLE001 - the page that needs it shows the message
            pass
        _checkpoint()
    cached_data.long_tail(data.key, summary.item_popularity)
    _, k = spectrum_components(inter)
    scale = default_scale(inter)  # the values as the Spectrum page opens on them
    _checkpoint()
    cached_spectra.data_spectrum(data.key, inter.matrix, int(k), scale)
    _checkpoint()
    if inter.nnz <= NULL_SPECTRUM_NNZ:  # the Spectrum page draws the shuffled data's spectrum by default up to here
        cached_spectra.null_spectrum(data.key, inter.matrix, int(k), scale)
        _checkpoint()
    baseline = cached_popularity.popularity_baseline(data.key, inter)
    cached_popularity.popularity_report(baseline.key, baseline.model, data.key, inter, BIAS_K)
    for entry in entries:  # the last is the session's active model: submitted last, run first
        if entry is not None:
            after_new_model(entry, data)


def model_analyses(entry, data) -> None:
    """Every analysis the Latent space, Neighbours, Spectrum and Popularity bias pages open with,
    in the order of the navigation (the map, the slowest, first)."""
    inter = data.interactions
    summary = cached_data.summary(data.key, inter)
    popularity, titles = summary.item_popularity, inter.titles
    vectors = entry.model.item_factors
    train_page_analyses(entry)
    if entry.kind != "popularity":
        _checkpoint()
        # as the Latent space page maps them: the items the model trained on (untrained.mapped_rows)
        mapped, rows, suffix = untrained.trained_map(vectors, cached_models.untrained_items(entry.key, entry.model))
        if len(mapped) >= 3:
            projection = cached_maps.projection(entry.key + suffix, mapped, MAP_METHOD.lower(), UMAP_NEIGHBOURS,
                                                UMAP_MIN_DIST, n_components=2)
            key = projection_key(entry.key, data.key, MAP_METHOD, UMAP_NEIGHBOURS, UMAP_MIN_DIST) + suffix
            cached_maps.map_table(key, projection.coords, inter.items, popularity, np.linalg.norm(vectors, axis=1),
                                  titles, rows)
            _checkpoint()
            cached_maps.preservation(entry.key + suffix, mapped, key, projection.coords)
        _checkpoint()
        # asked as the Neighbours page asks: the same cache entries
        from mfviz.dashboard import support

        opening = support.opening_item(entry, data, popularity, NEIGHBOURS_K)
        _checkpoint()
        support.compared(entry, data, popularity, opening, NEIGHBOURS_K)
        _checkpoint()
        support.summarised(entry, data, popularity, NEIGHBOURS_K)  # "Over many items"
        _checkpoint()
        for metric in ("cosine", "dot"):
            cached_neighbours.index_recall(entry.key, vectors, metric)
        cached_recommend.user_lists(entry.key, entry.model, data.key, inter.matrix, middle_user(summary.user_activity),
                                    NEIGHBOURS_K, popularity, titles)
    _checkpoint()
    cached_spectra.model_spectrum(entry.key, entry.model)
    cached_models.item_norms(entry.key, vectors)
    if entry.kind != "popularity":  # the strongest dimensions: Neighbours, Recommend, Latent space
        _checkpoint()
        dims = cached_dimensions.dimensions(entry.key, entry.model)
        cached_dimensions.described_dimensions(entry.key, data.key, dims, inter)
    _checkpoint()
    cached_popularity.popularity_report(entry.key, entry.model, data.key, inter, BIAS_K)


def train_page_analyses(entry) -> None:
    """What the Train page shows of a model trained with a test share: its test users by activity
    and folded in from their first interactions, with the Popularity baseline on the same split."""
    from mfviz.dashboard.served import CURVES_DONE, metric_k
    from mfviz.evaluation.breakdown import curve_sizes

    k = metric_k(entry) if entry.test is not None else None
    if k is None:
        return
    _checkpoint()
    cached_metrics.per_user_metrics(entry.key, entry.model, entry.test, k)
    cached_metrics.popularity_per_user(entry.key, entry.train, entry.test, k)
    _checkpoint()
    if curve_sizes(entry.train, entry.test):  # small data: too few test users, the page says so
        cached_metrics.profile_curve(entry.key, entry.model, entry.train, entry.test, k)
        cached_metrics.popularity_profile_curve(entry.key, entry.train, entry.test, k)
        CURVES_DONE.add(entry.key)  # a slow one, too, is then drawn without asking


def after_new_data(data, given=()) -> None:
    """Queue a dataset's analyses (and those of the models that came with it)."""
    submit(f"data|{data.key}", data_analyses, data, tuple(given))


def after_new_model(entry, data) -> None:
    submit(f"model|{entry.key}|{data.key}", model_analyses, entry, data)


# ------------------------------------------------------------------------------ a long step a page waits on
class Progress:
    """How far a long step running in another thread is: its stage's name, units done of a total (0 while
    unknown), and when it started; written by the worker, read by the page drawing it."""

    def __init__(self, stage: str = "", total: int = 0) -> None:
        self.stage, self.done, self.total, self.started = stage, 0, int(total), time.monotonic()
        self.stage_started = self.started
        self.finished = False

    def update(self, done: int, total: int | None = None, stage: str | None = None) -> None:
        self.done = int(done)
        if total is not None:
            self.total = int(total)
        if stage is not None and stage != self.stage:
            self.stage, self.stage_started = stage, time.monotonic()

    def share(self) -> float:
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0

    def seconds_left(self) -> float | None:
        """From the pace of this stage so far; None until a unit of it is done."""
        if self.done <= 0 or self.total <= 0:
            return None
        return (time.monotonic() - self.stage_started) / self.done * max(0, self.total - self.done)


def run_with_progress(function, show, name: str = "mfviz-long-step", poll: float = 0.3):
    """`function(progress)` run in a thread of its own while this (page) thread calls `show(progress)` every `poll`
    seconds, and once more at the end; returns its result, or raises what it raised. A Streamlit element updated
    from inside a cached function is replayed on every cache hit (and fails outside its block): the page thread
    draws, the worker only counts. The thread's name starts with "mfviz-": it calls cached wrappers on purpose."""
    progress, outcome = Progress(), {}

    def work() -> None:
        try:
            outcome["value"] = function(progress)
        except BaseException as exc:  # noqa: BLE001 - raised again in the page thread, which shows it
            outcome["error"] = exc

    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    while thread.is_alive():
        show(progress)
        thread.join(poll)
    show(progress)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


# Long steps any thread may be running, by name (e.g. "quick|<data key>"), for a page that waits on one to draw
# how far it is: the step runs in whichever thread asked first (this worker, a page), the others wait on
# Streamlit's per-key lock with nothing to show but a spinner.
_STEPS: OrderedDict[str, Progress] = OrderedDict()


def step_progress(name: str) -> Progress:
    """The Progress record of the long step `name`, new (and remembered, bounded) if none is."""
    with _CONDITION:
        if name not in _STEPS:
            _STEPS[name] = Progress()
            while len(_STEPS) > _REMEMBER:
                _STEPS.popitem(last=False)
        return _STEPS[name]


def step_finished(name: str) -> bool:
    """Whether the long step `name` ran to its end in this process (its result then in the cache)."""
    with _CONDITION:
        return name in _STEPS and _STEPS[name].finished
