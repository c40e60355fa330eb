"""Exceptions raised by mfviz for input a person can fix."""


class DataError(ValueError):
    """Bad input data: the message says what was wrong, where, and what to do."""


class ModelError(ValueError):
    """Misuse of a model (bad hyperparameter, unfitted model, unknown id) or a diverged fit."""
