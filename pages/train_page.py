"""Train page: pick a model and its hyperparameters, watch it train, compare, save and load models."""

import time

import numpy as np
import streamlit as st

from mfviz.dashboard import (
    cached_data,
    cached_maps,
    cached_metrics,
    fit_time,
    labels,
    map_colours,
    model_names,
    served,
    state,
    sweeps,
    train_comparison,
    train_figures,
    train_form,
    train_model_files,
    train_results,
    training,
    ui,
    versus_baseline,
    versus_earlier,
    workspace,
)

# one line at 1,280 px: the first screen holds the form and, under it, the outcome of a training
ui.header("Train", "Train a model on the current data; every model of this session is compared below, and can be "
          "saved to a file.")

data = ui.current_data()
inter = data.interactions
with ui.guard("Listing the models"):
    from mfviz.models import MODELS

# ------------------------------------------------------------------ settings
FEEDBACK = {"explicit": "made for explicit ratings", "implicit": "made for implicit feedback",
            "any": "works on either kind of feedback"}
job = st.session_state.get(state.TRAINING)
running = job is not None and not job.done



def start_training(job: training.TrainingJob) -> None:
    """Start the job, and keep the workspace with it now: this run draws its progress until it ends, and the
    workspace is otherwise kept after a run, so a reload during it found no training to take up."""
    st.session_state[state.TRAINING] = job.start()
    workspace.save(workspace.PAGE_WIDGETS)

kinds = list(MODELS)
# Implicit ALS first on any data, as the quick default: the pages show lists, and the models fitted to
# predict stars rank below the Popularity baseline on MovieLens 100K (random 80/20 split, NDCG@10: Funk
# SVD 0.089, SVD++ 0.100, ALS 0.134, Popularity 0.225, Truncated SVD 0.340, Implicit ALS 0.358).
default_kind = "ials" if "ials" in kinds else kinds[0]
# Remembered outside the widget: Streamlit forgets a widget's value when another page is shown.
remembered = st.session_state.get(state.TRAIN_KIND, default_kind)
# The model and the Reset button on one line: at 1,280 × 720 the Train button is to be seen without scrolling
pick, reset_slot = st.columns([5, 1], vertical_alignment="bottom")
# its label unseen (each option says it is a model), for the outcome of a training under the form
kind = pick.selectbox("Model", kinds, index=kinds.index(remembered) if remembered in kinds else 0,
                      key="train_model", label_visibility="collapsed",
                      format_func=lambda k: f"{MODELS[k].label} — {FEEDBACK.get(MODELS[k].feedback, '')}")
st.session_state[state.TRAIN_KIND] = kind
# Everything between the model and the form in one container, whichever model is picked: the page's later elements
# keep their places ("Trained …" drawn at another place by the next run showed twice, UX review)
above_form = st.container()
cls = MODELS[kind]
doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
mismatch = (cls.feedback == "explicit" and not inter.is_explicit) or (cls.feedback == "implicit" and inter.is_explicit)
if kind == "ials" and inter.is_explicit:
    # The figures are MovieLens 100K's: said as such on other data (they read as this data's, UX review)
    movielens = (inter.n_users, inter.n_items, inter.nnz) == (943, 1682, 100_000)
    where = ("on this data, MovieLens 100K" if movielens else
             "measured on MovieLens 100K, not on the data loaded here (train it to see its figures on this data)")
    # one short sentence a presenter can say, one line (in a box under the model's description, the outcome of a
    # training under the form fell off a 1,280 × 720 screen); the description and the analyst's figures behind its ?
    above_form.caption("Implicit ALS reads each rating as interest, not stars to predict (no RMSE); for stars, pick "
                       "Funk SVD, SVD++ or ALS.", help=(
        f"{doc} Its lists are the best of these models {where}: NDCG@10 0.358 against the Popularity baseline's 0.225. "
        "On MovieLens 100K, random 80/20 split: Truncated SVD 0.340, Funk SVD 0.089; implicit ALS 0.358 at its 64 "
        "factors and 0.404 at 32, whose lists are more popular (catalogue coverage 0.33 against 0.37; the quick "
        "default, 32 factors and 8 epochs, 0.403). Its α = 1 was chosen on that split, so its figures there are a "
        "little kind to it. Confidence in a rating: 1 + α × rating."))
