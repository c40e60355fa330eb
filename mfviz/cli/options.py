"""Options: hyperparameters, data and split options, early checks, library wording as option names."""

from __future__ import annotations

import argparse
import math
import os
import re
from pathlib import Path
from typing import Any

from mfviz.errors import DataError, ModelError

# Our own option names: a model hyperparameter with one of these names gets a `--param-` prefix.
RESERVED = {"model", "split", "test_size", "seed", "k", "eval_users", "leave_out", "json", "quiet", "strengths",
            "output", "user", "item", "rating", "timestamp", "no_rating", "no_timestamp", "delimiter",
            "header", "on_bad_rows", "out_of_scale", "zeros", "items", "items_title", "explicit", "implicit", "help"}


# --------------------------------------------------------------------- hyperparameter options
def _hyperparameter_specs() -> dict[str, list[tuple[str, Any]]]:
    """Hyperparameter name → [(model name, Param), ...] over the registry, in registry order."""
    from mfviz.models.registry import MODELS

    specs: dict[str, list[tuple[str, Any]]] = {}
    for model_name, cls in MODELS.items():
        for param_name, spec in cls.params.items():
            specs.setdefault(param_name, []).append((model_name, spec))
    return specs


def _option_name(param_name: str) -> str:
    prefix = "--param-" if param_name in RESERVED else "--"
    return prefix + param_name.replace("_", "-")


def _describe(entries: list[tuple[str, Any]], param_name: str = "") -> str:
    """Help text from Param.help, with the default(s) and the models that take it."""
    _, first = entries[0]
    # each model's own words where they differ (Truncated SVD's "rank k of the approximation" headed factors for
    # all five, the SGD models' "SGD passes" ALS's epochs)
    by_help: dict[str, list[str]] = {}
    for model_name, spec in entries:
        by_help.setdefault(spec.help, []).append(model_name)
    text = (next(iter(by_help)) if len(by_help) == 1 else
            "; ".join(f"{words} ({', '.join(models)})" for words, models in by_help.items())).replace("%", "%%")
    if first.choices is not None:
        text += f" {{{', '.join(map(str, first.choices))}}}"
    else:  # the bounds Param.check enforces, per model where they differ (ALS refuses a regularization of 0)
        by_bounds: dict[str, list[str]] = {}
        for model_name, spec in entries:
            low = "" if spec.low is None else f"{'>' if spec.low_exclusive else '>='} {spec.low:g}"
            high = "" if spec.high is None else f"<= {spec.high:g}"
            by_bounds.setdefault(", ".join(part for part in (low, high) if part), []).append(model_name)
        if len(by_bounds) == 1 and "" not in by_bounds:
            text += f" ({next(iter(by_bounds))})"
        elif len(by_bounds) > 1:
            text += " (" + "; ".join(f"{bounds} for {', '.join(models)}" for bounds, models in by_bounds.items()
                                     if bounds) + ")"
    by_default: dict[str, list[str]] = {}
    for model_name, spec in entries:
        shown = repr(spec.default) if isinstance(spec.default, str) else str(spec.default)
        if param_name == "random_state":
            shown = "--seed"  # the command passes its --seed when none is given
        by_default.setdefault(shown, []).append(model_name)
    if len(by_default) == 1:
        (shown, models), = by_default.items()
        return f"{text} (default {shown}; models: {', '.join(models)})"
    return text + " (default " + "; ".join(
        f"{shown} for {', '.join(models)}" for shown, models in by_default.items()) + ")"


def _add_hyperparameters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "model hyperparameters", "each applies to the models listed; --random-state defaults to --seed")
    for param_name, entries in _hyperparameter_specs().items():
        option = _option_name(param_name)
        if isinstance(entries[0][1].default, bool):
            group.add_argument(option, dest=f"hp_{param_name}", action=argparse.BooleanOptionalAction,
                               default=None, help=_describe(entries, param_name))
        else:
            group.add_argument(option, dest=f"hp_{param_name}", metavar="VALUE", default=None,
                               help=_describe(entries, param_name))


