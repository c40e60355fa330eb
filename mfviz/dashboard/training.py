"""Training for the dashboard: the train/test split and how a model is scored on it, a background job with
live progress and a stop flag, the results table's order and empty cells, and the quick default model trained
on first load so every page has something to show."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from mfviz.dashboard import background, cached_models
from mfviz.dashboard.state import ModelEntry, model_hash
from mfviz.errors import DataError, ModelError
from mfviz.models.registry import compile_first
from mfviz.models.sanity import learned_nothing

# The fast model the app trains by itself on first load, with small settings (seconds on the demo).
# Seeded, so the same data opens on the same model (and its maps come from the disk cache).
DEFAULT_MODELS = (("ials", {"factors": 32, "epochs": 8, "random_state": 0}), ("svd", {"factors": 32}),
                  ("popularity", {}))


@st.cache_resource(show_spinner=False, max_entries=4)
def split_data(data_key: str, _interactions, method: str, test_size: float, seed: int):
    """(train, test) Interactions; test is None when test_size is 0 (train on everything). One object
    per dataset and split settings: the models trained on a split keep it (to re-rank against its test
    part), so models of the same split share one copy, and a split is never mutated."""
    if test_size <= 0:
        return _interactions, None
    from mfviz import evaluation

    return evaluation.split(_interactions, method=method, test_size=test_size, seed=seed)


# Test users ranked for a model's metrics, at most: a seeded sample, the same for every model of a
# split. Ranking every test user against every item took as long as fitting implicit ALS on 20M
# ratings (19 s each); 20,000 of the 138,000 users gave NDCG@10 0.1518 against 0.1505 for all.
EVAL_USERS = 20_000


def evaluate(model, train, test, k: int) -> dict:
    """The metrics the results table shows; empty without a test set. No RMSE or MAE for a model that
    does not predict ratings (implicit ALS, Truncated SVD, Popularity: see `judged_by_rmse`), so that no
    table, chart, sweep or pick of the best shows or uses them."""
    if test is None:
        return {}
    from mfviz import evaluation
    from mfviz.evaluation.metrics import judged_by_rmse

    result = evaluation.evaluate(model, train, test, k=k, max_users=EVAL_USERS, seed=0)
    drop = {"n_users", "n_items", "nnz", "fit_seconds"} | (set() if judged_by_rmse(model) else {"rmse", "mae"})
    return {key: float(value) for key, value in dict(result).items()
            if isinstance(value, int | float) and key not in drop}


RANKS_ONLY = "it ranks items, predicting no ratings"  # why a model has no RMSE or MAE (`evaluate` leaves them out)
NO_TEST_SET = "it was trained or loaded without a test set"
NOT_MEASURED = "it was not measured"
OF_SEVERAL = {RANKS_ONLY: "they rank items, predicting no ratings",  # each reason, said of several models
              NO_TEST_SET: "they were trained or loaded without a test set", NOT_MEASURED: "they were not measured"}


def why_no_value(entry, metric: str) -> str:
    """Why a model of the results table has no value of `metric`, of one model, in words the comparison chart puts in
    a sentence ("No RMSE for Truncated SVD: it ranks items, predicting no ratings"; OF_SEVERAL for several)."""
    from mfviz.evaluation.metrics import judged_by_rmse

    if entry.test is None or not entry.metrics:
        return NO_TEST_SET
    if metric in ("rmse", "mae") and not judged_by_rmse(entry.model):
        return RANKS_ONLY
    return NOT_MEASURED


NO_VALUE = "–"  # what the results table shows in a cell without a value (the baseline's epochs, a ranker's RMSE)


# The results table's first columns: what a model is judged by, before how it was trained. At 1,280 px the
# table shows about seven columns, and NDCG@10 came eighth (after fit time, epochs and split): cut at its edge.
LEADING = ("model", "vs. baseline", "ndcg", "rmse", "mae", "recall", "coverage")  # what fits 1,280 px first
TRAILING = ("fit_seconds", "epochs", "split", "hyperparameters")


def results_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The results table as the page gives it to st.dataframe(placeholder=NO_VALUE): every cell without a
    value (None, NaN, an empty text) missing alike, so that each shows NO_VALUE (Streamlit wrote "None" in
    the missing cells; a pandas Styler's "–" is not drawn there). Numbers stay numbers: the columns sort by value.
    Columns in LEADING's order first (a metric by its name before "@"), the other metrics, then TRAILING's."""
    def rank(column: str) -> tuple[int, int]:
        name = column.split("@")[0]
        if name in LEADING:
            return 0, LEADING.index(name)
        return (2, TRAILING.index(column)) if column in TRAILING else (1, 0)

    ordered = sorted(frame.columns, key=rank)  # stable: the other metrics keep their order
    return frame[ordered].replace("", None)