elif kind == "svd" and inter.is_explicit:
    above_form.caption(doc + " Truncated SVD reads every missing rating as a zero, so it scores unseen items near 0 "
                       "rather than predicting their stars: it is compared by its lists (NDCG, recall), and gives no "
                       "RMSE. For predicted stars, pick Funk SVD, SVD++ or ALS.")
elif mismatch:
    above_form.caption(doc)
    above_form.info(f"{cls.label} is {FEEDBACK[cls.feedback]}, but the current data is "
                    f"{'explicit ratings' if inter.is_explicit else 'implicit feedback'}; it will still train, "
                    "or switch the feedback kind on the Data page.", icon=":material/info:")
elif doc:
    above_form.caption(doc)

# The values this model was last trained with: Streamlit forgets a widget's value once another
# model's form is shown, so picking this model again starts from them rather than the defaults.
last = st.session_state.setdefault(state.TRAIN_PARAMS, {}).get(kind, {})


def reset_form(kind: str) -> None:
    """Back to the model's defaults: its remembered values forgotten and its form's widgets made anew."""
    st.session_state[state.TRAIN_PARAMS].pop(kind, None)
    ui.renew(f"train form {kind}")


def widget_key(name: str) -> str:
    """The key of a widget of this model's form, new after each reset."""
    return ui.renewed(name, f"train form {kind}")


reset_slot.button("Reset to defaults", key="train_reset", on_click=reset_form, args=(kind,), width="stretch",
                  help=f"Every hyperparameter and the sweep of {cls.label} back to its default.")
# Kept across a change of data (to train the same model on new data), but said: on other data they
# may be slow or unsuited (1,024 factors carried over to new data opened the slow warning unasked).
changed = [name for name, spec in cls.params.items() if name in last and not train_form.at_default(spec, last[name])]
if last and last.get("_data") not in (None, data.key):
    above_form.info(f"The hyperparameters below are those {cls.label} was last trained with, on other data "
                    f"({last.get('_data_name', 'an earlier dataset')})"
                    + (f": {model_names.hyperparameter_words({n: last[n] for n in changed})}" if changed else "")
                    + ". Reset them to start from the defaults for this data.", icon=":material/history:")
helps = {name: spec.help for name, spec in cls.params.items()}
# Hogwild (parallel) cannot be seeded. A form cannot react to a tick, so its box sits above the form:
# ticked, the page runs again and the seed box inside the form turns blank and disabled, saying why.
unseeded = False
if "parallel" in cls.params and "random_state" in cls.params:
    helps["parallel"] = (f"{cls.params['parallel'].help.split(' (')[0]}. Threads race by design, so no seed can "
                         "make it repeat: ticked, it trains without random_state (each run differs a little, "
                         "and its link carries no recipe).")
    helps["random_state"] += " Not used when parallel is ticked (parallel training cannot be seeded)."
    unseeded = above_form.checkbox(model_names.plain_name("parallel"),
                                   value=bool(last.get("parallel", cls.params["parallel"].default)),
                                   help=model_names.help_with_name("parallel", helps["parallel"]), key=widget_key(f"hp_{kind}_parallel"))

helps = {name: model_names.help_with_name(name, text) for name, text in helps.items()}


def hyperparameter_input(column, name: str, spec):
    """The form's box for one hyperparameter, starting from the value last trained with (else its default)."""
    key = widget_key(f"hp_{kind}_{name}")
    start = last.get(name, spec.default)
    if name == "random_state" and unseeded:
        # its own key: under the seed box's key Streamlit would keep showing the number last typed
        return column.number_input(
            model_names.plain_name(name), value=None, disabled=True, placeholder="none: parallel is ticked",
            key=f"{key}_unseeded", help=model_names.help_with_name(
                name, "Parallel (Hogwild) training cannot be seeded: its threads race by design, so every run "
                      "differs a little. Untick parallel to train with a seed."))
    if spec.choices is not None:
        return column.selectbox(model_names.plain_name(name), list(spec.choices),
                                index=list(spec.choices).index(start), help=helps[name], key=key)
    if isinstance(spec.default, bool):
        return column.checkbox(model_names.plain_name(name), value=bool(start), help=helps[name], key=key)
    if spec.default is None or isinstance(spec.default, int):
        low = int(spec.low) if spec.low is not None else 0
        return int(column.number_input(
            model_names.plain_name(name), min_value=low, max_value=int(spec.high) if spec.high is not None else None,
            value=int(start) if start is not None else 0, step=1, help=helps[name], key=key))
    return float(column.number_input(
        model_names.plain_name(name), min_value=float(spec.low) if spec.low is not None else None,
        max_value=float(spec.high) if spec.high is not None else None, value=float(start),
        format="%.4g", step=float(spec.default) / 10 or 0.01, help=helps[name], key=key))


