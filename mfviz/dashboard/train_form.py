"""The Train form's layout: the hyperparameters shown at once, those behind "More hyperparameters", and when that
part opens by itself (a value away from its default, from a link, a workspace or the last training)."""

from __future__ import annotations

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
    default: the part then opens by itself, so a value set elsewhere is never hidden."""
    _, more = split_params(params)
    return [name for name in more if name in values and not at_default(params[name], values[name])]
