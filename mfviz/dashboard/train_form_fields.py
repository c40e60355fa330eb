"""The Train form's fields: a box per hyperparameter (starting from the values last trained with), the split, the
Train button and the sweep; the parallel box above the form, and the Reset button that brings the defaults back."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from mfviz.dashboard import labels, model_names, state, sweeps, train_form, ui


class FormValues(NamedTuple):
    """What the form holds after a run: whether Train was clicked, the hyperparameters, the split, the list length
    and the sweep asked for (the hyperparameter varied, or None, and the values typed)."""

    submitted: bool
    params: dict
    method: str
    test_size: float
    seed: int
    k: int
    swept: str | None
    sweep_text: str


def reset_form(kind: str) -> None:
    """Back to the model's defaults: its remembered values forgotten and its form's widgets made anew."""
    st.session_state[state.TRAIN_PARAMS].pop(kind, None)
    ui.renew(f"train form {kind}")


def widget_key(kind: str, name: str) -> str:
    """The key of a widget of this model's form, new after each reset."""
    return ui.renewed(name, f"train form {kind}")


def reset_button(cls, kind: str, reset_slot) -> None:
    """The Reset button, in its slot beside the model's box."""
    reset_slot.button("Reset to defaults", key="train_reset", on_click=reset_form, args=(kind,), width="stretch",
                      help=f"Every hyperparameter and the sweep of {cls.label} back to its default.")


def parallel_box(cls, kind: str, last: dict, above_form) -> tuple[dict, bool]:
    """(each hyperparameter's help, with its name; whether training is unseeded: parallel is ticked) of the model
    `cls`, drawing the parallel box above the form when the model has one beside a seed."""
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
                                       help=model_names.help_with_name("parallel", helps["parallel"]), key=widget_key(kind, f"hp_{kind}_parallel"))

    helps = {name: model_names.help_with_name(name, text) for name, text in helps.items()}
    return helps, unseeded


def hyperparameter_input(column, name: str, spec, kind: str, last: dict, helps: dict, unseeded: bool):
    """The form's box for one hyperparameter, starting from the value last trained with (else its default)."""
    key = widget_key(kind, f"hp_{kind}_{name}")
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


def draw_form(cls, kind: str, inter, last: dict, helps: dict, unseeded: bool, running: bool) -> FormValues:
    """The form of the model `cls` (its Train button disabled while a training runs), and what it holds."""
    with st.form("train_form", enter_to_submit=False):  # Enter after typing a number must not start a long fit
        params = {}
        # parallel is ticked above the form (see parallel_box)
        main, more = train_form.split_params({name: spec for name, spec in cls.params.items()
                                              if not (name == "parallel" and "random_state" in cls.params)})
        for column, name in zip(st.columns(4) if main else [], main, strict=False):  # none: no empty row (Popularity)
            params[name] = hyperparameter_input(column, name, cls.params[name], kind, last, helps, unseeded)
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
                    params[name] = hyperparameter_input(columns[n % 2], name, cls.params[name], kind, last, helps, unseeded)
        if "parallel" in cls.params and "random_state" in cls.params:  # kept in the model's own order
            params["parallel"] = unseeded
        params = {name: params[name] for name in cls.params if name in params}
        last_sweep = last.get("_sweep", (None, ""))  # the sweep last asked of this model, kept as its values are
        swept, sweep_text = None, ""
        if len(choices) > 1:
            sweep_set = last_sweep[0] if last_sweep[0] in choices[1:] else None
            with next(action).popover(train_form.sweep_label(sweep_set), width="stretch"):
                swept = st.selectbox("Vary", choices, key=widget_key(kind, f"sweep_{kind}"),
                                     index=choices.index(last_sweep[0]) if last_sweep[0] in choices else 0,
                                     format_func=lambda name: ("nothing: train one model" if name is None
                                                               else model_names.plain_name(name)),
                                     help="Trains one model per value of a hyperparameter (the others as set), all on "
                                          "the same split, and charts the test metrics against the values.")
                sweep_text = st.text_input(
                    "Values", value=last_sweep[1], key=widget_key(kind, f"sweep_values_{kind}"),
                    placeholder="e.g. 8, 16, 32, 64 (blank: around the value set)",
                    help=f"Up to {sweeps.MAX_SWEEP} numbers separated by commas. Blank: ¼, ½, 1, 2 and 4 times the value "
                         "set for whole-number settings, 0.1, 0.3, 1, 3 and 10 times it otherwise, seeds 0–4 for "
                         "random_state (how much the results vary by chance alone).")
        elif not cls.params:  # the Popularity baseline: said, rather than a sweep with nothing to choose
            next(action).caption(f"{cls.label} has no hyperparameters: nothing to set or sweep.")
    return FormValues(submitted, params, method, test_size, seed, k, swept, sweep_text)
