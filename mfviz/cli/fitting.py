"""Commands that fit a model: evaluate, tradeoff and report on a train part, train on all of DATA."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from mfviz.cli.loading import _data_fields, _load
from mfviz.cli.options import STDOUT, _build_model, parse_strengths
from mfviz.cli.output import _print_text, _progress, _where, _writing


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
    from mfviz.models.registry import compile_first

    # numba compiles a kind's kernels on its first fit in a fresh checkout (seconds): apart, so fit_seconds is fitting
    compiled = compile_first(model.name, model.get_params())
    if compiled >= 0.5:
        _progress(args, f"compiled {model.label}'s kernels in {compiled:.1f} s (once per checkout)")
    _progress(args, f"fitting {model!r} on {train.nnz:,} interactions")
    model.fit(train, callback=_epoch_printer(args))
    _progress(args, f"  fitted in {model.fit_seconds:.2f} s")


def _training_fields(model) -> dict[str, Any]:
    fields: dict[str, Any] = {"fit_seconds": model.fit_seconds, "epochs_run": len(model.history)}
    if model.history:
        fields["final_loss"] = model.history[-1]["loss"]
    return fields


def cmd_evaluate(args: argparse.Namespace) -> dict[str, Any]:
    from mfviz.evaluation import evaluate

    model, data, train, test = _split_and_fit(args)
    _progress(args, f"ranking top-{args.k} for the test users")
    # a ranker's rmse and mae come with evaluate's rmse_note (the dashboard and the report leave them out)
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
        active = int((train.user_activity + test.user_activity > 0).sum())
        split_users = int((test.user_activity > 0).sum())
        fields.update(leave_out=args.leave_out, users_split=split_users, users_kept_whole=active - split_users)
        if active - split_users > active / 2:  # the split warned of it on stderr too
            fields["split_note"] = (f"only {split_users:,} of the {active:,} users with interactions had more than "
                                    f"--leave-out {args.leave_out} to hold out: the others stay whole in train, "
                                    "so the test metrics speak of these few")
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

    strengths = parse_strengths(args.strengths)  # checked before loading too, by _check_options
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