HELD_OUT_USERS = 1_000  # test users ranked after every epoch for the live held-out curve, at most
REPLAY_ITEMS, REPLAY_EPOCHS = 1_500, 60  # items and epochs kept for the replay of a training (float16)


def rates(model) -> bool:
    """Whether a model predicts ratings (Funk SVD, SVD++, ALS): judged by RMSE, not by ranking. Truncated
    SVD (feedback "any") is not: it reads missing entries as zeros (see `judged_by_rmse`)."""
    return getattr(model, "feedback", "any") == "explicit"


def make_model(kind: str, params: dict):
    from mfviz.models import MODELS

    if kind not in MODELS:
        raise ModelError(f"unknown model {kind!r}; choose one of {sorted(MODELS)}")
    return MODELS[kind](**params)


@dataclass
class TrainingJob:
    """One fit — or a sweep: one fit per value of a hyperparameter, on the same split — running in a
    background thread, so the page can redraw progress every few tenths of a second, survive a page
    switch, and stop at the next epoch when asked (a stopped sweep trains no further models)."""

    kind: str
    label: str
    params: dict
    train: Any
    test: Any
    k: int
    data_key: str
    split: str
    sweep: tuple[str, list] | None = None  # (hyperparameter, its values)
    split_settings: dict | None = None  # {"split": method, "test": share, "seed": seed}: for each model's recipe
    epochs: list = field(default_factory=list)  # (epoch, loss, seconds, held-out metric) of the model in training
    snapshots: list = field(default_factory=list)  # its replay_items' vectors after some epochs (float16)
    snapshot_labels: list = field(default_factory=list)  # the epoch of each snapshot; the last is the kept model
    snapshot_stride: int = 1  # a snapshot every this many epochs (doubled as a training outgrows REPLAY_EPOCHS)
    replay_items: Any = None  # the items a replay shows (the most popular REPLAY_ITEMS)
    lined_up: tuple | None = None  # (coords, settled, kept) of a restored job's replay, which has no snapshots
    opened: bool = False  # restored from a saved workspace: said as trained before it was saved, not just now
    error: str | None = None
    entries: list = field(default_factory=list)  # the models trained so far
    failures: list = field(default_factory=list)  # (label, message) of a sweep's models that failed
    warnings: list = field(default_factory=list)  # (label, message): what a trained model's fit warned of
    notes: list = field(default_factory=list)  # (label, message): how the settings asked were taken
    existing: list = field(default_factory=list)  # the session's models: one trained the same way is reused
    reused: list = field(default_factory=list)  # those of `entries` taken from `existing`, not trained again
    current: int = 0  # index of the model in training (a sweep's)
    started: float = field(default_factory=time.perf_counter)
    finished_at: float | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    # the browser session that asked: once it is gone (its tab closed), the job stops after the epoch
    owner: str | None = field(default_factory=background.current_session)
    followers: list = field(default_factory=list)  # sessions that took the job up after a reload of the owner's tab
    thread: threading.Thread | None = None
    test_pairs: Any = None  # the test part as COO, made once for every epoch's RMSE
    compile_seconds: float = 0.0  # spent compiling (or loading) the kernels before the fits (`compile_first`)
    scoring: bool = False  # the fit is done and the test users' lists are being ranked for the metrics
    shown_before: str | None = None  # the model the pages showed when it started: offered back if this one ranks worse

    def start(self) -> TrainingJob:
        self.thread = threading.Thread(target=self._run_in_background, name=f"mfviz-train-{self.kind}", daemon=True)
        background.training_started()  # the precomputing worker waits until it ends: the cores are the training's
        self.thread.start()
        return self

    def _run_in_background(self) -> None:
        try:
            self._run()
        finally:
            background.training_finished()

    @classmethod
    def finished(cls, seconds: float, stopped: bool, **fields) -> TrainingJob:
        """A training that ended elsewhere (the last one of a saved workspace): the Train page shows its loss
        curve and replay again, as it does after a training of this session."""
        job = cls(**fields)
        job.finished_at = time.perf_counter()
        job.started = job.finished_at - seconds
        if stopped:
            job.stop_event.set()
        return job

    @property
    def done(self) -> bool:
        # finished_at is set last, once every epoch and model is recorded; a restored job has no thread
        return self.finished_at is not None and (self.thread is None or not self.thread.is_alive())

    @property
    def entry(self) -> ModelEntry | None:
        """The model trained (the last one of a sweep)."""
        return self.entries[-1] if self.entries else None

    @property
    def variants(self) -> list[tuple[str, dict]]:
        """(label, hyperparameters) of every model this job trains."""
        if self.sweep is None:
            return [(self.label, self.params)]
        name, values = self.sweep
        short = {"factors": "f", "random_state": "seed"}.get(name, name)
        return [(f"{self.label.split(' (')[0]} ({short}={value:g})", {**self.params, name: value})
                for value in values]

    @property
    def expected_epochs(self) -> int | None:
        epochs = self.variants[min(self.current, len(self.variants) - 1)][1].get("epochs")
        return int(epochs) if epochs else None

    def stop(self) -> None:
        self.stop_event.set()

    def same_as(self, params: dict) -> ModelEntry | None:
        """The model of `existing` trained as these hyperparameters would be (same kind, split, seed and k,
        by its recipe), which training again would only repeat: a seeded or deterministic fit, not stopped
        early (such models alone have a recipe). None for an unseeded fit: each run of it differs."""
        if self.split_settings is None or ("random_state" in params and params["random_state"] is None):
            return None
        recipe = {"kind": self.kind, "params": dict(params), **self.split_settings, "k": self.k}
        return next((e for e in self.existing if e.data_key == self.data_key and e.recipe == recipe), None)

    def _progress(self, model, epoch: int, loss: float, seconds: float) -> bool:
        scorer = model.scorer(users=self._scored_users(model))
        # Past REPLAY_EPOCHS snapshots, every other one is dropped and only every other epoch kept from
        # then on (doubling as often as needed), so a long training is replayed evenly over its length.
        if (epoch - 1) % self.snapshot_stride == 0:
            self._snapshot(scorer.item_factors, str(epoch))
            if len(self.snapshots) > REPLAY_EPOCHS:
                self.snapshot_stride *= 2
                keep = [n for n, label in enumerate(self.snapshot_labels)
                        if (int(label) - 1) % self.snapshot_stride == 0]
                self.snapshots = [self.snapshots[n] for n in keep]
                self.snapshot_labels = [self.snapshot_labels[n] for n in keep]
        self.epochs.append((int(epoch), float(loss), float(seconds), self._held_out(model, scorer)))
        if self.abandoned():
            self.stop_event.set()  # nobody is left to see it: no further epochs, no further models of a sweep
        return not self.stop_event.is_set()

    def replay(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(coords snapshots × items × 2, share of final neighbours and of the previous snapshot's neighbours per
        snapshot) of the replay (cached), or None when fewer than two epochs were kept."""
        if self.lined_up is not None:
            return self.lined_up
        if len(self.snapshots) < 2:
            return None

        return cached_models.replay(f"{self.label}|{self.started}", self.snapshots)

    def leave(self, session: str | None) -> None:
        """`session` no longer watches the job (it went on to other data); with nobody left watching it, it stops
        after its epoch. A second tab of the browser that took it up and loaded other data stopped the first
        tab's training."""
        watchers = [s for s in (self.owner, *self.followers) if s is not None and s != session]
        if not watchers:
            self.stop_event.set()
            return
        self.owner, self.followers = watchers[0], watchers[1:]

    def abandoned(self) -> bool:
        """Whether every session that watches it is gone: the one that asked and any that took it up after a
        reload of its tab (a reload alone used to stop it, its session being gone)."""
        return all(background.session_gone(session) for session in (self.owner, *self.followers))

    def _snapshot(self, item_factors, label: str) -> None:
        """Keep the replay items' vectors (float16) under `label`."""
        if self.replay_items is None:  # the most popular items: the ones a replay is read by
            counts = np.bincount(self.train.matrix.indices, minlength=self.train.matrix.shape[1])
            self.replay_items = np.sort(np.argsort(-counts, kind="stable")[:REPLAY_ITEMS])
        self.snapshots.append(np.asarray(item_factors)[self.replay_items].astype(np.float16))
        self.snapshot_labels.append(label)

    def _final_snapshot(self, model) -> None:
        """The replay ends on the model kept: after the last epoch, or the best epoch that early
        stopping restored (a replay of 100 epochs used to end at epoch 60, labelled final)."""
        epochs = len(model.history)
        kept = getattr(model, "best_epoch", None) or epochs
        if self.snapshot_labels and self.snapshot_labels[-1] == str(epochs) and kept == epochs:
            self.snapshots.pop(), self.snapshot_labels.pop()  # the same epoch: replaced by the kept vectors
        if epochs:
            self._snapshot(model.item_factors, str(epochs) if kept == epochs else f"{kept} (kept)")

    def _scored_users(self, model):
        """The test users `_held_out` ranks (None: every user, or no test set)."""
        if self.test is None or (rates(model) and self.test.is_explicit):
            return None
        from mfviz.evaluation.metrics import test_users

        return test_users(self.test, HELD_OUT_USERS, train=self.train.matrix)  # per_user's own seeded sample

    def _held_out(self, model, scorer) -> float | None:
        """The test metric of the epoch just finished (RMSE for a model of ratings, else NDCG@k of up
        to HELD_OUT_USERS sampled test users), or None without a test set; not counted as fit time."""
        if self.test is None:
            return None
        try:
            if rates(model) and self.test.is_explicit:
                from mfviz.evaluation import rmse

                if self.test_pairs is None:  # once per job, not per epoch
                    self.test_pairs = self.test.matrix.tocoo()
                coo = self.test_pairs
                return rmse(scorer.predict(coo.row, coo.col), coo.data)
            from mfviz.evaluation.breakdown import per_user

            return float(per_user(scorer, self.test, self.k, max_users=HELD_OUT_USERS)[f"ndcg@{self.k}"].mean())
        except (DataError, ModelError, ValueError):
            return None  # e.g. a diverging epoch: the loss says so, the curve just has a gap

    def _run(self) -> None:
        try:
            for n, (label, params) in enumerate(self.variants):
                if n and self.stop_event.is_set():
                    break
                self.current, self.epochs, self.snapshots, self.snapshot_labels, self.snapshot_stride = n, [], [], [], 1
                if (same := self.same_as(params)) is not None:  # a sweep that re-trained one listed "#2"
                    self.entries.append(same)
                    self.reused.append(same)
                    continue
                try:
                    self.entries.append(self._train(label, params))
                except (DataError, ModelError) as exc:
                    if self.sweep is None:
                        raise
                    # One value of a sweep failing (e.g. a learning rate that diverges) is a result too:
                    # noted, and the sweep goes on with the next value.
                    self.failures.append((label, str(exc)))
            if self.sweep is not None and not self.entries and self.failures:
                self.error = "Every model of the sweep failed: " + "; ".join(f"{label}: {why}"
                                                                          for label, why in self.failures)
        except (DataError, ModelError) as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never as a traceback
            self.error = f"Training failed: {type(exc).__name__}: {exc}"
        finally:
            self.finished_at = time.perf_counter()

    def _train(self, label: str, params: dict) -> ModelEntry:
        model = make_model(self.kind, params)
        self.compile_seconds += compile_first(self.kind, params)
        model.fit(self.train, callback=lambda *epoch: self._progress(model, *epoch))
        self._final_snapshot(model)
        # said on the page: ranking the test users (20,000 of a 5M-rating upload) took 17-23 s after the last epoch
        self.scoring = self.test is not None
        try:
            metrics = evaluate(model, self.train, self.test, self.k)
        finally:
            self.scoring = False
        # what the fit warned of (learned nothing, Truncated SVD's surplus components): a warning of this thread
        # would reach only the server's console, so the model keeps them (Model.fit_warnings)
        self.warnings.extend((label, why) for why in model.fit_warnings if (label, why) not in self.warnings)
        stopped = self.stop_event.is_set()
        # Seeded fits repeat exactly: the recipe trains the same model elsewhere (not a stopped one)
        repeatable = (self.split_settings is not None and not stopped
                      and ("random_state" not in params or params["random_state"] is not None))
        return ModelEntry(name=label, model=model, kind=self.kind, params=dict(params),
                          key=model_hash(model, self.data_key), data_key=self.data_key, metrics=metrics,
                          fit_seconds=float(getattr(model, "fit_seconds", 0.0)), epochs=len(self.epochs),
                          split=self.split, stopped_early=stopped, train=self.train, test=self.test,
                          split_settings=self.split_settings,
                          recipe={"kind": self.kind, "params": dict(params), **self.split_settings, "k": self.k}
                          if repeatable else None)


def learned_nothing_said(job, entry) -> bool:
    """Whether the job's warnings say that `entry` learned nothing (its vectors are zero): that its lists do not beat
    the baseline would then only repeat it less clearly. Another warning of its fit (Truncated SVD's surplus
    components) leaves its verdicts to be said."""
    said = [why for label, why in job.warnings if label == entry.name]
    return bool(said) and learned_nothing(entry.model, entry.train) in said


def split_shown(entry) -> str:
    """A model's split as the results table names it: with its seed, so two random splits of other seeds differ
    ("random 20% test" read the same for seeds 0 and 2)."""
    settings = entry.split_settings or {}
    if not entry.split or entry.split == "none" or "seed" not in settings or "time" in str(settings.get("split")):
        return entry.split  # a time split has no seed to tell apart
    return f"{entry.split}, seed {settings['seed']}"


def unevaluable(train, test) -> bool:
    """Whether no test user has a training interaction: the ranking metrics then have no one to rank."""
    from mfviz.evaluation.metrics import test_users

    return test_users(test, train=train.matrix).size == 0


def check_evaluable(train, test) -> None:
    """DataError, before any training, for a split whose test users the training part never saw (each had all
    their items held out): `evaluate` would say so only after the fit, and the model was lost."""
    if test is not None and unevaluable(train, test):
        raise DataError("no test user of this split has an interaction in the training part (each had all their "
                        "items held out), so nothing could be ranked to evaluate a model: hold out “a share of each "
                        "user's history”, or train without a test set")


def quick_step(data_key: str) -> str:
    """The name of the quick default model's training among background's long steps."""
    return f"quick|{data_key}"


def quick_progress(progress) -> tuple[float, str]:
    """(share done, words) of the quick default model's training for a progress bar: its stage, the epoch and the
    time left while it trains (from the pace of the epochs so far), the seconds spent on a stage of unknown length."""
    stage = progress.stage or "Starting"
    if progress.total:  # the epochs
        left = progress.seconds_left()
        share = 0.05 + 0.8 * progress.share()
        words = f"{stage}: epoch {progress.done} of {progress.total}" + ("" if left is None else f", about {left:.0f} s left")
    else:
        share = 0.9 if stage.startswith("Scoring") else 0.02
        words = f"{stage}… ({time.monotonic() - progress.stage_started:.0f} s)"
    return share, f"Training a quick model on this data so every page has something to show. {words}"


# Each entry holds a model and its data's split (no byte budget applies to st.cache_resource): a few.
@st.cache_resource(show_spinner="Training a quick model on this data so every page has something to show…",
                   max_entries=4)
def default_model(data_key: str, _interactions) -> ModelEntry | None:
    """The quick default model for a dataset, trained once per content hash and never mutated; how far it is, in
    `background.step_progress(quick_step(data_key))` (a page waiting on it draws that)."""
    progress = background.step_progress(quick_step(data_key))
    progress.finished = False
    last_error = None
    for kind, params in DEFAULT_MODELS:
        for size in (0.2, 0.0):
            # Without a test user the training part knows (users of one interaction each), nothing can be ranked
            # for evaluation: the model is trained on everything, without a test set, and every page still has one
            # (every page said the data needed another split, which only the Train page has).
            train = test = None
            try:
                progress.update(0, 0, "Splitting the data")
                train, test = split_data(data_key, _interactions, "random", size, 0)
                model = make_model(kind, params)
                progress.update(0, 0, f"Preparing {model.label}")
                compile_first(kind, params)  # its fit time on the charts, not numba's one-off compile
                epochs = int(params.get("epochs", 0))
                progress.update(0, epochs, f"Training {model.label}")
                model.fit(train, callback=lambda *_, fitting=model, of=epochs: progress.update(len(fitting.history), of))
                if test is not None:
                    tested = int(np.count_nonzero(np.diff(test.matrix.indptr)))  # evaluate's sample, at most
                    progress.update(0, 0, f"Scoring {min(EVAL_USERS, tested):,} users on their held-out items")
                metrics = evaluate(model, train, test, 10)
            except DataError as exc:
                last_error = exc
                if size and (test is None or unevaluable(train, test)):
                    continue  # no split to make, or none to evaluate on: the same model without a test set
                break  # another fault of this data: the next kind of model
            except (ModelError, NotImplementedError, ImportError, AttributeError) as exc:
                last_error = exc
                break
            progress.finished = True
            return ModelEntry(name=f"{model.label} (quick default)", model=model, kind=kind, params=params,
                              key=model_hash(model, data_key), data_key=data_key, metrics=metrics,
                              fit_seconds=float(model.fit_seconds), epochs=len(model.history),
                              split="random 20% test" if size else "none", auto=True, train=train, test=test,
                              split_settings={"split": "random" if size else "none", "test": size, "seed": 0})
    if last_error is not None:
        raise ModelError(f"could not train a default model on this data: {last_error}")
    progress.finished = True
    return None
