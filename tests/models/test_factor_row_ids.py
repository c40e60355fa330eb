"""Factors trained elsewhere whose file holds no ids (implicit's .npz): rows taken in mfviz's order say so, and the
ids of the rows, given, match them by id: a file whose rows follow pd.factorize gives implicit's own lists."""

import warnings

import numpy as np
import pandas as pd
import pytest

from mfviz import Interactions, ModelError, ModelWarning
from mfviz.cli import main
from mfviz.models.external import load_factors


def _ratings(seed=0):
    """A frame whose ids first appear out of sorted order (pd.factorize's order differs from mfviz's)."""
    rng = np.random.default_rng(seed)
    rows = {(int(u), int(i)) for u, i in zip(rng.integers(0, 30, 500) * 3 + 7, 900 - rng.integers(0, 40, 500),
                                             strict=True)}
    frame = pd.DataFrame(sorted(rows, key=lambda pair: rng.random()), columns=["user", "item"])
    frame["rating"] = rng.integers(1, 6, len(frame)).astype(float)
    return frame


def _factorize_ordered(frame, path, seed=1):
    """What implicit's recipe saves: factor rows indexed by pd.factorize's codes (no ids in the file), with the
    factorize uniques and implicit's own top-5 unseen items per user (scores u·v, by hand with numpy)."""
    user_codes, users = pd.factorize(frame["user"])
    item_codes, items = pd.factorize(frame["item"])
    rng = np.random.default_rng(seed)
    user_factors = rng.normal(size=(users.size, 4)).astype(np.float32)
    item_factors = rng.normal(size=(items.size, 4)).astype(np.float32)
    np.savez(path, user_factors=user_factors, item_factors=item_factors, alpha=np.array(1.0),
             regularization=np.array(0.05))
    scores = user_factors.astype(np.float64) @ item_factors.T.astype(np.float64)
    scores[user_codes, item_codes] = -np.inf  # implicit's filter_already_liked_items
    top = np.argsort(-scores, axis=1, kind="stable")[:, :5]
    own = {(int(users[u]), int(items[i])): rank + 1 for u in range(users.size) for rank, i in enumerate(top[u])}
    return users.to_numpy(), items.to_numpy(), own


def _pairs(table) -> dict:
    return {(int(u), int(i)): int(r) for u, i, r in zip(table["user_id"], table["item_id"], table["rank"], strict=True)}


def test_rows_in_factorize_order_with_their_ids_give_implicit_s_own_lists(tmp_path):
    frame = _ratings()
    data = Interactions.from_frame(frame, user="user", item="item", rating="rating")
    users, items, own = _factorize_ordered(frame, tmp_path / "implicit_factorize.npz")
    assert not np.array_equal(users, data.user_ids)  # factorize's order is not mfviz's (sorted)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matched by id: nothing to warn of
        model = load_factors(tmp_path / "implicit_factorize.npz", user_ids=users, item_ids=items).aligned_to(data)
    assert model.rows_taken_in_order == () and model.order_note == ""
    table = model.recommend_ids(data.user_ids, n=5)
    assert _pairs(table) == own
    # arrays of ids saved in the .npz itself are read as the ids of its rows
    with np.load(tmp_path / "implicit_factorize.npz") as npz:
        np.savez(tmp_path / "with_ids.npz", **dict(npz), user_ids=users, item_ids=items)
    assert _pairs(load_factors(tmp_path / "with_ids.npz").aligned_to(data).recommend_ids(data.user_ids, n=5)) == own
    # without them the rows are taken in mfviz's order (data.user_ids: sorted), and a warning says so
    with pytest.warns(ModelWarning, match=r"holds no user or item ids: its rows were taken by position .*the ids "
                                          r"sorted.*pd\.factorize"):
        blind = load_factors(tmp_path / "implicit_factorize.npz").aligned_to(data)
    assert blind.rows_taken_in_order == ("user", "item")
    wrong = _pairs(blind.recommend_ids(data.user_ids, n=5))
    assert len(wrong.keys() & own.keys()) < 0.5 * len(own)  # the lists of other users' rows: mostly different


def test_ids_that_cannot_name_the_rows_are_refused(tmp_path):
    frame = _ratings()
    users, items, _ = _factorize_ordered(frame, tmp_path / "f.npz")
    path = tmp_path / "f.npz"
    with pytest.raises(ModelError, match=r"the user ids given are 3 but there are \d+ user factor rows"):
        load_factors(path, user_ids=users[:3])
    with pytest.raises(ModelError, match=f"the item ids given repeat id {int(items[0])}"):
        load_factors(path, item_ids=np.r_[items[:-1], items[0]])
    with pytest.raises(ModelError, match="must be integers or text"):
        load_factors(path, user_ids=users.astype(float))


def test_the_command_line_says_the_rows_were_taken_by_position_and_takes_their_ids(tmp_path, capsys):
    frame = _ratings()
    data_path = tmp_path / "r.csv"
    frame.to_csv(data_path, index=False)
    users, items, own = _factorize_ordered(frame, tmp_path / "implicit_factorize.npz")
    (tmp_path / "users.txt").write_text("\n".join(map(str, users)) + "\n")
    np.save(tmp_path / "items.npy", items)
    argv = ["recommend", str(data_path), "-m", str(tmp_path / "implicit_factorize.npz"), "--n", "5", "--quiet",
            "--json"]
    assert main([*argv, "-o", str(tmp_path / "blind.csv")]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("mfviz: warning: implicit_factorize holds no user or item ids: its rows were "
                                   "taken by position") and "--user-ids / --item-ids FILE" in captured.err
    assert '"rows_by_position": ["user", "item"]' in captured.out
    assert main([*argv, "-o", str(tmp_path / "ids.csv"), "--user-ids", str(tmp_path / "users.txt"),
                 "--item-ids", str(tmp_path / "items.npy")]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "rows_by_position" not in captured.out
    assert _pairs(pd.read_csv(tmp_path / "ids.csv")) == own
    assert len(_pairs(pd.read_csv(tmp_path / "blind.csv")).keys() & own.keys()) < 0.5 * len(own)
    # one error line each: ids for every row, a file that is there, a factors file to apply to
    (tmp_path / "few.txt").write_text("7\n10\n")
    for extra, message in (
            (["--user-ids", str(tmp_path / "few.txt")], "the user ids given are 2 but there are"),
            (["--item-ids", str(tmp_path / "none.txt")], "no such file"),
    ):
        assert main([*argv, "-o", str(tmp_path / "x.csv"), *extra]) == 2
        err = capsys.readouterr().err
        assert err.count("mfviz: error:") == 1 and message in err and "Traceback" not in err
    assert main(["dashboard", str(data_path), "--user-ids", str(tmp_path / "users.txt")]) == 2
    assert "give the --model-file it applies to" in capsys.readouterr().err
