"""The `mfviz` command: inspect a data file, train and save a model, evaluate one on a split, or
measure what re-ranking it toward less popular items costs.

Results go to stdout (with --json: exactly one JSON object); progress and notes go to stderr.
Bad input (DataError, ModelError, unreadable files) ends with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mfviz.data.id_lists import split_ids
from mfviz.errors import DataError, ModelError

EXIT_USAGE = 2
# Our own option names: a model hyperparameter with one of these names gets a `--param-` prefix.
RESERVED = {"model", "split", "test_size", "seed", "k", "eval_users", "leave_out", "json", "quiet", "strengths",
            "output", "user", "item", "rating", "timestamp", "no_rating", "no_timestamp", "delimiter",
            "header", "on_bad_rows", "items", "explicit", "implicit", "help"}


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


def _describe(entries: list[tuple[str, Any]]) -> str:
    """Help text from Param.help, with the default(s) and the models that take it."""
    _, first = entries[0]
    text = first.help.replace("%", "%%")
    if first.choices is not None:
        text += f" {{{', '.join(map(str, first.choices))}}}"
    by_default: dict[str, list[str]] = {}
    for model_name, spec in entries:
        shown = repr(spec.default) if isinstance(spec.default, str) else str(spec.default)
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
                               default=None, help=_describe(entries))
        else:
            group.add_argument(option, dest=f"hp_{param_name}", metavar="VALUE", default=None,
                               help=_describe(entries))


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


# --------------------------------------------------------------------- data options
def _column(text: str | None) -> str | int | None:
    """A column name, or a 0-based position when the text is a number."""
    if text is None:
        return None
    return int(text) if text.isdigit() else text


def _load(args: argparse.Namespace):
    from mfviz import load_interactions

    rating: Any = False if args.no_rating else _column(args.rating)
    timestamp: Any = False if args.no_timestamp else _column(args.timestamp)
    # A shell passes "\t" literally; the loader wants the character.
    delimiter = None if args.delimiter is None else args.delimiter.replace("\\t", "\t")
    _progress(args, f"loading {args.data}")
    data = load_interactions(
        args.data, user=_column(args.user), item=_column(args.item), rating=rating,
        timestamp=timestamp, delimiter=delimiter, header=args.header, explicit=args.explicit,
        on_bad_rows=args.on_bad_rows, items=args.items)
    for line in data.report.lines():
        _progress(args, "  " + line)
    _progress(args, f"  {data!r}")
    return data


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
    group.add_argument("--on-bad-rows", choices=("error", "drop"), default="error",
                       help="stop at the first bad row (default) or drop and count bad rows")
    group.add_argument("--items", metavar="PATH", help="item metadata file joined on the item id")
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


# --------------------------------------------------------------------- commands
def _progress(args: argparse.Namespace, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr, flush=True)


def _epoch_printer(args: argparse.Namespace):
    def callback(epoch: int, loss: float, seconds: float) -> None:
        _progress(args, f"  epoch {epoch:>4}  loss {loss:.6g}  ({seconds:.2f} s)")
    return callback


def _feedback_note(args: argparse.Namespace, model, data) -> None:
    kind = "explicit" if data.is_explicit else "implicit"
    if model.feedback in ("explicit", "implicit") and model.feedback != kind:
        _progress(args, f"note: {model.label} is made for {model.feedback} feedback but the data is "
                        f"{kind}; pass --{model.feedback} to treat the values as such")


def _fit(args: argparse.Namespace, model, train) -> None:
    _progress(args, f"fitting {model!r} on {train.nnz:,} interactions")
    model.fit(train, callback=_epoch_printer(args))
    _progress(args, f"  fitted in {model.fit_seconds:.2f} s")


def _data_fields(data) -> dict[str, Any]:
    return {"n_users": data.n_users, "n_items": data.n_items, "nnz": data.nnz,
            "explicit": data.is_explicit}


def _training_fields(model) -> dict[str, Any]:
    fields: dict[str, Any] = {"fit_seconds": model.fit_seconds, "epochs_run": len(model.history)}
    if model.history:
        fields["final_loss"] = model.history[-1]["loss"]
    return fields


def cmd_evaluate(args: argparse.Namespace) -> dict[str, Any]:
    from mfviz.evaluation import evaluate

    model, data, train, test = _split_and_fit(args)
    _progress(args, f"ranking top-{args.k} for the test users")
    metrics = evaluate(model, train, test, k=args.k, max_users=args.eval_users, seed=args.seed)
    if args.by_activity:
        from mfviz.evaluation.breakdown import by_activity, per_user

        frame = per_user(model, test, k=args.k, max_users=args.eval_users, seed=args.seed)
        metrics["by_activity"] = by_activity(frame, np.diff(train.matrix.indptr)).to_dict(orient="records")
    if args.by_profile_size:
        from mfviz.evaluation.breakdown import profile_size_curve

        _progress(args, "folding in test users from their first 1, 2, 3, 5, 10, 20 training interactions")
        curve = profile_size_curve(model, train, test, k=args.k, seed=args.seed)
        metrics["by_profile_size"] = curve.to_dict(orient="records")
    return {"model": model.name, "params": model.get_params(), "data": str(args.data),
            **_data_fields(data), **_split_fields(args, train, test), **_training_fields(model), **metrics}


def _print_evaluate(result: dict[str, Any]) -> None:
    groups = result.pop("by_activity", None)
    curve = result.pop("by_profile_size", None)
    _print_text(result)
    if curve:
        k = result["k"]
        print(f"by profile size (test users folded in from their first interactions; all = trained):\n"
              f"  {'told':>6} {'users':>6} {'ndcg@' + str(k):>16}" + (f" {'rmse':>8}" if "rmse" in curve[0] else ""))
        for row in curve:
            print(f"  {row['label']:>6} {row['users']:>6} {row[f'ndcg@{k}']:.4f} ± {row[f'ndcg@{k} se']:.4f}"
                  + (f" {row['rmse']:>8.4f}" if "rmse" in row else ""))
    if groups:
        k = result["k"]
        metrics = [f"ndcg@{k}", f"recall@{k}", "hit"] + (["rmse"] if "rmse" in groups[0] else [])
        print(f"by activity (training interactions per test user):\n  {'group':>12} {'users':>6} "
              + " ".join(f"{m:>15}" for m in metrics))
        for row in groups:
            cells = [f"{row[m]:.4f} ± {row[m + ' se']:.4f}" if row.get(m + " se") is not None else f"{row[m]:.4f}"
                     for m in metrics]  # no standard error for a group of one user
            print(f"  {row['group']:>12} {row['users']:>6} " + " ".join(f"{c:>15}" for c in cells))


def _split_and_fit(args: argparse.Namespace):
    """Model, data, train and test of the commands that fit on a train part, with progress on stderr."""
    from mfviz.evaluation import split

    model = _build_model(args)  # before loading, so a bad option fails fast
    data = _load(args)
    _feedback_note(args, model, data)
    train, test = split(data, args.split, test_size=args.test_size, seed=args.seed, k=args.leave_out)
    _progress(args, f"{args.split} split (seed {args.seed}): {train.nnz:,} train, {test.nnz:,} test")
    note = _split_note(args, train, test)
    if note:
        print("mfviz: note: " + note, file=sys.stderr, flush=True)  # about the result: not hidden by --quiet
    _fit(args, model, train)
    return model, data, train, test


def _split_fields(args: argparse.Namespace, train, test) -> dict[str, Any]:
    fields: dict[str, Any] = {"split": args.split, "seed": args.seed, "k": args.k, "n_train": train.nnz,
                              "n_test": test.nnz}
    if args.split == "leave-k-out":
        fields["leave_out"] = args.leave_out
    else:
        fields["test_size"] = args.test_size
        fields["test_share"] = test.nnz / max(train.nnz + test.nnz, 1)
        note = _split_note(args, train, test)
        if note:
            fields["split_note"] = note
    return fields


def _split_note(args: argparse.Namespace, train, test) -> str | None:
    """When a per-user split held out a share far from --test-size, say so and why: a user keeps a
    training interaction, so one whose round(test_size × count) would take them all stays whole in train."""
    if args.split == "leave-k-out":
        return None
    share = test.nnz / max(train.nnz + test.nnz, 1)
    if abs(share - args.test_size) <= max(0.05, 0.25 * args.test_size):
        return None
    return (f"--split {args.split} held out {share:.1%} of the interactions, not the {args.test_size:.0%} asked: "
            f"each user keeps at least one training interaction, so a user for whom round({args.test_size:g} × "
            "their interactions) would leave none stays whole in train")


def cmd_tradeoff(args: argparse.Namespace) -> dict[str, Any]:
    from mfviz.analysis.tradeoff import accuracy_popularity_tradeoff

    try:
        strengths = [float(b) for b in args.strengths.split(",") if b.strip()]
    except ValueError:
        raise DataError(f"--strengths must be numbers separated by commas, e.g. 0,0.1,0.5; got {args.strengths!r}") from None
    if not strengths:
        raise DataError("--strengths needs at least one β, e.g. 0,0.1,0.5")
    model, data, train, test = _split_and_fit(args)
    _progress(args, f"re-ranking top-{args.k} lists at {len(strengths)} penalty strengths")
    curve = accuracy_popularity_tradeoff(model, train, test, strengths=strengths, k=args.k,
                                         sample_users=args.eval_users, seed=args.seed)
    return {"model": model.name, "params": model.get_params(), "data": str(args.data), **_data_fields(data),
            **_split_fields(args, train, test), **_training_fields(model), "tradeoff": curve.to_dict(orient="records")}


def _print_tradeoff(result: dict[str, Any]) -> None:
    k = result["k"]
    print(f"{result['model']} on {result['data']}: {result['split']} split, seed {result['seed']}, lists of {k}")
    print(f"{'β':>6} {'NDCG@' + str(k):>9} {'recall@' + str(k):>10} {'long tail':>10} {'ARP':>8} {'coverage':>9}")
    for row in result["tradeoff"]:
        print(f"{row['strength']:>6g} {row[f'ndcg@{k}']:>9.4f} {row[f'recall@{k}']:>10.4f} {row['aplt']:>10.1%} "
              f"{row['arp']:>8.1f} {row['coverage']:>9.1%}")


def cmd_report(args: argparse.Namespace) -> dict[str, Any]:
    from mfviz.dashboard import report

    model, data, train, test = _split_and_fit(args)
    _progress(args, "writing the report")
    text = report.build(args.title or model.label, model, train, test, data, str(args.data), k=args.k)
    with _writing(args.output):
        if args.output == STDOUT:
            sys.stdout.write(text)
        else:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
    _progress(args, f"wrote {_where(args.output)}")
    return {"model": model.name, "params": model.get_params(), "data": str(args.data), **_data_fields(data),
            **_split_fields(args, train, test), **_training_fields(model), "output": str(args.output)}


def _where(output: str) -> str:
    return "stdout" if output == STDOUT else output


def cmd_train(args: argparse.Namespace) -> dict[str, Any]:
    model = _build_model(args)  # before loading, so a bad option fails fast
    data = _load(args)
    _feedback_note(args, model, data)
    _fit(args, model, data)
    with _writing(args.output):
        path = model.save(args.output)
    _progress(args, f"saved to {path}")
    return {"model": model.name, "params": model.get_params(), "data": str(args.data),
            **_data_fields(data), **_training_fields(model), "output": str(path)}


def _is_mfviz_model(path) -> bool:
    """Whether `path` is a model written by mfviz (Model.save): an .npz holding its metadata entry.
    Damaged or not, such a file is read by load_model alone, so its own reason is what a person sees."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "meta_json.npy" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _saved_model_for(args: argparse.Namespace, data, verb: str, path=None):
    """The model of --model-file (or `path`), refused unless it was trained on DATA's users and items:
    an mfviz .npz, or factors trained elsewhere (implicit's .npz; a Spark ALSModel folder or its zip,
    whose rows are matched to DATA's ids)."""
    from mfviz.models import load_model
    from mfviz.models.external import load_factors

    path = args.model_file if path is None else path
    if not Path(path).exists():
        raise DataError(f"no such model file: {path}; check the path")
    if _is_mfviz_model(path):
        model = load_model(path)  # a damaged mfviz model says what is wrong; it is no external factors
    else:
        model = load_factors(path)
        if model.user_ids is not None:  # Spark: its own row order, matched by id
            model = _matched_by_id(args, data, model, path)
    for kind, ids in (("user", data.user_ids), ("item", data.item_ids)):
        known = getattr(model, f"{kind}_ids")
        if known is not None and (len(known) != len(ids) or not np.array_equal(known.astype(str), ids.astype(str))):
            raise DataError(f"{path} was trained on other {kind}s than {args.data} has "
                            f"({len(known):,} vs {len(ids):,}, or in another order): {verb} with the data "
                            "it was trained on")
    if (model.n_users, model.n_items) != (data.n_users, data.n_items):
        raise DataError(f"{path} has {model.n_users:,} users × {model.n_items:,} items but "
                        f"{args.data} has {data.n_users:,} × {data.n_items:,}: {verb} with the data it was "
                        "trained on")
    return model


