"""The `mfviz` commands on a model saved from a split that held out all of some users' interactions: the users it
was never trained on are left out of `recommend`'s CSV and of `new-item`'s reach and first users, and a note on
stderr (kept under --quiet) says how many."""

import numpy as np
import pandas as pd
from test_cli import _one_json_object, _write_csv

from mfviz import load_interactions
from mfviz.analysis.cold_start import audience, trained_audience
from mfviz.cli import main
from mfviz.evaluation.splits import split_by_mask
from mfviz.models import ALS, load_model
from mfviz.models.sanity import untrained_users

HELD_OUT = 6  # users 0..5 (by index) have every interaction held out


def split_model_file(tmp_path):
    """The CSV and an ALS saved after training on it without users 0..5's interactions (as a split by time does
    with the users active only after the cut)."""
    path = _write_csv(tmp_path / "r.csv")
    data = load_interactions(path)
    rows = np.repeat(np.arange(data.n_users), np.diff(data.matrix.indptr))
    train, _ = split_by_mask(data, rows < HELD_OUT)
    model = ALS(factors=3, epochs=3, regularization=0.1, random_state=0).fit(train)
    assert np.flatnonzero(untrained_users(model)).tolist() == list(range(HELD_OUT))
    model.save(tmp_path / "als.npz")
    return path, data, tmp_path / "als.npz"


def test_recommend_leaves_out_the_untrained_users_and_says_how_many(tmp_path, capsys):
    path, data, model_file = split_model_file(tmp_path)
    out = tmp_path / "recs.csv"
    assert main(["recommend", str(path), "-m", str(model_file), "--n", "3", "-o", str(out), "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    result = _one_json_object(captured.out)
    assert result["users_left_out"] == HELD_OUT
    assert captured.err == (f"mfviz: note: {HELD_OUT} of {data.n_users} users are left out of the CSV: the model was "
                            "never trained on them (a split held out all their interactions), so their lists would "
                            "say nothing of them\n")
    written = pd.read_csv(out)
    assert set(written["user_id"]) == set(data.user_ids[HELD_OUT:])


def test_recommend_says_nothing_when_every_user_was_trained(tmp_path, capsys):
    path = _write_csv(tmp_path / "r.csv")
    assert main(["train", str(path), "--model", "als", "--factors", "3", "--epochs", "2", "-o",
                 str(tmp_path / "m.npz"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["recommend", str(path), "-m", str(tmp_path / "m.npz"), "-o", str(tmp_path / "recs.csv"), "--json",
                 "--quiet"]) == 0
    captured = capsys.readouterr()
    assert _one_json_object(captured.out)["users_left_out"] == 0 and captured.err == ""


def test_new_item_reaches_and_draws_first_users_among_the_trained_users_only(tmp_path, capsys):
    path, data, model_file = split_model_file(tmp_path)
    fans_of = [0, 2]
    assert main(["new-item", str(path), "-m", str(model_file), "--fans", ",".join(data.item_ids[fans_of].astype(str)),
                 "--first-users", "4", "--n", "3", "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    result = _one_json_object(captured.out)
    model = load_model(model_file)
    users, values = audience(data.matrix, fans_of, at_least=float(np.median(data.matrix.data)))
    kept, kept_values, left = trained_audience(model, users, values)
    assert left == int((users < HELD_OUT).sum()) > 0 and result["fans_left_out"] == left
    assert result["fans"] == kept.size and result["users_left_out"] == HELD_OUT
    assert f"mfviz: note: {HELD_OUT} users the model was never trained on" in captured.err
    # reach by hand over the trained users: those outside its first users whose 3rd best unseen item it outscores
    vector, bias = model.fold_in_item(kept[:4], kept_values[:4], return_bias=True)
    scores = model.user_factors @ model.item_factors.T + model.item_bias
    scores[data.matrix.toarray() != 0] = -np.inf
    third = -np.sort(-scores, axis=1)[:, 2]
    new = model.user_factors @ vector + bias
    everyone = np.arange(data.n_users)
    reached = (new > third) & (everyone >= HELD_OUT) & ~np.isin(everyone, kept[:4])
    assert result["reached"] == reached.sum()
    assert result["share"] == reached.sum() / (data.n_users - HELD_OUT - 4)
