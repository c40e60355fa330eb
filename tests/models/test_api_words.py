"""What the Python API says to someone bringing habits from Surprise, implicit or scikit-learn: names, scalars,
warnings by id, the note beside a ranker's RMSE, lazily imported subpackages."""

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from mfviz import DataError, Interactions, ModelError, ModelWarning
from mfviz.cli import main
from mfviz.evaluation import evaluate, random_split
from mfviz.models import ALS, FunkSVD, ImplicitALS, Popularity, SVDpp, TruncatedSVD
from mfviz.models.external import FactorModel


def small_ratings(seed: int = 0) -> Interactions:
    rng = np.random.default_rng(seed)
    pairs = pd.DataFrame({"user": rng.integers(0, 40, 900) * 7 + 100, "item": rng.integers(0, 30, 900) + 5000})
    pairs = pairs.drop_duplicates(["user", "item"])
    pairs["rating"] = rng.integers(1, 6, len(pairs)).astype(float)
    return Interactions.from_frame(pairs, user="user", item="item", rating="rating")


@pytest.mark.parametrize(("model", "given", "ours"), [
    (FunkSVD, "n_factors", "factors"), (SVDpp, "n_epochs", "epochs"), (FunkSVD, "lr_all", "learning_rate"),
    (FunkSVD, "reg_all", "regularization"), (ImplicitALS, "iterations", "epochs"), (ALS, "rank", "factors"),
    (ALS, "regParam", "regularization"), (ALS, "seed", "random_state"), (ImplicitALS, "regularisation",
                                                                          "regularization")])
def test_a_peer_s_hyperparameter_name_is_answered_with_ours(model, given, ours):
    with pytest.raises(ModelError, match=rf"no hyperparameter '{given}' \(did you mean '{ours}'\?\)"):
        model(**{given: 5})


def test_a_name_far_from_all_of_ours_gets_no_guess_and_positional_values_are_refused_by_name():
    with pytest.raises(ModelError) as caught:
        TruncatedSVD(bogus=1)
    assert "did you mean" not in str(caught.value) and "it takes ['factors']" in str(caught.value)
    # Python's own TypeError named an internal class (SGDModel.__init__) and no way out
    for model in (FunkSVD, ImplicitALS, TruncatedSVD):
        with pytest.raises(ModelError, match=rf"{model.__name__} takes its hyperparameters by name, "
                                             rf"e\.g\. {model.__name__}\(factors=50\)"):
            model(50)


def test_the_command_line_answers_a_peer_s_option_under_the_command_s_own_usage(tmp_path, capsys):
    path = tmp_path / "ratings.csv"
    small_ratings().to_frame().to_csv(path, index=False)
    for option, guess in (("--n-factors", "--factors"), ("--lr-all", "--learning-rate"), ("--factorz", "--factors")):
        with pytest.raises(SystemExit) as stop:
            main(["evaluate", str(path), "--model", "funk", option, "3"])
        err = capsys.readouterr().err
        assert stop.value.code == 2
        assert err.startswith("usage: mfviz evaluate")  # not the top level's "usage: mfviz [-h] COMMAND"
        assert f"unrecognized arguments: {option} 3 (did you mean {guess}?)" in err
    with pytest.raises(SystemExit):
        main(["evaluate", str(path), "--model", "funk", "--zzz"])
    assert "did you mean" not in capsys.readouterr().err


def test_predict_gives_a_number_for_one_pair_and_arrays_in_the_shape_given():
    model = FunkSVD(factors=4, epochs=3, random_state=0).fit(small_ratings())
    one = model.predict(3, 4)
    assert np.ndim(one) == 0 and isinstance(one, np.float32)
    grid = model.predict(np.array([[0, 1], [2, 3]]), np.array([[4, 5], [6, 7]]))
    assert grid.shape == (2, 2) and grid[1, 0] == model.predict(2, 6)


def test_recommend_ids_warns_by_the_ids_it_was_given_at_the_caller_s_line():
    data = small_ratings()
    matrix = data.matrix.tolil()
    matrix.rows[3], matrix.data[3] = [], []  # user row 3 keeps no training interaction
    model = ALS(factors=3, epochs=2, random_state=0).fit(Interactions(matrix.tocsr(), data.user_ids, data.item_ids))
    user_id = int(data.user_ids[3])
    with pytest.warns(ModelWarning, match=rf"1 of these users \(ids {user_id}\) have no training") as caught:
        model.recommend_ids([int(data.user_ids[0]), user_id])
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.recommend_ids([int(data.user_ids[0])])


def test_evaluate_puts_the_note_beside_a_ranker_s_rmse_as_the_command_line_does():
    train, test = random_split(small_ratings(), 0.2, seed=0)
    for model, note in ((Popularity(), "ranks items"), (ImplicitALS(factors=3, epochs=2, random_state=0), "ranks items"),
                        (TruncatedSVD(factors=3), "reads missing entries as zeros")):
        result = evaluate(model, train, test)
        assert np.isfinite(result["rmse"])  # kept: scripts read it
        assert note in result["rmse_note"] and result["rmse_note"].startswith(model.label)
    assert "rmse_note" not in evaluate(FunkSVD(factors=3, epochs=2, random_state=0), train, test)