def _matched_by_id(args: argparse.Namespace, data, external, path):
    """Spark factors with their rows matched to DATA's ids: an error when no user or no item
    matches (every score would be 0), a warning that --quiet does not hide when some do not."""
    model = external.aligned_to(data)
    for kind, missing, total, ids in (("user", model.missing_users, data.n_users, external.user_ids),
                                      ("item", model.missing_items, data.n_items, external.item_ids)):
        if total and missing == total:
            theirs = ", ".join(map(str, ids[:3]))
            ours = ", ".join(map(str, getattr(data, f"{kind}_ids")[:3]))
            raise DataError(f"none of the {kind} ids of {path} ({theirs}, ...) is among the {kind} ids of "
                            f"{args.data} ({ours}, ...): give the data the model was trained on")
    if model.missing_users or model.missing_items:
        _warn(f"{path}: {model.missing_users:,} of {data.n_users:,} users and {model.missing_items:,} of "
              f"{data.n_items:,} items of {args.data} have no factors in it and get zero vectors (score 0)")
    return model


def _model_fields(args: argparse.Namespace, model) -> dict[str, Any]:
    fields = {"model": model.name, "model_file": str(args.model_file)}
    if hasattr(model, "missing_users"):  # Spark factors matched by id
        fields.update(missing_users=model.missing_users, missing_items=model.missing_items)
    return fields


