"""Train page: pick a model and its hyperparameters, watch it train, compare, save and load models."""

import time

import streamlit as st

from mfviz.dashboard import (
    fit_time,
    labels,
    model_names,
    served,
    state,
    sweeps,
    train_comparison,
    train_form,
    train_model_files,
    train_progress,
    train_results,
    training,
    ui,
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