def test_evaluating_factors_without_their_interactions_says_to_align_them():
    train, test = random_split(small_ratings(), 0.2, seed=0)
    fitted = ImplicitALS(factors=3, epochs=2, random_state=0).fit(train)  # no biases: its factors are all of it
    loose = FactorModel(fitted.user_factors, fitted.item_factors)
    with pytest.raises(ModelError, match=r"evaluate model\.aligned_to\(train\)"):
        evaluate(loose, train, test)
    with pytest.raises(ModelError, match=r"call aligned_to\(interactions\)"):
        loose.recommend_ids([int(train.user_ids[0])])
    aligned = loose.aligned_to(train)
    assert evaluate(aligned, train, test)["ndcg@10"] == pytest.approx(evaluate(fitted, train, test)["ndcg@10"])


def test_import_mfviz_reaches_its_subpackages_and_imports_none_of_them_until_asked():
    code = ("import sys, mfviz\n"
            "assert not {'mfviz.models', 'mfviz.analysis', 'umap', 'hnswlib'} & set(sys.modules)\n"
            "print(mfviz.datasets.load_demo().n_users, mfviz.models.FunkSVD.__name__, 'datasets' in dir(mfviz))\n"
            "try:\n    mfviz.nothing\nexcept AttributeError as exc:\n    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "3000 FunkSVD True" and out[1] == "module 'mfviz' has no attribute 'nothing'"


def test_fold_in_by_ids_is_fold_in_of_their_rows_and_names_an_unknown_id():
    data = small_ratings()
    model = FunkSVD(factors=4, epochs=3, random_state=0).fit(data)
    ids = [int(data.item_ids[7]), int(data.item_ids[2])]
    np.testing.assert_array_equal(model.fold_in_ids(ids, [5.0, 2.0]), model.fold_in([7, 2], [5.0, 2.0]))
    assert model.fold_in_ids(ids, [5.0, 2.0], return_bias=True)[1] == model.fold_in([7, 2], [5.0, 2.0], True)[1]
    with pytest.raises(DataError, match="unknown item id 4999"):
        model.fold_in_ids([4999], [5.0])  # ids start at 5000: not an item of the data


def test_an_unknown_id_in_a_list_that_mixes_kinds_is_the_one_named():
    """numpy turns [1, "2"] into ["1", "2"], so the message named '1' (which is an id of the data) as text."""
    data = small_ratings()
    model = ALS(factors=3, epochs=1, random_state=0).fit(data)
    known = int(data.user_ids[0])
    with pytest.raises(DataError, match=r"unknown user id '2': .*user ids are integers, this one is text\)"):
        model.recommend_ids([known, "2"])
    with pytest.raises(DataError, match=r"unknown user id 3: it is not in the loaded data$"):
        model.recommend_ids([known, 3])  # an integer id the data lacks: no word of kinds


def test_a_missing_rating_is_called_empty_not_np_float64_nan():
    frame = pd.DataFrame({"user": [1, 1, 2], "item": [5, 6, 5], "rating": [4.0, np.nan, 3.0]})
    with pytest.raises(DataError, match="the first is row 2, value nan \\(an empty value\\)\\.") as caught:
        Interactions.from_frame(frame, user="user", item="item", rating="rating")
    assert "np.float64" not in str(caught.value)


def test_implicit_s_fold_in_note_says_where_its_regularization_came_from(tmp_path):
    from mfviz.models.external import load_factors

    fitted = ImplicitALS(factors=3, epochs=2, random_state=0).fit(small_ratings())
    path = tmp_path / "ials_factorize.npz"
    np.savez(path, user_factors=fitted.user_factors, item_factors=fitted.item_factors, alpha=np.array(2.0),
             regularization=np.array(0.05))
    assert "regularization 0.05, both read from the file" in load_factors(path).fold_in_note
    given = load_factors(path, regularization=0.3)
    assert "regularization 0.3, given in place of the file's" in given.fold_in_note
    assert "given" in given.aligned_to(small_ratings()).fold_in_note  # kept by the aligned copy


def test_the_command_line_names_factors_from_elsewhere_by_their_file_as_python_does(tmp_path, capsys):
    """It said "folded into external" and `model external`, where load_factors labels them by the file's name."""
    data = small_ratings()
    path = tmp_path / "r.csv"
    pd.DataFrame({"user": data.user_ids[data.matrix.tocoo().row], "item": data.item_ids[data.matrix.tocoo().col],
                  "rating": data.matrix.tocoo().data}).to_csv(path, index=False)
    fitted = ImplicitALS(factors=3, epochs=2, random_state=0).fit(Interactions.from_frame(
        pd.read_csv(path), user="user", item="item", rating="rating"))
    factors = tmp_path / "my_ials.npz"
    np.savez(factors, user_factors=fitted.user_factors, item_factors=fitted.item_factors, alpha=np.array(1.0),
             regularization=np.array(0.05))
    fans = str(data.item_ids[0])
    assert main(["new-item", str(path), "-m", str(factors), "--fans", fans, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "folded into my_ials:" in out and "external" not in out
    assert main(["recommend", str(path), "-m", str(factors), "-o", str(tmp_path / "recs.csv"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "my_ials" in out.split("\n")[0] and "external" not in out.split("model_kind")[0]