def cmd_recommend(args: argparse.Namespace) -> dict[str, Any]:
    from mfviz.analysis import recommendation_table

    data = _load(args)
    model = _saved_model_for(args, data, "recommend")
    table = recommendation_table(model, data, n=args.n)
    with _writing(args.output):
        table.to_csv(sys.stdout if args.output == STDOUT else args.output, index=False)
    _progress(args, f"wrote {len(table):,} rows to {_where(args.output)}")
    return {**_model_fields(args, model), **_data_fields(data), "n": args.n,
            "rows": len(table), "output": str(args.output)}


def cmd_dimensions(args: argparse.Namespace) -> dict[str, Any]:
    from mfviz.analysis import describe_dimensions, genre_groups, principal_dimensions
    from mfviz.analysis.dimensions import coordinates_table

    data = _load(args)
    model = _saved_model_for(args, data, "describe its dimensions")
    dims = principal_dimensions(model)
    table = describe_dimensions(dims, data.titles, genre_groups(data.items), n_dims=args.n)
    if args.output:
        with _writing(args.output):
            coordinates_table(dims, data.item_ids, data.titles).to_csv(
                sys.stdout if args.output == STDOUT else args.output, index=False)
        _progress(args, f"wrote every item's coordinates on {dims.item_coords.shape[1]} dimensions to "
                        f"{_where(args.output)}")
    return {**_model_fields(args, model), **_data_fields(data),
            "dimensions": table.to_dict(orient="records")}


