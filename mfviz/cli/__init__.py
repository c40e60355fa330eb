"""The `mfviz` command: inspect a data file, train and save a model, evaluate one on a split, or
measure what re-ranking it toward less popular items costs.

Results go to stdout (with --json: exactly one JSON object); progress and notes go to stderr.
Bad input (DataError, ModelError, unreadable files) ends with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Sequence

from mfviz.cli.exploring import (
    _print_dimensions,
    _print_models,
    _print_new_item,
    cmd_dashboard,
    cmd_dimensions,
    cmd_info,
    cmd_models,
    cmd_new_item,
    cmd_recommend,
)
from mfviz.cli.fitting import (
    _print_evaluate,
    _print_tradeoff,
    cmd_evaluate,
    cmd_report,
    cmd_tradeoff,
    cmd_train,
)
from mfviz.cli.options import (
    STDOUT,
    _add_hyperparameters,
    _add_split_options,
    _check_options,
    _data_options,
    _split_streamlit_options,
)
from mfviz.cli.output import _fail, _plain, _print_text, _progress, _show_warning, _stdout_gone
from mfviz.errors import DataError, ModelError

REG_PARAM_HELP = ("fold-in's λ for factors trained elsewhere: the regParam the Spark ALS model of --model-file was "
                  "trained with (Spark does not save it; default 0.1, Spark's); for implicit's .npz it replaces the "
                  "file's regularization")


def _add_id_options(parser: argparse.ArgumentParser) -> None:
    """--user-ids / --item-ids: the ids of the rows of a factor file that holds none (implicit's .npz)."""
    for kind in ("user", "item"):
        parser.add_argument(f"--{kind}-ids", default=None, metavar="FILE",
                            help=f"the {kind} id of each {kind} row of factors trained elsewhere (implicit's .npz holds "
                                 "no ids): a text file, one id a line in the rows' order (e.g. pd.factorize's "
                                 f"uniques), or a .npy; without it row r is DATA's r-th {kind} id in sorted order")


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
                    "model's scores; each user's top 10·k by the model re-ordered) and report, per β, NDCG/recall/precision@k on the test part and the lists' "
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
    _add_id_options(recommend)
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
    _add_id_options(dimensions)
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
    new_item.add_argument("--reg-param", type=float, default=None, metavar="L", help=REG_PARAM_HELP)
    _add_id_options(new_item)
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
    dashboard.add_argument("--reg-param", type=float, default=None, metavar="L", help=REG_PARAM_HELP)
    _add_id_options(dashboard)
    dashboard.add_argument("--workspace", "-w", default=None, metavar="FILE",
                           help="a workspace saved on the dashboard (Save the workspace, .mfviz.zip): every session "
                                "starts on its data as prepared and its models, with their metrics (no 200 MB upload "
                                "limit); without DATA: the file holds its data")
    dashboard.add_argument("--port", type=int, default=None, metavar="N",
                           help="port to serve on, 1 to 65535 or 0 for any free one (default: Streamlit's, 8501)")
    dashboard.set_defaults(run=None)
    return parser


def _command_parser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    """The sub-parser of `command` (the top-level parser when there is none)."""
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        if command in getattr(action, "choices", {}):
            return action.choices[command]
    return parser


def _option_hint(parser: argparse.ArgumentParser, given: str) -> str:
    """' (did you mean --factors?)' for a peer's option name (--n-factors) or a near miss of one of ours, else an
    empty string."""
    import difflib

    from mfviz.models.base import PEER_NAMES

    if not given.startswith("--"):
        return ""
    name = given[2:].split("=", 1)[0]
    ours = {option for action in parser._actions for option in action.option_strings if option.startswith("--")}
    guess = "--" + PEER_NAMES.get(name.replace("-", "_"), "").replace("_", "-")
    if guess not in ours:
        close = difflib.get_close_matches("--" + name, sorted(ours), n=1, cutoff=0.75)
        guess = close[0] if close else ""
    return f" (did you mean {guess}?)" if guess else ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad input)."""
    with warnings.catch_warnings():  # the command runs in one thread: the process-wide swap is safe here
        warnings.showwarning = _show_warning
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    streamlit_options = []
    if argv[:1] == ["dashboard"]:  # Streamlit's options go to `streamlit run`, before DATA is parsed
        argv, streamlit_options = _split_streamlit_options(argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the command's own usage, not the top level's, and our name for a peer's option
        command = _command_parser(parser, args.command)
        command.error(f"unrecognized arguments: {' '.join(unknown)}{_option_hint(command, unknown[0])}")
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
