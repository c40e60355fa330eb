"""What the command prints and writes: progress, warnings, errors, results as text or JSON."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import warnings
from typing import Any

import numpy as np

from mfviz.cli.options import _OPTION_WORDING, STDOUT, _hyperparameter_wording
from mfviz.errors import DataError, ModelWarning

EXIT_USAGE = 2


def _progress(args: argparse.Namespace, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr, flush=True)


def _warn(text: str) -> None:
    """A warning about the result: on stderr even with --quiet, which hides progress only."""
    print("mfviz: warning: " + _option_words(text), file=sys.stderr, flush=True)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """warnings.showwarning for the command: a ModelWarning (a fit's surplus components, a profile's unknown
    items) is a warning about the result, one line as `_warn` says it (Python's own form was two, with a file and
    line of mfviz); any other warning (a fault of mfviz or of a library) keeps Python's form."""
    if issubclass(category, ModelWarning):
        _warn(str(message))
    else:
        warnings._showwarning_orig(message, category, filename, lineno, file, line)


def _option_words(message: str) -> str:
    """A library message on one line, naming the command's options instead of keyword arguments."""
    message = " ".join(message.split())
    for pattern, replacement in _OPTION_WORDING + _hyperparameter_wording():
        message = pattern.sub(replacement, message)
    return message


def _fail(message: str) -> int:
    print("mfviz: error: " + _option_words(message), file=sys.stderr)
    return EXIT_USAGE


def _stdout_gone() -> int:
    """The reader (e.g. `| head`) went away: not an error. Point stdout at devnull so the
    interpreter's final flush does not complain again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _plain(value: Any) -> Any:
    """JSON-safe: NumPy scalars to Python, non-finite floats to null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _print_text(result: dict[str, Any], indent: str = "") -> None:
    width = max((len(k) for k in result), default=0)
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print_text(value, indent + "  ")
        elif isinstance(value, list) and key == "report":
            print(f"{indent}{key}:")
            for line in value:
                print(f"{indent}  {line}")
        elif isinstance(value, float):
            print(f"{indent}{key:<{width}}  {value:.6g}")
        else:
            print(f"{indent}{key:<{width}}  {value}")


@contextlib.contextmanager
def _writing(path):
    """Write errors (full disk, a folder removed meanwhile) worded as such."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise DataError(f"could not write {path}: {exc.strerror or exc}") from None


def _where(output: str) -> str:
    return "stdout" if output == STDOUT else output