def _print_dimensions(result: dict[str, Any]) -> None:
    for row in result["dimensions"]:
        print(f"dimension {row['dimension']} ({row['energy']:.1%} of the score energy)")
        for side in ("+", "−"):
            genres = f"  [{row[f'{side} end genres']}]" if f"{side} end genres" in row else ""
            print(f"  {side} end: {row[f'{side} end']}{genres}")


def cmd_new_item(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd

    from mfviz.analysis import exact_search
    from mfviz.analysis.cold_start import audience, liked_at, place_new_item, reach_baseline

    data = _load(args)
    model = _saved_model_for(args, data, "fold a new item into it")
    _check_value(args, model, data)
    wanted = [text.strip() for text in split_ids(args.fans) if text.strip()]
    seeds = pd.Index(data.item_ids.astype(str)).get_indexer(wanted)
    if not wanted or (seeds < 0).any():
        missing = [w for w, s in zip(wanted, seeds, strict=True) if s < 0]
        raise DataError(f"--fans needs item ids of {args.data} separated by commas (a comma inside an id "
                        f"written \\,); not found: {', '.join(missing) or 'none given'}")
    at_least = liked_at(*np.unique(data.matrix.data, return_counts=True)) if data.is_explicit and data.nnz else None
    users, values = audience(data.matrix, seeds, at_least)
    if users.size == 0:
        raise DataError(f"no user liked items {args.fans}" + (f" (rated them {at_least:g} or more)" if at_least else ""))
    if args.value is not None:
        values = np.full(users.size, args.value, np.float32)
    reach = reach_baseline(model, data.matrix, args.n)
    item = place_new_item(model, reach, users, values, min(args.first_users, users.size),
                          np.diff(data.matrix.tocsc().indptr))
    neighbours = {}
    for metric in ("cosine", "dot"):
        ids, scores = exact_search(item.vector[None, :], model.item_factors, 10, metric)
        neighbours[metric] = [{"item_id": data.item_ids[i], "title": data.titles[i], "score": float(x)}
                              for i, x in zip(ids[0], scores[0], strict=True) if i >= 0]
    return {**_model_fields(args, model), **_data_fields(data), "n": args.n,
            "fans_of": [{"item_id": data.item_ids[i], "title": data.titles[i]} for i in seeds],
            "liked_at_least": at_least, "fans": int(users.size), "first_users": int(item.first_users.size),
            "reached": item.count, "share": item.share, "typical_reach": item.typical,
            "norm": float(np.linalg.norm(item.vector)), "bias": item.bias, "sampled_users": int(reach.users.size),
            "neighbours": neighbours, "curve": item.curve.to_dict(orient="records")}


def _check_value(args: argparse.Namespace, model, data) -> None:
    """--value as a value the fold-in can use: on ratings, within the data's own scale (the fold-in
    extrapolates linearly, so a rating off the scale says nothing the data could back); on counts or
    for an implicit model, above 0 (implicit ALS leaves out users with values <= 0, and a count of 0 is
    no interaction: the item would have no first users at all)."""
    value = args.value
    if value is None:
        return
    if data.is_explicit and data.nnz:
        low, high = float(data.matrix.data.min()), float(data.matrix.data.max())
        if not low <= value <= high:
            raise DataError(f"--value must be a rating on the data's scale, from {low:g} to {high:g}; got {value:g}")
    if value <= 0 and (model.feedback == "implicit" or not data.is_explicit):
        whose = f"{model.label}, an implicit-feedback model," if model.feedback == "implicit" else "implicit data"
        raise DataError(f"--value must be above 0 for {whose}: a value of {value:g} is no interaction, so the "
                        "new item would have no first users; give a count or confidence such as 1")


def _print_new_item(result: dict[str, Any]) -> None:
    fans = ", ".join(f["title"] for f in result["fans_of"])
    n = result["n"]
    print(f"A new item whose first {result['first_users']:,} users are fans of {fans} "
          f"(of {result['fans']:,}), folded into {result['model']}:")
    print(f"  in {result['reached']:,.0f} users' top {n} ({result['share']:.1%} of the users without it); "
          f"the data's items with ~{result['first_users']:,} interactions: median {result['typical_reach']:,.0f}")
    print(f"  vector length {result['norm']:.3g}, bias {result['bias']:+.3f}")
    for metric in ("cosine", "dot"):
        print(f"  nearest by {metric}: " + "; ".join(row["title"] for row in result["neighbours"][metric][:5]))
    print(f"  {'first users':>12} {'in top ' + str(n):>10} {'share':>7}")
    for row in result["curve"]:
        print(f"  {row['audience']:>12,} {row['reached']:>10,.0f} {row['share']:>7.1%}")


def cmd_info(args: argparse.Namespace) -> dict[str, Any]:
    data = _load(args)
    summary = data.summary()
    fields: dict[str, Any] = {
        "data": str(args.data), **_data_fields(data), "density": summary.density,
        "head_items": summary.head_items, "head_share": summary.head_share,
        "long_tail_share": summary.long_tail_share,
        "max_user_activity": int(summary.user_activity.max()),
        "median_user_activity": float(np.median(summary.user_activity)),
        "max_item_popularity": int(summary.item_popularity.max()),
        "has_timestamps": data.timestamps is not None,
        "item_metadata_columns": [c for c in data.items.columns if c != "item_id"],
        "histogram": {str(v): int(c) for v, c in summary.rating_histogram.itertuples(index=False)},
        "report": data.report.lines(),
    }
    if data.timestamps is not None:
        fields["first_timestamp"] = int(data.timestamps.min())
        fields["last_timestamp"] = int(data.timestamps.max())
    return fields


def cmd_models(args: argparse.Namespace) -> dict[str, Any]:
    from mfviz.models.registry import MODELS

    return {name: {"label": cls.label, "feedback": cls.feedback,
                   "params": {p: {"default": spec.default, "help": spec.help}
                              for p, spec in cls.params.items()}}
            for name, cls in MODELS.items()}


def cmd_dashboard(args: argparse.Namespace, streamlit_options: Sequence[str]) -> int:
    """Start the dashboard's server (blocks until it stops); returns Streamlit's exit code. With
    DATA, every session starts on it (and on the --model-file models) instead of the demo: read
    here, before the server starts, so a bad file or model ends with a message, not a broken page."""
    from mfviz.dashboard import serve

    if args.data is not None:
        from mfviz.dashboard import startup

        data = _load(args)
        models = [(Path(path).name, _saved_model_for(args, data, "show it", path)) for path in args.model_file]
        startup.serve(data, Path(args.data).name, tuple(models))
    elif args.model_file:
        raise DataError("--model-file needs the DATA it was trained on: mfviz dashboard DATA --model-file PATH")
    port = [] if args.port is None else ["--server.port", str(args.port)]
    return serve.main([*port, *streamlit_options])


def _print_models(result: dict[str, Any]) -> None:
    for name, entry in result.items():
        print(f"{name}: {entry['label']} ({entry['feedback']} feedback)")
        for param, spec in entry["params"].items():
            print(f"  {_option_name(param):<24} default {spec['default']!s:<8} {spec['help']}")


# --------------------------------------------------------------------- output
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
    for option in ("n", "first_users", "eval_users"):
        value = getattr(args, option, None)
        if value is not None and value < 1:
            raise DataError(f"--{option.replace('_', '-')} must be at least 1, got {value}")
    value = getattr(args, "value", None)
    if value is not None and not (math.isfinite(value) and abs(value) <= MAX_VALUE):
        raise DataError(f"--value must be a finite number within ±{MAX_VALUE:g} (a rating or a count), got {value:g}")
    _check_output(args)


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


@contextlib.contextmanager
def _writing(path):
    """Write errors (full disk, a folder removed meanwhile) worded as such."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise DataError(f"could not write {path}: {exc.strerror or exc}") from None


def _warn(text: str) -> None:
    """A warning about the result: on stderr even with --quiet, which hides progress only."""
    print("mfviz: warning: " + " ".join(text.split()), file=sys.stderr, flush=True)


# --------------------------------------------------------------------- parser and entry point
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


def build_parser() -> argparse.ArgumentParser:
    from mfviz.evaluation import SPLITS

    parser = argparse.ArgumentParser(
        prog="mfviz", description="Train and evaluate matrix-factorization recommenders.",
        epilog="Examples: mfviz info u.data | mfviz evaluate u.data --model als --factors 64 --json "
               "| mfviz train u.data --model ials --output ials.npz "
               "| mfviz recommend u.data -m ials.npz -o recs.csv | mfviz dimensions u.data -m ials.npz "
               "| mfviz tradeoff u.data --implicit --model ials | mfviz new-item u.data -m ials.npz --fans 50")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data_options = _data_options()

    info = commands.add_parser("info", parents=[data_options], help="load a file and summarise it",
                               description="Load DATA, print the load report and a summary.")
    info.set_defaults(run=cmd_info)

    model_names = "see `mfviz models`"
    evaluate = commands.add_parser(
        "evaluate", parents=[data_options], help="split, train on the train part, score the test part",
        description="Split DATA, fit a model on the train part and report accuracy (explicit data) "
                    "and top-k ranking metrics with training items excluded.")
    _add_split_options(evaluate, SPLITS)
    evaluate.add_argument("--by-activity", action="store_true",
                          help="also report the ranking metrics (and RMSE) per fifth of the test users by activity")
    evaluate.add_argument("--by-profile-size", action="store_true",
                          help="also report them for test users folded in from only their first 1, 2, 3, 5, 10, 20 "
                               "training interactions (how much a new user must tell the model)")
    _add_hyperparameters(evaluate)
    evaluate.set_defaults(run=cmd_evaluate, render=_print_evaluate)

    tradeoff = commands.add_parser(
        "tradeoff", parents=[data_options], help="held-out accuracy against popularity as a penalty re-ranks",
        description="Split DATA, fit a model on the train part, then re-rank its lists with a growing popularity "
                    "penalty (score − β σ z, z the item's standardised log popularity, σ the spread of the "
                    "model's scores) and report, per β, NDCG/recall/precision@k on the test part and the lists' "
                    "long-tail share (APLT), mean popularity (ARP) and catalogue coverage.")
    _add_split_options(tradeoff, SPLITS)
    tradeoff.add_argument("--strengths", default="0,0.025,0.05,0.1,0.15,0.2,0.3,0.4,0.5,0.75,1,1.5", metavar="B,B,...",
                          help="penalty strengths β, comma separated (default 0 to 1.5 in 12 steps)")
    _add_hyperparameters(tradeoff)
    tradeoff.set_defaults(run=cmd_tradeoff, render=_print_tradeoff)

    report_parser = commands.add_parser(
        "report", parents=[data_options], help="a model's report to share, as one HTML file",
        description="Split DATA, fit a model on the train part and write its report (the Train page's "
                    "\"Download a report\"): test metrics next to the Popularity baseline, which users it serves, "
                    "how much a new user must tell it, its popularity bias and a few neighbour lists.")
    _add_split_options(report_parser, SPLITS)
    report_parser.add_argument("--output", "-o", required=True, metavar="PATH", help="HTML file to write (-: stdout)")
    report_parser.add_argument("--title", default=None, help="the report's title (default: the model's name)")
    _add_hyperparameters(report_parser)
    report_parser.set_defaults(run=cmd_report)

    train = commands.add_parser("train", parents=[data_options], help="fit on all of DATA and save",
                                description="Fit a model on all of DATA and save it as .npz.")
    train.add_argument("--model", required=True, help=f"model name ({model_names})")
    train.add_argument("--output", "-o", required=True, metavar="PATH", help="model file to write (.npz)")
    train.add_argument("--seed", type=int, default=0, metavar="N",
                       help="--random-state when not given (default 0)")
    _add_hyperparameters(train)
    train.set_defaults(run=cmd_train)

    recommend = commands.add_parser(
        "recommend", parents=[data_options], help="every user's top-n by a saved model, as CSV",
        description="Load DATA and a model saved by `mfviz train` on it, and write every user's top-n "
                    "(user_id, rank, item_id, title, score; the user's own items left out) as CSV.")
    recommend.add_argument("--model-file", "-m", required=True, metavar="PATH", help="model file (.npz)")
    recommend.add_argument("--n", type=int, default=10, metavar="N", help="items per user (default 10)")
    recommend.add_argument("--output", "-o", required=True, metavar="PATH", help="CSV file to write (-: stdout, in place of the summary)")
    recommend.set_defaults(run=cmd_recommend)

    dimensions = commands.add_parser(
        "dimensions", parents=[data_options], help="what a saved model's strongest dimensions contrast",
        description="Load DATA and a model saved by `mfviz train` on it; print the strongest dimensions of "
                    "its scores (singular directions of user · item), each with its share of the score "
                    "energy and the items (and over-represented genres) at both ends.")
    dimensions.add_argument("--model-file", "-m", required=True, metavar="PATH", help="model file (.npz)")
    dimensions.add_argument("--n", type=int, default=8, metavar="N", help="dimensions to describe (default 8)")
    dimensions.add_argument("--output", "-o", default=None, metavar="PATH",
                            help="also write every item's coordinates on every dimension to this CSV (-: stdout, "
                                 "in place of the description)")
    dimensions.set_defaults(run=cmd_dimensions, render=_print_dimensions)

    new_item = commands.add_parser(
        "new-item", parents=[data_options], help="where a new item lands and whose lists it enters",
        description="Load DATA and a model saved on it; fold in a new item whose first users are a random draw "
                    "of the fans of the --fans items (for ratings: users who gave them at least the median "
                    "rating), with the user side frozen; print its nearest items, the users whose top-n it would "
                    "enter (against the data's items of the same popularity) and how that grows with its users.")
    new_item.add_argument("--model-file", "-m", required=True, metavar="PATH", help="model file (.npz)")
    new_item.add_argument("--fans", required=True, metavar="ID[,ID...]",
                          help="item ids whose fans are its first users (a comma inside an id: \\,)")
    new_item.add_argument("--first-users", type=int, default=50, metavar="N", help="its first users (default 50)")
    new_item.add_argument("--value", type=float, default=None, metavar="R",
                          help="the rating (value) every first user gives it (default: the best they gave the --fans items); "
                               "on ratings within the data's scale, on counts above 0")
    new_item.add_argument("--n", type=int, default=10, metavar="N", help="length of the users' lists (default 10)")
    new_item.set_defaults(run=cmd_new_item, render=_print_new_item)

    models = commands.add_parser("models", help="list the models and their hyperparameters")
    models.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    models.set_defaults(run=cmd_models, render=_print_models, quiet=True)

    dashboard = commands.add_parser(
        "dashboard", parents=[_data_options(optional=True)],
        help="start the dashboard in the browser (on DATA, or on the demo)",
        description="Start the dashboard's Streamlit server with mfviz and the start data preloaded "
                    "(see mfviz/dashboard/serve.py). Every browser session starts on DATA (no upload, no "
                    "size limit) and the --model-file models, or on the demo without DATA. Streamlit's own "
                    "options (section.name) go to `streamlit run`, e.g. --server.address 0.0.0.0.")
    dashboard.add_argument("--model-file", "-m", action="append", default=[], metavar="PATH",
                           help="a model trained on DATA (mfviz .npz, implicit's .npz, Spark folder or zip) "
                                "that every session starts with; repeat for more")
    dashboard.add_argument("--port", type=int, default=None, metavar="N",
                           help="port to serve on, 1 to 65535 or 0 for any free one (default: Streamlit's, 8501)")
    dashboard.set_defaults(run=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad input)."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    streamlit_options = []
    if argv[:1] == ["dashboard"]:  # Streamlit's options go to `streamlit run`, before DATA is parsed
        argv, streamlit_options = _split_streamlit_options(argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    started = time.perf_counter()
    try:
        _check_options(args)
        if args.command == "dashboard":
            return cmd_dashboard(args, streamlit_options)
        result = args.run(args)
    except BrokenPipeError:  # the reader of `--output -` (e.g. `| head`) went away: not an error
        return _stdout_gone()
    except (DataError, ModelError) as exc:
        return _fail(str(exc))
    except FileNotFoundError as exc:
        return _fail(f"no such file: {exc.filename or exc}; check the path")
    except OSError as exc:
        return _fail(f"could not read {exc.filename or 'the input'}: {exc.strerror or exc}")
    except NotImplementedError:
        return _fail(f"model {getattr(args, 'model', '?')!r} is not implemented yet; "
                     "choose another one (see `mfviz models`)")
    except KeyboardInterrupt:
        print("mfviz: interrupted", file=sys.stderr)
        return 130
    try:
        if args.json:
            print(json.dumps(_plain(result), allow_nan=False), flush=True)
        elif getattr(args, "output", None) == STDOUT:
            sys.stdout.flush()  # the file went to stdout in place of the result
        else:
            getattr(args, "render", _print_text)(_plain(result))
            sys.stdout.flush()
    except BrokenPipeError:
        return _stdout_gone()
    _progress(args, f"done in {time.perf_counter() - started:.2f} s")
    return 0


# The library's messages name keyword arguments; on the command line the options are meant.
_OPTION_WORDING = [
    (re.compile(r"on_bad_rows='drop'"), "--on-bad-rows drop"),
    (re.compile(r"\b(user|item|rating|timestamp|delimiter)=\.\.\."), r"--\1 ..."),
    (re.compile(r"\bexplicit=True"), "--explicit"),
    (re.compile(r"\bexplicit=False"), "--implicit"),
    (re.compile(r"\b(max_users|sample_users) must be a positive integer or None"), "--eval-users must be at least 1"),
    (re.compile(r"\b(max_users|sample_users)\b"), "--eval-users"),
]


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


def _stdout_gone() -> int:
    """The reader (e.g. `| head`) went away: not an error. Point stdout at devnull so the
    interpreter's final flush does not complain again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


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


def _fail(message: str) -> int:
    message = " ".join(message.split())
    for pattern, replacement in _OPTION_WORDING + _hyperparameter_wording():
        message = pattern.sub(replacement, message)
    print("mfviz: error: " + message, file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