with st.form("train_form", enter_to_submit=False):  # Enter after typing a number must not start a long fit
    params = {}
    # parallel is ticked above the form (see there)
    main, more = train_form.split_params({name: spec for name, spec in cls.params.items()
                                          if not (name == "parallel" and "random_state" in cls.params)})
    for column, name in zip(st.columns(4) if main else [], main, strict=False):  # none: no empty row (Popularity)
        params[name] = hyperparameter_input(column, name, cls.params[name])
    s1, s2, s3, s4 = st.columns(4)
    methods = {"random": "random interactions", "user": "a share of each user's history",
               "user-time": "each user's latest interactions", "time": "the latest interactions overall",
               "none": "no test set (train on everything)"}
    if inter.timestamps is None:
        methods = {k: v for k, v in methods.items() if "time" not in k}
    method = s1.selectbox("Evaluation split: hold out", list(methods), format_func=methods.get, key="split_method",
                          help="What the test set is made of; models are trained on the rest.")
    test_size = s2.slider("Test share", 0.05, 0.5, 0.2, 0.05, key="split_size",
                          help="Share of interactions held out for testing.")
    seed = s3.number_input("Split seed", 0, 10_000, 0, key="split_seed", help="Same seed, same split.")
    k = s4.number_input(labels.LIST_LENGTH, 1, 100, 10, key="split_k",
                        help=labels.LIST_LENGTH_HELP + " Here: the lists of the split's test users.")
    # The Train button first in its row, the rest of the hyperparameters and the sweep beside it in popovers that
    # float over the page: at 1,280 × 720 the button and the outcome of a training under the form keep their places
    # whatever is open (two expanders open here pushed the button from 625 to 894 px, review). What is set in them
    # is said on their buttons ("More hyperparameters (2 set)", "Sweep … (set: Factors)"), so it is never unseen.
    # seeds cannot be swept when training cannot be seeded
    choices = [None, *(name for name in sweeps.sweepable(kind) if not (unseeded and name == "random_state"))]
    action = iter(st.columns([1, 2, 2] if more or len(choices) > 1 else [1, 4], vertical_alignment="center"))
    submitted = next(action).form_submit_button("Train", type="primary", disabled=running, key="train_submit",
                                                width="stretch")
    if more:
        set_more = train_form.changed_beyond_main(cls.params, last)
        with next(action).popover(train_form.more_label(set_more), width="stretch"):
            columns = st.columns(2)
            for n, name in enumerate(more):
                params[name] = hyperparameter_input(columns[n % 2], name, cls.params[name])
    if "parallel" in cls.params and "random_state" in cls.params:  # kept in the model's own order
        params["parallel"] = unseeded
    params = {name: params[name] for name in cls.params if name in params}
    last_sweep = last.get("_sweep", (None, ""))  # the sweep last asked of this model, kept as its values are
    swept, sweep_text = None, ""
    if len(choices) > 1:
        sweep_set = last_sweep[0] if last_sweep[0] in choices[1:] else None
        with next(action).popover(train_form.sweep_label(sweep_set), width="stretch"):
            swept = st.selectbox("Vary", choices, key=widget_key(f"sweep_{kind}"),
                                 index=choices.index(last_sweep[0]) if last_sweep[0] in choices else 0,
                                 format_func=lambda name: ("nothing: train one model" if name is None
                                                           else model_names.plain_name(name)),
                                 help="Trains one model per value of a hyperparameter (the others as set), all on "
                                      "the same split, and charts the test metrics against the values.")
            sweep_text = st.text_input(
                "Values", value=last_sweep[1], key=widget_key(f"sweep_values_{kind}"),
                placeholder="e.g. 8, 16, 32, 64 (blank: around the value set)",
                help=f"Up to {sweeps.MAX_SWEEP} numbers separated by commas. Blank: ¼, ½, 1, 2 and 4 times the value "
                     "set for whole-number settings, 0.1, 0.3, 1, 3 and 10 times it otherwise, seeds 0–4 for "
                     "random_state (how much the results vary by chance alone).")
    elif not cls.params:  # the Popularity baseline: said, rather than a sweep with nothing to choose
        next(action).caption(f"{cls.label} has no hyperparameters: nothing to set or sweep.")

