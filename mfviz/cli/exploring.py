"""No-fit commands: info, models; on a saved model: recommend, dimensions, new-item, dashboard."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mfviz.cli.loading import _data_fields, _load, _model_fields, _saved_model_for
from mfviz.cli.options import STDOUT, _option_name
from mfviz.cli.output import _option_words, _progress, _warn, _where, _writing
from mfviz.data.id_lists import split_ids
from mfviz.errors import DataError


def cmd_info(args: argparse.Namespace) -> dict[str, Any]:
    data = _load(args, report_on_stderr=False)  # the report is the output
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
        "report": [_option_words(line) for line in data.report.lines()],  # its advice in option names
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


def _print_models(result: dict[str, Any]) -> None:
    for name, entry in result.items():
        print(f"{name}: {entry['label']} ({entry['feedback']} feedback)")
        for param, spec in entry["params"].items():
            # on the command line a model's seed follows the split's (the Python default, None, is in --json)
            default = "--seed" if param == "random_state" else spec["default"]
            print(f"  {_option_name(param):<24} default {default!s:<8} {spec['help']}")


def cmd_recommend(args: argparse.Namespace) -> dict[str, Any]:
    from mfviz.analysis import recommendation_table

    data = _load(args)
    model = _saved_model_for(args, data, "recommend")
    from mfviz.models.sanity import untrained_users

    table = recommendation_table(model, data, n=args.n)
    left_out = int(untrained_users(model).sum())
    if left_out:  # about the result: not hidden by --quiet
        print(f"mfviz: note: {left_out:,} of {data.n_users:,} users are left out of the CSV: the model was never "
              "trained on them (a split held out all their interactions), so their lists would say nothing of them",
              file=sys.stderr, flush=True)
    with _writing(args.output):
        table.to_csv(sys.stdout if args.output == STDOUT else args.output, index=False)
    _progress(args, f"wrote {len(table):,} rows to {_where(args.output)}")
    return {**_model_fields(args, model), **_data_fields(data), "n": args.n,
            "rows": len(table), "users_left_out": left_out, "output": str(args.output)}


def cmd_dimensions(args: argparse.Namespace) -> dict[str, Any]:
    from mfviz.analysis import describe_dimensions, genre_groups, principal_dimensions
    from mfviz.analysis.dimensions import coordinates_table

    data = _load(args)
    model = _saved_model_for(args, data, "describe its dimensions")
    dims = principal_dimensions(model)
    table = describe_dimensions(dims, data.titles, genre_groups(data.items), n_dims=args.n,
                                popularity=data.item_popularity, years=data.item_years)
    if args.output:
        with _writing(args.output):
            coordinates_table(dims, data.item_ids, data.titles).to_csv(
                sys.stdout if args.output == STDOUT else args.output, index=False)
        _progress(args, f"wrote every item's coordinates on {dims.item_coords.shape[1]} dimensions to "
                        f"{_where(args.output)}")
    return {**_model_fields(args, model), **_data_fields(data),
            "dimensions": table.to_dict(orient="records")}


def _print_dimensions(result: dict[str, Any]) -> None:
    from mfviz.analysis.dimensions import FOLLOWS_POPULARITY, FOLLOWS_YEAR

    for row in result["dimensions"]:
        rho = row.get("popularity ρ", float("nan"))
        follows = (f"; follows popularity, Spearman ρ = {rho:.2f}" if abs(rho) >= FOLLOWS_POPULARITY
                   else f"; popularity ρ = {rho:.2f}" if rho == rho else "")
        year_rho = row.get("year ρ", float("nan"))
        if abs(rho) < FOLLOWS_POPULARITY and abs(year_rho) >= FOLLOWS_YEAR:
            follows += (f"; follows the release year, Spearman ρ = {year_rho:.2f}, median year "
                        f"{row['− end year']:.0f} at the − end and {row['+ end year']:.0f} at the + end")
        elif year_rho == year_rho:
            follows += f"; year ρ = {year_rho:.2f}"
        print(f"dimension {row['dimension']} ({row['energy']:.1%} of the score energy{follows})")
        for side in ("+", "−"):
            genres = f"  [{row[f'{side} end genres']}]" if f"{side} end genres" in row else ""
            print(f"  {side} end: {row[f'{side} end']}{genres}")


def cmd_new_item(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd

    from mfviz.analysis import exact_search
    from mfviz.analysis.cold_start import (
        audience,
        liked_at,
        place_new_item,
        reach_baseline,
        trained_audience,
    )

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
    users, values, fans_left_out = trained_audience(model, *audience(data.matrix, seeds, at_least))
    if users.size == 0:
        raise DataError(f"no user liked items {args.fans}" + (f" (rated them {at_least:g} or more)" if at_least else "")
                        + (f" among the users the model was trained on ({fans_left_out:,} who did were held out of "
                           "its training)" if fans_left_out else ""))
    if args.value is not None:
        values = np.full(users.size, args.value, np.float32)
    reach = reach_baseline(model, data.matrix, args.n)
    if reach.left_out:  # about the result: not hidden by --quiet
        print(f"mfviz: note: {reach.left_out:,} users the model was never trained on (a split held out all their "
              f"interactions) are left out, as users to reach and as first users ({fans_left_out:,} of the fans): "
              "their lists, ranked without a fitted vector, say nothing of them", file=sys.stderr, flush=True)
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
            "reached": item.count, "share": item.share, "typical_reach": item.typical, "random_reach": item.random,
            "norm": float(np.linalg.norm(item.vector)), "bias": item.bias, "sampled_users": int(reach.users.size),
            "users_left_out": reach.left_out, "fans_left_out": fans_left_out,
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


def _count(value: float) -> str:
    """A count, or a median of counts, which may fall halfway: 2.5 printed as 2 read as a rounding error."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _print_new_item(result: dict[str, Any]) -> None:
    fans = ", ".join(f["title"] for f in result["fans_of"])
    n = result["n"]
    print(f"A new item whose first {result['first_users']:,} users are fans of {fans} "
          f"(of {result['fans']:,}), folded into {result['model']}:")
    among = "" if not result.get("users_left_out") else " the model was trained on"
    typical = result["typical_reach"]  # None (NaN in Python) when no item of the data is about as popular
    typical = (f"the data's items with ~{result['first_users']:,} interactions: median {_count(typical)}"
               if typical is not None and typical == typical else
               f"no item of the data has ~{result['first_users']:,} interactions (within a factor of 1.5) to "
               "compare with")
    print(f"  in {result['reached']:,.0f} users' top {n} ({result['share']:.1%} of the users{among} without it); "
          f"{typical}; from {result['first_users']:,} random users instead: median {_count(result['random_reach'])}")
    print(f"  vector length {result['norm']:.3g}, bias {result['bias']:+.3f}")
    for metric in ("cosine", "dot"):
        print(f"  nearest by {metric}: " + "; ".join(row["title"] for row in result["neighbours"][metric][:5]))
    print(f"  {'first users':>12} {'in top ' + str(n):>10} {'share':>7}")
    for row in result["curve"]:
        print(f"  {row['audience']:>12,} {row['reached']:>10,.0f} {row['share']:>7.1%}")


