"""The Train form's layout: the hyperparameters shown at once, those behind "More hyperparameters", and how that
part and the sweep's say what is set in them (a value away from its default, from a link, a workspace or the last
training)."""

from __future__ import annotations

from mfviz.dashboard.model_names import plain_name

# What a user changes most, shown in one row above the Train button (at 1,280 × 720 the button sat at 1,130 px,
# below nine fields of implicit ALS); the rest (solver, CG steps, confidence curve, ε, seed...) wait in an expander.
MAIN = ("factors", "epochs", "learning_rate", "regularization", "alpha")


def split_params(params: dict) -> tuple[list[str], list[str]]:
    """(the names shown at once, the names behind "More hyperparameters") of a model's `params`, each in the
    model's own order."""
    main = [name for name in params if name in MAIN]
    return main, [name for name in params if name not in MAIN]


def at_default(spec, value) -> bool:
    """Whether a form value is the hyperparameter's default (a seed of None is shown, and sent, as 0)."""
    return value == spec.default or (spec.default is None and value in (0, None))


def changed_beyond_main(params: dict, values: dict) -> list[str]:
    """The names behind "More hyperparameters" whose value in `values` (what the form starts from) is not their
    default: the part's button then says how many, so a value set elsewhere is never unseen."""
    _, more = split_params(params)
    return [name for name in more if name in values and not at_default(params[name], values[name])]


def more_label(set_more: list[str]) -> str:
    """The "More hyperparameters" button, saying how many of them are set (`changed_beyond_main`): they are out of
    sight in a popover until it is opened. (No tooltip: hovering the button just clicked, it covered the fields.)"""
    return "More hyperparameters" + (f" ({len(set_more)} set)" if set_more else "")


def sweep_label(swept: str | None) -> str:
    """The sweep's button, naming the hyperparameter a sweep is set to vary (None: no sweep set, one model)."""
    return "Sweep: one model per value" + (f" (set: {plain_name(swept)})" if swept else "")

