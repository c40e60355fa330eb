"""The `mfviz` command end to end: JSON on stdout only, required keys, model files, exit code 2."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mfviz.cli import main
from mfviz.models import load_model
from mfviz.models.registry import MODELS

ML100K = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "ml-100k" / "u.data"
DESIGN_RANKING_KEYS = ("precision@{k}", "recall@{k}", "ndcg@{k}", "map@{k}", "coverage@{k}")
ALWAYS_KEYS = {"model", "n_users", "n_items", "nnz", "fit_seconds"}


def _write_csv(path, ratings=True, timestamps=True, seed=0):
    """40 users × 25 items, 5..16 interactions each, ratings 1..5, timestamps with ties."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(40):
        for item in rng.choice(25, size=5 + user % 12, replace=False):
            rows.append({"user": f"u{user}", "item": f"m{item}", "rating": int(rng.integers(1, 6)),
                         "timestamp": 1_600_000_000 + int(rng.integers(0, 500))})
    frame = pd.DataFrame(rows)
    if not ratings:
        frame = frame.drop(columns="rating")
    if not timestamps:
        frame = frame.drop(columns="timestamp")
    frame.to_csv(path, index=False)
    return path


def _run(*args):
    """The command in a fresh interpreter, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "mfviz.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def _one_json_object(stdout: str) -> dict:
    """stdout must be exactly one JSON object (plus the final newline) and nothing else."""
    assert stdout.endswith("\n") and stdout.count("\n") == 1, stdout
    result = json.loads(stdout)
    assert isinstance(result, dict)
    return result


def test_evaluate_explicit_csv_subprocess(tmp_path):
    data = _write_csv(tmp_path / "ratings.csv")
    done = _run("evaluate", data, "--model", "popularity", "--k", "5", "--test-size", "0.25", "--json")
    assert done.returncode == 0, done.stderr
    result = _one_json_object(done.stdout)
    required = ALWAYS_KEYS | {"rmse", "mae"} | {key.format(k=5) for key in DESIGN_RANKING_KEYS}
    assert required <= set(result)
    assert result["model"] == "popularity" and result["n_users"] == 40 and result["n_items"] == 25
    assert result["n_train"] + result["n_test"] == result["nnz"]
    assert 0 <= result["precision@5"] <= 1 and 0 < result["coverage@5"] <= 1
    assert "loading" in done.stderr  # progress goes to stderr


def test_bad_input_exit_code_2_subprocess(tmp_path):
    done = _run("evaluate", tmp_path / "missing.csv", "--model", "popularity", "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("mfviz: error:")
    assert "missing.csv" in done.stderr


@pytest.mark.skipif(not ML100K.exists(), reason="MovieLens 100K is not in ../shared/datasets")
def test_evaluate_movielens_popularity_subprocess():
    done = _run("evaluate", ML100K, "--model", "popularity", "--json")
    assert done.returncode == 0, done.stderr
    result = _one_json_object(done.stdout)
    assert (result["n_users"], result["n_items"], result["nnz"]) == (943, 1682, 100_000)
    assert ALWAYS_KEYS | {"rmse", "mae", "precision@10", "ndcg@10", "coverage@10"} <= set(result)
    # Popularity on a random 80/20 split of ML-100K is a known baseline: precision@10 near 0.19
    assert 0.1 < result["precision@10"] < 0.3


def test_implicit_data_has_ranking_metrics_only(tmp_path, capsys):
    data = _write_csv(tmp_path / "clicks.csv", ratings=False)
    assert main(["evaluate", str(data), "--model", "popularity", "--k", "3", "--json"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    assert {key.format(k=3) for key in DESIGN_RANKING_KEYS} <= set(result)
    assert "rmse" not in result and result["explicit"] is False


@pytest.mark.parametrize("method", ["user", "leave-k-out", "time", "user-time"])
def test_every_split_runs(tmp_path, capsys, method):
    data = _write_csv(tmp_path / "ratings.csv")
    assert main(["evaluate", str(data), "--model", "popularity", "--split", method, "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert _one_json_object(captured.out)["split"] == method
    assert captured.err == ""  # --quiet


def test_leave_k_out_says_how_many_users_it_split_and_what_a_user_needs(tmp_path, capsys):
    """_write_csv's users have 5..16 interactions; only users 11, 23 and 35 have 16, so --leave-out 15 splits 3 of
    40 (a warning, and fields in --json) and --leave-out 16 none (an error naming the 17 needed, not 1)."""
    data = _write_csv(tmp_path / "ratings.csv")
    argv = ["evaluate", str(data), "--model", "popularity", "--split", "leave-k-out", "--json", "--quiet"]
    assert main([*argv, "--leave-out", "15"]) == 0
    captured = capsys.readouterr()
    result = _one_json_object(captured.out)
    assert (result["users_split"], result["users_kept_whole"], result["users_evaluated"]) == (3, 37, 3)
    assert "only 3 of the 40 users" in result["split_note"]
    assert captured.err.startswith("mfviz: warning: --split leave-k-out --leave-out 15 split only 3 of the 40 users")
    assert main([*argv, "--leave-out", "16"]) == 2
    assert _error_line(capsys.readouterr().err) == (
        "mfviz: error: --split leave-k-out --leave-out 16 puts nothing in the test set: no user has as many as 17 "
        "interactions (16 to hold out, 1 to keep in train); the most any user has is 16. Hold out fewer, or use a "
        "random split or more data")
    assert main([*argv, "--leave-out", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and _one_json_object(captured.out)["users_split"] == 40


def test_eval_users_samples_the_ranking(tmp_path, capsys):
    data = _write_csv(tmp_path / "ratings.csv")
    assert main(["evaluate", str(data), "--model", "popularity", "--eval-users", "7", "--json"]) == 0
    assert _one_json_object(capsys.readouterr().out)["users_evaluated"] == 7


def test_temporal_split_without_timestamps_is_a_clear_error(tmp_path, capsys):
    data = _write_csv(tmp_path / "ratings.csv", timestamps=False)
    assert main(["evaluate", str(data), "--model", "popularity", "--split", "time", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.search(r"mfviz: error: .*needs timestamps", captured.err)


def _factor_model():
    """A registry model with `factors` and `epochs` hyperparameters (ALS when present)."""
    candidates = [name for name, cls in MODELS.items() if {"factors", "epochs"} <= set(cls.params)]
    assert candidates, "no registry model has factors and epochs"
    return "als" if "als" in candidates else candidates[0]


def test_hyperparameters_reach_the_model_and_train_saves(tmp_path, capsys):
    data = _write_csv(tmp_path / "ratings.csv")
    output = tmp_path / "model.npz"
    name = _factor_model()
    code = main(["train", str(data), "--model", name, "--factors", "3", "--epochs", "2",
                 "--output", str(output), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = _one_json_object(captured.out)
    assert result["params"]["factors"] == 3 and result["params"]["epochs"] == 2
    assert result["epochs_run"] == 2
    assert re.search(r"epoch\s+2\s+loss", captured.err)  # per-epoch progress on stderr
    model = load_model(output)
    assert model.name == name and model.item_factors.shape == (25, 3)


@pytest.mark.parametrize("argv, message", [
    (["--model", "als", "--factors", "0"], "factors must be >= 1, got 0"),
    (["--model", "als", "--factors", "many"], "--factors must be an integer, got 'many'"),
    (["--model", "popularity", "--factors", "8"], "--factors does not apply to model 'popularity'"),
    (["--model", "nonsense"], "unknown model 'nonsense'"),
    (["--model", "popularity", "--test-size", "1.5"], "--test-size must be a fraction strictly between 0 and 1"),
    (["--model", "popularity", "--k", "0"], "--k must be at least 1, got 0"),
])
def test_bad_arguments_give_exit_2_and_a_message(tmp_path, capsys, argv, message):
    data = _write_csv(tmp_path / "ratings.csv")
    assert main(["evaluate", str(data), *argv, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    error_lines = [line for line in captured.err.splitlines() if line.startswith("mfviz: error:")]
    assert len(error_lines) == 1 and message in error_lines[0]


def test_help_lists_every_hyperparameter_with_its_help(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    text = re.sub(r"\s+", "", capsys.readouterr().out)
    helps: dict[str, list[str]] = {}
    for cls in MODELS.values():
        for name, spec in cls.params.items():
            assert "--" + name.replace("_", "-") in text
            helps.setdefault(name, []).append(spec.help)
    # every model's own help for a name (Truncated SVD's "rank k of the approximation" was shown for every
    # model's factors), with the bounds Param.check enforces, per model where they differ
    for name, said in helps.items():
        for words in said:
            assert re.sub(r"\s+", "", words) in text, name
    assert "rankkoftheapproximation(svd);numberoflatentfactors(funksvd,svdpp,als,ials)(>=1,<=4096)" in text
    assert "(>0,<=1)(default1.0;models:funksvd,svdpp)" in text  # lr_decay
    assert "(>=0,<=0.5)(default0.0;" in text  # validation_fraction
    assert "(default--seed;models:" in text  # random_state: the command's --seed, not None
    assert "(>=0forfunksvd,svdpp,ials;>0forals)" in text  # ALS refuses a regularization of 0


def test_info_reports_the_load(tmp_path, capsys):
    data = _write_csv(tmp_path / "ratings.csv")
    assert main(["info", str(data), "--json", "--quiet"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    assert (result["n_users"], result["n_items"], result["explicit"]) == (40, 25, True)
    assert result["has_timestamps"] and any("Kept" in line for line in result["report"])
    assert sum(result["histogram"].values()) == result["nnz"]
    # without --quiet the report is the output, not also the progress on stderr (it was printed twice)
    assert main(["info", str(data)]) == 0
    out, err = capsys.readouterr()
    assert "Kept " in out and "Kept " not in err and "Columns used" not in err and err.startswith("loading ")


def test_bad_rows_message_names_the_cli_option_and_the_option_works(tmp_path, capsys):
    data = _write_csv(tmp_path / "ratings.csv")
    with open(data, "a") as handle:
        handle.write("u1,m3,not-a-number,1600000000\n")
    assert main(["info", str(data), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "non-numeric rating" in err and "--on-bad-rows drop" in err
    assert main(["info", str(data), "--on-bad-rows", "drop", "--json", "--quiet"]) == 0
    assert any("Dropped 1 row:" in line for line in _one_json_object(capsys.readouterr().out)["report"])


def test_load_warnings_are_said_even_with_quiet(tmp_path, capsys):
    (tmp_path / "r.csv").write_text("user,item,rating,date\n1,10,5,2019\n1,20,4,2020\n2,10,3,2021\n2,20,1,2020\n")
    assert main(["info", str(tmp_path / "r.csv"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("mfviz: warning: As Unix seconds, every timestamp in column 'date' falls in 1970")
    assert err.count("\n") == 1  # the warning alone: --quiet hides the progress
    assert "(--no-timestamp;" in err  # the option, not the keyword argument


def test_encoding_option_reaches_the_loader(tmp_path, capsys):
    path = tmp_path / "latin.csv"
    path.write_bytes("user,item,rating\nJos\xe9,a,4\nJos\xe9,b,3\nRen\xe9e,a,5\nRen\xe9e,b,1\n".encode("latin-1"))
    assert main(["info", str(path), "--encoding", "latin-1", "--json", "--quiet"]) == 0
    assert _one_json_object(capsys.readouterr().out)["n_users"] == 2
    assert main(["info", str(path), "--encoding", "no-such-codec", "--quiet"]) == 2
    assert "unknown text encoding 'no-such-codec'" in capsys.readouterr().err


def test_a_header_and_items_advice_names_the_cli_options(tmp_path, capsys):
    (tmp_path / "movies.csv").write_text("movieId,title,genres\n1,Heat (1995),Action\n2,Babe (1995),Drama\n")
    assert main(["info", str(tmp_path / "movies.csv"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--items" in err and "items=..." not in err and "--user ... and --item ..." in err


def test_dashboard_hands_the_port_and_other_options_to_the_launcher(monkeypatch):
    from mfviz.dashboard import serve

    calls = []
    monkeypatch.setattr(serve, "main", lambda options: calls.append(list(options)) or 0)
    assert main(["dashboard", "--port", "8600", "--server.address", "0.0.0.0"]) == 0
    assert main(["dashboard"]) == 0
    assert calls == [["--server.port", "8600", "--server.address", "0.0.0.0"], []]


def test_dashboard_on_a_file_and_its_models_serves_them_to_every_session(tmp_path, monkeypatch, capsys):
    from mfviz.dashboard import serve, startup

    monkeypatch.setattr(startup, "_served", None)
    calls = []
    monkeypatch.setattr(serve, "main", lambda options: calls.append(list(options)) or 0)
    data = _write_csv(tmp_path / "ratings.csv")
    model_path = tmp_path / "als.npz"
    assert main(["train", str(data), "--model", "als", "--factors", "4", "--epochs", "2", "-o", str(model_path),
                 "--quiet"]) == 0
    # Streamlit's options around DATA: their values are not taken for DATA
    assert main(["dashboard", "--server.address", "0.0.0.0", str(data), "-m", str(model_path),
                 "--server.headless=true", "--port", "8600", "--quiet"]) == 0
    assert calls == [["--server.port", "8600", "--server.address", "0.0.0.0", "--server.headless=true"]]
    start = startup.served()
    assert start.name == "ratings.csv" and not start.is_demo
    assert (start.interactions.n_users, start.interactions.n_items) == (40, 25)
    [(name, model)] = start.models
    assert name == "als.npz"
    np.testing.assert_array_equal(model.item_factors, load_model(model_path).item_factors)


@pytest.mark.parametrize("argv, message", [
    (["dashboard", "missing.csv"], "no such file"),
    (["dashboard", "--model-file", "model.npz"], "--model-file needs the DATA it was trained on"),
    (["dashboard", "{data}", "--model-file", "{other_model}"], "was trained on other users than"),
])
def test_dashboard_refuses_bad_data_or_models_before_the_server_starts(tmp_path, monkeypatch, capsys, argv,
                                                                        message):
    from mfviz import load_interactions
    from mfviz.dashboard import serve, startup
    from mfviz.models import ALS

    monkeypatch.setattr(startup, "_served", None)
    monkeypatch.setattr(serve, "main", lambda options: pytest.fail("the server must not start"))
    data = _write_csv(tmp_path / "ratings.csv")
    frame = pd.read_csv(data)
    other = load_interactions(frame[frame["user"].isin([f"u{u}" for u in range(30)])])
    ALS(factors=2, epochs=1, random_state=0).fit(other).save(tmp_path / "other.npz")
    argv = [part.format(data=data, other_model=tmp_path / "other.npz") for part in argv]
    monkeypatch.chdir(tmp_path)
    assert main(argv + ["--quiet"]) == 2
    assert message in capsys.readouterr().err
    assert startup.served() is None


def test_other_commands_still_reject_unknown_options(tmp_path, capsys):
    data = _write_csv(tmp_path / "ratings.csv")
    with pytest.raises(SystemExit) as exit_info:
        main(["info", str(data), "--server.port", "8600"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --server.port 8600" in capsys.readouterr().err


def test_recommend_writes_every_users_top_n_from_a_saved_model(tmp_path, capsys):
    from mfviz import load_interactions
    from mfviz.analysis import recommendation_table

    data = _write_csv(tmp_path / "r.csv")
    model_file = tmp_path / "als.npz"
    assert main(["train", str(data), "--model", "als", "--factors", "3", "--epochs", "2", "--output",
                 str(model_file), "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "recs.csv"
    assert main(["recommend", str(data), "--model-file", str(model_file), "--n", "4", "--output", str(out),
                 "--json"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    written = pd.read_csv(out)
    expected = recommendation_table(load_model(model_file), load_interactions(data), n=4)
    assert result["rows"] == len(written) == len(expected)
    for column in ("user_id", "rank", "item_id"):
        assert list(written[column].astype(str)) == list(expected[column].astype(str))
    interactions = pd.read_csv(data)
    seen = set(zip(interactions.user, interactions.item, strict=True))
    assert not any((u, i) in seen for u, i in zip(written.user_id, written.item_id, strict=True))

    other = _write_csv(tmp_path / "other.csv", seed=1)
    pd.read_csv(other).head(150).to_csv(other, index=False)
    assert main(["recommend", str(other), "--model-file", str(model_file), "--output", str(out)]) == 2
    assert "recommend with the data it was trained on" in capsys.readouterr().err


def test_dimensions_describes_a_saved_model_and_writes_every_items_coordinates(tmp_path, capsys):
    from mfviz import load_interactions
    from mfviz.analysis import describe_dimensions, genre_groups, principal_dimensions
    from mfviz.analysis.dimensions import coordinates_table

    data = _write_csv(tmp_path / "r.csv")
    model_file = tmp_path / "svd.npz"
    assert main(["train", str(data), "--model", "svd", "--factors", "4", "--output", str(model_file), "--quiet"]) == 0
    capsys.readouterr()
    coords_file = tmp_path / "dims.csv"
    assert main(["dimensions", str(data), "-m", str(model_file), "--n", "3", "-o", str(coords_file), "--json"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    interactions, model = load_interactions(data), load_model(model_file)
    dims = principal_dimensions(model)
    expected = describe_dimensions(dims, interactions.titles, genre_groups(interactions.items), n_dims=3)
    assert [row["dimension"] for row in result["dimensions"]] == [1, 2, 3]
    assert [row["+ end"] for row in result["dimensions"]] == expected["+ end"].tolist()
    assert [row["energy"] for row in result["dimensions"]] == pytest.approx(expected["energy"].tolist())
    written = pd.read_csv(coords_file)
    table = coordinates_table(dims, interactions.item_ids, interactions.titles)
    assert list(written.columns) == list(table.columns)
    np.testing.assert_allclose(written[["dim_1", "dim_2"]].to_numpy(), table[["dim_1", "dim_2"]].to_numpy(), rtol=1e-6)
    # as text: one block per dimension
    assert main(["dimensions", str(data), "-m", str(model_file), "--n", "2", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert text.count("of the score energy; ") == 2 and "+ end:" in text and "− end:" in text
    assert text.count("popularity ρ = ") == 2  # neither of these two dimensions follows popularity
    # a model of other data is refused with a message
    other = _write_csv(tmp_path / "other.csv", seed=1)
    pd.read_csv(other).head(150).to_csv(other, index=False)
    assert main(["dimensions", str(other), "-m", str(model_file)]) == 2
    assert "describe its dimensions with the data it was trained on" in capsys.readouterr().err


def test_tradeoff_reports_the_curve_of_the_model_trained_on_the_same_split(tmp_path, capsys):
    from mfviz import evaluation, load_interactions
    from mfviz.analysis.tradeoff import accuracy_popularity_tradeoff
    from mfviz.models import ImplicitALS

    data = _write_csv(tmp_path / "r.csv")
    args = ["tradeoff", str(data), "--implicit", "--model", "ials", "--factors", "4", "--epochs", "3",
            "--strengths", "0,0.5,2", "--seed", "3", "--quiet"]
    assert main([*args, "--json"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    assert ALWAYS_KEYS <= set(result) and result["k"] == 10 and result["seed"] == 3
    interactions = load_interactions(data, explicit=False)
    train, test = evaluation.split(interactions, "random", test_size=0.2, seed=3)
    model = ImplicitALS(factors=4, epochs=3, random_state=3).fit(train)
    expected = accuracy_popularity_tradeoff(model, train, test, strengths=(0, 0.5, 2), k=10)
    assert [row["strength"] for row in result["tradeoff"]] == [0, 0.5, 2]
    for column in ("ndcg@10", "recall@10", "aplt", "arp", "coverage"):
        assert [row[column] for row in result["tradeoff"]] == pytest.approx(expected[column].tolist())
    # as text: a header and one row per β
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + 3 and "NDCG@10" in lines[1] and "long tail" in lines[1]
    for bad, message in (("0,x", "must be numbers separated by commas"), (",", "at least one"),
                         ("-1", "--strengths must each be a number >= 0")):
        assert main([*args[:-5], "--strengths", bad, "--quiet"]) == 2
        assert message in capsys.readouterr().err


def test_recommend_reads_a_zipped_spark_model_matched_to_the_data_by_id(tmp_path, capsys):
    sys.path.insert(0, str(Path(__file__).resolve().parent / "analysis"))
    from test_analysis_foldin_external import spark_zip

    from mfviz import load_interactions

    data = _write_csv(tmp_path / "r.csv", seed=2)
    rng = np.random.default_rng(0)
    # Spark needs integer ids: the CSV's "u7" / "m3" become 7 / 3 in a copy of the data
    numeric = pd.read_csv(data).assign(user=lambda f: f.user.str[1:].astype(int), item=lambda f: f.item.str[1:].astype(int))
    numeric.to_csv(tmp_path / "n.csv", index=False)
    ids = load_interactions(tmp_path / "n.csv")
    users = {int(u): rng.normal(size=3).tolist() for u in ids.user_ids}
    items = {int(i): rng.normal(size=3).tolist() for i in ids.item_ids[::-1]}  # Spark's own order
    model = spark_zip(tmp_path / "als.zip", "als/", users, items)
    out = tmp_path / "recs.csv"
    assert main(["recommend", str(tmp_path / "n.csv"), "-m", str(model), "--n", "3", "-o", str(out), "--quiet"]) == 0
    recs = pd.read_csv(out)
    first = recs[recs.user_id == ids.user_ids[0]]
    seen = set(ids.item_ids[ids.matrix[0].indices].tolist())
    scores = {int(i): float(np.dot(users[int(ids.user_ids[0])], items[int(i)])) for i in ids.item_ids if int(i) not in seen}
    assert first.item_id.tolist() == sorted(scores, key=scores.get, reverse=True)[:3]


def test_new_item_folds_an_item_in_from_the_fans_of_others_and_counts_its_reach(tmp_path, capsys):
    from mfviz import load_interactions
    from mfviz.analysis.cold_start import audience

    data = _write_csv(tmp_path / "r.csv")
    model_file = tmp_path / "als.npz"
    assert main(["train", str(data), "--model", "als", "--factors", "3", "--epochs", "3", "--output",
                 str(model_file), "--quiet"]) == 0
    capsys.readouterr()
    interactions, model = load_interactions(data), load_model(model_file)
    fans_of = [str(interactions.item_ids[0]), str(interactions.item_ids[2])]
    assert main(["new-item", str(data), "-m", str(model_file), "--fans", ",".join(fans_of), "--first-users", "4",
                 "--n", "3", "--json"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    users, values = audience(interactions.matrix, [0, 2], at_least=float(np.median(interactions.matrix.data)))
    assert result["fans"] == users.size and result["first_users"] == min(4, users.size)
    size = result["first_users"]
    vector, bias = model.fold_in_item(users[:size], values[:size], return_bias=True)
    assert result["norm"] == pytest.approx(float(np.linalg.norm(vector)), rel=1e-5)
    # reach by hand: users outside its first users whose 3rd best unseen item it outscores
    scores = model.user_factors @ model.item_factors.T + model.item_bias
    scores[interactions.matrix.toarray() != 0] = -np.inf
    third = -np.sort(-scores, axis=1)[:, 2]
    new = model.user_factors @ vector + bias
    assert result["reached"] == np.sum((new > third) & ~np.isin(np.arange(interactions.n_users), users[:size])) > 0
    cosine = model.item_factors @ vector / np.linalg.norm(model.item_factors, axis=1) / np.linalg.norm(vector)
    assert [row["item_id"] for row in result["neighbours"]["cosine"]] == \
        list(interactions.item_ids[np.argsort(-cosine, kind="stable")[:10]])
    assert result["curve"][-1]["audience"] == users.size
    # the same item from as many random users (20 seeded draws of the data's users, the fans' values shuffled)
    rng, reached = np.random.default_rng(0), []
    for _ in range(20):
        drawn = np.sort(rng.choice(interactions.n_users, size, replace=False))
        vector, bias = model.fold_in_item(drawn, rng.permutation(values[:size]), return_bias=True)
        new = model.user_factors @ vector + bias
        reached.append(np.sum((new > third) & ~np.isin(np.arange(interactions.n_users), drawn)))
    assert result["random_reach"] == np.median(reached)
    # as text, and with every first user giving it one rating
    assert main(["new-item", str(data), "-m", str(model_file), "--fans", fans_of[0], "--value", "1", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "users' top 10" in text and "nearest by cosine:" in text
    assert main(["new-item", str(data), "-m", str(model_file), "--fans", "no-such-item"]) == 2
    assert "not found: no-such-item" in capsys.readouterr().err


def test_evaluate_by_activity_reports_groups_that_pool_back_to_the_totals(tmp_path, capsys):
    data = _write_csv(tmp_path / "r.csv")
    assert main(["evaluate", str(data), "--model", "funksvd", "--factors", "3", "--epochs", "3", "--k", "5",
                 "--by-activity", "--json", "--quiet"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    groups = result["by_activity"]
    users = np.array([g["users"] for g in groups])
    assert users.sum() == result["users_evaluated"] and len(groups) == 5
    # the groups' means weighted by their users give the overall mean; highs rise
    assert np.dot(users, [g["ndcg@5"] for g in groups]) / users.sum() == pytest.approx(result["ndcg@5"])
    assert all(a["high"] < b["low"] for a, b in zip(groups, groups[1:], strict=False))
    assert main(["evaluate", str(data), "--model", "funksvd", "--factors", "3", "--epochs", "3", "--by-activity",
                 "--quiet"]) == 0
    assert "by activity (training interactions per test user):" in capsys.readouterr().out


def test_evaluate_by_profile_size_reports_the_fold_in_curve(tmp_path, capsys):
    from mfviz import load_interactions
    from mfviz.evaluation import split
    from mfviz.evaluation.breakdown import profile_size_curve

    data = _write_csv(tmp_path / "r.csv")
    assert main(["evaluate", str(data), "--model", "als", "--factors", "3", "--epochs", "3", "--k", "5",
                 "--by-profile-size", "--json", "--quiet"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    train, test = split(load_interactions(data), "random", test_size=0.2, seed=0)
    from mfviz.models import ALS

    expected = profile_size_curve(ALS(factors=3, epochs=3, random_state=0).fit(train), train, test, k=5)
    assert [row["label"] for row in result["by_profile_size"]] == expected["label"].tolist()
    assert [row["ndcg@5"] for row in result["by_profile_size"]] == pytest.approx(expected["ndcg@5"].tolist())
    assert main(["evaluate", str(data), "--model", "als", "--factors", "3", "--epochs", "3", "--by-profile-size",
                 "--quiet"]) == 0
    assert "by profile size" in capsys.readouterr().out


def test_report_writes_the_models_html_report(tmp_path, capsys):
    data = _write_csv(tmp_path / "r.csv")
    out = tmp_path / "report.html"
    assert main(["report", str(data), "--model", "als", "--factors", "3", "--epochs", "3", "--k", "5",
                 "--title", "ALS for the team", "-o", str(out), "--json", "--quiet"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    text = out.read_text()
    assert result["output"] == str(out) and "<h1>ALS for the team</h1>" in text
    assert "<td>RMSE</td>" in text and text.count('class="plotly-graph-div"') == 2  # a rating model: RMSE too


def test_a_report_written_quietly_prints_nothing_on_stderr(tmp_path):
    """The report goes through the dashboard's cached functions, each of which warned once that no
    Streamlit server runs (46 lines of `No runtime found` under --quiet on MovieLens 100K)."""
    data = _write_csv(tmp_path / "r.csv")
    done = _run("report", data, "--model", "svd", "--factors", "3", "--k", "5", "-o", tmp_path / "report.html",
                "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and (tmp_path / "report.html").stat().st_size > 0


# --------------------------------------------------------------------- bad input caught at the command line
def _error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("mfviz: error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("argv, message", [
    (["evaluate", "{data}", "--model", "popularity", "--seed", "-1"], "--seed must be a non-negative integer, got -1"),
    (["evaluate", "{data}", "--model", "ials", "--random-state", "-1"],
     "--random-state must be a non-negative integer (or none for fresh randomness), got -1"),
    (["train", "{data}", "--model", "als", "--seed", "-1", "-o", "{tmp}/m.npz"], "--seed must be a non-negative integer"),
    (["tradeoff", "{data}", "--model", "als", "--seed", "-3"], "--seed must be a non-negative integer"),
])
def test_a_negative_seed_is_refused_before_the_data_is_read(tmp_path, capsys, argv, message):
    # DATA does not exist: the option is checked first, so its message is the one shown
    argv = [part.format(data=tmp_path / "missing.csv", tmp=tmp_path) for part in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in _error_line(captured.err) and captured.out == ""
    data = _write_csv(tmp_path / "r.csv")  # and on real data: no traceback from NumPy's generator
    assert main([str(data) if part == str(tmp_path / "missing.csv") else part for part in argv] + ["--quiet"]) == 2
    assert message in _error_line(capsys.readouterr().err)


@pytest.mark.parametrize("argv, message", [
    (["evaluate", "{data}", "--model", "als", "--k", "0"], "--k must be at least 1, got 0"),
    (["evaluate", "{data}", "--model", "als", "--k", "-3"], "--k must be at least 1, got -3"),
    (["tradeoff", "{data}", "--model", "als", "--k", "0"], "--k must be at least 1, got 0"),
    (["report", "{data}", "--model", "als", "--k", "0", "-o", "{tmp}/r.html"], "--k must be at least 1, got 0"),
    (["evaluate", "{data}", "--model", "als", "--test-size", "1.5"],
     "--test-size must be a fraction strictly between 0 and 1 (0.2 holds out a fifth), got 1.5"),
    (["evaluate", "{data}", "--model", "als", "--test-size", "0"], "--test-size must be a fraction"),
    (["tradeoff", "{data}", "--model", "als", "--test-size", "nan"], "--test-size must be a fraction"),
    (["evaluate", "{data}", "--model", "als", "--split", "leave-k-out", "--leave-out", "0"],
     "--leave-out must be at least 1, got 0"),
    (["tradeoff", "{data}", "--model", "als", "--strengths", "0,-1"], "--strengths must each be a number >= 0"),
    (["tradeoff", "{data}", "--model", "als", "--strengths", "0,inf"], "--strengths must each be a number >= 0"),
    (["tradeoff", "{data}", "--model", "als", "--strengths", "0,x"], "must be numbers separated by commas"),
    (["recommend", "{data}", "-m", "{tmp}/none.npz", "-o", "{tmp}/r.csv"], "no such model file: {tmp}/none.npz"),
    (["dimensions", "{data}", "-m", "{tmp}/none.npz"], "no such model file"),
    (["new-item", "{data}", "-m", "{tmp}/none.npz", "--fans", "m1"], "no such model file"),
    (["dashboard", "{data}", "-m", "{tmp}/none.npz"], "no such model file"),
    (["evaluate", "{data}", "--model", "als", "--items", "{tmp}/none.csv"], "no such --items file: {tmp}/none.csv"),
])
def test_bad_options_are_refused_before_the_data_is_read(tmp_path, monkeypatch, capsys, argv, message):
    # `--k 0` failed after loading, splitting and a whole fit; `--test-size 1.5` after loading: minutes on big data
    import mfviz
    from mfviz.dashboard import serve

    monkeypatch.setattr(mfviz, "load_interactions", lambda *a, **kw: pytest.fail("DATA was read first"))
    monkeypatch.setattr(serve, "main", lambda options: pytest.fail("the server must not start"))
    data = _write_csv(tmp_path / "r.csv")  # a real file: only the option is wrong
    argv = [part.format(data=data, tmp=tmp_path) for part in argv]
    assert main(argv + ["--quiet"]) == 2
    captured = capsys.readouterr()
    assert message.format(tmp=tmp_path) in _error_line(captured.err) and captured.out == ""


def test_dashboard_port_outside_the_port_range_is_refused_before_preloading(tmp_path, monkeypatch, capsys):
    from mfviz.dashboard import serve, startup

    monkeypatch.setattr(startup, "_served", None)
    monkeypatch.setattr(serve, "main", lambda options: pytest.fail("the server must not start"))
    data = _write_csv(tmp_path / "r.csv")
    for port in ("99999", "-1", "65536"):
        assert main(["dashboard", str(data), "--port", port]) == 2
        captured = capsys.readouterr()
        assert f"--port must be a port number from 1 to 65535 (or 0 for any free port), got {port}" in \
            _error_line(captured.err)
        assert "loading" not in captured.err and startup.served() is None
    calls = []  # 0 is Streamlit's (uvicorn's) "any free port"
    monkeypatch.setattr(serve, "main", lambda options: calls.append(list(options)) or 0)
    assert main(["dashboard", "--port", "0"]) == 0 and calls == [["--server.port", "0"]]


def test_new_item_text_writes_a_median_that_falls_halfway_as_it_is():
    """20 draws have an even count: their median may be 2.5, which `:,.0f` printed as 2 (round half to even)."""
    from mfviz.cli.exploring import _count

    assert (_count(2.5), _count(2.0), _count(1234.0), _count(np.median([1, 2, 3, 4]))) == ("2.5", "2", "1,234", "2.5")


def test_new_item_text_says_so_when_no_item_is_as_popular_as_its_first_users(tmp_path, capsys):
    """The median reach of the items about as popular is NaN (null in --json) when none is: the text said it
    with a TypeError traceback."""
    data = _write_csv(tmp_path / "r.csv")
    model_file = tmp_path / "ials.npz"
    assert main(["train", str(data), "--model", "ials", "--factors", "3", "--epochs", "2", "-o", str(model_file),
                 "--quiet"]) == 0
    every_item = ",".join(f"m{item}" for item in range(25))
    argv = ["new-item", str(data), "-m", str(model_file), "--fans", every_item, "--first-users", "40", "--quiet"]
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    assert result["typical_reach"] is None  # no item of the data has about as many users
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert f"no item of the data has ~{result['first_users']:,} interactions" in captured.out
    assert "Traceback" not in captured.err and "median" in captured.out  # the random draws' median is still said


def test_new_item_refuses_a_value_the_fold_in_cannot_use(tmp_path, capsys):
    ratings = _write_csv(tmp_path / "r.csv")
    clicks = _write_csv(tmp_path / "c.csv", ratings=False)
    for data, name in ((ratings, "als"), (clicks, "ials"), (clicks, "svd")):
        epochs = ["--epochs", "2"] if "epochs" in MODELS[name].params else []
        assert main(["train", str(data), "--model", name, "--factors", "3", *epochs, "-o",
                     str(tmp_path / f"{name}.npz"), "--quiet"]) == 0
    capsys.readouterr()
    item = "m3"
    cases = [
        (ratings, "als", "1e30", "--value must be a finite number within ±1e+06 (a rating or a count), got 1e+30"),
        (ratings, "als", "nan", "--value must be a finite number"),
        (ratings, "als", "9", "--value must be a rating on the data's scale, from 1 to 5; got 9"),
        (ratings, "als", "0", "--value must be a rating on the data's scale"),
        (clicks, "ials", "0", "--value must be above 0 for Implicit ALS"),
        (clicks, "ials", "-2", "--value must be above 0"),
        (clicks, "svd", "0", "--value must be above 0 for implicit data"),
    ]
    for data, name, value, message in cases:
        assert main(["new-item", str(data), "-m", str(tmp_path / f"{name}.npz"), "--fans", item, "--value", value,
                     "--json", "--quiet"]) == 2, (name, value)
        captured = capsys.readouterr()
        assert captured.out == "" and message in _error_line(captured.err), (name, value)
    assert main(["new-item", str(clicks), "-m", str(tmp_path / "ials.npz"), "--fans", item, "--value", "2",
                 "--first-users", "5", "--json", "--quiet"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    assert result["first_users"] == 5 and result["norm"] > 0


@pytest.mark.parametrize("n", ["0", "-2"])
def test_dimensions_refuses_n_below_1(tmp_path, capsys, n):
    data = _write_csv(tmp_path / "r.csv")
    assert main(["train", str(data), "--model", "svd", "--factors", "3", "-o", str(tmp_path / "m.npz"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["dimensions", str(data), "-m", str(tmp_path / "m.npz"), "--n", n, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and f"--n must be at least 1, got {n}" in _error_line(captured.err)


def _rewrite_meta(source, target, change):
    """A copy of the mfviz model `source` whose metadata is changed by `change(meta)` (a dict, or the
    JSON text when it returns a string)."""
    with np.load(source, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    meta = json.loads(str(arrays["meta_json"]))
    changed = change(meta)
    arrays["meta_json"] = np.array(changed if isinstance(changed, str) else json.dumps(meta))
    np.savez(target, **arrays)
    return target


@pytest.mark.parametrize("change", [
    lambda meta: '{"model": "als", "params": ',  # broken JSON
    lambda meta: meta["params"].update(factors=-3),  # an invalid parameter
    lambda meta: meta["params"].update(no_such_parameter=1),  # an unknown one
    lambda meta: meta.update(model="no-such-model"),  # an unknown kind
], ids=["broken-json", "bad-param", "unknown-param", "unknown-kind"])
def test_a_damaged_mfviz_model_file_is_refused_not_read_as_external_factors(tmp_path, capsys, change):
    data = _write_csv(tmp_path / "r.csv")
    assert main(["train", str(data), "--model", "als", "--factors", "3", "--epochs", "2", "-o",
                 str(tmp_path / "als.npz"), "--quiet"]) == 0
    damaged = _rewrite_meta(tmp_path / "als.npz", tmp_path / "damaged.npz", change)
    out = tmp_path / "recs.csv"
    capsys.readouterr()
    assert main(["recommend", str(data), "-m", str(damaged), "-o", str(out), "--json", "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not out.exists()
    line = _error_line(captured.err)
    assert "user_factors and item_factors" not in line  # load_factors' advice is not for an mfviz model


def test_a_model_file_that_is_not_mfviz_gets_the_external_readers_reason(tmp_path, capsys):
    data = _write_csv(tmp_path / "r.csv")
    np.savez(tmp_path / "other.npz", weights=np.ones((3, 2)))
    spark = tmp_path / "spark"
    (spark / "userFactors").mkdir(parents=True)
    pd.DataFrame({"id": [1, 2], "features": [[1.0, 2.0], [3.0, 4.0]]}).to_parquet(spark / "userFactors" / "p.parquet")
    for path, reason in ((tmp_path / "other.npz", "has no 'user_factors' array"), (spark, "itemFactors"),
                         (tmp_path / "missing.npz", "no such model file")):
        assert main(["recommend", str(data), "-m", str(path), "-o", str(tmp_path / "recs.csv"), "--quiet"]) == 2
        line = _error_line(capsys.readouterr().err)
        assert reason in line and "meta_json" not in line and "Is a directory" not in line, line


def _spark_folder(path, users: dict, items: dict):
    for part, rows in (("userFactors", users), ("itemFactors", items)):
        (path / part).mkdir(parents=True)
        pd.DataFrame({"id": np.array(list(rows), np.int32), "features": list(rows.values())}).to_parquet(
            path / part / "part-00000.parquet")
    return path


def _numeric_ids_csv(tmp_path):
    """tmp_path/n.csv: `_write_csv`'s ratings with numeric ids (as Spark's factors carry); its Interactions."""
    from mfviz import load_interactions

    data = _write_csv(tmp_path / "r.csv", seed=2)
    numeric = pd.read_csv(data).assign(user=lambda f: f.user.str[1:].astype(int), item=lambda f: f.item.str[1:].astype(int))
    numeric.to_csv(tmp_path / "n.csv", index=False)
    return load_interactions(tmp_path / "n.csv")


def test_spark_factors_that_match_no_or_some_ids_of_the_data(tmp_path, capsys):
    ids = _numeric_ids_csv(tmp_path)
    rng = np.random.default_rng(0)
    users = {int(u): rng.normal(size=3).tolist() for u in ids.user_ids}
    items = {int(i): rng.normal(size=3).tolist() for i in ids.item_ids}
    out = tmp_path / "recs.csv"
    # no id matches: every score would be 0
    nowhere = _spark_folder(tmp_path / "nowhere", {u + 1000: f for u, f in users.items()}, items)
    assert main(["recommend", str(tmp_path / "n.csv"), "-m", str(nowhere), "-o", str(out), "--quiet"]) == 2
    assert "none of the user ids of" in _error_line(capsys.readouterr().err) and not out.exists()
    # some do not: a warning --quiet does not hide, and the counts in the JSON object
    some = _spark_folder(tmp_path / "some", dict(list(users.items())[3:]), dict(list(items.items())[:-2]))
    assert main(["recommend", str(tmp_path / "n.csv"), "-m", str(some), "-o", str(out), "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    result = _one_json_object(captured.out)
    assert (result["missing_users"], result["missing_items"]) == (3, 2)
    assert re.search(r"mfviz: warning: .*3 of 40 users and 2 of 25 items .* have no factors", captured.err)
    assert main(["dimensions", str(tmp_path / "n.csv"), "-m", str(some), "--json", "--quiet"]) == 0
    assert _one_json_object(capsys.readouterr().out)["missing_users"] == 3


def test_spark_factors_fold_in_with_the_reg_param_given(tmp_path, capsys):
    # Spark saves no regParam: --reg-param is fold-in's λ (λ times the new item's user count), 0.1 otherwise
    from argparse import Namespace

    from mfviz.cli.loading import _saved_model_for

    ids = _numeric_ids_csv(tmp_path)
    rng = np.random.default_rng(0)
    spark = _spark_folder(tmp_path / "spark", {int(u): rng.normal(size=3).tolist() for u in ids.user_ids},
                          {int(i): rng.normal(size=3).tolist() for i in ids.item_ids})
    fans = str(ids.item_ids[int(np.argmax(np.diff(ids.matrix.tocsc().indptr)))])
    norms = {}
    for reg in (None, "0.1", "100"):
        given = [] if reg is None else ["--reg-param", reg]
        assert main(["new-item", str(tmp_path / "n.csv"), "-m", str(spark), "--fans", fans, "--json", "--quiet",
                     *given]) == 0, capsys.readouterr().err
        norms[reg] = _one_json_object(capsys.readouterr().out)["norm"]
    assert norms[None] == norms["0.1"] and norms["100"] < 0.5 * norms["0.1"]  # a larger λ shrinks the vector
    model = _saved_model_for(Namespace(model_file=[str(spark)], reg_param=0.05, data="n.csv"), ids, "show it",
                             str(spark))  # as `mfviz dashboard DATA -m spark --reg-param 0.05` loads it
    assert (model.fold_in_solve, model.regularization) == ("als-wr", 0.05) and "regParam 0.05" in model.fold_in_note
    # refused before DATA is read: a negative λ, no model file, and an mfviz model (it keeps its own λ)
    assert main(["new-item", str(tmp_path / "n.csv"), "-m", str(spark), "--fans", fans, "--reg-param", "-1"]) == 2
    assert "--reg-param must be a number >= 0" in _error_line(capsys.readouterr().err)
    assert main(["dashboard", str(tmp_path / "n.csv"), "--reg-param", "0.05"]) == 2
    assert "give the --model-file it applies to" in _error_line(capsys.readouterr().err)
    assert main(["train", str(tmp_path / "n.csv"), "--model", "als", "--factors", "3", "--epochs", "2", "-o",
                 str(tmp_path / "als.npz"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["new-item", str(tmp_path / "n.csv"), "-m", str(tmp_path / "als.npz"), "--fans", fans,
                 "--reg-param", "0.05", "--quiet"]) == 2
    assert "is an mfviz model, which keeps the regularization" in _error_line(capsys.readouterr().err)


def test_output_paths_are_checked_before_the_work_and_write_errors_say_write(tmp_path, monkeypatch, capsys):
    data = _write_csv(tmp_path / "r.csv")
    assert main(["train", str(data), "--model", "als", "--factors", "3", "--epochs", "2", "-o",
                 str(tmp_path / "als.npz"), "--quiet"]) == 0
    capsys.readouterr()
    model = str(tmp_path / "als.npz")
    for argv, message in (
        (["train", str(data), "--model", "popularity", "-o", str(tmp_path)], "it is a folder"),
        (["report", str(data), "--model", "popularity", "-o", str(tmp_path / "no" / "r.html")],
         f"the folder {tmp_path / 'no'} does not exist"),
        (["recommend", str(data), "-m", model, "-o", str(tmp_path / "no" / "r.csv")],
         f"the folder {tmp_path / 'no'} does not exist"),
        (["dimensions", str(data), "-m", model, "-o", str(tmp_path)], "it is a folder"),
    ):
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert f"cannot write --output {argv[-1]}: {message}" in _error_line(captured.err)
        assert "loading" not in captured.err  # before the data is read, let alone the fit
    if Path("/dev/full").exists():  # a full disk: a write error, worded as one
        assert main(["recommend", str(data), "-m", model, "-o", "/dev/full", "--quiet"]) == 2
        assert "could not write /dev/full: No space left on device" in _error_line(capsys.readouterr().err)
    # `-o -` is stdout: the file in place of the result, and no file named "-"
    monkeypatch.chdir(tmp_path)
    assert main(["recommend", str(data), "-m", model, "--n", "2", "-o", "-", "--quiet"]) == 0
    written = capsys.readouterr().out
    assert list(pd.read_csv(__import__("io").StringIO(written)).columns[:3]) == ["user_id", "rank", "item_id"]
    assert len(written.splitlines()) == 1 + 40 * 2 and not (tmp_path / "-").exists()
    for argv, message in ((["recommend", str(data), "-m", model, "-o", "-", "--json"], "where --json prints"),
                          (["train", str(data), "--model", "als", "-o", "-"], "cannot take a model")):
        assert main(argv) == 2
        assert message in _error_line(capsys.readouterr().err)
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("argv, says, not_says", [
    (["--model", "popularity", "--eval-users", "0"], "--eval-users must be at least 1, got 0", "max_users"),
    (["--model", "funksvd", "--parallel", "--random-state", "3"],
     "--parallel (Hogwild) is not reproducible, so it cannot honour --random-state 3; leave out --random-state",
     "random_state"),
])
def test_messages_name_the_options_not_the_librarys_keywords(tmp_path, capsys, argv, says, not_says):
    data = _write_csv(tmp_path / "r.csv")
    assert main(["evaluate", str(data), *argv, "--quiet"]) == 2
    line = _error_line(capsys.readouterr().err)
    assert says in line and not_says not in line, line


def test_fans_takes_ids_with_commas_written_with_a_backslash(tmp_path, capsys):
    frame = pd.read_csv(_write_csv(tmp_path / "r.csv")).assign(item=lambda f: "Smith, " + f.item)
    frame.to_csv(tmp_path / "commas.csv", index=False)
    data = str(tmp_path / "commas.csv")
    assert main(["train", data, "--model", "ials", "--factors", "3", "--epochs", "2", "-o",
                 str(tmp_path / "m.npz"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["new-item", data, "-m", str(tmp_path / "m.npz"), "--fans", "Smith\\, m3,Smith\\, m4",
                 "--json", "--quiet"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    assert [fan["item_id"] for fan in result["fans_of"]] == ["Smith, m3", "Smith, m4"]
    assert main(["new-item", data, "-m", str(tmp_path / "m.npz"), "--fans", "Smith, m3", "--quiet"]) == 2
    assert "a comma inside an id written \\," in _error_line(capsys.readouterr().err)


def test_a_per_user_split_far_from_the_asked_test_size_says_so(tmp_path, capsys):
    data = _write_csv(tmp_path / "r.csv")
    assert main(["evaluate", str(data), "--model", "popularity", "--split", "user-time", "--test-size", "0.95",
                 "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    result = _one_json_object(captured.out)
    assert result["test_share"] == pytest.approx(result["n_test"] / result["nnz"]) and result["test_share"] < 0.6
    assert "not the 95% asked" in result["split_note"]
    assert captured.err.startswith("mfviz: note: --split user-time held out ")  # not hidden by --quiet
    assert main(["evaluate", str(data), "--model", "popularity", "--split", "user", "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "split_note" not in _one_json_object(captured.out) and captured.err == ""


def test_typo_ratings_and_zeros_have_cli_options_and_the_messages_name_them(tmp_path, capsys):
    # The loader's out_of_scale= and zeros= had no command-line options, and its advice named the keywords.
    rows = [(f"u{u}", f"m{i}", 1 + (u + i) % 5) for u in range(30) for i in range(20) if (u * i) % 3]
    typos = tmp_path / "typos.csv"
    typos.write_text("user,item,rating\n" + "".join(f"{u},{i},{r}\n" for u, i, r in rows) + "u0,m0,99\n")
    assert main(["info", str(typos), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "outside 1–5" in err and "--out-of-scale drop" in err and "out_of_scale=" not in err
    for choice, nnz in (("drop", len(rows)), ("keep", len(rows) + 1)):
        assert main(["info", str(typos), "--out-of-scale", choice, "--json", "--quiet"]) == 0
        assert _one_json_object(capsys.readouterr().out)["nnz"] == nnz
    plays = tmp_path / "plays.csv"
    plays.write_text("user,item,plays\n" + "".join(f"u{u},m{i},{(u + i) % 4 * 7}\n" for u in range(30)
                                                   for i in range(20) if (u * i) % 3))
    zero = sum(1 for u in range(30) for i in range(20) if (u * i) % 3 and (u + i) % 4 == 0)
    total = sum(1 for u in range(30) for i in range(20) if (u * i) % 3)
    assert main(["info", str(plays), "--implicit", "--json", "--quiet"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    assert result["nnz"] == total - zero and any("--zeros keep" in line for line in result["report"])
    assert main(["info", str(plays), "--implicit", "--zeros", "keep", "--json", "--quiet"]) == 0
    assert _one_json_object(capsys.readouterr().out)["nnz"] == total


@pytest.mark.parametrize("command, extra", [("evaluate", []), ("tradeoff", ["--strengths", "0,0.5"]),
                                            ("report", ["-o", "REPORT"]), ("train", ["-o", "MODEL"])])
def test_every_fitting_command_times_the_fit_without_the_kernels_one_off_compile(tmp_path, capsys, monkeypatch,
                                                                                  command, extra):
    # On a fresh checkout numba compiles a kind's kernels on its first fit, and fit_seconds counted it (the
    # dashboard had the same fault): a stand-in compile of 1 s on the first fit of each kind.
    import time

    compiled = set()
    for kind, cls in MODELS.items():
        def _fit(self, matrix, kind=kind, fit=cls._fit):
            if kind not in compiled:
                time.sleep(1.0)
                compiled.add(kind)
            return fit(self, matrix)

        monkeypatch.setattr(cls, "_fit", _fit)
    data = _write_csv(tmp_path / "ratings.csv")
    extra = [str(tmp_path / "report.html") if arg == "REPORT" else str(tmp_path / "m.npz") if arg == "MODEL" else arg
             for arg in extra]
    assert main([command, str(data), "--model", "funksvd", "--factors", "4", "--epochs", "2", *extra, "--json"]) == 0
    captured = capsys.readouterr()
    assert _one_json_object(captured.out)["fit_seconds"] < 0.5
    assert re.search(r"compiled Funk SVD's kernels in 1\.\d s \(once per checkout\)", captured.err), captured.err


def test_dimensions_says_which_dimension_follows_the_release_year_in_the_titles(tmp_path, capsys):
    # half the users take old films (1950-1979), half new ones (1990-2019): a dimension sorts them by age
    from mfviz import load_interactions
    from mfviz.analysis import describe_dimensions, genre_groups, principal_dimensions

    rng = np.random.default_rng(0)
    rows = [(f"u{u}", f"m{i}") for u in range(120) for i in
            [*rng.choice(np.arange(30) + 30 * (u % 2), 10, replace=False), *rng.choice(60, 2, replace=False)]]
    data, items, model_file = tmp_path / "p.csv", tmp_path / "items.csv", tmp_path / "svd.npz"
    pd.DataFrame(rows, columns=["user", "item"]).drop_duplicates().to_csv(data, index=False)
    pd.DataFrame({"item": [f"m{i}" for i in range(60)],
                  "title": [f"Film {i} ({1950 + i if i < 30 else 1960 + i})" for i in range(60)]}).to_csv(items, index=False)
    assert main(["train", str(data), "--items", str(items), "--model", "svd", "--factors", "4", "--output",
                 str(model_file), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["dimensions", str(data), "--items", str(items), "-m", str(model_file), "--n", "3", "--json"]) == 0
    result = _one_json_object(capsys.readouterr().out)
    interactions = load_interactions(data, items=items)
    expected = describe_dimensions(principal_dimensions(load_model(model_file)), interactions.titles,
                                   genre_groups(interactions.items), n_dims=3, popularity=interactions.item_popularity,
                                   years=interactions.item_years)
    assert [row["year ρ"] for row in result["dimensions"]] == pytest.approx(expected["year ρ"].tolist())
    follows = int(np.argmax(np.abs(expected["year ρ"].to_numpy()) * (np.abs(expected["popularity ρ"]) < 0.8)))
    row = expected.iloc[follows]
    assert abs(row["year ρ"]) >= 0.5
    assert main(["dimensions", str(data), "--items", str(items), "-m", str(model_file), "--n", "3", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert (f"follows the release year, Spearman ρ = {row['year ρ']:.2f}, median year {row['− end year']:.0f} at the "
            f"− end and {row['+ end year']:.0f} at the + end") in text
    assert text.count("follows the release year") == 1


def test_a_fit_warning_is_one_line_on_stderr_as_the_commands_warnings_are(tmp_path):
    # two groups of users rating their own four items alike: rank 2, so 3 of the 5 components asked are noise
    rows = [f"u{u},i{i + 4 * (u % 2)},{1 + u % 2}" for u in range(20) for i in range(4)]
    (tmp_path / "blocks.csv").write_text("user,item,rating\n" + "\n".join(rows) + "\n")
    done = _run("train", tmp_path / "blocks.csv", "--model", "svd", "--factors", "5", "-o", tmp_path / "m.npz",
                "--quiet")
    assert done.returncode == 0, done.stderr
    # Python's form was two lines: "…/mfviz/cli/fitting.py:37: ModelWarning: …" and the line of code
    assert done.stderr.splitlines() == [
        "mfviz: warning: Truncated SVD: only 2 of the 5 components carry signal: the matrix has rank 2 here, so the "
        "other 3 singular value(s) are rounding noise and are set to 0 (their fold-in weight too); choose factors <= 2"]
    assert (tmp_path / "m.npz").exists()