def _convert(name: str, text: Any, spec) -> Any:
    """A command-line string as the type the model's Param expects; Param.check validates it."""
    if not isinstance(text, str):
        return text  # booleans from --flag/--no-flag
    option = _option_name(name)
    if spec.choices is not None:
        for choice in spec.choices:
            if str(choice) == text:
                return choice
        raise ModelError(f"{option} must be one of {list(spec.choices)}, got {text!r}")
    default = spec.default
    if default is None and text.lower() == "none":
        return None
    if isinstance(default, bool):
        raise ModelError(f"{option} is a switch: use {option} or --no-{option[2:]}")
    if isinstance(default, int) or default is None:
        try:
            value = int(text)
        except ValueError:
            raise ModelError(f"{option} must be an integer, got {text!r}") from None
        if name == "random_state" and value < 0:  # NumPy's generators take seeds >= 0 only
            raise ModelError(f"{option} must be a non-negative integer (or none for fresh randomness), got {value}")
        return value
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise ModelError(f"{option} must be a number, got {text!r}") from None
    return text


def _build_model(args: argparse.Namespace):
    """The chosen model with the hyperparameters given on the command line."""
    from mfviz.models.registry import get_model_class

    cls = get_model_class(args.model)
    given = {name[3:]: value for name, value in vars(args).items()
             if name.startswith("hp_") and value is not None}
    foreign = sorted(set(given) - set(cls.params))
    if foreign:
        takes = ", ".join(_option_name(p) for p in cls.params) or "no hyperparameters"
        raise ModelError(f"{_option_name(foreign[0])} does not apply to model {cls.name!r}; "
                         f"it takes {takes}")
    values = {name: _convert(name, value, cls.params[name]) for name, value in given.items()}
    seed = getattr(args, "seed", None)
    # Seed the model from --seed for repeatable runs, except for a Hogwild run, which cannot be
    # seeded and refuses a random_state.
    if ("random_state" in cls.params and "random_state" not in values and seed is not None
            and not values.get("parallel", False)):
        values["random_state"] = seed
    return cls(**values)


# --------------------------------------------------------------------- data and split options
def _column(text: str | None) -> str | int | None:
    """A column name, or a 0-based position when the text is a number."""
    if text is None:
        return None
    return int(text) if text.isdigit() else text


def _data_options(optional: bool = False) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("data", metavar="DATA", nargs="?" if optional else None,
                        help="interactions file (CSV/TSV/.dat, Parquet, JSON Lines, compressed, zip) or folder"
                             + (" (default: the built-in demo)" if optional else ""))
    group = parent.add_argument_group("reading the data (detected when not given)")
    group.add_argument("--user", metavar="COL", help="user id column: name or 0-based position")
    group.add_argument("--item", metavar="COL", help="item id column: name or 0-based position")
    group.add_argument("--rating", metavar="COL", help="rating / count column: name or position")
    group.add_argument("--timestamp", metavar="COL", help="timestamp column: name or position")
    group.add_argument("--no-rating", action="store_true", help="ignore any rating column (each row counts 1)")
    group.add_argument("--no-timestamp", action="store_true", help="ignore any timestamp column")
    group.add_argument("--delimiter", help="field separator, e.g. ',' or '\\t' (default: sniffed)")
    group.add_argument("--header", action=argparse.BooleanOptionalAction, default=None,
                       help="whether the first line names the columns (default: detected)")
    group.add_argument("--encoding", help="text encoding, e.g. latin-1 (default: UTF-8, with Windows-1252 where the "
                                          "text is not UTF-8)")
    group.add_argument("--on-bad-rows", choices=("error", "drop"), default="error",
                       help="stop at the first bad row (default) or drop and count bad rows")
    group.add_argument("--out-of-scale", choices=("drop", "keep"), default=None,
                       help="a few ratings outside the scale of the rest (typos such as -1 or 99 among 1-5 stars): "
                            "drop and count them, or keep them (default: as --on-bad-rows)")
    group.add_argument("--zeros", choices=("drop", "keep"), default=None,
                       help="rows whose value is 0: drop them all, or keep them as interactions (default: dropped "
                            "from implicit feedback, where 0 plays is no interaction; ratings of 0 kept)")
    group.add_argument("--items", metavar="PATH", help="item metadata file joined on the item id")
    group.add_argument("--items-title", metavar="COL", help="the item table's column of titles, name or 0-based "
                                                           "position (default: found by its name or content)")
    kind = group.add_mutually_exclusive_group()
    kind.add_argument("--explicit", dest="explicit", action="store_const", const=True, default=None,
                      help="treat values as ratings (default: detected)")
    kind.add_argument("--implicit", dest="explicit", action="store_const", const=False,
                      help="treat values as implicit counts / confidences")
    output = parent.add_argument_group("output")
    if not optional:  # the dashboard prints no result
        output.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    output.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parent