# The outcome of the last training (trained, its verdicts and the way back) right under the Train button, where the eye
# is when it ends: under the loss curve it sat at 1,230-1,330 px of a 720 px screen (review). One place in every run:
# the browser keeps what the last run drew until the next run has ended, so a "Trained …" drawn one place lower stayed
# beside the new one (twice after one training, UX review).
outcome = st.empty()

if submitted and not running:
    notes = []
    if unseeded:
        notes.append("trained in parallel (Hogwild), which cannot be seeded: the model differs a little on every run, "
                     "and a link to it cannot retrain it.")
    st.session_state[state.TRAIN_PARAMS][kind] = dict(params) | {"_sweep": (swept, sweep_text), "_data": data.key,
                                                                 "_data_name": data.name}
    with ui.guard("Preparing the split"):
        size = 0.0 if method == "none" else float(test_size)
        train, test = training.split_data(data.key, inter, method, size, int(seed))
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

# ------------------------------------------------------------------ live progress
def clock(job: training.TrainingJob) -> str:
    """The wall-clock time a training took, as the progress line counts it (fitting, scoring, snapshots)."""
    return f"{(job.finished_at or time.perf_counter()) - job.started:.1f} s"


def held_out_label(job: training.TrainingJob) -> str | None:
    """What the job scores after every epoch (see TrainingJob._held_out), for the chart."""
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