def cmd_dashboard(args: argparse.Namespace, streamlit_options: Sequence[str]) -> int:
    """Start the dashboard's server (blocks until it stops); returns Streamlit's exit code. With
    DATA, every session starts on it (and on the --model-file models) instead of the demo: read
    here, before the server starts, so a bad file or model ends with a message, not a broken page."""
    from mfviz.dashboard import serve

    if args.workspace is not None:
        _serve_workspace(args)
    elif args.data is not None:
        from mfviz.dashboard import startup

        data = _load(args)
        models = [(Path(path).name, _saved_model_for(args, data, "show it", path)) for path in args.model_file]
        startup.serve(data, Path(args.data).name, tuple(models))  # --model-file without DATA: _check_options
    port = [] if args.port is None else ["--server.port", str(args.port)]
    return serve.main([*port, *streamlit_options])


def _serve_workspace(args: argparse.Namespace) -> None:
    """--workspace: its data as prepared and its models (with their metrics and splits) for every session."""
    from mfviz.dashboard import startup, state, workspace_file

    path = Path(args.workspace)
    opened = workspace_file.read(path.read_bytes(), path.name)
    for note in opened.notes:
        _warn(note)
    # under the key the data had where it was saved: that session's links to views apply here too
    startup.serve(opened.data.interactions, opened.data.name, entries=tuple(opened.models),
                  filters=opened.data.filters, key=opened.data.key,
                  settings={**opened.settings, state.LAST_TRAINING: opened.last_training} if opened.last_training
                  else opened.settings)