def _add_split_options(parser: argparse.ArgumentParser, splits) -> None:
    """The model, split and list-length options of the commands that fit on a train part."""
    parser.add_argument("--model", required=True, help="model name (see `mfviz models`)")
    parser.add_argument("--split", choices=splits, default="random",
                        help="random: per interaction; user: a share of each user's interactions; "
                             "leave-k-out: --leave-out per user; time: the latest interactions "
                             "overall; user-time: each user's latest (default random)")
    parser.add_argument("--test-size", type=float, default=0.2, metavar="F", help="held-out fraction (default 0.2)")
    parser.add_argument("--leave-out", type=int, default=1, metavar="N",
                        help="interactions held out per user by --split leave-k-out (default 1)")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="seed of the split and, unless given, of --random-state (default 0)")
    parser.add_argument("--k", type=int, default=10, metavar="N", help="list length (default 10)")
    parser.add_argument("--eval-users", type=int, default=None, metavar="N",
                        help="rank only a seeded sample of N test users (default: all of them); "
                             "ranking scores every item, so this bounds the time on big data")


def _split_streamlit_options(argv: list[str]) -> tuple[list[str], list[str]]:
    """(mfviz's arguments, Streamlit's): Streamlit's options are named section.name
    (`--server.address 0.0.0.0` or `--server.address=0.0.0.0`); taken out first, so that their
    values are not read as DATA."""
    ours, theirs = [], []
    tokens = iter(argv)
    for token in tokens:
        name = token[2:].split("=", 1)[0]
        if token.startswith("--") and "." in name:
            theirs.append(token)
            if "=" not in token:
                value = next(tokens, None)
                if value is not None:
                    theirs.append(value)
        else:
            ours.append(token)
    return ours, theirs


# --------------------------------------------------------------------- checks before any work
# --value of new-item: ratings and counts seen in practice are far below this; a larger value only
# makes the fold-in's sums of squares overflow float32 (1e30 did) instead of saying anything.
MAX_VALUE = 1e6
STDOUT = "-"  # as --output: write the file to stdout (a common convention) instead of the result


def _check_options(args: argparse.Namespace) -> None:
    """The command line's own options, checked before any data is read, in the options' names."""
    seed = getattr(args, "seed", None)
    if seed is not None and seed < 0:
        raise DataError(f"--seed must be a non-negative integer, got {seed}")
    port = getattr(args, "port", None)
    if port is not None and not 0 <= port <= 65535:
        raise DataError(f"--port must be a port number from 1 to 65535 (or 0 for any free port), got {port}")
    for option in ("n", "first_users", "eval_users", "k", "leave_out"):
        value = getattr(args, option, None)
        if value is not None and value < 1:
            raise DataError(f"--{option.replace('_', '-')} must be at least 1, got {value}")
    reg_param = getattr(args, "reg_param", None)
    if reg_param is not None and not reg_param >= 0:  # NaN fails too
        raise DataError(f"--reg-param must be a number >= 0 (Spark's regParam; its default is 0.1), got {reg_param:g}")
    if reg_param is not None and not getattr(args, "model_file", None):
        raise DataError("--reg-param is fold-in's λ for the factors of a --model-file (Spark's regParam): give the "
                        "--model-file it applies to")
    for kind in ("user", "item"):
        if getattr(args, f"{kind}_ids", None) and not getattr(args, "model_file", None):
            raise DataError(f"--{kind}-ids names the rows of a --model-file's factors: give the --model-file it "
                            "applies to")
    test_size = getattr(args, "test_size", None)
    if test_size is not None and not 0 < test_size < 1:  # NaN fails too
        raise DataError(f"--test-size must be a fraction strictly between 0 and 1 (0.2 holds out a fifth), "
                        f"got {test_size:g}")
    value = getattr(args, "value", None)
    if value is not None and not (math.isfinite(value) and abs(value) <= MAX_VALUE):
        raise DataError(f"--value must be a finite number within ±{MAX_VALUE:g} (a rating or a count), got {value:g}")
    if getattr(args, "strengths", None) is not None:
        parse_strengths(args.strengths)
    _check_inputs_exist(args)
    _check_output(args)


def parse_strengths(text: str) -> list[float]:
    """--strengths as numbers: penalty strengths β, finite and >= 0, comma separated."""
    try:
        strengths = [float(b) for b in text.split(",") if b.strip()]
    except ValueError:
        raise DataError(f"--strengths must be numbers separated by commas, e.g. 0,0.1,0.5; got {text!r}") from None
    if not strengths:
        raise DataError("--strengths needs at least one β, e.g. 0,0.1,0.5")
    bad = [b for b in strengths if not (math.isfinite(b) and b >= 0)]
    if bad:
        raise DataError(f"--strengths must each be a number >= 0 (0 is the model's own lists), got {bad[0]:g}")
    return strengths


