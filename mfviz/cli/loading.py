"""Reading DATA and --model-file (mfviz model or external factors), checked against DATA's ids."""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from mfviz.cli.options import _column
from mfviz.cli.output import _option_words, _progress, _warn
from mfviz.errors import DataError


def _load(args: argparse.Namespace, report_on_stderr: bool = True):
    """The data of the command line's options; the load report as progress on stderr (but for `info`, whose
    output is the report: said twice before), its warnings always."""
    from mfviz import load_interactions

    rating: Any = False if args.no_rating else _column(args.rating)
    timestamp: Any = False if args.no_timestamp else _column(args.timestamp)
    # A shell passes "\t" literally; the loader wants the character.
    delimiter = None if args.delimiter is None else args.delimiter.replace("\\t", "\t")
    _progress(args, f"loading {args.data}")
    data = load_interactions(
        args.data, user=_column(args.user), item=_column(args.item), rating=rating,
        timestamp=timestamp, delimiter=delimiter, header=args.header, explicit=args.explicit,
        on_bad_rows=args.on_bad_rows, out_of_scale=args.out_of_scale, zeros=args.zeros, items=args.items,
        title=_column(getattr(args, "items_title", None)), encoding=args.encoding)
    for line in data.report.lines():
        if line in data.report.warnings:  # data likely misread: said even with --quiet
            _warn(line)
        elif report_on_stderr:
            _progress(args, "  " + _option_words(line))
    if report_on_stderr:
        _progress(args, f"  {data!r}")
    return data


def _data_fields(data) -> dict[str, Any]:
    return {"n_users": data.n_users, "n_items": data.n_items, "nnz": data.nnz,
            "explicit": data.is_explicit}


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
    reg_param = getattr(args, "reg_param", None)
    files = args.model_file if isinstance(args.model_file, list) else [args.model_file]
    if reg_param is not None and all(_is_mfviz_model(f) for f in files):
        # an mfviz model's fold-in solves its own objective, with the regularization it was fitted with
        raise DataError(f"--reg-param is for factors trained elsewhere (Spark's regParam), and {path} is an mfviz "
                        "model, which keeps the regularization it was trained with; leave --reg-param out")
    ids = {kind: getattr(args, f"{kind}_ids", None) for kind in ("user", "item")}
    if any(ids.values()) and all(_is_mfviz_model(f) for f in files):
        raise DataError(f"--user-ids and --item-ids are for factors trained elsewhere, whose file holds no ids, and "
                        f"{path} is an mfviz model, which keeps its own; leave them out")
    if _is_mfviz_model(path):
        model = load_model(path)  # a damaged mfviz model says what is wrong; it is no external factors
    else:
        model = load_factors(path, regularization=reg_param,
                             **{f"{kind}_ids": _read_ids(given, kind) for kind, given in ids.items() if given})
        if model.user_ids is not None or model.item_ids is not None:  # Spark's, or given: matched by id
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
    if hasattr(model, "aligned_to") and getattr(model, "train_matrix", None) is None:
        model = model.aligned_to(data)  # implicit's rows, in order: it now knows each user's items
    return model


def _read_ids(path, kind: str) -> np.ndarray:
    """The ids of --user-ids / --item-ids PATH: a text file with one id a line (blank lines at the end ignored), or a
    .npy array; integers when every line is one, else text."""
    import pandas as pd

    if not Path(path).exists():
        raise DataError(f"no such file: {path} (--{kind}-ids); check the path")
    if str(path).endswith(".npy"):
        try:
            return np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise DataError(f"--{kind}-ids {path}: could not read it as a .npy array of ids ({exc})") from None
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise DataError(f"--{kind}-ids {path} is not UTF-8 text; give one id a line") from None
    while lines and not lines[-1].strip():
        lines.pop()
    ids = pd.Series([line.strip() for line in lines], dtype=object)
    whole = ids.str.fullmatch(r"-?(0|[1-9][0-9]{0,17})")  # a canonical integer: "007" stays text
    return ids.astype(np.int64).to_numpy() if len(ids) and whole.all() else ids.to_numpy().astype(str)


def _matched_by_id(args: argparse.Namespace, data, external, path):
    """Spark factors with their rows matched to DATA's ids: an error when no user or no item
    matches (every score would be 0), a warning that --quiet does not hide when some do not."""
    model = external.aligned_to(data, warn_missing=False)  # said below, as the command says it
    for kind, missing, total, ids in (("user", model.missing_users, data.n_users, external.user_ids),
                                      ("item", model.missing_items, data.n_items, external.item_ids)):
        if total and missing == total and ids is not None:
            theirs = ", ".join(map(str, ids[:3]))
            ours = ", ".join(map(str, getattr(data, f"{kind}_ids")[:3]))
            raise DataError(f"none of the {kind} ids of {path} ({theirs}, ...) is among the {kind} ids of "
                            f"{args.data} ({ours}, ...): give the data the model was trained on")
    if model.missing_users or model.missing_items:
        _warn(f"{path}: {model.missing_users:,} of {data.n_users:,} users and {model.missing_items:,} of "
              f"{data.n_items:,} items of {args.data} have no factors in it and get zero vectors (score 0)")
    return model


def _model_fields(args: argparse.Namespace, model) -> dict[str, Any]:
    # factors trained elsewhere go by their file's name, as in Python (FactorModel.label), not the class's "external"
    from mfviz.models.external import FactorModel

    external = isinstance(model, FactorModel)
    fields = {"model": model.label if external else model.name, "model_file": str(args.model_file)}
    if external:
        fields["model_kind"] = "factors trained elsewhere"
    if hasattr(model, "missing_users"):  # Spark factors matched by id
        fields.update(missing_users=model.missing_users, missing_items=model.missing_items)
    if getattr(model, "rows_taken_in_order", ()):  # no ids: rows taken by position, as the warning said
        fields["rows_by_position"] = list(model.rows_taken_in_order)
    return fields
