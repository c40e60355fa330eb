"""Starting a training from the Train form: the job made of the form's values, started at once, or first asked
about when its settings take minutes per epoch."""

from __future__ import annotations

import re
import time

import streamlit as st

from mfviz.dashboard import fit_time, model_names, state, sweeps, training, ui, workspace
from mfviz.dashboard.train_form_fields import FormValues
from mfviz.errors import DataError

# the split's messages name the API's test_size; the page's control is "Test share" (2 rows read "test_size=0.2 of 2
# interactions leaves the test set empty; raise test_size")
SPLIT_WORDS = ((re.compile(r"test_size=([0-9.eE+-]+)"), r"a Test share of \1"), (re.compile(r"\btest_size\b"), "the Test share"))


def split_in_page_words(data_key: str, inter, method: str, size: float, seed: int):
    """training.split_data, its DataError said in the page's words."""
    try:
        return training.split_data(data_key, inter, method, size, seed)
    except DataError as exc:
        said = str(exc)
        for pattern, words in SPLIT_WORDS:
            said = pattern.sub(words, said)
        raise DataError(said[:1].upper() + said[1:]) from exc


def start_training(job: training.TrainingJob) -> None:
    """Start the job, and keep the workspace with it now: this run draws its progress until it ends, and the
    workspace is otherwise kept after a run, so a reload during it found no training to take up."""
    st.session_state[state.TRAINING] = job.start()
    workspace.save(workspace.PAGE_WIDGETS)


def start_from_form(kind: str, form: FormValues, unseeded: bool, data) -> None:
    """The training the form asks for (`unseeded`: parallel is ticked), started, or kept pending when slow."""
    inter = data.interactions
    params, method, test_size, seed, k = form.params, form.method, form.test_size, form.seed, form.k
    swept, sweep_text = form.swept, form.sweep_text
    notes = []
    if unseeded:
        notes.append("trained in parallel (Hogwild), which cannot be seeded: the model differs a little on every run, "
                     "and a link to it cannot retrain it.")
    st.session_state[state.TRAIN_PARAMS][kind] = dict(params) | {"_sweep": (swept, sweep_text), "_data": data.key,
                                                                 "_data_name": data.name}
    with ui.guard("Preparing the split"):
        size = 0.0 if method == "none" else float(test_size)
        train, test = split_in_page_words(data.key, inter, method, size, int(seed))
        training.check_evaluable(train, test)  # before a fit whose model evaluation would then throw away
        training.make_model(kind, params)  # validates hyperparameters before the thread starts
        sweep = (swept, sweeps.sweep_values(kind, swept, sweep_text, params)) if swept else None
    label = model_names.model_label(kind, params, method)
    split_words = "none" if method == "none" else f"{method} {size:.0%} test"
    job = training.TrainingJob(kind=kind, label=label, params=params, train=train, test=test, k=int(k),
                               data_key=data.key, split=split_words, sweep=sweep,
                               split_settings={"split": method, "test": size, "seed": int(seed)},
                               notes=[(label, note) for note in notes], existing=list(ui.models().values()),
                               shown_before=st.session_state.get(state.ACTIVE_MODEL))
    # Settings that take minutes per epoch (ALS at 1,024 factors: 406 s) are said before they start.
    slow = fit_time.slow_settings(kind, [p for _, p in job.variants if job.same_as(p) is None], train)
    st.session_state.pop("train_pending", None)
    if slow is None:
        start_training(job)
    else:
        st.session_state["train_pending"] = (job, slow)


def confirm_pending(data, running: bool) -> None:
    """A training kept pending for its slow settings: said, with a button to train anyway and one to cancel."""
    pending = st.session_state.get("train_pending")
    if pending is not None and not running and pending[0].data_key == data.key:
        slot = st.empty()
        with slot.container(border=True):
            st.warning(pending[1], icon=":material/hourglass_top:")
            go_on, cancel = st.columns([1, 4])
            if go_on.button("Train anyway", key="train_anyway", type="primary"):
                st.session_state.pop("train_pending")
                pending[0].started = time.perf_counter()  # its clock starts now, not when it was asked
                start_training(pending[0])
                slot.empty()
            elif cancel.button("Cancel", key="train_cancel"):
                st.session_state.pop("train_pending")
                slot.empty()