def _check_inputs_exist(args: argparse.Namespace) -> None:
    """--model-file and --items exist: otherwise found missing only after DATA, which can take minutes."""
    models = getattr(args, "model_file", None)
    if models and args.data is None:  # the dashboard's DATA is optional, its models are not without it
        raise DataError("--model-file needs the DATA it was trained on: mfviz dashboard DATA --model-file PATH")
    for path in [models] if isinstance(models, str) else models or []:
        if not Path(path).exists():
            raise DataError(f"no such model file: {path}; check the path")
    saved = getattr(args, "workspace", None)
    if saved is not None:
        if models:
            raise DataError("--model-file and --workspace cannot be combined: load the model into the workspace on "
                            "the dashboard's Train page, save the workspace again, and start on that")
        if args.data is not None:
            raise DataError("--workspace brings its own data: leave out DATA (mfviz dashboard --workspace FILE)")
        if not Path(saved).is_file():
            raise DataError(f"no such workspace file: {saved}; check the path")
    items = getattr(args, "items", None)
    if items is not None and not Path(items).exists():
        raise DataError(f"no such --items file: {items}; check the path")


def _check_output(args: argparse.Namespace) -> None:
    """--output can be written: not a folder, in a folder that exists (checked before the fit, not after)."""
    path = getattr(args, "output", None)
    if path is None:
        return
    if path == STDOUT:
        if args.command == "train":
            raise DataError("--output - (stdout) cannot take a model, which is a binary .npz file; give a file name")
        if args.json:
            raise DataError("--output - writes the file to stdout, where --json prints its object; "
                            "give a file name, or leave out --json")
        return
    target = Path(path)
    if target.is_dir():
        raise DataError(f"cannot write --output {path}: it is a folder; give the name of a file (in it or elsewhere)")
    folder = target.parent
    if not folder.is_dir():
        raise DataError(f"cannot write --output {path}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise DataError(f"cannot write --output {path}: permission denied; choose another place")


# --------------------------------------------------------------------- library wording as option names
# The library's messages name keyword arguments; on the command line the options are meant.
_OPTION_WORDING = [
    (re.compile(r"on_bad_rows='drop'"), "--on-bad-rows drop"),
    (re.compile(r"\bout_of_scale='(drop|keep)'"), r"--out-of-scale \1"),
    (re.compile(r"\bzeros='(drop|keep)'"), r"--zeros \1"),
    (re.compile(r"\b(user|item|rating|timestamp|delimiter|encoding)=\.\.\."), r"--\1 ..."),
    (re.compile(r"\b(rating|timestamp)=False"), r"--no-\1"),
    (re.compile(r"\bencoding='([^']*)'"), r"--encoding \1"),
    (re.compile(r"\bheader=\.\.\."), "--header or --no-header"),
    (re.compile(r"\bitems=\.\.\."), "--items"),
    (re.compile(r"\btitle=\.\.\."), "--items-title"),
    (re.compile(r"\bexplicit=True"), "--explicit"),
    (re.compile(r"\bexplicit=False"), "--implicit"),
    (re.compile(r"\b(max_users|sample_users) must be a positive integer or None"), "--eval-users must be at least 1"),
    (re.compile(r"\b(max_users|sample_users)\b"), "--eval-users"),
    (re.compile(r"\bleave-k-out with k=(\d+)"), r"--split leave-k-out --leave-out \1"),
]


def _hyperparameter_wording() -> list[tuple[re.Pattern, str]]:
    """The models' messages name their keyword arguments (`random_state=None`, `parallel=True`,
    `learning_rate`); on the command line these are options."""
    try:
        names = sorted(_hyperparameter_specs(), key=len, reverse=True)
    except Exception:  # noqa: BLE001 - a broken registry must not hide the message itself
        return []
    wording = [(re.compile(r"\bset random_state=None\b"), "leave out --random-state")]
    for name in names:
        option = _option_name(name)
        wording += [(re.compile(rf"\b{name}=True\b"), option),
                    (re.compile(rf"\b{name}=False\b"), "--no-" + option[2:]),
                    (re.compile(rf"\b{name}=None\b"), f"{option} none"),
                    (re.compile(rf"\b{name}=(?=[-\w.])"), option + " ")]
        if "_" in name:  # a bare `factors` or `alpha` is a word of the text, `learning_rate` is not
            wording.append((re.compile(rf"\b{name}\b"), option))
    return wording
