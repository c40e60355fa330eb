"""What came of a training, said under the Train button once it has ended: its errors and warnings, the models
reused, how long it took, "Trained …" with the model now shown, or, below the baseline or the model shown before,
one warning with the verdict and the way back (train_verdict)."""

from __future__ import annotations

import time

import streamlit as st

from mfviz.dashboard import model_names, state, sweeps, train_figures, training, versus_baseline
from mfviz.dashboard.plain import plain, plain_message
from mfviz.dashboard.train_verdict import show_again, verdict_of


def clock(job: training.TrainingJob) -> str:
    """The wall-clock time a training took, as the progress line counts it (fitting, scoring, snapshots)."""
    return f"{(job.finished_at or time.perf_counter()) - job.started:.1f} s"


def say(job: training.TrainingJob, live: bool, outcome) -> None:
    """What came of the ended `job`, in the slot `outcome` (under the Train button), with the time it took in the box
    of its curve; `live`: it has just ended in this run, and its model is the one shown."""
    # true when it is read: the model shown may have been changed on another page since (a finished live
    # job's model becomes the active one right after this draw)
    active = st.session_state.get(state.ACTIVE_MODEL)

    def shown(name: str) -> str:
        return ("is now the model the analysis pages show" if live or active == name else
                f"the analysis pages now show **{active}**, chosen since" if active else
                "no model is shown on the analysis pages now")

    trained = [e for e in job.entries if not any(e is r for r in job.reused)]
    # a workspace opened shows its last training again: "Trained 3 models in 26.6 s" read as just run
    done_word = "Before the workspace was saved: trained" if job.opened else "Trained"
    # the job has ended here (train_progress.draw waits for it); small gaps: the way back stays on a 720 px screen
    said = outcome.container(gap="xsmall")
    with said:
        if job.error:
            st.error(job.error, icon=":material/error:")
        for label, why in (job.failures if job.entries else []) + job.warnings:
            st.warning(f"{plain(label)}: {plain_message(why)}", icon=":material/warning:")
        for name in [e.name for e in job.reused]:
            st.info(f"**{plain(name)}** was not trained again: it was trained in this session with the same settings "
                    "(model, hyperparameters, seed and split), which give the same model; it is reused.",
                    icon=":material/recycling:")
    # the one-off compile of a kind's kernels (mfviz.models.registry.compile_first) is said apart: it is not fitting
    compiled = (f", {job.compile_seconds:.1f} s compiling the model's code (once)"
                if job.compile_seconds >= 0.5 else "")
    fitting = f"{sum(e.fit_seconds for e in trained):.2f} s of fitting{compiled}"
    if trained and job.test is not None:  # here, not in "Trained …": one line there keeps the verdict on screen
        st.caption(f"{clock(job)} in all: {fitting}; the rest scored "
                   + ("it" if job.expected_epochs is None else "each epoch") + " on the test part.")
    if job.sweep and job.entries and job.done:
        best, by = sweeps.sweep_pick(job.entries, job.sweep[0])
        stopped = " (stopped early)" if job.stop_event.is_set() else ""
        if job.sweep[0] == "random_state":
            which, why = f"the first seed's, **{best.name}**", "seeds differ by chance only: none is better"
        elif by:
            # models of ratings are picked by RMSE, while the sweep chart starts on NDCG@k: both bests are named
            ranked = sweeps.best_by(job.entries, f"ndcg@{job.k}") if by == "rmse" else None
            also = (f"; by NDCG@{job.k}, the best is {model_names.plain_name(job.sweep[0])} = "
                    f"{ranked.params[job.sweep[0]]:g}" if ranked is not None and ranked is not best else "")
            which = f"the best by its test {model_names.metric_label(by)}, **{best.name}**"
            why = f"picked on the test set, so its score there is a little optimistic: confirm it with another split seed{also}"
        else:
            which, why = f"the last, **{best.name}**", "no test set to compare them on"
        count = f"{len(trained)} model{'s' if len(trained) != 1 else ''}" + (
            f" (and reused {len(job.reused)})" if job.reused else "")
        # a best at the end of the range tried may not be the best there is
        edge = train_figures.edge_hint(job.sweep[0], [e.params[job.sweep[0]] for e in job.entries],
                                       best.params[job.sweep[0]], by) if by and len(job.entries) > 1 else ""
        narrow = sweeps.narrowest_note(job.entries, best, job.sweep[0], job.k) if by and by != "rmse" else ""
        now = shown(best.name)
        after = ((" The chart below compares them." if by and len(job.entries) > 1 else "")
                 + (f" {edge}" if edge else "") + (f" {narrow}" if narrow else ""))
        with said:
            # the model a sweep chose is shown on every page as a single training's is: the same words when it
            # ranks below the baseline or the model shown before the sweep, and the same way back
            outcome_of(job, best, now, f"{done_word} {count} in {clock(job)} ({fitting}){stopped}; of them, {which} "
                       f"({why}), " + (now if now.startswith("is") else f"was made the model shown; {now}") + "."
                       + after,
                       f"{done_word} {count} in {clock(job)}{stopped}; {which}, " + short_shown(now) + ".",
                       f"{best.name}: {why}." + after)
    elif job.entry is not None and not job.reused:
        stopped = " (stopped early)" if job.entry.stopped_early else ""
        now = shown(job.entry.name)
        with said:
            outcome_of(job, job.entry, now, f"{done_word} **{plain(job.entry.name)}** in {clock(job)} ({fitting}){stopped}; it "
                       + (now if now.startswith("is") else f"was made the model shown; {now}") + ".",
                       f"{done_word} **{plain(job.entry.name)}** in {clock(job)}{stopped}, " + short_shown(now) + ".")


def short_shown(now: str) -> str:
    """Whether the pages show the model trained (`now`, as say's shown() says it), in the fewest words: said before
    a verdict in one alert, under which the way back must stay on a 1,280 × 720 screen."""
    return "now shown on every page" if now.startswith("is") else f"made the model shown, but {now}"


def outcome_of(job, entry, now: str, done: str, brief: str, details: str = "") -> None:
    """What came of a training, under the Train button: `done` (trained, how long, the model shown) when `entry` (the
    model trained, or the one a sweep chose) beats the Popularity baseline and the model shown before; else one
    warning, `brief` (`done` without the fitting times, which the caption under the curve gives) and the verdict, then
    the way back, then `details` (a sweep's notes) and what to try. One alert: "Trained …", the verdict against the
    baseline and the one against the model shown before, as three, pushed the way back below 720 px (Funk SVD for 1
    epoch on the demo: the button at 841-881 px)."""
    # a model that learned nothing is said to above, with why (its vectors are zero): that its lists do not beat
    # the baseline would only repeat it less clearly (another fit warning leaves the verdicts to be said)
    found = None if training.learned_nothing_said(job, entry) else verdict_of(job, entry)
    if found is None:
        st.success(done, icon=":material/check_circle:")
        return
    words, baseline, earlier = found
    st.warning(f"{brief} {words}", icon=":material/trending_down:")
    show_again(job, entry, now.startswith("is"), beyond_baseline=not earlier)
    notes = [details] if details else []
    if baseline:  # after the way back, which a presenter wants at once: what to try, for the analyst
        notes += ["The Popularity baseline recommends the most interacted items to everyone." if earlier else "",
                  versus_baseline.what_to_try(entry)]
    if any(notes):
        st.caption(" ".join(note for note in notes if note))

