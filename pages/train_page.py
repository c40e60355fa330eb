"""Train page: pick a model and its hyperparameters, watch it train, compare, save and load models."""

import streamlit as st

from mfviz.dashboard import (
    served,
    state,
    train_comparison,
    train_form_fields,
    train_model_files,
    train_model_pick,
    train_progress,
    train_results,
    train_start,
    ui,
)

# one line at 1,280 px: the first screen holds the form and, under it, the outcome of a training
ui.header("Train", "Train a model on the current data; every model of this session is compared below, and can be "
          "saved to a file.")

data = ui.current_data()
inter = data.interactions
with ui.guard("Listing the models"):
    from mfviz.models import MODELS

# ------------------------------------------------------------------ settings
job = st.session_state.get(state.TRAINING)
running = job is not None and not job.done

kind, reset_slot, above_form = train_model_pick.pick_model(MODELS, inter)
cls = MODELS[kind]
train_model_pick.describe(cls, kind, inter, above_form)

# The values this model was last trained with: Streamlit forgets a widget's value once another
# model's form is shown, so picking this model again starts from them rather than the defaults.
last = st.session_state.setdefault(state.TRAIN_PARAMS, {}).get(kind, {})
train_form_fields.reset_button(cls, kind, reset_slot)
train_model_pick.say_other_data(cls, last, data, above_form)
helps, unseeded = train_form_fields.parallel_box(cls, kind, last, above_form)
form = train_form_fields.draw_form(cls, kind, inter, last, helps, unseeded, running)

# The outcome of the last training (trained, its verdicts and the way back) right under the Train button, where the eye
# is when it ends: under the loss curve it sat at 1,230-1,330 px of a 720 px screen (review). One place in every run:
# the browser keeps what the last run drew until the next run has ended, so a "Trained …" drawn one place lower stayed
# beside the new one (twice after one training, UX review).
outcome = st.empty()

if form.submitted and not running:
    train_start.start_from_form(kind, form, unseeded, data)
train_start.confirm_pending(data, running)

# ------------------------------------------------------------------ live progress
job = st.session_state.get(state.TRAINING)
if job is not None:
    train_progress.draw(job, live=True, outcome=outcome, data=data)
    st.session_state.pop(state.TRAINING, None)
    ui.add_trained(job)  # what finished, even when a later model of a sweep failed
    st.session_state[state.LAST_TRAINING] = job
    st.rerun()  # redraw the page (results table, sidebar) with the new model and the form enabled
elif st.session_state.get(state.LAST_TRAINING) is not None:
    ended = st.session_state[state.LAST_TRAINING]
    if ended.data_key == data.key:
        train_progress.draw(ended, live=False, outcome=outcome, data=data)

# ------------------------------------------------------------------ results
ui.ensure_model()
entries = ui.models()
st.subheader("Models of this session")
baseline_of, baseline_rows, levels = train_results.baseline_scores(entries)
results = train_results.model_rows(entries, baseline_of)
train_results.show_table(results, baseline_rows, baseline_of)
train_results.say_verdicts(results, levels)
train_results.say_counts(entries)
train_comparison.show(results, baseline_rows, baseline_of, entries)

served.show(entries, st.session_state.get(state.ACTIVE_MODEL))

# ------------------------------------------------------------------ save / load
train_model_files.show(entries, data)
