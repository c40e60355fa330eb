"""Exceptions raised by mfviz for input a person can fix."""


class DataError(ValueError):
    """Bad input data: the message says what was wrong, where, and what to do.

    DESIGN.md promises one exception for every bad input, so catching `mfviz.DataError` catches
    `ModelError` too; catch `ModelError` alone for misuse of a model only.
    """


class UnreadableFile(DataError):
    """A file that is no table to read at all (empty, binary, an Excel workbook, damaged compression, an
    archive without one table): no column mapping or reading option can help, only another file."""


class ModelError(DataError):
    """Misuse of a model (bad hyperparameter, unfitted model, unknown id) or a diverged fit."""


class ModelWarning(UserWarning):
    """A fit (or a split) that ran but gives little a page or a list can use (e.g. every vector shrunk to zero, a
    leave-k-out split that left most users whole in train): the message says why and what to change."""
