"""The Train page's box of a training: its progress bar and loss curve, drawn live until it ends, then what came of
it (train_outcome) and the replay of how the items moved."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from mfviz.dashboard import (
    cached_data,
    cached_maps,
    map_colours,
    model_names,
    train_figures,
    train_outcome,
    training,
    ui,
)
from mfviz.dashboard.plain import plain, plain_message


def held_out_label(job: training.TrainingJob) -> str | None:
    """What the job scores after every epoch (see TrainingJob._held_out), for the chart."""
    from mfviz.models import MODELS  # imported by the page under its guard before any job exists

    if job.test is None:
        return None
    if MODELS[job.kind].feedback == "explicit" and job.test.is_explicit:
        return "RMSE on the test set"
    sampled = job.test.matrix.getnnz(axis=1).astype(bool).sum() > training.HELD_OUT_USERS
    return f"NDCG@{job.k} on the test set" + (f" ({training.HELD_OUT_USERS:,} sampled users)" if sampled else "")


def epoch_and_table(job: training.TrainingJob) -> str | None:
    """Why the curve's last NDCG differs from the results table's, with both numbers: the curve ranks a
    sample of HELD_OUT_USERS test users each epoch (to keep training fast), the table up to EVAL_USERS."""
    entry, label = job.entry, held_out_label(job)
    if entry is None or not job.epochs or label is None or "sampled" not in label:
        return None
    last, table = job.epochs[-1][3], entry.metrics.get(f"ndcg@{job.k}")
    if last is None or table is None or getattr(entry.model, "best_epoch", None):  # a restored epoch is not the last
        return None
    users = int(entry.metrics.get("users_evaluated", 0))
    return (f"The curve's NDCG@{job.k} ranks a seeded sample of {training.HELD_OUT_USERS:,} test users after every "
            f"epoch (to keep training fast): {last:.4f} after the last. The results table ranks {users:,} test users "
            f"({'a seeded sample, ' if users >= training.EVAL_USERS else 'all of them, '}the same for every model of "
            f"the split): {table:.4f} for the same model. The two differ by the users sampled, not by the model; "
            "compare models in the table.")


def draw(job: training.TrainingJob, live: bool, outcome, data) -> None:
    """Progress bar and loss curve of a job; while `live`, redrawn until the job has finished; once it has, what came
    of it in the slot `outcome` (under the Train button), and the replay of its items on `data`."""
    from mfviz.models import MODELS

    if live:  # the last training's outcome would otherwise stay beside the new one's progress until it ends
        outcome.empty()
    with st.container(border=True):
        variants = job.variants
        # a saved workspace's last training, shown again: not "Training …" over a full bar, read as a run going on
        before = " (trained before the workspace was saved)" if job.opened else ""
        if job.sweep:
            st.markdown(f"**Sweep of {model_names.plain_name(job.sweep[0])}: {len(variants)} models of "
                        f"{MODELS[job.kind].label}**{before}")
        else:
            st.markdown(f"**{plain(job.label)}**{before}" if job.opened else f"**Training {plain(job.label)}**")
        stop_words = "Stop after this epoch" + (" (train no further models)" if job.sweep else "")
        stop_slot = st.empty()  # a place in every run, the button only while it trains
        if live and stop_slot.button(stop_words, key="stop_training"):
            job.stop()
        bar = st.progress(0.0)
        chart_slot = st.empty()
        drawn = -1
        while True:
            finished = job.done  # read first, so the last epochs are drawn once it turns True
            epochs = list(job.epochs)
            total = job.expected_epochs
            elapsed = (job.finished_at or time.perf_counter()) - job.started
            done_words = " · stopped early" if job.stop_event.is_set() and finished else ""
            current = min(job.current, len(variants) - 1)
            # once a sweep is done the box still draws its last model: said so, since the one chosen (above, in
            # the outcome) is another ("model 5 of 5: Truncated SVD (f=256)" under "f=16 chosen" read as a contradiction)
            which = ("" if not job.sweep else
                     f"{len(job.entries)} models trained; drawn below, the last of them: {variants[current][0]} · "
                     if finished and job.entries else f"model {current + 1} of {len(variants)}: {variants[current][0]} · ")
            share = min(len(epochs) / total, 1.0) if total else 0.5
            one_step = total is None and len(epochs) == 1  # no epochs to set: the model is one fit (Truncated SVD)
            step = "one fit" if one_step else f"epoch {len(epochs)}{f' of {total}' if total else ''}"
            if job.scoring and not finished:  # after the last epoch: nothing left for the stop button to stop
                step += " · trained; ranking the test users' lists for the metrics"
                stop_slot.empty()
            bar.progress(1.0 if finished else (current + share) / len(variants),
                         text=f"{which}{step} · {elapsed:.1f} s{done_words}")
            # once trained, the epoch early stopping restored (the model drawn is the last trained)
            kept = getattr(job.entry.model, "best_epoch", None) if finished and len(job.entries) == current + 1 else None
            if epochs and (current, len(epochs), kept) != drawn:
                with chart_slot.container():
                    if one_step:  # a curve of one point would zoom its axes onto rounding noise
                        numbers, caption = train_figures.one_fit_numbers(epochs[0], variants[current][0],
                                                                         held_out_label(job))
                        for column, (name, value) in zip(st.columns([1, 1.6, 1.4]), numbers, strict=False):
                            column.metric(name, value)
                        st.caption(caption)
                    else:
                        ui.show(train_figures.loss_curve(epochs, variants[current][0], held_out_label(job), kept,
                                                         learning_rate="learning_rate" in MODELS[job.kind].params),
                                key=f"loss_{id(job)}_{current}_{len(epochs)}_{kept}")
                drawn = (current, len(epochs), kept)
            if finished or not live:
                break
            time.sleep(0.25)
        if job.done and (words := epoch_and_table(job)) is not None:
            st.caption(words)
        for label, note in job.notes:
            st.info(f"{plain(label)}: {plain_message(note)}", icon=":material/info:")
        train_outcome.say(job, live, outcome)
        replay(job, live, data)


def replay(job: training.TrainingJob, live: bool, data) -> None:
    """Once a training has ended, a toggle replaying how the most popular items moved after every epoch."""
    inter = data.interactions
    if not live and job.entry is not None and len(job.snapshot_labels) >= 2 and st.toggle(
            "Replay how the items moved while it trained", key="train_replay",
            help="The most popular items after every epoch, animated (of the last model of a sweep)."):
        with ui.guard("Replaying the training"):
            coords, settled, kept = job.replay()
            table = cached_maps.map_table(f"replay|{job.label}|{job.started}", coords[-1], inter.items,
                                          cached_data.summary(data.key, inter).item_popularity,
                                          np.zeros(inter.n_items), inter.titles, job.replay_items)
            colour = map_colours.GENRE_COLUMN if "genres" in table.columns else "title"
            if "genres" in table.columns:  # coloured as the Latent space map: every common genre shows
                table[colour] = map_colours.distinctive_genre(table["genres"])[0]
            ui.show(train_figures.training_replay(coords, table, colour, (settled, kept), job.snapshot_labels,
                                                job.entry.name),
                    key="train_replay_map")