def draw(job: training.TrainingJob, live: bool, outcome) -> None:
    """Progress bar and loss curve of a job; while `live`, redrawn until the job has finished; once it has, what came
    of it in the slot `outcome` (under the Train button)."""
    if live:  # the last training's outcome would otherwise stay beside the new one's progress until it ends
        outcome.empty()
    with st.container(border=True):
        variants = job.variants
        if job.sweep:
            st.markdown(f"**Sweep of {model_names.plain_name(job.sweep[0])}: {len(variants)} models of {MODELS[job.kind].label}**")
        else:
            st.markdown(f"**Training {job.label}**")
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
            st.info(f"{label}: {note}", icon=":material/info:")
        # true when it is read: the model shown may have been changed on another page since (a finished live
        # job's model becomes the active one right after this draw)
        active = st.session_state.get(state.ACTIVE_MODEL)

        def shown(name: str) -> str:
            return ("is now the model the analysis pages show" if live or active == name else
                    f"the analysis pages now show **{active}**, chosen since" if active else
                    "no model is shown on the analysis pages now")

        trained = [e for e in job.entries if not any(e is r for r in job.reused)]
        # the job has ended here (the loop above waits for it); small gaps: the way back stays on a 720 px screen
        said = outcome.container(gap="xsmall")
        with said:
            if job.error:
                st.error(job.error, icon=":material/error:")
            for label, why in (job.failures if job.entries else []) + job.warnings:
                st.warning(f"{label}: {why}", icon=":material/warning:")
            for name in [e.name for e in job.reused]:
                st.info(f"**{name}** was not trained again: it was trained in this session with the same settings "
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
            now = shown(best.name)
            after = ((" The chart below compares them." if by and len(job.entries) > 1 else "")
                     + (f" {edge}" if edge else ""))
            with said:
                # the model a sweep chose is shown on every page as a single training's is: the same words when it
                # ranks below the baseline or the model shown before the sweep, and the same way back
                outcome_of(job, best, now, f"Trained {count} in {clock(job)} ({fitting}){stopped}; of them, {which} "
                           f"({why}), " + (now if now.startswith("is") else f"was made the model shown; {now}") + "."
                           + after,
                           f"Trained {count} in {clock(job)}{stopped}; {which}, " + short_shown(now) + ".",
                           f"{best.name}: {why}." + after)
        elif job.entry is not None and not job.reused:
            stopped = " (stopped early)" if job.entry.stopped_early else ""
            now = shown(job.entry.name)
            with said:
                outcome_of(job, job.entry, now, f"Trained **{job.entry.name}** in {clock(job)} ({fitting}){stopped}; it "
                           + (now if now.startswith("is") else f"was made the model shown; {now}") + ".",
                           f"Trained **{job.entry.name}** in {clock(job)}{stopped}, " + short_shown(now) + ".")
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


def short_shown(now: str) -> str:
    """Whether the pages show the model trained (`now`, as draw's shown() says it), in the fewest words: said before
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


def verdict_of(job, entry) -> tuple[str, bool, bool] | None:
    """(the verdict in words, below the baseline?, below the model shown before?) for `entry`, the model a training
    made the one shown: its lists do not beat the Popularity baseline, or it does worse than the model the pages showed
    before the training, or both in one sentence with every number; None when neither."""
    baseline = versus_baseline.shortfall(entry)
    # worse than the model shown before (the page's default implicit ALS under the quick default on MovieLens 100K,
    # 0.358 against 0.403 NDCG@10): said, with both numbers, and that model offered back
    earlier = below_shown_before(job, entry)
    if baseline and earlier:
        before, metric, paired = earlier
        return versus_earlier.below_both(entry, before, baseline, metric, paired), True, True
    if baseline:  # "the pages now show it" is said before it, in `brief`
        return versus_baseline.below_baseline(entry, shown=False), True, False
    if earlier:
        return versus_earlier.below_earlier(entry, *earlier), False, True
    return None


def below_shown_before(job, entry) -> tuple | None:
    """(the model the pages showed before the training, the metric, the paired NDCG difference) when `entry`
    (the model just trained, or a sweep's choice) does worse than that model on the same split by the metric the
    comparison chart uses ("Compare by"; NDCG@k by default), else None."""
    before = ui.models().get(job.shown_before)
    if before is None or entry is None:
        return None
    metric = st.session_state.get(state.COMPARE_METRIC)
    if versus_earlier.gap(entry, before, metric) is None:
        return None
    key = versus_earlier.compared_by(entry, before, metric)
    paired = None
    if key.startswith("ndcg@"):
        from mfviz.evaluation.breakdown import paired_difference

        k_ = int(key.partition("@")[2])
        with ui.guard("Comparing with the model shown before, user by user", stop=False):
            paired = paired_difference(cached_metrics.per_user_metrics(entry.key, entry.model, entry.test, k_),
                                       cached_metrics.per_user_metrics(before.key, before.model, before.test, k_),
                                       key)
    return before, metric, paired


def show_again(job, entry, shown: bool, beyond_baseline: bool = True) -> None:
    """Under a new model that is now shown on every page and ranks below the baseline, or below the model shown
    before: a button showing that model again, when it is better (above the baseline, when that is the reason: a
    presenter who tried a model should not have to find the good one in a picker to go on)."""
    before = ui.models().get(job.shown_before)
    if not shown or before is None or before is entry or not any(name.startswith("ndcg@") for name in before.metrics):
        return
    if beyond_baseline and versus_baseline.below_baseline(before) is not None:
        return
    why = ("beats the Popularity baseline" if beyond_baseline else f"does better than {entry.name} on this split")
    if st.button(f"Show **{before.name}** on the pages again", key="train_show_before", icon=":material/undo:",
                 help=f"{before.name} was shown before this training and {why}; "
                      f"{entry.name} stays in the session (pick it in any page's Model box)."):
        st.session_state[state.ACTIVE_MODEL] = before.name
        st.rerun()


job = st.session_state.get(state.TRAINING)
if job is not None:
    draw(job, live=True, outcome=outcome)
    st.session_state.pop(state.TRAINING, None)
    ui.add_trained(job)  # what finished, even when a later model of a sweep failed
    st.session_state[state.LAST_TRAINING] = job
    st.rerun()  # redraw the page (results table, sidebar) with the new model and the form enabled
elif st.session_state.get(state.LAST_TRAINING) is not None:
    last = st.session_state[state.LAST_TRAINING]
    if last.data_key == data.key:
        draw(last, live=False, outcome=outcome)

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
