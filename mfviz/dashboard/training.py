"""Training for the dashboard: a background job with live progress and a stop flag, and the
quick default model trained on first load so every page has something to show."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from mfviz.dashboard.state import ModelEntry, model_hash
from mfviz.errors import DataError, ModelError

# The fast model the app trains by itself on first load, with small settings (seconds on the demo).
DEFAULT_MODELS = (("ials", {"factors": 32, "epochs": 8}), ("svd", {"factors": 32}), ("popularity", {}))
SPLITS = {"random": "random interactions", "user": "a share of each user's interactions",
          "time": "each user's latest interactions"}


def split_data(interactions, method: str, test_size: float, seed: int):
    """(train, test) Interactions; test is None when test_size is 0 (train on everything)."""
    if test_size <= 0:
        return interactions, None
    from mfviz import evaluation

    return evaluation.split(interactions, method=method, test_size=test_size, seed=seed)


def evaluate(model, train, test, k: int) -> dict:
    """The metrics the results table shows; empty without a test set."""
    if test is None:
        return {}
    from mfviz import evaluation

    result = evaluation.evaluate(model, train, test, k=k)
    return {key: float(value) for key, value in dict(result).items()
            if isinstance(value, int | float) and key not in ("n_users", "n_items", "nnz", "fit_seconds")}


def make_model(kind: str, params: dict):
    from mfviz.models import MODELS

    if kind not in MODELS:
        raise ModelError(f"unknown model {kind!r}; choose one of {sorted(MODELS)}")
    return MODELS[kind](**params)


@dataclass
class TrainingJob:
    """One fit running in a background thread, so the page can redraw progress every few tenths
    of a second, survive a page switch, and stop at the next epoch when asked."""

    kind: str
    label: str
    params: dict
    train: Any
    test: Any
    k: int
    data_key: str
    split: str
    epochs: list = field(default_factory=list)  # (epoch, loss, seconds)
    error: str | None = None
    entry: ModelEntry | None = None
    started: float = field(default_factory=time.perf_counter)
    finished_at: float | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start(self) -> TrainingJob:
        self.thread = threading.Thread(target=self._run, name=f"mfviz-train-{self.kind}", daemon=True)
        self.thread.start()
        return self

    @property
    def done(self) -> bool:
        return self.thread is not None and not self.thread.is_alive()

    @property
    def expected_epochs(self) -> int | None:
        epochs = self.params.get("epochs")
        return int(epochs) if epochs else None

    def stop(self) -> None:
        self.stop_event.set()

    def _progress(self, epoch: int, loss: float, seconds: float) -> bool:
        self.epochs.append((int(epoch), float(loss), float(seconds)))
        return not self.stop_event.is_set()

    def _run(self) -> None:
        try:
            model = make_model(self.kind, self.params)
            model.fit(self.train, callback=self._progress)
            metrics = evaluate(model, self.train, self.test, self.k)
            self.entry = ModelEntry(
                name=self.label, model=model, kind=self.kind, params=dict(self.params),
                key=model_hash(model, self.data_key), data_key=self.data_key, metrics=metrics,
                fit_seconds=float(getattr(model, "fit_seconds", 0.0)), epochs=len(self.epochs),
                split=self.split, stopped_early=self.stop_event.is_set())
        except (DataError, ModelError) as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never as a traceback
            self.error = f"Training failed: {type(exc).__name__}: {exc}"
        finally:
            self.finished_at = time.perf_counter()


@st.cache_resource(show_spinner="Training a quick model on this data so every page has something to show…",
                   max_entries=8)
def default_model(data_key: str, _interactions) -> ModelEntry | None:
    """The quick default model for a dataset, trained once per content hash and never mutated."""
    last_error = None
    for kind, params in DEFAULT_MODELS:
        try:
            train, test = split_data(_interactions, "random", 0.2, 0)
            model = make_model(kind, params)
            model.fit(train)
            metrics = evaluate(model, train, test, 10)
        except (ModelError, DataError, NotImplementedError, ImportError, AttributeError) as exc:
            last_error = exc
            continue
        return ModelEntry(name=f"{model.label} (quick default)", model=model, kind=kind, params=params,
                          key=model_hash(model, data_key), data_key=data_key, metrics=metrics,
                          fit_seconds=float(model.fit_seconds), epochs=len(model.history),
                          split="random 20% test", auto=True)
    if last_error is not None:
        raise ModelError(f"could not train a default model on this data: {last_error}")
    return None
