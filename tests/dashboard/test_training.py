"""The dashboard's background training job: progress per epoch, stop, errors as messages."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from mfviz import Interactions
from mfviz.dashboard.training import TrainingJob


def small_data() -> Interactions:
    rng = np.random.default_rng(0)
    matrix = sp.random(40, 30, density=0.3, random_state=rng, format="csr", dtype=np.float32)
    matrix.data[:] = rng.integers(1, 6, matrix.nnz)
    return Interactions(matrix, np.arange(40), np.arange(30), is_explicit=True)


def run(job: TrainingJob) -> TrainingJob:
    job.start()
    job.thread.join(timeout=120)
    assert job.done
    return job


def make_job(params: dict, **overrides) -> TrainingJob:
    data = small_data()
    fields = dict(kind="als", label="ALS", params=params, train=data, test=None, k=5, data_key="d", split="none")
    fields.update(overrides)
    return TrainingJob(**fields)


def test_a_job_reports_every_epoch_and_yields_a_model():
    job = run(make_job({"factors": 4, "epochs": 5, "random_state": 0}))
    assert job.error is None
    assert [epoch for epoch, _, _ in job.epochs] == [1, 2, 3, 4, 5]
    assert job.entry.epochs == 5 and not job.entry.stopped_early
    assert job.entry.model.item_factors.shape == (30, 4)


def test_stop_ends_training_after_the_current_epoch():
    job = make_job({"factors": 4, "epochs": 50, "random_state": 0})
    job.stop()  # asked before the first epoch ends: training stops after epoch 1
    run(job)
    assert job.error is None
    assert len(job.epochs) == 1 and job.entry.stopped_early
    assert job.entry.model.is_fitted


def test_a_bad_hyperparameter_becomes_a_message():
    job = run(make_job({"factors": 0}))
    assert job.entry is None
    assert "factors" in job.error and "0" in job.error
