"""Exceptions raised by mfviz for input a person can fix."""


class DataError(ValueError):
    """Bad input data: the message says what was wrong, where, and what to do.

    DESIGN.md promises one exception for every bad input, so catching `mfviz.DataError` catches
    `ModelError` too; catch `ModelError` alone for misuse of a model only.
    """


class ModelError(DataError):
    """Misuse of a model (bad hyperparameter, unfitted model, unknown id) or a diverged fit."""
